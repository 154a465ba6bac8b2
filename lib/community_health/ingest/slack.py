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
text        ``text`` with ``<@U…>`` mentions, ``<#C…|name>`` channels (``<#C…|>``, as exports since about
            2021 write them, and ``<#C…>`` named from the channel listings), ``<url|label>`` links, special
            mentions (``<!here>``, ``<!here|@here>``, ``<!subteam^S1|@eng>``) and dates (``<!date^…|Feb
            18, 2014>``, read as the text Slack shows) made readable; for an empty text, the
            attachments' text, or the file comment
reactions   the sum of ``reactions[].count`` (0 when there are none: Slack leaves the list out)
comments    ``reply_count`` on top-level messages (0 when absent), null on replies
==========  ========================================================================================

Events that are not community content (``channel_join``, ``channel_leave``, ``channel_purpose``,
``channel_topic``, ``pinned_item``, deleted-message placeholders, ...) are counted as skipped, per subtype.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
import re
from collections.abc import Callable, Mapping
from itertools import compress, repeat
from pathlib import PurePosixPath
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    Table,
    clean_text,
    dates_from_epoch_text,
    fixed_width_digits,
    refused,
)
from community_health.ingest.jsonrows import (
    ColumnRows,
    JsonError,
    WholeNumber,
    load_json,
    text_column,
    text_or_none,
    typed_decoder,
    values_at,
)
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
    files: Mapping[str, bytes], present: set[str], name: str, notes: list[str], source: str
) -> list[dict[str, Any]]:
    if name not in present:
        return []
    return _objects_of(files[name], name, notes, source)


def _objects_of(data: bytes, name: str, notes: list[str], source: str) -> list[dict[str, Any]]:
    try:
        value = load_json(data, f"{source}/{name}")
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


class _UserProfile(msgspec.Struct, gc=False):
    real_name: str | None = None
    display_name: str | None = None


class _User(msgspec.Struct, gc=False):
    """The fields of a ``users.json`` entry that the reader uses, each of the type Slack writes."""

    id: str | None = None
    is_bot: bool | None = None
    real_name: str | None = None
    name: str | None = None
    profile: _UserProfile | None = None


_decode_users = typed_decoder(list[_User])


class _Users:
    """What ``users.json`` says of each user: the name (real name, else user name) and the bots.

    Attributes
    ----------
    names
        User id -> name, for the users that have one (the last entry with a name wins when a user is
        listed again); never blank.
    bots
        The ids of the users marked ``is_bot``.
    """

    def __init__(self, users: list[dict[str, Any]] | list[_User], typed: bool = False) -> None:
        """``users``: the listing's objects, or (``typed``) what :data:`_decode_users` made of them."""
        names: dict[str, str] = {}
        bots: set[str] = set()
        if users:
            if typed:
                ids, is_bot, real_names = (
                    list(map(operator.attrgetter(f), users)) for f in ("id", "is_bot", "real_name")
                )
            else:
                ids, is_bot, real_names = zip(
                    *[(u.get("id"), u.get("is_bot"), u.get("real_name")) for u in users], strict=True
                )
            if (  # the usual listing: every user with an id and a real name
                set(map(type, ids)) == _STR
                and set(map(type, real_names)) == _STR
                and all(real_names)
                and not any(map(str.isspace, real_names))
            ):
                self.names = dict(zip(ids, real_names, strict=True))  # the last entry of an id wins
                self.bots = set(compress(ids, map(operator.is_, is_bot, repeat(True))))
                self._lookup = False
                return
        for user in map(msgspec.to_builtins, users) if typed else users:
            uid = user.get("id")
            if uid is None:
                continue
            uid = uid if type(uid) is str else str(uid)
            if user.get("is_bot") is True:
                bots.add(uid)
            name = user.get("real_name")
            if not (type(name) is str and name.strip()):
                name = _user_name(user)
            if name is not None:
                names[uid] = name
        self.names = names
        self.bots = bots
        self._lookup: tuple[pa.Array, pa.Array] | bool | None = False

    def lookup(self) -> tuple[pa.Array, pa.Array] | None:
        """The ids and names as Arrow text (None when a name holds lone surrogates)."""
        if self._lookup is False:
            try:
                self._lookup = (
                    pa.array(list(self.names), type=pa.large_string()),
                    pa.array(list(self.names.values()), type=pa.large_string()),
                )
            except (pa.ArrowException, UnicodeError):
                self._lookup = None
        return self._lookup  # type: ignore[return-value]


