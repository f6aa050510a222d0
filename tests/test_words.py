"""hccqa.understand.words: the one tokenizer, folding, stems, function words (pure)."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
import Stemmer

import hccqa.understand.words as words_module
from hccqa.understand.words import (
    ASKING,
    SHORTHAND,
    STOPWORDS,
    TextMemo,
    content_stems,
    fold,
    has_number,
    parts,
    stem,
    stem_set,
    tokens,
)


def test_fold_lowers_drops_accents_and_spells_out_greek() -> None:
    assert fold("Crème BRÛLÉE") == "creme brulee"
    assert fold("IL-β and α-toxin") == "il-beta and alpha-toxin"
    assert fold("plain") == "plain"
    assert fold("ASCII Only: IL-6/STAT3, 2019!") == "ascii only: il-6/stat3, 2019!"


def test_tokens_keep_inner_hyphens_and_slashes_and_split_at_apostrophes() -> None:
    toks = tokens("Ng's anti-fungal paste, FOO/Bar and ZX-81 hives!")
    assert [t.text for t in toks] == [
        "Ng",
        "s",
        "anti-fungal",
        "paste",
        "FOO/Bar",
        "and",
        "ZX-81",
        "hives",
    ]
    assert [t.norm for t in toks][4] == "foo/bar"
    # offsets point back into the text
    text = "Ng's anti-fungal paste, FOO/Bar and ZX-81 hives!"
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_token_kinds_function_asking_and_content_words() -> None:
    by_text = {t.text: t for t in tokens("Which studies tell me why the hives swarm in May 7")}
    assert by_text["Which"].stop and not by_text["Which"].content
    assert not by_text["studies"].stop and not by_text["studies"].content  # asking word
    assert by_text["hives"].content and by_text["swarm"].content
    assert by_text["7"].content  # a lone digit is a topic (a year, a phase), a lone letter not
    assert not tokens("a b c")[1].content


def test_stems_match_the_english_snowball_stemmer_and_join_compound_parts() -> None:
    snowball = Stemmer.Stemmer("english")
    for word in ("swarming", "colonies", "treated", "queens"):
        assert stem(word) == snowball.stemWord(word)
    assert stem("anti-fungal") == "anti-fungal"
    assert stem("bee-keeping") == f"bee-{snowball.stemWord('keeping')}"


def test_parts_of_a_compound_include_the_parts_and_the_solid_spelling() -> None:
    (tok,) = tokens("ZX-81")
    assert parts(tok) == ("zx-81", "zx", "81", "zx81")
    (single,) = tokens("Colonies")
    assert parts(single) == (stem("colonies"),)


def test_stem_set_and_content_stems() -> None:
    assert stem_set("The queens were laying") == {"the", "queen", "were", "lay"}
    # function and asking words are not topics
    assert content_stems("Which studies tell me about swarming bees?") == {"swarm", "bee"}
    assert content_stems("") == frozenset()


def test_results_are_memoized_but_never_shared_mutable() -> None:
    first = tokens("drone brood removal")
    assert tokens("drone brood removal") is first  # same frozen tuple from the cache
    assert isinstance(stem_set("drone brood"), frozenset)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 frames", True),
        ("five hives", True),
        ("nine tenths of the mites", True),
        ("fourteen hives", True),
        ("some eighty frames", True),
        ("the majority of bees", True),
        ("in 2014 [12]", False),  # a year and a citation are not quantities
        ("cells of line ZX-81", False),  # a numbered name is not a quantity
        ("no number here", False),
    ],
)
def test_has_number(text: str, expected: bool) -> None:
    assert has_number(text) is expected


def _hang(signum: int, frame: object) -> None:
    raise TimeoutError("still matching after 60 s: the pattern backtracks")


def test_has_number_over_a_long_run_of_letters() -> None:
    # (a name-with-number pattern tried from every letter backwards took 36 s on 40,000
    # letters and hours on 200,000: a hang fails the test instead of stalling the suite)
    signal.signal(signal.SIGALRM, _hang)
    signal.alarm(60)
    try:
        run = has_number("x" * 200_000)
    finally:
        signal.alarm(0)
    assert run is False
    assert has_number("x" * 200_000 + "-7 and then some") is False  # one numbered name
    assert has_number("x" * 200_000 + " 7 cells") is True


def test_word_lists_are_general_english() -> None:
    assert {"the", "which", "what", "don"} <= STOPWORDS
    assert {"study", "tell", "list"} <= ASKING
    assert SHORTHAND["pts"] == "patients" and SHORTHAND["w/"] == "with"
    assert not STOPWORDS & {"hive", "mite", "queen"}


def test_the_stemmer_is_safe_from_many_threads() -> None:
    words = [f"swarming{i}" for i in range(200)] + ["colonies", "treated"] * 100
    serial = [stem(w) for w in words]
    stem.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(stem, words)) == serial


def test_a_text_memo_is_bounded_by_the_length_of_what_it_keeps() -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = TextMemo(shout, max_chars=1900)
    assert memo("bee") == "BEE" and memo("bee") == "BEE" and calls == ["bee"]
    for i in range(200):
        memo(f"question number {i:03d}")  # 19 characters each
    assert memo.chars <= 1900 and len(memo) == 1900 // 19
    assert memo("question number 199") and calls.count("question number 199") == 1  # kept
    memo("question number 000")  # the oldest went first
    assert calls.count("question number 000") == 2
    long = "x" * 30  # more than 1900 / 64: computed, never kept
    memo(long) and memo(long)
    assert calls.count(long) == 2


def test_distinct_long_questions_cannot_fill_the_word_memos() -> None:
    for i in range(3000):
        content_stems(f"{i} " + "mite " * 380)  # about the longest question accepted
    assert words_module._tokens.chars <= words_module.MEMO_CHARS
    assert words_module._content_stems.chars <= words_module.MEMO_CHARS
