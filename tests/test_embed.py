"""Encoders: the deterministic hashing fake, and the packaged model (integration)."""

from __future__ import annotations

import numpy as np
import pytest

from hccqa.errors import ModelError
from hccqa.retrieval.embed import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
)
from hccqa.settings import Settings


def test_hashing_is_deterministic_normalized_float32() -> None:
    emb = HashingEmbedder(64)
    a = emb.encode(["sorafenib resistance", "VEGF"])
    b = HashingEmbedder(64).encode(["sorafenib resistance", "VEGF"])
    assert a.dtype == np.float32 and a.shape == (2, 64)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-6)
    assert isinstance(emb, Embedder)


def test_hashing_similar_texts_are_closer() -> None:
    emb = HashingEmbedder(256)
    q, near, far = emb.encode(
        ["sorafenib resistance in HCC", "resistance to sorafenib", "phase 3 trial"]
    )
    assert float(q @ near) > float(q @ far)


def test_hashing_empty_inputs() -> None:
    emb = HashingEmbedder(32)
    assert emb.encode([]).shape == (0, 32)
    # A text without tokens is the zero vector, not NaN.
    assert not np.isnan(emb.encode([""])).any()


def test_missing_model_folder_is_model_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_embedder(Settings(model=str(tmp_path / "nowhere")))


@pytest.mark.integration
def test_packaged_model_encodes_normalized_384() -> None:
    emb = load_embedder(Settings(backend="torch"))
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.name == "all-MiniLM-L6-v2" and emb.dim == 384
    vecs = emb.encode(["sorafenib resistance", "resistance to sorafenib", "the weather in Paris"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2]) + 0.3
