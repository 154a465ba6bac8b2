"""Reading spreadsheet-like exports (CSV in any common encoding and separator, XLSX) into text columns.

Rows are numbered as a spreadsheet shows them: the first line of the file is row 1, a header found
below preamble lines keeps its own row number, and a quoted field spanning several lines is still one
row. Rows whose cells are all empty are not data rows. A row with more fields than the header (or a
file that ends inside a quoted field) cannot be split into columns: it comes back in ``broken`` so the
reader can quarantine it.

Well-formed files take Arrow's multi-threaded CSV parser, then (for what Arrow rejects, such as a row
with fewer fields than the header) pandas' C parser; anything that rejects (and any file that does not end
with a line break, as a cut-off download does not) is read again, record by record, with the standard
library's ``csv`` module, so that one bad line costs one row, not the file. In a file the C parser reads
cleanly, a row with fewer fields than the header reads as empty trailing cells, as a spreadsheet shows it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

HEAD_BYTES = 256 * 1024
#: Bytes Arrow's CSV parser takes at a time: blocks of 4 MiB cost less CPU than 16 MiB ones (they stay in
#: cache), and a row longer than a block only sends the file to the slower parsers, which read it the same.
_BLOCK_BYTES = 4 << 20
HEADER_SCAN_ROWS = 60
SEPARATORS = (",", "\t", ";")

HeaderTest = Callable[[Sequence[str]], bool]


class TableError(ValueError):
    """A spreadsheet could not be read at all; the message says what to do."""


# ---------------------------------------------------------------------------------------------------
# Text


def decode(data: bytes, *, strict: bool = True) -> str:
    """Bytes of a text export as text: a byte-order mark decides, else UTF-8, else Windows-1252.

    Parameters
    ----------
    data
        The file's bytes (or its first bytes, with ``strict=False``).
    strict
        False replaces undecodable bytes instead of falling back (for a head cut mid-character).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00":
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not strict and exc.start >= len(data) - 4:
            return data.decode("utf-8", errors="replace")
        return data.decode("cp1252", errors="replace")


def utf8_bytes(data: bytes) -> bytes | None:
    """The file's text as UTF-8 bytes without decoding it, when ``decode(data)`` reads it as UTF-8 (with or
    without a byte-order mark, which is removed) and every byte is valid UTF-8; else None.

    ``decode(data).encode("utf-8")`` gives the same bytes, at many times the cost on a large file.
    """
    if data.startswith(codecs.BOM_UTF8):
        raw = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00"
    ):
        return None
    else:
        raw = data
    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64).tobytes())
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(raw)).validate(full=True)
    except (pa.ArrowException, ValueError):
        return None
    return raw


#: How zip (and xlsx), gzip and Excel 97-2003 files start.
_BINARY_MAGIC = (b"PK", b"\x1f\x8b", b"\xd0\xcf\x11\xe0")


def mac_csv(data: bytes, *, partial: bool = False) -> bytes:
    """A text export Excel for Mac saved as "CSV (Macintosh)" (every line ended by a carriage return
    alone, a line break inside a cell a line feed, characters in Mac Roman) as the same text with line
    feeds, in UTF-8 when it was not UTF-8 already; any other bytes as they are.

    Parameters
    ----------
    data
        The file's bytes, or its first bytes (``partial``: a character cut at the end is no sign that
        the bytes are not UTF-8).
    """
    if b"\r" not in data or b"\r\n" in data or b"\x00" in data or data.startswith(_BINARY_MAGIC):
        return data  # (UTF-16 text and binary files hold zero bytes)
    line_feed = data.find(b"\n")
    if 0 <= line_feed < data.find(b"\r"):  # line feeds end the lines (a stray carriage return in a cell)
        return data
    data = data.replace(b"\r", b"\n")
    whole = data
    if partial:
        for cut in range(min(4, len(data)) + 1):
            if utf8_bytes(data[: len(data) - cut]) is not None:
                return data
        whole = b""
    if whole and utf8_bytes(whole) is not None:
        return data
    return data.decode("mac_roman").encode("utf-8")


def is_xlsx(data: bytes) -> bool:
    """Whether the bytes are an Office Open XML workbook (``.xlsx``)."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line breaks, as ``io.StringIO`` gives them, without copying it all."""
    pos = 0
    end = len(text)
    while pos < end:
        nxt = text.find("\n", pos)
        if nxt < 0:
            yield text[pos:]
            return
        yield text[pos : nxt + 1]
        pos = nxt + 1


