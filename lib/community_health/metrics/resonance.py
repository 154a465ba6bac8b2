"""Resonance: which brand posts worked, and which fell flat?

Works on the ``posts`` table: brand posts with the aggregate counts of a post-level analytics
export. A post's *interactions* are the export's own engagement count when it has one, otherwise the
sum of its reactions, comments, shares and clicks. Its *engagement rate* is interactions divided by
impressions; when an export has no impressions the rate is taken over reach instead, and the
``denominator`` column says so. A post with neither has no rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.metrics._common import checked_rate, excerpt, in_window, reused
from community_health.metrics.window import Window
from community_health.schema import Posts

P = Posts

INTERACTION_PARTS = (P.reactions, P.comments, P.shares, P.clicks)
SUMMED = "reactions + comments + shares + clicks"


@reused
def post_engagement_rates(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate of each brand post published in the period: interactions divided by impressions.

    Interactions are the export's engagement count, or the sum of reactions, comments, shares and
    clicks when the export has none. Without impressions the rate is over reach, and says so.

    Unit: interactions per impression

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period in which the posts were published.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``channel``, ``post_id``, ``created_at`` (client's time zone), ``post_type``,
        ``excerpt``, ``url``, ``interactions``, ``interactions_source`` (``engagements``, the summed
        counts, or ``absent``), ``impressions``, ``reach``, ``denominator`` (``impressions``,
        ``reach`` or ``absent``) and ``engagement_rate`` (missing without a denominator or
        interactions). In publication order.
    """
    current = in_window(posts, window, P.created_at).sort_values(
        [P.created_at, P.platform, P.post_id], kind="stable"
    )
    engagements = current[P.engagements].astype("Float64")
    summed = current[list(INTERACTION_PARTS)].astype("Float64").sum(axis=1, min_count=1)
    interactions = engagements.fillna(summed)
    source = np.select(
        [engagements.notna().to_numpy(dtype=bool), summed.notna().to_numpy(dtype=bool)],
        ["engagements", SUMMED],
        default="absent",
    )
    impressions = current[P.impressions].astype("Float64")
    reach = current[P.reach].astype("Float64")
    has_impressions = (impressions > 0).fillna(False).to_numpy(dtype=bool)
    has_reach = (reach > 0).fillna(False).to_numpy(dtype=bool)
    denominator = np.select([has_impressions, has_reach], ["impressions", "reach"], default="absent")
    base = impressions.where(has_impressions, reach.where(has_reach))
    rate = (interactions / base).astype("float64")
    out = pd.DataFrame(
        {
            P.platform: current[P.platform],
            P.channel: current[P.channel],
            P.post_id: current[P.post_id],
            P.created_at: current[P.created_at].dt.tz_convert(window.tz),
            P.post_type: current[P.post_type],
            "excerpt": excerpt(current[P.text]),
            P.url: current[P.url],
            "interactions": interactions.round().astype("Int64"),
            "interactions_source": pd.Series(source, index=current.index, dtype="str"),
            P.impressions: current[P.impressions],
            P.reach: current[P.reach],
            "denominator": pd.Series(denominator, index=current.index, dtype="str"),
            "engagement_rate": rate,
        }
    )
    if (out["engagement_rate"] < 0).any():
        raise ValueError("an engagement rate is negative: interactions and impressions must not be negative")
    return out.reset_index(drop=True)


def brand_post_count(posts: pd.DataFrame, window: Window) -> int:
    """Brand posts published in the period, as counted by the post-level analytics exports.

    Unit: posts

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    int
    """
    return len(in_window(posts, window, P.created_at))


def mean_engagement_rate(posts: pd.DataFrame, window: Window) -> float | None:
    """Average engagement rate: the mean, over the brand posts of the period that have one, of interactions
    per impression.

    Posts whose export has no impressions are rated over reach (see :func:`post_engagement_rates`);
    posts with neither are left out. ``None`` when no post of the period has a rate.

    Unit: interactions per impression

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    float or None
    """
    rates = post_engagement_rates(posts, window)["engagement_rate"].dropna()
    if rates.empty:
        return None
    return checked_rate(float(rates.mean()), "mean engagement rate", 0.0, float("inf"))


