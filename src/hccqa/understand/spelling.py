"""Spelling: a typed word the corpus never uses, mapped to the word it was meant as.

Two corrections against the corpus's own vocabulary, and one against English:

- **a typo**: a word that is neither in the corpus nor an English word ("hepatocelular",
  "sorafinib") becomes the corpus word within a small edit distance (symspellpy's
  symmetric-delete lookup, Damerau-Levenshtein: one edit for words up to five letters,
  two for longer ones, the second edit only when the first letter is kept). Known
  English words are never changed: a word the corpus lacks may be the very thing the
  question asks about.
- **a spelling variant**: British and American spellings of the same word
  ("colour"/"color", "signalling"/"signaling") are accepted only when the corpus spells
  the word the other way; a word with no counterpart in the corpus stays as typed.
- **a typo of an everyday word** (:meth:`Speller.english_typo`): a word of six letters or
  more that neither the corpus nor English knows, with no corpus word near it (or only an
  English word the corpus uses, two edits away: "medicin" is not "median"), becomes the
  most frequent English word one edit away with the same first letter ("actualy" ->
  "actually"; rapidfuzz's optimal-string-alignment distance over the English list). Left
  alone it would read as a name the corpus never mentions. Some names are one edit from an
  English word too ("Pinato", "pinto"), so the caller asks only for words typed in lower
  case that stand before no "et al" (:func:`hccqa.understand.query.understand`).

The English word list is the frequency dictionary symspellpy ships (82,765 words).
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

MIN_LENGTH = 4  # shorter words are too ambiguous to correct
ENGLISH_TYPO_LENGTH = 6  # shorter unknown words are as often names or shorthand as typos
ENGLISH_FILE = "frequency_dictionary_en_82_765.txt"

# British <-> American spelling pairs, as (pattern, replacement) both ways. General
# English orthography; a variant is only accepted when the corpus has it.
_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"our(s?)$", r"or\1"),
        (r"or(s?)$", r"our\1"),
        (r"is(e|ed|es|ing|ation|ations)$", r"iz\1"),
        (r"iz(e|ed|es|ing|ation|ations)$", r"is\1"),
        (r"ys(e|ed|es|ing)$", r"yz\1"),
        (r"yz(e|ed|es|ing)$", r"ys\1"),
        (r"ae", "e"),
        (r"oe", "e"),
        (r"tre(s?)$", r"ter\1"),
        (r"ter(s?)$", r"tre\1"),
        (r"ll(ed|ing|er|ers)$", r"l\1"),
        (r"([^l])l(ed|ing|er|ers)$", r"\1ll\2"),
        (r"ence$", "ense"),
        (r"ogue(s?)$", r"og\1"),
    )
)
# Any of the patterns' spots, in one search: most words have none and skip the rewrites.
_ANY_VARIANT = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _VARIANTS))


@functools.lru_cache(maxsize=1)
def _english_columns() -> tuple[list[str], list[str]]:
    """The English list's words and their counts (as text), read once per process.

    The file is found without importing symspellpy (50 ms of a cold start); its lines
    are "word count", so one split of the whole text gives both columns (a line of
    another shape falls back to reading line by line).
    """
    spec = importlib.util.find_spec("symspellpy")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]) / ENGLISH_FILE if folders else None
    if path is None or not path.is_file():
        path = Path(str(importlib.resources.files("symspellpy").joinpath(ENGLISH_FILE)))
    text = path.read_text(encoding="utf-8")
    fields = text.split()
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(fields) == 2 * lines:
        return fields[0::2], fields[1::2]
    rows = [line.split() for line in text.splitlines() if line.strip()]
    return [r[0] for r in rows], [r[1] if len(r) == 2 else "" for r in rows]


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English word list (lower case), read once per process."""
    return frozenset(_english_columns()[0])


@functools.lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    """How often each word of the English list occurs (its frequency column), read on
    first use."""
    words, counts = _english_columns()
    return {w: int(c) for w, c in zip(words, counts, strict=True) if c.isdigit()}


