"""Scoring a QA engine on a gold question set (GOLD_FORMAT.md).

Gold sets are read by :func:`hccqa.evaluation.gold.load_gold` (re-exported here).
``evaluate`` asks every question (follow-ups with their history) through
``qa.ask`` in each retrieval mode and scores the ranked passages, the rows
shown and the answer text with :mod:`hccqa.evaluation.metrics`. The result serializes to
exactly the ``hccqa eval --json`` object of the format.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..settings import MODES
from ..types import Answer, Asker
from .gold import GoldQuestion, load_gold
from .metrics import (
    RowCounts,
    contains_span,
    first_relevant_rank,
    missing_terms,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    row_counts,
)

__all__ = [
    "EvalResult",
    "GoldQuestion",
    "MODE_KEYS",
    "QuestionResult",
    "evaluate",
    "format_table",
    "load_gold",
    "score_answer",
    "summarize",
]

log = logging.getLogger(__name__)

RECALL_KS = (1, 3, 5, 10)
MIN_PASSAGES = 10

# Keys of one mode's summary, in the order GOLD_FORMAT.md shows them.
MODE_KEYS = (
    "n_evidence",
    *(f"recall@{k}" for k in RECALL_KS),
    "mrr@10",
    "ndcg@10",
    "n_rows",
    "row_precision",
    "row_recall",
    "row_f1",
    "n_answerable",
    "answer_hit",
    "n_unanswerable",
    "abstained_unanswerable",
    "abstained_answerable",
    "latency_ms_p50",
)


@dataclass(frozen=True)
class QuestionResult:
    """How the engine did on one question in one mode: what was expected and what came back."""

    id: str
    mode: str
    category: str
    answerable: bool
    first_relevant_rank: int | None  # within the top 10; None: no evidence found or not scored
    recall: dict[int, float] | None  # k -> share of evidence spans in the top k; None: not scored
    mrr: float | None
    ndcg: float | None
    evidence_found: tuple[bool, ...]  # per gold evidence span, found in the top 10
    rows: tuple[str, ...]  # row ids shown
    expected_rows: tuple[str, ...] | None
    answer_hit: bool | None  # None for unanswerable questions
    missing_terms: tuple[str, ...]
    abstained: bool  # engine abstained (and, for unanswerable questions, showed no rows)
    latency_ms: float
    answer: str
    error: str | None = None

    @property
    def failed(self) -> bool:
        """True when any scored part of the question went wrong."""
        if not self.answerable:
            return not self.abstained
        rows_wrong = self.expected_rows is not None and set(self.rows) != set(self.expected_rows)
        evidence_missed = self.recall is not None and self.recall[10] < 1.0
        return bool(self.abstained or not self.answer_hit or rows_wrong or evidence_missed)

    def to_dict(self) -> dict[str, Any]:
        """The per-question entry of the ``--json`` object (GOLD_FORMAT.md)."""
        return {
            "id": self.id,
            "mode": self.mode,
            "first_relevant_rank": self.first_relevant_rank,
            "rows": list(self.rows),
            "answer_hit": self.answer_hit,
            "abstained": self.abstained,
        }

    def detail(self) -> dict[str, Any]:
        """Everything expected and returned, for the failure list of a report."""
        return {
            **self.to_dict(),
            "category": self.category,
            "answerable": self.answerable,
            "evidence_found": list(self.evidence_found),
            "recall@10": None if self.recall is None else self.recall[10],
            "expected_rows": None if self.expected_rows is None else list(self.expected_rows),
            "missing_terms": list(self.missing_terms),
            "latency_ms": round(self.latency_ms, 2),
            "answer": self.answer,
            "error": self.error,
        }


@dataclass(frozen=True)
class EvalResult:
    """Scores of one gold set: per-mode summaries and the per-question results."""

    gold: str
    n_questions: int
    modes: dict[str, dict[str, float | int | None]]
    questions: tuple[QuestionResult, ...] = field(default=())
    gold_questions: tuple[GoldQuestion, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Exactly the object ``hccqa eval --json`` prints (GOLD_FORMAT.md)."""
        return {
            "gold": self.gold,
            "n_questions": self.n_questions,
            "modes": {m: dict(v) for m, v in self.modes.items()},
            "questions": [q.to_dict() for q in self.questions],
        }


