"""Loyalty: do members come back, or drop in once and vanish?

A member is one author on one platform (``platform``, ``author_id``) who is neither one of the
brand's accounts nor a bot; when ``aliases`` in ``client.yml`` join one person's accounts on several
platforms, that person is one member (see :func:`~community_health.metrics.with_people`). A member
is *active* in a window when they wrote at least one message in it. Every function takes the full
message history, so "ever" and "before" look at all of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.config import Period
from community_health.metrics._common import (
    M,
    active_codes,
    activity_columns,
    aligned_scores,
    author_codes,
    checked_share,
    excerpt,
    is_member,
    keys_isin,
    local_naive,
    member_codes,
    member_key,
    member_table,
    parent_of,
    reused,
    root_mask,
    thread_root_of,
    week_start,
    window_member_rows,
    window_members,
)
from community_health.metrics.window import Window
from community_health.schema import Enrichment

E = Enrichment

#: The longest span, in days, of one support episode (see :func:`transient_members`).
EPISODE_DAYS = 7.0


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
    return len(window_member_rows(messages, window))


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
    return len(active_codes(messages, window))


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
    rows = window_member_rows(messages, window)
    days = local_naive(messages[M.created_at].iloc[rows], window.tz).dt.normalize()
    counts = _distinct_per(member_codes(messages)[0][rows], days.to_numpy(), "day")
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
    rows = window_member_rows(messages, window)
    weeks = week_start(local_naive(messages[M.created_at].iloc[rows], window.tz))
    counts = _distinct_per(member_codes(messages)[0][rows], weeks.to_numpy(), "week")
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


def _distinct_per(codes: np.ndarray, moments: np.ndarray, name: str) -> pd.Series:
    """How many distinct member ``codes`` each value of ``moments`` (days, weeks) has, indexed by ``name``."""
    pairs = pd.DataFrame({"code": codes, name: moments}).drop_duplicates()
    return pairs.groupby(name).size()


@reused
def _code_spans(messages: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each member code's first and last message ever (UTC nanoseconds) and how many messages it wrote,
    indexed by code (codes of no member: first after last)."""
    codes, _ = member_codes(messages)
    ours = codes >= 0
    code = codes[ours]
    stamps = pd.DatetimeIndex(messages[M.created_at]).as_unit("ns").asi8[ours]
    size = int(code.max(initial=-1)) + 1
    first = np.full(size, np.iinfo("int64").max, dtype="int64")
    last = np.full(size, np.iinfo("int64").min, dtype="int64")
    np.minimum.at(first, code, stamps)
    np.maximum.at(last, code, stamps)
    return first, last, np.bincount(code, minlength=size)


def _nanoseconds(moment: pd.Timestamp) -> int:
    return int(pd.Timestamp(moment).as_unit("ns").value)


@reused
def _member_spans(messages: pd.DataFrame) -> pd.DataFrame:
    """Every member's first and last message ever and how many they wrote (whole history), in code order."""
    _, keys = member_codes(messages)
    first, last, count = _code_spans(messages)
    present = keys.index.to_numpy()

    def moments(values: np.ndarray) -> pd.Series:
        stamp = pd.DatetimeIndex(values[present].view("datetime64[ns]")).tz_localize("UTC")
        return pd.Series(stamp, index=keys.index).astype(messages[M.created_at].dtype)

    return keys.assign(
        first_message_at=moments(first),
        last_message_at=moments(last),
        messages_ever=count[present].astype("int64"),
    ).reset_index(drop=True)


def _first_messages(messages: pd.DataFrame) -> pd.DataFrame:
    return _member_spans(messages)[[*member_key(messages), "first_message_at"]]


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
    key = member_key(messages)
    table = member_table(current.loc[keys_isin(current, first, key)])
    table = table.merge(first, on=key, how="left")
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
    return member_table(current.loc[_returning_rows(messages, window, current)])


def _returning_rows(messages: pd.DataFrame, window: Window, current: pd.DataFrame) -> np.ndarray:
    """Whether each of the window's member messages is by a member who had written before the window."""
    first = _first_messages(messages)
    key = member_key(messages)
    return keys_isin(current, first.loc[first["first_message_at"] < window.start, key], key)


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
    first, _, _ = _code_spans(messages)
    return int((first[active_codes(messages, window)] < _nanoseconds(window.start)).sum())


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
    return member_table(before.loc[~keys_isin(before, current, member_key(current))])


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
    return len(np.setdiff1d(active_codes(messages, window.previous()), active_codes(messages, window)))


