"""Bad rows of the kinds real exports hold, planted in the demo so that ingest has something to quarantine.

Four rows, one per export family (fewer in a demo too small to hold a row to copy), each of which the
ingest must set aside with a reason that names the file, the row and the field (the report's
"Quarantined rows" appendix). At the default size and seed:

- **X**: in the custom-range Tweet activity file, the oldest tweet's ``time`` cell reads ``#VALUE!``, as
  after a formula typed over it in Excel. The same tweet is in its month's file (September), so no post
  is lost.
- **Facebook**: below the last post of the first half-year file, a copy of the half year's oldest post
  whose day of the month is above 12, pasted back from a Spanish-locale spreadsheet: ``Posted`` reads
  ``15/11/2025 09:26`` (day first, no seconds), which is no US date.
- **Discord**: at the end of the meetup thread file, a copy of its last message merged in from the
  channel's old CSV export, with that exporter's date (``24-Sep-26 10:08 AM``) as ``timestamp``.
- **Discourse**: at the end of the oldest ``/posts.json`` page that holds a member post, a copy of its
  oldest member post that lost its ``created_at`` when pages were merged.

Every planted row is an extra copy of a row that is also exported intact (or, for X, a row whose tweet is
also in another file), so the kept messages and posts, and every planted truth measured on them, are those
of the demo without bad rows. They draw no random numbers: :func:`plan_bad_rows` derives them from the
generated data, :func:`plant_bad_rows` writes them into the files the writers wrote, changing nothing
else, and refuses if a file is not what the plan expected.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from community_health.demo.common import TIMEZONE
from community_health.demo.community import Community
from community_health.demo.jsonout import write_json, write_text
from community_health.demo.writers_discord import thread_file_name, thread_root
from community_health.demo.writers_discourse import PAGE, page_name, spam_posts
from community_health.demo.writers_facebook import HALVES, export_name
from community_health.demo.writers_x import HEADER, custom_range_name, in_custom_range

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FACEBOOK_POSTED = "%m/%d/%Y %I:%M:%S %p"


@dataclass(frozen=True)
class BadRow:
    """One planted bad row, as the ingest must quarantine it.

    Attributes
    ----------
    file
        The export's path relative to the client folder (``exports/x/...``).
    row
        The row as the ingest numbers it: spreadsheet row (header = 1) or 1-based position in the array.
    field
        The field that is wrong.
    got
        What the field holds, or None when it is missing.
    how
        How such a row comes about in real exports.
    """

    file: str
    row: int
    field: str
    got: str | None
    how: str

    @property
    def where(self) -> str:
        """The row as the ingest's reason names it: ``row 37``, or ``message 6`` / ``post 25`` in JSON."""
        label = {"discord": "message", "discourse": "post"}.get(Path(self.file).parts[1], "row")
        return f"{label} {self.row}"


def _local(utc_s: int) -> pd.Timestamp:
    return pd.Timestamp(int(utc_s), unit="s", tz="UTC").tz_convert(TIMEZONE)


def _x_row(x_posts: pd.DataFrame) -> BadRow | None:
    n = int(in_custom_range(x_posts["t"].to_numpy()).sum())
    if n == 0:
        return None
    how = "a formula typed over the cell in Excel; the tweet is also in its month's file"
    return BadRow(f"exports/x/{custom_range_name()}", n + 1, "time", "#VALUE!", how)


def _facebook_row(fb_posts: pd.DataFrame) -> BadRow | None:
    first, last = HALVES[0]
    local = pd.to_datetime(fb_posts["t"], unit="s", utc=True).dt.tz_convert(TIMEZONE)
    day = local.dt.strftime("%Y-%m-%d")
    half = local[((day >= first) & (day <= last)).to_numpy()].sort_values(kind="stable")
    late = half[half.dt.day > 12]
    if late.empty:
        return None
    how = "a copy of a post pasted back below the last row from a Spanish-locale spreadsheet, day first"
    return BadRow(
        f"exports/facebook/{export_name(first, last)}",
        len(half) + 3,
        "Posted",
        late.iloc[0].strftime("%d/%m/%Y %H:%M"),
        how,
    )


def _dce_csv_date(when: datetime) -> str:
    """A date as the 2019 DiscordChatExporter CSV wrote it: ``05-Dec-19 12:31 AM``."""
    return f"{when:%d}-{MONTHS[when.month - 1]}-{when:%y %I:%M %p}"


def _discord_row(community: Community) -> BadRow | None:
    big, thread_id = thread_root(community)
    if not thread_id:
        return None
    m = community.messages
    sel = ((m["thread"] == big) & (m["seq"] > 0)).to_numpy()
    if not sel.any():
        return None
    t = m.loc[sel, "t"].to_numpy(dtype="int64")
    ids = m.loc[sel, "discord_id"].astype("int64").to_numpy()
    last = np.lexsort((ids, t))[-1]
    how = "a copy of the last message merged in from the old CSV export, with that exporter's date"
    return BadRow(
        f"exports/discord/{thread_file_name(thread_id)}",
        int(sel.sum()) + 1,
        "timestamp",
        _dce_csv_date(_local(t[last]).to_pydatetime()),
        how,
    )


