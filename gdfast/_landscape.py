"""The cost as a function of the parameters, for pictures: no matplotlib here.

A parameter vector is ``p = (b0, b1, ..., bd)``: the intercept, then one
coefficient per feature.  One-feature results have (intercept, slope); the
multi-feature ones carry ``coef``.  ``parameters`` and ``parameter_path`` are
the one place that knows both.
"""
import numpy as np


def parameters(result):
    """The parameter vector (b0, b1, ..., bd) of a FitResult, as float64."""
    coef = getattr(result, "coef", None)
    if coef is None:
        coef = [result.slope]
    return np.concatenate([[result.intercept], np.ravel(coef)]).astype(np.float64)


def parameter_path(history):
    """The parameter vectors of a History's rows, shape (n_rows, 1 + d)."""
    coef = getattr(history, "coef", None)
    if coef is None:
        coef = history.slope
    coef = np.asarray(coef, dtype=np.float64)
    return np.column_stack([history.intercept, coef.reshape(len(history), -1)])


def parameter_names(n_parameters):
    """['b0', 'b1', ...] for ``n_parameters`` parameters."""
    return [f"b{j}" for j in range(n_parameters)]


class CostSurface:
    """J(p) for the linear model on data (x, y), at any array of parameter vectors.

    J is quadratic in p, so it is expanded once around ``center``:
    J(center + D) = J_c + 2 D.g + D.G.D with the gradient-like g = A'r_c / N
    and the Gram matrix G = A'A / N of A = [1, x].  A grid of m points then
    costs O(m d^2), not O(m N) (a 200 x 200 grid over a million points would
    need 40 billion residuals), and expanding around the fit's own point
    keeps the values accurate near the minimum.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
    center : array_like, shape (1 + d,)
        The expansion point, e.g. ``parameters(result)``.
    kind : {"half_mse", "mse"}
    """

    def __init__(self, x, y, center, kind="half_mse"):
        features = np.asarray(x, dtype=np.float64)
        features = features.reshape(len(features), -1)
        y = np.asarray(y, dtype=np.float64)
        n = len(y)
        self.center = np.asarray(center, dtype=np.float64)
        if self.center.shape != (features.shape[1] + 1,):
            raise ValueError(f"the parameters have {self.center.size} values, but the data "
                             f"has {features.shape[1]} feature(s): expected "
                             f"{features.shape[1] + 1}")
        residual = self.center[0] + features @ self.center[1:] - y
        mean_x = features.mean(axis=0)
        self._j_center = float(residual @ residual) / n
        self._g = np.concatenate([[residual.mean()], features.T @ residual / n])
        self._gram = np.block([[np.ones((1, 1)), mean_x[None, :]],
                               [mean_x[:, None], features.T @ features / n]])
        self._factor = {"half_mse": 0.5, "mse": 1.0}[kind]

    def __call__(self, points):
        """J at ``points``, an array of shape (..., 1 + d); returns shape (...)."""
        delta = np.asarray(points, dtype=np.float64) - self.center
        quadratic = np.einsum("...i,ij,...j->...", delta, self._gram, delta)
        mse = self._j_center + 2.0 * (delta @ self._g) + quadratic
        # rounding may dip a hair below zero at an exact fit
        return self._factor * np.maximum(mse, 0.0)

    def minimum(self):
        """The least-squares parameters (a minimiser of J), shape (1 + d,)."""
        step, *_ = np.linalg.lstsq(self._gram, self._g, rcond=None)
        return self.center - step
