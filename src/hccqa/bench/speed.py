"""Latency, cold-start and memory benchmark of the ask path (``hccqa bench``).

In one run, over the gold questions:

* the bare encode of each question string with the backend under test
  (``embedder.encode([q])``) and the full ``QA.ask`` of the same string, with its
  per-stage ``timings_ms``, interleaved question by question so that both see the
  same machine load;
* the yardstick: the bare sentence-transformers encode on torch of the same
  strings, in a separate process before and after (so that torch's memory and
  threads never mix with the backend under test); ``ask_p50_ms /
  torch_encode_p50_ms`` is the headline ratio;
* an index rebuild into a temporary folder with the already loaded model
  (``build_s``), and fresh ``hccqa ask`` processes timed from process start to
  the first line of the printed answer, index present (``cold_start_s``).

``hccqa bench --backends a,b,c`` runs each backend in its own process, so every
figure, peak RSS included, belongs to that backend alone.

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

STAGES = (
    "understand",
    "expand",
    "encode",
    "dense",
    "bm25",
    "fusion",
    "sentences",
    "judge",
    "rows",
    "compose",
    "total",
)
"""Display order of the stages ``Answer.timings_ms`` names (others follow as they come)."""
QUALITY_KEYS = ("mrr@10", "recall@5", "recall@1", "ndcg@10", "answer_hit")


@dataclass(frozen=True)
class BenchResult:
    """What ``hccqa bench`` measured (milliseconds unless the name says otherwise).

    ``other_p50_ms`` is, per ask, its end-to-end time minus its own ``encode`` stage:
    everything but the model (retrieval, fusion, rows, the answer).
    """

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
    other_p50_ms: float = 0.0
    other_p95_ms: float = 0.0
    torch_encode_p50_ms: float | None = None
    torch_encode_p95_ms: float | None = None
    ask_over_torch_encode: float | None = None
    stages: dict[str, float] = field(default_factory=dict)
    stages_p95: dict[str, float] = field(default_factory=dict)
    cold_start_runs_s: list[float] = field(default_factory=list)
    threads: int = 0  # the encoder's (and the yardstick's) threads

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
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
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
    """Peak resident memory of this process so far, in MiB.

    Linux's ``VmHWM`` (``/proc/self/status``) where it exists: ``ru_maxrss`` carries
    the parent's resident size over ``fork`` + ``exec``, so a child started by a
    1 GB process reported at least 1 GB. ``ru_maxrss`` (KiB) elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
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
        Encode seconds, ask seconds, and per-stage milliseconds from ``Answer.timings_ms``
        (every stage any answer named, in :data:`STAGES` order first; 0.0 where an
        answer did not name it).
    """
    for question, history in list(questions)[:warmup]:
        qa.embedder.encode([question])
        qa.ask(question, history)
    encode_s: list[float] = []
    ask_s: list[float] = []
    timings: list[dict[str, float]] = []
    for _ in range(passes):
        _clear_query_cache(qa)
        for question, history in questions:
            t = time.perf_counter()
            qa.embedder.encode([question])
            encode_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            answer = qa.ask(question, history)
            ask_s.append(time.perf_counter() - t)
            timings.append(dict(answer.timings_ms))
    names = [s for s in STAGES if any(s in t for t in timings)]
    for timing in timings:
        names += [s for s in timing if s not in names]
    stages = {s: [float(t.get(s, 0.0)) for t in timings] for s in names}
    return encode_s, ask_s, stages


def time_build(qa: Any) -> float:
    """Seconds to rebuild the index of ``qa.corpus`` into a temporary folder (model loaded)."""
    from ..retrieval.index import build_index

    with tempfile.TemporaryDirectory(prefix="hccqa-bench-") as tmp:
        t = time.perf_counter()
        build_index(qa.corpus, qa.embedder, Path(tmp) / "index", progress=False)
        return time.perf_counter() - t


def _child_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
        HCCQA_BACKEND=settings.backend,
        HCCQA_CORPUS_DIR=str(settings.corpus_dir),
        HCCQA_INDEX_DIR=str(settings.index_dir),
        HCCQA_MODEL=settings.model,
        HCCQA_THREADS=str(settings.encoder_threads),
    )
    env.update(extra)
    return env


def time_cold_start(settings: Settings, question: str, *, runs: int = 3) -> list[float]:
    """Seconds from starting ``python -m hccqa ask QUESTION`` to its first printed line.

    The child's output is unbuffered, so the first line arrives when the answer is
    printed (interpreter shutdown is not counted). The index must already exist in
    ``settings.index_dir`` (the bench loads it first).

    Raises:
        InputError: the subprocess failed (its last stderr line is quoted).
    """
    env = _child_env(settings, HCCQA_AUTO_BUILD="false")
    cmd = [sys.executable, "-m", "hccqa", "ask", question]
    out = []
    for _ in range(runs):
        with tempfile.TemporaryFile() as err:
            t = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err)
            assert proc.stdout is not None
            first = proc.stdout.readline()
            elapsed = time.perf_counter() - t
            proc.stdout.read()
            proc.stdout.close()
            code = proc.wait(timeout=300)
            if code != 0 or not first.strip():
                err.seek(0)
                lines = err.read().decode("utf-8", "replace").strip().splitlines()
                raise InputError(
                    f"cold-start run of `hccqa ask` failed: {(lines or ['no output'])[-1]}"
                )
        out.append(round(elapsed, 3))
    return out


def _run_child(args: dict[str, Any], env: dict[str, str]) -> Any:
    """Run :func:`_child_main` in a fresh interpreter and return its JSON answer.

    The child's stderr passes through (export progress, warnings).
    """
    proc = subprocess.run(
        [sys.executable, "-m", "hccqa.bench.speed", json.dumps(args)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise InputError(
            f"benchmark subprocess {args.get('task')!r} failed (exit {proc.returncode}; "
            "its error is printed above)"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def prepare_elsewhere(settings: Settings) -> None:
    """Export the settings' ONNX encoder, if missing, in another process.

    The export imports torch; done in the measured process it would count torch's
    memory in that backend's peak RSS.
    """
    _run_child({"task": "prepare"}, _child_env(settings))


def time_torch_encode(
    settings: Settings, questions: Sequence[tuple[str, tuple[str, ...]]], *, passes: int = 2
) -> list[float]:
    """Milliseconds of the bare sentence-transformers torch encode of each question.

    Runs in its own process (so this process never loads torch), with
    the threads of the encoder under test (``settings.encoder_threads``), after a
    warm-up of three questions.
    """
    args = {"task": "torch-encode", "questions": [q for q, _ in questions], "passes": passes}
    return [float(v) for v in _run_child(args, _child_env(settings, HCCQA_BACKEND="torch"))]


def _torch_encode_samples(texts: Sequence[str], passes: int) -> list[float]:
    from ..retrieval.embed import load_embedder

    embedder = load_embedder(Settings.from_env(backend="torch"))
    for text in list(texts)[:3]:
        embedder.encode([text])
    samples = []
    for _ in range(passes):
        for text in texts:
            t = time.perf_counter()
            embedder.encode([text])
            samples.append((time.perf_counter() - t) * 1000)
    return samples


def run_bench(
    settings: Settings | None = None,
    questions_path: str | Path | None = None,
    *,
    passes: int = 2,
    cold_start_runs: int = 3,
    build: bool = True,
    yardstick: bool = True,
    qa: Any = None,
) -> BenchResult:
    """Measure the ask path over the gold questions (see module doc).

    Args:
        settings: Settings (corpus, index, backend); ``Settings.from_env()`` when omitted.
        questions_path: Gold JSON Lines file; the packaged review's ``gold/questions.jsonl``
            when omitted (the checkout's ``corpus/`` in an editable install).
        passes: Times each question is asked.
        cold_start_runs: Subprocess cold starts to time (0 = skip).
        build: Also time an index rebuild.
        yardstick: Also time the bare torch encode in separate processes.
        qa: An already loaded QA (tests inject one with the fake embedder).

    Returns:
        The :class:`BenchResult`.
    """
    from ..locations import packaged_corpus_dir, resolve

    settings = resolve(settings or Settings.from_env())  # concrete corpus and index folders
    questions = load_questions(questions_path or packaged_corpus_dir() / "gold" / "questions.jsonl")
    if qa is None:
        from ..qa import QA

        prepare_elsewhere(settings)
        qa = QA.load(settings)
    torch_ms: list[float] = []
    if yardstick:  # before and after, so that a change of machine load shows in both
        torch_ms += time_torch_encode(settings, questions, passes=max(1, passes // 2))
    encode_s, ask_s, stages = time_asks(qa, questions, passes=passes)
    if yardstick:
        torch_ms += time_torch_encode(settings, questions, passes=max(1, passes - passes // 2))
    build_s = round(time_build(qa), 3) if build else None
    rss = peak_rss_mb()
    cold = (
        time_cold_start(settings, questions[0][0], runs=cold_start_runs) if cold_start_runs else []
    )
    encode_p50 = percentile_ms([s * 1000 for s in encode_s], 50)
    ask_p50 = percentile_ms([s * 1000 for s in ask_s], 50)
    encodes = stages.get("encode", [0.0] * len(ask_s))
    other = [a * 1000 - e for a, e in zip(ask_s, encodes, strict=True)]
    torch_p50 = percentile_ms(torch_ms, 50) if torch_ms else None
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
        peak_rss_mb=rss,
        backend=str(getattr(qa.embedder, "backend", settings.backend)),
        other_p50_ms=percentile_ms(other, 50),
        other_p95_ms=percentile_ms(other, 95),
        torch_encode_p50_ms=torch_p50,
        torch_encode_p95_ms=percentile_ms(torch_ms, 95) if torch_ms else None,
        ask_over_torch_encode=round(ask_p50 / torch_p50, 3) if torch_p50 else None,
        stages={s: percentile_ms(v, 50) for s, v in stages.items()},
        stages_p95={s: percentile_ms(v, 95) for s, v in stages.items()},
        cold_start_runs_s=cold,
        threads=settings.encoder_threads,
    )


def format_bench(result: BenchResult) -> str:
    """The terminal table of a :class:`BenchResult`: the model's time, then everything else."""

    def line(name: str, p50: float | None, p95: float | None, note: str = "") -> str:
        cells = f"{name:<14} {p50 or 0.0:>9.2f} {p95 or 0.0:>9.2f}"
        return f"{cells}   {note}" if note else cells

    lines = [
        f"{result.questions} questions x {result.passes} passes, backend {result.backend}"
        + (f", {result.threads} encoder threads" if result.threads else ""),
        f"{'stage':<14} {'p50 ms':>9} {'p95 ms':>9}",
    ]
    for stage, p50 in result.stages.items():
        note = "(the model, inside ask)" if stage == "encode" else ""
        lines.append(line(stage, p50, result.stages_p95.get(stage), note))
    lines += [
        line("ask", result.ask_p50_ms, result.ask_p95_ms, "(end to end QA.ask)"),
        line("  encode", result.stages.get("encode"), result.stages_p95.get("encode")),
        line("  all else", result.other_p50_ms, result.other_p95_ms, "(ask minus its encode)"),
        line(
            "bare encode",
            result.encode_p50_ms,
            result.encode_p95_ms,
            f"({result.backend}, same strings)",
        ),
    ]
    if result.torch_encode_p50_ms is not None:
        lines.append(
            line(
                "torch encode",
                result.torch_encode_p50_ms,
                result.torch_encode_p95_ms,
                "(sentence-transformers on torch, own process: the yardstick)",
            )
        )
        lines.append(
            f"ask p50 / torch encode p50 = {result.ask_over_torch_encode:.2f} (target <= 0.65)"
        )
    lines += [
        f"ask p50 / bare encode p50 = {result.ask_over_encode:.2f}",
        f"cold start (process start -> printed answer) = {result.cold_start_s} s "
        f"(runs {result.cold_start_runs_s}; target <= 1.0)",
        f"index rebuild after model load = {result.build_s} s",
        f"peak RSS = {result.peak_rss_mb} MB",
    ]
    return "\n".join(lines)


def backend_row(
    settings: Settings, gold_path: str | Path, *, passes: int = 2, cold_start_runs: int = 3
) -> dict[str, Any]:
    """Speed (:func:`run_bench`, no yardstick) and hybrid quality of this process's backend."""
    from ..evaluation.evaluate import evaluate, load_gold
    from ..qa import QA

    qa = QA.load(settings)
    row = run_bench(
        settings, gold_path, passes=passes, cold_start_runs=cold_start_runs, yardstick=False, qa=qa
    ).to_dict()
    metrics = evaluate(
        qa, load_gold(gold_path), ("hybrid",), gold_path=str(gold_path), progress=False
    )
    hybrid = metrics.to_dict()["modes"]["hybrid"]
    for key in QUALITY_KEYS:
        row[key] = hybrid.get(key)
    return row


def compare_backends(
    settings: Settings,
    gold_path: str | Path,
    backends: Sequence[str] = ("torch", "onnx", "onnx-int8"),
    *,
    passes: int = 2,
    cold_start_runs: int = 3,
    yardstick: bool = True,
) -> list[dict[str, Any]]:
    """Speed and retrieval quality (``hccqa eval``, hybrid) per backend, each in its own process.

    Each backend encodes its own index (built when missing), so int8 is scored on
    int8 passage vectors too: the per-user cache folder of that backend when
    ``settings.index_dir`` is unset, else ``settings.index_dir`` for the settings'
    backend and ``<index_dir>-<backend>`` for the others. The torch yardstick runs once, in its own
    process, and every row's ``ask_over_torch_encode`` divides by it.

    Returns:
        One dict per backend: the bench fields plus ``mrr@10``, ``recall@5``, ``recall@1``,
        ``ndcg@10`` and ``answer_hit`` of the hybrid mode.
    """
    from ..locations import resolve

    own_index = settings.index_dir is None
    settings = resolve(settings)  # concrete corpus and index folders
    assert settings.index_dir is not None
    rows = []
    for backend in backends:
        if own_index:  # the cache folder every command uses for that backend
            s = resolve(settings.with_(backend=backend, index_dir=None))
        else:
            index_dir = Path(settings.index_dir)
            if backend != settings.backend:
                index_dir = index_dir.with_name(f"{index_dir.name}-{backend}")
            s = settings.with_(backend=backend, index_dir=index_dir)
        prepare_elsewhere(s)
        args = {
            "task": "backend-row",
            "gold": str(gold_path),
            "passes": passes,
            "cold_start_runs": cold_start_runs,
        }
        row = _run_child(args, _child_env(s))
        log.info("backend %s: %s", backend, row)
        rows.append(row)
    if yardstick and rows:
        torch_ms = time_torch_encode(settings, load_questions(gold_path), passes=passes)
        torch_p50 = percentile_ms(torch_ms, 50)
        for row in rows:
            row["torch_encode_p50_ms"] = torch_p50
            row["torch_encode_p95_ms"] = percentile_ms(torch_ms, 95)
            row["ask_over_torch_encode"] = round(row["ask_p50_ms"] / torch_p50, 3)
    return rows


def format_backends(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of :func:`compare_backends` rows."""
    lines = [
        "| backend | MRR@10 | Recall@5 | encode p50 ms | ask p50 ms | ask p95 ms | all else p50 ms "
        "| ask / torch encode | cold start s | rebuild s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = r.get("ask_over_torch_encode")
        lines.append(
            f"| {r['backend']} | {r['mrr@10']:.4f} | {r['recall@5']:.4f} "
            f"| {r['encode_p50_ms']:.2f} | {r['ask_p50_ms']:.2f} | {r['ask_p95_ms']:.2f} "
            f"| {r.get('other_p50_ms', 0.0):.2f} | {'-' if ratio is None else f'{ratio:.2f}'} "
            f"| {r['cold_start_s']} | {r['build_s']} | {r['peak_rss_mb']} |"
        )
    torch = rows[0].get("torch_encode_p50_ms") if rows else None
    if torch is not None:
        lines.append(f"\ntorch encode p50 (yardstick, own process): {torch:.2f} ms")
    return "\n".join(lines)


def _child_main(argv: Sequence[str]) -> None:
    """Entry of the bench's subprocesses: one JSON task in ``argv[0]``, JSON on stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = json.loads(argv[0])
    if args["task"] == "prepare":
        from ..retrieval.embed import prepare_encoder

        prepare_encoder(Settings.from_env(), status=lambda m: print(m, file=sys.stderr, flush=True))
        result: Any = True
    elif args["task"] == "torch-encode":
        result = _torch_encode_samples(args["questions"], int(args["passes"]))
    elif args["task"] == "backend-row":
        result = backend_row(
            Settings.from_env(),
            args["gold"],
            passes=int(args["passes"]),
            cold_start_runs=int(args["cold_start_runs"]),
        )
    else:
        raise SystemExit(f"unknown task {args['task']!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
