"""One batch gradient descent over a source of sums, and the loop that runs it in slices.

:class:`Descent` holds what a descent is, whatever makes its sums (the
data, their statistics, a Dask cluster: ``gdfast._sums``): the start, the
feature map and the curvature (``gdfast._curvature``), the state the
compiled step carries from one call to the next (step.pxd's layout: one for
any number of features), and the conversion of the rows it records to the
units of x.  :func:`descend` runs it in slices of iterations, between which
it looks after Ctrl-C, the progress bar and the callback, records the
history (``gdfast._history_buffer``), and turns the step's status into a
:class:`FitResult`, a warning or an exception.  ``fit``, ``fit_statistics``,
``fit_stream`` and ``gdfast.dask.fit`` all end here.
"""
import dataclasses
import functools
import time
import warnings

import numpy as np

from . import _history_buffer, _watch
from ._cost import cost_factors
from ._curvature import Curvature
from ._diagnosis import diagnose, unstable_rate_warning
from ._engine import kernels as engine
from ._exceptions import (ConvergenceWarning, DivergenceError, DivergenceWarning,
                          FitInterrupted, HistoryMemoryError)
from ._learning_rate import stable_factor
from ._result import FitResult, History
from ._standardize import to_descent_units, to_original_units

# The kernel runs in slices.  A slice ends when the history buffer is full
# (gdfast._history_buffer: it then grows in place, by at most a sixteenth
# once large, or is thinned with record_every="auto"), so the memory held is
# proportional to the rows kept, never to max_iter.  A slice also ends after
# about POINTS_PER_SLICE point-visits, and after about _SLICE_SECONDS (as
# measured on the slices before it: on small data an iteration costs far
# more than its N point-visits), so control comes back to Python regularly
# (progress, Ctrl-C) at a negligible cost per iteration.  The first slice,
# not yet measured, makes at most a 64th of the point-visits unless that is
# under _FIRST_SLICE_ITERATIONS iterations.
_FIRST_SLICE_ROWS = 256
POINTS_PER_SLICE = 1 << 24
_SLICE_SECONDS = 0.02
_FIRST_SLICE_ITERATIONS = 4096
_MAX_ITERATION = np.iinfo(np.intp).max
# At a learning rate at or above the stability limit 2/lambda_max, a cost
# above twice the start's plus this is divergence (the step's cost limit).
# Below the limit the cost of a batch descent never rises, so the test is
# not made there (inf): rounding near an exact fit's minimum cannot trip it.
_RISE_FLOOR = 0.0


class Descent:
    """Batch gradient descent on y = b0 + x @ b, from a source of the pass's sums.

    Parameters
    ----------
    source : DataSums, StatisticsSums or ClusterSums (gdfast._sums, gdfast.dask._cluster_sums)
    init : ndarray (d + 1,)
        The checked start (b0, b1..bd) in the units of x (b0 = 0 without intercept).
    fit_intercept, standardize : bool
    warn_underdetermined : bool
        Warn (UserWarning) when there are more parameters than points.
    iteration_points : int
        About how many point-visits one iteration costs (the slices' length).
    stacklevel : int
        Of that warning, counted from here.
    l2 : float >= 0
        The L2 penalty (``fit``'s ``l2``, already checked).
    """

    def __init__(self, source, init, fit_intercept, standardize, warn_underdetermined=True,
                 iteration_points=None, stacklevel=3, l2=0.0):
        d = source.n_features
        self.source = source
        self.fit_intercept = fit_intercept
        self.init = init
        self.n_columns = d + 2   # b0, b1..bd, cost
        self.n_params = d + fit_intercept
        self.n_points = source.n_points
        self.iteration_points = (source.n_points if iteration_points is None
                                 else iteration_points)
        if self.n_params > self.n_points and warn_underdetermined:
            warnings.warn(
                f"x has {d} features for {self.n_points} points: with "
                f"{self.n_params} parameters and only {_plural(self.n_points, 'point')} the "
                f"least-squares solution is not unique; gradient descent converges to the one "
                f"nearest init", UserWarning, stacklevel=stacklevel)
        # raises on a column standardize=True cannot scale
        self.curvature = Curvature(source, fit_intercept, standardize, l2)
        # the step's update (descend sets them): momentum, Nesterov, the L2 penalty
        self.momentum, self.nesterov, self.penalty = 0.0, False, None
        # the step's state: the start in the descent's units, no previous point
        # yet (cost 0, already recorded), no cost limit until iteration 0 sets it
        p = d + 1
        self.state = np.zeros(engine.state_size(p))
        self.state[engine.STATE_GRAD_NORM] = np.inf
        self.state[engine.STATE_PREV_RECORDED] = 1.0
        self.state[engine.STATE_COST_LIMIT] = np.inf
        start = engine.STATE_VECTORS
        self.state[start:start + p] = to_descent_units(init, self.curvature.center,
                                                       self.curvature.inv_scale)
        self.rise_floor = np.inf

    # -- what the slice loop reads ---------------------------------------
    @property
    def gradient_norm(self):
        """The gradient norm at the last point whose cost was computed."""
        return self.state[engine.STATE_GRAD_NORM]

    @property
    def last_cost(self):
        return self.state[engine.STATE_PREV_COST]

    @property
    def last_recorded(self):
        return self.state[engine.STATE_PREV_RECORDED] != 0.0

    def last_row(self, iteration):
        """(rows, row_iteration) of the last point whose cost was computed (the one before
        the current), as history rows in the units of x."""
        p = self.n_columns - 1
        start = engine.STATE_VECTORS + p
        rows = np.append(self.state[start:start + p], self.last_cost)[None, :]
        self.to_reported_units(rows)
        return rows, np.array([iteration], dtype=np.intp)

    def to_reported_units(self, rows):
        """(beta0, beta, cost) rows -> (b0, b, cost) in the units of x, in place.

        Called once on every row, as soon as it is written: the callback, the
        progress bar and the final History all read that one conversion.
        Rows of the identity map are left as they are (bit for bit).
        """
        c = self.curvature
        if self.curvature.standardize:
            rows[:, 0], rows[:, 1:-1] = to_original_units(rows[:, :-1], c.center, c.inv_scale)

    def history(self, rows, row_iteration):
        """The History of rows already in the units of x (``to_reported_units``)."""
        coef = rows[:, 1:-1]
        return History(iteration=row_iteration.astype(np.int64, copy=False),
                       intercept=rows[:, 0], slope=coef[:, 0] if coef.shape[1] == 1 else None,
                       cost=rows[:, -1], coef=coef)

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        """Iterations from ``iteration`` until the descent stops, the rows are full or
        ``stop_at``: (status, iteration, rows written)."""
        c = self.curvature
        return self.source.run(self.state, c.center, c.inv_scale, self.fit_intercept,
                               iteration, stop_at, learning_rate, grad_factor, cost_factor,
                               max_iter, tol, self.rise_floor, record_every, rows,
                               row_iteration, self.momentum, self.nesterov, self.penalty)

    def lazy_limits(self, cost):
        """A callable returning the LearningRateLimits of the cost: the limits themselves
        once worked out (they hold no data), else the curvature's method, which keeps the
        source (and its data) until it is called."""
        if cost in self.curvature._limits:
            return functools.partial(_identity, self.curvature._limits[cost])
        return functools.partial(self.curvature.limits, cost)


