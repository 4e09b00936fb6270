"""Fuzzing the readers: `gdfast fit` on damaged CSV, .npy, .npz and Parquet files.

From valid files, with a fixed seed: random bytes of the same length, cuts at
random points, and random bit flips.  Every damaged file must either be
refused with exit code 2 and exactly one line on stderr naming it, or, when the
damage left a valid file, fit normally on the numbers an independent reader
(pandas, np.load, pyarrow) finds in it.  For CSV the three readers (pyarrow's,
NumPy's, the checked one) must also agree, value for value or word for word.
The counts of each outcome are checked to be non-trivial (the fuzzing reaches
both outcomes) and printed with ``pytest -s``.
"""
import contextlib
import io
import json
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import gdfast
from gdfast.cli._csv_file import READERS, read_csv
from gdfast.cli._csv_format import MISSING, detect
from gdfast.cli._table import InputError
from gdfast.cli import main

SEED = 20261202
CASES_PER_MUTATION = 40  # per file and kind of damage: 600 files, a few seconds in all
FIT = ["--json", "--learning-rate", "0.05", "--max-iter", "20", "--tol", "none"]


def _valid_files():
    """{name: bytes} of small valid files holding the same 3-column table.

    "export.csv" is what a spreadsheet writes: a byte-order mark, ';', CRLF,
    quoted cells, a blank line, and missing cells (read with --dropna).
    """
    rng = np.random.default_rng(SEED)
    table = np.round(rng.normal(size=(12, 3)), 3)
    rows = [[repr(v) for v in row] for row in table.tolist()]
    files = {"plain.csv": ("a,b,y\n" + "".join(",".join(row) + "\n" for row in rows)).encode()}
    rows[3][1], rows[7][2] = "NA", ""
    files["export.csv"] = ("\ufeff\"a\";\"b\";\"y\"\r\n" + "\r\n".join(
        ";".join(f'"{cell}"' if k % 2 else cell for k, cell in enumerate(row)) + ("\r\n" if i == 5
                                                                                  else "")
        for i, row in enumerate(rows)) + "\r\n").encode()
    buffer = io.BytesIO()
    np.save(buffer, table)
    files["array.npy"] = buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, a=table[:, 0], b=table[:, 1], y=table[:, 2])
    files["arrays.npz"] = buffer.getvalue()
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": table[:, 0], "b": table[:, 1], "y": table[:, 2]}), buffer)
    files["table.parquet"] = buffer.getvalue()
    return files


def _damaged(raw, kind, rng):
    if kind == "random bytes":
        return rng.bytes(len(raw))
    if kind == "cut":
        return raw[:rng.integers(0, len(raw))]
    flipped = bytearray(raw)
    for k in rng.integers(0, len(raw), size=rng.integers(1, 4)):
        flipped[k] ^= 1 << rng.integers(0, 8)
    return bytes(flipped)


def _independent_read(path, dropna):
    """(x, y, rows dropped) as another library reads the file (y the last column), or None."""
    try:
        if path.suffix == ".csv":
            table = _pandas_cells(path)
        elif path.suffix == ".npy":
            table = np.load(path, allow_pickle=False)
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                table = np.column_stack([archive[name] for name in archive.files])
        else:
            table = pq.read_table(path).to_pandas().to_numpy(dtype=np.float64)
    except Exception:  # noqa: BLE001 - any refusal by the other library: "cannot"
        return None
    if table.ndim != 2 or table.shape[1] < 2:
        return None
    keep = ~np.isnan(table).any(axis=1) if dropna else np.ones(len(table), dtype=bool)
    if not np.isfinite(table[keep]).all():
        return None
    return table[keep, :-1], table[keep, -1], int(len(table) - keep.sum())


def _pandas_cells(path):
    """A CSV file's cells as pandas' tokenizer cuts them, each read as gdfast documents a
    cell: stripped of whitespace, a missing-value marker as NaN, else Python's float.

    The delimiter and whether there is a header are gdfast's guesses (``detect``):
    what is checked here is the values read once those are known.
    """
    fmt = detect(path)
    cells = pd.read_csv(path, sep=fmt.delimiter, header=0 if fmt.header else None, dtype=str,
                        keep_default_na=False, encoding="utf-8").to_numpy()
    if cells.size and any(cell is None or not isinstance(cell, str) for cell in cells.flat):
        raise ValueError("a row with fewer cells than the header")  # pandas fills it in
    return np.array([[np.nan if cell.strip() in MISSING else float(cell.strip())
                      for cell in row] for row in cells], dtype=np.float64).reshape(cells.shape)


def _run_cli(path, options):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["fit", str(path), *FIT, *options])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _csv_readers_agree(path, dropna):
    results = []
    for reader in READERS:
        try:
            data = read_csv(path, reader=reader, dropna=dropna)
            results.append((data.y_name, data.x_names, data.dropped, data.x.tolist(),
                            data.y.tolist()))
        except InputError as exc:
            results.append(str(exc))
    assert all(result == results[0] for result in results), (path.read_bytes(), results)


