"""ONNX backends: export from the packaged model, equality with torch, int8 closeness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hccqa.errors import ModelError
from hccqa.retrieval.embed import default_model_path, load_embedder
from hccqa.retrieval.onnx import OnnxEmbedder
from hccqa.settings import Settings

TEXTS = [
    "What is the role of hypoxia in sorafenib resistance?",
    "EMT",
    "Which clinical trials tested sunitinib in HCC and what were the outcomes for patients?",
]


def test_folder_without_tokenizer_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tokenizer.json"):
        OnnxEmbedder(tmp_path, tmp_path / "onnx", int8=False, name="x")


@pytest.mark.integration
def test_onnx_matches_torch_and_int8_stays_close(tmp_path: Path) -> None:
    torch_vecs = load_embedder(Settings(index_dir=tmp_path, backend="torch")).encode(TEXTS)
    onnx = load_embedder(Settings(index_dir=tmp_path, backend="onnx"))
    assert (tmp_path / "onnx" / "model.onnx").is_file()
    vecs = onnx.encode(TEXTS, batch_size=2)  # mixed lengths across batches, sorted inside
    assert vecs.shape == (3, 384)
    np.testing.assert_allclose((vecs * torch_vecs).sum(axis=1), 1.0, atol=1e-4)
    assert onnx.encode([]).shape == (0, 384)
    assert onnx.count_tokens("sorafenib resistance") == len(
        load_embedder(Settings(index_dir=tmp_path))._model.tokenizer.tokenize(
            "sorafenib resistance"
        )  # type: ignore[attr-defined]
    )
    int8 = load_embedder(Settings(index_dir=tmp_path, backend="onnx-int8"))
    cos = (int8.encode(TEXTS) * torch_vecs).sum(axis=1)
    assert np.all(cos > 0.85), cos
    assert default_model_path().is_dir()
