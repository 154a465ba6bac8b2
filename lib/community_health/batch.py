"""Many clients and periods, rendered in parallel, each in isolation, with one list of early warnings.

:func:`run_batch` is the whole run:

1. :func:`plan_jobs` makes one job per (client, period);
2. each job runs :func:`render_one` in its own worker process (a local process pool started with
   ``forkserver``, or a Dask distributed cluster): it fingerprints the report's inputs and skips a
   report whose inputs have not changed since it was rendered; otherwise it brings the client's
   tables and enrichment up to date (one job per client at a time), finds the period's early-warning
   spikes, and calls :func:`community_health.render.render_report`, which writes into a staging
   folder and moves it into place in one step;
3. a job never raises: a broken client or a failing cell comes back as a failed :class:`JobResult`
   with the cell and the error, and its executed notebook stays in ``<period>.failed/`` beside an
   ``error.json``;
4. :func:`write_alerts` gathers every report's spikes into ``alerts.json``, worst first, and
   :func:`summary_table` prints one line per report.

Everything but the runner is a pure function of its arguments, tested on its own.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import functools
import gc
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from community_health import __version__
from community_health.config import ClientConfig, ConfigError, Period, load_client

PACKAGE_DIR = Path(__file__).resolve().parent
ALERTS_FILE = "alerts.json"
SUMMARY_FILE = "batch.json"
ERROR_FILE = "error.json"
LOCK_FILE = ".batch.lock"
#: A job whose worker process dies is tried once more in a fresh pool before it counts as failed.
ATTEMPTS = 2
#: Imported once by the fork server, so that each worker process starts with them imported.
PRELOAD = [
    "community_health.batch",
    "community_health.ingest",
    "community_health.render",
    # the rendering toolchain, which community_health.render imports only where it is used
    "papermill",
    "nbconvert",
    "jupyter_client.manager",
]
#: Characters of an error message shown in the summary table (batch.json and error.json hold it all).
TABLE_ERROR_CHARS = 110

Echo = Callable[[str], None]


class BatchError(ValueError):
    """A batch cannot start (no such client, a period range that runs backwards); one sentence."""


class Status(enum.StrEnum):
    """What became of one report."""

    RENDERED = "rendered"
    SKIPPED = "skipped"  # inputs unchanged since the report in place was rendered
    FAILED = "failed"


@dataclass(frozen=True)
class BatchOptions:
    """How every report of a batch is rendered; paths are absolute so that any worker can use them."""

    data_dir: Path
    out_dir: Path
    notebook: str = "community_health_report"
    pdf: bool = True
    final: bool = False
    pseudonymise: bool = False
    force: bool = False
    #: Processes each job may use to score new messages (``None``: every core).
    enrich_workers: int | None = None


@dataclass(frozen=True)
class Job:
    """One report to render: a client, and a period (``None``: the client's last complete month)."""

    client: str
    period: str | None = None

    @property
    def label(self) -> str:
        return f"{self.client} {self.period or 'latest'}"


@dataclass
class JobResult:
    """What one job did; plain data, so that it crosses process and machine boundaries."""

    client: str
    period: str  # the month rendered, or "latest" when the job failed before it was known
    status: Status
    seconds: float
    out_dir: str = ""  # the report folder, or the folder kept for inspection after a failure
    files: list[str] = field(default_factory=list)
    cell: str = ""  # the notebook cell that failed ("" when the failure was outside the notebook)
    error: str = ""  # one line
    details: str = ""  # the traceback or the cell's output, for error.json
    alerts: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED


@dataclass
class BatchResult:
    """Every job's result in the order planned, the alerts across them, and where they were written."""

    results: list[JobResult]
    alerts: list[dict[str, Any]]
    seconds: float
    alerts_path: Path
    summary_path: Path

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.failed]


# ---------------------------------------------------------------------------------------------------
# Planning


def find_clients(data_dir: Path | str) -> list[str]:
    """Every client under ``data_dir``: the folders holding a ``client.yml``, sorted by name."""
    return sorted(p.parent.name for p in Path(data_dir).glob("*/client.yml"))


