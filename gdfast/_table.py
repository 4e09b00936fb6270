"""Columns out of data files for `gdfast fit FILE`: CSV, .npy, .npz, Parquet.

Every problem with a file is an InputError whose message is one line naming
the file and, for CSV, the line and column (the CLI prints it as is).
"""
import csv
import math
from array import array
from pathlib import Path

import numpy as np


class InputError(Exception):
    """A data file that cannot be read as asked; the message is for the user."""


def load_xy(path, y=None, x=None):
    """Read the y column and the x column(s) of a data file.

    Parameters
    ----------
    path : str or Path
        ``.csv`` / ``.txt`` (comma-separated, ``.tsv`` tab-separated, with
        or without a header line), ``.npy`` (a 2-D or structured array),
        ``.npz`` (one 1-D array per column) or ``.parquet`` (needs pyarrow).
    y : str, optional
        The y column by name or 0-based index; by default the last column.
    x : list of str, optional
        The x column(s) likewise; by default every column but y.

    Returns
    -------
    x : ndarray, shape (N,) for one x column, else (N, k)
    y : ndarray, shape (N,)
    y_name : str
    x_names : list of str
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    readers = {".csv": _read_csv, ".txt": _read_csv, ".tsv": _read_csv, ".npy": _read_npy,
               ".npz": _read_npz, ".parquet": _read_parquet, ".pq": _read_parquet}
    if suffix not in readers:
        raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}; "
                         f"use .csv, .tsv, .npy, .npz or .parquet")
    return readers[suffix](path, y, x)


def _select(path, names, y, x):
    """Column indices (y, [x...]) from names or 0-based indices."""
    if len(names) < 2:
        raise InputError(f"{path}: found {len(names)} column(s); need y and at least one x")
    y_index = _column_index(path, names, y) if y is not None else len(names) - 1
    if x is None:
        x_indices = [j for j in range(len(names)) if j != y_index]
    else:
        x_indices = [_column_index(path, names, spec) for spec in x]
    if y_index in x_indices:
        raise InputError(f"{path}: column {names[y_index]!r} is both y and x")
    return y_index, x_indices


def _column_index(path, names, spec):
    if spec in names:  # a name wins over an index that looks the same
        return names.index(spec)
    try:
        index = int(spec)
    except ValueError:
        pass
    else:
        if -len(names) <= index < len(names):
            return index % len(names)
    raise InputError(f"{path}: unknown column {spec!r}; the columns are "
                     f"{', '.join(names)} (or 0..{len(names) - 1} by position)")


def _stack(path, columns, names, y_index, x_indices):
    """Check each chosen column is numeric, then shape (x, y, y_name, x_names)."""
    for j in [y_index, *x_indices]:
        if np.asarray(columns[j]).dtype.kind not in "biuf":
            raise InputError(f"{path}: column {names[j]!r} is not numeric "
                             f"(dtype {np.asarray(columns[j]).dtype})")
    y = columns[y_index]
    if len(x_indices) == 1:
        x = columns[x_indices[0]]
    else:
        x = np.column_stack([columns[j] for j in x_indices])
    return x, y, names[y_index], [names[j] for j in x_indices]


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path, y, x):
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        first = next(reader, None)
        while first is not None and not any(cell.strip() for cell in first):
            first = next(reader, None)
        if first is None:
            raise InputError(f"{path}: the file is empty")
        has_header = not all(_is_number(cell) for cell in first)
        names = [c.strip() for c in first] if has_header else [str(j) for j in range(len(first))]
        y_index, x_indices = _select(path, names, y, x)
        wanted = [y_index, *x_indices]
        # 8 bytes per value, not a Python float each
        values = {j: array("d") for j in wanted}
        rows = [] if has_header else [(reader.line_num, first)]
        for line, row in _numbered(reader, rows):
            if len(row) != len(names):
                raise InputError(f"{path}, line {line}: expected {len(names)} cells, "
                                 f"got {len(row)}")
            for j in wanted:
                values[j].append(_cell(path, line, names[j], row[j]))
    if not values[y_index]:
        raise InputError(f"{path}: no data rows")
    columns = {j: np.frombuffer(v, dtype=np.float64) for j, v in values.items()}
    return _stack(path, columns, names, y_index, x_indices)


def _numbered(reader, first_rows):
    """(line number, cells) of the data rows, skipping blank lines."""
    yield from first_rows
    for row in reader:
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def _cell(path, line, name, text):
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path}, line {line}, column {name!r}: {text.strip()!r} is not "
                         f"a number") from None
    if not math.isfinite(value):
        raise InputError(f"{path}, line {line}, column {name!r}: {text.strip()!r} is not "
                         f"a finite number")
    return value


def _read_npy(path, y, x):
    try:
        # memory-mapped: only the chosen columns are ever read
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError) as exc:  # EOFError: an empty file
        raise InputError(f"{path}: cannot read as .npy: {exc}") from None
    if array.dtype.names:
        names = list(array.dtype.names)
        columns = [array[name] for name in names]
    elif array.ndim == 2:
        names = [str(j) for j in range(array.shape[1])]
        columns = [array[:, j] for j in range(array.shape[1])]
    else:
        raise InputError(f"{path}: expected a 2-D array (rows x columns) or a structured "
                         f"array, got shape {array.shape}")
    y_index, x_indices = _select(path, names, y, x)
    return _stack(path, columns, names, y_index, x_indices)


def _read_npz(path, y, x):
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:  # EOFError: an empty file
        raise InputError(f"{path}: cannot read as .npz: {exc}") from None
    with archive:
        names = list(archive.files)
        y_index, x_indices = _select(path, names, y, x)
        columns = {j: archive[names[j]] for j in [y_index, *x_indices]}
    for j, column in columns.items():
        if column.ndim != 1:
            raise InputError(f"{path}: member {names[j]!r} has shape {column.shape}; "
                             f"each column must be a 1-D array")
    return _stack(path, columns, names, y_index, x_indices)


def _read_parquet(path, y, x):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        names = list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid and OSError types
        raise InputError(f"{path}: cannot read as Parquet: {exc}") from None
    y_index, x_indices = _select(path, names, y, x)
    table = pq.read_table(path, columns=[names[j] for j in [y_index, *x_indices]])
    columns = {}
    for j in [y_index, *x_indices]:
        column = table.column(names[j])
        if column.null_count:
            raise InputError(f"{path}: column {names[j]!r} has {column.null_count} missing "
                             f"value(s)")
        columns[j] = column.to_numpy()
    return _stack(path, columns, names, y_index, x_indices)
