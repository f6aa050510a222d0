"""Rank fusion: pure functions that merge the rankings of several retrievers.

Inputs are rankings, best first, as sequences of ``(id, score)`` pairs. Outputs
are one fused ranking, best first, as a list of ``(id, fused_score)``. Ties are
broken by the best rank the id reached in any input, then by the id itself, so
the result never depends on dict or set order.

- :func:`rrf` — reciprocal rank fusion (Cormack et al., 2009), optionally weighted.
- :func:`convex` — a weighted sum of per-ranking normalized scores.
- :func:`fuse` — the engine's hybrid: convex combination plus a small RRF term.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Ranking = Sequence[tuple[str, float]]

NORMALIZERS = ("minmax", "max", "zscore", "none")


def _weights(n: int, weights: Sequence[float] | None) -> list[float]:
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise ValueError(f"got {len(weights)} weights for {n} rankings")
    if any(w < 0 or not math.isfinite(w) for w in weights):
        raise ValueError("weights must be finite and non-negative")
    return [float(w) for w in weights]


def _best_ranks(rankings: Sequence[Ranking]) -> dict[str, int]:
    best: dict[str, int] = {}
    for ranking in rankings:
        for rank, (doc, _) in enumerate(ranking):
            if rank < best.get(doc, rank + 1):
                best[doc] = rank
    return best


def _sorted(scores: dict[str, float], rankings: Sequence[Ranking]) -> list[tuple[str, float]]:
    best = _best_ranks(rankings)
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))


def rrf(
    rankings: Sequence[Ranking], *, k: float = 60.0, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: ``score(d) = sum_i w_i / (k + rank_i(d))``, ranks from 1.

    Args:
        rankings: Rankings, best first; the scores in them are ignored.
        k: The RRF constant; larger values flatten the rank discount.
        weights: One non-negative weight per ranking (default all 1).

    Returns:
        The fused ranking, best first. An id that appears twice in one ranking
        counts at its first (best) position.
    """
    ws = _weights(len(rankings), weights)
    scores: dict[str, float] = {}
    for w, ranking in zip(ws, rankings, strict=True):
        seen: set[str] = set()
        for rank, (doc, _) in enumerate(ranking, start=1):
            if doc in seen:
                continue
            seen.add(doc)
            scores[doc] = scores.get(doc, 0.0) + w / (k + rank)
    return _sorted(scores, rankings)


def normalize_scores(ranking: Ranking, method: str = "minmax") -> dict[str, float]:
    """Map one ranking's scores onto a comparable scale.

    Args:
        ranking: ``(id, score)`` pairs.
        method: ``"minmax"`` (to [0, 1]; all-equal scores become 1), ``"max"``
            (divide by the top score), ``"zscore"`` (mean 0, unit deviation), or
            ``"none"``.

    Returns:
        id -> normalized score (first occurrence of a repeated id wins).
    """
    if method not in NORMALIZERS:
        raise ValueError(f"unknown normalization {method!r}; choose one of {NORMALIZERS}")
    first: dict[str, float] = {}
    for doc, score in ranking:
        first.setdefault(doc, float(score))
    if not first or method == "none":
        return first
    values = list(first.values())
    if method == "minmax":
        lo, hi = min(values), max(values)
        span = hi - lo
        return {d: (s - lo) / span if span > 0 else 1.0 for d, s in first.items()}
    if method == "max":
        top = max(values)
        return {d: s / top if top > 0 else 0.0 for d, s in first.items()}
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {d: (s - mean) / std if std > 0 else 0.0 for d, s in first.items()}


def convex(
    rankings: Sequence[Ranking],
    *,
    weights: Sequence[float] | None = None,
    normalization: str = "minmax",
) -> list[tuple[str, float]]:
    """Weighted sum of normalized scores; an id missing from a ranking scores 0 there.

    Args:
        rankings: Rankings with scores, best first.
        weights: One non-negative weight per ranking (default all 1).
        normalization: See :func:`normalize_scores`.

    Returns:
        The fused ranking, best first.
    """
    ws = _weights(len(rankings), weights)
    normed = [normalize_scores(r, normalization) for r in rankings]
    floors = [min(n.values(), default=0.0) if normalization == "zscore" else 0.0 for n in normed]
    ids: dict[str, None] = {}
    for n in normed:
        ids.update(dict.fromkeys(n))
    scores = {
        d: sum(w * n.get(d, floor) for w, n, floor in zip(ws, normed, floors, strict=True))
        for d in ids
    }
    return _sorted(scores, rankings)


def fuse(
    rankings: Sequence[Ranking],
    *,
    weights: Sequence[float] | None = None,
    normalization: str = "minmax",
    rrf_k: float = 60.0,
    rrf_weight: float = 0.0,
) -> list[tuple[str, float]]:
    """The engine's hybrid fusion: :func:`convex` plus ``rrf_weight`` times :func:`rrf`.

    With ``rrf_weight=0`` this is plain convex combination; the RRF term (scaled by
    ``rrf_k + 1`` so that a first place adds ``rrf_weight``) rewards agreement of
    the rankings on top positions, which normalized scores alone do not see.

    Args:
        rankings: Rankings with scores, best first.
        weights: Per-ranking weights, used by both terms.
        normalization: Score normalization of the convex term.
        rrf_k: The RRF constant.
        rrf_weight: Weight of the RRF term relative to the convex term.

    Returns:
        The fused ranking, best first.
    """
    base = dict(convex(rankings, weights=weights, normalization=normalization))
    if rrf_weight > 0:
        for doc, score in rrf(rankings, k=rrf_k, weights=weights):
            base[doc] = base.get(doc, 0.0) + rrf_weight * (rrf_k + 1) * score
    return _sorted(base, rankings)
