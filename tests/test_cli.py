"""The command line: `gdfast fit FILE`, `gdfast bench`, and its errors."""
import json
import math
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gdfast
from gdfast.cli import main


def _lstsq(x, y):
    (b0, b1), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    return b0, b1


@pytest.fixture
def csv_file(tmp_path, line_data):
    x, y = line_data
    path = tmp_path / "houses.csv"
    noise = np.arange(len(x)) % 7
    lines = ["size,noise,price"] + [f"{a!r},{b},{c!r}" for a, b, c in zip(x.tolist(), noise, y.tolist())]
    path.write_text("\n".join(lines) + "\n")
    return path


FAST = ["--learning-rate", "0.5", "--max-iter", "20000", "--tol", "1e-10"]


def _fit(capsys, *argv):
    code = main(["fit", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code, err, *fragments):
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err


def test_fit_csv_by_column_names(capsys, csv_file, line_data):
    code, out, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", *FAST)
    assert code == 0 and err == ""
    b0, b1 = _lstsq(*line_data)
    assert "200 points, y = price, x = size" in out
    assert f"price = {b0:.6g} + {b1:.6g}*size" in out
    assert "converged after" in out


def test_fit_json(capsys, csv_file, line_data):
    code, out, _ = _fit(capsys, csv_file, "--y", "2", "--x", "0", "--json", *FAST)
    assert code == 0
    result = json.loads(out)
    b0, b1 = _lstsq(*line_data)
    assert result["intercept"] == pytest.approx(b0, abs=1e-8)
    assert result["slope"] == pytest.approx(b1, abs=1e-8)
    assert (result["y"], result["x"], result["n_points"]) == ("price", ["size"], 200)
    assert result["status"] == "converged" and result["converged"] is True
    assert "diagnosis" in result and result["history_rows"] == result["n_iter"] + 1


def test_fit_csv_without_header_by_position(capsys, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("0,1\n1,3\n2,5\n\n3,7\n")
    code, out, _ = _fit(capsys, path, "--json", "--learning-rate", "0.2", "--max-iter", "20000",
                        "--tol", "1e-12")
    result = json.loads(out)
    assert (result["y"], result["x"], result["n_points"]) == ("y", ["x0"], 4)
    assert result["intercept"] == pytest.approx(1.0) and result["slope"] == pytest.approx(2.0)


@pytest.mark.bitwise
def test_fit_tsv_and_options_reach_fit(capsys, tmp_path):
    path = tmp_path / "plain.tsv"
    path.write_text("x\ty\n0\t1\n1\t3\n2\t5\n")
    code, out, err = _fit(capsys, path, "--json", "--learning-rate", "0.1", "--max-iter", "7",
                          "--tol", "none", "--cost", "mse", "--init", "0", "-5",
                          "--record-every", "3")
    result = json.loads(out)
    # exact: the file's numbers are these, fitted by the same kernel; JSON keeps every digit
    ref = gdfast.fit([0, 1, 2], [1, 3, 5], learning_rate=0.1, max_iter=7, tol=None, cost="mse",
                     init=(0, -5), record_every=3)
    assert (result["slope"], result["n_iter"], result["history_rows"]) == (ref.slope, 7, 4)
    assert err == ""


@pytest.mark.parametrize("kind", ["npy", "structured", "npz", "parquet"])
def test_fit_binary_formats(capsys, tmp_path, line_data, kind):
    x, y = line_data
    if kind == "npy":
        path, ycol, xcol = tmp_path / "d.npy", "1", "0"
        np.save(path, np.column_stack([x, y]))
    elif kind == "structured":
        path, ycol, xcol = tmp_path / "d.npy", "price", "size"
        table = np.zeros(len(x), dtype=[("size", "f8"), ("price", "f8")])
        table["size"], table["price"] = x, y
        np.save(path, table)
    elif kind == "npz":
        path, ycol, xcol = tmp_path / "d.npz", "price", "size"
        np.savez(path, size=x, price=y)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path, ycol, xcol = tmp_path / "d.parquet", "price", "size"
        pq.write_table(pa.table({"size": x, "price": y}), path)
    code, out, _ = _fit(capsys, path, "--y", ycol, "--x", xcol, "--json", *FAST)
    assert code == 0
    assert json.loads(out)["slope"] == pytest.approx(_lstsq(x, y)[1], abs=1e-8)


def test_several_x_columns(capsys, csv_file, line_data):
    # the noise column (0..6) makes FAST's 0.5 unstable: the rate read from the data
    code, out, err = _fit(capsys, csv_file, "--y", "price", "--json", "--learning-rate", "auto",
                          "--max-iter", "20000", "--tol", "1e-10")
    assert code == 0, err
    result = json.loads(out)
    assert result["x"] == ["size", "noise"] and result["converged"]
    x, y = line_data
    design = np.column_stack([np.ones_like(x), x, np.arange(len(x)) % 7])
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose([result["intercept"], *result["coef"]], expected, rtol=1e-8)
    assert result["diagnosis"].startswith("converged")


def test_history_csv(capsys, tmp_path, csv_file):
    saved = tmp_path / "h.csv"
    code, out, _ = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--json",
                        "--record-every", "10", "--history", saved, *FAST)
    assert code == 0
    lines = saved.read_text().splitlines()
    assert lines[0] == "iteration,b0,b1,cost"
    table = np.loadtxt(saved, delimiter=",", skiprows=1)
    result = json.loads(out)
    assert table[-1, 0] == result["n_iter"] and table[1, 0] == 10
    assert (table[-1, 1], table[-1, 2], table[-1, 3]) == (result["intercept"], result["slope"],
                                                          result["cost"])


def test_plot_dir(capsys, tmp_path, csv_file):
    folder = tmp_path / "pictures"
    code, _, _ = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--plot", folder, *FAST)
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "cost_contour.png", "cost_history.png", "cost_slice.png", "fit.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in folder.iterdir())


def test_progress_option(capsys, csv_file):
    code, _, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--progress",
                        "--max-iter", "50", "--tol", "none")
    assert code == 0 and "it/s" in err and "50/50" in err


