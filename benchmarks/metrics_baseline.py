"""All metrics of one client beside a naive per-row baseline, so that the ratio shows.

The vectorised side is the library: ``metrics.summary(...)`` (every headline figure of a period and the
previous period) and, for a like-for-like ratio, the functions behind a representative subset of those
figures. The naive side computes the same subset the way a first script would: one Python loop over
the rows (``itertuples``), dictionaries and sets, no pandas or NumPy in the computation. The subset:

- active members (distinct members, people when aliases join accounts, who wrote in the period);
- median and 90th percentile of the time to first response by anyone (member threads of the period);
- the member-to-member share of the period's replies;
- dead time: the share of the week's hours without member activity, and the hours when members wrote
  but the brand never did.

Each side runs in a fresh process of its own (``--part``), so that its peak memory is its own. The
naive answers are checked against ``summary()``'s, rounded as the summary rounds them, and the run
stops with an error when any differs. Results go to ``results/metrics_baseline.json`` and ``.md``.

```
.venv/bin/python benchmarks/metrics_baseline.py                      # the 1,000,000-message client
.venv/bin/python benchmarks/metrics_baseline.py --messages 100000    # a smaller one
.venv/bin/python benchmarks/metrics_baseline.py --sample 0.25        # naive on a quarter, extrapolated
```
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CLIENT = "demo"
SEED = 7
Result = dict[str, Any]

#: The figures of the subset: (question, figure name in ``summary()``, digits it is rounded to there).
SUBSET = (
    ("loyalty", "active_members", 0),
    ("responsiveness", "median_first_response_hours", 2),
    ("responsiveness", "p90_first_response_hours", 2),
    ("catalysts", "member_to_member_reply_share", 4),
    ("dead_time", "share_of_hours_without_member_activity", 4),
    ("dead_time", "unattended_member_hours", 0),
)


def default_data_dir(messages: int) -> Path:
    """Where ``run.py`` keeps the client of that size (``work/n<size>/data``)."""
    return HERE / "work" / f"n{messages}" / "data"


def peak_rss_mb() -> float:
    """The peak resident set of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def prepare(data_dir: Path, messages: int) -> None:
    """Write the demo client of ``messages`` messages (seed 7, as ``run.py``) when it is not there yet."""
    if (data_dir / CLIENT / "client.yml").exists():
        return
    from community_health.cli import main

    code = main(["demo", "--out", str(data_dir / CLIENT), "--messages", str(messages), "--seed", str(SEED)])
    if code:
        raise RuntimeError(f"community-health demo exited with {code}")


def load(data_dir: Path, period: str, *, stored: bool = True) -> tuple[Any, Any, Any, Any, Any]:
    """The client's configuration, tables (messages with their people) and scores, and the period.

    With ``stored`` the tables and scores are read as stored (a side's process: its peak memory is then
    the tables plus its own work); without, the exports are ingested and the messages scored first
    where the store is not up to date.
    """
    from community_health.config import Period, load_client
    from community_health.enrich import enrich_messages, read_enrichment
    from community_health.ingest import load_tables
    from community_health.ingest.pipeline import read_tables
    from community_health.metrics import with_people
    from community_health.render import default_period

    cfg = load_client(CLIENT, data_dir)
    tables = read_tables(cfg.paths.normalised) if stored else load_tables(cfg)
    scores = cfg.paths.normalised / "enrichment.parquet"
    enrichment = read_enrichment(scores) if stored else enrich_messages(tables.messages, scores)
    chosen = Period.parse(period) if period else default_period(cfg)  # (default_period ingests)
    return cfg, tables, with_people(tables.messages, tables.members), enrichment, chosen