def select_clients(data_dir: Path | str, names: str | None) -> list[str]:
    """The clients named in ``a,b`` (``None``, empty or ``all``: every client under ``data_dir``).

    A name without a folder is an error that lists the clients found, before anything is rendered.
    """
    known = find_clients(data_dir)
    if names is None or names.strip() in ("", "all"):
        if not known:
            raise BatchError(f"no clients under {data_dir} (a client is a folder holding a client.yml)")
        return known
    chosen = list(dict.fromkeys(n.strip() for n in names.split(",") if n.strip()))
    missing = [n for n in chosen if not (Path(data_dir) / n).is_dir()]
    if missing:
        raise BatchError(
            f"no client {', '.join(missing)} under {data_dir} (clients found: {', '.join(known) or 'none'})"
        )
    return chosen


def period_range(text: str) -> list[Period]:
    """The months of ``2026-07..2026-10``, first to last (a single ``2026-10`` is one month)."""
    first, sep, last = text.partition("..")
    start = Period.parse(first)
    end = Period.parse(last) if sep else start
    if (end.year, end.month) < (start.year, start.month):
        raise BatchError(f"the period range {text} runs backwards: write the earlier month first")
    months = [start]
    while months[-1] != end:
        months.append(months[-1].next())
    return months


def plan_jobs(clients: Sequence[str], periods: Sequence[Period | str | None]) -> list[Job]:
    """One job per (client, period), clients first; ``[None]`` as periods: each client's latest month."""
    jobs = [Job(c, None if p is None else str(Period.parse(p))) for c in clients for p in periods or [None]]
    return list(dict.fromkeys(jobs))


# ---------------------------------------------------------------------------------------------------
# Fingerprint of a report's inputs


