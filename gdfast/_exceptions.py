"""Warnings and errors raised by gdfast."""


class _CarriesResult:
    """An error that stopped a fit and carries its partial FitResult as ``result``."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class ConvergenceWarning(UserWarning):
    """The descent stopped at ``max_iter`` before the gradient norm reached ``tol``."""


class DivergenceError(_CarriesResult, FloatingPointError):
    """The descent produced a non-finite cost, gradient or parameter.

    Attributes
    ----------
    result : FitResult
        The partial result: the last point whose parameters and cost are all
        finite, with the history recorded up to it.
    """


class DivergenceWarning(UserWarning):
    """The learning rate is at or above the data's stability limit 2 / lambda_max.

    Warned before the first iteration: the descent will diverge (unless it
    starts exactly at the minimum along the steepest direction).
    """


class FitInterrupted(_CarriesResult, KeyboardInterrupt):
    """Ctrl-C (SIGINT) stopped a fit; nothing it computed is lost.

    A KeyboardInterrupt, so an uncaught Ctrl-C still ends a script and
    ``except KeyboardInterrupt`` still catches it.

    Attributes
    ----------
    result : FitResult
        The partial result (``stopped_by="interrupt"``): the last point whose
        cost was computed, with the history recorded up to it.
    """


class HistoryMemoryError(_CarriesResult, MemoryError):
    """The history could not grow (out of memory): the fit stopped; nothing computed is lost.

    A MemoryError, so ``except MemoryError`` still catches it.  Raised only
    where a fit keeps more rows than memory holds: an explicit
    ``record_every`` on a long fit (``record_every="auto"`` keeps a fixed
    number of rows).

    Attributes
    ----------
    result : FitResult
        The partial result (``stopped_by="memory"``): the last point whose
        cost was computed, with every row recorded up to it.
    """
