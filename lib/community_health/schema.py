"""The normalised tables: column names, types and checks.

Every reader produces these tables and every metric reads them. Code names columns through the
schema classes (``Messages.created_at`` is the string ``"created_at"``), never through bare strings
scattered across modules, so a renamed column is one edit.

Each class declares its columns once, with their types and checks; ``Messages.to_schema()`` builds the
pandera schema from them and ``Messages.validate(frame)`` checks a frame against it. pandera is imported
only then: a report or notebook that only names columns does not load it.

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

import functools
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pandera.api.pandas.container import DataFrameSchema

#: ``created_at`` and ``first_seen``: timestamps in UTC.
UTC_TIMESTAMP = pd.DatetimeTZDtype("ns", "UTC")


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
    BLUESKY = "bluesky"
    THREADS = "threads"
    TIKTOK = "tiktok"
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


class Column:
    """A column of a table: read on the class, it is the column's name (``Messages.text == "text"``).

    Parameters
    ----------
    dtype
        Its type, as pandera reads it (``str``, ``bool``, ``float``, ``pd.Int64Dtype``, ``UTC_TIMESTAMP``).
    nullable
        Whether a value may be missing.
    isin, ge, le
        The values allowed: one of ``isin``; at least ``ge``; at most ``le``.
    """

    def __init__(
        self,
        dtype: Any,
        *,
        nullable: bool = False,
        isin: Sequence[str] | None = None,
        ge: float | None = None,
        le: float | None = None,
    ) -> None:
        self.dtype, self.nullable, self.isin, self.ge, self.le = dtype, nullable, isin, ge, le
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> str:
        return self.name

    def to_pandera(self) -> Any:
        import pandera.pandas as pa

        checks = []
        if self.ge is not None:
            checks.append(pa.Check.greater_than_or_equal_to(self.ge))
        if self.le is not None:
            checks.append(pa.Check.less_than_or_equal_to(self.le))
        if self.isin is not None:
            checks.append(pa.Check.isin(list(self.isin)))
        return pa.Column(self.dtype, checks=checks or None, nullable=self.nullable, name=self.name)


class Table:
    """A normalised table: its columns (class attributes of type :class:`Column`, in order) and the
    rules over whole rows (``unique``, ``strict``)."""

    unique: tuple[str, ...] = ()
    strict = True
    ordered = False

    @classmethod
    def column_specs(cls) -> list[Column]:
        """The table's columns in declaration order."""
        return [v for v in vars(cls).values() if isinstance(v, Column)]

    @classmethod
    def to_schema(cls) -> DataFrameSchema:
        """The pandera schema of the table (built once)."""
        return _schema(cls)

    @classmethod
    def validate(cls, frame: pd.DataFrame, lazy: bool = False) -> pd.DataFrame:
        """``frame`` checked against the table's schema (pandera's ``validate``)."""
        return cls.to_schema().validate(frame, lazy=lazy)


@functools.cache
def _schema(table: type[Table]) -> DataFrameSchema:
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {c.name: c.to_pandera() for c in table.column_specs()},
        strict=table.strict,
        ordered=table.ordered,
        unique=list(table.unique) or None,
        name=table.__name__,
        description=table.__doc__,
    )


def _count() -> Column:
    return Column(pd.Int64Dtype, nullable=True, ge=0)


PLATFORMS = tuple(p.value for p in Platform)


class Messages(Table):
    """One row per piece of community content."""

    message_id = Column(str)
    platform = Column(str, isin=PLATFORMS)
    channel = Column(str)
    thread_id = Column(str)
    parent_id = Column(str, nullable=True)
    author_id = Column(str)
    author_name = Column(str, nullable=True)
    author_is_brand = Column(bool)
    author_is_bot = Column(bool)
    author_followers = _count()
    created_at = Column(UTC_TIMESTAMP)
    kind = Column(str, isin=tuple(k.value for k in Kind))
    text = Column(str, nullable=True)
    url = Column(str, nullable=True)
    reactions = _count()
    comments = _count()
    shares = _count()
    impressions = _count()
    reach = _count()
    clicks = _count()
    video_views = _count()
    source_file = Column(str)
    source_row = Column(pd.Int64Dtype, ge=0)

    unique = ("platform", "message_id")


class Posts(Table):
    """Brand posts with the aggregate counts of a post-level analytics export."""

    post_id = Column(str)
    platform = Column(str, isin=PLATFORMS)
    channel = Column(str)
    created_at = Column(UTC_TIMESTAMP)
    post_type = Column(str, nullable=True)  # text, photo, video, link, ...
    text = Column(str, nullable=True)
    url = Column(str, nullable=True)
    impressions = _count()
    reach = _count()
    engagements = _count()  # all interactions, as the export counts them
    reactions = _count()
    comments = _count()
    shares = _count()
    clicks = _count()
    video_views = _count()
    source_file = Column(str)
    source_row = Column(pd.Int64Dtype, ge=0)

    unique = ("platform", "post_id")


class Members(Table):
    """One row per (platform, author_id), derived from ``messages``.

    ``person_id`` is the same for every account of one person (``aliases`` in ``client.yml``):
    the person's name there, else ``<platform>:<author_id>``. Counting distinct ``person_id`` among
    members counts people, whatever platforms they use.
    """

    author_id = Column(str)
    platform = Column(str, isin=PLATFORMS)
    person_id = Column(str)
    name = Column(str, nullable=True)
    followers = _count()
    first_seen = Column(UTC_TIMESTAMP)
    is_brand = Column(bool)
    is_bot = Column(bool)

    unique = ("platform", "author_id")


class Enrichment(Table):
    """Per-message work done once at enrichment and stored beside the tables."""

    platform = Column(str)
    message_id = Column(str)
    sentiment = Column(float, ge=-1.0, le=1.0)  # VADER compound score
    is_question = Column(bool)
    is_complaint = Column(bool)

    unique = ("platform", "message_id")


def columns(model: type[Table]) -> list[str]:
    """The column names of a table, in declaration order."""
    return [c.name for c in model.column_specs()]


def empty(model: type[Table]) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    schema = model.to_schema()
    return pd.DataFrame({name: pd.Series(dtype=col.dtype.type) for name, col in schema.columns.items()})
