"""The ``community-health`` command: verbs that follow the data flow (demo, ingest, render, batch)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from community_health.config import DEFAULT_DATA_DIR, DEFAULT_REPORTS_DIR


def _echo(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from community_health.demo import DEFAULT_MESSAGES, write_demo

    messages = args.messages or DEFAULT_MESSAGES
    _echo(f"writing a demo client with {messages:,} member-side messages (seed {args.seed}) to {args.out}")
    write_demo(Path(args.out), messages=messages, seed=args.seed)
    print(Path(args.out))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from community_health.config import load_client
    from community_health.ingest import ingest_client

    cfg = load_client(args.client, args.data_dir)
    report = ingest_client(cfg, progress=sys.stderr.isatty(), echo=_echo, workers=args.workers)
    print(report)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from community_health.render import render_report

    result = render_report(
        args.client,
        args.period,
        notebook=args.notebook,
        data_dir=args.data_dir,
        out_dir=args.out,
        final=args.final,
        pseudonymise=args.pseudonymise,
        pdf=not args.no_pdf,
        echo=_echo,
    )
    timings = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in result.timings.items())
    _echo(f"{result.client} {result.period}: done ({timings})")
    for path in result.files.values():
        print(path)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from community_health.batch import (
        BatchOptions,
        alert_line,
        counts_sentence,
        default_workers,
        period_range,
        plan_jobs,
        run_batch,
        select_clients,
        summary_table,
    )

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {args.workers}")
    data_dir, out_dir = Path(args.data_dir).resolve(), Path(args.out).resolve()
    clients = select_clients(data_dir, args.clients)
    periods = period_range(args.periods or args.period) if (args.periods or args.period) else [None]
    jobs = plan_jobs(clients, periods)
    workers = min(args.workers or default_workers(), len(jobs))
    where = f"in {workers} processes"
    if args.dask_scheduler:
        where = f"on the Dask cluster at {args.dask_scheduler}"
    _echo(f"batch: {len(jobs)} reports ({len(clients)} clients x {len(periods)} periods) {where}")
    options = BatchOptions(
        data_dir=data_dir,
        out_dir=out_dir,
        notebook=args.notebook,
        pdf=not args.no_pdf,
        final=args.final,
        pseudonymise=args.pseudonymise,
        force=args.force,
    )
    batch = run_batch(jobs, options, workers=workers, dask_scheduler=args.dask_scheduler, echo=_echo)
    print(summary_table(batch.results))
    print()
    print(counts_sentence(batch.results, batch.seconds))
    shown = 10
    print(f"{len(batch.alerts)} early-warning spikes, worst first ({batch.alerts_path}):")
    for alert in batch.alerts[:shown]:
        print(f"  {alert_line(alert)}")
    if len(batch.alerts) > shown:
        print(f"  … and {len(batch.alerts) - shown} more in {batch.alerts_path.name}")
    if batch.failed:
        _echo(
            f"community-health batch: {len(batch.failed)} of {len(batch.results)} reports failed; "
            "each failed notebook is kept in <out>/<client>/<period>.failed/ with its error.json"
        )
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="community-health",
        description="Turn a client's raw channel exports into a community health report.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  community-health render --client demo --period 2026-10",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, help_: str, example: str, run: Callable[[argparse.Namespace], int]):
        sub = verbs.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)
        return sub

    demo = verb(
        "demo",
        "write a demo client (raw exports in real layouts) of any size",
        "community-health demo --out /tmp/demo-big --messages 100000",
        cmd_demo,
    )
    demo.add_argument("--out", required=True, help="folder to write the client into")
    demo.add_argument("--messages", type=int, default=None, help="member-side messages (default: the demo's)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same bytes)")

    ingest = verb(
        "ingest",
        "read a client's exports into the normalised tables",
        "community-health ingest --client demo",
        cmd_ingest,
    )
    ingest.add_argument("--client", default="demo", help="folder under the data folder (default: demo)")
    ingest.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: data")
    ingest.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that read new exports (default: one per CPU when there are 32 MB or more to read)",
    )

    render = verb(
        "render",
        "render a client's report to HTML, PDF, notebook and metrics.json",
        "community-health render --client demo --period 2026-10",
        cmd_render,
    )
    render.add_argument("--client", default="demo", help="folder under the data folder (default: demo)")
    render.add_argument("--period", default=None, help="month YYYY-MM (default: last complete month)")
    render.add_argument("--notebook", default="community_health_report", help="notebook in notebooks/")
    render.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: data")
    render.add_argument("--out", type=Path, default=DEFAULT_REPORTS_DIR, help="default: reports")
    render.add_argument("--final", action="store_true", help="refuse to render without commentary")
    render.add_argument("--pseudonymise", action="store_true", help="replace member names by pseudonyms")
    render.add_argument("--no-pdf", action="store_true", help="skip the PDF")

    batch = verb(
        "batch",
        "render many clients and periods in parallel; failures never stop the others",
        "community-health batch --clients acme,demo --periods 2026-07..2026-10 --workers 2\n"
        "  community-health batch --period 2026-10 --dask-scheduler tcp://10.0.0.5:8786",
        cmd_batch,
    )
    batch.add_argument("--clients", default=None, help="a,b or all (default: all clients)")
    which = batch.add_mutually_exclusive_group()
    which.add_argument("--period", default=None, help="month YYYY-MM (default: each client's last complete)")
    which.add_argument("--periods", default=None, metavar="A..B", help="months A to B, e.g. 2026-07..2026-10")
    batch.add_argument("--workers", type=int, default=None, help="local processes (default: one per core)")
    batch.add_argument(
        "--dask-scheduler", default=None, metavar="tcp://HOST:PORT", help="render on a Dask cluster instead"
    )
    batch.add_argument("--force", action="store_true", help="render even reports whose inputs are unchanged")
    batch.add_argument("--notebook", default="community_health_report", help="notebook in notebooks/")
    batch.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: data")
    batch.add_argument("--out", type=Path, default=DEFAULT_REPORTS_DIR, help="default: reports")
    batch.add_argument("--final", action="store_true", help="refuse to render without commentary")
    batch.add_argument("--pseudonymise", action="store_true", help="replace member names by pseudonyms")
    batch.add_argument("--no-pdf", action="store_true", help="skip the PDFs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        again = ""
        if args.verb in ("ingest", "render", "batch"):
            again = " Nothing half-written was kept; run the same command again to finish"
            again += " (the reports already finished are skipped)." if args.verb == "batch" else "."
        _echo(f"community-health {args.verb}: interrupted.{again}")
        return 130
    except Exception as exc:  # one plain sentence, not a traceback
        _echo(f"community-health {args.verb}: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
