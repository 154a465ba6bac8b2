"""The portfolio overview: every client of an agency side by side, in the order to look at them.

A notebook opens the portfolio with :func:`open_portfolio` and calls one section per cell. Each client
under the data folder (a folder with a ``client.yml``) is opened as its own monthly
:class:`~community_health.report.Report` for the same month, and every figure is the metric the client
report shows, beside the previous period of equal length. Clients are ordered by how much in their
numbers calls for attention (negative spikes first, then slow or missing answers, falling sentiment,
shrinking activity), so the manager sees where to look first.

The health score comes from :mod:`community_health.metrics.health` when the library has it; without it
the overview simply leaves the score out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from community_health.charts import overview as figures
from community_health.config import ConfigError, Period
from community_health.metrics import listening, loyalty, responsiveness
from community_health.metrics._common import shared_work
from community_health.metrics.window import Change, compared_with_previous
from community_health.report.blocks import Block, Column, absent, chart, escape, format_hours, join
from community_health.report.scope import cover
from community_health.report.sections import Report, open_report
from community_health.report.workbook import write_workbook
from community_health.schema import Messages as M

try:  # the health score is being added to the library; the overview works with or without it
    from community_health.metrics import health
except ImportError:  # pragma: no cover - depends on the library's version
    health = None

ALL_CLIENTS = ("", "all")


def find_clients(data_dir: str | Path) -> list[str]:
    """Every client under ``data_dir``: the folders holding a ``client.yml``, sorted by name."""
    return sorted(p.parent.name for p in Path(data_dir).glob("*/client.yml"))


def select_clients(data_dir: str | Path, clients: str) -> list[str]:
    """The clients named in ``a,b`` (empty or ``all``: every client under ``data_dir``).

    Raises
    ------
    ConfigError
        When a named client has no folder, or there is no client at all; lists the clients found.
    """
    known = find_clients(data_dir)
    if str(clients).strip().casefold() in ALL_CLIENTS:
        chosen = known
    else:
        chosen = list(dict.fromkeys(n.strip() for n in str(clients).split(",") if n.strip()))
        missing = [n for n in chosen if n not in known]
        if missing:
            raise ConfigError(
                f"no client {', '.join(missing)} under {data_dir} "
                f"(clients found: {', '.join(known) or 'none'})"
            )
    if not chosen:
        raise ConfigError(f"no clients under {data_dir} (a client is a folder holding a client.yml)")
    return chosen


# ---------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """One figure of the overview: how it is computed for a client and how it reads."""

    key: str
    label: str
    fmt: str  # int, pct, hours, score
    higher_is_better: bool
    compute: Callable[[Report], Change]


def _change(
    metric: Callable[..., Any], *frames: str, **kwargs: Callable[[Report], Any]
) -> Callable[[Report], Change]:
    """A figure's computation: ``metric`` over the report's ``frames`` (attribute names), for the period and
    the previous one; keyword arguments are read from the report."""

    def compute(rpt: Report) -> Change:
        args = [getattr(rpt, name) for name in frames]
        return compared_with_previous(metric, rpt.window, *args, **{k: f(rpt) for k, f in kwargs.items()})

    return compute


def _thresholds(rpt: Report):
    return rpt.cfg.thresholds


def _target(rpt: Report) -> float:
    return rpt.cfg.thresholds.response_target_hours


def _weights(rpt: Report) -> dict[str, float]:
    return rpt.cfg.health_weights


FIGURES: list[Figure] = [
    Figure("active_members", "Active members", "int", True, _change(loyalty.active_member_count, "messages")),
    Figure(
        "median_first_response_hours",
        "Median first response",
        "hours",
        False,
        _change(responsiveness.median_first_response_hours, "messages"),
    ),
    Figure(
        "share_answered_within_target",
        "Answered within target",
        "pct",
        True,
        _change(responsiveness.share_answered_within_target, "messages", target_hours=_target),
    ),
    Figure(
        "net_sentiment",
        "Net sentiment",
        "signed_pct",
        True,
        _change(listening.net_sentiment, "messages", "enrichment", thresholds=_thresholds),
    ),
    Figure(
        "negative_spike_episodes",
        "Negative spike episodes",
        "int",
        False,
        _change(listening.negative_spike_episode_count, "messages", "enrichment", thresholds=_thresholds),
    ),
    Figure(
        "unanswered_member_threads",
        "Unanswered member threads",
        "int",
        False,
        _change(responsiveness.unanswered_member_thread_count, "messages"),
    ),
]
if health is not None:
    FIGURES.insert(
        0,
        Figure(
            "health_score",
            "Health score",
            "score",
            True,
            _change(
                health.health_score_value, "messages", "enrichment", weights=_weights, thresholds=_thresholds
            ),
        ),
    )


def client_figures(rpt: Report) -> dict[str, Change]:
    """Every figure of the overview for one client's period, beside the previous period."""
    with shared_work():
        return {figure.key: figure.compute(rpt) for figure in FIGURES}


