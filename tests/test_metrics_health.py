"""Health score: normalised components, the client's weights, and the parts always beside the score."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.config import Thresholds
from community_health.metrics import health
from test_metrics_helpers import enrichment_frame, message, messages_frame, week_window

WINDOW = week_window()
WEEK = 7 * 24
WEIGHTS = {"active_members": 0.25, "responsiveness": 0.25, "catalysts": 0.2, "sentiment": 0.2, "loyalty": 0.1}


@pytest.fixture
def community() -> tuple[pd.DataFrame, pd.DataFrame]:
    earlier = {-1: ("ana", "ben", "cat"), -2: ("ana", "ben", "gus", "hal"), -3: ("ana", "ivy")}
    rows = [
        message(f"w{week}{author}", author, week * WEEK + 10 + k)
        for week, authors in earlier.items()
        for k, author in enumerate(authors)
    ]
    rows += [
        message("t1", "ana", 1),
        message("r1", "ben", 2, thread="t1", parent="t1"),  # answered by a member in 1 h
        message("t2", "cat", 10),
        message("r2", "shop", 40, thread="t2", parent="t2", brand=True),  # answered by the brand in 30 h
        message("t3", "dan", 20),  # never answered
        message("t4", "eve", 30),
        message("r4", "fay", 31, thread="t4", parent="t4"),  # answered by a member in 1 h
    ]
    frame = messages_frame(rows)
    scores = dict.fromkeys(frame["message_id"], 0.0)
    scores |= {"t1": 0.5, "r1": 0.5, "t2": -0.5, "t4": 0.5, "r4": 0.5}
    return frame, enrichment_frame(scores)


def test_each_component_is_named_with_its_raw_value_normalisation_and_weight(community) -> None:
    messages, enrichment = community
    result = health.health_score(messages, enrichment, WINDOW, WEIGHTS, Thresholds(response_target_hours=24))
    table = result.components.set_index("component")
    assert list(table.index) == ["active_members", "responsiveness", "catalysts", "sentiment", "loyalty"]
    # 6 active members (ana, ben, cat, dan, eve, fay) against the median of 3, 4 and 2 earlier: 6 / (6 + 3).
    assert table.loc["active_members", ["raw_value", "reference", "score"]].tolist() == pytest.approx(
        [6, 3, 2 / 3]
    )
    # t1 and t4 answered within 24 h of 4 member threads.
    assert table.loc["responsiveness", "score"] == pytest.approx(0.5)
    # Replies: ben to ana and fay to eve are member to member, the brand's to cat is not: 2 / 3.
    assert table.loc["catalysts", "score"] == pytest.approx(2 / 3)
    # Net sentiment: 4 positive, 1 negative of 6 scored = 0.5, on the 0-1 scale (0.5 + 1) / 2.
    assert table.loc["sentiment", ["raw_value", "score"]].tolist() == pytest.approx([0.5, 0.75])
    # Returning: ana, ben and cat had written before, of 6.
    assert table.loc["loyalty", "score"] == pytest.approx(0.5)
    assert table["weight"].tolist() == list(WEIGHTS.values())
    assert table["normalisation"].str.len().min() > 10 and table["metric"].str.contains(".").all()
    # 100 x (0.25 x 2/3 + 0.25 x 0.5 + 0.2 x 2/3 + 0.2 x 0.75 + 0.1 x 0.5)
    assert result.value == pytest.approx(62.5)
    assert table["points"].sum() == pytest.approx(62.5)
    pd.testing.assert_series_equal(
        table["change"], table["score"] - table["previous_score"], check_names=False
    )
    # Last week: 3 members against the median of 4 and 2 (the data begin three weeks ago): 3 / (3 + 3).
    assert table.loc["active_members", "previous_score"] == pytest.approx(0.5)
    assert health.health_score_value(
        messages, enrichment, WINDOW, WEIGHTS, Thresholds(24.0)
    ) == pytest.approx(62.5)
    assert health.health_component_score(messages, enrichment, WINDOW, "catalysts") == pytest.approx(2 / 3)


def test_a_component_without_data_is_left_out_and_the_others_reweighted(community) -> None:
    messages, _ = community
    result = health.health_score(messages, enrichment_frame({}), WINDOW, WEIGHTS, Thresholds(24.0))
    table = result.components.set_index("component")
    assert pd.isna(table.loc["sentiment", "score"]) and table.loc["sentiment", "effective_weight"] == 0
    # (0.25 x 2/3 + 0.25 x 0.5 + 0.2 x 2/3 + 0.1 x 0.5) / 0.8
    assert result.value == pytest.approx(100 * (0.25 * 2 / 3 + 0.125 + 0.2 * 2 / 3 + 0.05) / 0.8)
    assert table["effective_weight"].sum() == pytest.approx(1.0)


def test_without_weights_every_component_weighs_the_same(community) -> None:
    messages, enrichment = community
    result = health.health_score(messages, enrichment, WINDOW, None, Thresholds(24.0))
    assert result.value == pytest.approx(100 * (2 / 3 + 0.5 + 2 / 3 + 0.75 + 0.5) / 5)


def test_weights_must_name_known_components_and_not_be_negative(community) -> None:
    messages, enrichment = community
    with pytest.raises(ValueError, match="unknown components \\['vibes'\\]"):
        health.health_score(messages, enrichment, WINDOW, {"vibes": 1.0})
    with pytest.raises(ValueError, match="non-negative"):
        health.health_score(messages, enrichment, WINDOW, {"sentiment": -1.0})
    with pytest.raises(ValueError, match="unknown health component"):
        health.health_component_score(messages, enrichment, WINDOW, "vibes")


def test_an_empty_community_has_no_score() -> None:
    empty = messages_frame([])
    result = health.health_score(empty, enrichment_frame({}), WINDOW, WEIGHTS)
    assert result.value is None
    assert result.components["score"].isna().all()
