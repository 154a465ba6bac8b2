"""Discourse, JSON API: ``/posts.json`` pages (``{"latest_posts": [...]}``) and topic pages ``/t/{id}.json``
or ``/t/{id}/posts.json`` (``{"post_stream": {"posts": [...]}}``).

Layout (FORMATS.md): posts carry ``id, topic_id, post_number, reply_to_post_number, created_at`` (ISO with
milliseconds and ``Z``), ``username, name`` (may be null), ``display_username, user_id, raw`` (markdown)
and ``cooked`` (HTML), ``post_type, staff, admin, moderator, trust_level, reply_count, reads, score,
deleted_at, hidden, topic_title, category_id``. Post 1 of a topic starts the thread.

Ids. A post is known by its place in its topic, which every page that shows it agrees on:

===========  =======================================================================================
message_id   ``<topic_id>/<post_number>`` (as in the post's address ``/t/<slug>/<topic_id>/<number>``)
thread_id    ``<topic_id>/1``: the message_id of the topic's first post, whether or not it is exported
parent_id    ``<topic_id>/<reply_to_post_number>``, else ``<topic_id>/1`` for every later post; none
             for post 1
kind         ``post`` for post 1, ``comment`` for a post answering post 1, ``reply`` for one answering
             another post
===========  =======================================================================================

Other columns: channel = the category (``category_id`` as text, from the post or its topic), author =
``username`` (name: ``name``, else ``display_username``), ``staff``/``admin``/``moderator`` mark brand
staff, system accounts (negative ``user_id``) are bots, text = ``raw`` or else ``cooked`` without its
HTML, reactions = likes from ``actions_summary`` (null when the page has no summary), comments =
``reply_count``, url = ``post_url``.

Skipped (counted, not community content): deleted posts (``deleted_at`` set, deleted by their author or a
moderator), small-action posts (``post_type`` 3: topic closed, pinned, moved) and staff whispers
(``post_type`` 4, not visible to members). Hidden (flagged) posts are kept: members wrote them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from community_health.ingest.envelope import ReadBatch, ReadContext, ReadResult, RowLabel, Table
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "discourse_json"
LIKE_ACTION = 2
SMALL_ACTION, WHISPER = 3, 4
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|div|li|blockquote|h\d|pre)>|<br\s*/?>", re.IGNORECASE)


def strip_html(cooked: str) -> str:
    """Text of Discourse's ``cooked`` HTML: tags removed, entities decoded, paragraphs kept apart."""
    text = _BLOCK_END.sub("\n", cooked)
    return html.unescape(_TAG.sub("", text)).strip()


def _post_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) or None
    return None


def _likes(summary: Any) -> int | None:
    if not isinstance(summary, list):
        return None
    for action in summary:
        if isinstance(action, dict) and action.get("id") == LIKE_ACTION:
            count = action.get("count")
            return count if isinstance(count, int) and not isinstance(count, bool) else None
    return 0


def _posts_of(doc: Any) -> tuple[list[Any], dict[str, Any]] | None:
    """The posts array and the topic's own fields (empty for a ``/posts.json`` page)."""
    if isinstance(doc, dict) and isinstance(doc.get("latest_posts"), list):
        return doc["latest_posts"], {}
    if (
        isinstance(doc, dict)
        and isinstance(doc.get("post_stream"), dict)
        and isinstance(doc["post_stream"].get("posts"), list)
    ):
        return doc["post_stream"]["posts"], doc
    return None


