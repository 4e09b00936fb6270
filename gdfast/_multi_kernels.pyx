"""Typed kernels of gdfast for several features: y = b0 + X @ b.

Called by ``gdfast._fit``, ``gdfast._cost`` and ``gdfast._learning_rate``,
never by users.  The callers validate every argument (dtypes, shapes, N >= 1,
d >= 1, finite data, buffer sizes): nothing here checks anything, and
nothing here raises.  The descent reports how it ended through the status
codes of ``gdfast._kernels`` (RUNNING, CONVERGED, MAX_ITER, DIVERGED).

The design ``x`` (N, d) is read through a ``const floating[:, :]``
memoryview: C- and F-ordered arrays, read-only ones included, are used
without a copy.  Each feature is mapped on the fly to

    z[:, j] = (x[:, j] - center[j]) * inv_scale[j]

(center 0 and inv_scale 1 give z = x exactly), so ``standardize=True``
descends on centred, unit-variance columns without a standardized copy of
the data and without the cancellation of shifting the sums afterwards.
Every sum is accumulated in double precision.

Sample weights (optional, the data's dtype, validated >= 0 by the caller)
turn every sum over the points into a weighted one: sum w*r, sum w*r*z_j,
sum w*r**2, and the Gram pass's sum w*(x - shift), sum w*u*u.T.  The caller
divides by sum w instead of N.  Without weights the kernel takes the
unweighted path (a NULL pointer, tested once per block of rows).
"""
from cpython.mem cimport PyMem_RawFree, PyMem_RawMalloc
from cython cimport floating
from cython.parallel cimport prange, threadid
from libc.math cimport fabs, isfinite, sqrt

from gdfast._kernels import (STATUS_CONVERGED, STATUS_DIVERGED, STATUS_MAX_ITER,
                             STATUS_RUNNING)

cdef enum:
    RUNNING = 0     # same codes as gdfast._kernels.run_descent
    CONVERGED = 1
    MAX_ITER = 2
    DIVERGED = 3

assert (RUNNING, CONVERGED, MAX_ITER, DIVERGED) == (
    STATUS_RUNNING, STATUS_CONVERGED, STATUS_MAX_ITER, STATUS_DIVERGED)

# The most rows per block (see _residual_sums): a block's z values and
# residuals are read twice, once for r and once for the gradient sums, while
# still in cache, so the data itself is read from memory once per iteration.
cdef enum:
    BLOCK = 256
BLOCK_ROWS = BLOCK


def work_size(Py_ssize_t d):
    """Length of the ``work`` buffer the functions here need for d features."""
    return (d + 1) + BLOCK * (d + 1)


