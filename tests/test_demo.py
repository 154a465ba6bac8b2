"""The demo generator: deterministic, in the real export layouts, and holding the truths it claims."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from community_health.config import load_client
from community_health.demo import DEFAULT_MESSAGES, demo_truths, write_demo
from community_health.demo.brand_posts import brand_posts
from community_health.demo.people import SUPERFANS
from community_health.demo.writers_facebook import facebook_posts
from community_health.ingest import ingest_client, load_tables

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
MADRID = ZoneInfo("Europe/Madrid")
NEGATIVE = ("refund", "terrible", "disappointed", "angry", "broken", "overcharged", "wrong price")
BRAND = {
    "slack": {"U0BB00001", "U0BB00002", "U0BB00003"},
    "discord": {"700000000000000001", "700000000000000002"},
    "discourse": {"brightbrew_team", "lucia_bb", "tomas_bb"},
}


# What the generator writes; anything else in the client folder (the normalised tables that ingest
# rebuilds there, for one) is not its output.
GENERATED = ("client.yml", "events.csv", "README.md", "commentary", "exports")


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] in GENERATED
    }


def planted(folder: str) -> set[tuple[str, int]]:
    """(file name, row) of the bad rows planted in ``exports/<folder>``: not what the raw-file checks
    below are about (ingest quarantines them; see test_ingest_quarantines_exactly_the_planted_rows)."""
    rows = demo_truths(DEFAULT_MESSAGES).quarantined_rows
    return {(Path(b.file).name, b.row) for b in rows if Path(b.file).parts[1] == folder}


@pytest.fixture(scope="module")
def fresh_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(out)
    return out


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = write_demo(tmp_path / "a", messages=1500, seed=3)
    second = write_demo(tmp_path / "b", messages=1500, seed=3)
    assert hashes(tmp_path / "a") == hashes(tmp_path / "b")
    assert first == second == demo_truths(messages=1500, seed=3)
    write_demo(tmp_path / "c", messages=1500, seed=4)
    assert hashes(tmp_path / "a") != hashes(tmp_path / "c")


def test_committed_demo_is_the_default_output(fresh_default: Path) -> None:
    assert hashes(DEMO) == hashes(fresh_default)
    assert (DEMO / "client.yml").read_text() == (fresh_default / "client.yml").read_text()


def test_files_keep_the_quirks_of_real_exports() -> None:
    exports = DEMO / "exports"
    fb = next((exports / "facebook").glob("*.csv")).read_bytes()
    assert fb.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(fb.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Post ID", "Permalink", "Post Message"]
    assert rows[1][8].startswith("Lifetime: ")
    assert rows[0].count("Lifetime Organic views to 95%") == 2
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d [AP]M", rows[2][6])

    x_files = sorted((exports / "x").glob("tweet_activity_metrics_brightbrew_*_en.csv"))
    assert len(x_files) == 13
    text = x_files[-1].read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    x_rows = list(csv.reader(io.StringIO(text)))
    assert len(x_rows[0]) == 40 and x_rows[0][-1] == "promoted media engagements"
    assert all(len(r) == 40 and r[-18:] == ["-"] * 18 for r in x_rows[1:])
    assert re.fullmatch(r"\d+\.0", x_rows[1][4]) and float(x_rows[1][6]) < 1
    assert text.splitlines()[1].startswith('"') and any("\n" in r[2] for r in x_rows[1:])

    stamps = []
    bad = planted("discord")
    for path in (exports / "discord").glob("*.json"):
        raw = path.read_text(encoding="utf-8")
        assert raw.isascii()
        messages = json.loads(raw)["messages"]
        stamps += [m["timestamp"] for k, m in enumerate(messages, 1) if (path.name, k) not in bad]
    fractions = {
        len(m.group(1) or "") for s in stamps if (m := re.search(r":\d\d(?:\.(\d+))?[+-]\d\d:\d\d$", s))
    }
    assert fractions == {0, 1, 2, 3} and len(stamps) == len([s for s in stamps if s[-6] in "+-"])

    slack = exports / "slack"
    assert "\\/" in (slack / "users.json").read_text()
    messages = [m for f in sorted(slack.glob("*/*.json")) for m in json.loads(f.read_text())]
    subtypes = Counter(m.get("subtype") for m in messages)
    assert subtypes["bot_message"] and subtypes["channel_join"] and subtypes["thread_broadcast"]
    assert any(m.get("thread_ts") not in (None, m["ts"]) and "parent_user_id" in m for m in messages)
    assert any("attachments" in m and not m["text"] for m in messages if m.get("subtype") == "bot_message")

    lines = next((exports / "listening").glob("*.csv")).read_text(encoding="utf-8").splitlines()
    assert lines[2] == "" and lines[3].startswith("Query Id,Query Name,Date,")


def member_messages() -> list[tuple[str, str, datetime, str]]:
    """(platform, author, local time, text) of every member message, parsed straight from the files."""
    exports = DEMO / "exports"
    bad = planted("discord") | planted("discourse")
    out = []
    for f in sorted((exports / "slack").glob("*/*.json")):
        for m in json.loads(f.read_text()):
            if m.get("subtype") in (None, "thread_broadcast") and m["user"] not in BRAND["slack"]:
                when = datetime.fromtimestamp(float(m["ts"]), MADRID)
                out.append(("slack", m["user"], when, m["text"]))
    for f in sorted((exports / "discord").glob("*.json")):
        for k, m in enumerate(json.loads(f.read_text())["messages"], 1):
            if (f.name, k) in bad:
                continue
            a = m["author"]
            if m["type"] in ("Default", "Reply") and not a["isBot"] and a["id"] not in BRAND["discord"]:
                when = datetime.fromisoformat(m["timestamp"]).astimezone(MADRID)
                out.append(("discord", a["id"], when, m["content"]))
    for f in sorted((exports / "discourse").glob("posts-page-*.json")):
        for k, p in enumerate(json.loads(f.read_text())["latest_posts"], 1):
            if (f.name, k) in bad:
                continue
            if p["deleted_at"] is None and p["user_id"] > 0 and p["username"] not in BRAND["discourse"]:
                when = datetime.fromisoformat(p["created_at"].replace("Z", "+00:00")).astimezone(MADRID)
                out.append(("discourse", p["username"], when, p["raw"]))
    lines = next((exports / "listening").glob("*.csv")).read_text(encoding="utf-8").splitlines()
    for r in csv.DictReader(lines[3:]):
        when = datetime.strptime(r["Date"], "%Y-%m-%d %H:%M:%S.0").replace(tzinfo=MADRID)
        out.append(("listening", r["Author"], when, r["Full Text"]))
    return out


def test_truths_hold_in_the_raw_files() -> None:
    rows = member_messages()
    fans = {s.slack for s in SUPERFANS} | {s.discord for s in SUPERFANS} | {s.discourse for s in SUPERFANS}
    share = sum(a in fans for _, a, _, _ in rows) / len(rows)
    assert 0.4 <= share <= 0.6
    assert not any(3 <= w.hour < 6 for _, _, w, _ in rows)

    negative = Counter(w.date().isoformat() for _, _, w, t in rows if any(n in t.lower() for n in NEGATIVE))
    before = [date(2026, 9, 14) + timedelta(days=k) for k in range(28)]
    baseline = max(1.0, median(negative[d.isoformat()] for d in before))
    for day in ("2026-10-13", "2026-10-14", "2026-10-15"):
        assert negative[day] >= 5 * baseline

    truths = demo_truths(DEFAULT_MESSAGES)
    assert truths.amplifier_followers > 100_000
    text = (DEMO / "exports" / "listening").glob("*.csv").__next__().read_text(encoding="utf-8")
    assert f"{truths.amplifier_handle}," in text and f",{truths.amplifier_followers}," in text
    assert 0.03 <= truths.unanswered_share <= 0.12 and truths.still_open_thread_ids
    assert truths.brand_messages_late_evening_or_sunday_morning == 0
    assert 1.3 <= truths.campaign_engagement_rate["x"][2] <= 1.7


def test_ingest_quarantines_exactly_the_planted_rows(fresh_default: Path) -> None:
    """The planted bad rows, and nothing else, are quarantined with a reason naming file, row and field;
    every export's rows add up, and no post is lost (each bad row is a copy of a row exported intact)."""
    truths = demo_truths(DEFAULT_MESSAGES)
    bad = truths.quarantined_rows
    assert 3 <= len(bad) <= 5
    assert {Path(b.file).parts[1] for b in bad} == {"x", "facebook", "discord", "discourse"}
    cfg = load_client(fresh_default.name, fresh_default.parent)
    report = ingest_client(cfg)
    log = report.files.set_index("file")
    assert log["error"].isna().all(), log["error"].dropna().tolist()
    assert (log["rows_read"] == log["kept"] + log["duplicates"] + log["quarantined"] + log["skipped"]).all()
    assert report.balanced
    per_file = Counter(b.file for b in bad)
    assert log["quarantined"].to_dict() == {f: per_file.get(f, 0) for f in log.index}

    tables = load_tables(cfg)
    q = tables.quarantine
    assert sorted(zip(q["file"], q["row"], q["field"], strict=True)) == sorted(
        (b.file, b.row, b.field) for b in bad
    )
    reasons = {(f, r): why for f, r, why in zip(q["file"], q["row"], q["reason"], strict=True)}
    for b in bad:
        reason = reasons[(b.file, b.row)]
        label = {"discord": "message", "discourse": "post"}.get(Path(b.file).parts[1], "row")
        assert reason.startswith(f'{b.file} {label} {b.row}, field "{b.field}": expected ')
        assert reason.endswith("got nothing" if b.got is None else f'got "{b.got}"')

    posts = tables.posts
    assert (posts["platform"] == "x").sum() == len(brand_posts("x", truths.seed))
    assert (posts["platform"] == "facebook").sum() == len(facebook_posts(truths.seed))
