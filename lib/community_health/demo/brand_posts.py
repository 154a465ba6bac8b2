"""The brand's own posts on X and Facebook, with the counts their analytics exports report.

Engagement rate (engagements / impressions) is drawn around a steady level for each network; posts of the
Autumn Roast campaign (2026-10-01 to 2026-10-21) get 1.5 times that level. Brand posts do not scale with
the number of member messages: a brand publishes what it publishes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.demo.common import (
    CAMPAIGN,
    CRISIS,
    DAYS,
    day_index,
    day_start_local_s,
    local_naive_to_utc_s,
    rng_for,
)

CAMPAIGN_LIFT = 1.5
X_TEXTS = (
    "Fresh roast day ☕\n\nThe {p} is back on the shelf.\nOrder by Sunday, it ships Monday.",
    "How do you brew yours? 👇\n\nV60, Aeropress, espresso or cold brew?",
    "Behind the scenes at the roastery: Tomás cupping this week's batch.\nGreat notes of cocoa and plum.",
    "New on the blog: dialing in espresso at home, step by step.\nhttps://t.co/k3Jx8pQ2",
    "Weekend plans: a slow pour over and a good book 📚☕",
    "We love seeing your setups! Tag us with #BrightbrewAtHome",
    "The {p}: bright, sweet and juicy.\nOur favourite this month.",
    "Subscription tip: you can pause or swap beans any time from your account.",
)
CAMPAIGN_TEXTS = (
    "Autumn Roast is here 🍂\n\nFig, cocoa and toasted hazelnut.\n"
    "Limited batch: https://t.co/aR0ast26 #AutumnRoast",
    "Cosy mornings call for the Autumn Roast 🍂☕\nWhat are you pairing it with? #AutumnRoast",
    "Autumn Roast giveaway 🎁\nReply with your favourite autumn brew to win a bag! #AutumnRoast",
    "Only a few bags of the Autumn Roast left 🍂\nhttps://t.co/aR0ast26 #AutumnRoast",
)
APOLOGY = (
    "We made a mistake: a pricing error charged some orders the wrong amount.\n\nEvery affected order is "
    "being refunded in full, with a 20% voucher. We're sorry. Details: https://t.co/fx9Pr1ce"
)
PRODUCTS = ("Ethiopia Guji", "Colombia Huila", "Kenya AA", "house espresso blend", "decaf Sierra")


def brand_posts(network: str, seed: int) -> pd.DataFrame:
    """Brand posts of ``network`` ("x" or "facebook"): time, text, kind, impressions, engagements, ..."""
    rng = rng_for(seed, f"posts-{network}")
    per_week = 6.0 if network == "x" else 3.5
    day = np.arange(DAYS)
    weekday = (day + 5) % 7
    camp = (day >= day_index(CAMPAIGN[0])) & (day <= day_index(CAMPAIGN[1]))
    p = np.where(weekday < 5, 1.0, 0.25) * np.where(camp, 1.6, 1.0)
    n = round(per_week * DAYS / 7)
    days = np.sort(rng.choice(DAYS, size=n, replace=True, p=p / p.sum()))
    local = day_start_local_s(days) + 9 * 3600 + rng.integers(0, 9 * 3600, n)
    t = local_naive_to_utc_s(local)
    in_camp = (days >= day_index(CAMPAIGN[0])) & (days <= day_index(CAMPAIGN[1]))
    crisis = (days >= day_index(CRISIS[0])) & (days <= day_index(CRISIS[1]))
    texts = np.asarray(X_TEXTS, dtype=object)[rng.integers(0, len(X_TEXTS), n)]
    texts = np.array(
        [s.replace("{p}", PRODUCTS[k % len(PRODUCTS)]) for k, s in enumerate(texts)], dtype=object
    )
    camp_text = np.asarray(CAMPAIGN_TEXTS, dtype=object)[rng.integers(0, len(CAMPAIGN_TEXTS), n)]
    texts = np.where(in_camp & ~crisis, camp_text, texts)
    kind = np.where(in_camp & ~crisis, "campaign", "regular").astype(object)
    apology = np.flatnonzero(days == day_index(CRISIS[0]) + 1)
    if apology.size:
        texts[apology[0]] = APOLOGY
        kind[apology[0]] = "apology"

    followers = (8000 if network == "x" else 15000) * (1 + 0.5 * days / DAYS)
    reach_share = 0.22 if network == "x" else 0.12
    impressions = np.maximum(50, np.round(followers * reach_share * rng.lognormal(0, 0.45, n))).astype(
        "int64"
    )
    base = 0.018 if network == "x" else 0.035
    rate = base * rng.lognormal(0, 0.25, n) * np.where(kind == "campaign", CAMPAIGN_LIFT, 1.0)
    # The campaign's lift is planted exactly: the mean rate in the window is CAMPAIGN_LIFT times the mean of
    # the 21 days before (before rounding to whole engagements).
    d0 = day_index(CAMPAIGN[0])
    before = (days >= d0 - 21) & (days < d0)
    if before.any() and (kind == "campaign").any():
        inside = in_camp & (kind != "apology")
        target = CAMPAIGN_LIFT * rate[before].mean() * inside.sum()
        others = rate[inside & (kind != "campaign")].sum()
        rate[kind == "campaign"] *= (target - others) / rate[kind == "campaign"].sum()
    rate = np.where(kind == "apology", base * 2.5, rate)
    engagements = np.round(impressions * rate).astype("int64")
    shares = np.array([0.42, 0.08, 0.06, 0.07, 0.12, 0.03, 0.2, 0.02])
    parts = np.array([rng.multinomial(e, shares) for e in engagements]).reshape(n, len(shares))
    if apology.size:
        parts[apology[0], 2] += parts[apology[0], 0] // 2
        parts[apology[0], 0] -= parts[apology[0], 0] // 2
    frame = pd.DataFrame(
        {
            "t": t,
            "day": days,
            "text": texts,
            "kind": kind,
            "impressions": impressions,
            "likes": parts[:, 0],
            "shares": parts[:, 1],
            "replies": parts[:, 2],
            "profile_clicks": parts[:, 3],
            "url_clicks": parts[:, 4],
            "hashtag_clicks": parts[:, 5],
            "detail_expands": parts[:, 6],
            "follows": parts[:, 7],
        }
    )
    frame["engagements"] = parts.sum(axis=1)
    frame["media_views"] = np.where(
        rng.random(n) < 0.5, (impressions * rng.uniform(0.05, 0.2, n)).astype("int64"), 0
    )
    frame["is_video"] = rng.random(n) < 0.15
    return frame


def engagement_lift(posts: pd.DataFrame) -> tuple[float, float, float]:
    """Mean engagement rate in the campaign window (the crisis apology aside), in the 21 days before it, and
    their ratio."""
    rate = posts["engagements"] / posts["impressions"]
    d0, d1 = day_index(CAMPAIGN[0]), day_index(CAMPAIGN[1])
    window = (posts["day"] >= d0) & (posts["day"] <= d1) & (posts["kind"] != "apology")
    inside = rate[window].mean()
    before = rate[(posts["day"] >= d0 - 21) & (posts["day"] < d0)].mean()
    return float(inside), float(before), float(inside / before)
