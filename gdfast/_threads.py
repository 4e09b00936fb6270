"""How many threads a pass over N points gets.

By default every core this process may use, as far as the ecosystem's
limits allow: the process's CPU affinity (taskset, a container's cpuset),
``OMP_NUM_THREADS`` and threadpoolctl's limits (joblib sets both for its
workers), which reach the engine through OpenMP's ``omp_get_max_threads``.
An explicit ``n_threads`` is capped at the cores this process may use: a
team larger than that only waits for itself at every iteration's barrier.
"""
import os

from ._engine import kernels as engine

# Threads start to pay from about 8192 points on an idle machine (measured on
# 2 cores, float64 batch, µs per iteration, 1 thread -> 2 threads: 4096
# points 0.50 -> 0.44, 8192 0.82 -> 0.68, 16384 2.07 -> 1.13, 65536
# 8.8 -> 3.7).  But starting a team, and its barrier every iteration, cost
# milliseconds when other processes hold the cores; below 65536 points the
# gain is a few microseconds per iteration, not worth that risk by default.
THREADS_MIN_POINTS = 65_536


def available_cores():
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def allowed_threads():
    """The most threads a pass may use: the available cores, within OMP_NUM_THREADS and
    threadpoolctl's limit (read now: a limit can change while the process runs)."""
    return max(1, min(available_cores(), engine.openmp_max_threads()))


def default_threads(n_points):
    """Every allowed thread when ``n_points`` is large enough to pay, else 1."""
    return allowed_threads() if n_points >= THREADS_MIN_POINTS else 1


def capped_threads(n_threads):
    """``n_threads`` (an int >= 1), at most the cores this process may use."""
    return min(n_threads, available_cores())
