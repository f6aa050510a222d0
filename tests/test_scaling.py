"""hccqa.bench.scaling on small synthetic corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hccqa.bench import scaling


def test_synthetic_vectors_are_unit_deterministic_and_clustered() -> None:
    x = scaling.synthetic_vectors(500, seed=3, chunk=128)  # odd chunking on purpose
    assert x.shape == (500, scaling.DIM) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(x, scaling.synthetic_vectors(500, seed=3, chunk=128))
    # Structured like embeddings: nearest neighbours are much closer than random pairs.
    sims = x @ x.T
    np.fill_diagonal(sims, -1)
    assert np.median(sims.max(axis=1)) > 0.3 > 10 * abs(float(np.median(sims)))


def test_synthetic_texts_shape() -> None:
    texts = scaling.synthetic_texts(20, words=7, seed=1)
    assert len(texts) == 20 and all(len(t.split()) == 7 for t in texts)
    assert texts == scaling.synthetic_texts(20, words=7, seed=1)


def test_flat_is_exact_and_sweeps_give_one_point_per_knob() -> None:
    x = scaling.synthetic_vectors(700, seed=1)
    q = scaling.synthetic_vectors(20, seed=2)
    truth = np.argsort(-(q @ x.T), axis=1)[:, :10]
    (flat,) = scaling.measure_kind(x, q, truth, "flat", (1, 2))
    assert flat.recall_at_10 == 1.0 and flat.knob is None and flat.n == 700
    hnsw = scaling.measure_kind(x, q, truth, "hnsw", (8, 128))
    assert [p.knob for p in hnsw] == [8, 128]
    assert hnsw[1].recall_at_10 >= hnsw[0].recall_at_10
    assert hnsw[1].recall_at_10 >= 0.95


def _point(kind: str, p50: float, recall: float) -> scaling.ScalingPoint:
    return scaling.ScalingPoint(100, kind, 1, kind, 0.1, 1.0, p50, p50, recall)


def test_best_point_is_fastest_reaching_target_else_most_accurate() -> None:
    fast_bad, slow_good, slower_good = (
        _point("a", 1, 0.5),
        _point("b", 3, 0.96),
        _point("c", 9, 0.99),
    )
    assert scaling.best_point([fast_bad, slower_good, slow_good]) is slow_good
    assert scaling.best_point([fast_bad, _point("d", 2, 0.9)]).kind == "d"


def test_run_scaling_table_and_chart(tmp_path: Path) -> None:
    seen: list[int] = []
    result = scaling.run_scaling(
        [300, 1000], ["flat", "ivf"], queries=10, bm25_max=300, on_point=lambda r: seen.append(1)
    )
    assert [b["n"] for b in result["best"]] == [300, 300, 1000, 1000]
    assert [b["n"] for b in result["bm25"]] == [300]
    assert len(seen) == 5  # 4 index measurements + 1 BM25
    table = scaling.format_table(result)
    assert "| 1,000 | flat |" in table and "BM25" in table
    chart = tmp_path / "s.png"
    scaling.write_chart(result, chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hnsw_is_skipped_above_its_size_limit() -> None:
    result = scaling.run_scaling(
        [300, 1000], ["hnsw", "ivf-pq"], queries=5, bm25_max=0, hnsw_max=500
    )
    assert [(b["n"], b["kind"]) for b in result["best"]] == [
        (300, "hnsw"),
        (300, "ivf-pq"),
        (1000, "ivf-pq"),
    ]
