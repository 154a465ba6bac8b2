"""Ingest: a client's raw exports in, the normalised tables out, every row accounted for.

The command line (``community-health ingest --client NAME``) and the notebooks call two verbs::

    report = ingest_client(cfg)        # exports -> data/<client>/normalised/*.parquet
    print(report)                      # per export: format, rows read / kept / duplicates / ...
    tables = load_tables(cfg)          # the tables (ingesting first when the exports changed)

How it fits together
--------------------
``units``
    finds the exports under ``exports/`` (any nesting); an unpacked Slack workspace is one export.
``registry``
    each format is registered once, by name, with how to recognise it from content and how to read
    it (:func:`get_reader`, :func:`known_formats`); nothing else names a format.
one module per format
    pure ``parse_*`` functions over bytes (``x_analytics``, ``facebook_insights``, ``slack``,
    ``discord_json``, ``discourse_json``, ``brandwatch``); each module's docstring maps the export's
    fields to the table's columns, ids and threads included.
``envelope``, ``tabular``, ``sheets``, ``jsonrows``
    what every reader shares: UTC dates (the client's zone assumed and reported where a file has
    none), counts (absent is null, never zero), row checks whose reasons name file, row and field.
``pipeline``
    brand and bot marks (``client.yml`` plus the data), deduplication on (platform, id) across
    exports, validation against the schema, members, accounting.
``store``
    the Parquet files, written atomically, and what is remembered so unchanged exports are not read
    again.

Accounting, per export: ``rows_read = kept + duplicates + quarantined + skipped``. Quarantined rows
(bad data) are listed one by one in ``quarantine.parquet``; skipped rows (readable, but not community
content: joins, pins, deleted posts) are counted per reason in the ingest log's ``skipped_reasons``.
"""

from __future__ import annotations

# Importing a reader module registers its format.
from community_health.ingest import (  # noqa: F401
    brandwatch,
    discord_csv,
    discord_json,
    discourse_csv,
    discourse_json,
    facebook_insights,
    facebook_insights_xls,
    facebook_page_level,
    linkedin_content,
    mastodon_outbox,
    meltwater,
    meta_business_suite,
    reddit_jsonl,
    slack,
    sprout_social,
    talkwalker,
    telegram_json,
    whatsapp_txt,
    x_analytics,
    x_archive,
    youtube_studio,
)
from community_health.ingest.envelope import ReadContext, ReadResult, Table
from community_health.ingest.pipeline import IngestError, Tables, ingest_client, load_tables, members_from
from community_health.ingest.registry import (
    Probe,
    Reader,
    UnknownFormatError,
    describe_formats,
    detect,
    get_reader,
    known_formats,
    readers,
)
from community_health.ingest.report import IngestReport

__all__ = [
    "IngestError",
    "IngestReport",
    "Probe",
    "ReadContext",
    "ReadResult",
    "Reader",
    "Table",
    "Tables",
    "UnknownFormatError",
    "describe_formats",
    "detect",
    "get_reader",
    "ingest_client",
    "known_formats",
    "load_tables",
    "members_from",
    "readers",
]
