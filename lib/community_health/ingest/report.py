"""What an ingest run tells a person: per export, the format recognised, rows read / kept / duplicates /
quarantined / skipped, the date range, and the time zone assumed where the export had none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


def _day(value: object, timezone: str | None = None) -> str:
    """The day of a stored (UTC) date, in ``timezone`` when given: an export dated by the day only is
    read as midnight in the client's zone, and shows the day written in it."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    try:
        stamp = pd.Timestamp(value)
        if timezone and stamp.tzinfo is not None:
            stamp = stamp.tz_convert(timezone)
        return stamp.strftime("%Y-%m-%d")
    except (ValueError, TypeError, KeyError):
        return ""


#: Ends the error of an export no reader recognises, before the list of the formats there are.
KNOWN_FORMATS = "Known formats:"


def _count(value: object) -> str:
    return "" if value is None or value is pd.NA else str(int(value))  # type: ignore[call-overload]


@dataclass
class IngestReport:
    """The outcome of one ingest run.

    Attributes
    ----------
    client
        The client's name.
    store
        The folder the tables were written to.
    files
        The ingest log: one row per export (see ``community_health.ingest.store.LOG_COLUMNS``).
    parsed
        The exports read in this run (the others were unchanged and not read again).
    read_seconds
        The seconds the readers took in this run, per format (added up over the processes that read).
    timezone
        The client's time zone: the days an export's rows span are printed in it (UTC when None).
    """

    client: str
    store: Path
    files: pd.DataFrame
    parsed: list[str] = field(default_factory=list)
    read_seconds: dict[str, float] = field(default_factory=dict)
    timezone: str | None = None

    @property
    def unrecognised(self) -> pd.DataFrame:
        """Exports no reader recognised."""
        return self.files[self.files["format"].isna()]

    @property
    def errors(self) -> pd.DataFrame:
        """Exports with an error (refused, partly read, or not recognised)."""
        return self.files[self.files["error"].notna()]

    @property
    def balanced(self) -> bool:
        """Whether every export's rows add up: read = kept + duplicates + quarantined + skipped."""
        f = self.files
        return bool((f["rows_read"] == f["kept"] + f["duplicates"] + f["quarantined"] + f["skipped"]).all())

    def __str__(self) -> str:
        f = self.files
        header = (
            f"Ingested {len(f)} export(s) for {self.client} into {self.store}: "
            f"{len(self.parsed)} read in this run, {len(f) - len(self.parsed)} unchanged."
            f" Days (from, to) in {self.timezone or 'UTC'}."
        )
        if f.empty:
            return header + "\nNo exports found."
        table = pd.DataFrame(
            {
                "file": f["file"],
                "format": f["format"].fillna("not recognised"),
                "read": f["rows_read"].map(_count),
                "kept": f["kept"].map(_count),
                "dup": f["duplicates"].map(_count),
                "quar": f["quarantined"].map(_count),
                "skip": f["skipped"].map(_count),
                "from": f["first_date"].map(lambda d: _day(d, self.timezone)),
                "to": f["last_date"].map(lambda d: _day(d, self.timezone)),
                "zone assumed": f["assumed_timezone"].fillna("-"),
            }
        )
        lines = [header, table.to_string(index=False)]
        totals = f[["rows_read", "kept", "duplicates", "quarantined", "skipped"]].sum()
        lines.append(
            f"Total: {totals['rows_read']} rows read, {totals['kept']} kept, {totals['duplicates']} "
            f"duplicates, {totals['quarantined']} quarantined, {totals['skipped']} skipped."
        )
        skipped = f[f["skipped_reasons"].notna()]
        if len(skipped):
            lines.append("Skipped (not community content):")
            lines += [f"  {r.file}: {r.skipped_reasons}" for r in skipped.itertuples()]
        if len(self.errors):
            # the list of known formats that ends each "not recognised" error is printed once, below
            errors = [str(e).split(KNOWN_FORMATS, 1) for e in self.errors["error"]]
            lines.append("Problems and notes:")
            lines += [f"  {e[0].rstrip()}" for e in errors]
            known = next((e[1] for e in errors if len(e) > 1), None)
            if known is not None:
                lines.append(f"{KNOWN_FORMATS} {known.strip()}")
        if f["quarantined"].sum():
            lines.append(f"Quarantined rows and their reasons: {self.store / 'quarantine.parquet'}")
        return "\n".join(lines)
