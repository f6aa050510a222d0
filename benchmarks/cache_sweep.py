"""What a bare encode before an ask costs the ask's non-encode time, and why.

Usage: ``python benchmarks/cache_sweep.py [--passes 3] [--rounds 2]``

``hccqa bench`` times each ask right after a bare encode of the same string, and
reports ``other_p50_ms``: the ask's end-to-end time minus its own ``encode`` stage.
This script asks the packaged questions (query cache emptied before each pass) with
four things done just before every ask, alternating in rounds so that all see the
same machine load:

- ``encode``: a bare encode of the question (what ``hccqa bench`` does);
- ``sweep-100MB``: a sum over 100 MB of memory, about what the fp32 encoder's
  weights stream through the caches, and no encode;
- ``sweep-1MB``: a sum over 1 MB, which stays in the core's own cache;
- ``nothing``.

If ``sweep-100MB`` costs the ask what ``encode`` costs it and ``sweep-1MB`` costs
it what ``nothing`` does, the difference is the processor refilling its caches
after the encoder's weights passed through them, not work of the answering code.
Prints, per round and condition, the p50 of ``other`` in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from hccqa import QA, Settings  # noqa: E402
from hccqa.bench.speed import _clear_query_cache  # noqa: E402

GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold" / "questions.jsonl"


def _questions() -> list[tuple[str, tuple[str, ...]]]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [(r["question"], tuple(r.get("history") or ())) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    qa = QA.load(Settings())
    questions = _questions()
    for question, history in questions:  # fill every memo first
        qa.ask(question, history)
    big = np.ones(100_000_000 // 4, dtype=np.float32)
    small = np.ones(1_000_000 // 4, dtype=np.float32)
    before: dict[str, Callable[[str], object]] = {
        "encode": lambda q: qa.embedder.encode([q]),
        "sweep-100MB": lambda q: big.sum(),
        "sweep-1MB": lambda q: small.sum(),
        "nothing": lambda q: None,
    }
    print(f"{len(questions)} questions x {args.passes} passes; other p50 ms per round")
    results: dict[str, list[float]] = {name: [] for name in before}
    for _ in range(args.rounds):
        for name, step in before.items():
            other = []
            for _ in range(args.passes):
                _clear_query_cache(qa)
                for question, history in questions:
                    step(question)
                    t = time.perf_counter()
                    answer = qa.ask(question, history)
                    wall = (time.perf_counter() - t) * 1000
                    other.append(wall - answer.timings_ms.get("encode", 0.0))
            results[name].append(statistics.median(other))
    for name, values in results.items():
        print(f"{name:>12}  " + "  ".join(f"{v:6.3f}" for v in values))


if __name__ == "__main__":
    main()
