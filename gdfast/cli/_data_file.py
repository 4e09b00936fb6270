"""Columns out of data files for `gdfast fit FILE`: CSV, .npy, .npz, Parquet.

Picks the reader by the file's suffix.  Every problem with the file, whatever
the reader, is an InputError whose message is one line naming the file and,
where it can, the line, member or index and the column.
"""
from pathlib import Path

from ._csv_file import read_csv
from ._numpy_files import read_npy, read_npz
from ._parquet_file import read_parquet
from ._table import InputError

READERS = {".csv": read_csv, ".txt": read_csv, ".tsv": read_csv, ".npy": read_npy,
           ".npz": read_npz, ".parquet": read_parquet, ".pq": read_parquet}
CSV_ONLY = ("encoding", "delimiter", "header")


def load_xy(path, y=None, x=None, *, encoding=None, delimiter=None, header=None, dropna=False):
    """Read the y column and the x column(s) of a data file.

    Parameters
    ----------
    path : str or Path
        ``.csv`` / ``.txt`` / ``.tsv`` (see ``_csv_format`` for how the encoding,
        delimiter and header are found), ``.npy`` (a 2-D or structured array),
        ``.npz`` (one 1-D array per column) or ``.parquet`` / ``.pq`` (needs pyarrow).
    y : str, optional
        The y column by name or 0-based position; by default the last column.
    x : list of str, optional
        The x column(s) likewise; by default every column but y.
    encoding, delimiter : str, optional
        CSV only: the text encoding and the cell delimiter, when not found from the file.
    header : bool, optional
        CSV only: whether the first non-blank row names the columns (default: guessed).
    dropna : bool
        Drop the rows where a chosen cell is missing (an empty or ``NA`` cell, NaN,
        a Parquet null) instead of refusing the file.

    Returns
    -------
    Data
        ``x`` (shape (N,) for one x column, else (N, k)), ``y``, ``y_name``,
        ``x_names`` and ``dropped`` (rows left out by ``dropna``).

    Raises
    ------
    InputError
        The file cannot be read as asked; the message names it and what is wrong.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}; "
                         f"use .csv, .tsv, .txt, .npy, .npz or .parquet")
    options = {"encoding": encoding, "delimiter": delimiter, "header": header}
    if READERS[suffix] is not read_csv:
        given = [f"--{name}" if value is not False else "--no-header"
                 for name, value in options.items() if value is not None]
        if given:
            raise InputError(f"{path}: {', '.join(given)} applies to CSV files only")
        options = {}
    try:
        return READERS[suffix](path, y, x, dropna=dropna, **options)
    except MemoryError:
        raise InputError(f"{path}: not enough memory to read it") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror or exc}") from None
