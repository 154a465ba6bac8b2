"""The channel audit's per-channel tables and the filters of the explorer, on frames small enough to check by
hand."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.config import BusinessHours, ConfigError, Period, Thresholds
from community_health.report import per_channel, scope
from test_metrics_helpers import enrichment_frame, message, messages_frame, post, posts_frame, week_window

WINDOW = week_window(2)  # Monday 5 October 2026 00:00 UTC to Monday 19 October 00:00 UTC
MON, TUE, NEXT_MON = 0, 24, 7 * 24
WEEKS = [pd.Timestamp("2026-10-05"), pd.Timestamp("2026-10-12")]


def slack(message_id: str, author: str, hours: float, channel: str, **kwargs) -> dict:
    return message(message_id, author, hours, platform="slack", channel=channel, **kwargs)


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            # #help: ana asks in business hours (brand answers in 1 h), ben off hours (brand answers in 12 h),
            # cat's question is never answered. The brand is silent in #help in the second week.
            slack("h1", "ana", MON + 10, "help"),
            slack("h1r", "shop", MON + 11, "help", thread="h1", parent="h1", brand=True),
            slack("h2", "ben", MON + 20, "help"),
            slack("h2r", "shop", TUE + 8, "help", thread="h2", parent="h2", brand=True),
            slack("h3", "cat", TUE + 10, "help"),
            # #general: the brand posts every Monday at 09:00; two members answer the first post only.
            slack("g1", "shop", MON + 9, "general", brand=True),
            slack("g1a", "ana", MON + 9.5, "general", thread="g1", parent="g1"),
            slack("g1b", "ben", MON + 10, "general", thread="g1", parent="g1"),
            slack("g2", "shop", NEXT_MON + 9, "general", brand=True),
            # A tweet a listening tool found: not a channel the brand posts or answers in.
            message("m1", "fay", MON + 12, platform="x", channel="twitter.com", kind="mention"),
        ]
    )


@pytest.fixture
def posts() -> pd.DataFrame:
    rows = [
        post("p1", MON + 30, platform="facebook", post_type="photo", impressions=1000, engagements=50),
        post("p2", TUE + 30, platform="facebook", post_type="photo", impressions=1000, engagements=30),
        post("p3", NEXT_MON + 5, platform="facebook", post_type="link", impressions=1000, engagements=10),
    ]
    return posts_frame(rows)


# ---------------------------------------------------------------------------------------------- cadence


def test_brand_posts_and_replies_are_counted_per_channel_and_week(messages, posts):
    weekly = per_channel.brand_messages_by_week(messages, posts, WINDOW).set_index(
        ["platform", "channel", "week"]
    )
    assert weekly.loc[("slack", "general", WEEKS[0])].tolist() == [1, 0, 2]  # posts, replies, member messages
    assert weekly.loc[("slack", "general", WEEKS[1])].tolist() == [1, 0, 0]
    assert weekly.loc[("slack", "help", WEEKS[0])].tolist() == [0, 2, 3]
    assert weekly.loc[("slack", "help", WEEKS[1])].tolist() == [0, 0, 0]  # an empty week is listed
    assert weekly.loc[("facebook", "brand", WEEKS[0]), "brand_posts"] == 2  # from the analytics export
    assert "twitter.com" not in set(weekly.index.get_level_values("channel")), "mentions are not posted to"


def test_posting_cadence_counts_silent_weeks_and_the_longest_silence(messages, posts):
    cadence = per_channel.posting_cadence(messages, posts, WINDOW).set_index(["platform", "channel"])
    help_ = cadence.loc[("slack", "help")]
    assert (help_["weeks"], help_["brand_replies"], help_["silent_weeks"]) == (2, 2, 1)
    assert help_["replies_per_week"] == 1.0
    # Brand messages at Monday 11:00 and Tuesday 08:00: the longest silence runs from then to the end.
    assert help_["longest_silence_days"] == pytest.approx((14 * 24 - 32) / 24)
    assert cadence.loc[("slack", "general"), "silent_weeks"] == 0
    assert cadence.index[0] == ("facebook", "brand"), "most brand posts first"


# ---------------------------------------------------------------------------------------------- responses


def test_response_times_per_channel_split_business_and_off_hours(messages):
    table = per_channel.response_times_by_channel(messages, WINDOW, BusinessHours(), target_hours=4)
    assert table[["platform", "channel"]].values.tolist() == [["slack", "help"]]  # #general: brand threads
    row = table.iloc[0]
    assert row["member_threads"] == 3 and row["off_hours_threads"] == 1
    assert row["median_hours"] == pytest.approx(6.5)  # 1 h and 12 h; cat's thread is unanswered
    assert (row["brand_business_hours"], row["brand_off_hours"]) == pytest.approx((1.0, 12.0))
    assert row["within_target"] == pytest.approx(1 / 3)
    assert (row["unanswered"], row["unanswered_share"]) == (1, pytest.approx(1 / 3))
    assert row["longest_wait_hours"] == pytest.approx(14 * 24 - 34)


def test_dead_time_per_channel_is_measured_against_the_brand_anywhere(messages):
    table = per_channel.dead_time_by_channel(messages, WINDOW).set_index("channel")
    # The brand wrote on Mondays at 09:00 and 11:00 and on Tuesday at 08:00, in any channel.
    assert table.loc["help", "unattended_share"] == 1.0
    assert table.loc["help", "busiest_unattended"] == "Mon 10:00"
    assert table.loc["general", "unattended_share"] == 0.5  # ana at 09:30 was covered, ben at 10:00 not
    assert table.loc["help", "brand_hours"] == 2 and table.loc["general", "brand_hours"] == 1
    assert "twitter.com" not in table.index


# ---------------------------------------------------------------------------------------------- resonance


def test_member_replies_to_the_brands_threads(messages):
    table = per_channel.member_replies_to_brand_threads(messages, WINDOW)
    row = table.set_index("channel").loc["general"]
    assert (row["brand_threads"], row["median_member_replies"]) == (2, 1.0)
    assert (row["share_with_member_reply"], row["median_members"]) == (0.5, 1.0)


def test_engagement_by_channel_and_format(posts):
    table = per_channel.engagement_by_channel_and_format(posts, WINDOW)
    assert table["post_type"].tolist() == ["photo", "link"]
    assert table["median_engagement_rate"].tolist() == pytest.approx([0.04, 0.01])
    assert table["posts"].tolist() == [2, 1]


def test_positive_members_stand_in_for_the_advocates_metric():
    rows = [message(f"a{i}", "ana", i * 30) for i in range(4)] + [
        message(f"b{i}", "ben", i * 30) for i in range(4)
    ]
    scores = {f"a{i}": 0.8 for i in range(4)} | {"b0": 0.8, "b1": 0.8, "b2": -0.6, "b3": -0.6}
    table = per_channel.positive_members(messages_frame(rows), enrichment_frame(scores), WINDOW, Thresholds())
    assert table["author_id"].tolist() == ["ana"]
    assert (table.loc[0, "positive_messages"], table.loc[0, "share_of_positive_volume"]) == (
        4,
        pytest.approx(4 / 6),
    )


# ---------------------------------------------------------------------------------------------- filters


def test_channels_are_named_as_people_name_them():
    assert scope.channel_label("slack", "help") == "Slack #help"
    assert scope.channel_label("discourse", "6") == "Discourse category 6"
    assert scope.channel_label("x", "twitter.com") == "X · twitter.com"


@pytest.mark.parametrize(
    ("wanted", "ids"),
    [
        ("", {"h1", "h1r", "h2", "h2r", "h3", "g1", "g1a", "g1b", "g2", "m1"}),
        ("slack", {"h1", "h1r", "h2", "h2r", "h3", "g1", "g1a", "g1b", "g2"}),
        ("#help", {"h1", "h1r", "h2", "h2r", "h3"}),
        ("Slack #general", {"g1", "g1a", "g1b", "g2"}),
        ("slack/general", {"g1", "g1a", "g1b", "g2"}),
        ("X · twitter.com", {"m1"}),
    ],
)
def test_a_channel_filter_names_a_platform_a_channel_or_both(messages, wanted, ids):
    assert set(messages.loc[scope.channel_mask(messages, wanted), "message_id"]) == ids


def test_an_unknown_channel_lists_the_channels_there_are(messages):
    with pytest.raises(
        ConfigError, match=r"no channel 'random'.*Slack #general, Slack #help, X · twitter.com"
    ):
        scope.channel_mask(messages, "random")


def test_a_member_is_found_by_name_id_or_the_one_partial_match(messages):
    assert scope.member_keys(messages, "Ana").values.tolist() == [["slack", "ana"]]
    assert scope.member_keys(messages, "@BEN").values.tolist() == [["slack", "ben"]]
    assert scope.member_keys(messages, "fa").values.tolist() == [["x", "fay"]]
    with pytest.raises(ConfigError, match=r"3 members match 'a': Ana, Cat, Fay"):
        scope.member_keys(messages, "a")
    with pytest.raises(ConfigError, match="no member called 'zoe'"):
        scope.member_keys(messages, "zoe")
    with pytest.raises(ConfigError, match="no member called 'Shop'"):  # brand accounts are not members
        scope.member_keys(messages, "Shop")


def test_a_span_of_months():
    october = Period(2026, 10)
    assert scope.parse_span("", october) == (october, october)
    assert scope.parse_span("2026-08..2026-10", october) == (Period(2026, 8), october)
    assert scope.span_label(Period(2026, 8), october) == "August – October 2026"
    assert scope.months_back(october, 3) == Period(2026, 8)
    with pytest.raises(ConfigError, match="ends before it starts"):
        scope.parse_span("2026-10..2026-08", october)
