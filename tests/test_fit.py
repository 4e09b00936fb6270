"""gdfast.fit against the NumPy oracle, np.linalg.lstsq and its own contract."""
import warnings

import numpy as np
import pytest

import gdfast


@pytest.mark.parametrize("cost", ["half_mse", "mse"])
@pytest.mark.parametrize("init", [(0.0, 0.0), (0.0, -5.0), (3.0, 7.0)])
def test_whole_history_matches_numpy_oracle(line_data, oracle, cost, init):
    x, y = line_data
    ref = oracle(x, y, 0.1, 300, cost=cost, init=init)
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None, cost=cost, init=init)
    h = res.history
    np.testing.assert_array_equal(h.iteration, ref[:, 0])
    np.testing.assert_allclose(h.intercept, ref[:, 1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h.cost, ref[:, 3], rtol=1e-12)
    assert res.n_iter == 300
    assert (res.intercept, res.slope, res.cost) == (h.intercept[-1], h.slope[-1], h.cost[-1])


def test_history_longer_than_one_kernel_slice(line_data, oracle):
    # 3000 rows cross several history buffers of the kernel
    x, y = line_data
    ref = oracle(x, y, 0.05, 3000, init=(0.0, -5.0))
    h = gdfast.fit(x, y, learning_rate=0.05, max_iter=3000, tol=None, init=(0.0, -5.0)).history
    assert len(h) == 3001
    np.testing.assert_array_equal(h.iteration, np.arange(3001))
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)
    np.testing.assert_allclose(h.cost, ref[:, 3], rtol=1e-12)


def test_large_n_uses_pairwise_blocks_and_matches_oracle(oracle):
    # N spans many 2048-point blocks, and a ragged last block
    rng = np.random.default_rng(7)
    x = rng.normal(size=50_001)
    y = 1.0 - 2.0 * x + rng.normal(size=x.size)
    ref = oracle(x, y, 0.3, 20, init=(0.5, 0.5))
    h = gdfast.fit(x, y, learning_rate=0.3, max_iter=20, tol=None, init=(0.5, 0.5)).history
    np.testing.assert_allclose(h.intercept, ref[:, 1], rtol=1e-12)
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)
    np.testing.assert_allclose(h.cost, ref[:, 3], rtol=1e-12)


def test_updates_are_simultaneous():
    # One update from (0, 0) by hand.  Had b1 used the already-updated b0,
    # it would differ: the data are chosen so the two readings disagree.
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([2.0, 4.0, 7.0])
    alpha = 0.1
    res = gdfast.fit(x, y, learning_rate=alpha, max_iter=1, tol=None)
    r = 0.0 + 0.0 * x - y
    b0 = 0.0 - alpha * r.mean()
    b1 = 0.0 - alpha * (r * x).mean()
    r_after_b0 = b0 + 0.0 * x - y
    b1_sequential = 0.0 - alpha * (r_after_b0 * x).mean()
    assert abs(b1 - b1_sequential) > 0.05
    assert res.intercept == pytest.approx(b0, rel=1e-15)
    assert res.slope == pytest.approx(b1, rel=1e-15)


def test_mse_gradient_is_twice_half_mse(line_data):
    # the mse gradient carries 2/N: one step of alpha on mse equals one of 2*alpha on half_mse
    x, y = line_data
    a = gdfast.fit(x, y, learning_rate=0.05, max_iter=1, tol=None, cost="mse", init=(1, 1))
    b = gdfast.fit(x, y, learning_rate=0.10, max_iter=1, tol=None, cost="half_mse", init=(1, 1))
    assert a.intercept == pytest.approx(b.intercept, rel=1e-14)
    assert a.slope == pytest.approx(b.slope, rel=1e-14)
    assert a.history.cost[0] == pytest.approx(2 * b.history.cost[0], rel=1e-14)


