"""When things happen in the demo community: threads, replies and their times (the planted truths' shape).

Every conversation is a thread: a starter message and its replies. Kinds of thread:

``question``   a member asks (support or brewing); the brand answers, sometimes a member first
``discussion`` a member shares something; only members reply (a conversation without a catalyst)
``joined``     a member discussion the brand joins later
``brand``      the brand posts; members reply
``transient``  a one-off support question from a member who never comes back
``crisis``     the pricing error of October 2026: complaints, replies, a brand apology
``meetup``     members talking about the Madrid latte art meetup, the week after it
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.demo.common import (
    CAMPAIGN,
    CRISIS_WEEK,
    DAYS,
    END_S,
    LAUNCH_DAY,
    MEETUP_DAY,
    day_index,
    day_start_local_s,
    local_naive_to_utc_s,
    utc_s_to_local_naive,
)

HOUR = 3600
# Member activity by local hour: evenings busy, 03:00-06:00 silent.
WEEKDAY_HOURS = np.array(
    [
        0.55,
        0.2,
        0.05,
        0,
        0,
        0,
        0.08,
        0.35,
        0.7,
        0.9,
        1.0,
        1.0,
        1.0,
        1.1,
        0.9,
        0.9,
        0.9,
        1.0,
        1.1,
        1.2,
        1.3,
        1.5,
        1.5,
        1.1,
    ]
)
SUNDAY_HOURS = WEEKDAY_HOURS * np.where((np.arange(24) >= 8) & (np.arange(24) < 12), 2.2, 0.9)
SATURDAY_HOURS = WEEKDAY_HOURS * np.where((np.arange(24) >= 9) & (np.arange(24) < 14), 1.3, 1.0)

KIND_SHARES = {"question": 0.40, "discussion": 0.30, "joined": 0.15, "brand": 0.15}
PLATFORM_SHARES = {
    "question": (0.62, 0.12, 0.26),
    "discussion": (0.65, 0.15, 0.2),
    "joined": (0.62, 0.12, 0.26),
    "brand": (0.55, 0.15, 0.3),
    "transient": (0.6, 0.1, 0.3),
    "crisis": (0.6, 0.3, 0.1),
    "meetup": (0.6, 0.4, 0.0),
}
PLATFORMS = ("slack", "discord", "discourse")
# Channels per (platform, kind): (names, shares).
CHANNELS = {
    ("slack", "question"): (("help", "general"), (0.7, 0.3)),
    ("slack", "transient"): (("help",), (1.0,)),
    ("slack", "discussion"): (("general",), (1.0,)),
    ("slack", "brand"): (("general",), (1.0,)),
    ("slack", "crisis"): (("general", "help"), (0.6, 0.4)),
    ("slack", "meetup"): (("general",), (1.0,)),
    ("discord", "question"): (("support", "brew-lab"), (0.6, 0.4)),
    ("discord", "transient"): (("support",), (1.0,)),
    ("discord", "discussion"): (("general", "brew-lab"), (0.55, 0.45)),
    ("discord", "brand"): (("general",), (1.0,)),
    ("discord", "crisis"): (("general", "support"), (0.6, 0.4)),
    ("discord", "meetup"): (("general",), (1.0,)),
    ("discourse", "question"): (("Support", "Brewing"), (0.6, 0.4)),
    ("discourse", "transient"): (("Support",), (1.0,)),
    ("discourse", "discussion"): (("Brewing", "Gear"), (0.6, 0.4)),
    ("discourse", "brand"): (("Announcements",), (1.0,)),
    ("discourse", "crisis"): (("Support",), (1.0,)),
}
SUPPORT_CHANNELS = {"help", "support", "Support"}


def daily_rate() -> np.ndarray:
    """Relative member activity per demo day: growth over the year, holidays, launch and campaign."""
    day = np.arange(DAYS)
    rate = 0.65 + 0.7 * day / (DAYS - 1)
    dates = pd.date_range("2025-11-01", periods=DAYS, freq="D")
    rate = rate * np.where((dates.month == 12) & (dates.day >= 24), 0.6, 1.0)
    rate = rate * np.where(dates.month == 8, 0.8, 1.0)
    launch = day_index(LAUNCH_DAY)
    rate[launch : launch + 7] *= 1.4
    rate[day_index(CAMPAIGN[0]) : day_index(CAMPAIGN[1]) + 1] *= 1.1
    return rate


def member_times(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw a Unix time on each given demo day, following the members' local hour profile."""
    weekday = (days + 5) % 7  # day 0 (2025-11-01) was a Saturday
    hours = np.empty(len(days), dtype="int64")
    for wd, prof in ((5, SATURDAY_HOURS), (6, SUNDAY_HOURS)):
        sel = weekday == wd
        hours[sel] = rng.choice(24, size=int(sel.sum()), p=prof / prof.sum())
    sel = weekday < 5
    hours[sel] = rng.choice(24, size=int(sel.sum()), p=WEEKDAY_HOURS / WEEKDAY_HOURS.sum())
    local = day_start_local_s(days) + hours * HOUR + rng.integers(0, HOUR, len(days))
    return local_naive_to_utc_s(local)


