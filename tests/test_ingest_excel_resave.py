"""An export opened in Excel and saved again, the way Excel really saves it in a given locale, reads back to
the rows of the original: same ids, same dates (to the minute, to the second when the re-save keeps
seconds), same counts (absent stays absent, 0 stays 0), same text, and every row accounted for.

What Excel does to a CSV it opened and saves again (modelled below from the original's cells):

- "CSV (comma delimited)" writes the locale's list separator (``;`` in de-DE, fr-FR, es-ES, pt-BR, it-IT,
  nl-NL) in the ANSI code page (cp1252: characters outside it become ``?``) with CRLF; "CSV UTF-8" the
  same in UTF-8 with a byte-order mark; "Unicode Text" UTF-16 LE with a byte-order mark and tabs.
- Numbers take the locale's decimal mark (``0,0345``); whole numbers written as floats lose their
  fraction (``424.0`` -> ``424``); leading zeros go; numbers read with thousands separators keep them in
  the locale's way (``12.345``, ``12 345``); percentages are written as read (``4,9%``) or as fractions.
- Numbers of twelve digits or more are shown, and saved, in exponent notation (``8,12041E+17``): the id
  is lost, unless the column was imported as text.
- Dates and times Excel recognised are written in the locale's short date and time (``23.12.2016 18:50``,
  ``12/23/2016 6:50 PM``, ``23-12-2016 18:50``), usually without seconds.
- ``-`` and empty cells stay; fields are quoted only where they need it (or, by other spreadsheets,
  everywhere); a field holding a line break keeps it (LF) inside quotes.

Where the re-save destroyed an id, the row must be quarantined or fall back to another id (never keep a
wrong one). Where a whole file's dates read both as day/month and month/day, the reader follows its
documented rule and says so in its note.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_health.ingest import Probe, ReadContext, detect
from community_health.ingest.brandwatch import parse_brandwatch
from community_health.ingest.discord_csv import parse_discord_csv
from community_health.ingest.discourse_csv import parse_discourse_csv
from community_health.ingest.facebook_insights import parse_facebook_insights_posts
from community_health.ingest.meltwater import parse_meltwater
from community_health.ingest.meta_business_suite import parse_meta_business_suite
from community_health.ingest.sprout_social import parse_sprout_social, parse_sprout_social_posts
from community_health.ingest.tabular import decode
from community_health.ingest.talkwalker import parse_talkwalker
from community_health.ingest.units import ExportUnit
from community_health.ingest.x_analytics import parse_x_analytics
from community_health.ingest.youtube_studio import parse_youtube_csv
from community_health.schema import Messages, Posts
from test_ingest_properties import assert_adds_up

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"

#: Fixture -> (reader, separator of the original).
EXPORTS = {
    "x_analytics/x_analytics_promoted_dash.csv": (parse_x_analytics, ","),
    "x_analytics/x_analytics_multiline_emoji.csv": (parse_x_analytics, ","),
    "facebook/facebook_insights_description_row.csv": (parse_facebook_insights_posts, ","),
    "facebook/facebook_insights_video_posts_repeated_headers.csv": (parse_facebook_insights_posts, ","),
    "meta_business_suite/meta_business_suite_instagram_content.csv": (parse_meta_business_suite, ","),
    "meta_business_suite/meta_business_suite_facebook_variable_columns.csv": (parse_meta_business_suite, ","),
    "meta_business_suite/meta_business_suite_facebook_title_description_engagement_total.csv": (
        parse_meta_business_suite,
        ",",
    ),
    "youtube/youtube_table_data_total_row.csv": (parse_youtube_csv, ","),
    "youtube/youtube_table_data_dash_id_negative_subscribers.csv": (parse_youtube_csv, ","),
    "brandwatch/brandwatch_preamble_lines.csv": (parse_brandwatch, ","),
    "brandwatch/brandwatch_x_followers_after_renaming.csv": (parse_brandwatch, ","),
    "talkwalker/talkwalker_dotted_columns.csv": (parse_talkwalker, ","),
    "meltwater/meltwater_utf16_tabs.csv": (parse_meltwater, "\t"),
    "meltwater/meltwater_quoted_tweet_ids.csv": (parse_meltwater, "\t"),
    "meltwater/meltwater_explore_author_handle_title_reposts.csv": (parse_meltwater, "\t"),
    "sprout_social/sprout_thousands_separators_percent.csv": (parse_sprout_social, ","),
    "sprout_social/sprout_post_performance_brand_posts.csv": (parse_sprout_social_posts, ","),
    "discord/discord_csv_current_comma.csv": (parse_discord_csv, ","),
    "discord/discord_csv_2019_semicolon.csv": (parse_discord_csv, ";"),
    "discourse/discourse_csv_data_explorer_utc_without_zone.csv": (parse_discourse_csv, ","),
    "discourse/discourse_csv_user_deleted_column.csv": (parse_discourse_csv, ","),
}


@dataclass(frozen=True)
class Locale:
    """How Excel in one locale writes a CSV: list separator, decimal mark, thousands separator (ANSI and
    Unicode saves), short date (from day, month, year) and the client time zone usual there."""

    name: str
    sep: str
    decimal: str
    thousands: str
    thousands_unicode: str
    date: str
    zone: str
    twelve_hour: bool = False
    percent_space: str = ""


LOCALES = {
    "en-US": Locale("en-US", ",", ".", ",", ",", "{m}/{d}/{Y}", "America/New_York", twelve_hour=True),
    "en-GB": Locale("en-GB", ",", ".", ",", ",", "{d:02}/{m:02}/{Y}", "Europe/London"),
    "de-DE": Locale("de-DE", ";", ",", ".", ".", "{d:02}.{m:02}.{Y}", "Europe/Berlin"),
    "fr-FR": Locale(
        "fr-FR", ";", ",", "\u00a0", "\u202f", "{d:02}/{m:02}/{Y}", "Europe/Paris", percent_space="\u00a0"
    ),
    "es-ES": Locale("es-ES", ";", ",", ".", ".", "{d}/{m}/{Y}", "Europe/Madrid"),
    "pt-BR": Locale("pt-BR", ";", ",", ".", ".", "{d:02}/{m:02}/{Y}", "America/Sao_Paulo"),
    "it-IT": Locale("it-IT", ";", ",", ".", ".", "{d:02}/{m:02}/{Y}", "Europe/Rome"),
    "nl-NL": Locale("nl-NL", ";", ",", ".", ".", "{d}-{m}-{Y}", "Europe/Amsterdam"),
}
SAVES = ("CSV (comma delimited)", "CSV UTF-8", "Unicode Text", "CSV (Macintosh)")
#: The code page of the saves that are not Unicode (characters outside it are written ``?``).
CODE_PAGE = {"CSV (comma delimited)": "cp1252", "CSV (Macintosh)": "mac_roman"}


@dataclass(frozen=True)
class Quirks:
    """Which of Excel's habits a re-save shows."""

    locale: Locale
    save: str
    keep_seconds: bool  # the cell's format kept seconds
    am_pm: bool  # en-US: 6:50 PM rather than 18:50
    ids_as_text: bool  # long numbers imported as text (every digit kept)
    exponent_digits: int  # decimals of the mantissa of a long number Excel shows in exponent notation
    percent_as_fraction: bool
    offset_dates_recognised: bool  # "2016-12-23 18:50 +0000" taken as a date (its zone dropped)
    quote_all: bool  # every field quoted (as other spreadsheets do), else only where needed
    pad_rows: bool  # every row padded with separators to the widest row, else cut after its last value

    @property
    def unicode(self) -> bool:
        return self.save not in CODE_PAGE


