"""What fit() does between kernel slices: Ctrl-C, the progress bar, the callback.

The kernel runs under ``nogil`` in slices of a few tens of milliseconds
(``_fit._POINTS_PER_SLICE``).  A Ctrl-C that arrives during a slice only sets
a flag here; fit() looks at it when the slice returns, so it stops within one
slice and keeps every row the kernel wrote.  (Python's default handler would
raise KeyboardInterrupt right after the kernel call returns, before its row
count is stored, and the rows of that slice would be lost.)
"""
import signal
import threading
from dataclasses import dataclass


STOPPED_BY_CALLBACK = "callback"
STOPPED_BY_INTERRUPT = "interrupt"
STOPPED_BY_MEMORY = "memory"   # set by fit() itself, when the history cannot grow


@dataclass(frozen=True)
class Step:
    """One recorded point of a running descent, as passed to ``fit(callback=...)``.

    Attributes
    ----------
    iteration : int
        Updates made before this point.
    intercept : float
        b0 after ``iteration`` updates.
    slope : float or None
        b1 there (None where a fit has several features: see ``coef``).
    cost : float
        The cost J there.
    coef : ndarray or None
        All the coefficients b1..bd, where the fit's History has them.
    """

    iteration: int
    intercept: float
    slope: float
    cost: float
    coef: object = None


def _steps(history):
    """The Steps of a History's rows."""
    coef = getattr(history, "coef", None)
    slope = history.slope if history.slope is not None else [None] * len(history)
    for row, (k, b0, b1, cost) in enumerate(zip(history.iteration.tolist(),
                                                history.intercept.tolist(), slope,
                                                history.cost.tolist())):
        # coef: a copy, not a view of the history buffer, which grows in place
        yield Step(k, b0, None if b1 is None else float(b1), cost,
                   None if coef is None else coef[row].copy())


class SliceWatch:
    """Looks at a descent between slices; ``close()`` undoes what it set up.

    Parameters
    ----------
    progress : bool
        Show a progress bar (see gdfast._progress).
    callback : callable or None
        Called as ``callback(Step)`` for each history row; False stops.
    max_iter : int
        The progress bar's total.

    Attributes
    ----------
    interrupted : bool
        A Ctrl-C came (since this watch was set up).
    callback_error : BaseException or None
        What the callback raised, if it raised: fit() attaches its partial
        result to that very exception.
    """

    def __init__(self, progress, callback, max_iter):
        self._callback = callback
        self.interrupted = False
        self.callback_error = None
        self._previous_handler = None
        # Only the main thread may set handlers, and a handler the user (or
        # a SIG_IGN parent) installed is theirs to keep.
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous_handler = signal.signal(signal.SIGINT, self._on_sigint)
        self._bar = None
        if progress:
            from ._progress import make_bar

            self._bar = make_bar(max_iter)

    def _on_sigint(self, signum, frame):
        self.interrupted = True

    def stop_at(self, iteration, stop_at, record_every):
        """End the slice right after its next history row, when there is a callback.

        The kernel records row k before the k-th update, so a slice that
        stops at k + 1 updates ends with row k written and passed on at once.
        ``record_every`` is the kernel's, for this slice (0: first and last).
        """
        if self._callback is None:
            return stop_at
        if iteration == 0:
            return 1
        if record_every == 0:
            return stop_at
        next_row = -(-iteration // record_every) * record_every
        return min(stop_at, next_row + 1)

    def after_slice(self, iteration, last_cost, new_rows):
        """Update the bar, call the callback on the new rows; say why to stop, if so.

        Parameters
        ----------
        iteration : int
            Updates made so far.
        last_cost : float
            The cost at the last point whose cost was computed.
        new_rows : History
            The rows this slice recorded.

        Returns
        -------
        None to go on, else STOPPED_BY_CALLBACK or STOPPED_BY_INTERRUPT.
        """
        if self._bar is not None:
            self._bar.update(iteration, last_cost)
        if self._callback is not None:
            for step in _steps(new_rows):
                try:
                    stop = self._callback(step) is False
                except BaseException as err:
                    self.callback_error = err
                    raise
                if stop:
                    return STOPPED_BY_CALLBACK
        if self.interrupted:
            return STOPPED_BY_INTERRUPT
        return None

    def close(self):
        """Put the SIGINT handler back and finish the bar."""
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
            self._previous_handler = None
        if self._bar is not None:
            self._bar.close()

