"""Telegram Desktop export (``result.json``, machine-readable JSON): one chat, or the whole account.

Layout (FORMATS.md): a single chat is ``{"name", "type", "id", "messages": [...]}``; an account-wide
export is ``{"about", "personal_information", ..., "chats": {"about", "list": [<chat>, ...]},
"left_chats": {"list": [...]}}``. Messages: ``id, type`` (``message`` or ``service``), ``date`` (local
time of the exporting computer, no zone) and, in newer exports, ``date_unixtime`` (a string of Unix
seconds); ``from, from_id`` (``"user123"``, ``"channel456"``), ``reply_to_message_id``, ``text`` **either
a string or an array of strings and entity objects** (``{"type": "link", "text": "..."}``),
``text_entities``, ``edited``, ``photo``, ``file``, ``media_type``, ``reactions`` (newer exports), and on
service messages ``actor, actor_id, action``.

Rows go to ``messages``:

===========  ======================================================================================
message_id   ``<chat id>:<message id>`` (message ids count per chat; chat-wide and account-wide
             exports of the same chat give the same ids)
channel      the chat's ``name``
parent_id    ``<chat id>:<reply_to_message_id>``; none when that is a forum topic's creation (service
             action ``topic_created``), which every message posted in the topic points at
thread_id    the root of the reply chain, followed within the chat (in a forum, the topic's creation);
             a chain leaving the export ends at the id it points to
kind         ``reply`` when it answers a message, else ``message``
author       ``from_id``; name: ``from`` (null for deleted accounts)
created_at   ``date_unixtime`` (UTC); else ``date`` read in the client's time zone, which the ingest log
             reports as assumed
text         ``text`` with the entities' text joined in (links, mentions, bold, ...); a photo, sticker
             or file without a caption is kept with no text: the member wrote something
reactions    the sum of ``reactions[].count`` (null in exports that have no reactions)
===========  ======================================================================================

Reasons name a message by its place among all the messages of the file (``message 12``), chats in the
order the export lists them. Skipped (counted, per action): service messages (joins, invitations, pins,
title changes, calls, ...), which are not community content.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import NS_UTC, ReadContext, ReadResult, Table, parse_dates, refused
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, resolve_roots, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "telegram_json"
CHAT_TYPES = (
    "personal_chat",
    "bot_chat",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
    "saved_messages",
)
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "ISO8601")
DATE_EXPECTED = 'a date like 2023-01-25T08:14:03 or "date_unixtime": "1674630843"'


def message_text(value: Any) -> str | None:
    """``text`` as one string: a plain string, or the strings and entities' texts of an array joined."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list):
        parts = [
            p
            if isinstance(p, str)
            else p.get("text")
            if isinstance(p, dict) and isinstance(p.get("text"), str)
            else ""
            for p in value
        ]
        joined = "".join(parts)
        return joined if joined.strip() else None
    return None


def _reaction_total(reactions: Any) -> int | None:
    if not isinstance(reactions, list):
        return None
    return sum(
        r["count"]
        for r in reactions
        if isinstance(r, dict) and isinstance(r.get("count"), int) and not isinstance(r.get("count"), bool)
    )


def chats_of(doc: Any) -> list[dict[str, Any]] | None:
    """The chats of a single-chat or an account-wide export (left chats included), or None."""
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("messages"), list):
        return [doc]
    found = []
    for key in ("chats", "left_chats"):
        block = doc.get(key)
        if isinstance(block, dict) and isinstance(block.get("list"), list):
            found.extend(
                c for c in block["list"] if isinstance(c, dict) and isinstance(c.get("messages"), list)
            )
    return found if found or "chats" in doc else None


def _unix(value: Any) -> int | None:
    text = text_or_none(value)
    if text is None or not re.fullmatch(r"\s*\d{1,11}\s*", text):
        return None
    return int(text)


