"""One question's ONNX encode on 1 or 2 intra-op threads, spinning or not, with N busy cores.

Usage: ``python benchmarks/encoder_threads.py [--busy 0] [--rounds 5] [--gold FILE]``

The default encoder (``Settings()``: the int8 ONNX file in the user cache) is opened
four times: 1 thread; 1 thread without spinning; 2 threads; 2 threads without spinning
(``session.intra_op.allow_spinning`` = 0). Each session encodes every question of the
gold file one at a time, the four alternating in rounds so that all see the same load;
``--busy N`` first starts N processes that keep a core each busy, as other work on a
shared machine would. Prints p50 and p95 in milliseconds. This is the measurement
behind the encoder's default threads (``hccqa.settings.Settings.encoder_threads``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from hccqa.locations import packaged_corpus_dir
from hccqa.retrieval.embed import load_embedder
from hccqa.settings import Settings

CONFIGS = ((1, True), (1, False), (2, True), (2, False))


def _spin() -> None:
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, help="cores kept busy meanwhile")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gold", default=str(packaged_corpus_dir() / "gold" / "questions.jsonl"))
    args = parser.parse_args()
    lines = Path(args.gold).read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    embedder = load_embedder(Settings())
    tokenizer = embedder._tokenizer  # the encoder's own, truncating like it
    feeds = []
    for q in questions:
        e = tokenizer.encode(q)
        feeds.append(
            {
                "input_ids": np.array([e.ids], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids], dtype=np.int64),
            }
        )
    sessions = {}
    for threads, spin in CONFIGS:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        sessions[threads, spin] = ort.InferenceSession(
            str(embedder.path), options, providers=["CPUExecutionProvider"]
        )
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for h in hogs:
        h.start()
    try:
        samples: dict[tuple[int, bool], list[float]] = {c: [] for c in CONFIGS}
        for _ in range(args.rounds):
            for config, session in sessions.items():
                for feed in feeds:
                    t = time.perf_counter()
                    session.run(None, feed)
                    samples[config].append((time.perf_counter() - t) * 1000)
    finally:
        for h in hogs:
            h.terminate()
    print(f"{embedder.path.name}, {len(questions)} questions x {args.rounds}, {args.busy} busy")
    print(f"{'threads':>7}  {'spinning':>8}  {'p50 ms':>7}  {'p95 ms':>7}")
    for (threads, spin), values in samples.items():
        p50, p95 = np.percentile(values, [50, 95])
        print(f"{threads:>7}  {'yes' if spin else 'no':>8}  {p50:>7.2f}  {p95:>7.2f}")


if __name__ == "__main__":
    main()
