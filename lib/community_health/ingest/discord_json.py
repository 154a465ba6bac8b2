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
parent_id     ``reference.messageId``, unless the message is a forward (``reference.type`` ``Forward``)
              or points at a message of another channel that is not in the file (a crosspost from a
              followed announcement channel, a forward from an exporter that did not yet mark forwards):
              those answer no one; in a thread file, a message that replies to nothing answers the
              thread's starter message (whose id is the thread's id)
thread_id     the root of the reply chain, followed within the file; a chain that leaves the file
              ends at the id it points to; in a thread file, the thread's id (= its starter message)
kind          ``reply`` when it has a parent, else ``message``
author        ``author.id``; the name is the server nickname, else the user name; ``isBot`` marks bots
created_at    ``timestamp``
text          ``content``, else the forwarded message's ``content`` (``forwardedMessage``), else the embeds'
              titles and descriptions
reactions     the sum of ``reactions[].count`` (0 when the list is empty; null when there is no list)
url           ``https://discord.com/channels/<guild>/<channel>/<message>``
============  ====================================================================================

Only ``Default`` and ``Reply`` messages (and the replies of slash commands) are community content. The
others (``GuildMemberJoin``, ``ChannelPinnedMessage``, ``ThreadCreated``, ``Call``, ...) are counted as
skipped, per type. DiscordChatExporter names only the types its own list knows and writes the others as
Discord's number (``"type": "20"`` for a slash command's reply, ``"21"`` for a thread's starter message,
``"46"`` for a poll's result): those are read by Discord's name for the number.
"""

from __future__ import annotations

import operator
from itertools import compress, repeat
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.jsonrows import (
    ColumnRows,
    JsonError,
    WholeNumber,
    load_json,
    resolve_roots,
    text_column,
    text_or_none,
    typed_decoder,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "discord_json"
CONTENT_TYPES = frozenset({"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"})
#: Discord's names of the message types that DiscordChatExporter writes as numbers (its own list stops at
#: ``Reply``, 19), from Discord's documentation of message types.
TYPE_NAMES = {
    "8": "UserPremiumGuildSubscription",
    "9": "UserPremiumGuildSubscriptionTier1",
    "10": "UserPremiumGuildSubscriptionTier2",
    "11": "UserPremiumGuildSubscriptionTier3",
    "12": "ChannelFollowAdd",
    "14": "GuildDiscoveryDisqualified",
    "15": "GuildDiscoveryRequalified",
    "16": "GuildDiscoveryGracePeriodInitialWarning",
    "17": "GuildDiscoveryGracePeriodFinalWarning",
    "20": "ChatInputCommand",
    "21": "ThreadStarterMessage",
    "22": "GuildInviteReminder",
    "23": "ContextMenuCommand",
    "24": "AutoModerationAction",
    "25": "RoleSubscriptionPurchase",
    "26": "InteractionPremiumUpsell",
    "27": "StageStart",
    "28": "StageEnd",
    "29": "StageSpeaker",
    "31": "StageTopic",
    "32": "GuildApplicationPremiumSubscription",
    "36": "GuildIncidentAlertModeEnabled",
    "37": "GuildIncidentAlertModeDisabled",
    "38": "GuildIncidentReportRaid",
    "39": "GuildIncidentReportFalseAlarm",
    "44": "PurchaseNotification",
    "46": "PollResult",
}


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
    try:  # the usual list: objects each with a count
        counts = [r["count"] for r in reactions]
        if set(map(type, counts)) <= _INT:
            return sum(counts)
    except (KeyError, TypeError):
        pass
    return sum(
        r.get("count")
        for r in reactions
        if isinstance(r, dict) and isinstance(r.get("count"), int) and not isinstance(r.get("count"), bool)
    )


_STR = {str}
_INT = {int}
_STR_OR_NONE = {str, type(None)}
_DICT = {dict}
_NONE: dict[str, Any] = {}  # an element that is not an object, read as an empty one
_LARGE = pa.large_string()


def _is_reply(reference: tuple[Any, Any], channel_id: str, in_file: bool) -> bool:
    """Whether a message's ``reference`` (its ``type`` and ``channelId``) makes it a reply: not a forward,
    and pointing at a message of the file or of the file's own channel (a reference to another channel's
    message is a crosspost, or a forward written before DiscordChatExporter marked forwards)."""
    kind, channel = reference
    if kind == "Forward":
        return False
    return in_file or channel is None or not channel_id or text_or_none(channel) == channel_id


def _nonblank(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _texts(values: list[Any]) -> list[str | None]:
    """``text_or_none`` of each value (text and nulls as they are)."""
    return values if set(map(type, values)) <= _STR_OR_NONE else [text_or_none(v) for v in values]


class _Author(msgspec.Struct, gc=False):
    id: str | None = None
    name: str | None = None
    nickname: str | None = None
    isBot: bool | None = None


class _Reference(msgspec.Struct, gc=False):
    messageId: str | None = None
    channelId: str | None = None
    type: str | None = None


class _Forwarded(msgspec.Struct, gc=False):
    content: str | None = None


class _Embed(msgspec.Struct, gc=False):
    title: str | None = None
    description: str | None = None


class _Reaction(msgspec.Struct, gc=False):
    count: WholeNumber


class _Message(msgspec.Struct, gc=False):
    id: str | None = None
    type: str | None = None
    timestamp: str | None = None
    author: _Author | None = None
    reference: _Reference | None = None
    content: str | None = None
    embeds: list[_Embed] | None = None
    reactions: list[_Reaction] | None = None
    forwardedMessage: _Forwarded | None = None


class _Named(msgspec.Struct, gc=False):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    category: str | None = None


class _Export(msgspec.Struct, gc=False):
    """The fields of an export that the reader uses, each of the type DiscordChatExporter writes."""

    messages: list[_Message]
    guild: _Named | None = None
    channel: _Named | None = None


_decode_export = typed_decoder(_Export)


def _message_fields(messages: list[Any]) -> tuple[list[Any], ...]:
    """``type, id, timestamp, author.id, author.name, author.nickname, author.isBot,
    reference.messageId, content, embeds`` of every message object, the total of its reactions, and
    the ``type`` and ``channelId`` of its ``reference`` and its ``forwardedMessage.content``."""
    if not messages:
        return ([],) * 13
    types, raw_ids, stamps, authors, references, contents, embeds, reactions, forwards = map(
        list,
        zip(
            *[
                (
                    m.get("type"),
                    m.get("id"),
                    m.get("timestamp"),
                    m.get("author"),
                    m.get("reference"),
                    m.get("content"),
                    m.get("embeds"),
                    m.get("reactions"),
                    m.get("forwardedMessage"),
                )
                for m in messages
            ],
            strict=True,
        ),
    )
    if set(map(type, authors)) == _DICT:
        author_ids, names, nicknames, bots = map(
            list,
            zip(
                *[(a.get("id"), a.get("name"), a.get("nickname"), a.get("isBot")) for a in authors],
                strict=True,
            ),
        )
    else:
        author_ids, names, nicknames, bots = (
            [o.get(sub) if isinstance(o, dict) else None for o in authors]
            for sub in ("id", "name", "nickname", "isBot")
        )
    if set(map(type, references)) <= {dict, type(None)}:
        refs = [r.get("messageId") if r is not None else None for r in references]
    else:
        refs = [r.get("messageId") if isinstance(r, dict) else None for r in references]
    ref_kinds: list[tuple[Any, Any] | None] = [None] * len(messages)
    if references.count(None) != len(messages):
        for i in [i for i, r in enumerate(references) if isinstance(r, dict)]:
            ref_kinds[i] = (references[i].get("type"), references[i].get("channelId"))
    if forwards.count(None) != len(messages):
        forwarded = [f.get("content") if isinstance(f, dict) else None for f in forwards]
    else:
        forwarded = forwards  # no forwards: all None
    totals: list[Any] = [0] * len(messages)  # an empty list (nobody reacted) counts 0
    if reactions.count([]) != len(messages):
        for i in [i for i, r in enumerate(reactions) if r != []]:
            totals[i] = _reaction_total(reactions[i])
    return (
        types,
        raw_ids,
        stamps,
        author_ids,
        names,
        nicknames,
        bots,
        refs,
        contents,
        embeds,
        totals,
        ref_kinds,
        forwarded,
    )


def _struct_fields(messages: list[_Message]) -> tuple[list[Any], ...]:
    """:func:`_message_fields` of typed messages: the same values (embeds that are not empty as the
    objects the JSON parser makes of their fields)."""
    if not messages:
        return ([],) * 13
    types, raw_ids, stamps, authors, references, contents, embeds, reactions = (
        list(map(operator.attrgetter(name), messages))
        for name in ("type", "id", "timestamp", "author", "reference", "content", "embeds", "reactions")
    )
    if authors.count(None):
        author_ids, names, nicknames, bots = (
            [None if a is None else getattr(a, sub) for a in authors]
            for sub in ("id", "name", "nickname", "isBot")
        )
    else:
        author_ids, names, nicknames, bots = (
            list(map(operator.attrgetter(sub), authors)) for sub in ("id", "name", "nickname", "isBot")
        )
    refs = [None if r is None else r.messageId for r in references]
    ref_kinds = references  # all None when no message refers to another
    if references.count(None) != len(messages):
        ref_kinds = [None if r is None else (r.type, r.channelId) for r in references]
    forwarded = list(map(operator.attrgetter("forwardedMessage"), messages))
    if forwarded.count(None) != len(messages):
        forwarded = [None if f is None else f.content for f in forwarded]
    embeds = [e if not e else msgspec.to_builtins(e) for e in embeds]
    count = operator.attrgetter("count")  # every reaction has a whole number (as _reaction_total adds)
    totals = [None if r is None else sum(map(count, r)) for r in reactions]
    return (
        types,
        raw_ids,
        stamps,
        author_ids,
        names,
        nicknames,
        bots,
        refs,
        contents,
        embeds,
        totals,
        ref_kinds,
        forwarded,
    )


def parse_discord_json(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a DiscordChatExporter JSON channel (or thread) export into ``messages`` rows.

    The export is decoded into the fields the reader uses (:class:`_Export`), twice as fast as into
    objects; one with a field of another type (or not JSON that decoder takes) is parsed into objects
    and read as they are.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    typed = _decode_export(data)
    if typed is not None:
        guild = msgspec.structs.asdict(typed.guild) if typed.guild is not None else {}
        channel = msgspec.structs.asdict(typed.channel) if typed.channel is not None else {}
        n = len(typed.messages)
        fields = _struct_fields(typed.messages)
        del typed
        not_object = None
        values = None

        def raw(at: np.ndarray) -> list[Any]:
            messages = load_json(data, ctx.source)["messages"]
            return [messages[i] for i in at.tolist()]

    else:
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
        # Every field read in one pass over the messages (each message's object is then at hand).
        messages = doc["messages"]
        n = len(messages)
        items = messages
        not_object = None
        values = messages
        if n and set(map(type, messages)) != _DICT:
            items = [m if isinstance(m, dict) else _NONE for m in messages]
            not_object = np.fromiter((not isinstance(m, dict) for m in messages), dtype=bool, count=n)
        fields = _message_fields(items)

        def raw(at: np.ndarray) -> list[Any]:
            return [messages[i] for i in at.tolist()]

    (
        types,
        raw_ids,
        stamps,
        author_ids,
        names,
        nicknames,
        bots,
        refs,
        contents,
        embeds,
        totals,
        ref_kinds,
        forwarded,
    ) = fields
    del fields
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
    rows = ColumnRows(n, ctx.source, np.arange(1, n + 1), raw, not_object=not_object, values=values)

    if set(map(type, types)) != _STR:
        types = [t if isinstance(t, str) else "Default" for t in types]
    if any(t[:1].isdigit() for t in set(types)):  # types DiscordChatExporter writes as Discord's number
        types = [TYPE_NAMES.get(t, f"type {t}") if t[:1].isdigit() else t for t in types]
    not_content = np.fromiter(map(CONTENT_TYPES.__contains__, types), dtype=bool, count=n)
    np.logical_not(not_content, out=not_content)
    reasons = np.full(n, None, dtype=object)
    for i in np.flatnonzero(not_content).tolist():
        reasons[i] = f"Discord {types[i]} message, not community content"
    rows.checks.skip(not_content, reasons)

    ids = rows.ids(raw_ids, "id", "a message id")
    created, _ = rows.dates(stamps, "timestamp")
    author_id = rows.ids(author_ids, "author.id", "the author's id")
    author_name = (
        [nick or name for nick, name in zip(nicknames, names, strict=True)]
        if set(map(type, nicknames)) <= _STR_OR_NONE and set(map(type, names)) <= _STR_OR_NONE
        else [text_or_none(nick) or text_or_none(name) for nick, name in zip(nicknames, names, strict=True)]
    )
    is_bot = np.fromiter(map(operator.is_, bots, repeat(True)), dtype=bool, count=n)
    refs = _texts(refs)
    id_list = ids.tolist()
    if ids.hasnans:
        id_list = [None if isinstance(i, float) else i for i in id_list]
    if ref_kinds.count(None) != n:
        here = set(id_list)
        refs = [
            None if k is not None and not _is_reply(k, channel_id, r in here) else r
            for r, k in zip(refs, ref_kinds, strict=True)
        ]
    if is_thread and channel_id:
        parents = [
            r if r is not None else (channel_id if i != channel_id else None)
            for i, r in zip(id_list, refs, strict=True)
        ]
    else:
        parents = refs
    parents = [None if p == i else p for p, i in zip(parents, id_list, strict=True)]
    roots = resolve_roots(id_list, parents)
    if (
        set(map(type, contents)) == _STR
        and not any(map(str.isspace, filter(None, contents)))
        and all(contents)
    ):
        text = contents
    else:
        text = [
            c if isinstance(c, str) and c.strip() else _nonblank(f) or _embed_text(e)
            for c, f, e in zip(contents, forwarded, embeds, strict=True)
        ]
    reaction_counts = rows.counts(totals, "reactions")

    # Columns of the kept messages only
    ok = rows.checks.ok
    kept = ok.tolist()
    keep = np.flatnonzero(ok)
    m = len(keep)
    message_id = ids[ok].reset_index(drop=True)
    parent_kept = list(compress(parents, kept))
    if not channel_id:
        url: Any = text_column(pa.nulls(m, _LARGE))
    else:
        try:  # kept messages all have an id
            prefix = pa.scalar(f"https://discord.com/channels/{guild_id}/{channel_id}/", _LARGE)
            url = text_column(
                pc.binary_join_element_wise(prefix, pa.array(message_id), pa.scalar("", _LARGE))
            )
        except (pa.ArrowException, UnicodeError):  # lone surrogates: text_series cleans them from Python text
            url = [
                f"https://discord.com/channels/{guild_id}/{channel_id}/{i}" for i in compress(id_list, kept)
            ]
    reply, message = Kind.REPLY.value, Kind.MESSAGE.value
    return rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: text_column(pa.repeat(pa.scalar(Platform.DISCORD.value, _LARGE), m)),
            Messages.channel: [channel_name] * m,
            Messages.thread_id: [r if r is not None else "" for r in compress(roots, kept)],
            Messages.parent_id: parent_kept,
            Messages.author_id: author_id[ok].reset_index(drop=True),
            Messages.author_name: list(compress(author_name, kept)),
            Messages.author_is_brand: np.zeros(m, dtype=bool),
            Messages.author_is_bot: is_bot[ok],
            Messages.created_at: created[ok],
            Messages.kind: np.where(
                np.fromiter(map(operator.is_, parent_kept, repeat(None)), dtype=bool, count=m), message, reply
            ).astype(object),
            Messages.text: list(compress(text, kept)),
            Messages.url: url,
            Messages.reactions: reaction_counts[ok],
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
