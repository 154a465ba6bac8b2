"""Batch rendering: many clients in parallel, failures isolated, unchanged reports skipped, one list of
early warnings, and the same jobs sent to a Dask cluster.

The end-to-end tests render an agency of four clients from copies of the demo: two good ones
(``alpha``, ``beta``), one whose ``events.csv`` breaks the notebook (``broken``) and one whose
``client.yml`` names a time zone that does not exist (``badzone``). PDFs are left out to keep it fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from papermill.exceptions import PapermillExecutionError

from community_health.batch import (
    BatchError,
    BatchOptions,
    Job,
    JobResult,
    Progress,
    Status,
    alert_line,
    failure_details,
    input_fingerprint,
    is_up_to_date,
    library_fingerprint,
    period_range,
    plan_jobs,
    rank_alerts,
    run_local,
    select_clients,
    spike_alerts,
    summary_table,
)
from community_health.cli import main
from community_health.config import ConfigError, Period, load_client
from community_health.render import RenderError, notebook_path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"


def _demo_copy(data: Path, name: str) -> Path:
    client = data / name
    shutil.copytree(ROOT / "data" / "demo", client, ignore=shutil.ignore_patterns("normalised"))
    return client


def _run(*argv: str) -> tuple[int, str, str]:
    """``community-health`` in this process: exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------------------------------------
# Planning and the pure parts


def test_a_period_range_is_every_month_from_first_to_last():
    assert [str(p) for p in period_range("2026-07..2026-10")] == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert [str(p) for p in period_range("2025-12..2026-01")] == ["2025-12", "2026-01"]
    assert [str(p) for p in period_range("2026-10")] == ["2026-10"]
    with pytest.raises(BatchError, match="runs backwards"):
        period_range("2026-10..2026-07")
    with pytest.raises(ConfigError, match="YYYY-MM"):
        period_range("2026-7..2026-10")


def test_jobs_are_one_per_client_and_period_without_repeats():
    jobs = plan_jobs(["a", "b"], period_range("2026-09..2026-10"))
    assert [(j.client, j.period) for j in jobs] == [
        ("a", "2026-09"),
        ("a", "2026-10"),
        ("b", "2026-09"),
        ("b", "2026-10"),
    ]
    assert plan_jobs(["a", "a"], [None]) == [Job("a", None)]


def test_clients_are_every_folder_with_a_client_yml_unless_named(tmp_path: Path):
    for name in ("zeta", "acme"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "client.yml").write_text("name: x\n")
    (tmp_path / "notes").mkdir()
    assert select_clients(tmp_path, None) == ["acme", "zeta"]
    assert select_clients(tmp_path, "all") == ["acme", "zeta"]
    assert select_clients(tmp_path, "zeta, acme") == ["zeta", "acme"]
    with pytest.raises(BatchError, match=r"no client nobody under .*\(clients found: acme, zeta\)"):
        select_clients(tmp_path, "acme,nobody")
    with pytest.raises(BatchError, match="no clients under"):
        select_clients(tmp_path / "notes", None)


def _alert(client: str, z: float | None, negative: int, start: str = "2026-10-13") -> dict:
    return {
        "client": client,
        "period": PERIOD,
        "start": start,
        "end": start,
        "negative_messages": negative,
        "peak_negative_messages": negative,
        "peak_day": start,
        "peak_z": z,
        "top_author_name": "marta_eats",
        "top_author_followers": 182_400,
    }


def test_alerts_come_worst_first():
    alerts = [_alert("mild", 3.6, 40), _alert("crisis", 56.0, 269), _alert("loud", 3.6, 90)]
    assert [a["client"] for a in rank_alerts(alerts)] == ["crisis", "loud", "mild"]
    line = alert_line(rank_alerts(alerts)[0])
    assert line.startswith("crisis 2026-10: 269 negative messages 2026-10-13")
    assert "z 56.0" in line and "marta_eats, 182,400 followers" in line


def test_spikes_become_plain_alerts():
    spikes = pd.DataFrame(
        {
            "episode": [1],
            "start": [pd.Timestamp("2026-10-13")],
            "end": [pd.Timestamp("2026-10-16")],
            "negative_messages": [269],
            "peak_z": [float("inf")],
            "top_author_followers": pd.array([pd.NA], dtype="Int64"),
        }
    )
    [alert] = spike_alerts(spikes, "demo", "Brightbrew Coffee", PERIOD)
    assert alert == {
        "client": "demo",
        "client_name": "Brightbrew Coffee",
        "period": PERIOD,
        "episode": 1,
        "start": "2026-10-13",
        "end": "2026-10-16",
        "negative_messages": 269,
        "peak_z": None,
        "top_author_followers": None,
    }
    json.dumps(alert)  # plain JSON, no numpy or pandas values


