"""Glossary query expansion: abbreviations <-> their long forms, both directions.

``expand_query("Does CKD matter?", {"CKD": "chronic kidney disease"})``
returns ``"Does CKD matter? chronic kidney disease"``; a query that
spells out the long form gets the abbreviation appended instead. An
:class:`Expander` compiles a glossary once for many queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .words import MEMO_CHARS, TextMemo

Glossary = Mapping[str, str] | Iterable[tuple[str, str]]


def _squash(text: str) -> str:
    """Lower-case, hyphens and punctuation to single spaces (for long-form matching)."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


class Expander:
    """A glossary compiled once for fast expansion of many queries.

    Args:
        glossary: Abbreviation -> long form (a mapping or ``(abbr, long)`` pairs).
    """

    def __init__(self, glossary: Glossary) -> None:
        pairs = glossary.items() if isinstance(glossary, Mapping) else glossary
        self._entries: list[tuple[str, str, str, re.Pattern[str], bool]] = []
        for abbr, long in pairs:
            if not abbr or not long or not _squash(long).strip():
                continue
            # Whole-token match, optional plural "s"; case-insensitive from 3 characters
            # on, since users type "ckd" or "il6". A plural short form ("ABCs") also
            # matches its singular ("ABC").
            base = _singular(abbr)
            pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(base) + r"s?(?![A-Za-z0-9])")
            self._entries.append((abbr, long, _squash(long), pattern, len(abbr) >= 3))
        self._loose = {e[0]: re.compile(e[3].pattern, re.IGNORECASE) for e in self._entries if e[4]}
        # First alphanumeric run of each abbreviation, lower-cased: a cheap pre-filter.
        self._keys = [_first_word(_singular(e[0])) for e in self._entries]
        # Memoized per expander: every ask expands the same retrieved sentences again.
        self._expansions = TextMemo(self._find_expansions, MEMO_CHARS // 2)

    def _has(self, query: str, i: int) -> bool:
        abbr, _, _, pattern, _ = self._entries[i]
        if pattern.search(query):
            return True
        loose = self._loose.get(abbr)
        return loose is not None and loose.search(query) is not None

    def expansions(self, query: str) -> list[str]:
        """See :func:`expansions`."""
        return list(self._expansions(query))

    def _find_expansions(self, query: str) -> tuple[str, ...]:
        squashed = _squash(query)
        words = set(squashed.split())
        out: list[str] = []
        for i, (abbr, long, long_sq, _, _) in enumerate(self._entries):
            key = self._keys[i]
            maybe_abbr = key in words or key + "s" in words or not key
            has_abbr = maybe_abbr and self._has(query, i)
            if has_abbr and long_sq not in squashed:
                term = long
            elif not has_abbr and long_sq.split()[0] in words and long_sq in squashed:
                term = abbr
            else:
                continue
            if term not in out:
                out.append(term)
            if has_abbr and abbr != _singular(abbr) and abbr.lower() not in words:
                out.append(abbr)  # typed as its singular ("ABC" for "ABCs"): the corpus's form
        return tuple(out)

    def expand(self, query: str) -> str:
        """See :func:`expand_query`."""
        extra = self.expansions(query)
        return " ".join([query, *extra]) if extra else query


def _singular(abbr: str) -> str:
    """A plural short form's singular ("ABCs" -> "ABC"); any other form as it is."""
    if len(abbr) > 2 and abbr.endswith("s") and abbr[:-1].isupper():
        return abbr[:-1]
    return abbr


def _first_word(abbr: str) -> str:
    found = re.findall(r"[a-z0-9]+", abbr.lower())
    return found[0] if found else ""


def expansions(query: str, glossary: Glossary) -> list[str]:
    """The glossary terms a query implies but does not spell, in glossary order.

    Args:
        query: The user's query.
        glossary: Abbreviation -> long form (a mapping or ``(abbr, long)`` pairs).

    Returns:
        Long forms of abbreviations found in the query and abbreviations of long
        forms found in it, each once, excluding what the query already contains.
    """
    return Expander(glossary).expansions(query)


def expand_query(query: str, glossary: Glossary) -> str:
    """The query followed by its glossary expansions (see :func:`expansions`).

    Args:
        query: The user's query.
        glossary: Abbreviation -> long form.

    Returns:
        ``query`` unchanged when nothing applies, else ``query + " " + terms``.
    """
    return Expander(glossary).expand(query)
