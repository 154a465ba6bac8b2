"""The post-level readers on layouts seen in real downloads that the first fixtures did not hold: older and
newer generations of X Analytics, and other quirks of real exports, each in a fixture named after it."""

from __future__ import annotations

import pandas as pd

from community_health.ingest import Probe, ReadContext, detect
from community_health.ingest.facebook_page_level import SERIES_SKIP_REASON, parse_facebook_insights_page_daily
from community_health.ingest.meta_business_suite import parse_meta_business_suite
from community_health.ingest.units import ExportUnit
from community_health.ingest.x_analytics import DAILY_SKIP_REASON, parse_x_analytics, parse_x_analytics_daily
from community_health.ingest.youtube_studio import (
    DIMENSION_REASON,
    TOTAL_REASON,
    UNPUBLISHED_REASON,
    parse_youtube_csv,
)
from community_health.schema import Posts
from test_ingest_post_readers import FIXTURES, MADRID, assert_balanced, by_id, read, utc


def detected(relpath: str) -> str | None:
    path = FIXTURES / relpath
    reader = detect(Probe(ExportUnit(path, f"exports/{path.name}")))
    return reader.name if reader else None


# --------------------------------------------------------------------------------------------------
# X / Twitter Analytics


def test_x_analytics_2015_export_with_favorites_reads_them_as_reactions():
    result = read(parse_x_analytics, "x_analytics/x_analytics_favorites_before_likes_2015.csv")
    assert result.error is None and len(result.frame) == 2 and len(result.quarantine) == 0
    p = by_id(result.frame)
    first = p.loc["651234567890123456"]
    assert first[Posts.reactions] == 17  # "favorites", the name before "likes"
    assert (first[Posts.comments], first[Posts.shares], first[Posts.impressions]) == (2, 6, 1288)
    assert p.loc["650987654321098752", Posts.reactions] == 0  # a zero stays a zero
    assert first[Posts.created_at] == utc("2015-10-06 07:42")
    assert result.assumed_timezone is None


def test_x_analytics_content_export_since_2024_is_detected_and_read_with_date_only_in_client_zone():
    relpath = "x_analytics/x_analytics_content_export_post_id_date_only.csv"
    assert detected(relpath) == "x_analytics"
    result = read(parse_x_analytics, relpath)
    assert_balanced(result)
    assert result.error is None and len(result.frame) == 3 and len(result.quarantine) == 0
    p = by_id(result.frame)
    first = p.loc["2068123456789012345"]
    assert first[Posts.channel] == "brightbrew" and first[Posts.platform] == "x"
    assert first[Posts.created_at] == utc("2026-06-28 22:00")  # midnight in Madrid
    assert result.assumed_timezone == MADRID
    assert first[Posts.text] == "Roast day. The Guji is resting, the Sidamo is next"
    assert first[Posts.url] == "https://x.com/brightbrew/status/2068123456789012345"
    assert (first[Posts.impressions], first[Posts.engagements]) == (4210, 112)
    assert (first[Posts.reactions], first[Posts.comments], first[Posts.shares]) == (37, 5, 6)
    assert first[Posts.clicks] == 12 + 9 + 0 + 41 + 2  # url, profile visits, hashtag, detail, permalink
    last = p.loc["2065000000000000007"]
    assert last[Posts.text] == "Summer hours from today:\n8:00 to 20:00, every day ☀️"
    assert last[Posts.created_at] == utc("2026-05-31 22:00")


# --------------------------------------------------------------------------------------------------
# Meta Business Suite


def test_meta_business_suite_facebook_page_export_takes_the_longer_caption_and_its_engagement_total():
    relpath = "meta_business_suite/meta_business_suite_facebook_title_description_engagement_total.csv"
    assert detected(relpath) == "meta_business_suite"
    result = read(parse_meta_business_suite, relpath)
    assert_balanced(result)
    assert result.error is None and len(result.frame) == 3 and len(result.quarantine) == 0
    p = by_id(result.frame)
    photo = p.loc["104512345678901_1188776655443322"]
    assert (
        photo[Posts.text] == "New Guji single origin is in: bright, floral, rest it 7 days 🌸"
    )  # Title only
    assert photo[Posts.engagements] == 88  # "Reactions, comments and shares", in either case
    assert (photo[Posts.reactions], photo[Posts.comments], photo[Posts.shares]) == (71, 9, 8)
    reel = p.loc["104512345678901_1189001122334455"]
    assert reel[Posts.text].startswith("Roast day: 12 minutes")  # Description, the longer one
    assert reel[Posts.engagements] == 301 and reel[Posts.post_type] == "reel"
    hours = p.loc["104512345678901_1190112233445566"]
    assert (
        hours[Posts.text] == "Summer hours end on Sunday, from Monday we open at 8:00"
    )  # Title, the longer one
    assert hours[Posts.engagements] == 0 and pd.isna(hours[Posts.impressions])  # blank Views: absent, not 0
    assert hours[Posts.created_at] == utc("2025-09-12 09:15")


