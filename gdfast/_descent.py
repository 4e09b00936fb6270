"""The two descents fit() runs, behind one interface for its slice loop.

``LineDescent`` is the foundation's y = b0 + b1*x on 1-D x
(``gdfast._kernels.run_descent``, in the SIMD build ``gdfast._backend``
picks, on ``n_threads`` threads); ``StatsLineDescent`` the same descent
from the centred statistics (method="stats": one pass, then O(1) per
iteration).  ``FeatureDescent`` is
y = b0 + x @ b on (N, d) x, with or without intercept, optionally on
standardized columns or with sample weights
(``gdfast._multi_kernels.run_descent``).  Each holds its kernel's state,
runs one slice of iterations into a history buffer, and turns the buffer's
rows into the History the user sees.
"""
import functools
import math
import warnings

import numpy as np

from . import _multi_kernels
from ._backend import kernels as _kernels
from ._learning_rate import LearningRateLimits, hessian, limits_from_moments
from ._moments import moments
from ._result import History
from ._standardize import feature_map, to_descent_units, to_original_units
from ._validate import check_init, check_params


class _StateSlots:
    """Reading a kernel's state array, whose layout each descent names.

    After a RUNNING slice the "previous point" slots hold the last point
    whose cost was computed: the point a stopped descent reports.
    """

    _GRAD_NORM = _LAST_COST = _LAST_RECORDED = None   # slot indices
    _LAST_POINT = slice(0)                            # its parameters

    @property
    def gradient_norm(self):
        return self.state[self._GRAD_NORM]

    @property
    def last_cost(self):
        return self.state[self._LAST_COST]

    @property
    def last_recorded(self):
        return self.state[self._LAST_RECORDED] != 0.0

    def last_row(self, iteration):
        """(rows, row_iteration) of the last point whose cost was computed, as history rows
        in the units of x."""
        rows = np.append(self.state[self._LAST_POINT], self.last_cost)[None, :]
        self.to_reported_units(rows)
        return rows, np.array([iteration], dtype=np.intp)

    def to_reported_units(self, rows):
        """Convert rows the kernel wrote to the units the history reports, in place.

        Called once on every row, as soon as it is written: the callback, the
        progress bar and the final History all read that one conversion.
        """


class LineDescent(_StateSlots):
    """One feature, with intercept, not standardized: the foundation's kernel."""

    _GRAD_NORM = _kernels.STATE_GRAD_NORM
    _LAST_COST = _kernels.STATE_PREV_COST
    _LAST_RECORDED = _kernels.STATE_PREV_RECORDED
    _LAST_POINT = _kernels.STATE_PREV_POINT

    def __init__(self, x, y, init, n_threads=1):
        self.x, self.y = x, y
        self.n_threads = n_threads
        b0, b1 = (0.0, 0.0) if init is None else check_init(init)
        self.init = (b0, b1)
        self.n_columns = 3  # b0, b1, cost
        self.n_params = 2
        # the kernel's state slots: start at init, no previous point yet
        self.state = np.array([b0, b1, np.inf, 0.0, 0.0, 0.0, 1.0])
        self._moments = self._x_moments()

    def _x_moments(self):
        """(mean x, mean x**2), for H = [[1, mean x], [mean x, mean x**2]]."""
        # with y = x and b = (0, 0), r = -x and the kernel's one pass gives
        # (-sum x, -sum x**2, sum x**2)
        neg_sum_x, neg_sum_xx, _ = _kernels.residual_sums(self.x, self.x, 0.0, 0.0)
        n = self.x.shape[0]
        return (-neg_sum_x / n, -neg_sum_xx / n)

    def max_stable(self, cost):
        """2 / lambda_max, in closed form: a plain fit pays a few float operations for it."""
        mean, second = self._moments
        big = 0.5 * (1.0 + second) + math.hypot(0.5 * (1.0 - second), mean)
        if not math.isfinite(big):  # the squares of x overflow: nothing to say
            return math.nan
        return (1.0 if cost == "mse" else 2.0) / big

    def limits_thunk(self, cost):
        """A callable returning the LearningRateLimits of the cost (built when called)."""
        return functools.partial(_line_limits, *self._moments, cost)

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        return _kernels.run_descent(
            self.x, self.y, self.state, iteration, stop_at, learning_rate, grad_factor,
            cost_factor, max_iter, tol, record_every, rows, row_iteration, self.n_threads)

    def history(self, rows, row_iteration):
        return History(iteration=row_iteration.astype(np.int64),
                       intercept=rows[:, 0], slope=rows[:, 1], cost=rows[:, 2])


