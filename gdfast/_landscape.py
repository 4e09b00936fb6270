"""The cost as a function of the parameters, for pictures: no matplotlib here.

A parameter vector is ``p = (b0, b1, ..., bd)`` (see _parameters).
"""
import numpy as np

from ._statistics import Statistics
from ._validate import check_cost

# how much of J a cost kind is: J = factor * MSE
COST_FACTORS = {"half_mse": 0.5, "mse": 1.0}


class CostSurface:
    """J(p) for the linear model on data (x, y), at any array of parameter vectors.

    J is quadratic in p, so it is written once around its minimum p*:
    J(p* + D) = J* + (D0 + m.Db)**2 + sum_k mu_k (w_k . Db)**2 (times 1/2
    for the one-half MSE), with m the column means of x and (mu_k, w_k) the
    eigenpairs of the centred covariance of x.  Every term is >= 0, so no
    value is a difference of large numbers: a grid far from the minimum (a
    diverged path) is as accurate as one near it, and a value beyond float64
    is ``inf``, never NaN.  The data is read once (one compiled pass,
    :meth:`gdfast.Statistics.from_arrays`); a grid of m points then costs
    O(m d**2), whatever N.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    kind : {"half_mse", "mse"}, default "half_mse"

    Attributes
    ----------
    minimum : ndarray, shape (1 + d,)
        The least-squares parameters p* (the shortest one when several
        minimise J, e.g. with a constant column).
    n_parameters : int
        1 + d.
    factor : float
        J = factor * MSE: 0.5 for ``"half_mse"``, 1 for ``"mse"``.
    """

    def __init__(self, x, y, kind="half_mse"):
        self.factor = COST_FACTORS[check_cost(kind, "kind")]
        stats = Statistics.from_arrays(x, y)
        self.n_parameters = stats.n_features + 1
        with np.errstate(over="ignore", invalid="ignore"):
            covariance = stats.gram_xx / stats.weight_sum
            cross = stats.cross_xy / stats.weight_sum
        if not (np.all(np.isfinite(covariance)) and np.all(np.isfinite(cross))
                and np.isfinite(stats.sum_yy)):
            raise ValueError("x, y: the cost cannot be drawn in float64: the squares of x or y "
                             "overflow; rescale x and y")
        slopes, *_ = np.linalg.lstsq(covariance, cross, rcond=None)
        self.minimum = np.concatenate([[stats.mean_y - stats.mean_x @ slopes], slopes])
        # the noise floor sum r*^2 / N, from the centred sums (>= 0 up to rounding)
        self._floor = max(stats.sum_yy / stats.weight_sum - cross @ slopes, 0.0)
        self._mean_x = stats.mean_x
        mu, w = np.linalg.eigh(covariance)
        keep = mu > 0.0   # a zero (or rounded negative) curvature adds nothing
        self._curvatures, self._directions = mu[keep], w[:, keep]

    def _check(self, points):
        points = np.asarray(points, dtype=np.float64)
        if points.shape[-1:] != (self.n_parameters,):
            raise ValueError(f"the parameters have {points.shape[-1:] or 'no'} values each, but "
                             f"the data has {self.n_parameters - 1} feature(s): expected "
                             f"{self.n_parameters}")
        return points

    def __call__(self, points):
        """J at ``points``, an array of shape (..., 1 + d); returns shape (...)."""
        return self.factor * self._floor + self.rise(points)

    def rise(self, points):
        """J - J* at ``points``: how far above the minimum each lies, >= 0, shape (...)."""
        points = self._check(points)
        with np.errstate(over="ignore", invalid="ignore"):
            delta = points - self.minimum
            level = delta[..., 0] + delta[..., 1:] @ self._mean_x
            across = (delta[..., 1:] @ self._directions) ** 2 @ self._curvatures
            rise = level ** 2 + across
        # NaN only where terms of opposite sign overflowed: J is beyond float64 there
        return self.factor * np.where(np.isnan(rise), np.inf, rise)

    def hessian(self):
        """The matrix H of J(p* + D) = J* + factor * D.H.D, shape (1 + d, 1 + d)."""
        level = np.concatenate([[1.0], self._mean_x])
        spread = np.zeros((self.n_parameters, self.n_parameters))
        spread[1:, 1:] = (self._directions * self._curvatures) @ self._directions.T
        return np.outer(level, level) + spread

    def minimum_over(self, point, free):
        """The minimiser of J over the parameters ``free``, the others held at ``point``."""
        point = self._check(point)
        free = list(free)
        held = [k for k in range(self.n_parameters) if k not in free]
        h = self.hessian()
        delta = point - self.minimum
        with np.errstate(over="ignore", invalid="ignore"):
            pull = h[np.ix_(free, held)] @ delta[held]
        best = point.copy()
        if not np.all(np.isfinite(pull)):   # held values beyond float64's reach of the valley
            return best
        step, *_ = np.linalg.lstsq(h[np.ix_(free, free)], -pull, rcond=None)
        best[free] = self.minimum[free] + step
        return best
