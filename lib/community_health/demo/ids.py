"""Platform ids of the demo messages, as each export spells them, and the ids the workbook reads back.

========== ============================== ============================== ================================
platform   message id                     thread id                      reply link
========== ============================== ============================== ================================
slack      ``ts`` (``"1780000000.123456"``, ``thread_ts`` of the parent   ``thread_ts`` + ``parent_user_id``
           unique per channel); read as   (read ``<channel id>:<ts>``)   (threads are flat)
           ``<channel id>:<ts>``
discord    snowflake ``id`` (time-based)  the root message's id          ``reference.messageId``
discourse  post ``id``; read as           ``<topic_id>/1``               ``reply_to_post_number`` (null:
           ``<topic_id>/<post_number>``                                  answers the topic)
========== ============================== ============================== ================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SLACK_CHANNELS = {"general": "C04GEN7B2K", "help": "C04HLP3Q9M"}
DISCORD_GUILD = ("1030000000000000001", "Brightbrew Coffee Club")
DISCORD_CHANNELS = {
    "general": "1030000000000000101",
    "brew-lab": "1030000000000000102",
    "support": "1030000000000000103",
}
DISCOURSE_CATEGORIES = {"Announcements": 4, "Support": 5, "Brewing": 6, "Gear": 7}
DISCORD_EPOCH_MS = 1420070400000


def fraction_ms(n: int, rng: np.random.Generator) -> np.ndarray:
    """Milliseconds of each timestamp, mixed so that 0, 1, 2 and 3 written fractional digits all occur."""
    ms = rng.integers(0, 1000, n)
    u = rng.random(n)
    ms = np.where(u < 0.1, 0, np.where(u < 0.3, ms // 100 * 100, np.where(u < 0.5, ms // 10 * 10, ms)))
    return ms.astype("int64")


def snowflakes(t: np.ndarray, ms: np.ndarray) -> np.ndarray:
    """Discord ids: milliseconds since the Discord epoch, then worker and increment bits (unique)."""
    n = len(t)
    i = np.arange(n, dtype="int64")
    stamp = np.asarray(t, dtype="int64") * 1000 + ms - DISCORD_EPOCH_MS
    return (stamp << 22) | (((i // 4096) % 32) << 17) | (i % 4096)


def assign_ids(msgs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add ``msg_id``, ``thread_key``, ``reply_to`` (seq of the answered message, -1 for a starter),
    ``ms`` and the raw ids (``slack_ts``, ``channel_id``, ``discord_id``, ``topic_id``, ``post_id``)."""
    msgs = msgs.copy()
    n = len(msgs)
    platform = msgs["platform"].to_numpy()
    channel = msgs["channel"].to_numpy()
    t = msgs["t"].to_numpy(dtype="int64")
    seq = msgs["seq"].to_numpy(dtype="int64")
    thread = msgs["thread"].to_numpy(dtype="int64")
    starter_row = np.searchsorted(thread, thread)
    ms = fraction_ms(n, rng)
    msg_id = np.empty(n, dtype=object)
    channel_id = np.empty(n, dtype=object)

    u = rng.random(n)
    reply_to = np.where(seq == 0, -1, np.where((u < 0.65) | (seq == 1), 0, seq - 1)).astype("int64")
    slack = platform == "slack"
    reply_to[slack & (seq > 0)] = 0
    reply_to[(msgs["slot"].to_numpy() == "answer") & (seq > 0)] = 0

    # Slack: ts unique within each channel.
    sl = np.flatnonzero(slack)
    micro = rng.integers(0, 999_000, len(sl))
    order = np.lexsort((micro, t[sl], channel[sl]))
    key = pd.DataFrame({"c": channel[sl][order], "t": t[sl][order]})
    micro[order] += key.groupby(["c", "t"]).cumcount().to_numpy() * 7
    ts = np.array([f"{a}.{b:06d}" for a, b in zip(t[sl], micro, strict=True)], dtype=object)
    cids = np.array([SLACK_CHANNELS[c] for c in channel[sl]], dtype=object)
    channel_id[sl] = cids
    msg_id[sl] = [f"{c}:{s}" for c, s in zip(cids, ts, strict=True)]
    slack_ts = np.full(n, None, dtype=object)
    slack_ts[sl] = ts

    # Discord: snowflakes in time order.
    dc = np.flatnonzero(platform == "discord")
    dorder = dc[np.lexsort((ms[dc], t[dc]))]
    discord_id = np.zeros(n, dtype="int64")
    discord_id[dorder] = snowflakes(t[dorder], ms[dorder])
    channel_id[dc] = [DISCORD_CHANNELS[c] for c in channel[dc]]
    msg_id[dc] = discord_id[dc].astype(str)

    # Discourse: topics numbered in order of their start, posts in time order.
    ds = np.flatnonzero(platform == "discourse")
    topic_id = np.zeros(n, dtype="int64")
    topics = np.unique(thread[ds])
    topic_id[ds] = 1000 + np.searchsorted(topics, thread[ds])
    post_id = np.zeros(n, dtype="int64")
    porder = ds[np.lexsort((thread[ds], t[ds]))]
    post_id[porder] = 20000 + np.arange(len(porder))
    channel_id[ds] = [str(DISCOURSE_CATEGORIES[c]) for c in channel[ds]]
    msg_id[ds] = [f"{a}/{b + 1}" for a, b in zip(topic_id[ds], seq[ds], strict=True)]

    msgs["ms"] = ms
    msgs["reply_to"] = reply_to
    msgs["msg_id"] = msg_id
    msgs["thread_key"] = msg_id[starter_row]
    msgs["channel_id"] = channel_id
    msgs["slack_ts"] = slack_ts
    msgs["discord_id"] = discord_id
    msgs["topic_id"] = topic_id
    msgs["post_id"] = post_id
    return msgs