class Speller:
    """Corrections of typed words to a corpus vocabulary (thread-safe, memoized).

    Args:
        vocabulary: Folded corpus word -> number of occurrences.
        english: Known English words (default: :func:`english_words`, loaded on first use).
    """

    def __init__(self, vocabulary: Mapping[str, int], english: Iterable[str] | None = None):
        self._vocabulary = dict(vocabulary)
        self._english = frozenset(english) if english is not None else None
        self._symspell = None
        self._groups: dict[tuple[str, int], tuple[tuple[str, ...], tuple[int, ...]]] | None = None
        self._lock = threading.Lock()
        self.correct = functools.lru_cache(maxsize=16384)(self._correct)  # type: ignore[method-assign]
        self.english_typo = functools.lru_cache(maxsize=16384)(self._english_typo)  # type: ignore[method-assign]

    @property
    def english(self) -> frozenset[str]:
        if self._english is None:
            self._english = english_words()
        return self._english

    def known(self, word: str) -> bool:
        """True when the folded word is a corpus word or an English word."""
        return word in self._vocabulary or word in self.english

    def variant(self, word: str) -> str | None:
        """The corpus's spelling of a British/American variant of ``word``, if it has one."""
        if word in self._vocabulary or not _ANY_VARIANT.search(word):
            return None
        for pattern, repl in _VARIANTS:
            other = pattern.sub(repl, word, count=1)
            if other != word and other in self._vocabulary:
                return other
        return None

    def _correct(self, word: str) -> str | None:
        """The corpus word meant by a typed (folded) word, or None to keep it as typed."""
        if word in self._vocabulary or not word.isalpha() or len(word) < MIN_LENGTH:
            return None
        variant = self.variant(word)
        if variant:
            return variant
        if word in self.english:
            return None
        return self._nearest(word)

    def _nearest(self, word: str) -> str | None:
        from symspellpy import Verbosity

        limit = 1 if len(word) <= 5 else 2
        with self._lock:
            found = self._lookup_table().lookup(word, Verbosity.CLOSEST, max_edit_distance=limit)
        found = [s for s in found if s.distance == 1 or s.term[:1] == word[:1]]
        if not found:
            return None
        best = max(found, key=lambda s: (-s.distance, s.count, s.term))
        return str(best.term)

    def far_english(self, word: str, corrected: str | None) -> bool:
        """The correction of ``word`` leaves room for an everyday English typo: there is
        none, or it is an English word two edits away ("medicin" -> "median"); a word of
        the corpus's own ("brivan" -> the drug) or one edit away is kept."""
        if corrected is None:
            return True
        return corrected in self.english and self.distance(word, corrected) > 1

    @staticmethod
    def distance(word: str, other: str) -> int:
        """Edits from one word to the other (insertions, deletions, substitutions and
        swaps of two neighbours)."""
        from rapidfuzz.distance import OSA

        return int(OSA.distance(word, other))

    def _english_typo(self, word: str) -> str | None:
        """The English word the folded ``word`` was likely typed for (memoized as
        ``english_typo``): the most frequent
        one a single edit away (insertion, deletion, substitution or swap of two
        neighbours) with the same first letter, or None. Words shorter than
        :data:`ENGLISH_TYPO_LENGTH` letters, words not of letters and known English words
        are left alone."""
        if len(word) < ENGLISH_TYPO_LENGTH or not word.isalpha() or word in self.english:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        groups = self._english_groups()
        best: tuple[int, str] | None = None
        for size in (len(word) - 1, len(word), len(word) + 1):
            words, counts = groups.get((word[0], size), ((), ()))
            for _, _, i in process.extract(
                word, words, scorer=OSA.distance, score_cutoff=1, limit=None
            ):
                if best is None or (counts[i], words[i]) > best:
                    best = (counts[i], words[i])
        return None if best is None else best[1]

    def _english_groups(self) -> dict[tuple[str, int], tuple[tuple[str, ...], tuple[int, ...]]]:
        """The English words with their counts, by (first letter, length), built on first
        use (once: a second thread waits for the first)."""
        with self._lock:
            if self._groups is None:
                counts = english_counts()
                groups: dict[tuple[str, int], list[str]] = {}
                # in no particular order: a typo takes the most frequent candidate, ties
                # by the word itself (see english_typo)
                for w in self.english:
                    if w.isalpha():
                        groups.setdefault((w[0], len(w)), []).append(w)
                self._groups = {
                    key: (tuple(ws), tuple(counts.get(w, 0) for w in ws))
                    for key, ws in groups.items()
                }
            return self._groups

    def _lookup_table(self):  # type: ignore[no-untyped-def]
        if self._symspell is None:
            from symspellpy import SymSpell

            table = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
            for term, count in self._vocabulary.items():
                if term.isalpha() and len(term) >= MIN_LENGTH - 1:
                    table.create_dictionary_entry(term, count)
            self._symspell = table
        return self._symspell
