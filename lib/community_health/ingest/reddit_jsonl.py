"""Reddit, Pushshift-style dumps: one JSON object per line (``RC_*`` comments, ``RS_*`` submissions, or a
subreddit's dump mixing both), also a JSON array or an API page ``{"data": [...]}`` of the same objects.

Layout (FORMATS.md): comments have ``id, name (t1_...), parent_id (t1_... or t3_...), link_id (t3_...),
author, body, created_utc, score, subreddit, permalink, edited, distinguished, stickied``; submissions add
``title, selftext, num_comments, url``. **Field sets differ by era line to line** (the oldest lines have
no ``name`` and no ``permalink``); ``created_utc`` is an int, a float or a string; ``edited`` is
``false`` or a timestamp; removed content reads ``[deleted]`` or ``[removed]``; newer lines carry a
``_meta`` block.

Rows go to ``messages``; ids are Reddit's *fullnames*, which is what ``parent_id`` and ``link_id`` point at:

===========  =======================================================================================
message_id   ``name``, else ``t1_<id>`` for a comment, ``t3_<id>`` for a submission
channel      ``r/<subreddit>``
thread_id    the submission: ``link_id`` for a comment, its own id for a submission
parent_id    ``parent_id`` for a comment (the submission, or the comment it answers); none for a
             submission
kind         ``post`` for a submission, ``comment`` for a comment on it, ``reply`` for a comment on a
             comment
author       ``author`` (``[deleted]`` accounts share that one id, as Discord's deleted users do);
             ``AutoModerator`` is a bot
created_at   ``created_utc`` (Unix seconds, UTC)
text         ``body``; for a submission ``title`` and ``selftext``; Reddit writes ``<``, ``>`` and ``&`` of
             the markdown as ``&lt;``, ``&gt;`` and ``&amp;`` (``&gt; a quote``), which are decoded
reactions    ``score`` when it is not negative (a net vote count below zero is not a count: null; nor is
             a number beyond 64 bits); some dumps write every value as text (``"score":"4"``,
             ``"edited":"false"``), and a score of digits is read as the number
comments     ``num_comments`` for a submission
url          ``https://www.reddit.com`` + ``permalink``, built from the ids when the line has none
===========  =======================================================================================

A line is a row, numbered as an editor numbers lines; blank lines are not rows. A line that is not a JSON
object is quarantined. Skipped (counted): comments and submissions whose content reads ``[deleted]``
(by their author) or ``[removed]`` (by a moderator), and submissions that newer dumps mark as gone in
``removed_by_category`` while keeping their title.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import (
    INT64_MAX,
    NS_UTC,
    ReadContext,
    ReadResult,
    RowLabel,
    Table,
    refused,
)
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "reddit_jsonl"
COMMENT, SUBMISSION = "t1_", "t3_"
DELETED, REMOVED = "[deleted]", "[removed]"
BOTS = frozenset({"automoderator"})
_FULLNAME = re.compile(r"t[13]_[0-9a-z]{1,16}")
_BASE36 = re.compile(r"[0-9a-z]{1,16}")
_EPOCH = re.compile(r"\s*\d{1,11}(?:\.\d*)?\s*")
SKIPS = {
    (COMMENT, DELETED): "Reddit comment deleted by its author",
    (COMMENT, REMOVED): "Reddit comment removed by a moderator",
    (SUBMISSION, DELETED): "Reddit post deleted by its author",
    (SUBMISSION, REMOVED): "Reddit post removed by a moderator",
}


def lines_of(data: bytes) -> tuple[list[Any], list[int]]:
    """The objects of a JSON-lines text with their line numbers; a line that is not JSON comes back as its
    text (to be quarantined)."""
    text = data.decode("utf-8-sig", errors="replace")
    items: list[Any] = []
    numbers: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError):
            items.append(line)
        numbers.append(number)
    return items, numbers


def _created(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and 0 <= value < 1e11:  # (a nan fails the comparison)
        return float(value)
    if isinstance(value, str) and _EPOCH.fullmatch(value):
        return float(value)
    return None


def _removed_post(item: dict[str, Any]) -> str | None:
    """Why a submission is gone when its text does not say so: dumps since 2019 keep the title of a removed
    post and say who removed it in ``removed_by_category`` (``moderator``, ``automod_filtered``,
    ``reddit``, ...; ``deleted`` when its author deleted it)."""
    category = item.get("removed_by_category")
    if not isinstance(category, str) or not category.strip() or category.strip() == "null":
        return None
    by_author = category.strip() in ("deleted", "author")
    return SKIPS[(SUBMISSION, DELETED if by_author else REMOVED)]


def _score(value: Any) -> int | None:
    """A net vote count that is not negative, as an int or (dumps that wrote every value as text) a string
    of digits; anything else is not a count."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX:
        return value
    return None


