"""Where a descent's sums come from: the data, or their sufficient statistics.

Each iteration of batch gradient descent needs the same few sums at the
current parameters: sum w*r, sum w*r*z_j and sum w*r**2.  A *source* makes
them, and runs the compiled loop that turns them into steps
(``gdfast._engine``'s ``run_descent``, ``run_descent_stats``, or its
``advance`` one iteration at a time).  :class:`gdfast._descent.Descent`
holds the state and the history; a source holds the data.  Every source
also tells the curvature what it needs: the number of points and features,
the column moments (for the feature map of ``standardize=True`` and a bound
on the largest curvature), the full moments, and products with the Hessian.

- :class:`DataSums`: a pass over x and y per iteration, on ``n_threads``.
- :class:`StatisticsSums`: O(d**2) per iteration from
  :class:`gdfast.Statistics` (``method="stats"``, ``fit_stream``).
- ``gdfast.dask._cluster_sums.ClusterSums``: a distributed pass per iteration.
"""
from dataclasses import dataclass

import numpy as np

from ._engine import kernels as engine
from ._moments import Moments, column_extent


class DataSums:
    """The sums of a pass over the validated data, per iteration.

    Parameters
    ----------
    x : ndarray, (N,) or (N, d), float32 or float64, C or F order (not copied)
    y : ndarray, (N,), the dtype of x
    sample_weight : ndarray (N,) of the dtype of x, or None
    weight_sum : float
        sum(sample_weight), or N without weights.
    n_threads : int
        Threads for the passes (the results do not depend on it).
    """

    def __init__(self, x, y, sample_weight, weight_sum, n_threads=1):
        self.x = x if x.ndim == 2 else x[:, None]   # a view, never a copy
        self.y = y
        self.sample_weight = sample_weight
        self.weight_sum = weight_sum
        self.n_threads = n_threads
        self.n_points, self.n_features = self.x.shape

    def run(self, state, center, inv_scale, fit_intercept, iteration, stop_at, learning_rate,
            grad_factor, cost_factor, max_iter, tol, rise_floor, record_every, rows,
            row_iteration, momentum=0.0, nesterov=False, penalty=None):
        return engine.run_descent(
            self.x, self.y, self.sample_weight, center, inv_scale, fit_intercept, state,
            iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            rise_floor, record_every, rows, row_iteration, self.n_threads, momentum, nesterov,
            penalty)

    def column_moments(self):
        """The Moments of x without the covariance: means and variances, one O(N d) pass."""
        d = self.n_features
        shift, sums, squares = np.empty(d), np.empty(d), np.empty(d)
        engine.column_moments(self.x, self.sample_weight, shift, sums, squares, self.n_threads)
        n = self.weight_sum
        offset = sums / n
        # values near the float64 limit overflow here: the callers check finiteness
        with np.errstate(over="ignore", invalid="ignore"):
            variance = np.maximum(squares / n - offset * offset, 0.0)
            mean = shift + offset
        return Moments(n, mean, variance, None,
                       lambda j, centred: column_extent(self.x, self.sample_weight, j,
                                                        centred))

    def moments(self):
        """The full Moments of x (with the covariance): one O(N d**2) pass."""
        if self.n_features == 1:
            return self.column_moments().with_covariance()
        d = self.n_features
        mean, gram = np.empty(d), np.empty((d, d))
        weight_sum = engine.centred_statistics(self.x, None, mean, gram, self.sample_weight,
                                               self.n_threads)
        with np.errstate(over="ignore", invalid="ignore"):
            covariance = gram / weight_sum
        np.fill_diagonal(covariance, np.maximum(np.diag(covariance), 0.0))
        return Moments(weight_sum, mean, np.diag(covariance).copy(), covariance,
                       lambda j, centred: column_extent(self.x, self.sample_weight, j,
                                                        centred))

    def hessian_product(self, v, center, inv_scale, fit_intercept):
        """A.T @ diag(w) @ A @ v / sum(w), A = [1, z] (no column of ones without intercept)."""
        _, sums = engine.feature_sums(self.x, None, self.sample_weight, center, inv_scale,
                                      v, fit_intercept)
        return np.asarray(sums) / self.weight_sum

    def dual_gram(self, center, inv_scale, fit_intercept):
        """W^(1/2) A A.T W^(1/2) / sum(w), (N, N): the Hessian's non-zero eigenvalues when
        N is below the number of parameters.  Built from blocks of columns (bounded memory)."""
        x, n = self.x, self.n_points
        gram = np.full((n, n), 1.0 if fit_intercept else 0.0)
        step = max(1, (1 << 20) // max(n, 1))   # about 8 MiB of columns at a time
        with np.errstate(over="ignore", invalid="ignore"):
            for j in range(0, self.n_features, step):
                z = (x[:, j:j + step] - center[j:j + step]) * inv_scale[j:j + step]
                gram += z @ z.T
            if self.sample_weight is not None:
                root = np.sqrt(self.sample_weight.astype(np.float64))
                gram *= np.outer(root, root)
            return gram / self.weight_sum


@dataclass(frozen=True)
class StatisticsSums:
    """The sums at any parameters from the sufficient statistics: O(d**2) per iteration.

    ``stats`` has the fields of :class:`gdfast.Statistics` (weight_sum, n,
    mean_x, mean_y, gram_xx, cross_xy, sum_yy).  The statistics of
    z = (x - center) * inv_scale follow from them (``mapped``).
    """

    stats: object

    @property
    def n_points(self):
        return self.stats.n

    @property
    def n_features(self):
        return self.stats.mean_x.shape[0]

    @property
    def weight_sum(self):
        return self.stats.weight_sum

    def column_moments(self):
        return self.moments()

    def moments(self):
        return self.stats.moments()

    def hessian_product(self, v, center, inv_scale, fit_intercept):
        """The Hessian of the one-half MSE times v, from the statistics (O(d**2))."""
        st = self.stats
        mean_z = (st.mean_x - center) * inv_scale
        b0, b = (v[0] if fit_intercept else 0.0), v[1:]
        c = b0 + mean_z @ b
        out = np.empty_like(v)
        out[0] = c if fit_intercept else 0.0
        out[1:] = (inv_scale * (st.gram_xx @ (inv_scale * b))) / st.weight_sum + mean_z * c
        return out

    def run(self, state, center, inv_scale, fit_intercept, iteration, stop_at, learning_rate,
            grad_factor, cost_factor, max_iter, tol, rise_floor, record_every, rows,
            row_iteration, momentum=0.0, nesterov=False, penalty=None):
        st = self.stats
        gram_zz, cross_zy, mean_z = self.mapped(center, inv_scale)
        return engine.run_descent_stats(
            gram_zz, cross_zy, mean_z, st.sum_yy, st.weight_sum, st.mean_y, fit_intercept,
            state, iteration, stop_at, learning_rate, grad_factor, cost_factor, max_iter, tol,
            rise_floor, record_every, rows, row_iteration, momentum, nesterov, penalty)

    def mapped(self, center, inv_scale):
        """(gram_zz, cross_zy, mean_z): the statistics of z = (x - center) * inv_scale
        (centring is unchanged by the shift, scaling multiplies by inv_scale)."""
        st = self.stats
        # sums near the float64 limit may overflow here: the kernel then finds the
        # starting cost not finite (DivergenceError), with no NumPy warning
        with np.errstate(over="ignore", invalid="ignore"):
            return (np.ascontiguousarray(st.gram_xx * np.outer(inv_scale, inv_scale)),
                    st.cross_xy * inv_scale, (st.mean_x - center) * inv_scale)


@dataclass(frozen=True)
class LineStatistics:
    """The statistics of one feature from the one-feature pass (``centred_stats``), with
    the fields StatisticsSums reads."""

    n: int
    weight_sum: float
    mean_x: np.ndarray
    mean_y: float
    gram_xx: np.ndarray
    cross_xy: np.ndarray
    sum_yy: float

    @classmethod
    def of(cls, x, y, n_threads):
        """One pass over 1-D x and y (the tuned one-feature pass, on n_threads)."""
        out = np.empty(engine.STATS_SIZE)
        engine.centred_stats(x, y, out, n_threads)
        n, mean_x, mean_y, sxx, sxy, _, syy = out
        return cls(int(n), float(n), np.array([mean_x]), float(mean_y), np.array([[sxx]]),
                   np.array([sxy]), float(syy))

    def moments(self):
        with np.errstate(over="ignore", invalid="ignore"):
            variance = self.gram_xx / self.weight_sum
        return Moments(self.weight_sum, self.mean_x, np.diag(variance).copy(), variance)