def test_convergence_warning_is_one_line_on_stderr(capsys, csv_file):
    code, out, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--max-iter", "3")
    assert code == 0 and "max_iter reached after 3 iterations" in out
    assert err.startswith("gdfast fit: gradient descent stopped at max_iter=3")
    assert err.count("\n") == 1


def test_divergence_keeps_the_partial_result(capsys, tmp_path, csv_file):
    saved = tmp_path / "h.csv"
    code, out, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--json",
                          "--learning-rate", "5", "--max-iter", "100000", "--history", saved)
    assert code == 1
    assert json.loads(out)["status"] == "diverged"
    # the DivergenceWarning (before the first iteration), then the error
    warning, error = err.splitlines()
    assert warning.startswith("gdfast fit: learning_rate=5 will diverge on this data")
    assert error.startswith("gdfast fit: gradient descent diverged")
    assert np.isfinite(np.loadtxt(saved, delimiter=",", skiprows=1)).all()


def test_missing_file(capsys, tmp_path):
    _one_line_error(*_fit(capsys, tmp_path / "nope.csv")[::2],
                    "gdfast fit: error: ", "nope.csv: no such file")


def test_unknown_column_lists_the_columns(capsys, csv_file):
    code, _, err = _fit(capsys, csv_file, "--y", "cost")
    _one_line_error(code, err, "unknown column 'cost'; the columns are size, noise, price")


