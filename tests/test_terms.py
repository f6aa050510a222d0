"""hccqa.understand.terms stemming: the memoized stems behave like the plain function."""

from __future__ import annotations

import Stemmer

from hccqa.understand import terms


def test_stems_split_compounds_and_lower_case() -> None:
    assert terms.stems(["Sorafenib-resistant", "cells/tissues"]) == [
        "sorafenib",
        "resist",
        "cell",
        "tissu",
    ]


def test_memoized_stems_equal_plain_stemming_and_are_fresh_lists() -> None:
    tokens = ["Hypoxia", "induced", "EMT", "anti-angiogenic", "VEGF/VEGFR"]
    plain = Stemmer.Stemmer("english").stemWords(
        ["hypoxia", "induced", "emt", "anti", "angiogenic", "vegf", "vegfr"]
    )
    first = terms.stems(tokens)
    assert first == list(plain)
    first.append("poison")  # a caller mutating its result must not change the next one
    assert terms.stems(tokens) == list(plain)


def test_content_stems_drop_stop_words() -> None:
    # "role" is one of the project's stop words (questions say "what is the role of ...").
    assert terms.content_stems("What is the role of the hypoxia in tumours?") == {
        "hypoxia",
        "tumour",
    }


def test_users_shorthand_is_written_as_the_review_writes_it() -> None:
    from hccqa.understand.terms import americanize

    assert (
        americanize("how many pts in the phase IV study")
        == "how many patients in the phase 4 study"
    )
    assert americanize("trials w/ no benefit, phase iii") == "trials with no benefit, phase 3"
    assert americanize("Phase I and patients") == "Phase I and patients"
