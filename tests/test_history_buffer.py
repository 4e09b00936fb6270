"""The history of a fit: record_every="auto", memory, and nothing lost on MemoryError,
Ctrl-C or a callback's exception (gdfast._history_buffer and fit's slice loop)."""
import inspect
import os
import signal
import sys
import threading
import tracemalloc

import numpy as np
import pytest

import gdfast
from gdfast import _descent, _history_buffer
from gdfast._history_buffer import HistoryBuffer


def _rows(history):
    """(iteration, intercept, coef..., cost) rows, for exact comparisons."""
    return np.column_stack([history.iteration, history.intercept, history.coef, history.cost])


def _auto_iterations(n_iter, auto_rows):
    """The iterations "auto" keeps, worked out from its definition: the smallest stride
    s = 2**j whose rows 0, s, 2s, ... up to the last iteration fit in ``auto_rows``
    (as the last buffer of auto_rows rows held them), and the last iteration."""
    stride = 1
    while (auto_rows - 1) * stride < n_iter:
        stride *= 2
    kept = list(range(0, n_iter + 1, stride))
    return kept + ([n_iter] if kept[-1] != n_iter else [])


def _data(kind):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 2.0, 40)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.3, 40)
    kw = dict(learning_rate=0.2, tol=None)
    if kind == "features":
        x = np.column_stack([x, rng.normal(size=40)])
    elif kind == "standardize":
        x = np.column_stack([x, rng.normal(size=40)])
        kw["standardize"] = True
    elif kind == "stats":
        kw["method"] = "stats"
    return x, y, kw


@pytest.fixture
def small_auto(monkeypatch):
    """record_every="auto" with 9 rows, and small first buffers: thinning happens early."""
    monkeypatch.setattr(_history_buffer, "AUTO_ROWS", 9)
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 2)
    return 9


# --- record_every="auto" ------------------------------------------------------------------

def test_auto_is_the_default_everywhere_record_every_is():
    import gdfast.dask
    from gdfast import estimator

    for f in (gdfast.fit, gdfast.fit_stream, gdfast.fit_statistics, gdfast.dask.fit,
              estimator.GDRegressor):
        assert inspect.signature(f).parameters["record_every"].default == "auto", f


@pytest.mark.parametrize("kind", ["line", "features", "standardize", "stats"])
def test_auto_keeps_every_iteration_of_a_fit_under_the_cap(kind):
    x, y, kw = _data(kind)
    for max_iter in (0, 1, 500, _history_buffer.AUTO_ROWS - 1):
        auto = gdfast.fit(x, y, max_iter=max_iter, **kw)
        every = gdfast.fit(x, y, max_iter=max_iter, record_every=1, **kw)
        assert auto.history.iteration.tolist() == list(range(max_iter + 1))
        np.testing.assert_array_equal(_rows(auto.history), _rows(every.history))


@pytest.mark.parametrize("kind", ["line", "features", "standardize", "stats"])
@pytest.mark.parametrize("slice_points", [None, 3])
def test_auto_thins_by_half_and_doubles_the_stride(monkeypatch, small_auto, kind, slice_points):
    x, y, kw = _data(kind)
    if slice_points:   # a few iterations per slice: thinning between any two slices
        monkeypatch.setattr(_descent, "POINTS_PER_SLICE", slice_points)
    every = gdfast.fit(x, y, max_iter=300, record_every=1, **kw)
    for max_iter in (7, 8, 9, 16, 17, 100, 257, 300):
        auto = gdfast.fit(x, y, max_iter=max_iter, **kw)
        kept = _auto_iterations(max_iter, small_auto)
        assert auto.history.iteration.tolist() == kept
        assert len(auto.history) <= small_auto + 1
        # the same rows as the fit that kept them all, bit for bit
        np.testing.assert_array_equal(_rows(auto.history), _rows(every.history)[kept])
        assert (auto.intercept, auto.cost, auto.n_iter) == (
            every.history.intercept[max_iter], every.history.cost[max_iter], max_iter)


def test_auto_at_its_real_size_spreads_rows_over_a_long_fit():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    res = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.05, max_iter=10**6, tol=None)
    kept = _auto_iterations(10**6, _history_buffer.AUTO_ROWS)
    assert kept[1] == 16 and len(kept) == 62_501
    np.testing.assert_array_equal(res.history.iteration, kept)
    sampled = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.05, max_iter=10**6, tol=None,
                         record_every=16)
    np.testing.assert_array_equal(_rows(res.history), _rows(sampled.history))


