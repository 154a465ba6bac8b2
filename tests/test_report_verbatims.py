"""Verbatims: the manager's chosen quotes found by id or link, and suggestions of both tones."""

from __future__ import annotations

import pandas as pd

from community_health.config import Thresholds
from community_health.report.commentary import read_commentary
from community_health.report.verbatims import chosen_verbatims, suggested_verbatims
from test_metrics_helpers import message, messages_frame, week_window

WINDOW = week_window()
GOOD = "I love the new roast, it is the best coffee I have had all year"
BAD = "Terrible service, my order arrived broken and nobody answered me"


def _frames():
    messages = messages_frame(
        [
            message("m1", "ana", 1, platform="slack", channel="general", text=GOOD),
            message("m2", "ben", 2, platform="slack", channel="general", text=BAD),
            message("m3", "cat", 3, platform="slack", channel="general", text="ok"),  # too short to quote
            message("m4", "shop", 4, platform="slack", channel="general", brand=True, text=GOOD + "!"),
            message(
                "m5",
                "dan",
                5,
                platform="x",
                channel="x",
                text="Nice but a bit pricey for what it is, honestly",
                url="https://x.example/dan/5",
            ),
            message("m6", "eve", -40, platform="slack", channel="general", text=BAD + " again"),  # last week
        ]
    )
    enrichment = pd.DataFrame(
        {
            "platform": messages["platform"],
            "message_id": messages["message_id"],
            "sentiment": [0.9, -0.8, 0.0, 0.95, 0.3, -0.9],
            "is_question": False,
            "is_complaint": False,
        }
    )
    return messages, enrichment


def test_suggestions_give_both_tones_per_channel_from_members_of_the_period():
    messages, enrichment = _frames()
    picks = suggested_verbatims(messages, enrichment, WINDOW, Thresholds())
    slack = picks.loc[picks["platform"] == "slack"].set_index("tone")["message_id"].to_dict()
    assert slack == {"positive": "m1", "negative": "m2"}  # not the brand's m4, not last week's m6
    assert picks.loc[picks["platform"] == "x", "message_id"].tolist() == ["m5"]  # no negative on x


def test_chosen_verbatims_are_found_by_id_platform_id_or_link_and_missing_ones_are_kept(tmp_path):
    messages, _ = _frames()
    path = tmp_path / "2026-10.md"
    path.write_text(
        "## Verbatims\n\n- slack:m2 (the broken order)\n- https://x.example/dan/5\n- m1\n"
        "- nowhere:42 (typo)\n",
        encoding="utf-8",
    )
    chosen = chosen_verbatims(messages, read_commentary(path).verbatims)
    assert chosen["message_id"].tolist()[:3] == ["m2", "m5", "m1"]
    assert chosen["note"].tolist() == ["the broken order", "", "", "typo"]
    assert chosen["found"].tolist() == [True, True, True, False]
