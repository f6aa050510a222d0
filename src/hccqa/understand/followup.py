"""Follow-up resolution: the query actually searched for a chat turn.

A question is a follow-up when it leans on an earlier turn: it opens with "and",
"also", "what about"…, refers back with a pronoun ("they", "these", "ones"…), or
is too short to stand alone. Its searched query is the question followed by the
key terms (entities, drug names, topics) of the most recent earlier turn that has
any, itself resolved the same way. Self-contained questions pass unchanged.
Pure functions: no state, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .terms import GENERIC, content_words, is_acronym, is_drug_like

# Words that point back to something said before.
_BACK_REFERENCES = frozenset(
    [
        "it",
        "its",
        "they",
        "them",
        "their",
        "theirs",
        "these",
        "those",
        "ones",
        "such",
        "this",
        "that",
        "same",
        "former",
        "latter",
    ]
)
# "that" and "this" only refer back when they end the question or stand before a verb.
_WEAK = frozenset({"this", "that"})
_OPENERS = re.compile(
    r"^\s*(?:and|also|but|so|then|what about|how about|and what about|what else|why|"
    r"in what way|any others?|others?)\b",
    re.IGNORECASE,
)
_SWAP = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b", re.IGNORECASE)
_MAX_CARRIED = 10


def is_followup(question: str) -> bool:
    """True when ``question`` needs an earlier turn to be understood.

    Examples:
        >>> is_followup("And which ones were tried second-line?")
        True
        >>> is_followup("Which drugs failed in phase 3 trials?")
        False
    """
    tokens = re.findall(r"[A-Za-z]+", question.lower())
    if not tokens:
        return False
    if _OPENERS.match(question) and not re.match(r"^\s*why\b", question, re.IGNORECASE):
        return True
    for i, tok in enumerate(tokens):
        if tok in _BACK_REFERENCES - _WEAK:
            return True
        if tok in _WEAK:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not nxt or nxt in {"is", "was", "does", "do", "mean", "means", "work", "happen"}:
                return True
            if nxt in {
                "drug",
                "drugs",
                "study",
                "studies",
                "trial",
                "trials",
                "pathway",
                "mechanism",
            }:
                return True
    topical = [w for w in content_words(question) if w.lower() not in GENERIC]
    return len(topical) <= 1 and not _has_entity(question)


def _has_entity(text: str) -> bool:
    return any(is_acronym(w) or is_drug_like(w) for w in re.findall(r"[\w/-]+", text))


def key_terms(turn: str) -> list[str]:
    """The terms of a turn worth carrying into a follow-up: topical content words.

    Question words, stop words and pronouns are dropped; entities (acronyms, drug
    names) come first.
    """
    terms = [
        w
        for w in content_words(turn)
        if w.lower() not in GENERIC and w.lower() not in _BACK_REFERENCES
    ]
    entities = [w for w in terms if is_acronym(w) or is_drug_like(w)]
    rest = [w for w in terms if w not in entities]
    return (entities + rest)[:_MAX_CARRIED]


def resolve_followup(question: str, history: Sequence[str], *, force: bool = False) -> str:
    """The query to search for ``question`` asked after ``history`` (oldest first).

    Args:
        question: The user's latest question.
        history: Earlier user turns of the same chat, oldest first.
        force: Treat the question as a follow-up even when its wording does not
            show it (the caller found that it does not stand alone).

    Returns:
        ``question`` unchanged when it stands alone or there is no usable history;
        otherwise ``question`` followed by the key terms of the most recent earlier
        turn that has some (that turn resolved against its own history first), e.g.
        ``"And which ones were tried second-line? drugs failed phase 3 trials"``.
    """
    question = question.strip()
    if not history or not (force or is_followup(question)):
        return question
    own = {w.lower() for w in content_words(question)}
    # "What about autophagy?" swaps the topic: keep the earlier frame, not its entities.
    swaps = bool(_SWAP.match(question)) and any(
        w.lower() not in GENERIC for w in content_words(question)
    )
    for i in range(len(history) - 1, -1, -1):
        previous = resolve_followup(history[i], history[:i])
        carried = [
            t
            for t in key_terms(previous)
            if t.lower() not in own and not (swaps and (is_acronym(t) or is_drug_like(t)))
        ]
        if carried:
            return f"{question} {' '.join(carried)}"
    return question
