"""Gold loading and scoring against a fake engine, with worked expectations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from hccqa.errors import InputError
from hccqa.evaluation.evaluate import MODE_KEYS, GoldQuestion, evaluate, format_table, load_gold
from hccqa.types import Answer, Hit, Passage, RowMatch, TableRow

FILLER = [f"unrelated passage number {i}" for i in range(10)]


def _row(row_id: str) -> RowMatch:
    table, ref = row_id.split(":")
    cells = (("ref", ref), ("author", "Someone et al"), ("year", "2012"))
    return RowMatch(TableRow(row_id, table, ref, cells, int(ref), "Someone et al", 2012), "test")


class FakeQA:
    """Returns canned answers per question text; records what it was asked."""

    def __init__(self, canned: dict[str, tuple[list[str], list[str], str, bool]]):
        self.canned = canned
        self.calls: list[tuple[str, tuple[str, ...], int | None, str | None]] = []

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        self.calls.append((question, tuple(history), k, mode))
        if question == "too long":
            raise InputError("the question is too long")
        texts, rows, text, abstained = self.canned[question]
        hits = tuple(
            Hit(Passage(f"review:p{i:03d}", "review", "S", t), 1.0 / (i + 1), i + 1)
            for i, t in enumerate(texts)
        )
        return Answer(question, question, text, abstained, hits, tuple(_row(r) for r in rows))


def _gold(**kw: object) -> GoldQuestion:
    base: dict[str, object] = {
        "evidence": None,
        "table_rows": None,
        "answer_must_include": (),
        "answerable": True,
    }
    return GoldQuestion(**{**base, **kw})  # type: ignore[arg-type]


GOLD = [
    # two spans; the passages hold span 0 at rank 2 and span 1 at rank 4
    _gold(
        id="q1",
        question="a",
        evidence=("EGFR reduced the susceptibility", "develop- ment of resistance"),
        table_rows=("table2:21", "table2:22"),
        answer_must_include=("EGFR", "HER-3|receptor-3"),
        category="cat_a",
    ),
    # a follow-up; evidence at rank 1; rows [] but one shown (false positive)
    _gold(
        id="q2",
        question="b",
        history=("earlier turn",),
        evidence=("Notch1",),
        table_rows=(),
        answer_must_include=("Notch1",),
        category="cat_b",
    ),
    # unanswerable: abstains and shows nothing -> abstention counts
    _gold(id="q3", question="c", table_rows=(), answerable=False, category="cat_b"),
    # unanswerable: abstains but shows a row -> does NOT count as abstained
    _gold(id="q4", question="d", answerable=False, category="cat_b"),
]

CANNED = {
    "a": (
        [
            FILLER[0],
            "EGFR reduced the susceptibility of cells",
            FILLER[1],
            "the development of resistance",
        ]
        + FILLER[2:8],
        ["table2:21", "table1:10"],
        "EGFR and receptor-3 reduced it",
        False,
    ),
    "b": (["regulated by Notch1", *FILLER[:9]], ["table2:53"], "It was Notch1.", False),
    "c": (FILLER, [], "The review does not cover this.", True),
    "d": (FILLER, ["table1:10"], "The review does not cover this.", True),
}


def test_evaluate_worked_example() -> None:
    qa = FakeQA(CANNED)
    result = evaluate(qa, GOLD, modes=("bm25",), progress=False)
    m = result.modes["bm25"]
    assert set(m) == set(MODE_KEYS)
    assert m["n_evidence"] == 2
    # q1: top 1 has no span (0), top 3 has span 0 of 2 (0.5), top 5 both (1.0); q2: 1.0 at every k
    assert m["recall@1"] == 0.5  # (0 + 1) / 2
    assert m["recall@3"] == 0.75  # (0.5 + 1) / 2
    assert m["recall@5"] == 1.0
    # MRR: q1 first relevant at rank 2 -> 0.5, q2 at rank 1 -> 1.0; mean 0.75
    assert m["mrr@10"] == 0.75
    # rows scored on q1 (gold 21, 22; shown 21, 10: tp 1 fp 1 fn 1) and q2 (gold []: shown 53,
    # fp 1) and q3 (gold [], nothing shown); q4 is null -> not scored.
    # micro: tp 1, fp 2, fn 1 -> precision 1/3, recall 1/2, F1 0.4
    assert m["n_rows"] == 3
    assert m["row_precision"] == pytest.approx(0.3333)
    assert m["row_recall"] == 0.5
    assert m["row_f1"] == 0.4
    # answers: q1 has EGFR and receptor-3, q2 has Notch1 -> 1.0
    assert (m["n_answerable"], m["answer_hit"], m["abstained_answerable"]) == (2, 1.0, 0.0)
    # q3 abstained with no rows; q4 abstained but showed a row -> 1 of 2
    assert (m["n_unanswerable"], m["abstained_unanswerable"]) == (2, 0.5)
    by_id = {q.id: q for q in result.questions}
    assert by_id["q1"].first_relevant_rank == 2 and by_id["q1"].recall == {
        1: 0.0,
        3: 0.5,
        5: 1.0,
        10: 1.0,
    }
    assert by_id["q4"].abstained is False and by_id["q4"].failed
    assert by_id["q1"].failed  # rows differ from gold
    assert not by_id["q3"].failed


def test_followups_are_asked_with_history_and_at_least_10_passages() -> None:
    qa = FakeQA(CANNED)
    evaluate(qa, GOLD, modes=("hybrid", "dense"), progress=False, warmup=False)
    assert ("b", ("earlier turn",), 10, "hybrid") in qa.calls
    assert {c[3] for c in qa.calls} == {"hybrid", "dense"}
    assert len(qa.calls) == 8


def test_warmup_asks_each_question_once_more_before_timing() -> None:
    qa = FakeQA(CANNED)
    ticks: list[int] = []
    evaluate(qa, GOLD, modes=("hybrid", "dense"), progress=lambda: ticks.append(1))
    # 4 untimed warm-up asks in the first mode, then 4 per mode
    assert [c[0] for c in qa.calls[:4]] == ["a", "b", "c", "d"]
    assert len(qa.calls) == 12 and len(ticks) == 12


def test_json_object_follows_gold_format() -> None:
    result = evaluate(FakeQA(CANNED), GOLD, modes=("hybrid",), gold_path="g.jsonl", progress=False)
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"gold", "n_questions", "modes", "questions"}
    assert data["gold"] == "g.jsonl" and data["n_questions"] == 4
    assert list(data["modes"]["hybrid"]) == list(MODE_KEYS)
    q1 = data["questions"][0]
    assert q1 == {
        "id": "q1",
        "mode": "hybrid",
        "first_relevant_rank": 2,
        "rows": ["table2:21", "table1:10"],
        "answer_hit": True,
        "abstained": False,
    }
    assert data["questions"][2]["answer_hit"] is None  # unanswerable


def test_refused_question_counts_as_abstention() -> None:
    gold = [_gold(id="x", question="too long", answerable=False, table_rows=())]
    result = evaluate(FakeQA({}), gold, modes=("bm25",), progress=False)
    assert result.questions[0].abstained and "too long" in (result.questions[0].error or "")
    assert result.modes["bm25"]["abstained_unanswerable"] == 1.0


def test_bad_options_are_refused() -> None:
    with pytest.raises(InputError, match="mode"):
        evaluate(FakeQA(CANNED), GOLD, modes=("fuzzy",), progress=False)
    with pytest.raises(InputError, match="at least 10"):
        evaluate(FakeQA(CANNED), GOLD, k=5, progress=False)


def test_empty_metrics_are_none_and_table_shows_dash() -> None:
    gold = [_gold(id="u", question="c", answerable=False)]
    result = evaluate(FakeQA(CANNED), gold, modes=("bm25",), progress=False)
    assert result.modes["bm25"]["recall@1"] is None and result.modes["bm25"]["n_evidence"] == 0
    table = format_table(result)
    assert "bm25" in table and "n_unanswerable" in table
    assert " -" in table.splitlines()[3]


# --------------------------------------------------------------------------- the real engine

GOLD_FILE = Path(__file__).resolve().parents[1] / "corpus" / "gold" / "questions.jsonl"
CORPUS = GOLD_FILE.parents[1]


def test_project_gold_set_through_the_engine_with_the_fake_encoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from hccqa.qa import QA
    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.settings import Settings

    qa = QA.load(
        Settings.from_env({}, corpus_dir=CORPUS, index_dir=tmp_path), embedder=HashingEmbedder()
    )
    gold = load_gold(GOLD_FILE)
    with caplog.at_level("WARNING", logger="hccqa.evaluation.evaluate"):
        result = evaluate(qa, gold, modes=("bm25",), progress=False, warmup=False)
    assert "passages returned" not in caplog.text  # every answer kept >= 10 ranked passages
    m = result.modes["bm25"]
    assert (m["n_evidence"], m["n_answerable"], m["n_unanswerable"]) == (55, 73, 9)
    # BM25 does not use the encoder: the spans of the gold set are findable by words alone
    assert m["recall@10"] is not None and m["recall@10"] >= 0.9
    assert len(result.questions) == len(gold)


@pytest.mark.integration
def test_project_gold_set_with_the_real_model(tmp_path: Path) -> None:
    from hccqa.qa import QA
    from hccqa.settings import Settings

    qa = QA.load(Settings.from_env({}, corpus_dir=CORPUS, index_dir=tmp_path))
    gold = load_gold(GOLD_FILE)[::2]  # half the set keeps the run short
    m = evaluate(qa, gold, modes=("hybrid",), progress=False, warmup=False).modes["hybrid"]
    # measured 0.98 / 0.97 / 1.0 on the full set; a floor that catches regressions
    assert m["recall@5"] is not None and m["recall@5"] >= 0.85
    assert m["answer_hit"] is not None and m["answer_hit"] >= 0.8
    assert m["abstained_unanswerable"] is not None and m["abstained_unanswerable"] >= 0.75


def test_empty_evidence_list_is_not_scored() -> None:
    # evidence [] has no span to find: scoring it would add a 0 to every passage metric
    gold = [_gold(id="e", question="b", evidence=(), answer_must_include=("Notch1",))]
    result = evaluate(FakeQA(CANNED), gold, modes=("bm25",), progress=False)
    assert result.modes["bm25"]["n_evidence"] == 0 and result.questions[0].recall is None
