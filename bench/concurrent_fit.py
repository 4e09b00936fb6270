"""One of several processes fitting at once (bench/test_bench_concurrency.py starts them).

    python bench/concurrent_fit.py N ITERATIONS THREADS

THREADS is an int, or ``default`` (``gdfast.fit``'s own choice).  The process
makes its data (N float64 points, one feature), warms up, prints ``ready`` and
waits for a line on stdin giving a number of seconds.  Then it fits the same
data again and again (``max_iter=ITERATIONS``, a fixed learning rate, no
stopping rule) until those seconds are up, and prints one line of JSON: the
seconds of each fit that ended in time (the first one even if it did not), and
the threads ``fit`` used.  All processes get their line at the same moment, so
every fit counted ran while all of them were fitting.
"""
import json
import sys
import time

import numpy as np

import gdfast
from gdfast import _threads


def main(argv):
    n, iterations, threads = int(argv[1]), int(argv[2]), argv[3]
    n_threads = None if threads == "default" else int(threads)
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 2.0, n)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, n)

    def one_fit():
        return gdfast.fit(x, y, learning_rate=0.1, max_iter=iterations, tol=None,
                          record_every=0, n_threads=n_threads)

    one_fit()   # imports, first team start
    print("ready", flush=True)
    window = float(sys.stdin.readline())
    end = time.perf_counter() + window
    seconds = []
    while True:
        start = time.perf_counter()
        if start >= end and seconds:
            break
        res = one_fit()
        stop = time.perf_counter()
        if res.n_iter != iterations:
            raise SystemExit(f"fit stopped at {res.n_iter} of {iterations} iterations")
        if stop <= end or not seconds:
            seconds.append(stop - start)
    used = _threads.default_threads(n) if n_threads is None else _threads.capped_threads(
        n_threads)
    print(json.dumps({"fit_seconds": seconds, "threads": used}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
