"""The DiscordChatExporter JSON and Slack readers decode a file into the fields they use (msgspec) and
fall back to the parsed objects for a file that decoder refuses: both ways read the same rows,
quarantine, skips and errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from community_health.ingest import discord_json, slack
from community_health.ingest.envelope import ReadContext
from community_health.ingest.jsonrows import is_utf8

FIXTURES = Path(__file__).parent / "fixtures"
CTX = ReadContext("exports/x/file.json")


def assert_same(a, b) -> None:
    assert type(a) is type(b)
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), name
        else:
            assert x == y, name


def read_discord(data: bytes):
    return discord_json.parse_discord_json(data, CTX)


def read_slack(files: dict[str, bytes]):
    slack._last_users = None
    return slack.parse_slack_export(files, CTX)


def as_objects(monkeypatch: pytest.MonkeyPatch, module, *decoders: str) -> None:
    for name in decoders:
        monkeypatch.setattr(module, name, lambda data: None)


def slack_files(name: str) -> dict[str, bytes]:
    root = FIXTURES / "slack" / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.json")}


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "discord").glob("discord_json_*.json")), ids=lambda p: p.stem
)
def test_discord_typed_and_objects_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    assert discord_json._decode_export(data) is not None
    typed = read_discord(data)
    as_objects(monkeypatch, discord_json, "_decode_export")
    assert_same(typed, read_discord(data))


def _odd_discord() -> bytes:
    doc = json.loads((FIXTURES / "discord" / "discord_json_replies_reference.json").read_bytes())
    doc["messages"][0]["author"]["id"] = 412000000000000042  # a number where DiscordChatExporter writes text
    doc["messages"][1]["reactions"] = [{"emoji": {}, "count": 2**64}]  # read by orjson as a float
    doc["messages"][2] = "not a message"
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "data",
    [
        _odd_discord(),
        # not UTF-8 in a field the reader does not use: the whole file is read as cp1252, as ever
        (FIXTURES / "discord" / "discord_json_thread_file.json")
        .read_bytes()
        .replace(b'"guild": {', b'"x": "\xe9", "guild": {', 1),
        b'{"messages": [{"id": "1", "content": "\\ud83d"}]}',  # a lone surrogate
        b'{"messages": [{"id": "1", "type": "Default"',  # cut off
        b'{"guild": {"id": 5}, "messages": {}}',
    ],
    ids=["types", "cp1252", "surrogate", "cut-off", "no-list"],
)
def test_discord_file_the_typed_decoder_refuses_reads_as_before(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert discord_json._decode_export(data) is None
    result = read_discord(data)
    as_objects(monkeypatch, discord_json, "_decode_export")
    assert_same(result, read_discord(data))


@pytest.mark.parametrize("name", ["slack_created_int_vs_string", "slack_export_threads_and_bots"])
def test_slack_typed_and_objects_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files = slack_files(name)
    assert all(slack._decode_day(v) is not None for k, v in files.items() if "/" in k)
    typed = read_slack(files)
    as_objects(monkeypatch, slack, "_decode_day", "_decode_users")
    assert_same(typed, read_slack(files))


def test_slack_files_the_typed_decoder_refuses_read_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    files = slack_files("slack_export_threads_and_bots")
    day = next(k for k in files if k.startswith("general/"))
    messages = json.loads(files[day])
    messages[0]["reply_count"] = "3"  # text where Slack writes a number
    messages[1]["reactions"] = [{"name": "+1", "users": ["U1", "U2"]}]  # no count: the users are counted
    messages.append(7)
    files[day] = json.dumps(messages).encode()
    users = json.loads(files["users.json"])
    users[0]["id"] = 12345
    files["users.json"] = json.dumps(users).encode()
    assert slack._decode_day(files[day]) is None and slack._decode_users(files["users.json"]) is None
    result = read_slack(files)
    as_objects(monkeypatch, slack, "_decode_day", "_decode_users")
    assert_same(result, read_slack(files))


def test_is_utf8() -> None:
    assert is_utf8(b'{"a": "\xc3\xa9"}') and is_utf8(b"")
    assert not is_utf8(b'{"a": "\xe9"}') and not is_utf8(b'"\xed\xa0\x80"')
    large = b'"' + "é".encode() * (1 << 20) + b'"'  # checked by Arrow
    assert is_utf8(large) and not is_utf8(large + b"\xff")
