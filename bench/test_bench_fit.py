"""gdfast.fit against the NumPy vectorized loop, same data, same iterations.

Run (prints a table grouped by N; compare the ``Mean`` column within a group):

    pip install ".[test]" && pytest bench --benchmark-group-by=param:data --benchmark-columns=min,median,mean,rounds

Each benchmark makes ITERATIONS batch updates, so per-iteration time is the
time shown divided by ITERATIONS.  No assertion here is about time.
"""
import numpy as np
import pytest

import gdfast

ITERATIONS = 20
LEARNING_RATE = 0.1


def numpy_loop(x, y, learning_rate, n_updates, init=(0.0, 0.0)):
    """The tutorial's vectorized NumPy loop: one-half MSE, simultaneous updates."""
    b0, b1 = init
    n = len(x)
    for _ in range(n_updates):
        r = b0 + b1 * x - y
        b0, b1 = b0 - learning_rate * r.sum() / n, b1 - learning_rate * (r * x).sum() / n
    return b0, b1


@pytest.fixture(scope="module", params=[1_000, 100_000, 1_000_000], ids=lambda n: f"n={n}")
def data(request):
    rng = np.random.default_rng(0)
    n = request.param
    x = rng.uniform(0.0, 2.0, n)
    return n, x, 2.0 + 1.5 * x + rng.normal(0.0, 0.5, n)


def test_gdfast(benchmark, data):
    n, x, y = data
    res = benchmark(gdfast.fit, x, y, learning_rate=LEARNING_RATE, max_iter=ITERATIONS,
                    tol=None, record_every=0)
    b0, b1 = numpy_loop(x, y, LEARNING_RATE, ITERATIONS)
    assert res.slope == pytest.approx(b1, rel=1e-9)


def test_numpy_loop(benchmark, data):
    n, x, y = data
    benchmark(numpy_loop, x, y, LEARNING_RATE, ITERATIONS)
