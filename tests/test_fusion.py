"""Rank fusion: empty, one-sided, tied and seeded-random inputs against naive references."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from hccqa.retrieval.fusion import convex, fuse, normalize_scores, rrf


def naive_rrf(rankings, k=60.0, weights=None):
    weights = weights or [1.0] * len(rankings)
    scores = {}
    for w, ranking in zip(weights, rankings, strict=True):
        ids = []
        for doc, _ in ranking:
            if doc not in ids:
                ids.append(doc)
        for pos, doc in enumerate(ids):
            scores[doc] = scores.get(doc, 0.0) + w / (k + pos + 1)
    return scores


def test_rrf_empty() -> None:
    assert rrf([]) == []
    assert rrf([[], []]) == []
    assert convex([[], []]) == []


def test_rrf_one_sided_keeps_order() -> None:
    ranking = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    fused = rrf([ranking, []])
    assert [d for d, _ in fused] == ["a", "b", "c"]
    assert fused[0][1] == pytest.approx(1 / 61)


def test_rrf_worked_example() -> None:
    # "b" is 2nd in one list and 1st in the other: 1/62 + 1/61 beats "a" (1/61 + 1/63).
    fused = dict(rrf([[("a", 1), ("b", 1), ("c", 1)], [("b", 1), ("d", 1), ("a", 1)]]))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert max(fused, key=fused.__getitem__) == "b"


def test_rrf_ties_broken_by_best_rank_then_id() -> None:
    # "x" and "y" get the same RRF score (1st in one list, 2nd in the other);
    # both reached rank 0 somewhere, so the id decides.
    fused = rrf([[("y", 1), ("x", 1)], [("x", 1), ("y", 1)]])
    assert [d for d, _ in fused] == ["x", "y"]
    assert fused[0][1] == fused[1][1]


def test_rrf_duplicate_counts_once() -> None:
    fused = dict(rrf([[("a", 1), ("a", 1), ("b", 1)]]))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 63)


def test_rrf_weights_validated() -> None:
    with pytest.raises(ValueError):
        rrf([[("a", 1)]], weights=[1.0, 2.0])
    with pytest.raises(ValueError):
        rrf([[("a", 1)]], weights=[-1.0])


@pytest.mark.parametrize("seed", range(20))
def test_rrf_matches_naive_on_random_input(seed: int) -> None:
    rng = random.Random(seed)
    pool = [f"d{i}" for i in range(rng.randint(1, 30))]
    rankings = [
        [(d, rng.random()) for d in rng.sample(pool, rng.randint(0, len(pool)))]
        for _ in range(rng.randint(1, 4))
    ]
    weights = [rng.uniform(0, 2) for _ in rankings]
    k = rng.choice([1.0, 10.0, 60.0])
    got = rrf(rankings, k=k, weights=weights)
    want = naive_rrf(rankings, k=k, weights=weights)
    assert set(dict(got)) == set(want)
    for doc, score in got:
        assert score == pytest.approx(want[doc])
    scores = [s for _, s in got]
    assert scores == sorted(scores, reverse=True)


def test_normalize_minmax_and_constant() -> None:
    assert normalize_scores([("a", 3.0), ("b", 1.0), ("c", 2.0)]) == {"a": 1.0, "b": 0.0, "c": 0.5}
    assert normalize_scores([("a", 2.0), ("b", 2.0)]) == {"a": 1.0, "b": 1.0}
    assert normalize_scores([]) == {}


def test_normalize_zscore_and_max() -> None:
    z = normalize_scores([("a", 1.0), ("b", 3.0)], "zscore")
    assert z == {"a": pytest.approx(-1.0), "b": pytest.approx(1.0)}
    assert normalize_scores([("a", 4.0), ("b", 1.0)], "max") == {"a": 1.0, "b": 0.25}
    with pytest.raises(ValueError):
        normalize_scores([("a", 1.0)], "bogus")


def test_convex_worked_example() -> None:
    # min-max: dense a=1, b=0.5, c=0; bm25 c=1, a=0 (b absent -> 0).
    # 0.7*dense + 0.3*bm25: a=0.7, b=0.35, c=0.3.
    dense = [("a", 0.9), ("b", 0.7), ("c", 0.5)]
    sparse = [("c", 10.0), ("a", 2.0)]
    fused = convex([dense, sparse], weights=[0.7, 0.3])
    assert [d for d, _ in fused] == ["a", "b", "c"]
    assert dict(fused)["b"] == pytest.approx(0.35)
    assert dict(fused)["c"] == pytest.approx(0.3)


def test_convex_one_sided_keeps_order() -> None:
    ranking = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    assert [d for d, _ in convex([ranking, []], weights=[0.5, 0.5])] == ["a", "b", "c"]


@pytest.mark.parametrize("seed", range(10))
def test_convex_matches_naive_on_random_input(seed: int) -> None:
    rng = random.Random(100 + seed)
    pool = [f"d{i}" for i in range(rng.randint(2, 25))]
    rankings = [
        [(d, rng.uniform(-1, 5)) for d in rng.sample(pool, rng.randint(1, len(pool)))]
        for _ in range(2)
    ]
    w = [rng.random(), rng.random()]
    got = dict(convex(rankings, weights=w))
    want: dict[str, float] = {}
    for wi, ranking in zip(w, rankings, strict=True):
        vals = [s for _, s in ranking]
        lo, hi = min(vals), max(vals)
        for d, s in ranking:
            norm = (s - lo) / (hi - lo) if hi > lo else 1.0
            want[d] = want.get(d, 0.0) + wi * norm
    for d in want:
        want.setdefault(d, 0.0)
    assert set(got) == set(want)
    for d, s in want.items():
        assert got[d] == pytest.approx(s)


def test_fuse_without_rrf_is_convex_and_with_rrf_adds_it() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    sparse = [("b", 5.0), ("a", 1.0)]
    assert fuse([dense, sparse]) == convex([dense, sparse])
    fused = dict(fuse([dense, sparse], rrf_weight=1.0, rrf_k=60.0))
    base = dict(convex([dense, sparse]))
    extra = dict(rrf([dense, sparse], k=60.0))
    assert fused["a"] == pytest.approx(base["a"] + 61 * extra["a"])
    assert all(math.isfinite(s) for s in fused.values())


def test_the_retrievers_array_fusion_equals_fuse_on_seeded_random_inputs() -> None:
    """Oracle: the retriever's array path for convex z-score fusion gives fuse()'s order
    and scores, ties and an all-zero BM25 ranking included."""
    import numpy as np

    from hccqa.retrieval.retriever import _convex_zscore

    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(1, 70))
        cands = np.array(sorted(rng.choice(200, n, replace=False)))
        cos = rng.normal(size=n).astype(np.float32)
        bm = np.where(rng.random(n) < 0.3, 0, rng.random(n) * 5).astype(np.float32)
        if trial % 7 == 0:
            bm[:] = 0
        if trial % 11 == 0:
            cos[: n // 2] = cos[0]  # ties
        dense = sorted(zip(cands.tolist(), cos.tolist(), strict=True), key=lambda x: (-x[1], x[0]))
        sparse = sorted(zip(cands.tolist(), bm.tolist(), strict=True), key=lambda x: (-x[1], x[0]))
        want = fuse(
            [[(str(i), s) for i, s in dense], [(str(i), s) for i, s in sparse]],
            weights=[0.65, 0.35],
            normalization="zscore",
        )
        got = _convex_zscore(cands, cos, bm, 0.65, 0.35)
        assert [int(i) for i, _ in want] == [i for i, _ in got]
        assert all(abs(a[1] - b[1]) < 1e-9 for a, b in zip(want, got, strict=True))


def _convex_zscore_reference(
    cands: np.ndarray, cos: np.ndarray, bm: np.ndarray, w_dense: float, w_bm25: float
) -> list[tuple[int, float]]:
    """The retriever's array fusion as first written: numpy's mean and std, both ranks
    always computed with lexsort."""

    def z(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float64)
        std = float(x.std())
        return (x - x.mean()) / std if std > 0 else np.zeros_like(x)

    score = w_dense * z(cos) + w_bm25 * z(bm)
    rank = np.empty(len(cands), dtype=np.int64)
    best = np.full(len(cands), len(cands), dtype=np.int64)
    for values in (cos, bm):
        order = np.lexsort((cands, -values.astype(np.float64)))
        rank[order] = np.arange(len(cands))
        best = np.minimum(best, rank)
    keyed = sorted(
        zip(score.tolist(), best.tolist(), cands.tolist(), strict=True),
        key=lambda x: (-x[0], x[1], str(x[2])),
    )
    return [(int(i), float(s)) for s, _, i in keyed]


@pytest.mark.parametrize("values", ["continuous", "discrete", "mirrored"])
def test_the_array_fusion_is_bit_identical_to_its_reference(values: str) -> None:
    """Oracle, exact: same order and the same floats, with many ties (discrete scores),
    and fused ties between candidates that differ in each mode (mirrored scores, equal
    weights: (a, b) and (b, a) fuse to the same value, and the best rank decides)."""
    from hccqa.retrieval.retriever import _convex_zscore

    rng = np.random.default_rng(13)
    for _ in range(2000):
        n = int(rng.integers(1, 60))
        cands = np.array(sorted(rng.choice(500, n, replace=False)), dtype=np.int64)
        weights = (0.65, 0.35)
        if values == "discrete":  # a few distinct values: ties in each mode and fused
            cos = rng.integers(0, 3, n).astype(np.float32) / 4
            bm = rng.integers(0, 3, n).astype(np.float32)
        elif values == "mirrored":
            cos = rng.integers(0, 4, n).astype(np.float32)
            bm = rng.permutation(cos)
            weights = (0.5, 0.5)
        else:
            cos = rng.normal(size=n).astype(np.float32)
            bm = (rng.random(n) * 5).astype(np.float32)
        want = _convex_zscore_reference(cands, cos, bm, *weights)
        assert _convex_zscore(cands, cos, bm, *weights) == want
