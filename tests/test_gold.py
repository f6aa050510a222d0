"""Gold sets: load_gold validation (file:line errors) and the project's own gold set."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from hccqa.corpus.tables import load_tables
from hccqa.corpus.text import normalize
from hccqa.errors import GoldFormatError
from hccqa.evaluation.gold import load_gold

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpus" / "gold" / "questions.jsonl"
# Written later from the review alone, phrased as users type (terse, lower-case, abbreviations).
HELDOUT = ROOT / "corpus" / "gold" / "heldout.jsonl"


@pytest.fixture(scope="module", params=[GOLD, HELDOUT], ids=["project", "heldout"])
def gold(request):  # type: ignore[no-untyped-def]
    return load_gold(request.param)


@pytest.fixture(scope="module")
def rows():  # type: ignore[no-untyped-def]
    return {r.id: r for t in load_tables(ROOT / "corpus") for r in t.rows}


def test_every_evidence_span_occurs_in_the_review(gold) -> None:  # type: ignore[no-untyped-def]
    review = normalize((ROOT / "corpus" / "review.txt").read_text(encoding="utf-8"))
    missing = [(q.id, s) for q in gold for s in q.evidence or () if normalize(s) not in review]
    assert missing == []


def test_evidence_spans_are_short_and_without_citations(gold) -> None:  # type: ignore[no-untyped-def]
    for q in gold:
        for span in q.evidence or ():
            assert "[" not in span and len(span.split()) <= 14, (q.id, span)


def test_every_row_id_exists(gold, rows) -> None:  # type: ignore[no-untyped-def]
    expected_ids = (
        {f"table1:{r}" for r in (10, 12, 13, 14, 40, 41, 42, 43, 44)}
        | {f"table2:{r}" for r in (21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 36, 38)}
        | {f"table2:{r}" for r in (46, 47, 50, 53)}
    )
    assert set(rows) == expected_ids
    unknown = [(q.id, r) for q in gold for r in q.table_rows or () if r not in rows]
    assert unknown == []


def test_answer_terms_come_from_the_review_or_its_tables(gold, rows) -> None:  # type: ignore[no-untyped-def]
    # An honest extractive answer can only contain words of the review or of a row.
    source = normalize((ROOT / "corpus" / "review.txt").read_text(encoding="utf-8"))
    source += normalize(" ".join(r.text for r in rows.values()))
    for q in gold:
        for term in q.answer_must_include:
            assert any(normalize(o) in source for o in term.split("|")), (q.id, term)


def test_coverage_of_the_gold_set(gold) -> None:  # type: ignore[no-untyped-def]
    assert len(gold) >= 60
    cats = Counter(q.category for q in gold)
    for cat in ("narrative", "number", "definition", "table_lookup", "table_filter"):
        assert cats[cat] >= 5, cat
    assert cats["citation"] >= 5 and cats["passage_row"] >= 4
    followups = [q for q in gold if q.history]
    assert len(followups) >= 6
    assert cats["unanswerable_offtopic"] >= 4 and cats["unanswerable_ontopic"] >= 4
    unanswerable = [q for q in gold if not q.answerable]
    assert len(unanswerable) >= 8
    # unanswerable: nothing to find, no row to show, no term to require
    assert all(q.table_rows == [] or q.table_rows == () for q in unanswerable)
    assert all(not q.answer_must_include and q.evidence is None for q in unanswerable)
    assert all(q.answer_must_include for q in gold if q.answerable)


# --------------------------------------------------------------------------- load_gold


GOOD = {
    "id": "q1",
    "question": "Which receptors?",
    "evidence": ["EGFR"],
    "table_rows": ["table2:21"],
    "answer_must_include": ["EGFR"],
    "answerable": True,
}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_gold_reads_optional_fields(tmp_path: Path) -> None:
    other = {**GOOD, "id": "q2", "history": ["hi"], "category": "x", "evidence": None}
    path = _write(tmp_path, [json.dumps(GOOD), "", json.dumps(other)])
    q1, q2 = load_gold(path)
    assert q1.category == "uncategorized" and q1.history == () and q1.line == 1
    assert q2.history == ("hi",) and q2.evidence is None and q2.line == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "answerable"}), "missing field"),
        (json.dumps({**GOOD, "answerable": "yes"}), "'answerable' must be true or false"),
        (json.dumps({**GOOD, "evidence": "EGFR"}), "'evidence' must be a list of strings or null"),
        (json.dumps({**GOOD, "table_rows": ["row 21"]}), "<table>:<key>"),
        (json.dumps({**GOOD, "history": "hi"}), "'history' must be a list of strings"),
        (json.dumps({**GOOD, "answer_must_include": None}), "'answer_must_include'"),
        (json.dumps({**GOOD, "id": ""}), "'id' must be a non-empty string"),
        (json.dumps({**GOOD, "evidence": ["[ ]"]}), "empty once normalized"),
    ],
)
def test_load_gold_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    other = json.dumps({**GOOD, "id": "q0"})
    path = _write(tmp_path, [other, line])
    with pytest.raises(GoldFormatError, match=message) as info:
        load_gold(path)
    assert f"{path}:2:" in str(info.value)


def test_load_gold_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    path = _write(tmp_path, [json.dumps(GOOD), json.dumps(GOOD)])
    with pytest.raises(GoldFormatError, match=r":2: duplicate id 'q1' \(first on line 1\)"):
        load_gold(path)
    with pytest.raises(GoldFormatError, match="no question"):
        load_gold(_write(tmp_path, [""]))
    with pytest.raises(GoldFormatError, match="cannot read"):
        load_gold(tmp_path / "missing.jsonl")


def test_cli_bad_gold_is_one_line_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, ["{oops"])
    result = subprocess.run(
        [sys.executable, "-m", "hccqa", "eval", "--gold", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid JSON" in lines[0] and f"{path}:1:" in lines[0]


def test_load_gold_accepts_the_row_ids_of_any_table(tmp_path: Path) -> None:
    line = json.dumps({**GOOD, "table_rows": ["apiary_trials:5", "site_visits:North"]})
    (q,) = load_gold(_write(tmp_path, [line]))
    assert q.table_rows == ("apiary_trials:5", "site_visits:North")


def test_load_gold_reads_a_file_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(("\ufeff" + json.dumps({**GOOD, "id": "bom"}) + "\n").encode())
    (q,) = load_gold(path)
    assert q.id == "bom"
