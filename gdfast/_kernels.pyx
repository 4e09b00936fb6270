"""Typed kernels of gdfast: batch gradient descent for y = b0 + b1*x.

Called by ``gdfast._fit`` and ``gdfast._cost``, never by users.  The callers
validate every argument (dtypes, lengths >= 1, finite data, buffer sizes):
nothing here checks them.  The only exceptions are MemoryError, the typed
arguments' own conversion errors, and, for the one output taken as a raw
buffer (``centred_stats``'s), the buffer protocol's errors and a ValueError
for a wrong size or format.  The descent reports how it ended through a status
code instead.

Data arrays are fused float32/float64, read through ``const`` memoryviews so
read-only arrays (``np.load(..., mmap_mode="r")``) are used without a copy.
Every sum is accumulated in double precision.

Layout: vectors of WIDTH doubles; the fused pass over fixed blocks of BLOCK
points, ACC vector accumulators per sum, prefetching ahead on large data; the
descent's per-iteration bookkeeping (_advance), shared by the one-thread loop,
the persistent OpenMP team (run_descent) and the O(1) iteration of
method="stats" (centred_stats, run_descent_stats); read_floor for the
benchmarks.  setup.py compiles this file once per SIMD level
(_kernels_avx2.pyx and _kernels_avx512.pyx include it); gdfast._backend
picks the build.  Allocations (block sums) happen before ``nogil`` and raise
MemoryError there, never inside.
"""
from cython cimport floating
from cpython.buffer cimport (PyBUF_FORMAT, PyBUF_ND, PyBUF_WRITABLE, PyBuffer_Release,
                             PyObject_GetBuffer)
from cpython.mem cimport PyMem_RawFree, PyMem_RawMalloc
from cython.parallel cimport parallel, threadid
from libc.math cimport INFINITY, hypot, isfinite
from libc.string cimport strncpy

