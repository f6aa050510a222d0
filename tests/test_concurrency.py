"""Concurrency: one QA shared by many threads answers exactly as it does sequentially.

Also the soak benchmark's own machinery (percentiles, error counting, RSS
reading) against a tiny in-process Gradio app; the 5,000-request soak itself is
a command (`hccqa bench-soak`), not a test.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hccqa.bench.soak import free_port, percentile, run_soak
from hccqa.qa import QA
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("What is the mechanism of action of sorafenib?", ()),
    ("Which phase 3 trials failed to improve survival?", ()),
    ("How does hypoxia lead to resistance?", ()),
    ("Which growth factor receptors reduce sorafenib susceptibility?", ()),
    ("And which ones were tested second-line?", ("Which drugs were tested in phase 3?",)),
    ("What does EMT stand for?", ()),
    ("Who showed that PI3K/Akt activation causes resistance?", ()),
    ("How do I tune a violin?", ()),
    ("Are they more resistant than normal ones?", ("Tell me about cancer stem cells",)),
    ("Which studies from 2013 are in Table 2?", ()),
]


def _fingerprint(answer: object) -> str:
    d = answer.to_dict()  # type: ignore[attr-defined]
    d.pop("timings_ms", None)
    return json.dumps(d, sort_keys=True)


def _run_threads(qa: QA, jobs: list[tuple[str, tuple[str, ...]]], workers: int) -> list[str]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda j: _fingerprint(qa.ask(j[0], list(j[1]))), jobs))


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> QA:
    index_dir = tmp_path_factory.mktemp("index")
    return QA.load(
        Settings(corpus_dir=ROOT / "corpus", index_dir=index_dir), embedder=HashingEmbedder()
    )


def test_threads_ask_like_sequential_calls(qa: QA) -> None:
    jobs = QUESTIONS * 8  # 80 calls, each question answered 8 times in interleaved threads
    sequential = [_fingerprint(qa.ask(q, list(h))) for q, h in jobs]
    assert len(set(sequential)) == len(QUESTIONS)  # the questions differ in their answers
    for workers in (4, 16):
        assert _run_threads(qa, jobs, workers) == sequential


def test_threads_search_like_sequential_calls(qa: QA) -> None:
    jobs = [(q, mode) for q, _ in QUESTIONS for mode in ("hybrid", "dense", "bm25")] * 4

    def run(job: tuple[str, str]) -> list[tuple[str, float]]:
        return [(h.passage.id, round(h.score, 6)) for h in qa.search(job[0], k=5, mode=job[1])]

    sequential = [run(j) for j in jobs]
    with ThreadPoolExecutor(max_workers=12) as pool:
        assert list(pool.map(run, jobs)) == sequential


@pytest.mark.integration
def test_threads_ask_like_sequential_calls_real_model(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    real = QA.load(Settings(corpus_dir=ROOT / "corpus", index_dir=tmp_path / "index"))
    jobs = QUESTIONS * 3
    sequential = [_fingerprint(real.ask(q, list(h))) for q, h in jobs]
    assert _run_threads(real, jobs, 8) == sequential


# -- the soak machinery --------------------------------------------------------------------


def test_percentile_worked_values() -> None:
    # 1..100: the 50th percentile by linear interpolation sits between 50 and 51
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_soak_counts_errors_and_reads_server_memory() -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask(question: str, history: list[str]) -> dict[str, object]:
        if question == "boom":
            raise ValueError("boom")
        if question == "odd":
            return {"not": "an answer"}
        return {"answer": question.upper(), "turns": len(history)}

    with gr.Blocks() as demo:
        q, h, out = gr.Textbox(), gr.JSON(), gr.JSON()
        gr.Button().click(ask, [q, h], out, api_name="ask")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        questions = [("fine", ()), ("boom", ("x",)), ("odd", ()), ("fine too", ("a", "b"))]
        result = run_soak(
            f"http://127.0.0.1:{port}/", n=24, concurrency=3, pid=os.getpid(), questions=questions
        )
    finally:
        demo.close()
    assert result.requests == 24
    assert result.errors == 12  # every "boom" and every "odd"
    assert any("AppError" in s for s in result.error_samples)
    assert any("not an answer object" in s for s in result.error_samples)
    assert 0 < result.p50_ms <= result.p95_ms <= result.max_ms
    assert result.rss_start_mb is not None and result.rss_start_mb > 10
    assert result.rss_peak_mb is not None and result.rss_peak_mb >= result.rss_start_mb
    assert json.loads(json.dumps(result.to_dict()))["errors"] == 12
