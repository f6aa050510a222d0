"""PubMedQA PQA-L benchmark over the engine's own multi-document build.

Each of the 1,000 entries' ``CONTEXTS`` becomes one ``<PMID>.txt`` document in a
temporary folder; that folder then goes through exactly what ``hccqa build
--corpus DIR`` does (:func:`hccqa.corpus.load_folder`, :func:`hccqa.retrieval.index.build_index`,
:class:`hccqa.retrieve.Retriever`). Each question is asked in every mode and
scored at the document level: a document counts at the rank of its first
passage. Baselines (plain BM25, plain dense, plain RRF, no query expansion) run
in the same process over the same passages, so comparisons are side by side.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from ..retrieval.embed import Embedder, load_embedder
from ..retrieval.index import build_index
from ..retrieval.retriever import FusionConfig, Retriever
from ..settings import Settings
from ..types import Hit

log = logging.getLogger(__name__)

KS = (1, 5, 10)
PASSAGE_DEPTH = 60  # passages fetched per question, enough to rank 10 distinct documents


def read_pqal(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read ``ori_pqal.json`` (PMID -> entry with ``QUESTION`` and ``CONTEXTS``).

    Raises:
        CorpusError: the file is missing, not JSON, or entries lack the fields.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(
            f"cannot read PubMedQA file {str(path)!r} ({exc}); pass --data PATH to ori_pqal.json"
        ) from exc
    except ValueError as exc:
        raise CorpusError(f"PubMedQA file {str(path)!r} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not data:
        raise CorpusError(f"PubMedQA file {str(path)!r} is not an object of PMID -> entry")
    for pmid, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("QUESTION") or not entry.get("CONTEXTS"):
            raise CorpusError(
                f"PubMedQA entry {pmid!r} in {str(path)!r} lacks QUESTION or CONTEXTS"
            )
    return data


def write_documents(data: dict[str, dict[str, Any]], folder: Path) -> None:
    """Write each entry's contexts as ``<PMID>.txt``, one paragraph per context."""
    folder.mkdir(parents=True, exist_ok=True)
    for pmid, entry in data.items():
        text = "\n\n".join(" ".join(str(c).split()) for c in entry["CONTEXTS"])
        (folder / f"{pmid}.txt").write_text(text + "\n", encoding="utf-8")


def doc_ranking(hits: Sequence[Hit], depth: int = 10) -> list[str]:
    """Distinct document ids in the order of their first passage, at most ``depth``."""
    docs: list[str] = []
    for hit in hits:
        if hit.passage.doc_id not in docs:
            docs.append(hit.passage.doc_id)
            if len(docs) == depth:
                break
    return docs


