"""Ingesting a client folder: detection from content, accounting per file, deduplication across
overlapping exports, the Parquet store, and incremental runs."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from community_health.config import ClientConfig, load_client
from community_health.ingest import (
    Probe,
    UnknownFormatError,
    detect,
    get_reader,
    ingest_client,
    known_formats,
    load_tables,
    pipeline,
)
from community_health.ingest.envelope import Table, empty_frame
from community_health.ingest.pipeline import _mark_accounts
from community_health.ingest.units import find_units
from community_health.schema import Members, Messages, Posts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = ROOT / "data" / "demo" / "client.yml"

EXPECTED_FORMATS = {
    "x_analytics/x_analytics_promoted_dash.csv": "x_analytics",
    "x_analytics/x_analytics_multiline_emoji.csv": "x_analytics",
    "x_analytics/x_analytics_bad_date_row.csv": "x_analytics",
    "facebook/facebook_insights_description_row.csv": "facebook_insights_posts",
    "slack/slack_export_threads_and_bots": "slack",
    "slack/slack_created_int_vs_string": "slack",
    "discord/discord_json_replies_reference.json": "discord_json",
    "discord/discord_json_deleted_user.json": "discord_json",
    "discord/discord_json_thread_file.json": "discord_json",
    "discourse/discourse_latest_posts_page.json": "discourse_json",
    "discourse/discourse_topic_posts.json": "discourse_json",
    "brandwatch/brandwatch_preamble_lines.csv": "brandwatch",
    "broken/truncated_json.json": "discord_json",
    "broken/unknown_meeting_notes.txt": None,
}


def make_client(tmp_path: Path, *fixtures: str, name: str = "client") -> ClientConfig:
    """A client folder with the demo's client.yml and the given fixtures copied under exports/."""
    root = tmp_path / name
    (root / "exports").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    for rel in fixtures:
        add(root / "exports", rel)
    return load_client(name, tmp_path)


