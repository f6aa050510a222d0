"""Hand-made answers and a fake engine for the web chat's unit tests (no model, no index)."""

from __future__ import annotations

from collections.abc import Sequence

from hccqa.errors import InputError
from hccqa.types import Answer, AnswerSentence, Hit, Passage, Reference, RowMatch, TableRow

RECEPTOR_PASSAGE = Passage(
    id="review:p042",
    doc_id="review",
    section="Mechanisms of sorafenib resistance",
    text=(
        "HCC cells adapt to sorafenib. EGFR and human epidermal growth factor receptor-3 "
        "reduced the susceptibility of HCC cells to sorafenib [24]. Hypoxia also matters."
    ),
    refs=(24,),
)
OTHER_PASSAGE = Passage(
    id="review:p003",
    doc_id="review",
    section="Introduction",
    text="Sorafenib is a multikinase inhibitor. It targets VEGFR and PDGFR.",
)
CHEN_ROW = TableRow(
    id="table2:24",
    table="table2",
    ref=24,
    author="Chen et al",
    year=2011,
    drug="Sorafenib",
    pathway="EGFR/HER-3",
    effect="reduced susceptibility",
)
LLOVET_ROW = TableRow(
    id="table1:10",
    table="table1",
    ref=10,
    author="Llovet et al",
    year=2008,
    drug="Sorafenib",
    phase="3",
    outcome="OS 10.7 vs 7.9 mo",
)


def make_answer(question: str = "Which receptors reduce sorafenib susceptibility?") -> Answer:
    """An answer quoting one sentence of passage 1, with one table row and one reference."""
    return Answer(
        question=question,
        searched_query=question,
        answer="EGFR and human epidermal growth factor receptor-3 reduced the susceptibility [1]",
        abstained=False,
        passages=(Hit(RECEPTOR_PASSAGE, 0.91, 1, ("dense", "bm25")), Hit(OTHER_PASSAGE, 0.4, 2)),
        rows=(RowMatch(CHEN_ROW, "cited by passage review:p042 ([24])", 1.0),),
        sentences=(
            AnswerSentence(
                '"EGFR and human epidermal growth factor receptor-3 reduced the susceptibility '
                'of HCC cells to sorafenib (Chen et al, 2011, Table 2)." [P1]',
                RECEPTOR_PASSAGE.id,
                1,
            ),
        ),
        references={24: Reference(24, "Chen et al", 2011, ("table2:24",))},
        timings_ms={"retrieve": 20.0, "total": 31.0},
    )


def make_abstention(question: str = "What is the capital of France?") -> Answer:
    """An abstention with a nearest covered topic."""
    return Answer(
        question=question,
        searched_query=question,
        answer="The review does not answer this question.",
        abstained=True,
        passages=(Hit(OTHER_PASSAGE, 0.1, 1),),
        nearest='Introduction: "Sorafenib is a multikinase inhibitor." [P1]',
    )


class FakeQA:
    """Answers every question with :func:`make_answer`; records the calls.

    Questions containing ``boom`` raise a RuntimeError (an engine bug), questions
    longer than ``limit`` an InputError, and ``capital`` questions abstain.
    """

    def __init__(self, limit: int = 2000) -> None:
        self.limit = limit
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
        if "boom" in question:
            raise RuntimeError("index exploded at /secret/path")
        if len(question) > self.limit:
            raise InputError(
                f"the question is {len(question):,} characters long; the limit is {self.limit:,}"
            )
        if "capital" in question:
            return make_abstention(question)
        return make_answer(question)
