"""Comparisons, in English: "compared with X" in a question, "... than X" in a table cell.

A question that compares with a table value ("which drugs were compared with X?", "is Y
better than X?") asks for the rows that compare something with X, not for the rows that
hold X. :func:`compared_words` reads the words a question compares with;
:func:`comparing_pattern` finds a cell that compares with a value ("inferior than X",
"Y vs X", "X versus Y", "superior to X"). "Rather than X" and "other than X" set X
aside instead, and "against X" in a cell more often names a target than a rival, so a
cell is not read for it. Nothing here knows a corpus: the values come from its tables.
"""

from __future__ import annotations

import functools
import re

# between a comparison word and its value: spaces, a hyphen ("A-versus-B"), an opening
# bracket or quote
_GAP = r"[\s\-(\"'\u201c\u2018]+"
_THAN = r"(?<!rather )(?<!other )than"
_QUESTION_WORDS = (
    rf"(?:{_THAN}|versus|vs\.?|v\.|against|compared?\s+(?:with|to|against)|"
    r"(?:in\s+)?comparison\s+(?:with|to)|(?:superior|inferior|relative)\s+to|"
    r"head[- ]to[- ]head\s+(?:with|against))"
)
_CELL_WORDS = (
    rf"(?:{_THAN}|versus|vs\.?|compared\s+(?:with|to)|"
    r"(?:superior|inferior|similar|equivalent|comparable|relative)\s+to)"
)
_COMPARED_WITH = re.compile(rf"\b{_QUESTION_WORDS}{_GAP}((?:[\w/+.-]+\s*){{1,3}})", re.IGNORECASE)
# one of these is in every text a comparison is found in (lower case)
_NEEDS = (
    "than",
    "vers",
    "vs",
    "v.",
    "against",
    "compar",
    "superior",
    "inferior",
    "relative",
    "head",
)
# a cell that compares anything with anything: the only cells a value is looked for in
CELL_MARKER = re.compile(rf"\b{_CELL_WORDS}(?=\W)", re.IGNORECASE)


def compared_words(text: str) -> str:
    """The words right after "compared with", "versus", "than"... (up to three each).

    Examples:
        >>> compared_words("is Y better than the X kite, or versus Z?")
        'the X kite Z'
        >>> compared_words("Y rather than X")
        ''
    """
    if not _may_compare(text):
        return ""
    return " ".join(m.group(1).strip() for m in _COMPARED_WITH.finditer(text))


# "the difference between A and B", "distinguish (between) A and/from B", "how is A
# different from B", "how do A and B differ" (English): the two things contrasted, each
# up to a clause's end and at most eight words (a bound: an unbounded side backtracks
# for seconds on a long question of repeated words)
_SIDE = r"(\w[\w/+'\u2019-]*(?:\s+[\w/+'\u2019-]+){0,7}?)"
_STOP = r"(?=\s*(?:[?.,;:!]|$|\bin\b|\bfor\b|\bwhen\b|\bdiffer))"
_CONTRASTED = (
    re.compile(
        rf"\b(?:differences?|distinction|contrast|distinguish(?:es|ed|ing)?)\s+between\s+"
        rf"{_SIDE}\s+and\s+{_SIDE}{_STOP}",
        re.IGNORECASE,
    ),
    re.compile(rf"\bdistinguish(?:es|ed|ing)?\s+{_SIDE}\s+from\s+{_SIDE}{_STOP}", re.IGNORECASE),
    re.compile(
        rf"\b(?:is|are|was|were)\s+{_SIDE}\s+(?:any\s+)?(?:different|distinct)\s+from\s+"
        rf"{_SIDE}{_STOP}",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:do|does|did)\s+{_SIDE}\s+and\s+{_SIDE}\s+differ\b", re.IGNORECASE),
    re.compile(rf"\b{_SIDE}\s+differs?\s+from\s+{_SIDE}{_STOP}", re.IGNORECASE),
)


def contrasted(text: str) -> tuple[str, str] | None:
    """The two things a question contrasts ("the difference between A and B"), or None.

    Examples:
        >>> contrasted("What is the difference between red kites and black kites?")
        ('red kites', 'black kites')
        >>> contrasted("How do hot and cold brews differ in taste?")
        ('hot', 'cold brews')
        >>> contrasted("Which kites differ?") is None
        True
    """
    low = text.lower()
    if not any(w in low for w in ("differ", "distin", "contrast")):
        return None
    for pattern in _CONTRASTED:
        found = pattern.search(text)
        if found:
            return found.group(1).strip(), found.group(2).strip()
    return None


def comparison_start(text: str) -> int | None:
    """Where the first comparison of a question starts, or None."""
    found = _COMPARED_WITH.search(text) if _may_compare(text) else None
    return None if found is None else found.start()


def _may_compare(text: str) -> bool:
    """The text holds a word every comparison needs (most questions compare nothing)."""
    low = text.lower()
    return any(word in low for word in _NEEDS)


@functools.lru_cache(maxsize=4096)
def comparing_pattern(value: str) -> re.Pattern[str]:
    """A pattern that finds a cell comparing something with ``value`` ("... than X", "Y
    vs X", "X versus Y"); the value ends where a word does ("X-resistant" is not X)."""
    v = re.escape(value)
    return re.compile(
        rf"\b{_CELL_WORDS}{_GAP}(?:the\s+)?{v}(?![\w-])|(?<![\w-]){v}\s+(?:vs\.?|versus)\s+\w",
        re.IGNORECASE,
    )


def cell_text(value: str) -> str:
    """A cell's text as comparisons are read in it (spaces collapsed)."""
    return " ".join(value.split())
