"""The cost functions J(b0, b1) and the factors the kernel scales its sums by."""
import numpy as np

from . import _multi_kernels
from ._backend import kernels as _kernels
from ._validate import check_cost, check_data, check_params, check_real


def cost_factors(kind, n):
    """Return (cost_factor, grad_factor) with J = cost_factor * sum r**2.

    For ``"half_mse"`` J = 1/(2N) sum r**2 and the gradient is (1/N)(sum r,
    sum r*x); for ``"mse"`` J = 1/N sum r**2 and the gradient carries 2/N.
    """
    if kind == "half_mse":
        return 0.5 / n, 1.0 / n
    return 1.0 / n, 2.0 / n


def cost(x, y, intercept, slope, kind="half_mse"):
    """The cost of the line ``y = intercept + slope * x`` (or ``intercept + x @ slope``) on the data.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
    y : array_like, shape (N,)
        The points; same rules as :func:`gdfast.fit`.
    intercept : float
        b0.
    slope : float, or sequence of d floats for 2-D x
        b1, or the coefficients b1..bd (a float is accepted for d = 1).
    kind : {"half_mse", "mse"}, default "half_mse"
        ``"half_mse"``: J = 1/(2N) sum (b0 + b1 x_i - y_i)**2, the cost
        :func:`gdfast.fit` minimises by default (and records in its
        history); ``"mse"``: twice that, the seed's MSE.

    Returns
    -------
    float
        ``inf`` when J itself overflows float64.

    Raises
    ------
    ValueError
        When a residual cannot be computed in float64 (2-D x: its terms
        overflow with opposite signs, inf - inf).  Never NaN.

    Examples
    --------
    >>> import gdfast
    >>> gdfast.cost([0, 1, 2], [1, 3, 5], intercept=0.0, slope=-5.0)
    48.33333333333333
    >>> gdfast.cost([0, 1, 2], [1, 3, 5], intercept=0.0, slope=-5.0, kind="mse")
    96.66666666666666
    """
    x, y = check_data(x, y)
    b0 = check_real(intercept, "intercept")
    kind = check_cost(kind, "kind")
    cost_factor, _ = cost_factors(kind, x.shape[0])
    if x.ndim == 1:
        b1 = check_real(slope, "slope")
        return cost_factor * _kernels.residual_sums(x, y, b0, b1)[2]
    d = x.shape[1]
    coef = check_params(np.atleast_1d(slope) if d == 1 else slope, d, False, name="slope")
    coef[0] = b0
    sum_r2, _ = _multi_kernels.residual_sums(
        x, y, np.zeros(d), np.ones(d), coef, True, np.empty(_multi_kernels.work_size(d)))
    if sum_r2 != sum_r2:  # NaN: some x @ slope is inf - inf
        raise ValueError("slope: the residuals intercept + x @ slope - y overflow float64 "
                         "(terms beyond 1.8e308 of opposite signs), so the cost cannot be "
                         "computed; rescale x, y or the coefficients")
    return cost_factor * sum_r2
