"""The lexicon: what the corpus knows about words, built from the corpus when it loads.

Nothing in it is written in code: the vocabulary and word frequencies come from the
passages, the abbreviations from the glossary, and the entities from the tables'
cells, each tagged with the column it came from (whatever the columns are called).

An :class:`Entity` is one cell value, or one part of a value that joins several
("X and Y", "A/B"), with the rows that hold it. The question's mentions of entities
become row filters (:mod:`hccqa.understand.filters`) and the entities of a follow-up's
referent (:mod:`hccqa.understand.query`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..corpus.citations import find_authors, find_citations
from ..corpus.sentences import split_sentences
from ..corpus.tables import MISSING
from ..types import table_label
from .bridge import Bridge, load_bridge, noun_kinds, specific_words
from .compare import CELL_MARKER, cell_text, comparing_pattern
from .expand import Expander
from .spelling import Speller, english_counts
from .words import ORDERING, STOPWORDS, Token, content_stems, parts, stem, tokens

ORDERING_STEMS = frozenset(stem(w) for w in ORDERING)
# English prepositions and articles: a noun after them is a place, a time or a cause
# (not "by", "with", "of", "for": "captained by women", "a crew of men")
_PREPOSITIONS = frozenset(
    ["in", "on", "at", "near", "from", "to", "into", "under", "over", "across", "along"]
    + ["around", "behind", "beside", "during", "through"]
)
_ARTICLES = frozenset(["the", "a", "an", "this", "that", "these", "those", "its", "their"])
# Conjunctions that join several entities in one cell ("X and Y", "A plus B", "C/D").
_JOINS = re.compile(r"\s*(?:-?\band\b|\bplus\b|\bwith\b|[,;+]|/)\s*", re.IGNORECASE)
NEGATIONS = frozenset({"no", "not", "non", "without", "never", "neither", "nor", "none"})
# A value that combines items: "X plus Y", "X + Y", "X combined with Y" (English).
_COMBINED = re.compile(r"\bplus\b|\s\+\s|\bcombined with\b|\bin combination with\b", re.I)
_JOIN_WORDS = frozenset({"and", "plus", "with", "after", "before", "versus", "vs", "or"})
# Words that negate a question ("didn't", "failed to"), folded.
NEGATING = NEGATIONS | {
    "didnt",
    "doesnt",
    "dont",
    "isnt",
    "wasnt",
    "werent",
    "cannot",
    "cant",
    "failed",
    "fail",
    "fails",
}
TEXT_KINDS = ("text", "author")
EARLY_YEAR = 1800  # a question's bare four-digit number from here on may be a year
_WORDY_KEY = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more
CITED_AT_MOST = 2  # a bracket of more numbers is a list, crediting no one study
ET_AL = frozenset({"et", "al"})  # the stems of "et al" after a first author's name


@dataclass(frozen=True)
class Entity:
    """A value of a table column (or one part of a value), and the rows holding it.

    Attributes:
        text: The value or part as printed ("Drug X", "ABC").
        table: Table id.
        column: Column name.
        kind: The column's kind (``"text"``, ``"author"``).
        stems: Content stems a mention must contain (all of them).
        names: Stems of the value's words that are not English words (drug and gene
            names, surnames): one of them alone is a mention.
        negated: The value says "no"/"not" ("No benefit"): a mention must be negated too.
        rows: Ids of the rows whose cell holds it.
        sequence: Its content stems in order (a question repeating two of them in a row
            mentions it: "after X failed" mentions "Y after X failed").
        alone: Ids of the rows whose whole cell is it ("X", not "X plus Y"); ``None``
            when they are all of ``rows``.
        generic: Its words all describe the table as a whole (words of its title or of
            the other columns' names: "Frequent crashes" in a table of studies of frequent
            crashes; see ``_mark_generic``): it narrows the rows only when the question
            names nothing more specific.
        combination: It stands for every value of its column that combines two or more
            items ("X plus Y", "X + Y"): a question asking for a combination mentions
            it, and it narrows together with (not instead of) a value the question names
            in the same column.
        own: It is one row's whole cell in a column where every row's cell is its own (a
            column of names beside a key of codes: "Kestrel Bridge" of row "B2"): it
            names that row as its key would.
    """

    text: str
    table: str
    column: str
    kind: str
    stems: frozenset[str]
    names: frozenset[str]
    negated: bool
    rows: frozenset[str]
    sequence: tuple[str, ...] = ()
    alone: frozenset[str] | None = None
    generic: bool = False
    combination: bool = False
    own: bool = False


@dataclass(frozen=True)
class Mention:
    """An entity a question mentions, and how: ``"whole"`` (all its words), ``"phrase"``
    (two or more of its words in a row) or ``"name"`` (its name word alone)."""

    entity: Entity
    how: str
    matched: frozenset[str] = frozenset()


TABLE_NOUNS = frozenset(["table", "tables"])  # English
# words before "table" that name one ("in the table", "this table"), English
NAMING_THE_TABLE = frozenset(["the", "this", "that", "these", "those", "in", "of", "from"])
# how often an English word occurs in the English list's counts to be a common one (about
# the 20,000 most frequent words)
COMMON_ENGLISH = 1_000_000
# the longest short form looked up among the openings and endings of corpus words and the
# initials of their runs (a short form has three to five letters)
AFFIX_MAX = 5
_PUNCTUATION = re.compile(r"[^\w\s-]+")  # ends a run of words spelling a short form
_WORD_GAP = re.compile(r"[\s-]+")
_NUMBERED_VALUE = re.compile(r"([A-Za-z]+)[\s-]+(\d+)")  # "Stage 3", "grade-4"
_ROMAN_NUMBERS = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
_ROMAN_NUMBERS.update({"vii": "7", "viii": "8", "ix": "9", "x": "10"})
_A_NUMBER = r"(?:\d+|[ivx]+)"
# a word and the numbers after it: "phase 2", "phase-II", "phases 2 and 3", "phase 1/2"
_WORD_THEN_NUMBERS = re.compile(
    rf"\b([a-z]+)[\s-]+({_A_NUMBER}(?:\s*(?:,|/|and|or|to|-|–)\s*{_A_NUMBER})*)\b"
)
_NUMBER_THEN_WORD = re.compile(r"\b(\d+)[\s-]+([a-z]+)\b")  # "24 weeks", "3-week"


def _value_numbers(tables: Sequence[Any]) -> dict[str, frozenset[str]]:
    """The tables' numbered columns, whose every value is a word and a number ("Stage 3",
    "Grade-4"): the word's stem -> the numbers they give ("stage" -> {"3", "4"})."""
    found: dict[str, set[str]] = {}
    for t in tables:
        for c in t.columns:
            if c.kind not in TEXT_KINDS:
                continue
            cells = [_NUMBERED_VALUE.fullmatch(dict(r.cells).get(c.name, "")) for r in t.rows]
            numbered = [m for m in cells if m is not None]
            if cells and len(numbered) == len(cells):
                for m in numbered:
                    found.setdefault(stem(m.group(1).lower()), set()).add(
                        m.group(2).lstrip("0") or "0"
                    )
    # the tables' own numbers: "table 3" of a corpus of tables 1 and 2 names none of them
    labels = [n for t in tables if (n := _NUMBERED_VALUE.fullmatch(table_label(t.id)))]
    if tables and len(labels) == len(tables):
        for n in labels:
            found.setdefault(stem(n.group(1).lower()), set()).add(n.group(2).lstrip("0") or "0")
    return {word: frozenset(numbers) for word, numbers in found.items()}


