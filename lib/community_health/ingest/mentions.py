"""What every listening-tool reader does the same way (Talkwalker, Meltwater, Sprout Social): find the
header below any preamble, find each field's column by name, read the rows into ``messages`` as kind
``mention``, exactly as the Brandwatch reader does.

Columns are found by name, never by position. Each tool has a built-in map of *fields* to the column
names it is known to write, in order of preference (:class:`MentionLayout`); a client whose export
renames a column maps it in ``client.yml``::

    column_mappings:
      meltwater:
        "Texto": "Hit Sentence"     # to the tool's own column name,
        "Autor": author             # or straight to a field

Fields: ``date``, ``time`` (when the date column holds the day only), ``id``, ``url``, ``author``,
``author_name``, ``text``, ``title`` (used when there is no text), ``followers``, ``reactions``,
``comments``, ``shares``, ``impressions``, ``reach``, ``video_views`` and ``network`` (the tool's name of
the social network, used when the link does not tell).

Rows go to ``messages`` with kind ``mention``:

================  ==============================================================================
message_id        the ``id`` field (without the literal quotes Meltwater writes around its ``Tweet Id``:
                  ``"1845678901234567890"``; not when a spreadsheet rounded it into
                  ``1.845678901234568e+18``); else the status id of an X/Twitter link (so the same
                  tweet found by two tools is one row, as Brandwatch's ``Mention Id`` is); else the link
platform          from the link's domain (``brandwatch.platform_of``), else from ``network``, else web
channel           the subreddit (``r/<name>``) for Reddit, else the domain
thread_id         the mention's own id (a mention is its own conversation)
author_id         ``author`` (a leading ``@`` removed), else ``author_name``, else the domain
created_at        ``date``: ISO dates with an offset keep it; dates without a zone are read in the client's
                  time zone, which the ingest log reports as assumed; numeric dates (``22/09/17``,
                  ``10/13/2026``) take one day/month order for the whole file (see ``localdates``);
                  Unix times in seconds or milliseconds are UTC
counts            whole numbers written with thousands separators (``12,345``, ``12.345``, ``12 345``)
                  or as floats (``12.0``); an empty cell is absent, never zero
================  ==============================================================================

Sentiment columns are not carried over: the workbook scores every message itself, the same way for every
source. Rates (``Engagement Rate (per Impression)``, ``12.5%``) are not counts and are not read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.brandwatch import X_STATUS, clean_ids, platform_of
from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    Table,
    by_distinct,
    counts_from_text,
    extract,
    first_text,
    null_counts,
    null_text,
    parse_dates,
    plain_counts,
    refused,
)
from community_health.ingest.localdates import (
    day_month_order,
    localize,
    month_first_by_convention,
    split_numeric,
)
from community_health.ingest.sheets import (
    COUNT_EXPECTED,
    SheetRows,
    arrow_text,
    counts_with,
    fullmatch,
    load_sheet,
    repeated_text,
)
from community_health.ingest.tabular import TableError
from community_health.schema import Kind, Messages, Platform

FIELDS = (
    "date",
    "time",
    "id",
    "url",
    "author",
    "author_name",
    "text",
    "title",
    "followers",
    "reactions",
    "comments",
    "shares",
    "impressions",
    "reach",
    "video_views",
    "network",
)
COUNT_FIELDS = {
    "reactions": Messages.reactions,
    "comments": Messages.comments,
    "shares": Messages.shares,
    "impressions": Messages.impressions,
    "reach": Messages.reach,
    "video_views": Messages.video_views,
}
NETWORK_PLATFORMS = (
    ("twitter", Platform.X),
    ("facebook", Platform.FACEBOOK),
    ("instagram", Platform.INSTAGRAM),
    ("linkedin", Platform.LINKEDIN),
    ("youtube", Platform.YOUTUBE),
    ("reddit", Platform.REDDIT),
    ("bluesky", Platform.BLUESKY),
    ("tiktok", Platform.TIKTOK),
)
#: A day without a time (``13-Oct-2026``), read as its local midnight whatever the tool.
DAY_ONLY = "%d-%b-%Y"
_THOUSANDS_DOTS = r"\d{1,3}(?:\.\d{3})+"


@dataclass(frozen=True)
class MentionLayout:
    """What one listening tool writes.

    Attributes
    ----------
    name
        The format's name (registry and ``column_mappings`` key).
    tool
        The tool's name, for messages.
    columns
        Field -> the column names the tool writes for it, most preferred first.
    markers
        Column names only this tool writes; a header needs one of them to be recognised.
    date_formats
        strptime formats of the tool's dates with month names or offsets (numeric day/month dates are
        handled for the whole file, see ``localdates``).
    date_expected
        A sample date, for reasons.
    month_first
        The tool's own convention for numeric dates, used when nothing in a file decides; None uses the
        convention of the client's time zone.
    """

    name: str
    tool: str
    columns: Mapping[str, tuple[str, ...]]
    markers: tuple[str, ...]
    date_formats: tuple[str, ...] = ()
    date_expected: str = "a date like 2026-10-13 14:22:05"
    month_first: bool | None = None
    header_hint: str = field(default="")

    def present(self, cells: Sequence[str]) -> set[str]:
        """The fields a header provides (cells already mapped through the client's mapping)."""
        names = set(cells)
        return {f for f in FIELDS if f in names or names & set(self.columns.get(f, ()))}

    def is_header(self, cells: Sequence[str]) -> bool:
        """A header of this tool: one of its marker columns, a date, a text and a link (or an id)."""
        names = set(cells)
        found = self.present(cells)
        return (
            bool(names & set(self.markers))
            and "date" in found
            and bool({"text", "title"} & found)
            and bool({"url", "id"} & found)
        )


def counts_from_local_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Counts as a localised spreadsheet writes them: ``12,345``, ``12.345``, ``12 345``, ``12.0``, ``12,0``.

    A dot followed by groups of exactly three digits is a thousands separator (a count is never
    fractional); everything else is read by ``counts_from_text``.
    """
    s = values.astype("str").str.strip().reset_index(drop=True)
    # plain digits and empty cells read the same by every rule here
    plain, empty, number = plain_counts(
        s, r"^[0-9]{1,15}$|^[0-9]{1,3}(?:,[0-9]{3}){1,4}$", unless=r"^[0-9]+,0+$"
    )
    if (plain | empty).all():
        return pd.Series(pd.array(number, dtype="Int64")), np.zeros(len(s), dtype=bool)
    rest = np.flatnonzero(~plain & ~empty)
    sub = s.iloc[rest].reset_index(drop=True)
    dotted = fullmatch(sub, _THOUSANDS_DOTS)
    sub = sub.where(~dotted, sub.str.replace(".", "", regex=False))
    sub = sub.str.replace(r"^(\d+),0+$", r"\1", regex=True)
    counts, bad_rest = counts_from_text(sub)
    out = pd.array(number, dtype="Int64")
    out[rest] = counts.array
    bad = np.zeros(len(s), dtype=bool)
    bad[rest] = bad_rest
    return pd.Series(out), bad


class MentionRows:
    """The rows of one mentions export, with each field found among its columns."""

    def __init__(self, rows: SheetRows, layout: MentionLayout) -> None:
        self.rows = rows
        self.layout = layout

    def columns_of(self, name: str) -> list[str]:
        """The columns holding a field: one mapped straight to it first, then the tool's own names."""
        direct = [c for c in self.rows.table.frame.columns if c == name]
        return direct + [c for c in self.layout.columns.get(name, ()) if self.rows.has(c)]

    def text(self, name: str) -> pd.Series:
        """A text field: the first non-empty cell among its columns (null when it has none)."""
        return first_text([self.rows.text(c) for c in self.columns_of(name)], len(self.rows))

    def counts(self, name: str) -> pd.Series:
        """A count field: the first readable count among its columns; bad cells are flagged."""
        out = null_counts(len(self.rows))
        for column in self.columns_of(name):
            raw = self.rows.table.frame[column]
            counts, bad = counts_with(raw, counts_from_local_text, zero_fraction=False)
            self.rows.flag(bad, column, COUNT_EXPECTED, raw)
            out = out.fillna(counts)
        return out

    def dates(self, zone: str) -> tuple[pd.Series, str | None]:
        """The ``date`` field (with ``time`` when the date holds the day only) into UTC.

        Returns
        -------
        dates, note
            The dates, and a sentence for the ingest log when the day/month order had to be assumed.
        """
        columns = self.columns_of("date")
        column = columns[0]
        raw = self.text("date")
        time = self.text("time")
        if time.notna().any():
            # a time of day starts the cell or follows a space or a T (the dots of 13.10.2026 are no time)
            no_time = ~raw.str.contains(r"(?:^|[\sT])\d{1,2}[:.]\d\d(?![\d./-])", na=False)
            raw = raw.where(~(no_time & time.notna()), raw + " " + time)
        self.rows.flag(raw.isna().to_numpy(dtype=bool), column, self.layout.date_expected, raw)
        n = len(raw)
        result = pd.Series(pd.NaT, index=range(n), dtype=pd.DatetimeTZDtype("ns", "UTC"))
        local = np.zeros(n, dtype=bool)
        stripped = raw.str.strip()
        epoch = fullmatch(stripped, r"\d{10}(?:\d{3})?")
        if epoch.any():
            numbers = stripped[epoch].astype("int64")
            unit = np.where(stripped[epoch].str.len() == 13, 1_000_000, 1_000_000_000)
            result[epoch] = pd.to_datetime(numbers.to_numpy() * unit, unit="ns", utc=True)
        rest = ~epoch & raw.notna().to_numpy(dtype=bool)
        # Day and month written first as numbers (10/13/2026, 13.10.26) are read by no format of any
        # tool nor as ISO 8601 (which starts with a four-digit year): they go straight to the numeric reading.
        by_format = rest & ~_starts_day_or_month(raw)
        if by_format.any():
            parsed, was_local = parse_dates(
                raw[by_format], (*self.layout.date_formats, DAY_ONLY, "ISO8601"), zone
            )
            idx = np.flatnonzero(by_format)
            result.iloc[idx] = parsed.array
            local[idx] = was_local
        note = None
        numeric = rest & result.isna().to_numpy(dtype=bool)
        if numeric.any():
            parts = split_numeric(raw[numeric].tolist())
            month_first = (
                self.layout.month_first
                if self.layout.month_first is not None
                else month_first_by_convention(zone)
            )
            order, naive = day_month_order(parts, chronological=False, month_first=month_first)
            idx = np.flatnonzero(numeric)
            result.iloc[idx] = localize(naive, zone).array
            local[idx] = parts.matched & naive.notna().to_numpy(dtype=bool)
            convention = (
                f"{self.layout.tool}'s usual order"
                if self.layout.month_first is not None
                else f"usual for {zone}"
            )
            note = order.note(self.rows.ctx.source, convention)
        bad = result.isna().to_numpy(dtype=bool) & raw.notna().to_numpy(dtype=bool)
        self.rows.flag(bad, column, self.layout.date_expected, raw)
        self.rows.assumed |= local
        return result, note


def _starts_day_or_month(values: pd.Series) -> np.ndarray:
    """Cells starting (after spaces or tabs) with one or two digits then ``/`` or ``.``."""
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    found = pc.match_substring_regex(arr, r"^[ \t]*[0-9]{1,2}[./]")
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def domain_of(url: pd.Series) -> pd.Series:
    """The host of each link, in lower case, without ``www.``, ``m.``, ``mobile.`` or ``old.``."""
    host = extract(url, r"^(?:https?://)?([^/?#]+)").str.lower()
    return host.str.replace(r"^(?:www\.|m\.|mobile\.|old\.)", "", regex=True)


def platform_from(domain: pd.Series, network: pd.Series) -> pd.Series:
    """The platform of each row: its link's domain says (:func:`brandwatch.platform_of`), else the tool's
    network name (:func:`network_platform`), else web."""
    by_domain = platform_of(domain.fillna(""))
    by_network = by_distinct(network, network_platform)
    use_hint = (by_domain == Platform.WEB.value) & by_network.notna()
    return by_domain.where(~use_hint, by_network).astype("str")


def network_platform(network: pd.Series) -> pd.Series:
    """The platform a tool's network name says (``Twitter``, ``SOCIALMEDIA_TWITTER``, ``X``), else null."""
    hint = network.str.lower().fillna("")
    by_network = null_text(len(hint))
    for word, platform in NETWORK_PLATFORMS:
        by_network = by_network.where(
            by_network.notna() | ~hint.str.contains(word, regex=False), platform.value
        )
    return by_network.where(by_network.notna() | (hint.str.strip() != "x"), Platform.X.value)


def parse_mentions(data: bytes, ctx: ReadContext, layout: MentionLayout) -> ReadResult:
    """Read a listening tool's mentions export (CSV in any encoding and separator, or XLSX).

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, the client's time zone and the client's column mapping for this tool.
    layout
        What the tool writes.
    """
    try:
        table = load_sheet(data, layout.is_header, ctx.column_mapping, layout.header_hint)
    except TableError as exc:
        return refused(Table.MESSAGES, f"{ctx.source}: {exc}; this is not a readable {layout.tool} export.")
    rows = SheetRows(table, ctx)
    found = MentionRows(rows, layout)
    missing = []
    if not found.columns_of("date"):
        missing.append(layout.columns["date"][0])
    if not (found.columns_of("text") or found.columns_of("title")):
        missing.append(layout.columns["text"][0])
    if not (found.columns_of("url") or found.columns_of("id")):
        missing.append(layout.columns["url"][0])
    if missing:
        return rows.refuse_missing(Table.MESSAGES, missing, layout.header_hint)
    n = len(rows)
    created, note = found.dates(ctx.timezone)
    url = found.text("url").str.strip()
    explicit = clean_ids(found.text("id"))
    status = extract(url, X_STATUS)
    message_id = first_text([explicit, status, url], n)
    url_columns = found.columns_of("url") or found.columns_of("id")
    rows.flag(
        message_id.isna().to_numpy(dtype=bool), url_columns[0], "the mention's address (or its id)", url
    )
    domain = domain_of(url)
    platform = platform_from(domain, found.text("network"))
    subreddit = extract(url, r"reddit\.com/(r/[^/?#]+)")
    is_reddit = pc.equal(pa.array(platform), Platform.REDDIT.value)
    reddit = arrow_text(pc.if_else(is_reddit, pa.array(subreddit), None))
    channel = first_text([reddit, domain, repeated_text(layout.tool.lower(), n)], n)
    author = found.text("author").str.strip().str.lstrip("@")
    author = author.where(author.str.len() > 0)
    author_name = found.text("author_name").str.strip()
    author_id = first_text([author, author_name, domain, repeated_text("unknown", n)], n)
    text = first_text([found.text("text"), found.text("title")], n)
    counts = {column: found.counts(name) for name, column in COUNT_FIELDS.items() if found.columns_of(name)}
    followers = found.counts("followers") if found.columns_of("followers") else null_counts(n)
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: platform,
            Messages.channel: channel,
            Messages.thread_id: message_id,
            Messages.author_id: author_id,
            Messages.author_name: first_text([author_name, author], n),
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.zeros(n, dtype=bool),
            Messages.author_followers: followers,
            Messages.created_at: created,
            Messages.kind: [Kind.MENTION.value] * n,
            Messages.text: text,
            Messages.url: url,
            **counts,
        },
    )
    if note is not None:
        result.error = note
    return result
