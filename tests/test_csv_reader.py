"""CSV files as `gdfast fit` reads them: every reader gives pandas' numbers, the same errors.

The three readers (pyarrow's, NumPy's loadtxt, the checked one in Python) are
run on each file: valid files give exactly the values pandas.read_csv reads
(both parse decimal text correctly rounded), and every bad file the same
one-line InputError naming the line and column.
"""
import io

import numpy as np
import pandas as pd
import pytest

from gdfast.cli._csv_file import READERS, read_csv
from gdfast.cli._csv_format import PREFIX_BYTES, detect
from gdfast.cli._table import InputError


def _write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _read_all(path, **options):
    """read_csv with each reader; the results (Data or the InputError's message) must agree."""
    results = {}
    for reader in READERS:
        try:
            results[reader] = read_csv(path, reader=reader, **options)
        except InputError as exc:
            results[reader] = str(exc)
    first = results["checked"]
    for reader, result in results.items():
        if isinstance(first, str):
            assert result == first, (reader, result, first)
        else:
            assert not isinstance(result, str), (reader, result)
            np.testing.assert_array_equal(result.x, first.x, err_msg=reader)
            np.testing.assert_array_equal(result.y, first.y, err_msg=reader)
            assert (result.y_name, result.x_names, result.dropped) == (
                first.y_name, first.x_names, first.dropped), reader
    return first


def _error(path, *fragments, **options):
    message = _read_all(path, **options)
    assert isinstance(message, str), f"read without error: {message}"
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message
    return message


def _pandas(path, **options):
    """pandas' values, correctly rounded (its default from pandas 3 on, an option before)."""
    if int(pd.__version__.split(".")[0]) < 3:
        options["float_precision"] = "round_trip"
    frame = pd.read_csv(path, **options)
    return frame.to_numpy(dtype=np.float64), list(frame.columns)


@pytest.mark.parametrize("rows", [1, 7, 1000])
def test_values_are_pandas_values_bit_for_bit(tmp_path, rows):
    rng = np.random.default_rng(rows)
    table = rng.normal(size=(rows, 4)) * 10.0 ** rng.integers(-300, 300, size=(rows, 4))
    text = "a,b,c,y\n" + "\n".join(",".join(repr(v) for v in row) for row in table.tolist())
    path = _write(tmp_path, text + "\n")
    data = _read_all(path)
    expected, names = _pandas(path)
    np.testing.assert_array_equal(expected, table)  # repr round-trips, in pandas too
    np.testing.assert_array_equal(data.y, expected[:, 3])
    np.testing.assert_array_equal(data.x, expected[:, :3])
    assert (data.y_name, data.x_names) == ("y", ["a", "b", "c"])
    assert data.x.flags.f_contiguous  # the order the d-feature kernel reads fastest


def test_number_forms_read_like_pandas(tmp_path):
    cells = ["1", "-2.5", "+3", ".5", "5.", "1e3", "1E-3", "-0", "0001.5", "1.5e+2",
             " 7 ", "\t8", '"9"', '" 10 "', "1e-320", "12345678901234567890"]
    text = "x,y\n" + "".join(f"{cell},{k}\n" for k, cell in enumerate(cells))
    path = _write(tmp_path, text)
    data = _read_all(path)
    expected, _ = _pandas(path)
    np.testing.assert_array_equal(data.x, expected[:, 0])


@pytest.mark.parametrize("cell, fragment", [
    ("six", "'six' is not a number"),
    ("1_000", "'1_000' is not a number"),
    ("0x10", "'0x10' is not a number"),
    ("1d5", "'1d5' is not a number"),
    ("1e", "'1e' is not a number"),
    ("inf", "'inf' is not a finite number"),
    ("-Infinity", "'-Infinity' is not a finite number"),
    ("1e999", "'1e999' is not a finite number"),
    ("+nan", "'+nan' is not a finite number"),
    ("1,5", "'1,5' is not a number (a decimal comma? write 1.5)"),
])
def test_a_bad_cell_is_named_by_line_and_column(tmp_path, cell, fragment):
    delimiter = ";" if "," in cell else ","
    path = _write(tmp_path, f"x{delimiter}y\n1{delimiter}2\n\n2{delimiter}{cell}\n")
    _error(path, f"data.csv, line 4, column 'y': {fragment}")


def test_a_text_column_that_is_not_chosen_is_fine(tmp_path):
    path = _write(tmp_path, "x,label,y\n1,a,2\n2,b,4\n3,c,7\n")
    data = _read_all(path, y="y", x=["x"])
    np.testing.assert_array_equal(data.y, [2, 4, 7])
    _error(path, "line 2, column 'label': 'a' is not a number")  # chosen by default


