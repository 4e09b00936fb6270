"""The one-feature kernel's passes at every length that exercises their pieces.

A pass runs whole groups of GROUP = ACC * WIDTH points (32 with AVX-512, 12
with AVX2, 6 with SSE2), then the last GROUP points again with the points
already summed masked out, or, below GROUP points, one point at a time; blocks
of 2048 points are combined left to right up to 8 blocks, pairwise beyond.
Every build this CPU runs is checked against NumPy at each of those lengths.
"""
import numpy as np
import pytest

from gdfast import _engine

VARIANTS = sorted(_engine.variants)
# every length up to three groups of the widest build, then block edges
LENGTHS = list(range(1, 100)) + [2047, 2048, 2049, 8 * 2048 + 33, 9 * 2048 - 1, 20 * 2048 + 7]


def _data(n, dtype, seed=0):
    rng = np.random.default_rng(seed + n)
    x = rng.normal(3.0, 2.0, n)
    return x.astype(dtype), (1.5 - 0.7 * x + rng.normal(0.0, 0.3, n)).astype(dtype)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_residual_sums_match_numpy_at_every_length(variant, dtype):
    kernels = _engine.variants[variant]
    for n in LENGTHS:
        x, y = _data(n, dtype)
        b0, b1 = 0.25, -0.5
        r = b0 + b1 * x.astype(np.float64) - y.astype(np.float64)
        expected = (r.sum(), (r * x.astype(np.float64)).sum(), (r * r).sum())
        got = kernels.residual_sums(x, y, b0, b1)
        scale = (np.abs(r).sum(), np.abs(r * x.astype(np.float64)).sum(), (r * r).sum())
        for g, e, s in zip(got, expected, scale):
            assert abs(g - e) <= 1e-13 * s, (n, got, expected)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_centred_stats_match_numpy_at_every_length(variant, dtype):
    kernels = _engine.variants[variant]
    for n in LENGTHS:
        x, y = _data(n, dtype)
        xd, yd = x.astype(np.float64), y.astype(np.float64)
        stats = np.empty(kernels.STATS_SIZE)
        kernels.centred_stats(x, y, stats, 1)
        cx, cy = xd - xd.mean(), yd - yd.mean()
        assert stats[0] == n
        np.testing.assert_allclose(stats[1:3], [xd.mean(), yd.mean()], rtol=1e-13)
        gram = [(cx * cx).sum(), (cx * cy).sum(), (cx * cy).sum(), (cy * cy).sum()]
        np.testing.assert_allclose(stats[3:], gram, rtol=1e-11, atol=1e-11 * n, err_msg=str(n))


def _read_only(a):
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n", [1000, 5000])   # one block, several (a block list)
@pytest.mark.parametrize("make_out, message", [
    (lambda: np.empty(6), "7 contiguous native float64.*not 48 bytes of format 'd'"),
    (lambda: np.empty(8), "not 64 bytes"),
    (lambda: np.empty(7, np.float32), "not 28 bytes of format 'f'"),
    (lambda: np.empty(7, np.int64), "format '[lq]'"),
    (lambda: np.empty(7, ">f8"), "format '>d'"),
    (lambda: np.empty(14)[::2], "not C-contiguous"),
    (lambda: _read_only(np.empty(7)), "read-only"),
    (lambda: [0.0] * 7, "bytes-like"),
    (lambda: bytearray(56), "not 56 bytes of format 'B'"),
], ids=["short", "long", "float32", "int64", "big-endian", "strided", "read-only", "list",
        "bytes"])
def test_centred_stats_rejects_a_wrong_output_before_the_pass(variant, n, make_out, message):
    # the kernel takes its output as a raw buffer (no typed memoryview): it
    # checks it, and writes nothing where the check fails
    kernels = _engine.variants[variant]
    x, y = _data(n, np.float64)
    out = make_out()
    before = np.array(out, copy=True)
    with pytest.raises((ValueError, TypeError, BufferError), match=message):
        kernels.centred_stats(x, y, out, 2)
    np.testing.assert_array_equal(np.array(out), before)


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
def test_centred_stats_write_into_any_contiguous_float64_buffer(variant):
    # what the typed memoryview it replaced took: arrays of any shape, and
    # memoryviews of them or of array('d')
    from array import array
    kernels = _engine.variants[variant]
    x, y = _data(3000, np.float64)
    expected = np.empty(kernels.STATS_SIZE)
    kernels.centred_stats(x, y, expected, 1)
    for out in (np.empty((7, 1)), memoryview(np.empty(7)), array("d", [0.0] * 7)):
        # exact on 2 threads too: the blocks are fixed and merged in a fixed order
        kernels.centred_stats(x, y, out, 2)
        np.testing.assert_array_equal(np.asarray(out).ravel(), expected)


@pytest.mark.bitwise
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_read_floor_sums_every_point_once_at_every_length(variant, n_threads):
    kernels = _engine.variants[variant]
    for n in LENGTHS:
        # integers: any order of summation gives the exact total
        x = np.arange(n, dtype=np.float64)
        y = np.full(n, 2.0)
        assert kernels.read_floor(x, y, 2, n_threads) == 2 * (x.sum() + y.sum()), n


@pytest.mark.parametrize("variant", VARIANTS)
def test_overflowing_residual_in_the_masked_group_gives_inf_not_nan(variant):
    # the last group re-reads points already summed; masking them must not
    # turn an infinite r into NaN (r * 0 would)
    kernels = _engine.variants[variant]
    for n in range(1, 80):
        x = np.full(n, 1e300)
        y = np.full(n, -1e300)
        s_r, s_rx, s_rr = kernels.residual_sums(x, y, 0.0, 1e10)
        assert s_r == np.inf and s_rx == np.inf and s_rr == np.inf, n


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_first_nonfinite_finds_a_bad_value_at_every_position(variant, dtype):
    kernels = _engine.variants[variant]
    for n in list(range(1, 70)) + [2049]:
        clean = np.ones(n, dtype=dtype)
        assert kernels.first_nonfinite(clean) == -1
        for i in sorted({0, n // 2, max(n - 33, 0), n - 2, n - 1} - {-1}):
            for bad in (np.nan, np.inf, -np.inf):
                a = clean.copy()
                a[i] = bad
                assert kernels.first_nonfinite(a) == i, (n, i, bad)
