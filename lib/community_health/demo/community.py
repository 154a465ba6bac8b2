"""The demo community as one table: every Slack, Discord and Discourse message with its thread and author.

Built in three vectorised steps: thread skeletons (kind, platform, channel, start), their messages (member
replies, brand answers, thanks) with times, then authors (superfans, regular members who join over the
year, one-off transients, brand staff).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_health.demo import timeline as tl
from community_health.demo.common import END_S, TIMEZONE, rng_for
from community_health.demo.people import STAFF, SUPERFANS, Accounts, member_accounts
from community_health.demo.texts import pick_texts

DEFAULT_MESSAGES = 6_000
# Posting members per member-side message (about 1,300 at the default size).
MEMBERS_PER_MESSAGE = 0.22
MENTION_SHARE = 0.045
SUPERFAN_TARGET = 0.5
HOUR = 3600


@dataclass(frozen=True)
class Community:
    """All conversation messages of the demo, sorted by (thread, time), and the accounts behind them.

    ``messages`` columns: thread, seq, platform, channel, kind (thread kind), slot (starter, reply, answer,
    thanks), role (member or brand), group (superfan, regular, transient, staff), account (index within the
    group and platform), t (Unix seconds), text_kind, text (template).
    """

    messages: pd.DataFrame
    regulars: dict[str, Accounts]
    transients: dict[str, Accounts]
    mentions: int


def _thread_skeletons(n_messages: int, rng: np.random.Generator) -> pd.DataFrame:
    scale = n_messages / DEFAULT_MESSAGES
    n_mentions = round(MENTION_SHARE * n_messages)
    n_transient = max(3, round(150 * scale))
    n_crisis = max(3, round(42 * scale))
    n_meetup = max(2, round(22 * scale))
    rest = n_messages - n_mentions - n_transient - 4.5 * n_crisis - 4.6 * n_meetup
    n_regular = max(10, round(rest / 3.47))
    rate = tl.daily_rate()

    kinds = np.asarray(list(tl.KIND_SHARES), dtype=object)
    kind = kinds[rng.choice(len(kinds), size=n_regular, p=list(tl.KIND_SHARES.values()))]
    kind = np.concatenate(
        [
            kind,
            np.repeat(
                np.array(["transient", "crisis", "meetup"], dtype=object), [n_transient, n_crisis, n_meetup]
            ),
        ]
    )
    n = len(kind)
    platform = np.empty(n, dtype=object)
    u = rng.random(n)
    for k, shares in tl.PLATFORM_SHARES.items():
        sel = kind == k
        cum = np.cumsum(shares)
        platform[sel] = np.asarray(tl.PLATFORMS, dtype=object)[
            np.searchsorted(cum, u[sel] * cum[-1], "right")
        ]
    day = np.empty(n, dtype="int64")
    brand = kind == "brand"
    crisis = kind == "crisis"
    meetup = kind == "meetup"
    other = ~(brand | crisis | meetup)
    day[brand] = rng.permutation(tl.draw_days(int(brand.sum()), rate, rng, weekdays_only=True))
    day[other] = rng.permutation(tl.draw_days(int(other.sum()), rate, rng))
    day[crisis] = tl.crisis_days(int(crisis.sum()), rng)
    day[meetup] = tl.meetup_days(int(meetup.sum()), rng)
    t0 = tl.member_times(day, rng)
    t0[brand] = tl.brand_times(day[brand], rng)
    channel = tl.channels_for(platform, kind, rng)
    frame = pd.DataFrame({"kind": kind, "platform": platform, "channel": channel, "t0": t0})
    frame.attrs["mentions"] = n_mentions
    return frame


def _open_threads() -> pd.DataFrame:
    """Two member questions of the last days of October that nobody has answered yet."""
    when = pd.to_datetime(["2026-10-30 22:41:07", "2026-10-31 19:05:52"]).tz_localize(TIMEZONE)
    return pd.DataFrame(
        {
            "kind": ["question", "question"],
            "platform": ["discourse", "slack"],
            "channel": ["Support", "help"],
            "t0": when.as_unit("s").asi8,
            "open": [True, True],
        }
    )


def _replies(threads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Expand thread skeletons into messages with times (not yet authors)."""
    n = len(threads)
    kind = threads["kind"].to_numpy()
    t0 = threads["t0"].to_numpy(dtype="int64")
    still_open = threads["open"].to_numpy(dtype=bool)
    q, tr, cr = kind == "question", kind == "transient", kind == "crisis"
    disc = np.isin(kind, ("discussion", "meetup"))
    joined, brand = kind == "joined", kind == "brand"

    community_first = q & (rng.random(n) < 0.3)
    members = np.zeros(n, dtype="int64")
    members[q] = np.where(
        community_first[q], 1 + rng.poisson(0.6, int(q.sum())), rng.poisson(0.4, int(q.sum()))
    )
    members[disc] = 1 + rng.poisson(2.6, int(disc.sum()))
    members[joined] = 1 + rng.poisson(1.8, int(joined.sum()))
    members[brand] = rng.poisson(3.0, int(brand.sum()))
    members[cr] = rng.poisson(3.5, int(cr.sum()))
    answers = (q & (~community_first | (rng.random(n) < 0.75))) | joined | (tr & (rng.random(n) < 0.93))
    answers |= cr & (rng.random(n) < 0.85)
    unanswered = (q & (rng.random(n) < 0.09)) | (disc & (kind == "discussion") & (rng.random(n) < 0.06))
    unanswered |= still_open
    members[unanswered] = 0
    answers &= ~unanswered
    thanks = answers & q & (rng.random(n) < 0.5)

    starter = pd.DataFrame({"thread": np.arange(n), "slot": "starter", "t": t0})
    r_thread = np.repeat(np.arange(n), members)
    median = np.where(community_first, 0.6, np.where(cr, 0.7, 1.8))[r_thread] * HOUR
    delay = np.clip(rng.lognormal(np.log(median), 1.1), 90, 4 * 86400).astype("int64")
    reply = pd.DataFrame(
        {"thread": r_thread, "slot": "reply", "t": tl.quiet_hours_shift(t0[r_thread] + delay, rng)}
    )
    a_thread = np.flatnonzero(answers)
    base = t0[a_thread] + np.where(joined[a_thread], 3 * HOUR, 0)
    a_time = tl.brand_reply_times(base, cr[a_thread], rng)
    answer = pd.DataFrame({"thread": a_thread, "slot": "answer", "t": a_time})
    k_thread = np.flatnonzero(thanks)
    k_time = a_time[np.searchsorted(a_thread, k_thread)] + np.clip(
        rng.lognormal(np.log(0.7 * HOUR), 0.8, len(k_thread)), 120, 2 * 86400
    ).astype("int64")
    thank = pd.DataFrame({"thread": k_thread, "slot": "thanks", "t": tl.quiet_hours_shift(k_time, rng)})
    msgs = pd.concat([starter, reply, answer, thank], ignore_index=True)
    msgs = msgs[msgs["t"] < END_S]
    msgs = msgs.sort_values(["thread", "t", "slot"], kind="stable", ignore_index=True)
    msgs["seq"] = msgs.groupby("thread").cumcount()
    for col in ("kind", "platform", "channel"):
        msgs[col] = threads[col].to_numpy()[msgs["thread"].to_numpy()]
    return msgs


