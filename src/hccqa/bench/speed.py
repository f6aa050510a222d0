"""Latency, cold-start and memory benchmark of the ask path (``hccqa bench``).

In one process and one run, over the gold questions:

* the bare model encode of each question string (``embedder.encode([q])``),
* the full ``QA.ask`` of the same string, with its per-stage ``timings_ms``,

interleaved question by question so that both see the same machine load. Then
the index is rebuilt into a temporary folder with the already loaded model
(``build_s``), and a fresh ``hccqa ask`` subprocess is timed from process start
to its printed answer with the index present (``cold_start_s``).

The retriever caches query embeddings; every question is asked once per pass
and the cache is emptied between passes, so no ask is served from the cache.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..settings import Settings

log = logging.getLogger(__name__)

STAGES = ("encode", "dense", "bm25", "fusion", "rows", "compose", "total")
DEFAULT_QUESTIONS = Path("corpus/gold/questions.jsonl")


@dataclass(frozen=True)
class BenchResult:
    """What ``hccqa bench`` measured (milliseconds unless the name says otherwise)."""

    questions: int
    passes: int
    encode_p50_ms: float
    encode_p95_ms: float
    ask_p50_ms: float
    ask_p95_ms: float
    ask_over_encode: float
    cold_start_s: float | None
    build_s: float | None
    peak_rss_mb: float
    backend: str
    stages: dict[str, float] = field(default_factory=dict)
    stages_p95: dict[str, float] = field(default_factory=dict)
    cold_start_runs_s: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def load_questions(path: str | Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(question, history)`` pairs from a gold JSON Lines file (see GOLD_FORMAT.md).

    Raises:
        InputError: the file is missing, or a line is not an object with a ``question``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"question file {str(path)!r} does not exist; pass --questions FILE "
            "(JSON Lines with a 'question' field per line)"
        )
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question = item["question"]
            history = tuple(item.get("history") or ())
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(
                f"{path}:{number}: not a JSON object with a 'question' string"
            ) from None
        if not isinstance(question, str) or not question.strip():
            raise InputError(f"{path}:{number}: 'question' must be a non-empty string")
        out.append((question, history))
    if not out:
        raise InputError(f"question file {str(path)!r} holds no questions")
    return out


def percentile_ms(samples: Sequence[float], q: float) -> float:
    """The q-th percentile of ``samples`` (milliseconds), rounded to 0.001; 0.0 when empty."""
    if not samples:
        return 0.0
    return round(float(np.percentile(np.asarray(samples, dtype=np.float64), q)), 3)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ``ru_maxrss`` is KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _clear_query_cache(qa: Any) -> None:
    cache = getattr(qa.retriever, "_cache", None)
    if cache is not None:
        with qa.retriever._cache_lock:
            cache.clear()


def time_asks(
    qa: Any, questions: Sequence[tuple[str, tuple[str, ...]]], *, passes: int = 2, warmup: int = 3
) -> tuple[list[float], list[float], dict[str, list[float]]]:
    """Interleave bare encodes and asks of the same strings.

    Args:
        qa: A loaded :class:`~hccqa.qa.QA` (anything with ``embedder``, ``retriever``, ``ask``).
        questions: ``(question, history)`` pairs.
        passes: Times every question is asked (the query cache is emptied between passes).
        warmup: Questions asked first and not counted (first calls allocate and fill caches).

    Returns:
        Encode seconds, ask seconds, and per-stage milliseconds from ``Answer.timings_ms``.
    """
    for question, history in list(questions)[:warmup]:
        qa.embedder.encode([question])
        qa.ask(question, history)
    encode_s: list[float] = []
    ask_s: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    for _ in range(passes):
        _clear_query_cache(qa)
        for question, history in questions:
            t = time.perf_counter()
            qa.embedder.encode([question])
            encode_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            answer = qa.ask(question, history)
            ask_s.append(time.perf_counter() - t)
            for stage in STAGES:
                stages[stage].append(float(answer.timings_ms.get(stage, 0.0)))
    return encode_s, ask_s, stages


def time_build(qa: Any) -> float:
    """Seconds to rebuild the index of ``qa.corpus`` into a temporary folder (model loaded)."""
    from ..retrieval.index import build_index

    with tempfile.TemporaryDirectory(prefix="hccqa-bench-") as tmp:
        t = time.perf_counter()
        build_index(qa.corpus, qa.embedder, Path(tmp) / "index", progress=False)
        return time.perf_counter() - t


def time_cold_start(settings: Settings, question: str, *, runs: int = 3) -> list[float]:
    """Seconds from starting ``python -m hccqa ask QUESTION`` to its exit, per run.

    The index must already exist in ``settings.index_dir`` (the bench loads it first).

    Raises:
        InputError: the subprocess failed (its last stderr line is quoted).
    """
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        HCCQA_BACKEND=settings.backend,
        HCCQA_AUTO_BUILD="false",
    )
    cmd = [
        sys.executable,
        "-m",
        "hccqa",
        "ask",
        question,
        "--corpus",
        str(settings.corpus_dir),
        "--index",
        str(settings.index_dir),
    ]
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0 or not proc.stdout.strip():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise InputError(f"cold-start run of `hccqa ask` failed: {last}")
        out.append(round(elapsed, 3))
    return out


def run_bench(
    settings: Settings | None = None,
    questions_path: str | Path = DEFAULT_QUESTIONS,
    *,
    passes: int = 2,
    cold_start_runs: int = 3,
    build: bool = True,
    qa: Any = None,
) -> BenchResult:
    """Measure the ask path over the gold questions (see module doc).

    Args:
        settings: Settings (corpus, index, backend); ``Settings.from_env()`` when omitted.
        questions_path: Gold JSON Lines file.
        passes: Times each question is asked.
        cold_start_runs: Subprocess cold starts to time (0 = skip).
        build: Also time an index rebuild.
        qa: An already loaded QA (tests inject one with the fake embedder).

    Returns:
        The :class:`BenchResult`.
    """
    from ..locations import resolve

    settings = resolve(settings or Settings.from_env())  # concrete corpus and index folders
    questions = load_questions(questions_path)
    if qa is None:
        from ..qa import QA

        qa = QA.load(settings)
    encode_s, ask_s, stages = time_asks(qa, questions, passes=passes)
    build_s = round(time_build(qa), 3) if build else None
    cold = (
        time_cold_start(settings, questions[0][0], runs=cold_start_runs) if cold_start_runs else []
    )
    encode_p50 = percentile_ms([s * 1000 for s in encode_s], 50)
    ask_p50 = percentile_ms([s * 1000 for s in ask_s], 50)
    return BenchResult(
        questions=len(questions),
        passes=passes,
        encode_p50_ms=encode_p50,
        encode_p95_ms=percentile_ms([s * 1000 for s in encode_s], 95),
        ask_p50_ms=ask_p50,
        ask_p95_ms=percentile_ms([s * 1000 for s in ask_s], 95),
        ask_over_encode=round(ask_p50 / encode_p50, 3) if encode_p50 else 0.0,
        cold_start_s=round(float(np.median(cold)), 3) if cold else None,
        build_s=build_s,
        peak_rss_mb=peak_rss_mb(),
        backend=settings.backend,
        stages={s: percentile_ms(v, 50) for s, v in stages.items()},
        stages_p95={s: percentile_ms(v, 95) for s, v in stages.items()},
        cold_start_runs_s=cold,
    )


def format_bench(result: BenchResult) -> str:
    """The terminal table of a :class:`BenchResult`."""
    lines = [
        f"{result.questions} questions x {result.passes} passes, backend {result.backend}",
        f"{'stage':<10} {'p50 ms':>9} {'p95 ms':>9}",
    ]
    for stage in STAGES:
        lines.append(
            f"{stage:<10} {result.stages.get(stage, 0.0):>9.2f} "
            f"{result.stages_p95.get(stage, 0.0):>9.2f}"
        )
    lines += [
        f"{'ask':<10} {result.ask_p50_ms:>9.2f} {result.ask_p95_ms:>9.2f}   (end to end QA.ask)",
        f"{'encode':<10} {result.encode_p50_ms:>9.2f} {result.encode_p95_ms:>9.2f}   "
        "(bare model, same strings)",
        f"ask p50 / encode p50 = {result.ask_over_encode:.2f} (target <= 1.3)",
        f"cold start (process start -> answer) = {result.cold_start_s} s "
        f"(runs {result.cold_start_runs_s}; target <= 6)",
        f"index rebuild after model load = {result.build_s} s (target <= 5)",
        f"peak RSS = {result.peak_rss_mb} MB",
    ]
    return "\n".join(lines)


def compare_backends(
    settings: Settings,
    gold_path: str | Path,
    backends: Sequence[str] = ("torch", "onnx", "onnx-int8"),
    *,
    passes: int = 2,
    cold_start_runs: int = 3,
) -> list[dict[str, Any]]:
    """Speed (:func:`run_bench`) and retrieval quality (``hccqa eval``, hybrid) per backend.

    Each backend encodes its own index in ``<index_dir>-<backend>`` (``index_dir`` itself
    for torch), so int8 is scored on int8 passage vectors too. The ONNX export is copied
    between the ONNX folders so the model is exported once.

    Returns:
        One dict per backend: the bench fields plus ``mrr@10``, ``recall@5``, ``recall@1``,
        ``ndcg@10`` and ``answer_hit`` of the hybrid mode.
    """
    import shutil

    from ..evaluation.evaluate import evaluate, load_gold
    from ..locations import resolve
    from ..qa import QA

    settings = resolve(settings)  # concrete corpus and index folders
    assert settings.index_dir is not None
    gold = load_gold(gold_path)
    rows = []
    exported: Path | None = None
    for backend in backends:
        index_dir = Path(settings.index_dir)
        if backend != "torch":
            index_dir = index_dir.with_name(f"{index_dir.name}-{backend}")
            if exported is not None and not (index_dir / "onnx" / "model.onnx").is_file():
                (index_dir / "onnx").mkdir(parents=True, exist_ok=True)
                shutil.copy2(exported, index_dir / "onnx" / "model.onnx")
        s = settings.with_(backend=backend, index_dir=index_dir)
        qa = QA.load(s)
        if backend != "torch":
            exported = index_dir / "onnx" / "model.onnx"
        row = run_bench(
            s, gold_path, passes=passes, cold_start_runs=cold_start_runs, qa=qa
        ).to_dict()
        metrics = evaluate(qa, gold, ("hybrid",), gold_path=str(gold_path), progress=False)
        hybrid = metrics.to_dict()["modes"]["hybrid"]
        for key in ("mrr@10", "recall@5", "recall@1", "ndcg@10", "answer_hit"):
            row[key] = hybrid.get(key)
        rows.append(row)
        log.info("backend %s: %s", backend, row)
    return rows


def format_backends(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of :func:`compare_backends` rows."""
    lines = [
        "| backend | MRR@10 | Recall@5 | encode p50 ms | ask p50 ms | ask p95 ms | cold start s "
        "| rebuild s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['mrr@10']:.4f} | {r['recall@5']:.4f} "
            f"| {r['encode_p50_ms']:.2f} | {r['ask_p50_ms']:.2f} | {r['ask_p95_ms']:.2f} "
            f"| {r['cold_start_s']} "
            f"| {r['build_s']} | {r['peak_rss_mb']} |"
        )
    return "\n".join(lines)
