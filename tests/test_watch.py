"""fit(progress=..., callback=...) and Ctrl-C handled between kernel slices."""
import signal
import sys
import warnings

import numpy as np
import pytest

import gdfast
from gdfast import _descent


def _rows(history):
    return list(zip(history.iteration.tolist(), history.intercept.tolist(),
                    history.slope.tolist(), history.cost.tolist()))


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [1, 3, 0])
@pytest.mark.parametrize("points_per_slice", [None, 5])
def test_callback_sees_each_history_row_once(monkeypatch, line_data, record_every,
                                             points_per_slice):
    x, y = line_data
    if points_per_slice:
        monkeypatch.setattr(_descent, "POINTS_PER_SLICE", points_per_slice * len(x))
    steps = []
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=20, tol=None, record_every=record_every,
                     callback=steps.append)
    assert all(isinstance(s, gdfast.Step) for s in steps)
    # exact: the steps are the history's rows, and the fit without a callback runs the same
    # kernel operations on the same state, only in fewer slices
    assert [(s.iteration, s.intercept, s.slope, s.cost) for s in steps] == _rows(res.history)
    assert res.stopped_by is None
    plain = gdfast.fit(x, y, learning_rate=0.1, max_iter=20, tol=None, record_every=record_every)
    assert _rows(plain.history) == _rows(res.history)


@pytest.mark.parametrize("record_every", [1, 2])
def test_callback_returning_false_stops_at_that_row(line_data, oracle, record_every):
    x, y = line_data
    seen = []

    def stop_at_six(step):
        seen.append(step.iteration)
        return step.iteration < 6  # True goes on, False stops

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a stopped fit warns nothing
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=1000, record_every=record_every,
                         callback=stop_at_six)
    assert seen[-1] == 6
    assert res.stopped_by == "callback" and not res.converged
    assert res.n_iter == 6 and res.history.iteration[-1] == 6
    assert len(res.history) == len(seen)
    ref = oracle(x, y, 0.1, 6)
    assert res.slope == pytest.approx(ref[6, 2], rel=1e-12)
    assert res.cost == pytest.approx(ref[6, 3], rel=1e-12)
    r = res.intercept + res.slope * x - y
    assert res.gradient_norm == pytest.approx(np.hypot(r.mean(), (r * x).mean()), rel=1e-10)


def test_falsy_but_not_false_goes_on(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=30, tol=None, callback=lambda s: 0)
    assert res.n_iter == 30 and res.stopped_by is None


def test_callback_false_on_the_last_row_is_not_a_stop(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=5, tol=None, record_every=0,
                     callback=lambda s: s.iteration == 0)
    assert res.n_iter == 5 and res.stopped_by is None


def test_callback_error_propagates_and_restores_sigint(line_data):
    x, y = line_data

    def boom(step):
        if step.iteration == 3:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        gdfast.fit(x, y, learning_rate=0.1, max_iter=10, callback=boom)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _interrupt_at(iteration):
    def callback(step):
        if step.iteration == iteration:
            signal.raise_signal(signal.SIGINT)  # as if Ctrl-C came during the slice
    return callback


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [1, 4])
def test_sigint_raises_fit_interrupted_with_the_history(line_data, record_every):
    x, y = line_data
    with pytest.raises(gdfast.FitInterrupted, match="iteration 12 of 500") as info:
        gdfast.fit(x, y, learning_rate=0.1, max_iter=500, tol=None, record_every=record_every,
                   callback=_interrupt_at(12))
    assert isinstance(info.value, KeyboardInterrupt)
    res = info.value.result
    assert res.stopped_by == "interrupt" and res.n_iter == 12
    full = gdfast.fit(x, y, learning_rate=0.1, max_iter=12, tol=None, record_every=record_every)
    assert _rows(res.history) == _rows(full.history)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [0, 5])
