"""Verbatims: members' own words, the ones the manager chose and the ones suggested for choosing.

The manager lists chosen verbatims in the commentary file by message id (``platform:message_id``, a
bare id, or the message's link); the report quotes them with who wrote them, where and when. The
suggestions give, channel by channel, the most positive *and* the most negative message of the period,
so the choice is never only the friendly ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from community_health.config import Thresholds
from community_health.metrics._common import aligned_scores, window_member_rows
from community_health.metrics.window import Window
from community_health.schema import Enrichment as E
from community_health.schema import Messages as M

QUOTE_COLUMNS = [
    M.platform,
    M.channel,
    M.message_id,
    M.author_id,
    M.author_name,
    M.author_is_brand,
    M.created_at,
    M.text,
    M.url,
]
#: Suggested verbatims are whole thoughts: neither a one-word reaction nor an essay.
MIN_CHARS, MAX_CHARS = 30, 400


def chosen_verbatims(messages: pd.DataFrame, references: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The messages the manager chose, in the order chosen, with the manager's note.

    ``references`` are ``(reference, note)`` pairs; a reference is ``platform:message_id``, a bare
    message id, or the message's URL. A reference that matches no message is kept with ``found``
    False, so the report can say so instead of dropping it.
    """
    rows = []
    if not references:
        return pd.DataFrame(rows, columns=["reference", "note", "found", *QUOTE_COLUMNS]).astype(
            {"found": bool}
        )
    # Only the messages a reference can name are indexed (a whole history takes seconds to index).
    wanted = {r for r, _ in references} | {r.partition(":")[2] for r, _ in references}
    named = messages.loc[messages[M.message_id].isin(wanted) | messages[M.url].isin(wanted), QUOTE_COLUMNS]
    by_id = named.set_index(M.message_id, drop=False)
    by_url = named.loc[named[M.url].notna()].set_index(M.url, drop=False)
    for reference, note in references:
        match = None
        platform, _, rest = reference.partition(":")
        if reference in by_url.index:
            match = by_url.loc[[reference]].iloc[0]
        elif reference in by_id.index:
            match = by_id.loc[[reference]].iloc[0]
        elif rest and rest in by_id.index:
            candidates = by_id.loc[[rest]]
            candidates = candidates.loc[candidates[M.platform] == platform]
            match = candidates.iloc[0] if len(candidates) else None
        row = {"reference": reference, "note": note, "found": match is not None}
        if match is not None:
            row.update({c: match[c] for c in QUOTE_COLUMNS})
        rows.append(row)
    out = pd.DataFrame(rows, columns=["reference", "note", "found", *QUOTE_COLUMNS])
    return out.astype({"found": bool})


def suggested_verbatims(
    messages: pd.DataFrame,
    enrichment: pd.DataFrame,
    window: Window,
    thresholds: Thresholds,
    per_tone: int = 1,
) -> pd.DataFrame:
    """Per channel, the ``per_tone`` most positive and most negative member messages of the period.

    Only messages of a readable length (``MIN_CHARS`` to ``MAX_CHARS`` characters) whose tone clears
    the client's sentiment thresholds are offered; ties go to the earlier message.

    Returns
    -------
    pandas.DataFrame
        ``tone`` (positive or negative), ``sentiment`` and the ``QUOTE_COLUMNS``, grouped by channel.
    """
    rows = window_member_rows(messages, window)
    sentiment = aligned_scores(messages, enrichment)[E.sentiment].to_numpy(dtype="float64", na_value=np.nan)[
        rows
    ]
    current = messages[QUOTE_COLUMNS].iloc[rows]
    length = current[M.text].fillna("").str.len().to_numpy()
    readable = (length >= MIN_CHARS) & (length <= MAX_CHARS) & ~np.isnan(sentiment)
    scored = current.loc[readable].assign(sentiment=sentiment[readable])
    picks = []
    for tone, keep, ascending in (
        ("positive", scored["sentiment"] >= thresholds.positive_sentiment, False),
        ("negative", scored["sentiment"] <= thresholds.negative_sentiment, True),
    ):
        chosen = (
            scored.loc[keep]
            .sort_values(
                ["sentiment", M.created_at, M.message_id], ascending=[ascending, True, True], kind="stable"
            )
            .groupby([M.platform, M.channel], sort=True)
            .head(per_tone)
        )
        picks.append(chosen.assign(tone=tone))
    out = pd.concat(picks, ignore_index=True)
    return out.sort_values([M.platform, M.channel, "tone"], ascending=[True, True, False], kind="stable")[
        ["tone", "sentiment", *QUOTE_COLUMNS]
    ].reset_index(drop=True)
