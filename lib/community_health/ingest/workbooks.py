"""Workbooks with several sheets, whatever their kind: Office Open XML (``.xlsx``), binary Excel 97-2003
(``.xls``, BIFF) and SpreadsheetML 2003 (an ``.xls`` that is really XML, as Facebook's Page Insights
download is).

Every sheet comes back as text rows, numbered as a spreadsheet shows them (row i of ``records`` is row
i + 1, empty rows included), so readers find their header with
:func:`~community_health.ingest.tabular.locate_header_in_records` and read the rows with
:func:`~community_health.ingest.tabular.read_records`, exactly as for the first sheet of an ``.xlsx``.
Cells read as text the same way whatever the kind: whole numbers without ``.0`` (Excel 97-2003 stores
every number as a float), dates as ``2025-10-01 00:00:00``, booleans as ``TRUE``/``FALSE``.

A SpreadsheetML file cut off or damaged part-way keeps the rows before the damage; :attr:`Workbook.problem`
says where it stopped, so the reader can say so.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from community_health.ingest.tabular import (
    HEADER_SCAN_ROWS,
    HeaderTest,
    TableError,
    is_xlsx,
    locate_header_in_records,
)

SS = "urn:schemas-microsoft-com:office:spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384
_XML_SNIFF_BYTES = 4096


class WorkbookKind(StrEnum):
    """What kind of workbook a file is, as the ingest messages name it."""

    XLSX = "Excel workbook (.xlsx)"
    BIFF = "Excel 97-2003 workbook (.xls)"
    SPREADSHEETML = "SpreadsheetML 2003 XML workbook (.xls)"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its rows as text (row i of ``records`` is spreadsheet row i + 1)."""

    name: str
    records: list[list[str]]


@dataclass(frozen=True)
class Workbook:
    """The sheets of a workbook, its kind, and (for damaged SpreadsheetML) where reading stopped."""

    kind: WorkbookKind
    sheets: list[Sheet]
    problem: str | None = None


def is_spreadsheetml(head: bytes) -> bool:
    """Whether the bytes open an XML document in the SpreadsheetML 2003 namespace."""
    text = head[:_XML_SNIFF_BYTES]
    if text.startswith(codecs.BOM_UTF8):
        text = text[3:]
    text = text.lstrip()
    return text.startswith(b"<") and SS.encode() in text and b"<Workbook" in text


def workbook_kind(data: bytes) -> WorkbookKind | None:
    """The kind of workbook the bytes hold, or None when they hold none."""
    if data.startswith(OLE2_MAGIC):
        return WorkbookKind.BIFF
    if data.startswith(b"PK"):
        return WorkbookKind.XLSX if is_xlsx(data) else None
    if is_spreadsheetml(data):
        return WorkbookKind.SPREADSHEETML
    return None


def read_workbook(data: bytes, limit: int | None = None) -> Workbook:
    """Every sheet of a workbook as text rows.

    Parameters
    ----------
    data
        The file's bytes.
    limit
        Read at most this many rows per sheet (for detection).

    Raises
    ------
    TableError
        When the bytes are no workbook, or one that cannot be opened; the message says what to do.
    """
    kind = workbook_kind(data)
    if kind is WorkbookKind.XLSX:
        return Workbook(kind, _xlsx_sheets(data, limit))
    if kind is WorkbookKind.BIFF:
        return Workbook(kind, _biff_sheets(data, limit))
    if kind is WorkbookKind.SPREADSHEETML:
        sheets, problem = _spreadsheetml_sheets(data, limit)
        return Workbook(kind, sheets, problem)
    raise TableError("the file is not a workbook (.xlsx, .xls or SpreadsheetML)")


# ---------------------------------------------------------------------------------------------------
# Cells


