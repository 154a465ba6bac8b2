"""The demo's Discord server as DiscordChatExporter JSON: one file per channel, one thread in its own file.

Quirks kept: timestamps with the exporter's offset (Europe/Madrid) and 0 to 3 fractional digits;
replies of type ``Reply`` with ``reference {messageId, channelId, guildId}``; system messages
(``GuildMemberJoin``, ``ThreadCreated``, ``ChannelPinnedMessage``); a bot with ``isBot: true``; a
``Deleted User`` placeholder shared by every deleted account; non-ASCII as ``\\uXXXX`` escapes (emoji as
surrogate pairs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from community_health.demo.common import DAYS, START_S, day_start_local_s, local_naive_to_utc_s, rng_for
from community_health.demo.community import Community
from community_health.demo.ids import (
    DISCORD_CHANNELS,
    DISCORD_EPOCH_MS,
    DISCORD_GUILD,
    fraction_ms,
    snowflakes,
)
from community_health.demo.jsonout import avatar_hash
from community_health.demo.people import DISCORD_BOT, DISCORD_DELETED, STAFF
from community_health.demo.texts import render

LINK = "https://brightbrew.com/help"
REACTION_EMOJI = (("❤️", "heart"), ("☕", "coffee"), ("👏", "clap"), ("🔥", "fire"), ("😍", "heart_eyes"))
MADRID = ZoneInfo("Europe/Madrid")
PLACEHOLDER = "messages of the file"
THREAD_NAME = "Madrid latte art meetup 📸"


def stamp(utc_s: int, ms: int) -> str:
    """One DiscordChatExporter timestamp (see :func:`timestamps`)."""
    when = datetime.fromtimestamp(int(utc_s), MADRID)
    frac = f".{int(ms):03d}".rstrip("0") if ms else ""
    off = when.strftime("%z")
    return f"{when:%Y-%m-%dT%H:%M:%S}{frac}{off[:3]}:{off[3:]}"


def timestamps(utc_s: np.ndarray, ms: np.ndarray) -> list[str]:
    """DiscordChatExporter timestamps in local time with offset, trailing fractional zeros dropped."""
    idx = pd.to_datetime(np.asarray(utc_s, dtype="int64"), unit="s", utc=True).tz_convert("Europe/Madrid")
    base = idx.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()
    off = idx.strftime("%z").to_numpy()
    out = []
    for b, o, m in zip(base, off, ms, strict=True):
        frac = f".{int(m):03d}".rstrip("0") if m else ""
        out.append(f"{b}{frac}{o[:3]}:{o[3:]}")
    return out


def _author(uid: str, handle: str, name: str, staff: bool, bot: bool = False) -> dict:
    tail = int(uid[-4:]) if uid[-4:].isdigit() else 0
    if uid == DISCORD_DELETED[0]:
        return {
            "id": uid,
            "name": "Deleted User",
            "discriminator": "0000",
            "nickname": "Deleted User",
            "color": None,
            "isBot": False,
            "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png",
        }
    avatar = (
        f"https://cdn.discordapp.com/avatars/{uid}/{avatar_hash(tail)}.png?size=512"
        if tail % 3
        else f"https://cdn.discordapp.com/embed/avatars/{tail % 5}.png"
    )
    return {
        "id": uid,
        "name": handle,
        "discriminator": f"{(tail * 37) % 9000 + 1000}" if tail % 11 == 0 else "0000",
        "nickname": name if not bot else handle,
        "color": "#D9A441" if staff else None,
        "isBot": bot,
        "avatarUrl": avatar,
    }


def write_discord(root: Path, community: Community, authors: tuple[np.ndarray, ...], seed: int) -> str:
    """Write the Discord export of ``community`` under ``root``; return the id of the thread written apart."""
    rng = rng_for(seed, "discord")
    msgs = community.messages
    sel = np.flatnonzero(msgs["platform"].to_numpy() == "discord")
    m = msgs.iloc[sel]
    uid, handle, name = (np.array(a[sel], dtype=object) for a in authors)
    staff_ids = {s[0] for s in STAFF["discord"]}
    group = m["group"].to_numpy()
    # About one regular account in eighty has since been deleted.
    deleted = (group == "regular") & (m["account"].to_numpy() % 83 == 5)
    uid[deleted], handle[deleted], name[deleted] = DISCORD_DELETED[0], "Deleted User", "Deleted User"
    thread = m["thread"].to_numpy()
    seq = m["seq"].to_numpy()
    reply_to = m["reply_to"].to_numpy()
    starter_row = np.searchsorted(thread, thread)
    ids = m["discord_id"].to_numpy().astype(str)
    t = m["t"].to_numpy()
    channel = m["channel"].to_numpy()
    stamps = timestamps(t, m["ms"].to_numpy())
    text = m["text"].to_numpy()
    kinds = m["text_kind"].to_numpy()
    u = rng.random((len(m), 3))

    big, thread_id = thread_root(community)

    files: dict[str, list[tuple[int, int, int | dict]]] = {c: [] for c in DISCORD_CHANNELS}
    files["thread"] = []
    pinned = set(np.flatnonzero(kinds == "brand_post")[::25].tolist())

    def build(i: int) -> dict:
        s = int(starter_row[i])
        parent = s + int(reply_to[i]) if seq[i] > 0 else -1
        mention = f"<@{uid[s]}>"
        body = render(text[i], mention, LINK)
        in_thread = thread[i] == big and seq[i] > 0
        obj: dict = {
            "id": ids[i],
            "type": "Reply" if seq[i] > 0 and not in_thread else "Default",
            "timestamp": stamps[i],
            "timestampEdited": None,
            "isPinned": i in pinned,
            "content": body,
            "author": _author(uid[i], handle[i], name[i], uid[i] in staff_ids),
            "attachments": [],
            "embeds": [],
            "stickers": [],
            "reactions": [],
            "mentions": [],
        }
        if u[i, 0] < 0.04:
            obj["timestampEdited"] = stamp(t[i] + 95 + int(u[i, 1] * 900), int(u[i, 2] * 1000))
        if kinds[i] in ("positive", "discuss", "brand_post", "meetup", "thanks") and u[i, 1] < 0.5:
            emoji, code = REACTION_EMOJI[int(u[i, 2] * 50) % len(REACTION_EMOJI)]
            obj["reactions"] = [
                {
                    "emoji": {"id": "", "name": emoji, "code": code, "isAnimated": False},
                    "count": 1 + int(u[i, 2] * 7),
                }
            ]
        if "{mention}" in text[i]:
            obj["mentions"] = [
                {
                    "id": uid[s],
                    "name": handle[s],
                    "discriminator": "0000",
                    "nickname": name[s],
                    "isBot": False,
                }
            ]
        if seq[i] > 0 and not in_thread:
            obj["reference"] = {
                "messageId": ids[parent],
                "channelId": DISCORD_CHANNELS[channel[i]],
                "guildId": DISCORD_GUILD[0],
            }
        elif in_thread and reply_to[i] > 0:
            obj["type"] = "Reply"
            obj["reference"] = {"messageId": ids[parent], "channelId": thread_id, "guildId": DISCORD_GUILD[0]}
        return obj

    for i in range(len(m)):
        in_thread = thread[i] == big and seq[i] > 0
        files["thread" if in_thread else channel[i]].append((int(t[i]), int(ids[i]), i))
        if i in pinned:
            files[channel[i]].append(
                _system(
                    t[i] + 30,
                    "ChannelPinnedMessage",
                    uid[i],
                    handle[i],
                    name[i],
                    "Pinned a message.",
                    ids[i],
                    DISCORD_CHANNELS[channel[i]],
                    True,
                )
            )
        if thread[i] == big and seq[i] == 0:
            files[channel[i]].append(
                _system(
                    t[i] + 5,
                    "ThreadCreated",
                    uid[i],
                    handle[i],
                    name[i],
                    "Started a thread.",
                    None,
                    thread_id,
                    False,
                )
            )

    order = np.lexsort((np.arange(len(t)), t))
    _, first_rows = np.unique(uid[order], return_index=True)
    for i in np.sort(order[first_rows]):
        who, when = uid[i], t[i]
        if who in staff_ids or who == DISCORD_DELETED[0]:
            continue
        files["general"].append(
            _system(
                max(int(when) - 240, START_S + 60),
                "GuildMemberJoin",
                who,
                handle[i],
                name[i],
                "Joined the server.",
                None,
                None,
                False,
            )
        )
    _bot_posts(files["general"], rng)

    guild = {
        "id": DISCORD_GUILD[0],
        "name": DISCORD_GUILD[1],
        "iconUrl": "https://cdn.discordapp.com/icons/1030000000000000001/a1b2c3d4e5f6.png?size=512",
    }
    for chan, items in files.items():
        if chan == "thread":
            continue
        ch = {
            "id": DISCORD_CHANNELS[chan],
            "type": "GuildTextChat",
            "categoryId": "1030000000000000010",
            "category": "Community",
            "name": chan,
            "topic": None,
        }
        _dump(root / f"{DISCORD_GUILD[1]} - Community - {chan} [{ch['id']}].json", guild, ch, items, build)
    if thread_id:
        ch = {
            "id": thread_id,
            "type": "GuildPublicThread",
            "categoryId": DISCORD_CHANNELS["general"],
            "category": "general",
            "name": THREAD_NAME,
            "topic": None,
        }
        _dump(
            root / thread_file_name(thread_id),
            guild,
            ch,
            files["thread"],
            build,
        )
    return thread_id


def thread_file_name(thread_id: str) -> str:
    """The file name of the thread written apart (the Madrid latte art meetup thread)."""
    return f"{DISCORD_GUILD[1]} - general - Madrid latte art meetup [{thread_id}].json"


def thread_root(community: Community) -> tuple[int, str]:
    """The biggest meetup conversation in Discord #general, written as a thread file: (thread, its id)."""
    m = community.messages
    sel = ((m["platform"] == "discord") & (m["kind"] == "meetup") & (m["channel"] == "general")).to_numpy()
    if not sel.any():
        return -1, ""
    size = m.loc[sel].groupby("thread").size().sort_values(kind="stable")
    big = int(size.index[-1])
    return big, str(m.loc[(m["thread"] == big).to_numpy() & (m["seq"] == 0).to_numpy(), "discord_id"].iat[0])


