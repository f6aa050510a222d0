"""Words: the one tokenizer, folding, stems and the English function words.

Every piece of text the answering half compares (a question, a sentence, a table
cell) is cut into words here, so that a question and a passage always agree on what
a word is. Pure functions; the stemmer is made per thread (PyStemmer objects are not
thread-safe) and results are memoized, since every ask stems the same passages again.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import Stemmer

# A word: letters or digits, with inner hyphens or slashes kept ("anti-inflammatory",
# "JAK/STAT", "HEK-293"); Greek letters count as letters. An apostrophe ends a word:
# "Smith's" is "Smith" and "s", "don't" is "don" and "t" (both function words).
_WORD = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*")
_SPLIT = re.compile(r"[-/]")

# English function words and question words: they say how something is asked, not
# what about. General English, nothing of any corpus.
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
        "themselves",
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
        "upon",
        "very",
        "was",
        "we",
        "myself",
        "yourself",
        "yourselves",
        "himself",
        "herself",
        "ourselves",
        "were",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "s",
        "t",
        "d",
        "ll",
        "m",
        "re",
        "ve",
        "y",
        "etc",
        "vs",
        "via",
        "per",
        "whether",
        "may",
        "might",
        "must",
        "shall",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wont",
        "hasnt",
        "havent",
        "hadnt",
        "lets",
        "don",
        "doesn",
        "didn",
        "isn",
        "aren",
        "wasn",
        "weren",
        "won",
        "hasn",
        "haven",
        "hadn",
        "couldn",
        "wouldn",
        "shouldn",
        "mustn",
        "needn",
        "mightn",
    ]
)

# Words that ask for a kind of answer ("which studies", "tell me", "what role")
# rather than name what it is about. General English, nothing of any corpus.
ASKING = frozenset(
    [
        "tell",
        "show",
        "list",
        "mention",
        "name",
        "give",
        "find",
        "explain",
        "describe",
        "say",
        "says",
        "said",
        "know",
        "known",
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
        "study",
        "studies",
        "paper",
        "papers",
        "article",
        "articles",
        "report",
        "reports",
        "reported",
        "trial",
        "trials",
        "author",
        "authors",
        "group",
        "groups",
        "team",
        "researchers",
        "investigators",
        "work",
        "works",
        "role",
        "roles",
        "kind",
        "kinds",
        "type",
        "types",
        "way",
        "ways",
        "thing",
        "things",
        "please",
        "anything",
        "something",
        "example",
        "examples",
        "info",
        "information",
        "detail",
        "details",
        "review",
        "text",
        "document",
        "documents",
        "one",
        "ones",
        "get",
        "got",
        "use",
        "used",
        "using",
        "well",
        "much",
        "many",
    ]
)
# "which X are listed / shown / mentioned": the question asks for what a document lists;
# the verb is no topic of it (and, counted as a word of its own, keeps "which drugs are
# mentioned?" from reading as a follow-up)
LISTED = frozenset(["listed", "lists", "shown", "shows", "mentioned", "mentions"])
# Words that ask for an order of rows, English: "the oldest X" asks which X comes first,
# it does not name a value that says "one of the oldest X"
ORDERING = frozenset(
    [
        "oldest",
        "newest",
        "earliest",
        "latest",
        "longest",
        "largest",
        "highest",
        "biggest",
        "greatest",
        "deepest",
        "tallest",
        "widest",
        "heaviest",
        "deadliest",
        "shortest",
        "smallest",
        "lowest",
        "fewest",
        "shallowest",
        "narrowest",
        "lightest",
        "youngest",
    ]
)
ASKING = ASKING | LISTED
# Greetings and thanks ("hi", "thanks, and what about X?") are no topic either.
COURTESY = frozenset(
    ["hi", "hello", "hey", "thanks", "thank", "ok", "okay", "sorry", "kindly", "cheers"]
)
ASKING = ASKING | COURTESY


# Contractions typed without their apostrophe ("whats", "doesnt", "im"), given it back
# when the corpus does not use the word as it is typed (nor is it typed in capitals: "IM",
# "HES" are short forms): the speller would otherwise read them as typos of other words
# ("shouldnt" -> "shouldst", "theyre" -> "there") or as words the corpus lacks. Not the
# spellings that are common words of their own ("its", "lets", "ill", "well", "were",
# "wed", "shed", "hell", "shell", "id"); rare ones are taken as the contraction ("cant",
# "wont": "as is their wont" reads "won't", a function word either way).
_CONTRACTIONS = """
    what's what'll what're who's who'll where's when's why's how's that's that'll
    there's here's it'll he's she's they're they've they'll they'd you're you've
    you'll you'd we've i'm i've would've should've could've might've must've
    isn't aren't wasn't weren't don't doesn't didn't hasn't haven't hadn't can't
    couldn't wouldn't shouldn't mustn't needn't mightn't won't
