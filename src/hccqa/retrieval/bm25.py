"""BM25 over texts: built with ``bm25s``, queried without it.

``bm25s`` tokenizes and indexes (stemmed, English stopwords removed) when an index is
built; its score matrix (terms x documents, compressed by term) is kept in the index
folder, so a process that only asks questions loads three arrays and never imports
``bm25s`` (its package import pulls in scipy and tqdm: about 0.2 s of every cold start).
A query is tokenized by :func:`query_terms`, the same rules as ``bm25s.tokenize``.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer

from ..types import Passage
from ..understand.words import MEMO_CHARS, text_memo

DENSE_BM25_CELLS = 2_000_000  # a BM25 matrix this small (terms x documents) is kept dense
ARRAYS = ("vocab", "data", "indices", "indptr", "num_docs")
"""The arrays of one saved BM25 index (see :meth:`Bm25.arrays`)."""

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_local = threading.local()


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """``bm25s``'s English stopwords, read from its ``stopwords`` module file without
    importing the ``bm25s`` package."""
    try:
        spec = importlib.util.find_spec("bm25s")
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "stopwords.py"
        file_spec = importlib.util.spec_from_file_location("_hccqa_bm25s_stopwords", path)
        if file_spec is None or file_spec.loader is None:
            raise ImportError(f"cannot read {path}")
        module = importlib.util.module_from_spec(file_spec)
        file_spec.loader.exec_module(module)
        return frozenset(module.STOPWORDS_EN)
    except (AttributeError, ImportError, IndexError, OSError):
        # laid out otherwise (a zip, a new release): the package import, slower but sure
        from bm25s.stopwords import STOPWORDS_EN

        return frozenset(STOPWORDS_EN)


def _stemmer() -> Any:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@text_memo(MEMO_CHARS // 4)
def query_terms(text: str) -> tuple[str, ...]:
    """A query's BM25 terms, as ``bm25s.tokenize(stopwords="en", stemmer=...)`` makes
    them for documents: lower-cased ``\\w\\w+`` tokens, English stopwords removed, stemmed."""
    stop = stopwords()
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
    return tuple(_stemmer().stemWords(words))


def passage_text(passage: Passage) -> str:
    """What BM25 indexes of a passage: a text passage with its section title (a question
    about "the conclusion" finds the Conclusion section), a table row as it is."""
    if passage.kind == "text" and passage.section:
        return f"{passage.section}. {passage.text}"
    return passage.text


class Bm25:
    """A BM25 index over texts, stemmed, English stopwords removed.

    Built from ``texts`` with ``bm25s`` (Lucene BM25), or loaded from the arrays
    :meth:`arrays` returned. Scores are ``bm25s``'s own sums, bit for bit.

    Args:
        texts: The documents (ignored when ``arrays`` is given).
        stemmer: A PyStemmer stemmer for ``bm25s.tokenize``.
        lock: Held while tokenizing (the stemmer is not thread-safe).
        arrays: A saved index (:meth:`arrays`).
    """

    def __init__(
        self,
        texts: Sequence[str],
        stemmer: Any = None,
        lock: threading.Lock | None = None,
        *,
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self._stemmer, self._lock = stemmer, lock or threading.Lock()
        self._bm25: Any = None  # the bm25s index, when built here
        self._vocab: dict[str, int] = {}
        self._csc: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._dense: np.ndarray | None = None
        self._plain = True  # Lucene scores in float32: summed here; else bm25s sums them
        if arrays is not None:
            self.size = int(arrays["num_docs"])
            text = bytes(arrays["vocab"]).decode("utf-8")
            self._set(text.split("\n") if text else [], *(arrays[k] for k in ARRAYS[1:4]))
            return
        self.size = len(texts)
        if texts:
            tokens = self._tokenize(list(texts))
            if any(tokens):
                self._index(tokens)

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        with self._lock:
            out = bm25s.tokenize(
                texts,
                stopwords="en",
                stemmer=self._stemmer or Stemmer.Stemmer("english"),
                return_ids=False,
                show_progress=False,
            )
        return [list(t) for t in out]  # type: ignore[union-attr]

    def _index(self, tokens: list[list[str]]) -> None:
        import bm25s

        bm25s_log = logging.getLogger("bm25s")
        if bm25s_log.level == logging.DEBUG:  # bm25s sets DEBUG on import; its chatter is noise
            bm25s_log.setLevel(logging.WARNING)
        bm = self._bm25 = bm25s.BM25()
        bm.index(tokens, show_progress=False)
        self._plain = bm.nonoccurrence_array is None and np.dtype(bm.dtype) == np.float32
        matrix = bm.scores
        vocab = sorted(bm.vocab_dict, key=bm.vocab_dict.__getitem__)
        self._set(vocab, matrix["data"], matrix["indices"], matrix["indptr"])

    def _set(
        self, vocab: list[str], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray
    ) -> None:
        terms = len(indptr) - 1  # bm25s's vocabulary may end with "" (no column)
        self._vocab = {t: i for i, t in enumerate(vocab) if i < terms}
        self._csc = (np.asarray(data), np.asarray(indices), np.asarray(indptr))
        self._dense = _dense_scores(self._csc, self.size)

    def arrays(self) -> dict[str, np.ndarray] | None:
        """The index as plain arrays to save (no pickle), or None for a variant whose
        scores are not plain sums."""
        if not self._plain:
            return None
        if self._csc is None:  # no terms at all (empty texts, stopwords only)
            self._csc = (np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(1, np.int64))
        data, indices, indptr = self._csc
        vocab = sorted(self._vocab, key=self._vocab.__getitem__)  # ids 0 .. terms - 1
        # the terms as UTF-8, one per line (a token holds no line break): an array of
        # strings would pad every term to the longest one
        text = "\n".join(vocab).encode("utf-8")
        return {
            "vocab": np.frombuffer(text, dtype=np.uint8),
            "data": data,
            "indices": indices,
            "indptr": indptr,
            "num_docs": np.array(self.size, dtype=np.int64),
        }

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when no query term is known).

        The sums ``bm25s`` makes (its eager score matrix, term by term in query order),
        without its per-call layers: one vectorized add per term, exact because a term's
        column names each document once.
        """
        vocab = self._vocab
        ids = [vocab[t] for t in query_terms(query) if t in vocab]
        if not ids or self._csc is None:
            return np.zeros(self.size, dtype=np.float32)
        if not self._plain:  # other variants: bm25s sums them
            return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)
        dense = self._dense
        out = np.zeros(self.size, dtype=np.float32)
        if dense is not None:
            for t in ids:
                out += dense[t]  # + 0.0 where the term is absent: the same sums
            return out
        data, indices, indptr = self._csc
        for t in ids:
            start, end = indptr[t], indptr[t + 1]
            out[indices[start:end]] += data[start:end]
        return out


