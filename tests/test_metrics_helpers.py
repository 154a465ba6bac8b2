"""Builders of small, schema-valid tables for the metric tests (and tests of the builders themselves).

``message(...)`` describes one row with only what a test cares about; ``messages_frame(rows)`` fills in
every other column of ``Messages`` and validates the result, so a test frame is always a frame the
readers could have produced.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd
import pytest

from community_health.metrics import Window
from community_health.schema import COUNT_COLUMNS, Enrichment, Messages, Posts, columns

M = Messages

#: Monday 5 October 2026, 00:00 UTC: the start of most test windows.
T0 = pd.Timestamp("2026-10-05 00:00", tz="UTC")
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)


def at(hours: float) -> pd.Timestamp:
    """``hours`` after ``T0``."""
    return T0 + pd.Timedelta(hours=hours)


def week_window(weeks: int = 1, start: pd.Timestamp = T0, tz: str = "UTC") -> Window:
    """``weeks`` weeks from ``start``."""
    return Window(start, start + pd.Timedelta(weeks=weeks), tz)


def message(
    message_id: str,
    author: str,
    hours: float | pd.Timestamp,
    *,
    thread: str | None = None,
    parent: str | None = None,
    brand: bool = False,
    bot: bool = False,
    platform: str = "discourse",
    channel: str = "general",
    text: str | None = "hello",
    kind: str | None = None,
    followers: int | None = None,
    name: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """One row of ``messages``: a thread starter unless ``thread`` names another message."""
    thread = thread or message_id
    created = hours if isinstance(hours, pd.Timestamp) else at(hours)
    return {
        M.message_id: message_id,
        M.platform: platform,
        M.channel: channel,
        M.thread_id: thread,
        M.parent_id: parent,
        M.author_id: author,
        M.author_name: name or author.title(),
        M.author_is_brand: brand,
        M.author_is_bot: bot,
        M.author_followers: followers,
        M.created_at: created,
        M.kind: kind or ("post" if thread == message_id else "reply"),
        M.text: text,
        M.url: url or f"https://forum.example/t/{thread}/{message_id}",
    }


def messages_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A ``Messages`` frame from ``message(...)`` rows, every column filled, validated by the schema."""
    names = columns(Messages)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame({name: pd.Series(dtype="str") for name in names})
    for count in COUNT_COLUMNS:
        frame[count] = pd.NA
    frame[M.source_file] = "test.csv"
    frame[M.source_row] = range(len(frame))
    frame = frame.astype(
        {
            M.message_id: "str",
            M.platform: "str",
            M.channel: "str",
            M.thread_id: "str",
            M.parent_id: "str",
            M.author_id: "str",
            M.author_name: "str",
            M.author_is_brand: "bool",
            M.author_is_bot: "bool",
            M.author_followers: "Int64",
            M.kind: "str",
            M.text: "str",
            M.url: "str",
            M.source_file: "str",
            M.source_row: "Int64",
            **dict.fromkeys(COUNT_COLUMNS, "Int64"),
        }
    )
    frame[M.created_at] = pd.to_datetime(frame[M.created_at], utc=True).astype("datetime64[ns, UTC]")
    return Messages.validate(frame[names], lazy=True)


def enrichment_frame(
    scores: dict[str, float],
    platform: str = "discourse",
    questions: tuple[str, ...] = (),
    complaints: tuple[str, ...] = (),
) -> pd.DataFrame:
    """An ``Enrichment`` frame giving each message id its sentiment; the ids in ``questions`` and
    ``complaints`` are flagged as such (no others)."""
    frame = pd.DataFrame(
        {
            Enrichment.platform: pd.Series([platform] * len(scores), dtype="str"),
            Enrichment.message_id: pd.Series(list(scores), dtype="str"),
            Enrichment.sentiment: pd.Series(list(scores.values()), dtype="float64"),
            Enrichment.is_question: pd.Series([m in questions for m in scores], dtype="bool"),
            Enrichment.is_complaint: pd.Series([m in complaints for m in scores], dtype="bool"),
        }
    )
    return Enrichment.validate(frame)


def post(
    post_id: str,
    hours: float,
    *,
    platform: str = "instagram",
    post_type: str | None = "photo",
    impressions: int | None = None,
    reach: int | None = None,
    engagements: int | None = None,
    reactions: int | None = None,
    comments: int | None = None,
    shares: int | None = None,
    clicks: int | None = None,
) -> dict[str, Any]:
    """One row of ``posts``."""
    return {
        Posts.post_id: post_id,
        Posts.platform: platform,
        Posts.channel: "brand",
        Posts.created_at: at(hours),
        Posts.post_type: post_type,
        Posts.text: f"post {post_id}",
        Posts.url: f"https://social.example/{post_id}",
        Posts.impressions: impressions,
        Posts.reach: reach,
        Posts.engagements: engagements,
        Posts.reactions: reactions,
        Posts.comments: comments,
        Posts.shares: shares,
        Posts.clicks: clicks,
        Posts.video_views: None,
    }


