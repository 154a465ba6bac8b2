"""The performance harness: each step of the pipeline by size, the toolchain's floor, batch rendering, and
the targets they must meet.

One run measures, each stage in a fresh Python process so that one stage's peak memory cannot hide
another's:

``floor`` (twice: first and last)
    An empty parameterised notebook (the report's parameters cell and nothing else) through the same
    path as a report: papermill, nbconvert with the report template (plotly.js embedded), Chromium PDF.
    No report can be faster; every time below is also given as a multiple of it.

For each size (member-side messages of a demo client written by ``community-health demo``):

``demo``
    ``community-health demo --out DIR --messages N --seed 7``: seconds, bytes and files of the exports.
``ingest_cold`` / ``ingest_warm``
    ``ingest_client`` with no store (every export read: rows per second), then again on the store
    just written (nothing may be read again).
``enrich``
    ``enrich_messages`` with an empty enrichment store (every message scored, on every core), then
    again with the store full.
``summary``
    ``metrics.summary`` of the last complete month: every headline metric, this period and the previous.
``render``
    ``render.render_report`` of that month with the tables and enrichment stored: papermill, HTML and
    PDF seconds, the size of each file, and the peak memory of the whole process tree (the notebook
    kernel, Chromium). Its wall time is the report's end-to-end time.

Batch (``--batch-clients`` demo clients at the demo's default size, tables stored):

``demo_report``
    One of them rendered alone with ``render_report``: the demo report end to end.
``batch_seq`` / ``batch_par``
    ``batch.run_batch`` of all of them with ``--force``, PDF included, with 1 worker and then with 2.

Results, with the machine, the load average before every stage and the targets met or missed (and by
how much), go to ``benchmarks/results/results.json`` and ``results.md``; clients and reports are written
under ``benchmarks/work/`` (git-ignored). Timings are measured here, never asserted in tests.

Usage::

    .venv/bin/python benchmarks/run.py                      # 10,000 / 100,000 / 1,000,000 + batch of 8
    .venv/bin/python benchmarks/run.py --quick              # 10,000 + batch of 4 (about 8 minutes)
    .venv/bin/python benchmarks/run.py --sizes 10000 300000 --batch-clients 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000,)
DEFAULT_BATCH_CLIENTS = 8
QUICK_BATCH_CLIENTS = 4
BATCH_WORKERS = 2
SEED = 7
#: How often the memory of a stage's process tree is sampled, in seconds.
SAMPLE_S = 0.5
CLIENT = "demo"
REPORT_FILES = ("report.html", "report.pdf", "report.ipynb", "metrics.json")
MB = 2**20

#: The targets of the issue, on this two-core machine.
TARGET_DEMO_TO_FLOOR = 2.0  # the demo report end to end, as a multiple of the floor
TARGET_LARGEST_S = 60.0  # the 1M-message report end to end
TARGET_LARGEST_MEMORY_MB = 4 * 1024  # its peak memory
TARGET_LARGEST_MESSAGES = 1_000_000
TARGET_HTML_BEYOND_PLOTLY_MB = 2.0  # HTML bytes beyond the embedded plotly.js, at every size
TARGET_PDF_MB = 5.0
TARGET_SPEEDUP = 1.7  # batch with 2 workers against 1

Result = dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# Where things live


def size_dir(messages: int) -> Path:
    return WORK / f"n{messages}"


def data_dir(messages: int) -> Path:
    """The data folder of the demo client of this size (the client itself is ``<data_dir>/demo``)."""
    return size_dir(messages) / "data"


def reports_dir(messages: int) -> Path:
    return size_dir(messages) / "reports"


def shared_dir() -> Path:
    """Where the floor and the batch stages work (they have no size)."""
    return WORK / "shared"


def stage_file(messages: int, stage: str) -> Path:
    """Where a stage's process writes its result for the harness to read."""
    return (size_dir(messages) if messages else shared_dir()) / f"{stage}.json"


def batch_data() -> Path:
    return shared_dir() / "batch" / "data"


def batch_clients() -> list[str]:
    return sorted(p.name for p in batch_data().glob("*/client.yml") for p in [p.parent])


