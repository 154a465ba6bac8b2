"""X / Twitter Analytics "Tweet activity" export: one CSV per month, the brand's own tweets with counts.

Layout (FORMATS.md): a 40-column header ``Tweet id, Tweet permalink, Tweet text, time, impressions,
engagements, engagement rate, retweets, replies, likes, user profile clicks, url clicks, hashtag clicks,
detail expands, permalink clicks, app opens, app installs, follows, email tweet, dial phone, media views,
media engagements`` then the same eighteen metrics prefixed ``promoted``. Every field quoted; counts
written as floats (``"424.0"``); ``"-"`` in the promoted columns of a tweet that was not promoted;
``time`` like ``2016-12-23 18:50 +0000``; tweet text over several lines with emoji.

Rows go to ``posts``:

========================  ===========================================================================
post_id                   ``Tweet id`` (monthly files overlap: the id is the key)
channel                   the account handle in ``Tweet permalink`` (``https://twitter.com/<handle>/...``)
created_at                ``time`` (it carries its zone)
impressions, engagements  as exported (organic columns; the promoted ones are not added in)
reactions                 ``likes``
comments                  ``replies``
shares                    ``retweets``
clicks                    url + user profile + hashtag + detail expand + permalink clicks + app opens
video_views               null: ``media views`` counts every kind of media, not video views
========================  ===========================================================================

Exports made before November 2015 say ``favorites`` (and ``promoted favorites``) where later ones say
``likes``: they are read the same.

**The content export of X's analytics since 2024** (``account_analytics_content_2026-06-01_2026-06-30.csv``)
replaces it: header ``Post id, Date, Post text, Post Link, Impressions, Likes, Engagements, Bookmarks,
Shares, New follows, Replies, Reposts, Profile visits, Detail Expands, URL Clicks, Hashtag Clicks,
Permalink Clicks``, only the fields that need it quoted, counts as plain integers, and ``Date`` a day with
no time (``"Tue, Jul 14, 2026"``): read as midnight in the client's time zone, which the ingest log
reports as assumed. ``Post id`` is the tweet id, ``Likes`` the reactions, ``Replies`` the comments,
``Reposts`` the shares (as ``retweets`` before; ``Shares`` counts posts sent on by message or link and is
not carried over), and the clicks are url + profile visits + hashtag + detail expand + permalink clicks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from community_health.ingest.envelope import ReadContext, ReadResult, Table, extract, refused
from community_health.ingest.facebook_page_level import skip_page_rows
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Platform, Posts

NAME = "x_analytics"
METRICS = (
    "impressions",
    "engagements",
    "engagement rate",
    "retweets",
    "replies",
    "likes",
    "user profile clicks",
    "url clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
    "app installs",
    "follows",
    "email tweet",
    "dial phone",
    "media views",
    "media engagements",
)
HEADER = ("Tweet id", "Tweet permalink", "Tweet text", "time", *METRICS, *(f"promoted {m}" for m in METRICS))
CLICK_COLUMNS = (
    "url clicks",
    "user profile clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
)
TIME_EXPECTED = "a date like 2016-12-23 18:50 +0000"
HANDLE = r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,30})/status"


# The content export since 2024: its names for the Tweet activity columns the reader uses.
CONTENT_COLUMNS = {
    "Tweet id": "Post id",
    "Tweet permalink": "Post Link",
    "Tweet text": "Post text",
    "time": "Date",
    "impressions": "Impressions",
    "engagements": "Engagements",
    "likes": "Likes",
    "replies": "Replies",
    "retweets": "Reposts",
}
CONTENT_CLICK_COLUMNS = (
    "URL Clicks",
    "Profile visits",
    "Hashtag Clicks",
    "Detail Expands",
    "Permalink Clicks",
)
CONTENT_DATE_FORMATS = ("%a, %b %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%m/%d/%Y")
CONTENT_DATE_EXPECTED = "a date like Tue, Jul 14, 2026"


def is_header(cells: Sequence[str]) -> bool:
    """The Tweet activity header (``Tweet id, Tweet permalink`` and a metric or the text), or the content
    export's since 2024 (``Post id``, then ``Date`` with ``Post text`` or ``Post Link``)."""
    if len(cells) < 3:
        return False
    names = set(cells)
    if cells[0] == "Tweet id":
        return cells[1] == "Tweet permalink" and bool({"Tweet text", "time", "impressions"} & names)
    return (
        cells[0] == "Post id"
        and "Date" in names
        and bool({"Post text", "Post Link"} & names)
        and bool({"Impressions", "Engagements", "Likes"} & names)
    )


