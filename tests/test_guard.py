"""Unit and property tests of hccqa.guard (question and history validation)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccqa.errors import InputError
from hccqa.guard import check_history, check_question
from hccqa.settings import Settings

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
