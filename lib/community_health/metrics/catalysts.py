"""Catalysts: is activity only a reflex of what the brand publishes, or do members talk to each other?

A *thread* is one conversation (a post and its comments, a forum topic, a chat thread); the message
that started it is the one whose id is the thread id, or else the earliest message of the thread.
A *reply* is any other message of a thread. Threads are assigned to the period in which they started;
replies to the period in which they were written. Bots are never counted as members or as the brand.
Posts found by listening tools (mentions) are not threads here: the tool does not capture replies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.metrics._common import (
    THREAD_KEY,
    M,
    activity,
    author_codes,
    checked_share,
    excerpt,
    from_listening,
    in_window,
    is_member,
    median_or_none,
    member_codes,
    parent_of,
    reused,
    root_mask,
    thread_root_of,
    values_at,
    with_columns,
)
from community_health.metrics.window import Window


@reused
def _started(messages: pd.DataFrame, window: Window) -> np.ndarray:
    """Whether each message started a thread in the window; posts found by listening tools are not
    conversations the data holds."""
    started = root_mask(messages) & window.contains(messages[M.created_at]).to_numpy()
    return started & ~from_listening(messages).to_numpy()


def _roots_in_window(messages: pd.DataFrame, window: Window) -> tuple[pd.DataFrame, np.ndarray]:
    """The first message of each thread started in the window (:func:`activity` columns), and its row."""
    rows = np.flatnonzero(_started(messages, window))
    return activity(messages).iloc[rows], rows


@reused
def _thread_members(messages: pd.DataFrame, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the messages written from the window's start on, in threads started in the window: the row of
    each message, the row of its thread's first message, and its author's member code (-1: brand, bot)."""
    started = _started(messages, window)
    later = np.flatnonzero((messages[M.created_at] >= window.start).to_numpy())
    root = thread_root_of(messages)[later]
    ours = (root >= 0) & started[np.maximum(root, 0)]
    codes, _ = member_codes(messages)
    return later[ours], root[ours], codes[later[ours]]