def _kind_prefix(item: dict[str, Any]) -> str:
    name = item.get("name")
    if isinstance(name, str) and name.startswith((COMMENT, SUBMISSION)):
        return name[:3]
    if "link_id" in item or "parent_id" in item or "body" in item:
        return COMMENT
    return SUBMISSION


def _fullname(item: dict[str, Any], prefix: str) -> str | None:
    name = text_or_none(item.get("name"))
    if name is not None and _FULLNAME.fullmatch(name):
        return name
    raw = text_or_none(item.get("id"))
    if raw is None:
        return None
    raw = raw.strip().lower()
    if _FULLNAME.fullmatch(raw):
        return raw
    return prefix + raw if _BASE36.fullmatch(raw) else None


def parse_reddit_jsonl(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Pushshift-style Reddit dump (JSON lines, or a JSON array / ``{"data": [...]}``) into
    ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    label = RowLabel.LINE
    if head.startswith(b"[") or re.match(rb'\{\s*"data"\s*:\s*\[', head):
        try:
            doc = load_json(data, ctx.source)
        except JsonError as exc:
            return refused(Table.MESSAGES, str(exc))
        items = doc if isinstance(doc, list) else doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            return refused(Table.MESSAGES, f"{ctx.source} holds no list of Reddit comments or submissions.")
        numbers = list(range(1, len(items) + 1))
        label = RowLabel.MESSAGE
    else:
        items, numbers = lines_of(data)
    rows = JsonRows(items, ctx.source, numbers, label, "a JSON object (a Reddit comment or submission)")
    n = len(rows)
    prefixes = [_kind_prefix(m) for m in rows.items]
    is_post = np.asarray([p == SUBMISSION for p in prefixes], dtype=bool)
    content = [
        m.get("selftext") if p == SUBMISSION else m.get("body")
        for m, p in zip(rows.items, prefixes, strict=True)
    ]
    authors = rows.get("author")
    skip_reason = [
        (
            SKIPS.get((p, c.strip()))
            if isinstance(c, str) and (p == COMMENT or c.strip() == REMOVED or a == DELETED)
            else None
        )
        or (_removed_post(m) if p == SUBMISSION else None)
        for p, c, a, m in zip(prefixes, content, authors, rows.items, strict=True)
    ]
    rows.checks.skip(
        np.asarray([r is not None for r in skip_reason], dtype=bool), [r or "" for r in skip_reason]
    )

    ids = [_fullname(m, p) for m, p in zip(rows.items, prefixes, strict=True)]
    rows.checks.flag(
        np.asarray([i is None for i in ids], dtype=bool), "id", "the comment's or post's id", rows.get("id")
    )
    seconds = [_created(v) for v in rows.get("created_utc")]
    rows.checks.flag(
        np.asarray([s is None for s in seconds], dtype=bool),
        "created_utc",
        "Unix seconds such as 1556668800 (a number or a string)",
        rows.get("created_utc"),
    )
    ns = np.asarray([0 if s is None else round(s * 1e9) for s in seconds], dtype=np.int64)
    created = pd.Series(pd.to_datetime(ns, unit="ns", utc=True)).astype(NS_UTC)
    created[np.asarray([s is None for s in seconds])] = pd.NaT
    author_id = rows.ids(authors, "author", "the author's user name")

    subreddit = [text_or_none(s) for s in rows.get("subreddit")]
    rows.checks.flag(
        np.asarray([s is None for s in subreddit], dtype=bool), "subreddit", "the subreddit's name", subreddit
    )
    link = [text_or_none(v) for v in rows.get("link_id")]
    parent = [text_or_none(v) for v in rows.get("parent_id")]
    thread_id, parent_id, kind = [], [], []
    for own, post, lk, pa in zip(ids, is_post, link, parent, strict=True):
        if post:
            thread_id.append(own)
            parent_id.append(None)
            kind.append(Kind.POST.value)
            continue
        lk = lk if lk is not None and _FULLNAME.fullmatch(lk) else None
        pa = pa if pa is not None and _FULLNAME.fullmatch(pa) else None
        lk = lk or (pa if pa is not None and pa.startswith(SUBMISSION) else None)
        thread_id.append(lk)
        parent_id.append(pa or lk)
        kind.append(Kind.REPLY.value if pa is not None and pa.startswith(COMMENT) else Kind.COMMENT.value)
    rows.checks.flag(
        np.asarray([t is None for t in thread_id], dtype=bool),
        "link_id",
        "the id of the post the comment belongs to (t3_...)",
        rows.get("link_id"),
    )
    text = []
    for m, post in zip(rows.items, is_post, strict=True):
        if post:
            parts = [
                v
                for v in (m.get("title"), m.get("selftext"))
                if isinstance(v, str) and v.strip() and v.strip() not in (DELETED, REMOVED)
            ]
            text.append(unescape_reddit("\n\n".join(parts)) or None)
        else:
            body = m.get("body")
            text.append(unescape_reddit(body) if isinstance(body, str) else None)
    url = []
    for m, own, post, lk, sub in zip(rows.items, ids, is_post, thread_id, subreddit, strict=True):
        permalink = m.get("permalink")
        if isinstance(permalink, str) and permalink.startswith("/"):
            url.append("https://www.reddit.com" + permalink)
        elif own is None or sub is None:
            url.append(None)
        elif post:
            url.append(f"https://www.reddit.com/r/{sub}/comments/{own[3:]}/")
        else:
            url.append(f"https://www.reddit.com/r/{sub}/comments/{(lk or '')[3:]}/_/{own[3:]}/")
    scores = [_score(s) for s in rows.get("score")]
    num_comments = [c if post else None for c, post in zip(rows.get("num_comments"), is_post, strict=True)]
    is_bot = [isinstance(a, str) and a.casefold() in BOTS for a in authors]

    return rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.REDDIT.value] * n,
            Messages.channel: [f"r/{s}" if s is not None else "" for s in subreddit],
            Messages.thread_id: [t if t is not None else "" for t in thread_id],
            Messages.parent_id: parent_id,
            Messages.author_id: author_id,
            Messages.author_name: [a if isinstance(a, str) and a != DELETED else None for a in authors],
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.asarray(is_bot, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.url: url,
            Messages.reactions: pd.Series(pd.array(scores, dtype="Int64")),
            Messages.comments: rows.counts(num_comments, "num_comments"),
        },
        source_files=ctx.source,
    )


_REDDIT_LINE = re.compile(r'"subreddit"\s*:')
_REDDIT_TIME = re.compile(r'"created_utc"\s*:')


def unescape_reddit(text: str) -> str:
    """Reddit's markdown as written: ``&lt;``, ``&gt;`` and ``&amp;`` decoded once (``&amp;#x200B;`` becomes
    ``&#x200B;``, the entity the author typed)."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_REDDIT_SHAPE = re.compile(r'"(?:link_id|parent_id|num_comments|selftext|body)"\s*:')


def _detect(probe: Probe) -> bool:
    head = probe.json_head
    if not head:
        return False
    if head.startswith("[") or re.match(r'\{\s*"data"\s*:\s*\[', head):
        first = head[:8192]
    else:
        first = head.split("\n", 1)[0]
    return bool(_REDDIT_LINE.search(first) and _REDDIT_TIME.search(first) and _REDDIT_SHAPE.search(first))


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_reddit_jsonl(unit.path.read_bytes(), ctx)


READER = register(
    Reader(NAME, "Reddit Pushshift-style dump, one JSON object per line", Table.MESSAGES, _detect, _read)
)
