"""The moments of the columns of x: what the feature map and the curvature are made of.

Every pass that makes them is compiled (``gdfast._engine``): the column
moments (means and variances, O(N d)) by ``column_moments``, the full
covariance (O(N d**2)) by the statistics pass.  Both accumulate in float64
even for float32 data and sum about a data row, so the centred moments of a
column like years near 1950 keep their digits.
"""
from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Means and population (co)variances of the columns of x (N, d), maybe weighted."""

    n: float                # N, or the sum of the weights
    mean: np.ndarray        # (d,)
    variance: np.ndarray    # (d,), the diagonal of the covariance
    covariance: np.ndarray = None   # (d, d), (x - mean).T @ (x - mean) / N, when computed
    # extent(j, centred): max - min (centred) or max |x| of column j over the
    # points of weight > 0, from the data; None when there is none (statistics).
    # standardize=True asks it only of a column it cannot scale, to say why.
    extent: object = field(default=None, repr=False, compare=False)

    def mean_square(self):
        """The uncentred second moments of the columns, x**2 averaged (inf where they overflow)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.variance + self.mean * self.mean

    def second(self):
        """The uncentred second moments x.T @ x / N (inf where they overflow)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.covariance + np.outer(self.mean, self.mean)

    def with_covariance(self):
        """These moments of one column, with its 1 x 1 covariance."""
        return replace(self, covariance=self.variance.reshape(1, 1).copy())


def column_extent(x, sample_weight, j, centred):
    """max - min (``centred``) or max |x| of column j of x over its points of weight > 0."""
    column = x[:, j] if sample_weight is None else x[sample_weight > 0, j]
    if column.size == 0:
        return 0.0
    return float(np.ptp(column) if centred else np.max(np.abs(column)))
