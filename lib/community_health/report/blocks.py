"""What a report cell displays: HTML blocks built from figures and numbers, member text always escaped.

A :class:`Block` renders as HTML in nbconvert and in JupyterLab. Charts embed their figure as plotly
JSON drawn by the plotly.js that the report template embeds once; in JupyterLab each chart is offered
with plotly's mimetype so it is drawn and interactive there too.
"""

from __future__ import annotations

import base64
import functools
import html
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

_chart_ids = itertools.count(1)
#: Set (to 1) in the environment of a kernel that renders a report: blocks then show as one HTML output.
RENDERING = "COMMUNITY_HEALTH_RENDERING"
BLOCKS_CSS = Path(__file__).resolve().parent.parent / "templates" / "report" / "blocks.css"


@functools.cache
def blocks_css() -> str:
    """The stylesheet of the report's blocks (also inlined by the report template)."""
    return BLOCKS_CSS.read_text(encoding="utf-8")


def escape(value: object) -> str:
    """Text as text: whatever a member wrote can never become markup or script."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


class Block:
    """A piece of the report: HTML, some of whose parts are plotly figures.

    In a report being rendered the whole block is one HTML output, its charts drawn by the plotly.js the
    template embeds once. Run interactively (JupyterLab), the block shows as its HTML parts around
    each chart, each chart offered with plotly's own mimetype so JupyterLab draws it, and the blocks'
    stylesheet comes along so cards and tables look as they do in the report.
    """

    def __init__(self, html: str = "", parts: Sequence[tuple[str, go.Figure | None]] | None = None):
        self.parts: list[tuple[str, go.Figure | None]] = (
            list(parts) if parts is not None else ([(html, None)] if html else [])
        )

    @property
    def html(self) -> str:
        return "".join(fragment for fragment, _ in self.parts)

    @property
    def figures(self) -> list[go.Figure]:
        return [fig for _, fig in self.parts if fig is not None]

    def _repr_html_(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if os.environ.get(RENDERING):
            display({"text/html": self.html}, raw=True)
            return
        pending = f"<style>{blocks_css()}</style>"
        for fragment, fig in self.parts:
            if fig is None:
                pending += fragment
                continue
            display({"text/html": pending}, raw=True)
            pending = ""
            figure = json.loads(pio.to_json(fig, validate=False))
            display({"application/vnd.plotly.v1+json": figure, "text/html": fragment}, raw=True)
        if pending:
            display({"text/html": pending}, raw=True)

    def __add__(self, other: Block) -> Block:
        return Block(parts=self.parts + other.parts)


def join(blocks: Iterable[Block]) -> Block:
    out = Block("")
    for block in blocks:
        out = out + block
    return out


def figure_html(fig: go.Figure, height: int | None = None) -> str:
    """A plotly figure as a div and a script, drawn by the page's single embedded plotly.js."""
    div_id = f"ch-chart-{next(_chart_ids)}"
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        default_height=f"{height or fig.layout.height or 380}px",
        default_width="100%",
        config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
        validate=False,
    )


def chart(title: str, reading: str, fig: go.Figure, note: str = "") -> Block:
    """A titled chart with one sentence of reading above it, kept together on paper."""
    head = (
        f'<section class="ch-block"><h3>{escape(title)}</h3><p class="ch-reading">{escape(reading)}</p>'
        '<div class="ch-chart">'
    )
    tail = "</div>" + (f'<p class="ch-note">{escape(note)}</p>' if note else "") + "</section>"
    return Block(parts=[(head, None), (figure_html(fig), fig), (tail, None)])


def absent(title: str, why: str) -> Block:
    """A section whose data are missing says so plainly instead of showing an empty chart."""
    return Block(
        f'<section class="ch-block"><h3>{escape(title)}</h3><p class="ch-absent">{escape(why)}</p></section>'
    )


IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def image_tag(path: Path | None, css: str, alt: str) -> str:
    """An ``<img>`` holding the file itself (a data URI: the report stays one self-contained file).

    An image in ``<img>`` never runs script, SVG included. No path gives no tag; a path that is not
    there, or not an image type a browser shows, is an error naming the file.
    """
    if path is None:
        return ""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a logo must be one of {', '.join(sorted(IMAGE_TYPES))}")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the logo named in client.yml (branding) is not there")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img class="{css}" alt="{escape(alt)}" src="data:{kind};base64,{data}">'


def paragraph(text: str, css: str = "ch-reading") -> Block:
    return Block(f'<p class="{css}">{escape(text)}</p>')


@dataclass(frozen=True)
class Column:
    """How to show one column of a table: its label, its format, whether it is member text."""

    key: str
    label: str
    #: text, id, raw (file content, may wrap anywhere), int, pct, hours, float, points (a 0-100 score),
    #: date, datetime
    fmt: str = "text"
    width: str = ""


