"""The project's gold set: valid format, spans copied from the review, rows that exist, coverage."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hccqa.evaluate import load_gold
from hccqa.tables import load_tables
from hccqa.text import normalize

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpus" / "gold" / "questions.jsonl"


@pytest.fixture(scope="module")
def gold():  # type: ignore[no-untyped-def]
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def rows():  # type: ignore[no-untyped-def]
    table_rows, _titles = load_tables(ROOT / "corpus")
    return {r.id: r for r in table_rows}


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
