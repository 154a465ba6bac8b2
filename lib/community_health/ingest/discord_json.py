"""Discord, DiscordChatExporter JSON: one channel (or one thread) per file.

Layout (FORMATS.md): top level ``guild, channel, dateRange, messages, messageCount``; each message has
``id, type, timestamp, timestampEdited, isPinned, content, author {id, name, discriminator, nickname,
isBot, ...}, attachments, embeds, stickers, reactions [{emoji, count}], mentions, reference {messageId,
channelId, guildId}``. Timestamps carry an offset and a variable number of fractional digits. Non-ASCII is
escaped as surrogate pairs (``\\uD83D\\uDC4F``), which the JSON parser joins. Threads are separate files
whose ``channel.type`` is a thread kind and whose ``channel.categoryId``/``category`` name the channel the
thread was started in. Deleted accounts appear as ``Deleted User`` with a placeholder id shared by all of
them; their messages are kept under that one id.

Rows go to ``messages``:

============  ====================================================================================
message_id    the message id (global across the server, so overlapping exports deduplicate)
channel       the channel name; for a thread file, the channel the thread was started in
parent_id     ``reference.messageId``; in a thread file, a message that replies to nothing answers the
              thread's starter message (whose id is the thread's id)
thread_id     the root of the reply chain, followed within the file; a chain that leaves the file
              ends at the id it points to; in a thread file, the thread's id (= its starter message)
kind          ``reply`` when it has a parent, else ``message``
author        ``author.id``; the name is the server nickname, else the user name; ``isBot`` marks bots
created_at    ``timestamp``
text          ``content``, else the embeds' titles and descriptions
reactions     the sum of ``reactions[].count`` (0 when the list is empty; null when there is no list)
url           ``https://discord.com/channels/<guild>/<channel>/<message>``
============  ====================================================================================

Only ``Default`` and ``Reply`` messages (and the replies of slash commands) are community content. The
others (``GuildMemberJoin``, ``ChannelPinnedMessage``, ``ThreadCreated``, ``Call``, ...) are counted as
skipped, per type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, resolve_roots, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "discord_json"
CONTENT_TYPES = frozenset({"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"})


def _embed_text(embeds: Any) -> str | None:
    if not isinstance(embeds, list):
        return None
    parts = [
        str(e.get(k)) for e in embeds if isinstance(e, dict) for k in ("title", "description") if e.get(k)
    ]
    return "\n".join(parts) or None


def _reaction_total(reactions: Any) -> int | None:
    if not isinstance(reactions, list):
        return None
    return sum(
        r.get("count")
        for r in reactions
        if isinstance(r, dict) and isinstance(r.get("count"), int) and not isinstance(r.get("count"), bool)
    )


def parse_discord_json(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a DiscordChatExporter JSON channel (or thread) export into ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    try:
        doc = load_json(data, ctx.source)
    except JsonError as exc:
        return refused(Table.MESSAGES, str(exc))
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        return refused(
            Table.MESSAGES,
            f"{ctx.source} has no list of messages: expected a DiscordChatExporter "
            "JSON export (guild, channel, messages). Export the channel again as JSON.",
        )
    guild = doc.get("guild") if isinstance(doc.get("guild"), dict) else {}
    channel = doc.get("channel") if isinstance(doc.get("channel"), dict) else {}
    guild_id = text_or_none(guild.get("id")) or "@me"
    if guild_id == "0":
        guild_id = "@me"
    channel_id = text_or_none(channel.get("id")) or ""
    is_thread = "Thread" in str(channel.get("type") or "")
    channel_name = (
        text_or_none(channel.get("category") if is_thread else channel.get("name"))
        or text_or_none(channel.get("name"))
        or channel_id
        or "unknown"
    )

    rows = JsonRows(doc["messages"], ctx.source)
    n = len(rows)
    types = [t if isinstance(t, str) else "Default" for t in rows.get("type")]
    not_content = np.fromiter((t not in CONTENT_TYPES for t in types), dtype=bool, count=n)
    rows.checks.skip(not_content, [f"Discord {t} message, not community content" for t in types])

    ids = rows.ids(rows.get("id"), "id", "a message id")
    created, _ = rows.dates(rows.get("timestamp"), "timestamp")
    author_id = rows.ids(rows.nested("author", "id"), "author.id", "the author's id")
    names = rows.nested("author", "name")
    nicknames = rows.nested("author", "nickname")
    author_name = [
        text_or_none(nick) or text_or_none(name) for nick, name in zip(nicknames, names, strict=True)
    ]
    is_bot = [b is True for b in rows.nested("author", "isBot")]
    refs = [text_or_none(r) for r in rows.nested("reference", "messageId")]
    id_list = ids.tolist()
    id_list = [None if isinstance(i, float) else i for i in id_list]
    if is_thread and channel_id:
        parents = [
            r if r is not None else (channel_id if i != channel_id else None)
            for i, r in zip(id_list, refs, strict=True)
        ]
    else:
        parents = refs
    parents = [None if p == i else p for p, i in zip(parents, id_list, strict=True)]
    roots = resolve_roots(id_list, parents)
    contents = rows.get("content")
    embeds = rows.get("embeds")
    text = [
        c if isinstance(c, str) and c.strip() else _embed_text(e)
        for c, e in zip(contents, embeds, strict=True)
    ]
    reactions = rows.counts([_reaction_total(r) for r in rows.get("reactions")], "reactions")
    url = [
        f"https://discord.com/channels/{guild_id}/{channel_id}/{i}" if i and channel_id else None
        for i in id_list
    ]
    kind = [Kind.REPLY.value if p is not None else Kind.MESSAGE.value for p in parents]

    return rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.DISCORD.value] * n,
            Messages.channel: [channel_name] * n,
            Messages.thread_id: [r if r is not None else "" for r in roots],
            Messages.parent_id: parents,
            Messages.author_id: author_id,
            Messages.author_name: author_name,
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.asarray(is_bot, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.url: url,
            Messages.reactions: reactions,
        },
        source_files=ctx.source,
    )


def _detect(probe: Probe) -> bool:
    return probe.json_has_keys("guild", "channel") and (
        '"messages"' in probe.json_head or len(probe.head) >= 4096
    )


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_discord_json(unit.path.read_bytes(), ctx)


READER = register(
    Reader(NAME, "DiscordChatExporter JSON, one channel or thread per file", Table.MESSAGES, _detect, _read)
)