def attention(rpt: Report, values: dict[str, Change]) -> tuple[int, list[str]]:
    """How much in a client's numbers calls for a look (points) and why, most pressing first.

    Each negative spike episode of the period weighs 3; an answer rate within target under 50 % or
    10 points down, a median first response over the target, a negative or 10-points-down net
    sentiment weigh 2 each; active members down 15 % or more, unanswered threads up by half (at least
    5), a health score 5 points down weigh 1 each.
    """
    reasons: list[tuple[int, str]] = []
    target = rpt.cfg.thresholds.response_target_hours
    spikes = values["negative_spike_episodes"].value or 0
    if spikes:
        first = rpt.spikes.iloc[0]
        reasons.append(
            (
                3 * int(spikes),
                f"{int(spikes)} negative spike{'s' if spikes > 1 else ''} (from "
                f"{pd.Timestamp(first['start']):%d %b}, "
                f"{int(first['negative_messages']):,} negative messages)",
            )
        )
    within = values["share_answered_within_target"]
    if within.value is not None and within.value < 0.5:
        reasons.append((2, f"only {within.value:.0%} of member threads answered within {target:g} h"))
    elif within.absolute is not None and within.absolute <= -0.10:
        reasons.append(
            (2, f"answered within {target:g} h fell {-within.absolute * 100:.0f} pts to {within.value:.0%}")
        )
    median = values["median_first_response_hours"]
    if median.value is not None and median.value > target:
        reasons.append((2, f"median first response {format_hours(median.value)} (target {target:g} h)"))
    net = values["net_sentiment"]
    if net.value is not None and net.value < 0:
        reasons.append((2, f"net sentiment negative ({net.value * 100:+.0f}%)"))
    elif net.absolute is not None and net.absolute <= -0.10:
        reasons.append((2, f"net sentiment fell {-net.absolute * 100:.0f} pts to {net.value * 100:+.0f}%"))
    active = values["active_members"]
    if active.relative is not None and active.relative <= -0.15:
        reasons.append((1, f"active members down {-active.relative:.0%} to {int(active.value):,}"))
    unanswered = values["unanswered_member_threads"]
    if (unanswered.value or 0) >= 5 and unanswered.relative is not None and unanswered.relative >= 0.5:
        reasons.append(
            (1, f"unanswered threads up to {int(unanswered.value):,} from {int(unanswered.previous):,}")
        )
    score = values.get("health_score")
    if score is not None and score.absolute is not None and score.absolute <= -5:
        reasons.append((1, f"health score down {-score.absolute:.0f} points to {score.value:.0f}"))
    reasons.sort(key=lambda r: -r[0])
    return sum(points for points, _ in reasons), [text for _, text in reasons]


@dataclass
class ClientRow:
    """One client of the portfolio: its report, its figures and what calls for attention."""

    slug: str
    rpt: Report
    values: dict[str, Change]
    points: int
    reasons: list[str]

    @property
    def name(self) -> str:
        return self.rpt.cfg.name


# ---------------------------------------------------------------------------------------------- portfolio


