"""report.md / report.json / chart PNGs from an evaluation against the fake engine."""

from __future__ import annotations

import json
from pathlib import Path

from test_evaluate import CANNED, GOLD, FakeQA

from hccqa.evaluation.evaluate import evaluate
from hccqa.evaluation.report import by_category, failures, write_report

PNG = b"\x89PNG\r\n\x1a\n"


def _result():  # type: ignore[no-untyped-def]
    return evaluate(FakeQA(CANNED), GOLD, modes=("hybrid", "bm25"), gold_path="g", progress=False)


def test_failures_are_the_questions_that_went_wrong() -> None:
    # q1: rows differ from gold; q4: showed a row on an unanswerable question.
    # q2 is also a failure: it showed a row where gold says none ([]).
    failed = {(q.id, q.mode) for q in failures(_result())}
    assert failed == {(i, m) for i in ("q1", "q2", "q4") for m in ("hybrid", "bm25")}


def test_by_category_splits_the_summary() -> None:
    cats = by_category(_result())
    assert set(cats) == {"cat_a", "cat_b"}
    # cat_b: q2 answerable (hit), q3 and q4 unanswerable (one abstained properly)
    assert cats["cat_b"]["hybrid"]["n_answerable"] == 1
    assert cats["cat_b"]["hybrid"]["abstained_unanswerable"] == 0.5
    assert cats["cat_a"]["bm25"]["recall@3"] == 0.5


def test_write_report_files(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    paths = write_report(_result(), out)
    names = sorted(p.name for p in paths)
    assert names == ["metrics_by_category.png", "metrics_by_mode.png", "report.json", "report.md"]
    for p in paths:
        assert p.parent == out and p.stat().st_size > 0
    assert (out / "metrics_by_mode.png").read_bytes()[:8] == PNG
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"gold", "n_questions", "modes", "questions", "by_category", "failures"} <= set(data)
    q4 = next(f for f in data["failures"] if f["id"] == "q4")
    assert q4["rows"] == ["table1:10"] and q4["abstained"] is False
    q1 = next(f for f in data["failures"] if f["id"] == "q1")
    assert q1["expected_rows"] == ["table2:21", "table2:22"] and q1["evidence_found"] == [
        True,
        True,
    ]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "### q4 [hybrid]" in md and "rows expected ['table2:21', 'table2:22']" in md
    assert "![metrics by mode](metrics_by_mode.png)" in md
    assert not list(out.glob(".*"))  # no temporary file left
