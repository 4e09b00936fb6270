"""The compiled engine of gdfast: batch gradient descent for y = b0 + X @ b.

Called by gdfast's Python modules, never by users.  The callers validate
every argument (dtypes, shapes, N >= 1, finite data, buffer sizes): nothing
here checks them.  The only exceptions are MemoryError (allocations happen
before ``nogil``), the typed arguments' own conversion errors, and, for the
one output taken as a raw buffer (``centred_stats``'s), the buffer
protocol's errors and a ValueError for a wrong size or format.  A descent
reports how it ended through a status code instead (step.pxd).

Design
------
- ``step.pxd``: one iteration's bookkeeping (record, stop, diverge, update),
  written once for any number of parameters and every source of sums.
- ``line.pxd``: the passes over one feature (1-D x), ``features.pxd``: the
  pass over d features, ``gram.pxd``: the statistics of d features, each
  block by block; ``tree.pxd``: the fixed pairwise order their block sums are
  combined in, so the result is the same bit for bit for any thread count.
- This file: the descent loop, on one thread or on a persistent team of
  OpenMP threads meeting once per iteration at ``barrier.h``'s barrier, and
  the other entry points.  ``simd.h`` holds the vector type.

Data arrays are fused float32/float64, read through ``const`` memoryviews so
read-only arrays (``np.load(..., mmap_mode="r")``) are used without a copy.
Every sum is accumulated in double precision.  setup.py compiles this file
once per SIMD level (``passes_avx2.pyx`` and ``passes_avx512.pyx`` include
it); ``gdfast._engine`` picks the build.
"""
from cython cimport floating
from cpython.buffer cimport (PyBUF_FORMAT, PyBUF_ND, PyBUF_WRITABLE, PyBuffer_Release,
                             PyObject_GetBuffer)
from cpython.mem cimport PyMem_RawFree, PyMem_RawMalloc
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport isfinite
from libc.string cimport strncpy

from gdfast._engine cimport features, line, step, tree
from gdfast._engine.features cimport Design
from gdfast._engine.gram cimport column_sum, dot, gram_upper
from gdfast._engine.simd cimport (ACC, GDFAST_OPENMP, GROUP, WIDTH, barrier, barrier_init,
                                  barrier_wait, keep_init, max_threads, omp_barrier, total, vec,
                                  vload, zero)
from gdfast._engine.simd cimport team_size as omp_team_size
from gdfast._engine.step cimport Descent, Settings

keep_init()

#: True if this build runs its passes on several threads (compiled with OpenMP)
HAS_OPENMP = bool(GDFAST_OPENMP)
#: doubles per vector in this build (2 SSE2, 4 AVX2, 8 AVX-512)
VECTOR_WIDTH = WIDTH
#: points per block of the one-feature passes
LINE_BLOCK = line.BLOCK

STATUS_RUNNING = step.RUNNING
STATUS_CONVERGED = step.CONVERGED
STATUS_MAX_ITER = step.MAX_ITER
STATUS_DIVERGED = step.DIVERGED

# the slots of the state array, by name (step.pxd)
STATE_GRAD_NORM = step.S_GRAD_NORM
STATE_PREV_COST = step.S_PREV_COST
STATE_PREV_RECORDED = step.S_PREV_RECORDED
STATE_COST_LIMIT = step.S_COST_LIMIT
STATE_VECTORS = step.S_VECTORS
#: the vectors of p doubles in the state, from STATE_VECTORS on: params, prev, g,
#: prev_g, velocity
STATE_N_VECTORS = step.N_VECTORS

# the vectors a descent carries, per parameter (step.pxd)
cdef enum:
    VEC = step.N_VECTORS


def state_size(Py_ssize_t p):
    """Length of the state array of a descent with p = d + 1 parameters."""
    return step.state_length(p)


def feature_block_rows(Py_ssize_t d):
    """Rows per block of the d-feature pass (a function of d alone)."""
    return features.block_rows(d)


def team_size(int n_threads):
    """The number of threads a team asked for ``n_threads`` really gets."""
    cdef int size = 1
    cdef int* size_p = &size
    with nogil, parallel(num_threads=n_threads):
        if threadid() == 0:
            size_p[0] = omp_team_size()
    return size


def openmp_max_threads():
    """omp_get_max_threads(): what OMP_NUM_THREADS, or threadpoolctl's limit, allows (1
    without OpenMP)."""
    return max_threads()


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
            acc[j] = zero()
        for i in range(n_groups):
            for j in range(ACC):
                acc[j] += vload(&a[i * GROUP + j * WIDTH]) * 0.0
        for i in range(n_groups * GROUP, n):
            rest += a[i] * 0.0
        if line.acc_total(acc) + rest != 0.0:
            for i in range(n):
                if not isfinite(a[i]):
                    first = i
                    break
    return first


# ---------------------------------------------------------------------------
# The descent: a pass per iteration, then the step
# ---------------------------------------------------------------------------
ctypedef struct Pass:
    # which pass a descent makes, and over what
    bint one_feature      # line.block_sums over contiguous x (N,), else features.block_sums
    Py_ssize_t n_blocks
    Py_ssize_t n_data     # the one-feature pass may prefetch up to here (line.prefetch_extent)
    Design design         # the d-feature pass's shape and map


cdef inline void block_pass(const floating* x, const floating* y, const floating* w,
                            const Pass* ps, Py_ssize_t blk, const double* params,
                            double* scratch, double* out) noexcept nogil:
    """out[:p+1] = the sums of block blk at params: (sum w*r, sum w*r*z_j, sum w*r**2)."""
    cdef Py_ssize_t start
    if ps.one_feature:
        start = blk * line.BLOCK
        line.block_sums(x + start, y + start, min(<Py_ssize_t>line.BLOCK, ps.design.n - start),
                        ps.n_data - start, params[0], params[1], out)
    else:
        features.block_sums(x, y, w, &ps.design, blk, params, scratch, out)


