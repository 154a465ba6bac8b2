"""The other notebooks (channel audit, portfolio overview, explorer) rendered end to end by the same command
as the client report, and read as their users would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from community_health.render import CHROMIUM, CHROMIUM_ARGS, render_report

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
OTHER = "Acme Roasters"

pytestmark = pytest.mark.e2e

SECTIONS = {
    "channel_audit": (
        "Channels at a glance",
        "Posting cadence",
        "Response gaps",
        "Dead time",
        "Tone",
        "Resonance",
        "Advocates",
        "Recommendations checklist",
    ),
    "portfolio_overview": ("Where to look first", "Early warning", "Response times", "Client by client"),
    "explore": (
        "At a glance",
        "Listening",
        "Responsiveness",
        "Dead time and core group",
        "Messages",
        "Resonance",
    ),
}
#: The fewest charts each notebook draws on the demo data.
CHARTS = {"channel_audit": 7, "portfolio_overview": 2, "explore": 8}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A data folder with two clients: a copy of the demo, and the same exports under another name (its
    normalised tables copied too, so they are read once)."""
    from community_health.config import load_client
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables

    data = tmp_path_factory.mktemp("notebooks") / "data"
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    cfg = load_client("demo", data)
    enrich_messages(load_tables(cfg).messages, cfg.paths.normalised / "enrichment.parquet")
    shutil.copytree(data / "demo", data / "acme")
    yml = data / "acme" / "client.yml"
    yml.write_text(
        re.sub(r"(?m)^name: .*$", f"name: {OTHER}", yml.read_text(encoding="utf-8")), encoding="utf-8"
    )
    return data


@pytest.fixture(scope="module")
def rendered(data: Path) -> dict[str, Path]:
    """Each notebook rendered for the demo client and October 2026; the audit and the portfolio also
    printed to PDF."""
    out = data.parent / "reports"
    return {
        name: render_report(
            "demo", PERIOD, notebook=name, data_dir=data, out_dir=out, pdf=name != "explore"
        ).out_dir
        for name in SECTIONS
    }


def _html(rendered: dict[str, Path], name: str) -> str:
    return (rendered[name] / "report.html").read_text(encoding="utf-8")


