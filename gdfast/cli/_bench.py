"""`gdfast bench`: a quick, bounded comparison of gdfast.fit and the NumPy loop here.

The thorough benchmarks are the pytest-benchmark suites in bench/; this one
answers "is it fast on this machine?" in a few seconds.
"""
import time

import numpy as np

from .._fit import fit

# at most this many point-visits per timed call, so the whole run stays short
MAX_POINTS = 10_000_000


def numpy_loop(x, y, learning_rate, n_updates):
    """The vectorized NumPy loop gdfast replaces: one-half MSE, simultaneous updates."""
    b0 = b1 = 0.0
    n = len(x)
    for _ in range(n_updates):
        r = b0 + b1 * x - y
        b0, b1 = b0 - learning_rate * r.sum() / n, b1 - learning_rate * (r * x).sum() / n
    return b0, b1


def _best_time(function, repeat):
    function()  # warm-up: the first threaded call also starts the thread team
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def run(sizes, iterations, repeat, out=print):
    """Print a table: per-iteration time of gdfast.fit and the NumPy loop, and their ratio."""
    out(f"batch gradient descent, {iterations} iterations, best of {repeat} "
        f"(time per iteration)")
    out(f"{'N':>12}  {'gdfast':>12}  {'NumPy loop':>12}  {'speed-up':>9}")
    rng = np.random.default_rng(0)
    for n in sizes:
        x = rng.uniform(0.0, 2.0, n)
        y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, n)
        steps = max(1, min(iterations, MAX_POINTS // n))
        ours = _best_time(lambda: fit(x, y, learning_rate=0.1, max_iter=steps, tol=None,
                                      record_every=0), repeat) / steps
        theirs = _best_time(lambda: numpy_loop(x, y, 0.1, steps), repeat) / steps
        out(f"{n:>12,}  {_duration(ours):>12}  {_duration(theirs):>12}  "
            f"{theirs / ours:>8.1f}x")


def _duration(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
