"""Listening-tool readers (Talkwalker, Meltwater, Sprout Social) on fixtures of real layouts named after the
quirk they hold: every mention becomes a ``messages`` row of kind ``mention``, as Brandwatch's do."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from community_health.ingest import ReadContext, ReadResult
from community_health.ingest.brandwatch import parse_brandwatch
from community_health.ingest.envelope import counts_from_text
from community_health.ingest.meltwater import parse_meltwater
from community_health.ingest.mentions import counts_from_local_text
from community_health.ingest.sheets import counts_with
from community_health.ingest.sprout_social import parse_sprout_social
from community_health.ingest.talkwalker import parse_talkwalker
from community_health.schema import Messages

FIXTURES = Path(__file__).parent / "fixtures"
MADRID = "Europe/Madrid"
M = Messages
ANA_TWEET = "1845678901234567890"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(parse, relpath: str, timezone: str = MADRID, mapping: dict[str, str] | None = None) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes()
    return parse(data, ReadContext(f"exports/{relpath}", timezone, mapping or {}))


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(M.message_id, drop=False)


def assert_mentions(result: ReadResult) -> None:
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total
    assert set(result.frame[M.kind]) <= {"mention"}
    assert (result.frame[M.thread_id] == result.frame[M.message_id]).all()
    assert result.frame[M.parent_id].isna().all()
    Messages.validate(result.frame, lazy=True)


# --------------------------------------------------------------------------------------------------
# Talkwalker


def test_talkwalker_dotted_columns_platforms_counts_and_a_bad_date():
    result = read(parse_talkwalker, "talkwalker/talkwalker_dotted_columns.csv")
    assert_mentions(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (5, 4, 1)
    assert result.assumed_timezone == MADRID
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]  # the status id of the link, as Brandwatch's Mention Id
    assert (
        tweet[M.platform] == "x" and tweet[M.author_id] == "ana_cafe" and tweet[M.author_name] == "Ana López"
    )
    assert tweet[M.created_at] == utc("2026-10-13 12:22:05")  # 14:22:05 in Madrid (CEST)
    assert (tweet[M.reactions], tweet[M.shares], tweet[M.reach], tweet[M.author_followers]) == (
        1203,
        14,
        12345,
        12345,
    )
    assert pd.isna(tweet[M.comments])  # absent, not zero
    news = m.loc["https://elpais.com/gastronomia/2026-10-14/el-auge-del-cafe-de-especialidad.html"]
    assert (
        news[M.platform] == "web" and news[M.channel] == "elpais.com" and news[M.author_id] == "Lucía Martín"
    )
    assert news[M.text].endswith("La demanda se ha duplicado.")
    reddit = m.loc["https://www.reddit.com/r/Coffee/comments/abc123/brightbrew_guji/kx1y2z3/"]
    assert reddit[M.channel] == "r/Coffee" and reddit[M.comments] == 3
    video = m.loc["https://www.youtube.com/watch?v=-bRw8Qk3x1A"]
    assert (
        video[M.text] == "Brightbrew Guji review: worth it?" and video[M.video_views] == 12000
    )  # title, no content
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (6, "published")
    assert q["reason"] == (
        'exports/talkwalker/talkwalker_dotted_columns.csv row 6, field "published": expected a date like '
        '2017-09-22 11:10:56 or 22/09/17 11:10:56, got "yesterday"'
    )


def test_talkwalker_localised_workbook_with_every_cell_as_text():
    result = read(parse_talkwalker, "talkwalker/talkwalker_localised_text_cells.xlsx")
    assert_mentions(result)
    assert (result.rows_read, len(result.frame)) == (
        3,
        3,
    ) and result.error is None  # 13/10/26 settles day first
    m = by_id(result.frame)
    assert m.loc[ANA_TWEET, M.created_at] == utc("2026-10-13 12:22:05")
    assert m.loc[ANA_TWEET, M.reactions] == 1203  # "1.203": a thousands separator
    news = "https://elpais.com/gastronomia/2026-10-14/el-auge-del-cafe-de-especialidad.html"
    assert m.loc[news, M.created_at] == utc("2026-10-05 07:05") and m.loc[news, M.reach] == 250000


# --------------------------------------------------------------------------------------------------
# Meltwater


def test_meltwater_utf16_tab_separated_with_tweet_ids_and_thousands_separators():
    data = (FIXTURES / "meltwater/meltwater_utf16_tabs.csv").read_bytes()
    assert data.startswith(b"\xff\xfe")  # UTF-16 little-endian with its byte-order mark
    result = read(parse_meltwater, "meltwater/meltwater_utf16_tabs.csv")
    assert_mentions(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 3, 1)
    assert result.assumed_timezone == MADRID
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]  # from "Tweet Id"
    assert tweet[M.author_id] == "ana_cafe" and tweet[M.author_followers] == 12345 and tweet[M.reach] == 12345
    assert tweet[M.created_at] == utc("2026-10-13 12:22")  # 13-Oct-2026 02:22PM in Madrid
    news = m.loc["https://elpais.com/gastronomia/2026-10-14/el-auge-del-cafe-de-especialidad.html"]
    assert news[M.reach] == 1250000 and news[M.author_name] == "Lucía Martín"
    assert news[M.text] == "... como Brightbrew han llevado el café de especialidad ..."  # the hit sentence
    group = m.loc["https://www.facebook.com/groups/cafemadrid/posts/1234567890123456/"]
    assert group[M.platform] == "facebook" and group[M.text].count("\n") == 1 and pd.isna(group[M.reach])
    q = result.quarantine.iloc[0]
    assert (q["row"], q["field"]) == (5, "Date") and 'got "31-Sep-2026 10:00AM"' in q["reason"]


def test_meltwater_renamed_column_through_the_client_mapping():
    text = (FIXTURES / "meltwater/meltwater_utf16_tabs.csv").read_bytes().decode("utf-16")
    text = text.replace("Hit Sentence", "Frase", 1).replace("Influencer", "Autor", 1)
    plain = by_id(parse_meltwater(text.encode("utf-16"), ReadContext("exports/mw.csv", MADRID)).frame)
    assert pd.isna(plain.loc[ANA_TWEET, M.text])  # the tweet's words were in the renamed column
    mapping = {"Frase": "Hit Sentence", "Autor": "author_name"}  # to the tool's own name, or to a field
    mapped = by_id(
        parse_meltwater(text.encode("utf-16"), ReadContext("exports/mw.csv", MADRID, mapping)).frame
    )
    assert mapped.loc[ANA_TWEET, M.text].startswith("@brightbrew my order arrived")
    assert (
        mapped.loc["https://www.facebook.com/groups/cafemadrid/posts/1234567890123456/", M.author_name]
        == "Marta G."
    )


# --------------------------------------------------------------------------------------------------
# Sprout Social


def test_sprout_thousands_separators_percent_rates_and_us_dates():
    result = read(parse_sprout_social, "sprout_social/sprout_thousands_separators_percent.csv")
    assert_mentions(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 3, 1)
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]
    assert (tweet[M.reactions], tweet[M.comments], tweet[M.shares]) == (1203, 37, 14)
    assert tweet[M.impressions] == 25100 and tweet[M.author_followers] == 12345
    assert tweet[M.created_at] == utc("2026-10-13 12:22")  # 10/13/2026 02:22 pm in Madrid
    comment = m.loc["https://www.instagram.com/p/CxYz123AbC/c/17890012345678901/"]
    assert (
        comment[M.platform] == "instagram"
        and comment[M.author_id] == "latte.lucia"
        and pd.isna(comment[M.shares])
    )
    fb = m.loc["https://www.facebook.com/groups/cafemadrid/posts/1234567890123456/"]
    assert fb[M.created_at] == utc("2026-10-02 21:47") and fb[M.author_id] == "Marta G."  # 10/02: month first
    q = result.quarantine.iloc[0]
    assert q["reason"] == (
        'exports/sprout_social/sprout_thousands_separators_percent.csv row 5, field "Likes": expected a '
        'whole number like 424 or 424.0, got "lots"'
    )


def test_sprout_ambiguous_dates_follow_sprouts_month_first_convention_and_say_so():
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["Date", "Network", "Message", "Permalink"])
    writer.writerow(["03/04/2026 09:00 am", "Twitter", "hello", "https://twitter.com/a/status/1"])
    result = parse_sprout_social(buf.getvalue().encode(), ReadContext("exports/sprout.csv", MADRID))
    assert result.frame[M.created_at].iloc[0] == utc("2026-03-04 08:00")
    assert "read month first (Sprout Social's usual order)" in result.error


# --------------------------------------------------------------------------------------------------
# Across tools


def test_the_same_tweet_found_by_four_tools_has_one_id():
    ids = [
        set(read(parse, rel).frame[M.message_id])
        for parse, rel in [
            (parse_brandwatch, "brandwatch/brandwatch_preamble_lines.csv"),
            (parse_talkwalker, "talkwalker/talkwalker_dotted_columns.csv"),
            (parse_meltwater, "meltwater/meltwater_utf16_tabs.csv"),
            (parse_sprout_social, "sprout_social/sprout_thousands_separators_percent.csv"),
        ]
    ]
    assert all(ANA_TWEET in found for found in ids)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,345", 12345),
        ("12.345", 12345),
        ("12 345", 12345),
        ("12\u00a0345", 12345),
        ("12.0", 12),
        ("12,0", 12),
    ],
)
def test_localised_counts(text, expected):
    counts, bad = counts_from_local_text(pd.Series([text, "", "4.2%"]))
    assert counts.iloc[0] == expected and pd.isna(counts.iloc[1]) and not bad[:2].any()


def test_meltwater_day_and_time_in_separate_columns_and_unix_times_in_talkwalker():
    text = (
        "Date\tHeadline\tURL\tHit Sentence\tTime\n"
        "Oct 13, 2026\tH\thttps://example.com/a\tone\t02:22 PM\n"
        "13-Oct-2026\tH\thttps://example.com/b\ttwo\t\n"
    )
    m = by_id(parse_meltwater(text.encode("utf-16"), ReadContext("exports/mw.csv", MADRID)).frame)
    assert m.loc["https://example.com/a", M.created_at] == utc("2026-10-13 12:22")
    assert m.loc["https://example.com/b", M.created_at] == utc(
        "2026-10-12 22:00"
    )  # a day alone: local midnight
    text = "published,url,content,source_type\n1760358125000,https://example.com/x,hi,ONLINENEWS\n"
    result = parse_talkwalker(text.encode(), ReadContext("exports/tw.csv", MADRID))
    assert (
        result.frame[M.created_at].iloc[0] == utc("2025-10-13 12:22:05") and result.assumed_timezone is None
    )


COUNT_TEXTS = [
    "",
    "12",
    "0012",
    "999999999999999",
    "9999999999999999",
    "424.0",
    "424.000",
    "1,234",
    "12.345",
    "12,0",
    "\u0661\u0662",
    " 12",
    "12 ",
    "-",
    "4.2%",
    "n/a",
    "-3",
    "1e3",
    None,
]


def test_counts_read_at_once_are_the_counts_of_the_full_reading():
    values = pd.Series(COUNT_TEXTS * 3, dtype="str")
    for convert, zero_fraction in ((counts_from_text, True), (counts_from_local_text, False)):
        counts, bad = counts_with(values, convert, zero_fraction=zero_fraction)
        expected, expected_bad = convert(values)
        pd.testing.assert_series_equal(counts, expected)
        assert bad.tolist() == expected_bad.tolist()


def test_a_mention_longer_than_a_parse_block_is_read_whole():
    long_text = "brightbrew " * 600_000  # over 6 MiB in one cell
    header = "published,url,content,source_type\n"
    rows = [
        f"2026-10-13 14:22:05,https://example.com/{i},{text},ONLINENEWS\n"
        for i, text in enumerate(["short", f'"{long_text}"', "after"])
    ]
    result = parse_talkwalker((header + "".join(rows)).encode(), ReadContext("exports/tw.csv", MADRID))
    assert result.frame[M.text].tolist() == ["short", long_text, "after"]
    assert result.frame["source_row"].tolist() == [2, 3, 4]
