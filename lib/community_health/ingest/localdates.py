"""Dates written the way a phone or a spreadsheet shows them in its locale, with no time zone:
``25/01/2023, 08:14:03``, ``1/25/23, 8:14 AM``, ``25.01.23 08:14``, ``25/1/23, 8:14 a. m.``,
``2023-01-25 08:14``.

Day and month order is a property of the locale that wrote the file, so it is decided once per file,
never row by row:

1. a date whose first number is above 12 can only be day first, one whose second number is above 12
   only month first; the order most such dates show wins (the rows that do not fit it are then not dates);
2. when no date settles it and the rows are a transcript in time order (a chat), the order in which the
   messages run in time is the one that is right;
3. otherwise the convention of the client's time zone decides (month first in the United States and
   the Philippines, day first elsewhere) or the tool's known convention, and the reader reports that
   it had to choose, with an example of a date that reads both ways.

Invisible marks that phones put around names and before system lines (left-to-right and right-to-left
marks, directional embeddings and isolates) are removed; no-break spaces (U+00A0, U+202F, used before
``AM`` and inside ``a. m.``) are read as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Bidirectional controls and zero-width characters that carry no text.
_MARKS = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_NO_MARKS = dict.fromkeys(map(ord, _MARKS))
_SPACES = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " "}

#: A numeric date and time, in any order of day, month and year, with an optional 12-hour marker; the
#: time may follow a word for "at" (Finnish ``13.6.2018 klo 21.25.15``, Danish and Norwegian ``kl.``, French
#: ``12/03/2019 à 14:05``).
NUMERIC_DATETIME = (
    r"(?P<a>\d{1,4})[./-](?P<b>\d{1,2})[./-](?P<c>\d{2}|\d{4})\.?,?\s*(?:(?:kl(?:o|\.)?|à)\s+)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[aApP]\.?\s?[mM]\.?))?"
)
_NUMERIC = re.compile(rf"\s*{NUMERIC_DATETIME}\s*")

#: Time zones whose locale writes the month first (1/25/23).
_MONTH_FIRST_ZONES = frozenset(
    {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Phoenix",
        "America/Anchorage",
        "America/Adak",
        "America/Boise",
        "America/Detroit",
        "America/Juneau",
        "America/Sitka",
        "America/Yakutat",
        "America/Nome",
        "America/Metlakatla",
        "America/Menominee",
        "Pacific/Honolulu",
        "Asia/Manila",
    }
)
_MONTH_FIRST_PREFIXES = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")


def without_marks(text: str) -> str:
    """Text without invisible direction marks; no-break spaces become plain spaces."""
    return text.translate(_NO_MARKS).translate(_SPACES)


def strip_marks(text: str) -> str:
    """Text without invisible direction marks (spaces kept as they are)."""
    return text.translate(_NO_MARKS)


def month_first_by_convention(zone: str) -> bool:
    """Whether the locale usual in ``zone`` writes the month before the day."""
    return zone in _MONTH_FIRST_ZONES or zone.startswith(_MONTH_FIRST_PREFIXES)


class SettledBy(StrEnum):
    """What decided the order of day and month in a file."""

    YEAR_FIRST = "year first"  # 2023-01-25: nothing to decide
    VALUES = "values"  # a date such as 25/01/2023 reads only one way
    TIME_ORDER = "time order"  # the messages run forward in time only one way
    CONVENTION = "convention"  # nothing in the file settles it: the zone's or the tool's convention
    NOTHING = "nothing"  # no numeric dates


@dataclass(frozen=True)
class DayMonthOrder:
    """The order of day and month chosen for one file.

    Attributes
    ----------
    day_first
        Whether ``03/04/2023`` is the 3rd of April.
    settled_by
        What decided it.
    example
        A date from the file that reads both ways (when the convention decided), for the note.
    """

    day_first: bool
    settled_by: SettledBy
    example: str | None = None

    def note(self, source: str, convention: str) -> str | None:
        """The sentence a person reads when the order had to be assumed, else None.

        Parameters
        ----------
        source
            The export's path.
        convention
            Whose convention decided (``usual for Europe/Madrid``).
        """
        if self.settled_by is not SettledBy.CONVENTION:
            return None
        chosen, other = ("day first", "month first") if self.day_first else ("month first", "day first")
        return (
            f"{source}: dates such as {self.example!r} read both as day/month and as month/day, and no date "
            f"in the file settles it; every date was read {chosen} ({convention}). If the export was made "
            f"with {other} dates, its dates are wrong by the swap of day and month."
        )


@dataclass(frozen=True)
class NumericParts:
    """The numbers of numeric date texts, one entry per text (-1 where absent or unmatched)."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    hour: np.ndarray
    minute: np.ndarray
    second: np.ndarray
    micro: np.ndarray
    pm: np.ndarray  # 1 for PM, 0 for AM, -1 for a 24-hour clock
    year_first: np.ndarray
    matched: np.ndarray
    texts: list[str | None]

    def __len__(self) -> int:
        return len(self.matched)


