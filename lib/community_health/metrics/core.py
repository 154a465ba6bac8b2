"""Core group: how many members carry the community?

The core group is the smallest set of members who together wrote at least half of the member
messages of the period. It is the community version of the CHAOSS "Contributor Absence Factor"
(formerly "Bus Factor"): the fewer people it takes, the more the community depends on them.
"""

from __future__ import annotations

import pandas as pd

from community_health.metrics._common import (
    checked_rate,
    checked_share,
    member_table,
    reused,
    window_members,
)
from community_health.metrics.loyalty import active_member_count
from community_health.metrics.window import Window

CORE_SHARE = 0.5


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
    table = member_table(window_members(messages, window))
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
    return len(core_group(messages, window))


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
    core = core_group(messages, window)
    if core.empty:
        return None
    return checked_rate(float(core["share"].sum()), "core group activity share", CORE_SHARE, 1.0)


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