"""
APOSTROPHE_LESS = {w.replace("'", ""): w for w in _CONTRACTIONS.split()}
# Chat spellings of function words, read the same way ("wat" is also an English word: a
# temple; "pls" and "thx" count as words the corpus lacks).
CHAT = {
    "wat": "what",
    "wht": "what",
    "wut": "what",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "abt": "about",
    "cuz": "because",
    "coz": "because",
    "tho": "though",
    "thru": "through",
    "ppl": "people",
    "ur": "your",
}


# The function words whose slips are read ("wich", "teh"): question words and the most
# frequent words a question is built of (general English). Not rarer ones, whose slips are
# names and short forms as often ("Hom et al" is no "whom", "ers" no "hers", "als" no
# "also").
_SLIPPED = frozenset(
    ["what", "which", "where", "when", "why", "who", "whose", "how"]
    + ["the", "and", "can", "does", "did", "with", "from", "about", "there", "their"]
    + ["they", "this", "that", "these", "those", "have", "are", "was", "were", "could"]
    + ["would", "should", "because", "between", "after", "before"]
)
_SHORT_SLIPS = frozenset(
    ["the", "and", "can", "how", "who", "why", "what", "when", "where", "which"]
)


def _function_typos() -> dict[str, str]:
    """Typed forms of the function words of :data:`_SLIPPED`, with one letter left out or
    two neighbours swapped ("wich", "wher", "teh", "hwat"), each for the one function
    word it can be ("hwo" is "how" or "who": neither); three letters typed only for a
    word of :data:`_SHORT_SLIPS` ("des" is no "does"). A typed form that is a function
    word itself is none."""
    meant: dict[str, set[str]] = {}
    for word in _SLIPPED:
        left_out = {word[:i] + word[i + 1 :] for i in range(len(word))}
        swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        for typed in left_out | swapped:
            if typed != word and (len(typed) >= 4 or (len(typed) == 3 and word in _SHORT_SLIPS)):
                meant.setdefault(typed, set()).add(word)
    return {t: next(iter(ws)) for t, ws in meant.items() if len(ws) == 1 and t not in STOPWORDS}


# Function words typed with a letter left out or two swapped, read as the word when
# the typed form is neither English nor the corpus's: the speller, which corrects to
# corpus words, would read "wich" as the corpus's frequent "with" and "wher" as "when".
FUNCTION_TYPOS = _function_typos()


# Medical and chat shorthand, spelled out when the corpus uses the long form
# (general usage, like the function words above).
SHORTHAND = {
    "pts": "patients",
    "pt": "patient",
    "tx": "treatment",
    "yr": "year",
    "yrs": "years",
    "w/": "with",
    "w/o": "without",
    "b/c": "because",
    "approx": "approximately",
    "info": "information",
}


_T = TypeVar("_T")


class TextMemo(Generic[_T]):
    """Memo of a function of one text, least recently used first out, bounded by the total
    length of the texts it keeps rather than by their number.

    Questions go through the same functions as corpus sentences. A count bound would let
    a few thousand long, distinct questions (each up to the question limit) hold hundreds
    of megabytes; a length bound keeps every corpus sentence and caps what questions can
    take. A text longer than a sixty-fourth of the bound is computed and not kept.
    """

    def __init__(self, fn: Callable[[str], _T], max_chars: int) -> None:
        self.fn = fn
        self.max_chars = max_chars
        self.chars = 0
        self._kept: OrderedDict[str, _T] = OrderedDict()
        self._lock = threading.Lock()
        functools.update_wrapper(self, fn)

    def __call__(self, text: str) -> _T:
        with self._lock:
            if text in self._kept:
                self._kept.move_to_end(text)
                return self._kept[text]
        value = self.fn(text)
        if len(text) * 64 > self.max_chars:
            return value
        with self._lock:
            if text not in self._kept:
                self._kept[text] = value
                self.chars += len(text)
                while self.chars > self.max_chars:
                    old, _ = self._kept.popitem(last=False)
                    self.chars -= len(old)
        return value

    def __len__(self) -> int:
        return len(self._kept)

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.chars = 0


def text_memo(max_chars: int) -> Callable[[Callable[[str], _T]], TextMemo[_T]]:
    """Decorator form of :class:`TextMemo`."""
    return lambda fn: TextMemo(fn, max_chars)


# The memo of each per-text function: ample for the sentences of a large corpus folder.
MEMO_CHARS = 2_000_000


def fold(text: str) -> str:
    """Lower case, accents dropped, Greek letters spelled out: "IL-1β Gómez" -> "il-1beta gomez"."""
    return _fold(text)


@text_memo(MEMO_CHARS)
def _fold(text: str) -> str:
    if text.isascii():  # no accents, no Greek: lower case is all there is to do
        return text.lower()
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        if "\u0370" <= ch <= "\u03ff":  # Greek: its letter name ("beta")
            name = unicodedata.name(ch, "")
            if name.startswith("GREEK"):
                out.append(name.split()[-1].lower())
                continue
        out.append(ch)
    return "".join(out).lower()


@dataclass(frozen=True)
class Token:
    """One word of a text: as typed, folded, its stem, and where it stands."""

    text: str
    norm: str  # folded
    stem: str
    start: int
    end: int

    @property
    def stop(self) -> bool:
        """A function word (never a topic)."""
        return self.norm in STOPWORDS

    @property
    def content(self) -> bool:
        """Names a topic: not a function word, not an asking word, not a lone letter."""
        return (
            self.norm not in STOPWORDS
            and self.norm not in ASKING
            and (len(self.norm) > 1 or self.norm.isdigit())
        )


def tokens(text: str) -> tuple[Token, ...]:
    """The words of ``text`` in order, with folded forms and stems (memoized)."""
    return _tokens(text)


@text_memo(MEMO_CHARS)
def _tokens(text: str) -> tuple[Token, ...]:
    found = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    norms = [_fold(w) for w, _, _ in found]
    stems = stem_words(tuple(norms))
    return tuple(Token(w, n, s, a, b) for (w, a, b), n, s in zip(found, norms, stems, strict=True))


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English stem of one folded word; a compound's parts are stemmed and rejoined
    ("anti-angiogenic" -> "anti-angiogen")."""
    parts = [p for p in _SPLIT.split(word) if p]
    if len(parts) > 1:
        return "-".join(_stemmer().stemWord(p) for p in parts)
    return str(_stemmer().stemWord(word))


