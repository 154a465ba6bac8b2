"""The demo's Slack workspace export: channels.json, users.json, integration_logs.json, one folder per
channel with one JSON array per local day.

Quirks kept: slashes escaped ``\\/``; ``ts`` strings unique per channel; thread parents carry
``reply_count, reply_users, replies, latest_reply``; replies carry ``thread_ts`` and ``parent_user_id``;
a few replies are ``thread_broadcast``; ``bot_message`` posts have no ``user`` (some with their content
only in ``attachments``); ``channel_join`` and ``channel_purpose`` events; mentions ``<@U…>`` and links
``<https://…|label>``; some messages ``edited``; ``user_profile`` on people's messages from October 2026 on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from community_health.demo.common import (
    DAYS,
    START_S,
    TIMEZONE,
    day_start_local_s,
    local_naive_to_utc_s,
    rng_for,
)
from community_health.demo.community import Community
from community_health.demo.ids import SLACK_CHANNELS
from community_health.demo.jsonout import avatar_hash, write_json
from community_health.demo.people import SLACK_BOTS, STAFF
from community_health.demo.texts import render

TEAM = "T0BREWB7Q"
LINK = "<https://brightbrew.com/help|help centre>"
PURPOSES = {
    "general": "Everything Brightbrew: say hi, share your cup, hear from the roastery.",
    "help": "Orders, deliveries, subscriptions and gear: ask here and the team will help.",
}
# Messages carry ``user_profile`` from the day the workspace's exports started adding it.
PROFILES_FROM = 1790805600  # 2026-10-01 00:00 Europe/Madrid
REACTIONS = ("heart", "coffee", "+1", "fire", "raised_hands", "heart_eyes")


def _profile(uid: str, handle: str, name: str, i: int) -> dict:
    first = name.split(" ")[0]
    return {
        "avatar_hash": avatar_hash(i),
        "image_72": f"https://avatars.slack-edge.com/2025-06-01/{avatar_hash(i)}_72.jpg",
        "first_name": first,
        "real_name": name,
        "display_name": handle,
        "team": TEAM,
        "name": handle,
        "is_restricted": False,
        "is_ultra_restricted": False,
    }


def _users(people: dict[str, tuple[str, str, int]]) -> list[dict]:
    staff_ids = {s[0] for s in STAFF["slack"]}
    users = []
    for uid in sorted(people):
        handle, name, i = people[uid]
        users.append(
            {
                "id": uid,
                "team_id": TEAM,
                "name": handle,
                "deleted": False,
                "real_name": name,
                "tz": TIMEZONE,
                "tz_offset": 3600,
                "profile": {
                    "real_name": name,
                    "display_name": handle,
                    "image_72": _profile(uid, handle, name, i)["image_72"],
                    "title": "Brightbrew" if uid in staff_ids else "",
                },
                "is_admin": uid in staff_ids,
                "is_bot": False,
                "is_app_user": False,
            }
        )
    for bot_id, bot_name in SLACK_BOTS:
        users.append(
            {
                "id": "U0" + bot_id[2:],
                "team_id": TEAM,
                "name": bot_name.lower().replace(" ", ""),
                "deleted": False,
                "real_name": bot_name,
                "profile": {"bot_id": bot_id, "real_name": bot_name},
                "is_admin": False,
                "is_bot": True,
                "is_app_user": False,
            }
        )
    return users


def _bot_messages(seed: int) -> pd.DataFrame:
    """Brew Log (roast-day posts, content only in attachments) and Shop Orders (shipping notices)."""
    rng = rng_for(seed, "slack-bots")
    day = np.arange(DAYS)
    weekday = (day + 5) % 7
    brewlog = day[(weekday == 0) | (weekday == 3)]
    orders = day[(weekday == 1) | (weekday == 4)]
    t_log = local_naive_to_utc_s(day_start_local_s(brewlog) + 8 * 3600 + rng.integers(0, 600, len(brewlog)))
    t_ord = local_naive_to_utc_s(
        day_start_local_s(orders) + 10 * 3600 + rng.integers(0, 8 * 3600, len(orders))
    )
    return pd.DataFrame(
        {
            "t": np.concatenate([t_log, t_ord]),
            "bot": np.repeat([0, 1], [len(t_log), len(t_ord)]),
            "channel": np.repeat(["general", "help"], [len(t_log), len(t_ord)]),
            "n": np.concatenate([np.arange(len(t_log)), 10200 + np.arange(len(t_ord)) * 3]),
        }
    )


def write_slack(root: Path, community: Community, authors: tuple[np.ndarray, ...], seed: int) -> None:
    """Write the Slack export of ``community`` under ``root`` (``exports/slack``)."""
    rng = rng_for(seed, "slack")
    msgs = community.messages
    sel = np.flatnonzero(msgs["platform"].to_numpy() == "slack")
    m = msgs.iloc[sel]
    uid, handle, name = (a[sel] for a in authors)
    thread = m["thread"].to_numpy()
    starter_row = np.searchsorted(thread, thread)
    ts = m["slack_ts"].to_numpy()
    t = m["t"].to_numpy()
    channel = m["channel"].to_numpy()
    seq = m["seq"].to_numpy()
    text = m["text"].to_numpy()
    kinds = m["text_kind"].to_numpy()
    role = m["role"].to_numpy()

    people: dict[str, tuple[str, str, int]] = {}
    for i, (u, h, nm) in enumerate(zip(uid, handle, name, strict=True)):
        if u not in people:
            people[u] = (h, nm, i)
    first_seen = pd.Series(t).groupby(uid).min()

    # Thread parents: replies in time order.
    replies: dict[int, list[int]] = {}
    for i in np.flatnonzero(seq > 0):
        replies.setdefault(int(starter_row[i]), []).append(int(i))

    u = rng.random((len(m), 4))
    # Per (channel, day): (ts, row of a member message to build when written, or a ready event).
    events: dict[tuple[str, str], list[tuple[str, int | dict]]] = {}
    loc_day = pd.to_datetime(t, unit="s", utc=True).tz_convert(TIMEZONE).strftime("%Y-%m-%d").to_numpy()

    def add(chan: str, day: str, key: str, obj: int | dict) -> None:
        events.setdefault((chan, day), []).append((key, obj))

    member_pool = np.asarray(sorted(people), dtype=object)

    def build(i: int) -> dict:
        s = int(starter_row[i])
        body = render(text[i], f"<@{uid[s]}>", LINK)
        obj: dict = {"type": "message", "text": body, "user": uid[i], "ts": ts[i]}
        if i in replies:
            rs = replies[i]
            users = list(dict.fromkeys(uid[r] for r in rs))
            obj.update(
                {
                    "thread_ts": ts[i],
                    "reply_count": len(rs),
                    "reply_users_count": len(users),
                    "latest_reply": ts[rs[-1]],
                    "reply_users": users[:5],
                    "replies": [{"user": uid[r], "ts": ts[r]} for r in rs],
                    "is_locked": False,
                }
            )
        elif seq[i] > 0:
            obj.update({"thread_ts": ts[s], "parent_user_id": uid[s]})
            if u[i, 0] < 0.03 and role[i] == "member":
                obj["subtype"] = "thread_broadcast"
        if kinds[i] in ("positive", "discuss", "brand_post", "meetup", "thanks") and u[i, 1] < 0.45:
            count = 1 + int(u[i, 2] * 6)
            who = member_pool[(np.arange(count) * 7919 + int(u[i, 3] * len(member_pool))) % len(member_pool)]
            obj["reactions"] = [
                {
                    "name": REACTIONS[int(u[i, 2] * 60) % len(REACTIONS)],
                    "users": sorted(set(who.tolist())),
                    "count": len(set(who.tolist())),
                }
            ]
        if u[i, 3] < 0.05:
            obj["edited"] = {"user": uid[i], "ts": f"{int(t[i]) + 40 + int(u[i, 2] * 600)}.000000"}
        if t[i] >= PROFILES_FROM:
            obj["user_profile"] = _profile(uid[i], handle[i], name[i], people[uid[i]][2])
        return obj

    for i in range(len(m)):
        add(channel[i], loc_day[i], ts[i], i)

    # Joins (the first time a member shows up) and purpose changes.
    staff = {s[0] for s in STAFF["slack"]}
    joiners = [w for w in first_seen.index if w not in staff]
    hashes = np.array([hash_int(str(w)) for w in joiners], dtype="int64")
    when = np.maximum(first_seen.loc[joiners].to_numpy() - 60 - hashes % 1800, START_S + 30)
    jdays = pd.to_datetime(when, unit="s", utc=True).tz_convert(TIMEZONE).strftime("%Y-%m-%d")
    for who, w, h, day in zip(joiners, when, hashes, jdays, strict=True):
        jts = f"{int(w)}.{int(h) % 900000 + 1000:06d}"
        add(
            "general",
            day,
            jts,
            {
                "type": "message",
                "subtype": "channel_join",
                "ts": jts,
                "user": who,
                "text": f"<@{who}> has joined the channel",
            },
        )
    pts = "1762164000.000100"
    add(
        "help",
        "2025-11-03",
        pts,
        {
            "type": "message",
            "subtype": "channel_purpose",
            "ts": pts,
            "user": "U0BB00001",
            "purpose": PURPOSES["help"],
            "text": f"<@U0BB00001> set the channel purpose: {PURPOSES['help']}",
        },
    )
    bots = _bot_messages(seed)
    bdays = pd.to_datetime(bots["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%d")
    for (t_b, bot, chan, number), day in zip(bots.itertuples(index=False), bdays, strict=True):
        num = int(number)
        bts = f"{int(t_b)}.{(num * 37) % 1000:03d}900"
        bot_id, bot_name = SLACK_BOTS[bot]
        if bot == 0:
            obj = {
                "type": "message",
                "subtype": "bot_message",
                "text": "",
                "ts": bts,
                "username": bot_name,
                "bot_id": bot_id,
                "attachments": [
                    {
                        "fallback": "Roast day: this week's beans are on the way",
                        "title": "Roast day: this week's beans are on the way",
                        "title_link": f"https://brightbrew.com/blog/roast-{int(num)}",
                        "text": "Fresh from the roastery. Read the tasting notes on the blog.",
                        "service_name": "Brightbrew Blog",
                    }
                ],
            }
        else:
            obj = {
                "type": "message",
                "subtype": "bot_message",
                "ts": bts,
                "username": bot_name,
                "bot_id": bot_id,
                "text": f"Order #{num} shipped :package: <https://brightbrew.com/track/{num}|track it>",
            }
        add(chan, day, bts, obj)

    for (chan, day), items in sorted(events.items()):
        items.sort(key=lambda kv: float(kv[0]))
        objs = [build(obj) if isinstance(obj, int) else obj for _, obj in items]
        write_json(root / chan / f"{day}.json", objs, escape_slashes=True)

    created = {"general": 1699952400, "help": 1699956000}
    channels = []
    for chan in ("general", "help"):
        members = sorted(set(uid[channel == chan].tolist()) | ({*people} if chan == "general" else set()))
        channels.append(
            {
                "id": SLACK_CHANNELS[chan],
                "name": chan,
                "created": created[chan],
                "creator": "U0BB00001",
                "is_archived": False,
                "is_general": chan == "general",
                "members": members,
                "pins": [],
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": PURPOSES[chan], "creator": "U0BB00001", "last_set": created[chan]},
            }
        )
    write_json(root / "channels.json", channels, indent=4, escape_slashes=True)
    write_json(root / "users.json", _users(people), indent=4, escape_slashes=True)
    logs = [
        {
            "service_id": "B0BREWLOG1",
            "service_type": "RSS",
            "user_id": "U0BB00001",
            "user_name": "brightbrew",
            "date": "1699960000",
            "change_type": "added",
            "channel": "#general",
        },
        {
            "service_id": "B0ORDERS01",
            "service_type": "Shopify",
            "user_id": "U0BB00001",
            "user_name": "brightbrew",
            "date": "1699963600",
            "change_type": "added",
            "channel": "#help",
        },
    ]
    write_json(root / "integration_logs.json", {"logs": logs}, indent=4, escape_slashes=True)


def hash_int(s: str) -> int:
    """A stable small hash of a string (Python's ``hash`` changes between runs)."""
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) % (1 << 32)
    return h