class StatsLineDescent(LineDescent):
    """LineDescent from the centred statistics: one pass over x and y, then O(1) iterations."""

    def _x_moments(self):
        # the one pass: N, means, centred Gram matrix; the moments follow
        self.stats = np.empty(_kernels.STATS_SIZE)
        _kernels.centred_stats(self.x, self.y, self.stats, self.n_threads)
        n, mean_x, sxx = self.stats[0], self.stats[1], self.stats[3]
        with np.errstate(over="ignore"):   # x near the float64 limit: inf, then NaN limits
            return (mean_x, sxx / n + mean_x * mean_x)

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        return _kernels.run_descent_stats(
            self.stats, self.state, iteration, stop_at, learning_rate, grad_factor,
            cost_factor, max_iter, tol, record_every, rows, row_iteration)


def _line_limits(mean, second, cost):
    """The LearningRateLimits of H = [[1, mean x], [mean x, mean x**2]] (times 2 for mse)."""
    h = np.array([[1.0, mean], [mean, second]])
    with np.errstate(over="ignore"):  # doubled past the float64 limit: inf, then NaN limits
        return LearningRateLimits.from_hessian(2.0 * h if cost == "mse" else h, True)


class FeatureDescent(_StateSlots):
    """y = b0 + x @ b for x of shape (N, d) (or 1-D x with non-default options)."""

    _GRAD_NORM = _multi_kernels.STATE_GRAD_NORM
    _LAST_COST = _multi_kernels.STATE_PREV_COST
    _LAST_RECORDED = _multi_kernels.STATE_PREV_RECORDED
    # the current point's p = d + 1 parameters, then the previous point's
    _PARAMS = _multi_kernels.STATE_PARAMS

    def __init__(self, x, y, init, fit_intercept, standardize, sample_weight=None,
                 weight_sum=None, stacklevel=3):
        self.x = x if x.ndim == 2 else x[:, None]   # a view, never a copy
        self.y = y
        self.sample_weight, self.weight_sum = sample_weight, weight_sum
        n, d = self.x.shape
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.init = check_params(init, d, fit_intercept)
        self.n_columns = d + 2  # b0, b1..bd, cost
        self.n_params = d + fit_intercept
        if self.n_params > n and x.ndim == 2:
            warnings.warn(
                f"x has {d} features for {n} points: with {self.n_params} parameters "
                f"and only {n} points the least-squares solution is not unique; gradient "
                f"descent converges to the one nearest init", UserWarning,
                stacklevel=stacklevel)
        self.work = np.empty(_multi_kernels.work_size(d))
        self.state = np.zeros(_multi_kernels.state_size(d))
        self._limits = {}

    def limits(self, cost):
        """The LearningRateLimits of the cost; the first call makes the one pass over x
        (and raises on a column standardize=True cannot scale)."""
        if cost not in self._limits:
            limits, self.center, self.inv_scale = limits_from_moments(
                self.moments(), self.fit_intercept, self.standardize, cost)
            self._limits[cost] = limits
            self._start_state()
        return self._limits[cost]

    @property
    def _LAST_POINT(self):
        p = (self.state.shape[0] - self._PARAMS) // 2
        return slice(self._PARAMS + p, self._PARAMS + 2 * p)

    def _start_state(self):
        """The kernel's state before the first iteration: no previous point yet
        (gradient norm inf, cost 0, already recorded), the current point at init
        in the descent's units (``limits`` has set the feature map)."""
        start = to_descent_units(self.init, self.center, self.inv_scale)
        self.state[[self._GRAD_NORM, self._LAST_COST, self._LAST_RECORDED]] = (np.inf, 0.0, 1.0)
        self.state[self._PARAMS:self._PARAMS + start.shape[0]] = start

    def moments(self):
        """The Moments of x (means, covariance): one pass over it."""
        return moments(self.x, self.sample_weight, self.weight_sum)

    def max_stable(self, cost):
        return self.limits(cost).max_stable

    def limits_thunk(self, cost):
        """A callable returning the LearningRateLimits of the cost (holds no data)."""
        return functools.partial(_identity, self.limits(cost))

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        return _multi_kernels.run_descent(
            self.x, self.y, self.center, self.inv_scale, self.fit_intercept, self.state,
            iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration, self.work, self.sample_weight)

    def to_reported_units(self, rows):
        """(beta0, beta, cost) rows -> (b0, b, cost) in the units of x, in place (see
        _StateSlots.to_reported_units)."""
        rows[:, 0], rows[:, 1:-1] = to_original_units(rows[:, :-1], self.center, self.inv_scale)

    def history(self, rows, row_iteration):
        """The History of rows already in the units of x (``to_reported_units``)."""
        coef = rows[:, 1:-1]
        return History(iteration=row_iteration.astype(np.int64), intercept=rows[:, 0],
                       slope=coef[:, 0] if coef.shape[1] == 1 else None,
                       cost=rows[:, -1], coef=coef)


