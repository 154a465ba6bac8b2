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
  name in ``client.yml``, else ``<platform>:<author_id>``. Counting people across platforms is
  ``members.person_id.nunique()``; metrics keyed by (platform, author_id) still count one member per
  platform until they group by ``person_id``.
* Brand and bot marks follow the person: when any account of a person is a brand account or a bot
  (``client.yml`` or the data), all of that person's messages are marked so, on every platform.

Changing ``aliases`` re-combines the tables without parsing any export again.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
from tqdm import tqdm

from community_health.config import ClientConfig, PersonAlias, account_key
from community_health.ingest.envelope import (
    NS_UTC,
    ReadContext,
    ReadResult,
    Table,
    empty_frame,
    empty_quarantine,
    quarantine_frame,
    refused,
)
from community_health.ingest.registry import Probe, Reader, describe_formats, detect, get_reader, readers
from community_health.ingest.report import IngestReport
from community_health.ingest.store import (
    LOG_COLUMNS,
    STORE_VERSION,
    TABLE_FILES,
    Manifest,
    UnitRecord,
    empty_log,
    fingerprint,
    has_result,
    load_result,
    prune_results,
    read_parquet,
    save_result,
    write_parquet,
)
from community_health.ingest.units import ExportUnit, find_units
from community_health.schema import Members, Messages, Posts, columns, empty

Echo = Callable[[str], None]


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
    unit: ExportUnit, stats: list[list[object]], manifest: Manifest, store: Path
) -> UnitRecord | None:
    """The stored record of an export whose content has not changed, or None."""
    old = manifest.units.get(unit.relpath)
    if old is None:
        return None
    sha = old.sha256 if old.stats == stats else unit.sha256()
    if sha != old.sha256:
        return None
    if old.format is not None and not has_result(store, old.key):
        return None
    return old


def unrecognised_message(relpath: str) -> str:
    """The ingest log's error for an export no reader recognises."""
    return (
        f"{relpath} is not in a format this workbook reads, so it was left out (the other exports were "
        f"read). Known formats: {describe_formats()}."
    )


def read_unit(unit: ExportUnit, cfg: ClientConfig) -> tuple[Reader | None, ReadResult | None, str | None]:
    """Recognise one export from its content and read it.

    Returns
    -------
    reader, result, error
        The reader and its result, or (None, None, why) when the export is not recognised.
    """
    try:
        reader = detect(Probe(unit, cfg.column_mappings))
    except OSError as exc:
        return None, None, f"{unit.relpath} could not be opened ({exc.strerror or exc})."
    except Exception as exc:  # a damaged container (zip, workbook) must not stop the other exports
        return None, None, f"{unit.relpath} could not be opened ({type(exc).__name__}: {exc})."
    if reader is None:
        return None, None, unrecognised_message(unit.relpath)
    ctx = ReadContext(unit.relpath, cfg.timezone, dict(cfg.column_mappings.get(reader.name, {})))
    try:
        result = reader.read(unit, ctx)
    except Exception as exc:  # a reader fault must not stop the other exports
        result = refused(
            reader.table,
            f"{unit.relpath} looks like {reader.title} but could not be read "
            f"({type(exc).__name__}: {exc}); nothing was read from it.",
        )
    if not result.balanced():
        raise IngestError(
            f"{unit.relpath}: the {reader.name} reader read {result.rows_read} rows but returned "
            f"{len(result.frame)} kept, {len(result.quarantine)} quarantined and "
            f"{result.skipped_total} skipped"
        )
    return reader, result, None


@dataclass
class _Unit:
    record: UnitRecord
    frame: pd.DataFrame
    quarantine: pd.DataFrame


# ---------------------------------------------------------------------------------------------------
# Combining


def _mark_accounts(frame: pd.DataFrame, cfg: ClientConfig) -> pd.DataFrame:
    """Brand and bot marks from ``client.yml`` added to those the data gave."""
    if frame.empty or not (cfg.brand_accounts or cfg.bot_accounts):
        return frame
    cols = [Messages.platform, Messages.author_id, Messages.author_name]
    authors = frame[cols].drop_duplicates()
    brand = [cfg.is_brand(p, a, n) for p, a, n in authors.itertuples(index=False, name=None)]
    bot = [cfg.is_bot(p, a, n) for p, a, n in authors.itertuples(index=False, name=None)]
    marks = authors.assign(_brand=brand, _bot=bot)
    merged = frame[cols].merge(marks, on=cols, how="left", sort=False)
    out = frame.copy()
    out[Messages.author_is_brand] = out[Messages.author_is_brand].to_numpy() | merged["_brand"].to_numpy(
        dtype=bool
    )
    out[Messages.author_is_bot] = out[Messages.author_is_bot].to_numpy() | merged["_bot"].to_numpy(dtype=bool)
    return out


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


