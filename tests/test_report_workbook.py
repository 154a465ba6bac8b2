"""tables.xlsx: every row of every table, and no member text that a spreadsheet would run."""

from __future__ import annotations

import openpyxl
import pandas as pd

from community_health.report.blocks import Column
from community_health.report.workbook import sheet_name, write_workbook

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tleading tab", "fine"]


def test_member_text_never_becomes_a_formula(tmp_path):
    frame = pd.DataFrame(
        {
            "text": HOSTILE,
            "score": [-0.5, 1, 2, 3, 4, 5],
            "when": pd.date_range("2026-10-01 08:00", periods=6, freq="h", tz="UTC"),
        }
    )
    path = write_workbook(
        tmp_path / "tables.xlsx",
        {
            "Messages": (
                frame,
                [
                    Column("text", "Message"),
                    Column("score", "Score", "float"),
                    Column("when", "When", "datetime"),
                ],
            )
        },
        "Europe/Madrid",
    )
    sheet = openpyxl.load_workbook(path)["Messages"]
    rows = list(sheet.iter_rows(min_row=2, values_only=False))
    assert len(rows) == len(HOSTILE)
    for cell, original in zip((r[0] for r in rows), HOSTILE, strict=True):
        assert cell.data_type == "s"
        assert cell.value == (original if original == "fine" else "'" + original)
    assert [r[1].value for r in rows][:2] == [-0.5, 1]  # numbers stay numbers, negative ones too
    # Times are written in the client's zone: 08:00 UTC is 10:00 in Madrid in early October.
    assert rows[0][2].value == pd.Timestamp("2026-10-01 10:00").to_pydatetime()


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    first = sheet_name("Files with rows set aside: or a time zone assumed [all]", taken)
    second = sheet_name("Files with rows set aside: or a time zone assumed [all]", taken)
    assert len(first) <= 31 and len(second) <= 31
    assert first != second
    assert not set("[]:*?/\\") & set(first + second)