def test_gradient_matches_finite_differences(line_data):
    # the gradient norm the kernel reports at the start is that of J
    x, y = line_data
    b0, b1, h = 0.3, -1.2, 1e-6
    for kind in ("half_mse", "mse"):
        J = lambda a, b: gdfast.cost(x, y, a, b, kind=kind)  # noqa: E731
        g0 = (J(b0 + h, b1) - J(b0 - h, b1)) / (2 * h)
        g1 = (J(b0, b1 + h) - J(b0, b1 - h)) / (2 * h)
        res = gdfast.fit(x, y, learning_rate=1e-3, max_iter=0, tol=None, cost=kind, init=(b0, b1))
        assert res.gradient_norm == pytest.approx(np.hypot(g0, g1), rel=1e-7)


@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_converges_to_least_squares(line_data, cost):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.3, max_iter=20_000, tol=1e-12, cost=cost,
                     init=(0.0, -5.0))
    A = np.column_stack([np.ones_like(x), x])
    (b0, b1), *_ = np.linalg.lstsq(A, y, rcond=None)
    assert res.converged
    assert res.gradient_norm <= 1e-12
    assert res.intercept == pytest.approx(b0, rel=1e-10)
    assert res.slope == pytest.approx(b1, rel=1e-10)


def test_cost_history_non_increasing_for_small_rate(line_data):
    x, y = line_data
    h = gdfast.fit(x, y, learning_rate=0.05, max_iter=2000, tol=None, init=(0.0, -5.0)).history
    assert np.all(np.diff(h.cost) <= 0)
    assert h.cost[-1] < 1e-2 * h.cost[0]


def test_result_types(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=5, tol=None)
    assert type(res.intercept) is float and type(res.slope) is float
    assert type(res.cost) is float and type(res.n_iter) is int
    assert res.converged is False
    assert res.history.intercept.dtype == np.float64
    assert res.history.iteration.dtype == np.int64


def test_convergence_stops_before_max_iter_at_the_documented_rule(line_data, oracle):
    x, y = line_data
    tol = 1e-3
    res = gdfast.fit(x, y, learning_rate=0.2, max_iter=10_000, tol=tol)
    assert res.converged and 0 < res.n_iter < 10_000
    # the rule: stop at the first k whose gradient norm is <= tol.  The oracle's norms
    # differ from the kernel's by rounding (1e-12 relative), and cross tol far from it
    # (0.4 % below at the stop, 3 % above the step before): the same k on any machine
    ref = oracle(x, y, 0.2, res.n_iter)
    grad_norms = []
    for _, b0, b1, _ in ref:
        r = b0 + b1 * x - y
        grad_norms.append(np.hypot(r.mean(), (r * x).mean()))
    assert grad_norms[-1] <= tol
    assert min(grad_norms[:-1]) > tol
    assert res.gradient_norm == pytest.approx(grad_norms[-1], rel=1e-9)


def test_max_iter_warns_with_gradient_norm(line_data):
    x, y = line_data
    with pytest.warns(gdfast.ConvergenceWarning, match=r"max_iter=3 .*gradient norm is [0-9.e+-]+"):
        res = gdfast.fit(x, y, learning_rate=0.01, max_iter=3, tol=1e-9)
    assert res.converged is False and res.n_iter == 3
    assert issubclass(gdfast.ConvergenceWarning, UserWarning)


def test_tol_none_runs_max_iter_silently(line_data):
    x, y = line_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None)
    assert res.n_iter == 50 and not res.converged


def test_max_iter_zero_returns_start(line_data):
    x, y = line_data
    with pytest.warns(gdfast.ConvergenceWarning):
        res = gdfast.fit(x, y, max_iter=0, init=(0.0, -5.0))
    assert (res.intercept, res.slope, res.n_iter) == (0.0, -5.0, 0)
    assert res.cost == pytest.approx(gdfast.cost(x, y, 0.0, -5.0, kind="half_mse"))
    assert len(res.history) == 1


