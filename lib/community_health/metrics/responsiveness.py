"""Responsiveness: do we answer fast and with care? What went unanswered?

The unit is the *member thread*: a conversation (post, topic, chat thread) whose first message was
written by a member, started inside the period. Its *first response* is the earliest later message in
the same conversation by anyone other than the member who started it (under any of their accounts);
bots and automatic replies do not count as a response. Responses are looked for in all the data
available, also after the period's end. Each figure is given twice: for a first response by anyone
(the community, brand included) and for a first response by the brand.

Posts found by listening tools (mentions on social networks, news sites, blogs and other web pages)
are left out: the tool captures the post, not the replies under it, so whether it was answered
cannot be told from the data (they count in listening instead).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from community_health.config import BusinessHours
from community_health.metrics._common import (
    THREAD_KEY,
    M,
    author_codes,
    checked_share,
    excerpt,
    from_listening,
    hours_between,
    is_member,
    median_or_none,
    quantile_or_none,
    reused,
    root_mask,
    thread_root_of,
    with_columns,
)
from community_health.metrics.window import Window


class Responder(StrEnum):
    """Whose reply counts as the first response."""

    ANYONE = "anyone"  # anyone other than the member who started the thread (community and brand)
    BRAND = "brand"  # one of the brand's accounts


_HOURS = {Responder.ANYONE: "first_response_hours", Responder.BRAND: "first_brand_response_hours"}


def member_thread_response_times(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Every member thread started in the period, with when it was first answered by anyone and by the brand.

    Parameters
    ----------
    messages
        All messages (later replies are looked for in all of them).
    window
        The period in which the threads started.

    Returns
    -------
    pandas.DataFrame
        One row per member thread: ``platform``, ``channel``, ``thread_id``, ``message_id`` (of the
        starting message), ``author_id``, ``author_name``, ``started_at`` (client's time zone),
        ``text``, ``url``, ``first_response_at``, ``first_response_hours``,
        ``first_brand_response_at``, ``first_brand_response_hours`` (missing when unanswered).
        Sorted by start time.
    """
    table = _response_times(messages, window)
    texts = with_columns(
        table[[M.platform, M.message_id, "started_at"]].rename(columns={"started_at": M.created_at}),
        messages,
        [M.text, M.url],
    )
    table[M.text] = texts[M.text].to_numpy()
    table[M.url] = texts[M.url].to_numpy()
    columns = [
        M.platform,
        M.channel,
        M.thread_id,
        M.message_id,
        M.author_id,
        M.author_name,
        "started_at",
        M.text,
        M.url,
        "first_response_at",
        "first_response_hours",
        "first_brand_response_at",
        "first_brand_response_hours",
    ]
    return table[columns]


