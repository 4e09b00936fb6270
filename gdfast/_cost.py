"""The cost functions J(b0, b1) and the factors the kernel scales its sums by."""
import numpy as np

from ._engine import kernels as engine
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
        history); ``"mse"``: twice that, the mean squared error.

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
        return cost_factor * engine.residual_sums(x, y, b0, b1)[2]
    d = x.shape[1]
    coef = check_params(np.atleast_1d(slope) if d == 1 else slope, d, False, name="slope")
    coef[0] = b0
    sum_r2, _ = engine.feature_sums(x, y, None, np.zeros(d), np.ones(d), coef, True)
    if not np.isfinite(sum_r2):
        # a term of x @ slope beyond float64: the pass's order of summing (and its
        # fused multiply-adds) decides between inf, NaN and the right value; the
        # rows again, their terms scaled apart by sign (raises where that fails too)
        with np.errstate(over="ignore", invalid="ignore"):
            r = line_values(x, b0, coef[1:], "slope") - y
            sum_r2 = float(r @ r)
    return cost_factor * sum_r2


# line_values sums the terms of rows that overflow float64 scaled by 2**-_SHIFT.
_SHIFT = 64


def line_values(x, intercept, coef, name):
    """``intercept + x @ coef`` for validated 2-D x, ``inf`` (or ``-inf``) where the value is
    beyond float64; ValueError naming ``name`` where it cannot be computed (terms beyond
    float64 even scaled by 2**-64, with both signs)."""
    b0 = intercept
    with np.errstate(over="ignore", invalid="ignore"):   # the rows that overflow: below
        y = x @ coef + b0
        size = np.abs(x) @ np.abs(coef) + abs(b0)
    beyond = np.flatnonzero(~np.isfinite(size))
    if beyond.size:
        # some term, or their sum in some order, is beyond float64: the product's
        # order of summing would decide between inf, -inf, NaN and the right
        # value.  Summed again scaled by 2**-64 (exact), the positive and
        # negative terms apart, then scaled back: inf only if the value is.
        with np.errstate(over="ignore", invalid="ignore"):
            terms = np.ldexp(x[beyond], -_SHIFT) * coef
            up = np.where(terms > 0, terms, 0.0).sum(axis=1) + np.ldexp(max(b0, 0.0), -_SHIFT)
            down = np.where(terms < 0, terms, 0.0).sum(axis=1) + np.ldexp(min(b0, 0.0), -_SHIFT)
            both = np.isinf(up) & np.isinf(down)
            y[beyond] = np.ldexp(up + down, _SHIFT)
        if both.any():
            raise ValueError(f"{name}: the line's value at x[{beyond[both][0]}] cannot be "
                             f"computed in float64 (its terms are beyond 1.8e308 * 2**64 with "
                             f"both signs); rescale x, y or the coefficients")
    return y
