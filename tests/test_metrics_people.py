"""People, not accounts: one person writing on two platforms under ``aliases`` counts once in every metric."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from community_health.config import ClientConfig, ClientPaths, PersonAlias, empty_events
from community_health.ingest.pipeline import members_from
from community_health.metrics import core, loyalty, summary, with_people
from community_health.schema import Enrichment, Messages, Platform
from test_metrics_helpers import enrichment_frame, message, messages_frame, posts_frame, week_window
from test_metrics_properties import communities, figures

M = Messages
WINDOW = week_window()  # Monday 5 October 2026 (T0) to the next Monday, UTC
DAYS = 24  # hours
ANA = PersonAlias("Ana Ruiz", ((Platform.SLACK, "U1"), (Platform.DISCORD, "D1")))


@pytest.fixture
def accounts() -> pd.DataFrame:
    """Ana asks the brand for help on Slack on Monday and on Discord on Tuesday; Ben chats on Slack."""
    return messages_frame(
        [
            message("b0", "U2", -3 * DAYS, platform="slack", name="Ben"),  # Friday before: Ben returns
            message("s1", "U1", 10, platform="slack", channel="help", name="ana.r"),
            message("s2", "SHOP", 11, thread="s1", parent="s1", brand=True, platform="slack"),
            message("b1", "U2", 12, platform="slack", name="Ben"),
            message("d1", "D1", 1 * DAYS + 6, platform="discord", name="ana_discord"),
            message("d2", "SHOPD", 1 * DAYS + 7, thread="d1", parent="d1", brand=True, platform="discord"),
        ]
    )


@pytest.fixture
def people(accounts: pd.DataFrame) -> pd.DataFrame:
    return with_people(accounts, members_from(accounts, [ANA]))


@pytest.fixture
def scores() -> pd.DataFrame:
    """Ana's two messages are questions; nothing else is."""
    slack = enrichment_frame({"b0": 0.0, "s1": 0.0, "s2": 0.0, "b1": 0.0}, "slack", questions=("s1",))
    discord = enrichment_frame({"d1": 0.0, "d2": 0.0}, "discord", questions=("d1",))
    return Enrichment.validate(pd.concat([slack, discord], ignore_index=True))


def test_each_message_carries_its_person(accounts: pd.DataFrame, people: pd.DataFrame) -> None:
    assert people["person_id"].tolist() == [
        "slack:U2",
        "Ana Ruiz",
        "slack:SHOP",
        "slack:U2",
        "Ana Ruiz",
        "discord:SHOPD",
    ]
    assert people.drop(columns="person_id").equals(accounts)  # nothing else changes
    assert "person_id" not in accounts.columns  # and the input is left alone


def test_without_aliases_the_messages_are_returned_as_they_are(accounts: pd.DataFrame) -> None:
    assert with_people(accounts, members_from(accounts)) is accounts


def test_active_members_count_the_person_once(accounts: pd.DataFrame, people: pd.DataFrame) -> None:
    # Accounts: U1, D1 (Ana) and U2 (Ben) = 3; people: Ana and Ben = 2. The brand never counts.
    assert loyalty.active_member_count(accounts, WINDOW) == 3
    assert loyalty.active_member_count(people, WINDOW) == 2
    # Monday: Ana (Slack) and Ben; Tuesday: Ana (Discord); 5 empty days: mean (2 + 1) / 7 either way.
    assert loyalty.mean_daily_active_members(people, WINDOW) == pytest.approx(3 / 7)
    assert loyalty.stickiness(accounts, WINDOW) == pytest.approx(3 / 7 / 3)
    assert loyalty.stickiness(people, WINDOW) == pytest.approx(3 / 7 / 2)


def test_member_tables_show_the_persons_name_platforms_and_channels(people: pd.DataFrame) -> None:
    table = loyalty.active_members(people, WINDOW)
    assert table.columns.tolist() == [
        "platform",
        "author_id",
        "author_name",
        "messages",
        "channels",
        "person_id",
    ]
    ana = table.iloc[0]  # 2 messages, then Ben with 1
    assert (ana["platform"], ana["author_id"], ana["author_name"]) == ("discord, slack", "D1, U1", "Ana Ruiz")
    assert (ana["messages"], ana["channels"]) == (2, "general, help")
    ben = table.iloc[1]  # not aliased: as without people, his latest name
    assert (ben["platform"], ben["author_id"], ben["author_name"], ben["messages"]) == (
        "slack",
        "U2",
        "Ben",
        1,
    )


def test_a_person_client_yml_does_not_name_is_shown_by_the_latest_name_used(accounts: pd.DataFrame) -> None:
    # A group of accounts listed without a name is called after its first account.
    unnamed = PersonAlias("slack:U1", ANA.accounts)
    table = loyalty.active_members(with_people(accounts, members_from(accounts, [unnamed])), WINDOW)
    ana = table.iloc[0]
    assert (ana["platform"], ana["author_id"], ana["person_id"]) == ("discord, slack", "D1, U1", "slack:U1")
    assert ana["author_name"] == "ana_discord"  # Tuesday's message on Discord is the latest


