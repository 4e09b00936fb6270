"""gdfast.dask on a LocalCluster of 2 worker processes (1 thread each) against the local kernel.

    pip install ".[bench,dask]" && pytest bench/test_bench_dask.py --benchmark-json=dask.json && python bench/report.py dask.json

Per iteration, on the same data (N x 3 float64 in 4 row blocks):

- **local kernel**: ``gdfast.fit`` (the d-feature kernel, one thread, one
  Gram pass included), ITERATIONS iterations per round;
- **dask batch iteration**: one distributed pass of ``gdfast.dask.fit``'s
  batch method (the parameters sent to a task per block, the kernel's
  partial sums gathered through the tree) on blocks already persisted;
- **task round trip**: one empty task submitted and its result gathered:
  the floor of any iteration that goes through the scheduler;
- **dask fit set-up**: ``gdfast.dask.fit(max_iter=0)``: persist, check,
  statistics pass, one cost evaluation (batch), or the one pass (stats);
- **dask-ml** ``LinearRegression(solver="gradient_descent")`` when dask-ml
  is installed (the `bench` extra installs it; skipped without it).

No assertion here is about time.  Results: bench/README.md, "Dask".
"""
import dask.array as da
import distributed
import numpy as np
import pytest

from peers import quick

import gdfast
import gdfast.dask

ITERATIONS = 10
LEARNING_RATE = 0.1
BLOCKS = 4


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module", params=[20_000] if quick() else [100_000, 1_000_000],
                ids=lambda n: f"n={n}")
def data(request):
    n = request.param
    # made by Dask, as data too big for the client would be (not sent in the graph)
    rng = da.random.default_rng(0)
    X = rng.normal(size=(n, 3), chunks=(n // BLOCKS, 3))
    Y = X.sum(axis=1) + rng.normal(size=n, chunks=n // BLOCKS)
    return n, X.compute(), Y.compute(), X, Y


def _info(benchmark, n, iterations, what):
    benchmark.extra_info.update(iterations=iterations, n=n, blocks=BLOCKS, workers=2)
    benchmark.group = f"dask n={n}: {what}"


def test_local_kernel(benchmark, data):
    n, x, y, _, _ = data
    _info(benchmark, n, ITERATIONS, "per iteration")
    res = benchmark(gdfast.fit, x, y, learning_rate=LEARNING_RATE, max_iter=ITERATIONS,
                    tol=None)
    assert res.n_iter == ITERATIONS


def test_dask_batch_iteration(benchmark, data, client):
    n, _, _, X, Y = data
    x, y, w = gdfast.dask._check_arrays(X, Y, None)
    sums_source = gdfast.dask._cluster_sums(client, x, y, w)   # persist, statistics pass
    params, center, inv_scale = np.zeros(4), np.zeros(3), np.ones(3)

    def iterations():
        for _ in range(ITERATIONS):
            sums = sums_source._sums(params, center, inv_scale, True)
        return sums

    _info(benchmark, n, ITERATIONS, "per iteration")
    sums = benchmark(iterations)
    np.testing.assert_allclose(sums[0], -Y.sum().compute(), rtol=1e-12)


def test_task_round_trip(benchmark, data, client):
    n = data[0]
    _info(benchmark, n, 1, "per iteration")
    benchmark(lambda: client.submit(int, pure=False).result())


@pytest.mark.parametrize("method", ["batch", "stats"])
def test_dask_fit_setup(benchmark, data, client, method):
    n, _, _, X, Y = data
    _info(benchmark, n, 1, "set-up")
    benchmark(gdfast.dask.fit, X, Y, method=method, max_iter=0, tol=None, client=client)


def test_dask_ml_gradient_descent(benchmark, data, client):
    linear_model = pytest.importorskip("dask_ml.linear_model")   # a peer, not a dependency
    n, _, _, X, Y = data
    _info(benchmark, n, ITERATIONS, "per iteration")
    model = linear_model.LinearRegression(solver="gradient_descent", max_iter=ITERATIONS,
                                          tol=0.0, fit_intercept=True)
    X, Y = client.persist([X, Y])
    benchmark(model.fit, X, Y)
