"""Parquet files for `gdfast fit FILE` (needs pyarrow).

The schema and row count come from the file's footer: the chosen columns must
be numeric and fit in the memory available before any page is read.  A null is
a missing cell (refused, or its row dropped with ``dropna``), like NaN.
"""
from ._table import (InputError, arrow_chunks, assemble, check_memory, choose_columns,
                     finite_columns, joined, one_line)


def read_parquet(path, y=None, x=None, *, dropna=False):
    """The y and x columns of a Parquet file; a ``Data``."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f'{path}: reading Parquet needs pyarrow: pip install '
                         f'"gdfast[parquet]"') from None
    damaged = (pa.ArrowException, OSError, ValueError, EOFError)
    try:
        parquet = pq.ParquetFile(path)
        schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
    except MemoryError:
        raise
    except damaged as exc:
        raise InputError(f"{path}: cannot read as Parquet: {one_line(exc)}") from None
    with parquet:
        names = list(schema.names)
        y_index, x_indices = choose_columns(path, names, y, x)
        wanted = [y_index, *x_indices]
        for j in wanted:
            kind = schema.field(j).type
            if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                    or pa.types.is_boolean(kind) or pa.types.is_decimal(kind)):
                raise InputError(f"{path}: column {names[j]!r} is not numeric (type {kind})")
        # arrow's buffers, then NumPy's copies
        check_memory(path, 2 * 8 * rows * len(wanted),
                     f"the columns {', '.join(repr(names[j]) for j in wanted)}")
        try:
            table = parquet.read(columns=[names[j] for j in wanted])
        except MemoryError:
            raise
        except damaged as exc:
            raise InputError(f"{path}: cannot read as Parquet: {one_line(exc)}") from None
    columns, missing = {}, None
    for j in wanted:
        column = table.column(names[j])
        if pa.types.is_decimal(column.type):
            column = pc.cast(column, pa.float64())
        elif pa.types.is_boolean(column.type):  # one bit a value: as bytes
            column = pc.cast(column, pa.uint8())
        if column.null_count:
            nulls = pc.is_null(column)
            if not dropna:
                first = pc.index(nulls, True).as_py()
                raise InputError(f"{path}: column {names[j]!r} has a missing value (null) at "
                                 f"row {first}; drop such rows with --dropna")
            missing = nulls if missing is None else pc.or_(missing, nulls)
        columns[j] = column
    dropped = 0
    if missing is not None:
        keep = pc.invert(missing)
        columns = {j: pc.filter(column, keep) for j, column in columns.items()}
        dropped = table.num_rows - len(columns[y_index])
    columns = {j: joined(arrow_chunks(column)) for j, column in columns.items()}
    columns, more = finite_columns(path, columns, names, dropna)
    return assemble(path, columns, names, y_index, x_indices, dropped + more)
