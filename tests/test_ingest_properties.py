"""Properties that hold for any input: reading never raises, and every row read is kept, quarantined or
skipped (and, across files, kept, duplicate, quarantined or skipped)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_health.config import load_client
from community_health.ingest import ReadContext, ingest_client, load_tables
from community_health.ingest.brandwatch import parse_brandwatch
from community_health.ingest.discord_json import parse_discord_json
from community_health.ingest.discourse_json import parse_discourse_json
from community_health.ingest.facebook_insights import parse_facebook_insights_posts
from community_health.ingest.jsonrows import resolve_roots
from community_health.ingest.slack import parse_slack_export
from community_health.ingest.x_analytics import HEADER, parse_x_analytics
from community_health.schema import Messages, Posts

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"

PARSERS = {
    "x_analytics/x_analytics_promoted_dash.csv": parse_x_analytics,
    "x_analytics/x_analytics_multiline_emoji.csv": parse_x_analytics,
    "facebook/facebook_insights_description_row.csv": parse_facebook_insights_posts,
    "brandwatch/brandwatch_preamble_lines.csv": parse_brandwatch,
    "discord/discord_json_replies_reference.json": parse_discord_json,
    "discord/discord_json_thread_file.json": parse_discord_json,
    "discourse/discourse_latest_posts_page.json": parse_discourse_json,
    "discourse/discourse_topic_posts.json": parse_discourse_json,
}
ALL_PARSERS = sorted(set(PARSERS.values()), key=lambda f: f.__name__)

# One mutation: (kind, where as a fraction of the file, replacement text)
mutation = st.tuples(
    st.sampled_from(["delete_line", "duplicate_line", "corrupt", "truncate", "insert"]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
)


def mutate(data: bytes, mutations: list[tuple[str, float, str]]) -> bytes:
    """Apply random damage: delete or repeat a line, overwrite or insert bytes, cut the file."""
    for kind, where, text in mutations:
        if not data:
            break
        if kind in ("delete_line", "duplicate_line"):
            lines = data.split(b"\n")
            i = min(int(where * len(lines)), len(lines) - 1)
            lines[i : i + 1] = [] if kind == "delete_line" else [lines[i], lines[i]]
            data = b"\n".join(lines)
        else:
            at = min(int(where * len(data)), len(data))
            blob = text.encode("utf-8")
            if kind == "corrupt":
                data = data[:at] + blob + data[at + len(blob) :]
            elif kind == "insert":
                data = data[:at] + blob + data[at:]
            else:
                data = data[:at]
    return data


def assert_adds_up(result, source: str) -> None:
    assert result.rows_read == len(result.frame) + len(result.quarantine) + result.skipped_total
    assert result.rows_read >= 0
    assert all(r.startswith(source) for r in result.quarantine["reason"])
    model = Messages if Messages.message_id in result.frame.columns else Posts
    model.validate(
        result.frame.drop_duplicates(
            [Messages.platform, Messages.message_id if model is Messages else Posts.post_id]
        ),
        lazy=True,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rel=st.sampled_from(sorted(PARSERS)),
    mutations=st.lists(mutation, min_size=1, max_size=4),
    other=st.sampled_from(ALL_PARSERS),
)
def test_mutated_exports_never_raise_and_add_up(rel, mutations, other):
    data = mutate((FIXTURES / rel).read_bytes(), mutations)
    ctx = ReadContext("exports/mutated", "Europe/Madrid")
    assert_adds_up(PARSERS[rel](data, ctx), "exports/mutated")
    assert_adds_up(other(data, ctx), "exports/mutated")  # a reader fed another format's bytes


@settings(max_examples=40, deadline=None)
@given(
    mutations=st.lists(mutation, min_size=1, max_size=3),
    day=st.sampled_from(
        ["general/2016-03-25.json", "general/2016-03-26.json", "channels.json", "users.json"]
    ),
)
def test_mutated_slack_exports_never_raise_and_add_up(mutations, day):
    root = FIXTURES / "slack/slack_export_threads_and_bots"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    files[day] = mutate(files[day], mutations)
    assert_adds_up(parse_slack_export(files, ReadContext("exports/slack")), "exports/slack")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
            target = root / "exports" / f"{i}_{Path(rel).name}"
            target.write_bytes(mutate((FIXTURES / rel).read_bytes(), mutations))
            shutil.copy(FIXTURES / rel, root / "exports" / f"clean_{i}_{Path(rel).name}")  # overlaps it
        cfg = load_client("client", tmp)
        report = ingest_client(cfg)
        log = report.files
        assert report.balanced
        assert len(log) == 2 * len(damage)
        tables = load_tables(cfg)
        per_file = (
            tables.quarantine.assign(unit=tables.quarantine["file"])
            .groupby("unit")
            .size()
            .reindex(log["file"], fill_value=0)
        )
        assert per_file.tolist() == log["quarantined"].tolist()
        assert log["kept"].sum() == len(tables.messages) + len(tables.posts)
        assert ingest_client(cfg).parsed == []


# --------------------------------------------------------------------------------------------------
# Generated inputs

tweet_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\x00"), min_size=1, max_size=80
)
count = st.one_of(st.just("-"), st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n}.0"))


@settings(max_examples=35, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**19),
            tweet_text,
            st.datetimes(
                min_value=pd.Timestamp("2010-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2030-01-01").to_pydatetime(),
            ),
            st.lists(count, min_size=36, max_size=36),
        ),
        min_size=1,
        max_size=15,
        unique_by=lambda r: r[0],
    )
)
def test_generated_tweet_activity_files_read_back_exactly(rows):
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    for tid, text, when, counts in rows:
        writer.writerow(
            [
                str(tid),
                f"https://twitter.com/brightbrew/status/{tid}",
                text,
                when.strftime("%Y-%m-%d %H:%M +0000"),
                *counts,
            ]
        )
    result = parse_x_analytics(buf.getvalue().encode("utf-8"), ReadContext("exports/gen.csv"))
    assert result.rows_read == len(rows) == len(result.frame) and result.quarantine.empty
    posts = result.frame.set_index(Posts.post_id)
    for tid, text, when, counts in rows:
        post = posts.loc[str(tid)]
        if text.strip():
            assert post[Posts.text] == text
        else:
            assert pd.isna(post[Posts.text])  # a blank cell is absent
        assert post[Posts.created_at] == pd.Timestamp(when.replace(second=0, microsecond=0), tz="UTC")
        expected = None if counts[0] == "-" else int(float(counts[0]))
        assert pd.isna(post[Posts.impressions]) if expected is None else post[Posts.impressions] == expected


@settings(max_examples=80, deadline=None)
@given(
    parents=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=30)), min_size=1, max_size=30)
)
def test_reply_chains_share_their_parents_thread(parents):
    ids = [str(i) for i in range(len(parents))]
    refs = [None if p is None or p == i else str(p) for i, p in enumerate(parents)]
    roots = resolve_roots(ids, refs)
    known = set(ids)
    for i, ref in enumerate(refs):
        if ref is None:
            assert roots[i] == ids[i]
        elif ref not in known:
            assert roots[i] == ref  # the chain leaves the data: it ends at the id it points to
        elif roots[int(ref)] != ref or refs[int(ref)] is None:
            chain_has_loop = _loops(refs, i)
            assert chain_has_loop or roots[i] == roots[int(ref)]


def _loops(refs: list[str | None], start: int) -> bool:
    seen, node = set(), start
    while node is not None and 0 <= node < len(refs):
        if node in seen:
            return True
        seen.add(node)
        nxt = refs[node]
        node = int(nxt) if nxt is not None and int(nxt) < len(refs) else None
    return False


@settings(max_examples=40, deadline=None)
@given(contents=st.lists(st.text(max_size=30), min_size=1, max_size=10))
def test_discord_text_with_lone_surrogates_is_stored(contents):
    messages = [
        {
            "id": str(1000 + i),
            "type": "Default",
            "timestamp": "2023-01-05T14:22:25.25+00:00",
            "content": c + "\ud83d",
            "author": {"id": "1", "name": "a", "isBot": False},
            "reactions": [],
        }
        for i, c in enumerate(contents)
    ]
    raw = json.dumps({"guild": {"id": "1"}, "channel": {"id": "2", "name": "c"}, "messages": messages})
    result = parse_discord_json(raw.encode(), ReadContext("exports/d.json"))
    assert len(result.frame) == len(contents)
    buf = io.BytesIO()
    result.frame.to_parquet(buf)  # lone surrogates would make this fail
