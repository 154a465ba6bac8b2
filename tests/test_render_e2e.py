"""The demo client's report rendered end to end (papermill, nbconvert, Chromium), read as a client would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
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
    "Catalysts and one-to-one",
    "Dead time",
    "Core group and advocates",
    "Loyalty",
    "Resonance",
    "Campaigns and events",
    "Channel mix",
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
    body = html[html.index("<body") :]
    assert "jp-InputPrompt" not in body and 'class="highlight' not in body, "input cells must be hidden"
    assert "rpt.cover()" not in html and "open_report(" not in html, "no code may show"
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
    assert re.search(r"Page size:\s+595\.\d* x 84[12]\.\d* pts \(A4\)", info), info
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
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
        page.on(
            "request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None
        )
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        charts = page.evaluate("""() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
            drawn: d.querySelector('.main-svg') !== null,
            traces: (d.data || []).length,
            points: (d.calcdata || []).reduce((n, trace) => n + trace.length, 0),
            width: d.getBoundingClientRect().width,
            height: d.getBoundingClientRect().height}))""")
        browser.close()
    assert errors == []
    assert requests == [], requests
    assert len(charts) >= 6
    for chart in charts:
        assert chart["drawn"] and chart["traces"] > 0 and chart["points"] > 0, chart
        assert chart["width"] > 300 and chart["height"] > 150, chart


# ---------------------------------------------------------------- the planted truths are found


@pytest.fixture(scope="module")
def truths():
    from community_health.demo import demo_truths

    return demo_truths()


@pytest.fixture(scope="module")
def october(rendered: Path):
    """The tables the report was made from, with the October window."""
    from community_health.config import load_client
    from community_health.enrich import enrich_messages
    from community_health.ingest import load_tables
    from community_health.metrics.window import Window

    cfg = load_client("demo", rendered.parents[2] / "data")
    tables = load_tables(cfg)
    enrichment = enrich_messages(tables.messages, cfg.paths.normalised / "enrichment.parquet")
    return cfg, tables, enrichment, Window.from_period(PERIOD, cfg.timezone)


@pytest.fixture(scope="module")
def metrics(rendered: Path) -> dict:
    data = json.loads((rendered / "metrics.json").read_text(encoding="utf-8"))
    return {
        f"{q}.{name}": figure["value"]
        for q, figures in data["metrics"].items()
        for name, figure in figures.items()
    }


#: Visible text of every chart whose box pokes out of the chart or the page by more than a pixel.
TEXT_OUTSIDE_ITS_CHART = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap(d => {
  const box = d.getBoundingClientRect();
  const visible = t => t.textContent.trim()
    && t.checkVisibility({opacityProperty: true, visibilityProperty: true});
  return Array.from(d.querySelectorAll('text')).filter(visible).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, chart: d.id, left: r.left - box.left, right: box.right - r.right,
            top: r.top - box.top, bottom: box.bottom - r.bottom, page: window.innerWidth - r.right};
  }).filter(r => Math.min(r.left, r.right, r.top, r.bottom, r.page) < -1);
})"""


TABLES_WIDER_THAN_THE_PAGE = """() => Array.from(document.querySelectorAll('table'))
  .filter(t => t.getBoundingClientRect().right > window.innerWidth + 1)
  .map(t => t.textContent.slice(0, 80))"""


def test_on_paper_nothing_is_cut_off(rendered: Path):
    """Laid out as printed (A4 content width, print styles), every label of every chart is inside the
    chart and every table fits the page."""
    from playwright.sync_api import sync_playwright

    from community_health.render import ALL_CHARTS_DRAWN, PRINT_WIDTH_PX, SETTLE_CHARTS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        page.goto((rendered / "report.html").as_uri(), wait_until="load")
        page.wait_for_function(ALL_CHARTS_DRAWN)
        page.evaluate(SETTLE_CHARTS)
        outside = page.evaluate(TEXT_OUTSIDE_ITS_CHART)
        too_wide = page.evaluate(TABLES_WIDER_THAN_THE_PAGE)
        browser.close()
    assert outside == []
    assert too_wide == [], "tables wider than the page are cut off on paper"


