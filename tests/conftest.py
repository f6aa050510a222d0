"""Shared fixtures: the real web chat launched in a subprocess (for the browser tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hccqa serve`` with the real model on a free 127.0.0.1 port and a fresh index; its URL."""
    from hccqa.bench.soak import launched_server

    index_dir = tmp_path_factory.mktemp("index")
    with launched_server(env={"HCCQA_INDEX_DIR": str(index_dir)}, timeout=600) as (url, _pid):
        yield url
