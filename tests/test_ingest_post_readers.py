"""The post-level analytics readers on real-layout fixtures named after the quirk they hold: the X archive,
Facebook video posts, page-level days and the SpreadsheetML download, Meta Business Suite, LinkedIn and
YouTube Studio. The fixtures are written by ``fixtures/make_post_fixtures.py``."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from community_health.config import load_client
from community_health.ingest import (
    Probe,
    ReadContext,
    ReadResult,
    detect,
    get_reader,
    ingest_client,
    load_tables,
)
from community_health.ingest.facebook_insights import parse_facebook_insights_posts
from community_health.ingest.facebook_insights_xls import breakdown_of, parse_facebook_insights_xls, title_of
from community_health.ingest.facebook_page_level import parse_facebook_insights_page_daily
from community_health.ingest.linkedin_content import parse_linkedin_content, post_ids
from community_health.ingest.meta_business_suite import parse_meta_business_suite
from community_health.ingest.units import ExportUnit, ZipBundle, find_units
from community_health.ingest.workbooks import WorkbookKind, read_workbook
from community_health.ingest.x_archive import parse_x_archive, parse_x_archive_zip
from community_health.ingest.youtube_studio import parse_youtube_csv, parse_youtube_zip
from community_health.schema import Messages, Posts

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"
MADRID = "Europe/Madrid"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(parse, relpath: str, *, source: str | None = None, timezone: str = MADRID) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes()
    return parse(data, ReadContext(source or f"exports/{relpath}", timezone, {}))


def by_id(frame: pd.DataFrame, key: str = Posts.post_id) -> pd.DataFrame:
    return frame.set_index(key, drop=False)


def assert_balanced(result: ReadResult) -> None:
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total


# --------------------------------------------------------------------------------------------------
# X / Twitter personal archive


def test_x_archive_2026_prefix_without_semicolon_gives_brand_posts_with_counts_and_reply_threads():
    result = read(parse_x_archive, "x_archive/x_archive_tweets_js_prefix.js")
    assert result.error is None and result.rows_read == 4 and len(result.frame) == 4
    assert result.assumed_timezone is None  # every created_at carries +0000
    m = by_id(result.frame, Messages.message_id)
    first = m.loc["1892512345678901248"]
    assert first[Messages.platform] == "x" and first[Messages.kind] == "post"
    assert first[Messages.channel] == first[Messages.author_id] == "brightbrew"  # from its own photo's link
    assert bool(first[Messages.author_is_brand]) and not bool(first[Messages.author_is_bot])
    assert first[Messages.created_at] == utc("2026-02-20 09:10:58")
    assert first[Messages.text] == (
        "New Guji single origin is in: bright & floral, rest it > 7 days https://t.co/Ab12Cd34Ef"
    )
    assert (first[Messages.reactions], first[Messages.shares]) == (31, 4)  # numbers written as strings
    assert pd.isna(first[Messages.impressions]) and pd.isna(first[Messages.comments])  # not in an archive
    assert first[Messages.thread_id] == "1892512345678901248" and pd.isna(first[Messages.parent_id])
    assert first[Messages.url] == "https://x.com/brightbrew/status/1892512345678901248"
    follow_up = m.loc["1892512987654321408"]
    assert follow_up[Messages.kind] == "reply" and follow_up[Messages.parent_id] == "1892512345678901248"
    assert follow_up[Messages.thread_id] == "1892512345678901248"
    assert follow_up[Messages.reactions] == 5 and follow_up[Messages.shares] == 0  # "0" is zero, not absent
    deeper = m.loc["1892700000000000000"]  # answers the follow-up: the thread is still the first tweet's
    assert deeper[Messages.parent_id] == "1892512987654321408"
    assert deeper[Messages.thread_id] == "1892512345678901248"
    to_member = m.loc["1892600011122233344"]  # answers a member's tweet that the archive does not hold
    assert to_member[Messages.parent_id] == to_member[Messages.thread_id] == "1892599000000000000"
    assert result.frame[Messages.source_row].tolist() == [1, 2, 3, 4]
    Messages.validate(result.frame)


def test_x_archive_2020_tweet_js_with_semicolon_names_the_account_from_its_own_thread():
    result = read(parse_x_archive, "x_archive/x_archive_tweet_js_2020_semicolon.js")
    assert result.error is None and (result.rows_read, len(result.frame)) == (2, 2)
    m = by_id(result.frame, Messages.message_id)
    post = m.loc["1229435187654320128"]
    assert post[Messages.text] == "We <3 our regulars ☕ Free refill Fridays start this week"
    assert post[Messages.created_at] == utc("2020-02-17 18:05:00")
    assert (post[Messages.reactions], post[Messages.shares]) == (12, 2)
    assert set(result.frame[Messages.channel]) == {"brightbrew"}  # the reply to its own tweet names it
    assert m.loc["1229435999999999999", Messages.thread_id] == "1229435187654320128"


def test_x_archive_retweet_cut_with_an_ellipsis_is_skipped_with_its_reason():
    result = read(parse_x_archive, "x_archive/x_archive_retweet_truncated.js")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 1, 0)
    assert result.skipped == {
        "X retweet of another account's post (not the brand's own words), not counted as its post": 1
    }
    kept = result.frame.iloc[0]
    assert kept[Messages.message_id] == "1893100000000000002" and kept[Messages.reactions] == 9
    # nothing in this file names the account: said so, never guessed
    assert kept[Messages.channel] == "unknown"
    assert kept[Messages.url] == "https://x.com/i/web/status/1893100000000000002"


def test_x_archive_earlier_version_of_an_edited_tweet_is_skipped_and_the_latest_kept():
    result = read(parse_x_archive, "x_archive/x_archive_edit_info_versions.js")
    assert_balanced(result)
    assert result.skipped == {"X earlier version of an edited post (its latest version is kept)": 1}
    m = by_id(result.frame, Messages.message_id)
    assert set(m.index) == {"1893200600000000000", "1893300000000000000"}
    assert m.loc["1893200600000000000", Messages.text] == "Cupping on Saturday at 11 in Madrid"
    assert m.loc["1893200600000000000", Messages.reactions] == 14
    # its later version is not in the archive: this one is the latest there is
    assert m.loc["1893300000000000000", Messages.reactions] == 6


def test_x_archive_withheld_tweet_and_bare_tweet_objects_are_kept():
    withheld = read(parse_x_archive, "x_archive/x_archive_withheld_in_countries.js")
    assert len(withheld.frame) == 1 and withheld.frame[Messages.reactions].iloc[0] == 4
    bare = read(parse_x_archive, "x_archive/x_archive_unwrapped_tweets.js")
    assert bare.error is None and len(bare.frame) == 2
    reply = by_id(bare.frame, Messages.message_id).loc["1893500000000000001"]
    assert reply[Messages.thread_id] == "1893500000000000000" and reply[Messages.channel] == "brightbrew"


def _ytd(kind: str, part: int, value: object) -> bytes:
    return f"window.YTD.{kind}.part{part} = {json.dumps(value, indent=2)}".encode()


def test_x_archive_zip_names_the_account_from_account_js_and_reads_every_tweets_part():
    first = (FIXTURES / "x_archive/x_archive_retweet_truncated.js").read_bytes()
    second = (FIXTURES / "x_archive/x_archive_withheld_in_countries.js").read_bytes()
    second = second.replace(b"window.YTD.tweets.part0", b"window.YTD.tweets.part1")
    account = [{"account": {"username": "brightbrew_es", "accountId": "1204567890123456789"}}]
    files = {
        "data/account.js": _ytd("account", 0, account),
        "data/tweets.js": first,
        "data/tweets-part1.js": second,
    }
    result = parse_x_archive_zip(files, ReadContext("exports/x/twitter-2026-03-01.zip"))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame)) == (3, 2) and result.error is None
    assert set(result.frame[Messages.channel]) == {"brightbrew_es"}
    assert set(result.frame[Messages.source_file]) == {
        "exports/x/twitter-2026-03-01.zip/data/tweets.js",
        "exports/x/twitter-2026-03-01.zip/data/tweets-part1.js",
    }


def test_x_archive_zip_is_detected_from_its_content_and_ingested(tmp_path: Path):
    root = tmp_path / "acme"
    (root / "exports").mkdir(parents=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    with zipfile.ZipFile(root / "exports" / "download.zip", "w") as z:
        z.writestr("Your archive.html", "<html></html>")
        z.writestr("data/like.js", _ytd("like", 0, [{"like": {"tweetId": "1"}}]))
        z.writestr("data/tweets.js", (FIXTURES / "x_archive/x_archive_tweets_js_prefix.js").read_bytes())
    cfg = load_client("acme", tmp_path)
    report = ingest_client(cfg)
    log = report.files.set_index("file")
    assert log.loc["exports/download.zip", "format"] == "x_archive" and report.balanced
    messages = load_tables(cfg).messages
    assert len(messages) == 4 and messages[Messages.author_is_brand].all()


def test_x_archive_bad_tweets_are_quarantined_with_file_post_and_field():
    good = {
        "id_str": "1",
        "created_at": "Fri Feb 20 09:10:58 +0000 2026",
        "full_text": "ok",
        "favorite_count": "1",
        "retweet_count": "0",
    }
    tweets = [
        {"tweet": good},
        {"tweet": good | {"id_str": "2", "created_at": "yesterday"}},
        {"tweet": good | {"id_str": "3", "favorite_count": "lots"}},
        "not a tweet",
        {"tweet": {k: v for k, v in good.items() if k != "id_str"}},
    ]
    result = parse_x_archive(_ytd("tweets", 0, tweets), ReadContext("exports/x/tweets.js"))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 1, 4)
    q = result.quarantine.set_index("row")
    assert q.loc[2, "reason"] == (
        'exports/x/tweets.js post 2, field "created_at": expected a date like '
        'Fri Feb 20 09:10:58 +0000 2026, got "yesterday"'
    )
    assert q.loc[3, "field"] == "favorite_count" and 'got "lots"' in q.loc[3, "reason"]
    assert q.loc[4, "field"] == "(element)" and "expected a tweet object" in q.loc[4, "reason"]
    assert q.loc[5, "field"] == "id_str" and "got nothing" in q.loc[5, "reason"]


def test_x_archive_other_files_unpacked_beside_the_tweets_are_recognised_and_skipped(tmp_path: Path):
    likes = [{"like": {"tweetId": "1", "fullText": "a member's tweet"}}, {"like": {"tweetId": "2"}}]
    (tmp_path / "like.js").write_bytes(_ytd("like", 0, likes))
    unit = ExportUnit(tmp_path / "like.js", "exports/x/like.js")
    reader = detect(Probe(unit))
    assert reader is not None and reader.name == "x_archive"
    result = reader.read(unit, ReadContext("exports/x/like.js"))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), result.error) == (2, 0, None)
    assert result.skipped == {
        "X archive like entry (not one of the account's tweets): recognised, not used": 2
    }


LONG_POSTS = FIXTURES / "x_archive/x_archive_note_tweet_long_post"


def test_x_archive_long_posts_cut_in_tweets_js_take_their_whole_text_from_note_tweet_js(tmp_path: Path):
    exports = tmp_path / "exports"
    shutil.copytree(LONG_POSTS, exports / "twitter-2026-10-31")
    units = find_units(exports, tmp_path)
    assert [u.relpath for u in units] == ["exports/twitter-2026-10-31/data"]  # one unit: the data folder
    reader = detect(Probe(units[0]))
    assert reader is not None and reader.name == "x_archive"
    result = reader.read(units[0], ReadContext(units[0].relpath))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), result.error) == (3, 3, None)  # like.js is not read
    rows = by_id(result.frame, Messages.message_id)
    long = rows.loc["1843000000000000101", Messages.text]
    assert long.startswith("Autumn Roast is back & it's our slowest roast yet.")  # entities decoded
    assert long.endswith("In shops from Monday, and on the website today.") and "…" not in long
    reply = rows.loc["1843000000000000202"]
    assert reply[Messages.text].startswith("@marta_eats Thank you for the long review!")  # its @name kept
    assert reply[Messages.text].endswith("if it tastes sharp, go coarser or cooler.")  # note a second earlier
    assert reply[Messages.kind] == "reply" and reply[Messages.parent_id] == "1842999999999999001"
    # A note of the same second that does not begin with the tweet's words is not its text.
    assert (
        rows.loc["1843000000000000303", Messages.text]
        == "Doors open at 9 tomorrow at the Madrid roastery. See you!"
    )
    assert set(rows[Messages.channel]) == {"brightbrewcoffee"}  # from account.js


def test_x_archive_folder_holding_another_export_is_read_file_by_file_and_nothing_is_taken_in(tmp_path: Path):
    """Another export put in the archive's folder is never swallowed by it: every file is read on its own
    (the tweets keep their cut text then), the manifest is recognised and holds no rows."""
    folder = tmp_path / "exports" / "x"
    shutil.copytree(LONG_POSTS / "data", folder)
    shutil.copy(FIXTURES / "x_analytics/x_analytics_promoted_dash.csv", folder)
    units = find_units(tmp_path / "exports", tmp_path)
    assert len(units) == 6 and not any(u.is_folder for u in units)
    read = {}
    for unit in units:
        reader = detect(Probe(unit))
        assert reader is not None, unit.relpath
        result = reader.read(unit, ReadContext(unit.relpath, MADRID, {}))
        assert_balanced(result)
        read[Path(unit.relpath).name] = (reader.name, result)
    assert read["x_analytics_promoted_dash.csv"][0] == "x_analytics"
    assert len(read["x_analytics_promoted_dash.csv"][1].frame) > 0
    manifest = read["manifest.js"][1]
    assert read["manifest.js"][0] == "x_archive" and (manifest.rows_read, manifest.error) == (0, None)
    tweets = by_id(read["tweets.js"][1].frame, Messages.message_id)
    assert tweets.loc["1843000000000000101", Messages.text].endswith("https://t.co/Xr8pLq2ZwA")


def test_x_archive_zip_with_note_tweet_js_reads_like_its_unpacked_folder(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path in sorted((LONG_POSTS / "data").iterdir()):
            z.writestr(f"data/{path.name}", path.read_bytes())
    zipped = parse_x_archive_zip(dict(ZipBundle.from_bytes(buffer.getvalue())), ReadContext("exports/x.zip"))
    folder = parse_x_archive_zip(
        {p.name: p.read_bytes() for p in (LONG_POSTS / "data").iterdir()}, ReadContext("exports/x.zip")
    )
    columns = [Messages.message_id, Messages.text, Messages.created_at, Messages.reactions]
    pd.testing.assert_frame_equal(zipped.frame[columns], folder.frame[columns])
    assert (
        "slower roast" not in zipped.frame[Messages.text].str.cat()
        and zipped.frame[Messages.text].str.len().max() > 300
    )
    # Without note-tweet.js the cut text is what the archive holds.
    cut = parse_x_archive_zip(
        {p.name: p.read_bytes() for p in (LONG_POSTS / "data").iterdir() if p.name != "note-tweet.js"},
        ReadContext("exports/x.zip"),
    )
    assert (
        by_id(cut.frame, Messages.message_id)
        .loc["1843000000000000101", Messages.text]
        .endswith("surprised all of us… https://t.co/Xr8pLq2ZwA")
    )


def test_x_archive_cut_off_or_prefixless_files_are_refused_in_plain_words():
    data = (FIXTURES / "x_archive/x_archive_tweets_js_prefix.js").read_bytes()
    cut = parse_x_archive(data[: len(data) // 2], ReadContext("exports/x/tweets.js"))
    assert cut.rows_read == 0 and "is cut off" in cut.error and "Download or export it again" in cut.error
    plain = parse_x_archive(b'[{"tweet": {}}]', ReadContext("exports/x/tweets.js"))
    assert "does not start with window.YTD.tweets.part0" in plain.error


# --------------------------------------------------------------------------------------------------
# Facebook Page Insights: video posts, page-level days, the SpreadsheetML download


def test_facebook_video_posts_with_repeated_headers_read_like_the_post_export():
    result = read(
        parse_facebook_insights_posts, "facebook/facebook_insights_video_posts_repeated_headers.csv"
    )
    assert result.error is None and (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
    assert result.assumed_timezone == MADRID
    posts = by_id(result.frame)
    video = posts.loc["1520334788229930_1600123456789012"]
    assert video[Posts.created_at] == utc("2016-03-04 17:30:00")  # 06:30:00 PM in Madrid (CET)
    assert video[Posts.post_type] == "video" and video[Posts.channel] == "brightbrewcoffee"
    assert video[Posts.video_views] == 5230  # Lifetime Total Video Views
    assert (video[Posts.reach], video[Posts.impressions], video[Posts.engagements]) == (8120, 11240, 933)
    assert (video[Posts.reactions], video[Posts.comments], video[Posts.shares]) == (388, 41, 57)
    assert video[Posts.clicks] == 1312
    older = posts.loc["1520334788229930_1600987654321098"]
    assert pd.isna(older[Posts.video_views]) and pd.isna(older[Posts.comments])  # empty cells: absent
    assert result.frame[Posts.source_row].tolist() == [3, 4]  # row 2 describes the metrics
    Posts.validate(result.frame)


def test_facebook_page_level_daily_cp1252_is_recognised_and_its_days_skipped_not_used(tmp_path: Path):
    rel = "facebook/facebook_insights_page_daily_cp1252.csv"
    raw = (FIXTURES / rel).read_bytes()
    assert b"Catalu\xf1a" in raw and b"\r\n" in raw  # Windows-1252 and CRLF, as downloaded
    result = read(parse_facebook_insights_page_daily, rel)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (
        4,
        0,
        0,
    )  # description row not counted
    (reason,) = result.skipped
    assert result.skipped[reason] == 4 and "page-level daily" in reason and "not used" in reason
    target = tmp_path / "export.csv"
    target.write_bytes(raw)
    reader = detect(Probe(ExportUnit(target, "exports/export.csv")))
    assert reader is not None and reader.name == "facebook_insights_page_daily"


def test_facebook_spreadsheetml_download_translates_api_names_and_joins_the_breakdown_sheets():
    result = read(parse_facebook_insights_xls, "facebook/facebook_insights_spreadsheetml.xls")
    assert result.error is None and (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    assert result.assumed_timezone == MADRID
    posts = by_id(result.frame)
    spring = posts.loc["1520334788229930_1610000000000001"]
    assert spring[Posts.created_at] == utc("2016-04-01 07:00")  # a DateTime cell, 09:00 in Madrid (CEST)
    assert (spring[Posts.reach], spring[Posts.impressions], spring[Posts.engagements]) == (6120, 8805, 540)
    assert spring[Posts.clicks] == 711
    # from the sheet "Lifetime Talking About This (Po": bare comment / like / share columns
    assert (spring[Posts.reactions], spring[Posts.comments], spring[Posts.shares]) == (402, 44, 31)
    final = posts.loc["1520334788229930_1610000000000002"]
    assert final[Posts.text] == "Barista championship: we're in the final!\nWish us luck"
    assert final[Posts.post_type] == "status" and pd.isna(final[Posts.shares])
    link = posts.loc["1520334788229930_1610000000000003"]
    assert pd.isna(link[Posts.impressions]) and link[Posts.reach] == 1900  # a cell left out with ss:Index
    assert link[Posts.comments] is pd.NA and link[Posts.reactions] == 61
    assert result.frame[Posts.source_row].tolist() == [3, 4, 5]
    Posts.validate(result.frame)


def _spreadsheetml_text() -> str:
    return (FIXTURES / "facebook/facebook_insights_spreadsheetml.xls").read_text(encoding="utf-8")


def test_facebook_spreadsheetml_bad_date_and_a_post_missing_from_the_key_sheet_name_their_sheet():
    text = _spreadsheetml_text()
    text = text.replace("2016-04-03T19:45:00.000", "not a date", 1).replace(
        'ss:Type="DateTime">not a date', 'ss:Type="String">not a date', 1
    )
    # the Talking About This sheet holds a post the key sheet does not
    orphan = "1520334788229930_1619999999999999"
    talking = text.index('<Worksheet ss:Name="Lifetime Talking About This (Po">')
    end = text.index("</Table>", talking)
    text = (
        text[:end]
        + f'   <Row>\n    <Cell><Data ss:Type="String">{orphan}</Data></Cell>\n'
        + '    <Cell ss:Index="10"><Data ss:Type="Number">5</Data></Cell>\n   </Row>\n  '
        + text[end:]
    )
    result = parse_facebook_insights_xls(text.encode(), ReadContext("exports/fb.xls", MADRID))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 2, 2)
    q = result.quarantine.set_index("row")
    assert q.loc[4, "reason"] == (
        'exports/fb.xls, sheet "Key Metrics", row 4, field "Posted": expected a date like 02/14/2016 '
        '12:40:16 AM, got "not a date"'
    )
    assert q.loc[6, "reason"] == (
        f'exports/fb.xls, sheet "Lifetime Talking About This (Po", row 6: post {orphan} is not on the sheet '
        '"Key Metrics", so its figures have no post to belong to'
    )


def test_facebook_spreadsheetml_cut_off_keeps_the_rows_before_the_damage_and_says_so():
    text = _spreadsheetml_text()
    cut = text[: text.index("1520334788229930_1610000000000003")]
    result = parse_facebook_insights_xls(cut.encode(), ReadContext("exports/fb.xls", MADRID))
    assert_balanced(result)
    assert len(result.frame) == 2 and "damaged or cut off at line" in result.error
    assert "Download the export again" in result.error


def test_facebook_spreadsheetml_page_level_is_recognised_and_its_days_skipped():
    result = read(parse_facebook_insights_xls, "facebook/facebook_insights_spreadsheetml_page_level.xls")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame)) == (3, 0)
    (reason,) = result.skipped
    assert "page-level daily" in reason and 'sheet "Key Metrics"' in reason


def test_spreadsheetml_with_entities_or_without_a_facebook_sheet_is_refused_in_plain_words():
    xml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    )
    result = parse_facebook_insights_xls(xml, ReadContext("exports/evil.xls"))
    assert result.rows_read == 0 and "declares a document type or entities" in result.error
    other = _spreadsheetml_text().replace("Post ID", "Kennung")
    refused = parse_facebook_insights_xls(other.encode(), ReadContext("exports/other.xls"))
    assert (
        refused.rows_read == 0 and "none of its sheets" in refused.error and '"Key Metrics"' in refused.error
    )


def test_spreadsheetml_cells_keep_their_columns_across_index_gaps_and_merges():
    xml = (
        b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>'
        b'<Row><Cell ss:MergeAcross="1"><Data ss:Type="String">a</Data></Cell>'
        b'<Cell><Data ss:Type="Number">2.0</Data></Cell></Row>'
        b'<Row ss:Index="4"><Cell ss:Index="3"><Data ss:Type="String">c</Data>'
        b"<Comment><ss:Data>a note, not a cell</ss:Data></Comment></Cell></Row>"
        b"</Table></Worksheet></Workbook>"
    )
    book = read_workbook(xml)
    assert book.kind is WorkbookKind.SPREADSHEETML and book.problem is None
    assert book.sheets[0].records == [["a", "", "2"], [], [], ["", "", "c"]]


def test_breakdown_titles_for_api_names_and_cut_sheet_names():
    assert title_of("post_impressions_unique:lifetime") == "Lifetime Post Total Reach"
    assert title_of("post_storytellers_by_action_type:lifetime - share") == (
        "Lifetime Talking About This (Post) by action type - share"
    )
    assert (
        breakdown_of("Lifetime Talking About This (Po") == "Lifetime Talking About This (Post) by action type"
    )
    assert breakdown_of("Key Metrics") is None
    assert title_of("like", breakdown_of("Lifetime Post Stories by act...")) == (
        "Lifetime Post Stories by action type - like"
    )


# --------------------------------------------------------------------------------------------------
# Meta Business Suite


def test_meta_business_suite_instagram_content_maps_columns_by_name_and_keeps_absent_counts_null():
    result = read(parse_meta_business_suite, "meta_business_suite/meta_business_suite_instagram_content.csv")
    assert result.error is None and (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    assert result.assumed_timezone == MADRID
    posts = by_id(result.frame)
    carousel = posts.loc["18045566778899001"]
    assert carousel[Posts.platform] == "instagram" and carousel[Posts.channel] == "brightbrew"
    assert carousel[Posts.post_type] == "carousel"
    assert carousel[Posts.created_at] == utc("2025-10-03 12:05")  # 10/03/2025 14:05 in Madrid (CEST)
    assert carousel[Posts.text] == "Latte art Friday ☕ Which one is your favourite?\n#latteart #madrid"
    assert (carousel[Posts.impressions], carousel[Posts.reach], carousel[Posts.reactions]) == (
        5120,
        3980,
        412,
    )
    assert (carousel[Posts.comments], carousel[Posts.shares]) == (37, 18)
    assert pd.isna(carousel[Posts.engagements]) and pd.isna(carousel[Posts.clicks])  # not in this export
    reel = posts.loc["18045566778899002"]
    assert reel[Posts.post_type] == "reel" and pd.isna(reel[Posts.impressions]) and reel[Posts.reach] == 12840
    story = posts.loc["18045566778899003"]
    assert (
        story[Posts.post_type] == "story" and pd.isna(story[Posts.reactions]) and pd.isna(story[Posts.text])
    )
    Posts.validate(result.frame)


def test_meta_business_suite_facebook_export_with_another_column_set_bom_and_crlf():
    rel = "meta_business_suite/meta_business_suite_facebook_variable_columns.csv"
    assert (FIXTURES / rel).read_bytes().startswith(b"\xef\xbb\xbf")
    result = read(parse_meta_business_suite, rel)
    assert result.error is None and len(result.frame) == 2
    posts = by_id(result.frame)
    photo = posts.loc["104872316598214_1220334455667788"]
    assert (photo[Posts.platform], photo[Posts.channel], photo[Posts.post_type]) == (
        "facebook",
        "Brightbrew Coffee",
        "photo",
    )
    assert photo[Posts.impressions] == 9450  # Views: Meta's successor of impressions
    assert (photo[Posts.reactions], photo[Posts.comments], photo[Posts.shares], photo[Posts.clicks]) == (
        381,
        44,
        29,
        512,
    )
    reel = posts.loc["104872316598214_1220998877665544"]
    assert reel[Posts.text] == "Cupping at home" and reel[Posts.post_type] == "reel"  # Title: no Description
    assert pd.isna(reel[Posts.clicks])
    assert reel[Posts.created_at] == utc("2025-10-09 16:00")


def test_meta_business_suite_bad_rows_and_a_missing_column():
    text = (FIXTURES / "meta_business_suite/meta_business_suite_instagram_content.csv").read_text()
    text = text.replace("10/07/2025 19:30", "07/10/2025 7.30pm").replace("18045566778899003", "", 1)
    result = parse_meta_business_suite(text.encode(), ReadContext("exports/ig.csv", MADRID))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 1, 2)
    q = result.quarantine.set_index("row")
    assert q.loc[3, "reason"] == (
        'exports/ig.csv row 3, field "Publish time": expected a date like 10/01/2025 14:05, '
        'got "07/10/2025 7.30pm"'
    )
    assert q.loc[4, "field"] == "Post ID" and "got nothing" in q.loc[4, "reason"]
    no_time = text.replace("Publish time", "Published")
    refused = parse_meta_business_suite(no_time.encode(), ReadContext("exports/ig.csv", MADRID))
    assert refused.rows_read == 0 and "no header row" in refused.error  # not even recognised as this export


# --------------------------------------------------------------------------------------------------
# LinkedIn


LINKEDIN_SOURCE = "exports/linkedin/brightbrew_content_1761912000000.xlsx"


def test_linkedin_content_xlsx_finds_the_header_under_its_notes_rows_and_skips_the_metrics_days():
    result = read(parse_linkedin_content, "linkedin/linkedin_content_notes_rows.xlsx", source=LINKEDIN_SOURCE)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (6, 3, 0)
    assert result.skipped == {
        "LinkedIn page daily figures (one row per day for the whole page, not a post): "
        "recognised, not used": 3
    }
    assert result.assumed_timezone == MADRID
    posts = by_id(result.frame)
    assert set(posts[Posts.channel]) == {"brightbrew"}  # the page LinkedIn names the download after
    meet = posts.loc["urn:li:activity:7381234567890123456"]
    assert meet[Posts.created_at] == utc("2025-09-30 22:00")  # 10/01/2025, midnight in Madrid
    assert (meet[Posts.impressions], meet[Posts.clicks], meet[Posts.reactions]) == (4210, 188, 97)
    assert (meet[Posts.comments], meet[Posts.shares], meet[Posts.post_type]) == (12, 6, "image")
    assert pd.isna(meet[Posts.video_views]) and pd.isna(meet[Posts.engagements])
    hiring = posts.loc["urn:li:share:7383333333333333333"]
    assert hiring[Posts.created_at] == utc("2025-10-05 22:00")  # a date cell, not text
    video = posts.loc["urn:li:activity:7385555555555555555"]  # from a /posts/...-activity-<id>- link
    assert video[Posts.video_views] == 1204 + 31  # on-site plus off-site views
    assert result.frame[Posts.source_row].tolist() == [4, 5, 6]  # two notes rows, then the header
    Posts.validate(result.frame)


def test_linkedin_binary_xls_reads_like_the_xlsx():
    biff = read(parse_linkedin_content, "linkedin/linkedin_content_biff.xls", source=LINKEDIN_SOURCE)
    xlsx = read(parse_linkedin_content, "linkedin/linkedin_content_notes_rows.xlsx", source=LINKEDIN_SOURCE)
    assert (FIXTURES / "linkedin/linkedin_content_biff.xls").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    pd.testing.assert_frame_equal(biff.frame, xlsx.frame)
    assert biff.skipped == xlsx.skipped and biff.rows_read == xlsx.rows_read


def test_linkedin_post_without_a_usable_link_is_quarantined_naming_the_sheet():
    book = openpyxl.load_workbook(FIXTURES / "linkedin/linkedin_content_notes_rows.xlsx")
    sheet = book["All posts"]
    sheet["B5"] = "https://www.linkedin.com/company/brightbrew/"
    sheet["F6"] = "sometime in October"
    buf = io.BytesIO()
    book.save(buf)
    result = parse_linkedin_content(buf.getvalue(), ReadContext("exports/li.xlsx", MADRID))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (6, 1, 2)
    q = result.quarantine.set_index("row")
    assert q.loc[5, "reason"] == (
        'exports/li.xlsx, sheet "All posts", row 5, field "Update link": expected a post link like '
        "https://www.linkedin.com/feed/update/urn:li:activity:7113834789312557056, "
        'got "https://www.linkedin.com/company/brightbrew/"'
    )
    assert q.loc[6, "field"] == "Created date"
    assert set(result.frame[Posts.channel]) == {"unknown"}  # this file name does not name the page


def test_linkedin_post_ids_from_every_link_form():
    links = pd.Series(
        [
            "https://www.linkedin.com/feed/update/urn:li:activity:7381234567890123456/",
            "https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A7111111111111111111",
            "https://www.linkedin.com/posts/brightbrew_x-activity-7385555555555555555-AbCd",
            "https://www.linkedin.com/company/brightbrew/",
        ],
        dtype="str",
    )
    assert post_ids(links).tolist()[:3] == [
        "urn:li:activity:7381234567890123456",
        "urn:li:ugcPost:7111111111111111111",
        "urn:li:activity:7385555555555555555",
    ]
    assert pd.isna(post_ids(links).iloc[3])


# --------------------------------------------------------------------------------------------------
# YouTube Studio


def test_youtube_table_data_total_row_is_skipped_and_videos_read_with_local_publish_dates():
    result = read(parse_youtube_csv, "youtube/youtube_table_data_total_row.csv")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 3, 0)
    assert result.skipped == {"YouTube Studio Total row (the sum of the rows below it, not a video)": 1}
    assert result.assumed_timezone == MADRID
    videos = by_id(result.frame)
    guji = videos.loc["kX9pQ2rT7vA"]
    assert guji[Posts.created_at] == utc("2025-10-01 22:00")  # "Oct 2, 2025", midnight in Madrid
    assert (guji[Posts.video_views], guji[Posts.impressions]) == (1804, 30120)
    assert guji[Posts.text] == "How we roast: Guji, light and floral" and guji[Posts.post_type] == "video"
    assert guji[Posts.url] == "https://www.youtube.com/watch?v=kX9pQ2rT7vA"
    assert pd.isna(guji[Posts.reactions]) and pd.isna(guji[Posts.reach])  # not chosen in this export
    short = videos.loc["Tq7Yh3Jd0Ke"]
    assert pd.isna(short[Posts.impressions]) and short[Posts.video_views] == 279  # negative subscribers: fine
    assert result.frame[Posts.source_row].tolist() == [3, 4, 5]
    Posts.validate(result.frame)


def test_youtube_ids_starting_with_a_dash_and_negative_subscriber_change():
    result = read(parse_youtube_csv, "youtube/youtube_table_data_dash_id_negative_subscribers.csv")
    assert result.error is None and len(result.quarantine) == 0
    videos = by_id(result.frame)
    sour = videos.loc["-x7Gk2LmQ9s"]
    assert (sour[Posts.reactions], sour[Posts.comments], sour[Posts.shares]) == (41, 8, 4)
    assert sour[Posts.url] == "https://www.youtube.com/watch?v=-x7Gk2LmQ9s"
    assert videos.loc["_4hRtY6uIo0", Posts.video_views] == 229  # the video that lost 4 subscribers


def test_youtube_table_resaved_with_day_first_dates_and_crlf_reads_the_same_dates():
    rel = "youtube/youtube_table_data_resaved_ddmmyyyy_crlf.csv"
    assert b"02-10-2025" in (FIXTURES / rel).read_bytes() and b"\r\n" in (FIXTURES / rel).read_bytes()
    resaved = by_id(read(parse_youtube_csv, rel).frame)
    original = by_id(read(parse_youtube_csv, "youtube/youtube_table_data_total_row.csv").frame)
    for video in ("kX9pQ2rT7vA", "Zb4Lm8Nq1Ws"):
        assert resaved.loc[video, Posts.created_at] == original.loc[video, Posts.created_at]


def test_youtube_chart_data_and_totals_are_recognised_and_skipped_and_a_bare_date_views_file_is_not():
    chart = read(parse_youtube_csv, "youtube/youtube_chart_data_long_format.csv")
    assert (chart.rows_read, len(chart.frame)) == (4, 0) and chart.skipped_total == 4
    assert "Chart data" in next(iter(chart.skipped))
    totals = read(parse_youtube_csv, "youtube/youtube_totals_date_views.csv", source="exports/yt/Totals.csv")
    assert (totals.rows_read, totals.skipped_total) == (3, 3) and "Totals" in next(iter(totals.skipped))


def test_youtube_totals_detection_needs_its_name_when_it_holds_only_date_and_views(tmp_path: Path):
    data = (FIXTURES / "youtube/youtube_totals_date_views.csv").read_bytes()
    (tmp_path / "Totals.csv").write_bytes(data)
    (tmp_path / "daily.csv").write_bytes(data)
    named = detect(Probe(ExportUnit(tmp_path / "Totals.csv", "exports/Totals.csv")))
    assert named is not None and named.name == "youtube_studio"
    assert detect(Probe(ExportUnit(tmp_path / "daily.csv", "exports/daily.csv"))) is None


def test_youtube_zip_reads_the_table_skips_the_other_two_and_takes_the_channel_from_its_name():
    zipped = ZipBundle.from_bytes((FIXTURES / "youtube/youtube_studio_advanced_zip.zip").read_bytes())
    source = "exports/yt/Content 2025-09-01_2025-10-01 Brightbrew Coffee.zip"
    result = parse_youtube_zip({n: zipped[n] for n in zipped}, ReadContext(source, MADRID))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4 + 4 + 3, 3, 0)
    assert sorted(result.skipped.values()) == [1, 3, 4]
    assert set(result.frame[Posts.channel]) == {"Brightbrew Coffee"}
    assert set(result.frame[Posts.source_file]) == {f"{source}/Table data.csv"}
    assert result.assumed_timezone == MADRID


def test_youtube_bad_rows_are_quarantined_with_file_row_and_field():
    text = (FIXTURES / "youtube/youtube_table_data_total_row.csv").read_text()
    text = text.replace('"Oct 2, 2025"', "Octobre 2", 1).replace("Zb4Lm8Nq1Ws", "watch?v=Zb4", 1)
    result = parse_youtube_csv(text.encode(), ReadContext("exports/yt/Table data.csv", MADRID))
    assert_balanced(result)
    assert (len(result.frame), len(result.quarantine), result.skipped_total) == (1, 2, 1)
    q = result.quarantine.set_index("row")
    assert q.loc[3, "reason"] == (
        'exports/yt/Table data.csv row 3, field "Video publish time": expected a date like "Oct 2, 2025", '
        'got "Octobre 2"'
    )
    assert q.loc[4, "field"] == "Content" and 'got "watch?v=Zb4"' in q.loc[4, "reason"]


# --------------------------------------------------------------------------------------------------
# Detection and the whole client


POST_FIXTURES = {
    "x_archive/x_archive_tweets_js_prefix.js": "x_archive",
    "x_archive/x_archive_tweet_js_2020_semicolon.js": "x_archive",
    "x_archive/x_archive_retweet_truncated.js": "x_archive",
    "x_archive/x_archive_edit_info_versions.js": "x_archive",
    "x_archive/x_archive_withheld_in_countries.js": "x_archive",
    "x_archive/x_archive_unwrapped_tweets.js": "x_archive",
    "facebook/facebook_insights_video_posts_repeated_headers.csv": "facebook_insights_posts",
    "facebook/facebook_insights_page_daily_cp1252.csv": "facebook_insights_page_daily",
    "facebook/facebook_insights_spreadsheetml.xls": "facebook_insights_xls",
    "facebook/facebook_insights_spreadsheetml_page_level.xls": "facebook_insights_xls",
    "meta_business_suite/meta_business_suite_instagram_content.csv": "meta_business_suite",
    "meta_business_suite/meta_business_suite_facebook_variable_columns.csv": "meta_business_suite",
    "linkedin/linkedin_content_notes_rows.xlsx": "linkedin_content",
    "linkedin/linkedin_content_biff.xls": "linkedin_content",
    "youtube/youtube_table_data_total_row.csv": "youtube_studio",
    "youtube/youtube_table_data_dash_id_negative_subscribers.csv": "youtube_studio",
    "youtube/youtube_table_data_resaved_ddmmyyyy_crlf.csv": "youtube_studio",
    "youtube/youtube_chart_data_long_format.csv": "youtube_studio",
    "youtube/youtube_studio_advanced_zip.zip": "youtube_studio",
}


@pytest.mark.parametrize(("rel", "expected"), POST_FIXTURES.items())
def test_each_post_fixture_is_detected_from_its_content_under_any_name(
    tmp_path: Path, rel: str, expected: str
):
    suffix = ".zip" if rel.endswith(".zip") else ".dat"
    target = tmp_path / f"download (2){suffix}"
    shutil.copy(FIXTURES / rel, target)
    reader = detect(Probe(ExportUnit(target, f"exports/{target.name}")))
    assert reader is not None and reader.name == expected
    assert get_reader(expected).title


def test_the_command_line_ingests_a_client_holding_every_post_export(tmp_path: Path, capsys):
    from community_health.cli import main

    root = tmp_path / "acme"
    (root / "exports").mkdir(parents=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    for rel in POST_FIXTURES:
        target = root / "exports" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / rel, target)
    shutil.copy(
        FIXTURES / "youtube/youtube_totals_date_views.csv", root / "exports" / "youtube" / "Totals.csv"
    )
    assert main(["ingest", "--client", "acme", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Ingested 20 export(s) for Brightbrew Coffee" in out and "not recognised" not in out
    assert "Problems:" not in out
    cfg = load_client("acme", tmp_path)
    tables = load_tables(cfg)
    log = tables.ingest_log
    assert (log["rows_read"] == log["kept"] + log["duplicates"] + log["quarantined"] + log["skipped"]).all()
    assert set(tables.posts[Posts.platform]) == {"facebook", "instagram", "linkedin", "youtube"}
    assert set(tables.messages[Messages.platform]) == {"x"}
    assert tables.messages[Messages.author_is_brand].all()
    members = tables.members.set_index("author_id")
    assert bool(members.loc["brightbrew", "is_brand"])  # the archive's owner is the brand, never a member
    zone = log.set_index("file").loc["exports/linkedin/linkedin_content_notes_rows.xlsx", "assumed_timezone"]
    assert zone == MADRID


def test_a_date_in_a_year_no_timestamp_can_hold_is_quarantined_not_a_crash():
    text = (FIXTURES / "meta_business_suite/meta_business_suite_instagram_content.csv").read_text()
    result = parse_meta_business_suite(
        text.replace("10/03/2025 14:05", "12/31/7011 23:00").encode(), ReadContext("exports/ig.csv", MADRID)
    )
    assert_balanced(result)
    assert len(result.frame) == 2 and result.quarantine["reason"].iloc[0] == (
        'exports/ig.csv row 2, field "Publish time": expected a date like 10/01/2025 14:05, '
        'got "12/31/7011 23:00"'
    )


def test_facebook_insights_xlsx_breakdown_sheet_named_without_space_before_parenthesis():
    # The .xlsx download names the breakdown sheet "Lifetime Talking About This(..." (cut to 31 characters,
    # no space before the parenthesis); its bare share / like / comment columns are that breakdown's.
    title = "Lifetime Talking About This (Post) by action type"
    assert breakdown_of("Lifetime Talking About This(...") == title
    assert breakdown_of("Key Metrics") is None
    fixture = "facebook/facebook_insights_xlsx_cut_breakdown_sheet_name.xlsx"
    result = read(parse_facebook_insights_xls, fixture)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
    p = result.frame.set_index(Posts.post_id)
    photo = p.loc["520000000000001_530000000000011"]
    assert (photo[Posts.reach], photo[Posts.comments], photo[Posts.shares]) == (1200, 5, 3)
    video = p.loc["520000000000001_530000000000012"]
    assert (video[Posts.reach], video[Posts.comments], video[Posts.shares]) == (5400, 22, 12)
    assert video[Posts.created_at] == pd.Timestamp("2017-07-25 16:00", tz="UTC")  # 18:00 in Madrid (CEST)


def test_linkedin_content_with_post_title_link_type_columns_reads_as_the_update_ones(tmp_path: Path):
    # Newer exports name the columns "Post title, Post link, Post type" instead of "Update ...".
    fixture = "linkedin/linkedin_content_post_title_link_type_columns.xlsx"
    target = tmp_path / "download.xlsx"
    shutil.copy(FIXTURES / fixture, target)
    reader = detect(Probe(ExportUnit(target, "exports/download.xlsx")))
    assert reader is not None and reader.name == "linkedin_content"
    result = read(parse_linkedin_content, fixture, source=LINKEDIN_SOURCE)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
    posts = by_id(result.frame)
    autumn = posts.loc["urn:li:activity:7381234567890123456"]
    assert autumn[Posts.text] == "Our autumn blend is here"
    assert autumn[Posts.url] == "https://www.linkedin.com/feed/update/urn:li:activity:7381234567890123456"
    assert (autumn[Posts.impressions], autumn[Posts.reactions], autumn[Posts.shares]) == (4210, 97, 6)
    assert autumn[Posts.created_at] == utc("2025-09-30 22:00")


def test_x_archive_handle_is_the_name_most_replies_to_own_tweets_give():
    # A 2017 archive lists first a reply to one of the account's own tweets whose in_reply_to_screen_name
    # is another account; the account's own thread below it names the owner twice.
    result = read(parse_x_archive, "x_archive/x_archive_reply_to_own_tweet_naming_another_account.js")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 4, 0)
    assert set(result.frame[Messages.channel]) == {"brightbrew"}
    assert set(result.frame[Messages.author_id]) == {"brightbrew"}
    m = by_id(result.frame, Messages.message_id)
    assert m.loc["842541000000000002", Messages.thread_id] == "842535905818632192"
    assert m.loc["842586074962575364", Messages.thread_id] == "842535905818632192"
    assert m.loc["842541000000000002", Messages.text] == "3/ And weigh the beans & the water"


@pytest.mark.parametrize(
    "fixture",
    [
        "youtube/youtube_table_data_spanish_headers_and_dates.csv",
        "youtube/youtube_tabellendaten_german_headers_dot_dates.csv",
    ],
)
def test_youtube_table_exported_in_spanish_or_german_reads_as_the_english_one(tmp_path: Path, fixture: str):
    # Studio writes headers, the Total label and dates in its interface's language.
    target = tmp_path / "export.csv"
    shutil.copy(FIXTURES / fixture, target)
    reader = detect(Probe(ExportUnit(target, "exports/export.csv")))
    assert reader is not None and reader.name == "youtube_studio"
    result = read(parse_youtube_csv, fixture)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 2, 0)
    assert result.skipped == {"YouTube Studio Total row (the sum of the rows below it, not a video)": 1}
    videos = by_id(result.frame)
    tasting = videos.loc["abc123DEF45"]
    assert tasting[Posts.created_at] == utc("2025-09-04 22:00")  # 5 September, midnight in Madrid
    assert tasting[Posts.impressions] == 40000 and tasting[Posts.video_views] > 4000
    assert videos.loc["-zYxWvUtSrQ", Posts.created_at] == utc("2025-01-11 23:00")  # 12 January
    assert videos.loc["-zYxWvUtSrQ", Posts.video_views] == 1000


def test_youtube_german_zip_names_its_files_tabellendaten_and_gesamtwerte(tmp_path: Path):
    table = (FIXTURES / "youtube/youtube_tabellendaten_german_headers_dot_dates.csv").read_bytes()
    target = tmp_path / "Inhalt 2025-09-01_2025-10-01 Brightbrew.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("Tabellendaten.csv", table)
        zf.writestr("Gesamtwerte.csv", "Datum,Aufrufe\n2025-10-29,3415\n2025-10-30,3000\n")
    reader = detect(Probe(ExportUnit(target, f"exports/{target.name}")))
    assert reader is not None and reader.name == "youtube_studio"
    with zipfile.ZipFile(target) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    result = parse_youtube_zip(files, ReadContext(f"exports/{target.name}", MADRID))
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 2, 0)
    assert set(result.frame[Posts.channel]) == {"Brightbrew"}
    assert sum(result.skipped.values()) == 3  # the Gesamt row and the two days of Gesamtwerte.csv


def test_x_archive_grailbird_month_file_of_an_archive_from_before_2019(tmp_path: Path):
    # data/js/tweets/2015_01.js: "Grailbird.data.tweets_2015_01 =", bare tweets with "text", dates like
    # "2015-01-24 02:02:37 +0000", the author in "user", retweets in "retweeted_status", no counts.
    fixture = "x_archive/x_archive_grailbird_month_file.js"
    result = read(parse_x_archive, fixture)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 2, 0)
    assert result.skipped == {
        "X retweet of another account's post (not the brand's own words), not counted as its post": 1
    }
    m = by_id(result.frame, Messages.message_id)
    post = m.loc["558807048880521216"]
    assert post[Messages.created_at] == utc("2015-01-24 02:02:37")
    assert post[Messages.text] == "My time is 6:01.90 & falling."
    assert post[Messages.channel] == "brightbrew" and post[Messages.author_is_brand]
    assert pd.isna(post[Messages.reactions]) and pd.isna(post[Messages.shares])
    reply = m.loc["558806000000000000"]
    assert (reply[Messages.kind], reply[Messages.parent_id]) == ("reply", "558700000000000000")
    archive = tmp_path / "brightbrew_archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/js/tweets/2015_01.js", (FIXTURES / fixture).read_bytes())
        zf.writestr("data/js/tweet_index.js", "var tweet_index = []")
        zf.writestr("tweets.csv", '"tweet_id","timestamp","text"\n')
    reader = detect(Probe(ExportUnit(archive, "exports/brightbrew_archive.zip")))
    assert reader is not None and reader.name == "x_archive"
    with zipfile.ZipFile(archive) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n.endswith(".js")}
    zipped = parse_x_archive_zip(files, ReadContext("exports/brightbrew_archive.zip"))
    assert len(zipped.frame) == 2 and set(zipped.frame[Messages.channel]) == {"brightbrew"}


def test_a_page_insights_workbook_of_several_sheets_goes_to_the_workbook_reader(tmp_path: Path):
    # Its data sheet has a post-level header, which the CSV reader would also take: it would read that
    # sheet alone and leave reach, comments and shares (in the breakdown sheets) empty.
    target = tmp_path / "Facebook Insights Data Export (Post Level) - Brightbrew.xlsx"
    shutil.copy(FIXTURES / "facebook/facebook_insights_xlsx_cut_breakdown_sheet_name.xlsx", target)
    unit = ExportUnit(target, f"exports/{target.name}")
    assert detect(Probe(unit)).name == "facebook_insights_xls"
    result = get_reader("facebook_insights_xls").read(unit, ReadContext(f"exports/{target.name}", MADRID, {}))
    assert result.frame[Posts.reach].notna().all() and result.frame[Posts.shares].notna().all()