def _file_sha256(path: Path) -> str | None:
    """The content hash of a file, or ``None`` when it does not exist."""
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def library_fingerprint() -> str:
    """The library's version and a hash of every file of its source (code, templates, stylesheets)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def exports_hashes(cfg: ClientConfig) -> dict[str, str]:
    """The content hash of every export of a client, by its path under the client's folder.

    The ingest store's manifest already holds the hash of each export it read, with the size and
    modification time of its files: an export whose files are unchanged is not read again here either.
    """
    from community_health.ingest.store import Manifest
    from community_health.ingest.units import find_units

    if not cfg.paths.exports.is_dir():
        return {}
    manifest = Manifest.load(cfg.paths.normalised)
    hashes = {}
    for unit in find_units(cfg.paths.exports, cfg.paths.root):
        stats = [[s.name, s.size, s.mtime_ns] for s in unit.stats()]
        known = manifest.units.get(unit.relpath)
        hashes[unit.relpath] = known.sha256 if known is not None and known.stats == stats else unit.sha256()
    return hashes


def input_fingerprint(cfg: ClientConfig, period: Period, notebook: Path, options: BatchOptions) -> dict:
    """Everything a report is made from, hashed: if none of it changed, neither would the report.

    The exports (their content), ``client.yml``, ``events.csv``, the period's commentary, the logos,
    the notebook, the library (version and source) and the options of the render.

    Returns
    -------
    dict
        ``fingerprint`` (one hash of all of it) and ``parts`` (each input's hash, to see what changed).
    """
    branding = cfg.branding
    parts = {
        "library": library_fingerprint(),
        "notebook": _file_sha256(notebook),
        "client_yml": _file_sha256(cfg.paths.client_yml),
        "events_csv": _file_sha256(cfg.paths.events),
        "commentary": _file_sha256(cfg.paths.commentary(period)),
        "logos": [_file_sha256(p) if p else None for p in (branding.logo, branding.agency_logo)],
        "exports": exports_hashes(cfg),
        "options": {
            "period": str(period),
            "notebook": notebook.stem,
            "pdf": options.pdf,
            "final": options.final,
            "pseudonymise": options.pseudonymise,
        },
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True)
    return {"fingerprint": hashlib.sha256(text.encode()).hexdigest()[:32], "parts": parts}


def read_render_record(report: Path) -> dict:
    """The ``render.json`` of a report folder (``{}`` when there is none or it cannot be read)."""
    try:
        return json.loads((report / "render.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_up_to_date(report: Path, fingerprint: str, pdf: bool) -> bool:
    """Whether ``report`` was rendered from inputs with this fingerprint and still holds its files."""
    recorded = read_render_record(report).get("inputs", {})
    wanted = ["report.html", "report.ipynb", "metrics.json"] + (["report.pdf"] if pdf else [])
    return recorded.get("fingerprint") == fingerprint and all((report / f).is_file() for f in wanted)


# ---------------------------------------------------------------------------------------------------
# Alerts


def _plain(value: Any) -> Any:
    """A JSON value for one cell of a spikes frame: days as ISO dates, missing and infinite as None."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def spike_alerts(spikes, client: str, client_name: str, period: str) -> list[dict[str, Any]]:
    """The early-warning spikes of one report (``listening.negative_spike_episodes``) as alerts.

    Each alert is the episode's row (days as ISO dates) with the client, its name and the period.
    """
    alerts = []
    for row in spikes.to_dict(orient="records"):
        alert = {"client": client, "client_name": client_name, "period": period}
        alert.update({key: _plain(value) for key, value in row.items()})
        alerts.append(alert)
    return alerts


def alert_severity(alert: dict[str, Any]) -> tuple[float, int, int]:
    """How bad a spike is, for sorting: the peak day's robust z-score (how far above its usual level
    negative volume went), then the negative messages in the episode, then the top author's followers."""
    z = alert.get("peak_z")
    return (
        math.inf if z is None else float(z),
        int(alert.get("negative_messages") or 0),
        int(alert.get("top_author_followers") or 0),
    )


def rank_alerts(alerts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alerts worst first (see :func:`alert_severity`); ties in client, period, start order."""
    ordered = sorted(alerts, key=lambda a: (a["client"], a["period"], a.get("start") or ""))
    return sorted(ordered, key=alert_severity, reverse=True)


def alert_line(alert: dict[str, Any]) -> str:
    """One alert in a sentence."""
    days = alert.get("start") or "?"
    if alert.get("end") and alert["end"] != alert.get("start"):
        days += f" to {alert['end']}"
    z = alert.get("peak_z")
    line = (
        f"{alert['client']} {alert['period']}: {alert.get('negative_messages', 0):,} negative messages "
        f"{days}, peak {alert.get('peak_negative_messages', 0):,} on {alert.get('peak_day')}"
    )
    if z is not None:
        line += f" (z {z:.1f})"
    if alert.get("top_author_name"):
        followers = alert.get("top_author_followers")
        reach = f", {followers:,} followers" if followers else ""
        line += f"; best-connected author {alert['top_author_name']}{reach}"
    return line


def _report_html(result: JobResult) -> str | None:
    """The HTML report an alert points to (none for a report that failed)."""
    return None if result.failed or not result.out_dir else str(Path(result.out_dir) / "report.html")


def write_alerts(results: Sequence[JobResult], out_dir: Path) -> tuple[list[dict[str, Any]], Path]:
    """Write ``alerts.json``: every spike of every report in the batch, worst first, each with the
    report it is in. A report that failed still gives its spikes when its data could be read: a broken
    commentary must not hide a crisis."""
    alerts = rank_alerts({**a, "report": _report_html(r)} for r in results for a in r.alerts)
    path = Path(out_dir) / ALERTS_FILE
    payload = {
        "reports": [f"{r.client} {r.period}" for r in results],
        "failed": [f"{r.client} {r.period}" for r in results if r.failed],
        "alerts": alerts,
    }
    _write_json(path, payload)
    return alerts, path


# ---------------------------------------------------------------------------------------------------
# The summary


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown_path(path: str) -> str:
    """A path relative to the working folder when it is inside it (shorter in a table)."""
    if not path:
        return ""
    with contextlib.suppress(ValueError):
        return str(Path(path).relative_to(Path.cwd()))
    return path


def outputs_cell(result: JobResult) -> str:
    """What a person opens: the HTML (and PDF) of a report, or the kept notebook of a failure."""
    if not result.out_dir:
        return ""
    folder = _shown_path(result.out_dir)
    if result.failed:
        kept = "report.ipynb" if "report.ipynb" in result.files else ""
        return f"{folder}/{kept}" if kept else f"{folder}/"
    main = [f for f in ("report.html", "report.pdf") if f in result.files]
    return f"{folder}/{main[0]}" + (f", {main[1]}" if len(main) > 1 else "") if main else f"{folder}/"


def summary_table(results: Sequence[JobResult]) -> str:
    """One line per report: client, period, status, time, output, and for a failure the cell and error."""
    header = ("client", "period", "status", "time", "output", "cell", "error")
    rows = [
        (
            r.client,
            r.period,
            r.status.value,
            f"{r.seconds:.1f}s",
            outputs_cell(r),
            _shorten(r.cell, 40),
            _shorten(r.error, TABLE_ERROR_CHARS),
        )
        for r in results
    ]
    if not any(r[5] or r[6] for r in rows):  # no failure: no empty cell and error columns
        header, rows = header[:5], [r[:5] for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def counts_sentence(results: Sequence[JobResult], seconds: float) -> str:
    counts = Counter(r.status for r in results)
    parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
    return f"{len(results)} reports in {seconds:.1f}s: " + ", ".join(parts)


# ---------------------------------------------------------------------------------------------------
# One job (runs in a worker process)


def failure_details(exc: BaseException) -> tuple[str, str, str]:
    """The failing cell, a one-line error and the full details of an exception raised by a render.

    A failure inside the notebook names its cell (``In [5] rpt.loyalty()``) and the notebook's own
    error; any other failure is its own message.
    """
    from papermill.exceptions import PapermillExecutionError, strip_color

    cause: BaseException = exc
    while cause.__cause__ is not None and not isinstance(cause, PapermillExecutionError):
        cause = cause.__cause__
    if isinstance(cause, PapermillExecutionError):
        first = next((line for line in str(cause.source).splitlines() if line.strip()), "")
        cell = f"In [{cause.exec_count}] {first.strip()}"
        error = f"{cause.ename}: {cause.evalue}" if cause.evalue else str(cause.ename)
        return cell, _shorten(error, 1000), strip_color("\n".join(cause.traceback))
    message = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    if not isinstance(exc, ConfigError | BatchError) and type(exc).__name__ not in message:
        from community_health.render import RenderError

        if not isinstance(exc, RenderError):
            message = f"{type(exc).__name__}: {message}"
    details = "".join(traceback.format_exception(exc))
    return "", _shorten(message, 1000), details


@contextlib.contextmanager
def client_lock(cfg: ClientConfig) -> Iterator[None]:
    """Hold the client's store for this job alone while its tables and enrichment are brought up to
    date (two periods of one client may run at once; the store is written by one at a time)."""
    cfg.paths.normalised.mkdir(parents=True, exist_ok=True)
    with (cfg.paths.normalised / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _enrich_workers(options: BatchOptions) -> int | None:
    # A daemonic process (a Dask worker by default) may not start the scoring processes.
    return 1 if multiprocessing.current_process().daemon else options.enrich_workers


def _prepare(cfg: ClientConfig, period: Period | None, options: BatchOptions) -> tuple[Period, list[dict]]:
    """Bring the client's tables and enrichment up to date and find the period's early warnings."""
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables
    from community_health.metrics import listening
    from community_health.metrics.window import Window
    from community_health.render import default_period

    with client_lock(cfg):
        tables = load_tables(cfg)
        enrichment = enrich_messages(
            tables.messages, cfg.paths.normalised / "enrichment.parquet", workers=_enrich_workers(options)
        )
    chosen = period or default_period(cfg)
    window = Window.from_period(chosen, cfg.timezone)
    spikes = listening.negative_spike_episodes(tables.messages, enrichment, window, cfg.thresholds)
    return chosen, spike_alerts(spikes, cfg.slug, cfg.name, str(chosen))


def release_memory() -> None:
    """Give the memory of the tables read by :func:`_prepare` back to the system before the notebook
    runs: the worker would otherwise hold it, unused, beside the kernel that reads them again."""
    import ctypes
    import ctypes.util

    import pyarrow

    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    libc = ctypes.util.find_library("c")
    if libc and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc).malloc_trim(0)


def render_one(job: Job, options: BatchOptions) -> JobResult:
    """Render one report, or skip it when its inputs are unchanged; never raises.

    A failure comes back as a failed result naming the cell and the error; the executed notebook, if
    the render got that far, stays in ``<period>.failed/`` with an ``error.json`` beside it.
    """
    from community_health.render import notebook_path, render_report

    clock = time.perf_counter()
    period = job.period or "latest"
    alerts: list[dict[str, Any]] = []
    try:
        cfg = load_client(job.client, options.data_dir)
        notebook = notebook_path(options.notebook)
        chosen = Period.parse(job.period) if job.period else None
        inputs = None
        if chosen is not None:  # an explicit period can be checked before any data is read
            inputs = input_fingerprint(cfg, chosen, notebook, options)
            skipped = _skipped(job, chosen, inputs, options, clock)
            if skipped is not None:
                return skipped
        chosen, alerts = _prepare(cfg, chosen, options)
        period = str(chosen)
        if inputs is None:
            inputs = input_fingerprint(cfg, chosen, notebook, options)
            skipped = _skipped(job, chosen, inputs, options, clock)
            if skipped is not None:
                return skipped
        release_memory()
        rendered = render_report(
            job.client,
            period,
            notebook=options.notebook,
            data_dir=options.data_dir,
            out_dir=options.out_dir,
            final=options.final,
            pseudonymise=options.pseudonymise,
            pdf=options.pdf,
            record={"inputs": inputs, "alerts": alerts},
        )
    except Exception as exc:
        failed = _failed(job, period, exc, options, time.perf_counter() - clock)
        failed.alerts = alerts
        return failed
    # An earlier failure of this report is out of date now.
    shutil.rmtree(rendered.out_dir.with_name(f"{rendered.out_dir.name}.failed"), ignore_errors=True)
    return JobResult(
        job.client,
        period,
        Status.RENDERED,
        time.perf_counter() - clock,
        out_dir=str(rendered.out_dir),
        files=sorted(rendered.files),
        alerts=alerts,
        timings={k: round(v, 3) for k, v in rendered.timings.items()},
    )


def _skipped(job: Job, period: Period, inputs: dict, options: BatchOptions, clock: float) -> JobResult | None:
    from community_health.render import report_dir

    folder = report_dir(options.out_dir, job.client, period, options.notebook)
    if options.force or not is_up_to_date(folder, inputs["fingerprint"], options.pdf):
        return None
    return JobResult(
        job.client,
        str(period),
        Status.SKIPPED,
        time.perf_counter() - clock,
        out_dir=str(folder),
        files=sorted(p.name for p in folder.iterdir() if p.is_file()),
        alerts=read_render_record(folder).get("alerts", []),
    )


def _failed(job: Job, period: str, exc: Exception, options: BatchOptions, seconds: float) -> JobResult:
    from community_health.render import report_dir

    cell, error, details = failure_details(exc)
    result = JobResult(job.client, period, Status.FAILED, seconds, cell=cell, error=error, details=details)
    if period != "latest":
        kept = report_dir(options.out_dir, job.client, period, options.notebook)
        kept = kept.with_name(f"{kept.name}.failed")
        if kept.is_dir():
            result.out_dir = str(kept)
            result.files = sorted(p.name for p in kept.iterdir() if p.is_file())
            _write_json(kept / ERROR_FILE, {"client": job.client, "period": period, **_failure(result)})
    return result


def _failure(result: JobResult) -> dict[str, str]:
    return {"cell": result.cell, "error": result.error, "details": result.details}


def _crashed(job: Job, message: str, seconds: float = 0.0) -> JobResult:
    return JobResult(job.client, job.period or "latest", Status.FAILED, seconds, error=message)


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


# ---------------------------------------------------------------------------------------------------
# Progress


class Progress:
    """Reports done, running and failed with the time elapsed: a live bar on a terminal (tqdm, on
    stderr), otherwise one line per finished report."""

    def __init__(self, total: int, slots: int, *, live: bool | None = None, echo: Echo | None = None):
        self.total, self.slots = total, max(1, slots)
        self.done = self.failed = 0
        self.started = time.perf_counter()
        self.echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
        self.live = sys.stderr.isatty() if live is None else live
        self._bar = None
        self._stop = threading.Event()
        if self.live:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True)
            self._refresh()
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    @property
    def running(self) -> int:
        return min(self.slots, self.total - self.done)

    def _counts(self) -> str:
        return f"done {self.done}, running {self.running}, failed {self.failed}"

    def _refresh(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self._counts(), refresh=True)

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._refresh()

    def finished(self, result: JobResult) -> None:
        self.done += 1
        self.failed += result.failed
        if self._bar is not None:
            self._bar.update(1)
            self._refresh()
            return
        elapsed = time.perf_counter() - self.started
        what = f"{result.status.value} in {result.seconds:.1f}s"
        if result.failed:
            what += f": {_shorten(result.error, TABLE_ERROR_CHARS)}"
        self.echo(
            f"[{self.done}/{self.total}] {result.client} {result.period} {what} "
            f"({self._counts()}, {elapsed:.0f}s elapsed)"
        )

    def close(self) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.close()


# ---------------------------------------------------------------------------------------------------
# The runners


def _mp_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one (Linux): renders start kernels and Chromium, and a fork of a
    process with threads is not safe; ``spawn`` elsewhere."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the renderer once; each worker forked from it starts with it imported.
    context.set_forkserver_preload(PRELOAD)
    return context


def _remove_staging(job: Job, options: BatchOptions) -> None:
    """Remove what a job whose process died left half-written (its staging folder)."""
    from community_health.render import report_dir

    if job.period:
        folder = report_dir(options.out_dir, job.client, job.period, options.notebook)
        for staging in folder.parent.glob(f".{folder.name}.*"):
            shutil.rmtree(staging, ignore_errors=True)


def _started(task: Callable[[Job, BatchOptions], JobResult], job: Job, options: BatchOptions, mark: str):
    """Run ``task`` in a worker after leaving a mark that the job started (see :func:`run_local`)."""
    Path(mark).touch()
    return task(job, options)


def run_local(
    jobs: Sequence[Job],
    options: BatchOptions,
    workers: int,
    progress: Progress,
    task: Callable[[Job, BatchOptions], JobResult] = render_one,
) -> list[JobResult]:
    """Run ``task`` for each job in a pool of ``workers`` processes.

    When a worker process dies (out of memory, a crash) the pool breaks and every unfinished job with
    it: those that had started are tried once more in a fresh pool and then count as failed; those
    still waiting are simply sent again. The others go on either way.
    """
    results: dict[Job, JobResult] = {}
    attempts: Counter[Job] = Counter()
    todo = list(jobs)
    with tempfile.TemporaryDirectory(prefix="community-health-batch-") as marks:
        mark = {job: str(Path(marks) / str(n)) for n, job in enumerate(jobs)}
        while todo:
            with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=_mp_context()) as pool:
                futures = {pool.submit(_started, task, job, options, mark[job]): job for job in todo}
                todo = []
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        if os.path.exists(mark[job]):
                            os.unlink(mark[job])
                            attempts[job] += 1
                            _remove_staging(job, options)
                        if attempts[job] < ATTEMPTS:
                            todo.append(job)
                            continue
                        result = _crashed(job, "its worker process ended unexpectedly (out of memory?)")
                    except Exception as exc:  # the job could not be sent or its result not returned
                        result = _crashed(job, failure_details(exc)[1])
                    results[job] = result
                    progress.finished(result)
    return [results[job] for job in jobs]


def run_dask(
    jobs: Sequence[Job], options: BatchOptions, scheduler: str, progress: Progress, echo: Echo
) -> list[JobResult]:
    """Send each job to the Dask distributed cluster at ``scheduler`` (``tcp://host:port``).

    Every worker must have this library installed and see ``options.data_dir`` and ``options.out_dir``
    at the same paths (a shared file system).
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise BatchError("--dask-scheduler needs the distributed package: pip install distributed") from None
    try:
        client = Client(scheduler, timeout="15s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        threads = sum(client.nthreads().values())
        progress.slots = max(1, threads)
        theirs = set(client.run(library_fingerprint).values())
        if theirs - {library_fingerprint()}:
            echo(
                f"warning: the cluster's workers run another version of the library ({', '.join(theirs)}) "
                f"than this one ({library_fingerprint()})"
            )
        futures = {}
        for job in jobs:
            key = f"render-{job.client}-{job.period or 'latest'}-{os.urandom(4).hex()}"
            futures[client.submit(render_one, job, options, pure=False, key=key)] = job
        results: dict[Job, JobResult] = {}
        for future in dask_completed(futures, loop=client.loop):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the task could not run
                result = _crashed(job, f"the Dask worker failed: {failure_details(exc)[1]}")
            results[job] = result
            progress.finished(result)
    return [results[job] for job in jobs]


def run_batch(
    jobs: Sequence[Job],
    options: BatchOptions,
    *,
    workers: int = 1,
    dask_scheduler: str | None = None,
    live: bool | None = None,
    echo: Echo | None = None,
) -> BatchResult:
    """Render every job (in local processes, or on a Dask cluster), then write ``alerts.json`` and
    ``batch.json`` into ``options.out_dir``. Failed reports are in the result; nothing is raised for them.

    Parameters
    ----------
    jobs
        From :func:`plan_jobs`.
    options
        How to render; its paths must be absolute.
    workers
        Local processes (ignored with ``dask_scheduler``: the cluster decides).
    dask_scheduler
        ``tcp://host:port`` of a Dask distributed scheduler.
    live
        Force the live progress bar on or off (default: on when stderr is a terminal).
    """
    say = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    clock = time.perf_counter()
    options.out_dir.mkdir(parents=True, exist_ok=True)
    if options.enrich_workers is None and not dask_scheduler:  # share the cores between the jobs
        options = replace(options, enrich_workers=max(1, default_workers() // max(1, workers)))
    progress = Progress(len(jobs), workers, live=live, echo=say)
    try:
        if dask_scheduler:
            results = run_dask(jobs, options, dask_scheduler, progress, say)
        else:
            results = run_local(jobs, options, max(1, workers), progress)
    finally:
        progress.close()
    seconds = time.perf_counter() - clock
    alerts, alerts_path = write_alerts(results, options.out_dir)
    summary_path = options.out_dir / SUMMARY_FILE
    _write_json(
        summary_path,
        {
            "seconds": round(seconds, 3),
            "workers": workers if not dask_scheduler else None,
            "dask_scheduler": dask_scheduler,
            "results": [{**asdict(r), "status": r.status.value} for r in results],
        },
    )
    return BatchResult(results, alerts, seconds, alerts_path, summary_path)


def default_workers() -> int:
    """Local worker processes by default: one per usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on macOS and Windows
        return os.cpu_count() or 1


__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchResult",
    "Job",
    "JobResult",
    "Status",
    "alert_line",
    "find_clients",
    "input_fingerprint",
    "is_up_to_date",
    "library_fingerprint",
    "period_range",
    "plan_jobs",
    "rank_alerts",
    "render_one",
    "run_batch",
    "select_clients",
    "spike_alerts",
    "summary_table",
    "write_alerts",
]