def number_mentions(text: str) -> set[tuple[str, str]]:
    """The (stem, number) pairs a text writes, in any of its forms: "phase 2", "Phase II",
    "phases 2 and 3", "phase 1/2" (each number with "phase"), "24 weeks" ("week", "24")."""
    low = text.lower()
    found: set[tuple[str, str]] = set()
    for m in _WORD_THEN_NUMBERS.finditer(low):
        word = stem(m.group(1))
        for n in re.findall(_A_NUMBER, m.group(2)):
            number = _ROMAN_NUMBERS.get(n, n)
            if number.isdigit():
                found.add((word, number.lstrip("0") or "0"))
    for m in _NUMBER_THEN_WORD.finditer(low):
        found.add((stem(m.group(2)), m.group(1).lstrip("0") or "0"))
    return found


# a name numbered after a hyphen: "abc-3", "abc-12b"
_HYPHEN_NUMBERED = re.compile(r"([a-z][a-z0-9]*)-\d+[a-z]*")
# a word whose prose uses mid-sentence are mostly capitalized ("the X1 gene and X
# signaling" for an English word x) is a name there: at least this share of its uses, and
# at least PROPER_USES of them
PROPER_SHARE = 2 / 3
PROPER_USES = 2
_WORD_IN_PROSE = re.compile(r"[A-Za-z]+")
_TITLE_CASE = re.compile(r"[A-Z][a-z]+")
_LABEL = re.compile(r"\b([A-Z][a-z]+)[\s-]+\d")  # "Step 2", "Step-3"


