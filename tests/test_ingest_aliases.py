"""One person under several accounts (``aliases`` in client.yml): parsing with errors that name the field,
merging a person's accounts on one platform, ``members.person_id`` across platforms, brand marks shared by
a person's accounts; and every new reader's fixtures ingested together, end to end."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from community_health.config import ConfigError, load_client
from community_health.ingest import ingest_client, load_tables
from community_health.metrics import Window
from community_health.metrics.core import core_group
from community_health.metrics.loyalty import active_member_count
from community_health.schema import Members, Messages

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"
M = Messages
JANUARY_2023 = Window(
    pd.Timestamp("2023-01-01", tz="UTC"), pd.Timestamp("2023-02-01", tz="UTC"), "Europe/Madrid"
)

CHATS = (
    "whatsapp/whatsapp_ios_rtl_marks.txt",
    "whatsapp/whatsapp_android_spanish_am_pm.txt",
    "discord/discord_csv_current_comma.csv",
    "telegram/telegram_account_wide_local_dates.json",
)
ALIASES = """
aliases:
  ana:                                   # one person, four accounts on three platforms
    whatsapp: ["+34 600 12 34 56", Ana López]
    discord: "333333333333333333"
    telegram: user5003
  lucia:
    - discord: "322222222222222222"
    - "whatsapp: Lucía"
