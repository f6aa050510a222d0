"""Retriever: modes, fusion over exact scores, rows, timings, thread safety."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import Stemmer
from tablefakes import make_row

from hccqa.errors import InputError
from hccqa.retrieval import bm25
from hccqa.retrieval import retriever as module
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.retrieval.index import build_index
from hccqa.retrieval.retriever import FusionConfig, Retriever, _top
from hccqa.types import Passage, TableRow

TEXTS = [
    "Sorafenib is a multikinase inhibitor that prolongs survival in advanced HCC.",
    "Resistance to sorafenib arises through activation of the PI3K/Akt pathway.",
    "Hypoxia after anti-angiogenic therapy induces HIF-1alpha and drives resistance.",
    "EGFR and HER-3 reduce the susceptibility of HCC cells to sorafenib.",
    "Bevacizumab targets VEGF-A and was tested with erlotinib in HCC.",
    "Epithelial-mesenchymal transition is linked to acquired sorafenib resistance.",
    "Autophagy can protect tumour cells from sorafenib-induced death.",
]
GLOSSARY = {"EMT": "epithelial-mesenchymal transition"}


@dataclass(frozen=True)
class Corpus:
    passages: tuple[Passage, ...]
    rows: tuple[TableRow, ...]
    sha256: str = "a" * 64
    glossary: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def retriever(tmp_path: Path) -> Retriever:
    passages = tuple(
        Passage(f"review:p{i:03d}", "review", "Results", t) for i, t in enumerate(TEXTS)
    )
    rows = (
        make_row("trials", ref="10", author="Llovet et al", year="2008", phase="III", outcome="OS"),
        make_row("mechanisms", ref="24", author="Chen et al", year="2011", pathway="PI3K/Akt"),
        make_row("mechanisms", ref="30", author="Wu et al", year="2013", pathway="Autophagy"),
    )
    emb = HashingEmbedder(128)
    index = build_index(Corpus(passages, rows), emb, tmp_path / "index", progress=False)
    return Retriever(index, emb, glossary=GLOSSARY)


def test_top_orders_and_breaks_ties_by_index() -> None:
    assert _top(np.array([0.1, 0.5, 0.5, 0.9]), 3).tolist() == [3, 1, 2]
    assert _top(np.array([1.0]), 5).tolist() == [0]
    assert _top(np.array([]), 3).tolist() == []


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_modes_return_ranked_hits(retriever: Retriever, mode: str) -> None:
    hits = retriever.search("autophagy protects tumour cells", k=3, mode=mode)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].passage.id == "review:p006"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert mode in hits[0].modes or mode == "hybrid"


def test_hybrid_marks_modes_that_found_it(retriever: Retriever) -> None:
    top = retriever.search("autophagy protects tumour cells", k=3)[0]
    assert set(top.modes) == {"dense", "bm25"}


def test_bm25_uses_glossary_expansion(retriever: Retriever) -> None:
    # "EMT" occurs in no passage; its long form does.
    hits = retriever.search("EMT", k=1, mode="bm25")
    assert hits[0].passage.id == "review:p005" and hits[0].score > 0
    plain = Retriever(retriever.index, retriever.embedder)
    assert plain.search("EMT", k=1, mode="bm25")[0].score == 0
    # Expansion terms count at expansion_weight (0.35) of the query's own terms.
    long_form = plain.search("epithelial-mesenchymal transition", k=1, mode="bm25")[0]
    assert hits[0].score == pytest.approx(0.35 * long_form.score, rel=1e-5)


def test_hybrid_equals_naive_convex_over_all_passages(retriever: Retriever) -> None:
    # With depth >= corpus size the candidates are all passages; recompute z-score convex by hand.
    q = "sorafenib resistance pathway"
    cfg = retriever.config
    vec = retriever.embedder.encode([q])[0]
    dense = retriever.index.passage_vectors @ vec
    bm = retriever._bm25.scores(retriever.expand(q))

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std() if x.std() > 0 else np.zeros_like(x)

    want = cfg.dense_weight * z(dense) + cfg.bm25_weight * z(bm)
    hits = retriever.search(q, k=len(TEXTS))
    assert [h.passage.id for h in hits][0] == f"review:p{int(np.argmax(want)):03d}"
    got = {h.passage.id: h.score for h in hits}
    for i, score in enumerate(want):
        assert got[f"review:p{i:03d}"] == pytest.approx(float(score), abs=1e-5)


def test_rrf_method(retriever: Retriever) -> None:
    rrf = Retriever(retriever.index, retriever.embedder, config=FusionConfig(method="rrf"))
    hits = rrf.search("autophagy protects tumour cells", k=2)
    assert hits[0].passage.id == "review:p006"
    # p006 is first in both the dense and the BM25 list: 0.65/61 + 0.35/61.
    assert hits[0].score == pytest.approx(1 / 61)


def test_search_rows(retriever: Retriever) -> None:
    rows = retriever.search_rows("Chen 2011 PI3K/Akt", k=2)
    assert rows[0][0].id == "mechanisms:24"
    assert -1.0 <= rows[0][1] <= 1.0
    assert len(retriever.search_rows("sorafenib", k=10)) == 3


def test_timings_and_bad_input(retriever: Retriever) -> None:
    retriever.search("hypoxia", k=2)
    assert set(retriever.last_timings) >= {"encode", "dense", "bm25", "fusion"}
    _, timings = retriever.search_with_timings("hypoxia", k=2, mode="bm25")
    assert "encode" not in timings and "bm25" in timings
    with pytest.raises(InputError, match="mode"):
        retriever.search("x", mode="sparse")
    with pytest.raises(InputError, match="k must"):
        retriever.search("x", k=0)


def test_query_embedding_cache_is_bounded(retriever: Retriever) -> None:
    small = Retriever(retriever.index, retriever.embedder, cache_size=2)
    for q in ("a", "b", "c", "a"):
        small.encode_query(q)
    assert list(small._cache) == ["c", "a"]


def test_threads_get_same_results(retriever: Retriever) -> None:
    queries = [t.split()[0] + " resistance" for t in TEXTS] * 5
    serial = [[h.passage.id for h in retriever.search(q, k=3)] for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(
            pool.map(lambda q: [h.passage.id for h in retriever.search(q, k=3)], queries)
        )
    assert parallel == serial


@pytest.mark.parametrize("dense", [True, False])
def test_bm25_scores_are_exactly_bm25s_own(monkeypatch: pytest.MonkeyPatch, dense: bool) -> None:
    """Oracle: the retriever's BM25 sums equal ``bm25s.BM25.get_scores`` bit for bit, with
    the matrix kept dense (small) or sparse (large), repeated query words included."""
    if not dense:
        monkeypatch.setattr(bm25, "DENSE_BM25_CELLS", 0)
    rng = random.Random(11)
    # stopwords, and words whose stems are stopwords ("ins" -> "in"), in texts and queries
    words = [f"w{i}x" for i in range(60)] + ["colony", "colonies", "mites", "queen"]
    words += ["the", "of", "ins", "ons", "ifs"]
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 30))) for _ in range(78)]
    texts += ["", "the of and"]  # an empty text and one of stopwords only
    bm = bm25.Bm25(texts, Stemmer.Stemmer("english"), threading.Lock())
    assert (bm._dense is not None) == dense
    # the same index saved as arrays and loaded, as an index folder holds it
    arrays = bm.arrays()
    assert arrays is not None
    loaded = bm25.Bm25([], arrays=arrays)
    for _ in range(200):
        query = " ".join(rng.choices(words + ["unseen"], k=rng.randint(1, 8)))
        terms = [t for t in bm25.query_terms(query) if t in bm._bm25.vocab_dict]
        want = bm._bm25.get_scores(terms) if terms else np.zeros(len(texts), np.float32)
        for got in (bm.scores(query), loaded.scores(query)):
            assert got.dtype == np.float32
            assert np.array_equal(got, want)


@pytest.mark.parametrize("numpy_path", [True, False])
def test_dense_top_ranks_as_faiss_exact_search(
    monkeypatch: pytest.MonkeyPatch, numpy_path: bool
) -> None:
    """Oracle: the dense top of a flat index, searched with numpy (small) or by FAISS
    (over the size limit), is FAISS's own ranking with its cosines; an approximate index
    is always FAISS's to search."""
    import faiss

    if not numpy_path:
        monkeypatch.setattr(module, "EXACT_NUMPY_MAX", 10)
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    flat = faiss.IndexFlatIP(16)
    flat.add(vectors)
    faiss_search = flat.search
    calls: list[int] = []
    monkeypatch.setattr(flat, "search", lambda x, k: (calls.append(k), faiss_search(x, k))[1])
    for depth in (1, 7, 40, 300):
        for _ in range(25):
            q = rng.standard_normal(16).astype(np.float32)
            q /= np.linalg.norm(q)
            exact = module.exact_in_numpy(flat, vectors)
            got = module._dense_top(flat, vectors, q, depth, exact=exact)
            scores, ids = faiss_search(q.reshape(1, -1), depth)
            assert [i for i, _ in got] == ids[0].tolist()
            assert np.allclose([s for _, s in got], scores[0], atol=1e-6)
    assert len(calls) == (0 if numpy_path else 100)
    hnsw = faiss.IndexHNSWFlat(16, 8, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    hnsw_search = hnsw.search
    monkeypatch.setattr(hnsw, "search", lambda x, k: (calls.append(k), hnsw_search(x, k))[1])
    calls.clear()
    assert not module.exact_in_numpy(hnsw, vectors)
    module._dense_top(hnsw, vectors, vectors[3], 5, exact=False)
    assert calls == [5]


def test_faiss_searches_on_one_thread_from_any_thread() -> None:
    """OpenMP keeps its thread count per thread: a worker thread that set nothing (or
    set more) still searches on one."""
    import faiss

    vectors = np.eye(8, dtype=np.float32)
    flat = faiss.IndexFlatIP(8)
    flat.add(vectors)
    seen: list[int] = []

    def worker() -> None:
        faiss.omp_set_num_threads(3)  # as a thread that never set it could run: on all cores
        module._dense_top(flat, vectors, vectors[2], 3, exact=False)
        seen.append(faiss.omp_get_max_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [1]


def test_bm25s_stopwords_are_read_without_importing_bm25s() -> None:
    from bm25s.stopwords import STOPWORDS_EN

    bm25.stopwords.cache_clear()
    assert bm25.stopwords() == frozenset(STOPWORDS_EN)


def test_texts_without_a_term_save_an_empty_index_that_scores_zero() -> None:
    bm = bm25.Bm25(["", "the of and"], Stemmer.Stemmer("english"), threading.Lock())
    arrays = bm.arrays()
    assert arrays is not None and bm25.check_arrays(arrays, 2) is None
    loaded = bm25.Bm25([], arrays=arrays)
    assert np.array_equal(loaded.scores("colony of the queen"), np.zeros(2, np.float32))


def test_bm25_versions_are_the_installed_ones() -> None:
    """Oracle: read off the .dist-info folders, the versions importlib.metadata gives."""
    from importlib.metadata import version

    assert bm25.versions() == {"bm25s": version("bm25s"), "PyStemmer": version("PyStemmer")}
