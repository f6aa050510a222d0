"""Extractive answers: quoted sentences with passage markers, resolved references, abstention.

Every sentence of an answer is a quote of a retrieved passage followed by a
marker ``[P<n>]``, where ``n`` is the 1-based position of that passage in
``Answer.passages``. The letter ``P`` keeps markers apart from the review's own
reference brackets, which are resolved in the quote: "Chen et al[24]" becomes
"Chen et al (2011, Table 2)" and a bare "[10,11]" becomes
"(Llovet et al., 2008, Table 1; ref. 11)".

The engine abstains ("The review does not cover this.") on measured signals:
the cosine similarity of the best passage, how many of the question's topical
words the retrieved evidence contains, and whether the question names a drug or
gene that appears nowhere in the corpus. It then names the nearest thing the
review does cover.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..corpus.citations import find_citations
from ..corpus.sentences import split_sentences
from ..types import Answer, AnswerSentence, Hit, Reference, RowMatch, TableRow
from ..understand.filters import surname
from ..understand.terms import (
    GENERIC,
    content_stems,
    content_words,
    is_acronym,
    is_drug_like,
    stems,
    word_stems,
)

NOT_COVERED = "The review does not cover this."
MIN_COSINE = 0.20  # below: nothing in the review is about the question
WEAK_COSINE = 0.45  # below, a question whose topical words the evidence lacks is refused
MIN_COVERAGE = 0.5  # share of topical question words found in the evidence
MAX_MISSING = 0.5  # share of topical question words absent from the whole corpus
STRONG_COSINE = 0.65  # at or above: close enough to answer whatever the wording
FOCUS_COSINE = 0.50  # below, no single sentence holding half the topical words means refusal
MIN_SENTENCE_COVERAGE = 0.5
POOL = 5  # passages whose sentences may be quoted
PRIOR_WEIGHT = 0.3  # weight of the passage's cosine similarity in a sentence's score
MAX_QUOTES = 3
MIN_PREFIX = 4  # shortest stem matched as the start of a longer one
DEFINES_BONUS = 1.0  # a sentence spelling out the one abbreviation a question asks about
# Words that only ask for a definition ("CSCs meaning", "what does pERK stand for").
_DEFINE_WORDS = frozenset(
    [
        "mean",
        "means",
        "meaning",
        "stand",
        "stands",
        "short",
        "define",
        "definition",
        "abbreviation",
        "acronym",
        "wat",
        "whats",
        "what's",
    ]
)


@dataclass(frozen=True)
class Quote:
    """A candidate sentence: the passage it comes from (0-based hit index) and its score."""

    hit: int
    passage_id: str
    text: str
    score: float


def _idf(hits: Sequence[Hit]) -> dict[str, float]:
    docs = [word_stems(h.passage.text) for h in hits]
    n = len(docs) or 1
    df: dict[str, int] = {}
    for d in docs:
        for w in d:
            df[w] = df.get(w, 0) + 1
    return {w: math.log(n / c) + 0.1 for w, c in df.items()}


def select_sentences(
    question: str,
    hits: Sequence[Hit],
    *,
    pool: int = POOL,
    limit: int = MAX_QUOTES,
    expand: Callable[[str], str] | None = None,
    prior: Mapping[str, float] | None = None,
) -> list[Quote]:
    """The sentences of the top passages that best answer the question, best first.

    A sentence scores the idf-weighted share of the question's content stems it
    contains, plus a small bonus for a higher-ranked passage. Duplicates (passages
    overlap) are quoted once; sentences far below the best are dropped. ``expand``
    (glossary expansion) is applied to each sentence, so that a question saying
    "EMT" matches a sentence spelling out "epithelial-mesenchymal transition".
    ``prior`` (passage id -> cosine similarity with the question) replaces the
    rank bonus when given.
    """
    q = content_stems(question)
    if not hits:
        return []
    long_form = defined_long_form(question, expand)
    if long_form:  # the spelled-out form may be in any retrieved passage
        pool = len(hits)
    idf = _idf(hits)
    weight = {w: idf.get(w, math.log(len(hits)) + 0.1) for w in q}
    total = sum(weight.values()) or 1.0
    cands: list[Quote] = []
    seen: set[str] = set()
    for i, h in enumerate(hits[:pool]):
        text = h.passage.text
        for start, end in split_sentences(text):
            s = text[start:end].strip()
            key = re.sub(r"\W", "", s.lower())
            if not s or key in seen:
                continue
            seen.add(key)
            have = word_stems(expand(s) if expand else s)
            overlap = sum(w for t, w in weight.items() if _has_stem(t, have)) / total
            if long_form and long_form <= word_stems(s):
                overlap += DEFINES_BONUS
            bonus = PRIOR_WEIGHT * prior.get(h.passage.id, 0.0) if prior else 0.15 / (i + 1)
            cands.append(Quote(i, h.passage.id, s, overlap + bonus))
    cands.sort(key=lambda c: (-c.score, c.hit))
    if not cands:
        return []
    best = cands[0].score
    return [c for c in cands if c.score >= 0.6 * best][:limit]


@functools.lru_cache(maxsize=65536)
def _has_stem(stem: str, have: frozenset[str]) -> bool:
    """The stem, or a variant of the same word the stemmer keeps apart: one stem of four
    letters or more starting the other ("safe"/"safeti", "angiogen"/"angiogenesi")."""
    if stem in have:
        return True
    if len(stem) < MIN_PREFIX:
        return False
    return any(len(h) >= MIN_PREFIX and (h.startswith(stem) or stem.startswith(h)) for h in have)


def defined_long_form(question: str, expand: Callable[[str], str] | None) -> set[str]:
    """Stems of the long form when the question only asks what one abbreviation means.

    "CSCs meaning", "what's VEGF", "NECs = ?": one abbreviation the glossary spells out
    and nothing else topical. The sentence that spells it out answers the question,
    whichever other sentences mention the abbreviation. Empty set otherwise.
    """
    if expand is None:
        return set()
    named = content_words(question)
    acronyms = [w for w in named if is_acronym(w)]
    rest = [w for w in named if w not in acronyms and w.lower() not in GENERIC | _DEFINE_WORDS]
    if len(acronyms) != 1 or rest:
        return set()
    added = expand(question)[len(question) :]
    return set(stems(re.findall(r"[\w-]+", added))) - set(stems(acronyms))


def promote_passages(
    question: str,
    hits: Sequence[Hit],
    *,
    rows: Iterable[TableRow] = (),
    authors: Sequence[str] = (),
    expand: Callable[[str], str] | None = None,
) -> list[Hit]:
    """The retrieved passages, those that answer by construction first (order kept otherwise).

    Such passages cite a study the question names (``authors``, surnames as in
    ``RowFilter.authors``, looked up in ``rows``: "when was the llovet trial" -> the
    passage citing [10]) or spell out the one abbreviation the question asks about
    ("CSCs meaning"). Ranks are renumbered; with neither signal the hits come back unchanged.
    """
    refs = {r.ref for r in rows if surname(r) in authors}
    long_form = defined_long_form(question, expand)
    if not refs and not long_form:
        return list(hits)

    def answers(h: Hit) -> bool:
        if refs & set(h.passage.refs):
            return True
        return bool(long_form) and long_form <= word_stems(h.passage.text)

    ordered = sorted(hits, key=lambda h: not answers(h))
    return [h if h.rank == i else replace(h, rank=i) for i, h in enumerate(ordered, 1)]


def resolve_references(
    sentence: str, references: Mapping[int, Reference]
) -> tuple[str, dict[int, Reference]]:
    """Replace the review's bracket citations by readable references.

    Returns:
        The sentence with "[24]" -> "(Chen et al., 2011, Table 2)" (or "(2011, Table 2)"
        right after "Chen et al"), and the references used.
    """
    out: list[str] = []
    used: dict[int, Reference] = {}
    pos = 0
    for c in find_citations(sentence):
        refs = [references.get(n) or Reference(n, None, None) for n in c.numbers]
        for r in refs:
            used[r.number] = r
        before = sentence[pos : c.start]
        after_name = re.search(r"et al\.?\s*$", before) is not None and len(refs) == 1
        if after_name:
            label = refs[0].label()
            short = label.split(", ", 1)[1] if refs[0].author and ", " in label else label
            text = f" ({short})" if short != label or not refs[0].author else f" ({label})"
            out.append(before.rstrip() + text)
        else:
            out.append(before.rstrip() + " (" + "; ".join(r.label() for r in refs) + ")")
        pos = c.end
    out.append(sentence[pos:])
    return "".join(out), used


def evidence_coverage(
    question: str, hits: Sequence[Hit], pool: int = 3, expand: Callable[[str], str] | None = None
) -> float:
    """Share of the question's topical content stems found in the top passages (1.0 when none).

    ``expand`` (the retriever's glossary expansion) is applied to the passages, so
    that "EMT" counts as found in a passage that spells out the long form.
    """
    topical = _topical(question)
    if not topical:
        return 1.0
    have: set[str] = set()
    for h in hits[:pool]:
        text = expand(h.passage.text) if expand else h.passage.text
        have |= word_stems(text)
    return len(topical & have) / len(topical)


def sentence_coverage(
    question: str, hits: Sequence[Hit], pool: int = 3, expand: Callable[[str], str] | None = None
) -> float:
    """Largest share of the question's topical stems found in one sentence of the top passages."""
    topical = _topical(question)
    if not topical:
        return 1.0
    best = 0.0
    for h in hits[:pool]:
        text = h.passage.text
        for start, end in split_sentences(text):
            sentence = text[start:end]
            have = word_stems(expand(sentence) if expand else sentence)
            best = max(best, len(topical & have) / len(topical))
    return best


def _topical(question: str) -> set[str]:
    return {s for s in content_stems(question) if s not in set(stems(list(GENERIC)))}


def missing_share(question: str, corpus_blob: str) -> float:
    """Share of the question's topical words that occur nowhere in the corpus (lower-cased blob).

    A word counts as present when it or its stem is a substring of the blob.
    """
    generic = set(stems(list(GENERIC)))
    topical = [
        (w.lower(), s)
        for w, s in zip(content_words(question), stems(content_words(question)), strict=False)
        if s not in generic and w.lower() not in GENERIC
    ]
    if not topical:
        return 0.0
    return sum(1 for w, s in topical if w not in corpus_blob and s not in corpus_blob) / len(
        topical
    )


def unknown_entities(question: str, corpus_blob: str) -> list[str]:
    """Drug- or gene-like words of the question that appear nowhere in the corpus blob."""
    words = [w.strip("-/") for w in content_words(question)]
    named = [w for w in words if is_drug_like(w) or (is_acronym(w) and len(w) > 2)]
    return [w for w in named if w.lower() not in corpus_blob]


def abstain_reason(
    question: str,
    hits: Sequence[Hit],
    best_cosine: float,
    corpus_blob: str,
    *,
    expand: Callable[[str], str] | None = None,
    on_topic: bool = False,
) -> str | None:
    """Why the review does not answer the question, or None when it does.

    Args:
        question: The searched question.
        hits: Retrieved passages.
        best_cosine: Cosine similarity of the (glossary-expanded) question and the best passage.
        corpus_blob: All passage and row texts, lower case (for vocabulary checks).
        expand: Glossary expansion, applied to evidence for the coverage check.
        on_topic: The question names table rows by their fields (a specific
            row filter matched), which vetoes the similarity-based refusals.
    """
    if not hits:
        return "nothing was retrieved"
    unknown = unknown_entities(question, corpus_blob)
    # a drug name is decisive; an unknown acronym may be a user's shorthand ("TKI")
    if any(is_drug_like(w) for w in unknown) or (unknown and best_cosine < FOCUS_COSINE):
        return f"the review never mentions {', '.join(unknown)}"
    # an unknown name plus mostly unknown words: a topic beside the review however close
    # the wording ("is TACE better than sorafenib for intermediate hcc")
    if unknown and missing_share(question, corpus_blob) >= MAX_MISSING:
        return f"the review never mentions {', '.join(unknown)}"
    if on_topic:
        return None
    if best_cosine < MIN_COSINE:
        return f"no passage is close to the question (best cosine {best_cosine:.2f})"
    missing = missing_share(question, corpus_blob)
    if missing >= MAX_MISSING and best_cosine < STRONG_COSINE:
        return f"{missing:.0%} of the question's topical words never occur in the review"
    coverage = evidence_coverage(question, hits, expand=expand)
    if coverage < MIN_COVERAGE and best_cosine < WEAK_COSINE:
        return (
            f"the best passages hold {coverage:.0%} of the question's words "
            f"(cosine {best_cosine:.2f})"
        )
    focus = sentence_coverage(question, hits, expand=expand)
    if focus < MIN_SENTENCE_COVERAGE and best_cosine < FOCUS_COSINE:
        return (
            f"no sentence holds more than {focus:.0%} of the question's words "
            f"(cosine {best_cosine:.2f})"
        )
    return None


def _row_line(m: RowMatch) -> str:
    r = m.row
    cells = [r.phase, r.drug, r.outcome] if r.table == "table1" else [r.drug, r.pathway, r.effect]
    return f"{r.author} ({r.year}, {r.table.replace('table', 'Table ')}): " + "; ".join(
        c for c in cells if c
    )


def compose_answer(
    question: str,
    searched_query: str,
    hits: Sequence[Hit],
    rows: Sequence[RowMatch],
    references: Mapping[int, Reference],
    *,
    quotes: Sequence[Quote] | None = None,
    abstain: str | None = None,
    mode: str = "hybrid",
    table_intent: bool = False,
    timings_ms: Mapping[str, float] | None = None,
) -> Answer:
    """Build the extractive answer.

    Args:
        question: The user's question as typed.
        searched_query: The query actually searched (follow-ups resolved).
        hits: Ranked passages (all kept in ``Answer.passages``).
        rows: Table rows to show.
        references: The corpus's reference table.
        quotes: Sentences to quote (default :func:`select_sentences`).
        abstain: A reason to refuse (from :func:`abstain_reason`), or None.
        mode: Retrieval mode used.
        table_intent: The question asks for table rows ("which trials…"); the rows lead.
        timings_ms: Stage timings to record.

    Returns:
        The answer; when abstaining, ``answer`` starts with "The review does not
        cover this.", ``rows`` is empty and ``nearest`` names the nearest topic.
    """
    quotes = list(quotes) if quotes is not None else select_sentences(searched_query, hits)
    if abstain is not None or not quotes:
        nearest = None
        if quotes:
            q = quotes[0]
            text, _ = resolve_references(q.text, references)
            nearest = f'{hits[q.hit].passage.section}: "{text}" [P{q.hit + 1}]'
        elif hits:
            nearest = hits[0].passage.section
        answer = NOT_COVERED + (f" The nearest it covers is {nearest}" if nearest else "")
        return Answer(
            question=question,
            searched_query=searched_query,
            answer=answer,
            abstained=True,
            passages=tuple(hits),
            nearest=nearest,
            mode=mode,
            timings_ms=dict(timings_ms or {}),
        )
    used: dict[int, Reference] = {}
    sentences: list[AnswerSentence] = []
    for q in quotes:
        text, refs = resolve_references(q.text, references)
        used.update(refs)
        sentences.append(AnswerSentence(f'"{text}" [P{q.hit + 1}]', q.passage_id, q.hit + 1))
    body = " ".join(s.text for s in sentences)
    if rows:
        listing = "\n".join(f"- {_row_line(m)}" for m in rows)
        head = "Table rows:" if table_intent else "Related table rows:"
        body = f"{head}\n{listing}\n{body}" if table_intent else f"{body}\n{head}\n{listing}"
        for m in rows:
            if m.row.ref in references:
                used.setdefault(m.row.ref, references[m.row.ref])
    return Answer(
        question=question,
        searched_query=searched_query,
        answer=body,
        abstained=False,
        passages=tuple(hits),
        rows=tuple(rows),
        sentences=tuple(sentences),
        references=dict(sorted(used.items())),
        mode=mode,
        timings_ms=dict(timings_ms or {}),
    )
