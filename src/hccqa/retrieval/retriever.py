"""Dense, BM25 and hybrid retrieval over a loaded :class:`~hccqa.retrieval.index.Index`.

A :class:`Retriever` is built once (BM25 tokenized, stemmer ready) and then
answers queries without loading a model, reading a file or rebuilding anything.
It is safe to share between threads: per-query state lives in local variables,
the query-embedding cache and the stemmer are guarded by locks, and the
timings of the last search are kept per thread.
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import Stemmer

from ..errors import InputError
from ..settings import MODES
from ..types import Hit, Passage, TableRow
from ..understand.expand import Expander
from . import fusion
from .bm25 import Bm25, passage_text
from .embed import Embedder
from .index import FlatOnDisk, Index, load_faiss

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FusionConfig:
    """How hybrid mode merges the dense and BM25 rankings (defaults tuned by measurement).

    Attributes:
        method: ``"convex"`` (normalized-score combination, plus ``rrf_weight`` times RRF)
            or ``"rrf"`` (weighted reciprocal rank fusion only).
        dense_weight: Weight of the dense ranking.
        bm25_weight: Weight of the BM25 ranking.
        normalization: Score normalization of the convex term (see :mod:`hccqa.retrieval.fusion`).
        rrf_weight: Weight of the reciprocal-rank term added to the convex term.
        rrf_k: The RRF constant.
        depth: Candidates taken from each ranking before fusion.
        expand_dense: Also feed the glossary-expanded query to the encoder (BM25 always gets it).
        expansion_weight: BM25 weight of the glossary expansion terms relative to the query's
            own terms (1.0 = appended as plain words). Down-weighting keeps the bridge from
            an abbreviation to its long form while a broad glossary (PubMedQA: 1,010
            abbreviations from unrelated abstracts) adds less noise: there, BM25 Recall@1
            0.938 at 1.0, 0.948 without expansion, 0.951 at 0.35.
    """

    method: str = "convex"
    dense_weight: float = 0.65
    bm25_weight: float = 0.35
    normalization: str = "zscore"
    rrf_weight: float = 0.0
    rrf_k: float = 60.0
    depth: int = 100
    expand_dense: bool = False
    expansion_weight: float = 0.35


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (ties by lower index)."""
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


EXACT_NUMPY_MAX = 20_000  # a flat inner-product index this small is searched with numpy


def exact_in_numpy(faiss_index: Any, vectors: np.ndarray) -> bool:
    """True when ``faiss_index`` is a small exact index over ``vectors`` (a flat inner
    product index of at most :data:`EXACT_NUMPY_MAX` of them): :func:`_dense_top` then
    searches it with numpy (and a :class:`~hccqa.retrieval.index.FlatOnDisk` is never read)."""
    if len(vectors) > EXACT_NUMPY_MAX:
        return False
    if isinstance(faiss_index, FlatOnDisk):
        return faiss_index.ntotal == len(vectors)
    return isinstance(faiss_index, load_faiss().IndexFlatIP) and faiss_index.ntotal == len(vectors)


def _dense_top(
    faiss_index: Any, vectors: np.ndarray, qvec: np.ndarray, depth: int, *, exact: bool
) -> list[tuple[int, float]]:
    """The ``depth`` passages nearest the query, as ``(index, cosine)``, best first.

    A small exact index (``exact``: see :func:`exact_in_numpy`) is searched with one
    numpy product: the ranking of FAISS's exact search (cosines may differ from its in
    the last bit; ties go to the lower index), without the call layers that cost more
    than the product itself on a few thousand vectors. Any other index is FAISS's.
    """
    if exact:
        cos = vectors @ qvec
        top = _top(cos, depth)
        return list(zip(top.tolist(), cos[top].tolist(), strict=True))
    # load_faiss() holds this thread to one OpenMP thread: libgomp keeps the count per
    # thread, and a thread that never set it (a web worker's) would search on every core
    load_faiss()
    scores, ids = faiss_index.search(qvec.reshape(1, -1), depth)
    return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0]


