"""Per-user cache folders: exported encoders and indexes shared by every checkout.

The root is ``HCCQA_CACHE_DIR`` when set, else the platform's user cache folder
(``~/.cache/hccqa`` on Linux, through platformdirs). Nothing here creates a folder:
the code that writes into one creates it, atomically where it matters.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from platformdirs import user_cache_dir

APP = "hccqa"


def cache_root(env: Mapping[str, str] | None = None) -> Path:
    """The per-user cache root (``HCCQA_CACHE_DIR`` overrides the platform default)."""
    env = os.environ if env is None else env
    override = env.get("HCCQA_CACHE_DIR", "").strip()
    return Path(override).expanduser() if override else Path(user_cache_dir(APP, appauthor=False))


def folder_digest(folder: Path, *, suffixes: Iterable[str] | None = None) -> str:
    """A sha256 over the relative names and bytes of the files under ``folder`` (sorted).

    Used to key caches by content (a model folder, a corpus folder), so that an edited
    folder gets a new cache entry and an unchanged one is reused from any checkout.

    Args:
        folder: The folder to hash.
        suffixes: Only files with these suffixes (e.g. ``(".txt", ".tsv")``); all when None.
    """
    wanted = None if suffixes is None else {s.lower() for s in suffixes}
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if wanted is not None and path.suffix.lower() not in wanted:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()