# Cython has no barrier; these two OpenMP calls are all the C there is.  An
# orphaned barrier binds to the enclosing parallel region.  Without OpenMP
# the team is one thread and a barrier is nothing.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static inline void gdfast_barrier(void) {
        #pragma omp barrier
    }
    static inline int gdfast_team_size(void) { return omp_get_num_threads(); }
    #define GDFAST_OPENMP 1
    #else
    static inline void gdfast_barrier(void) {}
    static inline int gdfast_team_size(void) { return 1; }
    #define GDFAST_OPENMP 0
    #endif
    """
    void _barrier "gdfast_barrier"() noexcept nogil
    int _team_size "gdfast_team_size"() noexcept nogil
    const int GDFAST_OPENMP

#: True if this build runs its passes on several threads (compiled with OpenMP)
HAS_OPENMP = bool(GDFAST_OPENMP)


def team_size(int n_threads):
    """The number of threads a team asked for ``n_threads`` really gets."""
    cdef int size = 1
    cdef int* size_p = &size
    with nogil, parallel(num_threads=n_threads):
        if threadid() == 0:
            size_p[0] = _team_size()
    return size

# ---------------------------------------------------------------------------
# Status codes returned by run_descent (mirrored by gdfast._fit)
# ---------------------------------------------------------------------------
cdef enum:
    RUNNING = 0     # the history buffer is full: call again to go on
    CONVERGED = 1   # gradient norm <= tol
    MAX_ITER = 2    # max_iter updates made
    DIVERGED = 3    # a cost, gradient or parameter became NaN or infinite

STATUS_RUNNING = RUNNING
STATUS_CONVERGED = CONVERGED
STATUS_MAX_ITER = MAX_ITER
STATUS_DIVERGED = DIVERGED

# Points summed by one call of _block_sums.  The data is cut into blocks of
# this fixed size whatever the number of threads, and the block sums are
# combined in one fixed (pairwise) order: the result is the same bit for bit
# on 1 or 64 threads.  2048 points (32 KiB of float64 x and y) stay in L1.
cdef enum:
    BLOCK = 2048
    # up to this many block sums are added left to right, more are split in
    # halves: pairwise accuracy without a function call per block
    PAIRWISE_LEAF = 8


# ---------------------------------------------------------------------------
# Vectors of WIDTH doubles
# ---------------------------------------------------------------------------
# A sum is kept in ACC independent vector accumulators: the compiler may not
# reassociate a floating-point sum, so a single running sum would neither
# vectorize nor hide the latency of its adds.  The passes are written with a
# vector type (GCC and Clang vector extensions: plain C operators on vectors)
# rather than left to the auto-vectorizer, which kept lanes written as plain
# arrays on the stack between the loop, its remainder and the final sum
# (stores and reloads that cost most at small N).  Without vector extensions a
# "vector" is one double and the same code is scalar.  WIDTH follows the
# instruction set the build targets (setup.py builds SSE2, AVX2 and AVX-512).
# The C below is the type, loads and a horizontal sum; the arithmetic is in
# Cython.
cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    #  include <xmmintrin.h>
    #endif
    #if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
    #  define GDFAST_X86 1
    #endif
    #if (defined(__GNUC__) && __GNUC__ >= 9) || defined(__clang__)
    #  if defined(__AVX512F__)
    #    define GDFAST_WIDTH 8
    #  elif defined(__AVX__)
    #    define GDFAST_WIDTH 4
    #  else
    #    define GDFAST_WIDTH 2
    #  endif
    typedef double gdfast_vec __attribute__((vector_size(8 * GDFAST_WIDTH)));
    typedef long long gdfast_ivec __attribute__((vector_size(8 * GDFAST_WIDTH)));
    /* v where the mask's bits are all ones, 0.0 where they are zeros */
    static inline gdfast_vec gdfast_masked(gdfast_vec v, const long long* mask) {
        gdfast_ivec m;
        memcpy(&m, mask, sizeof m);
        return (gdfast_vec)((gdfast_ivec)v & m);
    }
    /* WIDTH floats widened to doubles */
    #  ifdef GDFAST_X86
    #    include <immintrin.h>
    /* one instruction (GCC 12 splits __builtin_convertvector of 8 floats) */
    static inline gdfast_vec gdfast_load_float(const float* p) {
    #    if GDFAST_WIDTH == 8
        return (gdfast_vec)_mm512_cvtps_pd(_mm256_loadu_ps(p));
    #    elif GDFAST_WIDTH == 4
        return (gdfast_vec)_mm256_cvtps_pd(_mm_loadu_ps(p));
    #    else
        return (gdfast_vec)_mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double*)p)));
    #    endif
    }
    #  else
    typedef float gdfast_fvec __attribute__((vector_size(4 * GDFAST_WIDTH)));
    static inline gdfast_vec gdfast_load_float(const float* p) {
        gdfast_fvec v;
        memcpy(&v, p, sizeof v);
        return __builtin_convertvector(v, gdfast_vec);
    }
    #  endif
    #else
    #  define GDFAST_WIDTH 1
    typedef double gdfast_vec;
    static inline gdfast_vec gdfast_masked(gdfast_vec v, const long long* mask) {
        long long bits;
        memcpy(&bits, &v, sizeof v);
        bits &= *mask;
        memcpy(&v, &bits, sizeof v);
        return v;
    }
    static inline gdfast_vec gdfast_load_float(const float* p) { return (double)*p; }
    #endif
    static inline gdfast_vec gdfast_zero(void) { gdfast_vec v; memset(&v, 0, sizeof v); return v; }
    /* Ask for the cache line GDFAST_PREFETCH bytes past p: a hint, which
       never faults (the address is an integer: a pointer past the end of an
       array is undefined).  -DGDFAST_PREFETCH=0 in CFLAGS builds without. */
    #ifndef GDFAST_PREFETCH
    #  define GDFAST_PREFETCH 4096
    #endif
    static inline void gdfast_prefetch_ahead(const void* p) {
    #if GDFAST_PREFETCH > 0 && defined(__GNUC__)
        __builtin_prefetch((const void*)((uintptr_t)p + GDFAST_PREFETCH));
    #elif GDFAST_PREFETCH > 0 && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
        _mm_prefetch((const char*)((uintptr_t)p + GDFAST_PREFETCH), _MM_HINT_T0);
    #else
        (void)p;
    #endif
    }
    static inline gdfast_vec gdfast_load_double(const double* p) {
        gdfast_vec v;
        memcpy(&v, p, sizeof v);
    #if GDFAST_WIDTH > 1 && defined(GDFAST_X86)
        /* the value must live in a register: else GCC folds the load of x
           into both instructions that use it, and reads x twice (a third
           more loads, each split across cache lines on unaligned data) */
        __asm__("" : "+v"(v));
    #endif
        return v;
    }
    /* the sum of the elements, as a pairwise tree (first half + second half) */
    static inline double gdfast_total(gdfast_vec v) {
        double a[GDFAST_WIDTH];
        int i, w;
        memcpy(a, &v, sizeof v);
        for (w = GDFAST_WIDTH / 2; w >= 1; w /= 2)
            for (i = 0; i < w; i++)
                a[i] += a[i + w];
        return a[0];
    }
    /* three sums of ACC accumulators, plus b0, b1 and temporaries, in the
       registers: 32 with AVX-512, 16 with AVX2 and SSE2 (where 4 each would
       spill to the stack inside the loop) */
    #if GDFAST_WIDTH == 8
    #  define GDFAST_ACC 4
    #else
    #  define GDFAST_ACC 3
    #endif
    /* the stats pass keeps five sums: 4 accumulators each fit in AVX-512's
       32 registers, 2 each in the 16 of AVX2 and SSE2 */
    #if GDFAST_WIDTH == 8
    #  define GDFAST_STATS_ACC 4
    #else
    #  define GDFAST_STATS_ACC 2
    #endif
    #define GDFAST_GROUP (GDFAST_ACC * GDFAST_WIDTH)
    """
    ctypedef double vec "gdfast_vec"
    enum:
        WIDTH "GDFAST_WIDTH"   # doubles per vector
        ACC "GDFAST_ACC"       # vector accumulators per sum
        GROUP "GDFAST_GROUP"   # points per step of a pass: ACC vectors
        STATS_ACC "GDFAST_STATS_ACC"  # vector accumulators per sum of the stats pass
    vec _zero "gdfast_zero"() noexcept nogil
    void _prefetch_ahead "gdfast_prefetch_ahead"(const void* p) noexcept nogil
    const Py_ssize_t PREFETCH "GDFAST_PREFETCH"   # bytes ahead
    vec _load_double "gdfast_load_double"(const double* p) noexcept nogil
    vec _load_float "gdfast_load_float"(const float* p) noexcept nogil
    double _total "gdfast_total"(vec v) noexcept nogil
    vec _masked "gdfast_masked"(vec v, const long long* mask) noexcept nogil


cdef inline vec _vload(const floating* p) noexcept nogil:
    """p[:WIDTH] as a vector of doubles."""
    if floating is double:
        return _load_double(p)
    else:
        return _load_float(p)


# _KEEP[:GROUP] all bits 0, _KEEP[GROUP:] all bits 1: _KEEP + GROUP - cut is
# the mask that zeroes the first `cut` points of a group (see _block_sums)
cdef long long _KEEP[2 * GROUP]


