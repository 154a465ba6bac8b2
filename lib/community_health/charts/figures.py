"""Figure builders: small aggregated frames in, plotly figures out.

Every builder takes data that is already aggregated (a few hundred points at most), so a report's size
does not grow with the number of messages. Text that members wrote is escaped before it reaches a
label or a hover box: plotly reads a subset of HTML in text.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from community_health.charts.theme import MUTED, template
from community_health.config import Branding

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def safe(text: object) -> str:
    """Member text for a plotly label or hover box, shown as written and never read as markup."""
    return html.escape("" if text is None or text is pd.NA else str(text), quote=False)


def _figure(branding: Branding, height: int = 360) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=template(branding), height=height)
    return fig


def active_members_trend(
    monthly: pd.DataFrame, branding: Branding, highlight: str | None = None
) -> go.Figure:
    """Stacked bars of new and returning members per month.

    ``monthly`` has columns ``month`` (``YYYY-MM``), ``new``, ``returning``.
    """
    fig = _figure(branding)
    colours = [branding.secondary, branding.primary]
    for column, name, colour in zip(
        ("new", "returning"), ("New members", "Returning members"), colours, strict=True
    ):
        fig.add_bar(
            x=monthly["month"],
            y=monthly[column],
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y:,} " + name.lower() + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis_title="Members active in the month", xaxis_type="category")
    if highlight is not None and highlight in set(monthly["month"]):
        fig.add_annotation(
            x=highlight,
            y=float((monthly["new"] + monthly["returning"]).max()) * 1.06,
            text="this report",
            showarrow=False,
            font={"color": MUTED, "size": 11},
        )
    return fig


def hour_of_week_heatmap(members: pd.DataFrame, brand: pd.DataFrame, branding: Branding) -> go.Figure:
    """Member messages per hour of the week, with a dot where the brand was present.

    ``members`` and ``brand`` are 7×24 frames (index Monday..Sunday, columns hours 0..23) of average
    messages per hour slot.
    """
    fig = _figure(branding, height=330)
    fig.add_heatmap(
        z=members.to_numpy(dtype=float),
        x=list(range(24)),
        y=list(DAY_NAMES),
        colorscale=[[0, "#f4f1ee"], [0.15, "#e8d3bd"], [1, branding.primary]],
        colorbar={"title": {"text": "member<br>messages<br>per hour", "side": "top"}, "thickness": 12},
        hovertemplate="%{y} %{x}:00 · %{z:.2f} member messages per hour<extra></extra>",
        xgap=1,
        ygap=1,
    )
    present = brand.to_numpy(dtype=float) > 0
    ys, xs = np.nonzero(present)
    fig.add_scatter(
        x=xs,
        y=[DAY_NAMES[i] for i in ys],
        mode="markers",
        name="brand present",
        marker={"symbol": "circle", "size": 5, "color": branding.secondary, "line": {"width": 0}},
        showlegend=True,
        hovertemplate="%{y} %{x}:00 · brand present<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": "hour of day (client's time zone)", "dtick": 2, "showgrid": False},
        yaxis={"autorange": "reversed", "showgrid": False},
    )
    return fig


def negative_volume(daily: pd.DataFrame, spikes: pd.DataFrame, branding: Branding) -> go.Figure:
    """Daily negative messages against their trailing baseline, spikes marked.

    ``daily`` has ``date``, ``negative``, ``baseline``; ``spikes`` has ``date``, ``negative``.
    """
    fig = _figure(branding)
    fig.add_scatter(
        x=daily["date"],
        y=daily["baseline"],
        name="usual level (trailing median)",
        line={"color": MUTED, "dash": "dot", "width": 1.5},
        hovertemplate="%{x|%d %b}: usual level %{y:.1f}<extra></extra>",
    )
    fig.add_bar(
        x=daily["date"],
        y=daily["negative"],
        name="negative messages",
        marker_color=branding.negative,
        opacity=0.55,
        hovertemplate="%{x|%d %b}: %{y} negative messages<extra></extra>",
    )
    if len(spikes):
        fig.add_scatter(
            x=spikes["date"],
            y=spikes["negative"],
            mode="markers",
            name="spike",
            marker={"symbol": "triangle-down", "size": 12, "color": branding.negative},
            hovertemplate="%{x|%d %b}: spike, %{y} negative messages<extra></extra>",
        )
    fig.update_layout(yaxis_title="negative messages per day", bargap=0.1)
    return fig


def net_sentiment_by_channel(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """Horizontal bars of net sentiment per channel. ``frame``: ``channel``, ``net``, ``messages``."""
    frame = frame.sort_values("net")
    fig = _figure(branding, height=max(220, 34 * len(frame) + 90))
    colours = [branding.negative if v < 0 else branding.accent for v in frame["net"]]
    fig.add_bar(
        y=[safe(c) for c in frame["channel"]],
        x=frame["net"],
        orientation="h",
        marker_color=colours,
        customdata=frame["messages"],
        hovertemplate="%{y}: net %{x:+.0%} over %{customdata:,} messages<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": "net sentiment (share positive − share negative)", "tickformat": "+.0%"},
        showlegend=False,
    )
    return fig


def response_times(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """Median and 90th percentile first-response hours by responder and business/off hours.

    ``frame``: ``group`` (label), ``median``, ``p90``.
    """
    fig = _figure(branding, height=320)
    fig.add_bar(
        x=frame["group"],
        y=frame["median"],
        name="median",
        marker_color=branding.primary,
        hovertemplate="%{x}: median %{y:.1f} h<extra></extra>",
    )
    fig.add_bar(
        x=frame["group"],
        y=frame["p90"],
        name="90th percentile",
        marker_color=branding.secondary,
        hovertemplate="%{x}: 90% answered within %{y:.1f} h<extra></extra>",
    )
    fig.update_layout(barmode="group", yaxis_title="hours to first response")
    return fig


def shares(frame: pd.DataFrame, branding: Branding, x_title: str) -> go.Figure:
    """Horizontal 100% bars: ``frame`` has ``label``, ``share`` in [0, 1] and ``count``."""
    fig = _figure(branding, height=max(200, 40 * len(frame) + 90))
    fig.add_bar(
        y=frame["label"],
        x=frame["share"],
        orientation="h",
        marker_color=branding.primary,
        text=[f"{s:.0%}" for s in frame["share"]],
        textposition="auto",
        customdata=frame["count"],
        hovertemplate="%{y}: %{x:.0%} (%{customdata:,})<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": x_title, "tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    return fig


def core_group(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """Each core member's share of member messages. ``frame``: ``name``, ``share``, ``messages``."""
    frame = frame.head(25)
    fig = _figure(branding, height=max(240, 22 * len(frame) + 90))
    fig.add_bar(
        y=[safe(n) for n in frame["name"]],
        x=frame["share"],
        orientation="h",
        marker_color=branding.primary,
        customdata=frame["messages"],
        hovertemplate="%{y}: %{x:.1%} of member messages (%{customdata:,})<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": "share of all member messages", "tickformat": ".1%"},
        yaxis={"autorange": "reversed", "tickfont": {"size": 11}},
        showlegend=False,
    )
    return fig


