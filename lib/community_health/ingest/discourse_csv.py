"""Discourse, Data Explorer CSV: the result of a Data Explorer query over posts, downloaded as CSV.

Layout (FORMATS.md): whatever columns the query selected, named as the query named them (the plugin
writes ``pg_result.fields`` as the header and the values as Postgres prints them). So columns are found
by name: a built-in map knows the names queries usually give (:data:`DEFAULT_MAPPING`: ``id`` or
``post_id``, ``topic_id``, ``post_number``, ``reply_to_post_number``, ``created_at``, ``username``,
``raw``, ``category_id``, ...), and ``client.yml`` maps any other name::

    column_mappings:
      discourse_csv:
        "Post #": post_number
        "Posted by": username

Required: ``topic_id``, ``post_number`` and ``created_at`` (the post's place in its topic is its id).

Dates: Discourse stores every time in UTC, and Postgres prints it without a zone
(``2024-03-05 10:22:33.123456``): such dates are read as UTC, which the ingest log reports as the zone
assumed. Dates with ``Z``, an offset (``+00``) or ``UTC`` keep it.

Ids, threads and kinds are those of the JSON reader (``discourse_json``), so the same post read from a
CSV and from a JSON page is one row:

===========  =======================================================================================
message_id   ``<topic_id>/<post_number>``
thread_id    ``<topic_id>/1``
parent_id    ``<topic_id>/<reply_to_post_number>``, else ``<topic_id>/1`` for every later post
kind         ``post`` for post 1, ``comment`` for a post answering post 1, ``reply`` otherwise
author       ``username`` (else ``user_id``); name: ``name``; staff, admin or moderator columns (``t``)
             mark brand staff; a negative ``user_id`` (system, discobot) is a bot
channel      ``category_id``, else ``category_name``, else ``uncategorised``
text         ``raw``, else ``cooked`` without its HTML
counts       reactions: ``like_count``; comments: ``reply_count``
url          ``post_url`` (a path such as ``/t/slug/12/3`` is kept as it is)
===========  =======================================================================================

Skipped (counted): deleted posts (``deleted_at`` set, or ``user_deleted`` true: withdrawn by their
author, ``deleted_at`` still empty), small actions (``post_type`` 3) and whispers
(``post_type`` 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from community_health.ingest.discourse_json import SMALL_ACTION, WHISPER, strip_html
from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "discourse_csv"
FIELDS = (
    "post_id",
    "topic_id",
    "post_number",
    "reply_to_post_number",
    "created_at",
    "username",
    "name",
    "user_id",
    "raw",
    "cooked",
    "category_id",
    "category_name",
    "topic_title",
    "like_count",
    "reply_count",
    "post_url",
    "deleted_at",
    "user_deleted",
    "post_type",
    "staff",
    "admin",
    "moderator",
)
#: Column names Data Explorer queries commonly give -> the field they hold.
DEFAULT_MAPPING: dict[str, str] = {
    "id": "post_id",
    "post": "post_id",
    "topic": "topic_id",
    "post_created_at": "created_at",
    "created": "created_at",
    "posted_at": "created_at",
    "user": "username",
    "author": "username",
    "user_name": "username",
    "author_username": "username",
    "display_name": "name",
    "full_name": "name",
    "body": "raw",
    "content": "raw",
    "post_raw": "raw",
    "text": "raw",
    "category": "category_name",
    "title": "topic_title",
    "likes": "like_count",
    "post_like_count": "like_count",
    "replies": "reply_count",
    "reply_to": "reply_to_post_number",
    "url": "post_url",
    "link": "post_url",
}
REQUIRED = ("topic_id", "post_number", "created_at")
HEADER_HINT = "topic_id, post_number, created_at, username, raw, ..."
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S %Z", "ISO8601")
DATE_EXPECTED = "a date like 2024-03-05 10:22:33.123456"
NUMBER = r"\s*\d{1,18}\s*"
_TRUE = frozenset({"t", "true", "1", "yes", "y"})


def field_names(cells: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """Header cells as fields: the client's mapping first, then the built-in one (any case)."""
    out = []
    for cell in cells:
        name = mapping.get(cell, cell)
        key = name.strip().lower()
        out.append(key if key in FIELDS else DEFAULT_MAPPING.get(key, name))
    return out


def is_header(cells: Sequence[str]) -> bool:
    """A Data Explorer header with a topic id, a post number and a date (by any known name)."""
    return set(REQUIRED) <= set(field_names(cells, {}))


def _flags(rows: SheetRows, name: str) -> np.ndarray:
    return rows.text(name).str.strip().str.lower().isin(_TRUE).to_numpy(dtype=bool)


