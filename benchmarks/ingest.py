"""Ingest throughput: rows read per second by format family and by format, peak memory, and the re-run
after one more month of exports, for a demo client of 1,000,000 member-side messages.

The exports are written once by the demo generator (``community-health demo --messages N --seed 7``,
not timed) and then split so that their last month (October 2026) comes as separate exports, the way a
manager adds a month: X's monthly file; a Slack workspace export of that month beside the one of the
earlier months; each Discord channel exported again for the month (``--after``); the month's Discourse
posts saved as pages of their own; the month's Brandwatch mentions in a file of their own. Facebook's two
half-year files stay as they are.

Each stage runs in a fresh Python process (``ingest.py --stage NAME``) on a client folder whose
``exports/`` holds hard links to some of those files:

``cold:all``, ``cold:csv``, ``cold:json``, ``cold:<format folder>``
    ``ingest_client`` with no store: seconds, rows read (and per second), kept, the seconds spent in
    the readers (``read_batch``) per format, and the peak resident memory of the process
    (``getrusage`` ``ru_maxrss``; ``baseline_rss_mb`` is the same just before the ingest).
``warm:all``
    The same client again, nothing changed: no export may be read.
``inc:base``, ``inc:month``, ``inc:same``, ``inc:removed``
    A client with every export but the last month's, ingested cold; then the month's exports added
    and ingested again (only they may be read); then again with nothing changed; then the month's
    exports removed again (their rows must go: the tables must be those of ``inc:base``).

Targets (two cores): 250,000 rows/s for CSV sources, 100,000 rows/s for JSON sources, and the re-run
after a month at least 10 times faster than the cold ingest of every export (``cold:all`` seconds
over ``inc:month`` seconds). Results go to ``results/ingest.json`` and ``results/ingest.md``; work
files to ``work/ingest/`` (git-ignored). Timings are measured here, never asserted in tests.

Usage::

    .venv/bin/python benchmarks/ingest.py                    # 1,000,000 messages
    .venv/bin/python benchmarks/ingest.py --messages 100000  # quicker, for a look
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from run import machine

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "ingest"
RESULTS = HERE / "results"
SEED = 7
DEFAULT_MESSAGES = 1_000_000
MONTH = "2026-10"  # the month that arrives last
MB = 2**20

#: Format folders of the demo's exports, by family.
FAMILIES = {"csv": ("x", "facebook", "listening"), "json": ("slack", "discord", "discourse")}
TARGET_ROWS_PER_S = {"csv": 250_000, "json": 100_000}
TARGET_RERUN_SPEEDUP = 10.0
#: A listening query at volume: the CSV throughput target is checked on it (``cold:csv-volume``); the
#: demo's own CSV exports are 45,000 mentions and a few small files, where fixed costs dominate.
LARGE_CSV_ROWS = 1_000_000
LARGE_CSV_FILES = 4

Result = dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# The exports: generated once, then split so that the last month comes as exports of its own


def source_dir(messages: int) -> Path:
    return WORK / f"n{messages}" / "source"


def split_dir(messages: int) -> Path:
    """The split exports (``exports/``) and the list of the last month's files (``month.json``)."""
    return WORK / f"n{messages}" / "split"


def generate(messages: int) -> None:
    """Write the demo client of this size unless the one already written has the same size and seed."""
    stamp = source_dir(messages) / "stamp.json"
    wanted = {"messages": messages, "seed": SEED}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return
    shutil.rmtree(source_dir(messages), ignore_errors=True)
    command = [str(Path(sys.executable).parent / "community-health"), "demo"]
    command += ["--out", str(source_dir(messages) / "demo"), "--messages", str(messages), "--seed", str(SEED)]
    subprocess.run(command, check=True)
    stamp.write_text(json.dumps(wanted))


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def _split_slack(source: Path, out: Path) -> list[Path]:
    """The workspace export without the month, and a workspace export of the month beside it."""
    month_root = out.parent / f"slack-{MONTH}"
    shutil.copytree(source, out, ignore=shutil.ignore_patterns(f"{MONTH}-*.json"), dirs_exist_ok=True)
    month = []
    for day in sorted(source.glob(f"*/{MONTH}-*.json")):
        target = month_root / day.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(day, target)
        month.append(target)
    for listing in source.glob("*.json"):
        shutil.copy2(listing, month_root / listing.name)
        month.append(month_root / listing.name)
    return month


