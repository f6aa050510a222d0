"""The QA facade over a small folder corpus, with the hashing fake encoder."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hccqa import QA
from hccqa import qa as qa_mod
from hccqa.errors import CorpusError, IndexStateError, InputError
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings
from hccqa.understand.lexicon import Lexicon

DOCS = {
    "alpha": "Sorafenib prolongs survival in advanced hepatocellular carcinoma. "
    "It inhibits Raf kinase and VEGF receptors.",
    "beta": "Hypoxia induced by anti-angiogenic therapy activates HIF-1alpha. "
    "This drives resistance to sorafenib in tumour cells.",
    "gamma": "Autophagy protects cancer cells from sorafenib-induced death. "
    "Blocking autophagy restores sensitivity.",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return Settings(corpus_dir=folder, index_dir=tmp_path / "index")


def test_load_builds_then_reuses_index(settings: Settings) -> None:
    qa = QA.load(settings, embedder=HashingEmbedder(64))
    assert (settings.index_dir / "meta.json").is_file()
    build_id = qa.retriever.index.meta["build_id"]
    again = QA.load(settings.with_(auto_build=False), embedder=HashingEmbedder(64))
    assert again.retriever.index.meta["build_id"] == build_id


def test_no_index_and_no_auto_build(settings: Settings) -> None:
    with pytest.raises(IndexStateError, match="hccqa build"):
        QA.load(settings.with_(auto_build=False), embedder=HashingEmbedder(64))


def test_missing_corpus_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        QA.load(Settings(corpus_dir=tmp_path / "nope"), embedder=HashingEmbedder(64))
    afile = tmp_path / "notes.txt"
    afile.write_text("a note\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="notes.txt' is a file, not a folder"):
        QA.load(Settings(corpus_dir=afile), embedder=HashingEmbedder(64))


def test_the_lexicon_is_read_while_the_encoder_loads(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    where: dict[str, str] = {}
    read = Lexicon.from_corpus

    def reading(corpus: object) -> Lexicon:
        where["lexicon"] = threading.current_thread().name
        return read(corpus)

    def loading(s: Settings, progress: bool = False) -> HashingEmbedder:
        where["encoder"] = threading.current_thread().name
        return HashingEmbedder(64)

    monkeypatch.setattr(qa_mod.Lexicon, "from_corpus", staticmethod(reading))
    monkeypatch.setattr(qa_mod, "load_embedder", loading)
    qa = QA.load(settings)
    assert where["encoder"] == threading.current_thread().name
    assert where["lexicon"] != where["encoder"]
    assert qa.lexicon.knows_word("autophagy")  # the lexicon of this corpus


def test_an_error_reading_the_lexicon_is_raised_by_load(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(corpus: object) -> Lexicon:
        raise CorpusError("unreadable lexicon (made up for the test)")

    monkeypatch.setattr(qa_mod.Lexicon, "from_corpus", staticmethod(broken))
    with pytest.raises(CorpusError, match="made up for the test"):
        QA.load(settings, embedder=HashingEmbedder(64))


def test_search_defaults_to_the_settings_k_and_mode(settings: Settings) -> None:
    qa = QA.load(settings.with_(k=2, mode="bm25"), embedder=HashingEmbedder(64))
    hits = qa.search("sorafenib")
    assert len(hits) == 2 and all(h.modes == ("bm25",) for h in hits)
    assert len(qa.search("sorafenib", k=3, mode="dense")) == 3


def test_search_finds_document_and_validates(settings: Settings) -> None:
    qa = QA.load(settings, embedder=HashingEmbedder(64))
    hits = qa.search("autophagy sorafenib-induced death", k=2)
    assert hits[0].passage.doc_id == "gamma"
    assert len(hits) == 2 and hits[0].rank == 1
    assert qa.search("hypoxia HIF-1alpha", k=1, mode="bm25")[0].passage.doc_id == "beta"
    with pytest.raises(InputError):
        qa.search("   ")
    with pytest.raises(InputError, match="mode"):
        qa.search("hypoxia", mode="fuzzy")


def test_search_from_many_threads(settings: Settings) -> None:
    qa = QA.load(settings, embedder=HashingEmbedder(64))
    queries = ["autophagy", "hypoxia", "survival", "VEGF receptors"] * 10
    serial = [qa.search(q, k=2)[0].passage.id for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(lambda q: qa.search(q, k=2)[0].passage.id, queries)) == serial


def test_ask_returns_answer_with_passages(settings: Settings) -> None:
    pytest.importorskip("hccqa.ask")
    qa = QA.load(settings, embedder=HashingEmbedder(64))
    ans = qa.ask("What protects cancer cells from sorafenib-induced death?")
    data = ans.to_dict()
    assert data["question"].startswith("What protects")
    assert {"answer", "abstained", "searched_query", "passages", "rows"} <= set(data)
    assert len(ans.passages) >= 1
    with pytest.raises(InputError):
        qa.ask("")
