"""Unit and property tests of hccqa.guard (question and history validation)."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccqa.errors import InputError
from hccqa.guard import (
    BIDI_CONTROLS,
    _clean,
    check_history,
    check_k,
    check_mode,
    check_question,
    strip_controls,
)
from hccqa.settings import MAX_K, Settings

S = Settings()
SMALL = Settings(max_question_chars=50, max_history_turns=3)


# -- check_question: worked examples -------------------------------------------------------


def test_plain_question_is_returned_stripped() -> None:
    assert check_question("  What does sorafenib inhibit?  \n", S) == "What does sorafenib inhibit?"


def test_bytes_are_decoded_as_utf8() -> None:
    assert check_question("Was ist Sorafenib? é".encode(), S) == "Was ist Sorafenib? é"


def test_invalid_utf8_bytes_are_refused_with_position() -> None:
    with pytest.raises(InputError, match=r"not valid UTF-8 \(bad byte at position 3\)"):
        check_question(b"abc\xff\xfe", S)


def test_lone_surrogate_from_argv_is_refused() -> None:
    # what sys.argv holds for the invalid byte 0xff under surrogateescape
    with pytest.raises(InputError, match="not valid UTF-8 text"):
        check_question("abc\udcff", S)


@pytest.mark.parametrize("value", [None, 3, 2.5, ["a"], {"q": "a"}, object()])
def test_non_text_is_refused_naming_the_type(value: object) -> None:
    with pytest.raises(InputError, match=f"must be text, got {type(value).__name__}"):
        check_question(value, S)


@pytest.mark.parametrize("value", ["", "   ", "\n\t \r\n", "\x00\x00", "\x1b\x07", b"  "])
def test_empty_or_blank_is_refused(value: object) -> None:
    with pytest.raises(InputError, match="the question is empty"):
        check_question(value, S)


def test_nul_and_control_characters_are_removed_but_newline_and_tab_kept() -> None:
    assert check_question("so\x00ra\x1bfe\x7fnib\tand\nVEGF", S) == "sorafenib\tand\nVEGF"


def test_terminal_escape_sequences_are_removed_whole() -> None:
    assert check_question("\x1b[31mWhich kites\x1b[0m fly?", S) == "Which kites fly?"
    assert check_question("up\x1b[2Kdate", S) == "update"
    assert check_question("\x9b31mWhich kites?", S) == "Which kites?"  # one-byte form
    assert check_question("\x1b]0;a title\x07Which kites?", S) == "Which kites?"
    assert check_question("\x1b]2;a title\x1b\\Which kites?", S) == "Which kites?"
    # a title never ended is not a sequence: only its escape character goes
    assert check_question("\x1b]0;Which kites?", S) == "]0;Which kites?"
    # an escape that ends no sequence is a control character; the text after it stays
    assert check_question("size \x1b[31", S) == "size [31"
    with pytest.raises(InputError, match="the question is empty"):
        check_question("\x1b[1;31m\x1b[0m", S)


def test_c1_controls_are_removed() -> None:
    assert check_question("a\x85b\x9fc", S) == "abc"


def test_nfc_normalization() -> None:
    decomposed = "Me\u0301tastase"  # e + combining acute
    assert check_question(decomposed, S) == "M\u00e9tastase"


def test_too_long_names_the_limit() -> None:
    with pytest.raises(InputError) as err:
        check_question("x" * 100_000, S)
    msg = str(err.value)
    assert "100,000 characters" in msg
    assert "limit is 2,000" in msg
    assert "HCCQA_MAX_QUESTION_CHARS" in msg


def test_limit_is_inclusive_and_counts_cleaned_text() -> None:
    assert check_question("y" * 50, SMALL) == "y" * 50
    assert check_question("  " + "y" * 50 + "\x00\x00  ", SMALL) == "y" * 50
    with pytest.raises(InputError, match="51 characters"):
        check_question("y" * 51, SMALL)


def test_word_repeated_ten_thousand_times_is_refused() -> None:
    with pytest.raises(InputError, match="limit is 2,000"):
        check_question("sorafenib " * 10_000, S)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE passages; --",
        "**bold** [link](javascript:alert(1))",
        "索拉非尼耐药的机制是什么？",
        "Что такое сорафениб?",
        "ما هو سورافينيب؟",
        "👩‍🔬 sorafenib 💊",
    ],
)
def test_unusual_but_valid_text_is_kept_verbatim(text: str) -> None:
    assert check_question(text, S) == unicodedata.normalize("NFC", text)


# -- bidirectional controls ---------------------------------------------------------------


def test_bidi_controls_are_exactly_the_embeddings_overrides_and_isolates() -> None:
    expected = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
    assert {ord(c) for c in BIDI_CONTROLS} == expected
    assert all(
        unicodedata.bidirectional(c)
        in ("LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI")
        for c in BIDI_CONTROLS
    )


def test_right_to_left_override_is_removed() -> None:
    # "\u202egnp.exe" displays as "exe.png": the override must not reach the chat
    assert check_question("Is \u202egnp.exe sorafenib?", S) == "Is gnp.exe sorafenib?"


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_each_bidi_control_is_removed_from_questions_and_history(control: str) -> None:
    text = f"sora{control}fenib{control}"
    assert check_question(text, S) == "sorafenib"
    assert check_history([text], S) == ("sorafenib",)
    assert strip_controls(text) == "sorafenib"


def test_right_to_left_text_and_marks_are_kept() -> None:
    # Arabic letters and the left-to-right / right-to-left marks are text, not overrides
    text = "ما هو سورافينيب؟ \u200f(sorafenib)\u200e"
    assert check_question(text, S) == unicodedata.normalize("NFC", text)


def test_strip_controls_never_raises_and_keeps_newline_and_tab() -> None:
    assert strip_controls("a\x00b\u202ec\td\ne\udcff") == "abc\td\ne\udcff"


# -- check_k and check_mode ---------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5, MAX_K])
def test_k_in_range_is_returned(k: int) -> None:
    assert check_k(k) == k


@pytest.mark.parametrize(
    ("k", "message"),
    [
        ("abc", "whole number from 1 to 50, got 'abc'"),
        ("5", "whole number from 1 to 50, got '5'"),
        (2.5, "whole number from 1 to 50, got 2.5"),
        (5.0, "whole number from 1 to 50, got 5.0"),
        (True, "whole number from 1 to 50, got True"),
        ([5], "whole number from 1 to 50, got [5]"),
        (None, "got None"),
        (0, "must be from 1 to 50, got 0"),
        (-3, "must be from 1 to 50, got -3"),
        (MAX_K + 1, "must be from 1 to 50, got 51"),
        (10**100, "must be from 1 to 50, got 1000"),
        ("x" * 10_000, "got 'xxxxxxxx"),
    ],
)
def test_bad_k_is_refused_in_one_short_line(k: object, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as info:
        check_k(k)
    assert len(str(info.value)) < 200 and "\n" not in str(info.value)


def test_k_none_takes_the_default_when_there_is_one() -> None:
    assert check_k(None, default=7) == 7
    with pytest.raises(InputError):
        check_k("7", default=7)  # a default does not make other values acceptable


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_known_modes_are_returned(mode: str) -> None:
    assert check_mode(mode, default="hybrid") == mode


@pytest.mark.parametrize("mode", [None, ""])
def test_missing_mode_takes_the_default(mode: object) -> None:
    assert check_mode(mode, default="bm25") == "bm25"


@pytest.mark.parametrize("mode", ["evil", "HYBRID", 3, ["bm25"], "bm25 ", "x" * 5000])
def test_unknown_mode_is_refused_in_one_short_line(mode: object) -> None:
    with pytest.raises(InputError, match="unknown retrieval mode .*choose one of hybrid") as info:
        check_mode(mode, default="hybrid")
    assert len(str(info.value)) < 200


# -- check_question: properties -----------------------------------------------------------


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(max_size=120))
def test_question_result_is_clean_or_input_error(text: str) -> None:
    try:
        out = check_question(text, SMALL)
    except InputError as exc:
        assert str(exc)  # a message, never empty
        return
    assert out == out.strip() and out
    assert len(out) <= SMALL.max_question_chars
    assert unicodedata.is_normalized("NFC", out)
    assert all(unicodedata.category(c) != "Cc" or c in "\n\t" for c in out)
    assert not BIDI_CONTROLS & set(out)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=80))
def test_question_from_bytes_never_raises_anything_but_input_error(raw: bytes) -> None:
    try:
        out = check_question(raw, SMALL)
    except InputError:
        return
    assert out == check_question(raw.decode("utf-8"), SMALL)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(min_size=1, max_size=60))
def test_question_is_idempotent(text: str) -> None:
    try:
        once = check_question(text, SMALL)
    except InputError:
        return
    assert check_question(once, SMALL) == once


# -- check_history ------------------------------------------------------------------------


def test_none_and_empty_history() -> None:
    assert check_history(None, S) == ()
    assert check_history([], S) == ()
    assert check_history((), S) == ()


def test_history_is_cleaned_and_blank_turns_dropped() -> None:
    assert check_history(["  first\x00 ", "", "   ", "Sécond"], S) == ("first", "Sécond")


def test_history_keeps_the_last_turns_only() -> None:
    turns = [f"turn {i}" for i in range(10)]
    assert check_history(turns, SMALL) == ("turn 7", "turn 8", "turn 9")


def test_huge_history_is_cut_not_refused() -> None:
    turns = ["q"] * 1_000_000
    assert check_history(turns, S) == ("q",) * S.max_history_turns


def test_each_turn_is_capped() -> None:
    (turn,) = check_history(["z" * 10_000], SMALL)
    assert turn == "z" * SMALL.max_question_chars


@pytest.mark.parametrize("value", ["one question", b"bytes", 3, {"role": "user"}, {1, 2}])
def test_history_that_is_not_a_list_is_refused(value: object) -> None:
    with pytest.raises(InputError, match="history must be a list of earlier questions"):
        check_history(value, S)


def test_history_item_of_wrong_type_is_named() -> None:
    with pytest.raises(InputError, match=r"history turn 2 of 3 must be text, got dict"):
        check_history(["a", {"role": "user", "content": "b"}, "c"], S)


def test_history_item_with_invalid_utf8_is_refused() -> None:
    with pytest.raises(InputError, match="history turn 1 of 1 is not valid UTF-8"):
        check_history([b"\xc3\x28"], S)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.none(),
        st.lists(st.one_of(st.text(max_size=80), st.binary(max_size=20)), max_size=8),
        st.lists(st.text(max_size=5), min_size=100, max_size=300),
        st.integers(),
        st.text(max_size=10),
        st.lists(st.one_of(st.integers(), st.none(), st.text(max_size=5)), max_size=5),
    )
)
def test_history_result_is_clean_or_input_error(value: object) -> None:
    try:
        out = check_history(value, SMALL)
    except InputError as exc:
        assert str(exc)
        return
    assert isinstance(out, tuple)
    assert len(out) <= SMALL.max_history_turns
    for turn in out:
        assert isinstance(turn, str) and turn == turn.strip() and turn
        assert len(turn) <= SMALL.max_question_chars
        assert all(unicodedata.category(c) != "Cc" or c in "\n\t" for c in turn)


def test_cleaning_plain_text_equals_the_character_walk() -> None:
    """Oracle: the shortcut for printable ASCII gives what the full walk gives."""
    rng = random.Random(3)
    alphabet = [chr(c) for c in range(128)] + ["é", "\u202e", "ﬁ", "e\u0301"]
    samples = ["  What is X?  ", "a\tb\nc", "\x00abc\x7f", "plain words only"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(500)
    ]
    for text in samples:
        want = unicodedata.normalize("NFC", strip_controls(text)).strip()
        assert _clean(text, "the question") == want, repr(text)
