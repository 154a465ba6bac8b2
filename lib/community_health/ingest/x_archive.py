"""X / Twitter personal archive: ``data/tweets.js`` (older archives: ``data/tweet.js``), alone or inside
the archive's zip (or the folder it unpacks to: each ``.js`` file is then read on its own). Archives
downloaded before 2019 hold one file per month instead, ``data/js/tweets/2015_01.js``, assigned to
``Grailbird.data.tweets_2015_01 =``: bare tweet objects with ``text``, ``created_at`` like ``2015-01-24
02:02:37 +0000``, their author in ``user`` (which names the account), retweets as ``retweeted_status`` and
no like or retweet counts (null).

Layout (FORMATS.md): a JavaScript assignment, not JSON: ``window.YTD.tweets.part0 = [`` (2026) or
``window.YTD.tweet.part0 = [ {`` (2020), ending with ``]`` with or without ``;``; big archives continue in
``tweets-part1.js`` (``window.YTD.tweets.part1``). Each element is ``{"tweet": {...}}`` (a bare tweet
object is read the same way). All numbers are strings (``"favorite_count": "3"``); ``created_at`` is
``Fri Feb 20 09:10:58 +0000 2026``; the text is ``full_text`` with HTML entities (``&gt;``, ``&amp;``);
replies carry ``in_reply_to_status_id_str`` and ``in_reply_to_screen_name``; retweets start ``RT @name:``
and are cut with ``…``; newer archives add ``edit_info``; ``withheld_in_countries`` may appear.

Which table. An archive holds the account's own tweets, top-level posts and replies alike, each with its
like and retweet counts but no impressions. They go to ``messages`` (as the brand's messages), not to
``posts``: ``messages`` keeps a reply's thread (``thread_id``, ``parent_id``), which ``posts`` has no
place for, and that is what the one-to-one versus broadcast, catalyst and dead-time figures need. The
tweet id is the key both tables share, so these rows join the ``posts`` of an X Analytics export of the
same tweets (which carries the impressions) instead of competing with them in deduplication.

Rows go to ``messages``:

================  ==================================================================================
message_id        ``id_str`` (the tweet id; the same id as X Analytics' ``Tweet id``)
channel           the account's handle: ``account.js``'s ``username`` when the zip has it, else read
                  from the tweets themselves (the handle in the address of the account's own media, or
                  ``in_reply_to_screen_name`` of a reply to one of its own tweets), else ``unknown``
author            that handle; **every row is the brand's** (``author_is_brand``): an archive holds
                  only its owner's tweets, and in a client's exports the owner is the client's account
kind              ``reply`` with ``in_reply_to_status_id_str``, else ``post``
parent_id         ``in_reply_to_status_id_str``
thread_id         the root of the reply chain followed within the archive; a chain that leaves it (a
                  reply to a member's tweet) ends at the tweet it answers
created_at        ``created_at`` (it carries ``+0000``)
text              ``full_text`` with ``&lt;``, ``&gt;`` and ``&amp;`` decoded
reactions         ``favorite_count``; shares: ``retweet_count``; impressions and comments: null (the
                  archive has no such counts)
url               ``https://x.com/<handle>/status/<id>`` (``https://x.com/i/web/status/<id>`` without one)
================  ==================================================================================

**Long posts.** Since 2023 a post longer than 280 characters is cut in ``tweets.js`` (its ``full_text``
ends with ``…`` and a link) and written whole in ``note-tweet.js`` (``window.YTD.note_tweet.part0``:
``noteTweet`` with ``noteTweetId``, ``createdAt`` like ``2025-06-04T10:00:00.000Z`` and ``core.text``). The
note names no tweet: a tweet takes the text of the note created in the same second (or the one next to it)
whose text begins with the tweet's own words (links, the leading ``@names`` of a reply and the ``…`` set
aside); a reply keeps its leading ``@names``. A tweet with no such note keeps its ``full_text``.

The archive's other files (``like.js``, ``follower.js``, ``direct-messages.js``, ...), when unpacked beside
``tweets.js``, are recognised by the same ``window.YTD.<kind>.part0 =`` prefix and their entries counted as
skipped, not used: likes, followers and private messages are not the account's published words. Inside the
zip, or the archive's unpacked ``data`` folder (``manifest.js`` and ``account.js`` beside ``tweets.js``, and
no file but the archive's own), only the tweets, ``account.js`` (for the handle) and ``note-tweet.js`` (for
long posts) are read; ``manifest.js`` unpacked on its own is recognised and holds no rows.

Skipped, counted per reason: **retweets** (``RT @name: …``: someone else's words, cut short, with the
original's counts) and **earlier versions of an edited tweet** whose later version is in the archive
(``edit_info`` lists every version's id; the last one is kept). Withheld tweets are kept: they were
published, only hidden in some countries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    RowLabel,
    Table,
    empty_frame,
    empty_quarantine,
    refused,
)
from community_health.ingest.jsonrows import JsonError, JsonRows, load_json, resolve_roots, text_or_none
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.units import ExportUnit, FileBundle
from community_health.schema import Kind, Messages, Platform

NAME = "x_archive"
YTD_PREFIX = re.compile(rb"^(\xef\xbb\xbf)?\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
# Archives downloaded before 2019 hold one file per month, data/js/tweets/2015_01.js, assigned to
# Grailbird.data.tweets_2015_01.
GRAILBIRD_PREFIX = re.compile(rb"^(\xef\xbb\xbf)?\s*Grailbird\.data\.(tweets)_\d{4}_\d{2}\s*=\s*")
TWEET_KINDS = frozenset({b"tweets", b"tweet"})
TWEET_FILE = re.compile(r"(?:^|/)(?:(?:data/)?tweets?(?:-part\d+)?|data/js/tweets/\d{4}_\d{2})\.js$")
ACCOUNT_FILE = re.compile(r"(?:^|/)(?:data/)?account\.js$")
NOTE_FILE = re.compile(r"(?:^|/)(?:data/)?note-tweet(?:-part\d+)?\.js$")
#: Seconds between a long post's note and its tweet that still pair them (both are stamped when it is sent).
NOTE_SECONDS = 1
_URL = re.compile(r"https?://\S+")
_LEADING_NAMES = re.compile(r"^(?:@\w+\s+)+")
CREATED_FORMAT = "%a %b %d %H:%M:%S %z %Y"
GRAILBIRD_CREATED_FORMAT = "%Y-%m-%d %H:%M:%S %z"
CREATED_EXPECTED = "a date like Fri Feb 20 09:10:58 +0000 2026"
RETWEET_REASON = "X retweet of another account's post (not the brand's own words), not counted as its post"
EARLIER_EDIT_REASON = "X earlier version of an edited post (its latest version is kept)"
OTHER_FILE_REASON = "X archive {kind} entry (not one of the account's tweets): recognised, not used"
HANDLE = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})/status/(\d+)")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class ArchiveError(ValueError):
    """A file that is not an archive's tweets file; the message says what was expected."""


