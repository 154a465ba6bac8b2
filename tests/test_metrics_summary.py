"""The headline summary, the methodology catalogue, and the contract every metric function keeps."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from community_health.config import ClientConfig, ClientPaths, Thresholds, read_events
from community_health.metrics import (
    QUESTIONS,
    Window,
    catalogue,
    catalysts,
    health,
    loyalty,
    responsiveness,
    shared_work,
    summary,
)
from community_health.metrics import _figures as figures
from test_metrics_helpers import community, post, posts_frame, random_enrichment

MADRID = "Europe/Madrid"
CFG = ClientConfig(slug="demo", name="Demo", timezone=MADRID, paths=ClientPaths(Path("data/demo")))


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    messages = community(300, seed=7, start=pd.Timestamp("2026-08-25", tz="UTC"), days=70)
    posts = posts_frame(
        [post(f"p{i}", 24 * (i - 40), impressions=1000 + i, engagements=i) for i in range(60)]
    )
    return messages, posts, random_enrichment(messages, seed=7)


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("events") / "events.csv"
    path.write_text(
        "name,kind,start,end,channel,notes\n"
        "Autumn,campaign,2026-10-01,2026-10-21,x;discourse,\n"
        "Meetup,meetup,2026-09-19,,discourse,\n",
        encoding="utf-8",
    )
    return read_events(path, MADRID)


@pytest.fixture(scope="module")
def october(data, events) -> dict[str, Any]:
    return summary(*data, CFG, "2026-10", events)


def test_summary_holds_every_figure_for_the_period_and_the_previous_one(october) -> None:
    result = october
    assert set(result) == {"client", "period", "period_label", "window", "previous_window", "metrics"}
    assert result["period_label"] == "October 2026"
    assert result["window"] == {
        "start": "2026-09-30T22:00:00+00:00",
        "end": "2026-10-31T23:00:00+00:00",
        "timezone": MADRID,
    }
    assert result["previous_window"]["end"] == result["window"]["start"]
    assert list(result["metrics"]) == list(QUESTIONS)
    for question, figures_ in result["metrics"].items():
        assert figures_, question
        for name, figure in figures_.items():
            assert set(figure) == {"value", "previous", "change", "relative_change", "unit", "metric"}, name
            assert figure["unit"], name


def test_summary_values_are_the_metric_functions_for_both_windows(data, october) -> None:
    messages, _, _ = data
    result = october["metrics"]
    window = Window.from_period("2026-10", MADRID)
    active = result["loyalty"]["active_members"]
    assert active["value"] == loyalty.active_member_count(messages, window)
    assert active["previous"] == loyalty.active_member_count(messages, window.previous())
    assert active["change"] == active["value"] - active["previous"]
    median = result["responsiveness"]["median_first_response_hours"]
    assert median["value"] == round(responsiveness.median_first_response_hours(messages, window), 2)
    assert result["catalysts"]["member_to_member_reply_share"]["value"] == round(
        catalysts.member_to_member_reply_share(messages, window), 4
    )


def test_summary_is_byte_identical_across_runs(data, october, events) -> None:
    messages, posts, enrichment = data
    first = json.dumps(october, sort_keys=True)
    second = json.dumps(summary(messages.copy(), posts, enrichment, CFG, "2026-10", events), sort_keys=True)
    assert first == second
    assert "NaN" not in first


def test_summary_of_an_empty_month_is_null_not_zero(data, events) -> None:
    messages, posts, enrichment = data
    result = summary(messages, posts, enrichment, CFG, "2027-06", events)["metrics"]
    assert result["loyalty"]["active_members"]["value"] == 0
    assert result["responsiveness"]["median_first_response_hours"]["value"] is None
    assert result["listening"]["net_sentiment"]["value"] is None
    assert result["loyalty"]["transient_member_share"]["value"] is None
    assert result["core"]["advocates"]["value"] == 0
    assert result["catalysts"]["one_to_one_share"]["value"] is None
    assert result["health"]["health_score"]["value"] is None


def all_figures(messages, posts, enrichment, window: Window) -> dict[str, Any]:
    return {
        f.name: f.function(*f.args, window=window, **f.kwargs)
        for f in figures(messages, posts, enrichment, CFG)
    }


def test_shared_work_gives_the_same_numbers(data) -> None:
    messages, posts, enrichment = data
    window = Window.from_period("2026-10", MADRID)
    alone = all_figures(messages, posts, enrichment, window)
    with shared_work():
        shared = all_figures(messages, posts, enrichment, window)
        again = all_figures(messages, posts, enrichment, window)
    assert alone == shared == again


def test_changing_a_table_returned_inside_shared_work_changes_nothing_else(data) -> None:
    messages, _, _ = data
    window = Window.from_period("2026-10", MADRID)
    with shared_work():
        table = responsiveness.member_thread_response_times(messages, window)
        table["first_response_hours"] = -1.0
        assert (
            responsiveness.member_thread_response_times(messages, window)["first_response_hours"] != -1
        ).any()


def test_catalogue_lists_every_metric_with_its_definition() -> None:
    table = catalogue()
    assert list(table.columns) == ["question", "metric", "definition", "unit", "source"]
    assert list(dict.fromkeys(table["question"])) == list(QUESTIONS)
    row = table.set_index("metric").loc["median_first_response_hours"]
    assert row["question"] == "responsiveness"
    assert row["unit"] == "hours"
    assert "CHAOSS" in row["source"]
    assert row["definition"].startswith("Median time to first response: the time from a member")
    assert "\n" not in row["definition"]
    assert table["definition"].str.len().min() > 20
    assert not table["metric"].duplicated().any()


def test_every_summary_figure_is_defined_in_the_catalogue(october) -> None:
    listed = set(catalogue()["question"] + "." + catalogue()["metric"])
    for figures_ in october["metrics"].values():
        for figure in figures_.values():
            assert figure["metric"] in listed


def metric_functions() -> list[Any]:
    return [
        function
        for module in QUESTIONS.values()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module.__name__
    ]


@pytest.mark.parametrize("function", metric_functions(), ids=lambda f: f.__name__)
def test_every_metric_is_typed_and_documented(function) -> None:
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values())
    doc = inspect.getdoc(function) or ""
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc
    assert "window" in signature.parameters


def call(function, messages, posts, enrichment, window, events=None) -> Any:
    arguments = {
        "messages": messages,
        "posts": posts,
        "enrichment": enrichment,
        "events": events,
        "window": window,
        "thresholds": Thresholds(),
        "business_hours": CFG.business_hours,
        "target_hours": 24.0,
        "weights": {"active_members": 1.0, "sentiment": 2.0},
    }
    wanted = inspect.signature(function).parameters
    return function(**{k: v for k, v in arguments.items() if k in wanted})


@pytest.mark.parametrize("function", metric_functions(), ids=lambda f: f.__name__)
def test_no_metric_changes_its_inputs(function, data, events) -> None:
    messages, posts, enrichment = data
    inputs = (messages, posts, enrichment, events)
    before = tuple(frame.copy(deep=True) for frame in inputs)
    call(function, messages, posts, enrichment, Window.from_period("2026-10", MADRID), events)
    for after, original in zip(inputs, before, strict=True):
        pd.testing.assert_frame_equal(after, original)


NEW_FIGURES = {
    "catalysts": {"brand_one_to_one_replies", "brand_broadcast_posts", "one_to_one_share"},
    "core": {
        "onion_core_members",
        "onion_regular_members",
        "onion_casual_members",
        "orbit_1_members",
        "orbit_2_members",
        "orbit_3_members",
        "orbit_4_members",
        "orbit_moved_closer",
        "orbit_moved_farther",
        "advocates",
        "advocate_positive_volume_share",
    },
    "loyalty": {"new_member_retention", "transient_members", "transient_member_share"},
    "campaigns": {"events_in_period"},
    "health": {
        "health_score",
        "health_active_members",
        "health_responsiveness",
        "health_catalysts",
        "health_sentiment",
        "health_loyalty",
    },
}


def test_summary_holds_the_new_figures_with_their_previous_values(data, october, events) -> None:
    messages, _, enrichment = data
    result = october["metrics"]
    for question, names in NEW_FIGURES.items():
        assert names <= set(result[question]), question
    window = Window.from_period("2026-10", MADRID)
    assert result["campaigns"]["events_in_period"]["value"] == 1  # Autumn; the September meetup before
    assert result["campaigns"]["events_in_period"]["previous"] == 1  # the meetup
    onion = result["core"]
    assert (
        onion["onion_core_members"]["value"]
        + onion["onion_regular_members"]["value"]
        + onion["onion_casual_members"]["value"]
        == result["loyalty"]["active_members"]["value"]
    )
    score = health.health_score(messages, enrichment, window, CFG.health_weights, CFG.thresholds)
    assert result["health"]["health_score"]["value"] == round(score.value, 1)
    components = score.components.set_index("component")["score"]
    assert result["health"]["health_sentiment"]["value"] == round(components["sentiment"], 4)
    assert result["health"]["health_score"]["unit"] == "points (0-100)"
