"""Properties of the post-level analytics readers that hold for any input: reading never raises, every row
read is kept, quarantined or skipped, and generated exports read back exactly. Extends
``test_ingest_properties.py`` (its ``mutate`` damage and ``assert_adds_up`` check) to the new readers."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_health.config import load_client
from community_health.ingest import ReadContext, ingest_client, load_tables
from community_health.ingest.facebook_insights_xls import parse_facebook_insights_xls
from community_health.ingest.facebook_page_level import parse_facebook_insights_page_daily
from community_health.ingest.linkedin_content import parse_linkedin_content
from community_health.ingest.meta_business_suite import parse_meta_business_suite
from community_health.ingest.units import ZipBundle
from community_health.ingest.workbooks import read_workbook
from community_health.ingest.x_archive import parse_x_archive, parse_x_archive_zip
from community_health.ingest.youtube_studio import parse_youtube_csv, parse_youtube_zip
from community_health.schema import Messages, Posts
from test_ingest_properties import assert_adds_up, mutate, mutation

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"

PARSERS = {
    "x_archive/x_archive_tweets_js_prefix.js": parse_x_archive,
    "x_archive/x_archive_tweet_js_2020_semicolon.js": parse_x_archive,
    "x_archive/x_archive_edit_info_versions.js": parse_x_archive,
    "x_archive/x_archive_unwrapped_tweets.js": parse_x_archive,
    "facebook/facebook_insights_page_daily_cp1252.csv": parse_facebook_insights_page_daily,
    "facebook/facebook_insights_spreadsheetml.xls": parse_facebook_insights_xls,
    "facebook/facebook_insights_spreadsheetml_page_level.xls": parse_facebook_insights_xls,
    "meta_business_suite/meta_business_suite_instagram_content.csv": parse_meta_business_suite,
    "meta_business_suite/meta_business_suite_facebook_variable_columns.csv": parse_meta_business_suite,
    "linkedin/linkedin_content_notes_rows.xlsx": parse_linkedin_content,
    "linkedin/linkedin_content_biff.xls": parse_linkedin_content,
    "youtube/youtube_table_data_total_row.csv": parse_youtube_csv,
    "youtube/youtube_table_data_resaved_ddmmyyyy_crlf.csv": parse_youtube_csv,
    "youtube/youtube_chart_data_long_format.csv": parse_youtube_csv,
}
ALL_PARSERS = sorted(set(PARSERS.values()), key=lambda f: f.__name__)


def _zip_members(rel: str) -> dict[str, bytes]:
    bundle = ZipBundle.from_bytes((FIXTURES / rel).read_bytes())
    return {n: bundle[n] for n in bundle}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rel=st.sampled_from(sorted(PARSERS)),
    mutations=st.lists(mutation, min_size=1, max_size=4),
    other=st.sampled_from(ALL_PARSERS),
)
def test_mutated_post_exports_never_raise_and_add_up(rel, mutations, other):
    data = mutate((FIXTURES / rel).read_bytes(), mutations)
    ctx = ReadContext("exports/mutated", "Europe/Madrid")
    assert_adds_up(PARSERS[rel](data, ctx), "exports/mutated")
    assert_adds_up(other(data, ctx), "exports/mutated")  # a reader fed another format's bytes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    member=st.sampled_from(["Table data.csv", "Chart data.csv", "Totals.csv"]),
    mutations=st.lists(mutation, min_size=1, max_size=3),
)
def test_mutated_youtube_zip_members_never_raise_and_add_up(member, mutations):
    files = _zip_members("youtube/youtube_studio_advanced_zip.zip")
    files[member] = mutate(files[member], mutations)
    assert_adds_up(parse_youtube_zip(files, ReadContext("exports/yt.zip", "Europe/Madrid")), "exports/yt.zip")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(["data/tweets.js", "data/tweets-part1.js", "data/account.js"]),
    mutations=st.lists(mutation, min_size=1, max_size=3),
)
def test_mutated_x_archive_zip_parts_never_raise_and_add_up(which, mutations):
    files = {
        "data/account.js": b'window.YTD.account.part0 = [{"account": {"username": "brightbrew"}}]',
        "data/tweets.js": (FIXTURES / "x_archive/x_archive_tweets_js_prefix.js").read_bytes(),
        "data/tweets-part1.js": (FIXTURES / "x_archive/x_archive_edit_info_versions.js")
        .read_bytes()
        .replace(b".part0 =", b".part1 ="),
    }
    files[which] = mutate(files[which], mutations)
    result = parse_x_archive_zip(files, ReadContext("exports/x.zip"))
    assert_adds_up(result, "exports/x.zip")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    damage=st.lists(
        st.tuples(
            st.sampled_from([*sorted(PARSERS), "youtube/youtube_studio_advanced_zip.zip"]),
            st.lists(mutation, min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_ingest_of_damaged_and_overlapping_post_exports_never_raises_and_every_file_adds_up(damage):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "client"
        (root / "exports").mkdir(parents=True)
        shutil.copy(DEMO_YML, root / "client.yml")
        for i, (rel, mutations) in enumerate(damage):
            target = root / "exports" / f"{i}_{Path(rel).name}"
            target.write_bytes(mutate((FIXTURES / rel).read_bytes(), mutations))
            shutil.copy(FIXTURES / rel, root / "exports" / f"clean_{i}_{Path(rel).name}")  # overlaps it
        cfg = load_client("client", tmp)
        report = ingest_client(cfg)
        log = report.files
        assert report.balanced
        assert len(log) == 2 * len(damage)
        tables = load_tables(cfg)
        units = log["file"].tolist()
        # a zip's rows are named <zip>/<member>: they belong to the zip
        owner = tables.quarantine["file"].map(
            lambda f: next((u for u in units if f == u or f.startswith(u + "/")), f)
        )
        per_file = owner.value_counts().reindex(units, fill_value=0)
        assert per_file.tolist() == log["quarantined"].tolist()
        assert log["kept"].sum() == len(tables.messages) + len(tables.posts)
        assert ingest_client(cfg).parsed == []


# --------------------------------------------------------------------------------------------------
# Generated inputs

text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r"), min_size=1, max_size=60)
count = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


@settings(max_examples=40, deadline=None)
@given(
    tweets=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**19),
            text,
            st.datetimes(
                min_value=pd.Timestamp("2008-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2030-01-01").to_pydatetime(),
            ),
            st.integers(min_value=0, max_value=10**7),
            st.integers(min_value=0, max_value=10**7),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: t[0],
    ),
    semicolon=st.booleans(),
    wrapped=st.booleans(),
)
def test_generated_tweets_js_reads_back_exactly(tweets, semicolon, wrapped):
    elements = []
    for tid, body, when, likes, retweets, _ in tweets:
        escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        tweet = {
            "id_str": str(tid),
            "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "full_text": escaped,
            "favorite_count": str(likes),
            "retweet_count": str(retweets),
        }
        elements.append({"tweet": tweet} if wrapped else tweet)
    data = f"window.YTD.tweets.part0 = {json.dumps(elements, indent=2)}{';' if semicolon else ''}"
    result = parse_x_archive(data.encode(), ReadContext("exports/tweets.js"))
    assert result.rows_read == len(tweets) and result.quarantine.empty
    retweets_in = sum(body.startswith("RT @") for _, body, *_ in tweets)
    assert result.skipped_total == retweets_in
    messages = result.frame.set_index(Messages.message_id)
    for tid, body, when, likes, retweets, _ in tweets:
        if body.startswith("RT @"):
            continue
        row = messages.loc[str(tid)]
        assert row[Messages.text] == body  # entities decoded back to what was written
        assert row[Messages.created_at] == pd.Timestamp(when.replace(microsecond=0), tz="UTC")
        assert (row[Messages.reactions], row[Messages.shares]) == (likes, retweets)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**18),
            text,
            st.datetimes(
                min_value=pd.Timestamp("2015-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2030-01-01").to_pydatetime(),
            ),
            st.lists(count, min_size=5, max_size=5),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda r: r[0],
    ),
    columns=st.permutations(["Impressions", "Reach", "Likes", "Comments", "Shares"]),
    drop=st.integers(min_value=0, max_value=4),
)
def test_generated_meta_business_suite_files_with_any_column_order_read_back_exactly(rows, columns, drop):
    kept_columns = list(columns)[: 5 - drop]
    header = ["Post ID", "Account username", "Description", "Publish time", "Permalink", *kept_columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    names = ["Impressions", "Reach", "Likes", "Comments", "Shares"]
    for pid, body, when, counts in rows:
        values = dict(zip(names, counts, strict=True))
        writer.writerow(
            [
                str(pid),
                "brightbrew",
                body,
                when.strftime("%m/%d/%Y %H:%M"),
                f"https://www.instagram.com/p/{pid}/",
                *("" if values[c] is None else str(values[c]) for c in kept_columns),
            ]
        )
    result = parse_meta_business_suite(buf.getvalue().encode(), ReadContext("exports/ig.csv", "UTC"))
    assert result.rows_read == len(rows) == len(result.frame) and result.quarantine.empty
    posts = result.frame.set_index(Posts.post_id)
    fields = {"Impressions": Posts.impressions, "Reach": Posts.reach, "Likes": Posts.reactions}
    fields |= {"Comments": Posts.comments, "Shares": Posts.shares}
    for pid, _body, when, counts in rows:
        post = posts.loc[str(pid)]
        assert post[Posts.created_at] == pd.Timestamp(when.replace(second=0, microsecond=0), tz="UTC")
        for name, value in zip(names, counts, strict=True):
            got = post[fields[name]]
            if name not in kept_columns or value is None:
                assert pd.isna(got)  # a column not exported, or an empty cell: absent, not zero
            else:
                assert got == value


cell = st.one_of(st.just(""), st.text(alphabet="abcxyz 0123456789", min_size=1, max_size=8))


@settings(max_examples=60, deadline=None)
@given(table=st.lists(st.lists(cell, min_size=1, max_size=6), min_size=1, max_size=8))
def test_spreadsheetml_with_left_out_cells_reads_the_same_rows(table):
    """Excel leaves empty cells and rows out and numbers the next one with ss:Index: same rows either way."""
    rows_xml = []
    for r, row in enumerate(table, start=1):
        if not any(row):
            continue
        cells = []
        gap = False
        for c, value in enumerate(row, start=1):
            if value == "":
                gap = True
                continue
            at = f' ss:Index="{c}"' if gap else ""
            cells.append(f'<Cell{at}><Data ss:Type="String">{value}</Data></Cell>')
            gap = False
        rows_xml.append(f'<Row ss:Index="{r}">{"".join(cells)}</Row>')
    xml = (
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>'
        + "".join(rows_xml)
        + "</Table></Worksheet></Workbook>"
    )
    records = read_workbook(xml.encode()).sheets[0].records
    last = max((i for i, row in enumerate(table) if any(row)), default=-1)
    expected = [_trimmed(row) for row in table[: last + 1]]
    assert [_trimmed(r) for r in records] == expected


def _trimmed(row: list[str]) -> list[str]:
    out = list(row)
    while out and out[-1] == "":
        out.pop()
    return out


def test_a_zip_of_post_exports_inside_another_format_is_not_mistaken(tmp_path: Path):
    """A zip holding neither tweets.js nor Studio tables is left to the other readers, not refused here."""
    target = tmp_path / "misc.zip"
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("notes.txt", "hello")
    from community_health.ingest import Probe, detect
    from community_health.ingest.units import ExportUnit

    assert detect(Probe(ExportUnit(target, "exports/misc.zip"))) is None