def retained_new_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The previous period's new members, each marked with whether they came back in this period.

    Parameters
    ----------
    messages
        All messages (the whole history).
    window
        The period; the new members are those of ``window.previous()``.

    Returns
    -------
    pandas.DataFrame
        As :func:`new_members` for the previous period (``messages`` counted there), plus
        ``messages_in_period`` (how many they wrote in this period) and ``retained`` (at least one).
    """
    earlier = new_members(messages, window.previous())
    current = window_members(messages, window)
    key = member_key(current)
    counts = current.groupby(key, sort=False).size().rename("messages_in_period").reset_index()
    table = earlier.merge(counts, on=key, how="left")
    table["messages_in_period"] = table["messages_in_period"].fillna(0).astype("int64")
    table["retained"] = table["messages_in_period"] > 0
    return table


def new_member_retention(messages: pd.DataFrame, window: Window) -> float | None:
    """New-member retention: the share of the previous period's new members who wrote again in this period.

    ``None`` when the previous period had no new members.

    Unit: share
    Source: CHAOSS "New Contributors", followed one period on

    Parameters
    ----------
    messages
        All messages (the whole history).
    window
        The period.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    first, _, _ = _code_spans(messages)
    previous = window.previous()
    newcomers = (first >= _nanoseconds(previous.start)) & (first < _nanoseconds(previous.end))
    back = int(newcomers[active_codes(messages, window)].sum())
    return checked_share(back, int(newcomers.sum()), "new member retention")


def _month_bounds(window: Window, months: int) -> tuple[list[Period], np.ndarray]:
    """The ``months`` local calendar months ending with the window's last month, and their UTC bounds."""
    last = Period.containing(window.end - pd.Timedelta(1, "ns"), window.tz)
    periods = [last.previous(k) for k in range(months - 1, -1, -1)]
    bounds = [p.start(window.tz) for p in periods] + [last.end(window.tz)]
    return periods, pd.DatetimeIndex(bounds).as_unit("ns").asi8


def _month_of(moments: pd.Series, bounds: np.ndarray) -> np.ndarray:
    stamps = pd.DatetimeIndex(moments).tz_convert("UTC").as_unit("ns").asi8
    return np.searchsorted(bounds, stamps, side="right") - 1


def retention_by_cohort(messages: pd.DataFrame, window: Window, months: int = 12) -> pd.DataFrame:
    """Retention by cohort: of the members first seen in month m, the share still active in month m+k.

    A cohort is every member whose first message ever fell in one calendar month (client's time
    zone); a member is active in a month when they wrote at least one message in it. Month 0 is
    always 100 %. Months after the period's end are not known yet and are left empty; activity after
    the period's end is not counted.

    Unit: share
    Source: cohort retention analysis of CHAOSS "New Contributors"

    Parameters
    ----------
    messages
        All messages (the whole history, so that "first seen" is meaningful).
    window
        The period; the table covers the ``months`` calendar months ending with the one holding
        the period's last day.
    months
        How many cohorts (and months after the first) to show.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``cohort`` (``2026-10``), oldest first: ``members`` (the cohort's size), then
        ``month_0`` ... ``month_{months-1}``: the share of the cohort active k months after its
        first (missing for months not reached yet or an empty cohort).
    """
    periods, bounds = _month_bounds(window, months)
    columns = [f"month_{k}" for k in range(months)]
    spans = _first_messages(messages)
    first = spans["first_message_at"]
    spans = spans.loc[(first >= pd.Timestamp(bounds[0], tz="UTC")) & (first < window.end)]
    spans = spans.assign(cohort=_month_of(spans["first_message_at"], bounds))
    moments = messages[M.created_at]
    keep = is_member(messages) & (moments >= spans["first_message_at"].min()) & (moments < window.end)
    key = member_key(messages)
    active = messages.loc[keep, [*key, M.created_at]]
    active = active.assign(month=_month_of(active[M.created_at], bounds))[[*key, "month"]]
    active = active.drop_duplicates().merge(spans[[*key, "cohort"]], on=key, how="inner")
    active["k"] = active["month"] - active["cohort"]
    counts = active.groupby(["cohort", "k"]).size().unstack("k")
    sizes = spans.groupby("cohort").size().reindex(range(months), fill_value=0).astype("int64")
    shares = (
        counts.reindex(index=range(months), columns=range(months))
        .fillna(0)
        .div(sizes.where(sizes > 0), axis=0)
    )
    reached = np.arange(months)[:, None] + np.arange(months)[None, :] < months
    table = shares.where(reached)
    table.columns = columns
    table.insert(0, "members", sizes)
    table.index = pd.Index([str(p) for p in periods], name="cohort")
    return table


def _support_flags(rows: np.ndarray, messages: pd.DataFrame, enrichment: pd.DataFrame) -> np.ndarray:
    """Whether each message (row position) is a question or complaint addressed to the brand, not to
    another member."""
    scores = aligned_scores(messages, enrichment).iloc[rows]
    asks = (scores[E.is_question].fillna(False) | scores[E.is_complaint].fillna(False)).to_numpy(dtype=bool)
    # Whom each message answers: its parent's author, else the author of the thread's first message.
    answered = parent_of(messages)[rows]
    answered = np.where(answered >= 0, answered, thread_root_of(messages)[rows])
    member = is_member(messages).to_numpy()
    target_member = (answered >= 0) & member[np.maximum(answered, 0)]
    authors = author_codes(messages)
    other = authors[np.maximum(answered, 0)] != authors[rows]
    starts = root_mask(messages)[rows]
    return asks & ~(~starts & target_member & other)


