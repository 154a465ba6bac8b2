"""Properties of the conversation and listening readers that hold for any input: reading damaged files never
raises, every row read is kept, quarantined or skipped, and what is kept fits the schema; generated chat
transcripts and dumps read back exactly."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_health.config import load_client
from community_health.ingest import ReadContext, ReadResult, ingest_client, load_tables
from community_health.ingest.discord_csv import parse_discord_csv
from community_health.ingest.discord_json import parse_discord_json
from community_health.ingest.discourse_csv import parse_discourse_csv
from community_health.ingest.discourse_json import parse_discourse_json
from community_health.ingest.mastodon_outbox import parse_mastodon_outbox
from community_health.ingest.meltwater import parse_meltwater
from community_health.ingest.reddit_jsonl import parse_reddit_jsonl
from community_health.ingest.slack import parse_slack_export
from community_health.ingest.sprout_social import parse_sprout_social
from community_health.ingest.talkwalker import parse_talkwalker
from community_health.ingest.telegram_json import parse_telegram_json
from community_health.ingest.whatsapp_txt import message_body, parse_whatsapp_txt
from community_health.ingest.x_archive import parse_x_archive
from community_health.schema import Messages
from test_ingest_properties import assert_adds_up, mutate, mutation

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"
PARTS = "discord/discord_csv_2019_partitions/Brightbrew Coffee Club - general [520000000000000001]"

PARSERS = {
    "discord/discord_csv_current_comma.csv": parse_discord_csv,
    "discord/discord_csv_2019_semicolon.csv": parse_discord_csv,
    f"{PARTS} [part 1].csv": parse_discord_csv,
    "discourse/discourse_csv_data_explorer_utc_without_zone.csv": parse_discourse_csv,
    "reddit/reddit_pushshift_eras_mixed.jsonl": parse_reddit_jsonl,
    "reddit/reddit_pushshift_deleted_and_removed.jsonl": parse_reddit_jsonl,
    "telegram/telegram_single_chat_text_entities.json": parse_telegram_json,
    "telegram/telegram_account_wide_local_dates.json": parse_telegram_json,
    "mastodon/mastodon_outbox_duplicated_ordered_items.json": parse_mastodon_outbox,
    "whatsapp/whatsapp_ios_rtl_marks.txt": parse_whatsapp_txt,
    "whatsapp/whatsapp_android_12h_month_first.txt": parse_whatsapp_txt,
    "whatsapp/whatsapp_android_spanish_am_pm.txt": parse_whatsapp_txt,
    "whatsapp/whatsapp_ambiguous_day_month.txt": parse_whatsapp_txt,
    "talkwalker/talkwalker_dotted_columns.csv": parse_talkwalker,
    "talkwalker/talkwalker_localised_text_cells.xlsx": parse_talkwalker,
    "meltwater/meltwater_utf16_tabs.csv": parse_meltwater,
    "sprout_social/sprout_thousands_separators_percent.csv": parse_sprout_social,
}
ALL_PARSERS = sorted(set(PARSERS.values()), key=lambda f: f.__name__)
ZONES = st.sampled_from(["Europe/Madrid", "America/New_York", "UTC", "Asia/Kolkata"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rel=st.sampled_from(sorted(PARSERS)),
    mutations=st.lists(mutation, min_size=1, max_size=4),
    other=st.sampled_from(ALL_PARSERS),
    zone=ZONES,
)
def test_mutated_exports_never_raise_and_add_up(rel, mutations, other, zone):
    data = mutate((FIXTURES / rel).read_bytes(), mutations)
    ctx = ReadContext("exports/mutated", zone)
    assert_adds_up(PARSERS[rel](data, ctx), "exports/mutated")
    assert_adds_up(other(data, ctx), "exports/mutated")  # a reader fed another format's bytes


@settings(max_examples=60, deadline=None)
@given(
    rel=st.sampled_from(sorted(PARSERS)),
    cut=st.floats(min_value=0, max_value=1, allow_nan=False),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_cut_and_re_encoded_exports_never_raise_and_add_up(rel, cut, encoding):
    data = (FIXTURES / rel).read_bytes()
    if not data.startswith(b"PK"):
        text = data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode("utf-8-sig")
        data = text.encode(encoding, errors="replace")
    data = data[: int(cut * len(data))]
    assert_adds_up(PARSERS[rel](data, ReadContext("exports/cut", "Europe/Madrid")), "exports/cut")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    damage=st.lists(
        st.tuples(st.sampled_from(sorted(PARSERS)), st.lists(mutation, min_size=1, max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_ingest_of_damaged_and_overlapping_exports_never_raises_and_every_file_adds_up(damage):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "client"
        (root / "exports").mkdir(parents=True)
        shutil.copy(DEMO_YML, root / "client.yml")
        for i, (rel, mutations) in enumerate(damage):
            name = Path(rel).name
            (root / "exports" / f"{i}_{name}").write_bytes(mutate((FIXTURES / rel).read_bytes(), mutations))
            shutil.copy(FIXTURES / rel, root / "exports" / f"clean_{i}_{name}")  # overlaps it
        cfg = load_client("client", tmp)
        report = ingest_client(cfg)
        assert report.balanced and len(report.files) == 2 * len(damage)
        tables = load_tables(cfg)
        log = report.files
        per_file = tables.quarantine.groupby("file").size().reindex(log["file"], fill_value=0)
        assert per_file.tolist() == log["quarantined"].tolist()
        assert log["kept"].sum() == len(tables.messages) + len(tables.posts)


# --------------------------------------------------------------------------------------------------
# Generated inputs

senders = st.sampled_from(
    ["Ana López", "Marco Rossi", "\u202a+34\u00a0600\u00a012\u00a034\u00a056\u202c", "Lucía"]
)
words = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\u200e\u200f"
    ),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() and ": " not in t and message_body(t) == t.strip())  # placeholders are not text


def _stamp(moment: datetime, style: str) -> str:
    if style == "ios_24":
        return f"[{moment:%d/%m/%Y}, {moment:%H:%M:%S}] "
    if style == "android_24":
        return f"{moment:%d/%m/%Y}, {moment:%H:%M} - "
    if style == "android_us":
        hour = moment.hour % 12 or 12
        marker = "AM" if moment.hour < 12 else "PM"
        return f"{moment.month}/{moment.day}/{moment:%y}, {hour}:{moment:%M}\u202f{marker} - "
    hour = moment.hour % 12 or 12  # Spanish 12-hour clock
    marker = "a.\u00a0m." if moment.hour < 12 else "p.\u00a0m."
    return f"{moment.day}/{moment.month}/{moment:%y}, {hour}:{moment:%M}\u202f{marker} - "


@settings(max_examples=60, deadline=None)
@given(
    style=st.sampled_from(["ios_24", "android_24", "android_us", "android_es"]),
    start=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2030, 1, 1)),
    messages=st.lists(
        st.tuples(st.integers(min_value=0, max_value=50_000), senders, words, st.booleans()),
        min_size=1,
        max_size=25,
    ),
)
def test_generated_whatsapp_transcripts_read_back_with_one_date_order(style, start, messages):
    lines, expected, moment = [], [], start.replace(microsecond=0)
    for minutes, sender, text, two_lines in messages:
        moment += timedelta(minutes=minutes)
        if not style.startswith("ios"):
            moment = moment.replace(second=0)
        body = f"{text}\n{text}" if two_lines else text
        lines.append(_stamp(moment, style) + f"{sender}: {body}")
        expected.append((moment, body.strip()))
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    result = parse_whatsapp_txt(data, ReadContext("exports/chat.txt", "UTC"))
    assert result.rows_read == len(messages) == len(result.frame) and result.quarantine.empty
    got = result.frame.sort_values(Messages.source_row)
    assert got[Messages.created_at].tolist() == [pd.Timestamp(m, tz="UTC") for m, _ in expected] or (
        result.error is not None and "read both as day/month and as month/day" in result.error
    )
    assert [t for t in got[Messages.text]] == [b for _, b in expected]
    assert got[Messages.message_id].is_unique


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2_000_000_000),
            st.sampled_from(["int", "float", "str"]),
            st.sampled_from(["t1", "t3"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_generated_reddit_lines_read_back_their_ids_and_instants(rows):
    lines = []
    for i, (seconds, shape, kind) in enumerate(rows):
        created = {"int": seconds, "float": float(seconds), "str": str(seconds)}[shape]
        item = {"id": f"a{i}", "author": f"u{i}", "created_utc": created, "subreddit": "Coffee", "score": 1}
        item.update(
            {"body": "hi", "link_id": "t3_zz", "parent_id": "t3_zz"} if kind == "t1" else {"title": "T"}
        )
        lines.append(json.dumps(item))
    result = parse_reddit_jsonl("\n".join(lines).encode(), ReadContext("exports/r.jsonl"))
    assert len(result.frame) == len(rows)
    frame = result.frame.set_index(Messages.message_id)
    for i, (seconds, _shape, kind) in enumerate(rows):
        row = frame.loc[f"{kind}_a{i}"]
        assert row[Messages.created_at] == pd.Timestamp(seconds, unit="s", tz="UTC")
        assert row[Messages.kind] == ("comment" if kind == "t1" else "post")


# --------------------------------------------------------------------------------------------------
# One value of the wrong kind inside one message: that message may be lost to quarantine, never the export


def _js_parts(raw: bytes) -> tuple[bytes, Any]:
    """An archive ``.js`` file's ``window.YTD... =`` (or ``Grailbird... =``) prefix and its JSON value."""
    cut = raw.index(b"=") + 1
    return raw[:cut], json.loads(raw[cut:].strip().rstrip(b";"))


