"""From a client's exports to the normalised tables: find the exports, recognise each one, read it with
its format's reader (or reuse what the store remembers), mark brand accounts and bots, deduplicate across
exports, account for every row, validate, and write the store.

Accounting, per export::

    rows_read = kept + duplicates + quarantined + skipped

kept
    rows in ``messages`` or ``posts``.
duplicates
    rows whose (platform, id) was already read: from an export whose path sorts earlier, or earlier in
    the same export. The first copy is kept; exports that overlap in time cost nothing.
quarantined
    rows that could not be used (a date that is no date, a missing id, a line cut off, a file refused),
    each listed in ``quarantine.parquet`` with a reason naming the file, the row and the field.
skipped
    rows that are readable but not community content (Slack ``channel_join``, Discord
    ``GuildMemberJoin``, deleted Discourse posts), counted per reason in ``skipped_reasons``. They are
    not errors, so they are not in the quarantine table.

Identity: one person under several accounts (``aliases`` in ``client.yml``)
---------------------------------------------------------------------------
A member is keyed by (platform, author_id) everywhere downstream (members, every metric). Aliases are
applied here, after the brand and bot marks, in the way that changes that key least:

* **On one platform**, the accounts of one person are merged: every listed account's ``author_id`` is
  rewritten to the person's first listed account on that platform that the data holds (as the data
  spells it). Active members, the core group, new and returning members, "answered by someone other
  than the author" and member-to-member replies then count that person once, with no change to the
  metrics. Message ids are untouched, so deduplication is unaffected.
* **Across platforms**, ``author_id`` keeps the platform's own account (it is what the platform's links,
  mentions and brand lists use), and ``members.person_id`` joins the person's accounts: the person's
  name in ``client.yml``, else ``<platform>:<author_id>``. The report attaches it to the messages
  (:func:`community_health.metrics.with_people`), and every metric then counts and lists that person
  once across platforms.
* Brand and bot marks follow the person: when any account of a person is a brand account or a bot
  (``client.yml`` or the data), all of that person's messages are marked so, on every platform.

Changing ``aliases`` re-combines the tables without parsing any export again.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import gc
import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
import pyarrow as pa
import pyarrow.compute as pc
from pandera.api.pandas.container import DataFrameSchema
from tqdm import tqdm

from community_health.config import ClientConfig, PersonAlias, account_key
from community_health.ingest.envelope import (
    NS_UTC,
    ReadBatch,
    ReadContext,
    ReadResult,
    Table,
    empty_frame,
    empty_quarantine,
    quarantine_frame,
    refused,
)
from community_health.ingest.registry import Probe, Reader, describe_formats, detect, get_reader, readers
from community_health.ingest.report import KNOWN_FORMATS, IngestReport
from community_health.ingest.store import (
    LOG_COLUMNS,
    STORE_VERSION,
    TABLE_FILES,
    Manifest,
    TableWriter,
    UnitRecord,
    empty_log,
    fingerprint,
    has_batch,
    load_batch,
    load_placement,
    prune_batches,
    read_parquet,
    save_batch,
    save_placement,
    write_parquet,
)
from community_health.ingest.units import ExportUnit, find_units
from community_health.schema import Members, Messages, Platform, Posts, columns, empty

Echo = Callable[[str], None]
#: Called with a table's name and the table as soon as it is final (to start writing it).
Done = Callable[[str, pd.DataFrame], None]

#: The most bytes of exports of one format read (and stored) as one batch.
BATCH_BYTES = 256 * 2**20
#: New exports of at least this many bytes in all are read by several processes at once (one per CPU):
#: below it, sharing the work costs more than it saves.
PARALLEL_BYTES = 32 * 2**20
#: The smallest batch worth handing to another process when the reading is shared.
PARALLEL_BATCH_BYTES = 8 * 2**20


class IngestError(RuntimeError):
    """The normalised tables came out inconsistent (a fault in a reader, not in the exports)."""


@dataclass
class Tables:
    """The normalised tables of one client, as stored under ``normalised/``.

    Attributes
    ----------
    messages, posts, members
        See :mod:`community_health.schema`.
    quarantine
        Input rows that could not be used: ``file, row, field, reason, excerpt``.
    ingest_log
        One row per export: format, content hash, rows read / kept / duplicates / quarantined / skipped,
        date range, assumed time zone, error.
    """

    messages: pd.DataFrame
    posts: pd.DataFrame
    members: pd.DataFrame
    quarantine: pd.DataFrame
    ingest_log: pd.DataFrame


@functools.cache
def code_fingerprint() -> str:
    """A hash of this package's source: results stored by other code are read again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def settings_fingerprint(cfg: ClientConfig) -> str:
    """What changes how exports are parsed: store and reader versions, code, time zone, mappings."""
    versions = sorted((r.name, r.version) for r in readers())
    return fingerprint(STORE_VERSION, versions, code_fingerprint(), cfg.timezone, cfg.column_mappings)


def accounts_fingerprint(cfg: ClientConfig) -> str:
    """What changes the brand and bot marks and the aliases applied after parsing."""
    return fingerprint(
        {str(k): list(v) for k, v in cfg.brand_accounts.items()},
        {str(k): list(v) for k, v in cfg.bot_accounts.items()},
        [[a.person, [[p.value, i] for p, i in a.accounts]] for a in cfg.aliases],
    )


# ---------------------------------------------------------------------------------------------------
# Reading one export


def _stats(unit: ExportUnit) -> list[list[object]]:
    return [[s.name, s.size, s.mtime_ns] for s in unit.stats()]


def _remembered(
    unit: ExportUnit, stats: list[list[object]], manifest: Manifest, stored: Callable[[str], bool]
) -> UnitRecord | None:
    """The stored record of an export whose content has not changed, or None.

    Parameters
    ----------
    stored
        Whether a batch of reader results is in the store.
    """
    old = manifest.units.get(unit.relpath)
    if old is None:
        return None
    sha = old.sha256 if old.stats == stats else unit.sha256()
    if sha != old.sha256:
        return None
    if old.format is not None and not stored(old.batch):
        return None
    return old


def unrecognised_message(relpath: str) -> str:
    """The ingest log's error for an export no reader recognises."""
    return (
        f"{relpath} is not in a format this workbook reads, so it was left out (the other exports were "
        f"read). {KNOWN_FORMATS} {describe_formats()}."
    )


def detect_reader(unit: ExportUnit, cfg: ClientConfig) -> tuple[Reader | None, str | None]:
    """Recognise one export from its content.

    Returns
    -------
    reader, error
        The reader, or (None, why) when the export is not recognised or cannot be opened.
    """
    try:
        reader = detect(Probe(unit, cfg.column_mappings))
    except OSError as exc:
        return None, f"{unit.relpath} could not be opened ({exc.strerror or exc})."
    except Exception as exc:  # a damaged container (zip, workbook) must not stop the other exports
        return None, f"{unit.relpath} could not be opened ({type(exc).__name__}: {exc})."
    if reader is None:
        return None, unrecognised_message(unit.relpath)
    return reader, None


