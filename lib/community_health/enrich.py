"""Per-message enrichment: sentiment, questions and complaints, computed once and stored.

Scoring every message is the expensive step of the pipeline, so it happens here and nowhere else:
:func:`enrich_messages` scores only the messages that the store does not hold yet, in parallel
across cores when there are many, and writes the store atomically. Metrics and notebooks read the
stored scores and never score again.

The sentiment model is VADER (Hutto and Gilbert, 2014), a lexicon and rule-based model that runs
offline; its *compound* score goes from -1 (most negative) to +1 (most positive).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from community_health.config import Thresholds
from community_health.schema import Enrichment, Messages

E = Enrichment
M = Messages
KEY = [E.platform, E.message_id]

#: Below this many unscored messages, scoring runs in the calling process (starting workers costs more).
PARALLEL_MIN_MESSAGES = 20_000
#: Each worker receives its messages in chunks of about this size.
CHUNK_MESSAGES = 5_000
#: A negative message is a complaint only when it also uses complaint vocabulary; this is "negative".
COMPLAINT_MAX_SENTIMENT = Thresholds().negative_sentiment

_QUESTION_WORDS = (
    r"what|why|how|where|who|whom|whose|which|when\s+(?:is|are|will|does|do|did|can|should|would)"
)
_AUXILIARIES = r"can|could|would|will|should|shall|may|is|are|am|was|were|do|does|did|has|have|had"
_SUBJECTS = (
    r"i|you|we|they|he|she|it|u|ya|someone|somebody|anyone|anybody|there|this|that|these|those|my|"
    r"your|our|the|a|an"
)
_SUPPORT_PHRASES = (
    r"anyone\s+know|does\s+any(?:one|body)|can\s+(?:some|any)(?:one|body)|could\s+(?:some|any)(?:one|body)|"
    r"can\s+you\s+help|need\s+(?:some\s+)?help|please\s+help|help\s+me|how\s+do\s+i|how\s+can\s+i|"
    r"how\s+to\s|is\s+there\s+a\s+way|i\s+was\s+wondering|wondering\s+if|any\s+idea|any\s+update|"
    r"not\s+sure\s+how|who\s+do\s+i\s+contact|where\s+can\s+i"
)
QUESTION_PATTERN = re.compile(
    rf"[?¿]|^\W*(?:{_QUESTION_WORDS})\b|^\W*(?:{_AUXILIARIES})\s+(?:{_SUBJECTS})\b|\b(?:{_SUPPORT_PHRASES})",
    re.IGNORECASE,
)
#: Complaint vocabulary: a negative message using any of these is a complaint.
COMPLAINT_PATTERN = re.compile(
    r"\b(?:refund(?:s|ed)?|money\s+back|broken|breaks?|cancel+ed|cancel+ation|never\s+(?:arrived|came|"
    r"received|showed\s+up|delivered)|(?:has|have|hasn't|haven't|not|still\s+not)\s+(?:arrived|received|"
    r"been\s+delivered)|not\s+working|doesn'?t\s+work|didn'?t\s+(?:arrive|work)|stopped\s+working|"
    r"over-?charged|overcharging|charged\s+twice|double[-\s]charged|worst|scam(?:med)?|rip[-\s]?off|fraud|"
    r"faulty|defective|damaged|missing|delayed|late\s+(?:delivery|again)|still\s+waiting|no\s+(?:response|"
    r"reply|answer)|unacceptable|disappoint(?:ed|ing|ment)|useless|terrible|awful|horrible|rude|"
    r"complain(?:t|ts|ed|ing)?|wrong\s+(?:order|item|size|product)|lost\s+(?:my|the|our)\s+(?:order|package|"
    r"parcel)|ripped\s+off|waste\s+of\s+money)\b",
    re.IGNORECASE,
)
#: Phrases that are complaints whatever the sentiment score. VADER's negation rule misreads the most
#: common support complaints: in "My order never arrived. Terrible, I want a refund." the "never" flips
#: "terrible", and the message scores +0.43.
UNMISTAKABLE_COMPLAINT_PATTERN = re.compile(
    r"\b(?:never\s+(?:arrived|came|received|showed\s+up|got\s+(?:it|my))|(?:want|need|demand|still\s+waiting"
    r"\s+for)\s+(?:a|my|our)\s+(?:refund|money\s+back)|still\s+waiting|charged\s+twice|double[-\s]charged|"
    r"over-?charged|not\s+working|doesn'?t\s+work|stopped\s+working|ripped\s+off|rip[-\s]?off|scam(?:med)?|"
    r"unacceptable|no\s+(?:response|reply|answer)\s+(?:yet|from|to)|worst\s+(?:service|experience|company|"
    r"customer\s+service|support))\b",
    re.IGNORECASE,
)

_analyzer = None


def _sentiment_analyzer() -> Any:
    """One VADER analyzer per process, built on first use (loading its lexicon takes a few milliseconds)."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def is_question(text: str | None) -> bool:
    """Whether a message asks something: it contains a question mark, opens with a question word
    ("how", "is there", "can you"...) or uses a support phrase ("anyone know", "need help"...).

    Parameters
    ----------
    text
        The message text; missing or empty text is not a question.

    Returns
    -------
    bool
    """
    return bool(text) and QUESTION_PATTERN.search(text) is not None