quirks = st.builds(
    Quirks,
    locale=st.sampled_from(list(LOCALES.values())),
    save=st.sampled_from(SAVES),
    keep_seconds=st.booleans(),
    am_pm=st.booleans(),
    ids_as_text=st.booleans(),
    exponent_digits=st.integers(min_value=1, max_value=5),
    percent_as_fraction=st.booleans(),
    offset_dates_recognised=st.booleans(),
    quote_all=st.booleans(),
    pad_rows=st.booleans(),
)

# ---------------------------------------------------------------------------------------------------
# What Excel recognises in a cell of the original (written in US or ISO conventions)

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, start=1)}
_INT = re.compile(r"-?\d+(?:\.0+)?")
_DEC = re.compile(r"-?\d+\.\d+")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PERCENT = re.compile(r"-?\d+(?:\.\d+)?%")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_X_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) \+0000")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp][Mm]))?)?")
_MONTH_DAY = re.compile(r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4})")
_DAY_MONTH = re.compile(r"(\d{1,2})-([A-Z][a-z]{2})-(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?: ?([AP]M))?)?")


@dataclass(frozen=True)
class When:
    moment: datetime
    has_time: bool
    has_seconds: bool


def _hour(hour: str | None, ampm: str | None) -> int:
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm.lower().startswith("p") else 0)
    return h


