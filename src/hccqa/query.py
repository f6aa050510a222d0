"""Glossary query expansion: abbreviations <-> their long forms, both directions.

``expand_query("Does EMT matter?", {"EMT": "epithelial-mesenchymal transition"})``
returns ``"Does EMT matter? epithelial-mesenchymal transition"``; a query that
spells out the long form gets the abbreviation appended instead. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

Glossary = Mapping[str, str] | Iterable[tuple[str, str]]


def _squash(text: str) -> str:
    """Lower-case, hyphens and punctuation to single spaces (for long-form matching)."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _has_abbreviation(query: str, abbr: str) -> bool:
    # Abbreviations are matched as whole tokens; case-insensitive only when they
    # hold a digit or mixed case that users commonly lower ("perk", "vegfr2").
    pattern = r"(?<![A-Za-z0-9])" + re.escape(abbr) + r"s?(?![A-Za-z0-9])"
    if re.search(pattern, query):
        return True
    return len(abbr) >= 3 and re.search(pattern, query, flags=re.IGNORECASE) is not None


def expansions(query: str, glossary: Glossary) -> list[str]:
    """The glossary terms a query implies but does not spell, in glossary order.

    Args:
        query: The user's query.
        glossary: Abbreviation -> long form (a mapping or ``(abbr, long)`` pairs).

    Returns:
        Long forms of abbreviations found in the query and abbreviations of long
        forms found in it, each once, excluding what the query already contains.
    """
    pairs = glossary.items() if isinstance(glossary, Mapping) else glossary
    squashed = _squash(query)
    out: list[str] = []
    for abbr, long in pairs:
        if not abbr or not long:
            continue
        long_sq = _squash(long)
        if _has_abbreviation(query, abbr) and long_sq not in squashed:
            term = long
        elif long_sq.strip() and long_sq in squashed and not _has_abbreviation(query, abbr):
            term = abbr
        else:
            continue
        if term not in out:
            out.append(term)
    return out


def expand_query(query: str, glossary: Glossary) -> str:
    """The query followed by its glossary expansions (see :func:`expansions`).

    Args:
        query: The user's query.
        glossary: Abbreviation -> long form.

    Returns:
        ``query`` unchanged when nothing applies, else ``query + " " + terms``.
    """
    extra = expansions(query, glossary)
    return " ".join([query, *extra]) if extra else query
