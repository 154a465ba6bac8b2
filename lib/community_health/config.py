"""A client's configuration (``data/<client>/client.yml``), report periods, and every path in one place.

Parameters flow one way: ``client.yml`` and the command line -> papermill -> the notebook's parameters
cell -> :func:`load_client` / :class:`Period` -> function arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import yaml

from community_health.schema import Platform

DEFAULT_DATA_DIR = Path("data")
DEFAULT_REPORTS_DIR = Path("reports")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A client's configuration is missing or wrong; the message names the file and the field."""


@dataclass(frozen=True)
class Period:
    """A calendar month of a client's local calendar, written ``2026-10``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Read ``YYYY-MM``; anything else is an error that says what was expected."""
        if isinstance(text, Period):
            return text
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(text).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ConfigError(f"period {text!r} is not a month written as YYYY-MM (for example 2026-10)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, moment: pd.Timestamp, tz: str) -> Period:
        local = pd.Timestamp(moment).tz_convert(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``October 2026``."""
        return date(self.year, self.month, 1).strftime("%B %Y")

    def previous(self, n: int = 1) -> Period:
        index = self.year * 12 + (self.month - 1) - n
        return Period(index // 12, index % 12 + 1)

    def next(self) -> Period:
        return self.previous(-1)

    def start(self, tz: str) -> pd.Timestamp:
        """First instant of the month in the client's time zone, as UTC."""
        return pd.Timestamp(year=self.year, month=self.month, day=1, tz=tz).tz_convert("UTC")

    def end(self, tz: str) -> pd.Timestamp:
        """First instant after the month (exclusive bound), as UTC."""
        return self.next().start(tz)

    @property
    def days(self) -> int:
        return pd.Period(str(self), freq="M").days_in_month


@dataclass(frozen=True)
class BusinessHours:
    """When the brand's team is meant to be present, in the client's time zone."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start: time = time(9, 0)
    end: time = time(18, 0)

    def contains(self, local: pd.Series) -> pd.Series:
        """Whether each local timestamp falls inside business hours."""
        minutes = local.dt.hour * 60 + local.dt.minute
        open_ = self.start.hour * 60 + self.start.minute
        close = self.end.hour * 60 + self.end.minute
        return local.dt.day_of_week.isin(self.days) & (minutes >= open_) & (minutes < close)


@dataclass(frozen=True)
class Branding:
    primary: str = "#1f4e79"
    secondary: str = "#f28e2b"
    accent: str = "#59a14f"
    negative: str = "#c0392b"
    font: str = "Inter, 'Helvetica Neue', Arial, sans-serif"
    logo: Path | None = None
    agency_name: str = ""
    agency_logo: Path | None = None


@dataclass(frozen=True)
class Thresholds:
    response_target_hours: float = 24.0  # share of threads answered within this
    spike_z: float = 3.5  # robust z-score above which a day's negative volume is a spike
    spike_baseline_days: int = 28  # trailing window of the baseline
    spike_min_messages: int = 5  # a spike needs at least this many negative messages
    negative_sentiment: float = -0.05  # VADER compound at or below this is negative
    positive_sentiment: float = 0.05


@dataclass(frozen=True)
class ClientPaths:
    """Every path of one client, derived from the data folder."""

    root: Path

    @property
    def client_yml(self) -> Path:
        return self.root / "client.yml"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def normalised(self) -> Path:
        return self.root / "normalised"

    @property
    def events(self) -> Path:
        return self.root / "events.csv"

    def commentary(self, period: Period | str) -> Path:
        return self.root / "commentary" / f"{period}.md"


@dataclass(frozen=True)
class ClientConfig:
    """Everything ``client.yml`` says about a client, typed."""

    slug: str  # the folder name under data/
    name: str
    timezone: str
    paths: ClientPaths
    brand_accounts: dict[Platform, tuple[str, ...]] = field(default_factory=dict)
    bot_accounts: dict[Platform, tuple[str, ...]] = field(default_factory=dict)
    business_hours: BusinessHours = BusinessHours()
    thresholds: Thresholds = Thresholds()
    branding: Branding = Branding()
    health_weights: dict[str, float] = field(default_factory=dict)
    column_mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    aliases: tuple[PersonAlias, ...] = ()  # one person under several accounts

    def is_brand(self, platform: str, author_id: object, author_name: object = None) -> bool:
        """Whether an author is one of the client's own accounts (matched on id or name, any case)."""
        return _matches(self.brand_accounts, platform, author_id, author_name)

    def is_bot(self, platform: str, author_id: object, author_name: object = None) -> bool:
        """Whether an author is listed as a bot in ``client.yml`` (readers also mark bots from the data)."""
        return _matches(self.bot_accounts, platform, author_id, author_name)


def _matches(table: dict[Platform, tuple[str, ...]], platform: str, *names: object) -> bool:
    accounts = {a.casefold() for a in table.get(Platform(platform), ())}
    return any(isinstance(n, str) and n.casefold().lstrip("@") in accounts for n in names)


def _accounts(raw: Any, where: str) -> dict[Platform, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of platform to a list of accounts")
    out: dict[Platform, tuple[str, ...]] = {}
    for key, value in raw.items():
        try:
            platform = Platform(str(key).lower())
        except ValueError:
            known = ", ".join(p.value for p in Platform)
            raise ConfigError(f"{where}: unknown platform {key!r}; known platforms: {known}") from None
        values = [value] if isinstance(value, str) else list(value or [])
        out[platform] = tuple(str(v).casefold().lstrip("@") for v in values)
    return out


def _time(text: Any, where: str) -> time:
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(f"{where}: expected a time like 09:00, got {text!r}") from None


def _business_hours(raw: Any, where: str) -> BusinessHours:
    if not raw:
        return BusinessHours()
    days = tuple(WEEKDAYS.index(str(d).lower()[:3]) for d in raw.get("days", WEEKDAYS[:5]))
    return BusinessHours(
        days,
        _time(raw.get("start", "09:00"), f"{where}.start"),
        _time(raw.get("end", "18:00"), f"{where}.end"),
    )


@dataclass(frozen=True)
class PersonAlias:
    """One person seen under several accounts, on one platform or several (``aliases`` in ``client.yml``).

    Attributes
    ----------
    person
        The person's id in the workbook (the name given in ``client.yml``).
    accounts
        (platform, author id) of each account, in the order listed: on each platform the first
        account listed that the data holds is the one the others are counted as.
    """

    person: str
    accounts: tuple[tuple[Platform, str], ...]


_PHONE_ID = re.compile(r"\+?[\d\s().\-\u00a0]{7,}")


def account_key(author_id: object) -> str:
    """How an author id is matched against ``aliases``: any case, a leading ``@`` ignored, and a phone
    number by its digits only (``+34 600 12 34 56``, ``+34600123456`` and ``34600123456`` are one)."""
    text = str(author_id).strip()
    if _PHONE_ID.fullmatch(text):
        return re.sub(r"\D", "", text)
    return text.casefold().lstrip("@")


def _alias_accounts(raw: Any, where: str) -> list[tuple[Platform, str]]:
    """The accounts of one person: ``{platform: id or [ids]}``, or a list of those and of
    ``"platform: id"`` strings."""
    entries: list[tuple[Any, Any, str]] = []
    items = raw if isinstance(raw, list) else [raw]
    for i, item in enumerate(items):
        here = f"{where}[{i}]" if isinstance(raw, list) else where
        if isinstance(item, str):
            platform, sep, author = item.partition(":")
            if not sep:
                raise ConfigError(
                    f"{here}: expected an account written platform: author id (like discord: "
                    f"'311111111111111111'), got {item!r}"
                )
            entries.append((platform.strip(), author.strip(), here))
        elif isinstance(item, dict):
            for platform, ids in item.items():
                for author in ids if isinstance(ids, list) else [ids]:
                    entries.append((platform, author, f"{here}.{platform}"))
        else:
            raise ConfigError(f"{here}: expected platform: author id, got {item!r}")
    out = []
    for platform_raw, author, here in entries:
        try:
            platform = Platform(str(platform_raw).strip().lower())
        except ValueError:
            known = ", ".join(p.value for p in Platform)
            raise ConfigError(
                f"{here}: unknown platform {platform_raw!r}; known platforms: {known}"
            ) from None
        if isinstance(author, bool) or not isinstance(author, str | int):
            raise ConfigError(f"{here}: expected an author id (text or a number), got {author!r}")
        text = str(author).strip()
        if not text or not account_key(text):
            raise ConfigError(f"{here}: expected an author id, got nothing")
        out.append((platform, text))
    if not out:
        raise ConfigError(f"{where}: lists no accounts")
    return out


def _aliases(raw: Any, where: str) -> tuple[PersonAlias, ...]:
    """``aliases``: a mapping of each person to their accounts, or a list of groups of accounts (each
    a list, or ``{person: name, accounts: [...]}``)."""
    if raw is None:
        return ()
    groups: list[tuple[str, Any, str]] = []
    if isinstance(raw, dict):
        for person, accounts in raw.items():
            if isinstance(person, bool) or not isinstance(person, str | int) or not str(person).strip():
                raise ConfigError(f"{where}: expected a person's name as key, got {person!r}")
            groups.append((str(person).strip(), accounts, f"{where}.{person}"))
    elif isinstance(raw, list):
        for i, group in enumerate(raw):
            here = f"{where}[{i}]"
            if isinstance(group, dict) and "accounts" in group:
                person = group.get("person")
                if person is not None and (not isinstance(person, str | int) or not str(person).strip()):
                    raise ConfigError(f"{here}.person: expected a person's name, got {person!r}")
                groups.append(
                    (str(person).strip() if person is not None else "", group["accounts"], f"{here}.accounts")
                )
            else:
                groups.append(("", group, here))
    else:
        raise ConfigError(
            f"{where}: expected a mapping of each person to their accounts (ana: {{discord: '3111...', "
            f"whatsapp: '+34600123456'}}) or a list of groups of accounts, got {raw!r}"
        )
    out: list[PersonAlias] = []
    owner: dict[tuple[Platform, str], str] = {}
    for person, accounts, here in groups:
        listed = _alias_accounts(accounts, here)
        name = person or f"{listed[0][0].value}:{listed[0][1]}"
        if any(a.person == name for a in out):
            raise ConfigError(f"{here}: the person {name!r} is listed twice; list all their accounts once")
        for platform, author in listed:
            key = (platform, account_key(author))
            if key in owner and owner[key] != name:
                raise ConfigError(
                    f"{where}: the {platform.value} account {author!r} is listed for both {owner[key]!r} and "
                    f"{name!r}; an account belongs to one person"
                )
            owner[key] = name
        out.append(PersonAlias(name, tuple(dict.fromkeys(listed))))
    return tuple(out)


def load_client(client: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> ClientConfig:
    """Read ``<data_dir>/<client>/client.yml`` into a :class:`ClientConfig`."""
    root = Path(data_dir) / client
    paths = ClientPaths(root)
    where = str(paths.client_yml)
    if not paths.client_yml.is_file():
        known = sorted(p.name for p in Path(data_dir).glob("*/client.yml") for p in [p.parent])
        raise ConfigError(
            f"no client {client!r}: {where} does not exist (clients found: {', '.join(known) or 'none'})"
        )
    try:
        raw = yaml.safe_load(paths.client_yml.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from None
    tz = str(raw.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone {tz!r} is not a known time zone (e.g. Europe/Madrid)") from None
    branding_raw = dict(raw.get("branding") or {})
    for key in ("logo", "agency_logo"):
        if branding_raw.get(key):
            branding_raw[key] = root / branding_raw[key]
    known_thresholds = set(Thresholds.__dataclass_fields__)
    thresholds_raw = dict(raw.get("thresholds") or {})
    unknown = set(thresholds_raw) - known_thresholds
    if unknown:
        raise ConfigError(f"{where}: unknown thresholds {sorted(unknown)}; known: {sorted(known_thresholds)}")
    try:
        branding = Branding(**branding_raw)
    except TypeError as exc:
        raise ConfigError(f"{where}: branding: {exc}") from None
    return ClientConfig(
        slug=client,
        name=str(raw.get("name", client)),
        timezone=tz,
        paths=paths,
        brand_accounts=_accounts(raw.get("brand_accounts"), f"{where}: brand_accounts"),
        bot_accounts=_accounts(raw.get("bot_accounts"), f"{where}: bot_accounts"),
        business_hours=_business_hours(raw.get("business_hours"), f"{where}: business_hours"),
        thresholds=Thresholds(**thresholds_raw),
        branding=branding,
        health_weights={str(k): float(v) for k, v in (raw.get("health_weights") or {}).items()},
        column_mappings={str(k): dict(v) for k, v in (raw.get("column_mappings") or {}).items()},
        aliases=_aliases(raw.get("aliases"), f"{where}: aliases"),
    )


EVENT_COLUMNS = ("name", "kind", "start", "end", "channel", "notes")


def empty_events() -> pd.DataFrame:
    """An events table with no rows (see :func:`read_events`)."""
    return pd.DataFrame(
        {
            "name": pd.Series(dtype="str"),
            "kind": pd.Series(dtype="str"),
            "start": pd.Series(dtype="datetime64[ns, UTC]"),
            "end": pd.Series(dtype="datetime64[ns, UTC]"),
            "channels": pd.Series(dtype="object"),
            "notes": pd.Series(dtype="str"),
            "row": pd.Series(dtype="int64"),
        }
    )


def read_events(path: Path | str, tz: str) -> pd.DataFrame:
    """A client's ``events.csv`` (campaigns, launches, meetups, crises) as a typed table.

    Each row names an event, its ``kind``, its first and last local day (``start``, ``end`` as
    ``YYYY-MM-DD``; an empty end means a one-day event), the channels it concerns (platforms or
    channel names separated by ``;``, empty for all) and free ``notes``.

    Parameters
    ----------
    path
        The CSV file; a missing file means no events.
    tz
        The client's time zone, in which the days are counted.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``kind``, ``start`` (UTC, the first local midnight), ``end`` (UTC, exclusive: the
        local midnight after the last day), ``channels`` (a tuple of lower-case names, empty for
        all), ``notes`` and ``row`` (the data row number in the file, from 1).

    Raises
    ------
    ConfigError
        Naming the file, every bad row and its field, and what was expected.
    """
    path = Path(path)
    if not path.is_file():
        return empty_events()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("name", "start") if c not in raw.columns]
    if missing:
        raise ConfigError(
            f"{path}: missing columns {missing}; expected the columns {', '.join(EVENT_COLUMNS)}"
        )
    for column in EVENT_COLUMNS:
        if column not in raw.columns:
            raw[column] = ""
    problems, rows = [], []
    for number, record in enumerate(raw.to_dict("records"), start=1):
        where = f"{path} row {number}"
        name = record["name"].strip()
        if not name:
            problems.append(f'{where}, field "name": expected the event\'s name, got nothing')
            continue
        try:
            first = date.fromisoformat(record["start"].strip())
        except ValueError:
            problems.append(
                f'{where}, field "start": expected a day like 2026-10-01, got "{record["start"]}"'
            )
            continue
        try:
            last = date.fromisoformat(record["end"].strip()) if record["end"].strip() else first
        except ValueError:
            problems.append(f'{where}, field "end": expected a day like 2026-10-21, got "{record["end"]}"')
            continue
        if last < first:
            problems.append(
                f'{where}, field "end": expected a day on or after {first}, got "{record["end"]}"'
            )
            continue
        channels = tuple(c.strip().casefold() for c in record["channel"].split(";") if c.strip())
        rows.append(
            {
                "name": name,
                "kind": record["kind"].strip(),
                "start": pd.Timestamp(first).tz_localize(tz, nonexistent="shift_forward").tz_convert("UTC"),
                "end": (pd.Timestamp(last) + pd.Timedelta(days=1))
                .tz_localize(tz, nonexistent="shift_forward")
                .tz_convert("UTC"),
                "channels": channels,
                "notes": record["notes"].strip(),
                "row": number,
            }
        )
    if problems:
        raise ConfigError("; ".join(problems))
    if not rows:
        return empty_events()
    out = pd.DataFrame(rows)
    out["start"] = out["start"].astype("datetime64[ns, UTC]")
    out["end"] = out["end"].astype("datetime64[ns, UTC]")
    return out.astype({"name": "str", "kind": "str", "notes": "str", "row": "int64"})