def test_summary_names_the_failed_cell_and_error():
    results = [
        JobResult("acme", PERIOD, Status.RENDERED, 31.2, "/r/acme/2026-10", ["report.html", "report.pdf"]),
        JobResult("demo", PERIOD, Status.SKIPPED, 0.4, "/r/demo/2026-10", ["report.html"]),
        JobResult(
            "bad",
            PERIOD,
            Status.FAILED,
            9.0,
            "/r/bad/2026-10.failed",
            ["report.ipynb"],
            cell="In [4] rpt = report.open_report(client)",
            error="DateParseError: not a date",
        ),
    ]
    table = summary_table(results).splitlines()
    assert table[0].split() == ["client", "period", "status", "time", "output", "cell", "error"]
    assert "/r/acme/2026-10/report.html, report.pdf" in table[2]
    assert "skipped" in table[3]
    assert "/r/bad/2026-10.failed/report.ipynb" in table[4] and "In [4] rpt = report.open_report" in table[4]
    assert table[4].endswith("DateParseError: not a date")
    assert "cell" not in summary_table(results[:2])


def test_a_failure_in_the_notebook_names_its_cell():
    cell_error = PapermillExecutionError(
        3, 4, "\nrpt = report.open_report(client)\n", "DateParseError", "not a date", ["\x1b[0;31mboom"]
    )
    try:
        try:
            raise cell_error
        except PapermillExecutionError as exc:
            raise RenderError("bad 2026-10: ... (the executed notebook is kept in x)") from exc
    except RenderError as exc:
        cell, error, details = failure_details(exc)
    assert cell == "In [4] rpt = report.open_report(client)"
    assert error == "DateParseError: not a date"
    assert details == "boom"
    assert failure_details(ConfigError("client.yml: timezone 'X' is not a known time zone"))[:2] == (
        "",
        "client.yml: timezone 'X' is not a known time zone",
    )
    assert failure_details(KeyError("colour"))[1] == "KeyError: 'colour'"


def test_the_fingerprint_follows_every_input(tmp_path: Path):
    client = _demo_copy(tmp_path, "demo")
    cfg = load_client("demo", tmp_path)
    notebook = notebook_path("community_health_report")
    options = BatchOptions(tmp_path, tmp_path / "reports", pdf=False)
    october, september = Period.parse("2026-10"), Period.parse("2026-09")

    def fingerprint(period: Period = october, opts: BatchOptions = options) -> str:
        return input_fingerprint(cfg, period, notebook, opts)["fingerprint"]

    first = fingerprint()
    assert fingerprint() == first
    assert fingerprint(september) != first
    assert fingerprint(opts=BatchOptions(tmp_path, tmp_path / "reports", pdf=True)) != first
    (client / "commentary" / "2026-10.md").write_text("# New words\n", encoding="utf-8")
    changed = fingerprint()
    assert changed != first
    export = next(p for p in sorted((client / "exports").rglob("*.csv")))
    export.write_bytes(export.read_bytes() + b"\n")
    assert fingerprint() != changed
    parts = input_fingerprint(cfg, october, notebook, options)["parts"]
    assert set(parts) >= {"library", "notebook", "client_yml", "events_csv", "commentary", "exports"}

    report = tmp_path / "reports" / "demo" / "2026-10"
    report.mkdir(parents=True)
    for name in ("report.html", "report.ipynb", "metrics.json"):
        (report / name).write_text("x")
    (report / "render.json").write_text(json.dumps({"inputs": {"fingerprint": "abc"}}))
    assert is_up_to_date(report, "abc", pdf=False)
    assert not is_up_to_date(report, "abd", pdf=False)
    assert not is_up_to_date(report, "abc", pdf=True), "a report without its PDF is not up to date"


def test_a_terminal_gets_a_live_bar_and_a_log_one_line_per_report(capsys):
    done = JobResult("acme", PERIOD, Status.RENDERED, 1.0)
    lines: list[str] = []
    log = Progress(2, 2, live=False, echo=lines.append)
    log.finished(done)
    log.finished(JobResult("bad", PERIOD, Status.FAILED, 2.0, error="KeyError: 'x'"))
    log.close()
    assert lines[0].startswith("[1/2] acme 2026-10 rendered in 1.0s (done 1, running 1, failed 0,")
    assert "[2/2] bad 2026-10 failed in 2.0s: KeyError: 'x' (done 2, running 0, failed 1," in lines[1]
    bar = Progress(2, 2, live=True)
    bar.finished(done)
    bar.close()
    assert "done 1, running 1, failed 0" in capsys.readouterr().err