@pytest.mark.parametrize("record_every, expected", [
    (1, list(range(11))),
    (3, [0, 3, 6, 9, 10]),
    (5, [0, 5, 10]),
    (0, [0, 10]),
    (100, [0, 10]),
])
def test_record_every(line_data, oracle, record_every, expected):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=10, tol=None, record_every=record_every)
    assert res.history.iteration.tolist() == expected
    ref = oracle(x, y, 0.1, 10)[expected]
    np.testing.assert_allclose(res.history.slope, ref[:, 2], rtol=1e-12)
    np.testing.assert_allclose(res.history.cost, ref[:, 3], rtol=1e-12)


def test_record_every_keeps_the_converged_iteration(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.2, max_iter=100_000, tol=1e-8, record_every=1000)
    it = res.history.iteration
    assert it[-1] == res.n_iter and res.converged
    assert np.all(it[1:-1] % 1000 == 0)


def test_history_memory_follows_rows_kept_not_max_iter(line_data):
    # converges in a few hundred iterations: the history must not be sized by max_iter
    import tracemalloc

    x, y = line_data
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, learning_rate=0.2, max_iter=10**9, tol=1e-8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.converged and res.n_iter < 5000
    assert peak < 64 * len(res.history) + 2_000_000


def test_history_memory_with_record_every_zero_is_constant(line_data):
    import tracemalloc

    x, y = line_data
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=200_000, tol=None, record_every=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(res.history) == 2
    assert peak < 100_000


# --- divergence ------------------------------------------------------------

@pytest.mark.parametrize("record_every", [1, 7, 0])
def test_divergence_raises_with_partial_history(line_data, oracle, record_every):
    x, y = line_data
    # 5.0 is above the stability limit 2/lambda_max: warned before the first iteration
    with pytest.warns(gdfast.DivergenceWarning, match=r"learning_rate=5 will diverge"), \
            pytest.raises(gdfast.DivergenceError,
                          match=r"diverged at iteration \d+ with learning_rate=5.*smaller") as info:
        gdfast.fit(x, y, learning_rate=5.0, max_iter=100_000, record_every=record_every,
                   init=(0.0, -5.0))
    err = info.value
    assert isinstance(err, FloatingPointError)
    res = err.result
    h = res.history
    assert not res.converged
    assert np.all(np.isfinite(h.cost)) and np.all(np.isfinite(h.slope))
    assert h.iteration[-1] == res.n_iter and res.slope == h.slope[-1]
    # above the stability limit the cost rises: the descent stops at the first
    # iteration whose cost is above twice the start's (issue 18), long before
    # the numbers overflow, and reports that point
    with np.errstate(over="ignore", invalid="ignore"):
        ref = oracle(x, y, 5.0, res.n_iter, init=(0.0, -5.0))
    start = ref[0, 3]
    assert ref[res.n_iter, 3] > 2 * start and np.all(ref[1:res.n_iter, 3] <= 2 * start)
    assert h.cost[-1] > 2 * h.cost[0]
    np.testing.assert_allclose(h.cost, ref[h.iteration, 3], rtol=1e-9)
    assert f"diverged at iteration {res.n_iter} " in str(err)
    assert "the cost rose" in str(err)


