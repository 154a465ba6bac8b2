"""Mastodon account archive, ``outbox.json``: everything one account posted, as ActivityStreams. The
archive downloads as a zip (``outbox.json``, ``actor.json``, ``likes.json``, media), and as a
``.tar.gz`` (``archive-20220101120000-<hash>.tar.gz``) from servers before Mastodon 4.1; the zip, the
tarball, its unpacked folder's ``outbox.json`` or the file alone are read the same way.

Layout (FORMATS.md): an ``OrderedCollection`` whose ``orderedItems`` are ``Create`` activities (with an
``object`` Note: ``id, published, inReplyTo, content`` (HTML), ``summary`` (content warning),
``sensitive, to, cc, conversation, tag, attachment``) and ``Announce`` activities (boosts, whose
``object`` is a bare URL string). **The key ``orderedItems`` appears twice in real files** (an empty
array, then the real one; a JSON parser keeps only the last): every occurrence is read and their items
joined, so nothing is lost whichever comes first. ``totalItems`` does not match the count and is not used.

Rows go to ``messages``:

===========  =========================================================================================
message_id   the Note's ``id`` (its URI, stable across archives)
channel      the account, ``@user@host``
author       ``user@host`` from the activity's ``actor`` (name: ``actor.json``'s ``name`` when the
             archive has it, else ``user``)
parent_id    ``inReplyTo`` (often a status of another account, not in the archive)
thread_id    the root of the reply chain, followed within the archive; a chain leaving it ends at the
             status it answers
kind         ``post`` for a status that answers nothing, ``comment`` for an answer to a post in the
             archive, else ``reply``
created_at   the Note's ``published`` (else the activity's)
text         ``content`` without its HTML, after the content warning (``summary``) when there is one
url          the Note's ``url``
reactions    ``likes.totalItems`` and shares ``shares.totalItems`` where the archive has them (newer
             servers); absent otherwise
===========  =========================================================================================

Boosts (``Announce``) are shares of another status, not posts: they are counted as skipped under a
reason that says so, and are never rows of their own. Also skipped: deleted statuses (``Tombstone``),
activities that are neither (``Like``, ``Follow``, ...), and direct messages (a status whose ``to`` and
``cc`` name neither the public nor the account's followers, only the accounts it mentions): private
conversations, which a client report must neither quote nor count as posts to everyone.
"""

from __future__ import annotations

import html
import json
import re
import tarfile
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from community_health.ingest.discourse_json import strip_html
from community_health.ingest.envelope import ReadContext, ReadResult, Table, refused
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, resolve_roots, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "mastodon_outbox"
ITEMS = "orderedItems"
SKIP_BOOST = "Mastodon boost (Announce): a share of another status, not a post"
SKIP_TOMBSTONE = "Mastodon deleted status (Tombstone)"
SKIP_DIRECT = "Mastodon direct message (seen only by the accounts it names): private, not a post"
_PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
NOTE_TYPES = frozenset({"Note", "Question", "Article", "Page"})
_ACTOR = re.compile(r"^https?://([^/]+)/(?:users/|@)([^/?#]+)")


