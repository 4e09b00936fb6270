"""Threads and builds: results do not depend on the thread count or the build.

Every compiled variant of the kernel that this CPU can run (the baseline
build, the AVX2/FMA build) is tested directly, not only the one gdfast picks.
"""
import numpy as np
import pytest

import gdfast
from gdfast import _engine, _threads

VARIANTS = sorted(_engine.variants)
THREADS = [1, 2, 3, 4]


@pytest.fixture(scope="module")
def big_data():
    # many 2048-point blocks, a ragged last one, uneven shares per thread
    rng = np.random.default_rng(11)
    x = rng.normal(2.0, 3.0, 100_003)
    return x, 1.0 - 0.5 * x + rng.normal(0.0, 0.7, x.size)


def _descent(kernels, x, y, n_iter, n_threads, capacity=8):
    """Run the engine's batch descent directly; return (status, iteration, rows, state)."""
    state = np.zeros(kernels.state_size(2))
    state[[kernels.STATE_GRAD_NORM, kernels.STATE_PREV_RECORDED, kernels.STATE_COST_LIMIT]] = (
        np.inf, 1.0, np.inf)
    rows = np.empty((capacity, 3))
    row_iteration = np.empty(capacity, dtype=np.intp)
    n = len(x)
    status, k, n_rows = kernels.run_descent(x[:, None], y, None, np.zeros(1), np.ones(1), True,
                                            state, 0, n_iter, 0.05, 1.0 / n, 0.5 / n, n_iter,
                                            -1.0, np.inf, 5, rows, row_iteration, n_threads)
    return status, k, rows[:n_rows].copy(), row_iteration[:n_rows].copy(), state


def test_openmp_team_has_the_threads_asked_for():
    for name in VARIANTS:
        kernels = _engine.variants[name]
        expected = 3 if kernels.HAS_OPENMP else 1
        assert kernels.team_size(3) == expected, name


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_descent_is_bit_identical_for_any_thread_count(big_data, variant, dtype):
    kernels = _engine.variants[variant]
    x, y = (a.astype(dtype) for a in big_data)
    runs = [_descent(kernels, x, y, 30, t) for t in THREADS]
    status, k, rows, row_iteration, state = runs[0]
    assert (status, k) == (kernels.STATUS_RUNNING, 30)
    assert row_iteration.tolist() == [0, 5, 10, 15, 20, 25]
    for other in runs[1:]:
        assert other[:2] == (status, k)
        np.testing.assert_array_equal(other[2], rows)
        np.testing.assert_array_equal(other[3], row_iteration)
        np.testing.assert_array_equal(other[4], state)


@pytest.mark.parametrize("variant", VARIANTS)
def test_threaded_descent_matches_the_oracle(big_data, oracle, variant):
    kernels = _engine.variants[variant]
    x, y = big_data
    _, _, rows, row_iteration, _ = _descent(kernels, x, y, 30, 2)
    ref = oracle(x, y, 0.05, 30)[row_iteration]
    np.testing.assert_allclose(rows, ref[:, 1:], rtol=1e-12)


# teams that cut a tree over the blocks anywhere, more threads than blocks included
SPLIT_TEAMS = (2, 3, 5, 6, 7, 40)