def _identity(value):
    return value


class StatsFeatureDescent(FeatureDescent):
    """FeatureDescent from a ``gdfast._statistics.Statistics``: O(d**2) per iteration.

    Holds no data: the gradient and cost come from the centred Gram form
    (``_multi_kernels.run_descent_stats``), in the same units, state layout,
    history and statuses as FeatureDescent.
    """

    def __init__(self, stats, init, fit_intercept, standardize, warn_underdetermined=True,
                 stacklevel=3):
        d = stats.mean_x.shape[0]
        self.stats = stats
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.init = check_params(init, d, fit_intercept)
        self.n_columns = d + 2  # b0, b1..bd, cost
        self.n_params = d + fit_intercept
        if self.n_params > stats.n and warn_underdetermined:
            warnings.warn(
                f"x has {d} features for {stats.n} points: with {self.n_params} parameters "
                f"and only {stats.n} points the least-squares solution is not unique; gradient "
                f"descent converges to the one nearest init", UserWarning, stacklevel=stacklevel)
        self.work = np.empty(d + 1)
        self.state = np.zeros(_multi_kernels.state_size(d))
        self._limits = {}

    def limits(self, cost):
        """The LearningRateLimits of the cost, from the statistics (raises on a column
        standardize=True cannot scale); also sets the statistics of z the kernel uses."""
        if cost not in self._limits:
            st = self.stats
            m = st.moments()
            self.center, self.inv_scale = feature_map(m, self.fit_intercept, self.standardize)
            h = hessian(m, self.center, self.inv_scale, self.fit_intercept, cost)
            self._limits[cost] = LearningRateLimits.from_hessian(h, self.fit_intercept)
            # the statistics of z = (x - center) * inv_scale: centring is
            # unchanged by the shift, scaling multiplies by inv_scale
            inv = self.inv_scale
            # sums near the float64 limit may overflow here: the kernel then finds the
            # starting cost not finite (DivergenceError), with no NumPy warning
            with np.errstate(over="ignore", invalid="ignore"):
                self.mean_z = (st.mean_x - self.center) * inv
                self.gram_zz = np.ascontiguousarray(st.gram_xx * np.outer(inv, inv))
                self.cross_zy = st.cross_xy * inv
            self._start_state()
        return self._limits[cost]

    def run(self, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            record_every, rows, row_iteration):
        st = self.stats
        return _multi_kernels.run_descent_stats(
            self.gram_zz, self.cross_zy, self.mean_z, st.sum_yy, st.weight_sum, st.mean_y,
            self.fit_intercept, self.state, iteration, stop_at, learning_rate, grad_factor,
            cost_factor, max_iter, tol, record_every, rows, row_iteration, self.work)