def recognised_date(cell: str, q: Quirks) -> When | None:
    """The date and time Excel takes a cell for, or None."""
    if m := _ISO.fullmatch(cell):
        y, mo, d, hh, mm, ss = m.groups()
        return When(
            datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0)),
            hh is not None,
            ss is not None,
        )
    if q.offset_dates_recognised and (m := _X_TIME.fullmatch(cell)):
        y, mo, d, hh, mm = m.groups()
        return When(datetime(int(y), int(mo), int(d), int(hh), int(mm)), True, False)
    if m := _US.fullmatch(cell):
        mo, d, y, hh, mm, ss, ap = m.groups()
        return When(
            datetime(int(y), int(mo), int(d), _hour(hh, ap), int(mm or 0), int(ss or 0)),
            hh is not None,
            ss is not None,
        )
    if m := _MONTH_DAY.fullmatch(cell):
        mon, d, y = m.groups()
        if mon in MONTHS:
            return When(datetime(int(y), MONTHS[mon], int(d)), False, False)
    if m := _DAY_MONTH.fullmatch(cell):
        d, mon, y, hh, mm, ap = m.groups()
        if mon in MONTHS:
            year = int(y) + (2000 if len(y) == 2 else 0)
            return When(
                datetime(year, MONTHS[mon], int(d), _hour(hh, ap), int(mm or 0)), hh is not None, False
            )
    return None


def write_date(when: When, q: Quirks) -> str:
    t = when.moment
    out = q.locale.date.format(d=t.day, m=t.month, Y=t.year)
    if not when.has_time:
        return out
    seconds = when.has_seconds and q.keep_seconds
    if q.locale.twelve_hour and q.am_pm:
        clock = f"{(t.hour % 12) or 12}:{t.minute:02}" + (f":{t.second:02}" if seconds else "")
        return f"{out} {clock} {'PM' if t.hour >= 12 else 'AM'}"
    hour = f"{t.hour}" if q.locale.name in ("en-US", "nl-NL") else f"{t.hour:02}"
    return f"{out} {hour}:{t.minute:02}" + (f":{t.second:02}" if seconds else "")


def exponent(digits: str, q: Quirks) -> str:
    """A long whole number as Excel's General format shows it: ``8.12041E+17`` (trailing zeros dropped)."""
    mantissa, power = f"{Decimal(digits):.{q.exponent_digits}E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa.replace('.', q.locale.decimal)}E+{int(power):02}"


def grouped(number: str, q: Quirks) -> str:
    whole, _, fraction = number.lstrip("-").partition(".")
    groups = f"{int(whole):,}".replace(",", q.locale.thousands_unicode if q.unicode else q.locale.thousands)
    sign = "-" if number.startswith("-") else ""
    return sign + groups + (q.locale.decimal + fraction if fraction else "")


def resaved_cell(cell: str, q: Quirks) -> tuple[str, bool]:
    """The cell as Excel writes it back, and whether it lost an id (a long number in exponent notation)."""
    if cell == "" or cell.strip() != cell:
        return cell, False
    if _INT.fullmatch(cell):
        whole = cell.split(".")[0]
        digits = whole.lstrip("-").lstrip("0") or "0"
        if len(digits) >= 12:
            return (cell, False) if q.ids_as_text else (exponent(digits, q), True)
        return ("-" if whole.startswith("-") and digits != "0" else "") + digits, False
    if _DEC.fullmatch(cell):
        if len(cell.replace("-", "").replace(".", "").lstrip("0")) > 15:
            return cell, False
        text = cell.rstrip("0").rstrip(".") if "." in cell else cell
        return text.replace(".", q.locale.decimal), False
    if _THOUSANDS.fullmatch(cell):
        return grouped(cell.replace(",", ""), q), False
    if _PERCENT.fullmatch(cell):
        number = Decimal(cell[:-1])
        if q.percent_as_fraction:
            return format((number / 100).normalize(), "f").replace(".", q.locale.decimal), False
        return cell[:-1].replace(".", q.locale.decimal) + q.locale.percent_space + "%", False
    try:
        when = recognised_date(cell, q)
    except ValueError:  # no such day: Excel keeps the text
        when = None
    if when is not None:
        return write_date(when, q), False
    return cell, False