# ``data/manifest.js``: the archive's index of its files, nothing to read.
MANIFEST_PREFIX = re.compile(rb"^(\xef\xbb\xbf)?\s*window\.__THAR_CONFIG\s*=")


def ytd_kind(data: bytes) -> str | None:
    """The archive file's kind from its ``window.YTD.<kind>.partN =`` prefix (``tweets``), or None."""
    match = YTD_PREFIX.match(data[:512]) or GRAILBIRD_PREFIX.match(data[:512])
    return match.group(2).decode("ascii") if match else None


def ytd_json(data: bytes, source: str) -> Any:
    """The JSON value assigned by an archive ``.js`` file.

    The prefix and a final ``;`` are blanked out (not cut), so a JSON error's line and column are those
    of the file.

    Raises
    ------
    ArchiveError, JsonError
        When the file does not start with ``window.YTD.<kind>.partN =``, or what follows is not JSON.
    """
    match = YTD_PREFIX.match(data[:512]) or GRAILBIRD_PREFIX.match(data[:512])
    if match is None:
        raise ArchiveError(
            f"{source} does not start with window.YTD.tweets.part0 = [ as an X archive's tweets.js does; "
            "nothing was read from it. Take data/tweets.js from the archive's zip as it was downloaded."
        )
    body = bytearray(data)
    body[: match.end()] = b" " * match.end()
    stripped = bytes(body).rstrip()
    if stripped.endswith(b";"):
        stripped = stripped[:-1]
    return load_json(stripped, source)


