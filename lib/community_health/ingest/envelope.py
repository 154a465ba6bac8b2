"""The envelope every reader shares: what a reader is given, what it returns, and the conversions that
must work the same way for every source (ids, counts, dates into UTC, row checks with reasons).

Readers build their rows column by column (lists or Series, never row by row into a DataFrame), check
them with :class:`RowChecks`, and hand back a :class:`ReadResult` whose counts obey the accounting rule::

    rows_read == len(frame) + len(quarantine) + sum(skipped.values())

Duplicates are found later, across files, by the pipeline; a reader only reads.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.schema import Messages, Posts, columns

NS_UTC = pd.DatetimeTZDtype("ns", "UTC")
EXCERPT_CHARS = 200
_SHOWN_VALUE_CHARS = 60


class Table(StrEnum):
    """The normalised table a reader fills."""

    MESSAGES = "messages"
    POSTS = "posts"


QUARANTINE_COLUMNS = ("file", "row", "field", "reason", "excerpt")


@dataclass(frozen=True)
class ReadContext:
    """What a reader knows besides the bytes it reads.

    Parameters
    ----------
    source
        The export's path relative to the client's folder, POSIX style (``exports/x/2026-10.csv``).
        Rows carry it as ``source_file`` and every quarantine reason starts with it.
    timezone
        The client's time zone, assumed for dates written without one.
    column_mapping
        Raw column name -> the name the reader knows (from ``column_mappings`` in ``client.yml``).
    """

    source: str
    timezone: str = "UTC"
    column_mapping: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ReadResult:
    """What a reader returns for one export.

    Attributes
    ----------
    table
        Which normalised table ``frame`` belongs to.
    frame
        The rows read, in the table's columns, before deduplication across files. Brand and bot marks
        here come from the data only; the client's configuration is applied by the pipeline.
    quarantine
        One row per input row that could not be used (columns ``file, row, field, reason, excerpt``).
    rows_read
        Data rows in the export (not headers, description rows or preamble lines).
    skipped
        Rows that are not community content (joins, pins, deleted posts), counted per reason.
    assumed_timezone
        The time zone assumed for dates written without one, or None when every date carried one.
    error
        Why the export was refused as a whole, in words a person can act on; None when it was read.
    """

    table: Table
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    skipped: dict[str, int] = field(default_factory=dict)
    assumed_timezone: str | None = None
    error: str | None = None

    @property
    def skipped_total(self) -> int:
        return int(sum(self.skipped.values()))

    def balanced(self) -> bool:
        """Whether every row read is kept, quarantined or skipped (before deduplication)."""
        return self.rows_read == len(self.frame) + len(self.quarantine) + self.skipped_total


@dataclass
class ReadBatch:
    """What a reader returns for several exports of its format read at once (many small files cost
    one set of column operations instead of one per file). Rows of every export share one frame.

    Attributes
    ----------
    table
        Which normalised table ``frame`` belongs to.
    frame, quarantine
        As in :class:`ReadResult`, for every export of the batch, in export order.
    row_export, quarantine_export
        For each row of ``frame`` and of ``quarantine``: the position of its export in the batch.
    rows_read, skipped, assumed_timezone, error
        Per export, as in :class:`ReadResult`.
    """

    table: Table
    frame: pd.DataFrame
    row_export: np.ndarray
    quarantine: pd.DataFrame
    quarantine_export: np.ndarray
    rows_read: list[int]
    skipped: list[dict[str, int]]
    assumed_timezone: list[str | None]
    error: list[str | None]

    def __len__(self) -> int:
        return len(self.rows_read)

    @classmethod
    def of(cls, table: Table, results: Sequence[ReadResult]) -> ReadBatch:
        """The batch of results read one export at a time."""
        frames = [r.frame for r in results if len(r.frame)]
        quarantines = [r.quarantine for r in results if len(r.quarantine)]
        return cls(
            table,
            pd.concat(frames, ignore_index=True) if frames else empty_frame(table),
            np.repeat(np.arange(len(results)), [len(r.frame) for r in results]),
            pd.concat(quarantines, ignore_index=True) if quarantines else empty_quarantine(),
            np.repeat(np.arange(len(results)), [len(r.quarantine) for r in results]),
            [r.rows_read for r in results],
            [r.skipped for r in results],
            [r.assumed_timezone for r in results],
            [r.error for r in results],
        )

    def result(self, i: int) -> ReadResult:
        """The result of the ``i``-th export alone."""
        if len(self) == 1:
            frame, quarantine = self.frame, self.quarantine
        else:
            frame = self.frame.loc[self.row_export == i].reset_index(drop=True)
            quarantine = self.quarantine.loc[self.quarantine_export == i].reset_index(drop=True)
        return ReadResult(
            self.table,
            frame,
            quarantine,
            self.rows_read[i],
            self.skipped[i],
            self.assumed_timezone[i],
            self.error[i],
        )

    def unbalanced(self) -> list[int]:
        """The exports whose rows read are not all kept, quarantined or skipped (a reader's fault)."""
        n = len(self)
        kept = np.bincount(self.row_export, minlength=n)
        quarantined = np.bincount(self.quarantine_export, minlength=n)
        return [
            i
            for i in range(n)
            if self.rows_read[i] != kept[i] + quarantined[i] + sum(self.skipped[i].values())
        ]


class RowLabel(StrEnum):
    """How a reason names a row: a spreadsheet row, or the n-th element of a JSON array."""

    ROW = "row"
    MESSAGE = "message"
    POST = "post"
    LINE = "line"  # a line of a text export (JSON lines, a chat transcript)


# ---------------------------------------------------------------------------------------------------
# Frames


_EMPTY_QUARANTINE = pd.DataFrame(
    {
        "file": pd.Series(dtype="str"),
        "row": pd.Series(dtype="Int64"),
        "field": pd.Series(dtype="str"),
        "reason": pd.Series(dtype="str"),
        "excerpt": pd.Series(dtype="str"),
    }
)


def empty_quarantine() -> pd.DataFrame:
    """An empty quarantine table (a fresh copy: callers may add to it)."""
    return _EMPTY_QUARANTINE.copy()


def quarantine_frame(
    file: Sequence[str] | str,
    row: Sequence[int | None],
    field_: Sequence[str | None],
    reason: Sequence[str],
    excerpt: Sequence[str | None],
) -> pd.DataFrame:
    """Build a quarantine table from parallel lists (``file`` may be one path for every row)."""
    n = len(reason)
    files = [file] * n if isinstance(file, str) else list(file)
    if n == 0:
        return empty_quarantine()
    return pd.DataFrame(
        {
            "file": text_series(files),
            "row": pd.array(list(row), dtype="Int64"),
            "field": text_series(list(field_)),
            "reason": text_series(list(reason)),
            "excerpt": text_series(list(excerpt)),
        }
    )


def clean_text(value: str) -> str:
    """Replace lone UTF-16 surrogates (invalid in UTF-8) so the text can be stored."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


#: pandas' default text dtype (``str``): Arrow-backed, nulls as NaN.
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _arrow_text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(values, dtype=STR), copy=False)


def text_series(values: Sequence[Any] | pd.Series | np.ndarray) -> pd.Series:
    """A ``str`` column from Python values; None/NaN stay null and lone surrogates are replaced.

    Lists of text and nulls go straight to Arrow (several times faster than pandas' own conversion);
    anything else (numbers to be written as text, lone surrogates) takes pandas' path.
    """
    if isinstance(values, pd.Series):
        if values.dtype == STR:
            return values.reset_index(drop=True)
        values = values.reset_index(drop=True)
    elif not isinstance(values, np.ndarray) or values.dtype == object:
        try:
            return _arrow_text(pa.array(values, type=pa.large_string()))
        except (pa.ArrowException, TypeError, ValueError, UnicodeError):
            pass
    try:
        return pd.Series(values, dtype="str")
    except (UnicodeEncodeError, UnicodeDecodeError):
        fixed = [clean_text(v) if isinstance(v, str) else v for v in values]
        return pd.Series(fixed, dtype="str")


def int_series(values: Sequence[Any] | pd.Series | np.ndarray, dtype: Any = "Int64") -> pd.Series:
    """A nullable integer column; a list of plain ints takes a fast path through NumPy."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True).astype(dtype)
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return pd.Series(values).astype(dtype)
    try:
        exact = np.fromiter(values, dtype=np.int64, count=len(values))
        if all(type(v) is int for v in values):  # not floats, bools or numeric text
            return pd.Series(exact).astype(dtype)
    except (TypeError, ValueError, OverflowError):
        pass
    return pd.Series(pd.array(list(values), dtype=dtype))


def _null_column(dtype: Any, n: int) -> pd.Series:
    if str(dtype) == "str":
        return _arrow_text(pa.nulls(n, pa.large_string()))
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.Series(pd.NaT, index=range(n), dtype=NS_UTC)
    if str(dtype) == "bool":
        return pd.Series(np.zeros(n, dtype=bool))
    if str(dtype) == "Int64":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    return pd.Series(pd.array([None] * n, dtype=dtype))


def filled_text(values: pd.Series) -> pd.Series:
    """``values.where(values.str.strip().str.len() > 0)``: text with blank cells as null, done in Arrow."""
    if values.dtype != STR:
        return values.where(values.str.strip().str.len() > 0)
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)
    out = _arrow_text(pc.if_else(pc.fill_null(filled, False), arr, pa.scalar(None, pa.large_string())))
    out.index = values.index
    out.name = values.name
    return out


def first_text(columns: Sequence[pd.Series], n: int) -> pd.Series:
    """The first non-null cell of each row among ``str`` columns (all null when there are none)."""
    if not columns:
        return null_text(n)
    arrays = [pa.array(c, type=pa.large_string(), from_pandas=True) for c in columns]
    return _arrow_text(pc.coalesce(*arrays) if len(arrays) > 1 else arrays[0])


def null_text(n: int) -> pd.Series:
    """A ``str`` column of ``n`` nulls (built by Arrow, not from a list)."""
    return _null_column("str", n)


def null_counts(n: int) -> pd.Series:
    """An ``Int64`` column of ``n`` nulls."""
    return _null_column("Int64", n)


def _schema_dtypes(model: Any) -> dict[str, Any]:
    return {name: col.dtype.type for name, col in model.to_schema().columns.items()}


_MESSAGE_DTYPES = _schema_dtypes(Messages)
_POST_DTYPES = _schema_dtypes(Posts)


def build_frame(table: Table, data: Mapping[str, Any], n: int) -> pd.DataFrame:
    """A frame with every column of ``table`` in schema order, filling absent columns with nulls.

    Parameters
    ----------
    table
        Which table the columns belong to.
    data
        Column name -> values (list, array or Series of length ``n``) already in their final types or
        in Python values that convert losslessly (str, bool, int, Timestamp).
    n
        Number of rows.
    """
    dtypes = _MESSAGE_DTYPES if table is Table.MESSAGES else _POST_DTYPES
    names = columns(Messages) if table is Table.MESSAGES else columns(Posts)
    unknown = set(data) - set(names)
    if unknown:
        raise KeyError(f"columns not in the {table} table: {sorted(unknown)}")
    out: dict[str, pd.Series] = {}
    for name in names:
        dtype = dtypes[name]
        if name not in data:
            out[name] = _null_column(dtype, n)
            continue
        values = data[name]
        if str(dtype) == "str":
            out[name] = text_series(values)
        elif isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = pd.Series(values).reset_index(drop=True).astype(NS_UTC)
        elif str(dtype) == "bool":
            out[name] = pd.Series(np.asarray(values, dtype=bool))
        else:
            out[name] = int_series(values, dtype)
    return pd.DataFrame(out, copy=False)


def empty_frame(table: Table) -> pd.DataFrame:
    """An empty frame of ``table``."""
    return build_frame(table, {}, 0)


def refused(
    table: Table,
    message: str,
    *,
    quarantine: pd.DataFrame | None = None,
    rows_read: int = 0,
    assumed_timezone: str | None = None,
) -> ReadResult:
    """The result for an export refused as a whole; its countable rows are all quarantined."""
    q = quarantine if quarantine is not None else empty_quarantine()
    return ReadResult(
        table,
        empty_frame(table),
        q,
        rows_read if quarantine is not None else 0,
        assumed_timezone=assumed_timezone,
        error=message,
    )


# ---------------------------------------------------------------------------------------------------
# Row checks


def shown(value: Any) -> str:
    """A value as a reason quotes it: ``"yesterday"``, or ``nothing`` when it is empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "nothing"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text.strip() == "":
        return "nothing"
    text = text.replace("\n", " ")
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[: _SHOWN_VALUE_CHARS - 1] + "…"
    return f'"{text}"'


def excerpt_of(value: Any) -> str:
    """The excerpt kept beside a quarantined row (its raw text, shortened)."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    text = clean_text(text)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


class RowChecks:
    """The first problem of each row, collected column by column.

    Parameters
    ----------
    files
        The file each row came from: one path for all, or one per row (Slack's per-day files).
    rows
        Each row's number in its file (1-based spreadsheet row or array position).
    label
        How reasons name a row (``row 14``, ``message 14``).
    """

    def __init__(
        self, files: str | Sequence[str], rows: Sequence[int] | np.ndarray, label: RowLabel = RowLabel.ROW
    ) -> None:
        self.rows = np.asarray(rows, dtype=np.int64)
        n = len(self.rows)
        self.files: np.ndarray = (
            np.full(n, files, dtype=object) if isinstance(files, str) else np.asarray(files, dtype=object)
        )
        self.label = label
        self.field: np.ndarray = np.full(n, None, dtype=object)
        self.reason: np.ndarray = np.full(n, None, dtype=object)
        self.skip_reason: np.ndarray = np.full(n, None, dtype=object)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> np.ndarray:
        """Rows neither flagged nor skipped so far: the rows that will be kept."""
        return np.equal(self.reason, None) & np.equal(self.skip_reason, None)

    @property
    def flagged(self) -> np.ndarray:
        """Rows with a problem: the rows that will be quarantined."""
        return ~np.equal(self.reason, None)

    def skip(self, mask: np.ndarray | pd.Series, reason: str | Sequence[str]) -> None:
        """Count rows that are not community content (joins, pins, deleted posts) as skipped.

        Parameters
        ----------
        mask
            The rows to skip (rows already flagged or skipped keep their first outcome).
        reason
            One reason for all, or one per row (``Slack channel_join event``).
        """
        m = np.asarray(mask, dtype=bool) & self.ok
        if isinstance(reason, str):
            self.skip_reason[m] = reason
        else:
            reasons = np.asarray(reason, dtype=object)
            self.skip_reason[m] = reasons[m]

    def skipped(self) -> dict[str, int]:
        """Skipped rows counted per reason, in order of first appearance."""
        return self.skipped_by(np.zeros(len(self), dtype=np.int64), 1)[0]

    def skipped_by(self, export: np.ndarray, exports: int) -> list[dict[str, int]]:
        """Skipped rows counted per reason for each export of a batch (``export``: each row's)."""
        out: list[dict[str, int]] = [{} for _ in range(exports)]
        skipped = np.flatnonzero(~np.equal(self.skip_reason, None))
        pairs = Counter(zip(export[skipped].tolist(), self.skip_reason[skipped].tolist(), strict=True))
        for (e, r), count in pairs.items():  # in order of first appearance, as each export's counts are
            out[e][r] = count
        return out

    def where(self, i: int) -> str:
        return f"{self.files[i]} {self.label} {self.rows[i]}"

    def flag(
        self,
        bad: np.ndarray | pd.Series,
        field_: str,
        expected: str,
        got: Sequence[Any] | pd.Series | np.ndarray,
    ) -> None:
        """Mark rows where ``bad`` holds, unless they already have a problem.

        The reason reads ``<file> row <n>, field "<field>": expected <expected>, got "<value>"``.
        """
        mask = np.asarray(bad, dtype=bool) & self.ok
        if not mask.any():
            return
        values = got.to_numpy(dtype=object) if isinstance(got, pd.Series) else np.asarray(got, dtype=object)
        for i in np.flatnonzero(mask):
            self.field[i] = field_
            self.reason[i] = f'{self.where(i)}, field "{field_}": expected {expected}, got {shown(values[i])}'

    def flag_rows(self, bad: np.ndarray | pd.Series, field_: str | None, reason: str) -> None:
        """Mark rows with a reason that is not about one value (``reason`` follows the row's name)."""
        mask = np.asarray(bad, dtype=bool) & self.ok
        for i in np.flatnonzero(mask):
            self.field[i] = field_
            self.reason[i] = f"{self.where(i)}: {reason}"

    def quarantine(self, excerpt: Callable[[np.ndarray], Sequence[str]]) -> pd.DataFrame:
        """The quarantine rows of every flagged row; ``excerpt`` gives the raw text of given positions."""
        bad = np.flatnonzero(self.flagged)
        if len(bad) == 0:
            return empty_quarantine()
        return quarantine_frame(
            list(self.files[bad]),
            self.rows[bad].tolist(),
            list(self.field[bad]),
            list(self.reason[bad]),
            list(excerpt(bad)),
        )


# ---------------------------------------------------------------------------------------------------
# Conversions

_NULL_TOKENS = frozenset({"", "-", "--", "—", "n/a", "na", "none", "null", "nan"})


def is_blank(values: pd.Series) -> np.ndarray:
    """Null or empty (after stripping) cells."""
    s = values.astype("str")
    return (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)


#: Counts every path below reads the same way: plain digits, perhaps with a zero fraction (``424.0``), or
#: digits in groups of three with comma separators (``1,234``); at most 15 digits, exact in a float.
_PLAIN_COUNT = r"^[0-9]{1,15}(?:\.0+)?$|^[0-9]{1,3}(?:,[0-9]{3}){1,4}$"


def plain_counts(
    values: pd.Series, pattern: str = _PLAIN_COUNT, unless: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells that are plain whole numbers (matching ``pattern`` but not ``unless``) and the empty (or
    null) cells, found with Arrow: (plain, empty, numbers); numbers are NaN except in plain cells."""
    arr = pa.array(values.astype("str").reset_index(drop=True), type=pa.large_string(), from_pandas=True)
    plain = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    if unless is not None:
        plain = pc.and_(plain, pc.invert(pc.fill_null(pc.match_substring_regex(arr, unless), False)))
    digits = pc.replace_substring(pc.replace_substring_regex(arr, r"\.0+$", ""), ",", "")
    whole = pc.if_else(plain, digits, "0")
    number = pc.cast(pc.fill_null(whole, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    mask = plain.to_numpy(zero_copy_only=False)
    empty = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    return mask, empty, np.where(mask, number, np.nan)


def counts_from_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Read counts written as text: ``"424"``, ``"424.0"``, ``"1,234"``; ``""`` and ``"-"`` are absent.

    Returns
    -------
    counts, bad
        ``Int64`` counts (absent stays <NA>, never 0) and the rows whose text is not a whole,
        non-negative number.
    """
    s = values.astype("str").reset_index(drop=True)
    plain, empty, number = plain_counts(s)
    other = ~plain & ~empty
    if other.any():
        rest = np.flatnonzero(other)
        number[rest] = np.array(pd.to_numeric(s.iloc[rest], errors="coerce"), dtype="float64")
    absent = empty.copy()
    retry = np.flatnonzero(np.isnan(number) & ~empty)
    if len(retry):
        sub = s.iloc[retry].str.strip()
        blank = np.array(sub.isna() | sub.str.lower().isin(_NULL_TOKENS), dtype=bool)
        cleaned = sub.str.replace(r"[,\u00a0\u202f ']", "", regex=True).str.rstrip("%")
        number[retry] = np.array(pd.to_numeric(cleaned, errors="coerce"), dtype="float64")
        number[retry[blank]] = np.nan
        absent[retry] = blank
    with np.errstate(invalid="ignore"):
        bad = (~absent & np.isnan(number)) | (number < 0) | (np.mod(number, 1) != 0) & ~np.isnan(number)
    number[bad] = np.nan
    return pd.Series(pd.array(number, dtype="Int64")), bad


def extract(values: pd.Series, pattern: str) -> pd.Series:
    """``values.str.extract(pattern, expand=False)`` for a pattern with one group, run by Arrow's regex
    engine on ASCII text (where it matches as Python's does) and by Python's on the rest."""
    s = values.astype("str")
    arr = pa.array(s.reset_index(drop=True), type=pa.large_string(), from_pandas=True)
    named = re.sub(r"(?<!\\)\((?!\?)", "(?P<v>", pattern, count=1)
    try:
        found = pc.struct_field(pc.extract_regex(arr, named), "v")
    except (pa.ArrowException, ValueError):
        return s.str.extract(pattern, expand=False)
    other = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    if "$" in pattern:
        other = pc.or_(other, pc.fill_null(pc.match_substring(arr, "\n"), False))
    out = _arrow_text(pa.chunked_array([found]) if isinstance(found, pa.Array) else found)
    out.index = s.index
    slow = other.to_numpy(zero_copy_only=False)
    if slow.any():
        out[slow] = s[slow].str.extract(pattern, expand=False)
    return out


def by_distinct(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert(values)`` computed once per distinct value (nulls stay null before ``convert``)."""
    codes, uniques = pd.factorize(values.astype("str").reset_index(drop=True), use_na_sentinel=True)
    nulls = bool((codes < 0).any())
    distinct = text_series([*uniques, None] if nulls else list(uniques))  # a null last: code -1 takes it
    done = convert(distinct).reset_index(drop=True)
    taken = done.take(np.where(codes < 0, len(distinct) - 1, codes)).reset_index(drop=True)
    taken.index = values.index
    return taken


#: The largest count a table holds; a larger number in an export is damage, not a count.
INT64_MAX = np.iinfo(np.int64).max


def counts_from_objects(values: Sequence[Any]) -> tuple[pd.Series, np.ndarray]:
    """Read counts from JSON values: ints (or numeric strings); None stays absent.

    Returns
    -------
    counts, bad
        ``Int64`` counts and the rows holding something that is not a whole, non-negative number.
    """
    values = list(values)
    try:
        if any(type(v) is bool for v in values):
            raise TypeError("true/false is not a count")
        with np.errstate(invalid="ignore"):  # an infinite count is damage, flagged below, not a warning
            arr = pd.array(values, dtype="Int64")
        bad = np.asarray((arr < 0).fillna(False), dtype=bool)
        if bad.any():
            arr[bad] = pd.NA
        return pd.Series(arr), bad
    except (TypeError, ValueError, OverflowError):
        pass
    out: list[int | None] = []
    bad_list: list[bool] = []
    for v in values:
        n = _as_count(v)
        ok = n is not None and 0 <= n <= INT64_MAX  # a count beyond 64 bits is damage, not a count
        out.append(n if ok else None)
        bad_list.append(v is not None and not ok)
    return pd.Series(pd.array(out, dtype="Int64")), np.asarray(bad_list, dtype=bool)


def _as_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


#: A zone written after a time of day: ``Z``, ``+02:00``, ``-0500`` (``10:22:33.123Z``, ``14:22 +0200``). The
#: time is required: the year at the end of a day-first date (``13-Oct-2026``, ``02-10-2025``) is no offset.
_OFFSET = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?\s*(?:[Zz]|[+-]\d{2}:?\d{2})\s*$"


def parse_dates(
    values: pd.Series, formats: Sequence[str], timezone: str | None
) -> tuple[pd.Series, np.ndarray]:
    """Parse date text into UTC, trying each format in turn for the rows still unparsed.

    Parameters
    ----------
    values
        Date text as exported.
    formats
        strptime formats, or ``"ISO8601"``. A format with ``%z`` (or ISO text carrying ``Z`` or an
        offset) gives the instant directly; a format without one is local time in ``timezone``.
    timezone
        The zone of local times; None or ``"UTC"`` means local times are UTC.

    Returns
    -------
    dates, local
        ``datetime64[ns, UTC]`` (NaT where nothing parsed) and the rows read as local time, whose
        zone was assumed. Ambiguous local times (the repeated hour when clocks go back) are read as
        the first of the two; times in the skipped hour move forward.
    """
    s = values.astype("str").str.strip().reset_index(drop=True)
    n = len(s)
    result = np.full(n, np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    local = np.zeros(n, dtype=bool)
    if n == 0:
        return pd.Series(result).dt.tz_localize("UTC"), local
    todo = np.array(s.notna(), dtype=bool)
    offset_cache: list[np.ndarray] = []

    def has_offset() -> np.ndarray:
        if not offset_cache:
            found = pc.match_substring_regex(pa.array(s), _OFFSET)  # Arrow's regex engine: many times faster
            offset_cache.append(pc.fill_null(found, False).to_numpy(zero_copy_only=False))
        return offset_cache[0]

    def take(rows: np.ndarray, fmt: str, aware: bool) -> None:
        if not rows.any():
            return
        parsed = pd.to_datetime(s[rows], format=fmt, errors="coerce", utc=aware)
        got = parsed.notna().to_numpy(dtype=bool)
        if got.any():
            # nanosecond timestamps end in 1677 and 2262: a year beyond (7011, a typo) is no date
            years = parsed.dt.year.to_numpy(dtype="float64", na_value=np.nan)
            got = got & (years > 1677) & (years < 2262)
        if not got.any():
            return
        hit = parsed[got]
        if not aware:
            hit = hit.dt.tz_localize(
                timezone or "UTC", ambiguous=np.ones(len(hit), dtype=bool), nonexistent="shift_forward"
            )
        idx = np.flatnonzero(rows)[got]
        result[idx] = hit.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]").to_numpy()
        local[idx] = not aware
        todo[idx] = False

    for fmt in formats:
        if not todo.any():
            break
        if fmt == "ISO8601":
            take(todo & has_offset(), fmt, aware=True)
            take(todo & ~has_offset(), fmt, aware=False)
        elif "%z" in fmt or "%Z" in fmt:
            take(todo.copy(), fmt, aware=True)
        else:
            take(todo & ~has_offset(), fmt, aware=False)
    return pd.Series(result).dt.tz_localize("UTC"), local


def fixed_width_digits(text: pa.Array | pa.ChunkedArray, width: int, dot: int | None) -> np.ndarray | None:
    """The characters of text values that are all ``width`` ASCII digits long, with a ``.`` at position
    ``dot``: a (values, width) array of digit values (the dot's column left as is), one row per non-null
    value; None when any non-null value has another shape."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text.null_count:
        text = text.filter(text.is_valid())
    if not pa.types.is_large_string(text.type):
        text = text.cast(pa.large_string())
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + n + 1]
    if n == 0 or offsets[-1] - offsets[0] != n * width or not (np.diff(offsets) == width).all():
        return None
    chars = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, width)
    digits = chars - np.uint8(48)  # other characters wrap round to more than 9
    columns = np.ones(width, dtype=bool)
    if dot is not None:
        columns[dot] = False
        if not (chars[:, dot] == ord(".")).all():
            return None
    if not (digits[:, columns] <= 9).all():
        return None
    return digits


def _fixed_epoch(text: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`dates_from_epoch_text` of a column whose values are all like ``1458930018.000002`` (ten
    digits, six decimals: Slack's), by NumPy on the digits; None for any other column."""
    digits = fixed_width_digits(text, 17, 10)
    if digits is None:
        return None
    powers = 10 ** np.arange(9, -1, -1, dtype=np.int64)
    seconds = digits[:, :10].astype(np.int64) @ powers
    micros = digits[:, 11:].astype(np.int64) @ powers[4:]
    valid = text.is_valid().to_numpy(zero_copy_only=False)
    ok = np.zeros(len(valid), dtype=bool)
    ok[valid] = seconds <= 9_000_000_000
    ns = np.zeros(len(valid), dtype=np.int64)
    ns[valid] = np.where(seconds <= 9_000_000_000, seconds, 0) * 1_000_000_000 + micros * 1000
    return ns, ok


def dates_from_epoch_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse Unix epoch seconds written as text with up to 9 decimals (Slack ``ts``) into UTC, exactly.

    Returns
    -------
    dates, bad
        ``datetime64[ns, UTC]`` and the rows that are not an epoch time.
    """
    raw = pa.array(text_series(values))
    fixed = _fixed_epoch(raw)
    if fixed is not None:
        ns, ok = fixed
    else:
        text = pc.utf8_trim_whitespace(raw)
        good = pc.fill_null(pc.match_substring_regex(text, r"^\d{1,12}(\.\d{1,9})?$"), False)
        parts = pc.split_pattern(pc.if_else(good, text, "0"), ".", max_splits=1)
        seconds = pc.cast(pc.list_element(parts, 0), pa.int64())
        good = pc.and_(good, pc.less_equal(seconds, 9_000_000_000))
        decimals = pc.list_slice(parts, 1, 2)  # the decimals, or nothing for a whole number of seconds
        fraction = pc.cast(
            pc.utf8_rpad(pc.binary_join(decimals, pa.scalar("", text.type)), 9, "0"), pa.int64()
        )
        ns = pc.add(pc.multiply(pc.if_else(good, seconds, 0), 1_000_000_000), fraction).to_numpy()
        ok = good.to_numpy(zero_copy_only=False)
    dates = pd.Series(pd.to_datetime(np.where(ok, ns, 0), unit="ns", utc=True)).astype(NS_UTC)
    dates[~ok] = pd.NaT
    return dates, ~ok
