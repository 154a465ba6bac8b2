"""Health score: one number for how the community is doing, never shown without the parts it is made of.

The score is a weighted mean of five components, each a figure defined elsewhere in this package and
brought onto a common 0-1 scale (its *normalisation*), with the weights of the client's ``client.yml``
(``health_weights``). The components, their raw values, normalisations, weights and change since the
previous period always come with the score (:class:`HealthScore`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_health.config import Thresholds
from community_health.metrics import catalysts, listening, loyalty, responsiveness
from community_health.metrics._common import M, checked_rate, is_member, reused
from community_health.metrics.window import Window

#: How many earlier periods of equal length make the active-member reference (their median).
REFERENCE_PERIODS = 3
DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class _Component:
    metric: str
    normalisation: str
    raw: Callable[[pd.DataFrame, pd.DataFrame, Window, Thresholds], float | None]
    normalise: Callable[[float, float | None], float | None]


@reused
def _first_member_message(messages: pd.DataFrame) -> pd.Timestamp | None:
    """When the first member's message was written (None without any)."""
    members = messages.loc[is_member(messages), M.created_at]
    return None if members.empty else members.min()


def _active_reference(messages: pd.DataFrame, window: Window) -> float | None:
    """Median active members over up to three earlier periods of equal length that the data cover."""
    began = _first_member_message(messages)
    if began is None:
        return None
    counts, period = [], window
    for _ in range(REFERENCE_PERIODS):
        period = period.previous()
        if period.end <= began:
            break
        counts.append(loyalty.active_member_count(messages, period))
    return float(np.median(counts)) if counts else None


def _growth(raw: float, reference: float | None) -> float | None:
    if reference is None or raw + reference == 0:
        return None
    return raw / (raw + reference)


def _returning_share(messages: pd.DataFrame, _: pd.DataFrame, window: Window, __: Thresholds) -> float | None:
    active = loyalty.active_member_count(messages, window)
    return loyalty.returning_member_count(messages, window) / active if active else None


def _shifted(value: float, _: float | None) -> float | None:
    return (value + 1.0) / 2.0


def _identity(value: float, _: float | None) -> float | None:
    return value


COMPONENTS: dict[str, _Component] = {
    "active_members": _Component(
        "loyalty.active_member_count",
        "active members / (active members + the median of the 3 previous periods): 0.5 is a usual "
        "period, above 0.5 growth, below a decline",
        lambda m, _e, w, _t: loyalty.active_member_count(m, w),
        _growth,
    ),
    "responsiveness": _Component(
        "responsiveness.share_answered_within_target",
        "the share itself (member threads answered by anyone within the response target)",
        lambda m, _e, w, t: responsiveness.share_answered_within_target(m, w, t.response_target_hours),
        _identity,
    ),
    "catalysts": _Component(
        "catalysts.member_to_member_reply_share",
        "the share itself (replies in which a member answers another member)",
        lambda m, _e, w, _t: catalysts.member_to_member_reply_share(m, w),
        _identity,
    ),
    "sentiment": _Component(
        "listening.net_sentiment",
        "(net sentiment + 1) / 2: 0 when every message is negative, 0.5 balanced, 1 all positive",
        lambda m, e, w, t: listening.net_sentiment(m, e, w, t),
        _shifted,
    ),
    "loyalty": _Component(
        "loyalty.returning_member_count / loyalty.active_member_count",
        "the share itself (active members who had written before the period)",
        _returning_share,
        _identity,
    ),
}


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The configured weights, every component present (0 when not named); equal weights when none."""
    if not weights:
        return dict.fromkeys(COMPONENTS, 1.0 / len(COMPONENTS))
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise ValueError(
            f"health_weights names unknown components {unknown}; known components: {', '.join(COMPONENTS)}"
        )
    out = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
    if any(w < 0 or np.isnan(w) for w in out.values()) or sum(out.values()) <= 0:
        raise ValueError(f"health_weights must be non-negative and not all zero, got {dict(weights)}")
    return out


@reused
def _component_scores(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, thresholds: Thresholds
) -> tuple[tuple[str, float | None, float | None, float | None], ...]:
    """Each component's name, raw value, reference (``active_members`` only) and score (0-1)."""
    out = []
    for name, component in COMPONENTS.items():
        raw = component.raw(messages, enrichment, window, thresholds)
        reference = _active_reference(messages, window) if name == "active_members" else None
        score = None if raw is None else component.normalise(float(raw), reference)
        checked = None if score is None else checked_rate(score, f"health component {name}")
        out.append((name, None if raw is None else float(raw), reference, checked))
    return tuple(out)


@reused
def _components(
    messages: pd.DataFrame, enrichment: pd.DataFrame, window: Window, thresholds: Thresholds
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "component": name,
                "metric": COMPONENTS[name].metric,
                "raw_value": np.nan if raw is None else raw,
                "reference": np.nan if reference is None else reference,
                "normalisation": COMPONENTS[name].normalisation,
                "score": np.nan if score is None else score,
            }
            for name, raw, reference, score in _component_scores(messages, enrichment, window, thresholds)
        ]
    )