class Retriever:
    """Search passages and table rows by dense, BM25 or hybrid retrieval.

    Args:
        index: The loaded index (passages, rows, FAISS indexes, vectors).
        embedder: The encoder the index was built with.
        glossary: Abbreviation -> long form, for query expansion.
        config: Fusion settings for hybrid mode.
        cache_size: Query embeddings kept in the LRU cache.
        sentences: The corpus's sentences, in the order of the index's sentence
            vectors (``Corpus.sentences``), for sentence-level scoring.
    """

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        *,
        glossary: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        config: FusionConfig | None = None,
        cache_size: int = 256,
        sentences: Sequence[str] = (),
    ) -> None:
        if getattr(embedder, "dim", None) != index.passage_vectors.shape[1]:
            raise InputError(
                f"encoder {embedder.name!r} (dim {embedder.dim}) does not match the index "
                f"(dim {index.passage_vectors.shape[1]})"
            )
        self.index = index
        self.embedder = embedder
        self.glossary: list[tuple[str, str]] = list(
            glossary.items() if isinstance(glossary, Mapping) else (glossary or [])
        )
        self._expander = Expander(self.glossary)
        self.config = config or FusionConfig()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._local = threading.local()
        stem_lock = threading.Lock()
        stemmer = Stemmer.Stemmer("english")
        started = time.perf_counter()
        saved = index.bm25 or {}

        def bm25(name: str, texts: list[str]) -> Bm25:
            arrays = saved.get(name)  # saved by the build: no bm25s import, no tokenizing
            if arrays is not None and int(arrays["num_docs"]) == len(texts):
                return Bm25(texts, arrays=arrays)
            return Bm25(texts, stemmer, stem_lock)

        self._bm25 = bm25("passages", [passage_text(p) for p in index.passages])
        self._row_bm25 = bm25("rows", [r.text for r in index.rows])
        self.sentences = tuple(sentences)
        self._sentence_bm25 = bm25("sentences", list(self.sentences))
        self.bm25_build_ms = (time.perf_counter() - started) * 1000
        self._by_id = {p.id: i for i, p in enumerate(index.passages)}
        # decided once: asking a FAISS object its type and size costs microseconds a query
        self._exact = {
            "passages": exact_in_numpy(index.passage_index, index.passage_vectors),
            "rows": exact_in_numpy(index.row_index, index.row_vectors),
        }

    def variant(
        self,
        *,
        config: FusionConfig | None = None,
        glossary: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> Retriever:
        """A retriever over the same index, BM25 and query cache with other fusion/glossary.

        Args:
            config: Fusion settings of the variant (this one's when omitted).
            glossary: Its glossary; ``None`` means no query expansion.
        """
        other = copy.copy(self)
        other.config = config or self.config
        other.glossary = list(
            glossary.items() if isinstance(glossary, Mapping) else (glossary or [])
        )
        other._expander = Expander(other.glossary)
        other._local = threading.local()
        return other

    @property
    def passages(self) -> list[Passage]:
        """The indexed passages, in index order."""
        return self.index.passages

    @property
    def rows(self) -> list[TableRow]:
        """The indexed table rows, in index order."""
        return self.index.rows

    @property
    def last_timings(self) -> dict[str, float]:
        """Milliseconds per stage (expand, encode, dense, bm25, fusion) of the last query here."""
        return dict(getattr(self._local, "timings", {}))

    def encode_query(self, text: str) -> np.ndarray:
        """The unit-length embedding of ``text``, from a small LRU cache when seen recently."""
        with self._cache_lock:
            vec = self._cache.get(text)
            if vec is not None:
                self._cache.move_to_end(text)
                return vec
        vec = self.embedder.encode([text])[0]
        with self._cache_lock:
            self._cache[text] = vec
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec

    def expand(self, query: str) -> str:
        """The query with its glossary expansions appended."""
        return self._expander.expand(query) if self.glossary else query

    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> list[Hit]:
        """The k best passages for the query.

        Args:
            query: The text to search for.
            k: Number of hits (at most the number of passages).
            mode: ``"hybrid"``, ``"dense"`` or ``"bm25"``.

        Returns:
            Hits, best first, ranks from 1; ``Hit.modes`` lists the single-mode
            rankings that also placed the passage in their top ``max(k, 10)``.

        Raises:
            InputError: unknown mode or k < 1.
        """
        hits, timings = self.search_with_timings(query, k, mode)
        self._local.timings = timings
        return hits

    def cosines(self, query: str, passage_ids: Iterable[str]) -> dict[str, float]:
        """Cosine similarity of the query and each passage: the dense mode's score, for
        passages whichever mode retrieved them (the query's embedding is cached)."""
        qvec = self.encode_query(self._dense_text(query))
        vectors = self.index.passage_vectors
        return {pid: float(vectors[self._by_id[pid]] @ qvec) for pid in passage_ids}

    def sentence_scores(
        self, query: str, ids: Sequence[int], mode: str = "hybrid"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine and BM25 scores of the query against some of the corpus sentences.

        Args:
            query: The search text.
            ids: Indices into :attr:`sentences`.
            mode: ``"dense"`` leaves BM25 at zero, ``"bm25"`` the cosines.

        Returns:
            ``(cosines, bm25)``, one value per id.
        """
        idx = np.asarray(list(ids), dtype=np.int64)
        cos = np.zeros(len(idx), dtype=np.float32)
        bm = np.zeros(len(idx), dtype=np.float32)
        vectors = self.index.sentence_vectors
        if len(idx) == 0:
            return cos, bm
        if mode != "bm25" and vectors is not None and len(vectors) == len(self.sentences):
            cos = vectors[idx] @ self.encode_query(self._dense_text(query))
        if mode != "dense" and self.sentences:
            scores = self._sentence_bm25.scores(query)
            extra = self._expander.expansions(query) if self.glossary else []
            if extra:
                scores = scores + self.config.expansion_weight * self._sentence_bm25.scores(
                    " ".join(extra)
                )
            bm = scores[idx]
        return cos, bm

    def _dense_text(self, query: str) -> str:
        """What the encoder sees for ``query``: the query, glossary-expanded when configured."""
        return self.expand(query) if self.config.expand_dense else query

    def search_with_timings(
        self, query: str, k: int = 10, mode: str = "hybrid"
    ) -> tuple[list[Hit], dict[str, float]]:
        """Like :meth:`search`, also returning milliseconds per stage."""
        found, timings = self.ranked(query, k, mode)
        hits = [Hit(p, score, rank, modes) for rank, (p, score, modes) in enumerate(found, 1)]
        return hits, timings

    def ranked(
        self, query: str, k: int = 10, mode: str = "hybrid"
    ) -> tuple[list[tuple[Passage, float, tuple[str, ...]]], dict[str, float]]:
        """Like :meth:`search_with_timings`, as ``(passage, score, modes)`` triples, best
        first (for a caller that re-ranks them and builds its own hits)."""
        _check(k, mode)
        ranked, found, timings = self._rank(
            query,
            k,
            mode,
            self.index.passage_vectors,
            self.index.passage_index,
            self._bm25,
            exact=self._exact["passages"],
        )
        passages = self.index.passages
        return [(passages[i], float(score), found.get(i, ())) for i, score in ranked], timings

    def search_rows(
        self, query: str, k: int = 5, mode: str = "hybrid"
    ) -> list[tuple[TableRow, float]]:
        """Table rows that match the query directly, best first.

        Args:
            query: The text to search for.
            k: Number of rows.
            mode: Ranking mode, as for :meth:`search`.

        Returns:
            ``(row, cosine)`` pairs ranked by ``mode``; the score is the cosine
            similarity of the query and the row as the index embedded it (its table's
            title and its labeled cells), comparable across queries so that callers can
            apply an absolute threshold.
        """
        _check(k, mode)
        if not self.index.rows:
            return []
        ranked, _, _ = self._rank(
            query,
            k,
            mode,
            self.index.row_vectors,
            self.index.row_index,
            self._row_bm25,
            exact=self._exact["rows"],
        )
        qvec = self.encode_query(query)
        vecs = self.index.row_vectors
        return [(self.index.rows[i], float(vecs[i] @ qvec)) for i, _ in ranked]

    def _rank(
        self,
        query: str,
        k: int,
        mode: str,
        vectors: np.ndarray,
        faiss_index: Any,
        bm25: Bm25,
        *,
        exact: bool = False,
    ) -> tuple[list[tuple[int, float]], dict[int, tuple[str, ...]], dict[str, float]]:
        cfg = self.config
        n = len(vectors)
        k = min(k, n)
        depth = min(max(cfg.depth, k), n)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        extra = self._expander.expansions(query) if self.glossary else []
        timings["expand"] = _ms(t0)

        dense: list[tuple[int, float]] = []
        qvec: np.ndarray | None = None
        if mode in ("dense", "hybrid"):
            t0 = time.perf_counter()
            qvec = self.encode_query(self._dense_text(query))
            timings["encode"] = _ms(t0)
            t0 = time.perf_counter()
            dense = _dense_top(faiss_index, vectors, qvec, depth, exact=exact)
            timings["dense"] = _ms(t0)

        sparse: list[tuple[int, float]] = []
        bm25_all: np.ndarray | None = None
        if mode in ("bm25", "hybrid"):
            t0 = time.perf_counter()
            bm25_all = bm25.scores(query)
            if extra:
                bm25_all = bm25_all + cfg.expansion_weight * bm25.scores(" ".join(extra))
            top = _top(bm25_all, depth)
            sparse = list(zip(top.tolist(), bm25_all[top].tolist(), strict=True))
            timings["bm25"] = _ms(t0)

        t0 = time.perf_counter()
        window = max(k, 10)
        found: dict[int, tuple[str, ...]] = dict.fromkeys([i for i, _ in dense[:window]], _DENSE)
        for i, score in sparse[:window]:
            if score > 0:  # a zero BM25 score shares no term
                found[i] = _BOTH if i in found else _BM25
        if mode == "dense":
            ranked = dense[:k]
        elif mode == "bm25":
            ranked = sparse[:k]
        else:
            assert qvec is not None and bm25_all is not None
            ranked = self._fuse(dense, sparse, vectors, qvec, bm25_all)[:k]
        timings["fusion"] = _ms(t0)
        return ranked, found, timings

    def _fuse(
        self,
        dense: list[tuple[int, float]],
        sparse: list[tuple[int, float]],
        vectors: np.ndarray,
        qvec: np.ndarray,
        bm25_all: np.ndarray,
    ) -> list[tuple[int, float]]:
        """Fuse over the union of candidates, scoring each candidate exactly in both modes."""
        cfg = self.config
        cands = np.array(sorted({i for i, _ in dense} | {i for i, _ in sparse}), dtype=np.int64)
        cos = vectors[cands] @ qvec
        if cfg.method == "convex" and cfg.rrf_weight == 0 and cfg.normalization == "zscore":
            return _convex_zscore(cands, cos, bm25_all[cands], cfg.dense_weight, cfg.bm25_weight)
        dense_full = sorted(
            zip(cands.tolist(), cos.tolist(), strict=True), key=lambda x: (-x[1], x[0])
        )
        bm_full = sorted(
            zip(cands.tolist(), bm25_all[cands].tolist(), strict=True), key=lambda x: (-x[1], x[0])
        )
        rankings = [[(str(i), s) for i, s in dense_full], [(str(i), s) for i, s in bm_full]]
        weights = [cfg.dense_weight, cfg.bm25_weight]
        if cfg.method == "rrf":
            # Plain RRF over each mode's own top-depth list, as usually implemented.
            fused = fusion.rrf(
                [[(str(i), s) for i, s in dense], [(str(i), s) for i, s in sparse]],
                k=cfg.rrf_k,
                weights=weights,
            )
            return [(int(i), s) for i, s in fused]
        fused = fusion.fuse(
            rankings,
            weights=weights,
            normalization=cfg.normalization,
            rrf_k=cfg.rrf_k,
            rrf_weight=cfg.rrf_weight,
        )
        return [(int(i), s) for i, s in fused]


def _convex_zscore(
    cands: np.ndarray, cos: np.ndarray, bm: np.ndarray, w_dense: float, w_bm25: float
) -> list[tuple[int, float]]:
    """:func:`fusion.fuse` with z-score normalization and no RRF term, on arrays: the
    same scores and the same order (ties by the best rank in either mode, then by the
    id as text), without building a dict per ranking on every query."""
    score = w_dense * _zscore(cos.astype(np.float64)) + w_bm25 * _zscore(bm.astype(np.float64))
    ids = cands.tolist()
    order = np.argsort(-score, kind="stable")
    ordered = score[order]
    if not (ordered[1:] == ordered[:-1]).any():  # no ties: the score alone decides
        return list(zip([ids[j] for j in order.tolist()], ordered.tolist(), strict=True))
    best = [len(ids)] * len(ids)
    for values in (cos.tolist(), bm.tolist()):
        ranking = sorted(range(len(ids)), key=lambda j: (-values[j], ids[j]))
        for rank, j in enumerate(ranking):
            best[j] = min(best[j], rank)
    keyed = sorted(
        zip(score.tolist(), best, ids, strict=True),
        key=lambda x: (-x[0], x[1], str(x[2])),
    )
    return [(i, s) for s, _, i in keyed]


_DENSE, _BM25, _BOTH = ("dense",), ("bm25",), ("dense", "bm25")


def _zscore(x: np.ndarray) -> np.ndarray:
    """``(x - x.mean()) / x.std()`` (zeros when the spread is 0), with numpy's own sums:
    the same values as those methods, at a fraction of their call overhead on the few
    dozen candidates of a query."""
    n = len(x)
    d = x - np.add.reduce(x) / n
    std = math.sqrt(np.add.reduce(d * d) / n)
    return d / std if std > 0 else np.zeros_like(x)


def _check(k: int, mode: str) -> None:
    if mode not in MODES:
        raise InputError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
    if isinstance(k, bool) or not isinstance(k, int):
        raise InputError(f"k must be a whole number, got {k!r}")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)
