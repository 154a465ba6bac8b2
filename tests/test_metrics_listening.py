"""Listening: net sentiment, negative share, and early warning on negative-volume spikes."""

from __future__ import annotations

import pandas as pd
import pytest

from community_health.config import Thresholds
from community_health.metrics import Window, listening
from test_metrics_helpers import T0, enrichment_frame, message, messages_frame, week_window

WINDOW = week_window()
DAY = 24


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            message("m1", "ana", 1, channel="general"),
            message("m2", "ben", 2, channel="general"),
            message("m3", "cat", 3, channel="general"),
            message("m4", "dan", DAY + 1, channel="support"),
            message("m5", "eve", DAY + 2, channel="support"),
            message("m6", "fay", DAY + 3, channel="support"),  # not scored yet
            message("b1", "shop", 4, brand=True),  # the brand's own negative message is not listened to
        ]
    )


@pytest.fixture
def enrichment() -> pd.DataFrame:
    # positive >= 0.05, negative <= -0.05: m1 and m2 positive, m4 negative, m3 and m5 neutral.
    return enrichment_frame({"m1": 0.6, "m2": 0.05, "m3": 0.0, "m4": -0.5, "m5": -0.04, "b1": -0.9})


def test_net_sentiment_is_share_positive_minus_share_negative(messages, enrichment) -> None:
    # 5 scored member messages: 2 positive, 1 negative -> 2/5 - 1/5 = 0.2.
    assert listening.net_sentiment(messages, enrichment, WINDOW) == pytest.approx(0.2)


def test_negative_share(messages, enrichment) -> None:
    # 1 negative of 5 scored member messages.
    assert listening.negative_share(messages, enrichment, WINDOW) == pytest.approx(0.2)


def test_thresholds_come_from_the_client(messages, enrichment) -> None:
    # With a stricter positive threshold of 0.5 only m1 is positive: 1/5 - 1/5 = 0.
    strict = Thresholds(positive_sentiment=0.5)
    assert listening.net_sentiment(messages, enrichment, WINDOW, strict) == pytest.approx(0.0)


def test_sentiment_by_channel(messages, enrichment) -> None:
    table = listening.sentiment_by_channel(messages, enrichment, WINDOW)
    general = table.loc[("discourse", "general")]
    support = table.loc[("discourse", "support")]
    # general: m1, m2 positive, m3 neutral -> net 2/3.
    assert general[["messages", "positive", "neutral", "negative"]].tolist() == [3, 2, 1, 0]
    assert general["net_sentiment"] == pytest.approx(2 / 3)
    # support: m4 negative, m5 neutral, m6 unscored -> negative share 1/2 of the scored.
    assert support[["messages", "unscored"]].tolist() == [3, 1]
    assert support["negative_share"] == pytest.approx(0.5)


def test_sentiment_by_week(messages, enrichment) -> None:
    table = listening.sentiment_by_week(messages, enrichment, WINDOW)
    assert table["iso_week"].tolist() == ["2026-W41"]
    assert table["net_sentiment"].iloc[0] == pytest.approx(0.2)


def test_every_figure_is_one_click_from_its_messages(messages, enrichment) -> None:
    table = listening.message_sentiment(messages, enrichment, WINDOW)
    assert table["message_id"].tolist() == ["m1", "m2", "m3", "m4", "m5", "m6"]
    assert table["tone"].tolist()[:5] == ["positive", "positive", "neutral", "negative", "neutral"]
    assert pd.isna(table["tone"].iloc[5])


def test_nothing_scored_means_no_figure(messages) -> None:
    empty = enrichment_frame({})
    assert listening.net_sentiment(messages, empty, WINDOW) is None
    assert listening.negative_share(messages, empty, WINDOW) is None


# Early warning ---------------------------------------------------------------------------------------

BASELINE = [2, 3, 4, 3]  # repeating: median 3, median absolute deviation 0.5


def negative_days(counts: list[int], followers: dict[tuple[int, int], int] | None = None) -> tuple:
    """Messages with ``counts[d]`` negative member messages on day d (from T0), plus one positive a day."""
    followers = followers or {}
    rows, scores = [], {}
    for day, count in enumerate(counts):
        for i in range(count):
            mid = f"n{day}-{i}"
            rows.append(
                message(mid, f"user{day}-{i}", day * DAY + 9 + i / 60, followers=followers.get((day, i)))
            )
            scores[mid] = -0.6 - (0.3 if (day, i) == (40, 3) else 0.0)
        rows.append(message(f"p{day}", "fan", day * DAY + 12))
        scores[f"p{day}"] = 0.7
    return messages_frame(rows), enrichment_frame(scores)


