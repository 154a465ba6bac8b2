"""Discord, DiscordChatExporter CSV: one channel per file, or one file per partition of a channel.

Layouts (FORMATS.md):

current
    ``AuthorID,Author,Date,Content,Attachments,Reactions``, comma-separated, every field quoted. ``Date``
    is written in the exporter's locale and local time (``1/5/2023 2:22 PM``, ``05/01/2023 14:22``), or
    with an offset when asked to, or as Unix seconds or milliseconds (``--dateformat unix`` / ``unixms``:
    ``1709648520``, ``1709648520000``), which are instants in UTC.
2019
    ``AuthorID;Author;Date;Content;Attachments;Reactions;``: **semicolon-separated with a trailing
    ``;``** on every line, CRLF, dates like ``05-Dec-19 12:31 AM`` in the exporter's local time with no
    zone, authors ``name#1234``, reactions ``😄 (2),👌 (1)``, webhook messages (discriminator ``#0000``)
    with empty content (their embeds are not in CSV), and one file per 100 messages when partitioned
    (``... [part 2].csv``). The oldest files lack ``AuthorID`` (``Author;Date;Content;Attachments;``).

Dates without a zone are read in the client's time zone, which the ingest log reports as assumed; numeric
dates take one day/month order for the whole file (see ``localdates``; the messages run in time order,
which settles most files).

CSV carries **no message id and no reply structure**. Rows go to ``messages``:

============  ====================================================================================
message_id    ``csv:`` and a hash of (author id, the instant in UTC, content), with ``~2``, ``~3``, ...
              for the second and later identical messages of the same minute in one file. The same
              message read from another partition, an overlapping re-export or a file with another
              name gets the same id, so it deduplicates. (It cannot match the snowflake id of the
              same message in a JSON export.)
channel       the channel's name from DiscordChatExporter's file name
              (``Guild - Category - channel [id] [part 2].csv``), else the file's name
thread_id     the message's own id (every message can start a conversation); parent_id: none
kind          ``message``
author        ``AuthorID`` (``Author`` in the oldest files); the name is ``Author`` without ``#1234``
bots          authors with discriminator ``#0000`` (webhooks) other than ``Deleted User`` and other than
              names of Discord's usernames since 2023 (``ana.brews#0000``: lowercase letters, digits,
              ``_`` and ``.``), which DiscordChatExporter versions from before that change write for
              every person whose account took a new username (current versions write the name alone)
text          ``Content``; a message with only attachments is kept with no text
reactions     the sum of the counts in ``Reactions`` (0 when empty)
============  ====================================================================================

Skipped (counted, not community content): rows without content and without attachments (webhook and
embed-only messages, whose embeds CSV leaves out; join and pin notices exported as empty rows).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from community_health.ingest.envelope import ReadContext, ReadResult, Table, parse_dates, refused
from community_health.ingest.localdates import (
    day_month_order,
    localize,
    month_first_by_convention,
    split_numeric,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import TableError
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "discord_csv"
HEADER_HINT = "AuthorID, Author, Date, Content, Attachments, Reactions"
DATE_FORMATS = ("%d-%b-%y %I:%M %p", "%d-%b-%Y %I:%M %p", "%d-%b-%y %H:%M")
DATE_EXPECTED = "a date like 05-Dec-19 12:31 AM or 1/5/2023 2:22 PM"
SKIP_EMPTY = "Discord message without text or attachments (webhook or embed-only; CSV leaves embeds out)"
_FILE_NAME = re.compile(r"^(?P<title>.*?)\s*\[(?P<id>\d{15,25})\](?:\s*\[part \d+\])?$")
_DISCRIMINATOR = re.compile(r"#(\d{4})$")
#: A username of Discord's naming since 2023 (no discriminator): 2 to 32 lowercase letters, digits, _ and .
_NEW_USERNAME = r"[a-z0-9_.]{2,32}"
_REACTION_COUNT = re.compile(r"\((\d+)\)")
# DiscordChatExporter's "unix" and "unixms" date formats: seconds (9-11 digits), milliseconds (12-14).
_UNIX_DATE = r"\s*\d{9,14}\s*"


def is_header(cells: Sequence[str]) -> bool:
    """DiscordChatExporter's CSV header (current, 2019 with its trailing empty cell, or the oldest)."""
    names = [c for c in cells if c]
    return names[:1] in (["AuthorID"], ["Author"]) and {"Author", "Date", "Content"} <= set(names)


def channel_from_name(source: str) -> tuple[str, str | None]:
    """The channel's name and id from DiscordChatExporter's file name, else the file's name and None.

    ``Brightbrew - Community - brew-talk [1045000000000000010] [part 2].csv`` -> (``brew-talk``, ``1045...``).
    """
    stem = PurePosixPath(source).stem
    match = _FILE_NAME.match(stem)
    if match is None:
        return stem, None
    title = match.group("title")
    return title.rsplit(" - ", 1)[-1].strip() or stem, match.group("id")


