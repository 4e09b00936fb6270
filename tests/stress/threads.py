"""Concurrency, run as a child process: fits from 8 Python threads at once.

    python tests/stress/threads.py

1. Eight fits of different kinds on shared read-only arrays, run one after the
   other and then from 8 threads at once: every result and history must be
   bit-identical.  The sequential wall time, the parallel wall time and the
   process CPU time of the parallel run are reported.
   The speedup (sequential / parallel wall time) is compared with that of
   hashlib.sha256, which releases the GIL, run the same way on the same machine
   at the same moment: the cores free to this process set both.
2. The GIL, measured without needing a free core: a pure-Python thread counts
   while another thread runs one long kernel call.  If the kernel held the GIL
   the counter would stand still; released, it runs at a fair share of its
   solo speed (half of it on one shared core).  Controls: sum(range(...)),
   which holds the GIL, and hashlib.sha256, which releases it.

Each fit is single-threaded (OMP_NUM_THREADS=1, and n_threads=1 where fit
takes it) so that only the Python threads run in parallel.  Prints one JSON
object of figures.
"""
import hashlib
import inspect
import json
import os
import sys
import threading
import time

os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402

import gdfast  # noqa: E402
from gdfast import _descent  # noqa: E402

ONE_THREAD = {"n_threads": 1} if "n_threads" in inspect.signature(gdfast.fit).parameters else {}


def shared_data():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 2.0, 100_000)
    y = 2.0 + 1.5 * x + rng.normal(0.0, 0.5, x.size)
    x3 = np.asfortranarray(rng.normal(size=(30_000, 3)))
    y3 = 1.0 + x3 @ [2.0, -1.0, 0.5] + rng.normal(0.0, 0.3, 30_000)
    arrays = [x, y, x3, y3, x.astype(np.float32), y.astype(np.float32),
              np.ascontiguousarray(x3)]
    for a in arrays:
        a.flags.writeable = False
    return arrays


def jobs(iterations):
    x, y, x3, y3, x32, y32, x3c = shared_data()
    common = dict(tol=None, max_iter=iterations, **ONE_THREAD)
    return [
        lambda: gdfast.fit(x, y, learning_rate=0.3, **common),
        lambda: gdfast.fit(x, y, learning_rate=0.1, record_every=7, cost="mse", **common),
        lambda: gdfast.fit(x32, y32, learning_rate=0.3, **common),
        lambda: gdfast.fit(x3, y3, learning_rate=0.2, **common),
        lambda: gdfast.fit(x3c, y3, learning_rate=0.2, record_every=3, **common),
        lambda: gdfast.fit(x3, y3, learning_rate="auto", standardize=True, **common),
        lambda: gdfast.fit(x, y, learning_rate=0.3, fit_intercept=False, **common),
        lambda: gdfast.fit(x3.astype(np.float32), y3.astype(np.float32), learning_rate=0.2,
                           **common),
    ]


def same(a, b):
    """Bit-identical results and histories."""
    ha, hb = a.history, b.history
    return (a.intercept == b.intercept and np.array_equal(a.coef, b.coef)
            and a.cost == b.cost and a.n_iter == b.n_iter
            and all(np.array_equal(getattr(ha, f), getattr(hb, f))
                    for f in ("iteration", "intercept", "coef", "cost")))


def in_threads(calls):
    """Run the calls from one thread each, started together; (results, wall, process CPU)."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls) + 1)

    def run(i):
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    cpu, started = time.process_time(), time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started, time.process_time() - cpu


def one_by_one(calls):
    started = time.perf_counter()
    results = [call() for call in calls]
    return results, time.perf_counter() - started


def threads_against_sequential(iterations, rounds=5):
    """The 8 fits one by one and in 8 threads, alternating with the hashlib reference, ``rounds``
    times: bit-identical results, and the median speedups of both."""
    work = jobs(iterations)
    blocks = [bytes(20_000_000) for _ in work]
    reference = [lambda b=b: hashlib.sha256(b).digest() for b in blocks]
    identical, measured = True, []
    for _ in range(rounds):
        sequential, sequential_wall = one_by_one(work)
        parallel, parallel_wall, parallel_cpu = in_threads(work)
        identical = identical and all(same(a, b) for a, b in zip(sequential, parallel))
        _, reference_sequential = one_by_one(reference)
        _, reference_parallel, _ = in_threads(reference)
        measured.append((sequential_wall, parallel_wall, parallel_cpu,
                         reference_sequential / reference_parallel))
    sequential_wall, parallel_wall, parallel_cpu, reference = (
        float(np.median(column)) for column in zip(*measured))
    return {"threads": len(work), "iterations_per_fit": iterations, "rounds": rounds,
            "identical": identical, "sequential_wall": round(sequential_wall, 3),
            "parallel_wall": round(parallel_wall, 3), "parallel_cpu": round(parallel_cpu, 3),
            "speedup": round(float(np.median([m[0] / m[1] for m in measured])), 3),
            "reference_speedup": round(reference, 3)}


def share_of_the_gil(calls):
    """For each named call: a pure-Python counter thread's speed during it, over its speed
    while the main thread sleeps (so about 1 on a free core, 1/2 on one shared core,
    near 0 if the call holds the GIL throughout)."""
    counter, stop = [0], threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1

    def rate(call):
        before, started = counter[0], time.perf_counter()
        call()
        return (counter[0] - before) / (time.perf_counter() - started)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        time.sleep(0.05)
        solo = rate(lambda: time.sleep(0.3))
        return {name: round(rate(call) / solo, 3) for name, call in calls.items()}
    finally:
        stop.set()
        thread.join()


def gil():
    """The share of the GIL a Python thread gets during one long kernel call (and two controls)."""
    x, y = shared_data()[:2]
    _descent.POINTS_PER_SLICE = 1 << 50       # the whole fit in one kernel call, no Python between
    return share_of_the_gil({
        "fit": lambda: gdfast.fit(x, y, learning_rate=0.3, tol=None, max_iter=3000,
                                  record_every=0, **ONE_THREAD),
        # controls: a C call that holds the GIL, and one known to release it
        "sum(range(...))": lambda: sum(range(30_000_000)),
        "hashlib.sha256": lambda: hashlib.sha256(bytes(200_000_000)).digest(),
    })


if __name__ == "__main__":
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    figures = {"cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count(),
               "parallel": threads_against_sequential(iterations),
               "gil_share": gil()}
    print(json.dumps(figures))
