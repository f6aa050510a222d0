"""Evidence at sentence level: passages retrieved, their sentences scored, passages re-ranked.

A question is usually answered by one sentence, not by a whole passage. So every
sentence of the retrieved passages is scored on its own (dense cosine with the
question, BM25 over sentences, and the idf-weighted share of the question's words it
holds), and a passage ranks by its own retrieval score plus its best sentence. The
quoted sentences are the best of that sentence ranking.

A sentence whose shape fits what the question asks for gets a small bonus: a number
for "how many", a year for "when", a cited study for "who", the spelled-out form for
"what does X stand for", a sentence opening "X is a ..." for "what is X". These are
English question shapes, nothing of the corpus.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..corpus.citations import find_authors
from ..types import Hit, Passage, TableRow
from ..understand.lexicon import ET_AL, Lexicon
from ..understand.query import Query
from ..understand.words import parts, tokens
from .facts import Facts, SentenceFacts, concluding_section, states_comparison, weigher


@dataclass(frozen=True)
class Weights:
    """How sentences and passages are scored (measured on the development sets).

    Attributes:
        cosine: Weight of a sentence's dense cosine with the question.
        bm25: Weight of its BM25 score (divided by the best candidate's).
        coverage: Weight of the idf-weighted share of the question's words it holds
            (0.5: from 0.3 to 0.8 the development sets' mean moved by at most 0.004 on
            any figure; 0.5 was the one step from 0.6 that lowered none of the mean's, the
            blind set's or the second blind set's figures).
        shape: Bonus for a sentence of the shape the question asks for.
        anchor: Bonus for a sentence naming a table value the question names, or citing
            a study whose row holds one.
        sentence: Share of a passage's final score that comes from its best sentence
            (0.7: on the sets written from the review alone, the passage holding the
            answer ranks higher the more its best sentence counts; 0.5 to 0.7 raised
            MRR@10 by 0.02-0.05 on each, and lowered it on the oldest, fitted sets).
        favored: Bonus for the sentences of passages the question selects by construction.
        referent: Bonus for the sentences of the rows the previous answer showed, when a
            follow-up points back at them ("how did *that trial* turn out?"); smaller than
            ``favored``: prose may still answer what it asks of them (0.3: on the
            development sets' mean, 0.6 moved prose answers below the rows).
        absent_discount: How much the lexical scores shrink with the share of the
            question's words the corpus never uses (0: not at all, 1: to nothing).
        explain: A passage of prose that cites a table row and ranks at most this many
            places below it moves just above it (prose explains the row; 0: off).
        pool: Passages whose sentences are scored.
        depth: Passages retrieved before re-ranking; their own scores are scaled over
            these, so a depth that covers a small corpus scales them over all of it.
    """

    cosine: float = 1.0
    bm25: float = 0.3
    coverage: float = 0.5
    shape: float = 0.4
    anchor: float = 0.2
    sentence: float = 0.7
    explain: int = 3
    favored: float = 0.6
    referent: float = 0.3
    absent_discount: float = 1.0
    pool: int = 20
    depth: int = 80


class Scored(NamedTuple):
    """A candidate sentence and its scores (a named tuple: an ask makes dozens, and a
    frozen dataclass costs a microsecond each to build)."""

    sentence_index: int  # into Corpus.sentences
    text: str
    hit: int  # 0-based index into Evidence.hits of the best passage holding it
    passage_id: str
    row: bool  # the sentence is a table row
    cosine: float
    coverage: float
    score: float


@dataclass(frozen=True)
class Evidence:
    """Passages and sentences for one query, and the signals the judge reads.

    Attributes:
        hits: Passages, re-ranked by their own score and their best sentence.
        sentences: Candidate sentences, best first.
        cosine: Best sentence cosine with the question (0 in bm25 mode).
        coverage: Largest idf-weighted share of the question's words in one sentence.
        filtered: The table rows the question's own filter selects
            (:func:`~hccqa.answer.rows.filter_rows`), when the caller measured them
            (the row choice then reads them instead of filtering again).
        timings: Milliseconds per stage.
    """

    hits: tuple[Hit, ...]
    sentences: tuple[Scored, ...]
    cosine: float
    coverage: float
    filtered: tuple[TableRow, ...] | None = None
    timings: dict[str, float] = field(default_factory=dict)


def gather(
    query: Query,
    retriever: Any,
    corpus: Any,
    lexicon: Lexicon,
    *,
    n: int,
    mode: str,
    weights: Weights | None = None,
    favored: frozenset[str] = frozenset(),
    filtered: Sequence[TableRow] | None = None,
    facts: SentenceFacts | None = None,
    referent: frozenset[str] = frozenset(),
    authored: frozenset[int] = frozenset(),
) -> Evidence:
    """Retrieve passages for the query, score their sentences and re-rank the passages.

    Args:
        query: The understood question.
        retriever: A :class:`~hccqa.retrieval.retriever.Retriever` (with sentences).
        corpus: The corpus (``sentence_map`` links passages to sentences).
        lexicon: The corpus lexicon (idf, glossary).
        n: Passages to return (ranked).
        mode: ``"hybrid"``, ``"dense"`` or ``"bm25"``.
        weights: Scoring weights.
        favored: Passage ids the question selects by construction (the table rows its
            filter picks for a list question): their sentences get ``weights.favored``.
        filtered: The rows the question's own filter selects, if measured: kept in the
            evidence.
        facts: The engine's memo of sentence facts (a fresh one when omitted).
        referent: Row ids a follow-up points back at (shown by the previous answer):
            their sentences get ``weights.referent``.
        authored: Reference numbers of the selected rows of an author the question
            names: the prose citing them takes part however retrieval ranked it, and its
            sentences citing them hold the author's name ("...[7]" for "Smith et al").
    """
    w = weights or Weights()
    facts = facts if facts is not None else SentenceFacts()
    total = len(retriever.passages)
    depth = min(max(n, w.depth), total)
    # Words the corpus never uses cannot match any sentence: the more of them, the less
    # the lexical scores say, and the more the dense cosine does.
    content = [t for t in query.tokens if t.content]
    lexical = 1.0 - w.absent_discount * (len(query.absent) / len(content) if content else 0.0)
    hits, timings = retriever.ranked(query.search, depth, mode)  # (passage, score, modes)
    footnotes = facts.glossary(retriever.passages)
    if footnotes and "define" not in query.intents:  # a list of short forms answers nothing else
        hits = [h for h in hits if h[0].id not in footnotes]
    bonus = dict.fromkeys(referent, w.referent)
    bonus.update(dict.fromkeys(favored, w.favored))
    mates = _concluding_mates(query, hits, retriever.passages)
    by_ref = facts.citing(retriever.passages, lexicon.citing_docs) if authored else {}
    citing = dict.fromkeys(i for n in sorted(authored) for i in by_ref.get(n, ()))
    bonus.update((i, 0.0) for i in [*mates, *citing] if i not in bonus)
    names = _author_stems(query) if authored else frozenset()
    if bonus:  # rows with a bonus take part even when retrieval ranked them low
        have = {p.id for p, _, _ in hits}
        extra = [p for p in retriever.passages if p.id in bonus and p.id not in have]
        low = min((score for _, score, _ in hits), default=0.0)
        hits = hits + [(p, low, ()) for p in extra]
    timings = {k: float(v) for k, v in timings.items()}
    t0 = time.perf_counter()
    position = facts.position(retriever.passages)
    sentence_map = getattr(corpus, "sentence_map", ())
    # indices into hits of the passages whose sentences are scored
    pool = [*range(min(w.pool, len(hits)))]
    pool += [i for i in range(w.pool, len(hits)) if hits[i][0].id in bonus]
    ids: list[int] = []
    # per candidate sentence: its facts, its index in hits, whether it is a row, its bonus
    read: list[tuple[Facts, int, bool, float]] = []
    seen: set[int] = set()
    for i in pool:
        passage = hits[i][0]
        at = position.get(passage.id)
        if at is None or at >= len(sentence_map):
            continue
        row, plus = passage.kind == "row", bonus.get(passage.id, 0.0)
        for s in sentence_map[at]:
            if s not in seen:
                seen.add(s)
                ids.append(s)
                f = facts.get(s, at, retriever.sentences[s], passage, lexicon)
                read.append((f, i, row, plus))
    cos_a, bm_a = retriever.sentence_scores(query.search, ids, mode)
    cos, bm = cos_a.tolist(), bm_a.tolist()
    top = max(bm, default=0.0)
    bm_top = top if top > 0 else 1.0
    shape = _shape_test(query, lexicon)
    anchored = _anchor_test(query, corpus)
    shaped, anchoring = shape is not _never, anchored is not _never
    # the one year the row filter reads ("the 2008 trial") dates prose too (a range,
    # "since 2014", is no word a sentence should hold)
    years = query.filter.years
    dated = {str(years[0])} if years and years[0] == years[1] else set()
    weigh = weigher(query.terms, lexicon)
    weigh_prose = weigher(query.terms | dated, lexicon) if dated else weigh
    sentences = retriever.sentences
    rows: list[tuple[int, str, int, bool, float, float, float]] = []
    w_cos, w_bm, w_cov = w.cosine, w.bm25, w.coverage
    for j, s in enumerate(ids):
        f, at, row, plus = read[j]
        citing_doc = names and hits[at][0].doc_id in lexicon.citing_docs
        if citing_doc and not row and not f.cites.isdisjoint(authored):
            f = dataclasses.replace(f, stems=f.stems | names)
        cov = weigh(f) if row else weigh_prose(f)
        score = w_cos * cos[j] + lexical * (w_bm * bm[j] / bm_top + w_cov * cov)
        if shaped and shape(f, row):
            score += w.shape
        if anchoring and anchored(f):
            score += w.anchor
        score += plus
        rows.append((s, sentences[s], at, row, cos[j], cov, score))
    rows.sort(key=lambda c: (-c[6], c[2], c[0]))
    best: dict[int, float] = {}
    for r in rows:
        best.setdefault(r[2], r[6])
    passages = [p for p, _, _ in hits]
    # a passage moves up at most `explain` places, so none from further down reaches the top n
    reranked = _together(_rerank([s for _, s, _ in hits], best, w.sentence), passages, mates)
    order = _prose_first(reranked[: n + max(w.explain, 0)], passages, w.explain)
    ranked = [Hit(passages[i], key, rank, hits[i][2]) for rank, (key, i) in enumerate(order[:n], 1)]
    new_index = {h.passage.id: i for i, h in enumerate(ranked)}
    scored = [
        Scored(s, text, new_index[pid], pid, row, c, cov, score)
        for s, text, hit_at, row, c, cov, score in rows
        if (pid := hits[hit_at][0].id) in new_index
    ]
    best_cov = max((c.coverage for c in scored), default=0.0)
    timings["sentences"] = round((time.perf_counter() - t0) * 1000, 3)
    return Evidence(
        hits=tuple(ranked),
        sentences=tuple(scored),
        cosine=max((c.cosine for c in scored), default=0.0),
        coverage=best_cov,
        filtered=None if filtered is None else tuple(filtered),
        timings=timings,
    )


def context_of(quote: Scored, evidence: Evidence) -> str:
    """The text around a quote: the ranked passages that hold it, in document order
    (passages overlap, so the one it is credited to may start with it and lack the
    sentence it goes on from)."""
    holding = [
        h.passage
        for h in evidence.hits
        if h.passage.kind == "text" and quote.text in h.passage.text
    ]
    if not holding:
        return evidence.hits[quote.hit].passage.text if quote.hit < len(evidence.hits) else ""
    holding.sort(key=lambda p: (p.doc_id, p.start))
    return " ".join(p.text for p in holding)


# Documents whose concluding section a question asking the gist reads whole: those of
# this many best-retrieved passages.
GIST_DOCUMENTS = 3


def _author_stems(query: Query) -> frozenset[str]:
    """Stems of the authors' names the question mentions ("Smith et al": "smith")."""
    named = (s for m in query.mentions if m.entity.kind == "author" for s in m.matched)
    return frozenset(named) - ET_AL


def _concluding_mates(
    query: Query, hits: Sequence[tuple[Passage, float, Any]], passages: Sequence[Passage]
) -> dict[str, tuple[str, str]]:
    """For a question asking the gist, the passages of the concluding sections
    ("Conclusions") of the best-retrieved documents, each with its document and section:
    the gist is the whole section, not its best-matching paragraph. Empty otherwise."""
    if "gist" not in query.intents:
        return {}
    docs = {p.doc_id for p, _, _ in hits[:GIST_DOCUMENTS]}
    return {
        p.id: (p.doc_id, p.section)
        for p in passages
        if p.kind == "text" and p.doc_id in docs and concluding_section(p.section)
    }


def _together(
    order: list[tuple[float, int]],
    passages: Sequence[Passage],
    mates: dict[str, tuple[str, str]],
) -> list[tuple[float, int]]:
    """``order`` with the passages of each section in ``mates`` following the first of
    them, in document order; nothing moves without mates."""
    if not mates:
        return order
    out: list[tuple[float, int]] = []
    placed: set[tuple[str, str]] = set()
    for x in order:
        group = mates.get(passages[x[1]].id)
        if group is None:
            out.append(x)
        elif group not in placed:
            placed.add(group)
            out += sorted(
                (y for y in order if mates.get(passages[y[1]].id) == group),
                key=lambda y: passages[y[1]].start,
            )
    return out


def _rerank(own: Sequence[float], best: dict[int, float], share: float) -> list[tuple[float, int]]:
    """Passages by ``(1 - share) * own score + share * best sentence score`` (both scaled
    to [0, 1] over the candidates); passages beyond the scored pool keep their order.

    Args:
        own: The retrieved passages' own scores, in retrieval order.
        best: Passage index -> the score of its best sentence.
        share: Weight of the best sentence.

    Returns:
        ``(key, passage index)``, best first.
    """
    if not own:
        return []
    lo, hi = min(own), max(own)
    own = [(o - lo) / (hi - lo) for o in own] if hi > lo else [1.0] * len(own)
    values = list(best.values())
    s_lo, s_hi = (min(values), max(values)) if values else (0.0, 1.0)
    keyed = []
    for i in range(len(own)):
        if i in best:
            s = (best[i] - s_lo) / (s_hi - s_lo) if s_hi > s_lo else 1.0
            key = (1 - share) * own[i] + share * s
        else:
            key = (1 - share) * own[i] - share  # below every scored passage
        keyed.append((float(key), i))
    keyed.sort(key=lambda x: (-x[0], x[1]))
    return keyed


def _prose_first(
    order: list[tuple[float, int]], passages: Sequence[Passage], reach: int
) -> list[tuple[float, int]]:
    """Move a prose passage that reports a table row's study by name ("Smith et al[7]
    showed ...") just above that row when it ranks at most ``reach`` places below it.

    Prose that names the study explains the row; a bare list of citations ("[7-9]")
    does not, and leaves the row where it is.

    Args:
        order: ``(key, passage index)``, best first (from :func:`_rerank`).
        passages: The passages the indices point at.
        reach: Places below the row a prose passage may rank and still move (0: off).
    """
    if reach <= 0:
        return order
    out = list(order)
    i = 0
    while i < len(out):
        row = passages[out[i][1]]
        if row.kind == "row" and row.refs:
            for j in range(i + 1, min(i + 1 + reach, len(out))):
                p = passages[out[j][1]]
                if p.kind != "row" and not _named_studies(p.text).isdisjoint(row.refs):
                    out.insert(i, out.pop(j))
                    i += 1
                    break
        i += 1
    return out


@functools.lru_cache(maxsize=4096)
def _named_studies(text: str) -> frozenset[int]:
    return frozenset(find_authors(text))


def _never(*_: object) -> bool:
    """The test of a question that asks for no shape, or names no table value."""
    return False


def _shape_test(query: Query, lexicon: Lexicon) -> Callable[[Facts, bool], bool]:
    """A test ``(facts, is_row) -> bool``: the sentence has the shape the question's
    intent asks for. A table row gives years and names, never a quantity or a definition."""
    tests: list[Callable[[Facts, bool], bool]] = []
    if "number" in query.intents:
        tests.append(lambda f, row: not row and f.number)
    if "when" in query.intents:
        tests.append(lambda f, row: f.year)
    if "who" in query.intents:
        tests.append(lambda f, row: f.who)
    if "why" in query.intents:
        tests.append(lambda f, row: not row and f.causal)
    if "how" in query.intents:
        tests.append(lambda f, row: not row and f.means)
    if "gist" in query.intents:
        tests.append(lambda f, row: f.gist)
    if "compare" in query.intents:
        # a comparison of what the question names (and a follow-up's earlier turn), each
        # side by a word of it: not any sentence comparing something
        turns = [query, *([query.referent.query] if query.referent and not query.swapped else [])]
        sides = list(dict.fromkeys(m.matched for q in turns for m in q.mentions if m.matched))
        # ("respond better to X" compares nothing named with X)
        if len(sides) > 1 or (sides and states_comparison(query.normalized)):
            tests.append(
                lambda f, row: (
                    not row and f.compares and all(not s.isdisjoint(f.plain) for s in sides)
                )
            )
    if query.sides is not None:
        # "the difference between A and B": a sentence on one of them alone tells them
        # apart; one naming both ("both A and B are seen") does not
        a, b = query.sides
        tests.append(lambda f, row: not row and (a in f.plain) != (b in f.plain))
    if "define" in query.intents:
        longs = defined_long_forms(query, lexicon)
        if longs:
            tests.append(lambda f, row: not row and any(lf <= f.plain for lf in longs))
        # "X is a ...": a sentence saying what the asked-about words are, by the words the
        # question uses or by an abbreviation's long form ("Long form is a ...")
        named = frozenset(s for t in query.content for s in parts(t))
        if named:
            asked = [named, *longs]
            tests.append(
                lambda f, row: (
                    bool(f.defines)
                    and any(a <= f.defines and not a.isdisjoint(f.defines_head) for a in asked)
                )
            )
    if not tests:
        return _never
    if len(tests) == 1:
        return tests[0]
    return lambda f, row: any(t(f, row) for t in tests)


def _anchor_test(query: Query, corpus: Any) -> Callable[[Facts], bool]:
    """A test ``facts -> bool``: the sentence names a table value the question names (by
    its name words) or cites a study whose row holds one."""
    names = frozenset(s for m in query.mentions for s in (m.entity.names or m.entity.stems))
    if not names:
        return _never
    rows = {r for m in query.mentions for r in m.entity.rows}
    refs = {r.ref for r in getattr(corpus, "rows", ()) if r.id in rows and r.ref is not None}
    whole = [m.entity.stems for m in query.mentions if m.how == "whole" and m.entity.stems]

    def test(f: Facts) -> bool:
        if not names.isdisjoint(f.plain) or any(w <= f.plain for w in whole):
            return True
        return not refs.isdisjoint(f.cites)

    return test


def defined_long_forms(query: Query, lexicon: Lexicon) -> list[frozenset[str]]:
    """Stems of the long forms of the abbreviations a definition question names."""
    glossary = {k.lower(): v for k, v in lexicon.glossary.items()}
    out = []
    for t in query.tokens:
        word = t.text.lower()  # a plural short form typed singular, or the other way
        long = glossary.get(word) or glossary.get(word.rstrip("s")) or glossary.get(word + "s")
        if long:
            out.append(frozenset(s for x in tokens(long) if x.content for s in parts(x)))
    return out
