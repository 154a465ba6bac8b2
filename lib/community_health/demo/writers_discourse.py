"""The demo's Discourse forum as ``/posts.json`` pages: ``posts-page-001.json`` (newest) onwards.

Each page is ``{"latest_posts": [...]}``, newest first, 50 posts a page, compact JSON as the API sends it.
Quirks kept: ``created_at`` in UTC with milliseconds and ``Z``; ``name`` null for some accounts; ``raw``
(markdown) beside ``cooked`` (HTML); staff flags on the brand's accounts; a system account with a negative
``user_id``; a few posts deleted by moderators (``deleted_at`` set), which are not community content.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np

from community_health.demo.common import rng_for
from community_health.demo.community import Community
from community_health.demo.ids import DISCOURSE_CATEGORIES
from community_health.demo.jsonout import write_json
from community_health.demo.people import DISCOURSE_BOTS, STAFF
from community_health.demo.texts import render

HOST = "https://community.brightbrew.com"
LINK = f"[help centre]({HOST.replace('community.', '')}/help)"
PAGE = 50
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
MENTION = re.compile(r"@([A-Za-z0-9_.]+)")


def cooked(raw: str) -> str:
    """Discourse's HTML for a one-paragraph markdown post: escaped text, links and mentions."""
    text = html.escape(raw, quote=False)
    text = MD_LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = MENTION.sub(lambda m: f'<a class="mention" href="/u/{m.group(1)}">@{m.group(1)}</a>', text)
    return f"<p>{text}</p>"


