"""Campaigns and events: what did a campaign, a launch, a meetup or a crisis change?

Events come from the client's ``events.csv`` (read with :func:`community_health.config.read_events`):
each has a window from its first local day to its last, inclusive, and the channels it concerns
(platforms or channel names; none means every channel). Its *before* window is the span of equal
length that ends where the event starts (equal on the local wall clock, like
:meth:`~community_health.metrics.window.Window.previous`).

Each key metric is computed in both windows, on the event's channels only, and the change comes with
an honest uncertainty statement: a bootstrap interval of the change, resampling the units the metric
is made of (posts for engagement rates, days for member activity and sentiment) within each window.
With fewer than ``min_units`` units on either side the table says plainly that the data are too few
to tell. Days before the data begin, or after they end, are not counted as quiet days: they are
unknown and left out. Every interval uses a fixed seed, so the same inputs give the same numbers.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_health.config import Thresholds
from community_health.metrics._common import (
    M,
    excerpt,
    is_member,
    local_days,
    member_key,
    window_members,
)
from community_health.metrics.listening import DEFAULT_THRESHOLDS, _scored
from community_health.metrics.resonance import post_engagement_rates
from community_health.metrics.window import Window
from community_health.schema import Posts

P = Posts

RESAMPLES = 2000
CONFIDENCE = 0.95
#: Fewer units (posts or days) than this on either side of an event: too few to say anything.
MIN_UNITS = 3
#: Fewer units than this on either side: the interval is given, but said to be rough.
FEW_UNITS = 10

IMPACT_COLUMNS = [
    "event",
    "kind",
    "metric",
    "scope",
    "unit",
    "event_start",
    "event_end",
    "before_start",
    "value",
    "before",
    "change",
    "relative_change",
    "low",
    "high",
    "n_event",
    "n_before",
    "conclusion",
    "statement",
]
_LABELS = {
    "engagement_rate": "the engagement rate of brand posts",
    "member_messages_per_day": "the number of member messages a day",
    "active_members_per_day": "the number of active members a day",
    "net_sentiment": "net sentiment",
}


def _overlapping(events: pd.DataFrame, window: Window) -> pd.DataFrame:
    chosen = events.loc[(events["start"] < window.end) & (events["end"] > window.start)]
    return chosen.sort_values(["start", "name"], kind="stable")


def _event_window(event: pd.Series, tz: str) -> tuple[Window, Window]:
    during = Window(event["start"], event["end"], tz)
    return during, during.previous()


def _on_channels(frame: pd.DataFrame, channels: tuple[str, ...]) -> np.ndarray:
    """Whether each row's platform or channel is one of the event's ``channels`` (all rows when none)."""
    if not channels:
        return np.ones(len(frame), dtype=bool)
    wanted = set(channels)
    platform = frame["platform"].astype(str).str.casefold().isin(wanted)
    channel = frame["channel"].astype(str).str.casefold().isin(wanted)
    return (platform | channel).to_numpy(dtype=bool)


def event_timeline(events: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Events on a timeline: every campaign, launch, meetup or other event of the client's events file that
    overlaps the period, with its days and channels, for a Gantt chart.

    Parameters
    ----------
    events
        The events table (:func:`community_health.config.read_events`).
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``kind``, ``start`` and ``end`` (client's time zone; the end is exclusive),
        ``first_day``, ``last_day`` (``2026-10-01``), ``days``, ``channels`` (``all channels`` when
        none is named) and ``notes``; in start order.
    """
    chosen = _overlapping(events, window)
    start = chosen["start"].dt.tz_convert(window.tz)
    end = chosen["end"].dt.tz_convert(window.tz)
    last = end - pd.Timedelta(days=1)
    out = pd.DataFrame(
        {
            "name": chosen["name"],
            "kind": chosen["kind"],
            "start": start,
            "end": end,
            "first_day": start.dt.strftime("%Y-%m-%d"),
            "last_day": last.dt.strftime("%Y-%m-%d"),
            "days": (
                end.dt.tz_localize(None).dt.normalize() - start.dt.tz_localize(None).dt.normalize()
            ).dt.days,
            "channels": [", ".join(c) if len(c) else "all channels" for c in chosen["channels"]],
            "notes": chosen["notes"],
        }
    )
    return out.astype({"days": "int64", "channels": "str"}).reset_index(drop=True)


def event_count(events: pd.DataFrame, window: Window) -> int:
    """Events: how many campaigns, launches, meetups and other events of the client's events file fall at
    least partly in the period.

    Unit: events

    Parameters
    ----------
    events
        The events table (:func:`community_health.config.read_events`).
    window
        The period.

    Returns
    -------
    int
    """
    return len(_overlapping(events, window))