def _split_cases(seed, dtype, block_counts, x_mean):
    """(n, x, y) for n a whole number of 2048-point blocks, and 1001 points short of it."""
    rng = np.random.default_rng(seed)
    for n_blocks in block_counts:
        for n in (n_blocks * 2048, n_blocks * 2048 - 1001):
            x = rng.normal(x_mean, 2.0, n).astype(dtype)
            yield n, x, (3.0 - x + rng.normal(0.0, 1.0, n)).astype(dtype)


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_descent_is_bit_identical_for_any_split_of_the_blocks(variant, dtype):
    # every thread combines the nodes of the pairwise tree in its share, and
    # leaves of up to 8 blocks across two shares block by block: any split
    # must give the one-thread bits
    kernels = _engine.variants[variant]
    for n, x, y in _split_cases(6, dtype, (2, 3, 5, 8, 9, 13, 16, 17, 31, 33, 70), 1.0):
        one = _descent(kernels, x, y, 3, 1)
        for t in SPLIT_TEAMS:
            other = _descent(kernels, x, y, 3, t)
            assert other[:2] == one[:2] == (kernels.STATUS_RUNNING, 3)
            for a, b in zip(other[2:], one[2:]):
                np.testing.assert_array_equal(a, b, err_msg=f"n={n}, {t} threads")


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_centred_stats_are_bit_identical_for_any_split_of_the_blocks(variant, dtype):
    # every thread merges the nodes of the merge tree in its share: any split
    # must give the one-thread bits
    kernels = _engine.variants[variant]
    for n, x, y in _split_cases(5, dtype, (2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33), 1e3):
        one = np.empty(kernels.STATS_SIZE)
        kernels.centred_stats(x, y, one, 1)
        for t in SPLIT_TEAMS:
            other = np.empty(kernels.STATS_SIZE)
            kernels.centred_stats(x, y, other, t)
            np.testing.assert_array_equal(other, one, err_msg=f"n={n}, {t} threads")


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_centred_stats_are_bit_identical_for_any_thread_count(big_data, variant, dtype):
    kernels = _engine.variants[variant]
    x, y = (a.astype(dtype) for a in big_data)
    runs = []
    for t in THREADS:
        stats = np.empty(kernels.STATS_SIZE)
        kernels.centred_stats(x, y, stats, t)
        runs.append(stats)
    for other in runs[1:]:
        np.testing.assert_array_equal(other, runs[0])


@pytest.mark.bitwise
def test_fit_is_bit_identical_for_any_thread_count(big_data):
    x, y = big_data
    results = [gdfast.fit(x, y, learning_rate=0.1, max_iter=5000, tol=1e-9, n_threads=t)
               for t in (1, 2, 4, None)]
    assert results[0].converged and results[0].n_iter > 100
    for res in results[1:]:
        assert (res.intercept, res.slope, res.cost, res.n_iter, res.gradient_norm) == (
            results[0].intercept, results[0].slope, results[0].cost, results[0].n_iter,
            results[0].gradient_norm)
        np.testing.assert_array_equal(res.history.cost, results[0].history.cost)


def test_builds_agree_to_rounding(big_data):
    # FMA rounds once where the baseline rounds twice: not the same bits,
    # the same numbers to ~1e-15 relative
    x, y = big_data
    runs = [_descent(_engine.variants[v], x, y, 30, 2) for v in VARIANTS]
    for other in runs[1:]:
        np.testing.assert_allclose(other[2], runs[0][2], rtol=1e-13)


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_read_floor_reads_everything(variant, n_threads):
    kernels = _engine.variants[variant]
    # integers: any order of summation gives the exact total
    x = np.arange(10_000, dtype=np.float64)
    y = np.ones(10_000)
    assert kernels.read_floor(x, y, 3, n_threads) == 3 * (x.sum() + y.sum())


def test_default_thread_count_follows_n():
    cores = _threads.available_cores()
    assert _threads.default_threads(10) == 1
    assert _threads.default_threads(_threads.THREADS_MIN_POINTS - 1) == 1
    assert _threads.default_threads(_threads.THREADS_MIN_POINTS) == cores
    assert _threads.default_threads(10**9) == cores


# ---------------------------------------------------------------------------
# The default thread count under the ecosystem's limits, and fits under load
# ---------------------------------------------------------------------------
# A child that reports the cores it may use, the threads gdfast allows, and the
# n_threads each pass of a fit of 200 000 points (enough for threads by
# default) was given.  argv[1]: a CPU to pin the process to, or "-".
THREADS_CHILD = r"""
import json, os, sys
if sys.argv[1] != "-":
    os.sched_setaffinity(0, {int(sys.argv[1])})
import numpy as np
import gdfast
from gdfast import _sums, _threads

seen = []
init = _sums.DataSums.__init__
def spy(self, *args, **kwargs):
    init(self, *args, **kwargs)
    seen.append(self.n_threads)
_sums.DataSums.__init__ = spy
x = np.linspace(0.0, 1.0, 200_000)
gdfast.fit(x, 1.0 + x, learning_rate=0.1, max_iter=3, tol=None)
print(json.dumps({"cores": _threads.available_cores(), "allowed": _threads.allowed_threads(),
                  "fit": seen}))
"""