def parse_x_analytics(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Tweet activity CSV into ``posts`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path (for reasons and ``source_file``).
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, "Tweet id, Tweet permalink, Tweet text, time")
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable X Tweet activity export.")
    rows = SheetRows(table, ctx)
    content = not rows.has("Tweet id") and rows.has("Post id")
    col = (lambda name: CONTENT_COLUMNS[name]) if content else (lambda name: name)
    missing = [col(c) for c in ("Tweet id", "time") if not rows.has(col(c))]
    if missing:
        return rows.refuse_missing(Table.POSTS, missing, "Tweet id, Tweet permalink, Tweet text, time, ...")
    post_id = rows.matching(col("Tweet id"), r"\s*\d{1,25}\s*", "a tweet id (digits only)")
    if content:
        # A day with no time: midnight in the client's time zone.
        zone = ctx.timezone
        created = rows.dates(
            "Date", CONTENT_DATE_FORMATS, CONTENT_DATE_EXPECTED, local_zone=zone, month_first=True
        )
    else:
        zone = "UTC"
        created = rows.dates("time", ["%Y-%m-%d %H:%M %z", "ISO8601"], TIME_EXPECTED, local_zone=zone)
    permalink = rows.text(col("Tweet permalink"))
    channel = extract(permalink, HANDLE).fillna("unknown")
    # "favorites" until X renamed them "likes" (November 2015)
    old = rows.has("favorites") and not rows.has("likes")
    likes = "Likes" if content else "favorites" if old else "likes"
    data_: Mapping[str, object] = {
        Posts.post_id: post_id,
        Posts.platform: [Platform.X.value] * len(rows),
        Posts.channel: channel,
        Posts.created_at: created,
        Posts.text: rows.text(col("Tweet text")),
        Posts.url: permalink,
        Posts.impressions: rows.counts(col("impressions")),
        Posts.engagements: rows.counts(col("engagements")),
        Posts.reactions: rows.counts(likes),
        Posts.comments: rows.counts(col("replies")),
        Posts.shares: rows.counts(col("retweets")),
        Posts.clicks: rows.sum_counts(CONTENT_CLICK_COLUMNS if content else CLICK_COLUMNS),
    }
    result = rows.finish(Table.POSTS, data_)
    # "time" always carries "+0000"; a file re-saved without it was read as UTC, and that is said.
    result.assumed_timezone = zone if (rows.assumed & rows.checks.ok).any() else None
    return result


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_x_analytics(unit.path.read_bytes(), ctx)


# version 2: "favorites" read as likes; the content export since 2024 read; 3: spreadsheet re-saves
READER = register(
    Reader(NAME, 'X/Twitter Analytics "Tweet activity" CSV', Table.POSTS, _detect, _read, version=3)
)


# ---------------------------------------------------------------------------------------------------
# The account's figures by day: recognised, counted as skipped

DAILY_NAME = "x_analytics_daily"
#: The columns of the account overview export since 2024 (``account_overview_analytics_<from>_<to>.csv``).
OVERVIEW_COLUMNS = frozenset(
    {
        "Impressions",
        "Likes",
        "Engagements",
        "Bookmarks",
        "Shares",
        "New follows",
        "Unfollows",
        "Replies",
        "Reposts",
        "Profile visits",
        "Create Post",
        "Video views",
        "Media views",
    }
)
DAILY_SKIP_REASON = (
    "X/Twitter Analytics figures by day (one row per day for the whole account, not a post): "
    "recognised, not used"
)


def is_daily_header(cells: Sequence[str]) -> bool:
    """The account's figures by day: ``Date`` first, then the Tweet activity "by day" export's
    ``Tweets published, impressions, engagements, ...``, or the account overview's columns since 2024
    (``Impressions, Likes, ..., New follows, Unfollows, ..., Create Post``, X's own words)."""
    if len(cells) < 4 or cells[0] != "Date":
        return False
    if cells[1] == "Tweets published" and {"impressions", "engagements"} <= set(cells):
        return True
    names = {c for c in cells[1:] if c}
    return names <= OVERVIEW_COLUMNS and bool({"New follows", "Unfollows", "Create Post"} & names)


def parse_x_analytics_daily(data: bytes, ctx: ReadContext) -> ReadResult:
    """Recognise an X Analytics export of the account's figures by day and count its days as skipped:
    daily totals of the whole account are neither a post nor a message (see
    :mod:`community_health.ingest.facebook_page_level` for the same rule)."""
    try:
        table = load_sheet(
            data, is_daily_header, ctx.column_mapping, "Date, Tweets published, impressions, ..."
        )
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable X Analytics export by day.")
    return skip_page_rows(table, ctx, DAILY_SKIP_REASON)


def _detect_daily(probe: Probe) -> bool:
    return probe.header(is_daily_header, DAILY_NAME) is not None


def _read_daily(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_x_analytics_daily(unit.path.read_bytes(), ctx)


DAILY_READER = register(
    Reader(
        DAILY_NAME,
        "X/Twitter Analytics figures by day, CSV (recognised; its day rows are skipped, not used)",
        Table.POSTS,
        _detect_daily,
        _read_daily,
    )
)
