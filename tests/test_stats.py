"""method="stats": the centred statistics, and a descent that matches "batch"."""
import numpy as np
import pytest

import gdfast
from gdfast import _backend, _fit


def _stats(x, y):
    kernels = _backend.kernels
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
    kwargs = dict(learning_rate=5.0, max_iter=10**6, record_every=record_every, init=(0.0, -5.0))
    with pytest.raises(gdfast.DivergenceError) as batch:
        gdfast.fit(x, y, **kwargs)
    with pytest.raises(gdfast.DivergenceError) as stats:
        gdfast.fit(x, y, method="stats", **kwargs)
    hb, hs = batch.value.result.history, stats.value.result.history
    np.testing.assert_array_equal(hs.iteration, hb.iteration)
    np.testing.assert_allclose(hs.cost, hb.cost, rtol=1e-9)
    assert stats.value.result.n_iter == batch.value.result.n_iter


def test_stats_max_iter_warns_and_record_every(line_data):
    x, y = line_data
    with pytest.warns(gdfast.ConvergenceWarning, match="max_iter=10"):
        res = gdfast.fit(x, y, learning_rate=0.1, max_iter=10, record_every=4, method="stats")
    assert res.history.iteration.tolist() == [0, 4, 8, 10]
    assert not res.converged


def test_stats_short_slices_change_nothing(monkeypatch, line_data):
    x, y = line_data
    full = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    monkeypatch.setattr(_fit, "_POINTS_PER_SLICE", 3 * _fit._STATS_ITERATION_POINTS)
    sliced = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, method="stats")
    np.testing.assert_array_equal(sliced.history.slope, full.history.slope)
    np.testing.assert_array_equal(sliced.history.iteration, np.arange(51))


def test_stats_single_point():
    res = gdfast.fit([2.0], [5.0], learning_rate=0.1, max_iter=2000, tol=1e-12, method="stats")
    assert res.converged
    assert res.intercept + 2.0 * res.slope == pytest.approx(5.0, rel=1e-10)
