"""The metrics: pure, named, documented functions over the normalised tables, one module per question.

=================  ==========================================================================
module             question
=================  ==========================================================================
listening          What are people saying about the brand; is something brewing?
responsiveness     Do we answer fast? What went unanswered?
catalysts          Do members talk to each other, or only react to the brand?
dead_time          When is the community silent; when are members alone?
core               How many members carry the community? Who are the advocates?
loyalty            Do members come back, or drop in for support and vanish?
resonance          Which brand posts and which words worked?
campaigns          What did a campaign, a launch or a meetup change, before versus after?
health             How healthy is the community, all told, and why?
=================  ==========================================================================

Every metric takes the tables it reads and a :class:`Window`, never changes its inputs, and has a
docstring whose first paragraph is the definition shown to clients; :func:`catalogue` collects those
definitions for the methodology appendix. :func:`summary` computes every headline figure for a
period and the previous period of equal length.

Members are people: brand accounts and bots are never members, and when ``aliases`` in
``client.yml`` join one person's accounts on several platforms, :func:`with_people` marks each message
with its person (``person_id``) and every metric counts and lists that person once.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd

from community_health.config import ClientConfig, Period, empty_events, read_events
from community_health.metrics import (
    campaigns,
    catalysts,
    channels,
    core,
    dead_time,
    health,
    listening,
    loyalty,
    resonance,
    responsiveness,
)
from community_health.metrics._common import shared_work, with_people
from community_health.metrics.responsiveness import Responder
from community_health.metrics.window import Change, Window, compared_with_previous

__all__ = [
    "QUESTIONS",
    "Change",
    "Responder",
    "Window",
    "catalogue",
    "compared_with_previous",
    "shared_work",
    "summary",
    "with_people",
]

#: The metric modules, in the order the report asks their questions.
QUESTIONS: dict[str, ModuleType] = {
    "listening": listening,
    "responsiveness": responsiveness,
    "catalysts": catalysts,
    "dead_time": dead_time,
    "core": core,
    "loyalty": loyalty,
    "resonance": resonance,
    "campaigns": campaigns,
    "channels": channels,
    "health": health,
}

_SECTION = re.compile(r"^(Parameters|Returns|Raises|Examples|Notes|See Also)\n-{3,}", re.MULTILINE)
_FIELD = re.compile(r"^(Unit|Source):\s*(.+)$", re.MULTILINE)


def _docstring_parts(function: Callable[..., Any]) -> dict[str, str | None]:
    doc = inspect.getdoc(function) or ""
    head = _SECTION.split(doc, maxsplit=1)[0]
    paragraphs = [p for p in re.split(r"\n\s*\n", head.strip()) if p.strip()]
    definition = " ".join(paragraphs[0].split()) if paragraphs else ""
    fields = {key.lower(): value.strip() for key, value in _FIELD.findall(head)}
    return {"definition": definition, "unit": fields.get("unit"), "source": fields.get("source")}


def _public_functions(module: ModuleType) -> list[Callable[..., Any]]:
    functions = [
        f
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == module.__name__
    ]
    return sorted(functions, key=lambda f: inspect.getsourcelines(f)[1])


def catalogue() -> pd.DataFrame:
    """Every metric function with its client-facing definition, unit and source, read from the code.

    Returns
    -------
    pandas.DataFrame
        One row per public function of the metric modules, in the report's order: ``question``
        (module), ``metric`` (function name), ``definition`` (the docstring's first paragraph),
        ``unit`` and ``source`` (from the docstring's ``Unit:`` and ``Source:`` lines; missing when
        not given).
    """
    rows = []
    for question, module in QUESTIONS.items():
        for function in _public_functions(module):
            rows.append({"question": question, "metric": function.__name__, **_docstring_parts(function)})
    return pd.DataFrame(rows, columns=["question", "metric", "definition", "unit", "source"])


@dataclass(frozen=True)
class _Figure:
    question: str
    name: str
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    digits: int = 4
    documented_by: Callable[..., Any] | None = None  # whose docstring gives the unit, when not ``function``


def _by_business_hours(
    messages: pd.DataFrame, window: Window, cfg: ClientConfig, responder: Responder, started: str
) -> float | None:
    table = responsiveness.first_response_hours_by_business_hours(
        messages, window, cfg.business_hours, responder
    )
    value = table.loc[started, "median_hours"]
    return None if pd.isna(value) else float(value)


def _figures(
    messages: pd.DataFrame,
    posts: pd.DataFrame,
    enrichment: pd.DataFrame,
    cfg: ClientConfig,
    events: pd.DataFrame | None = None,
) -> list[_Figure]:
    m, th = (messages,), cfg.thresholds
    scored = (messages, enrichment)
    brand = {"responder": Responder.BRAND}
    events = empty_events() if events is None else events
    return [
        _Figure("listening", "net_sentiment", listening.net_sentiment, scored, {"thresholds": th}),
        _Figure("listening", "negative_share", listening.negative_share, scored, {"thresholds": th}),
        _Figure(
            "listening",
            "negative_spike_episodes",
            listening.negative_spike_episode_count,
            scored,
            {"thresholds": th},
        ),
        _Figure("responsiveness", "member_threads", responsiveness.member_thread_count, m),
        _Figure(
            "responsiveness",
            "median_first_response_hours",
            responsiveness.median_first_response_hours,
            m,
            digits=2,
        ),
        _Figure(
            "responsiveness", "p90_first_response_hours", responsiveness.p90_first_response_hours, m, digits=2
        ),
        _Figure(
            "responsiveness",
            "share_answered_within_target",
            responsiveness.share_answered_within_target,
            m,
            {"target_hours": th.response_target_hours},
        ),
        _Figure(
            "responsiveness",
            "median_first_brand_response_hours",
            responsiveness.median_first_response_hours,
            m,
            brand,
            digits=2,
        ),
        _Figure(
            "responsiveness",
            "p90_first_brand_response_hours",
            responsiveness.p90_first_response_hours,
            m,
            brand,
            digits=2,
        ),
        _Figure(
            "responsiveness",
            "share_answered_by_brand_within_target",
            responsiveness.share_answered_within_target,
            m,
            {"target_hours": th.response_target_hours, **brand},
        ),
        _Figure(
            "responsiveness",
            "median_first_brand_response_hours_business_hours",
            _by_business_hours,
            m,
            {"cfg": cfg, "responder": Responder.BRAND, "started": "business hours"},
            digits=2,
            documented_by=responsiveness.first_response_hours_by_business_hours,
        ),
        _Figure(
            "responsiveness",
            "median_first_brand_response_hours_off_hours",
            _by_business_hours,
            m,
            {"cfg": cfg, "responder": Responder.BRAND, "started": "off hours"},
            digits=2,
            documented_by=responsiveness.first_response_hours_by_business_hours,
        ),
        _Figure(
            "responsiveness", "unanswered_member_threads", responsiveness.unanswered_member_thread_count, m
        ),
        _Figure(
            "responsiveness", "longest_open_wait_hours", responsiveness.longest_open_wait_hours, m, digits=1
        ),
        _Figure(
            "catalysts",
            "share_of_threads_started_by_members",
            catalysts.share_of_threads_started_by_members,
            m,
        ),
        _Figure("catalysts", "member_to_member_reply_share", catalysts.member_to_member_reply_share, m),
        _Figure("catalysts", "brand_one_to_one_replies", catalysts.brand_one_to_one_reply_count, m),
        _Figure("catalysts", "brand_broadcast_posts", catalysts.brand_broadcast_post_count, m),
        _Figure("catalysts", "one_to_one_share", catalysts.one_to_one_share, m),
        _Figure(
            "catalysts",
            "median_distinct_members_per_thread",
            catalysts.median_distinct_members_per_thread,
            m,
            digits=1,
        ),
        _Figure(
            "catalysts", "conversations_without_catalyst", catalysts.conversations_without_catalyst_count, m
        ),
        _Figure(
            "catalysts",
            "conversations_without_catalyst_share",
            catalysts.conversations_without_catalyst_share,
            m,
        ),
        _Figure(
            "dead_time",
            "share_of_hours_without_member_activity",
            dead_time.share_of_hours_without_member_activity,
            m,
        ),
        _Figure("dead_time", "unattended_member_hours", dead_time.unattended_member_hour_count, m),
        _Figure(
            "dead_time",
            "share_of_member_messages_in_unattended_hours",
            dead_time.share_of_member_messages_in_unattended_hours,
            m,
        ),
        _Figure("dead_time", "longest_silence_hours", dead_time.longest_silence_hours, m, digits=1),
        _Figure("core", "core_group_size", core.core_group_size, m),
        _Figure("core", "core_group_activity_share", core.core_group_activity_share, m),
        _Figure("core", "core_group_share_of_members", core.core_group_share_of_members, m),
        *(
            _Figure("core", f"onion_{layer}_members", core.onion_member_count, m, {"layer": layer})
            for layer in core.ONION_LAYERS
        ),
        *(
            _Figure("core", f"orbit_{level}_members", core.orbit_member_count, m, {"level": level})
            for level in (1, 2, 3, 4)
        ),
        _Figure("core", "orbit_moved_closer", core.orbit_moved_closer_count, m),
        _Figure("core", "orbit_moved_farther", core.orbit_moved_farther_count, m),
        _Figure("core", "advocates", core.advocate_count, scored, {"thresholds": th}),
        _Figure(
            "core",
            "advocate_positive_volume_share",
            core.advocate_positive_volume_share,
            scored,
            {"thresholds": th},
        ),
        _Figure("loyalty", "member_messages", loyalty.member_message_count, m),
        _Figure("loyalty", "active_members", loyalty.active_member_count, m),
        _Figure("loyalty", "mean_daily_active_members", loyalty.mean_daily_active_members, m, digits=2),
        _Figure("loyalty", "stickiness", loyalty.stickiness, m),
        _Figure("loyalty", "new_members", loyalty.new_member_count, m),
        _Figure("loyalty", "returning_members", loyalty.returning_member_count, m),
        _Figure("loyalty", "lapsed_members", loyalty.lapsed_member_count, m),
        _Figure("loyalty", "new_member_retention", loyalty.new_member_retention, m),
        _Figure("loyalty", "transient_members", loyalty.transient_member_count, scored),
        _Figure("loyalty", "transient_member_share", loyalty.transient_member_share, scored),
        _Figure("resonance", "brand_posts", resonance.brand_post_count, (posts,)),
        _Figure("resonance", "mean_engagement_rate", resonance.mean_engagement_rate, (posts,), digits=5),
        _Figure("campaigns", "events_in_period", campaigns.event_count, (events,)),
        _Figure("channels", "active_platforms", channels.active_platform_count, m),
        _Figure("channels", "busiest_platform_share", channels.busiest_platform_share, m),
        _Figure(
            "health",
            "health_score",
            health.health_score_value,
            scored,
            {"weights": cfg.health_weights, "thresholds": th},
            digits=1,
        ),
        *(
            _Figure(
                "health",
                f"health_{component}",
                health.health_component_score,
                scored,
                {"component": component, "thresholds": th},
            )
            for component in health.COMPONENTS
        ),
    ]


def summary(
    messages: pd.DataFrame,
    posts: pd.DataFrame,
    enrichment: pd.DataFrame,
    cfg: ClientConfig,
    period: Period | str,
    events: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every headline figure of a period beside the previous period of equal length.

    The result is plain JSON data: ``json.dumps(summary(...), sort_keys=True)`` gives the same
    bytes every time for the same inputs. Counts are integers; hours are rounded to 0.01 (0.1 for
    the longest waits and silences), shares to 0.0001, engagement rates to 0.00001, relative
    changes to 0.0001. A figure that cannot be computed (no threads, no scored messages...) is
    ``null``, never zero.

    Parameters
    ----------
    messages
        All messages (``Messages``), the whole history available; with ``person_id`` (see
        :func:`with_people`) one person's accounts count as one member.
    posts
        Brand posts with analytics (``Posts``); may be empty.
    enrichment
        Per-message scores (``Enrichment``).
    cfg
        The client's configuration (time zone, business hours, thresholds).
    period
        The month reported on, ``2026-10``.
    events
        The client's events (:func:`~community_health.config.read_events`); ``None`` reads
        ``cfg.paths.events`` (no events when the file does not exist).

    Returns
    -------
    dict
        ``{"client", "period", "period_label", "window", "previous_window", "metrics"}``, where
        ``window`` and ``previous_window`` hold ``start``, ``end`` (ISO 8601, UTC) and
        ``timezone``, and ``metrics[question][figure]`` holds ``value``, ``previous``, ``change``,
        ``relative_change``, ``unit`` and ``metric`` (the function that defines it).
    """
    period = Period.parse(period)
    window = Window.from_period(period, cfg.timezone)
    metrics: dict[str, dict[str, Any]] = {question: {} for question in QUESTIONS}
    if events is None:
        events = read_events(cfg.paths.events, cfg.timezone)
    with shared_work():
        for figure in _figures(messages, posts, enrichment, cfg, events):
            change = compared_with_previous(figure.function, window, *figure.args, **figure.kwargs)
            documented = figure.documented_by or figure.function
            metrics[figure.question][figure.name] = {
                **change.as_dict(figure.digits),
                "unit": _docstring_parts(documented)["unit"],
                "metric": f"{documented.__module__.rsplit('.', 1)[-1]}.{documented.__name__}",
            }
    return {
        "client": cfg.slug,
        "period": str(period),
        "period_label": period.label,
        "window": window.as_dict(),
        "previous_window": window.previous().as_dict(),
        "metrics": metrics,
    }
