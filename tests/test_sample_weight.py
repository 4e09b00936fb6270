"""gdfast.fit(..., sample_weight=...): the weighted kernel against a NumPy oracle and repeated rows."""
import numpy as np
import pytest

import gdfast


@pytest.fixture
def weights(feature_data):
    """Integer weights 0..3 for feature_data's 300 points (some zero)."""
    return np.random.default_rng(7).integers(0, 4, size=len(feature_data[1]))


def test_the_weights_change_the_descent(feature_data, oracle_features):
    # the whole weighted history is checked against the oracle in
    # test_features.py::test_whole_history_matches_numpy_oracle[True-...]
    x, y = feature_data
    w = np.random.default_rng(1).uniform(0.0, 3.0, size=len(y))
    weighted = gdfast.fit(x, y, sample_weight=w, learning_rate=0.1, max_iter=50, tol=None)
    plain = oracle_features(x, y, 0.1, 50)
    assert not np.allclose(weighted.history.cost, plain[:, -1], rtol=1e-3)
    np.testing.assert_allclose(weighted.history.cost,
                               oracle_features(x, y, 0.1, 50, sample_weight=w)[:, -1], rtol=1e-12)


def test_many_blocks_and_one_feature(oracle_features):
    # N crosses several of the kernel's 256-row blocks; 1-D x takes the d-feature kernel
    rng = np.random.default_rng(5)
    x = rng.normal(size=1001)
    y = 0.5 - 2.0 * x + rng.normal(size=1001)
    w = rng.uniform(0.0, 2.0, size=1001)
    res = gdfast.fit(x, y, sample_weight=w, learning_rate=0.3, max_iter=40, tol=None)
    ref = oracle_features(x[:, None], y, 0.3, 40, sample_weight=w)
    np.testing.assert_allclose(res.history.slope, ref[:, 2], rtol=1e-12)
    np.testing.assert_allclose(res.history.cost, ref[:, 3], rtol=1e-12)
    assert type(res.slope) is float


