"""Approximate nearest-neighbour indexes: the FAISS index type, chosen by corpus size.

All indexes score by inner product on unit-length vectors (cosine similarity).
``kind="auto"`` picks by the number of vectors ``n``:

======================  ============  =======================================
n                       kind          why
======================  ============  =======================================
n < 20,000              ``flat``      exact; one query scans 20,000 x 384
                                      floats in about 1 ms, nothing to tune
20,000 <= n < 200,000   ``hnsw``      graph search: 0.9 ms per query at 10^5
                                      with recall@10 0.96 (efSearch 256)
n >= 200,000            ``ivf-sq8``   inverted lists (nlist ~ 4 sqrt(n),
                                      nprobe = nlist / 32) over 8-bit scalar-
                                      quantized vectors: at 10^6 recall@10
                                      0.966 in 3.0 ms with 380 MB (IVF-flat:
                                      8.7 ms, 1.5 GB; HNSW efC 40: recall 0.73)
======================  ============  =======================================

The thresholds come from the scaling benchmark (``hccqa bench-scaling``).
The search-time knobs (HNSW ``efSearch``, IVF ``nprobe``) are set on the index
and survive ``faiss.write_index`` / ``faiss.read_index``.
"""

from __future__ import annotations

import logging
import math

import faiss
import numpy as np

log = logging.getLogger(__name__)

KINDS = ("auto", "flat", "hnsw", "ivf", "ivf-sq8")

FLAT_MAX = 20_000
"""Below this many vectors ``auto`` builds an exact flat index."""
HNSW_MAX = 200_000
"""Below this many vectors (and at least :data:`FLAT_MAX`) ``auto`` builds HNSW."""

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 256
"""Recall@10 0.96 at 10^5 synthetic passages, 0.9 ms per query (docs/PERFORMANCE.md)."""
IVF_NPROBE_FRACTION = 1 / 32
"""nprobe = nlist / 32 (at least 8): the share of inverted lists scanned per query."""


def choose_kind(n: int) -> str:
    """The index kind ``auto`` picks for ``n`` vectors (see the module table)."""
    if n < FLAT_MAX:
        return "flat"
    if n < HNSW_MAX:
        return "hnsw"
    return "ivf-sq8"


def ivf_nlist(n: int) -> int:
    """Number of IVF lists for ``n`` vectors: about 4 * sqrt(n), and at most n / 39.

    FAISS k-means wants at least 39 training points per centroid.
    """
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


def make_index(
    vectors: np.ndarray,
    *,
    kind: str = "auto",
    hnsw_m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
    ef_search: int = HNSW_EF_SEARCH,
    nlist: int | None = None,
    nprobe: int | None = None,
    seed: int = 0,
) -> faiss.Index:
    """Build a FAISS inner-product index holding ``vectors`` (in row order: id i = row i).

    Args:
        vectors: ``(n, d)`` unit-length float rows.
        kind: ``auto`` (by size, see module doc), ``flat``, ``hnsw``, ``ivf`` (IVF with
            float vectors) or ``ivf-sq8`` (IVF with 8-bit scalar quantization).
        hnsw_m: HNSW graph degree.
        ef_construction: HNSW candidate list size while building.
        ef_search: HNSW candidate list size while searching (kept on the index).
        nlist: IVF list count; :func:`ivf_nlist` when omitted.
        nprobe: IVF lists scanned per query; ``nlist / 32`` (at least 8) when omitted.
        seed: k-means seed for IVF training.

    Returns:
        A trained, filled index whose ``search`` returns row numbers of ``vectors``.

    Raises:
        ValueError: ``kind`` is unknown or ``vectors`` is not a 2-D array.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; choose one of {', '.join(KINDS)}")
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {x.shape}")
    n, d = x.shape
    if kind == "auto":
        kind = choose_kind(n)
    # IVF needs enough points to train its centroids; tiny inputs fall back to exact search.
    if kind.startswith("ivf") and n < 39:
        kind = "flat"
    index: faiss.Index
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
    else:
        lists = nlist or ivf_nlist(n)
        quantizer = faiss.IndexFlatIP(d)
        if kind == "ivf":
            index = faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, d, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
        index.cp.seed = seed
        # 64 points per list are plenty for k-means; more only slows the build.
        sample = (
            x
            if n <= 64 * lists
            else x[np.random.default_rng(seed).choice(n, 64 * lists, replace=False)]
        )
        index.train(sample)
        index.nprobe = min(lists, nprobe or max(8, int(lists * IVF_NPROBE_FRACTION)))
    index.add(x)
    log.debug("built %s", describe(index))
    return index


def describe(index: faiss.Index) -> str:
    """One line naming the index type, size and search knobs.

    Example: ``hnsw(M=32, efConstruction=40, efSearch=64) n=1000 d=384``.
    """
    base = faiss.downcast_index(index)
    size = f"n={index.ntotal} d={index.d}"
    if isinstance(base, faiss.IndexHNSW):
        hnsw = base.hnsw
        m = hnsw.nb_neighbors(1)  # type: ignore[attr-defined]  # SWIG method, no stub
        return f"hnsw(M={m}, efConstruction={hnsw.efConstruction}, efSearch={hnsw.efSearch}) {size}"
    if isinstance(base, faiss.IndexIVFScalarQuantizer):
        return f"ivf-sq8(nlist={base.nlist}, nprobe={base.nprobe}) {size}"
    if isinstance(base, faiss.IndexIVF):
        return f"ivf(nlist={base.nlist}, nprobe={base.nprobe}) {size}"
    if isinstance(base, faiss.IndexFlat):
        return f"flat {size}"
    return f"{type(base).__name__} {size}"


def set_search_knob(index: faiss.Index, value: int) -> None:
    """Set the search-time accuracy knob: ``efSearch`` for HNSW, ``nprobe`` for IVF.

    Flat indexes have no knob; the call does nothing for them.
    """
    base = faiss.downcast_index(index)
    if isinstance(base, faiss.IndexHNSW):
        base.hnsw.efSearch = int(value)
    elif isinstance(base, faiss.IndexIVF):
        base.nprobe = min(int(value), base.nlist)