# --------------------------------------------------------------------------- scoring


def score_answer(
    gold: GoldQuestion, answer: Answer, mode: str, latency_ms: float
) -> QuestionResult:
    """Score one answer against its gold question (pure)."""
    hits = sorted(answer.passages, key=lambda h: h.rank)
    texts = [h.passage.text for h in hits]
    recall: dict[int, float] | None = None
    mrr = ndcg = None
    rank = None
    found: tuple[bool, ...] = ()
    if gold.evidence:  # null or [] : passages are not scored
        spans_in = [{i for i, s in enumerate(gold.evidence) if contains_span(t, s)} for t in texts]
        flags = [bool(s) for s in spans_in]
        recall = {k: recall_at_k(spans_in, range(len(gold.evidence)), k) for k in RECALL_KS}
        rank = first_relevant_rank(flags, 10)
        mrr = mrr_at_k(flags, 10)
        ndcg = ndcg_at_k(flags, 10)
        top = set().union(*spans_in[:10]) if spans_in else set()
        found = tuple(i in top for i in range(len(gold.evidence)))
    shown = tuple(r.row.id for r in answer.rows)
    if gold.answerable:
        abstained = answer.abstained
        missing = tuple(missing_terms(answer.answer, gold.answer_must_include))
        hit: bool | None = not missing
    else:
        abstained = answer.abstained and not shown
        missing, hit = (), None
    return QuestionResult(
        id=gold.id,
        mode=mode,
        category=gold.category,
        answerable=gold.answerable,
        first_relevant_rank=rank,
        recall=recall,
        mrr=mrr,
        ndcg=ndcg,
        evidence_found=found,
        rows=shown,
        expected_rows=gold.table_rows,
        answer_hit=hit,
        missing_terms=missing,
        abstained=abstained,
        latency_ms=latency_ms,
        answer=answer.answer,
    )


def _mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return round(sum(vals) / len(vals), 4) if vals else None


def summarize(
    results: Sequence[QuestionResult], gold: Sequence[GoldQuestion]
) -> dict[str, float | int | None]:
    """One mode's metrics over ``results`` with the number of questions each used.

    A metric with no question to compute it on is ``None``.
    """
    by_id = {g.id: g for g in gold}
    with_ev = [r for r in results if r.recall is not None]
    with_rows = [r for r in results if by_id[r.id].table_rows is not None]
    counts = sum(
        (row_counts(r.rows, by_id[r.id].table_rows or ()) for r in with_rows), start=RowCounts()
    )
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    out: dict[str, float | int | None] = {"n_evidence": len(with_ev)}
    for k in RECALL_KS:
        out[f"recall@{k}"] = _mean(r.recall[k] for r in with_ev if r.recall)
    out["mrr@10"] = _mean(r.mrr or 0.0 for r in with_ev)
    out["ndcg@10"] = _mean(r.ndcg or 0.0 for r in with_ev)
    out["n_rows"] = len(with_rows)
    out["row_precision"] = round(counts.precision, 4) if with_rows else None
    out["row_recall"] = round(counts.recall, 4) if with_rows else None
    out["row_f1"] = round(counts.f1, 4) if with_rows else None
    out["n_answerable"] = len(answerable)
    out["answer_hit"] = _mean(float(bool(r.answer_hit)) for r in answerable)
    out["n_unanswerable"] = len(unanswerable)
    out["abstained_unanswerable"] = _mean(float(r.abstained) for r in unanswerable)
    out["abstained_answerable"] = _mean(float(r.abstained) for r in answerable)
    out["latency_ms_p50"] = round(percentile([r.latency_ms for r in results], 50), 2)
    return out


