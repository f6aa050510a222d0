"""Test helpers: the web chat over the review with the fake embedder (HashingEmbedder).

``web_chat`` launches it in this process; ``served_process`` in a child process
whose stderr (the server log: uvicorn, Gradio and hccqa messages, and any
traceback) goes to a file the test can read. ``python tests/serving.py INDEX PORT``
is that child.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
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
    server = launch(demo, settings, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", qa
    finally:
        server.close()


@dataclass(frozen=True)
class ServedProcess:
    """A web chat in a child process."""

    url: str
    pid: int
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        """Everything the server wrote to stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def served_process(tmp_path: Path, env: dict[str, str] | None = None) -> Iterator[ServedProcess]:
    """Run ``python tests/serving.py`` (the web chat, fake embedder) until the block ends.

    Gradio's upload folder (``GRADIO_TEMP_DIR``) is ``tmp_path/gradio`` so a test can
    see what the server wrote there; ``env`` adds ``HCCQA_*`` settings. The child takes
    Ctrl-C (SIGINT) as a terminal would deliver it, whatever this process ignores.
    """
    from hccqa.bench.soak import free_port

    port = free_port()
    log = tmp_path / "server.log"
    child_env = {
        **os.environ,
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "GRADIO_TEMP_DIR": str(tmp_path / "gradio"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    cmd = [sys.executable, str(Path(__file__)), str(tmp_path / "index"), str(port)]
    with log.open("wb") as errlog:
        proc = subprocess.Popen(
            cmd,
            env=child_env,
            stdout=errlog,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the server did not start"
            try:
                with urllib.request.urlopen(url + "gradio_api/info", timeout=2):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        yield ServedProcess(url, proc.pid, log, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _main(index_dir: str, port: str) -> None:
    """The child of :func:`served_process`: logging set up as ``hccqa serve`` sets it."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from hccqa.qa import QA
    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.settings import Settings
    from hccqa.ui.web import build_app, launch, prepare_server_environment

    prepare_server_environment()
    settings = Settings.from_env(
        corpus_dir=ROOT / "corpus", index_dir=Path(index_dir), port=int(port)
    )
    qa = QA.load(settings, embedder=HashingEmbedder())
    print(f"web chat on http://127.0.0.1:{port}/", file=sys.stderr, flush=True)
    launch(build_app(qa, settings), settings)


if __name__ == "__main__":
    _main(*sys.argv[1:3])
