"""standardize=True: the feature map the kernel applies, and its inverse.

The kernel descends on z[:, j] = (x[:, j] - center[j]) * inv_scale[j] for the
parameters (beta0, beta), computed on the fly (no standardized copy of the
data).  With an intercept the columns are centred and scaled to unit
variance; without one they cannot be centred (that would add an intercept),
so they are only scaled to unit root-mean-square.  Without standardize the
map is the identity (center 0, inv_scale 1), which the kernel applies
exactly.  Since r = beta0 + z @ beta - y = b0 + x @ b - y with

    b = beta * inv_scale,   b0 = beta0 - b @ center,

the cost is the same in both units and only the parameters are converted.
"""
import numpy as np


def feature_map(moments, fit_intercept, standardize):
    """Return (center, inv_scale), each of shape (d,), for the kernel.

    Raises ValueError naming the first column that cannot be scaled.
    """
    d = moments.mean.shape[0]
    if not standardize:
        return np.zeros(d), np.ones(d)
    if fit_intercept:
        center = moments.mean
        scale = np.sqrt(np.diag(moments.covariance))
        what = "constant (zero variance)"
    else:
        center = np.zeros(d)
        scale = np.sqrt(np.diag(moments.second()))
        what = "all zeros (zero root-mean-square)"
    huge = np.flatnonzero(~np.isfinite(scale))
    if huge.size:
        j = int(huge[0])
        raise ValueError(
            f"standardize=True cannot scale column x[:, {j}]: its squares overflow float64; "
            f"rescale x")
    bad = np.flatnonzero(~(scale > 0))
    if bad.size:
        j = int(bad[0])
        raise ValueError(
            f"standardize=True cannot scale column x[:, {j}]: it is {what}, with every value "
            f"{moments.mean[j]:g}; drop that column or use standardize=False")
    return center, 1.0 / scale


def to_descent_units(params, center, inv_scale):
    """(b0, b) in the units of x -> (beta0, beta) in the units of z."""
    params = np.asarray(params, dtype=np.float64)
    # an init near the float64 limit may overflow here: the kernel then finds
    # the starting cost not finite (DivergenceError), with no NumPy warning
    with np.errstate(over="ignore", invalid="ignore"):
        beta = params[1:] / inv_scale
        return np.concatenate([[params[0] + params[1:] @ center], beta])


def to_original_units(params, center, inv_scale):
    """(beta0, beta) rows, shape (rows, d + 1) -> (b0 of shape (rows,), b of shape (rows, d)).

    Each row's values depend on that row alone, bit for bit, however many
    rows are converted together: b @ center is summed column by column with
    elementwise operations (each rounded once, in a fixed order), not by a
    matrix product, whose rounding BLAS may choose by shape.
    """
    coef = params[:, 1:] * inv_scale
    intercept = params[:, 0].copy()
    for j in range(coef.shape[1]):
        intercept -= coef[:, j] * center[j]
    return intercept, coef
