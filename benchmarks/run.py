"""The performance harness: how long each step of the pipeline takes and how much memory it needs, by size.

For each size (member-side messages of a seeded demo client) the harness runs these stages, each in a
fresh Python process so that one stage's peak memory cannot hide another's:

``demo``
    ``community_health.demo.write_demo``: seconds, and the bytes and files of the raw exports written.
``ingest_cold``
    ``load_client`` then ``ingest_client`` with no store: every export is read.
``ingest_warm``
    the same call again on the store just written: unchanged exports must not be read again.
``enrich``
    ``enrich_messages`` with an empty enrichment store (every message is scored, on every core), then
    again with the store full (nothing to score).
``summary``
    ``metrics.summary`` of the demo's last complete month (``render.default_period``).
``render`` (with ``--render``)
    ``render.render_report`` of that month: papermill, nbconvert and Chromium, with the tables and the
    enrichment already stored. Also the size of each file written: a report must not grow with the
    number of messages.

Every stage records its seconds, the peak resident memory of its own process (exact, from ``getrusage``)
and the peak memory of its whole process tree (scoring workers, the notebook kernel, Chromium), sampled
from ``/proc`` by the harness. The results, with the machine
and the date, go to ``benchmarks/results/results.json`` and ``results.md``; the demo clients and reports
are written under ``benchmarks/work/`` (git-ignored). Timings are measured here, never asserted in tests.

Usage::

    .venv/bin/python benchmarks/run.py                         # 6,000 / 60,000 / 300,000 messages
    .venv/bin/python benchmarks/run.py --quick                 # 6,000 / 30,000
    .venv/bin/python benchmarks/run.py --sizes 6000 150000 --render
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
WORK = HERE / "work"
RESULTS = HERE / "results"
DEFAULT_SIZES = (6_000, 60_000, 300_000)
QUICK_SIZES = (6_000, 30_000)
SEED = 7
#: How often the memory of a stage's process tree is sampled, in seconds.
SAMPLE_S = 0.5
CLIENT = "demo"
REPORT_FILES = ("report.html", "report.pdf", "report.ipynb", "metrics.json")

Result = dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# Where one size lives


def data_dir(messages: int) -> Path:
    """The data folder of the demo client of this size (the client itself is ``<data_dir>/demo``)."""
    return WORK / f"n{messages}" / "data"


def reports_dir(messages: int) -> Path:
    return WORK / f"n{messages}" / "reports"


def stage_file(messages: int, stage: str) -> Path:
    """Where a stage's process writes its result for the harness to read."""
    return WORK / f"n{messages}" / f"{stage}.json"


def folder_bytes(folder: Path) -> tuple[int, int]:
    """Total bytes and number of the files under ``folder``."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# ---------------------------------------------------------------------------------------------------
# The stages, each run in its own process: ``run.py --one-size N --stage NAME``


def stage_demo(messages: int) -> Result:
    from community_health.demo import write_demo

    client = data_dir(messages) / CLIENT
    shutil.rmtree(client, ignore_errors=True)
    clock = time.perf_counter()
    write_demo(client, messages=messages, seed=SEED)
    seconds = time.perf_counter() - clock
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


def stage_render(messages: int) -> Result:
    from community_health.config import load_client
    from community_health.render import default_period, render_report

    period = default_period(load_client(CLIENT, data_dir(messages)))
    clock = time.perf_counter()
    rendered = render_report(CLIENT, str(period), data_dir=data_dir(messages), out_dir=reports_dir(messages))
    seconds = time.perf_counter() - clock
    written = json.loads((rendered.out_dir / "render.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "period": str(period),
        "steps_s": written["timings_s"],
        "bytes": {
            name: (rendered.out_dir / name).stat().st_size
            for name in REPORT_FILES
            if (rendered.out_dir / name).is_file()
        },
    }


STAGES: dict[str, Callable[[int], Result]] = {
    "demo": stage_demo,
    "ingest_cold": stage_ingest_cold,
    "ingest_warm": stage_ingest_warm,
    "enrich": stage_enrich,
    "summary": stage_summary,
    "render": stage_render,
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``getrusage``: exact, kept by the kernel)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def run_child(stage: str, messages: int) -> None:
    """Child mode: import the library, run one stage, write its result and this process's peak memory."""
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
# The harness: one process per size and stage, then the results files


def run_stage(stage: str, messages: int) -> Result:
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
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
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


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f}"


def _cell(result: Result, key: str, fmt: str = "{:,.1f}") -> str:
    if "error" in result:
        return "error"
    return fmt.format(result[key]) if key in result else ""


