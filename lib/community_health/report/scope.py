"""Narrowing a client report: to a span of months, to channels, to a member.

The channel audit, the explorer and the portfolio all start from the monthly :class:`Report` of
:func:`open_report` and narrow it here, so that every figure they show is computed by the same metric
functions and the same report sections as the client report.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from community_health.config import ClientConfig, ConfigError, Period
from community_health.metrics._common import PERSON, from_listening
from community_health.metrics.window import Window
from community_health.report.blocks import Block, escape, image_tag
from community_health.report.labels import (  # noqa: F401 (named here by the modules that narrow a report)
    CHANNEL_KEY,
    CHAT_PLATFORMS,
    PLATFORM_NAMES,
    channel_label,
    channel_labels,
    platform_name,
)
from community_health.report.sections import Report, member_pseudonym
from community_health.schema import Enrichment as E
from community_health.schema import Messages as M


def listening_channels(messages: pd.DataFrame) -> set[tuple[str, str]]:
    """Channels that hold only what a listening tool found (mentions, web pages): the brand does not
    converse there, so nobody is expected to answer or post."""
    if messages.empty:
        return set()
    listened = messages.assign(_listening=from_listening(messages).to_numpy())
    only = listened.groupby(CHANNEL_KEY, sort=True)["_listening"].all()
    return {key for key, flag in only.items() if flag}


# ---------------------------------------------------------------------------------------------- periods


def parse_span(text: str, default: Period) -> tuple[Period, Period]:
    """The first and last month of ``text``: ``""`` (``default``), ``2026-10`` or ``2026-08..2026-10``."""
    text = str(text or "").strip()
    if not text:
        return default, default
    first, _, last = text.partition("..")
    start, end = Period.parse(first), Period.parse(last or first)
    if (end.year, end.month) < (start.year, start.month):
        raise ConfigError(f"period {text!r} ends before it starts; write the earlier month first")
    return start, end


def months_back(last: Period, months: int) -> Period:
    """The first month of a span of ``months`` months ending with ``last``."""
    if months < 1:
        raise ConfigError(f"months must be at least 1, got {months}")
    return last.previous(months - 1)


def span_label(first: Period, last: Period) -> str:
    """``October 2026`` or ``August – October 2026``."""
    if first == last:
        return last.label
    if first.year == last.year:
        return f"{first.label.split()[0]} – {last.label}"
    return f"{first.label} – {last.label}"


def over_span(rpt: Report, first: Period, last: Period) -> Report:
    """The same report, its window widened to run from the first day of ``first`` to the end of ``last``.

    The report's ``period`` becomes ``last`` (the month its trend lines end with); every section then
    computes its figures over the whole span, compared with the span of equal length before it. The
    table registry is shared, so every table shown ends up in the same ``tables.xlsx``.
    """
    tz = rpt.cfg.timezone
    return dataclasses.replace(rpt, period=last, window=Window(first.start(tz), last.end(tz), tz))


# ---------------------------------------------------------------------------------------------- filters


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text).strip().casefold())


def channel_mask(messages: pd.DataFrame, wanted: str) -> np.ndarray:
    """Which rows belong to the channels ``wanted`` names: a platform (``slack``), a channel
    (``help`` or ``#help``, in every platform that has one), or both (``slack/help``, ``slack #help``,
    ``Slack #help``, ``slack · help``). Empty: every row.

    Raises
    ------
    ConfigError
        When nothing matches, listing the channels there are.
    """
    if not str(wanted).strip():
        return np.ones(len(messages), dtype=bool)
    text = _norm(wanted)
    platform = messages[M.platform].astype(str).str.casefold()
    channel = messages[M.channel].astype(str).str.casefold()
    if (platform == text).any():
        return (platform == text).to_numpy()
    bare = text.lstrip("#")
    if (channel == bare).any():
        return (channel == bare).to_numpy()
    pairs = messages[CHANNEL_KEY].drop_duplicates()
    for p, c in pairs.itertuples(index=False):
        names = {
            _norm(channel_label(p, c)),
            _norm(f"{p}/{c}"),
            _norm(f"{p} #{c}"),
            _norm(f"{p} · {c}"),
            _norm(f"{p}:{c}"),
        }
        if text in names:
            return ((platform == str(p).casefold()) & (channel == str(c).casefold())).to_numpy()
    known = sorted({channel_label(p, c) for p, c in pairs.itertuples(index=False)})
    raise ConfigError(f"no channel {wanted!r} in the data; channels: {', '.join(known) or 'none'}")


def member_keys(messages: pd.DataFrame, wanted: str, pseudonymised: bool = False) -> pd.DataFrame:
    """The (platform, author_id) of the member ``wanted`` names: an exact name, id or ``@handle`` (any
    case, on every platform where it occurs), a pseudonym (``Member 3fa2c1``), or else the one member
    whose name contains the text.

    Raises
    ------
    ConfigError
        When no member or several members match, naming the candidates.
    """
    members = messages.loc[~messages[M.author_is_brand].astype(bool)]
    if PERSON not in members.columns:  # no aliases: every account is a person of its own
        members = members.assign(**{PERSON: None})
    members = members[[M.platform, M.author_id, M.author_name, PERSON]].drop_duplicates(
        [M.platform, M.author_id]
    )
    text = _norm(wanted).lstrip("@")
    names = members[M.author_name].fillna("").map(_norm)
    ids = members[M.author_id].astype(str).map(_norm)
    person = members[PERSON].fillna("").astype(str).map(_norm)
    alias = pd.Series(
        [
            _norm(member_pseudonym(p, a, who))
            for p, a, who in zip(members[M.platform], members[M.author_id], members[PERSON], strict=True)
        ],
        index=members.index,
        dtype="str",
    )
    exact = members.loc[(names == text) | (ids == text) | (alias == text) | ((person == text) & (text != ""))]
    if len(exact):
        # every account of the person found, when aliases join them
        joined = members[PERSON].notna() & members[PERSON].isin(exact[PERSON].dropna())
        exact = members.loc[members.index.isin(exact.index) | joined]
        return exact[[M.platform, M.author_id]].reset_index(drop=True)
    partial = members.loc[names.str.contains(text, regex=False) & (text != "")]
    if len(partial[M.author_name].drop_duplicates()) == 1:
        return partial[[M.platform, M.author_id]].reset_index(drop=True)
    if partial.empty:
        raise ConfigError(f"no member called {wanted!r} in the data (give a name, an id or an @handle)")
    candidates = alias.loc[partial.index] if pseudonymised else partial[M.author_name].astype(str)
    shown = list(dict.fromkeys(candidates))
    more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
    raise ConfigError(f"{len(shown)} members match {wanted!r}: {', '.join(shown[:10])}{more}")


def rows_of(messages: pd.DataFrame, keys: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row's ``columns`` occur among the rows of ``keys``."""
    if keys.empty:
        return np.zeros(len(messages), dtype=bool)
    return np.asarray(
        pd.MultiIndex.from_frame(messages[columns]).isin(pd.MultiIndex.from_frame(keys[columns]))
    )


def narrowed(rpt: Report, keep: np.ndarray, posts_keep: np.ndarray) -> Report:
    """The report over the messages ``keep`` selects (and their scores) and the posts ``posts_keep``
    selects; everything else (client, period, tables registry) is shared."""
    messages = rpt.messages.loc[keep]
    enrichment = rpt.enrichment
    aligned = len(enrichment) == len(rpt.messages) and bool(
        (enrichment[E.message_id].to_numpy() == rpt.messages[M.message_id].to_numpy()).all()
    )
    if aligned:  # the stored scores list the messages in the same order: keep the same rows
        enrichment = enrichment.loc[keep]
    return dataclasses.replace(rpt, messages=messages, enrichment=enrichment, posts=rpt.posts.loc[posts_keep])


# ---------------------------------------------------------------------------------------------- cover


def cover(
    cfg: ClientConfig, title: str, subtitle: str, meta: str, note: str = "", client_logo: bool = True
) -> Block:
    """A cover in the look of the client report's (colours, logos, agency), with its own title lines;
    ``client_logo=False`` leaves the client's logo out (a cover for the agency's own eyes)."""
    b = cfg.branding
    style = (
        "<style>:root{"
        f"--ch-primary:{escape(b.primary)};--ch-secondary:{escape(b.secondary)};"
        f"--ch-accent:{escape(b.accent)};--ch-negative:{escape(b.negative)};--ch-font:{escape(b.font)}"
        "}</style>"
    )
    agency_logo = image_tag(b.agency_logo, "ch-agency-logo", b.agency_name or "agency")
    agency = (
        f'<div class="ch-agency">{agency_logo}<span>{escape(b.agency_name)}</span></div>'
        if b.agency_name or agency_logo
        else ""
    )
    logo = image_tag(b.logo, "ch-logo", title) if client_logo else ""
    extra = f'<p class="ch-reading" style="margin-top:14px">{escape(note)}</p>' if note else ""
    return Block(
        f'{style}<header class="ch-cover">{agency}{logo}<h1>{escape(title)}</h1>'
        f'<div class="ch-subtitle">{escape(subtitle)}</div>'
        f'<div class="ch-meta">{escape(meta)}</div>{extra}</header>'
    )


__all__ = [
    "channel_label",
    "channel_labels",
    "channel_mask",
    "cover",
    "listening_channels",
    "member_keys",
    "months_back",
    "narrowed",
    "over_span",
    "parse_span",
    "span_label",
]
