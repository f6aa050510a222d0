"""The on-disk index: build, save atomically, load and validate.

An index folder holds, for one build id ``<b>``::

    passages-<b>.faiss   rows-<b>.faiss      FAISS indexes (faiss.write_index)
    passages-<b>.npy     rows-<b>.npy        the unit-length vectors (numpy, no pickle)
    sentences-<b>.npy                        the sentence vectors
    bm25-<b>.npz                             BM25 score matrices of passages, rows, sentences
    ids-<b>.json                             passage and row ids, in index order
    meta.json                                model, backend, dimension, counts, corpus sha256, ...

``meta.json`` is written last with ``os.replace`` and names the build id, so it
is the single commit point: a build interrupted at any moment leaves the
previous ``meta.json`` and the files it names untouched and loadable. Files of
older builds are removed after the commit.

``meta.json`` also records the size and checksum of every file the build wrote,
and loading verifies each file before parsing it (:mod:`.storage`): a file damaged
or replaced since the build is a damaged index, refused with the file's name or
rebuilt, like a structural fault. Builds take turns through the folder's build
lock, and an auto-build that had to wait looks again and loads the index the
other process built.

BM25 is built with ``bm25s`` here and saved as plain arrays (:mod:`.bm25`): a process
that loads the index scores BM25 without importing ``bm25s`` or tokenizing the corpus.
An index without them (an :class:`Index` made in memory) gets BM25 built when the
retriever is created.

A flat FAISS index is left on disk when an index loads (:class:`FlatOnDisk`): the
retriever searches a small one with numpy over the saved vectors, so a process that
only answers questions never imports FAISS (~0.07 s of its start). It is read on the
first call that needs FAISS itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zipfile import BadZipFile

import numpy as np

from ..corpus.glossary import ScopedSpellOut
from ..errors import IndexStateError
from ..types import Passage, TableRow
from . import storage
from .bm25 import Bm25, check_arrays, load_arrays, passage_text, save_arrays, versions
from .embed import Embedder

if TYPE_CHECKING:
    import faiss

log = logging.getLogger(__name__)

# 2: a checksum of every file in meta.json; 3: sentence vectors; 4: the texts encoded with
# the corpus's abbreviations spelled out (corpus.glossary.SpellOut); 5: a row's own vector
# and its sentence's read its table's title and column names (_labeled_row); 6: an
# abbreviation several documents define is spelled out only in each of them (ScopedSpellOut);
# 7: a table gets the abbreviations whose definitions agree; rows labeled by id, not text;
# 8: the BM25 score matrices (bm25-<b>.npz); 9: a footnote of abbreviations is a passage
FORMAT_VERSION = 9
META = "meta.json"


class IndexableCorpus(Protocol):
    """What the index needs from a corpus (``hccqa.corpus.Corpus`` satisfies it)."""

    @property
    def passages(self) -> Sequence[Passage]: ...

    @property
    def rows(self) -> Sequence[TableRow]: ...

    @property
    def sha256(self) -> str: ...


def load_faiss() -> Any:
    """The ``faiss`` module, imported on first need, with the calling thread held to one
    OpenMP thread (the count is kept per thread; see
    :func:`hccqa.retrieval.embed._set_threads`)."""
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


class FlatOnDisk:
    """A flat inner-product FAISS index of a loaded index folder, read on first use.

    ``ntotal`` and ``d`` are known without reading it (the build recorded its type, and
    the vectors saved beside it have its shape; both files' checksums were verified).
    Any other attribute reads the file and hands over to the FAISS index.

    Args:
        path: The ``.faiss`` file.
        ntotal: Number of vectors it holds.
        d: Their dimension.
    """

    def __init__(self, path: Path, ntotal: int, d: int) -> None:
        self.path = path
        self.ntotal = ntotal
        self.d = d
        self._index: Any = None
        self._lock = threading.Lock()

    def read(self) -> faiss.Index:
        """The FAISS index (read once).

        Raises:
            IndexStateError: the file cannot be read or holds other vectors than recorded.
        """
        with self._lock:
            if self._index is None:
                try:
                    index = load_faiss().read_index(str(self.path))
                except RuntimeError as exc:
                    raise IndexStateError(
                        f"index file {str(self.path)!r} is damaged ({exc}); run `hccqa build`"
                    ) from exc
                if (index.ntotal, index.d) != (self.ntotal, self.d):
                    raise IndexStateError(
                        f"index file {str(self.path)!r} holds {index.ntotal} vectors of "
                        f"dimension {index.d}, not {self.ntotal} of {self.d}; run `hccqa build`"
                    )
                self._index = index
            return self._index

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # its own attributes, before __init__ (copy, pickle)
            raise AttributeError(name)
        return getattr(self.read(), name)

    def __reduce__(self) -> tuple[Any, ...]:
        """Copied or pickled as the file it stands for (the lock is not copied)."""
        return (FlatOnDisk, (self.path, self.ntotal, self.d))


@dataclass
class Index:
    """A loaded index: the corpus items, their FAISS indexes and vectors, and the metadata.

    A loaded folder's flat FAISS indexes are :class:`FlatOnDisk` until first used.
    """

    passages: list[Passage]
    rows: list[TableRow]
    passage_index: faiss.Index | FlatOnDisk
    row_index: faiss.Index | FlatOnDisk
    passage_vectors: np.ndarray
    row_vectors: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    sentence_vectors: np.ndarray | None = None  # one per corpus sentence (Corpus.sentences)
    bm25: dict[str, dict[str, np.ndarray]] | None = None  # name -> saved arrays (.bm25)


def _make_index(vectors: np.ndarray) -> faiss.Index:
    """The FAISS index for these vectors (the ann layer picks the type by size when present)."""
    faiss = load_faiss()
    try:
        from .ann import make_index
    except ImportError:
        index = faiss.IndexFlatIP(int(vectors.shape[1]))
        index.add(vectors)
        return index
    return make_index(vectors)


def _item_text(item: Passage) -> str:
    # The section title gives short passages context the encoder can use.
    return f"{item.section}. {item.text}" if item.section else item.text


def _spell_out(
    corpus: IndexableCorpus, passages: list[Passage], rows: list[TableRow], n_sentences: int
) -> tuple[ScopedSpellOut, list[str]]:
    """The speller of the corpus's abbreviations, and the document of each text to encode
    (passages, rows, sentences; "" where a sentence's passage is not known)."""
    documents: dict[str, list[str]] = {}
    for p in passages:
        if p.kind != "row":
            documents.setdefault(p.doc_id, []).append(p.text)
    spell = ScopedSpellOut(
        dict(getattr(corpus, "glossary", None) or {}),
        {doc: "\n".join(texts) for doc, texts in documents.items()},
    )
    of_sentence = [""] * n_sentences
    for p, ids in zip(passages, getattr(corpus, "sentence_map", None) or (), strict=False):
        for i in ids:
            if i < n_sentences and not of_sentence[i]:
                of_sentence[i] = p.doc_id
    return spell, [p.doc_id for p in passages] + [r.table for r in rows] + of_sentence


def _labeled_row(row: TableRow, title: str) -> str:
    """What the encoder reads for a row's own vector and its sentence's: its table's title
    and each cell with its column name ("Trials of X. year: 2001; drug: Y; outcome: Z");
    a reference-number key is left out. The row passage keeps the printed line."""
    cells = row.cells[1:] if row.ref is not None else row.cells
    body = "; ".join(f"{column}: {value}" for column, value in cells)
    title = title.rstrip(". ")
    return f"{title}. {body}" if title else body


def _json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _files(build: str) -> dict[str, str]:
    return {
        "passages_faiss": f"passages-{build}.faiss",
        "rows_faiss": f"rows-{build}.faiss",
        "passages_npy": f"passages-{build}.npy",
        "rows_npy": f"rows-{build}.npy",
        "sentences_npy": f"sentences-{build}.npy",
        "bm25": f"bm25-{build}.npz",
        "ids": f"ids-{build}.json",
    }


def build_index(
    corpus: IndexableCorpus,
    embedder: Embedder,
    index_dir: str | Path,
    *,
    progress: bool = True,
    batch_size: int = 32,
) -> Index:
    """Encode the corpus passages and table rows and write the index atomically.

    Args:
        corpus: The corpus (passages, rows, sha256).
        embedder: The encoder; its ``name`` and ``dim`` go into the metadata.
        index_dir: Folder to write into (created if missing).
        progress: Show a progress bar while encoding.
        batch_size: Encoding batch size.

    Returns:
        The freshly built index, ready for a :class:`~hccqa.retrieve.Retriever`.

    Raises:
        IndexStateError: the folder cannot be written.
    """
    if not corpus.passages:
        raise IndexStateError("the corpus has no passages to index; check the corpus folder")
    with storage.build_lock(index_dir):
        return _build(corpus, embedder, Path(index_dir), progress=progress, batch_size=batch_size)


def _build(
    corpus: IndexableCorpus,
    embedder: Embedder,
    index_dir: Path,
    *,
    progress: bool,
    batch_size: int = 32,
) -> Index:
    """:func:`build_index` for a caller that holds the build lock."""
    passages, rows = list(corpus.passages), list(corpus.rows)
    started = time.perf_counter()
    sentences = list(getattr(corpus, "sentences", ()))
    texts = _texts_to_encode(corpus)
    # the encoder reads "chronic kidney disease (CKD)", each abbreviation in its scope
    spell, docs = _spell_out(corpus, passages, rows, len(sentences))
    texts = [spell(t, d) for t, d in zip(texts, docs, strict=True)]
    vectors = embedder.encode(texts, batch_size=batch_size, show_progress=progress)
    if vectors.shape != (len(texts), embedder.dim):
        raise IndexStateError(
            f"encoder {embedder.name!r} returned shape {vectors.shape}, "
            f"expected ({len(texts)}, {embedder.dim})"
        )
    n_p, n_r = len(passages), len(rows)
    p_vecs, r_vecs, s_vecs = vectors[:n_p], vectors[n_p : n_p + n_r], vectors[n_p + n_r :]
    p_index, r_index = _make_index(p_vecs), _make_index(r_vecs)
    bm25_arrays = save_arrays(
        {
            "passages": Bm25([passage_text(p) for p in passages]),
            "rows": Bm25([r.text for r in rows]),
            "sentences": Bm25(sentences),
        }
    )
    build = uuid.uuid4().hex[:12]
    files = _files(build)
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "build_id": build,
        "model": embedder.name,
        "backend": encoder_backend(embedder),
        "dimension": int(embedder.dim),
        "counts": _counts(corpus),
        "documents": len({p.doc_id for p in passages}),
        "corpus_sha256": corpus.sha256,
        "texts_sha256": texts_digest(corpus),
        "corpus_files": dict(getattr(corpus, "file_sha256", {}) or {}),
        "index_type": {"passages": type(p_index).__name__, "rows": type(r_index).__name__},
        "bm25": versions(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": 0.0,
        "files": files,
        "checksums": {},
    }
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        sums = meta["checksums"]
        sums["passages_faiss"] = storage.write_faiss(index_dir / files["passages_faiss"], p_index)
        sums["rows_faiss"] = storage.write_faiss(index_dir / files["rows_faiss"], r_index)
        sums["passages_npy"] = storage.write_npy(index_dir / files["passages_npy"], p_vecs)
        sums["rows_npy"] = storage.write_npy(index_dir / files["rows_npy"], r_vecs)
        sums["sentences_npy"] = storage.write_npy(index_dir / files["sentences_npy"], s_vecs)
        sums["bm25"] = storage.write_bytes(index_dir / files["bm25"], _npz_bytes(bm25_arrays))
        ids = {"passages": [p.id for p in passages], "rows": [r.id for r in rows]}
        sums["ids"] = storage.write_bytes(index_dir / files["ids"], _json_bytes(ids))
        meta["build_seconds"] = round(time.perf_counter() - started, 3)
        storage.write_bytes(index_dir / META, _json_bytes(meta))  # the commit point
    except (OSError, RuntimeError) as exc:  # RuntimeError: FAISS failed to serialize
        raise IndexStateError(f"cannot write the index to {str(index_dir)!r}: {exc}") from exc
    try:
        _remove_stale(index_dir, keep=set(files.values()))
    except OSError as exc:  # the new index is committed; old files only waste space
        log.warning("could not remove old index files in %s: %s", index_dir, exc)
    log.info("built index in %s: %s", index_dir, meta["counts"])
    return Index(
        passages, rows, p_index, r_index, p_vecs, r_vecs, meta, s_vecs, load_arrays(bm25_arrays)
    )


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _texts_to_encode(corpus: IndexableCorpus) -> list[str]:
    """What the encoder reads, before abbreviations are spelled out: each passage with its
    section title, each row labeled with its table's title and columns, each sentence (a
    row passage's one sentence is its labeled row)."""
    passages, rows = list(corpus.passages), list(corpus.rows)
    sentences = list(getattr(corpus, "sentences", ()))
    titles = {t.id: t.title for t in getattr(corpus, "tables", None) or ()}
    labeled = {r.id: _labeled_row(r, titles.get(r.table, "")) for r in rows}
    sentence_texts = list(sentences)
    # a row passage's one sentence is its row: it reads the labeled row too
    for p, ids in zip(passages, getattr(corpus, "sentence_map", None) or (), strict=False):
        if p.kind == "row" and p.id in labeled and len(ids) == 1 and ids[0] < len(sentences):
            sentence_texts[ids[0]] = labeled[p.id]
    return [_item_text(p) for p in passages] + [labeled[r.id] for r in rows] + sentence_texts


def texts_digest(corpus: IndexableCorpus) -> str:
    """A hash of what the index was built from: the texts the encoder reads (passages with
    their section titles, rows labeled with their table's title and columns, sentences),
    the glossary that spells their abbreviations out, and the texts BM25 indexes.

    The corpus files' hash does not change when the code reads them differently (another
    passage size, a cleaning fix): the same counts with other texts would otherwise
    reuse vectors of texts that are no longer the corpus's.
    """
    digest = hashlib.sha256()
    glossary = sorted((getattr(corpus, "glossary", None) or {}).items())
    for kind, texts in (
        ("encoded", _texts_to_encode(corpus)),
        ("glossary", (f"{short}\x01{long}" for short, long in glossary)),
        ("passages", (passage_text(p) for p in corpus.passages)),
        ("rows", (r.text for r in corpus.rows)),
    ):
        digest.update(kind.encode())
        for text in texts:
            digest.update(b"\x00" + str(text).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _counts(corpus: IndexableCorpus) -> dict[str, int]:
    return {
        "passages": len(corpus.passages),
        "rows": len(corpus.rows),
        "sentences": len(getattr(corpus, "sentences", ())),
    }


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Remove older builds' files and the temporary files of killed builds (lock held)."""
    for path in index_dir.iterdir():
        name = path.name
        prefixes = ("passages-", "rows-", "sentences-", "bm25-", "ids-")
        stale_build = name.startswith(prefixes) and name not in keep
        stale_build = stale_build and path.suffix in (".faiss", ".npy", ".npz", ".json")
        if stale_build or (name.startswith(".") and name.endswith(".tmp")):
            path.unlink(missing_ok=True)


def read_meta(index_dir: str | Path) -> dict[str, Any] | None:
    """The index metadata, or None when there is no index in the folder.

    Raises:
        IndexStateError: ``meta.json`` exists but is not valid JSON.
    """
    path = Path(index_dir) / META
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStateError(
            f"index metadata {str(path)!r} is unreadable ({exc}); run `hccqa build`"
        ) from exc
    if not isinstance(meta, dict):
        raise IndexStateError(f"index metadata {str(path)!r} is not an object; run `hccqa build`")
    return meta


def encoder_backend(embedder: Embedder) -> str:
    """The encoder's backend (``"torch"``, ``"onnx"``, ``"onnx-int8"``...; "" if it names none)."""
    return str(getattr(embedder, "backend", "") or "")


def stale_reason(meta: dict[str, Any] | None, corpus: IndexableCorpus, embedder: Embedder) -> str:
    """Why the index in ``meta`` does not fit this corpus, model and backend ("" if it fits)."""
    if meta is None:
        return "there is no index yet"
    if meta.get("format_version") != FORMAT_VERSION:
        return f"index format {meta.get('format_version')} is not the current {FORMAT_VERSION}"
    if meta.get("model") != embedder.name or meta.get("dimension") != embedder.dim:
        return (
            f"it was built with model {meta.get('model')!r} (dim {meta.get('dimension')}), "
            f"the model is now {embedder.name!r} (dim {embedder.dim})"
        )
    backend = encoder_backend(embedder)
    if meta.get("backend") != backend:
        # torch, ONNX and int8 ONNX give different vectors for the same model.
        built = meta.get("backend")
        was = f"the {built!r} encoder backend" if built else "an unrecorded encoder backend"
        return f"it was built with {was}, the backend is now {backend!r}"
    if meta.get("corpus_sha256") != corpus.sha256:
        return (
            f"it was built for corpus sha {str(meta.get('corpus_sha256'))[:12]}…, "
            f"the corpus is now {corpus.sha256[:12]}…"
        )
    counts = meta.get("counts", {})
    if counts != _counts(corpus):
        return f"it holds {counts}, the corpus has {len(corpus.passages)} passages"
    if "texts_sha256" not in meta:
        return "it was built by a version that did not record the texts it embeds"
    if meta["texts_sha256"] != texts_digest(corpus):
        return "its passages were cut or cleaned otherwise than the corpus's are now"
    if meta.get("bm25") != versions():  # its saved BM25 terms would not be a query's terms
        return f"its BM25 was built with {meta.get('bm25')}, installed now: {versions()}"
    return ""


def _plain_name(name: object) -> bool:
    """A file name inside the index folder: no path, no traversal (meta.json is read as data)."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..", META)
        and Path(name).name == name
        and "\\" not in name
    )


def _read(index_dir: Path, meta: dict[str, Any], corpus: IndexableCorpus) -> Index:
    files = meta.get("files")
    names = tuple(_files("x"))
    if not isinstance(files, dict) or not all(_plain_name(files.get(n)) for n in names):
        raise IndexStateError(
            f"index metadata in {str(index_dir)!r} does not name its files; run `hccqa build`"
        )
    storage.verify(index_dir, {n: files[n] for n in names}, meta.get("checksums"))
    kinds = meta.get("index_type")
    kinds = kinds if isinstance(kinds, dict) else {}
    try:
        p_vecs = np.load(index_dir / files["passages_npy"], allow_pickle=False)
        r_vecs = np.load(index_dir / files["rows_npy"], allow_pickle=False)
        p_index = _faiss_index(index_dir / files["passages_faiss"], kinds.get("passages"), p_vecs)
        r_index = _faiss_index(index_dir / files["rows_faiss"], kinds.get("rows"), r_vecs)
        s_vecs = np.load(index_dir / files["sentences_npy"], allow_pickle=False)
        with np.load(index_dir / files["bm25"], allow_pickle=False) as saved:
            bm25 = load_arrays({k: saved[k] for k in saved.files})
        ids = json.loads((index_dir / files["ids"]).read_text(encoding="utf-8"))
    except (KeyError, OSError, ValueError, RuntimeError, EOFError, BadZipFile, zlib.error) as exc:
        raise IndexStateError(
            f"index in {str(index_dir)!r} is incomplete or damaged ({exc}); run `hccqa build`"
        ) from exc
    passages, rows = list(corpus.passages), list(corpus.rows)
    if (
        not isinstance(ids, dict)
        or ids.get("passages") != [p.id for p in passages]
        or ids.get("rows") != [r.id for r in rows]
    ):
        raise IndexStateError(
            f"index in {str(index_dir)!r} lists other passage ids than the corpus; "
            "run `hccqa build`"
        )
    if p_index.ntotal != len(passages) or r_index.ntotal != len(rows):
        raise IndexStateError(
            f"index in {str(index_dir)!r} holds {p_index.ntotal} passage vectors for "
            f"{len(passages)} passages; run `hccqa build`"
        )
    dim = meta.get("dimension")
    shapes = {p_index.d, r_index.d, p_vecs.shape[-1] if p_vecs.ndim == 2 else -1}
    n_sentences = len(getattr(corpus, "sentences", ()))
    if (
        shapes != {dim}
        or r_vecs.shape != (len(rows), dim)
        or len(p_vecs) != len(passages)
        or s_vecs.shape != (n_sentences, dim)
    ):
        raise IndexStateError(
            f"index in {str(index_dir)!r} holds vectors of dimension {sorted(shapes)} but its "
            f"metadata says {dim}; run `hccqa build`"
        )
    sizes = {"passages": len(passages), "rows": len(rows), "sentences": n_sentences}
    for name, size in sizes.items():
        problem = check_arrays(bm25.get(name, {}), size)
        if problem:
            raise IndexStateError(
                f"index in {str(index_dir)!r} holds damaged BM25 arrays of its {name} "
                f"({problem}); run `hccqa build`"
            )
    return Index(passages, rows, p_index, r_index, p_vecs, r_vecs, meta, s_vecs, bm25)


def _faiss_index(path: Path, kind: object, vectors: np.ndarray) -> faiss.Index | FlatOnDisk:
    """The FAISS index in ``path``: left on disk when the build recorded a flat index of
    these vectors (see :class:`FlatOnDisk`), read now otherwise."""
    if kind == "IndexFlatIP" and vectors.ndim == 2:
        return FlatOnDisk(path, len(vectors), int(vectors.shape[1]))
    return load_faiss().read_index(str(path))


def load_index(
    index_dir: str | Path,
    corpus: IndexableCorpus,
    embedder: Embedder,
    *,
    auto_build: bool = True,
    progress: bool = False,
) -> Index:
    """Load the index for this corpus and model, building it when missing or stale.

    Args:
        index_dir: The index folder.
        corpus: The corpus the index must match (sha256, passage ids).
        embedder: The encoder the index must have been built with.
        auto_build: Build (or rebuild) when the index is missing, stale or damaged.
        progress: Show a progress bar if a build happens.

    Returns:
        The loaded index.

    Raises:
        IndexStateError: the index is missing, stale or damaged and ``auto_build`` is off
            (the message says why and to run ``hccqa build``).
    """
    index_dir = Path(index_dir)
    found = _current(index_dir, corpus, embedder)
    if isinstance(found, Index):
        return found
    if not auto_build:
        raise found
    if not corpus.passages:
        raise IndexStateError("the corpus has no passages to index; check the corpus folder")
    with storage.build_lock(index_dir):
        # Another process may have built it (or finished replacing it) while we waited.
        found = _current(index_dir, corpus, embedder)
        if isinstance(found, Index):
            return found
        # (the bare reason: the advice to run `hccqa build` is what happens now)
        log.warning("building the index in %s: %s", index_dir, found.reason or found)
        return _build(corpus, embedder, index_dir, progress=progress)


def _current(
    index_dir: Path, corpus: IndexableCorpus, embedder: Embedder
) -> Index | IndexStateError:
    """The index in the folder when it fits and is sound, else the error saying why not."""
    try:
        meta = read_meta(index_dir)
        reason = stale_reason(meta, corpus, embedder)
        if not reason and meta is not None:
            return _read(index_dir, meta, corpus)
    except IndexStateError as exc:
        return exc
    error = IndexStateError(
        f"index at {str(index_dir)!r} cannot be used: {reason}; run `hccqa build`"
    )
    error.reason = reason
    return error
