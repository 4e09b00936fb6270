"""The cost functions J(b0, b1) and the factors the kernel scales its sums by."""
from ._backend import kernels as _kernels
from ._validate import check_cost, check_real, check_xy


def cost_factors(kind, n):
    """Return (cost_factor, grad_factor) with J = cost_factor * sum r**2.

    For ``"half_mse"`` J = 1/(2N) sum r**2 and the gradient is (1/N)(sum r,
    sum r*x); for ``"mse"`` J = 1/N sum r**2 and the gradient carries 2/N.
    """
    if kind == "half_mse":
        return 0.5 / n, 1.0 / n
    return 1.0 / n, 2.0 / n


def cost(x, y, intercept, slope, kind="mse"):
    """The cost of the line ``y = intercept + slope * x`` on the data.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        The points; same rules as :func:`gdfast.fit`.
    intercept, slope : float
        b0 and b1.
    kind : {"mse", "half_mse"}, default "mse"
        ``"mse"``: J = 1/N sum (b0 + b1 x_i - y_i)**2;
        ``"half_mse"``: half of that.

    Returns
    -------
    float

    Examples
    --------
    >>> import gdfast
    >>> gdfast.cost([0, 1, 2], [1, 3, 5], intercept=0.0, slope=-5.0)
    96.66666666666666
    """
    x, y = check_xy(x, y)
    b0 = check_real(intercept, "intercept")
    b1 = check_real(slope, "slope")
    kind = check_cost(kind, "kind")
    cost_factor, _ = cost_factors(kind, x.shape[0])
    return cost_factor * _kernels.residual_sums(x, y, b0, b1)[2]
