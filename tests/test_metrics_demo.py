"""The new metrics recover what the demo client was built to show (``demo_truths()``), end to end from its
raw exports: transients, the Autumn Roast campaign's lift, the superfans among the advocates and the core."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from community_health.config import load_client, read_events
from community_health.demo import demo_truths
from community_health.enrich import enrich_messages
from community_health.ingest import load_tables
from community_health.metrics import Window, campaigns, core, health, loyalty, summary

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo client ingested and enriched from a copy of ``data/demo`` (its exports as shipped)."""
    data = tmp_path_factory.mktemp("metrics_demo")
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    cfg = load_client("demo", data)
    tables = load_tables(cfg)
    enrichment = enrich_messages(tables.messages, cfg.paths.normalised / "enrichment.parquet", workers=1)
    return {
        "cfg": cfg,
        "messages": tables.messages,
        "posts": tables.posts,
        "enrichment": enrichment,
        "events": read_events(cfg.paths.events, cfg.timezone),
        "october": Window.from_period("2026-10", cfg.timezone),
        "truths": demo_truths(),
    }


def test_the_planted_transients_are_found(demo) -> None:
    cfg, truths = demo["cfg"], demo["truths"]
    year = Window(pd.Timestamp("2025-11-01", tz=cfg.timezone), demo["october"].end, cfg.timezone)
    found = loyalty.transient_members(demo["messages"], demo["enrichment"], year)
    found_keys = set(zip(found["platform"], found["author_id"], strict=True))
    planted = {(platform, author) for platform, ids in truths.transient_ids.items() for author in ids}
    assert len(planted) == 150
    assert planted <= found_keys  # every one-off support question is found ...
    # ... and they are most of those found (the rest are real one-off askers and complainers too).
    assert len(planted) / len(found_keys) >= 0.5
    rows = loyalty.transient_messages(demo["messages"], demo["enrichment"], year)
    assert (rows["is_question"] | rows["is_complaint"]).all()
    share = loyalty.transient_member_share(demo["messages"], demo["enrichment"], demo["october"])
    assert 0 < share < 0.5


def test_the_autumn_roast_lifted_engagement(demo) -> None:
    truths = demo["truths"]
    assert truths.campaign_window == ("2026-10-01", "2026-10-21")
    table = campaigns.event_impact(
        demo["messages"],
        demo["posts"],
        demo["enrichment"],
        demo["events"],
        demo["october"],
        demo["cfg"].thresholds,
    )
    rates = table.loc[(table["event"] == "Autumn Roast") & (table["metric"] == "engagement_rate")]
    rates = rates.set_index("scope")
    assert set(rates.index) == {"all", "x", "facebook"}
    for platform in ("x", "facebook"):
        _, _, planted_lift = truths.campaign_engagement_rate[platform]
        row = rates.loc[platform]
        assert row["value"] > row["before"]
        assert row["value"] / row["before"] == pytest.approx(planted_lift, abs=0.25)
    assert rates.loc["all", "conclusion"] == "higher"
    assert rates.loc["x", "before"] == pytest.approx(truths.campaign_engagement_rate["x"][1], abs=0.001)
    timeline = campaigns.event_timeline(demo["events"], demo["october"])
    assert {"Autumn Roast", "Pricing error"} <= set(timeline["name"])


def test_the_superfans_are_the_advocates_and_the_core(demo) -> None:
    truths, october = demo["truths"], demo["october"]
    messages, enrichment, thresholds = demo["messages"], demo["enrichment"], demo["cfg"].thresholds
    advocates = core.advocates(messages, enrichment, october, thresholds)
    fans = {(platform, author) for platform, ids in truths.superfan_ids.items() for author in ids}
    keys = set(zip(advocates["platform"], advocates["author_id"], strict=True))
    assert len(set(advocates["author_name"]) & set(truths.superfans)) >= 10  # of the 13 superfans
    assert len(keys & fans) / len(keys) >= 0.8  # and advocates are mostly superfans
    # Every superfan account active in October is in the onion's core.
    onion = core.activity_onion(messages, october)
    active_fans = onion.loc[[key in fans for key in zip(onion["platform"], onion["author_id"], strict=True)]]
    assert len(active_fans) >= 20 and (active_fans["layer"] == "core").all()
    # The inner Orbit circle is made of superfans.
    orbit = core.orbit_levels(messages, october)
    inner = orbit.loc[orbit["level"] == 1]
    assert (
        sum(key in fans for key in zip(inner["platform"], inner["author_id"], strict=True)) / len(inner)
        >= 0.8
    )


def test_the_health_score_and_the_summary_carry_the_new_figures(demo) -> None:
    cfg = demo["cfg"]
    score = health.health_score(
        demo["messages"], demo["enrichment"], demo["october"], cfg.health_weights, cfg.thresholds
    )
    assert 0 <= score.value <= 100
    assert score.components["score"].notna().all()
    assert score.components["weight"].tolist() == [0.25, 0.25, 0.2, 0.2, 0.1]
    result = summary(demo["messages"], demo["posts"], demo["enrichment"], cfg, "2026-10")["metrics"]
    assert result["campaigns"]["events_in_period"]["value"] == 2  # Autumn Roast and the pricing error
    assert result["health"]["health_score"]["value"] == round(score.value, 1)
    assert result["loyalty"]["transient_members"]["value"] > 0
    assert result["core"]["advocates"]["value"] >= 10
