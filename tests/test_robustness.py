"""Numerical robustness and no lost work (issue 8).

Extreme scales fit or raise the documented overflow error, float32 data keep
double accumulation at 10**7 points, a diverged or interrupted fit keeps its
whole history across kernel slices, and the regressions the property tests
found stay fixed.
"""
import signal
import warnings

import numpy as np
import pytest

import gdfast
from gdfast import _descent
from gdfast.cli import main


def _rows(history):
    return np.column_stack([history.iteration, history.intercept, history.coef, history.cost])


# --- inputs scaled by 1e+-150 ----------------------------------------------------------

def _scaled_data(ndim):
    rng = np.random.default_rng(11)
    if ndim == 1:
        x = rng.uniform(0.0, 2.0, 200)
        return x, 2.0 + 1.5 * x + rng.normal(0.0, 0.5, 200)
    x = rng.normal(size=(200, 2))
    return x, 1.0 + x @ [2.0, -1.0] + rng.normal(0.0, 0.3, 200)


SCALES = [(1e150, 1.0), (1.0, 1e150), (1e150, 1e150), (1e-150, 1.0), (1.0, 1e-150),
          (1e-150, 1e-150), (1e150, 1e-150)]


@pytest.mark.parametrize("x_scale, y_scale", SCALES)
@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("learning_rate, standardize",
                         [(0.01, False), ("auto", False), (0.01, True), ("auto", True)])
def test_scaled_inputs_fit_finitely_or_raise_the_overflow_error(x_scale, y_scale, ndim,
                                                                 learning_rate, standardize):
    x, y = _scaled_data(ndim)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = gdfast.fit(x * x_scale, y * y_scale, learning_rate=learning_rate,
                             standardize=standardize, max_iter=3000, tol=None)
        except gdfast.DivergenceError as err:
            # documented: warned first (the rate is above 2/lambda_max), then a
            # partial result that is all finite numbers
            res = err.result
            assert [w.category for w in caught] == [gdfast.DivergenceWarning]
            assert "diverged at iteration" in str(err) and res.diagnosis.startswith("diverged")
    assert all(np.isfinite([res.intercept, res.cost, res.gradient_norm, *res.coef]))
    assert np.all(np.isfinite(_rows(res.history)))
    assert not [w for w in caught if w.category not in (gdfast.DivergenceWarning,)]


@pytest.mark.parametrize("x_scale, y_scale", SCALES)
@pytest.mark.parametrize("ndim", [1, 2])
def test_standardized_auto_fit_is_scale_invariant(x_scale, y_scale, ndim):
    """The recommended recipe gives least squares at any scale: b scales by y_scale / x_scale."""
    x, y = _scaled_data(ndim)
    base = gdfast.fit(x, y, learning_rate="auto", standardize=True, max_iter=200, tol=None)
    res = gdfast.fit(x * x_scale, y * y_scale, learning_rate="auto", standardize=True,
                     max_iter=200, tol=None)
    np.testing.assert_allclose(res.coef, base.coef * (y_scale / x_scale), rtol=1e-9)
    np.testing.assert_allclose(res.intercept, base.intercept * y_scale, rtol=1e-9)
    np.testing.assert_allclose(res.cost, base.cost * y_scale ** 2, rtol=1e-9)


def test_squares_beyond_float64_are_a_divergence_error_never_an_inf_coefficient():
    x = np.array([0.0, 1e200, 2e200])
    with pytest.raises(gdfast.DivergenceError, match="starting point"):
        gdfast.fit(x, 2.0 * x, learning_rate=0.01)
    with pytest.raises(ValueError, match=r"^learning_rate='auto' cannot be worked out"):
        gdfast.fit(x, 2.0 * x, learning_rate="auto")
    with pytest.raises(ValueError, match=r"^standardize=True cannot scale column x\[:, 0\]"):
        gdfast.fit(x, 2.0 * x, standardize=True)


# --- float32 at 10**7 points -------------------------------------------------------------