def _visible(html: str) -> str:
    """The page's text without its embedded scripts and styles (plotly.js holds many words)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_notebook_writes_its_report_where_render_puts_it(rendered: dict[str, Path], name: str):
    folder = rendered[name]
    assert folder.name == f"{PERIOD}-{name}" and folder.parent.name == "demo"
    for file in ("report.html", "report.ipynb", "metrics.json", "tables.xlsx", "render.json"):
        assert (folder / file).stat().st_size > 0, file
    assert (folder / "report.pdf").is_file() == (name != "explore")
    assert not list(folder.parent.glob(".*")), "no staging folder may be left behind"


@pytest.mark.parametrize("name", list(SECTIONS))
def test_every_section_is_there_and_every_chart_is_drawn(rendered: dict[str, Path], name: str):
    html = _html(rendered, name)
    text = _visible(html)
    for section in SECTIONS[name]:
        assert section in text, section
    charts = html.count('class="plotly-graph-div"')
    assert charts >= CHARTS[name]
    assert html.count("Plotly.newPlot") == charts
    assert "open_audit(" not in html and "open_portfolio(" not in html and "open_explorer(" not in html
    assert "jp-InputPrompt" not in html[html.index("<body") :], "no code may show"


@pytest.mark.parametrize("name", list(SECTIONS))
def test_executed_notebook_has_no_errors_or_warnings(rendered: dict[str, Path], name: str):
    nb = nbformat.read(rendered[name] / "report.ipynb", as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            assert output.get("name") != "stderr", output.get("text")
            text = json.dumps(output.get("data", {})) + output.get("text", "")
            assert "Traceback" not in text and "Warning" not in text


@pytest.mark.parametrize("name", list(SECTIONS))
def test_the_workbook_holds_the_tables_and_no_formula(rendered: dict[str, Path], name: str):
    book = openpyxl.load_workbook(rendered[name] / "tables.xlsx")
    wanted = {
        "channel_audit": {
            "Audit cadence",
            "Audit response gaps",
            "Audit advocates",
            "Recommendations checklist",
        },
        "portfolio_overview": {"Where to look first", "Portfolio figures", "Early warning", "Response times"},
        "explore": {"Explore channels", "Explore messages", "Unanswered threads"},
    }[name]
    assert wanted <= set(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@"))), (
                    f"{sheet.title}: {value!r} would run as a formula"
                )


# ---------------------------------------------------------------- the channel audit


def test_audit_ends_in_a_checklist_of_findings_with_empty_decisions(rendered: dict[str, Path]):
    headings = re.findall(r"<h2\b[^>]*>([^<]+)", _html(rendered, "channel_audit"))
    headings = [h.strip() for h in headings]
    assert headings[-1] == "Recommendations checklist" and headings[-2] == "Advocates", headings
    sheet = pd.read_excel(rendered["channel_audit"] / "tables.xlsx", sheet_name="Recommendations checklist")
    assert list(sheet.columns) == ["#", "Area", "Finding", "To decide", "Decision"]
    assert len(sheet) >= 5 and sheet["Decision"].isna().all()
    findings = " ".join(sheet["Finding"])
    # The demo's planted truths: slow answers off hours, the pricing-error spike, its superfans.
    assert re.search(
        r"Slack #help: median first brand reply [\d.]+ h for threads started off hours", findings
    )
    assert "Negative messages spiked from 13 Oct" in findings
    assert "advocates; the most positive is" in findings
    assert {"Responsiveness", "Early warning", "Cadence", "Dead time", "Advocates"} <= set(sheet["Area"])


def test_audit_covers_every_conversation_channel_week_by_week(rendered: dict[str, Path]):
    cadence = pd.read_excel(rendered["channel_audit"] / "tables.xlsx", sheet_name="Audit cadence")
    assert {"Slack #general", "Slack #help", "Discord #support", "Facebook · brightbrewcoffee"} <= set(
        cadence["Channel"]
    )
    assert (cadence["Weeks"] == 14).all()  # August to October 2026 touch fourteen weeks
    assert "X · twitter.com" not in set(cadence["Channel"]), "mentions are not a channel the brand posts in"
    gaps = pd.read_excel(rendered["channel_audit"] / "tables.xlsx", sheet_name="Audit response gaps")
    assert gaps["Unanswered"].sum() > 0 and set(gaps["Channel"]) >= {"Slack #help", "Discourse category 5"}


def test_audit_pdf_is_a4_with_every_section_and_no_empty_page(rendered: dict[str, Path]):
    pdf = rendered["channel_audit"] / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 8 and re.search(r"Page size:\s+595\.\d* x 84[12]\.\d* pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for section in SECTIONS["channel_audit"]:
        assert section in text, section
    for number, page in enumerate(text.split("\f")[:pages], start=1):
        assert len(page.strip()) > 60, f"page {number} of the PDF is (nearly) empty"


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_every_page_footer_names_what_the_document_is_about(rendered: dict[str, Path]):
    audit = _pdf_pages(rendered["channel_audit"] / "report.pdf")
    assert all("Brightbrew Coffee · channel audit · October 2026" in page for page in audit)
    # The portfolio is the agency's: rendered "with" the demo client, it is still not about that client.
    portfolio = _pdf_pages(rendered["portfolio_overview"] / "report.pdf")
    assert portfolio and all(
        "Northlight Community Studio · portfolio overview · October 2026" in p for p in portfolio
    )
    assert not any("Brightbrew Coffee ·" in page for page in portfolio)


# ---------------------------------------------------------------- the portfolio


def test_portfolio_shows_every_client_under_the_data_folder_in_priority_order(rendered: dict[str, Path]):
    metrics = json.loads((rendered["portfolio_overview"] / "metrics.json").read_text(encoding="utf-8"))
    clients = metrics["clients"]
    assert [c["client"] for c in clients] == ["acme", "demo"]  # same numbers: by name
    assert [c["client_name"] for c in clients] == [OTHER, "Brightbrew Coffee"]
    points = [c["attention_points"] for c in clients]
    assert points == sorted(points, reverse=True) and points[0] > 0
    figures = clients[0]["figures"]
    for key in (
        "active_members",
        "median_first_response_hours",
        "share_answered_within_target",
        "net_sentiment",
    ):
        assert figures[key]["value"] is not None and "previous" in figures[key]
    assert figures["negative_spike_episodes"]["value"] >= 1
    html = _visible(_html(rendered, "portfolio_overview"))
    assert f"Look at {OTHER} first" in html and "Brightbrew Coffee" in html
    alerts = pd.read_excel(rendered["portfolio_overview"] / "tables.xlsx", sheet_name="Early warning")
    assert set(alerts["Client"]) == {OTHER, "Brightbrew Coffee"}
    assert alerts["Peak z"].is_monotonic_decreasing


def test_portfolio_health_score_is_shown_with_its_components_when_the_library_has_it(
    rendered: dict[str, Path],
):
    from community_health.report import portfolio

    book = openpyxl.load_workbook(rendered["portfolio_overview"] / "tables.xlsx")
    if portfolio.health is None:
        assert "Health components" not in book.sheetnames
        return
    assert "Health components" in book.sheetnames
    assert "Health score and its components" in _visible(_html(rendered, "portfolio_overview"))


# ---------------------------------------------------------------- the explorer


def test_explorer_lists_what_there_is_to_choose_from(rendered: dict[str, Path]):
    html = _visible(_html(rendered, "explore"))
    assert "Channels to choose from" in html and "Most active members in the selection" in html
    messages = pd.read_excel(rendered["explore"] / "tables.xlsx", sheet_name="Explore messages")
    assert len(messages) > 500


def test_explorer_filters_by_channel_member_and_span(data: Path):
    from community_health.config import ConfigError
    from community_health.report import explore

    ex = explore.open_explorer("demo", "2026-08..2026-10", channel="Slack #help", data_dir=data)
    assert set(zip(ex.rpt.messages["platform"], ex.rpt.messages["channel"], strict=True)) == {
        ("slack", "help")
    }
    assert (ex.first, ex.last) == (ex.last.previous(2), ex.rpt.period) and str(ex.last) == PERIOD
    assert ex.rpt.posts.empty
    member = explore.open_explorer("demo", PERIOD, channel="slack", member="ben carter", data_dir=data)
    own = member.messages()
    assert "Ben Carter" in own.html and own.html.count("<tr>") >= 2
    threads = set(member.rpt.messages["thread_id"])
    assert threads and len(threads) < len(set(ex.full.messages["thread_id"]))
    with pytest.raises(ConfigError, match=r"no channel 'nowhere' in the data; channels: .*Slack #help"):
        explore.open_explorer("demo", PERIOD, channel="nowhere", data_dir=data)


# ---------------------------------------------------------------- in a real browser


def test_the_reports_draw_every_chart_in_a_real_browser_without_errors(rendered: dict[str, Path]):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    found: dict[str, list[dict]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.on(
            "request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None
        )
        for name, folder in rendered.items():
            page.goto((folder / "report.html").as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            found[name] = page.evaluate("""() => Array.from(document.querySelectorAll('.plotly-graph-div'))
                .map(d => ({drawn: d.querySelector('.main-svg') !== null, traces: (d.data || []).length,
                            height: d.getBoundingClientRect().height}))""")
        browser.close()
    assert errors == []
    assert requests == [], requests
    for name, charts in found.items():
        assert len(charts) >= CHARTS[name], name
        for chart in charts:
            assert chart["drawn"] and chart["traces"] > 0 and chart["height"] > 150, (name, chart)


def test_on_paper_no_label_of_the_audit_is_cut_off(rendered: dict[str, Path]):
    """Laid out as printed (A4 content width, print styles), every label of every chart of the audit is
    inside its chart and every table fits the page."""
    from playwright.sync_api import sync_playwright

    from community_health.render import ALL_CHARTS_DRAWN, PRINT_WIDTH_PX, SETTLE_CHARTS
    from test_render_e2e import TABLES_WIDER_THAN_THE_PAGE, TEXT_OUTSIDE_ITS_CHART

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        page.goto((rendered["channel_audit"] / "report.html").as_uri(), wait_until="load")
        page.wait_for_function(ALL_CHARTS_DRAWN)
        page.evaluate(SETTLE_CHARTS)
        outside = page.evaluate(TEXT_OUTSIDE_ITS_CHART)
        too_wide = page.evaluate(TABLES_WIDER_THAN_THE_PAGE)
        browser.close()
    assert outside == []
    assert too_wide == [], "tables wider than the page are cut off on paper"
