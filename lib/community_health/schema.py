"""The normalised tables: column names, types and checks.

Every reader produces these tables and every metric reads them. Code names columns through the
schema classes (``Messages.created_at`` is the string ``"created_at"``), never through bare strings
scattered across modules, so a renamed column is one edit.

Tables
------
messages
    One row per piece of community content, whatever the source (posts, comments, replies, chat
    messages, mentions, reviews).
posts
    Brand posts with aggregate analytics (X analytics, Facebook Page Insights, ...): the input of
    the resonance and campaign sections.
members
    One row per (platform, author_id) derived from messages, with followers where an export has them,
    and the ``person_id`` that joins one person's accounts across platforms.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

UTC_TIMESTAMP = Annotated[pd.DatetimeTZDtype, "ns", "UTC"]


class Platform(StrEnum):
    """Where a piece of content was published."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    SLACK = "slack"
    DISCORD = "discord"
    DISCOURSE = "discourse"
    REDDIT = "reddit"
    TELEGRAM = "telegram"
    MASTODON = "mastodon"
    WHATSAPP = "whatsapp"
    WEB = "web"  # news sites, blogs and forums found by listening tools


class Kind(StrEnum):
    """What a row of ``messages`` is."""

    POST = "post"  # starts a thread
    COMMENT = "comment"  # answers a post
    REPLY = "reply"  # answers a comment or a chat message
    MESSAGE = "message"  # chat message that is not a reply
    MENTION = "mention"  # found by a listening tool
    REVIEW = "review"


COUNT_COLUMNS = ("reactions", "comments", "shares", "impressions", "reach", "clicks", "video_views")


def _count() -> pa.Field:
    return pa.Field(nullable=True, ge=0)


class Messages(pa.DataFrameModel):
    """One row per piece of community content."""

    message_id: Series[str] = pa.Field(nullable=False)
    platform: Series[str] = pa.Field(isin=[p.value for p in Platform])
    channel: Series[str] = pa.Field(nullable=False)
    thread_id: Series[str] = pa.Field(nullable=False)
    parent_id: Series[str] = pa.Field(nullable=True)
    author_id: Series[str] = pa.Field(nullable=False)
    author_name: Series[str] = pa.Field(nullable=True)
    author_is_brand: Series[bool]
    author_is_bot: Series[bool]
    author_followers: Series[pd.Int64Dtype] = _count()
    created_at: Series[UTC_TIMESTAMP]
    kind: Series[str] = pa.Field(isin=[k.value for k in Kind])
    text: Series[str] = pa.Field(nullable=True)
    url: Series[str] = pa.Field(nullable=True)
    reactions: Series[pd.Int64Dtype] = _count()
    comments: Series[pd.Int64Dtype] = _count()
    shares: Series[pd.Int64Dtype] = _count()
    impressions: Series[pd.Int64Dtype] = _count()
    reach: Series[pd.Int64Dtype] = _count()
    clicks: Series[pd.Int64Dtype] = _count()
    video_views: Series[pd.Int64Dtype] = _count()
    source_file: Series[str]
    source_row: Series[pd.Int64Dtype] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = False
        unique = ["platform", "message_id"]  # noqa: RUF012 (pandera reads it from the class)


class Posts(pa.DataFrameModel):
    """Brand posts with the aggregate counts of a post-level analytics export."""

    post_id: Series[str] = pa.Field(nullable=False)
    platform: Series[str] = pa.Field(isin=[p.value for p in Platform])
    channel: Series[str] = pa.Field(nullable=False)
    created_at: Series[UTC_TIMESTAMP]
    post_type: Series[str] = pa.Field(nullable=True)  # text, photo, video, link, ...
    text: Series[str] = pa.Field(nullable=True)
    url: Series[str] = pa.Field(nullable=True)
    impressions: Series[pd.Int64Dtype] = _count()
    reach: Series[pd.Int64Dtype] = _count()
    engagements: Series[pd.Int64Dtype] = _count()  # all interactions, as the export counts them
    reactions: Series[pd.Int64Dtype] = _count()
    comments: Series[pd.Int64Dtype] = _count()
    shares: Series[pd.Int64Dtype] = _count()
    clicks: Series[pd.Int64Dtype] = _count()
    video_views: Series[pd.Int64Dtype] = _count()
    source_file: Series[str]
    source_row: Series[pd.Int64Dtype] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = False
        unique = ["platform", "post_id"]  # noqa: RUF012 (pandera reads it from the class)


class Members(pa.DataFrameModel):
    """One row per (platform, author_id), derived from ``messages``.

    ``person_id`` is the same for every account of one person (``aliases`` in ``client.yml``):
    the person's name there, else ``<platform>:<author_id>``. Counting distinct ``person_id`` among
    members counts people, whatever platforms they use.
    """

    author_id: Series[str]
    platform: Series[str] = pa.Field(isin=[p.value for p in Platform])
    person_id: Series[str] = pa.Field(nullable=False)
    name: Series[str] = pa.Field(nullable=True)
    followers: Series[pd.Int64Dtype] = _count()
    first_seen: Series[UTC_TIMESTAMP]
    is_brand: Series[bool]
    is_bot: Series[bool]

    class Config:
        strict = True
        unique = ["platform", "author_id"]  # noqa: RUF012 (pandera reads it from the class)


class Enrichment(pa.DataFrameModel):
    """Per-message work done once at enrichment and stored beside the tables."""

    platform: Series[str]
    message_id: Series[str]
    sentiment: Series[float] = pa.Field(ge=-1.0, le=1.0)  # VADER compound score
    is_question: Series[bool]
    is_complaint: Series[bool]

    class Config:
        strict = True
        unique = ["platform", "message_id"]  # noqa: RUF012 (pandera reads it from the class)


def columns(model: type[pa.DataFrameModel]) -> list[str]:
    """The column names of a table, in declaration order."""
    return list(model.to_schema().columns)


def empty(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    schema = model.to_schema()
    return pd.DataFrame({name: pd.Series(dtype=col.dtype.type) for name, col in schema.columns.items()})