@pytest.mark.parametrize("kind", ["line", "features"])
def test_auto_callback_sees_each_row_as_recorded_at_the_stride_of_the_moment(small_auto, kind):
    x, y, kw = _data(kind)
    steps = []
    res = gdfast.fit(x, y, max_iter=100, callback=steps.append, **kw)
    # stride 1 until 9 rows, then 2 (rows 0, 2, .., 8 kept), 4, 8, 16; the last row
    seen = list(range(9)) + [10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 100]
    assert [s.iteration for s in steps] == seen
    every = gdfast.fit(x, y, max_iter=100, record_every=1, **kw)
    np.testing.assert_array_equal(
        [[s.iteration, s.intercept, *np.atleast_1d(s.coef if s.coef is not None else s.slope),
          s.cost] for s in steps], _rows(every.history)[seen])
    assert res.history.iteration.tolist() == _auto_iterations(100, small_auto)


def _diverging(kind, x, record_every, learning_rate):
    kw = dict(learning_rate=learning_rate, max_iter=10**6, tol=None, record_every=record_every)
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, _data(kind)[1], **kw)
    return info.value.result


@pytest.mark.parametrize("kind", ["line", "features"])
def test_auto_divergence_ends_with_the_last_finite_point(monkeypatch, kind):
    # the divergence that ends where the numbers stop being finite (the step's
    # test of a doubled cost off), whose last row is the one before the end
    monkeypatch.setattr(_descent, "_RISE_FLOOR", np.inf)
    x = _data(kind)[0]
    rate = 1.5 * gdfast.learning_rate_limits(x).max_stable
    last = _diverging(kind, x, 0, rate).n_iter
    while last % 2:       # an even last finite iteration L: see auto_rows = L + 1 below
        rate *= 1.01
        last = _diverging(kind, x, 0, rate).n_iter
    every = _diverging(kind, x, 1, rate)
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 2)
    # L + 1 rows: the buffer is full with row L, and the first non-finite
    # iteration comes right after the thinning; the last finite row is kept
    for auto_rows in (3, 5, 9, 17, 33, last + 1):
        monkeypatch.setattr(_history_buffer, "AUTO_ROWS", auto_rows)
        auto = _diverging(kind, x, "auto", rate)
        kept = auto.history.iteration
        assert kept[-1] == every.n_iter == auto.n_iter == last
        assert len(kept) <= auto_rows + 1
        stride = kept[1] - kept[0]
        assert stride & (stride - 1) == 0            # a power of two
        assert np.all(kept[:-1] % stride == 0) and np.all(np.diff(kept[:-1]) == stride)
        np.testing.assert_array_equal(_rows(auto.history), _rows(every.history)[kept])
    assert kept.tolist() == list(range(0, last + 1, 2))


# --- memory -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["line", "features"])
def test_history_peak_memory_is_its_final_size(kind):
    x, y, kw = _data(kind)
    max_iter = 10**6                 # 32 MB (one feature) and 40 MB (two) of history
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, max_iter=max_iter, record_every=1, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    h = res.history
    d = h.coef.shape[1]
    final = len(h) * (d + 2) * 8 + len(h) * 8         # the docstring's rows x (d + 2) x 8 + 8
    assert final > 15e6
    # the fields are views of one buffer of rows, and the iterations one array
    assert h.intercept.base is h.cost.base is h.coef.base
    assert h.cost.base.nbytes + h.iteration.nbytes == final
    assert peak <= 1.1 * final + 2_000_000


def test_auto_history_memory_is_bounded_whatever_max_iter():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    tracemalloc.start()
    try:
        res = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.05, max_iter=3 * 10**6, tol=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(res.history) <= _history_buffer.AUTO_ROWS + 1
    # (rows + 1) x (d + 2) x 8 + 8 per row: 3.2 MB for one feature
    assert peak <= (_history_buffer.AUTO_ROWS + 1) * (3 * 8 + 8) * 1.1 + 1_000_000


def test_buffer_grows_in_place_and_keeps_its_rows():
    buffer = HistoryBuffer(3, 1, 10**6, 4)
    written = 0
    while written < 50_000:
        rows, iterations = buffer.free()
        n = min(len(rows), 7_000)
        rows[:n] = np.arange(written, written + n)[:, None] * [1.0, 2.0, 3.0]
        iterations[:n] = np.arange(written, written + n)
        del rows, iterations
        buffer.add(n)
        written += n
        buffer.make_room()
    assert buffer.capacity <= 1.1 * written + 4096
    rows, iterations = buffer.finish()
    assert rows.shape == (written, 3) and rows.flags.owndata and iterations.flags.owndata
    np.testing.assert_array_equal(iterations, np.arange(written))
    np.testing.assert_array_equal(rows, np.arange(written)[:, None] * [1.0, 2.0, 3.0])


