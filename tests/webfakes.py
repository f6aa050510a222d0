"""Hand-made answers and a fake engine for the web chat's unit tests (no model, no index).

The content is invented for the tests (rooftop beekeeping), and the table has its own
columns, so the renderers are shown to work for any table.
"""

from __future__ import annotations

from collections.abc import Sequence

from tablefakes import make_row

from hccqa.errors import InputError
from hccqa.types import Answer, AnswerSentence, Hit, Nearest, Passage, Reference, RowMatch

MITE_PASSAGE = Passage(
    id="notes:p042",
    doc_id="notes",
    section="Mite control on roofs",
    text=(
        "Hives on roofs need care. Oxalic acid cut varroa loads by nine tenths in rooftop "
        "hives [4]. Heat also matters."
    ),
    refs=(4,),
)
OTHER_PASSAGE = Passage(
    id="notes:p003",
    doc_id="notes",
    section="Background",
    text="Honey bees kept on city roofs face heat. They need water nearby.",
)
OKONKWO_ROW = make_row(
    "trials",
    ref="4",
    author="Okonkwo et al",
    year="2014",
    site="Lagos rooftop",
    treatment="Oxalic acid",
    finding="Mite load cut by nine tenths",
)
TANAKA_ROW = make_row(
    "trials",
    ref="8",
    author="Tanaka et al",
    year="2019",
    site="Osaka terrace",
    treatment="Shade cloth",
    finding="Fewer colonies lost in summer heat",
)
ROOF_ROW = make_row("roofs", roof="North annex", aspect="windy", hives="12")
QUOTE = (
    '"Oxalic acid cut varroa loads by nine tenths in rooftop hives (Okonkwo et al, 2014, '
    'Trials)." [P1]'
)


def make_answer(question: str = "What cut varroa loads on roofs?") -> Answer:
    """An answer quoting one sentence of passage 1, with one table row and one reference."""
    return Answer(
        question=question,
        searched_query=question,
        answer=f"{QUOTE}\nRelated table rows:\n- Okonkwo et al (2014, Trials): Lagos rooftop",
        text=QUOTE,
        abstained=False,
        passages=(Hit(MITE_PASSAGE, 0.91, 1, ("dense", "bm25")), Hit(OTHER_PASSAGE, 0.4, 2)),
        rows=(RowMatch(OKONKWO_ROW, "cited as [4] in notes:p042", 1.0),),
        sentences=(AnswerSentence(QUOTE, MITE_PASSAGE.id, 1),),
        references={4: Reference(4, "Okonkwo et al", 2014, ("trials:4",), ("Trials",))},
        timings_ms={"retrieve": 20.0, "total": 31.0},
    )


def make_abstention(question: str = "How do I tune a violin?") -> Answer:
    """A refusal with its reason and the nearest covered sentence."""
    nearest = Nearest("notes:p003", "Background", "Honey bees kept on city roofs face heat.", 1)
    return Answer(
        question=question,
        searched_query=question,
        answer='The documents do not cover this. Nearest covered, in "Background": '
        '"Honey bees kept on city roofs face heat." [P1]',
        abstained=True,
        passages=(Hit(OTHER_PASSAGE, 0.1, 1),),
        nearest=nearest,
        refusal_reason="no sentence is close to the question (cosine 0.10)",
    )


class FakeQA:
    """Answers every question with :func:`make_answer`; records the calls.

    Questions containing ``boom`` raise a RuntimeError (an engine bug), questions
    longer than ``limit`` an InputError, and ``violin`` questions are refused.
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
        if "violin" in question:
            return make_abstention(question)
        return make_answer(question)