def _context(unit: ExportUnit, reader: Reader, cfg: ClientConfig) -> ReadContext:
    return ReadContext(unit.relpath, cfg.timezone, dict(cfg.column_mappings.get(reader.name, {})))


def _read_one(reader: Reader, unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    """One export read by its reader; a reader's exception refuses the export, never the run."""
    try:
        return reader.read(unit, ctx)
    except Exception as exc:  # a reader fault must not stop the other exports
        return refused(
            reader.table,
            f"{unit.relpath} looks like {reader.title} but could not be read "
            f"({type(exc).__name__}: {exc}); nothing was read from it.",
        )


def read_batch(reader: Reader, units: Sequence[ExportUnit], cfg: ClientConfig) -> ReadBatch:
    """Read exports of one format: all at once when the reader can, else one by one.

    Raises
    ------
    IngestError
        When the reader does not account for every row it read (a fault of the reader).
    """
    contexts = [_context(u, reader, cfg) for u in units]
    batch = None
    if reader.read_many is not None:
        try:
            batch = reader.read_many(units, contexts)
        except Exception:  # read them one by one, so that a damaged export refuses only itself
            batch = None
    if batch is None:
        batch = ReadBatch.of(
            reader.table, [_read_one(reader, u, c) for u, c in zip(units, contexts, strict=True)]
        )
    for i in batch.unbalanced():
        result = batch.result(i)
        raise IngestError(
            f"{units[i].relpath}: the {reader.name} reader read {result.rows_read} rows but returned "
            f"{len(result.frame)} kept, {len(result.quarantine)} quarantined and "
            f"{result.skipped_total} skipped"
        )
    return batch


def read_unit(unit: ExportUnit, cfg: ClientConfig) -> tuple[Reader | None, ReadResult | None, str | None]:
    """Recognise one export from its content and read it.

    Returns
    -------
    reader, result, error
        The reader and its result, or (None, None, why) when the export is not recognised.
    """
    reader, error = detect_reader(unit, cfg)
    if reader is None:
        return None, None, error
    return reader, read_batch(reader, [unit], cfg).result(0), None


@dataclass
class _Part:
    """Rows of some exports, each with the position of its export among all the client's exports."""

    table: Table
    frame: pd.DataFrame
    row_unit: np.ndarray
    quarantine: pd.DataFrame
    quarantine_unit: np.ndarray
    marked: bool = False  # brand and bot accounts of ``client.yml`` marked already (see _mark_accounts)


def _unit_bytes(stats: list[list[object]]) -> int:
    return sum(int(size) for _name, size, _mtime in stats)  # type: ignore[call-overload]


def _chunks(
    positions: list[int], stats: list[list[list[object]]], limit: int = BATCH_BYTES
) -> list[list[int]]:
    """Exports of one format in batches of at most ``limit`` bytes (one export may exceed it)."""
    chunks: list[list[int]] = []
    size = limit
    for pos in positions:
        nbytes = _unit_bytes(stats[pos])
        if size + nbytes > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(pos)
        size += nbytes
    return chunks


def reading_workers(fresh_bytes: int, requested: int | None = None) -> int:
    """How many processes read the new exports: ``requested`` when given, else one per usable CPU when
    there are at least :data:`PARALLEL_BYTES` to read (one inside a daemonic process, which may not
    start others)."""
    if requested is not None:
        return max(1, requested)
    if fresh_bytes < PARALLEL_BYTES or multiprocessing.current_process().daemon:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cpus)


@dataclass
class _Job:
    """Exports of one format read (and stored) together as the batch ``name``."""

    reader: Reader
    positions: list[int]
    nbytes: int


@dataclass
class _Done:
    """What a batch's reader returned besides its rows (those are stored with the batch), and where."""

    name: str  # the batch's name in the store
    sha256: list[str]  # each export's content hash, in batch order
    keys: list[str]  # each export's key in the store
    table: Table
    rows_read: list[int]
    skipped: list[dict[str, int]]
    assumed_timezone: list[str | None]
    error: list[str | None]
    seconds: float
    marked: bool = False  # the rows come with the brand and bot accounts of client.yml marked


def _read_and_store(
    reader: Reader, units: list[ExportUnit], cfg: ClientConfig, settings: str
) -> tuple[_Done, ReadBatch]:
    """Hash and read one batch of exports and remember its rows in the store, under a name made of the
    exports' paths and contents, the reader and the ``settings`` (by the process that reads them: hashing
    the exports of a million mentions takes up to 1.2 s)."""
    shas = [unit.sha256() for unit in units]
    keys = [
        fingerprint(u.relpath, h, reader.name, reader.version, settings)
        for u, h in zip(units, shas, strict=True)
    ]
    name = fingerprint(keys)
    clock = time.perf_counter()
    with _collector_paused():
        batch = read_batch(reader, units, cfg)
    seconds = time.perf_counter() - clock
    save_batch(
        cfg.paths.normalised,
        name,
        keys,
        batch.frame,
        batch.row_export,
        batch.quarantine,
        batch.quarantine_export,
    )
    done = _Done(
        name,
        shas,
        keys,
        batch.table,
        batch.rows_read,
        batch.skipped,
        batch.assumed_timezone,
        batch.error,
        seconds,
    )
    return done, batch


def _read_in_worker(
    reader_name: str, units: list[ExportUnit], cfg: ClientConfig, settings: str
) -> tuple[_Done, ReadBatch]:
    """:func:`_read_and_store` in another process. Its rows come back with the counts, pickled: reading
    them again from the store costs this process twice the CPU (0.3 s against 0.15 s for 250,000
    mentions); and with the accounts of ``client.yml`` marked (the store keeps the rows as read, since
    those lists may change), which would otherwise be done by this process after all the reading."""
    done, batch = _read_and_store(get_reader(reader_name), units, cfg, settings)
    if batch.table is Table.MESSAGES:
        batch.frame = _mark_accounts(batch.frame, cfg)
        done.marked = True
    return done, batch


