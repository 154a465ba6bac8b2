"""Listening-tool readers on layouts seen in real downloads (each fixture reproduces one quirk of a real
export, named after it): Meltwater's quoted tweet ids and its renamed Explore template, Brandwatch after
X's renaming and its workbooks with rounded ids, Talkwalker's X and Facebook metrics, and Sprout Social's
Post Performance report (the brand's own posts, not mentions)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from community_health.ingest import ReadContext, ReadResult
from community_health.ingest.brandwatch import clean_ids, parse_brandwatch, platform_of
from community_health.ingest.meltwater import parse_meltwater
from community_health.ingest.mentions import network_platform
from community_health.ingest.registry import Probe, detect
from community_health.ingest.sprout_social import parse_sprout_social_posts
from community_health.ingest.talkwalker import parse_talkwalker
from community_health.ingest.units import ExportUnit
from community_health.schema import Messages, Posts
from test_ingest_listening_readers import by_id, utc

FIXTURES = Path(__file__).parent / "fixtures"
MADRID = "Europe/Madrid"
M = Messages
ANA_TWEET = "1845678901234567890"
NEWS = "https://elpais.com/gastronomia/2026-10-14/el-auge-del-cafe-de-especialidad.html"
GROUP_POST = "https://www.facebook.com/groups/cafemadrid/posts/1234567890123456/"


def read(parse, relpath: str) -> ReadResult:
    data = (FIXTURES / relpath).read_bytes()
    result = parse(data, ReadContext(f"exports/{relpath}", MADRID, {}))
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total
    assert set(result.frame[M.kind]) == {"mention"}
    Messages.validate(result.frame, lazy=True)
    return result


@pytest.mark.parametrize(
    ("relpath", "tool"),
    [
        ("meltwater/meltwater_quoted_tweet_ids.csv", "meltwater"),
        ("meltwater/meltwater_explore_author_handle_title_reposts.csv", "meltwater"),
        ("brandwatch/brandwatch_x_followers_after_renaming.csv", "brandwatch"),
        ("brandwatch/brandwatch_rounded_resource_ids.xlsx", "brandwatch"),
        ("talkwalker/talkwalker_twitter_replies_impressions_reactions_total.xlsx", "talkwalker"),
    ],
)
def test_real_layouts_are_recognised_as_their_tool(relpath, tool):
    path = FIXTURES / relpath
    reader = detect(Probe(ExportUnit(path, f"exports/{relpath}", False)))
    assert reader is not None and reader.name == tool


# --------------------------------------------------------------------------------------------------
# Meltwater


def test_meltwater_tweet_ids_between_literal_quotes_are_the_tweet_ids():
    result = read(parse_meltwater, "meltwater/meltwater_quoted_tweet_ids.csv")
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    assert result.frame[M.message_id].tolist() == [ANA_TWEET, "1845690000000000001", NEWS]
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]
    assert tweet[M.author_id] == "ana_cafe" and tweet[M.author_followers] == 12345
    assert (tweet[M.reactions], tweet[M.comments], tweet[M.shares], tweet[M.impressions]) == (
        1203,
        37,
        14,
        25100,
    )
    assert tweet[M.created_at] == utc("2026-10-13 12:22")  # 13-Oct-2026 02:22PM in Madrid
    retweet = m.loc["1845690000000000001"]
    assert retweet[M.reactions] == 0 and retweet[M.shares] == 0  # written zeros stay zeros
    assert pd.isna(m.loc[NEWS, M.reactions])  # absent stays absent
    assert result.assumed_timezone == MADRID


def test_meltwater_explore_template_author_handle_title_reposts_and_reactions():
    result = read(parse_meltwater, "meltwater/meltwater_explore_author_handle_title_reposts.csv")
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]  # the status id of the link: the same tweet as in the older template
    assert tweet[M.author_id] == "ana_cafe" and tweet[M.author_name] == "Ana López"
    assert (tweet[M.reactions], tweet[M.comments], tweet[M.shares]) == (1203, 37, 14)  # Reposts
    assert tweet[M.created_at] == utc("2026-10-13 12:22")  # Date and Time columns, in Madrid
    news = m.loc[NEWS]
    assert news[M.author_id] == "Lucía Martín" and news[M.platform] == "web"
    assert news[M.text].startswith("Tostadores como Brightbrew")  # Opening Text when no Hit Sentence
    group = m.loc[GROUP_POST]
    assert group[M.author_id] == "Marta G." and group[M.platform] == "facebook"
    assert (group[M.reactions], group[M.comments], group[M.reach]) == (4, 6, 0)
    assert group[M.created_at] == utc("2026-10-15 21:47")


def test_meltwater_explore_title_is_the_text_of_a_headline_only_row():
    text = (
        "Date\tTime\tURL\tAuthor Name\tTitle\tOpening Text\tHit Sentence\tSource Type\tInput Name\n"
        "14-Oct-2026\t09:05 AM\thttps://example.com/a\tLucía Martín\tEl auge del café\t\t\tNews\tBrightbrew\n"
    )
    result = parse_meltwater(text.encode("utf-16"), ReadContext("exports/mw.csv", MADRID))
    assert result.frame[M.text].tolist() == ["El auge del café"]


# --------------------------------------------------------------------------------------------------
# Brandwatch


def test_brandwatch_x_followers_after_the_renaming_and_a_bluesky_post():
    result = read(parse_brandwatch, "brandwatch/brandwatch_x_followers_after_renaming.csv")
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (2, 2, 0)
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]
    assert tweet[M.author_followers] == 12345  # X Followers
    assert (tweet[M.reactions], tweet[M.comments], tweet[M.shares]) == (1203, 37, 14)
    assert tweet[M.created_at] == utc("2026-10-13 12:22:05")
    sky = m.loc["at://did:plc:4f3qk7w2n5d6e7r8t9y0u1i2/app.bsky.feed.post/3l6abcde2xk2a"]
    assert sky[M.channel] == "bsky.app" and sky[M.author_id] == "beanfan.bsky.social"
    assert sky[M.platform] == "bluesky" and tweet[M.platform] == "x"
    assert pd.isna(sky[M.author_followers])


def test_brandwatch_workbook_ids_rounded_by_a_spreadsheet_fall_back_to_the_link():
    result = read(parse_brandwatch, "brandwatch/brandwatch_rounded_resource_ids.xlsx")
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    ids = result.frame[M.message_id].tolist()
    # two different tweets whose ids the sheet holds as 1.845678901234568e+18 and 1.84569e+18: each is
    # named by the status number of its link, whole
    assert ids == ["1845678901234567890", "1845690000000000001", "t1_kx1y2z3"]
    assert not any("e+" in i for i in ids)
    m = by_id(result.frame)
    assert m.loc["t1_kx1y2z3", M.created_at] == utc("2026-10-15 18:45:30")  # a date cell, in Madrid
    assert m.loc["t1_kx1y2z3", M.channel] == "r/Coffee"
    assert result.frame[M.source_row].tolist() == [8, 9, 10]  # six report rows and the header above


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"1845678901234567890"', "1845678901234567890"),
        ('="1845678901234567890"', "1845678901234567890"),
        ("'1845678901234567890", "1845678901234567890"),
        (" 1845678901234567890 ", "1845678901234567890"),
        ("t1_kx1y2z3", "t1_kx1y2z3"),
        ("1.845678901234568e+18", None),
        ("1.84569E+18", None),
        ('""', None),
        ("", None),
    ],
)
def test_clean_ids(text, expected):
    out = clean_ids(pd.Series([text], dtype="str")).iloc[0]
    assert (pd.isna(out) and expected is None) or out == expected


# --------------------------------------------------------------------------------------------------
# Talkwalker


def test_talkwalker_x_replies_impressions_and_facebook_reactions_total():
    result = read(parse_talkwalker, "talkwalker/talkwalker_twitter_replies_impressions_reactions_total.xlsx")
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    m = by_id(result.frame)
    tweet = m.loc[ANA_TWEET]
    assert (tweet[M.reactions], tweet[M.comments], tweet[M.shares]) == (1203, 37, 14)
    assert tweet[M.impressions] == 25100 and tweet[M.reach] == 12345 and tweet[M.author_followers] == 12345
    assert tweet[M.created_at] == utc("2026-10-13 12:22:05")  # a date cell, read in Madrid
    group = m.loc[GROUP_POST]
    assert group[M.reactions] == 9  # every kind of reaction, not the likes alone
    assert group[M.shares] == 0 and group[M.reach] == 0 and pd.isna(group[M.comments])
    news = m.loc[NEWS]
    assert pd.isna(news[M.impressions]) and news[M.reach] == 250000


# --------------------------------------------------------------------------------------------------
# Sprout Social


def test_sprout_post_performance_report_is_read_as_the_brands_posts():
    relpath = "sprout_social/sprout_post_performance_brand_posts.csv"
    path = FIXTURES / relpath
    reader = detect(Probe(ExportUnit(path, f"exports/{relpath}", False)))
    assert reader is not None and reader.name == "sprout_social_posts"  # not a mentions export
    result = parse_sprout_social_posts(path.read_bytes(), ReadContext(f"exports/{relpath}", MADRID, {}))
    Posts.validate(result.frame, lazy=True)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    assert result.assumed_timezone == MADRID
    p = result.frame.set_index(Posts.post_id)
    fb = p.loc["104857600000000_1234567890123456"]
    assert fb[Posts.platform] == "facebook" and fb[Posts.channel] == "Brightbrew Coffee"
    assert fb[Posts.created_at] == utc("2026-10-13 08:00")  # 10/13/2026 10:00 am in Madrid
    assert (fb[Posts.impressions], fb[Posts.reach], fb[Posts.engagements]) == (12345, 10001, 518)
    assert (fb[Posts.reactions], fb[Posts.comments], fb[Posts.shares], fb[Posts.clicks]) == (400, 70, 48, 312)
    assert fb[Posts.post_type] == "photo" and fb[Posts.text].endswith("Out today in every shop.")
    assert pd.isna(fb[Posts.video_views])
    reel = p.loc["3456789012345678901"]
    assert reel[Posts.platform] == "instagram" and reel[Posts.video_views] == 6950
    assert pd.isna(reel[Posts.reactions]) and pd.isna(reel[Posts.shares])  # empty cells stay absent
    assert reel[Posts.created_at] == utc("2026-10-14 16:30")
    tweet = p.loc["1846000000000000000"]
    assert tweet[Posts.platform] == "x" and pd.isna(tweet[Posts.reach])


def test_bluesky_threads_and_tiktok_mentions_get_their_own_platform_not_web():
    domains = pd.Series(["bsky.app", "www.threads.net", "threads.com", "m.tiktok.com", "news.example.com"])
    assert platform_of(domains).tolist() == ["bluesky", "threads", "threads", "tiktok", "web"]
    networks = pd.Series(["Bluesky", "TIKTOK", "SOCIALMEDIA_TWITTER", "Blogs"])
    assert network_platform(networks).tolist()[:3] == ["bluesky", "tiktok", "x"]
    assert pd.isna(network_platform(networks).iloc[3])