def _threads_child(env_changes, pin="-"):
    import json
    import os
    import subprocess
    import sys
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env.update(env_changes)
    # run outside the source tree, which would shadow the installed gdfast
    done = subprocess.run([sys.executable, "-c", THREADS_CHILD, pin], capture_output=True,
                          text=True, env=env, timeout=120, cwd=tempfile.gettempdir())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _spy_fit_threads(monkeypatch):
    """The n_threads of every DataSums a fit makes, in this process."""
    from gdfast import _sums

    seen = []
    init = _sums.DataSums.__init__

    def spy(self, *args, **kwargs):
        init(self, *args, **kwargs)
        seen.append(self.n_threads)
    monkeypatch.setattr(_sums.DataSums, "__init__", spy)
    return seen


def test_the_default_takes_every_core_without_limits():
    report = _threads_child({})
    assert report["allowed"] == report["cores"] == _threads.available_cores()
    assert report["fit"] == [report["cores"]]


def test_the_default_follows_omp_num_threads():
    report = _threads_child({"OMP_NUM_THREADS": "1"})
    assert report["allowed"] == 1
    assert report["fit"] == [1]


def test_the_default_follows_threadpoolctl_limits(monkeypatch):
    # what joblib's workers do: threadpool_limits on the OpenMP runtime the
    # engine is linked with (threadpoolctl must find it, or gdfast could not
    # be limited this way)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not _engine.kernels.HAS_OPENMP:
        pytest.skip("this build has no OpenMP (one thread whatever the limits)")
    assert any(lib["user_api"] == "openmp" for lib in threadpoolctl.threadpool_info())
    seen = _spy_fit_threads(monkeypatch)
    x = np.linspace(0.0, 1.0, 200_000)
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert _threads.allowed_threads() == 1
        gdfast.fit(x, 1.0 + x, learning_rate=0.1, max_iter=3, tol=None)
    assert _threads.allowed_threads() == _threads.available_cores()
    gdfast.fit(x, 1.0 + x, learning_rate=0.1, max_iter=3, tol=None)
    assert seen == [1, _threads.available_cores()]


def test_the_default_follows_the_cpu_affinity():
    import os

    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform (os.sched_setaffinity is Linux's)")
    report = _threads_child({}, pin=str(min(os.sched_getaffinity(0))))
    assert report == {"cores": 1, "allowed": 1, "fit": [1]}


def test_n_threads_above_the_cores_is_capped(monkeypatch):
    seen = _spy_fit_threads(monkeypatch)
    x = np.linspace(0.0, 1.0, 1000)
    res = gdfast.fit(x, 1.0 + x, learning_rate=0.1, max_iter=3, tol=None, n_threads=4096)
    assert res.n_iter == 3
    assert seen == [_threads.available_cores()]
    assert _threads.capped_threads(4096) == _threads.available_cores()
    assert _threads.capped_threads(1) == 1


# Three processes at once, each fitting on 2 threads (more threads than the
# cores they share on a 2-core machine): each fit must end, and give the bits
# of a lone fit on one thread.  The children start fitting at the same moment
# (a line on stdin) and fit FITS times each.
LOAD_CHILD = r"""
import json, sys
import numpy as np
import gdfast

rng = np.random.default_rng(11)
x = rng.normal(2.0, 3.0, 100_003)
y = 1.0 - 0.5 * x + rng.normal(0.0, 0.7, x.size)
print("ready", flush=True)
sys.stdin.readline()
out = []
for _ in range(int(sys.argv[1])):
    res = gdfast.fit(x, y, learning_rate=0.05, max_iter=300, tol=None, n_threads=2)
    out.append([float(v).hex() for v in (res.intercept, res.slope, res.cost)]
               + [float(c).hex() for c in res.history.cost])
print(json.dumps(out), flush=True)
"""


@pytest.mark.bitwise
def test_fits_on_several_threads_in_several_processes_at_once_are_bit_identical(big_data,
                                                                                 tmp_path):
    import json
    import subprocess
    import sys

    fits = 5
    x, y = big_data
    lone = gdfast.fit(x, y, learning_rate=0.05, max_iter=300, tol=None, n_threads=1)
    expected = ([float(v).hex() for v in (lone.intercept, lone.slope, lone.cost)]
                + [float(c).hex() for c in lone.history.cost])
    children = [subprocess.Popen([sys.executable, "-c", LOAD_CHILD, str(fits)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 cwd=tmp_path)
                for _ in range(3)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            out, _ = child.communicate(timeout=300)
            assert child.returncode == 0
            assert json.loads(out) == [expected] * fits
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
