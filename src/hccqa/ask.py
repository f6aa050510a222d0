"""The ask pipeline: understand, gather evidence, judge, choose rows, compose.

``answer_question`` is a pure function of its inputs and the loaded :class:`Engine`:
it keeps no state between calls, so that one engine can serve many threads.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .answer.compose import (
    about_the_named,
    compose,
    counted_by_rows,
    dated_by_rows,
    figure_of,
    of_the_referent,
    select_quotes,
)
from .answer.evidence import Evidence, Weights, gather
from .answer.facts import SentenceFacts, holds_any
from .answer.judge import Policy, Verdict, counts_rows, judge
from .answer.rows import RowChoice, choose_rows, filter_rows, points_back
from .types import Answer
from .understand.bounds import AGGREGATE_STEMS
from .understand.lexicon import ORDERING_STEMS, Lexicon
from .understand.query import Query, Recall, names_its_subject, points_at_nothing, understand

MIN_PASSAGES = 10  # ranked passages kept for Recall@10 / MRR@10
FAVORED_ROWS = 50
"""At most this many of a list question's rows get the favoured rows' bonus (scored
however retrieval ranked them): a listing of a table of thousands is shown whole, but
not scored whole."""
ELLIPTICAL_MARGIN = 0.05
"""How much surer (probability of an answer) the judge must be of a question read as a
follow-up than of the question alone to prefer that reading when both are answered."""
SELF_CONTAINED = frozenset({"define", "gist"})
"""Intents of questions complete in themselves: never read as an elliptical follow-up
when answered alone."""
ROW_INTENTS = frozenset({"list", "who"})
"""Intents that ask for table rows themselves (which ones, whose study): the rows the
question's filter picks are favored in the evidence ranking."""


@dataclass(frozen=True)
class Engine:
    """What answering needs, loaded once: corpus, lexicon, retriever, refusal policy, and
    the memo of what scoring reads of each sentence."""

    corpus: Any
    lexicon: Lexicon
    retriever: Any
    policy: Policy
    weights: Weights = Weights()
    # not an argument: a copy of the engine with another corpus gets a fresh memo
    facts: SentenceFacts = field(
        default_factory=SentenceFacts, init=False, compare=False, repr=False
    )

    @cached_property
    def table_labels(self) -> dict[str, str]:
        """Table id -> its label ("Table 1")."""
        return {t.id: t.label for t in self.corpus.tables}

    @cached_property
    def documents(self) -> int:
        """Number of text documents in the corpus (for a refusal's wording)."""
        return len({p.doc_id for p in self.corpus.passages if p.kind == "text"})


def answer_question(
    question: str,
    history: Sequence[str],
    *,
    engine: Engine,
    k: int = 5,
    mode: str = "hybrid",
    recall: Recall | None = None,
) -> Answer:
    """Answer ``question`` (a follow-up to ``history``) from the corpus.

    Args:
        question: The (validated) question.
        history: Earlier user turns, oldest first.
        engine: The loaded engine.
        k: Passages the interface shows; at least ``max(k, 10)`` are ranked.
        mode: ``"hybrid"``, ``"dense"`` or ``"bm25"``.
        recall: ``(question, history) -> row ids`` shown by that earlier turn's answer.

    Returns:
        The :class:`~hccqa.types.Answer`, with ``timings_ms`` per stage.
    """
    started = time.perf_counter()
    n = max(k, MIN_PASSAGES)
    query, evidence, verdict = weigh(
        question, history, engine=engine, n=n, mode=mode, recall=recall
    )
    t0 = time.perf_counter()
    quotes = select_quotes(evidence, whole="gist" in query.intents) if verdict.answer else []
    rows = (
        choose_rows(query, evidence, quotes, engine.corpus.rows, engine.lexicon)
        if verdict.answer
        else RowChoice((), False)
    )
    quotes = of_the_referent(query, dated_by_rows(query, quotes, rows.rows), rows.rows, evidence)
    quotes = about_the_named(query, quotes, evidence)
    quotes = counted_by_rows(query, quotes, rows.rows, evidence)
    # "how many rivers are longer than X?": the rows are the answer, and their number
    shown = {m.row.id for m in rows.rows}
    counting = (
        "number" in query.intents
        and bool(shown)
        and (
            (rows.listing and shown == {r.id for r in evidence.filtered or ()})
            # "how many of them?": the rows shown before, all of them
            or (query.followup and shown == set(query.referent_rows))
        )
        and counts_rows(query, [m.row for m in rows.rows], engine.lexicon)
    )
    # a list by a bound or an order of a column of numbers ("the heaviest", "over 30 kg")
    measured = rows.listing and any(c.bound for c in query.filter.constraints)
    if counting or measured:  # the rows answer; a quote sharing no word of the question
        # but the counted one, or the order's, says nothing of them ("how many harvests
        # were over 30 kg?", "which is the heaviest harvest?")
        asked = query.terms - {query.unit or ""} - ORDERING_STEMS
        quotes = [s for s in quotes if holds_any(asked, s.text)]
    # "what is the average height of the X?": the figure over the rows shown
    figure = (
        figure_of(query.aggregate, [m.row for m in rows.rows])
        if query.aggregate is not None and rows.rows
        else None
    )
    if figure is not None and query.aggregate is not None:
        # the rows give the figure: a quote sharing no word of the question but the
        # figure's and its column's says nothing of them ("The heaviest load weighed 90
        # kg" beside a total)
        asked = query.terms - AGGREGATE_STEMS - {query.unit or ""} - query.aggregate.stems
        quotes = [s for s in quotes if holds_any(asked, s.text)]
    rows_ms = _ms(t0)
    t0 = time.perf_counter()
    answer = compose(
        question,
        query.search,
        evidence,
        quotes,
        rows.rows,
        engine.corpus.references,
        table_labels=engine.table_labels,
        documents=engine.documents,
        refusal=verdict.reason if not verdict.answer else None,
        listing=rows.listing or counting or figure is not None,
        counting=counting,
        figure=figure,
        mode=mode,
        corrections=query.corrections,
        spelled=query.spelled,
        terms=query.terms,
    )
    timings = answer.timings_ms  # the answer's own, empty until here
    timings.update(evidence.timings)
    timings["rows"] = rows_ms
    timings["compose"] = _ms(t0)
    timings["total"] = _ms(started)
    return answer