def test_buffer_held_by_a_view_is_copied_not_invalidated():
    buffer = HistoryBuffer(2, 1, 10**6, 8)
    rows, iterations = buffer.free()
    rows[:] = np.arange(16).reshape(8, 2)
    iterations[:] = np.arange(8)
    buffer.add(8)
    held = buffer.rows[:8]          # someone keeps a view of the buffer
    buffer.make_room()
    assert buffer.capacity > 8
    np.testing.assert_array_equal(held, np.arange(16).reshape(8, 2))
    np.testing.assert_array_equal(buffer.rows[:8], held)
    rows, _ = buffer.finish()
    np.testing.assert_array_equal(rows, held)


def test_callback_keeping_every_step_does_not_tie_the_buffer():
    # each Step's coef is its own array, not a view of the (growing) buffer
    x, y, kw = _data("features")
    steps = []
    res = gdfast.fit(x, y, max_iter=20_000, record_every=1, callback=steps.append, **kw)
    assert len(steps) == len(res.history) == 20_001
    np.testing.assert_array_equal(np.array([s.coef for s in steps]), res.history.coef)
    assert all(s.coef.base is None for s in steps[::1000])


# --- running out of memory ----------------------------------------------------------------

def _failing_after(monkeypatch, n_calls):
    """HistoryBuffer._resize raises MemoryError from its (n_calls + 1)-th growth on."""
    real = HistoryBuffer._resize
    calls = []

    def resize(self, n_rows):
        calls.append(n_rows)
        if len(calls) > n_calls:
            raise MemoryError("cannot allocate array memory (simulated)")
        return real(self, n_rows)

    monkeypatch.setattr(HistoryBuffer, "_resize", resize)


@pytest.mark.parametrize("kind", ["line", "features", "standardize", "stats"])
@pytest.mark.parametrize("n_calls", [0, 3])
def test_out_of_memory_keeps_the_rows_and_raises_with_the_result(monkeypatch, kind, n_calls):
    x, y, kw = _data(kind)
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 16)
    _failing_after(monkeypatch, n_calls)
    with pytest.raises(gdfast.HistoryMemoryError, match="out of memory for the history") as info:
        gdfast.fit(x, y, max_iter=10**5, record_every=1, **kw)
    err = info.value
    assert isinstance(err, MemoryError) and isinstance(err.__cause__, MemoryError)
    res = err.result
    assert res.stopped_by == "memory" and not res.converged
    assert "ran out of memory" in res.diagnosis
    monkeypatch.undo()
    whole = gdfast.fit(x, y, max_iter=res.n_iter, record_every=1, **kw)
    assert res.n_iter > 0 and len(res.history) == res.n_iter + 1
    np.testing.assert_array_equal(_rows(res.history), _rows(whole.history))
    assert (res.intercept, res.cost) == (whole.intercept, whole.cost)
    np.testing.assert_array_equal(res.coef, whole.coef)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_out_of_memory_with_a_stride_keeps_its_rows(monkeypatch):
    x, y, kw = _data("line")
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 16)
    _failing_after(monkeypatch, 2)
    with pytest.raises(gdfast.HistoryMemoryError) as info:
        gdfast.fit(x, y, max_iter=10**5, record_every=3, **kw)
    res = info.value.result
    monkeypatch.undo()
    whole = gdfast.fit(x, y, max_iter=res.n_iter, record_every=3, **kw)
    np.testing.assert_array_equal(_rows(res.history), _rows(whole.history))


# --- a callback's exception ---------------------------------------------------------------

class _Boom(Exception):
    pass


@pytest.mark.parametrize("record_every", [1, 4, "auto"])
@pytest.mark.parametrize("kind", ["line", "features"])
def test_callback_exception_propagates_unchanged_with_the_partial_result(kind, record_every):
    x, y, kw = _data(kind)
    boom = _Boom("from the callback")

    def callback(step):
        if step.iteration == 8:
            raise boom

    with pytest.raises(_Boom) as info:
        gdfast.fit(x, y, max_iter=1000, record_every=record_every, callback=callback, **kw)
    assert info.value is boom and type(info.value) is _Boom
    res = boom.gdfast_result
    assert res.stopped_by == "callback" and res.n_iter == 8 and not res.converged
    whole = gdfast.fit(x, y, max_iter=8, record_every=record_every, **kw)
    np.testing.assert_array_equal(_rows(res.history), _rows(whole.history))
    if sys.version_info >= (3, 11):
        assert any("gdfast_result" in note for note in boom.__notes__)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_callback_exception_on_the_last_row_gives_the_whole_result_and_no_warning(line_data):
    x, y = line_data

    def callback(step):
        if step.iteration == 30:
            raise KeyError("last")

    # tol is not reached at max_iter: a ConvergenceWarning here would be an error
    with pytest.raises(KeyError, match="last") as info:
        gdfast.fit(x, y, learning_rate=0.1, max_iter=30, callback=callback)
    res = info.value.gdfast_result
    assert res.n_iter == 30 and res.stopped_by is None and len(res.history) == 31


