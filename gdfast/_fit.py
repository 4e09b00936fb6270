"""fit(): validate -> allocate -> run the kernel -> translate its status."""
import dataclasses
import functools
import time
import warnings

import numpy as np

from . import _history_buffer, _watch
from ._backend import kernels as _kernels
from ._cost import cost_factors
from ._descent import FeatureDescent, LineDescent, StatsFeatureDescent, StatsLineDescent
from ._diagnosis import diagnose, unstable_rate_warning
from ._exceptions import (ConvergenceWarning, DivergenceError, DivergenceWarning,
                          FitInterrupted, HistoryMemoryError)
from ._result import FitResult
from ._validate import (check_data, check_descent_options, check_method, check_n_threads,
                        check_params, check_sample_weight)

# The kernel runs in slices.  A slice ends when the history buffer is full
# (gdfast._history_buffer: it then grows in place, by at most a sixteenth
# once large, or is thinned with record_every="auto"), so the memory held is
# proportional to the rows kept, never to max_iter.  A slice also ends after
# about _POINTS_PER_SLICE point-visits, and after about _SLICE_SECONDS (as
# measured on the slices before it: on small data an iteration costs far
# more than its N point-visits), so control comes back to Python regularly
# (progress, Ctrl-C) at a negligible cost per iteration.  The first slice,
# not yet measured, makes at most a 64th of the point-visits unless that is
# under _FIRST_SLICE_ITERATIONS iterations.
_FIRST_SLICE_ROWS = 256
_POINTS_PER_SLICE = 1 << 24
_SLICE_SECONDS = 0.02
_FIRST_SLICE_ITERATIONS = 4096
_MAX_ITERATION = np.iinfo(np.intp).max
# A "stats" iteration costs about as much as visiting this many points.
_STATS_ITERATION_POINTS = 16


