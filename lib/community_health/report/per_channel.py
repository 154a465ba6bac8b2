"""Per-channel tables of the channel audit: pure functions of the normalised tables and a window.

Like the metrics, each function is named after what it returns, never changes its inputs, and has a
docstring whose first paragraph is its definition. They build on the metric functions
(:mod:`~community_health.metrics.responsiveness`, :mod:`~community_health.metrics.dead_time`,
:mod:`~community_health.metrics.resonance`, :mod:`~community_health.metrics.core`) and split their
figures by channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.config import BusinessHours, Thresholds
from community_health.metrics import core, dead_time, listening, resonance, responsiveness
from community_health.metrics._common import is_member, local_naive, root_mask, week_start
from community_health.metrics.window import Window
from community_health.report.scope import CHANNEL_KEY, listening_channels
from community_health.schema import Messages as M
from community_health.schema import Posts as P

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: The fewest positive messages of an advocate when :func:`positive_members` stands in for the metric.
MIN_POSITIVE = 3
#: The format of posts whose export does not say.
NO_FORMAT = "not in export"


def _weeks(window: Window) -> pd.DatetimeIndex:
    """The Mondays (naive local midnight) of every week the window touches."""
    start = window.start.tz_convert(window.tz).tz_localize(None)
    last = window.end.tz_convert(window.tz).tz_localize(None) - pd.Timedelta(seconds=1)
    first = start.normalize() - pd.Timedelta(days=start.day_of_week)
    return pd.date_range(first, last, freq="7D")


def brand_messages_by_week(messages: pd.DataFrame, posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Posting cadence: the brand's posts (threads it started) and replies in each channel, week by week.

    A brand post is a brand message that starts a thread in a conversation export, or a post of a
    post-level analytics export for a channel no conversation export holds brand messages for (so the
    same post is never counted twice); every other brand message is a reply. Weeks run Monday to
    Sunday in the client's time zone; every week the period touches is listed, empty weeks as zero.
    Channels that only a listening tool saw are left out: the brand does not post there.

    Parameters
    ----------
    messages
        All messages.
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``week`` (its Monday), ``brand_posts``, ``brand_replies`` and
        ``member_messages``; one row per channel and week.
    """
    inside = window.contains(messages[M.created_at]).to_numpy()
    brand = messages[M.author_is_brand].astype(bool).to_numpy()
    roots = root_mask(messages)
    member = is_member(messages).to_numpy()
    listened = listening_channels(messages.loc[inside])
    rows = messages.loc[inside, [*CHANNEL_KEY, M.created_at]].assign(
        brand_posts=(brand & roots)[inside].astype("int64"),
        brand_replies=(brand & ~roots)[inside].astype("int64"),
        member_messages=member[inside].astype("int64"),
    )
    conversation = set(
        map(tuple, rows.loc[rows["brand_posts"] + rows["brand_replies"] > 0, CHANNEL_KEY].values)
    )
    analytics = posts.loc[window.contains(posts[P.created_at]), [P.platform, P.channel, P.created_at]]
    analytics = analytics.loc[
        [(p, c) not in conversation for p, c in zip(analytics[P.platform], analytics[P.channel], strict=True)]
    ]
    rows = pd.concat(
        [rows, analytics.assign(brand_posts=1, brand_replies=0, member_messages=0)], ignore_index=True
    )
    rows = rows.loc[[(p, c) not in listened for p, c in zip(rows[M.platform], rows[M.channel], strict=True)]]
    rows["week"] = week_start(local_naive(rows[M.created_at], window.tz))
    counts = rows.groupby([*CHANNEL_KEY, "week"])[["brand_posts", "brand_replies", "member_messages"]].sum()
    channels = rows[CHANNEL_KEY].drop_duplicates().sort_values(CHANNEL_KEY)
    grid = pd.MultiIndex.from_tuples(
        [(p, c, w) for p, c in channels.itertuples(index=False) for w in _weeks(window)],
        names=[*CHANNEL_KEY, "week"],
    )
    return counts.reindex(grid, fill_value=0).astype("int64").reset_index()


