"""Checks of a shown row's reason that do not pin the passage ids of one passage size."""

from __future__ import annotations

from collections.abc import Sequence

from hccqa.qa import QA
from hccqa.types import AnswerSentence


def assert_cited_in(
    qa: QA, reason: str | None, cited_as: str, quote: str, quotes: Sequence[AnswerSentence] = ()
) -> None:
    """``reason`` says the row is cited as ``cited_as`` in a passage of ``qa``'s corpus
    that holds ``quote`` (the quoted sentence's words); given the answer's ``quotes``, that
    passage is the one the answer quotes the sentence from."""
    prefix = f"cited as {cited_as} in "
    assert reason is not None and reason.startswith(prefix), reason
    passage_id = reason.removeprefix(prefix)
    (passage,) = [p for p in qa.engine.retriever.passages if p.id == passage_id]
    assert quote in passage.text
    if quotes:
        assert passage_id in {q.passage_id for q in quotes}, (passage_id, quotes)