# ---------------------------------------------------------------------------------------------- impact


def _interval(
    event_units: np.ndarray,
    before_units: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    resamples: int,
    confidence: float,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(event) - statistic(before)``.

    ``statistic`` maps an array of resampled unit indices (resamples x units) of one side to one value
    per resample; each side is resampled with replacement, independently.
    """

    def draws(units: np.ndarray) -> np.ndarray:
        picks = rng.integers(0, len(units), size=(resamples, len(units)))
        return statistic(units[picks])

    differences = draws(event_units) - draws(before_units)
    differences = differences[~np.isnan(differences)]
    if differences.size == 0:
        return np.nan, np.nan
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(differences, [tail, 1.0 - tail])
    return float(low), float(high)


def _formatter(metric: str) -> Callable[[float], str]:
    if metric == "engagement_rate":
        return lambda v: f"{v:.2%}"
    if metric == "net_sentiment":
        return lambda v: f"{v:+.2f}"
    return lambda v: f"{v:,.1f}"


def _statement(row: dict[str, object], min_units: int, confidence: float) -> tuple[str, str]:
    """The conclusion (``higher``, ``lower``, ``no clear change``, ``too few data``) and its sentence."""
    metric, unit, name = str(row["metric"]), str(row["unit"]), str(row["event"])
    label = _LABELS[metric] + ("" if row["scope"] == "all" else f" on {row['scope']}")
    n_event, n_before = int(str(row["n_event"])), int(str(row["n_before"]))
    value, before, low, high, relative = (
        float(str(row[k])) for k in ("value", "before", "low", "high", "relative_change")
    )
    if min(n_event, n_before) < min_units or np.isnan(value) or np.isnan(before) or np.isnan(low):
        return "too few data", (
            f"Too few {unit} to say whether {label} changed during {name}: {n_event} in the event and "
            f"{n_before} in the equal span before it; at least {min_units} on each side are needed."
        )
    fmt = _formatter(metric)
    change_fmt = (lambda v: f"{v:+.2%}") if metric == "engagement_rate" else fmt
    moved = "" if np.isnan(relative) or metric == "net_sentiment" else f" ({relative:+.0%})"
    if low > 0:
        conclusion, reading = "higher", "the rise is unlikely to be chance"
    elif high < 0:
        conclusion, reading = "lower", "the fall is unlikely to be chance"
    else:
        conclusion, reading = "no clear change", "the data cannot tell it apart from no change at all"
    fewest = min(n_event, n_before)
    rough = f" With only {fewest} {unit} on one side, read this with care." if fewest < FEW_UNITS else ""
    sentence = (
        f"{label[0].upper()}{label[1:]} was {fmt(value)} during {name} against {fmt(before)} in the equal "
        f"span before it{moved}; the {confidence:.0%} interval of the change runs from {change_fmt(low)} to "
        f"{change_fmt(high)}, so {reading}.{rough}"
    )
    return conclusion, sentence


def _mean_of_rows(sample: np.ndarray) -> np.ndarray:
    return sample.mean(axis=1)


def _pooled_net(sample: np.ndarray) -> np.ndarray:
    """Net sentiment of resampled days: each unit holds (positive, negative, scored) counts."""
    totals = sample.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (totals[:, 0] - totals[:, 1]) / np.where(totals[:, 2] > 0, totals[:, 2], np.nan)


def _daily_units(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    thresholds: Thresholds,
    span: Window,
    channels: tuple[str, ...],
    known: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.DataFrame:
    """Per local day of ``span`` with data: member messages, active members, positive, negative, scored."""
    rows = window_members(messages, span)
    rows = rows.loc[_on_channels(rows, channels)]
    days = local_days(rows[M.created_at], span.tz)
    members = rows[member_key(rows)].assign(day=days.to_numpy()).drop_duplicates()
    scored = _scored(messages, enrichment, thresholds, span.start, span.end)
    scored = scored.loc[_on_channels(scored, channels)]
    scored_days = local_days(scored[M.created_at], span.tz)
    tone = scored["tone"]
    all_days = span.local_days()
    first, last = known
    all_days = all_days[(all_days >= first) & (all_days <= last)]
    table = pd.DataFrame(
        {
            "messages": days.value_counts(),
            "members": members.groupby("day").size(),
            "positive": scored_days[(tone == "positive").to_numpy()].value_counts(),
            "negative": scored_days[(tone == "negative").to_numpy()].value_counts(),
            "scored": scored_days[tone.notna().to_numpy()].value_counts(),
        }
    )
    return table.reindex(all_days, fill_value=0).fillna(0).astype("int64")


def _known_days(messages: pd.DataFrame, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last local day the message data cover (anything outside is unknown, not quiet)."""
    moments = messages[M.created_at]
    if moments.empty:
        return pd.Timestamp.max, pd.Timestamp.min
    ends = local_days(pd.Series([moments.min(), moments.max()]), tz)
    return ends.iloc[0], ends.iloc[1]


@dataclass(frozen=True)
class _Settings:
    resamples: int
    confidence: float
    min_units: int
    seed: int


def _impact_row(
    head: dict[str, object],
    metric: str,
    scope: str,
    unit: str,
    inside: np.ndarray,
    outside: np.ndarray,
    stat: Callable[[np.ndarray], np.ndarray],
    settings: _Settings,
) -> dict[str, object]:
    """One row of :func:`event_impact`: the metric on each side, the interval of the change, the sentence."""
    value = float(stat(inside[None, ...])[0]) if len(inside) else np.nan
    earlier = float(stat(outside[None, ...])[0]) if len(outside) else np.nan
    low = high = np.nan
    if min(len(inside), len(outside)) >= settings.min_units:
        key = f"{head['event']}|{metric}|{scope}".encode()
        rng = np.random.default_rng([settings.seed, zlib.crc32(key)])
        low, high = _interval(inside, outside, stat, rng, settings.resamples, settings.confidence)
    change = value - earlier
    relative = change / abs(earlier) if earlier and not np.isnan(earlier) else np.nan
    row: dict[str, object] = {
        **head,
        "metric": metric,
        "scope": scope,
        "unit": unit,
        "value": value,
        "before": earlier,
        "change": change,
        "relative_change": relative,
        "low": low,
        "high": high,
        "n_event": len(inside),
        "n_before": len(outside),
    }
    row["conclusion"], row["statement"] = _statement(row, settings.min_units, settings.confidence)
    return row


def event_impact(
    messages: pd.DataFrame,
    posts: pd.DataFrame,
    enrichment: pd.DataFrame,
    events: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    min_units: int = MIN_UNITS,
    seed: int = 0,
) -> pd.DataFrame:
    """Campaign and event impact: key metrics during each event of the period against the equal span just
    before it, with a bootstrap interval of the change and a plain sentence saying what can be concluded.

    Metrics, on the event's channels only: the mean engagement rate of brand posts (overall and per
    platform; the unit resampled is the post), and the mean per day of member messages, of active
    members, and net sentiment (pooled over the days; the unit resampled is the day). The change is
    *higher* or *lower* when the whole interval lies on one side of zero, *no clear change*
    otherwise, and *too few data* with fewer than ``min_units`` posts or days on either side.

    Source: percentile bootstrap (Efron and Tibshirani, 1993), resampling within each window

    Parameters
    ----------
    messages
        All messages.
    posts
        The ``Posts`` frame.
    enrichment
        The ``Enrichment`` frame.
    events
        The events table (:func:`community_health.config.read_events`).
    window
        The period: every event that overlaps it is measured, over its whole span.
    thresholds
        The client's thresholds (for sentiment).
    resamples
        Bootstrap resamples per interval.
    confidence
        Coverage of the interval.
    min_units
        The fewest posts or days on each side to say anything.
    seed
        Seed of the resampling (the numbers are the same for the same inputs and seed).

    Returns
    -------
    pandas.DataFrame
        One row per event, metric and scope: ``event``, ``kind``, ``metric``, ``scope`` (``all`` or
        a platform), ``unit`` (``posts`` or ``days``), ``event_start``, ``event_end``,
        ``before_start`` (client's time zone; ends exclusive), ``value`` (during), ``before``,
        ``change``, ``relative_change``, ``low`` and ``high`` (the interval of the change),
        ``n_event``, ``n_before`` (units on each side), ``conclusion`` and ``statement``.
    """
    known = _known_days(messages, window.tz)
    settings = _Settings(resamples, confidence, min_units, seed)
    rows: list[dict[str, object]] = []
    for _, event in _overlapping(events, window).iterrows():
        during, before = _event_window(event, window.tz)
        channels = tuple(event["channels"])
        head: dict[str, object] = {
            "event": event["name"],
            "kind": event["kind"],
            "event_start": during.start.tz_convert(window.tz),
            "event_end": during.end.tz_convert(window.tz),
            "before_start": before.start.tz_convert(window.tz),
        }
        rated = post_engagement_rates(posts, Window(before.start, during.end, window.tz))
        rated = rated.loc[_on_channels(rated, channels) & rated["engagement_rate"].notna().to_numpy()]
        inside = rated[P.created_at] >= during.start
        platforms = sorted(rated[P.platform].unique())
        for scope in ["all", *(platforms if len(platforms) > 1 else [])]:
            mine = rated if scope == "all" else rated.loc[rated[P.platform] == scope]
            rates = mine["engagement_rate"].to_numpy(dtype="float64")
            flag = inside.loc[mine.index].to_numpy(dtype=bool)
            rows.append(
                _impact_row(
                    head,
                    "engagement_rate",
                    scope,
                    "posts",
                    rates[flag],
                    rates[~flag],
                    _mean_of_rows,
                    settings,
                )
            )
        daily_during = _daily_units(messages, enrichment, thresholds, during, channels, known)
        daily_before = _daily_units(messages, enrichment, thresholds, before, channels, known)
        for metric, columns, statistic in (
            ("member_messages_per_day", ["messages"], _mean_of_rows),
            ("active_members_per_day", ["members"], _mean_of_rows),
            ("net_sentiment", ["positive", "negative", "scored"], _pooled_net),
        ):
            one = columns[0] if len(columns) == 1 else columns
            rows.append(
                _impact_row(
                    head,
                    metric,
                    "all",
                    "days",
                    daily_during[one].to_numpy(dtype="float64"),
                    daily_before[one].to_numpy(dtype="float64"),
                    statistic,
                    settings,
                )
            )
    out = pd.DataFrame(rows, columns=IMPACT_COLUMNS)
    return out.astype({"n_event": "int64", "n_before": "int64"})


def event_posts(posts: pd.DataFrame, events: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The brand posts behind each event's engagement figures: the posts of its channels published during
    the event and in the equal span before it.

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    events
        The events table.
    window
        The period: every event that overlaps it.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``side`` (``event`` or ``before``), then the columns of
        :func:`~community_health.metrics.resonance.post_engagement_rates`.
    """
    parts = []
    for _, event in _overlapping(events, window).iterrows():
        during, before = _event_window(event, window.tz)
        rated = post_engagement_rates(posts, Window(before.start, during.end, window.tz))
        rated = rated.loc[_on_channels(rated, tuple(event["channels"]))]
        side = np.where(rated[P.created_at] >= during.start, "event", "before")
        parts.append(rated.assign(event=event["name"], side=side))
    if not parts:
        empty = post_engagement_rates(posts.iloc[:0], window)
        return empty.assign(event=pd.Series(dtype="str"), side=pd.Series(dtype="str"))[
            ["event", "side", *empty.columns]
        ]
    out = pd.concat(parts, ignore_index=True)
    return out[["event", "side", *out.columns[:-2]]].astype({"event": "str", "side": "str"})


def event_member_messages(messages: pd.DataFrame, events: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The member messages behind each event's activity figures: the messages of its channels written during
    the event and in the equal span before it.

    Parameters
    ----------
    messages
        All messages.
    events
        The events table.
    window
        The period: every event that overlaps it.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``side`` (``event`` or ``before``), ``created_at`` (client's time zone),
        ``platform``, ``channel``, ``author_id``, ``author_name``, ``excerpt``, ``url``,
        ``message_id``; by event, then time.
    """
    columns = [
        "event",
        "side",
        M.created_at,
        M.platform,
        M.channel,
        M.author_id,
        M.author_name,
        "excerpt",
        M.url,
        M.message_id,
    ]
    parts = []
    for _, event in _overlapping(events, window).iterrows():
        during, before = _event_window(event, window.tz)
        moments = messages[M.created_at]
        rows = messages.loc[is_member(messages) & (moments >= before.start) & (moments < during.end)]
        rows = rows.loc[_on_channels(rows, tuple(event["channels"]))]
        parts.append(
            pd.DataFrame(
                {
                    "event": event["name"],
                    "side": np.where(rows[M.created_at] >= during.start, "event", "before"),
                    M.created_at: rows[M.created_at].dt.tz_convert(window.tz),
                    M.platform: rows[M.platform],
                    M.channel: rows[M.channel],
                    M.author_id: rows[M.author_id],
                    M.author_name: rows[M.author_name],
                    "excerpt": excerpt(rows[M.text]),
                    M.url: rows[M.url],
                    M.message_id: rows[M.message_id],
                }
            ).sort_values([M.created_at, M.platform, M.message_id], kind="stable")
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    return pd.concat(parts, ignore_index=True)[columns].astype({"event": "str", "side": "str"})
