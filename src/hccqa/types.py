"""Typed results shared by every layer.

All of them are frozen dataclasses that serialize with ``dataclasses.asdict``
(or their ``to_dict`` where the JSON shape differs from the fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Passage:
    """A cleaned, sentence-aligned chunk of a document.

    Attributes:
        id: Stable id, unique over the corpus, e.g. ``"review:p007"``.
        doc_id: The document the passage comes from (``"review"`` for the review).
        section: Section title, e.g. ``"Introduction"``.
        text: Cleaned text (dehyphenated, single-spaced).
        refs: Reference numbers cited inside the passage, sorted, unique.
        start: Start offset of the passage's source span in the raw document.
        end: End offset (exclusive) of the source span in the raw document.
        page: The 1-based page the passage starts on (PDF documents), else None.
    """

    id: str
    doc_id: str
    section: str
    text: str
    refs: tuple[int, ...] = ()
    start: int = 0
    end: int = 0
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "refs": list(self.refs)}


@dataclass(frozen=True)
class TableRow:
    """One row of the review's Table 1 (clinical trials) or Table 2 (resistance studies).

    Table 1 rows fill ``phase``, ``drug`` and ``outcome``; Table 2 rows fill
    ``drug``, ``pathway`` and ``effect``. The other fields are ``None``.
    """

    id: str  # "table1:10" / "table2:24"
    table: str  # "table1" / "table2"
    ref: int
    author: str  # as printed, e.g. "Llovet et al"
    year: int
    drug: str
    phase: str | None = None
    outcome: str | None = None
    pathway: str | None = None
    effect: str | None = None

    def to_dict(self) -> dict[str, Any]:
        keys = (
            ("phase", "drug", "outcome")
            if self.table == "table1"
            else ("drug", "pathway", "effect")
        )
        base = {
            "id": self.id,
            "table": self.table,
            "ref": self.ref,
            "author": self.author,
            "year": self.year,
        }
        return {**base, **{k: getattr(self, k) for k in keys}}

    @property
    def text(self) -> str:
        """The row as one line of text, cells in table order (used for indexing and display)."""
        cells = (
            [self.phase, self.drug, self.outcome]
            if self.table == "table1"
            else [self.drug, self.pathway, self.effect]
        )
        return " ".join([f"{self.author}[{self.ref}]", str(self.year), *[c or "" for c in cells]])


@dataclass(frozen=True)
class Reference:
    """What the review tells about one of its reference numbers."""

    number: int
    author: str | None
    year: int | None
    rows: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"author": self.author, "year": self.year, "rows": list(self.rows)}

    def label(self) -> str:
        """Human form, e.g. ``"Chen et al., 2011, Table 2"``."""
        parts = [self.author or f"ref. {self.number}"]
        if self.year is not None:
            parts.append(str(self.year))
        tables = sorted({r.split(":")[0] for r in self.rows})
        parts.extend(t.replace("table", "Table ") for t in tables)
        return ", ".join(parts)


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its score, 1-based rank and the modes that found it."""

    passage: Passage
    score: float
    rank: int
    modes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        return {
            "id": p.id,
            "doc_id": p.doc_id,
            "section": p.section,
            "text": p.text,
            "refs": list(p.refs),
            "page": p.page,
            "score": float(self.score),
            "rank": self.rank,
            "modes": list(self.modes),
        }


@dataclass(frozen=True)
class RowMatch:
    """A table row shown with an answer, and why it was matched."""

    row: TableRow
    # e.g. "cited as [24] in review:p007", "filter: phase 3, no survival benefit"
    reason: str
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.row.to_dict(), "reason": self.reason, "score": float(self.score)}


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an extractive answer: a quote of a passage, with its marker."""

    text: str  # the quoted sentence with its review references resolved
    passage_id: str
    marker: int  # 1-based index into Answer.passages

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What ``QA.ask`` returns."""

    question: str
    searched_query: str
    answer: str
    abstained: bool
    passages: tuple[Hit, ...] = ()
    rows: tuple[RowMatch, ...] = ()
    sentences: tuple[AnswerSentence, ...] = ()
    references: dict[int, Reference] = field(default_factory=dict)
    nearest: str | None = None
    mode: str = "hybrid"
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "searched_query": self.searched_query,
            "answer": self.answer,
            "abstained": self.abstained,
            "passages": [h.to_dict() for h in self.passages],
            "rows": [r.to_dict() for r in self.rows],
            "sentences": [s.to_dict() for s in self.sentences],
            "references": {str(n): r.to_dict() for n, r in sorted(self.references.items())},
            "nearest": self.nearest,
            "mode": self.mode,
            "timings_ms": dict(self.timings_ms),
        }


class Asker(Protocol):
    """What the evaluator and the web chat need from an engine (:class:`hccqa.qa.QA` fits)."""

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer: ...
