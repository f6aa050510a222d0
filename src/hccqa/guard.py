"""Input limits and validation for everything a person types: the question and the chat history.

Every entry point (``QA.ask``, ``QA.search``, the CLI, the web chat) passes what
it received through :func:`check_question` and :func:`check_history` before any
work is done. Both are pure functions of their input and the settings; both
raise :class:`~hccqa.errors.InputError` with a message a person can act on, and
nothing else.

Cleaning, in order: bytes are decoded as UTF-8 (invalid bytes are refused),
terminal escape sequences (pasted colour codes, "ESC[31m") are removed,
control characters other than newline and tab are removed (NUL included), and so
are the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
U+2066-U+2069, which would make a question display reversed), lone surrogates
(what Python makes of undecodable bytes in ``argv``) are refused, the text is
NFC-normalized and stripped. Then the limits apply.

:func:`check_k` and :func:`check_mode` validate the two answer options the same
way, for every entry point.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InputError
from .settings import MAX_K, MODES, Settings

_KEEP_CONTROLS = frozenset("\n\t")
#: Bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


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


# A terminal escape sequence: a control sequence (colour, cursor: ESC "[" or its one-byte
# form, parameters, a final letter) or an operating-system command (a window title: ESC "]"
# or its one-byte form, text, ending in BEL or ESC "\").
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-9;?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
)


def _removed(ch: str, category: str) -> bool:
    return (category == "Cc" and ch not in _KEEP_CONTROLS) or ch in BIDI_CONTROLS


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences, control characters (newline and tab
    kept) and bidi controls.

    For showing text a person sent (the web chat echoes the question) exactly as the
    engine will read it; never raises.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if not _removed(ch, unicodedata.category(ch)))


def _clean(text: str, what: str) -> str:
    """Remove terminal escape sequences, control and bidi characters, refuse lone
    surrogates, NFC-normalize and strip."""
    if text.isascii() and text.isprintable():  # nothing to remove, already NFC
        return text.strip()
    text = _ESCAPE_SEQUENCE.sub("", text)  # pasted colour codes: "\x1b[31m" is no word
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if _removed(ch, category):
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


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_k(k: object, *, default: int | None = None) -> int:
    """Validate the number of passages per answer.

    Args:
        k: What the caller sent; ``None`` means ``default`` when one is given.
        default: The value for ``None`` (``None``: k is required).

    Returns:
        ``k`` as an ``int`` from 1 to :data:`~hccqa.settings.MAX_K`.

    Raises:
        InputError: ``k`` is not a whole number (``bool``, ``float`` and ``str`` are
            refused) or out of range.
    """
    if k is None and default is not None:
        k = default
    if isinstance(k, bool) or not isinstance(k, int):
        raise InputError(
            f"k (passages per answer) must be a whole number from 1 to {MAX_K}, got {_shown(k)}"
        )
    if not 1 <= k <= MAX_K:
        raise InputError(f"k (passages per answer) must be from 1 to {MAX_K}, got {k}")
    return k


def check_mode(mode: object, *, default: str) -> str:
    """Validate the retrieval mode (``None`` or ``""`` means ``default``).

    Raises:
        InputError: the mode is not one of :data:`~hccqa.settings.MODES`.
    """
    if mode is None or mode == "":
        mode = default
    if not isinstance(mode, str) or mode not in MODES:
        raise InputError(f"unknown retrieval mode {_shown(mode)}; choose one of {', '.join(MODES)}")
    return mode
