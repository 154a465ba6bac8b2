"""Community readers against quirks of real downloads: early iOS WhatsApp transcripts, iOS notices with
curly apostrophes or without their marks, Pushshift dumps that write every value as text or mark removed
posts only in ``removed_by_category``, Mastodon archives packed as ``.tar.gz``, Discourse posts withdrawn
by their author and single-post pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from community_health.ingest import Probe, ReadContext, detect
from community_health.ingest.discourse_csv import parse_discourse_csv
from community_health.ingest.discourse_json import LISTED_ONLY, parse_discourse_json
from community_health.ingest.mastodon_outbox import SKIP_BOOST
from community_health.ingest.reddit_jsonl import parse_reddit_jsonl
from community_health.ingest.units import ExportUnit
from community_health.ingest.whatsapp_txt import (
    SKIP_ENCRYPTION,
    SKIP_MEMBERSHIP,
    SKIP_SETTINGS,
    message_body,
    parse_whatsapp_txt,
)
from community_health.schema import Messages
from test_ingest_conversation_readers import FIXTURES, MADRID, assert_balanced, read, utc

M = Messages
DELETED_POST = "Discourse post deleted by its author or a moderator"


def detected(relpath: str) -> str | None:
    reader = detect(Probe(ExportUnit(FIXTURES / relpath, f"exports/{relpath}")))
    return None if reader is None else reader.name


# --------------------------------------------------------------------------------------------------
# WhatsApp


def test_whatsapp_ios_2014_transcript_without_brackets_is_recognised_and_read():
    fixture = "whatsapp/whatsapp_ios_2014_no_brackets_colon.txt"
    assert detected(fixture) == "whatsapp_txt"
    result = read(parse_whatsapp_txt, fixture)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (4, 4, 0)
    m = result.frame.set_index(M.source_row)
    assert m.loc[1, M.author_name] == "Ana López" and m.loc[1, M.text] == "Is the Guji still in stock?"
    assert m.loc[1, M.created_at] == utc("2014-03-24 12:59:59")  # "3/24/14" settles month first; CET
    assert m.loc[2, M.author_name] == "Brightbrew"
    assert m.loc[2, M.text] == "Yes: two bags left.\nShall I keep one for you?"
    assert m.loc[4, M.author_id] == "+34600123456" and pd.isna(m.loc[4, M.text])  # image omitted
    assert m.loc[5, M.created_at] == utc("2014-03-25 08:00:00")
    assert result.error is None


def test_whatsapp_ios_group_notices_with_curly_apostrophes_are_skipped():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ios_curly_apostrophe_group_notices.txt")
    assert_balanced(result)
    assert result.skipped == {SKIP_ENCRYPTION: 1, SKIP_SETTINGS: 3, SKIP_MEMBERSHIP: 2}
    assert list(result.frame[M.author_name]) == ["Boris", "Lena"]
    assert list(result.frame[M.text]) == ["Welcome! Grinder questions here\nplease", "Thanks Boris"]
    assert set(result.frame[M.channel]) == {"Brightbrew Club"}


def test_whatsapp_ios_encryption_notice_without_its_mark_is_not_a_message():
    result = read(parse_whatsapp_txt, "whatsapp/whatsapp_ios_encryption_notice_without_marks.txt")
    assert_balanced(result)
    assert result.skipped == {SKIP_ENCRYPTION: 1}
    m = result.frame.set_index(M.source_row)
    assert list(m.index) == [2, 3, 4]
    assert m.loc[4, M.text].endswith("Is it end-to-end encrypted if I send the tracking here?")  # a member's
    assert set(result.frame[M.channel]) == {"Danita"}  # the contact who names the notice


def test_whatsapp_attachment_placeholder_with_spaces_inside_the_brackets_leaves_no_text():
    assert message_body("< attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg >") is None
    assert message_body("<attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg>\nlook") == "look"


# --------------------------------------------------------------------------------------------------
# Reddit


def test_reddit_pushshift_2023_lines_with_every_value_as_text_keep_their_scores():
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_2023_stringified_values.jsonl")
    assert_balanced(result)
    assert (result.rows_read, len(result.frame), len(result.quarantine)) == (3, 3, 0)
    m = result.frame.set_index(M.message_id)
    assert m.loc["t3_110swd4", M.reactions] == 17 and m.loc["t3_110swd4", M.comments] == 2
    assert m.loc["t3_110swd4", M.kind] == "post"
    assert m.loc["t1_j8bhf0f", M.reactions] == 4 and m.loc["t1_j8bhf0f", M.kind] == "comment"
    assert pd.isna(m.loc["t1_j8bhq2a", M.reactions])  # a net score below zero is not a count
    assert m.loc["t1_j8bhq2a", M.parent_id] == "t1_j8bhf0f" and m.loc["t1_j8bhq2a", M.kind] == "reply"
    assert m.loc["t1_j8bhf0f", M.created_at] == utc("2023-02-13 02:05:06")


def test_reddit_pushshift_posts_gone_by_removed_by_category_are_skipped_with_who_removed_them():
    result = read(parse_reddit_jsonl, "reddit/reddit_pushshift_removed_by_category.jsonl")
    assert_balanced(result)
    assert result.skipped == {"Reddit post removed by a moderator": 1, "Reddit post deleted by its author": 1}
    assert list(result.frame[M.message_id]) == ["t3_yit9bb"]
    assert result.frame[M.text].iloc[0] == "Brightbrew Guji\n\nWorth it?"


# --------------------------------------------------------------------------------------------------
# Mastodon


def test_mastodon_archive_tar_gz_from_before_4_1_is_recognised_and_read_with_its_actor(tmp_path: Path):
    fixture = "mastodon/mastodon_archive_tar_gz_before_4_1.tar.gz"
    assert detected(fixture) == "mastodon_outbox"
    from community_health.ingest.mastodon_outbox import READER

    unit = ExportUnit(FIXTURES / fixture, "exports/archive-20190505080000-0a1b2c.tar.gz")
    result = READER.read(unit, ReadContext("exports/archive-20190505080000-0a1b2c.tar.gz", MADRID, {}))
    assert_balanced(result)
    assert (result.rows_read, len(result.frame)) == (4, 3)
    assert result.skipped == {SKIP_BOOST: 1}
    m = result.frame.set_index(M.message_id)
    root = "https://mastodon.social/users/brightbrew/statuses/100"
    answer = "https://mastodon.social/users/brightbrew/statuses/101"
    assert m.loc[answer, M.parent_id] == root and m.loc[answer, M.thread_id] == root
    assert m.loc[answer, M.kind] == "comment" and m.loc[root, M.kind] == "post"
    assert set(result.frame[M.author_name]) == {"Brightbrew Coffee"}  # from actor.json in the tarball
    assert set(result.frame[M.author_id]) == {"brightbrew@mastodon.social"}
    assert m.loc[root, M.created_at] == utc("2019-05-02 08:00:00")


def test_a_gzip_file_that_is_not_a_mastodon_archive_is_not_taken_for_one(tmp_path: Path):
    import gzip

    other = tmp_path / "backup.tar.gz"
    other.write_bytes(gzip.compress(b"not a tarball at all"))
    assert detect(Probe(ExportUnit(other, "exports/backup.tar.gz"))) is None


# --------------------------------------------------------------------------------------------------
# Discourse


def test_discourse_post_withdrawn_by_its_author_is_skipped_though_deleted_at_is_null():
    result = read(parse_discourse_json, "discourse/discourse_post_withdrawn_by_author.json")
    assert_balanced(result)
    assert result.skipped == {DELETED_POST: 1}
    assert list(result.frame[M.message_id]) == ["410/1", "410/3"]
    m = result.frame.set_index(M.message_id)
    assert m.loc["410/3", M.parent_id] == "410/1" and m.loc["410/3", M.kind] == "comment"
    assert m.loc["410/1", M.reactions] == 2 and m.loc["410/3", M.reactions] == 0
    assert set(result.frame[M.channel]) == {"5"}  # the topic's category


def test_discourse_csv_user_deleted_column_skips_withdrawn_posts():
    result = read(parse_discourse_csv, "discourse/discourse_csv_user_deleted_column.csv")
    assert_balanced(result)
    assert result.skipped == {DELETED_POST: 1}
    assert list(result.frame[M.message_id]) == ["410/1", "410/3"]


def test_discourse_single_post_object_is_recognised_and_read_like_the_same_post_in_a_topic_page():
    fixture = "discourse/discourse_single_post_object.json"
    assert detected(fixture) == "discourse_json"
    result = read(parse_discourse_json, fixture)
    assert_balanced(result)
    assert (result.rows_read, len(result.frame)) == (1, 1)
    post = result.frame.iloc[0]
    assert post[M.message_id] == "410/3" and post[M.thread_id] == "410/1" and post[M.parent_id] == "410/1"
    assert post[M.text] == "A conical burr one." and post[M.reactions] == 1
    assert post[M.created_at] == utc("2020-07-07 19:26:02.481")
    topic = read(parse_discourse_json, "discourse/discourse_post_withdrawn_by_author.json")
    same = topic.frame.set_index(M.message_id).loc["410/3"]
    assert (same[M.author_id], same[M.created_at]) == (post[M.author_id], post[M.created_at])


def test_discourse_array_of_post_objects_is_read_as_its_posts():
    import json

    doc = json.loads((FIXTURES / "discourse/discourse_single_post_object.json").read_text())
    first = {**doc, "id": 7001, "post_number": 1, "reply_to_post_number": None, "username": "ana"}
    data = json.dumps([first, doc]).encode()
    result = parse_discourse_json(data, ReadContext("exports/posts.json", MADRID, {}))
    assert_balanced(result)
    assert list(result.frame[M.message_id]) == ["410/1", "410/3"]


def test_discourse_topic_list_is_recognised_and_its_topics_skipped_with_where_the_posts_are() -> None:
    """/latest.json lists topics (titles, counts, posters) but no post: recognised as Discourse, so the
    file is not "not recognised", and every topic is accounted for as skipped with a reason that says
    which pages hold the posts; nothing is invented as a post."""
    relpath = "discourse/discourse_latest_topic_list.json"
    assert detected(relpath) == "discourse_json"
    got = read(parse_discourse_json, relpath)
    assert got.rows_read == 3 and got.frame.empty and got.quarantine.empty
    assert got.skipped == {LISTED_ONLY: 3} and "/t/{id}.json" in LISTED_ONLY
    assert got.balanced
