"""Brandwatch mentions export (CSV or XLSX): mentions of the brand found anywhere on the web.

Layout (FORMATS.md): metadata lines above the header (report name, date range, ...), then a header such as
``Date, Title, Url, Domain, Sentiment, Author, Full Name, Full Text, Snippet, Twitter Followers, ...``;
the column set varies, so columns are found by name (and through ``column_mappings: brandwatch:`` in
``client.yml`` when an export renames them). Numbers carry thousands separators (``12,345``); dates look
like ``2026-10-13 14:22:05.0`` with no zone: read in the client's time zone (or in the zone a ``Timezone``
column names), which the ingest log reports as assumed. Dates written with an offset keep it.

Rows go to ``messages`` with kind ``mention``:

================  ==============================================================================
message_id        ``Mention Id`` / ``Resource Id`` when present (a number a spreadsheet rounded into
                  ``1.845678901234568e+18`` is no id), else the status number of a post on X (as
                  the other listening tools name it, so that the same post deduplicates), else ``Url``
platform          from ``Domain`` (or the Url's host): twitter.com and x.com -> x, facebook.com ->
                  facebook, instagram.com -> instagram, reddit.com -> reddit, youtube.com ->
                  youtube, linkedin.com -> linkedin, bsky.app -> bluesky, threads.net -> threads,
                  tiktok.com -> tiktok, anything else -> web
channel           the subreddit (``r/<name>``) for Reddit, else the domain
thread_id         the mention's own id (a mention is its own conversation)
author_id         ``Author`` (the handle), else the domain for articles without an author
author_name       ``Full Name``, else ``Author``
author_followers  ``Twitter Followers`` (``X Followers`` since X's renaming, or ``Followers``)
text              ``Full Text``, else ``Snippet``, else ``Title``
counts            likes, comments, shares, impressions and reach where the export has them
================  ==============================================================================

``Sentiment`` is not carried over: the workbook scores every message itself, the same way for every source.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    Table,
    by_distinct,
    extract,
    first_text,
    null_counts,
    null_text,
    refused,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import (
    ROUNDED_NUMBER,
    SheetRows,
    arrow_text,
    extract_in,
    fullmatch,
    load_sheet,
    repeated_text,
)
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "brandwatch"
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "ISO8601")
DATE_EXPECTED = "a date like 2026-10-13 14:22:05.0"
HOST = r"^(?:https?://)?([^/]+)"
ID_COLUMNS = ("Mention Id", "Resource Id", "Id")
TEXT_COLUMNS = ("Full Text", "Snippet", "Title")
FOLLOWER_COLUMNS = ("Twitter Followers", "X Followers", "Followers", "Author Followers")
TIMEZONE_COLUMNS = ("Timezone", "Time Zone", "Time zone")
COUNT_COLUMNS = {
    Messages.reactions: ("Likes", "Twitter Likes", "Facebook Likes"),
    Messages.comments: ("Comments", "Twitter Reply Count", "Facebook Comments"),
    Messages.shares: ("Shares", "Twitter Retweets", "Facebook Shares"),
    Messages.impressions: ("Impressions",),
    Messages.reach: ("Reach (new)", "Reach"),
}
#: The status id in an X/Twitter link (the other listening tools' id for a tweet, see ``mentions``).
X_STATUS = r"(?:twitter|x)\.com/(?:[A-Za-z0-9_]{1,30}|i/web|i)/status(?:es)?/(\d{1,25})"
#: Literal quotes (and a leading ``=``) some tools write around ids so that a spreadsheet keeps every digit.
_QUOTED_ID = r"""^=?['"]*(.*?)['"]*$"""
DOMAIN_PLATFORMS = {
    "twitter.com": Platform.X,
    "x.com": Platform.X,
    "t.co": Platform.X,
    "facebook.com": Platform.FACEBOOK,
    "fb.com": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM,
    "reddit.com": Platform.REDDIT,
    "youtube.com": Platform.YOUTUBE,
    "youtu.be": Platform.YOUTUBE,
    "linkedin.com": Platform.LINKEDIN,
    "bsky.app": Platform.BLUESKY,
    "threads.net": Platform.THREADS,
    "threads.com": Platform.THREADS,
    "tiktok.com": Platform.TIKTOK,
}


def is_header(cells: Sequence[str]) -> bool:
    """A mentions header: ``Url``, a text column (``Full Text`` or ``Snippet``) and ``Date`` or ``Author``."""
    names = set(cells)
    return (
        bool({"Url", "URL"} & names)
        and bool({"Full Text", "Snippet"} & names)
        and bool({"Date", "Author", "Domain", "Sentiment"} & names)
    )


def clean_ids(values: pd.Series) -> pd.Series:
    """Ids as exported, without the literal quotes some tools write around them (``"1845678901234567890"``);
    null where empty or where a spreadsheet rounded a long number into exponent notation
    (``1.845678901234568e+18``, ``1,84568E+18``: names no tweet, the row falls back to its link)."""
    s = values.str.strip().str.replace(_QUOTED_ID, r"\1", regex=True).str.strip()
    lost = fullmatch(s, ROUNDED_NUMBER) | ~s.str.len().fillna(0).astype(bool).to_numpy()
    return s.mask(pd.Series(lost, index=s.index))


def platform_of(domains: pd.Series) -> pd.Series:
    """The platform of each domain (``www.`` and subdomains ignored; unknown domains are ``web``)."""
    return by_distinct(domains, _platform_of).astype("str")


def _platform_of(domains: pd.Series) -> pd.Series:
    d = (
        domains.str.strip()
        .str.lower()
        .str.replace(r"^(?:https?://)?(?:www\.|m\.|mobile\.|old\.)?", "", regex=True)
        .str.split("/")
        .str[0]
    )
    base = d.str.extract(r"([a-z0-9-]+\.[a-z]+)$", expand=False)
    out = base.map({k: v.value for k, v in DOMAIN_PLATFORMS.items()})
    return out.fillna(Platform.WEB.value).astype("str")


def _first(rows: SheetRows, names: Sequence[str]) -> str | None:
    return next((n for n in names if rows.has(n)), None)


def _zone_column(rows: SheetRows, fallback: str) -> tuple[str, bool]:
    """The zone a ``Timezone`` column names (its most common valid value) and True, else ``fallback``
    and False (the zone is then assumed)."""
    column = _first(rows, TIMEZONE_COLUMNS)
    if column is None:
        return fallback, False
    values = rows.text(column).dropna().str.strip()
    for zone in values.value_counts().index:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return str(zone), True
    return fallback, False


def parse_brandwatch(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Brandwatch mentions export (CSV or XLSX) into ``messages`` rows of kind mention.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, the client's time zone and the client's column mapping for ``brandwatch``.
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, "Date, Url and Full Text or Snippet")
    except TableError as exc:
        return refused(
            Table.MESSAGES, f"{ctx.source}: {exc}; this is not a readable Brandwatch mentions export."
        )
    rows = SheetRows(table, ctx)
    if not rows.has("Date"):
        return rows.refuse_missing(
            Table.MESSAGES, ["Date"], "Date, Title, Url, Domain, Author, Full Text, ..."
        )
    n = len(rows)
    zone, stated = _zone_column(rows, ctx.timezone)
    created = rows.dates("Date", DATE_FORMATS, DATE_EXPECTED, local_zone=zone)
    url_col = "Url" if rows.has("Url") else "URL"
    url = rows.text(url_col)
    id_col = _first(rows, ID_COLUMNS)
    mention_id = clean_ids(rows.text(id_col)) if id_col else null_text(n)
    # without an id, a post on X is named by its status number, as the other tools name it
    message_id = first_text([mention_id, extract(url, X_STATUS), url.str.strip()], n)
    rows.checks.flag(
        message_id.isna().to_numpy(dtype=bool), url_col, "the mention's address (or a mention id)", url
    )
    if rows.has("Domain"):
        # the host of the link only where the Domain cell is empty
        domain = rows.text("Domain")
        domain = first_text([domain, extract_in(url, HOST, domain.isna().to_numpy(dtype=bool))], n)
    else:
        domain = extract(url, HOST)
    domain = domain.str.strip().str.lower()
    platform = platform_of(domain.fillna(""))
    subreddit = extract(url, r"reddit\.com/(r/[^/?#]+)")
    reddit = arrow_text(
        pc.if_else(pc.equal(pa.array(platform), Platform.REDDIT.value), pa.array(subreddit), None)
    )
    channel = first_text([reddit, domain, repeated_text("unknown", n)], n)
    author_col = _first(rows, ("Author", "Full Name"))
    author = rows.text(author_col).str.strip().str.lstrip("@") if author_col else null_text(n)
    author_id = first_text([author, domain, repeated_text("unknown", n)], n)
    full_name = rows.text("Full Name") if rows.has("Full Name") else author
    text = first_text([rows.text(col) for col in TEXT_COLUMNS], n)
    followers_col = _first(rows, FOLLOWER_COLUMNS)
    counts = {out: rows.counts(c) for out, names in COUNT_COLUMNS.items() if (c := _first(rows, names))}
    data_ = {
        Messages.message_id: message_id,
        Messages.platform: platform,
        Messages.channel: channel,
        Messages.thread_id: message_id,
        Messages.author_id: author_id,
        Messages.author_name: first_text([full_name, author], n),
        Messages.author_is_brand: np.zeros(n, dtype=bool),
        Messages.author_is_bot: np.zeros(n, dtype=bool),
        Messages.author_followers: rows.counts(followers_col) if followers_col else null_counts(n),
        Messages.created_at: created,
        Messages.kind: [Kind.MENTION.value] * n,
        Messages.text: text,
        Messages.url: url,
        **counts,
    }
    result = rows.finish(Table.MESSAGES, data_)
    if result.assumed_timezone is not None:
        result.assumed_timezone = None if stated else zone
    return result


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_brandwatch(unit.path.read_bytes(), ctx)


# version 2: dates, counts and ids as a spreadsheet re-saves them in its locale
READER = register(
    Reader(NAME, "Brandwatch mentions export, CSV or XLSX", Table.MESSAGES, _detect, _read, version=2)
)
