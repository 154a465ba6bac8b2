"""Loyalty: active, new, returning and lapsed members, on frames small enough to check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import Window, loyalty
from test_metrics_helpers import at, enrichment_frame, message, messages_frame, week_window

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


def test_new_member_retention_follows_last_periods_newcomers(messages: pd.DataFrame) -> None:
    # Last week's new members: ana (first message -5 days) and cat (-6 days); dan's first was a month ago.
    # This week ana wrote again, cat did not: 1 / 2.
    assert loyalty.new_member_retention(messages, WINDOW) == pytest.approx(0.5)
    table = loyalty.retained_new_members(messages, WINDOW).set_index("author_id")
    assert table["retained"].to_dict() == {"ana": True, "cat": False}
    assert table.loc["ana", "messages_in_period"] == 1
    # No newcomers the week before an empty week: no retention to speak of.
    assert (
        loyalty.new_member_retention(messages, week_window(start=pd.Timestamp("2026-09-14", tz="UTC")))
        is None
    )


def test_retention_by_cohort_counts_members_active_k_months_after_their_first() -> None:
    frame = messages_frame(
        [
            message("a1", "ana", pd.Timestamp("2026-08-10", tz="UTC")),  # August cohort
            message("a2", "ana", pd.Timestamp("2026-09-05", tz="UTC")),
            message("a3", "ana", pd.Timestamp("2026-10-03", tz="UTC")),
            message("a4", "ana", pd.Timestamp("2026-10-04", tz="UTC")),  # twice in October: still one member
            message("b1", "ben", pd.Timestamp("2026-08-20", tz="UTC")),  # August cohort, never back
            message("c1", "cat", pd.Timestamp("2026-09-01", tz="UTC")),  # September cohort
            message("c2", "cat", pd.Timestamp("2026-10-10", tz="UTC")),
            message("d1", "dan", pd.Timestamp("2026-09-15", tz="UTC")),  # September cohort ...
            message(
                "d2", "dan", pd.Timestamp("2026-11-02", tz="UTC")
            ),  # ... back after the period: not yet known
            message("e1", "eve", pd.Timestamp("2026-10-02", tz="UTC")),  # October cohort
            message("f1", "fay", pd.Timestamp("2026-07-01", tz="UTC")),  # a July member: before the table
            message("f2", "fay", pd.Timestamp("2026-09-01", tz="UTC")),
            message("s1", "shop", pd.Timestamp("2026-08-01", tz="UTC"), brand=True),  # never a member
        ]
    )
    october = Window.from_period("2026-10", "UTC")
    table = loyalty.retention_by_cohort(frame, october, months=3)
    assert table.index.tolist() == ["2026-08", "2026-09", "2026-10"]
    assert table["members"].tolist() == [2, 2, 1]
    # August: ana and ben; ana is back in September (1 / 2) and October (1 / 2).
    assert table.loc["2026-08", ["month_0", "month_1", "month_2"]].tolist() == [1.0, 0.5, 0.5]
    # September: cat and dan; cat is back in October (1 / 2); November lies after the period.
    assert table.loc["2026-09", ["month_0", "month_1"]].tolist() == [1.0, 0.5]
    assert pd.isna(table.loc["2026-09", "month_2"])
    assert table.loc["2026-10", "month_0"] == 1.0
    assert table.loc["2026-10", ["month_1", "month_2"]].isna().all()


@pytest.fixture
def support() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members who only asked or complained, and members who did something else."""
    frame = messages_frame(
        [
            message("a1", "ana", 1),  # ana, a regular: her post is no question
            message("b1", "shop", 2, brand=True),  # a brand post
            # tia asks, then complains in her own thread a day later: one support episode.
            message("t1", "tia", 10),
            message("t2", "tia", 30, thread="t1", parent="t1"),
            message("r1", "shop", 31, thread="t1", parent="t2", brand=True),
            # ugo asks twice, eight days apart: more than one short episode.
            message("u1", "ugo", 5),
            message("u2", "ugo", 5 + 8 * DAYS),
            # val asks, then thanks: not only questions.
            message("v1", "val", 12),
            message("v2", "val", 14, thread="v1", parent="v1"),
            # wes asks ana, another member, a question: not a question to the brand.
            message("w1", "wes", 15, thread="a1", parent="a1"),
            # xia complains under the brand's post: to the brand.
            message("x1", "xia", 20, thread="b1", parent="b1"),
            # yan's question has not been scored yet: not counted.
            message("y1", "yan", 22),
            # zed asked last week only: not active this week.
            message("z1", "zed", -3 * DAYS),
        ]
    )
    scores = {m: 0.0 for m in frame["message_id"]}
    del scores["y1"]
    enrichment = enrichment_frame(
        scores, questions=("t1", "u1", "u2", "v1", "w1", "z1"), complaints=("t2", "x1")
    )
    return frame, enrichment


def test_transient_members_only_asked_the_brand_within_one_short_episode(support) -> None:
    frame, enrichment = support
    # Active this week: ana, tia, ugo, val, wes, xia, yan = 7. Transient: tia and xia.
    table = loyalty.transient_members(frame, enrichment, WINDOW)
    assert table["author_id"].tolist() == ["tia", "xia"]  # most messages first
    assert table["messages"].tolist() == [2, 1]
    assert table["last_message_at"].iloc[0] == at(30)
    assert loyalty.transient_member_count(frame, enrichment, WINDOW) == 2
    assert loyalty.transient_member_share(frame, enrichment, WINDOW) == pytest.approx(2 / 7)
    rows = loyalty.transient_messages(frame, enrichment, WINDOW)
    assert rows["message_id"].tolist() == ["t1", "t2", "x1"]
    assert rows["is_complaint"].tolist() == [False, True, True]
    # A longer episode lets ugo in (eight days between his questions).
    assert loyalty.transient_member_count(frame, enrichment, WINDOW, episode_days=9) == 3


def test_a_transient_is_counted_in_the_period_they_were_active(support) -> None:
    frame, enrichment = support
    last_week = week_window(start=WINDOW.start - pd.Timedelta(weeks=1))
    assert loyalty.transient_members(frame, enrichment, last_week)["author_id"].tolist() == ["zed"]
    empty = week_window(start=pd.Timestamp("2027-01-04", tz="UTC"))
    assert loyalty.transient_member_count(frame, enrichment, empty) == 0
    assert loyalty.transient_member_share(frame, enrichment, empty) is None
    assert loyalty.transient_messages(frame, enrichment, empty).empty