cdef inline Pass make_pass(const floating* x, Py_ssize_t n, Py_ssize_t d, Py_ssize_t row_stride,
                           Py_ssize_t col_stride, const floating* w, const double* center,
                           const double* inv_scale, bint fit_intercept) noexcept nogil:
    """The pass for this data: the one-feature pass where it applies (one contiguous
    column, intercept, no weights, no map), the d-feature pass otherwise."""
    cdef Pass ps
    ps.design = features.design(n, d, row_stride, col_stride, center, inv_scale, fit_intercept)
    ps.one_feature = (d == 1 and row_stride == 1 and w == NULL and fit_intercept
                      and ps.design.identity)
    if ps.one_feature:
        ps.n_blocks = line.n_blocks(n)
        ps.n_data = line.prefetch_extent(n, sizeof(floating))
    else:
        ps.n_blocks = (n + ps.design.block - 1) // ps.design.block
        ps.n_data = 0
    return ps


cdef inline Py_ssize_t pass_scratch(const Pass* ps) noexcept nogil:
    """Doubles of one thread's scratch for the pass."""
    return 0 if ps.one_feature else features.block_scratch(&ps.design)


cdef inline const floating* weights_or_null(const floating[::1] sample_weight) noexcept:
    """&sample_weight[0], or NULL for None (no weights)."""
    return NULL if sample_weight is None else &sample_weight[0]


cdef inline const double* penalty_or_null(const double[::1] penalty) noexcept:
    """&penalty[0], or NULL for None (no penalty)."""
    return NULL if penalty is None else &penalty[0]


