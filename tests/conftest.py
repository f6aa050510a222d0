"""Shared fixtures: a private per-user cache, and the real web chat in a subprocess."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


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