class Lexicon:
    """Vocabulary, spelling, glossary and table entities of one corpus.

    Build it with :meth:`from_corpus`; it is immutable afterwards (but for its plain-word
    :attr:`bridge`, read or built once, on first use) and safe to share between threads
    (its caches are thread-safe).
    """

    def __init__(
        self,
        *,
        vocabulary: Counter[str],
        document_frequency: Counter[str],
        documents: int,
        glossary: dict[str, str],
        entities: Sequence[Entity],
        tables: Sequence[Any] = (),
        english: Iterable[str] | None = None,
        numbered: Iterable[str] = (),
        number_mentions: Iterable[tuple[str, str]] = (),
        bridge: Bridge | None = None,
        citing_docs: Iterable[str] = (),
        texts: Sequence[str] = (),
    ) -> None:
        self.vocabulary = vocabulary
        self.document_frequency = document_frequency
        self.documents = max(documents, 1)
        self.glossary = glossary
        self.expander = Expander(glossary)
        self.entities = tuple(entities)
        self.tables = tuple(tables)
        self.speller = Speller(vocabulary, english)
        # stem -> (position in self.entities, entity) of the entities it names
        self._by_stem: dict[str, list[tuple[int, Entity]]] = {}
        for i, e in enumerate(self.entities):
            for s in e.stems | e.names:
                self._by_stem.setdefault(s, []).append((i, e))
        self.stems = frozenset(document_frequency)
        self.year_tables = tuple(
            t.id for t in self.tables if any(c.kind == "year" for c in t.columns)
        )
        # a table dates rows before 1800: "before 1400" names years then
        self.early_years = any(
            r.year is not None and r.year < EARLY_YEAR for t in self.tables for r in t.rows
        )
        self.table_words = _table_words(self.tables)
        self._title_heads = {t.id: head for t in self.tables if (head := title_head(t.title))}
        # (table, column) -> the stems of the column's name ("pathway")
        self._column_stems = {
            (t.id, c.name): frozenset(content_stems(c.name.replace("_", " ")))
            for t in self.tables
            for c in t.columns
        }
        # the stems of the tables' key columns' names: what one row is ("river", "canal")
        self.row_nouns = frozenset(
            s
            for t in self.tables
            if t.columns
            for s in self._column_stems[(t.id, t.columns[0].name)]
        )
        # table -> the stems of its title and column names: words that name the table
        self._structure = {t.id: topic_stems(t) for t in self.tables}
        self.topic = frozenset().union(*self._structure.values())  # of every table
        # a table named by its label ("table 2") or its id, as whole words
        self._table_patterns = tuple(
            (
                str(t.id),
                re.compile(
                    rf"\b{re.escape(' '.join(tok.norm for tok in tokens(t.label)))}\b"
                    rf"|\b{re.escape(t.id.lower())}\b"
                ),
            )
            for t in self.tables
        )
        self.numbered = frozenset(numbered)
        # every (stem, number) the corpus writes in any form ("step II", "steps 2 and 3",
        # "24 weeks": see number_mentions)
        self.number_mentions = frozenset(number_mentions)
        self.value_numbers = _value_numbers(self.tables)
        # names the corpus numbers after a hyphen ("abc" of "ABC-3", "ABC-12b"): another
        # number makes another name; not an English word of four letters or more numbered so
        # ("receptor-3"), which is the word and a number
        self.numbered_names = frozenset(
            m.group(1)
            for w in vocabulary
            if (m := _HYPHEN_NUMBERED.fullmatch(w))
            and not (len(m.group(1)) >= 4 and self.is_english_word(m.group(1)))
        )
        self._texts = tuple(texts)  # the passages' texts (shared, not copied): initialisms
        # reference number -> the stems of its first author's name ("Smith et al":
        # "smith"), from the tables' rows; read in the documents that cite those rows
        self._cited_authors = authors_by_ref(self.tables)
        self.citing_docs = frozenset(citing_docs)
        self.idf = functools.lru_cache(maxsize=65536)(self._idf)  # type: ignore[method-assign]
        self._naming = functools.lru_cache(maxsize=64)(self._naming_of)
        self.rows_comparing = functools.lru_cache(maxsize=4096)(self._rows_comparing)  # type: ignore[method-assign]
        self._comparative: list[tuple[str, str]] | None = None
        self._bridge = bridge
        self._bridge_lock = threading.Lock()

    @property
    def bridge(self) -> Bridge:
        """Plain words to this corpus's own, through WordNet's definitions
        (:mod:`hccqa.understand.bridge`); read from the per-user cache or built on first
        use."""
        if self._bridge is None:
            with self._bridge_lock:
                if self._bridge is None:
                    words = specific_words(self.vocabulary, self.document_frequency, self.documents)
                    names = sorted({c.name for t in self.tables for c in t.columns})
                    self._bridge = load_bridge(words, names)
        return self._bridge

    @classmethod
    def from_corpus(cls, corpus: Any, english: Iterable[str] | None = None) -> Lexicon:
        """Read the lexicon off a loaded corpus (passages, tables, glossary).

        Args:
            corpus: A :class:`~hccqa.corpus.Corpus` (or anything with ``passages``,
                ``tables`` and ``glossary``).
            english: Known English words (default: the list the speller ships).
        """
        vocabulary: Counter[str] = Counter()
        df: Counter[str] = Counter()
        numbered: set[str] = set()  # words the corpus writes before a number ("step 2")
        # a footnote of abbreviations restates the glossary (below): its words do not make
        # the corpus's word frequencies
        passages = [
            p for p in getattr(corpus, "passages", ()) if getattr(p, "kind", "text") != "glossary"
        ]
        proper = _ProperNames()
        mentions: set[tuple[str, str]] = set()  # (stem, number): "phase II", "24 weeks"
        for p in passages:
            if getattr(p, "kind", "text") == "text":
                proper.read(p.text)
            mentions.update(number_mentions(p.text))
            toks = tokens(p.text)
            numbered.update(
                a.norm
                for a, b in zip(toks, toks[1:], strict=False)
                if b.norm.isdigit()
                and a.norm.isalpha()
                and b.start - a.end == 1
                and a.norm not in STOPWORDS
            )
            vocabulary.update(t.norm for t in toks)
            vocabulary.update(piece for t in toks for piece in re.split(r"[-/]", t.norm) if piece)
            vocabulary.update(
                re.sub(r"[-/]", "", t.norm) for t in toks if re.search(r"[-/]", t.norm)
            )
            df.update({s for t in toks for s in parts(t)})
        glossary = dict(getattr(corpus, "glossary", {}) or {})
        for abbr, long in glossary.items():
            vocabulary.update(t.norm for t in tokens(f"{abbr} {long}"))
        tables = tuple(getattr(corpus, "tables", ()) or ())
        for t in tables:
            vocabulary.update(tok.norm for tok in tokens(f"{t.title} {t.id}"))
            vocabulary.update(tok.norm for c in t.columns for tok in tokens(c.name))
        lexicon_english = english
        speller_words = None if lexicon_english is None else frozenset(lexicon_english)
        entities = _entities(tables, glossary, speller_words, proper.names())
        return cls(
            citing_docs=_citing_docs(passages, tables),
            vocabulary=vocabulary,
            document_frequency=df,
            documents=len(passages),
            glossary=glossary,
            entities=entities,
            tables=tables,
            english=speller_words,
            numbered=numbered,
            number_mentions=mentions,
            texts=[p.text for p in passages],
        )

    def cited_names(self, text: str, doc: str | None = None) -> frozenset[str]:
        """Stems of the first authors of the table rows a text cites by number ("...[7]"
        where a row of reference 7 names "Smith et al": "smith"); a sentence citing a
        study is about it. Only a bracket of one or two numbers (a list backs a general
        statement) and, given ``doc``, only in a document whose citations are the tables'
        (:attr:`citing_docs`: another document's "[7]" is its own reference 7)."""
        if not self._cited_authors or "[" not in text:
            return frozenset()
        if doc is not None and doc not in self.citing_docs:
            return frozenset()
        found = [
            self._cited_authors.get(n)
            for c in find_citations(text)
            if len(c.numbers) <= CITED_AT_MOST
            for n in c.numbers
        ]
        return frozenset().union(*(f for f in found if f))

    def naming_words(self, tables: Iterable[str]) -> frozenset[str]:
        """Stems of the words that name these tables and what all their rows are about: their
        titles and column names, each abbreviation the glossary spells out in those words
        ("CKF" for a title that says "coastal kite flights"), and the dictionary's
        synonyms of the column names ("canvas" for a column "sail";
        :attr:`Bridge.synonyms`)."""
        return self._naming(frozenset(tables))

    def _naming_of(self, tables: frozenset[str]) -> frozenset[str]:
        words = frozenset().union(*(self._structure.get(t, frozenset()) for t in tables))
        short = (
            content_stems(abbr)
            for abbr, long in self.glossary.items()
            if (spelled := content_stems(long)) and spelled <= words
        )
        synonyms = self.bridge.synonyms
        same = (
            synonyms.get(c.name, frozenset())
            for t in self.tables
            if t.id in tables
            for c in t.columns
        )
        return words.union(*short, *same)

    def _rows_comparing(self, value: str) -> tuple[str, ...]:
        """Ids of the rows with a cell that compares something with ``value`` ("inferior
        than X", "Y vs X"; :mod:`hccqa.understand.compare`), in table order. Only the
        cells that compare anything are searched (found once)."""
        cells = self._comparative
        if cells is None:
            cells = [
                (r.id, text)
                for t in self.tables
                for r in t.rows
                for _, v in r.cells
                if CELL_MARKER.search(text := cell_text(v))
            ]
            self._comparative = cells
        pattern = comparing_pattern(value)
        return tuple(dict.fromkeys(row for row, text in cells if pattern.search(text)))

    def _idf(self, stem: str) -> float:
        """Smoothed inverse document frequency of a stem over the passages (high = rare).

        A stem the corpus never uses gets the highest value.
        """
        n = self.document_frequency.get(stem, 0)
        return math.log((self.documents + 1) / (n + 0.5))

    def knows(self, token: Token) -> bool:
        """The corpus uses this word, a form of it ("MSC" for "MSCs"), each part of a
        compound, or the place it is an adjective of ("european" of a table's "Europe")."""
        if self.knows_word(token.norm) or self._from_place(token) is not token:
            return True
        pieces = [p for p in re.split(r"[-/]", token.norm) if p]
        return len(pieces) > 1 and all(self.knows_word(p) for p in pieces)

    def knows_word(self, word: str) -> bool:
        """The corpus uses this folded word or another form of it (same stem), in its
        passages or its tables' titles and headers ("windmill" of "Old windmills")."""
        if word in self.vocabulary:
            return True
        stemmed = stem(word)
        return stemmed in self.document_frequency or stemmed in self._vocabulary_stems

    @functools.cached_property
    def _vocabulary_stems(self) -> frozenset[str]:
        return frozenset(stem(w) for w in self.vocabulary)

    def is_common_english(self, word: str) -> bool:
        """A common English word: one of the English list counted at least
        :data:`COMMON_ENGLISH` times (a word typed in capitals is then stressed, not a
        short form)."""
        return english_counts().get(word, 0) >= COMMON_ENGLISH

    def initialism(self, word: str) -> bool:
        """The corpus writes consecutive topical words whose first letters spell ``word``
        ("ABV": "acute bee virus"; "available for patients" spells no "AFP": a function word
        breaks the run, and so does punctuation). Words of 3 to :data:`AFFIX_MAX` letters;
        on a large corpus many letter runs are spelled out by chance."""
        return word.lower() in self._initialisms

    @functools.cached_property
    def _initialisms(self) -> frozenset[str]:
        """Every run of 3 to :data:`AFFIX_MAX` initials of consecutive topical words in the
        passages' texts (read on the first question that needs them)."""
        found: set[str] = set()
        for text in self._texts:
            for run in _PUNCTUATION.split(text):
                initials = "".join(
                    "\0" if w.lower() in STOPWORDS else w[0].lower()
                    for w in _WORD_GAP.split(run)
                    if w
                )
                for piece in initials.split("\0"):
                    for n in range(3, AFFIX_MAX + 1):
                        found.update(piece[i : i + n] for i in range(len(piece) - n + 1))
        return frozenset(found)

    def holds_short_form(self, word: str) -> bool:
        """A corpus word, or a part of a hyphenated one, opens or ends with this word
        ("abc" of "pabc" or "abc-3"); words longer than :data:`AFFIX_MAX` letters match only
        a corpus word itself."""
        return word in self.vocabulary or word in self._word_ends

    @functools.cached_property
    def number_columns(self) -> frozenset[tuple[str, str]]:
        """``(table id, column name)`` of every column of numbers (not years, not keys)."""
        return frozenset(
            (t.id, c.name) for t in self.tables for c in t.columns if c.kind == "number"
        )

    @functools.cached_property
    def _word_ends(self) -> frozenset[str]:
        """The openings and endings of 3 to :data:`AFFIX_MAX` letters of the corpus's words
        and of their hyphenated parts (read on the first question that needs them)."""
        parts = {p for w in self.vocabulary for p in re.split(r"[-/]", w) if len(p) >= 3}
        return frozenset(
            end
            for p in parts
            for n in range(3, min(len(p), AFFIX_MAX) + 1)
            for end in (p[:n], p[-n:])
        )

    def is_english(self, token: Token) -> bool:
        """A general English word (numbers count as known)."""
        return token.norm.isdigit() or self.is_english_word(token.norm)

    def is_english_word(self, word: str) -> bool:
        """A general English word, or a plain inflection of one ("onwards", "trialled"),
        a comparative or a superlative too ("taller", "tallest", "largest", "biggest",
        "heaviest")."""
        english = self.speller.english
        if word in english:
            return True
        for suffix in ("s", "es", "ed", "d", "ing", "ly", "er", "r", "est", "st"):
            if word.endswith(suffix) and word[: -len(suffix)] in english:
                return True
        for suffix in ("ier", "iest"):  # "heavier", "heaviest": "heavy"
            if word.endswith(suffix) and word[: -len(suffix)] + "y" in english:
                return True
        # "bigger", "biggest": "big" (a doubled last consonant)
        base = re.sub(r"(?:er|est)$", "", word)
        return base != word and len(base) > 2 and base[-1] == base[-2] and base[:-1] in english

    def mentions(self, toks: Sequence[Token]) -> list[Mention]:
        """The entities the words mention, in lexicon order.

        Within one column, a mention whose matched words are all part of another's
        ("X" inside "X plus Y") gives way to the longer one.
        """
        toks = [self._from_place(t) for t in toks]
        have = {s for t in toks if t.norm not in STOPWORDS for s in parts(t)}
        # two words typed apart name a hyphenated value ("well tolerated": "well-tolerated")
        norms = [t.norm for t in toks]
        adjacent = zip(norms, norms[1:], strict=False)
        have.update(stem(f"{a}-{b}") for a, b in adjacent if a.isalpha() and b.isalpha())
        stems_in_order = tuple(
            t.stem for t in toks if t.norm not in STOPWORDS and t.norm not in _JOIN_WORDS
        )
        runs = set(_pairs(stems_in_order))
        whole = {t.stem for t in toks}
        all_stems = tuple(t.stem for t in toks)
        negated = any(t.norm in NEGATING for t in toks)
        candidates = dict(pair for s in have for pair in self._by_stem.get(s, ()))
        found: list[Mention] = []
        for _, e in sorted(candidates.items()):  # in lexicon order
            if e.negated and not negated:
                continue
            # a value made only of words that name its table (its title's and columns'
            # words) is named only by its own phrase, every word in order: "the X studies"
            # in a table titled "X studies" does not name the value "Y X", nor "rivers"
            # the value "more than any other river" of a table of rivers
            structure = self._structure.get(e.table, frozenset())
            if e.stems <= structure and not _in_order(_all_stems(e.text), all_stems):
                continue
            if (
                e.stems
                and e.stems <= have
                and _together(e.stems, stems_in_order, whole)
                # "the tallest X" asks an order, not the value "Tallest X"
                and not (e.stems & ORDERING_STEMS and e.stems <= structure | ORDERING_STEMS)
            ):
                found.append(Mention(e, "whole", e.stems))
            elif (
                (pairs := runs & _pair_set(e.sequence))
                and 2 * len(held := frozenset(s for p in pairs for s in p)) >= len(set(e.sequence))
                and not held <= structure | ORDERING_STEMS  # (nor "one of the oldest X")
            ):
                # a phrase names the value when it holds half of its words or more, not
                # only words that name the table ("the river's discharge" does not name
                # "largest discharge of any river")
                found.append(Mention(e, "phrase", held))
            elif named := (e.names - structure) & have:
                # a name word that names the table too ("bridge" of "Kestrel Bridge" in a
                # table of bridges) names every row, not this one
                found.append(Mention(e, "name", named))
        found = _inside_longer(_cross_column(found))
        columns = [m.entity.column for m in found]
        if len(set(columns)) == len(columns):  # one mention per column: none gives way
            return found
        # which of the question's words each mention covers: a mention gives way to one
        # of its column covering more of the question's words, not more stems of one word.
        # A word that names the column ("the X *pathway*") covers nothing: it does not
        # tell one of the column's values from another.
        token_parts = [parts(t) for t in toks]
        covers = {}
        for m in found:
            named = self._column_stems.get((m.entity.table, m.entity.column), frozenset())
            covers[id(m)] = frozenset(
                i
                for i, ps in enumerate(token_parts)
                if not m.matched.isdisjoint(ps) and not set(ps) <= named
            )
        return [
            m
            for m in found
            if not any(
                o.entity.column == m.entity.column and covers[id(m)] < covers[id(o)] for o in found
            )
        ]

    def glossed(self, toks: Sequence[Token], known: Iterable[Mention] = ()) -> list[Mention]:
        """The one-word values a word the corpus never uses is a kind of, as WordNet files
        it as a noun ("women": adult, female, the value "female" of a column of genders),
        when the word is what the question asks about, not a place or a time after a
        preposition ("near the sea" names no mill powered by water; "captained by women"
        names female captains); not a value of a column another mention already names."""
        taken = {(m.entity.table, m.entity.column) for m in known}
        out: list[Mention] = []
        for i, t in enumerate(toks):
            if not t.content or self.knows(t) or not self.is_english_word(t.norm):
                continue
            before = [b.norm for b in toks[max(i - 2, 0) : i]]
            if any(b in _PREPOSITIONS for b in before[-1:]) or (
                len(before) == 2 and before[0] in _PREPOSITIONS and before[1] in _ARTICLES
            ):
                continue
            for s in sorted(noun_kinds(t.norm) - {t.stem}):
                for _, e in self._by_stem.get(s, ()):
                    one = e.stems == {s} and not e.negated and not e.combination
                    structure = self._structure.get(e.table, frozenset())
                    if one and s not in structure and (e.table, e.column) not in taken:
                        # (matched: the word typed too, which it names)
                        out.append(Mention(e, "name", frozenset({s, t.stem})))
        return out

    def _from_place(self, token: Token) -> Token:
        """The token, or for an adjective of a place a table names ("european", "asian",
        "indonesian": "Europe", "Asia", "Indonesia" in a column) the place's word; not a
        word the corpus uses as it is typed."""
        word = token.norm
        if not word.endswith("n") or word in self.vocabulary:
            return token
        # "Asia" -> "Asian", "Indonesia" -> "Indonesian", "Europe" -> "European": a
        # place ending in -a takes -n, one in -e takes -an ("german" is no "germ",
        # "given" no "give", "median" no "media"... unless a place ends so)
        for base, ending in ((word[:-1], "a"), (word[:-2], "e")):
            if len(base) >= 4 and base.endswith(ending) and stem(base) in self._by_stem:
                return Token(token.text, base, stem(base), token.start, token.end)
        return token

    def column_words(self, table: str) -> frozenset[str]:
        """Stems of the names of a table's columns ("span" of ``span_m``)."""
        return frozenset().union(
            *(words for (t, _), words in self._column_stems.items() if t == table)
        )

    def table_of(self, toks: Sequence[Token]) -> str | None:
        """The one table the words point at ("table 2", a column name, a word of only one
        table's title, "the table" of a corpus of one), or None when they point at none or
        several."""
        text = " ".join(t.norm for t in toks)
        for tid, pattern in self._table_patterns:
            if pattern.search(text):
                return tid
        # "the table", "in this table" (not "does it have tables on X?")
        named = any(
            t.norm == "table" and i and toks[i - 1].norm in NAMING_THE_TABLE
            for i, t in enumerate(toks)
        )
        if len(self.tables) == 1 and named:
            return str(self.tables[0].id)
        have = {s for tok in toks if tok.content for s in parts(tok)}
        pointed = {tid for tid, words in self.table_words.items() if words & have}
        if not pointed:  # a word all tables share: the one whose title is of it ("the
            # oldest lighthouse" of "Famous lighthouses of the world", not of "Lighthouse
            # keepers")
            pointed = {tid for tid, head in self._title_heads.items() if head in have}
        return pointed.pop() if len(pointed) == 1 else None


