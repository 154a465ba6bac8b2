"""Core group: how many members carry the community?

The core group is the smallest set of members who together wrote at least half of the member
messages of the period. It is the community version of the CHAOSS "Contributor Absence Factor"
(formerly "Bus Factor"): the fewer people it takes, the more the community depends on them.

Three more views of the same question: the *onion* (core, regular and casual members, who write 80,
15 and 5 percent of the messages), *Orbit levels* (how often each member shows up over the last week,
four weeks and thirteen weeks, and how that moved since the previous period), and the *advocates*
(members who keep writing positively, with their channels, tone and messages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_health.config import Thresholds
from community_health.metrics._common import (
    FUNCTION_WORDS,
    MEMBER_KEY,
    PERSON,
    PRIOR_TOKENS,
    M,
    checked_rate,
    checked_share,
    excerpt,
    keys_isin,
    local_days,
    log_odds_z,
    median_or_none,
    member_codes,
    member_key,
    member_table,
    person_labels,
    reused,
    term_counts,
    term_rows,
    window_member_rows,
    window_members,
)
from community_health.metrics.listening import DEFAULT_THRESHOLDS, TEXT_COLUMNS, _scored_in
from community_health.metrics.loyalty import active_member_count
from community_health.metrics.window import Window
from community_health.schema import Enrichment

E = Enrichment

CORE_SHARE = 0.5
#: The onion's layers and the cumulative share of member messages at which each one ends.
ONION_LAYERS = {"core": 0.80, "regular": 0.95, "casual": 1.0}
#: Orbit levels, closest first; 0 is outside the orbit (no message in the last 13 weeks).
ORBIT_LEVELS = {1: "inner circle", 2: "contributors", 3: "participants", 4: "explorers", 0: "outside"}
ADVOCATE_MIN_POSITIVE = 3
ADVOCATE_MIN_DAYS = 2


@reused
def _ranked_members(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    return member_table(window_members(messages, window))


@reused
def _ranked_counts(messages: pd.DataFrame, window: Window) -> np.ndarray:
    """The period's message count of each active member, most first (the ``messages`` column of
    :func:`_ranked_members`, without building the table)."""
    codes, _ = member_codes(messages)
    counts = np.bincount(codes[window_member_rows(messages, window)])
    return -np.sort(-counts[counts > 0])


def _messages_before(counts: np.ndarray) -> np.ndarray:
    """For each member of :func:`_ranked_counts`, the messages of the members ranked before them."""
    return np.cumsum(counts) - counts


@reused
def core_group(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Core group: the smallest set of members who together wrote at least half of the period's member
    messages.

    Members are taken from the most to the least active until their messages reach half of all
    member messages; among members with equal counts the order is by platform and id, so the list
    is reproducible.

    Source: CHAOSS "Contributor Absence Factor"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``author_id``, ``author_name``, ``messages``, ``channels``, ``share`` (of
        member messages) and ``cumulative_share``; most active first.
    """
    table = _ranked_members(messages, window)
    total = int(table["messages"].sum())
    if total == 0:
        return table.assign(share=pd.Series(dtype="float64"), cumulative_share=pd.Series(dtype="float64"))
    table["share"] = table["messages"] / total
    table["cumulative_share"] = table["messages"].cumsum() / total
    before = table["messages"].cumsum() - table["messages"]
    return table.loc[before < CORE_SHARE * total].reset_index(drop=True)


def core_group_size(messages: pd.DataFrame, window: Window) -> int:
    """Core group size (absence factor): the smallest number of members who together wrote half of the
    period's member messages.

    A small number means the community leans on a few people.

    Unit: members
    Source: CHAOSS "Contributor Absence Factor"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    int
    """
    counts = _ranked_counts(messages, window)
    return int((_messages_before(counts) < CORE_SHARE * counts.sum()).sum())


def core_group_activity_share(messages: pd.DataFrame, window: Window) -> float | None:
    """Share of the period's member messages written by the core group (at least one half by construction).

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float or None
        A share in [0.5, 1]; ``None`` when members wrote nothing.
    """
    counts = _ranked_counts(messages, window)
    total = int(counts.sum())
    if total == 0:
        return None
    core = pd.Series(counts[_messages_before(counts) < CORE_SHARE * total] / total)
    return checked_rate(float(core.sum()), "core group activity share", CORE_SHARE, 1.0)


