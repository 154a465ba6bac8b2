"""Interactive exploration: the client report's own sections, narrowed to a channel, a span, a member.

A notebook in JupyterLab opens an explorer with :func:`open_explorer` and its filters, then calls one
section per cell; changing a filter in the parameters cell and running the notebook again shows the
same tables and charts for the new selection. The filtering happens here, not in the notebook: the
explorer narrows the tables of a :class:`~community_health.report.Report` (see
:mod:`~community_health.report.scope`) and every section is the client report's own, so the numbers
are the ones a client report would show for that selection.

Filters
-------
channel
    A platform (``slack``), a channel (``help`` or ``#help``) or both (``Slack #help``, ``slack/help``).
member
    A member's name, id, ``@handle`` or pseudonym; the explorer keeps the conversations they wrote in
    (whole threads, so response times stay right) and lists their own messages.
period
    ``2026-10``, a span ``2026-08..2026-10``, or empty for the last complete month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from community_health.charts import overview as figures
from community_health.config import ConfigError, Period
from community_health.metrics import listening, loyalty
from community_health.metrics._common import is_member, local_days
from community_health.report.blocks import Block, Column, absent, chart
from community_health.report.scope import (
    CHANNEL_KEY,
    channel_label,
    channel_labels,
    channel_mask,
    cover,
    member_keys,
    narrowed,
    over_span,
    parse_span,
    rows_of,
    span_label,
)
from community_health.report.sections import Report, open_report
from community_health.schema import Messages as M
from community_health.schema import Posts as P

MEMBERS_SHOWN = 15
MESSAGES_SHOWN = 25


def daily_messages(messages: pd.DataFrame, window) -> pd.DataFrame:
    """Member and brand messages on each local day of the window (days without any as zero).

    Returns
    -------
    pandas.DataFrame
        ``day`` (naive local midnight), ``member_messages``, ``brand_messages``.
    """
    inside = messages.loc[window.contains(messages[M.created_at])]
    days = local_days(inside[M.created_at], window.tz)
    frame = pd.DataFrame(
        {
            "day": days.to_numpy(),
            "member_messages": is_member(inside).to_numpy().astype("int64"),
            "brand_messages": inside[M.author_is_brand].astype(bool).to_numpy().astype("int64"),
        }
    )
    counts = frame.groupby("day")[["member_messages", "brand_messages"]].sum()
    counts = counts.reindex(window.local_days(), fill_value=0).astype("int64")
    counts.index.name = "day"
    return counts.reset_index()


@dataclass
class Explorer:
    """A client's data narrowed to the chosen channel, span and member; one method per view."""

    full: Report  # every channel and member, over the span
    rpt: Report  # the selection
    first: Period
    last: Period
    channel: str = ""
    member: str = ""
    members: pd.DataFrame | None = None  # the (platform, author_id) of the chosen member

    @property
    def window(self):
        return self.rpt.window

    @property
    def selection(self) -> str:
        """The filters in words."""
        channel = self.channel.strip() or "every channel"
        member = self.member.strip() or "every member"
        return f"{span_label(self.first, self.last)} · {channel} · {member}"

    # ------------------------------------------------------------------ views
    def filters(self) -> Block:
        """What is shown: the client, the span, the channel and member chosen, how many messages."""
        m, w = self.rpt.messages, self.window
        inside = m.loc[w.contains(m[M.created_at])]
        member_note = (
            " The member filter keeps every conversation they wrote in (so response times stay right); the "
            "message list shows their own messages."
            if self.members is not None
            else ""
        )
        head = cover(
            self.rpt.cfg,
            self.rpt.cfg.name,
            f"Explore · {span_label(self.first, self.last)}",
            f"Channel: {self.channel.strip() or 'all'} · member: {self.member.strip() or 'all'} · "
            f"{len(inside):,} messages, {int(is_member(inside).sum()):,} by members · "
            f"times in {self.rpt.cfg.timezone}",
            note="Change channel, member or period in the parameters cell and run the notebook again."
            + member_note,
        )
        return head

    def choices(self) -> Block:
        """The channels and the most active members there are to choose from."""
        return self._channels() + self._members()

    def _channels(self) -> Block:
        m, w = self.full.messages, self.window
        inside = m.loc[w.contains(m[M.created_at])]
        member = is_member(inside)
        table = (
            inside.assign(_member=member.to_numpy(), _brand=inside[M.author_is_brand].astype(bool).to_numpy())
            .groupby(CHANNEL_KEY, sort=True)
            .agg(member_messages=("_member", "sum"), brand_messages=("_brand", "sum"))
            .reset_index()
        )
        people = (
            inside.loc[member].groupby(CHANNEL_KEY)[M.author_id].nunique().rename("members").reset_index()
        )
        table = table.merge(people, on=CHANNEL_KEY, how="left").fillna({"members": 0})
        table = table.assign(label=channel_labels(table)).sort_values(
            ["member_messages", "label"], ascending=[False, True], kind="stable"
        )
        return self.rpt._table(
            table,
            [
                Column("label", "Channel (type this as channel)"),
                Column("member_messages", "Member messages", "int"),
                Column("members", "Members", "int"),
                Column("brand_messages", "Brand messages", "int"),
            ],
            title="Channels to choose from",
            reading=f"Every channel with messages in {span_label(self.first, self.last)}; a platform name "
            "(slack, discord…) selects all its channels.",
            limit=None,
            empty="No message in this span.",
            sheet="Explore channels",
            more=[Column(M.platform, "Platform"), Column(M.channel, "Channel id")],
        )

    def _members(self) -> Block:
        active = loyalty.active_members(self.rpt.messages, self.window)
        active = self.rpt._names(active.assign(author_name=active[M.author_name].fillna(active[M.author_id])))
        return self.rpt._table(
            active,
            [
                Column(M.author_name, "Member (type this as member)"),
                Column(M.platform, "Where"),
                Column("channels", "Channels"),
                Column("messages", "Messages", "int"),
            ],
            title="Most active members in the selection",
            limit=MEMBERS_SHOWN,
            empty="No member wrote in this selection.",
            sheet="Explore members",
            more=[Column(M.author_id, "Member id")],
        )

    def overview(self) -> Block:
        """The client report's KPI cards for the selection, against the previous span of equal length."""
        return self.rpt.health_at_a_glance()

    def activity(self) -> Block:
        """Member and brand messages day by day."""
        daily = daily_messages(self.rpt.messages, self.window)
        total = int(daily["member_messages"].sum())
        if total == 0 and int(daily["brand_messages"].sum()) == 0:
            return absent("Activity", f"No message in {self.selection}.")
        busiest = daily.sort_values(["member_messages", "day"], ascending=[False, True], kind="stable").iloc[
            0
        ]
        title = (
            f"{total:,} member message{'' if total == 1 else 's'}; the busiest day was "
            f"{busiest['day']:%a %d %b} ({busiest['member_messages']:,})"
        )
        reading = "Messages per day in the client's time zone: members beneath, the brand on top."
        return chart(title, reading, figures.daily_activity(daily, self.rpt.branding))

    def sentiment(self) -> Block:
        """Net sentiment week by week, then by channel (the client report's listening section) when the
        selection holds more than one channel."""
        rpt = self.rpt
        weekly = listening.sentiment_by_week(rpt.messages, rpt.enrichment, self.window, rpt.cfg.thresholds)
        weekly = weekly.loc[weekly["messages"] > 0]
        if weekly.empty:
            return absent("Sentiment", f"No member message in {self.selection}.")
        frame = pd.DataFrame(
            {
                "week": weekly.index.to_numpy(),
                "net": weekly["net_sentiment"].to_numpy(),
                "messages": weekly["messages"].to_numpy(),
            }
        )
        worst = frame.sort_values(["net", "week"], kind="stable").iloc[0]
        title = (
            f"Net sentiment was lowest in the week of {worst['week']:%d %b} ({worst['net'] * 100:+.0f}%)"
            if worst["net"] < 0
            else "Net sentiment stayed positive every week"
        )
        reading = (
            "Share of positive minus share of negative member messages (and mentions) each week, scored "
            "per message with the VADER lexicon."
        )
        block = chart(title, reading, figures.weekly_net_sentiment(frame, rpt.branding))
        inside = rpt.messages.loc[self.window.contains(rpt.messages[M.created_at])]
        if len(inside[CHANNEL_KEY].drop_duplicates()) > 1:
            block = block + rpt.listening()
        return block

    def early_warning(self) -> Block:
        """Negative volume day by day and its spikes (the client report's early warning section)."""
        return self.rpt.early_warning()

    def responsiveness(self) -> Block:
        """Time to first response and the unanswered threads (the client report's sections)."""
        return self.rpt.responsiveness() + self.rpt.unanswered()

    def dead_time(self) -> Block:
        """Member activity by hour of the week beside the brand's presence."""
        return self.rpt.dead_time()

    def core_group(self) -> Block:
        """The members who carry the selection."""
        return self.rpt.core_group()

    def resonance(self) -> Block:
        """Engagement of the brand's posts in the selection (the client report's resonance section)."""
        return self.rpt.resonance()

    def messages(self) -> Block:
        """The member messages of the selection with their sentiment, latest first (the chosen member's
        own messages when a member is chosen)."""
        rpt = self.rpt
        scored = listening.message_sentiment(rpt.messages, rpt.enrichment, self.window, rpt.cfg.thresholds)
        if self.members is not None:
            scored = scored.loc[rows_of(scored, self.members, [M.platform, M.author_id])]
        scored = scored.iloc[::-1].reset_index(drop=True)
        scored = scored.assign(
            where=channel_labels(scored), author_name=scored[M.author_name].fillna(scored[M.author_id])
        )
        scored = rpt._names(scored)
        return rpt._table(
            scored,
            [
                Column(M.created_at, "When", "datetime"),
                Column("where", "Where"),
                Column(M.author_name, "Member"),
                Column("sentiment", "Sentiment", "float"),
                Column(M.text, "Message", width="50%"),
            ],
            title=f"{len(scored):,} member message{'' if len(scored) == 1 else 's'}",
            reading="Latest first, with their sentiment (VADER compound, −1 to +1).",
            limit=MESSAGES_SHOWN,
            empty="No member message in this selection.",
            sheet="Explore messages",
            more=[Column("tone", "Tone"), Column(M.url, "Link"), Column(M.message_id, "Message id")],
        )

    def write_outputs(self, output_dir: str | Path | None) -> None:
        """``metrics.json`` (the headline figures of the selection's last month) and ``tables.xlsx``."""
        self.rpt.write_outputs(output_dir)


