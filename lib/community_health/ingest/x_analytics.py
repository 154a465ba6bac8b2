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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from community_health.ingest.envelope import ReadContext, ReadResult, Table, extract, refused
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


def is_header(cells: Sequence[str]) -> bool:
    """The Tweet activity header: it starts ``Tweet id, Tweet permalink`` and names a metric or the text."""
    return (
        len(cells) >= 3
        and cells[0] == "Tweet id"
        and cells[1] == "Tweet permalink"
        and bool({"Tweet text", "time", "impressions"} & set(cells))
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
    missing = [c for c in ("Tweet id", "time") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(Table.POSTS, missing, "Tweet id, Tweet permalink, Tweet text, time, ...")
    post_id = rows.matching("Tweet id", r"\s*\d{1,25}\s*", "a tweet id (digits only)")
    created = rows.dates("time", ["%Y-%m-%d %H:%M %z", "ISO8601"], TIME_EXPECTED, local_zone="UTC")
    permalink = rows.text("Tweet permalink")
    channel = extract(permalink, HANDLE).fillna("unknown")
    data_: Mapping[str, object] = {
        Posts.post_id: post_id,
        Posts.platform: [Platform.X.value] * len(rows),
        Posts.channel: channel,
        Posts.created_at: created,
        Posts.text: rows.text("Tweet text"),
        Posts.url: permalink,
        Posts.impressions: rows.counts("impressions"),
        Posts.engagements: rows.counts("engagements"),
        Posts.reactions: rows.counts("likes"),
        Posts.comments: rows.counts("replies"),
        Posts.shares: rows.counts("retweets"),
        Posts.clicks: rows.sum_counts(CLICK_COLUMNS),
    }
    result = rows.finish(Table.POSTS, data_)
    # "time" always carries "+0000"; a file re-saved without it was read as UTC, and that is said.
    result.assumed_timezone = "UTC" if (rows.assumed & rows.checks.ok).any() else None
    return result


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_x_analytics(unit.path.read_bytes(), ctx)


READER = register(Reader(NAME, 'X/Twitter Analytics "Tweet activity" CSV', Table.POSTS, _detect, _read))