def author_stems(name: str) -> frozenset[str]:
    """Stems of an author's name as a table or a question gives it ("Smith et al":
    "smith")."""
    return content_stems(name) - ET_AL


def authors_by_ref(tables: Sequence[Any]) -> dict[int, frozenset[str]]:
    """Reference number -> the stems of the first authors the tables' rows give it."""
    authors: dict[int, frozenset[str]] = {}
    for t in tables:
        for r in t.rows:
            if getattr(r, "ref", None) is not None and getattr(r, "author", None):
                authors[r.ref] = authors.get(r.ref, frozenset()) | author_stems(r.author)
    return authors


def _citing_docs(passages: Sequence[Any], tables: Sequence[Any]) -> frozenset[str]:
    """The documents whose bracket citations are the tables' references: those that name
    a table row's first author with the row's number somewhere ("Smith et al[7]" where
    row 7 is Smith et al's). Another document's "[7]" may be its own reference 7."""
    authors = authors_by_ref(tables)
    if not authors:
        return frozenset()
    docs: set[str] = set()
    for p in passages:
        if getattr(p, "kind", "text") != "text" or p.doc_id in docs or "et al" not in p.text:
            continue
        for n, (name, _) in find_authors(p.text).items():
            if not authors.get(n, frozenset()).isdisjoint(author_stems(name)):
                docs.add(p.doc_id)
                break
    return frozenset(docs)