def _text_kinds(msgs: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    kind = msgs["kind"].to_numpy()
    slot = msgs["slot"].to_numpy()
    support = np.isin(msgs["channel"].to_numpy(), list(tl.SUPPORT_CHANNELS))
    u = rng.random(len(msgs))
    tone = np.where(u < 0.55, "positive", np.where(u < 0.9, "neutral", "negative")).astype(object)
    out = tone.copy()
    starter, reply = slot == "starter", slot == "reply"
    out[starter & (kind == "question")] = np.where(support, "q_support", "q_brew")[
        starter & (kind == "question")
    ]
    out[starter & np.isin(kind, ("discussion", "joined"))] = np.where(u < 0.93, "discuss", "negative")[
        starter & np.isin(kind, ("discussion", "joined"))
    ]
    out[starter & (kind == "brand")] = "brand_post"
    out[starter & (kind == "transient")] = "q_support"
    out[reply & (kind == "question")] = np.where(u < 0.75, "answer_member", "neutral")[
        reply & (kind == "question")
    ]
    out[(kind == "crisis") & (slot != "answer")] = "crisis"
    meet = (kind == "meetup") & (slot != "answer")
    out[meet] = np.where((u < 0.5) | starter, "meetup", "positive")[meet]
    answer = slot == "answer"
    out[answer] = np.where(
        kind == "joined", "brand_join", np.where(kind == "crisis", "brand_crisis", "brand_answer")
    )[answer]
    out[slot == "thanks"] = "thanks"
    return out


def build_community(n_messages: int, seed: int) -> Community:
    """Build the demo community for about ``n_messages`` member-side messages (mentions included)."""
    from community_health.demo.authors import assign_authors
    from community_health.demo.ids import assign_ids

    threads = _thread_skeletons(n_messages, rng_for(seed, "threads"))
    n_mentions = int(threads.attrs["mentions"])
    threads["open"] = False
    threads = pd.concat([threads, _open_threads()], ignore_index=True)
    threads = threads.sort_values("t0", kind="stable", ignore_index=True)
    msgs = _replies(threads, rng_for(seed, "replies"))
    text_kind = _text_kinds(msgs, rng_for(seed, "tones"))
    member_side = int(
        (~((msgs["slot"] == "answer") | ((msgs["slot"] == "starter") & (msgs["kind"] == "brand")))).sum()
    )
    role, group, account, regulars, transients = assign_authors(
        msgs, round(MEMBERS_PER_MESSAGE * n_messages), member_side + n_mentions, rng_for(seed, "authors")
    )
    rng = rng_for(seed, "texts")
    soften = (group == "superfan") & (text_kind == "negative") & (rng.random(len(msgs)) < 0.75)
    text_kind[soften] = "positive"
    msgs["role"] = role
    msgs["group"] = group
    msgs["account"] = account
    msgs["text_kind"] = text_kind
    msgs["text"] = pick_texts(text_kind, rng)
    reg: dict[str, Accounts] = {}
    tra: dict[str, Accounts] = {}
    for p in tl.PLATFORMS:
        acc = member_accounts(p, regulars[p] + transients[p], rng_for(seed, f"accounts-{p}"))
        cut = regulars[p]
        reg[p] = Accounts(acc.ids[:cut], acc.handles[:cut], acc.names[:cut])
        tra[p] = Accounts(acc.ids[cut:], acc.handles[cut:], acc.names[cut:])
    msgs = assign_ids(msgs, rng_for(seed, "ids"))
    return Community(messages=msgs, regulars=reg, transients=tra, mentions=n_mentions)


def author_columns(community: Community) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (author id, handle, display name) per message, as each platform knows its accounts.

    Ids are the platform's user ids (Discourse: the numeric ``user_id``; its export keys authors by handle).
    """
    msgs = community.messages
    n = len(msgs)
    ids = np.empty(n, dtype=object)
    handles = np.empty(n, dtype=object)
    names = np.empty(n, dtype=object)
    platform = msgs["platform"].to_numpy()
    group = msgs["group"].to_numpy()
    account = msgs["account"].to_numpy()
    for p in tl.PLATFORMS:
        on = platform == p
        sel = on & (group == "staff")
        staff = STAFF[p]
        ids[sel] = [staff[a][0] for a in account[sel]]
        handles[sel] = [staff[a][1] for a in account[sel]]
        names[sel] = [staff[a][2] for a in account[sel]]
        sel = on & (group == "superfan")
        fans = [SUPERFANS[a] for a in account[sel]]
        if p == "slack":
            ids[sel] = [f.slack for f in fans]
            handles[sel] = [f.name.split()[0].lower() + "." + f.name.split()[1].lower() for f in fans]
        elif p == "discord":
            ids[sel] = [f.discord for f in fans]
            handles[sel] = [f.discord_name for f in fans]
        else:
            ids[sel] = [str(10 + a) for a in account[sel]]
            handles[sel] = [f.discourse for f in fans]
        names[sel] = [f.name for f in fans]
        for grp, accs in (("regular", community.regulars[p]), ("transient", community.transients[p])):
            sel = on & (group == grp)
            ids[sel] = accs.ids[account[sel]]
            handles[sel] = accs.handles[account[sel]]
            names[sel] = accs.names[account[sel]]
    return ids, handles, names
