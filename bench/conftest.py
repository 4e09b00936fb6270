"""Benchmark fixtures.  The bench modules import their helpers from peers.py,
next to this file (pytest runs with --import-mode=importlib, which does not
put test directories on sys.path)."""
import os
import sys
from pathlib import Path

# NumPy's OpenBLAS starts worker threads that spin for a while after a BLAS
# call, taking a core from the threaded kernels being timed (gdfast's, Numba's
# and the read floor alike; `perf record` found blas_thread_server in 23% of
# the samples of a one-thread kernel run).  The benchmarks that time BLAS
# calls a second thread speeds up (the d-feature NumPy loop, scikit-learn's
# LinearRegression) raise the limit around those calls only (`blas_threads`).
# Must be set before NumPy loads.
_BLAS_LIMITED = "numpy" not in sys.modules
if _BLAS_LIMITED:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from peers import LEARNING_RATE, NUMBA, make_data, make_features  # noqa: E402


def pytest_configure(config):
    # each benchmark once, untimed (CI): the bench modules read this at
    # collection and use small data, so that the run stays short
    if config.getoption("benchmark_disable", False):
        os.environ["GDFAST_BENCH_QUICK"] = "1"


def pytest_report_header(config):
    if _BLAS_LIMITED:
        return f"OpenBLAS threads: {os.environ['OPENBLAS_NUM_THREADS']} (bench/conftest.py)"
    return "OpenBLAS threads: not limited (NumPy was imported before bench/conftest.py)"


@pytest.fixture
def numba_peers():
    """(numba, serial, parallel), compiled for both dtypes; skip without Numba."""
    if NUMBA is None:
        pytest.skip("Numba is not installed (pip install '.[bench]')")
    numba, serial, parallel, _ = NUMBA
    for dtype in (np.float64, np.float32):
        x, y = make_data(100, dtype)
        serial(x, y, LEARNING_RATE, 1, np.empty(1))
        parallel(x, y, LEARNING_RATE, 1, np.empty(1))
    return numba, serial, parallel


@pytest.fixture
def numba_features():
    """(numba, fused d-feature loop), compiled for the layouts and dtypes of the
    benchmarks; skip without Numba."""
    if NUMBA is None:
        pytest.skip("Numba is not installed (pip install '.[bench]')")
    numba, _, _, features = NUMBA
    for dtype in (np.float64, np.float32):
        for order in "CF":
            x, y = make_features(1000, 3, dtype, order)
            features(x, y, LEARNING_RATE, 1, np.empty(1))
    return numba, features


@pytest.fixture
def blas_threads():
    """A context manager: NumPy's BLAS on ``n`` threads inside it (threadpoolctl), back to
    the limit of conftest.py after; skip without threadpoolctl."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return lambda n: threadpoolctl.threadpool_limits(limits=n, user_api="blas")
