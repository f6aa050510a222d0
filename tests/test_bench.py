"""hccqa.bench.speed over the real review with the deterministic fake embedder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hccqa import settings as settings_mod
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
    result = bench.run_bench(
        qa.settings, QUESTIONS, passes=1, cold_start_runs=0, yardstick=False, qa=qa
    )
    d = result.to_dict()
    for key in (
        "encode_p50_ms",
        "ask_p50_ms",
        "ask_p95_ms",
        "ask_over_encode",
        "other_p50_ms",
        "torch_encode_p50_ms",
        "ask_over_torch_encode",
        "cold_start_s",
        "build_s",
        "peak_rss_mb",
        "stages",
    ):
        assert key in d
    assert d["cold_start_s"] is None and d["questions"] == 6
    assert d["torch_encode_p50_ms"] is None and d["ask_over_torch_encode"] is None
    assert d["backend"] == "hashing"  # the encoder's own backend, not the settings' default
    assert d["build_s"] is not None and d["build_s"] > 0
    assert d["ask_over_encode"] == pytest.approx(d["ask_p50_ms"] / d["encode_p50_ms"], rel=1e-2)
    assert d["ask_p95_ms"] >= d["ask_p50_ms"]
    # everything but the model: below the whole ask, and at least what the stages after
    # the encode took
    assert 0 < d["other_p50_ms"] <= d["ask_p50_ms"]
    assert d["peak_rss_mb"] > 10
    table = bench.format_bench(result)
    assert "all else" in table and "rows" in table and "torch encode" not in table


def test_format_bench_shows_the_yardstick_ratio() -> None:
    result = bench.BenchResult(
        questions=2,
        passes=1,
        encode_p50_ms=6.0,
        encode_p95_ms=7.0,
        ask_p50_ms=9.0,
        ask_p95_ms=10.0,
        ask_over_encode=1.5,
        cold_start_s=0.8,
        build_s=1.0,
        peak_rss_mb=300.0,
        backend="onnx",
        other_p50_ms=3.0,
        other_p95_ms=3.5,
        torch_encode_p50_ms=15.0,
        torch_encode_p95_ms=16.0,
        ask_over_torch_encode=0.6,
        stages={"encode": 6.0, "dense": 0.2, "total": 9.0},
        stages_p95={"encode": 7.0, "dense": 0.3, "total": 10.0},
    )
    lines = bench.format_bench(result).splitlines()
    assert lines[2].split() == ["encode", "6.00", "7.00", "(the", "model,", "inside", "ask)"]
    assert any(line.split()[:4] == ["all", "else", "3.00", "3.50"] for line in lines)
    assert "ask p50 / torch encode p50 = 0.60 (target <= 0.65)" in lines
    assert lines[0].endswith("passes, backend onnx")  # threads unknown: not printed
    two = bench.format_bench(dataclasses.replace(result, threads=2)).splitlines()
    assert two[0].endswith("passes, backend onnx, 2 encoder threads")


def test_threads_knob_is_validated() -> None:
    assert Settings.from_env({"HCCQA_THREADS": "2"}).threads == 2
    assert Settings().threads == 0  # chosen by backend
    with pytest.raises(InputError, match="threads"):
        Settings(threads=-1).validated()


def test_encoder_threads_are_chosen_by_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_mod, "available_cores", lambda: 8)
    assert Settings(backend="onnx-int8").encoder_threads == 2
    assert Settings(backend="onnx").encoder_threads == 2
    assert Settings(backend="torch").encoder_threads == 1  # idle torch threads spin
    assert Settings(backend="torch", threads=3).encoder_threads == 3  # as asked
    monkeypatch.setattr(settings_mod, "available_cores", lambda: 1)
    assert Settings(backend="onnx").encoder_threads == 1


def test_the_yardstick_runs_with_the_threads_of_the_encoder_under_test(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings_mod, "available_cores", lambda: 4)
    env = bench._child_env(Settings(backend="onnx"), HCCQA_BACKEND="torch")
    assert env["HCCQA_BACKEND"] == "torch" and env["HCCQA_THREADS"] == "2"


def test_format_backends_table() -> None:
    row = {
        "backend": "onnx",
        "mrr@10": 0.893,
        "recall@5": 0.98181,
        "encode_p50_ms": 11.5,
        "ask_p50_ms": 19.27,
        "ask_p95_ms": 37.4,
        "other_p50_ms": 7.7,
        "ask_over_torch_encode": 0.61,
        "torch_encode_p50_ms": 31.6,
        "cold_start_s": 0.8,
        "build_s": 3.5,
        "peak_rss_mb": 514.3,
    }
    table = bench.format_backends([row]).splitlines()
    assert table[2] == (
        "| onnx | 0.8930 | 0.9818 | 11.50 | 19.27 | 37.40 | 7.70 | 0.61 | 0.8 | 3.5 | 514.3 |"
    )
    assert table[-1] == "torch encode p50 (yardstick, own process): 31.60 ms"


@pytest.mark.integration
def test_compare_backends_measures_each_backend_in_its_own_process(tmp_path: Path) -> None:
    gold = Path(__file__).parents[1] / "corpus" / "gold" / "questions.jsonl"
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", backend="onnx")
    torch_row, onnx_row = bench.compare_backends(
        settings, gold, ("torch", "onnx"), passes=1, cold_start_runs=0, yardstick=False
    )
    assert [torch_row["backend"], onnx_row["backend"]] == ["torch", "onnx"]
    assert (tmp_path / "index-torch" / "meta.json").is_file()  # the default backend's own
    assert (tmp_path / "index" / "meta.json").is_file()  # folder is index/, the others beside
    # The real model on the review's own gold set ranks an evidence passage first often,
    # and ONNX fp32 gives the same vectors as torch, so the same ranking.
    assert 0.5 < torch_row["mrr@10"] <= 1.0 and 0.5 < torch_row["recall@5"] <= 1.0
    assert onnx_row["mrr@10"] == pytest.approx(torch_row["mrr@10"], abs=1e-9)
    # Run after torch in one process, ONNX would report at least torch's peak memory.
    assert onnx_row["peak_rss_mb"] < torch_row["peak_rss_mb"]
    assert torch_row["encode_p50_ms"] > 0 and onnx_row["build_s"] > 0


def test_compare_backends_without_an_index_folder_uses_each_backends_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hccqa.locations import default_index_dir

    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(bench, "prepare_elsewhere", lambda settings: None)
    seen: list[tuple[str, str]] = []

    def child(args: dict[str, object], env: dict[str, str]) -> dict[str, object]:
        seen.append((env["HCCQA_BACKEND"], env["HCCQA_INDEX_DIR"]))
        return {"backend": env["HCCQA_BACKEND"], "ask_p50_ms": 1.0}

    monkeypatch.setattr(bench, "_run_child", child)
    settings = Settings(corpus_dir=CORPUS, backend="onnx")  # no index folder named
    bench.compare_backends(settings, QUESTIONS, ("torch", "onnx"), yardstick=False)
    # The folders `hccqa ask` etc. use for each backend, not "<onnx folder>-torch".
    assert seen == [(b, str(default_index_dir(CORPUS, "", b))) for b in ("torch", "onnx")]
    assert str(tmp_path / "cache" / "indexes") in seen[0][1]


def test_peak_rss_of_a_child_is_its_own() -> None:
    import subprocess
    import sys

    import numpy as np

    ballast = np.ones(300 * 2**20, dtype=np.uint8)  # 300 MiB resident in this process
    code = "from hccqa.bench.speed import peak_rss_mb; print(peak_rss_mb())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    child = float(out.stdout.strip())
    # ru_maxrss would report at least this process's 300 MiB for the child.
    assert 5 < child < 250, child
    assert bench.peak_rss_mb() >= 300
    del ballast