def _system(
    t: int,
    kind: str,
    uid: str,
    handle: str,
    name: str,
    content: str,
    ref: str | None,
    channel_id: str | None,
    staff: bool,
) -> tuple[int, int, dict]:
    ms = int(t) % 1000 // 10 * 10
    sid = ((int(t) * 1000 + ms - DISCORD_EPOCH_MS) << 22) | (31 << 17) | (int(t) % 4096)
    obj: dict = {
        "id": str(sid),
        "type": kind,
        "timestamp": stamp(t, ms),
        "timestampEdited": None,
        "isPinned": False,
        "content": content,
        "author": _author(uid, handle, name, staff),
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
    }
    if channel_id is not None:
        obj["reference"] = {"messageId": ref, "channelId": channel_id, "guildId": DISCORD_GUILD[0]}
    return (int(t), sid, obj)


def _bot_posts(items: list, rng: np.random.Generator) -> None:
    """BrewBot's weekly brewing challenge, every Monday at 09:00 local, as an embed with empty content."""
    days = np.arange(DAYS)[(np.arange(DAYS) + 5) % 7 == 0]
    t = local_naive_to_utc_s(day_start_local_s(days) + 9 * 3600 + rng.integers(0, 120, len(days)))
    ms = fraction_ms(len(t), rng)
    for k, (tt, m) in enumerate(zip(t, ms, strict=True)):
        sid = int(snowflakes(np.array([tt]), np.array([m]))[0]) | (30 << 17)
        items.append(
            (
                int(tt),
                sid,
                {
                    "id": str(sid),
                    "type": "Default",
                    "timestamp": stamp(tt, m),
                    "timestampEdited": None,
                    "isPinned": False,
                    "content": "",
                    "author": _author(DISCORD_BOT[0], DISCORD_BOT[1], DISCORD_BOT[1], False, bot=True),
                    "attachments": [],
                    "embeds": [
                        {
                            "title": f"Weekly brew challenge #{k + 1}",
                            "description": "Post your best cup of the week ☕",
                            "fields": [],
                        }
                    ],
                    "stickers": [],
                    "reactions": [],
                    "mentions": [],
                },
            )
        )


def _dump(path: Path, guild: dict, channel: dict, items: list, build: Callable[[int], dict]) -> None:
    """Write one DiscordChatExporter file, building and writing its messages one at a time.

    The bytes are those of ``json.dump(doc, indent=2, ensure_ascii=True)`` over the whole document.
    """
    items.sort(key=lambda x: (x[0], x[1]))
    doc = {
        "guild": guild,
        "channel": channel,
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2026-11-02T10:12:45.4185311+01:00",
        "messages": [PLACEHOLDER],
        "messageCount": len(items),
    }
    head, tail = json.dumps(doc, indent=2, ensure_ascii=True).split(f'    "{PLACEHOLDER}"')
    if not items:
        head, tail = head.rstrip("\n "), tail.lstrip("\n ")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(head)
        for k, (_, _, x) in enumerate(items):
            obj = build(x) if isinstance(x, int) else x
            text = json.dumps(obj, indent=2, ensure_ascii=True).replace("\n", "\n    ")
            fh.write(("    " if k == 0 else ",\n    ") + text)
        fh.write(tail)