def fit(x, y, *, learning_rate="auto", max_iter=100_000, tol=1e-6, cost="half_mse",
        sample_weight=None,
        init=None, record_every="auto", fit_intercept=True, standardize=False, progress=False,
        callback=None, method="batch", n_threads=None):
    """Fit ``y = b0 + b1 * x`` (or ``y = b0 + x @ b`` for d features) by batch gradient descent.

    Each iteration makes one pass over all N points at the current
    parameters, giving the residuals r_i = b0 + b1 * x_i - y_i (with d
    features r_i = b0 + x_i @ b - y_i), then updates all parameters
    together from those same residuals::

        b0 <- b0 - learning_rate * dJ/db0
        bj <- bj - learning_rate * dJ/dbj

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        The points, N >= 1, all finite: one feature (1-D) or d >= 1 features
        (2-D, C- or F-ordered; both are used as they are, without a copy;
        F order is the faster, see bench/features.md; any other layout,
        such as a strided view, is copied, to F order, since the kernel
        reads each column of a block of rows contiguously).
    y : array_like, shape (N,)
        The targets, all finite.  float32 data (x and y) is used as float32
        and float64 as float64, without a copy when contiguous; other real
        dtypes (int, bool, float16) are converted to float64.  Sums are
        always accumulated in float64.
    sample_weight : array_like, shape (N,), optional
        A weight w_i >= 0 per point (finite, not all zero): the costs become
        J = sum w_i r_i**2 / (2 sum w_i) (``"half_mse"``) and
        sum w_i r_i**2 / sum w_i (``"mse"``), so an integer weight counts
        a point that many times and a zero weight drops it.  The kernel
        weights its sums directly (no repeated rows).  Used in the dtype of
        the data (float32 weights with float32 data are not copied; others
        are converted).  The learning-rate limits, ``"auto"``,
        ``standardize`` and the diagnosis use the weighted curvature
        H = A.T @ diag(w) @ A / sum w.
    learning_rate : float or "auto", default "auto"
        The step size alpha.  ``"auto"``: the fastest rate for this data,
        2/(lambda_min + lambda_max) of the cost's curvature (see
        :func:`learning_rate_limits`), worked out before the first
        iteration.  Or a finite number > 0: above 1/lambda_max the
        parameters overshoot the minimum along the steepest direction (the
        overshoots shrink, the cost still falls); at or above the
        stability limit 2/lambda_max the descent diverges
        (:class:`DivergenceWarning` before the first iteration, then
        :class:`DivergenceError`); far below it the descent crawls.
    max_iter : int, default 100000
        The most updates to make (0 returns the starting point).  At
        ``"auto"`` a descent needs about kappa/2 * ln(1/r) iterations to
        shrink the gradient by the factor r (kappa: the condition number of
        the cost's curvature, see :func:`learning_rate_limits`): the default
        covers kappa up to about 1e4 for r = 1e-8, which standardized data
        (``standardize=True``) nearly always have.  Columns far from zero
        mean or of very different scales can give kappa of 1e5 to 1e10:
        the :class:`ConvergenceWarning` then says how many iterations
        ``standardize=True`` would need instead.
    tol : float or None, default 1e-6
        The descent stops, before updating, at the first iteration where the
        Euclidean norm of the gradient of J, ``hypot(dJ/db0, dJ/db1)``
        (with d features the norm of all d + 1 partial derivatives; with
        ``standardize=True`` those of the standardized coefficients), is
        ``<= tol`` (``converged=True``).  ``None`` disables the test: exactly
        ``max_iter`` updates are made, ``converged`` is False and nothing is
        warned (for timing a fixed number of iterations).
    cost : {"half_mse", "mse"}, default "half_mse"
        ``"half_mse"``: J = 1/(2N) sum r_i**2, gradient (1/N)(sum r_i,
        sum r_i x_i).  ``"mse"``: J = 1/N sum r_i**2, gradient twice that.
    init : sequence of float, optional
        The starting (b0, b1) (with d features b0, b1, ..., bd; without
        intercept b1, ..., bd), in the units of x.  Default: all zeros.
    record_every : int or "auto", default "auto"
        Which iterations the history keeps.  ``"auto"``: at most 100 002
        rows, spread over the whole descent: every
        iteration while they fit; when they are full, every other row is
        dropped and from then on every 2nd iteration is kept, then every
        4th, ... (rows 0, s, 2s, ... at the final stride s, and always the
        first and the last).  So a fit of up to 100 000 iterations keeps
        them all, and any fit's history fits in a fixed memory: rows x
        (d + 2) x 8 bytes + 8 bytes per row, 3.2 MB for one feature (d is
        the number of features).  An integer k: every k-th iteration, and
        always the first and the last (1: every iteration; 0: only the
        first and the last); memory then grows with max_iter / k, and a
        history that does not fit in memory stops the fit with a
        :class:`HistoryMemoryError`.
    fit_intercept : bool, default True
        False fits ``y = x @ b`` (b0 fixed at 0).
    standardize : bool, default False
        Descend on centred, unit-variance columns (without intercept:
        unit root-mean-square columns, not centred), which makes the
        valley round and the descent far faster on badly scaled or
        correlated features; the data are not copied (the kernel maps
        each value on the fly).  Coefficients and history are reported in
        the units of x.  A constant column cannot be scaled (ValueError).
    progress : bool, default False
        Show a progress bar on stderr with the iterations per second and the
        current cost: tqdm's when it is installed (``gdfast[progress]``),
        else a plain line.  It is updated between slices of iterations, at
        no measurable cost.
    callback : callable or None, default None
        Called as ``callback(step)`` with a :class:`gdfast.Step` (its
        ``iteration``, ``intercept``, ``slope`` and ``cost``) for each history
        row as soon as it is recorded: every ``record_every`` iterations, the
        first and the last (not on divergence).  With ``record_every="auto"``
        that is every row recorded at the stride of the moment (every
        iteration at first, then every 2nd, 4th, ...); rows seen early may
        later be dropped from the history when it is thinned.  A step holds
        the same values as the history's row, bit for bit: each row is
        converted to the units of x once, and the callback, the progress bar
        and the History read that one conversion.  Returning ``False`` (not
        just a falsy value) stops the descent there: the result reports that
        point, with ``stopped_by="callback"`` and ``converged=False``.  An
        exception the callback raises stops the fit and propagates
        unchanged (same object), with the partial result attached: as its
        attribute ``gdfast_result`` (a :class:`FitResult` at the last point
        computed, with the rows recorded up to it; ``stopped_by="callback"``
        unless the descent had already ended) and, on Python >= 3.11, a
        note saying so.
    method : {"batch", "stats"}, default "batch"
        ``"batch"``: each iteration makes a pass over the N points, as
        described above.  ``"stats"``: one pass computes the sufficient
        statistics (the weight sum, the means and the centred second moments
        of x and y: the Gram matrix of the centred data and its
        cross-products with y, see :class:`gdfast.Statistics`), then each
        iteration gets the same sums from them in O(d**2) (O(1) for 1-D x),
        whatever N.  Every option works with it (several features,
        ``fit_intercept``, ``standardize``, ``sample_weight``).  Same
        history, stopping rules, warnings and errors.  The iterates agree
        with ``"batch"`` to 1e-10 relative or better on well-conditioned
        data.  They can differ more under extreme conditioning: when the fit
        is nearly exact (residuals tiny against the spread of y: the cost is
        then a difference of nearly equal quadratic forms, so near the
        optimum it keeps only the digits that survive that cancellation, and
        a rounded negative total is clamped to 0), when the Gram matrix is
        nearly singular (nearly collinear columns: the gradient G @ b - c is
        a difference of large nearly equal terms), or when x's mean is huge
        against its spread.  Data too large for memory: see
        :func:`gdfast.fit_stream`.
    n_threads : int or None, default None
        Threads for the passes over the data (``"batch"`` on 1-D x: every
        iteration; ``"stats"``: the one pass; ``"batch"`` on 2-D x or with
        options runs on one thread).  None: every core this process
        may use when N is large enough for threads to pay, else one.  The
        results are the same bit for bit for any value: the data is cut into
        fixed blocks whose sums are combined in a fixed order.  The threads
        meet at a barrier every iteration, so on a machine whose cores are
        busy with other work the team waits for its slowest thread: pass 1
        there.

    Returns
    -------
    FitResult

    Raises
    ------
    FitInterrupted
        On Ctrl-C (SIGINT) during the fit.  A subclass of KeyboardInterrupt,
        so an uncaught Ctrl-C still stops a script; its ``result`` is the
        partial :class:`FitResult` (``stopped_by="interrupt"``) at the last
        iteration whose cost was computed, with the whole history up to it.
        The descent stops within one slice of iterations (a few tens of
        milliseconds), whatever the size of the history: it is returned as
        it is, never copied.  A fit small enough to end within its first
        slice does not set up this handling: a Ctrl-C there is a plain
        KeyboardInterrupt, at most one slice later.
    HistoryMemoryError
        A MemoryError: the history could not grow (only with an integer
        ``record_every`` on a long fit).  The fit stops there; its
        ``result`` is the partial :class:`FitResult`
        (``stopped_by="memory"``) at the last point computed, with every
        row recorded up to it.
    DivergenceError
        If a cost, gradient or parameter becomes NaN or infinite.  Its
        ``result`` is the partial :class:`FitResult` at the last finite
        iteration, with the history up to it.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` updates were made before the gradient norm reached
        ``tol``; the result then has ``converged=False``.  Its message is
        the diagnosis: the iterations needed, and what would converge
        sooner (``standardize=True``, ``"auto"``).
    DivergenceWarning
        Before the first iteration, if ``learning_rate`` is at or above the
        stability limit 2/lambda_max; it suggests a rate below it.
    UserWarning
        If x is 2-D with more parameters than points (the solution is not
        unique; the descent ends at the one nearest ``init``).

    Examples
    --------
    >>> import numpy as np, gdfast
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> res = gdfast.fit(x, 1.0 + 2.0 * x, learning_rate=0.2, max_iter=2000,
    ...                  tol=1e-10, init=(0.0, -5.0))
    >>> round(res.intercept, 6), round(res.slope, 6), res.converged
    (1.0, 2.0, True)
    """
    x, y = check_data(x, y)
    sample_weight, weight_sum = check_sample_weight(sample_weight, x.shape[0], x.dtype)
    (learning_rate, max_iter, tol, kernel_tol, cost, record_every, fit_intercept, standardize,
     progress, callback) = check_descent_options(learning_rate, max_iter, tol, cost,
                                                 record_every, fit_intercept, standardize,
                                                 progress, callback)
    method = check_method(method)
    n_threads = check_n_threads(n_threads, x.shape[0])
    # the foundation's one-feature kernels: plain 1-D x, unweighted
    line = x.ndim == 1 and fit_intercept and not standardize and sample_weight is None
    if method == "stats" and line:
        # the O(1) one-feature path: its one pass runs on n_threads
        descent = StatsLineDescent(x, y, init, n_threads)
    elif method == "stats":
        # any d: one pass for the statistics, then O(d**2) per iteration
        from ._statistics import Statistics   # _statistics imports this module
        check_params(init, 1 if x.ndim == 1 else x.shape[1], fit_intercept)  # before the pass
        stats = Statistics._from_checked(x, y, sample_weight, n_threads)
        descent = StatsFeatureDescent(stats, init, fit_intercept, standardize,
                                      warn_underdetermined=x.ndim == 2)
    elif line:
        descent = LineDescent(x, y, init, n_threads)
    else:
        descent = FeatureDescent(x, y, init, fit_intercept, standardize, sample_weight,
                                 weight_sum)
    points_per_iteration = _STATS_ITERATION_POINTS if method == "stats" else x.shape[0]
    if isinstance(descent, StatsFeatureDescent):
        points_per_iteration = stats_iteration_points(descent.n_columns - 2)
    return descend(descent, learning_rate, max_iter, tol, kernel_tol, cost, weight_sum,
                   record_every, progress, callback, points_per_iteration, x.shape[0])


