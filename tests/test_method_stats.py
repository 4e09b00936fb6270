"""method="stats": the centred statistics, and a descent that matches "batch"."""
import numpy as np
import pytest

import gdfast
from gdfast import _descent, _engine, _statistics


def _stats(x, y):
    kernels = _engine.kernels
    stats = np.empty(kernels.STATS_SIZE)
    kernels.centred_stats(x, y, stats)
    return stats


@pytest.mark.parametrize("n", [1, 2, 17, 2048, 2049, 50_001])
def test_centred_stats_match_two_pass_numpy(n):
    rng = np.random.default_rng(n)
    x = rng.normal(1e3, 2.0, n)   # a mean far from 0: the sums must be centred
    y = 3.0 * x + rng.normal(0.0, 1.0, n)
    stats = _stats(x, y)
    cx, cy = x - x.mean(), y - y.mean()
    gram = [[cx @ cx, cx @ cy], [cx @ cy, cy @ cy]]
    assert stats[0] == n
    np.testing.assert_allclose(stats[1:3], [x.mean(), y.mean()], rtol=1e-15)
    np.testing.assert_allclose(stats[3:].reshape(2, 2), gram, rtol=1e-10, atol=1e-9)


def test_centred_stats_survive_a_mean_far_larger_than_the_spread():
    # x around 1e8 with spread 2: sum(x*x) - n*mean**2 would lose every digit
    rng = np.random.default_rng(1)
    x = rng.normal(1e8, 2.0, 100_003)
    y = 3.0 * x + rng.normal(0.0, 1.0, x.size)
    stats = _stats(x, y)
    cx, cy = x - x.mean(), y - y.mean()
    np.testing.assert_allclose(stats[3:], [cx @ cx, cx @ cy, cx @ cy, cy @ cy], rtol=1e-9)


def test_centred_stats_of_float32_are_accumulated_in_double():
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 1.0, 100_000).astype(np.float32)
    y = (2.0 * x + 1.0).astype(np.float32)
    stats = _stats(x, y)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    np.testing.assert_allclose(stats[1:3], [x64.mean(), y64.mean()], rtol=1e-13)
    cx = x64 - x64.mean()
    assert stats[3] == pytest.approx(cx @ cx, rel=1e-12)


@pytest.mark.parametrize("cost", ["half_mse", "mse"])
@pytest.mark.parametrize("init", [(0.0, 0.0), (0.0, -5.0), (3.0, 7.0)])
def test_stats_history_agrees_with_batch_and_oracle(line_data, oracle, cost, init):
    x, y = line_data
    batch = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None, cost=cost, init=init)
    stats = gdfast.fit(x, y, learning_rate=0.1, max_iter=300, tol=None, cost=cost, init=init,
                       method="stats")
    ref = oracle(x, y, 0.1, 300, cost=cost, init=init)
    hb, hs = batch.history, stats.history
    np.testing.assert_array_equal(hs.iteration, hb.iteration)
    for field, column in (("intercept", 1), ("slope", 2), ("cost", 3)):
        np.testing.assert_allclose(getattr(hs, field), getattr(hb, field), rtol=1e-10)
        np.testing.assert_allclose(getattr(hs, field), ref[:, column], rtol=1e-10)
    assert stats.gradient_norm == pytest.approx(batch.gradient_norm, rel=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stats_converges_like_batch(dtype):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1.0, 3.0, 30_000).astype(dtype)
    y = (0.5 - 2.0 * x + rng.normal(0.0, 0.3, x.size)).astype(dtype)
    kwargs = dict(learning_rate=0.3, max_iter=100_000, tol=1e-9, init=(1.0, 1.0))
    batch = gdfast.fit(x, y, **kwargs)
    stats = gdfast.fit(x, y, method="stats", **kwargs)
    assert stats.converged and batch.converged
    assert abs(stats.n_iter - batch.n_iter) <= 1
    assert stats.intercept == pytest.approx(batch.intercept, rel=1e-10)
    assert stats.slope == pytest.approx(batch.slope, rel=1e-10)
    assert stats.cost == pytest.approx(batch.cost, rel=1e-10)
    lstsq = np.polyfit(x.astype(np.float64), y.astype(np.float64), 1)
    assert stats.slope == pytest.approx(lstsq[0], rel=1e-7)


@pytest.mark.filterwarnings("ignore::gdfast.DivergenceWarning")
@pytest.mark.parametrize("record_every", [1, 7, 0])
def test_stats_divergence_reports_like_batch(line_data, record_every):
    x, y = line_data
    _assert_diverges_like_batch(x, y, learning_rate=5.0, max_iter=10**6,
                                record_every=record_every, init=(0.0, -5.0))


