"""Catalysts: is activity only a reflex of what the brand publishes, or do members talk to each other?

A *thread* is one conversation (a post and its comments, a forum topic, a chat thread); the message
that started it is the one whose id is the thread id, or else the earliest message of the thread.
A *reply* is any other message of a thread. Threads are assigned to the period in which they started;
replies to the period in which they were written. Bots are never counted as members or as the brand.
Posts found by listening tools (mentions) are not threads here: the tool does not capture replies.
"""

from __future__ import annotations

import pandas as pd

from community_health.metrics._common import (
    THREAD_KEY,
    M,
    activity,
    checked_share,
    excerpt,
    from_listening,
    in_window,
    is_member,
    median_or_none,
    reused,
    root_mask,
    thread_roots,
    with_columns,
)
from community_health.metrics.window import Window


def _roots_in_window(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Threads started in the window; posts found by listening tools are not conversations the data holds."""
    roots = in_window(thread_roots(messages), window)
    return roots.loc[~from_listening(roots)]


def _later_messages(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Messages written from the window's start on: the only ones that can belong to its threads."""
    frame = activity(messages)
    return frame.loc[frame[M.created_at] >= window.start]


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
    roots = _roots_in_window(messages, window)
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
    frame = activity(messages)
    is_root = root_mask(messages)
    roots = frame.loc[is_root]
    authors = frame[[M.platform, M.message_id, M.author_id, M.author_is_brand, M.author_is_bot]]
    replies = frame.loc[window.contains(frame[M.created_at]).to_numpy() & ~is_root]
    replies = replies[
        [M.platform, M.thread_id, M.message_id, M.parent_id, M.author_id, M.author_is_brand, M.author_is_bot]
    ]
    parent = authors.rename(
        columns={
            M.message_id: M.parent_id,
            M.author_id: "parent_author",
            M.author_is_brand: "parent_brand",
            M.author_is_bot: "parent_bot",
        }
    )
    starter = roots[[*THREAD_KEY, M.author_id, M.author_is_brand, M.author_is_bot]].rename(
        columns={M.author_id: "root_author", M.author_is_brand: "root_brand", M.author_is_bot: "root_bot"}
    )
    replies = replies.merge(parent, on=[M.platform, M.parent_id], how="left").merge(
        starter, on=THREAD_KEY, how="left"
    )
    known = replies["parent_author"].notna()
    to_author = replies["parent_author"].where(known, replies["root_author"])
    to_brand = replies["parent_brand"].where(known, replies["root_brand"]).fillna(False).astype(bool)
    to_bot = replies["parent_bot"].where(known, replies["root_bot"]).fillna(False).astype(bool)
    from_ = _starter(replies)
    to = pd.Series("member", index=replies.index).where(~to_brand, "brand").where(~to_bot | to_brand, "bot")
    to = to.where(to_author.notna(), "unknown")
    out = replies[[M.platform, M.thread_id, M.message_id, M.author_id]].assign(
        **{"from": from_, "to": to, "to_author_id": to_author}
    )
    out["member_to_member"] = (
        (out["from"] == "member") & (out["to"] == "member") & (out[M.author_id] != out["to_author_id"])
    )
    return out.reset_index(drop=True)


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
    roots = _roots_in_window(messages, window)
    roots = roots.loc[~roots[M.author_is_bot].astype(bool), THREAD_KEY]
    inside = _later_messages(messages, window).merge(roots, on=THREAD_KEY, how="inner")
    members = inside.loc[is_member(inside), [*THREAD_KEY, M.author_id]].drop_duplicates()
    counts = members.groupby(THREAD_KEY).size()
    index = pd.MultiIndex.from_frame(roots)
    return counts.reindex(index, fill_value=0).astype("int64").rename("members")


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
    roots = _roots_in_window(messages, window)
    roots = roots.loc[is_member(roots)]
    inside = _later_messages(messages, window).merge(
        roots[[*THREAD_KEY, M.author_id]].rename(columns={M.author_id: "root_author"}),
        on=THREAD_KEY,
        how="inner",
    )
    brand_threads = inside.loc[inside[M.author_is_brand].astype(bool)].groupby(THREAD_KEY).size().index
    others = inside.loc[is_member(inside) & (inside[M.author_id] != inside["root_author"])]
    stats = others.groupby(THREAD_KEY).agg(
        other_members=(M.author_id, "nunique"), replies=(M.message_id, "size")
    )
    stats = stats.loc[~stats.index.isin(brand_threads)].reset_index()
    return roots.merge(stats, on=THREAD_KEY, how="inner")


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
