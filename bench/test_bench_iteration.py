"""Time per batch iteration with one feature (1-D x): gdfast's engine against its peers
and the read floor.

Every benchmark in a group (one N, one dtype) makes `extra_info["iterations"]`
iterations (passes over the same data) per call, pytest-benchmark reports the
time per call, and bench/report.py divides it by that count for the
per-iteration table of bench/README.md.  No assertion here is about time.
"""
import numpy as np
import pytest
from peers import (ALL_THREADS, LEARNING_RATE, gdfast_batch, iterations_for, make_data,
                   numpy_loop, python_loop, quick)

from gdfast import _engine

K = _engine.kernels
SIZES = [1_000, 10_000, 100_000] + ([] if quick() else [1_000_000, 10_000_000])
ROUNDS = 9


@pytest.fixture(scope="module", params=[(n, d) for n in SIZES for d in ("float64", "float32")],
                ids=lambda p: f"n={p[0]}-{p[1]}")
def data(request):
    n, dtype = request.param
    x, y = make_data(n, np.dtype(dtype))
    return n, x, y


def _run(benchmark, data, function, make_args, iterations=None, threads=1, calls=1):
    """Time `function`, `iterations` descent iterations per call; `calls`
    calls per round (pytest-benchmark reports the time per call)."""
    n, x, y = data
    iterations = iterations or iterations_for(n)
    benchmark.extra_info.update(iterations=iterations, threads=threads, n=n,
                                dtype=str(x.dtype))
    benchmark.group = f"n={n} {x.dtype}"
    return benchmark.pedantic(function, args=(x, y, *make_args(iterations)), rounds=ROUNDS,
                              iterations=calls, warmup_rounds=1)


def _gdfast_batch(x, y, iterations, n_threads):
    return gdfast_batch(K, x, y, iterations, n_threads)


@pytest.mark.parametrize("threads", [1, ALL_THREADS], ids=["1thread", "allthreads"])
def test_gdfast_batch(benchmark, data, threads):
    status, k, _ = _run(benchmark, data, _gdfast_batch, lambda it: (it, threads),
                        threads=threads)
    assert k == benchmark.extra_info["iterations"]


@pytest.mark.parametrize("threads", [1, ALL_THREADS], ids=["1thread", "allthreads"])
def test_read_floor(benchmark, data, threads):
    _run(benchmark, data, K.read_floor, lambda it: (it, threads), threads=threads)


def _run_one_pass(benchmark, data, function, args):
    """Time calls of `function(x, y, *args)` that make one pass each, on all
    cores: as many calls per round as the batch makes passes (a round of one
    1 µs call would be mostly the timer)."""
    return _run(benchmark, data, function, lambda it: args, iterations=1,
                threads=ALL_THREADS, calls=iterations_for(data[0]))


def test_read_floor_one_call(benchmark, data):
    # one pass in one call, as the stats pass makes: the floor of a one-pass
    # method, call and team start included
    _run_one_pass(benchmark, data, K.read_floor, (1, ALL_THREADS))


def test_gdfast_stats_pass(benchmark, data):
    # the one pass of method="stats"
    stats = np.empty(K.STATS_SIZE)
    _run_one_pass(benchmark, data, K.centred_stats, (stats, ALL_THREADS))
    assert stats[0] == data[0]


def test_numpy_loop(benchmark, data):
    _run(benchmark, data, numpy_loop, lambda it: (LEARNING_RATE, it),
         iterations=max(1, iterations_for(data[0]) // 10))


# a pure-Python loop needs seconds per iteration beyond these: timed at small N only
@pytest.mark.parametrize("n, dtype", [(n, d) for n in SIZES if n <= 10_000
                                      for d in ("float64", "float32")],
                         ids=lambda p: str(p))
def test_python_loop(benchmark, n, dtype):
    x, y = make_data(n, np.dtype(dtype))
    _run(benchmark, (n, x, y), python_loop, lambda it: (LEARNING_RATE, it), iterations=2)


def test_numba_fastmath(benchmark, data, numba_peers):
    _, serial, _ = numba_peers
    _run(benchmark, data, serial,
         lambda it: (LEARNING_RATE, it, np.empty(it)))


def test_numba_parallel(benchmark, data, numba_peers):
    numba, _, parallel = numba_peers
    numba.set_num_threads(ALL_THREADS)
    _run(benchmark, data, parallel, lambda it: (LEARNING_RATE, it, np.empty(it)),
         threads=ALL_THREADS)


def test_gdfast_stats_iterations(benchmark):
    # 1e6 iterations of method="stats" from given statistics: independent of N
    x, y = make_data(1000, np.float64)
    xc, yc = x - x.mean(), y - y.mean()
    gram, cross = np.array([[xc @ xc]]), np.array([xc @ yc])
    n = 10**6

    def descend():
        state = np.zeros(K.state_size(2))
        state[[K.STATE_GRAD_NORM, K.STATE_PREV_RECORDED, K.STATE_COST_LIMIT]] = (
            np.inf, 1.0, np.inf)
        rows = np.empty((2, 3))
        row_iteration = np.empty(2, dtype=np.intp)
        return K.run_descent_stats(gram, cross, np.array([x.mean()]), yc @ yc, len(x),
                                   y.mean(), True, state, 0, n, LEARNING_RATE, 1e-3, 5e-4, n,
                                   -1.0, np.inf, 0, rows, row_iteration)

    benchmark.extra_info.update(iterations=n, threads=1, n=0, dtype="float64")
    benchmark.group = "stats iterations"
    status, k, _ = benchmark.pedantic(descend, rounds=ROUNDS, warmup_rounds=1)
    assert k == n
