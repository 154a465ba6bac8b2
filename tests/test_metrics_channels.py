"""Channel mix: member messages per platform, per month and per week."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import channels
from test_metrics_helpers import message, messages_frame, week_window

WINDOW = week_window()  # Monday 5 October 2026 00:00 UTC to Monday 12 October 00:00 UTC


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            message("s1", "ana", 1, platform="slack"),
            message("s2", "ana", 2, platform="slack"),
            message("s3", "ben", 30, platform="slack"),
            message("d1", "cat", 40, platform="discord"),
            message("b1", "shop", 41, platform="discord", brand=True),  # the brand is not a member
            message("x1", "bot", 42, platform="slack", bot=True),  # nor is a bot
            message("e1", "eve", -30, platform="discord"),  # last week
        ]
    )


def test_mix_counts_member_messages_and_members_per_platform(messages: pd.DataFrame) -> None:
    mix = channels.member_messages_by_platform(messages, WINDOW).set_index("platform")
    # slack: ana twice and ben once = 3 messages by 2 members; discord: cat once. 3 / 4 and 1 / 4.
    assert mix["messages"].to_dict() == {"slack": 3, "discord": 1}
    assert mix["members"].to_dict() == {"slack": 2, "discord": 1}
    assert mix["share"].to_dict() == {"slack": pytest.approx(0.75), "discord": pytest.approx(0.25)}
    assert list(mix.index) == ["slack", "discord"]  # busiest first


def test_mix_over_months_has_a_zero_where_a_platform_was_silent(messages: pd.DataFrame) -> None:
    # Calendar months up to the period's: eve's message of 3 October is October's too; September is empty.
    table = channels.member_messages_by_platform_and_month(messages, WINDOW, months=2)
    assert table.to_dict("index") == {
        "2026-09": {"discord": 0, "slack": 0},
        "2026-10": {"discord": 2, "slack": 3},
    }


def test_platform_count_and_concentration(messages: pd.DataFrame) -> None:
    assert channels.active_platform_count(messages, WINDOW) == 2
    assert channels.busiest_platform_share(messages, WINDOW) == pytest.approx(0.75)  # slack, 3 of 4
    assert channels.busiest_platform_share(messages.iloc[:0], WINDOW) is None


def test_weekly_counts_cover_every_week_of_the_period(messages: pd.DataFrame) -> None:
    two_weeks = week_window(weeks=2, start=WINDOW.start - pd.Timedelta(weeks=1))
    weekly = channels.member_messages_by_week(messages, two_weeks)
    # Week of 28 September: eve's message (Saturday 3 October); week of 5 October: the four above.
    assert weekly.to_dict() == {pd.Timestamp("2026-09-28"): 1, pd.Timestamp("2026-10-05"): 4}
