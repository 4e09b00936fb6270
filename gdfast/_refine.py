"""precision="compensated": iterative refinement with double-double residuals.

A descent in float64 stops at a rounding floor: the parameters it stores
(in the units of z, the standardized columns) and the gradient G @ b - c it
computes each round to about 1e-16 of their own size, and an
ill-conditioned cost amplifies that by its condition number.  Refinement
takes the point it stops at, b, as a first answer and corrects it:

1. r = y - b0 - x @ b for each point, in double-double
   (``gdfast._engine.compensated``), b being carried as a pair hi + lo;
2. the right-hand side of the correction, the statistics of r against x
   (its mean and c' = sum w (x - mean x)(r - mean r)), in double-double:
   near the minimum c' is a small difference of large terms; from
   statistics instead of data, the same numbers are c - G @ b and
   mean y - b0 - mean x @ b, from double-double statistics;
3. a descent on the correction delta from 0, with the same curvature G, so
   the same learning rate and momentum (``gdfast._statistics``'s descent
   from these statistics of r);
4. b += delta, in double-double.

Each round shrinks the error by the accuracy of the inner descent (about
kappa * 1e-16 relative); two or three rounds reach the digits the data
allow.  ``fit``, ``fit_statistics`` and ``fit_stream`` call :func:`refine`
after their descent when ``precision="compensated"``.
"""
import contextlib
import dataclasses
import math
import warnings

import numpy as np

from ._cost import cost_factors
from ._curvature import Curvature
from ._engine import compensated
from ._exceptions import ConvergenceWarning
from ._result import History
from ._standardize import feature_map
from ._statistics import Statistics, descend_from_statistics
from ._sums import StatisticsSums
from ._validate import plural

PRECISIONS = ("float64", "compensated")
# at most this many rounds of refinement.  They stop sooner, once a round's
# correction is below sqrt(eps) of each parameter: the next round's would be
# about kappa * eps times smaller again, below float64's resolution of the
# parameters for a condition number kappa up to about 1e8
MAX_ROUNDS = 4
_ENOUGH = np.sqrt(np.finfo(np.float64).eps)
# each round's descent aims to shrink the correction's error this much: a
# little beyond what float64 allows it (about kappa * eps)
ROUND_REDUCTION = 1e-13


def check_precision(precision):
    """Return ``precision`` if it is one of PRECISIONS, else raise naming the argument."""
    if not isinstance(precision, str):
        raise TypeError(f"precision must be one of {PRECISIONS}, got {precision!r} of type "
                        f"{type(precision).__name__}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS} ('compensated': refine "
                         f"the descent's result with double-double residuals), got "
                         f"{precision!r}")
    return precision