@pytest.mark.parametrize("ndim", [1, 2])
def test_float32_at_1e7_points_is_accumulated_in_double(ndim):
    n = 10 ** 7
    rng = np.random.default_rng(5)
    x32 = rng.uniform(0.0, 2.0, n).astype(np.float32)
    y32 = (2.0 + 1.5 * x32 + rng.normal(0.0, 0.5, n)).astype(np.float32)
    if ndim == 2:
        x32 = x32[:, None]
    kw = dict(learning_rate=0.5, max_iter=8, tol=None, init=(0.0, -5.0))
    r32 = gdfast.fit(x32, y32, **kw)
    r64 = gdfast.fit(x32.astype(np.float64), y32.astype(np.float64), **kw)
    for field in ("intercept", "coef", "cost"):
        np.testing.assert_allclose(getattr(r32.history, field), getattr(r64.history, field),
                                   rtol=1e-6)
    # what the test guards against: the same sum accumulated in float32 is off
    # by far more than 1e-6 at this size
    r = (kw["init"][1] * x32.ravel() - y32).astype(np.float32)
    exact = float(np.sum(r, dtype=np.float64))
    in_float32 = float(np.cumsum(r, dtype=np.float32)[-1])
    assert abs(in_float32 - exact) > 1e-4 * abs(exact)


# --- divergence and interruption keep the whole history -----------------------------------

def _divergent(kind):
    """Data, fit keywords and a learning rate 1.3x the stability limit (slow divergence)."""
    rng = np.random.default_rng(8)
    x = rng.uniform(0.0, 2.0, 50)
    y = 2.0 + 1.5 * x
    kw = {}
    if kind == "features":
        x = np.column_stack([x, rng.normal(size=50)])
    elif kind == "no intercept":
        x = x[:, None]
        kw["fit_intercept"] = False
    elif kind == "standardize":
        x = np.column_stack([x, rng.normal(size=50)])
        kw["standardize"] = True
    limits = gdfast.learning_rate_limits(x, **kw)
    return x, y, dict(kw, learning_rate=1.3 * limits.max_stable, max_iter=10 ** 6, tol=None)


def _diverged(x, y, **kw):
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, **kw)
    return info.value.result


@pytest.mark.bitwise
@pytest.mark.parametrize("kind", ["line", "features", "no intercept", "standardize"])
@pytest.mark.parametrize("record_every", [1, 3, 0])
@pytest.mark.parametrize("slice_points, first_rows", [(None, None), (3, 2), (50 * 7, 4),
                                                      (50 * 64, 1)])
@pytest.mark.parametrize("ends_by", ["rising cost", "overflow"])
def test_divergence_keeps_every_row_across_slices(monkeypatch, kind, record_every, slice_points,
                                                  first_rows, ends_by):
    """Short slices and small history buffers (the last finite point often lies in an earlier
    slice than the first non-finite one) change nothing: the same rows as one long slice.
    Both ways a descent diverges: its cost doubles (the step stops it there), or, with that
    test off, its numbers overflow (it stops at the last finite point)."""
    if ends_by == "overflow":
        monkeypatch.setattr(_descent, "_RISE_FLOOR", np.inf)
    x, y, kw = _divergent(kind)
    whole = _diverged(x, y, record_every=record_every, **kw)
    if slice_points is not None:
        monkeypatch.setattr(_descent, "POINTS_PER_SLICE", slice_points)
        monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", first_rows)
    sliced = _diverged(x, y, record_every=record_every, **kw)
    # exact: the same operations on the same state, and each row converted to the units of
    # x once, elementwise, wherever the slices end
    np.testing.assert_array_equal(_rows(sliced.history), _rows(whole.history))
    h = sliced.history
    expected = [k for k in range(sliced.n_iter) if record_every and k % record_every == 0]
    assert h.iteration.tolist() == (expected or [0]) + [sliced.n_iter] * (
        expected[-1:] != [sliced.n_iter] if expected else sliced.n_iter > 0)
    assert np.all(np.isfinite(_rows(h)))
    if ends_by == "overflow":
        assert h.cost[-1] > 1e250
    else:
        assert h.cost[-1] > 2 * h.cost[0] and np.all(h.cost[1:-1] <= 2 * h.cost[0])


