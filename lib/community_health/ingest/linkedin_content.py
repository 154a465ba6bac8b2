"""LinkedIn Page analytics, content export (``.xls`` or ``.xlsx``): the page's posts with their counts.

Layout (FORMATS.md): a workbook (binary Excel 97-2003 ``.xls``, or ``.xlsx``; a re-saved CSV reads the
same) whose posts sheet (``All posts``) has **a notes row or two above the header**; columns like
``Update title, Update link, Update type, Campaign name, Posted by, Created date, Campaign start date,
Campaign end date, Audience, Impressions, Views (excluding off-site video views), Offsite Views, Clicks,
Click through rate (CTR), Likes, Comments, Reposts, Follows, Engagement rate, Content Type``; newer exports
say ``Post title, Post link, Post type`` for the first three, which are read as the ``Update`` ones. Dates are
**date-only** (``10/01/2025``, or a date cell): read as midnight in the client's time zone, which the
ingest log reports as assumed. Rates are fractions (``0.0345``) and are not carried over: resonance works
its rates out from the counts. The ``Metrics`` sheet beside it holds one row per day for the whole page
(impressions, clicks, reactions by day): those rows are no posts and are counted as skipped, with the
reason, as Facebook's page-level days are.

Rows go to ``posts``:

============  =====================================================================================
post_id       the post's URN in ``Update link`` (``urn:li:activity:7113834789312557056``; a
              ``/posts/<slug>-activity-<n>-...`` link gives ``urn:li:activity:<n>``)
channel       the page, from the file name LinkedIn gives the download (``<page>_content_<ms>.xls``),
              else ``unknown`` (the sheet itself does not name the page)
post_type     ``Content Type`` in lower case (image, video, text, article, document, ...)
text, url     ``Update title``, ``Update link``
impressions   ``Impressions``; clicks: ``Clicks``
reactions     ``Likes`` (or ``Reactions``); comments: ``Comments``; shares: ``Reposts``
video_views   ``Views (excluding off-site video views)`` + ``Offsite Views`` (null when both are)
============  =====================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import unquote

import numpy as np
import pandas as pd

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    Table,
    empty_quarantine,
    refused,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import RawTable, TableError, locate_header_in_records, read_records
from community_health.ingest.units import ExportUnit
from community_health.ingest.workbooks import (
    Workbook,
    head_has_workbook_magic,
    name_sheet_in_reasons,
    read_workbook,
    workbook_heads,
    workbook_kind,
)
from community_health.schema import Platform, Posts

NAME = "linkedin_content"
CREATED_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%y")
CREATED_EXPECTED = "a date like 10/01/2025"
LINK_EXPECTED = "a post link like https://www.linkedin.com/feed/update/urn:li:activity:7113834789312557056"
URN = re.compile(r"urn:li:(?:activity|share|ugcPost):\d+")
ACTIVITY_SLUG = re.compile(r"-activity-(\d+)")
FILE_NAME = re.compile(r"^(?P<page>.+?)_content_\d{10,}$")
VIDEO_VIEWS = ("Views (excluding off-site video views)", "Offsite Views")
METRICS_SUFFIXES = ("(organic)", "(sponsored)", "(total)")
METRICS_REASON = (
    "LinkedIn page daily figures (one row per day for the whole page, not a post): recognised, not used"
)


# Newer exports name the post columns "Post ..." where older ones say "Update ...".
POST_ALIASES = {"Post title": "Update title", "Post link": "Update link", "Post type": "Update type"}


def is_header(cells: Sequence[str]) -> bool:
    """The posts header: ``Created date`` with ``Update link`` or ``Update title`` (or ``Post ...``)."""
    names = {POST_ALIASES.get(c, c) for c in cells}
    return "Created date" in names and bool({"Update link", "Update title"} & names)


def _with_update_names(table: RawTable) -> RawTable:
    """The table with ``Post title/link/type`` named as the ``Update`` columns (when those are absent)."""
    renames = {
        old: new for old, new in POST_ALIASES.items() if old in table.frame.columns and new not in table.frame
    }
    if renames:
        table.frame = table.frame.rename(columns=renames)
    return table


def is_metrics_header(cells: Sequence[str]) -> bool:
    """The ``Metrics`` sheet's header: ``Date``, then ``Impressions (organic)``-style page totals."""
    return bool(cells) and cells[0] == "Date" and any(c.endswith(METRICS_SUFFIXES) for c in cells[1:])


def page_from_file_name(source: str) -> str | None:
    """The page LinkedIn names the download after (``brightbrew_content_1727740800000.xlsx``), or None."""
    match = FILE_NAME.match(PurePosixPath(source).stem)
    return match.group("page") if match else None


def post_ids(links: pd.Series) -> pd.Series:
    """The post URN in each update link (null where the link holds none)."""
    text = links.fillna("").map(unquote)
    urn = text.str.extract(f"({URN.pattern})", expand=False)
    slug = text.str.extract(ACTIVITY_SLUG.pattern, expand=False)
    return urn.fillna("urn:li:activity:" + slug).astype("str")


