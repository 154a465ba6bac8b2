"""The member-conversation readers (Slack, DiscordChatExporter JSON and CSV, Telegram Desktop) on what the
tools that write those exports really write, beyond the first fixtures: the layouts of older and newer
versions and the writers' own bugs, each in a fixture named after it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from community_health.config import load_client
from community_health.ingest import Probe, ReadContext, detect, ingest_client, load_tables
from community_health.ingest.discord_csv import parse_discord_csv
from community_health.ingest.discord_json import parse_discord_json
from community_health.ingest.slack import parse_slack_export, readable
from community_health.ingest.telegram_json import SKIP_UNSUPPORTED, parse_telegram_json
from community_health.ingest.units import ExportUnit
from community_health.schema import Members, Messages
from test_ingest_conversation_readers import FIXTURES, MADRID, assert_balanced, by_id, read, utc

ROOT = Path(__file__).resolve().parent.parent
DEMO_YML = ROOT / "data" / "demo" / "client.yml"
M = Messages


def slack_files(name: str) -> dict[str, bytes]:
    root = FIXTURES / "slack" / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


NEW_FIXTURES = {
    "slack/slack_special_mentions_with_labels": "slack",
    "discord/discord_json_numeric_types_forwards_crossposts.json": "discord_json",
    "discord/discord_csv_2023_new_usernames_written_0000.csv": "discord_csv",
    "telegram/telegram_control_characters_written_as_x_escapes.json": "telegram_json",
    "telegram/telegram_custom_emoji_document_id_unquoted.json": "telegram_json",
    "telegram/telegram_2019_account_numeric_senders_and_typed_chat_ids.json": "telegram_json",
    "telegram/telegram_2024_account_same_chats_bare_ids.json": "telegram_json",
    "telegram/telegram_unsupported_messages_and_replies_to_other_chats.json": "telegram_json",
}


@pytest.mark.parametrize(("rel", "expected"), NEW_FIXTURES.items())
def test_each_fixture_is_detected_as_its_format(rel, expected):
    path = FIXTURES / rel
    reader = detect(Probe(ExportUnit(path, f"exports/{rel}", path.is_dir())))
    assert reader is not None and reader.name == expected


# --------------------------------------------------------------------------------------------------
# Slack


def test_slack_special_mentions_keep_one_at_and_dates_read_as_the_text_slack_shows():
    result = parse_slack_export(
        slack_files("slack_special_mentions_with_labels"), ReadContext("exports/slack/brightbrew", MADRID)
    )
    assert_balanced(result)
    assert result.error is None and len(result.frame) == 4
    texts = result.frame[M.text].tolist()
    assert texts == [
        "@here the summer menu is live: see the menu",  # <!here|@here>, as older messages write it
        "@channel the tasting moves to Tuesday, June 15th at 6:00 PM",  # <!date^...|fallback>
        "@baristas is the cold brew decaf? cc @Lucía Brightbrew",  # <!subteam^S0BARISTAS|@baristas>
        "@everyone thanks for 1,000 members & counting",
    ]


def test_slack_markup_of_every_special_kind():
    names = {"U1": "Ana"}
    assert readable("<!channel|@channel> <!everyone> <!here>", names) == "@channel @everyone @here"
    assert readable("<!subteam^S1|@eng> <!subteam^S1>", names) == "@eng @subteam"
    assert readable("due <!date^1700000000^{date}|Nov 14>", names) == "due Nov 14"
    assert readable("<@U1|ana> <@U1> <@U9>", names) == "@ana @Ana @U9"


# --------------------------------------------------------------------------------------------------
# DiscordChatExporter


def test_discord_json_types_written_as_numbers_forwards_and_crossposts():
    result = read(parse_discord_json, "discord/discord_json_numeric_types_forwards_crossposts.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (8, 6, 0)
    # DiscordChatExporter writes the types its own list lacks as Discord's numbers ("8", "20", "46")
    assert result.skipped == {
        "Discord UserPremiumGuildSubscription message, not community content": 1,
        "Discord PollResult message, not community content": 1,
    }
    m = by_id(result.frame)
    slash = m.loc["1328000000000000003"]  # "type": "20", a slash command's reply: kept, by a bot
    assert slash[M.author_is_bot] and slash[M.text] == "Today's roast: Guji, washed"
    assert slash[M.kind] == "message"
    answer = m.loc["1328000000000000002"]  # a reply within the channel is still a reply
    assert answer[M.kind] == "reply" and answer[M.parent_id] == "1328000000000000001"
    assert answer[M.created_at] == utc("2025-01-14 09:09:40.2")  # written with the exporter's offset
    forward = m.loc["1328000000000000005"]  # reference.type Forward: answers no one
    assert forward[M.kind] == "message" and pd.isna(forward[M.parent_id])
    assert forward[M.thread_id] == "1328000000000000005"
    assert forward[M.text] == "We are opening a second shop in Valencia on February 1!"
    reply_to_forward = m.loc["1328000000000000006"]
    assert reply_to_forward[M.parent_id] == reply_to_forward[M.thread_id] == "1328000000000000005"
    crosspost = m.loc["1328000000000000007"]  # from a followed channel of another server
    assert crosspost[M.kind] == "message" and pd.isna(crosspost[M.parent_id]) and crosspost[M.author_is_bot]


def test_discord_csv_new_usernames_written_with_0000_are_people_and_webhooks_stay_bots():
    result = read(parse_discord_csv, "discord/discord_csv_2023_new_usernames_written_0000.csv")
    assert_balanced(result)
    assert len(result.frame) == 6 and len(result.quarantine) == 0
    bots = dict(zip(result.frame[M.author_name], result.frame[M.author_is_bot], strict=True))
    assert bots == {
        "ana.brews": False,  # ana.brews#0000: a person whose account took a new username
        "lucia_brightbrew": False,
        "marco": False,  # marco#1234
        "GitHub": True,  # a webhook
        "Shop Orders": True,
        "Deleted User": False,
    }
    assert result.frame[M.created_at].iloc[0] == utc("2023-06-12 07:05")  # 6/13 settles month first


# --------------------------------------------------------------------------------------------------
# Telegram Desktop


def test_telegram_control_characters_written_as_x_escapes_are_read_and_reported():
    rel = "telegram/telegram_control_characters_written_as_x_escapes.json"
    result = read(parse_telegram_json, rel)
    assert_balanced(result)
    assert len(result.frame) == 3 and len(result.quarantine) == 0
    m = by_id(result.frame)
    assert m.loc["1712345678:301", M.text] == "Opening hours\x0bMon–Fri 8–18\x0bSat 9–14"
    # a backslash the member typed before x41 is written \\x41: it stays as typed
    assert m.loc["1712345678:302", M.text] == "Is Sunday closed? My path was C:\\x41 lol"
    assert m.loc["1712345678:302", M.parent_id] == "1712345678:301"
    assert m.loc["1712345678:303", M.text] == "Pasted from the menu:\x0cGuji\x01washed"
    assert result.error == (
        f"exports/{rel} is not valid JSON as Telegram Desktop wrote it: 8 control characters written as "
        "\\x escapes, which JSON does not allow, read as the characters they stand for."
    )


def test_telegram_custom_emoji_ids_written_without_quotes_are_read_and_reported():
    rel = "telegram/telegram_custom_emoji_document_id_unquoted.json"
    result = read(parse_telegram_json, rel)
    assert_balanced(result)
    assert len(result.frame) == 3 and len(result.quarantine) == 0
    assert result.frame[M.text].tolist() == ["😮 the new roast is wild", "😮😮", "Glad you like it!"]
    assert "6 custom emoji ids written without quotes (Telegram Desktop 4.1.1), read as text" in result.error


def test_telegram_file_still_not_json_once_mended_is_refused_as_it_is():
    data = (FIXTURES / "telegram/telegram_control_characters_written_as_x_escapes.json").read_bytes()
    result = parse_telegram_json(data[: len(data) // 2], ReadContext("exports/result.json", MADRID))
    assert result.rows_read == 0 and len(result.frame) == 0
    assert "result.json is not valid JSON (Invalid \\escape" in result.error


def test_telegram_2019_and_2024_exports_of_the_same_chats_give_the_same_rows():
    old = read(parse_telegram_json, "telegram/telegram_2019_account_numeric_senders_and_typed_chat_ids.json")
    new = read(parse_telegram_json, "telegram/telegram_2024_account_same_chats_bare_ids.json")
    for result in (old, new):
        assert_balanced(result)
        assert len(result.quarantine) == 0 and result.error is None
    assert old.assumed_timezone == MADRID and new.assumed_timezone is None  # 2019: no date_unixtime
    assert len(old.frame) == 5 and len(new.frame) == 6
    columns = [M.message_id, M.channel, M.thread_id, M.parent_id, M.author_id, M.author_name, M.kind]
    columns += [M.created_at, M.text]
    shared = by_id(new.frame).loc[old.frame[M.message_id], columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(old.frame[columns].reset_index(drop=True), shared)
    o = by_id(old.frame)
    assert o.loc["1712345678:13", M.author_id] == "user5000"  # "from_id": 5000
    post = o.loc["1755555555:3"]  # a channel's post, written with no sender before 2021
    assert (post[M.author_id], post[M.author_name]) == ("channel1755555555", "Brightbrew News")
    assert o.loc["5001:90", M.channel] == "Marco Rossi"  # a person's chat: 4294967296 + 5001


def test_telegram_ids_of_exports_since_2021_are_kept_whatever_their_size():
    # people's ids pass 2**32 since 2021; only a chat with no sender written as text has typed ids
    def chat(cid: int, kind: str, sender: str) -> dict:
        message = {"id": 1, "type": "message", "date": "2024-01-02T10:00:00", "date_unixtime": "1704186000"}
        return {
            "name": "c",
            "type": kind,
            "id": cid,
            "messages": [message | {"from": "x", "from_id": sender}],
        }

    doc = {"chats": {"list": [chat(5_000_000_001, "personal_chat", "user5000000001")]}}
    doc["chats"]["list"].append(chat((2 << 32) + 7, "public_channel", "channel8589934599"))
    result = parse_telegram_json(json.dumps(doc).encode(), ReadContext("exports/result.json", MADRID))
    assert result.frame[M.message_id].tolist() == ["5000000001:1", "8589934599:1"]
    assert result.frame[M.author_id].tolist() == ["user5000000001", "channel8589934599"]


def test_telegram_unsupported_messages_are_skipped_and_replies_to_other_chats_point_there():
    rel = "telegram/telegram_unsupported_messages_and_replies_to_other_chats.json"
    result = read(parse_telegram_json, rel)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 3, 0)
    assert result.skipped == {SKIP_UNSUPPORTED: 1}
    m = by_id(result.frame)
    comment = m.loc["1712345678:501"]  # answers post 88 of the channel, not message 88 of this group
    assert comment[M.parent_id] == comment[M.thread_id] == "1755555555:88"
    assert m.loc["1712345678:503", M.thread_id] == "1755555555:88"
    assert m.loc["1712345678:504", M.parent_id] == "5000:7"  # a message of a person's chat


def test_an_old_and_a_new_telegram_export_of_the_same_chats_deduplicate_when_ingested(tmp_path):
    root = tmp_path / "client"
    exports = root / "exports" / "telegram"
    exports.mkdir(parents=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    for name in (
        "telegram_2019_account_numeric_senders_and_typed_chat_ids.json",
        "telegram_2024_account_same_chats_bare_ids.json",
    ):
        shutil.copy(FIXTURES / "telegram" / name, exports / name)
    cfg = load_client("client", tmp_path)
    report = ingest_client(cfg)
    log = report.files.set_index("file")
    assert log["duplicates"].sum() == 5  # every message of 2019 is in the 2024 export too
    tables = load_tables(cfg)
    telegram = tables.messages[tables.messages[M.platform] == "telegram"]
    assert len(telegram) == 6
    members = tables.members[tables.members[Members.platform] == "telegram"]
    assert sorted(members[Members.author_id]) == ["channel1755555555", "user5000", "user5001", "user5002"]


@pytest.mark.parametrize("odd", [{"kind": "group"}, ["public_channel"], 2, None])
def test_telegram_2019_chat_whose_type_is_not_text_is_still_read(odd):
    """A chat of an export from before 2021 whose ``type`` is an object, a list or a number: its ids are
    read as the other chats' are, and nothing raises."""
    doc = json.loads(
        (FIXTURES / "telegram/telegram_2019_account_numeric_senders_and_typed_chat_ids.json").read_bytes()
    )
    doc["chats"]["list"][0]["type"] = odd
    result = parse_telegram_json(json.dumps(doc).encode(), ReadContext("exports/result.json", MADRID))
    assert_balanced(result)
    assert len(result.frame) > 0
