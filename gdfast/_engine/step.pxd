# One iteration of batch gradient descent, after the pass over the data:
# record the history row, test the stopping rules and divergence, update the
# parameters: plainly, with momentum (heavy ball) or Nesterov's look-ahead,
# with or without an L2 penalty.  Written once, for any number of parameters p = d + 1 (b0
# first; 0 and never moved without an intercept) and for every source of the
# sums: the one-feature pass, the d-feature pass, the statistics, a Dask
# cluster.  Nothing here reads the data or raises: the caller turns the status
# into a result, a warning or an exception.
from libc.math cimport hypot, isfinite, fabs

cdef enum:
    RUNNING = 0     # stopped at the caller's stop_at, or the history buffer is full
    CONVERGED = 1   # gradient norm <= tol
    MAX_ITER = 2    # max_iter updates made
    DIVERGED = 3    # a cost, gradient or parameter stopped being finite, or the
                    # cost rose clearly above where it started

# The state array (doubles), carried from one call to the next:
cdef enum:
    S_GRAD_NORM = 0       # gradient norm at the last point whose cost was computed (out)
    S_PREV_COST = 1       # that point's cost ...
    S_PREV_RECORDED = 2   # ... and 1.0 if it already has its history row
    S_COST_LIMIT = 3      # a later cost above this is divergence (set at iteration 0)
    S_VECTORS = 4         # then params[p], prev[p], g[p], prev_g[p], velocity[p]:
                          # the current point, the point before it (reported if
                          # the current one is not finite), the gradient at the
                          # last point whose cost was computed, the one before,
                          # and the last step made (momentum; 0 at the start)
    N_VECTORS = 5         # the vectors of p doubles in the state


ctypedef struct Descent:
    # where the descent is: its vectors (in a buffer of N_VECTORS * p doubles
    # that the caller owns, one per thread of a team) and this call's counters
    double* params
    double* prev
    double* g
    double* prev_g
    double* velocity
    Py_ssize_t p
    double prev_cost, cost_limit
    bint prev_recorded
    Py_ssize_t k, n_rows
    int status


ctypedef struct Settings:
    # what the caller asked for, fixed during a call
    double learning_rate, grad_factor, cost_factor, tol
    double clearly_above_tol   # sum g**2 above this: the norm is > tol
    double rise_floor          # the cost limit is 2 * (cost at iteration 0) + rise_floor
    double momentum            # beta in [0, 1); 0 (and not nesterov): plain descent
    bint nesterov              # the gradient at the look-ahead point (see advance)
    const double* penalty      # (p,) the L2 penalty of each parameter, or NULL for none
    Py_ssize_t max_iter, record_every, stop_at, capacity
    double* rows               # capacity x (p + 1), row-major: b0, b1..bd, cost
    Py_ssize_t* row_iteration


cdef inline Py_ssize_t state_length(Py_ssize_t p) noexcept nogil:
    """Doubles in the state array of a descent with p parameters."""
    return S_VECTORS + N_VECTORS * p


cdef inline Settings settings(double learning_rate, double grad_factor, double cost_factor,
                              Py_ssize_t max_iter, double tol, double rise_floor,
                              Py_ssize_t record_every, Py_ssize_t stop_at, double* rows,
                              Py_ssize_t* row_iteration, Py_ssize_t capacity, double momentum,
                              bint nesterov, const double* penalty) noexcept nogil:
    """Settings from a run's arguments; tol < 0: no stopping on the gradient norm."""
    cdef Settings s
    s.momentum = momentum
    s.nesterov = nesterov
    s.penalty = penalty
    s.learning_rate = learning_rate
    s.grad_factor = grad_factor
    s.cost_factor = cost_factor
    s.tol = tol
    # 4 tol**2: far enough above tol**2 that rounding cannot matter; where
    # tol**2 would underflow or overflow, always take the exact norm
    s.clearly_above_tol = 4.0 * tol * tol if 1e-290 < tol * tol < 1e290 else 1.0 / 0.0
    if tol < 0.0:
        s.clearly_above_tol = -1.0
    s.rise_floor = rise_floor
    s.max_iter = max_iter
    s.record_every = record_every
    s.stop_at = stop_at
    s.capacity = capacity
    s.rows = rows
    s.row_iteration = row_iteration
    return s


cdef inline Descent load(const double* state, double* vectors, Py_ssize_t p,
                         Py_ssize_t iteration) noexcept nogil:
    """The descent in the state array, its vectors copied to ``vectors`` (N_VECTORS * p doubles).

    Returned by value: in a team each thread assigns its own (a variable
    assigned in a parallel block is private to each thread)."""
    cdef Descent descent
    cdef Descent* d = &descent
    cdef Py_ssize_t j
    for j in range(N_VECTORS * p):
        vectors[j] = state[S_VECTORS + j]
    d.params = vectors
    d.prev = vectors + p
    d.g = vectors + 2 * p
    d.prev_g = vectors + 3 * p
    d.velocity = vectors + 4 * p
    d.p = p
    d.prev_cost = state[S_PREV_COST]
    d.prev_recorded = state[S_PREV_RECORDED] != 0.0
    d.cost_limit = state[S_COST_LIMIT]
    d.k = iteration
    d.n_rows = 0
    d.status = RUNNING
    return descent


cdef inline double norm(const double* g, Py_ssize_t p) noexcept nogil:
    """np.linalg.norm(g[:p]) as hypot(hypot(g0, g1), g2)...: it neither overflows nor underflows."""
    cdef double h = fabs(g[0])
    cdef Py_ssize_t j
    for j in range(1, p):
        h = hypot(h, g[j])
    return h


