"""Shared data and peers for the benchmarks (imported by the bench modules).

The peers do the same work per iteration as gdfast's batch kernel: the
residual sums (sum r, sum r*x) for the gradient and sum r**2 for the cost,
which is stored every iteration (as gdfast's history does) so that no
compiler may drop it.  The NumPy tutorial loop is the tutorial's, as is.
"""
import os

import numpy as np

from gdfast import _threads
# the tutorial's vectorized NumPy loop, the one `gdfast bench` also times
from gdfast._bench import numpy_loop  # noqa: F401 - re-exported for the bench modules

LEARNING_RATE = 0.1
ALL_THREADS = _threads.available_cores()
# per benchmark round: bounds the run time at every N, and makes every round
# last milliseconds, long against the timer and a stray interrupt
POINT_VISITS = 16_000_000


def iterations_for(n):
    """Iterations per round: about POINT_VISITS points visited, at least one."""
    return max(1, POINT_VISITS // n)


def gdfast_batch(kernels, x, y, iterations, n_threads):
    """`iterations` batch iterations of gdfast's kernel from (0, 0), no history kept."""
    n = len(x)
    state = np.array([0.0, 0.0, np.inf, 0.0, 0.0, 0.0, 1.0])
    rows = np.empty((2, 3))
    row_iteration = np.empty(2, dtype=np.intp)
    return kernels.run_descent(x, y, state, 0, iterations, LEARNING_RATE, 1.0 / n, 0.5 / n,
                               iterations, -1.0, 0, rows, row_iteration, n_threads)


def make_data(n, dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, n)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, n)
    return x.astype(dtype), y.astype(dtype)


def python_loop(x, y, learning_rate, n_updates):
    """A pure-Python loop over lists, the same three sums per iteration."""
    x, y = x.tolist(), y.tolist()
    n = len(x)
    b0 = b1 = 0.0
    costs = []
    for _ in range(n_updates):
        s0 = s1 = s2 = 0.0
        for xi, yi in zip(x, y):
            r = b0 + b1 * xi - yi
            s0 += r
            s1 += r * xi
            s2 += r * r
        costs.append(0.5 * s2 / n)
        b0, b1 = b0 - learning_rate * s0 / n, b1 - learning_rate * s1 / n
    return b0, b1, costs


def _numba_peers():
    """(serial, parallel) Numba versions of the batch loop, or None without Numba."""
    if os.environ.get("GDFAST_BENCH_NO_NUMBA") == "1":
        return None
    try:
        import numba
    except ImportError:
        return None

    def descent(x, y, learning_rate, n_updates, costs):
        n = x.shape[0]
        b0 = 0.0
        b1 = 0.0
        for k in range(n_updates):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for i in numba.prange(n):
                r = b0 + b1 * x[i] - y[i]
                s0 += r
                s1 += r * x[i]
                s2 += r * r
            costs[k] = 0.5 * s2 / n
            b0 -= learning_rate * s0 / n
            b1 -= learning_rate * s1 / n
        return b0, b1

    serial = numba.njit(fastmath=True)(descent)          # prange is range here
    parallel = numba.njit(fastmath=True, parallel=True)(descent)
    return numba, serial, parallel


NUMBA = _numba_peers()
