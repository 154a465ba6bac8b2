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


def health_components(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """Each part of the health score on a 0-100 scale, the previous period's score as a hollow marker.

    ``frame``: ``label``, ``score`` and ``previous_score`` (0-1, ``NaN`` when not measurable),
    ``weight`` (the effective weight, 0-1).
    """
    fig = _figure(branding, height=max(220, 34 * len(frame) + 110))
    labels = [
        f"{safe(label)} · weight {weight:.0%}"
        for label, weight in zip(frame["label"], frame["weight"], strict=True)
    ]
    scores = frame["score"].astype(float) * 100
    fig.add_bar(
        y=labels,
        x=scores,
        orientation="h",
        name="this period",
        marker_color=branding.primary,
        text=[f"{s:.0f}" if s == s else "n/a" for s in scores],
        textposition="inside",
        insidetextanchor="start",
        hovertemplate="%{y}: %{x:.0f} of 100<extra></extra>",
    )
    fig.add_scatter(
        y=labels,
        x=frame["previous_score"].astype(float) * 100,
        mode="markers",
        name="previous period",
        marker={"symbol": "diamond-open", "size": 11, "color": MUTED, "line": {"width": 2}},
        hovertemplate="%{y}: %{x:.0f} of 100 in the previous period<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": "score (0-100)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
    )
    return fig


def audience_mix(frame: pd.DataFrame, branding: Branding) -> go.Figure:
    """The brand's messages per platform split into one-to-one replies, broadcast posts and other replies.

    ``frame``: index platform; columns ``one_to_one_replies``, ``broadcast_posts``, ``other_replies``.
    """
    fig = _figure(branding, height=max(200, 36 * len(frame) + 120))
    parts = (
        ("one_to_one_replies", "replies to a member", branding.primary),
        ("broadcast_posts", "posts to everyone", branding.secondary),
        ("other_replies", "other replies", "#b8c0ca"),
    )
    for column, name, colour in parts:
        fig.add_bar(
            y=[safe(p) for p in frame.index],
            x=frame[column],
            orientation="h",
            name=name,
            marker_color=colour,
            hovertemplate="%{y}: %{x:,} " + name + "<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        xaxis_title="brand messages",
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )
    return fig


def onion(layers: pd.DataFrame, branding: Branding) -> go.Figure:
    """Members and their messages split into the onion's layers, as two 100% bars.

    ``layers``: index ``core``, ``regular``, ``casual``; ``members``, ``messages``,
    ``share_of_members``, ``share_of_messages``.
    """
    fig = _figure(branding, height=230)
    colours = {"core": branding.primary, "regular": branding.secondary, "casual": "#c9d1da"}
    for layer, row in layers.iterrows():
        fig.add_bar(
            y=["members", "member messages"],
            x=[row["share_of_members"], row["share_of_messages"]],
            orientation="h",
            name=str(layer),
            marker_color=colours.get(str(layer), MUTED),
            text=[f"{row['share_of_members']:.0%}", f"{row['share_of_messages']:.0%}"],
            textposition="inside",
            customdata=[row["members"], row["messages"]],
            hovertemplate=f"{layer}: %{{x:.0%}} of %{{y}} (%{{customdata:,}})<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )
    return fig


def orbit_levels(counts: pd.DataFrame, branding: Branding) -> go.Figure:
    """Members at each Orbit level this period beside the previous period.

    ``counts``: index level (1 = closest); ``level_name``, ``members``, ``previous_members``.
    """
    fig = _figure(branding, height=280)
    names = [
        f"{level} · {safe(name)}" for level, name in zip(counts.index, counts["level_name"], strict=True)
    ]
    fig.add_bar(
        x=names,
        y=counts["previous_members"],
        name="previous period",
        marker_color="#c9d1da",
        hovertemplate="%{x}: %{y:,} members in the previous period<extra></extra>",
    )
    fig.add_bar(
        x=names,
        y=counts["members"],
        name="this period",
        marker_color=branding.primary,
        text=counts["members"],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{y:,} members<extra></extra>",
    )
    fig.update_layout(barmode="group", yaxis_title="members", xaxis_type="category", margin={"t": 40})
    return fig


def cohort_retention(retention: pd.DataFrame, branding: Branding) -> go.Figure:
    """Cohort triangle: the share of each month's new members active again 1, 2, ... months later.

    ``retention``: index cohort month; ``members`` and ``month_0`` .. ``month_k`` (shares, ``NaN`` for
    months not yet seen).
    """
    months = [c for c in retention.columns if str(c).startswith("month_") and c != "month_0"]
    z = retention[months].to_numpy(dtype=float)
    fig = _figure(branding, height=max(220, 30 * len(retention) + 110))
    fig.add_heatmap(
        z=z,
        x=[f"+{c.split('_')[1]}" for c in months],
        y=[f"{cohort} ({n:,})" for cohort, n in zip(retention.index, retention["members"], strict=True)],
        colorscale=[[0, "#f4f1ee"], [1, branding.primary]],
        zmin=0,
        zmax=max(0.3, float(np.nanmax(z)) if np.isfinite(z).any() else 0.3),
        text=[["" if v != v else f"{v:.0%}" for v in row] for row in z],
        texttemplate="%{text}",
        textfont={"size": 11},
        showscale=False,
        hovertemplate="new in %{y}: %{z:.0%} active %{x} months later<extra></extra>",
        xgap=2,
        ygap=2,
    )
    fig.update_layout(
        xaxis={"title": "months after their first message", "showgrid": False, "type": "category"},
        yaxis={"title": "first message in (members)", "autorange": "reversed", "showgrid": False},
    )
    return fig


def distinctive_terms(terms: pd.DataFrame, branding: Branding) -> go.Figure:
    """Words that set high-engagement posts apart (right) from low-engagement ones (left), as z-scores.

    ``terms``: ``term``, ``z``, ``high_count``, ``low_count``; highest z first.
    """
    terms = terms.sort_values("z", ascending=True, kind="stable")
    fig = _figure(branding, height=max(240, 22 * len(terms) + 100))
    fig.add_bar(
        y=[safe(t) for t in terms["term"]],
        x=terms["z"],
        orientation="h",
        marker_color=[branding.primary if z > 0 else branding.negative for z in terms["z"]],
        customdata=np.column_stack([terms["high_count"], terms["low_count"]]),
        hovertemplate="%{y}: z = %{x:.1f} (in %{customdata[0]} high- and %{customdata[1]} "
        "low-engagement posts)<extra></extra>",
    )
    fig.add_vline(x=0, line_color="#b8c0ca", line_width=1)
    fig.update_layout(
        xaxis={"title": "z-score: left, typical of low engagement; right, of high engagement"},
        yaxis={"tickfont": {"size": 11}},
        showlegend=False,
        margin={"b": 72},
    )
    return fig


def impact_intervals(impact: pd.DataFrame, branding: Branding) -> go.Figure:
    """Each event's change in each key metric with its interval, one panel per metric.

    ``impact``: ``event``, ``metric_label``, ``change``, ``low``, ``high``, ``conclusion``,
    ``statement`` (one row per event and metric, scope "all").
    """
    from plotly.subplots import make_subplots

    metrics = list(dict.fromkeys(impact["metric_label"]))
    events = list(dict.fromkeys(impact["event"]))
    fig = make_subplots(
        rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.04, subplot_titles=metrics
    )
    fig.update_layout(
        template=template(branding),
        height=max(240, 40 * len(events) + 150),
        showlegend=False,
        margin={"t": 64},
    )
    colours = {"higher": branding.primary, "lower": branding.negative}
    for col, metric in enumerate(metrics, start=1):
        rows = impact.loc[impact["metric_label"] == metric]
        fig.add_scatter(
            x=rows["change"],
            y=[safe(e) for e in rows["event"]],
            mode="markers",
            marker={"size": 9, "color": [colours.get(c, MUTED) for c in rows["conclusion"]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (rows["high"] - rows["change"]).to_numpy(dtype=float),
                "arrayminus": (rows["change"] - rows["low"]).to_numpy(dtype=float),
                "color": MUTED,
                "thickness": 1.5,
            },
            customdata=[safe(s) for s in rows["statement"]],
            hovertemplate="%{customdata}<extra></extra>",
            row=1,
            col=col,
        )
        fig.add_vline(x=0, line_color="#b8c0ca", line_width=1, row=1, col=col)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[safe(e) for e in events])
    fig.update_annotations(font={"size": 11})
    return fig
