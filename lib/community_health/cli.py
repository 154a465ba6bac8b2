"""The ``community-health`` command: verbs that follow the data flow (demo, ingest, render)."""

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
    report = ingest_client(cfg, progress=sys.stderr.isatty(), echo=_echo)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        _echo("interrupted")
        return 130
    except Exception as exc:  # one plain sentence, not a traceback
        _echo(f"community-health {args.verb}: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