def _in_decimal(text: str, token: Token) -> bool:
    """The token is a run of digits of a decimal number ("0" or "5" of "0.5"): no value is
    named by it ("with 0 deaths" names no cell "about 0.5 degrees")."""
    if not token.norm.isdigit():
        return False
    before = text[max(token.start - 2, 0) : token.start]
    after = text[token.end : token.end + 2]
    return bool(re.fullmatch(r"\d\.", before) or re.fullmatch(r"\.\d", after))


def _together(stems: frozenset[str], seq: tuple[str, ...], whole: set[str]) -> bool:
    """The value's words stand together in the question's topical words ``seq``: each at
    most TOGETHER_WINDOW words from another of them, all linked ("X ... Y" five topical
    words apart do not name the value "Y X"). A value whose words are parts of longer
    words is not tested."""
    if len(stems) < 2 or not stems <= whole:
        return True
    at = [i for i, s in enumerate(seq) if s in stems]
    linked = {seq[at[0]]} if at else set()
    grew = True
    while grew:
        grew = False
        for n, i in enumerate(at):
            for j in at[n + 1 :]:
                if j - i > TOGETHER_WINDOW:
                    break
                a, b = seq[i], seq[j]
                if a != b and (a in linked) != (b in linked):
                    linked |= {a, b}
                    grew = True
    return linked == stems


