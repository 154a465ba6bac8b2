"""The demo's Facebook Page Insights post-level exports (legacy "Export data", CSV), one per half year.

Quirks kept: UTF-8 with BOM; the second row describes each metric and is not data; ``Posted`` in the
page's local time (Europe/Madrid) like ``10/02/2026 09:15:00 AM``; a header name that repeats
(``Lifetime Organic views to 95%``, filled for videos only); empty cells for metrics a post does not have.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from community_health.demo.brand_posts import brand_posts
from community_health.demo.common import TIMEZONE
from community_health.demo.jsonout import write_text

PAGE_ID = "104872316598214"
COLUMNS: list[tuple[str, str]] = [
    ("Post ID", "The unique identifier for your post."),
    ("Permalink", "The permanent link to your post."),
    ("Post Message", "The message in your post."),
    ("Type", "The type of post: photo, video, link or status."),
    ("Countries", "The countries the post was restricted to."),
    ("Languages", "The languages the post was restricted to."),
    ("Posted", "The date and time the post was published, in the Page's time zone."),
    ("Audience Targeting", "The audience the post was targeted to."),
    (
        "Lifetime Post Total Reach",
        "Lifetime: The number of people who had your Page's post enter their screen. (Unique Users)",
    ),
    (
        "Lifetime Post organic reach",
        "Lifetime: The number of people who had your Page's post enter their screen "
        "through unpaid distribution. (Unique Users)",
    ),
    (
        "Lifetime Post Paid Reach",
        "Lifetime: The number of people who had your Page's post enter their screen "
        "through paid distribution. (Unique Users)",
    ),
    (
        "Lifetime Post Total Impressions",
        "Lifetime: The number of times your Page's post entered a person's screen. (Total Count)",
    ),
    (
        "Lifetime Post Organic Impressions",
        "Lifetime: The number of times your Page's post entered a person's "
        "screen through unpaid distribution. (Total Count)",
    ),
    (
        "Lifetime Post Paid Impressions",
        "Lifetime: The number of times your Page's post entered a person's "
        "screen through paid distribution. (Total Count)",
    ),
    (
        "Lifetime Engaged Users",
        "Lifetime: The number of unique people who engaged in certain ways with your "
        "Page post, for example by commenting on, liking, sharing, or clicking upon "
        "particular elements of the post. (Unique Users)",
    ),
    (
        "Lifetime Post Consumers",
        "Lifetime: The number of people who clicked anywhere in your post. (Unique Users)",
    ),
    ("Lifetime Post Consumptions", "Lifetime: The number of clicks anywhere in your post. (Total Count)"),
    (
        "Lifetime Negative feedback",
        "Lifetime: The number of times people have given negative feedback to your post. (Total Count)",
    ),
    (
        "Lifetime Organic views to 95%",
        "Lifetime: Number of times your video was viewed to 95% of its length "
        "without any paid promotion. (Unique Users)",
    ),
    (
        "Lifetime Organic views to 95%",
        "Lifetime: Number of times your video was viewed to 95% of its length "
        "without any paid promotion. (Total Count)",
    ),
    (
        "Lifetime Talking About This (Post) by action type - comment",
        "Lifetime: The number of unique people who "
        "created a story about your Page post by "
        "commenting on it. (Unique Users)",
    ),
    (
        "Lifetime Talking About This (Post) by action type - like",
        "Lifetime: The number of unique people who "
        "created a story about your Page post by "
        "liking it. (Unique Users)",
    ),
    (
        "Lifetime Talking About This (Post) by action type - share",
        "Lifetime: The number of unique people who "
        "created a story about your Page post by "
        "sharing it. (Unique Users)",
    ),
    (
        "Lifetime Post Stories by action type - comment",
        "Lifetime: The number of stories created about your Page post, by action type. (Total Count)",
    ),
    (
        "Lifetime Post Stories by action type - like",
        "Lifetime: The number of stories created about your Page post, by action type. (Total Count)",
    ),
    (
        "Lifetime Post Stories by action type - share",
        "Lifetime: The number of stories created about your Page post, by action type. (Total Count)",
    ),
]
HALVES = (("2025-11-01", "2026-04-30"), ("2026-05-01", "2026-10-31"))


def export_name(first: str, last: str) -> str:
    """The file name of the post-level export of ``first`` to ``last`` (local dates)."""
    return f"Facebook Insights Data Export (Post Level) - Brightbrew Coffee - {first} - {last}.csv"


def _rows(posts: pd.DataFrame) -> list[list[str]]:
    local = pd.to_datetime(posts["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE)
    posted = local.dt.strftime("%m/%d/%Y %I:%M:%S %p").to_numpy()
    rows = []
    for k, r in enumerate(posts.itertuples(index=False)):
        post = f"{PAGE_ID}_{r.post_id}"
        kind = (
            "Video" if r.is_video else ("Link" if "https://" in r.text else ("Photo" if k % 3 else "Status"))
        )
        reach = int(r.impressions * 0.78)
        views = str(int(r.media_views * 0.3)) if r.is_video else ""
        clicks = int(r.url_clicks + r.detail_expands)
        rows.append(
            [
                post,
                f"https://www.facebook.com/brightbrewcoffee/posts/{r.post_id}",
                r.text.replace("\n\n", "\n"),
                kind,
                "",
                "",
                posted[k],
                "",
                str(reach),
                str(reach),
                "0",
                str(int(r.impressions)),
                str(int(r.impressions)),
                "0",
                str(int(r.engagements * 0.8)),
                str(int(clicks * 0.9)),
                str(clicks),
                str(int(r.replies // 8)),
                views,
                views,
                str(int(r.replies)),
                str(int(r.likes)),
                str(int(r.shares)),
                str(int(r.replies)),
                str(int(r.likes)),
                str(int(r.shares)),
            ]
        )
    return rows


def facebook_posts(seed: int) -> pd.DataFrame:
    """The page's posts; engagements are reactions, comments and shares (clicks are not engagement here)."""
    posts = brand_posts("facebook", seed)
    posts["engagements"] = posts["likes"] + posts["replies"] + posts["shares"]
    posts["post_id"] = 1180000000000000 + np.arange(len(posts)) * 7919 + posts["t"].to_numpy() % 1000
    return posts


def write_facebook(root: Path, seed: int) -> pd.DataFrame:
    """Write the Facebook exports under ``root`` (``exports/facebook``); return the posts written."""
    posts = facebook_posts(seed)
    local_day = pd.to_datetime(posts["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%d")
    for first, last in HALVES:
        sel = ((local_day >= first) & (local_day <= last)).to_numpy()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([c for c, _ in COLUMNS])
        writer.writerow([d for _, d in COLUMNS])
        writer.writerows(_rows(posts[sel].sort_values("t", ascending=False, kind="stable")))
        write_text(root / export_name(first, last), "\ufeff" + buf.getvalue())
    return posts
