"""Shared test fixtures: seeded data and an independent NumPy oracle."""
import os
import subprocess
import sys

import numpy as np
import pytest


def numpy_descent(x, y, learning_rate, n_updates, cost="half_mse", init=(0.0, 0.0)):
    """The update rules transcribed in NumPy, one row per iteration.

    Returns an array of shape (n_updates + 1, 4): iteration, b0, b1, J, where
    row k holds the parameters after k updates and the cost there.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    b0, b1 = init
    rows = []
    for k in range(n_updates + 1):
        r = b0 + b1 * x - y
        if cost == "half_mse":
            J = np.sum(r ** 2) / (2 * n)
            g0, g1 = np.sum(r) / n, np.sum(r * x) / n
        else:
            J = np.sum(r ** 2) / n
            g0, g1 = 2 * np.sum(r) / n, 2 * np.sum(r * x) / n
        rows.append((k, b0, b1, J))
        b0, b1 = b0 - learning_rate * g0, b1 - learning_rate * g1  # together
    return np.array(rows)


@pytest.fixture
def oracle():
    return numpy_descent


@pytest.fixture
def line_data():
    """200 noisy points around y = 2 + 1.5 x, x in [0, 2]."""
    rng = np.random.default_rng(12345)
    x = rng.uniform(0.0, 2.0, 200)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, 200)
    return x, y


# Pictures are drawn off screen, and every figure a test makes is closed.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def run_python(tmp_path):
    """Run ``python -c code`` in a fresh process, in tmp_path (outside the repository)."""
    def run(code):
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    return run
