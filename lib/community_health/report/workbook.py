"""``tables.xlsx``: every table of the report in full, one sheet each, for the client to sort and filter.

The report shows the first rows of a long table; the workbook holds all of them. Member text is data
here too: no cell may start a formula, so a text that begins with ``=``, ``+``, ``-``, ``@`` or a
tab or carriage return is written with a leading apostrophe (the OWASP advice against formula
injection), and the writer is told never to turn strings into formulas or links.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from community_health.report.blocks import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_CHARS = 31  # Excel's limit


def spreadsheet_safe(value: object) -> object:
    """A text that a spreadsheet would read as a formula gets a leading apostrophe; the rest is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name from a table title."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip(" '") or "table"
    base = base[:SHEET_NAME_CHARS]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: SHEET_NAME_CHARS - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def sheet_frame(frame: pd.DataFrame, columns: Sequence[Column], tz: str) -> pd.DataFrame:
    """The columns of a table under their labels, times in the client's zone (text is made safe as each
    cell is written)."""
    out: dict[str, pd.Series] = {}
    for column in columns:
        values = (
            frame[column.key].reset_index(drop=True)
            if column.key in frame.columns
            else pd.Series([None] * len(frame), dtype="object")
        )
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert(tz).dt.tz_localize(None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.astype(object)  # made spreadsheet-safe cell by cell as they are written
        out[column.label] = values
    return pd.DataFrame(out, index=range(len(frame)))


def write_workbook(path: Path, tables: Mapping[str, tuple[pd.DataFrame, Sequence[Column]]], tz: str) -> Path:
    """Write ``tables`` (title -> (frame, columns)) to ``path`` atomically, one sheet per table.

    Each column is written with the writer for its type (text, number, true/false, date and time), so
    a workbook of hundreds of thousands of cells takes seconds; missing values are left blank.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    taken: set[str] = set()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    book = xlsxwriter.Workbook(str(tmp), options)
    try:
        header = book.add_format({"bold": True, "bottom": 1})
        moments = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        if not tables:
            book.add_worksheet("tables").write_column(0, 0, ["note", "This report has no tables."])
        for title, (frame, columns) in tables.items():
            sheet = sheet_frame(frame, columns, tz)
            worksheet = book.add_worksheet(sheet_name(title, taken))
            worksheet.freeze_panes(1, 0)
            for i, label in enumerate(sheet.columns):
                worksheet.write_string(0, i, str(label), header)
                _write_column(worksheet, i, sheet[label], moments)
                longest = max([len(str(label)), *(len(str(v)) for v in sheet[label].head(200))])
                worksheet.set_column(i, i, min(60, max(8, longest + 2)))
    finally:
        book.close()
    os.replace(tmp, path)
    return path


def _write_column(worksheet: Worksheet, col: int, values: pd.Series, moments: Format) -> None:
    """One column below its header, with the writer of its type; missing values stay blank."""
    if pd.api.types.is_bool_dtype(values.dtype):
        for row, value in enumerate(values.tolist(), start=1):
            if value is not None and value is not pd.NA:
                worksheet.write_boolean(row, col, bool(value))
    elif pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        for row in np.flatnonzero(np.isfinite(numbers)):
            worksheet.write_number(int(row) + 1, col, float(numbers[row]))
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        for row, value in enumerate(values.dt.to_pydatetime().tolist(), start=1):
            if value is not None and not pd.isna(value):
                worksheet.write_datetime(row, col, value, moments)
    else:
        for row, value in enumerate(values.tolist(), start=1):
            _write_cell(worksheet, row, col, value, moments)


def _write_cell(worksheet: Worksheet, row: int, col: int, value: object, moments: Format) -> None:
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, str):
        worksheet.write_string(row, col, str(spreadsheet_safe(value)))
    elif isinstance(value, bool | np.bool_):
        worksheet.write_boolean(row, col, bool(value))
    elif isinstance(value, int | float | np.integer | np.floating):
        if np.isfinite(value):
            worksheet.write_number(row, col, float(value))
    elif isinstance(value, dt.datetime):
        moment = pd.Timestamp(value)
        if moment.tzinfo is not None:
            moment = moment.tz_localize(None)
        worksheet.write_datetime(row, col, moment.to_pydatetime(), moments)
    elif isinstance(value, dt.date):
        worksheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), moments)
    else:
        worksheet.write_string(row, col, str(spreadsheet_safe(str(value))))