@dataclass
class Resaved:
    data: bytes
    lost_rows: set[int]  # spreadsheet rows (1-based) where a long number went to exponent notation
    sep: str
    settled: bool  # a date of the file reads only one way (its day is above 12)


def resave(original: bytes, sep: str, q: Quirks) -> Resaved:
    """The bytes Excel writes when the export, opened as it should be, is saved again."""
    text = decode(original)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = max(len(r) for r in records)
    out_sep = "\t" if q.save == "Unicode Text" else q.locale.sep
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=out_sep,
        quotechar='"',
        lineterminator="\r\n",
        quoting=csv.QUOTE_ALL if q.quote_all else csv.QUOTE_MINIMAL,
    )
    lost: set[int] = set()
    settled = False
    for number, record in enumerate(records, start=1):
        cells = []
        for cell in record:
            try:
                when = recognised_date(cell, q)
            except ValueError:
                when = None
            settled = settled or (when is not None and when.moment.day > 12)
            new, gone = resaved_cell(cell, q)
            cells.append(new)
            if gone:
                lost.add(number)
        if q.pad_rows:
            cells += [""] * (width - len(cells))
        else:
            while len(cells) > 1 and cells[-1] == "":
                cells.pop()
        if not any(cells):
            buffer.write(out_sep * (len(cells) - 1) + "\r\n")
        else:
            writer.writerow(cells)
    body = buffer.getvalue()
    if q.save == "CSV (Macintosh)":  # Excel for Mac: a carriage return alone ends a line, Mac Roman
        data = body.replace("\r\n", "\r").encode("mac_roman", errors="replace")
    elif q.save == "CSV (comma delimited)":
        data = body.encode("cp1252", errors="replace")
    elif q.save == "CSV UTF-8":
        data = codecs.BOM_UTF8 + body.encode("utf-8")
    else:
        data = codecs.BOM_UTF16_LE + body.encode("utf-16-le")
    return Resaved(data, lost, out_sep, settled)


# ---------------------------------------------------------------------------------------------------
# Reading back

COUNT_COLUMNS = (
    Posts.impressions,
    Posts.reach,
    Posts.engagements,
    Posts.reactions,
    Posts.comments,
    Posts.shares,
    Posts.clicks,
    Posts.video_views,
    Messages.author_followers,
)


def _as_saved(value: object, q: Quirks) -> object:
    """Text as the save's encoding keeps it (the ANSI code page writes ``?`` for what it lacks)."""
    if not isinstance(value, str) or q.unicode:
        return value
    return value.encode(CODE_PAGE[q.save], errors="replace").decode(CODE_PAGE[q.save])


def _id_column(frame: pd.DataFrame) -> str:
    return Posts.post_id if Posts.post_id in frame.columns else Messages.message_id


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return a == b


#: Exports whose own dates are written month first (10/03/2025 14:05), which their readers assume when
#: no date in the file settles the order.
MONTH_FIRST_EXPORTS = {
    rel
    for rel, (parse, _) in EXPORTS.items()
    if parse in (parse_facebook_insights_posts, parse_meta_business_suite, parse_sprout_social_posts)
}