def _refused(gold: GoldQuestion, mode: str, error: InputError, latency_ms: float) -> QuestionResult:
    """The engine refused the input: scored as an abstention with nothing retrieved."""
    empty = Answer(question=gold.question, searched_query="", answer="", abstained=True)
    result = score_answer(gold, empty, mode, latency_ms)
    return QuestionResult(**{**result.__dict__, "error": str(error)})


def evaluate(
    qa: Asker,
    gold: Sequence[GoldQuestion],
    modes: Sequence[str] = MODES,
    *,
    k: int = MIN_PASSAGES,
    gold_path: str = "",
    progress: bool | Callable[[], None] = True,
    warmup: bool = True,
) -> EvalResult:
    """Ask every gold question in every mode and score the answers.

    Args:
        qa: The engine (``QA.load()``), or anything with the same ``ask``.
        gold: Questions from :func:`load_gold`.
        modes: Retrieval modes to compare.
        k: Passages requested per question; at least 10 (Recall@10, MRR@10, nDCG@10).
        gold_path: Shown as ``gold`` in the result.
        progress: A tqdm bar on stderr when true, or a callable invoked after each question.
        warmup: Ask every question once, untimed, before timing any mode. The engine
            caches query embeddings, so without it the first mode alone would pay for
            encoding and the modes' latencies would not compare.

    Raises:
        InputError: an unknown mode or ``k`` below 10.
    """
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise InputError(f"unknown retrieval mode(s) {unknown}; choose from {', '.join(MODES)}")
    if k < MIN_PASSAGES:
        raise InputError(f"-k {k} is too small: the metrics need at least {MIN_PASSAGES} passages")
    step, close = _progress(progress, len(gold) * (len(modes) + int(warmup)))
    results: list[QuestionResult] = []
    summaries: dict[str, dict[str, float | int | None]] = {}
    try:
        for g in gold if warmup else ():
            with contextlib.suppress(InputError):  # scored (as refused) in the timed pass
                qa.ask(g.question, g.history, k=k, mode=modes[0])
            step()
        for mode in modes:
            mode_results = []
            for g in gold:
                t0 = time.perf_counter()
                try:
                    answer = qa.ask(g.question, g.history, k=k, mode=mode)
                except InputError as exc:
                    log.warning("question %s refused by the engine: %s", g.id, exc)
                    res = _refused(g, mode, exc, (time.perf_counter() - t0) * 1000)
                else:
                    elapsed = (time.perf_counter() - t0) * 1000
                    if len(answer.passages) < MIN_PASSAGES:
                        log.warning(
                            "question %s: only %d passages returned", g.id, len(answer.passages)
                        )
                    res = score_answer(g, answer, mode, elapsed)
                mode_results.append(res)
                step()
            summaries[mode] = summarize(mode_results, gold)
            results.extend(mode_results)
    finally:
        close()
    return EvalResult(
        gold=gold_path,
        n_questions=len(gold),
        modes=summaries,
        questions=tuple(results),
        gold_questions=tuple(gold),
    )


def _progress(
    progress: bool | Callable[[], None], total: int
) -> tuple[Callable[[], None], Callable[[], None]]:
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return lambda: None, lambda: None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="eval", unit="q")
    return lambda: bar.update(1), bar.close


# --------------------------------------------------------------------------- terminal table


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def format_table(result: EvalResult) -> str:
    """The per-mode metrics as a text table: modes as columns, metrics (with n) as rows."""
    modes = list(result.modes)
    width = max(len(k) for k in MODE_KEYS) + 2
    lines = [f"gold: {result.gold}  questions: {result.n_questions}"]
    lines.append("metric".ljust(width) + "".join(m.rjust(10) for m in modes))
    for key in MODE_KEYS:
        lines.append(
            key.ljust(width) + "".join(_fmt(result.modes[m][key]).rjust(10) for m in modes)
        )
    return "\n".join(lines)
