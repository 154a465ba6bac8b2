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

from community_health.metrics._common import (
    FUNCTION_WORDS,
    PRIOR_TOKENS,
    WEEKDAY_NAMES,
    checked_rate,
    excerpt,
    in_window,
    log_odds_z,
    reused,
    term_counts,
)
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
    rated = _rated_posts(posts)
    current = rated.loc[window.contains(rated[P.created_at])]
    if (current["engagement_rate"] < 0).any():
        raise ValueError("an engagement rate is negative: interactions and impressions must not be negative")
    return current.assign(**{P.created_at: current[P.created_at].dt.tz_convert(window.tz)}).reset_index(
        drop=True
    )


@reused
def _rated_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """Every post's interactions, denominator and rate (times in UTC), in publication order: the rates of
    each period are its rows, and a report that asks for many periods rates its posts once."""
    current = posts.sort_values([P.created_at, P.platform, P.post_id], kind="stable")
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
    return pd.DataFrame(
        {
            P.platform: current[P.platform],
            P.channel: current[P.channel],
            P.post_id: current[P.post_id],
            P.created_at: current[P.created_at],
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


#: Text-length bands of :func:`engagement_rate_by_length`, in characters: [low, high).
LENGTH_BANDS = (
    (0, 80, "under 80 characters"),
    (80, 160, "80-159 characters"),
    (160, None, "160 characters or more"),
)
NO_TEXT = "no text"


def _rates_in_order(table: pd.DataFrame, column: str, order: list[object]) -> pd.DataFrame:
    """:func:`_rates_by` on a derived ``column`` of ``table``, every category of ``order`` shown in order."""
    rated = table.loc[table["engagement_rate"].notna()]
    grouped = rated.groupby(column)["engagement_rate"]
    out = pd.DataFrame(
        {
            "posts": table.groupby(column).size(),
            "rated_posts": grouped.size(),
            "mean_engagement_rate": grouped.mean(),
            "median_engagement_rate": grouped.median(),
            "denominator": rated.groupby(column)["denominator"].agg(lambda d: ", ".join(sorted(set(d)))),
        }
    ).reindex(order)
    out[["posts", "rated_posts"]] = out[["posts", "rated_posts"]].fillna(0).astype("int64")
    out["denominator"] = out["denominator"].fillna("absent")
    out.index.name = column
    return out


def engagement_rate_by_weekday(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate by weekday: the mean and median engagement rate of the period's brand posts published
    on each day of the week (client's time zone).

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
        Indexed by ``weekday`` (Monday first, all seven), with the columns of
        :func:`engagement_rate_by_platform`.
    """
    table = post_engagement_rates(posts, window)
    table["weekday"] = [WEEKDAY_NAMES[d] for d in table[P.created_at].dt.day_of_week]
    return _rates_in_order(table, "weekday", list(WEEKDAY_NAMES))


def engagement_rate_by_hour(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate by hour: the mean and median engagement rate of the period's brand posts by the local
    hour they were published at.

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
        Indexed by ``hour`` 0-23 (all of them), with the columns of
        :func:`engagement_rate_by_platform`.
    """
    table = post_engagement_rates(posts, window)
    table["hour"] = table[P.created_at].dt.hour.astype("int64")
    return _rates_in_order(table, "hour", list(range(24)))


def _lengths(posts: pd.DataFrame, table: pd.DataFrame) -> pd.Series:
    texts = posts[[P.platform, P.post_id, P.text]]
    found = table[[P.platform, P.post_id]].merge(texts, on=[P.platform, P.post_id], how="left")[P.text]
    return found.str.len().set_axis(table.index)


def engagement_rate_by_length(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Engagement rate by length: the mean and median engagement rate of the period's brand posts by the
    length of their text (under 80 characters, 80-159, 160 or more).

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
        Indexed by ``length`` (the three bands, then ``no text``), with the columns of
        :func:`engagement_rate_by_platform`.
    """
    table = post_engagement_rates(posts, window)
    length = _lengths(posts, table)
    band = pd.Series(NO_TEXT, index=table.index, dtype="str")
    for low, high, label in LENGTH_BANDS:
        band = band.mask((length >= low) & ((length < high) if high is not None else True), label)
    table["length"] = band
    return _rates_in_order(table, "length", [label for _, _, label in LENGTH_BANDS] + [NO_TEXT])


def post_engagement_groups(posts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Each rated brand post of the period marked as high or low engagement against its own platform's median.

    A post is *high* when its engagement rate is above the median rate of the period's posts on its
    platform and *low* when below; posts exactly at the median are left out. Comparing within each
    platform keeps a network with higher rates overall from making its words look "engaging".

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`post_engagement_rates` that have a rate, plus ``text``,
        ``platform_median`` and ``group`` (``high``, ``low`` or ``median``).
    """
    table = post_engagement_rates(posts, window).dropna(subset=["engagement_rate"])
    table = table.merge(posts[[P.platform, P.post_id, P.text]], on=[P.platform, P.post_id], how="left")
    table["platform_median"] = table.groupby(P.platform)["engagement_rate"].transform("median")
    rate, middle = table["engagement_rate"], table["platform_median"]
    table["group"] = np.select([rate > middle, rate < middle], ["high", "low"], "median")
    return table


def distinctive_terms(
    posts: pd.DataFrame, window: Window, n: int = 15, prior_tokens: float = PRIOR_TOKENS
) -> pd.DataFrame:
    """Words that worked: the words and hashtags that most separate high-engagement from low-engagement brand
    posts of the period, by weighted log-odds with an informative Dirichlet prior, as z-scores.

    Posts are split at their platform's median engagement rate (see
    :func:`post_engagement_groups`). A positive z means a term is more typical of high-engagement
    posts than its overall use explains, a negative z of low-engagement posts; beyond about 2 in
    either direction the difference is unlikely to be chance. The prior is the term's share of all
    the period's post text, weighing ``prior_tokens`` tokens, so a word used once or twice cannot top
    the list. Links and @handles are left out, and function words ("the", "with", "de", "und"...)
    count in the totals but are not listed: they say nothing a post could change.

    Unit: z-score
    Source: Monroe, Colaresi and Quinn (2008), "Fightin' Words", informative Dirichlet prior

    Parameters
    ----------
    posts
        The ``Posts`` frame.
    window
        The period.
    n
        How many terms to list at each end (``n`` most typical of high engagement, ``n`` of low).
    prior_tokens
        The weight of the prior, in tokens.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``kind`` (``word`` or ``hashtag``), ``high_count``, ``low_count`` (uses in each
        group), ``log_odds``, ``z`` and ``favours`` (``high engagement`` or ``low engagement``);
        highest z first.
    """
    groups = post_engagement_groups(posts, window)
    high = term_counts(groups.loc[groups["group"] == "high", P.text])
    low = term_counts(groups.loc[groups["group"] == "low", P.text])
    table = log_odds_z(high, low, prior_tokens).rename(
        columns={"first_count": "high_count", "second_count": "low_count"}
    )
    table = table.reset_index()
    table.insert(1, "kind", np.where(table["term"].str.startswith("#"), "hashtag", "word"))
    table["kind"] = table["kind"].astype("str")
    table["favours"] = pd.Series(np.where(table["z"] >= 0, "high engagement", "low engagement"), dtype="str")
    table = table.loc[~table["term"].isin(FUNCTION_WORDS)]
    top = table.loc[table["z"] > 0].head(n)
    bottom = table.loc[table["z"] < 0].tail(n)
    return pd.concat([top, bottom]).reset_index(drop=True)
