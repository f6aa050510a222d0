"""Shared fixtures: a private per-user cache; the second test corpus (urban beekeeping,
tests/data/second_corpus), its lexicon and a QA over it with the hashing fake encoder; the
real web chat for the browser tests.

The second corpus is written for the tests, in another domain than the packaged review and
with other table columns (ref, author, year, site, treatment, finding), so that behaviour
tests show what the engine does for any folder of documents, not for one review.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hccqa.corpus.loader import Corpus, load_folder
from hccqa.qa import QA
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings
from hccqa.understand.lexicon import Lexicon

SECOND_CORPUS = Path(__file__).resolve().parent / "data" / "second_corpus"


@pytest.fixture(scope="session")
def second_corpus_dir() -> Path:
    """The folder of the second test corpus (read only: copy it before changing anything)."""
    return SECOND_CORPUS


@pytest.fixture(scope="session")
def second_corpus() -> Corpus:
    """The second test corpus, loaded."""
    return load_folder(SECOND_CORPUS)


@pytest.fixture(scope="session")
def second_lexicon(second_corpus: Corpus) -> Lexicon:
    """The lexicon of the second test corpus."""
    return Lexicon.from_corpus(second_corpus)


@pytest.fixture(scope="session")
def second_qa(tmp_path_factory: pytest.TempPathFactory) -> QA:
    """QA over the second test corpus with the deterministic hashing encoder."""
    index = tmp_path_factory.mktemp("second-index")
    settings = Settings.from_env({}, corpus_dir=SECOND_CORPUS, index_dir=index)
    return QA.load(settings, embedder=HashingEmbedder())


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One per-user cache for the whole session (and the subprocesses it starts).

    Tests never write the real ``~/.cache/hccqa``: the ONNX encoder is exported once
    per session into a temporary folder, unless HCCQA_CACHE_DIR names one already.
    """
    if os.environ.get("HCCQA_CACHE_DIR"):
        yield
        return
    os.environ["HCCQA_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    try:
        yield
    finally:
        os.environ.pop("HCCQA_CACHE_DIR", None)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hccqa serve`` with the real model on a free 127.0.0.1 port and a fresh index; its URL."""
    from hccqa.bench.soak import launched_server

    index_dir = tmp_path_factory.mktemp("index")
    with launched_server(env={"HCCQA_INDEX_DIR": str(index_dir)}, timeout=600) as (url, _pid):
        yield url