def reaction_total(text: str | None) -> int:
    """The sum of the counts in ``😄 (2),👌 (1)``."""
    if not isinstance(text, str):
        return 0
    return sum(int(n) for n in _REACTION_COUNT.findall(text))


def message_ids(
    authors: Sequence[str | None], moments: pd.Series, contents: Sequence[str | None]
) -> list[str]:
    """Ids from what a message is: author, instant and content; repeats in one file are numbered."""
    seen: dict[str, int] = {}
    out = []
    instants = [None if pd.isna(m) else m.isoformat() for m in moments]
    for author, instant, content in zip(authors, instants, contents, strict=True):
        parts = [v if isinstance(v, str) else "" for v in (author, instant, content)]
        key = "\x1f".join(parts)
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"csv:{digest}" if seen[digest] == 1 else f"csv:{digest}~{seen[digest]}")
    return out


def _dates(rows: SheetRows, zone: str) -> tuple[pd.Series, str | None]:
    """``Date`` into UTC: offsets kept; named months and numeric dates read in the client's zone."""
    raw = rows.required("Date", DATE_EXPECTED)
    n = len(raw)
    unix = raw.str.fullmatch(_UNIX_DATE).fillna(False).to_numpy(dtype=bool)
    created, local = parse_dates(raw.where(~unix), (*DATE_FORMATS, "ISO8601"), zone)
    if unix.any():
        digits = raw[unix].str.strip()
        numbers = pd.to_numeric(digits).astype("int64")
        millis = np.where(digits.str.len() >= 12, numbers, numbers * 1000)
        created = created.copy()
        created.iloc[np.flatnonzero(unix)] = pd.to_datetime(millis, unit="ms", utc=True)
    note = None
    rest = (created.isna() & raw.notna()).to_numpy(dtype=bool) & ~unix
    if rest.any():
        parts = split_numeric(raw[rest].tolist())
        order, naive = day_month_order(parts, chronological=True, month_first=month_first_by_convention(zone))
        idx = np.flatnonzero(rest)
        created = created.copy()
        created.iloc[idx] = localize(naive, zone).to_numpy()
        local = local.copy()
        local[idx] = naive.notna().to_numpy(dtype=bool)
        note = order.note(rows.ctx.source, f"usual for {zone}")
    rows.checks.flag((created.isna() & raw.notna()).to_numpy(dtype=bool), "Date", DATE_EXPECTED, raw)
    rows.assumed |= local[:n]
    return created, note


def parse_discord_csv(data: bytes, ctx: ReadContext) -> ReadResult:
    """Read a DiscordChatExporter CSV (current or 2019 layout, whole or partitioned) into ``messages`` rows.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path (its name gives the channel) and the client's time zone.
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, HEADER_HINT)
    except TableError as exc:
        return refused(
            Table.MESSAGES, f"{ctx.source}: {exc}; this is not a readable DiscordChatExporter CSV."
        )
    rows = SheetRows(table, ctx)
    missing = [c for c in ("Author", "Date") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(Table.MESSAGES, missing, HEADER_HINT)
    n = len(rows)
    content = rows.text("Content")
    attachments = rows.text("Attachments")
    rows.checks.skip((content.isna() & attachments.isna()).to_numpy(dtype=bool), SKIP_EMPTY)
    created, note = _dates(rows, ctx.timezone)
    full_name = rows.required("Author", "the author's name")
    author_id = (
        rows.matching("AuthorID", r"\s*\d{1,25}\s*", "the author's id (digits)")
        if rows.has("AuthorID")
        else full_name
    )
    discriminator = full_name.str.extract(_DISCRIMINATOR, expand=False)
    name = full_name.str.replace(_DISCRIMINATOR, "", regex=True).str.strip()
    webhook = (discriminator == "0000") & (name != "Deleted User") & ~name.str.fullmatch(_NEW_USERNAME)
    is_bot = webhook.fillna(False).to_numpy(dtype=bool)
    channel = channel_from_name(ctx.source)[0]
    ids = message_ids(author_id.tolist(), created, content.tolist())
    reactions = pd.Series(pd.array([reaction_total(r) for r in rows.text("Reactions")], dtype="Int64"))
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.DISCORD.value] * n,
            Messages.channel: [channel] * n,
            Messages.thread_id: ids,
            Messages.author_id: author_id.fillna(""),
            Messages.author_name: name,
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: is_bot,
            Messages.created_at: created,
            Messages.kind: [Kind.MESSAGE.value] * n,
            Messages.text: content,
            Messages.reactions: reactions,
        },
    )
    if note is not None:
        result.error = note
    return result


def _detect(probe: Probe) -> bool:
    return probe.header(is_header, NAME) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    return parse_discord_csv(unit.path.read_bytes(), ctx)


READER = register(
    Reader(
        NAME,
        "DiscordChatExporter CSV (comma, or the 2019 semicolon layout), whole or partitioned",
        Table.MESSAGES,
        _detect,
        _read,
    )
)
