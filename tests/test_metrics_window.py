"""Windows and period-over-period comparisons."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from community_health.metrics import Change, Window, compared_with_previous


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_a_month_window_is_the_local_calendar_month_in_utc() -> None:
    # October 2026 in Madrid starts at 00:00 CEST (UTC+2) and ends at 00:00 CET (UTC+1) on 1 November.
    window = Window.from_period("2026-10", "Europe/Madrid")
    assert window.start == utc("2026-09-30 22:00")
    assert window.end == utc("2026-10-31 23:00")
    assert len(window.local_days()) == 31


def test_previous_window_has_the_same_local_length_and_ends_where_this_one_starts() -> None:
    # 31 local days before 1 October 00:00 Madrid is 31 August 00:00 Madrid (UTC+2) = 30 August 22:00 UTC.
    window = Window.from_period("2026-10", "Europe/Madrid")
    previous = window.previous()
    assert previous.end == window.start
    assert previous.start == utc("2026-08-30 22:00")
    assert len(previous.local_days()) == 31
    assert previous.tz == "Europe/Madrid"


def test_previous_of_a_utc_week_is_the_week_before() -> None:
    window = Window(utc("2026-10-05"), utc("2026-10-12"))
    assert window.previous() == Window(utc("2026-09-28"), utc("2026-10-05"))
    assert window.hours == 168


def test_contains_includes_the_start_and_excludes_the_end() -> None:
    window = Window(utc("2026-10-05"), utc("2026-10-12"))
    moments = pd.Series(
        [utc("2026-10-04 23:59"), utc("2026-10-05"), utc("2026-10-11 23:59"), utc("2026-10-12")]
    )
    assert window.contains(moments).tolist() == [False, True, True, False]


def test_split_and_shift() -> None:
    window = Window(utc("2026-10-05"), utc("2026-10-12"))
    first, second = window.split(utc("2026-10-08"))
    assert (first.start, first.end, second.start, second.end) == (
        window.start,
        utc("2026-10-08"),
        utc("2026-10-08"),
        window.end,
    )
    assert window.shifted(pd.Timedelta(weeks=1)) == Window(utc("2026-10-12"), utc("2026-10-19"))


def test_a_window_needs_aware_ordered_bounds() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Window(pd.Timestamp("2026-10-05"), utc("2026-10-12"))
    with pytest.raises(ValueError, match="before"):
        Window(utc("2026-10-12"), utc("2026-10-05"))


def test_change_gives_absolute_and_relative_change() -> None:
    # 120 members against 100: 20 more, 20 % more.
    change = Change(120, 100)
    assert change.absolute == 20
    assert change.relative == pytest.approx(0.2)
    assert change.as_dict() == {"value": 120, "previous": 100, "change": 20, "relative_change": 0.2}


def test_change_is_honest_about_what_cannot_be_computed() -> None:
    assert Change(5, 0).relative is None  # no relative change from zero
    assert Change(None, 3).absolute is None
    assert Change(float("nan"), 3).value is None
    assert Change(2.0, -4.0).relative == pytest.approx(1.5)  # relative to the size of the previous value


def test_change_rounds_floats_but_not_counts() -> None:
    assert Change(1 / 3, 1 / 6).as_dict(digits=2) == {
        "value": 0.33,
        "previous": 0.17,
        "change": 0.17,
        "relative_change": 1.0,
    }
    negative_zero = Change(-0.00001, 0.0).as_dict(digits=2)
    assert math.copysign(1, negative_zero["value"]) == 1.0  # never "-0.0" in metrics.json


def test_change_rejects_what_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="number"):
        Change("many", 1)  # type: ignore[arg-type]


def test_compared_with_previous_calls_the_metric_for_both_windows() -> None:
    window = Window(utc("2026-10-05"), utc("2026-10-12"))
    calls: list[Window] = []

    def days_since_epoch(offset: int, window: Window) -> int:
        calls.append(window)
        return (window.start - utc("1970-01-01")).days + offset

    change = compared_with_previous(days_since_epoch, window, 0)
    assert calls == [window, window.previous()]
    assert change.absolute == 7
