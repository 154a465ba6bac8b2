"""The demo client's report rendered end to end (papermill, nbconvert, Chromium) and read as a client would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from community_health.render import CHROMIUM, CHROMIUM_ARGS, RenderError, render_report

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"

pytestmark = pytest.mark.e2e

SECTIONS = (
    "Executive summary",
    "Health at a glance",
    "Listening and early warning",
    "Responsiveness",
    "Catalysts",
    "Dead time",
    "Core group",
    "Loyalty",
    "Resonance",
    "Data quality and methods",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The demo report for October 2026, rendered from a copy of data/demo into a temporary folder."""
    base = tmp_path_factory.mktemp("render")
    data = base / "data"
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    result = render_report("demo", PERIOD, data_dir=data, out_dir=base / "reports")
    return result.out_dir


@pytest.fixture(scope="module")
def html(rendered: Path) -> str:
    return (rendered / "report.html").read_text(encoding="utf-8")


def test_all_outputs_are_written(rendered: Path):
    for name in ("report.html", "report.pdf", "report.ipynb", "metrics.json"):
        assert (rendered / name).stat().st_size > 0, name
    assert not list(rendered.parent.glob(".*")), "no staging folder may be left behind"


def test_every_section_is_in_the_html(html: str):
    for section in SECTIONS:
        assert section in html, section


def test_html_hides_code_and_shows_charts(html: str):
    assert "jp-InputArea" not in html, "input cells must be hidden"
    assert html.count('class="plotly-graph-div"') >= 6
    assert html.count("Plotly.newPlot") == html.count('class="plotly-graph-div"')


def test_html_fetches_nothing_from_a_network(html: str):
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html, flags=re.I)
    for tag in tags:
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag, flags=re.I), tag
    assert not re.search(r"@import\s+url\(\s*['\"]?https?:", html)
    assert html.count("plotly.js v") <= 2, "plotly.js must be embedded once"


def test_executed_notebook_has_no_errors_or_warnings(rendered: Path):
    nb = nbformat.read(rendered / "report.ipynb", as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            assert output.get("name") != "stderr", output.get("text")
            text = json.dumps(output.get("data", {})) + output.get("text", "")
            assert "Traceback" not in text and "Warning" not in text


def test_pdf_is_a4_with_text_on_every_page(rendered: Path):
    pdf = rendered / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 6
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for section in SECTIONS:
        assert section in text, section
    for number, page in enumerate(text.split("\f")[:pages], start=1):
        assert page.strip(), f"page {number} of the PDF is empty"


def test_metrics_json_is_stable_for_the_same_inputs(rendered: Path, tmp_path: Path):
    first = (rendered / "metrics.json").read_bytes()
    data = rendered.parent.parent.parent / "data"
    again = render_report("demo", PERIOD, data_dir=data, out_dir=tmp_path, pdf=False)
    assert (again.out_dir / "metrics.json").read_bytes() == first


def test_unknown_notebook_parameter_is_an_error(tmp_path: Path):
    from community_health.render import check_parameters, notebook_path

    with pytest.raises(RenderError, match="no parameter colour"):
        check_parameters(notebook_path("community_health_report"), {"client": "demo", "colour": "red"})


def test_report_in_a_real_browser_draws_every_chart_and_requests_nothing(rendered: Path):
    from playwright.sync_api import sync_playwright

    html = rendered / "report.html"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        charts = page.evaluate("""() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
            drawn: d.querySelector('.main-svg') !== null,
            traces: (d.data || []).length,
            points: (d.data || []).reduce((n, t) => n + ((t.x || t.z || t.y || []).length || 0), 0),
            width: d.getBoundingClientRect().width,
            height: d.getBoundingClientRect().height}))""")
        browser.close()
    assert errors == []
    assert requests == [], requests
    assert len(charts) >= 6
    for chart in charts:
        assert chart["drawn"] and chart["traces"] > 0 and chart["points"] > 0, chart
        assert chart["width"] > 300 and chart["height"] > 150, chart
