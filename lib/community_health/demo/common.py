"""Shared constants and helpers of the demo generator: the calendar, time zones, seeded generators."""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np
import pandas as pd

TIMEZONE = "Europe/Madrid"
FIRST_DAY = date(2025, 11, 1)
LAST_DAY = date(2026, 10, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1

# Events of the demo calendar (local dates).
CAMPAIGN = (date(2026, 10, 1), date(2026, 10, 21))
LAUNCH_DAY = date(2026, 6, 10)
MEETUP_DAY = date(2026, 9, 19)
CRISIS = (date(2026, 10, 13), date(2026, 10, 16))
CRISIS_WEEK = date(2026, 10, 12)

# Unix seconds of the local midnights that open and close the demo year.
START_S = int(pd.Timestamp(FIRST_DAY).tz_localize(TIMEZONE).timestamp())
END_S = int(pd.Timestamp(LAST_DAY + (date(2000, 1, 2) - date(2000, 1, 1))).tz_localize(TIMEZONE).timestamp())


def rng_for(seed: int, part: str) -> np.random.Generator:
    """Return the generator of one part of the demo, independent of the order parts are drawn in."""
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def day_index(d: date) -> int:
    """Return the index of a local calendar day in the demo year (0 = 2025-11-01)."""
    return (d - FIRST_DAY).days


def local_naive_to_utc_s(local_s: np.ndarray) -> np.ndarray:
    """Turn seconds of local wall-clock time (since 1970-01-01 local) into Unix seconds (UTC).

    Wall-clock times that do not exist (the spring gap) move forward; repeated ones (autumn) read as the
    later, standard-time instant.
    """
    idx = pd.DatetimeIndex(np.asarray(local_s, dtype="int64").astype("datetime64[s]"))
    aware = idx.tz_localize(TIMEZONE, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="shift_forward")
    return (aware.as_unit("s").asi8).astype("int64")


def utc_s_to_local_naive(utc_s: np.ndarray) -> np.ndarray:
    """Turn Unix seconds into seconds of local wall-clock time (since 1970-01-01 local)."""
    idx = pd.DatetimeIndex(np.asarray(utc_s, dtype="int64").astype("datetime64[s]")).tz_localize("UTC")
    return idx.tz_convert(TIMEZONE).tz_localize(None).as_unit("s").asi8.astype("int64")


def local_parts(utc_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (local day index in the demo year, local hour, weekday with Monday = 0) of Unix seconds."""
    loc = utc_s_to_local_naive(utc_s)
    days_since_epoch = loc // 86400
    hour = (loc % 86400) // 3600
    weekday = (days_since_epoch + 3) % 7  # 1970-01-01 was a Thursday
    first = (FIRST_DAY - date(1970, 1, 1)).days
    return days_since_epoch - first, hour, weekday


def day_start_local_s(day: np.ndarray) -> np.ndarray:
    """Return local-wall-clock seconds of the midnight opening demo day ``day``."""
    first = (FIRST_DAY - date(1970, 1, 1)).days
    return (np.asarray(day, dtype="int64") + first) * 86400


def iso_utc(utc_s: np.ndarray) -> np.ndarray:
    """Return ``YYYY-MM-DDTHH:MM:SS`` strings (UTC) of Unix seconds."""
    return np.datetime_as_string(np.asarray(utc_s, dtype="int64").astype("datetime64[s]"), unit="s")


def iso_local(utc_s: np.ndarray) -> np.ndarray:
    """Return ``YYYY-MM-DDTHH:MM:SS`` strings in the client's local time of Unix seconds."""
    return np.datetime_as_string(utc_s_to_local_naive(utc_s).astype("datetime64[s]"), unit="s")