def test_a_day_with_ten_times_the_baseline_is_a_spike() -> None:
    # Days 0-59 follow 2, 3, 4, 3, ...; day 40 has 30 (10 x the median of 3). Its baseline (days 12-39)
    # has median 3 and median absolute deviation 0.5; the spread is max(1.4826 x 0.5, 1) = 1 message, so
    # z = (30 - 3) / 1 = 27 >= 3.5, and 30 >= 5 messages: a spike. No other day exceeds z = 1.
    counts = [BASELINE[d % 4] for d in range(60)]
    counts[40] = 30
    messages, enrichment = negative_days(counts, followers={(40, 7): 250_000, (40, 3): 12})
    window = Window(T0, T0 + pd.Timedelta(days=60))
    days = listening.negative_volume_by_day(messages, enrichment, window)
    assert days.index[days["spike"]].tolist() == [pd.Timestamp("2026-11-14")]  # T0 + 40 days
    spike = days.loc["2026-11-14"]
    assert (spike["negative_messages"], spike["baseline_median"], spike["baseline_mad"]) == (30, 3.0, 0.5)
    assert spike["z"] == pytest.approx(27.0)
    assert days["z"].drop(pd.Timestamp("2026-11-14")).max() <= 1.0 + 1e-9

    episodes = listening.negative_spike_episodes(messages, enrichment, window)
    assert len(episodes) == 1
    episode = episodes.iloc[0]
    assert episode["start"] == pd.Timestamp("2026-11-14")
    assert episode["iso_week"] == "2026-W46"
    assert episode["days"] == 1
    # The well-connected author stands out on the episode itself.
    assert (episode["top_author_name"], episode["top_author_followers"]) == ("User40-7", 250_000)
    assert listening.negative_spike_episode_count(messages, enrichment, window) == 1

    drivers = listening.negative_spike_messages(messages, enrichment, window, per_episode=3)
    # The most negative message first (-0.9), then the equally negative ones by audience (250k first).
    assert drivers["message_id"].tolist() == ["n40-3", "n40-7", "n40-0"]
    assert drivers["author_followers"].tolist()[:2] == [12, 250_000]


def test_consecutive_spike_days_are_one_episode() -> None:
    counts = [BASELINE[d % 4] for d in range(50)]
    counts[40] = counts[41] = 30
    messages, enrichment = negative_days(counts)
    window = Window(T0, T0 + pd.Timedelta(days=50))
    episodes = listening.negative_spike_episodes(messages, enrichment, window)
    assert episodes[["days", "negative_messages"]].values.tolist() == [[2, 60]]


def test_a_quiet_baseline_needs_the_minimum_volume() -> None:
    # On a baseline of zero the spread is the floor of one message: 4 negatives give z = 4 >= 3.5 but are
    # fewer than the 5 messages a spike needs; 5 negatives are a spike.
    for count, is_spike in ((4, False), (5, True)):
        counts = [0] * 30
        counts[20] = count
        messages, enrichment = negative_days(counts)
        days = listening.negative_volume_by_day(messages, enrichment, Window(T0, T0 + pd.Timedelta(days=30)))
        assert days.loc[T0.tz_localize(None) + pd.Timedelta(days=20), "z"] == pytest.approx(count)
        assert bool(days["spike"].any()) is is_spike


def test_no_alarm_without_a_week_of_history() -> None:
    # A burst on the third day of data has no baseline to compare with.
    messages, enrichment = negative_days([1, 1, 40, 1])
    days = listening.negative_volume_by_day(messages, enrichment, Window(T0, T0 + pd.Timedelta(days=4)))
    assert days["z"].isna().all()
    assert not days["spike"].any()


def test_the_baseline_looks_before_the_period() -> None:
    # The spike is the first day of the period: its baseline comes from the 28 days before it.
    counts = [BASELINE[d % 4] for d in range(41)]
    counts[40] = 30
    messages, enrichment = negative_days(counts)
    window = Window(T0 + pd.Timedelta(days=40), T0 + pd.Timedelta(days=41))
    assert listening.negative_spike_episode_count(messages, enrichment, window) == 1


def test_no_messages_no_spikes() -> None:
    days = listening.negative_volume_by_day(messages_frame([]), enrichment_frame({}), WINDOW)
    assert len(days) == 7
    assert (days["negative_messages"] == 0).all()
    assert listening.negative_spike_episodes(messages_frame([]), enrichment_frame({}), WINDOW).empty
