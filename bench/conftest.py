"""Benchmark fixtures.  The bench modules import their helpers from peers.py,
next to this file (pytest runs with --import-mode=importlib, which does not
put test directories on sys.path)."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from peers import LEARNING_RATE, NUMBA, make_data  # noqa: E402


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