@contextlib.contextmanager
def first_descent(precision):
    """Around the descent a compensated fit refines: its ConvergenceWarning is left to
    :func:`refine`, whose result may converge where the descent alone did not."""
    if precision != "compensated":
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@dataclasses.dataclass(frozen=True)
class CompensatedStatistics:
    """Weighted means and centred Gram matrix of (x, y) as double-double pairs.

    ``mean_hi/lo`` (d + 1,) and ``gram_hi/lo`` (d + 1, d + 1): the columns of
    x, then y.  ``data``: (x, y, w) as float64 arrays, when the statistics
    come from data (then the residuals are computed point by point), else
    None (then from the statistics: c - G @ b).
    """

    n: int
    weight_sum: float
    mean_hi: np.ndarray
    mean_lo: np.ndarray
    gram_hi: np.ndarray
    gram_lo: np.ndarray
    data: tuple = None

    @classmethod
    def of_data(cls, x, y, sample_weight, keep_data=True):
        """One double-double pass over validated data (float32 is read as float64, a copy).

        ``keep_data``: residuals point by point (``fit(method="batch")``); else
        from these statistics alone (``method="stats"``: c - G @ b).
        """
        x = np.asarray(x, dtype=np.float64)
        x = x if x.ndim == 2 else x[:, None]
        y = np.asarray(y, dtype=np.float64)
        w = (np.empty(0) if sample_weight is None
             else np.ascontiguousarray(sample_weight, dtype=np.float64))
        v = np.column_stack([x, y])
        k = v.shape[1]
        mean_hi, mean_lo = np.empty(k), np.empty(k)
        gram_hi, gram_lo = np.empty((k, k)), np.empty((k, k))
        weight_sum = compensated.statistics(v, w, mean_hi, mean_lo, gram_hi, gram_lo,
                                            np.empty(k), np.empty(k))
        return cls(x.shape[0], weight_sum, mean_hi, mean_lo, gram_hi, gram_lo,
                   (x, np.ascontiguousarray(y), w) if keep_data else None)

    @classmethod
    def of_statistics(cls, stats):
        """From a :class:`gdfast.Statistics`: its float64 fields taken as exact."""
        d = stats.mean_x.shape[0]
        gram = np.empty((d + 1, d + 1))
        gram[:d, :d], gram[:d, d], gram[d, :d] = stats.gram_xx, stats.cross_xy, stats.cross_xy
        gram[d, d] = stats.sum_yy
        mean = np.append(stats.mean_x, stats.mean_y)
        return cls(stats.n, stats.weight_sum, mean, np.zeros(d + 1), gram,
                   np.zeros((d + 1, d + 1)))

    @property
    def n_features(self):
        return self.mean_hi.shape[0] - 1

    def float64(self):
        """The rounded statistics (a gdfast Statistics, unchecked)."""
        d = self.n_features
        return Statistics._unchecked(
            n=self.n, weight_sum=self.weight_sum, mean_x=self.mean_hi[:d].copy(),
            mean_y=float(self.mean_hi[d]), gram_xx=self.gram_hi[:d, :d].copy(),
            cross_xy=self.gram_hi[:d, d].copy(), sum_yy=float(self.gram_hi[d, d]))

    def residual_statistics(self, b_hi, b_lo):
        """(mean (hi, lo), cross (hi, lo) of shape (d,), sum of w (r - mean)**2) of
        r = y - b0 - x @ b, b = b_hi + b_lo of shape (d + 1,), all in double-double."""
        d = self.n_features
        if self.data is not None:
            x, y, w = self.data
            r_hi, r_lo = np.empty(x.shape[0]), np.empty(x.shape[0])
            compensated.residuals(x, y, b_hi, b_lo, r_hi, r_lo)
            out_hi, out_lo = np.empty(d + 2), np.empty(d + 2)
            compensated.centred_cross(x, r_hi, r_lo, w, self.mean_hi[:d].copy(), out_hi,
                                      out_lo)
            return ((out_hi[0], out_lo[0]), (out_hi[1:d + 1], out_lo[1:d + 1]),
                    out_hi[d + 1] + out_lo[d + 1])
        # from the statistics: mean r = mean y - b0 - mean x @ b, cross = c - G @ b,
        # sum w (r - mean r)**2 = syy - b @ c - b @ (c - G @ b)
        g_hi = np.ascontiguousarray(self.gram_hi[:d, :d])
        g_lo = np.ascontiguousarray(self.gram_lo[:d, :d])
        c_hi = np.ascontiguousarray(self.gram_hi[:d, d])
        c_lo = np.ascontiguousarray(self.gram_lo[:d, d])
        cross_hi, cross_lo = np.empty(d), np.empty(d)
        compensated.gram_residual(g_hi, g_lo, c_hi, c_lo, b_hi[1:], b_lo[1:], cross_hi,
                                  cross_lo)
        mean_part = compensated.dot(self.mean_hi[:d].copy(), self.mean_lo[:d].copy(),
                                    b_hi[1:], b_lo[1:])
        b_c = compensated.dot(b_hi[1:], b_lo[1:], c_hi, c_lo)
        b_e = compensated.dot(b_hi[1:], b_lo[1:], cross_hi, cross_lo)
        # a few pairs each: fsum adds them exactly, rounding once
        mean = math.fsum([self.mean_hi[d], self.mean_lo[d], -b_hi[0], -b_lo[0],
                          -mean_part[0], -mean_part[1]])
        spread = math.fsum([self.gram_hi[d, d], self.gram_lo[d, d], -b_c[0], -b_c[1],
                            -b_e[0], -b_e[1]])
        return (mean, 0.0), (cross_hi, cross_lo), max(spread, 0.0)


