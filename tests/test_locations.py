"""Where the corpus and the index live: the packaged review, the per-user index cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa import QA, Settings
from hccqa.errors import CorpusError, IndexStateError, InputError
from hccqa.locations import default_index_dir, model_key, packaged_corpus_dir, resolve
from hccqa.retrieval.embed import HashingEmbedder


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kites.txt").write_text(
        "Box kites fly in steady wind. Delta kites suit light air.\n", encoding="utf-8"
    )
    return folder


def test_the_packaged_review_is_the_default_corpus() -> None:
    folder = packaged_corpus_dir()
    assert (folder / "review.txt").is_file() and (folder / "chat.json").is_file()
    assert resolve(Settings()).corpus_dir == folder


def test_index_folder_is_keyed_by_corpus_model_and_backend(docs: Path, tmp_path: Path) -> None:
    env = {"HCCQA_CACHE_DIR": str(tmp_path / "cache")}
    first = default_index_dir(docs, "", "torch", env)
    assert first.parent == tmp_path / "cache" / "indexes"
    assert first.name.endswith("-all-MiniLM-L6-v2-torch")
    assert default_index_dir(docs, "", "torch", env) == first
    assert default_index_dir(docs, "", "onnx", env) != first
    assert default_index_dir(docs, str(tmp_path / "m"), "torch", env) != first
    (docs / "chat.json").write_text("{}")  # page texts do not change the index
    assert default_index_dir(docs, "", "torch", env) == first
    (docs / "kites.txt").write_text("Changed.\n")
    assert default_index_dir(docs, "", "torch", env) != first


def test_model_key_is_a_safe_file_name(tmp_path: Path) -> None:
    assert model_key("") == "all-MiniLM-L6-v2"
    key = model_key(str(tmp_path / "my model (v2)"))
    assert key.startswith("my_model_v2_-") and "/" not in key and " " not in key
    assert model_key(str(tmp_path / "a")) != model_key(str(tmp_path / "b" / "a"))


def test_explicit_folders_win_and_a_missing_corpus_is_named(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "idx")
    assert resolve(settings) == settings
    with pytest.raises(CorpusError, match="nowhere' does not exist"):
        resolve(Settings(corpus_dir=tmp_path / "nowhere"))


def test_folder_settings_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({}).corpus_dir is None
    assert Settings.from_env({"HCCQA_INDEX_DIR": " "}).index_dir is None
    s = Settings.from_env({"HCCQA_CORPUS_DIR": str(tmp_path), "HCCQA_INDEX_DIR": "~/idx"})
    assert s.corpus_dir == tmp_path and s.index_dir == Path.home() / "idx"


def test_folders_given_as_text_are_paths(tmp_path: Path) -> None:
    s = Settings(corpus_dir=str(tmp_path), index_dir="~/idx", policy_file=" ")
    assert s.corpus_dir == tmp_path and s.index_dir == Path.home() / "idx"
    assert s.policy_file is None
    with pytest.raises(CorpusError, match="nowhere' does not exist"):
        resolve(Settings(corpus_dir=str(tmp_path / "nowhere")))


def test_qa_writes_its_index_to_the_cache_not_the_working_folder(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    qa = QA.load(Settings(corpus_dir=docs), embedder=HashingEmbedder(64))
    assert qa.settings.index_dir is not None
    assert qa.settings.index_dir.parent == tmp_path / "cache" / "indexes"
    assert (qa.settings.index_dir / "meta.json").is_file()
    assert list(work.iterdir()) == []


def test_a_folder_of_one_table_answers_from_its_rows(tmp_path: Path) -> None:
    folder = tmp_path / "sheet"
    folder.mkdir()
    (folder / "gauges.tsv").write_text(
        "# title: River gauges\ngauge\tyear\tlevel_cm\tstate\n"
        "North weir\t2019\t52\tFlooded\nMill race\t2020\t31\tNormal\n"
        "Old ford\t2021\t61\tFlooded\n",
        encoding="utf-8",
    )
    qa = QA.load(
        Settings(corpus_dir=folder, index_dir=tmp_path / "idx"), embedder=HashingEmbedder(64)
    )
    listed = qa.ask("Which gauges had a level above 50?")
    assert [m.row.id for m in listed.rows] == ["gauges:North weir", "gauges:Old ford"]
    assert qa.ask("What is the capital of France?").abstained


def test_an_index_of_another_model_is_an_error_naming_both(docs: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=docs, index_dir=tmp_path / "index")
    QA.load(settings, embedder=HashingEmbedder(64))
    with pytest.raises(IndexStateError) as info:
        QA.load(settings, embedder=HashingEmbedder(32))
    message = str(info.value)
    assert "'hashing-64'" in message and "'hashing-32'" in message and "--rebuild" in message
    rebuilt = QA.load(settings, embedder=HashingEmbedder(32), rebuild=True)
    assert rebuilt.retriever.index.meta["model"] == "hashing-32"
    assert QA.load(settings, embedder=HashingEmbedder(32)).retriever.index.meta["model"] == (
        "hashing-32"
    )


@pytest.mark.parametrize("k", [0, -1, 51, True, 2.5, "3"])
def test_k_out_of_range_or_not_a_number_is_refused(docs: Path, tmp_path: Path, k: object) -> None:
    qa = QA.load(Settings(corpus_dir=docs, index_dir=tmp_path / "i"), embedder=HashingEmbedder(64))
    refused = r"k \(passages per answer\) must be (a whole number )?from 1 to 50"
    with pytest.raises(InputError, match=refused):
        qa.search("kites", k=k)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=refused):
        qa.ask("Which kites suit light air?", k=k)  # type: ignore[arg-type]


@pytest.mark.integration
def test_loading_shows_no_progress_bar_unless_asked(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    for backend in ("onnx", "torch"):  # the default, and the one with a loader bar
        settings = Settings(index_dir=tmp_path / backend, backend=backend)
        QA.load(settings)  # builds the index too
        QA.load(settings)
        err = capfd.readouterr().err
        assert not [bar for bar in ("Loading weights", "Batches", "encoding:") if bar in err]
    QA.load(settings, progress=True)  # torch
    assert "Loading weights" in capfd.readouterr().err
