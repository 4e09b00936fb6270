""".npy, .npz and Parquet files as `gdfast fit` reads them, hostile ones included.

Each damaged or hostile file is one InputError naming the file and the member or
column, raised from the headers before any array is read where the headers
can tell.
"""
import io
import tracemalloc
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gdfast.cli import _table
from gdfast.cli._data_file import load_xy
from gdfast.cli._table import InputError


def _error(path, *fragments, **options):
    with pytest.raises(InputError) as info:
        load_xy(path, **options)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def _npy_bytes(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


# ---------------------------------------------------------------------------
# .npy
# ---------------------------------------------------------------------------
def test_npy_2d_columns_are_named_like_a_headerless_csv(tmp_path):
    table = np.arange(12.0).reshape(4, 3)
    np.save(tmp_path / "d.npy", table)
    data = load_xy(tmp_path / "d.npy")
    assert (data.y_name, data.x_names) == ("y", ["x0", "x1"])
    np.testing.assert_array_equal(data.x, table[:, :2])
    np.testing.assert_array_equal(data.y, table[:, 2])
    data = load_xy(tmp_path / "d.npy", y="0", x=["2"])
    assert (data.y_name, data.x_names) == ("x0", ["y"])


def test_npy_subarray_field_is_one_column_per_element(tmp_path):
    # the fit must see three features under three names: none dropped from the printed line
    dtype = [("a", "f8", (2,)), ("m", "f4", (2, 2)), ("y", "f8")]
    table = np.zeros(5, dtype=dtype)
    rng = np.random.default_rng(0)
    table["a"], table["m"], table["y"] = (rng.normal(size=(5, 2)), rng.normal(size=(5, 2, 2)),
                                          rng.normal(size=5))
    np.save(tmp_path / "s.npy", table)
    data = load_xy(tmp_path / "s.npy")
    assert data.x_names == ["a[0]", "a[1]", "m[0,0]", "m[0,1]", "m[1,0]", "m[1,1]"]
    np.testing.assert_array_equal(data.x[:, 1], table["a"][:, 1])
    np.testing.assert_array_equal(data.x[:, 4], table["m"][:, 1, 0])
    data = load_xy(tmp_path / "s.npy", y="y", x=["a[1]"])
    np.testing.assert_array_equal(data.x, table["a"][:, 1])
    _error(tmp_path / "s.npy", "unknown column 'a'; the columns are a[0], a[1], m[0,0]", y="a")


def test_npy_hostile(tmp_path):
    path = tmp_path / "d.npy"
    path.write_bytes(_npy_bytes(np.array([[1, None]], dtype=object), allow_pickle=True))
    _error(path, "cannot read as .npy", "Python objects")
    table = np.arange(10.0).reshape(5, 2)
    path.write_bytes(_npy_bytes(table)[:-8])  # cut short
    _error(path, "cannot read as .npy")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12, 2)})
    path.write_bytes(header.getvalue() + b"\0" * 160)
    _error(path, "cannot read as .npy")
    path.write_bytes(_npy_bytes(np.arange(5.0)))
    _error(path, "expected a 2-D array (rows x columns) or a structured array, got shape (5,)")
    np.save(path, np.zeros((1, 200_000), dtype=np.uint8))
    _error(path, "200000 columns; gdfast fit reads at most 100000 (is the array transposed?)")
    nested = np.zeros(3, dtype=[("p", [("q", "f8")]), ("y", "f8")])
    np.save(path, nested)
    _error(path, "column 'p' is not numeric")
    np.savez(tmp_path / "a.npz", x=np.arange(3.0), y=np.arange(3.0))
    (tmp_path / "a.npz").rename(path)
    _error(path, "this is an .npz archive, not a .npy array")


