"""Whole fits: gdfast.fit's fixed cost, and time to a converged line against scikit-learn.

No assertion here is about time.
"""
import numpy as np
import pytest
from peers import make_data, quick

import gdfast

TOL = 1e-8            # gradient-norm tolerance of gdfast; the cost reached is recorded
LEARNING_RATE = 0.8   # stable for x in [0, 2] (largest Hessian eigenvalue ~2.2)


@pytest.mark.parametrize("max_iter", [1])
def test_fit_overhead_n100(benchmark, max_iter):
    # the thin layer: validation, allocation, one kernel call, the result
    x, y = make_data(100, np.float64)
    benchmark.group = "fit call, N=100"
    res = benchmark(gdfast.fit, x, y, learning_rate=0.1, max_iter=max_iter, tol=None)
    assert res.n_iter == 1


@pytest.fixture(scope="module", params=[10_000] if quick() else [1_000_000, 10_000_000],
                ids=lambda n: f"n={n}")
def big(request):
    x, y = make_data(request.param, np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    best = 0.5 * np.mean((intercept + slope * x - y) ** 2)
    return request.param, x, y, best


def _record(benchmark, n, x, y, best, intercept, slope):
    cost = gdfast.cost(x, y, intercept, slope, kind="half_mse")
    benchmark.extra_info.update(n=n, excess_cost=(cost - best) / best)


@pytest.mark.parametrize("method", ["batch", "stats"])
def test_gdfast_fit(benchmark, big, method):
    n, x, y, best = big
    benchmark.group = f"whole fit n={n}"
    res = benchmark.pedantic(gdfast.fit, args=(x, y), rounds=3, kwargs=dict(
        learning_rate=LEARNING_RATE, max_iter=100_000, tol=TOL, record_every=0,
        method=method))
    assert res.converged
    _record(benchmark, n, x, y, best, res.intercept, res.slope)
    benchmark.extra_info["n_iter"] = res.n_iter


def test_sklearn_linear_regression(benchmark, big):
    linear_model = pytest.importorskip("sklearn.linear_model")
    n, x, y, best = big
    benchmark.group = f"whole fit n={n}"
    model = benchmark.pedantic(lambda: linear_model.LinearRegression().fit(x[:, None], y),
                               rounds=3)
    _record(benchmark, n, x, y, best, model.intercept_, model.coef_[0])


def test_sklearn_sgd_regressor(benchmark, big):
    linear_model = pytest.importorskip("sklearn.linear_model")
    n, x, y, best = big
    benchmark.group = f"whole fit n={n}"
    model = benchmark.pedantic(lambda: linear_model.SGDRegressor(tol=1e-6, random_state=0).fit(
        x[:, None], y), rounds=1)
    _record(benchmark, n, x, y, best, model.intercept_[0], model.coef_[0])
