"""What every reader of `gdfast fit FILE` shares: the error type, the choice of
columns by name or position, and the checks that turn chosen columns into x and y.

Every problem with a file is an InputError whose message is one line naming the
file and what is wrong (and the line, member or index where it is); the CLI
prints it as is and exits 2.
"""
import os
from dataclasses import dataclass

import numpy as np

# elements checked at a time for NaN and inf (8 MB of float64)
_BLOCK = 1 << 20


class InputError(Exception):
    """A data file or an option that cannot be used as asked; the message is for the user."""


@dataclass(frozen=True)
class Data:
    """The columns read from a data file.

    ``x`` has shape (N,) for one x column, else (N, k) in Fortran order (the
    order the d-feature kernel reads fastest); ``dropped`` counts the rows left
    out by ``dropna`` because a chosen cell was missing.
    """

    x: np.ndarray
    y: np.ndarray
    y_name: str
    x_names: list
    dropped: int = 0


def one_line(text, limit=300):
    """``text`` on one line, at most ``limit`` characters: for messages quoting a file or a library."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def quoted(text, limit=40):
    """``repr`` of a cell's text for a message, cut to ``limit`` characters with its length."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def check_names(path, names):
    """Refuse fewer than two columns, and a name that appears twice."""
    if len(names) < 2:
        raise InputError(f"{path}: found {len(names)} column(s); need y and at least one x")
    first = {}
    for j, name in enumerate(names):
        if name in first:
            raise InputError(f"{path}: the column name {quoted(name)} appears twice (columns "
                             f"{first[name]} and {j}); rename one")
        first[name] = j


def choose_columns(path, names, y, x):
    """Column positions (y, [x, ...]) from names or 0-based positions; defaults: y the last."""
    check_names(path, names)
    y_index = _column_index(path, names, y) if y is not None else len(names) - 1
    if x is None:
        x_indices = [j for j in range(len(names)) if j != y_index]
    else:
        x_indices = [_column_index(path, names, spec) for spec in x]
    if y_index in x_indices:
        raise InputError(f"{path}: column {names[y_index]!r} is both y and x")
    if len(set(x_indices)) != len(x_indices):
        twice = next(j for j in x_indices if x_indices.count(j) > 1)
        raise InputError(f"{path}: column {names[twice]!r} is chosen twice as x")
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
    shown = ", ".join(names) if len(names) <= 20 else ", ".join(names[:20]) + ", ..."
    raise InputError(f"{path}: unknown column {quoted(spec)}; the columns are {shown} "
                     f"(or 0..{len(names) - 1} by position)")


def check_numeric(path, name, column, where="column"):
    """Refuse a column whose dtype is not a number (bool, int, uint or float)."""
    if column.dtype.kind not in "biuf":
        raise InputError(f"{path}: {where} {name!r} is not numeric (dtype {column.dtype})")


def finite_columns(path, columns, names, dropna, where="column"):
    """Check the chosen columns of a binary file: NaN is a missing cell, ±inf an error.

    Parameters
    ----------
    columns : dict
        ``{position: 1-D array}`` of the chosen columns, all of one length.
    dropna : bool
        Drop the rows with a NaN in any chosen column, instead of refusing them.

    Returns
    -------
    columns : dict
        The same columns (untouched when nothing is dropped, copies of the kept rows
        otherwise).
    dropped : int
        Rows left out.

    Raises
    ------
    InputError
        Naming the first index (over all columns) holding an infinite value, or
        without ``dropna`` a NaN.
    """
    floats = {j: column for j, column in columns.items() if column.dtype.kind == "f"}
    first_nan, first_inf = {}, {}
    for j, column in floats.items():
        for start in range(0, len(column), _BLOCK):  # blocks: no temporary the size of the data
            block = column[start:start + _BLOCK]
            if np.isfinite(block).all():
                continue
            infinite = np.flatnonzero(np.isinf(block))
            if infinite.size and j not in first_inf:
                first_inf[j] = start + infinite[0]
            if np.isnan(block).any() and j not in first_nan:
                first_nan[j] = start + np.flatnonzero(np.isnan(block))[0]
    if first_inf:
        j = min(first_inf, key=first_inf.get)
        raise InputError(f"{path}: {where} {names[j]!r} has an infinite value "
                         f"({columns[j][first_inf[j]]}) at index {first_inf[j]}")
    if not first_nan:
        return columns, 0
    if not dropna:
        j = min(first_nan, key=first_nan.get)
        raise InputError(f"{path}: {where} {names[j]!r} has a missing value (NaN) at index "
                         f"{first_nan[j]}; drop such rows with --dropna")
    keep = np.ones(len(next(iter(columns.values()))), dtype=bool)
    for j in first_nan:
        keep &= ~np.isnan(columns[j])
    return {j: column[keep] for j, column in columns.items()}, int(keep.size - keep.sum())


