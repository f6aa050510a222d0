"""Oracle tests: every ANN index kind against brute-force numpy inner product."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from hccqa.retrieval import ann


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _clustered(rng: np.random.Generator, n: int, d: int, centers: int = 20) -> np.ndarray:
    # Points near a few centres, like real embeddings: ANN recall is meaningful there.
    c = _unit(rng, centers, d)
    x = c[rng.integers(0, centers, n)] + 0.3 * _unit(rng, n, d)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _exact(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(q @ x.T), axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("n", [1, 7, 101, 997])
def test_flat_matches_brute_force_exactly(n: int) -> None:
    rng = np.random.default_rng(n)
    x, q = _unit(rng, n, 33), _unit(rng, 13, 33)
    index = ann.make_index(x, kind="flat")
    k = min(10, n)
    scores, ids = index.search(q, k)
    expected = q @ x.T
    # Scores are the exact inner products of the returned ids, in descending order.
    np.testing.assert_allclose(
        scores, np.take_along_axis(expected, ids, axis=1), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(scores, -np.sort(-expected, axis=1)[:, :k], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("kind", "n"),
    [
        ("hnsw", 1),
        ("hnsw", 499),
        ("ivf", 1001),
        ("ivf-sq8", 1001),
        ("ivf-pq", 1001),
        ("ivf", 10),
        ("ivf-pq", 10),
    ],
)
def test_approximate_kinds_recall_vs_brute_force(kind: str, n: int) -> None:
    rng = np.random.default_rng(7)
    x, q = _clustered(rng, n, 48), _clustered(rng, 25, 48)
    k = min(10, n)
    index = ann.make_index(x, kind=kind, nprobe=16)
    _, ids = index.search(q, k)
    truth = _exact(x, q, k)
    recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(ids, truth, strict=True)])
    assert recall >= 0.9, (kind, n, recall)
    assert ids.min() >= 0 and ids.max() < n


def test_auto_picks_by_size() -> None:
    assert ann.choose_kind(10) == "flat"
    assert ann.choose_kind(ann.FLAT_MAX - 1) == "flat"
    assert ann.choose_kind(ann.FLAT_MAX) == "hnsw"
    assert ann.choose_kind(ann.HNSW_MAX) == "ivf-pq"
    assert ann.choose_kind(10**9) == "ivf-pq"
    small = ann.make_index(_unit(np.random.default_rng(0), 50, 16))
    assert ann.describe(small) == "flat n=50 d=16"


def test_describe_and_knobs_survive_serialization() -> None:
    rng = np.random.default_rng(3)
    x = _clustered(rng, 2000, 32)
    hnsw = ann.make_index(x, kind="hnsw", ef_search=77)
    ivf = ann.make_index(x, kind="ivf-sq8", nprobe=9)
    for index in (hnsw, ivf):
        back = faiss.deserialize_index(faiss.serialize_index(index))
        assert ann.describe(back) == ann.describe(index)
    assert ann.describe(hnsw) == "hnsw(M=32, efConstruction=40, efSearch=77) n=2000 d=32"
    assert ann.describe(ivf) == f"ivf-sq8(nlist={ann.ivf_nlist(2000)}, nprobe=9) n=2000 d=32"
    ann.set_search_knob(hnsw, 12)
    assert "efSearch=12" in ann.describe(hnsw)


def test_ivf_pq_returns_refined_scores_and_keeps_its_knobs() -> None:
    rng = np.random.default_rng(5)
    x, q = _clustered(rng, 3001, 32), _clustered(rng, 9, 32)
    index = ann.make_index(x, kind="ivf-pq", nprobe=11)
    lists = ann.ivf_nlist(3001)
    assert ann.describe(index) == (
        f"ivf-pq(nlist={lists}, nprobe=11, pq=16x4fs, refine=fp16 k_factor=32) n=3001 d=32"
    )
    codes = faiss.downcast_index(faiss.downcast_index(index).base_index)
    assert codes.by_residual  # FAISS defaults to coding raw vectors: 0.91 recall at 10^6
    scores, ids = index.search(q, 5)
    # The refine step re-scores candidates on fp16 copies: inner products to ~1e-4.
    np.testing.assert_allclose(scores, np.take_along_axis(q @ x.T, ids, axis=1), atol=2e-4)
    back = faiss.deserialize_index(faiss.serialize_index(index))
    assert ann.describe(back) == ann.describe(index)
    ann.set_search_knob(back, 40)
    assert "nprobe=40," in ann.describe(back)
    assert ann.pq_subquantizers(384) == 192 and ann.pq_subquantizers(33) == 33


def test_ivf_nlist_has_enough_training_points() -> None:
    assert ann.ivf_nlist(1_000_000) == 4000
    assert ann.ivf_nlist(1000) == 25  # 4*sqrt(1000)=126 lists would get < 39 points each
    assert ann.ivf_nlist(5) == 1


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown index kind"):
        ann.make_index(np.zeros((3, 4), np.float32), kind="lsh")
    with pytest.raises(ValueError, match="2-D"):
        ann.make_index(np.zeros(4, np.float32))