@dataclass
class Portfolio:
    """Every client side by side for one month; one method per section."""

    home: Report  # the client render was called with: the overview's colours and agency
    period: Period
    clients: list[ClientRow]
    #: Clients that could not be opened, with the reason (the others are still shown).
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def branding(self):
        return self.home.cfg.branding

    def _table(self, frame: pd.DataFrame, columns: list[Column], **kwargs) -> Block:
        return self.home._table(frame, columns, **kwargs)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per client, in priority order: each figure and its previous value."""
        rows = []
        for rank, row in enumerate(self.clients, start=1):
            record: dict[str, Any] = {
                "rank": rank,
                "client": row.name,
                "slug": row.slug,
                "points": row.points,
                "reasons": "; ".join(row.reasons) or "nothing unusual",
                "target": row.rpt.cfg.thresholds.response_target_hours,
            }
            for key, change in row.values.items():
                record[key] = change.value
                record[f"{key}_previous"] = change.previous
            rows.append(record)
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ sections
    def cover(self) -> Block:
        """Cover: the agency, the month, how many clients."""
        b = self.home.cfg
        previous = self.home._window_label(self.home.previous)
        note = ""
        if self.failed:
            note = "Not shown: " + "; ".join(f"{slug} ({why})" for slug, why in self.failed.items())
        return cover(
            b,
            b.branding.agency_name or "Portfolio",
            f"Portfolio overview · {self.period.label}",
            f"{len(self.clients):,} client{'' if len(self.clients) == 1 else 's'} · compared with "
            f"{previous} · each client in its own time zone",
            note=note,
            client_logo=False,
        )

    def where_to_look(self) -> Block:
        """Clients in the order to look at them, with the reasons, then every client's figures."""
        frame = self.frame
        first = frame.iloc[0]
        title = (
            f"Look at {first['client']} first: {first['reasons'].split('; ')[0]}"
            if first["points"]
            else "Nothing unusual in any client's numbers this month"
        )
        reading = (
            "Clients ordered by how much in their numbers calls for attention: negative spikes weigh most, "
            "then answers slower than the target, falling sentiment and shrinking activity."
        )
        ranking = self._table(
            frame,
            [
                Column("rank", "#", "int"),
                Column("client", "Client", width="22%"),
                Column("reasons", "What to look at", width="58%"),
                Column("points", "Attention points", "int"),
            ],
            title=title,
            reading=reading,
            limit=None,
            sheet="Where to look first",
            more=[Column("slug", "Folder")],
        )
        columns = [Column("client", "Client", width="20%")]
        more = []
        for f in FIGURES:
            fmt = {"score": "int", "signed_pct": "pct"}.get(f.fmt, f.fmt)
            columns.append(Column(f.key, f.label, fmt))
            more.append(Column(f"{f.key}_previous", f"{f.label}, previous period", fmt))
        return ranking + self._table(
            frame,
            columns,
            title="Health figures",
            reading=f"{self.period.label}, every figure as the client report defines it; the previous "
            "period's values are in tables.xlsx and beside each bar of the chart below.",
            limit=None,
            sheet="Portfolio figures",
            more=more,
        )

    def figures(self) -> Block:
        """Each figure for every client, this month against the previous one."""
        frame = self.frame
        panels = [
            {"key": f.key, "title": f.label + (" (hours)" if f.fmt == "hours" else ""), "fmt": f.fmt}
            for f in FIGURES
        ]
        title = f"{len(frame):,} client{'s' if len(frame) != 1 else ''} side by side"
        reading = (
            f"Bars: {self.period.label}; marks: the previous period of equal length. Response times in "
            "hours; shares of member threads and messages."
        )
        return chart(title, reading, figures.client_comparison(frame, panels, self.branding))

    def client_cards(self) -> Block:
        """Each client's key figures as in its own report (cards with change and trend), in priority order."""
        parts = []
        for rank, row in enumerate(self.clients, start=1):
            why = "; ".join(row.reasons) or "nothing unusual"
            parts.append(
                Block(
                    f'<section class="ch-block"><h3>{rank}. {escape(row.name)}</h3>'
                    f'<p class="ch-reading">{escape(why[0].upper() + why[1:])}.</p></section>'
                )
            )
            parts.append(row.rpt.health_at_a_glance(breakdown=False))
        return join(parts)

    def health(self) -> Block:
        """The health score of every client with its components (only when the library computes it)."""
        if health is None:
            return Block()
        rows = []
        for row in self.clients:
            score = health.health_score(
                row.rpt.messages,
                row.rpt.enrichment,
                row.rpt.window,
                row.rpt.cfg.health_weights,
                row.rpt.cfg.thresholds,
            )
            record = {"client": row.name, "score": score.value}
            for part in score.components.itertuples():
                record[part.component] = part.score
                record[f"{part.component}_change"] = part.change
                record[f"{part.component}_weight"] = part.effective_weight
            rows.append(record)
        frame = pd.DataFrame(rows)
        components = list(health.COMPONENTS)
        return self._table(
            frame,
            [
                Column("client", "Client", width="22%"),
                Column("score", "Score", "int"),
                *(Column(c, c.replace("_", " ").capitalize(), "pct") for c in components),
            ],
            title="Health score and its components",
            reading="Each component on a 0–100% scale (see the methodology of the client report); the score "
            "is their weighted mean with each client's weights from client.yml. Changes and weights are "
            "in tables.xlsx.",
            limit=None,
            sheet="Health components",
            more=[
                *(Column(f"{c}_change", f"{c} change", "float") for c in components),
                *(Column(f"{c}_weight", f"{c} weight", "float") for c in components),
            ],
        )

    def alerts(self) -> Block:
        """Every negative spike of every client this month, worst first, with who drove it."""
        rows = []
        for row in self.clients:
            rpt = row.rpt
            spikes = rpt.spikes
            if spikes.empty:
                continue
            drivers = listening.negative_spike_messages(
                rpt.messages, rpt.enrichment, rpt.window, rpt.cfg.thresholds, per_episode=None
            )
            drivers = rpt._names(
                drivers.sort_values(
                    ["author_followers", "sentiment"],
                    ascending=[False, True],
                    na_position="last",
                    kind="stable",
                )
            )
            for spike in spikes.itertuples():
                top = drivers.loc[drivers["episode"] == spike.episode].head(1)
                rows.append(
                    {
                        "client": row.name,
                        "start": spike.start,
                        "days": spike.days,
                        "negative_messages": spike.negative_messages,
                        "peak_z": spike.peak_z,
                        "author": top[M.author_name].iloc[0] if len(top) else None,
                        "followers": top["author_followers"].iloc[0] if len(top) else None,
                        "platform": top[M.platform].iloc[0] if len(top) else None,
                        "excerpt": top["excerpt"].iloc[0] if len(top) else None,
                        "url": top[M.url].iloc[0] if len(top) else None,
                    }
                )
        if not rows:
            return absent(
                "Early warning",
                f"No client had a negative spike in {self.period.label}: every day's negative volume stayed "
                "within its usual range.",
            )
        frame = pd.DataFrame(rows).sort_values(
            ["peak_z", "negative_messages", "followers"], ascending=False, na_position="last", kind="stable"
        )
        worst = frame.iloc[0]
        title = (
            f"{len(frame):,} negative spike{'s' if len(frame) > 1 else ''}; the worst at {worst['client']} "
            f"from {pd.Timestamp(worst['start']):%d %b}"
        )
        return self._table(
            frame,
            [
                Column("client", "Client"),
                Column("start", "From", "date"),
                Column("days", "Days", "int"),
                Column("negative_messages", "Negative messages", "int"),
                Column("peak_z", "Peak z", "float"),
                Column("author", "Best-connected author"),
                Column("followers", "Followers", "int"),
                Column("excerpt", "Their message", width="34%"),
            ],
            title=title,
            reading="Days whose negative messages rose far above their usual level (robust z-score against "
            "the previous four weeks), worst first; beside each, the angriest message of its "
            "best-connected author.",
            limit=None,
            sheet="Early warning",
            more=[Column("platform", "Platform"), Column("url", "Link")],
        )

    def response_times(self) -> Block:
        """Time to first response of every client: by anyone, by the brand in and out of business hours."""
        rows = []
        for row in self.clients:
            rpt = row.rpt
            m, w = rpt.messages, rpt.window
            target = rpt.cfg.thresholds.response_target_hours
            brand = responsiveness.first_response_hours_by_business_hours(
                m, w, rpt.cfg.business_hours, responsiveness.Responder.BRAND
            )
            rows.append(
                {
                    "label": row.name,
                    "threads": responsiveness.member_thread_count(m, w),
                    "anyone": responsiveness.median_first_response_hours(m, w),
                    "p90": responsiveness.p90_first_response_hours(m, w),
                    "brand_business": brand.loc["business hours", "median_hours"],
                    "brand_off": brand.loc["off hours", "median_hours"],
                    "within": responsiveness.share_answered_within_target(m, w, target_hours=target),
                    "target": target,
                    "unanswered": responsiveness.unanswered_member_thread_count(m, w),
                    "longest": responsiveness.longest_open_wait_hours(m, w),
                }
            )
        frame = pd.DataFrame(rows)
        answered = frame.dropna(subset=["anyone"])
        if answered.empty:
            return absent(
                "Response times", f"No client's members started a conversation in {self.period.label}."
            )
        for column in ("anyone", "brand_business", "brand_off"):
            frame[f"{column}_text"] = [format_hours(v) if pd.notna(v) else "" for v in frame[column]]
        slowest = frame.sort_values("brand_off", ascending=False, na_position="last", kind="stable").iloc[0]
        title = (
            f"{slowest['label']}: the brand's median first reply took "
            f"{format_hours(slowest['brand_off'])} off hours"
            if pd.notna(slowest["brand_off"])
            else "Median time to first response per client"
        )
        reading = (
            "Median hours from a member starting a thread to the first reply; the red marks are each "
            "client's own response target (client.yml)."
        )
        block = chart(title, reading, figures.channel_response_times(frame, frame["target"], self.branding))
        return block + self._table(
            frame,
            [
                Column("label", "Client", width="20%"),
                Column("threads", "Member threads", "int"),
                Column("anyone", "Median, anyone", "hours"),
                Column("brand_business", "Brand, business hours", "hours"),
                Column("brand_off", "Brand, off hours", "hours"),
                Column("within", "Within target", "pct"),
                Column("target", "Target", "hours"),
                Column("unanswered", "Unanswered", "int"),
            ],
            title="Response times per client",
            limit=None,
            sheet="Response times",
            more=[
                Column("p90", "90th percentile, anyone", "hours"),
                Column("longest", "Longest wait", "hours"),
            ],
        )

    # ------------------------------------------------------------------ outputs
    def summary(self) -> dict[str, Any]:
        """The overview as plain JSON data: every client's figures and reasons, in priority order."""
        return {
            "period": str(self.period),
            "period_label": self.period.label,
            "clients": [
                {
                    "client": row.slug,
                    "client_name": row.name,
                    "attention_points": row.points,
                    "reasons": row.reasons,
                    "figures": {key: change.as_dict(4) for key, change in row.values.items()},
                }
                for row in self.clients
            ],
            "failed": self.failed,
        }

    def write_outputs(self, output_dir: str | Path | None) -> None:
        """Write ``metrics.json`` (the overview's figures per client) and ``tables.xlsx`` (every table in
        full) into ``output_dir`` (nothing when it is empty)."""
        if not output_dir:
            return
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / ".metrics.json.tmp"
        tmp.write_text(
            json.dumps(self.summary(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(tmp, out / "metrics.json")
        write_workbook(out / "tables.xlsx", self.home.shown_tables, self.home.cfg.timezone)


def open_portfolio(
    client: str = "demo",
    period: str = "",
    *,
    clients: str = "all",
    data_dir: str | Path = "data",
    pseudonymise: bool = False,
) -> Portfolio:
    """Open every client under ``data_dir`` (or those ``clients`` names, ``a,b``) for the same month.

    ``client`` gives the overview its colours and agency name; ``period`` (``YYYY-MM``) defaults to
    its last complete month. A client that cannot be opened (broken ``client.yml``, no data) is listed
    on the cover and left out; the others are shown.
    """
    home = open_report(client, period, data_dir=data_dir, pseudonymise=pseudonymise)
    rows, failed = [], {}
    for slug in select_clients(data_dir, clients):
        try:
            rpt = (
                home
                if slug == client
                else open_report(slug, str(home.period), data_dir=data_dir, pseudonymise=pseudonymise)
            )
        except Exception as exc:  # one broken client never hides the others; its reason is shown
            failed[slug] = str(exc)
            continue
        values = client_figures(rpt)
        points, reasons = attention(rpt, values)
        rows.append(ClientRow(slug, rpt, values, points, reasons))
    if not rows:
        raise ConfigError(f"no client could be opened: {'; '.join(f'{s}: {w}' for s, w in failed.items())}")
    score = "health_score"

    def order(row: ClientRow) -> tuple:
        value = row.values[score].value if score in row.values else None
        return (-row.points, float("inf") if value is None else value, row.name.casefold())

    rows.sort(key=order)
    return Portfolio(home, home.period, rows, failed)


__all__ = [
    "FIGURES",
    "Portfolio",
    "attention",
    "client_figures",
    "find_clients",
    "open_portfolio",
    "select_clients",
]