def test_utf8_byte_order_mark_is_skipped(tmp_path):
    path = _write(tmp_path, b"\xef\xbb\xbfsize,price\n1,2\n2,4\n")
    data = _read_all(path, y="price", x=["size"])
    assert (data.y_name, data.x_names) == ("price", ["size"])
    np.testing.assert_array_equal(data.x, [1.0, 2.0])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path, encoding):
    text = "größe\tpreis\n1\t2\n2\t4\n3\t7\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    path = _write(tmp_path, raw)
    data = _read_all(path)
    assert (data.y_name, data.x_names) == ("preis", ["größe"])
    np.testing.assert_array_equal(data.y, [2.0, 4.0, 7.0])


def test_latin1_is_an_error_naming_the_line_then_read_with_encoding(tmp_path):
    path = _write(tmp_path, "x,y\n1,2\n2,3\n".encode() + "3,4 \xe9\n".encode("latin-1"))
    _error(path, "data.csv, line 4: not utf-8 text (byte 0xe9", "--encoding latin-1")
    path = _write(tmp_path, "taille,prix\n1,2\n2,3\n".encode("latin-1"), "h.csv")
    assert _read_all(path, encoding="latin-1").x_names == ["taille"]
    path = _write(tmp_path, "größe,prix\n1,2\n2,3\n".encode("latin-1"), "h.csv")
    _error(path, "h.csv, line 1: not utf-8 text (byte 0xf6")
    data = _read_all(path, encoding="latin-1")
    assert data.x_names == ["größe"]


def test_latin1_beyond_the_first_mib_names_its_line(tmp_path):
    rows = PREFIX_BYTES // 64 + 10  # lines of more than 64 bytes: past the first MiB
    body = "".join(f"{k}.{'0' * 60},{k}\n" for k in range(rows))
    path = _write(tmp_path, ("x,y\n" + body).encode() + b"1,\xe9\n")
    _error(path, f"line {rows + 2}: not utf-8 text")


@pytest.mark.parametrize("delimiter, name", [(";", "data.csv"), ("\t", "data.csv"),
                                             (",", "data.csv"), ("\t", "data.tsv")])
def test_the_delimiter_is_sniffed(tmp_path, delimiter, name):
    text = f"a{delimiter}b{delimiter}y\n" + "".join(
        f"{k}{delimiter}{k * k}{delimiter}{2 * k + 1}\n" for k in range(5))
    data = _read_all(_write(tmp_path, text, name))
    assert data.x_names == ["a", "b"]
    np.testing.assert_array_equal(data.y, 2 * np.arange(5) + 1)


def test_semicolons_win_over_decimal_commas_and_the_option_decides(tmp_path):
    path = _write(tmp_path, "x;y\n1,5;2\n2,5;3\n")
    assert detect(path).delimiter == ";"
    _error(path, "line 2, column 'x': '1,5' is not a number (a decimal comma?")
    path = _write(tmp_path, "x|y\n1|2\n2|4\n3|7\n", "pipes.csv")
    _error(path, "found 1 column(s) with delimiter ','", "--delimiter")
    np.testing.assert_array_equal(_read_all(path, delimiter="|").y, [2, 4, 7])


def test_header_is_guessed_and_can_be_forced(tmp_path):
    path = _write(tmp_path, "1,2\n2,4\n\n3,7\n")
    data = _read_all(path)
    assert (data.y_name, data.x_names) == ("y", ["x0"])
    np.testing.assert_array_equal(data.y, [2, 4, 7])
    data = _read_all(_write(tmp_path, "1,2,3\n2,4,5\n", "three.csv"))
    assert (data.y_name, data.x_names) == ("y", ["x0", "x1"])
    # a first row of numbers (and missing cells) is data; a word makes it a header
    path = _write(tmp_path, "2019,,2021\n1,2,3\n4,5,6\n", "years.csv")
    _error(path, "line 1, column 'x1': a missing value")
    data = _read_all(path, header=True)
    assert (data.y_name, data.x_names) == ("2021", ["2019", "Unnamed: 1"])
    _error(_write(tmp_path, "x,y\n1,2\n", "h.csv"), "line 1, column 'y': 'y' is not a number",
           header=False)


def test_duplicate_column_names_are_refused(tmp_path):
    _error(_write(tmp_path, "a, b ,b\n1,2,3\n"),
           "the column name 'b' appears twice (columns 1 and 2)")


@pytest.mark.parametrize("cell", ["", "NA", "nan", "NaN", "null", "N/A", "#N/A", "None",
                                  '""', " NA "])
def test_missing_cells_are_an_error_or_dropped_and_counted(tmp_path, cell):
    path = _write(tmp_path, f"x,y\n1,2\n2,{cell}\n3,7\n{cell},9\n5,11\n")
    _error(path, "data.csv, line 3, column 'y': a missing value", "--dropna")
    data = _read_all(path, dropna=True)
    assert data.dropped == 2
    np.testing.assert_array_equal(data.x, [1, 3, 5])
    np.testing.assert_array_equal(data.y, [2, 7, 11])
    if cell != " NA ":  # pandas keeps a marker with spaces around it as text
        expected = pd.read_csv(path).dropna().to_numpy()
        np.testing.assert_array_equal(np.column_stack([data.x, data.y]), expected)


