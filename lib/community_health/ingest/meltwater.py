"""Meltwater mentions export (Explore / Monitor "Export to CSV"): mentions of the brand in news and social
media, one row per document.

Layout (FORMATS.md): **UTF-16 with a byte-order mark and tab-separated**; columns such as ``Date,
Headline, URL, Opening Text, Hit Sentence, Source, Influencer, Country, Subregion, Language, Reach,
Desktop Reach, Mobile Reach, Twitter Social Echo, Facebook Social Echo, Reddit Social Echo, National
Viewership, Engagement, AVE, Sentiment, Key Phrases, Input Name, Keywords, Twitter Authority, Tweet Id,
Twitter Id, Twitter Client, Twitter Screen Name, User Profile Url, Twitter Bio, Twitter Followers, Twitter
Following, Alternate Date Format, Time, State, City, Document Tags``; the set varies with the export
template. ``Date`` looks like ``18-Apr-2024 11:32AM`` in the user's time zone (none written: the client's
zone is assumed and reported); numbers carry thousands separators.

Fields and the Meltwater columns they come from (see ``mentions``; ``column_mappings: meltwater:`` in
``client.yml`` maps renamed columns):

===========  ==================================================================================
date         ``Date`` (with ``Time`` when the date holds the day only)
id           ``Tweet Id``
url          ``URL``
author       ``Twitter Screen Name``, else ``Influencer``
author_name  ``Influencer``
text         ``Hit Sentence``, else ``Opening Text``; title: ``Headline``
followers    ``Twitter Followers``
reactions    ``Likes``;  comments: ``Replies``, ``Comments``;  shares: ``Shares``, ``Retweets``
reach        ``Reach``;  impressions: ``Impressions``, ``Views``
network      ``Source`` (``Twitter``, ``Facebook``, ... for social posts)
===========  ==================================================================================

``AVE`` (advertising value), ``Engagement`` and ``Sentiment`` are not carried over.
"""

from __future__ import annotations

from community_health.ingest.envelope import ReadContext, ReadResult, Table
from community_health.ingest.mentions import MentionLayout, parse_mentions
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit

NAME = "meltwater"
LAYOUT = MentionLayout(
    name=NAME,
    tool="Meltwater",
    columns={
        "date": ("Date",),
        "time": ("Time",),
        "id": ("Tweet Id",),
        "url": ("URL", "Url", "Link"),
        "author": ("Twitter Screen Name", "Influencer", "Author"),
        "author_name": ("Influencer", "Author"),
        "text": ("Hit Sentence", "Opening Text"),
        "title": ("Headline",),
        "followers": ("Twitter Followers", "Followers"),
        "reactions": ("Likes",),
        "comments": ("Replies", "Comments"),
        "shares": ("Shares", "Retweets"),
        "impressions": ("Impressions", "Views"),
        "reach": ("Reach",),
        "network": ("Source",),
    },
    markers=("Hit Sentence", "Opening Text", "Influencer", "Input Name", "Key Phrases", "AVE"),
    date_formats=(
        "%d-%b-%Y %I:%M%p",
        "%d-%b-%Y %I:%M %p",
        "%d-%b-%Y %H:%M",
        "%b %d, %Y %I:%M %p",
        "%b %d, %Y %I:%M%p",
    ),
    date_expected="a date like 18-Apr-2024 11:32AM",
    header_hint="Date, Headline, URL, Opening Text, Hit Sentence, Source, Influencer, ...",
)


def parse_meltwater(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Meltwater mentions export (UTF-16 tab-separated, or any CSV or XLSX) into ``messages`` rows
    of kind mention.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, the client's time zone and the client's column mapping for ``meltwater``.
    """
    return parse_mentions(data, ctx, LAYOUT)


def _detect(probe: Probe) -> bool:
    return probe.header(LAYOUT.is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_meltwater(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME, "Meltwater mentions export, UTF-16 tab-separated CSV or XLSX", Table.MESSAGES, _detect, _read
    )
)
