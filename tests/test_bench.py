"""hccqa.bench.speed over the real review with the deterministic fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa.bench import speed as bench
from hccqa.errors import InputError
from hccqa.qa import QA
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings

QUESTIONS = Path(__file__).parent / "data" / "bench_questions.jsonl"
CORPUS = Path(__file__).parents[1] / "corpus"


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> QA:
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index"))
    return QA.load(settings, embedder=HashingEmbedder(64))


def test_load_questions_reads_question_and_history() -> None:
    items = bench.load_questions(QUESTIONS)
    assert len(items) == 6
    assert items[3] == (
        "And what about brivanib?",
        ("Which clinical trials tested sunitinib in HCC?",),
    )
    assert items[0][1] == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no questions"),
        ('{"id": 1}\n', ":1: not a JSON object"),
        ("[1]\n", ":1:"),
        ('{"question": "  "}\n', "non-empty string"),
    ],
)
def test_load_questions_refuses_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        bench.load_questions(path)
    with pytest.raises(InputError, match="does not exist"):
        bench.load_questions(tmp_path / "missing.jsonl")


def test_percentile_worked_values() -> None:
    # numpy linear interpolation: p50 of 1..4 is 2.5; p95 is 3 + 0.85 = 3.85
    assert bench.percentile_ms([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert bench.percentile_ms([4.0, 1.0, 3.0, 2.0], 95) == 3.85
    assert bench.percentile_ms([], 50) == 0.0


def test_time_asks_counts_every_question_every_pass(qa: QA) -> None:
    encode_s, ask_s, stages = bench.time_asks(qa, bench.load_questions(QUESTIONS), passes=2)
    assert len(encode_s) == len(ask_s) == 12
    assert set(stages) == set(bench.STAGES)
    assert all(len(v) == 12 for v in stages.values())
    assert all(t > 0 for t in ask_s)
    # total is measured inside ask, so it can't exceed the wall time of the ask around it
    assert max(a * 1000 - t for a, t in zip(ask_s, stages["total"], strict=True)) >= 0


def test_run_bench_result_and_table(qa: QA) -> None:
    result = bench.run_bench(qa.settings, QUESTIONS, passes=1, cold_start_runs=0, qa=qa)
    d = result.to_dict()
    for key in (
        "encode_p50_ms",
        "ask_p50_ms",
        "ask_p95_ms",
        "ask_over_encode",
        "cold_start_s",
        "build_s",
        "peak_rss_mb",
        "stages",
    ):
        assert key in d
    assert d["cold_start_s"] is None and d["questions"] == 6
    assert d["build_s"] is not None and d["build_s"] > 0
    assert d["ask_over_encode"] == pytest.approx(d["ask_p50_ms"] / d["encode_p50_ms"], rel=1e-2)
    assert d["ask_p95_ms"] >= d["ask_p50_ms"]
    assert d["peak_rss_mb"] > 10
    table = bench.format_bench(result)
    assert "ask p50 / encode p50" in table and "rows" in table


def test_threads_knob_is_validated() -> None:
    assert Settings.from_env({"HCCQA_THREADS": "2"}).threads == 2
    assert Settings().threads == 1
    with pytest.raises(InputError, match="threads"):
        Settings(threads=0).validated()


def test_format_backends_table() -> None:
    row = {
        "backend": "onnx",
        "mrr@10": 0.893,
        "recall@5": 0.98181,
        "encode_p50_ms": 11.5,
        "ask_p50_ms": 19.27,
        "ask_p95_ms": 37.4,
        "cold_start_s": 0.8,
        "build_s": 3.5,
        "peak_rss_mb": 514.3,
    }
    table = bench.format_backends([row]).splitlines()
    assert table[2] == "| onnx | 0.8930 | 0.9818 | 11.50 | 19.27 | 37.40 | 0.8 | 3.5 | 514.3 |"


@pytest.mark.integration
def test_compare_backends_torch_speed_and_quality(tmp_path: Path) -> None:
    gold = Path(__file__).parents[1] / "corpus" / "gold" / "questions.jsonl"
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")
    (row,) = bench.compare_backends(settings, gold, ("torch",), passes=1, cold_start_runs=0)
    assert row["backend"] == "torch" and row["questions"] > 10
    # The real model on the review's own gold set ranks an evidence passage first often.
    assert 0.5 < row["mrr@10"] <= 1.0 and 0.5 < row["recall@5"] <= 1.0
    assert row["encode_p50_ms"] > 0 and row["build_s"] > 0
