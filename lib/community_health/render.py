"""One client, one period: papermill executes the notebook, nbconvert writes HTML, Chromium prints the PDF.

:func:`render_report` is the whole run, readable from the parameters to the files on disk:

1. resolve the client, the period and the notebook, and check the parameters against the notebook's
   ``parameters`` cell (an unknown parameter is an error);
2. bring the normalised tables up to date (ingest only reads what changed);
3. execute the notebook with papermill into a staging folder beside the destination; the notebook
   reads the tables as stored, without checking the exports again (:data:`TABLES_CURRENT`), and
   writes ``metrics.json`` (and its other data files) into the same folder;
4. convert the executed notebook to one self-contained HTML file (code hidden, plotly.js embedded once,
   nothing fetched from a network);
5. print that HTML to an A4 PDF in headless Chromium, once every chart has drawn;
6. move the staging folder into ``reports/<client>/<period>/`` in one step.

A failed run leaves its executed notebook in ``reports/<client>/<period>.failed/`` for inspection.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# papermill, nbconvert and jupyter_client are imported where they are used: a report's kernel imports
# this module for ``default_period`` and must not pay for the rendering toolchain.
from community_health.config import (
    DEFAULT_DATA_DIR,
    DEFAULT_REPORTS_DIR,
    ClientConfig,
    ConfigError,
    Period,
    load_client,
)
from community_health.report.blocks import RENDERING

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
CHROMIUM = Path(os.environ.get("COMMUNITY_HEALTH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
#: Set for a report's kernel to the ``normalised/`` folder that :func:`render_report` has just brought up
#: to date: the notebook then reads the stored tables without checking the exports again.
TABLES_CURRENT = "COMMUNITY_HEALTH_TABLES_CURRENT"
#: The content width of an A4 page with the report's margins, in CSS pixels: charts are laid out to it.
PRINT_WIDTH_PX = 703


class RenderError(RuntimeError):
    """A report could not be rendered; the message says which step failed and where to look."""


def notebooks_dir() -> Path:
    """The folder holding the report notebooks: ``notebooks/`` of this checkout, else of the cwd."""
    candidates = [PACKAGE_DIR.parent.parent / "notebooks", Path.cwd() / "notebooks"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise RenderError(f"no notebooks folder found (looked in {', '.join(map(str, candidates))})")


def notebook_path(name: str) -> Path:
    """The notebook called ``name``; an unknown name is an error listing the known ones."""
    folder = notebooks_dir()
    path = folder / f"{name.removesuffix('.ipynb')}.ipynb"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.ipynb")))
        raise RenderError(f"no notebook {name!r} in {folder} (known notebooks: {known})")
    return path


def check_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """Refuse parameters that the notebook's ``parameters`` cell does not declare."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise RenderError(
            f"{notebook.name} has no parameter {', '.join(unknown)}; it takes: {', '.join(sorted(declared))}"
        )


def default_period(cfg: ClientConfig) -> Period:
    """The last complete month in the client's data (the month before the newest message's month)."""
    from community_health.ingest import load_tables

    tables = load_tables(cfg)
    stamps = [t["created_at"] for t in (tables.messages, tables.posts) if len(t)]
    if not stamps:
        raise ConfigError(f"client {cfg.slug!r} has no data in {cfg.paths.exports}: nothing to report on")
    newest = max(s.max() for s in stamps)
    latest = Period.containing(newest, cfg.timezone)
    # The newest month is complete only if the data reaches its last day.
    last_day = latest.end(cfg.timezone) - newest
    return latest if last_day.total_seconds() < 86_400 else latest.previous()


def report_dir(out_dir: Path | str, client: str, period: Period | str, notebook: str) -> Path:
    """Where a report is written: ``out_dir/<client>/<period>/`` (``<period>-<notebook>`` for another
    notebook than the client report)."""
    name = str(period) if notebook == "community_health_report" else f"{period}-{notebook}"
    return Path(out_dir).resolve() / client / name