@pytest.mark.bitwise
@pytest.mark.parametrize("kind", ["line", "features", "no intercept", "standardize"])
@pytest.mark.parametrize("record_every", [3, 7])   # 0: tests/test_watch.py, test_features_watch.py
@pytest.mark.parametrize("at", [1, 9, 40])
def test_interruption_keeps_every_row_across_slices(monkeypatch, kind, record_every, at):
    """Ctrl-C at iteration ``at`` of a fit in short slices: the history of a fit of ``at``."""
    x, y, kw = _divergent(kind)
    kw["learning_rate"] /= 2.6                   # stable now: half the stability limit
    kw["max_iter"] = 2000
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 50 * 4)
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 2)

    def ctrl_c_at(step):
        if step.iteration >= at:
            signal.raise_signal(signal.SIGINT)
    with pytest.raises(gdfast.FitInterrupted) as info:
        gdfast.fit(x, y, record_every=1, callback=ctrl_c_at, **kw)
    stopped = info.value.result
    assert stopped.stopped_by == "interrupt" and stopped.n_iter >= at
    plain = gdfast.fit(x, y, **dict(kw, max_iter=stopped.n_iter))
    np.testing.assert_array_equal(_rows(stopped.history), _rows(plain.history))
    # and with record_every: the rows kept are those of the same fit, nothing lost
    with pytest.raises(gdfast.FitInterrupted) as info:
        gdfast.fit(x, y, record_every=record_every, callback=ctrl_c_at, **kw)
    stopped = info.value.result
    plain = gdfast.fit(x, y, record_every=record_every, **dict(kw, max_iter=stopped.n_iter))
    np.testing.assert_array_equal(_rows(stopped.history), _rows(plain.history))


# --- regressions found by the property tests ---------------------------------------------

def test_mse_limits_near_the_float64_limit_are_nan_without_a_numpy_warning():
    # (1/N) sum x**2 fits in float64, twice it (cost="mse") does not
    x = np.array([1.2e154, 1.2e154])
    limits = gdfast.learning_rate_limits(x, cost="mse")     # warnings are errors here
    assert np.isnan(limits.max_stable) and np.isnan(limits.optimal)
    with pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, [1.0, 2.0], learning_rate=1e300, cost="mse")
    assert info.value.result.diagnosis.startswith("diverged: the squares of x overflow")


def test_diagnosis_with_tol_zero_at_max_iter():
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], tol=0, max_iter=50,
                         learning_rate=0.01)
    assert "stopped at max_iter=50" in res.diagnosis and "never converge" in res.diagnosis


@pytest.mark.parametrize("tol", [1e-300, np.float32(1e-3)])
def test_diagnosis_when_tol_over_the_gradient_norm_underflows(tol):
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit([0.0, 0.0], [1e150, 1e150], tol=tol, max_iter=5, learning_rate=0.01)
    assert "stopped at max_iter=5" in res.diagnosis


def test_rate_of_a_learning_rate_near_the_float64_limit_is_inf_without_a_warning():
    limits = gdfast.learning_rate_limits([0.0, 1e100])
    assert limits.rate(1e300) == np.inf and limits.iterations(1e300) == np.inf


def test_cost_never_returns_nan():
    # terms beyond float64 that cancel: the cost is the exact one (x @ slope = [0, 3e10]),
    # whatever order, or fused multiply-adds, the compiled pass used
    x = np.array([[1e300, -1e300], [1.0, 2.0]])
    assert gdfast.cost(x, [0.0, 0.0], 0.0, [1e10, 1e10]) == pytest.approx(9e20 / 4, rel=1e-15)
    # terms beyond float64 even scaled by 2**-64, with both signs: refused
    with pytest.raises(ValueError, match=r"^slope: the line's value at x\[0\] cannot be computed"):
        gdfast.cost(x, [0.0, 0.0], 0.0, [1e300, 1e300])
    # one overflowing term is a true overflow of J: inf, as NumPy says
    assert gdfast.cost([1e300], [0.0], 0.0, 1e10) == np.inf


def test_standardize_with_a_starting_point_near_the_float64_limit():
    with pytest.raises(gdfast.DivergenceError, match="starting point"):
        gdfast.fit(np.array([0.0, 3.0]), [0.0, 0.0], standardize=True, init=[0.0, 1.7e308])


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_cli_empty_binary_file_is_a_one_line_error(capsys, tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert main(["fit", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read as" in err and "Traceback" not in err
