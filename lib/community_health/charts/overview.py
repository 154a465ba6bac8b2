"""Figure builders of the channel audit, the portfolio overview and the explorer.

As in :mod:`community_health.charts.figures`: small aggregated frames in, plotly figures out, and every
label that may hold member or client text escaped with :func:`safe`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from community_health.charts.figures import _figure, safe
from community_health.charts.theme import MUTED, template
from community_health.config import Branding

#: Above this many weeks the cadence grid leaves the counts out of its cells (they would not fit).
MAX_WEEKS_WITH_COUNTS = 20


def _bar_height(rows: int, per_row: int = 26, low: int = 220, extra: int = 110) -> int:
    return max(low, per_row * rows + extra)


def weekly_cadence(posts: pd.DataFrame, replies: pd.DataFrame, branding: Branding) -> go.Figure:
    """A grid of channels (rows) by weeks (columns): the brand's messages each week, posts and replies.

    ``posts`` and ``replies`` have one row per channel label and one column per week (its Monday);
    empty weeks show as pale cells, so a channel the brand left alone stands out as a pale row.
    """
    total = posts.to_numpy(dtype=float) + replies.to_numpy(dtype=float)
    weeks = [pd.Timestamp(w).strftime("%d %b") for w in posts.columns]
    counts = len(weeks) <= MAX_WEEKS_WITH_COUNTS
    fig = _figure(branding, height=_bar_height(len(posts), per_row=30, low=240, extra=120))
    fig.add_heatmap(
        z=total,
        x=weeks,
        y=[safe(label) for label in posts.index],
        customdata=np.dstack([posts.to_numpy(dtype=float), replies.to_numpy(dtype=float)]),
        colorscale=[[0, "#f4f1ee"], [1e-9, "#eadccd"], [1, branding.primary]],
        text=[[f"{v:.0f}" if v else "" for v in row] for row in total] if counts else None,
        texttemplate="%{text}" if counts else None,
        textfont={"size": 10},
        colorbar={"title": {"text": "brand<br>messages<br>per week", "side": "top"}, "thickness": 12},
        hovertemplate="%{y}, week of %{x}: %{customdata[0]:.0f} posts, %{customdata[1]:.0f} replies"
        "<extra></extra>",
        xgap=2,
        ygap=2,
    )
    fig.update_layout(
        xaxis={"title": "week starting (client's time zone)", "showgrid": False, "type": "category"},
        yaxis={"autorange": "reversed", "showgrid": False},
    )
    return fig


def channel_response_times(
    frame: pd.DataFrame, target_hours: float | pd.Series, branding: Branding
) -> go.Figure:
    """Median hours to first response per row (a channel, a client): by anyone, and by the brand in and out
    of business hours, beside the response target.

    ``frame``: ``label`` and, for each of ``anyone``, ``brand_business``, ``brand_off``, the median
    hours and a ``<name>_text`` column with the value written for a person (missing hours draw no bar).
    ``target_hours`` is one target (a dashed line) or one per row (a mark on each row).
    """
    series = (
        ("anyone", "first reply by anyone", branding.accent),
        ("brand_business", "brand, thread started in business hours", branding.primary),
        ("brand_off", "brand, thread started off hours", branding.secondary),
    )
    fig = _figure(branding, height=_bar_height(len(frame), per_row=62, low=260, extra=120))
    labels = [safe(label) for label in frame["label"]]
    for column, name, colour in series:
        fig.add_bar(
            y=labels,
            x=frame[column].fillna(0.0),
            name=name,
            orientation="h",
            marker_color=colour,
            text=frame[f"{column}_text"],
            textposition="outside",
            cliponaxis=False,
            textfont={"size": 10},
            hovertemplate="%{y}: " + name + ", median %{text}<extra></extra>",
        )
    if isinstance(target_hours, pd.Series):
        targets = target_hours.astype("float64").to_numpy()
        fig.add_scatter(
            y=labels,
            x=targets,
            mode="markers",
            name="response target",
            marker={
                "symbol": "line-ns-open",
                "size": 34,
                "color": branding.negative,
                "line": {"width": 2, "color": branding.negative},
            },
            hovertemplate="%{y}: target %{x:g} h<extra></extra>",
        )
        top_target = float(np.nanmax(targets, initial=0.0))
    else:
        top_target = float(target_hours)
        fig.add_vline(x=top_target, line={"color": branding.negative, "dash": "dash", "width": 1.5})
        fig.add_annotation(
            x=top_target,
            y=1.0,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=f"target {top_target:g} h",
            showarrow=False,
            font={"size": 10, "color": branding.negative},
        )
    longest = float(np.nanmax(frame[[c for c, _, _ in series]].to_numpy(dtype=float), initial=top_target))
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        xaxis={"title": "median hours to first response", "range": [0, max(longest, top_target) * 1.18]},
        yaxis={"autorange": "reversed"},
        legend={"y": 1.06},
        margin={"t": 56},
    )
    return fig


def engagement_by_format(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """Median engagement rate of the brand's posts by platform and format.

    ``frame``: ``label`` (platform · format), ``median_engagement_rate``, ``posts``; best first.
    """
    fig = _figure(branding, height=_bar_height(len(frame), per_row=30))
    fig.add_bar(
        y=[safe(label) for label in frame["label"]],
        x=frame["median_engagement_rate"],
        orientation="h",
        marker_color=branding.primary,
        text=[f"{v:.1%}" for v in frame["median_engagement_rate"]],
        textposition="outside",
        cliponaxis=False,
        customdata=frame["posts"],
        hovertemplate="%{y}: median %{x:.2%} over %{customdata:,} posts<extra></extra>",
    )
    top = float(frame["median_engagement_rate"].max()) if len(frame) else 0.0
    fig.update_layout(
        xaxis={"title": "median engagement rate per post", "tickformat": ".1%", "range": [0, top * 1.2 or 1]},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    return fig


def member_bars(frame: pd.DataFrame, x_title: str, branding: Branding) -> go.Figure:
    """One bar per member. ``frame``: ``name`` (member text, escaped here), ``value``, ``detail``."""
    fig = _figure(branding, height=_bar_height(len(frame), per_row=24, low=200, extra=90))
    fig.add_bar(
        y=[safe(n) for n in frame["name"]],
        x=frame["value"],
        orientation="h",
        marker_color=branding.accent,
        customdata=[safe(d) for d in frame["detail"]],
        hovertemplate="%{y}: %{x:,} · %{customdata}<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": safe(x_title)},
        yaxis={"autorange": "reversed", "tickfont": {"size": 11}},
        showlegend=False,
        margin={"b": 64},  # room for the axis title's descenders
    )
    return fig


def daily_activity(daily: pd.DataFrame, branding: Branding) -> go.Figure:
    """Member and brand messages per day. ``daily``: ``day``, ``member_messages``, ``brand_messages``."""
    fig = _figure(branding, height=300)
    for column, name, colour in (
        ("member_messages", "member messages", branding.primary),
        ("brand_messages", "brand messages", branding.secondary),
    ):
        fig.add_bar(
            x=daily["day"],
            y=daily[column],
            name=name,
            marker_color=colour,
            hovertemplate="%{x|%a %d %b}: %{y:,} " + name + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", bargap=0.15, yaxis_title="messages per day")
    return fig


def weekly_net_sentiment(weekly: pd.DataFrame, branding: Branding) -> go.Figure:
    """Net sentiment week by week, bars coloured by sign. ``weekly``: ``week`` (its Monday), ``net``,
    ``messages``."""
    fig = _figure(branding, height=300)
    fig.add_bar(
        x=weekly["week"],
        y=weekly["net"],
        marker_color=[branding.negative if v < 0 else branding.accent for v in weekly["net"]],
        customdata=weekly["messages"],
        hovertemplate="week of %{x|%d %b}: net %{y:+.0%} over %{customdata:,} messages<extra></extra>",
    )
    fig.update_layout(
        yaxis={"title": "net sentiment", "tickformat": "+.0%", "zeroline": True, "zerolinecolor": MUTED},
        xaxis={"title": "week starting (client's time zone)"},
        showlegend=False,
        bargap=0.2,
    )
    return fig


#: How each figure of the portfolio is drawn: tick format and whether a higher value is better.
PANEL_FORMATS = {"int": ",d", "pct": ".0%", "hours": ".1f", "score": ".0f", "signed_pct": "+.0%"}


def client_comparison(frame: pd.DataFrame, panels: list[dict], branding: Branding) -> go.Figure:
    """Small multiples: for each figure, one bar per client (this period) and a mark at the previous
    period's value.

    ``frame`` has ``client`` (display name) and, for each panel, its ``key`` and ``key + '_previous'``;
    ``panels`` are dicts with ``key``, ``title`` and ``fmt`` (a key of :data:`PANEL_FORMATS`).
    """
    from plotly.subplots import make_subplots

    columns = 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / columns)
    clients = [safe(c) for c in frame["client"]]
    per_row = max(150, 30 * len(frame) + 70)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[safe(p["title"]) for p in panels],
        horizontal_spacing=0.2,
        vertical_spacing=min(0.3, 90 / (per_row * rows)),
    )
    fig.update_layout(template=template(branding), height=per_row * rows + 90, bargap=0.35)
    for k, panel in enumerate(panels):
        row, col = k // columns + 1, k % columns + 1
        key, fmt = panel["key"], PANEL_FORMATS[panel["fmt"]]
        hover = "%{x:" + fmt + "}" + (" h" if panel["fmt"] == "hours" else "")
        fig.add_bar(
            y=clients,
            x=frame[key].astype("float64"),
            orientation="h",
            marker_color=branding.primary,
            name="this period",
            showlegend=k == 0,
            legendgroup="now",
            hovertemplate="%{y}: " + hover + " this period<extra></extra>",
            row=row,
            col=col,
        )
        fig.add_scatter(
            y=clients,
            x=frame[f"{key}_previous"].astype("float64"),
            mode="markers",
            marker={
                "symbol": "line-ns-open",
                "size": 16,
                "color": branding.secondary,
                "line": {"width": 3, "color": branding.secondary},
            },
            name="previous period",
            showlegend=k == 0,
            legendgroup="before",
            hovertemplate="%{y}: " + hover + " the period before<extra></extra>",
            row=row,
            col=col,
        )
        top = pd.concat([frame[key], frame[f"{key}_previous"]]).astype("float64").max()
        small = panel["fmt"] == "int" and pd.notna(top) and top <= 8  # whole ticks, not 0.5 steps
        fig.update_xaxes(tickformat=fmt, rangemode="tozero", dtick=1 if small else None, row=row, col=col)
        fig.update_yaxes(autorange="reversed", row=row, col=col)
    fig.update_annotations(font={"size": 12, "color": MUTED})
    # The legend sits at the very top of the figure, above the first row's titles.
    fig.update_layout(legend={"yref": "container", "y": 0.995, "yanchor": "top", "x": 0}, margin={"t": 72})
    return fig
