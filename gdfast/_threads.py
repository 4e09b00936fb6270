"""How many threads a pass over N points gets by default."""
import os

# Below this many points (4 blocks) a pass takes well under a microsecond on
# one core, and meeting a second thread at a barrier every iteration costs
# about what it saves.  Measured on 2 cores, float64 batch, µs per iteration
# (1 thread -> 2 threads): 4096 points 0.50 -> 0.44, 8192 0.82 -> 0.68,
# 16384 2.07 -> 1.13.
THREADS_MIN_POINTS = 8192


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
