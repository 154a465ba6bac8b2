"""Figure builders (aggregated data in, plotly figure out) and the client's theme."""

from community_health.charts.figures import (
    active_members_trend,
    audience_mix,
    channel_mix_over_time,
    cohort_retention,
    core_group,
    distinctive_terms,
    engagement_over_time,
    events_timeline,
    health_components,
    hour_of_week_heatmap,
    impact_intervals,
    negative_volume,
    net_sentiment_by_channel,
    onion,
    orbit_levels,
    response_times,
    shares,
)
from community_health.charts.theme import template

__all__ = [
    "active_members_trend",
    "audience_mix",
    "channel_mix_over_time",
    "cohort_retention",
    "core_group",
    "distinctive_terms",
    "engagement_over_time",
    "events_timeline",
    "health_components",
    "hour_of_week_heatmap",
    "impact_intervals",
    "negative_volume",
    "net_sentiment_by_channel",
    "onion",
    "orbit_levels",
    "response_times",
    "shares",
    "template",
]