def _process_context() -> multiprocessing.context.BaseContext:
    """Forked processes where the system has them: they start at once, with the library already
    imported, and never run the calling script again (a script without a ``__main__`` guard would run
    itself in every spawned process)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _read_jobs(
    jobs: list[_Job],
    units: list[ExportUnit],
    cfg: ClientConfig,
    settings: str,
    workers: int,
    progress: tqdm,
    started: Callable[[], None] = lambda: None,
) -> tuple[dict[int, _Done], dict[int, _Part]]:
    """Read every batch (see :func:`_read_and_store`), in ``workers`` processes when more than one
    (largest batches first). ``started`` is called once the reading has begun (the other processes,
    forked from this one, are all started by then: a thread of this process may then run).

    Returns
    -------
    done, parts
        Per job (by its index): what its reader returned, and its rows.
    """
    done: dict[int, _Done] = {}
    parts: dict[int, _Part] = {}

    def keep(i: int, got: _Done, batch: ReadBatch) -> None:
        done[i] = got
        at = np.asarray(jobs[i].positions, dtype=np.int64)
        parts[i] = _Part(
            batch.table,
            batch.frame,
            at[batch.row_export],
            batch.quarantine,
            at[batch.quarantine_export],
            got.marked,
        )
        progress.update(len(jobs[i].positions))

    if workers > 1 and len(jobs) > 1:
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i].nbytes)
        try:
            with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=_process_context()) as pool:
                futures: dict[int, Future[tuple[_Done, ReadBatch]]] = {
                    i: pool.submit(
                        _read_in_worker,
                        jobs[i].reader.name,
                        [units[p] for p in jobs[i].positions],
                        cfg,
                        settings,
                    )
                    for i in order
                }
                started()
                for i, future in futures.items():
                    keep(i, *future.result())
        except IngestError:
            raise
        except Exception:  # a process could not be started or died: every batch is read again here,
            done.clear()  # where a real fault of a reader or of the store shows as it would have
            parts.clear()
    started()
    for i, job in enumerate(jobs):
        if i not in done:
            keep(i, *_read_and_store(job.reader, [units[p] for p in job.positions], cfg, settings))
    return done, parts


def _read_exports(
    units: list[ExportUnit],
    fresh: list[int],
    stats: list[list[list[object]]],
    cfg: ClientConfig,
    settings: str,
    progress: tqdm,
    workers: int | None = None,
    started: Callable[[], None] = lambda: None,
) -> tuple[dict[int, UnitRecord], list[_Part], dict[int, str], dict[str, float]]:
    """Recognise and read the exports at the positions ``fresh``, format by format, and store what
    their readers returned, one batch of exports at a time; with enough to read, batches are read by
    one process per CPU (see :func:`reading_workers`); ``started`` is called once the reading has begun
    (see :func:`_read_jobs`).

    Returns
    -------
    records, parts, lines, seconds
        The record of each export read (by position), their rows, one line per export for a person
        watching, and the seconds the readers took per format (added up over processes).
    """
    records: dict[int, UnitRecord] = {}
    lines: dict[int, str] = {}
    groups: dict[str, tuple[Reader, list[int]]] = {}
    for pos in fresh:
        unit = units[pos]
        reader, error = detect_reader(unit, cfg)
        if reader is None:
            records[pos] = UnitRecord(
                unit.relpath, unit.sha256(), stats[pos], "", None, None, None, error=error
            )
            lines[pos] = f"{unit.relpath}: not recognised"
            progress.update()
        else:
            groups.setdefault(reader.name, (reader, []))[1].append(pos)
    fresh_bytes = sum(_unit_bytes(stats[p]) for _r, positions in groups.values() for p in positions)
    n_workers = reading_workers(fresh_bytes, workers)
    limit = BATCH_BYTES
    if n_workers > 1:  # several batches per process, so that they finish together
        limit = min(BATCH_BYTES, max(PARALLEL_BATCH_BYTES, fresh_bytes // (3 * n_workers)))
    jobs = []
    for reader, positions in groups.values():
        for chunk in _chunks(positions, stats, limit):
            jobs.append(_Job(reader, chunk, sum(_unit_bytes(stats[p]) for p in chunk)))
    done, read_here = _read_jobs(jobs, units, cfg, settings, n_workers, progress, started)
    seconds: dict[str, float] = {}
    for i, job in enumerate(jobs):
        got = done[i]
        seconds[job.reader.name] = seconds.get(job.reader.name, 0.0) + got.seconds
        for j, pos in enumerate(job.positions):
            records[pos] = UnitRecord(
                units[pos].relpath,
                got.sha256[j],
                stats[pos],
                got.keys[j],
                job.reader.name,
                job.reader.version,
                got.table.value,
                got.rows_read[j],
                got.skipped[j],
                got.assumed_timezone[j],
                got.error[j],
                batch=got.name,
            )
            lines[pos] = f"{units[pos].relpath}: {job.reader.name}, {got.rows_read[j]} rows"
    parts = [read_here[i] for i in range(len(jobs))]  # (in path order within each format)
    return records, parts, lines, seconds


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while exports are parsed: parsing builds millions of small
    objects (JSON messages), and every full collection would walk all of them again (three times the
    time of the parsing itself on a 60 MB Discord export). Parsed data holds no cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _positions(keys: pd.Series, where: dict[str, int]) -> np.ndarray:
    """The position of each row's export (-1 for an export no longer there), from its key."""
    lookup = np.array([where.get(k, -1) for k in keys.cat.categories] + [-1], dtype=np.int64)
    return lookup[keys.cat.codes.to_numpy()]


def _load_stored(
    store: Path, records: Sequence[UnitRecord] | Mapping[int, UnitRecord], positions: list[int]
) -> list[_Part]:
    """The stored rows of the exports at ``positions``, one part per stored batch."""
    batches: dict[str, dict[str, int]] = {}
    for pos in positions:
        record = records[pos]
        if record.format is not None:
            batches.setdefault(record.batch, {})[record.key] = pos
    parts = []
    for batch, where in batches.items():
        table = Table(records[next(iter(where.values()))].table or Table.MESSAGES.value)
        frame, frame_keys, quarantine, quarantine_keys = load_batch(
            store, batch, lambda t=table: empty_frame(t)
        )
        row_unit, quarantine_unit = _positions(frame_keys, where), _positions(quarantine_keys, where)
        if (row_unit < 0).any():  # exports of the batch that are gone or were read again since
            frame, row_unit = frame.loc[row_unit >= 0].reset_index(drop=True), row_unit[row_unit >= 0]
        if (quarantine_unit < 0).any():
            keep = quarantine_unit >= 0
            quarantine, quarantine_unit = quarantine.loc[keep].reset_index(drop=True), quarantine_unit[keep]
        parts.append(_Part(table, frame, row_unit, quarantine, quarantine_unit))
    return parts


# ---------------------------------------------------------------------------------------------------
# Combining