def test_dropna_keeps_refusing_what_is_not_missing(tmp_path):
    path = _write(tmp_path, "x,y\n1,2\n,3\n4,inf\n")
    _error(path, "line 4, column 'y': 'inf' is not a finite number", dropna=True)
    path = _write(tmp_path, "x,y\nNA,2\n,\n", "all.csv")
    _error(path, "no data rows left after --dropna", dropna=True)


def test_missing_cells_in_a_column_not_chosen_are_fine(tmp_path):
    path = _write(tmp_path, "x,note,y\n1,,2\n2,NA,4\n3,,7\n")
    assert _read_all(path, y="y", x=["x"]).dropped == 0


@pytest.mark.parametrize("text, fragment", [
    ("x,y\n1,2\n2\n", "line 3: expected 2 cells, got 1"),
    ("x,y\n1,2\n2,3,4\n", "line 3: expected 2 cells, got 3"),
    ("x,y\n1,2\n   \n3,4\n  2,3,4\n", "line 5: expected 2 cells, got 3"),
    ("x,y\n", "no data rows"),
    ("", "the file is empty"),
    ("\n \n\t\n", "the file is empty"),
    ("x\n1\n", "found 1 column(s)"),
])
def test_broken_files(tmp_path, text, fragment):
    _error(_write(tmp_path, text), fragment)


def test_blank_lines_crlf_and_a_missing_final_newline(tmp_path):
    path = _write(tmp_path, "\r\n x , y \r\n1,2\r\n\r\n   \r\n2,4\r\n3,7")
    data = _read_all(path)
    assert (data.y_name, data.x_names) == ("y", ["x"])
    np.testing.assert_array_equal(data.y, [2, 4, 7])


def test_a_quoted_cell_spanning_lines_is_read(tmp_path):
    path = _write(tmp_path, 'x,note,y\n1,"two\nlines",2\n2,"a ""quote""",4\n')
    data = _read_all(path, y="y", x=["x"])
    np.testing.assert_array_equal(data.y, [2, 4])
    _error(_write(tmp_path, 'x,note,y\n1,"two\nlines",2\n2,x,oops\n', "b.csv"),
           "b.csv, line 4, column 'y': 'oops' is not a number", y="y", x=["x"])


def test_a_cell_of_200000_characters(tmp_path):
    long = "a" * 200_000
    path = _write(tmp_path, f"x,note,y\n1,{long},2\n2,b,4\n")
    np.testing.assert_array_equal(_read_all(path, y="y", x=["x"]).y, [2, 4])
    message = _error(path, "line 2, column 'note': 'aaaa", "… (200000 characters) is not a "
                                                            "number")
    assert len(message) < 200
    path = _write(tmp_path, f"x,y\n1,2\n2,{'7' * 200_000}\n", "digits.csv")
    _error(path, "line 3, column 'y':", "(200000 characters) is not a finite number")
    path = _write(tmp_path, f"{long},y\n1,2\n", "header.csv")
    assert _read_all(path).x_names == [long]


def test_binary_bytes_and_nul(tmp_path):
    rng = np.random.default_rng(0)
    _error(_write(tmp_path, rng.bytes(5000)), "this is not a text file")
    _error(_write(tmp_path, b"x,y\n1,2\n\x00\n", "nul.csv"), "nul.csv, line 3: a NUL byte")


def test_a_first_row_longer_than_the_prefix_is_refused(tmp_path):
    path = _write(tmp_path, '"' + "a" * (PREFIX_BYTES + 10) + '",y\n1,2\n')
    _error(path, "the first row does not end within the first")


def test_pandas_reads_what_the_readers_read_on_a_large_file(tmp_path):
    # several pyarrow blocks, so its threads and the joined chunks are exercised
    rng = np.random.default_rng(7)
    table = rng.normal(size=(200_000, 3))
    buffer = io.StringIO()
    np.savetxt(buffer, table, delimiter=",", header="a,b,y", comments="", fmt="%.17g")
    path = _write(tmp_path, buffer.getvalue())
    for reader in ("pyarrow", "numpy"):
        data = read_csv(path, reader=reader)
        np.testing.assert_array_equal(np.column_stack([data.x, data.y]), table)


def test_a_long_run_of_digits_that_is_not_a_number_is_refused_at_once(tmp_path):
    """200 000 digits and a letter: refused by the checked reader, which once tried every
    way of cutting the digits (a hang of hours); the cell is named."""
    from gdfast.cli._csv_format import is_number
    assert not is_number("7" * 200_000 + "x") and is_number("7" * 200_000 + ".5e3")
    assert [is_number(t) for t in ("12", "1.", ".5", "1.2e-3", "1e", ".", "1.2.3")] == [
        True, True, True, True, False, False, False]
    path = _write(tmp_path, f"x,y\n1,2\n2,{'7' * 200_000}x\n", "digits.csv")
    _error(path, "line 3, column 'y':", "(200001 characters) is not a number")
