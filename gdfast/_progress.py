"""The progress bar of ``fit(progress=True)``: tqdm if installed, else a plain line.

fit() updates it once per kernel slice (every few tens of milliseconds), so
the bar costs nothing measurable per iteration (see bench/test_bench_progress.py).
"""
import sys
import time


def make_bar(total):
    """A bar over ``total`` iterations: tqdm's (extra ``gdfast[progress]``) or a plain line."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return PlainBar(total)
    return TqdmBar(tqdm(total=total, desc="gdfast.fit", unit="it", dynamic_ncols=True))


class TqdmBar:
    """Adapts a tqdm bar to ``update(iteration, cost)`` / ``close()``."""

    def __init__(self, bar):
        self._bar = bar

    def update(self, iteration, cost):
        """Move to ``iteration`` updates; show the current cost."""
        self._bar.set_postfix_str(f"cost={cost:.6g}", refresh=False)
        self._bar.update(iteration - self._bar.n)

    def close(self):
        self._bar.close()


class PlainBar:
    """One line on stderr: iterations done, iterations per second, current cost.

    Rewritten in place (``\\r``) on a terminal, at most every ``interval``
    seconds; elsewhere (a log file) one line per ``interval``.
    """

    def __init__(self, total, stream=None, interval=0.5):
        self._total = total
        self._stream = sys.stderr if stream is None else stream
        self._interval = interval
        self._start = self._last = time.perf_counter()
        self._iteration = 0
        self._cost = float("nan")
        isatty = getattr(self._stream, "isatty", None)
        self._end = "\r" if isatty is not None and isatty() else "\n"

    def update(self, iteration, cost):
        """Move to ``iteration`` updates; redraw if ``interval`` has passed."""
        self._iteration, self._cost = iteration, cost
        now = time.perf_counter()
        if now - self._last >= self._interval:
            self._last = now
            self._write(now)

    def _write(self, now):
        rate = self._iteration / max(now - self._start, 1e-9)
        self._stream.write(f"gdfast.fit: iteration {self._iteration}/{self._total}, "
                           f"{rate:.3g} it/s, cost {self._cost:.6g}{self._end}")
        self._stream.flush()

    def close(self):
        """Draw the final state and end the line."""
        self._write(time.perf_counter())
        if self._end == "\r":
            self._stream.write("\n")
        self._stream.flush()