def _listed(frame: pd.DataFrame, accounts: Mapping[Platform, Sequence[str]]) -> np.ndarray:
    """Rows whose author id or name is listed for their platform in ``accounts`` (``brand_accounts`` or
    ``bot_accounts`` of ``client.yml``), matched as :meth:`ClientConfig.is_brand` matches one author (any
    case, a leading ``@`` ignored): each distinct id and name is compared once, and the rows holding a
    listed one are found by Arrow."""
    hit = np.zeros(len(frame), dtype=bool)
    platforms = pa.array(frame[Messages.platform])
    authors = [pa.array(frame[column]) for column in (Messages.author_id, Messages.author_name)]
    for platform, names in accounts.items():
        wanted = {a.casefold() for a in names}
        on = pc.fill_null(pc.equal(platforms, platform.value), False)
        if not wanted or not pc.any(on).as_py():
            continue
        for values in authors:
            distinct = pc.unique(pc.filter(values, on)).to_pylist()
            listed = [v for v in distinct if v is not None and v.casefold().lstrip("@") in wanted]
            if listed:
                found = pc.and_(on, pc.is_in(values, value_set=pa.array(listed, type=values.type)))
                hit |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return hit


def _mark_accounts(frame: pd.DataFrame, cfg: ClientConfig) -> pd.DataFrame:
    """Brand and bot marks from ``client.yml`` added to those the data gave."""
    if frame.empty or not (cfg.brand_accounts or cfg.bot_accounts):
        return frame
    out = frame.copy(deep=False)
    for column, accounts in (
        (Messages.author_is_brand, cfg.brand_accounts),
        (Messages.author_is_bot, cfg.bot_accounts),
    ):
        out[column] = out[column].to_numpy(dtype=bool) | _listed(frame, accounts)
    return out


def _marked(parts: list[_Part], table: Table, cfg: ClientConfig) -> list[_Part]:
    """``parts``, the messages among them with the accounts of ``client.yml`` marked."""
    if table is not Table.MESSAGES:
        return parts
    return [
        p
        if p.marked or p.table is not Table.MESSAGES
        else dataclasses.replace(p, frame=_mark_accounts(p.frame, cfg), marked=True)
        for p in parts
    ]


def _alias_lookup(aliases: Sequence[PersonAlias]) -> dict[tuple[str, str], tuple[str, int]]:
    """(platform, account key) -> (person, the account's place in the person's list)."""
    return {
        (platform.value, account_key(author)): (alias.person, order)
        for alias in aliases
        for order, (platform, author) in enumerate(alias.accounts)
    }


def apply_aliases(frame: pd.DataFrame, aliases: Sequence[PersonAlias]) -> pd.DataFrame:
    """Messages with one author id per person and platform, and brand and bot marks shared by a person's
    accounts (see "Identity" above).

    Parameters
    ----------
    frame
        Messages, brand and bot marks applied.
    aliases
        The client's ``aliases``.
    """
    if frame.empty or not aliases:
        return frame
    lookup = _alias_lookup(aliases)
    key = [Messages.platform, Messages.author_id]
    authors = frame[key].drop_duplicates()
    found = [lookup.get((p, account_key(a))) for p, a in authors.itertuples(index=False, name=None)]
    authors = authors.assign(
        _person=[f[0] if f else None for f in found], _order=[f[1] if f else -1 for f in found]
    ).loc[[f is not None for f in found]]
    if authors.empty:
        return frame
    first = (
        authors.sort_values(["_order", Messages.author_id], kind="stable")
        .drop_duplicates(["_person", Messages.platform])
        .rename(columns={Messages.author_id: "_canonical"})[["_person", Messages.platform, "_canonical"]]
    )
    authors = authors.merge(first, on=["_person", Messages.platform], how="left")
    merged = frame[key].merge(authors[[*key, "_person", "_canonical"]], on=key, how="left", sort=False)
    out = frame.copy()
    out[Messages.author_id] = merged["_canonical"].fillna(merged[Messages.author_id]).astype("str").to_numpy()
    person = merged["_person"]
    has_person = person.notna().to_numpy()
    for column in (Messages.author_is_brand, Messages.author_is_bot):
        marks = pd.Series(out[column].to_numpy(dtype=bool))
        shared = marks.groupby(person.fillna("").to_numpy()).transform("any").to_numpy(dtype=bool)
        out[column] = np.where(has_person, shared, marks.to_numpy())
    return out


@functools.cache
def _row_schema(model: type) -> DataFrameSchema:
    """The table's schema without its uniqueness rule (left to deduplication), built once per table."""
    schema = copy.deepcopy(model.to_schema())
    schema.unique = None
    return schema


#: The column checks :func:`_suspect_rows` evaluates itself: pandera's name, and each row's outcome.
_ROW_CHECKS: dict[str, Callable[[pd.Series, dict[str, object]], pd.Series]] = {
    "isin": lambda column, stats: ~column.isin(stats["allowed_values"]),
    "greater_than_or_equal_to": lambda column, stats: column < stats["min_value"],
}


def _suspect_rows(frame: pd.DataFrame, schema: DataFrameSchema) -> np.ndarray | None:
    """The rows that may fail ``schema``, found column by column with the schema's own rules (a null in a
    column that allows none, a value outside ``isin``, below ``ge``); None when the schema or the frame
    holds anything else (another check, a column missing or extra, a dtype other than the schema's):
    then only pandera can tell.

    Every row pandera would fail is among those returned: pandera need look at no other (running it on
    a million valid rows costs 0.4 s, this 0.1 s).
    """
    if schema.checks or schema.coerce or schema.index is not None or schema.unique:
        return None
    if frame.columns.has_duplicates or set(frame.columns) != set(schema.columns):
        return None
    suspect = np.zeros(len(frame), dtype=bool)
    for name, rules in schema.columns.items():
        column = frame[name]
        if column.dtype != rules.dtype.type:  # (pandera checks each value of a column of Python objects)
            return None
        if rules.coerce or rules.unique or rules.regex or not rules.required:
            return None
        if not rules.nullable:
            suspect |= column.isna().to_numpy()
        for check in rules.checks:
            row_check = _ROW_CHECKS.get(check.name)
            if row_check is None or not check.ignore_na:
                return None
            failed = row_check(column, check.statistics)
            suspect |= failed.to_numpy(dtype=bool, na_value=False) & column.notna().to_numpy()
    return suspect


