"""Listening: what are members saying about the brand, and is something brewing?

Each member message carries the sentiment score computed once at enrichment (VADER compound
score, from -1 for most negative to +1 for most positive). A message is *positive* when its score is
at or above ``thresholds.positive_sentiment``, *negative* at or below
``thresholds.negative_sentiment``, and *neutral* in between. Messages not yet scored are left out of
every share (and counted, so the gap is visible). Brand accounts and bots are never counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.config import Thresholds
from community_health.metrics._common import (
    M,
    activity_columns,
    aligned_scores,
    checked_rate,
    checked_share,
    excerpt,
    is_member,
    iso_week_label,
    local_naive,
    reused,
    week_start,
    window_member_rows,
)
from community_health.metrics.window import Window
from community_health.schema import Enrichment

E = Enrichment

MAD_SCALE = 1.4826  # makes the median absolute deviation comparable to a standard deviation
MAD_FLOOR = 1.0  # the spread never counts as less than one message a day (see negative_volume_by_day)
MIN_BASELINE_DAYS = 7  # a day needs at least a week of history before it can be called a spike
TONES = ("positive", "neutral", "negative")
DEFAULT_THRESHOLDS = Thresholds()
TEXT_COLUMNS = (M.author_followers, M.text, M.url)


@reused
def _scored(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    thresholds: Thresholds,
    since: pd.Timestamp,
    until: pd.Timestamp,
    extra: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Member messages written in [since, until) (activity, followers, text, url and ``extra``) with their
    score and ``tone`` (missing when unscored)."""
    moments = messages[M.created_at]
    keep = (is_member(messages) & (moments >= since) & (moments < until)).to_numpy()
    frame = messages.loc[keep, [*activity_columns(messages), *dict.fromkeys([*TEXT_COLUMNS, *extra])]]
    scores = aligned_scores(messages, enrichment).loc[keep]
    out = pd.concat([frame, scores], axis=1).reset_index(drop=True)
    tone = _tones(out[E.sentiment].to_numpy(dtype="float64", na_value=np.nan), thresholds)
    return out.assign(tone=pd.Series(tone, index=out.index, dtype="str"))


