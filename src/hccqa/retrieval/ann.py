"""Approximate nearest-neighbour indexes: the FAISS index type, chosen by corpus size.

All indexes score by inner product on unit-length vectors (cosine similarity).
``kind="auto"`` picks by the number of vectors ``n``:

======================  ============  =======================================
n                       kind          why
======================  ============  =======================================
n < 20,000              ``flat``      exact; one query scans 20,000 x 384
                                      floats in about 1 ms, nothing to tune
20,000 <= n < 200,000   ``hnsw``      graph search: 0.9-1.2 ms per query at
                                      10^5 with recall@10 0.96 (efSearch 256)
n >= 200,000            ``ivf-pq``    inverted lists (nlist ~ 4 sqrt(n),
                                      nprobe 128) of 4-bit fast-scan product
                                      codes of the residuals (d/2 sub-
                                      quantizers) pick 32 x k candidates,
                                      re-scored on fp16 copies of the
                                      vectors: at 10^6 recall@10 0.977 in
                                      0.98 ms (nprobe 96: 0.966 in 0.86 ms;
                                      IVF-SQ8 0.966 in 2.85 ms), in 843 MB
                                      (IVF-SQ8 380 MB)
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

KINDS = ("auto", "flat", "hnsw", "ivf", "ivf-sq8", "ivf-pq")

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
IVF_PQ_NPROBE = 128
"""Lists an ``ivf-pq`` query scans: recall@10 0.977 in 0.98 ms at 10^6 (nlist 4000); 0.956
at 10^5 (nlist 1264), where 96 gave 0.938."""
REFINE_K_FACTOR = 32
"""``ivf-pq`` re-scores ``k * 32`` candidates (k_factor 16: recall@10 0.949, 48: 0.970)."""


def choose_kind(n: int) -> str:
    """The index kind ``auto`` picks for ``n`` vectors (see the module table)."""
    if n < FLAT_MAX:
        return "flat"
    if n < HNSW_MAX:
        return "hnsw"
    return "ivf-pq"


def pq_subquantizers(d: int) -> int:
    """Sub-quantizers of the ``ivf-pq`` codes: one per 2 dimensions (192 for 384), 4 bits each.

    Fast-scan PQ reads 4-bit codes with SIMD table lookups, so fine codes cost little
    scan time; coarser ones (96 x 4 bits) needed k_factor 64 for recall@10 0.93 at 10^5.
    """
    return d // 2 if d % 2 == 0 else d


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
            float vectors), ``ivf-sq8`` (IVF with 8-bit scalar quantization) or ``ivf-pq``
            (IVF with 4-bit fast-scan product codes, candidates re-scored in fp16).
        hnsw_m: HNSW graph degree.
        ef_construction: HNSW candidate list size while building.
        ef_search: HNSW candidate list size while searching (kept on the index).
        nlist: IVF list count; :func:`ivf_nlist` when omitted.
        nprobe: IVF lists scanned per query; ``nlist / 32`` (at least 8) when omitted, or
            :data:`IVF_PQ_NPROBE` for ``ivf-pq``.
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
        ivf: faiss.IndexIVF
        if kind == "ivf":
            ivf = faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_INNER_PRODUCT)
        elif kind == "ivf-sq8":
            ivf = faiss.IndexIVFScalarQuantizer(
                quantizer, d, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
        else:
            ivf = faiss.IndexIVFPQFastScan(
                quantizer, d, lists, pq_subquantizers(d), 4, faiss.METRIC_INNER_PRODUCT
            )
            # Codes of the residual to the list centroid (FAISS's default here is the raw
            # vector): at 10^6, recall@10 0.91 -> 0.99 at nprobe 192.
            ivf.by_residual = True
        ivf.cp.seed = seed
        default_nprobe = (
            IVF_PQ_NPROBE if kind == "ivf-pq" else max(8, int(lists * IVF_NPROBE_FRACTION))
        )
        ivf.nprobe = min(lists, nprobe or default_nprobe)
        index = ivf
        if kind == "ivf-pq":
            # The codes only pick candidates; fp16 copies of the vectors score them (error
            # < 1e-4). At 10^6 that kept recall@10 within 0.002 of float32 copies in half
            # the memory (843 vs 1,576 MB); 8-bit copies (477 MB) lost 0.025.
            refine = faiss.IndexScalarQuantizer(
                d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
            refined = faiss.IndexRefine(ivf, refine)
            refined.k_factor = REFINE_K_FACTOR
            index = refined
        # 64 points per list are plenty for k-means; more only slows the build.
        sample = (
            x
            if n <= 64 * lists
            else x[np.random.default_rng(seed).choice(n, 64 * lists, replace=False)]
        )
        index.train(sample)
    index.add(x)
    log.debug("built %s", describe(index))
    return index


def describe(index: faiss.Index) -> str:
    """One line naming the index type, size and search knobs.

    Example: ``hnsw(M=32, efConstruction=40, efSearch=64) n=1000 d=384``.
    """
    base = faiss.downcast_index(index)
    size = f"n={index.ntotal} d={index.d}"
    if isinstance(base, faiss.IndexRefine):
        inner = faiss.downcast_index(base.base_index)
        refine = faiss.downcast_index(base.refine_index)
        how = "fp16" if isinstance(refine, faiss.IndexScalarQuantizer) else "flat"
        if isinstance(inner, faiss.IndexIVFPQFastScan):
            return (
                f"ivf-pq(nlist={inner.nlist}, nprobe={inner.nprobe}, pq={inner.pq.M}x4fs, "
                f"refine={how} k_factor={base.k_factor:g}) {size}"
            )
        return f"{type(inner).__name__}+refine(k_factor={base.k_factor:g}) {size}"
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
    """Set the search-time accuracy knob: ``efSearch`` for HNSW, ``nprobe`` for IVF
    (also under a refine step).

    Flat indexes have no knob; the call does nothing for them.
    """
    base = faiss.downcast_index(index)
    if isinstance(base, faiss.IndexRefine):
        base = faiss.downcast_index(base.base_index)
    if isinstance(base, faiss.IndexHNSW):
        base.hnsw.efSearch = int(value)
    elif isinstance(base, faiss.IndexIVF):
        base.nprobe = min(int(value), base.nlist)