def crash_or_pass(job: Job, options: BatchOptions) -> JobResult:
    """A task for :func:`run_local` whose process dies for the client called ``crash``."""
    if job.client == "crash":
        os._exit(3)
    return JobResult(job.client, job.period or "latest", Status.RENDERED, 0.0)


def test_a_worker_that_dies_fails_its_own_job_only(tmp_path: Path):
    options = BatchOptions(tmp_path, tmp_path / "reports")
    jobs = [Job("crash", PERIOD), *(Job(f"ok{n}", PERIOD) for n in range(3))]
    progress = Progress(len(jobs), 2, live=False, echo=lambda _line: None)
    results = run_local(jobs, options, 2, progress, task=crash_or_pass)
    assert [r.status for r in results] == [Status.FAILED] + [Status.RENDERED] * 3
    assert "worker process ended unexpectedly" in results[0].error


def test_command_line_errors_are_one_sentence(tmp_path: Path):
    _demo_copy(tmp_path, "demo")
    code, _, err = _run("batch", "--data-dir", str(tmp_path), "--clients", "demo,acme")
    assert code == 1
    assert err.strip().splitlines() == [
        f"community-health batch: no client acme under {tmp_path.resolve()} (clients found: demo)"
    ]
    code, _, err = _run("batch", "--data-dir", str(tmp_path), "--periods", "2026-10..2026-01")
    assert code == 1 and "runs backwards" in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------------------
# End to end: an agency of four clients, two of them broken


@pytest.fixture(scope="module")
def agency(tmp_path_factory) -> Path:
    """Four clients; the tables are read once and copied to the others (their exports are the same)."""
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables

    base = tmp_path_factory.mktemp("agency")
    data = base / "data"
    cfg = load_client("alpha", _demo_copy(data, "alpha").parent)
    enrich_messages(load_tables(cfg).messages, cfg.paths.normalised / "enrichment.parquet")
    for name in ("beta", "broken", "badzone"):
        _demo_copy(data, name)
        shutil.copytree(cfg.paths.normalised, data / name / "normalised")
    broken = data / "broken"
    (broken / "events.csv").write_text(
        "name,kind,start,end,channel,notes\nRoastery tour,meetup,next Tuesday,,slack,\n", encoding="utf-8"
    )
    yml = data / "badzone" / "client.yml"
    yml.write_text(yml.read_text().replace("Europe/Madrid", "Europe/Atlantis"), encoding="utf-8")
    return base


def _batch(agency: Path, *extra: str) -> tuple[int, str, str]:
    return _run(
        "batch",
        "--data-dir",
        str(agency / "data"),
        "--out",
        str(agency / "reports"),
        "--period",
        PERIOD,
        "--no-pdf",
        *extra,
    )


@pytest.fixture(scope="module")
def first_run(agency: Path) -> tuple[int, str, str]:
    return _batch(agency, "--workers", "2")


def _library(agency: Path) -> str:
    """The library fingerprint recorded in alpha's report."""
    recorded = json.loads((agency / "reports" / "alpha" / PERIOD / "render.json").read_text())
    return recorded["inputs"]["parts"]["library"]


@pytest.fixture(scope="module")
def second_run(agency: Path, first_run) -> tuple[int, str, str, dict]:
    """The good clients again, nothing changed: both are skipped."""
    reports = agency / "reports"
    before = {c: (reports / c / PERIOD / "render.json").stat().st_mtime_ns for c in ("alpha", "beta")}
    before["library"] = _library(agency)
    if library_fingerprint.__wrapped__() != before["library"]:
        pytest.skip("the library's source changed since the first run (someone is editing it)")
    return (*_batch(agency, "--clients", "alpha,beta", "--workers", "2"), before)


def _summary_rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines()[2:]:
        if not line.strip():
            break
        rows[line.split()[0]] = line.split()
    return rows


