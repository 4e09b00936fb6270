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
