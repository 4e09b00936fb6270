"""The learning rate, read from the data: the curvature of the cost.

For the one-half MSE the cost is a quadratic whose Hessian is
H = (1/N) A.T @ A, A = [1, z] (no column of ones without intercept; twice
that for the MSE), constant over the parameters.  Batch gradient descent
shrinks the error along each eigenvector of H by |1 - learning_rate * lambda|
per iteration, so it

- converges exactly when 0 < learning_rate < 2 / lambda_max,
- overshoots the valley floor (bounces) above 1 / lambda_max,
- is fastest at 2 / (lambda_min + lambda_max), where the error shrinks by
  rho = (kappa - 1) / (kappa + 1) per iteration, kappa = lambda_max / lambda_min.

Directions of zero curvature (a singular H: more parameters than points,
duplicate columns) are never moved by the descent and do not count.

With momentum beta (the heavy ball, v = beta v - alpha g, b += v) the error
along an eigenvector follows z**2 - (1 + beta - alpha lambda) z + beta = 0,
stable for alpha < 2 (1 + beta) / lambda_max; Nesterov's look-ahead gives
z**2 - (1 + beta)(1 - alpha lambda) z + beta (1 - alpha lambda) = 0, stable
for alpha < 2 (1 + beta) / ((1 + 2 beta) lambda_max).  Their parameters set
from the curvature (Polyak 1964; Lessard, Recht and Packard 2016) shrink the
error by about 1 - 2/sqrt(kappa) per iteration instead of 1 - 2/kappa: about
sqrt(kappa)/2 iterations per factor e instead of kappa/2.
"""
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ._validate import check_learning_rate, check_real

# An eigenvalue below this fraction of the largest (times the size of H) is
# zero to float64 precision.
_EPS = np.finfo(np.float64).eps


def _difference(a, b):
    """a - b, or 0 where it is within a few roundings of a and b (np arrays or floats)."""
    diff = a - b
    return np.where(np.abs(diff) <= 16 * _EPS * np.maximum(np.abs(a), np.abs(b)), 0.0, diff)


def stable_factor(momentum=0.0, nesterov=False):
    """The stability limit with momentum beta over the plain one (2 / lambda_max):
    1 + beta for the heavy ball, (1 + beta) / (1 + 2 beta) for Nesterov."""
    return (1.0 + momentum) / (1.0 + 2.0 * momentum) if nesterov else 1.0 + momentum


def hessian(moments, center, inv_scale, fit_intercept, cost):
    """H of the cost in the descent's parameters (beta0, beta) for z = (x - center) * inv_scale."""
    offset = moments.mean - center
    mean_z = offset * inv_scale
    with np.errstate(over="ignore", invalid="ignore"):  # x near the float64 limit
        second_z = (moments.covariance + np.outer(offset, offset)) * np.outer(inv_scale,
                                                                             inv_scale)
    if fit_intercept:
        d = mean_z.shape[0]
        h = np.empty((d + 1, d + 1))
        h[0, 0] = 1.0
        h[0, 1:] = h[1:, 0] = mean_z
        h[1:, 1:] = second_z
    else:
        h = second_z
    with np.errstate(over="ignore"):  # doubled past the float64 limit: inf, then NaN limits
        return 2.0 * h if cost == "mse" else h


def _eigenvalues(h):
    """np.linalg.eigvalsh(h), in closed form for 2x2 (the one-feature fit's overhead)."""
    if h.shape == (2, 2):
        a, b, c = float(h[0, 0]), float(h[0, 1]), float(h[1, 1])
        mid, radius = 0.5 * (a + c), math.hypot(0.5 * (a - c), b)
        big = mid + radius
        # a*c - b*b = small * big; dividing avoids mid - radius's cancellation
        small = (a * c - b * b) / big if big > 0 else 0.0
        if not math.isfinite(small):   # a*c or b*b beyond float64: divide first
            small = (a / big) * c - (b / big) * b
        return np.array([max(small, 0.0), big])
    return np.linalg.eigvalsh(h)