def _assert_diverges_like_batch(x, y, **kwargs):
    """Both methods raise DivergenceError with the same history up to the last finite point."""
    with pytest.raises(gdfast.DivergenceError) as batch:
        gdfast.fit(x, y, **kwargs)
    with pytest.raises(gdfast.DivergenceError) as stats:
        gdfast.fit(x, y, method="stats", **kwargs)
    hb, hs = batch.value.result.history, stats.value.result.history
    # the same iterations although the values differ by rounding: they grow geometrically,
    # and the largest of the last finite iteration is under 2 % of the float64 limit, the
    # next one's over 1.3 times it (on both data sets here), far beyond rounding
    np.testing.assert_array_equal(hs.iteration, hb.iteration)
    np.testing.assert_allclose(hs.cost, hb.cost, rtol=1e-9)
    assert stats.value.result.n_iter == batch.value.result.n_iter


def test_stats_max_iter_warns_and_record_every(line_data):
    x, y = line_data
    with pytest.warns(gdfast.ConvergenceWarning, match="max_iter=10"):
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=10, record_every=4, method="stats")
    assert res.history.iteration.tolist() == [0, 4, 8, 10]
    assert not res.converged


@pytest.mark.bitwise
def test_stats_short_slices_change_nothing(monkeypatch, line_data):
    x, y = line_data
    full = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 3 * _statistics._STATS_ITERATION_POINTS)
    sliced = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    # exact: the same operations on the same state, wherever the slices end
    np.testing.assert_array_equal(sliced.history.slope, full.history.slope)
    np.testing.assert_array_equal(sliced.history.iteration, np.arange(51))


def test_stats_single_point():
    res = gdfast.fit([2.0], [5.0], learning_rate=0.1, max_iter=2000, tol=1e-12, method="stats")
    assert res.converged
    assert res.intercept + 2.0 * res.slope == pytest.approx(5.0, rel=1e-10)


# ---------------------------------------------------------------------------
# several features, weights, standardize, no intercept: the Gram-form descent
# ---------------------------------------------------------------------------
def _features(d, dtype=np.float64, n=400, seed=None):
    rng = np.random.default_rng(seed if seed is not None else d)
    x = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, d) + rng.normal(0.0, 1.0, d)
    y = 1.0 + x @ rng.normal(size=d) + rng.normal(0.0, 0.5, n)
    w = rng.uniform(0.0, 2.0, n)
    return x.astype(dtype), y.astype(dtype), w.astype(dtype)


def _assert_histories_agree(hs, hb, rtol):
    """Row by row: the parameters (intercept and coef) within rtol of their norm, the cost within rtol."""
    np.testing.assert_array_equal(hs.iteration, hb.iteration)
    ps = np.column_stack([hs.intercept, hs.coef])
    pb = np.column_stack([hb.intercept, hb.coef])
    size = np.linalg.norm(pb, axis=1)
    np.testing.assert_array_less(np.linalg.norm(ps - pb, axis=1), rtol * size + 1e-300)
    np.testing.assert_allclose(hs.cost, hb.cost, rtol=rtol)


@pytest.mark.parametrize("d", [1, 3, 8])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted, standardize", [(False, False), (True, False), (False, True),
                                                   (True, True)])
@pytest.mark.parametrize("cost", ["half_mse", "mse"])
def test_stats_features_agree_with_batch(d, fit_intercept, weighted, standardize, cost):
    x, y, w = _features(d)
    kwargs = dict(learning_rate=0.05, max_iter=150, tol=None, cost=cost,
                  fit_intercept=fit_intercept, standardize=standardize,
                  sample_weight=w if weighted else None)
    batch = gdfast.fit(x, y, **kwargs)
    stats = gdfast.fit(x, y, method="stats", **kwargs)
    _assert_histories_agree(stats.history, batch.history, 1e-10)
    assert stats.n_iter == batch.n_iter == 150
    assert stats.gradient_norm == pytest.approx(batch.gradient_norm, rel=1e-9)


@pytest.mark.parametrize("d", [1, 3])
def test_stats_features_float32_agree_with_batch(d):
    x, y, w = _features(d, np.float32)
    for kwargs in (dict(), dict(sample_weight=w, standardize=True)):
        batch = gdfast.fit(x, y, learning_rate=0.05, max_iter=100, tol=None, **kwargs)
        stats = gdfast.fit(x, y, learning_rate=0.05, max_iter=100, tol=None, method="stats",
                           **kwargs)
        _assert_histories_agree(stats.history, batch.history, 1e-10)