def _per_root(roots: np.ndarray, keep: np.ndarray, counted: np.ndarray) -> pd.Series:
    """How many distinct ``counted`` values each root has among the rows ``keep`` (indexed by root row)."""
    span = int(counted.max(initial=0)) + 2
    pairs = np.unique(roots[keep] * span + (counted[keep] + 1))
    return pd.Series(pairs // span).value_counts()


def _starter(roots: pd.DataFrame) -> pd.Series:
    brand = roots[M.author_is_brand].astype(bool)
    bot = roots[M.author_is_bot].astype(bool)
    return pd.Series("member", index=roots.index).where(~brand, "brand").where(~bot | brand, "bot")


@reused
def threads_by_starter(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Threads started in the period by members, by the brand and by bots.

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        Indexed ``member``, ``brand``, ``bot``, with ``threads`` and ``share`` (of all threads started
        in the period; ``NaN`` when there were none).
    """
    roots, _ = _roots_in_window(messages, window)
    counts = _starter(roots).value_counts().reindex(["member", "brand", "bot"], fill_value=0).astype("int64")
    total = int(counts.sum())
    out = pd.DataFrame({"threads": counts, "share": counts / total if total else float("nan")})
    out.index.name = "started_by"
    return out


def share_of_threads_started_by_members(messages: pd.DataFrame, window: Window) -> float | None:
    """Member-started threads: the share of the period's new conversations started by members rather than the
    brand.

    Threads started by bots are left out of both sides. ``None`` when no thread started.

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
    counts = threads_by_starter(messages, window)["threads"]
    return checked_share(
        counts["member"], counts["member"] + counts["brand"], "share of member-started threads"
    )


@reused
def reply_targets(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Every reply written in the period with whom it answers.

    The person answered is the author of the message named by ``parent_id``; when the parent is
    not known (no parent, or a parent outside the exports) it is the author of the message that
    started the thread.

    Parameters
    ----------
    messages
        All messages (parents may be older than the period).
    window
        The period in which the replies were written.

    Returns
    -------
    pandas.DataFrame
        One row per reply: ``platform``, ``thread_id``, ``message_id``, ``author_id``, ``from`` and
        ``to`` (``member``, ``brand``, ``bot``, or ``unknown`` when nobody can be found), ``to_author_id``,
        ``member_to_member`` (a member
        answering a different member).
    """
    replies, written = _all_reply_targets(messages)
    return replies.loc[window.contains(written).to_numpy()].reset_index(drop=True)


@reused
def _all_reply_targets(messages: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`reply_targets` of every reply, whenever written, and when each was written: a period's
    replies are its rows (a report asks about many periods)."""
    frame = activity(messages)
    rows = np.flatnonzero(~root_mask(messages))
    written = frame[M.created_at].iloc[rows].reset_index(drop=True)
    replies = frame.iloc[rows][
        [M.platform, M.thread_id, M.message_id, M.parent_id, M.author_id, M.author_is_brand, M.author_is_bot]
    ].reset_index(drop=True)
    # The parent's author when the parent is in the exports, else the author of the thread's first message.
    parent = parent_of(messages)[rows]
    answered = np.where(parent >= 0, parent, thread_root_of(messages)[rows])
    brand = messages[M.author_is_brand].to_numpy(dtype=bool)
    bot = messages[M.author_is_bot].to_numpy(dtype=bool)
    found = answered >= 0
    to_author = pd.Series(values_at(messages[M.author_id], answered), index=replies.index)
    to_brand = pd.Series(found & brand[np.maximum(answered, 0)], index=replies.index)
    to_bot = pd.Series(found & bot[np.maximum(answered, 0)], index=replies.index)
    from_ = _starter(replies)
    to = pd.Series("member", index=replies.index).where(~to_brand, "brand").where(~to_bot | to_brand, "bot")
    to = to.where(to_author.notna(), "unknown")
    out = replies[[M.platform, M.thread_id, M.message_id, M.author_id]].assign(
        **{"from": from_, "to": to, "to_author_id": to_author}
    )
    authors = author_codes(messages)
    other = found & (authors[rows] != authors[np.maximum(answered, 0)])
    out["member_to_member"] = (out["from"] == "member") & (out["to"] == "member") & other
    return out.reset_index(drop=True), written


def member_to_member_reply_share(messages: pd.DataFrame, window: Window) -> float | None:
    """Member-to-member replies: the share of the period's replies in which a member answers another member.

    The denominator is every reply written in the period by a member or the brand (bots left
    out). A member following up on their own message is a reply, but not member-to-member.
    ``None`` when there were no replies.

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
    replies = reply_targets(messages, window)
    replies = replies.loc[replies["from"] != "bot"]
    return checked_share(
        float(replies["member_to_member"].sum()), len(replies), "member-to-member reply share"
    )


@reused
def distinct_members_per_thread(messages: pd.DataFrame, window: Window) -> pd.Series:
    """For each thread started in the period (by anyone but a bot), the distinct members who wrote in it.

    Parameters
    ----------
    messages
        All messages (replies after the period count).
    window
        The period in which the threads started.

    Returns
    -------
    pandas.Series
        Integer counts indexed by (platform, thread_id); zero for a brand post no member answered.
    """
    roots, positions = _roots_in_window(messages, window)
    human = ~roots[M.author_is_bot].to_numpy(dtype=bool)
    roots, positions = roots.loc[human, THREAD_KEY], positions[human]
    _, root, code = _thread_members(messages, window)
    counts = _per_root(root, code >= 0, code)
    out = pd.Series(counts.reindex(positions, fill_value=0).to_numpy(), index=pd.MultiIndex.from_frame(roots))
    return out.astype("int64").rename("members")


def median_distinct_members_per_thread(messages: pd.DataFrame, window: Window) -> float | None:
    """Members per conversation: the median number of distinct members taking part in a thread started in the
    period.

    Threads started by the brand count too, with zero members when nobody answered them.

    Unit: members

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
    return median_or_none(distinct_members_per_thread(messages, window).astype("float64"))


def conversations_without_catalyst(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Conversations without a catalyst: member-started threads of the period that drew replies from other
    members and no brand message.

    These are the conversations the community carried on its own.

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``thread_id``, ``started_at`` (client's time zone),
        ``author_name``, ``excerpt``, ``url``, ``members`` (distinct, starter included),
        ``replies``; most members first.
    """
    table = with_columns(_uncatalysed(messages, window), messages, [M.text, M.url])
    out = pd.DataFrame(
        {
            M.platform: table[M.platform],
            M.channel: table[M.channel],
            M.thread_id: table[M.thread_id],
            "started_at": table[M.created_at].dt.tz_convert(window.tz),
            M.author_name: table[M.author_name],
            "excerpt": excerpt(table[M.text]),
            M.url: table[M.url],
            "members": (table["other_members"] + 1).astype("int64"),
            "replies": table["replies"].astype("int64"),
        }
    )
    return out.sort_values(
        ["members", "replies", M.platform, M.thread_id], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)


@reused
def _uncatalysed(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The roots of the conversations without a catalyst, with ``other_members`` and ``replies``."""
    roots, positions = _roots_in_window(messages, window)
    member = is_member(roots).to_numpy()
    roots, positions = roots.loc[member], positions[member]
    rows, root, code = _thread_members(messages, window)
    codes, _ = member_codes(messages)
    brand = messages[M.author_is_brand].to_numpy(dtype=bool)[rows]
    brand_threads = np.unique(root[brand])
    others = (code >= 0) & (code != codes[root])
    replies = pd.Series(root[others]).value_counts()
    other_members = _per_root(root, others, code)
    stats = pd.DataFrame(
        {
            "other_members": other_members.reindex(positions).to_numpy(),
            "replies": replies.reindex(positions).to_numpy(),
        },
        index=roots.index,
    )
    keep = stats["replies"].notna().to_numpy() & ~np.isin(positions, brand_threads)
    return (
        roots.loc[keep]
        .assign(
            other_members=stats["other_members"].loc[keep].astype("int64"),
            replies=stats["replies"].loc[keep].astype("int64"),
        )
        .reset_index(drop=True)
    )


def conversations_without_catalyst_count(messages: pd.DataFrame, window: Window) -> int:
    """Conversations without a catalyst: how many member-started threads of the period drew replies from other
    members and no brand message.

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
    return len(_uncatalysed(messages, window))


def conversations_without_catalyst_share(messages: pd.DataFrame, window: Window) -> float | None:
    """Share of member-started threads of the period that members carried on their own, with no brand message.

    The denominator is every thread a member started in the period (bots are not members);
    ``None`` when there were none.

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
    member_threads = threads_by_starter(messages, window).loc["member", "threads"]
    return checked_share(
        conversations_without_catalyst_count(messages, window),
        member_threads,
        "share of conversations without a catalyst",
    )


def _brand_replies(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    replies = reply_targets(messages, window)
    return replies.loc[replies["from"] == "brand"]


def _brand_posts(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    roots, _ = _roots_in_window(messages, window)
    return roots.loc[roots[M.author_is_brand].astype(bool)]


def brand_messages_by_audience(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One-to-one versus broadcast, by platform: the brand's replies to a named member beside its top-level
    posts.

    A one-to-one reply is a brand message answering a member (its parent, or else the thread's first
    message, was written by a member); a broadcast is a thread the brand started. Brand replies to
    itself, to bots or to messages outside the exports are counted apart as ``other_replies``.
    Posts known only from post-level analytics exports are not counted: their replies are not in
    the data.

    Unit: messages

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``platform``: ``one_to_one_replies``, ``broadcast_posts``, ``other_replies`` and
        ``one_to_one_share`` (one-to-one replies over one-to-one replies plus broadcast posts).
    """
    replies = _brand_replies(messages, window)
    posts = _brand_posts(messages, window)
    to_member = replies["to"] == "member"
    table = pd.DataFrame(
        {
            "one_to_one_replies": replies.loc[to_member].groupby(M.platform).size(),
            "broadcast_posts": posts.groupby(M.platform).size(),
            "other_replies": replies.loc[~to_member].groupby(M.platform).size(),
        }
    )
    table = table.fillna(0).astype("int64").sort_index()
    total = table["one_to_one_replies"] + table["broadcast_posts"]
    table["one_to_one_share"] = table["one_to_one_replies"] / total.where(total > 0)
    table.index.name = M.platform
    return table


def brand_one_to_one_replies(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The brand's one-to-one replies of the period, each with the member it answered: the rows behind the
    count.

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``created_at`` (client's time zone), ``platform``, ``channel``, ``thread_id``,
        ``message_id``, ``author_name`` (the brand account), ``to_author_id``, ``excerpt``, ``url``;
        in time order.
    """
    replies = _brand_replies(messages, window)
    replies = replies.loc[replies["to"] == "member", [M.platform, M.message_id, "to_author_id"]]
    return _with_text(replies, messages, window, extra=["to_author_id"])


def brand_broadcast_posts(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The threads the brand started in the period (its broadcast posts): the rows behind the count.

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        As :func:`brand_one_to_one_replies`, without ``to_author_id``.
    """
    return _with_text(_brand_posts(messages, window)[[M.platform, M.message_id]], messages, window, extra=[])


def _with_text(rows: pd.DataFrame, messages: pd.DataFrame, window: Window, extra: list[str]) -> pd.DataFrame:
    wanted = [M.created_at, M.channel, M.thread_id, M.author_name, M.text, M.url]
    source = in_window(messages, window)[[M.platform, M.message_id, *wanted]]
    table = rows.merge(source, on=[M.platform, M.message_id], how="left")
    out = pd.DataFrame(
        {
            M.created_at: table[M.created_at].dt.tz_convert(window.tz),
            M.platform: table[M.platform],
            M.channel: table[M.channel],
            M.thread_id: table[M.thread_id],
            M.message_id: table[M.message_id],
            M.author_name: table[M.author_name],
            **{column: table[column] for column in extra},
            "excerpt": excerpt(table[M.text]),
            M.url: table[M.url],
        }
    )
    return out.sort_values([M.created_at, M.platform, M.message_id], kind="stable").reset_index(drop=True)


def brand_one_to_one_reply_count(messages: pd.DataFrame, window: Window) -> int:
    """One-to-one replies: how many of the brand's messages in the period answered a named member.

    Unit: messages

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
    return int((_brand_replies(messages, window)["to"] == "member").sum())


def brand_broadcast_post_count(messages: pd.DataFrame, window: Window) -> int:
    """Broadcast posts: how many threads the brand started in the period (top-level posts to everyone).

    Unit: messages

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
    return len(_brand_posts(messages, window))


def one_to_one_share(messages: pd.DataFrame, window: Window) -> float | None:
    """One-to-one versus broadcast: the share of the brand's voice in the period that was replies to a named
    member rather than top-level posts.

    One-to-one replies divided by one-to-one replies plus broadcast posts (see
    :func:`brand_messages_by_audience`). ``None`` when the brand wrote neither.

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
    replies = brand_one_to_one_reply_count(messages, window)
    return checked_share(replies, replies + brand_broadcast_post_count(messages, window), "one-to-one share")
