# The one-feature passes over 1-D x and y (contiguous, the same dtype), block
# by block: the fused sums of the batch descent (block_sums), the centred
# statistics of method="stats" (block_stats), and the benchmarks' read floor
# (block_read).  Each runs whole groups of GROUP = ACC * WIDTH points, then
# the last GROUP points again with the points already summed masked out (the
# same straight-line vector code, no remainder loop), or, below GROUP points,
# one point at a time.
from cython cimport floating

from gdfast._engine.simd cimport (ACC, GROUP, PREFETCH, STATS_ACC, WIDTH, keep_table, masked,
                                  prefetch_ahead, total, vec, vload, zero)

# Points per block.  The data is cut into blocks of this fixed size whatever
# the number of threads, and the block sums are combined in one fixed
# (pairwise) order: the result is the same bit for bit on 1 or 64 threads.
# 2048 points (32 KiB of float64 x and y) stay in L1.
cdef enum:
    BLOCK = 2048
    # records of a block of the statistics pass: count, means (x, y), Sxx, Sxy, Syy
    BLOCK_STATS = 6


cdef inline Py_ssize_t n_blocks(Py_ssize_t n) noexcept nogil:
    """ceil(n / BLOCK)."""
    return (n + BLOCK - 1) // BLOCK


cdef inline const long long* last_group_mask(Py_ssize_t n) noexcept nogil:
    """Mask for the last GROUP of n >= GROUP points: zeros for the points that
    the whole groups already summed, ones for the rest."""
    return keep_table + GROUP - ((n // GROUP) * GROUP - (n - GROUP))


cdef inline double acc_total(vec* acc) noexcept nogil:
    """The sum of the ACC accumulators' elements, pairwise."""
    if ACC == 4:
        return total((acc[0] + acc[2]) + (acc[1] + acc[3]))
    return total((acc[0] + acc[1]) + acc[2])


# Software prefetch.  Every pass asks for its lines PREFETCH bytes ahead when
# x and y are large: the hardware prefetcher alone falls behind a pass over
# data from L3 or memory (bench/README.md compares builds with and without).
# Smaller data stays in cache from one pass to the next, where the extra
# instructions only cost.  A pass is told how many points from the start of
# its block it may prefetch up to (the data left; <= 0: none): never past the end.
cdef enum:
    PREFETCH_MIN_BYTES = 1 << 18   # x and y together


cdef inline Py_ssize_t prefetch_extent(Py_ssize_t n, Py_ssize_t itemsize) noexcept nogil:
    """Points of a pass over n points it may prefetch up to: n if x and y are
    at least PREFETCH_MIN_BYTES together, else 0 (none)."""
    return n if 2 * n * itemsize >= PREFETCH_MIN_BYTES else 0


cdef inline Py_ssize_t groups_prefetched(Py_ssize_t n_data, Py_ssize_t itemsize) noexcept nogil:
    """Groups of a block whose lines PREFETCH bytes ahead are still among the
    n_data points that may be prefetched (<= 0: none)."""
    return (n_data - PREFETCH // itemsize) // GROUP


cdef inline void prefetch_group(const floating* x, const floating* y) noexcept nogil:
    """Ask for the lines PREFETCH bytes past the group at x and at y."""
    cdef Py_ssize_t line
    for line in range(0, GROUP * <Py_ssize_t>sizeof(floating), 64):
        prefetch_ahead(<const char*>x + line)
        prefetch_ahead(<const char*>y + line)


cdef inline void block_sums(const floating* x, const floating* y, Py_ssize_t n,
                             Py_ssize_t n_data, double b0, double b1,
                             double* sums) noexcept nogil:
    """sums[:3] = [r.sum(), (r*x).sum(), (r*r).sum()], r = b0 + b1*x - y, n <= BLOCK.

    Lines up to x[:n_data] and y[:n_data] may be prefetched (<= 0: none).
    """
    cdef vec s[ACC]
    cdef vec t[ACC]
    cdef vec q[ACC]
    cdef vec xv, r
    cdef const long long* keep
    cdef double xs, rs, s_rest = 0.0, t_rest = 0.0, q_rest = 0.0
    cdef Py_ssize_t i, j, k
    cdef Py_ssize_t n_groups = n // GROUP
    cdef Py_ssize_t n_prefetched = groups_prefetched(n_data, sizeof(floating))
    for j in range(ACC):
        s[j] = zero()
        t[j] = zero()
        q[j] = zero()
    # vector j of a group goes to accumulator j: ACC independent chains
    for i in range(n_groups):
        if i < n_prefetched:
            prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            xv = vload(x + k)
            r = b0 + b1 * xv - vload(y + k)
            s[j] += r
            t[j] += r * xv
            q[j] += r * r
    if n_groups * GROUP < n:
        if n_groups > 0:
            # The last GROUP points as one more group, with r = 0 for the
            # points already summed: the same straight-line vector code, no
            # remainder loop.  (A mask, not r * 0: an infinite r would give NaN.)
            x += n - GROUP
            y += n - GROUP
            keep = last_group_mask(n)
            for j in range(ACC):
                xv = vload(x + j * WIDTH)
                r = masked(b0 + b1 * xv - vload(y + j * WIDTH), keep + j * WIDTH)
                s[j] += r
                t[j] += r * xv
                q[j] += r * r
        else:
            # fewer than GROUP points in all: one at a time
            for k in range(n):
                xs = x[k]
                rs = b0 + b1 * xs - <double>y[k]
                s_rest += rs
                t_rest += rs * xs
                q_rest += rs * rs
    sums[0] = acc_total(s) + s_rest
    sums[1] = acc_total(t) + t_rest
    sums[2] = acc_total(q) + q_rest


cdef inline double stats_total(vec* acc) noexcept nogil:
    """The sum of the STATS_ACC accumulators' elements, pairwise."""
    if STATS_ACC == 4:
        return acc_total(acc)
    return total(acc[0] + acc[1])


cdef inline void block_stats(const floating* x, const floating* y, Py_ssize_t n,
                              Py_ssize_t n_data, double* out) noexcept nogil:
    """out[:6] = [n, x.mean(), y.mean(), (cx*cx).sum(), (cx*cy).sum(), (cy*cy).sum()].

    cx = x - x.mean(), cy = y - y.mean(), n <= BLOCK; lines up to x[:n_data]
    and y[:n_data] may be prefetched (<= 0: none).  One sweep of sums of
    the data shifted by the block's first point, dx = x - x[0]: the shift
    puts the sums at the scale of the spread, not of the mean, so turning
    them into centred sums (sum dx*dx - sum(dx)**2 / n) loses little, unlike
    sum(x*x) - n*mean**2.
    """
    cdef vec sx[STATS_ACC]
    cdef vec sy[STATS_ACC]
    cdef vec sxx[STATS_ACC]
    cdef vec sxy[STATS_ACC]
    cdef vec syy[STATS_ACC]
    cdef const long long* keep
    cdef double x0 = x[0], y0 = y[0]
    cdef double dx, dy, total_x, total_y, mean_dx, mean_dy
    cdef double rest[5]
    cdef vec dxv, dyv
    cdef Py_ssize_t i, j, k
    cdef Py_ssize_t n_groups = n // GROUP
    cdef Py_ssize_t n_prefetched = groups_prefetched(n_data, sizeof(floating))
    # vector j of a group goes to accumulator j % STATS_ACC
    for j in range(STATS_ACC):
        sx[j] = zero()
        sy[j] = zero()
        sxx[j] = zero()
        sxy[j] = zero()
        syy[j] = zero()
    for j in range(5):
        rest[j] = 0.0
    for i in range(n_groups):
        if i < n_prefetched:
            prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            dxv = vload(x + k) - x0
            dyv = vload(y + k) - y0
            sx[j % STATS_ACC] += dxv
            sy[j % STATS_ACC] += dyv
            sxx[j % STATS_ACC] += dxv * dxv
            sxy[j % STATS_ACC] += dxv * dyv
            syy[j % STATS_ACC] += dyv * dyv
    if n_groups * GROUP < n:
        if n_groups > 0:
            # the last GROUP points, zero for those already summed (as block_sums)
            keep = last_group_mask(n)
            for j in range(ACC):
                k = n - GROUP + j * WIDTH
                dxv = masked(vload(x + k) - x0, keep + j * WIDTH)
                dyv = masked(vload(y + k) - y0, keep + j * WIDTH)
                sx[j % STATS_ACC] += dxv
                sy[j % STATS_ACC] += dyv
                sxx[j % STATS_ACC] += dxv * dxv
                sxy[j % STATS_ACC] += dxv * dyv
                syy[j % STATS_ACC] += dyv * dyv
        else:
            for k in range(n):
                dx = x[k] - x0
                dy = y[k] - y0
                rest[0] += dx
                rest[1] += dy
                rest[2] += dx * dx
                rest[3] += dx * dy
                rest[4] += dy * dy
    total_x = stats_total(sx) + rest[0]
    total_y = stats_total(sy) + rest[1]
    mean_dx = total_x / n
    mean_dy = total_y / n
    out[0] = n
    out[1] = x0 + mean_dx
    out[2] = y0 + mean_dy
    # a sum of squares is >= 0: rounding must not make it negative
    out[3] = max(stats_total(sxx) + rest[2] - total_x * mean_dx, 0.0)
    out[4] = stats_total(sxy) + rest[3] - total_x * mean_dy
    out[5] = max(stats_total(syy) + rest[4] - total_y * mean_dy, 0.0)


cdef inline void chan_merge(const double* a, const double* b, double* out) noexcept nogil:
    """out[:6] = the records of two parts a and b merged.

    Chan, Golub and LeVeque's update: for parts a and b with mean difference
    delta, the centred sums add plus delta_x * delta_y * n_a * n_b / n.
    """
    cdef double n = a[0] + b[0]
    cdef double dx = b[1] - a[1]
    cdef double dy = b[2] - a[2]
    cdef double w = a[0] * b[0] / n
    out[0] = n
    out[1] = a[1] + dx * (b[0] / n)
    out[2] = a[2] + dy * (b[0] / n)
    out[3] = a[3] + b[3] + dx * dx * w
    out[4] = a[4] + b[4] + dx * dy * w
    out[5] = a[5] + b[5] + dy * dy * w


cdef inline double block_read(const floating* x, const floating* y, Py_ssize_t n,
                               Py_ssize_t n_data) noexcept nogil:
    """(x + y).sum() for n <= BLOCK: the least work that still reads every byte.

    Same vectors, accumulators, remainder handling and prefetch as block_sums.
    """
    cdef vec s[ACC]
    cdef double rest = 0.0
    cdef const long long* keep
    cdef Py_ssize_t i, j, k
    cdef Py_ssize_t n_groups = n // GROUP
    cdef Py_ssize_t n_prefetched = groups_prefetched(n_data, sizeof(floating))
    for j in range(ACC):
        s[j] = zero()
    for i in range(n_groups):
        if i < n_prefetched:
            prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            s[j] += vload(x + k) + vload(y + k)
    if n_groups * GROUP < n:
        if n_groups > 0:
            keep = last_group_mask(n)
            for j in range(ACC):
                k = n - GROUP + j * WIDTH
                s[j] += masked(vload(x + k) + vload(y + k), keep + j * WIDTH)
        else:
            for k in range(n):
                rest += <double>x[k] + <double>y[k]
    return acc_total(s) + rest


