"""Several features: C- against F-ordered x, and gdfast against the NumPy loop.

    pip install ".[test]" && pytest bench/test_bench_features.py --benchmark-group-by=param:data --benchmark-columns=min,median,mean,rounds

Each benchmark makes ITERATIONS batch updates on the same data; the results
are in bench/features.md.  No assertion here is about time.
"""
import numpy as np
import pytest

import gdfast

ITERATIONS = 20
LEARNING_RATE = 0.1


def numpy_loop(x, y, learning_rate, n_updates):
    """The vectorized NumPy loop: one-half MSE, simultaneous updates of b0 and b."""
    n, d = x.shape
    b0, b = 0.0, np.zeros(d)
    for _ in range(n_updates):
        r = b0 + x @ b - y
        b0, b = b0 - learning_rate * r.sum() / n, b - learning_rate * (x.T @ r) / n
    return b0, b


@pytest.fixture(scope="module", params=[(100_000, 5), (100_000, 20), (1_000, 5)],
                ids=lambda p: f"n={p[0]},d={p[1]}")
def data(request):
    n, d = request.param
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d))
    return x, x.sum(axis=1) + rng.normal(size=n)


@pytest.mark.parametrize("order", ["C", "F"])
def test_gdfast(benchmark, data, order):
    x, y = data
    x = np.asarray(x, order=order)
    res = benchmark(gdfast.fit, x, y, learning_rate=LEARNING_RATE, max_iter=ITERATIONS,
                    tol=None, record_every=0)
    _, b = numpy_loop(x, y, LEARNING_RATE, ITERATIONS)
    np.testing.assert_allclose(res.coef, b, rtol=1e-9)


def test_numpy_loop(benchmark, data):
    x, y = data
    benchmark(numpy_loop, x, y, LEARNING_RATE, ITERATIONS)


@pytest.mark.parametrize("order", ["C", "F"])
def test_gdfast_stats(benchmark, data, order):
    # method="stats": the one pass for the statistics, then O(d**2) updates
    x, y = data
    x = np.asarray(x, order=order)
    res = benchmark(gdfast.fit, x, y, learning_rate=LEARNING_RATE, max_iter=ITERATIONS,
                    tol=None, record_every=0, method="stats", n_threads=1)
    _, b = numpy_loop(x, y, LEARNING_RATE, ITERATIONS)
    np.testing.assert_allclose(res.coef, b, rtol=1e-9)


def test_statistics_pass(benchmark, data):
    # the one pass alone (Statistics.from_arrays), on one thread
    x, y = data
    stats = benchmark(gdfast.Statistics.from_arrays, np.asfortranarray(x), y)
    assert stats.n == len(y)
