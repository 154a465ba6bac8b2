"""Loyalty: do members come back, or drop in once and vanish?

A member is one author on one platform (``platform``, ``author_id``) who is neither one of the
brand's accounts nor a bot. A member is *active* in a window when they wrote at least one message in
it. Every function takes the full message history, so "ever" and "before" look at all of it.
"""

from __future__ import annotations

import pandas as pd

from community_health.metrics._common import (
    MEMBER_KEY,
    M,
    checked_share,
    is_member,
    keys_isin,
    local_naive,
    member_table,
    reused,
    week_start,
    window_members,
)
from community_health.metrics.window import Window


def member_message_count(messages: pd.DataFrame, window: Window) -> int:
    """Messages written by members in the period (brand accounts and bots are not counted).

    Unit: messages
    Source: CHAOSS "Activity Dates and Times" (counted per period)

    Parameters
    ----------
    messages
        All messages (a ``Messages`` frame).
    window
        The period.

    Returns
    -------
    int
    """
    return len(window_members(messages, window))


def active_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The members who wrote at least one message in the period, with how many they wrote.

    Source: CHAOSS "Contributors"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        One row per member: ``platform``, ``author_id``, ``author_name``, ``messages`` (in the
        period), ``channels``; most active first.
    """
    return member_table(window_members(messages, window))


def active_member_count(messages: pd.DataFrame, window: Window) -> int:
    """Active members: distinct members who wrote at least one message in the period.

    Unit: members
    Source: CHAOSS "Contributors"

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
    return len(window_members(messages, window)[MEMBER_KEY].drop_duplicates())


def daily_active_members(messages: pd.DataFrame, window: Window) -> pd.Series:
    """Daily active members: for each day of the period, the distinct members who wrote that day.

    Days are the client's local calendar days; days without any member are shown as zero.

    Unit: members
    Source: Discourse "Daily Engaged Users"

    Parameters
    ----------
    messages
        All messages.
    window
        The period; its time zone defines the days.

    Returns
    -------
    pandas.Series
        Integer counts indexed by local day (naive midnight timestamps), named ``active_members``.
    """
    current = window_members(messages, window)
    days = local_naive(current[M.created_at], window.tz).dt.normalize()
    counts = current[MEMBER_KEY].assign(day=days).drop_duplicates().groupby("day").size()
    out = counts.reindex(window.local_days(), fill_value=0).astype("int64")
    out.index.name = "day"
    return out.rename("active_members")


def weekly_active_members(messages: pd.DataFrame, window: Window) -> pd.Series:
    """Weekly active members: for each week of the period, the distinct members who wrote that week.

    Weeks run Monday to Sunday in the client's time zone; a week cut by the period's start or end
    counts only its days inside the period.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.Series
        Integer counts indexed by the Monday of each week, named ``active_members``.
    """
    current = window_members(messages, window)
    weeks = week_start(local_naive(current[M.created_at], window.tz))
    counts = current[MEMBER_KEY].assign(week=weeks).drop_duplicates().groupby("week").size()
    all_weeks = pd.DatetimeIndex(sorted(set(week_start(pd.Series(window.local_days())))))
    out = counts.reindex(all_weeks, fill_value=0).astype("int64")
    out.index.name = "week"
    return out.rename("active_members")


def mean_daily_active_members(messages: pd.DataFrame, window: Window) -> float:
    """Average daily active members: the mean, over the days of the period, of members active each day.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float
    """
    return float(daily_active_members(messages, window).mean())


def stickiness(messages: pd.DataFrame, window: Window) -> float | None:
    """Stickiness: average daily active members divided by the members active over the whole period.

    A stickiness of 0.2 means that on a typical day one in five of the period's active members
    wrote something. ``None`` when nobody was active.

    Unit: share
    Source: Discourse "DAU/MAU"

    Parameters
    ----------
    messages
        All messages.
    window
        The period (a month gives the usual DAU/MAU ratio).

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    return checked_share(
        mean_daily_active_members(messages, window), active_member_count(messages, window), "stickiness"
    )


@reused
def _first_messages(messages: pd.DataFrame) -> pd.DataFrame:
    members = messages.loc[is_member(messages), [*MEMBER_KEY, M.created_at]]
    return (
        members.groupby(MEMBER_KEY, sort=False)[M.created_at].min().rename("first_message_at").reset_index()
    )


def new_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """New members: members whose first message ever (in all the history available) falls in the period.

    Source: CHAOSS "New Contributors"

    Parameters
    ----------
    messages
        All messages: the whole history, so that "first ever" is meaningful.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        As :func:`active_members`, plus ``first_message_at`` in the client's time zone.
    """
    first = _first_messages(messages)
    first = first.loc[window.contains(first["first_message_at"])]
    current = window_members(messages, window)
    table = member_table(current.loc[keys_isin(current, first, MEMBER_KEY)])
    table = table.merge(first, on=MEMBER_KEY, how="left")
    table["first_message_at"] = table["first_message_at"].dt.tz_convert(window.tz)
    return table


def new_member_count(messages: pd.DataFrame, window: Window) -> int:
    """New members: how many members wrote their first message ever in the period.

    Unit: members
    Source: CHAOSS "New Contributors"

    Parameters
    ----------
    messages
        All messages (the whole history).
    window
        The period.

    Returns
    -------
    int
    """
    first = _first_messages(messages)
    return int(window.contains(first["first_message_at"]).sum())


def returning_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Returning members: members active in the period who had also written at any time before it.

    Parameters
    ----------
    messages
        All messages (the whole history).
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        As :func:`active_members`.
    """
    current = window_members(messages, window)
    earlier = messages.loc[is_member(messages) & (messages[M.created_at] < window.start), MEMBER_KEY]
    return member_table(current.loc[keys_isin(current, earlier, MEMBER_KEY)])


def returning_member_count(messages: pd.DataFrame, window: Window) -> int:
    """Returning members: how many members active in the period had also written before it.

    Active members are exactly the new members plus the returning members.

    Unit: members

    Parameters
    ----------
    messages
        All messages (the whole history).
    window
        The period.

    Returns
    -------
    int
    """
    return len(returning_members(messages, window))


def lapsed_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Lapsed members: members active in the previous period of equal length who wrote nothing in this one.

    Source: CHAOSS "Inactive Contributors"

    Parameters
    ----------
    messages
        All messages.
    window
        The period; the previous period is ``window.previous()``.

    Returns
    -------
    pandas.DataFrame
        As :func:`active_members`, with ``messages`` counted in the previous period.
    """
    before = window_members(messages, window.previous())
    current = window_members(messages, window)
    return member_table(before.loc[~keys_isin(before, current, MEMBER_KEY)])


def lapsed_member_count(messages: pd.DataFrame, window: Window) -> int:
    """Lapsed members: how many members active in the previous period wrote nothing in this one.

    Unit: members
    Source: CHAOSS "Inactive Contributors"

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
    return len(lapsed_members(messages, window))
