"""How many threads a pass over N points gets by default."""
import os

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


_CORES = available_cores()


def default_threads(n_points):
    """Every available core when ``n_points`` is large enough to pay, else 1."""
    return _CORES if n_points >= THREADS_MIN_POINTS else 1
