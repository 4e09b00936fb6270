"""gdfast.fit with several features: the NumPy oracle, np.linalg.lstsq, layouts, dtypes."""
import numpy as np
import pytest

import gdfast


def _design(x, fit_intercept=True):
    return np.column_stack([np.ones(len(x)), x]) if fit_intercept else x


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_whole_history_matches_numpy_oracle(feature_data, oracle_features, order, cost,
                                            fit_intercept, weighted):
    x, y = feature_data
    x = np.asarray(x, order=order)
    # sample weights: the oracle's weighted update rules, J = sum w r**2 / (2 sum w)
    w = np.random.default_rng(1).uniform(0.0, 3.0, size=len(y)) if weighted else None
    init = [0.5, -1.0, 2.0, 0.0] if fit_intercept else [-1.0, 2.0, 0.0]
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=200, tol=None, cost=cost, init=init,
                     fit_intercept=fit_intercept, sample_weight=w)
    ref = oracle_features(x, y, 0.1, 200, cost=cost,
                          init=init if fit_intercept else [0.0] + init,
                          fit_intercept=fit_intercept, sample_weight=w)
    h = res.history
    np.testing.assert_array_equal(h.iteration, ref[:, 0])
    np.testing.assert_allclose(h.intercept, ref[:, 1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h.coef, ref[:, 2:5], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h.cost, ref[:, 5], rtol=1e-12)
    assert h.coef.shape == (201, 3) and h.slope is None
    assert res.slope is None and res.coef.shape == (3,)
    np.testing.assert_array_equal(res.coef, h.coef[-1])
    assert (res.intercept, res.cost) == (h.intercept[-1], h.cost[-1])
    if not fit_intercept:
        assert np.all(h.intercept == 0.0)


def test_many_blocks_and_a_ragged_last_one(oracle_features):
    # N crosses several 256-row blocks of the kernel and ends mid-block
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1001, 2))
    y = 0.5 + x @ [1.0, -3.0] + rng.normal(size=1001)
    ref = oracle_features(x, y, 0.3, 30)
    for order in "CF":
        h = gdfast.fit(np.asarray(x, order=order), y, learning_rate=0.3, max_iter=30,
                       tol=None).history
        np.testing.assert_allclose(h.coef, ref[:, 2:4], rtol=1e-12)
        np.testing.assert_allclose(h.cost, ref[:, 4], rtol=1e-12)


def test_updates_are_simultaneous():
    # one update by hand; updating b2 from residuals that already used the new b1 differs
    x = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 5.0]])
    y = np.array([2.0, 4.0, 7.0])
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=1, tol=None)
    r = -y
    expected = -0.1 * np.array([r.mean(), (r * x[:, 0]).mean(), (r * x[:, 1]).mean()])
    r_after_b1 = expected[1] * x[:, 0] - y
    sequential_b2 = -0.1 * (r_after_b1 * x[:, 1]).mean()
    assert abs(sequential_b2 - expected[2]) > 0.05
    np.testing.assert_allclose([res.intercept, *res.coef], expected, rtol=1e-15)


def test_one_column_matches_the_one_feature_fit(line_data):
    # x of shape (N, 1) runs the d-feature kernel; x of shape (N,) the line kernel
    x, y = line_data
    kw = dict(learning_rate=0.1, max_iter=300, tol=None, init=(0.0, -5.0), cost="mse")
    line = gdfast.fit(x, y, **kw)
    col = gdfast.fit(x[:, None], y, **kw)
    np.testing.assert_allclose(col.history.intercept, line.history.intercept, rtol=1e-13)
    np.testing.assert_allclose(col.history.slope, line.history.slope, rtol=1e-13)
    np.testing.assert_allclose(col.history.cost, line.history.cost, rtol=1e-13)
    assert type(col.slope) is float and col.slope == pytest.approx(line.slope, rel=1e-13)
    np.testing.assert_array_equal(line.history.coef[:, 0], line.history.slope)
    np.testing.assert_array_equal(line.coef, [line.slope])


def test_one_dimensional_x_without_intercept(line_data, oracle_features):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.2, max_iter=50, tol=None, fit_intercept=False,
                     init=[1.0])
    ref = oracle_features(x[:, None], y, 0.2, 50, init=[0.0, 1.0], fit_intercept=False)
    np.testing.assert_allclose(res.history.slope, ref[:, 2], rtol=1e-12)
    assert res.intercept == 0.0


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_converges_to_least_squares(feature_data, fit_intercept):
    x, y = feature_data
    res = gdfast.fit(x, y, learning_rate="auto", max_iter=10_000, tol=1e-12,
                     fit_intercept=fit_intercept)
    ref, *_ = np.linalg.lstsq(_design(x, fit_intercept), y, rcond=None)
    assert res.converged
    got = np.r_[res.intercept, res.coef] if fit_intercept else res.coef
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_standardize_descends_on_standardized_columns(feature_data, oracle_features):
    # badly scaled columns; the history must be the oracle's descent on the
    # standardized columns, reported in the units of x
    x, y = feature_data
    scaled = x * [1e3, 1e-2, 5.0] + [1e4, -3.0, 0.0]
    mean, sd = scaled.mean(0), scaled.std(0)
    z = (scaled - mean) / sd
    res = gdfast.fit(scaled, y, learning_rate=0.3, max_iter=100, tol=None, standardize=True)
    ref = oracle_features(z, y, 0.3, 100)
    coef = ref[:, 2:5] / sd
    np.testing.assert_allclose(res.history.coef, coef, rtol=1e-11)
    np.testing.assert_allclose(res.history.intercept, ref[:, 1] - coef @ mean, rtol=1e-11)
    np.testing.assert_allclose(res.history.cost, ref[:, 5], rtol=1e-11)


