"""The curvature of the cost: the feature map a descent runs on, and its learning-rate limits.

A descent needs the column moments of x at once (the feature map of
``standardize=True``, and a bound on the largest curvature), but the
eigenvalues of the Hessian only for ``learning_rate="auto"``, for the
warning of a rate that may be too high, and for the diagnosis.  So
:class:`Curvature` works them out on first request, the cheapest way that is
exact:

- from the (d+1) x (d+1) Hessian (its Gram pass costs O(N d**2), then
  O(d**3)) when d is small,
- from the N x N matrix A A.T, whose non-zero eigenvalues are the Hessian's,
  when N is smaller than d (O(N**2 d)),
- else estimated by Lanczos from a few dozen products with the Hessian (each
  a pass over the data, like an iteration), and said to be estimated.

A fixed learning rate below 2 / trace(H), a bound on 2 / lambda_max that
the column moments give for free, needs no eigenvalues at all.
"""
import math

import numpy as np

from ._learning_rate import LearningRateLimits, hessian
from ._standardize import feature_map
from ._sums import DataSums
from ._validate import check_cost, check_design, check_flag, check_l2, check_sample_weight

# Exact eigenvalues when the smaller side of the data (N, or the p = d + 1
# parameters) is at most this: the Gram pass then costs no more than the
# Lanczos estimate's passes would.
EXACT_SIDE = 256
# ... or when the exact way costs at most this many multiply-adds.
EXACT_WORK = 1e9
# Exact eigenvalues from statistics (whose moments are at hand) up to this many
# parameters: O(p**3) for the eigenvalues.
STATISTICS_SIDE = 2048
# Products with the Hessian for the Lanczos estimate.
LANCZOS_STEPS = 40


class Curvature:
    """The feature map of a source of sums and, on request, its LearningRateLimits.

    Parameters
    ----------
    source : a source of sums (gdfast._sums): ``column_moments``, ``moments``,
        ``hessian_product``, ``n_points``, ``n_features`` and, for data,
        ``dual_gram``.
    fit_intercept, standardize : bool
        As for :func:`gdfast.fit`.  ``standardize=True`` raises ValueError
        here, naming a column it cannot scale.
    l2 : float >= 0
        The L2 penalty (``fit``'s ``l2``): it adds to the curvature of every
        coefficient, never the intercept's.
    """

    def __init__(self, source, fit_intercept, standardize, l2=0.0):
        self.source = source
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.l2 = l2
        self._columns = source.column_moments()
        self.center, self.inv_scale = feature_map(self._columns, fit_intercept, standardize)
        self._limits = {}

    def penalty(self, cost):
        """The L2 penalty of each parameter (b0, b1..bd) in the descent's units, or None.

        The penalty 0.5 * l2 * ||b||**2 (twice that with the MSE, which is
        twice the one-half MSE) is on the coefficients in the units of x,
        b_j = beta_j * inv_scale_j: in the descent's units it is 0.5 *
        sum(P_j * beta_j**2) with P_j = l2 * inv_scale_j**2 (P_0 = 0).
        """
        if self.l2 == 0.0:
            return None
        factor = 2.0 if cost == "mse" else 1.0
        with np.errstate(over="ignore"):
            return np.concatenate([[0.0], factor * self.l2 * self.inv_scale ** 2])

    @property
    def n_params(self):
        return self.source.n_features + self.fit_intercept

    def trace(self, cost):
        """trace(H) = sum of the curvatures >= lambda_max (inf where x's squares overflow)."""
        m = self._columns
        with np.errstate(over="ignore", invalid="ignore"):
            offset = m.mean - self.center
            mean_square_z = (m.variance + offset * offset) * (self.inv_scale * self.inv_scale)
            total = float(self.fit_intercept + np.sum(mean_square_z))
        if not math.isfinite(total):
            return math.inf
        total = 2.0 * total if cost == "mse" else total
        penalty = self.penalty(cost)
        return total if penalty is None else total + float(np.sum(penalty))

    def surely_stable(self, learning_rate, cost):
        """True if ``learning_rate`` is below 2 / trace(H) <= 2 / lambda_max (no eigenvalue
        needed to know the descent is stable); False means "perhaps not"."""
        return learning_rate * self.trace(cost) < 2.0 * (1.0 - 1e-9)

    def limits(self, cost):
        """The LearningRateLimits of the cost (worked out once per cost)."""
        if cost not in self._limits:
            self._limits[cost] = self._work_out(cost)
        return self._limits[cost]

    def _work_out(self, cost):
        n, p = self.source.n_points, self.n_params
        factor = 2.0 if cost == "mse" else 1.0
        if not isinstance(self.source, DataSums):
            # statistics: the moments are at hand, only the eigenvalues cost
            if p <= STATISTICS_SIDE:
                return self._from_moments(cost)
        elif p <= n or (self.l2 > 0 and p <= EXACT_SIDE):
            # (a penalty shifts the Hessian's diagonal, not A A.T's eigenvalues)
            if p <= EXACT_SIDE or n * p * p <= EXACT_WORK:
                return self._from_moments(cost)
        elif self.l2 == 0 and (n <= EXACT_SIDE or n * n * p <= EXACT_WORK):
            gram = self.source.dual_gram(self.center, self.inv_scale, self.fit_intercept)
            if not np.all(np.isfinite(gram)):
                return LearningRateLimits.unknown(p)
            # the Hessian's eigenvalues: the N of A A.T, and p - N zeros
            ev = np.concatenate([np.zeros(p - n), np.linalg.eigvalsh(gram)])
            return LearningRateLimits.from_spectrum(factor * np.sort(np.maximum(ev, 0.0)))
        return self._estimate(factor)

    def _from_moments(self, cost):
        """The limits of the whole Hessian, from the full moments of x."""
        m = self._columns
        if m.covariance is None:   # one column: its variance is all there is to it
            m = m.with_covariance() if self.source.n_features == 1 else self.source.moments()
        h = hessian(m, self.center, self.inv_scale, self.fit_intercept, cost)
        penalty = self.penalty(cost)
        if penalty is not None:
            h[np.diag_indices_from(h)] += penalty if self.fit_intercept else penalty[1:]
        return LearningRateLimits.from_hessian(h, self.fit_intercept)

    def _estimate(self, factor):
        """LearningRateLimits from Lanczos on products with the Hessian, estimated."""
        d = self.source.n_features
        first = 0 if self.fit_intercept else 1   # without intercept b0 is no parameter
        penalty = self.penalty("mse" if factor == 2.0 else "half_mse")
        penalty = np.zeros(d + 1) if penalty is None else penalty / factor

        def product(v):
            full = np.zeros(d + 1)
            full[first:] = v
            return (self.source.hessian_product(full, self.center, self.inv_scale,
                                                self.fit_intercept) + penalty * full)[first:]

        ritz, bound = lanczos(product, d + 1 - first, LANCZOS_STEPS)
        if not (np.all(np.isfinite(ritz)) and math.isfinite(bound)):
            return LearningRateLimits.unknown(d + 1 - first)
        ev = np.sort(np.maximum(ritz, 0.0))
        ev[-1] = max(ev[-1], bound)
        return LearningRateLimits.from_spectrum(factor * ev, estimated=True)


