"""Time per batch iteration with d features (issue 16): gdfast's engine against the read
floor and its peers, for d in {2, 5, 20, 100} x {float64 F, float64 C, float32 F}, N = 1e6.

    pip install ".[bench]" && pip install torch==2.13.0
    python bench/report.py --runs 3 features      # runs this module 3 times, prints the tables

Every benchmark of a case (one d, dtype and order, one group) makes
``extra_info["iterations"]`` iterations (passes over the same data) per call;
bench/report.py divides the median time per call by that count, and gives each
contender's ratio to the read floor and gdfast's ratio to each peer, in the
same run.  The contenders:

- **read floor**: ``read_floor_features``, a pass that only sums every value of x
  and y, in the d-feature pass's blocks, on the same thread team with a barrier
  per pass: what any pass over the data must cost.
- **gdfast**: ``run_descent``, the engine call ``gdfast.fit`` makes, on all cores
  and on one thread (no history beyond two rows, no stopping rule).
- **NumPy loop**: the text of issue 16, in x's dtype, with NumPy's BLAS on all
  cores.
- **Numba fused**: one ``parallel=True, fastmath=True`` pass per iteration,
  per-thread partial sums (bench/peers.py), on all cores.
- **torch**: the NumPy loop on torch tensors sharing x's memory, on all cores
  (skipped unless torch is installed: it is not in the bench extra, see
  bench/README.md).

No assertion here is about time.
"""
import numpy as np
import pytest
from peers import (ALL_THREADS, LEARNING_RATE, engine_batch, make_features, numpy_features_loop,
                   quick, torch_features_loop)

from gdfast._engine import kernels as K

N = 10_000 if quick() else 1_000_000
CASES = [(d, dtype, order) for d in (2, 5, 20, 100)
         for dtype, order in (("float64", "F"), ("float64", "C"), ("float32", "F"))]
# values of x read per round: rounds of 0.05-0.5 s at N = 1e6 on 2 cores
VALUES_PER_ROUND = 100_000_000
ROUNDS = 5


def iterations_for(n, d):
    return 1 if quick() else max(2, VALUES_PER_ROUND // (n * d))


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"d={c[0]}-{c[1]}-{c[2]}")
def data(request):
    d, dtype, order = request.param
    x, y = make_features(N, d, dtype, order)
    return x, y


def _run(benchmark, data, function, args, threads):
    x, y = data
    n, d = x.shape
    order = "F" if x.flags.f_contiguous else "C"
    iterations = iterations_for(n, d)
    benchmark.group = f"features d={d} {x.dtype} {order}"
    benchmark.extra_info.update(n=n, d=d, dtype=str(x.dtype), order=order,
                                iterations=iterations, threads=threads)
    return benchmark.pedantic(function, args=(x, y, iterations, *args), rounds=ROUNDS,
                              warmup_rounds=1)


def test_read_floor(benchmark, data):
    _run(benchmark, data, K.read_floor_features, (ALL_THREADS,), ALL_THREADS)


@pytest.mark.parametrize("threads", [ALL_THREADS, 1], ids=["allthreads", "1thread"])
def test_gdfast(benchmark, data, threads):
    status, k, _ = _run(benchmark, data, lambda x, y, it, t: engine_batch(K, x, y, it, t),
                        (threads,), threads)
    assert (status, k) == (K.STATUS_MAX_ITER, benchmark.extra_info["iterations"])


def test_numpy_loop(benchmark, data, blas_threads):
    with blas_threads(ALL_THREADS):
        _run(benchmark, data, lambda x, y, it: numpy_features_loop(x, y, LEARNING_RATE, it), (),
             ALL_THREADS)


def test_numba_fused(benchmark, data, numba_features):
    numba, features = numba_features
    numba.set_num_threads(ALL_THREADS)
    _run(benchmark, data,
         lambda x, y, it: features(x, y, LEARNING_RATE, it, np.empty(it)), (), ALL_THREADS)


def test_torch(benchmark, data):
    torch = pytest.importorskip("torch", reason="torch is not installed "
                                "(pip install torch==2.13.0: bench/README.md)")
    torch.set_num_threads(ALL_THREADS)
    _run(benchmark, data, lambda x, y, it: torch_features_loop(torch, x, y, LEARNING_RATE, it),
         (), ALL_THREADS)
