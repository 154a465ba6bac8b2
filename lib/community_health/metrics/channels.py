"""Channel mix: where the community talks, and how that moves from month to month and week to week.

Member messages only (brand accounts and bots are never members); mentions found by listening tools
count on the platform where they were written, since members do talk there.
"""

from __future__ import annotations

import pandas as pd

from community_health.config import Period
from community_health.metrics._common import M, local_naive, week_start, window_members
from community_health.metrics.window import Window


def member_messages_by_platform(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Channel mix: member messages and active members on each platform in the period, and each
    platform's share of all member messages.

    Unit: share
    Source: CHAOSS "Activity Dates and Times" (counted per platform)

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        One row per platform with member messages, busiest first: ``platform``, ``messages``,
        ``members`` (distinct authors) and ``share`` (of all member messages of the period).
    """
    current = window_members(messages, window)
    table = (
        current.groupby(M.platform, sort=True)
        .agg(messages=(M.message_id, "size"), members=(M.author_id, "nunique"))
        .reset_index()
    )
    total = int(table["messages"].sum())
    table["share"] = table["messages"] / total if total else pd.Series(dtype="float64")
    return table.sort_values(["messages", M.platform], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def member_messages_by_platform_and_month(
    messages: pd.DataFrame, window: Window, months: int = 12
) -> pd.DataFrame:
    """Member messages on each platform in each calendar month of the year up to the period, for the mix
    over time.

    Unit: messages

    Parameters
    ----------
    messages
        All messages.
    window
        The period; the table ends with the calendar month it starts in.
    months
        How many months, this one included.

    Returns
    -------
    pandas.DataFrame
        One row per month (index ``month``, ``YYYY-MM``, oldest first), one column per platform that has
        member messages in any of them; zero where a platform was silent.
    """
    last = Period.parse(window.start.tz_convert(window.tz).strftime("%Y-%m"))
    rows = {}
    for k in range(months - 1, -1, -1):
        month = last.previous(k)
        counts = window_members(messages, Window.from_period(month, window.tz)).groupby(M.platform).size()
        rows[str(month)] = counts
    table = pd.DataFrame(rows).T.fillna(0).astype("int64")
    table.index.name = "month"
    return table.reindex(columns=sorted(table.columns))


def active_platform_count(messages: pd.DataFrame, window: Window) -> int:
    """Active platforms: how many platforms carried at least one member message in the period.

    Unit: platforms

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
    return int(window_members(messages, window)[M.platform].nunique())


def busiest_platform_share(messages: pd.DataFrame, window: Window) -> float | None:
    """Concentration: the busiest platform's share of all member messages in the period (1 when the
    community lives in one place).

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
        None without member messages.
    """
    mix = member_messages_by_platform(messages, window)
    return float(mix["share"].iloc[0]) if len(mix) else None


def member_messages_by_week(messages: pd.DataFrame, window: Window) -> pd.Series:
    """Member messages in each week (Monday to Sunday, client's time zone) that starts in the period.

    Unit: messages

    Parameters
    ----------
    messages
        All messages.
    window
        The period; weeks without any member message count zero.

    Returns
    -------
    pandas.Series
        Indexed by each week's Monday (naive local midnight), oldest first.
    """
    current = window_members(messages, window)
    weeks = week_start(local_naive(current[M.created_at], window.tz))
    first = week_start(pd.Series([window.start.tz_convert(window.tz).tz_localize(None)])).iloc[0]
    last = window.end.tz_convert(window.tz).tz_localize(None) - pd.Timedelta(seconds=1)
    index = pd.date_range(first, last, freq="7D")
    counts = weeks.value_counts().reindex(index, fill_value=0).astype("int64")
    counts.index.name = "week"
    counts.name = "member_messages"
    return counts