def test_new_and_returning_members_count_the_person_once(
    accounts: pd.DataFrame, people: pd.DataFrame
) -> None:
    # Ana's first message ever is this week on both accounts; Ben wrote on the Friday before.
    assert loyalty.new_member_count(accounts, WINDOW) == 2
    assert loyalty.new_member_count(people, WINDOW) == 1
    assert loyalty.new_members(people, WINDOW)["author_name"].tolist() == ["Ana Ruiz"]
    assert loyalty.returning_member_count(people, WINDOW) == 1  # new + returning = active: 1 + 1 = 2
    # Next week nobody writes: last week's two people lapse (three accounts without aliases).
    following = week_window(start=WINDOW.end)
    assert loyalty.lapsed_member_count(accounts, following) == 3
    assert loyalty.lapsed_member_count(people, following) == 2
    assert loyalty.new_member_retention(people, following) == 0.0  # Ana, last week's only newcomer


def test_core_group_counts_the_person_once(accounts: pd.DataFrame, people: pd.DataFrame) -> None:
    # Member messages: s1, b1, d1 = 3, half is 1.5. Accounts U1, D1, U2 have 1 each: two reach half.
    # People: Ana has 2 of 3, enough alone.
    assert core.core_group_size(accounts, WINDOW) == 2
    assert core.core_group_size(people, WINDOW) == 1
    assert core.core_group(people, WINDOW)["author_name"].tolist() == ["Ana Ruiz"]
    # The onion's core writes 80 %: every account (each starts below 80 %: 0, 1/3, 2/3); both people.
    assert core.onion_member_count(accounts, WINDOW, layer="core") == 3
    assert core.onion_member_count(people, WINDOW, layer="core") == 2


def test_orbit_levels_list_the_person_once(accounts: pd.DataFrame, people: pd.DataFrame) -> None:
    # Two active days in the last 4 weeks (Monday and Tuesday): participants (orbit 3), Ana as one person.
    assert core.orbit_member_count(accounts, WINDOW, level=3) == 3
    assert core.orbit_member_count(people, WINDOW, level=3) == 2
    levels = core.orbit_levels(people, WINDOW)
    ana = levels.loc[levels["person_id"] == "Ana Ruiz"].iloc[0]
    assert (ana["platform"], ana["author_id"], ana["author_name"]) == ("discord, slack", "D1, U1", "Ana Ruiz")
    assert ana["days_last_4_weeks"] == 2


def test_transients_count_the_person_once(
    accounts: pd.DataFrame, people: pd.DataFrame, scores: pd.DataFrame
) -> None:
    # Ana only ever asked the brand questions, within two days: transient, once as a person.
    assert loyalty.transient_member_count(accounts, scores, WINDOW) == 2
    assert loyalty.transient_member_count(people, scores, WINDOW) == 1
    table = loyalty.transient_members(people, scores, WINDOW)
    assert table["author_name"].tolist() == ["Ana Ruiz"]
    assert table["messages"].tolist() == [2]
    assert loyalty.transient_member_share(people, scores, WINDOW) == pytest.approx(1 / 2)


def test_cohorts_count_the_person_once(accounts: pd.DataFrame, people: pd.DataFrame) -> None:
    # Everyone was first seen in October 2026: Ben (the 2nd), Ana (the 5th, twice as accounts).
    assert loyalty.retention_by_cohort(accounts, WINDOW, months=1)["members"].tolist() == [3]
    assert loyalty.retention_by_cohort(people, WINDOW, months=1)["members"].tolist() == [2]


def test_the_summary_counts_people(people: pd.DataFrame, scores: pd.DataFrame) -> None:
    cfg = ClientConfig(slug="t", name="T", timezone="UTC", paths=ClientPaths(Path("data/t")))
    figures_ = summary(people, posts_frame([]), scores, cfg, "2026-10", events=empty_events())["metrics"]
    assert figures_["loyalty"]["active_members"]["value"] == 2
    assert figures_["loyalty"]["transient_members"]["value"] == 1
    assert figures_["core"]["core_group_size"]["value"] == 1


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=communities())
def test_one_account_per_person_changes_nothing(messages: pd.DataFrame) -> None:
    """With every account a person of its own (no aliases), the figures and tables are those of accounts."""
    person = messages[M.platform].astype(str) + ":" + messages[M.author_id].astype(str)
    people = messages.assign(person_id=person.astype("str"))
    assert figures(people, WINDOW) == figures(messages, WINDOW)
    for table in (loyalty.active_members, core.orbit_levels, loyalty.lapsed_members):
        mine = table(people, WINDOW)
        pd.testing.assert_frame_equal(mine.drop(columns="person_id"), table(messages, WINDOW))
        assert mine["person_id"].tolist() == (mine[M.platform] + ":" + mine[M.author_id]).tolist()
