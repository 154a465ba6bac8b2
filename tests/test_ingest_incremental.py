"""Adding exports to a stored client: the tables come out exactly as a cold ingest of every export gives
them (same rows, same order, same dtypes, same ingest log), whether the new rows are appended to the
stored tables or everything is combined again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from community_health.config import ClientConfig, load_client
from community_health.ingest import ingest_client, pipeline
from community_health.ingest.pipeline import Tables, read_tables

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"

#: (fixture, path under exports/) of the first part.
BASE = [
    ("discord/discord_json_deleted_user.json", "discord/general.json"),
    ("x_analytics/x_analytics_promoted_dash.csv", "x/2026-09.csv"),
    ("x_analytics/x_analytics_bad_date_row.csv", "x/2026-08.csv"),
    ("slack/slack_export_threads_and_bots", "slack"),
]
#: The month added: a new export, one overlapping an earlier export (the same posts again, sorting
#: after it), one whose rows are all duplicates of the first part, and one that is not an export.
MONTH = [
    ("discourse/discourse_topic_posts.json", "discourse/topic.json"),
    ("brandwatch/brandwatch_preamble_lines.csv", "listening/mentions.csv"),
    ("x_analytics/x_analytics_promoted_dash.csv", "x/2026-10.csv"),
    ("discord/discord_json_deleted_user.json", "zz_again/general.json"),
    ("broken/unknown_meeting_notes.txt", "notes/meeting.txt"),
]


def client(tmp_path: Path, name: str, files: list[tuple[str, str]]) -> ClientConfig:
    root = tmp_path / name
    (root / "exports").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    place(root / "exports", files)
    return load_client(name, tmp_path)


def place(exports: Path, files: list[tuple[str, str]]) -> None:
    for fixture, rel in files:
        source, target = FIXTURES / fixture, exports / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)


def assert_same_tables(got: Tables, want: Tables) -> None:
    for name in ("messages", "posts", "members", "quarantine", "ingest_log"):
        a, b = getattr(got, name), getattr(want, name)
        assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str)), name
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


@pytest.fixture
def appends(monkeypatch) -> list[str]:
    """What each run did with the tables: "append" to the stored ones, or "combine" them all (after
    "no append" when appending was tried)."""
    runs: list[str] = []
    append, combine = pipeline._append, pipeline._combine

    def counted_append(*args, **kwargs):
        out = append(*args, **kwargs)
        runs.append("append" if out is not None else "no append")
        return out

    def counted_combine(*args, **kwargs):
        runs.append("combine")
        return combine(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_append", counted_append)
    monkeypatch.setattr(pipeline, "_combine", counted_combine)
    return runs


def test_a_month_added_gives_the_tables_of_a_cold_ingest_of_everything(tmp_path, appends):
    cold = client(tmp_path, "cold", BASE + MONTH)
    ingest_client(cold)
    want = read_tables(cold.paths.normalised)

    cfg = client(tmp_path, "inc", BASE)
    ingest_client(cfg)
    place(cfg.paths.exports, MONTH)
    report = ingest_client(cfg)
    assert sorted(report.parsed) == sorted(f"exports/{rel}" for _, rel in MONTH)
    assert appends == ["combine", "combine", "append"]  # cold, first part, then the month
    got = read_tables(cfg.paths.normalised)
    assert_same_tables(got, want)

    log = got.ingest_log.set_index("file")
    assert log.loc["exports/x/2026-10.csv", ["kept", "duplicates"]].tolist() == [0, 3]
    assert log.loc["exports/zz_again/general.json", "kept"] == 0
    assert log.loc["exports/zz_again/general.json", "duplicates"] > 0
    assert log.loc["exports/discourse/topic.json", "kept"] > 0
    counted = log[["kept", "duplicates", "quarantined", "skipped"]].sum(axis=1)
    assert (log["rows_read"] == counted).all()
    assert got.quarantine["file"].str.contains("2026-08").any()  # the stored part's quarantine stays

    assert ingest_client(cfg).parsed == []  # and a run with nothing new changes nothing
    assert_same_tables(read_tables(cfg.paths.normalised), want)


def test_a_new_export_sorting_before_a_stored_copy_takes_over_its_rows(tmp_path, appends):
    early = [
        ("discord/discord_json_deleted_user.json", "aa_first/general.json"),
        ("x_analytics/x_analytics_promoted_dash.csv", "x/2026-07.csv"),
    ]
    cold = client(tmp_path, "cold", BASE + early)
    ingest_client(cold)

    cfg = client(tmp_path, "inc", BASE)
    ingest_client(cfg)
    place(cfg.paths.exports, early)
    ingest_client(cfg)
    assert appends[-1] == "append"  # the new copy is kept; the stored one becomes a duplicate
    got = read_tables(cfg.paths.normalised)
    assert_same_tables(got, read_tables(cold.paths.normalised))
    log = got.ingest_log.set_index("file")
    assert log.loc["exports/discord/general.json", "kept"] == 0
    assert log.loc["exports/aa_first/general.json", "kept"] > 0
    assert log.loc["exports/x/2026-07.csv", ["kept", "duplicates"]].tolist() == [3, 0]
    assert log.loc["exports/x/2026-09.csv", ["kept", "duplicates"]].tolist() == [0, 3]


def test_months_added_one_after_another_and_then_removed(tmp_path, appends):
    cold = client(tmp_path, "cold", BASE + MONTH)
    ingest_client(cold)
    base = client(tmp_path, "base", BASE)
    ingest_client(base)

    cfg = client(tmp_path, "inc", BASE)
    ingest_client(cfg)
    for extra in MONTH:
        place(cfg.paths.exports, [extra])
        ingest_client(cfg)
    assert appends[-len(MONTH) :] == ["append"] * len(MONTH)
    assert_same_tables(read_tables(cfg.paths.normalised), read_tables(cold.paths.normalised))

    for _, rel in MONTH:
        path = cfg.paths.exports / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    ingest_client(cfg)
    assert_same_tables(read_tables(cfg.paths.normalised), read_tables(base.paths.normalised))


def test_exports_read_by_several_processes_give_the_tables_one_process_gives(
    tmp_path: Path, monkeypatch
) -> None:
    """Large inputs are read by one process per CPU; the tables, the ingest log and the accounting must
    be those of reading everything in one process, for a cold run and for a month added after it."""
    readers_at = tmp_path / "pids.txt"
    read_and_store = pipeline._read_and_store

    def noted(*args, **kwargs):  # (forked processes inherit the patched module)
        with readers_at.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return read_and_store(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_read_and_store", noted)
    got = {}
    for workers in (1, 2):
        cfg = client(tmp_path / f"w{workers}", "acme", BASE + MONTH)
        readers_at.unlink(missing_ok=True)
        report = ingest_client(cfg, workers=workers)
        assert report.balanced
        assert set(report.read_seconds) >= {"slack", "discord_json", "x_analytics", "discourse_json"}
        got[workers] = read_tables(cfg.paths.normalised)
    assert_same_tables(got[2], got[1])
    assert len(got[1].messages) > 0 and len(got[1].quarantine) > 0
    pids = set(readers_at.read_text().split())
    assert pids and str(os.getpid()) not in pids  # the batches were read by other processes

    added = {}
    for workers in (1, 2):
        cfg = client(tmp_path / f"inc{workers}", "acme", BASE)
        ingest_client(cfg, workers=workers)
        place(cfg.paths.exports, MONTH)
        report = ingest_client(cfg, workers=workers)
        assert report.balanced and len(report.parsed) == len(MONTH)
        added[workers] = read_tables(cfg.paths.normalised)
    assert_same_tables(added[2], added[1])
    assert_same_tables(added[1], got[1])


def test_the_command_line_reads_with_the_processes_asked_for(tmp_path: Path, capsys) -> None:
    from community_health.cli import main

    one = client(tmp_path / "one", "acme", BASE + MONTH)
    ingest_client(one, workers=1)
    two = client(tmp_path / "two", "acme", BASE + MONTH)
    assert main(["ingest", "--client", "acme", "--data-dir", str(tmp_path / "two"), "--workers", "2"]) == 0
    assert f"Ingested {len(BASE + MONTH)} export(s)" in capsys.readouterr().out
    assert_same_tables(read_tables(two.paths.normalised), read_tables(one.paths.normalised))
