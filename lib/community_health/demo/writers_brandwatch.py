"""The demo's Brandwatch mentions export: mentions of Brightbrew on X, news sites and blogs.

Quirks kept: metadata lines above the header (report name, date range, a blank line); ``Date`` like
``2026-10-13 14:22:05.0`` in the client's local time with no zone; ``Twitter Followers`` without
separators, empty for articles and for some tweets; ``Url`` unique per mention.

It carries the well-connected angry customer: on 2026-10-13 ``@marta_eats`` (182,400 followers) posts
about the pricing error, and dozens of negative mentions follow in the next three days.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from community_health.demo.common import DAYS, TIMEZONE, day_index, day_start_local_s, rng_for
from community_health.demo.jsonout import write_text
from community_health.demo.people import FIRST_NAMES, LAST_NAMES
from community_health.demo.timeline import WEEKDAY_HOURS, daily_rate

HEADER = [
    "Query Id",
    "Query Name",
    "Date",
    "Title",
    "Url",
    "Domain",
    "Sentiment",
    "Page Type",
    "Author",
    "Full Text",
    "Twitter Followers",
    "Twitter Verified",
    "Country",
]
AMPLIFIER = ("marta_eats", 182_400)
AMPLIFIER_TEXT = (
    "Ordered a 250 g bag from @brightbrew and got charged 89 EUR. Wrong price, no email, no answer. "
    "Pricing error or scam? Really angry and disappointed. Want my refund. #Brightbrew"
)
AMPLIFIER_AT = "2026-10-13 10:42:17"
QUERY = ("2001873412", "Brightbrew - brand mentions")
TEXTS = {
    "positive": (
        "Loving my @brightbrew Autumn Roast this morning ☕",
        "Best coffee subscription I've tried, great beans from @brightbrew",
        "The @brightbrew Cold Brew Kit is amazing, so easy",
        "Amazing latte art meetup by @brightbrew in Madrid today!",
        "Great customer service from @brightbrew, love them",
    ),
    "neutral": (
        "Trying @brightbrew beans for the first time",
        "Anyone compared @brightbrew and other roasters?",
        "@brightbrew is doing an autumn blend again",
        "New coffee shop list: Brightbrew, Lot 8 and more",
    ),
    "negative": (
        "My @brightbrew delivery is late again, disappointed",
        "@brightbrew grinder arrived broken, waiting on a refund",
        "Not impressed with the new @brightbrew packaging",
    ),
    "crisis": (
        "@brightbrew overcharged me too! Wrong price on every bag. Refund now. cc @marta_eats",
        "Same thing happened to me @marta_eats, terrible. @brightbrew where is my refund?",
        "Brightbrew pricing error: customers angry after being charged ten times the price",
        "@brightbrew this is terrible, 120 EUR for a refill. Disappointed.",
        "RT @marta_eats: Ordered a 250 g bag from @brightbrew and got charged 89 EUR. Wrong price…",
        "Coffee subscription Brightbrew apologises for pricing error, promises refunds",
    ),
}
COUNTRIES = ("Spain", "Spain", "Spain", "United Kingdom", "Portugal", "France", "Germany")


def mentions(n: int, seed: int) -> pd.DataFrame:
    """``n`` mentions (about a third of them in the pricing-error week), sorted by time."""
    rng = rng_for(seed, "mentions")
    n_crisis = max(3, int(n * 0.3))
    n_base = max(1, n - n_crisis - 1)
    rate = daily_rate()
    days = rng.choice(DAYS, size=n_base, p=rate / rate.sum())
    u = rng.random(n_base)
    tone = np.where(u < 0.45, "positive", np.where(u < 0.85, "neutral", "negative")).astype(object)
    c_days = day_index(pd.Timestamp("2026-10-13").date()) + rng.choice(
        4, size=n_crisis, p=[0.4, 0.3, 0.2, 0.1]
    )
    days = np.concatenate([days, c_days])
    tone = np.concatenate([tone, np.repeat(np.array(["crisis"], dtype=object), n_crisis)])
    hours = rng.choice(24, size=len(days), p=WEEKDAY_HOURS / WEEKDAY_HOURS.sum())
    local = day_start_local_s(days) + hours * 3600 + rng.integers(0, 3600, len(days))
    k = len(days)
    page = np.where(rng.random(k) < 0.72, "twitter", np.where(rng.random(k) < 0.4, "news", "blog")).astype(
        object
    )
    pool = 40 + n // 3
    first = np.asarray(FIRST_NAMES, dtype=object)[np.arange(pool) % len(FIRST_NAMES)]
    last = np.asarray(LAST_NAMES, dtype=object)[(np.arange(pool) * 7) % len(LAST_NAMES)]
    handles = np.array(
        [f"{f.lower()}{ln[:4].lower()}{i % 89}" for i, (f, ln) in enumerate(zip(first, last, strict=True))],
        dtype=object,
    )
    who = rng.integers(0, pool, k)
    followers = np.round(rng.lognormal(np.log(350), 1.1, pool)).astype("int64")
    texts = np.empty(k, dtype=object)
    for name, pool_t in TEXTS.items():
        sel = tone == name
        texts[sel] = np.asarray(pool_t, dtype=object)[rng.integers(0, len(pool_t), int(sel.sum()))]
    frame = pd.DataFrame(
        {
            "local": local,
            "tone": tone,
            "page": page,
            "author": handles[who],
            "followers": followers[who],
            "text": texts,
        }
    )
    frame["followers"] = frame["followers"].where(rng.random(k) > 0.08, -1)
    amp = pd.Timestamp(AMPLIFIER_AT).value // 10**9
    top = pd.DataFrame(
        {
            "local": [amp],
            "tone": ["crisis"],
            "page": ["twitter"],
            "author": [AMPLIFIER[0]],
            "followers": [AMPLIFIER[1]],
            "text": [AMPLIFIER_TEXT],
        }
    )
    frame = pd.concat([frame, top], ignore_index=True).sort_values("local", kind="stable", ignore_index=True)
    frame["negative"] = frame["tone"].isin(["negative", "crisis"])
    utc = pd.to_datetime(frame["local"], unit="s").dt.tz_localize(
        TIMEZONE, ambiguous=False, nonexistent="shift_forward"
    )
    frame["t"] = utc.dt.tz_convert("UTC").astype("int64") // 10**9
    twitter = (frame["page"] == "twitter").to_numpy()
    site = np.where(frame["page"] == "news", "cafenews.es", "homebarista.blog")
    frame["domain"] = np.where(twitter, "twitter.com", site)
    frame["url"] = [
        f"https://twitter.com/{a}/status/{1850000000000000000 + k * 104729}"
        if tw
        else f"https://{d}/2026/brightbrew-{k}"
        for k, (a, tw, d) in enumerate(zip(frame["author"], twitter, frame["domain"], strict=True))
    ]
    frame["author"] = np.where(twitter, frame["author"], "")
    return frame


def write_brandwatch(root: Path, n: int, seed: int) -> pd.DataFrame:
    """Write the Brandwatch export under ``root`` (``exports/listening``); return the mentions written."""
    frame = mentions(n, seed)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["Brightbrew Coffee - mentions export"])
    writer.writerow(["2025-11-01 - 2026-10-31"])
    buf.write("\n")
    writer.writerow(HEADER)
    stamps = pd.to_datetime(frame["local"], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
    for k, r in enumerate(frame.itertuples(index=False)):
        url, domain, author, title = r.url, r.domain, r.author, r.text[:60]
        if r.page == "twitter":
            followers = "" if r.followers < 0 else str(int(r.followers))
            verified = "true" if r.followers > 100_000 else "false"
        else:
            followers, verified = "", ""
        sentiment = {"positive": "positive", "neutral": "neutral"}.get(r.tone, "negative")
        writer.writerow(
            [
                QUERY[0],
                QUERY[1],
                f"{stamps[k]}.0",
                title,
                url,
                domain,
                sentiment,
                r.page,
                author,
                r.text,
                followers,
                verified,
                COUNTRIES[k % len(COUNTRIES)],
            ]
        )
    write_text(root / "Brightbrew_mentions_2025-11-01_2026-10-31.csv", buf.getvalue())
    return frame