#: The users of the ``users.json`` read last, by the SHA-256 of its bytes: a workspace's ``users.json``
#: lists every member (82 MB for 150,000), and each export of the same workspace repeats it, often
#: byte for byte (the month's export beside the earlier months').
_last_users: tuple[bytes, _Users] | None = None


def _users_of(
    files: Mapping[str, bytes], present: set[str], name: str, notes: list[str], source: str
) -> _Users:
    global _last_users
    if name not in present:
        return _Users([])
    data = files[name]
    digest = hashlib.sha256(data).digest()
    last = _last_users
    if last is not None and last[0] == digest:
        return last[1]
    notes_before = len(notes)
    typed = _decode_users(data)
    users = _Users(typed, typed=True) if typed is not None else _Users(_objects_of(data, name, notes, source))
    del typed
    if len(notes) == notes_before:  # read as a list: the same bytes give the same users
        _last_users = (digest, users)
    return users


def _markup(
    name_of: Callable[[str, str], str], channel_of: Callable[[str, str], str] | None = None
) -> Callable[[re.Match[str]], str]:
    """The replacement of one piece of Slack markup (a match of ``_MARKUP``), user ids named by
    ``name_of(id, default)`` and channel ids without a label by ``channel_of(id, default)``."""

    def sub(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + (label or name_of(target, target))
        if sigil == "#":  # <#C1|>: newer exports leave the label empty, the channel listings name it
            return "#" + (label or (channel_of(target, target) if channel_of else target))
        if sigil == "!":
            command = target.split("^")[0]
            if command == "date":  # <!date^1392734382^{date_short}|Feb 18, 2014>: the text Slack shows
                return label or target
            # <!here>, <!here|@here>, <!channel|@channel>, <!subteam^S1|@eng>: the label carries its own @
            return "@" + ((label or "").lstrip("@") or command)
        return label or target

    return sub


def readable(text: str, user_names: Mapping[str, str], channel_names: Mapping[str, str] | None = None) -> str:
    """Slack markup made readable: ``<@U024BE7LH>`` -> ``@Name``, ``<#C1|general>`` -> ``#general``
    (``<#C1|>`` and ``<#C1>`` -> ``#general`` when ``channel_names`` names ``C1``, else ``#C1``),
    ``<http://x|label>`` -> ``label``, ``<!here>`` and ``<!here|@here>`` -> ``@here``,
    ``<!subteam^S1|@eng>`` -> ``@eng``, ``<!date^1392734382^{date}|Feb 18, 2014>`` -> ``Feb 18, 2014``;
    ``&lt;``/``&gt;``/``&amp;`` decoded."""
    return _with_markup_replaced(text, _markup(user_names.get, channel_names.get if channel_names else None))


def _with_markup_replaced(text: str, sub: Callable[[re.Match[str]], str]) -> str:
    if "<" in text:
        text = _MARKUP.sub(sub, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _text_column(texts: list[str | None]) -> pa.Array | list[str | None]:
    try:
        return pa.array(texts, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):  # lone surrogates: text_series cleans them from Python text
        return texts


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
    try:  # the usual list: objects each with a count
        counts = [r["count"] for r in reactions]
        if set(map(type, counts)) <= _INT:
            return sum(counts)
    except (KeyError, TypeError):
        pass
    total = 0
    for r in reactions:
        if isinstance(r, dict):
            count = r.get("count")
            if isinstance(count, int) and not isinstance(count, bool):
                total += count
            elif isinstance(r.get("users"), list):
                total += len(r["users"])
    return total


_NONE: dict[str, Any] = {}  # an absent object field, or an element that is not an object
_STR = {str}
_DICT = {dict}
_STR_OR_NONE = {str, type(None)}
_INT = {int}
_INT_OR_NONE = {int, type(None)}
_MESSAGE_TYPES = (None, "message")
_LARGE = pa.large_string()


#: The fields of a message read for every message (see :class:`_Days`).
_FIELDS = ("type", "subtype", "ts", "thread_ts", "user", "bot_id", "text", "reactions", "reply_count")


class _Reaction(msgspec.Struct, gc=False):
    count: WholeNumber


class _Profile(msgspec.Struct, gc=False):
    real_name: str | None = None
    name: str | None = None


class _Comment(msgspec.Struct, gc=False):
    user: str | None = None
    comment: str | None = None


class _Attachment(msgspec.Struct, gc=False):
    pretext: str | None = None
    title: str | None = None
    text: str | None = None
    fallback: str | None = None


class _Message(msgspec.Struct, gc=False):
    """The fields of a message that the reader uses (those of :data:`_FIELDS` and those :func:`_author`
    reads), each of the type Slack writes."""

    type: str | None = None
    subtype: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    text: str | None = None
    reactions: list[_Reaction] | None = None
    reply_count: WholeNumber | None = None
    comment: _Comment | None = None
    user_profile: _Profile | None = None
    bot_profile: _Profile | None = None
    username: str | None = None
    user_name: str | None = None
    attachments: list[_Attachment] | None = None


_decode_day = typed_decoder(list[_Message])


def _author(
    m: dict[str, Any], sub: Any, user_names: Mapping[str, str], bot_users: set[str]
) -> tuple[str | None, str | None, bool, str | None]:
    """A message's author id, name, bot mark and text before markup is made readable, worked out for
    any message (the common ones take a faster path in :class:`_Days`)."""
    get = m.get
    comment = get("comment")
    if not isinstance(comment, dict):
        comment = _NONE
    user = text_or_none(get("user")) or text_or_none(comment.get("user"))
    bot_id = text_or_none(get("bot_id"))
    bot = sub == "bot_message" or bot_id is not None or user == "USLACKBOT" or user in bot_users
    who = bot_id if sub == "bot_message" and bot_id else (user or bot_id)
    name = user_names.get(user) if user else None  # names there are never blank
    if not name:
        profile = get("user_profile") if isinstance(get("user_profile"), dict) else _NONE
        bot_profile = get("bot_profile") if isinstance(get("bot_profile"), dict) else _NONE
        name = (
            text_or_none(profile.get("real_name"))
            or text_or_none(get("username"))
            or text_or_none(bot_profile.get("name"))
            or text_or_none(get("user_name"))
        )
    body = get("text")
    if not (isinstance(body, str) and body.strip()):
        body = _attachment_text(m.get("attachments")) or text_or_none(comment.get("comment"))
    return who, name, bot, body if isinstance(body, str) else None


def _positions(values: list[Any], value: Any) -> list[int]:
    """Where ``value`` is in ``values`` (found at C speed: few are expected)."""
    found = []
    at = -1
    try:
        while True:
            at = values.index(value, at + 1)
            found.append(at)
    except ValueError:
        return found


class _Days:
    """The messages of an export's day files, taken apart into columns one file at a time.

    A message with a user listed in ``users.json``, no ``bot_id``, a text and no ``bot_message``
    subtype (nearly all of them) is read by list comprehensions over the file; any other by
    :func:`_author`. Events that are not content are only counted.
    """

    def __init__(
        self, user_names: dict[str, str], bot_users: set[str], channel_names: Mapping[str, str] | None = None
    ) -> None:
        self.user_names = user_names
        self.bot_users = bot_users
        self.names_of_channels = channel_names or {}
        self.files: list[str] = []
        self.data: list[bytes] = []
        self.sizes: list[int] = []
        self.channel_ids: list[str] = []
        self.channel_names: list[str] = []
        self.n = 0
        self.skipped: list[int] = []  # the events, and why each is skipped
        self.reasons: list[str] = []
        self.ts: list[Any] = []
        self.thread_ts: list[Any] = []
        self.users: list[Any] = []  # the author id once read (the user's id on the fast path)
        self.texts: list[str | None] = []
        self.reactions: list[Any] = []  # the total of each message's reactions
        self.reply_counts: list[Any] = []
        self.not_object: list[int] = []
        self.not_object_values: list[Any] = []
        self.odd: list[int] = []  # messages read by _author: their name, bot mark and raw user
        self.odd_names: list[str | None] = []
        self.odd_bots: list[bool] = []
        self.odd_users: list[Any] = []
        self.bad_kinds: list[tuple[int, str, Any]] = []  # a type or subtype that is not text: flagged

    def add(self, day: list[Any], inner: str, data: bytes, cid: str, cname: str) -> None:
        """Add a day file's parsed array (any JSON values; elements that are not objects are flagged)."""
        items = day
        if day and set(map(type, day)) != _DICT:  # elements that are not objects: read as empty ones, flagged
            items = [m if isinstance(m, dict) else _NONE for m in day]
            for i, m in enumerate(day):
                if not isinstance(m, dict):
                    self.not_object.append(self.n + i)
                    self.not_object_values.append(m)
        fields = list(map(list, zip(*[tuple(map(m.get, _FIELDS)) for m in items], strict=True)))
        if fields:
            fields[7] = list(map(_reaction_total, fields[7]))
        self._add(len(day), fields, items.__getitem__, inner, data, cid, cname)

    def add_typed(self, day: list[_Message], inner: str, data: bytes, cid: str, cname: str) -> None:
        """Add a day file decoded into :class:`_Message` (the same values as :meth:`add` reads)."""
        fields = [list(map(operator.attrgetter(f), day)) for f in _FIELDS]
        count = operator.attrgetter("count")  # every reaction has a whole number (as _reaction_total adds)
        fields[7] = [0 if r is None else sum(map(count, r)) for r in fields[7]]
        self._add(len(day), fields, lambda i: msgspec.to_builtins(day[i]), inner, data, cid, cname)

    def _add(
        self,
        k: int,
        fields: Any,
        message: Callable[[int], dict[str, Any]],
        inner: str,
        data: bytes,
        cid: str,
        cname: str,
    ) -> None:
        """Add the fields (:data:`_FIELDS`, one list each, the reactions as their :func:`_reaction_total`)
        of ``k`` messages; ``message(i)`` is the i-th message as an object (for the rare ones read by
        :func:`_author`)."""
        start = self.n
        if k:
            types, subtypes, ts, thread_ts, users, bot_ids, texts, reactions, reply_counts = fields
            for field_, kinds_ in (("type", types), ("subtype", subtypes)):
                if not set(map(type, kinds_)) <= _STR_OR_NONE:  # a list or an object: the message is flagged
                    for i, value in enumerate(kinds_):
                        if type(value) not in _STR_OR_NONE:
                            self.bad_kinds.append((start + i, field_, value))
                            kinds_[i] = "message" if field_ == "type" else None
            if types.count("message") != k or subtypes.count(None) != k:  # events, or messages of a kind
                kinds = zip(range(k), types, subtypes, strict=True)
                for i in [i for i, t, sub in kinds if t != "message" or sub is not None]:
                    t, sub = types[i], subtypes[i]
                    if not (t in _MESSAGE_TYPES and sub in CONTENT_SUBTYPES):
                        what = sub if t in _MESSAGE_TYPES else t
                        self.skipped.append(start + i)
                        self.reasons.append(f"Slack {what} event, not community content")
            names = self.user_names
            odd: list[int] = []  # each test at C speed on the whole file, row by row only where it fails
            if bot_ids.count(None) != k:
                odd += [i for i, b in enumerate(bot_ids) if b is not None]
            if "bot_message" in subtypes:
                odd += [i for i, sub in enumerate(subtypes) if sub == "bot_message"]
            if set(map(type, users)) <= _STR_OR_NONE and all(map(names.__contains__, filter(None, users))):
                odd += _positions(users, None) + _positions(users, "")
            else:
                odd += [i for i, u in enumerate(users) if type(u) is not str or not u or u not in names]
            if set(map(type, texts)) <= _STR_OR_NONE and not any(map(str.isspace, filter(None, texts))):
                odd += _positions(texts, None) + _positions(texts, "")
            else:
                odd += [i for i, x in enumerate(texts) if type(x) is not str or not x or x.isspace()]
            for i in sorted(set(odd)) if odd else ():
                raw_user = users[i]
                who, name, bot, body = _author(message(i), subtypes[i], names, self.bot_users)
                users[i], texts[i] = who, body
                self.odd.append(start + i)
                self.odd_names.append(name)
                self.odd_bots.append(bot)
                self.odd_users.append(raw_user)
            if self.skipped and self.skipped[-1] >= start:  # the events' texts are not read
                for i in self.skipped[bisect.bisect_left(self.skipped, start) :]:
                    texts[i - start] = None
            self.readable(texts)
            self.ts += ts
            self.thread_ts += thread_ts
            self.users += users
            self.texts += texts
            self.reactions += reactions
            self.reply_counts += reply_counts
        self.files.append(inner)
        self.data.append(data)
        self.sizes.append(k)
        self.channel_ids.append(clean_text(cid))  # as text_series writes them (no lone surrogates)
        self.channel_names.append(clean_text(cname))
        self.n += k

    def readable(self, texts: list[str | None]) -> None:
        """:func:`readable` of the texts with markup or entities, in place (while they are at hand)."""
        sub = _markup(self.user_names.get, self.names_of_channels.get)
        for i in [i for i, t in enumerate(texts) if t is not None and ("<" in t or "&" in t)]:
            texts[i] = _with_markup_replaced(texts[i], sub)

    def raw(self, rows: np.ndarray) -> list[Any]:
        """The messages at the given rows, parsed again from their files."""
        starts = np.cumsum([0, *self.sizes])
        out = []
        parsed: dict[int, list[Any]] = {}
        for r in rows.tolist():
            f = int(np.searchsorted(starts, r, side="right")) - 1
            if f not in parsed:
                parsed[f] = load_json(self.data[f], self.files[f])
            out.append(parsed[f][r - starts[f]])
        return out


def _valid_ts(values: list[Any]) -> pa.Array | list[str | None]:
    """The values that are Slack timestamps (``TS``, in full), others null: Arrow checks plain ASCII
    text, Python the rest (whose ``\\d`` takes other scripts' digits too)."""
    try:
        arr = pa.array(values, type=_LARGE)
    except (pa.ArrowException, UnicodeError):
        return [v if isinstance(v, str) and TS.fullmatch(v) else None for v in values]
    if fixed_width_digits(arr, 17, 10) is not None:  # all like 1458930018.000002
        return arr
    ok = pc.fill_null(pc.match_substring_regex(arr, r"^\d{1,12}(\.\d{1,9})?$"), False)
    other = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    if pc.any(other).as_py():
        rows = np.flatnonzero(other.to_numpy(zero_copy_only=False))
        again = [bool(TS.fullmatch(v)) for v in arr.take(pa.array(rows)).to_pylist()]
        ok = pc.replace_with_mask(ok, other, pa.array(again, type=pa.bool_()))
    return pc.if_else(ok, arr, pa.scalar(None, _LARGE))


def _reaction_counts(rows: ColumnRows, totals: list[Any]) -> pd.Series:
    """``reactions``: the :func:`_reaction_total` of each message (0 without any)."""
    if set(map(type, totals)) <= _INT and all(t >= 0 for t in totals):
        numbers = np.asarray(totals, dtype=np.int64) if totals else np.zeros(0, dtype=np.int64)
        return pd.Series(pd.arrays.IntegerArray(numbers, np.zeros(len(totals), dtype=bool)))
    return rows.counts(totals, "reactions")


def _comment_counts(rows: ColumnRows, values: list[Any], replies: np.ndarray) -> pd.Series:
    """``comments``: ``reply_count`` (0 when absent) of top-level messages, null for replies."""
    if set(map(type, values)) <= _INT_OR_NONE:
        try:
            numbers = pa.array(values, type=pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        except (OverflowError, pa.ArrowException):
            numbers = None
        if numbers is not None and not ((numbers < 0) & ~replies).any():
            return pd.Series(pd.arrays.IntegerArray(np.where(replies, 0, numbers), replies.copy()))
    comments = [None if r else (0 if c is None else c) for r, c in zip(replies.tolist(), values, strict=True)]
    return rows.counts(comments, "reply_count")


def _arrow_text(values: pa.Array | list[str | None]) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, type=_LARGE)


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
    present = set(names)
    notes: list[str] = []
    users = _users_of(files, present, root + "users.json", notes, ctx.source)
    user_names, bot_users = users.names, users.bots
    folders: dict[str, tuple[str, str]] = {}  # folder -> (channel id, channel name)
    channel_names: dict[str, str] = {}  # channel id -> name, for mentions written <#C1|>
    for listing in CHANNEL_LISTS:
        for ch in _list_of_objects(files, present, root + listing, notes, ctx.source):
            cid = text_or_none(ch.get("id"))
            name = text_or_none(ch.get("name"))
            if cid is None:
                continue
            folder = cid if listing == "dms.json" else (name or cid)
            folders.setdefault(folder, (cid, name or cid))
            if name and listing in ("channels.json", "groups.json"):  # direct messages have no name to show
                channel_names.setdefault(cid, name)

    days = _Days(user_names, bot_users, channel_names)
    for name in names:
        if not name.startswith(root):
            continue
        match = DAY_FILE.match(name[len(root) :])
        if not match:
            continue
        folder = match.group(1)
        cid, cname = folders.get(folder, (folder, folder))
        inner = f"{ctx.source}/{name}"
        data = files[name]
        typed = _decode_day(data)
        if typed is not None:
            days.add_typed(typed, inner, data, cid, cname)
            del typed
            continue
        try:
            day = load_json(data, inner)
        except JsonError as exc:
            notes.append(str(exc))
            continue
        if not isinstance(day, list):
            notes.append(f"{inner} is not a list of messages; nothing was read from it.")
            continue
        days.add(day, inner, data, cid, cname)
        del day

    n = days.n
    of_file = np.repeat(np.arange(len(days.files)), days.sizes)
    starts = np.cumsum([0, *days.sizes])[:-1]
    positions = np.arange(n, dtype=np.int64) - np.repeat(starts, days.sizes) + 1
    item_files = np.asarray(days.files, dtype=object)[of_file]
    not_object = np.zeros(n, dtype=bool)
    not_object[days.not_object] = True
    values = values_at(n, days.not_object, days.not_object_values)
    rows = ColumnRows(n, item_files, positions, days.raw, not_object=not_object, values=values)
    skipped = np.zeros(n, dtype=bool)
    skipped[days.skipped] = True
    events = np.full(n, None, dtype=object)
    events[days.skipped] = days.reasons
    rows.checks.skip(skipped, events)

    for field_ in ("type", "subtype"):
        bad = [(i, value) for i, f, value in days.bad_kinds if f == field_]
        if bad:
            flagged = np.zeros(n, dtype=bool)
            flagged[[i for i, _ in bad]] = True
            shown = values_at(n, [i for i, _ in bad], [value for _, value in bad])
            rows.checks.flag(flagged, field_, f"the message's {field_} as text", shown)

    ts = _valid_ts(days.ts)
    created, bad_ts = dates_from_epoch_text(text_column(_arrow_text(ts)))
    rows.checks.flag(bad_ts, "ts", 'a Slack timestamp like "1458930018.000002"', days.ts)
    thread_ts = _arrow_text(_valid_ts(days.thread_ts))
    ts = _arrow_text(ts)

    odd = np.asarray(days.odd, dtype=np.int64)
    missing = np.fromiter(map(operator.is_, days.users, repeat(None)), dtype=bool, count=n)
    if missing.any():
        raw_users = values_at(n, days.odd, days.odd_users)
        rows.checks.flag(missing, "user", "the author's user id (or a bot_id)", raw_users)
    is_reply = pc.and_(pc.is_valid(thread_ts), pc.fill_null(pc.not_equal(thread_ts, ts), True))
    reactions = _reaction_counts(rows, days.reactions)
    comment_counts = _comment_counts(rows, days.reply_counts, is_reply.to_numpy(zero_copy_only=False))

    # The rest only for the messages kept
    ok = rows.checks.ok
    keep = np.flatnonzero(ok)
    kept = ok.tolist()
    ok_arrow = pa.array(ok)
    odd_kept = ok[odd]
    odd_at = np.searchsorted(keep, odd[odd_kept])  # where the kept odd messages are among the kept
    odd_names = [name for name, k in zip(days.odd_names, odd_kept.tolist(), strict=True) if k]
    odd_bots = np.asarray(days.odd_bots, dtype=bool)[odd_kept]
    author_id, author_name, is_bot = _authors(list(compress(days.users, kept)), users, odd_at, odd_names)
    is_bot[odd_at] = odd_bots
    text = _text_column(list(compress(days.texts, kept)))

    channel_ids = pa.array(days.channel_ids, type=_LARGE).take(pa.array(of_file[keep]))
    ts, thread_ts, is_reply = ts.filter(ok_arrow), thread_ts.filter(ok_arrow), is_reply.filter(ok_arrow)
    colon = pa.scalar(":", _LARGE)
    own = pc.binary_join_element_wise(channel_ids, ts, colon)
    parent = pc.binary_join_element_wise(channel_ids, thread_ts, colon)
    reply, message = pa.scalar(Kind.REPLY.value, _LARGE), pa.scalar(Kind.MESSAGE.value, _LARGE)
    m = len(keep)

    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: text_column(own),
            Messages.platform: text_column(pa.repeat(pa.scalar(Platform.SLACK.value, _LARGE), m)),
            Messages.channel: text_column(
                pa.array(days.channel_names, type=_LARGE).take(pa.array(of_file[keep]))
            ),
            Messages.thread_id: text_column(pc.if_else(is_reply, parent, own)),
            Messages.parent_id: text_column(pc.if_else(is_reply, parent, pa.scalar(None, _LARGE))),
            Messages.author_id: author_id,
            Messages.author_name: author_name,
            Messages.author_is_brand: np.zeros(m, dtype=bool),
            Messages.author_is_bot: is_bot,
            Messages.created_at: created[ok],
            Messages.kind: text_column(pc.if_else(is_reply, reply, message)),
            Messages.text: text_column(text) if isinstance(text, pa.Array) else text,
            Messages.reactions: reactions[ok],
            Messages.comments: comment_counts[ok],
        },
        source_files=item_files,
    )
    if notes:
        result.error = " ".join(notes) + " The rest of the export was read."
    return result


