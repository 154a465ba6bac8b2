"""Member text is data, never markup: a client whose members wrote HTML, script, links and formulas.

The messages below go into the demo client's Slack export, escaped as Slack escapes them (a member
with a hostile display name asks them in #help, and nobody answers), so they reach the
unanswered-threads table, the core-group chart's labels and hover boxes, the workbook and the PDF.
Opened in a real Chromium, nothing may run, no request may leave the page, and every text must read
exactly as the member wrote it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from community_health.render import CHROMIUM, CHROMIUM_ARGS, render_report

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
NAME = "<b onmouseover=window.__pwned=4>Mallory</b>"
HOSTILE = [
    "<script>window.__pwned=1</script> is this in stock?",
    '<img src=x onerror="window.__pwned=2"> where is my order?',
    "[a refund link](javascript:window.__pwned=3) please?",
    "&lt;b&gt;entity&lt;/b&gt; and &amp; stay as typed?",
    "**bold** and _italic_ and `code` stay plain?",
    '=HYPERLINK("http://evil.example","prize")',
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    client = base / "data" / "demo"
    shutil.copytree(ROOT / "data" / "demo", client, ignore=shutil.ignore_patterns("normalised"))
    slack = client / "exports" / "slack"
    users = json.loads((slack / "users.json").read_text(encoding="utf-8"))
    users.append(
        {
            "id": "U0HOSTILE1",
            "team_id": "T0BREWB7Q",
            "name": "mallory",
            "deleted": False,
            "real_name": NAME,
            "profile": {"real_name": NAME, "display_name": NAME},
            "is_bot": False,
            "is_admin": False,
        }
    )
    (slack / "users.json").write_text(json.dumps(users), encoding="utf-8")
    day = slack / "help" / "2026-10-30.json"
    messages = json.loads(day.read_text(encoding="utf-8"))
    start = 1793350800  # 30 October 2026 06:00 UTC
    for i in range(120):  # enough to put Mallory at the top of the core group
        messages.append(
            {
                "type": "message",
                "user": "U0HOSTILE1",
                "text": _slack_escaped(HOSTILE[i % len(HOSTILE)]),
                "ts": f"{start + 300 * i}.{i:06d}",
                "user_profile": {"real_name": NAME, "display_name": NAME, "name": "mallory"},
            }
        )
    day.write_text(json.dumps(messages), encoding="utf-8")
    return render_report("demo", PERIOD, data_dir=base / "data", out_dir=base / "reports").out_dir


def _slack_escaped(text: str) -> str:
    """What Slack writes in its export for a message typed as ``text``: &, < and > as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_nothing_runs_nothing_is_requested_and_the_text_reads_as_written(rendered: Path):
    from playwright.sync_api import sync_playwright

    from community_health.render import ALL_CHARTS_DRAWN, PRINT_WIDTH_PX
    from test_render_e2e import TABLES_WIDER_THAN_THE_PAGE

    dialogs: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("data:") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((rendered / "report.html").as_uri(), wait_until="load")
        page.wait_for_function(ALL_CHARTS_DRAWN)
        for label in page.query_selector_all(".ytick text"):
            label.dispatch_event("mouseover")  # a hostile name in a chart label must not react to the mouse
        for bar in page.query_selector_all(".bars path")[:40]:  # hover boxes show names as text too
            bar.scroll_into_view_if_needed()
            box = bar.bounding_box()
            if box and box["width"] > 1 and box["height"] > 1:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        text = page.evaluate("document.body.innerText")
        page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        too_wide = page.evaluate(TABLES_WIDER_THAN_THE_PAGE)
        labels = page.evaluate("Array.from(document.querySelectorAll('.ytick text')).map(t => t.textContent)")
        pwned = page.evaluate("window.__pwned === undefined ? null : window.__pwned")
        injected = page.evaluate(
            "document.querySelectorAll('main img:not(.ch-logo):not(.ch-agency-logo), "
            "main b[onmouseover], main a[href^=javascript]').length"
        )
        browser.close()
    assert pwned is None and dialogs == [] and errors == []
    assert [url for url in requests if url != (rendered / "report.html").as_uri()] == []
    assert injected == 0
    assert too_wide == [], "a long hostile name must not push a table off the page"
    for message in HOSTILE[:5]:
        assert message in text, message
    assert any(NAME in label for label in labels), labels


def test_the_pdf_and_the_workbook_show_the_text_as_written(rendered: Path):
    text = subprocess.run(
        ["pdftotext", str(rendered / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The markup shows as characters on paper (long runs may wrap, so look for their beginnings).
    for shown in ("<script>", '<img src=x onerror="', "[a refund link]", "**bold**", "<b"):
        assert shown in text, shown
    book = openpyxl.load_workbook(rendered / "tables.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == "'" + HOSTILE[5] for c in cells), "the formula-like message is kept, neutralised"