def clocked(function: Callable[[], Any]) -> tuple[Any, float, float]:
    """``function()``, with its wall-clock and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


# ----------------------------------------------------------------------------------------------- vectorised


def vectorised(data_dir: Path, period: str) -> Result:
    """``summary()`` for the period, then the subset's functions alone (fresh shared work)."""
    from community_health.metrics import (
        Window,
        catalysts,
        dead_time,
        loyalty,
        responsiveness,
        shared_work,
        summary,
    )
    from community_health.metrics import compared_with_previous as compared

    cfg, tables, messages, enrichment, chosen = load(data_dir, period)
    window = Window.from_period(chosen, cfg.timezone)
    baseline_rss = peak_rss_mb()
    result, wall, cpu = clocked(lambda: summary(messages, tables.posts, enrichment, cfg, chosen))
    functions = {
        "active_members": loyalty.active_member_count,
        "median_first_response_hours": responsiveness.median_first_response_hours,
        "p90_first_response_hours": responsiveness.p90_first_response_hours,
        "member_to_member_reply_share": catalysts.member_to_member_reply_share,
        "share_of_hours_without_member_activity": dead_time.share_of_hours_without_member_activity,
        "unattended_member_hours": dead_time.unattended_member_hour_count,
    }

    def subset() -> dict[str, Any]:
        with shared_work():
            return {name: compared(f, window, messages).as_dict() for name, f in functions.items()}

    _, subset_wall, subset_cpu = clocked(subset)
    figures = {
        name: {k: result["metrics"][q][name][k] for k in ("value", "previous")} for q, name, _ in SUBSET
    }
    return {
        "period": str(chosen),
        "messages": len(messages),
        "summary_seconds": wall,
        "summary_cpu_seconds": cpu,
        "subset_seconds": subset_wall,
        "subset_cpu_seconds": subset_cpu,
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": peak_rss_mb(),
        "figures": figures,
    }