def _posts_mask(posts: pd.DataFrame, channel: str) -> np.ndarray:
    """The brand posts of the channels ``channel`` names (none when it names no post channel)."""
    if posts.empty:
        return np.zeros(0, dtype=bool)
    try:
        return channel_mask(posts.rename(columns={P.platform: M.platform, P.channel: M.channel}), channel)
    except ConfigError:
        return np.zeros(len(posts), dtype=bool)


def open_explorer(
    client: str = "demo",
    period: str = "",
    *,
    channel: str = "",
    member: str = "",
    data_dir: str | Path = "data",
    final: bool = False,
    pseudonymise: bool = False,
) -> Explorer:
    """Open a client's data narrowed to ``channel``, ``member`` and ``period`` (see the module's filters).

    Raises
    ------
    ConfigError
        When a filter matches nothing; the message lists what there is.
    """
    last_text = str(period or "").partition("..")[2] or str(period or "")
    full = open_report(client, last_text.strip(), data_dir=data_dir, final=final, pseudonymise=pseudonymise)
    first, last = parse_span(period, full.period)
    full = over_span(full, first, last)
    messages, posts = full.messages, full.posts
    posts_keep = _posts_mask(posts, channel) if channel.strip() else np.ones(len(posts), dtype=bool)
    try:
        keep = channel_mask(messages, channel)
    except ConfigError:
        if not posts_keep.any():
            known = sorted(
                {
                    channel_label(p, c)
                    for p, c in messages[CHANNEL_KEY].drop_duplicates().itertuples(index=False)
                }
                | {
                    channel_label(p, c)
                    for p, c in posts[[P.platform, P.channel]].drop_duplicates().itertuples(index=False)
                }
            )
            raise ConfigError(f"no channel {channel!r} in the data; channels: {', '.join(known)}") from None
        keep = np.zeros(len(messages), dtype=bool)
    chosen = None
    if member.strip():
        chosen = member_keys(messages.loc[keep], member, pseudonymised=pseudonymise)
        own = rows_of(messages, chosen, [M.platform, M.author_id]) & keep
        threads = messages.loc[own, [M.platform, M.thread_id]].drop_duplicates()
        keep = keep & rows_of(messages, threads, [M.platform, M.thread_id])
        posts_keep = np.zeros(len(posts), dtype=bool)  # brand posts have no member
    rpt = narrowed(full, keep, posts_keep)
    return Explorer(full, rpt, first, last, channel, member, chosen)


__all__ = ["Explorer", "daily_messages", "open_explorer"]
