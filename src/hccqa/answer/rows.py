"""Table-row matching: which rows of Table 1 / Table 2 belong with a question.

Three ways a row gets in, each recorded as the row's reason:

(a) **cited**: a sentence quoted in the answer cites the row's reference number
    ("Chen et al[24]" -> ``table2:24``);
(b) **filters** understood from the question by the pure :func:`parse_filters`:
    year or year range, phase, drug, pathway or gene (glossary long forms too),
    outcome, second-line use, author, and which table the question is about;
(c) **direct**: the row's author is named in the question, or the row text is
    semantically close to the question (cosine at or above a threshold).

Precision matters as much as recall: filters that keep (almost) a whole table
are ignored, and when filters select rows only those rows are shown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from ..corpus.citations import find_citations
from ..types import Hit, RowMatch, TableRow
from ..understand.expand import Expander
from ..understand.filters import (
    EFFECT_CLASSES,
    RowFilter,
    drugs_selective,
    parse_filters,
    pathway_terms,
    row_drugs,
    row_passes,
    sharpen_drugs,
)
from ..understand.terms import GENERIC, americanize, content_stems, stems, word_stems

__all__ = [
    "ROW_THRESHOLD",
    "RowFilter",
    "cited_rows",
    "drugs_selective",
    "match_rows",
    "parse_filters",
    "pathway_terms",
    "row_drugs",
    "row_passes",
]

ROW_THRESHOLD = 0.70  # cosine of question and row text for a direct match (MiniLM scale)
_ET_AL_CITE = re.compile(r"et al\.?\s*\[\d")
_BACK_AUTHOR = re.compile(
    r"^(?:The|These|Those) (?:authors|researchers|investigators)\b|^They\b|"
    r"^For (?:example|instance)\b"  # an example of the previous sentence's finding
)


def cited_rows(
    quoted: Iterable[tuple[str, str, str]], rows: Sequence[TableRow], *, back: bool = False
) -> list[tuple[TableRow, str]]:
    """Rows cited by quoted sentences: ``(passage id, sentence, passage)`` -> ``(row, reason)``.

    A sentence without a citation that goes on about the previous study ("The
    authors also showed…") is credited to the last citation before it in its passage;
    with ``back`` every sentence without a citation is.
    """
    by_ref: dict[int, list[TableRow]] = {}
    for r in rows:
        by_ref.setdefault(r.ref, []).append(r)
    out: list[tuple[TableRow, str]] = []
    seen: set[str] = set()
    for pid, sentence, context in quoted:
        cites = find_citations(sentence)
        if not cites and (back or _BACK_AUTHOR.match(sentence)) and context:
            before = find_citations(context[: max(context.find(sentence), 0)])
            cites = before[-1:]
            sentence = context
        for c in cites:
            label = sentence[c.start : c.end]
            for n in c.numbers:
                for r in by_ref.get(n, []):
                    if r.id not in seen:
                        seen.add(r.id)
                        out.append((r, f"cited as {label} in {pid}"))
    return out


def match_rows(
    question: str,
    hits: Sequence[Hit],
    corpus: object,
    row_hits: Sequence[tuple[TableRow, float]] = (),
    *,
    quoted: Sequence[tuple[str, str, str]] | None = None,
    threshold: float = ROW_THRESHOLD,
    filters: RowFilter | None = None,
) -> list[RowMatch]:
    """The table rows to show with the answer to ``question``, each with its reason.

    Args:
        question: The searched (resolved) question.
        hits: Retrieved passages, best first.
        corpus: The corpus (its ``rows`` and ``glossary`` are used).
        row_hits: ``(row, cosine)`` from the retriever's direct row search.
        quoted: ``(passage id, sentence, passage text)`` quoted in the answer; when None,
            the sentences of the best passage are taken as used.
        threshold: Least cosine for a direct semantic row match.
        filters: ``parse_filters(question, ...)`` when the caller has it already.

    Returns:
        Row matches: filter matches when the question's filters select rows;
        otherwise rows cited by the quoted sentences and direct matches. Table
        order within each group.
    """
    rows: Sequence[TableRow] = getattr(corpus, "rows", ()) or ()
    if not rows:
        return []
    f = (
        filters
        if filters is not None
        else parse_filters(question, rows=rows, glossary=getattr(corpus, "glossary", None))
    )
    if quoted is None:
        quoted = [(hits[0].passage.id, hits[0].passage.text, hits[0].passage.text)] if hits else []
    if f.who and not f.authors:  # "who is chen": the named author's rows, by the filter
        # the first quote that cites anything names the study; a non-table study means no row
        named_first = sorted(quoted, key=lambda q: _ET_AL_CITE.search(q[1]) is None)
        for pid, sentence, context in named_first:
            credited = find_citations(sentence) or (
                context and find_citations(context[: max(context.find(sentence), 0)])
            )
            if credited:
                study = cited_rows([(pid, sentence, context)], rows, back=True)
                return [RowMatch(r, why, 0.95) for r, why in study]
    if not f.listing:
        f = replace(f, outcomes=tuple(o for o in f.outcomes if o not in EFFECT_CLASSES))
    f = sharpen_drugs(f, rows)
    narrows = f.specific and (bool(replace(f, drugs=()).specific) or drugs_selective(f, rows))
    if narrows:
        chosen = [r for r in rows if row_passes(r, f)]
        if chosen:
            why = f"filter: {f.describe()}" + (
                f" ({f.table.replace('table', 'Table ')})" if f.table else ""
            )
            return [RowMatch(r, why, 1.0) for r in chosen]
    found: dict[str, RowMatch] = {}
    on_topic = _topic_check(question, rows, getattr(corpus, "glossary", None) or {})
    named = _named_refs(quoted[0][1], question, rows) if quoted else set()
    for r, why in cited_rows(quoted, rows):
        if (not f.table or r.table == f.table) and (f.listing or on_topic(r) or r.ref in named):
            found[r.id] = RowMatch(r, why, 0.9)
    for r, cos in row_hits:
        if cos >= threshold and r.id not in found and (not f.table or r.table == f.table):
            found[r.id] = RowMatch(r, f"direct match of the row (cosine {cos:.2f})", float(cos))
    order = {r.id: i for i, r in enumerate(rows)}
    return sorted(found.values(), key=lambda m: order.get(m.row.id, 0))


def _named_refs(sentence: str, question: str, rows: Sequence[TableRow]) -> set[int]:
    """Reference numbers the best quote cites right after an author ("Cheng et al[12]
    reported…"), when the quote holds half the distinctive words of the question.

    Such a quote is about the study it names, so that study's row belongs with the
    answer even when the question shares no word with the row's cells ("does sorafenib
    work in asia" -> Cheng et al, Asia-Pacific). Words most rows hold ("sorafenib") and
    question words ("does") do not count.
    """
    _, common = _row_words(tuple(rows), ("drug", "pathway"), ())
    asked = content_stems(americanize(question)) - common - _generic_stems()
    held = asked & word_stems(sentence)
    if not held or 2 * len(held) < len(asked):
        return set()
    out: set[int] = set()
    for c in find_citations(sentence):
        if re.search(r"et al\.?\s*$", sentence[: c.start]) and len(c.numbers) == 1:
            out.update(c.numbers)
    return out


def _topic_check(
    question: str, rows: Sequence[TableRow], glossary: Mapping[str, str]
) -> Callable[[TableRow], bool]:
    """A test that a cited row shares a distinctive word with the question.

    A quote about the question may cite studies beside the point; a row is kept when
    a word of its cells (abbreviations spelled out) that fewer than half of the rows
    share, e.g. "survival" or "EGFR" but not "sorafenib", is in the question.
    """

    per_row, common = _row_words(
        tuple(rows), ("phase", "drug", "outcome", "pathway", "effect"), tuple(glossary.items())
    )
    asked = set(stems(re.findall(r"[A-Za-z0-9]+", americanize(question))))
    return lambda r: bool((per_row.get(r.id, frozenset()) - common) & asked)


@functools.lru_cache(maxsize=16)
def _row_words(
    rows: tuple[TableRow, ...], columns: tuple[str, ...], glossary: tuple[tuple[str, str], ...]
) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Stems of each row's ``columns`` (with the glossary's spellings of the abbreviations
    in them, matched as whole words), and the stems more than half of the rows share.
    Depends on the corpus only: computed once, not per question."""
    expander = Expander(glossary) if glossary else None
    per_row: dict[str, frozenset[str]] = {}
    for r in rows:
        cells = " ".join(getattr(r, c) or "" for c in columns)
        longs = " ".join(expander.expansions(cells)) if expander else ""
        per_row[r.id] = frozenset(stems(re.findall(r"[A-Za-z0-9]+", f"{cells} {longs}")))
    counts: dict[str, int] = {}
    for words in per_row.values():
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    return per_row, frozenset(w for w, c in counts.items() if c > len(rows) / 2)


@functools.lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stems(sorted(GENERIC)))