@pytest.mark.e2e
def test_good_clients_render_and_broken_ones_fail_alone(agency: Path, first_run):
    code, out, err = first_run
    assert code == 1, "a failed report makes the batch fail"
    rows = _summary_rows(out)
    assert sorted(rows) == ["alpha", "badzone", "beta", "broken"]
    reports = agency / "reports"
    for client in ("alpha", "beta"):
        assert rows[client][2] == "rendered"
        folder = reports / client / PERIOD
        for name in ("report.html", "report.ipynb", "metrics.json", "tables.xlsx"):
            assert (folder / name).stat().st_size > 0, (client, name)
        assert not (folder / "report.pdf").exists(), "--no-pdf"
        assert "fingerprint" in json.loads((folder / "render.json").read_text())["inputs"]
        assert not [p.name for p in (reports / client).iterdir() if p.name.startswith(".")], "no staging left"
    assert "4 reports in" in out and "2 rendered, 2 failed" in out
    assert "community-health batch: 2 of 4 reports failed" in err
    # one progress line per finished report (stderr is not a terminal here)
    assert sorted(line.split()[1] for line in err.splitlines() if line.startswith("[")) == sorted(rows)


@pytest.mark.e2e
def test_a_failing_cell_is_named_and_its_notebook_kept(agency: Path, first_run):
    _, out, _ = first_run
    line = next(line for line in out.splitlines() if line.startswith("broken "))
    # the summary names the cell and the error, which names the file, the row and the field
    assert "failed" in line and "open_report" in line
    assert "ConfigError" in line and "events.csv row 1" in line
    kept = agency / "reports" / "broken" / f"{PERIOD}.failed"
    assert (kept / "report.ipynb").is_file()
    error = json.loads((kept / "error.json").read_text())
    assert error["cell"].startswith("In [") and "open_report" in error["cell"]
    assert "next Tuesday" in error["error"]
    assert not (agency / "reports" / "broken" / PERIOD).exists()


@pytest.mark.e2e
def test_a_broken_client_yml_fails_with_its_message(agency: Path, first_run):
    _, out, _ = first_run
    line = next(line for line in out.splitlines() if line.startswith("badzone "))
    assert "failed" in line and "client.yml: timezone 'Europe/Atlantis'" in line
    summary = json.loads((agency / "reports" / "batch.json").read_text())
    assert [r["status"] for r in summary["results"]] == ["rendered", "failed", "rendered", "failed"]
    assert summary["results"][1]["error"].endswith(
        "client.yml: timezone 'Europe/Atlantis' is not a known time zone (e.g. Europe/Madrid)"
    )
    assert not (agency / "reports" / "badzone").exists(), "nothing to keep: it failed before any output"


@pytest.mark.e2e
def test_alerts_list_the_october_pricing_spike_worst_first(agency: Path, first_run):
    _, out, _ = first_run
    alerts = json.loads((agency / "reports" / "alerts.json").read_text())["alerts"]
    worst = alerts[0]
    assert worst["client"] in ("alpha", "beta") and worst["period"] == PERIOD
    assert worst["start"] <= "2026-10-13" <= worst["end"] and worst["end"] >= "2026-10-15"
    assert worst["top_author_name"] == "marta_eats" and worst["top_author_followers"] == 182_400
    assert worst["report"].endswith(f"{worst['client']}/{PERIOD}/report.html")
    assert {a["client"] for a in alerts[:2]} == {"alpha", "beta"}, "the same spike in both demo copies"
    z = [a["peak_z"] for a in alerts]
    assert z == sorted(z, reverse=True)
    assert "early-warning spikes, worst first" in out and "marta_eats" in out


@pytest.mark.e2e
def test_unchanged_reports_are_skipped(agency: Path, second_run):
    code, out, _, before = second_run
    assert code == 0
    rows = _summary_rows(out)
    if rows["alpha"][2] == "rendered" and _library(agency) != before["library"]:
        pytest.skip("the library's source changed between the two runs (someone is editing it)")
    assert [rows[c][2] for c in ("alpha", "beta")] == ["skipped", "skipped"]
    for client in ("alpha", "beta"):
        render_json = agency / "reports" / client / PERIOD / "render.json"
        assert render_json.stat().st_mtime_ns == before[client], "a skipped report is not touched"
    alerts = json.loads((agency / "reports" / "alerts.json").read_text())["alerts"]
    assert alerts[0]["top_author_name"] == "marta_eats", "skipped reports still give their alerts"


@pytest.mark.e2e
def test_force_renders_again_on_a_dask_cluster(agency: Path, first_run):
    from distributed import LocalCluster

    render_json = agency / "reports" / "alpha" / PERIOD / "render.json"
    before = render_json.stat().st_mtime_ns
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        code, out, err = _batch(agency, "--clients", "alpha", "--force", "--dask-scheduler", address)
    assert code == 0, err
    assert "on the Dask cluster at tcp://" in err
    assert _summary_rows(out)["alpha"][2] == "rendered"
    assert render_json.stat().st_mtime_ns > before
    assert (agency / "reports" / "alpha" / PERIOD / "report.html").stat().st_size > 0