@reused
def _response_times(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """:func:`member_thread_response_times` without the text and url of each thread (cheaper)."""
    table = _all_response_times(messages)
    table = table.loc[window.contains(table["started_at"])].reset_index(drop=True)
    for column in ("started_at", "first_response_at", "first_brand_response_at"):
        table[column] = table[column].dt.tz_convert(window.tz)
    return table


@reused
def _all_response_times(messages: pd.DataFrame) -> pd.DataFrame:
    """The first response to every member thread, whenever it started (times in UTC), in order of start.

    A period's threads are its rows: an answer is never earlier than the thread it answers, so what
    answers a thread does not depend on the period asked about (a report asks about many)."""
    moments = messages[M.created_at]
    started = root_mask(messages) & (is_member(messages) & ~from_listening(messages)).to_numpy()
    root_rows_ = np.flatnonzero(started)
    roots = messages[[*THREAD_KEY, M.channel, M.message_id, M.author_id, M.author_name, M.created_at]]
    roots = roots.iloc[root_rows_].rename(
        columns={M.created_at: "started_at", M.message_id: "root_id", M.author_id: "root_author"}
    )
    # Every later message of those threads: found by the row of its thread's first message.
    stamps = pd.DatetimeIndex(moments).as_unit("ns").asi8
    root = thread_root_of(messages)
    later = np.flatnonzero((root >= 0) & started[np.maximum(root, 0)])
    root = root[later]
    authors = author_codes(messages)
    answer = (
        (later != root)
        & (authors[later] != authors[root])
        & ~messages[M.author_is_bot].to_numpy(dtype=bool)[later]
        & (stamps[later] >= stamps[root])
    )
    later, root = later[answer], root[answer]
    brand = messages[M.author_is_brand].to_numpy(dtype=bool)[later]
    slot = np.searchsorted(root_rows_, root)  # the thread of each answer, as its place among the roots
    table = roots.reset_index(drop=True).assign(
        first_response_at=_earliest(stamps[later], slot, len(root_rows_), moments.dtype),
        first_brand_response_at=_earliest(stamps[later[brand]], slot[brand], len(root_rows_), moments.dtype),
    )
    table["first_response_hours"] = hours_between(table["first_response_at"], table["started_at"])
    table["first_brand_response_hours"] = hours_between(table["first_brand_response_at"], table["started_at"])
    table = table.rename(columns={"root_id": M.message_id, "root_author": M.author_id})
    return table.sort_values(["started_at", M.platform, M.thread_id], kind="stable").reset_index(drop=True)


def _earliest(stamps: np.ndarray, slot: np.ndarray, size: int, dtype: pd.DatetimeTZDtype) -> pd.Series:
    """The earliest of ``stamps`` (UTC nanoseconds) in each of ``size`` slots (``NaT`` for an empty slot)."""
    earliest = np.full(size, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(earliest, slot, stamps)
    found = pd.Series(pd.DatetimeIndex(earliest.view("datetime64[ns]")).tz_localize("UTC")).astype(dtype)
    return found.where(earliest < np.iinfo("int64").max)


def member_thread_count(messages: pd.DataFrame, window: Window) -> int:
    """Member threads: conversations started by a member in the period, which call for a response.

    Unit: threads

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
    return len(_response_times(messages, window))


def median_first_response_hours(
    messages: pd.DataFrame, window: Window, responder: Responder = Responder.ANYONE
) -> float | None:
    """Median time to first response: the time from a member starting a conversation to the first reply by
    someone else; half of the answered conversations were answered faster than this.

    Counted over the member threads started in the period that received a response; threads never
    answered are listed by :func:`unanswered_member_threads` instead. ``None`` when no thread was
    answered.

    Unit: hours
    Source: CHAOSS "Time to First Response"; Discourse "Time to first response"

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started.
    responder
        ``Responder.ANYONE`` (first reply by anyone but the author) or ``Responder.BRAND``.

    Returns
    -------
    float or None
    """
    return median_or_none(_response_times(messages, window)[_HOURS[Responder(responder)]])


def p90_first_response_hours(
    messages: pd.DataFrame, window: Window, responder: Responder = Responder.ANYONE
) -> float | None:
    """90th percentile of time to first response: nine in ten answered member conversations got their first
    reply by someone else within this many hours.

    Computed with linear interpolation between the closest ranks, over the member threads started
    in the period that received a response.

    Unit: hours
    Source: CHAOSS "Time to First Response"

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started.
    responder
        ``Responder.ANYONE`` or ``Responder.BRAND``.

    Returns
    -------
    float or None
    """
    return quantile_or_none(_response_times(messages, window)[_HOURS[Responder(responder)]], 0.9)


def share_answered_within_target(
    messages: pd.DataFrame,
    window: Window,
    target_hours: float,
    responder: Responder = Responder.ANYONE,
) -> float | None:
    """Share of member threads answered within the target time agreed with the client.

    The denominator is every member thread started in the period, answered or not; a thread still
    unanswered counts as not answered within the target. ``None`` when there were no member threads.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started.
    target_hours
        The client's response target (``thresholds.response_target_hours``).
    responder
        ``Responder.ANYONE`` or ``Responder.BRAND``.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    hours = _response_times(messages, window)[_HOURS[Responder(responder)]]
    return checked_share(float((hours <= target_hours).sum()), len(hours), "share answered within target")


def first_response_hours_by_business_hours(
    messages: pd.DataFrame,
    window: Window,
    business_hours: BusinessHours,
    responder: Responder = Responder.ANYONE,
) -> pd.DataFrame:
    """Time to first response for threads started during business hours versus outside them.

    A thread belongs to business hours when its first message was written during the brand's
    business hours, in the client's time zone.

    Unit: hours

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started; its time zone is the client's.
    business_hours
        The client's business hours (``cfg.business_hours``).
    responder
        ``Responder.ANYONE`` or ``Responder.BRAND``.

    Returns
    -------
    pandas.DataFrame
        Two rows indexed ``business hours`` and ``off hours`` with ``threads``, ``answered``,
        ``median_hours`` and ``p90_hours`` (missing when nothing was answered).
    """
    table = _response_times(messages, window)
    hours = table[_HOURS[Responder(responder)]]
    business = business_hours.contains(table["started_at"].dt.tz_convert(window.tz))
    rows = {}
    for label, mask in (("business hours", business), ("off hours", ~business)):
        rows[label] = {
            "threads": int(mask.sum()),
            "answered": int(hours[mask].notna().sum()),
            "median_hours": median_or_none(hours[mask]),
            "p90_hours": quantile_or_none(hours[mask], 0.9),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "started"
    return out.astype(
        {"threads": "int64", "answered": "int64", "median_hours": "float64", "p90_hours": "float64"}
    )


def unanswered_member_threads(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Unanswered member threads: conversations a member started in the period that nobody else has replied
    to.

    Each is listed with where and when it started, who started it, the start of its text, its link,
    and how long it had been waiting at the end of the period. Longest wait first.

    Source: Discourse "Topics with no response"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``started_at`` (client's time zone), ``author_id``,
        ``author_name``, ``excerpt``, ``url``, ``thread_id``, ``hours_waiting``.
    """
    table = member_thread_response_times(messages, window)
    open_ = table.loc[table["first_response_at"].isna()]
    out = pd.DataFrame(
        {
            M.platform: open_[M.platform],
            M.channel: open_[M.channel],
            "started_at": open_["started_at"],
            M.author_id: open_[M.author_id],
            M.author_name: open_[M.author_name],
            "excerpt": excerpt(open_[M.text]),
            M.url: open_[M.url],
            M.thread_id: open_[M.thread_id],
            "hours_waiting": (window.end - open_["started_at"].dt.tz_convert("UTC")).dt.total_seconds()
            / 3600.0,
        }
    )
    return out.sort_values(
        ["hours_waiting", M.platform, M.thread_id], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def unanswered_member_thread_count(messages: pd.DataFrame, window: Window) -> int:
    """Unanswered member threads: how many conversations started by a member in the period got no reply from
    anyone else.

    Unit: threads
    Source: Discourse "Topics with no response"

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
    return int(_response_times(messages, window)["first_response_at"].isna().sum())


def longest_open_wait_hours(messages: pd.DataFrame, window: Window) -> float | None:
    """Longest wait: how many hours the oldest unanswered member thread of the period had waited when the
    period ended.

    ``None`` when every member thread got a reply.

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
    table = _response_times(messages, window)
    started = table.loc[table["first_response_at"].isna(), "started_at"]
    return (window.end - started.min()) / pd.Timedelta(hours=1) if len(started) else None