@reused
def _transients(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, episode_days: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The transient members active in the window (:func:`member_key` and their span) and all their
    messages."""
    episode = pd.Timedelta(days=episode_days)
    codes, keys = member_codes(messages)
    first, last, _ = _code_spans(messages)
    active = active_codes(messages, window)
    candidates = active[last[active] - first[active] <= episode.value]
    moments = messages[M.created_at]
    span = ((moments >= window.start - episode) & (moments < window.end + episode)).to_numpy()
    near = np.flatnonzero(span & np.isin(codes, candidates))
    # A member is transient when every one of their messages is support (all lie near the window).
    asked_others = np.unique(codes[near][~_support_flags(near, messages, enrichment)])
    kept = np.setdiff1d(candidates, asked_others)
    chosen = near[np.isin(codes[near], kept)]
    members = _member_spans(messages).iloc[np.searchsorted(keys.index.to_numpy(), kept)]
    rows = messages[[*activity_columns(messages), M.text, M.url]].iloc[chosen]
    return members.reset_index(drop=True), rows.assign(_row=chosen)


def transient_members(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, episode_days: float = EPISODE_DAYS
) -> pd.DataFrame:
    """Transient (support-only) members: members active in the period all of whose messages, in all the
    history available, are questions or complaints to the brand within one short episode.

    A message is to the brand unless it answers another member (its parent, or else the thread's
    first message, was written by a different member); questions and complaints are those found at
    enrichment. One episode: the member's first and last messages ever are at most ``episode_days``
    apart. A member with an unscored message is not counted.

    Parameters
    ----------
    messages
        All messages (the whole history: a member who comes back later is not transient).
    enrichment
        The ``Enrichment`` frame (``is_question``, ``is_complaint``).
    window
        The period.
    episode_days
        The longest span, in days, of one support episode.

    Returns
    -------
    pandas.DataFrame
        As :func:`active_members` (``messages`` counted over the whole episode), plus
        ``first_message_at`` and ``last_message_at`` in the client's time zone.
    """
    members, rows = _transients(messages, enrichment, window, episode_days)
    key = member_key(messages)
    table = member_table(rows).merge(members.drop(columns="messages_ever"), on=key, how="left")
    for column in ("first_message_at", "last_message_at"):
        table[column] = table[column].dt.tz_convert(window.tz)
    return table


def transient_messages(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, episode_days: float = EPISODE_DAYS
) -> pd.DataFrame:
    """The messages of the period's transient (support-only) members, the whole episode of each: the rows
    behind the count.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    episode_days
        The longest span of one support episode.

    Returns
    -------
    pandas.DataFrame
        ``created_at`` (client's time zone), ``platform``, ``channel``, ``author_id``,
        ``author_name``, ``is_question``, ``is_complaint``, ``excerpt``, ``url``, ``message_id``;
        by member, then time.
    """
    _, rows = _transients(messages, enrichment, window, episode_days)
    flags = aligned_scores(messages, enrichment).iloc[rows["_row"].to_numpy()]
    out = pd.DataFrame(
        {
            M.created_at: rows[M.created_at].dt.tz_convert(window.tz).to_numpy(),
            M.platform: rows[M.platform].to_numpy(),
            M.channel: rows[M.channel].to_numpy(),
            M.author_id: rows[M.author_id].to_numpy(),
            M.author_name: rows[M.author_name].to_numpy(),
            E.is_question: flags[E.is_question].astype("boolean").to_numpy(),
            E.is_complaint: flags[E.is_complaint].astype("boolean").to_numpy(),
            "excerpt": excerpt(rows[M.text]).to_numpy(),
            M.url: rows[M.url].to_numpy(),
            M.message_id: rows[M.message_id].to_numpy(),
        }
    )
    return out.sort_values([M.platform, M.author_id, M.created_at, M.message_id], kind="stable").reset_index(
        drop=True
    )


def transient_member_count(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, episode_days: float = EPISODE_DAYS
) -> int:
    """Transient members: how many members active in the period only ever asked the brand a question or
    complained, within one short episode, and never took part otherwise.

    Unit: members

    Parameters
    ----------
    messages
        All messages (the whole history).
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    episode_days
        The longest span of one support episode.

    Returns
    -------
    int
    """
    return len(_transients(messages, enrichment, window, episode_days)[0])


def transient_member_share(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, episode_days: float = EPISODE_DAYS
) -> float | None:
    """Share of transient members: transient (support-only) members as a share of the period's active
    members.

    ``None`` when nobody was active.

    Unit: share

    Parameters
    ----------
    messages
        All messages (the whole history).
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    episode_days
        The longest span of one support episode.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    return checked_share(
        transient_member_count(messages, enrichment, window, episode_days),
        active_member_count(messages, window),
        "transient member share",
    )
