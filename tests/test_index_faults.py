"""Index faults: each ends in a clear IndexStateError or a safe rebuild, never a half index.

Tests run as root in CI, where ``chmod`` does not stop writes; a read-only folder
is simulated by making the write function raise ``PermissionError`` and by
putting the index folder under a regular file (both are what the OS reports for
a folder that cannot be written). A real ``chmod`` test runs only as non-root.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tablefakes import make_row

from hccqa.errors import IndexStateError
from hccqa.retrieval import index as index_mod
from hccqa.retrieval import storage
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.retrieval.index import META, build_index, load_index, read_meta
from hccqa.retrieval.storage import LOCK
from hccqa.types import Passage, TableRow

TEXTS = [
    "Sorafenib is a multikinase inhibitor that prolongs survival in advanced HCC.",
    "Resistance to sorafenib arises through activation of the PI3K/Akt pathway.",
    "Hypoxia after anti-angiogenic therapy induces HIF-1alpha and drives resistance.",
    "EGFR and HER-3 reduce the susceptibility of HCC cells to sorafenib.",
    "Bevacizumab targets VEGF-A and was tested with erlotinib in HCC.",
    "Epithelial-mesenchymal transition is linked to acquired sorafenib resistance.",
    "Autophagy can protect tumour cells from sorafenib-induced death.",
]


@dataclass(frozen=True)
class FakeCorpus:
    """The three things the index needs from a corpus."""

    passages: tuple[Passage, ...]
    rows: tuple[TableRow, ...] = ()
    sha256: str = "a" * 64
    file_sha256: dict[str, str] = field(default_factory=dict)


def make_corpus(texts: list[str] = TEXTS, sha: str = "a" * 64) -> FakeCorpus:
    passages = tuple(
        Passage(id=f"review:p{i:03d}", doc_id="review", section="Results", text=t)
        for i, t in enumerate(texts)
    )
    rows = (
        make_row("trials", ref="10", author="Ames et al", year="2008", site="North roof"),
        make_row("sites", site="South roof", aspect="windy"),
    )
    return FakeCorpus(passages, rows, sha)


@pytest.fixture
def corpus() -> FakeCorpus:
    return make_corpus()


@pytest.fixture
def emb() -> HashingEmbedder:
    return HashingEmbedder(64)


@pytest.fixture
def built(tmp_path: Path, corpus: FakeCorpus, emb: HashingEmbedder) -> Path:
    d = tmp_path / "index"
    build_index(corpus, emb, d, progress=False)
    return d


def _search_top(idx: index_mod.Index, emb: HashingEmbedder, query: str) -> str:
    _, ids = idx.passage_index.search(emb.encode([query]), 1)
    return idx.passages[int(ids[0][0])].id


def _files_of(d: Path) -> list[str]:
    """The index files in a folder (the build lock file is not one)."""
    return sorted(p.name for p in d.iterdir() if p.name != LOCK)


# -- a healthy index (the control) ---------------------------------------------------------


def test_healthy_index_loads_without_rebuild(
    built: Path, corpus: FakeCorpus, emb: HashingEmbedder
) -> None:
    build_id = read_meta(built)["build_id"]
    idx = load_index(built, corpus, emb, auto_build=False)
    assert idx.meta["build_id"] == build_id
    assert _search_top(idx, emb, "HER-3 EGFR susceptibility") == "review:p003"
    files = _files_of(built)
    assert all(not f.endswith(".tmp") for f in files)
    assert all(f.endswith((".faiss", ".npy", ".npz", ".json")) for f in files)  # no pickle
    # the BM25 arrays load without pickle too (np.load refuses object arrays then)
    (npz,) = [f for f in files if f.endswith(".npz")]
    with np.load(built / npz, allow_pickle=False) as saved:
        assert all(saved[k].dtype != object for k in saved.files)
    assert (built / LOCK).stat().st_size == 0  # the lock is an empty file, released


# -- missing -------------------------------------------------------------------------------


def test_missing_folder_is_a_clear_error(tmp_path: Path, corpus: FakeCorpus, emb) -> None:
    with pytest.raises(IndexStateError, match=r"there is no index yet; run `hccqa build`"):
        load_index(tmp_path / "nowhere", corpus, emb, auto_build=False)
    assert not (tmp_path / "nowhere").exists()


def test_missing_folder_is_built_when_auto_build(tmp_path: Path, corpus, emb) -> None:
    idx = load_index(tmp_path / "fresh", corpus, emb, auto_build=True)
    assert _search_top(idx, emb, "autophagy tumour death") == "review:p006"
    assert (tmp_path / "fresh" / META).is_file()


def test_missing_meta_json(built: Path, corpus, emb) -> None:
    (built / META).unlink()
    with pytest.raises(IndexStateError, match="no index yet"):
        load_index(built, corpus, emb, auto_build=False)
    idx = load_index(built, corpus, emb, auto_build=True)
    assert idx.passage_index.ntotal == len(TEXTS)


@pytest.mark.parametrize(
    "content",
    [b"{ not json", b"", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b'"just a string"', b"null"],
)
def test_corrupt_meta_json(built: Path, corpus, emb, content: bytes) -> None:
    (built / META).write_bytes(content)
    with pytest.raises(IndexStateError) as exc:
        load_index(built, corpus, emb, auto_build=False)
    assert "hccqa build" in str(exc.value)
    assert str(built) in str(exc.value) or "index" in str(exc.value)
    idx = load_index(built, corpus, emb, auto_build=True)  # safe rebuild
    assert idx.passage_index.ntotal == len(TEXTS)


def test_meta_naming_files_that_are_gone(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    (built / meta["files"]["ids"]).unlink()
    with pytest.raises(IndexStateError, match="incomplete or damaged.*hccqa build"):
        load_index(built, corpus, emb, auto_build=False)


# -- damaged -------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 10, 45, 100])
def test_truncated_faiss_file(built: Path, corpus, emb, keep: int) -> None:
    meta = read_meta(built)
    target = built / meta["files"]["passages_faiss"]
    target.write_bytes(target.read_bytes()[:keep])
    with pytest.raises(IndexStateError, match="incomplete or damaged.*run `hccqa build`"):
        load_index(built, corpus, emb, auto_build=False)
    idx = load_index(built, corpus, emb, auto_build=True)
    assert idx.meta["build_id"] != meta["build_id"]  # rebuilt
    assert _search_top(idx, emb, "HIF-1alpha hypoxia") == "review:p002"


def test_garbage_vectors_file(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    (built / meta["files"]["passages_npy"]).write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(IndexStateError, match="incomplete or damaged"):
        load_index(built, corpus, emb, auto_build=False)


def test_pickled_vectors_file_is_refused(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    obj = np.array([{"evil": 1}], dtype=object)
    np.save(built / meta["files"]["passages_npy"], obj, allow_pickle=True)
    with pytest.raises(IndexStateError, match="incomplete or damaged"):
        load_index(built, corpus, emb, auto_build=False)


def _rewrite_with_checksum(built: Path, key: str, data: bytes) -> None:
    """Replace an index file and record its checksum, as a consistent (if wrong) build would."""
    meta = read_meta(built)
    path = built / meta["files"][key]
    path.write_bytes(data)
    meta["checksums"][key] = {"bytes": len(data), "xxh3_128": storage.file_checksum(path)}
    (built / META).write_text(json.dumps(meta))


def test_a_damaged_bm25_file_is_a_damaged_index(built: Path, corpus, emb) -> None:
    # not a zip at all, with a matching checksum: numpy cannot open it
    _rewrite_with_checksum(built, "bm25", b"PK\x03\x04 not really a zip")
    with pytest.raises(IndexStateError, match="incomplete or damaged"):
        load_index(built, corpus, emb, auto_build=False)


def _bm25_file(built: Path, change) -> bytes:  # type: ignore[no-untyped-def]
    """The index's BM25 file with ``change(arrays)`` applied, as bytes."""
    import io

    meta = read_meta(built)
    with np.load(built / meta["files"]["bm25"], allow_pickle=False) as saved:
        arrays = {k: saved[k] for k in saved.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            lambda a: a.__setitem__("passages.indices", a["passages.indices"] + 10**6),
            "out of range",
        ),
        (lambda a: a.__setitem__("passages.indptr", a["passages.indptr"][::-1]), "offsets"),
        (lambda a: a.__setitem__("rows.num_docs", np.array(999)), "documents"),
        (
            lambda a: a.__setitem__("passages.data", a["passages.data"].astype(np.float64)),
            "float32",
        ),
        (lambda a: [a.pop(k) for k in list(a) if k.startswith("sentences.")], "missing"),
    ],
)
def test_bm25_arrays_that_do_not_fit_are_a_damaged_index(
    built: Path, corpus, emb, change, says: str
) -> None:
    # consistent checksums, wrong contents: an error at load, never a wrong score later
    _rewrite_with_checksum(built, "bm25", _bm25_file(built, change))
    with pytest.raises(IndexStateError, match=f"damaged BM25 arrays .*{says}"):
        load_index(built, corpus, emb, auto_build=False)


