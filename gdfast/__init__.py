"""gdfast: batch gradient descent for linear regression, compiled with Cython.

>>> import gdfast
>>> result = gdfast.fit(x, y, learning_rate=0.1, init=(0.0, -5.0))  # doctest: +SKIP
>>> result.intercept, result.slope, result.history.cost               # doctest: +SKIP
"""
from ._cost import cost
from ._exceptions import (ConvergenceWarning, DivergenceError, DivergenceWarning, FitInterrupted,
                          HistoryMemoryError)
from ._explore import explore
from ._fit import fit, fit_statistics, fit_stream
from ._learning_rate import LearningRateLimits
from ._curvature import learning_rate_limits
from ._result import FitResult, History
from ._statistics import Statistics
from ._version import __version__
from ._watch import Step


# gdfast.GDRegressor (gdfast.estimator) needs scikit-learn: imported on first
# use, so `import gdfast` does not import scikit-learn
_LAZY = {"GDRegressor": "estimator"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'gdfast' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


# GDRegressor is left out of __all__: `from gdfast import *` must not need scikit-learn
__all__ = ["ConvergenceWarning", "DivergenceError", "DivergenceWarning", "FitInterrupted",
           "FitResult", "History", "HistoryMemoryError", "LearningRateLimits", "Statistics",
           "Step", "cost", "explore", "fit", "fit_statistics", "fit_stream",
           "learning_rate_limits", "__version__"]