def test_non_numeric_cell_names_its_line(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,label,y\n1,a,2\n2,b,4\n3,c,six\n")
    code, _, err = _fit(capsys, path, "--y", "y", "--x", "x")
    _one_line_error(code, err, "bad.csv, line 4, column 'y': 'six' is not a number")
    # a text column nobody asked for is fine
    code, _, err = _fit(capsys, path, "--y", "x", "--x", "x")
    _one_line_error(code, err, "column 'x' is both y and x")


@pytest.mark.parametrize("text, fragment", [
    ("x,y\n1,2\n2\n", "line 3: expected 2 cells, got 1"),
    ("x,y\n1,2\n2,nan\n", "line 3, column 'y': a missing value ('nan'); drop such rows "
                          "with --dropna"),
    ("x,y\n1,2\n2,-inf\n", "line 3, column 'y': '-inf' is not a finite number"),
    ("x,y\n", "no data rows"),
    ("", "the file is empty"),
    ("x\n1\n", "need y and at least one x"),
])
def test_broken_csv(capsys, tmp_path, text, fragment):
    path = tmp_path / "broken.csv"
    path.write_text(text)
    _one_line_error(*_fit(capsys, path)[::2], fragment)


def test_non_numeric_npy_column(capsys, tmp_path):
    path = tmp_path / "d.npy"
    table = np.zeros(3, dtype=[("name", "U4"), ("y", "f8")])
    np.save(path, table)
    _one_line_error(*_fit(capsys, path)[::2], "column 'name' is not numeric")


def test_unknown_file_type(capsys, tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_text("")
    _one_line_error(*_fit(capsys, path)[::2], "unknown file type '.xlsx'")


@pytest.mark.parametrize("option, fragment", [
    (["--max-iter", "many"], "argument --max-iter: must be an integer, got 'many'"),
    (["--learning-rate", "-1"], "learning_rate must be > 0.0, got -1.0"),
    (["--learning-rate", "fast"], "learning_rate must be a real number, got 'fast'"),
    (["--tol", "small"], "argument --tol: must be a number or 'none'"),
    (["--cost", "mae"], "argument --cost: invalid choice: 'mae'"),
    (["--init", "0"], "init must be a pair of numbers (b0, b1), got 1 value"),
    (["--record-every", "-2"], "record_every must be >= 0, got -2"),
    (["--n-threads", "0"], "argument --n-threads: must be an integer >= 1, got 0"),
    (["--method", "exact"], "argument --method: invalid choice: 'exact'"),
])
def test_bad_option_values(capsys, csv_file, option, fragment):
    with pytest.raises(SystemExit) as exit_info:  # argparse's own errors exit here
        code, _, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", *option)
        raise SystemExit(code)
    err = err if "err" in locals() else capsys.readouterr().err
    _one_line_error(exit_info.value.code, err, fragment)


def test_errors_in_a_real_process_have_no_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n1,2\n2,oops\n")
    proc = subprocess.run([sys.executable, "-m", "gdfast", "fit", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"gdfast fit: error: {path}, line 3, column 'y': 'oops' is not a number\n"


def test_plot_without_matplotlib_is_an_error_before_the_fit(tmp_path, csv_file, run_python):
    code = ("import sys; sys.modules['matplotlib'] = None; from gdfast.cli import main; "
            f"sys.exit(main(['fit', {str(csv_file)!r}, '--plot', 'pics']))")
    proc = run_python(code)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ('gdfast fit: error: --plot: gdfast.plot needs matplotlib: '
                           'pip install "gdfast[plot]"\n')
    assert not (tmp_path / "pics").exists()


def test_ctrl_c_in_the_cli_prints_and_saves_the_partial_history(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, 20_000)
    np.savez(tmp_path / "d.npz", x=x, y=1.0 + 2.0 * x)
    child = subprocess.Popen(
        [sys.executable, "-m", "gdfast", "fit", "d.npz", "--tol", "none", "--max-iter",
         str(10**12), "--learning-rate", "1e-5", "--record-every", "5", "--progress",
         "--history", "h.csv", "--json"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        while b"gdfast.fit" not in seen:  # the bar is drawn: the fit has started
            chunk = child.stderr.read1(4096)
            assert chunk, "the child ended before its fit started"
            seen += chunk
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    err = (seen + err).decode()
    assert child.returncode == 130, err
    assert "gdfast fit: fit interrupted (Ctrl-C) at iteration" in err
    result = json.loads(out)
    assert result["status"] == "interrupted" and result["stopped_by"] == "interrupt"
    table = np.loadtxt(tmp_path / "h.csv", delimiter=",", skiprows=1)
    assert table[-1, 0] == result["n_iter"] and len(table) == result["history_rows"]
    np.testing.assert_array_equal(table[:-1, 0], np.arange(0, result["n_iter"], 5)[:len(table) - 1])


def test_bench_prints_a_table(capsys):
    assert main(["bench", "--sizes", "1000", "20000", "--iterations", "3", "--repeat", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["N", "gdfast", "NumPy", "loop", "speed-up"]
    assert [line.split()[0] for line in out[2:]] == ["1,000", "20,000"]
    # a ratio of two timings: its value depends on the machine and its load,
    # so only its form is checked (a finite number followed by "x")
    assert all(line.split()[-1].endswith("x") for line in out[2:])
    assert all(math.isfinite(float(line.split()[-1][:-1])) for line in out[2:])


def test_bench_is_bounded(capsys):
    _one_line_error(main(["bench", "--sizes", "100000000"]), capsys.readouterr().err,
                    "--sizes: at most 10000000 points")


@pytest.mark.parametrize("command", [[], ["fit"], ["demo"], ["bench"]])
def test_help_everywhere_with_examples(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "example" in capsys.readouterr().out


@pytest.mark.parametrize("extra, intercept", [
    (["--standardize", "--method", "stats", "--n-threads", "1"], True),
    (["--no-intercept", "--standardize"], False),
    (["--no-intercept", "--method", "stats"], False),
])
def test_every_fit_option_reaches_fit(capsys, csv_file, line_data, extra, intercept):
    # fit's options beyond the first ones: standardize, no intercept, method, threads
    code, out, err = _fit(capsys, csv_file, "--y", "price", "--x", "size", "--json",
                          "--learning-rate", "auto", "--max-iter", "20000", "--tol", "1e-10",
                          *extra)
    assert code == 0, err
    result = json.loads(out)
    x, y = line_data
    design = np.column_stack([np.ones_like(x), x]) if intercept else x[:, None]
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    got = [result["intercept"], *result["coef"]] if intercept else result["coef"]
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    if not intercept:
        assert result["intercept"] == 0.0


# ---------------------------------------------------------------------------
# Exit codes, --version, --help, and outputs checked before the fit (issues 17, 18)
# ---------------------------------------------------------------------------
@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder that exists and where no file can be made, whoever runs the tests: a
    read-only folder, or for root (whom permissions do not stop) sysfs's top folder."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()
    for candidate in ("/sys", "/proc"):
        try:
            (Path(candidate) / "gdfast-probe").touch()
        except OSError:
            return Path(candidate)
    pytest.fail("no folder here refuses new files, not even /sys or /proc")


@pytest.fixture
def fit_must_not_run(monkeypatch):
    from gdfast.cli import _fit as _cli_fit

    def fail(*args, **kwargs):
        raise AssertionError("the fit ran before the outputs were checked")
    monkeypatch.setattr(_cli_fit, "fit", fail)


def test_version_is_the_installed_distributions(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"gdfast {version('gdfast')}\n"


@pytest.mark.parametrize("command", ["fit", "demo", "bench"])
def test_help_shows_every_default(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    options = text.split("\noptions:\n", 1)[1].split("\nexamples:\n", 1)[0]
    blocks = [block for block in re.split(r"\n(?=  -)", options) if block.strip().startswith("-")]
    assert len(blocks) >= 4
    for block in blocks:
        if not block.strip().startswith("-h, --help"):
            assert "default" in " ".join(block.split()), block


def test_help_shows_fits_own_defaults(capsys):
    import inspect

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    defaults = inspect.signature(gdfast.fit).parameters
    assert f"(default: {defaults['max_iter'].default})" in text
    assert f"(default: {defaults['learning_rate'].default!r})" in text
    assert "'auto'" in text


def test_exit_codes_are_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("0 done", "1 the fit diverged", "2 a bad option or a data file",
                  "3 an unexpected error inside gdfast, a bug", "130 interrupted by Ctrl-C"):
        assert words in text


def test_a_bug_exits_3_in_one_line_never_1(capsys, csv_file, monkeypatch):
    from gdfast.cli import _fit as _cli_fit

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")
    monkeypatch.setattr(_cli_fit, "fit", broken)
    code, out, err = _fit(capsys, csv_file)
    assert (code, out) == (3, "")
    assert err == ("gdfast fit: internal error (a bug in gdfast, please report it with the "
                   "command): RuntimeError: a bug over two lines\n")
    monkeypatch.setenv("GDFAST_TRACEBACK", "1")
    code, _, err = _fit(capsys, csv_file)
    assert code == 3 and "Traceback (most recent call last)" in err


def test_plot_folder_that_cannot_be_written_is_refused_before_the_fit(
        capsys, csv_file, unwritable_folder, fit_must_not_run):
    code, out, err = _fit(capsys, csv_file, "--plot", unwritable_folder)
    _one_line_error(code, err, f"gdfast fit: error: --plot {unwritable_folder}: cannot write in "
                               f"{unwritable_folder}: ")
    assert out == ""


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_plot_folder_that_cannot_be_a_folder(capsys, tmp_path, csv_file, fit_must_not_run,
                                             where):
    target = csv_file if where == "file" else csv_file / "pictures"
    code, _, err = _fit(capsys, csv_file, "--plot", target)
    _one_line_error(code, err, "exists and is not a folder" if where == "file" else
                    f"cannot make it: {csv_file} is not a folder")


def test_history_never_overwrites_the_input_file(capsys, tmp_path, csv_file, fit_must_not_run):
    before = csv_file.read_bytes()
    (tmp_path / "link.csv").symlink_to(csv_file)
    for spelling in (csv_file, tmp_path / "." / "houses.csv", tmp_path / "link.csv"):
        code, _, err = _fit(capsys, csv_file, "--history", spelling)
        _one_line_error(code, err, "is the input file; give another name")
    assert csv_file.read_bytes() == before


def test_history_that_cannot_be_written_is_refused_before_the_fit(
        capsys, tmp_path, csv_file, unwritable_folder, fit_must_not_run):
    for target, fragment in [(unwritable_folder / "h.csv", "cannot write in"),
                             (tmp_path / "no" / "h.csv", "no folder"),
                             (tmp_path, "is a folder; give a file name")]:
        code, _, err = _fit(capsys, csv_file, "--history", target)
        _one_line_error(code, err, f"--history {target}: {fragment}")


def test_one_point_and_one_iteration_are_singular(capsys, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("x,y\n1,2\n")
    code, out, _ = _fit(capsys, path, "--max-iter", "1", "--learning-rate", "0.01")
    assert code == 0
    assert out.startswith(f"{path}: 1 point, y = y, x = x\n")
    assert "max_iter reached after 1 iteration: cost" in out


def test_dropna_counts_the_rows_in_the_report(capsys, tmp_path, line_data):
    x, y = line_data
    lines = ["size,price"] + [f"{a!r},{b!r}" for a, b in zip(x.tolist(), y.tolist())]
    lines[5], lines[9] = lines[5].split(",")[0] + ",", "NA," + lines[9].split(",")[1]
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = _fit(capsys, path, *FAST)
    _one_line_error(code, err, "gaps.csv, line 6, column 'price': a missing value ('')")
    code, out, _ = _fit(capsys, path, "--dropna", *FAST)
    assert code == 0
    assert out.startswith(f"{path}: 198 points (2 rows with missing cells dropped), y = price")
    keep = np.ones(200, dtype=bool)
    keep[[4, 8]] = False
    b0, b1 = _lstsq(x[keep], y[keep])
    assert f"price = {b0:.6g} + {b1:.6g}*size" in out
    code, out, _ = _fit(capsys, path, "--dropna", "--json", *FAST)
    assert json.loads(out)["rows_dropped"] == 2


def test_csv_options_reach_the_reader(capsys, tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes("größe|preis\n1|3\n2|5\n3|7\n".encode("latin-1"))
    code, _, err = _fit(capsys, path)
    _one_line_error(code, err, "export.txt, line 1: not utf-8 text (byte 0xf6")
    code, out, err = _fit(capsys, path, "--encoding", "latin-1", "--delimiter", "|", "--json",
                          "--learning-rate", "auto", "--max-iter", "10000", "--tol", "1e-12")
    result = json.loads(out)
    assert (result["y"], result["x"]) == ("preis", ["größe"])
    assert result["intercept"] == pytest.approx(1.0) and result["slope"] == pytest.approx(2.0)
    code, out, _ = _fit(capsys, path, "--encoding", "latin-1", "--delimiter", "|",
                        "--no-header", "--json")
    assert code == 2  # the header is then data: 'größe' is not a number


@pytest.mark.parametrize("option, fragment", [
    (["--encoding", "klingon"], "argument --encoding: unknown encoding 'klingon'"),
    (["--delimiter", ";;"], "argument --delimiter: must be one character"),
    (["--delimiter", '"'], "argument --delimiter: must be one character"),
])
def test_bad_reading_options(capsys, csv_file, option, fragment):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", str(csv_file), *option])
    _one_line_error(exit_info.value.code, capsys.readouterr().err, fragment)


def test_csv_without_pyarrow_reads_the_same_numbers(tmp_path, csv_file, run_python):
    code = ("import sys; sys.modules['pyarrow'] = None; from gdfast.cli import main; "
            f"sys.exit(main(['fit', {str(csv_file)!r}, '--json', '--y', 'price']))")
    without = run_python(code)
    assert without.returncode == 0, without.stderr
    with_pyarrow = run_python(code.replace("sys.modules['pyarrow'] = None; ", ""))
    assert json.loads(without.stdout) == json.loads(with_pyarrow.stdout)


def test_a_closed_pipe_is_not_a_bug(tmp_path, csv_file):
    child = subprocess.Popen([sys.executable, "-m", "gdfast", "fit", str(csv_file), "--json"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # before it writes: like `gdfast fit ... | head -0`
    _, err = child.communicate(timeout=60)
    assert child.returncode == 141, err
    assert b"Traceback" not in err and b"internal error" not in err


def _run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gdfast", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "-1"], "argument --seed: must be an integer >= 0, got -1"),
    (["--n", "100000000"], "argument --n: must be an integer from 1 to 1000000"),
])
def test_demo_bad_options(tmp_path, args, fragment):
    proc = _run_cli("demo", "--no-plots", *args, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and fragment in proc.stderr


def test_demo_out_that_cannot_be_a_folder_is_refused_before_the_walk_through(
        tmp_path, unwritable_folder):
    (tmp_path / "notes.txt").write_text("")
    for out, fragment in [("notes.txt", "--out notes.txt: exists and is not a folder"),
                          ("notes.txt/pictures", "cannot make it: notes.txt is not a folder"),
                          (unwritable_folder, "cannot write in")]:
        proc = _run_cli("demo", "--n", "10", "--out", out, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr


def test_errors_from_fit_name_the_file(capsys, tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("x,y\n1,2\n1,3\n1,4\n")
    code, _, err = _fit(capsys, path, "--standardize")
    _one_line_error(code, err, f"gdfast fit: error: {path}: ", "constant")


def test_a_negative_coefficient_is_subtracted_in_the_printed_line(capsys, tmp_path):
    path = tmp_path / "down.csv"
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 50))
    y = 1.0 + 2.0 * a - 1.5 * b
    np.savetxt(path, np.column_stack([a, b, y]), delimiter=",", header="a,b,y", comments="")
    code, out, err = _fit(capsys, path, "--tol", "1e-12")
    assert code == 0, err
    b0, b1, b2 = np.linalg.lstsq(np.column_stack([np.ones(50), a, b]), y, rcond=None)[0]
    assert f"  y = {b0:.6g} + {b1:.6g}*a - {-b2:.6g}*b\n" in out, out
    assert "+ -" not in out