def _rates_by(posts: pd.DataFrame, window: Window, column: str) -> pd.DataFrame:
    table = post_engagement_rates(posts, window)
    table[column] = table[column].fillna("unknown")
    rated = table.loc[table["engagement_rate"].notna()]
    grouped = table.groupby(column, sort=True)
    out = pd.DataFrame(
        {
            "posts": grouped.size().astype("int64"),
            "rated_posts": rated.groupby(column).size(),
            "mean_engagement_rate": rated.groupby(column)["engagement_rate"].mean(),
            "median_engagement_rate": rated.groupby(column)["engagement_rate"].median(),
            "denominator": rated.groupby(column)["denominator"].agg(lambda d: ", ".join(sorted(set(d)))),
        }
    )
    out["rated_posts"] = out["rated_posts"].fillna(0).astype("int64")
    out["denominator"] = out["denominator"].fillna("absent")
    return out


def engagement_rate_by_platform(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate by platform: the mean and median engagement rate of the period's brand posts on each
    platform.

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
        Indexed by ``platform``: ``posts``, ``rated_posts``, ``mean_engagement_rate``,
        ``median_engagement_rate``, ``denominator`` (which denominators the rates used).
    """
    return _rates_by(posts, window, P.platform)


def engagement_rate_by_post_type(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate by format: the mean and median engagement rate of the period's brand posts of each type
    (photo, video, link...).

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
        Indexed by ``post_type`` (``unknown`` when the export does not say), with the columns of
        :func:`engagement_rate_by_platform`.
    """
    return _rates_by(posts, window, P.post_type)


def top_posts(posts: pd.DataFrame, window: Window, n: int = 5) -> pd.DataFrame:
    """Top posts: the brand posts of the period with the highest engagement rate.

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.
    n
        How many posts.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`post_engagement_rates`, highest rate first.
    """
    rated = post_engagement_rates(posts, window).dropna(subset=["engagement_rate"])
    return (
        rated.sort_values(["engagement_rate", P.created_at], ascending=[False, True], kind="stable")
        .head(n)
        .reset_index(drop=True)
    )


def bottom_posts(posts: pd.DataFrame, window: Window, n: int = 5) -> pd.DataFrame:
    """Bottom posts: the brand posts of the period with the lowest engagement rate.

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.
    n
        How many posts.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`post_engagement_rates`, lowest rate first.
    """
    rated = post_engagement_rates(posts, window).dropna(subset=["engagement_rate"])
    return (
        rated.sort_values(["engagement_rate", P.created_at], ascending=[True, True], kind="stable")
        .head(n)
        .reset_index(drop=True)
    )


def engagement_rate_by_week(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Weekly engagement rate: the median engagement rate of the brand posts published each week.

    Weeks start on Monday in the client's time zone.

    Unit: interactions per impression

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The span of weeks to cover.

    Returns
    -------
    pandas.DataFrame
        ``week`` (local Monday), ``platform``, ``engagement_rate`` (median of the week's posts) and
        ``posts`` (how many posts had a rate), ordered by week and platform.
    """
    rated = post_engagement_rates(posts, window).dropna(subset=["engagement_rate"])
    columns = ["week", P.platform, "engagement_rate", "posts"]
    if rated.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "engagement_rate" else "object") for c in columns}
        )
    local = rated[P.created_at].dt.tz_localize(None).dt.normalize()
    week = local - pd.to_timedelta(local.dt.day_of_week, unit="D")
    grouped = rated.assign(week=week).groupby(["week", P.platform], sort=True)["engagement_rate"]
    out = pd.DataFrame({"engagement_rate": grouped.median(), "posts": grouped.size()}).reset_index()
    return out[columns]