# --------------------------------------------------------------------------------------------------
# Facebook page-level figures


def test_business_suite_daily_series_in_utf16_with_sep_line_is_recognised_and_its_days_skipped():
    relpath = "facebook/facebook_business_suite_daily_series_utf16_sep_line.csv"
    assert (FIXTURES / relpath).read_bytes().startswith(b"\xff\xfes\x00e\x00p\x00=\x00")
    assert detected(relpath) == "facebook_insights_page_daily"
    result = read(parse_facebook_insights_page_daily, relpath)
    assert result.error is None and len(result.frame) == 0 and len(result.quarantine) == 0
    assert result.rows_read == 7 and result.skipped == {SERIES_SKIP_REASON: 7}


# --------------------------------------------------------------------------------------------------
# YouTube Studio


def test_youtube_videos_with_no_publish_time_are_skipped_with_their_reason_not_quarantined():
    relpath = "youtube/youtube_table_data_blank_publish_time_unlisted.csv"
    result = read(parse_youtube_csv, relpath, source="exports/Table data.csv")
    assert_balanced(result)
    assert result.error is None and len(result.quarantine) == 0
    assert result.skipped == {TOTAL_REASON: 1, UNPUBLISHED_REASON: 2}
    assert sorted(result.frame[Posts.post_id]) == ["-kT2b9Xo0aE", "q8Zr4KpW1xA"]  # " -kT2..." as a video id
    p = by_id(result.frame)
    assert p.loc["-kT2b9Xo0aE", Posts.video_views] == 3741
    assert p.loc["-kT2b9Xo0aE", Posts.url] == "https://www.youtube.com/watch?v=-kT2b9Xo0aE"
    assert p.loc["q8Zr4KpW1xA", Posts.created_at] == utc("2025-09-11 22:00")


def test_youtube_publish_time_that_is_no_date_is_still_quarantined():
    text = (FIXTURES / "youtube/youtube_table_data_blank_publish_time_unlisted.csv").read_text()
    data = text.replace(",,412,", ",soon,412,").encode()
    result = parse_youtube_csv(data, ReadContext("exports/Table data.csv", MADRID, {}))
    assert_balanced(result)
    assert len(result.quarantine) == 1 and result.skipped == {TOTAL_REASON: 1, UNPUBLISHED_REASON: 1}
    assert "Video publish time" in result.quarantine.iloc[0]["reason"]


def test_youtube_tables_grouped_by_another_dimension_are_recognised_and_their_rows_skipped():
    for relpath, dimension, n in (
        ("youtube/youtube_table_data_by_subscription_status.csv", "Subscription status", 3),
        ("youtube/youtube_chart_data_by_traffic_source.csv", "Traffic source", 3),
    ):
        assert detected(relpath) == "youtube_studio"
        result = read(parse_youtube_csv, relpath, source="exports/Table data.csv")
        assert result.error is None and len(result.frame) == 0 and len(result.quarantine) == 0
        assert result.rows_read == n and result.skipped == {DIMENSION_REASON.format(dimension=dimension): n}


def test_x_analytics_figures_by_day_are_recognised_and_their_days_skipped():
    """X Analytics also downloads the account's figures by day: the Tweet activity "by day" export
    (``Date, Tweets published, impressions, ...``) and, since 2024, the account overview (``Date,
    Impressions, ..., New follows, Unfollows, ..., Create Post``). A day of account totals is not a post:
    each file is recognised (not "not recognised") and every day is accounted for as skipped."""
    for relpath, days in (
        ("x_analytics/x_analytics_by_day_tweets_published.csv", 3),
        ("x_analytics/x_analytics_account_overview_by_day.csv", 2),
    ):
        assert detected(relpath) == "x_analytics_daily"
        result = read(parse_x_analytics_daily, relpath)
        assert_balanced(result)
        assert result.rows_read == days and result.frame.empty and result.quarantine.empty
        assert result.skipped == {DAILY_SKIP_REASON: days}
    for path in sorted((FIXTURES / "x_analytics").glob("x_analytics_*.csv")):
        if "by_day" not in path.name:  # the posts' exports stay X Tweet activity
            assert detected(f"x_analytics/{path.name}") == "x_analytics", path.name


def test_dates_written_with_dots_are_day_first_without_a_note_to_check_them():
    """``05.09.2025`` is the fifth of September wherever it was written (no locale writes the month
    first with dots): read so, and the ingest log has nothing for a person to check."""
    result = read(parse_youtube_csv, "youtube/youtube_tabellendaten_german_headers_dot_dates.csv")
    assert result.error is None
    assert utc("2025-09-04 22:00") in set(result.frame[Posts.created_at])  # 05.09.2025, Madrid midnight
