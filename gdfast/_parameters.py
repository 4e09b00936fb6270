"""The parameter vectors of results and histories, and the parameters' names.

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


def parameter_names(n_parameters, feature_names=None):
    """['b0', 'b1', ...] for ``n_parameters`` parameters; 'b1 (size)' with feature names."""
    names = [f"b{j}" for j in range(n_parameters)]
    if feature_names is None:
        return names
    if isinstance(feature_names, str) or len(feature_names) != n_parameters - 1:
        raise ValueError(f"feature_names must name the {n_parameters - 1} feature(s) of x, "
                         f"got {feature_names!r}")
    return names[:1] + [f"{b} ({name})" for b, name in zip(names[1:], feature_names)]


def moved_most(path, count=2):
    """The indices of the ``count`` parameters whose values spread most along ``path``, sorted.

    The spread is max - min over the rows (an overshoot counts); ties go to
    the lower index, so a path that never moved gives (0, 1, ...).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.ptp(path, axis=0)
    spread = np.where(np.isnan(spread), np.inf, spread)
    return tuple(sorted(int(k) for k in np.argsort(-spread, kind="stable")[:count]))
