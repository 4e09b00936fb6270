""".npy and .npz files for `gdfast fit FILE`.

A .npy file is memory-mapped, so only the chosen columns are ever read.  An
.npz archive is checked from its headers before any array is read: each
member must be a .npy file whose header (shape and dtype) accounts for exactly
the member's size in the zip directory, holding a 1-D numeric array; the
chosen members together must fit in the memory available.  A compressed member
therefore cannot decompress to more than its header says (zipfile stops at the
directory's size and checks the CRC), and an archive whose arrays would not fit
is refused before it is read.
"""
import math
import tokenize
import zipfile
import zlib

import numpy as np

from ._table import (InputError, assemble, check_memory, check_numeric, choose_columns,
                     finite_columns, one_line)

# what reading a damaged archive or array header can raise (besides MemoryError); NumPy
# parses an old-style header with the tokenize module, which raises its own errors
_DAMAGED = (ValueError, TypeError, OverflowError, OSError, EOFError, zipfile.BadZipFile,
            zlib.error, NotImplementedError, RuntimeError, SyntaxError, tokenize.TokenError)


# the most columns of a 2-D .npy array (each a name and a view)
MAX_COLUMNS = 100_000


def positional_names(count):
    """Names of unnamed columns: x0, x1, ... for all but the last, which is y (the default y)."""
    return [f"x{j}" for j in range(count - 1)] + ["y"]


def read_npy(path, y=None, x=None, *, dropna=False):
    """The y and x columns of a 2-D or structured .npy array; a ``Data``.

    A structured array's field is a column; a field holding a sub-array of
    shape s is one column per element, named ``field[i]`` (``field[i,j]``, ...).
    A 2-D array's columns are named like a headerless CSV's: x0, x1, ..., y.
    """
    try:
        # memory-mapped: only the chosen columns are ever read
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except MemoryError:
        raise
    except _DAMAGED as exc:
        raise InputError(f"{path}: cannot read as .npy: {one_line(exc)}") from None
    if not isinstance(array, np.ndarray):  # np.load opened a zip archive
        array.close()
        raise InputError(f"{path}: this is an .npz archive, not a .npy array; name it .npz")
    if array.dtype.names and array.ndim == 1:
        names, columns = _fields(array)
    elif array.dtype.names:
        raise InputError(f"{path}: expected a 1-D structured array (one field per column), "
                         f"got shape {array.shape}")
    elif array.ndim == 2:
        if array.shape[1] > MAX_COLUMNS:
            raise InputError(f"{path}: {array.shape[1]} columns; gdfast fit reads at most "
                             f"{MAX_COLUMNS} (is the array transposed?)")
        names = positional_names(array.shape[1])
        columns = [array[:, j] for j in range(array.shape[1])]
    else:
        raise InputError(f"{path}: expected a 2-D array (rows x columns) or a structured "
                         f"array, got shape {array.shape}")
    y_index, x_indices = choose_columns(path, names, y, x)
    chosen = {j: columns[j] for j in [y_index, *x_indices]}
    for j, column in chosen.items():
        check_numeric(path, names[j], column)
    chosen, dropped = finite_columns(path, chosen, names, dropna)
    return assemble(path, chosen, names, y_index, x_indices, dropped)


def _fields(array):
    """(names, columns) of a structured array, one per element of a sub-array field."""
    names, columns = [], []
    for field in array.dtype.names:
        values = array[field]
        if values.ndim == 1:
            names.append(field)
            columns.append(values)
            continue
        for index in np.ndindex(*values.shape[1:]):
            names.append(f"{field}[{','.join(map(str, index))}]")
            columns.append(values[(slice(None), *index)])
    return names, columns


def read_npz(path, y=None, x=None, *, dropna=False):
    """The y and x columns of an .npz archive holding one 1-D array per column; a ``Data``."""
    try:
        archive = zipfile.ZipFile(path)
    except MemoryError:
        raise
    except _DAMAGED as exc:
        raise InputError(f"{path}: cannot read as .npz (a zip archive of .npy files): "
                         f"{one_line(exc)}") from None
    with archive:
        members = archive.infolist()
        for info in members:
            if not info.filename.endswith(".npy"):
                raise InputError(f"{path}: member {info.filename!r} is not a .npy array (an "
                                 f".npz holds one .npy array per column)")
        names = [info.filename[:-len(".npy")] for info in members]
        y_index, x_indices = choose_columns(path, names, y, x)
        wanted = [y_index, *x_indices]
        headers = {j: _member_header(path, archive, members[j], names[j]) for j in wanted}
        lengths = {headers[j][0][0] for j in wanted}
        if len(lengths) > 1:
            shown = ", ".join(f"{names[j]!r}: {headers[j][0][0]}" for j in wanted)
            raise InputError(f"{path}: the chosen members have different lengths ({shown})")
        check_memory(path, sum(headers[j][2] for j in wanted),
                     f"the members {', '.join(repr(names[j]) for j in wanted)}")
        columns = {j: _member_array(path, archive, members[j], names[j]) for j in wanted}
    columns, dropped = finite_columns(path, columns, names, dropna, where="member")
    return assemble(path, columns, names, y_index, x_indices, dropped)


def _member_header(path, archive, info, name):
    """(shape, dtype, bytes of data) from a member's .npy header, checked against its size."""
    try:
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise ValueError(f"format version {version[0]}.{version[1]} is not read here "
                                 f"(save it with np.savez)")
            header_bytes = member.tell()
    except MemoryError:
        raise
    except _DAMAGED as exc:
        raise InputError(f"{path}: member {name!r}: not a readable .npy array: "
                         f"{one_line(exc)}") from None
    if dtype.hasobject:
        raise InputError(f"{path}: member {name!r} holds Python objects (dtype {dtype}); only "
                         f"numeric arrays are read (no pickles)")
    if len(shape) != 1:
        raise InputError(f"{path}: member {name!r} has shape {shape}; each column must be a "
                         f"1-D array")
    if dtype.kind not in "biuf":
        raise InputError(f"{path}: member {name!r} is not numeric (dtype {dtype})")
    data_bytes = math.prod(shape) * dtype.itemsize
    if header_bytes + data_bytes != info.file_size:
        raise InputError(f"{path}: member {name!r} is damaged: its header says {shape[0]} "
                         f"values of {dtype} ({data_bytes} bytes), the member holds "
                         f"{max(0, info.file_size - header_bytes)} bytes of data")
    return shape, dtype, data_bytes


def _member_array(path, archive, info, name):
    """The member's array, read to its end so that zipfile checks its CRC."""
    try:
        with archive.open(info) as member:
            array = np.lib.format.read_array(member, allow_pickle=False)
            member.read()  # nothing left: reaching the end checks the CRC
    except MemoryError:
        raise
    except _DAMAGED as exc:
        raise InputError(f"{path}: member {name!r} is damaged: {one_line(exc)}") from None
    check_numeric(path, name, array, where="member")
    return array