def _validate_rows(frame: pd.DataFrame, model: type) -> tuple[np.ndarray, pd.DataFrame]:
    """Check rows against the table's schema (lazily, every failure at once): pandera checks the rows
    :func:`_suspect_rows` finds, or every row when that cannot tell.

    Returns
    -------
    bad, quarantine
        The rows that fail a check, and their quarantine entries. Uniqueness is left to deduplication.

    Raises
    ------
    IngestError
        When a whole column is wrong (a missing column or a wrong type): a fault of the code.
    """
    bad = np.zeros(len(frame), dtype=bool)
    schema = _row_schema(model)
    suspect = _suspect_rows(frame, schema)
    if suspect is not None and not suspect.any():
        return bad, empty_quarantine()
    try:
        schema.validate(frame if suspect is None else frame.loc[suspect], lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        whole = cases[cases["index"].isna()]
        if len(whole):
            raise IngestError(f"the {model.__name__} table is malformed:\n{whole.to_string()}") from None
        cases = cases.drop_duplicates("index")
        positions = frame.index.get_indexer(cases["index"].astype("int64"))
        bad[positions] = True
        sub = frame.iloc[positions]
        files = sub["source_file"].tolist()
        rows = sub["source_row"].tolist()
        reasons = [
            f'{f} row {r}, field "{c}": failed the check {k} (got {v!r})'
            for f, r, c, k, v in zip(
                files, rows, cases["column"], cases["check"], cases["failure_case"], strict=True
            )
        ]
        return bad, quarantine_frame(
            files,
            rows,
            cases["column"].astype(str).tolist(),
            reasons,
            [str(v) for v in cases["failure_case"]],
        )
    return bad, empty_quarantine()


def _combine_table(
    records: list[UnitRecord], parts: list[_Part], table: Table, key: str, model: type, cfg: ClientConfig
) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray]:
    """Concatenate one table's rows in path order, mark accounts, validate, and deduplicate.

    Returns
    -------
    frame, per_unit, kept_unit
        The kept rows; per export index: ``kept``, ``duplicates``, ``invalid`` counts and the
        ``first``/``last`` dates of its rows (and ``invalid_q``, the quarantine entries of invalid rows);
        and the position of each kept row's export.
    """
    n_units = len(records)
    frame, unit_of = _concat_rows(_marked(parts, table, cfg), table)
    if table is Table.MESSAGES:
        frame = apply_aliases(frame, cfg.aliases)
    invalid, invalid_q = _validate_rows(frame, model)
    valid = ~invalid
    dup = np.zeros(len(frame), dtype=bool)
    checked = frame if valid.all() else frame.loc[valid]
    dup[valid] = checked.duplicated(subset=[Messages.platform, key], keep="first").to_numpy()
    keep = valid & ~dup
    per_unit = _unit_stats(frame, unit_of, n_units, valid, keep, dup, invalid)
    per_unit["invalid_q"] = invalid_q  # type: ignore[assignment]
    kept = frame.loc[keep] if not keep.all() else frame
    kept, kept_unit = _sorted(kept, unit_of[keep], [Messages.created_at, Messages.platform, key])
    return kept, per_unit, kept_unit


def _concat_rows(parts: list[_Part], table: Table) -> tuple[pd.DataFrame, np.ndarray]:
    """One table's rows of ``parts`` in path order (by export, then as read), with each row's export."""
    mine = [p for p in parts if p.table is table and len(p.frame)]
    if not mine:
        return empty_frame(table), np.zeros(0, dtype=np.int64)
    frame = pd.concat([p.frame for p in mine], ignore_index=True) if len(mine) > 1 else mine[0].frame
    unit_of = np.concatenate([p.row_unit for p in mine])
    if len(unit_of) > 1 and (np.diff(unit_of) < 0).any():  # rows in path order: the first copy is kept
        order = np.argsort(unit_of, kind="stable")
        frame, unit_of = frame.take(order).reset_index(drop=True), unit_of[order]
    return frame, unit_of