def test_divergence_by_overflow_stops_at_the_last_finite_point(oracle):
    # a start whose cost cannot double before it overflows: the descent stops
    # at the last point whose cost and parameters are finite numbers
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = 1.0 + 2.0 * x
    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, learning_rate=1e150, max_iter=100, init=(0.0, 1e100))
    res = info.value.result
    assert np.all(np.isfinite(res.history.cost)) and res.n_iter == res.history.iteration[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        ref = oracle(x, y, 1e150, res.n_iter + 1, init=(0.0, 1e100))
    assert np.isfinite(ref[res.n_iter, 3]) and not np.all(np.isfinite(ref[res.n_iter + 1]))
    assert f"diverged at iteration {res.n_iter + 1} " in str(info.value)
    assert "stopped being finite" in str(info.value)


def test_divergence_at_the_starting_point():
    # squared residuals overflow float64 at once
    with pytest.raises(gdfast.DivergenceError, match="starting point") as info:
        gdfast.fit([0.0, 1.0], [1e200, 2e200])
    assert len(info.value.result.history) == 0


# --- dtypes and copies -------------------------------------------------------

def test_float32_agrees_with_float64(line_data):
    x, y = line_data
    kw = dict(learning_rate=0.1, max_iter=500, tol=None, init=(0.0, -5.0))
    r64 = gdfast.fit(x, y, **kw)
    r32 = gdfast.fit(x.astype(np.float32), y.astype(np.float32), **kw)
    np.testing.assert_allclose(r32.history.slope, r64.history.slope, rtol=1e-5)
    np.testing.assert_allclose(r32.history.cost, r64.history.cost, rtol=1e-5)
    assert type(r32.slope) is float


def test_float32_data_is_accumulated_in_double(line_data, oracle):
    # float32 data with its values read exactly in float64 gives the float64 answer
    x, y = (a.astype(np.float32) for a in line_data)
    ref = oracle(x.astype(np.float64), y.astype(np.float64), 0.1, 100)
    h = gdfast.fit(x, y, learning_rate=0.1, max_iter=100, tol=None).history
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)
    np.testing.assert_allclose(h.cost, ref[:, 3], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.float16, bool])
def test_other_real_dtypes_become_float64(dtype, oracle):
    x = np.array([0, 1, 1, 0, 1], dtype=dtype)
    y = np.array([1, 1, 0, 1, 1], dtype=dtype)
    ref = oracle(x.astype(np.float64), y.astype(np.float64), 0.1, 10)
    h = gdfast.fit(x, y, learning_rate=0.1, max_iter=10, tol=None).history
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)


def test_lists_are_accepted(oracle):
    res = gdfast.fit([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0], learning_rate=0.1, max_iter=10, tol=None)
    ref = oracle([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0], 0.1, 10)
    assert res.slope == pytest.approx(ref[-1, 2], rel=1e-12)


def test_non_contiguous_views_work(line_data, oracle):
    x, y = line_data
    xs, ys = x[::2], y[::2]
    assert not xs.flags.c_contiguous
    ref = oracle(xs, ys, 0.1, 50)
    h = gdfast.fit(xs, ys, learning_rate=0.1, max_iter=50, tol=None).history
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)


def test_big_endian_input_works(line_data, oracle):
    x, y = line_data
    xb, yb = x.astype(">f8"), y.astype(">f8")
    ref = oracle(x, y, 0.1, 20)
    h = gdfast.fit(xb, yb, learning_rate=0.1, max_iter=20, tol=None).history
    np.testing.assert_allclose(h.slope, ref[:, 2], rtol=1e-12)


def test_single_point():
    # one point: the line through it is not unique, but the descent is well defined
    res = gdfast.fit([2.0], [3.0], learning_rate=0.1, max_iter=10_000, tol=1e-12)
    assert res.converged
    assert res.intercept + 2.0 * res.slope == pytest.approx(3.0, rel=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_only_input_is_not_copied(dtype):
    import tracemalloc

    from gdfast._validate import check_xy

    rng = np.random.default_rng(0)
    x = rng.normal(size=1_000_000).astype(dtype)
    y = (1.0 + x).astype(dtype)
    x.flags.writeable = False
    y.flags.writeable = False
    cx, cy = check_xy(x, y)
    assert cx is x and cy is y
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, learning_rate=0.5, max_iter=10, tol=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 4  # a copy of x alone would be x.nbytes
    assert np.isfinite(res.slope)


@pytest.mark.bitwise
@pytest.mark.parametrize("record_every", [1, 3, 0])
@pytest.mark.parametrize("iterations_per_slice", [1, 2, 5])
def test_short_kernel_slices_change_nothing(monkeypatch, line_data, oracle, record_every,
                                            iterations_per_slice):
    # the kernel returns every few iterations; history, result and divergence
    # reporting must not depend on where the slices end
    from gdfast import _descent

    x, y = line_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", iterations_per_slice * len(x))
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=40, tol=None, record_every=record_every)
    expected = [k for k in range(41) if k == 40 or (record_every and k % record_every == 0)]
    expected = expected if record_every else [0, 40]
    assert res.history.iteration.tolist() == expected
    ref = oracle(x, y, 0.1, 40)
    np.testing.assert_allclose(res.history.slope, ref[expected, 2], rtol=1e-12)

    with pytest.warns(gdfast.DivergenceWarning), pytest.raises(gdfast.DivergenceError) as info:
        gdfast.fit(x, y, learning_rate=5.0, max_iter=10**6, record_every=record_every,
                   init=(0.0, -5.0))
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 1 << 24)
    with pytest.warns(gdfast.DivergenceWarning), \
            pytest.raises(gdfast.DivergenceError) as one_slice:
        gdfast.fit(x, y, learning_rate=5.0, max_iter=10**6, record_every=record_every,
                   init=(0.0, -5.0))
    full = one_slice.value.result.history
    part = info.value.result.history
    # exact: the same kernel makes the same operations on the same state, wherever the
    # slices end
    np.testing.assert_array_equal(part.iteration, full.iteration)
    np.testing.assert_array_equal(part.cost, full.cost)


