"""Meltwater mentions export (Explore / Monitor "Export to CSV"): mentions of the brand in news and social
media, one row per document.

Layout (FORMATS.md): **UTF-16 with a byte-order mark and tab-separated**; columns such as ``Date,
Headline, URL, Opening Text, Hit Sentence, Source, Influencer, Country, Subregion, Language, Reach,
Desktop Reach, Mobile Reach, Twitter Social Echo, Facebook Social Echo, Reddit Social Echo, National
Viewership, Engagement, AVE, Sentiment, Key Phrases, Input Name, Keywords, Twitter Authority, Tweet Id,
Twitter Id, Twitter Client, Twitter Screen Name, User Profile Url, Twitter Bio, Twitter Followers, Twitter
Following, Alternate Date Format, Time, State, City, Document Tags``; the set varies with the export
template. ``Date`` looks like ``18-Apr-2024 11:32AM`` in the user's time zone (none written: the client's
zone is assumed and reported); numbers carry thousands separators; ``Tweet Id`` and ``Twitter Id`` are
written between literal quotes (``"1845678901234567890"``).

The current Explore template renames most columns: ``Date, Time, Document ID, URL, Input Name, Keywords,
Information Type, Source Type, Source Name, Source Domain, Content Type, Author Name, Author Handle, Title,
Opening Text, Hit Sentence, ..., Reach, ..., Engagement, Shares, Quotes, Likes, Replies, Reposts, Comments,
Reactions, Views, Estimated Views, ...``, with the day in ``Date`` and the time of day in ``Time``.

Fields and the Meltwater columns they come from (see ``mentions``; ``column_mappings: meltwater:`` in
``client.yml`` maps renamed columns):

===========  ==================================================================================
date         ``Date`` (with ``Time`` when the date holds the day only)
id           ``Tweet Id`` (without its quotes)
url          ``URL``
author       ``Twitter Screen Name``, else ``Author Handle``, else ``Influencer``, else ``Author Name``
author_name  ``Influencer``, else ``Author Name``
text         ``Hit Sentence``, else ``Opening Text``; title: ``Headline``, ``Title``
followers    ``Twitter Followers``
reactions    ``Likes``, ``Reactions``;  comments: ``Replies``, ``Comments``;  shares: ``Shares``,
             ``Retweets``, ``Reposts``
reach        ``Reach``;  impressions: ``Impressions``, ``Views``
network      ``Source`` (``Twitter``, ``Facebook``, ... for social posts), else ``Source Type``
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
        "author": ("Twitter Screen Name", "Author Handle", "Influencer", "Author Name", "Author"),
        "author_name": ("Influencer", "Author Name", "Author"),
        "text": ("Hit Sentence", "Opening Text"),
        "title": ("Headline", "Title"),
        "followers": ("Twitter Followers", "Followers"),
        "reactions": ("Likes", "Reactions"),
        "comments": ("Replies", "Comments"),
        "shares": ("Shares", "Retweets", "Reposts"),
        "impressions": ("Impressions", "Views"),
        "reach": ("Reach",),
        "network": ("Source", "Source Type"),
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
        NAME,
        "Meltwater mentions export, UTF-16 tab-separated CSV or XLSX",
        Table.MESSAGES,
        _detect,
        _read,
        version=2,  # dates, counts and ids as a spreadsheet re-saves them in its locale
    )
)
