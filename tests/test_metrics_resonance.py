"""Resonance: engagement rate per brand post, by platform and format, top and bottom posts."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import resonance
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
