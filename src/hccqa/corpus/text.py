"""Text cleaning: words broken across lines, whitespace, a span map, and the gold ``normalize``.

Text from a PDF: words are hyphenated at line ends (``develop-\\nment``),
sometimes across a blank page-break line (``treat-\\n\\nment``), and spaces are doubled
(``of  CKD``). :func:`clean_with_map` undoes that and returns, for every character of the
cleaned text, the offset of the raw character it came from, so that a passage can point
back to its span of the raw file.

Whether a line-end hyphen is a real hyphen (``anti-\\nproliferative``, ``Asia-\\nPacific``)
or a break inside a word (``anti-\\nbodies``) is decided by :meth:`Lexicon.keeps_hyphen`:
first the words the document itself writes on one line, then general rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A word: letters/digits, with internal hyphens ("anti-angiogenic", "SNU-449").
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# A hyphen at a line end, optionally followed by blank (page-break) lines.
_BREAK = re.compile(r"(?<=[^\W_])-[ \t]*\n\s*(?=[^\W_])")
_SPACE = re.compile(r"\s+")
_MESSY = re.compile(r"[^\S ]|  |^ | $")
_LEFT_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*$")
_RIGHT_PART = re.compile(r"[^\W_]+")

# Prefixes written with a hyphen ("anti-cancer", "non-small"), used when the document
# itself does not show the word on one line.
HYPHEN_PREFIXES = frozenset({"anti", "non", "multi", "self", "semi", "cross", "co", "post", "pre"})
# Second elements of compounds ("stem-like", "cancer-related").
HYPHEN_SUFFIXES = frozenset(
    {
        "like",
        "related",
        "based",
        "derived",
        "induced",
        "mediated",
        "dependent",
        "independent",
        "expressing",
        "free",
        "specific",
        "associated",
        "resistant",
        "targeted",
        "positive",
        "negative",
        "term",
        "line",
        "phase",
        "stage",
        "scale",
        "blind",
        "controlled",
    }
)


def normalize(s: str) -> str:
    """The gold-set matching form: NFKD, lower case, only ``[a-z0-9]`` kept.

    Exactly as ``GOLD_FORMAT.md`` defines it.
    """
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", s).lower())


@dataclass(frozen=True)
class Lexicon:
    """Words a document writes unbroken, in lower case (hyphenated compounds included).

    Built from the raw document with :meth:`from_text`; an empty lexicon falls back
    on the general rules alone.
    """

    words: frozenset[str] = frozenset()

    @classmethod
    def from_text(cls, raw: str) -> Lexicon:
        """Collect the words of ``raw`` that are not broken at a line end."""
        words: set[str] = set()
        broken_before = False
        for line in raw.splitlines():
            if not line.strip():
                continue  # a page break keeps the previous line's state
            tokens = _WORD.findall(line)
            if broken_before and tokens:
                tokens = tokens[1:]  # the tail of a word broken on the line before
            broken_before = line.rstrip().endswith("-")
            if broken_before and tokens:
                tokens = tokens[:-1]  # the head of a word broken at this line end
            words.update(t.lower() for t in tokens)
        return cls(frozenset(words))

    def keeps_hyphen(self, left: str, right: str) -> bool:
        """Decide a line-end hyphen between ``left`` (word before) and ``right`` (word after).

        Args:
            left: The whole word before the hyphen, e.g. ``"anti-inflamma"``.
            right: The letters/digits after the break, e.g. ``"tory"``.

        Returns:
            True to keep ``left-right``, False to join ``leftright``.
        """
        if right[:1].isupper() or right[:1].isdigit():
            return True  # Asia-Pacific, SNU-449
        joined = (left + right).lower()
        hyphenated = f"{left}-{right}".lower()
        if joined in self.words:
            return False
        if hyphenated in self.words:
            return True
        head = left.rsplit("-", 1)[-1].lower()
        return head in HYPHEN_PREFIXES or right.lower() in HYPHEN_SUFFIXES


def clean_with_map(raw: str, lexicon: Lexicon | None = None) -> tuple[str, list[int]]:
    """Clean ``raw`` and map each cleaned character back to its offset in ``raw``.

    Joins words broken at line ends (keeping real hyphens), collapses every run of
    whitespace to one space and strips both ends.

    Args:
        raw: Raw text (any span of a document).
        lexicon: Words of the whole document, to decide line-end hyphens.

    Returns:
        ``(text, offsets)`` with ``len(offsets) == len(text)`` and ``text[i]`` taken
        from ``raw[offsets[i]]`` (a space maps to the first whitespace it replaces).
    """
    if not _MESSY.search(raw):  # fast path: one line, single spaces
        text = raw.strip(" ")
        first = len(raw) - len(raw.lstrip(" "))
        return text, list(range(first, first + len(text)))
    lexicon = lexicon or Lexicon()
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _BREAK.finditer(raw):
        _copy(raw, pos, m.start(), out, offsets)
        left_m = _LEFT_WORD.search(raw, max(0, m.start() - 200), m.start())
        right_m = _RIGHT_PART.match(raw, m.end())
        left = left_m.group(0) if left_m else ""
        right = right_m.group(0) if right_m else ""
        if lexicon.keeps_hyphen(left, right):
            out.append("-")
            offsets.append(m.start())
        pos = m.end()
    _copy(raw, pos, len(raw), out, offsets)
    # strip the ends
    start, end = 0, len(out)
    while start < end and out[start] == " ":
        start += 1
    while end > start and out[end - 1] == " ":
        end -= 1
    return "".join(out[start:end]), offsets[start:end]


def _copy(raw: str, start: int, end: int, out: list[str], offsets: list[int]) -> None:
    pos = start
    for m in _SPACE.finditer(raw, start, end):
        out.extend(raw[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        if not out or out[-1] != " ":
            out.append(" ")
            offsets.append(m.start())
        pos = m.end()
    out.extend(raw[pos:end])
    offsets.extend(range(pos, end))


def clean(raw: str, lexicon: Lexicon | None = None) -> str:
    """The cleaned form of ``raw`` (see :func:`clean_with_map`)."""
    return clean_with_map(raw, lexicon)[0]
