"""gdfast._sums: every source of sums gives a descent the same sums, as NumPy computes them."""
import numpy as np
import pytest

import gdfast
from gdfast._engine import kernels as engine
from gdfast._sums import DataSums, LineStatistics, StatisticsSums


@pytest.fixture
def data():
    rng = np.random.default_rng(11)
    x = rng.normal([2.0, -1.0, 0.0], [1.0, 3.0, 0.5], (300, 3))
    y = 1.0 + x @ [0.5, -2.0, 4.0] + rng.normal(0.0, 0.1, 300)
    return x, y, rng.uniform(0.1, 2.0, 300)


def _numpy_hessian(x, w, center, inv_scale, fit_intercept):
    """A.T @ diag(w) @ A / sum(w), A = [1, z] (0 for the column of ones without intercept)."""
    z = (x - center) * inv_scale
    a = np.column_stack([np.ones(len(x)) if fit_intercept else np.zeros(len(x)), z])
    return a.T @ (a * w[:, None]) / w.sum()


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hessian_products_of_the_data_and_of_the_statistics_match_numpy(data, fit_intercept):
    x, y, w = data
    center, inv_scale = np.array([2.0, -1.0, 0.0]), np.array([1.0, 0.5, 2.0])
    v = np.array([0.3, -1.0, 2.0, 0.5])
    expected = _numpy_hessian(x, w, center, inv_scale, fit_intercept) @ v
    from_data = DataSums(x, y, w, float(w.sum())).hessian_product(v, center, inv_scale,
                                                                   fit_intercept)
    stats = StatisticsSums(gdfast.Statistics.from_arrays(x, y, w))
    from_stats = stats.hessian_product(v, center, inv_scale, fit_intercept)
    np.testing.assert_allclose(from_data, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(from_stats, expected, rtol=1e-10, atol=1e-12)


def test_the_statistics_mapped_to_z_are_those_of_z(data):
    x, y, _ = data
    center, inv_scale = np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.25, 1.0])
    gram_zz, cross_zy, mean_z = StatisticsSums(gdfast.Statistics.from_arrays(x, y)).mapped(
        center, inv_scale)
    z = (x - center) * inv_scale
    cz, cy = z - z.mean(axis=0), y - y.mean()
    np.testing.assert_allclose(gram_zz, cz.T @ cz, rtol=1e-10)
    np.testing.assert_allclose(cross_zy, cz.T @ cy, rtol=1e-10)
    np.testing.assert_allclose(mean_z, z.mean(axis=0), rtol=1e-12)


def test_one_feature_statistics_match_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(1e3, 2.0, 1001)
    y = 3.0 * x + rng.normal(0.0, 1.0, 1001)
    line = LineStatistics.of(x, y, 1)
    cx, cy = x - x.mean(), y - y.mean()
    assert line.n == 1001 and line.weight_sum == 1001.0
    np.testing.assert_allclose([line.mean_x[0], line.mean_y], [x.mean(), y.mean()], rtol=1e-14)
    np.testing.assert_allclose([line.gram_xx[0, 0], line.cross_xy[0], line.sum_yy],
                               [cx @ cx, cx @ cy, cy @ cy], rtol=1e-10)
    np.testing.assert_allclose(line.moments().variance, [x.var()], rtol=1e-10)


def test_the_sources_run_the_same_descent(data):
    # the data's pass and the statistics give the same iterates (to rounding)
    x, y, w = data
    batch = gdfast.fit(x, y, sample_weight=w, learning_rate=0.02, max_iter=300, tol=None)
    stats = gdfast.fit(x, y, sample_weight=w, learning_rate=0.02, max_iter=300, tol=None,
                       method="stats")
    np.testing.assert_allclose(stats.history.coef, batch.history.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(stats.history.cost, batch.history.cost, rtol=1e-9)


def test_dual_gram_has_the_hessians_nonzero_eigenvalues():
    # fewer points than parameters: A A.T / N shares A.T A / N's non-zero spectrum
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 9)), rng.normal(size=4)
    center, inv_scale = np.zeros(9), np.ones(9)
    dual = DataSums(x, y, None, 4.0).dual_gram(center, inv_scale, True)
    primal = _numpy_hessian(x, np.ones(4), center, inv_scale, True)
    top = np.sort(np.linalg.eigvalsh(primal))[-4:]
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(dual)), top, rtol=1e-10)


def test_state_size_holds_the_vectors():
    # the state layout the sources' run() write: scalars, then the vectors of p values
    assert engine.state_size(4) >= engine.STATE_VECTORS + 2 * 4