def score_rank(rank: int | None) -> dict[str, float]:
    """Metrics of one question whose single relevant document sits at ``rank`` (None: absent).

    With one relevant document, Recall@k is 1 when it is in the top k, MRR@10 is
    ``1/rank`` and nDCG@10 is ``1/log2(rank+1)`` (the ideal DCG is 1).
    """
    out = {f"recall@{k}": float(rank is not None and rank <= k) for k in KS}
    inside = rank is not None and rank <= 10
    out["mrr@10"] = 1.0 / rank if inside and rank else 0.0
    out["ndcg@10"] = 1.0 / math.log2(rank + 1) if inside and rank else 0.0
    return out


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def evaluate_runs(
    runs: dict[str, tuple[Retriever, str]],
    questions: Sequence[tuple[str, str]],
    *,
    progress: Callable[[], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Ask every ``(question, relevant_doc_id)`` in every run and average the metrics.

    The runs share one query-embedding cache: each question is encoded once, timed,
    and that encoding time is added to the latency of every run that needs it
    (dense and hybrid), so latencies are per-query costs while the model runs
    once per question rather than once per run.

    Returns:
        Run name -> ``recall@1/5/10``, ``mrr@10``, ``ndcg@10``, ``latency_ms_p50``,
        ``latency_ms_p95`` and ``n``.
    """
    sums: dict[str, dict[str, float]] = {name: {} for name in runs}
    latencies: dict[str, list[float]] = {name: [] for name in runs}
    encoder = next(iter(runs.values()))[0] if runs else None
    for question, gold in questions:
        t0 = time.perf_counter()
        if encoder is not None:
            encoder.encode_query(question)
        encode_ms = (time.perf_counter() - t0) * 1000
        for name, (retriever, mode) in runs.items():
            t0 = time.perf_counter()
            hits = retriever.search(question, k=PASSAGE_DEPTH, mode=mode)
            ms = (time.perf_counter() - t0) * 1000
            latencies[name].append(ms + (encode_ms if mode != "bm25" else 0.0))
            docs = doc_ranking(hits)
            rank = docs.index(gold) + 1 if gold in docs else None
            for key, value in score_rank(rank).items():
                sums[name][key] = sums[name].get(key, 0.0) + value
        if progress:
            progress()
    n = len(questions)
    out: dict[str, dict[str, float]] = {}
    for name in runs:
        res = {key: round(value / n, 4) for key, value in sums[name].items()} if n else {}
        res["latency_ms_p50"] = round(statistics.median(latencies[name]), 2) if n else 0.0
        res["latency_ms_p95"] = round(_percentile(latencies[name], 0.95), 2)
        res["n"] = n
        out[name] = res
    return out


def run_pubmedqa(
    data_path: str | Path,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    limit: int | None = None,
    baselines: bool = True,
    progress: bool = True,
    workdir: str | Path | None = None,
) -> dict[str, Any]:
    """Build the PubMedQA corpus with the engine and score every retrieval mode.

    Args:
        data_path: ``ori_pqal.json``.
        settings: Settings (model choice); ``Settings.from_env()`` when omitted.
        embedder: An encoder to use instead of the settings' one.
        limit: Use only the first ``limit`` entries (for quick runs and tests).
        baselines: Also run plain BM25, plain dense and plain RRF without query expansion.
        progress: Show progress bars.
        workdir: Where to write documents and index (a temporary folder by default).

    Returns:
        ``{"data", "n_documents", "n_passages", "n_questions", "build_s", "model",
        "modes": {"bm25", "dense", "hybrid"}, "baselines": {...}, "fusion": {...}}``;
        each mode holds recall@1/5/10, mrr@10, ndcg@10, build_s, latency_ms_p50/p95.
    """
    from dataclasses import asdict

    from ..corpus.loader import load_folder

    data = read_pqal(data_path)
    if limit:
        data = dict(list(data.items())[:limit])
    settings = settings or Settings.from_env()
    embedder = embedder or load_embedder(settings)
    questions = [(str(e["QUESTION"]), pmid) for pmid, e in data.items()]
    with tempfile.TemporaryDirectory(prefix="hccqa-pubmedqa-", dir=workdir) as tmp:
        docs_dir, index_dir = Path(tmp) / "docs", Path(tmp) / "index"
        write_documents(data, docs_dir)
        t0 = time.perf_counter()
        corpus = load_folder(docs_dir)
        index = build_index(corpus, embedder, index_dir, progress=progress)
        build_s = round(time.perf_counter() - t0, 2)
    glossary = getattr(corpus, "glossary", None) or None
    engine = Retriever(index, embedder, glossary=glossary, cache_size=4)
    runs: dict[str, tuple[Retriever, str]] = {
        "bm25": (engine, "bm25"),
        "dense": (engine, "dense"),
        "hybrid": (engine, "hybrid"),
    }
    if baselines:
        plain = engine.variant(glossary=None)
        rrf = engine.variant(
            glossary=None,
            config=FusionConfig(method="rrf", dense_weight=1.0, bm25_weight=1.0, rrf_k=60.0),
        )
        runs |= {
            "plain_bm25": (plain, "bm25"),
            "plain_dense": (plain, "dense"),
            "plain_rrf": (rrf, "hybrid"),
        }
    bar = _bar(len(questions), progress)
    results = evaluate_runs(runs, questions, progress=bar)
    for name, res in results.items():
        res["build_s"] = build_s
        log.info("pubmedqa %s: %s", name, res)
    if bar is not None:
        bar.close()
    return {
        "data": str(data_path),
        "model": embedder.name,
        "n_documents": len({p.doc_id for p in index.passages}),
        "n_passages": len(index.passages),
        "n_questions": len(questions),
        "build_s": build_s,
        "fusion": asdict(engine.config),
        "modes": {m: results[m] for m in ("bm25", "dense", "hybrid")},
        "baselines": {m: results[m] for m in results if m.startswith("plain_")},
    }


def _bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="questions", unit="q")

    class _Step:
        def __call__(self) -> None:
            bar.update(1)

        def close(self) -> None:
            bar.close()

    return _Step()


METRIC_KEYS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


def format_table(result: dict[str, Any]) -> str:
    """The result as a plain-text table, one line per mode and baseline."""
    cols = (*METRIC_KEYS, "latency_ms_p50", "latency_ms_p95")
    head = f"{'mode':<12}" + "".join(f"{c:>16}" for c in cols)
    lines = [
        f"PubMedQA PQA-L: {result['n_questions']} questions, {result['n_documents']} documents, "
        f"{result['n_passages']} passages, build {result['build_s']} s, model {result['model']}",
        head,
        "-" * len(head),
    ]
    rows = {**result["modes"], **result.get("baselines", {})}
    for name, metrics in rows.items():
        lines.append(f"{name:<12}" + "".join(f"{metrics[c]:>16}" for c in cols))
    return "\n".join(lines)


def write_pubmedqa_report(result: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write ``report.json``, ``report.md`` and ``pubmedqa.png`` (metrics by mode) into out_dir."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "pubmedqa.png"]
    paths[0].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(
        "# PubMedQA PQA-L retrieval benchmark\n\n```\n"
        + format_table(result)
        + "\n```\n\nFusion: `"
        + json.dumps(result.get("fusion", {}))
        + "`\n\n![metrics by mode](pubmedqa.png)\n",
        encoding="utf-8",
    )
    rows = {**result["modes"], **result.get("baselines", {})}
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(rows), 1)
    for i, (name, metrics) in enumerate(rows.items()):
        xs = [j + i * width for j in range(len(METRIC_KEYS))]
        ax.bar(xs, [metrics[m] for m in METRIC_KEYS], width, label=name)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(METRIC_KEYS))], METRIC_KEYS)
    ax.set_ylim(0.9, 1.0)
    ax.set_title("PubMedQA PQA-L document retrieval")
    ax.legend(fontsize=8, ncol=3, loc="lower right")
    fig.tight_layout()
    fig.savefig(paths[2], dpi=110)
    plt.close(fig)
    return paths
