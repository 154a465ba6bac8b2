"""Shared building blocks of the metric modules: who is a member, threads, local time, checks."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from community_health.metrics.window import Window
from community_health.schema import Kind, Messages, Platform

M = Messages

_P = ParamSpec("_P")
_R = TypeVar("_R")
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("community_health_shared_work", default=None)


@contextmanager
def shared_work() -> Iterator[None]:
    """Within this block, metrics reuse the intermediate tables they compute from the same input frames.

    Many metrics start from the same intermediate tables (who started each thread, when each thread
    was first answered, the scored messages of a window). Inside ``with shared_work():`` each of
    those is computed once per input frame and window and then reused; the numbers are identical
    to computing them separately. The input frames must not be modified inside the block.
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _cache_key(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
        return ("frame", id(value))
    if isinstance(value, list | tuple):
        return tuple(_cache_key(v) for v in value)
    return value


def _private_copy(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)  # copy-on-write: a caller's changes never reach the cached table
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def reused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Let ``function``'s result be reused inside :func:`shared_work` (it must be pure)."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        memo = _SHARED.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (
            function.__module__,
            function.__qualname__,
            _cache_key(args),
            _cache_key(sorted(kwargs.items())),
        )
        if key not in memo:
            # The inputs are kept with the result so that their ids cannot be reused by other objects.
            memo[key] = (args, kwargs, function(*args, **kwargs))
        return _private_copy(memo[key][2])

    return wrapper


MEMBER_KEY = [M.platform, M.author_id]
THREAD_KEY = [M.platform, M.thread_id]
MESSAGE_KEY = [M.platform, M.message_id]
ACTIVITY_COLUMNS = [
    M.platform,
    M.message_id,
    M.channel,
    M.thread_id,
    M.parent_id,
    M.author_id,
    M.author_name,
    M.author_is_brand,
    M.author_is_bot,
    M.created_at,
    M.kind,
]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EXCERPT_CHARS = 140


def is_member(messages: pd.DataFrame) -> pd.Series:
    """Whether each message is by a member: neither a brand account nor a bot."""
    return ~(messages[M.author_is_brand].astype(bool) | messages[M.author_is_bot].astype(bool))