def _split_discord(source: Path, out: Path) -> list[Path]:
    """Each channel's messages before the month, and those of the month in a second export."""
    month = []
    for path in sorted(source.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        before = [m for m in doc["messages"] if m["timestamp"][:7] < MONTH]
        during = [m for m in doc["messages"] if m["timestamp"][:7] >= MONTH]
        for messages, name, after in (
            (before, path.name, None),
            (during, f"{path.stem} {MONTH}.json", MONTH),
        ):
            part = {**doc, "messages": messages, "messageCount": len(messages)}
            part["dateRange"] = {"after": f"{after}-01T00:00:00+00:00" if after else None, "before": None}
            _write_json(out / name, part)
        month.append(out / f"{path.stem} {MONTH}.json")
    return month


def _split_discourse(source: Path, out: Path) -> list[Path]:
    """The posts of earlier months in pages as before, the month's in pages of their own."""
    pages = sorted(source.glob("*.json"))
    posts = [p for page in pages for p in json.loads(page.read_text(encoding="utf-8"))["latest_posts"]]
    size = max(len(json.loads(pages[0].read_text(encoding="utf-8"))["latest_posts"]), 1)
    month = []
    for name, chosen in (("posts-page", False), (f"posts-{MONTH}-page", True)):
        part = [p for p in posts if (str(p.get("created_at"))[:7] >= MONTH) is chosen]
        for n, start in enumerate(range(0, len(part), size), start=1):
            path = out / f"{name}-{n:03d}.json"
            _write_json(path, {"latest_posts": part[start : start + size]})
            if chosen:
                month.append(path)
    return month


def _split_brandwatch(source: Path, out: Path) -> list[Path]:
    """The mentions of earlier months, and the month's in an export of their own (same preamble)."""
    month = []
    for path in sorted(source.glob("*.csv")):
        text = path.read_text(encoding="utf-8-sig")
        lines = text.splitlines(keepends=True)
        header_at = next(i for i, line in enumerate(lines) if line.startswith("Query Id,"))
        preamble = "".join(lines[:header_at])
        rows = list(csv.reader(io.StringIO("".join(lines[header_at:]))))
        date = rows[0].index("Date")
        for name, chosen in ((path.name, False), (f"{path.stem}_{MONTH}.csv", True)):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(
                [rows[0], *(r for r in rows[1:] if (r[date][:7] >= MONTH) is chosen)]
            )
            (out / name).write_text(preamble + buffer.getvalue(), encoding="utf-8")
            if chosen:
                month.append(out / name)
    return month


def _split_x(source: Path, out: Path) -> list[Path]:
    """X's files are monthly already: the month's is the one that starts on its first day."""
    shutil.copytree(source, out, dirs_exist_ok=True)
    return sorted(out.glob(f"*_{MONTH.replace('-', '')}01_*.csv"))


SPLITTERS: dict[str, Callable[[Path, Path], list[Path]]] = {
    "slack": _split_slack,
    "discord": _split_discord,
    "discourse": _split_discourse,
    "listening": _split_brandwatch,
    "x": _split_x,
}


def listening_at_volume(messages: int, rows: int = LARGE_CSV_ROWS, files: int = LARGE_CSV_FILES) -> list[str]:
    """Brandwatch exports of ``rows`` mentions in ``files`` files (a listening query at volume): the demo's
    mentions, repeated with a distinct address per copy (``?copy=N``) so that each is a mention of its own.
    Written once, under the split folder (``exports/listening-volume/``); returns their paths."""
    out = split_dir(messages) / "exports" / "listening-volume"
    names = [f"exports/listening-volume/mentions_{i + 1:02d}_of_{files:02d}.csv" for i in range(files)]
    if all((split_dir(messages) / n).is_file() for n in names):
        return names
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source = next((source_dir(messages) / "demo" / "exports" / "listening").glob("*.csv"))
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Query Id,"))
    preamble, records = "".join(lines[:header_at]), list(csv.reader(io.StringIO("".join(lines[header_at:]))))
    header, body = records[0], records[1:]
    url = header.index("Url")
    per_file = -(-rows // files)
    made = 0
    for name in names:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for n in range(made, min(made + per_file, rows)):
            record = list(body[n % len(body)])
            copy = n // len(body)
            if copy:
                record[url] = f"{record[url]}?copy={copy}"
            writer.writerow(record)
        made = min(made + per_file, rows)
        (split_dir(messages) / name).write_text(preamble + buffer.getvalue(), encoding="utf-8")
    return names


def split(messages: int) -> None:
    """Split the generated exports (once per generated client)."""
    out = split_dir(messages)
    stamp = out / "month.json"
    if stamp.is_file() and stamp.stat().st_mtime > (source_dir(messages) / "stamp.json").stat().st_mtime:
        return
    shutil.rmtree(out, ignore_errors=True)
    exports = source_dir(messages) / "demo" / "exports"
    month: list[Path] = []
    for folder in sorted(p.name for p in exports.iterdir() if p.is_dir()):
        target = out / "exports" / folder
        if folder in SPLITTERS:
            target.mkdir(parents=True, exist_ok=True)
            month += SPLITTERS[folder](exports / folder, target)
        else:
            shutil.copytree(exports / folder, target)
    _write_json(stamp, sorted(p.relative_to(out).as_posix() for p in month))


def month_files(messages: int) -> list[str]:
    """The last month's exports, relative to the split folder (``exports/...``)."""
    return json.loads((split_dir(messages) / "month.json").read_text())


def export_files(messages: int, folders: Iterable[str]) -> list[str]:
    """Every split file under the given export folders (and their ``<folder>-<month>`` siblings)."""
    root = split_dir(messages)
    found = []
    for path in sorted((root / "exports").iterdir()):
        if path.name.split(f"-{MONTH}")[0] in folders:
            found += [p.relative_to(root).as_posix() for p in sorted(path.rglob("*")) if p.is_file()]
    return found


# ---------------------------------------------------------------------------------------------------
# Client folders of hard links


def client_dir(messages: int, name: str) -> Path:
    return WORK / f"n{messages}" / "clients" / name


def link(messages: int, client: str, files: Iterable[str]) -> None:
    """Hard-link split files into a client's folder (same content, same modification times)."""
    for rel in files:
        target = client_dir(messages, client) / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(split_dir(messages) / rel, target)


def unlink(messages: int, client: str, files: Iterable[str]) -> None:
    for rel in files:
        (client_dir(messages, client) / rel).unlink(missing_ok=True)
    for folder in sorted((client_dir(messages, client) / "exports").rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def make_client(messages: int, name: str, files: Iterable[str]) -> None:
    """A client folder holding the demo's ``client.yml`` and the given exports."""
    root = client_dir(messages, name)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copy(source_dir(messages) / "demo" / "client.yml", root / "client.yml")
    link(messages, name, files)


# ---------------------------------------------------------------------------------------------------
# The stages, each in its own process


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_rss_mb() -> float:
    """The largest peak resident memory of the processes that read exports beside the stage's own."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ingest(messages: int, client: str, cold: bool) -> Result:
    """``ingest_client`` on one client folder, timed, with the seconds its readers took per format."""
    import pyarrow.parquet as pq

    from community_health.config import load_client
    from community_health.ingest import ingest_client, pipeline

    read_s: dict[str, float] = {}
    read_batch = getattr(pipeline, "read_batch", None)  # (absent from the code before batches)

    def timed(reader, units, cfg):  # the readers alone, without detection, combining and writing
        clock = time.perf_counter()
        try:
            return read_batch(reader, units, cfg)
        finally:
            read_s[reader.name] = read_s.get(reader.name, 0.0) + time.perf_counter() - clock

    if read_batch is not None:
        pipeline.read_batch = timed
    data = client_dir(messages, client).parent
    if cold:
        shutil.rmtree(data / client / "normalised", ignore_errors=True)
    cfg = load_client(client, data)
    baseline = rss_mb()
    clock, cpu = time.perf_counter(), time.process_time()
    report = ingest_client(cfg)
    seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
    peak, peak_children = rss_mb(), children_rss_mb()
    read_s = getattr(report, "read_seconds", None) or read_s  # (measured by the pipeline, in every process)
    files = report.files
    parsed = files[files["file"].isin(report.parsed)]

    def stored(table: str) -> int:
        return pq.ParquetFile(cfg.paths.normalised / f"{table}.parquet").metadata.num_rows

    return {
        "seconds": seconds,
        "rows_read": int(parsed["rows_read"].sum()),
        "rows_per_s": int(parsed["rows_read"].sum()) / seconds,
        "cpu_s": cpu,
        "cpu_children_s": _children_cpu(),
        "rows_read_by_format": {k: int(v) for k, v in parsed.groupby("format")["rows_read"].sum().items()},
        "read_s_by_format": read_s,
        "exports": len(files),
        "exports_read": len(report.parsed),
        "parsed": report.parsed,
        "messages": stored("messages"),
        "posts": stored("posts"),
        "quarantined": stored("quarantine"),
        "balanced": bool(report.balanced),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "peak_children_rss_mb": peak_children,
        "parent_and_children_peak_mb": peak + peak_children,  # an upper bound of the run's peak
    }


def stage_child(stage: str, messages: int) -> None:
    kind, client = stage.split(":")
    if kind == "inc":
        result = run_ingest(messages, "inc", cold=client == "base")
        month = month_files(messages)
        result["read_only_month"] = all(
            any(m == p or m.startswith(p + "/") for m in month) for p in result["parsed"]
        )
    else:
        result = run_ingest(messages, client, cold=kind == "cold")
    del result["parsed"]
    _write_json(WORK / f"n{messages}" / "stages" / f"{stage.replace(':', '_')}.json", result)


def run_stage(stage: str, messages: int) -> Result:
    """Run one stage in a fresh process; its result with the load average before and after."""
    out = WORK / f"n{messages}" / "stages" / f"{stage.replace(':', '_')}.json"
    out.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    command = [sys.executable, str(Path(__file__).resolve()), "--messages", str(messages), "--stage", stage]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not out.is_file():
        return {"error": f"exit {done.returncode}: " + " | ".join(done.stderr.strip().splitlines()[-3:])}
    result = {**json.loads(out.read_text()), "load_before": load, "load_after": os.getloadavg()[0]}
    print(
        f"{stage:18s} {result['seconds']:8.2f} s  {result['rows_read']:>9,} rows  "
        f"{result['rows_per_s']:>11,.0f} rows/s  {result['peak_rss_mb']:7.0f} MB  load {load:.1f}"
    )
    return result


# ---------------------------------------------------------------------------------------------------
# The harness


def run_all(messages: int) -> Result:
    generate(messages)
    split(messages)
    month = month_files(messages)
    every = export_files(messages, [f for family in FAMILIES.values() for f in family])
    clients = {"all": every}
    clients.update({family: export_files(messages, folders) for family, folders in FAMILIES.items()})
    clients.update({f: export_files(messages, [f]) for folders in FAMILIES.values() for f in folders})
    stages: dict[str, Result] = {}
    clients["csv-volume"] = listening_at_volume(messages)
    for name, files in clients.items():
        make_client(messages, name, files)
        stages[f"cold:{name}"] = run_stage(f"cold:{name}", messages)
        if name == "all":
            stages["warm:all"] = run_stage("warm:all", messages)
        shutil.rmtree(client_dir(messages, name) / "normalised", ignore_errors=True)
    make_client(messages, "inc", [f for f in every if f not in set(month)])
    stages["inc:base"] = run_stage("inc:base", messages)
    link(messages, "inc", month)
    stages["inc:month"] = run_stage("inc:month", messages)
    stages["inc:same"] = run_stage("inc:same", messages)
    unlink(messages, "inc", month)
    stages["inc:removed"] = run_stage("inc:removed", messages)
    return {
        "messages": messages,
        "seed": SEED,
        "month": MONTH,
        "month_exports": len(month),
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "stages": stages,
        "targets": targets(stages),
    }


def _by(measured: float, wanted: float) -> str:
    if measured >= wanted:
        return f"{measured / wanted:.1f}x the target"
    return f"{wanted - measured:,.0f} short ({measured / wanted:.0%} of the target)"


def targets(stages: dict[str, Result]) -> list[Result]:
    out = []
    for family, wanted in TARGET_ROWS_PER_S.items():
        name = "csv-volume" if family == "csv" else family
        stage = stages.get(f"cold:{name}", {})
        rate = stage.get("rows_per_s")
        rows = f", {stage['rows_read']:,} rows" if stage.get("rows_read") else ""
        out.append(
            {
                "target": f"cold ingest, {family.upper()} sources (`cold:{name}`{rows})",
                "wanted": f">= {wanted:,} rows/s",
                "measured": rate,
                "shown": f"{rate:,.0f} rows/s" if rate else "-",
                "met": None if rate is None else rate >= wanted,
                "by": _by(rate, wanted) if rate else None,
            }
        )
    cold, rerun = stages.get("cold:all", {}).get("seconds"), stages.get("inc:month", {}).get("seconds")
    speedup = cold / rerun if cold and rerun else None
    month_rows = stages.get("inc:month", {}).get("rows_read")
    all_rows = stages.get("cold:all", {}).get("rows_read")
    by = _by(speedup, TARGET_RERUN_SPEEDUP) if speedup else None
    if by and month_rows and all_rows:
        # reading the month's rows at the cold ingest's own rate already costs this share of it
        by += (
            f"; the month is {month_rows / all_rows:.0%} of the rows ({month_rows:,} of {all_rows:,}), so "
            f"reading it at the cold rate alone bounds the speed-up at {all_rows / month_rows:.1f}x"
        )
    out.append(
        {
            "target": "re-run after one more month, against the cold ingest of everything",
            "wanted": f">= {TARGET_RERUN_SPEEDUP:.0f}x faster",
            "measured": speedup,
            "shown": f"{speedup:.1f}x ({rerun:.2f} s against {cold:.2f} s)" if speedup else "-",
            "met": None if speedup is None else speedup >= TARGET_RERUN_SPEEDUP,
            "by": by,
        }
    )
    return out


def checks(results: Result) -> list[str]:
    """What must hold whatever the timings, each as met or not (written down, never asserted)."""
    stages = results["stages"]
    base, month = stages.get("inc:base", {}), stages.get("inc:month", {})
    same, removed = stages.get("inc:same", {}), stages.get("inc:removed", {})
    found = [
        ("every row accounted for in every stage", all(s.get("balanced") for s in stages.values())),
        ("the warm run read no export", stages.get("warm:all", {}).get("exports_read") == 0),
        ("the re-run read only the month's exports", bool(month.get("read_only_month"))),
        ("a re-run with nothing changed read no export", same.get("exports_read") == 0),
        (
            "removing the month's exports gave back the tables without them",
            bool(base) and all(removed.get(k) == base.get(k) for k in ("messages", "posts", "quarantined")),
        ),
    ]
    return [f"{'yes' if ok else '**no**'}: {what}" for what, ok in found]


def markdown(results: Result) -> str:
    """The results as a page: targets first, then every stage."""
    m, stages = results["machine"], results["stages"]
    loads = [s["load_before"] for s in stages.values() if "load_before" in s]
    lines = [
        "# Ingest benchmark",
        "",
        f"Measured {results['date']} on a demo client of {results['messages']:,} member-side messages "
        f"(seed {results['seed']}), its last month ({results['month']}, {results['month_exports']} files) "
        f"as exports of their own; commit `{m['commit']}`. Machine: {m['cpus_usable']} of {m['cpus']} "
        f"CPUs ({m['cpu_model'] or 'unknown model'}), {m['memory_gb']} GB, Python {m['python']}, "
        f"pandas {m['pandas']}. Load average (1 min) before the stages: {min(loads):.1f} to "
        f"{max(loads):.1f}.",
        "",
        "## Targets",
        "",
        "| target | wanted | measured | met | by how much |",
        "|---|---|---:|---|---|",
    ]
    for t in results["targets"]:
        met = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['wanted']} | {t['shown']} | {met} | {t['by'] or ''} |")
    lines += ["", "## Checks", "", *(f"- {c}" for c in checks(results))]
    lines += [
        "",
        "## Stages",
        "",
        "Each stage is one `ingest_client` call in a fresh process. Rows are the rows read in that call; "
        '"readers" is the time spent in the format readers, added up over the processes that read (with '
        "more than 32 MB of new exports, one per CPU), so it can exceed the stage's seconds; the rest is "
        "detection, hashing, combining, validation, deduplication and writing the store.",
        "",
        "| stage | exports read | rows read | seconds | CPU s (own + reading processes) | rows/s "
        "| readers (s) | peak RSS (MB, own / largest reading process) | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in stages.items():
        if "error" in s:
            lines.append(f"| {name} | error: {s['error']} | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {s['exports_read']:,} of {s['exports']:,} | {s['rows_read']:,} | {s['seconds']:.2f} "
            f"| {s['cpu_s']:.2f} + {s.get('cpu_children_s', 0):.2f} | {s['rows_per_s']:,.0f} "
            f"| {sum(s['read_s_by_format'].values()):.2f} "
            f"| {s['peak_rss_mb']:,.0f} / {s.get('peak_children_rss_mb', 0):,.0f} | {s['load_before']:.1f} |"
        )
    every = stages.get("cold:all", {})
    if every.get("read_s_by_format"):
        lines += [
            "",
            "## Readers alone, in `cold:all`",
            "",
            "| format | rows read | reader seconds | rows/s |",
            "|---|---:|---:|---:|",
        ]
        for fmt, seconds in sorted(every["read_s_by_format"].items()):
            rows = every["rows_read_by_format"].get(fmt, 0)
            lines.append(f"| {fmt} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES, help="member-side messages")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        stage_child(args.stage, args.messages)
        return 0
    clock = time.perf_counter()
    results = run_all(args.messages)
    results["seconds"] = time.perf_counter() - clock
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    page = markdown(results)
    (RESULTS / "ingest.md").write_text(page)
    print(page)
    return 1 if any("error" in s for s in results["stages"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
