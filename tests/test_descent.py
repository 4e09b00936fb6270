"""gdfast._descent: one Descent over any source of sums, and the slice loop that runs it."""
import numpy as np
import pytest

import gdfast
from gdfast import _descent
from gdfast._descent import Descent, descend
from gdfast._standardize import to_original_units
from gdfast._sums import DataSums, StatisticsSums
from gdfast._validate import check_descent_options


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    x = rng.normal([1.0, -2.0], [1.0, 0.5], (200, 2))
    y = 0.5 + x @ [2.0, -1.0] + rng.normal(0.0, 0.1, 200)
    return x, y


def _options(**kw):
    settings = dict(learning_rate=0.1, max_iter=50, tol=None, cost="half_mse",
                    record_every=1, fit_intercept=True, standardize=False, progress=False,
                    callback=None)
    settings.update(kw)
    return check_descent_options(**settings)


def _numpy_descent(x, y, rate, n_iter):
    """b <- b - rate * A.T (A b - y) / N with A = [1, x]: the update rule, in NumPy."""
    a = np.column_stack([np.ones(len(x)), x])
    b, rows = np.zeros(a.shape[1]), []
    for _ in range(n_iter + 1):
        r = a @ b - y
        rows.append(np.r_[b, r @ r / (2 * len(x))])
        b = b - rate * (a.T @ r) / len(x)
    return np.array(rows)


def test_the_descent_follows_the_update_rule(data):
    x, y = data
    descent = Descent(DataSums(x, y, None, float(len(x))), np.zeros(3), True, False)
    result = descend(descent, _options(), float(len(x)))
    expected = _numpy_descent(x, y, 0.1, 50)
    got = np.column_stack([result.history.intercept, result.history.coef, result.history.cost])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert result.n_iter == 50 and not result.converged


@pytest.mark.bitwise
def test_descend_is_what_fit_runs(data):
    # the same source, options and start as fit's: the same floats
    x, y = data
    descent = Descent(DataSums(x, y, None, float(len(x))), np.zeros(3), True, False)
    direct = descend(descent, _options(), float(len(x)))
    fitted = gdfast.fit(x, y, learning_rate=0.1, max_iter=50, tol=None, record_every=1)
    assert np.array_equal(direct.history.coef, fitted.history.coef)
    assert np.array_equal(direct.history.cost, fitted.history.cost)


def test_any_source_gives_the_same_descent(data):
    x, y = data
    stats = StatisticsSums(gdfast.Statistics.from_arrays(x, y))
    results = [descend(Descent(source, np.zeros(3), True, True), _options(), float(len(x)))
               for source in (DataSums(x, y, None, float(len(x))), stats)]
    np.testing.assert_allclose(results[1].history.coef, results[0].history.coef, rtol=1e-9)


def test_rows_are_reported_in_the_units_of_x(data):
    x, y = data
    descent = Descent(DataSums(x, y, None, float(len(x))), np.zeros(3), True, True)
    c = descent.curvature
    rows = np.array([[1.0, 2.0, 3.0, 9.0]])
    b0, b = to_original_units(rows[:, :-1].copy(), c.center, c.inv_scale)
    descent.to_reported_units(rows)
    np.testing.assert_array_equal(rows[0], np.r_[b0, b[0], 9.0])
    # with standardize=True the centre is the means and the scale 1/std
    np.testing.assert_allclose(c.center, x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(c.inv_scale, 1 / x.std(axis=0), rtol=1e-12)


def test_more_parameters_than_points_is_warned():
    x, y = np.ones((2, 3)), np.ones(2)
    with pytest.warns(UserWarning, match="3 features for 2 points"):
        Descent(DataSums(x, y, None, 2.0), np.zeros(4), True, False, stacklevel=2)


def test_lazy_limits_are_the_learning_rate_limits(data):
    x, y = data
    descent = Descent(DataSums(x, y, None, float(len(x))), np.zeros(3), True, False)
    limits = descent.lazy_limits("half_mse")()
    expected = gdfast.learning_rate_limits(x)
    np.testing.assert_allclose(limits.eigenvalues, expected.eigenvalues, rtol=1e-12)


@pytest.mark.bitwise
def test_the_slices_do_not_change_the_descent(data, monkeypatch):
    # many short slices continue the same state: the same floats as one long slice
    x, y = data
    whole = gdfast.fit(x, y, learning_rate=0.1, max_iter=3000, tol=None)
    monkeypatch.setattr(_descent, "POINTS_PER_SLICE", 7 * len(x))
    sliced = gdfast.fit(x, y, learning_rate=0.1, max_iter=3000, tol=None)
    assert np.array_equal(whole.history.coef, sliced.history.coef)
    assert np.array_equal(whole.history.iteration, sliced.history.iteration)


@pytest.mark.parametrize("iterations, seconds, expected", [
    (100, 0.01, 200), (100, 0.0, 1000), (0, 1.0, 1000), (10**9, 0.01, 1000), (1, 10.0, 1)])
def test_the_next_slice_lasts_about_its_share_of_a_second(iterations, seconds, expected):
    assert _descent._next_slice(1000, iterations, seconds) == expected
