"""Retrieval, row and answer metrics: plain functions of their inputs (no I/O).

Conventions:

- Ranks are 1-based; a cut-off ``k`` looks at the first ``k`` positions.
- Relevance is binary. A ranked list is given either as a list of flags
  (``relevant_flags[i]`` is true when the item at rank ``i + 1`` is relevant) or,
  for recall, as the list of the relevant things each ranked item covers
  (a passage may contain several evidence spans; a document is one thing).
- Text matching uses :func:`hccqa.corpus.text.normalize`, the form ``GOLD_FORMAT.md`` defines.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from ..corpus.text import normalize

__all__ = [
    "RowCounts",
    "answer_hit",
    "contains_span",
    "first_relevant_rank",
    "missing_terms",
    "mrr_at_k",
    "ndcg_at_k",
    "percentile",
    "recall_at_k",
    "row_counts",
]


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def first_relevant_rank(relevant_flags: Sequence[bool], k: int | None = None) -> int | None:
    """The 1-based rank of the first relevant item within the top ``k`` (all when ``None``).

    Returns:
        The rank, or ``None`` when no relevant item is in the top ``k``.
    """
    limit = len(relevant_flags) if k is None else k
    for rank, flag in enumerate(relevant_flags[:limit], start=1):
        if flag:
            return rank
    return None


def mrr_at_k(relevant_flags: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first relevant item in the top ``k``; 0.0 when there is none."""
    _check_k(k)
    rank = first_relevant_rank(relevant_flags, k)
    return 1.0 / rank if rank else 0.0


def ndcg_at_k(relevant_flags: Sequence[bool], k: int, n_relevant: int | None = None) -> float:
    """Binary nDCG@k: DCG of the ranking over the DCG of an ideal ranking.

    Args:
        relevant_flags: Relevance of each ranked item, best first.
        k: Cut-off.
        n_relevant: How many relevant items exist in total (the ideal ranking puts
            ``min(n_relevant, k)`` of them first). Defaults to the number of relevant
            items in ``relevant_flags`` (all ranks, not only the top k).

    Returns:
        A value in [0, 1]; 0.0 when nothing is relevant.
    """
    _check_k(k)
    total = sum(bool(f) for f in relevant_flags) if n_relevant is None else n_relevant
    if total <= 0:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, f in enumerate(relevant_flags[:k]) if f)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(total, k)))
    return dcg / ideal


def recall_at_k(
    ranked: Sequence[Collection[Hashable]], relevant: Collection[Hashable], k: int
) -> float:
    """Share of the relevant things covered by the top ``k`` ranked items.

    Args:
        ranked: For each ranked item, best first, the relevant things it covers:
            e.g. the indices of the evidence spans a passage contains, or ``{doc_id}``
            for document-level recall.
        relevant: Every relevant thing (e.g. all span indices, all relevant doc ids).
        k: Cut-off.

    Returns:
        ``|covered ∩ relevant| / |relevant|``; 0.0 when ``relevant`` is empty.
    """
    _check_k(k)
    wanted = set(relevant)
    if not wanted:
        return 0.0
    covered: set[Hashable] = set()
    for item in ranked[:k]:
        covered.update(item)
    return len(covered & wanted) / len(wanted)


def contains_span(text: str, span: str) -> bool:
    """True when ``span`` occurs in ``text`` on the normalized form (an empty span never does)."""
    needle = normalize(span)
    return bool(needle) and needle in normalize(text)


def missing_terms(answer: str, must_include: Iterable[str]) -> list[str]:
    """The ``answer_must_include`` items absent from ``answer`` (``a|b``: either one counts)."""
    norm = normalize(answer)
    missing = []
    for item in must_include:
        options = [normalize(o) for o in item.split("|")]
        if not any(o and o in norm for o in options):
            missing.append(item)
    return missing


def answer_hit(answer: str, must_include: Iterable[str]) -> bool:
    """True when every ``must_include`` item (``a|b`` alternatives) is in the answer text."""
    return not missing_terms(answer, must_include)


@dataclass(frozen=True)
class RowCounts:
    """True positives, false positives and false negatives of shown table rows.

    Add them up over questions and read the micro-averaged precision, recall and F1.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: RowCounts) -> RowCounts:
        return RowCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was shown (no false claim was made)."""
        shown = self.tp + self.fp
        return self.tp / shown if shown else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was expected."""
        expected = self.tp + self.fn
        return self.tp / expected if expected else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def row_counts(returned: Iterable[str], expected: Iterable[str]) -> RowCounts:
    """Compare the row ids shown with the gold row ids (duplicates count once)."""
    got, want = set(returned), set(expected)
    return RowCounts(tp=len(got & want), fp=len(got - want), fn=len(want - got))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation; 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
