"""The soak, run as a child process: memory stays flat over many fits and one very long fit.

    python tests/stress/soak.py FITS LONG_ITERATIONS

1. One fit of LONG_ITERATIONS iterations (N = 4 points, tol=None,
   record_every=0): the peak resident memory (ru_maxrss) before and after,
   and the rows its history holds (2: the first and the last).
2. FITS fits in a loop, of every kind (one feature and several, float32 and
   float64, record_every, standardize, callback, diverging fits, cost()):
   the resident memory (/proc/self/statm) after the first fifth and at the
   end, and the memory Python traced (tracemalloc) over 1000 more fits.

Prints one JSON object of figures.
"""
import gc
import json
import os
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np

import gdfast


def resident_bytes():
    """The process's resident set size now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return peak_bytes()


def peak_bytes():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _data():
    rng = np.random.default_rng(7)
    x = rng.uniform(0.0, 2.0, 64)
    x3 = rng.normal(size=(64, 3))
    y = 1.0 + 1.5 * x + rng.normal(0.0, 0.1, 64)
    return x, np.asfortranarray(x3), y


def one_of_each(k, x, x3, y):
    """The k-th fit of the loop: each kind of fit in turn."""
    kind = k % 8
    if kind == 0:
        return gdfast.fit(x, y, learning_rate=0.3, max_iter=50, tol=None)
    if kind == 1:
        return gdfast.fit(x.astype(np.float32), y.astype(np.float32), max_iter=30, tol=None,
                          record_every=7)
    if kind == 2:
        return gdfast.fit(x3, y, learning_rate=0.2, max_iter=40, tol=None)
    if kind == 3:
        return gdfast.fit(x3, y, learning_rate="auto", standardize=True, max_iter=40, tol=None)
    if kind == 4:
        return gdfast.fit(x, y, learning_rate=0.3, max_iter=60, tol=None,
                          callback=lambda step: step.iteration < 20)
    if kind == 5:
        try:
            gdfast.fit(x, y, learning_rate=50.0, max_iter=10_000)
        except gdfast.DivergenceError as err:
            return err.result
        raise AssertionError("learning_rate=50 must diverge")
    if kind == 6:
        try:
            gdfast.fit(x, [1.0], max_iter=10)     # rejected before any work
        except ValueError:
            return None
        raise AssertionError("a length mismatch must be rejected")
    return gdfast.cost(x3, y, 1.0, [1.0, 2.0, 3.0])


def long_fit(iterations):
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = 1.0 + 2.0 * x
    gdfast.fit(x, y, max_iter=10, tol=None, record_every=0)   # imports, first allocations
    gc.collect()
    before = peak_bytes()
    started = time.perf_counter()
    result = gdfast.fit(x, y, learning_rate=1e-9, max_iter=iterations, tol=None, record_every=0)
    seconds = time.perf_counter() - started
    assert result.n_iter == iterations, result.n_iter
    return {"iterations": iterations, "seconds": round(seconds, 2),
            "history_rows": len(result.history),
            "peak_rss_before": before, "peak_rss_after": peak_bytes()}


def loop(fits):
    x, x3, y = _data()
    warm = max(1, fits // 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # the DivergenceWarning of kind 5
        for k in range(warm):
            one_of_each(k, x, x3, y)
        gc.collect()
        rss_start = resident_bytes()
        started = time.perf_counter()
        for k in range(warm, fits):
            one_of_each(k, x, x3, y)
        seconds = time.perf_counter() - started
        gc.collect()
        rss_end = resident_bytes()
        tracemalloc.start()
        traced_start, _ = tracemalloc.get_traced_memory()
        for k in range(1000):
            one_of_each(k, x, x3, y)
        gc.collect()
        traced_end, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"fits": fits, "measured_fits": fits - warm, "seconds": round(seconds, 2),
            "rss_start": rss_start, "rss_end": rss_end,
            "traced_fits": 1000, "traced_growth": traced_end - traced_start}


if __name__ == "__main__":
    fits, iterations = int(sys.argv[1]), int(sys.argv[2])
    figures = {"long_fit": long_fit(iterations), "loop": loop(fits)}
    print(json.dumps(figures))