@dataclass
class RenderResult:
    """Where a rendered report went and how long each step took (seconds)."""

    client: str
    period: str
    notebook: str
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def render_report(
    client: str = "demo",
    period: str | None = None,
    *,
    notebook: str = "community_health_report",
    data_dir: Path | str = DEFAULT_DATA_DIR,
    out_dir: Path | str = DEFAULT_REPORTS_DIR,
    final: bool = False,
    pseudonymise: bool = False,
    pdf: bool = True,
    echo: Callable[[str], None] = lambda _msg: None,
    record: Mapping[str, object] | None = None,
) -> RenderResult:
    """Render one client's report for one period into ``out_dir/<client>/<period>/``.

    Parameters
    ----------
    client
        Folder name under ``data_dir``.
    period
        ``YYYY-MM``; by default the last complete month in the client's data.
    notebook
        Name of a notebook in ``notebooks/``.
    final
        Refuse to render without the manager's commentary for the period.
    pseudonymise
        Replace member names by stable pseudonyms everywhere in the outputs.
    pdf
        Also print ``report.pdf``.
    record
        More entries for ``render.json`` (a batch stores the fingerprint of the inputs there).
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    cfg = load_client(client, data_dir)
    source = notebook_path(notebook)

    from community_health.ingest import ingest_client

    echo(f"{client}: bringing the normalised tables up to date")
    ingest_client(cfg)  # the notebook reads the tables; this process need not hold them too
    timings["ingest"] = time.perf_counter() - clock
    chosen = Period.parse(period) if period else default_period(cfg)
    if final and not cfg.paths.commentary(chosen).is_file():
        raise RenderError(
            f"--final needs the manager's commentary: write {cfg.paths.commentary(chosen)} "
            "(executive summary, highlights, recommendations) and render again"
        )

    destination = report_dir(out_dir, client, chosen, notebook)
    destination.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(destination)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.{os.getpid()}.", dir=destination.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a report folder is read like any other
    parameters = {
        "client": client,
        "period": str(chosen),
        "data_dir": str(data_dir),
        "output_dir": str(staging),
        "final": final,
        "pseudonymise": pseudonymise,
    }
    check_parameters(source, parameters)
    result = RenderResult(client, str(chosen), notebook, destination, timings=timings)
    try:
        executed = staging / "report.ipynb"
        echo(f"{client} {chosen}: executing {source.name}")
        clock = time.perf_counter()
        with _environment(TABLES_CURRENT, str(cfg.paths.normalised)):
            execute_notebook(source, executed, parameters)
        timings["papermill"] = time.perf_counter() - clock

        echo(f"{client} {chosen}: writing report.html")
        clock = time.perf_counter()
        html = staging / "report.html"
        subject = document_subject(cfg, notebook)
        notebook_to_html(executed, html, title=f"{subject} · {chosen.label}")
        timings["html"] = time.perf_counter() - clock

        if pdf:
            echo(f"{client} {chosen}: printing report.pdf in Chromium")
            clock = time.perf_counter()
            footer = f"{subject} · {chosen.label}" + (" · DRAFT" if _is_draft(staging) else "")
            if cfg.branding.agency_name and notebook != "portfolio_overview":
                footer += f" · prepared by {cfg.branding.agency_name}"
            html_to_pdf(html, staging / "report.pdf", footer=footer)
            timings["pdf"] = time.perf_counter() - clock
    except Exception as exc:
        failed = destination.with_name(destination.name + ".failed")
        shutil.rmtree(failed, ignore_errors=True)
        staging.rename(failed)
        raise RenderError(f"{client} {chosen}: {exc} (the executed notebook is kept in {failed})") from exc
    except BaseException:  # interrupted (Ctrl-C, the batch stopped): nothing half-written stays behind
        shutil.rmtree(staging, ignore_errors=True)
        raise

    (staging / "render.json").write_text(
        json.dumps(
            {
                **(record or {}),
                "client": client,
                "period": str(chosen),
                "notebook": notebook,
                "timings_s": {k: round(v, 3) for k, v in timings.items()},
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    _replace_dir(staging, destination)
    result.files = {p.name: p for p in sorted(destination.iterdir()) if p.is_file()}
    return result


def document_subject(cfg: ClientConfig, notebook: str) -> str:
    """What a document is about, for its title and every page's footer: the client and the kind of
    report; for the portfolio overview, the agency's clients (not the client it was rendered with)."""
    if notebook == "portfolio_overview":
        agency = cfg.branding.agency_name
        return f"{agency} · portfolio overview" if agency else "Portfolio overview"
    kinds = {"community_health_report": "community health", "channel_audit": "channel audit"}
    return f"{cfg.name} · {kinds.get(notebook, notebook.replace('_', ' '))}"


