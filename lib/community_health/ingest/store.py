"""The Parquet store under ``data/<client>/normalised/``.

Files
-----
``messages.parquet``, ``posts.parquet``, ``members.parquet``
    The normalised tables (see :mod:`community_health.schema`).
``quarantine.parquet``
    Every input row that could not be used: ``file, row, field, reason, excerpt``.
``ingest_log.parquet``
    One row per export: see :data:`LOG_COLUMNS`.
``_ingest/manifest.json`` and ``_ingest/units/``
    What the store remembers between runs: each export's content hash and what its reader returned
    (rows before deduplication, quarantined rows, counts), so that unchanged exports are never parsed
    again, a new export is read alone, and a removed export's rows disappear at the next run. The
    exports read in one run are remembered together, in one pair of files per batch
    (``<batch>.rows.parquet``, ``<batch>.quarantine.parquet``) whose ``_key`` column names each row's
    export; a batch is deleted once none of its exports is left.
``_ingest/placement.<tables>.parquet``
    The export of every row of the stored tables, in their order (``table``: 0 messages, 1 posts, 2
    quarantine; ``file``; ``segment`` of a quarantined row), named after the exports the tables were
    combined from: a run that only adds exports appends their rows to the stored tables with it.

Every file is written to a temporary name in the same folder and renamed into place, so a reader of the
store never sees half a file; the manifest is written last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from community_health.ingest.envelope import empty_quarantine

STORE_VERSION = 2
TABLE_FILES = {
    "messages": "messages.parquet",
    "posts": "posts.parquet",
    "members": "members.parquet",
    "quarantine": "quarantine.parquet",
    "ingest_log": "ingest_log.parquet",
}
CACHE_DIR = "_ingest"
MANIFEST = "manifest.json"

LOG_COLUMNS = {
    "file": "str",  # the export's path relative to the client's folder
    "format": "str",  # the detected format; null when not recognised
    "table": "str",  # messages or posts
    "sha256": "str",  # content hash of the file (of every file, for a folder)
    "rows_read": "Int64",  # data rows in the export
    "kept": "Int64",  # rows in the normalised table
    "duplicates": "Int64",  # rows already read from an earlier export (or earlier in the same one)
    "quarantined": "Int64",  # rows that could not be used, each listed in quarantine.parquet
    "skipped": "Int64",  # rows that are not community content (joins, pins, deleted posts)
    "skipped_reasons": "str",  # the skipped rows per reason: "Slack channel_join event...: 3; ..."
    "first_date": "datetime64[ns, UTC]",  # earliest date among the rows read (kept or duplicate)
    "last_date": "datetime64[ns, UTC]",  # latest date among the rows read
    "assumed_timezone": "str",  # the zone assumed for dates written without one
    "error": "str",  # why the export (or part of it) was not read, in words a person can act on
}


def empty_log() -> pd.DataFrame:
    """An empty ingest log."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in LOG_COLUMNS.items()})