# ----------------------------------------------------------------------------------------------------- naive


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile with linear interpolation between the closest ranks (as NumPy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def naive_figures(rows: list[tuple], start: datetime, end: datetime, tz: str) -> dict[str, Any]:
    """The subset's figures for [start, end), one Python pass over the rows at a time.

    ``rows`` are (platform, message_id, thread_id, parent_id, author, is_brand, is_bot, created_at,
    kind), ``author`` naming the person (or the account when no aliases join accounts).
    """
    # The message of each (platform, message id), and the first message of each thread: the one whose
    # id is the thread id, else the earliest (ties by message id).
    by_id: dict[tuple[str, str], int] = {}
    root_of: dict[tuple[str, str], int] = {}
    for i, (plat, mid, tid, _, _, _, _, created, _) in enumerate(rows):
        by_id[(plat, mid)] = i
        key = (plat, tid)
        known = rows[root_of[key]] if key in root_of else None
        if mid == tid or known is None or (known[1] != tid and (created, mid) < (known[7], known[1])):
            root_of[key] = i

    active: set[str] = set()
    first_response: dict[int, datetime | None] = {}
    replies = member_to_member = 0
    zone = ZoneInfo(tz)
    member_slots: dict[tuple[int, int], int] = {}
    brand_slots: dict[tuple[int, int], int] = {}
    for i, (plat, _, tid, parent, author, brand, bot, created, kind) in enumerate(rows):
        if not start <= created < end:
            continue
        member = not brand and not bot
        local = created.astimezone(zone)
        slot = (local.weekday(), local.hour)
        if member:
            active.add(author)
            member_slots[slot] = member_slots.get(slot, 0) + 1
        if brand:
            brand_slots[slot] = brand_slots.get(slot, 0) + 1
        root = root_of[(plat, tid)]
        if root == i:
            if member and kind != "mention" and plat != "web":
                first_response[i] = None
            continue
        if bot and not brand:
            continue
        replies += 1
        answered = by_id.get((plat, parent), root) if parent is not None else root
        target = rows[answered]
        if member and not target[5] and not target[6] and target[4] != author:
            member_to_member += 1

    # First responses: any later message of a member thread of the period by someone else (not a bot).
    for i, (plat, _, tid, _, author, _, bot, created, _) in enumerate(rows):
        if created < start or bot:
            continue
        root = root_of[(plat, tid)]
        if root == i or root not in first_response or rows[root][4] == author or created < rows[root][7]:
            continue
        known = first_response[root]
        if known is None or created < known:
            first_response[root] = created
    hours = [(at - rows[root][7]).total_seconds() / 3600.0 for root, at in first_response.items() if at]

    occurring: set[tuple[int, int]] = set()
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        local = hour.astimezone(zone)
        occurring.add((local.weekday(), local.hour))
        hour += timedelta(hours=1)
    silent = sum(1 for slot in occurring if not member_slots.get(slot))
    return {
        "active_members": len(active),
        "median_first_response_hours": quantile(hours, 0.5),
        "p90_first_response_hours": quantile(hours, 0.9),
        "member_to_member_reply_share": member_to_member / replies if replies else None,
        "share_of_hours_without_member_activity": silent / len(occurring) if occurring else None,
        "unattended_member_hours": sum(1 for s, n in member_slots.items() if n and not brand_slots.get(s)),
    }


def naive(data_dir: Path, period: str, sample: float) -> Result:
    """The subset computed row by row, for the period and the previous one (on a sample of threads)."""
    import pandas as pd

    from community_health.metrics import Window
    from community_health.schema import Messages as M

    cfg, _, messages, _, chosen = load(data_dir, period)
    window = Window.from_period(chosen, cfg.timezone)
    person = "person_id" if "person_id" in messages.columns else None
    columns = [M.platform, M.message_id, M.thread_id, M.parent_id, M.author_id, M.author_is_brand]
    columns += [M.author_is_bot, M.created_at, M.kind, *([person] if person else [])]
    frame = messages[columns]
    if sample < 1:  # whole threads, chosen by a hash of their key before the clock starts
        threads = pd.util.hash_pandas_object(frame[[M.platform, M.thread_id]], index=False).to_numpy()
        frame = frame.loc[threads % 1_000_000 < sample * 1_000_000]
    baseline_rss = peak_rss_mb()

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        rows = []
        for plat, mid, tid, parent, author, brand, bot, created, kind, *who in frame.itertuples(
            index=False, name=None
        ):
            author = who[0] if who else (plat, author)
            parent = None if parent is None or parent != parent else parent  # NaN: no parent
            rows.append(
                (plat, mid, tid, parent, author, bool(brand), bool(bot), created.to_pydatetime(), kind)
            )
        previous = window.previous()
        return (
            naive_figures(rows, window.start.to_pydatetime(), window.end.to_pydatetime(), window.tz),
            naive_figures(rows, previous.start.to_pydatetime(), previous.end.to_pydatetime(), window.tz),
        )

    (now, before), wall, cpu = clocked(compute)
    return {
        "period": str(chosen),
        "messages": len(messages),
        "sample": sample,
        "seconds": wall,
        "cpu_seconds": cpu,
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": peak_rss_mb(),
        "figures": {name: {"value": now[name], "previous": before[name]} for _, name, _ in SUBSET},
    }


# ------------------------------------------------------------------------------------------------- the run


def run_part(part: str, args: argparse.Namespace) -> Result:
    """One side in a fresh process of its own; its result as JSON on the last line of its output."""
    command = [sys.executable, __file__, "--part", part, "--data-dir", str(args.data_dir)]
    command += ["--messages", str(args.messages), "--period", args.period, "--sample", str(args.sample)]
    before = os.getloadavg()
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "load_before": list(before), "load_after": list(os.getloadavg())}


def compare(fast: Result, slow: Result) -> list[str]:
    """The figures on which the naive answers differ from ``summary()``'s (rounded as it rounds them)."""
    differences = []
    for _, name, digits in SUBSET:
        for side in ("value", "previous"):
            expected, found = fast["figures"][name][side], slow["figures"][name][side]
            if found is not None and digits:
                found = round(found, digits) + 0.0
            if expected != found:
                differences.append(f"{name} ({side}): summary {expected}, naive {found}")
    return differences


def report(fast: Result, slow: Result, args: argparse.Namespace) -> Result:
    """Everything measured, with the ratios."""
    scale = 1.0 / slow["sample"]
    naive_seconds = slow["seconds"] * scale
    naive_cpu = slow["cpu_seconds"] * scale
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "data_dir": str(args.data_dir),
        "subset": [name for _, name, _ in SUBSET],
        "vectorised": fast,
        "naive": slow,
        "naive_extrapolated": slow["sample"] < 1,
        "naive_seconds": naive_seconds,
        "naive_cpu_seconds": naive_cpu,
        "ratio_wall": naive_seconds / fast["subset_seconds"],
        "ratio_cpu": naive_cpu / fast["subset_cpu_seconds"],
        "ratio_naive_subset_to_all_metrics": naive_cpu / fast["summary_cpu_seconds"],
        "answers_equal": slow["sample"] == 1,
    }


