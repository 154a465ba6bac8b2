"""Member-conversation readers on fixtures of real layouts named after the quirk they hold:
DiscordChatExporter CSV, Discourse Data Explorer CSV, Reddit Pushshift dumps, Telegram Desktop, Mastodon
outbox, WhatsApp."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from community_health.ingest import Probe, ReadContext, ReadResult, detect
from community_health.ingest.discord_csv import channel_from_name, parse_discord_csv, reaction_total
from community_health.ingest.discord_json import parse_discord_json
from community_health.ingest.discourse_csv import parse_discourse_csv
from community_health.ingest.discourse_json import parse_discourse_json
from community_health.ingest.localdates import SettledBy, day_month_order, split_numeric
from community_health.ingest.mastodon_outbox import SKIP_BOOST, SKIP_DIRECT, handle_of, parse_mastodon_outbox
from community_health.ingest.reddit_jsonl import parse_reddit_jsonl
from community_health.ingest.slack import parse_slack_export
from community_health.ingest.telegram_json import message_text, parse_telegram_json
from community_health.ingest.units import ExportUnit
from community_health.ingest.whatsapp_txt import (
    SKIP_DELETED,
    SKIP_ENCRYPTION,
    SKIP_MEMBERSHIP,
    SKIP_SETTINGS,
    author_key,
    chat_name,
    message_body,
    parse_whatsapp_txt,
)
from community_health.schema import Messages

FIXTURES = Path(__file__).parent / "fixtures"
MADRID = "Europe/Madrid"
M = Messages


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(parse, relpath: str, timezone: str = MADRID, mapping: dict[str, str] | None = None) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes()
    return parse(data, ReadContext(f"exports/{relpath}", timezone, mapping or {}))


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(M.message_id, drop=False)


def assert_balanced(result: ReadResult) -> None:
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total
    Messages.validate(result.frame, lazy=True)


# --------------------------------------------------------------------------------------------------
# DiscordChatExporter CSV

PARTS = "discord/discord_csv_2019_partitions/Brightbrew Coffee Club - general [520000000000000001]"


def test_discord_csv_current_comma_layout_local_us_dates_reactions_and_repeated_messages():
    result = read(parse_discord_csv, "discord/discord_csv_current_comma.csv")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (8, 7, 0)
    assert result.skipped == {
        "Discord message without text or attachments (webhook or embed-only; CSV leaves embeds out)": 1
    }
    assert result.assumed_timezone == MADRID and result.error is None  # "1/13/2023" settles month first
    m = result.frame.set_index(M.source_row)
    first = m.loc[2]
    assert first[M.author_id] == "311111111111111111" and first[M.author_name] == "marco.rossi"
    assert first[M.created_at] == utc("2023-01-13 13:22")  # 2:22 PM in Madrid (CET, +1)
    assert first[M.reactions] == 4 and first[M.kind] == "message"
    assert first[M.thread_id] == first[M.message_id] and pd.isna(first[M.parent_id])
    assert first[M.message_id].startswith("csv:") and first[M.platform] == "discord"
    assert m.loc[3, M.author_name] == "Lucía" and m.loc[3, M.text].endswith(
        '"slow" pour.\nIt shines as a pour-over.'
    )
    assert pd.isna(m.loc[5, M.text])  # an image only: kept, no text
    assert m.loc[6, M.author_name] == "Deleted User" and not m.loc[6, M.author_is_bot]
    # Two identical "ok" in the same minute are two messages with distinct, stable ids.
    assert m.loc[8, M.message_id] == m.loc[7, M.message_id] + "~2"


def test_discord_csv_2019_semicolon_trailing_separator_local_time_webhooks_and_bad_date():
    result = read(parse_discord_csv, "discord/discord_csv_2019_semicolon.csv")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine), result.skipped_total) == (8, 6, 1, 1)
    assert result.assumed_timezone == MADRID
    m = result.frame.set_index(M.source_row)
    assert m.loc[2, M.created_at] == utc("2019-12-04 23:31")  # 05-Dec-19 12:31 AM in Madrid
    assert m.loc[2, M.reactions] == 3 and m.loc[2, M.author_name] == "marco"
    assert m.loc[3, M.text] == "Same here!\nDecaf though 😅"
    hook = m.loc[5]
    assert hook[M.author_is_bot] and hook[M.author_name] == "Captain Hook"  # a webhook (#0000)
    assert not m.loc[7, M.author_is_bot]  # Deleted User#0000 is not a bot
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (8, "Date")
    assert q["reason"] == (
        'exports/discord/discord_csv_2019_semicolon.csv row 8, field "Date": expected a date like '
        '05-Dec-19 12:31 AM or 1/5/2023 2:22 PM, got "yesterday"'
    )


def test_discord_csv_partitions_share_ids_with_the_whole_channel_and_name_the_channel():
    whole = read(parse_discord_csv, "discord/discord_csv_2019_semicolon.csv")
    part1 = read(parse_discord_csv, f"{PARTS} [part 1].csv")
    part2 = read(parse_discord_csv, f"{PARTS} [part 2].csv")
    for part in (part1, part2):
        assert_balanced(part)
        assert set(part.frame[M.channel]) == {"general"}
    parts = set(part1.frame[M.message_id]) | set(part2.frame[M.message_id])
    assert parts == set(whole.frame[M.message_id])  # the same messages, the same ids


def test_discord_csv_file_names_and_reactions():
    assert channel_from_name("exports/Guild - Category - brew-talk [1045000000000000010] [part 3].csv") == (
        "brew-talk",
        "1045000000000000010",
    )
    assert channel_from_name("exports/my export.csv") == ("my export", None)
    assert reaction_total("😄 (2),👌 (1)") == 3 and reaction_total("") == 0 and reaction_total(None) == 0


def test_discord_csv_day_first_locale_is_settled_by_time_order():
    text = (
        '"AuthorID","Author","Date","Content","Attachments","Reactions"\n'
        '"1","a","12/01/2023 23:50","one","",""\n'
        '"1","a","01/02/2023 00:10","two","",""\n'
        '"2","b","02/02/2023 08:00","three","",""\n'
    )
    result = parse_discord_csv(text.encode(), ReadContext("exports/uk.csv", "America/New_York"))
    # Read month first (the New York convention) the messages would go from 1 December back to 2 January.
    assert result.frame[M.created_at].dt.month.tolist() == [1, 2, 2] and result.error is None


# --------------------------------------------------------------------------------------------------
# Discourse Data Explorer CSV


def test_discourse_csv_ids_threads_and_skips_match_the_json_reader():
    result = read(parse_discourse_csv, "discourse/discourse_csv_data_explorer_utc_without_zone.csv")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (9, 6, 1)
    assert result.skipped == {
        "Discourse small action (topic closed, pinned, moved), not community content": 1,
        "Discourse post deleted by its author or a moderator": 1,
    }
    assert result.assumed_timezone == "UTC"  # Discourse writes UTC without saying so
    m = by_id(result.frame)
    assert m.loc["300/1", M.kind] == "post" and pd.isna(m.loc["300/1", M.parent_id])
    assert m.loc["300/1", M.author_is_brand]  # staff = t
    assert m.loc["300/2", M.kind] == "comment" and m.loc["300/2", M.parent_id] == "300/1"
    assert m.loc["300/3", M.kind] == "reply" and m.loc["300/3", M.parent_id] == "300/2"
    assert m.loc["300/3", M.thread_id] == "300/1" and m.loc["300/3", M.channel] == "7"
    assert m.loc["300/2", M.created_at] == utc("2024-04-01 12:30:00.123456")
    assert m.loc["310/3", M.created_at] == utc("2024-04-02 09:01:10")  # "+00" kept
    assert m.loc["310/6", M.author_is_bot] and m.loc["310/6", M.parent_id] == "310/4"  # discobot: user_id -2
    assert m.loc["300/1", M.reactions] == 10 and m.loc["300/1", M.comments] == 2
    assert m.loc["300/3", M.text] == "Same beans here,\nbut as espresso: too sharp for me."
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (9, "created_at") and 'got "last tuesday"' in q["reason"]
    assert q["reason"].startswith("exports/discourse/discourse_csv_data_explorer_utc_without_zone.csv row 9")


def test_discourse_csv_renamed_columns_need_the_client_mapping():
    rel = "discourse/discourse_csv_renamed_columns_mapping.csv"
    refused = read(parse_discourse_csv, rel)
    assert refused.rows_read == 0 and "column_mappings: discourse_csv" in refused.error
    mapping = {
        "Topic": "topic_id",
        "Post #": "post_number",
        "In reply to": "reply_to_post_number",
        "Posted by": "username",
        "Posted at (UTC)": "created_at",
        "Category": "category_name",
        "Post": "raw",
    }
    result = read(parse_discourse_csv, rel, mapping=mapping)
    assert_balanced(result)
    m = by_id(result.frame)
    assert list(m.index) == ["310/3", "310/7"]
    assert m.loc["310/7", M.parent_id] == "310/3" and m.loc["310/7", M.channel] == "Gear"


def test_discourse_csv_missing_post_number_refuses_the_file_and_counts_every_row():
    text = "topic_id,created_at,username,raw\n1,2024-01-01 10:00:00,a,hi\n1,2024-01-01 11:00:00,b,yo\n"
    header_only = parse_discourse_csv(text.encode(), ReadContext("exports/q.csv"))
    assert header_only.rows_read == 0 and header_only.error is not None  # not recognised as a posts query
    text = "topic_id,post_number,created_at,raw\n1,1,2024-01-01 10:00:00,hi\n1,x,2024-01-01 11:00:00,yo\n"
    result = parse_discourse_csv(text.encode(), ReadContext("exports/q.csv"))
    assert_balanced(result)
    assert len(result.frame) == 0 and len(result.quarantine) == 2  # no author column: every row says so
    assert set(result.quarantine["field"]) == {"username", "post_number"}


# --------------------------------------------------------------------------------------------------
# Reddit


def test_reddit_eras_created_utc_types_fullnames_and_kinds():
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_eras_mixed.jsonl")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), result.skipped_total) == (6, 6, 0)
    m = by_id(result.frame)
    post = m.loc["t3_bj1x2y"]
    assert post[M.kind] == "post" and post[M.thread_id] == "t3_bj1x2y" and pd.isna(post[M.parent_id])
    assert (
        post[M.text]
        == "Brightbrew Guji, worth it?\n\nThinking of ordering the Guji from Brightbrew. Anyone tried it?"
    )
    assert post[M.comments] == 3 and post[M.reactions] == 42 and post[M.channel] == "r/Coffee"
    assert post[M.created_at] == utc("2019-05-01 00:00:00")  # an int
    comment = m.loc["t1_em8k1a"]  # no "name" in that era: built from the id
    assert comment[M.kind] == "comment" and comment[M.parent_id] == "t3_bj1x2y"
    reply = m.loc["t1_em8z9q"]  # a float created_utc and a _meta block
    assert (
        reply[M.kind] == "reply" and reply[M.parent_id] == "t1_em8k1a" and reply[M.thread_id] == "t3_bj1x2y"
    )
    assert reply[M.created_at] == utc("2019-05-01 01:50:00")
    old = m.loc["t1_c13"]  # 2005: created_utc as a string, no permalink
    assert old[M.created_at] == utc("2005-12-12 05:26:28") and old[M.channel] == "r/reddit.com"
    assert old[M.url] == "https://www.reddit.com/r/reddit.com/comments/17/_/c13/"
    assert m.loc["t1_em7aaa", M.author_is_bot]  # AutoModerator
    assert pd.isna(m.loc["t1_em9bbb", M.reactions])  # a negative score is not a count
    assert m.loc["t1_em8k1a", M.url].endswith("/brightbrew_guji_worth_it/em8k1a/")


def test_reddit_deleted_and_removed_content_is_skipped_and_a_cut_line_quarantined():
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_deleted_and_removed.jsonl")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (
        6,
        1,
        2,
    )  # the blank line is no row
    assert result.skipped == {
        "Reddit comment deleted by its author": 1,
        "Reddit comment removed by a moderator": 1,
        "Reddit post deleted by its author": 1,
    }
    kept = result.frame.iloc[0]
    assert kept[M.author_id] == "[deleted]" and pd.isna(kept[M.author_name])  # content kept, account gone
    q = result.quarantine.set_index("row")
    assert q.loc[6, "field"] == "(element)" and q.loc[6, "reason"].startswith(
        "exports/reddit/reddit_pushshift_deleted_and_removed.jsonl line 6"
    )
    assert q.loc[7, "field"] == "created_utc" and "got nothing" in q.loc[7, "reason"]


def test_reddit_api_page_of_objects_is_read_too():
    doc = {
        "data": [json.loads(line) for line in (FIXTURES / "reddit/reddit_pushshift_eras_mixed.jsonl").open()]
    }
    result = parse_reddit_jsonl(json.dumps(doc).encode(), ReadContext("exports/api.json"))
    assert len(result.frame) == 6 and "t1_em8z9q" in set(result.frame[M.message_id])


# --------------------------------------------------------------------------------------------------
# Telegram


def test_telegram_text_arrays_replies_service_messages_and_unix_dates():
    result = read(parse_telegram_json, "telegram/telegram_single_chat_text_entities.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (9, 5, 1)
    assert result.skipped == {
        "Telegram service message (create_group), not community content": 1,
        "Telegram service message (join_group_by_link), not community content": 1,
        "Telegram service message (pin_message), not community content": 1,
    }
    assert result.assumed_timezone is None  # date_unixtime everywhere
    m = by_id(result.frame)
    first = m.loc["1712345678:3"]
    assert first[M.text] == "Has anyone tried the new Guji beans? Details: https://brightbrew.example/guji 👏"
    assert first[M.created_at] == utc("2023-01-25 07:14:03") and first[M.reactions] == 4
    assert first[M.author_id] == "user5001" and first[M.channel] == "Brightbrew Coffee Club"
    answer = m.loc["1712345678:5"]
    assert answer[M.parent_id] == "1712345678:4" and answer[M.thread_id] == "1712345678:3"
    assert answer[M.kind] == "reply" and pd.isna(answer[M.reactions])  # no reactions list: absent
    assert m.loc["1712345678:4", M.reactions] == 0  # an empty list: none
    assert pd.isna(m.loc["1712345678:6", M.text])  # a photo without caption
    assert pd.isna(m.loc["1712345678:8", M.author_name])  # a deleted account
    assert (
        m.loc["1712345678:8", M.thread_id] == "1712345678:2"
    )  # answers a service message: the chain ends there
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (9, "date") and 'got "someday"' in q["reason"]


def test_telegram_account_wide_export_local_dates_and_overlap_with_the_chat_export():
    result = read(parse_telegram_json, "telegram/telegram_account_wide_local_dates.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame)) == (5, 4)
    assert result.skipped == {"Telegram service message (phone_call), not community content": 1}
    assert result.assumed_timezone == MADRID  # no date_unixtime in this older export
    m = by_id(result.frame)
    single = by_id(read(parse_telegram_json, "telegram/telegram_single_chat_text_entities.json").frame)
    assert (
        m.loc["1712345678:3", M.created_at] == single.loc["1712345678:3", M.created_at]
    )  # same id, same time
    assert m.loc["5001:1202", M.parent_id] == "5001:1201" and m.loc["5001:1202", M.channel] == "Marco Rossi"
    assert set(result.frame[M.source_row]) == {1, 2, 3, 4}  # counted across chats


def test_telegram_text_shapes():
    assert message_text("plain") == "plain"
    assert message_text(["a ", {"type": "link", "text": "x.y"}, {"type": "custom_emoji"}]) == "a x.y"
    assert message_text("") is None and message_text([]) is None and message_text(None) is None


def test_telegram_file_without_chats_is_refused():
    result = parse_telegram_json(b'{"about": "nothing"}', ReadContext("exports/result.json"))
    assert result.rows_read == 0 and "Telegram" in result.error


# --------------------------------------------------------------------------------------------------
# Mastodon


def test_mastodon_duplicated_ordered_items_boosts_and_replies():
    result = read(parse_mastodon_outbox, "mastodon/mastodon_outbox_duplicated_ordered_items.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (8, 4, 1)
    assert result.skipped == {SKIP_BOOST: 2, "Mastodon deleted status (Tombstone)": 1}
    m = by_id(result.frame)
    base = "https://mastodon.social/users/brightbrew/statuses/"
    post = m.loc[base + "109740000000000001"]
    assert post[M.kind] == "post" and post[M.author_id] == "brightbrew@mastodon.social"
    assert post[M.channel] == "@brightbrew@mastodon.social" and post[M.author_name] == "brightbrew"
    assert (post[M.reactions], post[M.shares]) == (12, 4)
    assert post[M.url] == "https://mastodon.social/@brightbrew/109740000000000001"
    tip = m.loc[base + "109740000000000002"]
    assert tip[M.kind] == "comment" and tip[M.thread_id] == base + "109740000000000001"
    assert tip[M.text] == "Tip: 1:16 & a slow pour.\nWorks for V60 and Kalita."
    outside = m.loc[base + "109740000000000003"]
    external = "https://fosstodon.org/users/marco/statuses/109739999999999999"
    assert outside[M.kind] == "reply" and outside[M.parent_id] == outside[M.thread_id] == external
    assert outside[M.text] == "@marco sorry about the bag, DM us your order number."
    assert m.loc[base + "109740000000000005", M.text].startswith(
        "pricing\n\nHonest answer"
    )  # content warning first
    assert pd.isna(m.loc[base + "109740000000000005", M.reactions])  # absent, not zero
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (8, "object.published")


def test_mastodon_real_items_are_kept_whichever_ordered_items_comes_first():
    text = (FIXTURES / "mastodon/mastodon_outbox_duplicated_ordered_items.json").read_text(encoding="utf-8")
    swapped = (
        text.replace('  "orderedItems": [],\n', "", 1).rstrip().removesuffix("}")
        + ',\n  "orderedItems": []\n}\n'
    )
    assert json.loads(swapped)["orderedItems"] == []  # what a plain JSON parser would keep
    result = parse_mastodon_outbox(swapped.encode(), ReadContext("exports/outbox.json"))
    assert len(result.frame) == 4 and result.rows_read == 8


def test_mastodon_handles():
    assert handle_of("https://mastodon.social/users/brightbrew") == (
        "brightbrew@mastodon.social",
        "brightbrew",
    )
    assert handle_of({"id": "https://x.y/@ana"}) == ("ana@x.y", "ana")


# --------------------------------------------------------------------------------------------------
# WhatsApp


def test_whatsapp_ios_marks_system_lines_phone_senders_media_and_multiline_messages():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ios_rtl_marks.txt")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (11, 6, 0)
    assert result.skipped == {
        SKIP_ENCRYPTION: 1,
        SKIP_SETTINGS: 1,
        SKIP_MEMBERSHIP: 2,
        SKIP_DELETED: 1,
    }
    assert result.assumed_timezone == MADRID and result.error is None  # 13/02 settles day first
    m = result.frame.set_index(M.source_row)
    assert set(result.frame[M.channel]) == {"Brightbrew Club"}  # the group named in its system lines
    assert m.loc[4, M.author_id] == "Marco Rossi" and m.loc[4, M.created_at] == utc("2023-01-25 07:14:03")
    phone = m.loc[5]
    assert phone[M.author_id] == "+34600123456" and phone[M.author_name] == "+34 600 12 34 56"
    assert phone[M.text] == "Yes!\nIt's great as a pour-over 👏\n\nTry 1:16."
    assert pd.isna(m.loc[9, M.text]) and pd.isna(m.loc[10, M.text])  # <attached: ...> and image omitted
    assert m.loc[12, M.author_id] == "مريم" and m.loc[12, M.text] == "أحب هذه القهوة ☕"  # RLM removed
    assert m.loc[13, M.text] == "Same here, love it"  # <This message was edited> removed
    assert all(r[M.thread_id] == r[M.message_id] and r[M.kind] == "message" for _, r in m.iterrows())


def test_whatsapp_android_12_hour_month_first_media_and_a_subject_with_a_colon():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_android_12h_month_first.txt")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (12, 5, 1)
    assert result.skipped == {SKIP_ENCRYPTION: 1, SKIP_SETTINGS: 2, SKIP_MEMBERSHIP: 2, SKIP_DELETED: 1}
    m = result.frame.set_index(M.source_row)
    assert m.loc[5, M.text] == "Yes! Two tips:\n1. grind medium-fine\n2. 94°C water"
    assert m.loc[12, M.created_at] == utc("2023-01-26 20:02")  # 9:02 PM in Madrid
    assert m.loc[9, M.message_id] == m.loc[8, M.message_id] + "~2"  # two photos in the same minute
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (14, "date")
    assert q["reason"] == (
        'exports/whatsapp/whatsapp_android_12h_month_first.txt line 14, field "date": expected a date and '
        'time like 25/01/2023, 08:14 or 1/25/23, 8:14 AM, got "1/26/23, 13:99 PM"'
    )


def test_whatsapp_android_spanish_a_m_p_m_with_no_break_spaces():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_android_spanish_am_pm.txt")
    assert_balanced(result)
    assert (len(result.frame), result.skipped_total) == (4, 3)
    m = result.frame.set_index(M.source_row)
    assert m.loc[4, M.created_at] == utc("2023-01-25 11:15")  # 12:15 p. m.
    assert m.loc[7, M.created_at] == utc("2023-01-25 23:05")  # 12:05 a. m. on the 26th
    assert pd.isna(m.loc[5, M.text])  # <Multimedia omitido>


def test_whatsapp_ambiguous_day_month_is_read_one_way_for_the_whole_file_and_reported():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ambiguous_day_month.txt")
    assert_balanced(result)
    assert result.frame[M.created_at].dt.month.tolist() == [4, 5, 5]  # day first, as usual in Madrid
    assert (
        "'03/04/2023, 09:00'" in result.error and "read day first (usual for Europe/Madrid)" in result.error
    )
    us = read(parse_whatsapp_txt, "whatsapp/whatsapp_ambiguous_day_month.txt", timezone="America/Chicago")
    assert us.frame[M.created_at].dt.month.tolist() == [3, 3, 4] and "month first" in us.error


def test_whatsapp_zip_with_media_reads_its_transcript_with_the_same_ids():
    data = (FIXTURES / "whatsapp/whatsapp_ios_rtl_marks.txt").read_bytes()
    with zipfile.ZipFile(FIXTURES / "whatsapp/whatsapp_ios_zip_with_media.zip") as z:
        assert z.read("_chat.txt") == data
    from community_health.ingest.units import ExportUnit
    from community_health.ingest.whatsapp_txt import READER

    zipped = READER.read(
        ExportUnit(FIXTURES / "whatsapp/whatsapp_ios_zip_with_media.zip", "exports/w.zip"),
        ReadContext("exports/w.zip"),
    )
    plain = parse_whatsapp_txt(data, ReadContext("exports/w.txt"))
    assert zipped.frame[M.message_id].tolist() == plain.frame[M.message_id].tolist()


def test_whatsapp_lines_before_the_first_message_are_quarantined():
    text = "exported by a tool\n25/01/2023, 08:14 - Ana: hola\n"
    result = parse_whatsapp_txt(text.encode(), ReadContext("exports/chat.txt"))
    assert_balanced(result)
    assert len(result.frame) == 1 and result.quarantine["row"].tolist() == [1]
    assert "no message comes before it" in result.quarantine["reason"].iloc[0]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("exports/WhatsApp Chat with Brightbrew Club.txt", "Brightbrew Club"),
        ("exports/WhatsApp Chat - Brightbrew Club (1).zip", "Brightbrew Club"),
        ("exports/Chat de WhatsApp con Marta.txt", "Marta"),
        ("exports/_chat.txt", None),
    ],
)
def test_whatsapp_chat_names_from_file_names(path, name):
    assert chat_name(path) == name


def test_whatsapp_senders_and_bodies():
    assert author_key("+34 600 12 34 56") == "+34600123456" and author_key("Ana López") == "Ana López"
    assert message_body("IMG-20230125-WA0001.jpg (file attached)\nLook at this") == "Look at this"
    assert message_body("<Media omitted>") is None
    assert message_body("so good <This message was edited>") == "so good"


# --------------------------------------------------------------------------------------------------
# Day and month


def test_day_month_order_by_values_by_time_order_and_by_convention():
    by_values = split_numeric(["25/01/2023, 08:14", "03/02/2023, 09:00"])
    order, naive = day_month_order(by_values, chronological=False, month_first=True)
    assert order.day_first and order.settled_by is SettledBy.VALUES and naive[1].month == 2
    by_time = split_numeric(["12/01/2023 23:50", "01/02/2023 00:10", "02/02/2023 08:00"])
    order, _ = day_month_order(by_time, chronological=True, month_first=True)
    assert order.day_first and order.settled_by is SettledBy.TIME_ORDER
    neither = split_numeric(["03/04/2023 10:00"])
    order, _ = day_month_order(neither, chronological=True, month_first=True)
    assert (
        not order.day_first
        and order.settled_by is SettledBy.CONVENTION
        and order.example == "03/04/2023 10:00"
    )
    year_first = split_numeric(["2023-01-25 08:14"])
    assert (
        day_month_order(year_first, chronological=False, month_first=True)[0].settled_by
        is SettledBy.YEAR_FIRST
    )


def test_discord_csv_dates_with_an_offset_are_not_assumed():
    text = (
        '"AuthorID","Author","Date","Content","Attachments","Reactions"\n'
        '"1","a","2023-01-05T14:22:25.25+00:00","one","","☕ (1)"\n'
    )
    result = parse_discord_csv(text.encode(), ReadContext("exports/utc.csv", MADRID))
    assert (
        result.frame[M.created_at].iloc[0] == utc("2023-01-05 14:22:25.25")
        and result.assumed_timezone is None
    )


def test_mastodon_archive_zip_reads_its_outbox_and_the_display_name():
    from community_health.ingest import Probe, detect
    from community_health.ingest.units import ExportUnit

    unit = ExportUnit(FIXTURES / "mastodon/mastodon_archive_zip_with_actor.zip", "exports/archive.zip")
    reader = detect(Probe(unit))
    assert reader is not None and reader.name == "mastodon_outbox"
    zipped = reader.read(unit, ReadContext("exports/archive.zip"))
    plain = read(parse_mastodon_outbox, "mastodon/mastodon_outbox_duplicated_ordered_items.json")
    assert zipped.frame[M.message_id].tolist() == plain.frame[M.message_id].tolist()
    assert set(zipped.frame[M.author_name]) == {"Brightbrew Coffee"}  # from actor.json
    assert set(zipped.frame[M.author_id]) == {"brightbrew@mastodon.social"}


def test_discord_csv_unix_and_unixms_dates_are_utc_instants_sharing_ids():
    # DiscordChatExporter's --dateformat unix / unixms write the instant as Unix seconds or milliseconds,
    # under the current header (unquoted). No zone is assumed.
    seconds = read(parse_discord_csv, "discord/discord_csv_unix_seconds_dates.csv")
    millis = read(parse_discord_csv, "discord/discord_csv_unixms_dates.csv")
    for result in (seconds, millis):
        assert_balanced(result)
        assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
        assert result.assumed_timezone is None and result.error is None
        m = result.frame.set_index(M.source_row)
        assert m.loc[2, M.created_at] == utc("2024-03-05 14:22:00")
        assert m.loc[3, M.reactions] == 2
    assert millis.frame.set_index(M.source_row).loc[3, M.created_at] == utc("2024-03-05 14:25:00.250")
    assert seconds.frame[M.message_id].iloc[0] == millis.frame[M.message_id].iloc[0]


def test_reddit_html_entities_of_body_title_and_selftext_are_decoded_once():
    # Reddit (and so Pushshift) writes the markdown's <, > and & as &lt;, &gt; and &amp;.
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_html_entities.jsonl")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
    m = by_id(result.frame)
    assert m.loc["t1_cnas8zv", M.text] == (
        "> Is a burr grinder worth it?\n\nYes. R&D on blades stopped in 1995 <3\n\n&#x200B;"
    )
    assert m.loc["t3_1009xyz", M.text] == "Q&A thread\n\nFish & chips > coffee?"


def test_telegram_forum_messages_pointing_at_their_topic_are_in_its_thread_and_answer_no_one():
    # In a forum export every message posted in a topic has reply_to_message_id = the topic's creation
    # (a service message with action "topic_created"); a reply inside the topic points at its message.
    result = read(parse_telegram_json, "telegram/telegram_forum_topic_messages.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine), result.skipped_total) == (4, 3, 0, 1)
    m = by_id(result.frame)
    question = m.loc["1980290791:6"]
    assert question[M.kind] == "message" and pd.isna(question[M.parent_id])
    assert question[M.thread_id] == "1980290791:5"
    answer = m.loc["1980290791:7"]
    assert (answer[M.kind], answer[M.parent_id], answer[M.thread_id]) == (
        "reply",
        "1980290791:6",
        "1980290791:5",
    )
    assert m.loc["1980290791:8", M.kind] == "message" and pd.isna(m.loc["1980290791:8", M.parent_id])


def test_whatsapp_ios_german_media_placeholders_missed_calls_and_a_sender_who_is_not_a_contact():
    # German iOS: "<Anhang: ...>", "Bild weggelassen", "Verpasster Sprachanruf"; newer exports show a sender
    # who is not in the phone's contacts as "~ Name" (narrow no-break space).
    result = read(
        parse_whatsapp_txt,
        "whatsapp/whatsapp_ios_de_anhang_weggelassen_tilde_sender.txt",
        timezone="Europe/Berlin",
    )
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (11, 7, 0)
    assert result.skipped == {
        SKIP_ENCRYPTION: 1,
        "WhatsApp missed call notice, not community content": 2,
        SKIP_DELETED: 1,
    }
    m = result.frame.set_index(M.source_row)
    assert set(m[M.channel]) == {"Brightbrew Club"}
    assert (m.loc[4, M.author_id], m.loc[4, M.author_name]) == ("Lena", "Lena")
    assert m.loc[5, M.author_id] == "Jonas Weber" and pd.isna(m.loc[5, M.text])  # <Anhang: ...>
    assert pd.isna(m.loc[6, M.text]) and pd.isna(m.loc[7, M.text])  # Bild / Sticker weggelassen
    assert m.loc[11, M.text] == "Kaffee ist fertig\nkommt runter!"
    assert m.loc[2, M.created_at] == utc("2024-12-31 22:59:59")  # 23:59:59 in Berlin


def test_whatsapp_ios_spanish_imagen_omitida_and_dashed_dates():
    # Spanish iOS writes "imagen omitida" (feminine), "audio omitido", "GIF omitido"; dates 12-03-24.
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ios_es_imagen_omitida_dashed_dates.txt")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (7, 5, 0)
    m = result.frame.set_index(M.source_row)
    assert set(m[M.channel]) == {"Cafetería Luz"}
    assert pd.isna(m.loc[3, M.text]) and pd.isna(m.loc[4, M.text]) and pd.isna(m.loc[5, M.text])
    assert m.loc[2, M.created_at] == utc("2024-03-12 08:16:40")  # 9:16:40 a. m. in Madrid
    assert m.loc[7, M.created_at] == utc("2024-03-13 12:05:44")  # 1:05:44 p. m.


def test_whatsapp_android_pt_br_media_hidden_missed_call_and_date_without_comma():
    # pt-BR Android: "08/02/18 14:42 - " (no comma), "<Arquivo de mídia oculto>" (older) and "<Mídia oculta>",
    # a missed call written as the caller's own unmarked message, "Mensagem apagada".
    fixture = "whatsapp/whatsapp_android_pt_br_midia_oculta_no_comma.txt"
    result = read(parse_whatsapp_txt, fixture, timezone="America/Sao_Paulo")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (9, 6, 0)
    assert result.skipped == {
        SKIP_ENCRYPTION: 1,
        "WhatsApp missed call notice, not community content": 1,
        SKIP_DELETED: 1,
    }
    m = result.frame.set_index(M.source_row)
    assert m.loc[2, M.created_at] == utc("2018-02-08 16:42")  # 14:42 in Sao Paulo (summer time, -2)
    assert pd.isna(m.loc[3, M.text]) and pd.isna(m.loc[4, M.text]) and pd.isna(m.loc[5, M.text])
    assert m.loc[9, M.created_at] == utc("2018-02-13 11:00")  # 13/02: day first


def test_whatsapp_ios_italian_immagine_omessa_missed_call_and_deleted():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ios_it_immagine_omessa.txt", timezone="Europe/Rome")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (7, 4, 0)
    assert result.skipped == {
        SKIP_ENCRYPTION: 1,
        "WhatsApp missed call notice, not community content": 1,
        SKIP_DELETED: 1,
    }
    m = result.frame.set_index(M.source_row)
    assert set(m[M.channel]) == {"Caffè Aurora"}
    assert pd.isna(m.loc[3, M.text]) and pd.isna(m.loc[4, M.text])  # immagine omessa, video omesso


def test_mastodon_direct_messages_are_private_and_skipped():
    """Public, unlisted and followers-only statuses are posts; a direct message (its audience is only the
    accounts it names) is a private conversation: skipped under its own reason, never quoted or counted."""
    result = read(parse_mastodon_outbox, "mastodon/mastodon_outbox_direct_messages.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 3, 0)
    assert result.skipped == {SKIP_DIRECT: 2}
    texts = " ".join(result.frame[M.text])
    assert "Public:" in texts and "Unlisted:" in texts and "Followers only:" in texts
    assert "order number" not in texts and "replacements" not in texts


@pytest.mark.parametrize("fixture", ["whatsapp_android_fi_klo.txt", "whatsapp_ios_fi_klo.txt"])
def test_whatsapp_finnish_klo_and_dotted_times(fixture):
    """Finnish exports write the time after "klo" with dots (13.6.2018 klo 21.25.15), day first."""
    unit = ExportUnit(FIXTURES / "whatsapp" / fixture, f"exports/{fixture}")
    assert detect(Probe(unit)).name == "whatsapp_txt"
    result = read(parse_whatsapp_txt, f"whatsapp/{fixture}", timezone="Europe/Helsinki")
    assert_balanced(result)
    assert len(result.frame) == 3 and len(result.quarantine) == 0
    first, _, last = result.frame.sort_values(M.created_at).itertuples(index=False)
    assert getattr(first, M.created_at) == pd.Timestamp("2018-06-13 18:25:15", tz="UTC")  # 21:25:15 EEST
    assert getattr(last, M.created_at) == pd.Timestamp("2018-06-14 05:05:40", tz="UTC")
    assert getattr(first, M.author_name) == "Aino Virtanen"


# --------------------------------------------------------------------------------------------------
# Slack, DiscordChatExporter JSON and Discourse JSON: the rare shapes beside the common ones of the same
# file (the readers take the common ones column by column and the others one by one)


def _slack(days: dict[str, list[object]], users: list[dict[str, object]]) -> dict[str, bytes]:
    files = {f"{day}": json.dumps(messages).encode() for day, messages in days.items()}
    files["channels.json"] = json.dumps([{"id": "C1", "name": "general"}]).encode()
    files["users.json"] = json.dumps(users).encode()
    return files


SLACK_USERS = [
    {"id": "U1", "real_name": "Ana Ruiz", "name": "ana"},
    {"id": "U2", "real_name": " ", "name": "bo", "profile": {"display_name": "Bo"}},
    {"id": "UB", "real_name": "Feed", "is_bot": True},
]


def test_slack_rare_messages_among_plain_ones_of_the_same_day():
    day = [
        {
            "type": "message",
            "user": "U1",
            "text": "plain <@U2> &amp; <https://x.example|docs>",
            "ts": "1700000000.000001",
        },
        {
            "type": "message",
            "user": "U9",
            "text": "not in users.json",
            "ts": "1700000001.000001",
            "user_profile": {"real_name": "Guest Nine"},
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B1",
            "username": "RSS",
            "text": "",
            "attachments": [{"title": "Roast", "text": "notes"}],
            "ts": "1700000002.000001",
        },
        "not a message",
        {
            "type": "message",
            "user": "",
            "comment": {"user": "U1", "comment": "from a comment"},
            "text": "  ",
            "ts": "1700000003.000001",
        },
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U2",
            "text": "<@U2> joined",
            "ts": "1700000004.000001",
        },
        {
            "type": "message",
            "user": "UB",
            "text": "beep",
            "ts": "1700000005.000001",
            "reactions": [{"users": ["U1", "U2"]}],
        },
        {
            "type": "message",
            "user": "U2",
            "text": "late reply",
            "ts": "1700000006.000001",
            "thread_ts": "1700000000.000001",
        },
        {"type": "message", "user": "U1", "text": "no time", "ts": 1700000007},
        {"type": "message", "text": "no one", "ts": "1700000008.000001"},
    ]
    result = parse_slack_export(
        _slack({"general/2023-11-14.json": day}, SLACK_USERS), ReadContext("exports/s")
    )
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (10, 6, 3)
    assert result.skipped == {"Slack channel_join event, not community content": 1}
    m = by_id(result.frame)
    plain = m.loc["C1:1700000000.000001"]
    assert plain[M.text] == "plain @Bo & docs" and plain[M.author_name] == "Ana Ruiz"
    assert plain[M.comments] == 0 and plain[M.reactions] == 0
    assert m.loc["C1:1700000001.000001", M.author_name] == "Guest Nine"
    bot = m.loc["C1:1700000002.000001"]
    assert (bot[M.author_id], bot[M.author_name], bot[M.text]) == ("B1", "RSS", "Roast\nnotes")
    assert bot[M.author_is_bot]
    comment = m.loc["C1:1700000003.000001"]
    assert (comment[M.author_id], comment[M.author_name], comment[M.text]) == (
        "U1",
        "Ana Ruiz",
        "from a comment",
    )
    listed_bot = m.loc["C1:1700000005.000001"]
    assert listed_bot[M.author_is_bot] and listed_bot[M.reactions] == 2
    reply = m.loc["C1:1700000006.000001"]
    assert (
        reply[M.kind] == "reply"
        and reply[M.parent_id] == "C1:1700000000.000001"
        and pd.isna(reply[M.comments])
    )
    assert reply[M.author_name] == "Bo"  # users.json: blank real name, then the display name
    q = result.quarantine.set_index("row")
    assert q.loc[4, "field"] == "(element)" and q.loc[4, "excerpt"] == "not a message"
    assert q.loc[9, "field"] == "ts" and q.loc[10, "field"] == "user"
    assert q.loc[9, "excerpt"].startswith('{"type": "message", "user": "U1"')


def test_slack_users_json_read_again_only_when_its_bytes_change():
    day = {
        "general/2023-11-14.json": [
            {"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.000001"}
        ]
    }
    first = parse_slack_export(_slack(day, SLACK_USERS), ReadContext("exports/a"))
    again = parse_slack_export(_slack(day, SLACK_USERS), ReadContext("exports/b"))
    renamed = [{**SLACK_USERS[0], "real_name": "Ana R."}, *SLACK_USERS[1:]]
    changed = parse_slack_export(_slack(day, renamed), ReadContext("exports/c"))
    names = [r.frame[M.author_name].iloc[0] for r in (first, again, changed)]
    assert names == ["Ana Ruiz", "Ana Ruiz", "Ana R."]
    damaged = _slack(day, SLACK_USERS)
    damaged["users.json"] = b"[{"
    result = parse_slack_export(damaged, ReadContext("exports/d"))
    assert "users.json is cut off" in result.error and pd.isna(result.frame[M.author_name].iloc[0])


def test_slack_timestamps_of_other_shapes_than_the_usual_one():
    day = [
        {"type": "message", "user": "U1", "text": "a", "ts": "1700000000.123456789"},
        {"type": "message", "user": "U1", "text": "b", "ts": "1700000001"},
        {"type": "message", "user": "U1", "text": "c", "ts": "١٧٠٠٠٠٠٠٠٢.000001"},
        {"type": "message", "user": "U1", "text": "d", "ts": "9900000000.000001"},
    ]
    result = parse_slack_export(
        _slack({"general/2023-11-14.json": day}, SLACK_USERS), ReadContext("exports/s")
    )
    assert_balanced(result)
    assert list(result.frame[M.created_at]) == [
        utc("2023-11-14 22:13:20.123456789"),
        utc("2023-11-14 22:13:21"),
    ]
    assert list(result.quarantine["row"]) == [3, 4] and set(result.quarantine["field"]) == {"ts"}


def test_discord_json_rare_messages_among_plain_ones():
    doc = {
        "guild": {"id": "1"},
        "channel": {"id": "2", "type": "GuildTextChat", "name": "general"},
        "messages": [
            {
                "id": "10",
                "type": "Default",
                "timestamp": "2023-01-05T16:00:00.5+01:00",
                "content": "hi",
                "author": {"id": "7", "name": "ana", "nickname": None, "isBot": False},
                "reactions": [],
                "embeds": [],
            },
            {
                "id": "11",
                "type": "Reply",
                "timestamp": "2023-01-05T16:01:00+00:00",
                "content": "",
                "author": {"id": "8", "name": "bo", "nickname": "Bo", "isBot": True},
                "reactions": [{"emoji": {"name": "x"}, "count": 2}, {"count": 3}],
                "embeds": [{"title": "T", "description": "D"}],
                "reference": {"messageId": "10"},
            },
            ["not", "a", "message"],
            {
                "id": " ",
                "type": "Default",
                "timestamp": "2023-01-05T16:02:00+00:00",
                "content": "blank id",
                "author": {"id": "7", "name": "ana"},
                "reactions": [],
            },
            {
                "id": "13",
                "type": "GuildMemberJoin",
                "timestamp": "2023-01-05T16:03:00+00:00",
                "content": "",
                "author": {"id": "9", "name": "new"},
                "reactions": [],
            },
        ],
    }
    result = parse_discord_json(json.dumps(doc).encode(), ReadContext("exports/d.json"))
    assert_balanced(result)
    assert (len(result.frame), len(result.quarantine)) == (2, 2)
    assert result.skipped == {"Discord GuildMemberJoin message, not community content": 1}
    m = by_id(result.frame)
    reply = m.loc["11"]
    assert (reply[M.text], reply[M.reactions], reply[M.author_name]) == ("T\nD", 5, "Bo")
    assert reply[M.author_is_bot] and reply[M.parent_id] == "10" and reply[M.thread_id] == "10"
    assert reply[M.kind] == "reply" and reply[M.url] == "https://discord.com/channels/1/2/11"
    assert m.loc["10", M.created_at] == utc("2023-01-05 15:00:00.5") and m.loc["10", M.author_name] == "ana"
    assert list(result.quarantine["field"]) == ["(element)", "id"]


def test_discourse_json_post_numbers_as_text_and_numbers_too_large_for_arrow():
    posts = [
        {
            "id": 1,
            "topic_id": 5,
            "post_number": 1,
            "created_at": "2024-03-05T10:22:33.123Z",
            "username": "ana",
            "raw": "first",
            "category_id": 3,
            "actions_summary": [{"id": 2, "count": 4}],
            "reply_count": 1,
        },
        {
            "id": 2,
            "topic_id": 5,
            "post_number": " 2 ",
            "reply_to_post_number": "1",
            "created_at": "2024-03-05T10:23:33.123Z",
            "username": "bo",
            "name": None,
            "display_username": " Bo ",
            "cooked": "<p>second &amp; more</p>",
            "category_id": "x",
            "user_id": -1,
        },
        {
            "id": 3,
            "topic_id": 5,
            "post_number": str(10**20),
            "reply_to_post_number": 2,
            "created_at": "2024-03-05T10:24:33.123Z",
            "username": "cy",
            "raw": "far",
        },
        {
            "id": 4,
            "topic_id": 5,
            "post_number": 0,
            "created_at": "2024-03-05T10:25:33.123Z",
            "username": "dee",
        },
    ]
    page = json.dumps({"latest_posts": posts}).encode()
    result = parse_discourse_json(page, ReadContext("exports/p.json"))
    assert_balanced(result)
    assert (len(result.frame), len(result.quarantine)) == (3, 1)
    m = by_id(result.frame)
    assert m.loc["5/1", M.reactions] == 4 and m.loc["5/1", M.channel] == "3"
    second = m.loc["5/2"]
    assert (second[M.kind], second[M.parent_id], second[M.author_name]) == ("comment", "5/1", "Bo")
    assert second[M.text] == "second & more" and second[M.author_is_bot] and second[M.channel] == "x"
    far = m.loc[f"5/{10**20}"]
    assert (far[M.kind], far[M.parent_id]) == ("reply", "5/2")
    assert result.quarantine["field"].tolist() == ["post_number"]


# --------------------------------------------------------------------------------------------------
# Values of the wrong kind deep in a JSON export: the row holding one is quarantined, the rest is read


def test_reddit_numbers_beyond_64_bits_are_not_counts_or_dates_and_the_rest_is_read():
    """A score too large for any count (damage, or a hand edit) is not a count (null, like a negative net
    score); a date too large for any time quarantines its row, naming the line and the field; every other
    line is kept."""
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_numbers_beyond_64_bits.jsonl")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (6, 5, 1)
    q = result.quarantine.set_index("row")
    assert q.loc[2, "field"] == "created_utc"
    post = by_id(result.frame).loc["t3_bj1x2y"]
    assert pd.isna(post[M.reactions]) and post[M.comments] == 3  # a score beyond 64 bits is not a count
    assert "t1_em8z9q" in set(result.frame[M.message_id])


def test_mastodon_status_whose_type_is_not_text_is_quarantined_and_the_rest_read():
    result = read(parse_mastodon_outbox, "mastodon/mastodon_outbox_object_type_not_text.json")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 2, 1)
    assert result.quarantine.iloc[0]["field"] == "object" and result.skipped == {SKIP_DIRECT: 2}


def test_slack_message_whose_type_or_subtype_is_not_text_is_quarantined_and_the_day_read():
    day = [
        {"type": "message", "user": "U1", "text": "first", "ts": "1700000000.000100"},
        {
            "type": "message",
            "subtype": ["thread_broadcast"],
            "user": "U1",
            "text": "x",
            "ts": "1700000001.000100",
        },
        {"type": {"name": "message"}, "user": "U2", "text": "y", "ts": "1700000002.000100"},
        {"type": "message", "user": "U2", "text": "last", "ts": "1700000003.000100"},
    ]
    result = parse_slack_export(
        _slack({"general/2023-11-14.json": day}, SLACK_USERS), ReadContext("exports/s")
    )
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine), result.error) == (4, 2, 2, None)
    q = result.quarantine.set_index("field")
    assert (
        "message 2" in q.loc["subtype", "reason"]
        and 'got "["thread_broadcast"]"' in q.loc["subtype", "reason"]
    )
    assert "message 3" in q.loc["type", "reason"]
    assert list(result.frame[M.text]) == ["first", "last"]
