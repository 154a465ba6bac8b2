"""The demo client, Brightbrew Coffee: a deterministic, seeded generator of raw exports in real layouts.

``write_demo(out)`` writes a complete client folder (``client.yml``, ``events.csv``,
``commentary/2026-10.md``, ``README.md`` and ``exports/`` for X, Facebook, Slack, Discord, Discourse and
Brandwatch); ``demo_truths()`` returns what it planted without writing anything. The same (messages, seed)
always gives the same bytes. ``messages`` counts member-side messages (members' Slack, Discord and
Discourse messages and the listening mentions); members, threads and mentions scale with it, brand posts
on X and Facebook do not.

Planted truths (numbers for the default size are in ``data/demo/README.md`` and in ``DemoTruths``):

- **Superfans**: 13 named members, each with an account on Slack, Discord and Discourse, write about half
  of all member-side messages.
- **Dead time**: members are active late in the evening (21:00-01:00 local) and on Sunday mornings
  (08:00-12:00) when the brand never posts; nobody writes between 03:00 and 06:00.
- **Pricing-error spike**: the week of Monday 2026-10-12, most of it on the 13th to 15th: complaints on
  Slack, Discord and Discourse and negative mentions, many times the trailing 28-day level, amplified on X
  by ``@marta_eats`` (182,400 followers), found in the Brandwatch export.
- **Conversations without a catalyst**: member-started threads where only other members reply.
- **Transients**: about 150 (at the default size) one-off support questions (order, refund, delivery,
  grinder, subscription) from members who never return.
- **Unanswered threads**: about 6 % of member threads get no reply; two are still open at the end of
  October (a Discourse question of 30 October, a Slack one of 31 October).
- **Responsiveness**: the brand answers in about 1-2 h inside business hours (Mon-Fri 09:00-18:00) and waits
  for the next business morning outside them.
- **Autumn Roast** (2026-10-01 to 2026-10-21): engagement rate of X and Facebook posts about 1.5 times the
  21 days before.
- **Meetup bump**: Slack and Discord are busier the week after the Madrid latte art meetup (2026-09-19).
- **Quarantined rows**: four rows that real exports get wrong, which the ingest sets aside with a reason
  naming the file, the row and the field (``DemoTruths.quarantined_rows``; see
  :mod:`community_health.demo.bad_rows`): an X Tweet activity ``time`` cell reading ``#VALUE!`` after an
  Excel edit; a Facebook Insights row pasted back from a Spanish-locale spreadsheet, its ``Posted`` day
  first; a Discord message merged in from the old CSV export, its ``timestamp`` in that exporter's
  format; a Discourse post without ``created_at``. Each repeats a row also exported intact (the X tweet
  is also in its month's file), so no message or post is lost and no other truth moves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from community_health.demo.bad_rows import BadRow, plan_bad_rows, plant_bad_rows
from community_health.demo.brand_posts import brand_posts
from community_health.demo.client_files import write_client_files
from community_health.demo.community import DEFAULT_MESSAGES, author_columns, build_community
from community_health.demo.truths import DemoTruths, measure
from community_health.demo.writers_brandwatch import mentions, write_brandwatch
from community_health.demo.writers_discord import thread_root, write_discord
from community_health.demo.writers_discourse import write_discourse
from community_health.demo.writers_facebook import facebook_posts, write_facebook
from community_health.demo.writers_slack import write_slack
from community_health.demo.writers_x import write_x

GENERATED = ("x", "facebook", "slack", "discord", "discourse", "listening")

__all__ = ["DEFAULT_MESSAGES", "BadRow", "DemoTruths", "demo_truths", "write_demo"]


def demo_truths(messages: int = DEFAULT_MESSAGES, seed: int = 7) -> DemoTruths:
    """Return the planted truths of the demo of this size and seed, without writing any file."""
    community = build_community(messages, seed)
    ids, handles, _ = author_columns(community)
    x_posts, fb_posts = brand_posts("x", seed), facebook_posts(seed)
    return measure(
        messages,
        seed,
        community.messages,
        ids,
        handles,
        mentions(community.mentions, seed),
        x_posts,
        fb_posts,
        thread_root(community)[1],
        plan_bad_rows(community, x_posts, fb_posts),
    )


def write_demo(out: Path, messages: int = DEFAULT_MESSAGES, seed: int = 7) -> DemoTruths:
    """Write the demo client into ``out`` (created if needed) and return its planted truths.

    Parameters
    ----------
    out : folder to write: ``client.yml``, ``events.csv``, ``commentary/``, ``README.md``, ``exports/``.
        The generator's own export folders (``exports/x``, ``facebook``, ``slack``, ``discord``,
        ``discourse``, ``listening``) are replaced, so a smaller demo leaves no stale files behind.
    messages : about how many member-side messages to generate (members scale with it).
    seed : the seed of every random draw; the same (messages, seed) gives byte-identical files.
    """
    if messages < 100:
        raise ValueError(f"messages must be at least 100 for a meaningful demo, got {messages}")
    out = Path(out)
    exports = out / "exports"
    for folder in GENERATED:
        if (exports / folder).is_dir():
            shutil.rmtree(exports / folder)
    community = build_community(messages, seed)
    authors = author_columns(community)
    write_slack(exports / "slack", community, authors, seed)
    thread_id = write_discord(exports / "discord", community, authors, seed)
    write_discourse(exports / "discourse", community, authors, seed)
    listened = write_brandwatch(exports / "listening", community.mentions, seed)
    x_posts = write_x(exports / "x", seed)
    fb_posts = write_facebook(exports / "facebook", seed)
    bad_rows = plan_bad_rows(community, x_posts, fb_posts)
    plant_bad_rows(out, bad_rows)
    truths = measure(
        messages,
        seed,
        community.messages,
        authors[0],
        authors[1],
        listened,
        x_posts,
        fb_posts,
        thread_id,
        bad_rows,
    )
    write_client_files(out, truths)
    return truths