def test_npy_nan_and_inf(tmp_path):
    path = tmp_path / "d.npy"
    np.save(path, np.array([[1.0, 2.0], [np.nan, 3.0], [3.0, 5.0], [4.0, np.nan]]))
    _error(path, "column 'x0' has a missing value (NaN) at index 1; drop such rows with --dropna")
    data = load_xy(path, dropna=True)
    assert data.dropped == 2
    np.testing.assert_array_equal(data.x, [1.0, 3.0])
    np.save(path, np.array([[1.0, 2.0], [np.inf, 3.0]]))
    _error(path, "column 'x0' has an infinite value (inf) at index 1", dropna=True)


# ---------------------------------------------------------------------------
# .npz
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("member", ["x", "y"])
def test_npz_object_member_is_refused_from_its_header(tmp_path, member):
    objects = _npy_bytes(np.array([1.0, None, 3.0], dtype=object), allow_pickle=True)
    numbers = _npy_bytes(np.array([1.0, 2.0, 3.0]))
    path = _zip(tmp_path / "o.npz", {"x.npy": objects if member == "x" else numbers,
                                     "y.npy": objects if member == "y" else numbers})
    _error(path, f"member '{member}' holds Python objects (dtype object)")


def test_npz_bad_crc(tmp_path):
    x = np.arange(1000.0)
    path = _zip(tmp_path / "c.npz", {"x.npy": _npy_bytes(x), "y.npy": _npy_bytes(2 * x)})
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"x.npy") + len("x.npy") + 128 + 4000] ^= 0x01  # inside x's data
    path.write_bytes(bytes(raw))
    _error(path, "member 'x'", "Bad CRC-32")


def test_npz_members_that_are_not_npy(tmp_path):
    path = _zip(tmp_path / "t.npz", {"x.txt": "1 2 3", "y.npy": _npy_bytes(np.arange(3.0))})
    _error(path, "member 'x.txt' is not a .npy array")
    path = _zip(tmp_path / "u.npz", {"x.npy": b"1 2 3", "y.npy": _npy_bytes(np.arange(3.0))})
    _error(path, "member 'x': not a readable .npy array")


def test_npz_header_claiming_1e12_rows_is_refused_before_reading(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12,)})
    path = _zip(tmp_path / "h.npz", {"x.npy": header.getvalue() + b"\0" * 24,
                                     "y.npy": _npy_bytes(np.arange(3.0))})
    _error(path, "member 'x' is damaged: its header says 1000000000000 values of float64 "
                 "(8000000000000 bytes), the member holds 24 bytes of data")


@pytest.mark.parametrize("cut", [10, 200, 400, -30, -1])
def test_npz_cut_short(tmp_path, cut):
    np.savez(tmp_path / "whole.npz", x=np.arange(20.0), y=np.arange(20.0))
    raw = (tmp_path / "whole.npz").read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(raw[:cut])
    _error(path, "cannot read as .npz")


def test_npz_members_of_other_shapes_and_lengths(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, x=np.zeros((3, 2)), y=np.zeros(3))
    _error(path, "member 'x' has shape (3, 2); each column must be a 1-D array")
    np.savez(path, x=np.zeros(3), y=np.zeros(4))
    _error(path, "the chosen members have different lengths ('y': 4, 'x': 3)")
    np.savez(path, x=np.array(["a", "b"]), y=np.zeros(2))
    _error(path, "member 'x' is not numeric (dtype <U1)")


def test_npz_that_would_not_fit_in_memory_is_refused_from_its_headers(tmp_path, monkeypatch):
    # 80 MB of zeros, compressed to about 80 KB: a decompression bomb in miniature
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, x=np.zeros(5_000_000), y=np.zeros(5_000_000))
    assert path.stat().st_size < 1_000_000
    monkeypatch.setattr(_table, "available_memory", lambda: 50_000_000)
    tracemalloc.start()
    try:
        _error(path, "the members 'y', 'x' would take 80 MB once read, more than the 50 MB of "
                     "memory available")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # refused from the headers: nothing was decompressed
    monkeypatch.setattr(_table, "available_memory", lambda: 200_000_000)
    assert load_xy(path).x.shape == (5_000_000,)