def stem_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Stems of folded words (see :func:`stem`)."""
    return tuple(stem(w) for w in words)


def parts(token: Token) -> tuple[str, ...]:
    """Stems of a compound's parts and of the whole: "JAK/STAT" -> jak/stat, jak, stat."""
    return _parts(token.norm)


@functools.lru_cache(maxsize=65536)
def _parts(norm: str) -> tuple[str, ...]:
    pieces = [p for p in _SPLIT.split(norm) if p]
    whole = stem(norm)
    if len(pieces) < 2:
        return (whole,)
    # the parts, and the compound written solid ("IL-6" is also typed "il6")
    return tuple(dict.fromkeys([whole, *(stem(p) for p in pieces), stem("".join(pieces))]))


def stem_set(text: str) -> frozenset[str]:
    """Stems of every word of ``text`` and of the parts of its compounds (memoized)."""
    return _stem_set(text)


@text_memo(MEMO_CHARS)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(s for t in _tokens(text) for s in parts(t))


def content_stems(text: str) -> frozenset[str]:
    """Stems of the topical words of ``text`` (see :attr:`Token.content`) and their parts."""
    return _content_stems(text)


@text_memo(MEMO_CHARS)
def _content_stems(text: str) -> frozenset[str]:
    return frozenset(s for t in _tokens(text) if t.content for s in parts(t))


def has_number(text: str) -> bool:
    """True when the text states a quantity: a number or a number word (a four-digit
    year and a bracket citation "[12]" are not quantities)."""
    return bool(_NUMBER.search(_NOT_QUANTITY.sub(" ", text)))


_NOT_QUANTITY = re.compile(
    # (a name with a number starts where its letters do, and its letters are taken whole:
    # a long run of letters is tried once, not from each of its letters backwards)
    r"\[[\d,;\s\-–]+\]|(?<!\d)(?:1[89]|20)\d{2}(?!\d)|(?<![A-Za-z])[A-Za-z]++-?\d+[A-Za-z]*"
)


# English number words ("fourteen", "ninety"; a hyphenated "twenty-four" is two of them)
NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "dozen",
    ]
)
NUMBER_WORD = "(?:" + "|".join(sorted(NUMBER_WORDS, key=lambda w: (-len(w), w))) + ")"

_NUMBER = re.compile(
    rf"\d|\b(?:{NUMBER_WORD}|half|twice|double|triple|majority|most)\b", re.IGNORECASE
)