def brand_times(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw a Unix time in business hours (09:30-17:30 local) on each given weekday."""
    local = day_start_local_s(days) + 9 * HOUR + 1800 + rng.integers(0, 8 * HOUR, len(days))
    return local_naive_to_utc_s(local)


def draw_days(n: int, rate: np.ndarray, rng: np.random.Generator, weekdays_only: bool = False) -> np.ndarray:
    """Draw ``n`` demo days with probability proportional to ``rate``, sorted."""
    p = rate.copy()
    if weekdays_only:
        p[(np.arange(DAYS) + 5) % 7 >= 5] = 0
    return np.sort(rng.choice(DAYS, size=n, p=p / p.sum()))


def next_open(utc_s: np.ndarray, open_h: int, close_h: int, weekdays: tuple[int, ...]) -> np.ndarray:
    """Return each time itself if it falls inside the window, else the window's next opening (Unix s)."""
    loc = utc_s_to_local_naive(utc_s)
    day = loc // 86400
    sec = loc % 86400
    out = np.full(len(loc), -1, dtype="int64")
    inside = np.isin((day + 3) % 7, weekdays) & (sec >= open_h * HOUR) & (sec < close_h * HOUR)
    out[inside] = loc[inside]
    for j in range(8):
        cand = (day + j) * 86400 + open_h * HOUR
        ok = (out < 0) & np.isin((day + j + 3) % 7, weekdays) & (cand > loc)
        out[ok] = cand[ok]
    return np.where(inside, utc_s, local_naive_to_utc_s(out))


def brand_reply_times(t0: np.ndarray, fast: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """When the brand answers a thread started at ``t0``: about 1-2 h inside business hours, else the next
    business morning. ``fast`` (crisis) answers run 08:00-21:00 on weekdays and also on Saturday mornings."""
    n = len(t0)
    delay = np.clip(rng.lognormal(np.log(1.3 * HOUR), 0.7, n), 600, 6 * HOUR).astype("int64")
    delay = np.where(fast, (delay * 0.5).astype("int64"), delay)
    opened = next_open(t0, 9, 18, (0, 1, 2, 3, 4))
    t1 = opened + np.where(
        opened > t0, np.clip(rng.lognormal(np.log(0.9 * HOUR), 0.6, n), 300, 7 * HOUR), delay
    ).astype("int64")
    if fast.any():
        fo = next_open(t0[fast], 8, 21, (0, 1, 2, 3, 4)).astype("int64")
        sat = next_open(t0[fast], 10, 14, (5,))
        fo = np.minimum(fo, sat)
        t1[fast] = fo + np.where(fo > t0[fast], 1200, delay[fast])
    # An answer past closing time waits for the next opening (crisis answers: past 21:00, or on Sunday).
    late = next_open(t1, 9, 18, (0, 1, 2, 3, 4)) != t1
    extended = (next_open(t1, 8, 21, (0, 1, 2, 3, 4)) == t1) | (next_open(t1, 10, 14, (5,)) == t1)
    late &= ~(fast & extended)
    t1[late] = next_open(t1[late], 9, 18, (0, 1, 2, 3, 4)) + rng.integers(600, 2 * HOUR, int(late.sum()))
    return t1


def quiet_hours_shift(utc_s: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move member messages that would fall between 03:00 and 06:00 local to just after 06:00."""
    loc = utc_s_to_local_naive(utc_s)
    sec = loc % 86400
    bad = (sec >= 3 * HOUR) & (sec < 6 * HOUR)
    if not bad.any():
        return utc_s
    loc = loc.copy()
    loc[bad] = loc[bad] - sec[bad] + 6 * HOUR + rng.integers(60, 80 * 60, int(bad.sum()))
    out = utc_s.copy()
    out[bad] = local_naive_to_utc_s(loc[bad])
    return out


def crisis_days(n: int, rng: np.random.Generator) -> np.ndarray:
    """Days of the pricing-error threads: the week of Monday 2026-10-12, most on the 13th to 15th."""
    weights = np.array([0.04, 0.3, 0.3, 0.22, 0.08, 0.04, 0.02])
    return day_index(CRISIS_WEEK) + rng.choice(7, size=n, p=weights)


def meetup_days(n: int, rng: np.random.Generator) -> np.ndarray:
    """Days of the meetup threads: the week after the meetup, most in its first days."""
    weights = np.array([0.3, 0.22, 0.16, 0.12, 0.09, 0.06, 0.05])
    return day_index(MEETUP_DAY) + 1 + rng.choice(7, size=n, p=weights)


def channels_for(platform: np.ndarray, kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pick a channel for each thread from its platform and kind."""
    out = np.empty(len(platform), dtype=object)
    u = rng.random(len(platform))
    base = np.where(np.isin(kind, ("joined",)), "discussion", kind)
    for (p, k), (names, shares) in sorted(CHANNELS.items()):
        sel = (platform == p) & (base == k)
        if sel.any():
            cum = np.cumsum(shares)
            out[sel] = np.asarray(names, dtype=object)[np.searchsorted(cum, u[sel] * cum[-1], side="right")]
    return out


def end_s() -> int:
    """The instant the demo's exports stop (local midnight after 2026-10-31)."""
    return END_S