def test_npz_bomb_under_an_address_space_limit_in_a_real_process(tmp_path, run_python):
    # the case (a 1.5 MB file that took 1.6 GB), scaled down: 200 MB once read,
    # in a process allowed 100 MB more than it holds after its imports
    np.savez_compressed(tmp_path / "bomb.npz", x=np.zeros(12_500_000), y=np.zeros(12_500_000))
    assert (tmp_path / "bomb.npz").stat().st_size < 1_000_000
    code = ("import os, resource, sys; from gdfast.cli import main; "
            "used = int(open('/proc/self/statm').read().split()[0]) * os.sysconf('SC_PAGE_SIZE'); "
            "resource.setrlimit(resource.RLIMIT_AS, (used + 100_000_000, resource.RLIM_INFINITY)); "
            "sys.exit(main(['fit', 'bomb.npz']))")
    proc = run_python(code)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("gdfast fit: error: bomb.npz: the members 'y', 'x' would "
                                  "take 200 MB once read, more than the ")


def test_available_memory_is_a_positive_number_here():
    room = _table.available_memory()
    assert room is not None and room > 0


# ---------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------
def test_parquet_nulls_types_and_duplicates(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"x": [1.0, None, 3.0, 4.0], "n": pa.array([1, 2, 3, 4], pa.int8()),
                             "y": [2.0, 3.0, float("nan"), 9.0]}), path)
    _error(path, "column 'x' has a missing value (null) at row 1; drop such rows with --dropna")
    data = load_xy(path, dropna=True)
    assert data.dropped == 2 and data.x_names == ["x", "n"]
    np.testing.assert_array_equal(data.x, [[1.0, 1.0], [4.0, 4.0]])
    # several row groups (so several chunks a column), bools, float32 kept as float32
    pq.write_table(pa.table({"b": [True, False, True, True, False],
                             "f": pa.array([0.5, 1.5, 2.5, 3.5, 4.5], pa.float32()),
                             "y": [1.0, 2.0, 3.0, 4.0, 5.0]}), path, row_group_size=2)
    data = load_xy(path)
    np.testing.assert_array_equal(data.x, [[1, 0.5], [0, 1.5], [1, 2.5], [1, 3.5], [0, 4.5]])
    np.testing.assert_array_equal(data.y, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert load_xy(path, x=["f"]).x.dtype == np.float32
    pq.write_table(pa.table({"s": ["a", "b"], "y": [1.0, 2.0]}), path)
    _error(path, "column 's' is not numeric (type string)")
    pq.write_table(pa.Table.from_arrays([pa.array([1.0, 2.0]), pa.array([3.0, 4.0])],
                                        names=["a", "a"]), path)
    _error(path, "the column name 'a' appears twice (columns 0 and 1)")


def test_parquet_corrupt_pages_are_one_line_errors(tmp_path):
    path = tmp_path / "good.parquet"
    rng = np.random.default_rng(0)
    pq.write_table(pa.table({"x": rng.normal(size=2000), "y": rng.normal(size=2000)}), path,
                   compression="snappy")
    raw = path.read_bytes()
    refused = 0
    for seed in range(20):
        damaged = bytearray(raw)
        flips = np.random.default_rng(seed).integers(4, len(raw) // 2, size=8)
        for k in flips:  # in the pages, not the footer: the schema still reads
            damaged[k] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            data = load_xy(path)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))
            refused += 1
        else:  # pages whose damage the format cannot see: numbers, read as numbers
            assert data.x.shape == (2000,)
    assert refused > 0


def test_options_for_csv_only_are_refused_for_binary_files(tmp_path):
    np.save(tmp_path / "d.npy", np.zeros((3, 2)))
    _error(tmp_path / "d.npy", "--delimiter applies to CSV files only", delimiter=";")
    _error(tmp_path / "d.npy", "--no-header applies to CSV files only", header=False)


def test_a_folder_and_a_missing_file(tmp_path):
    _error(tmp_path, "is a folder, not a file")
    _error(tmp_path / "nope.csv", "no such file")
