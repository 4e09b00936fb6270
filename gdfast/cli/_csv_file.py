"""CSV files for `gdfast fit FILE`, read by a real parser.

pyarrow's multi-threaded CSV reader when pyarrow is installed, NumPy's C reader
(``np.loadtxt``) otherwise; both parse only after ``_csv_format`` has worked out
the encoding, delimiter and header.  A file they refuse, or in which they find
a missing or non-finite value, is read again by the checked reader
(``_csv_checked``), which names the line and column of the problem (or, for a
form they do not take, returns the columns).  So every reader gives the same
columns, and every error the same message.
"""
import csv
import io
import warnings

import numpy as np

from ._csv_checked import read_checked
from ._csv_format import MISSING, detect, is_blank, split_lines
from ._table import InputError, arrow_chunks, assemble, choose_columns

READERS = ("pyarrow", "numpy", "checked")
# pyarrow parses blocks of this size in parallel; a row must fit in one
BLOCK_BYTES = 4 << 20


def default_reader():
    """"pyarrow" when it is installed, else "numpy"."""
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return "numpy"
    return "pyarrow"


def read_csv(path, y=None, x=None, *, encoding=None, delimiter=None, header=None, dropna=False,
             reader=None):
    """Read the y and x columns of a CSV file (see ``_data_file.load_xy``); a ``Data``.

    ``reader`` is one of READERS (default: ``default_reader()``): the fast
    reader tried first; "checked" reads with the checked reader alone.
    """
    fmt = detect(path, encoding, delimiter, header)
    if len(fmt.names) < 2:
        raise InputError(f"{path}: found {len(fmt.names)} column(s) with delimiter "
                         f"{fmt.delimiter!r}; need y and at least one x (--delimiter sets "
                         f"another delimiter)")
    y_index, x_indices = choose_columns(path, fmt.names, y, x)
    wanted = [y_index, *x_indices]
    reader = reader or default_reader()
    fast = {"pyarrow": _read_pyarrow, "numpy": _read_numpy}.get(reader)
    result = fast(path, fmt, wanted, dropna) if fast else None
    columns, dropped = result if result is not None else read_checked(path, fmt, wanted, dropna)
    return assemble(path, columns, fmt.names, y_index, x_indices, dropped)


def _read_pyarrow(path, fmt, wanted, dropna):
    """({position: column}, dropped), or None for the checked reader to take over."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    names = [f"c{j}" for j in range(len(fmt.names))]  # the file's own may be anything
    chosen = [names[j] for j in wanted]
    options = dict(
        read_options=pa_csv.ReadOptions(
            column_names=names, block_size=BLOCK_BYTES,
            encoding="utf8" if fmt.encoding == "utf-8" else fmt.encoding),
        parse_options=pa_csv.ParseOptions(
            delimiter=fmt.delimiter, quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=False, ignore_empty_lines=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.float64() for name in chosen}, include_columns=chosen,
            null_values=sorted(MISSING), quoted_strings_can_be_null=True))
    try:
        with pa.memory_map(str(path)) as source:
            source.seek(fmt.data_offset)
            table = pa_csv.read_csv(source, **options)
    except MemoryError:
        raise
    except (pa.ArrowException, ValueError, UnicodeError):  # the checked reader says why
        return None
    if _ends_in_an_open_quote(path, fmt):
        return None  # pyarrow takes it as a cell running to the end; the checked reader refuses
    dropped = 0
    if any(table.column(name).null_count for name in chosen):
        if not dropna:
            return None  # the checked reader names the first missing cell's line
        import pyarrow.compute as pc  # only here: importing it takes a tenth of a second
        if any(pc.any(pc.invert(pc.is_finite(table.column(name)))).as_py() for name in chosen):
            return None  # inf (or nan), an error even in a row that --dropna would drop
        valid = [pc.is_valid(table.column(name)) for name in chosen]
        keep = valid[0]
        for more in valid[1:]:
            keep = pc.and_(keep, more)
        before = table.num_rows
        table = table.filter(keep)
        dropped = before - table.num_rows
    # each column as its chunks' buffers (no copy): assemble joins them into x and y
    columns = {j: arrow_chunks(table.column(name)) for j, name in zip(wanted, chosen)}
    if not all(np.isfinite(chunk).all() for column in columns.values() for chunk in column):
        return None  # inf, or a NaN written in a way that is not a missing-value marker
    return columns, dropped


def _ends_in_an_open_quote(path, fmt, tail_bytes=1 << 20):
    """True if the file's last row leaves a quote open (or its last line is too long to tell).

    pyarrow, told that no cell holds a line end, takes a quote opened on the last line
    as a cell running to the end of the file; Python's csv module (strict) refuses it.
    """
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        start = max(fmt.data_offset, size - tail_bytes)
        start += -(start - fmt.data_offset) % 4  # whole UTF-16/32 code units from the data
        f.seek(start)
        tail = f.read().decode(fmt.encoding, errors="replace")
    lines = [line for line in split_lines(tail) if not is_blank(line, fmt.delimiter)]
    if not lines or '"' not in lines[-1]:
        return False
    if len(lines) == 1 and start > fmt.data_offset:
        return True  # the last line began before the tail read: let the checked reader tell
    try:
        for _ in csv.reader(lines[-1:], delimiter=fmt.delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _read_numpy(path, fmt, wanted, dropna):
    """({position: column}, 0), or None for the checked reader to take over.

    np.loadtxt reads every column (so a row with a wrong number of cells is
    refused, which it does not check for the columns it skips) and has no
    missing values: a file with one goes to the checked reader.
    """
    with open(path, "rb") as f:
        f.seek(fmt.data_offset)
        text = io.TextIOWrapper(f, encoding=fmt.encoding)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": checked below
            try:
                table = np.loadtxt(text, dtype=np.float64, delimiter=fmt.delimiter,
                                   comments=None, quotechar='"', ndmin=2)
            except (ValueError, UnicodeError):
                return None
            finally:
                text.detach()  # the file is closed by its own `with`
    if table.shape[0] == 0 or table.shape[1] != len(fmt.names):
        return None
    columns = {j: table[:, j] for j in wanted}
    if not all(np.isfinite(column).all() for column in columns.values()):
        return None
    return columns, 0