def swap_day_month(moment: pd.Timestamp, zone: str) -> pd.Timestamp:
    """The instant read with day and month swapped in ``zone``'s local time."""
    local = moment.tz_convert(zone).tz_localize(None)
    swapped = local.replace(month=local.day, day=local.month)
    return swapped.tz_localize(zone, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC")


def assert_reads_back(rel: str, q: Quirks) -> None:
    parse, sep = EXPORTS[rel]
    original = (FIXTURES / rel).read_bytes()
    saved = resave(original, sep, q)
    ctx = ReadContext(f"exports/{Path(rel).name}", q.locale.zone)
    before = parse(original, ctx)
    after = parse(saved.data, ctx)
    assert after.error is None or "read both" in after.error, after.error
    assert_adds_up(after, ctx.source)
    assert after.rows_read == before.rows_read
    assert after.skipped == before.skipped
    id_col = _id_column(before.frame)
    old = before.frame.set_index(Messages.source_row)
    new = after.frame.set_index(Messages.source_row)
    quarantined = set(after.quarantine["row"].tolist())
    assert set(new.index) <= set(old.index), "a row the original could not use is kept after the re-save"
    # The export's own order is month first (documented): a file whose dates all read both ways keeps it,
    # even when a day-first spreadsheet wrote them (03/10/2025 for the 3rd of October).
    swapped = (
        rel in MONTH_FIRST_EXPORTS
        and q.locale.date.startswith("{d")
        and "/" in q.locale.date
        and not saved.settled
    )
    swapped_note = after.error is not None and "read both" in after.error
    for row, was in old.iterrows():
        lost = row in saved.lost_rows
        if row not in new.index:
            assert lost and row in quarantined, (
                f"row {row} was kept from the original but not from the re-save: "
                f"{after.quarantine.loc[after.quarantine['row'] == row, 'reason'].tolist()}"
            )
            continue
        now = new.loc[row]
        text_kept = _same(_as_saved(was[Messages.text], q), was[Messages.text])
        if lost and now[id_col] != was[id_col]:
            assert "E+" not in now[id_col] and not re.search(r"\d0{6,}$", now[id_col]), now[id_col]
        elif text_kept or "discord" not in rel:
            assert now[id_col] == was[id_col]
        assert _same(now[Messages.text], _as_saved(was[Messages.text], q))
        assert _same(now[Messages.url], _as_saved(was[Messages.url], q))
        for column in COUNT_COLUMNS:
            if column in old.columns:
                assert _same(now[column], was[column]), (column, now[column], was[column])
        expected = was[Messages.created_at].floor("s" if q.keep_seconds else "min")
        if swapped:
            expected = swap_day_month(expected, q.locale.zone)
        got = now[Messages.created_at]
        if got.floor("min") != expected.floor("min") and swapped_note:
            continue  # the file's dates read both ways and the reader said which it chose
        assert got.floor("min") == expected.floor("min"), (row, got, expected)
        if q.keep_seconds:
            assert got.floor("s") == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rel=st.sampled_from(sorted(EXPORTS)), q=quirks)
def test_export_resaved_by_excel_reads_back_the_same_rows(rel, q):
    assert_reads_back(rel, q)


@pytest.mark.parametrize("rel", sorted(EXPORTS))
@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_export_resaved_in_every_locale_reads_back(rel, locale):
    q = Quirks(
        LOCALES[locale],
        "CSV (comma delimited)",
        keep_seconds=False,
        am_pm=False,
        ids_as_text=False,
        exponent_digits=5,
        percent_as_fraction=False,
        offset_dates_recognised=True,
        quote_all=False,
        pad_rows=False,
    )
    assert_reads_back(rel, q)


@pytest.mark.parametrize("rel", sorted(EXPORTS))
def test_every_export_saved_by_excel_for_mac_is_recognised_and_reads_back(rel, tmp_path):
    """Excel for Mac's "CSV (Macintosh)": a carriage return alone ends each line (a line feed breaks a
    line inside a cell) and the characters are Mac Roman. Recognised as the export it was, and read
    back the same, accented names included."""
    q = Quirks(
        LOCALES["en-US"],
        "CSV (Macintosh)",
        keep_seconds=True,
        am_pm=True,
        ids_as_text=True,
        exponent_digits=5,
        percent_as_fraction=False,
        offset_dates_recognised=False,
        quote_all=False,
        pad_rows=False,
    )
    assert_reads_back(rel, q)
    saved = tmp_path / Path(rel).name
    saved.write_bytes(resave((FIXTURES / rel).read_bytes(), EXPORTS[rel][1], q).data)
    original = detect(Probe(ExportUnit(FIXTURES / rel, f"exports/{Path(rel).name}")))
    assert original is not None
    assert detect(Probe(ExportUnit(saved, f"exports/{saved.name}"))) is original


# ---------------------------------------------------------------------------------------------------
# Re-saved exports, one quirk each