def _check(path, counts, label):
    dropna = "export" in path.name
    code, out, err = _run_cli(path, ["--dropna"] if dropna else [])
    assert code in (0, 1, 2), (label, path.read_bytes()[:200], code, err)
    if code == 2:
        assert out == "" and err.count("\n") == 1, (label, err)
        assert err.startswith(f"gdfast fit: error: {path}") and "Traceback" not in err, err
        counts[label, "refused"] += 1
        return
    # the damage left a valid file: a normal result, on the numbers another reader finds
    result = json.loads(out)
    other = _independent_read(path, dropna)
    assert other is not None, (label, path.read_bytes()[:200], result)
    x, y, dropped = other
    assert (result["n_points"], len(result["x"]), result["rows_dropped"]) == (
        len(y), x.shape[1], dropped), (path.read_bytes(), result)
    with warnings.catch_warnings():  # the CLI reports them on stderr; only numbers here
        warnings.simplefilter("ignore")
        try:
            expected = gdfast.fit(x[:, 0] if x.shape[1] == 1 else x, y, learning_rate=0.05,
                                  max_iter=20, tol=None)
        except gdfast.DivergenceError as exc:  # a flipped bit can make a huge number
            expected = exc.result
            assert code == 1 and result["status"] == "diverged"
    assert result["coef"] == expected.coef.tolist() and result["intercept"] == expected.intercept
    counts[label, "read"] += 1


def test_damaged_files_are_refused_in_one_line_or_read_correctly(tmp_path):
    rng = np.random.default_rng(SEED)
    counts = Counter()
    files = _valid_files()
    for name, raw in files.items():
        stem, suffix = name.split(".")
        for kind in ("random bytes", "cut", "bit flips"):
            for case in range(CASES_PER_MUTATION):
                path = tmp_path / f"{stem}-{kind.replace(' ', '-')}-{case}.{suffix}"
                path.write_bytes(_damaged(raw, kind, rng))
                _check(path, counts, (name, kind))
                if suffix == "csv":
                    _csv_readers_agree(path, dropna=stem == "export")
    print("\nfuzzed files, by outcome:")
    for key in sorted(counts):
        print(f"  {key[0][0]:14} {key[0][1]:13} {key[1]:8} {counts[key]}")
    assert sum(counts.values()) == len(files) * 3 * CASES_PER_MUTATION
    for name in files:
        assert counts[(name, "random bytes"), "refused"] == CASES_PER_MUTATION
        # bit flips and cuts reach both outcomes
        assert sum(counts[(name, kind), "refused"] for kind in ("cut", "bit flips")) > 0
        assert sum(counts[(name, kind), "read"] for kind in ("cut", "bit flips")) > 0


@pytest.mark.parametrize("name", list(_valid_files()))
def test_the_valid_files_fit(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_valid_files()[name])
    counts = Counter()
    _check(path, counts, (name, "valid"))
    assert counts[(name, "valid"), "read"] == 1
    if name.endswith(".csv"):
        _csv_readers_agree(path, dropna=name.startswith("export"))


# cells of random CSV text: mostly numbers in their many spellings, some missing, a few bad
GOOD_CELLS = ["1", "-2.5", "3", "0.5", "1e5", "+7", ".25", "5.", '"1"', '" 2 "', " 3", "4 ", "\t6",
              "1E-3", "0001"]
MISSING_CELLS = ["", "NA", "nan", "NaN", "null", '""', " NA", "N/A"]
BAD_CELLS = ["a", "inf", "+nan", "1_0", "\x0c8", "\xa09", "1,5", '"1"1', '"', "x\ny", '"a\nb"',
             "-", "é"]


def _random_csv(rng):
    """CSV text with a random delimiter, line end, header or not, blank lines, a short row,
    a byte-order mark, and cells drawn from the lists above."""
    delimiter, end = rng.choice([",", ";", "\t"]), rng.choice(["\n", "\r\n", "\r"])
    columns = rng.integers(2, 4)
    lines = []
    if rng.integers(3):
        lines.append(delimiter.join(rng.choice(["a", "b", "y", '"q"', " c "], size=columns)))
    for _ in range(rng.integers(1, 6)):
        draw = rng.random(columns)
        cells = [rng.choice(GOOD_CELLS) if u < 0.85 else rng.choice(MISSING_CELLS) if u < 0.93
                 else rng.choice(BAD_CELLS) for u in draw]
        lines.append(delimiter.join(cells[:-1] if rng.random() < 0.05 else cells))
        if rng.random() < 0.1:
            lines.append(rng.choice(["", "  ", "\t"]))
    text = end.join(lines) + (end if rng.integers(2) else "")
    return ("\ufeff" if rng.random() < 0.1 else "") + text


def test_random_csv_text_is_read_alike_by_every_reader(tmp_path):
    rng = np.random.default_rng(SEED)
    counts = Counter()
    for case in range(150):
        name = "export" if case % 2 else "plain"  # export: with --dropna
        path = tmp_path / f"{name}-{case}.csv"
        path.write_bytes(_random_csv(rng).encode())
        _csv_readers_agree(path, dropna=name == "export")
        _check(path, counts, ("random text", name))
    print(f"\nrandom CSV text: {dict(counts)}")
    assert min(counts.values()) >= 10 and len(counts) == 4
