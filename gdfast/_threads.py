"""How many threads a pass over N points gets by default."""
import os

# Below this many points one pass takes a few microseconds on one core, and
# waking a second thread and meeting it at a barrier every iteration costs as
# much as it saves (measured: bench/README.md).
THREADS_MIN_POINTS = 32_768


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
