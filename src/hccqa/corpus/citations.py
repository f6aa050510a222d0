"""Bracket citations of the review: ``[24]``, ``[10,11]``, ``[26-29]``, ``[25,26,28-30]``.

Pure functions. Malformed brackets never raise: the parts that parse are kept, the
rest is dropped (and a bracket with no number at all is not a citation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sentences import split_sentences

# A bracket whose content is only numbers, separators, dashes and spaces.
_BRACKET = re.compile(r"\[([0-9][0-9,;\s\-\u2010-\u2015]*)\]")
_RANGE = re.compile(r"^(\d+)\s*[-\u2010-\u2015]\s*(\d+)$")
# A range wider than this is a typo, not a citation (e.g. "[3-300]").
MAX_RANGE = 100


@dataclass(frozen=True)
class Citation:
    """One bracket citation found in a text: its span and the numbers it cites."""

    start: int
    end: int
    numbers: tuple[int, ...]


def parse_brackets(s: str) -> tuple[int, ...]:
    """Reference numbers of one bracket, ranges expanded, in printed order, unique.

    Args:
        s: ``"[25,26,28-30]"`` or its content ``"25,26,28-30"``.

    Returns:
        ``(25, 26, 28, 29, 30)``; ``()`` when nothing in it parses.

    Examples:
        >>> parse_brackets("[35-38]")
        (35, 36, 37, 38)
        >>> parse_brackets("[x]")
        ()
    """
    content = s.strip()
    if content.startswith("[") and content.endswith("]"):
        content = content[1:-1]
    numbers: list[int] = []
    for part in re.split(r"[,;]", content):
        part = part.strip()
        if part.isdigit():
            numbers.append(int(part))
            continue
        m = _RANGE.match(part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo <= hi and hi - lo <= MAX_RANGE:
                numbers.extend(range(lo, hi + 1))
    return tuple(dict.fromkeys(numbers))


def find_citations(text: str) -> list[Citation]:
    """Every bracket citation in ``text``, in order, with its span and numbers.

    Brackets that hold no parsable number (``[x]``, ``[-]``) are skipped.
    """
    found = []
    for m in _BRACKET.finditer(text):
        numbers = parse_brackets(m.group(1))
        if numbers:
            found.append(Citation(m.start(), m.end(), numbers))
    return found


def cited_numbers(text: str) -> tuple[int, ...]:
    """All reference numbers cited in ``text``, sorted, unique."""
    return tuple(sorted({n for c in find_citations(text) for n in c.numbers}))


# A surname as printed: "Smith", "García-López", "Müller", "Lee-Park".
_NAME = r"[A-Z\u00C0-\u00DE][^\W\d_]*(?:-[^\W\d_]+)*"
_ET_AL = re.compile(rf"(?P<name>{_NAME}) et al\.?\s?\[(?P<refs>[^\[\]]+)\]")
# A name part before the surname: "Blivet-Van " (hyphenated) or a particle ("van ").
_NAME_HEAD = re.compile(rf"(?:(?:{_NAME}-{_NAME})|van|von|de|der|den|da|di|du|le|la) $")
_YEAR_INTRO = re.compile(r"\bIn ((?:19|20)\d{2}), $")


def find_authors(text: str) -> dict[int, tuple[str, int | None]]:
    """First authors named in ``text``: number -> (``"Smith et al"``, year or None).

    Reads "Smith et al[7]" (one number per bracket); the year comes from an opening
    "In 2001, Smith et al[7]" and carries over "... et al[8] and García-López et al[9]".
    """
    found: dict[int, tuple[str, int | None]] = {}
    last_year: int | None = None
    last_end = -1
    for m in _ET_AL.finditer(text):
        numbers = parse_brackets(m.group("refs"))
        name = m.group("name")
        before = text[: m.start()]
        head = _NAME_HEAD.search(before)
        if head:
            name = head.group(0) + name
            before = before[: head.start()]
        intro = _YEAR_INTRO.search(before)
        if intro:
            year: int | None = int(intro.group(1))
        elif last_year is not None and text[last_end : m.start()] == " and ":
            year = last_year
        else:
            year = None
        last_year, last_end = year, m.end()
        if len(numbers) == 1 and numbers[0] not in found:
            found[numbers[0]] = (f"{name} et al", year)
    return found


# A sentence that goes on about the study its passage just named (English).
BACK_REFERENCE = re.compile(
    r"^(?:The|These|Those|Both) (?:authors|researchers|investigators|same|studies|groups)\b|"
    r"^(?:They|For (?:example|instance)|In (?:that|this|the same) study|Moreover, they)\b"
)


def continues_from(sentence: str, context: str) -> tuple[int, str] | None:
    """The study a sentence without citations goes on about, if it shows it does.

    "The authors also showed ..." or "For example, ..." continue from the study the
    passage (``context``) named last before the sentence ("Smith et al[7] found ...").

    Returns:
        ``(reference number, "Smith et al")``, or None.
    """
    if find_citations(sentence) or not BACK_REFERENCE.match(sentence):
        return None
    at = context.find(sentence)
    named = find_authors(context[:at]) if at > 0 else {}
    if not named:
        return None
    number = list(named)[-1]
    return number, named[number][0]


# A sentence that names, by a citation, the one study the sentence before it described
# ("A trial was run in 21 countries. *This study* showed ...[10]"), English.
THIS_STUDY = re.compile(
    r"(?:This|That|Their) (?:study|trial|work|report|analysis|experiment)\b|The (?:study|trial)\b"
)


def named_next(sentence: str, context: str) -> str:
    """The sentence after ``sentence`` in ``context`` when it names the study ``sentence``
    described ("This study showed ...[10]"), or "" (see :data:`THIS_STUDY`). Sentences
    are those of :func:`~hccqa.corpus.sentences.split_sentences`."""
    if not sentence:
        return ""
    spans = split_sentences(context)
    for (a, b), (c, d) in zip(spans, spans[1:], strict=False):
        if context[a:b] == sentence and THIS_STUDY.match(context, c):
            return context[c:d]
    return ""
