"""hccqa.understand.spelling: typos and British/American variants, against a corpus vocabulary.

The vocabularies below are made up for the tests; the English list is passed in so that
each case says exactly which words count as English.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from hccqa.understand.spelling import _VARIANTS, MIN_LENGTH, Speller, english_words

VOCABULARY = {
    "varroa": 5,
    "okonkwo": 2,
    "lindqvist": 1,
    "zorbal": 2,
    "zorbax": 9,
    "brood": 3,
    "hive": 3,
    "color": 4,
    "signaling": 2,
    "randomized": 1,
}
ENGLISH = ["hive", "honey", "colour", "contour", "signalling", "randomised", "brook"]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY, english=ENGLISH)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("varoa", "varroa"),  # a letter missing
        ("okonkow", "okonkwo"),  # two letters swapped count as one edit
        ("lindqvst", "lindqvist"),
        ("broxd", "brood"),  # five letters: one edit
    ],
)
def test_a_typo_of_a_corpus_word_is_corrected(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "bxoxd",  # five letters, two edits: too far
        "kindqvst",  # two edits and the first letter changed
        "v4rroa",  # not a word of letters
        "hiv",  # shorter than MIN_LENGTH
        "quenzlow",  # nothing near it
    ],
)
def test_words_too_far_or_too_short_are_kept(speller: Speller, typed: str) -> None:
    assert speller.correct(typed) is None


def test_known_words_are_never_changed(speller: Speller) -> None:
    # an English word the corpus lacks may be the very thing asked about
    assert speller.correct("honey") is None
    assert speller.correct("brook") is None  # one edit from the corpus's "brood", but English
    # a corpus word stays as it is
    assert speller.correct("varroa") is None
    assert speller.known("honey") and speller.known("varroa") and not speller.known("varoa")


def test_a_typo_of_an_everyday_word_becomes_the_english_word_one_edit_away() -> None:
    speller = Speller(VOCABULARY, english=["actually", "actual", "differently", "shelter"])
    assert speller.english_typo("actualy") == "actually"  # one letter missing
    assert speller.english_typo("differntly") == "differently"
    assert speller.english_typo("sheltre") == "shelter"  # two neighbours swapped
    # correct() maps to the corpus only: the caller decides when English applies
    assert speller.correct("actualy") is None


@pytest.mark.parametrize(
    "typed",
    [
        "zorblatinib",  # a name: no English word near it
        "xctually",  # one edit, but the first letter changed
        "actul",  # one edit from "actual", but shorter than six letters
        "actually2",  # not a word of letters
        "shelxxrs",  # two edits from "shelters"
        "actually",  # English already
    ],
)
def test_other_unknown_words_have_no_english_typo(typed: str) -> None:
    speller = Speller(VOCABULARY, english=["actually", "actual", "shelter", "shelters"])
    assert speller.english_typo(typed) is None


def test_of_two_english_words_one_edit_away_the_more_frequent_wins() -> None:
    # both keep the first letter; the shipped list counts "effects" far more often
    speller = Speller(VOCABULARY, english=["effects", "elects"])
    assert speller.english_typo("efects") == "effects"
    assert Speller(VOCABULARY, english=["elects"]).english_typo("efects") == "elects"


def test_the_english_groups_are_built_once_for_many_threads() -> None:
    speller = Speller(VOCABULARY, english=["actually", "differently"])
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(speller.english_typo, ["actualy", "differntly"] * 20))
    assert found == ["actually", "differently"] * 20
    groups = speller._english_groups()
    assert groups is speller._english_groups()  # kept, not built again


def test_the_closest_then_the_most_frequent_word_wins(speller: Speller) -> None:
    # "zorba" is one edit from both "zorbal" (2 uses) and "zorbax" (9 uses)
    assert speller.correct("zorba") == "zorbax"


def test_a_variant_is_accepted_only_when_the_corpus_spells_it_the_other_way(
    speller: Speller,
) -> None:
    assert speller.correct("colour") == "color"
    assert speller.correct("signalling") == "signaling"
    assert speller.correct("randomised") == "randomized"
    assert speller.variant("colour") == "color"
    # no counterpart in the corpus: the word stays as typed (never "contor")
    assert speller.correct("contour") is None
    assert speller.variant("contour") is None


def test_variants_work_in_the_other_direction_too() -> None:
    british = Speller({"colour": 3, "tumour": 1}, english=["color", "tumor"])
    assert british.correct("color") == "colour"
    assert british.correct("tumor") == "tumour"


def test_the_one_search_precheck_skips_only_words_no_variant_rule_rewrites() -> None:
    # every rule's spot, each direction, and words with none: all give what the rules give
    vocabulary = {
        w: 1
        for w in [
            "harbor",
            "realize",
            "analyze",
            "center",
            "fetal",
            "canceled",
            "travelled",
            "defense",
            "catalog",
            "esophagus",
        ]
    }
    speller = Speller(vocabulary, english=[])
    typed = [
        "harbour",
        "realise",
        "analyse",
        "centre",
        "foetal",
        "cancelled",
        "traveled",
        "defence",
        "catalogue",
        "oesophagus",
        "hive",
        "brood",
        "tumor",
        "xyzzy",
    ]
    for word in typed:
        by_rules = next(
            (o for p, r in _VARIANTS if (o := p.sub(r, word, count=1)) != word and o in vocabulary),
            None,
        )
        assert speller.variant(word) == by_rules
    assert speller.variant("harbour") == "harbor" and speller.variant("defence") == "defense"


def test_min_length_is_small() -> None:
    assert MIN_LENGTH == 4
    assert Speller({"mite": 2}, english=[]).correct("mte") is None


def test_the_english_list_is_the_one_symspellpy_ships() -> None:
    words = english_words()
    assert len(words) > 80_000
    assert {"honey", "the", "colour", "color"} <= words
    assert "varroa" not in words and "okonkwo" not in words
    assert english_words() is words  # read once per process


def test_the_speller_is_thread_safe_and_memoized(speller: Speller) -> None:
    typed = ["varoa", "okonkow", "zorba", "broxd", "honey", "quenzlow"] * 50
    serial = [speller.correct(w) for w in typed]
    fresh = Speller(VOCABULARY, english=ENGLISH)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fresh.correct, typed)) == serial


def test_the_english_list_is_read_in_one_pass_as_symspellpy_ships_it() -> None:
    """Oracle: the words and counts are those of the file read line by line."""
    import importlib.resources

    from hccqa.understand import spelling

    path = importlib.resources.files("symspellpy").joinpath(spelling.ENGLISH_FILE)
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
    assert spelling.english_words() == frozenset(r[0] for r in rows if r)
    assert spelling.english_counts() == {r[0]: int(r[1]) for r in rows if len(r) == 2}


def test_reading_the_english_list_does_not_import_symspellpy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hccqa.understand.spelling import english_words\n"
        "assert len(english_words()) > 50000\n"
        "print('symspellpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
