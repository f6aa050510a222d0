"""Metric tests with worked expectations: each comment says why the value is what it is."""

from __future__ import annotations

import math
import random

import pytest

from hccqa.evaluation.metrics import (
    RowCounts,
    answer_hit,
    contains_span,
    first_relevant_rank,
    missing_terms,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    row_counts,
)

# A tiny hand-built ranking: five passages returned for a question with three
# evidence spans (0, 1, 2). Passage 2 contains span 0, passage 4 contains spans
# 1 and 0 again, span 2 is nowhere.
RANKED_SPANS: list[set[int]] = [set(), {0}, set(), {0, 1}, set()]
FLAGS = [bool(s) for s in RANKED_SPANS]  # [F, T, F, T, F]


def test_recall_at_k_worked_example() -> None:
    # top 1: nothing -> 0/3
    assert recall_at_k(RANKED_SPANS, {0, 1, 2}, 1) == 0.0
    # top 3: span 0 (rank 2) -> 1/3
    assert recall_at_k(RANKED_SPANS, {0, 1, 2}, 3) == pytest.approx(1 / 3)
    # top 5: spans 0 and 1 -> 2/3; span 2 never found
    assert recall_at_k(RANKED_SPANS, {0, 1, 2}, 5) == pytest.approx(2 / 3)
    # k past the end is the whole list
    assert recall_at_k(RANKED_SPANS, {0, 1, 2}, 10) == pytest.approx(2 / 3)


def test_recall_at_k_document_level() -> None:
    # documents ranked a, b, c, d; relevant {b, d, z}: top 2 covers b -> 1/3, top 4 b, d -> 2/3
    ranked = [{"a"}, {"b"}, {"c"}, {"d"}]
    assert recall_at_k(ranked, {"b", "d", "z"}, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, {"b", "d", "z"}, 4) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, set(), 4) == 0.0


def test_first_relevant_rank_and_mrr() -> None:
    # the first relevant passage is at rank 2 -> MRR 1/2
    assert first_relevant_rank(FLAGS) == 2
    assert mrr_at_k(FLAGS, 10) == 0.5
    # with k = 1 the relevant passage is cut off -> 0
    assert first_relevant_rank(FLAGS, 1) is None
    assert mrr_at_k(FLAGS, 1) == 0.0
    assert mrr_at_k([], 10) == 0.0


def test_ndcg_worked_example() -> None:
    # DCG@10 = 1/log2(3) + 1/log2(5) (relevant at ranks 2 and 4);
    # ideal with 2 relevant = 1/log2(2) + 1/log2(3) = 1 + 0.6309
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(FLAGS, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(FLAGS, 10) == pytest.approx(0.6509, abs=1e-4)  # 1.0616 / 1.6309
    # told that 3 relevant items exist, the ideal grows -> lower score
    ideal3 = ideal + 1 / math.log2(4)
    assert ndcg_at_k(FLAGS, 10, n_relevant=3) == pytest.approx(dcg / ideal3)
    assert ndcg_at_k([True, False], 10) == 1.0
    assert ndcg_at_k([False, False], 10) == 0.0


def test_ndcg_matches_brute_force_on_random_lists() -> None:
    rng = random.Random(7)
    for _ in range(200):
        flags = [rng.random() < 0.3 for _ in range(rng.randint(0, 13))]
        k = rng.randint(1, 12)
        n_rel = sum(flags)
        if not n_rel:
            assert ndcg_at_k(flags, k) == 0.0
            continue
        dcg = sum(1 / math.log2(r + 1) for r in range(1, k + 1) if r <= len(flags) and flags[r - 1])
        best = sorted(flags, reverse=True)
        idcg = sum(1 / math.log2(r + 1) for r in range(1, k + 1) if r <= len(best) and best[r - 1])
        assert ndcg_at_k(flags, k) == pytest.approx(dcg / idcg)
        assert 0.0 <= ndcg_at_k(flags, k) <= 1.0


def test_bad_k_is_refused() -> None:
    with pytest.raises(ValueError):
        mrr_at_k(FLAGS, 0)
    with pytest.raises(ValueError):
        recall_at_k(RANKED_SPANS, {0}, 0)


def test_row_precision_recall_worked_example() -> None:
    # q1: expected {t1:10, t1:12}, shown {t1:10, t2:21} -> tp 1, fp 1, fn 1
    # q2: expected [] (no row fits), shown {t2:24} -> fp 1
    # q3: expected {t2:30}, shown {t2:30} -> tp 1
    # micro: tp 2, fp 2, fn 1 -> precision 2/4 = 0.5, recall 2/3, F1 = 2*.5*.667/1.167 = 4/7
    total = (
        row_counts(["table1:10", "table2:21"], ["table1:10", "table1:12"])
        + row_counts(["table2:24"], [])
        + row_counts(["table2:30"], ["table2:30"])
    )
    assert total == RowCounts(tp=2, fp=2, fn=1)
    assert total.precision == 0.5
    assert total.recall == pytest.approx(2 / 3)
    assert total.f1 == pytest.approx(4 / 7)


def test_row_counts_edge_cases() -> None:
    # nothing shown, nothing expected: no error made
    empty = row_counts([], [])
    assert (empty.precision, empty.recall, empty.f1) == (1.0, 1.0, 1.0)
    # duplicates count once
    assert row_counts(["table1:10", "table1:10"], ["table1:10"]) == RowCounts(1, 0, 0)
    # shown rows, none right
    wrong = row_counts(["table1:10"], ["table1:12"])
    assert (wrong.precision, wrong.recall, wrong.f1) == (0.0, 0.0, 0.0)


def test_answer_hit_on_normalized_form_with_alternatives() -> None:
    answer = "EGFR and human epidermal growth-factor receptor-3 reduced the susceptibility [21]."
    assert answer_hit(answer, ["egfr", "HER-3|receptor-3"])
    assert answer_hit(answer, ["growth factor receptor"])  # hyphen vs space
    assert not answer_hit(answer, ["EGFR", "HER3|HER-3"])
    assert missing_terms(answer, ["EGFR", "HER3|HER-3", "c-Met"]) == ["HER3|HER-3", "c-Met"]
    assert answer_hit(answer, [])  # nothing required


def test_contains_span_ignores_hyphenation_and_accents() -> None:
    assert contains_span("the develop- ment of résistance", "development of resistance")
    assert not contains_span("anything", "")
    assert not contains_span("anything", " - ")


def test_percentile() -> None:
    # 1..5: median 3; p95 = 4 + 0.8 * (5 - 4) = 4.8 by linear interpolation
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([5, 1, 3, 2, 4], 95) == pytest.approx(4.8)
    assert percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 101)