def refine(result, source, options, descend_from, stacklevel):
    """The FitResult ``result`` refined on ``source`` (a CompensatedStatistics).

    ``options``: the fit's checked options (a ``gdfast._validate.DescentOptions``);
    ``descend_from(stats, options, stacklevel)`` runs a descent from float64 statistics.  A result the callback stopped is
    returned as it is.  The refined result reports the refined parameters,
    the cost and gradient norm there (computed from the double-double
    residuals), the iterations of every descent, and ends its history with
    one row per round.  A ConvergenceWarning (at ``stacklevel``) when its
    gradient norm is still above ``tol``.
    """
    if result.stopped_by is not None or options.max_iter == 0:
        return result
    fit_intercept = options.fit_intercept
    d = source.n_features
    b_hi = np.concatenate([[result.intercept], result.coef]).astype(np.float64)
    b_lo = np.zeros(d + 1)
    gram = source.float64()
    l2 = options.l2
    inner = dataclasses.replace(options, tol=None, kernel_tol=-1.0, record_every=0,
                                progress=False, callback=None,
                                max_iter=_round_iterations(gram, options, result))
    n_iter, rows = result.n_iter, []
    residual = source.residual_statistics(b_hi, b_lo)
    for _ in range(MAX_ROUNDS):
        mean, cross, _ = residual
        if l2:
            # the penalty is on b + delta: its gradient l2 * (b + delta) moves
            # l2 * W * b to the right-hand side
            cross = (cross[0].copy(), cross[1].copy())
            compensated.add(cross[0], cross[1], -(l2 * source.weight_sum) * b_hi[1:])
        correction = dataclasses.replace(
            gram, mean_y=float(mean[0] + mean[1]),
            cross_xy=cross[0] + cross[1], sum_yy=0.0)
        step = descend_from(correction, inner, stacklevel + 1)
        delta = np.concatenate([[step.intercept if fit_intercept else 0.0], step.coef])
        compensated.add(b_hi, b_lo, delta)
        n_iter += step.n_iter
        residual = source.residual_statistics(b_hi, b_lo)   # also the next round's
        cost, gradient_norm = _cost_and_gradient(source, residual, b_hi, options)
        rows.append((n_iter, b_hi.copy(), cost))
        if np.all(np.abs(delta) <= _ENOUGH * np.abs(b_hi)):
            break
    history = _extended(result.history, rows)
    tol = options.tol
    refined = dataclasses.replace(
        result, intercept=float(b_hi[0]),
        slope=float(b_hi[1]) if result.slope is not None else None,
        coef=b_hi[1:].copy(), n_iter=n_iter, cost=cost, gradient_norm=gradient_norm,
        converged=tol is not None and gradient_norm <= tol, history=history,
        _diagnose=_refined_diagnosis(result, len(rows), n_iter, gradient_norm, tol))
    if tol is not None and not refined.converged:
        warnings.warn(f"gradient descent with precision='compensated': the gradient norm "
                      f"{gradient_norm:.3g} is still above tol={tol:g} after {len(rows)} "
                      f"rounds of refinement; the first descent: {result.diagnosis}",
                      ConvergenceWarning, stacklevel=stacklevel)
    return refined


def _refined_diagnosis(first, rounds, n_iter, gradient_norm, tol):
    """The refined result's diagnosis: how the refinement ended, then the first descent's."""
    def diagnose():
        if tol is None:
            ended = f"refined (tol=None): the gradient norm is {gradient_norm:.3g}"
        elif gradient_norm <= tol:
            ended = f"converged: the gradient norm {gradient_norm:.3g} is <= tol={tol:g}"
        else:
            ended = (f"not converged: the gradient norm {gradient_norm:.3g} is still above "
                     f"tol={tol:g}")
        return (f"{ended} after {plural(rounds, 'round')} of refinement with double-double "
                f"residuals ({plural(n_iter, 'iteration')} in all; each round runs at most "
                f"as many as the first descent). The first descent "
                f"({plural(first.n_iter, 'iteration')}): {first.diagnosis}")
    return diagnose