def _tones(score: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """The tone of each sentiment score: ``negative``, ``positive``, ``neutral``, or None when unscored."""
    return np.select(
        [score <= thresholds.negative_sentiment, score >= thresholds.positive_sentiment, ~np.isnan(score)],
        ["negative", "positive", "neutral"],
        default=None,
    )


@reused
def _window_tones(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, thresholds: Thresholds
) -> pd.Series:
    """The tone of each scored member message of the window (the ``tone`` of :func:`_scored`, without
    gathering the messages)."""
    score = aligned_scores(messages, enrichment)[E.sentiment].to_numpy(dtype="float64", na_value=np.nan)
    score = score[window_member_rows(messages, window)]
    return pd.Series(_tones(score[~np.isnan(score)], thresholds), dtype="str")


def _episode_numbers(spikes: pd.DataFrame) -> np.ndarray:
    """The episode (1, 2, ...) of each spike day (indexed by day): consecutive days make one episode."""
    return (spikes.index.to_series().diff() != pd.Timedelta(days=1)).cumsum().to_numpy()


def _scored_in(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    thresholds: Thresholds,
    window: Window,
    extra: tuple[str, ...] = (),
) -> pd.DataFrame:
    extra = tuple(c for c in extra if c not in TEXT_COLUMNS)  # always there: one shared table per window
    return _scored(messages, enrichment, thresholds, window.start, window.end, extra)


def message_sentiment(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """The member messages of the period with their sentiment score and tone: the messages behind every
    figure.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame (sentiment per message).
    window
        The period.
    thresholds
        The client's thresholds (``negative_sentiment``, ``positive_sentiment``).

    Returns
    -------
    pandas.DataFrame
        ``created_at`` (client's time zone), ``platform``, ``channel``, ``author_id``,
        ``author_name``, ``author_followers``, ``sentiment``, ``tone`` (missing when not scored),
        ``is_question``, ``is_complaint``, ``text``, ``url``, ``message_id``; in time order.
    """
    scored = _scored_in(messages, enrichment, thresholds, window, TEXT_COLUMNS)
    scored = scored.sort_values([M.created_at, M.platform, M.message_id], kind="stable")
    columns = [
        M.created_at,
        M.platform,
        M.channel,
        M.author_id,
        M.author_name,
        M.author_followers,
        E.sentiment,
        "tone",
        E.is_question,
        E.is_complaint,
        M.text,
        M.url,
        M.message_id,
    ]
    out = scored[columns].reset_index(drop=True)
    out[M.created_at] = out[M.created_at].dt.tz_convert(window.tz)
    return out


def _tone_table(scored: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    counts = pd.crosstab([scored[c] for c in by], scored["tone"].fillna("unscored"))
    counts = counts.reindex(columns=[*TONES, "unscored"], fill_value=0).astype("int64")
    counts.columns.name = None
    out = counts
    scored_total = out[list(TONES)].sum(axis=1)
    out.insert(0, "messages", scored_total + out["unscored"])
    share = scored_total.where(scored_total > 0).astype("float64")
    out["positive_share"] = out["positive"] / share
    out["negative_share"] = out["negative"] / share
    out["net_sentiment"] = out["positive_share"] - out["negative_share"]
    return out


def net_sentiment(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Net sentiment: the share of member messages that are positive minus the share that are negative.

    It runs from -1 (every message negative) to +1 (every message positive); 0 means as many
    positive as negative messages. ``None`` when no member message of the period was scored.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    float or None
        A number in [-1, 1].
    """
    tone = _window_tones(messages, enrichment, window, thresholds)
    if tone.empty:
        return None
    value = float((tone == "positive").mean() - (tone == "negative").mean())
    return checked_rate(value, "net sentiment", -1.0, 1.0)


def negative_share(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Negative share: the share of the period's member messages whose tone is negative.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    float or None
        A share in [0, 1]; ``None`` when no member message was scored.
    """
    tone = _window_tones(messages, enrichment, window, thresholds)
    return checked_share(float((tone == "negative").sum()), len(tone), "negative share")


def sentiment_by_channel(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Sentiment by channel: positive, neutral and negative member messages, negative share and net sentiment
    per channel.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``platform``, ``channel``): ``messages``, ``positive``, ``neutral``,
        ``negative``, ``unscored``, ``positive_share``, ``negative_share``, ``net_sentiment``.
    """
    scored = _scored_in(messages, enrichment, thresholds, window)
    return _tone_table(scored, [M.platform, M.channel])


def sentiment_by_week(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Sentiment by week: positive, neutral and negative member messages, negative share and net sentiment per
    week.

    Weeks run Monday to Sunday in the client's time zone.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``week`` (its Monday), with ``iso_week`` (``2026-W43``) and the columns of
        :func:`sentiment_by_channel`.
    """
    scored = _scored_in(messages, enrichment, thresholds, window)
    scored = scored.assign(week=week_start(local_naive(scored[M.created_at], window.tz)))
    table = _tone_table(scored, ["week"])
    table.insert(0, "iso_week", [iso_week_label(w) for w in table.index])
    return table


@reused
def negative_volume_by_day(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Negative volume by day against its trailing baseline, with a robust z-score for each day of the period.

    The baseline of a day is the ``spike_baseline_days`` days before it (only days since the data
    began, and at least seven of them). The z-score is (count - baseline median) / (1.4826 x median
    absolute deviation); the spread never counts as less than one message a day, so that a quiet,
    flat baseline (deviation zero) does not turn one extra message into an alarm. A day is a spike
    when its z-score reaches ``spike_z`` and it has at least ``spike_min_messages`` negative
    messages.

    Unit: messages

    Parameters
    ----------
    messages
        All messages (the baseline looks before the period).
    enrichment
        The ``Enrichment`` frame.
    window
        The period; its time zone defines the days.
    thresholds
        The client's thresholds (``spike_z``, ``spike_baseline_days``, ``spike_min_messages``,
        ``negative_sentiment``).

    Returns
    -------
    pandas.DataFrame
        Indexed by local ``day``: ``negative_messages``, ``baseline_median``, ``baseline_mad``,
        ``z`` (missing without enough baseline) and ``spike``.
    """
    days_in_window = window.local_days()
    baseline_days = int(thresholds.spike_baseline_days)
    member = is_member(messages)
    members = messages.loc[member, M.created_at]
    since = (days_in_window[0] - pd.Timedelta(days=baseline_days + 1)).tz_localize(
        window.tz, ambiguous=True, nonexistent="shift_forward"
    )
    moments = messages[M.created_at]
    keep = (member & (moments >= min(since, window.start)) & (moments < window.end)).to_numpy()
    if not keep.any():
        nothing = pd.Series(float("nan"), index=days_in_window)
        out = pd.DataFrame(
            {
                "negative_messages": pd.Series(0, index=days_in_window, dtype="int64"),
                "baseline_median": nothing,
                "baseline_mad": nothing,
                "z": nothing,
                "spike": pd.Series(False, index=days_in_window),
            }
        )
        out.index.name = "day"
        return out
    # Negative as in the tone of :func:`_scored`: a score at or below the threshold.
    score = aligned_scores(messages, enrichment)[E.sentiment].to_numpy(dtype="float64", na_value=np.nan)
    negative_rows = np.flatnonzero(keep & (score <= thresholds.negative_sentiment))
    negative = local_naive(moments.iloc[negative_rows], window.tz).dt.normalize()
    data_began = local_naive(pd.Series([members.min()]), window.tz).dt.normalize().iloc[0]
    first = min(max(data_began, days_in_window[0] - pd.Timedelta(days=baseline_days)), days_in_window[0])
    days = pd.date_range(first, days_in_window[-1], freq="D")
    counts = negative.value_counts().reindex(days, fill_value=0).astype("int64")
    # Days before the data began are not zero-count days: they are unknown.
    history = counts.astype("float64").where(counts.index >= data_began)
    prior = history.shift(1).rolling(baseline_days, min_periods=min(MIN_BASELINE_DAYS, baseline_days))
    median = prior.median()
    mad = prior.apply(
        lambda a: float(np.median(np.abs(a[~np.isnan(a)] - np.median(a[~np.isnan(a)])))), raw=True
    )
    spread = np.maximum(MAD_SCALE * mad, MAD_FLOOR)
    z = (counts - median) / spread
    out = pd.DataFrame({"negative_messages": counts, "baseline_median": median, "baseline_mad": mad, "z": z})
    out["spike"] = (out["z"] >= thresholds.spike_z) & (
        out["negative_messages"] >= thresholds.spike_min_messages
    )
    out = out.loc[days_in_window]
    out.index.name = "day"
    return out


def negative_spike_episodes(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Early warning: runs of consecutive days in the period when negative volume spiked above its usual
    level.

    Each spike day is defined in :func:`negative_volume_by_day`; consecutive spike days form one
    episode. The best-connected author among the episode's negative messages is named, so a
    well-connected angry customer stands out.

    Source: robust z-score (median and median absolute deviation)

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per episode: ``episode`` (1, 2, ...), ``start``, ``end`` (local days),
        ``iso_week`` (of the start), ``days``, ``negative_messages``, ``peak_day``,
        ``peak_negative_messages``, ``peak_z``, ``baseline_median`` (at the peak),
        ``top_author_name``, ``top_author_followers``.
    """
    days = negative_volume_by_day(messages, enrichment, window, thresholds)
    spikes = days.loc[days["spike"]]
    columns = [
        "episode",
        "start",
        "end",
        "iso_week",
        "days",
        "negative_messages",
        "peak_day",
        "peak_negative_messages",
        "peak_z",
        "baseline_median",
        "top_author_name",
        "top_author_followers",
    ]
    if spikes.empty:
        return pd.DataFrame(columns=columns)
    spikes = spikes.assign(episode=_episode_numbers(spikes))
    drivers = negative_spike_messages(messages, enrichment, window, thresholds, per_episode=None)
    rows = []
    for number, group in spikes.groupby("episode"):
        peak = group["negative_messages"].idxmax()
        authors = drivers.loc[drivers["episode"] == number]
        authors = authors.sort_values(M.author_followers, ascending=False, na_position="last", kind="stable")
        top = authors.iloc[0] if len(authors) else None
        rows.append(
            {
                "episode": int(number),
                "start": group.index.min(),
                "end": group.index.max(),
                "iso_week": iso_week_label(group.index.min()),
                "days": len(group),
                "negative_messages": int(group["negative_messages"].sum()),
                "peak_day": peak,
                "peak_negative_messages": int(group.loc[peak, "negative_messages"]),
                "peak_z": float(group.loc[peak, "z"]),
                "baseline_median": float(group.loc[peak, "baseline_median"]),
                "top_author_name": None if top is None else top[M.author_name],
                "top_author_followers": pd.NA if top is None else top[M.author_followers],
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out["top_author_followers"] = out["top_author_followers"].astype("Int64")
    return out


def negative_spike_episode_count(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> int:
    """Early warnings: how many episodes of unusually high negative volume the period held.

    Unit: episodes

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.

    Returns
    -------
    int
    """
    days = negative_volume_by_day(messages, enrichment, window, thresholds)
    return int(_episode_numbers(days.loc[days["spike"]]).max(initial=0))


def negative_spike_messages(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    per_episode: int | None = 10,
) -> pd.DataFrame:
    """The negative member messages behind each early-warning episode, with their authors' followers.

    Within an episode the most negative messages come first; among equally negative ones, the
    author with the larger audience first.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    per_episode
        How many messages to list per episode (``None`` for all).

    Returns
    -------
    pandas.DataFrame
        ``episode``, ``day``, ``created_at`` (client's time zone), ``platform``, ``channel``,
        ``author_id``, ``author_name``, ``author_followers``, ``sentiment``, ``excerpt``, ``url``,
        ``message_id``.
    """
    days = negative_volume_by_day(messages, enrichment, window, thresholds)
    spikes = days.loc[days["spike"]]
    episode = pd.Series(
        (spikes.index.to_series().diff() != pd.Timedelta(days=1)).cumsum().to_numpy(),
        index=spikes.index,
        dtype="int64",
    )
    scored = _scored_in(messages, enrichment, thresholds, window, TEXT_COLUMNS)
    scored = scored.loc[scored["tone"] == "negative"]
    scored = scored.assign(day=local_naive(scored[M.created_at], window.tz).dt.normalize())
    scored = scored.loc[scored["day"].isin(spikes.index)]
    scored = scored.assign(episode=scored["day"].map(episode).astype("int64"))
    scored = scored.sort_values(
        ["episode", E.sentiment, M.author_followers, M.created_at, M.message_id],
        ascending=[True, True, False, True, True],
        na_position="last",
        kind="stable",
    )
    if per_episode is not None:
        scored = scored.groupby("episode", sort=False).head(per_episode)
    out = pd.DataFrame(
        {
            "episode": scored["episode"],
            "day": scored["day"],
            M.created_at: scored[M.created_at].dt.tz_convert(window.tz),
            M.platform: scored[M.platform],
            M.channel: scored[M.channel],
            M.author_id: scored[M.author_id],
            M.author_name: scored[M.author_name],
            M.author_followers: scored[M.author_followers],
            E.sentiment: scored[E.sentiment],
            "excerpt": excerpt(scored[M.text]),
            M.url: scored[M.url],
            M.message_id: scored[M.message_id],
        }
    )
    return out.reset_index(drop=True)
