"""A large fit allocates nothing that grows with N, beyond the recorded history."""
import tracemalloc

import numpy as np
import pytest

import gdfast


@pytest.fixture(scope="module")
def ten_million():
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, 10_000_000)
    return x, 2.0 + 1.5 * x + rng.normal(0.0, 0.5, x.size)


@pytest.mark.parametrize("method", ["batch", "stats"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_fit_of_1e7_points_allocates_under_1mb_beyond_history(ten_million, method, n_threads):
    x, y = ten_million
    tracemalloc.start()
    try:
        res = gdfast.fit(x, y, learning_rate=0.5, max_iter=5, tol=None, method=method,
                         n_threads=n_threads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    h = res.history
    history_bytes = sum(a.nbytes for a in (h.iteration, h.intercept, h.slope, h.cost))
    assert len(h) == 6
    # the kernel's block sums (~0.2 MB at 1e7 points) are traced too: they
    # are allocated with PyMem_RawMalloc
    assert peak - history_bytes < 1_000_000
    assert res.cost == pytest.approx(gdfast.cost(x, y, res.intercept, res.slope, kind="half_mse"))
