"""Opening a report: the tables a render has just brought up to date are read as stored, without the
ingest; anywhere else (JupyterLab, another store) the ingest checks the exports first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from community_health.ingest.store import TABLE_FILES
from community_health.render import TABLES_CURRENT
from community_health.report import sections
from community_health.report.sections import open_report

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("open") / "data"
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    return data


def test_the_stored_tables_are_the_ones_the_ingest_writes():
    assert sections._STORED_TABLES == TABLE_FILES


def test_a_render_reads_the_same_tables_as_the_ingest_gives(data: Path, monkeypatch):
    checked = open_report("demo", PERIOD, data_dir=data)  # ingests: writes the store
    monkeypatch.setenv(TABLES_CURRENT, str(checked.cfg.paths.normalised))
    monkeypatch.setattr("community_health.ingest.load_tables", _refuse)
    read = open_report("demo", PERIOD, data_dir=data)
    for name in ("messages", "posts", "quarantine", "ingest_log", "enrichment"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(checked, name), obj=name)


def test_tables_of_another_store_or_missing_ones_go_through_the_ingest(data: Path, monkeypatch):
    cfg = open_report("demo", PERIOD, data_dir=data).cfg
    monkeypatch.setenv(TABLES_CURRENT, str(cfg.paths.normalised.parent / "elsewhere"))
    assert sections._current_tables(cfg) is None
    monkeypatch.setenv(TABLES_CURRENT, str(cfg.paths.normalised))
    assert sections._current_tables(cfg) is not None
    (cfg.paths.normalised / TABLE_FILES["quarantine"]).rename(cfg.paths.normalised / "set-aside")
    try:
        assert sections._current_tables(cfg) is None
    finally:
        (cfg.paths.normalised / "set-aside").rename(cfg.paths.normalised / TABLE_FILES["quarantine"])


def _refuse(*_args, **_kwargs):
    raise AssertionError("the tables were checked against the exports again")


def test_files_not_read_or_read_with_a_note_are_named_in_the_data_quality_appendix(tmp_path: Path):
    """A file in no known format, a file cut off, and a file whose day/month order was assumed: each is
    named in the appendix with what the ingest said (without the list of every format), and the table of
    sources counts the unrecognised file, so its files add up to the total the appendix gives."""
    from community_health.ingest.report import KNOWN_FORMATS

    assert sections._KNOWN_FORMATS == KNOWN_FORMATS
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    fixtures = ROOT / "tests" / "fixtures"
    exports = data / "demo" / "exports"
    shutil.copy(fixtures / "broken" / "unknown_meeting_notes.txt", exports / "meeting <i>notes.txt")
    shutil.copy(fixtures / "broken" / "truncated_json.json", exports / "truncated_json.json")
    shutil.copy(fixtures / "whatsapp" / "whatsapp_ambiguous_day_month.txt", exports / "whatsapp_chat.txt")
    report = open_report("demo", PERIOD, data_dir=data)
    html = report.data_quality().html
    assert "Files not read, or read with a note to check (3)" in html
    assert "meeting &lt;i&gt;notes.txt" in html and "<i>notes" not in html  # a file's name is text
    assert "is not in a format this workbook reads" in html and KNOWN_FORMATS not in html
    assert "is cut off" in html and "read both as day/month and as month/day" in html
    assert ">not recognised<" in html
    log = report.ingest_log
    assert int(log["format"].isna().sum()) == 1
    assert f"{len(log):,} export files" in html
