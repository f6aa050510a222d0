"""What a sentence holds: its stems and its shape, read once, and how much of a
question's words it covers.

Scoring reads the same few things of every candidate sentence on every ask: its
stems (with its passage's section title and the long forms of its abbreviations),
whether it gives a number, a year, a cited study, a reason or a means, and which
references it cites. :class:`Facts` holds them; :class:`SentenceFacts` computes them
once per sentence and keeps them on the engine.

:func:`coverage` is the idf-weighted share of a question's words a sentence holds,
counting a word the stemmer splits in two ("safe" / "safeti") as held;
:func:`weigher` is the same measure over :class:`Facts`, with the question's weights
computed once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..corpus.citations import BACK_REFERENCE, find_citations
from ..corpus.sentences import split_sentences
from ..types import Passage
from ..understand.lexicon import Lexicon
from ..understand.query import ROW_STEMS, STUDY_STEMS, STUDY_TABLE_STEMS
from ..understand.words import has_number, stem_set

MIN_PREFIX = 4  # shortest stem matched as the start of a longer one ("safe"/"safety")
FACTS_LIMIT = 10_000  # sentences kept (5-12 KB each: at most about 120 MB)
YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_AUTHOR = re.compile(r"\bet al\b")
# Words that say by what means something happens (English).
_MEANS = re.compile(
    r"\b(?:through|via|by (?:\w+ing)|block(?:s|ed|ing)?|inhibit(?:s|ed|ing)?|"
    r"activat\w*|target(?:s|ed|ing)?|mediat\w*|induc\w*|leads? to|results? in)\b",
    re.IGNORECASE,
)
# A sentence that compares (English): "less X than", "compared X with Y", "inferior to"
_COMPARES = re.compile(
    r"\b(?:than|compar(?:ed|ing|ison)|relative to|versus|vs\.?|superior to|"
    r"inferior (?:to|than)|outperform\w*)(?!\w)",
    re.IGNORECASE,
)
# ... but not a quantity: "more than 80%", "less than ~10 months" (a name is compared:
# "more than 5-FU did")
_QUANTITY = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|over|under)\s+than\s+"
    r"(?:about\s+|approximately\s+|nearly\s+|almost\s+|[~≥≤<>]\s*)?\d+(?:[.,]\d+)*(?![\w-])",
    re.IGNORECASE,
)
# Words that give a reason or a consequence (English).
_CAUSAL = re.compile(
    r"\b(?:because|since|given that|due to|owing to|as a result|therefore|thus|hence|"
    r"lead(?:s|ing)? to|led to|caus(?:e|es|ed|ing)|result(?:s|ed)? in|contribut\w*|"
    r"characteristic|so that|explain\w*|reason\w*|mechanism\w*)\b",
    re.IGNORECASE,
)

# A sentence that says what something is (English): a subject of at most five words at its
# start (and an abbreviation in brackets after it), then "is a", "are the", "is also a",
# "refers to", "is defined as", "stands for" ("X is an oral inhibitor ...", "Long form (LF)
# is one of ..."; not "X has shown ...", nor a clause: "Given that X is a ..."). The
# look-ahead keeps a long run of punctuation from being tried as a subject at every length.
_DEFINES = re.compile(
    r"^\W*(?=\w)(?!(?:given|whether|why|because|although|though|while|if|when|since|as|how|"
    r"what|that|where|once|unless)\b)"
    r"(?P<subject>(?:[^\s,;:()]+\s+){0,4}?[^\s,;:()]+)(?:\s*\((?P<short>[^()]{1,40})\))?\s+"
    r"(?:(?:is|are)\s+(?:(?:still|also|now|currently|usually|often|generally)\s+)?"
    r"(?:an?|the|one)\b|refers?\s+to\b|(?:is|are)\s+defined\s+as\b|stands?\s+for\b)",
    re.IGNORECASE,
)
# Words that end a subject's head noun phrase (English): "colonies" in "colonies of ten frames".
_PREPOSITIONS = frozenset(
    {"of", "in", "with", "for", "from", "on", "at", "to", "by", "among", "between", "under"}
)
# A sentence that sums up (English): "In summary, ...", "Taken together, ...", "Overall, ..."
# (not "Overall survival ...").
_SUMS_UP = re.compile(
    r"^\W*(?:(?:in (?:summary|conclusion|short|sum)|taken together|to (?:sum up|summari[sz]e|"
    r"conclude)|in the end)\b|(?:overall|collectively|altogether)\s*,)",
    re.IGNORECASE,
)
# A section that sums up (English), by its first words: "Conclusions", "Summary and
# outlook", "Perspectives" (not "Table 2: Summary of trials").
_CONCLUDING = re.compile(
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:conclu\w*|summary|perspectives?|outlook|"
    r"(?:closing|final|concluding) remarks)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Facts:
    """What scoring reads of one sentence as part of one passage.

    Attributes:
        stems: Stems of the sentence with its passage's section title (prose) and the
            long forms of its abbreviations (what the question's words are looked up in).
        plain: Stems of the sentence alone.
        number: It states a quantity (see :func:`~hccqa.understand.words.has_number`).
        year: It holds a year.
        who: It names or cites a study ("et al", a bracket citation, "These authors").
        causal: It gives a reason or a consequence.
        means: It says by what means something happens.
        compares: It compares ("less X than", "compared with", "inferior to").
        gist: It sums up: prose that opens with "In summary" or the like, or stands in a
            concluding section ("Conclusions", "Perspectives").
        defines: Stems of what it says the nature of, when it opens like a definition
            ("X is a ...", "X refers to ..."): the words before the verb; empty otherwise.
        defines_head: Of those, the stems of the subject's head word (its last word before a
            preposition: "colonies" in "Nucleus colonies of five frames") and of an
            abbreviation in brackets after it: what the sentence defines, not a word that
            only qualifies it ("The reason X fails is a ..." does not define X).
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
    compares: bool
    gist: bool
    defines: frozenset[str]
    defines_head: frozenset[str]
    cites: frozenset[int]
    heads: frozenset[str]

    @classmethod
    def of(cls, text: str, passage: Passage, lexicon: Lexicon) -> Facts:
        """Read the facts of ``text``, a sentence of ``passage``."""
        citations = find_citations(text)
        row = passage.kind == "row"
        defines, head = _defined(text) if not row else (frozenset(), frozenset())
        stems = sentence_stems(text if row else f"{passage.section}. {text}", lexicon)
        if not row and _PRONOUN_SUBJECT.match(text):
            # "It is the largest ... at 22,500 MW.": about what the sentence before names
            stems |= stem_set(previous_sentence(text, passage.text))
        return cls(
            stems=stems,
            plain=stem_set(text),
            number=has_number(text),
            year=bool(YEAR.search(text)),
            who=bool(_AUTHOR.search(text) or citations or BACK_REFERENCE.match(text)),
            causal=bool(_CAUSAL.search(text)),
            means=bool(_MEANS.search(text)),
            compares=states_comparison(text),
            gist=not row and bool(_SUMS_UP.match(text) or concluding_section(passage.section)),
            defines=defines,
            defines_head=head,
            cites=frozenset(n for c in citations for n in c.numbers),
            heads=frozenset(h[:MIN_PREFIX] for h in stems if len(h) >= MIN_PREFIX),
        )


