"""The CSV reader that checks every line in Python: what a valid file is, and why not.

Slow (a Python call per cell), so it runs only when a fast reader
(``_csv_file``) refuses a file or finds a value to complain about: it reads the
file again from the start of its data and either raises the InputError naming
the first bad line and column, or returns the columns when the file is valid
after all (a form the fast reader does not take, e.g. a quoted cell spanning
lines or a whitespace-only line).  The rules:

- every non-blank row has as many cells as the header (or the first row);
- a chosen cell is a number (``_csv_format.NUMBER`` once stripped of
  whitespace, read with Python's correctly rounded ``float``), or missing
  (``_csv_format.MISSING``: empty, ``NA``, ``nan``, ...): an error naming the
  line, or with ``dropna`` the row is dropped and counted;
- a number must be finite.
"""
import csv
import io
from array import array

import numpy as np

from ._csv_format import (MISSING, ascii_compatible, cell_limit, is_blank, is_number,
                          split_lines)
from ._table import InputError, one_line, quoted


def read_checked(path, fmt, wanted, dropna):
    """Read the ``wanted`` column positions of a CSV file whose format is ``fmt``.

    Returns
    -------
    columns : dict
        ``{position: float64 array}``.
    dropped : int
        Rows left out because a chosen cell was missing (``dropna`` only).
    """
    n_cells = len(fmt.names)
    values = {j: array("d") for j in wanted}
    dropped = 0
    with open(path, "rb") as f, cell_limit():
        f.seek(fmt.data_offset)
        lines = _LineCounter(path, f, fmt.encoding, fmt.lines_before)
        try:
            for line, row in _rows(path, lines, fmt.delimiter):
                if len(row) != n_cells:
                    raise InputError(f"{path}, line {line}: expected {n_cells} cells, got "
                                     f"{len(row)} (delimiter {fmt.delimiter!r}; --delimiter "
                                     f"sets another)")
                cells = [_cell(path, line, fmt.names[j], row[j]) for j in wanted]
                if None in cells:
                    if not dropna:
                        j = wanted[cells.index(None)]
                        raise InputError(f"{path}, line {line}, column {fmt.names[j]!r}: a "
                                         f"missing value ({quoted(row[j].strip())}); drop "
                                         f"such rows with --dropna")
                    dropped += 1
                    continue
                for j, value in zip(wanted, cells):
                    values[j].append(value)
        finally:
            lines.close()
    return {j: np.frombuffer(v, dtype=np.float64) for j, v in values.items()}, dropped


def _rows(path, lines, delimiter):
    """(line number, cells) of each row; a csv error, or a quote left open at the end of the
    file (which Python's csv module takes as a cell running to the end), names its line."""
    reader = csv.reader(lines, delimiter=delimiter)
    last = []
    while True:
        lines.record, last = [], lines.record
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"{path}, line {lines.number}: {one_line(exc)}") from None
        if not all(is_blank(line, delimiter) for line in lines.record):  # blank: not even ""
            yield lines.number, row
    try:
        for _ in csv.reader(last, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(f"{path}, line {lines.number - len(last) + 1}: a quoted cell is "
                             f"not closed before the end of the file") from None


def _cell(path, line, name, text):
    """The cell's value, None if missing; InputError if it is not a finite number."""
    text = text.strip()
    if text in MISSING:
        return None
    if not is_number(text):
        point = text.replace(",", ".")
        hint = (f" (a decimal comma? write {point})"
                if text.count(",") == 1 and is_number(point) else "")
        raise InputError(f"{path}, line {line}, column {name!r}: {quoted(text)} is not a "
                         f"number{hint}")
    value = float(text)
    if value - value != 0.0:  # inf or nan
        raise InputError(f"{path}, line {line}, column {name!r}: {quoted(text)} is not a "
                         f"finite number")
    return value


class _LineCounter:
    """The file's decoded lines from where it stands, cut as ``split_lines`` cuts them;
    ``number`` is the file's line number of the last line handed out.  A byte that is not
    text in the encoding is an InputError naming its line ("near" it for UTF-16/32, which
    are decoded in blocks).
    """

    def __init__(self, path, f, encoding, lines_before):
        self.path, self.encoding, self.number = path, encoding, lines_before
        self._decode = ascii_compatible(encoding)
        if self._decode:
            self._raw = iter(f)  # cut at b"\n", each decoded alone: errors know their line
        else:
            self._text = io.TextIOWrapper(f, encoding=encoding, newline="")
            self._raw = iter(self._text)
        self._pending = []
        self.record = []  # the lines handed out since the caller last emptied it

    def close(self):
        """Let go of the file without closing it (its opener closes it)."""
        if not self._decode:
            self._text.detach()

    def __iter__(self):
        return self

    def __next__(self):
        if not self._pending:
            try:
                raw = next(self._raw)
                text = raw.decode(self.encoding) if self._decode else raw
            except UnicodeDecodeError as exc:
                near = "" if self._decode else "near "
                raise InputError(f"{self.path}, {near}line {self.number + 1}: not "
                                 f"{self.encoding} text ({exc.reason}); give the file's "
                                 f"encoding with --encoding, e.g. --encoding latin-1") from None
            self._pending = split_lines(text)[::-1] or [text]  # a lone \r ends a line too
        self.number += 1
        self.record.append(self._pending.pop())
        return self.record[-1]
