"""How a CSV file is written: encoding, delimiter, header line, column names.

Worked out from the file's first MiB before any data is parsed, and shared by
the fast readers and the checked one (``_csv_file``, ``_csv_checked``):

- encoding: a byte-order mark decides (UTF-8, UTF-16, UTF-32; the mark itself
  is skipped), else ``--encoding``, else UTF-8;
- delimiter: ``--delimiter``, else tab for ``.tsv``, else the first of tab,
  ``;`` and ``,`` that splits the first 20 rows into the same number (at least
  2) of cells, else the one giving the first row the most cells;
- header: ``--header``/``--no-header``, else the first non-blank row is data
  when each of its cells is a number or empty (a missing-value marker), and a
  header otherwise; a headerless file's columns are named x0, x1, ... and y
  (the last);
- lines end with \\n, \\r\\n or \\r; blank lines (empty, or spaces and tabs only)
  (but not the delimiter) are skipped everywhere; a cell is stripped of
  whitespace (Python's ``str.strip``).
"""
import codecs
import contextlib
import csv
import re
from dataclasses import dataclass

from ._table import InputError, one_line

PREFIX_BYTES = 1 << 20
# the longest cell the checked reader takes (Python's csv module stops at 128 KiB by default)
MAX_CELL = 1 << 26
BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be")]
DELIMITERS = ("\t", ";", ",")  # sniffed in this order: tab and ';' are never part of a number
SNIFFED_ROWS = 20

# a line and its end: "\n", "\r\n", or a "\r" not followed by "\n" (or the last line, unended)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r(?!\n)|\r\Z)|[^\r\n]+\Z")
# a number as every reader takes it, once the whitespace around it is stripped; each
# digit can be matched one way only (\d+(?:\.\d*)?, not \d+\.?\d*), so a long run of
# digits that is not a number fails in linear time, not quadratic (a 200 000-digit cell)
NUMBER = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)",
                    re.ASCII | re.IGNORECASE)
