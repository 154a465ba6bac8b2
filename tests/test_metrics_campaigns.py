"""Campaigns and events: the events file, the timeline, and each event's impact against the span before it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from community_health.config import ConfigError, read_events
from community_health.metrics import campaigns
from community_health.schema import Posts
from test_metrics_helpers import enrichment_frame, message, messages_frame, post, posts_frame, week_window

WINDOW = week_window()  # Monday 5 to Monday 12 October 2026, UTC

EVENTS_CSV = """name,kind,start,end,channel,notes
Promo,campaign,2026-10-08,2026-10-11,x,Big promo
Meetup,meetup,2026-10-06,,discourse,
Old launch,launch,2026-08-01,2026-08-02,,Long ago
"""


def noon(day: int) -> float:
    """Hours from T0 (Monday 5 October 00:00 UTC) to noon of ``day`` October."""
    return (day - 5) * 24 + 12


@pytest.fixture
def events(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV, encoding="utf-8")
    return read_events(path, "UTC")


def test_read_events_gives_whole_local_days_and_channels(events: pd.DataFrame, tmp_path: Path) -> None:
    promo = events.set_index("name").loc["Promo"]
    assert promo["start"] == pd.Timestamp("2026-10-08", tz="UTC")
    assert promo["end"] == pd.Timestamp("2026-10-12", tz="UTC")  # the day after the last, exclusive
    assert promo["channels"] == ("x",)
    meetup = events.set_index("name").loc["Meetup"]
    assert meetup["end"] - meetup["start"] == pd.Timedelta(days=1)  # no end: a one-day event
    assert events.set_index("name").loc["Old launch", "channels"] == ()
    madrid = read_events(tmp_path / "events.csv", "Europe/Madrid").set_index("name")
    assert madrid.loc["Promo", "start"] == pd.Timestamp("2026-10-07 22:00", tz="UTC")
    assert read_events(tmp_path / "missing.csv", "UTC").empty


def test_read_events_names_the_file_row_and_field_of_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("name,kind,start,end\nA,x,2026-13-01,\nB,x,2026-10-05,2026-10-01\n,x,2026-10-01,\n")
    with pytest.raises(ConfigError) as error:
        read_events(path, "UTC")
    message_ = str(error.value)
    assert f'{path} row 1, field "start": expected a day like 2026-10-01, got "2026-13-01"' in message_
    assert f'{path} row 2, field "end": expected a day on or after 2026-10-05' in message_
    assert f'{path} row 3, field "name"' in message_


def test_timeline_and_count_hold_the_events_overlapping_the_period(events: pd.DataFrame) -> None:
    timeline = campaigns.event_timeline(events, WINDOW)
    assert timeline["name"].tolist() == ["Meetup", "Promo"]  # in start order; the old launch is left out
    assert timeline.loc[1, ["first_day", "last_day", "days", "channels"]].tolist() == [
        "2026-10-08",
        "2026-10-11",
        4,
        "x",
    ]
    assert campaigns.event_count(events, WINDOW) == 2
    assert campaigns.event_count(events, week_window(start=pd.Timestamp("2026-07-27", tz="UTC"))) == 1
    assert campaigns.event_count(events.iloc[:0], WINDOW) == 0


@pytest.fixture
def activity() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    posts = [post(f"b{d}", noon(d), platform="x", impressions=1000, engagements=20) for d in (4, 5, 6, 7)]
    posts += [post(f"e{d}", noon(d), platform="x", impressions=1000, engagements=50) for d in (8, 9, 10, 11)]
    posts.append(post("fb", noon(9), platform="facebook", impressions=100, engagements=50))  # not the promo's
    rows = [message("first", "old", noon(1), platform="x")]  # the data begin on 1 October
    rows += [message(f"m{d}", "ana", noon(d), platform="x") for d in (4, 5, 6, 7)]  # one a day before
    rows += [
        message(f"m{d}{k}", f"fan{k}", noon(d) + k, platform="x") for d in (8, 9, 10, 11) for k in range(3)
    ]
    rows += [message(f"d{d}", "dan", noon(d)) for d in range(4, 12)]  # on discourse: not the promo's
    rows.append(message("s9", "shop", noon(9), platform="x", brand=True))  # the brand is no member
    frame = messages_frame(rows)
    scores = {m: 0.5 for m in frame["message_id"]}
    scores |= {f"m{d}{k}": -0.5 for d in (8, 9, 10, 11) for k in (1, 2)}  # two of three negative
    enrichment = pd.concat(
        [
            enrichment_frame({k: v for k, v in scores.items() if k.startswith(("m", "first", "s"))}, "x"),
            enrichment_frame({k: v for k, v in scores.items() if k.startswith("d")}),
        ],
        ignore_index=True,
    )
    return frame, posts_frame(posts), enrichment


def test_event_impact_compares_the_event_with_the_equal_span_before(events, activity) -> None:
    messages, posts, enrichment = activity
    table = campaigns.event_impact(messages, posts, enrichment, events, WINDOW)
    promo = table.loc[table["event"] == "Promo"].set_index("metric")
    # Engagement on x: 50 / 1000 during, 20 / 1000 in the 4 days before (4 posts each; facebook left out).
    rate = promo.loc["engagement_rate"]
    assert rate[["value", "before", "change"]].tolist() == pytest.approx([0.05, 0.02, 0.03])
    assert rate["relative_change"] == pytest.approx(1.5)
    assert rate[["n_event", "n_before"]].tolist() == [4, 4]
    # Every resampled mean is the same when every post has the same rate: the interval is the change.
    assert rate[["low", "high"]].tolist() == pytest.approx([0.03, 0.03])
    assert rate["conclusion"] == "higher"
    assert "unlikely to be chance" in rate["statement"] and "read this with care" in rate["statement"]
    # Member messages on x: 3 a day during, 1 a day before (ana); active members likewise.
    assert promo.loc["member_messages_per_day", ["value", "before"]].tolist() == pytest.approx([3.0, 1.0])
    assert promo.loc["active_members_per_day", ["value", "before"]].tolist() == pytest.approx([3.0, 1.0])
    # Net sentiment: before all 4 positive (+1); during 4 positive, 8 negative of 12: (4 - 8) / 12.
    net = promo.loc["net_sentiment"]
    assert net[["value", "before"]].tolist() == pytest.approx([-1 / 3, 1.0])
    assert net["conclusion"] == "lower"
    assert net[["low", "high"]].tolist() == pytest.approx([-4 / 3, -4 / 3])


def test_too_few_data_is_said_plainly(events, activity, tmp_path: Path) -> None:
    messages, posts, enrichment = activity
    table = campaigns.event_impact(messages, posts, enrichment, events, WINDOW)
    meetup = table.loc[table["event"] == "Meetup"].set_index("metric")
    assert (meetup["conclusion"] == "too few data").all()
    assert meetup.loc["member_messages_per_day", "statement"] == (
        "Too few days to say whether the number of member messages a day changed during Meetup: 1 in the "
        "event and 1 in the equal span before it; at least 3 on each side are needed."
    )
    assert meetup[["low", "high"]].isna().all().all()
    # Days before the data begin are unknown, not quiet: an event on the first days has nothing before.
    early = one_event(tmp_path, "Early,campaign,2026-10-01,2026-10-03,x,")
    first = campaigns.event_impact(
        messages, posts, enrichment, early, week_window(start=pd.Timestamp("2026-09-28", tz="UTC"))
    )
    day = first.set_index("metric").loc["member_messages_per_day"]
    assert day[["n_event", "n_before"]].tolist() == [3, 0]
    assert day["conclusion"] == "too few data"


def one_event(folder: Path, line: str) -> pd.DataFrame:
    path = folder / "one_event.csv"
    path.write_text(f"name,kind,start,end,channel,notes\n{line}\n", encoding="utf-8")
    return read_events(path, "UTC")


def test_the_same_inputs_give_the_same_intervals(events, activity) -> None:
    messages, posts, enrichment = activity
    noisy = posts.copy()
    noisy[Posts.engagements] = pd.array([10, 20, 30, 25, 40, 60, 45, 55, 50], dtype="Int64")
    first = campaigns.event_impact(messages, noisy, enrichment, events, WINDOW)
    second = campaigns.event_impact(messages, noisy, enrichment, events, WINDOW)
    pd.testing.assert_frame_equal(first, second)
    rate = first.loc[(first["event"] == "Promo") & (first["metric"] == "engagement_rate")].iloc[0]
    assert rate["low"] <= rate["change"] <= rate["high"]


def test_rows_behind_the_figures(events, activity) -> None:
    messages, posts, _ = activity
    rows = campaigns.event_posts(posts, events, WINDOW)
    promo = rows.loc[rows["event"] == "Promo"]
    assert promo.groupby("side")["post_id"].apply(sorted).to_dict() == {
        "before": ["b4", "b5", "b6", "b7"],
        "event": ["e10", "e11", "e8", "e9"],
    }
    said = campaigns.event_member_messages(messages, events, WINDOW)
    promo_messages = said.loc[said["event"] == "Promo"]
    assert promo_messages["side"].value_counts().to_dict() == {"event": 12, "before": 4}
    assert "shop" not in set(promo_messages["author_id"])
    assert campaigns.event_member_messages(messages, events.iloc[:0], WINDOW).empty
    assert campaigns.event_posts(posts, events.iloc[:0], WINDOW).empty