def split_numeric(texts: Sequence[str | None]) -> NumericParts:
    """Split date texts such as ``25/01/2023, 08:14:03`` or ``1/25/23, 8:14 AM`` into their numbers.

    Plain ASCII texts are split by Arrow's regular expressions, which match them as Python's do; texts
    with other characters (marks, no-break spaces, rarer white space) are split one by one in Python.
    """
    n = len(texts)
    cols = {k: np.full(n, -1, dtype=np.int64) for k in ("a", "b", "c", "H", "M", "S", "f", "pm")}
    year_first = np.zeros(n, dtype=bool)
    matched = np.zeros(n, dtype=bool)
    slow = _split_arrow(texts, cols, year_first, matched)
    for i in slow:
        text = texts[i]
        if not isinstance(text, str):
            continue
        m = _NUMERIC.fullmatch(without_marks(text))
        if m is None:
            continue
        matched[i] = True
        a, c = m.group("a"), m.group("c")
        year_first[i] = len(a) == 4
        if len(a) not in (1, 2, 4) or (len(a) == 4 and len(c) == 4):
            matched[i] = False
            continue
        cols["a"][i], cols["b"][i], cols["c"][i] = int(a), int(m.group("b")), int(c)
        cols["H"][i], cols["M"][i] = int(m.group("H")), int(m.group("M"))
        cols["S"][i] = int(m.group("S") or 0)
        cols["f"][i] = int((m.group("f") or "0").ljust(6, "0")[:6])
        marker = m.group("ampm")
        if marker:
            cols["pm"][i] = 1 if marker.strip().lower().startswith("p") else 0
    return NumericParts(
        cols["a"],
        cols["b"],
        cols["c"],
        cols["H"],
        cols["M"],
        cols["S"],
        cols["f"],
        cols["pm"],
        year_first,
        matched,
        list(texts),
    )


#: White space Python's ``\s`` matches and Arrow's does not (vertical tab, file/group/record/unit separators).
_PYTHON_ONLY_SPACE = "[\x0b\x1c-\x1f]"


def _split_arrow(
    texts: Sequence[str | None], cols: dict[str, np.ndarray], year_first: np.ndarray, matched: np.ndarray
) -> np.ndarray:
    """Fill the parts of the plain ASCII texts in place; return the positions left to split in Python."""
    n = len(texts)
    try:
        arr = pa.array(texts, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return np.arange(n)
    fast = pc.and_(
        pc.fill_null(pc.string_is_ascii(arr), False),
        pc.invert(pc.fill_null(pc.match_substring_regex(arr, _PYTHON_ONLY_SPACE), True)),
    )
    fast_np = fast.to_numpy(zero_copy_only=False)
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    slow = np.flatnonzero(~fast_np & ~nulls)
    if not fast_np.any():
        return slow
    idx = np.flatnonzero(fast_np)
    sub = arr.filter(fast)
    found = pc.extract_regex(sub, rf"^\s*{NUMERIC_DATETIME}\s*$")
    hit = found.is_valid().to_numpy(zero_copy_only=False)
    if not hit.any():
        return slow
    found = found.filter(found.is_valid())
    idx = idx[hit]

    def part(name: str) -> pa.Array:
        return pc.struct_field(found, name)

    a, c = part("a"), part("c")
    a_len = pc.utf8_length(a).to_numpy(zero_copy_only=False)
    c_len = pc.utf8_length(c).to_numpy(zero_copy_only=False)
    matched[idx] = True
    year_first[idx] = a_len == 4
    good = np.isin(a_len, (1, 2, 4)) & ~((a_len == 4) & (c_len == 4))
    matched[idx[~good]] = False
    keep = pa.array(good)
    idx = idx[good]
    found = found.filter(keep)
    if len(idx) == 0:
        return slow

    def number(name: str, default: str) -> np.ndarray:
        text = pc.struct_field(found, name)
        text = pc.if_else(pc.equal(text, ""), default, text)
        return pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)

    for key, name in (("a", "a"), ("b", "b"), ("c", "c"), ("H", "H"), ("M", "M"), ("S", "S")):
        cols[key][idx] = number(name, "0")
    fraction = pc.struct_field(found, "f")
    fraction = pc.utf8_slice_codeunits(
        pc.utf8_rpad(pc.if_else(pc.equal(fraction, ""), "0", fraction), 6, "0"), 0, 6
    )
    cols["f"][idx] = pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    marker = pc.struct_field(found, "ampm")
    has_marker = pc.not_equal(marker, "").to_numpy(zero_copy_only=False)
    is_pm = pc.starts_with(pc.utf8_lower(pc.utf8_trim_whitespace(marker)), "p").to_numpy(zero_copy_only=False)
    cols["pm"][idx[has_marker]] = np.where(is_pm[has_marker], 1, 0)
    return slow


