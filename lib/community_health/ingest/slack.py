"""Slack workspace export: a zip (or the folder it unpacks to) holding ``channels.json``, ``users.json``,
optionally ``groups.json``, ``mpims.json``, ``dms.json``, and one folder per channel with one JSON array of
messages per day (``general/2016-03-25.json``). The whole export is one unit.

Layout (FORMATS.md): messages have ``type, subtype, user, text, ts`` (a string such as
``"1458930018.000002"``: the message's id within its channel), ``thread_ts`` and ``parent_user_id`` on
thread replies, ``reply_count``/``replies`` on thread parents, ``reactions`` (``name, users, count``).
``bot_message`` has no ``user`` but ``bot_id`` and ``username``, its content often only in
``attachments``. ``created`` in ``channels.json`` is a string in old exports and an integer in new ones.

Rows go to ``messages``:

==========  ========================================================================================
message_id  ``<channel id>:<ts>``
channel     the channel's name
thread_id   ``<channel id>:<thread_ts>`` for a thread reply, else the message's own id (every top-level
            message can start a conversation)
parent_id   the thread's parent for a reply (Slack threads are flat), else none
kind        ``reply`` for a thread reply, else ``message``
author      ``user`` (``bot_id`` for a bot message; ``comment.user`` for an old file comment); the
            name from ``users.json`` (real name, else user name), else the message's ``user_profile``
            or ``username``
bots        ``bot_message``, a ``bot_id``, ``USLACKBOT``, or ``is_bot`` in ``users.json``
created_at  ``ts`` (epoch seconds, UTC), to the microsecond
text        ``text`` with ``<@U…>`` mentions, ``<#C…|name>`` channels and ``<url|label>`` links made
            readable; for an empty text, the attachments' text, or the file comment
reactions   the sum of ``reactions[].count`` (0 when there are none: Slack leaves the list out)
comments    ``reply_count`` on top-level messages (0 when absent), null on replies
==========  ========================================================================================

Events that are not community content (``channel_join``, ``channel_leave``, ``channel_purpose``,
``channel_topic``, ``pinned_item``, deleted-message placeholders, ...) are counted as skipped, per subtype.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import ReadContext, ReadResult, Table, dates_from_epoch_text, refused
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "slack"
CONTENT_SUBTYPES = frozenset(
    {
        None,
        "bot_message",
        "file_share",
        "file_comment",
        "thread_broadcast",
        "reply_broadcast",
        "me_message",
        "file_mention",
    }
)
CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
DAY_FILE = re.compile(r"^([^/]+)/(\d{4}-\d{2}-\d{2})\.json$")
TS = re.compile(r"\d{1,12}(\.\d{1,9})?")
_MARKUP = re.compile(r"<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>")


def export_root(names: list[str]) -> str | None:
    """The folder inside the export that holds ``channels.json`` and ``users.json`` ('' at the top)."""
    present = set(names)
    roots = sorted(
        (str(PurePosixPath(n).parent) for n in names if PurePosixPath(n).name == "channels.json"), key=len
    )
    for root in roots:
        prefix = "" if root == "." else root + "/"
        if prefix + "users.json" in present:
            return prefix
    return None


def _list_of_objects(
    files: Mapping[str, bytes], name: str, notes: list[str], source: str
) -> list[dict[str, Any]]:
    if name not in files:
        return []
    try:
        value = load_json(files[name], f"{source}/{name}")
    except JsonError as exc:
        notes.append(str(exc))
        return []
    if not isinstance(value, list):
        notes.append(f"{source}/{name} is not a list; its entries were not used.")
        return []
    return [v for v in value if isinstance(v, dict)]


def _user_name(user: dict[str, Any]) -> str | None:
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    for value in (
        user.get("real_name"),
        profile.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value
    return None


class _UserNames(Mapping[str, str]):
    """The name of each user of ``users.json`` (real name, else user name), worked out when first asked
    for: a workspace's ``users.json`` lists every member (150,000 in a large one), far more than the
    messages of a month's export name.

    Attributes
    ----------
    bots
        The ids of the users marked ``is_bot``.
    """

    def __init__(self, users: list[dict[str, Any]]) -> None:
        self._users: dict[str, Any] = {}  # id -> the user, or the list of users listed under that id
        self._names: dict[str, str | None] = {}
        self.bots: set[str] = set()
        for user in users:
            uid = user.get("id")
            if uid is None:
                continue
            uid = str(uid)
            if user.get("is_bot") is True:
                self.bots.add(uid)
            seen = self._users.get(uid)
            if seen is None:
                self._users[uid] = user
            else:  # listed again: the last entry with a name wins
                self._users[uid] = [*seen, user] if isinstance(seen, list) else [seen, user]

    def _name(self, uid: str) -> str | None:
        if uid in self._names:
            return self._names[uid]
        entry = self._users.get(uid)
        name = None
        for user in entry if isinstance(entry, list) else [entry] if entry is not None else []:
            name = _user_name(user) or name
        self._names[uid] = name
        return name

    def __getitem__(self, uid: str) -> str:
        name = self._name(uid) if isinstance(uid, str) else None
        if name is None:
            raise KeyError(uid)
        return name

    def get(self, uid: str, default: Any = None) -> Any:  # type: ignore[override]
        """The user's name, or ``default`` when the user is not listed or has no name."""
        name = self._name(uid) if isinstance(uid, str) else None
        return default if name is None else name

    def __contains__(self, uid: object) -> bool:
        return isinstance(uid, str) and self._name(uid) is not None

    def __iter__(self) -> Iterator[str]:
        return (uid for uid in self._users if self._name(uid) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def readable(text: str, user_names: Mapping[str, str]) -> str:
    """Slack markup made readable: ``<@U024BE7LH>`` -> ``@Name``, ``<#C1|general>`` -> ``#general``,
    ``<http://x|label>`` -> ``label``, ``<!here>`` -> ``@here``; ``&lt;``/``&gt;``/``&amp;`` decoded."""
    if "<" in text:

        def sub(match: re.Match[str]) -> str:
            sigil, target, label = match.group(1), match.group(2), match.group(3)
            if sigil == "@":
                return "@" + (label or user_names.get(target, target))
            if sigil == "#":
                return "#" + (label or target)
            if sigil == "!":
                return "@" + (label or target.split("^")[0])
            return label or target

        text = _MARKUP.sub(sub, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _attachment_text(attachments: Any) -> str | None:
    if not isinstance(attachments, list):
        return None
    parts = []
    for a in attachments:
        if not isinstance(a, dict):
            continue
        for key in ("pretext", "title", "text"):
            if isinstance(a.get(key), str) and a[key].strip():
                parts.append(a[key])
        if not parts and isinstance(a.get("fallback"), str):
            parts.append(a["fallback"])
    return "\n".join(parts) or None


def _reaction_total(reactions: Any) -> int | None:
    if reactions is None:
        return 0
    if not isinstance(reactions, list):
        return None
    total = 0
    for r in reactions:
        if isinstance(r, dict):
            count = r.get("count")
            if isinstance(count, int) and not isinstance(count, bool):
                total += count
            elif isinstance(r.get("users"), list):
                total += len(r["users"])
    return total


def parse_slack_export(files: Mapping[str, bytes], ctx: ReadContext) -> ReadResult:
    """Read a Slack workspace export into ``messages`` rows.

    Parameters
    ----------
    files
        The export's files by their path inside it (``channels.json``, ``general/2016-03-25.json``);
        the export may sit in one top folder, as zips often do.
    ctx
        The export's path (inner files are named ``<export>/<channel>/<day>.json``).
    """
    names = sorted(files)
    root = export_root(names)
    if root is None:
        return refused(
            Table.MESSAGES,
            f"{ctx.source} has no channels.json beside a users.json: it is not a "
            "complete Slack workspace export. Export the workspace again and keep "
            "the zip as it was downloaded.",
        )
    notes: list[str] = []
    users = _list_of_objects(files, root + "users.json", notes, ctx.source)
    user_names = _UserNames(users)
    bot_users = user_names.bots
    folders: dict[str, tuple[str, str]] = {}  # folder -> (channel id, channel name)
    for listing in CHANNEL_LISTS:
        for ch in _list_of_objects(files, root + listing, notes, ctx.source):
            cid = text_or_none(ch.get("id"))
            name = text_or_none(ch.get("name"))
            if cid is None:
                continue
            folder = cid if listing == "dms.json" else (name or cid)
            folders.setdefault(folder, (cid, name or cid))

    items: list[Any] = []
    item_files: list[str] = []
    positions: list[int] = []
    channel_ids: list[str] = []
    channel_names: list[str] = []
    for name in names:
        if not name.startswith(root):
            continue
        match = DAY_FILE.match(name[len(root) :])
        if not match:
            continue
        folder = match.group(1)
        cid, cname = folders.get(folder, (folder, folder))
        inner = f"{ctx.source}/{name}"
        try:
            day = load_json(files[name], inner)
        except JsonError as exc:
            notes.append(str(exc))
            continue
        if not isinstance(day, list):
            notes.append(f"{inner} is not a list of messages; nothing was read from it.")
            continue
        items.extend(day)
        item_files.extend([inner] * len(day))
        positions.extend(range(1, len(day) + 1))
        channel_ids.extend([cid] * len(day))
        channel_names.extend([cname] * len(day))

    rows = JsonRows(items, item_files, positions)
    n = len(rows)
    types = rows.get("type")
    subtypes = rows.get("subtype")
    events = [
        None
        if t in (None, "message") and s in CONTENT_SUBTYPES
        else f"Slack {s if t in (None, 'message') else t} event, not community content"
        for t, s in zip(types, subtypes, strict=True)
    ]
    rows.checks.skip(np.fromiter((e is not None for e in events), dtype=bool, count=n), events)

    ts_raw = rows.get("ts")
    ts = [v if isinstance(v, str) and TS.fullmatch(v) else None for v in ts_raw]
    created, bad_ts = dates_from_epoch_text(pd.Series(ts, dtype="str"))
    rows.checks.flag(bad_ts, "ts", 'a Slack timestamp like "1458930018.000002"', ts_raw)
    thread_ts = [v if isinstance(v, str) and TS.fullmatch(v) else None for v in rows.get("thread_ts")]

    author_id: list[str | None] = []
    author_name: list[str | None] = []
    is_bot: list[bool] = []
    text: list[str | None] = []
    none: dict[str, Any] = {}  # an absent object field
    for m, sub in zip(rows.items, subtypes, strict=True):
        get = m.get
        comment = get("comment")
        if not isinstance(comment, dict):
            comment = none
        user = text_or_none(get("user")) or text_or_none(comment.get("user"))
        bot_id = text_or_none(get("bot_id"))
        bot = sub == "bot_message" or bot_id is not None or user == "USLACKBOT" or user in bot_users
        who = bot_id if sub == "bot_message" and bot_id else (user or bot_id)
        author_id.append(who)
        name = user_names.get(user) if user else None  # names there are never blank
        if not name:
            profile = get("user_profile") if isinstance(get("user_profile"), dict) else none
            bot_profile = get("bot_profile") if isinstance(get("bot_profile"), dict) else none
            name = (
                text_or_none(profile.get("real_name"))
                or text_or_none(get("username"))
                or text_or_none(bot_profile.get("name"))
                or text_or_none(get("user_name"))
            )
        author_name.append(name)
        is_bot.append(bot)
        body = get("text")
        if not (isinstance(body, str) and body.strip()):
            body = _attachment_text(m.get("attachments")) or text_or_none(comment.get("comment"))
        text.append(readable(body, user_names) if isinstance(body, str) else None)
    rows.checks.flag(
        np.asarray([a is None for a in author_id], dtype=bool),
        "user",
        "the author's user id (or a bot_id)",
        rows.get("user"),
    )

    message_id, thread_id, parent_id, kind, comments = [], [], [], [], []
    reply_counts = rows.get("reply_count")
    reply, message = Kind.REPLY.value, Kind.MESSAGE.value
    for cid, t, tt, rc in zip(channel_ids, ts, thread_ts, reply_counts, strict=True):
        own = f"{cid}:{t}"
        message_id.append(own)
        if tt is not None and tt != t:
            parent = f"{cid}:{tt}"
            thread_id.append(parent)
            parent_id.append(parent)
            kind.append(reply)
            comments.append(None)
        else:
            thread_id.append(own)
            parent_id.append(None)
            kind.append(message)
            comments.append(0 if rc is None else rc)
    reactions = rows.counts([_reaction_total(r) for r in rows.get("reactions")], "reactions")
    comment_counts = rows.counts(comments, "reply_count")

    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: message_id,
            Messages.platform: [Platform.SLACK.value] * n,
            Messages.channel: channel_names,
            Messages.thread_id: thread_id,
            Messages.parent_id: parent_id,
            Messages.author_id: [a or "" for a in author_id],
            Messages.author_name: author_name,
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.asarray(is_bot, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: text,
            Messages.reactions: reactions,
            Messages.comments: comment_counts,
        },
        source_files=item_files,
    )
    if notes:
        result.error = " ".join(notes) + " The rest of the export was read."
    return result


def _detect(probe: Probe) -> bool:
    names = list(probe.names)
    root = export_root(names)
    if root is None:
        return False
    head = (
        probe.member(root + "channels.json")[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    )
    return head.startswith("[")


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_slack_export(unit.bundle().members(), ctx)


READER = register(
    Reader(NAME, "Slack workspace export, zip or unpacked folder", Table.MESSAGES, _detect, _read)
)