"""


def client(tmp_path: Path, yml: str, *fixtures: str) -> Path:
    root = tmp_path / "acme"
    (root / "exports").mkdir(parents=True)
    (root / "client.yml").write_text(textwrap.dedent(yml), encoding="utf-8")
    for rel in fixtures:
        source = FIXTURES / rel
        target = root / "exports" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    return root


def base_yml(extra: str = "") -> str:
    return "name: Acme\ntimezone: Europe/Madrid\nbrand_accounts:\n  discord: ['322222222222222222']\n" + extra


# --------------------------------------------------------------------------------------------------
# client.yml


def test_aliases_are_read_as_people_with_their_accounts(tmp_path):
    client(tmp_path, base_yml(ALIASES))
    cfg = load_client("acme", tmp_path)
    people = {a.person: [(p.value, i) for p, i in a.accounts] for a in cfg.aliases}
    assert people == {
        "ana": [
            ("whatsapp", "+34 600 12 34 56"),
            ("whatsapp", "Ana López"),
            ("discord", "333333333333333333"),
            ("telegram", "user5003"),
        ],
        "lucia": [("discord", "322222222222222222"), ("whatsapp", "Lucía")],
    }


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("aliases: ana", r"client.yml: aliases: expected a mapping of each person to their accounts"),
        (
            "aliases:\n  ana: {myspace: ana}",
            r"aliases.ana.myspace: unknown platform 'myspace'; known platforms: ",
        ),
        ("aliases:\n  ana: {discord: ''}", r"aliases.ana.discord: expected an author id, got nothing"),
        ("aliases:\n  ana: [discord]", r"aliases.ana\[0\]: expected an account written platform: author id"),
        ("aliases:\n  ana: []", r"aliases.ana: lists no accounts"),
        (
            "aliases:\n  ana: {discord: {id: 1}}",
            r"aliases.ana.discord: expected an author id \(text or a number\)",
        ),
        (
            "aliases:\n  ana: {discord: '1'}\n  bea: {discord: '1'}",
            r"aliases: the discord account '1' is listed for both 'ana' and 'bea'",
        ),
    ],
)
def test_alias_mistakes_name_the_file_and_the_field(tmp_path, aliases, message):
    client(tmp_path, base_yml(aliases + "\n"))
    with pytest.raises(ConfigError, match=message) as err:
        load_client("acme", tmp_path)
    assert "acme/client.yml" in str(err.value)


# --------------------------------------------------------------------------------------------------
# The pipeline


def test_a_persons_accounts_on_one_platform_count_once_and_person_id_joins_platforms(tmp_path):
    root = client(tmp_path, base_yml(), *CHATS)
    plain = load_tables(load_client("acme", tmp_path))
    whatsapp = plain.messages[plain.messages[M.platform] == "whatsapp"]
    # Without aliases: Marco, the phone number, Lucía and "Ana López" are four WhatsApp members in January.
    assert active_member_count(whatsapp, JANUARY_2023) == 4

    (root / "client.yml").write_text(base_yml(textwrap.dedent(ALIASES)), encoding="utf-8")
    cfg = load_client("acme", tmp_path)
    report = ingest_client(cfg)
    assert report.parsed == [] and report.balanced  # aliases change no parsing, only the combined tables
    tables = load_tables(cfg)
    messages = tables.messages
    whatsapp = messages[messages[M.platform] == "whatsapp"]
    # The phone number and "Ana López" are one member; Lucía is brand staff (her Discord account is).
    assert active_member_count(whatsapp, JANUARY_2023) == 2
    ana_whatsapp = whatsapp[whatsapp[M.author_id] == "+34600123456"]
    assert set(ana_whatsapp[M.author_name]) == {"+34 600 12 34 56", "Ana López"}
    assert not (whatsapp[M.author_id] == "Ana López").any()
    assert whatsapp.loc[whatsapp[M.author_name] == "Lucía", M.author_is_brand].all()
    group = core_group(whatsapp, JANUARY_2023)
    assert group[M.author_id].tolist().count("+34600123456") <= 1

    members = tables.members.set_index([Members.platform, Members.author_id])
    Members.validate(tables.members, lazy=True)
    assert members.loc[("whatsapp", "+34600123456"), Members.person_id] == "ana"
    assert members.loc[("discord", "333333333333333333"), Members.person_id] == "ana"
    assert members.loc[("telegram", "user5003"), Members.person_id] == "ana"
    assert members.loc[("discord", "322222222222222222"), Members.is_brand]
    assert members.loc[("whatsapp", "Lucía"), Members.person_id] == "lucia"
    assert members.loc[("whatsapp", "Lucía"), Members.is_brand]
    assert members.loc[("discord", "311111111111111111"), Members.person_id] == "discord:311111111111111111"
    people = tables.members.loc[~tables.members[Members.is_brand] & ~tables.members[Members.is_bot]]
    ana_accounts = people[people[Members.person_id] == "ana"]
    assert (
        len(ana_accounts) == 3 and people[Members.person_id].nunique() == len(people) - 2
    )  # ana counts once

    # Removing the aliases restores the accounts, again without parsing.
    (root / "client.yml").write_text(base_yml(), encoding="utf-8")
    cfg = load_client("acme", tmp_path)
    assert ingest_client(cfg).parsed == []
    assert (load_tables(cfg).messages[M.author_id] == "Ana López").any()


# --------------------------------------------------------------------------------------------------
# End to end: every new fixture in one client folder

EXPECTED_FORMATS = {
    "discord/discord_csv_current_comma.csv": "discord_csv",
    "discord/discord_csv_2019_semicolon.csv": "discord_csv",
    "discord/discord_csv_2019_partitions": "discord_csv",
    "discourse/discourse_csv_data_explorer_utc_without_zone.csv": "discourse_csv",
    "discourse/discourse_topic_posts.json": "discourse_json",
    "reddit/reddit_pushshift_eras_mixed.jsonl": "reddit_jsonl",
    "reddit/reddit_pushshift_deleted_and_removed.jsonl": "reddit_jsonl",
    "telegram/telegram_single_chat_text_entities.json": "telegram_json",
    "telegram/telegram_account_wide_local_dates.json": "telegram_json",
    "mastodon/mastodon_outbox_duplicated_ordered_items.json": "mastodon_outbox",
    "mastodon/mastodon_archive_zip_with_actor.zip": "mastodon_outbox",
    "whatsapp/whatsapp_ios_rtl_marks.txt": "whatsapp_txt",
    "whatsapp/whatsapp_ios_zip_with_media.zip": "whatsapp_txt",
    "whatsapp/whatsapp_android_12h_month_first.txt": "whatsapp_txt",
    "whatsapp/whatsapp_android_spanish_am_pm.txt": "whatsapp_txt",
    "whatsapp/whatsapp_ambiguous_day_month.txt": "whatsapp_txt",
    "talkwalker/talkwalker_dotted_columns.csv": "talkwalker",
    "talkwalker/talkwalker_localised_text_cells.xlsx": "talkwalker",
    "meltwater/meltwater_utf16_tabs.csv": "meltwater",
    "sprout_social/sprout_thousands_separators_percent.csv": "sprout_social",
    "brandwatch/brandwatch_preamble_lines.csv": "brandwatch",
}


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    root = tmp_path_factory.mktemp("all") / "client"
    (root / "exports").mkdir(parents=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    for rel in EXPECTED_FORMATS:
        source, target = FIXTURES / rel, root / "exports" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    cfg = load_client("client", root.parent)
    report = ingest_client(cfg)
    return report, load_tables(cfg)


def test_every_new_export_is_recognised_from_its_content_and_adds_up(everything):
    report, tables = everything
    log = report.files.set_index("file")
    for rel, fmt in EXPECTED_FORMATS.items():
        rows = log[log.index.str.startswith(f"exports/{rel}")]
        assert len(rows) >= 1 and set(rows["format"]) == {fmt}, rel
    assert report.balanced
    assert (log["rows_read"] == log["kept"] + log["duplicates"] + log["quarantined"] + log["skipped"]).all()
    assert log["kept"].sum() == len(tables.messages) + len(tables.posts)
    per_file = tables.quarantine.groupby("file").size().reindex(log.index, fill_value=0)
    assert per_file.tolist() == log["quarantined"].tolist()
    Messages.validate(tables.messages, lazy=True)
    Members.validate(tables.members, lazy=True)


def test_overlapping_exports_deduplicate_across_files_and_formats(everything):
    report, tables = everything
    log = report.files.set_index("file")
    parts = log[log.index.str.contains("discord_csv_2019_partitions")]
    semicolon = log.loc["exports/discord/discord_csv_2019_semicolon.csv"]
    # The partitions sort first: every message of the whole-channel file is already there, under the same id.
    assert parts["kept"].sum() == semicolon["duplicates"] == 6 and semicolon["kept"] == 0
    assert (
        log.loc["exports/whatsapp/whatsapp_ios_zip_with_media.zip", "duplicates"] == 6
    )  # the zip of the .txt
    telegram = log.loc["exports/telegram/telegram_single_chat_text_entities.json"]
    assert telegram["duplicates"] == 1  # message 3, read first from the account-wide export
    discourse_json = log.loc["exports/discourse/discourse_topic_posts.json"]
    assert discourse_json["duplicates"] == 3  # 300/1, 300/2, 300/3 came first from the Data Explorer CSV
    tweet = tables.messages[
        (tables.messages[M.platform] == "x") & (tables.messages[M.message_id] == "1845678901234567890")
    ]
    assert len(tweet) == 1  # the same tweet from Brandwatch, Talkwalker, Meltwater and Sprout Social
    assert log.loc["exports/talkwalker/talkwalker_localised_text_cells.xlsx", "kept"] == 0


def test_the_log_reports_assumed_zones_and_the_ambiguous_dates(everything):
    report, _tables = everything
    log = report.files.set_index("file")
    assert log.loc["exports/whatsapp/whatsapp_ios_rtl_marks.txt", "assumed_timezone"] == "Europe/Madrid"
    assert (
        log.loc["exports/discourse/discourse_csv_data_explorer_utc_without_zone.csv", "assumed_timezone"]
        == "UTC"
    )
    assert pd.isna(log.loc["exports/telegram/telegram_single_chat_text_entities.json", "assumed_timezone"])
    assert "read day first" in log.loc["exports/whatsapp/whatsapp_ambiguous_day_month.txt", "error"]
    text = str(report)
    assert "whatsapp_txt" in text and "WhatsApp notice that messages are end-to-end encrypted" in text
