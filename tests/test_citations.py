"""Tests of hccqa.corpus.citations: one per bracket shape, malformed ones, and first authors."""

from __future__ import annotations

from hccqa.corpus.citations import (
    Citation,
    cited_numbers,
    find_authors,
    find_citations,
    named_next,
    parse_brackets,
)


def test_single() -> None:
    assert parse_brackets("[24]") == (24,)


def test_list() -> None:
    assert parse_brackets("[10,11]") == (10, 11)


def test_range() -> None:
    assert parse_brackets("[26-29]") == (26, 27, 28, 29)
    assert parse_brackets("[35-38]") == (35, 36, 37, 38)
    assert parse_brackets("[1-3]") == (1, 2, 3)


def test_mixed() -> None:
    assert parse_brackets("[25,26,28-30]") == (25, 26, 28, 29, 30)
    assert parse_brackets("[9,15-17]") == (9, 15, 16, 17)


def test_without_brackets_spaces_and_en_dash() -> None:
    assert parse_brackets("25, 26, 28–30") == (25, 26, 28, 29, 30)


def test_malformed_parts_are_dropped() -> None:
    assert parse_brackets("[30-28]") == ()  # reversed range
    assert parse_brackets("[5,,x,7]") == (5, 7)
    assert parse_brackets("[1-999]") == ()  # absurd range
    assert parse_brackets("[]") == ()
    assert parse_brackets("[-]") == ()
    assert parse_brackets("[24") == ()
    assert parse_brackets("[2,2]") == (2,)


def test_find_citations_spans_and_numbers() -> None:
    text = "HCC[9,15-17]. Cheng et al[12] also [x] and [a, b] and [24"
    assert find_citations(text) == [
        Citation(3, 12, (9, 15, 16, 17)),
        Citation(25, 29, (12,)),
    ]
    assert text[3:12] == "[9,15-17]"


def test_none() -> None:
    assert find_citations("No citation here (Table 1).") == []
    assert cited_numbers("") == ()


def test_cited_numbers_sorted_unique() -> None:
    assert cited_numbers("a[17,39] b[17] c[1-3]") == (1, 2, 3, 17, 39)


def test_authors_and_years() -> None:
    text = (
        "In 2011, Chen et al[24] reported it. Similarly, Blivet-Van Eggelpoël et al[21] "
        "showed it. In 2010, Wang et al[51] and Ricci-Vitiani et al[52] provided evidence. "
        "Pàez-Ribes et al[47] too; many studies[26-29] and Zhai et al[17,39] agree."
    )
    assert find_authors(text) == {
        24: ("Chen et al", 2011),
        21: ("Blivet-Van Eggelpoël et al", None),
        51: ("Wang et al", 2010),
        52: ("Ricci-Vitiani et al", 2010),
        47: ("Pàez-Ribes et al", None),
    }


def test_first_naming_wins() -> None:
    assert find_authors("Chen et al[24] said. Later Chen et al[24] again, Wu et al[24].") == {
        24: ("Chen et al", None)
    }


def test_named_next_is_the_next_sentence_when_it_names_the_study_described() -> None:
    context = "A trial ran on 9 roofs. This study found fewer mites[4]. Then it rained."
    assert named_next("A trial ran on 9 roofs.", context) == "This study found fewer mites[4]."
    # passages joined may hold the sentence twice; the second is followed by the naming
    twice = "A trial ran on 9 roofs. A trial ran on 9 roofs. This trial cut mites[4]."
    assert named_next("A trial ran on 9 roofs.", twice) == "This trial cut mites[4]."
    # the next sentence ends where the splitter ends it: not at "et al.", after a citation
    dotted = (
        "A trial ran on 9 roofs. This study, like Ames et al. before, cut mites.[4] "
        "Then Brook et al. found more.[5]"
    )
    assert named_next("A trial ran on 9 roofs.", dotted) == (
        "This study, like Ames et al. before, cut mites.[4]"
    )
    assert named_next("A trial ran on 9 roofs.", "A trial ran on 9 roofs. Mites fell[4].") == ""
    # a sentence opening on another analysis does not point back
    other = "A trial ran on 9 roofs. The analysis of 12 other trials found more[4]."
    assert named_next("A trial ran on 9 roofs.", other) == ""
    assert named_next("Not in the text.", context) == ""
    assert named_next("", context) == ""