def _utf8_lines(raw: bytes) -> Iterator[str]:
    """The lines of valid UTF-8 bytes as text, decoded one at a time (a line break is never inside a
    character, so they are the lines of the decoded whole)."""
    pos = 0
    end = len(raw)
    while pos < end:
        nxt = raw.find(b"\n", pos)
        if nxt < 0:
            yield raw[pos:].decode("utf-8")
            return
        yield raw[pos : nxt + 1].decode("utf-8")
        pos = nxt + 1


def head_records(text: str, sep: str, limit: int = HEADER_SCAN_ROWS) -> list[list[str]]:
    """The first ``limit`` records of delimited text (a damaged line ends the scan)."""
    out: list[list[str]] = []
    reader = csv.reader(_lines(text), delimiter=sep)
    try:
        for record in reader:
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


@dataclass(frozen=True)
class HeaderAt:
    """Where a header row was found: its separator, its record index and its first line index."""

    sep: str
    record: int
    line: int


def _mapped(cells: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    stripped = [c.strip().lstrip("\ufeff") for c in cells]
    return [mapping.get(c, c) for c in stripped]


def locate_header(
    text: str, is_header: HeaderTest, mapping: Mapping[str, str] | None = None, limit: int = HEADER_SCAN_ROWS
) -> HeaderAt | None:
    """Find the header row among the first ``limit`` records of delimited text.

    Parameters
    ----------
    text
        The file's text (its head is enough).
    is_header
        Whether a row's stripped (and mapped) cells are the header the reader expects.
    mapping
        Raw column name -> known name, applied before ``is_header``.
    """
    return _locate(lambda: _lines(text), is_header, mapping, limit)


def locate_header_utf8(
    raw: bytes, is_header: HeaderTest, mapping: Mapping[str, str] | None = None, limit: int = HEADER_SCAN_ROWS
) -> HeaderAt | None:
    """:func:`locate_header` for a file's text given as valid UTF-8 bytes (see :func:`utf8_bytes`), decoding
    only the lines it reads."""
    return _locate(lambda: _utf8_lines(raw), is_header, mapping, limit)


def _locate(
    lines: Callable[[], Iterator[str]],
    is_header: HeaderTest,
    mapping: Mapping[str, str] | None,
    limit: int,
) -> HeaderAt | None:
    mapping = mapping or {}
    for sep in SEPARATORS:
        reader = csv.reader(lines(), delimiter=sep)
        line = 0
        try:
            for index, record in enumerate(reader):
                if index >= limit:
                    break
                if is_header(_mapped(record, mapping)):
                    return HeaderAt(sep, index, line)
                line = reader.line_num
        except csv.Error:
            continue
    return None


def locate_header_in_records(
    records: Sequence[Sequence[str]],
    is_header: HeaderTest,
    mapping: Mapping[str, str] | None = None,
    limit: int = HEADER_SCAN_ROWS,
) -> int | None:
    """Index of the header among already split rows (a workbook sheet), or None."""
    mapping = mapping or {}
    for index, record in enumerate(records[:limit]):
        if is_header(_mapped(record, mapping)):
            return index
    return None


# ---------------------------------------------------------------------------------------------------
# Tables


@dataclass
class RawTable:
    """A spreadsheet's data rows as text columns.

    Attributes
    ----------
    frame
        One ``str`` column per header cell (mapped through the client's column mapping; a repeated
        name gets ``.1``, ``.2``), one row per data row, RangeIndex.
    rows
        The spreadsheet row number of each row of ``frame``.
    header_row
        The spreadsheet row number of the header.
    broken
        Rows that could not be split into the header's columns: (row number, what is wrong, raw text).
    sep
        The separator, for excerpts.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    sep: str = ","

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.broken)

    def drop_first(self) -> RawTable:
        """The table without its first data row (a description row that is not data)."""
        return RawTable(
            self.frame.iloc[1:].reset_index(drop=True), self.rows[1:], self.header_row, self.broken, self.sep
        )

    def excerpts(self, positions: np.ndarray) -> list[str]:
        """The raw text of the rows at ``positions`` of ``frame``, cells joined by the separator."""
        sub = self.frame.iloc[positions]
        return [
            self.sep.join("" if v is None or v != v else str(v) for v in row)
            for row in sub.itertuples(index=False, name=None)
        ]


def unique_names(names: Sequence[str]) -> list[str]:
    """Header names made unique the way pandas does (``name``, ``name.1``, ...)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        if name in seen:
            seen[name] += 1
            candidate = f"{name}.{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}.{seen[name]}"
            out.append(candidate)
            seen[candidate] = 0
        else:
            seen[name] = 0
            out.append(name)
    return out


def _text_from_line(text: str, line: int) -> str:
    pos = 0
    for _ in range(line):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    return text[pos:]


def _offset_of_line(raw: bytes, line: int) -> int:
    """Where line ``line`` (0-based) of the bytes starts; their length when they have fewer lines."""
    pos = 0
    for _ in range(line):
        nxt = raw.find(b"\n", pos)
        if nxt < 0:
            return len(raw)
        pos = nxt + 1
    return pos


def read_delimited(text: str, header: HeaderAt, mapping: Mapping[str, str] | None = None) -> RawTable:
    """Read delimited text whose header is at ``header`` (lines above it are preamble, not data).

    Parameters
    ----------
    text
        The whole file as text.
    header
        Where :func:`locate_header` found the header.
    mapping
        Raw column name -> known name.
    """
    body = _text_from_line(text, header.line)
    if body.endswith("\n") and "\x00" not in body:
        fast = _arrow_frame(body, header.sep)
        if fast is not None:
            return _from_frame(fast, header.record + 1, header.sep, mapping or {})
    return _read_body(body, header, mapping)


def read_delimited_utf8(raw: bytes, header: HeaderAt, mapping: Mapping[str, str] | None = None) -> RawTable:
    """:func:`read_delimited` for a file's text given as valid UTF-8 bytes (see :func:`utf8_bytes`): Arrow
    reads the bytes as they are; the text is decoded only for the slower readers behind it."""
    start = _offset_of_line(raw, header.line)  # the body is raw[start:], not copied out
    if start < len(raw) and raw.endswith(b"\n") and raw.find(b"\x00", start) < 0:
        fast = _arrow_frame_utf8(raw, header.sep, start)
        if fast is not None:
            return _from_frame(fast, header.record + 1, header.sep, mapping or {})
    return _read_body(raw[start:].decode("utf-8"), header, mapping)


def _read_body(body: str, header: HeaderAt, mapping: Mapping[str, str] | None) -> RawTable:
    """The records of ``body`` (header first) through pandas' C parser, else the ``csv`` module."""
    header_row = header.record + 1
    if body.endswith("\n") and "\x00" not in body:
        try:
            raw = pd.read_csv(
                io.StringIO(body),
                sep=header.sep,
                header=None,
                dtype="str",
                keep_default_na=False,
                na_values=[],
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError):
            pass
        else:
            return _from_frame(raw, header_row, header.sep, mapping or {})
    return _from_records(
        csv.reader(io.StringIO(body), delimiter=header.sep), header_row, header.sep, mapping or {}
    )


def _arrow_frame(body: str, sep: str) -> pd.DataFrame | None:
    """The records of ``body`` (header first) as text columns through Arrow's CSV parser, or None when
    it cannot read them exactly as pandas' C parser would (ragged rows, lone carriage returns)."""
    return _arrow_frame_utf8(body.encode("utf-8", errors="surrogatepass"), sep)


def _arrow_frame_utf8(raw: bytes, sep: str, start: int = 0) -> pd.DataFrame | None:
    """:func:`_arrow_frame` for the UTF-8 bytes of the text, the body starting at byte ``start`` (line
    breaks, quotes and separators are the same bytes in the text and in its encoding, so every test
    below reads the same on either)."""
    try:
        first_line = raw[start : raw.find(b"\n", start) + 1].decode("utf-8", errors="surrogatepass")
        first = next(csv.reader(io.StringIO(first_line), delimiter=sep))
    except (csv.Error, StopIteration, UnicodeError):
        return None
    if raw.find(b"\r", start) >= 0 and raw.count(b"\r", start) != raw.count(b"\r\n", start):
        return None
    names = [f"f{i}" for i in range(len(first))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(raw).slice(start),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeError, ValueError):
        return None
    if table.num_columns != len(names) or table.num_rows == 0:
        return None
    last = table.column(len(names) - 1)[-1].as_py()
    if last.endswith("\n"):
        return None  # perhaps a file ending inside a quoted field, which the C parser refuses
    columns = {
        i: pd.Series(pd.arrays.ArrowStringArray(table.column(i), dtype=_STR), copy=False)
        for i in range(len(names))
    }
    return pd.DataFrame(columns, copy=False)


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _from_frame(raw: pd.DataFrame, header_row: int, sep: str, mapping: Mapping[str, str]) -> RawTable:
    names = unique_names(_mapped([str(v) for v in raw.iloc[0].tolist()], mapping))
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = names
    rows = header_row + 1 + np.arange(len(frame), dtype=np.int64)
    blank = _blank_rows(frame)
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return RawTable(frame.astype("str"), rows, header_row, [], sep)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """``frame.eq("").all(axis=1)`` as a mask; for Arrow text columns in Arrow, column by column until no
    row is left that could still be blank (most often after the first column)."""
    if not all(dtype == _STR for dtype in frame.dtypes):
        return frame.eq("").all(axis=1).to_numpy(dtype=bool)
    blank = pa.chunked_array([pa.array(np.ones(len(frame), dtype=bool))])
    for i in range(frame.shape[1]):
        empty = pc.fill_null(pc.equal(pa.array(frame.iloc[:, i], from_pandas=True), ""), False)
        blank = pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            return np.zeros(len(frame), dtype=bool)
    return np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)


