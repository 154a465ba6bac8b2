"""What every spreadsheet-style reader does the same way: find the header, read the rows as text, check
the columns it needs (with reasons naming the file, row and field), and hand back a result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.envelope import (
    STR,
    ReadContext,
    ReadResult,
    RowChecks,
    Table,
    build_frame,
    counts_from_text,
    empty_quarantine,
    extract,
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


#: White space Python's ``\s`` matches and Arrow's does not (vertical tab, file/group/record/unit separators).
_PYTHON_ONLY_SPACE = "[\x0b\x1c-\x1f]"


def fullmatch(values: pd.Series, pattern: str) -> np.ndarray:
    """``values.str.fullmatch(pattern, na=False)`` as a mask: Arrow's regular expressions on ASCII text
    (where they match as Python's do, but for white space only Python knows), Python's on the rest."""
    s = values.astype("str").reset_index(drop=True)
    arr = pa.array(s, type=pa.large_string(), from_pandas=True)
    found = pc.fill_null(pc.match_substring_regex(arr, f"^(?:{pattern})$"), False)
    out = found.to_numpy(zero_copy_only=False).astype(bool)
    python = pc.or_(pc.invert(pc.string_is_ascii(arr)), pc.match_substring_regex(arr, _PYTHON_ONLY_SPACE))
    slow = pc.fill_null(python, False).to_numpy(zero_copy_only=False)
    if slow.any():
        out[slow] = s[slow].str.fullmatch(pattern, na=False).to_numpy(dtype=bool)
    return out


def arrow_text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A ``str`` column (RangeIndex) holding Arrow text as it is."""
    return pd.Series(pd.arrays.ArrowStringArray(values, dtype=STR), copy=False)


def repeated_text(value: str, n: int) -> pd.Series:
    """A ``str`` column of ``n`` times ``value``, built by Arrow."""
    return arrow_text(pa.repeat(pa.scalar(value, pa.large_string()), n))


def extract_in(values: pd.Series, pattern: str, rows: np.ndarray) -> pd.Series:
    """``extract(values, pattern)`` in the cells where ``rows`` holds, null in the others (the pattern
    runs on those cells only)."""
    if rows.all():
        return extract(values, pattern)
    if not rows.any():
        out = null_text(len(values))
    else:
        found = pa.array(extract(values[rows], pattern), type=pa.large_string(), from_pandas=True)
        out = arrow_text(found.take(pa.array(np.cumsum(rows) - 1, mask=~rows)))
    out.index = values.index
    return out


def counts_with(
    values: pd.Series, convert: Callable[[pd.Series], tuple[pd.Series, np.ndarray]], *, zero_fraction: bool
) -> tuple[pd.Series, np.ndarray]:
    """``convert(values)`` (``counts_from_text`` or a reader's variant of it), with the cells every such
    reading takes the same way read at once in Arrow: empty cells (absent), plain ASCII digits (at most 15)
    and, with ``zero_fraction``, digits with a zero fraction (``424.0``). ``convert`` reads only the rest.

    Returns
    -------
    counts, bad
        ``Int64`` counts and the cells that are no count, as ``convert`` gives them.
    """
    s = values.astype("str").reset_index(drop=True)
    arr = pa.array(s, type=pa.large_string(), from_pandas=True)
    n = len(arr)
    empty = pc.fill_null(pc.equal(arr, ""), True)
    whole = pc.fill_null(pc.and_(pc.ascii_is_decimal(arr), pc.less_equal(pc.binary_length(arr), 15)), False)
    rest = pc.invert(pc.or_(empty, whole))
    if zero_fraction and pc.any(rest).as_py():
        # "424.0" (most often) without a regular expression, other zero fractions with one
        digits = pc.utf8_slice_codeunits(arr, 0, -2)
        length = pc.binary_length(digits)
        dotted = pc.and_(
            pc.and_(pc.ends_with(arr, ".0"), pc.ascii_is_decimal(digits)),
            pc.and_(pc.greater_equal(length, 1), pc.less_equal(length, 15)),
        )
        dotted = pc.and_(rest, pc.fill_null(dotted, False))
        whole = pc.or_(whole, dotted)
        rest = pc.and_(rest, pc.invert(dotted))
        if pc.any(rest).as_py():
            zeros = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{1,15}\.0+$"), False)
            whole = pc.or_(whole, zeros)
            rest = pc.and_(rest, pc.invert(zeros))
    numbers = pc.cast(pc.if_else(whole, arr, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    out = pd.arrays.IntegerArray(numbers.astype(np.int64), ~whole.to_numpy(zero_copy_only=False))
    bad = np.zeros(n, dtype=bool)
    todo = np.flatnonzero(rest.to_numpy(zero_copy_only=False))
    if len(todo):
        counts, bad_rest = convert(s.iloc[todo])
        out[todo] = counts.array
        bad[todo] = bad_rest
    return pd.Series(out), bad


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

    def flag(self, bad: np.ndarray, name: str, expected: str, got: pd.Series) -> None:
        """``checks.flag``, skipped at once when no row is bad."""
        if bad.any():
            self.checks.flag(bad, name, expected, got)

    def text(self, name: str) -> pd.Series:
        """A column's text with empty cells as null (all null when the column is absent)."""
        if not self.has(name):
            return null_text(len(self))
        return filled_text(self.table.frame[name])

    def required(self, name: str, expected: str) -> pd.Series:
        """A column every row must fill; rows leaving it empty are flagged."""
        s = self.text(name)
        self.flag(s.isna().to_numpy(dtype=bool), name, expected, s)
        return s

    def matching(self, name: str, pattern: str, expected: str) -> pd.Series:
        """A required column whose cells must match ``pattern`` (a regular expression)."""
        s = self.required(name, expected)
        bad = s.notna().to_numpy(dtype=bool) & ~fullmatch(s, pattern)
        self.flag(bad, name, expected, s)
        return s.str.strip()

    def counts(self, name: str) -> pd.Series:
        """A count column: absent column or empty cell is null, text that is no count is flagged."""
        if not self.has(name):
            return null_counts(len(self))
        raw = self.table.frame[name]
        counts, bad = counts_with(raw, counts_from_text, zero_fraction=True)
        self.flag(bad, name, COUNT_EXPECTED, raw)
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
        self.flag((dates.isna() & s.notna()).to_numpy(dtype=bool), name, expected, s)
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
        data.setdefault("source_file", repeated_text(self.ctx.source, n))
        data.setdefault("source_row", np.asarray(self.table.rows, dtype=np.int64))
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
