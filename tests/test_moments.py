"""gdfast._moments: the column moments against NumPy's means and (co)variances."""
import numpy as np
import pytest

from gdfast._moments import Moments, column_extent
from gdfast._sums import DataSums


def _data(n=500, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal([1950.0, -3.0, 0.5][:d], [2.0, 10.0, 1e-3][:d], (n, d))
    return x, rng.uniform(0.0, 2.0, n)


@pytest.mark.parametrize("weighted", [False, True])
def test_moments_of_a_pass_match_numpy(weighted):
    x, w = _data()
    w = w if weighted else None
    weight_sum = float(np.sum(w)) if weighted else float(x.shape[0])
    moments = DataSums(x, np.zeros(x.shape[0]), w, weight_sum).moments()
    mean = np.average(x, axis=0, weights=w)
    covariance = np.cov(x, rowvar=False, aweights=w, bias=True)
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-14)
    np.testing.assert_allclose(moments.covariance, covariance, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(moments.variance, np.diag(covariance), rtol=1e-10)
    assert moments.n == pytest.approx(weight_sum, rel=1e-15)


def test_column_moments_keep_the_digits_of_a_column_far_from_zero():
    # years near 1950 with a spread of 2: x**2 averaged minus the mean squared would
    # keep about 6 digits of the variance; the pass sums about a data row
    x, _ = _data(d=1)
    moments = DataSums(x, np.zeros(x.shape[0]), None, float(x.shape[0])).column_moments()
    assert moments.covariance is None
    np.testing.assert_allclose(moments.variance, x.var(axis=0), rtol=1e-12)


def test_second_and_mean_square_are_the_uncentred_moments():
    x, _ = _data()
    m = Moments(x.shape[0], x.mean(axis=0), x.var(axis=0), np.cov(x, rowvar=False, bias=True))
    np.testing.assert_allclose(m.second(), x.T @ x / x.shape[0], rtol=1e-9)
    np.testing.assert_allclose(m.mean_square(), (x * x).mean(axis=0), rtol=1e-9)


def test_with_covariance_gives_one_column_its_1x1_covariance():
    m = Moments(4.0, np.array([2.0]), np.array([3.0])).with_covariance()
    assert m.covariance.shape == (1, 1) and m.covariance[0, 0] == 3.0


def test_column_extent_skips_the_points_of_weight_zero():
    x = np.array([[1.0], [5.0], [-7.0]])
    assert column_extent(x, None, 0, centred=True) == 12.0
    assert column_extent(x, None, 0, centred=False) == 7.0
    w = np.array([1.0, 1.0, 0.0])
    assert column_extent(x, w, 0, centred=True) == 4.0
    assert column_extent(x, np.zeros(3), 0, centred=True) == 0.0
