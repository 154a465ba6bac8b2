"""Report blocks: member text is shown as text, numbers read the same way everywhere."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from community_health.charts.figures import safe
from community_health.report.blocks import Column, Kpi, change_text, chart, format_hours, format_value, table
from community_health.report.commentary import read_commentary

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "&lt;b&gt;",
    "[x](javascript:alert(3))",
]


def test_member_text_in_tables_is_escaped():
    block = table(pd.DataFrame({"text": HOSTILE}), [Column("text", "Message")])
    assert "<script>" not in block.html and "<img" not in block.html
    html = block.html.replace("<wbr>", "")  # long runs get line-break opportunities, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;lt;b&amp;gt;" in html  # an entity written by a member stays visible as written
    assert "[x](javascript:alert(3))" in html


def test_long_runs_may_wrap_but_read_the_same():
    from community_health.report.blocks import breakable

    text = "see https://example.com/a/very/long/path?with=query&and=more ok"
    html = breakable(text)
    assert "<wbr>" in html
    assert html.replace("<wbr>", "") == text.replace("&", "&amp;")
    assert breakable("marta_eats said hi") == "marta_eats said hi"  # short words stay whole
    assert breakable("exports/x/tweet_activity.csv", "id") == "exports/<wbr>x/<wbr>tweet_<wbr>activity.csv"


def test_chart_titles_and_plotly_labels_are_escaped():
    block = chart("<b>title</b>", "reading <i>x</i>", go.Figure(go.Bar(x=[safe(HOSTILE[0])], y=[1])))
    assert "<b>title</b>" not in block.html and "&lt;b&gt;title&lt;/b&gt;" in block.html
    assert safe(HOSTILE[1]) == '&lt;img src=x onerror="alert(2)"&gt;'


def test_number_formats():
    assert format_value(1234567, "int") == "1,234,567"
    assert format_value(0.1234, "pct") == "12.3%"
    assert format_value(None, "int") == "–"
    assert format_value(pd.NaT, "date") == "–"  # a format whose every file was refused has no dates
    assert format_value(pd.Timestamp("2026-10-13"), "date") == "13 Oct 2026"
    assert format_hours(0.5) == "30 min"
    assert format_hours(5.25) == "5.2 h"
    assert format_hours(72) == "3.0 days"


def test_kpi_change_direction_and_colour():
    assert change_text(Kpi("Active", 120, 100)) == ("▲ 20% vs 100", "ch-good")
    assert change_text(Kpi("Wait", 3.0, 2.0, "hours", higher_is_better=False)) == (
        "▲ 1.0 h vs 2.0 h",
        "ch-bad",
    )
    assert change_text(Kpi("Share", 0.5, 0.4, "pct")) == ("▲ 10.0 pts vs 40.0%", "ch-good")
    assert change_text(Kpi("Active", 5, None))[0] == "no comparison"


def test_table_says_when_rows_are_cut():
    block = table(pd.DataFrame({"n": range(30)}), [Column("n", "N", "int")], limit=10)
    assert block.html.count("<tr>") == 11 and "Showing 10 of 30" in block.html


def test_commentary_parts_and_escaping(tmp_path):
    path = tmp_path / "2026-10.md"
    path.write_text(
        "# October\n\n## Executive summary\nA calm month <script>x</script>.\n\n"
        "## Recommendations\n- Staff Sunday mornings\n- [bad](javascript:alert(1))\n\n"
        "## Verbatims\n- `slack:C1:123.000`\n- discord:99\n",
        encoding="utf-8",
    )
    commentary = read_commentary(path)
    assert commentary.present
    assert "&lt;script&gt;" in commentary.html("executive summary")
    assert "javascript:" not in commentary.html("recommendations")
    assert commentary.verbatim_ids == ["slack:C1:123.000", "discord:99"]
    assert not read_commentary(tmp_path / "missing.md").present
