"""YouTube Studio, Analytics advanced mode export: a zip of ``Table data.csv``, ``Chart data.csv`` and
``Totals.csv`` (or any of the three alone, as unpacked).

Layout (FORMATS.md). ``Table data.csv`` has one row per video; its columns vary with the metrics chosen,
e.g. ``Content, Video title, Video publish time, Duration, Average view duration, Stayed to watch (%),
Average percentage viewed (%), New viewers, Regular viewers, Views, Watch time (hours), Subscribers,
Impressions, Impressions click-through rate (%)``. **The first data row is ``Total``**, the sum of the
rows below it. ``Content`` is the video id, which can start with ``-``; ``Video publish time`` is
``"Oct 2, 2025"`` (date only); ``Duration`` is seconds, ``Average view duration`` ``H:MM:SS``;
percentages carry no ``%``; the subscriber change can be negative. ``Chart data.csv`` is long format
(``Date, Content, Video title, ..., Views``: one row per video per day) and ``Totals.csv`` the channel's
daily totals (``Date, Views``). Files re-saved by a spreadsheet show ``dd-mm-yyyy`` dates and CRLF.

Studio writes the export in the language of its interface: Spanish (``Contenido, Título del vídeo, Hora de
publicación del vídeo, Visualizaciones, ...``, dates ``5 sept 2025``) and German (``Videos, Videotitel,
Veröffentlichungszeitpunkt des Videos, Aufrufe, ...`` in ``Tabellendaten.csv``, ``Diagrammdaten.csv``,
``Gesamtwerte.csv``, dates ``05.09.2025``) headers are read as the English ones
(:data:`LOCALISED_HEADERS`; a client's column mapping takes precedence), their month names as English ones.

Rows of ``Table data.csv`` go to ``posts``:

============  ===================================================================================
post_id       ``Content`` (the video id)
channel       the channel named in the export's name (``Content 2025-09-01_2025-10-01 <channel>``,
              the zip's or the folder's), else ``unknown``: the tables themselves do not name it
created_at    ``Video publish time``, a date: midnight in the client's time zone (reported as assumed)
post_type     ``video``
text, url     ``Video title``; ``https://www.youtube.com/watch?v=<id>``
video_views   ``Views``; impressions: ``Impressions`` (older exports: ``Thumbnail impressions``)
reach         ``Unique viewers``
reactions     ``Likes``; comments: ``Comments added``; shares: ``Shares`` (when chosen)
============  ===================================================================================

Not carried over: durations, rates and percentages, and the subscriber change (no column holds them).

Skipped, counted with their reason: the ``Total`` row; the rows of videos with no ``Video publish time``
(Studio leaves it empty for unlisted and private videos, which still have views, but were never published
on the channel); every row of ``Chart data.csv`` (per-day views of
each video: the videos' rows come from ``Table data.csv``) and of ``Totals.csv`` (the channel's daily
totals, no videos); and every row of a table grouped by something other than the video (``Subscription
status, Views, Watch time (hours), ...``, ``Traffic source, ...``: the channel's figures split that way,
its first row ``Total``). A zip's rows are named ``<zip>/Table data.csv row 3``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from community_health.ingest.envelope import (
    ReadContext,
    ReadResult,
    Table,
    empty_frame,
    empty_quarantine,
    refused,
)
from community_health.ingest.registry import Probe, Reader, register
from community_health.ingest.sheets import SheetRows, load_sheet
from community_health.ingest.tabular import HeaderTest, TableError, decode, locate_header
from community_health.ingest.units import ExportUnit, FileBundle
from community_health.schema import Platform, Posts

NAME = "youtube_studio"
TABLE_FILE, CHART_FILE, TOTALS_FILE = "Table data.csv", "Chart data.csv", "Totals.csv"
# The names a German interface gives the three files.
LOCALISED_FILES = {
    "Tabellendaten.csv": TABLE_FILE,
    "Diagrammdaten.csv": CHART_FILE,
    "Gesamtwerte.csv": TOTALS_FILE,
}
# dd-mm-yyyy is how a file re-saved by a day-first spreadsheet shows it; "%d %b %Y" a Spanish date
# ("5 sept 2025") once its month is translated, "%d.%m.%Y" a German one.
PUBLISH_FORMATS = (
    "%b %d, %Y",
    "%b %d %Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%B %d, %Y",
    "%d-%m-%Y",
    "%d %b %Y",
    "%d.%m.%Y",
)
# Header names of exports made in a Spanish or German interface -> the English ones.
LOCALISED_HEADERS = {
    "Contenido": "Content",
    "Título del vídeo": "Video title",
    "Hora de publicación del vídeo": "Video publish time",
    "Duración": "Duration",
    "Visualizaciones": "Views",
    "Tiempo de visualización (horas)": "Watch time (hours)",
    "Suscriptores": "Subscribers",
    "Ingresos estimados (USD)": "Estimated revenue (USD)",
    "Impresiones": "Impressions",
    "Porcentaje de clics de las impresiones (%)": "Impressions click-through rate (%)",
    "Me gusta": "Likes",
    "Fecha": "Date",
    "Videos": "Content",
    "Videotitel": "Video title",
    "Veröffentlichungszeitpunkt des Videos": "Video publish time",
    "Dauer": "Duration",
    "Aufrufe": "Views",
    "Wiedergabezeit (Stunden)": "Watch time (hours)",
    "Abonnenten": "Subscribers",
    "Impressionen": "Impressions",
    "Klickrate der Impressionen (%)": "Impressions click-through rate (%)",
    "Datum": "Date",
}
# Spanish and German month abbreviations -> English ones (for "%b").
_MONTHS = {
    "ene": "Jan",
    "abr": "Apr",
    "ago": "Aug",
    "sept": "Sep",
    "dic": "Dec",
    "mär": "Mar",
    "märz": "Mar",
    "mai": "May",
    "okt": "Oct",
    "dez": "Dec",
}
_MONTH_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]+)\.?(?![^\W\d_])")
TOTAL_LABELS = frozenset({"Total", "Gesamt"})
PUBLISH_EXPECTED = 'a date like "Oct 2, 2025"'
VIDEO_ID = r"\s*[A-Za-z0-9_-]{6,20}\s*"
# Metric columns only YouTube Studio writes (a Totals.csv is recognised by them, or by its name).
STUDIO_METRICS = frozenset(
    {
        "Watch time (hours)",
        "Average view duration",
        "Average percentage viewed (%)",
        "Impressions click-through rate (%)",
        "Thumbnail click-through rate (%)",
        "Stayed to watch (%)",
        "Subscribers gained",
        "Subscribers lost",
        "Unique viewers",
        "New viewers",
        "Returning viewers",
        "Regular viewers",
        "Casual viewers",
        "Comments added",
        "Estimated revenue (USD)",
    }
)
COMMON_METRICS = frozenset({"Views", "Subscribers", "Impressions", "Likes", "Dislikes", "Shares"})
EXPORT_NAME = re.compile(r"^.+? \d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2} (?P<channel>.+)$")
TOTAL_REASON = "YouTube Studio Total row (the sum of the rows below it, not a video)"
UNPUBLISHED_REASON = (
    "YouTube Studio video with no publish time (not public on the channel, such as an unlisted or private "
    "video): recognised, not counted as a post"
)
CHART_REASON = (
    "YouTube Studio Chart data row (views of one video on one day): recognised, not used; each video's "
    "row comes from Table data.csv"
)
TOTALS_REASON = (
    "YouTube Studio Totals row (the channel's total for one day, not a video): recognised, not used"
)
DIMENSION_REASON = (
    "YouTube Studio row by {dimension} (the channel's figures split by {dimension}, not a video): "
    "recognised, not used"
)
#: The kind of a Studio table grouped by something other than the video (``Subscription status``,
#: ``Traffic source``, ``Geography``, ...): its ``Table data.csv`` and ``Chart data.csv`` hold no videos.
DIMENSION_KIND = "table by dimension"


def is_table_header(cells: Sequence[str]) -> bool:
    """``Table data.csv``: ``Content`` first, with ``Video title`` or ``Video publish time``."""
    return bool(cells) and cells[0] == "Content" and bool({"Video title", "Video publish time"} & set(cells))


def is_chart_header(cells: Sequence[str]) -> bool:
    """``Chart data.csv``: ``Date, Content`` then video columns or metrics."""
    names = set(cells[2:])
    return (
        len(cells) >= 3
        and cells[0] == "Date"
        and cells[1] == "Content"
        and bool(({"Video title", "Video publish time"} | STUDIO_METRICS | COMMON_METRICS) & names)
    )


def is_totals_header(cells: Sequence[str], *, named_totals: bool = False) -> bool:
    """``Totals.csv``: ``Date`` then YouTube Studio metrics only; a Studio-only metric must be among
    them unless the file is named ``Totals.csv`` (``Date, Views`` alone could be anything)."""
    metrics = set(cells[1:])
    return (
        len(cells) >= 2
        and cells[0] == "Date"
        and metrics <= (STUDIO_METRICS | COMMON_METRICS)
        and (named_totals or bool(metrics & STUDIO_METRICS))
    )


def dimension_columns(cells: Sequence[str]) -> list[str]:
    """The leading grouping columns of a Studio table by something other than the video (``Subscription
    status, Views, Watch time (hours), ...``, or with ``Date`` first in its chart), or [] when the header is
    not one: every other column must be a Studio metric, and one of them a metric only Studio writes."""
    known = STUDIO_METRICS | COMMON_METRICS
    if len(cells) < 2 or "Content" in cells[:2]:
        return []
    lead = 2 if cells[0] == "Date" and len(cells) > 2 and cells[1] not in known else 1
    dims, metrics = list(cells[:lead]), set(cells[lead:])
    if not all(d.strip() and d not in known for d in dims) or dims == ["Date"]:
        return []
    return dims if metrics and metrics <= known and metrics & STUDIO_METRICS else []


def is_dimension_header(cells: Sequence[str]) -> bool:
    """A Studio ``Table data.csv`` or ``Chart data.csv`` grouped by something other than the video."""
    return bool(dimension_columns(cells))


def channel_from_name(source: str) -> str | None:
    """The channel a Studio download is named after (``Content 2025-09-01_2025-10-01 Brightbrew``): the
    zip's name, or the folder holding the CSV."""
    path = PurePosixPath(source)
    for name in (path.stem if path.suffix.lower() == ".zip" else path.parent.name, path.stem):
        match = EXPORT_NAME.match(name)
        if match:
            return match.group("channel").strip()
    return None