def _validate_rows(frame: pd.DataFrame, model: type) -> tuple[np.ndarray, pd.DataFrame]:
    """Check rows against the table's schema (lazily, every failure at once).

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
    schema = copy.deepcopy(model.to_schema())
    schema.unique = None
    try:
        schema.validate(frame, lazy=True)
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
    units: list[_Unit], table: Table, key: str, model: type, cfg: ClientConfig
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Concatenate one table's rows in path order, mark accounts, validate, and deduplicate.

    Returns
    -------
    frame, per_unit
        The kept rows, and per export index: ``kept``, ``duplicates``, ``invalid`` counts and the
        ``first``/``last`` dates of its rows.
    """
    n_units = len(units)
    parts = [
        u.frame.assign(_unit=i) for i, u in enumerate(units) if u.record.table == table.value and len(u.frame)
    ]
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else empty_frame(table).assign(_unit=pd.Series(dtype="int64"))
    )
    if table is Table.MESSAGES:
        frame = apply_aliases(_mark_accounts(frame, cfg), cfg.aliases)
    unit_of = frame.pop("_unit").to_numpy(dtype=np.int64)
    invalid, invalid_q = _validate_rows(frame, model)
    valid = ~invalid
    dup = np.zeros(len(frame), dtype=bool)
    dup[valid] = frame.loc[valid].duplicated(subset=[Messages.platform, key], keep="first").to_numpy()
    keep = valid & ~dup
    dates = frame[Messages.created_at]
    stats = pd.DataFrame({"u": unit_of[valid], "d": dates[valid].to_numpy()})
    g = stats.groupby("u")["d"]
    first = np.full(n_units, np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    if len(stats):
        mins, maxs = g.min(), g.max()
        first[mins.index.to_numpy()] = mins.dt.tz_convert(None).to_numpy()
        last[maxs.index.to_numpy()] = maxs.dt.tz_convert(None).to_numpy()
    per_unit = {
        "kept": np.bincount(unit_of[keep], minlength=n_units),
        "duplicates": np.bincount(unit_of[dup], minlength=n_units),
        "invalid": np.bincount(unit_of[invalid], minlength=n_units),
        "first": first,
        "last": last,
        "invalid_q": invalid_q,  # type: ignore[dict-item]
    }
    kept = frame.loc[keep].sort_values([Messages.created_at, Messages.platform, key], kind="stable")
    return kept.reset_index(drop=True), per_unit


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
    m = messages.sort_values(Messages.created_at, kind="stable")
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
    out[Members.person_id] = [
        found[0] if (found := lookup.get((p, account_key(a)))) else f"{p}:{a}"
        for p, a in zip(out[Members.platform], out[Members.author_id], strict=True)
    ]
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


def combine(units: list[_Unit], cfg: ClientConfig) -> Tables:
    """The normalised tables and the ingest log from every export's reader result."""
    messages, m_stats = _combine_table(units, Table.MESSAGES, Messages.message_id, Messages, cfg)
    posts, p_stats = _combine_table(units, Table.POSTS, Posts.post_id, Posts, cfg)
    members = members_from(messages, cfg.aliases)
    Members.validate(members, lazy=True)
    quarantine_parts = [u.quarantine for u in units if len(u.quarantine)]
    quarantine_parts += [q for q in (m_stats["invalid_q"], p_stats["invalid_q"]) if len(q)]
    quarantine = pd.concat(quarantine_parts, ignore_index=True) if quarantine_parts else empty_quarantine()

    log_rows = []
    for i, u in enumerate(units):
        r = u.record
        s = m_stats if r.table == Table.MESSAGES.value else p_stats
        kept, dups, invalid = (int(s[k][i]) for k in ("kept", "duplicates", "invalid"))
        quarantined = len(u.quarantine) + invalid
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
    log = log.astype(LOG_COLUMNS)
    return Tables(messages, posts, members, quarantine.reset_index(drop=True), log)


# ---------------------------------------------------------------------------------------------------
# The run


def ingest_client(cfg: ClientConfig, *, progress: bool = False, echo: Echo | None = None) -> IngestReport:
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

    loaded: list[tuple[ExportUnit, UnitRecord]] = []
    parsed: list[str] = []
    results: dict[str, ReadResult] = {}
    touched = False
    for unit in tqdm(units, desc="ingest", unit="export", disable=not progress, leave=False):
        stats = _stats(unit)
        record = _remembered(unit, stats, manifest, store)
        if record is not None and record.stats != stats:
            record.stats = stats  # touched but unchanged: remember the new times, skip hashing next run
            touched = True
        if record is None:
            sha = unit.sha256()
            reader, result, error = read_unit(unit, cfg)
            parsed.append(unit.relpath)
            if reader is None or result is None:
                record = UnitRecord(unit.relpath, sha, stats, "", None, None, None, error=error)
                say(f"{unit.relpath}: not recognised")
            else:
                key = fingerprint(unit.relpath, sha, reader.name, reader.version, settings)
                save_result(store, key, result.frame, result.quarantine)
                record = UnitRecord(
                    unit.relpath,
                    sha,
                    stats,
                    key,
                    reader.name,
                    reader.version,
                    reader.table.value,
                    result.rows_read,
                    result.skipped,
                    result.assumed_timezone,
                    result.error,
                )
                results[key] = result
                say(f"{unit.relpath}: {reader.name}, {result.rows_read} rows")
        loaded.append((unit, record))

    outputs_exist = all((store / f).is_file() for f in TABLE_FILES.values())
    same_units = {u.relpath for u, _ in loaded} == set(manifest.units)
    if not parsed and same_units and manifest.accounts == accounts and outputs_exist:
        if touched:
            manifest.save(store)
        log = read_parquet(store / TABLE_FILES["ingest_log"], empty_log)
        return IngestReport(cfg.name, store, log, parsed=[])

    units_data = []
    for _unit, record in loaded:
        if record.format is None:
            units_data.append(_Unit(record, empty_frame(Table.MESSAGES).iloc[:0], empty_quarantine()))
            continue
        if record.key in results:
            res = results[record.key]
            units_data.append(_Unit(record, res.frame, res.quarantine))
        else:
            table = Table(record.table or Table.MESSAGES.value)
            frame, quarantine = load_result(store, record.key, lambda t=table: empty_frame(t))
            units_data.append(_Unit(record, frame, quarantine))
    tables = combine(units_data, cfg)
    write_tables(tables, store)
    manifest.units = {r.file: r for _, r in loaded}
    manifest.settings, manifest.accounts = settings, accounts
    manifest.save(store)
    prune_results(store, {r.key for _, r in loaded if r.key})
    return IngestReport(cfg.name, store, tables.ingest_log, parsed=parsed)


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
