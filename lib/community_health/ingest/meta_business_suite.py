"""Meta Business Suite content export (CSV): the brand's Instagram or Facebook posts with their counts.

Layout (FORMATS.md): columns such as ``Post ID, Account ID, Account username, Account name, Description,
Duration (sec), Publish time, Permalink, Post type, Data comment, Date, Impressions, Reach, Likes, Shares,
Follows, Comments, Saves``; **the set varies with the metrics chosen** (a Facebook Page export has ``Page
ID, Page name, Title, Reactions, Total clicks, Views`` instead), so every column is found by name and any
may be missing (its counts are then null, not zero); a file saved with a byte-order mark reads the same.
``Publish time`` is ``10/01/2025 14:05``, US order, with no zone: read in the client's time zone, which
the ingest log reports as assumed. A file re-saved by a spreadsheet holds its locale's short date
(``03.10.2025 14:05``): one day/month order is taken for the whole file, US order when no date in it
settles it (see ``sheets.dates_as_resaved``). ``Date`` says which period the counts cover (``Lifetime``).

Rows go to ``posts``:

===========  ======================================================================================
post_id      ``Post ID``
platform     from ``Permalink`` (instagram.com -> instagram, facebook.com -> facebook), else from
             ``Post type`` (``IG image``, ``IG reel`` -> instagram), else instagram when the file has
             ``Account username`` and facebook when it has ``Page ID``
channel      ``Account username``, else ``Page name`` / ``Account name``, else the account's id
post_type    ``Post type`` in lower case, without Instagram's ``IG`` prefix (``IG carousel`` ->
             ``carousel``; ``Photos`` -> ``photo``)
text         the longer of ``Description`` and ``Title``: a Facebook Page export fills ``Title`` for
             nearly every post and ``Description`` for about half, and which of the two holds the
             whole caption varies with the post type
impressions  ``Impressions``, else ``Views`` (Meta's 2025 successor of impressions)
reach        ``Reach``
reactions    ``Likes``, else ``Reactions``
comments     ``Comments``; shares: ``Shares``; clicks: ``Total clicks``, else ``Link clicks``
video_views  ``Plays``, else ``Video views``
engagements  ``Interactions``, else the Facebook Page export's ``Reactions, Comments and Shares``
             (else null: resonance sums the counts)
===========  ======================================================================================

``Follows`` and ``Saves`` have no column in the tables and are not carried over. Column names are matched
regardless of case: real downloads write both ``Reactions, Comments and Shares`` and ``Reactions, comments
and shares``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from community_health.ingest.envelope import ReadContext, ReadResult, Table, null_text, refused
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Platform, Posts

NAME = "meta_business_suite"
PUBLISH_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "ISO8601")
PUBLISH_EXPECTED = "a date like 10/01/2025 14:05"
ACCOUNT_COLUMNS = ("Account ID", "Account username", "Account name", "Page ID", "Page name")
COUNTS = {
    Posts.impressions: ("Impressions", "Views"),
    Posts.reach: ("Reach",),
    Posts.reactions: ("Likes", "Reactions"),
    Posts.comments: ("Comments",),
    Posts.shares: ("Shares",),
    Posts.clicks: ("Total clicks", "Link clicks"),
    Posts.video_views: ("Plays", "Video views"),
    Posts.engagements: ("Interactions", "Reactions, Comments and Shares"),
}
POST_TYPES = {"photos": "photo", "videos": "video", "links": "link", "reels": "reel", "image": "photo"}


def is_header(cells: Sequence[str]) -> bool:
    """A content export's header: ``Post ID``, ``Publish time``, and an account or page column.

    (Page Insights' post export has ``Posted`` instead of ``Publish time``; it has its own reader.)
    """
    names = set(cells)
    return "Post ID" in names and "Publish time" in names and bool(set(ACCOUNT_COLUMNS) & names)


def _first(rows: SheetRows, names: Sequence[str]) -> str | None:
    """The first of ``names`` the export has, as the export spells it (any case)."""
    columns = {str(c).casefold(): str(c) for c in rows.table.frame.columns}
    for name in names:
        if rows.has(name):
            return name
        if name.casefold() in columns:
            return columns[name.casefold()]
    return None


def longer_text(first: pd.Series, second: pd.Series) -> pd.Series:
    """Row by row, the longer of two texts (``first`` on a tie; null only when both are)."""
    a, b = first.reset_index(drop=True), second.reset_index(drop=True)
    take_b = b.fillna("").str.len() > a.fillna("").str.len()
    return a.where(~take_b, b)


def platform_of(permalink: pd.Series, post_type: pd.Series, default: Platform) -> pd.Series:
    """Each post's platform: from its link's host, else its type (``IG ...``), else ``default``."""
    link = permalink.fillna("").str.lower()
    kind = post_type.fillna("").str.strip().str.lower()
    out = np.full(len(link), default.value, dtype=object)
    out[kind.str.startswith("ig ").to_numpy(dtype=bool)] = Platform.INSTAGRAM.value
    out[
        link.str.contains(r"://(?:[a-z]+\.)?facebook\.com/|://fb\.watch/", regex=True).to_numpy(dtype=bool)
    ] = Platform.FACEBOOK.value
    out[link.str.contains(r"://(?:www\.)?instagram\.com/", regex=True).to_numpy(dtype=bool)] = (
        Platform.INSTAGRAM.value
    )
    return pd.Series(out, dtype="str")


def post_type_of(post_type: pd.Series) -> pd.Series:
    """``IG carousel`` -> ``carousel``, ``Photos`` -> ``photo``; others in lower case."""
    kind = post_type.str.strip().str.lower().str.removeprefix("ig ").str.strip()
    return kind.replace(POST_TYPES)


def parse_meta_business_suite(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Meta Business Suite content CSV into ``posts`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, and the client's time zone (``Publish time`` has none).
    """
    try:
        table = load_sheet(
            data, is_header, ctx.column_mapping, "Post ID, Account ID, Publish time, Permalink"
        )
    except TableError as exc:
        return refused(
            Table.POSTS, f"{ctx.source}: {exc}; this is not a readable Meta Business Suite content export."
        )
    rows = SheetRows(table, ctx)
    missing = [c for c in ("Post ID", "Publish time") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(Table.POSTS, missing, "Post ID, Account ID, Publish time, Permalink, ...")
    post_id = rows.matching("Post ID", r"\s*\d+(_\d+)?\s*", "a post id like 17912345678901234")
    created = rows.dates(
        "Publish time", PUBLISH_FORMATS, PUBLISH_EXPECTED, local_zone=ctx.timezone, month_first=True
    )
    permalink = rows.text("Permalink")
    post_type = rows.text("Post type")
    default = Platform.INSTAGRAM if rows.has("Account username") else Platform.FACEBOOK
    channel = null_text(len(rows))
    for name in ("Account username", "Page name", "Account name", "Account ID", "Page ID"):
        channel = channel.fillna(rows.text(name))
    text = longer_text(rows.text("Description"), rows.text("Title"))
    data_: dict[str, object] = {
        Posts.post_id: post_id,
        Posts.platform: platform_of(permalink, post_type, default),
        Posts.channel: channel.fillna("unknown"),
        Posts.created_at: created,
        Posts.post_type: post_type_of(post_type),
        Posts.text: text,
        Posts.url: permalink,
    }
    for column, names in COUNTS.items():
        found = _first(rows, names)
        data_[column] = rows.counts(found) if found else rows.counts(names[0])
    return rows.finish(Table.POSTS, data_)


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_meta_business_suite(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Meta Business Suite content CSV (Instagram or Facebook posts)",
        Table.POSTS,
        _detect,
        _read,
        version=3,  # 2: the longer caption, "Reactions, Comments and Shares"; 3: spreadsheet re-saves
    )
)