def test_the_pricing_error_week_is_flagged_with_its_amplifier(october, truths, html: str, metrics: dict):
    from community_health.metrics import listening

    cfg, tables, enrichment, window = october
    episodes = listening.negative_spike_episodes(tables.messages, enrichment, window, cfg.thresholds)
    assert metrics["listening.negative_spike_episodes"] == len(episodes) >= 1
    starts = {pd.Timestamp(s).strftime("%Y-%m-%d") for s in episodes["start"]}
    assert starts & set(truths.spike_days), f"spike episodes start on {sorted(starts)}"
    assert "Negative messages spiked from 13 Oct" in html
    # The best-connected author of the spike's messages is the planted amplifier, with their followers.
    table = html[html.index("What drove the spike") :]
    first_row = table[table.index("<tbody>") : table.index("</tr>", table.index("<tbody>"))]
    assert truths.amplifier_handle in first_row and f"{truths.amplifier_followers:,}" in first_row


def test_the_superfans_form_the_core_group(october, truths, metrics: dict):
    from community_health.metrics import core

    _, tables, _, window = october
    group = core.core_group(tables.messages, window)
    accounts = set(zip(group["platform"], group["author_id"], strict=True))
    planted = {(platform, author) for platform, ids in truths.superfan_ids.items() for author in ids}
    found = accounts & planted
    # Every superfan is in the core group on at least one platform, and superfan accounts carry most of it.
    names_found = {
        name
        for name in truths.superfans
        if any(
            name.lower() in str(n).lower()
            for n in group.loc[
                [(p, a) in found for p, a in zip(group["platform"], group["author_id"], strict=True)],
                "author_name",
            ]
        )
    }
    assert names_found == set(truths.superfans)
    share_of_core = group.loc[
        [(p, a) in planted for p, a in zip(group["platform"], group["author_id"], strict=True)], "share"
    ].sum()
    assert share_of_core > 0.7 * metrics["core.core_group_activity_share"]
    assert metrics["core.core_group_share_of_members"] < 0.15  # a small core


def test_the_dead_hours_are_the_quiet_ones(october, metrics: dict):
    from community_health.metrics import dead_time

    _, tables, _, window = october
    activity = dead_time.hour_of_week_activity(tables.messages, window).reset_index()
    evening = activity["hour"].isin([21, 22, 23, 0])
    sunday_morning = (activity["weekday"] == 6) & activity["hour"].between(8, 11)
    night = activity["hour"].between(3, 5)
    for name, slots in (("late evenings", evening), ("Sunday mornings", sunday_morning)):
        assert activity.loc[slots, "brand_messages"].sum() == 0, f"the brand wrote on {name}"
        assert activity.loc[slots, "member_messages"].sum() > 0, f"members were quiet on {name}"
    assert activity.loc[night, "member_messages"].sum() <= 0.02 * activity["member_messages"].sum()
    # The busiest hours the brand left unattended are the planted ones: late evenings and Sunday mornings.
    busiest = dead_time.unattended_member_hours(tables.messages, window).head(6)
    assert (
        busiest["hour"].isin([21, 22, 23, 0]) | ((busiest["weekday"] == 6) & busiest["hour"].between(8, 11))
    ).all()
    assert metrics["dead_time.share_of_member_messages_in_unattended_hours"] > 0.3


def test_the_open_questions_are_listed_as_unanswered(rendered: Path, truths):
    sheet = _sheet(rendered, "Unanswered threads")
    listed = set(sheet["Thread id"].astype(str))
    assert set(truths.still_open_thread_ids) <= listed


def test_the_campaign_lifted_engagement(october, truths):
    from community_health.metrics import resonance
    from community_health.metrics.window import Window

    cfg, tables, _, _ = october
    start, end = (pd.Timestamp(d, tz=cfg.timezone) for d in truths.campaign_window)
    during = Window(start, end + pd.Timedelta(days=1), cfg.timezone)
    before = Window(start - pd.Timedelta(weeks=3), start, cfg.timezone)
    lift = resonance.mean_engagement_rate(tables.posts, during) / resonance.mean_engagement_rate(
        tables.posts, before
    )
    assert lift > 1.3


def test_the_workbook_holds_every_table_and_no_formula(rendered: Path):
    import openpyxl

    book = openpyxl.load_workbook(rendered / "tables.xlsx")
    assert {"Unanswered threads", "Spike messages", "Sources", "Files", "Metric definitions"} <= set(
        book.sheetnames
    )
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@"))), (
                    f"{sheet.title}: {value!r} would run as a formula"
                )


def test_the_health_score_is_shown_with_its_parts(rendered: Path, html: str, metrics: dict):
    score = metrics["health.health_score"]
    assert f"Community health scored {score:.0f} of 100" in html
    parts = pd.read_excel(rendered / "tables.xlsx", sheet_name="Health score")
    assert len(parts) == 5
    # the parts add up to the score, with weights that add up to one
    assert parts["Points"].sum() == pytest.approx(score, abs=0.1)
    assert parts["Weight"].sum() == pytest.approx(1.0)
    for component, score_of_part in zip(
        ("active_members", "responsiveness", "catalysts", "sentiment", "loyalty"), parts["Score"], strict=True
    ):
        assert score_of_part == pytest.approx(100 * metrics[f"health.health_{component}"], abs=0.01)