def cell_text(value: Any) -> str:
    """A cell's value as text: whole numbers without ``.0``, dates as ``2025-10-01 00:00:00``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------------
# .xlsx


def _xlsx_sheets(data: bytes, limit: int | None) -> list[Sheet]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise TableError(
            f"the workbook cannot be opened ({exc}); open it in a spreadsheet and save it again as .xlsx"
        ) from None
    try:
        sheets = []
        for sheet in book.worksheets:
            records: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True):
                records.append([cell_text(v) for v in values])
                if limit is not None and len(records) >= limit:
                    break
            sheets.append(Sheet(sheet.title, records))
        return sheets
    except Exception as exc:  # a sheet damaged inside an archive that opened
        raise TableError(
            f"a sheet of the workbook cannot be read ({exc}); open it in a spreadsheet and save it again "
            "as .xlsx"
        ) from None
    finally:
        book.close()


# ---------------------------------------------------------------------------------------------------
# .xls (BIFF)


def _biff_sheets(data: bytes, limit: int | None) -> list[Sheet]:
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency; this guards a broken installation
        raise TableError(
            "reading Excel 97-2003 (.xls) workbooks needs the xlrd package; install the workbook's "
            "environment again, or open the file in a spreadsheet and save it as .xlsx"
        ) from None
    try:
        # xlrd writes its warnings about damaged files to stdout unless given somewhere else to write
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises many kinds for damaged workbooks
        raise TableError(
            f"the .xls workbook cannot be opened ({exc}); open it in a spreadsheet and save it again as .xlsx"
        ) from None
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            n = sheet.nrows if limit is None else min(sheet.nrows, limit)
            records = [_biff_row(book, sheet, r) for r in range(n)]
            sheets.append(Sheet(sheet.name, records))
            book.unload_sheet(index)
        return sheets
    except Exception as exc:  # a damaged sheet inside a workbook that opened
        raise TableError(
            f"a sheet of the .xls workbook cannot be read ({exc}); open it in a spreadsheet and save it "
            "again as .xlsx"
        ) from None
    finally:
        book.release_resources()


def _biff_row(book: Any, sheet: Any, r: int) -> list[str]:
    import xlrd

    out = []
    for kind, value in zip(sheet.row_types(r), sheet.row_values(r), strict=True):
        if kind == xlrd.XL_CELL_DATE:
            try:
                out.append(cell_text(xlrd.xldate_as_datetime(value, book.datemode)))
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                out.append(cell_text(value))
        elif kind == xlrd.XL_CELL_BOOLEAN:
            out.append(cell_text(bool(value)))
        elif kind == xlrd.XL_CELL_ERROR:
            out.append(xlrd.error_text_from_code.get(value, ""))
        else:
            out.append(cell_text(value))
    return out


# ---------------------------------------------------------------------------------------------------
# SpreadsheetML 2003

_TAG = re.compile(r"^\{[^}]*\}")


def _local(tag: Any) -> str:
    return _TAG.sub("", tag) if isinstance(tag, str) else ""


def _ss(element: ET.Element, name: str) -> str | None:
    return element.get(f"{{{SS}}}{name}", element.get(name))


def _index(element: ET.Element, maximum: int) -> int | None:
    """``ss:Index`` of a row or cell; None when absent or beyond what a worksheet can hold (damage)."""
    raw = _ss(element, "Index")
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and 1 <= value <= maximum else None


def _data_text(data: ET.Element) -> str:
    text = "".join(data.itertext())
    kind = _ss(data, "Type")
    if kind == "DateTime" and text:
        # Excel writes 2016-02-14T00:40:16.000: shown as xlsx dates are, 2016-02-14 00:40:16
        try:
            return cell_text(datetime.fromisoformat(text.rstrip("Z")))
        except ValueError:
            return text
    if kind == "Number" and text:
        try:
            return cell_text(float(text)) if ("." in text or "e" in text.lower()) else text.strip()
        except ValueError:
            return text
    return text


def _spreadsheetml_sheets(data: bytes, limit: int | None) -> tuple[list[Sheet], str | None]:
    """Sheets of a SpreadsheetML workbook, read as far as the XML allows.

    ``ss:Index`` on rows and cells (which skip empty rows and cells) is honoured, so row and column
    numbers are those a spreadsheet shows. A document type declaration is refused: SpreadsheetML
    exports never carry one, and entity expansion is not something an export needs.
    """
    if b"<!DOCTYPE" in data[:_XML_SNIFF_BYTES] or b"<!ENTITY" in data:
        raise TableError(
            "the XML workbook declares a document type or entities, which SpreadsheetML exports never "
            "do; it was not read. Download the export again"
        )
    sheets: list[Sheet] = []
    records: list[list[str]] | None = None
    name = ""
    row: list[str] | None = None
    row_number = 0
    col = 0
    full = False
    in_comment = 0
    problem: str | None = None
    parser = ET.iterparse(io.BytesIO(data), events=("start", "end"))
    try:
        for event, element in parser:
            tag = _local(element.tag)
            if event == "start":
                if tag == "Worksheet":
                    name = _ss(element, "Name") or f"Sheet{len(sheets) + 1}"
                    records, row_number, full = [], 0, False
                elif tag == "Row" and records is not None and not full:
                    row_number = max(_index(element, EXCEL_MAX_ROWS) or 0, len(records) + 1)
                    gap = row_number - 1 if limit is None else min(row_number - 1, limit)
                    records.extend([] for _ in range(gap - len(records)))
                    full = limit is not None and len(records) >= limit
                    row, col = (None, 0) if full else ([], 0)
                elif tag == "Cell" and row is not None:
                    col = _index(element, EXCEL_MAX_COLUMNS) or col + 1
                elif tag == "Comment":
                    in_comment += 1
                continue
            if tag == "Comment":
                in_comment -= 1
            elif tag == "Data" and row is not None and not in_comment:
                row.extend("" for _ in range(min(col, EXCEL_MAX_COLUMNS) - 1 - len(row)))
                row.append(_data_text(element))
            elif tag == "Cell" and row is not None:
                merge = _ss(element, "MergeAcross")
                if merge and merge.isdigit():
                    col = min(col + int(merge), EXCEL_MAX_COLUMNS)
            elif tag == "Row":
                if row is not None and records is not None:
                    records.append(row)
                    full = limit is not None and len(records) >= limit
                row = None
                element.clear()
            elif tag == "Worksheet" and records is not None:
                sheets.append(Sheet(name, records))
                records = None
                element.clear()
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        problem = f"the XML is damaged or cut off at line {line}, column {column}"
        if records is not None:
            if row:
                records.append(row)  # the row being read when the damage came: its cells so far
            sheets.append(Sheet(name, records))
    if not sheets and problem is not None:
        raise TableError(f"{problem}, before any sheet could be read; download the export again")
    return sheets, problem


# ---------------------------------------------------------------------------------------------------
# Finding sheets


def find_sheet(
    sheets: Sequence[Sheet], is_header: HeaderTest, mapping: Mapping[str, str] | None = None
) -> tuple[int, int] | None:
    """The first sheet whose header passes ``is_header``: (sheet index, header row index), or None."""
    for i, sheet in enumerate(sheets):
        at = locate_header_in_records(sheet.records, is_header, mapping)
        if at is not None:
            return i, at
    return None


@functools.lru_cache(maxsize=16)
def _heads(path: str, size: int, mtime_ns: int) -> tuple[WorkbookKind | None, tuple[Sheet, ...]]:
    data = Path(path).read_bytes()
    kind = workbook_kind(data)
    if kind is None:
        return None, ()
    try:
        return kind, tuple(read_workbook(data, limit=HEADER_SCAN_ROWS).sheets)
    except TableError:
        return kind, ()


def workbook_heads(path: Path) -> tuple[WorkbookKind | None, tuple[Sheet, ...]]:
    """The first rows of every sheet of a workbook file, for detection (remembered while unchanged).

    Returns
    -------
    kind, sheets
        The workbook's kind (None for a file that is no workbook) and its sheets' first rows (empty
        when the workbook cannot be opened).
    """
    st = path.stat()
    return _heads(str(path), st.st_size, st.st_mtime_ns)


def head_has_workbook_magic(head: bytes) -> bool:
    """Whether a file's first bytes could open a workbook (so reading its sheets is worth it)."""
    return head.startswith((OLE2_MAGIC, b"PK")) or is_spreadsheetml(head)


def name_sheet_in_reasons(reasons: Sequence[str], source: str, sheet: str) -> list[str]:
    """Reasons that name the sheet: ``<file> row 5`` becomes ``<file>, sheet "All posts", row 5``."""
    prefix = f"{source} row "
    return [
        f'{source}, sheet "{sheet}", row {r[len(prefix) :]}' if r.startswith(prefix) else r for r in reasons
    ]
