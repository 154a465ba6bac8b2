"""The channel audit: where a community stands at the start of an engagement, channel by channel.

A notebook opens an audit with :func:`open_audit` and calls one section per cell, as the client report
does. The audit looks back over several months (three by default) ending with the report's period and
asks of every channel: how often does the brand post and reply, how fast are members answered and what
is left unanswered, when is nobody from the brand there, what resonates, who the advocates are. It ends
with a checklist of findings written from those numbers, each with an empty *Decision* for the
community manager to fill in with the client (also a sheet of ``tables.xlsx``).

The per-channel tables are pure functions of the normalised tables and a window, like the metrics;
the sections reuse the client report's own sections (:class:`~community_health.report.Report`) over the
audit's span wherever the question is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from community_health import charts
from community_health.charts import overview as figures
from community_health.config import ClientConfig, Period
from community_health.metrics import dead_time, listening
from community_health.metrics._common import is_member
from community_health.metrics.window import Window
from community_health.report.blocks import Block, Column, absent, chart, format_hours
from community_health.report.per_channel import (
    NO_FORMAT,
    advocates,
    brand_messages_by_week,
    dead_time_by_channel,
    engagement_by_channel_and_format,
    member_replies_to_brand_threads,
    posting_cadence,
    response_times_by_channel,
)
from community_health.report.scope import (
    CHANNEL_KEY,
    channel_label,
    channel_labels,
    cover,
    listening_channels,
    months_back,
    over_span,
    platform_name,
    span_label,
)
from community_health.report.sections import Report, open_report
from community_health.schema import Messages as M
from community_health.schema import Posts as P

AUDIT_MONTHS = 3
#: A channel needs this many member threads before its response times become a finding.
MIN_THREADS_FOR_FINDING = 5
#: Dead time becomes a finding when at least this share of member messages come in hours of the week in
#: which the brand never wrote.
UNATTENDED_SHARE_FINDING = 0.3


def _pct(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value * 100:.0f}%"


@dataclass(frozen=True)
class Finding:
    """One line of the recommendations checklist: what the numbers say, and what there is to decide."""

    area: str
    finding: str
    question: str
    weight: int = 1  # how much it matters, to order the checklist (larger first)


class ChannelAudit:
    """The audit of every channel over a span of months; one method per section."""

    def __init__(self, rpt: Report, first: Period, last: Period):
        self.rpt = over_span(rpt, first, last)
        self.first, self.last = first, last

    # ------------------------------------------------------------------ helpers
    @property
    def window(self) -> Window:
        return self.rpt.window

    @property
    def cfg(self) -> ClientConfig:
        return self.rpt.cfg

    @property
    def label(self) -> str:
        return span_label(self.first, self.last)

    @staticmethod
    def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame.assign(label=channel_labels(frame))
            if len(frame)
            else frame.assign(label=pd.Series(dtype="str"))
        )

    @cached_property
    def cadence_table(self) -> pd.DataFrame:
        return self._labelled(posting_cadence(self.rpt.messages, self.rpt.posts, self.window))

    @cached_property
    def response_table(self) -> pd.DataFrame:
        target = self.cfg.thresholds.response_target_hours
        table = response_times_by_channel(self.rpt.messages, self.window, self.cfg.business_hours, target)
        return self._labelled(table)

    @cached_property
    def dead_time_table(self) -> pd.DataFrame:
        return self._labelled(dead_time_by_channel(self.rpt.messages, self.window))

    @cached_property
    def format_table(self) -> pd.DataFrame:
        table = engagement_by_channel_and_format(self.rpt.posts, self.window)
        labels = [
            f"{platform_name(p)} · {'all posts (format not exported)' if f == NO_FORMAT else f}"
            for p, f in zip(table[P.platform], table[P.post_type], strict=True)
        ]
        return table.assign(label=pd.Series(labels, index=table.index, dtype="str"))

    @cached_property
    def brand_thread_table(self) -> pd.DataFrame:
        return self._labelled(member_replies_to_brand_threads(self.rpt.messages, self.window))

    @cached_property
    def advocate_table(self) -> pd.DataFrame:
        found = advocates(self.rpt.messages, self.rpt.enrichment, self.window, self.cfg.thresholds)
        return self.rpt._names(found)

    @cached_property
    def sentiment_table(self) -> pd.DataFrame:
        table = listening.sentiment_by_channel(
            self.rpt.messages, self.rpt.enrichment, self.window, self.cfg.thresholds
        ).reset_index()
        return self._labelled(table)

    # ------------------------------------------------------------------ sections
    def cover(self) -> Block:
        """Cover: client, the span audited, its channels."""
        channels = sorted(
            {
                channel_label(p, c)
                for p, c in self.rpt.messages[CHANNEL_KEY].drop_duplicates().itertuples(index=False)
            }
            | {
                channel_label(p, c)
                for p, c in self.rpt.posts[[P.platform, P.channel]].drop_duplicates().itertuples(index=False)
            }
        )
        return cover(
            self.cfg,
            self.cfg.name,
            f"Channel audit · {self.label}",
            f"{len(channels):,} channels · {self.rpt._window_label(self.window)} · "
            f"times in {self.cfg.timezone}",
            note="Every channel's posting cadence, response gaps, dead time, resonance and advocates, "
            "ending in a checklist of decisions to take with the client.",
        )

    def channels(self) -> Block:
        """Every channel in the exports with its volume over the span: the inventory the audit covers."""
        m, w = self.rpt.messages, self.window
        inside = m.loc[w.contains(m[M.created_at])]
        listened = listening_channels(inside)
        member = is_member(inside)
        grouped = inside.assign(_member=member, _brand=inside[M.author_is_brand].astype(bool))
        table = (
            grouped.groupby(CHANNEL_KEY, sort=True)
            .agg(
                member_messages=("_member", "sum"),
                brand_messages=("_brand", "sum"),
            )
            .reset_index()
        )
        members = inside.loc[member].groupby(CHANNEL_KEY)[M.author_id].nunique().rename("members")
        table = table.merge(members.reset_index(), on=CHANNEL_KEY, how="left").fillna({"members": 0})
        coverage = m.groupby(CHANNEL_KEY)[M.created_at].agg(["min", "max"]).reset_index()
        table = table.merge(coverage, on=CHANNEL_KEY, how="left")
        table["kind"] = [
            "mentions (listening tool)" if (p, c) in listened else "conversation"
            for p, c in zip(table[M.platform], table[M.channel], strict=True)
        ]
        posts = self.rpt.posts
        analytics = posts.loc[w.contains(posts[P.created_at])].groupby([P.platform, P.channel])
        post_rows = (
            analytics[P.created_at].agg(["size"]).rename(columns={"size": "brand_messages"}).reset_index()
        )
        if len(post_rows):
            post_cov = posts.groupby([P.platform, P.channel])[P.created_at].agg(["min", "max"]).reset_index()
            post_rows = post_rows.merge(post_cov, on=[P.platform, P.channel], how="left").assign(
                member_messages=0, members=0, kind="brand posts (analytics export)"
            )
            table = pd.concat([table, post_rows], ignore_index=True)
        table = self._labelled(table).sort_values(
            ["member_messages", "brand_messages", "label"], ascending=[False, False, True], kind="stable"
        )
        if table.empty:
            return absent("Channels", f"No message or post in {self.label}.")
        conversation = table.loc[table["kind"] == "conversation"]
        reading = (
            f"{len(table):,} channels had activity in {self.label}: {len(conversation):,} where members "
            f"and the brand converse, {int((table['kind'] != 'conversation').sum()):,} known from listening "
            "tools or post analytics only. First and last show how far back each channel's exports reach."
        )
        return self.rpt._table(
            table,
            [
                Column("label", "Channel"),
                Column("kind", "Kind"),
                Column("member_messages", "Member messages", "int"),
                Column("members", "Members", "int"),
                Column("brand_messages", "Brand messages", "int"),
                Column("min", "First", "date"),
                Column("max", "Last", "date"),
            ],
            title=f"{len(table):,} channels in the exports",
            reading=reading,
            limit=None,
            sheet="Audit channels",
            more=[Column(M.platform, "Platform"), Column(M.channel, "Channel id")],
        )

    def cadence(self) -> Block:
        """Brand posts and replies per week per channel, and the weeks the brand said nothing."""
        weekly = brand_messages_by_week(self.rpt.messages, self.rpt.posts, self.window)
        table = self.cadence_table
        if table.empty:
            return absent("Posting cadence", f"The brand wrote nothing in any channel in {self.label}.")
        weekly = self._labelled(weekly)
        order = list(table["label"])
        posts = weekly.pivot_table(
            index="label", columns="week", values="brand_posts", aggfunc="sum"
        ).reindex(order)
        replies = weekly.pivot_table(
            index="label", columns="week", values="brand_replies", aggfunc="sum"
        ).reindex(order)
        quiet = table.sort_values("silent_weeks", ascending=False, kind="stable").iloc[0]
        title = (
            f"The brand was silent in {quiet['label']} for {int(quiet['silent_weeks'])} of "
            f"{int(quiet['weeks'])} weeks"
            if quiet["silent_weeks"]
            else "The brand wrote in every channel every week"
        )
        reading = (
            "Each cell is one week of one channel: the brand's posts (threads it started) and replies; pale "
            "cells are weeks without any brand message. The first and last weeks may be partial."
        )
        block = chart(title, reading, figures.weekly_cadence(posts, replies, self.rpt.branding))
        return block + self.rpt._table(
            table,
            [
                Column("label", "Channel"),
                Column("posts_per_week", "Posts / week", "float"),
                Column("replies_per_week", "Replies / week", "float"),
                Column("member_messages_per_week", "Member messages / week", "float"),
                Column("silent_weeks", "Silent weeks", "int"),
                Column("weeks", "Weeks", "int"),
                Column("longest_silence_days", "Longest silence (days)", "int"),
            ],
            title="Posting cadence per channel",
            reading="Averages over every week of the span; a silent week has no brand post or reply.",
            limit=None,
            sheet="Audit cadence",
            more=[
                Column("brand_posts", "Brand posts", "int"),
                Column("brand_replies", "Brand replies", "int"),
                Column(M.platform, "Platform"),
                Column(M.channel, "Channel id"),
            ],
        )

    def response_gaps(self) -> Block:
        """Time to first response and unanswered threads per channel, in and out of business hours."""
        table = self.response_table
        if table.empty:
            return absent("Response gaps", f"No member started a conversation in {self.label}.")
        target = self.cfg.thresholds.response_target_hours
        drawn = table.assign(
            anyone=table["median_hours"],
            brand_business=table["brand_business_hours"],
            brand_off=table["brand_off_hours"],
        )
        for column in ("anyone", "brand_business", "brand_off"):
            drawn[f"{column}_text"] = [format_hours(v) if pd.notna(v) else "" for v in drawn[column]]
        worst = table.dropna(subset=["brand_off_hours"]).sort_values("brand_off_hours", ascending=False)
        if len(worst):
            top = worst.iloc[0]
            title = (
                f"{top['label']}: the brand's median first reply took {format_hours(top['brand_off_hours'])} "
                f"off hours, {format_hours(top['brand_business_hours'])} in business hours"
            )
        else:
            title = "Median time to first response per channel"
        reading = (
            f"Median hours from a member starting a thread to the first reply, per channel; the dashed line "
            f"is the {target:g} h target. Business hours: {self.rpt._business_hours_text()} "
            f"({self.cfg.timezone})."
        )
        block = chart(title, reading, figures.channel_response_times(drawn, target, self.rpt.branding))
        total_open = int(table["unanswered"].sum())
        return block + self.rpt._table(
            table,
            [
                Column("label", "Channel"),
                Column("member_threads", "Member threads", "int"),
                Column("median_hours", "Median, anyone", "hours"),
                Column("brand_business_hours", "Brand, business hours", "hours"),
                Column("brand_off_hours", "Brand, off hours", "hours"),
                Column("within_target", f"Within {target:g} h", "pct"),
                Column("unanswered", "Unanswered", "int"),
                Column("longest_wait_hours", "Longest wait", "hours"),
            ],
            title=f"Response gaps: {total_open:,} member threads unanswered",
            reading="Within target: share of member threads answered by anyone within the target, unanswered "
            "ones included. Longest wait: the oldest unanswered thread at the end of the span.",
            limit=None,
            sheet="Audit response gaps",
            more=[
                Column("median_brand_hours", "Median, brand", "hours"),
                Column("off_hours_threads", "Threads started off hours", "int"),
                Column("unanswered_share", "Share unanswered", "pct"),
                Column(M.platform, "Platform"),
                Column(M.channel, "Channel id"),
            ],
        )

    def unanswered(self) -> Block:
        """The member threads of the span nobody answered, longest wait first (the client report's table)."""
        return self.rpt.unanswered()

    def dead_time(self) -> Block:
        """When members write and nobody from the brand is there: the hour-of-week grid of every channel,
        then each channel against the brand's presence in that channel."""
        block = self.rpt.dead_time()
        table = self.dead_time_table
        if table.empty:
            return block
        return block + self.rpt._table(
            table,
            [
                Column("label", "Channel", width="26%"),
                Column("member_messages", "Member messages", "int"),
                Column("brand_hours", "Brand's hours here", "int"),
                Column("unattended_share", "In uncovered hours", "pct"),
                Column("busiest_unattended", "Busiest uncovered hour"),
                Column("busiest_unattended_messages", "Messages then", "int"),
            ],
            title="Dead time per channel",
            reading="Uncovered hours are the hours of the week in which nobody from the brand wrote in any "
            "channel during the span; beside them, how many of the week's 168 hours the brand wrote in "
            "the channel itself.",
            limit=None,
            sheet="Audit dead time",
            more=[Column(M.platform, "Platform"), Column(M.channel, "Channel id")],
        )

    def tone(self) -> Block:
        """Net sentiment per channel, then the negative spikes of the span (the client report's section)."""
        table = self.sentiment_table
        if table.empty:
            return absent("Tone by channel", f"No member message or mention in {self.label}.") + (
                self.rpt.early_warning()
            )
        m, e, th = self.rpt.messages, self.rpt.enrichment, self.cfg.thresholds
        overall = listening.net_sentiment(m, e, self.window, th)
        worst = table.sort_values("net_sentiment", kind="stable").iloc[0]
        title = (
            f"Net sentiment {_pct(overall)}; {worst['label']} was the most negative channel"
            if worst["net_sentiment"] < 0
            else f"Net sentiment {_pct(overall)}, positive in every channel"
        )
        reading = (
            "Share of positive minus share of negative member messages (and mentions) per channel over "
            f"{self.label}; sentiment is scored per message with the VADER lexicon."
        )
        frame = pd.DataFrame(
            {"channel": table["label"], "net": table["net_sentiment"], "messages": table["messages"]}
        )
        block = chart(title, reading, charts.net_sentiment_by_channel(frame, self.rpt.branding))
        return block + self.rpt.early_warning()

    def resonance(self) -> Block:
        """Engagement of the brand's posts by channel and format, and the member replies its threads drew."""
        formats = self.format_table.dropna(subset=["median_engagement_rate"])
        if formats.empty:
            block = absent(
                "Engagement by format",
                "No post-level analytics export with impressions or reach: engagement by format cannot be "
                "measured.",
            )
        else:
            best = formats.iloc[0]
            title = (
                f"{best['label']} posts engaged best, a median {_pct(best['median_engagement_rate'])} "
                f"of the people who saw them"
            )
            reading = (
                "Median engagement rate (interactions / impressions, or / reach where impressions are "
                "absent) of the brand's posts by platform and format over the span."
            )
            block = chart(title, reading, figures.engagement_by_format(formats, self.rpt.branding))
            block = block + self.rpt._table(
                self.format_table,
                [
                    Column("label", "Channel and format"),
                    Column("posts", "Posts", "int"),
                    Column("rated_posts", "With a rate", "int"),
                    Column("median_engagement_rate", "Median rate", "pct"),
                    Column("mean_engagement_rate", "Mean rate", "pct"),
                ],
                title="Engagement by channel and format",
                limit=None,
                sheet="Audit formats",
                more=[Column(P.platform, "Platform"), Column(P.post_type, "Format")],
            )
        threads = self.brand_thread_table
        if threads.empty:
            return block
        return block + self.rpt._table(
            threads,
            [
                Column("label", "Channel"),
                Column("brand_threads", "Threads the brand started", "int"),
                Column("median_member_replies", "Median member replies", "float"),
                Column("share_with_member_reply", "With a member reply", "pct"),
                Column("median_members", "Median members replying", "float"),
            ],
            title="Member replies to the brand's own threads",
            reading="How the community channels answered what the brand posted there: replies are counted "
            "whenever they came, also after the span.",
            limit=None,
            sheet="Audit brand threads",
            more=[Column(M.platform, "Platform"), Column(M.channel, "Channel id")],
        )

    def advocates(self) -> Block:
        """The most active members with a positive tone: who they are, where they write, how they sound."""
        return self.rpt.advocates(self.window, self.label, sheet="Audit advocates")

    # ------------------------------------------------------------------ findings
    def findings(self) -> pd.DataFrame:
        """The checklist's lines, each written from the numbers of a section above; most pressing first."""
        found: list[Finding] = []
        found += self._response_findings()
        found += self._cadence_findings()
        found += self._dead_time_findings()
        found += self._tone_findings()
        found += self._resonance_findings()
        found += self._advocate_findings()
        ordered = sorted(enumerate(found), key=lambda pair: (-pair[1].weight, pair[0]))
        return pd.DataFrame(
            {
                "number": range(1, len(ordered) + 1),
                "area": [f.area for _, f in ordered],
                "finding": [f.finding for _, f in ordered],
                "question": [f.question for _, f in ordered],
                "decision": [""] * len(ordered),
            }
        )

    def _response_findings(self) -> list[Finding]:
        target = self.cfg.thresholds.response_target_hours
        out = []
        for row in self.response_table.itertuples():
            if row.member_threads < MIN_THREADS_FOR_FINDING:
                continue
            off, inside = row.brand_off_hours, row.brand_business_hours
            if pd.notna(off) and off > target and (pd.isna(inside) or off > 2 * inside):
                out.append(
                    Finding(
                        "Responsiveness",
                        f"{row.label}: median first brand reply {format_hours(off)} for threads started off "
                        f"hours ({format_hours(inside)} in business hours; target {target:g} h).",
                        "Cover evenings and weekends here (a rota, an auto-reply)?",
                        3,
                    )
                )
            elif pd.notna(row.median_hours) and row.median_hours > target:
                out.append(
                    Finding(
                        "Responsiveness",
                        f"{row.label}: median first reply {format_hours(row.median_hours)}, over the "
                        f"{target:g} h target ({_pct(row.within_target)} answered within it).",
                        "Who owns first replies in this channel?",
                        3,
                    )
                )
            if row.unanswered >= 3 or row.unanswered_share >= 0.1:
                out.append(
                    Finding(
                        "Responsiveness",
                        f"{row.label}: {row.unanswered:,} of {row.member_threads:,} member threads "
                        f"unanswered (longest wait {format_hours(row.longest_wait_hours)}).",
                        "Triage unanswered threads daily?",
                        2,
                    )
                )
        return out

    def _cadence_findings(self) -> list[Finding]:
        out = []
        for row in self.cadence_table.itertuples():
            members = row.member_messages_per_week
            if row.silent_weeks * 2 >= row.weeks:
                out.append(
                    Finding(
                        "Cadence",
                        f"{row.label}: the brand wrote nothing in {row.silent_weeks} of {row.weeks} weeks "
                        f"(longest silence {row.longest_silence_days:.0f} days) while members wrote "
                        f"{members:.0f} messages a week.",
                        "Set a posting rhythm here, or close the channel?",
                        2,
                    )
                )
            elif row.brand_posts == 0 and row.replies_per_week < 1 and members >= 1:
                out.append(
                    Finding(
                        "Cadence",
                        f"{row.label}: no brand post and {row.brand_replies:,} brand replies in {row.weeks} "
                        f"weeks while members wrote {members:.0f} messages a week.",
                        "Start a regular prompt here (a weekly thread, a question of the week)?",
                        2,
                    )
                )
        return out

    def _dead_time_findings(self) -> list[Finding]:
        m, w = self.rpt.messages, self.window
        overall = dead_time.share_of_member_messages_in_unattended_hours(m, w)
        if overall is None:
            return []
        out = []
        if overall >= UNATTENDED_SHARE_FINDING:
            busiest = dead_time.unattended_member_hours(m, w).head(3)
            when = ", ".join(f"{r.day[:3]} {int(r.hour):02d}:00" for r in busiest.itertuples())
            out.append(
                Finding(
                    "Dead time",
                    f"{_pct(overall)} of member messages came in hours of the week in which nobody from the "
                    f"brand wrote in any channel (busiest: {when}).",
                    "Extend or shift coverage to those hours (rota, scheduled posts)?",
                    2,
                )
            )
        for row in self.dead_time_table.itertuples():
            if row.member_messages < 20 or row.unattended_share < max(0.5, overall + 0.15):
                continue
            out.append(
                Finding(
                    "Dead time",
                    f"{row.label}: {_pct(row.unattended_share)} of its member messages came in hours nobody "
                    "from the brand wrote in any channel "
                    f"(busiest: {row.busiest_unattended}, {row.busiest_unattended_messages:,} messages).",
                    "Does this channel need its own coverage?",
                    1,
                )
            )
        return out

    def _tone_findings(self) -> list[Finding]:
        out = []
        for row in self.sentiment_table.itertuples():
            if row.messages >= 20 and row.net_sentiment < 0:
                out.append(
                    Finding(
                        "Tone",
                        f"{row.label}: net sentiment {row.net_sentiment * 100:+.0f}% over {row.messages:,} "
                        f"member messages ({_pct(row.negative_share)} negative).",
                        "Find out what drives the negative messages, and answer it publicly?",
                        2,
                    )
                )
        spikes = self.rpt.spikes
        for spike in spikes.itertuples():
            out.append(
                Finding(
                    "Early warning",
                    f"Negative messages spiked from {pd.Timestamp(spike.start):%d %b} for "
                    f"{int(spike.days)} day{'' if int(spike.days) == 1 else 's'} "
                    f"({int(spike.negative_messages):,} negative messages).",
                    "Agree a crisis playbook: who answers, how fast, with what?",
                    3,
                )
            )
        return out

    def _resonance_findings(self) -> list[Finding]:
        out = []
        for _, group in self.format_table.groupby(P.platform, sort=True):
            rated = group.loc[group["rated_posts"] >= 3].dropna(subset=["median_engagement_rate"])
            if len(rated) < 2:
                continue
            best, worst = rated.iloc[0], rated.iloc[-1]
            if best["median_engagement_rate"] >= 1.5 * worst["median_engagement_rate"]:
                out.append(
                    Finding(
                        "Resonance",
                        f"{worst['label']} posts: median engagement {worst['median_engagement_rate']:.1%} "
                        f"against {best['median_engagement_rate']:.1%} for {best[P.post_type]}.",
                        f"Fewer {worst[P.post_type]} posts, more {best[P.post_type]}?",
                        1,
                    )
                )
        for row in self.brand_thread_table.itertuples():
            if row.brand_threads >= 4 and row.share_with_member_reply < 0.5:
                out.append(
                    Finding(
                        "Resonance",
                        f"{row.label}: {_pct(1 - row.share_with_member_reply)} of the "
                        f"{row.brand_threads:,} threads the brand started drew no member reply.",
                        "Change what the brand posts there (ask questions, invite replies)?",
                        1,
                    )
                )
        return out

    def _advocate_findings(self) -> list[Finding]:
        table = self.advocate_table
        if table.empty:
            return [
                Finding(
                    "Advocates",
                    f"No member wrote positively again and again in {self.label}.",
                    "Who could become an advocate, and what would make them one?",
                    1,
                )
            ]
        top = table.iloc[0]
        name = top[M.author_name] if pd.notna(top[M.author_name]) else top[M.author_id]
        return [
            Finding(
                "Advocates",
                f"{len(table):,} advocates; the most positive is {name} ({platform_name(top[M.platform])}, "
                f"{int(top['positive_messages']):,} positive messages).",
                "Invite them to an ambassador or beta programme?",
                1,
            )
        ]

    def recommendations(self) -> Block:
        """The checklist: one line per finding, written from the numbers, with an empty Decision column."""
        table = self.findings()
        reading = (
            f"{len(table):,} findings from the numbers above, most pressing first. Fill in the Decision "
            "column with the client; the same checklist is a sheet of tables.xlsx."
        )
        return self.rpt._table(
            table,
            [
                Column("number", "#", "int"),
                Column("area", "Area"),
                Column("finding", "Finding", width="42%"),
                Column("question", "To decide", width="22%"),
                Column("decision", "Decision", width="20%"),
            ],
            title=f"{len(table):,} decisions to take with the client",
            reading=reading,
            limit=None,
            empty="Nothing in the numbers calls for a decision.",
            sheet="Recommendations checklist",
        )

    def write_outputs(self, output_dir: str | Path | None) -> None:
        """``metrics.json`` (the headline figures of the last month, as in the client report) and
        ``tables.xlsx`` (every table of the audit in full, the checklist included)."""
        self.rpt.write_outputs(output_dir)


def open_audit(
    client: str = "demo",
    period: str = "",
    *,
    months: int = AUDIT_MONTHS,
    data_dir: str | Path = "data",
    final: bool = False,
    pseudonymise: bool = False,
) -> ChannelAudit:
    """Open the audit of a client over ``months`` months ending with ``period`` (``YYYY-MM``; empty: the
    last complete month in the data)."""
    rpt = open_report(client, period, data_dir=data_dir, final=final, pseudonymise=pseudonymise)
    return ChannelAudit(rpt, months_back(rpt.period, months), rpt.period)


__all__ = ["ChannelAudit", "Finding", "open_audit"]
