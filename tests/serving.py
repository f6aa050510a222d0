"""Test helper: the web chat launched in-process on a free loopback port (HashingEmbedder)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def web_chat(index_dir: Path, **settings_changes: Any) -> Iterator[tuple[str, Any]]:
    """Launch ``hccqa.ui.web.build_app`` over the review with the fake embedder; yield (url, qa)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from hccqa.bench.soak import free_port
    from hccqa.qa import QA
    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.settings import Settings
    from hccqa.ui.web import build_app, launch

    port = free_port()
    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=index_dir, port=port)
    settings = settings.with_(**settings_changes) if settings_changes else settings
    qa = QA.load(settings, embedder=HashingEmbedder())
    demo = build_app(qa, settings)
    launch(demo, settings, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", qa
    finally:
        demo.close()
