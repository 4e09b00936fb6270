"""The history rows of a running descent: one buffer, grown in place, thinned when full.

fit()'s slice loop (``gdfast._descent.descend``) hands the kernel the buffer's
free rows, counts the rows it wrote, then asks for room before the next
slice.  The buffer is one C-ordered array of rows (parameters, cost) and one
of their iterations, grown with ``realloc`` (``ndarray.resize``): large
buffers are memory maps the C library remaps instead of copying, so the
history is never held twice, and the History a fit returns is this same
buffer cut to its rows (no final copy).  Once large it grows by a sixteenth
at a time (at most 8 MiB), so at most about 1/16 of it is ever unused.

With ``record_every="auto"`` it holds at most ``AUTO_ROWS`` rows spread
over the whole descent: when the kernel has filled them (rows 0, s, 2s, ...,
(AUTO_ROWS - 1) s at stride s, AUTO_ROWS odd), every other row is dropped,
in place, and the stride doubles.  The last row kept is then still the last
one written, so the kernel's state ("the previous point is recorded") stays
true, and the rows left are again 0, 2s, 4s, ...
"""
import numpy as np

#: Most rows ``record_every="auto"`` keeps (odd: see the module's docstring),
#: one more for the point a stopped descent reports.
AUTO_ROWS = 2 * 50_000 + 1
# growth: double while small (cheap), then by a sixteenth (little unused),
# at most _MAX_GROWTH_BYTES at a time (the new part is zeroed, page by page:
# a step costs milliseconds, and Ctrl-C waits for it)
_DOUBLING_ROWS = 4096
_MAX_GROWTH_BYTES = 8 << 20


def max_rows(record_every, max_iter):
    """The most rows the kernel can write for these settings, before any thinning."""
    if record_every == "auto":
        return min(max_iter + 2, AUTO_ROWS)
    # rows 0, r, 2r, ... up to max_iter, and the last iteration
    return (max_iter // record_every if record_every else 0) + 2


class HistoryBuffer:
    """The rows recorded so far, and room for the kernel's next ones.

    Parameters
    ----------
    n_columns : int
        Values per row (the parameters and the cost).
    record_every : int or "auto"
        fit()'s ``record_every``; ``stride`` is what the kernel gets.
    max_iter : int
    first_rows : int >= 1
        The first buffer's rows (the kernel's room), at most ``max_rows``.

    One row more than the kernel's room is always allocated: ``append``
    writes the point a stopped descent reports there, without allocating.
    """

    def __init__(self, n_columns, record_every, max_iter, first_rows):
        self.auto = record_every == "auto"
        self.stride = 1 if self.auto else record_every
        self.max_rows = max_rows(record_every, max_iter)
        self.capacity = max(1, min(first_rows, self.max_rows))
        self.filled = 0
        self.rows = np.empty((self.capacity + 1, n_columns))
        self.iterations = np.empty(self.capacity + 1, dtype=np.intp)

    def free(self):
        """(rows, iterations): views of the kernel's room, after the rows filled."""
        return self.rows[self.filled:self.capacity], self.iterations[self.filled:self.capacity]

    def add(self, n_rows):
        """Count ``n_rows`` the kernel wrote into ``free()``; return their slice."""
        new = slice(self.filled, self.filled + n_rows)
        self.filled += n_rows
        return new

    def append(self, row, iteration):
        """Write one row after those filled (into the spare row: never allocates)."""
        self.rows[self.filled] = row
        self.iterations[self.filled] = iteration
        self.filled += 1

    def make_room(self):
        """Room for at least one more row before the next slice: grow, or thin ("auto").

        Raises MemoryError (from ``_resize``) when the buffer cannot grow;
        the rows filled are then unchanged.
        """
        if self.filled < self.capacity:
            return
        if self.auto and self.capacity >= AUTO_ROWS:
            self._thin()
            return
        row_bytes = self.rows.itemsize * self.rows.shape[1] + self.iterations.itemsize
        step = max(min(self.capacity, _DOUBLING_ROWS),
                   min(self.capacity // 16, _MAX_GROWTH_BYTES // row_bytes))
        capacity = min(self.capacity + step, self.max_rows)
        self._resize(capacity + 1)
        self.capacity = capacity

    def _thin(self):
        """Keep rows 0, 2, 4, ... (the last one filled among them); double the stride.

        In place, front to back, in blocks whose rows do not overlap their
        sources (rows [a, b) from rows 2a .. 2b - 2, with b <= 2a): no
        temporary copy.
        """
        keep = (self.filled + 1) // 2
        start = 1
        while start < keep:
            stop = min(2 * start, keep)
            self.rows[start:stop] = self.rows[2 * start:2 * stop:2]
            self.iterations[start:stop] = self.iterations[2 * start:2 * stop:2]
            start = stop
        self.filled = keep
        self.stride *= 2

    def _resize(self, n_rows):
        """Give both arrays ``n_rows`` rows, keeping their first rows (MemoryError if not)."""
        for name in ("rows", "iterations"):
            shape = (n_rows,) + getattr(self, name).shape[1:]
            if not _resized_in_place(self, name, shape):
                # something else refers to it (a view of it, kept by a
                # traceback say): a copy leaves that reference valid
                old = getattr(self, name)
                new = np.empty(shape, dtype=old.dtype)
                kept = min(n_rows, old.shape[0])
                new[:kept] = old[:kept]
                setattr(self, name, new)

    def finish(self):
        """(rows, iterations): the rows filled, as the final arrays (the buffer cut to them).

        The buffer lets go of them: it is not to be used after this.
        """
        for name in ("rows", "iterations"):
            shape = (self.filled,) + getattr(self, name).shape[1:]
            try:
                _resized_in_place(self, name, shape)
            except MemoryError:
                pass   # shrinking hardly fails; the views below are right anyway
        rows, iterations = (a if a.shape[0] == self.filled else a[:self.filled]
                            for a in (self.rows, self.iterations))
        self.rows = self.iterations = None
        return rows, iterations


def _resized_in_place(owner, name, shape):
    """Reshape the array ``getattr(owner, name)`` to ``shape`` in place; False if refused.

    ``ndarray.resize`` reallocates (for large arrays the C library remaps
    the pages, without copying them) but refuses, with a ValueError, an
    array something else refers to.  Called on the attribute itself: a
    local name would be one reference too many for that check.
    """
    try:
        getattr(owner, name).resize(shape)
    except ValueError:
        return False
    return True
