"""Index build/load round trip, metadata, staleness (faults are in test_index_faults.py)."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from tablefakes import make_row

from hccqa.errors import IndexStateError
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.retrieval.index import (
    FORMAT_VERSION,
    META,
    FlatOnDisk,
    build_index,
    load_index,
    stale_reason,
)
from hccqa.retrieval.retriever import Retriever
from hccqa.types import Passage, TableRow


@dataclass(frozen=True)
class Corpus:
    passages: tuple[Passage, ...]
    rows: tuple[TableRow, ...] = ()
    sha256: str = "1" * 64
    glossary: dict[str, str] = field(default_factory=dict)
    tables: tuple[SimpleNamespace, ...] = ()


def corpus(sha: str = "1" * 64, n: int = 5) -> Corpus:
    ps = tuple(
        Passage(f"doc{i % 2}:p{i:03d}", f"doc{i % 2}", "Results", f"passage {i} about topic {i}")
        for i in range(n)
    )
    rows = (make_row("trials", ref="24", author="Ng et al", year="2011", site="North roof"),)
    return Corpus(ps, rows, sha)


def test_build_writes_meta_and_loads_back(tmp_path: Path) -> None:
    emb = HashingEmbedder(32)
    built = build_index(corpus(), emb, tmp_path, progress=False)
    meta = json.loads((tmp_path / META).read_text())
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["model"] == "hashing-32" and meta["dimension"] == 32
    assert meta["counts"] == {"passages": 5, "rows": 1, "sentences": 0}
    assert meta["documents"] == 2
    assert meta["corpus_sha256"] == "1" * 64
    assert meta["index_type"]["passages"].startswith("Index")
    for name in meta["files"].values():
        assert (tmp_path / name).is_file()
    loaded = load_index(tmp_path, corpus(), emb, auto_build=False)
    assert [p.id for p in loaded.passages] == [p.id for p in built.passages]
    np.testing.assert_array_equal(loaded.passage_vectors, built.passage_vectors)
    assert loaded.passage_index.ntotal == 5 and loaded.row_index.ntotal == 1


def test_a_loaded_flat_index_is_searched_without_reading_its_faiss_file(tmp_path: Path) -> None:
    emb = HashingEmbedder(32)
    build_index(corpus(n=7), emb, tmp_path, progress=False)
    loaded = load_index(tmp_path, corpus(n=7), emb, auto_build=False)
    assert isinstance(loaded.passage_index, FlatOnDisk)
    assert (loaded.passage_index.ntotal, loaded.passage_index.d) == (7, 32)
    hits = Retriever(loaded, emb).search("passage 3 about topic 3", k=3, mode="dense")
    assert hits[0].passage.id == "doc1:p003"
    assert loaded.passage_index._index is None  # numpy answered: the file was never read
    # asked for anything FAISS has, it reads the file and hands over
    _, ids = loaded.passage_index.search(emb.encode(["passage 3 about topic 3"]), 1)
    assert ids[0][0] == 3 and loaded.passage_index._index is not None
    # copied and pickled as the file it stands for, like a FAISS index
    for other in (copy.copy(loaded.row_index), pickle.loads(pickle.dumps(loaded.row_index))):
        assert isinstance(other, FlatOnDisk) and other.ntotal == 1 and other.d == 32
        assert other.search(emb.encode(["x"]), 1)[1][0][0] == 0


def test_a_flat_index_file_holding_other_vectors_is_a_damaged_index(tmp_path: Path) -> None:
    emb = HashingEmbedder(32)
    build_index(corpus(n=4), emb, tmp_path, progress=False)
    meta = json.loads((tmp_path / META).read_text())
    wrong = FlatOnDisk(tmp_path / meta["files"]["passages_faiss"], 5, 32)
    with pytest.raises(IndexStateError, match="holds 4 vectors of dimension 32, not 5 of 32"):
        wrong.search(np.zeros((1, 32), dtype=np.float32), 1)
    (tmp_path / "junk.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexStateError, match="junk.faiss.*damaged"):
        _ = FlatOnDisk(tmp_path / "junk.faiss", 4, 32).is_trained


class Recording(HashingEmbedder):
    """The hashing encoder, keeping every text it was given."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self.seen: list[str] = []

    def encode(self, texts, **kwargs):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return super().encode(texts, **kwargs)


