"""``tables.xlsx``: every table of the report in full, one sheet each, for the client to sort and filter.

The report shows the first rows of a long table; the workbook holds all of them. Member text is data
here too: no cell may start a formula, so a text that begins with ``=``, ``+``, ``-``, ``@`` or a
tab or carriage return is written with a leading apostrophe (the OWASP advice against formula
injection), and the writer is told never to turn strings into formulas or links.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

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
    """The columns of a table under their labels: times in the client's zone, text made safe."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in columns:
        values = (
            frame[column.key].reset_index(drop=True)
            if column.key in frame.columns
            else pd.Series([None] * len(frame), dtype="object")
        )
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert(tz).dt.tz_localize(None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(spreadsheet_safe).astype(object)
        out[column.label] = values
    return out


def write_workbook(path: Path, tables: Mapping[str, tuple[pd.DataFrame, Sequence[Column]]], tz: str) -> Path:
    """Write ``tables`` (title -> (frame, columns)) to ``path`` atomically, one sheet per table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    taken: set[str] = set()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    with pd.ExcelWriter(
        tmp,
        engine="xlsxwriter",
        engine_kwargs={"options": options},
        datetime_format="yyyy-mm-dd hh:mm",
        date_format="yyyy-mm-dd",
    ) as writer:
        if not tables:
            pd.DataFrame({"note": ["This report has no tables."]}).to_excel(
                writer, sheet_name="tables", index=False
            )
        for title, (frame, columns) in tables.items():
            name = sheet_name(title, taken)
            sheet = sheet_frame(frame, columns, tz)
            sheet.to_excel(writer, sheet_name=name, index=False)
            worksheet = writer.sheets[name]
            worksheet.freeze_panes(1, 0)
            for i, label in enumerate(sheet.columns):
                longest = max([len(str(label)), *(len(str(v)) for v in sheet[label].head(200))])
                worksheet.set_column(i, i, min(60, max(8, longest + 2)))
    os.replace(tmp, path)
    return path