def test_the_superfans_are_the_inner_circle_and_the_advocates(october, truths, html: str, rendered: Path):
    from community_health.metrics import core

    _, tables, _, window = october
    levels = core.orbit_levels(tables.messages, window)
    inner = levels.loc[levels["level"] == 1]
    planted = {(p, a) for p, ids in truths.superfan_ids.items() for a in ids}
    assert set(zip(inner["platform"], inner["author_id"], strict=True)) & planted
    # most of the inner circle are planted superfans
    share = sum((p, a) in planted for p, a in zip(inner["platform"], inner["author_id"], strict=True)) / len(
        inner
    )
    assert share > 0.5
    assert f"{len(inner):,} members in the inner circle" in html
    advocates = pd.read_excel(rendered / "tables.xlsx", sheet_name="Advocates", dtype=str)
    assert set(advocates["Member"]) & set(truths.superfans)
    assert "Who the advocates are" in html


def test_the_planted_transients_are_listed(october, truths, rendered: Path):
    _, tables, _, window = october
    listed = pd.read_excel(rendered / "tables.xlsx", sheet_name="Transients", dtype=str)
    planted = {(p, a) for p, ids in truths.transient_ids.items() for a in ids}
    m = tables.messages
    active_in_october = {
        (p, a)
        for p, a, t in zip(m["platform"], m["author_id"], m["created_at"], strict=True)
        if (p, a) in planted and window.start <= t < window.end
    }
    assert active_in_october, "the demo plants transients in October"
    found = set(zip(listed["Where"].str.lower(), listed["Member id"], strict=True))
    assert active_in_october <= found


def test_the_campaign_impact_comes_with_its_uncertainty(html: str, rendered: Path):
    impact = pd.read_excel(rendered / "tables.xlsx", sheet_name="Event impact")
    campaign = impact.loc[
        (impact["Event"] == "Autumn Roast")
        & (impact["Metric"] == "engagement_rate")
        & (impact["Scope"] == "all")
    ].iloc[0]
    assert campaign["Verdict"] == "higher"
    assert campaign["Interval low"] > 0 and campaign["Interval high"] > campaign["Interval low"]
    assert "95% interval of the change" in campaign["What the numbers say"]
    assert "What can be said about each event" in html


def _sheet(rendered: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(rendered / "tables.xlsx", sheet_name=name, dtype=str)


def test_without_commentary_the_report_is_a_draft_on_every_page_and_final_refuses(
    rendered: Path, tmp_path: Path
):
    data = tmp_path / "data"
    shutil.copytree(rendered.parents[2] / "data" / "demo", data / "demo")
    (data / "demo" / "commentary" / f"{PERIOD}.md").unlink()
    with pytest.raises(RenderError, match=r"--final needs the manager's commentary: write .*2026-10\.md"):
        render_report("demo", PERIOD, data_dir=data, out_dir=tmp_path / "reports", final=True)
    draft = render_report("demo", PERIOD, data_dir=data, out_dir=tmp_path / "reports").out_dir
    assert json.loads((draft / "metrics.json").read_text())["draft"] is True
    assert "DRAFT" in (draft / "report.html").read_text(encoding="utf-8")
    text = subprocess.run(
        ["pdftotext", str(draft / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    assert pages and all("DRAFT" in page for page in pages)
    assert json.loads((rendered / "metrics.json").read_text())["draft"] is False


def test_pseudonymised_report_names_no_member_anywhere(rendered: Path, tmp_path: Path, truths):
    import openpyxl

    data = rendered.parents[2] / "data"
    out = render_report("demo", PERIOD, data_dir=data, out_dir=tmp_path, pdf=False, pseudonymise=True).out_dir
    html = (out / "report.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(out / "tables.xlsx")
    cells = " ".join(
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    )
    notebook = (out / "report.ipynb").read_text(encoding="utf-8")
    real = [*truths.superfans, truths.amplifier_handle]
    for name in real:
        for where, text in (("report.html", html), ("tables.xlsx", cells), ("report.ipynb", notebook)):
            assert name not in text, f"{name} appears in the pseudonymised {where}"
    assert "Member " in html and "Member " in cells
    # The same member keeps the same pseudonym across outputs and runs.
    plain = (rendered / "report.html").read_text(encoding="utf-8")
    assert all(name in plain for name in real[:3])