def _identity(value):
    return value


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def descend(descent, options, weight_sum, stacklevel=3):
    """Run a descent in slices with the checked ``options`` (a DescentOptions); return its
    FitResult or raise.

    ``weight_sum``: sum(sample_weight), or N without weights.  ``stacklevel``
    points the warnings at the user's call (fit -> descend: 3).
    """
    learning_rate, max_iter, tol, kernel_tol = (options.learning_rate, options.max_iter,
                                                options.tol, options.kernel_tol)
    cost, record_every, progress, callback = (options.cost, options.record_every,
                                              options.progress, options.callback)
    momentum, nesterov = options.momentum, options.nesterov
    curvature = descent.curvature
    limits = descent.lazy_limits(cost)   # the eigenvalues, worked out only when needed
    descent.penalty = curvature.penalty(cost)
    if momentum == "auto" or (learning_rate == "auto" and momentum):
        limits = curvature.limits(cost)
        learning_rate, momentum = limits.with_momentum(learning_rate, momentum, nesterov)
        if not momentum >= 0:
            raise ValueError("momentum='auto' cannot be worked out: the squares of x "
                             "overflow float64; rescale x")
    momentum = 0.0 if momentum is None else momentum
    # the stability limit with momentum is this many times 2/lambda_max
    factor = stable_factor(momentum, nesterov)
    descent.momentum, descent.nesterov = momentum, nesterov
    if learning_rate == "auto":
        limits = curvature.limits(cost)
        learning_rate = limits.optimal
    if not learning_rate > 0:
        raise ValueError("learning_rate='auto' cannot be worked out: the squares of x "
                         "overflow float64; rescale x")
    if not curvature.surely_stable(learning_rate / factor, cost):
        limits = curvature.limits(cost)
        if learning_rate >= limits.max_stable * factor:
            warnings.warn(unstable_rate_warning(learning_rate, limits, momentum, nesterov),
                          DivergenceWarning, stacklevel=stacklevel)
            # at this rate the cost may rise for good (below the limit a plain
            # descent's cost never rises, and with momentum it rises only to
            # fall back): a cost above twice its start ends the descent as diverged
            descent.rise_floor = _RISE_FLOOR
    n_points, points_per_iteration = descent.n_points, descent.iteration_points

    # with weights the mean over the points is a weighted mean: 1/sum(w), not 1/N
    cost_factor, grad_factor = cost_factors(cost, weight_sum)
    buffer = _history_buffer.HistoryBuffer(descent.n_columns, record_every, max_iter,
                                           _FIRST_SLICE_ROWS)
    most_per_slice = max(1, POINTS_PER_SLICE // points_per_iteration)
    iterations_per_slice = min(most_per_slice, max(_FIRST_SLICE_ITERATIONS,
                                                   most_per_slice // 64))
    # Ctrl-C, the bar and the callback are looked at between slices.  A fit
    # that surely ends within its first slice skips that set-up: installing
    # a signal handler costs more than such a fit.
    watch = None
    one_slice = max_iter < iterations_per_slice and buffer.max_rows <= buffer.capacity
    if progress or callback is not None or not one_slice:
        watch = _watch.SliceWatch(progress, callback, max_iter)
    run = _Run(descent, buffer, watch, cost)
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
                if watch is not None and run.status != engine.STATUS_DIVERGED:
                    # a finished descent's last row is its final point
                    last_cost = (descent.last_cost if run.status == engine.STATUS_RUNNING
                                 else buffer.rows[buffer.filled - 1, -1])
                    run.stopped_by = watch.after_slice(
                        run.iteration, last_cost,
                        descent.history(buffer.rows[new], buffer.iterations[new]))
                if run.status != engine.STATUS_RUNNING or run.stopped_by is not None:
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

    def __init__(self, descent, buffer, watch, cost_kind):
        self.descent, self.buffer, self.watch = descent, buffer, watch
        self.cost_kind = cost_kind
        self.status = engine.STATUS_RUNNING
        self.iteration = 0
        self.stopped_by = None

    def result(self, learning_rate, max_iter, tol, limits, n_points, stacklevel,
               callback_error=False):
        """The FitResult at the last point computed, with the rows kept; the buffer's end.

        ``callback_error``: for the exception the callback raised, so no
        warning (a ConvergenceWarning at max_iter) is raised along with it.
        """
        descent, status, stopped_by = self.descent, self.status, self.stopped_by
        if status == engine.STATUS_RUNNING and not descent.last_recorded:
            # stopped between recorded rows: the history ends, as always, with
            # the point the result reports, the last one whose cost was computed
            self.buffer.append(*(a[0] for a in descent.last_row(self.iteration - 1)))
        if status != engine.STATUS_RUNNING and stopped_by == _watch.STOPPED_BY_CALLBACK:
            stopped_by = None  # the descent had ended by itself anyway
        if callback_error and status == engine.STATUS_RUNNING:
            stopped_by = _watch.STOPPED_BY_CALLBACK
        history = _history(descent, *self.buffer.finish())
        if self.watch is not None and self.watch.interrupted and stopped_by is None:
            stopped_by = _watch.STOPPED_BY_INTERRUPT   # also a Ctrl-C after the last slice
        gradient_norm = float(descent.gradient_norm)
        # worked out on first access; holds small values only, never the data
        n_iter = int(history.iteration[-1]) if len(history) else 0
        diagnosis = functools.partial(diagnose, limits, learning_rate, status, n_iter,
                                      max_iter, tol, gradient_norm, descent.n_params, n_points,
                                      stopped_by, momentum=descent.momentum,
                                      nesterov=descent.nesterov)
        return _translate_status(status, history, gradient_norm, learning_rate, max_iter,
                                 None if callback_error else tol, descent.init, diagnosis,
                                 stopped_by, stacklevel + 1, descent.momentum,
                                 self.cost_kind)


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
                      diagnosis, stopped_by=None, stacklevel=4, momentum=0.0,
                      cost_kind="half_mse"):
    """Turn the kernel's status into a FitResult, a warning or an error."""
    one_feature = history.coef.shape[1] == 1
    if len(history) == 0:
        # not even the starting point has a finite cost
        start = tuple(float(v) for v in init)
        result = FitResult(intercept=start[0], slope=start[1] if one_feature else None,
                           n_iter=0, converged=False, cost=float("inf"),
                           gradient_norm=float("inf"), history=history,
                           coef=np.array(start[1:]), learning_rate=learning_rate,
                           momentum=momentum, cost_kind=cost_kind,
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
        converged=status == engine.STATUS_CONVERGED,
        cost=float(history.cost[-1]),
        gradient_norm=gradient_norm,
        history=history,
        stopped_by=stopped_by,
        coef=coef,
        learning_rate=learning_rate,
        momentum=momentum,
        cost_kind=cost_kind,
        _diagnose=diagnosis,
    )
    if status == engine.STATUS_DIVERGED:
        start, last = float(history.cost[0]), result.cost
        if len(history) > 1 and last > start:
            # stopped at the first point whose cost is above twice the start's
            where = result.n_iter
            what = (f"the cost rose from {start:.6g} at the start to {last:.6g} at iteration "
                    f"{result.n_iter} (the last point kept)")
        else:
            # stopped at the next iteration, whose cost or parameters are not finite
            where = result.n_iter + 1
            what = (f"the cost or the parameters stopped being finite numbers (last finite "
                    f"cost {last:.6g} at iteration {result.n_iter})")
        # the diagnosis's advice, word for word (the same rate as the warning's)
        raise DivergenceError(
            f"gradient descent diverged at iteration {where} with learning_rate="
            f"{learning_rate:g}: {what}. {diagnosis(headline=False)} The partial result is in "
            f"this error's .result", result)
    if status == engine.STATUS_MAX_ITER and tol is not None:
        # the diagnosis says how many iterations are needed and what would help
        warnings.warn(f"gradient descent {result.diagnosis}", ConvergenceWarning,
                      stacklevel=stacklevel)
    return result
