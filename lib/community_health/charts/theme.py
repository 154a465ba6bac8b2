"""The report's plotly template, built from the client's colours and font."""

from __future__ import annotations

import functools

import plotly.graph_objects as go

from community_health.config import Branding

MUTED = "#5f6b7a"
GRID = "#e6e9ee"


@functools.lru_cache(maxsize=32)
def template(branding: Branding) -> go.layout.Template:
    """A plotly template in the client's colours: quiet grid, readable type, no title inside the chart.

    Built once per branding: a figure given it keeps a copy of its own (plotly copies a template it is
    assigned), so the one returned here is never changed by a chart."""
    colorway = [
        branding.primary,
        branding.secondary,
        branding.accent,
        "#7a8794",
        branding.negative,
        "#9c755f",
    ]
    return go.layout.Template(
        layout=go.Layout(
            font={"family": branding.font, "size": 12, "color": "#1d232b"},
            colorway=colorway,
            paper_bgcolor="white",
            plot_bgcolor="white",
            margin={"l": 56, "r": 16, "t": 16, "b": 48},
            xaxis={"gridcolor": GRID, "linecolor": "#b8c0ca", "zeroline": False, "automargin": True},
            yaxis={"gridcolor": GRID, "linecolor": "#b8c0ca", "zeroline": False, "automargin": True},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
            hoverlabel={"font": {"family": branding.font}},
            height=360,
        )
    )