def _is_draft(folder: Path) -> bool:
    """Whether the notebook marked its report as a draft (no commentary yet) in ``metrics.json``."""
    metrics = folder / "metrics.json"
    return metrics.is_file() and bool(json.loads(metrics.read_text(encoding="utf-8")).get("draft"))


@functools.cache
def _local_kernel_manager() -> type:
    """The kernel manager class of :data:`LocalKernelManager` (defined on first use)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class LocalKernelManager(AsyncKernelManager):
        """A kernel reached over local IPC sockets: nothing listens on the network, nothing is sent in
        clear.

        Each kernel's sockets get their own path in the private Jupyter runtime folder: jupyter_client's
        default (``kernel-ipc-1`` ... in the working folder, the first numbers free) let two renders
        started at the same moment (a batch, two test runs) bind the same sockets and read each other's
        messages.
        """

        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            from jupyter_core.paths import jupyter_runtime_dir

            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
            return str(runtime / f"ch-kernel-{uuid.uuid4().hex[:16]}")

    LocalKernelManager.__module__ = __name__
    LocalKernelManager.__qualname__ = "LocalKernelManager"
    return LocalKernelManager


def __getattr__(name: str) -> Any:
    # ``LocalKernelManager``: a kernel reached over local IPC sockets, each kernel with its own socket
    # paths; built on first use so that importing this module does not import jupyter_client.
    if name == "LocalKernelManager":
        return _local_kernel_manager()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def execute_notebook(source: Path, executed: Path, parameters: dict[str, object]) -> None:
    """Run ``source`` with papermill, saving only at the end, in the notebook's own folder.

    The kernel inherits ``COMMUNITY_HEALTH_RENDERING=1``: each report block is then one HTML output.
    """
    with _environment(RENDERING, "1"):
        _papermill(source, executed, parameters)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _papermill(source: Path, executed: Path, parameters: dict[str, object]) -> None:
    import papermill

    papermill.execute_notebook(
        str(source),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        request_save_on_cell_execute=False,
        cwd=str(source.parent),
        kernel_manager_class=_local_kernel_manager(),
    )


def report_css() -> str:
    """The blocks' stylesheet, then the page's."""
    folder = TEMPLATES_DIR / "report"
    return "\n".join((folder / name).read_text(encoding="utf-8") for name in ("blocks.css", "report.css"))


def notebook_to_html(executed: Path, html: Path, title: str) -> None:
    """Convert an executed notebook to the client's HTML: code hidden, self-contained, offline."""
    import nbformat
    import plotly.offline
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"report_css": report_css(), "plotly_js": plotly.offline.get_plotlyjs()}
    )
    _write_atomic(html, body.encode("utf-8"))


def html_to_pdf(html: Path, pdf: Path, footer: str = "") -> None:
    """Print ``html`` to an A4 PDF in headless Chromium after every chart has drawn."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RenderError(f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    footer_html = (
        '<div style="font-size:8px;width:100%;padding:0 14mm;color:#666;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{_escape(footer)}</span>"
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
            page.emulate_media(media="print")
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_function(ALL_CHARTS_DRAWN, timeout=60_000)
            page.evaluate(SETTLE_CHARTS)
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_html,
            )
        finally:
            browser.close()


#: Redraws every chart at its container's width (the printed width) and waits until plotly has settled
#: its automatic margins, so no axis title or legend is cut off on paper.
SETTLE_CHARTS = """async () => {
  const charts = Array.from(document.querySelectorAll('.plotly-graph-div'));
  await Promise.all(charts.map(c => window.Plotly.Plots.resize(c)));
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""

#: True once every plotly chart container holds a drawn SVG.
ALL_CHARTS_DRAWN = """() => {
  const charts = document.querySelectorAll('.plotly-graph-div');
  return Array.from(charts).every(c => c.querySelector('.main-svg') !== null);
}"""


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_abandoned(destination: Path) -> None:
    """Remove the staging folders of ``destination`` whose render process is gone (killed halfway):
    they are named ``.<name>.<pid>.<random>``, and a render still running keeps its own."""
    for staging in destination.parent.glob(f".{destination.name}.*"):
        pid = staging.name[len(destination.name) + 2 :].split(".", 1)[0]
        if staging.is_dir() and (not pid.isdigit() or not _alive(int(pid))):
            shutil.rmtree(staging, ignore_errors=True)


def _replace_dir(staging: Path, destination: Path) -> None:
    """Put ``staging`` at ``destination`` so that readers see the old or the new folder, never a mix."""
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        destination.rename(old)
    staging.rename(destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
