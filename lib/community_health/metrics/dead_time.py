"""Dead time: when is the community silent, and when are members active while the brand is absent?

Activity is counted by *hour of the week*: the 168 slots from Monday 00:00-01:00 to Sunday
23:00-24:00 in the client's time zone. A slot's average is its messages divided by the number of
times the slot occurs in the period (a 31-day month holds some weekdays five times, others four).
"""

from __future__ import annotations

import pandas as pd

from community_health.metrics._common import (
    WEEKDAY_NAMES,
    M,
    activity,
    checked_share,
    in_window,
    is_member,
    local_naive,
    reused,
)
from community_health.metrics.window import Window

_SLOTS = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])


def _slot_counts(moments: pd.Series, tz: str) -> pd.Series:
    local = local_naive(moments, tz)
    slots = pd.DataFrame({"weekday": local.dt.day_of_week.to_numpy(), "hour": local.dt.hour.to_numpy()})
    counts = slots.value_counts()
    return counts.reindex(_SLOTS, fill_value=0).astype("int64")


@reused
def hour_of_week_activity(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Member and brand messages in each of the 168 hours of the week, in the client's time zone.

    Parameters
    ----------
    messages
        All messages.
    window
        The period; its time zone defines the hours.

    Returns
    -------
    pandas.DataFrame
        168 rows indexed by (``weekday`` 0 = Monday, ``hour``) with ``day`` (weekday name),
        ``occurrences`` (times the slot occurs in the period), ``member_messages``,
        ``brand_messages``, ``member_messages_per_hour`` and ``brand_messages_per_hour`` (averages
        per occurrence; missing for slots that do not occur in a short period).
    """
    hours = pd.Series(pd.date_range(window.start.floor("h"), window.end, freq="h", inclusive="left"))
    occurrences = _slot_counts(hours, window.tz)
    current = in_window(activity(messages), window)
    members = current.loc[is_member(current), M.created_at]
    brand = current.loc[current[M.author_is_brand].astype(bool), M.created_at]
    out = pd.DataFrame(
        {
            "day": [WEEKDAY_NAMES[d] for d in _SLOTS.get_level_values("weekday")],
            "occurrences": occurrences,
            "member_messages": _slot_counts(members, window.tz),
            "brand_messages": _slot_counts(brand, window.tz),
        },
        index=_SLOTS,
    )
    per = out["occurrences"].where(out["occurrences"] > 0).astype("float64")
    out["member_messages_per_hour"] = out["member_messages"] / per
    out["brand_messages_per_hour"] = out["brand_messages"] / per
    return out


def _grid(activity: pd.DataFrame, column: str) -> pd.DataFrame:
    grid = activity[column].unstack("hour")
    grid.index = pd.Index(WEEKDAY_NAMES, name="day")
    grid.columns.name = "hour"
    return grid


def member_activity_by_hour_of_week(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Member activity by hour of the week: the average number of member messages in each hour, Monday to
    Sunday.

    Unit: messages per hour

    Source: CHAOSS "Activity Dates and Times"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        7 x 24: rows are weekdays (Monday first), columns the local hours 0-23.
    """
    return _grid(hour_of_week_activity(messages, window), "member_messages_per_hour")


def brand_presence_by_hour_of_week(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Brand presence by hour of the week: the average number of brand messages in each hour, Monday to
    Sunday.

    Unit: messages per hour

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        7 x 24: rows are weekdays (Monday first), columns the local hours 0-23.
    """
    return _grid(hour_of_week_activity(messages, window), "brand_messages_per_hour")


def share_of_hours_without_member_activity(messages: pd.DataFrame, window: Window) -> float | None:
    """Silent hours: the share of the week's hours in which no member wrote anything during the whole period.

    Counted over the hours of the week that occur in the period (all 168 for a period of a week or
    more).

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    activity = hour_of_week_activity(messages, window)
    occurring = activity.loc[activity["occurrences"] > 0]
    return checked_share(
        float((occurring["member_messages"] == 0).sum()),
        len(occurring),
        "share of hours without member activity",
    )


def unattended_member_hours(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Unattended hours: the hours of the week in which members wrote but the brand never did during the
    period.

    Busiest first.

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``day``, ``weekday``, ``hour``, ``member_messages`` (in the period) and
        ``member_messages_per_hour``.
    """
    activity = hour_of_week_activity(messages, window)
    gap = activity.loc[(activity["member_messages"] > 0) & (activity["brand_messages"] == 0)].reset_index()
    gap = gap.sort_values(
        ["member_messages", "weekday", "hour"], ascending=[False, True, True], kind="stable"
    )
    return gap[["day", "weekday", "hour", "member_messages", "member_messages_per_hour"]].reset_index(
        drop=True
    )


def unattended_member_hour_count(messages: pd.DataFrame, window: Window) -> int:
    """Unattended hours: how many of the week's 168 hours saw member messages but no brand message in the
    period.

    Unit: hours of the week

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    int
    """
    return len(unattended_member_hours(messages, window))


def share_of_member_messages_in_unattended_hours(messages: pd.DataFrame, window: Window) -> float | None:
    """Share of member messages written in hours of the week when the brand never wrote during the period.

    ``None`` when members wrote nothing.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    activity = hour_of_week_activity(messages, window)
    unattended = activity.loc[activity["brand_messages"] == 0, "member_messages"].sum()
    return checked_share(
        float(unattended),
        float(activity["member_messages"].sum()),
        "share of member messages in unattended hours",
    )


def longest_silences(messages: pd.DataFrame, window: Window, n: int = 5) -> pd.DataFrame:
    """Longest silences: the longest gaps between two consecutive member messages in the period.

    Parameters
    ----------
    messages
        All messages.
    window
        The period; gaps before the first and after the last member message are not counted.
    n
        How many silences to list.

    Returns
    -------
    pandas.DataFrame
        ``silence_from``, ``silence_to`` (client's time zone) and ``hours``, longest first.
    """
    current = in_window(activity(messages), window)
    moments = current.loc[is_member(current), M.created_at].sort_values(kind="stable").reset_index(drop=True)
    gaps = pd.DataFrame({"silence_from": moments.shift(1), "silence_to": moments}).iloc[1:]
    gaps["hours"] = (gaps["silence_to"] - gaps["silence_from"]).dt.total_seconds() / 3600.0
    gaps = gaps.sort_values(["hours", "silence_from"], ascending=[False, True], kind="stable").head(n)
    for column in ("silence_from", "silence_to"):
        gaps[column] = gaps[column].dt.tz_convert(window.tz)
    return gaps.reset_index(drop=True)


def longest_silence_hours(messages: pd.DataFrame, window: Window) -> float | None:
    """Longest silence: the longest gap, in hours, between two consecutive member messages in the period.

    ``None`` with fewer than two member messages.

    Unit: hours

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float or None
    """
    silences = longest_silences(messages, window, n=1)
    return float(silences["hours"].iloc[0]) if len(silences) else None
