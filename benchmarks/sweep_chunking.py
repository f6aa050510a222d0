"""Measure passage size / overlap on a gold set: one fresh index per setting.

Usage: python benchmarks/sweep_chunking.py [--gold corpus/gold/questions.jsonl] [--out /tmp/sweep]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hccqa.corpus.loader import load_corpus
from hccqa.evaluation.evaluate import evaluate, load_gold
from hccqa.qa import QA
from hccqa.retrieval.embed import load_embedder
from hccqa.retrieval.index import load_index
from hccqa.retrieval.retriever import Retriever
from hccqa.settings import Settings

SETTINGS = [(2, 0), (2, 1), (3, 0), (3, 1), (4, 1), (5, 2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", default="corpus/gold/questions.jsonl")
    parser.add_argument("--out", default="/tmp/hccqa-sweep", help="where the trial indexes go")
    args = parser.parse_args()
    gold = load_gold(args.gold)
    settings = Settings.from_env()
    embedder = load_embedder(settings)
    print("sentences/overlap passages  hybrid R@5 MRR@10 hit rowF1  dense MRR@10")
    for max_sentences, overlap in SETTINGS:
        corpus = load_corpus(settings.corpus_dir, max_sentences=max_sentences, overlap=overlap)
        index_dir = Path(args.out) / f"s{max_sentences}o{overlap}"
        index = load_index(index_dir, corpus, embedder, auto_build=True, progress=False)
        qa = QA(settings, corpus, embedder, Retriever(index, embedder, glossary=corpus.glossary))
        modes = evaluate(qa, gold, modes=("hybrid", "dense"), progress=False, warmup=False)
        h, d = (modes.to_dict()["modes"][m] for m in ("hybrid", "dense"))
        print(
            f"{max_sentences}/{overlap:<16} {len(corpus.passages):>8}  {h['recall@5']:.3f} "
            f"{h['mrr@10']:.3f} {h['answer_hit']:.3f} {h['row_f1']:.3f}  {d['mrr@10']:.3f}"
        )


if __name__ == "__main__":
    main()
