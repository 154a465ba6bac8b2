"""The sections of the client report, each a method that returns one displayable block.

A notebook opens a :class:`Report` with :func:`open_report` and calls one method per cell. Every
figure is computed by the metric functions for the period and the previous period of equal length;
every sentence of reading is written from those numbers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pandas as pd

from community_health import charts
from community_health.charts import overview as charts_overview
from community_health.config import ClientConfig, Period, load_client, read_events
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
from community_health.metrics._common import PERSON, shared_work
from community_health.metrics.window import Window, compared_with_previous
from community_health.report import verbatims as quotes
from community_health.report.blocks import (
    Block,
    Column,
    Kpi,
    absent,
    breakable,
    chart,
    escape,
    format_hours,
    format_value,
    image_tag,
    kpi_cards,
    paragraph,
    table,
)
from community_health.report.commentary import Commentary, read_commentary
from community_health.report.labels import (
    channel_label,
    channel_labels,
    named_places,
    platform_name,
    short_channel_label,
)
from community_health.report.workbook import write_workbook
from community_health.schema import Messages as M

_R = TypeVar("_R")

CORE_CHART_ROWS = 25
ADVOCATES_SHOWN = 15
COHORT_MONTHS = 6  # cohorts drawn in the loyalty section's retention triangle
TERMS_SHOWN = 10  # distinctive words drawn at each end (high and low engagement)
#: How each part of the health score is named to a client, and how its raw value is shown.
HEALTH_PARTS = {
    "active_members": ("Active members against usual", "int"),
    "responsiveness": ("Threads answered within target", "pct"),
    "catalysts": ("Members answering members", "pct"),
    "sentiment": ("Net sentiment", "pct"),
    "loyalty": ("Returning members", "pct"),
}
#: The key metrics of an event's impact, as named in the campaigns section (scope "all" only).
IMPACT_METRICS = {
    "engagement_rate": "engagement rate<br>of posts (pts)",
    "member_messages_per_day": "member messages<br>a day",
    "active_members_per_day": "active members<br>a day",
    "net_sentiment": "net sentiment<br>(-1 to 1)",
}
RAW_EXCERPT_CHARS = 160  # of a quarantined row, in the report (the workbook has it all)
TREND_MONTHS = 6  # months drawn in a KPI card's trend line
MIN_THREADS_FOR_RESPONSE_CHART = 3


def _sharing(method: Callable[..., _R]) -> Callable[..., _R]:
    """Run a section with the report's memo of intermediate tables (see ``shared_work``): what one
    section computes for a window (threads, first responses, scored messages), the next reuses."""

    @functools.wraps(method)
    def wrapper(self: Report, *args: Any, **kwargs: Any) -> _R:
        with shared_work(self.memo):
            return method(self, *args, **kwargs)

    return wrapper


def member_pseudonym(platform: str, author_id: str, person: object = None) -> str:
    """The pseudonym of a member: one per person when ``aliases`` join accounts, else one per account."""
    return pseudonym("person", person) if isinstance(person, str) else pseudonym(platform, author_id)


def pseudonym(platform: str, author_id: str) -> str:
    """A stable pseudonym for a member: the same person gets the same name in every output."""
    digest = hashlib.sha256(f"{platform}:{author_id}".encode()).hexdigest()[:6]
    return f"Member {digest}"


def _pct(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value * 100:.0f}%"


def _trend_word(change: float | None, up: str = "up", down: str = "down") -> str:
    if change is None or abs(change) < 1e-9:
        return "unchanged"
    return up if change > 0 else down


@dataclass
class Report:
    """Everything one report needs: the client, the period, the tables, and the manager's words."""

    cfg: ClientConfig
    period: Period
    window: Window
    messages: pd.DataFrame  # normalised messages
    enrichment: pd.DataFrame  # per-message sentiment, question, complaint
    posts: pd.DataFrame
    quarantine: pd.DataFrame
    ingest_log: pd.DataFrame
    events: pd.DataFrame
    commentary: Commentary
    final: bool = False
    pseudonymise: bool = False
    #: Every table shown so far, in full (title -> (frame, columns)): the sheets of tables.xlsx.
    shown_tables: dict[str, tuple[pd.DataFrame, list[Column]]] = field(default_factory=dict, repr=False)
    #: Intermediate tables the sections share (see :func:`~community_health.metrics._common.shared_work`).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def _table(
        self, frame: pd.DataFrame, columns: list[Column], *, sheet: str, more: list[Column] = (), **kwargs
    ) -> Block:
        """A table in the report (its first rows) whose every row also goes to tables.xlsx, with the
        ``more`` columns that are too wide for the page (full text, links)."""
        if M.platform in frame.columns:
            frame = named_places(frame)
        self.shown_tables[sheet] = (frame, [*columns, *more])
        return table(self._local_times(frame), columns, **kwargs)

    def _local_times(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Every zone-aware time column shown in the client's time zone (dates are local dates too)."""
        aware = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
        if not aware:
            return frame
        return frame.assign(**{c: frame[c].dt.tz_convert(self.cfg.timezone) for c in aware})

    # ------------------------------------------------------------------ helpers
    @property
    def previous(self) -> Window:
        return self.window.previous()

    @property
    def branding(self):
        return self.cfg.branding

    @property
    def is_draft(self) -> bool:
        return not self.commentary.present

    @cached_property
    def member_side(self) -> bool:
        """Whether any export holds members' own messages (chat, forum, comments, mentions)."""
        return bool(len(self.messages))

    def _local(self, moment: pd.Timestamp) -> pd.Timestamp:
        moment = pd.Timestamp(moment)
        if moment.tzinfo is None:  # the metrics' naive times are UTC
            moment = moment.tz_localize("UTC")
        return moment.tz_convert(self.cfg.timezone)

    # ------------------------------------------------------------------ cover and summary
    @_sharing
    def cover(self) -> Block:
        """Cover: client, period, channels, colours; marked as a draft without commentary."""
        b = self.branding
        channels = sorted(
            {
                platform_name(p)
                for p in {*self.messages[M.platform].unique(), *self.posts["platform"].unique()}
            }
        )
        style = (
            "<style>:root{"
            f"--ch-primary:{escape(b.primary)};--ch-secondary:{escape(b.secondary)};"
            f"--ch-accent:{escape(b.accent)};--ch-negative:{escape(b.negative)};--ch-font:{escape(b.font)}"
            "}</style>"
        )
        draft = (
            '<div class="ch-draft">DRAFT · no commentary from the community manager yet</div>'
            if self.is_draft
            else ""
        )
        agency_logo = image_tag(b.agency_logo, "ch-agency-logo", b.agency_name or "agency")
        agency = (
            f'<div class="ch-agency">{agency_logo}<span>{escape(b.agency_name)}</span></div>'
            if b.agency_name or agency_logo
            else ""
        )
        logo = image_tag(b.logo, "ch-logo", self.cfg.name)
        return Block(
            f'{style}<header class="ch-cover">{agency}{logo}<h1>{escape(self.cfg.name)}</h1>'
            f'<div class="ch-subtitle">Community health report · {escape(self.period.label)}</div>'
            f'<div class="ch-meta">Channels: {escape(", ".join(channels) or "none")} · '
            f"compared with {escape(self._window_label(self.previous))} · "
            f"times in {escape(self.cfg.timezone)}</div>{draft}</header>"
        )

    def _window_label(self, window: Window) -> str:
        start = self._local(window.start)
        end = self._local(window.end - pd.Timedelta(seconds=1))
        return f"{start:%d %b} – {end:%d %b %Y}"

    @_sharing
    def executive_summary(self) -> Block:
        """The manager's commentary, then the key figures with their change."""
        if self.commentary.present:
            parts = [f'<div class="ch-commentary">{self._commentary_html("executive summary")}</div>']
            for part in ("highlights", "recommendations"):
                if self.commentary.parts.get(part):
                    parts.append(
                        f'<h3>{part.capitalize()}</h3><div class="ch-commentary">'
                        f"{self._commentary_html(part)}</div>"
                    )
            text = Block("".join(parts))
        else:
            text = Block(
                '<p class="ch-absent">The community manager has not written the commentary for this period '
                f"yet: write {escape(str(self.commentary.path))} (executive summary, highlights, "
                "recommendations). Until then this report is a draft.</p>"
            )
        return text + paragraph(self.key_findings())

    @_sharing
    def key_findings(self) -> str:
        """One sentence of the period's key figures, written from the numbers."""
        active = compared_with_previous(loyalty.active_member_count, self.window, self.messages)
        median = responsiveness.median_first_response_hours(self.messages, self.window)
        unanswered = responsiveness.unanswered_member_thread_count(self.messages, self.window)
        spikes = self.spikes
        sentence = (
            f"In {self.period.label}, {active.value or 0:,} members were active "
            f"({_trend_word(active.absolute)} from {active.previous or 0:,}); member threads got a first "
            f"reply in a median {format_hours(median)}, {unanswered:,} went unanswered"
        )
        if len(spikes):
            first = spikes.iloc[0]
            sentence += (
                f"; negative messages spiked in the week of {self._local(first['start']):%d %B} "
                f"({int(first['negative_messages']):,} negative messages)"
            )
        return sentence + "."

    @_sharing
    def health_at_a_glance(self, breakdown: bool = True) -> Block:
        """KPI cards: value, change versus the previous period coloured by whether it is good news, and
        the figure's trend over the last months; with ``breakdown``, the health score taken apart."""
        m, target = self.messages, self.cfg.thresholds.response_target_hours
        specs = [
            ("Active members", loyalty.active_member_count, (m,), {}, "int", True),
            ("New members", loyalty.new_member_count, (m,), {}, "int", True),
            ("Member messages", loyalty.member_message_count, (m,), {}, "int", True),
            ("Median first response", responsiveness.median_first_response_hours, (m,), {}, "hours", False),
            (
                f"Answered within {target:g} h",
                responsiveness.share_answered_within_target,
                (m,),
                {"target_hours": target},
                "pct",
                True,
            ),
            (
                "Unanswered member threads",
                responsiveness.unanswered_member_thread_count,
                (m,),
                {},
                "int",
                False,
            ),
            (
                "Threads started by members",
                catalysts.share_of_threads_started_by_members,
                (m,),
                {},
                "pct",
                True,
            ),
            (
                "Net sentiment",
                listening.net_sentiment,
                (m, self.enrichment),
                {"thresholds": self.cfg.thresholds},
                "pct",
                True,
            ),
        ]
        if len(self.posts):
            specs.append(
                ("Brand post engagement rate", resonance.mean_engagement_rate, (self.posts,), {}, "pct", True)
            )
        specs.insert(
            0,
            (
                "Health score (0-100)",
                health.health_score_value,
                (m, self.enrichment),
                {"weights": self.cfg.health_weights, "thresholds": self.cfg.thresholds},
                "points",
                True,
            ),
        )
        cards = []
        for label, metric, frames, kwargs, fmt, higher in specs:
            trend = self._trend(metric, *frames, **kwargs)
            value, previous = self._pair(metric, *frames, **kwargs)
            cards.append(Kpi(label, value, previous, fmt, higher_is_better=higher, trend=trend))
        first = self.period.previous(TREND_MONTHS - 1)
        return kpi_cards(
            cards, trend_label=f"Trend lines: {first.label} to {self.period.label}, month by month."
        ) + (self.health_score() if breakdown else Block())

    @_sharing
    def health_score(self) -> Block:
        """The health score taken apart: each component's score, weight and contribution, beside the
        previous period."""
        score = health.health_score(
            self.messages,
            self.enrichment,
            self.window,
            weights=self.cfg.health_weights,
            thresholds=self.cfg.thresholds,
        )
        if score.value is None:
            return absent(
                "Health score",
                "None of the health score's parts could be measured this period: it needs member "
                "messages (conversations, comments or mentions).",
            )
        previous = health.health_score_value(
            self.messages,
            self.enrichment,
            self.previous,
            weights=self.cfg.health_weights,
            thresholds=self.cfg.thresholds,
        )
        parts = score.components.assign(
            label=[HEALTH_PARTS[c][0] for c in score.components["component"]],
            weight=score.components["effective_weight"],
        )
        parts["measured"] = [
            format_value(v, HEALTH_PARTS[c][1])
            for c, v in zip(parts["component"], parts["raw_value"], strict=True)
        ]
        parts["previous_measured"] = [
            format_value(v, HEALTH_PARTS[c][1])
            for c, v in zip(parts["component"], parts["previous_raw_value"], strict=True)
        ]
        for column in ("score", "previous_score", "change"):
            parts[column] = parts[column] * 100
        if previous is None:
            title = f"Community health scored {score.value:.0f} of 100"
        else:
            delta = score.value - previous
            title = f"Community health scored {score.value:.0f} of 100, " + (
                f"{_trend_word(delta)} {abs(delta):.0f} from {previous:.0f}" if round(delta) else "as before"
            )
        measured = parts.dropna(subset=["score"])
        weakest = measured.sort_values(["score", "component"], kind="stable").iloc[0]
        moved = measured.dropna(subset=["change"])
        reading = (
            f"The score is the weighted mean of {len(measured)} parts, each brought onto 0-100; the "
            f"weights are the client's. Weakest part: {weakest['label'].lower()} ({weakest['score']:.0f})."
        )
        if len(moved):
            biggest = moved.loc[moved["change"].abs().idxmax()]
            reading += (
                f" Largest move: {biggest['label'].lower()}, {biggest['change']:+.0f} points "
                f"({biggest['previous_measured']} → {biggest['measured']})."
            )
        frame = parts.assign(score=parts["score"] / 100, previous_score=parts["previous_score"] / 100)
        block = chart(title, reading, charts.health_components(frame, self.branding))
        return block + self._table(
            parts,
            [
                Column("label", "Part"),
                Column("measured", "Measured"),
                Column("previous_measured", "Previous"),
                Column("score", "Score", "points"),
                Column("previous_score", "Previous score", "points"),
                Column("weight", "Weight", "pct"),
                Column("points", "Points", "float"),
            ],
            title="How the health score is made",
            reading="Points: each part's contribution to the score out of 100 (score × weight).",
            limit=None,
            sheet="Health score",
            more=[Column("metric", "Metric"), Column("normalisation", "Brought onto 0-100 as")],
        )

    def _trend(self, metric, *frames: pd.DataFrame, **kwargs) -> tuple[float | None, ...]:
        """The metric for each of the last TREND_MONTHS calendar months, oldest first."""
        values = []
        for k in range(TREND_MONTHS - 1, -1, -1):
            window = Window.from_period(self.period.previous(k), self.cfg.timezone)
            value = metric(*frames, window=window, **kwargs)
            values.append(None if value is None else float(value))
        return tuple(values)

    def _pair(self, metric, *frames: pd.DataFrame, **kwargs) -> tuple[float | None, float | None]:
        change = compared_with_previous(metric, self.window, *frames, **kwargs)
        return change.value, change.previous

    @_sharing
    def verbatims(self) -> Block:
        """The manager's chosen verbatims, quoted, then suggestions to choose from: per channel the most
        positive and the most negative member message of the period."""
        chosen = self._names(quotes.chosen_verbatims(self.messages, self.commentary.verbatims))
        shown = []
        for row in chosen.itertuples():
            if not row.found:
                shown.append(
                    f'<p class="ch-absent">Verbatim {escape(row.reference)} is not in the data: check the id '
                    f"in {escape(str(self.commentary.path))}.</p>"
                )
                continue
            when = self._local(row.created_at)
            where = channel_label(row.platform, row.channel)
            who = f"{row.author_name or row.author_id}, {where}, {when:%d %b %Y}"
            note = (
                f" · {escape(self._scrub(row.note) if self.pseudonymise else row.note)}" if row.note else ""
            )
            shown.append(
                f'<blockquote class="ch-quote"><p>{breakable(str(row.text))}</p>'
                f"<footer>{escape(who)}{note}</footer></blockquote>"
            )
        block = (
            Block(
                '<section class="ch-block ch-table-block"><h3>In members\' own words</h3>'
                + "".join(shown)
                + "</section>"
            )
            if shown
            else Block()
        )
        suggested = self._names(
            quotes.suggested_verbatims(self.messages, self.enrichment, self.window, self.cfg.thresholds)
        )
        return block + self._table(
            suggested,
            [
                Column("tone", "Tone"),
                Column(M.platform, "Where"),
                Column(M.channel, "Channel"),
                Column(M.author_name, "Member"),
                Column(M.text, "Message", width="50%"),
                Column("sentiment", "Sentiment", "float"),
            ],
            title="Verbatims to choose from",
            reading="Per channel, the period's most positive and most negative member message; add the "
            f"ones worth quoting to the Verbatims list of {self.commentary.path.name}.",
            limit=12,
            empty="No member message of a quotable length this period.",
            sheet="Suggested verbatims",
            more=[Column(M.message_id, "Message id"), Column(M.url, "Link")],
        )

    # ------------------------------------------------------------------ listening
    @cached_property
    @_sharing
    def spikes(self) -> pd.DataFrame:
        return listening.negative_spike_episodes(
            self.messages, self.enrichment, self.window, self.cfg.thresholds
        )

    @_sharing
    def listening(self) -> Block:
        """Sentiment by channel for the period."""
        if not self.member_side:
            return absent(
                "Sentiment by channel",
                "No export with members' own messages or mentions: sentiment cannot be measured.",
            )
        by_channel = listening.sentiment_by_channel(
            self.messages, self.enrichment, self.window, self.cfg.thresholds
        )
        if by_channel.empty:
            return absent("Sentiment by channel", "No member messages in this period.")
        frame = by_channel.reset_index().rename(columns={"net_sentiment": "net"})
        frame = frame.assign(channel=channel_labels(frame))
        worst = frame.sort_values("net").iloc[0]
        overall = listening.net_sentiment(self.messages, self.enrichment, self.window, self.cfg.thresholds)
        title = (
            f"Net sentiment {_pct(overall)}; {worst['channel']} was the most negative channel"
            if worst["net"] < 0
            else f"Net sentiment {_pct(overall)}, positive in every channel"
        )
        reading = (
            f"Share of positive minus share of negative member messages per channel; overall "
            f"{_pct(overall)} this period."
        )
        return chart(
            title,
            reading,
            charts.net_sentiment_by_channel(frame[["channel", "net", "messages"]], self.branding),
        )

    @_sharing
    def early_warning(self) -> Block:
        """Daily negative volume against its trailing baseline, spikes and the messages driving them."""
        if not self.member_side:
            return absent("Early warning", "No member-level export: negative spikes cannot be detected.")
        by_day = listening.negative_volume_by_day(
            self.messages, self.enrichment, self.window, self.cfg.thresholds
        )
        daily = pd.DataFrame(
            {
                "date": by_day.index,
                "negative": by_day["negative_messages"].to_numpy(),
                "baseline": by_day["baseline_median"].to_numpy(),
            }
        )
        spikes = self.spikes
        spike_days = daily.loc[by_day["spike"].to_numpy(), ["date", "negative"]]
        if len(spikes):
            first = spikes.iloc[0]
            title = (
                f"Negative messages spiked from {self._local(first['start']):%d %b} "
                f"({int(first['negative_messages']):,} in {int(first['days'])} days)"
            )
            reading = (
                "Each bar is a day's negative member messages and mentions; the dotted line is the "
                "usual level over the previous four weeks. Triangles mark days far above it."
            )
        else:
            title = "No negative spike this period"
            reading = "Daily negative volume stayed within its usual range (trailing four-week median)."
        block = chart(title, reading, charts.negative_volume(daily, spike_days, self.branding))
        if len(spikes):
            drivers = listening.negative_spike_messages(
                self.messages, self.enrichment, self.window, self.cfg.thresholds, per_episode=None
            )
            drivers = drivers.loc[drivers["episode"] == spikes.iloc[0]["episode"]]
            drivers = self._names(
                drivers.sort_values(
                    ["author_followers", "sentiment"],
                    ascending=[False, True],
                    na_position="last",
                    kind="stable",
                )
            )
            block = block + self._table(
                drivers,
                [
                    Column("created_at", "When", "datetime"),
                    Column("platform", "Where"),
                    Column(M.author_name, "Author"),
                    Column("author_followers", "Followers", "int"),
                    Column("sentiment", "Sentiment", "float"),
                    Column("excerpt", "Message", width="42%"),
                ],
                title="What drove the spike",
                sheet="Spike messages",
                reading="The most negative messages of the spike, the best-connected authors first.",
                limit=10,
            )
        return block

    # ------------------------------------------------------------------ responsiveness
    @_sharing
    def responsiveness(self) -> Block:
        """Time to first response by anyone and by the brand, in and out of business hours."""
        m, w, bh = self.messages, self.window, self.cfg.business_hours
        threads = responsiveness.member_thread_count(m, w)
        if threads < MIN_THREADS_FOR_RESPONSE_CHART:
            return absent("Time to first response", f"Only {threads} member threads started this period.")
        rows = []
        for responder, label in (
            (responsiveness.Responder.ANYONE, "anyone"),
            (responsiveness.Responder.BRAND, "the brand"),
        ):
            split = responsiveness.first_response_hours_by_business_hours(m, w, bh, responder)
            for started, row in split.iterrows():
                rows.append(
                    {
                        "group": f"by {label}, {started}",
                        "median": row["median_hours"],
                        "p90": row["p90_hours"],
                    }
                )
        frame = pd.DataFrame(rows).fillna(0.0)
        brand = responsiveness.first_response_hours_by_business_hours(
            m, w, bh, responsiveness.Responder.BRAND
        )
        inside, outside = brand.loc["business hours", "median_hours"], brand.loc["off hours", "median_hours"]
        title = (
            f"The brand replied in a median {format_hours(inside)} in business hours, "
            f"{format_hours(outside)} outside them"
        )
        target = self.cfg.thresholds.response_target_hours
        share = responsiveness.share_answered_within_target(m, w, target_hours=target)
        reading = (
            f"{threads:,} member threads started this period; {_pct(share)} got a first reply from "
            f"anyone within the {target:g} h target. Business hours: "
            f"{self._business_hours_text()} ({self.cfg.timezone})."
        )
        return chart(title, reading, charts.response_times(frame, self.branding))

    def _business_hours_text(self) -> str:
        bh = self.cfg.business_hours
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = f"{names[min(bh.days)]}–{names[max(bh.days)]}" if bh.days else "never"
        return f"{days} {bh.start:%H:%M}–{bh.end:%H:%M}"

    @_sharing
    def unanswered(self) -> Block:
        """Member threads nobody answered, longest wait first."""
        frame = self._names(responsiveness.unanswered_member_threads(self.messages, self.window))
        longest = responsiveness.longest_open_wait_hours(self.messages, self.window)
        reading = (
            f"{len(frame):,} member threads started this period had no reply from anyone by its end; "
            f"the longest had been waiting {format_hours(longest)}."
        )
        return self._table(
            frame,
            [
                Column("started_at", "Started", "datetime"),
                Column("platform", "Where"),
                Column("channel", "Channel"),
                Column(M.author_name, "Member"),
                Column("excerpt", "Message", width="40%"),
                Column("hours_waiting", "Waiting", "hours"),
            ],
            more=[Column(M.url, "Link"), Column(M.thread_id, "Thread id")],
            title=f"{len(frame):,} questions went unanswered",
            reading=reading,
            limit=12,
            sheet="Unanswered threads",
        )

    # ------------------------------------------------------------------ catalysts
    @_sharing
    def catalysts(self) -> Block:
        """Who starts conversations, and whether members answer each other."""
        m, w = self.messages, self.window
        starters = catalysts.threads_by_starter(m, w)
        total = int(starters["threads"].sum())
        if total == 0:
            return absent("Who starts conversations", "No threads started this period.")
        m2m = catalysts.member_to_member_reply_share(m, w)
        replies = catalysts.reply_targets(m, w)
        no_catalyst = catalysts.conversations_without_catalyst_count(m, w)
        members_share = float(starters.loc["member", "share"])
        frame = pd.DataFrame(
            {
                "label": [
                    "threads started by members",
                    "threads started by the brand",
                    "replies member to member",
                    "member threads with no brand message",
                ],
                "share": [
                    members_share,
                    float(starters.loc["brand", "share"]),
                    m2m or 0.0,
                    catalysts.conversations_without_catalyst_share(m, w) or 0.0,
                ],
                "count": [
                    int(starters.loc["member", "threads"]),
                    int(starters.loc["brand", "threads"]),
                    int(replies["member_to_member"].sum()),
                    no_catalyst,
                ],
            }
        )
        title = (
            f"Members started {_pct(members_share)} of conversations and "
            f"{no_catalyst:,} ran without the brand"
        )
        reading = (
            f"Of {total:,} threads started this period, {_pct(members_share)} were started by members; "
            f"{_pct(m2m)} of replies were one member answering another."
        )
        return chart(title, reading, charts.shares(frame, self.branding, "share")) + self.one_to_one()

    @_sharing
    def one_to_one(self) -> Block:
        """The brand's messages: replies to one member against posts to everyone, per platform."""
        mix = catalysts.brand_messages_by_audience(self.messages, self.window)
        if mix.empty or int(mix[["one_to_one_replies", "broadcast_posts"]].to_numpy().sum()) == 0:
            return absent(
                "One-to-one and broadcast",
                "The brand wrote no post and no reply in the exported conversations this period.",
            )
        share = catalysts.one_to_one_share(self.messages, self.window)
        before = catalysts.one_to_one_share(self.messages, self.previous)
        replies, posts = int(mix["one_to_one_replies"].sum()), int(mix["broadcast_posts"].sum())
        title = f"{_pct(share)} of the brand's messages answered a member one to one" + (
            f", {_trend_word(share - before)} from {_pct(before)}"
            if before is not None and share is not None and abs(share - before) >= 0.005
            else ""
        )
        reading = (
            f"{replies:,} replies to a member against {posts:,} posts to everyone. A reply is one to one "
            "when the message it answers, or else the thread's first message, was a member's."
        )
        if int(mix["other_replies"].sum()):
            reading += (
                f" {int(mix['other_replies'].sum()):,} other brand replies answered the brand or a bot."
            )
        return chart(title, reading, charts.audience_mix(mix.rename(index=platform_name), self.branding))

    @staticmethod
    def _named_channels(members: pd.DataFrame) -> pd.DataFrame:
        """A member table whose ``channels`` are named as a person reads them (``#help``, ``category 6``);
        its ``platform`` is named by :meth:`_table` like every table's."""

        def named(platform: str, channels: str) -> str:
            return ", ".join(short_channel_label(platform, c) for c in str(channels).split(", "))

        return members.assign(
            channels=[named(p, c) for p, c in zip(members[M.platform], members["channels"], strict=True)]
        )

    # ------------------------------------------------------------------ dead time
    @_sharing
    def dead_time(self) -> Block:
        """Member activity by hour of the week beside the brand's presence."""
        m, w = self.messages, self.window
        members = dead_time.member_activity_by_hour_of_week(m, w)
        if float(members.to_numpy().sum()) == 0:
            return absent("Dead time", "No member messages this period.")
        brand = dead_time.brand_presence_by_hour_of_week(m, w)
        unattended = dead_time.unattended_member_hours(m, w)
        share_unattended = dead_time.share_of_member_messages_in_unattended_hours(m, w)
        silent = dead_time.share_of_hours_without_member_activity(m, w)
        busiest = unattended.head(3)
        when = ", ".join(f"{r.day[:3]} {int(r.hour):02d}:00" for r in busiest.itertuples())
        title = (
            f"{_pct(share_unattended)} of member messages came in hours the brand never covered"
            if share_unattended
            else "The brand was present whenever members were active"
        )
        reading = (
            f"Busiest unattended hours: {when or 'none'}. {_pct(silent)} of the week's hours had no "
            f"member activity at all. Dots mark the hours in which the brand wrote at least once. "
            f"Hours in {self.cfg.timezone}."
        )
        return chart(title, reading, charts.hour_of_week_heatmap(members, brand, self.branding))

    # ------------------------------------------------------------------ core group
    @_sharing
    def core_group(self) -> Block:
        """The smallest set of members who produce half of member activity."""
        group = self._names(core.core_group(self.messages, self.window))
        if group.empty:
            return absent("Core group", "No member messages this period.")
        active = loyalty.active_member_count(self.messages, self.window)
        share = float(group["share"].sum())
        title = f"{len(group):,} members wrote {_pct(share)} of all member messages"
        reading = (
            f"The core group is the smallest set of members producing at least half of member "
            f"activity: {len(group):,} of {active:,} active members "
            f"({_pct(len(group) / active if active else None)})."
        )
        frame = group.rename(columns={M.author_name: "name"})
        frame = frame.assign(
            name=frame["name"].fillna(frame[M.author_id]) + " (" + frame["platform"].map(platform_name) + ")"
        )
        note = (
            f"The {CORE_CHART_ROWS} most active of the {len(group):,} are drawn."
            if len(group) > CORE_CHART_ROWS
            else ""
        )
        block = chart(
            title, reading, charts.core_group(frame.head(CORE_CHART_ROWS), self.branding), note=note
        )
        return block + self.onion() + self.orbit()

    @_sharing
    def onion(self) -> Block:
        """The onion: the members behind 80%, the next 15% and the last 5% of member messages."""
        layers = core.onion_layers(self.messages, self.window)
        if int(layers["members"].sum()) == 0:
            return absent("Onion", "No member messages this period.")
        inner = layers.loc["core"]
        title = (
            f"{_pct(inner['share_of_members'])} of members wrote {_pct(inner['share_of_messages'])} "
            "of member messages"
        )
        reading = (
            "The onion ranks members by messages and splits them where the running total reaches 80% "
            f"(core: {int(inner['members']):,} members), then 95% "
            f"(regular: {int(layers.loc['regular', 'members']):,}), "
            f"then the rest (casual: {int(layers.loc['casual', 'members']):,})."
        )
        return chart(title, reading, charts.onion(layers, self.branding))

    @_sharing
    def orbit(self) -> Block:
        """Orbit levels: how close members are, from presence over thirteen weeks, and who moved."""
        counts = core.orbit_level_counts(self.messages, self.window)
        if int(counts["members"].sum()) == 0:
            return absent("Orbit levels", "No member was present in the last thirteen weeks.")
        closer = core.orbit_moved_closer_count(self.messages, self.window)
        farther = core.orbit_moved_farther_count(self.messages, self.window)
        inner = counts.loc[1]
        title = (
            f"{int(inner['members']):,} members in the inner circle "
            f"({int(inner['previous_members']):,} before); {closer:,} moved closer, {farther:,} drifted away"
        )
        reading = (
            "Levels from presence, not volume: 1 inner circle (active in at least 3 of the last 4 weeks), "
            "2 contributors (3+ days in 4 weeks), 3 participants (active in the last 4 weeks), 4 explorers "
            "(once in 13 weeks); levels at the end of the period beside those at its start."
        )
        return chart(title, reading, charts.orbit_levels(counts, self.branding))

    @_sharing
    def advocates(
        self, window: Window | None = None, span: str | None = None, sheet: str = "Advocates"
    ) -> Block:
        """The members who speak well of the brand again and again: who, where, and in what words."""
        window = window or self.window
        span = span or self.period.label
        found = self._names(core.advocates(self.messages, self.enrichment, window, self.cfg.thresholds))
        if found.empty:
            return absent(
                "Advocates",
                f"No member wrote positively again and again in {span} (at least three positive "
                "messages on different days, more positive than negative).",
            )
        shown = found.head(ADVOCATES_SHOWN)
        names = shown[M.author_name].fillna(shown[M.author_id]).astype(str)
        bars = pd.DataFrame(
            {
                "name": [f"{n} ({platform_name(p)})" for n, p in zip(names, shown[M.platform], strict=True)],
                "value": shown["positive_messages"].to_numpy(),
                "detail": [f"{_pct(v)} of their messages positive" for v in shown["positive_share"]],
            }
        )
        share = float(found["share_of_positive_volume"].sum())
        title = f"{len(found):,} advocates wrote {_pct(share)} of all positive member messages"
        reading = (
            "Advocates: members with at least three positive messages on different days and more positive "
            f"than negative ones in {span}; bars: their positive messages."
        )
        block = chart(title, reading, charts_overview.member_bars(bars, "positive messages", self.branding))
        found = self._named_channels(found)
        return block + self._table(
            found,
            [
                Column(M.author_name, "Member"),
                Column(M.platform, "Where"),
                Column("channels", "Channels"),
                Column("messages", "Messages", "int"),
                Column("positive_share", "Positive", "pct"),
                Column("median_sentiment", "Median sentiment", "float"),
                Column("words", "Their words", width="24%"),
            ],
            title="Who the advocates are",
            reading="Their words: the terms that most set each advocate's messages apart from other "
            "members'.",
            limit=ADVOCATES_SHOWN,
            sheet=sheet,
            more=[
                Column(M.author_id, "Member id"),
                Column("positive_messages", "Positive messages", "int"),
                Column("negative_messages", "Negative messages", "int"),
                Column("share_of_positive_volume", "Share of positive volume", "pct"),
            ],
        )

    # ------------------------------------------------------------------ loyalty
    @_sharing
    def loyalty(self) -> Block:
        """New and returning members month by month."""
        months = [self.period.previous(k) for k in range(11, -1, -1)]
        rows = []
        for month in months:
            window = Window.from_period(month, self.cfg.timezone)
            rows.append(
                {
                    "month": str(month),
                    "new": loyalty.new_member_count(self.messages, window),
                    "returning": loyalty.returning_member_count(self.messages, window),
                }
            )
        frame = pd.DataFrame(rows)
        frame = frame.loc[(frame["new"] + frame["returning"]).cumsum() > 0]
        if frame.empty:
            return absent("Active members", "No member messages in the last twelve months.")
        lapsed = loyalty.lapsed_member_count(self.messages, self.window)
        last = frame.iloc[-1]
        stick = loyalty.stickiness(self.messages, self.window)
        title = (
            f"{int(last['new'] + last['returning']):,} active members: {int(last['new']):,} new, "
            f"{int(last['returning']):,} returning"
        )
        reading = (
            f"{lapsed:,} members active last period did not come back this period. Stickiness (mean daily "
            f"active / monthly active) was {_pct(stick)}."
        )
        block = chart(title, reading, charts.active_members_trend(frame, self.branding, str(self.period)))
        return block + self.cohorts() + self.transients()

    @_sharing
    def cohorts(self) -> Block:
        """Cohort retention: of the members who first wrote in a month, the share active again later."""
        retention = loyalty.retention_by_cohort(self.messages, self.window, months=COHORT_MONTHS)
        later_months = [c for c in retention.columns if c.startswith("month_") and c != "month_0"]
        # cohorts too recent to have a later month say nothing yet
        retention = retention.loc[(retention["members"] > 0) & retention[later_months].notna().any(axis=1)]
        if len(retention) < 2:
            return absent("Do new members come back?", "Fewer than two months with new members to compare.")
        later = retention["month_1"].dropna()
        title = (
            f"{_pct(later.mean())} of new members wrote again the month after their first message"
            if len(later)
            else "New members by month of their first message"
        )
        reading = (
            "Each row is the members whose first message fell in that month; each cell the share of them "
            "active again that many months later."
        )
        if len(later) >= 2:
            reading += (
                f" Best month after: {_pct(later.max())} ({later.idxmax()}), worst {_pct(later.min())}."
            )
        return chart(title, reading, charts.cohort_retention(retention, self.branding))

    @_sharing
    def transients(self) -> Block:
        """Support-only transients: members who came with a question or complaint and did not stay."""
        found = self._names(loyalty.transient_members(self.messages, self.enrichment, self.window))
        share = loyalty.transient_member_share(self.messages, self.enrichment, self.window)
        if found.empty:
            return paragraph("No member this period came only to ask a question or complain and then left.")
        found = self._named_channels(found)
        return self._table(
            found,
            [
                Column(M.author_name, "Member"),
                Column(M.platform, "Where"),
                Column("channels", "Channels"),
                Column("messages", "Messages", "int"),
                Column("first_message_at", "First message", "datetime"),
            ],
            title=f"{len(found):,} members came only for support ({_pct(share)} of active members)",
            reading="Members whose every message was a question or a complaint to the brand, all within one "
            "week, and who wrote nothing else: the support load that does not turn into community.",
            limit=10,
            sheet="Transients",
            more=[Column(M.author_id, "Member id"), Column("last_message_at", "Last message", "datetime")],
        )

    # ------------------------------------------------------------------ resonance
    @_sharing
    def resonance(self) -> Block:
        """Engagement rate of brand posts by week, with campaigns and events shaded."""
        if self.posts.empty:
            return absent(
                "Resonance",
                "No post-level analytics export (X analytics, Page Insights…): "
                "engagement of brand posts cannot be measured.",
            )
        weeks = Window(self.window.start - pd.Timedelta(weeks=12), self.window.end, self.window.tz)
        weekly = resonance.engagement_rate_by_week(self.posts, weeks)
        if weekly.empty:
            return absent("Resonance", "No brand posts in the last twelve weeks.")
        rate = compared_with_previous(resonance.mean_engagement_rate, self.window, self.posts)
        title = (
            f"Brand posts engaged {_pct(rate.value)} of the people who saw them, "
            f"{_trend_word(rate.absolute)} from {_pct(rate.previous)}"
        )
        reading = (
            "Median engagement rate (interactions / impressions) of the brand's posts per week and "
            "platform; shaded: campaigns and events."
        )
        start = self.window.start - pd.Timedelta(weeks=12)
        events = self.events.loc[(self.events["end"] >= start) & (self.events["start"] < self.window.end)]
        block = chart(title, reading, charts.engagement_over_time(weekly, events, self.branding))
        top = resonance.top_posts(self.posts, self.window, n=5)
        return (
            block
            + self._table(
                top,
                [
                    Column("created_at", "Posted", "datetime"),
                    Column("platform", "Where"),
                    Column("excerpt", "Post", width="50%"),
                    Column("impressions", "Impressions", "int"),
                    Column("engagement_rate", "Engagement", "pct"),
                ],
                title="Posts that worked best",
                limit=5,
                sheet="Top posts",
            )
            + self.words_that_worked()
        )

    @_sharing
    def words_that_worked(self) -> Block:
        """The words and hashtags that set high-engagement posts apart from low-engagement ones."""
        terms = resonance.distinctive_terms(self.posts, self.window, n=TERMS_SHOWN)
        if terms.empty:
            return absent("Words that worked", "Too few brand posts with text this period to compare words.")
        best, worst = terms.iloc[0], terms.iloc[-1]
        strong = terms.loc[terms["z"].abs() >= 2]
        said = []
        if best["z"] >= 2:
            said.append(f"posts with “{best['term']}” engaged more")
        if worst["z"] <= -2:
            said.append(f"posts with “{worst['term']}” engaged less")
        title = (
            ", ".join(said).capitalize()
            if said
            else "No word clearly set high-engagement posts apart from low-engagement ones"
        )
        reading = (
            "Brand posts split at their platform's median engagement rate; each word's weighted log-odds "
            "between the halves as a z-score. "
            + (
                f"{len(strong):,} word{'s lie' if len(strong) > 1 else ' lies'} beyond ±2, where chance "
                "is an unlikely explanation."
                if len(strong)
                else "No word lies beyond ±2: read these as leads, not findings."
            )
        )
        return chart(title, reading, charts.distinctive_terms(terms, self.branding))

    # ------------------------------------------------------------------ campaigns and channels
    @_sharing
    def campaigns(self) -> Block:
        """Events of the last months on a timeline, member messages per week beneath, and each event's
        member messages against the same number of days just before it."""
        start = Window.from_period(self.period.previous(TREND_MONTHS - 1), self.cfg.timezone).start
        span = Window(start, self.window.end, self.cfg.timezone)
        events = self.events.loc[(self.events["end"] > span.start) & (self.events["start"] < span.end)]
        if events.empty:
            return absent(
                "Campaigns and events",
                f"No event in events.csv falls between {self._window_label(span)}: "
                "add campaigns, launches, meetups and crises there to see their effect.",
            )
        rows = []
        for event in events.itertuples():
            during = Window(event.start, event.end, self.cfg.timezone)
            change = compared_with_previous(loyalty.member_message_count, during, self.messages)
            days = (event.end - event.start) / pd.Timedelta(days=1)
            rows.append(
                {
                    "name": event.name,
                    "kind": event.kind,
                    "start": event.start,
                    "days": days,
                    "during": change.value,
                    "before": change.previous,
                    "lift": change.value / change.previous if change.previous else None,
                    "channel": "; ".join(event.channels) or "all",
                }
            )
        table_rows = pd.DataFrame(rows)
        best = table_rows.dropna(subset=["lift"]).sort_values("lift", ascending=False, kind="stable")
        if len(best):
            top = best.iloc[0]
            title = (
                f"{top['name']} brought {top['lift']:.1f}× the member messages of the "
                f"{top['days']:.0f} days before it"
            )
        else:
            title = f"{len(events):,} events on the calendar"
        reading = (
            "Bars: the events of events.csv (campaigns, launches, meetups, crises). Beneath: member "
            "messages per week. Each event is compared with the same number of days just before it; "
            "a rise can have other causes, so read it as a sign, not a proof."
        )
        weekly = channels.member_messages_by_week(self.messages, span)
        local = events.assign(
            start=events["start"].dt.tz_convert(self.cfg.timezone).dt.tz_localize(None),
            end=events["end"].dt.tz_convert(self.cfg.timezone).dt.tz_localize(None),
        )
        block = chart(title, reading, charts.events_timeline(local, weekly, self.branding, "member messages"))
        return (
            block
            + self._table(
                table_rows,
                [
                    Column("name", "Event"),
                    Column("kind", "Kind"),
                    Column("start", "Start", "date"),
                    Column("days", "Days", "int"),
                    Column("before", "Messages before", "int"),
                    Column("during", "Messages during", "int"),
                    Column("lift", "Ratio", "float"),
                ],
                title="Events against the days before them",
                limit=None,
                sheet="Events",
                more=[Column("channel", "Channels")],
            )
            + self.event_impact()
        )

    @_sharing
    def event_impact(self) -> Block:
        """Each event of the period against the equal span before it, with a bootstrap interval and a plain
        statement of what can and cannot be concluded."""
        impact = campaigns.event_impact(
            self.messages,
            self.posts,
            self.enrichment,
            self.events,
            self.window,
            thresholds=self.cfg.thresholds,
        )
        if impact.empty:
            return absent(
                "Did the events of the period move anything?", "No event of events.csv overlaps the period."
            )
        overall = impact.loc[(impact["scope"] == "all") & impact["metric"].isin(IMPACT_METRICS)].copy()
        overall["metric_label"] = overall["metric"].map(IMPACT_METRICS)
        rate = overall["metric"] == "engagement_rate"
        overall.loc[rate, ["change", "low", "high"]] = overall.loc[rate, ["change", "low", "high"]] * 100
        clear = overall.loc[overall["conclusion"].isin(["higher", "lower"])]
        title = (
            f"{len(clear):,} of {len(overall):,} event effects are clear of chance"
            if len(overall)
            else "Events of the period"
        )
        reading = (
            "Dots: the change during each event against the same number of days just before it, on the "
            "event's channels; lines: the 95% bootstrap interval. A line that crosses zero means no clear "
            "change. Other things happen at the same time, so a clear change is a sign, not a proof."
        )
        block = (
            chart(title, reading, charts.impact_intervals(overall, self.branding))
            if len(overall)
            else Block("")
        )
        return block + self._table(
            impact,
            [
                Column("event", "Event"),
                Column("statement", "What the numbers say", width="70%"),
                Column("conclusion", "Verdict"),
            ],
            title="What can be said about each event",
            limit=None,
            sheet="Event impact",
            more=[
                Column("metric", "Metric"),
                Column("scope", "Scope"),
                Column("value", "During", "float"),
                Column("before", "Before", "float"),
                Column("change", "Change", "float"),
                Column("low", "Interval low", "float"),
                Column("high", "Interval high", "float"),
                Column("n_event", "Units during", "int"),
                Column("n_before", "Units before", "int"),
            ],
        )

    @_sharing
    def channel_mix(self) -> Block:
        """Where members talk: each platform's share this period and the mix month by month."""
        mix = channels.member_messages_by_platform(self.messages, self.window)
        if mix.empty:
            return absent("Channel mix", "No member messages this period.")
        monthly = channels.member_messages_by_platform_and_month(self.messages, self.window)
        top = mix.iloc[0]
        title = f"{platform_name(top['platform'])} carried {_pct(top['share'])} of member messages"
        reading = (
            f"Member messages per platform and month over the last twelve months; this period "
            f"{int(mix['messages'].sum()):,} messages across {len(mix):,} platforms."
        )
        monthly = monthly.rename(columns=platform_name)
        block = chart(title, reading, charts.channel_mix_over_time(monthly, self.branding))
        return block + self._table(
            mix,
            [
                Column("platform", "Platform"),
                Column("messages", "Member messages", "int"),
                Column("members", "Members", "int"),
                Column("share", "Share", "pct"),
            ],
            title="Channel mix this period",
            limit=None,
            sheet="Channel mix",
        )

    # ------------------------------------------------------------------ data quality and methods
    @_sharing
    def data_quality(self) -> Block:
        """Sources and row accounting (by format, and per file where something was set aside), quarantined
        rows with their reasons, date coverage."""
        log = self.ingest_log.copy()
        counts = ["rows_read", "kept", "duplicates", "quarantined", "skipped"]
        for name in counts:
            log[name] = log[name].fillna(0).astype("int64") if name in log.columns else 0
        totals = {c: int(log[c].sum()) for c in counts}
        reading = (
            f"{len(log):,} export files; {totals['rows_read']:,} rows read = {totals['kept']:,} kept + "
            f"{totals['duplicates']:,} duplicates of rows in overlapping exports + "
            f"{totals['quarantined']:,} quarantined + {totals['skipped']:,} skipped as not community "
            "content (joins, pins, deleted posts). Every row read is accounted for."
        )
        by_format = (
            log.assign(format=log["format"].fillna(NOT_RECOGNISED))
            .groupby("format", sort=True)
            .agg(
                files=("file", "size"),
                **{c: (c, "sum") for c in counts},
                first_date=("first_date", "min"),
                last_date=("last_date", "max"),
            )
            .reset_index()
        )
        number = [
            Column("rows_read", "Read", "int"),
            Column("kept", "Kept", "int"),
            Column("duplicates", "Duplicates", "int"),
            Column("quarantined", "Quarantined", "int"),
            Column("skipped", "Skipped", "int"),
        ]
        dates = [Column("first_date", "From", "date"), Column("last_date", "To", "date")]
        block = self._table(
            by_format,
            [Column("format", "Format", "id"), Column("files", "Files", "int"), *number, *dates],
            title="Sources and row accounting",
            reading=reading,
            limit=None,
            sheet="Sources",
        )
        log["file"] = log["file"].str.removeprefix("exports/")
        notable = log.loc[
            (log["duplicates"] + log["quarantined"] + log["skipped"] > 0) | log["assumed_timezone"].notna()
        ]
        per_file = [
            Column("file", "File", "id", width="36%"),
            *number,
            Column("assumed_timezone", "Zone assumed", "id"),
        ]
        fmt = Column("format", "Format", "id")
        block = block + self._table(
            notable,
            per_file,
            more=[fmt],
            title=f"Files with rows set aside or a time zone assumed ({len(notable):,})",
            reading="Duplicates are rows already read from an overlapping export; skipped rows are counted "
            "per reason in the workbook. Every file's own line is in tables.xlsx.",
            limit=15,
            empty="Every row of every file was kept.",
            sheet="Files set aside",
        )
        self.shown_tables["Files"] = (
            log,
            [
                *per_file,
                fmt,
                Column("skipped_reasons", "Skipped because"),
                *dates,
                Column("sha256", "SHA-256"),
            ],
        )
        said = log.loc[log["error"].notna()] if "error" in log.columns else log.iloc[:0]
        said = said.assign(
            format=said["format"].fillna(NOT_RECOGNISED),
            error=said["error"].astype(str).str.split(_KNOWN_FORMATS, n=1).str[0].str.strip(),
        )
        block = block + self._table(
            said,
            [
                Column("file", "File", "id", width="30%"),
                Column("format", "Format", "id"),
                Column("rows_read", "Read", "int"),
                Column("kept", "Kept", "int"),
                Column("error", "What was said", "text", width="44%"),
            ],
            title=f"Files not read, or read with a note to check ({len(said):,})",
            reading="A file in none of the formats the workbook reads, or one it could not read, is named "
            "here with the reason, and nothing of it is in any figure; a note says what was assumed or "
            "mended while a file was read.",
            limit=25,
            empty="Every file was read, with nothing to check.",
            sheet="Files not read or noted",
        )
        q = self.quarantine.assign(
            short=lambda f: (
                f["excerpt"].astype(str).str.slice(0, RAW_EXCERPT_CHARS)
                + f["excerpt"].astype(str).str.len().gt(RAW_EXCERPT_CHARS).map({True: "…", False: ""})
            )
        )
        block = block + self._table(
            q,
            [
                Column("file", "File", "id", width="24%"),
                Column("row", "Row", "int"),
                Column("field", "Field", "id"),
                Column("reason", "Reason", "id", width="34%"),
                Column("short", "Raw excerpt", "raw", width="26%"),
            ],
            title=f"Quarantined rows ({len(q):,})",
            reading="Rows that could not be read, with the reason; they are not in any figure.",
            limit=25,
            empty="No row was quarantined.",
            sheet="Quarantined rows",
            more=[Column("excerpt", "Raw row")],
        )
        return block + self._coverage()

    def _coverage(self) -> Block:
        frames = []
        for name, frame in (("messages", self.messages), ("posts", self.posts)):
            if len(frame):
                grouped = frame.groupby("platform")["created_at"].agg(["min", "max", "count"]).reset_index()
                grouped["table"] = name
                frames.append(grouped)
        if not frames:
            return absent("Coverage", "No data.")
        cov = pd.concat(frames, ignore_index=True)
        cov["min"] = cov["min"].dt.tz_convert(self.cfg.timezone)
        cov["max"] = cov["max"].dt.tz_convert(self.cfg.timezone)
        return self._table(
            cov,
            [
                Column("platform", "Platform"),
                Column("table", "Table"),
                Column("count", "Rows", "int"),
                Column("min", "First", "date"),
                Column("max", "Last", "date"),
            ],
            title="Date coverage by platform",
            limit=None,
            sheet="Coverage",
        )

    @_sharing
    def methodology(self) -> Block:
        """Definitions of every metric, generated from the functions that compute them."""
        from community_health.metrics import catalogue

        cat = catalogue()
        return self._table(
            cat,
            [
                Column("metric", "Metric", "id"),
                Column("question", "Question"),
                Column("definition", "Definition", width="45%"),
                Column("unit", "Unit", width="12%"),
                Column("source", "Source"),
            ],
            title="Metric definitions",
            reading="Generated from the code that computes each figure, so the definitions cannot "
            "drift from the numbers.",
            limit=None,
            sheet="Metric definitions",
        )

    # ------------------------------------------------------------------ outputs
    def _names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Member names, pseudonymised when the report asks for it (brand names stay): the name and id
        columns, members' @handles and full names inside quoted text, and links (which hold handles)."""
        if not self.pseudonymise or frame.empty or M.author_id not in frame.columns:
            return frame
        brand = (
            frame[M.author_is_brand].astype(bool)
            if M.author_is_brand in frame.columns
            else pd.Series(False, index=frame.index)
        )
        people = (
            frame[PERSON] if PERSON in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        )
        names = pd.Series(
            [
                member_pseudonym(p, a, person)
                for p, a, person in zip(frame[M.platform], frame[M.author_id], people, strict=True)
            ],
            index=frame.index,
        )
        changes = {M.author_id: frame[M.author_id].where(brand, names)}
        if M.author_name in frame.columns:
            changes[M.author_name] = frame[M.author_name].where(brand, names)
        for column in ("text", "excerpt"):
            if column in frame.columns:
                changes[column] = frame[column].map(self._scrub, na_action="ignore")
        if M.url in frame.columns:
            changes[M.url] = frame[M.url].where(brand, None)
        for column in (M.message_id, M.thread_id):  # listening tools use the post's link as its id
            if column in frame.columns:
                ids = frame[column].astype("str")
                changes[column] = frame[column].where(brand | ~ids.str.startswith("http"), None)
        return frame.assign(**changes)

    @cached_property
    def _member_names(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """Every member's @handle and full name (two words or more), lower-cased, with their pseudonym."""
        members = self.messages.loc[~self.messages[M.author_is_brand].astype(bool)]
        if PERSON not in members.columns:
            members = members.assign(**{PERSON: None})
        people = members[[M.platform, M.author_id, M.author_name, PERSON]].drop_duplicates()
        found: dict[str, str] = {}
        for platform, author_id, name, person in people.itertuples(index=False):
            alias = member_pseudonym(platform, author_id, person)
            if isinstance(author_id, str) and not author_id.isdigit() and len(author_id) >= 3:
                found.setdefault("@" + author_id.lower(), "@" + alias)
            # the name an account wrote under, and the person's name in client.yml's aliases
            for full in (name, person):
                if isinstance(full, str) and len(full.split()) >= 2:
                    found.setdefault(full.lower(), alias)
                    found.setdefault("@" + full.lower(), "@" + alias)
        if not found:
            return None, found
        words = sorted(found, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w@])(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)
        return pattern, found

    def _commentary_html(self, part: str) -> str:
        """A part of the manager's commentary; members named in it are pseudonymised too when asked."""
        html = self.commentary.html(part)
        return self._scrub(html) if self.pseudonymise else html

    def _scrub(self, text: str) -> str:
        pattern, found = self._member_names
        return pattern.sub(lambda m: found[m.group(0).lower()], text) if pattern else text

    @_sharing
    def metrics(self) -> dict:
        """Every headline figure for the period and the previous one (the content of metrics.json)."""
        from community_health.metrics import summary

        return summary(self.messages, self.posts, self.enrichment, self.cfg, self.period, events=self.events)

    def write_outputs(self, output_dir: str | Path | None) -> None:
        """Write ``metrics.json`` and ``tables.xlsx`` (every table shown, in full) into ``output_dir``
        (nothing when it is empty)."""
        if not output_dir:
            return
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        payload = {"client_name": self.cfg.name, "draft": self.is_draft, **self.metrics()}
        tmp = out / ".metrics.json.tmp"
        tmp.write_text(
            json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(tmp, out / "metrics.json")
        write_workbook(out / "tables.xlsx", self.shown_tables, self.cfg.timezone)


#: The format column of a file no reader recognised.
NOT_RECOGNISED = "not recognised"
#: Where the ingest's error for a file no reader recognised starts listing every known format (left out
#: here: the README lists them).
_KNOWN_FORMATS = "Known formats:"
#: The stored tables, as ``ingest.store.TABLE_FILES`` names them.
_STORED_TABLES = {
    "messages": "messages.parquet",
    "posts": "posts.parquet",
    "members": "members.parquet",
    "quarantine": "quarantine.parquet",
    "ingest_log": "ingest_log.parquet",
}


def _current_tables(cfg: ClientConfig) -> SimpleNamespace | None:
    """The stored tables when the render running this notebook has just brought them up to date
    (``render.TABLES_CURRENT``), read without importing the ingest; ``None`` otherwise, or when any is
    missing."""
    from community_health.render import TABLES_CURRENT

    store = cfg.paths.normalised
    if os.environ.get(TABLES_CURRENT) != str(store):
        return None
    paths = {name: store / filename for name, filename in _STORED_TABLES.items()}
    if not all(path.is_file() for path in paths.values()):
        return None
    return SimpleNamespace(**{name: pd.read_parquet(path) for name, path in paths.items()})


def open_report(
    client: str = "demo",
    period: str = "",
    *,
    data_dir: str | Path = "data",
    final: bool = False,
    pseudonymise: bool = False,
) -> Report:
    """Load a client's tables and commentary for one period (``YYYY-MM``; empty: last complete month)."""
    from community_health.enrich import enrich_messages
    from community_health.metrics import with_people

    cfg = load_client(client, data_dir)
    if period:
        chosen = Period.parse(period)
    else:
        from community_health.render import default_period

        chosen = default_period(cfg)
    commentary = read_commentary(cfg.paths.commentary(chosen))
    if final and not commentary.present:
        raise FileNotFoundError(f"a final report needs the manager's commentary in {commentary.path}")
    tables = _current_tables(cfg)
    if tables is None:
        from community_health.ingest import load_tables

        tables = load_tables(cfg)
    enrichment = enrich_messages(tables.messages, cfg.paths.normalised / "enrichment.parquet")
    return Report(
        cfg=cfg,
        period=chosen,
        window=Window.from_period(chosen, cfg.timezone),
        messages=with_people(tables.messages, tables.members),
        enrichment=enrichment,
        posts=tables.posts,
        quarantine=tables.quarantine,
        ingest_log=tables.ingest_log,
        events=read_events(cfg.paths.events, cfg.timezone),
        commentary=commentary,
        final=final,
        pseudonymise=pseudonymise,
    )


__all__ = ["Report", "member_pseudonym", "open_report", "pseudonym"]
