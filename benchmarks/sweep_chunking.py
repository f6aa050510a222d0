"""Measure passage size / overlap / word-piece cap on gold sets: one fresh index per setting.

Prints aggregate figures only (hybrid mode), one line per set and setting, and the
average over the sets not named blind*: the blind sets are read as figures, never as
questions.

Usage:
    python benchmarks/sweep_chunking.py [--gold corpus/gold/dev.jsonl ...]
        [--settings 3/1/200,5/2/254] [--out /tmp/hccqa-sweep]

Each setting is sentences/overlap/max word pieces (``load_folder(max_sentences=,
overlap=, max_tokens=)``). Without ``--gold``, every ``*.jsonl`` in ``corpus/gold/``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from hccqa.corpus.loader import load_folder
from hccqa.evaluation.evaluate import evaluate, load_gold
from hccqa.locations import resolve
from hccqa.qa import QA
from hccqa.retrieval.embed import load_embedder
from hccqa.retrieval.index import load_index
from hccqa.retrieval.retriever import Retriever
from hccqa.settings import Settings

SETTINGS = "3/1/200,4/1/250,5/2/200,5/2/254,6/2/250,8/3/250"
FIGURES = (
    "recall@1",
    "recall@5",
    "mrr@10",
    "row_f1",
    "answer_hit",
    "abstained_unanswerable",
    "abstained_answerable",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", action="append", help="a gold set (repeat); default: all")
    parser.add_argument("--settings", default=SETTINGS, help="sentences/overlap/max pieces, ...")
    parser.add_argument("--out", default="/tmp/hccqa-sweep", help="where the trial indexes go")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    golds = (
        [Path(g) for g in args.gold] if args.gold else sorted(Path("corpus/gold").glob("*.jsonl"))
    )
    settings = resolve(Settings.from_env())
    assert settings.corpus_dir is not None
    embedder = load_embedder(settings)
    labels = ("R@1", "R@5", "MRR@10", "row F1", "hit", "unans ref", "ans ref")
    print(f"{'setting':10} {'passages':>8} {'set':12} " + " ".join(f"{x:>9}" for x in labels))
    for spec in args.settings.split(","):
        size, overlap, pieces = (int(x) for x in spec.split("/"))
        corpus = load_folder(
            settings.corpus_dir, max_sentences=size, overlap=overlap, max_tokens=pieces
        )
        index_dir = Path(args.out) / f"s{size}o{overlap}t{pieces}"
        index = load_index(index_dir, corpus, embedder, auto_build=True, progress=False)
        retriever = Retriever(
            index, embedder, glossary=corpus.glossary or None, sentences=corpus.sentences
        )
        qa = QA(settings, corpus, embedder, retriever)
        developed: list[dict[str, float]] = []
        for gold in golds:
            figures = evaluate(qa, load_gold(gold), ["hybrid"], progress=False, warmup=False)
            m = figures.modes["hybrid"]
            if not gold.stem.startswith("blind"):
                developed.append(m)
            print(_line(spec, len(corpus.passages), gold.stem, m))
        if developed:  # a figure no set measured (no unanswerable question...) stays None
            mean = {f: _mean([m[f] for m in developed if m[f] is not None]) for f in FIGURES}
            print(_line(spec, len(corpus.passages), "dev average", mean))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _line(spec: str, passages: int, name: str, m: dict[str, float | None]) -> str:
    cells = ("-" if m[f] is None else f"{m[f]:.3f}" for f in FIGURES)
    return f"{spec:10} {passages:>8} {name:12} " + " ".join(f"{c:>9}" for c in cells)


if __name__ == "__main__":
    main()
