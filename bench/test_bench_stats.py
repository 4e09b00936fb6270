"""Whole fits of ``method="stats"`` against the closed-form peers (issue 16): N = 1e6
points of d features in F order, d in {5, 20, 100}, standardized, to tol = 1e-10.

    pip install ".[bench]"
    python bench/report.py --runs 3 stats

- **gdfast**: ``gdfast.fit(x, y, method="stats", standardize=True,
  learning_rate="auto", tol=1e-10)``: validation, the one statistics pass, the
  descent on the statistics, the result (default threads).
- **scikit-learn** ``LinearRegression().fit(x, y)``: centring copy and a
  least-squares solve, NumPy's BLAS on all cores.
- **sklearnex** ``LinearRegression().fit(x, y)`` (scikit-learn-intelex, Intel
  oneDAL): the normal equations on oneDAL's threads.

The columns have means from -50 to 50 and spreads from 0.1 to 10, so that
standardizing matters.  No assertion here is about time; each benchmark
checks that its coefficients are those of the least-squares solution.
"""
import numpy as np
import pytest
from peers import ALL_THREADS, quick

import gdfast

N = 2_000 if quick() else 1_000_000
ROUNDS = 5
TOL = 1e-10


@pytest.fixture(scope="module", params=[5, 20, 100], ids=lambda d: f"d={d}")
def data(request):
    d = request.param
    rng = np.random.default_rng(d)
    mean = np.linspace(-50.0, 50.0, d)
    spread = np.logspace(-1.0, 1.0, d)
    x = (rng.standard_normal((d, N)) * spread[:, None] + mean[:, None]).T   # F order
    coef = rng.uniform(-1.0, 1.0, d) / spread
    y = 3.0 + x @ coef + rng.normal(0.0, 0.5, N)
    # the least-squares coefficients, from the centred normal equations (well
    # conditioned here: the columns are independent)
    xc = x - x.mean(axis=0)
    solution = np.linalg.solve(xc.T @ xc, xc.T @ (y - y.mean()))
    return x, y, solution


def _run(benchmark, data, fit, name):
    x, y, solution = data
    benchmark.group = f"stats fit d={x.shape[1]}"
    benchmark.extra_info.update(n=x.shape[0], d=x.shape[1], contender=name)
    coef = benchmark.pedantic(fit, args=(x, y), rounds=ROUNDS, warmup_rounds=1)
    # agreement to 1e-6 of the largest coefficient: a fit to the same line
    # (float64 normal equations of a well-conditioned problem on both sides)
    np.testing.assert_allclose(coef, solution, atol=1e-6 * np.abs(solution).max())


def test_gdfast_stats_fit(benchmark, data):
    def fit(x, y):
        res = gdfast.fit(x, y, method="stats", standardize=True, learning_rate="auto", tol=TOL)
        assert res.converged
        benchmark.extra_info["n_iter"] = res.n_iter
        return res.coef
    _run(benchmark, data, fit, "gdfast")


def test_sklearn_linear_regression(benchmark, data, blas_threads):
    linear_model = pytest.importorskip("sklearn.linear_model")
    with blas_threads(ALL_THREADS):
        _run(benchmark, data, lambda x, y: linear_model.LinearRegression().fit(x, y).coef_,
             "scikit-learn")


def test_sklearnex_linear_regression(benchmark, data):
    sklearnex = pytest.importorskip("sklearnex.linear_model",
                                    reason="scikit-learn-intelex is not installed")
    _run(benchmark, data, lambda x, y: sklearnex.LinearRegression().fit(x, y).coef_,
         "sklearnex")
