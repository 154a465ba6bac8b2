"""WhatsApp "Export chat" (``.txt``, or the ``.zip`` holding it with the media): one chat per file.

Layout (FORMATS.md):

iOS
    ``[25/01/2023, 08:14:03] Name: text``. System lines carry the group's (or contact's) name as sender
    and a left-to-right mark (U+200E) before their text (``‎Messages and calls are end-to-end
    encrypted...``, ``‎Ana joined using this group's invite link``); attachments read ``‎<attached:
    00000013-PHOTO-2023-01-25-08-14-03.jpg>`` or ``‎image omitted``.
Android
    ``25/01/2023, 08:14 - Name: text``; system lines have no sender (``25/01/2023, 08:14 - Messages and
    calls are end-to-end encrypted...``, ``... - Ana joined using this group's invite link``);
    attachments read ``<Media omitted>`` or ``IMG-20230125-WA0001.jpg (file attached)``.

Both: day/month order and 12/24-hour clocks follow the phone's locale (``1/25/23, 8:14 AM``,
``25.01.23, 08:14``, Spanish ``8:14 a. m.`` with no-break spaces); a message continues on the following
lines; CRLF between messages and bare LF inside them; phone-number senders are wrapped in U+202A …
U+202C with no-break spaces; deletions read ``This message was deleted``.

Dates carry no zone: they are the phone's local time, read in the client's time zone (reported as
assumed). The order of day and month is decided once for the whole file (``localdates``): by a date that
reads only one way, else by the order in which the messages run in time, else by the convention of the
client's time zone, in which case the ingest log says which order was assumed and shows a date that reads
both ways.

The export has **no message ids and no reply structure**. Rows go to ``messages``:

===========  ======================================================================================
message_id   ``wa:`` and a hash of (chat, instant in UTC, sender, text), with ``~2``, ``~3``, ... for
             identical messages in the same second (minute, on Android); the same message in an
             overlapping later export of the chat gets the same id and deduplicates
channel      the chat's name, from the export's file name (``WhatsApp Chat with <name>.txt``,
             ``WhatsApp Chat - <name>.zip``, ``Chat de WhatsApp con <name>.txt``), else the group
             name of an iOS system line, else the file's name
thread_id    the message's own id; parent_id: none; kind: ``message``
author       the sender as shown, invisible marks and the ``~`` before a sender who is not a contact
             (``~ Lena``) removed; a phone number (``+34 600 12 34 56``) is the id in digits
             (``+34600123456``) and the name as shown
text         the message with its continuation lines; a media placeholder (``<Media omitted>``,
             ``image omitted``, ``<attached: ...>``, German ``Bild weggelassen``, Dutch ``afbeelding
             weggelaten``, ``<Anhang: ...>``, a document's name before ``Dokument weggelassen``)
             leaves no text (the message is kept: the member wrote something); ``<This message was
             edited>`` is removed
===========  ======================================================================================

A row is a message (its first line, numbered as an editor numbers lines). Skipped (counted, per reason):
system lines (the end-to-end encryption notice, joins, leaves, additions and removals, changes of group
name, icon or description, security codes, missed calls) and deleted messages. Lines before the first
message that do not start with a date are quarantined.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from community_health.ingest.envelope import ReadContext, ReadResult, RowLabel, Table, refused
from community_health.ingest.jsonrows import JsonRows
from community_health.ingest.localdates import (
    NUMERIC_DATETIME,
    day_month_order,
    localize,
    month_first_by_convention,
    split_numeric,
    strip_marks,
    without_marks,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.tabular import decode
from community_health.ingest.units import ExportUnit
from community_health.schema import Kind, Messages, Platform

NAME = "whatsapp_txt"
IOS_HEADER = re.compile(rf"^\[(?P<when>{NUMERIC_DATETIME})\]\s*(?P<rest>.*)$")
ANDROID_HEADER = re.compile(rf"^(?P<when>{NUMERIC_DATETIME})\s?[-–]\s(?P<rest>.*)$")
# iOS before 2017 wrote neither brackets nor a dash: ``3/24/14, 1:59:59 PM: Name: text``.
OLD_IOS_HEADER = re.compile(rf"^(?P<when>{NUMERIC_DATETIME}):\s(?P<rest>.*)$")
HEADERS = (IOS_HEADER, ANDROID_HEADER, OLD_IOS_HEADER)
DATE_EXPECTED = "a date and time like 25/01/2023, 08:14 or 1/25/23, 8:14 AM"
LRM = "\u200e"

SKIP_ENCRYPTION = "WhatsApp notice that messages are end-to-end encrypted, not community content"
SKIP_MEMBERSHIP = "WhatsApp member joined, left, was added or removed, not community content"
SKIP_SETTINGS = (
    "WhatsApp group or account notice (name, description, icon, admins, security code), not community content"
)
SKIP_CALL = "WhatsApp missed call notice, not community content"
SKIP_DELETED = "WhatsApp deleted message, nothing to read"
SKIP_SYSTEM = "WhatsApp system line, not community content"
ORPHAN = "the line does not start with a date and a sender, and no message comes before it to continue"

_ENCRYPTION = re.compile(
    r"end-to-end encrypted|cifrados de extremo a extremo|Ende-zu-Ende|chiffrés de bout en bout|"
    r"criptografia de ponta a ponta|crittografia end-to-end|crittografati end-to-end|end-to-end versleuteld|"
    r"uçtan uca şifreli|terenkripsi secara end-to-end|сквозным шифрованием|szyfrowane end-to-end",
    re.IGNORECASE,
)
# The notice itself, as the whole text of a line that names a sender: exports that lost their marks (or
# iOS exports from before the marks) show it like a member's message.
_ENCRYPTION_NOTICE = re.compile(
    r"^(?:Messages|Los mensajes|Nachrichten|Les messages|As mensagens|I messaggi|Berichten|Mesajlar|Pesan|"
    r"Сообщения|Wiadomości)\b[^\n]{0,80}?"
    rf"(?:{_ENCRYPTION.pattern})[^\n]*$",
    re.IGNORECASE,
)
_MEMBERSHIP = re.compile(
    r"\b(?:joined using this group['’]s invite link|joined|left|added|removed|was removed|se unió|salió|"
    r"añadió|eliminó|beigetreten|hinzugefügt|verlassen|entfernt|a rejoint|est parti|a ajouté|a retiré|"
    r"toegevoegd|heeft de groep verlaten|is lid geworden|adicionou|saiu|entrou|ha aggiunto|è uscito|"
    r"si è unito|ekledi|ayrıldı|katıldı)\b",
    re.IGNORECASE,
)
_SETTINGS = re.compile(
    r"changed (?:the )?(?:subject|group name|group description|this group['’]s icon|group['’]s settings|"
    r"the group settings|their phone number|to)|created (?:the )?group|created this group|"
    r"deleted this group['’]s icon|cambió|creó el grupo|pinned a message|now an admin|no longer an admin|"
    r"disappearing messages|security code|código de seguridad|Sicherheitsnummer|business account|"
    r"changed the settings|"
    r"die Gruppe\b.{0,80}?\berstellt|Gruppe erstellt|Gruppenbild|Gruppenbeschreibung|Gruppenbetreff|"
    r"Gruppeneinstellungen|heeft de groep\b.{0,80}?\baangemaakt|heeft deze groep aangemaakt|groepsafbeelding|"
    r"groepsbeschrijving|groepsonderwerp|criou o grupo|criou este grupo|(?:mudou|alterou) (?:a imagem|o nome|"
    r"a descrição|o assunto)|ha creato il gruppo|ha cambiato (?:l['’]immagine|il nome|la descrizione|"
    r"l['’]oggetto)|a créé (?:le|ce) groupe|a modifié (?:l['’]icône|le nom|la description|le sujet)|"
    r"grubu oluşturdu|grup simgesini|grup açıklamasını|grubun adını",
    re.IGNORECASE,
)
_SUBJECT_CHANGE = re.compile(
    r"^.{1,80}? (?:changed the subject|changed the group name|changed the group description|created group|"
    r"cambió el asunto|cambió el nombre|creó el grupo) ",
    re.IGNORECASE,
)
_CALL = re.compile(
    r"^(?:missed (?:voice|video|group voice|group video) call|llamada (?:de voz |de video )?perdida|"
    r"verpasster (?:gruppen-)?(?:sprach|video)anruf|chamada de (?:voz|vídeo) perdida|chiamata vocale persa|"
    r"videochiamata persa)",
    re.I,
)
_CALL_LINE = re.compile(rf"(?:{_CALL.pattern.removeprefix('^')})\.?", re.I)
_DELETED = re.compile(
    r"^(?:This message was deleted|You deleted this message|Se eliminó este mensaje|Eliminaste este mensaje|"
    r"Diese Nachricht wurde gelöscht|Du hast diese Nachricht gelöscht|Ce message a été supprimé|"
    r"Vous avez supprimé ce message|Mensagem apagada|Você apagou esta mensagem|"
    r"Questo messaggio è stato eliminato|Hai eliminato questo messaggio|Dit bericht is verwijderd|"
    r"Je hebt dit bericht verwijderd|U hebt dit bericht verwijderd|Bu mesaj silindi|Bu mesajı sildiniz|"
    r"Pesan ini telah dihapus|Anda menghapus pesan ini)\.?$",
    re.IGNORECASE,
)
# iOS shows a document with its name (and its page count) before the placeholder:
# ``Herbstkarte.pdf • 2 Seiten Dokument weggelassen``.
_FILE_SHOWN = r"(?:\S[^\n]*?\.\w{1,5}(?: • [^•\n]*?)?\s)?"
_MEDIA = re.compile(
    r"^(?:<Media omitted>|<Medien ausgeschlossen>|<Multimedia omitido>|<Archivo omitido>|<Médias omis>|"
    r"<Arquivo de mídia oculto>|<Mídia oculta>|<Media omessi>|<Media weggelaten>|<Medya atlanmış>|"
    r"<Без медиафайлов>|<Medya dahil edilmedi>|<Media tidak disertakan>|"
    r"<\s?attached: [^>]*>|<adjunto: [^>]*>|<Anhang: [^>]*>|(?-i:null)|"  # Android's view-once media: "null"
    r".*\b(?:image|video|audio|sticker|GIF|document|Contact card) omitted|"
    rf"{_FILE_SHOWN}(?:"  # the localised placeholders, after a document's name when there is one
    r"(?:imagen|video|audio|sticker|documento|GIF|tarjeta de contacto) omitid[oa]|"  # imagen omitida
    r"(?:Bild|Video|Audio|Sticker|GIF|Dokument|Kontaktkarte) weggelassen|"
    r"(?:afbeelding|video|audio|sticker|GIF|document|contactkaart) weggelaten|"
    r"imagem ocultada|imagem oculta|(?:vídeo|áudio|documento) omitido|figurinha omitida|"
    r"immagine omessa|(?:video|audio|documento|sticker) omesso|image omise)|"
    r".+\.\w{2,5} \((?:file attached|archivo adjunto|Datei angehängt|fichier joint|bestand bijgevoegd|"
    r"arquivo anexado|file allegato|dosya ekli)\))"
    r"\s*",
    re.IGNORECASE,
)
_EDITED = re.compile(
    r"\s*<(?:This message was edited|Se editó este mensaje\.?|Diese Nachricht wurde bearbeitet)>\s*$"
)
# Newer exports show a sender who is not in the phone's contacts as "~ Name" (a narrow no-break space).
_NOT_A_CONTACT = re.compile(r"^~\s*")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_CHAT_NAME = re.compile(
    r"^(?:WhatsApp Chat with |WhatsApp Chat - |WhatsApp Chat mit |Chat de WhatsApp con |"
    r"Conversa do WhatsApp com |Discussion WhatsApp avec |Chat WhatsApp con )(?P<name>.+?)(?:\s*\(\d+\))?$",
    re.IGNORECASE,
)


def chat_name(*paths: str) -> str | None:
    """The chat's name from an export's file name (``WhatsApp Chat with Brightbrew (1).txt``), or None."""
    for path in paths:
        match = _CHAT_NAME.match(PurePosixPath(path).stem.strip())
        if match:
            return match.group("name").strip()
    return None


def author_key(sender: str) -> str:
    """The id of a sender: a phone number in digits (``+34600123456``), else the name as shown."""
    if _PHONE.fullmatch(sender):
        digits = re.sub(r"\D", "", sender)
        return ("+" if sender.startswith("+") else "") + digits
    return sender


def system_reason(text: str) -> str:
    """Why a system line is not community content (which kind of notice it is)."""
    if _ENCRYPTION.search(text):
        return SKIP_ENCRYPTION
    if _CALL.search(text):
        return SKIP_CALL
    if _SETTINGS.search(text):
        return SKIP_SETTINGS
    if _MEMBERSHIP.search(text):
        return SKIP_MEMBERSHIP
    return SKIP_SYSTEM


def message_body(text: str) -> str | None:
    """The text of a message: a media placeholder and the edited marker removed; None when nothing is left."""
    text = _EDITED.sub("", text)
    first, _, rest = text.partition("\n")
    if _MEDIA.fullmatch(first.strip()):
        text = rest
    text = text.strip()
    return text or None


def _style(lines: list[str]) -> re.Pattern[str]:
    """The header pattern of the file: iOS (``[date]``), Android (``date -``) or early iOS (``date:``),
    whichever starts most lines."""
    sample = [without_marks(line).strip() for line in lines[:200]]
    hits = [sum(1 for line in sample if pattern.match(line)) for pattern in HEADERS]
    return HEADERS[hits.index(max(hits))]  # a tie keeps the first: iOS


def split_records(text: str) -> tuple[list[dict[str, Any]], bool]:
    """The messages of a chat transcript: one record per line that starts with a date, with the lines that
    follow it; lines before the first message are records of their own (orphans).

    Returns
    -------
    records, ios
        Records with ``line`` (1-based), ``when``, ``rest`` (marks removed), ``marked`` (a
        left-to-right mark before the text), ``raw`` (the lines as written) and ``orphan``; and whether
        the file is an iOS export.
    """
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    pattern = _style(lines)
    ios = pattern is IOS_HEADER
    records: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for number, line in enumerate(lines, start=1):
        clean = strip_marks(line).lstrip()  # no-break spaces stay in the text; the patterns' \s matches them
        match = pattern.match(clean) if clean.strip() else None
        if match is not None:
            after = line.split("]", 1)[1] if ios and "]" in line else line
            marked = (
                after.lstrip(" \u00a0\u202f").startswith(LRM) or f": {LRM}" in after or line.startswith(LRM)
            )
            current = {
                "line": number,
                "when": match.group("when"),
                "rest": [strip_marks(match.group("rest"))],
                "marked": marked,
                "raw": [line],
                "orphan": False,
            }
            records.append(current)
        elif current is not None:
            current["rest"].append(strip_marks(line))
            current["raw"].append(line)
        elif line.strip():
            records.append(
                {"line": number, "when": None, "rest": [line], "marked": False, "raw": [line], "orphan": True}
            )
    for record in records:
        while len(record["rest"]) > 1 and not record["rest"][-1].strip():
            record["rest"].pop()  # blank lines before the next message are not part of this one
            record["raw"].pop()
    return records, ios


def _classify(record: dict[str, Any], ios: bool) -> tuple[str | None, str | None, str | None]:
    """(sender, text, skip reason) of one record."""
    body = "\n".join(record["rest"])
    first = record["rest"][0]
    if not ios and _SUBJECT_CHANGE.match(first):
        return None, None, SKIP_SETTINGS
    sender, sep, text = body.partition(": ")
    if not sep or "\n" in sender or not sender.strip():
        return None, None, system_reason(body) if ios or not sep else SKIP_SYSTEM
    sender = _NOT_A_CONTACT.sub("", without_marks(sender).strip())
    text = text.strip("\u200e ")
    if (
        record["marked"]
        and not _MEDIA.fullmatch(text.split("\n", 1)[0].strip())
        and not _DELETED.match(text.strip())
    ):
        reason = system_reason(text)
        if reason != SKIP_SYSTEM:  # an unknown marked line (a location, a poll) is the member's own
            return sender, None, reason
    if _ENCRYPTION_NOTICE.match(text.strip()):
        return sender, None, SKIP_ENCRYPTION
    if _DELETED.match(text.strip()):
        return sender, None, SKIP_DELETED
    if _CALL_LINE.fullmatch(text.strip()):  # Android writes a missed call as the caller's message, unmarked
        return sender, None, SKIP_CALL
    return sender, text, None


def message_ids(
    channel: str, moments: pd.Series, authors: list[str | None], texts: list[str | None]
) -> list[str]:
    """Ids from what a message is (chat, instant, sender, text); repeats are numbered ``~2``, ``~3``."""
    seen: dict[str, int] = {}
    out = []
    for moment, author, text in zip(moments, authors, texts, strict=True):
        instant = "" if pd.isna(moment) else moment.isoformat()
        key = "\x1f".join([channel, instant, author or "", text or ""])
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"wa:{digest}" if seen[digest] == 1 else f"wa:{digest}~{seen[digest]}")
    return out


def parse_whatsapp_txt(data: bytes, ctx: ReadContext, member: str | None = None) -> ReadResult:
    """Read a WhatsApp chat export (iOS or Android, any locale) into ``messages`` rows.

    Parameters
    ----------
    data
        The transcript's bytes.
    ctx
        The export's path (its name gives the chat's name) and the client's time zone.
    member
        The transcript's name inside a zip (``_chat.txt``), when it came from one.
    """
    text = decode(data)
    records, ios = split_records(text)
    if not any(not r["orphan"] for r in records):
        return refused(
            Table.MESSAGES,
            f"{ctx.source} has no line that starts with a date and a sender: it is not a WhatsApp chat "
            "export. Export the chat again (Export chat, Without media).",
        )
    rows = JsonRows(records, ctx.source, [r["line"] for r in records], RowLabel.LINE)
    rows.raw = ["\n".join(r["raw"]) for r in records]  # excerpts show the lines as written
    n = len(rows)
    orphan = np.asarray([r["orphan"] for r in records], dtype=bool)
    rows.checks.flag_rows(orphan, None, ORPHAN)
    classified = [_classify(r, ios) if not r["orphan"] else (None, None, None) for r in records]
    reasons = [c[2] for c in classified]
    rows.checks.skip(np.asarray([r is not None for r in reasons], dtype=bool), [r or "" for r in reasons])

    parts = split_numeric([r["when"] for r in records])
    order, naive = day_month_order(
        parts, chronological=True, month_first=month_first_by_convention(ctx.timezone)
    )
    created = localize(naive, ctx.timezone)
    rows.checks.flag(created.isna().to_numpy(dtype=bool), "date", DATE_EXPECTED, [r["when"] for r in records])

    senders = [c[0] for c in classified]
    rows.checks.flag(
        np.asarray([s is None or not s for s in senders], dtype=bool), "sender", "the sender's name", senders
    )
    authors = [author_key(s) if s else None for s in senders]
    texts = [message_body(c[1]) if c[1] is not None else None for c in classified]
    first_sender = next(
        (s for r, s, c in zip(records, senders, classified, strict=True) if c[2] == SKIP_ENCRYPTION and s),
        None,
    )
    channel = (
        chat_name(ctx.source, member or "")
        or (first_sender if ios else None)
        or PurePosixPath(member or ctx.source).stem
    )
    ids = message_ids(channel, created, authors, texts)
    result = rows.finish(
        Table.MESSAGES,
        {
            Messages.message_id: ids,
            Messages.platform: [Platform.WHATSAPP.value] * n,
            Messages.channel: [channel] * n,
            Messages.thread_id: ids,
            Messages.author_id: [a or "" for a in authors],
            Messages.author_name: senders,
            Messages.author_is_brand: np.zeros(n, dtype=bool),
            Messages.author_is_bot: np.zeros(n, dtype=bool),
            Messages.created_at: created,
            Messages.kind: [Kind.MESSAGE.value] * n,
            Messages.text: texts,
        },
        source_files=ctx.source,
        assumed_timezone=ctx.timezone,
    )
    if len(result.frame) == 0:
        result.assumed_timezone = None
    result.error = order.note(ctx.source, f"usual for {ctx.timezone}")
    return result


def _transcript_member(names: tuple[str, ...]) -> str | None:
    """The chat transcript inside a zip: ``_chat.txt`` (iOS) or ``WhatsApp Chat with ....txt`` (Android)."""
    for name in names:
        base = PurePosixPath(name).name
        if base == "_chat.txt" or (base.lower().endswith(".txt") and chat_name(base)):
            return name
    return None


def _looks_like_chat(text: str) -> bool:
    lines = [without_marks(line).strip() for line in text.split("\n")[:40]]
    lines = [line.lstrip("\ufeff") for line in lines if line]
    if not lines:
        return False
    first_hits = any(pattern.match(lines[0]) for pattern in HEADERS)
    hits = sum(1 for line in lines if any(pattern.match(line) for pattern in HEADERS))
    return bool(first_hits) and hits >= min(2, len(lines))


def _detect(probe: Probe) -> bool:
    if probe.names:
        member = _transcript_member(probe.names)
        return member is not None and _looks_like_chat(decode(probe.member(member)[:65536], strict=False))
    # An iOS transcript starts with "[", like JSON: the header pattern, not the first character, decides.
    return bool(probe.text) and _looks_like_chat(probe.text[:65536])


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    members = unit.bundle().members()
    if not unit.is_folder and list(members) == [unit.path.name]:
        return parse_whatsapp_txt(unit.path.read_bytes(), ctx)
    member = _transcript_member(tuple(members))
    if member is None:
        return refused(Table.MESSAGES, f"{ctx.source} holds no WhatsApp chat transcript (_chat.txt).")
    return parse_whatsapp_txt(members[member], ctx, member)


READER = register(
    Reader(
        NAME,
        "WhatsApp chat export (.txt, or the .zip holding it), iOS or Android",
        Table.MESSAGES,
        _detect,
        _read,
    )
)
