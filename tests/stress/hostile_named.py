"""The named hostile cases of issues 17 and 18, each with what must come of it.

``CASES`` maps a case's name to a function that tries it and returns
``"clear error"`` or ``"correct"`` (see hostile.py), ``"lost result"`` when a
documented stop came without its partial result, or fails an assertion (a
silent wrong answer).  Run by ``python tests/stress/hostile.py``; each case is
also a test of its own elsewhere in tests/ (docs/guarantees.md names them).
"""
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np

import gdfast

CASES = {}


def case(function):
    CASES[function.__name__.replace("_", " ")] = function
    return function


def _refused(call, kinds=(TypeError, ValueError), starts=None, contains=()):
    """'clear error' if ``call()`` raises one of ``kinds``, its message starting with ``starts``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # a warning instead of the error: not clear
            call()
    except kinds as err:
        message = str(err)
        assert message and "\n" not in message.strip(), repr(message)
        assert starts is None or message.startswith(starts), message
        assert all(c in message for c in contains), message
        return "clear error"
    raise AssertionError("accepted: no error")


def _same_fit(a, b, rtol=1e-9):
    np.testing.assert_allclose([a.intercept, *a.coef], [b.intercept, *b.coef], rtol=rtol,
                               atol=1e-12)
    return "correct"


def _line(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 4, n)
    return x, 2.0 + 1.5 * x + 0.1 * rng.normal(size=n)


# ---------------------------------------------------------------------------
# Silent wrong answers of issue 17
# ---------------------------------------------------------------------------
MASK = [0, 0, 0, 1, 0]


@case
def masked_x_in_fit():
    x = np.ma.array([0.0, 1, 2, 3, 4], mask=MASK)
    return _refused(lambda: gdfast.fit(x, [0.0, 2, 4, 6, 8]), starts="x", contains=("mask",))


@case
def masked_y_in_fit():
    y = np.ma.array([0.0, 2, 4, 60, 8], mask=MASK)
    return _refused(lambda: gdfast.fit([0.0, 1, 2, 3, 4], y), starts="y", contains=("mask",))


@case
def masked_sample_weight_in_fit():
    w = np.ma.array([1.0, 1, 1, 1, 1], mask=MASK)
    return _refused(lambda: gdfast.fit([0.0, 1, 2, 3, 4], [0.0, 2, 4, 6, 8], sample_weight=w),
                    starts="sample_weight", contains=("mask",))


@case
def masked_x_in_cost():
    x = np.ma.array([0.0, 1, 2, 3, 4], mask=MASK)
    return _refused(lambda: gdfast.cost(x, [0.0, 2, 4, 6, 8], 0.0, 2.0), starts="x",
                    contains=("mask",))


@case
def masked_x_in_learning_rate_limits():
    x = np.ma.array([0.0, 1, 2, 3, 4], mask=MASK)
    return _refused(lambda: gdfast.learning_rate_limits(x), starts="x", contains=("mask",))


@case
def masked_x_in_the_estimator():
    x = np.ma.array([[0.0], [1], [2], [3], [4]], mask=[[m] for m in MASK])
    return _refused(lambda: gdfast.GDRegressor().fit(x, [0.0, 2, 4, 6, 8]), contains=("mask",))


@case
def masked_array_without_a_masked_value_is_fitted():
    x, y = _line()
    return _same_fit(gdfast.fit(np.ma.array(x), np.ma.array(y)), gdfast.fit(x, y))


@case
def init_given_as_a_dict():
    return _refused(lambda: gdfast.fit([0.0, 1, 2], [1.0, 3, 5], init={0: 1.0, 1: 2.0}),
                    starts="init")


@case
def init_given_as_a_set():
    return _refused(lambda: gdfast.fit([0.0, 1, 2], [1.0, 3, 5], init={1.0, 2.0}),
                    starts="init")


@case
def estimator_warm_start_yes():
    return _refused(lambda: gdfast.GDRegressor(warm_start="yes").fit([[0.0], [1], [2]],
                                                                      [1.0, 3, 5]),
                    contains=("warm_start",))


def _statistics(**changes):
    fields = dict(n=3, weight_sum=3.0, mean_x=[1.0], mean_y=3.0, gram_xx=[[2.0]],
                  cross_xy=[[4.0]][0], sum_yy=8.0)
    fields.update(changes)
    return lambda: gdfast.Statistics(**fields)


@case
def statistics_by_hand_of_wrong_lengths():
    return _refused(_statistics(cross_xy=[4.0, 1.0]), starts="Statistics: cross_xy")


@case
def statistics_by_hand_with_n_zero():
    return _refused(_statistics(n=0), starts="Statistics: n")


@case
def statistics_by_hand_with_a_negative_gram_diagonal():
    return _refused(_statistics(gram_xx=[[-2.0]]), starts="Statistics: gram_xx")


@case
def statistics_by_hand_not_finite():
    return _refused(_statistics(mean_y=float("nan")), starts="Statistics: mean_y")


# ---------------------------------------------------------------------------
# Valid input refused, or with a misleading error (issue 17)
# ---------------------------------------------------------------------------
@case
def uniform_weights_of_1e_310():
    x, y = _line()
    return _same_fit(gdfast.fit(x, y, sample_weight=np.full(len(x), 1e-310)), gdfast.fit(x, y))


@case
def float32_data_with_weights_of_1e39():
    x, y = (a.astype(np.float32) for a in _line())
    return _same_fit(gdfast.fit(x, y, sample_weight=np.full(len(x), 1e39)), gdfast.fit(x, y))


@case
def float32_data_with_weights_of_1e_46():
    x, y = (a.astype(np.float32) for a in _line())
    return _same_fit(gdfast.fit(x, y, sample_weight=np.full(len(x), 1e-46)), gdfast.fit(x, y))


@case
def weights_of_1e300_in_statistics():
    x, y = _line()
    stats = gdfast.Statistics.from_arrays(x, y, np.full(len(x), 1e300))
    return _same_fit(gdfast.fit_statistics(stats), gdfast.fit(x, y, method="stats"))


@case
def a_column_of_subnormal_numbers_standardized():
    """Its variance underflows: refused as such (how to scale it), never called constant."""
    x, y = _line()
    return _refused(lambda: gdfast.fit(x * 1e-310, y, standardize=True),
                    starts="standardize=True cannot scale column",
                    contains=("multiply the column by a large constant",))


@case
def limits_rate_of_the_word_auto_on_no_limits():
    lim = gdfast.LearningRateLimits.unknown(2)
    return _refused(lambda: lim.rate("fast"), starts="learning_rate")


@case
def limits_rate_of_minus_one():
    lim = gdfast.learning_rate_limits([0.0, 1, 2, 3])
    return _refused(lambda: lim.rate(-1), starts="learning_rate")


@case
def limits_rate_of_nan():
    lim = gdfast.learning_rate_limits([0.0, 1, 2, 3])
    return _refused(lambda: lim.rate(float("nan")), starts="learning_rate")


@case
def limits_iterations_when_the_limits_are_nan():
    lim = gdfast.learning_rate_limits([1e200, 1e300])
    try:
        value = lim.iterations()
    except (TypeError, ValueError) as err:
        assert "cannot convert" not in str(err), err
        return "clear error"
    assert value is None or isinstance(value, (int, float)), value
    return "correct"


@case
def fit_stream_with_an_empty_chunk():
    x, y = _line()
    chunks = [(x[:10], y[:10]), (x[:0], y[:0]), (x[10:], y[10:])]
    return _same_fit(gdfast.fit_stream(iter(chunks)), gdfast.fit(x, y, method="stats"))


@case
def plot_fit_of_a_d_feature_result():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gdfast import plot
    x = np.column_stack(_line())
    res = gdfast.fit(x, x @ [1.0, 2.0])
    try:
        return _refused(lambda: plot.plot_fit(x, x @ [1.0, 2.0], res))
    finally:
        plt.close("all")


@case
def plot_cost_history_of_an_empty_dict():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gdfast import plot
    try:
        return _refused(lambda: plot.plot_cost_history({}), starts="results")
    finally:
        plt.close("all")


@case
def fit_at_a_learning_rate_above_the_limit_returns_the_divergence():
    """issue 18: 0.9 on the demo's data (limit 0.827) is a DivergenceError with its result."""
    from gdfast.cli._demo import make_points
    x, y = make_points(100, 0)   # `gdfast demo`'s data
    lim = gdfast.learning_rate_limits(x)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", gdfast.DivergenceWarning)
            gdfast.fit(x, y, learning_rate=1.09 * lim.max_stable, max_iter=10_000)
    except gdfast.DivergenceError as err:
        if err.result is None or len(err.result.history) == 0:
            return "lost result"
        assert np.all(np.isfinite(err.result.history.cost)) and err.result.n_iter > 0
        # the rate the error suggests is below the limit, and works
        suggested = float(re.findall(r"learning_rate=([0-9.e-]+)", str(err))[-1])
        assert suggested < lim.max_stable, (suggested, str(err))
        assert gdfast.fit(x, y, learning_rate=suggested, max_iter=10_000).converged
        return "correct"
    raise AssertionError("a rate above 2/lambda_max did not diverge")


