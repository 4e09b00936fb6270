"""Shared test fixtures: seeded data and an independent NumPy oracle."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# tests/nist.py, the NIST StRD reader, is test support (not in the package): the
# test modules import it as ``nist`` from this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))


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


def numpy_descent_features(x, y, learning_rate, n_updates, cost="half_mse", init=None,
                           fit_intercept=True, sample_weight=None):
    """The d-feature update rules transcribed in NumPy, one row per iteration.

    Returns an array of shape (n_updates + 1, d + 3): iteration, b0, b1..bd, J,
    where row k holds the parameters after k updates and the cost there; b0
    stays 0 without intercept.  With ``sample_weight`` w:
    J = sum w r**2 / (2 sum w) and the gradient (sum w r, x.T @ (w r)) / sum w.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = np.sum(w)
    b0, b = (0.0, np.zeros(d)) if init is None else (init[0], np.array(init[1:], float))
    factor = 1.0 if cost == "half_mse" else 2.0
    rows = []
    for k in range(n_updates + 1):
        r = b0 + x @ b - y
        J = factor * np.sum(w * r ** 2) / (2 * total)
        g0, g = factor * np.sum(w * r) / total, factor * (x.T @ (w * r)) / total
        rows.append((k, b0, *b, J))
        b0, b = (b0 - learning_rate * g0 if fit_intercept else 0.0), b - learning_rate * g
    return np.array(rows)


@pytest.fixture
def oracle_features():
    return numpy_descent_features


@pytest.fixture
def feature_data():
    """300 noisy points around y = 1 + 2 x1 - x2 + 0.5 x3, correlated, well scaled."""
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(300, 3))
    x[:, 2] += 0.5 * x[:, 0]
    y = 1.0 + x @ np.array([2.0, -1.0, 0.5]) + rng.normal(0.0, 0.3, 300)
    return x, y


@pytest.fixture
def cars_like():
    """392 points like the cars table's mpg against horsepower: x in 46..230, right-skewed
    (mean about 104, sd 38), y = 40 - 0.16 x + noise.  Columns far from zero mean: the
    one-half MSE's condition number is about 1e5 unstandardized, 1 standardized."""
    rng = np.random.default_rng(0)
    horsepower = np.clip(46.0 + rng.gamma(2.3, 25.4, 392), 46.0, 230.0)
    return horsepower, 40.0 - 0.16 * horsepower + rng.normal(0.0, 4.9, 392)


def weighted_points(n, offset, seed):
    """n points around y = 1 + x @ (2, -1, 0.5) with x of 3 columns of spreads (1, 2, 0.5)
    about ``offset``, and a weight in [0, 2] per point: (x, y, w)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + offset
    y = 1.0 + x @ [2.0, -1.0, 0.5] + rng.normal(0.0, 0.3, n)
    return x, y, rng.uniform(0.0, 2.0, n)


@pytest.fixture(name="weighted_points")
def _weighted_points():
    return weighted_points


def peak_memory(function, *args, **kwargs):
    """(function(*args, **kwargs), the peak of Python-traced memory during the call in bytes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.fixture
def traced_peak():
    return peak_memory
# scikit-learn's check_array_api_input (in test_estimator_checks.py) runs only
# when SciPy's array API mode is on, which SciPy reads once, at import: set it
# before any test module imports scikit-learn (and so SciPy).
os.environ.setdefault("SCIPY_ARRAY_API", "1")
# Pictures are drawn off screen, and every figure a test makes is closed.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def kept_pictures(monkeypatch):
    """The Axes of every PNG that `gdfast demo` and `gdfast fit --plot` write, {file name: [Axes]}.

    The files are written as usual (drawn under the test's warnings-as-errors);
    their figures are only kept open for the test to read, and closed after.
    """
    import matplotlib.pyplot as plt

    from gdfast.cli import _demo_pictures, _png

    kept, write = {}, _png.write_pngs

    def write_and_keep(drawings, folder, **options):
        paths = []
        for name, draw in drawings.items():
            before = set(plt.get_fignums())
            with monkeypatch.context() as patch:
                patch.setattr(plt, "close", lambda figure=None: None)
                paths += write({name: draw}, folder, **options)
            (number,) = set(plt.get_fignums()) - before
            kept[name] = plt.figure(number).axes
        return paths

    monkeypatch.setattr(_png, "write_pngs", write_and_keep)
    monkeypatch.setattr(_demo_pictures, "write_pngs", write_and_keep)
    return kept


@pytest.fixture
def run_python(tmp_path):
    """Run ``python -c code`` in a fresh process, in tmp_path (outside the repository)."""
    def run(code):
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    return run


@pytest.fixture(autouse=True)
def _default_sigint_handler_after_each_test():
    """Put Python's default SIGINT handler back after every test.

    fit() watches for Ctrl-C only where SIGINT still has the default handler
    (it leaves a user's handler alone); a test that fails while some other
    handler is installed must not leave later Ctrl-C tests unwatched.
    """
    import signal
    import threading

    yield
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def interrupt_soon(function, *args, **kwargs):
    """Call ``function`` while a thread sends SIGINT 0.05 s in, as Ctrl-C would.

    Returns the ``result`` of the :class:`gdfast.FitInterrupted` it must raise.
    """
    import os
    import signal
    import threading

    import gdfast

    timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(gdfast.FitInterrupted) as info:
            function(*args, **kwargs)
    finally:
        timer.join()
    return info.value.result


@pytest.fixture
def interrupted():
    return interrupt_soon


# ---------------------------------------------------------------------------
# Hypothesis: reproducible in CI, and the shared strategies of tests/stress/inputs.py
# ---------------------------------------------------------------------------
def _load_stress_inputs():
    """tests/stress/inputs.py as a module (pytest's importlib mode puts no test folder on sys.path)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "stress" / "inputs.py"
    spec = importlib.util.spec_from_file_location("gdfast_stress_inputs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


from hypothesis import HealthCheck, settings  # noqa: E402  (the test extra has it)

# "ci" (the default): the same examples on every run, no example database
# written into the repository; "hunt": fresh random examples on each run
_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("hunt", derandomize=False, database=None, **_COMMON)
settings.load_profile(os.environ.get("GDFAST_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def inputs():
    """The strategies and contract checks of tests/stress/inputs.py."""
    return _load_stress_inputs()
