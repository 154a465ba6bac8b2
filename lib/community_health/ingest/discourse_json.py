"""Discourse, JSON API: ``/posts.json`` pages (``{"latest_posts": [...]}``), topic pages ``/t/{id}.json``
or ``/t/{id}/posts.json`` (``{"post_stream": {"posts": [...]}}``), a single post ``/posts/{id}.json``
(the post object itself) and an array of post objects. A topic list (``/latest.json``, ``{"topic_list":
{"topics": [...]}}``) holds titles and counts but no posts: its topics are counted as skipped, with the
reason, so that the file is accounted for and the person knows which pages to save instead.

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
moderator; or ``user_deleted`` true: withdrawn by their author, whose ``cooked`` then reads ``(post
withdrawn by author, will be automatically deleted in 24 hours unless flagged)`` while ``deleted_at`` is
still null), small-action posts (``post_type`` 3: topic closed, pinned, moved) and staff whispers
(``post_type`` 4, not visible to members). Hidden (flagged) posts are kept: members wrote them.
"""

from __future__ import annotations

import html
import operator
import re
from collections.abc import Sequence
from itertools import compress, repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.envelope import ReadBatch, ReadContext, ReadResult, RowLabel, Table
from community_health.ingest.jsonrows import (
    ColumnRows,
    JsonError,
    load_json,
    text_column,
    text_or_none,
    values_at,
)
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


#: Marks the topics of a topic list (``/latest.json``) among the "posts" of a page: see :data:`LISTED_ONLY`.
TOPIC_LIST = "\x00topic_list"
LISTED_ONLY = (
    "Discourse topic list (/latest.json): a topic's title and counts, not its posts "
    "(the posts are in the topic's page, /t/{id}.json)"
)


def _is_post(item: Any) -> bool:
    return isinstance(item, dict) and "post_number" in item and "topic_id" in item


def _posts_of(doc: Any) -> tuple[list[Any], dict[str, Any]] | None:
    """The posts array and the topic's own fields (empty for a ``/posts.json`` page); a single post
    (``/posts/{id}.json``) and an array of posts (pages saved and joined) are read as their posts."""
    if isinstance(doc, dict) and isinstance(doc.get("latest_posts"), list):
        return doc["latest_posts"], {}
    if (
        isinstance(doc, dict)
        and isinstance(doc.get("topic_list"), dict)
        and isinstance(doc["topic_list"].get("topics"), list)
    ):
        return doc["topic_list"]["topics"], {TOPIC_LIST: True}
    if _is_post(doc):
        return [doc], {}
    if isinstance(doc, list) and doc and _is_post(doc[0]):
        return doc, {}
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


_DICT = {dict}
_STR = {str}
_INT = {int}
_STR_OR_NONE = {str, type(None)}
_INT_OR_NONE = {int, type(None)}
_NONE: dict[str, Any] = {}  # an element that is not an object, read as an empty one
_LARGE = pa.large_string()


def _name(name: Any, display: Any, username: Any) -> str | None:
    return next((v.strip() for v in (name, display, username) if isinstance(v, str) and v.strip()), None)


def _text(cooked: Any) -> str | None:
    return strip_html(cooked) if isinstance(cooked, str) else None


def _whole_numbers(values: list[Any]) -> list[int | None]:
    """:func:`_post_number` of each value (plain numbers from 1 up as they are)."""
    if set(map(type, values)) <= _INT_OR_NONE and min((v for v in values if v is not None), default=1) >= 1:
        return values
    return [_post_number(v) for v in values]


def _per_row(values: list[Any], sizes: list[int]) -> list[Any]:
    """Each page's value repeated for each of its posts."""
    out: list[Any] = []
    for v, k in zip(values, sizes, strict=True):
        out += [v] * k
    return out


_BIG = 2**62


def _post_ids(topics: pd.Series, numbers: list[int], reply_to: list[int | None]) -> tuple[Any, Any, Any, Any]:
    """``message_id, thread_id, parent_id, kind`` of posts whose topic and number are known."""
    m = len(numbers)
    if max(numbers, default=0) < _BIG and max((r for r in reply_to if r is not None), default=0) < _BIG:
        tid = pa.array(topics, type=_LARGE)
        num = np.asarray(numbers, dtype=np.int64)
        known = np.fromiter(map(operator.is_not, reply_to, repeat(None)), dtype=bool, count=m)
        rep = np.zeros(m, dtype=np.int64)
        rep[known] = [r for r in reply_to if r is not None]
        first = num <= 1
        target = np.where(known & (rep < num), rep, 1)
        slash = pa.scalar("/", _LARGE)

        def post_id(at: np.ndarray) -> pa.Array:
            return pc.binary_join_element_wise(tid, pa.array(at).cast(_LARGE), slash)

        parent = pc.if_else(pa.array(first), pa.scalar(None, _LARGE), post_id(target))
        kind = np.where(first, Kind.POST.value, np.where(target == 1, Kind.COMMENT.value, Kind.REPLY.value))
        return (
            text_column(post_id(num)),
            text_column(post_id(np.ones(m, dtype=np.int64))),
            text_column(parent),
            kind.astype(object),
        )
    message_id, thread_id, parent_id, kinds = [], [], [], []
    for t, num, rep in zip(topics.tolist(), numbers, reply_to, strict=True):
        message_id.append(f"{t}/{num}")
        thread_id.append(f"{t}/1")
        if num <= 1:
            parent_id.append(None)
            kinds.append(Kind.POST.value)
        else:
            target = rep if rep is not None and rep < num else 1
            parent_id.append(f"{t}/{target}")
            kinds.append(Kind.COMMENT.value if target == 1 else Kind.REPLY.value)
    return message_id, thread_id, parent_id, kinds


