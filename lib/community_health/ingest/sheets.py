"""What every spreadsheet-style reader does the same way: find the header, read the rows as text, check
the columns it needs (with reasons naming the file, row and field), and hand back a result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
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
from community_health.ingest.localdates import (
    day_month_order,
    localize,
    month_first_by_convention,
    split_numeric,
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
    mac_csv,
    read_delimited,
    read_delimited_utf8,
    read_records,
    utf8_bytes,
    xlsx_records,
)

COUNT_EXPECTED = "a whole number like 424 or 424.0"
#: A long number a spreadsheet rounded and wrote in exponent notation (``1.845678901234568e+18``, or with
#: the decimal comma of its locale, ``1,84568E+18``): the id it was is lost.
ROUNDED_NUMBER = r"\s*-?[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+\s*"
ROUNDED_EXPECTED = (
    "{expected}; a spreadsheet saved this long number in exponent notation, which keeps only its first "
    "digits, so the id is lost (export the file again, or import the column as text before saving it)"
)


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


#: A date written with day and month first as numbers (``23.12.2016 18:50``, ``12/23/2016 6:50 PM``,
#: ``23-12-2016``): how a spreadsheet writes a date it recognised, in its locale's short format, when it
#: saves a file again.
_NUMERIC_DATE = (
    r"^\s*[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{2}|[0-9]{4})"
    r"(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?)?\s*$"
)
_NUMERIC_DATE_ONLY = r"^\s*[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{2}|[0-9]{4})\.?\s*$"


def numeric_dates(values: pd.Series) -> np.ndarray:
    """Cells holding a date written day and month first as numbers, as a spreadsheet writes it
    (``23.12.2016 18:50``, ``12/23/2016 6:50 PM``, ``2/10/2025``)."""
    arr = pa.array(values.astype("str").reset_index(drop=True), type=pa.large_string(), from_pandas=True)
    return pc.fill_null(pc.match_substring_regex(arr, _NUMERIC_DATE), False).to_numpy(zero_copy_only=False)


def dates_as_resaved(
    values: pd.Series, formats: Sequence[str], zone: str, *, month_first: bool, source: str, convention: str
) -> tuple[pd.Series, np.ndarray, str | None]:
    """Dates as an export writes them, or as a spreadsheet wrote them back in its locale's short format.

    Cells with day and month first as numbers (``23.12.2016 18:50``, ``12/23/2016 6:50 PM``,
    ``2/10/2025``: no export's own way but a re-saved file's, or a format with a fixed order such as
    ``%m/%d/%Y``) take one day/month order for the whole column (see ``localdates``): the order their
    values settle; else day first when none of them is written with ``/`` (no locale writes the month
    first with dots or dashes); else ``month_first``. The others are read with ``formats``.

    Returns
    -------
    dates, local, note
        Dates in UTC (NaT where unreadable), the rows read as local time in ``zone``, and the sentence
        for the ingest log when the order had to be assumed from the client's zone (else None).
    """
    s = values.reset_index(drop=True)
    numeric = numeric_dates(s)
    if not numeric.any():
        dates, local = parse_dates(s, formats, zone)
        return dates, local, None
    dates, local = parse_dates(s.where(~numeric), formats, zone) if not numeric.all() else (None, None)
    text = s[numeric].astype("str")
    day_only = pc.fill_null(
        pc.match_substring_regex(
            pa.array(text, type=pa.large_string(), from_pandas=True), _NUMERIC_DATE_ONLY
        ),
        False,
    ).to_numpy(zero_copy_only=False)
    if day_only.any():
        text = text.where(~day_only, text.str.strip().str.rstrip(".") + " 0:00")
    parts = replace(split_numeric(text.tolist()), texts=s[numeric].tolist())  # notes quote the cells
    slashed = bool(text.str.contains("/", regex=False).any())
    order, naive = day_month_order(parts, chronological=False, month_first=month_first and slashed)
    idx = np.flatnonzero(numeric)
    if dates is None:
        dates = pd.Series(pd.NaT, index=range(len(s)), dtype=pd.DatetimeTZDtype("ns", "UTC"))
        local = np.zeros(len(s), dtype=bool)
    dates = dates.copy()
    dates.iloc[idx] = localize(naive, zone).array
    local = local.copy()
    local[idx] = naive.notna().to_numpy(dtype=bool)
    # dates written with dots or dashes are day first in every locale: only a slash leaves it open
    return dates, local, order.note(source, convention) if convention and slashed else None


#: Digits in groups of three after dots (``12.345``, ``1.250.000``): thousands as a spreadsheet writes them
#: in a locale whose decimal mark is a comma.
_DOTTED_THOUSANDS = r"^\s*[0-9]{1,3}(?:\.[0-9]{3})+\s*$"
#: A dot followed by other than three digits (``424.0``, ``0.0345``): a column whose dots are decimal points.
_DECIMAL_DOT = r"[0-9]\.(?:[0-9]{1,2}|[0-9]{4,})\s*$"


def thousands_without_dots(values: pd.Series) -> pd.Series:
    """A count column with the dots of ``12.345`` (thousands, as a de-DE, es-ES, it-IT, nl-NL or pt-BR
    spreadsheet writes them) removed, when no cell of the column uses the dot as a decimal point
    (``424.0``): a count is never fractional, so such a column's dots can only group thousands."""
    arr = pa.array(values.astype("str").reset_index(drop=True), type=pa.large_string(), from_pandas=True)
    # most columns hold no dot, or floats such as 424.0 (a decimal point): decided without a regex
    if pc.any(pc.ends_with(arr, ".0")).as_py() or not pc.any(pc.match_substring(arr, ".")).as_py():
        return values
    dotted = pc.fill_null(pc.match_substring_regex(arr, _DOTTED_THOUSANDS), False)
    if not pc.any(dotted).as_py():
        return values
    if pc.any(pc.fill_null(pc.match_substring_regex(arr, _DECIMAL_DOT), False)).as_py():
        return values
    out = arrow_text(pc.if_else(dotted, pc.replace_substring(arr, ".", ""), arr))
    out.index = values.index
    return out


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
    raw = utf8_bytes(data := mac_csv(data))
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
        self.notes: list[str] = []

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
        if bad.any():
            rounded = bad & fullmatch(s, ROUNDED_NUMBER)
            self.flag(rounded, name, ROUNDED_EXPECTED.format(expected=expected), s)
        self.flag(bad, name, expected, s)
        return s.str.strip()

    def ids(self, name: str, expected: str) -> pd.Series:
        """A required id column of any form; an id a spreadsheet rounded into exponent notation
        (``3,45679E+18``) names nothing and its row is flagged."""
        s = self.required(name, expected)
        self.flag(fullmatch(s, ROUNDED_NUMBER), name, ROUNDED_EXPECTED.format(expected=expected), s)
        return s.str.strip()

    def counts(self, name: str) -> pd.Series:
        """A count column: absent column or empty cell is null, text that is no count is flagged."""
        if not self.has(name):
            return null_counts(len(self))
        raw = self.table.frame[name]
        counts, bad = counts_with(thousands_without_dots(raw), counts_from_text, zero_fraction=True)
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

    def dates(
        self,
        name: str,
        formats: Sequence[str],
        expected: str,
        *,
        local_zone: str | None,
        month_first: bool | None = None,
        prepare: Callable[[pd.Series], pd.Series] | None = None,
    ) -> pd.Series:
        """A required date column into UTC; dates without a zone are read in ``local_zone``.

        Dates a spreadsheet wrote back in its locale's short format (``23.12.2016 18:50``) are read too,
        with one day/month order for the whole column (:func:`dates_as_resaved`); ``month_first`` is the
        export's own order when nothing in the file settles it (None: the convention of the client's
        zone, and the ingest log says it was assumed). ``prepare`` turns the cells into what ``formats``
        read (month names in English, a zone's minutes); a reason shows the cell as written.
        """
        s = self.required(name, expected)
        zone = local_zone or "UTC"
        by_zone = month_first is None
        dates, local, note = dates_as_resaved(
            s if prepare is None else prepare(s),
            formats,
            zone,
            month_first=month_first_by_convention(self.ctx.timezone) if by_zone else bool(month_first),
            source=self.ctx.source,
            convention=f"usual for {self.ctx.timezone}" if by_zone else "",
        )
        if note is not None:
            self.notes.append(note)
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
        return ReadResult(
            table,
            frame,
            quarantine,
            self.table.rows_read,
            skipped,
            assumed_timezone=assumed,
            error=" ".join(self.notes) or None,
        )