def _read(parse, rel: str, zone: str):
    result = parse((FIXTURES / rel).read_bytes(), ReadContext(f"exports/{Path(rel).name}", zone))
    assert_adds_up(result, f"exports/{Path(rel).name}")
    return result


def test_brandwatch_resaved_in_german_keeps_counts_and_falls_back_from_an_exponent_id_to_the_link():
    result = _read(
        parse_brandwatch,
        "brandwatch/brandwatch_resaved_de_semicolons_exponent_ids_dotted_thousands.csv",
        BERLIN,
    )
    first = result.frame.iloc[0]
    # "1,84568E+18" (a rounded Resource Id, decimal comma) is no id: the X status number of the link is
    assert first[Messages.message_id] == "1845678901234567890"
    assert first[Messages.created_at] == pd.Timestamp("2026-10-13 12:22", tz="UTC")  # 13.10.2026 14:22
    # 12.345, 12.000, 25.100, 1.203: thousands, not decimals (12.000 is not 12)
    assert (first[Messages.author_followers], first[Messages.reach], first[Messages.impressions]) == (
        12345,
        12000,
        25100,
    )
    assert first[Messages.reactions] == 1203


def test_sprout_post_ids_saved_in_exponent_notation_are_quarantined_with_the_reason():
    result = _read(
        parse_sprout_social_posts,
        "sprout_social/sprout_post_performance_resaved_en_gb_exponent_post_ids.csv",
        "Europe/London",
    )
    assert result.frame[Posts.post_id].tolist() == ["104857600000000_1234567890123456"]
    assert result.frame[Posts.created_at].iloc[0] == pd.Timestamp("2026-10-13 09:00", tz="UTC")  # 13/10/2026
    assert len(result.quarantine) == 2
    assert all("exponent notation" in r and "id is lost" in r for r in result.quarantine["reason"])


def test_x_analytics_resaved_in_german_reads_short_dates_as_utc():
    result = _read(
        parse_x_analytics,
        "x_analytics/x_analytics_resaved_de_semicolons_short_dates_decimal_commas.csv",
        BERLIN,
    )
    assert result.quarantine.empty and len(result.frame) == 3
    assert result.frame[Posts.created_at].iloc[1] == pd.Timestamp("2016-12-23 18:50", tz="UTC")
    assert result.assumed_timezone == "UTC"  # the "+0000" went with the re-save: said, not hidden


def test_youtube_publish_dates_resaved_month_first_by_a_us_spreadsheet():
    result = _read(parse_youtube_csv, "youtube/youtube_table_data_resaved_en_us_slash_dates.csv", NEW_YORK)
    assert result.quarantine.empty and result.skipped_total == 1  # the Total row
    assert result.frame[Posts.created_at].tolist() == [
        pd.Timestamp(d, tz=NEW_YORK).tz_convert("UTC") for d in ("2025-10-02", "2025-09-18", "2025-10-09")
    ]


def test_meltwater_day_with_dots_takes_its_time_from_the_time_column():
    result = _read(
        parse_meltwater, "meltwater/meltwater_explore_resaved_de_dotted_day_with_time_column.csv", BERLIN
    )
    assert result.quarantine.empty
    assert result.frame[Messages.created_at].iloc[0] == pd.Timestamp("2026-10-13 12:22", tz="UTC")  # 14:22


def test_discourse_dates_resaved_day_first_follow_the_client_and_say_so_when_nothing_settles_them():
    rel = "discourse/discourse_csv_resaved_fr_semicolons_short_dates.csv"
    paris = _read(parse_discourse_csv, rel, "Europe/Paris")
    assert paris.frame[Messages.created_at].iloc[0] == pd.Timestamp(
        "2024-04-01 12:00", tz="UTC"
    )  # 01/04/2024
    assert "read both" in paris.error and "day first" in paris.error
    new_york = _read(parse_discourse_csv, rel, NEW_YORK)
    assert "month first" in new_york.error  # the other convention, and the note says so


def test_a_numeric_date_in_a_year_no_timestamp_can_hold_is_quarantined_not_a_crash():
    text = "published,url,content,source_type\n22/09/7011 11:10,https://example.com/a,hi,ONLINENEWS\n"
    result = parse_talkwalker(text.encode(), ReadContext("exports/tw.csv", BERLIN))
    assert (result.rows_read, len(result.quarantine)) == (1, 1)