# ---------------------------------------------------------------------------------------------------
# Atomic writes


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame to Parquet atomically (temporary file, then rename)."""
    _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


class TableWriter:
    """Tables written to Parquet by a thread of their own while the caller goes on (writing a million
    messages takes a second, in which the caller's thread builds the next tables), each to a temporary
    name; :meth:`finish` waits for every one and only then renames them all into place. Leaving the
    ``with`` block without :meth:`finish` (an error) lands none of them."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="table-writer")
        self._pending: list[tuple[Future[None], Path, Path]] = []

    def write(self, frame: pd.DataFrame, path: Path) -> None:
        """Start writing ``frame`` for ``path`` (a later write of the same path wins)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        future = self._pool.submit(frame.to_parquet, tmp, index=False)
        self._pending.append((future, Path(tmp), path))

    def finish(self) -> None:
        """Wait for every table, then rename each into place, in the order they were given."""
        for future, _tmp, _path in self._pending:
            future.result()
        for _future, tmp, path in self._pending:
            os.replace(tmp, path)
        self._pending.clear()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        for future, tmp, _path in self._pending:  # not finished: nothing lands
            future.cancel()
            with contextlib.suppress(Exception):
                future.result()
            tmp.unlink(missing_ok=True)
        self._pending.clear()
        self._pool.shutdown(wait=True)


def write_text(text: str, path: Path) -> None:
    """Write text atomically (temporary file, then rename)."""
    _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_parquet(path: Path, empty: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A stored table, or ``empty()`` when the file does not exist."""
    if not path.is_file():
        return empty()
    return pd.read_parquet(path)


# ---------------------------------------------------------------------------------------------------
# Manifest


@dataclass
class UnitRecord:
    """What the store remembers about one export."""

    file: str
    sha256: str
    stats: list[list[Any]]  # [name, size, mtime_ns] of each file, to skip re-hashing unchanged files
    key: str  # names the export's rows in the cache: hash of path, content, reader and settings
    format: str | None
    reader_version: int | None
    table: str | None
    rows_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    assumed_timezone: str | None = None
    error: str | None = None
    batch: str = ""  # the cached batch holding the export's rows (with those of exports read with it)


@dataclass
class Manifest:
    """The store's memory: every export read, under the settings it was read with."""

    version: int = STORE_VERSION
    settings: str = ""  # fingerprint of what changes parsing (time zone, column mappings)
    accounts: str = ""  # fingerprint of the brand and bot accounts applied after parsing
    units: dict[str, UnitRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Path) -> Manifest:
        """The stored manifest, or an empty one when there is none (or it is from another version)."""
        path = store / CACHE_DIR / MANIFEST
        try:
            raw = orjson.loads(path.read_bytes())
            if raw.get("version") != STORE_VERSION:
                return cls()
            units = {k: UnitRecord(**v) for k, v in raw.get("units", {}).items()}
            return cls(STORE_VERSION, raw.get("settings", ""), raw.get("accounts", ""), units)
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def save(self, store: Path) -> None:
        data = {
            "version": self.version,
            "settings": self.settings,
            "accounts": self.accounts,
            "units": {k: dict(vars(v)) for k, v in sorted(self.units.items())},  # (asdict: 20x slower)
        }
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")
        write_text(text, store / CACHE_DIR / MANIFEST)  # (orjson: 20x faster than json for 5,000 exports)


def fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------------
# Cached reader results, one pair of files per batch of exports read together

KEY_COLUMN = "_key"


def _cache_path(store: Path, batch: str, part: str) -> Path:
    return store / CACHE_DIR / "units" / f"{batch}.{part}.parquet"


def _with_keys(frame: pd.DataFrame, keys: list[str], positions: np.ndarray) -> pd.DataFrame:
    codes = np.asarray(positions, dtype=np.int32)
    column = pd.Categorical.from_codes(codes, categories=pd.Index(keys, dtype=object), validate=False)
    return frame.assign(**{KEY_COLUMN: column})


def save_batch(
    store: Path,
    batch: str,
    keys: list[str],
    frame: pd.DataFrame,
    row_export: np.ndarray,
    quarantine: pd.DataFrame,
    quarantine_export: np.ndarray,
) -> None:
    """Remember what a reader returned for a batch of exports.

    Parameters
    ----------
    batch
        The batch's name.
    keys
        Each export's key (:attr:`UnitRecord.key`), in batch order.
    frame, quarantine
        The rows and quarantined rows of every export of the batch.
    row_export, quarantine_export
        The position in ``keys`` of each row's export.
    """
    write_parquet(_with_keys(frame, keys, row_export), _cache_path(store, batch, "rows"))
    write_parquet(_with_keys(quarantine, keys, quarantine_export), _cache_path(store, batch, "quarantine"))


def has_batch(store: Path, batch: str) -> bool:
    """Whether both files of a batch are stored."""
    return _cache_path(store, batch, "rows").is_file() and _cache_path(store, batch, "quarantine").is_file()


def load_batch(
    store: Path, batch: str, empty: Callable[[], pd.DataFrame]
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    """The rows and quarantined rows of a stored batch, each with the key of its export.

    Returns
    -------
    frame, frame_keys, quarantine, quarantine_keys
        The frames without the key column, and that column (categorical).
    """

    def part(name: str, empty_part: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, pd.Series]:
        frame = read_parquet(_cache_path(store, batch, name), empty_part)
        keys = frame.pop(KEY_COLUMN) if KEY_COLUMN in frame else pd.Series(dtype="category")
        return frame, keys.astype("category")

    frame, frame_keys = part("rows", empty)
    quarantine, quarantine_keys = part("quarantine", empty_quarantine)
    return frame, frame_keys, quarantine, quarantine_keys


def prune_batches(store: Path, keep: set[str]) -> None:
    """Delete cached batches none of whose exports is left."""
    folder = store / CACHE_DIR / "units"
    if not folder.is_dir():
        return
    for path in folder.glob("*.parquet"):
        if path.name.split(".", 1)[0] not in keep:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------
# Where the rows of the stored tables came from

PLACEMENT = "placement"


def _placement_path(store: Path, name: str) -> Path:
    return store / CACHE_DIR / f"{PLACEMENT}.{name}.parquet"


def save_placement(
    store: Path, name: str, files: list[str], tables: list[np.ndarray], segment: np.ndarray
) -> None:
    """Remember the export of every row of the stored tables (and delete what was remembered before).

    Parameters
    ----------
    name
        Names the exports the tables were combined from.
    files
        The exports' paths, in path order.
    tables
        The position in ``files`` of each row's export (-1 for none), one array per table: messages,
        posts, quarantine.
    segment
        The segment of each quarantined row.
    """
    which = np.concatenate([np.full(len(t), i, dtype=np.int8) for i, t in enumerate(tables)])
    codes = np.concatenate([np.asarray(t, dtype=np.int32) for t in tables])
    column = pd.Categorical.from_codes(codes, categories=pd.Index(files, dtype=object), validate=False)
    segments = np.concatenate([np.zeros(len(which) - len(segment), np.int8), np.asarray(segment, np.int8)])
    path = _placement_path(store, name)
    write_parquet(pd.DataFrame({"table": which, "file": column, "segment": segments}), path)
    for old in (store / CACHE_DIR).glob(f"{PLACEMENT}.*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)


def load_placement(
    store: Path, name: str, where: dict[str, int]
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The position (in ``where``, by path; -1 for none) of the export of each row of the stored
    tables, and each row's segment, per table (messages, posts, quarantine); None when nothing is
    remembered under ``name``."""
    path = _placement_path(store, name)
    if not path.is_file():
        return None
    frame = pd.read_parquet(path)
    files = frame["file"].astype("category")
    lookup = np.array([where.get(k, -1) for k in files.cat.categories] + [-1], dtype=np.int64)
    position = lookup[files.cat.codes.to_numpy()]
    which = frame["table"].to_numpy()
    segment = frame["segment"].to_numpy()
    return [(position[which == i], segment[which == i]) for i in range(3)]