def parse_discourse_json(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Discourse ``/posts.json`` or topic page into ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    return parse_discourse_pages([(data, ctx)]).result(0)


def parse_discourse_pages(pages: Sequence[tuple[bytes, ReadContext]]) -> ReadBatch:
    """Read many Discourse pages at once (a forum saved page by page is thousands of small files).

    Parameters
    ----------
    pages
        Each page's bytes and path.
    """
    errors: list[str | None] = [None] * len(pages)
    posts: list[Any] = []
    files: list[str] = []
    positions: list[int] = []
    export: list[int] = []
    topic_default: list[Any] = []
    topic_category: list[str | None] = []
    for i, (data, ctx) in enumerate(pages):
        try:
            found = _posts_of(load_json(data, ctx.source))
        except JsonError as exc:
            errors[i] = str(exc)
            continue
        if found is None:
            errors[i] = (
                f"{ctx.source} holds no posts: expected a Discourse /posts.json page "
                '({"latest_posts": [...]}) or a topic page ({"post_stream": {"posts": '
                "[...]}}). Save the page again from the forum's API."
            )
            continue
        page, topic = found
        k = len(page)
        posts.extend(page)
        files.extend([ctx.source] * k)
        positions.extend(range(1, k + 1))
        export.extend([i] * k)
        topic_default.extend([topic.get("id")] * k)
        topic_category.extend([text_or_none(topic.get("category_id"))] * k)
    rows = JsonRows(posts, files, positions, label=RowLabel.POST, what="a post object")
    n = len(rows)
    deleted = np.fromiter((m.get("deleted_at") is not None for m in rows.items), dtype=bool, count=n)
    rows.checks.skip(deleted, "Discourse post deleted by its author or a moderator")
    post_type = rows.get("post_type")
    rows.checks.skip(
        np.asarray([t == SMALL_ACTION for t in post_type], dtype=bool),
        "Discourse small action (topic closed, pinned, moved), not community content",
    )
    rows.checks.skip(
        np.asarray([t == WHISPER for t in post_type], dtype=bool),
        "Discourse staff whisper, not visible to members",
    )

    topic_ids = rows.ids(
        [t if t is not None else d for t, d in zip(rows.get("topic_id"), topic_default, strict=True)],
        "topic_id",
        "the topic's id",
    )
    numbers_raw = rows.get("post_number")
    numbers = [_post_number(v) for v in numbers_raw]
    rows.checks.flag(
        np.asarray([v is None for v in numbers], dtype=bool),
        "post_number",
        "the post's number in its topic (1, 2, ...)",
        numbers_raw,
    )
    reply_raw = rows.get("reply_to_post_number")
    reply_to = [_post_number(v) for v in reply_raw]
    rows.checks.flag(
        np.asarray([r is not None and t is None for r, t in zip(reply_raw, reply_to, strict=True)]),
        "reply_to_post_number",
        "the number of the post it answers, or null",
        reply_raw,
    )
    created, _ = rows.dates(
        rows.get("created_at"), "created_at", expected="a date like 2024-03-05T10:22:33.123Z"
    )
    author = rows.ids(rows.get("username"), "username", "the author's username")

    tid = topic_ids.tolist()
    message_id, thread_id, parent_id, kind = [], [], [], []
    for t, num, rep in zip(tid, numbers, reply_to, strict=True):
        t = t if isinstance(t, str) else ""
        num = num or 0
        message_id.append(f"{t}/{num}")
        thread_id.append(f"{t}/1")
        if num <= 1:
            parent_id.append(None)
            kind.append(Kind.POST.value)
        else:
            target = rep if rep is not None and rep < num else 1
            parent_id.append(f"{t}/{target}")
            kind.append(Kind.COMMENT.value if target == 1 else Kind.REPLY.value)

    staff = [any(m.get(k) is True for k in ("staff", "admin", "moderator")) for m in rows.items]
    user_ids = rows.get("user_id")
    is_bot = [isinstance(u, int) and not isinstance(u, bool) and u < 0 for u in user_ids]
    names = [
        next(
            (
                v.strip()
                for v in (m.get("name"), m.get("display_username"), m.get("username"))
                if isinstance(v, str) and v.strip()
            ),
            None,
        )
        for m in rows.items
    ]
    text = [
        r if isinstance(r, str) else (strip_html(c) if isinstance(c, str) else None)
        for r, c in zip(rows.get("raw"), rows.get("cooked"), strict=True)
    ]
    channel = [
        text_or_none(c) or t or "uncategorised"
        for c, t in zip(rows.get("category_id"), topic_category, strict=True)
    ]
    reactions = rows.counts([_likes(s) for s in rows.get("actions_summary")], "actions_summary")
    comments = rows.counts(rows.get("reply_count"), "reply_count")
    url = [text_or_none(u) for u in rows.get("post_url")]

    return rows.finish_batch(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: [Platform.DISCOURSE.value] * n,
            Messages.channel: channel,
            Messages.thread_id: thread_id,
            Messages.parent_id: parent_id,
            Messages.author_id: author,
            Messages.author_name: names,
            Messages.author_is_brand: np.asarray(staff, dtype=bool),
            Messages.author_is_bot: np.asarray(is_bot, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.url: url,
            Messages.reactions: reactions,
            Messages.comments: comments,
        },
        source_files=files,
        export=np.asarray(export, dtype=np.int64),
        assumed_timezone=[None] * len(pages),
        error=errors,
    )


def _detect(probe: Probe) -> bool:
    head = probe.json_head[:4096]
    return bool(head) and (
        probe.json_has_keys("latest_posts")
        or probe.json_has_keys("post_stream")
        or (probe.json_has_keys("post_number", "topic_id") and '"cooked"' in head)
    )


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_discourse_json(unit.path.read_bytes(), ctx)


def _read_many(units: Sequence[ExportUnit], contexts: Sequence[ReadContext]) -> ReadBatch:
    return parse_discourse_pages([(u.path.read_bytes(), c) for u, c in zip(units, contexts, strict=True)])


READER = register(
    Reader(
        NAME,
        "Discourse JSON: /posts.json pages and /t/{id}.json topic pages",
        Table.MESSAGES,
        _detect,
        _read,
        read_many=_read_many,
    )
)
