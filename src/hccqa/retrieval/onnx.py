"""ONNX Runtime encoders (``HCCQA_BACKEND=onnx`` / ``onnx-int8``), exported locally.

sentence-transformers' own ONNX backend needs ``optimum.onnxruntime``, whose
releases pin transformers < 4.58 (this project runs transformers 5), so the
transformer is exported here with ``torch.onnx.export(dynamo=True)`` from the
local model folder (no network) into ``<index_dir>/onnx/model.onnx``, and
quantized to ``model-int8.onnx`` with onnxruntime's dynamic quantization. Both
files are written to a temporary name and moved into place, once.

At query time only onnxruntime and ``tokenizers`` run: mean pooling over the
attention mask and L2 normalization, as the packaged model's
``1_Pooling`` + ``Normalize`` modules do.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .embed import _normalize_rows

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_TOKENS = 256


def export_onnx(model_dir: Path, out: Path) -> Path:
    """Export the transformer of ``model_dir`` to ONNX at ``out`` (dynamic batch and length).

    Raises:
        ModelError: the export fails (the message names the folder).
    """
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer

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
        )
        if program is None:
            raise RuntimeError("torch.onnx.export returned no program")
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        program.save(str(tmp))
        os.replace(tmp, out)
    except Exception as exc:
        raise ModelError(f"could not export {str(model_dir)!r} to ONNX ({exc})") from exc
    return out


def quantize_int8(src: Path, out: Path) -> Path:
    """Dynamic int8 quantization of the weights of ``src`` into ``out``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        quantize_dynamic(str(src), tmp, weight_type=QuantType.QInt8)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def onnx_file(model_dir: Path, cache_dir: Path, *, int8: bool) -> Path:
    """The cached ONNX file for the model, exporting (and quantizing) it on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fp32 = cache_dir / "model.onnx"
    if not fp32.is_file():
        log.warning("exporting %s to ONNX in %s (once)", model_dir, cache_dir)
        export_onnx(model_dir, fp32)
    if not int8:
        return fp32
    q = cache_dir / "model-int8.onnx"
    if not q.is_file():
        quantize_int8(fp32, q)
    return q


class OnnxEmbedder:
    """A sentence encoder running an exported ONNX model with onnxruntime.

    Args:
        model_dir: The local sentence-transformers folder (tokenizer.json, config).
        cache_dir: Where the exported ONNX files live (``<index_dir>/onnx``).
        int8: Use the dynamically quantized int8 model.
        threads: onnxruntime intra-op threads.
        name: Model name recorded in the index metadata.

    Raises:
        ModelError: the folder lacks ``tokenizer.json`` or the model cannot be exported/loaded.
    """

    def __init__(
        self, model_dir: Path, cache_dir: Path, *, int8: bool, threads: int = 1, name: str
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok_file = model_dir / "tokenizer.json"
        if not tok_file.is_file():
            raise ModelError(f"{str(model_dir)!r} has no tokenizer.json; the ONNX backend needs it")
        self._tokenizer = Tokenizer.from_file(str(tok_file))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        # tokenizer.json carries its own padding/truncation (fixed 128): count without them.
        self._counter = Tokenizer.from_file(str(tok_file))
        self._counter.no_padding()
        self._counter.no_truncation()
        path = onnx_file(model_dir, cache_dir, int8=int8)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelError(
                f"could not load ONNX model {str(path)!r} ({exc}); delete it to re-export"
            ) from exc
        self.dim: int = int(self._session.get_outputs()[0].shape[-1])
        self.name = name
        self.backend = "onnx-int8" if int8 else "onnx"
        self.path = path
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
        """Encode texts into unit-length float32 rows (see :class:`hccqa.embed.Embedder`)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self._batch([texts[i] for i in idx])
        return out

    def count_tokens(self, text: str) -> int:
        """Number of word pieces of ``text`` (without special tokens)."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)
