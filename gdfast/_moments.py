"""One pass over the design for its column means and centred cross-products.

The learning-rate limits and ``standardize=True`` both need these; they come
from a single sweep of the Cython kernel (see ``shifted_gram``) rather than
NumPy's ``x.T @ x`` because the kernel (a) accumulates in float64 even for
float32 data, where BLAS would accumulate in float32 or need a float64 copy,
(b) sums about a data row, so the centred moments of a column like years
near 1950 keep their digits, and (c) gives the column sums in the same pass.
"""
import functools
from dataclasses import dataclass, field

import numpy as np

from . import _multi_kernels


@dataclass(frozen=True)
class Moments:
    """Means and population covariance of the columns of x (N, d), maybe weighted."""

    n: float                # N, or the sum of the weights
    mean: np.ndarray        # (d,)
    covariance: np.ndarray  # (d, d), (x - mean).T @ (x - mean) / N
    # extent(j, centred): max - min (centred) or max |x| of column j over the
    # points of weight > 0, from the data; None when there is none (statistics).
    # standardize=True asks it only of a column it cannot scale, to say why.
    extent: object = field(default=None, repr=False, compare=False)

    def second(self):
        """The uncentred second moments x.T @ x / N (inf where they overflow)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.covariance + np.outer(self.mean, self.mean)


def moments(x, sample_weight=None, weight_sum=None):
    """Moments of a validated 2-D float32/float64 array, in one pass over it.

    With ``sample_weight`` (validated, the dtype of x, summing to
    ``weight_sum``) the weighted means and covariance: each point counts
    w_i times, and ``n`` is the sum of the weights.
    """
    n, d = x.shape
    if sample_weight is not None:
        n = weight_sum
    shift, sums, cross = np.empty(d), np.empty(d), np.empty((d, d))
    _multi_kernels.shifted_gram(x, shift, sums, cross, sample_weight)
    cross = np.triu(cross) + np.triu(cross, 1).T
    mean_offset = sums / n
    # values near the float64 limit overflow here: the callers check finiteness
    with np.errstate(over="ignore", invalid="ignore"):
        covariance = cross / n - np.outer(mean_offset, mean_offset)
    # rounding may leave a tiny negative variance; a variance is >= 0
    np.fill_diagonal(covariance, np.maximum(np.diag(covariance), 0.0))
    return Moments(n, shift + mean_offset, covariance,
                   functools.partial(_column_extent, x, sample_weight))


def _column_extent(x, sample_weight, j, centred):
    """max - min (``centred``) or max |x| of column j of x over its points of weight > 0."""
    column = x[:, j] if sample_weight is None else x[sample_weight > 0, j]
    if column.size == 0:
        return 0.0
    return float(np.ptp(column) if centred else np.max(np.abs(column)))
