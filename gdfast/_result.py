"""The objects a fit returns: FitResult and its History."""
from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass(frozen=True, repr=False)
class History:
    """The recorded path of a descent, one row per recorded iteration.

    Row 0 is the starting point and its cost; a later row holds the
    parameters after ``iteration`` updates and the cost there.  Which
    iterations are kept is set by ``fit(..., record_every=...)``; the last
    iteration is always kept.

    Attributes
    ----------
    iteration : ndarray of int64, shape (n_rows,)
        Number of updates made before the row's parameters.
    intercept, slope, cost : ndarray of float64, shape (n_rows,)
        b0, b1 and the cost J(b0, b1) at that iteration.
    """

    iteration: np.ndarray
    intercept: np.ndarray
    slope: np.ndarray
    cost: np.ndarray

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
    intercept, slope : float
        b0 and b1 where the descent stopped.
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
    stopped_by : {None, "callback", "interrupt"}
        None when the descent ended by itself (converged, ``max_iter`` or
        diverged); ``"callback"`` when the callback returned False;
        ``"interrupt"`` on Ctrl-C (the result of a :class:`FitInterrupted`).
    """

    intercept: float
    slope: float
    n_iter: int
    converged: bool
    cost: float
    gradient_norm: float
    history: History
    stopped_by: Optional[str] = None
