"""Telegram Desktop export (``result.json``, machine-readable JSON): one chat, or the whole account.

Layout (FORMATS.md): a single chat is ``{"name", "type", "id", "messages": [...]}``; an account-wide
export is ``{"about", "personal_information", ..., "chats": {"about", "list": [<chat>, ...]},
"left_chats": {"list": [...]}}``. Messages: ``id, type`` (``message``, ``service``, or ``unsupported``
with nothing but the id), ``date`` (local time of the exporting computer, no zone) and, in newer exports,
``date_unixtime`` (a string of Unix seconds); ``from, from_id`` (``"user123"``, ``"channel456"``),
``reply_to_message_id`` and, for a reply to a message of another chat, ``reply_to_peer_id``, ``text``
**either a string or an array of strings and entity objects** (``{"type": "link", "text": "..."}``),
``text_entities``, ``edited``, ``photo``, ``file``, ``media_type``, ``reactions`` (newer exports), and on
service messages ``actor, actor_id, action``.

What Telegram Desktop really writes, and how it is read:

* Exports made before 2021 write a sender as a bare number (``"from_id": 5001``, a user: those versions
  gave no sender to a channel's own posts) and a chat's ``id`` with its kind in the bits above the 32nd
  (``4294967296 + id`` for a person, ``8589934592 + id`` for a group or channel). Such a chat (no sender
  written as text) is read as a later export writes it: ``user5001``, the chat's own id, and the channel
  (``channel<id>``, named as the chat) for a post of a channel or supergroup without a sender, so an old
  and a new export of the same chat give the same ids and deduplicate.
* A control character in a text is written as ``\\x0B``, which JSON does not allow (every JSON parser
  refuses the file); Telegram Desktop 4.1.1 (2022) wrote a custom emoji's ``document_id`` without quotes.
  A file that does not parse is read again with those two mended, and the reader says so.

Rows go to ``messages``:

===========  ======================================================================================
message_id   ``<chat id>:<message id>`` (message ids count per chat; chat-wide and account-wide
             exports of the same chat give the same ids)
channel      the chat's ``name``
parent_id    ``<chat id>:<reply_to_message_id>`` (the id of the chat ``reply_to_peer_id`` names, for a
             reply to another chat's message); none when that is a forum topic's creation (service
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
title changes, calls, ...), which are not community content; and messages Telegram Desktop could not
write (``"type": "unsupported"``, with no date, sender or text), counted under their own reason.
"""

from __future__ import annotations

import json
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
#: How exports from before 2021 mark a chat's kind in the bits of its id above the 32nd (Telegram Desktop's
#: export code: 1 << 32 for a person, 2 << 32 for a group, supergroup or channel).
_PEER_KIND = {
    "personal_chat": 1,
    "bot_chat": 1,
    "saved_messages": 1,
    "private_group": 2,
    "private_supergroup": 2,
    "public_supergroup": 2,
    "private_channel": 2,
    "public_channel": 2,
}
#: Chats whose posts without a sender are the chat's own (a channel's posts, a supergroup's anonymous admins).
_POSTS_AS_CHAT = frozenset({"private_supergroup", "public_supergroup", "private_channel", "public_channel"})
SKIP_UNSUPPORTED = "Telegram message the export could not write (type unsupported: no date, sender or text)"
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


def _written_before_2021(chat: dict[str, Any], senders: list[Any]) -> bool:
    """Whether a chat was exported by a Telegram Desktop from before 2021: no sender written as text
    (``user5001``), and one written as a number, or none at all in a group or channel (whose posts had
    no sender then). A person's chat with no sender is not taken for one: since 2021 people's ids pass
    4294967296, where the person's chat ids of the old exports start."""
    if any(isinstance(v, str) for v in senders):
        return False
    return any(type(v) is int for v in senders) or _PEER_KIND.get(str(chat.get("type"))) == 2


def _bare_chat_id(chat: dict[str, Any], before_2021: bool) -> str | None:
    """A chat's id as exports since 2021 write it: an id from before 2021 loses the kind its upper bits
    carry."""
    raw = chat.get("id")
    kind = _PEER_KIND.get(str(chat.get("type")))
    if before_2021 and type(raw) is int and kind is not None and raw >> 32 == kind:
        return str(raw & 0xFFFFFFFF)
    return text_or_none(raw)


_PEER = re.compile(r"(?:user|chat|channel)(\d+)")


