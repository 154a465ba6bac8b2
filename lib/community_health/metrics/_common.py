"""Shared building blocks of the metric modules: who is a member, threads, local time, checks."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from community_health.metrics.window import Window
from community_health.schema import Enrichment, Kind, Members, Messages, Platform

M = Messages
E = Enrichment

_P = ParamSpec("_P")
_R = TypeVar("_R")
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("community_health_shared_work", default=None)


@contextmanager
def shared_work(memo: dict[Any, Any] | None = None) -> Iterator[None]:
    """Within this block, metrics reuse the intermediate tables they compute from the same input frames.

    Many metrics start from the same intermediate tables (who started each thread, when each thread
    was first answered, the scored messages of a window). Inside ``with shared_work():`` each of
    those is computed once per input frame and window and then reused; the numbers are identical
    to computing them separately. The input frames must not be modified inside the block.

    ``memo`` (an initially empty dict owned by the caller) carries the reused tables from one block
    to the next: a report passes the same dict to each of its sections. Without one, a block inside
    another shares the outer block's tables.
    """
    if memo is None:
        memo = _SHARED.get()
    token = _SHARED.set({} if memo is None else memo)
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
    if isinstance(value, tuple):
        return tuple(_private_copy(v) for v in value)
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
#: The column naming the person behind each message (``Members.person_id``), when the messages carry it.
PERSON = Members.person_id
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


def with_people(messages: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``messages`` with the person behind each message (``person_id``) when ``aliases`` join accounts.

    A member is a person, not an account. Without ``aliases`` in ``client.yml`` every account is a
    person of its own and members are counted by (``platform``, ``author_id``), as the messages are
    returned unchanged. When ``aliases`` join a person's accounts on several platforms, each message
    gets the ``person_id`` of the ``members`` table (the person's name in ``client.yml``), and every
    metric then counts and lists that person once, whatever platforms they wrote on.

    Parameters
    ----------
    messages
        All messages.
    members
        The ``Members`` table of the same client (one row per account, with its ``person_id``).
    """
    if members.empty or PERSON in messages.columns:
        return messages
    people = members[[Members.platform, Members.author_id, Members.person_id]]
    if not people[Members.person_id].duplicated().any():  # every person has one account
        return messages
    rows = keys_rows(messages, people, MEMBER_KEY)
    person = np.where(rows >= 0, values_at(people[Members.person_id], rows), None)
    missing = rows < 0  # an account the members table does not know is a person of its own
    if missing.any():
        own = messages[M.platform].astype(str) + ":" + messages[M.author_id].astype(str)
        person[missing] = own.to_numpy(dtype=object)[missing]
    return messages.assign(**{PERSON: pd.Series(person, index=messages.index, dtype="str")})


def member_key(frame: pd.DataFrame) -> list[str]:
    """The columns that name a member in ``frame``: ``person_id`` when present, else (platform, author_id)."""
    return [PERSON] if PERSON in frame.columns else MEMBER_KEY


def activity_columns(messages: pd.DataFrame) -> list[str]:
    """``ACTIVITY_COLUMNS``, plus ``person_id`` when ``messages`` carry it."""
    return [*ACTIVITY_COLUMNS, PERSON] if PERSON in messages.columns else ACTIVITY_COLUMNS