# --- defaults that work, predict, a readable repr (issue 18) -------------------------------

def test_auto_and_a_large_max_iter_are_the_defaults_everywhere():
    import inspect

    import gdfast.dask

    for function in (gdfast.fit, gdfast.fit_stream, gdfast.fit_statistics, gdfast.dask.fit):
        parameters = inspect.signature(function).parameters
        assert parameters["learning_rate"].default == "auto", function
        assert parameters["max_iter"].default == 100_000, function
    assert gdfast.GDRegressor().get_params()["max_iter"] == 100_000


def test_defaults_converge_on_the_demo_data():
    # at learning_rate=0.01, max_iter=1000 (the old defaults) this data stopped unconverged
    from gdfast.cli._demo import make_points

    x, y = make_points(100, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gdfast.fit(x, y)
    assert res.converged and res.n_iter < 1000
    np.testing.assert_allclose([res.intercept, res.slope], np.polyfit(x, y, 1)[::-1],
                               rtol=1e-6)


def test_defaults_converge_on_standardized_real_data(cars_like):
    # the defaults' budget: at "auto" about kappa/2 * ln(1/r) iterations shrink the
    # gradient r times; diabetes standardized has kappa ~ 470 and needs ~4300 iterations
    from sklearn.datasets import load_diabetes

    for x, y in (cars_like, load_diabetes(return_X_y=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = gdfast.fit(x, y, standardize=True)
        assert res.converged
        ref, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), x]), y, rcond=None)
        np.testing.assert_allclose(np.r_[res.intercept, res.coef], ref, rtol=1e-6, atol=1e-6)


def test_predict_is_the_fitted_line(feature_data, line_data):
    x, y = line_data
    res = gdfast.fit(x, y, tol=1e-10)
    points = np.array([-1.0, 0.5, 3.0])
    np.testing.assert_allclose(res.predict(points), res.intercept + res.slope * points,
                               rtol=1e-15)
    np.testing.assert_array_equal(res.predict(points[:, None]), res.predict(points))
    np.testing.assert_array_equal(res.predict(points.tolist()), res.predict(points))
    assert res.predict(np.empty(0)).shape == (0,)
    x3, y3 = feature_data
    res3 = gdfast.fit(x3, y3, tol=1e-10)
    np.testing.assert_allclose(res3.predict(x3[:7]), res3.intercept + x3[:7] @ res3.coef,
                               rtol=1e-14)
    assert res3.predict(x3[:7].astype(np.float32)).dtype == np.float64