def unescape(text: str) -> str:
    """The tweet text as written: X escapes only ``<``, ``>`` and ``&`` in ``full_text``."""
    if "&" not in text:
        return text
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _tweet(element: Any) -> Any:
    if isinstance(element, dict) and isinstance(element.get("tweet"), dict):
        return element["tweet"]
    return element


def _edit_ids(tweet: Mapping[str, Any]) -> list[str]:
    """Every version's id of an edited tweet, oldest first ([] when the archive says nothing)."""
    info = tweet.get("edit_info")
    if not isinstance(info, dict):
        return []
    initial = info.get("initial")
    edit = info.get("edit")
    control = initial if isinstance(initial, dict) else None
    if control is None and isinstance(edit, dict) and isinstance(edit.get("editControlInitial"), dict):
        control = edit["editControlInitial"]
    ids = control.get("editTweetIds") if control else None
    return [str(i) for i in ids if isinstance(i, str | int)] if isinstance(ids, list) else []


def owner_handle(tweets: Sequence[Mapping[str, Any]], ids: Sequence[str | None]) -> str | None:
    """The account's handle as the tweets show it, or None.

    The address of a tweet's own media (``https://x.com/<handle>/status/<its id>/photo/1``) names it;
    so does ``in_reply_to_screen_name`` of a reply to another tweet of the archive (a thread the account
    continued itself), the name most such replies give: real archives hold the odd reply to one of the
    account's tweets that names another account (``in_reply_to_user_id`` not the owner's).
    """
    own = {i for i in ids if i}
    for tweet in tweets:
        user = tweet.get("user")  # the tweets of an archive from before 2019 carry their author
        name = text_or_none(user.get("screen_name")) if isinstance(user, dict) else None
        if name:
            return name
    for tweet, tid in zip(tweets, ids, strict=True):
        for key in ("extended_entities", "entities"):
            entities = tweet.get(key)
            media = entities.get("media") if isinstance(entities, dict) else None
            for item in media if isinstance(media, list) else []:
                url = item.get("expanded_url") if isinstance(item, dict) else None
                match = HANDLE.match(url) if isinstance(url, str) else None
                if match and match.group(2) == tid:
                    return match.group(1)
    names: Counter[str] = Counter()
    for tweet in tweets:
        parent = text_or_none(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
        name = text_or_none(tweet.get("in_reply_to_screen_name"))
        if parent in own and name:
            names[name] += 1
    return names.most_common(1)[0][0] if names else None


def account_handle(data: bytes, source: str) -> str | None:
    """``username`` from an archive's ``account.js``, or None when it cannot be read."""
    try:
        value = ytd_json(data, source)
    except (ArchiveError, JsonError):
        return None
    for element in value if isinstance(value, list) else []:
        account = element.get("account") if isinstance(element, dict) else None
        if isinstance(account, dict) and isinstance(account.get("username"), str):
            return account["username"]
    return None


def _comparable(text: str) -> str:
    """A post's words for pairing a cut tweet with its note: no links, no leading @names, no ``…``."""
    text = _LEADING_NAMES.sub("", _URL.sub(" ", text)).replace("\u2026", " ")
    return " ".join(text.split()).lower()


def long_post_notes(files: Mapping[str, bytes], source: str) -> dict[int, list[str]]:
    """The notes of ``note-tweet.js`` (every part) by the second they were created (UTC epoch seconds).

    A file or a note that cannot be read is passed over: without it the tweet keeps its cut text.
    """
    notes: dict[int, list[str]] = {}
    for name in sorted(n for n in files if NOTE_FILE.search(n)):
        try:
            value = ytd_json(files[name], f"{source}/{name}")
        except (ArchiveError, JsonError):
            continue
        for element in value if isinstance(value, list) else []:
            note = element.get("noteTweet") if isinstance(element, dict) else None
            core = note.get("core") if isinstance(note, dict) else None
            text = core.get("text") if isinstance(core, dict) else None
            created = note.get("createdAt") if isinstance(note, dict) else None
            if not isinstance(text, str) or not text or not isinstance(created, str):
                continue
            try:
                second = int(datetime.fromisoformat(created).timestamp())
            except ValueError:
                continue
            notes.setdefault(second, []).append(text)
    return notes


def whole_text(text: str | None, second: int | None, notes: Mapping[int, list[str]]) -> str | None:
    """A tweet's text, whole: the note of a long post cut in ``tweets.js``, else ``text`` as it is."""
    if not notes or text is None or second is None:
        return text
    words = _comparable(text)
    if not words:
        return text
    for near in range(second - NOTE_SECONDS, second + NOTE_SECONDS + 1):
        for note in notes.get(near, ()):
            if len(note) > len(words) and _comparable(note).startswith(words):
                names = _LEADING_NAMES.match(text)
                return names.group(0) + note if names and not note.startswith(names.group(0)) else note
    return text


def parse_x_archive_zip(files: Mapping[str, bytes], ctx: ReadContext) -> ReadResult:
    """Read every tweets file of an archive's zip (or of the folder it unpacked to) into ``messages``.

    Parameters
    ----------
    files
        Path inside the archive -> bytes: the tweets files (``data/tweets.js``, ``data/tweets-part1.js``)
        and, when present, ``data/account.js`` (which names the account) and ``data/note-tweet.js`` (the
        whole text of long posts). Other files are ignored.
    ctx
        The archive's path; rows are named ``<archive>/<path inside>``.
    """
    return _parse(files, ctx, single=False)


def _parse(files: Mapping[str, bytes], ctx: ReadContext, *, single: bool) -> ReadResult:
    items: list[Any] = []
    item_files: list[str] = []
    positions: list[int] = []
    notes: list[str] = []
    handle: str | None = None
    tweet_names = sorted(n for n in files if single or TWEET_FILE.search(n))
    for name in files:
        if ACCOUNT_FILE.search(name):
            handle = account_handle(files[name], f"{ctx.source}/{name}")
    for name in tweet_names:
        inner = ctx.source if single else f"{ctx.source}/{name}"
        data = files[name]
        kind = ytd_kind(data)
        try:
            if kind is not None and kind.encode() not in TWEET_KINDS:
                raise ArchiveError(
                    f"{inner} holds the archive's {kind}, not its tweets (window.YTD.tweets.part0); "
                    "nothing was read from it."
                )
            value = ytd_json(data, inner)
        except (ArchiveError, JsonError) as exc:
            notes.append(str(exc))
            continue
        if not isinstance(value, list):
            notes.append(f"{inner} does not assign a list of tweets; nothing was read from it.")
            continue
        items.extend(_tweet(v) for v in value)
        item_files.extend([inner] * len(value))
        positions.extend(range(1, len(value) + 1))
    if not tweet_names:
        return refused(
            Table.MESSAGES,
            f"{ctx.source} holds no data/tweets.js (or data/tweet.js): it is not an X archive with tweets. "
            "Request the archive again from X and keep the zip as it was downloaded.",
        )
    if not items and notes:
        return refused(Table.MESSAGES, " ".join(notes))

    rows = JsonRows(items, item_files, positions, label=RowLabel.POST, what="a tweet object")
    n = len(rows)
    raw_ids = [t.get("id_str") or t.get("id") for t in rows.items]
    ids = rows.ids(raw_ids, "id_str", "a tweet id")
    id_list: list[str | None] = [None if isinstance(i, float) else i for i in ids.tolist()]
    texts = [text_or_none(t.get("full_text")) or text_or_none(t.get("text")) for t in rows.items]

    retweet = np.fromiter(
        (
            (isinstance(x, str) and x.startswith("RT @")) or isinstance(t.get("retweeted_status"), dict)
            for x, t in zip(texts, rows.items, strict=True)
        ),
        dtype=bool,
        count=n,
    )
    rows.checks.skip(retweet, RETWEET_REASON)
    present = {i for i in id_list if i}
    earlier = np.zeros(n, dtype=bool)
    for k, (tweet, tid) in enumerate(zip(rows.items, id_list, strict=True)):
        versions = _edit_ids(tweet)
        if tid in versions:
            later = versions[versions.index(tid) + 1 :]
            earlier[k] = any(v in present for v in later)
    rows.checks.skip(earlier, EARLIER_EDIT_REASON)

    created, _ = rows.dates(
        rows.get("created_at"),
        "created_at",
        expected=CREATED_EXPECTED,
        formats=(CREATED_FORMAT, GRAILBIRD_CREATED_FORMAT, "ISO8601"),
    )
    parents = [
        text_or_none(t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id")) for t in rows.items
    ]
    parents = [None if p == i or not p else p for p, i in zip(parents, id_list, strict=True)]
    roots = resolve_roots(id_list, parents)
    long_posts = {} if single else long_post_notes(files, ctx.source)
    if long_posts:
        seconds = [None if pd.isna(c) else int(c.timestamp()) for c in pd.DatetimeIndex(created)]
        texts = [whole_text(t, sec, long_posts) for t, sec in zip(texts, seconds, strict=True)]
    handle = handle or owner_handle(rows.items, id_list) or None
    who = handle or "unknown"
    url = [
        (f"https://x.com/{handle}/status/{i}" if handle else f"https://x.com/i/web/status/{i}") if i else None
        for i in id_list
    ]
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.X.value] * n,
            Messages.channel: [who] * n,
            Messages.thread_id: [r if r is not None else "" for r in roots],
            Messages.parent_id: parents,
            Messages.author_id: [who] * n,
            Messages.author_name: [handle] * n,
            Messages.author_is_brand: np.ones(n, dtype=bool),
            Messages.author_is_bot: np.zeros(n, dtype=bool),
            Messages.created_at: created,
            Messages.kind: [Kind.REPLY.value if p else Kind.POST.value for p in parents],
            Messages.text: [unescape(t) if t is not None else None for t in texts],
            Messages.url: url,
            Messages.reactions: rows.counts(rows.get("favorite_count"), "favorite_count"),
            Messages.shares: rows.counts(rows.get("retweet_count"), "retweet_count"),
        },
        source_files=item_files,
    )
    if notes:
        result.error = " ".join(notes) + " The rest of the archive was read."
    return result


