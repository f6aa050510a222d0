"""What checking the index files against meta.json costs: the review's index and 10^6 vectors.

    .venv/bin/python benchmarks/verify_cost.py [--big]

The review's index is built with the fake 384-dimension encoder (the same file sizes as
the packaged model's). ``--big`` also writes a synthetic 10^6 x 384 float32 ``.npy`` and
a flat FAISS file of the same vectors (1.5 GB each, the largest index hccqa writes at
that size) under /tmp/hccqa-verify, and times XXH3-128 (what the index uses), sha256,
reading the bytes alone, and loading them (``np.load`` + ``faiss.read_index``).
Best of 3 runs each; the files are in the page cache (a warm machine).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from hccqa.qa import load_any_corpus
from hccqa.retrieval import storage
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.retrieval.index import build_index, read_meta


def best(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def read_bytes(path: Path) -> None:
    buf = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as fh:
        while fh.readinto(buf):
            pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()


def review() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = load_any_corpus("corpus")
        build_index(corpus, HashingEmbedder(384), tmp, progress=False)
        meta = read_meta(tmp)
        total = sum(c["bytes"] for c in meta["checksums"].values())
        seconds = best(lambda: storage.verify(Path(tmp), meta["files"], meta["checksums"]), 20)
        print(
            f"review: {meta['counts']['passages']} passages + {meta['counts']['rows']} rows, "
            f"{len(meta['files'])} files, {total / 1024:.0f} KiB: verify {seconds * 1000:.2f} ms"
        )


def big() -> None:
    folder = Path("/tmp/hccqa-verify")
    folder.mkdir(exist_ok=True)
    npy, flat = folder / "vectors-1m.npy", folder / "flat-1m.faiss"
    if not npy.exists() or not flat.exists():
        rng = np.random.default_rng(0)
        vectors = np.empty((1_000_000, 384), np.float32)
        for i in range(0, 1_000_000, 100_000):
            vectors[i : i + 100_000] = rng.standard_normal((100_000, 384), dtype=np.float32)
        storage.write_npy(npy, vectors)
        index = faiss.IndexFlatIP(384)
        index.add(vectors)
        storage.write_faiss(flat, index)
        del vectors, index
    for path in (npy, flat):
        read_bytes(path)  # into the page cache
        size = path.stat().st_size
        timings = {
            "read": best(lambda p=path: read_bytes(p)),
            "xxh3_128": best(lambda p=path: storage.file_checksum(p)),
            "sha256": best(lambda p=path: sha256(p)),
        }
        if path.suffix == ".npy":
            timings["np.load"] = best(lambda p=path: np.load(p, allow_pickle=False))
        else:
            timings["faiss.read_index"] = best(lambda p=path: faiss.read_index(str(p)))
        cells = "  ".join(f"{name} {t:.2f} s" for name, t in timings.items())
        print(f"{path.name} ({size / 1e9:.2f} GB): {cells}")


if __name__ == "__main__":
    review()
    if "--big" in sys.argv:
        big()
