"""Facebook Page Insights, legacy "Export data", page level (CSV): one row per day for the whole page.

Layout (FORMATS.md): **Windows-1252**, CRLF; a header ``Date, Lifetime Total Likes, Daily New Likes,
Daily Unlikes, Daily Page Engaged Users, Weekly ..., 28 Days ..., Lifetime Likes by City - Barcelona,
Cataluña, Spain, ...`` with hundreds of generated columns; the second row describes each metric
(``Lifetime: The total number of people who have liked your Page.``) and is not counted as a row.

Meta Business Suite's insights export writes one such series per file (``Follows.csv``, ``Views.csv``,
``Visits.csv``, ...): **UTF-16**, an Excel separator hint ``sep=,`` and the metric's name (``"Facebook
follows"``) above the header ``"Date","Primary"``, then one row per day (``"2025-08-01T00:00:00","20"``).
It is read the same way.

Where it goes: **nowhere, on purpose.** Its rows are daily totals for the whole page (likes, reach,
engaged users by day, by city, by age), not pieces of community content and not brand posts: ``messages``
holds what someone wrote and ``posts`` one row per brand post, and a day of page totals is neither. Forcing
a day into ``posts`` would count it as a post in every resonance figure. So the file is recognised, named
in the ingest log as ``facebook_insights_page_daily``, and every day row is counted as **skipped**, with
the reason saying so; nothing is dropped silently. A row that cannot be split into the header's columns is
quarantined as in every other export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import RawTable, TableError
from community_health.ingest.units import ExportUnit

NAME = "facebook_insights_page_daily"
PAGE_PREFIXES = ("Lifetime ", "Daily ", "Weekly ", "28 Days ")
API_PAGE_METRIC = re.compile(r"page_[a-z0-9_]+:(?:day|week|days_28|lifetime)\b")
SKIP_REASON = (
    "Facebook Page Insights page-level daily figures (one row per day for the whole page, not a post "
    "or a message): recognised, not used"
)
SERIES_SKIP_REASON = (
    "Meta Business Suite daily series (one figure per day for the whole page or account, not a post or a "
    "message): recognised, not used"
)


def is_header(cells: Sequence[str]) -> bool:
    """The page-level header: ``Date`` first, then page metrics (``Lifetime Total Likes``, ``Daily ...``,
    or API names such as ``page_fans:lifetime``), at least two of them; or Meta Business Suite's daily
    series, ``Date, Primary``."""
    if not cells or cells[0] not in ("Date", "date", "end_time"):
        return False
    if len(cells) >= 2 and cells[1] == "Primary":
        return all(c in ("Primary", "Comparison", "") for c in cells[1:])
    metrics = [c for c in cells[1:] if c.startswith(PAGE_PREFIXES) or API_PAGE_METRIC.match(c)]
    return len(metrics) >= 2


def is_description_row(table: RawTable) -> bool:
    """Whether the first data row describes the metrics: no date in ``Date``, words in a metric cell."""
    if len(table.frame) == 0 or len(table.frame.columns) < 2:
        return False
    first = table.frame.iloc[0]
    date = str(first.iloc[0] or "")
    if any(ch.isdigit() for ch in date):
        return False
    return any(any(ch.isalpha() for ch in str(v or "")) for v in first.iloc[1:])


def skip_page_rows(table: RawTable, ctx: ReadContext, reason: str = SKIP_REASON) -> ReadResult:
    """Count every day row of a page-level table as skipped (broken rows are quarantined).

    Parameters
    ----------
    table
        The rows under the header; a description row first is dropped and not counted.
    ctx
        The export's path.
    reason
        The skip reason the ingest log shows.
    """
    if is_description_row(table):
        table = table.drop_first()
    rows = SheetRows(table, ctx)
    rows.checks.skip(np.ones(len(rows), dtype=bool), reason)
    return rows.finish(Table.POSTS, {})


def parse_facebook_insights_page_daily(data: bytes, ctx: ReadContext) -> ReadResult:
    """Recognise a Page Insights page-level daily CSV and count its days as skipped.

    Parameters
    ----------
    data
        The file's bytes (Windows-1252 or UTF-8).
    ctx
        The file's path.
    """
    try:
        table = load_sheet(
            data, is_header, ctx.column_mapping, "Date, Lifetime Total Likes, Daily New Likes, ..."
        )
    except TableError as exc:
        return refused(
            Table.POSTS, f"{ctx.source}: {exc}; this is not a readable Page Insights page-level export."
        )
    series = "Primary" in table.frame.columns
    return skip_page_rows(table, ctx, SERIES_SKIP_REASON if series else SKIP_REASON)


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_facebook_insights_page_daily(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Facebook Page Insights page-level daily CSV (recognised; its day rows are skipped, not used)",
        Table.POSTS,
        _detect,
        _read,
        version=2,  # Meta Business Suite daily series recognised
    )
)