def test_stats_one_feature_paths_agree():
    # 1-D x with non-default options runs the Gram-form descent; 2-D (N, 1) too
    x, y, _ = _features(1)
    line = gdfast.fit(x[:, 0], y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    gram = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    _assert_histories_agree(gram.history, line.history, 1e-12)
    assert gram.slope == pytest.approx(line.slope, rel=1e-12)
    # 1-D x with weights, no intercept or standardize: the Gram-form descent too
    _, _, w = _features(1)
    for options in (dict(sample_weight=w), dict(fit_intercept=False), dict(standardize=True)):
        batch = gdfast.fit(x[:, 0], y, learning_rate=0.1, max_iter=50, tol=None, **options)
        stats = gdfast.fit(x[:, 0], y, learning_rate=0.1, max_iter=50, tol=None,
                           method="stats", **options)
        _assert_histories_agree(stats.history, batch.history, 1e-10)
        assert stats.slope == pytest.approx(batch.slope, rel=1e-10)


def test_stats_features_check_everything_before_the_pass(monkeypatch):
    from gdfast._engine import kernels as engine

    def boom(*args, **kwargs):
        raise AssertionError("the statistics pass ran")

    monkeypatch.setattr(engine, "centred_statistics", boom)
    x, y, w = _features(3)
    for bad, exc in ((dict(max_iter=-1), ValueError), (dict(record_every="x"), TypeError),
                     (dict(cost="mae"), ValueError), (dict(sample_weight=-w), ValueError),
                     (dict(learning_rate=0.0), ValueError), (dict(init=(0.0, 1.0)), ValueError)):
        with pytest.raises(exc, match=next(iter(bad))):
            gdfast.fit(x, y, method="stats", **bad)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_stats_converges_to_lstsq(fit_intercept):
    x, y, w = _features(5, n=300, seed=11)
    res = gdfast.fit(x, y, learning_rate="auto", max_iter=20_000, tol=1e-12, method="stats",
                     sample_weight=w, fit_intercept=fit_intercept)
    assert res.converged
    a = np.column_stack([np.ones(len(y)), x]) if fit_intercept else x
    sw = np.sqrt(w)
    solution = np.linalg.lstsq(a * sw[:, None], y * sw, rcond=None)[0]
    got = np.concatenate([[res.intercept], res.coef]) if fit_intercept else res.coef
    np.testing.assert_allclose(got, solution, rtol=1e-8, atol=1e-9)
    if not fit_intercept:
        assert res.intercept == 0.0


def test_stats_features_match_numpy_oracle(oracle_features):
    x, y, w = _features(3)
    res = gdfast.fit(x, y, learning_rate=0.05, max_iter=40, tol=None, method="stats",
                     sample_weight=w)
    rows = oracle_features(x, y, 0.05, 40, sample_weight=w)
    np.testing.assert_allclose(res.history.intercept, rows[:, 1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.history.coef, rows[:, 2:-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.history.cost, rows[:, -1], rtol=1e-10)


@pytest.mark.parametrize("record_every", [1, 7])
def test_stats_features_divergence_reports_like_batch(record_every):
    x, y, w = _features(3)
    # the rate is far above the stability limit: a DivergenceWarning first
    with pytest.warns(gdfast.DivergenceWarning):
        _assert_diverges_like_batch(x, y, learning_rate=3.0, max_iter=10**6,
                                    record_every=record_every, sample_weight=w)


def test_stats_features_stopping_and_callback_like_batch():
    x, y, _ = _features(3)
    seen = {}
    for method in ("batch", "stats"):
        steps = []
        res = gdfast.fit(x, y, learning_rate="auto", max_iter=10**5, tol=1e-8, method=method,
                         standardize=True, callback=lambda s: steps.append(s.iteration))
        seen[method] = (res.converged, res.n_iter, steps)
    # the same iterations although the gradient norms differ by rounding: both cross tol
    # far from it (80 % below at the stop, 120 % above the step before)
    assert seen["stats"] == seen["batch"]
    assert seen["stats"][0]


@pytest.mark.bitwise
def test_stats_features_short_slices_change_nothing(monkeypatch):
    x, y, w = _features(3)
    kwargs = dict(learning_rate=0.05, max_iter=300, tol=None, record_every=7,
                  sample_weight=w, method="stats")
    whole = gdfast.fit(x, y, **kwargs)
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 16 * 13)   # 13 iterations a slice
    monkeypatch.setattr(_descent, "_FIRST_SLICE_ROWS", 2)
    sliced = gdfast.fit(x, y, **kwargs)
    # exact: the same operations on the same state, wherever the slices end
    np.testing.assert_array_equal(sliced.history.iteration, whole.history.iteration)
    np.testing.assert_array_equal(sliced.history.coef, whole.history.coef)
    np.testing.assert_array_equal(sliced.history.cost, whole.history.cost)


def test_stats_standardize_refuses_a_constant_column_before_descending():
    x, y, _ = _features(3)
    x = x.copy()
    x[:, 1] = 4.0
    with pytest.raises(ValueError, match=r"cannot scale column x\[:, 1\]"):
        gdfast.fit(x, y, method="stats", standardize=True)


def test_stats_features_read_only_data_is_not_copied(monkeypatch):
    from gdfast._engine import kernels as engine
    x, y, w = _features(3)
    for a in (x, y, w):
        a.flags.writeable = False
    xf = np.asfortranarray(x)
    xf.flags.writeable = False
    seen = []
    real = engine.centred_statistics

    def spy(xs, ys, mean, gram, ws, n_threads):
        seen.append((xs, ys, ws))
        return real(xs, ys, mean, gram, ws, n_threads)

    monkeypatch.setattr(engine, "centred_statistics", spy)
    for design in (x, xf):
        gdfast.fit(design, y, method="stats", sample_weight=w, max_iter=3, tol=None)
        xs, ys, ws = seen[-1]
        assert np.shares_memory(xs, design) and np.shares_memory(ys, y)
        assert np.shares_memory(ws, w)