def test_an_index_whose_bm25_was_built_by_other_versions_is_stale(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    meta["bm25"] = {"bm25s": "0.0.1", "PyStemmer": "0.0.1"}
    (built / META).write_text(json.dumps(meta))
    with pytest.raises(IndexStateError, match="BM25 was built with"):
        load_index(built, corpus, emb, auto_build=False)


def test_ids_file_that_lists_other_passages(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    ids_path = built / meta["files"]["ids"]
    ids = json.loads(ids_path.read_text())
    ids["passages"].reverse()
    ids_path.write_text(json.dumps(ids))
    # the edit is caught by the checksum first...
    with pytest.raises(IndexStateError, match=rf"incomplete or damaged \({ids_path.name} "):
        load_index(built, corpus, emb, auto_build=False)
    # ...and by the structural check when the checksum was updated with it
    _rewrite_with_checksum(built, "ids", json.dumps(ids).encode())
    with pytest.raises(IndexStateError, match="other passage ids"):
        load_index(built, corpus, emb, auto_build=False)


# -- contents checked against the checksums in meta.json -----------------------------------


def test_random_vectors_of_the_right_shape_are_detected(built: Path, corpus, emb) -> None:
    """The structure is intact (same shape, dtype, header): only the checksum can tell."""
    meta = read_meta(built)
    target = built / meta["files"]["passages_npy"]
    good = np.load(target, allow_pickle=False)
    rng = np.random.default_rng(7)
    forged = rng.standard_normal(good.shape).astype(np.float32)
    forged /= np.linalg.norm(forged, axis=1, keepdims=True)
    np.save(target, forged, allow_pickle=False)
    assert target.stat().st_size == meta["checksums"]["passages_npy"]["bytes"]  # same size
    with pytest.raises(
        IndexStateError,
        match=rf"incomplete or damaged \({target.name} does not match the checksum.*hccqa build",
    ):
        load_index(built, corpus, emb, auto_build=False)
    idx = load_index(built, corpus, emb, auto_build=True)  # rebuilt like any damaged index
    assert idx.meta["build_id"] != meta["build_id"]
    assert np.array_equal(idx.passage_vectors, good)


@pytest.mark.parametrize("key", ["passages_faiss", "rows_faiss"])
@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_one_flipped_byte_in_a_faiss_file_is_detected(
    built: Path, corpus, emb, key: str, where: float
) -> None:
    meta = read_meta(built)
    target = built / meta["files"][key]
    data = bytearray(target.read_bytes())
    pos = min(int(len(data) * where), len(data) - 1)
    data[pos] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(
        IndexStateError, match=rf"\({target.name} does not match the checksum recorded"
    ):
        load_index(built, corpus, emb, auto_build=False)
    idx = load_index(built, corpus, emb, auto_build=True)
    assert idx.meta["build_id"] != meta["build_id"]
    assert _search_top(idx, emb, "HIF-1alpha hypoxia") == "review:p002"


def test_a_file_grown_by_one_byte_names_both_sizes(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    target = built / meta["files"]["rows_npy"]
    size = target.stat().st_size
    target.write_bytes(target.read_bytes() + b"\0")
    with pytest.raises(IndexStateError, match=rf"{target.name} holds {size + 1:,} bytes, {size:,}"):
        load_index(built, corpus, emb, auto_build=False)


@pytest.mark.parametrize(
    "checksums",
    [None, [], {}, {"passages_faiss": "abc"}, "xxh3", {"ids": {"bytes": "1", "xxh3_128": "0"}}],
)
def test_meta_without_valid_checksums_is_refused(built: Path, corpus, emb, checksums) -> None:
    meta = read_meta(built)
    if checksums is None:
        del meta["checksums"]
    else:
        meta["checksums"] = checksums
    (built / META).write_text(json.dumps(meta))
    with pytest.raises(IndexStateError, match=r"checksum.*hccqa build"):
        load_index(built, corpus, emb, auto_build=False)
    assert load_index(built, corpus, emb, auto_build=True).meta["checksums"]["ids"]["bytes"] > 0


def test_checksums_are_those_of_the_files_on_disk(built: Path) -> None:
    meta = read_meta(built)
    assert set(meta["checksums"]) == set(meta["files"])
    for key, name in meta["files"].items():
        path = built / name
        assert meta["checksums"][key] == {
            "bytes": path.stat().st_size,
            "xxh3_128": storage.file_checksum(path),
        }


# -- another model, another corpus ---------------------------------------------------------


def test_index_from_another_model_and_dimension(built: Path, corpus) -> None:
    other = HashingEmbedder(128)
    with pytest.raises(IndexStateError, match=r"built with model 'hashing-64' \(dim 64\)"):
        load_index(built, corpus, other, auto_build=False)
    idx = load_index(built, corpus, other, auto_build=True)
    assert idx.passage_index.d == 128
    assert read_meta(built)["dimension"] == 128


def test_meta_claiming_another_dimension_than_its_files(built: Path, corpus) -> None:
    """meta.json edited (or copied) so it matches the model, but the FAISS files are 64-d."""
    other = HashingEmbedder(128)
    meta = read_meta(built)
    meta.update(model=other.name, dimension=other.dim)
    (built / META).write_text(json.dumps(meta))
    with pytest.raises(IndexStateError, match="dimension"):
        load_index(built, corpus, other, auto_build=False)


def test_corpus_changed_since_build(built: Path, emb) -> None:
    changed = make_corpus([*TEXTS[:-1], "A new paragraph about lenvatinib."], sha="b" * 64)
    with pytest.raises(
        IndexStateError, match=r"built for corpus sha aaaaaaaaaaaa….*now bbbbbbbbbbbb…"
    ):
        load_index(built, changed, emb, auto_build=False)
    idx = load_index(built, changed, emb, auto_build=True)
    assert _search_top(idx, emb, "lenvatinib") == f"review:p{len(TEXTS) - 1:03d}"


def test_format_version_from_the_future(built: Path, corpus, emb) -> None:
    meta = read_meta(built)
    meta["format_version"] = 99
    (built / META).write_text(json.dumps(meta))
    with pytest.raises(IndexStateError, match="index format 99"):
        load_index(built, corpus, emb, auto_build=False)


# -- cannot write --------------------------------------------------------------------------


def test_read_only_folder_simulated(
    built: Path, corpus, emb, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_id = read_meta(built)["build_id"]
    before = _files_of(built)

    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(storage, "write_bytes", refuse)
    with pytest.raises(IndexStateError, match=r"cannot write the index to .*Permission denied"):
        build_index(corpus, emb, built, progress=False)
    monkeypatch.undo()
    assert read_meta(built)["build_id"] == old_id
    assert load_index(built, corpus, emb, auto_build=False).meta["build_id"] == old_id
    assert all(not f.endswith(".tmp") for f in _files_of(built))
    assert set(before) <= set(_files_of(built))


def test_folder_under_a_regular_file(tmp_path: Path, corpus, emb) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(IndexStateError, match="cannot write the index"):
        build_index(corpus, emb, blocker / "index", progress=False)
    with pytest.raises(IndexStateError, match="cannot write the index"):
        load_index(blocker / "index", corpus, emb, auto_build=True)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores chmod")
def test_read_only_folder_real_chmod(built: Path, corpus, emb) -> None:
    old_id = read_meta(built)["build_id"]
    built.chmod(0o555)
    try:
        with pytest.raises(IndexStateError, match="cannot write the index"):
            build_index(corpus, emb, built, progress=False)
    finally:
        built.chmod(0o755)
    assert load_index(built, corpus, emb, auto_build=False).meta["build_id"] == old_id


# -- a failed or killed build leaves the previous index loadable ---------------------------


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5, 6])
def test_failed_os_replace_during_build(
    built: Path, corpus, emb, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    old_id = read_meta(built)["build_id"]
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", flaky_replace)
    changed = make_corpus([*TEXTS, "Regorafenib after sorafenib failure."], sha="c" * 64)
    with pytest.raises(IndexStateError, match="No space left on device"):
        build_index(changed, emb, built, progress=False)
    monkeypatch.undo()
    assert read_meta(built)["build_id"] == old_id
    idx = load_index(built, corpus, emb, auto_build=False)
    assert idx.meta["build_id"] == old_id
    assert idx.passage_index.ntotal == len(TEXTS)
    assert all(not f.endswith(".tmp") for f in _files_of(built))


def test_failed_faiss_serialization(built: Path, corpus, emb, monkeypatch) -> None:
    old_id = read_meta(built)["build_id"]

    def boom(_index: object) -> None:
        raise RuntimeError("Error in faiss::write_index: disk full")

    import faiss

    monkeypatch.setattr(faiss, "serialize_index", boom)
    with pytest.raises(IndexStateError, match="cannot write the index.*disk full"):
        build_index(corpus, emb, built, progress=False)
    monkeypatch.undo()
    assert load_index(built, corpus, emb, auto_build=False).meta["build_id"] == old_id


def test_failed_cleanup_of_old_files_keeps_the_new_index(
    built: Path, corpus, emb, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(index_dir: Path, keep: set[str]) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index_mod, "_remove_stale", refuse)
    new = build_index(corpus, emb, built, progress=False)
    monkeypatch.undo()
    assert load_index(built, corpus, emb, auto_build=False).meta["build_id"] == new.meta["build_id"]


def test_interrupt_after_partial_writes(built: Path, corpus, emb, monkeypatch) -> None:
    """Ctrl-C (or any exception) after some files are written: previous index still loads."""
    old_id = read_meta(built)["build_id"]
    real = storage.write_npy

    def interrupted(path: Path, array: np.ndarray) -> None:
        real(path, array)
        raise KeyboardInterrupt

    monkeypatch.setattr(storage, "write_npy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index(make_corpus(sha="d" * 64), emb, built, progress=False)
    monkeypatch.undo()
    idx = load_index(built, corpus, emb, auto_build=False)
    assert idx.meta["build_id"] == old_id
    # the next good build cleans up the orphans of the interrupted one
    build_index(corpus, emb, built, progress=False)
    names = _files_of(built)
    assert len([n for n in names if n.endswith(".faiss")]) == 2


KILLED_BUILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from test_index_faults import make_corpus
    from hccqa.retrieval import index as index_mod, storage
    from hccqa.retrieval.embed import HashingEmbedder

    real = os.replace
    state = {{"n": 0}}

    def slow_replace(src, dst):
        real(src, dst)
        state["n"] += 1
        if state["n"] == 3:  # two FAISS files and one vector file are in place
            open({flag!r}, "w").close()
            time.sleep(60)

    storage.os.replace = slow_replace
    index_mod.build_index(make_corpus(sha="e" * 64), HashingEmbedder(64), {dest!r}, progress=False)
    """
)


def test_build_killed_half_way_leaves_previous_index(
    built: Path, corpus, emb, tmp_path: Path
) -> None:
    old_id = read_meta(built)["build_id"]
    flag = tmp_path / "half-way"
    script = KILLED_BUILD.format(tests=str(Path(__file__).parent), flag=str(flag), dest=str(built))
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, "the build finished or died before the half-way point"
            assert time.monotonic() < deadline, "the build never reached the half-way point"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert len([n for n in _files_of(built) if n.endswith(".faiss")]) == 4  # the orphans exist
    idx = load_index(built, corpus, emb, auto_build=False)
    assert idx.meta["build_id"] == old_id
    assert _search_top(idx, emb, "bevacizumab erlotinib") == "review:p004"
    assert isinstance(
        faiss.read_index(str(built / idx.meta["files"]["passages_faiss"])), faiss.Index
    )


# -- one builder at a time -----------------------------------------------------------------

RACING_BUILD = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, {tests!r})
    from test_index_faults import make_corpus
    from hccqa.retrieval import index as index_mod, storage
    from hccqa.retrieval.embed import HashingEmbedder

    real_build, real_write = index_mod._build, storage.atomic_write

    def logged_build(*args, **kwargs):
        with open({log!r}, "a") as fh:
            fh.write(f"start {{os.getpid()}} {{time.time()}}\\n")
        try:
            return real_build(*args, **kwargs)
        finally:
            with open({log!r}, "a") as fh:
                fh.write(f"end {{os.getpid()}} {{time.time()}}\\n")

    def slow_write(path, write):
        time.sleep(0.15)  # a wide window for the other process to interleave, were it allowed
        return real_write(path, write)

    index_mod._build, storage.atomic_write = logged_build, slow_write
    while not os.path.exists({go!r}):
        time.sleep(0.005)
    corpus, emb = make_corpus(), HashingEmbedder(64)
    if {how!r} == "build":  # `hccqa build`; else a server's load with auto-build
        idx = index_mod.build_index(corpus, emb, {dest!r}, progress=False)
    else:
        idx = index_mod.load_index({dest!r}, corpus, emb, auto_build=True)
    print(json.dumps(idx.meta["build_id"]))
    """
)


@pytest.mark.parametrize("how", ["build", "auto-build"])
def test_two_builders_started_together_take_turns(tmp_path: Path, corpus, emb, how: str) -> None:
    dest, log, go = tmp_path / "index", tmp_path / "builds.log", tmp_path / "go"
    script = RACING_BUILD.format(
        tests=str(Path(__file__).parent), log=str(log), go=str(go), dest=str(dest), how=how
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    time.sleep(1.5)  # both interpreters up and polling for the go file
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    build_ids = {str(p.pid): json.loads(out) for p, (out, _) in zip(procs, outs, strict=True)}
    spans: dict[str, list[float]] = {}
    for _kind, pid, t in (line.split() for line in log.read_text().splitlines()):
        spans.setdefault(pid, []).append(float(t))
    if how == "build":
        assert len(spans) == 2 and len(set(build_ids.values())) == 2  # both built
        (s1, e1), (s2, e2) = sorted(spans.values())
        assert e1 <= s2, f"the builds interleaved: {s1:.2f}-{e1:.2f} and {s2:.2f}-{e2:.2f}"
        last = next(pid for pid, span in spans.items() if span[0] == s2)
        assert read_meta(dest)["build_id"] == build_ids[last]  # the later build is committed
    else:
        # one process built; the other waited for it and loaded what it built
        assert len(spans) == 1 and len(set(build_ids.values())) == 1
        assert read_meta(dest)["build_id"] == next(iter(build_ids.values()))
    idx = load_index(dest, corpus, emb, auto_build=False)  # valid: every checksum holds
    assert _search_top(idx, emb, "bevacizumab erlotinib") == "review:p004"
    names = _files_of(dest)
    assert len([n for n in names if n.endswith(".faiss")]) == 2
    assert not [n for n in names if n.endswith(".tmp")]


def test_auto_build_that_waited_uses_the_index_built_meanwhile(
    tmp_path: Path, corpus, emb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock holder builds; a loader that finds no index waits, then loads what was built."""
    import threading

    dest = tmp_path / "index"
    built_ids: list[str] = []
    real_build = index_mod._build

    def counting_build(*args: object, **kwargs: object) -> index_mod.Index:
        idx = real_build(*args, **kwargs)  # type: ignore[arg-type]
        built_ids.append(idx.meta["build_id"])
        return idx

    monkeypatch.setattr(index_mod, "_build", counting_build)
    with storage.build_lock(dest):
        result: list[index_mod.Index] = []
        loader = threading.Thread(
            target=lambda: result.append(load_index(dest, corpus, emb, auto_build=True))
        )
        loader.start()
        time.sleep(0.3)
        assert loader.is_alive()  # waiting for the lock
        index_mod._build(corpus, emb, dest, progress=False)  # what the other builder does
    loader.join(timeout=30)
    assert len(built_ids) == 1
    assert result[0].meta["build_id"] == built_ids[0]


# -- through QA.load, with the real corpus files -------------------------------------------


def test_review_edited_after_build_through_qa_load(tmp_path: Path) -> None:
    import shutil

    from hccqa.qa import QA
    from hccqa.settings import Settings

    corpus_dir = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[1] / "corpus", corpus_dir)
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index", auto_build=False)
    emb = HashingEmbedder(64)
    with pytest.raises(IndexStateError, match="no index yet.*hccqa build"):
        QA.load(settings, embedder=emb)
    first = QA.load(settings.with_(auto_build=True), embedder=emb)
    old_id = read_meta(settings.index_dir)["build_id"]
    assert QA.load(settings, embedder=emb).search("sorafenib", k=1)  # loads, no rebuild
    review = corpus_dir / "review.txt"
    review.write_text(review.read_text(encoding="utf-8") + "\nA late erratum.\n", encoding="utf-8")
    with pytest.raises(IndexStateError, match=r"built for corpus sha .*run `hccqa build`"):
        QA.load(settings, embedder=emb)
    QA.load(settings.with_(auto_build=True), embedder=emb)
    assert read_meta(settings.index_dir)["build_id"] != old_id
    assert first.search("sorafenib", k=1)


# -- fuzzed metadata -----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
META_KEYS = ["format_version", "build_id", "model", "dimension", "counts", "corpus_sha256", "files"]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # also: no example database written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    key=st.sampled_from(META_KEYS),
    value=JSON_VALUES,
    file_key=st.sampled_from(["passages_faiss", "rows_faiss", "passages_npy", "rows_npy", "ids"]),
    file_value=st.sampled_from(["../../etc/passwd", "/etc/passwd", "", ".", "meta.json"]),
    which=st.booleans(),
)
def test_fuzzed_meta_is_loaded_or_refused_clearly(
    built: Path, corpus, emb, key: str, value: object, file_key: str, file_value: str, which: bool
) -> None:
    good = read_meta(built)
    meta = json.loads(json.dumps(good))
    if which:
        meta[key] = value
    else:
        meta["files"][file_key] = file_value
    (built / META).write_text(json.dumps(meta))
    try:
        idx = load_index(built, corpus, emb, auto_build=False)
    except IndexStateError as exc:
        assert "hccqa build" in str(exc)
    else:
        assert idx.passage_index.ntotal == len(TEXTS)  # only harmless edits load
        assert idx.passage_index.d == emb.dim
    finally:
        (built / META).write_text(json.dumps(good))
