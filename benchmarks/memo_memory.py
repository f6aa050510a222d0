"""Memory of the query path's memos under many distinct questions.

Asks N random questions (4-14 words drawn from the review) through one ``QA`` and
prints the process RSS every ``--every`` questions, then the fill of each memo.
The memos are bounded LRU caches, so RSS should level off once they are full.

Usage: HF_HUB_OFFLINE=1 python benchmarks/memo_memory.py [-n 16000] [--every 4000]
"""

from __future__ import annotations

import argparse
import os
import random
import time

import psutil

from hccqa import QA
from hccqa.answer import compose as answer
from hccqa.corpus import sentences
from hccqa.understand import filters, terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=16000, help="distinct questions to ask")
    parser.add_argument("--every", type=int, default=4000, help="print RSS every so many")
    args = parser.parse_args()
    qa = QA.load()
    proc = psutil.Process(os.getpid())
    words = [w for p in qa.corpus.passages for w in p.text.split()]
    rng = random.Random(0)

    def rss() -> float:
        return proc.memory_info().rss / 2**20

    qa.ask("warm up question about sorafenib")
    start, t0 = rss(), time.perf_counter()
    for i in range(1, args.n + 1):
        qa.ask(" ".join(rng.choice(words) for _ in range(rng.randint(4, 14))) + f" {i}?")
        if i % args.every == 0:
            print(
                f"{i} distinct questions: RSS {rss():.1f} MiB, growth {rss() - start:.1f} MiB, "
                f"{time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    memos = {
        "terms._stems": terms._stems,
        "terms.word_stems": terms.word_stems,
        "answer._has_stem": answer._has_stem,
        "filters._fold": filters._fold,
        "sentences._spans": sentences._spans,
        "expander": qa.retriever._expander._expansions,
    }
    for name, memo in memos.items():
        print(name, memo.cache_info())


if __name__ == "__main__":
    main()
