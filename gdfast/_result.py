"""The objects a fit returns: FitResult and its History."""
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

import numpy as np


@dataclass(frozen=True, repr=False)
class History:
    """The recorded path of a descent, one row per recorded iteration.

    Row 0 is the starting point and its cost; a later row holds the
    parameters after ``iteration`` updates and the cost there.  Which
    iterations are kept is set by ``fit(..., record_every=...)`` (by
    default at most about 10**5 rows spread over the descent); the last
    iteration is always kept.  The arrays are views of one buffer of rows
    that the fit filled: the history is held once, never copied.

    Attributes
    ----------
    iteration : ndarray of int64, shape (n_rows,)
        Number of updates made before the row's parameters.
    intercept, slope, cost : ndarray of float64, shape (n_rows,)
        b0, b1 and the cost J(b0, b1) at that iteration.  ``slope`` is None
        when there are several features; ``intercept`` is 0 when fitted
        without one.
    coef : ndarray of float64, shape (n_rows, d)
        The coefficients b1..bd at that iteration (``slope`` as a column
        for one feature), in the units of x also when ``standardize=True``.
    """

    iteration: np.ndarray
    intercept: np.ndarray
    slope: np.ndarray
    cost: np.ndarray
    coef: np.ndarray = None

    def __post_init__(self):
        if self.coef is None and self.slope is not None:
            object.__setattr__(self, "coef", self.slope[:, None])

    def __len__(self):
        return len(self.iteration)

    def __repr__(self):
        if len(self) == 0:
            return "History(rows=0)"
        return (f"History(rows={len(self)}, iterations {self.iteration[0]}.."
                f"{self.iteration[-1]}, cost {self.cost[0]:.6g} -> {self.cost[-1]:.6g})")


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`gdfast.fit`.

    Attributes
    ----------
    intercept : float
        b0 where the descent stopped (0.0 with ``fit_intercept=False``).
    slope : float or None
        b1 where the descent stopped when there is one feature (x of shape
        (N,) or (N, 1)); None for several features: see ``coef``.
    n_iter : int
        Updates made (0 means the starting point was returned).
    converged : bool
        True if the gradient norm fell to ``tol`` or below.
    cost : float
        The cost J at (intercept, slope).
    gradient_norm : float
        Euclidean norm of the gradient of J at (intercept, slope).
    history : History
        The recorded descent.
    stopped_by : {None, "callback", "interrupt", "memory"}
        None when the descent ended by itself (converged, ``max_iter`` or
        diverged); ``"callback"`` when the callback returned False (or
        raised: the result attached to its exception); ``"interrupt"`` on
        Ctrl-C (the result of a :class:`FitInterrupted`); ``"memory"`` when
        the history could not grow (the result of a
        :class:`HistoryMemoryError`).
    coef : ndarray of float64, shape (d,)
        b1..bd where the descent stopped, in the units of x.
    learning_rate : float
        The learning rate used (the value ``learning_rate="auto"`` chose).
    diagnosis : str
        What happened, in words: converged; stopped at ``max_iter`` and how
        many iterations would have been needed; bouncing (learning rate
        above 1/lambda_max); diverged (above 2/lambda_max); or
        ill-conditioned beyond what gradient descent can finish in float64.
        Worked out from the data's :class:`LearningRateLimits` on first access.
    """

    intercept: float
    slope: float
    n_iter: int
    converged: bool
    cost: float
    gradient_norm: float
    history: History
    stopped_by: Optional[str] = None
    coef: np.ndarray = None
    learning_rate: float = None
    _diagnose: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.coef is None and self.slope is not None:
            object.__setattr__(self, "coef", np.array([self.slope]))

    @cached_property
    def diagnosis(self):
        return self._diagnose() if self._diagnose is not None else "no diagnosis available"

    def _repr_html_(self):
        """In a notebook: the fitted line, how it ended, the diagnosis and the cost curve."""
        from ._result_html import result_html

        return result_html(self)
