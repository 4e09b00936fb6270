"""Several processes fitting at once (issue 16): each against its fair share of the cores.

    pip install ".[bench]"
    python bench/report.py --runs 3 concurrency

Each scenario starts P processes (bench/concurrent_fit.py) that fit the same
one-feature data (N = 1e6 float64, 100 iterations per fit, fixed learning
rate) again and again for WINDOW seconds, all at once, with ``fit``'s default
threads or with OMP_NUM_THREADS=1.  ``extra_info`` holds the µs per iteration
of every process (the median of its fits) and bench/report.py compares them,
in the same run, with the process alone on one thread (t1): the fair share of
P processes on C cores is t1 * P / C; with OMP_NUM_THREADS=1 the target is t1
itself (while P <= C).  The time pytest-benchmark reports is the scenario's
wall time, not a figure of interest.  No assertion here is about time.
"""
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from peers import ALL_THREADS, quick

CHILD = str(Path(__file__).with_name("concurrent_fit.py"))
N = 20_000 if quick() else 1_000_000
ITERATIONS = 5 if quick() else 100
WINDOW = 0.2 if quick() else 3.0
ROUNDS = 1 if quick() else 3
TIMEOUT = 300
# (name, processes, the children's threads, OMP_NUM_THREADS or None)
SCENARIOS = [
    ("alone-1thread", 1, "1", None),
    ("alone-default", 1, "default", None),
    ("2-default", 2, "default", None),
    ("3-default", 3, "default", None),
    ("2-omp1", 2, "default", "1"),
    ("3-omp1", 3, "default", "1"),
]


def run_scenario(processes, threads, omp_num_threads):
    """[(µs per iteration of each fit, threads used)] of each process."""
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    if omp_num_threads is not None:
        env["OMP_NUM_THREADS"] = omp_num_threads
    children = [subprocess.Popen([sys.executable, CHILD, str(N), str(ITERATIONS), threads],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                 text=True) for _ in range(processes)]
    try:
        for child in children:
            line = child.stdout.readline()
            assert line.strip() == "ready", f"child said {line!r}"
        for child in children:
            child.stdin.write(f"{WINDOW}\n")
            child.stdin.flush()
        results = []
        for child in children:
            out, _ = child.communicate(timeout=TIMEOUT)
            assert child.returncode == 0, out
            result = json.loads(out.strip().splitlines()[-1])
            results.append(([s / ITERATIONS * 1e6 for s in result["fit_seconds"]],
                            result["threads"]))
        return results
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


@pytest.mark.parametrize("name, processes, threads, omp", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_concurrent_fits(benchmark, name, processes, threads, omp):
    rounds = []
    load = os.getloadavg()[0]
    benchmark.pedantic(lambda: rounds.append(run_scenario(processes, threads, omp)),
                       rounds=ROUNDS, iterations=1)
    # per process and round: the median of its fits
    per_process = [statistics.median(fits) for results in rounds for fits, _ in results]
    benchmark.group = "concurrency"
    benchmark.extra_info.update(
        scenario=name, processes=processes, cores=ALL_THREADS, n=N, iterations=ITERATIONS,
        omp_num_threads=omp or "", threads_used=sorted({t for r in rounds for _, t in r}),
        us_per_iteration=statistics.median(per_process), us_min=min(per_process),
        us_max=max(per_process), fits=sum(len(f) for r in rounds for f, _ in r),
        load_before=load, load_after=os.getloadavg()[0])
    assert len(per_process) == processes * ROUNDS
    if omp == "1":
        assert benchmark.extra_info["threads_used"] == [1]
