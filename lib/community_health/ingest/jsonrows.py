"""What every JSON reader does the same way: load the document with an error a person can act on, take
fields out of the array's elements column by column, check them, and hand back a result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import msgspec
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from community_health.ingest.envelope import (
    STR,
    ReadBatch,
    ReadResult,
    RowChecks,
    RowLabel,
    Table,
    build_frame,
    counts_from_objects,
    excerpt_of,
    parse_dates,
)

ISO_EXPECTED = "a date like 2023-01-05T14:22:25.25+00:00"


class JsonError(ValueError):
    """A JSON file that cannot be read; the message names the file and what to do."""


_BOM = b"\xef\xbb\xbf"


def load_json(data: bytes, source: str) -> Any:
    """Parse a JSON export, explaining a cut-off or damaged file in plain words.

    UTF-8 JSON is parsed by orjson (twice as fast); anything it refuses (other encodings, lone
    surrogates, ``NaN``, a damaged file) by the standard library, whose errors are explained. (orjson
    reads a bare whole number beyond 64 bits as a float; no export writes ids or counts that long.)

    Raises
    ------
    JsonError
        When the bytes are not JSON.
    """
    try:
        return orjson.loads(data[len(_BOM) :] if data.startswith(_BOM) else data)
    except orjson.JSONDecodeError:
        pass
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonError(f"{source} is nested too deeply to be an export; nothing was read from it.") from None
    except json.JSONDecodeError as exc:
        tail = text[exc.pos :].strip()
        if not text.strip():
            raise JsonError(f"{source} is empty; export or download it again.") from None
        if not tail or exc.pos >= len(text.rstrip()) - 1:
            raise JsonError(
                f"{source} is cut off: it ends at line {exc.lineno}, column {exc.colno} before the JSON is "
                "complete, so the download or export did not finish. Download or export it again; nothing "
                "was read from it."
            ) from None
        raise JsonError(
            f"{source} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); it may have "
            "been edited or damaged. Export it again; nothing was read from it."
        ) from None


#: A whole number as orjson reads it: a bare number outside 64 bits is read by orjson as a float and
#: one above ``2**63 - 1`` as a Python int; the typed decoders take neither (nor ``true``, ``1.0``).
WholeNumber = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]

T = TypeVar("T")


def typed_decoder(kind: type[T]) -> Callable[[bytes], T | None]:
    """A decoder of JSON into ``kind`` (a :class:`msgspec.Struct` of the fields a reader uses; others are
    skipped): about twice as fast as :func:`load_json` where a file holds many fields that the reader does
    not use, as nothing is built for them (DiscordChatExporter, Slack; not Discourse pages, whose posts
    the reader uses nearly all of: 0.7 s either way for 181 MB).

    The decoder returns None for anything it does not take: not JSON, not UTF-8, a lone surrogate, a value
    of another type than declared (a number where text is expected, an int outside 64 bits), nesting
    deeper than Python's recursion limit. The reader then parses the bytes with :func:`load_json` and reads
    the objects as it always did; what the decoder does take, it takes with the values orjson gives.
    """
    decode = msgspec.json.Decoder(kind).decode

    def typed(data: bytes) -> T | None:
        if not is_utf8(data):
            return None
        try:
            return decode(data[len(_BOM) :] if data.startswith(_BOM) else data)
        except (msgspec.DecodeError, RecursionError):
            return None

    return typed


_SMALL = 1 << 20


def is_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8: ASCII at once, a small file by decoding it, a large one by Arrow
    without decoding it (0.03 s for 137 MB, where decoding takes 0.5 s).

    :func:`load_json` reads any other bytes as cp1252, and msgspec does not check the text of the fields
    it skips, so the typed decoders take UTF-8 alone.
    """
    if data.isascii():
        return True
    if len(data) < _SMALL:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def text_or_none(value: Any) -> str | None:
    """A JSON scalar as text (numbers as written), None for null or containers."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class JsonRows:
    """The elements of one JSON array being checked and converted.

    Parameters
    ----------
    items
        The array's elements (any JSON values; elements that are not objects are quarantined).
    files
        The file of each element (one path for all, or one per element).
    positions
        Each element's 1-based position in its array (default 1..n).
    label
        How reasons name an element (``message 3``).
    what
        What an element should be, for the reason given to one that is not an object.
    """

    def __init__(
        self,
        items: Sequence[Any],
        files: str | Sequence[str],
        positions: Sequence[int] | None = None,
        label: RowLabel = RowLabel.MESSAGE,
        what: str = "a message object",
    ) -> None:
        self.raw = list(items)
        n = len(self.raw)
        self.checks = RowChecks(files, positions if positions is not None else range(1, n + 1), label)
        is_obj = np.fromiter((isinstance(m, dict) for m in self.raw), dtype=bool, count=n)
        self.items: list[dict[str, Any]] = [m if isinstance(m, dict) else {} for m in self.raw]
        self.checks.flag(~is_obj, "(element)", what, self.raw)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> list[Any]:
        """One field of every element (None where absent)."""
        return [m.get(key) for m in self.items]

    def nested(self, key: str, sub: str) -> list[Any]:
        """A field of an object field of every element (``author.id``)."""
        return [o.get(sub) if isinstance(o := m.get(key), dict) else None for m in self.items]

    def ids(self, values: Sequence[Any], field_: str, expected: str = "an id") -> pd.Series:
        """Required ids as text; elements without one are flagged."""
        if plain_texts(values) or plain_ints(values):  # nothing to strip: the column as it is, as text
            s = str_series(values if isinstance(values[0], str) else list(map(str, values)))
            self.checks.flag(s.isna().to_numpy(dtype=bool), field_, expected, list(values))
            return s
        texts = [text_or_none(v) for v in values]
        texts = [t.strip() if t is not None and t.strip() else None for t in texts]
        s = pd.Series(texts, dtype="str")
        self.checks.flag(s.isna().to_numpy(dtype=bool), field_, expected, list(values))
        return s

    def dates(
        self,
        values: Sequence[Any],
        field_: str,
        *,
        expected: str = ISO_EXPECTED,
        formats: Sequence[str] = ("ISO8601",),
        local_zone: str | None = None,
    ) -> tuple[pd.Series, np.ndarray]:
        """Required dates into UTC; returns the dates and the rows read as local time."""
        if isinstance(values, list) and set(map(type, values)) <= _STR_OR_NONE:
            texts = str_series(values)
        else:
            texts = pd.Series([v if isinstance(v, str) else None for v in values], dtype="str")
        dates, local = parse_dates(texts, formats, local_zone)
        self.checks.flag(dates.isna().to_numpy(dtype=bool), field_, expected, list(values))
        return dates, local

    def counts(self, values: Sequence[Any], field_: str) -> pd.Series:
        """Counts (absent stays null); values that are not whole non-negative numbers are flagged."""
        counts, bad = whole_counts(values)
        self.checks.flag(bad, field_, "a whole number", list(values))
        return counts

    def excerpts(self, positions: np.ndarray) -> list[str]:
        return [excerpt_of(self.raw[i]) for i in positions]

    def finish(
        self,
        table: Table,
        data: Mapping[str, Any],
        *,
        source_files: Sequence[str] | str,
        assumed_timezone: str | None = None,
    ) -> ReadResult:
        """The result: kept elements in ``table``, flagged ones quarantined, skipped ones counted."""
        export = np.zeros(len(self), dtype=np.int64)
        batch = self.finish_batch(
            table, data, source_files=source_files, export=export, assumed_timezone=[assumed_timezone]
        )
        return batch.result(0)

    def finish_batch(
        self,
        table: Table,
        data: Mapping[str, Any],
        *,
        source_files: Sequence[str] | str,
        export: np.ndarray,
        assumed_timezone: Sequence[str | None],
        error: Sequence[str | None] | None = None,
    ) -> ReadBatch:
        """The result of several exports read together, as :meth:`finish` gives it for one.

        Parameters
        ----------
        export
            The position of each element's export in the batch.
        assumed_timezone, error
            Per export (one entry for each export of the batch).
        """
        n = len(self)
        files = [source_files] * n if isinstance(source_files, str) else source_files
        data = {**data, "source_file": files, "source_row": self.checks.rows}
        ok = self.checks.ok
        frame = build_frame(table, data, n)
        if not ok.all():
            frame = frame.loc[ok].reset_index(drop=True)
        return self._batch(table, frame, export, assumed_timezone, error)

    def _batch(
        self,
        table: Table,
        frame: pd.DataFrame,
        export: np.ndarray,
        assumed_timezone: Sequence[str | None],
        error: Sequence[str | None] | None,
    ) -> ReadBatch:
        """The batch of the kept rows ``frame``, with the quarantine, counts and skips of every export."""
        exports = len(assumed_timezone)
        ok, flagged = self.checks.ok, self.checks.flagged
        return ReadBatch(
            table,
            frame,
            export[ok],
            self.checks.quarantine(self.excerpts),
            export[flagged],
            np.bincount(export, minlength=exports).tolist(),
            self.checks.skipped_by(export, exports),
            list(assumed_timezone),
            list(error) if error is not None else [None] * exports,
        )


class ColumnRows(JsonRows):
    """Elements a reader has already taken apart into columns, file by file while each file's parsed
    elements were at hand (so that they are freed as soon as they are read, not all at the end).

    Checks, skips and the result work as in :class:`JsonRows`; the elements themselves are not kept, so
    the excerpts of quarantined ones come from ``raw``.

    Parameters
    ----------
    n
        The number of elements.
    files, positions, label, what
        As in :class:`JsonRows`.
    raw
        The elements at given positions (for the excerpts of quarantined ones).
    not_object
        The elements that are not objects (flagged first, as :class:`JsonRows` does), and ``values`` their
        values (see :func:`values_at`).
    """

    def __init__(
        self,
        n: int,
        files: str | Sequence[str] | np.ndarray,
        positions: Sequence[int] | np.ndarray,
        raw: Callable[[np.ndarray], Sequence[Any]],
        label: RowLabel = RowLabel.MESSAGE,
        what: str = "a message object",
        not_object: np.ndarray | None = None,
        values: np.ndarray | None = None,
    ) -> None:
        self._n = n
        self._raw = raw
        self.raw = []
        self.items = []
        self.checks = RowChecks(files, positions, label)
        if not_object is not None and not_object.any():
            self.checks.flag(not_object, "(element)", what, values)

    def __len__(self) -> int:
        return self._n

    def get(self, key: str) -> list[Any]:
        raise NotImplementedError("the elements are read column by column by their reader")

    def nested(self, key: str, sub: str) -> list[Any]:
        raise NotImplementedError("the elements are read column by column by their reader")

    def excerpts(self, positions: np.ndarray) -> list[str]:
        return [excerpt_of(v) for v in self._raw(positions)]

    def finish_batch(
        self,
        table: Table,
        data: Mapping[str, Any],
        *,
        source_files: Sequence[str] | str,
        export: np.ndarray,
        assumed_timezone: Sequence[str | None],
        error: Sequence[str | None] | None = None,
    ) -> ReadBatch:
        """As :meth:`JsonRows.finish_batch`, but ``data`` holds the kept rows only (those neither skipped
        nor flagged, in order): the reader converts no more than it keeps. ``source_files`` are of every
        row."""
        ok = self.checks.ok
        kept = int(ok.sum())
        files = [source_files] * kept if isinstance(source_files, str) else take_rows(source_files, ok)
        data = {**data, "source_file": files, "source_row": self.checks.rows[ok]}
        frame = build_frame(table, data, kept)
        return self._batch(table, frame, export, assumed_timezone, error)


def values_at(n: int, rows: Sequence[int], values: Sequence[Any]) -> np.ndarray | list[Any]:
    """A column of ``n`` values known only at some rows (other rows hold a plain scalar: an object, a
    text), as :meth:`RowChecks.flag` reads it: the same array as NumPy makes from the whole column (of
    nested lists only when every row is given)."""
    if len(rows) == n:
        return list(values)
    out = np.full(n, None, dtype=object)
    for i, v in zip(rows, values, strict=True):
        out[i] = v
    return out


def take_rows(values: Any, rows: np.ndarray) -> Any:
    """The rows of a column (a list, an array, an Arrow array or a Series) where ``rows`` holds."""
    if isinstance(values, pd.Series):
        if values.dtype == STR:
            return text_column(pa.array(values).filter(pa.array(rows)))
        return values[rows].reset_index(drop=True)
    if isinstance(values, np.ndarray):
        return values[rows]
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.filter(pa.array(rows))
    picked = np.empty(len(values), dtype=object)
    picked[:] = values
    return picked[rows].tolist()


def text_column(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A ``str`` column from Arrow text (as :func:`~community_health.ingest.envelope.text_series` makes
    it from the same values)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([values]), dtype=STR), copy=False)


_INT_OR_NONE = frozenset({int, type(None)})
_STR = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})
_INT = frozenset({int})


def str_series(values: list[str | None]) -> pd.Series:
    """``pd.Series(values, dtype="str")`` (the same column, the same error for lone surrogates), by Arrow
    straight from the list."""
    try:
        return text_column(pa.array(values, type=pa.large_string()))
    except (pa.ArrowException, UnicodeError):
        return pd.Series(values, dtype="str")


def plain_ints(values: Sequence[Any]) -> bool:
    """Whether the values are all whole numbers (not true/false), which read as text unchanged."""
    return isinstance(values, list) and set(map(type, values)) == _INT


def plain_texts(values: Sequence[Any]) -> bool:
    """Whether the values are all text, none empty, none with whitespace to strip (checked at C speed)."""
    return (
        isinstance(values, list)
        and set(map(type, values)) == _STR
        and all(values)
        and list(map(str.strip, values)) == values
    )


def whole_counts(values: Sequence[Any]) -> tuple[pd.Series, np.ndarray]:
    """:func:`~community_health.ingest.envelope.counts_from_objects`, with a fast path for the common
    column of plain ints and nulls (the same counts, the same rows flagged)."""
    if isinstance(values, list) and set(map(type, values)) <= _INT_OR_NONE:
        try:
            arr = pa.array(values, type=pa.int64())
        except (OverflowError, pa.ArrowException):
            return counts_from_objects(values)
        numbers = arr.fill_null(0).to_numpy(zero_copy_only=False)
        mask = arr.is_null().to_numpy(zero_copy_only=False)
        bad = numbers < 0
        if bad.any():
            mask = mask | bad
            numbers = np.where(bad, 0, numbers)
        return pd.Series(pd.arrays.IntegerArray(numbers.astype(np.int64), mask.copy())), bad
    return counts_from_objects(values)


def resolve_roots(ids: Sequence[str | None], parents: Sequence[str | None]) -> list[str | None]:
    """The root of each message's reply chain, following parents within the data.

    A message without a parent is its own root; a chain that reaches a parent absent from the data ends
    at that parent's id; a loop (damaged data) ends where it closes.
    """
    parent_of: dict[str, str | None] = {}
    for i, p in zip(ids, parents, strict=True):
        if i is not None and i not in parent_of:
            parent_of[i] = p
    roots: dict[str, str] = {}

    def root(start: str) -> str:
        chain = []
        seen = set()
        node = start
        while True:
            if node in roots:
                found = roots[node]
                break
            chain.append(node)
            seen.add(node)
            parent = parent_of.get(node)
            if parent is None or parent in seen:
                found = node
                break
            if parent not in parent_of:
                found = parent
                break
            node = parent
        for c in chain:
            roots[c] = found
        return found

    get = parent_of.get
    out: list[str | None] = []
    for i, p in zip(ids, parents, strict=True):
        if i is None:
            out.append(None)
        elif p is None:
            out.append(i)
        elif i in roots:
            out.append(roots[i])
        else:
            # A chain of one or two steps (nearly every reply) ends as root() would end it, and leaves
            # nothing that root() would later find otherwise (no loop can pass through its nodes).
            q = parent_of[i]
            if q is None or q == i:
                out.append(i)
            elif q not in parent_of or get(q) is None:
                out.append(q)
            else:
                out.append(root(i))
    return out
