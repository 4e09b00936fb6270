"""fit(): validate -> allocate -> run the kernel -> translate its status."""
import warnings

import numpy as np

from ._backend import kernels as _kernels
from ._cost import cost_factors
from ._exceptions import ConvergenceWarning, DivergenceError
from ._result import FitResult, History
from ._validate import (check_cost, check_count, check_init, check_method, check_n_threads,
                        check_real, check_xy)

# The kernel runs in slices.  A slice ends when its history buffer is full:
# the next buffer is twice as large, up to _MAX_SLICE_ROWS rows (1.5 MiB), so
# the memory held is proportional to the rows kept, never to max_iter.  A
# slice also ends after about _POINTS_PER_SLICE point-visits (a few tens of
# milliseconds), so control comes back to Python regularly (progress,
# Ctrl-C) at a negligible cost per iteration.
_FIRST_SLICE_ROWS = 256
_MAX_SLICE_ROWS = 65536
_POINTS_PER_SLICE = 1 << 24
_MAX_ITERATION = np.iinfo(np.intp).max
# A "stats" iteration costs about as much as visiting this many points.
_STATS_ITERATION_POINTS = 16


def fit(x, y, *, learning_rate=0.01, max_iter=1000, tol=1e-6, cost="half_mse",
        init=(0.0, 0.0), record_every=1, method="batch", n_threads=None):
    """Fit the line ``y = b0 + b1 * x`` by batch gradient descent.

    Each iteration makes one pass over all N points at the current (b0, b1),
    giving the residuals r_i = b0 + b1 * x_i - y_i, then updates both
    parameters together from those same residuals::

        b0 <- b0 - learning_rate * dJ/db0
        b1 <- b1 - learning_rate * dJ/db1

    Parameters
    ----------
    x, y : array_like, shape (N,)
        The points, N >= 1, all finite.  float32 data (both arrays) is used
        as float32 and float64 as float64, without a copy when contiguous;
        other real dtypes (int, bool, float16) are converted to float64.
        Sums are always accumulated in float64.
    learning_rate : float, default 0.01
        The step size alpha, a finite number > 0.  Too high and the cost
        bounces or blows up (:class:`DivergenceError`); too low and the
        descent crawls.
    max_iter : int, default 1000
        The most updates to make (0 returns the starting point).
    tol : float or None, default 1e-6
        The descent stops, before updating, at the first iteration where the
        Euclidean norm of the gradient of J, ``hypot(dJ/db0, dJ/db1)``, is
        ``<= tol`` (``converged=True``).  ``None`` disables the test: exactly
        ``max_iter`` updates are made, ``converged`` is False and nothing is
        warned (for timing a fixed number of iterations).
    cost : {"half_mse", "mse"}, default "half_mse"
        ``"half_mse"``: J = 1/(2N) sum r_i**2, gradient (1/N)(sum r_i,
        sum r_i x_i).  ``"mse"``: J = 1/N sum r_i**2, gradient twice that.
    init : (float, float), default (0.0, 0.0)
        The starting (b0, b1).
    record_every : int, default 1
        Keep every ``record_every``-th iteration in the history, and always
        the first and the last; 0 keeps only the first and the last.
    method : {"batch", "stats"}, default "batch"
        ``"batch"``: each iteration makes a pass over the N points, as
        described above.  ``"stats"``: one pass computes N, the means and the
        centred second moments (the Gram matrix of the centred x and y), then
        each iteration gets the same sums from them in O(1), whatever N.  Same
        history, stopping rules, warnings and errors.  The iterates agree with
        ``"batch"`` to 1e-10 relative or better on well-conditioned data.
        They can differ more under extreme conditioning: when the fit is
        nearly exact (residuals tiny against the spread of y, the cost is a
        difference of nearly equal centred moments, so near the optimum it
        keeps only the digits that survive that cancellation), or when x's
        mean is huge against its spread.
    n_threads : int or None, default None
        Threads for the passes over the data (``"batch"``: every iteration;
        ``"stats"``: the one pass).  None: every core this process may use
        when N is large enough for threads to pay, else one.  The results
        are the same bit for bit for any value: the data is cut into fixed
        blocks whose sums are combined in a fixed order.  The threads meet at
        a barrier every iteration, so on a machine whose cores are busy with
        other work the team waits for its slowest thread: pass 1 there.

    Returns
    -------
    FitResult

    Raises
    ------
    DivergenceError
        If a cost, gradient or parameter becomes NaN or infinite.  Its
        ``result`` is the partial :class:`FitResult` at the last finite
        iteration, with the history up to it.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` updates were made before the gradient norm reached
        ``tol``; the result then has ``converged=False``.

    Examples
    --------
    >>> import numpy as np, gdfast
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> res = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.2, max_iter=2000,
    ...                  tol=1e-10, init=(0.0, -5.0))
    >>> round(res.intercept, 6), round(res.slope, 6), res.converged
    (1.0, 2.0, True)
    """
    x, y = check_xy(x, y)
    learning_rate = check_real(learning_rate, "learning_rate", low=0.0, low_inclusive=False)
    max_iter = check_count(max_iter, "max_iter")
    # the kernel never stops on a gradient norm <= -1
    kernel_tol = -1.0 if tol is None else check_real(tol, "tol", low=0.0, allow_inf=True)
    cost = check_cost(cost)
    b0, b1 = check_init(init)
    record_every = check_count(record_every, "record_every")
    method = check_method(method)
    n_threads = check_n_threads(n_threads, x.shape[0])

    cost_factor, grad_factor = cost_factors(cost, x.shape[0])
    if method == "stats":
        stats = np.empty(_kernels.STATS_SIZE)
        _kernels.centred_stats(x, y, stats, n_threads)

        def run_slice(state, iteration, stop_at, rows, row_iteration):
            return _kernels.run_descent_stats(
                stats, state, iteration, stop_at, learning_rate, grad_factor, cost_factor,
                max_iter, kernel_tol, record_every, rows, row_iteration)
        iterations_per_slice = _POINTS_PER_SLICE // _STATS_ITERATION_POINTS
    else:
        def run_slice(state, iteration, stop_at, rows, row_iteration):
            return _kernels.run_descent(
                x, y, state, iteration, stop_at, learning_rate, grad_factor, cost_factor,
                max_iter, kernel_tol, record_every, rows, row_iteration, n_threads)
        iterations_per_slice = max(1, _POINTS_PER_SLICE // x.shape[0])

    # the kernel's state slots (see _kernels.run_descent): start at init, no
    # previous point yet
    state = np.array([b0, b1, np.inf, 0.0, 0.0, 0.0, 1.0])
    expected_rows = (max_iter // record_every if record_every else 0) + 2
    capacity = min(expected_rows, _FIRST_SLICE_ROWS)
    slices = []
    iteration = 0
    while True:
        rows = np.empty((capacity, 3))
        row_iteration = np.empty(capacity, dtype=np.intp)
        stop_at = min(iteration + iterations_per_slice, _MAX_ITERATION)
        status, iteration, n_rows = run_slice(state, iteration, stop_at, rows, row_iteration)
        slices.append((rows[:n_rows], row_iteration[:n_rows]))
        if status != _kernels.STATUS_RUNNING:
            break
        if n_rows == capacity:
            capacity = min(2 * capacity, _MAX_SLICE_ROWS)

    history = _collect_history(slices)
    return _translate_status(status, history, state[2], learning_rate, max_iter, tol,
                             (b0, b1))


def _collect_history(slices):
    """Join the slices' rows into one compact History."""
    slices = [s for s in slices if len(s[1])] or slices[:1]
    if len(slices) == 1:
        rows, row_iteration = slices[0]
        rows = rows.copy()  # drop the unused tail of the buffer
    else:
        rows = np.concatenate([r for r, _ in slices])
        row_iteration = np.concatenate([i for _, i in slices])
    return History(iteration=row_iteration.astype(np.int64),
                   intercept=rows[:, 0], slope=rows[:, 1], cost=rows[:, 2])


def _translate_status(status, history, gradient_norm, learning_rate, max_iter, tol, init):
    """Turn the kernel's status into a FitResult, a warning or an error."""
    if len(history) == 0:
        # not even the starting point has a finite cost
        result = FitResult(intercept=init[0], slope=init[1], n_iter=0, converged=False,
                           cost=float("inf"), gradient_norm=float("inf"), history=history)
        raise DivergenceError(
            f"the cost is not finite at the starting point init={init}: the squared "
            f"residuals overflow float64; rescale x and y (or the starting point)",
            result)

    result = FitResult(
        intercept=float(history.intercept[-1]),
        slope=float(history.slope[-1]),
        n_iter=int(history.iteration[-1]),
        converged=status == _kernels.STATUS_CONVERGED,
        cost=float(history.cost[-1]),
        gradient_norm=float(gradient_norm),
        history=history,
    )
    if status == _kernels.STATUS_DIVERGED:
        raise DivergenceError(
            f"gradient descent diverged at iteration {result.n_iter + 1} with "
            f"learning_rate={learning_rate:g}: the cost or the parameters stopped being "
            f"finite numbers (last finite cost {result.cost:.6g} at iteration "
            f"{result.n_iter}). Try a smaller learning rate, e.g. {learning_rate / 10:g}; "
            f"the partial result is in this error's .result",
            result)
    if status == _kernels.STATUS_MAX_ITER and tol is not None:
        warnings.warn(
            f"gradient descent stopped at max_iter={max_iter} before converging: the "
            f"gradient norm is {result.gradient_norm:.3g}, above tol={tol:g}. Increase "
            f"max_iter or the learning rate, or loosen tol.",
            ConvergenceWarning, stacklevel=3)
    return result