def _numbers(rows: SheetRows, name: str, expected: str, required: bool) -> list[int | None]:
    """A whole-number column as Python ints (None where empty); bad cells are flagged."""
    text = rows.text(name).str.strip().str.replace(r"\.0+$", "", regex=True)
    bad = text.notna() & ~text.str.fullmatch(r"-?\d{1,18}", na=False)
    if required:
        bad |= text.isna()
    rows.checks.flag(bad.to_numpy(dtype=bool), name, expected, rows.text(name))
    return [int(v) if isinstance(v, str) and not b else None for v, b in zip(text, bad, strict=True)]


def parse_discourse_csv(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Discourse Data Explorer CSV of posts into ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path and the client's column mapping for ``discourse_csv``.
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, HEADER_HINT)
    except TableError as exc:
        return refused(
            Table.MESSAGES,
            f"{ctx.source}: {exc}; this is not a readable Data Explorer CSV of posts. If the query named its "
            f"columns otherwise, map them in client.yml under column_mappings: {NAME}.",
        )
    table.frame.columns = field_names([str(c) for c in table.frame.columns], {})
    table.frame = table.frame.loc[:, ~table.frame.columns.duplicated()]
    rows = SheetRows(table, ctx)
    missing = [f for f in REQUIRED if not rows.has(f)]
    if missing:
        return rows.refuse_missing(Table.MESSAGES, missing, HEADER_HINT)
    n = len(rows)
    rows.checks.skip(
        rows.text("deleted_at").notna().to_numpy(dtype=bool) | _flags(rows, "user_deleted"),
        "Discourse post deleted by its author or a moderator",
    )
    post_type = rows.text("post_type").str.strip()
    rows.checks.skip(
        (post_type == str(SMALL_ACTION)).to_numpy(dtype=bool),
        "Discourse small action (topic closed, pinned, moved), not community content",
    )
    rows.checks.skip(
        (post_type == str(WHISPER)).to_numpy(dtype=bool), "Discourse staff whisper, not visible to members"
    )

    topic = _numbers(rows, "topic_id", "the topic's id (digits)", required=True)
    number = _numbers(rows, "post_number", "the post's number in its topic (1, 2, ...)", required=True)
    rows.checks.flag(
        np.asarray([v is not None and v < 1 for v in number], dtype=bool),
        "post_number",
        "the post's number in its topic (1, 2, ...)",
        rows.text("post_number"),
    )
    reply_to = _numbers(
        rows, "reply_to_post_number", "the number of the post it answers, or nothing", required=False
    )
    created = rows.dates(
        "created_at",
        DATE_FORMATS,
        DATE_EXPECTED,
        local_zone="UTC",
        prepare=lambda s: s.str.replace(r"([+-]\d{2})$", r"\1:00", regex=True),  # +02 -> +02:00
    )

    username = rows.text("username").str.strip()
    user_id = rows.text("user_id").str.strip()
    author = username.fillna(user_id)
    rows.checks.flag(
        author.isna().to_numpy(dtype=bool), "username", "the author's username (or user_id)", username
    )

    message_id, thread_id, parent_id, kind = [], [], [], []
    for t, num, rep in zip(topic, number, reply_to, strict=True):
        t_text = "" if t is None else str(t)
        num = num if num is not None and num >= 1 else 0
        message_id.append(f"{t_text}/{num}")
        thread_id.append(f"{t_text}/1")
        if num <= 1:
            parent_id.append(None)
            kind.append(Kind.POST.value)
        else:
            target = rep if rep is not None and 1 <= rep < num else 1
            parent_id.append(f"{t_text}/{target}")
            kind.append(Kind.COMMENT.value if target == 1 else Kind.REPLY.value)
    staff = _flags(rows, "staff") | _flags(rows, "admin") | _flags(rows, "moderator")
    is_bot = user_id.str.fullmatch(r"-\d+", na=False).to_numpy(dtype=bool)
    cooked = rows.text("cooked")
    text = rows.text("raw").fillna(cooked.map(strip_html, na_action="ignore").astype("str"))
    channel = rows.text("category_id").str.strip().fillna(rows.text("category_name")).fillna("uncategorised")
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: [Platform.DISCOURSE.value] * n,
            Messages.channel: channel,
            Messages.thread_id: thread_id,
            Messages.parent_id: parent_id,
            Messages.author_id: author.fillna(""),
            Messages.author_name: rows.text("name").fillna(username),
            Messages.author_is_brand: staff,
            Messages.author_is_bot: is_bot,
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.url: rows.text("post_url"),
            Messages.reactions: rows.counts("like_count"),
            Messages.comments: rows.counts("reply_count"),
        },
    )
    # Discourse writes UTC; a zone-less date was read as UTC and the log says so.
    result.assumed_timezone = "UTC" if (rows.assumed & rows.checks.ok).any() else None
    return result


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_discourse_csv(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Discourse Data Explorer CSV of posts (columns mapped by name)",
        Table.MESSAGES,
        _detect,
        _read,
        version=2,  # dates, counts and ids as a spreadsheet re-saves them in its locale
    )
)
