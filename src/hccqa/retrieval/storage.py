"""Files of an index folder: atomic checksummed writes, their verification, the build lock.

Every file is written to a temporary file in the same folder, fsynced and put in
place with ``os.replace``, so a crash never leaves half a file under the real
name. Writing also counts and hashes the bytes on their way to disk; the index
records both in ``meta.json`` and :func:`verify` checks them before a file is
parsed, so a file damaged or replaced since the build (random vectors of the
right shape, one flipped byte) is refused with its name.

The checksum is XXH3-128 (``xxhash``), not sha256: it guards against damage, not
against someone who can also rewrite ``meta.json``, and it hashes about as fast as
the file is read (7.8 GB/s against sha256's 1.4 GB/s and blake2b's 0.8 GB/s on a
1.5 GB vector file here; docs/PERFORMANCE.md).

One builder at a time: :func:`build_lock` holds an OS file lock on
``.build.lock`` in the index folder (``filelock``; the OS releases it when the
holder dies, so a killed build never leaves the folder locked).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import xxhash

from ..errors import IndexStateError

log = logging.getLogger(__name__)

LOCK = ".build.lock"
CHECKSUM = "xxh3_128"


class _HashingWriter:
    """Writes through to a file, counting the bytes and hashing them on the way."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._hash = xxhash.xxh3_128()
        self._size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self._size += len(data)
        return self._fh.write(data)

    def record(self) -> dict[str, Any]:
        return {"bytes": self._size, CHECKSUM: self._hash.hexdigest()}


def atomic_write(path: Path, write: Callable[[Any], object]) -> dict[str, Any]:
    """Write a file through ``write(fh)`` into a temporary file, fsync it, ``os.replace`` it.

    Returns:
        ``{"bytes": size, "xxh3_128": hex digest}`` of what was written.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            out = _HashingWriter(fh)
            write(out)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out.record()


def write_bytes(path: Path, data: bytes) -> dict[str, Any]:
    """:func:`atomic_write` of bytes."""
    return atomic_write(path, lambda fh: fh.write(data))


def write_faiss(path: Path, index: Any) -> dict[str, Any]:
    """:func:`atomic_write` of a FAISS index (``faiss.serialize_index``)."""
    import faiss  # a build has imported it already; loading an index need not

    return write_bytes(path, faiss.serialize_index(index).tobytes())


def write_npy(path: Path, array: np.ndarray) -> dict[str, Any]:
    """:func:`atomic_write` of a NumPy array (``.npy``, no pickle)."""
    return atomic_write(path, lambda fh: np.save(fh, array, allow_pickle=False))


def file_checksum(path: str | Path) -> str:
    """The XXH3-128 hex digest of a file, read in 1 MiB blocks."""
    digest = xxhash.xxh3_128()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()


def _damaged(index_dir: Path, detail: str) -> IndexStateError:
    return IndexStateError(
        f"index in {str(index_dir)!r} is incomplete or damaged ({detail}); run `hccqa build`"
    )


def verify(index_dir: Path, files: Mapping[str, str], checksums: object) -> None:
    """Check each file's size, then its checksum, against what the build recorded.

    Args:
        index_dir: The index folder.
        files: Role -> file name (``meta["files"]``).
        checksums: Role -> ``{"bytes", "xxh3_128"}`` (``meta["checksums"]``, unchecked).

    Raises:
        IndexStateError: no checksum is recorded for a file, or the file is missing,
            has another size or another checksum (the message names the file).
    """
    if not isinstance(checksums, dict):
        raise IndexStateError(
            f"index metadata in {str(index_dir)!r} records no file checksums; run `hccqa build`"
        )
    for role, name in files.items():
        want = checksums.get(role)
        if (
            not isinstance(want, dict)
            or type(want.get("bytes")) is not int
            or not isinstance(want.get(CHECKSUM), str)
        ):
            raise _damaged(index_dir, f"no checksum recorded for {name}")
        path = index_dir / name
        try:
            size = path.stat().st_size
            if size != want["bytes"]:
                raise _damaged(
                    index_dir, f"{name} holds {size:,} bytes, {want['bytes']:,} when it was built"
                )
            if file_checksum(path) != want[CHECKSUM]:
                raise _damaged(
                    index_dir, f"{name} does not match the checksum recorded when it was built"
                )
        except OSError as exc:
            raise _damaged(index_dir, f"{name}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def build_lock(index_dir: str | Path) -> Iterator[None]:
    """Hold the folder's build lock (creating the folder); wait while another process holds it.

    Raises:
        IndexStateError: the folder or its lock file cannot be created.
    """
    from filelock import FileLock, Timeout  # only a build locks: ~0.02 s off a query's start

    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(index_dir / LOCK)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("another process is building the index in %s; waiting for it", index_dir)
            lock.acquire()
    except OSError as exc:
        raise IndexStateError(f"cannot write the index to {str(index_dir)!r}: {exc}") from exc
    try:
        yield
    finally:
        lock.release()
