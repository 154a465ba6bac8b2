"""Responsiveness: time to first response, answered within target, unanswered threads."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.config import BusinessHours
from community_health.metrics import Responder, responsiveness
from test_metrics_helpers import message, messages_frame, week_window

WINDOW = week_window()  # Monday 5 October 2026 00:00 UTC to Monday 12 October 00:00 UTC
MON, TUE, WED, THU = 0, 24, 48, 72


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            # t1: ana asks on Monday 10:00; the brand answers at 11:00 -> 1 h by anyone, 1 h by the brand.
            message("t1", "ana", MON + 10, text="Where is my order?"),
            message("t1r", "shop", MON + 11, thread="t1", parent="t1", brand=True),
            # t2: ben asks on Monday 20:00; cat answers at 22:00 (2 h), the brand at 02:00 (6 h).
            message("t2", "ben", MON + 20),
            message("t2a", "cat", MON + 22, thread="t2", parent="t2"),
            message("t2b", "shop", TUE + 2, thread="t2", parent="t2", brand=True),
            # t3: cat asks on Tuesday 09:00; ana answers at 15:00 (6 h); the brand never does.
            message("t3", "cat", TUE + 9),
            message("t3a", "ana", TUE + 15, thread="t3", parent="t3"),
            # t4: dan asks on Wednesday 12:00; only a bot and dan himself write after him: unanswered.
            message("t4", "dan", WED + 12, text="Hello?\nAnyone   there?", url="https://forum.example/t/4"),
            message("t4bot", "autobot", WED + 12.01, thread="t4", parent="t4", bot=True),
            message("t4d", "dan", WED + 13, thread="t4", parent="t4"),
            # Not member threads: a brand post, a news article and a member's tweet found by a listening
            # tool (the tool does not capture replies, so it cannot be "unanswered"), last week's thread.
            message("t5", "shop", THU + 10, brand=True),
            message("t6", "news", THU + 11, platform="web"),
            message("t8", "fay", THU + 12, platform="x", kind="mention", text="@shop is this in stock?"),
            message("t7", "eve", -30),
        ]
    )


def test_member_threads_are_the_threads_members_started_in_the_period(messages: pd.DataFrame) -> None:
    assert responsiveness.member_thread_count(messages, WINDOW) == 4
    table = responsiveness.member_thread_response_times(messages, WINDOW)
    assert table["thread_id"].tolist() == ["t1", "t2", "t3", "t4"]
    assert table["first_response_hours"].tolist()[:3] == [1.0, 2.0, 6.0]
    assert table["first_brand_response_hours"].tolist()[:2] == [1.0, 6.0]


def test_median_and_p90_of_the_first_response_by_anyone(messages: pd.DataFrame) -> None:
    # Answered after 1 h, 2 h and 6 h: the median is 2 h. The 90th percentile interpolates between the
    # 2nd and 3rd values: 2 + 0.8 x (6 - 2) = 5.2 h. The unanswered t4 is not part of either.
    assert responsiveness.median_first_response_hours(messages, WINDOW) == pytest.approx(2.0)
    assert responsiveness.p90_first_response_hours(messages, WINDOW) == pytest.approx(5.2)


def test_median_first_response_by_the_brand(messages: pd.DataFrame) -> None:
    # The brand answered t1 after 1 h and t2 after 6 h: median (1 + 6) / 2 = 3.5 h.
    assert responsiveness.median_first_response_hours(messages, WINDOW, Responder.BRAND) == pytest.approx(3.5)


def test_share_answered_within_target_counts_unanswered_threads_as_missed(messages: pd.DataFrame) -> None:
    # Within 24 h: t1, t2, t3 of 4 threads = 0.75; within 1.5 h: only t1 = 0.25.
    assert responsiveness.share_answered_within_target(messages, WINDOW, 24) == pytest.approx(0.75)
    assert responsiveness.share_answered_within_target(messages, WINDOW, 1.5) == pytest.approx(0.25)
    # By the brand within 24 h: t1 and t2 of 4 = 0.5.
    assert responsiveness.share_answered_within_target(
        messages, WINDOW, 24, Responder.BRAND
    ) == pytest.approx(0.5)


def test_business_hours_versus_off_hours(messages: pd.DataFrame) -> None:
    # Monday-Friday 09:00-18:00 UTC: t1 (Mon 10:00), t3 (Tue 09:00) and t4 (Wed 12:00) started in business
    # hours, t2 (Mon 20:00) outside them. Business: answered after 1 h and 6 h -> median 3.5 h; off: 2 h.
    table = responsiveness.first_response_hours_by_business_hours(messages, WINDOW, BusinessHours())
    assert table.loc["business hours", "threads"] == 3
    assert table.loc["business hours", "answered"] == 2
    assert table.loc["business hours", "median_hours"] == pytest.approx(3.5)
    assert table.loc["off hours", "threads"] == 1
    assert table.loc["off hours", "median_hours"] == pytest.approx(2.0)


def test_business_hours_are_read_in_the_clients_time_zone() -> None:
    # Monday 07:30 UTC is 09:30 in Madrid (UTC+2): inside business hours there, outside them in UTC.
    frame = messages_frame([message("t1", "ana", 7.5), message("r", "shop", 8.5, thread="t1", brand=True)])
    madrid = week_window(tz="Europe/Madrid", start=pd.Timestamp("2026-10-04 22:00", tz="UTC"))
    table = responsiveness.first_response_hours_by_business_hours(frame, madrid, BusinessHours())
    assert table["threads"].to_dict() == {"business hours": 1, "off hours": 0}
    utc = responsiveness.first_response_hours_by_business_hours(frame, WINDOW, BusinessHours())
    assert utc["threads"].to_dict() == {"business hours": 0, "off hours": 1}


def test_unanswered_threads_are_listed_with_their_wait_until_the_period_ends(messages: pd.DataFrame) -> None:
    # t4 started Wednesday 12:00; the period ends the next Monday 00:00: 4 days and 12 hours = 108 h.
    unanswered = responsiveness.unanswered_member_threads(messages, WINDOW)
    assert unanswered["thread_id"].tolist() == ["t4"]
    row = unanswered.iloc[0]
    assert row["hours_waiting"] == pytest.approx(108.0)
    assert row["excerpt"] == "Hello? Anyone there?"
    assert row["url"] == "https://forum.example/t/4"
    assert row["author_id"] == "dan"
    assert responsiveness.unanswered_member_thread_count(messages, WINDOW) == 1
    assert responsiveness.longest_open_wait_hours(messages, WINDOW) == pytest.approx(108.0)


def test_a_reply_after_the_period_still_answers_the_thread() -> None:
    # Asked on Sunday 23:00, answered on Monday 01:00 of the next period: 2 h, not unanswered.
    frame = messages_frame([message("t", "ana", 6 * 24 + 23), message("r", "ben", 7 * 24 + 1, thread="t")])
    assert responsiveness.median_first_response_hours(frame, WINDOW) == pytest.approx(2.0)
    assert responsiveness.unanswered_member_thread_count(frame, WINDOW) == 0
    assert responsiveness.longest_open_wait_hours(frame, WINDOW) is None


def test_the_starter_is_the_earliest_message_when_the_thread_root_is_not_exported() -> None:
    # Only comments of thread "post9" were exported: ana's comment at 10:00 starts it, ben answers at 13:00.
    frame = messages_frame(
        [
            message("c2", "ben", 13, thread="post9", kind="comment"),
            message("c1", "ana", 10, thread="post9", kind="comment"),
        ]
    )
    table = responsiveness.member_thread_response_times(frame, WINDOW)
    assert table["message_id"].tolist() == ["c1"]
    assert table["first_response_hours"].tolist() == [3.0]


def test_a_period_without_member_threads_has_no_figures() -> None:
    frame = messages_frame([message("t", "shop", 5, brand=True)])
    assert responsiveness.median_first_response_hours(frame, WINDOW) is None
    assert responsiveness.p90_first_response_hours(frame, WINDOW) is None
    assert responsiveness.share_answered_within_target(frame, WINDOW, 24) is None
    assert responsiveness.unanswered_member_threads(frame, WINDOW).empty
    table = responsiveness.first_response_hours_by_business_hours(frame, WINDOW, BusinessHours())
    assert table["threads"].sum() == 0