def markdown(out: Result) -> str:
    """The results as a short page."""
    fast, slow = out["vectorised"], out["naive"]
    sample = (
        f"on {slow['sample']:.0%} of the threads (chosen by a hash of their key), extrapolated to all: its "
        f"times divided by {slow['sample']}"
        if out["naive_extrapolated"]
        else "on every row"
    )
    checked = (
        "Its answers equal `summary()`'s, rounded as the summary rounds them:"
        if out["answers_equal"]
        else "A sample's answers are not those of the whole client, so they were not compared:"
    )
    rows = [
        (
            "all metrics: `summary()`",
            fast["summary_seconds"],
            fast["summary_cpu_seconds"],
            fast["peak_rss_mb"],
        ),
        ("subset, vectorised", fast["subset_seconds"], fast["subset_cpu_seconds"], None),
        ("subset, naive per-row", out["naive_seconds"], out["naive_cpu_seconds"], slow["peak_rss_mb"]),
    ]
    lines = [
        "# All metrics beside a naive per-row baseline",
        "",
        f"`{out['command']}` on {out['date']}, commit {out['commit']}, {out['machine']['cpus']} CPUs, "
        f"Python {out['machine']['python']}. Client: {fast['messages']:,} messages, period {fast['period']} "
        "and the previous period.",
        "",
        "| what | wall s | CPU s | peak memory MB |",
        "|---|---:|---:|---:|",
        *(f"| {w} | {s:.2f} | {c:.2f} | {'' if m is None else f'{m:,.0f}'} |" for w, s, c, m in rows),
        "",
        f"- **Ratio, naive / vectorised, same subset**: {out['ratio_cpu']:.0f}x in CPU time "
        f"({out['ratio_wall']:.0f}x wall).",
        f"- The naive subset alone takes {out['ratio_naive_subset_to_all_metrics']:.1f}x the CPU time of "
        "every metric vectorised.",
        f"- Naive run {sample}. {checked} {', '.join(out['subset'])}, for the period and the previous one.",
        f"- Load average (1, 5, 15 min) before / after: vectorised {fmt_load(fast)}; naive {fmt_load(slow)} "
        f"({out['machine']['cpus']} CPUs: a load near or above that means other work competed, and wall "
        "times are pessimistic; CPU times are the fairer comparison).",
        "- Peak memory is the peak resident set of each side's own process (tables loaded included).",
        "",
    ]
    return "\n".join(lines)


def fmt_load(side: Result) -> str:
    return " / ".join(", ".join(f"{x:.2f}" for x in side[k]) for k in ("load_before", "load_after"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="size of the demo client")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding demo/ (run.py's)")
    parser.add_argument("--period", default="", help="YYYY-MM (default: the last complete month)")
    parser.add_argument("--sample", type=float, default=1.0, help="share of threads the naive side reads")
    parser.add_argument("--part", choices=["prepare", "vectorised", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir or default_data_dir(args.messages)
    if args.part == "prepare":
        prepare(args.data_dir, args.messages)
        print(json.dumps({"period": str(load(args.data_dir, args.period, stored=False)[-1])}))
        return 0
    if args.part == "vectorised":
        print(json.dumps(vectorised(args.data_dir, args.period)))
        return 0
    if args.part == "naive":
        print(json.dumps(naive(args.data_dir, args.period, args.sample)))
        return 0
    # Write the client, ingest and score once, outside any clock, and settle the period for both sides;
    # in a process of its own, so that this one stays small (a child starts from its parent's peak).
    args.period = run_part("prepare", args)["period"]
    fast = run_part("vectorised", args)
    slow = run_part("naive", args)
    out = report(fast, slow, args)
    if slow["sample"] == 1 and (differences := compare(fast, slow)):
        print("the naive answers differ from summary()'s:\n  " + "\n  ".join(differences), file=sys.stderr)
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "metrics_baseline.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    (RESULTS / "metrics_baseline.md").write_text(markdown(out))
    print(markdown(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
