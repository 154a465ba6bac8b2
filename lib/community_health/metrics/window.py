"""Time windows and period-over-period comparisons.

Every metric is computed for a :class:`Window` (a half-open span of time, start inclusive, end
exclusive, held in UTC) and is shown beside the same metric for the window of equal length just
before it (:meth:`Window.previous`), as a :class:`Change`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from community_health.config import Period


def _utc(moment: pd.Timestamp | str, name: str) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        raise ValueError(f"window {name} {moment!r} has no time zone; give an aware timestamp (UTC)")
    return stamp.tz_convert("UTC")


@dataclass(frozen=True)
class Window:
    """A span of time: ``start`` inclusive, ``end`` exclusive, both as UTC timestamps.

    ``tz`` is the client's time zone: the calendar in which days, weeks and hours of the week are
    counted, and in which :meth:`previous` measures "equal length".

    Parameters
    ----------
    start, end
        Time-zone-aware bounds; they are converted to UTC.
    tz
        An IANA time zone name such as ``Europe/Madrid``.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    tz: str = "UTC"

    def __post_init__(self) -> None:
        start, end = _utc(self.start, "start"), _utc(self.end, "end")
        if not start < end:
            raise ValueError(f"window start {start} must be before its end {end}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def from_period(cls, period: Period | str, tz: str) -> Window:
        """The calendar month ``period`` (``2026-10``) of the client's local calendar."""
        period = Period.parse(period)
        return cls(period.start(tz), period.end(tz), tz)

    def previous(self) -> Window:
        """The window of equal length that ends where this one starts.

        Length is measured on the local wall clock, so the month before a 31-day October in
        Madrid is the 31 local days from 31 August to 30 September, whatever the daylight-saving
        changes in between.
        """
        start_local = self.start.tz_convert(self.tz).tz_localize(None)
        end_local = self.end.tz_convert(self.tz).tz_localize(None)
        before = (start_local - (end_local - start_local)).tz_localize(
            self.tz, ambiguous=True, nonexistent="shift_forward"
        )
        return Window(before, self.start, self.tz)

    def shifted(self, delta: pd.Timedelta) -> Window:
        """The same window moved by ``delta`` of absolute time."""
        return Window(self.start + delta, self.end + delta, self.tz)

    def split(self, at: pd.Timestamp) -> tuple[Window, Window]:
        """Two windows, ``[start, at)`` and ``[at, end)``."""
        at = _utc(at, "split point")
        return Window(self.start, at, self.tz), Window(at, self.end, self.tz)

    def contains(self, moments: pd.Series) -> pd.Series:
        """Whether each timestamp falls inside the window (start inclusive, end exclusive)."""
        return (moments >= self.start) & (moments < self.end)

    @property
    def hours(self) -> float:
        """Length of the window in hours."""
        return (self.end - self.start) / pd.Timedelta(hours=1)

    def local_days(self) -> pd.DatetimeIndex:
        """Every local calendar day the window touches, as naive midnight timestamps."""
        first = self.start.tz_convert(self.tz).tz_localize(None).normalize()
        last = (self.end - pd.Timedelta(1, "ns")).tz_convert(self.tz).tz_localize(None).normalize()
        return pd.date_range(first, last, freq="D")

    def as_dict(self) -> dict[str, str]:
        """The window's bounds as ISO 8601 text in UTC, with its time zone."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "timezone": self.tz}


def _number(value: Any) -> float | int | None:
    """A plain Python number, or ``None`` for missing values (``None``, ``NaN``, ``pd.NA``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Real | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    raise TypeError(f"a headline figure must be a number or missing, got {type(value).__name__}: {value!r}")


@dataclass(frozen=True)
class Change:
    """A figure for a window beside the same figure for the previous window.

    ``absolute`` is ``value - previous``; ``relative`` is that difference divided by the previous
    value (``0.25`` means 25 % more). Either is ``None`` when it cannot be computed (a missing
    figure, or a previous value of zero for ``relative``).
    """

    value: float | int | None
    previous: float | int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _number(self.value))
        object.__setattr__(self, "previous", _number(self.previous))

    @property
    def absolute(self) -> float | int | None:
        """``value - previous``, or ``None`` when either is missing."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def relative(self) -> float | None:
        """``(value - previous) / |previous|``, or ``None`` when previous is missing or zero."""
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous)

    def as_dict(self, digits: int | None = None) -> dict[str, float | int | None]:
        """The comparison as a plain dict; floats rounded to ``digits`` decimals when given.

        The relative change is always rounded to four decimals (a hundredth of a percent).
        """

        def rounded(number: float | int | None, places: int | None) -> float | int | None:
            if number is None or places is None or isinstance(number, int):
                return number
            return round(number, places) + 0.0  # + 0.0 turns -0.0 into 0.0

        return {
            "value": rounded(self.value, digits),
            "previous": rounded(self.previous, digits),
            "change": rounded(self.absolute, digits),
            "relative_change": rounded(self.relative, 4),
        }


def compared_with_previous(
    metric: Callable[..., Any], window: Window, /, *args: Any, **kwargs: Any
) -> Change:
    """Compute ``metric`` for ``window`` and for ``window.previous()``.

    The metric is called as ``metric(*args, window=..., **kwargs)``.

    Examples
    --------
    >>> compared_with_previous(active_member_count, window, messages)  # doctest: +SKIP
    Change(value=120, previous=100)
    """
    return Change(metric(*args, window=window, **kwargs), metric(*args, window=window.previous(), **kwargs))