def format_value(value: object, fmt: str) -> str:
    """Consistent number formats: thousands separators, percentages, durations in h or min."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if fmt == "int":
        return f"{round(float(value)):,}"
    if fmt == "pct":
        return f"{float(value) * 100:.1f}%"
    if fmt == "hours":
        return format_hours(float(value))
    if fmt == "float":
        return f"{float(value):,.2f}"
    if fmt == "points":
        return f"{float(value):.0f}"
    if fmt == "date":
        return pd.Timestamp(value).strftime("%d %b %Y")
    if fmt == "datetime":
        return pd.Timestamp(value).strftime("%d %b %Y %H:%M")
    return str(value)


#: A run of this many characters without a space gets places where the line may break (<wbr>).
LONG_RUN = 16
_PIECE = 12
_RUN = re.compile(rf"\S{{{LONG_RUN},}}")
_ID_BREAK = re.compile(r"(?<=[_/-])")


def breakable(text: str, fmt: str = "text") -> str:
    """``text`` escaped for HTML, with ``<wbr>`` where a long run of characters may wrap: after ``_``,
    ``/`` and ``-`` in identifiers and paths, every few characters in anything else (a URL, a name
    made of symbols). The text itself, as copied or read by a screen reader, is unchanged."""

    def pieces(run: str) -> list[str]:
        if fmt == "id":
            return _ID_BREAK.split(run)
        return [run[i : i + _PIECE] for i in range(0, len(run), _PIECE)]

    out, last = [], 0
    for match in _RUN.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append("<wbr>".join(escape(piece) for piece in pieces(match.group(0)) if piece))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def format_hours(hours: float | None) -> str:
    """``0.4`` -> ``24 min``; ``5.25`` -> ``5.2 h``; ``60`` -> ``2.5 days``."""
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return "–"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _css(column: Column) -> str:
    """Numbers right-aligned, dates on one line, text wrapping."""
    if column.fmt in ("date", "datetime"):
        return "ch-date"
    if column.fmt == "raw":
        return "ch-text ch-raw"
    return "ch-text" if column.fmt in ("text", "id") else "ch-num"


def _cell(value: object, column: Column) -> str:
    text = format_value(value, column.fmt)
    return breakable(text, column.fmt) if column.fmt in ("text", "id") else escape(text)


def table(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    title: str = "",
    reading: str = "",
    limit: int | None = 20,
    empty: str = "Nothing to list for this period.",
) -> Block:
    """An HTML table whose every cell is escaped text (member text is data, never markup)."""
    head = "".join(
        f'<th class="{_css(c)}"'
        + (f' style="width:{escape(c.width)}"' if c.width else "")
        + f">{escape(c.label)}</th>"
        for c in columns
    )
    rows = []
    shown = frame if limit is None else frame.head(limit)
    for record in shown.to_dict("records"):
        cells = "".join(f'<td class="{_css(c)}">{_cell(record.get(c.key), c)}</td>' for c in columns)
        rows.append(f"<tr>{cells}</tr>")
    body = "".join(rows) or f'<tr><td colspan="{len(columns)}">{escape(empty)}</td></tr>'
    more = ""
    if limit is not None and len(frame) > limit:
        more = f'<p class="ch-note">Showing {limit:,} of {len(frame):,}; all rows are in tables.xlsx.</p>'
    heading = f"<h3>{escape(title)}</h3>" if title else ""
    lead = f'<p class="ch-reading">{escape(reading)}</p>' if reading else ""
    return Block(
        f'<section class="ch-block ch-table-block">{heading}{lead}<table class="ch-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</section>"
    )


@dataclass(frozen=True)
class Kpi:
    """One card: a figure, its change versus the previous period, and whether up is good."""

    label: str
    value: float | None
    previous: float | None
    fmt: str = "int"
    higher_is_better: bool = True
    #: The figure month by month, oldest first, ending with this period (drawn as a small trend line).
    trend: tuple[float | None, ...] = ()


def change_text(kpi: Kpi) -> tuple[str, str]:
    """The change line of a card and its css class (good, bad or flat)."""
    if (
        kpi.value is None
        or kpi.previous is None
        or (isinstance(kpi.value, float) and math.isnan(kpi.value))
        or (isinstance(kpi.previous, float) and math.isnan(kpi.previous))
    ):
        return "no comparison", "ch-flat"
    delta = float(kpi.value) - float(kpi.previous)
    if abs(delta) < 1e-12:
        return "unchanged vs previous period", "ch-flat"
    arrow = "▲" if delta > 0 else "▼"
    if kpi.fmt == "pct":
        amount = f"{abs(delta) * 100:.1f} pts"
    elif kpi.fmt == "points":
        amount = f"{abs(delta):.0f} pts" if abs(delta) >= 0.5 else f"{abs(delta):.1f} pts"
    elif kpi.fmt == "hours":
        amount = format_hours(abs(delta))
    elif float(kpi.previous) != 0:
        amount = f"{abs(delta) / abs(float(kpi.previous)) * 100:.0f}%"
    else:
        amount = format_value(abs(delta), kpi.fmt)
    good = (delta > 0) == kpi.higher_is_better
    return f"{arrow} {amount} vs {format_value(kpi.previous, kpi.fmt)}", "ch-good" if good else "ch-bad"


def sparkline(values: Sequence[float | None], width: int = 120, height: int = 28) -> str:
    """A small inline SVG trend line (months without a value leave a gap); empty when there is no trend."""
    known = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    segments: list[list[str]] = [[]]
    last = None
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            segments.append([])
            continue
        x, y = i * step, height - 3 - (float(v) - low) / span * (height - 6)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        last = (x, y)
    lines = "".join(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        for points in segments
        if len(points) > 1
    )
    dot = f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.5" fill="currentColor"/>' if last else ""
    return (
        f'<svg class="ch-spark" width="{width}" height="{height}" viewBox="-3 0 {width + 6} {height}" '
        f'role="img" aria-label="trend over the last {len(values)} months">{lines}{dot}</svg>'
    )


def kpi_cards(kpis: Sequence[Kpi], trend_label: str = "") -> Block:
    cards = []
    for kpi in kpis:
        text, css = change_text(kpi)
        cards.append(
            f'<div class="ch-kpi"><div class="ch-kpi-label">{escape(kpi.label)}</div>'
            f'<div class="ch-kpi-value">{escape(format_value(kpi.value, kpi.fmt))}</div>'
            f'<div class="ch-kpi-change {css}">{escape(text)}</div>{sparkline(kpi.trend)}</div>'
        )
    note = f'<p class="ch-note">{escape(trend_label)}</p>' if trend_label else ""
    return Block('<div class="ch-kpis">' + "".join(cards) + "</div>" + note)