cdef inline const long long* _last_group_mask(Py_ssize_t n) noexcept nogil:
    """Mask for the last GROUP of n >= GROUP points: zeros for the points that
    the whole groups already summed, ones for the rest."""
    return _KEEP + GROUP - ((n // GROUP) * GROUP - (n - GROUP))


cdef void _fill_keep() noexcept:
    cdef Py_ssize_t i
    for i in range(2 * GROUP):
        _KEEP[i] = -1 if i >= GROUP else 0


_fill_keep()


cdef inline double _acc_total(vec* acc) noexcept nogil:
    """The sum of the ACC accumulators' elements, pairwise."""
    if ACC == 4:
        return _total((acc[0] + acc[2]) + (acc[1] + acc[3]))
    return _total((acc[0] + acc[1]) + acc[2])


# Software prefetch.  Every pass asks for its lines PREFETCH bytes ahead when
# x and y are large: the hardware prefetcher alone falls behind a pass over
# data from L3 or memory (bench/README.md compares builds with and without).
# Smaller data stays in cache from one pass to the next, where the extra
# instructions only cost.  A pass is told how many points from the start of
# its block it may prefetch up to (the data left; <= 0: none): never past the end.
cdef enum:
    PREFETCH_MIN_BYTES = 1 << 18   # x and y together


cdef inline Py_ssize_t _prefetch_extent(Py_ssize_t n, Py_ssize_t itemsize) noexcept nogil:
    """Points of a pass over n points it may prefetch up to: n if x and y are
    at least PREFETCH_MIN_BYTES together, else 0 (none)."""
    return n if 2 * n * itemsize >= PREFETCH_MIN_BYTES else 0


cdef inline Py_ssize_t _groups_prefetched(Py_ssize_t n_data, Py_ssize_t itemsize) noexcept nogil:
    """Groups of a block whose lines PREFETCH bytes ahead are still among the
    n_data points that may be prefetched (<= 0: none)."""
    return (n_data - PREFETCH // itemsize) // GROUP


cdef inline void _prefetch_group(const floating* x, const floating* y) noexcept nogil:
    """Ask for the lines PREFETCH bytes past the group at x and at y."""
    cdef Py_ssize_t line
    for line in range(0, GROUP * <Py_ssize_t>sizeof(floating), 64):
        _prefetch_ahead(<const char*>x + line)
        _prefetch_ahead(<const char*>y + line)


# ---------------------------------------------------------------------------
# The fused pass: sums of r, r*x and r^2 for r = b0 + b1*x - y
# ---------------------------------------------------------------------------
cdef inline void _block_sums(const floating* x, const floating* y, Py_ssize_t n,
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
    cdef Py_ssize_t n_prefetched = _groups_prefetched(n_data, sizeof(floating))
    for j in range(ACC):
        s[j] = _zero()
        t[j] = _zero()
        q[j] = _zero()
    # vector j of a group goes to accumulator j: ACC independent chains
    for i in range(n_groups):
        if i < n_prefetched:
            _prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            xv = _vload(x + k)
            r = b0 + b1 * xv - _vload(y + k)
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
            keep = _last_group_mask(n)
            for j in range(ACC):
                xv = _vload(x + j * WIDTH)
                r = _masked(b0 + b1 * xv - _vload(y + j * WIDTH), keep + j * WIDTH)
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
    sums[0] = _acc_total(s) + s_rest
    sums[1] = _acc_total(t) + t_rest
    sums[2] = _acc_total(q) + q_rest


cdef inline Py_ssize_t _n_blocks(Py_ssize_t n) noexcept nogil:
    """ceil(n / BLOCK)."""
    return (n + BLOCK - 1) // BLOCK


cdef double _pairwise_sum(const double* a, Py_ssize_t n, Py_ssize_t stride) noexcept nogil:
    """a[:n*stride:stride].sum() as a pairwise tree: left half n // 2 terms,
    up to PAIRWISE_LEAF terms added left to right.

    The rounding error grows as O(log n) instead of O(n) for a running sum;
    the split is the one _residual_sums makes, so both give the same bits.
    """
    cdef Py_ssize_t i, half
    cdef double total
    if n <= PAIRWISE_LEAF:
        total = a[0]
        for i in range(1, n):
            total += a[i * stride]
        return total
    half = n // 2
    return _pairwise_sum(a, half, stride) + _pairwise_sum(a + half * stride, n - half, stride)


# The threaded batch pass combines on every thread, not on one after the team
# (as the stats pass merges; read_floor's thread 0 adds its few partial sums):
# thread t's share of the blocks is [t*n_blocks//team, (t+1)*n_blocks//team),
# and each thread combines the largest nodes of the fixed pairwise tree that
# lie in its share; what is left after the barrier is the top of the tree,
# O(team * log(n_blocks)) numbers, read from the other threads' caches.  Same
# tree, same additions: the same bits as on one thread.
cdef inline Py_ssize_t _owner(Py_ssize_t blk, Py_ssize_t n_blocks, int team) noexcept nogil:
    """The thread whose share of the blocks holds block blk."""
    return ((blk + 1) * team + n_blocks - 1) // n_blocks - 1


cdef void _share_sums(double* block_sums, Py_ssize_t lo, Py_ssize_t count, Py_ssize_t n_blocks,
                      int team, int tid) noexcept nogil:
    """Thread tid's part of _pairwise_sum over blocks [lo, lo + count), a node
    of its tree, for the 3 sums of each block: each largest node in tid's
    share gets its 3 sums in its first block's slots."""
    cdef Py_ssize_t first = _owner(lo, n_blocks, team)
    cdef Py_ssize_t last = _owner(lo + count - 1, n_blocks, team)
    cdef Py_ssize_t half, j
    cdef double node[3]
    if tid < first or tid > last:
        return
    if first == last:
        for j in range(3):
            node[j] = _pairwise_sum(block_sums + 3 * lo + j, count, 3)
        for j in range(3):
            block_sums[3 * lo + j] = node[j]
        return
    if count <= PAIRWISE_LEAF:
        # a leaf across shares: added block by block after the barrier
        return
    half = count // 2
    _share_sums(block_sums, lo, half, n_blocks, team, tid)
    _share_sums(block_sums, lo + half, count - half, n_blocks, team, tid)


cdef double _gather_sum(const double* block_sums, Py_ssize_t lo, Py_ssize_t count,
                        Py_ssize_t n_blocks, int team) noexcept nogil:
    """_pairwise_sum(block_sums + 3 * lo, count, 3) from what _share_sums left:
    a node in one thread's share is its first block's slot."""
    cdef Py_ssize_t half
    if _owner(lo, n_blocks, team) == _owner(lo + count - 1, n_blocks, team):
        return block_sums[3 * lo]
    if count <= PAIRWISE_LEAF:
        # a leaf across shares, which _share_sums left as it was
        return _pairwise_sum(block_sums + 3 * lo, count, 3)
    half = count // 2
    return (_gather_sum(block_sums, lo, half, n_blocks, team)
            + _gather_sum(block_sums, lo + half, count - half, n_blocks, team))


cdef void _residual_sums(const floating* x, const floating* y, Py_ssize_t n,
                         Py_ssize_t n_data, double b0, double b1, double* sums) noexcept nogil:
    """Like _block_sums for any n >= 1, on one thread: blocks combined pairwise."""
    cdef double left[3]
    cdef double right[3]
    cdef Py_ssize_t half, blk
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    if n_blocks <= PAIRWISE_LEAF:
        # left to right, as _pairwise_sum's leaves
        _block_sums(x, y, min(<Py_ssize_t>BLOCK, n), n_data, b0, b1, sums)
        for blk in range(1, n_blocks):
            _block_sums(x + blk * BLOCK, y + blk * BLOCK, min(<Py_ssize_t>BLOCK, n - blk * BLOCK),
                        n_data - blk * BLOCK, b0, b1, left)
            sums[0] += left[0]
            sums[1] += left[1]
            sums[2] += left[2]
        return
    # split on a block boundary, half of the blocks left (as _pairwise_sum)
    half = (n_blocks // 2) * BLOCK
    _residual_sums(x, y, half, n_data, b0, b1, left)
    _residual_sums(x + half, y + half, n - half, n_data - half, b0, b1, right)
    sums[0] = left[0] + right[0]
    sums[1] = left[1] + right[1]
    sums[2] = left[2] + right[2]


def residual_sums(const floating[::1] x, const floating[::1] y, double b0, double b1):
    """Return (sum r, sum r*x, sum r**2) for r = b0 + b1*x - y, in one pass.

    ``x`` and ``y``: same dtype, same length >= 1 (not checked).
    """
    cdef double sums[3]
    with nogil:
        _residual_sums(&x[0], &y[0], x.shape[0],
                       _prefetch_extent(x.shape[0], sizeof(floating)), b0, b1, sums)
    return sums[0], sums[1], sums[2]


# ---------------------------------------------------------------------------
# Finiteness check used by input validation
# ---------------------------------------------------------------------------
def first_nonfinite(const floating[::1] a):
    """Index of the first NaN or infinity in ``a``, or -1 if all are finite.

    NumPy equivalent: ``np.flatnonzero(~np.isfinite(a))[:1]``, without the
    temporary boolean array (one byte per element).
    """
    cdef Py_ssize_t i, j, n = a.shape[0]
    cdef Py_ssize_t n_groups = n // GROUP
    cdef Py_ssize_t first = -1
    cdef vec acc[ACC]
    cdef double rest = 0.0
    with nogil:
        # a*0 is 0 for finite a and NaN for NaN or inf: one branch-free sweep
        for j in range(ACC):
            acc[j] = _zero()
        for i in range(n_groups):
            for j in range(ACC):
                acc[j] += _vload(&a[i * GROUP + j * WIDTH]) * 0.0
        for i in range(n_groups * GROUP, n):
            rest += a[i] * 0.0
        if _acc_total(acc) + rest != 0.0:
            for i in range(n):
                if not isfinite(a[i]):
                    first = i
                    break
    return first


# ---------------------------------------------------------------------------
# The descent: one iteration's bookkeeping, shared by every way of getting
# the sums (one thread, a team of threads, the centred statistics)
# ---------------------------------------------------------------------------
# Slots of the state array, carried from one call to the next
STATE_SIZE = 7
cdef enum:
    S_B0 = 0             # current parameters: b0, b1 after `iteration` updates
    S_B1 = 1
    S_GRAD_NORM = 2      # gradient norm at the last point whose cost was computed
    S_PREV_B0 = 3        # that last point and its cost: the point reported if
    S_PREV_B1 = 4        # the current one turns out not to be finite
    S_PREV_COST = 5
    S_PREV_RECORDED = 6  # 1.0 if that point already has its history row

# the slots gdfast._descent reads, by name
STATE_GRAD_NORM = S_GRAD_NORM
STATE_PREV_POINT = slice(S_PREV_B0, S_PREV_B1 + 1)
STATE_PREV_COST = S_PREV_COST
STATE_PREV_RECORDED = S_PREV_RECORDED


ctypedef struct Descent:
    # where the descent is: the state slots plus the counters of this call
    # (g0, g1): the gradient at the last point whose cost was computed, and
    # at the one before; its norm is only taken when needed (hypot is slow)
    double b0, b1, g0, g1, prev_b0, prev_b1, prev_cost, prev_g0, prev_g1
    bint prev_recorded
    Py_ssize_t k, n_rows
    int status


ctypedef struct Settings:
    # what the caller asked for, fixed during a call
    double learning_rate, grad_factor, cost_factor, tol
    double clearly_above_tol  # g0**2 + g1**2 above this: the norm is > tol
    Py_ssize_t max_iter, record_every, stop_at, capacity
    double* rows              # capacity x 3, row-major: b0, b1, cost
    Py_ssize_t* row_iteration


cdef Descent _load(double[::1] state, Py_ssize_t iteration):
    """Descent from the state slots, before any iteration of this call."""
    cdef Descent d
    d.b0 = state[S_B0]
    d.b1 = state[S_B1]
    # a gradient (norm, 0): hypot gives the norm back exactly
    d.g0 = state[S_GRAD_NORM]
    d.g1 = 0.0
    d.prev_g0 = d.g0
    d.prev_g1 = 0.0
    d.prev_b0 = state[S_PREV_B0]
    d.prev_b1 = state[S_PREV_B1]
    d.prev_cost = state[S_PREV_COST]
    d.prev_recorded = state[S_PREV_RECORDED] != 0.0
    d.k = iteration
    d.n_rows = 0
    d.status = RUNNING
    return d


cdef object _store(const Descent* d, double[::1] state):
    """Write the state slots back; return (status, iteration, n_rows)."""
    state[S_B0] = d.b0
    state[S_B1] = d.b1
    state[S_GRAD_NORM] = hypot(d.g0, d.g1)
    state[S_PREV_B0] = d.prev_b0
    state[S_PREV_B1] = d.prev_b1
    state[S_PREV_COST] = d.prev_cost
    state[S_PREV_RECORDED] = d.prev_recorded
    return d.status, d.k, d.n_rows


cdef Settings _settings(double learning_rate, double grad_factor, double cost_factor,
                        Py_ssize_t max_iter, double tol, Py_ssize_t record_every,
                        Py_ssize_t stop_at, double[:, ::1] rows,
                        Py_ssize_t[::1] row_iteration):
    """Settings from run_descent's arguments."""
    cdef Settings s
    s.learning_rate = learning_rate
    s.grad_factor = grad_factor
    s.cost_factor = cost_factor
    s.tol = tol
    # 4 tol**2: far enough above tol**2 that rounding cannot matter; where
    # tol**2 would underflow or overflow, always take the exact hypot
    s.clearly_above_tol = 4.0 * tol * tol if 1e-290 < tol * tol < 1e290 else INFINITY
    if tol < 0.0:
        s.clearly_above_tol = -1.0  # no stopping on the gradient norm
    s.max_iter = max_iter
    s.record_every = record_every
    s.stop_at = stop_at
    s.capacity = rows.shape[0]
    s.rows = &rows[0, 0]
    s.row_iteration = &row_iteration[0]
    return s


cdef inline void _record(Descent* d, const Settings* s, Py_ssize_t k, double b0, double b1,
                         double cost, bint write) noexcept nogil:
    """rows[n_rows] = (b0, b1, cost); row_iteration[n_rows] = k; n_rows += 1."""
    if write:
        s.rows[3 * d.n_rows] = b0
        s.rows[3 * d.n_rows + 1] = b1
        s.rows[3 * d.n_rows + 2] = cost
        s.row_iteration[d.n_rows] = k
    d.n_rows += 1


cdef inline bint _advance(Descent* d, const Settings* s, double sum_r, double sum_rx,
                          double sum_rr, bint write) noexcept nogil:
    """Finish iteration d.k from the sums at (d.b0, d.b1); True when the call ends.

    cost = cost_factor * sum_rr, g = grad_factor * (sum_r, sum_rx); record,
    test the stopping rules, then b -= learning_rate * g.  ``write`` False:
    count history rows without writing them (the threads of a team all run
    this, identically; one writes).
    """
    cdef double cost = s.cost_factor * sum_rr
    cdef double g0 = s.grad_factor * sum_r
    cdef double g1 = s.grad_factor * sum_rx
    cdef double new_b0, new_b1
    cdef bint recorded
    if not (isfinite(cost) and isfinite(g0) and isfinite(g1)):
        if not d.prev_recorded:
            _record(d, s, d.k - 1, d.prev_b0, d.prev_b1, d.prev_cost, write)
        d.status = DIVERGED
        d.g0 = d.prev_g0
        d.g1 = d.prev_g1
        return True
    d.g0 = g0
    d.g1 = g1

    # hypot(g0, g1) <= tol, taking the hypot only near tol
    if g0 * g0 + g1 * g1 <= s.clearly_above_tol and hypot(g0, g1) <= s.tol:
        d.status = CONVERGED
    elif d.k >= s.max_iter:
        d.status = MAX_ITER
    recorded = (d.status != RUNNING or d.k == 0
                or (s.record_every > 0 and d.k % s.record_every == 0))
    if recorded:
        _record(d, s, d.k, d.b0, d.b1, cost, write)
    if d.status != RUNNING:
        return True

    # the simultaneous update: g0 and g1 both come from this pass
    new_b0 = d.b0 - s.learning_rate * g0
    new_b1 = d.b1 - s.learning_rate * g1
    if not (isfinite(new_b0) and isfinite(new_b1)):
        if not recorded:
            _record(d, s, d.k, d.b0, d.b1, cost, write)
        d.status = DIVERGED
        return True
    d.prev_b0 = d.b0
    d.prev_b1 = d.b1
    d.prev_cost = cost
    d.prev_g0 = g0
    d.prev_g1 = g1
    d.prev_recorded = recorded
    d.b0 = new_b0
    d.b1 = new_b1
    d.k += 1
    return d.n_rows == s.capacity or d.k >= s.stop_at


def run_descent(const floating[::1] x, const floating[::1] y,
                double[::1] state, Py_ssize_t iteration, Py_ssize_t stop_at,
                double learning_rate, double grad_factor, double cost_factor,
                Py_ssize_t max_iter, double tol, Py_ssize_t record_every,
                double[:, ::1] rows, Py_ssize_t[::1] row_iteration, int n_threads=1):
    """Batch gradient descent until it stops, the history buffer is full, or
    ``stop_at`` updates have been made (the caller's slice of iterations).

    Each iteration k makes one pass over the data at the current parameters
    (b0, b1), giving S0 = sum r, S1 = sum r*x and S2 = sum r**2, then

        cost = cost_factor * S2
        g0, g1 = grad_factor * S0, grad_factor * S1
        b0, b1 = b0 - learning_rate * g0, b1 - learning_rate * g1

    both updates from the same residuals.  The descent stops *before* the
    update when ``hypot(g0, g1) <= tol`` (CONVERGED) or when ``max_iter``
    updates have been made (MAX_ITER).

    Parameters
    ----------
    x, y : same dtype and length >= 1
    state : double[STATE_SIZE], in/out
        See the S_* slots.  A new descent starts from (b0, b1, inf, 0, 0, 0, 1).
    iteration : updates made before this call.
    stop_at : return RUNNING once this many updates are made (> iteration).
    rows, row_iteration : history buffer of capacity >= 1 rows; a row holds
        (b0, b1, cost) and the number of updates behind it.  Row k is written
        when k == 0 or k % record_every == 0 (record_every > 0), and always
        for the point the descent stops at.
    n_threads : int >= 1
        Threads of the team that makes the passes.  The sums are the same bit
        for bit for any value (fixed blocks, fixed combination order).

    Returns
    -------
    (status, iteration, n_rows)
        RUNNING: call again with the same state to go on.  On DIVERGED the
        last row written (here or by an earlier call) is the last point whose
        parameters and cost are all finite.
    """
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef Py_ssize_t n_data = _prefetch_extent(n, sizeof(floating))
    cdef Settings s = _settings(learning_rate, grad_factor, cost_factor, max_iter, tol,
                                record_every, stop_at, rows, row_iteration)
    cdef Descent d = _load(state, iteration)
    cdef Descent start = d
    cdef Descent* result = &d
    cdef double sums[3]
    cdef double* partial
    cdef double* block_sums
    cdef double sum_r, sum_rx, sum_rr
    cdef Py_ssize_t blk, first, last
    cdef int team, tid

    if n_threads <= 1 or n_blocks < 2:
        with nogil:
            while True:
                _residual_sums(xp, yp, n, n_data, d.b0, d.b1, sums)
                if _advance(&d, &s, sums[0], sums[1], sums[2], True):
                    break
        return _store(&d, state)

    # One team for the whole call, not one per iteration: starting a team
    # costs microseconds, as much as a pass over 1e4 points.  Each thread
    # sums its own contiguous share of the blocks and combines what of the
    # tree lies in it, then waits at a barrier; then every thread combines the
    # rest in the same order and runs the same update on its private copy of
    # the descent: they all agree, and all leave the loop together.  Thread 0
    # alone writes the history.
    # The block sums alternate between two buffers by iteration parity, so a
    # thread already summing iteration k+1 never overwrites what a slower one
    # is still combining for iteration k: one barrier per iteration suffices.
    partial = <double*> PyMem_RawMalloc(2 * 3 * n_blocks * sizeof(double))
    if partial == NULL:
        raise MemoryError()
    with nogil, parallel(num_threads=n_threads):
        d = start
        team = _team_size()
        tid = threadid()
        first = tid * n_blocks // team
        last = (tid + 1) * n_blocks // team
        while True:
            block_sums = partial + 3 * n_blocks * (d.k & 1)
            for blk in range(first, last):
                _block_sums(xp + blk * BLOCK, yp + blk * BLOCK,
                            min(<Py_ssize_t>BLOCK, n - blk * BLOCK), n_data - blk * BLOCK,
                            d.b0, d.b1, block_sums + 3 * blk)
            _share_sums(block_sums, 0, n_blocks, n_blocks, team, tid)
            _barrier()
            sum_r = _gather_sum(block_sums, 0, n_blocks, n_blocks, team)
            sum_rx = _gather_sum(block_sums + 1, 0, n_blocks, n_blocks, team)
            sum_rr = _gather_sum(block_sums + 2, 0, n_blocks, n_blocks, team)
            if _advance(&d, &s, sum_r, sum_rx, sum_rr, tid == 0):
                break
        if tid == 0:
            result[0] = d
    PyMem_RawFree(partial)
    return _store(result, state)


# ---------------------------------------------------------------------------
# The "stats" method: one pass for the centred statistics, then an O(1)
# iteration.  With p = d + 1 columns (the d features, then y) the statistics
# are N, the column means and the p x p Gram matrix G of the centred
# columns; here d = 1, so p = 2 and G = [[Sxx, Sxy], [Sxy, Syy]].
# ---------------------------------------------------------------------------
cdef enum:
    T_N = 0        # number of points
    T_MEAN = 1     # means of x, y (p slots)
    T_GRAM = 3     # G, p x p row-major: Sxx, Sxy, Sxy, Syy
    P = 2          # columns: one feature and y
    T_SIZE = T_GRAM + P * P
    # per-block record while merging: count, means (p), Sxx, Sxy, Syy
    BLOCK_STATS = 6

STATS_SIZE = T_SIZE


cdef inline double _stats_total(vec* acc) noexcept nogil:
    """The sum of the STATS_ACC accumulators' elements, pairwise."""
    if STATS_ACC == 4:
        return _acc_total(acc)
    return _total(acc[0] + acc[1])


cdef inline void _block_stats(const floating* x, const floating* y, Py_ssize_t n,
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
    cdef Py_ssize_t n_prefetched = _groups_prefetched(n_data, sizeof(floating))
    # vector j of a group goes to accumulator j % STATS_ACC
    for j in range(STATS_ACC):
        sx[j] = _zero()
        sy[j] = _zero()
        sxx[j] = _zero()
        sxy[j] = _zero()
        syy[j] = _zero()
    for j in range(5):
        rest[j] = 0.0
    for i in range(n_groups):
        if i < n_prefetched:
            _prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            dxv = _vload(x + k) - x0
            dyv = _vload(y + k) - y0
            sx[j % STATS_ACC] += dxv
            sy[j % STATS_ACC] += dyv
            sxx[j % STATS_ACC] += dxv * dxv
            sxy[j % STATS_ACC] += dxv * dyv
            syy[j % STATS_ACC] += dyv * dyv
    if n_groups * GROUP < n:
        if n_groups > 0:
            # the last GROUP points, zero for those already summed (as _block_sums)
            keep = _last_group_mask(n)
            for j in range(ACC):
                k = n - GROUP + j * WIDTH
                dxv = _masked(_vload(x + k) - x0, keep + j * WIDTH)
                dyv = _masked(_vload(y + k) - y0, keep + j * WIDTH)
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
    total_x = _stats_total(sx) + rest[0]
    total_y = _stats_total(sy) + rest[1]
    mean_dx = total_x / n
    mean_dy = total_y / n
    out[0] = n
    out[1] = x0 + mean_dx
    out[2] = y0 + mean_dy
    # a sum of squares is >= 0: rounding must not make it negative
    out[3] = max(_stats_total(sxx) + rest[2] - total_x * mean_dx, 0.0)
    out[4] = _stats_total(sxy) + rest[3] - total_x * mean_dy
    out[5] = max(_stats_total(syy) + rest[4] - total_y * mean_dy, 0.0)


cdef void _chan_merge(const double* a, const double* b, double* out) noexcept nogil:
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


cdef void _merge_stats(const double* blocks, Py_ssize_t n_blocks, double* out) noexcept nogil:
    """Merge the per-block records pairwise (left half n_blocks // 2) into out[:6]."""
    cdef double a[BLOCK_STATS]
    cdef double b[BLOCK_STATS]
    cdef Py_ssize_t half, j
    if n_blocks == 1:
        for j in range(BLOCK_STATS):
            out[j] = blocks[j]
        return
    half = n_blocks // 2
    _merge_stats(blocks, half, a)
    _merge_stats(blocks + half * BLOCK_STATS, n_blocks - half, b)
    _chan_merge(a, b, out)


# The threaded stats pass merges on every thread as the batch pass combines
# (_share_sums): each thread merges the largest nodes of _merge_stats's tree
# in its share, and the top of the tree is merged after the team.
cdef void _share_stats(const floating* x, const floating* y, Py_ssize_t n, Py_ssize_t n_data,
                       Py_ssize_t lo, Py_ssize_t count, Py_ssize_t n_blocks, int team, int tid,
                       double* records) noexcept nogil:
    """Thread tid's part of the pass over blocks [lo, lo + count), a node of the
    tree: the records of its blocks, those of each largest node in its share
    merged into that node's first record."""
    cdef Py_ssize_t first = _owner(lo, n_blocks, team)
    cdef Py_ssize_t last = _owner(lo + count - 1, n_blocks, team)
    cdef Py_ssize_t blk, half, j
    cdef double merged[BLOCK_STATS]
    if tid < first or tid > last:
        return
    if first == last:
        for blk in range(lo, lo + count):
            _block_stats(x + blk * BLOCK, y + blk * BLOCK, min(<Py_ssize_t>BLOCK, n - blk * BLOCK),
                         n_data - blk * BLOCK, records + BLOCK_STATS * blk)
        _merge_stats(records + BLOCK_STATS * lo, count, merged)
        for j in range(BLOCK_STATS):
            records[BLOCK_STATS * lo + j] = merged[j]
        return
    half = count // 2
    _share_stats(x, y, n, n_data, lo, half, n_blocks, team, tid, records)
    _share_stats(x, y, n, n_data, lo + half, count - half, n_blocks, team, tid, records)


cdef void _gather_stats(const double* records, Py_ssize_t lo, Py_ssize_t count,
                        Py_ssize_t n_blocks, int team, double* out) noexcept nogil:
    """out[:6] = _merge_stats over blocks [lo, lo + count) from what _share_stats
    left: a node in one thread's share is its first record."""
    cdef double a[BLOCK_STATS]
    cdef double b[BLOCK_STATS]
    cdef Py_ssize_t half, j
    if _owner(lo, n_blocks, team) == _owner(lo + count - 1, n_blocks, team):
        for j in range(BLOCK_STATS):
            out[j] = records[BLOCK_STATS * lo + j]
        return
    half = count // 2
    _gather_stats(records, lo, half, n_blocks, team, a)
    _gather_stats(records, lo + half, count - half, n_blocks, team, b)
    _chan_merge(a, b, out)


def centred_stats(const floating[::1] x, const floating[::1] y, object stats,
                  int n_threads=1):
    """Fill ``stats`` (STATS_SIZE doubles) with N, the means and the centred Gram matrix.

    One pass over x and y, in fixed blocks merged in a fixed pairwise order:
    the same bits for any ``n_threads``.  ``x``, ``y``: same dtype, same
    length >= 1 (not checked).  ``stats``: a writable, C-contiguous buffer of
    STATS_SIZE native float64 (checked before the pass: ValueError for a wrong
    size or format, the exporter's own error if it cannot give such a buffer).
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef Py_ssize_t n_data = _prefetch_extent(n, sizeof(floating))
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef double merged[BLOCK_STATS]
    cdef double one_block[BLOCK_STATS]
    cdef double* blocks = one_block
    cdef double* out
    cdef Py_buffer view
    cdef Py_ssize_t got_len
    cdef char got_format[8]
    cdef Py_ssize_t blk
    cdef int team = 1, tid
    cdef int* team_p = &team   # written by thread 0 of the team
    # The output through the buffer protocol, not a typed memoryview: the
    # memoryview object Cython builds for an argument is a visible part of a
    # one-pass call at small N (bench/README.md, the stats pass at N = 1e3),
    # and the pass needs only the pointer.  Hence the check by hand.
    PyObject_GetBuffer(stats, &view, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_ND)
    if (view.len != T_SIZE * <Py_ssize_t>sizeof(double) or view.format == NULL
            or view.format[0] != b"d" or view.format[1] != 0):
        # what was found, copied out before the buffer goes (nothing raises before the release)
        got_len = view.len
        got_format[0] = b"B"   # no format means unsigned bytes
        got_format[1] = 0
        if view.format != NULL:
            strncpy(got_format, view.format, 7)
        got_format[7] = 0
        PyBuffer_Release(&view)
        raise ValueError(f"stats must be {T_SIZE} contiguous native float64 (format 'd'), not "
                         f"{got_len} bytes of format {got_format.decode('ascii', 'replace')!r}")
    out = <double*> view.buf
    # one block needs no list of block records (no allocation at small N)
    if n_blocks > 1:
        blocks = <double*> PyMem_RawMalloc(BLOCK_STATS * n_blocks * sizeof(double))
        if blocks == NULL:
            PyBuffer_Release(&view)
            raise MemoryError()
    with nogil:
        # one block or one thread: no team to start (as in run_descent)
        if n_threads <= 1 or n_blocks < 2:
            for blk in range(n_blocks):
                _block_stats(xp + blk * BLOCK, yp + blk * BLOCK,
                             min(<Py_ssize_t>BLOCK, n - blk * BLOCK), n_data - blk * BLOCK,
                             blocks + BLOCK_STATS * blk)
            _merge_stats(blocks, n_blocks, merged)
        else:
            with parallel(num_threads=n_threads):
                tid = threadid()
                _share_stats(xp, yp, n, n_data, 0, n_blocks, n_blocks, _team_size(), tid, blocks)
                if tid == 0:
                    team_p[0] = _team_size()
            _gather_stats(blocks, 0, n_blocks, n_blocks, team, merged)
        out[T_N] = merged[0]
        out[T_MEAN] = merged[1]
        out[T_MEAN + 1] = merged[2]
        out[T_GRAM] = merged[3]
        out[T_GRAM + 1] = merged[4]
        out[T_GRAM + 2] = merged[4]
        out[T_GRAM + 3] = merged[5]
    if blocks != one_block:
        PyMem_RawFree(blocks)
    PyBuffer_Release(&view)


cdef inline void _sums_from_stats(const double* stats, double b0, double b1,
                                  double* sums) noexcept nogil:
    """sums[:3] = (sum r, sum r*x, sum r**2) at (b0, b1), from the statistics alone.

    With w = (b1, -1), c = b0 + w @ means (the mean residual) and r = c + Z @ w
    for the centred columns Z (whose sums are zero):
        sum r = N c,   sum r*x = mean_x * N c + (G @ w)[0],
        sum r**2 = N c**2 + w @ G @ w.
    """
    cdef double w[P]
    cdef double gw[P]
    cdef double c, quad = 0.0
    cdef Py_ssize_t i, j
    w[0] = b1
    w[1] = -1.0
    c = b0
    for j in range(P):
        c += w[j] * stats[T_MEAN + j]
    for i in range(P):
        gw[i] = 0.0
        for j in range(P):
            gw[i] += stats[T_GRAM + P * i + j] * w[j]
        quad += w[i] * gw[i]
    sums[0] = stats[T_N] * c
    sums[1] = stats[T_MEAN] * sums[0] + gw[0]
    sums[2] = stats[T_N] * c * c + quad


def run_descent_stats(double[::1] stats, double[::1] state, Py_ssize_t iteration,
                      Py_ssize_t stop_at, double learning_rate, double grad_factor,
                      double cost_factor, Py_ssize_t max_iter, double tol,
                      Py_ssize_t record_every, double[:, ::1] rows,
                      Py_ssize_t[::1] row_iteration):
    """run_descent with the sums taken from ``centred_stats`` output: O(1) per iteration.

    Same arguments (less the data and threads), same state, history and
    return value as run_descent.
    """
    cdef Settings s = _settings(learning_rate, grad_factor, cost_factor, max_iter, tol,
                                record_every, stop_at, rows, row_iteration)
    cdef Descent d = _load(state, iteration)
    cdef const double* st = &stats[0]
    cdef double sums[3]
    with nogil:
        while True:
            _sums_from_stats(st, d.b0, d.b1, sums)
            if _advance(&d, &s, sums[0], sums[1], sums[2], True):
                break
    return _store(&d, state)


# ---------------------------------------------------------------------------
# Benchmark helper: the read floor
# ---------------------------------------------------------------------------
cdef inline double _block_read(const floating* x, const floating* y, Py_ssize_t n,
                               Py_ssize_t n_data) noexcept nogil:
    """(x + y).sum() for n <= BLOCK: the least work that still reads every byte.

    Same vectors, accumulators, remainder handling and prefetch as _block_sums.
    """
    cdef vec s[ACC]
    cdef double rest = 0.0
    cdef const long long* keep
    cdef Py_ssize_t i, j, k
    cdef Py_ssize_t n_groups = n // GROUP
    cdef Py_ssize_t n_prefetched = _groups_prefetched(n_data, sizeof(floating))
    for j in range(ACC):
        s[j] = _zero()
    for i in range(n_groups):
        if i < n_prefetched:
            _prefetch_group(x + i * GROUP, y + i * GROUP)
        for j in range(ACC):
            k = i * GROUP + j * WIDTH
            s[j] += _vload(x + k) + _vload(y + k)
    if n_groups * GROUP < n:
        if n_groups > 0:
            keep = _last_group_mask(n)
            for j in range(ACC):
                k = n - GROUP + j * WIDTH
                s[j] += _masked(_vload(x + k) + _vload(y + k), keep + j * WIDTH)
        else:
            for k in range(n):
                rest += <double>x[k] + <double>y[k]
    return _acc_total(s) + rest


def read_floor(const floating[::1] x, const floating[::1] y, Py_ssize_t n_passes,
               int n_threads=1):
    """Read x and y ``n_passes`` times, as run_descent's passes would; return a checksum.

    For the benchmarks: the time of one pass is the floor a descent iteration
    over the same data can reach.  Same blocks, same team and barrier per pass,
    same prefetch as run_descent.
    """
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_blocks = _n_blocks(n)
    cdef Py_ssize_t n_data = _prefetch_extent(n, sizeof(floating))
    cdef Py_ssize_t k, blk, first, last
    cdef int team, tid
    cdef double total = 0.0
    cdef double* total_p = &total   # written by thread 0 of the team
    cdef double* partial = <double*> PyMem_RawMalloc(2 * n_blocks * sizeof(double))
    if partial == NULL:
        raise MemoryError()
    with nogil:
        # one block or one thread: no team to start (as in run_descent)
        if n_threads <= 1 or n_blocks < 2:
            for k in range(n_passes):
                for blk in range(n_blocks):
                    partial[blk] = _block_read(xp + blk * BLOCK, yp + blk * BLOCK,
                                               min(<Py_ssize_t>BLOCK, n - blk * BLOCK),
                                               n_data - blk * BLOCK)
                total = total + _pairwise_sum(partial, n_blocks, 1)
        else:
            with parallel(num_threads=n_threads):
                team = _team_size()
                tid = threadid()
                first = tid * n_blocks // team
                last = (tid + 1) * n_blocks // team
                for k in range(n_passes):
                    for blk in range(first, last):
                        partial[n_blocks * (k & 1) + blk] = _block_read(
                            xp + blk * BLOCK, yp + blk * BLOCK,
                            min(<Py_ssize_t>BLOCK, n - blk * BLOCK), n_data - blk * BLOCK)
                    _barrier()
                    if tid == 0:
                        total_p[0] = total_p[0] + _pairwise_sum(partial + n_blocks * (k & 1),
                                                                n_blocks, 1)
    PyMem_RawFree(partial)
    return total
