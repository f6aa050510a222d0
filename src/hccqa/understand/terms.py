"""Words of a question: stop words, stems, content terms and entity-like tokens.

Pure helpers shared by follow-up resolution (:mod:`hccqa.chat`), row matching
(:mod:`hccqa.rows`) and answer composition (:mod:`hccqa.answer`). A fresh
stemmer is made per call (cheap) so that nothing is shared between threads.
"""

from __future__ import annotations

import functools
import re

import Stemmer

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "else",
        "ever",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "one",
        "ones",
        "tell",
        "show",
        "list",
        "give",
        "name",
        "describe",
        "explain",
        "please",
        "know",
        "find",
        "found",
        "say",
        "said",
        "mention",
        "mentioned",
        "according",
        "review",
        "paper",
        "article",
        "authors",
        "author",
        "study",
        "studies",
        "many",
        "much",
        "whether",
        "way",
        "ways",
        "kind",
        "kinds",
        "role",
    ]
)

# Words that say what kind of answer is wanted, not what it is about.
GENERIC = frozenset(
    [
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "mean",
        "means",
        "meaning",
        "role",
        "effect",
        "effects",
        "used",
        "use",
        "using",
        "known",
        "reported",
        "report",
        "reports",
        "described",
    ]
)

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u03FF]+(?:[-/][A-Za-z0-9\u0370-\u03FF]+)*")
# Drug-name suffixes (kinase inhibitors, antibodies, mTOR inhibitors, platins).
_DRUG = re.compile(r"^[a-z]{4,}(?:nib|mab|limus|platin|rubicin|fenib|tinib)$")


_ISE_VERBS = (  # stems of verbs spelled -ise in British English, -ize in the review's
    "characteri",
    "organi",
    "recogni",
    "utili",
    "randomi",
    "minimi",
    "maximi",
    "normali",
    "stabili",
    "sensiti",
    "optimi",
    "hospitali",
    "immuni",
    "neovasculari",
    "vasculari",
    "summari",
    "categori",
    "prioriti",
    "metastasi",
    "emphasi",
    "speciali",
    "mobili",
    "neutrali",
    "locali",
    "internali",
    "polari",
    "synthesi",
    "hypothesi",
    "critici",
    "standardi",
    "visuali",
    "reali",
    "individuali",
    "capitali",
    "generali",
    "legali",
)
_BRITISH = (
    (re.compile(r"(?<=[a-z]{3})our(?=s?\b)", re.IGNORECASE), "or"),  # tumour, behaviour
    (re.compile(r"\b(h|an)aem", re.IGNORECASE), r"\1em"),  # haemorrhage, anaemia
    (re.compile(r"\boesophag", re.IGNORECASE), "esophag"),
    (re.compile(r"(?<=[a-z]{3})isation(?=s?\b)", re.IGNORECASE), "ization"),  # organisation
    # -ise verbs by name: a suffix rule would also turn "promising", "concise" and
    # "otherwise" into words nobody writes.
    (re.compile(rf"\b({'|'.join(_ISE_VERBS)})s(e|ed|es|ing)\b", re.IGNORECASE), r"\1z\2"),
)


# Users' shorthand, in the review's own form.
_SHORTHAND = (
    (re.compile(r"\bphase[\s-]*(iv|iii|ii)\b", re.IGNORECASE), None),  # phase IV -> phase 4
    (re.compile(r"\bpts\b", re.IGNORECASE), "patients"),
    (re.compile(r"\bw/(?=\s)", re.IGNORECASE), "with"),
)
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
# Greek letters spelled out after a gene symbol, as printed ("TGF-beta" -> "TGF-β").
_GREEK = re.compile(r"\b([A-Z]{2,5})[- ]?(alpha|beta|gamma|kappa)\b", re.IGNORECASE)
_LETTERS = {"alpha": "α", "beta": "β", "gamma": "γ", "kappa": "κ"}


def americanize(text: str) -> str:
    """British spellings and users' shorthand the review does not use, in its form.

    "tumours" -> "tumors", "phase IV" -> "phase 4", "pts" -> "patients", "w/" -> "with",
    "TGF-beta" -> "TGF-β".
    """
    for pattern, repl in _BRITISH:
        text = pattern.sub(repl, text)
    for pattern, short in _SHORTHAND:
        text = pattern.sub(
            (lambda m: f"phase {ROMAN[m.group(1).lower()]}") if short is None else short, text
        )
    return _GREEK.sub(lambda m: f"{m.group(1)}-{_LETTERS[m.group(2).lower()]}", text)


def words(text: str) -> list[str]:
    """Word tokens of ``text`` in order, hyphenated and slashed compounds kept whole."""
    return _WORD.findall(text)


def stems(tokens: list[str]) -> list[str]:
    """Lower-cased English stems of ``tokens`` (compounds split on ``-`` and ``/``)."""
    return list(_stems(tuple(tokens)))


@functools.lru_cache(maxsize=16384)
def _stems(tokens: tuple[str, ...]) -> tuple[str, ...]:
    # Memoized: every ask stems the same passages and sentences again (idf, coverage,
    # row mentions); the cache took ~10 ms off each ask (docs/PERFORMANCE.md).
    parts = [p for t in tokens for p in re.split(r"[-/]", t.lower()) if p]
    return tuple(Stemmer.Stemmer("english").stemWords(parts))


@functools.lru_cache(maxsize=16384)
def word_stems(text: str) -> frozenset[str]:
    """Stems of the words of ``text`` (hyphenated words kept whole, then split by
    :func:`stems`). Memoized: every ask stems the same passages again."""
    return frozenset(stems(re.findall(r"[\w-]+", text)))


def content_words(text: str) -> list[str]:
    """Words of ``text`` that are not stop words, in order, unique (original case)."""
    out: list[str] = []
    seen: set[str] = set()
    for w in words(text):
        key = w.lower()
        if key in STOPWORDS or key in seen or (len(key) < 2 and not key.isdigit()):
            continue
        seen.add(key)
        out.append(w)
    return out


def content_stems(text: str) -> set[str]:
    """Stems of the content words of ``text`` (see :func:`content_words`)."""
    return set(stems(content_words(text))) - _stop_stems()


@functools.lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    return frozenset(stems(sorted(STOPWORDS)))


def is_drug_like(word: str) -> bool:
    """True for a word shaped like a drug name ("lenvatinib", "bevacizumab")."""
    return bool(_DRUG.match(word.lower()))


def is_acronym(word: str) -> bool:
    """True for a gene or abbreviation-like token ("EGFR", "PI3K", "pERK", "HER-3")."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    if len(word) < 2 or not letters:
        return False
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and (upper >= len(letters) - 1 or any(c.isdigit() for c in word))
