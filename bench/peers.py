"""Shared data and peers for the benchmarks (imported by the bench modules).

The peers do the same work per iteration as gdfast's batch pass: the residual
sums (sum r, X.T @ r) for the gradient and sum r**2 for the cost, which is
stored every iteration (as gdfast's history does) so that no compiler may
drop it.  The NumPy loops are the tutorials', as they are written (the
d-feature one is the text of issue 16, without the cost).
"""
import os

import numpy as np

from gdfast import _threads
from gdfast._engine import kernels as engine
# the tutorial's vectorized NumPy loop, the one `gdfast bench` also times
from gdfast.cli._bench import numpy_loop  # noqa: F401 - re-exported for the bench modules

LEARNING_RATE = 0.1
ALL_THREADS = _threads.available_cores()
# per benchmark round: bounds the run time at every N, and makes every round
# last milliseconds, long against the timer and a stray interrupt
POINT_VISITS = 16_000_000


def quick():
    """True under ``pytest --benchmark-disable`` (each benchmark once, untimed: CI), where
    the bench modules use small data (conftest.py sets GDFAST_BENCH_QUICK)."""
    return os.environ.get("GDFAST_BENCH_QUICK") == "1"


def iterations_for(n):
    """Iterations per round: about POINT_VISITS points visited, at least one."""
    return max(1, POINT_VISITS // n)


def engine_batch(kernels, x, y, iterations, n_threads, state=None):
    """``iterations`` batch iterations of gdfast's engine (``run_descent``, the call
    ``gdfast.fit`` makes) from 0, at LEARNING_RATE, no stopping rule, two history rows;
    x of shape (N,) or (N, d).  Returns (status, iteration, rows written); ``state``
    (``kernels.state_size(d + 1)`` doubles), if given, receives the descent's state."""
    x = x if x.ndim == 2 else x[:, None]
    n, d = x.shape
    state = np.zeros(kernels.state_size(d + 1)) if state is None else state
    state[:] = 0.0
    state[[kernels.STATE_GRAD_NORM, kernels.STATE_PREV_RECORDED, kernels.STATE_COST_LIMIT]] = (
        np.inf, 1.0, np.inf)
    rows = np.empty((2, d + 2))
    row_iteration = np.empty(2, dtype=np.intp)
    # stop_at beyond max_iter: the descent ends with MAX_ITER
    return kernels.run_descent(x, y, None, np.zeros(d), np.ones(d), True, state, 0,
                               iterations + 1, LEARNING_RATE, 1.0 / n, 0.5 / n, iterations,
                               -1.0, np.inf, 0, rows, row_iteration, n_threads)


def gdfast_batch(kernels, x, y, iterations, n_threads):
    """One-feature batch iterations (1-D x: the engine's one-feature pass)."""
    return engine_batch(kernels, x, y, iterations, n_threads)


def make_data(n, dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, n)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, n)
    return x.astype(dtype), y.astype(dtype)


def make_features(n, d, dtype, order):
    """x (n, d) of standard normal columns in ``order`` ("C" or "F"), drawn in that layout
    (no copy of a large array), and y = 1 + x @ w + noise, both of ``dtype``.

    The Hessian of the half-MSE is then close to the identity (largest
    eigenvalue about 1 + sqrt(d/n)): LEARNING_RATE is far inside the stable range."""
    rng = np.random.default_rng(d)
    dtype = np.dtype(dtype)
    if order == "F":
        x = rng.standard_normal((d, n), dtype=dtype).T
    else:
        x = rng.standard_normal((n, d), dtype=dtype)
    w = np.linspace(-1.0, 1.0, d).astype(dtype)
    y = x @ w
    y += dtype.type(1.0)
    y += rng.standard_normal(n, dtype=dtype)
    return x, y


def numpy_features_loop(x, y, learning_rate, n_updates):
    """The vectorized NumPy loop of issue 16, in x's dtype:
    r = X @ b; r += b0 - y; b0 -= a*r.mean(); b -= (a/n) * (X.T @ r)."""
    n, d = x.shape
    b = np.zeros(d, dtype=x.dtype)
    b0 = x.dtype.type(0.0)
    a = x.dtype.type(learning_rate)
    for _ in range(n_updates):
        r = x @ b
        r += b0 - y
        b0 -= a * r.mean()
        b -= (a / n) * (x.T @ r)
    return b0, b


def torch_features_loop(torch, x, y, learning_rate, n_updates):
    """The same loop in torch, on tensors that share x's and y's memory (no copy)."""
    n, d = x.shape
    with torch.no_grad():
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        b = torch.zeros(d, dtype=xt.dtype)
        b0 = torch.zeros((), dtype=xt.dtype)
        for _ in range(n_updates):
            r = xt @ b
            r += b0 - yt
            b0 -= learning_rate * r.mean()
            b -= (learning_rate / n) * (xt.T @ r)
    return b0, b


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


# rows of a block in the fused Numba loop over d features: r for the block
# stays in L1 while its columns are read for X.T @ r
NUMBA_BLOCK = 256


def _numba_peers():
    """(numba, serial, parallel, features) Numba versions of the batch loop, or None
    without Numba."""
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

    def features_descent(x, y, learning_rate, n_updates, costs):
        # one fused pass per iteration: each thread takes a contiguous share
        # of the rows and sums (sum r, X.T @ r, sum r**2) into its own row of
        # `partial`, in blocks of rows whose r stays in cache; C order reads
        # each row once, F order each column of a block once
        n, d = x.shape
        n_parts = numba.get_num_threads()
        share = (n + n_parts - 1) // n_parts
        b = np.zeros(d)
        b0 = 0.0
        partial = np.zeros((n_parts, d + 2))
        scratch = np.empty((n_parts, NUMBA_BLOCK))
        by_rows = x.strides[1] == x.itemsize
        for k in range(n_updates):
            for t in numba.prange(n_parts):
                acc = partial[t]
                acc[:] = 0.0
                r = scratch[t]
                for start in range(t * share, min(n, (t + 1) * share), NUMBA_BLOCK):
                    rows = min(NUMBA_BLOCK, n - start, (t + 1) * share - start)
                    if by_rows:
                        for i in range(rows):
                            ri = b0 - y[start + i]
                            for j in range(d):
                                ri += x[start + i, j] * b[j]
                            acc[0] += ri
                            acc[d + 1] += ri * ri
                            for j in range(d):
                                acc[1 + j] += ri * x[start + i, j]
                    else:
                        for i in range(rows):
                            r[i] = b0 - y[start + i]
                        for j in range(d):
                            for i in range(rows):
                                r[i] += x[start + i, j] * b[j]
                        s0 = 0.0
                        s2 = 0.0
                        for i in range(rows):
                            s0 += r[i]
                            s2 += r[i] * r[i]
                        acc[0] += s0
                        acc[d + 1] += s2
                        for j in range(d):
                            sj = 0.0
                            for i in range(rows):
                                sj += r[i] * x[start + i, j]
                            acc[1 + j] += sj
            sums = partial.sum(axis=0)
            costs[k] = 0.5 * sums[d + 1] / n
            b0 -= learning_rate * sums[0] / n
            for j in range(d):
                b[j] -= learning_rate * sums[1 + j] / n
        return b0, b

    serial = numba.njit(fastmath=True)(descent)          # prange is range here
    parallel = numba.njit(fastmath=True, parallel=True)(descent)
    features = numba.njit(fastmath=True, parallel=True)(features_descent)
    return numba, serial, parallel, features


NUMBA = _numba_peers()