def parse_x_archive(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read one archive tweets file (``tweets.js``, ``tweet.js`` or ``tweets-part1.js``) into ``messages``.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    if MANIFEST_PREFIX.match(data[:512]):  # the archive's index, unpacked beside its files: no rows
        return ReadResult(Table.MESSAGES, empty_frame(Table.MESSAGES), empty_quarantine(), 0, {})
    kind = ytd_kind(data)
    if kind is not None and kind.encode() not in TWEET_KINDS:
        return other_archive_file(data, kind, ctx)
    return _parse({PurePosixPath(ctx.source).name or "tweets.js": data}, ctx, single=True)


def other_archive_file(data: bytes, kind: str, ctx: ReadContext) -> ReadResult:
    """An archive file other than the tweets (``like.js``, ``follower.js``, ``direct-messages.js``, ...),
    unpacked beside them: recognised, its entries counted as skipped, not used.

    Parameters
    ----------
    data
        The file's bytes.
    kind
        The kind its prefix names (``window.YTD.like.part0``: ``like``).
    ctx
        The file's path.
    """
    try:
        value = ytd_json(data, ctx.source)
    except (ArchiveError, JsonError) as exc:
        return refused(Table.MESSAGES, str(exc))
    n = len(value) if isinstance(value, list) else 1
    reason = OTHER_FILE_REASON.format(kind=kind)
    return ReadResult(
        Table.MESSAGES, empty_frame(Table.MESSAGES), empty_quarantine(), n, {reason: n} if n else {}
    )


def _detect(probe: Probe) -> bool:
    if probe.names:
        return any(TWEET_FILE.search(n) for n in probe.names)
    return ytd_kind(probe.head) is not None or MANIFEST_PREFIX.match(probe.head) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    bundle = unit.bundle().members()
    if isinstance(bundle, FileBundle):
        return parse_x_archive(bundle.read(), ctx)
    return parse_x_archive_zip(
        {n: bundle[n] for n in bundle if any(p.search(n) for p in (TWEET_FILE, ACCOUNT_FILE, NOTE_FILE))}, ctx
    )


READER = register(
    Reader(
        NAME, "X/Twitter personal archive tweets.js (or the archive's zip)", Table.MESSAGES, _detect, _read
    )
)