def _join_repeated_items(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object in which a repeated ``orderedItems`` key joins its arrays instead of keeping the last."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key == ITEMS and isinstance(out.get(key), list) and isinstance(value, list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def load_outbox(data: bytes, source: str) -> Any:
    """The outbox, every ``orderedItems`` occurrence kept.

    Raises
    ------
    JsonError
        When the file is not JSON (the message says whether it is cut off or damaged).
    """
    try:
        text = data.decode("utf-8-sig")
        return json.loads(text, object_pairs_hook=_join_repeated_items)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return load_json(data, source)  # raises JsonError with the plain explanation


def handle_of(actor: Any) -> tuple[str | None, str | None]:
    """``(user@host, user)`` from an actor URI such as ``https://mastodon.social/users/brightbrew``."""
    uri = actor.get("id") if isinstance(actor, dict) else actor
    if not isinstance(uri, str):
        return None, None
    match = _ACTOR.match(uri)
    if match is None:
        return uri, None
    user = match.group(2).lstrip("@")
    return f"{user}@{match.group(1)}", user


def note_text(note: dict[str, Any]) -> str | None:
    """The Note's text: the content warning, then the content without its HTML."""
    parts = []
    summary = note.get("summary")
    if isinstance(summary, str) and summary.strip():
        parts.append(html.unescape(summary.strip()))
    content = note.get("content")
    if not isinstance(content, str):
        content_map = note.get("contentMap")
        if isinstance(content_map, dict):
            content = next((v for v in content_map.values() if isinstance(v, str)), None)
    if isinstance(content, str) and content.strip():
        parts.append(strip_html(content))
    return "\n\n".join(parts) or None


def _total(collection: Any) -> int | None:
    if isinstance(collection, dict):
        total = collection.get("totalItems")
        if isinstance(total, int) and not isinstance(total, bool):
            return total
    return None


def display_name(actor_json: bytes | None) -> str | None:
    """The account's display name from the archive's ``actor.json`` (None when absent or unreadable)."""
    if not actor_json:
        return None
    try:
        actor = json.loads(actor_json.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    name = actor.get("name") if isinstance(actor, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def is_direct(note: dict[str, Any]) -> bool:
    """Whether a status is a direct message: its audience (``to`` and ``cc``) is given and holds
    neither the public collection nor a followers collection (public, unlisted and followers-only
    statuses name one of them)."""
    to, cc = note.get("to"), note.get("cc")
    if not isinstance(to, list) and not isinstance(cc, list):
        return False  # no audience written: nothing says it is private
    audience = [a for a in (to if isinstance(to, list) else []) + (cc if isinstance(cc, list) else [])]
    return not any(isinstance(a, str) and (a in _PUBLIC or a.endswith("/followers")) for a in audience)


def parse_mastodon_outbox(data: bytes, ctx: ReadContext, actor_json: bytes | None = None) -> ReadResult:
    """Read a Mastodon archive's ``outbox.json`` into ``messages`` rows.

    Parameters
    ----------
    data
        The bytes of ``outbox.json``.
    ctx
        The export's path.
    actor_json
        The archive's ``actor.json``, when it has one (for the display name).
    """
    try:
        doc = load_outbox(data, ctx.source)
    except JsonError as exc:
        return refused(Table.MESSAGES, str(exc))
    if not isinstance(doc, dict) or not isinstance(doc.get(ITEMS), list):
        return refused(
            Table.MESSAGES,
            f'{ctx.source} has no "orderedItems": expected the outbox.json of a Mastodon archive '
            "(Preferences > Import and export > Request your archive).",
        )
    rows = JsonRows(doc[ITEMS], ctx.source, what="an activity object (Create or Announce)")
    n = len(rows)
    types = rows.get("type")
    objects = rows.get("object")
    notes = [o if isinstance(o, dict) else {} for o in objects]
    note_types = [t if isinstance(t, str) else None for t in (o.get("type") for o in notes)]
    rows.checks.skip(np.asarray([t == "Announce" for t in types], dtype=bool), SKIP_BOOST)
    rows.checks.skip(
        np.asarray(
            [t == "Create" and nt == "Tombstone" for t, nt in zip(types, note_types, strict=True)], dtype=bool
        ),
        SKIP_TOMBSTONE,
    )
    rows.checks.skip(
        np.asarray(
            [
                t == "Create" and nt in NOTE_TYPES and is_direct(o)
                for t, nt, o in zip(types, note_types, notes, strict=True)
            ],
            dtype=bool,
        ),
        SKIP_DIRECT,
    )
    rows.checks.skip(
        np.asarray([t not in ("Create", "Announce") for t in types], dtype=bool),
        [f"Mastodon {t if isinstance(t, str) else 'unknown'} activity, not a post" for t in types],
    )
    rows.checks.flag(
        np.asarray([nt not in NOTE_TYPES for nt in note_types], dtype=bool),
        "object",
        "the status (an object of type Note)",
        objects,
    )
    ids = rows.ids([o.get("id") for o in notes], "object.id", "the status's id (its URI)")
    id_list = [i if isinstance(i, str) else None for i in ids.tolist()]
    parents = [text_or_none(o.get("inReplyTo")) for o in notes]
    parents = [None if p == i else p for p, i in zip(parents, id_list, strict=True)]
    roots = resolve_roots(id_list, parents)
    top_level = {i for i, p in zip(id_list, parents, strict=True) if i is not None and p is None}
    kind = [
        Kind.POST.value if p is None else Kind.COMMENT.value if p in top_level else Kind.REPLY.value
        for p in parents
    ]
    published = [o.get("published") or m.get("published") for o, m in zip(notes, rows.items, strict=True)]
    created, _ = rows.dates(published, "object.published", expected="a date like 2023-01-25T08:14:03Z")
    handles = [
        handle_of(o.get("attributedTo") or m.get("actor")) for o, m in zip(notes, rows.items, strict=True)
    ]
    author_id = rows.ids([h[0] for h in handles], "actor", "the account that posted (its actor URI)")
    channel = [f"@{h[0]}" if h[0] else "mastodon" for h in handles]
    name = display_name(actor_json)
    return rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.MASTODON.value] * n,
            Messages.channel: channel,
            Messages.thread_id: [r if r is not None else "" for r in roots],
            Messages.parent_id: parents,
            Messages.author_id: author_id,
            Messages.author_name: [name or h[1] for h in handles],
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.zeros(n, dtype=bool),
            Messages.created_at: created,
            Messages.kind: kind,
            Messages.text: [note_text(o) for o in notes],
            Messages.url: [
                text_or_none(o.get("url")) if not isinstance(o.get("url"), dict) else None for o in notes
            ],
            Messages.reactions: rows.counts([_total(o.get("likes")) for o in notes], "object.likes"),
            Messages.shares: rows.counts([_total(o.get("shares")) for o in notes], "object.shares"),
        },
        source_files=ctx.source,
    )