def spam_posts(member_posts: int) -> int:
    """How many spam posts moderators deleted, for a forum of ``member_posts`` community posts."""
    return max(2, member_posts // 400)


def page_name(page: int) -> str:
    """The file name of ``/posts.json`` page ``page`` (1 = newest)."""
    return f"posts-page-{page:03d}.json"


def _iso(utc_s: np.ndarray, ms: np.ndarray) -> list[str]:
    base = np.datetime_as_string(np.asarray(utc_s, dtype="int64").astype("datetime64[s]"), unit="s")
    return [f"{b}.{int(m):03d}Z" for b, m in zip(base, ms, strict=True)]


def write_discourse(root: Path, community: Community, authors: tuple[np.ndarray, ...], seed: int) -> None:
    """Write the Discourse export of ``community`` under ``root`` (``exports/discourse``)."""
    rng = rng_for(seed, "discourse")
    msgs = community.messages
    sel = np.flatnonzero(msgs["platform"].to_numpy() == "discourse")
    m = msgs.iloc[sel]
    uid, handle, name = (np.asarray(a[sel], dtype=object) for a in authors)
    thread = m["thread"].to_numpy()
    seq = m["seq"].to_numpy()
    starter_row = np.searchsorted(thread, thread)
    reply_to = m["reply_to"].to_numpy()
    topic = m["topic_id"].to_numpy()
    post_id = m["post_id"].to_numpy()
    group = m["group"].to_numpy()
    text = m["text"].to_numpy()
    channel = m["channel"].to_numpy()
    created = _iso(m["t"].to_numpy(), m["ms"].to_numpy())
    replies_to = np.zeros(len(m), dtype="int64")
    parent_rows = starter_row + reply_to
    np.add.at(replies_to, parent_rows[seq > 0], 1)
    topics, thread_pos = np.unique(thread, return_inverse=True)
    thread_len = np.bincount(thread_pos, minlength=len(topics))[thread_pos]
    u = rng.random((len(m), 3))
    staff_names = {s[1]: k for k, s in enumerate(STAFF["discourse"])}

    def build(i: int) -> dict:
        s = int(starter_row[i])
        first = render(text[s], "", LINK).split("?")[0].split(".")[0].split("!")[0][:70].strip()
        title = first or "Coffee talk"
        raw = render(text[i], f"@{handle[s]}", LINK)
        is_staff = handle[i] in staff_names
        level = (
            4
            if is_staff
            else (3 if group[i] == "superfan" else (0 if group[i] == "transient" else 1 + int(u[i, 0] * 2)))
        )
        return {
            "id": int(post_id[i]),
            "name": None if (not is_staff and u[i, 1] < 0.15) else name[i],
            "username": handle[i],
            "created_at": created[i],
            "cooked": cooked(raw),
            "post_number": int(seq[i]) + 1,
            "post_type": 1,
            "reply_count": int(replies_to[i]),
            "reply_to_post_number": None if reply_to[i] <= 0 else int(reply_to[i]) + 1,
            "reads": int(3 + u[i, 2] * 40 + thread_len[i] * 2),
            "score": round(float(u[i, 2] * 25), 1),
            "topic_id": int(topic[i]),
            "topic_title": title,
            "category_id": DISCOURSE_CATEGORIES[channel[i]],
            "display_username": name[i],
            "raw": raw,
            "moderator": is_staff and staff_names[handle[i]] > 0,
            "admin": is_staff and staff_names[handle[i]] == 0,
            "staff": is_staff,
            "user_id": int(uid[i]),
            "hidden": False,
            "trust_level": level,
            "deleted_at": None,
        }

    # Posts to build when their page is written: (post id, row or ready post).
    posts: list[tuple[int, int | dict]] = [(int(post_id[i]), i) for i in range(len(m))]

    # Spam removed by moderators, and the forum's own welcome topic.
    last = int(post_id.max()) if len(post_id) else 20000
    spam_at = np.sort(rng.integers(int(m["t"].min()), int(m["t"].max()), spam_posts(len(m))))
    for k, ts in enumerate(spam_at):
        stamp = _iso(np.array([ts]), np.array([k * 37 % 1000]))[0]
        posts.append(
            (
                last + 1 + k,
                {
                    "id": last + 1 + k,
                    "name": None,
                    "username": f"cheap_beans_{k}",
                    "created_at": stamp,
                    "cooked": "<p>Buy cheap coffee here</p>",
                    "post_number": 1,
                    "post_type": 1,
                    "reply_count": 0,
                    "reply_to_post_number": None,
                    "reads": 1,
                    "score": 0,
                    "topic_id": 9000 + k,
                    "topic_title": "Cheap coffee",
                    "category_id": DISCOURSE_CATEGORIES["Gear"],
                    "display_username": f"cheap_beans_{k}",
                    "raw": "Buy cheap coffee here",
                    "moderator": False,
                    "admin": False,
                    "staff": False,
                    "user_id": 90000 + k,
                    "hidden": True,
                    "trust_level": 0,
                    "deleted_at": stamp,
                },
            )
        )
    sys_id, sys_name, _ = DISCOURSE_BOTS[0]
    welcome = "Welcome to the Brightbrew community! Read the guidelines before posting."
    posts.append(
        (
            19999,
            {
                "id": 19999,
                "name": None,
                "username": sys_name,
                "created_at": "2025-11-01T08:00:00.000Z",
                "cooked": cooked(welcome),
                "post_number": 1,
                "post_type": 1,
                "reply_count": 0,
                "reply_to_post_number": None,
                "reads": 812,
                "score": 160.4,
                "topic_id": 999,
                "topic_title": "Welcome to Brightbrew",
                "category_id": DISCOURSE_CATEGORIES["Announcements"],
                "display_username": sys_name,
                "raw": welcome,
                "moderator": True,
                "admin": True,
                "staff": True,
                "user_id": int(sys_id),
                "hidden": False,
                "trust_level": 4,
                "deleted_at": None,
            },
        )
    )

    posts.sort(key=lambda p: -p[0])
    for page in range((len(posts) + PAGE - 1) // PAGE):
        chunk = [build(p) if isinstance(p, int) else p for _, p in posts[page * PAGE : (page + 1) * PAGE]]
        write_json(root / page_name(page + 1), {"latest_posts": chunk})
