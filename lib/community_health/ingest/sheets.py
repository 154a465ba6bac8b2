"""What every spreadsheet-style reader does the same way: find the header, read the rows as text, check
the columns it needs (with reasons naming the file, row and field), and hand back a result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    RowChecks,
    Table,
    build_frame,
    counts_from_text,
    empty_quarantine,
    filled_text,
    null_counts,
    null_text,
    parse_dates,
    quarantine_frame,
    refused,
)
from community_health.ingest.tabular import (
    HeaderTest,
    RawTable,
    TableError,
    decode,
    is_xlsx,
    locate_header,
    locate_header_in_records,
    locate_header_utf8,
    read_delimited,
    read_delimited_utf8,
    read_records,
    utf8_bytes,
    xlsx_records,
)

COUNT_EXPECTED = "a whole number like 424 or 424.0"


def load_sheet(data: bytes, is_header: HeaderTest, mapping: Mapping[str, str], what: str) -> RawTable:
    """The data rows of a CSV or XLSX export whose header passes ``is_header``.

    Parameters
    ----------
    data
        The file's bytes.
    is_header
        Recognises the header row (preamble rows above it are skipped).
    mapping
        Raw column name -> known name.
    what
        The header the reader expects, for the error message (``Tweet id, Tweet permalink, time``).

    Raises
    ------
    TableError
        When no header is found or the file cannot be read; the message says what to do.
    """
    if is_xlsx(data):
        records = xlsx_records(data)
        index = locate_header_in_records(records, is_header, mapping)
        if index is None:
            raise TableError(f"no header row with the columns {what} in the first rows of the first sheet")
        return read_records(records, index, mapping)
    raw = utf8_bytes(data)
    if raw is not None:
        found = locate_header_utf8(raw, is_header, mapping)
        if found is None:
            raise TableError(f"no header row with the columns {what} in the first rows")
        return read_delimited_utf8(raw, found, mapping)
    text = decode(data)
    at = locate_header(text, is_header, mapping)
    if at is None:
        raise TableError(f"no header row with the columns {what} in the first rows")
    return read_delimited(text, at, mapping)


class SheetRows:
    """The rows of one spreadsheet export being checked and converted.

    Parameters
    ----------
    table
        The rows, as text.
    ctx
        The export's path and the client's time zone.
    """

    def __init__(self, table: RawTable, ctx: ReadContext) -> None:
        self.table = table
        self.ctx = ctx
        self.checks = RowChecks(ctx.source, table.rows)
        self.assumed: np.ndarray = np.zeros(len(table.frame), dtype=bool)

    def __len__(self) -> int:
        return len(self.table.frame)

    def has(self, name: str) -> bool:
        return name in self.table.frame.columns

    def text(self, name: str) -> pd.Series:
        """A column's text with empty cells as null (all null when the column is absent)."""
        if not self.has(name):
            return null_text(len(self))
        return filled_text(self.table.frame[name])

    def required(self, name: str, expected: str) -> pd.Series:
        """A column every row must fill; rows leaving it empty are flagged."""
        s = self.text(name)
        self.checks.flag(s.isna().to_numpy(dtype=bool), name, expected, s)
        return s

    def matching(self, name: str, pattern: str, expected: str) -> pd.Series:
        """A required column whose cells must match ``pattern`` (a regular expression)."""
        s = self.required(name, expected)
        bad = s.notna() & ~s.str.fullmatch(pattern, na=False)
        self.checks.flag(bad.to_numpy(dtype=bool), name, expected, s)
        return s.str.strip()

    def counts(self, name: str) -> pd.Series:
        """A count column: absent column or empty cell is null, text that is no count is flagged."""
        if not self.has(name):
            return null_counts(len(self))
        raw = self.table.frame[name]
        counts, bad = counts_from_text(raw)
        self.checks.flag(bad, name, COUNT_EXPECTED, raw)
        return counts.reset_index(drop=True)

    def sum_counts(self, names: Sequence[str]) -> pd.Series:
        """The sum of the present count columns; null where every one of them is null."""
        parts = [self.counts(n) for n in names if self.has(n)]
        if not parts:
            return null_counts(len(self))
        stacked = pd.concat(parts, axis=1)
        total = stacked.sum(axis=1, min_count=1)
        return total.astype("Int64")

    def dates(self, name: str, formats: Sequence[str], expected: str, *, local_zone: str | None) -> pd.Series:
        """A required date column into UTC; dates without a zone are read in ``local_zone``."""
        s = self.required(name, expected)
        dates, local = parse_dates(s, formats, local_zone)
        self.checks.flag((dates.isna() & s.notna()).to_numpy(dtype=bool), name, expected, s)
        self.assumed |= local
        return dates

    def refuse_missing(self, table: Table, missing: Sequence[str], header: str) -> ReadResult:
        """Refuse the export: a column it needs is missing; every data row is counted as quarantined."""
        names = ", ".join(f'"{m}"' for m in missing)
        message = (
            f"{self.ctx.source} has no column {names}: this does not look like a complete "
            f"export (expected a header with {header}). Export it again without removing columns, "
            "or map the renamed columns in client.yml under column_mappings."
        )
        rows = [*self.table.rows.tolist(), *(b[0] for b in self.table.broken)]
        excerpts = [*self.table.excerpts(np.arange(len(self))), *(b[2] for b in self.table.broken)]
        reasons = [f"{self.ctx.source} row {r}: file refused, it has no column {names}" for r in rows]
        q = quarantine_frame(self.ctx.source, rows, [missing[0]] * len(rows), reasons, excerpts)
        return refused(table, message, quarantine=q, rows_read=len(rows))

    def finish(
        self, table: Table, data: Mapping[str, Any], skipped: dict[str, int] | None = None
    ) -> ReadResult:
        """The result: rows without a problem in ``table``, the others (and broken lines) quarantined."""
        ok = self.checks.ok
        n = len(self)
        data = dict(data)
        data.setdefault("source_file", [self.ctx.source] * n)
        data.setdefault("source_row", self.table.rows.tolist())
        frame = build_frame(table, data, n)
        frame = frame.loc[ok].reset_index(drop=True)
        parts = [self.checks.quarantine(self.table.excerpts)]
        if self.table.broken:
            parts.append(
                quarantine_frame(
                    self.ctx.source,
                    [b[0] for b in self.table.broken],
                    [None] * len(self.table.broken),
                    [f"{self.ctx.source} row {b[0]}: {b[1]}" for b in self.table.broken],
                    [b[2] for b in self.table.broken],
                )
            )
        quarantine = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if len(quarantine) == 0:
            quarantine = empty_quarantine()
        quarantine = quarantine.sort_values("row", kind="stable").reset_index(drop=True)
        assumed = self.ctx.timezone if (self.assumed & ok).any() else None
        skipped = {**self.checks.skipped(), **(skipped or {})}
        return ReadResult(table, frame, quarantine, self.table.rows_read, skipped, assumed_timezone=assumed)