def _dense_scores(csc: tuple[np.ndarray, np.ndarray, np.ndarray], size: int) -> np.ndarray | None:
    """The BM25 score matrix as a dense terms x documents array, when it is small
    (:data:`DENSE_BM25_CELLS`): a query then adds one row per term."""
    data, indices, indptr = csc
    terms = len(indptr) - 1
    if terms * size > DENSE_BM25_CELLS:
        return None
    dense = np.zeros((terms, size), dtype=np.float32)
    end = int(indptr[-1])
    dense[np.repeat(np.arange(terms), np.diff(indptr)), indices[:end]] = data[:end]
    return dense


def check_arrays(arrays: Mapping[str, np.ndarray], num_docs: int) -> str | None:
    """What is wrong with a saved index meant for ``num_docs`` documents (None: nothing).

    The checks make a damaged or hand-made file an error at load, never a wrong score or
    an exception at the first question.
    """
    missing = [k for k in ARRAYS if k not in arrays]
    if missing:
        return f"missing {', '.join(missing)}"
    vocab, data, indices, indptr, docs = (arrays[k] for k in ARRAYS)
    if docs.shape != () or docs.dtype.kind not in "iu" or int(docs) != num_docs:
        return f"it is for {docs!r} documents, not {num_docs}"
    if vocab.ndim != 1 or vocab.dtype != np.uint8:
        return "its vocabulary is not UTF-8 text"
    try:
        terms = len(bytes(vocab).decode("utf-8").split("\n")) if vocab.size else 0
    except UnicodeDecodeError:
        return "its vocabulary is not UTF-8 text"
    if data.ndim != 1 or data.dtype != np.float32:
        return "its scores are not float32"
    if indices.ndim != 1 or indptr.ndim != 1 or indices.dtype.kind not in "iu":
        return "its term index is not one-dimensional integers"
    if indptr.dtype.kind not in "iu" or len(indptr) < 1 or len(indptr) - 1 > terms:
        return "its term offsets do not match its vocabulary"
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0) or indptr[-1] != len(data):
        return "its term offsets do not run from 0 to the number of scores"
    if len(indices) != len(data) or (
        len(indices) and not 0 <= indices.min() <= indices.max() < num_docs
    ):
        return "its document numbers are out of range"
    return None


@functools.lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """The versions of what tokenizes and scores (an index built with others is stale:
    its saved terms would not be the terms a query makes now)."""
    return {"bm25s": _version("bm25s", "bm25s"), "PyStemmer": _version("PyStemmer", "Stemmer")}


def _version(dist: str, module: str) -> str:
    """A distribution's version, from the name of its ``.dist-info`` folder beside the
    module (one folder listing; ``importlib.metadata`` scans every installed package:
    25 ms of each start), else from ``importlib.metadata``."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec else None
    if origin:
        folder = Path(origin).parent
        if spec and spec.submodule_search_locations:  # a package: its folder's parent
            folder = folder.parent
        prefix = f"{dist.lower().replace('-', '_')}-"
        for entry in folder.glob("*.dist-info"):
            name = entry.name[: -len(".dist-info")]
            if name.lower().startswith(prefix):
                return name[len(prefix) :]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "missing"


def save_arrays(indexes: Mapping[str, Bm25]) -> dict[str, np.ndarray]:
    """The arrays of several named indexes in one mapping (``<name>.<array>``), for one
    ``.npz`` file; an index with nothing to save is left out."""
    out: dict[str, np.ndarray] = {}
    for name, bm in indexes.items():
        arrays = bm.arrays()
        if arrays is not None:
            out.update({f"{name}.{k}": v for k, v in arrays.items()})
    return out


def load_arrays(saved: Mapping[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """The inverse of :func:`save_arrays`: name -> its arrays (complete ones only)."""
    grouped: dict[str, dict[str, np.ndarray]] = {}
    for key, value in saved.items():
        name, _, array = key.rpartition(".")
        grouped.setdefault(name, {})[array] = value
    return {name: a for name, a in grouped.items() if all(k in a for k in ARRAYS)}