def _all_stems(text: str) -> tuple[str, ...]:
    """The stems of every word of a value, function words too, in order."""
    return tuple(t.stem for t in tokens(text))


def _in_order(sequence: tuple[str, ...], stems: tuple[str, ...]) -> bool:
    """The sequence stands in ``stems`` as a run, in order (or is empty)."""
    n = len(sequence)
    return n == 0 or any(stems[i : i + n] == sequence for i in range(len(stems) - n + 1))


def _cross_column(found: list[Mention]) -> list[Mention]:
    """A name inside a longer value ("X after Y failed") counts in the column where the
    question names it whole, if it does: "Y" is then about Y's own column."""
    whole_columns: dict[str, set[str]] = {}
    for m in found:
        if m.how == "whole":
            for s in m.entity.stems | m.entity.names:
                whole_columns.setdefault(s, set()).add(m.entity.column)
    out = []
    for m in found:
        if m.how == "name":
            columns = set().union(*(whole_columns.get(s, set()) for s in m.matched))
            if columns and m.entity.column not in columns:
                continue
        out.append(m)
    return out


def _inside_longer(found: list[Mention]) -> list[Mention]:
    """A value named whole inside a longer one of another column named whole gives way to
    it: "the height of Granite Hall" names the tower "Granite Hall", not the stone
    "Granite" too (both together would select no row)."""
    whole = [m for m in found if m.how == "whole"]
    return [
        m
        for m in found
        if not any(o.entity.column != m.entity.column and m.matched < o.matched for o in whole)
    ]