def parse_discourse_pages(pages: Sequence[tuple[bytes, ReadContext]]) -> ReadBatch:
    """Read many Discourse pages at once (a forum saved page by page is thousands of small files).

    Parameters
    ----------
    pages
        Each page's bytes and path.
    """
    errors: list[str | None] = [None] * len(pages)
    files: list[str] = []
    sizes: list[int] = []
    export: list[int] = []
    topic_default: list[Any] = []
    listing: list[bool] = []
    topic_category: list[str | None] = []
    not_object: list[int] = []
    not_object_values: list[Any] = []
    columns: list[list[Any]] = [[] for _ in range(14)]
    raws: list[tuple[bytes, str]] = []
    likes_all: list[int | None] = []
    n = 0
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
        if k:
            items = page
            if set(map(type, page)) != _DICT:
                items = [m if isinstance(m, dict) else _NONE for m in page]
                for j, m in enumerate(page):
                    if not isinstance(m, dict):
                        not_object.append(n + j)
                        not_object_values.append(m)
            # Every field read while the page's posts are at hand (names, texts and likes worked out too)
            for column, values in zip(
                columns,
                zip(
                    *[
                        (
                            m.get("deleted_at") is not None or m.get("user_deleted") is True,
                            m.get("post_type"),
                            m.get("topic_id"),
                            m.get("post_number"),
                            m.get("reply_to_post_number"),
                            m.get("created_at"),
                            username := m.get("username"),
                            m.get("staff") is True or m.get("admin") is True or m.get("moderator") is True,
                            m.get("user_id"),
                            name.strip()
                            if type(name := m.get("name")) is str and name.strip()
                            else _name(name, m.get("display_username"), username),
                            raw if type(raw := m.get("raw")) is str else _text(m.get("cooked")),
                            m.get("category_id"),
                            m.get("reply_count"),
                            m.get("post_url"),
                        )
                        for m in items
                    ],
                    strict=True,
                ),
                strict=True,
            ):
                column += values
            topic_likes = [_likes(m.get("actions_summary")) for m in items]
            likes_all += topic_likes
        raws.append((data, ctx.source))
        files.append(ctx.source)
        sizes.append(k)
        export.append(i)
        topic_default.append(topic.get("id"))
        listing.append(bool(topic.get(TOPIC_LIST)))
        topic_category.append(text_or_none(topic.get("category_id")))
        n += k
    (
        deleted,
        post_type,
        topic_id,
        post_number,
        reply_to_post_number,
        created_at,
        username,
        staff_,
        user_ids,
        names_,
        texts,
        category_,
        reply_count,
        post_url,
    ) = columns

    of_page = np.repeat(np.arange(len(files)), sizes)
    starts = np.cumsum([0, *sizes])
    positions = np.arange(n, dtype=np.int64) - np.repeat(starts[:-1], sizes) + 1

    def raw(rows: np.ndarray) -> list[Any]:
        parsed: dict[int, list[Any]] = {}
        out = []
        for r in rows.tolist():
            f = int(of_page[r])
            if f not in parsed:
                parsed[f] = _posts_of(load_json(*raws[f]))[0]  # type: ignore[index]
            out.append(parsed[f][r - starts[f]])
        return out

    flagged = np.zeros(n, dtype=bool)
    flagged[not_object] = True
    rows = ColumnRows(
        n,
        np.asarray(files, dtype=object)[of_page],
        positions,
        raw,
        label=RowLabel.POST,
        what="a post object",
        not_object=flagged,
        values=values_at(n, not_object, not_object_values),
    )
    if any(listing):
        rows.checks.skip(np.repeat(np.asarray(listing, dtype=bool), sizes), LISTED_ONLY)
    rows.checks.skip(np.asarray(deleted, dtype=bool), "Discourse post deleted by its author or a moderator")
    rows.checks.skip(
        np.fromiter(map(operator.eq, post_type, repeat(SMALL_ACTION)), dtype=bool, count=n),
        "Discourse small action (topic closed, pinned, moved), not community content",
    )
    rows.checks.skip(
        np.fromiter(map(operator.eq, post_type, repeat(WHISPER)), dtype=bool, count=n),
        "Discourse staff whisper, not visible to members",
    )

    topic_ids = rows.ids(
        topic_id
        if topic_id.count(None) == 0
        else [
            t if t is not None else d for t, d in zip(topic_id, _per_row(topic_default, sizes), strict=True)
        ],
        "topic_id",
        "the topic's id",
    )
    numbers = _whole_numbers(post_number)
    rows.checks.flag(
        np.fromiter(map(operator.is_, numbers, repeat(None)), dtype=bool, count=n),
        "post_number",
        "the post's number in its topic (1, 2, ...)",
        post_number,
    )
    reply_to = _whole_numbers(reply_to_post_number)
    if reply_to is not reply_to_post_number:
        rows.checks.flag(
            np.asarray(
                [r is not None and t is None for r, t in zip(reply_to_post_number, reply_to, strict=True)]
            ),
            "reply_to_post_number",
            "the number of the post it answers, or null",
            reply_to_post_number,
        )
    created, _ = rows.dates(created_at, "created_at", expected="a date like 2024-03-05T10:22:33.123Z")
    author = rows.ids(username, "username", "the author's username")
    reactions = rows.counts(likes_all, "actions_summary")
    comments = rows.counts(reply_count, "reply_count")

    # Columns of the kept posts only
    ok = rows.checks.ok
    kept = ok.tolist()
    m = int(ok.sum())
    message_id, thread_id, parent_id, kind = _post_ids(
        topic_ids[ok].reset_index(drop=True), list(compress(numbers, kept)), list(compress(reply_to, kept))
    )

    staff = np.asarray(list(compress(staff_, kept)), dtype=bool)
    uids = list(compress(user_ids, kept))
    try:
        if not set(map(type, uids)) <= _INT_OR_NONE:
            raise TypeError("not whole numbers")
        is_bot = pc.less(pa.array(uids, type=pa.int64()).fill_null(0), 0).to_numpy(zero_copy_only=False)
    except (TypeError, OverflowError, pa.ArrowException):
        is_bot = np.asarray(
            [isinstance(u, int) and not isinstance(u, bool) and u < 0 for u in uids], dtype=bool
        )
    names = list(compress(names_, kept))
    text = list(compress(texts, kept))
    category = list(compress(category_, kept))
    if set(map(type, category)) <= _INT:  # a category id on every post: its number
        channel = list(map(str, category))
    else:
        page_category = list(compress(_per_row(topic_category, sizes), kept))
        channel = [
            text_or_none(c) or t or "uncategorised" for c, t in zip(category, page_category, strict=True)
        ]
    url = list(compress(post_url, kept))
    if not set(map(type, url)) <= _STR_OR_NONE:
        url = [text_or_none(u) for u in url]

    return rows.finish_batch(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: text_column(pa.repeat(pa.scalar(Platform.DISCOURSE.value, _LARGE), m)),
            Messages.channel: channel,
            Messages.thread_id: thread_id,
            Messages.parent_id: parent_id,
            Messages.author_id: author[ok],
            Messages.author_name: names,
            Messages.author_is_brand: staff,
            Messages.author_is_bot: is_bot,
            Messages.created_at: created[ok],
            Messages.kind: kind,
            Messages.text: text,
            Messages.url: url,
            Messages.reactions: reactions[ok],
            Messages.comments: comments[ok],
        },
        source_files=rows.checks.files,
        export=np.asarray(export, dtype=np.int64)[of_page],
        assumed_timezone=[None] * len(pages),
        error=errors,
    )


def _detect(probe: Probe) -> bool:
    head = probe.json_head[:4096]
    return bool(head) and (
        probe.json_has_keys("latest_posts")
        or probe.json_has_keys("post_stream")
        or (
            probe.json_has_keys("topic_list", "topics", within=len(probe.json_head))
            and '"posts_count"' in probe.json_head
        )
        or (probe.json_has_keys("post_number", "topic_id") and '"cooked"' in head)
    )


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_discourse_json(unit.path.read_bytes(), ctx)


def _read_many(units: Sequence[ExportUnit], contexts: Sequence[ReadContext]) -> ReadBatch:
    return parse_discourse_pages([(u.path.read_bytes(), c) for u, c in zip(units, contexts, strict=True)])


READER = register(
    Reader(
        NAME,
        "Discourse JSON: /posts.json pages, /t/{id}.json topic pages, /latest.json topic lists",
        Table.MESSAGES,
        _detect,
        _read,
        read_many=_read_many,
    )
)