def markdown(results: Result) -> str:
    """The results as a page a person reads: time, memory and report size per size."""
    sizes = results["sizes"]
    run = results["run"]
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {run['date']} with `{run['command']}` in {run['seconds'] / 60:.1f} min, "
        f"commit `{m['commit']}`.",
        f"Machine: {m['cpus_usable']} of {m['cpus']} CPUs ({m['cpu_model'] or 'unknown model'}), "
        f"{m['memory_gb']} GB, {m['platform']}, Python {m['python']}, pandas {m['pandas']}.",
        "",
        "## Time (seconds; rates per second)",
        "",
        "| messages | demo | exports MB | ingest cold | rows/s | ingest warm | exports re-read "
        "| enrich | msgs/s | summary | render |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in sizes.items():
        demo, cold, warm, enrich, summ, render = (r.get(stage, {}) for stage in STAGES)
        exports_mb = _mb(demo["export_bytes"]) if "export_bytes" in demo else ""
        reread = f"{warm['exports_read']} of {warm['exports']}" if "exports" in warm else _cell(warm, "")
        lines.append(
            f"| {int(n):,} | {_cell(demo, 'seconds')} | {exports_mb} | {_cell(cold, 'seconds')} "
            f"| {_cell(cold, 'rows_per_s', '{:,.0f}')} | {_cell(warm, 'seconds')} "
            f"| {reread} "
            f"| {_cell(enrich, 'seconds')} | {_cell(enrich, 'messages_per_s', '{:,.0f}')} "
            f"| {_cell(summ, 'seconds', '{:,.2f}')} | {_cell(render, 'seconds') if render else '-'} |"
        )
    stages = [stage for stage in STAGES if any(stage in r for r in sizes.values())]
    lines += [
        "",
        "## Peak memory (MB: the stage's own process, exact RSS / its whole process tree, sampled PSS)",
        "",
        "| messages | " + " | ".join(stages) + " |",
        "|---:|" + "---:|" * len(stages),
    ]
    for n, r in sizes.items():
        cells = []
        for stage in stages:
            s = r.get(stage)
            if not s:
                cells.append("-")
            elif "error" in s:
                cells.append("error")
            else:
                tree = s.get("peak_tree_pss_mb")
                cells.append(f"{s['peak_rss_mb']:,.0f}" + (f" / {tree:,.0f}" if tree else ""))
        lines.append(f"| {int(n):,} | " + " | ".join(cells) + " |")
    baselines = [s["baseline_rss_mb"] for r in sizes.values() for s in r.values() if "baseline_rss_mb" in s]
    if baselines:
        lines += ["", f"A stage's process holds about {min(baselines):,.0f} MB once the library is imported."]
    loads = [s["load_before"] for r in sizes.values() for s in r.values() if "load_before" in s]
    if loads:
        lines += [
            "",
            f"Load average (1 min) before each stage: {min(loads):.1f} to {max(loads):.1f} on "
            f"{m['cpus_usable']} CPUs; a load near or above the CPU count means other work competed "
            "with the stages and their times are pessimistic.",
        ]
    rendered = {n: r["render"] for n, r in sizes.items() if "bytes" in r.get("render", {})}
    if rendered:
        header = "| | " + " | ".join(f"{int(n):,} messages" for n in rendered) + " |"
        lines += ["", "## The report by size (bytes; render steps in seconds)", "", header]
        lines.append("|---|" + "---:|" * len(rendered))
        for name in REPORT_FILES:
            row = [f"{r['bytes'][name]:,}" if name in r["bytes"] else "" for r in rendered.values()]
            lines.append(f"| {name} | " + " | ".join(row) + " |")
        steps = sorted({step for r in rendered.values() for step in r["steps_s"]})
        for step in steps:
            row = [f"{r['steps_s'][step]:,.1f}" if step in r["steps_s"] else "" for r in rendered.values()]
            lines.append(f"| {step} | " + " | ".join(row) + " |")
    errors = [(n, st, s["error"]) for n, r in sizes.items() for st, s in r.items() if "error" in s]
    if errors:
        lines += ["", "## Errors", ""] + [f"- {int(n):,} {st}: {e}" for n, st, e in errors]
    return "\n".join(lines) + "\n"


def run_harness(sizes: list[int], render: bool, command: str) -> Result:
    """Run every stage for every size, write the results files and return the results."""
    started = time.perf_counter()
    date = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    stages = [s for s in STAGES if render or s != "render"]
    results: Result = {"run": {}, "machine": machine(), "sizes": {}}
    for messages in sizes:
        measured: Result = {}
        for stage in stages:
            print(f"{messages:>9,} messages  {stage:<12}", end="", flush=True)
            measured[stage] = run_stage(stage, messages)
            r = measured[stage]
            if "error" in r:
                print(f"FAILED {r['error']}", flush=True)
                break
            print(f"{r['seconds']:8.1f} s  peak {r['peak_rss_mb']:7,.0f} MB", flush=True)
        results["sizes"][str(messages)] = measured
    results["run"] = {"date": date, "command": command, "seconds": time.perf_counter() - started}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "results.md").write_text(markdown(results), encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sizes", type=int, nargs="+", help=f"messages per size (default: {DEFAULT_SIZES})")
    which.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES}")
    parser.add_argument("--render", action="store_true", help="also time a full report render")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        run_child(args.stage, args.one_size)
        return 0
    sizes = list(QUICK_SIZES if args.quick else args.sizes or DEFAULT_SIZES)
    command = " ".join(["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    results = run_harness(sizes, args.render, command)
    print()
    print(markdown(results))
    print(f"written: {RESULTS / 'results.json'}, {RESULTS / 'results.md'}")
    failed = any("error" in s for r in results["sizes"].values() for s in r.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