PAIR_WINDOW = 3  # two words this close (function words skipped) make a phrase
TOGETHER_WINDOW = 4  # the words of a value named whole stand this close, all linked


@functools.lru_cache(maxsize=4096)
def _pair_set(sequence: tuple[str, ...]) -> frozenset[frozenset[str]]:
    return _pairs(sequence)


def _pairs(seq: tuple[str, ...]) -> frozenset[frozenset[str]]:
    """Pairs of words at most PAIR_WINDOW apart, in either order ("failed ... after X" and
    "X failed" both pair X with "failed")."""
    return frozenset(
        frozenset((a, b))
        for i, a in enumerate(seq)
        for b in seq[i + 1 : i + 1 + PAIR_WINDOW]
        if a != b
    )


def _table_words(tables: Sequence[Any]) -> dict[str, frozenset[str]]:
    """Per table, the stems of its column names and title that no other table has."""
    words = {t.id: topic_stems(t) for t in tables}
    out: dict[str, frozenset[str]] = {}
    for tid, ws in words.items():
        others = (
            set().union(*(w for o, w in words.items() if o != tid)) if len(words) > 1 else set()
        )
        out[tid] = frozenset(ws - others)
    return out


# Where a title's head noun ends: "Famous lighthouses | of the world", "Clinical studies |
# on X" (English prepositions)
_AFTER_HEAD = re.compile(r"\s(?:of|on|in|for|from|with|by|at|about|during|since)\s", re.I)


def title_head(title: str) -> str | None:
    """The stem of the noun a title names its rows by: its last word before its first
    preposition ("Famous lighthouses of the world": "lighthous"; "Notable lighthouse
    keepers": "keeper")."""
    words = tokens(_AFTER_HEAD.split(title, maxsplit=1)[0])
    return words[-1].stem if words and words[-1].content else None


def topic_stems(table: Any) -> frozenset[str]:
    """Stems of a table's title and column names: the words that name the table and what
    every row of it is about."""
    names = (c.name.replace("_", " ") for c in table.columns)
    return frozenset(content_stems(" ".join([table.title, *names])))


class _ProperNames:
    """Counts, over prose, how often each word is used after a sentence's first word and
    how often so capitalized ("Xyz", not "XYZ"): :meth:`names` are the words mostly
    capitalized there. Each sentence is read once (passages overlap)."""

    def __init__(self) -> None:
        self._uses: Counter[str] = Counter()
        self._capitalized: Counter[str] = Counter()
        self._seen: set[str] = set()

    def read(self, text: str) -> None:
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if sentence in self._seen:
                continue
            self._seen.add(sentence)
            # the first word says nothing, nor a label before a number ("see Step 2")
            words = [m.group(0) for m in _WORD_IN_PROSE.finditer(sentence)][1:]
            labels = {m.group(1) for m in _LABEL.finditer(sentence)}
            words = [w for w in words if w not in labels]
            self._uses.update(w.lower() for w in words)
            self._capitalized.update(w.lower() for w in words if _TITLE_CASE.fullmatch(w))

    def names(self) -> frozenset[str]:
        """The words mostly capitalized mid-sentence."""
        return frozenset(
            w
            for w, n in self._uses.items()
            if n >= PROPER_USES and self._capitalized[w] >= PROPER_SHARE * n
        )