def studio_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """The column mapping to read an export with: localised headers as English, the client's own first."""
    return {**LOCALISED_HEADERS, **(mapping or {})}


def english_months(values: pd.Series) -> pd.Series:
    """Dates with Spanish or German month abbreviations (``5 sept 2025``, ``3 Okt. 2025``) in English."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(1)
        return _MONTHS.get(word.lower(), word)

    text = values.astype("str")
    foreign = text.str.contains(r"[^\W\d_]", regex=True, na=False) & ~text.str.contains(",", na=False)
    if not foreign.any():
        return values
    out = values.copy()
    out[foreign] = text[foreign].str.replace(_MONTH_WORD, swap, regex=True)
    return out


def publish_dates(rows: SheetRows, timezone: str) -> pd.Series:
    """``Video publish time`` as midnight in ``timezone``, in UTC; rows that hold no date are flagged.

    A file re-saved by a spreadsheet reads ``02-10-2025``, ``02.10.2025`` (day first) or ``02/10/2025``,
    ``10/2/2025`` for ``Oct 2, 2025``: one day/month order for the whole file (see
    :func:`~community_health.ingest.sheets.dates_as_resaved`).
    """
    # Studio writes "Oct 2, 2025"; numeric dates are a spreadsheet's re-save, in the order of its locale
    return rows.dates(
        "Video publish time", PUBLISH_FORMATS, PUBLISH_EXPECTED, local_zone=timezone, prepare=english_months
    )


def parse_table_data(data: bytes, ctx: ReadContext, channel: str | None = None) -> ReadResult:
    """Read ``Table data.csv`` into ``posts`` rows (the ``Total`` row skipped, with its reason).

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path and the client's time zone (publish dates have no time and no zone).
    channel
        The channel's name, when the export's name gives it.
    """
    try:
        table = load_sheet(
            data, is_table_header, ctx.column_mapping, "Content, Video title, Video publish time"
        )
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable YouTube Studio table.")
    rows = SheetRows(table, ctx)
    missing = [c for c in ("Content", "Video publish time") if not rows.has(c)]
    if missing:
        return rows.refuse_missing(
            Table.POSTS, missing, "Content, Video title, Video publish time, Views, ..."
        )
    content = rows.text("Content").str.strip()
    total = content.isin(TOTAL_LABELS).to_numpy(dtype=bool)
    rows.checks.skip(total, TOTAL_REASON)
    publish = rows.text("Video publish time").fillna("").str.strip()
    rows.checks.skip((publish == "").to_numpy(dtype=bool) & ~total, UNPUBLISHED_REASON)
    post_id = rows.matching("Content", VIDEO_ID, "a video id like dQw4w9WgXcQ")
    created = publish_dates(rows, ctx.timezone)
    n = len(rows)
    impressions = "Impressions" if rows.has("Impressions") else "Thumbnail impressions"
    return rows.finish(
        Table.POSTS,
        {
            Posts.post_id: post_id,
            Posts.platform: [Platform.YOUTUBE.value] * n,
            Posts.channel: [channel or "unknown"] * n,
            Posts.created_at: created,
            Posts.post_type: ["video"] * n,
            Posts.text: rows.text("Video title"),
            Posts.url: "https://www.youtube.com/watch?v=" + post_id,
            Posts.impressions: rows.counts(impressions),
            Posts.reach: rows.counts("Unique viewers"),
            Posts.video_views: rows.counts("Views"),
            Posts.reactions: rows.counts("Likes"),
            Posts.comments: rows.counts("Comments added"),
            Posts.shares: rows.counts("Shares"),
        },
    )


def skip_rows(data: bytes, ctx: ReadContext, is_header: HeaderTest, reason: str, what: str) -> ReadResult:
    """Count every row of a Chart data or Totals file as skipped, with ``reason``.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    is_header
        Recognises its header.
    reason
        What the ingest log says of its rows.
    what
        The header expected, for the message when none is found.
    """
    try:
        table = load_sheet(data, is_header, ctx.column_mapping, what)
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable YouTube Studio export.")
    rows = SheetRows(table, ctx)
    rows.checks.skip(np.ones(len(rows), dtype=bool), reason)
    return rows.finish(Table.POSTS, {})


def _named_totals(cells: Sequence[str]) -> bool:
    return is_totals_header(cells, named_totals=True)


def kind_of(data: bytes, name: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """Which of the three tables a CSV holds, from its header (``Totals.csv``'s name helps): the
    file name it is exported as, or None."""
    text = decode(data[: 256 * 1024], strict=False)
    cut = text.rfind("\n")
    head = text[: cut if cut > 0 else len(text)]
    base = PurePosixPath(name).name
    named_totals = LOCALISED_FILES.get(base, base).lower() == TOTALS_FILE.lower()
    tests: list[tuple[str, HeaderTest]] = [
        (TABLE_FILE, is_table_header),
        (CHART_FILE, is_chart_header),
        (TOTALS_FILE, _named_totals if named_totals else is_totals_header),
        (DIMENSION_KIND, is_dimension_header),
    ]
    for kind, test in tests:
        at = locate_header(head, test, mapping)
        if at is not None and at.record == 0:
            return kind
    return None


def parse_youtube_csv(data: bytes, ctx: ReadContext, channel: str | None = None) -> ReadResult:
    """Read one of the three CSVs, whichever it is (recognised from its header).

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path and the client's time zone.
    channel
        The channel's name, when the export's name gives it (else read from ``ctx.source``).
    """
    channel = channel or channel_from_name(ctx.source)
    ctx = ReadContext(ctx.source, ctx.timezone, studio_mapping(ctx.column_mapping))
    kind = kind_of(data, ctx.source, ctx.column_mapping)
    if kind == CHART_FILE:
        return skip_rows(data, ctx, is_chart_header, CHART_REASON, "Date, Content, Video title, Views")
    if kind == TOTALS_FILE:
        return skip_rows(data, ctx, _named_totals, TOTALS_REASON, "Date, Views")
    if kind == DIMENSION_KIND:
        return skip_dimension_rows(data, ctx)
    return parse_table_data(data, ctx, channel)


def skip_dimension_rows(data: bytes, ctx: ReadContext) -> ReadResult:
    """Count every row of a Studio table grouped by something other than the video as skipped.

    Parameters
    ----------
    data
        The file's bytes.
    ctx
        The file's path.
    """
    try:
        table = load_sheet(data, is_dimension_header, ctx.column_mapping, "Traffic source, Views, ...")
    except TableError as exc:
        return refused(Table.POSTS, f"{ctx.source}: {exc}; this is not a readable YouTube Studio export.")
    dimension = dimension_columns([str(c) for c in table.frame.columns])[-1]
    return skip_rows(data, ctx, is_dimension_header, DIMENSION_REASON.format(dimension=dimension), "")


def parse_youtube_zip(files: Mapping[str, bytes], ctx: ReadContext) -> ReadResult:
    """Read a Studio advanced-mode zip: videos from ``Table data.csv``, the other tables' rows skipped.

    Parameters
    ----------
    files
        Path inside the zip -> bytes.
    ctx
        The zip's path (its name may name the channel) and the client's time zone.
    """
    channel = channel_from_name(ctx.source)
    ctx = ReadContext(ctx.source, ctx.timezone, studio_mapping(ctx.column_mapping))
    csvs = sorted(n for n in files if n.lower().endswith(".csv"))
    results = []
    ignored = []
    for name in csvs:
        if kind_of(files[name], name, ctx.column_mapping) is None:
            ignored.append(name)
            continue
        inner = ReadContext(f"{ctx.source}/{name}", ctx.timezone, ctx.column_mapping)
        results.append(parse_youtube_csv(files[name], inner, channel))
    if not results:
        listed = ", ".join(csvs) or "no CSV files"
        return refused(
            Table.POSTS,
            f"{ctx.source} holds {listed} but no Table data.csv, Chart data.csv or Totals.csv with a YouTube "
            "Studio header (Content, Video title, ... or Date, Content, ... or Date, Views): it is not a "
            "YouTube Studio advanced-mode export. Export it again from YouTube Studio (Analytics, Advanced "
            "mode, Export current view, Comma-separated values).",
        )
    frames = [r.frame for r in results if len(r.frame)]
    quarantines = [r.quarantine for r in results if len(r.quarantine)]
    skipped: dict[str, int] = {}
    for r in results:
        for reason, count in r.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + count
    errors = [r.error for r in results if r.error]
    if ignored:
        errors.append(
            f"{ctx.source}: {', '.join(ignored)} has no YouTube Studio header and was not read; the other "
            "tables were."
        )
    assumed = next((r.assumed_timezone for r in results if r.assumed_timezone), None)
    return ReadResult(
        Table.POSTS,
        pd.concat(frames, ignore_index=True) if frames else empty_frame(Table.POSTS),
        pd.concat(quarantines, ignore_index=True) if quarantines else empty_quarantine(),
        sum(r.rows_read for r in results),
        skipped,
        assumed_timezone=assumed,
        error=" ".join(errors) or None,
    )


def _detect(probe: Probe) -> bool:
    if probe.unit.is_folder:
        return False
    if probe.names:
        names = {TABLE_FILE, CHART_FILE, TOTALS_FILE, *LOCALISED_FILES}
        return any(PurePosixPath(n).name in names for n in probe.names)
    if not probe.text or probe.json_head:
        return False
    return kind_of(probe.head, probe.unit.path.name, studio_mapping(probe.mappings.get(NAME))) is not None


def _read(unit: ExportUnit, ctx: ReadContext) -> ReadResult:
    bundle = unit.bundle().members()
    if isinstance(bundle, FileBundle):
        return parse_youtube_csv(bundle.read(), ctx)
    return parse_youtube_zip({n: bundle[n] for n in bundle}, ctx)


READER = register(
    Reader(
        NAME,
        "YouTube Studio advanced-mode export (Table data.csv, Chart data.csv, Totals.csv, or their zip)",
        Table.POSTS,
        _detect,
        _read,
        version=3,  # 2: unpublished videos skipped, tables by dimension; 3: spreadsheet re-saves
    )
)
