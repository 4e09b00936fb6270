"""gdfast._standardize: the feature map of standardize=True and its inverse, against NumPy."""
import numpy as np
import pytest

from gdfast._moments import Moments
from gdfast._standardize import feature_map, to_descent_units, to_original_units


def _moments(x):
    return Moments(x.shape[0], x.mean(axis=0), x.var(axis=0))


@pytest.fixture
def x():
    return np.random.default_rng(3).normal([5.0, -2.0], [3.0, 0.1], (200, 2))


def test_with_an_intercept_the_columns_are_centred_to_unit_variance(x):
    center, inv_scale = feature_map(_moments(x), fit_intercept=True, standardize=True)
    z = (x - center) * inv_scale
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-13)


def test_without_an_intercept_the_columns_are_scaled_to_unit_root_mean_square(x):
    center, inv_scale = feature_map(_moments(x), fit_intercept=False, standardize=True)
    assert np.all(center == 0.0)
    np.testing.assert_allclose(np.sqrt(((x * inv_scale) ** 2).mean(axis=0)), 1.0, rtol=1e-13)


def test_without_standardize_the_map_is_the_identity(x):
    center, inv_scale = feature_map(_moments(x), True, False)
    assert np.all(center == 0.0) and np.all(inv_scale == 1.0)


def test_the_two_units_give_the_same_residuals(x):
    # r = beta0 + z @ beta = b0 + x @ b: the conversion against a direct evaluation
    center, inv_scale = feature_map(_moments(x), True, True)
    params = np.array([0.7, 2.0, -30.0])
    beta = to_descent_units(params, center, inv_scale)
    z = (x - center) * inv_scale
    np.testing.assert_allclose(beta[0] + z @ beta[1:], params[0] + x @ params[1:], rtol=1e-12)
    b0, b = to_original_units(beta[None, :], center, inv_scale)
    np.testing.assert_allclose(np.r_[b0, b[0]], params, rtol=1e-12)


@pytest.mark.bitwise
def test_a_row_converts_the_same_alone_or_among_others(x):
    center, inv_scale = feature_map(_moments(x), True, True)
    rows = np.random.default_rng(4).normal(size=(37, 3))
    b0, b = to_original_units(rows, center, inv_scale)
    one_b0, one_b = to_original_units(rows[5:6], center, inv_scale)
    assert one_b0[0] == b0[5] and np.array_equal(one_b[0], b[5])


def test_a_constant_column_cannot_be_scaled():
    x = np.column_stack([np.arange(5.0), np.full(5, 4.0)])
    with pytest.raises(ValueError, match=r"cannot scale column x\[:, 1\]: it is constant"):
        feature_map(_moments(x), True, True)
    # with the data at hand (the extent of the column) it says which of the two it is
    zeros = Moments(3, np.zeros(1), np.zeros(1), extent=lambda j, centred: 0.0)
    with pytest.raises(ValueError, match=r"x\[:, 0\]: it is all zeros"):
        feature_map(zeros, False, True)
    # from statistics alone it cannot tell
    with pytest.raises(ValueError, match=r"x\[:, 0\]: its mean square is 0: it is constant, or"):
        feature_map(_moments(np.zeros((3, 1))), False, True)