def _elements(value: Any) -> list[dict]:
    """The messages of an export: the elements of its longest list of objects."""
    lists: list[list] = []

    def walk(v: Any) -> None:
        if isinstance(v, list):
            if v and all(isinstance(x, dict) for x in v):
                lists.append(v)
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)

    walk(value)
    return max(lists, key=len)


def _slots(element: dict) -> list[tuple[dict, str]]:
    """Every (object, key) inside one message, nested objects included."""
    out: list[tuple[dict, str]] = []

    def walk(d: dict) -> None:
        for k, v in d.items():
            out.append((d, k))
            if isinstance(v, dict):
                walk(v)

    walk(element)
    return out


ODD_VALUES = st.sampled_from(
    [
        ["a", "list"],
        {"an": "object"},
        {},
        [],
        10**30,
        -(10**30),
        -1,
        1.5,
        True,
        False,
        None,
        "",
        "  ",
        "\u202e",
    ]
)
SLACK = FIXTURES / "slack/slack_export_threads_and_bots"
ONE_FILE_JSON = {
    "discord/discord_json_replies_reference.json": parse_discord_json,
    "discord/discord_json_thread_file.json": parse_discord_json,
    "discord/discord_json_deleted_user.json": parse_discord_json,
    "discourse/discourse_topic_posts.json": parse_discourse_json,
    "discourse/discourse_latest_posts_page.json": parse_discourse_json,
    "reddit/reddit_pushshift_eras_mixed.jsonl": parse_reddit_jsonl,
    "reddit/reddit_pushshift_html_entities.jsonl": parse_reddit_jsonl,
    "telegram/telegram_single_chat_text_entities.json": parse_telegram_json,
    "telegram/telegram_account_wide_local_dates.json": parse_telegram_json,
    "telegram/telegram_forum_topic_messages.json": parse_telegram_json,
    "telegram/telegram_2019_account_numeric_senders_and_typed_chat_ids.json": parse_telegram_json,
    "discord/discord_json_numeric_types_forwards_crossposts.json": parse_discord_json,
    "reddit/reddit_pushshift_2023_stringified_values.jsonl": parse_reddit_jsonl,
    "mastodon/mastodon_outbox_duplicated_ordered_items.json": parse_mastodon_outbox,
    "mastodon/mastodon_outbox_direct_messages.json": parse_mastodon_outbox,
    "x_archive/x_archive_tweets_js_prefix.js": parse_x_archive,
    "x_archive/x_archive_edit_info_versions.js": parse_x_archive,
    "x_archive/x_archive_grailbird_month_file.js": parse_x_archive,
    "slack/general/2016-03-25.json": None,  # read with the whole workspace export
    "slack/general/2016-03-26.json": None,
    "slack/brew-help/2016-03-26.json": None,
}