def _outbox_member(names: tuple[str, ...]) -> str | None:
    """``outbox.json`` inside an archive (zip or unpacked folder), the shallowest one."""
    found = sorted((n for n in names if PurePosixPath(n).name == "outbox.json"), key=lambda n: n.count("/"))
    return found[0] if found else None


_GZIP = b"\x1f\x8b"


def _tar_members(path: Any, wanted: tuple[str, ...], first: bool = False) -> dict[str, bytes]:
    """The members of a ``.tar.gz`` archive named ``wanted`` (base names), read in one pass; with
    ``first``, only up to the first one found. Empty when it is not a readable tarball."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            for info in tar:
                name = PurePosixPath(info.name).name
                if info.isfile() and name in wanted and name not in found:
                    handle = tar.extractfile(info)
                    found[name] = handle.read() if handle is not None else b""
                    if first or len(found) == len(wanted):
                        break
    except (tarfile.TarError, OSError, EOFError):
        return found
    return found


def _is_tarball(probe: Probe) -> bool:
    name = probe.unit.path.name.lower()
    return not probe.unit.is_folder and name.endswith((".tar.gz", ".tgz")) and probe.head.startswith(_GZIP)


def _detect(probe: Probe) -> bool:
    if _is_tarball(probe):
        outbox = _tar_members(probe.unit.path, ("outbox.json",), first=True).get("outbox.json", b"")
        head = outbox[:8192].decode("utf-8", errors="replace")
        return '"orderedItems"' in head and '"OrderedCollection"' in head
    if probe.names:
        member = _outbox_member(probe.names)
        if member is None:
            return False
        head = probe.member(member)[:8192].decode("utf-8", errors="replace")
        return '"orderedItems"' in head and '"OrderedCollection"' in head
    head = probe.json_head[:8192]
    return (
        probe.json_has_keys(ITEMS, within=8192)
        and '"OrderedCollection"' in head
        and ("activitystreams" in head or '"Create"' in head or '"Announce"' in head)
    )


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    if not unit.is_folder and unit.path.name.lower().endswith((".tar.gz", ".tgz")):
        found = _tar_members(unit.path, ("outbox.json", "actor.json"))
        if "outbox.json" not in found:
            return refused(
                Table.MESSAGES, f"{ctx.source} holds no outbox.json: it is not a Mastodon archive."
            )
        return parse_mastodon_outbox(found["outbox.json"], ctx, found.get("actor.json"))
    members = unit.bundle().members()
    if not unit.is_folder and list(members) == [unit.path.name]:
        return parse_mastodon_outbox(unit.path.read_bytes(), ctx)
    member = _outbox_member(tuple(members))
    if member is None:
        return refused(Table.MESSAGES, f"{ctx.source} holds no outbox.json: it is not a Mastodon archive.")
    actor = str(PurePosixPath(member).with_name("actor.json"))
    return parse_mastodon_outbox(members[member], ctx, members.get(actor))


READER = register(
    Reader(
        NAME,
        "Mastodon archive outbox.json (ActivityStreams), or the archive's zip or .tar.gz",
        Table.MESSAGES,
        _detect,
        _read,
    )
)
