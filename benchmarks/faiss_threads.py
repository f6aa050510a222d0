"""One FAISS query on 1 vs 2 OpenMP threads, for index sizes around the review's.

Usage: ``python benchmarks/faiss_threads.py [--queries 400] [--rounds 3]``

For each size, a flat inner-product index of unit vectors answers the same
single queries (top 100, as the retriever asks) with 1 and then 2 OpenMP
threads, alternating in rounds so that both see the same machine load; prints
the p50 per round in milliseconds. This is the measurement behind holding FAISS
queries to one thread (``hccqa.retrieval.embed._set_threads``).
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

SIZES = (34, 5_000, 20_000, 100_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'vectors':>8}  {'threads':>7}  p50 ms per round")
    for n in SIZES:
        x = rng.standard_normal((n, 384)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        index = faiss.IndexFlatIP(384)
        index.add(x)
        queries = rng.standard_normal((args.queries, 384)).astype(np.float32)
        rounds: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for threads in (1, 2):
                faiss.omp_set_num_threads(threads)
                samples = []
                for q in queries:
                    t = time.perf_counter()
                    index.search(q[None], 100)
                    samples.append(time.perf_counter() - t)
                rounds[threads].append(float(np.median(samples)) * 1000)
        for threads, values in rounds.items():
            print(f"{n:>8}  {threads:>7}  " + "  ".join(f"{v:8.3f}" for v in values))


if __name__ == "__main__":
    main()