def _round_iterations(stats, options, result):
    """The iterations of one round: what the rate of the result's descent needs to shrink
    the error ROUND_REDUCTION-fold, at most as many as that descent made (at least 1)."""
    limits = Curvature(StatisticsSums(stats), options.fit_intercept, options.standardize,
                       options.l2).limits(options.cost)
    rho = limits.momentum_rate(result.learning_rate, result.momentum, options.nesterov)
    most = max(result.n_iter, 1)
    if not 0 < rho < 1:   # one step reaches the minimum, or no rate known
        return most if not rho == 0 else 1
    return max(1, min(most, math.ceil(math.log(ROUND_REDUCTION) / math.log(rho))))


def _cost_and_gradient(source, residual, b_hi, options):
    """The cost at b and the norm of its gradient in the descent's units (as ``tol``
    reads it), from the statistics of its double-double residuals (``residual``)."""
    mean, cross, spread = residual
    w = source.weight_sum
    mean_r = mean[0] + mean[1]
    cost_factor, grad_factor = cost_factors(options.cost, w)
    b = b_hi[1:]
    penalty_factor, l2 = (2.0 if options.cost == "mse" else 1.0), options.l2
    cost = cost_factor * (spread + w * mean_r * mean_r) + 0.5 * penalty_factor * l2 * (b @ b)
    stats = source.float64()
    center, inv_scale = feature_map(stats.moments(), options.fit_intercept,
                                    options.standardize)
    # sum w r z_j, z_j = (x_j - center_j) * inv_scale_j, from the centred sums
    sums = inv_scale * (cross[0] + cross[1] + (stats.mean_x - center) * w * mean_r)
    gradient = grad_factor * sums - penalty_factor * l2 * inv_scale * b
    if options.fit_intercept:
        gradient = np.append(grad_factor * w * mean_r, gradient)
    return float(cost), float(np.linalg.norm(gradient))


def _extended(history, rows):
    """The history with one row per round of refinement appended (iteration, b, cost)."""
    iteration = np.concatenate([history.iteration, [r[0] for r in rows]]).astype(np.int64)
    params = np.array([r[1] for r in rows])
    intercept = np.concatenate([history.intercept, params[:, 0]])
    coef = np.concatenate([history.coef, params[:, 1:]])
    cost = np.concatenate([history.cost, [r[2] for r in rows]])
    return History(iteration=iteration, intercept=intercept,
                   slope=coef[:, 0] if history.slope is not None else None, cost=cost,
                   coef=coef)


def refined(result, stats, options, precision, stacklevel):
    """The result, refined from the statistics when ``precision="compensated"``."""
    if precision != "compensated":
        return result
    return refine(result, CompensatedStatistics.of_statistics(stats), options,
                  _inner_descent, stacklevel)


def refine_on_data(result, x, y, sample_weight, options, method, stacklevel=4):
    """``fit(..., precision="compensated")``: the result refined with double-double
    residuals of the validated data, point by point with ``method="batch"``, from their
    double-double statistics with ``"stats"`` (``options``: fit's checked DescentOptions;
    ``stacklevel`` of refine's warning: refine <- here <- fit <- the user)."""
    options = dataclasses.replace(options, record_every=0, progress=False, callback=None)
    source = CompensatedStatistics.of_data(x, y, sample_weight,
                                           keep_data=method == "batch")
    return refine(result, source, options, _inner_descent, stacklevel)


def _inner_descent(stats, options, stacklevel):
    """A descent of refinement from statistics, from 0."""
    return descend_from_statistics(stats, None, options, stacklevel + 1)