def _entities(
    tables: Sequence[Any],
    glossary: dict[str, str],
    english: frozenset[str] | None,
    proper: frozenset[str] = frozenset(),
) -> list[Entity]:
    """Every text value of every table (and each part of a joined value), and every key
    made of words, with its rows.

    A value's word names it alone when it is no English word, or when the prose writes it
    as a name (``proper``: capitalized mid-sentence, "X signaling" for the English x).
    """
    from .spelling import english_words

    known = (english if english is not None else english_words()) - proper
    expander = Expander(glossary) if glossary else None
    found: dict[tuple[str, str, str], set[str]] = {}
    whole: dict[tuple[str, str, str], set[str]] = {}  # the rows where the part is the cell
    for t in tables:
        kinds = {c.name: c.kind for c in t.columns}
        for r in t.rows:
            for column, value in r.cells:
                if value in MISSING:  # "-", "NA": no value to name
                    continue
                # a key of words ("Humber") names its row too; a number or code does not
                named_key = kinds.get(column) == "key" and _WORDY_KEY.search(value) is not None
                if kinds.get(column) not in TEXT_KINDS and not named_key:
                    continue
                for part in _value_parts(value):
                    found.setdefault((t.id, column, part), set()).add(r.id)
                whole.setdefault((t.id, column, value), set()).add(r.id)
    kinds = {(t.id, c.name): c.kind for t in tables for c in t.columns}
    # columns whose every value is a proper name of two to four capitalized words
    named_columns = {
        (t.id, c.name)
        for t in tables
        for c in t.columns
        if len(t.rows) > 1
        and all(_PROPER_NAME.fullmatch(dict(r.cells).get(c.name, "")) for r in t.rows)
    }
    structure = {t.id: topic_stems(t) for t in tables}

    # a table's first column of text whose every row's cell differs from the others' (of
    # proper names too, below): the rows' names, beside a key of codes
    def first_distinct(t: Any) -> str | None:
        return next(
            (
                c.name
                for c in t.columns
                if c.kind in TEXT_KINDS
                and len({dict(r.cells).get(c.name) for r in t.rows}) == len(t.rows)
            ),
            None,
        )

    name_columns = {(t.id, first_distinct(t)) for t in tables if len(t.rows) > 1} & named_columns
    common_ends: dict[tuple[str, str], dict[str, bool]] = {}
    for t in tables:
        for c in t.columns:
            if (t.id, c.name) in named_columns:
                ends = Counter(
                    tokens(dict(r.cells)[c.name])[-1].stem
                    for r in t.rows
                    if c.name in dict(r.cells)
                )
                common_ends[(t.id, c.name)] = {e: 2 * n > len(t.rows) for e, n in ends.items()}
    entities: list[Entity] = []
    for (table, column, part), rows in found.items():
        kind = kinds[(table, column)]
        toks = [
            t
            for t in tokens(part)
            if (t.content or t.norm in NEGATIONS)
            and t.norm not in _JOIN_WORDS
            and not (kind == "author" and t.norm in {"et", "al"})
            and not _in_decimal(part, t)
        ]
        if not toks:
            continue
        negated = any(t.norm in NEGATIONS for t in toks)
        words = [t for t in toks if t.norm not in NEGATIONS]
        stems = frozenset(parts(t)[0] for t in words)
        sequence = tuple(t.stem for t in words)
        # the value's first name-like word names it ("X after Y failed" is about X); in a
        # column of names of a few capitalized words each ("Ada Byron", "Tom Byron"), the
        # last word does too, English word or not ("Byron"), unless it names the table
        names = frozenset(next((ns for t in toks if (ns := _name_stems(t, known))), []))
        if words and (table, column) in named_columns and _PROPER_NAME.fullmatch(part):
            last = words[-1].stem
            # (not a word of the table's names, nor the end of most of the column's names:
            # "Loaf" of "Rye Loaf", "Wheat Loaf" tells none of them apart)
            if last not in structure.get(table, frozenset()) and not common_ends[
                (table, column)
            ].get(last):
                names |= {last}
        if expander is not None:  # an abbreviation is also mentioned by its long form
            for long in expander.expansions(part):
                # a long form is named whole: two of its words ("endothelial cells")
                # name many things besides it
                entities.append(
                    Entity(
                        long,
                        table,
                        column,
                        kind,
                        content_stems(long),
                        frozenset(),
                        False,
                        frozenset(rows),
                    )
                )
        alone = frozenset(whole.get((table, column, part), ()))
        entities.append(
            Entity(
                part,
                table,
                column,
                kind,
                stems,
                names,
                negated,
                frozenset(rows),
                sequence,
                None if alone == rows else alone,
                own=(table, column) in name_columns and len(rows) == 1 and alone == rows,
            )
        )
    combined = tokens("combination")[0].stem
    for (table, column, value), rows in whole.items():
        if _COMBINED.search(value):
            entities.append(
                Entity(
                    value,
                    table,
                    column,
                    kinds[(table, column)],
                    frozenset([combined]),
                    frozenset(),
                    False,
                    frozenset(rows),
                    (combined,),
                    combination=True,
                )
            )
    return _mark_generic(entities, tables)


def _mark_generic(entities: list[Entity], tables: Sequence[Any]) -> list[Entity]:
    """Mark the values that only restate their table's topic (:attr:`Entity.generic`):
    their words are all words of the table's title or of its other columns' names ("Y
    resistance" in the effect column of a table titled "... resistance" with a column
    "Y"). A column's own name does not count ("Response" in the column "response" is one
    answer among others), and when the title holds several values of one column (a title
    listing them: "X and Y trials") none of them is generic."""
    titles = {t.id: frozenset(content_stems(t.title)) for t in tables}
    names = {
        (t.id, c.name): frozenset(content_stems(c.name.replace("_", " ")))
        for t in tables
        for c in t.columns
    }
    topic: dict[tuple[str, str], frozenset[str]] = {}
    for table, column in names:
        others = (n for (t, c), n in names.items() if t == table and c != column)
        topic[(table, column)] = titles.get(table, frozenset()).union(*others)
    candidates: dict[tuple[str, str], set[str]] = {}
    for e in entities:
        if e.stems and not e.combination and e.stems <= topic.get((e.table, e.column), set()):
            candidates.setdefault((e.table, e.column), set()).add(e.text.lower())
    return [
        dataclasses.replace(e, generic=True)
        if e.text.lower() in candidates.get((e.table, e.column), set())
        and len(candidates[(e.table, e.column)]) == 1
        else e
        for e in entities
    ]


# A proper name of two to four words, each capitalized ("Ada Byron", "Mont Saint Michel",
# "Ian McDonald", "Sean O'Brien"), a particle between them allowed ("Louis de Foix")
_NAME_WORD = r"[A-Z](?:[a-z]*['’]?[A-Z])?[a-z]+"
_PROPER_NAME = re.compile(
    rf"{_NAME_WORD}(?:[ -](?:(?:de|del|della|di|da|du|van|von|der|den|le|la|bin|ibn)\s)?"
    rf"{_NAME_WORD}){{1,3}}"
)


def _name_stems(token: Token, known: frozenset[str]) -> list[str]:
    """Stems by which a word alone names its entity: the word when it is no English word
    (a drug, a gene, a surname), and those of its parts that are none either."""
    if token.norm in known or token.norm in NEGATIONS or token.norm in {"et", "al"}:
        return []
    if token.norm.isdigit():  # "1900" of "lost in 1900" names no value alone
        return []
    whole = parts(token)
    pieces = [p for p in re.split(r"[-/]", token.norm) if p]
    if len(pieces) < 2:
        return list(whole)
    keep = [whole[0], whole[-1]]  # the compound, and written solid
    keep += [
        parts(t)[0]
        for t in tokens(" ".join(pieces))
        if t.norm not in known and not t.norm.isdigit() and len(t.norm) > 2
    ]
    return list(dict.fromkeys(keep))


def _value_parts(value: str) -> list[str]:
    """The value, and the parts a joined value names: "X and Y/Z" -> whole, X, Y/Z, Y, Z."""
    pieces = [p.strip() for p in _JOINS.split(value) if p and p.strip()]
    out = [value]
    if len(pieces) > 1:
        out += pieces
    return list(dict.fromkeys(out))