def add(exports: Path, rel: str, as_name: str | None = None) -> Path:
    source = FIXTURES / rel
    target = exports / (as_name or rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target


def log_of(report) -> pd.DataFrame:
    return report.files.set_index("file")


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """Every fixture ingested once (shared by the read-only tests below)."""
    cfg = make_client(tmp_path_factory.mktemp("all"), *EXPECTED_FORMATS)
    report = ingest_client(cfg)
    return cfg, report, load_tables(cfg)


# --------------------------------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(("rel", "expected"), EXPECTED_FORMATS.items())
def test_each_fixture_is_detected_as_its_format(everything, rel, expected):
    _cfg, report, _tables = everything
    fmt = log_of(report).loc[f"exports/{rel}", "format"]
    assert (None if pd.isna(fmt) else fmt) == expected


def test_detection_looks_at_content_not_the_file_name(tmp_path):
    cfg = make_client(tmp_path)
    exports = cfg.paths.exports
    add(exports, "x_analytics/x_analytics_promoted_dash.csv", "download (3).txt")
    add(exports, "discord/discord_json_deleted_user.json", "channel_export.dat")
    add(exports, "discourse/discourse_topic_posts.json", "posts.csv")
    found = {u.relpath: detect(Probe(u)) for u in find_units(exports, cfg.paths.root)}
    assert {k: v.name for k, v in found.items()} == {
        "exports/channel_export.dat": "discord_json",
        "exports/download (3).txt": "x_analytics",
        "exports/posts.csv": "discourse_json",
    }


def test_registry_lists_the_formats_and_an_unknown_name_names_them():
    assert known_formats() == sorted(known_formats())
    assert {
        "brandwatch",
        "discord_json",
        "discourse_json",
        "facebook_insights_posts",
        "slack",
        "x_analytics",
    } <= set(known_formats())
    assert get_reader("slack").name == "slack"
    with pytest.raises(UnknownFormatError) as err:
        get_reader("tiktok_csv")
    assert "known formats: brandwatch, " in str(err.value) and "discord_json, " in str(err.value)


def test_unknown_file_is_reported_with_the_known_formats_and_the_rest_goes_on(everything):
    _cfg, report, tables = everything
    row = log_of(report).loc["exports/broken/unknown_meeting_notes.txt"]
    assert pd.isna(row["format"]) and row["rows_read"] == 0
    assert "not in a format this workbook reads" in row["error"]
    for name in known_formats():
        assert name in row["error"]
    assert "unknown_meeting_notes.txt" in str(report) and "not recognised" in str(report)
    assert len(tables.messages) > 0 and len(tables.posts) > 0


def test_slack_zip_with_a_top_folder_is_one_unit_and_deduplicates_against_the_unpacked_folder(tmp_path):
    cfg = make_client(tmp_path, "slack/slack_export_threads_and_bots")
    zpath = cfg.paths.exports / "zz_later" / "Brightbrew Slack export.zip"
    zpath.parent.mkdir()
    source = FIXTURES / "slack/slack_export_threads_and_bots"
    with zipfile.ZipFile(zpath, "w") as z:
        for p in sorted(source.rglob("*")):
            if p.is_file():
                z.write(p, f"Brightbrew Slack export Mar 26 2016/{p.relative_to(source).as_posix()}")
    report = ingest_client(cfg)
    log = log_of(report)
    assert log.loc["exports/zz_later/Brightbrew Slack export.zip", "format"] == "slack"
    assert log.loc["exports/zz_later/Brightbrew Slack export.zip", "duplicates"] == 9
    assert log.loc["exports/slack/slack_export_threads_and_bots", "kept"] == 9
    tables = load_tables(cfg)
    assert len(tables.messages) == 9


# --------------------------------------------------------------------------------------------------
# Accounting


def test_every_file_adds_up_read_equals_kept_duplicates_quarantined_skipped(everything):
    _cfg, report, tables = everything
    log = report.files
    assert report.balanced
    assert (log["rows_read"] == log["kept"] + log["duplicates"] + log["quarantined"] + log["skipped"]).all()
    per_file = tables.quarantine.groupby("file").size()
    bad_dates = "exports/x_analytics/x_analytics_bad_date_row.csv"
    assert per_file[bad_dates] == log_of(report).loc[bad_dates, "quarantined"] == 3
    assert log["kept"].sum() == len(tables.messages) + len(tables.posts)


def test_skipped_rows_carry_their_reasons_in_the_log(everything):
    _cfg, report, _tables = everything
    slack = log_of(report).loc["exports/slack/slack_export_threads_and_bots"]
    assert slack["skipped"] == 3
    assert slack["skipped_reasons"] == (
        "Slack channel_join event, not community content: 2; "
        "Slack channel_purpose event, not community content: 1"
    )


def test_truncated_file_is_refused_with_its_error_in_the_log(everything):
    _cfg, report, _tables = everything
    row = log_of(report).loc["exports/broken/truncated_json.json"]
    assert row["rows_read"] == 0 and "cut off" in row["error"]


def test_dates_and_assumed_time_zones_are_reported_per_file(everything):
    _cfg, report, _tables = everything
    log = log_of(report)
    fb = log.loc["exports/facebook/facebook_insights_description_row.csv"]
    assert fb["assumed_timezone"] == "Europe/Madrid"
    assert fb["first_date"] == pd.Timestamp("2015-10-25 00:30", tz="UTC")
    assert pd.isna(log.loc["exports/x_analytics/x_analytics_promoted_dash.csv", "assumed_timezone"])
    text = str(report)
    # the last post is dated 02/14/2016 12:40:16 AM in Madrid (23:40 UTC the day before): the day written
    assert "Europe/Madrid" in text and "facebook_insights_posts" in text and "2016-02-14" in text


def test_tables_match_the_schema_and_brand_and_bots_come_from_config_and_data(everything):
    _cfg, _report, tables = everything
    Messages.validate(tables.messages, lazy=True)
    Posts.validate(tables.posts, lazy=True)
    Members.validate(tables.members, lazy=True)
    m = tables.messages.set_index([Messages.platform, Messages.message_id])
    assert m.loc[("discord", "1060000000000000003"), Messages.author_is_brand]  # client.yml discord id
    assert m.loc[("slack", "C0G9QF9GW:1458931000.000003"), Messages.author_is_brand]  # client.yml slack id
    assert m.loc[("x", "1846000000000000000"), Messages.author_is_brand]  # brightbrew on x, from Brandwatch
    assert m.loc[("discourse", "210/3"), Messages.author_is_brand]  # staff: true in the data
    assert m.loc[("discourse", "209/2"), Messages.author_is_bot]
    assert not m.loc[("x", "1845678901234567890"), Messages.author_is_brand]
    members = tables.members.set_index([Members.platform, Members.author_id])
    assert members.loc[("slack", "B0RSS0001"), Members.is_bot]
    assert members.loc[("x", "ana_cafe"), Members.followers] == 12345
    assert members.loc[("discord", "311111111111111111"), Members.first_seen] == pd.Timestamp(
        "2023-01-05 14:22:25.25", tz="UTC"
    )


# --------------------------------------------------------------------------------------------------
# Deduplication, store, incremental runs


def test_overlapping_exports_deduplicate_by_platform_and_id(tmp_path):
    cfg = make_client(
        tmp_path, "x_analytics/x_analytics_promoted_dash.csv", "discord/discord_json_deleted_user.json"
    )
    exports = cfg.paths.exports
    add(exports, "x_analytics/x_analytics_promoted_dash.csv", "x_analytics/custom_range_dec.csv")
    add(exports, "discord/discord_json_deleted_user.json", "zz_again/general.json")
    report = ingest_client(cfg)
    log = log_of(report)
    assert log.loc["exports/x_analytics/custom_range_dec.csv", ["kept", "duplicates"]].tolist() == [3, 0]
    assert log.loc["exports/x_analytics/x_analytics_promoted_dash.csv", ["kept", "duplicates"]].tolist() == [
        0,
        3,
    ]
    assert log.loc["exports/zz_again/general.json", ["kept", "duplicates"]].tolist() == [0, 3]
    tables = load_tables(cfg)
    assert len(tables.posts) == 3 and len(tables.messages) == 3
    assert report.balanced


def test_ingesting_twice_changes_nothing_and_parses_nothing(tmp_path):
    cfg = make_client(
        tmp_path,
        "slack/slack_export_threads_and_bots",
        "brandwatch/brandwatch_preamble_lines.csv",
        "x_analytics/x_analytics_bad_date_row.csv",
    )
    first = ingest_client(cfg)
    assert len(first.parsed) == 3
    store = cfg.paths.normalised
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.glob("*.parquet")}
    second = ingest_client(cfg)
    assert second.parsed == []
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.glob("*.parquet")}
    assert after == before
    pd.testing.assert_frame_equal(first.files, second.files)
    assert not [p for p in store.rglob("*") if p.name.endswith(".tmp")]