def weigh(
    question: str,
    history: Sequence[str],
    *,
    engine: Engine,
    n: int = MIN_PASSAGES,
    mode: str = "hybrid",
    recall: Recall | None = None,
) -> tuple[Query, Evidence, Verdict]:
    """Understand the question, gather its evidence and judge whether it is answered.

    An elliptical follow-up its words do not give away ("how many countries took part?",
    "did the second one do better than the first?") is tried again with the previous
    turn: read so when the question alone is not answered, or when the judge is surer of
    the answer with the previous turn (by more than :data:`ELLIPTICAL_MARGIN`).
    """
    t0 = time.perf_counter()
    query = understand(question, history, engine.lexicon, recall=recall)
    understood = _ms(t0)
    evidence, verdict = weigh_query(query, engine, n, mode)
    # a question complete in itself (what X is, the gist) or naming its own subject (a
    # table value, years, the document) is not read with the turn before unless it is
    # not answered alone
    may_lean = not query.intents & SELF_CONTAINED and not names_its_subject(query)
    if history and not query.followup and (not verdict.answer or may_lean):
        again = understand(question, history, engine.lexicon, recall=recall, force_followup=True)
        if again.followup:
            evidence2, verdict2 = weigh_query(again, engine, n, mode)
            refused = not verdict.answer
            surer = verdict2.probability > verdict.probability + ELLIPTICAL_MARGIN
            if verdict2.answer and (refused or surer):
                query, evidence, verdict = again, evidence2, verdict2
    pointing = None if history else points_at_nothing(query)
    if pointing is not None:
        # "when was it built?" asked first: whatever it finds is about something else
        reason = f"the question points back ('{pointing}') at nothing asked before"
        verdict = dataclasses.replace(verdict, answer=False, reason=reason)
    evidence.timings["understand"] = understood
    return query, evidence, verdict


def weigh_query(
    query: Query, engine: Engine, n: int = MIN_PASSAGES, mode: str = "hybrid"
) -> tuple[Evidence, Verdict]:
    """Gather the evidence of an understood question and judge it (one pass, no retry);
    calibration measures its signals exactly as answering does."""
    t0 = time.perf_counter()
    filtered = filter_rows(query, engine.corpus.rows, engine.lexicon)
    filter_ms = _ms(t0)
    # (the first FAVORED_ROWS of a long listing: each favoured row's sentences are scored)
    favored = (
        frozenset(r.id for r in filtered[:FAVORED_ROWS])
        if ROW_INTENTS & query.intents
        else frozenset()
    )
    referent = (
        frozenset(query.referent_rows)
        if query.followup and query.referent_rows and points_back(query)
        else frozenset()
    )
    if favored & referent:  # "who did *that* study?": of the rows selected, those meant
        favored &= referent
    # "what did Smith et al find?": the prose citing the rows of Smith's the question
    # selects ("...[7]") names them only through the citation
    authored = frozenset(
        r.ref
        for r in filtered
        if r.ref is not None
        and any(m.entity.kind == "author" and r.id in m.entity.rows for m in query.mentions)
    )
    evidence = gather(
        query,
        engine.retriever,
        engine.corpus,
        engine.lexicon,
        n=n,
        mode=mode,
        weights=engine.weights,
        favored=favored,
        referent=referent,
        filtered=filtered,
        facts=engine.facts,
        authored=authored,
    )
    t0 = time.perf_counter()
    selected = selected_rows(query, engine.corpus.rows, filtered)
    kind = engine.lexicon.naming_words({r.table for r in selected}) if selected else frozenset()
    verdict = judge(
        query, evidence, engine.policy, rows=selected, row_kind=kind, lexicon=engine.lexicon
    )
    evidence.timings["judge"] = _ms(t0) + filter_ms
    return evidence, verdict


def selected_rows(query: Query, rows: Any, picked: Sequence[Any]) -> list[Any]:
    """The rows a question selects by itself: its filter's (``picked``, see
    :func:`~hccqa.answer.rows.filter_rows`), or for a follow-up that points back, those
    the previous answer showed."""
    if picked or not query.followup:
        return list(picked)
    wanted = set(query.referent_rows)
    return [r for r in rows if r.id in wanted]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)