def test_the_encoder_reads_the_corpus_abbreviations_spelled_out(tmp_path: Path) -> None:
    text = Passage("doc0:p000", "doc0", "Results", "CKD patients took TX2; CKD rose.")
    glossary = {"CKD": "chronic kidney disease", "TX2": "Transporter 2"}
    emb = Recording(32)
    build_index(Corpus((text,), glossary=glossary), emb, tmp_path, progress=False)
    assert emb.seen == [
        "Results. chronic kidney disease (CKD) patients took Transporter 2 (TX2); CKD rose."
    ]
    # the passage itself keeps the document's words
    assert load_index(tmp_path, Corpus((text,), glossary=glossary), emb).passages[0].text == (
        text.text
    )


def test_a_rows_own_vector_reads_its_table_title_and_column_names(tmp_path: Path) -> None:
    row = make_row("trials", ref="24", author="Ng et al", year="2011", site="North roof")
    passage = Passage("doc0:p000", "doc0", "Results", "Ng et al[24] put hives on a roof.")
    tables = (SimpleNamespace(id="trials", title="Roof trials"),)
    emb = Recording(32)
    build_index(Corpus((passage,), (row,), tables=tables), emb, tmp_path, progress=False)
    assert emb.seen[1] == "Roof trials. author: Ng et al; year: 2011; site: North roof"
    assert row.text == "Ng et al[24] 2011 North roof"  # what the row shows is unchanged


@dataclass(frozen=True)
class MappedCorpus(Corpus):
    sentences: tuple[str, ...] = ()
    sentence_map: tuple[tuple[int, ...], ...] = ()


def test_sentences_read_their_document_s_abbreviations_and_a_row_its_labeled_cells(
    tmp_path: Path,
) -> None:
    row = make_row("trials", ref="24", author="Ng et al", year="2011", site="North roof")
    a = "Alzheimer disease (AD) worsens."
    b = "Atopic dermatitis (AD) itches. AD flares."
    passages = (
        Passage("a:p000", "a", "", a),
        Passage("b:p000", "b", "", b),
        Passage(row.id, "trials", "Table 1: Roof trials", row.text, kind="row"),
    )
    sentences = (a, "Atopic dermatitis (AD) itches.", "AD flares.", row.text)
    corpus = MappedCorpus(
        passages,
        (row,),
        glossary={"AD": "Alzheimer disease"},
        tables=(SimpleNamespace(id="trials", title="Roof trials."),),
        sentences=sentences,
        sentence_map=((0,), (1, 2), (3,)),
    )
    emb = Recording(32)
    build_index(corpus, emb, tmp_path, progress=False)
    assert emb.seen[-4:] == [
        a,
        "Atopic dermatitis (AD) itches.",
        "Atopic dermatitis (AD) flares.",  # document b's own long form
        "Roof trials. author: Ng et al; year: 2011; site: North roof",  # the row's sentence
    ]


def test_no_pickle_files(tmp_path: Path) -> None:
    build_index(corpus(), HashingEmbedder(32), tmp_path, progress=False)
    for path in tmp_path.glob("*.npy"):
        np.load(path, allow_pickle=False)  # raises if an object array was pickled


