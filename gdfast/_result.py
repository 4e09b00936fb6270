"""The objects a fit returns: FitResult and its History."""
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

import numpy as np

from ._cost import line_values
from ._validate import check_points, plural


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
    momentum : float
        The momentum beta used (the value ``momentum="auto"`` chose; 0.0
        for plain descent).
    cost_kind : {"half_mse", "mse"}
        The cost J that was minimised, and that ``cost`` and
        ``history.cost`` hold: ``"half_mse"`` sum r**2 / (2N) (``fit``'s
        default) or ``"mse"`` sum r**2 / N (weighted: over the sum of the
        weights).  The plots label their cost axes with it.
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
    momentum: float = 0.0
    cost_kind: str = "half_mse"
    _diagnose: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.coef is None and self.slope is not None:
            object.__setattr__(self, "coef", np.array([self.slope]))

    @cached_property
    def diagnosis(self):
        return self._diagnose() if self._diagnose is not None else "no diagnosis available"

    def __getstate__(self):
        """What a pickle (or a copy) holds: the diagnosis in words, never its recipe.

        Until first read, the diagnosis is a callable that may hold the
        curvature's source of sums, i.e. the user's data: working it out now
        keeps the data out of every pickle.
        """
        state = dict(self.__dict__)
        state["diagnosis"] = self.diagnosis
        state["_diagnose"] = None
        return state

    def _repr_html_(self):
        """In a notebook: the fitted line, how it ended, the diagnosis and the cost curve."""
        from ._result_html import result_html

        return result_html(self)

    def predict(self, x):
        """The fitted line at the points x: ``intercept + x @ coef``.

        Parameters
        ----------
        x : array_like, shape (N,) or (N, d)
            The points, in the units of the fit's x: 1-D (N,) for a fit of
            one feature, (N, d) for d features; finite real numbers, checked
            as :func:`gdfast.fit` checks its x.

        Returns
        -------
        ndarray of float64, shape (N,)
            ``inf`` (or ``-inf``) where the line's value is beyond float64.

        Raises
        ------
        ValueError
            When a value cannot be computed in float64: d features whose
            terms overflow with both signs (inf - inf), as :func:`gdfast.cost`.

        Examples
        --------
        >>> import gdfast
        >>> res = gdfast.fit([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], tol=1e-12)
        >>> res.predict([3.0, 4.0]).round(6).tolist()
        [7.0, 9.0]
        """
        x = check_points(x, self.coef.shape[0])
        return line_values(x if x.ndim == 2 else x[:, None], self.intercept, self.coef, "x")

    def __repr__(self):
        """A short summary: the line, how the descent ended, its cost and rate."""
        n = plural(self.n_iter, "iteration")
        ended = {"callback": f"stopped by the callback after {n}",
                 "interrupt": f"stopped by Ctrl-C after {n}",
                 "memory": f"stopped when the history ran out of memory after {n}"}.get(
                     self.stopped_by,
                     f"converged in {n}" if self.converged else f"not converged after {n}")
        rate = "" if self.learning_rate is None else f", learning_rate {self.learning_rate:.6g}"
        if self.momentum:
            rate += f", momentum {self.momentum:.6g}"
        return (f"FitResult: {_line(self.intercept, self.coef)}\n"
                f"  {ended}: cost {self.cost:.6g}, gradient norm {self.gradient_norm:.3g}"
                f"{rate}\n"
                f"  history of {plural(len(self.history), 'row')}; .diagnosis says more")


# A line of more features than this is summarised by its coefficients' array.
_MAX_TERMS = 6


def _line(intercept, coef):
    """``y = 1.99627 + 1.46732 * x`` (d features: ``... - 1 * x2``), in 6 digits."""
    if coef.shape[0] == 1:
        return f"y = {intercept:.6g} {_signed(coef[0])} * x"
    if coef.shape[0] > _MAX_TERMS:
        shown = np.array2string(coef, precision=4, threshold=_MAX_TERMS, edgeitems=2)
        return f"y = {intercept:.6g} + x @ coef, coef = {shown} ({coef.shape[0]} features)"
    terms = " ".join(f"{_signed(b)} * x{j}" for j, b in enumerate(coef, start=1))
    return f"y = {intercept:.6g} {terms}"


def _signed(value):
    """``+ 1.5`` or ``- 1.5``: a term of a sum."""
    return f"- {-value:.6g}" if value < 0 else f"+ {value:.6g}"
