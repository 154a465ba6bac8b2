"""Each reader on real-layout fixtures named after the quirk they hold: the values a manager relies on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from community_health.ingest import ReadContext, ReadResult
from community_health.ingest.brandwatch import parse_brandwatch, platform_of
from community_health.ingest.discord_json import parse_discord_json
from community_health.ingest.discourse_json import parse_discourse_json, parse_discourse_pages, strip_html
from community_health.ingest.envelope import parse_dates
from community_health.ingest.facebook_insights import parse_facebook_insights_posts
from community_health.ingest.slack import parse_slack_export, readable
from community_health.ingest.x_analytics import parse_x_analytics
from community_health.schema import Messages, Posts

FIXTURES = Path(__file__).parent / "fixtures"
MADRID = "Europe/Madrid"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(parse, relpath: str, timezone: str = MADRID, mapping: dict[str, str] | None = None) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes()
    return parse(data, ReadContext(f"exports/{relpath}", timezone, mapping or {}))


def by_id(frame: pd.DataFrame, key: str = Messages.message_id) -> pd.DataFrame:
    return frame.set_index(key, drop=False)


def assert_balanced(result: ReadResult) -> None:
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total


# --------------------------------------------------------------------------------------------------
# X analytics


def test_x_analytics_promoted_dash_is_absent_not_zero_and_counts_are_whole_numbers():
    result = read(parse_x_analytics, "x_analytics/x_analytics_promoted_dash.csv")
    assert result.error is None and result.rows_read == 3 and len(result.frame) == 3
    posts = by_id(result.frame, Posts.post_id)
    first = posts.loc["812041279403376640"]
    assert first[Posts.platform] == "x" and first[Posts.channel] == "brightbrew"
    assert first[Posts.created_at] == utc("2016-12-22 19:31")
    assert (first[Posts.impressions], first[Posts.engagements]) == (424, 39)
    assert (first[Posts.reactions], first[Posts.comments], first[Posts.shares]) == (14, 2, 5)
    assert first[Posts.clicks] == 11 + 3 + 1 + 2 + 1  # url + profile + hashtag + detail + permalink
    assert first[Posts.url] == "https://twitter.com/brightbrew/status/812041279403376640"
    assert pd.isna(first[Posts.reach]) and pd.isna(first[Posts.video_views])  # not in the export
    silent = posts.loc["812755091110301696"]
    assert silent[Posts.impressions] == 0 and not pd.isna(silent[Posts.impressions])  # zero stays zero
    assert str(result.frame[Posts.impressions].dtype) == "Int64"
    assert result.frame[Posts.created_at].dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert result.assumed_timezone is None  # "+0000" is in every date
    Posts.validate(result.frame)


def test_x_analytics_multiline_text_with_emoji_is_one_row_numbered_as_a_spreadsheet_shows_it():
    result = read(parse_x_analytics, "x_analytics/x_analytics_multiline_emoji.csv")
    assert result.rows_read == 2 and len(result.quarantine) == 0
    post = by_id(result.frame, Posts.post_id).loc["813123456789012480"]
    assert post[Posts.text].startswith("Three things we learned this year ☕️\n\n1. Grind fresh")
    assert '2. Weigh "everything"' in post[Posts.text] and post[Posts.text].endswith("💛👏")
    assert result.frame[Posts.source_row].tolist() == [2, 3]


def test_x_analytics_bad_rows_are_quarantined_with_file_row_field_and_expectation():
    result = read(parse_x_analytics, "x_analytics/x_analytics_bad_date_row.csv")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 2, 3)
    q = result.quarantine.set_index("row")
    assert q.loc[3, "reason"] == (
        'exports/x_analytics/x_analytics_bad_date_row.csv row 3, field "time": '
        'expected a date like 2016-12-23 18:50 +0000, got "yesterday"'
    )
    assert q.loc[3, "field"] == "time" and "The date is not a date" in q.loc[3, "excerpt"]
    assert q.loc[4, "field"] == "impressions" and 'got "lots"' in q.loc[4, "reason"]
    assert q.loc[5, "field"] == "Tweet id" and "got nothing" in q.loc[5, "reason"]
    assert set(result.frame[Posts.post_id]) == {"814000000000000001", "814000000000000005"}


def _x_csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    source = (FIXTURES / "x_analytics/x_analytics_promoted_dash.csv").read_text(encoding="utf-8")
    head = header or next(csv.reader(io.StringIO(source)))
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(head)
    writer.writerows(rows)
    return buf.getvalue()


def _x_rows() -> list[list[str]]:
    source = (FIXTURES / "x_analytics/x_analytics_promoted_dash.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(source)))[1:]


def test_x_analytics_missing_required_column_refuses_the_file_and_counts_every_row():
    rows = _x_rows()
    header = list(next(csv.reader(io.StringIO(_x_csv([])))))
    at = header.index("time")
    text = _x_csv([r[:at] + r[at + 1 :] for r in rows], header[:at] + header[at + 1 :])
    result = parse_x_analytics(text.encode(), ReadContext("exports/x/no_time.csv"))
    assert result.error is not None and 'no column "time"' in result.error
    assert "Export it again" in result.error
    assert result.rows_read == 3 and len(result.quarantine) == 3 and result.frame.empty
    assert_balanced(result)


def test_x_analytics_file_cut_off_inside_a_quoted_field_quarantines_only_the_cut_row():
    text = _x_csv(_x_rows())
    cut = text.index("Happy holidays") + 5
    result = parse_x_analytics(text[:cut].encode(), ReadContext("exports/x/cut.csv"))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 2, 1)
    assert "cut off" in result.quarantine["reason"].iloc[0] and result.quarantine["row"].iloc[0] == 4


def test_x_analytics_renamed_column_is_read_through_the_client_column_mapping():
    header = list(next(csv.reader(io.StringIO(_x_csv([])))))
    header[header.index("time")] = "Time (UTC)"
    text = _x_csv(_x_rows(), header)
    ctx = ReadContext("exports/x/renamed.csv", MADRID, {"Time (UTC)": "time"})
    result = parse_x_analytics(text.encode(), ctx)
    assert len(result.frame) == 3 and result.error is None


# --------------------------------------------------------------------------------------------------
# Facebook Page Insights


def test_facebook_description_row_is_skipped_and_not_counted_and_local_time_is_assumed():
    result = read(parse_facebook_insights_posts, "facebook/facebook_insights_description_row.csv")
    assert result.error is None and result.rows_read == 3 and len(result.quarantine) == 0
    assert result.assumed_timezone == MADRID
    posts = by_id(result.frame, Posts.post_id)
    valentine = posts.loc["1520334788229930_1592283567701718"]
    assert valentine[Posts.created_at] == utc("2016-02-13 23:40:16")  # 12:40:16 AM in Madrid (CET, +1)
    assert valentine[Posts.channel] == "brightbrewcoffee" and valentine[Posts.post_type] == "photo"
    assert valentine[Posts.text].startswith("Valentine's blend is back ❤️")
    assert (valentine[Posts.reach], valentine[Posts.impressions], valentine[Posts.engagements]) == (
        5231,
        7740,
        412,
    )
    assert (valentine[Posts.reactions], valentine[Posts.comments], valentine[Posts.shares]) == (260, 18, 22)
    assert valentine[Posts.clicks] == 530
    hiring = posts.loc["1520334788229930_1591904471072961"]
    assert pd.isna(hiring[Posts.comments])  # an empty cell is absent, not zero
    assert result.frame[Posts.source_row].min() == 3  # row 2 is the description row
    Posts.validate(result.frame)


def test_facebook_ambiguous_local_time_when_clocks_go_back_is_read_as_the_first_of_the_two():
    result = read(parse_facebook_insights_posts, "facebook/facebook_insights_description_row.csv")
    video = by_id(result.frame, Posts.post_id).loc["1520334788229930_1590000000000000"]
    assert video[Posts.created_at] == utc("2015-10-25 00:30")  # 02:30 CEST


def test_facebook_row_pasted_back_with_a_day_first_date_is_quarantined_and_the_rest_kept():
    text = (FIXTURES / "facebook/facebook_insights_description_row.csv").read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    pasted = list(records[2])
    pasted[records[0].index("Posted")] = "15/11/2025 09:26"  # a Spanish-locale spreadsheet: day first
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(pasted)
    data = ("\ufeff" + text + buf.getvalue()).encode()
    result = parse_facebook_insights_posts(data, ReadContext("exports/fb.csv", MADRID))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 3, 1)
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (6, "Posted")
    assert q["reason"] == (
        'exports/fb.csv row 6, field "Posted": expected a date like 02/14/2016 12:40:16 AM, '
        'got "15/11/2025 09:26"'
    )
    assert q["excerpt"].startswith(pasted[0])


# --------------------------------------------------------------------------------------------------
# Slack


def _slack_files(name: str) -> dict[str, bytes]:
    root = FIXTURES / "slack" / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_slack_threads_bots_and_join_events():
    result = parse_slack_export(
        _slack_files("slack_export_threads_and_bots"), ReadContext("exports/slack/acme", MADRID)
    )
    assert_balanced(result)
    assert result.rows_read == 12 and len(result.frame) == 9 and len(result.quarantine) == 0
    assert result.skipped == {
        "Slack channel_join event, not community content": 2,
        "Slack channel_purpose event, not community content": 1,
    }
    m = by_id(result.frame)
    parent = m.loc["C0G9QF9GW:1458930018.000002"]
    assert parent[Messages.thread_id] == parent[Messages.message_id] and pd.isna(parent[Messages.parent_id])
    assert parent[Messages.kind] == "message" and parent[Messages.channel] == "general"
    assert parent[Messages.reactions] == 3 and parent[Messages.comments] == 2
    assert parent[Messages.author_name] == "Marco Rossi"
    assert parent[Messages.text] == "Is the Guji roast good for espresso? @Lucía Brightbrew any tips?"
    assert parent[Messages.created_at] == utc("2016-03-25 18:20:18.000002")
    reply = m.loc["C0G9QF9GW:1458931000.000003"]
    assert reply[Messages.kind] == "reply"
    assert reply[Messages.thread_id] == reply[Messages.parent_id] == "C0G9QF9GW:1458930018.000002"
    assert reply[Messages.text].endswith("See our guide") and pd.isna(reply[Messages.comments])
    assert reply[Messages.reactions] == 0  # Slack leaves the list out when nobody reacted
    assert (
        m.loc["C0G9QF9GW:1458933000.000004", Messages.text] == "Works great with oat milk too & no bitterness"
    )
    broadcast = m.loc["C0G9QF9GW:1458983000.000200"]
    assert (
        broadcast[Messages.kind] == "reply" and broadcast[Messages.thread_id] == "C0G9QF9GW:1458930018.000002"
    )
    bot = m.loc["C0G9QF9GW:1458934000.000005"]
    assert (
        bot[Messages.author_is_bot]
        and bot[Messages.author_id] == "B0RSS0001"
        and bot[Messages.author_name] == "RSS"
    )
    assert bot[Messages.text] == "Roasting notes: Guji\nHow we roast our newest single origin"
    assert m.loc["C0G9QF9GW:1458990000.000300", Messages.author_is_bot]  # an app posting as a user
    assert not m.loc["C0G9QF9GW:1458982800.000100", Messages.author_is_bot]
    assert m.loc["C0HELP0001:1458987600.000020", Messages.thread_id] == "C0HELP0001:1458984000.000010"
    assert set(result.frame[Messages.source_file]) == {
        "exports/slack/acme/general/2016-03-25.json",
        "exports/slack/acme/general/2016-03-26.json",
        "exports/slack/acme/brew-help/2016-03-26.json",
    }
    assert m.loc["C0G9QF9GW:1458930018.000002", Messages.source_row] == 3  # third element of the day's array


def test_slack_created_as_int_or_string_and_dm_folders_named_by_id():
    result = parse_slack_export(_slack_files("slack_created_int_vs_string"), ReadContext("exports/slack/old"))
    assert result.error is None and len(result.frame) == 3
    channels = dict(zip(result.frame[Messages.message_id], result.frame[Messages.channel], strict=True))
    assert channels == {
        "C0OLD00001:1400000500.000001": "announcements",
        "C0NEW00002:1600000200.000001": "random",
        "D0DM000001:1600000300.000001": "D0DM000001",
    }
    hello = by_id(result.frame).loc["C0NEW00002:1600000200.000001"]
    assert hello[Messages.text] == "hello #announcements" and hello[Messages.author_name] == "kim"


def test_slack_damaged_day_file_is_reported_and_the_rest_is_read():
    files = _slack_files("slack_export_threads_and_bots")
    files["general/2016-03-26.json"] = files["general/2016-03-26.json"][:50]
    result = parse_slack_export(files, ReadContext("exports/slack/acme"))
    assert (
        "general/2016-03-26.json is cut off" in result.error
        and "The rest of the export was read" in result.error
    )
    assert len(result.frame) == 6 and result.rows_read == 9
    assert_balanced(result)


def test_slack_export_inside_a_top_folder_of_a_zip_and_refusal_without_channels():
    files = {
        f"Brightbrew Slack export Mar 26 2016/{k}": v
        for k, v in _slack_files("slack_export_threads_and_bots").items()
    }
    assert len(parse_slack_export(files, ReadContext("exports/s.zip")).frame) == 9
    refused = parse_slack_export({"general/2016-03-25.json": b"[]"}, ReadContext("exports/s.zip"))
    assert refused.rows_read == 0 and "channels.json" in refused.error


def test_slack_markup_is_made_readable():
    names = {"U1": "Ana"}
    assert (
        readable("<@U1> see <https://x.example|the docs> in <#C9|help> <!here> 1 &lt; 2", names)
        == "@Ana see the docs in #help @here 1 < 2"
    )


# --------------------------------------------------------------------------------------------------
# Discord


def test_discord_reply_chain_roots_unknown_parents_and_system_messages():
    result = read(parse_discord_json, "discord/discord_json_replies_reference.json")
    assert_balanced(result)
    assert result.rows_read == 7 and len(result.frame) == 5
    assert result.skipped == {
        "Discord GuildMemberJoin message, not community content": 1,
        "Discord ChannelPinnedMessage message, not community content": 1,
    }
    m = by_id(result.frame)
    root = m.loc["1060000000000000002"]
    assert root[Messages.thread_id] == "1060000000000000002" and pd.isna(root[Messages.parent_id])
    assert root[Messages.kind] == "message" and root[Messages.channel] == "brew-talk"
    assert root[Messages.text] == "Has anyone tried the new Guji beans? 👏"  # surrogate pair joined
    assert root[Messages.reactions] == 5 and root[Messages.author_name] == "Ana"
    assert root[Messages.created_at] == utc("2023-01-05 14:22:25.250")
    assert root[Messages.url] == (
        "https://discord.com/channels/1045000000000000000/1045000000000000010/1060000000000000002"
    )
    deep = m.loc["1060000000000000004"]
    assert (
        deep[Messages.parent_id] == "1060000000000000003"
        and deep[Messages.thread_id] == "1060000000000000002"
    )
    assert deep[Messages.kind] == "reply"
    assert deep[Messages.created_at] == utc("2023-01-05 14:30:40.123456")  # +01:00 offset
    orphan = m.loc["1060000000000000005"]
    assert orphan[Messages.parent_id] == orphan[Messages.thread_id] == "1040000000000000999"
    bot = m.loc["1060000000000000007"]
    assert bot[Messages.author_is_bot] and bot[Messages.text] == "Welcome!\nRead the rules in #rules"
    assert m.loc["1060000000000000003", Messages.reactions] == 0  # an empty list is zero reactions


def test_discord_deleted_user_messages_are_kept_under_the_placeholder():
    result = read(parse_discord_json, "discord/discord_json_deleted_user.json")
    assert len(result.frame) == 3
    gone = result.frame[result.frame[Messages.author_name] == "Deleted User"]
    assert len(gone) == 2 and set(gone[Messages.author_id]) == {"456226577798135808"}
    assert by_id(result.frame).loc["1061000000000000002", Messages.thread_id] == "1061000000000000001"


def test_discord_thread_file_hangs_under_its_starter_message_in_the_parent_channel():
    result = read(parse_discord_json, "discord/discord_json_thread_file.json")
    assert result.skipped == {"Discord ThreadCreated message, not community content": 1}
    m = by_id(result.frame)
    assert set(m[Messages.channel]) == {"brew-talk"}
    assert set(m[Messages.thread_id]) == {"1060000000000000002"}  # the thread's id = its starter message
    assert m.loc["1062000000000000001", Messages.parent_id] == "1060000000000000002"
    assert m.loc["1062000000000000002", Messages.parent_id] == "1062000000000000001"


def test_truncated_json_is_refused_with_words_a_person_can_act_on():
    result = read(parse_discord_json, "broken/truncated_json.json")
    assert result.rows_read == 0 and result.frame.empty
    assert "is cut off" in result.error and "Download or export it again" in result.error
    assert result.error.startswith("exports/broken/truncated_json.json")


def test_discord_message_without_id_or_with_a_bad_timestamp_is_quarantined():
    doc = json.loads((FIXTURES / "discord/discord_json_deleted_user.json").read_text(encoding="utf-8"))
    doc["messages"][0]["timestamp"] = "last tuesday"
    del doc["messages"][1]["id"]
    doc["messages"].append("not a message")
    result = parse_discord_json(json.dumps(doc).encode(), ReadContext("exports/d.json"))
    assert_balanced(result)
    reasons = result.quarantine.set_index("row")["reason"]
    assert reasons[1] == (
        'exports/d.json message 1, field "timestamp": expected a date like '
        '2023-01-05T14:22:25.25+00:00, got "last tuesday"'
    )
    assert 'field "id"' in reasons[2] and "message 4" in reasons[4]
    assert len(result.frame) == 1


# --------------------------------------------------------------------------------------------------
# Discourse


def test_discourse_latest_posts_page_thread_scheme_staff_bots_and_skips():
    result = read(parse_discourse_json, "discourse/discourse_latest_posts_page.json")
    assert_balanced(result)
    assert result.rows_read == 6 and len(result.frame) == 4
    assert result.skipped == {
        "Discourse small action (topic closed, pinned, moved), not community content": 1,
        "Discourse post deleted by its author or a moderator": 1,
    }
    m = by_id(result.frame)
    first = m.loc["210/1"]
    assert first[Messages.thread_id] == "210/1" and pd.isna(first[Messages.parent_id])
    assert first[Messages.kind] == "post" and first[Messages.channel] == "5"
    assert first[Messages.created_at] == utc("2024-03-05 10:22:33.123")
    assert first[Messages.reactions] == 4 and first[Messages.comments] == 1
    second = m.loc["210/2"]
    assert (second[Messages.parent_id], second[Messages.kind]) == ("210/1", "comment")
    assert second[Messages.author_name] == "pedro_g"  # name is null: the username stands in
    staff = m.loc["210/3"]
    assert (staff[Messages.parent_id], staff[Messages.kind]) == ("210/2", "reply")
    assert staff[Messages.author_is_brand] and staff[Messages.author_id] == "lucia_bb"
    assert m.loc["209/2", Messages.author_is_bot]  # discobot has a negative user id
    assert m.loc["210/1", Messages.url] == "/t/grinder-noise/210/1"


def test_discourse_topic_page_cooked_html_category_hidden_and_whisper():
    result = read(parse_discourse_json, "discourse/discourse_topic_posts.json")
    assert result.skipped == {"Discourse staff whisper, not visible to members": 1}
    m = by_id(result.frame)
    assert set(m[Messages.channel]) == {"7"}  # from the topic when posts do not say
    assert m.loc["300/1", Messages.text] == (
        "Welcome to our autumn tasting thread! Tell us what you brewed & how.\nSecond paragraph"
    )
    assert m.loc["300/3", Messages.kind] == "reply"  # hidden (flagged) posts are kept
    assert m.loc["300/1", Messages.reactions] == 10 and m.loc["300/2", Messages.reactions] == 0


def test_discourse_post_without_created_at_is_quarantined_and_the_rest_kept():
    doc = json.loads((FIXTURES / "discourse/discourse_latest_posts_page.json").read_text(encoding="utf-8"))
    del doc["latest_posts"][1]["created_at"]
    result = parse_discourse_json(json.dumps(doc).encode(), ReadContext("exports/posts-page-009.json"))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (6, 3, 1)
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (2, "created_at")
    assert q["reason"] == (
        'exports/posts-page-009.json post 2, field "created_at": expected a date like '
        "2024-03-05T10:22:33.123Z, got nothing"
    )
    assert "210/2" not in set(result.frame[Messages.message_id])


def test_strip_html_keeps_paragraphs_apart():
    assert strip_html("<p>a &amp; b</p><p>c<br>d</p>") == "a & b\nc\nd"


# --------------------------------------------------------------------------------------------------
# Brandwatch


def test_brandwatch_preamble_lines_thousands_separators_and_assumed_zone():
    result = read(parse_brandwatch, "brandwatch/brandwatch_preamble_lines.csv")
    assert result.error is None and result.rows_read == 5 and len(result.quarantine) == 0
    assert result.assumed_timezone == MADRID
    m = by_id(result.frame)
    angry = m.loc["1845678901234567890"]
    assert angry[Messages.platform] == "x" and angry[Messages.kind] == "mention"
    assert angry[Messages.thread_id] == angry[Messages.message_id] and pd.isna(angry[Messages.parent_id])
    assert angry[Messages.author_followers] == 12345 and angry[Messages.author_id] == "ana_cafe"
    assert angry[Messages.author_name] == "Ana López" and angry[Messages.impressions] == 25100
    assert angry[Messages.created_at] == utc("2026-10-13 12:22:05")  # 14:22:05 in Madrid (CEST)
    assert angry[Messages.source_row] == 8  # six preamble lines and the header above it
    news = m.loc["bw-news-1"]
    assert news[Messages.platform] == "web" and news[Messages.author_id] == "elpais.com"
    assert pd.isna(news[Messages.author_followers])
    assert (
        m.loc["t3_abc123", Messages.channel] == "r/Coffee"
        and m.loc["t3_abc123", Messages.platform] == "reddit"
    )
    assert m.loc["1850000000000000000", Messages.platform] == "x"  # x.com
    Messages.validate(result.frame)


def test_brandwatch_xlsx_reads_like_the_csv():
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(csv.reader(io.StringIO((FIXTURES / "brandwatch/brandwatch_preamble_lines.csv").read_text())))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    result = parse_brandwatch(buf.getvalue(), ReadContext("exports/bw.xlsx", MADRID))
    csv_result = read(parse_brandwatch, "brandwatch/brandwatch_preamble_lines.csv")
    assert result.rows_read == 5
    pd.testing.assert_series_equal(result.frame[Messages.message_id], csv_result.frame[Messages.message_id])
    pd.testing.assert_series_equal(result.frame[Messages.created_at], csv_result.frame[Messages.created_at])


def test_brandwatch_without_a_mention_id_uses_the_status_or_the_url_and_a_stated_zone_is_not_assumed():
    text = (
        "Date,Author,Full Text,Url,Domain,Timezone\n"
        "2026-10-13 14:22:05.0,ana,hello,https://twitter.com/ana/status/1,twitter.com,UTC\n"
        "2026-10-13T14:22:05+02:00,bob,hi,https://forum.example/t/2,forum.example,UTC\n"
    )
    result = parse_brandwatch(text.encode(), ReadContext("exports/bw.csv", MADRID))
    m = by_id(result.frame)
    assert m.loc["1", Messages.created_at] == utc("2026-10-13 14:22:05")  # the status, as other tools
    assert m.loc["https://forum.example/t/2", Messages.created_at] == utc("2026-10-13 12:22:05")
    assert result.assumed_timezone is None


def test_platform_of_domains():
    domains = pd.Series(
        [
            "twitter.com",
            "www.facebook.com",
            "old.reddit.com",
            "instagram.com",
            "x.com",
            "blog.example.org",
            "",
        ]
    )
    assert platform_of(domains).tolist() == ["x", "facebook", "reddit", "instagram", "x", "web", "web"]


# --------------------------------------------------------------------------------------------------
# Dates shared by every reader


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("13-Oct-2026", "%d-%b-%Y", "2026-10-12 22:00"),  # a day alone: local midnight in Madrid
        ("02-10-2025", "%d-%m-%Y", "2025-10-01 22:00"),
        ("13-Oct-2026 02:22PM", "%d-%b-%Y %I:%M%p", "2026-10-13 12:22"),
    ],
)
def test_day_first_date_ending_in_the_year_is_not_a_time_zone_offset(text, fmt, expected):
    dates, local = parse_dates(pd.Series([text]), (fmt, "ISO8601"), MADRID)
    assert dates.iloc[0] == utc(expected) and local[0]


@pytest.mark.parametrize(
    "text", ["2026-10-13T12:22:00Z", "2026-10-13T14:22:00.123+02:00", "2026-10-13 07:22:00 -0500"]
)
def test_time_with_a_time_zone_offset_keeps_it(text):
    dates, local = parse_dates(pd.Series([text]), ("ISO8601",), MADRID)
    assert dates.iloc[0].floor("min") == utc("2026-10-13 12:22") and not local[0]


def test_discourse_pages_read_together_give_what_each_page_gives_alone():
    pages = [
        "discourse/discourse_latest_posts_page.json",
        "broken/truncated_json.json",
        "discourse/discourse_topic_posts.json",
    ]
    contexts = [ReadContext(f"exports/{rel}", MADRID) for rel in pages]
    datas = [(FIXTURES / rel).read_bytes() for rel in pages]
    batch = parse_discourse_pages(list(zip(datas, contexts, strict=True)))
    assert batch.unbalanced() == [] and batch.error[1] is not None and batch.rows_read[1] == 0
    for i, (data, ctx) in enumerate(zip(datas, contexts, strict=True)):
        alone, together = parse_discourse_json(data, ctx), batch.result(i)
        pd.testing.assert_frame_equal(together.frame, alone.frame)
        pd.testing.assert_frame_equal(together.quarantine, alone.quarantine)
        assert (together.rows_read, together.skipped, together.error) == (
            alone.rows_read,
            alone.skipped,
            alone.error,
        )
