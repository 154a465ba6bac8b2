"""Sprout Social message exports (Listening "Messages" and Smart Inbox exports, CSV or XLSX): posts about
the brand found by Sprout, one row per message.

Layout (FORMATS.md): no fixed column set; numbers with thousands separators (``12,345``) and rates with
``%`` signs (``Engagement Rate (per Impression)``: ``4.2%``, not a count, not read); dates like
``10/13/2026 02:22 pm`` (month first: Sprout's United States convention, used when no date in the file
settles the order) in the time zone of the user who exported (none written: the client's zone is assumed
and reported).

Fields and the Sprout columns they come from (see ``mentions``; ``column_mappings: sprout_social:`` in
``client.yml`` maps renamed columns):

===========  ==============================================================================
date         ``Date``, ``Timestamp``, ``Created Time``
id           ``Message ID``, ``Post ID``
url          ``Permalink``, ``Link``, ``Message URL``
author       ``Sender Screen Name``, ``From``, ``Author Handle``, ``Username``
author_name  ``Sender Name``, ``Author``, ``From Name``
text         ``Message``, ``Text``
followers    ``Sender Followers``, ``Followers``, ``Author Followers``
reactions    ``Likes``, ``Reactions``;  comments: ``Comments``, ``Replies``;  shares: ``Shares``,
             ``Retweets``, ``Reposts``
impressions  ``Impressions``, ``Potential Impressions``;  reach: ``Reach``, ``Potential Reach``
network      ``Network``
===========  ==============================================================================

The Post Performance report (the brand's own posts, with ``Post`` rather than ``Message``) is not a
mentions export: it has its own reader here, ``sprout_social_posts``, into ``posts``. Its header, as
downloaded: ``Date, Post ID, Network, Post Type, Content Type, Profile, Sent by, Link, Post, Linked Content,
Impressions, Organic Impressions, Paid Impressions, Reach, Organic Reach, Paid Reach, Potential Reach,
Engagement Rate (per Impression), Engagements, Reactions, Likes, Love Reactions, ..., Comments, Shares,
Saves, Post Link Clicks, Other Post Clicks, Post Clicks (All), ..., Video Views, ...`` (the metrics vary
with the networks chosen), counts with thousands separators, rates with ``%``:

===========  ==============================================================================
post_id      ``Post ID``
platform     from ``Link``'s domain, else from ``Network``
channel      ``Profile``
created_at   ``Date`` (``10/13/2026 02:22 pm``, month first, in the exporting user's zone: the
             client's zone is assumed and reported)
post_type    ``Content Type`` (``Photo``, ``Video``, ...), else ``Post Type``, in lower case
text, url    ``Post``, ``Link``
counts       impressions ``Impressions``; reach ``Reach``; engagements ``Engagements``; reactions
             ``Reactions``, else ``Likes``; comments ``Comments``; shares ``Shares``; clicks
             ``Post Clicks (All)``, else ``Post Link Clicks``; video_views ``Video Views``
===========  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.mentions import MentionLayout, domain_of, parse_mentions, platform_from
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Posts

NAME = "sprout_social"
LAYOUT = MentionLayout(
    name=NAME,
    tool="Sprout Social",
    columns={
        "date": ("Date", "Timestamp", "Created Time"),
        "id": ("Message ID", "Post ID"),
        "url": ("Permalink", "Link", "Message URL"),
        "author": ("Sender Screen Name", "From", "Author Handle", "Username"),
        "author_name": ("Sender Name", "Author", "From Name"),
        "text": ("Message", "Text"),
        "followers": ("Sender Followers", "Followers", "Author Followers"),
        "reactions": ("Likes", "Reactions"),
        "comments": ("Comments", "Replies"),
        "shares": ("Shares", "Retweets", "Reposts"),
        "impressions": ("Impressions", "Potential Impressions"),
        "reach": ("Reach", "Potential Reach"),
        "network": ("Network",),
    },
    markers=("Network",),
    date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
    date_expected="a date like 10/13/2026 02:22 pm",
    month_first=True,
    header_hint="Date, Network, Message, Permalink, ...",
)


def parse_sprout_social(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Sprout Social message export (CSV or XLSX) into ``messages`` rows of kind mention.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, the client's time zone and the client's column mapping for ``sprout_social``.
    """
    return parse_mentions(data, ctx, LAYOUT)


def _detect(probe: Probe) -> bool:
    return probe.header(LAYOUT.is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_sprout_social(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Sprout Social message export (Listening, Smart Inbox), CSV or XLSX",
        Table.MESSAGES,
        _detect,
        _read,
        version=2,  # dates, counts and ids as a spreadsheet re-saves them in its locale
    )
)


POSTS_NAME = "sprout_social_posts"
POST_DATE_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "ISO8601")
POST_DATE_EXPECTED = "a date like 10/13/2026 02:22 pm"
POST_HEADER_HINT = "Date, Post ID, Network, Post Type, Content Type, Profile, Sent by, Link, Post, ..."
POST_COUNTS = {
    Posts.impressions: ("Impressions",),
    Posts.reach: ("Reach",),
    Posts.engagements: ("Engagements",),
    Posts.reactions: ("Reactions", "Likes"),
    Posts.comments: ("Comments",),
    Posts.shares: ("Shares",),
    Posts.clicks: ("Post Clicks (All)", "Post Link Clicks"),
    Posts.video_views: ("Video Views",),
}


def is_post_header(cells: Sequence[str]) -> bool:
    """A Post Performance header: ``Date``, ``Post ID``, ``Network`` and the post's own ``Post`` column."""
    return {"Date", "Post ID", "Network", "Post"} <= set(cells)


def parse_sprout_social_posts(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Sprout Social Post Performance report (CSV or XLSX) into ``posts`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, and the client's time zone (``Date`` has none).
    """
    try:
        table = load_sheet(data, is_post_header, ctx.column_mapping, POST_HEADER_HINT)
    except TableError as exc:
        return refused(
            Table.POSTS, f"{ctx.source}: {exc}; this is not a readable Sprout Social Post Performance report."
        )
    rows = SheetRows(table, ctx)
    created = rows.dates(
        "Date", POST_DATE_FORMATS, POST_DATE_EXPECTED, local_zone=ctx.timezone, month_first=True
    )
    post_id = rows.ids("Post ID", "a post id")
    link = rows.text("Link").str.strip()
    kind = rows.text("Content Type").fillna(rows.text("Post Type")).str.strip().str.lower()
    data_: dict[str, object] = {
        Posts.post_id: post_id,
        Posts.platform: platform_from(domain_of(link), rows.text("Network")),
        Posts.channel: rows.text("Profile").fillna(rows.text("Network")).fillna("unknown"),
        Posts.created_at: created,
        Posts.post_type: kind,
        Posts.text: rows.text("Post"),
        Posts.url: link,
    }
    for column, names in POST_COUNTS.items():
        found = next((name for name in names if rows.has(name)), names[0])
        data_[column] = rows.counts(found)
    return rows.finish(Table.POSTS, data_)


def _detect_posts(probe: Probe) -> bool:
    return probe.header(is_post_header, POSTS_NAME) is not None


def _read_posts(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_sprout_social_posts(unit.path.read_bytes(), ctx)


POSTS_READER = register(
    Reader(
        POSTS_NAME,
        "Sprout Social Post Performance report (the brand's posts), CSV or XLSX",
        Table.POSTS,
        _detect_posts,
        _read_posts,
        version=2,  # dates, counts and ids as a spreadsheet re-saves them in its locale
    )
)