def _discourse_row(community: Community) -> BadRow | None:
    m = community.messages[(community.messages["platform"] == "discourse").to_numpy()]
    # Pages list spam (the highest ids) first, then the community's posts newest first, then the welcome
    # post: the oldest page that holds a member post gets the copy of its oldest member post.
    order = np.argsort(-m["post_id"].to_numpy(dtype="int64"), kind="stable")
    member = np.flatnonzero((m["role"] == "member").to_numpy()[order])
    if len(member) == 0:
        return None
    spam = spam_posts(len(m))
    total = spam + len(m) + 1
    page = (spam + int(member[-1])) // PAGE + 1
    how = "a copy of the page's oldest member post that lost its date when pages were merged"
    return BadRow(
        f"exports/discourse/{page_name(page)}",
        min(PAGE, total - PAGE * (page - 1)) + 1,
        "created_at",
        None,
        how,
    )


def plan_bad_rows(community: Community, x_posts: pd.DataFrame, fb_posts: pd.DataFrame) -> tuple[BadRow, ...]:
    """The bad rows of this demo, in export order (X, Facebook, Discord, Discourse), without writing."""
    rows = (_x_row(x_posts), _facebook_row(fb_posts), _discord_row(community), _discourse_row(community))
    return tuple(r for r in rows if r is not None)


# ---------------------------------------------------------------------------------------------------
# Writing them into the exports


class PlantError(RuntimeError):
    """An export is not what the plan of bad rows expected (the writers and the plan are out of step)."""


def _expect(ok: bool, bad: BadRow, what: str) -> None:
    if not ok:
        raise PlantError(f"{bad.file} row {bad.row}: {what}")


def _x_csv(records: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(records)
    return buf.getvalue()


def _plant_x(path: Path, bad: BadRow) -> None:
    """Overwrite the ``time`` cell of the row in place (the rest of the file is written back unchanged)."""
    text = path.read_bytes().decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    _expect(_x_csv(records) == text, bad, "the file does not read back as written")
    _expect(len(records) == bad.row, bad, f"expected the last row, the file has {len(records)} rows")
    records[bad.row - 1][HEADER.index(bad.field)] = str(bad.got)
    write_text(path, _x_csv(records))


def _plant_facebook(path: Path, bad: BadRow) -> None:
    """Append a copy of the oldest post with a day of the month above 12, its ``Posted`` day first."""
    text = path.read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    _expect(len(records) + 1 == bad.row, bad, f"the file has {len(records)} rows, the plan appends one")
    posted = records[0].index(bad.field)
    when = [datetime.strptime(r[posted], FACEBOOK_POSTED) for r in records[2:]]
    late = [k for k, w in enumerate(when) if w.day > 12]  # newest first: the last is the oldest
    _expect(bool(late), bad, "no post with a day of the month above 12")
    source = late[-1]
    _expect(when[source].strftime("%d/%m/%Y %H:%M") == bad.got, bad, "the copied post is not the planned one")
    row = list(records[2 + source])
    row[posted] = str(bad.got)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(row)
    write_text(path, "\ufeff" + text + buf.getvalue())


def _plant_discord(path: Path, bad: BadRow) -> None:
    """Append a copy of the last message with the old CSV exporter's date as ``timestamp``."""
    text = path.read_bytes().decode("utf-8")
    doc = json.loads(text)
    _expect(
        json.dumps(doc, indent=2, ensure_ascii=True) == text, bad, "the file does not read back as written"
    )
    messages = doc["messages"]
    _expect(len(messages) + 1 == bad.row, bad, f"the file has {len(messages)} messages, the plan appends one")
    last = copy.deepcopy(messages[-1])
    when = datetime.fromisoformat(last[bad.field])
    _expect(_dce_csv_date(when) == bad.got, bad, "the copied message is not the planned one")
    last[bad.field] = bad.got
    messages.append(last)
    doc["messageCount"] = len(messages)
    write_text(path, json.dumps(doc, indent=2, ensure_ascii=True))


def _plant_discourse(path: Path, bad: BadRow) -> None:
    """Append a copy of the page's oldest member post without its ``created_at``."""
    text = path.read_bytes().decode("utf-8")
    doc = json.loads(text)
    _expect(json.dumps(doc, ensure_ascii=False) == text, bad, "the file does not read back as written")
    posts = doc["latest_posts"]
    _expect(len(posts) + 1 == bad.row, bad, f"the page has {len(posts)} posts, the plan appends one")
    member = [p for p in posts if p["user_id"] > 0 and not p["staff"] and p["deleted_at"] is None]
    _expect(bool(member), bad, "the page has no member post to copy")
    posts.append({k: v for k, v in member[-1].items() if k != bad.field})
    write_json(path, doc)


PLANTERS: dict[str, Callable[[Path, BadRow], None]] = {
    "x": _plant_x,
    "facebook": _plant_facebook,
    "discord": _plant_discord,
    "discourse": _plant_discourse,
}


def plant_bad_rows(out: Path, rows: tuple[BadRow, ...]) -> None:
    """Write ``rows`` into the exports under the client folder ``out`` that the writers have written.

    Raises
    ------
    PlantError
        When an export is not what the plan expected.
    """
    for bad in rows:
        PLANTERS[Path(bad.file).parts[1]](Path(out) / bad.file, bad)
