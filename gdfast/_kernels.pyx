"""Typed kernels of gdfast: batch gradient descent for y = b0 + b1*x.

Called by ``gdfast._fit`` and ``gdfast._cost``, never by users.  The callers
validate every argument (dtypes, lengths >= 1, finite data, buffer sizes):
nothing here checks anything, and nothing here raises.  The descent reports
how it ended through a status code instead.

Data arrays are fused float32/float64, read through ``const`` memoryviews so
read-only arrays (``np.load(..., mmap_mode="r")``) are used without a copy.
Every sum is accumulated in double precision.
"""
from cython cimport floating
from libc.math cimport hypot, isfinite

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

# Points summed by one run of independent accumulators before block results
# are combined pairwise: small enough to stay in L1, large enough that the
# pairwise recursion costs nothing.
cdef Py_ssize_t BLOCK = 2048


# ---------------------------------------------------------------------------
# The fused pass: sums of r, r*x and r^2 for r = b0 + b1*x - y
# ---------------------------------------------------------------------------
cdef inline void _block_sums(const floating* x, const floating* y, Py_ssize_t n,
                             double b0, double b1, double* sums) noexcept nogil:
    """sums[:] = [r.sum(), (r*x).sum(), (r*r).sum()], r = b0 + b1*x - y, n <= BLOCK.

    Four independent accumulators per sum: the compiler may not reassociate a
    floating-point sum, so a single accumulator would never vectorize.
    """
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0   # sum r
    cdef double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0   # sum r*x
    cdef double q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0   # sum r*r
    cdef double x0, x1, x2, x3, r0, r1, r2, r3
    cdef Py_ssize_t i
    cdef Py_ssize_t n4 = n - n % 4

    for i in range(0, n4, 4):
        x0 = x[i]
        x1 = x[i + 1]
        x2 = x[i + 2]
        x3 = x[i + 3]
        r0 = b0 + b1 * x0 - <double>y[i]
        r1 = b0 + b1 * x1 - <double>y[i + 1]
        r2 = b0 + b1 * x2 - <double>y[i + 2]
        r3 = b0 + b1 * x3 - <double>y[i + 3]
        s0 += r0
        s1 += r1
        s2 += r2
        s3 += r3
        t0 += r0 * x0
        t1 += r1 * x1
        t2 += r2 * x2
        t3 += r3 * x3
        q0 += r0 * r0
        q1 += r1 * r1
        q2 += r2 * r2
        q3 += r3 * r3
    for i in range(n4, n):
        x0 = x[i]
        r0 = b0 + b1 * x0 - <double>y[i]
        s0 += r0
        t0 += r0 * x0
        q0 += r0 * r0

    sums[0] = (s0 + s1) + (s2 + s3)
    sums[1] = (t0 + t1) + (t2 + t3)
    sums[2] = (q0 + q1) + (q2 + q3)