@pytest.mark.parametrize("points, exc, match", [
    (np.ones(3), ValueError, r"^x must be a 2-D array \(N, 3\) of points for a fit of 3 "
                             r"features, got shape \(3,\); one point is x.reshape\(1, -1\)"),
    (np.ones((4, 2)), ValueError, r"^x has 2 columns, but the fit has 3 features: x must have "
                                  r"shape \(N, 3\)"),
    (np.ones((2, 3, 1)), ValueError, r"^x must be a 2-D array \(N, 3\)"),
    (5.0, ValueError, r"got a scalar"),
    (np.array([[1.0, np.nan, 0.0]]), ValueError, r"^x must be finite, but x\[0, 1\] is nan"),
    (np.array([["a", "b", "c"]]), TypeError, r"^x must hold real numbers"),
    (np.ma.array(np.ones((2, 3)), mask=[[0, 0, 1], [0, 0, 0]]), ValueError,
     r"^x is a masked array with 1 masked value"),
])
def test_predict_checks_x_as_fit_does(feature_data, points, exc, match):
    res = gdfast.fit(*feature_data, max_iter=3, tol=None)
    with pytest.raises(exc, match=match):
        res.predict(points)


def test_predict_on_one_feature_refuses_other_shapes(line_data):
    res = gdfast.fit(*line_data, max_iter=3, tol=None)
    with pytest.raises(ValueError, match=r"^x has 2 columns, but the fit has 1 feature: x must "
                                         r"have shape \(N, 1\)"):
        res.predict(np.ones((3, 2)))


def test_repr_is_a_short_summary(line_data, feature_data):
    res = gdfast.fit(*line_data, tol=1e-9)
    assert repr(res) == (
        f"FitResult: y = {res.intercept:.6g} + {res.slope:.6g} * x\n"
        f"  converged in {res.n_iter} iterations: cost {res.cost:.6g}, gradient norm "
        f"{res.gradient_norm:.3g}, learning_rate {res.learning_rate:.6g}\n"
        f"  history of {len(res.history)} rows; .diagnosis says more")
    lines = repr(gdfast.fit(*feature_data, max_iter=1, tol=None, init=[0.5, 1.0, -2.0, 0.0]))
    assert lines.splitlines()[0].startswith("FitResult: y = ")
    assert " - " in lines.splitlines()[0] and "* x3" in lines.splitlines()[0]
    assert "not converged after 1 iteration:" in lines and "history of 2 rows" in lines
    wide = gdfast.fit(np.eye(12), np.arange(12.0), max_iter=0, tol=None, fit_intercept=False)
    assert "coef = [" in repr(wide) and "(12 features)" in repr(wide)
    assert all(len(line) <= 100 for line in repr(wide).splitlines())
    stopped = gdfast.fit(*line_data, callback=lambda step: False)
    assert "stopped by the callback after 0 iterations" in repr(stopped)


@pytest.mark.parametrize("d", [1, 3])
def test_a_pickled_result_never_carries_the_data(d):
    """The diagnosis, unread at pickling, is worked out then: the pickle holds its words,
    not the curvature's source of sums (the user's data)."""
    import pickle

    rng = np.random.default_rng(4)
    n = 200_000   # 1.6 MB a column: far more than a pickle of the result may hold
    x = rng.normal(size=(n, d)) if d > 1 else rng.normal(size=n)
    y = 1.0 + (x @ np.arange(1.0, d + 1) if d > 1 else 2.0 * x) + rng.normal(size=n)
    # a fixed rate below the limit, so the limits (and the diagnosis) are not worked out
    res = gdfast.fit(x, y, learning_rate=0.05, max_iter=50, tol=None)
    assert "diagnosis" not in vars(res)   # not read yet: its recipe holds the data
    data = pickle.dumps(res)
    history_bytes = sum(a.nbytes for a in (res.history.iteration, res.history.intercept,
                                           res.history.cost, res.history.coef))
    assert len(data) < history_bytes + 4096, (len(data), history_bytes)
    assert b"_sums" not in data and b"Curvature" not in data
    back = pickle.loads(data)
    assert back.diagnosis == gdfast.fit(x, y, learning_rate=0.05, max_iter=50,
                                        tol=None).diagnosis
    np.testing.assert_array_equal(back.history.cost, res.history.cost)
    assert (back.intercept, back.n_iter) == (res.intercept, res.n_iter)
    np.testing.assert_array_equal(back.coef, res.coef)