def _authors(
    who: list[str], users: _Users, odd_at: np.ndarray, odd_names: list[str | None]
) -> tuple[Any, Any, np.ndarray]:
    """The author ids, names and bot marks of the kept messages (whose ids are all known); the names
    of the odd messages (``odd_at``) are given."""
    lookup = users.lookup()
    bots = [*users.bots, "USLACKBOT"]
    try:
        ids = pa.array(who, type=_LARGE)
        is_bot = pc.is_in(ids, value_set=pa.array(bots, type=_LARGE)).to_numpy(zero_copy_only=False).copy()
        if lookup is None:
            raise UnicodeError("a name holds lone surrogates")
        names = lookup[1].take(pc.index_in(ids, value_set=lookup[0]))
        if len(odd_at):
            at = np.zeros(len(who), dtype=bool)
            at[odd_at] = True
            names = pc.replace_with_mask(names, pa.array(at), pa.array(odd_names, type=_LARGE))
        return text_column(ids), text_column(names), is_bot
    except (pa.ArrowException, UnicodeError):  # lone surrogates: text_series cleans them from Python text
        is_bot = np.asarray([a == "USLACKBOT" or a in users.bots for a in who], dtype=bool)
        name = np.empty(len(who), dtype=object)
        name[:] = list(map(users.names.get, who))
        name[odd_at] = odd_names
        return who, name, is_bot


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