def test_standardize_reaches_least_squares_where_plain_descent_crawls(feature_data):
    x, y = feature_data
    scaled = x * [1e3, 1e-2, 5.0] + [1e4, -3.0, 0.0]
    ref, *_ = np.linalg.lstsq(_design(scaled), y, rcond=None)
    res = gdfast.fit(scaled, y, learning_rate="auto", standardize=True, max_iter=10_000,
                     tol=1e-12)
    assert res.converged and res.n_iter < 200
    np.testing.assert_allclose(np.r_[res.intercept, res.coef], ref, rtol=1e-9)
    with pytest.warns(gdfast.ConvergenceWarning):
        plain = gdfast.fit(scaled, y, learning_rate="auto", max_iter=10_000, tol=1e-12)
    assert "stopped at max_iter" in plain.diagnosis


def test_standardize_without_intercept_scales_only():
    rng = np.random.default_rng(5)
    x = rng.uniform(1.0, 2.0, size=(50, 2)) * [1.0, 1e4]
    y = x @ [3.0, 2e-4] + rng.normal(0.0, 0.01, 50)
    ref, *_ = np.linalg.lstsq(x, y, rcond=None)
    res = gdfast.fit(x, y, learning_rate="auto", standardize=True, fit_intercept=False,
                     max_iter=100_000, tol=1e-13, init=[1.0, 0.0])
    assert res.converged and res.intercept == 0.0
    np.testing.assert_allclose(res.coef, ref, rtol=1e-9)
    # init is in the units of x: the first row is init divided by inv_scale (into the
    # descent's units) and multiplied back, two roundings of half an ulp each
    np.testing.assert_allclose(res.history.coef[0], [1.0, 0.0], rtol=2 * np.finfo(float).eps,
                               atol=0)


def test_more_features_than_points_warns_and_ends_at_min_norm_solution():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(4, 6))
    y = rng.normal(size=4)
    with pytest.warns(UserWarning, match=r"6 features for 4 points.*not unique"):
        res = gdfast.fit(x, y, learning_rate="auto", max_iter=100_000, tol=1e-12)
    # from a zero start the descent never leaves the row space: the pseudo-inverse solution
    np.testing.assert_allclose(np.r_[res.intercept, res.coef], np.linalg.pinv(_design(x)) @ y,
                               rtol=1e-8, atol=1e-10)
    assert "not unique" in res.diagnosis


def test_divergence_carries_partial_history_and_diagnosis(feature_data, oracle_features):
    x, y = feature_data
    lim = gdfast.learning_rate_limits(x)
    rate = 1.5 * lim.max_stable
    with pytest.warns(gdfast.DivergenceWarning, match="will diverge on this data"), \
            pytest.raises(gdfast.DivergenceError, match="diverged at iteration") as info:
        gdfast.fit(x, y, learning_rate=rate, max_iter=10**6, record_every=7)
    res = info.value.result
    h = res.history
    assert np.all(np.isfinite(h.coef)) and np.all(np.isfinite(h.cost))
    assert h.iteration[-1] == res.n_iter
    # stopped at the first iteration whose cost is above twice the start's
    ref = oracle_features(x, y, rate, res.n_iter)
    assert ref[-1, -1] > 2 * ref[0, -1] and np.all(ref[1:-1, -1] <= 2 * ref[0, -1])
    np.testing.assert_allclose(h.cost, ref[h.iteration, -1], rtol=1e-9)
    assert res.diagnosis.startswith("diverged") and "stability limit" in res.diagnosis


@pytest.mark.parametrize("record_every", [1, 3, 0])
def test_short_kernel_slices_change_nothing(monkeypatch, feature_data, oracle_features,
                                            record_every):
    from gdfast import _descent

    x, y = feature_data
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 2 * len(x))
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=40, tol=None, record_every=record_every)
    expected = [k for k in range(41) if k == 40 or (record_every and k % record_every == 0)]
    assert res.history.iteration.tolist() == (expected if record_every else [0, 40])
    ref = oracle_features(x, y, 0.1, 40)[res.history.iteration]
    np.testing.assert_allclose(res.history.coef, ref[:, 2:5], rtol=1e-12)


