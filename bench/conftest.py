"""Benchmark fixtures.  The bench modules import their helpers from peers.py,
next to this file (pytest runs with --import-mode=importlib, which does not
put test directories on sys.path)."""
import os
import sys
from pathlib import Path

# NumPy's OpenBLAS starts worker threads that spin for a while after a BLAS
# call, taking a core from the threaded kernels being timed (gdfast's, Numba's
# and the read floor alike; `perf record` found blas_thread_server in 23% of
# the samples of a one-thread kernel run).  No benchmark
# here times a BLAS call that a second thread would speed up (LinearRegression
# solves a two-column least-squares problem).  Must be set before NumPy loads.
_BLAS_LIMITED = "numpy" not in sys.modules
if _BLAS_LIMITED:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from peers import LEARNING_RATE, NUMBA, make_data  # noqa: E402


def pytest_report_header(config):
    if _BLAS_LIMITED:
        return f"OpenBLAS threads: {os.environ['OPENBLAS_NUM_THREADS']} (bench/conftest.py)"
    return "OpenBLAS threads: not limited (NumPy was imported before bench/conftest.py)"


@pytest.fixture
def numba_peers():
    """(numba, serial, parallel), compiled for both dtypes; skip without Numba."""
    if NUMBA is None:
        pytest.skip("Numba is not installed (pip install '.[bench]')")
    numba, serial, parallel = NUMBA
    for dtype in (np.float64, np.float32):
        x, y = make_data(100, dtype)
        serial(x, y, LEARNING_RATE, 1, np.empty(1))
        parallel(x, y, LEARNING_RATE, 1, np.empty(1))
    return NUMBA
