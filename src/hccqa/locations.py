"""Where the corpus and the index live when the settings do not say.

The default corpus is the review packaged with hccqa: ``hccqa/_corpus`` inside an
installed wheel, the checkout's top-level ``corpus/`` folder in an editable install
(the wheel's copy is made from it at build time). Indexes go to the per-user cache
(:func:`hccqa.cache.cache_root`), one folder per corpus content, model and encoder
backend, so that an installed ``hccqa`` writes nothing into the folder it runs from
and never mixes two corpora or two models; ``--index`` / ``HCCQA_INDEX_DIR`` name a
folder instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from .cache import cache_root, folder_digest
from .corpus.readers import DOCUMENT_SUFFIXES, TABLE_SUFFIXES
from .errors import CORPUS_FOLDER_HINT, CorpusError, no_folder
from .retrieval.embed import DEFAULT_MODEL_NAME
from .settings import Settings

PACKAGED_CORPUS = "_corpus"
CORPUS_SUFFIXES = (*DOCUMENT_SUFFIXES, *TABLE_SUFFIXES)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def packaged_corpus_dir() -> Path:
    """The folder of the review packaged with hccqa.

    Raises:
        CorpusError: neither the installed copy nor the checkout's ``corpus/`` is there.
    """
    package = Path(__file__).resolve().parent
    for folder in (package / PACKAGED_CORPUS, package.parents[1] / "corpus"):
        if folder.is_dir():
            return folder
    raise CorpusError(
        f"the packaged review is missing from {package}; reinstall hccqa "
        "or pass a corpus folder (--corpus or HCCQA_CORPUS_DIR)"
    )


def model_key(model: str) -> str:
    """A file-name-safe key of a model setting ("" = the packaged model)."""
    if not model:
        return DEFAULT_MODEL_NAME
    path = Path(model).expanduser().resolve()
    tag = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', path.name) or 'model'}-{tag}"


def default_index_dir(
    corpus_dir: Path, model: str, backend: str, env: Mapping[str, str] | None = None
) -> Path:
    """The cache folder of the index of this corpus content, model and backend.

    Args:
        corpus_dir: The corpus folder (its documents and tables are hashed).
        model: The model setting ("" = the packaged model).
        backend: The encoder backend.
        env: Environment for ``HCCQA_CACHE_DIR`` (default ``os.environ``).
    """
    corpus = folder_digest(corpus_dir, suffixes=CORPUS_SUFFIXES)[:16]
    return cache_root(env) / "indexes" / f"{corpus}-{model_key(model)}-{backend}"


def resolve(settings: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """The settings with a concrete corpus folder and index folder.

    An unset ``corpus_dir`` becomes the packaged review, an unset ``index_dir`` the
    cache folder of :func:`default_index_dir`.

    Raises:
        CorpusError: the corpus folder does not exist.
    """
    corpus_dir = settings.corpus_dir or packaged_corpus_dir()
    if not corpus_dir.is_dir():
        raise CorpusError(no_folder("corpus folder", corpus_dir, CORPUS_FOLDER_HINT))
    index_dir = settings.index_dir or default_index_dir(
        corpus_dir, settings.model, settings.backend, env
    )
    return replace(settings, corpus_dir=corpus_dir, index_dir=index_dir)
