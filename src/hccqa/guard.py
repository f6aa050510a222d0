"""Input limits and validation for everything a person types: the question and the chat history.

Every entry point (``QA.ask``, ``QA.search``, the CLI, the web chat) passes what
it received through :func:`check_question` and :func:`check_history` before any
work is done. Both are pure functions of their input and the settings; both
raise :class:`~hccqa.errors.InputError` with a message a person can act on, and
nothing else.

Cleaning, in order: bytes are decoded as UTF-8 (invalid bytes are refused),
control characters other than newline and tab are removed (NUL included), lone
surrogates (what Python makes of undecodable bytes in ``argv``) are refused,
the text is NFC-normalized and stripped. Then the limits apply.
"""

from __future__ import annotations

import unicodedata

from .errors import InputError
from .settings import Settings

_KEEP_CONTROLS = frozenset("\n\t")


def _decode(value: object, what: str) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{what} is not valid UTF-8 (bad byte at position {exc.start}); "
                "send the text encoded as UTF-8"
            ) from None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {type(value).__name__}")
    return value


def _clean(text: str, what: str) -> str:
    """Remove control characters, refuse lone surrogates, NFC-normalize and strip."""
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in _KEEP_CONTROLS:
            continue
        if category == "Cs":
            raise InputError(
                f"{what} is not valid UTF-8 text (it holds an undecodable byte or a lone "
                f"surrogate U+{ord(ch):04X}); send the text encoded as UTF-8"
            )
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).strip()


def check_question(q: object, settings: Settings) -> str:
    """Validate and clean a question.

    Args:
        q: What the caller received: ``str`` or UTF-8 ``bytes``.
        settings: Supplies ``max_question_chars``.

    Returns:
        The cleaned question: no control characters except newline and tab,
        NFC-normalized, stripped, non-empty, at most ``max_question_chars`` long.

    Raises:
        InputError: not text, invalid UTF-8, empty after cleaning, or too long.
    """
    text = _clean(_decode(q, "the question"), "the question")
    if not text:
        raise InputError("the question is empty; type a question about the documents")
    limit = settings.max_question_chars
    if len(text) > limit:
        raise InputError(
            f"the question is {len(text):,} characters long; the limit is {limit:,} "
            "characters (HCCQA_MAX_QUESTION_CHARS); shorten it"
        )
    return text


def check_history(h: object, settings: Settings) -> tuple[str, ...]:
    """Validate and clean the earlier user turns of a chat, oldest first.

    Only the last ``max_history_turns`` turns are kept (older ones cannot change
    how a follow-up is resolved). Each kept turn is cleaned like a question and
    cut to ``max_question_chars``; turns empty after cleaning are dropped.

    Args:
        h: ``None`` (no history) or a list/tuple of ``str`` (or UTF-8 ``bytes``).
        settings: Supplies ``max_history_turns`` and ``max_question_chars``.

    Returns:
        The cleaned turns, oldest first.

    Raises:
        InputError: the history is not a list/tuple, or a kept turn is not text
            or not valid UTF-8.
    """
    if h is None:
        return ()
    if not isinstance(h, list | tuple):
        raise InputError(
            f"the history must be a list of earlier questions (strings), got {type(h).__name__}"
        )
    keep = max(settings.max_history_turns, 0)
    first = max(len(h) - keep, 0)
    turns: list[str] = []
    for i in range(first, len(h)):
        what = f"history turn {i + 1} of {len(h)}"
        item = h[i]
        if not isinstance(item, str | bytes | bytearray):
            raise InputError(f"{what} must be text, got {type(item).__name__}")
        text = _clean(_decode(item, what), what)[: settings.max_question_chars].strip()
        if text:
            turns.append(text)
    return tuple(turns)
