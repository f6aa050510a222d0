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
    """A cleaned, sentence-aligned chunk of a document, or one table row.

    Attributes:
        id: Stable id, unique over the corpus, e.g. ``"notes:p007"``; a table row's
            passage has the row's id (``"<table>:<key>"``).
        doc_id: The document the passage comes from (the table id for a row).
        section: Section title (the table title for a row).
        text: Cleaned text (dehyphenated, single-spaced); a row's cells as one line.
        refs: Reference numbers cited inside the passage, sorted, unique.
        start: Start offset of the passage's source span in the raw document.
        end: End offset (exclusive) of the source span in the raw document.
        kind: ``"text"`` for narrative, ``"row"`` for a table row, ``"glossary"`` for a
            footnote of abbreviations ("ABC: Amino binding cassette; ..."): an answer
            draws on it only for a question asking what a short form means (a plain
            ``search`` ranks it like any passage).
        page: The 1-based page the passage starts on (PDF documents), else None.
    """

    id: str
    doc_id: str
    section: str
    text: str
    refs: tuple[int, ...] = ()
    start: int = 0
    end: int = 0
    kind: str = "text"
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "refs": list(self.refs)}


@dataclass(frozen=True)
class Column:
    """One column of a table: its header name and the kind of values it holds.

    Kinds are read from the values, never from the name: ``"key"`` (the first column,
    the row's identity; whole numbers there are reference numbers cited as ``[n]``),
    ``"year"`` (four-digit years), ``"number"``, ``"author"`` (first-author citations
    such as "Smith et al") and ``"text"``.
    """

    name: str
    kind: str


# Keys of a serialized row and of its match; a column with one of these names is renamed.
_ROW_KEYS = frozenset({"id", "table", "reason", "score"})


@dataclass(frozen=True)
class TableRow:
    """One row of a table, its cells in table order.

    Attributes:
        id: ``"<table>:<key>"``, e.g. ``"table1:10"``.
        table: The table id (the data file's stem).
        key: The first column's value.
        cells: ``(column, value)`` pairs in table order, the key column included.
        ref: The key as a reference number when it is a whole number, else None.
        author: The first author cell, when the table has an author column.
        year: The year cell, when the table has a year column.
    """

    id: str
    table: str
    key: str
    cells: tuple[tuple[str, str], ...]
    ref: int | None = None
    author: str | None = None
    year: int | None = None

    def cell(self, column: str) -> str | None:
        """The value of one column, or None when the table has no such column."""
        for name, value in self.cells:
            if name == column:
                return value
        return None

    @property
    def columns(self) -> dict[str, str]:
        """Column -> value, in table order."""
        return dict(self.cells)

    def to_dict(self) -> dict[str, Any]:
        """``id``, ``table``, then one key per column. A column named like one of the
        keys the row or its match already uses (``id``, ``table``, ``reason``, ``score``)
        is written as ``"<name> (column)"`` so that it cannot overwrite them."""
        out: dict[str, Any] = {"id": self.id, "table": self.table}
        for name, value in self.cells:
            out[f"{name} (column)" if name in _ROW_KEYS else name] = _as_number(value)
        return out

    @property
    def text(self) -> str:
        """The row as one printed line: the author with its citation, then the other cells.

        "Smith et al[7] 2001 Drug A Better" when the key is a reference number and an
        author column exists, else the cells joined in order.
        """
        if self.ref is not None and self.author:
            rest = [v for _, v in self.cells[1:] if v != self.author]
            return " ".join([f"{self.author}[{self.ref}]", *rest])
        return " ".join(v for _, v in self.cells)

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """The cells a reader needs besides the key, author and year (for display)."""
        return tuple(
            (n, v)
            for i, (n, v) in enumerate(self.cells)
            if i > 0 and v != self.author and v != str(self.year)
        )


def _as_number(value: str) -> Any:
    return int(value) if value.isdigit() and len(value) < 10 else value