cdef inline void save(const Descent* d, double* state) noexcept nogil:
    """Write d back to the state array."""
    cdef Py_ssize_t j
    for j in range(N_VECTORS * d.p):
        state[S_VECTORS + j] = d.params[j]   # params, prev, g, prev_g, velocity: contiguous
    state[S_GRAD_NORM] = norm(d.g, d.p)
    state[S_PREV_COST] = d.prev_cost
    state[S_PREV_RECORDED] = d.prev_recorded
    state[S_COST_LIMIT] = d.cost_limit


cdef inline void record(Descent* d, const Settings* s, Py_ssize_t k, const double* params,
                        double cost, bint write) noexcept nogil:
    """rows[n_rows] = (*params[:p], cost); row_iteration[n_rows] = k; n_rows += 1."""
    cdef Py_ssize_t j, width = d.p + 1
    if write:
        for j in range(d.p):
            s.rows[width * d.n_rows + j] = params[j]
        s.rows[width * d.n_rows + d.p] = cost
        s.row_iteration[d.n_rows] = k
    d.n_rows += 1


cdef inline bint advance(Descent* d, const Settings* s, const double* sums,
                         bint write) noexcept nogil:
    """Finish iteration d.k from the sums at d.params; True when the call must return.

    ``sums[:p]`` are the raw gradient sums (sum w*r, then sum w*r*z_j; 0 for
    b0 without intercept), ``sums[p]`` = sum w*r**2.  With P = s.penalty
    (0 where NULL; P[0] = 0, the intercept is not penalised)::

        cost = cost_factor * sums[p] + 0.5 * sum(P * params**2)
        g = grad_factor * sums[:p] + P * params

    then record, test the stopping rules, and update every parameter from
    the same pass, with beta = s.momentum and alpha = s.learning_rate::

        plain (beta = 0):  params -= alpha * g
        heavy ball:        v = beta * v - alpha * g;  params += v
        Nesterov:          v = beta * v - alpha * g;  params += beta * v - alpha * g

    Nesterov's params are the look-ahead points x + beta * v (PyTorch's
    form): the gradient, the cost and the history row are all at them.
    ``write`` False: count history rows without writing them (the threads
    of a team all run this, identically; one writes).
    """
    cdef Py_ssize_t j, p = d.p
    cdef double cost = s.cost_factor * sums[p]
    cdef double sum_g2 = 0.0, t, v, penalty_sum = 0.0
    cdef bint recorded, finite
    if s.penalty != NULL:
        # the penalty's cost and gradient: NumPy's 0.5 * (P * b * b).sum(), P * b
        for j in range(p):
            penalty_sum += s.penalty[j] * d.params[j] * d.params[j]
        cost = cost + 0.5 * penalty_sum
    finite = isfinite(cost)
    for j in range(p):
        t = s.grad_factor * sums[j]
        if s.penalty != NULL:
            t = t + s.penalty[j] * d.params[j]
        d.g[j] = t
        sum_g2 += t * t
        finite = finite and isfinite(t)
    if not finite:
        # the last finite point is the one before: its row ends the history
        if not d.prev_recorded:
            record(d, s, d.k - 1, d.prev, d.prev_cost, write)
        for j in range(p):
            d.g[j] = d.prev_g[j]
        d.status = DIVERGED
        return True

    if d.k == 0:
        d.cost_limit = 2.0 * cost + s.rise_floor
    # the norm is taken only near tol (hypot is slow)
    if sum_g2 <= s.clearly_above_tol and norm(d.g, p) <= s.tol:
        d.status = CONVERGED
    elif cost > d.cost_limit:
        # below the stability limit (2/lambda_max without momentum) the cost
        # of a plain descent never rises, and with momentum it only rises
        # and falls back: the caller sets a finite limit only at or above
        # it, where this cost doubling since the start means divergence
        d.status = DIVERGED
    elif d.k >= s.max_iter:
        d.status = MAX_ITER
    recorded = (d.status != RUNNING or d.k == 0
                or (s.record_every > 0 and d.k % s.record_every == 0))
    if recorded:
        record(d, s, d.k, d.params, cost, write)
    if d.status != RUNNING:
        return True

    # the simultaneous update: every g[j] comes from this pass; the current
    # point becomes the previous one
    if s.momentum == 0.0:
        for j in range(p):
            d.prev[j] = d.params[j]
            d.params[j] = d.params[j] - s.learning_rate * d.g[j]
            finite = finite and isfinite(d.params[j])
    else:
        for j in range(p):
            d.prev[j] = d.params[j]
            v = s.momentum * d.velocity[j] - s.learning_rate * d.g[j]
            d.velocity[j] = v
            if s.nesterov:
                d.params[j] = d.params[j] + (s.momentum * v - s.learning_rate * d.g[j])
            else:
                d.params[j] = d.params[j] + v
            finite = finite and isfinite(d.params[j])
    if not finite:
        # the step leaves float64: report the current point, which is finite
        for j in range(p):
            d.params[j] = d.prev[j]
        if not recorded:
            record(d, s, d.k, d.params, cost, write)
        d.status = DIVERGED
        return True
    for j in range(p):
        d.prev_g[j] = d.g[j]
    d.prev_cost = cost
    d.prev_recorded = recorded
    d.k += 1
    return d.n_rows == s.capacity or d.k >= s.stop_at
