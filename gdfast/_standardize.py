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
        variance = moments.variance
    else:
        center = np.zeros(d)
        variance = moments.mean_square()
    huge = np.flatnonzero(~np.isfinite(variance))
    if huge.size:
        j = int(huge[0])
        raise ValueError(
            f"standardize=True cannot scale column x[:, {j}]: its squares overflow float64; "
            f"rescale x")
    # a variance below float64's normal range has lost its digits, or is 0
    # because the squares of tiny differences underflow (subnormal values)
    bad = np.flatnonzero(~(variance >= _TINY))
    if bad.size:
        j = int(bad[0])
        raise ValueError(_unscalable(moments, j, variance[j], fit_intercept))
    return center, 1.0 / np.sqrt(variance)


_TINY = np.finfo(np.float64).tiny


def _unscalable(moments, j, variance, fit_intercept):
    """Why standardize=True cannot scale column j, whose variance (or mean square) is < tiny."""
    extent = moments.extent(j, fit_intercept) if moments.extent is not None else None
    if extent is None and fit_intercept and variance == 0 and abs(moments.mean[j]) >= 1e-100:
        # without the data: values this far from 0 that differ at all differ by an
        # ulp of 1e-100 or more, whose square (1e-232) does not underflow
        extent = 0.0
    column = f"standardize=True cannot scale column x[:, {j}]"
    advice = "drop that column or use standardize=False"
    if extent == 0:
        if fit_intercept:
            return (f"{column}: it is constant (zero variance), with every value "
                    f"{moments.mean[j]:g}; {advice}")
        return f"{column}: it is all zeros (zero root-mean-square); {advice}"
    spread = "variance" if fit_intercept else "mean square"
    if extent is None:   # from statistics: the data are not at hand
        what = (f"its {spread} is {variance:g}: it is constant, or its values are so close "
                f"{'together' if fit_intercept else 'to 0'} that their squares underflow "
                f"float64")
    else:
        what = (f"its values {'differ by' if fit_intercept else 'reach'} at most {extent:.3g}, "
                f"so their {spread} is below float64's smallest normal number (2.2e-308) and "
                f"its standard deviation cannot be computed")
    return (f"{column}: {what}; multiply the column by a large constant (such as "
            f"2.0**600) before fitting, or {advice}")


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
