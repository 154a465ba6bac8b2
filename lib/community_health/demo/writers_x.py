"""The demo's X Analytics "Tweet activity" exports: one CSV per month and one custom range overlapping two.

Quirks kept: the exact 40-column header; UTF-8 without BOM, LF, every field quoted; counts written as
floats (``"424.0"``); ``engagement rate`` a fraction; promoted columns ``"-"``; ``time`` like
``2026-10-02 09:15 +0000``; multi-line texts with emoji; newest tweets first. The custom range repeats
tweets of the monthly files: the tweet id is the key.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from community_health.demo.brand_posts import brand_posts
from community_health.demo.jsonout import write_text

METRICS = [
    "impressions",
    "engagements",
    "engagement rate",
    "retweets",
    "replies",
    "likes",
    "user profile clicks",
    "url clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
    "app installs",
    "follows",
    "email tweet",
    "dial phone",
    "media views",
    "media engagements",
]
HEADER = ["Tweet id", "Tweet permalink", "Tweet text", "time", *METRICS, *(f"promoted {m}" for m in METRICS)]
TWITTER_EPOCH_MS = 1288834974657
HANDLE = "brightbrew"
CUSTOM_RANGE = ("2026-09-15", "2026-10-15")


def tweet_ids(t: np.ndarray) -> np.ndarray:
    """Snowflake tweet ids from Unix seconds (unique: the sequence bits count the posts)."""
    i = np.arange(len(t), dtype="int64")
    return ((np.asarray(t, dtype="int64") * 1000 + 137 - TWITTER_EPOCH_MS) << 22) | (i % 4096)


def custom_range_name() -> str:
    """The file name of the custom-range export (``CUSTOM_RANGE``), which overlaps two monthly files."""
    a, b = (pd.Timestamp(x) for x in CUSTOM_RANGE)
    return f"tweet_activity_metrics_{HANDLE}_{a:%Y%m%d}_{b:%Y%m%d}_en.csv"


def in_custom_range(t: np.ndarray) -> np.ndarray:
    """Which posts (Unix seconds) the custom-range export holds."""
    when = pd.to_datetime(np.asarray(t, dtype="int64"), unit="s", utc=True)
    a, b = (pd.Timestamp(x, tz="UTC") for x in CUSTOM_RANGE)
    return np.asarray((when >= a) & (when < b), dtype=bool)


def _rows(posts: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in posts.sort_values("t", ascending=False, kind="stable").itertuples(index=False):
        stamp = pd.Timestamp(int(r.t), unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M +0000")
        media_eng = int(r.detail_expands) // 3 if r.media_views else 0
        values = [
            r.impressions,
            r.engagements,
            None,
            r.shares,
            r.replies,
            r.likes,
            r.profile_clicks,
            r.url_clicks,
            r.hashtag_clicks,
            r.detail_expands,
            0,
            0,
            0,
            r.follows,
            0,
            0,
            r.media_views,
            media_eng,
        ]
        cells = [f"{float(v)}" if v is not None else repr(r.engagements / r.impressions) for v in values]
        rows.append(
            [
                str(r.tweet_id),
                f"https://twitter.com/{HANDLE}/status/{r.tweet_id}",
                r.text,
                stamp,
                *cells,
                *(["-"] * len(METRICS)),
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def write_x(root: Path, seed: int) -> pd.DataFrame:
    """Write the X exports under ``root`` (``exports/x``); return the posts written."""
    posts = brand_posts("x", seed)
    posts["tweet_id"] = tweet_ids(posts["t"].to_numpy())
    when = pd.to_datetime(posts["t"], unit="s", utc=True)
    for start in pd.date_range("2025-11-01", "2026-10-01", freq="MS"):
        end = start + pd.offsets.MonthBegin(1)
        sel = (when >= start.tz_localize("UTC")) & (when < end.tz_localize("UTC"))
        name = f"tweet_activity_metrics_{HANDLE}_{start:%Y%m%d}_{end:%Y%m%d}_en.csv"
        write_text(root / name, _csv(_rows(posts[sel.to_numpy()])))
    write_text(root / custom_range_name(), _csv(_rows(posts[in_custom_range(posts["t"].to_numpy())])))
    return posts