def test_integer_weights_equal_repeated_rows(feature_data, weights):
    x, y = feature_data
    kw = dict(learning_rate="auto", tol=1e-12, max_iter=100_000)
    weighted = gdfast.fit(x, y, sample_weight=weights, **kw)
    repeated = gdfast.fit(np.repeat(x, weights, axis=0), np.repeat(y, weights), **kw)
    assert weighted.converged and repeated.converged
    assert weighted.learning_rate == pytest.approx(repeated.learning_rate, rel=1e-12)
    np.testing.assert_allclose(weighted.coef, repeated.coef, rtol=1e-10)
    assert weighted.intercept == pytest.approx(repeated.intercept, rel=1e-10)
    assert weighted.cost == pytest.approx(repeated.cost, rel=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardize_uses_weighted_moments(feature_data, weights, fit_intercept):
    # the weighted feature map is the repeated rows' map: the same descent, row by row
    x, y = feature_data
    x = x * [1.0, 100.0, 0.01] + [0.0, 50.0, 3.0]
    kw = dict(learning_rate="auto", max_iter=60, tol=None, standardize=True,
              fit_intercept=fit_intercept)
    weighted = gdfast.fit(x, y, sample_weight=weights, **kw).history
    repeated = gdfast.fit(np.repeat(x, weights, axis=0), np.repeat(y, weights), **kw).history
    np.testing.assert_allclose(weighted.coef, repeated.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(weighted.cost, repeated.cost, rtol=1e-9)


@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_learning_rate_limits_use_the_weighted_hessian(feature_data, weights, cost):
    x, _ = feature_data
    lim = gdfast.learning_rate_limits(x, sample_weight=weights, cost=cost)
    a = np.column_stack([np.ones(len(x)), x])
    h = (a.T * weights) @ a / weights.sum() * (2.0 if cost == "mse" else 1.0)
    np.testing.assert_allclose(lim.eigenvalues, np.linalg.eigvalsh(h), rtol=1e-10)
    assert lim.max_stable != pytest.approx(gdfast.learning_rate_limits(x, cost=cost).max_stable,
                                           rel=1e-3)


def test_divergence_warning_uses_the_weighted_limit(feature_data):
    # the weights double the curvature along x[:, 0]: a rate stable unweighted is not
    x, y = feature_data
    w = 1.0 + 50.0 * (np.abs(x[:, 0]) > 1.5)
    weighted = gdfast.learning_rate_limits(x, sample_weight=w).max_stable
    plain = gdfast.learning_rate_limits(x).max_stable
    assert weighted < plain
    rate = 0.5 * (weighted + plain)
    with pytest.warns(gdfast.DivergenceWarning, match="will diverge"):
        with pytest.raises(gdfast.DivergenceError):
            gdfast.fit(x, y, sample_weight=w, learning_rate=rate, max_iter=100_000)


def test_ones_are_no_weights(feature_data):
    x, y = feature_data
    kw = dict(learning_rate=0.2, max_iter=100, tol=None)
    a = gdfast.fit(x, y, sample_weight=np.ones(len(y)), **kw).history
    b = gdfast.fit(x, y, **kw).history
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(a.cost, b.cost, rtol=1e-14)


@pytest.mark.bitwise
def test_float32_weights_with_float32_data(feature_data, weights):
    x, y = feature_data
    kw = dict(learning_rate=0.2, max_iter=100, tol=None)
    w32 = weights.astype(np.float32)
    r32 = gdfast.fit(x.astype(np.float32), y.astype(np.float32), sample_weight=w32, **kw)
    r64 = gdfast.fit(x, y, sample_weight=weights, **kw)
    np.testing.assert_allclose(r32.history.coef, r64.history.coef, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(r32.history.cost, r64.history.cost, rtol=2e-5)
    # float64 weights with float32 data are read in the data's dtype: the same numbers,
    # exactly, since these weights (integers 0..3) are the same in float32
    r_mixed = gdfast.fit(x.astype(np.float32), y.astype(np.float32),
                         sample_weight=weights.astype(np.float64), **kw)
    np.testing.assert_array_equal(r_mixed.history.coef, r32.history.coef)


def test_weights_are_read_not_copied_or_changed(feature_data):
    from gdfast import _validate

    x, y = feature_data
    w = np.random.default_rng(2).uniform(size=len(y))
    w.setflags(write=False)
    checked, total = _validate.check_sample_weight(w, len(y), np.float64)
    assert checked is w and total == pytest.approx(w.sum(), rel=1e-15)
    before = w.copy()
    gdfast.fit(x, y, sample_weight=w, learning_rate=0.1, max_iter=5, tol=None)
    np.testing.assert_array_equal(w, before)


@pytest.mark.parametrize("weights, error, match", [
    (np.ones(299), ValueError, r"sample_weight must hold one weight per point: got 299 weights "
                               r"for 300 points"),
    (np.ones((300, 1)), ValueError, r"sample_weight must be a 1-D array.*\(300, 1\)"),
    (2.0, ValueError, r"sample_weight must be a 1-D array.*shape \(\)"),
    (np.r_[np.ones(299), -1.0], ValueError, r"sample_weight must be >= 0, but sample_weight\[299\]"),
    (np.r_[np.nan, np.ones(299)], ValueError, r"sample_weight must be finite.*\[0\] is nan"),
    (np.r_[np.ones(299), np.inf], ValueError, r"sample_weight must be finite"),
    (np.zeros(300), ValueError, r"sample_weight is all zeros"),
    (np.array(["a"] * 300), TypeError, r"sample_weight must hold real numbers"),
    (np.ones(300) + 1j, TypeError, r"sample_weight must hold real numbers.*complex"),
])
def test_bad_weights_are_rejected_before_any_work(feature_data, weights, error, match,
                                                  monkeypatch):
    from gdfast._engine import kernels as engine

    def boom(*args, **kwargs):
        raise AssertionError("the kernel ran")

    monkeypatch.setattr(engine, "run_descent", boom)
    monkeypatch.setattr(engine, "column_moments", boom)
    x, y = feature_data
    with pytest.raises(error, match=match):
        gdfast.fit(x, y, sample_weight=weights, learning_rate="auto")
    with pytest.raises(error, match=match):
        gdfast.learning_rate_limits(x, sample_weight=weights)
    with pytest.raises(error, match=match):  # 1-D x too (the line kernel takes no weights)
        gdfast.fit(x[:, 0], y, sample_weight=weights)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-6)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_kernel_weighted_sums_each_dtype(dtype, rtol, order):
    # the compiled pass itself, each fused version, across blocks, against NumPy in float64
    from gdfast._engine import kernels as engine

    rng = np.random.default_rng(11)
    x = np.asarray(rng.normal(size=(700, 5)), dtype=dtype, order=order)
    y = rng.normal(size=700).astype(dtype)
    w = rng.uniform(0.0, 3.0, size=700).astype(dtype)
    params = np.array([0.3, 1.0, -2.0, 0.5, 0.0, 1.5])
    sum_r2, sums = engine.feature_sums(x, y, w, np.zeros(5), np.ones(5), params, True)
    x64, y64, w64 = (np.asarray(a, dtype=np.float64) for a in (x, y, w))
    r = params[0] + x64 @ params[1:] - y64
    assert sum_r2 == pytest.approx(np.sum(w64 * r * r), rel=rtol)
    np.testing.assert_allclose(sums, np.r_[np.sum(w64 * r), x64.T @ (w64 * r)], rtol=rtol)
    plain, _ = engine.feature_sums(x, y, None, np.zeros(5), np.ones(5), params, True)
    assert plain == pytest.approx(np.sum(r * r), rel=rtol)


# --- weights are relative: any positive uniform weights give the unweighted fit (issue 17) ---

@pytest.mark.parametrize("c", [1e-310, 1e-46, 1.0, 1e39, 1e300])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", ["batch", "stats"])
def test_uniform_weights_of_any_size_give_the_unweighted_fit(feature_data, c, dtype, method):
    # 1e-310 is subnormal, 1e-46 and 1e39 are beyond float32, 1e300 sums past float64 over
    # 300 points: all are rescaled by a power of two before use (exact), so the weighted
    # sums are the unweighted ones times one number; only their rounding differs (measured
    # below 1e-15 relative, batch; 1e-14, stats): 1e-13 leaves room for other BLAS/SIMD
    x, y = (a.astype(dtype) for a in feature_data)
    kw = dict(learning_rate=0.3, max_iter=60, tol=None, method=method)
    plain = gdfast.fit(x, y, **kw).history
    weighted = gdfast.fit(x, y, sample_weight=np.full(len(y), c), **kw).history
    np.testing.assert_allclose(weighted.coef, plain.coef, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(weighted.intercept, plain.intercept, rtol=1e-13, atol=1e-13)
    # the statistics' cost is a difference of quadratic forms about as large as the
    # cost at the start: its rounding is relative to that, not to the small cost at the end
    np.testing.assert_allclose(weighted.cost, plain.cost, rtol=1e-13,
                               atol=1e-13 * plain.cost[0] if method == "stats" else 0)


@pytest.mark.parametrize("scale", [2.0 ** -1060, 2.0 ** 200])
def test_rescaled_weights_keep_their_ratios(feature_data, weights, scale):
    # non-uniform weights far outside [2**-64, 2**64]: the same descent as the integer weights
    x, y = feature_data
    kw = dict(learning_rate="auto", max_iter=40, tol=None)
    want = gdfast.fit(x, y, sample_weight=weights, **kw).history
    got = gdfast.fit(x, y, sample_weight=weights * scale, **kw).history
    np.testing.assert_allclose(got.coef, want.coef, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(got.cost, want.cost, rtol=1e-13)


def test_statistics_keep_the_weights_absolute_size(feature_data, weights):
    # statistics merge with others', so from_arrays undoes the rescaling (exactly:
    # a power of two) and a chunk weighted 2**200 counts 2**200 times one weighted 1
    x, y = feature_data
    w = weights.astype(float)
    big = gdfast.Statistics.from_arrays(x, y, w * 2.0 ** 200)
    small = gdfast.Statistics.from_arrays(x, y, w)
    assert big.weight_sum == small.weight_sum * 2.0 ** 200
    np.testing.assert_array_equal(big.gram_xx, small.gram_xx * 2.0 ** 200)
    np.testing.assert_array_equal(big.mean_x, small.mean_x)
    # two chunks rescaled by different powers of two merge into the whole's statistics
    wa, wb = w[:150] * 2.0 ** 100, w[150:] * 2.0 ** 300
    merged = gdfast.Statistics.from_arrays(x[:150], y[:150], wa).merge(
        gdfast.Statistics.from_arrays(x[150:], y[150:], wb))
    whole = gdfast.Statistics.from_arrays(x, y, np.concatenate([wa, wb]))
    for field in ("weight_sum", "mean_x", "gram_xx", "cross_xy", "sum_yy"):
        np.testing.assert_allclose(getattr(merged, field), getattr(whole, field), rtol=1e-12)


def test_float32_data_with_float64_weights_beyond_float32(feature_data):
    # no "overflow encountered in cast" (warnings are errors here), no "all zeros"
    x, y = (a.astype(np.float32) for a in feature_data)
    for c in (1e39, 1e-46):
        res = gdfast.fit(x, y, sample_weight=np.full(len(y), c), tol=1e-5)
        assert res.converged
        np.testing.assert_allclose(res.coef, gdfast.fit(x, y, tol=1e-5).coef, rtol=1e-6)