cdef void _residual_sums(const floating* x, const floating* y, Py_ssize_t n,
                         double b0, double b1, double* sums) noexcept nogil:
    """Like _block_sums for any n >= 1: blocks combined pairwise.

    Pairwise combination keeps the rounding error of the sums at
    O(log(n / BLOCK)) block sums instead of O(n / BLOCK).
    """
    cdef double left[3]
    cdef double right[3]
    cdef Py_ssize_t half
    if n <= BLOCK:
        _block_sums(x, y, n, b0, b1, sums)
        return
    # split on a block boundary, so every leaf but the last is a full block
    half = ((n + BLOCK - 1) // BLOCK // 2) * BLOCK
    _residual_sums(x, y, half, b0, b1, left)
    _residual_sums(x + half, y + half, n - half, b0, b1, right)
    sums[0] = left[0] + right[0]
    sums[1] = left[1] + right[1]
    sums[2] = left[2] + right[2]


def residual_sums(const floating[::1] x, const floating[::1] y, double b0, double b1):
    """Return (sum r, sum r*x, sum r**2) for r = b0 + b1*x - y, in one pass.

    ``x`` and ``y``: same dtype, same length >= 1 (not checked).
    """
    cdef double sums[3]
    with nogil:
        _residual_sums(&x[0], &y[0], x.shape[0], b0, b1, sums)
    return sums[0], sums[1], sums[2]


# ---------------------------------------------------------------------------
# Finiteness check used by input validation
# ---------------------------------------------------------------------------
def first_nonfinite(const floating[::1] a):
    """Index of the first NaN or infinity in ``a``, or -1 if all are finite.

    NumPy equivalent: ``np.flatnonzero(~np.isfinite(a))[:1]``, without the
    temporary boolean array (one byte per element).
    """
    cdef Py_ssize_t i, n = a.shape[0]
    cdef Py_ssize_t first = -1
    cdef double acc = 0.0
    with nogil:
        # a*0 is 0 for finite a and NaN for NaN or inf: one branch-free sweep
        for i in range(n):
            acc += a[i] * 0.0
        if acc != 0.0:
            for i in range(n):
                if not isfinite(a[i]):
                    first = i
                    break
    return first


# ---------------------------------------------------------------------------
# The descent
# ---------------------------------------------------------------------------
cdef inline void _record(double[:, ::1] rows, Py_ssize_t[::1] row_iteration,
                         Py_ssize_t row, Py_ssize_t k, double b0, double b1,
                         double cost) noexcept nogil:
    """rows[row] = (b0, b1, cost); row_iteration[row] = k."""
    rows[row, 0] = b0
    rows[row, 1] = b1
    rows[row, 2] = cost
    row_iteration[row] = k


# Slots of run_descent's state array, carried from one call to the next
STATE_SIZE = 7
cdef enum:
    S_B0 = 0             # current parameters: b0, b1 after `iteration` updates
    S_B1 = 1
    S_GRAD_NORM = 2      # gradient norm at the last point whose cost was computed
    S_PREV_B0 = 3        # that last point and its cost: the point reported if
    S_PREV_B1 = 4        # the current one turns out not to be finite
    S_PREV_COST = 5
    S_PREV_RECORDED = 6  # 1.0 if that point already has its history row


def run_descent(const floating[::1] x, const floating[::1] y,
                double[::1] state, Py_ssize_t iteration, Py_ssize_t stop_at,
                double learning_rate, double grad_factor, double cost_factor,
                Py_ssize_t max_iter, double tol, Py_ssize_t record_every,
                double[:, ::1] rows, Py_ssize_t[::1] row_iteration):
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

    Returns
    -------
    (status, iteration, n_rows)
        RUNNING: call again with the same state to go on.  On DIVERGED the last row written (here or by an earlier call) is the
        last point whose parameters and cost are all finite.
    """
    cdef const floating* xp = &x[0]
    cdef const floating* yp = &y[0]
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t capacity = rows.shape[0]
    cdef Py_ssize_t n_rows = 0
    cdef Py_ssize_t k = iteration
    cdef int status = RUNNING
    cdef double sums[3]
    cdef double b0 = state[S_B0], b1 = state[S_B1]
    cdef double cost, g0, g1, grad_norm, new_b0, new_b1
    # the previous point, kept to record it if the next one is not finite
    cdef double prev_b0 = state[S_PREV_B0], prev_b1 = state[S_PREV_B1]
    cdef double prev_cost = state[S_PREV_COST]
    cdef double prev_grad_norm = state[S_GRAD_NORM]
    cdef bint prev_recorded = state[S_PREV_RECORDED] != 0.0
    cdef bint recorded

    with nogil:
        while True:
            _residual_sums(xp, yp, n, b0, b1, sums)
            cost = cost_factor * sums[2]
            g0 = grad_factor * sums[0]
            g1 = grad_factor * sums[1]
            if not (isfinite(cost) and isfinite(g0) and isfinite(g1)):
                if not prev_recorded:
                    _record(rows, row_iteration, n_rows, k - 1,
                            prev_b0, prev_b1, prev_cost)
                    n_rows += 1
                status = DIVERGED
                grad_norm = prev_grad_norm
                break
            grad_norm = hypot(g0, g1)

            if grad_norm <= tol:
                status = CONVERGED
            elif k >= max_iter:
                status = MAX_ITER
            recorded = (status != RUNNING or k == 0
                        or (record_every > 0 and k % record_every == 0))
            if recorded:
                _record(rows, row_iteration, n_rows, k, b0, b1, cost)
                n_rows += 1
            if status != RUNNING:
                break

            # the simultaneous update: g0 and g1 both come from this pass
            new_b0 = b0 - learning_rate * g0
            new_b1 = b1 - learning_rate * g1
            if not (isfinite(new_b0) and isfinite(new_b1)):
                if not recorded:
                    _record(rows, row_iteration, n_rows, k, b0, b1, cost)
                    n_rows += 1
                status = DIVERGED
                break
            prev_b0, prev_b1, prev_cost = b0, b1, cost
            prev_grad_norm = grad_norm
            prev_recorded = recorded
            b0, b1 = new_b0, new_b1
            k += 1
            if n_rows == capacity or k >= stop_at:
                break

    state[S_B0] = b0
    state[S_B1] = b1
    state[S_GRAD_NORM] = grad_norm
    state[S_PREV_B0] = prev_b0
    state[S_PREV_B1] = prev_b1
    state[S_PREV_COST] = prev_cost
    state[S_PREV_RECORDED] = prev_recorded
    return status, k, n_rows