def lanczos(product, size, steps, seed=0):
    """(Ritz values, an upper bound on the largest eigenvalue) of the symmetric operator
    ``product`` (v -> H @ v) of this size, after ``steps`` Lanczos steps.

    Full reorthogonalization (the few vectors are small); the bound is the
    largest Ritz value plus the norm of its residual, |beta_k * s_k|, which
    for a symmetric H is an eigenvalue's distance to it.  The smallest Ritz
    value is above the smallest eigenvalue (it converges more slowly).
    """
    steps = min(steps, size)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(size)
    v /= np.linalg.norm(v)
    basis = np.empty((steps, size))
    alpha, beta = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            basis[k] = v
            w = product(v)
            alpha.append(float(w @ v))
            w = w - basis[:k + 1].T @ (basis[:k + 1] @ w)
            w = w - basis[:k + 1].T @ (basis[:k + 1] @ w)   # twice is enough
            b = float(np.linalg.norm(w))
            beta.append(b)
            if not b > 1e-14 * max(abs(a) for a in alpha) or not math.isfinite(b):
                break   # an invariant subspace: these Ritz values are eigenvalues
            v = w / b
        t = np.diag(alpha) + np.diag(beta[:-1], 1) + np.diag(beta[:-1], -1)
        if not np.all(np.isfinite(t)):
            return np.full(len(alpha), math.nan), math.nan
        theta, s = np.linalg.eigh(t)
    return theta, float(theta[-1] + abs(beta[-1] * s[-1, -1]))


def learning_rate_limits(x, *, cost="half_mse", fit_intercept=True, standardize=False,
                         sample_weight=None, l2=0.0):
    """The learning rates batch gradient descent can use on this data.

    Computed from the eigenvalues of the cost's Hessian H = (1/N) A.T @ A with
    A = [1, x] (without the column of ones when ``fit_intercept=False``,
    on the standardized columns when ``standardize=True``, times 2 for
    ``cost="mse"``; with weights H = A.T @ diag(w) @ A / sum(w)).  The
    Hessian does not depend on ``y``.  It comes from one pass over ``x``
    for its column moments and one for its cross-products (O(N d**2), or
    O(N**2 d) from the N x N side when N < d), or, when both N and d are
    large, from a few dozen products with the Hessian (Lanczos): the limits
    are then ``estimated`` (see :class:`LearningRateLimits`).

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        The features, as for :func:`gdfast.fit`.
    cost, fit_intercept, standardize, sample_weight, l2
        As for :func:`gdfast.fit` (``l2`` adds to the curvature of each
        coefficient).

    Returns
    -------
    LearningRateLimits
        ``max_stable`` (2/lambda_max), ``max_no_bounce`` (1/lambda_max),
        ``optimal`` (2/(lambda_min + lambda_max)), ``condition_number``,
        ``eigenvalues``, and ``iterations(learning_rate, reduction)``.

    Examples
    --------
    >>> import gdfast
    >>> lim = gdfast.learning_rate_limits([0.0, 1.0, 2.0, 3.0])
    >>> round(lim.max_stable, 4), round(lim.optimal, 4), round(lim.condition_number, 2)
    (0.4759, 0.4444, 14.13)
    >>> lim.iterations(reduction=1e-6)
    98
    """
    x = check_design(x)
    sample_weight, weight_sum = check_sample_weight(sample_weight, x.shape[0], x.dtype)
    cost = check_cost(cost)
    fit_intercept = check_flag(fit_intercept, "fit_intercept")
    standardize = check_flag(standardize, "standardize")
    l2 = check_l2(l2)
    source = DataSums(x, np.empty(0, x.dtype), sample_weight,
                      x.shape[0] if sample_weight is None else weight_sum)
    return Curvature(source, fit_intercept, standardize, l2).limits(cost)
