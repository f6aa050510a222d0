"""Synthetic scaling benchmark: how index build, memory and query cost grow with corpus size.

For each corpus size (10^3 .. 10^6 passages) the benchmark generates unit
vectors of dimension 384 with the structure of sentence embeddings (a low
intrinsic dimension, clustered topics, a little isotropic noise: uniformly
random 384-d vectors have no near neighbours at all, so ANN recall on them
says nothing about real text), builds each FAISS index kind from
:mod:`hccqa.retrieval.ann`, and measures build time, index memory (serialized size),
single-query p50 latency (one query at a time, one thread) and recall@10 against
exact search. The search knob (HNSW ``efSearch``, IVF ``nprobe``) is swept and
the cheapest setting that reaches the recall target is reported. BM25 over
generated Zipf-distributed text is measured for the sizes where it is feasible.

Every (size, kind, knob) measurement is one :class:`ScalingPoint`.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..retrieval import ann

log = logging.getLogger(__name__)

DIM = 384
SIZES = (1_000, 10_000, 100_000, 1_000_000)
KINDS = ("flat", "hnsw", "ivf-sq8", "ivf-pq")
KNOBS = {
    "hnsw": (16, 32, 64, 128, 256, 512),
    "ivf": (8, 16, 32, 64, 128, 256),
    "ivf-sq8": (16, 32, 64, 128, 256),
    "ivf-pq": (32, 64, 96, 128, 192, 256),
}
RECALL_TARGET = 0.95
LATENCY_TARGET_MS = 2.0
"""The query p50 the 10^6 corpus must reach at :data:`RECALL_TARGET` (drawn on the chart)."""
LATENT_DIM = 32
TOPICS = 2_000


@dataclass(frozen=True)
class ScalingPoint:
    """One measurement: an index kind at one corpus size and one search-knob value."""

    n: int
    kind: str
    knob: int | None
    description: str
    build_s: float
    memory_mb: float
    query_p50_ms: float
    query_p95_ms: float
    recall_at_10: float


@dataclass(frozen=True)
class Bm25Point:
    """BM25 over generated text at one corpus size."""

    n: int
    build_s: float
    query_p50_ms: float


def synthetic_vectors(n: int, *, dim: int = DIM, seed: int = 0, chunk: int = 100_000) -> np.ndarray:
    """``n`` unit vectors shaped like sentence embeddings (deterministic for a seed).

    A vector is ``normalize(W @ (topic + spread) + noise)``: one of :data:`TOPICS`
    topic centres in a :data:`LATENT_DIM`-dimensional latent space, a per-passage
    offset, a fixed random projection ``W`` to ``dim`` dimensions and small
    isotropic noise.
    """
    rng = np.random.default_rng(seed)
    proj = np.linalg.qr(rng.standard_normal((dim, LATENT_DIM)))[0].T.astype(np.float32)
    topics = rng.standard_normal((TOPICS, LATENT_DIM)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        z = topics[rng.integers(0, TOPICS, m)] + 0.6 * rng.standard_normal((m, LATENT_DIM))
        x = z.astype(np.float32) @ proj + 0.08 * rng.standard_normal((m, dim)).astype(np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def synthetic_texts(n: int, *, words: int = 40, vocab: int = 30_000, seed: int = 0) -> list[str]:
    """``n`` generated passages of Zipf-distributed words (for BM25 cost, not meaning)."""
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.2, size=(n, words)), vocab) - 1
    names = np.array([f"w{i}" for i in range(vocab)])
    return [" ".join(row) for row in names[ranks]]


def _percentiles_ms(samples: list[float]) -> tuple[float, float]:
    arr = np.asarray(samples) * 1000.0
    return round(float(np.percentile(arr, 50)), 4), round(float(np.percentile(arr, 95)), 4)


def _time_queries(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> list[float]:
    # One thread per query, as in a server answering one request per core: with OpenMP
    # threads on a busy 2-core machine a single flat query over 20,000 vectors took
    # 16 ms instead of 1.2 ms (spinning threads wait for a core).
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        search(queries[:1])  # warm up
        samples = []
        for q in queries:
            t = time.perf_counter()
            search(q.reshape(1, -1))
            samples.append(time.perf_counter() - t)
    finally:
        faiss.omp_set_num_threads(threads)
    return samples


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    hits = [len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, truth, strict=True)]
    return round(float(np.mean(hits)) / k, 4)


def measure_kind(
    x: np.ndarray, queries: np.ndarray, truth: np.ndarray, kind: str, knobs: Sequence[int] = ()
) -> list[ScalingPoint]:
    """Build one index kind over ``x`` and measure it at each search-knob value.

    Args:
        x: ``(n, d)`` unit vectors.
        queries: ``(q, d)`` unit query vectors.
        truth: ``(q, 10)`` exact top-10 ids of the queries.
        kind: An :mod:`hccqa.retrieval.ann` kind.
        knobs: efSearch / nprobe values to sweep (ignored for flat).

    Returns:
        One point per knob value (one point for flat).
    """
    t = time.perf_counter()
    index = ann.make_index(x, kind=kind)
    build_s = time.perf_counter() - t
    memory_mb = faiss.serialize_index(index).nbytes / 2**20
    points = []

    def search(q: np.ndarray) -> Any:
        return index.search(q, 10)

    for knob in list(knobs) if kind != "flat" and knobs else [None]:
        if knob is not None:
            ann.set_search_knob(index, knob)
        samples = _time_queries(search, queries)
        _, ids = index.search(queries, 10)
        p50, p95 = _percentiles_ms(samples)
        point = ScalingPoint(
            n=len(x),
            kind=kind,
            knob=knob,
            description=ann.describe(index),
            build_s=round(build_s, 3),
            memory_mb=round(memory_mb, 1),
            query_p50_ms=p50,
            query_p95_ms=p95,
            recall_at_10=_recall(ids, truth),
        )
        log.info("%s", point)
        points.append(point)
    return points


def measure_bm25(n: int, *, queries: int = 100, seed: int = 0) -> Bm25Point:
    """Index ``n`` generated passages with bm25s and time single-query top-10 scoring."""
    import bm25s

    texts = synthetic_texts(n, seed=seed)
    t = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords=None, return_ids=False, show_progress=False)
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    build_s = time.perf_counter() - t
    del texts, tokens
    qtexts = synthetic_texts(queries, words=6, seed=seed + 1)
    samples = []
    for q in qtexts:
        terms = [w for w in q.split() if w in bm25.vocab_dict]
        t = time.perf_counter()
        scores = bm25.get_scores(terms)
        np.argpartition(-scores, 10)[:10]
        samples.append(time.perf_counter() - t)
    p50, _ = _percentiles_ms(samples)
    return Bm25Point(n=n, build_s=round(build_s, 3), query_p50_ms=p50)


def run_scaling(
    sizes: Sequence[int] = SIZES,
    kinds: Sequence[str] = KINDS,
    *,
    queries: int = 200,
    bm25_max: int = 100_000,
    hnsw_max: int = 200_000,
    seed: int = 0,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the scaling benchmark.

    Args:
        sizes: Corpus sizes (number of passages).
        kinds: Index kinds to build at every size (see :data:`hccqa.retrieval.ann.KINDS`).
        queries: Number of single queries timed per index.
        bm25_max: Largest size at which BM25 is measured (0 = never).
        hnsw_max: Largest size at which HNSW is built: at 10^6 its build took 13 min on
            the shared 2-core machine for recall@10 0.73 (efConstruction 40).
        seed: Seed of the generated corpora and queries.
        on_point: Called with the partial result after every measurement (to save progress).

    Returns:
        ``{"points": [...], "bm25": [...], "best": [...]}`` where ``best`` holds, per size
        and kind, the cheapest knob reaching :data:`RECALL_TARGET` (or the most accurate one).
    """
    result: dict[str, Any] = {"dim": DIM, "queries": queries, "points": [], "bm25": [], "best": []}
    for n in sizes:
        x = synthetic_vectors(n, seed=seed)
        q = synthetic_vectors(queries, seed=seed + 10_000)
        truth = faiss.IndexFlatIP(DIM)
        truth.add(x)
        _, exact = truth.search(q, min(10, n))
        del truth
        for kind in kinds:
            if kind == "hnsw" and n > hnsw_max:
                log.info("skipping hnsw at %d passages (--hnsw-max %d)", n, hnsw_max)
                continue
            points = measure_kind(x, q, exact, kind, KNOBS.get(kind, ()))
            result["points"].extend(asdict(p) for p in points)
            result["best"].append(asdict(best_point(points)))
            if on_point:
                on_point(result)
        del x
        gc.collect()
        if n <= bm25_max:
            result["bm25"].append(asdict(measure_bm25(n, seed=seed)))
            if on_point:
                on_point(result)
    return result