def activity(messages: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The columns of ``messages`` that describe who wrote where and when (no text), plus ``extra``."""
    return messages[[*activity_columns(messages), *extra]]


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
def window_member_rows(messages: pd.DataFrame, window: Window) -> np.ndarray:
    """The row positions of the members' messages written in ``window``."""
    return np.flatnonzero((window.contains(messages[M.created_at]) & is_member(messages)).to_numpy())


@reused
def window_members(messages: pd.DataFrame, window: Window, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Members' messages written in ``window`` (:func:`activity` columns plus ``extra``), in one pass."""
    return messages[[*activity_columns(messages), *extra]].iloc[window_member_rows(messages, window)]


def active_codes(messages: pd.DataFrame, window: Window) -> np.ndarray:
    """The member codes (:func:`member_codes`) of the members who wrote in ``window``, sorted."""
    return np.unique(member_codes(messages)[0][window_member_rows(messages, window)])


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
def thread_codes(messages: pd.DataFrame) -> np.ndarray:
    """An integer per row naming its thread (platform, thread_id): 0, 1, ... in order of first appearance.

    Codes are only meaningful for this ``messages`` frame.
    """
    platform_codes, _ = pd.factorize(messages[M.platform])
    thread_codes_, _ = pd.factorize(messages[M.thread_id])
    combined = thread_codes_.astype("int64") * (int(platform_codes.max(initial=0)) + 1) + platform_codes
    return pd.factorize(combined)[0].astype("int64")


@reused
def root_mask(messages: pd.DataFrame) -> np.ndarray:
    """Whether each message started its thread (platform, thread_id).

    The starter is the message whose id is the thread id when the export holds it; otherwise the
    earliest message of the thread (ties broken by message id, so the choice is reproducible).
    """
    by_id = (messages[M.message_id] == messages[M.thread_id]).to_numpy(dtype=bool)
    threads = thread_codes(messages)
    has_root = np.zeros(int(threads.max(initial=-1)) + 1, dtype=bool)
    has_root[threads[by_id]] = True
    rootless = ~has_root[threads]
    mask = by_id.copy()
    if rootless.any():
        rest = messages.loc[rootless, [*THREAD_KEY, M.message_id, M.created_at]].assign(
            _row=np.flatnonzero(rootless)
        )
        earliest = rest.sort_values([M.created_at, M.message_id], kind="stable").drop_duplicates(THREAD_KEY)
        mask[earliest["_row"].to_numpy()] = True
    return mask


def _key_codes(
    frame: pd.DataFrame, other: pd.DataFrame, columns: list[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """One integer per row of ``frame`` and of ``other`` for the values of ``columns``, equal where the keys
    are equal (``None`` when there are too many distinct keys to combine into one integer).

    Keys are factorised together into integer codes, which are much faster to compare than tuples
    of strings.
    """
    both = pd.concat([frame[columns], other[columns]], ignore_index=True)
    codes = np.zeros(len(both), dtype="int64")
    span = 1
    for column in columns:
        column_codes, uniques = pd.factorize(both[column], use_na_sentinel=True)
        span *= len(uniques) + 1
        if span >= 2**62:
            return None
        codes = codes * (len(uniques) + 1) + (column_codes + 1)
    return codes[: len(frame)], codes[len(frame) :]


def keys_isin(frame: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row's key (the values of ``columns``) occurs among the keys of ``other``."""
    codes = _key_codes(frame, other, columns)
    if codes is None:
        return np.asarray(
            pd.MultiIndex.from_frame(frame[columns]).isin(pd.MultiIndex.from_frame(other[columns]))
        )
    return np.isin(*codes)


def keys_rows(frame: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The row position in ``other`` (whose keys are unique) of each row's key in ``frame``; ``-1`` when
    ``other`` does not hold it."""
    codes = _key_codes(frame, other, columns)
    if codes is None:
        index = pd.MultiIndex.from_frame(other[columns])
        return index.get_indexer(pd.MultiIndex.from_frame(frame[columns])).astype("int64")
    return pd.Index(codes[1]).get_indexer(codes[0]).astype("int64")


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

    When the messages carry ``person_id`` (see :func:`with_people`), a member is a person: one row
    per person, with ``platform`` listing the platforms they wrote on and ``author_id`` their
    accounts there (comma separated, in platform order), ``author_name`` the person's name in
    ``client.yml`` (the latest name used when ``client.yml`` names none), and a ``person_id`` column.
    """
    key = member_key(messages)
    person = [PERSON] if key != MEMBER_KEY else []
    columns = [M.platform, M.author_id, M.author_name, "messages", "channels", *person]
    if messages.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "messages" else "str") for c in columns})
    ordered = messages.sort_values([M.created_at, M.message_id], kind="stable")
    grouped = ordered.groupby(key, sort=True)
    table = pd.DataFrame(
        {
            M.author_name: grouped[M.author_name].last(),
            "messages": grouped.size().astype("int64"),
        }
    )
    table["channels"] = joined_values(messages, key, M.channel)
    if person:
        labels = person_labels(messages).reindex(table.index)
        table[M.platform] = labels[M.platform]
        table[M.author_id] = labels[M.author_id]
        table[M.author_name] = labels["name"].fillna(table[M.author_name])
    table = table.reset_index()
    return table.sort_values(
        ["messages", M.platform, M.author_id], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)[columns]


def person_labels(messages: pd.DataFrame) -> pd.DataFrame:
    """How each person of ``messages`` (which carry ``person_id``) is shown: the ``platform`` and
    ``author_id`` of their accounts (comma separated, in platform order) and their ``name`` in
    ``client.yml`` (missing when ``client.yml`` names none: show the latest name they used).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``person_id``.
    """
    accounts = messages[[PERSON, M.platform, M.author_id]]
    own = ((accounts[M.platform] + ":" + accounts[M.author_id]) == accounts[PERSON]).to_numpy()
    joins = accounts[PERSON].isin(accounts.loc[~own, PERSON].unique()).to_numpy()
    single = accounts.loc[~joins].drop_duplicates(PERSON).set_index(PERSON)
    aliased = accounts.loc[joins]  # the people ``aliases`` name or join: few
    joined = pd.DataFrame(
        {
            M.platform: joined_values(aliased, [PERSON], M.platform),
            M.author_id: joined_values(aliased, [PERSON], M.author_id, by=[M.platform]),
        }
    )
    prefix = joined.index.to_series().str.split(":", n=1).str[0]
    unnamed = joined.index.str.contains(":", regex=False) & prefix.isin([p.value for p in Platform])
    joined["name"] = pd.Series(joined.index, index=joined.index, dtype="str").where(~unnamed.to_numpy())
    return pd.concat([single.assign(name=pd.Series(dtype="str")), joined]).astype("str")


def joined_values(frame: pd.DataFrame, key: list[str], column: str, by: list[str] | None = None) -> pd.Series:
    """The distinct values of ``column`` of each key, joined by ", ", in the order of ``by`` then value.

    The same as ``frame.groupby(key)[column].agg(lambda v: ", ".join(sorted(set(v))))`` (ordered by
    the ``by`` columns first), without a Python call per group through pandas (tens of thousands of
    members are common).

    Returns
    -------
    pandas.Series
        Indexed by the key (a MultiIndex for several columns), sorted.
    """
    order = [*key, *(by or []), column]
    pairs = frame[list(dict.fromkeys(order))].drop_duplicates().sort_values(order)
    keys = pairs[key]
    starts = np.flatnonzero((keys != keys.shift()).any(axis=1).to_numpy())
    values = pairs[column].astype(object).to_numpy()
    joined = values[starts].copy()  # most members write in one channel: nothing to join
    ends = np.append(starts[1:], len(values))
    for k in np.flatnonzero(ends - starts > 1):
        joined[k] = ", ".join(values[starts[k] : ends[k]])
    index = pd.MultiIndex.from_frame(keys.iloc[starts]) if len(key) > 1 else pd.Index(keys.iloc[starts, 0])
    return pd.Series(joined, index=index, dtype="str")


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


def local_days(moments: pd.Series, tz: str) -> pd.Series:
    """The local calendar day (naive midnight in ``tz``) of each UTC timestamp."""
    return local_naive(moments, tz).dt.normalize()


# ---------------------------------------------------------------------------------------------- words

_STRIPPED = re.compile(r"https?://\S+|www\.\S+|(?<![\w#])@\w+")
_TERM = re.compile(r"#\w+|[^\W\d_](?:[\w'’]*[^\W_])?")

#: Words that carry grammar, not meaning (English, Spanish, French, German, Portuguese, Italian): counted,
#: never listed as distinctive.
_FUNCTION_WORDS = """
    a about after all also an and any are as at be because been before but by can could did do does for
    from had has have he her here him his how i if in into is it its it's just me more most my no not
    now of on one only or other our out over she so some such than that the their them then there these
    they this those through to too up us very was we were what when where which who why will with would
    you your yours
    al como con de del el en es esta este la las lo los más mi muy no para pero por que se sin su sus un
    una y ya
    au aux avec ce ces dans des du elle en est et il je la le les leur mais même ne nous on ou par pas
    pour qui sa se ses son sur ta te tu un une vos votre vous
    auf aus bei das dem den der des die ein eine einen für hat ich ist mit nicht noch sich sie und von
    war wie wir zu
    ao as com da das do dos em mas na nas no nos os para pela pelo por se um uma
    che con da del della di e gli il in la le lo nel non per più si una
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())

#: The prior of :func:`log_odds_z` weighs as much as this many tokens of the pooled text.
PRIOR_TOKENS = 100.0


def terms(text: pd.Series) -> pd.Series:
    """The words and hashtags of each text, lower-cased, links and @handles left out.

    A word starts with a letter and is at least two characters long (``don't`` and ``v60`` are
    words, ``2`` and ``a`` are not); a hashtag keeps its ``#`` so that ``#autumnroast`` and the word
    ``autumnroast`` stay apart.

    Returns
    -------
    pandas.Series
        One list of terms per text (empty for missing text), with the index of ``text``.
    """
    rows, found = term_rows(text)
    lists: list[list[str]] = [[] for _ in range(len(text))]
    for row, term in zip(rows.tolist(), found.tolist(), strict=True):
        lists[row].append(term)
    return pd.Series(lists, index=text.index, dtype="object")


#: Texts are scanned joined by this separator: a line break stops links (``\S+``), the control character
#: SOH is a term of its own that marks where the next text begins (not NUL: NumPy strips it from strings).
_SEPARATOR = "\n\x01\n"
_TERM_OR_SEPARATOR = re.compile("\x01|" + _TERM.pattern)


def term_rows(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Every term of :func:`terms`, as two aligned arrays: the row position of its text in ``text`` and
    the term, in the order they occur.

    All texts are scanned in one pass of each regular expression over the texts joined together,
    which is many times faster than one pass per text.
    """
    flat = text.astype(object).where(text.notna(), "").astype(str).tolist()
    if not flat:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype=object)
    joined = _SEPARATOR.join(flat)
    if joined.count("\x01") != len(flat) - 1:
        # a text holds the separator's character: swap it for another that is neither word nor space
        joined = _SEPARATOR.join(t.replace("\x01", "\x02") for t in flat)
    found = np.array(_TERM_OR_SEPARATOR.findall(_STRIPPED.sub(" ", joined.casefold())), dtype=object)
    separator = found == "\x01"
    rows = np.cumsum(separator)[~separator]
    found = found[~separator]
    longer = np.fromiter(map(len, found), dtype="int64", count=len(found)) > 1
    return rows[longer].astype("int64"), found[longer]


def term_counts(text: pd.Series) -> pd.Series:
    """How many times each term (see :func:`terms`) occurs in ``text``, indexed by term."""
    found = pd.Series(term_rows(text)[1], dtype="object")
    return found.value_counts().rename("count").rename_axis("term").astype("int64")


def log_odds_z(first: pd.Series, second: pd.Series, prior_tokens: float = PRIOR_TOKENS) -> pd.DataFrame:
    """Weighted log-odds of each term between two groups of texts, with an informative Dirichlet prior.

    The method of Monroe, Colaresi and Quinn (2008), "Fightin' Words", section 3.5: with ``y_i`` and
    ``y_j`` the term's counts in each group, ``n_i`` and ``n_j`` the groups' token counts, and a prior
    ``a_w = a_0 * p_w`` where ``p_w`` is the term's share of the pooled tokens and ``a_0 =
    prior_tokens``,

    ``delta = log((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))``,
    ``var = 1 / (y_i + a_w) + 1 / (y_j + a_w)`` and ``z = delta / sqrt(var)``.

    A positive z means the term is used more in the first group than its overall frequency explains;
    the prior keeps rare terms from topping the list on one or two uses.

    Parameters
    ----------
    first, second
        Term counts of each group, indexed by term (see :func:`term_counts`).
    prior_tokens
        ``a_0``, the weight of the prior in tokens.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term``: ``first_count``, ``second_count``, ``log_odds`` (delta) and ``z``;
        highest z first (ties by term).
    """
    counts = pd.concat([first.rename("first_count"), second.rename("second_count")], axis=1)
    counts = counts.fillna(0).astype("int64")
    counts.index.name = "term"
    if counts.empty:
        return counts.assign(log_odds=pd.Series(dtype="float64"), z=pd.Series(dtype="float64"))
    y_i = counts["first_count"].to_numpy(dtype="float64")
    y_j = counts["second_count"].to_numpy(dtype="float64")
    n_i, n_j = y_i.sum(), y_j.sum()
    alpha = prior_tokens * (y_i + y_j) / (n_i + n_j)
    delta = np.log((y_i + alpha) / (n_i + prior_tokens - y_i - alpha)) - np.log(
        (y_j + alpha) / (n_j + prior_tokens - y_j - alpha)
    )
    z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
    out = counts.assign(log_odds=delta, z=z)
    return out.sort_values(["z", "term"], ascending=[False, True], kind="stable")


SCORE_COLUMNS = [E.sentiment, E.is_question, E.is_complaint]


@reused
def aligned_scores(messages: pd.DataFrame, enrichment: pd.DataFrame) -> pd.DataFrame:
    """The enrichment of each row of ``messages``, row for row, with the index of ``messages``.

    ``sentiment``, ``is_question`` and ``is_complaint`` are missing for messages not yet scored.
    When ``enrichment`` lists the same messages in the same order (as
    :func:`community_health.enrich.enrich_messages` returns it) the columns are taken as they are;
    otherwise they are looked up by (platform, message_id), which costs a join of the two tables.
    """

    def equal(a: pd.Series, b: pd.Series) -> bool:
        return bool((a.reset_index(drop=True) == b.reset_index(drop=True)).fillna(False).all())

    same = (
        len(enrichment) == len(messages)
        and equal(enrichment[E.message_id], messages[M.message_id])
        and equal(enrichment[E.platform], messages[M.platform])
    )
    if same:
        scores = enrichment[SCORE_COLUMNS]
    else:
        keys = messages[MESSAGE_KEY]
        unique = enrichment.drop_duplicates(subset=[E.platform, E.message_id])
        scores = keys.merge(unique[[E.platform, E.message_id, *SCORE_COLUMNS]], on=MESSAGE_KEY, how="left")
        scores = scores[SCORE_COLUMNS]
    return scores.set_axis(messages.index)


@reused
def author_codes(messages: pd.DataFrame) -> np.ndarray:
    """An integer per row naming its author: the person (``person_id``) when the messages carry it, else the
    account (platform, author_id). Two rows have the same code exactly when they have the same author.

    Codes are only meaningful for this ``messages`` frame.
    """
    if PERSON in messages.columns:
        codes, _ = pd.factorize(messages[PERSON])
        return codes.astype("int64")
    platform_codes, _ = pd.factorize(messages[M.platform])
    author_codes_, _ = pd.factorize(messages[M.author_id])
    return author_codes_.astype("int64") * (int(platform_codes.max(initial=0)) + 1) + platform_codes


@reused
def member_codes(messages: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """An integer code for each row's member (``-1`` for brand accounts and bots), and the member of each
    code.

    Grouping and de-duplicating integers is much faster than doing it on (platform, author_id) text;
    codes are only meaningful for this ``messages`` frame. A member is a person when the messages
    carry ``person_id`` (see :func:`with_people`).

    Returns
    -------
    tuple
        The codes (one per row of ``messages``, as a NumPy array) and a frame of the member's key
        (:func:`member_key`: ``platform`` and ``author_id``, or ``person_id``) indexed by code (0, 1, ...).
    """
    combined = np.where(is_member(messages).to_numpy(), author_codes(messages), -1)
    codes, uniques = pd.factorize(combined)
    _, first = np.unique(codes, return_index=True)
    keys = messages[member_key(messages)].iloc[first].reset_index(drop=True)
    codes = codes.astype("int64")
    if (uniques == -1).any():  # brand and bot rows share one code: turn it into -1
        brand = int(np.flatnonzero(uniques == -1)[0])
        keys = keys.drop(index=brand)
        codes = np.where(codes == brand, -1, codes)
    return codes, keys


_SEP = "\x1f"


def _joined_keys(platform: pd.Series, ids: pd.Series) -> pd.Series:
    return platform.astype("str") + _SEP + ids.astype("str")


@reused
def _message_keys(messages: pd.DataFrame) -> pd.Index:
    return pd.Index(_joined_keys(messages[M.platform], messages[M.message_id]))


def message_rows(messages: pd.DataFrame, platform: pd.Series, ids: pd.Series) -> np.ndarray:
    """The row position in ``messages`` of each (platform, message id); ``-1`` when it is not there.

    A lookup in an index of every message built once per ``messages`` frame (inside
    :func:`shared_work`), much cheaper than joining against the whole table each time.
    """
    if len(ids) == 0:
        return np.zeros(0, dtype="int64")
    return _message_keys(messages).get_indexer(_joined_keys(platform, ids)).astype("int64")


def values_at(column: pd.Series, rows: np.ndarray, missing: Any = None) -> np.ndarray:
    """``column``'s values at row positions ``rows`` (an object array), ``missing`` where a row is -1."""
    out = np.full(len(rows), missing, dtype=object)
    found = rows >= 0
    out[found] = column.iloc[rows[found]].to_numpy(dtype=object)
    return out


@reused
def thread_root_of(messages: pd.DataFrame) -> np.ndarray:
    """For every row of ``messages``, the row of the message that started its thread (see :func:`root_mask`).

    Computed once per ``messages`` frame inside :func:`shared_work`; index it with row positions.
    """
    mask, threads = root_mask(messages), thread_codes(messages)
    root_of_thread = np.full(int(threads.max(initial=-1)) + 1, -1, dtype="int64")
    root_of_thread[threads[mask]] = np.flatnonzero(mask)
    return root_of_thread[threads]


@reused
def parent_of(messages: pd.DataFrame) -> np.ndarray:
    """For every row of ``messages``, the row of the message it answers (``parent_id``); ``-1`` when none
    or when the parent is not in the exports."""
    # Look the parent id up among all message ids at once, then check the platform: ids are unique per
    # platform, so a match on the same platform is the parent. Ids shared by several platforms (rare)
    # are looked up again with their platform.
    ids = pa.array(messages[M.message_id], type=pa.large_string())
    found = pc.index_in(pa.array(messages[M.parent_id], type=pa.large_string()), value_set=ids)
    rows = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype("int64")
    platform_codes, _ = pd.factorize(messages[M.platform])
    wrong = (rows >= 0) & (platform_codes[np.maximum(rows, 0)] != platform_codes)
    if wrong.any():
        again = np.flatnonzero(wrong)
        rows[again] = message_rows(
            messages, messages[M.platform].iloc[again], messages[M.parent_id].iloc[again]
        )
    return rows