def engagement_over_time(posts: pd.DataFrame, events: pd.DataFrame, branding: Branding) -> go.Figure:
    """Weekly median engagement rate of brand posts per platform, with event windows shaded.

    ``posts``: ``week`` (timestamp), ``platform``, ``engagement_rate``, ``posts``;
    ``events``: ``name``, ``start``, ``end``.
    """
    fig = _figure(branding)
    for platform, group in posts.groupby("platform", sort=True):
        fig.add_scatter(
            x=group["week"],
            y=group["engagement_rate"],
            mode="lines+markers",
            name=str(platform),
            customdata=group["posts"],
            hovertemplate="week of %{x|%d %b}: %{y:.2%} over %{customdata} posts<extra></extra>",
        )
    for k, event in enumerate(events.sort_values("start").itertuples()):
        fig.add_vrect(x0=event.start, x1=event.end, fillcolor=branding.secondary, opacity=0.15, line_width=0)
        # Labels step down so events close together do not print over each other.
        fig.add_annotation(
            x=event.start,
            y=1.0 - 0.08 * (k % 3),
            xref="x",
            yref="paper",
            xanchor="left",
            yanchor="top",
            text=safe(event.name),
            showarrow=False,
            font={"size": 10, "color": MUTED},
            bgcolor="rgba(255,255,255,0.75)",
        )
    fig.update_layout(yaxis={"title": "median engagement rate per post", "tickformat": ".1%"})
    return fig


def events_timeline(events: pd.DataFrame, weekly: pd.Series, branding: Branding, metric: str) -> go.Figure:
    """A Gantt timeline of events above the weekly value of one key metric, on one shared time axis.

    ``events``: ``name``, ``kind``, ``start``, ``end`` (local naive or aware timestamps; ``end`` exclusive);
    ``weekly``: the metric indexed by each week's Monday.
    """
    from plotly.subplots import make_subplots

    events = events.sort_values("start", kind="stable").reset_index(drop=True)
    rows = max(1, len(events))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.18 + 0.05 * rows, 0.6]
    )
    fig.update_layout(template=template(branding), height=300 + 26 * rows, showlegend=False, bargap=0.25)
    kind_colours = {"campaign": branding.secondary, "launch": branding.accent, "crisis": branding.negative}
    for event in events.itertuples():
        days = (pd.Timestamp(event.end) - pd.Timestamp(event.start)) / pd.Timedelta(days=1)
        fig.add_bar(
            y=[safe(event.name)],
            x=[days * 86_400_000],
            base=[pd.Timestamp(event.start)],
            orientation="h",
            marker_color=kind_colours.get(str(event.kind), branding.primary),
            row=1,
            col=1,
            hovertemplate=f"{safe(event.name)} ({safe(event.kind)}): %{{base|%d %b}}, {days:.0f} days"
            "<extra></extra>",
        )
    fig.add_bar(
        x=weekly.index,
        y=weekly.to_numpy(),
        marker_color=branding.primary,
        row=2,
        col=1,
        hovertemplate="week of %{x|%d %b}: %{y:,} " + safe(metric) + "<extra></extra>",
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, row=1, col=1)
    fig.update_yaxes(title_text=safe(metric), row=2, col=1)
    fig.update_xaxes(type="date", row=1, col=1)
    return fig


def channel_mix_over_time(monthly: pd.DataFrame, branding: Branding) -> go.Figure:
    """Stacked bars of member messages per platform and month. ``monthly``: index month, one column per
    platform."""
    fig = _figure(branding, height=340)
    palette = [
        branding.primary,
        branding.secondary,
        branding.accent,
        "#7f8c99",
        "#b07aa1",
        "#9c755f",
        "#4e79a7",
        "#edc948",
    ]
    for i, platform in enumerate(monthly.columns):
        fig.add_bar(
            x=list(monthly.index),
            y=monthly[platform].to_numpy(),
            name=safe(platform),
            marker_color=palette[i % len(palette)],
            hovertemplate="%{x} · " + safe(platform) + ": %{y:,} member messages<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis_title="member messages", xaxis_type="category")
    return fig