def _posts(table: RawTable, ctx: ReadContext) -> ReadResult:
    rows = SheetRows(_with_update_names(table), ctx)
    missing = [c for c in ("Update link", "Created date") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(Table.POSTS, missing, "Update title, Update link, Created date, ...")
    link = rows.required("Update link", LINK_EXPECTED)
    post_id = post_ids(link)
    rows.checks.flag((post_id.isna() & link.notna()).to_numpy(dtype=bool), "Update link", LINK_EXPECTED, link)
    created = rows.dates(
        "Created date", CREATED_FORMATS, CREATED_EXPECTED, local_zone=ctx.timezone, month_first=True
    )
    n = len(rows)
    reactions = "Likes" if rows.has("Likes") or not rows.has("Reactions") else "Reactions"
    return rows.finish(
        Table.POSTS,
        {
            Posts.post_id: post_id,
            Posts.platform: [Platform.LINKEDIN.value] * n,
            Posts.channel: [page_from_file_name(ctx.source) or "unknown"] * n,
            Posts.created_at: created,
            Posts.post_type: rows.text("Content Type").str.strip().str.lower(),
            Posts.text: rows.text("Update title"),
            Posts.url: link,
            Posts.impressions: rows.counts("Impressions"),
            Posts.reach: rows.counts("Unique impressions"),
            Posts.clicks: rows.counts("Clicks"),
            Posts.reactions: rows.counts(reactions),
            Posts.comments: rows.counts("Comments"),
            Posts.shares: rows.counts("Reposts" if rows.has("Reposts") else "Shares"),
            Posts.video_views: rows.sum_counts(VIDEO_VIEWS),
        },
    )


def _skip_days(table: RawTable, ctx: ReadContext) -> ReadResult:
    rows = SheetRows(table, ctx)
    rows.checks.skip(np.ones(len(rows), dtype=bool), METRICS_REASON)
    return rows.finish(Table.POSTS, {})


def _with_sheet(result: ReadResult, ctx: ReadContext, sheet: str) -> ReadResult:
    result.quarantine["reason"] = name_sheet_in_reasons(
        result.quarantine["reason"].tolist(), ctx.source, sheet
    )
    return result


def read_content_workbook(book: Workbook, ctx: ReadContext) -> ReadResult:
    """Read the posts sheet of a content workbook, and count the ``Metrics`` sheet's days as skipped.

    Parameters
    ----------
    book
        The workbook's sheets.
    ctx
        The file's path and the client's time zone.
    """
    posts: ReadResult | None = None
    days: list[ReadResult] = []
    for sheet in book.sheets:
        at = locate_header_in_records(sheet.records, is_header, ctx.column_mapping)
        if at is not None and posts is None:
            posts = _with_sheet(
                _posts(read_records(sheet.records, at, ctx.column_mapping), ctx), ctx, sheet.name
            )
            continue
        at = locate_header_in_records(sheet.records, is_metrics_header, ctx.column_mapping)
        if at is not None:
            days.append(_with_sheet(_skip_days(read_records(sheet.records, at), ctx), ctx, sheet.name))
    if posts is None:
        names = ", ".join(f'"{s.name}"' for s in book.sheets) or "none"
        return refused(
            Table.POSTS,
            f"{ctx.source} is a {book.kind} but none of its sheets ({names}) has the LinkedIn content header "
            "(Update title, Update link, Created date, ...) in its first rows. Export the page's content "
            "again from LinkedIn Page analytics.",
        )
    for day in days:
        parts = [q for q in (posts.quarantine, day.quarantine) if len(q)]
        posts.quarantine = pd.concat(parts, ignore_index=True) if parts else empty_quarantine()
        posts.rows_read += day.rows_read
        for reason, count in day.skipped.items():
            posts.skipped[reason] = posts.skipped.get(reason, 0) + count
    if book.problem:
        posts.error = (
            f"{ctx.source}: {book.problem}; the rows before it were read, the rest could not be. "
            "Export the page's content again."
        )
    return posts


def parse_linkedin_content(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a LinkedIn content export (``.xls``, ``.xlsx``, or a CSV saved from one) into ``posts`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path (its name may name the page) and the client's time zone.
    """
    if workbook_kind(data) is not None:
        try:
            book = read_workbook(data)
        except TableError as exc:
            return refused(
                Table.POSTS, f"{ctx.source}: {exc}; this is not a readable LinkedIn content export."
            )
        return read_content_workbook(book, ctx)
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, "Update title, Update link, Created date")
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable LinkedIn content export.")
    return _posts(table, ctx)


def _detect(probe: Probe) -> bool:
    if probe.unit.is_folder:
        return False
    mapping = probe.mappings.get(NAME, {})
    if head_has_workbook_magic(probe.head):
        _kind, sheets = workbook_heads(probe.unit.path)
        return any(locate_header_in_records(s.records, is_header, mapping) is not None for s in sheets)
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_linkedin_content(unit.path.read_bytes(), ctx)


# version 2: dates, counts and ids as a spreadsheet re-saves them in its locale
READER = register(
    Reader(NAME, "LinkedIn Page content export (.xls or .xlsx)", Table.POSTS, _detect, _read, version=2)
)
