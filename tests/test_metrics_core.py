"""Core group (absence factor)."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.metrics import core
from test_metrics_helpers import message, messages_frame, week_window

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