def _peer_chat(peer: Any) -> str | None:
    """The chat id of a ``reply_to_peer_id`` (``channel1712345678`` -> ``1712345678``)."""
    match = _PEER.fullmatch(peer.strip()) if isinstance(peer, str) else None
    return match.group(1) if match else None


#: ``\x0B`` as Telegram Desktop writes a control character (not after an escaped backslash).
_X_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")
#: ``"document_id": video_files/sticker.webm`` as Telegram Desktop 4.1.1 wrote a custom emoji.
_BARE_DOCUMENT = re.compile(rb'("document_id":\s*)([^"\s\d\[{\-][^\r\n]*?)(,?\s*\r?\n)')


def _load(data: bytes, source: str) -> tuple[Any, str | None]:
    """The parsed export, and a note when it parsed only once Telegram Desktop's invalid JSON was mended.

    Raises
    ------
    JsonError
        When the bytes are not JSON, mended or not.
    """
    try:
        return load_json(data, source), None
    except JsonError as refusal:
        mended, escapes = _X_ESCAPE.subn(rb"\1\\u00\2", data)
        mended, bare = _BARE_DOCUMENT.subn(
            lambda m: m.group(1) + json.dumps(m.group(2).decode("utf-8", "replace")).encode() + m.group(3),
            mended,
        )
        if not (escapes or bare):
            raise
        try:
            doc = load_json(mended, source)
        except JsonError:
            raise refusal from None
    parts = []
    if escapes:
        parts.append(
            f"{escapes} control character{'s' if escapes != 1 else ''} written as \\x escapes, which JSON "
            "does not allow, read as the characters they stand for"
        )
    if bare:
        parts.append(
            f"{bare} custom emoji id{'s' if bare != 1 else ''} written without quotes (Telegram Desktop "
            "4.1.1), read as text"
        )
    return doc, f"{source} is not valid JSON as Telegram Desktop wrote it: " + "; ".join(parts) + "."


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
        doc, note = _load(data, ctx.source)
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
    senders: list[Any] = []
    sender_names: list[str | None] = []
    for chat in chats:
        messages = chat["messages"]
        objects = [m if isinstance(m, dict) else {} for m in messages]
        sent_by = [m.get("from_id") if m.get("from_id") is not None else m.get("actor_id") for m in objects]
        names = [text_or_none(m.get("from")) for m in objects]
        name = text_or_none(chat.get("name"))
        before_2021 = _written_before_2021(chat, sent_by)
        cid = _bare_chat_id(chat, before_2021) or name or "chat"
        if before_2021:
            as_chat = str(chat.get("type")) in _POSTS_AS_CHAT
            for i, (v, m) in enumerate(zip(sent_by, objects, strict=True)):
                if type(v) is int:
                    sent_by[i] = f"user{v}"
                elif v is None and as_chat and m.get("type") == "message":
                    sent_by[i], names[i] = f"channel{cid}", name
        positions.extend(range(len(items) + 1, len(items) + len(messages) + 1))
        items.extend(messages)
        chat_ids.extend([cid] * len(messages))
        chat_names.extend([name or cid] * len(messages))
        senders.extend(sent_by)
        sender_names.extend(names)
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
    rows.checks.skip(np.asarray([t == "unsupported" for t in types], dtype=bool), SKIP_UNSUPPORTED)
    own = [text_or_none(v) for v in rows.get("id")]
    rows.checks.flag(
        np.asarray([o is None or not o.strip().lstrip("-").isdigit() for o in own], dtype=bool),
        "id",
        "the message's number",
        rows.get("id"),
    )
    ids = [f"{c}:{o.strip()}" if o is not None else None for c, o in zip(chat_ids, own, strict=True)]
    replies = [text_or_none(v) for v in rows.get("reply_to_message_id")]
    peers = rows.get("reply_to_peer_id")
    if peers.count(None) != n:  # replies to messages of other chats
        chats_replied = [_peer_chat(p) or c for p, c in zip(peers, chat_ids, strict=True)]
    else:
        chats_replied = chat_ids
    parents = [
        f"{c}:{r.strip()}" if r is not None and r.strip() else None
        for c, r in zip(chats_replied, replies, strict=True)
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

    author_id = rows.ids(senders, "from_id", "the author's id (user123)")
    author_name = sender_names
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
    if note is not None:
        result.error = note
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