def is_complaint(text: str | None, sentiment: float) -> bool:
    """Whether a message is a complaint: negative in tone and using complaint vocabulary
    (refund, broken, cancelled, never arrived, overcharged, worst...).

    A few phrases are complaints whatever the score ("never arrived", "charged twice", "still
    waiting", "want a refund"...), because the sentiment model misreads them (see
    ``UNMISTAKABLE_COMPLAINT_PATTERN``).

    Parameters
    ----------
    text
        The message text.
    sentiment
        Its VADER compound score; otherwise the message must score at or below the default
        negative threshold (``Thresholds.negative_sentiment``).

    Returns
    -------
    bool
    """
    if not text:
        return False
    if UNMISTAKABLE_COMPLAINT_PATTERN.search(text):
        return True
    return sentiment <= COMPLAINT_MAX_SENTIMENT and COMPLAINT_PATTERN.search(text) is not None


def score_texts(texts: Sequence[str | None]) -> tuple[list[float], list[bool], list[bool]]:
    """Sentiment, question and complaint flags of each text, in one pass, in the calling process.

    Parameters
    ----------
    texts
        Message texts; ``None``, ``NaN`` and blank texts score 0.0 and are neither questions nor
        complaints.

    Returns
    -------
    tuple of three lists
        VADER compound scores in [-1, 1], ``is_question`` flags and ``is_complaint`` flags.
    """
    analyzer = _sentiment_analyzer()
    sentiments: list[float] = []
    questions: list[bool] = []
    complaints: list[bool] = []
    for raw in texts:
        text = raw if isinstance(raw, str) and raw.strip() else None
        if text is None:
            sentiments.append(0.0)
            questions.append(False)
            complaints.append(False)
            continue
        score = float(analyzer.polarity_scores(text)["compound"])
        sentiments.append(score)
        questions.append(is_question(text))
        complaints.append(is_complaint(text, score))
    return sentiments, questions, complaints


def _chunks(texts: list[str | None], size: int) -> list[list[str | None]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def _score_in_parallel(texts: list[str | None], workers: int) -> tuple[list[float], list[bool], list[bool]]:
    size = max(1_000, min(CHUNK_MESSAGES, math.ceil(len(texts) / workers)))
    sentiments: list[float] = []
    questions: list[bool] = []
    complaints: list[bool] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk_sentiments, chunk_questions, chunk_complaints in pool.map(
            score_texts, _chunks(texts, size)
        ):
            sentiments.extend(chunk_sentiments)
            questions.extend(chunk_questions)
            complaints.extend(chunk_complaints)
    return sentiments, questions, complaints


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS and Windows
        return os.cpu_count() or 1


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            E.platform: pd.Series(dtype="str"),
            E.message_id: pd.Series(dtype="str"),
            E.sentiment: pd.Series(dtype="float64"),
            E.is_question: pd.Series(dtype="bool"),
            E.is_complaint: pd.Series(dtype="bool"),
        }
    )


