"""gdfast.cost against a direct NumPy computation."""
import numpy as np
import pytest

import gdfast


def test_cost_matches_numpy(line_data):
    x, y = line_data
    r = 0.0 + -5.0 * x - y
    assert gdfast.cost(x, y, 0.0, -5.0, kind="mse") == pytest.approx(np.mean(r ** 2), rel=1e-13)
    assert gdfast.cost(x, y, 0.0, -5.0, kind="half_mse") == pytest.approx(np.mean(r ** 2) / 2,
                                                                          rel=1e-13)


def test_cost_defaults_to_the_cost_fit_minimises(line_data):
    # one default for both: the one-half MSE (fit's history row 0 is the cost at the start)
    x, y = line_data
    start = gdfast.fit(x, y, max_iter=0, tol=None, init=(0.0, -5.0))
    assert gdfast.cost(x, y, 0.0, -5.0) == pytest.approx(start.history.cost[0], rel=1e-13)
    r = 0.0 + -5.0 * x - y
    assert gdfast.cost(x, y, 0.0, -5.0) == pytest.approx(np.mean(r ** 2) / 2, rel=1e-13)


@pytest.mark.bitwise
def test_cost_is_zero_on_the_line():
    x = np.linspace(-3, 3, 11)
    # exactly 0 in every build: 2 * x is exact, so b0 + b1 * x rounds once, with FMA or
    # without, to the same float as y
    assert gdfast.cost(x, 1.0 + 2.0 * x, 1.0, 2.0) == 0.0


def test_cost_float32():
    x = np.arange(5, dtype=np.float32)
    val = gdfast.cost(x, x + np.float32(1), 0.0, 1.0)
    assert type(val) is float and val == pytest.approx(0.5, rel=1e-12)


def test_fit_cost_is_cost_at_result(line_data):
    x, y = line_data
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=30, tol=None, cost="mse")
    assert res.cost == pytest.approx(gdfast.cost(x, y, res.intercept, res.slope, kind="mse"),
                                     rel=1e-12)
    res = gdfast.fit(x, y, learning_rate=0.1, max_iter=30, tol=None)
    assert res.cost == pytest.approx(gdfast.cost(x, y, res.intercept, res.slope), rel=1e-12)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(intercept="a", slope=1.0), TypeError, "intercept must be a real number"),
    (dict(intercept=0.0, slope=np.nan), ValueError, "slope must be a finite number"),
    (dict(intercept=0.0, slope=1.0, kind="mae"), ValueError, "kind must be one of"),
])
def test_cost_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gdfast.cost([1.0, 2.0], [1.0, 2.0], **kwargs)


def test_cost_bad_data():
    with pytest.raises(ValueError, match=r"x and y must have the same length, got 2 and 3"):
        gdfast.cost([1.0, 2.0], [1.0, 2.0, 3.0], 0.0, 0.0)
