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

from ._csv_format import MISSING, ascii_compatible, cell_limit, is_number
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
        reader = csv.reader(lines, delimiter=fmt.delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(f"{path}, line {lines.number}: {one_line(exc)}") from None
            line = lines.number
            if len(row) <= 1 and not "".join(row).strip():  # a blank line, not ",,"
                continue
            if len(row) != n_cells:
                raise InputError(f"{path}, line {line}: expected {n_cells} cells, got "
                                 f"{len(row)} (delimiter {fmt.delimiter!r}; --delimiter "
                                 f"sets another)")
            cells = [_cell(path, line, fmt.names[j], row[j]) for j in wanted]
            if None in cells:
                if not dropna:
                    j = wanted[cells.index(None)]
                    raise InputError(f"{path}, line {line}, column {fmt.names[j]!r}: a missing "
                                     f"value ({quoted(row[j].strip())}); drop such rows with "
                                     f"--dropna")
                dropped += 1
                continue
            for j, value in zip(wanted, cells):
                values[j].append(value)
    return {j: np.frombuffer(v, dtype=np.float64) for j, v in values.items()}, dropped


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
    """The file's decoded lines from where it stands, each ending in \\n; ``number`` is the
    file's line number of the last line handed out.  A byte that is not text in the
    encoding is an InputError naming its line ("near" it for UTF-16/32, decoded in blocks).
    """

    def __init__(self, path, f, encoding, lines_before):
        self.path, self.encoding, self.number = path, encoding, lines_before
        if ascii_compatible(encoding):
            self._lines = iter(f)  # split on b"\n", decoded one by one
            self._decode = True
        else:
            self._lines = iter(io.TextIOWrapper(f, encoding=encoding, newline="\n"))
            self._decode = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            line = next(self._lines)
            self.number += 1
            return line.decode(self.encoding) if self._decode else line
        except UnicodeDecodeError as exc:
            near = "" if self._decode else "near "
            raise InputError(f"{self.path}, {near}line {self.number + (not self._decode)}: "
                             f"not {self.encoding} text ({exc.reason}); give the file's "
                             f"encoding with --encoding, e.g. --encoding latin-1") from None
