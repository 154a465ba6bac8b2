"""Resonance: engagement rate per brand post, by platform and format, top and bottom posts."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community_health.metrics import resonance
from community_health.metrics._common import log_odds_z, term_rows, terms
from community_health.schema import Posts
from test_metrics_helpers import post, posts_frame, week_window

WINDOW = week_window()


@pytest.fixture
def posts() -> pd.DataFrame:
    return posts_frame(
        [
            # 50 engagements / 1000 impressions = 0.05
            post("p1", 1, impressions=1000, engagements=50),
            # no engagement count: 10 + 5 + 3 + 2 = 20 interactions / 200 impressions = 0.10
            post("p2", 2, post_type="video", impressions=200, reactions=10, comments=5, shares=3, clicks=2),
            # no impressions: 20 engagements / 400 reached = 0.05, over reach
            post("p3", 3, platform="facebook", reach=400, engagements=20),
            # neither impressions nor reach: no rate
            post("p4", 4, platform="facebook", post_type=None, engagements=7),
            # last week: not in the period
            post("p0", -30, impressions=10, engagements=9),
        ]
    )


def test_engagement_rate_per_post_says_which_numbers_it_used(posts: pd.DataFrame) -> None:
    table = resonance.post_engagement_rates(posts, WINDOW).set_index("post_id")
    assert table["engagement_rate"].loc[["p1", "p2", "p3"]].tolist() == pytest.approx([0.05, 0.10, 0.05])
    assert pd.isna(table.loc["p4", "engagement_rate"])
    assert table["denominator"].tolist() == ["impressions", "impressions", "reach", "absent"]
    assert table.loc["p2", "interactions_source"] == "reactions + comments + shares + clicks"
    assert table.loc["p2", "interactions"] == 20
    assert table.loc["p1", "interactions_source"] == "engagements"


def test_mean_engagement_rate_over_the_posts_that_have_one(posts: pd.DataFrame) -> None:
    # (0.05 + 0.10 + 0.05) / 3
    assert resonance.mean_engagement_rate(posts, WINDOW) == pytest.approx(0.2 / 3)
    assert resonance.brand_post_count(posts, WINDOW) == 4


def test_by_platform_and_by_post_type(posts: pd.DataFrame) -> None:
    platforms = resonance.engagement_rate_by_platform(posts, WINDOW)
    assert platforms.loc["instagram", "mean_engagement_rate"] == pytest.approx(0.075)  # (0.05 + 0.10) / 2
    assert platforms.loc["facebook", ["posts", "rated_posts"]].tolist() == [2, 1]
    assert platforms.loc["facebook", "denominator"] == "reach"
    types = resonance.engagement_rate_by_post_type(posts, WINDOW)
    assert types.loc["photo", "mean_engagement_rate"] == pytest.approx(0.05)  # p1 and p3
    assert types.loc["unknown", "rated_posts"] == 0


def test_top_and_bottom_posts(posts: pd.DataFrame) -> None:
    assert resonance.top_posts(posts, WINDOW, n=2)["post_id"].tolist() == ["p2", "p1"]
    # p1 and p3 tie at 0.05: the earlier first.
    assert resonance.bottom_posts(posts, WINDOW, n=2)["post_id"].tolist() == ["p1", "p3"]


def test_no_posts_no_rate() -> None:
    empty = posts_frame([])
    assert resonance.mean_engagement_rate(empty, WINDOW) is None
    assert resonance.top_posts(empty, WINDOW).empty
    assert resonance.engagement_rate_by_platform(empty, WINDOW).empty


def with_texts(rows: list[tuple[str, float, str | None, float]]) -> pd.DataFrame:
    """Posts (id, hours after Monday 00:00 UTC, text, engagement rate) with 1,000 impressions each."""
    built = []
    for post_id, hours, text, rate in rows:
        row = post(post_id, hours, impressions=1000, engagements=round(rate * 1000))
        row[Posts.text] = text
        built.append(row)
    return posts_frame(built)


@pytest.fixture
def timed() -> pd.DataFrame:
    return with_texts(
        [
            ("q1", 9, "x" * 100, 0.10),  # Monday 09:00, 100 characters
            ("q2", 24 + 10, "y" * 30, 0.02),  # Tuesday 10:00, 30 characters
            ("q3", 24 + 10.5, "z" * 200, 0.04),  # Tuesday 10:30, 200 characters
            ("q4", 20, None, 0.05),  # Monday 20:00, no text
        ]
    )


def test_engagement_rate_by_weekday_hour_and_length(timed: pd.DataFrame) -> None:
    weekday = resonance.engagement_rate_by_weekday(timed, WINDOW)
    assert weekday.index.tolist()[:2] == ["Monday", "Tuesday"] and len(weekday) == 7
    assert weekday.loc["Monday", "mean_engagement_rate"] == pytest.approx((0.10 + 0.05) / 2)
    assert weekday.loc["Tuesday", "median_engagement_rate"] == pytest.approx((0.02 + 0.04) / 2)
    assert weekday.loc["Sunday", "posts"] == 0 and pd.isna(weekday.loc["Sunday", "mean_engagement_rate"])
    hour = resonance.engagement_rate_by_hour(timed, WINDOW)
    assert len(hour) == 24
    assert hour.loc[[9, 10, 20], "mean_engagement_rate"].tolist() == pytest.approx([0.10, 0.03, 0.05])
    length = resonance.engagement_rate_by_length(timed, WINDOW)
    assert length["mean_engagement_rate"].tolist() == pytest.approx([0.02, 0.10, 0.04, 0.05])
    assert length.index.tolist() == [
        "under 80 characters",
        "80-159 characters",
        "160 characters or more",
        "no text",
    ]


def test_hours_and_weekdays_are_the_clients() -> None:
    # Monday 23:30 UTC is Tuesday 01:30 in Madrid.
    frame = with_texts([("p", 23.5, "hi", 0.01)])
    madrid = week_window(tz="Europe/Madrid", start=pd.Timestamp("2026-10-04 22:00", tz="UTC"))
    assert resonance.engagement_rate_by_weekday(frame, madrid).loc["Tuesday", "posts"] == 1
    assert resonance.engagement_rate_by_hour(frame, madrid).loc[1, "posts"] == 1


def test_terms_are_words_and_hashtags_without_links_or_handles() -> None:
    text = pd.Series(["Love the #AutumnRoast! https://t.co/x @brightbrew don't V60 2 a", None])
    assert terms(text).tolist() == [["love", "the", "#autumnroast", "don't", "v60"], []]


def _terms_one_by_one(text: pd.Series) -> list[list[str]]:
    """The definition of :func:`terms`, applied to each text on its own."""
    from community_health.metrics._common import _STRIPPED, _TERM

    out = []
    for value in text:
        flat = "" if value is None or value is pd.NA else str(value).casefold()
        out.append([w for w in _TERM.findall(_STRIPPED.sub(" ", flat)) if len(w) > 1])
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.sampled_from(list("ab É#@:/.'’_-1 \n\x00\x01ßhtpsw"))
                | st.characters(exclude_categories=["Cs"]),  # text columns hold no lone surrogates
                max_size=40,
            ),
        ),
        max_size=8,
    )
)
def test_terms_of_all_texts_at_once_are_the_terms_of_each_text(texts: list[str | None]) -> None:
    """Scanning the texts joined together finds exactly what scanning each text alone finds: a link at
    the end of one text never swallows the next, a control character in a text changes nothing."""
    text = pd.Series(texts, dtype="object")
    assert terms(text).tolist() == _terms_one_by_one(text)
    rows, found = term_rows(text)
    assert [[t for r, t in zip(rows, found, strict=True) if r == i] for i in range(len(text))] == (
        _terms_one_by_one(text)
    )


def test_a_link_at_the_end_of_a_text_stops_there() -> None:
    text = pd.Series(["see https://example.com/x", "Great roast", "@brightbrew", "thanks www.a.b"])
    assert terms(text).tolist() == [["see"], ["great", "roast"], [], ["thanks"]]


@pytest.fixture
def worded() -> pd.DataFrame:
    # Rates 0.10, 0.08, 0.02, 0.01: the median is 0.05; h1 and h2 are high, l1 and l2 low.
    return with_texts(
        [
            ("h1", 1, "#sale great coffee", 0.10),
            ("h2", 2, "great coffee", 0.08),
            ("l1", 3, "boring coffee", 0.02),
            ("l2", 4, "boring update https://example.com", 0.01),
        ]
    )


def test_distinctive_terms_by_log_odds_with_an_informative_prior(worded: pd.DataFrame) -> None:
    groups = resonance.post_engagement_groups(worded, WINDOW).set_index("post_id")
    assert groups["group"].to_dict() == {"h1": "high", "h2": "high", "l1": "low", "l2": "low"}
    # High posts: #sale 1, great 2, coffee 2 (5 tokens); low: boring 2, coffee 1, update 1 (4 tokens).
    # With a prior of 9 tokens (as many as the data) each term's prior count is its pooled count.
    table = resonance.distinctive_terms(worded, WINDOW, n=2, prior_tokens=9).set_index("term")
    assert table.index.tolist() == ["great", "#sale", "update", "boring"]

    def z(y_i: float, y_j: float, alpha: float, n_i: float = 5, n_j: float = 4, a0: float = 9) -> float:
        delta = math.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - math.log(
            (y_j + alpha) / (n_j + a0 - y_j - alpha)
        )
        return delta / math.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))

    assert table.loc["great", "z"] == pytest.approx(z(2, 0, 2))  # log(4/10) - log(2/11) over sqrt(3/4)
    assert table.loc["#sale", "z"] == pytest.approx(z(1, 0, 1))
    assert table.loc["boring", "z"] == pytest.approx(z(0, 2, 2))
    assert table.loc["great", ["high_count", "low_count"]].tolist() == [2, 0]
    assert table.loc["#sale", "kind"] == "hashtag" and table.loc["great", "kind"] == "word"
    assert table.loc["boring", "favours"] == "low engagement"
    # The full formula agrees with the shared implementation on every term, coffee included.
    everything = log_odds_z(
        pd.Series({"#sale": 1, "great": 2, "coffee": 2}),
        pd.Series({"boring": 2, "coffee": 1, "update": 1}),
        9,
    )
    assert everything.loc["coffee", "z"] == pytest.approx(z(2, 1, 3))


def test_no_posts_no_terms() -> None:
    assert resonance.distinctive_terms(posts_frame([]), WINDOW).empty
    assert resonance.engagement_rate_by_length(posts_frame([]), WINDOW)["posts"].sum() == 0