# ---------------------------------------------------------------------------
# Small dense helpers on contiguous doubles
# ---------------------------------------------------------------------------
cdef inline double _dot(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    """np.dot(a[:n], b[:n]).

    Four independent accumulators: the compiler may not reassociate a
    floating-point sum, so one accumulator would be one long dependency chain.
    """
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t i, n4 = n - n % 4
    for i in range(0, n4, 4):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
    for i in range(n4, n):
        s0 += a[i] * b[i]
    return (s0 + s1) + (s2 + s3)


cdef inline double _sum(const double* a, Py_ssize_t n) noexcept nogil:
    """a[:n].sum(), four independent accumulators."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t i, n4 = n - n % 4
    for i in range(0, n4, 4):
        s0 += a[i]
        s1 += a[i + 1]
        s2 += a[i + 2]
        s3 += a[i + 3]
    for i in range(n4, n):
        s0 += a[i]
    return (s0 + s1) + (s2 + s3)


cdef inline void _axpy4(double* r, const double* z, Py_ssize_t ld, const double* b,
                        Py_ssize_t n) noexcept nogil:
    """r[:n] += z[:, :4] @ b[:4] for the 4 columns z[k*ld : k*ld+n]."""
    cdef double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3]
    cdef const double* z0 = z
    cdef const double* z1 = z + ld
    cdef const double* z2 = z + 2 * ld
    cdef const double* z3 = z + 3 * ld
    cdef Py_ssize_t i
    for i in range(n):
        r[i] += (b0 * z0[i] + b1 * z1[i]) + (b2 * z2[i] + b3 * z3[i])


cdef inline void _dot4(const double* r, const double* z, Py_ssize_t ld, Py_ssize_t n,
                       double* out) noexcept nogil:
    """out[:4] += z[:, :4].T @ r[:n] for the 4 columns z[k*ld : k*ld+n]; r read once."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0
    cdef const double* z0 = z
    cdef const double* z1 = z + ld
    cdef const double* z2 = z + 2 * ld
    cdef const double* z3 = z + 3 * ld
    cdef Py_ssize_t i, n2 = n - n % 2
    # two accumulators per column (even and odd rows): independent chains
    for i in range(0, n2, 2):
        s0 += r[i] * z0[i]
        s1 += r[i] * z1[i]
        s2 += r[i] * z2[i]
        s3 += r[i] * z3[i]
        t0 += r[i + 1] * z0[i + 1]
        t1 += r[i + 1] * z1[i + 1]
        t2 += r[i + 1] * z2[i + 1]
        t3 += r[i + 1] * z3[i + 1]
    for i in range(n2, n):
        s0 += r[i] * z0[i]
        s1 += r[i] * z1[i]
        s2 += r[i] * z2[i]
        s3 += r[i] * z3[i]
    out[0] += s0 + t0
    out[1] += s1 + t1
    out[2] += s2 + t2
    out[3] += s3 + t3


cdef inline double _norm(const double* g, Py_ssize_t n) noexcept nogil:
    """np.linalg.norm(g[:n]), scaled by max|g| so it cannot overflow (like hypot)."""
    cdef double big = 0.0, s = 0.0, t
    cdef Py_ssize_t i
    for i in range(n):
        if fabs(g[i]) > big:
            big = fabs(g[i])
    if big == 0.0 or not isfinite(big):
        return big
    for i in range(n):
        t = g[i] / big
        s += t * t
    return big * sqrt(s)


cdef inline double _weigh(double* r, const floating* w, Py_ssize_t n) noexcept nogil:
    """s = (w[:n] * r[:n]**2).sum(); r[:n] *= w[:n]; return s."""
    cdef double s0 = 0.0, s1 = 0.0, t0, t1
    cdef Py_ssize_t i, n2 = n - n % 2
    # two accumulators: independent chains, as in _dot
    for i in range(0, n2, 2):
        t0 = <double>w[i] * r[i]
        t1 = <double>w[i + 1] * r[i + 1]
        s0 += t0 * r[i]
        s1 += t1 * r[i + 1]
        r[i] = t0
        r[i + 1] = t1
    for i in range(n2, n):
        t0 = <double>w[i] * r[i]
        s0 += t0 * r[i]
        r[i] = t0
    return s0 + s1


# ---------------------------------------------------------------------------
# The fused pass: r = b0 + z @ b - y, then sum r, z.T @ r and sum r**2
# ---------------------------------------------------------------------------
cdef inline void _load_block(const floating* x, Py_ssize_t row_stride, Py_ssize_t col_stride,
                             Py_ssize_t rows, Py_ssize_t d, const double* center,
                             const double* inv_scale, bint identity, double* z,
                             Py_ssize_t ld) noexcept nogil:
    """z[j*ld:j*ld+rows] = (x[:rows, j] - center[j]) * inv_scale[j] for each j.

    The loop order follows the memory order of x, so x is read sequentially;
    z is column-major so the passes below run over contiguous doubles.
    """
    cdef Py_ssize_t i, j
    if identity and col_stride == 1:   # C order, no map: a plain transpose
        for i in range(rows):
            for j in range(d):
                z[j * ld + i] = x[i * row_stride + j]
    elif col_stride == 1:        # C order: a row of x is contiguous
        for i in range(rows):
            for j in range(d):
                z[j * ld + i] = (x[i * row_stride + j] - center[j]) * inv_scale[j]
    elif row_stride == 1:        # F order: a column of x is contiguous
        for j in range(d):
            for i in range(rows):
                z[j * ld + i] = (x[i + j * col_stride] - center[j]) * inv_scale[j]
    else:                        # any other strides (not used by gdfast._fit)
        for j in range(d):
            for i in range(rows):
                z[j * ld + i] = (x[i * row_stride + j * col_stride] - center[j]) * inv_scale[j]


cdef inline bint _is_identity(const double* center, const double* inv_scale,
                              Py_ssize_t d) noexcept nogil:
    """np.all(center == 0) and np.all(inv_scale == 1)."""
    cdef Py_ssize_t j
    for j in range(d):
        if center[j] != 0.0 or inv_scale[j] != 1.0:
            return False
    return True


cdef double _residual_sums(const floating* xp, Py_ssize_t n, Py_ssize_t d,
                           Py_ssize_t row_stride, Py_ssize_t col_stride, const floating* y,
                           const floating* w, const double* center, const double* inv_scale,
                           const double* params, bint fit_intercept, double* grad_sums,
                           double* work) noexcept nogil:
    """One pass over the data at params = (b0, b[0..d-1]); returns sum w * r**2.

    grad_sums[0] = (w * r).sum() (0 without intercept), grad_sums[1 + j] =
    (w * r * z[:, j]).sum() with r = b0 + z @ b - y, x[i, j] =
    xp[i*row_stride + j*col_stride], and w = 1 when ``w`` is NULL.  ``work``
    holds a block of z and of r.
    """
    # rows per block: the block of z (rows * d doubles, about 16 KiB) and of r
    # stay in L1 between the r pass and the gradient pass
    cdef Py_ssize_t block = max(16, min(<Py_ssize_t>BLOCK, 2048 // d))
    cdef double* r = work + BLOCK * d
    cdef const double* z = work
    cdef Py_ssize_t ld = block
    cdef double b0 = params[0] if fit_intercept else 0.0
    cdef double sum_r2 = 0.0, bj
    cdef Py_ssize_t start, rows, i, j
    # F-ordered float64 data under the identity map is its own z: read the
    # columns in place instead of copying each block
    cdef bint identity = _is_identity(center, inv_scale, d)
    cdef bint direct = False
    if floating is double:
        direct = row_stride == 1 and identity
        if direct:
            ld = col_stride

    for j in range(d + 1):
        grad_sums[j] = 0.0
    start = 0
    while start < n:
        rows = min(block, n - start)
        if direct:
            if floating is double:
                z = xp + start
        else:
            _load_block(xp + start * row_stride, row_stride, col_stride, rows, d,
                        center, inv_scale, identity, work, ld)
        # r = b0 - y + z @ b, one column at a time (contiguous axpy)
        for i in range(rows):
            r[i] = b0 - <double>y[start + i]
        # four columns per sweep of r: a quarter of the loads and stores of r
        j = 0
        while j + 4 <= d:
            _axpy4(r, z + j * ld, ld, params + 1 + j, rows)
            j += 4
        while j < d:
            bj = params[1 + j]
            for i in range(rows):
                r[i] += bj * z[j * ld + i]
            j += 1
        # sum w * r**2; weighted, r then becomes w * r in place, so the
        # gradient sums below are the weighted ones.  The branch is taken
        # once per block and the sums' code is the unweighted one: without
        # weights nothing is added to the pass
        if w == NULL:
            sum_r2 += _dot(r, r, rows)
        else:
            sum_r2 += _weigh(r, w + start, rows)
        # the gradient sums of this block; blocks are added in sequence
        if fit_intercept:
            grad_sums[0] += _sum(r, rows)
        j = 0
        while j + 4 <= d:
            _dot4(r, z + j * ld, ld, rows, grad_sums + 1 + j)
            j += 4
        while j < d:
            grad_sums[1 + j] += _dot(r, z + j * ld, rows)
            j += 1
        start += rows
    return sum_r2


cdef inline const floating* _weights_or_null(const floating[::1] sample_weight) noexcept:
    """&sample_weight[0], or NULL for None (no weights)."""
    return NULL if sample_weight is None else &sample_weight[0]


def residual_sums(const floating[:, :] x, const floating[::1] y, const double[::1] center,
                  const double[::1] inv_scale, const double[::1] params, bint fit_intercept,
                  double[::1] work, const floating[::1] sample_weight=None):
    """Return (sum w*r**2, [sum w*r, sum w*r*z_1, ..., sum w*r*z_d]) at ``params``, in one pass.

    ``params`` = (b0, b_1, ..., b_d); ``work`` of length ``work_size(d)``;
    ``sample_weight`` (N,) or None (w = 1).
    """
    cdef Py_ssize_t d = x.shape[1]
    cdef double sum_r2
    cdef const floating* w = _weights_or_null(sample_weight)
    with nogil:
        sum_r2 = _residual_sums(&x[0, 0], x.shape[0], d, x.strides[0] // sizeof(floating),
                                x.strides[1] // sizeof(floating), &y[0], w, &center[0],
                                &inv_scale[0], &params[0], fit_intercept, &work[0],
                                &work[d + 1])
    return sum_r2, [work[j] for j in range(d + 1)]


# ---------------------------------------------------------------------------
# The Gram pass for the learning-rate limits and standardize=True
# ---------------------------------------------------------------------------
def shifted_gram(const floating[:, :] x, double[::1] shift, double[::1] col_sums,
                 double[:, ::1] cross, const floating[::1] sample_weight=None):
    """One pass over x for its column sums and cross-products, about a shift.

    shift = x[0]; col_sums = (w[:, None] * (x - shift)).sum(0); cross (upper
    triangle and diagonal) = (x - shift).T @ (w[:, None] * (x - shift)), w = 1
    without ``sample_weight``.  Shifting by a data row keeps the centred
    moments accurate (no mean-squared-minus-square-of-mean cancellation,
    e.g. a column of years near 1950), in a single pass.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], i, j, k
    cdef const floating* w = _weights_or_null(sample_weight)
    cdef double u, wu, wi = 1.0
    with nogil:
        for j in range(d):
            shift[j] = x[0, j]
            col_sums[j] = 0.0
            for k in range(j, d):
                cross[j, k] = 0.0
        for i in range(1, n):    # row 0 minus the shift is zero
            if w != NULL:        # one test per row; times 1.0 is exact
                wi = w[i]
            for j in range(d):
                u = x[i, j] - shift[j]
                wu = wi * u
                col_sums[j] += wu
                for k in range(j, d):
                    cross[j, k] += wu * (x[i, k] - shift[k])


# ---------------------------------------------------------------------------
# The descent
# ---------------------------------------------------------------------------
cdef inline void _record(double[:, ::1] rows, Py_ssize_t[::1] row_iteration, Py_ssize_t row,
                         Py_ssize_t k, const double* params, Py_ssize_t p,
                         double cost) noexcept nogil:
    """rows[row] = (*params[:p], cost); row_iteration[row] = k."""
    cdef Py_ssize_t j
    for j in range(p):
        rows[row, j] = params[j]
    rows[row, p] = cost
    row_iteration[row] = k


# Slots of run_descent's state array (length state_size(d)), carried from
# one call to the next; p = d + 1 parameters (b0 first, 0 without intercept)
cdef enum:
    S_GRAD_NORM = 0      # gradient norm at the last point whose cost was computed
    S_PREV_COST = 1      # that point's cost ...
    S_PREV_RECORDED = 2  # ... and 1.0 if it already has its history row
    S_PARAMS = 3         # params[p]: the current point; then prev[p]: the last
                         # finite one, reported if the current one is not finite


# the slots gdfast._descent reads, by name
STATE_GRAD_NORM = S_GRAD_NORM
STATE_PREV_COST = S_PREV_COST
STATE_PREV_RECORDED = S_PREV_RECORDED
STATE_PARAMS = S_PARAMS


def state_size(Py_ssize_t d):
    """Length of run_descent's state array for d features."""
    return S_PARAMS + 2 * (d + 1)


cdef struct Walk:
    # a descent between two calls' state arrays: the loop's variables
    double* params          # the current point (p values)
    double* prev            # the last finite point before it
    double* g               # the gradient, filled by the caller's sums
    Py_ssize_t p            # number of parameters, d + 1
    Py_ssize_t k            # updates made so far
    Py_ssize_t n_rows       # history rows written by this call
    int status
    double prev_cost, prev_grad_norm, grad_norm
    bint prev_recorded


cdef inline Walk _walk_from(double[::1] state, double* g, Py_ssize_t p,
                            Py_ssize_t iteration) noexcept:
    """The Walk stored in ``state`` (see the S_* slots), at ``iteration``."""
    cdef Walk w
    w.params = &state[S_PARAMS]
    w.prev = &state[S_PARAMS + p]
    w.g = g
    w.p = p
    w.k = iteration
    w.n_rows = 0
    w.status = RUNNING
    w.prev_cost = state[S_PREV_COST]
    w.prev_grad_norm = state[S_GRAD_NORM]
    w.grad_norm = w.prev_grad_norm
    w.prev_recorded = state[S_PREV_RECORDED] != 0.0
    return w


cdef inline tuple _walk_store(Walk* w, double[::1] state):
    """Save the Walk in ``state``; return run_descent's (status, iteration, n_rows)."""
    state[S_GRAD_NORM] = w.grad_norm
    state[S_PREV_COST] = w.prev_cost
    state[S_PREV_RECORDED] = w.prev_recorded
    return w.status, w.k, w.n_rows


cdef inline bint _advance(Walk* w, double cost, double learning_rate, double grad_factor,
                          Py_ssize_t max_iter, double tol, Py_ssize_t record_every,
                          Py_ssize_t stop_at, double[:, ::1] rows,
                          Py_ssize_t[::1] row_iteration) noexcept nogil:
    """One iteration after the sums: record, test, update; True when this call must return.

    ``cost`` is cost_factor * sum w*r**2 and w.g the raw gradient sums at
    w.params.  Shared by the batch and the statistics descents, so both
    stop, record and diverge by the same rules.
    """
    cdef Py_ssize_t j, p = w.p
    cdef bint recorded, finite = isfinite(cost)
    for j in range(p):
        w.g[j] *= grad_factor
        finite = finite and isfinite(w.g[j])
    if not finite:
        if not w.prev_recorded:
            _record(rows, row_iteration, w.n_rows, w.k - 1, w.prev, p, w.prev_cost)
            w.n_rows += 1
        w.status = DIVERGED
        w.grad_norm = w.prev_grad_norm
        return True
    w.grad_norm = _norm(w.g, p)

    if w.grad_norm <= tol:
        w.status = CONVERGED
    elif w.k >= max_iter:
        w.status = MAX_ITER
    recorded = (w.status != RUNNING or w.k == 0
                or (record_every > 0 and w.k % record_every == 0))
    if recorded:
        _record(rows, row_iteration, w.n_rows, w.k, w.params, p, cost)
        w.n_rows += 1
    if w.status != RUNNING:
        return True

    # the simultaneous update: every g[j] comes from this pass; the
    # current point becomes the previous one
    finite = True
    for j in range(p):
        w.prev[j] = w.params[j]
        w.params[j] -= learning_rate * w.g[j]
        finite = finite and isfinite(w.params[j])
    if not finite:
        for j in range(p):
            w.params[j] = w.prev[j]
        if not recorded:
            _record(rows, row_iteration, w.n_rows, w.k, w.params, p, cost)
            w.n_rows += 1
        w.status = DIVERGED
        return True
    w.prev_cost = cost
    w.prev_grad_norm = w.grad_norm
    w.prev_recorded = recorded
    w.k += 1
    return w.n_rows == rows.shape[0] or w.k >= stop_at


def run_descent(const floating[:, :] x, const floating[::1] y,
                const double[::1] center, const double[::1] inv_scale, bint fit_intercept,
                double[::1] state, Py_ssize_t iteration, Py_ssize_t stop_at,
                double learning_rate, double grad_factor, double cost_factor,
                Py_ssize_t max_iter, double tol, Py_ssize_t record_every,
                double[:, ::1] rows, Py_ssize_t[::1] row_iteration, double[::1] work,
                const floating[::1] sample_weight=None):
    """Batch gradient descent on y = b0 + z @ b, in slices like gdfast._kernels.run_descent.

    Each iteration k makes one pass over the data at the current parameters,
    giving S = sum w*r**2 and the gradient sums G (see _residual_sums; w = 1
    without ``sample_weight``), then

        cost = cost_factor * S;  g = grad_factor * G;  params -= learning_rate * g

    all parameters from the same residuals (b0 stays 0 without intercept).
    Stops before the update when ``norm(g) <= tol`` (CONVERGED) or after
    ``max_iter`` updates (MAX_ITER); on a non-finite cost, gradient or
    parameter (DIVERGED) the last row written is the last finite point.

    Parameters
    ----------
    x (N, d), y (N,) : same dtype.  center, inv_scale : (d,) the feature map.
    state : double[state_size(d)], in/out; a new descent starts from
        (inf, 0, 1, *init, 0, ..., 0).
    iteration, stop_at : updates made before this call; return RUNNING at stop_at.
    rows : (capacity >= 1, d + 2) history buffer: b0, b_1..b_d, cost.
    row_iteration : (capacity,) the update count of each row.
    work : double[work_size(d)].
    sample_weight : (N,) of the data's dtype, or None; with weights the
        caller's factors carry 1 / sum w instead of 1 / N.

    Returns
    -------
    (status, iteration, n_rows)
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], p = x.shape[1] + 1
    cdef Py_ssize_t row_stride = x.strides[0] // sizeof(floating)
    cdef Py_ssize_t col_stride = x.strides[1] // sizeof(floating)
    cdef const floating* xp = &x[0, 0]
    cdef const floating* w = _weights_or_null(sample_weight)
    cdef double* block = &work[p]
    cdef Walk walk = _walk_from(state, &work[0], p, iteration)
    cdef double cost

    with nogil:
        while True:
            cost = cost_factor * _residual_sums(xp, n, d, row_stride, col_stride, &y[0], w,
                                                &center[0], &inv_scale[0], walk.params,
                                                fit_intercept, walk.g, block)
            if _advance(&walk, cost, learning_rate, grad_factor, max_iter, tol, record_every,
                        stop_at, rows, row_iteration):
                break
    return _walk_store(&walk, state)


def advance(double[::1] state, double[::1] g, double cost, Py_ssize_t iteration,
            Py_ssize_t stop_at, double learning_rate, double grad_factor, Py_ssize_t max_iter,
            double tol, Py_ssize_t record_every, double[:, ::1] rows,
            Py_ssize_t[::1] row_iteration):
    """One iteration of run_descent from sums made elsewhere (gdfast.dask's cluster).

    ``g`` holds the raw gradient sums (scaled here in place) and ``cost`` =
    cost_factor * sum w*r**2, both at the parameters in ``state`` (run_descent's
    layout), after ``iteration`` updates.  Same recording, stopping and
    divergence rules as run_descent (the same _advance); ``rows`` and
    ``row_iteration`` are where this iteration's row, if any, goes.

    Returns
    -------
    (done, status, iteration, n_rows) : done when run_descent would return.
    """
    cdef Walk walk = _walk_from(state, &g[0], g.shape[0], iteration)
    cdef bint done = _advance(&walk, cost, learning_rate, grad_factor, max_iter, tol,
                              record_every, stop_at, rows, row_iteration)
    return (done,) + _walk_store(&walk, state)


# ---------------------------------------------------------------------------
# method="stats": the sufficient statistics in one pass, and the descent
# from them in O(d**2) per iteration
# ---------------------------------------------------------------------------
# Rows per block of the statistics pass: each block is summed about its own
# first row, then merged into the running total by the parallel-update
# formulas.  Short blocks keep the shifted sums small (each block's shift is
# a nearby data row), and the merge costs O(d**2) per block, nothing against
# the block's O(rows * d**2).
cdef enum:
    STATS_BLOCK = 256


# Rows per chunk: the unit a thread takes.  Chunks depend on N and d only,
# never on the thread count, and are merged in their order, so the result
# is the same bit for bit for any n_threads.
cdef enum:
    CHUNK_BLOCKS = 64
# The most doubles the chunks' results may hold (32 MiB): with many columns
# the chunks grow instead.
cdef Py_ssize_t MAX_CHUNK_DOUBLES = 1 << 22


cdef inline Py_ssize_t _scratch_size(Py_ssize_t p) noexcept nogil:
    """Doubles of one thread's scratch in _rows_statistics."""
    # shift, block mean, delta, ones (p each), the block's Gram (p*p), and the
    # block's shifted values u and weighted values w*u (p columns of STATS_BLOCK)
    return 4 * p + p * p + 2 * p * STATS_BLOCK


cdef inline Py_ssize_t _chunk_rows(Py_ssize_t n, Py_ssize_t p) noexcept nogil:
    """Rows per chunk: CHUNK_BLOCKS blocks, more when the chunks' results would be too many."""
    cdef Py_ssize_t rows = CHUNK_BLOCKS * STATS_BLOCK
    cdef Py_ssize_t most = max(<Py_ssize_t>1, MAX_CHUNK_DOUBLES // (1 + p + p * p))
    cdef Py_ssize_t blocks
    if (n + rows - 1) // rows > most:
        blocks = (n + STATS_BLOCK - 1) // STATS_BLOCK
        rows = STATS_BLOCK * ((blocks + most - 1) // most)
    return rows


cdef inline void _merge_into(double* total_w, double* mean, double* gram, double w_b,
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


cdef void _rows_statistics(const floating* xp, Py_ssize_t row_stride, Py_ssize_t col_stride,
                           const floating* y, const floating* w, Py_ssize_t first,
                           Py_ssize_t stop, Py_ssize_t d, double* scratch,
                           double* out) noexcept nogil:
    """The statistics of rows [first, stop): out = (weight sum, mean[p], gram[p*p] upper).

    Each block of STATS_BLOCK rows is summed about its first row (its
    shift) and merged into the running total with the parallel-update
    formulas: no sum-of-squares-minus-square-of-sum cancellation.
    """
    cdef Py_ssize_t p = d + 1, ld = STATS_BLOCK
    cdef double* shift = scratch
    cdef double* mean_b = scratch + p
    cdef double* delta = scratch + 2 * p
    cdef double* ones = scratch + 3 * p
    cdef double* gram_b = scratch + 4 * p
    cdef double* u = scratch + 4 * p + p * p    # column j of the block: u[j*ld : j*ld+rows]
    cdef double* wu = u + p * ld                # w * u, the same layout (u itself unweighted)
    cdef double* wcol
    cdef double* mean = out + 1
    cdef double* gram = out + 1 + p
    cdef double w_b
    cdef Py_ssize_t start, rows, i, j, k
    out[0] = 0.0
    for j in range(p):
        ones[j] = 1.0
        mean[j] = 0.0
        for k in range(p):
            gram[j * p + k] = 0.0
    start = first
    while start < stop:
        rows = min(<Py_ssize_t>STATS_BLOCK, stop - start)
        # the block's shift: its first row (v - shift is small for nearby rows)
        for j in range(d):
            shift[j] = xp[start * row_stride + j * col_stride]
        shift[d] = y[start]
        # u = v - shift, column by column, in double (x read in its memory order)
        _load_block(xp + start * row_stride, row_stride, col_stride, rows, d, shift, ones,
                    False, u, ld)
        for i in range(rows):
            u[d * ld + i] = <double>y[start + i] - shift[d]
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
            # sums s_j = (w*u_j).sum(), Gram g_jk = (w*u_j) @ u_k (upper
            # triangle): contiguous dot products, which vectorize
            for j in range(p):
                mean_b[j] = _sum(wcol + j * ld, rows)
                for k in range(j, p):
                    gram_b[j * p + k] = _dot(wcol + j * ld, u + k * ld, rows)
            # about the block's own mean: g -= outer(s, s) / w_b; mean = shift + s / w_b
            for j in range(p):
                for k in range(j, p):
                    gram_b[j * p + k] -= mean_b[j] * (mean_b[k] / w_b)
            for j in range(p):
                mean_b[j] = shift[j] + mean_b[j] / w_b
            _merge_into(out, mean, gram, w_b, mean_b, gram_b, delta, p)
        start += rows


def centred_statistics(const floating[:, :] x, const floating[::1] y, double[::1] mean,
                       double[:, ::1] gram, const floating[::1] sample_weight=None,
                       int n_threads=1):
    """One pass over (x, y[, w]): return the weight sum; fill the centred statistics.

    With v = (x[i, 0], ..., x[i, d-1], y[i]) (p = d + 1 values per point):
    mean = (w[:, None] * v).sum(0) / w.sum() and gram (full, symmetric)
    = (v - mean).T @ (w[:, None] * (v - mean)); w = 1 without weights.
    The rows are cut into chunks (see _chunk_rows) that ``n_threads``
    threads summarize; the chunks are then merged in order, so the result
    is the same bit for bit for any ``n_threads``.
    """
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], p = x.shape[1] + 1
    cdef Py_ssize_t row_stride = x.strides[0] // sizeof(floating)
    cdef Py_ssize_t col_stride = x.strides[1] // sizeof(floating)
    cdef const floating* xp = &x[0, 0]
    cdef const floating* yp = &y[0]
    cdef const floating* w = _weights_or_null(sample_weight)
    cdef Py_ssize_t chunk = _chunk_rows(n, p)
    cdef Py_ssize_t n_chunks = (n + chunk - 1) // chunk
    cdef Py_ssize_t slot = 1 + p + p * p, scratch = _scratch_size(p)
    cdef Py_ssize_t c, j, k
    cdef int team = n_threads if n_chunks > 1 else 1
    cdef double total_w = 0.0
    # allocated before nogil: MemoryError is raised here, never inside
    cdef double* results = <double*> PyMem_RawMalloc(n_chunks * slot * sizeof(double))
    cdef double* scratches = <double*> PyMem_RawMalloc(team * (scratch + p) * sizeof(double))
    cdef double* delta = scratches + team * scratch
    if results == NULL or scratches == NULL:
        PyMem_RawFree(results)
        PyMem_RawFree(scratches)
        raise MemoryError()
    with nogil:
        if team <= 1:      # one thread: no team to start
            for c in range(n_chunks):
                _rows_statistics(xp, row_stride, col_stride, yp, w, c * chunk,
                                 min(n, (c + 1) * chunk), d, scratches, results + c * slot)
        else:
            for c in prange(n_chunks, schedule="static", num_threads=team):
                _rows_statistics(xp, row_stride, col_stride, yp, w, c * chunk,
                                 min(n, (c + 1) * chunk), d, scratches + threadid() * scratch,
                                 results + c * slot)
        # the chunks in order: the same sums whatever thread made each
        for j in range(p):
            mean[j] = 0.0
            for k in range(p):
                gram[j, k] = 0.0
        for c in range(n_chunks):
            _merge_into(&total_w, &mean[0], &gram[0, 0], results[c * slot],
                        results + c * slot + 1, results + c * slot + 1 + p, delta, p)
        # the lower triangle mirrors the upper one
        for j in range(p):
            for k in range(j + 1, p):
                gram[k, j] = gram[j, k]
    PyMem_RawFree(results)
    PyMem_RawFree(scratches)
    return total_w


cdef inline double _stats_sums(const double* gram_zz, const double* cross_zy,
                               const double* mean_z, double sum_yy, double weight_sum,
                               double mean_y, const double* params, bint fit_intercept,
                               Py_ssize_t d, double* grad_sums) noexcept nogil:
    """The sums of _residual_sums at ``params``, from the statistics alone; returns sum w*r**2.

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
    cdef Py_ssize_t j, k
    for j in range(d):
        c += mean_z[j] * b[j]
    wc = weight_sum * c
    grad_sums[0] = wc if fit_intercept else 0.0
    for j in range(d):
        # gb = (G @ b)[j]; G is symmetric and stored in full (row j contiguous)
        gb = _dot(gram_zz + j * d, b, d)
        quad += b[j] * (gb - 2.0 * cross_zy[j])
        grad_sums[1 + j] = (gb - cross_zy[j]) + mean_z[j] * wc
    # the quadratic form's rounding can leave a tiny negative total near an
    # exact fit, where the batch pass's sum of squares is >= 0: clamp it
    return max(wc * c + quad + sum_yy, 0.0)


def run_descent_stats(const double[:, ::1] gram_zz, const double[::1] cross_zy,
                      const double[::1] mean_z, double sum_yy, double weight_sum,
                      double mean_y, bint fit_intercept, double[::1] state,
                      Py_ssize_t iteration, Py_ssize_t stop_at, double learning_rate,
                      double grad_factor, double cost_factor, Py_ssize_t max_iter,
                      double tol, Py_ssize_t record_every, double[:, ::1] rows,
                      Py_ssize_t[::1] row_iteration, double[::1] work):
    """run_descent with the sums from the statistics of z = (x - center) * inv_scale: O(d**2).

    ``gram_zz`` (d, d) = sum w (z - mean_z)(z - mean_z).T, ``cross_zy`` (d,)
    = sum w (z - mean_z)(y - mean_y), ``sum_yy`` = sum w (y - mean_y)**2,
    ``weight_sum`` = sum w.  Same state, history, statuses and return value
    as run_descent; ``work`` holds at least d + 1 doubles.
    """
    cdef Py_ssize_t d = gram_zz.shape[0], p = gram_zz.shape[0] + 1
    cdef Walk walk = _walk_from(state, &work[0], p, iteration)
    cdef double cost

    with nogil:
        while True:
            cost = cost_factor * _stats_sums(&gram_zz[0, 0], &cross_zy[0], &mean_z[0],
                                             sum_yy, weight_sum, mean_y, walk.params,
                                             fit_intercept, d, walk.g)
            if _advance(&walk, cost, learning_rate, grad_factor, max_iter, tol, record_every,
                        stop_at, rows, row_iteration):
                break
    return _walk_store(&walk, state)
