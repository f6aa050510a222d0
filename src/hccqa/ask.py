"""The ask pipeline: resolve the follow-up, retrieve, match rows, compose the answer.

``answer_question`` is a pure function of its inputs and the loaded retriever:
it keeps no state between calls, so that one retriever can serve many threads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .answer.compose import (
    STRONG_COSINE,
    abstain_reason,
    compose_answer,
    promote_passages,
    select_sentences,
)
from .answer.rows import match_rows
from .types import Answer, Hit, RowMatch
from .understand.filters import RowFilter, drugs_selective, parse_filters
from .understand.followup import resolve_followup
from .understand.terms import americanize

log = logging.getLogger(__name__)

MIN_PASSAGES = 10  # ranked passages kept for Recall@10 / MRR@10
ROW_CANDIDATES = 5
CITE_SHARE = 0.9  # quotes scoring at least this share of the best one lend their citations


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


def answer_question(
    question: str,
    history: Sequence[str],
    *,
    retriever: Any,
    corpus: Any,
    k: int = 5,
    mode: str = "hybrid",
) -> Answer:
    """Answer ``question`` (a follow-up to ``history``) from the corpus.

    Args:
        question: The (validated) user question.
        history: Earlier user turns, oldest first.
        retriever: A :class:`~hccqa.retrieve.Retriever`.
        corpus: The loaded corpus (rows, glossary, references, passages).
        k: Passages the UI shows; at least ``max(k, 10)`` ranked passages are returned.
        mode: ``"hybrid"``, ``"dense"`` or ``"bm25"``.

    Returns:
        The :class:`~hccqa.types.Answer`, with ``timings_ms`` per stage
        ("encode", "dense", "bm25", "fusion", "rows", "compose", "total").
    """
    started = time.perf_counter()
    n = max(k, MIN_PASSAGES)
    # In the review's spelling before anything reads it ("pts", "tumours", "phase III").
    typed, earlier = americanize(question), [americanize(h) for h in history]
    searched = resolve_followup(typed, earlier)
    found = _retrieve(searched, n, mode, retriever, corpus)
    if found.why_not is not None and earlier and searched == typed:
        # An elliptical follow-up the wording did not give away ("How many countries
        # were involved?"): when the question alone finds nothing, try it with context.
        retry = resolve_followup(typed, earlier, force=True)
        if retry != typed:
            again = _retrieve(retry, n, mode, retriever, corpus)
            if again.why_not is None:
                searched, found = retry, again
    timings = found.timings
    rows_all = getattr(corpus, "rows", ()) or ()
    hits = promote_passages(
        searched, found.hits, rows=rows_all, authors=found.filters.authors, expand=retriever.expand
    )
    prior = retriever.cosines(searched, [h.passage.id for h in hits])  # encoding cached
    quotes = select_sentences(searched, hits, expand=retriever.expand, prior=prior)

    t0 = time.perf_counter()
    rows: list[RowMatch] = []
    if found.why_not is None and rows_all:
        row_hits = retriever.search_rows(searched, ROW_CANDIDATES, "dense")
        best = quotes[0].score if quotes else 0.0
        cited = [q for q in quotes if q.score >= CITE_SHARE * best or found.filters.who]
        rows = match_rows(
            searched,
            hits,
            corpus,
            row_hits,
            quoted=[(q.passage_id, q.text, _context(q.text, hits)) for q in cited],
            filters=found.filters,
        )
    elif found.why_not is not None:
        log.info("abstaining on %r: %s", searched, found.why_not)
    timings["rows"] = _ms(t0)

    t0 = time.perf_counter()
    answer = compose_answer(
        question,
        searched,
        hits,
        rows,
        getattr(corpus, "references", {}) or {},
        quotes=quotes,
        abstain=found.why_not,
        mode=mode,
        table_intent=found.filters.listing and bool(rows),
    )
    timings["compose"] = _ms(t0)
    timings["total"] = _ms(started)
    return replace(answer, timings_ms=timings)


@dataclass(frozen=True)
class _Found:
    hits: list[Hit]
    timings: dict[str, float]
    filters: RowFilter
    why_not: str | None


def _retrieve(searched: str, n: int, mode: str, retriever: Any, corpus: Any) -> _Found:
    """Retrieve for one query and measure whether the review answers it."""
    hits, stage = retriever.search_with_timings(searched, n, mode)
    timings = {key: float(stage.get(key, 0.0)) for key in ("encode", "dense", "bm25", "fusion")}
    t0 = time.perf_counter()
    best_cosine = _best_cosine(retriever, searched)
    timings["dense"] += _ms(t0)
    rows_all = getattr(corpus, "rows", ()) or ()
    blob = corpus.vocabulary
    filters = parse_filters(searched, rows=rows_all, glossary=getattr(corpus, "glossary", None))
    on_topic = bool(
        filters.pathways
        or filters.authors
        or filters.phases
        or (filters.drugs and drugs_selective(filters, rows_all))
        or (
            filters.listing
            and (filters.years or filters.outcomes or filters.second_line is not None)
        )
    )
    why_not = abstain_reason(
        searched, hits, best_cosine, blob, expand=retriever.expand, on_topic=on_topic
    )
    # MiniLM does not know most abbreviations ("EMT"): the spelled-out query may be
    # closer to a passage. A higher cosine only ever lifts a refusal, never causes
    # one, so its encoding (a second model call) is spent only on a refused question.
    expanded = retriever.expand(searched) if why_not is not None else searched
    if best_cosine < STRONG_COSINE and expanded != searched:
        t0 = time.perf_counter()
        best_cosine = max(best_cosine, _best_cosine(retriever, expanded))
        timings["dense"] += _ms(t0)
        why_not = abstain_reason(
            searched, hits, best_cosine, blob, expand=retriever.expand, on_topic=on_topic
        )
    return _Found(hits, timings, filters, why_not)


def _best_cosine(retriever: Any, text: str) -> float:
    """Cosine similarity of ``text`` and its nearest passage (dense search, cached encoding)."""
    top = retriever.search(text, 1, "dense")
    return float(top[0].score) if top else 0.0


def _context(sentence: str, hits: Sequence[Hit]) -> str:
    """The retrieved passage with the most text before ``sentence`` (credits "The authors…")."""
    best, lead = "", -1
    for h in hits:
        at = h.passage.text.find(sentence)
        if at > lead:
            best, lead = h.passage.text, at
    return best