def _read_json_export(rel: str, data: bytes) -> ReadResult:
    ctx = ReadContext("exports/odd", "Europe/Madrid")
    if rel.startswith("slack/"):
        inner = rel.removeprefix("slack/")
        files = {p.relative_to(SLACK).as_posix(): p.read_bytes() for p in SLACK.rglob("*") if p.is_file()}
        return parse_slack_export({**files, inner: data}, ctx)
    return ONE_FILE_JSON[rel](data, ctx)


def _fixture_bytes(rel: str) -> bytes:
    return (SLACK / rel.removeprefix("slack/") if rel.startswith("slack/") else FIXTURES / rel).read_bytes()


def _encode(rel: str, raw: bytes, value: Any, prefix: bytes) -> bytes:
    if rel.endswith(".jsonl"):
        return b"\n".join(json.dumps(v).encode() for v in value) + b"\n"
    return prefix + json.dumps(value).encode()


def _decode(rel: str, raw: bytes) -> tuple[Any, bytes]:
    if rel.endswith(".jsonl"):
        return [json.loads(line) for line in raw.splitlines() if line.strip()], b""
    if rel.endswith(".js"):
        prefix, value = _js_parts(raw)
        return value, prefix
    return json.loads(raw), b""


_UNCHANGED: dict[str, ReadResult] = {}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rel=st.sampled_from(sorted(ONE_FILE_JSON)), which=st.randoms(use_true_random=False), odd=ODD_VALUES)
def test_a_value_of_the_wrong_kind_costs_at_most_its_own_message_never_the_export(rel, which, odd):
    """Real exports carry the odd value of another kind (a list where a text was, a number beyond 64 bits,
    an object for a type): the message holding it may be quarantined or skipped, the rest is read."""
    raw = _fixture_bytes(rel)
    before = _UNCHANGED.get(rel) or _UNCHANGED.setdefault(rel, _read_json_export(rel, raw))
    value, prefix = _decode(rel, raw)
    elements = _elements(value) if not rel.endswith(".jsonl") else [v for v in value if isinstance(v, dict)]
    target, key = which.choice(_slots(which.choice(elements)))
    target[key] = odd
    after = _read_json_export(rel, _encode(rel, raw, value, prefix))
    assert_adds_up(after, "exports/odd")
    assert after.error is None or after.error == before.error, after.error
    assert after.rows_read == before.rows_read
    assert len(after.frame) >= len(before.frame) - 1