def folder_bytes(folder: Path) -> tuple[int, int]:
    """Total bytes and number of the files under ``folder``."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def plotly_js_bytes() -> int:
    """Bytes of the plotly.js that every report embeds once."""
    import plotly.offline

    return len(plotly.offline.get_plotlyjs().encode("utf-8"))


# ---------------------------------------------------------------------------------------------------
# The floor: an empty parameterised notebook through papermill, nbconvert and Chromium


def floor_notebook(folder: Path) -> Path:
    """A notebook with the report's parameters cell and nothing else."""
    import nbformat

    from community_health.render import notebook_path

    report = nbformat.read(notebook_path("community_health_report"), as_version=4)
    parameters = next(c for c in report.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.v4.new_notebook(metadata=report.metadata)
    nb.cells = [nbformat.v4.new_code_cell(parameters.source, metadata={"tags": ["parameters"]})]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def stage_floor(_messages: int) -> Result:
    from community_health.render import execute_notebook, html_to_pdf, notebook_to_html

    folder = shared_dir() / "floor"
    shutil.rmtree(folder, ignore_errors=True)
    source = floor_notebook(folder)
    parameters = {
        "client": CLIENT,
        "period": "2026-10",
        "data_dir": str(folder),
        "output_dir": str(folder),
        "final": False,
        "pseudonymise": False,
    }
    steps: dict[str, float] = {}
    start = clock = time.perf_counter()
    execute_notebook(source, folder / "report.ipynb", parameters)
    steps["papermill"] = time.perf_counter() - clock
    clock = time.perf_counter()
    notebook_to_html(folder / "report.ipynb", folder / "report.html", title="floor")
    steps["html"] = time.perf_counter() - clock
    clock = time.perf_counter()
    html_to_pdf(folder / "report.html", folder / "report.pdf", footer="floor")
    steps["pdf"] = time.perf_counter() - clock
    return {
        "seconds": time.perf_counter() - start,
        "steps_s": steps,
        "bytes": {name: (folder / name).stat().st_size for name in ("report.html", "report.pdf")},
    }


# ---------------------------------------------------------------------------------------------------
# The stages of one size, each run in its own process: ``run.py --one-size N --stage NAME``


def stage_demo(messages: int) -> Result:
    from community_health.cli import main

    client = data_dir(messages) / CLIENT
    shutil.rmtree(client, ignore_errors=True)
    clock = time.perf_counter()
    code = main(["demo", "--out", str(client), "--messages", str(messages), "--seed", str(SEED)])
    seconds = time.perf_counter() - clock
    if code:
        raise RuntimeError(f"community-health demo exited with {code}")
    export_bytes, export_files = folder_bytes(client / "exports")
    return {"seconds": seconds, "export_bytes": export_bytes, "export_files": export_files}


def _ingest(messages: int, cold: bool) -> Result:
    from community_health.config import load_client
    from community_health.ingest import ingest_client

    if cold:
        shutil.rmtree(data_dir(messages) / CLIENT / "normalised", ignore_errors=True)
    clock = time.perf_counter()
    cfg = load_client(CLIENT, data_dir(messages))
    report = ingest_client(cfg)
    seconds = time.perf_counter() - clock
    rows = int(report.files["rows_read"].sum())
    return {
        "seconds": seconds,
        "rows_read": rows,
        "rows_kept": int(report.files["kept"].sum()),
        "rows_per_s": rows / seconds,
        "exports": len(report.files),
        "exports_read": len(report.parsed),
    }


def stage_ingest_cold(messages: int) -> Result:
    return _ingest(messages, cold=True)


def stage_ingest_warm(messages: int) -> Result:
    return _ingest(messages, cold=False)


def stage_enrich(messages: int) -> Result:
    from community_health.config import load_client
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables

    cfg = load_client(CLIENT, data_dir(messages))
    tables = load_tables(cfg)
    store = cfg.paths.normalised / "enrichment.parquet"
    store.unlink(missing_ok=True)
    clock = time.perf_counter()
    scored = enrich_messages(tables.messages, store)
    seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    enrich_messages(tables.messages, store)
    warm = time.perf_counter() - clock
    return {
        "seconds": seconds,
        "messages": len(scored),
        "messages_per_s": len(scored) / seconds,
        "warm_seconds": warm,
        "workers": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def stage_summary(messages: int) -> Result:
    from community_health.config import load_client
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables
    from community_health.metrics import summary
    from community_health.render import default_period

    cfg = load_client(CLIENT, data_dir(messages))
    tables = load_tables(cfg)
    enrichment = enrich_messages(tables.messages, cfg.paths.normalised / "enrichment.parquet")
    period = default_period(cfg)
    clock = time.perf_counter()
    result = summary(tables.messages, tables.posts, enrichment, cfg, period)
    seconds = time.perf_counter() - clock
    return {
        "seconds": seconds,
        "period": str(period),
        "messages": len(tables.messages),
        "posts": len(tables.posts),
        "messages_per_s": len(tables.messages) / seconds,
        "summary_bytes": len(json.dumps(result, sort_keys=True).encode()),
    }


def cell_seconds(executed: Path) -> dict[str, float]:
    """Seconds of each code cell of an executed notebook (papermill's record), by its first line."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    cells = {}
    for cell in nb.cells:
        seconds = cell.metadata.get("papermill", {}).get("duration")
        if (
            cell.cell_type == "code"
            and seconds is not None
            and "parameters" not in cell.metadata.get("tags", [])
        ):
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            if not first.startswith("#"):
                cells[first[:60]] = round(seconds, 2)
    return cells


def _render(client: str, data: Path, out: Path, period: str) -> Result:
    """``render_report`` of a client whose tables and enrichment are stored. The period is given (it is
    read by an earlier stage) so that this process never loads the tables itself."""
    from community_health.render import render_report

    clock = time.perf_counter()
    rendered = render_report(client, period, data_dir=data, out_dir=out)
    seconds = time.perf_counter() - clock
    written = json.loads((rendered.out_dir / "render.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "period": period,
        "steps_s": written["timings_s"],
        "cells_s": cell_seconds(rendered.out_dir / "report.ipynb"),
        "bytes": {
            name: (rendered.out_dir / name).stat().st_size
            for name in REPORT_FILES
            if (rendered.out_dir / name).is_file()
        },
        "plotly_js_bytes": plotly_js_bytes(),
    }


def stage_render(messages: int) -> Result:
    period = json.loads(stage_file(messages, "summary").read_text(encoding="utf-8"))["period"]
    return _render(CLIENT, data_dir(messages), reports_dir(messages), period)


# ---------------------------------------------------------------------------------------------------
# The batch stages (no size)


def stage_batch_setup(_messages: int) -> Result:
    """``--batch-clients`` demo clients at the default size, tables and enrichment stored (read once,
    copied to the others: their exports are the same)."""
    from community_health.cli import main
    from community_health.config import load_client
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables
    from community_health.render import default_period

    count = int(os.environ["BENCH_BATCH_CLIENTS"])
    shutil.rmtree(batch_data().parent, ignore_errors=True)
    first = batch_data() / "client01"
    clock = time.perf_counter()
    if main(["demo", "--out", str(first), "--seed", str(SEED)]):
        raise RuntimeError("community-health demo failed")
    cfg = load_client(first.name, batch_data())
    enrich_messages(load_tables(cfg).messages, cfg.paths.normalised / "enrichment.parquet")
    for n in range(2, count + 1):
        shutil.copytree(first, batch_data() / f"client{n:02d}")
    return {
        "seconds": time.perf_counter() - clock,
        "clients": count,
        "period": str(default_period(cfg)),
    }


def stage_demo_report(_messages: int) -> Result:
    setup = json.loads(stage_file(0, "batch_setup").read_text(encoding="utf-8"))
    return _render("client01", batch_data(), batch_data().parent / "single", setup["period"])


def _batch(workers: int) -> Result:
    from community_health.batch import BatchOptions, plan_jobs, run_batch

    setup = json.loads(stage_file(0, "batch_setup").read_text(encoding="utf-8"))
    options = BatchOptions(batch_data(), batch_data().parent / "reports", force=True)
    jobs = plan_jobs(batch_clients(), [setup["period"]])
    clock = time.perf_counter()
    batch = run_batch(jobs, options, workers=workers, live=False, echo=print)
    seconds = time.perf_counter() - clock
    return {
        "seconds": seconds,
        "workers": workers,
        "reports": len(batch.results),
        "failed": len(batch.failed),
        "report_s": [round(r.seconds, 2) for r in batch.results],
        "errors": [r.error for r in batch.failed],
    }


def stage_batch_seq(_messages: int) -> Result:
    return _batch(1)


def stage_batch_par(_messages: int) -> Result:
    return _batch(BATCH_WORKERS)


SIZE_STAGES: dict[str, Callable[[int], Result]] = {
    "demo": stage_demo,
    "ingest_cold": stage_ingest_cold,
    "ingest_warm": stage_ingest_warm,
    "enrich": stage_enrich,
    "summary": stage_summary,
    "render": stage_render,
}
BATCH_STAGES: dict[str, Callable[[int], Result]] = {
    "batch_setup": stage_batch_setup,
    "demo_report": stage_demo_report,
    "batch_seq": stage_batch_seq,
    "batch_par": stage_batch_par,
}
STAGES: dict[str, Callable[[int], Result]] = {"floor": stage_floor, **SIZE_STAGES, **BATCH_STAGES}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``getrusage``: exact, kept by the kernel)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def run_child(stage: str, messages: int) -> None:
    """Child mode: import the library, run one stage, write its result and this process's peak memory."""
    import community_health.batch
    import community_health.demo
    import community_health.enrich
    import community_health.ingest
    import community_health.metrics
    import community_health.render  # noqa: F401  (imported before the baseline is taken)

    baseline = peak_rss_mb()
    result = STAGES[stage](messages)
    result["baseline_rss_mb"] = baseline
    result["peak_rss_mb"] = peak_rss_mb()
    stage_file(messages, stage).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def tree_pss_mb(root: int) -> float | None:
    """Memory of process ``root`` and all its descendants now: the sum of their PSS, in MB (Linux only).

    PSS (proportional set size) shares each shared page among the processes mapping it, so the
    scoring workers, the notebook kernel and Chromium's processes add up without counting twice.
    """
    proc = Path("/proc")
    if not (proc / str(root) / "smaps_rollup").is_file():
        return None
    children: dict[int, list[int]] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total_kb, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            rollup = (proc / str(pid) / "smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total_kb / 1024


# ---------------------------------------------------------------------------------------------------
# The harness: one process per stage, then the results files


def run_stage(stage: str, messages: int = 0, env: dict[str, str] | None = None) -> Result:
    """Run one stage in a fresh Python process and return what it measured (or its error).

    While it runs, the memory of its whole process tree is sampled every ``SAMPLE_S`` seconds.
    """
    out = stage_file(messages, stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--one-size", str(messages), "--stage", stage]
    log = out.with_suffix(".log")
    load = os.getloadavg()[0]
    clock = time.perf_counter()
    peak_tree = None
    with log.open("w") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        while child.poll() is None:
            now = tree_pss_mb(child.pid)
            if now is not None:
                peak_tree = max(peak_tree or 0.0, now)
            time.sleep(SAMPLE_S)
    process_s = time.perf_counter() - clock
    if child.returncode != 0 or not out.is_file():
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        return {"error": f"exit {child.returncode}: " + " | ".join(tail) + f" (see {log})"}
    return {
        **json.loads(out.read_text(encoding="utf-8")),
        "peak_tree_pss_mb": peak_tree,
        "process_s": process_s,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def machine() -> Result:
    import pandas

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
        ]
        model = names[0] if names else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    commit = subprocess.run(
        ["git", "-C", str(HERE), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "commit": commit,
    }


# ---------------------------------------------------------------------------------------------------
# Targets


def peak_memory_mb(stage: Result) -> float | None:
    """A stage's peak memory: its process tree's sampled PSS, or its own exact RSS if that is larger."""
    values = [v for v in (stage.get("peak_tree_pss_mb"), stage.get("peak_rss_mb")) if v is not None]
    return max(values) if values else None


def floor_seconds(results: Result) -> float | None:
    """The floor: the mean of its runs (first and last stage of the run)."""
    runs = [r["seconds"] for r in results.get("floor", []) if "seconds" in r]
    return sum(runs) / len(runs) if runs else None


def _target(name: str, wanted: str, measured: float | None, limit: float, unit: str, why: str = "") -> Result:
    """One target (``measured`` at most ``limit``, or at least it for a speed-up)."""
    at_least = unit == "x speed-up"
    if measured is None:
        return {"target": name, "wanted": wanted, "measured": None, "met": None, "by": "not measured"}
    met = measured >= limit if at_least else measured <= limit
    gap = (limit - measured) if at_least else (measured - limit)
    shown = f"{measured:,.2f} {unit}"
    by = "" if met else f"missed by {gap:,.2f} {unit} ({measured / limit:.2f}x the target)"
    return {
        "target": name,
        "wanted": wanted,
        "measured": measured,
        "shown": shown,
        "met": met,
        "by": by,
        "note": why,
    }


def targets(results: Result) -> list[Result]:
    """Every target of the issue, met or missed and by how much."""
    floor = floor_seconds(results)
    out = []
    demo = results.get("batch", {}).get("demo_report", {})
    ratio = demo["seconds"] / floor if floor and "seconds" in demo else None
    out.append(
        _target(
            "demo report end to end, as a multiple of the floor",
            f"<= {TARGET_DEMO_TO_FLOOR}x",
            ratio,
            TARGET_DEMO_TO_FLOOR,
            "x floor",
        )
    )
    sizes = {int(n): r for n, r in results["sizes"].items()}
    rendered = {n: r["render"] for n, r in sizes.items() if "seconds" in r.get("render", {})}
    largest = max(rendered, default=None)
    note = "" if largest in (None, TARGET_LARGEST_MESSAGES) else f"largest size run: {largest:,} messages"
    label = f"{TARGET_LARGEST_MESSAGES:,}-message report end to end"
    out.append(
        _target(
            label,
            f"<= {TARGET_LARGEST_S:.0f} s",
            rendered[largest]["seconds"] if largest else None,
            TARGET_LARGEST_S,
            "s",
            note,
        )
    )
    memory = peak_memory_mb(rendered[largest]) if largest else None
    out.append(
        _target(
            f"{TARGET_LARGEST_MESSAGES:,}-message report peak memory",
            "<= 4,096 MB",
            memory,
            TARGET_LARGEST_MEMORY_MB,
            "MB",
            note,
        )
    )
    if note:  # measured on a smaller client: says nothing about the target
        for target in out[-2:]:
            target["met"], target["by"] = None, ""
    beyond = [
        (r["bytes"]["report.html"] - r["plotly_js_bytes"]) / MB for r in rendered.values() if "bytes" in r
    ]
    spread = f"from {min(beyond):.2f} to {max(beyond):.2f} MB across sizes" if beyond else ""
    out.append(
        _target(
            "HTML beyond the embedded plotly.js, at every size",
            f"<= {TARGET_HTML_BEYOND_PLOTLY_MB} MB",
            max(beyond) if beyond else None,
            TARGET_HTML_BEYOND_PLOTLY_MB,
            "MB",
            spread,
        )
    )
    pdfs = [r["bytes"]["report.pdf"] / MB for r in rendered.values() if "report.pdf" in r.get("bytes", {})]
    out.append(
        _target(
            "PDF size, at every size",
            f"< {TARGET_PDF_MB} MB",
            max(pdfs) if pdfs else None,
            TARGET_PDF_MB,
            "MB",
        )
    )
    batch = results.get("batch", {})
    seq, par = batch.get("batch_seq", {}), batch.get("batch_par", {})
    speedup = seq["seconds"] / par["seconds"] if "seconds" in seq and "seconds" in par else None
    out.append(
        _target(
            f"batch speed-up with {BATCH_WORKERS} workers",
            f">= {TARGET_SPEEDUP}x",
            speedup,
            TARGET_SPEEDUP,
            "x speed-up",
        )
    )
    return out


# ---------------------------------------------------------------------------------------------------
# The results page


def _cell(result: Result, key: str, fmt: str = "{:,.1f}") -> str:
    if not result:
        return "-"
    if "error" in result:
        return "error"
    return fmt.format(result[key]) if key in result else ""


def _timed(seconds: float | None, floor: float | None) -> str:
    """Seconds, and the same as a multiple of the floor."""
    if seconds is None:
        return "-"
    return f"{seconds:,.1f} ({seconds / floor:.1f}x)" if floor else f"{seconds:,.1f}"


def markdown(results: Result) -> str:
    """The results as a page a person reads: targets, then time, memory and report size per size."""
    sizes = results["sizes"]
    run = results["run"]
    m = results["machine"]
    floor = floor_seconds(results)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {run['date']} with `{run['command']}` in {run['seconds'] / 60:.1f} min, "
        f"commit `{m['commit']}`.",
        f"Machine: {m['cpus_usable']} of {m['cpus']} CPUs ({m['cpu_model'] or 'unknown model'}), "
        f"{m['memory_gb']} GB, {m['platform']}, Python {m['python']}, pandas {m['pandas']}.",
    ]
    for redo in run.get("again", []):
        lines.append(
            f"Measured again with `--again` on {redo['date']}: {', '.join(redo['stages'])}"
            + (f" at {redo['size']:,} messages" if redo["size"] else "")
            + " (the earlier figures are kept under `replaced` in results.json)."
        )
    loads = [s["load_before"] for s in _all_stages(results) if "load_before" in s]
    if loads:
        lines += [
            "",
            f"**Load average** (1 min) before the stages: {min(loads):.1f} to {max(loads):.1f} on "
            f"{m['cpus_usable']} CPUs (median {sorted(loads)[len(loads) // 2]:.1f}). The machine is shared: "
            "a load above the CPU count means other work competed with the stages, so their times are "
            "pessimistic, parallel speed-ups most of all.",
        ]
    lines += [
        "",
        "## Targets",
        "",
        "| target | wanted | measured | met | by how much / note |",
        "|---|---|---:|---|---|",
    ]
    for t in results.get("targets", []):
        met = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        note = "; ".join(x for x in (t.get("by"), t.get("note")) if x)
        lines.append(f"| {t['target']} | {t['wanted']} | {t.get('shown', '-')} | {met} | {note} |")

    floors = results.get("floor", [])
    if floors:
        lines += ["", "## The floor: an empty parameterised notebook, same path", ""]
        lines += ["| run | papermill | html | pdf | total | load before |", "|---|---:|---:|---:|---:|---:|"]
        for n, f in enumerate(floors, start=1):
            if "error" in f:
                lines.append(f"| {n} | error | | | | |")
                continue
            s = f["steps_s"]
            lines.append(
                f"| {n} | {s['papermill']:.1f} | {s['html']:.1f} | {s['pdf']:.1f} | {f['seconds']:.1f} "
                f"| {f['load_before']:.1f} |"
            )
        if floor:
            lines += ["", f"Floor used for the ratios: **{floor:.1f} s** (the mean of the runs)."]

    lines += [
        "",
        "## Each size (seconds, and in brackets as a multiple of the floor)",
        "",
        "| messages | demo | ingest cold | rows/s | ingest warm (re-read) | enrich | msgs/s | all metrics "
        "| papermill | html | pdf | report end to end |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in sizes.items():
        demo, cold, warm, enrich, summ, render = (r.get(stage, {}) for stage in SIZE_STAGES)
        steps = render.get("steps_s", {})
        reread = (
            f"{_cell(warm, 'seconds')} ({warm['exports_read']} of {warm['exports']})"
            if "exports" in warm
            else "-"
        )
        lines.append(
            f"| {int(n):,} | {_timed(demo.get('seconds'), floor)} | {_timed(cold.get('seconds'), floor)} "
            f"| {_cell(cold, 'rows_per_s', '{:,.0f}')} | {reread} "
            f"| {_timed(enrich.get('seconds'), floor)} | {_cell(enrich, 'messages_per_s', '{:,.0f}')} "
            f"| {_timed(summ.get('seconds'), floor)} | {_timed(steps.get('papermill'), floor)} "
            f"| {_timed(steps.get('html'), floor)} | {_timed(steps.get('pdf'), floor)} "
            f"| {_timed(render.get('seconds'), floor)} |"
        )
    lines += [
        "",
        "Report end to end: `render_report` with the tables and enrichment already stored (what every "
        "report after the first costs: the warm ingest check, papermill, HTML, PDF). From raw exports, add "
        "ingest cold and enrich.",
    ]

    stages = [stage for stage in SIZE_STAGES if any(stage in r for r in sizes.values())]
    lines += [
        "",
        "## Peak memory (MB: the stage's own process, exact RSS / its whole process tree, sampled PSS)",
        "",
        "| messages | " + " | ".join(stages) + " |",
        "|---:|" + "---:|" * len(stages),
    ]
    for n, r in sizes.items():
        lines.append(f"| {int(n):,} | " + " | ".join(_memory(r.get(stage)) for stage in stages) + " |")
    baselines = [s["baseline_rss_mb"] for s in _all_stages(results) if "baseline_rss_mb" in s]
    if baselines:
        lines += ["", f"A stage's process holds about {min(baselines):,.0f} MB once the library is imported."]

    rendered = {n: r["render"] for n, r in sizes.items() if "bytes" in r.get("render", {})}
    if rendered:
        header = "| | " + " | ".join(f"{int(n):,} messages" for n in rendered) + " |"
        lines += ["", "## The report by size (bytes)", "", header, "|---|" + "---:|" * len(rendered)]
        for name in REPORT_FILES:
            row = [f"{r['bytes'][name]:,}" if name in r["bytes"] else "" for r in rendered.values()]
            lines.append(f"| {name} | " + " | ".join(row) + " |")
        row = [f"{r['bytes']['report.html'] - r['plotly_js_bytes']:,}" for r in rendered.values()]
        lines.append("| report.html beyond plotly.js | " + " | ".join(row) + " |")

    with_cells = {n: r for n, r in rendered.items() if r.get("cells_s")}
    if with_cells:
        names = list(next(iter(with_cells.values()))["cells_s"])
        header = "| notebook cell | " + " | ".join(f"{int(n):,} messages" for n in with_cells) + " |"
        lines += ["", "## Where the notebook's time goes (seconds per cell)", "", header]
        lines.append("|---|" + "---:|" * len(with_cells))
        for name in names:
            row = [f"{r['cells_s'].get(name, 0):,.1f}" for r in with_cells.values()]
            lines.append(f"| `{name}` | " + " | ".join(row) + " |")

    batch = results.get("batch", {})
    if batch:
        setup = batch.get("batch_setup", {})
        lines += [
            "",
            f"## Batch: {setup.get('clients', '?')} demo clients, PDF included, `--force`",
            "",
            "| run | seconds | per report (median) | failed | peak memory MB (tree) | load before |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        demo = batch.get("demo_report", {})
        if "seconds" in demo:
            lines.append(
                f"| one demo report alone (`render_report`) | {_timed(demo['seconds'], floor)} | | "
                f"| {_memory(demo)} | {demo['load_before']:.1f} |"
            )
        for stage, label in (
            ("batch_seq", "1 worker (sequential)"),
            ("batch_par", f"{BATCH_WORKERS} workers"),
        ):
            b = batch.get(stage, {})
            if "error" in b:
                lines.append(f"| {label} | error | | | | |")
            elif b:
                per = sorted(b["report_s"])[len(b["report_s"]) // 2] if b["report_s"] else 0
                lines.append(
                    f"| {label} | {_timed(b['seconds'], floor)} | {per:.1f} | {b['failed']} | {_memory(b)} "
                    f"| {b['load_before']:.1f} |"
                )
    errors = [(where, e) for where, e in _errors(results)]
    if errors:
        lines += ["", "## Errors", ""] + [f"- {where}: {e}" for where, e in errors]
    return "\n".join(lines) + "\n"


def _memory(stage: Result | None) -> str:
    if not stage:
        return "-"
    if "error" in stage:
        return "error"
    tree = stage.get("peak_tree_pss_mb")
    return f"{stage['peak_rss_mb']:,.0f}" + (f" / {tree:,.0f}" if tree else "")


def _all_stages(results: Result) -> list[Result]:
    return [
        *results.get("floor", []),
        *(s for r in results["sizes"].values() for s in r.values()),
        *results.get("batch", {}).values(),
    ]


def _errors(results: Result) -> list[tuple[str, str]]:
    found = [
        (f"floor run {n}", f["error"]) for n, f in enumerate(results.get("floor", []), 1) if "error" in f
    ]
    found += [
        (f"{int(n):,} {st}", s["error"])
        for n, r in results["sizes"].items()
        for st, s in r.items()
        if "error" in s
    ]
    found += [(st, s["error"]) for st, s in results.get("batch", {}).items() if "error" in s]
    return found


# ---------------------------------------------------------------------------------------------------


def _say(label: str, result: Result) -> None:
    if "error" in result:
        print(f"{label:<34} FAILED {result['error']}", flush=True)
    else:
        print(
            f"{label:<34} {result['seconds']:8.1f} s  peak {_memory(result):>14} MB  "
            f"load {result['load_before']:.1f}",
            flush=True,
        )


def write_results(results: Result) -> None:
    results["targets"] = targets(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "results.md").write_text(markdown(results), encoding="utf-8")


def run_harness(sizes: list[int], clients: int, command: str) -> Result:
    """Run every stage, write the results files (after each stage, so a long run can be read as it goes)
    and return the results."""
    started = time.perf_counter()
    date = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    results: Result = {"run": {"date": date, "command": command, "seconds": 0.0}, "machine": machine()}
    results.update({"floor": [], "sizes": {}, "batch": {}})

    def progress() -> None:
        results["run"]["seconds"] = time.perf_counter() - started
        write_results(results)

    def floor_run() -> None:
        results["floor"].append(run_stage("floor"))
        _say(f"floor (run {len(results['floor'])})", results["floor"][-1])
        progress()

    floor_run()
    for messages in sizes:
        measured: Result = {}
        results["sizes"][str(messages)] = measured
        for stage in SIZE_STAGES:
            measured[stage] = run_stage(stage, messages)
            _say(f"{messages:>9,} messages  {stage}", measured[stage])
            progress()
            if "error" in measured[stage]:
                break
    if clients:
        env = {"BENCH_BATCH_CLIENTS": str(clients)}
        for stage in BATCH_STAGES:
            results["batch"][stage] = run_stage(stage, 0, env)
            _say(f"batch  {stage}", results["batch"][stage])
            progress()
            if "error" in results["batch"][stage]:
                break
    floor_run()
    return results


def again(messages: int, stages: list[str]) -> int:
    """Measure some stages again and put them into ``results.json`` in place of the earlier ones (each
    keeps a note of the run it replaced; the floor is appended as one more run)."""
    results = json.loads((RESULTS / "results.json").read_text(encoding="utf-8"))
    clients = results.get("batch", {}).get("batch_setup", {}).get("clients", DEFAULT_BATCH_CLIENTS)
    for stage in stages:
        if stage not in STAGES:
            raise SystemExit(f"no stage {stage!r}; stages: {', '.join(STAGES)}")
        measured = run_stage(stage, messages, {"BENCH_BATCH_CLIENTS": str(clients)})
        measured["measured_again"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        if stage == "floor":
            results["floor"].append(measured)
        else:
            where = (
                results["batch"] if stage in BATCH_STAGES else results["sizes"].setdefault(str(messages), {})
            )
            earlier = where.get(stage, {})
            measured["replaced"] = {
                k: earlier.get(k) for k in ("seconds", "load_before", "error") if k in earlier
            }
            where[stage] = measured
        _say(f"{messages:>9,} {stage} (again)", measured)
    results["run"].setdefault("again", []).append(
        {
            "stages": stages,
            "size": messages,
            "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
    )
    write_results(results)
    print(markdown(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sizes", type=int, nargs="+", help=f"messages per size (default: {DEFAULT_SIZES})")
    which.add_argument(
        "--quick", action="store_true", help=f"sizes {QUICK_SIZES}, batch of {QUICK_BATCH_CLIENTS}"
    )
    parser.add_argument(
        "--batch-clients",
        type=int,
        default=None,
        help=f"demo clients in the batch (default {DEFAULT_BATCH_CLIENTS}; 0: none)",
    )
    parser.add_argument(
        "--again",
        nargs="+",
        metavar=("SIZE", "STAGE"),
        help="measure these stages of one size again (0: floor and batch) into the existing results",
    )
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        run_child(args.stage, args.one_size)
        return 0
    if args.again:
        return again(int(args.again[0]), args.again[1:])
    sizes = list(QUICK_SIZES if args.quick else args.sizes or DEFAULT_SIZES)
    clients = args.batch_clients
    if clients is None:
        clients = QUICK_BATCH_CLIENTS if args.quick else DEFAULT_BATCH_CLIENTS
    command = " ".join(["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    results = run_harness(sizes, clients, command)
    print()
    print(markdown(results))
    print(f"written: {RESULTS / 'results.json'}, {RESULTS / 'results.md'}")
    return 1 if _errors(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