def test_stale_corpus_rebuilds_or_explains(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emb = HashingEmbedder(32)
    build_index(corpus("1" * 64), emb, tmp_path, progress=False)
    with pytest.raises(IndexStateError, match="run `hccqa build`") as exc:
        load_index(tmp_path, corpus("2" * 64), emb, auto_build=False)
    assert "111111111111" in str(exc.value) and "222222222222" in str(exc.value)
    with caplog.at_level("WARNING", logger="hccqa.retrieval.index"):
        rebuilt = load_index(tmp_path, corpus("2" * 64), emb, auto_build=True)
    # the rebuild says why, and gives no advice to do what it does
    assert "building the index in" in caplog.text and "111111111111" in caplog.text
    assert "hccqa build" not in caplog.text
    assert rebuilt.meta["corpus_sha256"] == "2" * 64
    # The old build's files are gone; only the new build's remain.
    assert len(list(tmp_path.glob("passages-*.faiss"))) == 1


def test_the_same_files_cut_into_other_passages_are_stale(tmp_path: Path) -> None:
    # same file hash and counts, one passage's text moved: another passage size or a
    # cleaning fix in the code; the old vectors would stand for texts no longer there
    emb = HashingEmbedder(32)
    before = corpus()
    build_index(before, emb, tmp_path, progress=False)
    moved = replace(before.passages[1], text=before.passages[1].text + " and more")
    after = replace(before, passages=(before.passages[0], moved, *before.passages[2:]))
    same = load_index(tmp_path, before, emb, auto_build=False)
    assert list(same.passages) == list(before.passages)
    with pytest.raises(IndexStateError, match="cut or cleaned otherwise"):
        load_index(tmp_path, after, emb, auto_build=False)
    rebuilt = load_index(tmp_path, after, emb, auto_build=True)
    assert rebuilt.passages[1].text.endswith("and more")


def test_what_the_encoder_reads_besides_the_passages_is_in_the_texts_hash(tmp_path: Path) -> None:
    # a glossary that spells a short form otherwise, a section title: the same passage
    # texts, other vectors
    emb = HashingEmbedder(32)
    before = corpus()
    build_index(before, emb, tmp_path, progress=False)
    meta = json.loads((tmp_path / META).read_text())
    spelled = replace(before, glossary={"ABC": "a bright comet"})
    titled = replace(
        before, passages=(replace(before.passages[0], section="Methods"), *before.passages[1:])
    )
    for other in (spelled, titled):
        assert "cut or cleaned otherwise" in stale_reason(meta, other, emb)
    assert stale_reason(meta, before, emb) == ""
    del meta["texts_sha256"]  # an index of a version before the hash
    assert "did not record the texts" in stale_reason(meta, before, emb)


def test_other_model_is_stale(tmp_path: Path) -> None:
    build_index(corpus(), HashingEmbedder(32), tmp_path, progress=False)
    reason = stale_reason(json.loads((tmp_path / META).read_text()), corpus(), HashingEmbedder(64))
    assert "hashing-32" in reason and "hashing-64" in reason


def test_other_encoder_backend_is_stale(tmp_path: Path) -> None:
    # Same model name and dimension, other backend (torch vs int8 ONNX vectors differ).
    torch_like, int8_like = HashingEmbedder(32), HashingEmbedder(32)
    torch_like.backend, int8_like.backend = "torch", "onnx-int8"
    build_index(corpus(), torch_like, tmp_path, progress=False)
    assert json.loads((tmp_path / META).read_text())["backend"] == "torch"
    assert load_index(tmp_path, corpus(), torch_like, auto_build=False).meta["backend"] == "torch"
    with pytest.raises(IndexStateError, match="run `hccqa build`") as exc:
        load_index(tmp_path, corpus(), int8_like, auto_build=False)
    assert "'torch'" in str(exc.value) and "'onnx-int8'" in str(exc.value)
    rebuilt = load_index(tmp_path, corpus(), int8_like, auto_build=True)
    assert rebuilt.meta["backend"] == "onnx-int8"


def test_index_without_recorded_backend_is_stale(tmp_path: Path) -> None:
    emb = HashingEmbedder(32)
    build_index(corpus(), emb, tmp_path, progress=False)
    meta = json.loads((tmp_path / META).read_text())
    assert meta.pop("backend") == "hashing"
    assert stale_reason(meta, corpus(), emb) == (
        "it was built with an unrecorded encoder backend, the backend is now 'hashing'"
    )


def test_missing_index_without_auto_build(tmp_path: Path) -> None:
    with pytest.raises(IndexStateError, match="no index yet"):
        load_index(tmp_path / "none", corpus(), HashingEmbedder(32), auto_build=False)


def test_rows_are_indexed(tmp_path: Path) -> None:
    emb = HashingEmbedder(64)
    built = build_index(corpus(), emb, tmp_path, progress=False)
    # a row's vector is of its labeled cells (no table title here: the corpus has no tables)
    expected = emb.encode(["author: Ng et al; year: 2011; site: North roof"])[0]
    np.testing.assert_allclose(built.row_vectors[0], expected, rtol=1e-6)


@dataclass(frozen=True)
class CorpusWithSentences(Corpus):
    sentences: tuple[str, ...] = ()


def test_sentences_are_encoded_and_loaded_with_the_passages(tmp_path: Path) -> None:
    emb = HashingEmbedder(32)
    base = corpus()
    with_sentences = CorpusWithSentences(
        base.passages, base.rows, base.sha256, sentences=("Hives cool at night.", "Bees fan.")
    )
    built = build_index(with_sentences, emb, tmp_path, progress=False)
    assert built.meta["counts"]["sentences"] == 2
    loaded = load_index(tmp_path, with_sentences, emb, auto_build=False)
    np.testing.assert_array_equal(
        loaded.sentence_vectors, emb.encode(list(with_sentences.sentences))
    )