@case
def a_callback_that_raises_keeps_the_partial_result():
    x, y = _line()

    class Stop(Exception):
        pass

    def callback(step):
        if step.iteration >= 5:
            raise Stop("from the callback")

    try:
        gdfast.fit(x, y, learning_rate=0.01, max_iter=10**6, tol=None, callback=callback)
    except Stop as err:
        result = getattr(err, "gdfast_result", None)
        if result is None:
            return "lost result"
        assert result.n_iter >= 5 and len(result.history) == result.n_iter + 1
        return "correct"
    raise AssertionError("the callback's exception did not propagate")


@case
def ctrl_c_during_a_long_fit_keeps_the_partial_result():
    x, y = _line()
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        gdfast.fit(x, y, learning_rate=0.01, max_iter=10**9, tol=None)
    except gdfast.FitInterrupted as err:
        if err.result is None or len(err.result.history) < 2:
            return "lost result"
        assert err.result.history.iteration[-1] == err.result.n_iter > 0
        return "correct"
    finally:
        timer.join()
    raise AssertionError("Ctrl-C did not stop the fit")


_OUT_OF_MEMORY = r"""
import os, resource, sys
import numpy as np
import gdfast
used = int(open('/proc/self/statm').read().split()[0]) * os.sysconf('SC_PAGE_SIZE')
resource.setrlimit(resource.RLIMIT_AS, (used + 300_000_000, resource.RLIM_INFINITY))
try:
    gdfast.fit([0.0, 1, 2, 3], [1.0, 3, 5, 7], learning_rate=0.05, max_iter=10**9, tol=None,
               record_every=1)
except MemoryError as err:
    r = getattr(err, "result", None)
    print("lost" if r is None or len(r.history) < 2 else f"kept {len(r.history)} {r.n_iter}")
"""