def parse_telegram_json(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a Telegram Desktop ``result.json`` (one chat or the whole account) into ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path and the client's time zone (for dates exported without ``date_unixtime``).
    """
    try:
        doc = load_json(data, ctx.source)
    except JsonError as exc:
        return refused(Table.MESSAGES, str(exc))
    chats = chats_of(doc)
    if chats is None:
        return refused(
            Table.MESSAGES,
            f"{ctx.source} holds no Telegram chat: expected a Telegram Desktop result.json (one chat with "
            '"messages", or an account export with "chats": {"list": [...]}). Export it again as '
            '"Machine-readable JSON".',
        )
    items: list[Any] = []
    positions: list[int] = []
    chat_ids: list[str] = []
    chat_names: list[str] = []
    for chat in chats:
        messages = chat["messages"]
        cid = text_or_none(chat.get("id")) or text_or_none(chat.get("name")) or "chat"
        positions.extend(range(len(items) + 1, len(items) + len(messages) + 1))
        items.extend(messages)
        chat_ids.extend([cid] * len(messages))
        chat_names.extend([text_or_none(chat.get("name")) or cid] * len(messages))
    rows = JsonRows(items, ctx.source, positions)
    n = len(rows)
    types = rows.get("type")
    actions = rows.get("action")
    service = np.asarray([t == "service" for t in types], dtype=bool)
    rows.checks.skip(
        service,
        [
            f"Telegram service message ({a if isinstance(a, str) else 'unknown'}), not community content"
            for a in actions
        ],
    )
    own = [text_or_none(v) for v in rows.get("id")]
    rows.checks.flag(
        np.asarray([o is None or not o.strip().lstrip("-").isdigit() for o in own], dtype=bool),
        "id",
        "the message's number",
        rows.get("id"),
    )
    ids = [f"{c}:{o.strip()}" if o is not None else None for c, o in zip(chat_ids, own, strict=True)]
    replies = [text_or_none(v) for v in rows.get("reply_to_message_id")]
    parents = [
        f"{c}:{r.strip()}" if r is not None and r.strip() else None
        for c, r in zip(chat_ids, replies, strict=True)
    ]
    parents = [None if p == i else p for p, i in zip(parents, ids, strict=True)]
    roots = resolve_roots(ids, parents)
    # In a forum, a message posted in a topic points at the topic's creation (a service message): it is
    # in that topic's thread but answers no one.
    topics = {
        i
        for i, t, a in zip(ids, types, actions, strict=True)
        if t == "service" and a == "topic_created" and i
    }
    parents = [None if p in topics else p for p in parents]

    unix = [_unix(v) for v in rows.get("date_unixtime")]
    local_text = pd.Series([d if isinstance(d, str) else None for d in rows.get("date")], dtype="str")
    local_dates, local_mask = parse_dates(local_text, DATE_FORMATS, ctx.timezone)
    exact = pd.Series(
        pd.to_datetime(np.asarray([0 if u is None else u for u in unix], dtype=np.int64), unit="s", utc=True)
    ).astype(NS_UTC)
    has_unix = np.asarray([u is not None for u in unix], dtype=bool)
    created = exact.where(has_unix, local_dates)
    assumed = ~has_unix & local_mask & created.notna().to_numpy(dtype=bool)
    rows.checks.flag(created.isna().to_numpy(dtype=bool), "date", DATE_EXPECTED, rows.get("date"))

    author_id = rows.ids(
        [m.get("from_id") if m.get("from_id") is not None else m.get("actor_id") for m in rows.items],
        "from_id",
        "the author's id (user123)",
    )
    author_name = [text_or_none(v) for v in rows.get("from")]
    text = [message_text(v) for v in rows.get("text")]
    reactions = rows.counts([_reaction_total(r) for r in rows.get("reactions")], "reactions")
    kind = [Kind.REPLY.value if p is not None else Kind.MESSAGE.value for p in parents]
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.TELEGRAM.value] * n,
            Messages.channel: chat_names,
            Messages.thread_id: [r if r is not None else "" for r in roots],
            Messages.parent_id: parents,
            Messages.author_id: author_id,
            Messages.author_name: author_name,
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.zeros(n, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.reactions: reactions,
        },
        source_files=ctx.source,
    )
    if (assumed & rows.checks.ok).any():
        result.assumed_timezone = ctx.timezone
    return result


_CHAT_TYPE = re.compile(r'"type"\s*:\s*"(?:' + "|".join(CHAT_TYPES) + ')"')


def _detect(probe: Probe) -> bool:
    head = probe.json_head
    if not head.startswith("{") or probe.json_has_keys("guild"):
        return False
    single = probe.json_has_keys("messages") and bool(_CHAT_TYPE.search(head[:4096]))
    account = probe.json_has_keys("personal_information") or (
        bool(re.search(r'"chats"\s*:\s*\{', head)) and bool(re.search(r'"list"\s*:\s*\[', head))
    )
    return single or account


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_telegram_json(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "Telegram Desktop export (result.json), one chat or the whole account",
        Table.MESSAGES,
        _detect,
        _read,
    )
)