def _naive(parts: NumericParts, day_first: bool) -> pd.Series:
    """Naive local timestamps of the parts under one order (NaT where the numbers are no date)."""
    n = len(parts)
    year = np.where(parts.year_first, parts.a, parts.c)
    year = np.where((year >= 0) & (year < 100), year + 2000, year)
    day = np.where(parts.year_first, parts.c, parts.a if day_first else parts.b)
    month = np.where(parts.year_first, parts.b, parts.b if day_first else parts.a)
    hour = parts.hour.copy()
    twelve = parts.pm >= 0
    bad_hour = twelve & ((hour < 1) | (hour > 12))
    hour = np.where(twelve, hour % 12 + 12 * (parts.pm == 1), hour)
    ok = (
        parts.matched
        & ~bad_hour
        & (year > 1677)  # nanosecond timestamps end in 1677 and 2262: a year beyond (7011, a typo) is no date
        & (year < 2262)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= 31)
        & (hour >= 0)
        & (hour <= 23)
        & (parts.minute >= 0)
        & (parts.minute <= 59)
        & (parts.second >= 0)
        & (parts.second <= 59)
    )
    if not ok.any():
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    frame = pd.DataFrame(
        {
            "year": np.where(ok, year, 2000),
            "month": np.where(ok, month, 1),
            "day": np.where(ok, day, 1),
            "hour": np.where(ok, hour, 0),
            "minute": np.where(ok, parts.minute, 0),
            "second": np.where(ok, parts.second, 0),
            "microsecond": np.where(ok, parts.micro, 0),
        }
    )
    out = pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]")
    out[~ok] = pd.NaT
    return out.reset_index(drop=True)


def _disorder(moments: pd.Series) -> int:
    """How far a sequence of times is from running one way: the fewer of its steps back or forward."""
    values = moments.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if len(values) < 2:
        return 0
    steps = np.diff(values)
    return int(min((steps < 0).sum(), (steps > 0).sum()))


def day_month_order(
    parts: NumericParts, *, chronological: bool, month_first: bool
) -> tuple[DayMonthOrder, pd.Series]:
    """Choose the order of day and month for a whole file, and read its dates with it.

    Parameters
    ----------
    parts
        The numbers of every date of the file.
    chronological
        Whether the rows are in time order (a chat transcript), so that time order can decide.
    month_first
        The convention used when nothing in the file decides.

    Returns
    -------
    order, naive
        The order chosen and the naive local timestamps (NaT where a text is no date in that order).
    """
    ambiguous = parts.matched & ~parts.year_first
    if not ambiguous.any():
        settled = SettledBy.YEAR_FIRST if parts.matched.any() else SettledBy.NOTHING
        order = DayMonthOrder(not month_first, settled)
        return order, _naive(parts, order.day_first)
    a, b = parts.a[ambiguous], parts.b[ambiguous]
    day_votes = int(((a > 12) & (a <= 31) & (b <= 12)).sum())
    month_votes = int(((b > 12) & (b <= 31) & (a <= 12)).sum())
    if day_votes != month_votes:
        order = DayMonthOrder(day_votes > month_votes, SettledBy.VALUES)
        return order, _naive(parts, order.day_first)
    by_day, by_month = _naive(parts, True), _naive(parts, False)
    if chronological:
        day_disorder, month_disorder = _disorder(by_day), _disorder(by_month)
        if day_disorder != month_disorder:
            day_first = day_disorder < month_disorder
            return DayMonthOrder(day_first, SettledBy.TIME_ORDER), by_day if day_first else by_month
    both = np.flatnonzero(
        ambiguous & (parts.a != parts.b) & by_day.notna().to_numpy() & by_month.notna().to_numpy()
    )
    if len(both) == 0:
        # Every date reads the same either way (day equals month): nothing is at stake.
        return DayMonthOrder(not month_first, SettledBy.VALUES), by_month if month_first else by_day
    example = without_marks(str(parts.texts[both[0]])).strip()
    order = DayMonthOrder(not month_first, SettledBy.CONVENTION, example)
    return order, by_month if month_first else by_day


def localize(naive: pd.Series, zone: str) -> pd.Series:
    """Naive local timestamps read in ``zone`` and converted to UTC (the repeated hour when clocks go back
    is read as the first of the two; times in the skipped hour move forward), as ``parse_dates`` does."""
    naive = naive.reset_index(drop=True).astype("datetime64[ns]")
    aware = naive.dt.tz_localize(
        zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC")
    return aware.astype(pd.DatetimeTZDtype("ns", "UTC"))