def assemble(path, columns, names, y_index, x_indices, dropped=0):
    """x and y from the chosen columns (numeric, finite, one length): a ``Data``.

    ``columns`` is ``{position: column}``, a column being a 1-D array or a list
    of 1-D arrays (its chunks, as a parser returns them: joined here, once,
    straight into x).  It is emptied of the x columns it copies.
    """
    y = joined(columns[y_index])
    if len(y) == 0:
        raise InputError(f"{path}: no data rows" + (" left after --dropna" if dropped else ""))
    if len(x_indices) == 1:
        x = joined(columns[x_indices[0]])
    else:
        # one copy, column by column, in the order the d-feature kernel reads fastest
        dtype = np.result_type(*(_dtype(columns[j]) for j in x_indices))
        x = np.empty((len(y), len(x_indices)), dtype=dtype, order="F")
        for k, j in enumerate(x_indices):
            joined(columns.pop(j), out=x[:, k])  # the caller's copy goes once it is used
    return Data(x, y, names[y_index], [names[j] for j in x_indices], dropped)


def _dtype(column):
    return column[0].dtype if isinstance(column, list) else column.dtype


def joined(column, out=None):
    """A column (an array, or a list of arrays: its chunks) as one array, into ``out`` if given."""
    if not isinstance(column, list):
        if out is None:
            return column
        out[...] = column
        return out
    if out is None and len(column) == 1:
        return column[0]
    return np.concatenate(column, out=out) if column else np.empty(0)


def arrow_chunks(column):
    """A pyarrow ChunkedArray of fixed-width numbers, without nulls, as a list of NumPy
    views of its chunks' buffers (no copy; ``assemble`` joins them).

    Not ``to_numpy()``, which imports pandas when it is installed: most of a second,
    longer than reading a million rows.
    """
    views = []
    for chunk in column.chunks:
        dtype = np.dtype(chunk.type.to_pandas_dtype())
        data = chunk.buffers()[1]
        views.append(np.empty(0, dtype) if data is None else
                     np.frombuffer(data, dtype=dtype, count=len(chunk),
                                   offset=dtype.itemsize * chunk.offset))
    return views or [np.empty(0, np.dtype(column.type.to_pandas_dtype()))]


def available_memory():
    """Bytes this process can still allocate, as far as the system says; None if unknown.

    The least of: the memory the kernel reports available (Linux ``MemAvailable``,
    else the free physical pages), the room left under an address-space limit
    (``ulimit -v``), and the room left under a cgroup v2 memory limit.
    """
    limits = [_meminfo_available(), _address_space_room(), _cgroup_room()]
    limits = [limit for limit in limits if limit is not None]
    return min(limits) if limits else None


def _meminfo_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _address_space_room():
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        return max(0, soft - used)
    except (ImportError, OSError, ValueError, IndexError):
        return None


def _cgroup_room():
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as f:
            return max(0, int(limit) - int(f.read().strip()))
    except (OSError, ValueError):
        return None


def check_memory(path, needed, what):
    """Refuse to read ``needed`` bytes when the system says less memory is available."""
    room = available_memory()
    if room is not None and needed > room:
        raise InputError(f"{path}: {what} would take {_size(needed)} once read, more than the "
                         f"{_size(room)} of memory available")


def _size(n):
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}" if unit != "bytes" else f"{n} bytes"
        n /= 1000