# cells that are missing values, as pandas reads them (pyarrow is given the same list)
MISSING = frozenset(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                     "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                     "nan", "null"])


@dataclass(frozen=True)
class CsvFormat:
    """What the readers need to know about a CSV file before parsing its data.

    ``data_offset`` is the byte where the data rows start (after a byte-order
    mark, leading blank lines and the header); ``lines_before`` the number of
    physical lines before that byte, so a reader's line k is the file's line
    ``lines_before + k``.
    """

    encoding: str
    delimiter: str
    header: bool
    names: list
    data_offset: int
    lines_before: int


def split_lines(text):
    """``text`` cut after each line end, as the fast readers cut it: \\n, \\r\\n or a lone \\r."""
    return _LINE.findall(text)


def is_blank(line, delimiter=None):
    """True for a line the readers skip: empty, or only spaces and tabs (unless the
    delimiter is a tab: then a line of tabs is a row of empty cells)."""
    whitespace = " \t\r\n" if delimiter is None else " \t\r\n".replace(delimiter, "")
    return not line.strip(whitespace)


def is_number(text):
    """True if ``text`` (already stripped) is a number every reader parses."""
    return NUMBER.fullmatch(text) is not None


def ascii_compatible(encoding):
    """True if the encoding writes ASCII as ASCII bytes (so b"\\n" ends a line)."""
    sample = "\n\r,;\t\"0123456789.+-eE aZ"
    try:
        return sample.encode(encoding) == sample.encode("ascii")
    except UnicodeError:
        return False


@contextlib.contextmanager
def cell_limit():
    """Let Python's csv module read cells up to MAX_CELL characters, then restore its limit."""
    old = csv.field_size_limit(MAX_CELL)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def detect(path, encoding=None, delimiter=None, header=None):
    """The CsvFormat of the file at ``path`` (a Path); InputError if it is not CSV text."""
    with open(path, "rb") as f:
        prefix = f.read(PREFIX_BYTES)
        at_end = f.read(1) == b""
    encoding, offset = _encoding(prefix, encoding)
    if ascii_compatible(encoding) and b"\x00" in prefix[offset:]:
        line = prefix[offset:prefix.index(b"\x00")].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: a NUL byte: this is not a text file "
                         f"(is it really CSV?)")
    text = _decode(path, prefix, offset, encoding, at_end)
    if "\x00" in text:
        raise InputError(f"{path}, line {text[:text.index(chr(0))].count(chr(10)) + 1}: a NUL "
                         f"character: this is not a text file (is it really CSV?)")
    lines = split_lines(text)
    if lines and not at_end and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # cut by the end of the prefix
    blank = 0
    while blank < len(lines) and is_blank(lines[blank]):
        blank += 1
    if blank == len(lines):
        if at_end:
            raise InputError(f"{path}: the file is empty")
        raise InputError(f"{path}: the first row does not end within the first {PREFIX_BYTES} "
                         f"bytes (is this a CSV file?)")
    rest = lines[blank:]
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff(rest)
    with cell_limit():
        reader = csv.reader(rest, delimiter=delimiter)
        try:
            first = next(reader)
        except csv.Error as exc:
            raise InputError(f"{path}, line {blank + reader.line_num}: {one_line(exc)}") from None
        except StopIteration:  # a quoted cell runs past the first MiB
            first = None
    if first is None or (not at_end and reader.line_num == len(rest)):
        raise InputError(f"{path}: the first row does not end within the first "
                         f"{PREFIX_BYTES} bytes (is this a CSV file?)")
    if header is None:
        header = not all(_number_or_missing(cell) for cell in first)
    if header:
        names = [cell.strip() or f"Unnamed: {j}" for j, cell in enumerate(first)]
        used = blank + reader.line_num
    else:
        names = [f"x{j}" for j in range(len(first) - 1)] + ["y"]
        used = blank
    data_offset = offset + len("".join(lines[:used]).encode(encoding))
    return CsvFormat(encoding, delimiter, header, names, data_offset, used)


def _encoding(prefix, given):
    """(encoding, bytes to skip): a byte-order mark wins unless --encoding names another family."""
    found = next(((bom, name) for bom, name in BOMS if prefix.startswith(bom)), None)
    if given is None:
        return (found[1], len(found[0])) if found else ("utf-8", 0)
    given = codecs.lookup(given).name.replace("utf-8-sig", "utf-8")  # the mark is skipped here
    if found and given.replace("-sig", "").split("-")[:2] == found[1].split("-")[:2]:
        return found[1], len(found[0])  # e.g. --encoding utf-16 on a UTF-16-LE file with its mark
    return given, 0


def _decode(path, prefix, offset, encoding, at_end):
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return decoder.decode(prefix[offset:], final=at_end)
    except UnicodeDecodeError as exc:
        before = prefix[offset:offset + exc.start].decode(encoding, errors="replace")
        raise InputError(
            f"{path}, line {before.count(chr(10)) + 1}: not {encoding} text (byte "
            f"0x{prefix[offset + exc.start]:02x}: {exc.reason}); give the file's encoding "
            f"with --encoding, e.g. --encoding latin-1") from None


def _sniff(lines):
    """The first delimiter that cuts the first rows into equal numbers (>= 2) of cells."""
    firsts = {}
    with cell_limit():
        for candidate in DELIMITERS:
            counts = []
            try:
                for row in csv.reader(lines, delimiter=candidate):
                    if any(cell.strip() for cell in row):
                        counts.append(len(row))
                    if len(counts) == SNIFFED_ROWS:
                        break
            except csv.Error:
                pass
            if counts and min(counts) == max(counts) >= 2:
                return candidate
            firsts[candidate] = counts[0] if counts else 0
    best = max(firsts.values())
    return "," if best < 2 or firsts[","] == best else max(firsts, key=firsts.get)


def _number_or_missing(cell):
    cell = cell.strip()
    return cell in MISSING or is_number(cell)