# --- Ctrl-C -------------------------------------------------------------------------------

def test_ctrl_c_on_tens_of_millions_of_rows_stops_within_a_slice(monkeypatch):
    """SIGINT from another thread once 1.2e7 rows are kept: back after one slice or two,
    with every row, and none copied."""
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = 1.0 + 2.0 * x
    real = HistoryBuffer.make_room
    at_signal = []
    big = threading.Event()

    def make_room(self):
        if self.filled >= 12_000_000 and not big.is_set():
            at_signal.append(self.filled)
            big.set()
        return real(self)

    def send():
        big.wait()
        if at_signal:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(HistoryBuffer, "make_room", make_room)
    sender = threading.Thread(target=send)
    sender.start()
    try:
        # bounded (1 GB of rows at most): a missed Ctrl-C fails, "DID NOT RAISE"
        with pytest.raises(gdfast.FitInterrupted) as info:
            gdfast.fit(x, y, learning_rate=0.05, max_iter=3 * 10**7, tol=None, record_every=1)
    finally:
        big.set()
        sender.join()
    res = info.value.result
    h = res.history
    # at most the slice in flight and the next: a slice is at most
    # _POINTS_PER_SLICE point-visits (4.2e6 iterations at N = 4)
    extra = len(h) - at_signal[0]
    assert 0 <= extra <= 2 * (_descent.POINTS_PER_SLICE // 4)
    assert res.stopped_by == "interrupt" and h.iteration[-1] == res.n_iter == len(h) - 1
    assert np.array_equal(h.iteration, np.arange(len(h)))
    assert h.intercept.base is h.cost.base          # the buffer itself, not a copy
    monkeypatch.undo()
    # the rows are those of the same fit: every millionth row, and its last point
    sampled = gdfast.fit(x, y, learning_rate=0.05, max_iter=res.n_iter, tol=None,
                         record_every=10**6)
    at = sampled.history.iteration
    np.testing.assert_array_equal(
        np.column_stack([h.iteration[at], h.intercept[at], h.slope[at], h.cost[at]]),
        _rows(sampled.history))


def test_ctrl_c_while_the_result_is_built_still_gives_fit_interrupted(monkeypatch, line_data):
    x, y = line_data
    real = _descent._history

    def history(*args):
        signal.raise_signal(signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(_descent, "_history", history)
    with pytest.raises(gdfast.FitInterrupted) as info:
        gdfast.fit(x, y, learning_rate=0.1, max_iter=100, tol=None, callback=lambda s: None)
    res = info.value.result
    assert res.n_iter == 100 and len(res.history) == 101 and res.stopped_by == "interrupt"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, error", [("Auto", TypeError), ("every", TypeError),
                                          (2.0, TypeError), (True, TypeError), (-1, ValueError)])
def test_record_every_is_auto_or_a_count(line_data, value, error):
    with pytest.raises(error, match="record_every must be"):
        gdfast.fit(*line_data, record_every=value)


def test_the_documented_cap_and_memory_are_the_real_ones():
    from pathlib import Path

    cap = _history_buffer.AUTO_ROWS + 1               # the spare row of a stopped fit
    rows = f"at most {cap:,} rows".replace(",", " ")
    memory = f"{cap * (3 * 8 + 8) / 1e6:.1f} MB for one feature"
    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide.md").read_text()
    for text in (guide, gdfast.fit.__doc__):
        text = " ".join(text.split())
        assert rows in text and memory in text


def test_command_line_record_every_is_auto_by_default_and_by_name(capsys, tmp_path, monkeypatch):
    import json

    from gdfast.cli import main

    monkeypatch.setattr(_history_buffer, "AUTO_ROWS", 9)
    path = tmp_path / "plain.csv"
    path.write_text("x,y\n0,1\n1,3\n2,5\n")
    rows = []
    for extra in ([], ["--record-every", "auto"], ["--record-every", "1"]):
        code = main(["fit", str(path), "--json", "--learning-rate", "0.1", "--max-iter", "100",
                     "--tol", "none", *extra])
        out, err = capsys.readouterr()
        assert code == 0 and err == ""
        rows.append(json.loads(out)["history_rows"])
    assert rows == [len(_auto_iterations(100, 9))] * 2 + [101]
