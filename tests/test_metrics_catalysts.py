"""Catalysts: who starts threads, member-to-member replies, conversations without a catalyst."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import catalysts
from test_metrics_helpers import message, messages_frame, week_window

WINDOW = week_window()


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            # t1, a brand post: ana comments, ben answers ana, the brand answers ben.
            message("t1", "shop", 0, brand=True),
            message("c1", "ana", 1, thread="t1", parent="t1"),  # member -> brand
            message("c2", "ben", 2, thread="t1", parent="c1"),  # member -> member
            message("c3", "shop", 3, thread="t1", parent="c2", brand=True),  # brand -> member
            # t2, started by ana: ben and cat join in, ana answers ben; no brand message.
            message("t2", "ana", 5),
            message("c4", "ben", 6, thread="t2", parent="t2"),  # member -> member
            message("c5", "cat", 7, thread="t2"),  # parent unknown -> the starter, ana: member -> member
            message("c6", "ana", 8, thread="t2", parent="c4"),  # member -> member
            # t3, started by dan: only a follow-up of his own and a bot.
            message("t3", "dan", 10),
            message("c7", "dan", 10.5, thread="t3", parent="t3"),  # a reply, but to himself
            message("c8", "autobot", 11, thread="t3", parent="t3", bot=True),  # bots are left out
            # t4, started by eve: the brand answers, then fay.
            message("t4", "eve", 12),
            message("c9", "shop", 13, thread="t4", parent="t4", brand=True),  # brand -> member
            message("c10", "fay", 14, thread="t4", parent="t4"),  # member -> member
            # A member's tweet found by a listening tool: not a thread the data holds, left out.
            message("m1", "gus", 15, platform="x", kind="mention", text="@shop love the new roast"),
        ]
    )


def test_share_of_threads_started_by_members(messages: pd.DataFrame) -> None:
    # t2, t3 and t4 were started by members, t1 by the brand: 3 / 4.
    assert catalysts.share_of_threads_started_by_members(messages, WINDOW) == pytest.approx(0.75)
    table = catalysts.threads_by_starter(messages, WINDOW)
    assert table["threads"].to_dict() == {"member": 3, "brand": 1, "bot": 0}


def test_member_to_member_reply_share(messages: pd.DataFrame) -> None:
    # Replies by members or the brand: c1..c7, c9, c10 = 9 (the bot's c8 is left out).
    # Member to a different member: c2, c4, c5, c6, c10 = 5.  5 / 9.
    assert catalysts.member_to_member_reply_share(messages, WINDOW) == pytest.approx(5 / 9)
    targets = catalysts.reply_targets(messages, WINDOW).set_index("message_id")
    assert targets.loc["c5", "to_author_id"] == "ana"  # fell back to the thread's starter
    assert targets.loc["c1", "to"] == "brand"
    assert not targets.loc["c7", "member_to_member"]  # dan answering dan


def test_median_distinct_members_per_thread(messages: pd.DataFrame) -> None:
    # t1: ana, ben = 2; t2: ana, ben, cat = 3; t3: dan = 1; t4: eve, fay = 2. Median of 1, 2, 2, 3 = 2.
    assert catalysts.median_distinct_members_per_thread(messages, WINDOW) == pytest.approx(2.0)
    counts = catalysts.distinct_members_per_thread(messages, WINDOW)
    assert counts.loc[("discourse", "t2")] == 3


def test_conversations_without_a_catalyst(messages: pd.DataFrame) -> None:
    # t2 drew replies from ben and cat and no brand message; t3 drew no other member; t4 had the brand.
    table = catalysts.conversations_without_catalyst(messages, WINDOW)
    assert table["thread_id"].tolist() == ["t2"]
    assert table[["members", "replies"]].iloc[0].tolist() == [3, 2]  # ana, ben, cat; replies by ben and cat
    assert catalysts.conversations_without_catalyst_count(messages, WINDOW) == 1
    # 1 of the 3 member-started threads.
    assert catalysts.conversations_without_catalyst_share(messages, WINDOW) == pytest.approx(1 / 3)


def test_threads_belong_to_the_period_they_started_in(messages: pd.DataFrame) -> None:
    next_week = week_window(start=WINDOW.end)
    assert catalysts.threads_by_starter(messages, next_week)["threads"].sum() == 0
    assert catalysts.share_of_threads_started_by_members(messages, next_week) is None
    assert catalysts.member_to_member_reply_share(messages, next_week) is None
    assert catalysts.median_distinct_members_per_thread(messages, next_week) is None
    assert catalysts.conversations_without_catalyst_share(messages, next_week) is None


def test_a_reply_in_the_period_to_an_older_thread_is_a_reply_of_the_period() -> None:
    # ana's thread started last week; ben's answer this week is this week's (member-to-member) reply.
    frame = messages_frame([message("t", "ana", -30), message("r", "ben", 5, thread="t", parent="t")])
    assert catalysts.member_to_member_reply_share(frame, WINDOW) == 1.0


def test_one_to_one_replies_against_broadcast_posts(messages: pd.DataFrame) -> None:
    # The brand posted t1 (a broadcast) and answered ben (c3) and eve (c9): 2 one-to-one, 1 broadcast.
    assert catalysts.brand_one_to_one_reply_count(messages, WINDOW) == 2
    assert catalysts.brand_broadcast_post_count(messages, WINDOW) == 1
    assert catalysts.one_to_one_share(messages, WINDOW) == pytest.approx(2 / 3)
    replies = catalysts.brand_one_to_one_replies(messages, WINDOW)
    assert replies["message_id"].tolist() == ["c3", "c9"]
    assert replies["to_author_id"].tolist() == ["ben", "eve"]
    assert catalysts.brand_broadcast_posts(messages, WINDOW)["message_id"].tolist() == ["t1"]
    table = catalysts.brand_messages_by_audience(messages, WINDOW)
    assert table.loc["discourse"].tolist() == pytest.approx([2, 1, 0, 2 / 3])


def test_a_brand_reply_to_itself_is_neither_one_to_one_nor_broadcast() -> None:
    frame = messages_frame(
        [
            message("p", "shop", 1, brand=True),
            message("q", "shop", 2, thread="p", parent="p", brand=True),  # the brand adds to its own post
            message("r", "ana", 3, platform="x"),
            message("s", "shop", 4, thread="r", parent="r", brand=True, platform="x"),
        ]
    )
    table = catalysts.brand_messages_by_audience(frame, WINDOW)
    assert table.loc["discourse", ["one_to_one_replies", "broadcast_posts", "other_replies"]].tolist() == [
        0,
        1,
        1,
    ]
    assert table.loc["x", ["one_to_one_replies", "broadcast_posts"]].tolist() == [1, 0]
    # 1 one-to-one reply (to ana on x) against 1 broadcast post.
    assert catalysts.one_to_one_share(frame, WINDOW) == pytest.approx(0.5)
    assert catalysts.one_to_one_share(frame, week_window(start=WINDOW.end)) is None