def test_a_new_file_is_read_alone_and_a_removed_file_takes_its_rows_with_it(tmp_path):
    cfg = make_client(tmp_path, "discord/discord_json_replies_reference.json")
    ingest_client(cfg)
    added = add(cfg.paths.exports, "discourse/discourse_topic_posts.json")
    report = ingest_client(cfg)
    assert report.parsed == ["exports/discourse/discourse_topic_posts.json"]
    tables = load_tables(cfg)
    assert set(tables.messages[Messages.platform]) == {"discord", "discourse"}
    added.unlink()
    report = ingest_client(cfg)
    assert report.parsed == [] and list(report.files["file"]) == [
        "exports/discord/discord_json_replies_reference.json"
    ]
    tables = load_tables(cfg)
    assert set(tables.messages[Messages.platform]) == {"discord"}
    assert len(list((cfg.paths.normalised / "_ingest" / "units").glob("*.parquet"))) == 2


def test_a_changed_file_is_read_again(tmp_path):
    cfg = make_client(tmp_path, "x_analytics/x_analytics_promoted_dash.csv")
    ingest_client(cfg)
    path = cfg.paths.exports / "x_analytics/x_analytics_promoted_dash.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"424.0"', '"500.0"'), encoding="utf-8")
    report = ingest_client(cfg)
    assert report.parsed == ["exports/x_analytics/x_analytics_promoted_dash.csv"]
    posts = load_tables(cfg).posts.set_index(Posts.post_id)
    assert posts.loc["812041279403376640", Posts.impressions] == 500


def test_new_brand_accounts_in_client_yml_are_applied_without_parsing_again(tmp_path):
    cfg = make_client(tmp_path, "discord/discord_json_deleted_user.json")
    ingest_client(cfg)
    yml = cfg.paths.client_yml
    yml.write_text(
        yml.read_text(encoding="utf-8").replace(
            'discord: ["700000000000000001", "700000000000000002"]',
            'discord: ["700000000000000001", "333333333333333333"]',
        ),
        encoding="utf-8",
    )
    cfg = load_client("client", tmp_path)
    report = ingest_client(cfg)
    assert report.parsed == []
    messages = load_tables(cfg).messages.set_index(Messages.message_id)
    assert messages.loc["1061000000000000002", Messages.author_is_brand]


def test_load_tables_ingests_when_the_store_is_missing(tmp_path):
    cfg = make_client(tmp_path, "discourse/discourse_latest_posts_page.json")
    assert not cfg.paths.normalised.exists()
    tables = load_tables(cfg)
    assert len(tables.messages) == 4 and len(tables.ingest_log) == 1
    assert {p.name for p in cfg.paths.normalised.glob("*.parquet")} == {
        "messages.parquet",
        "posts.parquet",
        "members.parquet",
        "quarantine.parquet",
        "ingest_log.parquet",
    }
    assert tables.messages[Messages.created_at].dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert str(tables.messages[Messages.reactions].dtype) == "Int64"