def core_group_share_of_members(messages: pd.DataFrame, window: Window) -> float | None:
    """Share of the period's active members who belong to the core group.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    float or None
        A share in [0, 1]; ``None`` when nobody was active.
    """
    return checked_share(
        core_group_size(messages, window),
        active_member_count(messages, window),
        "core group share of members",
    )


# ---------------------------------------------------------------------------------------------- onion


@reused
def activity_onion(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The onion: every member active in the period placed in the core, regular or casual layer, which
    write 80, 15 and 5 percent of the period's member messages.

    Members are taken from the most to the least active (ties by platform and id, as in
    :func:`core_group`); a member is *core* while the members before them wrote less than 80 % of
    the messages, *regular* while they wrote less than 95 %, and *casual* after that.

    Source: the "onion model" of open communities (Crowston and Howison, 2005)

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``author_id``, ``author_name``, ``messages``, ``channels``, ``share``,
        ``cumulative_share`` and ``layer``; most active first.
    """
    table = _ranked_members(messages, window)
    total = int(table["messages"].sum())
    running = table["messages"].cumsum()
    layer = _onion_layers((running - table["messages"]).to_numpy(), total)
    return table.assign(
        share=table["messages"] / total if total else pd.Series(dtype="float64"),
        cumulative_share=running / total if total else pd.Series(dtype="float64"),
        layer=pd.Series(layer, index=table.index, dtype="str"),
    )


def _onion_layers(before: np.ndarray, total: int) -> np.ndarray:
    """The onion layer of each ranked member, from the messages of the members ranked before them."""
    core, regular = ONION_LAYERS["core"], ONION_LAYERS["regular"]
    return np.select([before < core * total, before < regular * total], ["core", "regular"], "casual")


def onion_layers(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The onion by layer: how many members are core, regular and casual, and the share of the period's
    member messages each layer wrote.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        Indexed ``core``, ``regular``, ``casual``: ``members``, ``messages``, ``share_of_members``,
        ``share_of_messages`` (shares missing when nobody was active).
    """
    onion = activity_onion(messages, window)
    grouped = onion.groupby("layer")
    out = pd.DataFrame({"members": grouped.size(), "messages": grouped["messages"].sum()})
    out = out.reindex(list(ONION_LAYERS), fill_value=0).astype("int64")
    members, written = out["members"].sum(), out["messages"].sum()
    out["share_of_members"] = out["members"] / members if members else np.nan
    out["share_of_messages"] = out["messages"] / written if written else np.nan
    out.index.name = "layer"
    return out


def onion_member_count(messages: pd.DataFrame, window: Window, layer: str = "core") -> int:
    """Onion layer size: how many members of the period are in the given layer (core, regular or casual) of
    the onion.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.
    layer
        ``core``, ``regular`` or ``casual``.

    Returns
    -------
    int
    """
    if layer not in ONION_LAYERS:
        raise ValueError(f"unknown onion layer {layer!r}; known layers: {', '.join(ONION_LAYERS)}")
    counts = _ranked_counts(messages, window)
    return int((_onion_layers(_messages_before(counts), int(counts.sum())) == layer).sum())


# ---------------------------------------------------------------------------------------------- orbit


def _orbit_rows(messages: pd.DataFrame, moment: pd.Timestamp, tz: str) -> tuple[np.ndarray, pd.Timestamp]:
    """The rows of members' messages in the 91 local days before ``moment``, and the day after the last."""
    end_day = (moment - pd.Timedelta(1, "ns")).tz_convert(tz).tz_localize(None).normalize() + pd.Timedelta(
        days=1
    )
    since = (end_day - pd.Timedelta(days=91)).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    codes, _ = member_codes(messages)
    moments = messages[M.created_at]
    return np.flatnonzero(((moments >= since) & (moments < moment)).to_numpy() & (codes >= 0)), end_day


@reused
def _orbit_presence(messages: pd.DataFrame, moment: pd.Timestamp, tz: str) -> pd.DataFrame:
    """Every member's presence over the 7, 28 and 91 local days before ``moment`` and their Orbit level,
    indexed by member code (:func:`member_codes`), in code order."""
    rows, end_day = _orbit_rows(messages, moment, tz)
    codes, _ = member_codes(messages)
    ago = (end_day - local_days(messages[M.created_at].iloc[rows], tz)).dt.days.to_numpy().astype("int64")
    present, slot = np.unique(codes[rows], return_inverse=True)
    wrote = np.zeros((len(present), 128), dtype=bool)  # wrote[member, k]: wrote on the k-th day back (1-91)
    wrote[slot, ago] = True
    weeks = wrote[:, 1:29].reshape(len(present), 4, 7).any(axis=2)
    table = pd.DataFrame(
        {
            "days_last_week": wrote[:, 1:8].sum(axis=1),
            "days_last_4_weeks": wrote[:, 1:29].sum(axis=1),
            "days_last_13_weeks": wrote.sum(axis=1),
            "weeks_active_last_4": weeks.sum(axis=1),
        },
        index=pd.Index(present, name="code"),
    ).astype("int64")
    level = np.select(
        [
            table["weeks_active_last_4"] >= 3,
            table["days_last_4_weeks"] >= 3,
            (table["days_last_4_weeks"] >= 1) | (table["days_last_13_weeks"] >= 3),
        ],
        [1, 2, 3],
        4,
    )
    return table.assign(level=level.astype("int64"))


@reused
def _orbit_at(messages: pd.DataFrame, moment: pd.Timestamp, tz: str) -> pd.DataFrame:
    """:func:`_orbit_presence` with each member's key and name (the latest they used), by key."""
    rows, _ = _orbit_rows(messages, moment, tz)
    codes, keys = member_codes(messages)
    presence = _orbit_presence(messages, moment, tz)
    present = presence.index.to_numpy()
    stamps = pd.DatetimeIndex(messages[M.created_at].iloc[rows]).as_unit("ns").asi8
    latest = rows[np.lexsort((stamps, codes[rows]))]  # by member, then time: each member's last is latest
    last_of_member = latest[np.append(np.diff(codes[latest]) != 0, True)] if len(latest) else latest
    table = keys.loc[present].reset_index(drop=True)
    table[M.author_name] = messages[M.author_name].iloc[last_of_member].to_numpy()
    counts = ["days_last_week", "days_last_4_weeks", "days_last_13_weeks", "weeks_active_last_4"]
    table[counts] = presence[counts].to_numpy()
    if PERSON in table.columns:  # a person: the platforms and accounts they wrote from, and their name
        labels = person_labels(messages[[PERSON, M.platform, M.author_id]].iloc[rows]).reindex(table[PERSON])
        for column in (M.platform, M.author_id):
            table[column] = pd.Series(labels[column].to_numpy(), index=table.index, dtype="str")
        named = labels["name"].notna().to_numpy()
        table[M.author_name] = table[M.author_name].where(~named, labels["name"].to_numpy())
    table = table.assign(level=presence["level"].to_numpy())
    return table.sort_values(MEMBER_KEY, kind="stable").reset_index(drop=True)


@reused
def _orbit_moves(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """``previous_level`` and ``level`` (0: outside) of every member in orbit at the window's start or end,
    and their ``movement``, indexed by member code."""
    now = _orbit_presence(messages, window.end, window.tz)["level"]
    before = _orbit_presence(messages, window.start, window.tz)["level"]
    both = pd.concat([before.rename("previous_level"), now.rename("level")], axis=1).fillna(0).astype("int64")
    return both.assign(movement=_movement(both["previous_level"], both["level"]))


def _movement(previous: pd.Series, current: pd.Series) -> pd.Series:
    rank_prev = previous.where(previous > 0, 5)
    rank_now = current.where(current > 0, 5)
    out = np.select(
        [
            (previous == 0) & (current > 0),
            (previous > 0) & (current == 0),
            rank_now < rank_prev,
            rank_now > rank_prev,
        ],
        ["joined", "left", "closer", "farther"],
        "same",
    )
    return pd.Series(out, index=current.index, dtype="str")


@reused
def orbit_levels(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Orbit levels: each member's level at the end of the period from how often they showed up, beside
    their level at its start.

    Presence is counted in local days with at least one message, looking back from the moment of
    measurement: the last week (7 days), the last 4 weeks (28 days, split into four weeks) and the
    last 13 weeks (91 days). Levels, closest first:

    - **Orbit 1, inner circle**: active in at least 3 of the last 4 weeks;
    - **Orbit 2, contributors**: otherwise, active on at least 3 days of the last 4 weeks;
    - **Orbit 3, participants**: otherwise, active in the last 4 weeks, or on at least 3 days of the
      last 13 weeks;
    - **Orbit 4, explorers**: otherwise, active at least once in the last 13 weeks;
    - **0, outside**: no message in the last 13 weeks.

    Movement compares the level at the end of the period with the level at its start (the end of the
    previous period): ``closer``, ``farther``, ``same``, ``joined`` (from outside) or ``left`` (to
    outside).

    Source: Orbit Model "Orbit levels" (presence instead of weighted activity)

    Parameters
    ----------
    messages
        All messages.
    window
        The period: levels are measured at ``window.end`` and at ``window.start``.

    Returns
    -------
    pandas.DataFrame
        One row per member in orbit at either moment: ``platform``, ``author_id``, ``author_name``,
        ``level``, ``level_name``, ``previous_level``, ``movement``, ``days_last_week``,
        ``days_last_4_weeks``, ``weeks_active_last_4``, ``days_last_13_weeks`` (at the end); closest
        level first, then most days.
    """
    key = member_key(messages)
    shown = [M.platform, M.author_id, M.author_name]
    now = _orbit_at(messages, window.end, window.tz)
    before = _orbit_at(messages, window.start, window.tz)[[*dict.fromkeys([*key, *shown]), "level"]]
    before = before.rename(columns={"level": "previous_level", **{c: f"previous_{c}" for c in shown}})
    before = before.rename(columns={f"previous_{c}": c for c in key})
    table = now.merge(before, on=key, how="outer")
    counts = ["days_last_week", "days_last_4_weeks", "weeks_active_last_4", "days_last_13_weeks"]
    table[counts] = table[counts].fillna(0).astype("int64")
    table["level"] = table["level"].fillna(0).astype("int64")
    table["previous_level"] = table["previous_level"].fillna(0).astype("int64")
    table["level_name"] = table["level"].map(ORBIT_LEVELS).astype("str")
    table["movement"] = _movement(table["previous_level"], table["level"])
    for column in shown:
        if f"previous_{column}" in table.columns:
            table[column] = table[column].fillna(table.pop(f"previous_{column}"))
    table["_rank"] = table["level"].where(table["level"] > 0, 5)
    table = table.sort_values(
        ["_rank", "days_last_13_weeks", M.platform, M.author_id],
        ascending=[True, False, True, True],
        kind="stable",
    )
    columns = [*MEMBER_KEY, M.author_name, "level", "level_name", "previous_level", "movement", *counts]
    columns += [PERSON] if PERSON in key else []
    return table[columns].reset_index(drop=True)


def orbit_level_counts(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Members in each Orbit level at the end of the period and at its start, with the change.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``level`` 1 to 4: ``level_name``, ``members``, ``previous_members``, ``change``.
    """
    table = orbit_levels(messages, window)
    levels = [1, 2, 3, 4]
    out = pd.DataFrame(
        {
            "level_name": [ORBIT_LEVELS[k] for k in levels],
            "members": table["level"].value_counts().reindex(levels, fill_value=0).to_numpy(),
            "previous_members": table["previous_level"]
            .value_counts()
            .reindex(levels, fill_value=0)
            .to_numpy(),
        },
        index=pd.Index(levels, name="level"),
    )
    out["change"] = out["members"] - out["previous_members"]
    return out.astype({"members": "int64", "previous_members": "int64", "change": "int64"})


def orbit_level_movement(messages: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Movement between Orbit levels over the period: members by their level at its start (rows) and at its
    end (columns); 0 is outside the orbit.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    pandas.DataFrame
        A 5 x 5 table of member counts, indexed by ``previous_level`` and with columns ``level``,
        both in the order 1, 2, 3, 4, 0.
    """
    table = orbit_levels(messages, window)
    order = [1, 2, 3, 4, 0]
    out = pd.crosstab(table["previous_level"], table["level"]).reindex(
        index=order, columns=order, fill_value=0
    )
    out.index.name, out.columns.name = "previous_level", "level"
    return out.astype("int64")


def orbit_member_count(messages: pd.DataFrame, window: Window, level: int = 1) -> int:
    """Orbit level size: how many members are in the given Orbit level (1 closest to 4 farthest) at the end
    of the period.

    Unit: members
    Source: Orbit Model "Orbit levels"

    Parameters
    ----------
    messages
        All messages.
    window
        The period.
    level
        1, 2, 3 or 4 (see :func:`orbit_levels`).

    Returns
    -------
    int
    """
    if level not in (1, 2, 3, 4):
        raise ValueError(f"unknown Orbit level {level!r}; levels are 1, 2, 3 and 4")
    return int((_orbit_presence(messages, window.end, window.tz)["level"] == level).sum())


def orbit_moved_closer_count(messages: pd.DataFrame, window: Window) -> int:
    """Moved closer: members whose Orbit level rose during the period (say from Orbit 3 to Orbit 2), not
    counting those who joined from outside.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    int
    """
    return int((_orbit_moves(messages, window)["movement"] == "closer").sum())


def orbit_moved_farther_count(messages: pd.DataFrame, window: Window) -> int:
    """Moved farther: members whose Orbit level fell during the period (say from Orbit 1 to Orbit 2), not
    counting those who left the orbit.

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    window
        The period.

    Returns
    -------
    int
    """
    return int((_orbit_moves(messages, window)["movement"] == "farther").sum())


# ---------------------------------------------------------------------------------------------- advocates


@reused
def _advocate_stats(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds,
    min_positive: int,
    min_days: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-member tone figures of the period with an ``advocate`` flag, and the scored messages."""
    scored = _scored_in(messages, enrichment, thresholds, window, TEXT_COLUMNS)
    positive = (scored["tone"] == "positive").to_numpy()
    scored = scored.assign(
        _positive=positive,
        _negative=(scored["tone"] == "negative").to_numpy(),
        _positive_day=local_days(scored[M.created_at], window.tz).where(positive),
        _length=scored[M.text].fillna("").astype(str).str.len(),
    )
    grouped = scored.groupby(member_key(scored), sort=True)
    stats = pd.DataFrame(
        {
            "scored_messages": grouped[E.sentiment].count(),
            "positive_messages": grouped["_positive"].sum(),
            "negative_messages": grouped["_negative"].sum(),
            "positive_days": grouped["_positive_day"].nunique(),
        }
    ).astype("int64")
    stats["median_sentiment"] = grouped[E.sentiment].median()
    stats["median_length"] = grouped["_length"].median()
    stats["author_followers"] = grouped[M.author_followers].max().astype("Int64")
    stats["positive_share"] = stats["positive_messages"] / stats["scored_messages"].where(
        stats["scored_messages"] > 0
    )
    total_positive = int(stats["positive_messages"].sum())
    stats["share_of_positive_volume"] = (
        stats["positive_messages"] / total_positive if total_positive else np.nan
    )
    stats["advocate"] = (
        (stats["positive_messages"] >= min_positive)
        & (stats["positive_days"] >= min_days)
        & (stats["positive_messages"] > stats["negative_messages"])
    )
    return stats.reset_index(), scored


def _advocate_messages_of(scored: pd.DataFrame, stats: pd.DataFrame) -> pd.Series:
    """Whether each scored message was written by an advocate."""
    key = member_key(scored)
    return pd.Series(keys_isin(scored, stats.loc[stats["advocate"], key], key), index=scored.index)


def advocates(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
    prior_tokens: float = PRIOR_TOKENS,
) -> pd.DataFrame:
    """Advocates: members who wrote positively about the brand again and again in the period, with their
    channels and their tone.

    A member is an advocate when, in the period, at least ``min_positive`` of their messages are
    positive (see :mod:`~community_health.metrics.listening`), written on at least ``min_days``
    different days, and their positive messages outnumber their negative ones. Every member message
    of the exports is about the brand: it was written in the brand's own community or found
    mentioning it. Tone is described by the median sentiment and length of their messages and by
    their most distinctive words (log-odds against every other member's messages, see
    :func:`advocate_vocabulary`).

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds (what is positive and negative).
    min_positive
        The fewest positive messages of an advocate.
    min_days
        The fewest days those positive messages must be spread over.
    prior_tokens
        Weight of the prior of the word comparison (see :func:`advocate_vocabulary`).

    Returns
    -------
    pandas.DataFrame
        ``platform``, ``author_id``, ``author_name``, ``channels``, ``messages``,
        ``positive_messages``, ``negative_messages``, ``positive_share`` (of their scored messages),
        ``share_of_positive_volume`` (of all positive member messages of the period),
        ``median_sentiment``, ``median_length`` (characters), ``author_followers`` and ``words``
        (their five most distinctive words); most positive messages first.
    """
    stats, scored = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    chosen = stats.loc[stats["advocate"]]
    mine = _advocate_messages_of(scored, stats)
    key = member_key(scored)
    table = member_table(scored.loc[mine]).merge(chosen, on=key, how="left")
    words = _distinctive_words_per_member(scored, mine, prior_tokens)
    table["words"] = table[key].merge(words, on=key, how="left")["words"].fillna("").to_numpy()
    table = table.sort_values(
        ["positive_messages", "messages", M.platform, M.author_id],
        ascending=[False, False, True, True],
        kind="stable",
    )
    columns = [
        *MEMBER_KEY,
        M.author_name,
        "channels",
        "messages",
        "positive_messages",
        "negative_messages",
        "positive_share",
        "share_of_positive_volume",
        "median_sentiment",
        "median_length",
        M.author_followers,
        "words",
        *([PERSON] if PERSON in key else []),
    ]
    return table[columns].reset_index(drop=True)


def _distinctive_words_per_member(
    scored: pd.DataFrame, mine: pd.Series, prior_tokens: float, top: int = 5
) -> pd.DataFrame:
    """The ``top`` words that most set each chosen member apart from everyone else (log-odds z > 0)."""
    key = member_key(scored)
    columns = [*key, "words"]
    if not mine.any():
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    rows, found = term_rows(scored[M.text])
    tokens = scored[key].iloc[rows].assign(term=found)
    totals = tokens["term"].value_counts()
    chosen = tokens.loc[mine.to_numpy(dtype=bool)[rows]]
    counts = chosen.groupby([*key, "term"]).size().rename("y").reset_index()
    n_all = float(totals.sum())
    n_member = counts.groupby(key)["y"].transform("sum").to_numpy(dtype="float64")
    y = counts["y"].to_numpy(dtype="float64")
    total = totals.reindex(counts["term"]).to_numpy(dtype="float64")
    rest, n_rest = total - y, n_all - n_member
    alpha = prior_tokens * total / n_all
    delta = np.log((y + alpha) / (n_member + prior_tokens - y - alpha)) - np.log(
        (rest + alpha) / (n_rest + prior_tokens - rest - alpha)
    )
    counts["z"] = delta / np.sqrt(1.0 / (y + alpha) + 1.0 / (rest + alpha))
    counts = counts.loc[(counts["y"] >= 2) & (counts["z"] > 0) & ~counts["term"].isin(FUNCTION_WORDS)]
    counts = counts.sort_values(
        [*key, "z", "term"], ascending=[*(True for _ in key), False, True], kind="stable"
    )
    best = counts.groupby(key, sort=False).head(top)
    return best.groupby(key)["term"].agg(", ".join).rename("words").reset_index()


def advocate_messages(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
) -> pd.DataFrame:
    """The advocates' messages of the period, each with its sentiment and tone: the rows behind the advocate
    figures.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    min_positive, min_days
        As in :func:`advocates`.

    Returns
    -------
    pandas.DataFrame
        ``created_at`` (client's time zone), ``platform``, ``channel``, ``author_id``,
        ``author_name``, ``sentiment``, ``tone``, ``excerpt``, ``url``, ``message_id``; by member,
        then time.
    """
    stats, scored = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    rows = scored.loc[_advocate_messages_of(scored, stats)]
    out = pd.DataFrame(
        {
            M.created_at: rows[M.created_at].dt.tz_convert(window.tz),
            M.platform: rows[M.platform],
            M.channel: rows[M.channel],
            M.author_id: rows[M.author_id],
            M.author_name: rows[M.author_name],
            E.sentiment: rows[E.sentiment],
            "tone": rows["tone"],
            "excerpt": excerpt(rows[M.text]),
            M.url: rows[M.url],
            M.message_id: rows[M.message_id],
        }
    )
    return out.sort_values([M.platform, M.author_id, M.created_at, M.message_id], kind="stable").reset_index(
        drop=True
    )


def advocate_channels(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
) -> pd.DataFrame:
    """Where advocates talk: for each channel, the advocates who wrote there, their messages, and their share
    of the channel's member messages in the period.

    Unit: messages

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    min_positive, min_days
        As in :func:`advocates`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``platform``, ``channel``): ``advocates``, ``advocate_messages``,
        ``advocate_positive_messages``, ``member_messages`` and ``advocate_share`` (advocate
        messages over member messages); busiest with advocates first.
    """
    stats, scored = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    mine = _advocate_messages_of(scored, stats)
    keys = [M.platform, M.channel]
    by_channel = scored.assign(_mine=mine.to_numpy(), _mine_positive=(mine & scored["_positive"]).to_numpy())
    grouped = by_channel.groupby(keys, sort=True)
    ours = by_channel.loc[by_channel["_mine"]]
    out = pd.DataFrame(
        {
            "advocates": ours.groupby(keys)[M.author_id].nunique(),
            "advocate_messages": grouped["_mine"].sum(),
            "advocate_positive_messages": grouped["_mine_positive"].sum(),
            "member_messages": grouped.size(),
        }
    )
    out = out.fillna(0).astype("int64")
    out = out.loc[out["advocate_messages"] > 0]
    out["advocate_share"] = out["advocate_messages"] / out["member_messages"]
    return out.sort_values(["advocate_messages", *keys], ascending=[False, True, True], kind="stable")


def advocate_tone(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
) -> pd.DataFrame:
    """The advocates' tone of voice beside every other member's: sentiment shares, median sentiment and
    median message length in the period.

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    min_positive, min_days
        As in :func:`advocates`.

    Returns
    -------
    pandas.DataFrame
        Indexed ``advocates`` and ``other members``: ``members``, ``messages``, ``positive_share``,
        ``negative_share``, ``net_sentiment``, ``median_sentiment``, ``median_length``.
    """
    stats, scored = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    mine = _advocate_messages_of(scored, stats)
    rows = {}
    for label, part in (("advocates", scored.loc[mine]), ("other members", scored.loc[~mine])):
        tone = part["tone"].dropna()
        positive = float((tone == "positive").mean()) if len(tone) else np.nan
        negative = float((tone == "negative").mean()) if len(tone) else np.nan
        rows[label] = {
            "members": len(part[member_key(part)].drop_duplicates()),
            "messages": len(part),
            "positive_share": positive,
            "negative_share": negative,
            "net_sentiment": positive - negative,
            "median_sentiment": median_or_none(part[E.sentiment]),
            "median_length": median_or_none(part["_length"].astype("float64")),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").astype({"members": "int64", "messages": "int64"})
    out.index.name = "group"
    return out


def advocate_vocabulary(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    n: int = 20,
    prior_tokens: float = PRIOR_TOKENS,
) -> pd.DataFrame:
    """The advocates' vocabulary: the words and hashtags that most set advocates' messages apart from other
    members' messages in the period, by weighted log-odds with an informative Dirichlet prior.

    A z-score above 2 means a word is clearly more typical of advocates than its overall use
    explains; see :func:`~community_health.metrics._common.log_odds_z` for the formula.

    Source: Monroe, Colaresi and Quinn (2008), "Fightin' Words"

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    n
        How many words to list.
    prior_tokens
        Weight of the prior, in tokens.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``advocate_count``, ``other_count``, ``log_odds`` and ``z``; highest z first.
    """
    stats, scored = _advocate_stats(
        messages, enrichment, window, thresholds, ADVOCATE_MIN_POSITIVE, ADVOCATE_MIN_DAYS
    )
    mine = _advocate_messages_of(scored, stats)
    table = log_odds_z(
        term_counts(scored.loc[mine, M.text]), term_counts(scored.loc[~mine, M.text]), prior_tokens
    )
    table = table.rename(columns={"first_count": "advocate_count", "second_count": "other_count"})
    return table.head(n).reset_index()


def advocate_count(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
) -> int:
    """Advocates: how many members wrote positively about the brand again and again in the period (at least
    three positive messages, on at least two days, more positive than negative).

    Unit: members

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    min_positive, min_days
        As in :func:`advocates`.

    Returns
    -------
    int
    """
    stats, _ = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    return int(stats["advocate"].sum())


def advocate_positive_volume_share(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    min_positive: int = ADVOCATE_MIN_POSITIVE,
    min_days: int = ADVOCATE_MIN_DAYS,
) -> float | None:
    """Advocates' share of positive volume: the share of the period's positive member messages written by
    advocates.

    ``None`` when no member message of the period was positive.

    Unit: share

    Parameters
    ----------
    messages
        All messages.
    enrichment
        The ``Enrichment`` frame.
    window
        The period.
    thresholds
        The client's thresholds.
    min_positive, min_days
        As in :func:`advocates`.

    Returns
    -------
    float or None
        A share in [0, 1].
    """
    stats, _ = _advocate_stats(messages, enrichment, window, thresholds, min_positive, min_days)
    return checked_share(
        int(stats.loc[stats["advocate"], "positive_messages"].sum()),
        int(stats["positive_messages"].sum()),
        "advocates' share of positive volume",
    )