def read_enrichment(store: Path) -> pd.DataFrame:
    """The enrichment stored at ``store`` (an empty ``Enrichment`` frame when there is none yet).

    Parameters
    ----------
    store
        Path of the Parquet file.

    Returns
    -------
    pandas.DataFrame
        A frame valid under :class:`~community_health.schema.Enrichment`.
    """
    store = Path(store)
    if not store.exists():
        return _empty()
    stored = pd.read_parquet(store)
    missing = [c for c in _empty().columns if c not in stored.columns]
    if missing:
        raise ValueError(f"{store}: not an enrichment store, missing columns {missing}; delete it to rebuild")
    return _conform(stored)


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        frame[list(_empty().columns)]
        .astype(
            {
                E.platform: "str",
                E.message_id: "str",
                E.sentiment: "float64",
                E.is_question: "bool",
                E.is_complaint: "bool",
            }
        )
        .reset_index(drop=True)
    )


def _write_atomically(frame: pd.DataFrame, store: Path) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    partial = store.with_name(f".{store.name}.{os.getpid()}.partial")
    try:
        frame.to_parquet(partial, index=False)
        os.replace(partial, store)
    finally:
        partial.unlink(missing_ok=True)


def enrich_messages(
    messages: pd.DataFrame, store: Path | None = None, workers: int | None = None
) -> pd.DataFrame:
    """Sentiment, question and complaint flags for every message, scoring only what is not stored yet.

    Parameters
    ----------
    messages
        A ``Messages`` frame.
    store
        Parquet file holding earlier results. Messages already in it (same platform and
        message id) are not scored again; the new scores are added and the file is replaced
        atomically (written beside it, then renamed), so an interrupted run never leaves a
        half-written store. ``None`` scores everything and stores nothing.
    workers
        Processes to score with; ``None`` uses every available core, ``1`` scores in this
        process. Fewer than ``PARALLEL_MIN_MESSAGES`` messages to score are always scored in this
        process.

    Returns
    -------
    pandas.DataFrame
        One row per message of ``messages`` (same order), valid under
        :class:`~community_health.schema.Enrichment`: ``platform``, ``message_id``, ``sentiment``
        (VADER compound score in [-1, 1]), ``is_question``, ``is_complaint``.
    """
    stored = read_enrichment(Path(store)) if store is not None else _empty()
    if _in_the_same_order(messages, stored):
        # every message scored and stored row for row: nothing to score or to match
        return stored.iloc[: len(messages)].reset_index(drop=True)
    wanted = messages[[M.platform, M.message_id, M.text]].drop_duplicates(subset=KEY).reset_index(drop=True)
    known = pd.MultiIndex.from_frame(stored[KEY])
    todo = wanted.loc[~pd.MultiIndex.from_frame(wanted[KEY]).isin(known)]
    if len(todo):
        texts = todo[M.text].astype(object).where(todo[M.text].notna(), None).tolist()
        workers = _default_workers() if workers is None else max(1, int(workers))
        if workers > 1 and len(texts) >= PARALLEL_MIN_MESSAGES:
            sentiments, questions, complaints = _score_in_parallel(texts, workers)
        else:
            sentiments, questions, complaints = score_texts(texts)
        fresh = _conform(
            pd.DataFrame(
                {
                    E.platform: todo[M.platform].to_numpy(),
                    E.message_id: todo[M.message_id].to_numpy(),
                    E.sentiment: sentiments,
                    E.is_question: questions,
                    E.is_complaint: complaints,
                }
            )
        )
        stored = _conform(pd.concat([stored, fresh], ignore_index=True)) if len(stored) else fresh
    result = Enrichment.validate(_conform(wanted[KEY].merge(stored, on=KEY, how="left")))
    if store is not None:
        # Stored in the order of the messages (scores of messages no longer exported kept after them),
        # so that the next run on the same messages reads the store as it is.
        gone = stored.loc[~pd.MultiIndex.from_frame(stored[KEY]).isin(pd.MultiIndex.from_frame(result[KEY]))]
        try:
            _write_atomically(_conform(pd.concat([result, gone], ignore_index=True)), Path(store))
        except OSError:
            if len(todo):
                raise  # new scores that cannot be kept
            # only the order could not be saved (a read-only folder): the next run matches again
    return result


def _in_the_same_order(messages: pd.DataFrame, stored: pd.DataFrame) -> bool:
    """Whether the first rows of ``stored`` are the messages' scores, one per message, in their order
    (stored keys are unique, so this also means the messages are)."""
    n = len(messages)
    if not n or len(stored) < n:
        return False
    head = stored.iloc[:n]
    return bool(
        (messages[M.message_id].to_numpy() == head[E.message_id].to_numpy()).all()
        and (messages[M.platform].to_numpy() == head[E.platform].to_numpy()).all()
    )