def _from_records(records: Any, header_row: int, sep: str, mapping: Mapping[str, str]) -> RawTable:
    """Split records one by one; rows that do not fit the header become ``broken``."""
    iterator = iter(records)
    names: list[str] | None = None
    kept: list[list[str]] = []
    rows: list[int] = []
    broken: list[tuple[int, str, str]] = []
    row = header_row - 1
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            break
        except csv.Error as exc:
            row += 1
            if names is None:
                raise TableError(f"the header row cannot be read ({exc})") from None
            broken.append((row, f"the line cannot be read as a row ({exc})", ""))
            continue
        row += 1
        cells = ["" if c is None else str(c) for c in record]
        if names is None:
            names = unique_names(_mapped(cells, mapping))
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) == len(names):
            kept.append(cells)
            rows.append(row)
        elif len(cells) < len(names):
            broken.append(
                (
                    row,
                    f"has {len(cells)} of the {len(names)} fields the header names (the line may be cut off)",
                    sep.join(cells),
                )
            )
        elif not any(c.strip() for c in cells[len(names) :]):
            kept.append(cells[: len(names)])
            rows.append(row)
        else:
            broken.append(
                (
                    row,
                    f"has {len(cells)} fields where the header names {len(names)} "
                    "(a separator outside quotes, or a damaged line)",
                    sep.join(cells),
                )
            )
    if names is None:
        raise TableError("the file has no header row")
    frame = (
        pd.DataFrame(kept, columns=names, dtype="str")
        if kept
        else pd.DataFrame({n: pd.Series(dtype="str") for n in names})
    )
    return RawTable(frame, np.asarray(rows, dtype=np.int64), header_row, broken, sep)


# ---------------------------------------------------------------------------------------------------
# Workbooks


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_records(data: bytes, limit: int | None = None) -> list[list[str]]:
    """The rows of a workbook's first sheet as text (row i of the list is spreadsheet row i + 1)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise TableError(
            f"the workbook cannot be opened ({exc}); open it in a spreadsheet and save it "
            "again as .xlsx or .csv"
        ) from None
    try:
        sheet = book.worksheets[0]
        out: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            out.append([_cell_text(v) for v in values])
            if limit is not None and len(out) >= limit:
                break
        return out
    finally:
        book.close()


def read_records(
    records: Sequence[Sequence[str]], header_index: int, mapping: Mapping[str, str] | None = None
) -> RawTable:
    """A table from already split rows (a workbook sheet) whose header is at ``header_index``."""
    trimmed = [list(r) for r in records[header_index:]]
    width = len(trimmed[0]) if trimmed else 0
    while width and not trimmed[0][width - 1].strip():
        width -= 1
    fitted = [
        r[:width] + [""] * (width - len(r)) if len(r) <= width or not any(c.strip() for c in r[width:]) else r
        for r in trimmed
    ]
    return _from_records(fitted, header_index + 1, "\t", mapping or {})