@pytest.mark.parametrize("order", ["C", "F"])
def test_float32_agrees_with_float64_and_is_accumulated_in_double(feature_data,
                                                                  oracle_features, order):
    x, y = feature_data
    x32, y32 = np.asarray(x, dtype=np.float32, order=order), y.astype(np.float32)
    kw = dict(learning_rate=0.1, max_iter=300, tol=None)
    r32 = gdfast.fit(x32, y32, **kw)
    r64 = gdfast.fit(x, y, **kw)
    np.testing.assert_allclose(r32.history.coef, r64.history.coef, rtol=1e-5, atol=1e-6)
    assert r32.history.coef.dtype == np.float64
    ref = oracle_features(x32.astype(np.float64), y32.astype(np.float64), 0.1, 300)
    np.testing.assert_allclose(r32.history.coef, ref[:, 2:5], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_contiguous_read_only_input_is_not_copied(order, dtype, traced_peak):
    from gdfast._validate import check_data

    rng = np.random.default_rng(0)
    x = np.asarray(rng.normal(size=(200_000, 3)), dtype=dtype, order=order)
    y = x.sum(axis=1).astype(dtype)
    x.flags.writeable = False
    cx, cy = check_data(x, y)
    assert cx is x and cy is y
    res, peak = traced_peak(gdfast.fit, x, y, learning_rate=0.1, max_iter=3, tol=None,
                            standardize=True)
    assert peak < x.nbytes / 4
    assert np.all(np.isfinite(res.coef))


def test_other_layouts_are_copied_to_fortran_order(feature_data, oracle_features):
    from gdfast._validate import check_data

    x, y = feature_data
    wide = np.hstack([x, x])[::2, ::2]   # neither C- nor F-contiguous
    cx, _ = check_data(wide, y[::2])
    assert cx.flags.f_contiguous and not cx.flags.c_contiguous
    ints, _ = check_data(np.ones((5, 2), dtype=np.int64), np.ones(5))
    assert ints.dtype == np.float64 and ints.flags.f_contiguous
    ref = oracle_features(wide, y[::2], 0.1, 20)
    h = gdfast.fit(wide, y[::2], learning_rate=0.1, max_iter=20, tol=None).history
    np.testing.assert_allclose(h.coef, ref[:, 2:-1], rtol=1e-12)


def test_gradient_norm_matches_finite_differences(feature_data):
    x, y = feature_data
    params, h = np.array([0.3, -1.2, 0.4, 2.0]), 1e-6
    for kind in ("half_mse", "mse"):
        J = lambda p: gdfast.cost(x, y, p[0], p[1:], kind=kind)  # noqa: E731
        grad = [(J(params + h * e) - J(params - h * e)) / (2 * h) for e in np.eye(4)]
        res = gdfast.fit(x, y, max_iter=0, tol=None, cost=kind, init=params)
        assert res.gradient_norm == pytest.approx(np.linalg.norm(grad), rel=1e-7)


def test_history_memory_with_record_every_zero_is_constant(feature_data, traced_peak):
    x, y = feature_data
    res, peak = traced_peak(gdfast.fit, x, y, learning_rate=0.1, max_iter=100_000, tol=None,
                            record_every=0)
    assert len(res.history) == 2
    assert peak < 100_000


def test_cost_takes_a_coefficient_vector(feature_data):
    x, y = feature_data
    b0, b = 0.7, np.array([1.0, -2.0, 0.25])
    r = b0 + x @ b - y
    assert gdfast.cost(x, y, b0, b, kind="mse") == pytest.approx(np.mean(r ** 2), rel=1e-13)
    assert gdfast.cost(x, y, b0, list(b)) == pytest.approx(np.mean(r ** 2) / 2, rel=1e-13)
    # one column: a float slope works too, and agrees with the 1-D signature
    assert gdfast.cost(x[:, :1], y, b0, 1.5) == pytest.approx(gdfast.cost(x[:, 0], y, b0, 1.5),
                                                             rel=1e-14)
    with pytest.raises(ValueError, match=r"slope must be 3 numbers \(b1, b2, b3\).*got 2 values"):
        gdfast.cost(x, y, b0, [1.0, 2.0])


def test_feature_kernel_is_compiled_with_both_float_specialisations():
    import importlib.machinery

    from gdfast._engine import kernels as engine

    assert isinstance(engine.__loader__, importlib.machinery.ExtensionFileLoader)
    x64 = np.array([[1.0, 2.0], [3.0, 5.0]])
    for x in (x64, x64.astype(np.float32)):
        y = np.array([1.0, 1.0], dtype=x.dtype)
        sum_r2, sums = engine.feature_sums(x, y, None, np.zeros(2), np.ones(2),
                                           np.array([0.5, 1.0, -1.0]), True)
        r = 0.5 + x64 @ [1.0, -1.0] - 1.0        # [-1.5, -2.5]
        assert sum_r2 == pytest.approx(r @ r) and sums == pytest.approx([r.sum(), *(x64.T @ r)])