@dataclass(frozen=True)
class LearningRateLimits:
    """What the data allow for the learning rate of batch gradient descent.

    Attributes
    ----------
    eigenvalues : ndarray
        The eigenvalues of the cost's Hessian, ascending (its curvatures).
    max_stable : float
        2 / lambda_max: the descent diverges at this learning rate or above.
    max_no_bounce : float
        1 / lambda_max: above it the parameters overshoot the valley floor
        on every step along the steepest direction (they bounce).
    optimal : float
        2 / (lambda_min + lambda_max), the learning rate of fastest
        convergence (lambda_min: the smallest non-zero curvature);
        ``learning_rate="auto"`` uses it.
    condition_number : float
        lambda_max / lambda_min; ``inf`` when the Hessian is singular to
        float64 precision.
    standardized : LearningRateLimits or None
        The limits the same data would have with ``standardize=True`` (each
        column centred and scaled to unit variance; without intercept scaled
        to unit root-mean-square), so their ``condition_number`` and
        ``iterations`` tell what standardizing would gain.  None when it
        cannot be told (a constant column, limits built from a bare
        Hessian, or estimated ones).  Worked out on first access.
    estimated : bool
        False when the eigenvalues are those of the Hessian (to rounding).
        True when the Hessian is too large to take apart (many points and
        many features): then ``eigenvalues`` are Lanczos estimates from a
        few dozen products with the Hessian, the largest raised to a bound
        on lambda_max, so ``max_stable`` and ``optimal`` stay below the true
        limits, and ``condition_number`` may be below the true one.

    All are NaN when the squares of x overflow float64 (and so are
    ``rate`` and ``iterations``: the curvature is unknown).
    """

    eigenvalues: np.ndarray
    max_stable: float
    max_no_bounce: float
    optimal: float
    condition_number: float
    # the Hessian and whether its first row is the intercept's, for `standardized`
    _hessian: np.ndarray = field(default=None, repr=False, compare=False)
    _fit_intercept: bool = field(default=None, repr=False, compare=False)
    estimated: bool = False

    @classmethod
    def from_hessian(cls, h, fit_intercept=None):
        """The limits of the Hessian ``h``; ``fit_intercept`` (whether its first row and
        column are the intercept's) lets ``standardized`` be worked out."""
        if not np.all(np.isfinite(h)):
            return cls.unknown(h.shape[0])
        return cls.from_spectrum(_eigenvalues(h), h, fit_intercept)

    @classmethod
    def unknown(cls, size):
        """The limits when the squares of x overflow float64: nothing can be said (all NaN)."""
        nan = math.nan
        return cls(np.full(size, nan), nan, nan, nan, nan)

    @classmethod
    def from_spectrum(cls, ev, h=None, fit_intercept=None, estimated=False):
        """The limits of a Hessian whose eigenvalues (ascending) are ``ev``."""
        big = float(ev[-1])
        if not big > 0:  # no curvature at all: any step is as good
            return cls(ev, math.inf, math.inf, 1.0, math.inf, estimated=estimated)
        # eps * n first: big near the float64 limit times n overflows
        zero = big * (len(ev) * _EPS)
        positive = ev[ev > zero]
        small = float(positive[0])
        singular = bool(ev[0] <= zero)
        total = small + big   # beyond float64 when both are near its limit
        optimal = 2.0 / total if math.isfinite(total) else 2.0 / big / (1.0 + small / big)
        return cls(ev, 2.0 / big, 1.0 / big, optimal,
                   math.inf if singular else big / small, h, fit_intercept, estimated)

    @cached_property
    def standardized(self):
        h = self._hessian
        if h is None or self._fit_intercept is None:
            return None
        with np.errstate(all="ignore"):   # checked finite (and > 0) below
            if self._fit_intercept:
                # H = c [[1, m], [m, S]]: the covariance is c (S - m m^T), the Schur
                # complement of the intercept's entry (its digits go when |m| >> sd)
                c = h[0, 0]
                cov = h[1:, 1:] - np.outer(h[0, 1:], h[0, 1:]) / c
            else:
                c, cov = 1.0, h   # kappa does not depend on the factor of the cost
            scale = np.sqrt(np.diag(cov))
            corr = cov / np.outer(scale, scale)
        if not (np.all(scale > 0) and np.all(np.isfinite(corr))):
            return None   # a constant column (standardize=True refuses it), or overflow
        np.fill_diagonal(corr, 1.0)
        if self._fit_intercept:
            d = corr.shape[0]
            standard = np.zeros((d + 1, d + 1))
            standard[0, 0] = 1.0
            standard[1:, 1:] = corr
            corr = standard
        return LearningRateLimits.from_hessian(c * corr)

    def _extremes(self):
        """(lambda_min, lambda_max) over the non-zero curvatures (NaN when unknown)."""
        ev = self.eigenvalues
        big = float(ev[-1])
        if not big > 0:
            return big, big
        return float(ev[ev > big * (len(ev) * _EPS)][0]), big

    def momentum_auto(self, nesterov=False):
        """(learning_rate, momentum) that converge fastest with momentum on this curvature.

        The heavy ball (Polyak): alpha = 4 / (sqrt(lambda_max) +
        sqrt(lambda_min))**2, beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2;
        the error then shrinks by (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per
        iteration.  Nesterov (Lessard, Recht and Packard): alpha = 4 /
        (3 lambda_max + lambda_min), beta = (sqrt(3 kappa + 1) - 2) /
        (sqrt(3 kappa + 1) + 2), shrinking it by 1 - 2 / sqrt(3 kappa + 1).
        kappa is lambda_max / lambda_min over the non-zero curvatures.  NaN
        when the curvature is unknown.
        """
        small, big = self._extremes()
        if not big > 0:   # no curvature (or unknown): no momentum
            return self.optimal, 0.0
        kappa = big / small
        if nesterov:
            root = math.sqrt(3.0 * kappa + 1.0)
            return 4.0 / (3.0 * big + small), (root - 2.0) / (root + 2.0)
        root = math.sqrt(kappa)
        return (4.0 / (math.sqrt(big) + math.sqrt(small)) ** 2,
                ((root - 1.0) / (root + 1.0)) ** 2)

    def momentum_rate(self, learning_rate="auto", momentum=0.0, nesterov=False):
        """The factor the error shrinks by per iteration with momentum (in the long run).

        The largest |z| over the non-zero curvatures lambda of the roots of
        z**2 - (1 + beta - alpha lambda) z + beta (heavy ball) or z**2 - (1 +
        beta)(1 - alpha lambda) z + beta (1 - alpha lambda) (Nesterov);
        >= 1 never converges.  ``learning_rate`` "auto" with ``momentum``
        "auto": the pair of :meth:`momentum_auto`; "auto" with a number:
        ``optimal`` times :func:`stable_factor` (inside the stable range).
        ``momentum`` 0 gives :meth:`rate`.
        """
        learning_rate, momentum = self.with_momentum(learning_rate, momentum, nesterov)
        ev = self.eigenvalues
        if np.isnan(ev[-1]) or math.isnan(learning_rate):
            return math.nan
        positive = ev[ev > ev[-1] * (len(ev) * _EPS)] if ev[-1] > 0 else ev[-1:]
        with np.errstate(over="ignore", invalid="ignore"):
            step = learning_rate * positive
            # the discriminant trace**2 - 4 det in factored form, each factor a difference
            # of small or exact terms: at the parameters of momentum_auto it is 0 at
            # lambda_min and lambda_max, where trace**2 - 4 det would cancel to noise of
            # sqrt(eps) in the roots (against 1 - rho ~ 1/sqrt(kappa))
            # (a double root moves by sqrt(delta) when the parameters move by delta, so
            # a factor within rounding of 0 is taken as 0: a double root, |z| = sqrt(det))
            if nesterov:
                c = _difference(1.0, step)
                trace, det = (1.0 + momentum) * c, momentum * c
                disc = c * _difference((1.0 - momentum) ** 2, (1.0 + momentum) ** 2 * step)
            else:
                root_b = math.sqrt(momentum)
                trace, det = 1.0 + momentum - step, np.full_like(step, momentum)
                disc = (_difference((1.0 - root_b) ** 2, step)
                        * _difference((1.0 + root_b) ** 2, step))
            # real roots: the larger |(trace +- sqrt(disc)) / 2|; complex: |z| = sqrt(det)
            modulus = np.where(disc > 0, 0.5 * (np.abs(trace) + np.sqrt(np.abs(disc))),
                               np.sqrt(np.abs(det)))
        return float(np.max(modulus))

    def with_momentum(self, learning_rate, momentum, nesterov=False):
        """(learning_rate, momentum) as numbers: "auto" resolved as fit resolves it."""
        if momentum is None:
            momentum = 0.0
        if momentum == "auto":
            rate, momentum = self.momentum_auto(nesterov)
            if learning_rate is None or learning_rate == "auto":
                learning_rate = rate
        if learning_rate is None or learning_rate == "auto":
            learning_rate = self.optimal * stable_factor(momentum, nesterov)
        return float(learning_rate), float(momentum)

    def _learning_rate(self, learning_rate):
        """``learning_rate`` checked, with None and "auto" meaning ``optimal`` (maybe NaN)."""
        learning_rate = "auto" if learning_rate is None else check_learning_rate(learning_rate)
        return self.optimal if learning_rate == "auto" else learning_rate

    def rate(self, learning_rate="auto"):
        """rho = max |1 - learning_rate * lambda| over the non-zero curvatures.

        The factor by which the distance to the minimum (and the gradient)
        shrinks per iteration in the slowest direction; >= 1 never converges.
        ``learning_rate``: a number > 0, or ``"auto"`` (``optimal``).  NaN
        when the limits are (the squares of x overflow float64).
        """
        return self._rate(self._learning_rate(learning_rate))

    def _rate(self, learning_rate):
        """rate() of a checked learning rate."""
        ev = self.eigenvalues
        if np.isnan(ev[-1]):
            return math.nan
        positive = ev[ev > ev[-1] * (len(ev) * _EPS)] if ev[-1] > 0 else ev[-1:]
        with np.errstate(over="ignore"):  # a learning rate near 1e300: rho is inf
            return float(np.max(np.abs(1.0 - learning_rate * positive)))

    def iterations(self, learning_rate=None, reduction=1e-6):
        """Iterations that shrink the error by the factor ``reduction`` (0 < reduction).

        ceil(log(reduction) / log(rho)); 0 when ``reduction`` >= 1, ``inf``
        when rho >= 1 (the learning rate is at or above ``max_stable``), NaN
        when the limits are (the curvature is unknown).  ``learning_rate``:
        a number > 0, or None or ``"auto"`` for ``optimal``.
        """
        learning_rate = self._learning_rate(learning_rate)
        reduction = check_real(reduction, "reduction", low=0.0, low_inclusive=False,
                               allow_inf=True)
        if reduction >= 1:
            return 0
        rho = self._rate(learning_rate)
        if math.isnan(rho):
            return math.nan
        if rho >= 1:
            return math.inf
        if rho == 0:
            return 1
        # log(rho) -> 0 as rho -> 1: the count is finite but may be huge
        return math.ceil(math.log(reduction) / math.log(rho))
