"""Dead time: activity by hour of the week, unattended hours, longest silences."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import dead_time
from test_metrics_helpers import message, messages_frame, week_window

WINDOW = week_window()
MIN = 1 / 60


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            # Monday 10:00-11:00: three member messages and one brand message.
            message("m1", "ana", 10 + 5 * MIN),
            message("m2", "ben", 10 + 10 * MIN),
            message("m3", "ana", 10 + 50 * MIN),
            message("b1", "shop", 10.5, brand=True),
            # Monday 11:00: one member message, no brand.
            message("m4", "cat", 11),
            # Wednesday 20:00 and 20:30: two member messages, no brand.
            message("m5", "dan", 48 + 20),
            message("m6", "ana", 48 + 20.5),
            # A bot on Friday is nobody's activity.
            message("x1", "autobot", 96 + 3, bot=True),
        ]
    )


def test_member_activity_by_hour_of_week(messages: pd.DataFrame) -> None:
    grid = dead_time.member_activity_by_hour_of_week(messages, WINDOW)
    assert grid.shape == (7, 24)
    assert grid.loc["Monday", 10] == 3.0  # three messages in the one Monday 10:00 of the week
    assert grid.loc["Wednesday", 20] == 2.0
    assert grid.loc["Friday", 3] == 0.0  # the bot does not count
    brand = dead_time.brand_presence_by_hour_of_week(messages, WINDOW)
    assert brand.loc["Monday", 10] == 1.0
    assert brand.to_numpy().sum() == 1.0


def test_averages_are_per_occurrence_of_the_hour(messages: pd.DataFrame) -> None:
    # Over two weeks every hour of the week occurs twice: 3 messages / 2 Mondays = 1.5 an hour.
    grid = dead_time.member_activity_by_hour_of_week(messages, week_window(weeks=2))
    assert grid.loc["Monday", 10] == 1.5


def test_share_of_hours_without_member_activity(messages: pd.DataFrame) -> None:
    # Members wrote in 3 of the 168 hours of the week (Mon 10, Mon 11, Wed 20): 165 / 168 were silent.
    assert dead_time.share_of_hours_without_member_activity(messages, WINDOW) == pytest.approx(165 / 168)


def test_unattended_hours_are_member_hours_without_the_brand(messages: pd.DataFrame) -> None:
    table = dead_time.unattended_member_hours(messages, WINDOW)
    # Wednesday 20:00 (2 messages) before Monday 11:00 (1); Monday 10:00 had the brand.
    assert list(zip(table["day"], table["hour"], table["member_messages"], strict=True)) == [
        ("Wednesday", 20, 2),
        ("Monday", 11, 1),
    ]
    assert dead_time.unattended_member_hour_count(messages, WINDOW) == 2
    # 3 of the 6 member messages were written in hours the brand never showed up.
    assert dead_time.share_of_member_messages_in_unattended_hours(messages, WINDOW) == pytest.approx(0.5)


def test_longest_silences_are_gaps_between_member_messages(messages: pd.DataFrame) -> None:
    # Monday 11:00 to Wednesday 20:00 is 2 days and 9 hours = 57 h; the next longest is 40 minutes.
    silences = dead_time.longest_silences(messages, WINDOW, n=2)
    assert silences["hours"].tolist() == pytest.approx([57.0, 40 / 60])
    assert silences["silence_from"].iloc[0] == pd.Timestamp("2026-10-05 11:00", tz="UTC")
    assert dead_time.longest_silence_hours(messages, WINDOW) == pytest.approx(57.0)


def test_hours_of_the_week_are_the_clients_local_hours() -> None:
    # Sunday 4 October 23:30 UTC is Monday 5 October 01:30 in Madrid.
    frame = messages_frame([message("m", "ana", -0.5)])
    madrid = week_window(tz="Europe/Madrid", start=pd.Timestamp("2026-10-04 22:00", tz="UTC"))
    assert dead_time.member_activity_by_hour_of_week(frame, madrid).loc["Monday", 1] == 1.0


def test_a_silent_period() -> None:
    frame = messages_frame([message("b", "shop", 3, brand=True)])
    assert dead_time.share_of_hours_without_member_activity(frame, WINDOW) == 1.0
    assert dead_time.share_of_member_messages_in_unattended_hours(frame, WINDOW) is None
    assert dead_time.longest_silence_hours(frame, WINDOW) is None
    assert dead_time.unattended_member_hours(frame, WINDOW).empty


def test_a_period_shorter_than_a_week_counts_only_the_hours_it_holds() -> None:
    # One day (Monday) holds 24 of the 168 hours of the week; members wrote in one of them: 23 / 24 silent.
    frame = messages_frame([message("m", "ana", 5)])
    monday = week_window(weeks=1)
    monday = type(monday)(monday.start, monday.start + pd.Timedelta(days=1))
    assert dead_time.share_of_hours_without_member_activity(frame, monday) == pytest.approx(23 / 24)
    activity = dead_time.hour_of_week_activity(frame, monday)
    assert activity["member_messages_per_hour"].notna().sum() == 24