def run_descent(const floating[:, :] x, const floating[::1] y,
                const floating[::1] sample_weight, const double[::1] center,
                const double[::1] inv_scale, bint fit_intercept, double[::1] state,
                Py_ssize_t iteration, Py_ssize_t stop_at, double learning_rate,
                double grad_factor, double cost_factor, Py_ssize_t max_iter, double tol,
                double rise_floor, Py_ssize_t record_every, double[:, ::1] rows,
                Py_ssize_t[::1] row_iteration, int n_threads=1, double momentum=0.0,
                bint nesterov=False, const double[::1] penalty=None):
    """Batch gradient descent on y = b0 + z @ b until it stops, the history buffer is
    full, or ``stop_at`` updates have been made (the caller's slice of iterations).

    Each iteration k makes one pass over the data at the current parameters,
    giving S = sum w*r**2 and the gradient sums G = (sum w*r, z.T @ (w*r)),
    then (step.advance)

        cost = cost_factor * S;  g = grad_factor * G;  params -= learning_rate * g

    all parameters from the same residuals (b0 stays 0 without intercept);
    with ``momentum`` the heavy ball's or Nesterov's update and with
    ``penalty`` the L2 term, as step.advance says.
    It stops *before* the update when ``norm(g) <= tol`` (CONVERGED) or after
    ``max_iter`` updates (MAX_ITER), and on a non-finite cost, gradient or
    parameter, or a cost above twice the starting one plus ``rise_floor``
    (DIVERGED).

    Parameters
    ----------
    x : (N, d), any strides; y (N,); sample_weight (N,) or None: the same dtype.
        One contiguous column (d = 1, no weights, no map, intercept) takes the
        one-feature pass, anything else the d-feature pass.
    center, inv_scale : (d,) the feature map z = (x - center) * inv_scale.
    state : double[state_size(d + 1)], in/out; a new descent starts from
        (0, 0, 1, inf, *init, 0, ...) (see step.pxd).
    iteration, stop_at : updates made before this call; return RUNNING at stop_at.
    rows : (capacity >= 1, d + 2) history buffer: b0, b_1..b_d, cost.
    row_iteration : (capacity,) the update count of each row.  Row k is
        written when k == 0 or k % record_every == 0 (record_every > 0), and
        always for the point the descent stops at.
    n_threads : int >= 1
        Threads of the team that makes the passes.  The sums are the same bit
        for bit for any value (fixed blocks, fixed combination order).
    momentum, nesterov : beta in [0, 1) and the look-ahead (step.advance);
        0: plain descent.
    penalty : (d + 1,) or None
        The L2 penalty of each parameter in the descent's units (0 for b0):
        cost + 0.5 * sum(penalty * params**2), gradient + penalty * params.

    Returns
    -------
    (status, iteration, n_rows)
        RUNNING: call again with the same state to go on.  On DIVERGED the
        last row written (here or by an earlier call) is the point reported.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], p = x.shape[1] + 1, m = x.shape[1] + 2
    cdef const floating* xp = &x[0, 0]
    cdef const floating* yp = &y[0]
    cdef const floating* wp = weights_or_null(sample_weight)
    cdef Pass ps = make_pass(xp, n, d, x.strides[0] // sizeof(floating),
                             x.strides[1] // sizeof(floating), wp, &center[0], &inv_scale[0],
                             fit_intercept)
    cdef Settings s = step.settings(learning_rate, grad_factor, cost_factor, max_iter, tol,
                                    rise_floor, record_every, stop_at, &rows[0, 0],
                                    &row_iteration[0], rows.shape[0], momentum, nesterov,
                                    penalty_or_null(penalty))
    cdef Py_ssize_t nb = ps.n_blocks
    cdef int team_max = max(1, n_threads) if nb >= 2 else 1
    # per thread: the descent's vectors (4p), the iteration's sums (m), the pass's scratch
    cdef Py_ssize_t per_thread = VEC * p + m + pass_scratch(&ps)
    cdef double* block_buffers = <double*> PyMem_RawMalloc(2 * m * nb * sizeof(double))
    cdef double* private = <double*> PyMem_RawMalloc(team_max * per_thread * sizeof(double))
    cdef double* st = &state[0]
    cdef Descent dd
    cdef Descent result
    cdef Descent* result_p = &result   # written by thread 0 of the team
    cdef barrier bar
    cdef barrier* bar_p = &bar
    cdef double* mine
    cdef double* block_sums
    cdef Py_ssize_t blk, j, first, last
    cdef int team, tid
    if block_buffers == NULL or private == NULL:
        PyMem_RawFree(block_buffers)
        PyMem_RawFree(private)
        raise MemoryError()

    if team_max <= 1:
        with nogil:
            dd = step.load(st, private, p, iteration)
            while True:
                for blk in range(nb):
                    block_pass(xp, yp, wp, &ps, blk, dd.params, private + VEC * p + m,
                               block_buffers + m * blk)
                for j in range(m):
                    private[VEC * p + j] = tree.pairwise_sum(block_buffers + j, nb, m)
                if step.advance(&dd, &s, private + VEC * p, True):
                    break
            step.save(&dd, st)
        result = dd
    else:
        # One team for the whole call, not one per iteration: starting a team
        # costs microseconds, as much as a pass over 1e4 points.  Each thread
        # sums its own contiguous share of the blocks and combines what of
        # the tree lies in it, then waits at the barrier; then every thread
        # combines the rest in the same order and runs the same step on its
        # private copy of the descent: they all agree, and all leave the loop
        # together.  Thread 0 alone writes the history and the state.
        # The block sums alternate between two buffers by iteration parity,
        # so a thread already summing iteration k+1 never overwrites what a
        # slower one is still combining for iteration k: one barrier per
        # iteration suffices.
        with nogil, parallel(num_threads=team_max):
            tid = threadid()
            team = omp_team_size()
            if tid == 0:
                barrier_init(bar_p, team)
            omp_barrier()
            mine = private + tid * per_thread
            dd = step.load(st, mine, p, iteration)
            first = tree.share_first(nb, team, tid)
            last = tree.share_first(nb, team, tid + 1)
            while True:
                block_sums = block_buffers + m * nb * (dd.k & 1)
                for blk in range(first, last):
                    block_pass(xp, yp, wp, &ps, blk, dd.params, mine + VEC * p + m,
                               block_sums + m * blk)
                tree.share_sums(block_sums, m, 0, nb, nb, team, tid)
                barrier_wait(bar_p)
                for j in range(m):
                    mine[VEC * p + j] = tree.gather_sum(block_sums + j, m, 0, nb, nb, team)
                if step.advance(&dd, &s, mine + VEC * p, tid == 0):
                    break
            if tid == 0:
                step.save(&dd, st)
                result_p[0] = dd
    PyMem_RawFree(block_buffers)
    PyMem_RawFree(private)
    return result.status, result.k, result.n_rows


def advance(double[::1] state, const double[::1] sums, Py_ssize_t iteration, Py_ssize_t stop_at,
            double learning_rate, double grad_factor, double cost_factor, Py_ssize_t max_iter,
            double tol, double rise_floor, Py_ssize_t record_every, double[:, ::1] rows,
            Py_ssize_t[::1] row_iteration, double momentum=0.0, bint nesterov=False,
            const double[::1] penalty=None):
    """One iteration of run_descent from sums made elsewhere (gdfast.dask's cluster).

    ``sums`` (p + 1): the raw sums of one pass at the parameters in ``state``
    (sum w*r, sum w*r*z_j, sum w*r**2), after ``iteration`` updates.  The same
    step as run_descent (step.advance); ``rows`` and ``row_iteration`` are
    where this iteration's row, if any, goes.

    Returns
    -------
    (done, status, iteration, n_rows) : done when run_descent would return.
    """
    cdef Py_ssize_t p = sums.shape[0] - 1
    cdef Settings s = step.settings(learning_rate, grad_factor, cost_factor, max_iter, tol,
                                    rise_floor, record_every, stop_at, &rows[0, 0],
                                    &row_iteration[0], rows.shape[0], momentum, nesterov,
                                    penalty_or_null(penalty))
    cdef Descent dd
    cdef double* vectors = <double*> PyMem_RawMalloc(VEC * p * sizeof(double))
    cdef bint done
    if vectors == NULL:
        raise MemoryError()
    dd = step.load(&state[0], vectors, p, iteration)
    done = step.advance(&dd, &s, &sums[0], True)
    step.save(&dd, &state[0])
    PyMem_RawFree(vectors)
    return done, dd.status, dd.k, dd.n_rows


# ---------------------------------------------------------------------------
# One pass, for the cost and the moments
# ---------------------------------------------------------------------------
def residual_sums(const floating[::1] x, const floating[::1] y, double b0, double b1):
    """Return (sum r, sum r*x, sum r**2) for r = b0 + b1*x - y, in one pass (one thread).

    ``x`` and ``y``: same dtype, same length >= 1.  The sums of run_descent's
    one-feature pass, bit for bit.
    """
    cdef Py_ssize_t n = x.shape[0], nb = line.n_blocks(x.shape[0]), blk, j
    cdef Py_ssize_t n_data = line.prefetch_extent(n, sizeof(floating))
    cdef double* block_sums = <double*> PyMem_RawMalloc(3 * nb * sizeof(double))
    cdef double sums[3]
    if block_sums == NULL:
        raise MemoryError()
    with nogil:
        for blk in range(nb):
            line.block_sums(&x[0] + blk * line.BLOCK, &y[0] + blk * line.BLOCK,
                            min(<Py_ssize_t>line.BLOCK, n - blk * line.BLOCK),
                            n_data - blk * line.BLOCK, b0, b1, block_sums + 3 * blk)
        for j in range(3):
            sums[j] = tree.pairwise_sum(block_sums + j, nb, 3)
    PyMem_RawFree(block_sums)
    return sums[0], sums[1], sums[2]


def feature_sums(const floating[:, :] x, const floating[::1] y,
                 const floating[::1] sample_weight, const double[::1] center,
                 const double[::1] inv_scale, const double[::1] params, bint fit_intercept):
    """Return (sum w*r**2, [sum w*r, sum w*r*z_1, ..., sum w*r*z_d]) at ``params`` (b0, b),
    in one pass (one thread): the sums of run_descent's d-feature pass, bit for bit.

    ``y`` None: r = b0 + z @ b, so the sums are A.T @ (w * (A @ params)) with
    A = [1, z]: the Hessian's product with a vector, for the curvature.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], m = x.shape[1] + 2, blk, j
    cdef const floating* xp = &x[0, 0]
    cdef const floating* yp = NULL if y is None else &y[0]
    cdef const floating* wp = weights_or_null(sample_weight)
    cdef Design D = features.design(n, d, x.strides[0] // sizeof(floating),
                                    x.strides[1] // sizeof(floating), &center[0],
                                    &inv_scale[0], fit_intercept)
    cdef Py_ssize_t nb = (n + D.block - 1) // D.block
    cdef double* block_sums = <double*> PyMem_RawMalloc(
        (m * nb + m + features.block_scratch(&D)) * sizeof(double))
    cdef double* sums
    if block_sums == NULL:
        raise MemoryError()
    sums = block_sums + m * nb
    with nogil:
        for blk in range(nb):
            features.block_sums(xp, yp, wp, &D, blk, &params[0], sums + m,
                                block_sums + m * blk)
        for j in range(m):
            sums[j] = tree.pairwise_sum(block_sums + j, nb, m)
    result = sums[d + 1], [sums[j] for j in range(d + 1)]
    PyMem_RawFree(block_sums)
    return result


def column_moments(const floating[:, :] x, const floating[::1] sample_weight,
                   double[::1] shift, double[::1] sums, double[::1] squares, int n_threads=1):
    """One pass over x for each column's shifted sums: O(N d), on ``n_threads``.

    shift = x[0]; sums = (w[:, None] * (x - shift)).sum(0); squares =
    (w[:, None] * (x - shift)**2).sum(0) (w = 1 without weights).  Shifting
    by a data row keeps the variance accurate (no mean-squared-minus-square-
    of-mean cancellation, e.g. a column of years near 1950).  In the blocks of
    the d-feature pass, combined in its fixed pairwise order: the same bits
    for any ``n_threads``.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], j, blk
    cdef const floating* xp = &x[0, 0]
    cdef const floating* w = weights_or_null(sample_weight)
    cdef double zero_map[1]
    cdef Design D
    zero_map[0] = 0.0
    D = features.design(n, d, x.strides[0] // sizeof(floating), x.strides[1] // sizeof(floating),
                        zero_map, zero_map, True)
    cdef Py_ssize_t nb = (n + D.block - 1) // D.block
    cdef double* blocks = <double*> PyMem_RawMalloc(2 * d * nb * sizeof(double))
    if blocks == NULL:
        raise MemoryError()
    with nogil:
        for j in range(d):
            shift[j] = xp[j * D.col_stride]
        if n_threads <= 1 or nb < 2:
            for blk in range(nb):
                features.block_moments(xp, w, &D, blk, &shift[0], blocks + 2 * d * blk)
        else:
            for blk in prange(nb, schedule="static", num_threads=n_threads):
                features.block_moments(xp, w, &D, blk, &shift[0], blocks + 2 * d * blk)
        for j in range(d):
            sums[j] = tree.pairwise_sum(blocks + j, nb, 2 * d)
            squares[j] = tree.pairwise_sum(blocks + d + j, nb, 2 * d)
    PyMem_RawFree(blocks)


# ---------------------------------------------------------------------------
# method="stats" with one feature: the centred statistics of (x, y) in one
# pass of fixed blocks, merged in a fixed pairwise order
# ---------------------------------------------------------------------------
cdef enum:
    T_N = 0        # number of points
    T_MEAN = 1     # means of x, y (2 slots)
    T_GRAM = 3     # G, 2 x 2 row-major: Sxx, Sxy, Sxy, Syy
    STATS_SIZE_ = 7

STATS_SIZE = STATS_SIZE_


cdef void merge_stats(const double* blocks, Py_ssize_t n_blocks, double* out) noexcept nogil:
    """Merge the per-block records pairwise (left half n_blocks // 2) into out[:6]."""
    cdef double a[line.BLOCK_STATS]
    cdef double b[line.BLOCK_STATS]
    cdef Py_ssize_t half, j
    if n_blocks == 1:
        for j in range(line.BLOCK_STATS):
            out[j] = blocks[j]
        return
    half = n_blocks // 2
    merge_stats(blocks, half, a)
    merge_stats(blocks + half * line.BLOCK_STATS, n_blocks - half, b)
    line.chan_merge(a, b, out)


# The threaded stats pass merges on every thread as the batch pass combines
# (tree.share_sums): each thread merges the largest nodes of merge_stats's tree
# in its share, and the top of the tree is merged after the team.
cdef void share_stats(const floating* x, const floating* y, Py_ssize_t n, Py_ssize_t n_data,
                       Py_ssize_t lo, Py_ssize_t count, Py_ssize_t n_blocks, int team, int tid,
                       double* records) noexcept nogil:
    """Thread tid's part of the pass over blocks [lo, lo + count), a node of the
    tree: the records of its blocks, those of each largest node in its share
    merged into that node's first record."""
    cdef Py_ssize_t first = tree.owner(lo, n_blocks, team)
    cdef Py_ssize_t last = tree.owner(lo + count - 1, n_blocks, team)
    cdef Py_ssize_t blk, half, j
    cdef double merged[line.BLOCK_STATS]
    if tid < first or tid > last:
        return
    if first == last:
        for blk in range(lo, lo + count):
            line.block_stats(x + blk * line.BLOCK, y + blk * line.BLOCK,
                             min(<Py_ssize_t>line.BLOCK, n - blk * line.BLOCK),
                             n_data - blk * line.BLOCK, records + line.BLOCK_STATS * blk)
        merge_stats(records + line.BLOCK_STATS * lo, count, merged)
        for j in range(line.BLOCK_STATS):
            records[line.BLOCK_STATS * lo + j] = merged[j]
        return
    half = count // 2
    share_stats(x, y, n, n_data, lo, half, n_blocks, team, tid, records)
    share_stats(x, y, n, n_data, lo + half, count - half, n_blocks, team, tid, records)


cdef void gather_stats(const double* records, Py_ssize_t lo, Py_ssize_t count,
                        Py_ssize_t n_blocks, int team, double* out) noexcept nogil:
    """out[:6] = merge_stats over blocks [lo, lo + count) from what share_stats
    left: a node in one thread's share is its first record."""
    cdef double a[line.BLOCK_STATS]
    cdef double b[line.BLOCK_STATS]
    cdef Py_ssize_t half, j
    if tree.owner(lo, n_blocks, team) == tree.owner(lo + count - 1, n_blocks, team):
        for j in range(line.BLOCK_STATS):
            out[j] = records[line.BLOCK_STATS * lo + j]
        return
    half = count // 2
    gather_stats(records, lo, half, n_blocks, team, a)
    gather_stats(records, lo + half, count - half, n_blocks, team, b)
    line.chan_merge(a, b, out)


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
    cdef Py_ssize_t n_blocks = line.n_blocks(n)
    cdef Py_ssize_t n_data = line.prefetch_extent(n, sizeof(floating))
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef double merged[line.BLOCK_STATS]
    cdef double one_block[line.BLOCK_STATS]
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
    if (view.len != STATS_SIZE_ * <Py_ssize_t>sizeof(double) or view.format == NULL
            or view.format[0] != b"d" or view.format[1] != 0):
        # what was found, copied out before the buffer goes (nothing raises before the release)
        got_len = view.len
        got_format[0] = b"B"   # no format means unsigned bytes
        got_format[1] = 0
        if view.format != NULL:
            strncpy(got_format, view.format, 7)
        got_format[7] = 0
        PyBuffer_Release(&view)
        raise ValueError(f"stats must be {STATS_SIZE_} contiguous native float64 (format 'd'), "
                         f"not {got_len} bytes of format {got_format.decode('ascii', 'replace')!r}")
    out = <double*> view.buf
    # one block needs no list of block records (no allocation at small N)
    if n_blocks > 1:
        blocks = <double*> PyMem_RawMalloc(line.BLOCK_STATS * n_blocks * sizeof(double))
        if blocks == NULL:
            PyBuffer_Release(&view)
            raise MemoryError()
    with nogil:
        # one block or one thread: no team to start (as in run_descent)
        if n_threads <= 1 or n_blocks < 2:
            for blk in range(n_blocks):
                line.block_stats(xp + blk * line.BLOCK, yp + blk * line.BLOCK,
                                 min(<Py_ssize_t>line.BLOCK, n - blk * line.BLOCK),
                                 n_data - blk * line.BLOCK, blocks + line.BLOCK_STATS * blk)
            merge_stats(blocks, n_blocks, merged)
        else:
            with parallel(num_threads=n_threads):
                tid = threadid()
                share_stats(xp, yp, n, n_data, 0, n_blocks, n_blocks, omp_team_size(), tid,
                            blocks)
                if tid == 0:
                    team_p[0] = omp_team_size()
            gather_stats(blocks, 0, n_blocks, n_blocks, team, merged)
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


# ---------------------------------------------------------------------------
# method="stats" with d features: the sufficient statistics in one pass, and
# the descent from them in O(d**2) per iteration
# ---------------------------------------------------------------------------
# Rows per block of the statistics pass: each block is summed about its own
# first row, then merged into the running total by the parallel-update
# formulas.  The merge costs O(d**2) per block, little against the block's
# O(rows * d**2).
cdef enum:
    STATS_BLOCK = 512
# Rows per chunk: the unit a thread takes.  Chunks depend on N and d only,
# never on the thread count, and are merged in their order, so the result is
# the same bit for bit for any n_threads.
cdef enum:
    CHUNK_BLOCKS = 32
# The most doubles the chunks' results may hold (32 MiB): with many columns
# the chunks grow instead.
cdef Py_ssize_t MAX_CHUNK_DOUBLES = 1 << 22


cdef inline Py_ssize_t stats_scratch(Py_ssize_t p) noexcept nogil:
    """Doubles of one thread's scratch in rows_statistics."""
    # shift, block mean, delta (p each), the block's Gram (p*p), and the
    # block's shifted values u and weighted values w*u (p columns of STATS_BLOCK)
    return 3 * p + p * p + 2 * p * STATS_BLOCK


cdef inline Py_ssize_t chunk_rows(Py_ssize_t n, Py_ssize_t p) noexcept nogil:
    """Rows per chunk: CHUNK_BLOCKS blocks, more when the chunks' results would be too many."""
    cdef Py_ssize_t rows = CHUNK_BLOCKS * STATS_BLOCK
    cdef Py_ssize_t most = max(<Py_ssize_t>1, MAX_CHUNK_DOUBLES // (1 + p + p * p))
    cdef Py_ssize_t blocks
    if (n + rows - 1) // rows > most:
        blocks = (n + STATS_BLOCK - 1) // STATS_BLOCK
        rows = STATS_BLOCK * ((blocks + most - 1) // most)
    return rows


cdef inline void merge_into(double* total_w, double* mean, double* gram, double w_b,
                            const double* mean_b, const double* gram_b, double* delta,
                            Py_ssize_t p) noexcept nogil:
    """Merge block statistics (w_b, mean_b, gram_b) into the running (total_w, mean, gram).

    Chan, Golub & LeVeque's parallel update, weighted (upper triangles only):
        W = Wa + Wb;  delta = mean_b - mean_a;  mean = mean_a + delta * Wb / W
        gram = gram_a + gram_b + outer(delta, delta) * Wa * Wb / W
    A block of zero weight changes nothing.
    """
    cdef double w_a = total_w[0], w = w_a + w_b, f
    cdef Py_ssize_t j, k
    if w_b == 0.0:
        return
    if w_a == 0.0:      # the first block with weight: copy it
        for j in range(p):
            mean[j] = mean_b[j]
            for k in range(j, p):
                gram[j * p + k] = gram_b[j * p + k]
        total_w[0] = w_b
        return
    for j in range(p):
        delta[j] = mean_b[j] - mean[j]
    f = w_a * (w_b / w)
    for j in range(p):
        for k in range(j, p):
            gram[j * p + k] += gram_b[j * p + k] + f * delta[j] * delta[k]
        mean[j] += delta[j] * (w_b / w)
    total_w[0] = w


cdef inline void shifted_block(const floating* x, Py_ssize_t rs, Py_ssize_t cs,
                               const floating* y, Py_ssize_t rows, Py_ssize_t d,
                               const double* shift, double* u, Py_ssize_t ld) noexcept nogil:
    """u[j*ld + i] = x[i, j] - shift[j] (and column d: y[i] - shift[d] when y is given),
    in double, x read in its memory order."""
    cdef Py_ssize_t i, j
    cdef const floating* row
    if cs == 1:
        for i in range(rows):
            row = x + i * rs
            for j in range(d):
                u[j * ld + i] = row[j] - shift[j]
    else:
        for j in range(d):
            for i in range(rows):
                u[j * ld + i] = x[i * rs + j * cs] - shift[j]
    if y != NULL:
        for i in range(rows):
            u[d * ld + i] = <double>y[i] - shift[d]


cdef void rows_statistics(const floating* xp, Py_ssize_t rs, Py_ssize_t cs,
                          const floating* y, const floating* w, Py_ssize_t first,
                          Py_ssize_t stop, Py_ssize_t d, Py_ssize_t p, const double* ref,
                          double* scratch, double* out) noexcept nogil:
    """The statistics of rows [first, stop): out = (weight sum, mean[p] - ref, gram[p*p]
    upper), p = d + 1 with y, d without.

    Each block of STATS_BLOCK rows is summed about its first row (its shift)
    and merged into the running total with the parallel-update formulas: no
    sum-of-squares-minus-square-of-sum cancellation.  The means are kept
    relative to ``ref`` (the data's first row): for data far from 0 (years
    near 2000, values near 1e9) the merges' mean differences then keep the
    digits an absolute mean would round away.
    """
    cdef Py_ssize_t ld = STATS_BLOCK
    cdef double* shift = scratch
    cdef double* mean_b = scratch + p
    cdef double* delta = scratch + 2 * p
    cdef double* gram_b = scratch + 3 * p
    cdef double* u = scratch + 3 * p + p * p    # column j of the block: u[j*ld : j*ld+rows]
    cdef double* wu = u + p * ld                # w * u, the same layout (u itself unweighted)
    cdef double* wcol
    cdef double* mean = out + 1
    cdef double* total_gram = out + 1 + p
    cdef double w_b
    cdef Py_ssize_t start, rows, i, j, k
    out[0] = 0.0
    for j in range(p):
        mean[j] = 0.0
        for k in range(p):
            total_gram[j * p + k] = 0.0
    start = first
    while start < stop:
        rows = min(<Py_ssize_t>STATS_BLOCK, stop - start)
        # the block's shift: its first row (v - shift is small for nearby rows)
        for j in range(d):
            shift[j] = xp[start * rs + j * cs]
        if p > d:
            shift[d] = y[start]
        shifted_block(xp + start * rs, rs, cs, NULL if p == d else y + start, rows, d, shift,
                      u, ld)
        # the weighted columns: without weights w*u is u itself (no copy)
        wcol = u
        if w != NULL:
            wcol = wu
            w_b = 0.0
            for i in range(rows):
                w_b += w[start + i]
            for j in range(p):
                for i in range(rows):
                    wu[j * ld + i] = <double>w[start + i] * u[j * ld + i]
        else:
            w_b = <double>rows
        if w_b > 0.0:
            # s_j = (w*u_j).sum() and g_jk = (w*u_j) @ u_k (upper triangle)
            for j in range(p):
                mean_b[j] = column_sum(wcol + j * ld, rows)
            gram_upper(wcol, u, ld, rows, p, gram_b)
            # about the block's own mean: g -= outer(s, s) / w_b; mean = shift + s / w_b
            for j in range(p):
                for k in range(j, p):
                    gram_b[j * p + k] -= mean_b[j] * (mean_b[k] / w_b)
            for j in range(p):
                mean_b[j] = (shift[j] - ref[j]) + mean_b[j] / w_b
            merge_into(out, mean, total_gram, w_b, mean_b, gram_b, delta, p)
        start += rows


def centred_statistics(const floating[:, :] x, const floating[::1] y, double[::1] mean,
                       double[:, ::1] gram, const floating[::1] sample_weight=None,
                       int n_threads=1):
    """One pass over (x, y[, w]): return the weight sum; fill the centred statistics.

    With v = (x[i, 0], ..., x[i, d-1], y[i]) (p = d + 1 values per point; p = d
    and no y column when ``y`` is None): mean = (w[:, None] * v).sum(0) /
    w.sum() and gram (full, symmetric) = (v - mean).T @ (w[:, None] * (v -
    mean)); w = 1 without weights.  The rows are cut into chunks (see
    chunk_rows) that ``n_threads`` threads summarize; the chunks are then
    merged in order, so the result is the same bit for bit for any ``n_threads``.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1]
    cdef Py_ssize_t p = d + (0 if y is None else 1)
    cdef Py_ssize_t rs = x.strides[0] // sizeof(floating), cs = x.strides[1] // sizeof(floating)
    cdef const floating* xp = &x[0, 0]
    cdef const floating* yp = NULL if y is None else &y[0]
    cdef const floating* w = weights_or_null(sample_weight)
    cdef Py_ssize_t chunk = chunk_rows(n, p)
    cdef Py_ssize_t n_chunks = (n + chunk - 1) // chunk
    cdef Py_ssize_t slot = 1 + p + p * p, scratch = stats_scratch(p)
    cdef Py_ssize_t c, j, k
    cdef int team = n_threads if n_chunks > 1 else 1
    cdef double total_w = 0.0
    # allocated before nogil: MemoryError is raised here, never inside
    cdef double* results = <double*> PyMem_RawMalloc(n_chunks * slot * sizeof(double))
    cdef double* scratches = <double*> PyMem_RawMalloc((team * scratch + 2 * p) * sizeof(double))
    cdef double* delta = scratches + team * scratch
    cdef double* ref = delta + p
    if results == NULL or scratches == NULL:
        PyMem_RawFree(results)
        PyMem_RawFree(scratches)
        raise MemoryError()
    with nogil:
        # the means are kept relative to the first row (see rows_statistics)
        for j in range(d):
            ref[j] = xp[j * cs]
        if p > d:
            ref[d] = yp[0]
        if team <= 1:      # one thread: no team to start
            for c in range(n_chunks):
                rows_statistics(xp, rs, cs, yp, w, c * chunk, min(n, (c + 1) * chunk), d, p,
                                ref, scratches, results + c * slot)
        else:
            for c in prange(n_chunks, schedule="static", num_threads=team):
                rows_statistics(xp, rs, cs, yp, w, c * chunk, min(n, (c + 1) * chunk), d, p,
                                ref, scratches + threadid() * scratch, results + c * slot)
        # the chunks in order: the same sums whatever thread made each
        for j in range(p):
            mean[j] = 0.0
            for k in range(p):
                gram[j, k] = 0.0
        for c in range(n_chunks):
            merge_into(&total_w, &mean[0], &gram[0, 0], results[c * slot],
                       results + c * slot + 1, results + c * slot + 1 + p, delta, p)
        # the lower triangle mirrors the upper one; the means back to absolute values
        for j in range(p):
            for k in range(j + 1, p):
                gram[k, j] = gram[j, k]
            mean[j] = ref[j] + mean[j]
    PyMem_RawFree(results)
    PyMem_RawFree(scratches)
    return total_w


cdef inline void stats_sums(const double* gram_zz, const double* cross_zy,
                              const double* mean_z, double sum_yy, double weight_sum,
                              double mean_y, const double* params, bint fit_intercept,
                              Py_ssize_t d, double* sums) noexcept nogil:
    """The sums of a pass at ``params``, from the statistics alone (sums[:d+2], as a pass
    writes them).

    With r = c + (z - mean_z) @ b - (y - mean_y) and c = b0 + mean_z @ b - mean_y
    (the mean residual; the centred columns' weighted sums are zero):
        sum w*r      = W c
        sum w*r*z_j  = (G b - cross)_j + mean_z[j] * W c
        sum w*r**2   = W c**2 + b @ G @ b - 2 b @ cross + sum_yy
    with G = gram_zz, cross = cross_zy (both of the centred z and y).
    """
    cdef const double* b = params + 1
    cdef double c = (params[0] if fit_intercept else 0.0) - mean_y
    cdef double quad = 0.0, gb, wc
    cdef Py_ssize_t j
    for j in range(d):
        c += mean_z[j] * b[j]
    wc = weight_sum * c
    sums[0] = wc if fit_intercept else 0.0
    for j in range(d):
        # gb = (G @ b)[j]; G is symmetric and stored in full (row j contiguous)
        gb = dot(gram_zz + j * d, b, d)
        quad += b[j] * (gb - 2.0 * cross_zy[j])
        sums[1 + j] = (gb - cross_zy[j]) + mean_z[j] * wc
    # the quadratic form's rounding can leave a tiny negative total near an
    # exact fit, where a pass's sum of squares is >= 0: clamp it
    sums[d + 1] = max(wc * c + quad + sum_yy, 0.0)


def run_descent_stats(const double[:, ::1] gram_zz, const double[::1] cross_zy,
                      const double[::1] mean_z, double sum_yy, double weight_sum,
                      double mean_y, bint fit_intercept, double[::1] state,
                      Py_ssize_t iteration, Py_ssize_t stop_at, double learning_rate,
                      double grad_factor, double cost_factor, Py_ssize_t max_iter,
                      double tol, double rise_floor, Py_ssize_t record_every,
                      double[:, ::1] rows, Py_ssize_t[::1] row_iteration,
                      double momentum=0.0, bint nesterov=False,
                      const double[::1] penalty=None):
    """run_descent with the sums from the statistics of z = (x - center) * inv_scale: O(d**2).

    ``gram_zz`` (d, d) = sum w (z - mean_z)(z - mean_z).T, ``cross_zy`` (d,)
    = sum w (z - mean_z)(y - mean_y), ``sum_yy`` = sum w (y - mean_y)**2,
    ``weight_sum`` = sum w.  The same step, state, history, statuses and
    return value as run_descent.
    """
    cdef Py_ssize_t d = gram_zz.shape[0], p = gram_zz.shape[0] + 1
    cdef Settings s = step.settings(learning_rate, grad_factor, cost_factor, max_iter, tol,
                                    rise_floor, record_every, stop_at, &rows[0, 0],
                                    &row_iteration[0], rows.shape[0], momentum, nesterov,
                                    penalty_or_null(penalty))
    cdef double* private = <double*> PyMem_RawMalloc((VEC * p + p + 1) * sizeof(double))
    cdef double* sums = private + VEC * p
    cdef Descent dd
    if private == NULL:
        raise MemoryError()
    with nogil:
        dd = step.load(&state[0], private, p, iteration)
        while True:
            stats_sums(&gram_zz[0, 0], &cross_zy[0], &mean_z[0], sum_yy, weight_sum, mean_y,
                       dd.params, fit_intercept, d, sums)
            if step.advance(&dd, &s, sums, True):
                break
        step.save(&dd, &state[0])
    PyMem_RawFree(private)
    return dd.status, dd.k, dd.n_rows


# ---------------------------------------------------------------------------
# Benchmark helpers: the read floors
# ---------------------------------------------------------------------------
def read_floor(const floating[::1] x, const floating[::1] y, Py_ssize_t n_passes,
               int n_threads=1):
    """Read x and y ``n_passes`` times, as run_descent's one-feature passes would;
    return a checksum.

    For the benchmarks: the time of one pass is the floor a descent iteration
    over the same data can reach.  Same blocks, same team and barrier per pass,
    same prefetch as run_descent.
    """
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nb = line.n_blocks(n)
    cdef Py_ssize_t n_data = line.prefetch_extent(n, sizeof(floating))
    cdef Py_ssize_t k, blk, first, last
    cdef int team, tid
    cdef int team_max = max(1, n_threads) if nb >= 2 else 1
    cdef double total_read = 0.0
    cdef double* total_p = &total_read   # written by thread 0 of the team
    cdef barrier bar
    cdef barrier* bar_p = &bar
    cdef double* partial = <double*> PyMem_RawMalloc(2 * nb * sizeof(double))
    if partial == NULL:
        raise MemoryError()
    with nogil:
        if team_max <= 1:
            for k in range(n_passes):
                for blk in range(nb):
                    partial[blk] = line.block_read(
                        xp + blk * line.BLOCK, yp + blk * line.BLOCK,
                        min(<Py_ssize_t>line.BLOCK, n - blk * line.BLOCK),
                        n_data - blk * line.BLOCK)
                total_read = total_read + tree.pairwise_sum(partial, nb, 1)
        else:
            with parallel(num_threads=team_max):
                team = omp_team_size()
                tid = threadid()
                if tid == 0:
                    barrier_init(bar_p, team)
                omp_barrier()
                first = tree.share_first(nb, team, tid)
                last = tree.share_first(nb, team, tid + 1)
                for k in range(n_passes):
                    for blk in range(first, last):
                        partial[nb * (k & 1) + blk] = line.block_read(
                            xp + blk * line.BLOCK, yp + blk * line.BLOCK,
                            min(<Py_ssize_t>line.BLOCK, n - blk * line.BLOCK),
                            n_data - blk * line.BLOCK)
                    barrier_wait(bar_p)
                    if tid == 0:
                        total_p[0] = total_p[0] + tree.pairwise_sum(partial + nb * (k & 1),
                                                                    nb, 1)
    PyMem_RawFree(partial)
    return total_read


cdef inline double feature_block_read(const floating* x, const floating* y, const Design* D,
                                      Py_ssize_t blk) noexcept nogil:
    """The sum of every value of x and y in block blk: the least work that still
    reads each byte of it, in x's memory order."""
    cdef Py_ssize_t start = blk * D.block
    cdef Py_ssize_t rows = min(D.block, D.n - start)
    cdef Py_ssize_t i, i_v, j, count, whole
    cdef const floating* a
    cdef vec s0 = zero(), s1 = zero()
    cdef double rest = 0.0
    for j in range(D.d + 1):
        # a contiguous run: a column of the block (F order), the whole block
        # (C order, contiguous rows), then y
        if j == D.d:
            a = y + start
            count = rows
        elif D.row_stride == 1:
            a = x + start + j * D.col_stride
            count = rows
        elif D.col_stride == 1 and D.row_stride == D.d:
            if j > 0:
                continue
            a = x + start * D.d
            count = rows * D.d
        else:
            for i in range(rows):
                rest += x[(start + i) * D.row_stride + j * D.col_stride]
            continue
        whole = count - count % (2 * WIDTH)
        for i_v in range(whole // (2 * WIDTH)):
            i = i_v * (2 * WIDTH)
            s0 += vload(a + i)
            s1 += vload(a + i + WIDTH)
        for i in range(whole, count):
            rest += a[i]
    return total(s0 + s1) + rest


def read_floor_features(const floating[:, :] x, const floating[::1] y, Py_ssize_t n_passes,
                        int n_threads=1):
    """Read x (N, d) and y ``n_passes`` times in the d-feature pass's blocks, on the same
    team with the same barrier per pass; return a checksum (the benchmarks' floor)."""
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1]
    cdef const floating* xp = &x[0, 0]
    cdef const floating* yp = &y[0]
    cdef double zero_map[1]
    cdef Design D
    cdef Py_ssize_t nb, k, blk, first, last
    cdef int team, tid, team_max
    cdef double total_read = 0.0
    cdef double* total_p = &total_read
    cdef barrier bar
    cdef barrier* bar_p = &bar
    cdef double* partial
    zero_map[0] = 0.0
    D = features.design(n, d, x.strides[0] // sizeof(floating), x.strides[1] // sizeof(floating),
                        zero_map, zero_map, True)
    nb = (n + D.block - 1) // D.block
    team_max = max(1, n_threads) if nb >= 2 else 1
    partial = <double*> PyMem_RawMalloc(2 * nb * sizeof(double))
    if partial == NULL:
        raise MemoryError()
    with nogil:
        if team_max <= 1:
            for k in range(n_passes):
                for blk in range(nb):
                    partial[blk] = feature_block_read(xp, yp, &D, blk)
                total_read = total_read + tree.pairwise_sum(partial, nb, 1)
        else:
            with parallel(num_threads=team_max):
                team = omp_team_size()
                tid = threadid()
                if tid == 0:
                    barrier_init(bar_p, team)
                omp_barrier()
                first = tree.share_first(nb, team, tid)
                last = tree.share_first(nb, team, tid + 1)
                for k in range(n_passes):
                    for blk in range(first, last):
                        partial[nb * (k & 1) + blk] = feature_block_read(xp, yp, &D, blk)
                    barrier_wait(bar_p)
                    if tid == 0:
                        total_p[0] = total_p[0] + tree.pairwise_sum(partial + nb * (k & 1),
                                                                    nb, 1)
    PyMem_RawFree(partial)
    return total_read
