"""Facebook Page Insights, legacy "Export data", ``.xls`` download: a **SpreadsheetML 2003 XML** workbook
(not binary Excel) with several sheets.

Layout (FORMATS.md): the first sheet (``Key Metrics``) holds one row per post (or, in the page-level
download, one row per day) under a header whose metric columns carry **API metric names**
(``post_impressions_unique:lifetime``) where the CSV has titles (``Lifetime Post Total Reach``); the
row under the header describes each metric and is not data. The other sheets break the same posts (or
days) down by one metric each (``Lifetime Talking About This (Post) by action type``: comment, like,
share), again one row per post.

Reading. API names are translated to the CSV's titles (:data:`API_TITLES`; a breakdown column
``post_storytellers_by_action_type:lifetime - like`` becomes ``Lifetime Talking About This (Post) by
action type - like``; a bare ``like`` on a sheet named after a breakdown is read the same way), so the
rows go through exactly the conversion of the post-level CSV (:mod:`.facebook_insights`): same ids,
same columns, same checks. Columns of the other sheets are joined to the first sheet's posts by
``Post ID``. Workbook cells typed as dates read as ``2016-02-14 00:40:16`` in the page's local time.

Accounting. A row is a post of the first sheet (the other sheets describe the same posts); a post that
appears only on another sheet is quarantined, with the sheet and row named. A page-level workbook is
recognised and its day rows skipped, as for the page-level CSV (:mod:`.facebook_page_level`).

The same reading serves a download re-saved as ``.xlsx`` or ``.xls`` when its header carries API names
(one with the CSV's titles on its first sheet is read by the post-level reader).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from community_health.ingest import facebook_insights, facebook_page_level
from community_health.ingest.envelope import ReadContext, ReadResult, Table, quarantine_frame, refused
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.tabular import (
    HEADER_SCAN_ROWS,
    HeaderTest,
    RawTable,
    TableError,
    locate_header_in_records,
    read_records,
)
from community_health.ingest.units import ExportUnit
from community_health.ingest.workbooks import (
    Sheet,
    Workbook,
    head_has_workbook_magic,
    name_sheet_in_reasons,
    read_workbook,
    workbook_heads,
)

NAME = "facebook_insights_xls"
ID_TITLES = {
    "post_id": "Post ID",
    "id": "Post ID",
    "permalink": "Permalink",
    "permalink_url": "Permalink",
    "message": "Post Message",
    "post_message": "Post Message",
    "type": "Type",
    "created_time": "Posted",
    "posted": "Posted",
}
API_TITLES = {
    "post_impressions_unique:lifetime": "Lifetime Post Total Reach",
    "post_impressions_organic_unique:lifetime": "Lifetime Post organic reach",
    "post_impressions_paid_unique:lifetime": "Lifetime Post Paid Reach",
    "post_impressions:lifetime": "Lifetime Post Total Impressions",
    "post_impressions_organic:lifetime": "Lifetime Post Organic Impressions",
    "post_impressions_paid:lifetime": "Lifetime Post Paid Impressions",
    "post_engaged_users:lifetime": "Lifetime Engaged Users",
    "post_consumptions_unique:lifetime": "Lifetime Post Consumers",
    "post_consumptions:lifetime": "Lifetime Post Consumptions",
    "post_negative_feedback:lifetime": "Lifetime Negative feedback",
    "post_video_views:lifetime": "Lifetime Total Video Views",
    "post_video_views_unique:lifetime": "Lifetime Unique Video Views",
}
BREAKDOWN_TITLES = {
    "post_storytellers_by_action_type:lifetime": facebook_insights.ACTION.removesuffix(" - "),
    "post_stories_by_action_type:lifetime": "Lifetime Post Stories by action type",
    "post_consumptions_by_type:lifetime": "Lifetime Post Consumptions by type",
    "post_consumptions_by_type_unique:lifetime": "Lifetime Post Consumers by type",
    "post_reactions_by_type_total:lifetime": facebook_insights.REACTIONS_BY_TYPE.removesuffix(" - "),
}
POST_COLUMNS = frozenset(
    {"Post ID", "Permalink", "Post Message", "Type", "Countries", "Languages", "Posted", "Audience Targeting"}
)
_POST_ID = re.compile(r"\s*\d+(_\d+)?\s*")


def breakdown_of(sheet: str) -> str | None:
    """The breakdown title a sheet is named after (Excel cuts sheet names to 31 characters), or None.

    Spaces are not compared: the download names its sheet ``Lifetime Talking About This(...`` (the
    title cut to fit, with no space before the parenthesis) for ``Lifetime Talking About This (Post) by
    action type``.
    """
    name = re.sub(r"\s+", "", sheet).rstrip(".…")
    if len(name) < 17:
        return None
    return next((t for t in BREAKDOWN_TITLES.values() if re.sub(r"\s+", "", t).startswith(name)), None)


def title_of(name: str, breakdown: str | None = None) -> str:
    """The CSV's title for a header cell of the workbook (API names translated, titles kept).

    Parameters
    ----------
    name
        The header cell, stripped.
    breakdown
        On a sheet named after a breakdown, its title: a bare key such as ``like`` there is that
        breakdown's ``like``.
    """
    if name in API_TITLES:
        return API_TITLES[name]
    if name.lower() in ID_TITLES:
        return ID_TITLES[name.lower()]
    api, sep, key = name.partition(" - ")
    if sep and api in BREAKDOWN_TITLES:
        return f"{BREAKDOWN_TITLES[api]} - {key}"
    if breakdown and name and name not in POST_COLUMNS and not name.startswith(("Lifetime", "Daily")):
        return f"{breakdown} - {name}"
    return name


def _titled(cells: Sequence[str], sheet: str, mapping: Mapping[str, str]) -> list[str]:
    breakdown = breakdown_of(sheet)
    out = []
    for cell in cells:
        raw = cell.strip().lstrip("\ufeff")
        out.append(title_of(mapping.get(raw, raw), breakdown))
    return out


def _post_header(cells: Sequence[str]) -> bool:
    return facebook_insights.is_header(cells)


def _page_header(cells: Sequence[str]) -> bool:
    return facebook_page_level.is_header(cells)


def _breakdown_header(cells: Sequence[str]) -> bool:
    return "Post ID" in cells and len(cells) > 1


def _locate(sheet: Sheet, test: HeaderTest, mapping: Mapping[str, str]) -> int | None:
    titled = [_titled(r, sheet.name, mapping) for r in sheet.records[:HEADER_SCAN_ROWS]]
    return locate_header_in_records(titled, test)


def _table(sheet: Sheet, at: int, mapping: Mapping[str, str]) -> RawTable:
    records = [list(r) for r in sheet.records]
    records[at] = _titled(records[at], sheet.name, mapping)
    return read_records(records, at)


def _join_breakdowns(
    key: RawTable, key_name: str, sheets: Sequence[Sheet], skip: int, ctx: ReadContext
) -> tuple[RawTable, pd.DataFrame]:
    """The key sheet's rows with the other sheets' columns joined by ``Post ID``.

    Returns
    -------
    table, orphans
        The joined rows, and quarantine rows for posts that appear on another sheet only.
    """
    frame = key.frame.copy()
    ids = frame["Post ID"].str.strip() if "Post ID" in frame.columns else pd.Series([], dtype="str")
    files: list[str] = []
    rows: list[int] = []
    reasons: list[str] = []
    excerpts: list[str] = []
    added: dict[str, pd.Series] = {}
    for index, sheet in enumerate(sheets):
        if index == skip:
            continue
        at = _locate(sheet, _breakdown_header, ctx.column_mapping)
        if at is None:
            continue
        other = _table(sheet, at, ctx.column_mapping)
        if "Post ID" not in other.frame.columns or len(other.frame) == 0:
            continue
        other_ids = other.frame["Post ID"].str.strip()
        is_post = other_ids.str.fullmatch(_POST_ID.pattern, na=False).to_numpy(dtype=bool)
        first = ~other_ids.duplicated().to_numpy(dtype=bool)
        lookup = pd.Series(range(len(other_ids)), index=other_ids.to_numpy())[is_post & first]
        known = set(ids.dropna())
        orphan = np.flatnonzero(is_post & first & ~other_ids.isin(known).to_numpy(dtype=bool))
        for pos, excerpt in zip(orphan, other.excerpts(orphan), strict=True):
            rows.append(int(other.rows[pos]))
            files.append(ctx.source)
            reasons.append(
                f'{ctx.source}, sheet "{sheet.name}", row {other.rows[pos]}: post {other_ids.iloc[pos]} '
                f'is not on the sheet "{key_name}", so its figures have no post to belong to'
            )
            excerpts.append(excerpt)
        positions = ids.map(lookup)
        present = positions.notna().to_numpy(dtype=bool)
        for column in other.frame.columns:
            if column in POST_COLUMNS or column in frame.columns or column in added:
                continue
            values = pd.Series([None] * len(frame), dtype="str")
            if present.any():
                take = positions[present].astype("int64").to_numpy()
                values[present] = other.frame[column].iloc[take].to_numpy()
            added[column] = values
    if added:
        frame = pd.concat([frame, pd.DataFrame(added, index=frame.index)], axis=1)
    orphans = quarantine_frame(files, rows, ["Post ID"] * len(rows), reasons, excerpts)
    return RawTable(frame, key.rows, key.header_row, key.broken, key.sep), orphans


def read_insights_workbook(book: Workbook, ctx: ReadContext) -> ReadResult:
    """Read a Page Insights workbook: posts from a post-level one, skipped days from a page-level one.

    Parameters
    ----------
    book
        The workbook's sheets.
    ctx
        The file's path and the client's time zone (``Posted`` is the page's local time).
    """
    mapping = ctx.column_mapping
    for index, sheet in enumerate(book.sheets):
        at = _locate(sheet, _post_header, mapping)
        if at is not None:
            key = _table(sheet, at, mapping)
            table, orphans = _join_breakdowns(key, sheet.name, book.sheets, index, ctx)
            result = facebook_insights.posts_from_table(table, ctx)
            result.quarantine["reason"] = name_sheet_in_reasons(
                result.quarantine["reason"].tolist(), ctx.source, sheet.name
            )
            if len(orphans):
                result.quarantine = pd.concat([result.quarantine, orphans], ignore_index=True)
                result.rows_read += len(orphans)
            return _noted(result, book, ctx)
        at = _locate(sheet, _page_header, mapping)
        if at is not None:
            others = len(book.sheets) - 1
            reason = facebook_page_level.SKIP_REASON
            if others:
                rest = "the other sheet breaks" if others == 1 else f"the {others} other sheets break"
                reason += f' (sheet "{sheet.name}"; {rest} the same days down)'

            result = facebook_page_level.skip_page_rows(_table(sheet, at, mapping), ctx, reason)
            result.quarantine["reason"] = name_sheet_in_reasons(
                result.quarantine["reason"].tolist(), ctx.source, sheet.name
            )
            return _noted(result, book, ctx)
    names = ", ".join(f'"{s.name}"' for s in book.sheets) or "none"
    return refused(
        Table.POSTS,
        f"{ctx.source} is a {book.kind} but none of its sheets ({names}) has the Page Insights header "
        "(Post ID, Permalink, Posted, ... or Date, Lifetime Total Likes, ...) in its first rows. Download "
        "the export again from Page Insights.",
    )


def _noted(result: ReadResult, book: Workbook, ctx: ReadContext) -> ReadResult:
    if book.problem:
        note = (
            f"{ctx.source}: {book.problem}; the rows before it were read, the rest could not be. "
            "Download the export again."
        )
        result.error = f"{result.error} {note}" if result.error else note
    return result


def parse_facebook_insights_xls(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Page Insights ``.xls`` download (SpreadsheetML 2003 XML, or a re-saved workbook).

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path and the client's time zone.
    """
    try:
        book = read_workbook(data)
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable Page Insights download.")
    return read_insights_workbook(book, ctx)


def _detect(probe: Probe) -> bool:
    if probe.unit.is_folder or not head_has_workbook_magic(probe.head):
        return False
    mapping = probe.mappings.get(NAME, {})
    _kind, sheets = workbook_heads(probe.unit.path)
    return any(
        _locate(s, _post_header, mapping) is not None or _locate(s, _page_header, mapping) is not None
        for s in sheets
    )


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_facebook_insights_xls(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Facebook Page Insights .xls download (SpreadsheetML 2003 XML, several sheets)",
        Table.POSTS,
        _detect,
        _read,
    )
)