def _defined(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Stems of the subject of a sentence that opens like a definition (see ``_DEFINES``),
    and of its head word and bracketed abbreviation; empty sets for any other sentence."""
    found = _DEFINES.match(text)
    if not found:
        return frozenset(), frozenset()
    words = found["subject"].split()
    cut = next((i for i, w in enumerate(words) if i and w.lower() in _PREPOSITIONS), len(words))
    short = found["short"] or ""
    subject = stem_set(" ".join([found["subject"], short]))
    return subject, stem_set(" ".join([words[cut - 1], short]))


def states_comparison(text: str) -> bool:
    """The text compares ("less X than", "compared with", "inferior to"); a quantity
    ("more than 80%") compares nothing."""
    if not _COMPARES.search(text):
        return False
    return bool(_COMPARES.search(_QUANTITY.sub(" ", text)))


def concluding_section(title: str) -> bool:
    """The section title is a concluding one ("Conclusions", "Summary and outlook")."""
    return bool(_CONCLUDING.match(title))


class SentenceFacts:
    """The :class:`Facts` of a corpus's sentences, computed on first use and kept.

    One per loaded engine (its corpus, retriever and lexicon never change): an ask then
    reads each candidate sentence's facts instead of deriving them again. Safe to share
    between threads (two threads may compute one entry twice, with equal results). At
    most ``limit`` entries are kept; past it the memo starts again.
    """

    def __init__(self, limit: int = FACTS_LIMIT) -> None:
        self.limit = limit
        self._facts: dict[tuple[int, int], Facts] = {}
        self._position: tuple[Sequence[Passage], dict[str, int]] | None = None
        self._glossary: tuple[Sequence[Passage], frozenset[str]] | None = None
        self._citing: (
            tuple[Sequence[Passage], frozenset[str], dict[int, tuple[str, ...]]] | None
        ) = None

    def position(self, passages: Sequence[Passage]) -> dict[str, int]:
        """Passage id -> its index in ``passages`` (computed once per passage list)."""
        kept = self._position
        if kept is None or kept[0] is not passages:
            kept = self._position = (passages, {p.id: i for i, p in enumerate(passages)})
        return kept[1]

    def citing(
        self, passages: Sequence[Passage], docs: frozenset[str]
    ) -> dict[int, tuple[str, ...]]:
        """Reference number -> the ids of the prose passages of ``docs`` citing it (once
        per passage list)."""
        kept = self._citing
        if kept is None or kept[0] is not passages or kept[1] != docs:
            index: dict[int, list[str]] = {}
            for p in passages:
                if p.kind == "text" and p.doc_id in docs:
                    for n in p.refs:
                        index.setdefault(n, []).append(p.id)
            kept = self._citing = (passages, docs, {n: tuple(v) for n, v in index.items()})
        return kept[2]

    def glossary(self, passages: Sequence[Passage]) -> frozenset[str]:
        """Ids of the footnotes of abbreviations among ``passages`` (once per list)."""
        kept = self._glossary
        if kept is None or kept[0] is not passages:
            ids = frozenset(p.id for p in passages if p.kind == "glossary")
            kept = self._glossary = (passages, ids)
        return kept[1]

    def get(self, s: int, at: int, text: str, passage: Passage, lexicon: Lexicon) -> Facts:
        """The facts of sentence ``s`` (``text``) read as part of passage number ``at``."""
        key = (s, at)
        found = self._facts.get(key)
        if found is None:
            if len(self._facts) >= self.limit:
                self._facts = {}
            found = self._facts[key] = Facts.of(text, passage, lexicon)
        return found

    def __len__(self) -> int:
        return len(self._facts)


# A sentence whose subject is a pronoun: what it is about, the sentence before it names
_PRONOUN_SUBJECT = re.compile(r"(?:It|Its|They|Their|He|She|His|Her)\b")


def previous_sentence(text: str, context: str) -> str:
    """The sentence before ``text`` in ``context`` ("" when it is the first or absent)."""
    spans = split_sentences(context)
    for (a, b), (c, d) in zip(spans, spans[1:], strict=False):
        if context[c:d] == text:
            return context[a:b]
    return ""


def sentence_stems(text: str, lexicon: Lexicon) -> frozenset[str]:
    """Stems of a sentence and of the long forms of its abbreviations (and vice versa)."""
    extra = lexicon.expander.expansions(text)
    return stem_set(" ".join([text, *extra])) if extra else stem_set(text)


def coverage(terms: frozenset[str], have: frozenset[str], lexicon: Lexicon) -> float:
    """Idf-weighted share of ``terms`` found in ``have`` (1.0 when there are no terms).

    A term also counts for a variant the stemmer keeps apart (see :func:`_variants`).
    """
    if not terms:
        return 1.0
    weight = {t: lexicon.idf(t) for t in terms}
    total = sum(weight.values()) or 1.0
    return sum(v for t, v in weight.items() if holds(t, have)) / total


def weigher(terms: frozenset[str], lexicon: Lexicon) -> Callable[[Facts], float]:
    """A function ``facts -> float``: :func:`coverage` of these terms in a sentence's
    ``stems``, the same sum, with the terms' weights computed once."""
    if not terms:
        return lambda f: 1.0
    # a term shorter than MIN_PREFIX matches only itself; a longer one also a variant,
    # which starts with the same MIN_PREFIX letters
    weight = [(t, lexicon.idf(t), t[:MIN_PREFIX] if len(t) >= MIN_PREFIX else None) for t in terms]
    total = sum(v for _, v, _ in weight) or 1.0

    def weigh(f: Facts) -> float:
        have, heads = f.stems, f.heads
        held = 0.0
        for t, v, head in weight:  # a loop, not a generator: called for every candidate
            if t in have or (head in heads and _prefix_match(t, have)):
                held += v
        return held / total

    return weigh


def holds(stem: str, have: frozenset[str]) -> bool:
    """``have`` holds the stem, or a variant of it the stemmer keeps apart."""
    if stem in have:
        return True
    return _prefix_match(stem, have)


def names_rows(word: str, tables: Iterable[str], lexicon: Lexicon) -> bool:
    """``word`` (a stem) says what the rows of these tables are: a word of a table's title
    or key column ("Rivers of the world", "river"), or, of a table of studies, any noun
    for a study ("trials" of a table titled "Clinical studies ...")."""
    if word in ROW_STEMS:  # "how many rows"
        return True
    wanted = set(tables)
    kinds = frozenset().union(
        *(
            stem_set(f"{t.title} {t.columns[0].name.replace('_', ' ')}")
            for t in lexicon.tables
            if t.id in wanted and t.columns
        )
    )
    return holds(word, kinds) or (word in STUDY_STEMS and not kinds.isdisjoint(STUDY_TABLE_STEMS))


def holds_any(stems: Iterable[str], text: str) -> bool:
    """``text`` holds one of the stems (see :func:`holds`)."""
    have = stem_set(text)
    return any(holds(s, have) for s in stems)


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
