"""Talkwalker mentions export (XLSX or CSV): mentions of the brand found anywhere, one row per result.

Layout (FORMATS.md): about ninety columns with dotted names (``published, url, title, content, lang,
source_type, extra_author_attributes.short_name, article_extended_attributes.twitter_retweets,
engagement, reach, sentiment, ...``). Files re-saved by a localised Excel hold every cell as text,
numbers with the locale's thousands separator (``12.345``) and dates such as ``22/09/17 11:10:56``
(day/month order decided once per file); untouched exports write ``2017-09-22 11:10:56`` or Unix
milliseconds.

Fields and the Talkwalker columns they come from, in order of preference (see ``mentions`` for how rows
are built; ``column_mappings: talkwalker:`` in ``client.yml`` maps renamed columns):

===========  ============================================================================================
date         ``published``
url          ``url``
author       ``extra_author_attributes.short_name`` (the handle), else ``extra_author_attributes.id``
author_name  ``extra_author_attributes.name``
text         ``content``, else ``content_snippet``; title: ``title``, ``title_snippet``
followers    ``extra_author_attributes.followers_count``, ``article_extended_attributes.twitter_followers``,
             ``..instagram_followers``, ``..facebook_followers``
reactions    ``article_extended_attributes.twitter_likes``, ``..facebook_reactions_total`` (every kind of
             reaction, before ``..facebook_likes``), ``..instagram_likes``, ``..youtube_likes``
comments     ``article_extended_attributes.num_comments``, ``..twitter_replies``, ``..facebook_comments``,
             ``..instagram_comments``
shares       ``article_extended_attributes.twitter_retweets``, ``..facebook_shares``, ``..linkedin_shares``
impressions  ``article_extended_attributes.twitter_impressions``
reach        ``reach``
video_views  ``article_extended_attributes.youtube_views``, ``..twitter_video_views``, ``..num_views``
network      ``source_type``, ``extra_source_attributes.name``
===========  ============================================================================================

``engagement`` (Talkwalker's own sum of interactions) and ``sentiment`` are not carried over.
"""

from __future__ import annotations

from community_health.ingest.envelope import ReadContext, ReadResult, Table
from community_health.ingest.mentions import MentionLayout, parse_mentions
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit

NAME = "talkwalker"
_A = "article_extended_attributes."
LAYOUT = MentionLayout(
    name=NAME,
    tool="Talkwalker",
    columns={
        "date": ("published", "published_date"),
        "url": ("url",),
        "author": ("extra_author_attributes.short_name", "extra_author_attributes.id"),
        "author_name": ("extra_author_attributes.name",),
        "text": ("content", "content_snippet"),
        "title": ("title", "title_snippet"),
        "followers": (
            "extra_author_attributes.followers_count",
            f"{_A}twitter_followers",
            f"{_A}instagram_followers",
            f"{_A}facebook_followers",
        ),
        "reactions": (
            f"{_A}twitter_likes",
            f"{_A}facebook_reactions_total",
            f"{_A}facebook_likes",
            f"{_A}instagram_likes",
            f"{_A}youtube_likes",
        ),
        "comments": (
            f"{_A}num_comments",
            f"{_A}twitter_replies",
            f"{_A}facebook_comments",
            f"{_A}instagram_comments",
        ),
        "shares": (f"{_A}twitter_retweets", f"{_A}facebook_shares", f"{_A}linkedin_shares"),
        "impressions": (f"{_A}twitter_impressions",),
        "reach": ("reach",),
        "video_views": (f"{_A}youtube_views", f"{_A}twitter_video_views", f"{_A}num_views"),
        "network": ("source_type", "extra_source_attributes.name"),
    },
    markers=(
        "source_type",
        "extra_author_attributes.name",
        "extra_author_attributes.short_name",
        "extra_source_attributes.name",
        f"{_A}twitter_retweets",
        "domain_url",
    ),
    date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
    date_expected="a date like 2017-09-22 11:10:56 or 22/09/17 11:10:56",
    header_hint="published, url, title, content, source_type, extra_author_attributes.name, ...",
)


def parse_talkwalker(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Talkwalker mentions export (CSV or XLSX) into ``messages`` rows of kind mention.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path, the client's time zone and the client's column mapping for ``talkwalker``.
    """
    return parse_mentions(data, ctx, LAYOUT)


def _detect(probe: Probe) -> bool:
    return probe.header(LAYOUT.is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_talkwalker(unit.path.read_bytes(), ctx)


# version 2: dates, counts and ids as a spreadsheet re-saves them in its locale
READER = register(
    Reader(NAME, "Talkwalker mentions export, CSV or XLSX", Table.MESSAGES, _detect, _read, version=2)
)
