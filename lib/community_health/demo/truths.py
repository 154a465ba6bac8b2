"""The planted truths of the demo, measured on the generated messages themselves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_health.demo.bad_rows import BadRow
from community_health.demo.brand_posts import engagement_lift
from community_health.demo.common import CAMPAIGN, MEETUP_DAY, TIMEZONE, day_index, local_parts
from community_health.demo.people import SUPERFANS, superfan_ids
from community_health.demo.texts import NEGATIVE_WORDS
from community_health.demo.writers_brandwatch import AMPLIFIER, AMPLIFIER_AT

SPIKE_DAYS = ("2026-10-13", "2026-10-14", "2026-10-15")


@dataclass(frozen=True)
class DemoTruths:
    """What the demo was built to show, with the numbers it holds (see the package docstring)."""

    messages: int
    seed: int
    member_messages: int
    member_messages_by_platform: dict[str, int]
    members: int
    members_by_platform: dict[str, int]
    superfans: tuple[str, ...]
    superfan_ids: dict[str, tuple[str, ...]]
    superfan_share: float
    spike_days: tuple[str, ...]
    spike_negative: dict[str, int]
    baseline_negative_median: float
    amplifier_handle: str
    amplifier_followers: int
    amplifier_posted_local: str
    amplifier_url: str
    transient_ids: dict[str, tuple[str, ...]]
    member_threads: int
    unanswered_thread_ids: dict[str, tuple[str, ...]]
    unanswered_share: float
    still_open_thread_ids: tuple[str, ...]
    no_catalyst_threads: int
    brand_response_median_hours_business: float
    brand_response_median_hours_outside: float
    first_response_median_hours: float
    brand_messages_late_evening_or_sunday_morning: int
    member_messages_late_evening: int
    member_messages_sunday_morning: int
    member_messages_03_06: int
    campaign_window: tuple[str, str]
    campaign_engagement_rate: dict[str, tuple[float, float, float]]
    meetup_day: str
    meetup_week_messages: int
    meetup_prior_weekly_mean: float
    discord_thread_file_id: str = ""
    quarantined_rows: tuple[BadRow, ...] = ()


def negative_count(text: pd.Series) -> pd.Series:
    """Whether each text holds one of the complaint words (refund, terrible, angry, ...)."""
    low = text.str.lower()
    out = pd.Series(False, index=text.index)
    for w in NEGATIVE_WORDS:
        out |= low.str.contains(w, regex=False)
    return out


def measure(
    messages: int,
    seed: int,
    msgs: pd.DataFrame,
    author_ids: np.ndarray,
    handles: np.ndarray,
    mentions: pd.DataFrame,
    x_posts: pd.DataFrame,
    fb_posts: pd.DataFrame,
    thread_file: str,
    bad_rows: tuple[BadRow, ...] = (),
) -> DemoTruths:
    """Measure the planted truths on the generated community, mentions and brand posts; ``bad_rows`` are
    the rows planted for the ingest to quarantine (see :mod:`community_health.demo.bad_rows`)."""
    msgs = msgs.assign(author=np.where(msgs["platform"] == "discourse", handles, author_ids))
    member = msgs["role"] == "member"
    mem = msgs[member]
    n_member = int(member.sum()) + len(mentions)
    by_platform = {p: int(n) for p, n in mem.groupby("platform").size().items()}
    by_platform["listening"] = len(mentions)
    accounts = mem.groupby("platform")["author"].nunique()
    members_by = {p: int(n) for p, n in accounts.items()}
    members_by["listening"] = int(
        mentions["author"].where(mentions["author"] != "", mentions["domain"]).nunique()
    )
    sf_share = float((mem["group"] == "superfan").sum() / n_member)

    day, hour, weekday = local_parts(msgs["t"].to_numpy())
    local_day = pd.to_datetime(msgs["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%d")
    texts = msgs["text"].astype(str)
    neg = negative_count(texts) & member
    mday = pd.to_datetime(mentions["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%d")
    mneg = negative_count(mentions["text"].astype(str))
    daily = pd.concat([local_day[neg], mday[mneg]]).value_counts()
    days = pd.date_range("2025-11-01", "2026-10-31", freq="D").strftime("%Y-%m-%d")
    daily = daily.reindex(days, fill_value=0)
    before = daily.loc["2026-09-14":"2026-10-11"]

    starters = msgs[msgs["seq"] == 0]
    member_threads = starters[starters["role"] == "member"]
    size = msgs.groupby("thread").size()
    has_brand = (msgs["role"] == "brand").groupby(msgs["thread"]).any()
    lone = member_threads[size.loc[member_threads["thread"]].to_numpy() == 1]
    unanswered = {p: tuple(g["thread_key"].tolist()) for p, g in lone.groupby("platform")}
    late = lone[lone["t"] >= pd.Timestamp("2026-10-25", tz=TIMEZONE).timestamp()]
    answered = member_threads[size.loc[member_threads["thread"]].to_numpy() > 1]
    no_catalyst = int((~has_brand.loc[answered["thread"]].to_numpy()).sum())

    first_brand = msgs[(msgs["role"] == "brand") & (msgs["seq"] > 0)].groupby("thread")["t"].min()
    first_any = msgs[msgs["seq"] > 0].groupby("thread")["t"].min()
    t0 = member_threads.set_index("thread")["t"]
    wait = ((first_brand - t0).dropna() / 3600).loc[lambda s: s.index.isin(t0.index)]
    _, h0, w0 = local_parts(t0.loc[wait.index].to_numpy())
    business = (w0 < 5) & (h0 >= 9) & (h0 < 18)
    anyone = ((first_any - t0).dropna() / 3600).loc[lambda s: s.index.isin(t0.index)]

    brand = (msgs["role"] == "brand").to_numpy()
    evening = (hour >= 21) | (hour < 1)
    sunday_morning = (weekday == 6) & (hour >= 8) & (hour < 12)
    slack_discord = msgs["platform"].isin(["slack", "discord"]).to_numpy() & member.to_numpy()
    meet0 = day_index(MEETUP_DAY) + 1
    week = int((slack_discord & (day >= meet0) & (day < meet0 + 7)).sum())
    prior = float((slack_discord & (day >= meet0 - 29) & (day < meet0 - 1)).sum() / 4)
    sf_ids = {p: tuple(superfan_ids(p)) for p in ("slack", "discord", "discourse")}
    transient = mem[mem["group"] == "transient"]
    return DemoTruths(
        messages=messages,
        seed=seed,
        member_messages=n_member,
        member_messages_by_platform=by_platform,
        members=int(sum(members_by.values())),
        members_by_platform=members_by,
        superfans=tuple(s.name for s in SUPERFANS),
        superfan_ids=sf_ids,
        superfan_share=round(sf_share, 4),
        spike_days=SPIKE_DAYS,
        spike_negative={d: int(daily[d]) for d in SPIKE_DAYS},
        baseline_negative_median=float(before.median()),
        amplifier_handle=AMPLIFIER[0],
        amplifier_followers=AMPLIFIER[1],
        amplifier_posted_local=AMPLIFIER_AT,
        amplifier_url=str(mentions.loc[mentions["author"] == AMPLIFIER[0], "url"].iat[0]),
        transient_ids={p: tuple(g["author"].tolist()) for p, g in transient.groupby("platform")},
        member_threads=len(member_threads),
        unanswered_thread_ids=unanswered,
        unanswered_share=round(len(lone) / max(1, len(member_threads)), 4),
        still_open_thread_ids=tuple(late["thread_key"].tolist()),
        no_catalyst_threads=no_catalyst,
        brand_response_median_hours_business=round(float(wait[business].median()), 2),
        brand_response_median_hours_outside=round(float(wait[~business].median()), 2),
        first_response_median_hours=round(float(anyone.median()), 2),
        brand_messages_late_evening_or_sunday_morning=int((brand & (evening | sunday_morning)).sum()),
        member_messages_late_evening=int((~brand & evening).sum()),
        member_messages_sunday_morning=int((~brand & sunday_morning).sum()),
        member_messages_03_06=int((~brand & (hour >= 3) & (hour < 6)).sum()),
        campaign_window=(CAMPAIGN[0].isoformat(), CAMPAIGN[1].isoformat()),
        campaign_engagement_rate={
            "x": tuple(round(v, 4) for v in engagement_lift(x_posts)),
            "facebook": tuple(round(v, 4) for v in engagement_lift(fb_posts)),
        },
        meetup_day=MEETUP_DAY.isoformat(),
        meetup_week_messages=week,
        meetup_prior_weekly_mean=prior,
        discord_thread_file_id=thread_file,
        quarantined_rows=bad_rows,
    )
