"""Core group (absence factor)."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import core
from test_metrics_helpers import enrichment_frame, message, messages_frame, week_window

WINDOW = week_window()


def with_counts(counts: dict[str, int], brand_messages: int = 0) -> pd.DataFrame:
    rows = [
        message(f"{author}{i}", author, 1 + i, channel="support" if i % 2 else "general")
        for author, n in counts.items()
        for i in range(n)
    ]
    rows += [message(f"shop{i}", "shop", 2 + i, brand=True) for i in range(brand_messages)]
    return messages_frame(rows)


def test_one_member_writing_half_of_the_messages_is_the_core_group() -> None:
    # 5 + 3 + 1 + 1 = 10 messages; ana's 5 are already half. The brand's 100 messages do not count.
    frame = with_counts({"ana": 5, "ben": 3, "cat": 1, "dan": 1}, brand_messages=100)
    assert core.core_group_size(frame, WINDOW) == 1
    assert core.core_group_activity_share(frame, WINDOW) == pytest.approx(0.5)
    group = core.core_group(frame, WINDOW)
    assert group["author_id"].tolist() == ["ana"]
    assert group["channels"].tolist() == ["general, support"]


def test_members_are_added_from_the_most_active_until_half_is_reached() -> None:
    # 4 + 3 + 2 + 1 = 10: ana's 4 < 5, ana and ben's 7 >= 5: a core group of 2 writing 70 %.
    frame = with_counts({"ana": 4, "ben": 3, "cat": 2, "dan": 1})
    assert core.core_group_size(frame, WINDOW) == 2
    assert core.core_group_activity_share(frame, WINDOW) == pytest.approx(0.7)
    assert core.core_group_share_of_members(frame, WINDOW) == pytest.approx(2 / 4)
    assert core.core_group(frame, WINDOW)["cumulative_share"].tolist() == pytest.approx([0.4, 0.7])


def test_ties_are_broken_by_id_so_the_list_is_reproducible() -> None:
    # 2 + 2 + 2 = 6, half is 3: two members, the first two by id.
    frame = with_counts({"cat": 2, "ben": 2, "ana": 2})
    assert core.core_group(frame, WINDOW)["author_id"].tolist() == ["ana", "ben"]


def test_no_member_messages_no_core_group() -> None:
    frame = with_counts({}, brand_messages=3)
    assert core.core_group_size(frame, WINDOW) == 0
    assert core.core_group_activity_share(frame, WINDOW) is None
    assert core.core_group_share_of_members(frame, WINDOW) is None


def test_the_onion_splits_members_at_80_and_95_percent_of_messages() -> None:
    # 10 + 5 + 3 + 1 + 1 = 20 messages. Before ana 0, before ben 10, before cat 15: all under 16 (80 %):
    # core. Before dan 18, under 19 (95 %): regular. Before eve 19: casual.
    frame = with_counts({"ana": 10, "ben": 5, "cat": 3, "dan": 1, "eve": 1}, brand_messages=50)
    onion = core.activity_onion(frame, WINDOW)
    assert onion["layer"].tolist() == ["core", "core", "core", "regular", "casual"]
    layers = core.onion_layers(frame, WINDOW)
    assert layers["members"].tolist() == [3, 1, 1]
    assert layers["share_of_messages"].tolist() == pytest.approx([18 / 20, 1 / 20, 1 / 20])
    assert layers["share_of_members"].tolist() == pytest.approx([3 / 5, 1 / 5, 1 / 5])
    assert [core.onion_member_count(frame, WINDOW, layer) for layer in ("core", "regular", "casual")] == [
        3,
        1,
        1,
    ]
    # The core group (half of the messages) lies inside the onion's core.
    assert set(core.core_group(frame, WINDOW)["author_id"]) <= set(
        onion.loc[onion["layer"] == "core", "author_id"]
    )
    with pytest.raises(ValueError, match="unknown onion layer"):
        core.onion_member_count(frame, WINDOW, "mantle")


def days_ago(author: str, *ago: int, brand: bool = False) -> list[dict]:
    """Messages by ``author`` at noon, ``ago`` days before the end of WINDOW (Monday 12 October)."""
    return [message(f"{author}{d}", author, (7 - d) * 24 + 12, brand=brand) for d in ago]


@pytest.fixture
def presence() -> pd.DataFrame:
    return messages_frame(
        [
            *days_ago("ana", 1, 8, 15),  # 3 of the last 4 weeks: Orbit 1; at the start, 2 days: Orbit 3
            *days_ago("ben", 1, 2, 3),  # 3 days of the last week only: Orbit 2; new this week
            *days_ago("cat", 20),  # once in the last 4 weeks: Orbit 3, as at the start
            *days_ago("dan", 40, 50, 60),  # 3 days of the last 13 weeks: Orbit 3, as at the start
            *days_ago("eve", 60),  # once in 13 weeks: Orbit 4, as at the start
            *days_ago("ivy", 30, 31, 32),  # 3 days, now more than 4 weeks ago: from Orbit 2 to Orbit 3
            *days_ago("jon", 95),  # 95 days ago: outside now, Orbit 4 at the start (88 days before it)
            *days_ago("fay", 120),  # outside at both moments: not listed
            *days_ago("shop", 1, 2, 3, 4, 5, brand=True),  # the brand is never a member
        ]
    )


def test_orbit_levels_from_presence_over_a_week_four_weeks_and_thirteen_weeks(presence) -> None:
    table = core.orbit_levels(presence, WINDOW).set_index("author_id")
    assert table["level"].to_dict() == {"ana": 1, "ben": 2, "cat": 3, "dan": 3, "ivy": 3, "eve": 4, "jon": 0}
    assert table["previous_level"].to_dict() == {
        "ana": 3,
        "ben": 0,
        "cat": 3,
        "dan": 3,
        "ivy": 2,
        "eve": 4,
        "jon": 4,
    }
    assert table["movement"].to_dict() == {
        "ana": "closer",
        "ben": "joined",
        "cat": "same",
        "dan": "same",
        "ivy": "farther",
        "eve": "same",
        "jon": "left",
    }
    assert table.loc[
        "ana", ["days_last_week", "days_last_4_weeks", "weeks_active_last_4", "days_last_13_weeks"]
    ].tolist() == [1, 3, 3, 3]
    assert table.loc["ben", "level_name"] == "contributors"
    counts = core.orbit_level_counts(presence, WINDOW)
    assert counts["members"].tolist() == [1, 1, 3, 1]
    assert counts["previous_members"].tolist() == [0, 1, 3, 2]
    assert counts["change"].tolist() == [1, 0, 0, -1]
    assert [core.orbit_member_count(presence, WINDOW, level) for level in (1, 2, 3, 4)] == [1, 1, 3, 1]
    assert core.orbit_moved_closer_count(presence, WINDOW) == 1
    assert core.orbit_moved_farther_count(presence, WINDOW) == 1
    movement = core.orbit_level_movement(presence, WINDOW)
    assert movement.loc[3, 1] == 1 and movement.loc[0, 2] == 1 and movement.loc[4, 0] == 1
    assert int(movement.to_numpy().sum()) == 7


def test_orbit_days_follow_the_clients_time_zone() -> None:
    # A Madrid week: Monday 5 October 00:00 local (4 October 22:00 UTC) to Monday 12 October 00:00 local.
    madrid = week_window(tz="Europe/Madrid", start=pd.Timestamp("2026-10-04 22:00", tz="UTC"))
    frame = messages_frame(
        [
            message("a", "ana", -1.5),  # 4 October 22:30 UTC is Monday 5 October 00:30 in Madrid: last week
            message("b", "ben", 6 * 24 + 22.5),  # 11 October 22:30 UTC is after the Madrid week: not counted
        ]
    )
    table = core.orbit_levels(frame, madrid).set_index("author_id")
    assert table["level"].to_dict() == {"ana": 3}
    assert table.loc["ana", "days_last_week"] == 1  # in UTC it would be 4 October, eight days before


@pytest.fixture
def tones() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        message("a1", "ana", 1, text="Brilliant roast, love it", channel="general"),
        message("a2", "ana", 2, text="Brilliant service again", channel="general"),
        message("a3", "ana", 30, text="Brilliant beans, thanks", channel="support"),
        message("a4", "ana", 31, text="Late delivery", channel="support"),
        message("b1", "ben", 1, text="Nice"),
        message("b2", "ben", 2, text="Nice one"),
        message("b3", "ben", 3, text="Nice again"),
        *[message(f"c{i}", "cat", 20 * i, text="meh or great") for i in range(8)],
        message("d1", "dan", 5, text="good"),
        message("d2", "dan", 50, text="good"),
        message("s1", "shop", 6, brand=True, text="We love you all"),
    ]
    scores = {
        "a1": 0.6,
        "a2": 0.6,
        "a3": 0.6,
        "a4": -0.5,
        "b1": 0.5,
        "b2": 0.5,
        "b3": 0.5,
        "d1": 0.4,
        "d2": 0.4,
    }
    scores |= {f"c{i}": 0.7 if i % 2 else -0.7 for i in range(8)}
    scores["s1"] = 0.9
    return messages_frame(rows), enrichment_frame(scores)


def test_advocates_write_positively_again_and_again(tones) -> None:
    frame, enrichment = tones
    # ana: 3 positive messages over 2 days, more positive than negative: an advocate.
    # ben: 3 positive on one day; cat: 4 positive and 4 negative; dan: 2 positive. The brand is no member.
    table = core.advocates(frame, enrichment, WINDOW)
    assert table["author_id"].tolist() == ["ana"]
    row = table.iloc[0]
    assert row[["messages", "positive_messages", "negative_messages"]].tolist() == [4, 3, 1]
    assert row["positive_share"] == pytest.approx(3 / 4)
    # Positive member messages: ana 3 + ben 3 + cat 4 + dan 2 = 12.
    assert row["share_of_positive_volume"] == pytest.approx(3 / 12)
    assert row["median_sentiment"] == pytest.approx(0.6)  # of 0.6, 0.6, 0.6, -0.5
    assert row["channels"] == "general, support"
    assert row["words"].split(", ")[0] == "brilliant"
    assert core.advocate_count(frame, enrichment, WINDOW) == 1
    assert core.advocate_positive_volume_share(frame, enrichment, WINDOW) == pytest.approx(0.25)
    assert core.advocate_messages(frame, enrichment, WINDOW)["message_id"].tolist() == [
        "a1",
        "a2",
        "a3",
        "a4",
    ]
    # Looser rules let ben in too (3 positive messages on one day).
    assert core.advocate_count(frame, enrichment, WINDOW, min_days=1) == 2


def test_advocates_channels_tone_and_vocabulary(tones) -> None:
    frame, enrichment = tones
    channels = core.advocate_channels(frame, enrichment, WINDOW)
    assert channels.loc[
        ("discourse", "general"), ["advocates", "advocate_messages", "member_messages"]
    ].tolist() == [1, 2, 15]
    assert channels.loc[("discourse", "support"), "advocate_share"] == pytest.approx(1.0)
    tone = core.advocate_tone(frame, enrichment, WINDOW)
    assert tone.loc["advocates", "positive_share"] == pytest.approx(3 / 4)
    # Other members: ben 3 + cat 8 + dan 2 = 13 messages, 3 + 4 + 2 = 9 positive, 4 negative.
    assert tone.loc["other members", ["members", "messages"]].tolist() == [3, 13]
    assert tone.loc["other members", "net_sentiment"] == pytest.approx((9 - 4) / 13)
    words = core.advocate_vocabulary(frame, enrichment, WINDOW, n=3)
    assert words["term"].iloc[0] == "brilliant"
    assert words.loc[0, ["advocate_count", "other_count"]].tolist() == [3, 0]


def test_no_scored_messages_no_advocates() -> None:
    frame = messages_frame([message("a1", "ana", 1)])
    empty = enrichment_frame({})
    assert core.advocate_count(frame, empty, WINDOW) == 0
    assert core.advocate_positive_volume_share(frame, empty, WINDOW) is None
    assert core.advocates(frame, empty, WINDOW).empty
