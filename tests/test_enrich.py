"""Enrichment: sentiment, questions and complaints, scored once and stored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from community_health import enrich
from community_health.schema import Enrichment
from test_metrics_helpers import message, messages_frame


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where is my order?", True),
        ("How do I reset my password", True),  # a question word, no question mark
        ("Is there a way to export my data", True),
        ("Hi all, anyone know when the shop reopens", True),  # a support phrase
        ("¿Tenéis envíos a Canarias", True),
        ("Can you help me with my account", True),
        ("Do not buy this, it broke in a week", False),  # "do" that is not a question
        ("When I opened the box it was empty", False),  # "when" that is not a question
        ("Loved the event yesterday", False),
        ("", False),
        (None, False),
    ],
)
def test_is_question(text: str | None, expected: bool) -> None:
    assert enrich.is_question(text) is expected


def test_a_complaint_is_negative_and_uses_complaint_vocabulary() -> None:
    assert enrich.is_complaint("The box arrived broken", -0.4)
    assert not enrich.is_complaint("Thanks for the quick refund", 0.6)  # complaint word, positive message
    assert not enrich.is_complaint("I hate Mondays", -0.6)  # negative, but not about the service
    assert not enrich.is_complaint(None, -0.9)


def test_some_complaints_do_not_depend_on_the_sentiment_model() -> None:
    # VADER scores this +0.43: "never" negates "terrible". It is a complaint all the same.
    text = "My order never arrived. Terrible, I want a refund."
    sentiments, _, complaints = enrich.score_texts([text])
    assert sentiments[0] > 0
    assert complaints == [True]


def test_score_texts_uses_vader_compound_scores() -> None:
    sentiments, questions, complaints = enrich.score_texts(
        [
            "I love this brand, the new flavour is amazing!",
            "Worst service ever. The app is broken and I was overcharged.",
            "How do I change my address?",
            None,
            "   ",
        ]
    )
    assert sentiments[0] > 0.5
    assert sentiments[1] < -0.5
    assert all(-1.0 <= s <= 1.0 for s in sentiments)
    assert sentiments[3:] == [0.0, 0.0]  # missing and blank text score 0.0 ...
    assert questions == [False, False, True, False, False]  # ... and are not questions
    assert complaints == [False, True, False, False, False]


@pytest.fixture
def messages() -> pd.DataFrame:
    return messages_frame(
        [
            message("1", "ana", 1, text="Thank you so much, great support!"),
            message("2", "ben", 2, text="My order never arrived. Terrible, I want a refund."),
            message("3", "cat", 3, text="Is the shop open on Sunday?"),
            message("4", "dan", 4, text=None),
            message(
                "1", "eve", 5, text="Sad to see the summer end.", platform="x"
            ),  # same id, other platform: another message
        ]
    )


def test_enrich_messages_gives_one_valid_row_per_message_in_order(messages: pd.DataFrame) -> None:
    result = enrich.enrich_messages(messages)
    Enrichment.validate(result)
    assert list(zip(result["platform"], result["message_id"], strict=True)) == list(
        zip(messages["platform"], messages["message_id"], strict=True)
    )
    assert result["is_question"].tolist() == [False, False, True, False, False]
    assert result["is_complaint"].tolist() == [False, True, False, False, False]
    assert result["sentiment"].iloc[3] == 0.0


def test_only_new_messages_are_scored_and_the_store_grows(
    messages: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[int] = []
    real = enrich.score_texts

    def counting(texts):  # type: ignore[no-untyped-def]
        scored.append(len(texts))
        return real(texts)

    monkeypatch.setattr(enrich, "score_texts", counting)
    store = tmp_path / "normalised" / "enrichment.parquet"
    first = enrich.enrich_messages(messages.iloc[:3], store=store)
    assert scored == [3]
    second = enrich.enrich_messages(messages, store=store)
    assert scored == [3, 2]  # only the two messages not stored yet
    pd.testing.assert_frame_equal(second.iloc[:3], first)
    enrich.enrich_messages(messages, store=store)
    assert scored == [3, 2]  # everything stored: nothing scored
    assert len(enrich.read_enrichment(store)) == 5
    assert [p.name for p in store.parent.iterdir()] == ["enrichment.parquet"]  # no partial files left


@pytest.mark.parametrize("order", [[4, 3, 2, 1, 0], [1, 0, 3], [0, 1, 2, 3, 4]])
def test_the_stored_scores_follow_the_messages_in_any_order(
    messages: pd.DataFrame, tmp_path: Path, order: list[int]
) -> None:
    """Scores come back in the order of the messages asked for, reordered, a subset or the same, and
    stay the same scores however often the store is read and rewritten."""
    store = tmp_path / "enrichment.parquet"
    everything = enrich.enrich_messages(messages, store=store).set_index(["platform", "message_id"])
    asked = messages.iloc[order].reset_index(drop=True)
    for _ in range(2):  # the second call reads the store as the first one left it
        result = enrich.enrich_messages(asked, store=store)
        Enrichment.validate(result)
        assert list(zip(result["platform"], result["message_id"], strict=True)) == list(
            zip(asked["platform"], asked["message_id"], strict=True)
        )
        expected = everything.loc[list(zip(asked["platform"], asked["message_id"], strict=True))]
        assert result["sentiment"].tolist() == expected["sentiment"].tolist()
        assert result["is_complaint"].tolist() == expected["is_complaint"].tolist()
    assert len(enrich.read_enrichment(store)) == 5, "scores of messages not asked for are kept"


def test_a_failed_write_leaves_the_previous_store_intact(
    messages: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "enrichment.parquet"
    enrich.enrich_messages(messages.iloc[:2], store=store)
    before = store.read_bytes()

    def disk_full(self, path, **kwargs):  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"half a file")
        raise OSError("No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    with pytest.raises(OSError, match="No space"):
        enrich.enrich_messages(messages, store=store)
    assert store.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["enrichment.parquet"]


def test_a_store_that_is_not_an_enrichment_store_is_a_clear_error(
    tmp_path: Path, messages: pd.DataFrame
) -> None:
    store = tmp_path / "enrichment.parquet"
    pd.DataFrame({"something": [1]}).to_parquet(store)
    with pytest.raises(ValueError, match=r"enrichment\.parquet.*missing columns"):
        enrich.enrich_messages(messages, store=store)


def test_parallel_scoring_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Great!", "Broken again, I want a refund", "How do I log in?", None, "meh"] * 40
    frame = messages_frame([message(str(i), "ana", i, text=t) for i, t in enumerate(texts)])
    sequential = enrich.enrich_messages(frame, workers=1)
    monkeypatch.setattr(enrich, "PARALLEL_MIN_MESSAGES", 50)
    monkeypatch.setattr(enrich, "CHUNK_MESSAGES", 30)
    parallel = enrich.enrich_messages(frame, workers=2)
    pd.testing.assert_frame_equal(parallel, sequential)


def test_chunks_cover_every_text_once() -> None:
    texts = [str(i) for i in range(10)]
    assert [t for chunk in enrich._chunks(texts, 3) for t in chunk] == texts