def posting_cadence(messages: pd.DataFrame, posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Posting cadence per channel: the brand's posts and replies per week, the weeks it said nothing, and
    its longest silence.

    The longest silence is the longest time between two brand messages in the channel, counting from the
    start of the period to the first and from the last to the end of the period.

    Unit: messages per week

    Parameters
    ----------
    messages
        All messages.
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        One row per channel (as in :func:`brand_messages_by_week`): ``platform``, ``channel``,
        ``weeks``, ``brand_posts``, ``brand_replies``, ``posts_per_week``, ``replies_per_week``,
        ``member_messages_per_week``, ``silent_weeks`` (no brand message at all) and
        ``longest_silence_days``; busiest brand channel first.
    """
    weekly = brand_messages_by_week(messages, posts, window)
    columns = [
        *CHANNEL_KEY,
        "weeks",
        "brand_posts",
        "brand_replies",
        "posts_per_week",
        "replies_per_week",
        "member_messages_per_week",
        "silent_weeks",
        "longest_silence_days",
    ]
    if weekly.empty:
        return pd.DataFrame(columns=columns)
    grouped = weekly.assign(_silent=(weekly["brand_posts"] + weekly["brand_replies"]) == 0).groupby(
        CHANNEL_KEY
    )
    table = grouped.agg(
        weeks=("week", "size"),
        brand_posts=("brand_posts", "sum"),
        brand_replies=("brand_replies", "sum"),
        member_messages=("member_messages", "sum"),
        silent_weeks=("_silent", "sum"),
    )
    table["posts_per_week"] = table["brand_posts"] / table["weeks"]
    table["replies_per_week"] = table["brand_replies"] / table["weeks"]
    table["member_messages_per_week"] = table["member_messages"] / table["weeks"]
    table["longest_silence_days"] = [
        _longest_silence_days(messages, posts, window, platform, channel) for platform, channel in table.index
    ]
    table = table.reset_index()
    table = table.sort_values(
        ["brand_posts", "brand_replies", *CHANNEL_KEY], ascending=[False, False, True, True], kind="stable"
    )
    return table[columns].reset_index(drop=True)


def _longest_silence_days(
    messages: pd.DataFrame, posts: pd.DataFrame, window: Window, platform: str, channel: str
) -> float:
    here = (messages[M.platform] == platform) & (messages[M.channel] == channel)
    brand = messages.loc[
        here & messages[M.author_is_brand].astype(bool) & window.contains(messages[M.created_at])
    ]
    moments = brand[M.created_at]
    if moments.empty:
        at = (posts[P.platform] == platform) & (posts[P.channel] == channel)
        moments = posts.loc[at & window.contains(posts[P.created_at]), P.created_at]
    edges = pd.Series([window.start, *moments.sort_values().tolist(), window.end])
    return float(edges.diff().max() / pd.Timedelta(days=1))


def response_times_by_channel(
    messages: pd.DataFrame, window: Window, business_hours: BusinessHours, target_hours: float
) -> pd.DataFrame:
    """Response gaps per channel: time to first response by anyone and by the brand (in and out of business
    hours), the share answered within the target, and the member threads still unanswered.

    Member threads and first responses are those of
    :func:`~community_health.metrics.responsiveness.member_thread_response_times`; medians, not means.

    Unit: hours

    Parameters
    ----------
    messages
        All messages.
    window
        The period in which the threads started.
    business_hours
        The client's business hours.
    target_hours
        The client's response target.

    Returns
    -------
    pandas.DataFrame
        One row per channel with member threads: ``platform``, ``channel``, ``member_threads``,
        ``median_hours`` (by anyone), ``median_brand_hours``, ``brand_business_hours`` and
        ``brand_off_hours`` (median by the brand for threads started in and out of business hours),
        ``off_hours_threads``, ``within_target`` (share answered by anyone within the target),
        ``unanswered``, ``unanswered_share`` and ``longest_wait_hours`` (oldest unanswered thread at
        the end of the period); the slowest brand off hours first.
    """
    threads = responsiveness.member_thread_response_times(messages, window)
    columns = [
        *CHANNEL_KEY,
        "member_threads",
        "median_hours",
        "median_brand_hours",
        "brand_business_hours",
        "brand_off_hours",
        "off_hours_threads",
        "within_target",
        "unanswered",
        "unanswered_share",
        "longest_wait_hours",
    ]
    if threads.empty:
        return pd.DataFrame(columns=columns)
    business = business_hours.contains(threads["started_at"].dt.tz_convert(window.tz)).to_numpy()
    waiting = (window.end - threads["started_at"].dt.tz_convert("UTC")).dt.total_seconds() / 3600.0
    frame = threads.assign(
        _business=business,
        _brand_business=threads["first_brand_response_hours"].where(business),
        _brand_off=threads["first_brand_response_hours"].where(~business),
        _within=(threads["first_response_hours"] <= target_hours).to_numpy(),
        _open=threads["first_response_at"].isna().to_numpy(),
        _wait=waiting.where(threads["first_response_at"].isna()),
    )
    grouped = frame.groupby(CHANNEL_KEY, sort=True)
    table = pd.DataFrame(
        {
            "member_threads": grouped.size(),
            "median_hours": grouped["first_response_hours"].median(),
            "median_brand_hours": grouped["first_brand_response_hours"].median(),
            "brand_business_hours": grouped["_brand_business"].median(),
            "brand_off_hours": grouped["_brand_off"].median(),
            "off_hours_threads": grouped["_business"].size() - grouped["_business"].sum(),
            "within_target": grouped["_within"].mean(),
            "unanswered": grouped["_open"].sum(),
            "longest_wait_hours": grouped["_wait"].max(),
        }
    )
    table["unanswered_share"] = table["unanswered"] / table["member_threads"]
    table = table.astype({"member_threads": "int64", "off_hours_threads": "int64", "unanswered": "int64"})
    table = table.reset_index()
    slowest = table["brand_off_hours"].fillna(table["median_brand_hours"]).fillna(np.inf)
    table = table.assign(_slow=slowest).sort_values(
        ["_slow", *CHANNEL_KEY], ascending=[False, True, True], kind="stable"
    )
    return table[columns].reset_index(drop=True)


def dead_time_by_channel(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Dead time per channel: the share of a channel's member messages written in hours of the week in which
    nobody from the brand wrote anywhere during the period, and the busiest such hour.

    The hours are those of :func:`~community_health.metrics.dead_time.unattended_member_hours` (the
    brand's presence in any channel); beside them, how many hours of the week the brand wrote in the
    channel itself. Channels only a listening tool saw are left out.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``member_messages``, ``brand_hours`` (hours of the week in which
        the brand wrote in this channel at least once), ``unattended_share``, ``busiest_unattended``
        (``Sun 10:00``) and ``busiest_unattended_messages``; most unattended first.
    """
    columns = [
        *CHANNEL_KEY,
        "member_messages",
        "brand_hours",
        "unattended_share",
        "busiest_unattended",
        "busiest_unattended_messages",
    ]
    inside = messages.loc[window.contains(messages[M.created_at])]
    listened = listening_channels(inside)
    absent = (dead_time.hour_of_week_activity(messages, window)["brand_messages"] == 0).to_numpy()
    rows = []
    for (platform, channel), here in inside.groupby(CHANNEL_KEY, sort=True):
        if (platform, channel) in listened or not is_member(here).any():
            continue
        activity = dead_time.hour_of_week_activity(here, window)
        members = activity["member_messages"].to_numpy()
        uncovered = activity.loc[absent & (members > 0)].reset_index()
        busiest = uncovered.sort_values(
            ["member_messages", "weekday", "hour"], ascending=[False, True, True], kind="stable"
        ).head(1)
        rows.append(
            {
                M.platform: platform,
                M.channel: channel,
                "member_messages": int(members.sum()),
                "brand_hours": int((activity["brand_messages"] > 0).sum()),
                "unattended_share": float(members[absent].sum() / members.sum()),
                "busiest_unattended": (
                    f"{DAY_NAMES[int(busiest['weekday'].iloc[0])]} {int(busiest['hour'].iloc[0]):02d}:00"
                    if len(busiest)
                    else ""
                ),
                "busiest_unattended_messages": int(busiest["member_messages"].iloc[0]) if len(busiest) else 0,
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    return table.sort_values(
        ["unattended_share", *CHANNEL_KEY], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def engagement_by_channel_and_format(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Resonance by channel and format: the median and mean engagement rate of the brand's posts of each
    format (photo, video, link...) on each platform.

    Rates are those of :func:`~community_health.metrics.resonance.post_engagement_rates`; a format the
    export does not give is ``not in export``.

    Unit: interactions per impression

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``post_type``, ``posts``, ``rated_posts``, ``median_engagement_rate``,
        ``mean_engagement_rate``; best median first.
    """
    rates = resonance.post_engagement_rates(posts, window)
    rates[P.post_type] = rates[P.post_type].fillna(NO_FORMAT)
    rated = rates.dropna(subset=["engagement_rate"])
    keys = [P.platform, P.post_type]
    table = pd.DataFrame(
        {
            "posts": rates.groupby(keys).size(),
            "rated_posts": rated.groupby(keys).size(),
            "median_engagement_rate": rated.groupby(keys)["engagement_rate"].median(),
            "mean_engagement_rate": rated.groupby(keys)["engagement_rate"].mean(),
        }
    )
    table["rated_posts"] = table["rated_posts"].fillna(0).astype("int64")
    table = table.reset_index()
    return table.sort_values(
        ["median_engagement_rate", *keys], ascending=[False, True, True], na_position="last", kind="stable"
    ).reset_index(drop=True)


def member_replies_to_brand_threads(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Resonance in the community channels: how many member replies the threads the brand started drew.

    Replies are counted in all the data (also after the period's end) for threads the brand started in
    the period.

    Unit: replies per thread

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``brand_threads``, ``median_member_replies``,
        ``share_with_member_reply`` and ``median_members`` (distinct members replying); most replies
        first.
    """
    roots = root_mask(messages)
    brand_roots = messages.loc[
        roots
        & messages[M.author_is_brand].astype(bool).to_numpy()
        & window.contains(messages[M.created_at]).to_numpy(),
        [*CHANNEL_KEY, M.thread_id],
    ]
    columns = [
        *CHANNEL_KEY,
        "brand_threads",
        "median_member_replies",
        "share_with_member_reply",
        "median_members",
    ]
    if brand_roots.empty:
        return pd.DataFrame(columns=columns)
    replies = messages.loc[~roots & is_member(messages).to_numpy(), [M.platform, M.thread_id, M.author_id]]
    replies = replies.merge(brand_roots[[M.platform, M.thread_id]], on=[M.platform, M.thread_id])
    per_thread = replies.groupby([M.platform, M.thread_id]).agg(
        replies=(M.author_id, "size"), members=(M.author_id, "nunique")
    )
    threads = brand_roots.merge(per_thread.reset_index(), on=[M.platform, M.thread_id], how="left").fillna(
        {"replies": 0, "members": 0}
    )
    grouped = threads.groupby(CHANNEL_KEY, sort=True)
    table = pd.DataFrame(
        {
            "brand_threads": grouped.size(),
            "median_member_replies": grouped["replies"].median(),
            "share_with_member_reply": grouped["replies"].apply(lambda r: float((r > 0).mean())),
            "median_members": grouped["members"].median(),
        }
    ).reset_index()
    return table.sort_values(
        ["median_member_replies", *CHANNEL_KEY], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def advocates(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, thresholds: Thresholds
) -> pd.DataFrame:
    """Advocates: the metric of :func:`community_health.metrics.core.advocates` when the library has it,
    otherwise the members with at least three positive messages in the period, more positive than
    negative, most positive first (see :func:`positive_members`)."""
    finder = getattr(core, "advocates", None)
    if finder is not None:
        return finder(messages, enrichment, window, thresholds)
    return positive_members(messages, enrichment, window, thresholds)


def positive_members(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds,
    min_positive: int = 3,
) -> pd.DataFrame:
    """The most active members with a positive tone: at least ``min_positive`` positive messages in the
    period and more positive than negative ones, most positive first.

    Parameters
    ----------
    messages, enrichment, window, thresholds
        As for :func:`~community_health.metrics.listening.message_sentiment`.
    min_positive
        The fewest positive messages.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``author_id``, ``author_name``, ``channels``, ``messages``,
        ``positive_messages``, ``negative_messages``, ``positive_share``,
        ``share_of_positive_volume``, ``median_sentiment``, ``words`` (empty).
    """
    scored = listening.message_sentiment(messages, enrichment, window, thresholds)
    scored = scored.assign(_pos=scored["tone"] == "positive", _neg=scored["tone"] == "negative")
    keys = [M.platform, M.author_id]
    grouped = scored.groupby(keys, sort=True)
    table = pd.DataFrame(
        {
            M.author_name: grouped[M.author_name].last(),
            "channels": grouped[M.channel].agg(lambda c: ", ".join(sorted(set(map(str, c))))),
            "messages": grouped.size(),
            "positive_messages": grouped["_pos"].sum(),
            "negative_messages": grouped["_neg"].sum(),
            "median_sentiment": grouped["sentiment"].median(),
        }
    ).reset_index()
    total = int(table["positive_messages"].sum())
    table["positive_share"] = table["positive_messages"] / table["messages"]
    table["share_of_positive_volume"] = table["positive_messages"] / total if total else np.nan
    table["words"] = ""
    chosen = table.loc[
        (table["positive_messages"] >= min_positive)
        & (table["positive_messages"] > table["negative_messages"])
    ]
    return chosen.sort_values(
        ["positive_messages", "messages", *keys], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)


__all__ = [
    "advocates",
    "brand_messages_by_week",
    "dead_time_by_channel",
    "engagement_by_channel_and_format",
    "member_replies_to_brand_threads",
    "positive_members",
    "posting_cadence",
    "response_times_by_channel",
]
