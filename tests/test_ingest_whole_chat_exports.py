"""The member-conversation readers on whole exports as real workspaces write them: layouts seen end to end
in genuine exports (a workspace's channel listings beside its day files, threads across days), each
reproduced in a small fixture named after the quirk it holds."""

from __future__ import annotations

import pandas as pd

from community_health.ingest import Probe, ReadContext, detect
from community_health.ingest.slack import parse_slack_export, readable
from community_health.ingest.units import ExportUnit
from community_health.schema import Messages
from test_ingest_conversation_readers import FIXTURES, assert_balanced
from test_ingest_real_chat import slack_files

M = Messages


def test_slack_channel_mentions_with_empty_labels_are_named_from_the_channel_listings():
    name = "slack_channel_mentions_with_empty_labels"
    path = FIXTURES / "slack" / name
    assert detect(Probe(ExportUnit(path, f"exports/slack/{name}", True))).name == "slack"
    result = parse_slack_export(slack_files(name), ReadContext("exports/slack/brightbrew", "UTC"))
    assert_balanced(result)
    assert result.error is None and result.skipped_total == 0 and len(result.quarantine) == 0
    frame = result.frame.set_index(M.message_id)
    parent, reply, plain = (
        "C01WELCOME1:1643913731.286989",
        "C01WELCOME1:1643994888.446519",
        ("C01WELCOME1:1643995000.000100"),
    )
    assert frame.loc[parent, M.text] == (
        "Hi all! I brew at home with a V60. I believe #home-brewing is the right place to ask"
        " about grind size?"
    )
    # a private channel (groups.json) is named too; one the export does not list keeps its id
    assert frame.loc[reply, M.text] == (
        "Welcome! Yes, #home-brewing; our staff also read #baristas, and #C01ARCHIVE9 is gone. Recipe card:"
    )
    assert frame.loc[plain, M.text] == (
        "Older clients still write the name: #home-brewing, and some none at all: #welcome"
    )
    # the thread the reply belongs to, and the counts as written
    assert frame.loc[reply, M.thread_id] == parent and frame.loc[reply, M.parent_id] == parent
    assert frame.loc[parent, M.comments] == 1 and pd.isna(frame.loc[reply, M.comments])
    assert frame.loc[reply, M.author_name] == "Lucía Brightbrew" and frame.loc[reply, M.kind] == "reply"
    assert frame[M.created_at].min() == pd.Timestamp("2022-02-03 18:42:11.286989", tz="UTC")


def test_slack_markup_names_channels_when_given_their_names():
    channels = {"C1": "help"}
    assert readable("<#C1|> <#C1> <#C1|support> <#C2|>", {}, channels) == "#help #help #support #C2"
    assert readable("<#C1|>", {}) == "#C1"