def posts_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A ``Posts`` frame from ``post(...)`` rows, validated by the schema."""
    frame = pd.DataFrame(
        rows, columns=[c for c in columns(Posts) if c not in (Posts.source_file, Posts.source_row)]
    )
    frame[Posts.source_file] = "posts.csv"
    frame[Posts.source_row] = range(len(frame))
    counts = [
        Posts.impressions,
        Posts.reach,
        Posts.engagements,
        *INTERACTIONS,
        Posts.video_views,
        Posts.source_row,
    ]
    frame = frame.astype({c: "Int64" for c in counts})
    for text in (
        Posts.post_id,
        Posts.platform,
        Posts.channel,
        Posts.post_type,
        Posts.text,
        Posts.url,
        Posts.source_file,
    ):
        frame[text] = frame[text].astype("str")
    frame[Posts.created_at] = pd.to_datetime(frame[Posts.created_at], utc=True).astype("datetime64[ns, UTC]")
    return Posts.validate(frame[columns(Posts)], lazy=True)


INTERACTIONS = (Posts.reactions, Posts.comments, Posts.shares, Posts.clicks)

TEXTS = (
    "My order never arrived and I want a refund!",
    "Love the new flavour, thank you :)",
    "How do I change my delivery address?",
    "ok",
    None,
    "Worst service ever, the app is totally broken",
    "Thanks, that was a great help",
)


def community(n: int, seed: int, start: pd.Timestamp, days: int, tz_channels: int = 2) -> pd.DataFrame:
    """A reproducible community of ``n`` messages over ``days`` days from ``start``: members, the brand and
    a bot, threads with replies and replies to replies, on two platforms and ``tz_channels`` channels."""
    rng = np.random.default_rng(seed)
    moments = np.sort(rng.uniform(0, days * 24, n))
    rows: list[dict[str, Any]] = []
    threads: list[tuple[str, str]] = []
    for i, hours in enumerate(moments):
        roll = rng.random()
        brand, bot = roll < 0.12, 0.12 <= roll < 0.15
        author = "shop" if brand else "helper-bot" if bot else f"member{int(rng.zipf(1.6)) % 40}"
        platform = "discourse" if rng.random() < 0.7 else "x"
        options = [t for t in threads if t[0] == platform]
        channel = f"channel{i % tz_channels}"
        if options and rng.random() < 0.65:
            thread = options[int(rng.integers(max(0, len(options) - 15), len(options)))][1]
            parent = thread if rng.random() < 0.5 else rows[int(rng.integers(0, len(rows)))][M.message_id]
            rows.append(
                message(
                    f"m{i}",
                    author,
                    start + pd.Timedelta(hours=float(hours)),
                    thread=thread,
                    parent=parent,
                    brand=brand,
                    bot=bot,
                    platform=platform,
                    channel=channel,
                    text=TEXTS[i % len(TEXTS)],
                    followers=int(rng.integers(0, 5000)),
                )
            )
        else:
            threads.append((platform, f"m{i}"))
            rows.append(
                message(
                    f"m{i}",
                    author,
                    start + pd.Timedelta(hours=float(hours)),
                    brand=brand,
                    bot=bot,
                    platform=platform,
                    channel=channel,
                    text=TEXTS[i % len(TEXTS)],
                )
            )
    return messages_frame(rows)


def random_enrichment(messages: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Sentiment in [-1, 1] for every message, reproducibly."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            Enrichment.platform: messages[M.platform].to_numpy(),
            Enrichment.message_id: messages[M.message_id].to_numpy(),
            Enrichment.sentiment: np.round(rng.uniform(-1, 1, len(messages)), 4),
            Enrichment.is_question: rng.random(len(messages)) < 0.2,
            Enrichment.is_complaint: rng.random(len(messages)) < 0.1,
        }
    ).astype({Enrichment.platform: "str", Enrichment.message_id: "str"})
    return Enrichment.validate(frame)


def stable_enrichment(messages: pd.DataFrame) -> pd.DataFrame:
    """Scores that depend only on each message's id, so the same message scores the same in any frame."""
    digest = np.array(
        [
            zlib.crc32(f"{p}/{m}".encode())
            for p, m in zip(messages[M.platform], messages[M.message_id], strict=True)
        ]
    )
    frame = pd.DataFrame(
        {
            Enrichment.platform: messages[M.platform].to_numpy(),
            Enrichment.message_id: messages[M.message_id].to_numpy(),
            Enrichment.sentiment: np.round((digest % 2001) / 1000.0 - 1.0, 3),
            Enrichment.is_question: digest % 3 == 0,
            Enrichment.is_complaint: digest % 7 == 0,
        }
    ).astype({Enrichment.platform: "str", Enrichment.message_id: "str"})
    return Enrichment.validate(frame)


def test_messages_frame_has_every_column_and_validates() -> None:
    frame = messages_frame([message("1", "ana", 1), message("2", "brand", 2, thread="1", brand=True)])
    assert list(frame.columns) == columns(Messages)
    assert frame[M.created_at].dtype == "datetime64[ns, UTC]"
    assert frame[M.kind].tolist() == ["post", "reply"]


def test_messages_frame_can_be_empty() -> None:
    assert messages_frame([]).empty


def test_messages_frame_rejects_what_the_schema_rejects() -> None:
    with pytest.raises(Exception, match="platform"):
        messages_frame([message("1", "ana", 1, platform="myspace")])


def test_posts_frame_validates() -> None:
    frame = posts_frame([post("p1", 1, impressions=100, engagements=5)])
    assert list(frame.columns) == columns(Posts)


def test_community_is_reproducible_and_valid() -> None:
    first = community(80, seed=1, start=T0, days=10)
    assert first.equals(community(80, seed=1, start=T0, days=10))
    assert first[M.author_is_brand].any() and first[M.author_is_bot].any()
    assert (first[M.thread_id] != first[M.message_id]).any()