@case
def a_history_that_runs_out_of_memory_keeps_the_partial_result():
    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.run([sys.executable, "-c", _OUT_OF_MEMORY], cwd=folder,
                               capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    if child.stdout.strip() == "lost":
        return "lost result"
    rows, n_iter = map(int, child.stdout.split()[1:])
    assert rows == n_iter + 1 and rows > 10**5, child.stdout
    return "correct"


# ---------------------------------------------------------------------------
# The command line (issues 17 and 18): one line and exit 2, or the right numbers
# ---------------------------------------------------------------------------
def _cli(*argv, stdin=None):
    from gdfast.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _one_line(code, err, *fragments):
    assert "Traceback" not in err, err
    assert code == 2 and err.count("\n") == 1, (code, err)
    assert all(f in err for f in fragments), err
    return "clear error"


def _file_case(name, content, *fragments, options=()):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content() if callable(content) else content)
        code, _, err = _cli("fit", path, *options)
        return _one_line(code, err, str(path), *fragments)


def _fitted(name, content, x, y, options=(), dropped=0):
    """`gdfast fit --json` on the file gives gdfast.fit's numbers on (x, y)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        code, out, err = _cli("fit", path, "--json", *options)
    assert code == 0, (code, err)
    record = json.loads(out)
    expected = gdfast.fit(x, y)
    np.testing.assert_allclose([record["intercept"], *record["coef"]],
                               [expected.intercept, *expected.coef], rtol=1e-12)
    assert record["rows_dropped"] == dropped
    return record


def _npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _zip(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CSV = "x,y\n" + "".join(f"{v},{2 + 1.5 * v}\n" for v in range(8))
CSV_X, CSV_Y = np.arange(8.0), 2 + 1.5 * np.arange(8.0)


@case
def random_binary_bytes_named_csv():
    return _file_case("data.csv", np.random.default_rng(1).bytes(4000))


@case
def latin_1_bytes_in_the_data():
    return _file_case("data.csv", "x,y\n1,2\n2,3\n3,caf\xe9\n".encode("latin-1"), "line 4")


@case
def latin_1_bytes_in_the_header():
    return _file_case("data.csv", "x,\xe9t\xe9\n1,2\n2,3\n".encode("latin-1"), "line 1")


@case
def latin_1_read_with_encoding():
    content = "x,\xe9t\xe9\n" + CSV.split("\n", 1)[1]
    return _fitted("data.csv", content.encode("latin-1"), CSV_X, CSV_Y,
                   options=("--encoding", "latin-1")) and "correct"


@case
def utf_16_text():
    return _fitted("data.csv", CSV.encode("utf-16"), CSV_X, CSV_Y) and "correct"


@case
def a_cell_of_200000_characters():
    return _file_case("data.csv", ("x,y\n1,2\n2," + "7" * 200_000 + "x\n").encode(), "line 3")


@case
def a_cell_of_200000_digits():
    return _file_case("data.csv", ("x,y\n1,2\n2," + "7" * 200_000 + "\n").encode(),
                      "not a finite number")


@case
def npz_with_an_object_member_as_x():
    return _file_case("d.npz", _zip({"x.npy": _npy(np.array([1.0, None, 3.0], dtype=object),
                                                   allow_pickle=True),
                                     "y.npy": _npy(np.arange(3.0))}), "member 'x'")


@case
def npz_with_an_object_member_as_y():
    return _file_case("d.npz", _zip({"x.npy": _npy(np.arange(3.0)),
                                     "y.npy": _npy(np.array([1.0, None, 3.0], dtype=object),
                                                   allow_pickle=True)}), "member 'y'")


@case
def npz_with_a_bad_crc():
    x = np.arange(1000.0)
    raw = bytearray(_zip({"x.npy": _npy(x), "y.npy": _npy(2 * x)}))
    raw[raw.index(b"x.npy") + len("x.npy") + 128 + 4000] ^= 0x01
    return _file_case("c.npz", bytes(raw), "member 'x'")


@case
def npz_whose_members_are_not_npy():
    return _file_case("t.npz", _zip({"x.txt": "1 2 3", "y.npy": _npy(np.arange(3.0))}),
                      "x.txt")


@case
def npz_whose_header_claims_1e12_rows():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12,)})
    return _file_case("h.npz", _zip({"x.npy": header.getvalue() + b"\0" * 24,
                                     "y.npy": _npy(np.arange(3.0))}), "1000000000000")


@case
def npz_cut_short():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.arange(20.0), y=np.arange(20.0))
    return _file_case("cut.npz", buffer.getvalue()[:300])


@case
def npz_that_decompresses_beyond_the_memory_available():
    """A 1.5 MB file that would take 1.6 GB once read: refused from its headers."""
    from gdfast.cli import _table
    buffer = io.BytesIO()
    zeros = np.zeros(5_000_000)                       # 80 MB once read, 80 KB compressed
    np.savez_compressed(buffer, x=zeros, y=zeros)
    available, _table.available_memory = _table.available_memory, lambda: 50_000_000
    try:   # as on a machine with 50 MB free
        return _file_case("bomb.npz", buffer.getvalue(), "would take 80 MB")
    finally:
        _table.available_memory = available


@case
def parquet_with_a_corrupt_page():
    import pyarrow as pa
    import pyarrow.parquet as pq
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": np.arange(5000.0), "y": np.arange(5000.0)}), buffer,
                   compression="snappy")
    raw = bytearray(buffer.getvalue())
    for k in range(200, 400):
        raw[k] ^= 0x5A
    return _file_case("t.parquet", bytes(raw))


@case
def structured_npy_with_a_sub_array_field():
    table = np.zeros(6, dtype=[("x", "f8", (2,)), ("y", "f8")])
    rng = np.random.default_rng(2)
    table["x"] = rng.normal(size=(6, 2))
    table["y"] = 1.0 + table["x"] @ [2.0, -1.0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.npy"
        np.save(path, table)
        code, out, err = _cli("fit", path, "--json")
    if code == 2:
        return _one_line(code, err, str(path))
    record = json.loads(out)
    assert len(record["coef"]) == len(record["x"]) == 2, record   # one name per coefficient
    return "correct"


@case
def utf_8_byte_order_mark():
    record = _fitted("bom.csv", ("\ufeff" + CSV).encode(), CSV_X, CSV_Y)
    assert record["x"] == ["x"], record
    return "correct"


@case
def semicolon_separated_csv():
    return _fitted("semi.csv", CSV.replace(",", ";").encode(), CSV_X, CSV_Y) and "correct"


@case
def tab_separated_csv():
    return _fitted("tab.csv", CSV.replace(",", "\t").encode(), CSV_X, CSV_Y) and "correct"


@case
def headerless_csv_names_its_columns():
    record = _fitted("bare.csv", CSV.split("\n", 1)[1].encode(), CSV_X, CSV_Y)
    assert record["x"] == ["x0"] and record["y"] == "y", record
    return "correct"


@case
def duplicate_column_names():
    return _file_case("dup.csv", b"x,x,y\n1,2,3\n2,3,4\n", "appears twice")


@case
def a_missing_cell_without_dropna():
    return _file_case("gap.csv", b"x,y\n1,2\n2,\n3,4\n", "line 3")


@case
def a_missing_cell_with_dropna():
    content = CSV + "9,\n"
    return _fitted("gap.csv", content.encode(), CSV_X, CSV_Y, options=("--dropna",),
                   dropped=1) and "correct"


@case
def history_onto_the_input_file():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        path.write_text(CSV)
        code, _, err = _cli("fit", path, "--history", path)
        assert path.read_text() == CSV
        return _one_line(code, err, "input file")


@case
def plot_into_a_path_that_is_a_file():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        path.write_text(CSV)
        code, out, err = _cli("fit", path, "--plot", path)
        assert out == "", out   # refused before the fit
        return _one_line(code, err, "not a folder")


@case
def plot_into_a_folder_that_cannot_be_written():
    if os.geteuid() == 0:   # root writes anywhere: a folder under a file instead
        return plot_into_a_path_that_is_a_file()
    with tempfile.TemporaryDirectory() as folder:
        path, locked = Path(folder) / "in.csv", Path(folder) / "locked"
        path.write_text(CSV)
        locked.mkdir(mode=0o500)
        code, out, err = _cli("fit", path, "--plot", locked)
        assert out == "", out
        return _one_line(code, err, "cannot write")


@case
def demo_seed_minus_one():
    code, out, err = _cli("demo", "--no-plots", "--seed", "-1")
    assert out == ""
    return _one_line(code, err, "--seed")


@case
def demo_out_on_a_path_that_cannot_be_a_folder():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.txt"
        path.write_text("")
        code, out, err = _cli("demo", "--n", "10", "--out", path / "pictures")
        assert out == ""
        return _one_line(code, err, "not a folder")


@case
def cli_learning_rate_above_the_limit_exits_1_with_the_partial_result():
    """issue 18: `gdfast fit h.csv --learning-rate 0.9` on the demo's data (limit 0.827)."""
    from gdfast.cli._demo import make_points
    x, y = make_points(100, 0)   # `gdfast demo`'s data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.csv"
        np.savetxt(path, np.column_stack([x, y]), delimiter=",", header="x,y", comments="")
        code, out, err = _cli("fit", path, "--learning-rate", "0.9", "--json")
    assert "Traceback" not in err and code == 1, (code, err)
    record = json.loads(out)
    if record.get("status") != "diverged" or not np.isfinite(record["intercept"]):
        return "lost result"
    return "correct"