@dataclass(frozen=True)
class Table:
    """A table of the corpus: id, title, typed columns and rows."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]

    @property
    def label(self) -> str:
        """Human name from the id (see :func:`table_label`)."""
        return table_label(self.id)


def table_label(table_id: str) -> str:
    """Human name of a table id: ``"table1"`` -> ``"Table 1"``, ``"site_visits"`` ->
    ``"Site visits"``."""
    import re

    m = re.fullmatch(r"([A-Za-z]+)[ _-]?(\d+)", table_id)
    if m:
        return f"{m.group(1).capitalize()} {m.group(2)}"
    return table_id.replace("_", " ").replace("-", " ").capitalize()


@dataclass(frozen=True)
class Reference:
    """What the corpus tells about one of its reference numbers.

    Attributes:
        number: The reference number, as cited ``[n]``.
        author: First author as printed ("Smith et al"), when a table row or the text names one.
        year: Year, when a table row or the text gives one.
        rows: Ids of the table rows that carry this reference.
        tables: Labels of the tables those rows are in ("Table 2").
    """

    number: int
    author: str | None
    year: int | None
    rows: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"author": self.author, "year": self.year, "rows": list(self.rows)}

    def label(self) -> str:
        """Human form, e.g. ``"Smith et al., 2011, Table 2"`` or ``"ref. 12"``."""
        return ", ".join([self.author or f"ref. {self.number}", *self._details()])

    def after_name(self) -> str:
        """What to print right after the author's name in the text: ``"2011, Table 2"``,
        or ``""`` when the corpus knows nothing more than the name."""
        return ", ".join(self._details())

    def _details(self) -> list[str]:
        parts = [str(self.year)] if self.year is not None else []
        return parts + list(self.tables)


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
            "kind": p.kind,
            "page": p.page,
            "score": float(self.score),
            "rank": self.rank,
            "modes": list(self.modes),
        }


@dataclass(frozen=True)
class RowMatch:
    """A table row shown with an answer, and why it was matched."""

    row: TableRow
    # e.g. "cited as [7] in notes:p007", "filter: year 2011-2013, drug: X"
    reason: str
    score: float = 0.0
    # the one study the answer's first quote reports (what "that study" means next)
    quoted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.row.to_dict(),
            "reason": self.reason,
            "score": float(self.score),
            "quoted": self.quoted,
        }


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an extractive answer: a quote of a passage, with its marker."""

    text: str  # the quoted sentence with its review references resolved
    passage_id: str
    marker: int  # 1-based index into Answer.passages

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Nearest:
    """What the corpus covers nearest to a question it does not answer."""

    passage_id: str
    section: str
    sentence: str  # the nearest sentence, references resolved
    marker: int  # 1-based index into Answer.passages

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What ``QA.ask`` returns.

    Attributes:
        question: The question as typed.
        searched_query: What was searched: spelling corrected, a follow-up's referent added.
        answer: The whole answer as plain text: the quotes, then the table rows shown
            (or the refusal and the nearest covered sentence).
        abstained: True when the documents do not answer the question.
        passages: Ranked passages (at least 10 when the corpus has them).
        rows: Table rows shown, each with the reason it was chosen.
        sentences: The quoted sentences, each with its passage marker.
        references: Reference numbers cited in the quotes and rows.
        nearest: For a refusal, the nearest sentence the documents do cover.
        mode: Retrieval mode used.
        timings_ms: Milliseconds per stage.
        text: The quoted sentences only (no rows, no refusal wording).
        refusal_reason: For a refusal, which signal decided and its value.
        corrections: ``(typed, corrected)`` words the spelling step changed.
        counted: The question asks how many rows ("how many rivers are longer than X?"):
            ``rows`` are what it counts, and the answer leads with their number.
        figure: The figure asked of a column of ``rows`` ("the average height"), in words:
            "Average height (m): 17.4 (over 5 table rows)"; None otherwise.
    """

    question: str
    searched_query: str
    answer: str
    abstained: bool
    passages: tuple[Hit, ...] = ()
    rows: tuple[RowMatch, ...] = ()
    sentences: tuple[AnswerSentence, ...] = ()
    references: dict[int, Reference] = field(default_factory=dict)
    nearest: Nearest | None = None
    mode: str = "hybrid"
    timings_ms: dict[str, float] = field(default_factory=dict)
    text: str = ""
    refusal_reason: str | None = None
    corrections: tuple[tuple[str, str], ...] = ()
    counted: bool = False
    figure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "searched_query": self.searched_query,
            "answer": self.answer,
            "text": self.text,
            "abstained": self.abstained,
            "refusal_reason": self.refusal_reason,
            "corrections": [list(c) for c in self.corrections],
            "counted": self.counted,
            "figure": self.figure,
            "passages": [h.to_dict() for h in self.passages],
            "rows": [r.to_dict() for r in self.rows],
            "sentences": [s.to_dict() for s in self.sentences],
            "references": {str(n): r.to_dict() for n, r in sorted(self.references.items())},
            "nearest": self.nearest.to_dict() if self.nearest else None,
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
