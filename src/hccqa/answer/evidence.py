"""Evidence at sentence level: passages retrieved, their sentences scored, passages re-ranked.

A question is usually answered by one sentence, not by a whole passage. So every
sentence of the retrieved passages is scored on its own (dense cosine with the
question, BM25 over sentences, and the idf-weighted share of the question's words it
holds), and a passage ranks by its own retrieval score plus its best sentence. The
quoted sentences are the best of that sentence ranking.

A sentence whose shape fits what the question asks for gets a small bonus: a number
for "how many", a year for "when", a cited study for "who", the spelled-out form for
"what does X stand for". These are English question shapes, nothing of the corpus.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..corpus.citations import BACK_REFERENCE, find_authors, find_citations
from ..types import Hit, Passage
from ..understand.lexicon import Lexicon
from ..understand.query import Query
from ..understand.words import has_number, parts, stem_set, tokens

MIN_PREFIX = 4  # shortest stem matched as the start of a longer one ("safe"/"safety")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_AUTHOR = re.compile(r"\bet al\b")
# Words that say by what means something happens (English).
_MEANS = re.compile(
    r"\b(?:through|via|by (?:\w+ing)|block(?:s|ed|ing)?|inhibit(?:s|ed|ing)?|"
    r"activat\w*|target(?:s|ed|ing)?|mediat\w*|induc\w*|leads? to|results? in)\b",
    re.IGNORECASE,
)
# Words that give a reason or a consequence (English).
_CAUSAL = re.compile(
    r"\b(?:because|since|given that|due to|owing to|as a result|therefore|thus|hence|"
    r"lead(?:s|ing)? to|led to|caus(?:e|es|ed|ing)|result(?:s|ed)? in|contribut\w*|"
    r"characteristic|so that|explain\w*|reason\w*|mechanism\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Weights:
    """How sentences and passages are scored (measured on the development sets).

    Attributes:
        cosine: Weight of a sentence's dense cosine with the question.
        bm25: Weight of its BM25 score (divided by the best candidate's).
        coverage: Weight of the idf-weighted share of the question's words it holds.
        shape: Bonus for a sentence of the shape the question asks for.
        anchor: Bonus for a sentence naming a table value the question names, or citing
            a study whose row holds one.
        sentence: Share of a passage's final score that comes from its best sentence.
        favored: Bonus for the sentences of passages the question selects by construction.
        absent_discount: How much the lexical scores shrink with the share of the
            question's words the corpus never uses (0: not at all, 1: to nothing).
        explain: A passage of prose that cites a table row and ranks at most this many
            places below it moves just above it (prose explains the row; 0: off).
        pool: Passages whose sentences are scored.
        depth: Passages retrieved before re-ranking.
    """

    cosine: float = 1.0
    bm25: float = 0.3
    coverage: float = 0.6
    shape: float = 0.4
    anchor: float = 0.2
    sentence: float = 0.5
    explain: int = 3
    favored: float = 0.6
    absent_discount: float = 1.0
    pool: int = 20
    depth: int = 40


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and its scores."""

    index: int  # into Corpus.sentences
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
        timings: Milliseconds per stage.
    """

    hits: tuple[Hit, ...]
    sentences: tuple[Scored, ...]
    cosine: float
    coverage: float
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Facts:
    """What scoring reads of one sentence, computed once per sentence and passage.

    Attributes:
        stems: Stems of the sentence with its passage's section title (prose) and the
            long forms of its abbreviations (what the question's words are looked up in).
        plain: Stems of the sentence alone.
        number: It states a quantity (see :func:`~hccqa.understand.words.has_number`).
        year: It holds a year.
        who: It names or cites a study ("et al", a bracket citation, "These authors").
        causal: It gives a reason or a consequence.
        means: It says by what means something happens.
        cites: The reference numbers its bracket citations name.
        heads: The first :data:`MIN_PREFIX` letters of its long stems (a stem without a
            head here has no variant in ``stems``: see :func:`_variants`).
    """

    stems: frozenset[str]
    plain: frozenset[str]
    number: bool
    year: bool
    who: bool
    causal: bool
    means: bool
    cites: frozenset[int]
    heads: frozenset[str]


class SentenceFacts:
    """The :class:`Facts` of a corpus's sentences, computed on first use and kept.

    One per loaded engine (its corpus, retriever and lexicon never change): an ask then
    reads each candidate sentence's stems and shape instead of recomputing them. Safe to
    share between threads (two threads may compute one entry twice, with one result).
    At most ``limit`` entries are kept; past it the memo starts again, so a server over a
    very large corpus holds a bounded amount.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._facts: dict[tuple[int, int], Facts] = {}
        self._position: tuple[Any, dict[str, int]] | None = None

    def position(self, passages: Sequence[Any]) -> dict[str, int]:
        """Passage id -> its index in ``passages`` (computed once per passage list)."""
        kept = self._position
        if kept is None or kept[0] is not passages:
            kept = self._position = (passages, {p.id: i for i, p in enumerate(passages)})
        return kept[1]

    def get(self, s: int, at: int, text: str, passage: Any, lexicon: Lexicon) -> Facts:
        """The facts of sentence ``s`` (``text``) read as part of passage number ``at``."""
        key = (s, at)
        found = self._facts.get(key)
        if found is None:
            if len(self._facts) >= self.limit:
                self._facts = {}
            found = self._facts[key] = _facts(text, passage, lexicon)
        return found

    def __len__(self) -> int:
        return len(self._facts)


def _facts(text: str, passage: Any, lexicon: Lexicon) -> Facts:
    row = passage.kind == "row"
    citations = find_citations(text)
    stems = _stems(text if row else f"{passage.section}. {text}", lexicon)
    return Facts(
        stems=stems,
        plain=stem_set(text),
        number=has_number(text),
        year=bool(_YEAR.search(text)),
        who=bool(_AUTHOR.search(text) or citations or BACK_REFERENCE.match(text)),
        causal=bool(_CAUSAL.search(text)),
        means=bool(_MEANS.search(text)),
        cites=frozenset(n for c in citations for n in c.numbers),
        heads=frozenset(h[:MIN_PREFIX] for h in stems if len(h) >= MIN_PREFIX),
    )


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
    facts: SentenceFacts | None = None,
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
        facts: The engine's memo of sentence facts (a fresh one when omitted).
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
    if favored:  # rows the filter picks take part even when retrieval ranked them low
        have = {p.id for p, _, _ in hits}
        extra = [p for p in retriever.passages if p.id in favored and p.id not in have]
        low = min((score for _, score, _ in hits), default=0.0)
        hits = hits + [(p, low, ()) for p in extra]
    timings = {k: float(v) for k, v in timings.items()}
    t0 = time.perf_counter()
    position = facts.position(retriever.passages)
    sentence_map = getattr(corpus, "sentence_map", ())
    pool = hits[: w.pool] + [h for h in hits[w.pool :] if h[0].id in favored]
    ids: list[int] = []
    owner: dict[int, int] = {}
    read: list[Facts] = []
    for i, (passage, _, _) in enumerate(pool):
        at = position.get(passage.id)
        if at is None or at >= len(sentence_map):
            continue
        for s in sentence_map[at]:
            if s not in owner:
                owner[s] = i
                ids.append(s)
                read.append(facts.get(s, at, retriever.sentences[s], passage, lexicon))
    cos_a, bm_a = retriever.sentence_scores(query.search, ids, mode)
    cos, bm = cos_a.tolist(), bm_a.tolist()
    top = max(bm, default=0.0)
    bm_top = top if top > 0 else 1.0
    shape = _shape_test(query, lexicon)
    anchored = _anchor_test(query, corpus)
    weigh = _weigher(query.terms, lexicon)
    sentences = retriever.sentences
    rows: list[tuple[int, str, int, bool, float, float, float]] = []
    for j, s in enumerate(ids):
        f = read[j]
        at = owner[s]
        passage = pool[at][0]
        row = passage.kind == "row"
        cov = weigh(f)
        score = w.cosine * cos[j] + lexical * (w.bm25 * bm[j] / bm_top + w.coverage * cov)
        if shape(f, row):
            score += w.shape
        if anchored(f):
            score += w.anchor
        if passage.id in favored:
            score += w.favored
        rows.append((s, sentences[s], at, row, cos[j], cov, score))
    rows.sort(key=lambda c: (-c[6], c[2], c[0]))
    best: dict[int, float] = {}
    for r in rows:
        best.setdefault(r[2], r[6])
    passages = [p for p, _, _ in hits]
    order = _prose_first(_rerank([s for _, s, _ in hits], best, w.sentence), passages, w.explain)
    ranked = [Hit(passages[i], key, rank, hits[i][2]) for rank, (key, i) in enumerate(order[:n], 1)]
    new_index = {h.passage.id: i for i, h in enumerate(ranked)}
    scored = [
        Scored(s, text, new_index[pid], pid, row, c, cov, score)
        for s, text, hit_at, row, c, cov, score in rows
        if (pid := pool[hit_at][0].id) in new_index
    ]
    best_cov = max((c.coverage for c in scored), default=0.0)
    timings["sentences"] = round((time.perf_counter() - t0) * 1000, 3)
    return Evidence(
        hits=tuple(ranked),
        sentences=tuple(scored),
        cosine=max((c.cosine for c in scored), default=0.0),
        coverage=best_cov,
        timings=timings,
    )


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


def _weigher(terms: frozenset[str], lexicon: Lexicon) -> Any:
    """A function ``facts -> float``: :func:`coverage` of these terms in a sentence's
    stems, with the terms' weights computed once."""
    if not terms:
        return lambda f: 1.0
    # a term shorter than MIN_PREFIX matches only itself; a longer one also a variant,
    # which starts with the same MIN_PREFIX letters
    weight = [(t, lexicon.idf(t), t[:MIN_PREFIX] if len(t) >= MIN_PREFIX else None) for t in terms]
    total = sum(v for _, v, _ in weight) or 1.0

    def weigh(f: Facts) -> float:
        got = 0.0
        have = f.stems
        for t, v, head in weight:
            if t in have or (head in f.heads and _prefix_match(t, have)):
                got += v
        return got / total

    return weigh


def coverage(terms: frozenset[str], have: frozenset[str], lexicon: Lexicon) -> float:
    """Idf-weighted share of ``terms`` found in ``have`` (1.0 when there are no terms).

    A term also counts for a variant the stemmer keeps apart (see :func:`_variants`).
    """
    if not terms:
        return 1.0
    weight = {t: lexicon.idf(t) for t in terms}
    total = sum(weight.values()) or 1.0
    return sum(v for t, v in weight.items() if _has(t, have)) / total


def _has(stem: str, have: frozenset[str]) -> bool:
    if stem in have:
        return True
    return _prefix_match(stem, have)


@functools.lru_cache(maxsize=65536)
def _prefix_match(stem: str, have: frozenset[str]) -> bool:
    if len(stem) < MIN_PREFIX:
        return False
    return any(len(h) >= MIN_PREFIX and _variants(stem, h) for h in have)


def _variants(a: str, b: str) -> bool:
    """Two stems of one word the stemmer keeps apart: one starts the other ("safe" /
    "safeti"), or they share all but their last letter and six or more letters
    ("conclud" / "conclus")."""
    if a.startswith(b) or b.startswith(a):
        return True
    n = min(len(a), len(b))
    return n >= 7 and a[: n - 1] == b[: n - 1]


def _stems(text: str, lexicon: Lexicon) -> frozenset[str]:
    """Stems of a sentence and of the long forms of its abbreviations (and vice versa)."""
    extra = lexicon.expander.expansions(text)
    return stem_set(" ".join([text, *extra])) if extra else stem_set(text)


def _shape_test(query: Query, lexicon: Lexicon) -> Any:
    """A test ``(facts, is_row) -> bool``: the sentence has the shape the question's
    intent asks for. A table row gives years and names, never a quantity or a definition."""
    tests: list[Any] = []
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
    if "define" in query.intents:
        longs = defined_long_forms(query, lexicon)
        if longs:
            tests.append(lambda f, row: not row and any(lf <= f.plain for lf in longs))
    if not tests:
        return lambda f, row: False
    return lambda f, row: any(t(f, row) for t in tests)


def _anchor_test(query: Query, corpus: Any) -> Any:
    """A test ``facts -> bool``: the sentence names a table value the question names (by
    its name words) or cites a study whose row holds one."""
    names = frozenset(s for m in query.mentions for s in (m.entity.names or m.entity.stems))
    if not names:
        return lambda f: False
    rows = {r for m in query.mentions for r in m.entity.rows}
    refs = {ref for r in rows if (ref := corpus.row(r).ref) is not None}
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
        long = glossary.get(t.text.lower()) or glossary.get(t.text.lower().rstrip("s"))
        if long:
            out.append(frozenset(s for x in tokens(long) if x.content for s in parts(x)))
    return out