def best_point(points: Sequence[ScalingPoint]) -> ScalingPoint:
    """The fastest point reaching :data:`RECALL_TARGET`, else the one with the best recall."""
    good = [p for p in points if p.recall_at_10 >= RECALL_TARGET]
    if good:
        return min(good, key=lambda p: p.query_p50_ms)
    return max(points, key=lambda p: (p.recall_at_10, -p.query_p50_ms))


def write_chart(result: dict[str, Any], path: Path) -> None:
    """Plot query p50, recall@10, build time and memory against corpus size (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(18, 4.2))
    best = result["best"]
    for kind in sorted({b["kind"] for b in best}):
        rows = sorted((b for b in best if b["kind"] == kind), key=lambda b: b["n"])
        ns = [b["n"] for b in rows]
        for ax, key in zip(
            axes, ("query_p50_ms", "recall_at_10", "build_s", "memory_mb"), strict=True
        ):
            ax.plot(ns, [b[key] for b in rows], marker="o", label=kind)
    if result["bm25"]:
        rows = result["bm25"]
        axes[0].plot(
            [b["n"] for b in rows],
            [b["query_p50_ms"] for b in rows],
            "k--",
            marker="s",
            label="bm25",
        )
        axes[2].plot(
            [b["n"] for b in rows], [b["build_s"] for b in rows], "k--", marker="s", label="bm25"
        )
    titles = ("query p50 (ms)", "recall@10 vs exact", "build time (s)", "index memory (MB)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        if title != "recall@10 vs exact":
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("passages")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    axes[1].axhline(RECALL_TARGET, color="grey", linestyle=":")
    axes[0].axhline(LATENCY_TARGET_MS, color="grey", linestyle=":")
    fig.suptitle(
        f"hccqa scaling, dim {result['dim']}, best knob per kind (recall target {RECALL_TARGET})"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_table(result: dict[str, Any]) -> str:
    """A Markdown table of the best point per size and kind, then BM25."""
    lines = [
        "| passages | index | build s | memory MB | query p50 ms | p95 ms | recall@10 |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for b in sorted(result["best"], key=lambda b: (b["n"], b["kind"])):
        lines.append(
            f"| {b['n']:,} | {b['description'].rsplit(' n=', 1)[0]} | {b['build_s']:.2f} | "
            f"{b['memory_mb']:.1f} | {b['query_p50_ms']:.3f} | {b['query_p95_ms']:.3f} | "
            f"{b['recall_at_10']:.3f} |"
        )
    if result["bm25"]:
        lines += ["", "| passages | BM25 build s | BM25 query p50 ms |", "|---:|---:|---:|"]
        for b in result["bm25"]:
            lines.append(f"| {b['n']:,} | {b['build_s']:.2f} | {b['query_p50_ms']:.3f} |")
    return "\n".join(lines)