def activity(messages: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The columns of ``messages`` that describe who wrote where and when (no text), plus ``extra``."""
    return messages[[*ACTIVITY_COLUMNS, *extra]]


def from_listening(frame: pd.DataFrame) -> pd.Series:
    """Rows found by a listening tool (mentions, web pages): seen, but not conversations the export holds.

    A listening tool captures a post that names the brand, not the replies under it, so such a post
    can be neither "answered" nor "a conversation without the brand" as far as the data can tell.
    """
    return (frame[M.kind] == Kind.MENTION.value) | (frame[M.platform] == Platform.WEB.value)


def in_window(frame: pd.DataFrame, window: Window, column: str = M.created_at) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` falls inside ``window``."""
    return frame.loc[window.contains(frame[column])]


@reused
def window_members(messages: pd.DataFrame, window: Window, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Members' messages written in ``window`` (``ACTIVITY_COLUMNS`` plus ``extra``), filtered in one pass."""
    return messages.loc[
        window.contains(messages[M.created_at]) & is_member(messages), [*ACTIVITY_COLUMNS, *extra]
    ]


def local_naive(moments: pd.Series, tz: str) -> pd.Series:
    """UTC timestamps as naive wall-clock times in ``tz``."""
    return moments.dt.tz_convert(tz).dt.tz_localize(None)


def week_start(local: pd.Series) -> pd.Series:
    """The Monday (naive midnight) of the week of each naive local timestamp."""
    days = local.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def iso_week_label(day: pd.Timestamp) -> str:
    """``2026-W43`` for any day of ISO week 43 of 2026."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def excerpt(text: pd.Series, chars: int = EXCERPT_CHARS) -> pd.Series:
    """The first ``chars`` characters of each text, on one line, with an ellipsis when cut."""
    flat = text.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    cut = flat.str.len() > chars
    return flat.where(~cut, flat.str.slice(0, chars - 1).str.rstrip() + "…")


@reused
def root_mask(messages: pd.DataFrame) -> np.ndarray:
    """Whether each message started its thread (see :func:`thread_roots`)."""
    by_id = (messages[M.message_id] == messages[M.thread_id]).to_numpy(dtype=bool)
    rootless = ~keys_isin(messages, messages.loc[by_id], THREAD_KEY)
    mask = by_id.copy()
    if rootless.any():
        rest = messages.loc[rootless, [*THREAD_KEY, M.message_id, M.created_at]].assign(
            _row=np.flatnonzero(rootless)
        )
        earliest = rest.sort_values([M.created_at, M.message_id], kind="stable").drop_duplicates(THREAD_KEY)
        mask[earliest["_row"].to_numpy()] = True
    return mask


@reused
def thread_roots(messages: pd.DataFrame) -> pd.DataFrame:
    """One row per thread (platform, thread_id): the message that started it.

    The starter is the message whose id is the thread id when the export holds it; otherwise the
    earliest message of the thread (ties broken by message id, so the choice is reproducible).
    Only the ``ACTIVITY_COLUMNS`` are kept; see :func:`with_columns` for the text.
    """
    return activity(messages).loc[root_mask(messages)]


def keys_isin(frame: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row's key (the values of ``columns``) occurs among the keys of ``other``.

    Keys are factorised together into integer codes and compared as integers, which is much faster
    than comparing tuples of strings.
    """
    both = pd.concat([frame[columns], other[columns]], ignore_index=True)
    codes = np.zeros(len(both), dtype="int64")
    span = 1
    for column in columns:
        column_codes, uniques = pd.factorize(both[column], use_na_sentinel=True)
        span *= len(uniques) + 1
        if span >= 2**62:  # too many distinct keys to combine into one integer
            return np.asarray(
                pd.MultiIndex.from_frame(frame[columns]).isin(pd.MultiIndex.from_frame(other[columns]))
            )
        codes = codes * (len(uniques) + 1) + (column_codes + 1)
    return np.isin(codes[: len(frame)], codes[len(frame) :])


def hours_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """``later - earlier`` in hours, as floats (``NaN`` where either is missing)."""
    return (later - earlier).dt.total_seconds() / 3600.0


def checked_share(numerator: float, denominator: float, name: str) -> float | None:
    """``numerator / denominator`` as a share in [0, 1]; ``None`` when the denominator is zero.

    Raises
    ------
    ValueError
        If the share lies outside [0, 1], which would mean a broken definition, not bad data.
    """
    if denominator == 0:
        return None
    return checked_rate(numerator / denominator, name)


def checked_rate(value: float | None, name: str, low: float = 0.0, high: float = 1.0) -> float | None:
    """``value`` unchanged after checking it lies in [low, high] (``None`` and ``NaN`` pass as ``None``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    value = float(value)
    if not low - 1e-12 <= value <= high + 1e-12:
        raise ValueError(f"{name} = {value} lies outside [{low}, {high}]")
    return min(max(value, low), high)


def median_or_none(values: pd.Series) -> float | None:
    """The median of the non-missing values, or ``None`` when there are none."""
    values = values.dropna()
    return float(values.median()) if len(values) else None


def quantile_or_none(values: pd.Series, q: float) -> float | None:
    """The ``q`` quantile (linear interpolation) of the non-missing values, or ``None``."""
    values = values.dropna()
    return float(values.quantile(q)) if len(values) else None


def member_table(messages: pd.DataFrame) -> pd.DataFrame:
    """One row per member of ``messages``: platform, author_id, author_name, messages, channels.

    ``author_name`` is the latest name the member used; ``channels`` lists the channels they wrote
    in, comma separated, in alphabetical order. Sorted by messages (most first), then by key.
    """
    columns = [M.platform, M.author_id, M.author_name, "messages", "channels"]
    if messages.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "messages" else "str") for c in columns})
    ordered = messages.sort_values([M.created_at, M.message_id], kind="stable")
    grouped = ordered.groupby(MEMBER_KEY, sort=True)
    table = pd.DataFrame(
        {
            M.author_name: grouped[M.author_name].last(),
            "messages": grouped.size().astype("int64"),
        }
    )
    pairs = messages[[*MEMBER_KEY, M.channel]].drop_duplicates().sort_values([*MEMBER_KEY, M.channel])
    table["channels"] = pairs.groupby(MEMBER_KEY, sort=True)[M.channel].agg(", ".join)
    table = table.reset_index()
    return table.sort_values(
        ["messages", M.platform, M.author_id], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)[columns]


def with_columns(frame: pd.DataFrame, messages: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
    """``frame`` (rows of ``messages``, keyed by ``platform`` and ``message_id``) with ``wanted`` columns.

    Looks the rows up by (platform, message_id) among the messages written between the earliest
    and latest ``created_at`` of ``frame``, which keeps the lookup small.
    """
    if frame.empty:
        return frame.assign(**{c: messages[c].iloc[:0] for c in wanted}).reset_index(drop=True)
    span = messages[M.created_at].between(frame[M.created_at].min(), frame[M.created_at].max())
    source = messages.loc[span, [*MESSAGE_KEY, *wanted]]
    return frame.merge(source, on=MESSAGE_KEY, how="left")
