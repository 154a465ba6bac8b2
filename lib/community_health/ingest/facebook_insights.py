"""Facebook Page Insights, legacy "Export data", post level (CSV): the page's own posts with counts.

Layout (FORMATS.md): UTF-8 with a byte-order mark; header ``Post ID, Permalink, Post Message, Type,
Countries, Languages, Posted, Audience Targeting, Lifetime Post Total Reach, ...`` (95 columns, 170 in the
video-posts file) in which some names repeat; **the second row is not data** but a description of each
metric (``Lifetime: The total number of ...``): it is skipped and not counted as a row. ``Posted`` is
``02/14/2016 12:40:16 AM``, US order, in the page's local time: read in the client's time zone, which the
ingest log reports as assumed. A file re-saved by a spreadsheet holds its locale's short date
(``14.02.2016 00:40``, ``14/02/2016 00:40``): one day/month order is taken for the whole file, US order
when no date in it settles it (see ``sheets.dates_as_resaved``).

Rows go to ``posts``:

===========  ====================================================================================
post_id      ``Post ID`` (``<page id>_<post id>``)
channel      the page: the first part of ``Permalink``'s path, else the page id in ``Post ID``
post_type    ``Type`` in lower case (photo, link, video, status)
reach        ``Lifetime Post Total Reach``
impressions  ``Lifetime Post Total Impressions``
engagements  ``Lifetime Engaged Users``
reactions    ``Lifetime Talking About This (Post) by action type - like``, else the sum of
             ``Lifetime Post Reactions by type - ...``
comments     ``Lifetime Talking About This (Post) by action type - comment``
shares       ``Lifetime Talking About This (Post) by action type - share``
clicks       ``Lifetime Post Consumptions`` (clicks anywhere in the post)
video_views  ``Lifetime Post Total Video Views`` or ``Lifetime Total Video Views``
===========  ====================================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from community_health.ingest.envelope import ReadContext, ReadResult, Table, extract, parse_dates, refused
from community_health.ingest.registry import Probe, Reader, get_reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import RawTable, TableError
from community_health.ingest.units import ExportUnit
from community_health.ingest.workbooks import head_has_workbook_magic, workbook_heads
from community_health.schema import Platform, Posts

NAME = "facebook_insights_posts"
POSTED_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S")
POSTED_EXPECTED = "a date like 02/14/2016 12:40:16 AM"
ACTION = "Lifetime Talking About This (Post) by action type - "
REACTIONS_BY_TYPE = "Lifetime Post Reactions by type - "
VIDEO_VIEWS = ("Lifetime Post Total Video Views", "Lifetime Total Video Views")
PAGE = r"https?://(?:www\.|m\.|web\.)?facebook\.com/([^/?#]+)/"


def is_header(cells: Sequence[str]) -> bool:
    """The post-level header: ``Post ID`` with ``Permalink`` or ``Post Message``, and lifetime metrics."""
    names = set(cells)
    return (
        "Post ID" in names
        and bool({"Permalink", "Post Message"} & names)
        and ("Posted" in names or any(c.startswith("Lifetime ") for c in cells))
    )


def is_description_row(table: RawTable) -> bool:
    """Whether the first data row describes the metrics instead of holding a post.

    It does when its ``Post ID`` is no post id, its ``Posted`` is no date, and a metric column
    (``Lifetime ...``, ``Daily ...``) holds words where a post would hold a number.
    """
    if len(table.frame) == 0:
        return False
    first = table.frame.iloc[0]
    post_id = str(first.get("Post ID", "") or "").strip()
    if post_id and post_id.replace("_", "").isdigit():
        return False
    posted = str(first.get("Posted", "") or "")
    dated, _ = parse_dates(pd.Series([posted]), POSTED_FORMATS, None)
    if dated.notna().iloc[0]:
        return False
    metrics = [c for c in table.frame.columns if c.startswith(("Lifetime", "Daily"))]
    return any(any(ch.isalpha() for ch in str(first[c] or "")) for c in metrics)


def parse_facebook_insights_posts(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Page Insights post-level CSV into ``posts`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, and the client's time zone (the page's local time of ``Posted``).
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, "Post ID, Permalink, Post Message, Posted")
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable Page Insights post export.")
    return posts_from_table(table, ctx)


def posts_from_table(table: RawTable, ctx: ReadContext) -> ReadResult:
    """``posts`` rows from the rows of a post-level export (CSV, or a workbook's key sheet).

    Parameters
    ----------
    table
        The rows under the header; a description row first is dropped and not counted.
    ctx
        The export's path, and the client's time zone (the page's local time of ``Posted``).
    """
    if is_description_row(table):
        table = table.drop_first()
    rows = SheetRows(table, ctx)
    missing = [c for c in ("Post ID", "Posted") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(
            Table.POSTS, missing, "Post ID, Permalink, Post Message, Type, Posted, ..."
        )
    post_id = rows.matching("Post ID", r"\s*\d+(_\d+)?\s*", "a post id like 123456789_987654321")
    created = rows.dates("Posted", POSTED_FORMATS, POSTED_EXPECTED, local_zone=ctx.timezone, month_first=True)
    permalink = rows.text("Permalink")
    page = extract(permalink, PAGE)
    page_id = extract(post_id, r"^(\d+)_")
    channel = page.fillna(page_id).fillna("unknown")
    post_type = rows.text("Type").str.strip().str.lower()
    if rows.has(ACTION + "like"):
        reactions = rows.counts(ACTION + "like")
    else:
        reactions = rows.sum_counts([c for c in table.frame.columns if c.startswith(REACTIONS_BY_TYPE)])
    video = next((c for c in VIDEO_VIEWS if rows.has(c)), VIDEO_VIEWS[0])
    result = rows.finish(
        Table.POSTS,
        {
            Posts.post_id: post_id,
            Posts.platform: [Platform.FACEBOOK.value] * len(rows),
            Posts.channel: channel,
            Posts.created_at: created,
            Posts.post_type: post_type,
            Posts.text: rows.text("Post Message"),
            Posts.url: permalink,
            Posts.reach: rows.counts("Lifetime Post Total Reach"),
            Posts.impressions: rows.counts("Lifetime Post Total Impressions"),
            Posts.engagements: rows.counts("Lifetime Engaged Users"),
            Posts.reactions: reactions,
            Posts.comments: rows.counts(ACTION + "comment"),
            Posts.shares: rows.counts(ACTION + "share"),
            Posts.clicks: rows.counts("Lifetime Post Consumptions"),
            Posts.video_views: rows.counts(video),
        },
    )
    return result


def _detect(probe: Probe) -> bool:
    if not probe.unit.is_folder and head_has_workbook_magic(probe.head):
        # A workbook of several sheets (the post data and its breakdowns, as Page Insights downloads
        # them) is the workbook reader's when it recognises it: this reader would read the first sheet
        # alone and leave the breakdowns' reach and engagement empty.
        workbook = get_reader("facebook_insights_xls")  # (looked up here: that module imports this one)
        if len(workbook_heads(probe.unit.path)[1]) > 1 and workbook.detect(probe):
            return False
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_facebook_insights_posts(unit.path.read_bytes(), ctx)


# version 2: dates, counts and ids as a spreadsheet re-saves them in its locale
READER = register(
    Reader(NAME, "Facebook Page Insights post-level CSV", Table.POSTS, _detect, _read, version=2)
)