def test_a_client_without_exports_gets_empty_tables(tmp_path):
    cfg = make_client(tmp_path)
    shutil.rmtree(cfg.paths.exports)
    report = ingest_client(cfg)
    assert report.files.empty and "No exports found" in str(report)
    tables = load_tables(cfg)
    assert tables.messages.empty and tables.posts.empty and tables.members.empty


def test_echo_and_progress_report_each_file(tmp_path):
    cfg = make_client(tmp_path, "discord/discord_json_deleted_user.json", "broken/unknown_meeting_notes.txt")
    lines: list[str] = []
    ingest_client(cfg, progress=True, echo=lines.append)
    assert lines == [
        "exports/broken/unknown_meeting_notes.txt: not recognised",
        "exports/discord/discord_json_deleted_user.json: discord_json, 3 rows",
    ]


def test_a_touched_but_unchanged_file_is_not_read_again(tmp_path):
    cfg = make_client(tmp_path, "brandwatch/brandwatch_preamble_lines.csv")
    ingest_client(cfg)
    path = cfg.paths.exports / "brandwatch/brandwatch_preamble_lines.csv"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert ingest_client(cfg).parsed == []
    assert ingest_client(cfg).parsed == []


def test_a_damaged_zip_is_reported_and_the_rest_goes_on(tmp_path):
    cfg = make_client(tmp_path, "discord/discord_json_deleted_user.json")
    (cfg.paths.exports / "slack_export.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    report = ingest_client(cfg)
    log = log_of(report)
    assert pd.isna(log.loc["exports/slack_export.zip", "format"])
    assert log.loc["exports/discord/discord_json_deleted_user.json", "kept"] == 3


DEMO_EXPORTS = ROOT / "data" / "demo" / "exports"


@pytest.mark.skipif(not any(DEMO_EXPORTS.rglob("*.*")), reason="the demo client's exports are not generated")
def test_every_demo_export_is_recognised_and_adds_up(tmp_path):
    shutil.copytree(DEMO_EXPORTS, tmp_path / "demo" / "exports")
    shutil.copy(DEMO_YML, tmp_path / "demo" / "client.yml")
    report = ingest_client(load_client("demo", tmp_path))
    log = report.files
    assert log["format"].notna().all(), log.loc[log["format"].isna(), "file"].tolist()
    assert log["error"].isna().all(), log["error"].dropna().tolist()
    assert report.balanced
    assert set(log["format"]) <= set(known_formats())  # the demo has no export of some formats


def test_brand_and_bot_marks_of_whole_columns_match_client_yml_one_author_at_a_time(tmp_path):
    cfg = make_client(tmp_path)
    authors = [
        ("x", "BrightBrew", None),
        ("x", "@brightbrew", "someone"),
        ("x", "u1", "@BRIGHTBREW"),
        ("discourse", "system", None),
        ("discourse", "DiscoBot", "Discobot"),
        ("slack", "U0BB00001", "Ana"),
        ("slack", "u9", None),
        ("discord", "700000000000000002", None),
        ("facebook", "p1", "Brightbrew Coffee"),
        ("reddit", "brightbrew", "brightbrew"),  # no accounts listed for the platform
    ]
    n = len(authors)
    frame = empty_frame(Table.MESSAGES).reindex(range(n))
    frame[Messages.platform] = pd.Series([a[0] for a in authors], dtype="str")
    frame[Messages.author_id] = pd.Series([a[1] for a in authors], dtype="str")
    frame[Messages.author_name] = pd.Series([a[2] for a in authors], dtype="str")
    frame[Messages.author_is_brand] = False
    frame[Messages.author_is_bot] = False
    marked = _mark_accounts(frame, cfg)
    assert marked[Messages.author_is_brand].tolist() == [cfg.is_brand(*a) for a in authors]
    assert marked[Messages.author_is_bot].tolist() == [cfg.is_bot(*a) for a in authors]
    assert marked[Messages.author_is_brand].sum() == 6 and marked[Messages.author_is_bot].sum() == 2


def _validated_by_pandera_alone(frame: pd.DataFrame, model: type) -> tuple[list[bool], pd.DataFrame]:
    """What ``_validate_rows`` returns when pandera checks every row (no pre-check)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "_suspect_rows", lambda _frame, _schema: None)
        bad, quarantine = pipeline._validate_rows(frame, model)
    return bad.tolist(), quarantine


def test_rows_failing_the_schema_are_those_pandera_finds_on_every_row_with_the_same_reasons(everything):
    _cfg, _report, tables = everything
    for model, frame in ((Messages, tables.messages), (Posts, tables.posts)):
        frame = frame.copy()
        assert len(frame) >= 6
        got_bad, got_q = pipeline._validate_rows(frame, model)
        assert not got_bad.any() and got_q.empty
        frame.loc[1, "platform"] = "myspace"
        frame.loc[2, "reactions"] = -3
        frame.loc[3, "reactions"] = -1
        frame.loc[3, "channel"] = None  # two failures of one row: the first is reported, as pandera does
        frame.loc[4, "created_at"] = pd.NaT
        frame.loc[5, "source_row"] = -1
        if model is Messages:
            frame.loc[0, "kind"] = "tweet"
            frame.loc[5, "author_id"] = None
        got_bad, got_q = pipeline._validate_rows(frame, model)
        want_bad, want_q = _validated_by_pandera_alone(frame, model)
        assert got_bad.tolist() == want_bad and sum(want_bad) == (6 if model is Messages else 5)
        pd.testing.assert_frame_equal(got_q, want_q)


def test_a_column_of_python_objects_is_checked_by_pandera_value_by_value(everything):
    _cfg, _report, tables = everything
    frame = tables.messages.copy()
    frame["channel"] = frame["channel"].astype(object)
    frame.loc[0, "channel"] = 7  # not text: only pandera's check of each value finds it
    got_bad, got_q = pipeline._validate_rows(frame, Messages)
    want_bad, want_q = _validated_by_pandera_alone(frame, Messages)
    assert got_bad.tolist() == want_bad and got_bad[0]
    pd.testing.assert_frame_equal(got_q, want_q)


def test_summary_prints_the_days_of_an_export_in_the_clients_zone(tmp_path: Path) -> None:
    """YouTube dates its videos by the day only (Sep 18, Oct 2 and Oct 9, 2025): read as midnight in
    Madrid, stored as 22:00 UTC the day before. The summary a person compares with the file must show the
    days written."""
    cfg = make_client(tmp_path, "youtube/youtube_table_data_total_row.csv")
    report = ingest_client(cfg)
    row = report.files.iloc[0]
    assert row["first_date"] == pd.Timestamp("2025-09-17 22:00", tz="UTC")  # stored in UTC
    assert row["last_date"] == pd.Timestamp("2025-10-08 22:00", tz="UTC")
    line = next(x for x in str(report).splitlines() if "youtube_table_data_total_row.csv" in x)
    assert "2025-09-18 2025-10-09" in line
    assert "Days (from, to) in Europe/Madrid." in str(report)


def test_tables_written_together_land_only_when_every_one_was_written(tmp_path: Path) -> None:
    """The store's tables are written by a thread while the next ones are built: when one cannot be
    written, none replaces what was stored, and no half-written file is left behind."""
    from community_health.ingest.store import TableWriter

    old = pd.DataFrame({"n": [1, 2]})
    for name in ("a.parquet", "b.parquet"):
        old.to_parquet(tmp_path / name)
    unwritable = pd.DataFrame({"n": [1, "two", 3.0]}, dtype=object)  # no Parquet type holds these
    with pytest.raises(pa.ArrowException), TableWriter() as writer:
        writer.write(pd.DataFrame({"n": [7, 8, 9]}), tmp_path / "a.parquet")
        writer.write(unwritable, tmp_path / "b.parquet")
        writer.finish()
    for name in ("a.parquet", "b.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "b.parquet"]

    with TableWriter() as writer:
        writer.write(pd.DataFrame({"n": [7, 8, 9]}), tmp_path / "a.parquet")
        writer.finish()
    assert pd.read_parquet(tmp_path / "a.parquet")["n"].tolist() == [7, 8, 9]


def test_the_summary_lists_the_known_formats_once_however_many_files_are_not_recognised(tmp_path: Path):
    cfg = make_client(tmp_path, "broken/unknown_meeting_notes.txt")
    shutil.copy(FIXTURES / "broken/unknown_meeting_notes.txt", cfg.paths.exports / "more_notes.txt")
    text = str(ingest_client(cfg))
    assert text.count("Known formats:") == 1 and text.count("is not in a format this workbook reads") == 2
    assert all(name in text.split("Known formats:", 1)[1] for name in known_formats())