def stats_iteration_points(d):
    """The point-visits one iteration from the statistics of d features costs about.

    O(d**2) work (G @ b): as much as a batch iteration over about d points
    of d features, and never less than the O(1) one-feature iteration.
    """
    return max(_STATS_ITERATION_POINTS, d)


def descend(descent, learning_rate, max_iter, tol, kernel_tol, cost, weight_sum, record_every,
            progress, callback, points_per_iteration, n_points, stacklevel=3):
    """Run a validated descent in slices; return its FitResult or raise (fit's second half).

    ``stacklevel`` points the warnings at the user's call (fit -> descend: 3).
    """
    limits = descent.limits_thunk(cost)  # the eigenvalues, computed only when needed
    if learning_rate == "auto":
        limits = limits()
        learning_rate = limits.optimal
        if not learning_rate > 0:
            raise ValueError("learning_rate='auto' cannot be worked out: the squares of x "
                             "overflow float64; rescale x")
    elif learning_rate >= descent.max_stable(cost):
        limits = limits()
        warnings.warn(unstable_rate_warning(learning_rate, limits), DivergenceWarning,
                      stacklevel=stacklevel)

    # with weights the mean over the points is a weighted mean: 1/sum(w), not 1/N
    cost_factor, grad_factor = cost_factors(cost, weight_sum)
    buffer = _history_buffer.HistoryBuffer(descent.n_columns, record_every, max_iter,
                                           _FIRST_SLICE_ROWS)
    most_per_slice = max(1, _POINTS_PER_SLICE // points_per_iteration)
    iterations_per_slice = min(most_per_slice, max(_FIRST_SLICE_ITERATIONS,
                                                   most_per_slice // 64))
    # Ctrl-C, the bar and the callback are looked at between slices.  A fit
    # that surely ends within its first slice skips that set-up: installing
    # a signal handler costs more than such a fit.
    watch = None
    one_slice = max_iter < iterations_per_slice and buffer.max_rows <= buffer.capacity
    if progress or callback is not None or not one_slice:
        watch = _watch.SliceWatch(progress, callback, max_iter)
    run = _Run(descent, buffer, watch)
    try:
        try:
            while True:
                stop_at = min(run.iteration + iterations_per_slice, _MAX_ITERATION)
                if watch is not None:
                    stop_at = watch.stop_at(run.iteration, stop_at, buffer.stride)
                first_iteration, started = run.iteration, time.perf_counter()
                # the buffer's free rows go to the kernel as temporaries: no
                # name keeps a view of the buffer, which grows in place
                run.status, run.iteration, n_rows = descent.run(
                    run.iteration, stop_at, learning_rate, grad_factor, cost_factor,
                    max_iter, kernel_tol, buffer.stride, *buffer.free())
                new = buffer.add(n_rows)
                descent.to_reported_units(buffer.rows[new])   # once per row: every reader sees it
                iterations_per_slice = _next_slice(
                    most_per_slice, run.iteration - first_iteration, time.perf_counter() - started)
                if watch is not None and run.status != _kernels.STATUS_DIVERGED:
                    # a finished descent's last row is its final point
                    last_cost = (descent.last_cost if run.status == _kernels.STATUS_RUNNING
                                 else buffer.rows[buffer.filled - 1, -1])
                    run.stopped_by = watch.after_slice(
                        run.iteration, last_cost,
                        descent.history(buffer.rows[new], buffer.iterations[new]))
                if run.status != _kernels.STATUS_RUNNING or run.stopped_by is not None:
                    break
                try:
                    buffer.make_room()
                except MemoryError as err:
                    # the rows so far, and the point they end at, are kept
                    run.stopped_by, memory_error = _watch.STOPPED_BY_MEMORY, err
                    break
        except BaseException as err:
            if watch is not None and err is watch.callback_error:
                # the callback's own exception, unchanged, with what was computed
                _attach_result(err, lambda: run.result(learning_rate, max_iter, tol, limits,
                                                       n_points, stacklevel + 1,
                                                       callback_error=True))
            raise
        result = run.result(learning_rate, max_iter, tol, limits, n_points, stacklevel + 1)
    finally:
        if watch is not None:
            watch.close()
    if run.stopped_by == _watch.STOPPED_BY_MEMORY:
        raise HistoryMemoryError(
            f"out of memory for the history at iteration {result.n_iter} of {max_iter} "
            f"({len(result.history)} rows kept): the fit stopped there; the partial result "
            f"and its history are in this exception's .result (record_every='auto' keeps "
            f"at most {_history_buffer.AUTO_ROWS + 1} rows)", result) from memory_error
    if watch is not None and watch.interrupted:
        # Ctrl-C, during the descent or while its result was being built
        raise FitInterrupted(
            f"fit interrupted (Ctrl-C) at iteration {result.n_iter} of {max_iter}, cost "
            f"{result.cost:.6g}; the partial result and its history are in this "
            f"exception's .result", result)
    return result


def _next_slice(most, iterations, seconds):
    """Iterations for the next slice: about _SLICE_SECONDS at the rate just measured."""
    if iterations <= 0 or seconds <= 0:
        return most
    return min(most, max(1, int(iterations * (_SLICE_SECONDS / seconds))))


class _Run:
    """Where descend()'s slice loop stands, and the FitResult of what it computed."""

    def __init__(self, descent, buffer, watch):
        self.descent, self.buffer, self.watch = descent, buffer, watch
        self.status = _kernels.STATUS_RUNNING
        self.iteration = 0
        self.stopped_by = None

    def result(self, learning_rate, max_iter, tol, limits, n_points, stacklevel,
               callback_error=False):
        """The FitResult at the last point computed, with the rows kept; the buffer's end.

        ``callback_error``: for the exception the callback raised, so no
        warning (a ConvergenceWarning at max_iter) is raised along with it.
        """
        descent, status, stopped_by = self.descent, self.status, self.stopped_by
        if status == _kernels.STATUS_RUNNING and not descent.last_recorded:
            # stopped between recorded rows: the history ends, as always, with
            # the point the result reports, the last one whose cost was computed
            self.buffer.append(*(a[0] for a in descent.last_row(self.iteration - 1)))
        if status != _kernels.STATUS_RUNNING and stopped_by == _watch.STOPPED_BY_CALLBACK:
            stopped_by = None  # the descent had ended by itself anyway
        if callback_error and status == _kernels.STATUS_RUNNING:
            stopped_by = _watch.STOPPED_BY_CALLBACK
        history = _history(descent, *self.buffer.finish())
        if self.watch is not None and self.watch.interrupted and stopped_by is None:
            stopped_by = _watch.STOPPED_BY_INTERRUPT   # also a Ctrl-C after the last slice
        gradient_norm = float(descent.gradient_norm)
        # worked out on first access; holds small values only, never the data
        n_iter = int(history.iteration[-1]) if len(history) else 0
        diagnosis = functools.partial(diagnose, limits, learning_rate, status, n_iter,
                                      max_iter, tol, gradient_norm, descent.n_params, n_points,
                                      stopped_by)
        return _translate_status(status, history, gradient_norm, learning_rate, max_iter,
                                 None if callback_error else tol, descent.init, diagnosis,
                                 stopped_by, stacklevel + 1)


def _history(descent, rows, row_iteration):
    """``descent.history(rows, row_iteration)``, holding ``row_iteration`` itself.

    The descents' ``history`` copies the iterations (``astype``): for a long
    history that copy would be the one moment it is held twice.  The
    History takes the buffer's own array instead (already int64 where
    np.intp is).
    """
    history = descent.history(rows, row_iteration[:0])
    return dataclasses.replace(history, iteration=row_iteration.astype(np.int64, copy=False))


def _attach_result(err, make_result):
    """Attach the partial result to the callback's exception: a note and ``gdfast_result``.

    Should building it fail, the callback's exception still goes on unchanged.
    """
    try:
        result = make_result()
    except Exception:
        return
    if hasattr(err, "add_note"):   # Python >= 3.11
        err.add_note(f"gdfast: the fit stopped at iteration {result.n_iter}; its partial "
                     f"result (the rows recorded so far) is this exception's .gdfast_result")
    try:
        err.gdfast_result = result
    except (AttributeError, TypeError):   # an exception class that takes no attributes
        pass


def _translate_status(status, history, gradient_norm, learning_rate, max_iter, tol, init,
                      diagnosis, stopped_by=None, stacklevel=4):
    """Turn the kernel's status into a FitResult, a warning or an error."""
    one_feature = history.coef.shape[1] == 1
    if len(history) == 0:
        # not even the starting point has a finite cost
        start = tuple(float(v) for v in init)
        result = FitResult(intercept=start[0], slope=start[1] if one_feature else None,
                           n_iter=0, converged=False, cost=float("inf"),
                           gradient_norm=float("inf"), history=history,
                           coef=np.array(start[1:]), learning_rate=learning_rate,
                           _diagnose=diagnosis)
        raise DivergenceError(
            f"the cost is not finite at the starting point init={start}: the squared "
            f"residuals overflow float64; rescale x and y (or the starting point)",
            result)

    coef = history.coef[-1].copy()
    result = FitResult(
        intercept=float(history.intercept[-1]),
        slope=float(coef[0]) if one_feature else None,
        n_iter=int(history.iteration[-1]),
        converged=status == _kernels.STATUS_CONVERGED,
        cost=float(history.cost[-1]),
        gradient_norm=gradient_norm,
        history=history,
        stopped_by=stopped_by,
        coef=coef,
        learning_rate=learning_rate,
        _diagnose=diagnosis,
    )
    if status == _kernels.STATUS_DIVERGED:
        start, last = float(history.cost[0]), result.cost
        if len(history) > 1 and last > start:
            what = (f"the cost rose from {start:.6g} at the start to {last:.6g} at iteration "
                    f"{result.n_iter} (the last point kept)")
        else:
            what = (f"the cost or the parameters stopped being finite numbers (last finite "
                    f"cost {last:.6g} at iteration {result.n_iter})")
        # the diagnosis's advice, word for word (the same rate as the warning's)
        raise DivergenceError(
            f"gradient descent diverged at iteration {result.n_iter + 1} with learning_rate="
            f"{learning_rate:g}: {what}. {diagnosis(headline=False)} The partial result is in "
            f"this error's .result", result)
    if status == _kernels.STATUS_MAX_ITER and tol is not None:
        # the diagnosis says how many iterations are needed and what would help
        warnings.warn(f"gradient descent {result.diagnosis}", ConvergenceWarning,
                      stacklevel=stacklevel)
    return result