def _unit_stats(
    frame: pd.DataFrame,
    unit_of: np.ndarray,
    n_units: int,
    valid: np.ndarray,
    keep: np.ndarray,
    dup: np.ndarray,
    invalid: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per export index: ``kept``, ``duplicates``, ``invalid`` counts and the ``first``/``last`` dates of
    its valid rows."""
    dates = frame[Messages.created_at].dt.tz_localize(None).to_numpy()  # UTC
    stats = pd.DataFrame({"u": unit_of[valid], "d": dates[valid]})
    g = stats.groupby("u")["d"]
    first = np.full(n_units, np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    if len(stats):
        mins, maxs = g.min(), g.max()
        first[mins.index.to_numpy()] = mins.to_numpy()
        last[maxs.index.to_numpy()] = maxs.to_numpy()
    return {
        "kept": np.bincount(unit_of[keep], minlength=n_units),
        "duplicates": np.bincount(unit_of[dup], minlength=n_units),
        "invalid": np.bincount(unit_of[invalid], minlength=n_units),
        "first": first,
        "last": last,
    }


def _sort_order(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """The order that sorts ``frame`` by the columns ``by`` (stably, nulls last), by Arrow: several times
    faster than pandas on text columns."""
    keys = pa.table({name: pa.array(frame[name]) for name in by})
    order = pc.sort_indices(keys, sort_keys=[(name, "ascending", "at_end") for name in by])
    return order.to_numpy()


def _sorted(frame: pd.DataFrame, unit_of: np.ndarray, by: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` sorted by the columns ``by`` (see :func:`_sort_order`) with a fresh index, and the export
    of each of its rows in that order. Rows already in that order are not copied: reordering every column
    costs twice what finding the order does (0.9 s against 0.4 s of CPU for a million mentions)."""
    order = _sort_order(frame, by)
    if np.array_equal(order, np.arange(len(order))):
        return frame.reset_index(drop=True), unit_of
    return frame.take(order).reset_index(drop=True), unit_of[order]


def members_from(messages: pd.DataFrame, aliases: Sequence[PersonAlias] = ()) -> pd.DataFrame:
    """One row per (platform, author_id): the person it belongs to, the name last used, the most
    followers seen, when first seen, and whether any of the author's messages was marked brand or bot.

    Parameters
    ----------
    messages
        The normalised messages.
    aliases
        The client's ``aliases``: an account listed there belongs to that person (``person_id`` is the
        person's name); any other account is a person of its own (``<platform>:<author_id>``).
    """
    if messages.empty:
        return empty(Members)
    in_order = messages[Messages.created_at].is_monotonic_increasing  # as the pipeline stores them
    m = messages if in_order else messages.sort_values(Messages.created_at, kind="stable")
    g = m.groupby([Messages.platform, Messages.author_id], sort=True, dropna=False)
    out = g.agg(
        name=(Messages.author_name, "last"),
        followers=(Messages.author_followers, "max"),
        first_seen=(Messages.created_at, "min"),
        is_brand=(Messages.author_is_brand, "any"),
        is_bot=(Messages.author_is_bot, "any"),
    ).reset_index()
    out = out.rename(columns={Messages.platform: Members.platform, Messages.author_id: Members.author_id})
    lookup = _alias_lookup(aliases)
    person = out[Members.platform].str.cat(out[Members.author_id], sep=":")  # <platform>:<author_id>
    if lookup or person.isna().any():  # (one by one: the accounts of a person, or a missing part)
        person = [
            found[0] if lookup and (found := lookup.get((p, account_key(a)))) else f"{p}:{a}"
            for p, a in zip(out[Members.platform].tolist(), out[Members.author_id].tolist(), strict=True)
        ]
    out[Members.person_id] = person
    out = out.astype(
        {
            Members.person_id: "str",
            Members.name: "str",
            Members.followers: "Int64",
            Members.first_seen: NS_UTC,
            Members.is_brand: bool,
            Members.is_bot: bool,
        }
    )
    return out[columns(Members)]


def _check_members(members: pd.DataFrame) -> None:
    """``Members.validate(members, lazy=True)``, which raises on a fault of the code: pandera runs when
    the column-wise pass over its rules (:func:`_suspect_rows`) flags a row or cannot tell, or when an
    account is listed twice."""
    suspect = _suspect_rows(members, _row_schema(Members))
    if suspect is None or suspect.any() or members.duplicated([Members.platform, Members.author_id]).any():
        Members.validate(members, lazy=True)


@dataclass
class _Placement:
    """The position of the export of every row of the combined tables (in their stored order), which
    lets a later run add exports to them without combining everything again.

    Attributes
    ----------
    messages, posts
        The export of each kept row.
    quarantine
        The export of each quarantined row (-1 for a row that failed the schema: those follow the
        readers' quarantined rows, messages first, then posts).
    segment
        For each quarantined row: 0 quarantined by its reader, 1 an invalid message, 2 an invalid post.
    """

    messages: np.ndarray
    posts: np.ndarray
    quarantine: np.ndarray
    segment: np.ndarray


def combine(records: list[UnitRecord], parts: list[_Part], cfg: ClientConfig) -> Tables:
    """The normalised tables and the ingest log from every export's record and reader rows.

    Parameters
    ----------
    records
        Every export of the client, in path order.
    parts
        Their rows and quarantined rows, each row with the position of its export in ``records``.
    cfg
        The client.
    """
    return _combine(records, parts, cfg)[0]


def _combine(
    records: list[UnitRecord], parts: list[_Part], cfg: ClientConfig, done: Done | None = None
) -> tuple[Tables, _Placement]:
    """:func:`combine`, with the export of every row of the tables; ``done`` is given each table as soon
    as it is final (``"messages"``, then ``"posts"``)."""
    messages, m_stats, m_unit = _combine_table(
        records, parts, Table.MESSAGES, Messages.message_id, Messages, cfg
    )
    if done is not None:
        done("messages", messages)
    posts, p_stats, p_unit = _combine_table(records, parts, Table.POSTS, Posts.post_id, Posts, cfg)
    if done is not None:
        done("posts", posts)
    members = members_from(messages, cfg.aliases)
    _check_members(members)
    reader_q, quarantine_unit = _reader_quarantine(parts)
    invalid = [q for q in (m_stats["invalid_q"], p_stats["invalid_q"]) if len(q)]
    quarantine_parts = ([reader_q] if len(reader_q) else []) + invalid
    quarantine = pd.concat(quarantine_parts, ignore_index=True) if quarantine_parts else empty_quarantine()
    segment = np.concatenate(
        [
            np.zeros(len(reader_q), np.int8),
            np.full(len(m_stats["invalid_q"]), 1, np.int8),
            np.full(len(p_stats["invalid_q"]), 2, np.int8),
        ]
    )
    q_unit = np.concatenate([quarantine_unit, np.full(len(segment) - len(quarantine_unit), -1, np.int64)])
    read_quarantined = np.bincount(quarantine_unit, minlength=len(records))
    log = _ingest_log(records, range(len(records)), m_stats, p_stats, read_quarantined)
    tables = Tables(messages, posts, members, quarantine.reset_index(drop=True), log)
    return tables, _Placement(m_unit, p_unit, q_unit, segment)


def _reader_quarantine(parts: list[_Part]) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows the readers quarantined, in path order as the exports' rows, with each row's export."""
    mine = [p for p in parts if len(p.quarantine)]
    if not mine:
        return empty_quarantine(), np.zeros(0, np.int64)
    quarantine_unit = np.concatenate([p.quarantine_unit for p in mine])
    order = np.argsort(quarantine_unit, kind="stable")
    frame = pd.concat([p.quarantine for p in mine], ignore_index=True).take(order).reset_index(drop=True)
    return frame, quarantine_unit[order]


def _ingest_log(
    records: list[UnitRecord],
    positions: Iterable[int],
    m_stats: dict[str, np.ndarray],
    p_stats: dict[str, np.ndarray],
    read_quarantined: np.ndarray,
) -> pd.DataFrame:
    """The ingest log's rows of the exports at ``positions``.

    Raises
    ------
    IngestError
        When an export's rows do not add up.
    """
    log_rows = []
    for i in positions:
        r = records[i]
        s = m_stats if r.table == Table.MESSAGES.value else p_stats
        kept, dups, invalid = (int(s[k][i]) for k in ("kept", "duplicates", "invalid"))
        quarantined = int(read_quarantined[i]) + invalid
        skipped = sum(r.skipped.values())
        error = r.error
        if r.format is not None and r.rows_read != kept + dups + quarantined + skipped:
            raise IngestError(
                f"{r.file}: {r.rows_read} rows read but {kept} kept, {dups} duplicates, "
                f"{quarantined} quarantined and {skipped} skipped"
            )
        log_rows.append(
            {
                "file": r.file,
                "format": r.format,
                "table": r.table,
                "sha256": r.sha256,
                "rows_read": r.rows_read,
                "kept": kept,
                "duplicates": dups,
                "quarantined": quarantined,
                "skipped": skipped,
                "skipped_reasons": "; ".join(f"{k}: {v}" for k, v in r.skipped.items()) or None,
                "first_date": s["first"][i] if r.table else None,
                "last_date": s["last"][i] if r.table else None,
                "assumed_timezone": r.assumed_timezone,
                "error": error,
            }
        )
    log = pd.DataFrame(log_rows, columns=list(LOG_COLUMNS)) if log_rows else empty_log()
    for name in ("first_date", "last_date"):
        log[name] = pd.to_datetime(log[name]).dt.tz_localize("UTC") if len(log) else log[name]
    return log.astype(LOG_COLUMNS)


# ---------------------------------------------------------------------------------------------------
# Adding exports to the stored tables


def _tables_name(records: Iterable[UnitRecord], accounts: str) -> str:
    """Names the exports (and brand, bot and alias settings) a set of tables was combined from."""
    return fingerprint(sorted([r.file, r.sha256, r.key] for r in records), accounts)


def _append_table(
    old: pd.DataFrame,
    old_unit: np.ndarray,
    parts: list[_Part],
    table: Table,
    key: str,
    model: type,
    cfg: ClientConfig,
    n_units: int,
) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray] | None:
    """One stored table with the rows of new exports added as :func:`_combine_table` would have them.

    A new row whose (platform, id) is stored is a duplicate when the stored copy comes from an export
    that sorts earlier; else the new copy is kept and the stored one becomes a duplicate of its export.
    None when the result could differ from combining everything again: a new row that fails the schema,
    or a new row by an account listed in ``aliases``.

    Returns
    -------
    frame, per_unit, kept_unit
        The table, the counts per export (as :func:`_combine_table`: those of the new exports, and for
        the stored ones how many of their kept rows became duplicates, as negative ``kept``), and the
        export of each row.
    """
    frame, unit_of = _concat_rows(_marked(parts, table, cfg), table)
    if table is Table.MESSAGES and len(frame) and cfg.aliases:
        lookup = _alias_lookup(cfg.aliases)
        authors = frame[[Messages.platform, Messages.author_id]].drop_duplicates()
        if any((p, account_key(a)) in lookup for p, a in authors.itertuples(index=False, name=None)):
            return None
    invalid, _ = _validate_rows(frame, model)
    if invalid.any():
        return None
    dup = frame.duplicated(subset=[Messages.platform, key], keep="first").to_numpy()
    hit = _stored_rows(old, frame, key)
    stored = hit >= 0
    # the first new copy of a stored row is kept when its export sorts before the stored copy's, which
    # then becomes a duplicate of its export
    wins = stored & ~dup
    wins[wins] = old_unit[hit[wins]] > unit_of[wins]
    displaced = np.zeros(len(old), dtype=bool)
    displaced[hit[wins]] = True
    dup = dup | (stored & ~wins)
    keep = ~dup
    per_unit = _unit_stats(frame, unit_of, n_units, ~invalid, keep, dup, invalid)
    moved = np.bincount(old_unit[displaced], minlength=n_units)
    per_unit["kept"] = per_unit["kept"] - moved
    per_unit["duplicates"] = per_unit["duplicates"] + moved
    per_unit["invalid_q"] = empty_quarantine()  # type: ignore[assignment]
    if displaced.any():
        old, old_unit = old.loc[~displaced].reset_index(drop=True), old_unit[~displaced]
    by = [Messages.created_at, Messages.platform, key]
    added = frame.loc[keep] if not keep.all() else frame
    added, added_unit = _sorted(added, unit_of[keep], by)
    if not len(added):
        return old, per_unit, old_unit
    if not len(old):
        return added, per_unit, added_unit
    # the stored rows before the first new one stay where they are; the rest are sorted with the new ones
    stored_at = old[Messages.created_at].to_numpy(dtype="datetime64[ns]")
    cut = int(np.searchsorted(stored_at, added[Messages.created_at].to_numpy(dtype="datetime64[ns]")[0]))
    tail = pd.concat([old.iloc[cut:], added], ignore_index=True)
    tail_unit = np.concatenate([old_unit[cut:], added_unit])
    if cut < len(old):
        tail, tail_unit = _sorted(tail, tail_unit, by)
    out = pd.concat([old.iloc[:cut], tail], ignore_index=True) if cut else tail
    return out, per_unit, np.concatenate([old_unit[:cut], tail_unit])


def _stored_rows(old: pd.DataFrame, frame: pd.DataFrame, key: str) -> np.ndarray:
    """For each row of ``frame``, the position of the row of ``old`` with its (platform, id), or -1."""
    hit = np.full(len(frame), -1, dtype=np.int64)
    if not len(old) or not len(frame):
        return hit
    old_platform, new_platform = old[Messages.platform], frame[Messages.platform]
    old_keys = pa.chunked_array(pa.array(old[key]))
    for platform in pd.unique(new_platform.to_numpy()):
        on_old = (old_platform == platform).to_numpy(dtype=bool, na_value=False)
        on_new = (new_platform == platform).to_numpy(dtype=bool, na_value=False)
        if not on_old.any():
            continue
        values = pc.filter(old_keys, pa.array(on_old)).combine_chunks()
        found = pc.index_in(pa.array(frame[key][on_new]), value_set=values).to_numpy(zero_copy_only=False)
        found = np.nan_to_num(np.asarray(found, dtype=np.float64), nan=-1).astype(np.int64)
        hit[on_new] = np.where(found >= 0, np.flatnonzero(on_old)[np.maximum(found, 0)], -1)
    return hit


def _append(
    store: Path,
    records: list[UnitRecord],
    fresh: list[int],
    parts: list[_Part],
    name: str,
    cfg: ClientConfig,
    stored_tables: Callable[[], Tables] | None = None,
    done: Done | None = None,
) -> tuple[Tables, _Placement] | None:
    """The stored tables with the rows of the new exports at ``fresh`` added, as :func:`combine` would
    give them for every export; None when that cannot be done here (then everything is combined again).

    Parameters
    ----------
    records
        Every export, in path order: those not in ``fresh`` are the ones the stored tables hold.
    parts
        The rows read from the new exports.
    name
        The :func:`_tables_name` of the stored tables.
    stored_tables
        The stored tables (read while the exports were: see :func:`ingest_client`); by default read here.
    done
        Given each table as soon as it is final (see :func:`_combine`).
    """
    new = set(fresh)
    placed = load_placement(store, name, {r.file: i for i, r in enumerate(records) if i not in new})
    if placed is None:
        return None
    stored = stored_tables() if stored_tables is not None else read_tables(store)
    (m_unit, _), (p_unit, _), (q_unit, q_segment) = placed
    lengths = (len(stored.messages), len(stored.posts), len(stored.quarantine))
    if lengths != (len(m_unit), len(p_unit), len(q_unit)) or (m_unit < 0).any() or (p_unit < 0).any():
        return None
    n = len(records)
    got = _append_table(stored.messages, m_unit, parts, Table.MESSAGES, Messages.message_id, Messages, cfg, n)
    if got is None:
        return None
    messages, m_stats, m_unit = got
    got = _append_table(stored.posts, p_unit, parts, Table.POSTS, Posts.post_id, Posts, cfg, n)
    if got is None:
        return None
    posts, p_stats, p_unit = got
    by_reader = q_segment == 0
    if (q_unit[by_reader] < 0).any():
        return None
    if done is not None:
        done("messages", messages)
        done("posts", posts)
    members = members_from(messages, cfg.aliases)  # (faster than finding the authors to update)
    _check_members(members)
    new_q, new_q_unit = _reader_quarantine(parts)
    first_q = pd.concat([stored.quarantine.loc[by_reader], new_q], ignore_index=True)
    first_unit = np.concatenate([q_unit[by_reader], new_q_unit])
    order = np.argsort(first_unit, kind="stable")  # in path order, as the exports' rows
    quarantine = pd.concat([first_q.take(order), stored.quarantine.loc[~by_reader]], ignore_index=True)
    quarantine = quarantine.astype(stored.quarantine.dtypes.to_dict())
    q_unit = np.concatenate([first_unit[order], q_unit[~by_reader]])
    q_segment = np.concatenate([np.zeros(len(first_unit), np.int8), q_segment[~by_reader]])

    read_quarantined = np.bincount(new_q_unit, minlength=n)
    log = pd.concat(
        [stored.ingest_log, _ingest_log(records, fresh, m_stats, p_stats, read_quarantined)],
        ignore_index=True,
    )
    position = {r.file: i for i, r in enumerate(records)}
    at = np.asarray([position.get(f, -1) for f in log["file"].tolist()], dtype=np.int64)
    if len(at) != n or sorted(at.tolist()) != list(range(n)):
        return None
    log = log.take(np.argsort(at, kind="stable")).reset_index(drop=True)
    moved = -(m_stats["kept"] + p_stats["kept"])  # stored rows that became duplicates of new ones
    moved[fresh] = 0
    if moved.any():
        log["kept"] = log["kept"] - moved
        log["duplicates"] = log["duplicates"] + moved
    log = log.astype(LOG_COLUMNS)
    tables = Tables(messages, posts, members, quarantine, log)
    return tables, _Placement(m_unit, p_unit, q_unit, q_segment)


# ---------------------------------------------------------------------------------------------------
# The run


def ingest_client(
    cfg: ClientConfig, *, progress: bool = False, echo: Echo | None = None, workers: int | None = None
) -> IngestReport:
    """Read every export of a client into the normalised tables under ``cfg.paths.normalised``.

    Exports whose content is unchanged since the last run are not read again; a new export is read
    alone; an export that is gone takes its rows with it. Each export's format is recognised from its
    content; one that no reader recognises is reported with the list of known formats and the others go
    on. Every row read is kept, counted as a duplicate, quarantined with a reason, or skipped as not
    community content, and the ingest log says how many of each, per export.

    Parameters
    ----------
    cfg
        The client (its exports folder, time zone, brand and bot accounts, column mappings).
    progress
        Show a progress bar over the exports.
    echo
        Called with one line per export read (for a command line).
    workers
        How many processes read new exports; by default one per CPU when there is much to read (at
        least :data:`PARALLEL_BYTES`), else one.

    Returns
    -------
    IngestReport
        The ingest log of this run, printable as a table.
    """
    say = echo or (lambda _line: None)
    store = cfg.paths.normalised
    units = find_units(cfg.paths.exports, cfg.paths.root)
    manifest = Manifest.load(store)
    settings = settings_fingerprint(cfg)
    accounts = accounts_fingerprint(cfg)
    if manifest.settings != settings:
        manifest = Manifest(settings=settings, accounts=manifest.accounts)

    stats = [_stats(unit) for unit in units]
    remembered: list[UnitRecord | None] = []
    touched = False
    stored = functools.cache(lambda batch: has_batch(store, batch))  # many exports share a batch
    for unit, unit_stats in zip(units, stats, strict=True):
        record = _remembered(unit, unit_stats, manifest, stored)
        if record is not None and record.stats != unit_stats:
            record.stats = unit_stats  # touched but unchanged: remember the new times, skip hashing next run
            touched = True
        remembered.append(record)
    fresh = [i for i, record in enumerate(remembered) if record is None]

    outputs_exist = all((store / f).is_file() for f in TABLE_FILES.values())
    same_units = {u.relpath for u in units} == set(manifest.units)
    if not fresh and same_units and manifest.accounts == accounts and outputs_exist:
        if touched:
            manifest.save(store)
        log = read_parquet(store / TABLE_FILES["ingest_log"], empty_log)
        return IngestReport(cfg.name, store, log, parsed=[], timezone=cfg.timezone)

    kept = [i for i, r in enumerate(remembered) if r is not None]
    only_added = len(kept) == len(manifest.units) and set(manifest.units) <= {u.relpath for u in units}
    appending = bool(fresh and kept and only_added and manifest.accounts == accounts and outputs_exist)
    with (
        ThreadPoolExecutor(1, thread_name_prefix="stored-tables") as early_reader,
        TableWriter() as writer,
    ):
        stored: list[Future[Tables]] = []

        def read_stored() -> None:  # the tables to add to are read while the exports are
            if appending and not stored:
                stored.append(early_reader.submit(read_tables, store))

        with (
            tqdm(total=len(fresh), desc="ingest", unit="export", disable=not progress, leave=False) as bar,
            _collector_paused(),
        ):
            read, parts, lines, read_seconds = _read_exports(
                units, fresh, stats, cfg, settings, bar, workers, read_stored
            )
        for pos in fresh:
            say(lines[pos])
        records = [r if r is not None else read[i] for i, r in enumerate(remembered)]
        combined = None
        written: set[str] = set()

        def write(name: str, frame: pd.DataFrame) -> None:
            writer.write(frame, store / TABLE_FILES[name])
            written.add(name)

        if appending:
            read_stored()
            name = _tables_name(manifest.units.values(), accounts)
            combined = _append(store, records, fresh, parts, name, cfg, stored[0].result, write)
        if combined is None:
            combined = _combine(records, _load_stored(store, records, kept) + parts, cfg, write)
        tables, placement = combined
        for name in TABLE_FILES:
            if name not in written:
                writer.write(getattr(tables, name), store / TABLE_FILES[name])
        writer.finish()
    save_placement(
        store,
        _tables_name(records, accounts),
        [r.file for r in records],
        [placement.messages, placement.posts, placement.quarantine],
        placement.segment,
    )
    manifest.units = {r.file: r for r in records}
    manifest.settings, manifest.accounts = settings, accounts
    manifest.save(store)
    prune_batches(store, {r.batch for r in records if r.batch})
    parsed = [units[i].relpath for i in fresh]
    return IngestReport(
        cfg.name, store, tables.ingest_log, parsed=parsed, read_seconds=read_seconds, timezone=cfg.timezone
    )


def write_tables(tables: Tables, store: Path) -> None:
    """Write every table of the store atomically (one temporary file and rename per table)."""
    for name, filename in TABLE_FILES.items():
        write_parquet(getattr(tables, name), store / filename)


def read_tables(store: Path) -> Tables:
    """The stored tables (empty tables for any that are missing)."""
    return Tables(
        messages=read_parquet(store / TABLE_FILES["messages"], lambda: empty(Messages)),
        posts=read_parquet(store / TABLE_FILES["posts"], lambda: empty(Posts)),
        members=read_parquet(store / TABLE_FILES["members"], lambda: empty(Members)),
        quarantine=read_parquet(store / TABLE_FILES["quarantine"], empty_quarantine),
        ingest_log=read_parquet(store / TABLE_FILES["ingest_log"], empty_log),
    )


def load_tables(cfg: ClientConfig) -> Tables:
    """The client's normalised tables, ingesting first when the store is missing or the exports changed.

    Parameters
    ----------
    cfg
        The client.
    """
    ingest_client(cfg)
    return read_tables(cfg.paths.normalised)


__all__ = ["IngestError", "Tables", "get_reader", "ingest_client", "load_tables", "members_from"]
