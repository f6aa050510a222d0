"""Abbreviations: a table's footnote ("ABC: Amino binding cassette; ...") and inline
definitions ("chronic kidney disease (CKD)"), merged into one glossary.

Inline definitions are found with the Schwartz-Hearst rule: the characters of the
abbreviation must appear in order in the words before the parenthesis, the first one
at the start of a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "ABC: Amino ..." / "IL-1β: Interleukin ..." at a line start, ';' separated.
_FOOTNOTE_START = re.compile(r"^\s*[^\W_][\w\-/]{0,15}: \S.*;")
_ENTRY = re.compile(r"^\s*([^\W_][\w\-/]{0,15}):\s+(.+?)\s*$", re.S)
# A parenthesis whose first item looks like an abbreviation: "(CKD)", "(Tx2; a new ...)".
_PAREN = re.compile(r"\(([^()\s;,]{2,12})(?:[;,][^()]*)?\)")
_BEFORE = 1000  # characters before "(ABBR)" searched for its long form


def is_footnote_start(line: str) -> bool:
    """True when ``line`` opens an abbreviation footnote (``ABBR: Expansion; ...``)."""
    return bool(_FOOTNOTE_START.match(line))


def parse_footnote(text: str) -> dict[str, str]:
    """Parse ``"ABC: Amino binding cassette; IL-1β: ...; Tx2: Thioredoxin 2."``.

    Entries that do not have the ``ABBR: expansion`` shape are skipped.
    """
    glossary: dict[str, str] = {}
    for part in text.strip().rstrip(".").split(";"):
        m = _ENTRY.match(part)
        if m:
            glossary[m.group(1)] = " ".join(m.group(2).split())
    return glossary


def find_definitions(text: str) -> dict[str, str]:
    """Inline definitions ``long form (ABBR)`` in cleaned ``text``: abbreviation -> long form."""
    found: dict[str, str] = {}
    for m in _PAREN.finditer(text):
        abbr = m.group(1)
        if not _looks_like_abbreviation(abbr):
            continue
        # a long form is a few words: the text just before the parenthesis is enough
        long_form = _long_form(abbr, text[max(0, m.start() - _BEFORE) : m.start()])
        if long_form and abbr not in found:
            found[abbr] = long_form
    return found


def build_glossary(footnotes: Iterable[str], texts: Iterable[str]) -> dict[str, str]:
    """One glossary: footnote entries first, then inline definitions not already there.

    Args:
        footnotes: Footnote texts (cleaned), each ``ABBR: expansion; ...``.
        texts: Cleaned narrative texts to search for ``long form (ABBR)``.

    Returns:
        Abbreviation -> expansion, sorted case-insensitively by abbreviation.
    """
    glossary: dict[str, str] = {}
    for note in footnotes:
        glossary.update(parse_footnote(note))
    for text in texts:
        for abbr, long_form in find_definitions(text).items():
            glossary.setdefault(abbr, long_form)
    return dict(sorted(glossary.items(), key=lambda kv: kv[0].lower()))


def _looks_like_abbreviation(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return (
        s[0].isalnum()
        and sum(c.isupper() for c in letters) >= 1
        and sum(c.isupper() for c in s) + sum(c.isdigit() for c in s) >= 2
        and not s.isdigit()
    )


def _long_form(abbr: str, before: str) -> str | None:
    # Only the words of the same clause, at most min(|A| + 5, 2|A|) of them.
    clause = re.split(r"[.;:()\[\]]\s", before)[-1]
    chars = [c.lower() for c in abbr if c.isalnum()]
    if chars and chars[-1] == "s" and abbr[-1] == "s":
        chars = chars[:-1]  # plural "MSCs" / "RBCs"
    words = clause.split()
    words = words[-min(len(chars) + 5, 2 * len(chars)) :]
    candidate = " ".join(words)
    low = candidate.lower()
    i = len(low) - 1
    for k in range(len(chars) - 1, -1, -1):
        c = chars[k]
        while i >= 0 and (low[i] != c or (k == 0 and i > 0 and low[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    start = i + 1
    long_form = candidate[start:].strip()
    if len(long_form) <= len(abbr) or long_form.split()[0].lower() == abbr.lower():
        return None
    return long_form


class SpellOut:
    """Abbreviations a glossary defines, spelled out for the encoder.

    ``SpellOut(glossary)(text)`` writes each defined abbreviation, at its first
    occurrence in ``text``, as "long form (ABBR)", unless the text already holds the long
    form: "patients with advanced CKD" -> "patients with advanced chronic kidney
    disease (CKD)". A small encoder knows the long form far better than a document's
    own shorthand, and a user who never read the document asks in long words.
    Abbreviations are matched whole and case-sensitively ("CKD", not "ckd" or "CKDs").
    """

    def __init__(self, glossary: dict[str, str]) -> None:
        self.glossary = {a: long for a, long in glossary.items() if a and long}
        names = sorted(self.glossary, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
            if names
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        lowered = text.lower()
        seen: set[str] = set()

        def spell(match: re.Match[str]) -> str:
            abbr = match.group(1)
            if abbr in seen:
                return abbr
            seen.add(abbr)
            long = self.glossary[abbr]
            return abbr if long.lower() in lowered else f"{long} ({abbr})"

        return self._pattern.sub(spell, text)


class ScopedSpellOut:
    """:class:`SpellOut` with each abbreviation in the scope of its definition.

    In a corpus of one document (its tables aside) every abbreviation of the glossary is
    spelled out everywhere. In a corpus of several, a document's prose gets the
    abbreviations it defines inline, each with its own long form ("AD" may be two
    diseases in two abstracts, and a third abstract that only uses it leaves it as it
    is); a table gets those whose inline definitions all agree; an abbreviation only a
    table footnote defines is spelled out everywhere.

    Args:
        glossary: The corpus's glossary.
        documents: Document id -> its prose (where inline definitions are looked for).
            Any other id (a table's) is not a prose document.
    """

    def __init__(self, glossary: dict[str, str], documents: dict[str, str]) -> None:
        self._own: dict[str, SpellOut] = {}
        self._prose = frozenset(documents)
        if len(documents) <= 1:
            self._everywhere = SpellOut(glossary)
            self._agreed = SpellOut({})
            return
        defined = {doc: find_definitions(text) for doc, text in documents.items()}
        forms: dict[str, set[str]] = {}
        for found in defined.values():
            for abbr, long in found.items():
                forms.setdefault(abbr, set()).add(long.lower())
        self._everywhere = SpellOut({a: g for a, g in glossary.items() if a not in forms})
        self._agreed = SpellOut({a: g for a, g in glossary.items() if len(forms.get(a, ())) == 1})
        self._own = {doc: SpellOut(found) for doc, found in defined.items() if found}

    def __call__(self, text: str, doc_id: str = "") -> str:
        text = self._everywhere(text)
        if doc_id in self._own:
            return self._own[doc_id](text)
        return text if doc_id in self._prose else self._agreed(text)
