"""Figure builders (aggregated data in, plotly figure out) and the client's theme."""

from community_health.charts.figures import (
    active_members_trend,
    channel_mix_over_time,
    core_group,
    engagement_over_time,
    events_timeline,
    hour_of_week_heatmap,
    negative_volume,
    net_sentiment_by_channel,
    response_times,
    shares,
)
from community_health.charts.theme import template

__all__ = [
    "active_members_trend",
    "channel_mix_over_time",
    "core_group",
    "engagement_over_time",
    "events_timeline",
    "hour_of_week_heatmap",
    "negative_volume",
    "net_sentiment_by_channel",
    "response_times",
    "shares",
    "template",
]
