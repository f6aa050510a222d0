"""Sentence splitting for scientific prose.

A sentence ends at ``.``, ``?`` or ``!`` (optionally followed by a bracket citation
or a closing quote/parenthesis) when whitespace and an upper-case letter, a digit or
an opening bracket follow. It does not end after abbreviations such as "et al.",
"vs.", "e.g.", "i.e." or "Fig. 2", nor inside decimals ("3.5"), so that
"3 mo in advanced CKD" or "Smith et al. [7] showed" stay whole.
"""

from __future__ import annotations

import functools
import re

# Words after which a period never ends a sentence (compared in lower case).
ABBREVIATIONS = frozenset(
    {
        "al",
        "vs",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "cf",
        "approx",
        "ca",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "resp",
    }
)
# Words after which a period does not end a sentence when a number follows ("Fig. 2").
NUMBERED = frozenset({"fig", "figs", "ref", "refs", "no", "nos", "vol", "p", "pp", "eq", "tab"})

# End mark, optional citation/closers, then whitespace and a plausible sentence start.
_END = re.compile(
    r"[.?!](?:\[[^\[\]]*\])?[\"')\]\u201d\u2019]*(?=\s+[\"'(\[\u201c]?[A-Z0-9\u00C0-\u00DE])"
)
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``.

    Spans exclude surrounding whitespace, cover every non-space character, and are in
    order. ``text[start:end]`` is the sentence.
    """
    return list(_spans(text))


@functools.lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    # Memoized: every ask splits the same retrieved passages again.
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for m in _END.finditer(text):
        if m.start() < start:
            continue
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        spans.append((start, m.end()))
        start = _skip_space(text, m.end())
    end = len(text.rstrip())
    if start < end:
        spans.append((start, end))
    return tuple(spans)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


# the word before a period is looked for this far back (abbreviations are short; a search
# from the text's start would make splitting a long text quadratic)
_WORD_REACH = 40


def _is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, dot - _WORD_REACH), dot)
    if not m:
        return False
    word = m.group(1)
    word = word.lower()
    if word in ABBREVIATIONS:
        return True
    after = _skip_space(text, dot + 1)
    return word in NUMBERED and after < len(text) and text[after].isdigit()
