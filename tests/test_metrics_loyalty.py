"""Loyalty: active, new, returning and lapsed members, on frames small enough to check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import loyalty
from test_metrics_helpers import at, message, messages_frame, week_window

# The window is the week from Monday 5 October 2026 (T0); the previous window is the week before.
WINDOW = week_window()
DAYS = 24  # hours


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            message("a1", "ana", -5 * DAYS),  # ana: previous week ...
            message("a2", "ana", 1 * DAYS + 10),  # ... and this week (Tuesday): returning
            message("b1", "ben", 1 * DAYS + 11),  # ben: first message ever this week (Tuesday): new
            message("b2", "ben", 2 * DAYS + 9),  # ben again on Wednesday
            message("c1", "cat", -6 * DAYS),  # cat: previous week only: lapsed
            message("d1", "dan", -34 * DAYS),  # dan: a month ago ...
            message("d2", "dan", 3 * DAYS + 8),  # ... and Thursday: returning, though not active last week
            message("x1", "shop", 1 * DAYS + 12, brand=True),  # the brand is never a member
            message("x2", "autobot", 2 * DAYS, bot=True),  # nor is a bot
            message("e1", "eve", 8 * DAYS),  # eve: next week, outside the window
        ]
    )


def test_active_members_are_distinct_members_with_a_message_in_the_period(messages: pd.DataFrame) -> None:
    # ana, ben and dan wrote this week; the brand and the bot do not count; cat and eve wrote in other weeks.
    assert loyalty.active_member_count(messages, WINDOW) == 3
    table = loyalty.active_members(messages, WINDOW)
    assert table["author_id"].tolist() == ["ben", "ana", "dan"]  # most messages first, then by id
    assert table["messages"].tolist() == [2, 1, 1]


def test_member_messages_exclude_brand_and_bots(messages: pd.DataFrame) -> None:
    # a2 + b1 + b2 + d2 = 4
    assert loyalty.member_message_count(messages, WINDOW) == 4


def test_new_members_wrote_their_first_message_ever_in_the_period(messages: pd.DataFrame) -> None:
    assert loyalty.new_member_count(messages, WINDOW) == 1
    new = loyalty.new_members(messages, WINDOW)
    assert new["author_id"].tolist() == ["ben"]
    assert new["first_message_at"].iloc[0] == at(1 * DAYS + 11)


def test_returning_members_had_written_before_the_period(messages: pd.DataFrame) -> None:
    # ana (last week) and dan (a month ago); new + returning = active: 1 + 2 = 3.
    assert loyalty.returning_member_count(messages, WINDOW) == 2
    assert sorted(loyalty.returning_members(messages, WINDOW)["author_id"]) == ["ana", "dan"]


def test_lapsed_members_were_active_last_period_and_not_in_this_one(messages: pd.DataFrame) -> None:
    assert loyalty.lapsed_member_count(messages, WINDOW) == 1
    assert loyalty.lapsed_members(messages, WINDOW)["author_id"].tolist() == ["cat"]


def test_daily_and_weekly_active_members(messages: pd.DataFrame) -> None:
    daily = loyalty.daily_active_members(messages, WINDOW)
    # Mon 0, Tue ana+ben 2, Wed ben 1, Thu dan 1, Fri-Sun 0.
    assert daily.tolist() == [0, 2, 1, 1, 0, 0, 0]
    assert daily.index[0] == pd.Timestamp("2026-10-05")
    assert loyalty.mean_daily_active_members(messages, WINDOW) == pytest.approx(4 / 7)
    weekly = loyalty.weekly_active_members(messages, WINDOW)
    assert weekly.tolist() == [3]


def test_stickiness_is_mean_daily_active_over_period_active(messages: pd.DataFrame) -> None:
    # (4 / 7 members a day) / 3 members = 4 / 21
    assert loyalty.stickiness(messages, WINDOW) == pytest.approx(4 / 21)


def test_days_follow_the_clients_time_zone() -> None:
    # 23:30 UTC on Monday 5 October is 01:30 on Tuesday in Madrid (UTC+2).
    frame = messages_frame([message("a1", "ana", 23.5)])
    window = week_window(tz="Europe/Madrid", start=pd.Timestamp("2026-10-04 22:00", tz="UTC"))
    assert loyalty.daily_active_members(frame, window).tolist() == [0, 1, 0, 0, 0, 0, 0]


def test_the_same_id_on_two_platforms_is_two_members() -> None:
    frame = messages_frame([message("1", "ana", 1, platform="x"), message("1", "ana", 2, platform="discord")])
    assert loyalty.active_member_count(frame, WINDOW) == 2


def test_an_empty_period_has_zero_members_and_no_stickiness(messages: pd.DataFrame) -> None:
    empty_week = week_window(start=pd.Timestamp("2027-01-04", tz="UTC"))
    assert loyalty.active_member_count(messages, empty_week) == 0
    assert loyalty.stickiness(messages, empty_week) is None
    assert loyalty.active_members(messages, empty_week).empty
    assert loyalty.new_members(messages, empty_week).empty
