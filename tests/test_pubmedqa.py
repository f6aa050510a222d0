"""PubMedQA benchmark: document-level scoring, file checks, and a tiny end-to-end run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hccqa.bench.pubmedqa import (
    doc_ranking,
    format_table,
    read_pqal,
    run_pubmedqa,
    score_rank,
    write_pubmedqa_report,
)
from hccqa.errors import CorpusError
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.types import Hit, Passage

ENTRIES = {
    "111": (
        "Does sorafenib prolong survival in liver cancer?",
        [
            "Sorafenib prolonged overall survival in advanced liver cancer patients.",
            "Toxicity was mild.",
        ],
    ),
    "222": (
        "Is hypoxia linked to angiogenesis in tumours?",
        ["Hypoxia induces HIF-1 which drives angiogenesis in tumours."],
    ),
    "333": (
        "Do statins lower cholesterol in the elderly?",
        ["Statins lowered cholesterol levels in elderly patients.", "Adherence was high."],
    ),
    "444": (
        "Does exercise improve sleep quality?",
        ["Regular exercise improved sleep quality in adults with insomnia."],
    ),
}


def write_data(path: Path) -> Path:
    data = {
        pmid: {"QUESTION": q, "CONTEXTS": ctx, "LABELS": ["RESULTS"] * len(ctx)}
        for pmid, (q, ctx) in ENTRIES.items()
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def hit(doc: str, i: int) -> Hit:
    return Hit(Passage(f"{doc}:p{i}", doc, "", "t"), 1.0, i + 1)


def test_score_rank_worked_values() -> None:
    # Relevant document at rank 2: not in top 1, in top 5 and 10; MRR 1/2; nDCG 1/log2(3).
    s = score_rank(2)
    assert (s["recall@1"], s["recall@5"], s["recall@10"]) == (0.0, 1.0, 1.0)
    assert s["mrr@10"] == 0.5
    assert s["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert score_rank(1)["ndcg@10"] == 1.0
    assert score_rank(None) == {k: 0.0 for k in s}


def test_doc_ranking_counts_a_document_at_its_first_passage() -> None:
    hits = [hit("a", 0), hit("a", 1), hit("b", 2), hit("a", 3), hit("c", 4)]
    assert doc_ranking(hits) == ["a", "b", "c"]
    assert doc_ranking(hits, depth=2) == ["a", "b"]


def test_read_pqal_errors(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="cannot read"):
        read_pqal(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CorpusError, match="not valid JSON"):
        read_pqal(bad)
    bad.write_text(json.dumps({"1": {"QUESTION": "q"}}), encoding="utf-8")
    with pytest.raises(CorpusError, match="lacks"):
        read_pqal(bad)


def test_run_end_to_end_with_fake_encoder(tmp_path: Path) -> None:
    data = write_data(tmp_path / "pqal.json")
    result = run_pubmedqa(data, embedder=HashingEmbedder(128), progress=False, workdir=tmp_path)
    assert result["n_questions"] == 4 and result["n_documents"] == 4
    assert result["n_passages"] >= 4
    assert set(result["modes"]) == {"bm25", "dense", "hybrid"}
    assert set(result["baselines"]) == {"plain_bm25", "plain_dense", "plain_rrf"}
    for metrics in result["modes"].values():
        assert {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "build_s"} <= set(metrics)
        assert {"latency_ms_p50", "latency_ms_p95"} <= set(metrics)
        assert metrics["n"] == 4
    # These questions share distinctive words with their own document only.
    assert result["modes"]["bm25"]["recall@1"] == 1.0
    assert result["modes"]["hybrid"]["recall@5"] == 1.0
    assert not list(tmp_path.glob("hccqa-pubmedqa-*"))  # temporary folder removed
    table = format_table(result)
    assert "hybrid" in table and "plain_rrf" in table
    paths = write_pubmedqa_report(result, tmp_path / "report")
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert json.loads(paths[0].read_text())["n_questions"] == 4


def test_limit(tmp_path: Path) -> None:
    data = write_data(tmp_path / "pqal.json")
    result = run_pubmedqa(
        data, embedder=HashingEmbedder(64), limit=2, baselines=False, progress=False
    )
    assert result["n_questions"] == 2 and result["baselines"] == {}