def test_sigint_between_recorded_rows_reports_the_last_computed_point(monkeypatch, line_data,
                                                                     record_every):
    # Ctrl-C from another thread lands anywhere, mostly between rows: the
    # history still ends with the point the result reports (the last one
    # whose cost was computed), and no row before it is lost
    import os
    import threading

    x, y = line_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 7 * len(x))
    timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(gdfast.FitInterrupted) as info:
        # bounded: a missed Ctrl-C fails ("DID NOT RAISE") instead of hanging
        gdfast.fit(x, y, learning_rate=0.1, max_iter=10**7, tol=None, record_every=record_every)
    timer.join()
    res = info.value.result
    assert res.n_iter > 0 and res.history.iteration[-1] == res.n_iter
    full = gdfast.fit(x, y, learning_rate=0.1, max_iter=res.n_iter, tol=None,
                      record_every=record_every)
    assert _rows(res.history) == _rows(full.history)


def test_a_handler_the_user_installed_is_left_alone(line_data):
    x, y = line_data
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(True))
    try:
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None,
                         callback=_interrupt_at(10))
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert caught == [True]
    assert res.n_iter == 50 and res.stopped_by is None


@pytest.mark.bitwise
def test_progress_bar_shows_rate_and_cost(capsys, line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None, progress=True)
    err = capsys.readouterr().err
    assert "gdfast.fit" in err and "it/s" in err and "300/300" in err
    assert f"cost={res.cost:.6g}" in err
    plain = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None)
    assert _rows(plain.history) == _rows(res.history)


def test_progress_falls_back_to_a_plain_line(monkeypatch, capsys, line_data):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("gdfast.fit: iteration 300/300, ")
    assert "it/s" in err and f"cost {res.cost:.6g}" in err


def test_plain_bar_redraws_in_place_on_a_terminal():
    from gdfast._progress import PlainBar

    class Terminal:
        text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

        def isatty(self):
            return True

    term = Terminal()
    bar = PlainBar(100, stream=term, interval=0.0)
    bar.update(50, 2.5)
    bar.update(100, 1.25)
    bar.close()
    assert term.text.count("\r") == 3 and term.text.endswith("\n")
    assert "iteration 50/100" in term.text and "cost 1.25\r" in term.text


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_progress_must_be_a_bool(line_data, value):
    with pytest.raises(TypeError, match="progress must be True or False"):
        gdfast.fit(*line_data, progress=value)


def test_callback_must_be_callable(line_data):
    with pytest.raises(TypeError, match="callback must be a callable or None, got 3"):
        gdfast.fit(*line_data, callback=3)


@pytest.mark.parametrize("record_every", [1, 50])
def test_callback_memory_follows_rows_kept(line_data, record_every):
    # with a callback each slice ends after one row: its history buffer must
    # not be kept whole for that one row
    import tracemalloc

    x, y = line_data
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=3000, tol=None,
                         record_every=record_every, callback=lambda step: None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(res.history) == 3000 // record_every + 1
    assert peak < 100 * len(res.history) + 100_000


def test_fit_in_a_thread_leaves_signals_alone(line_data):
    # only the main thread may set signal handlers: elsewhere fit just runs
    import threading

    x, y = line_data
    results = []
    thread = threading.Thread(target=lambda: results.append(gdfast.fit(
        x, y, learning_rate=0.1, max_iter=100, tol=None, progress=True,
        callback=lambda step: None)))
    thread.start()
    thread.join()
    assert results[0].n_iter == 100
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_progress_accepts_numpy_bools(line_data):
    res = gdfast.fit(*line_data, max_iter=3, tol=None, progress=np.bool_(False))
    assert res.n_iter == 3


def test_step_takes_coef_when_the_history_has_it():
    from types import SimpleNamespace

    from gdfast._watch import _steps

    history = SimpleNamespace(iteration=np.array([0, 5]), intercept=np.array([1.0, 2.0]),
                              slope=None, cost=np.array([9.0, 4.0]),
                              coef=np.array([[1.0, 2.0], [3.0, 4.0]]))
    steps = list(_steps(_Rows(history)))
    assert [(s.iteration, s.intercept, s.slope, s.cost) for s in steps] == [
        (0, 1.0, None, 9.0), (5, 2.0, None, 4.0)]
    np.testing.assert_array_equal(steps[1].coef, [3.0, 4.0])


class _Rows:
    """A History as the multi-feature fit returns it (slope None, coef rows)."""

    def __init__(self, ns):
        self.__dict__.update(vars(ns))

    def __len__(self):
        return len(self.iteration)