@dataclass(frozen=True)
class HealthScore:
    """A health score with its parts.

    Attributes
    ----------
    value
        The score from 0 to 100, or ``None`` when no component could be computed.
    components
        One row per component: ``component``, ``metric`` (the function behind the raw value),
        ``raw_value``, ``reference`` (the active-member reference; missing for the others),
        ``normalisation`` (in words), ``score`` (0-1), ``weight`` (as configured),
        ``effective_weight`` (renormalised over the components that have a score), ``points``
        (its contribution to the score out of 100), ``previous_raw_value``, ``previous_score`` and
        ``change`` (score minus previous score).
    """

    value: float | None
    components: pd.DataFrame


def _weighted(components: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """The components with their weight, effective weight and points (see :class:`HealthScore`)."""
    table = components.assign(weight=components["component"].map(weights).astype("float64"))
    usable = table["score"].notna() & (table["weight"] > 0)
    total = float(table.loc[usable, "weight"].sum())
    table["effective_weight"] = np.where(usable, table["weight"] / total if total else np.nan, 0.0)
    table["points"] = np.where(usable, 100.0 * table["effective_weight"] * table["score"], 0.0)
    return table


def _score_value(
    scores: tuple[tuple[str, float | None, float | None, float | None], ...], weights: dict[str, float]
) -> float | None:
    """The score: each usable part's points (100 x effective weight x score) added up in the parts' order,
    as the table of :func:`_weighted` shows them; ``None`` when no part has a score and a weight."""
    usable = [(weights[n], score) for n, _, _, score in scores if score is not None and weights[n] > 0]
    total = sum(w for w, _ in usable)
    if not usable or total <= 0:
        return None
    return checked_rate(sum(100.0 * (w / total) * score for w, score in usable), "health score", 0.0, 100.0)


def health_score(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    weights: Mapping[str, float] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> HealthScore:
    """Health score: a 0-100 summary of the community's health, the weighted mean of five normalised
    components, always given with its components, their raw values, weights and change.

    Components and their normalisation onto 0-1:

    - ``active_members``: active members A against the median R of active members in the three
      previous periods of equal length (those the data cover), as A / (A + R): 0.5 is a usual
      period, more is growth, less a decline;
    - ``responsiveness``: the share of member threads answered by anyone within the response target;
    - ``catalysts``: the share of replies in which a member answers another member;
    - ``sentiment``: (net sentiment + 1) / 2;
    - ``loyalty``: the share of active members who had written before the period (returning).

    The score is 100 x the sum of weight x component score over the sum of the weights, both over
    the components that could be computed (a component without data is left out and the others
    reweighted, as ``effective_weight`` shows). Weights come from ``health_weights`` in
    ``client.yml``; components it does not name weigh 0; without any, all weigh the same.

    Unit: points (0-100)
    Source: composite index; components from CHAOSS and Discourse (see each component's metric)

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    weights
        The client's ``health_weights``.
    thresholds
        The client's thresholds (response target, sentiment cut-offs).

    Returns
    -------
    HealthScore
        ``value`` and ``components`` (see :class:`HealthScore`).

    Raises
    ------
    ValueError
        If ``weights`` names an unknown component, or has negative or only zero weights.
    """
    weight = _weights(weights)
    value = _score_value(_component_scores(messages, enrichment, window, thresholds), weight)
    table = _weighted(_components(messages, enrichment, window, thresholds), weight)
    previous = _components(messages, enrichment, window.previous(), thresholds)
    table["previous_raw_value"] = previous["raw_value"].to_numpy()
    table["previous_score"] = previous["score"].to_numpy()
    table["change"] = table["score"] - table["previous_score"]
    return HealthScore(value, table.reset_index(drop=True))


def health_component_score(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    component: str = "active_members",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Health component: one of the five parts of the health score, brought onto a 0-1 scale as the
    health score's definition describes.

    Unit: score (0-1)

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    component
        One of ``active_members``, ``responsiveness``, ``catalysts``, ``sentiment``, ``loyalty``.
    thresholds
        The client's thresholds.

    Returns
    -------
    float or None
        A score in [0, 1]; ``None`` when the component has no data.
    """
    if component not in COMPONENTS:
        raise ValueError(f"unknown health component {component!r}; known components: {', '.join(COMPONENTS)}")
    table = _components(messages, enrichment, window, thresholds).set_index("component")
    score = table.loc[component, "score"]
    return None if pd.isna(score) else float(score)


def health_score_value(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    weights: Mapping[str, float] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Health score, the number alone: the same 0-100 score, for tables of figures that show each component
    beside it (as the summary does).

    Unit: points (0-100)

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    weights
        The client's ``health_weights``.
    thresholds
        The client's thresholds.

    Returns
    -------
    float or None
        A score in [0, 100]; ``None`` when no component has data.
    """
    return _score_value(_component_scores(messages, enrichment, window, thresholds), _weights(weights))
