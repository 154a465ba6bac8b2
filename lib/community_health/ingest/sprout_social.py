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
mentions export and is not read here.
"""

from __future__ import annotations

from community_health.ingest.envelope import ReadContext, ReadResult, Table
from community_health.ingest.mentions import MentionLayout, parse_mentions
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit

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
    )
)
