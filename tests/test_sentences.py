"""Tests of hccqa.corpus.sentences.split_sentences on the tricky cases of the review."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccqa.corpus.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Chen et al. reported that activation of PI3K mediates resistance.",
        "Chen et al[24] reported that activation of PI3K mediates resistance.",
        "Sorafenib vs. Placebo was compared in 602 patients.",
        "The median survival improved by approximately 3 mo in advanced HCC patients.",
        "Several kinases, e.g. Raf and VEGFR, are inhibited.",
        "Several kinases, i.e. Raf and VEGFR, are inhibited.",
        "As shown in Fig. 2 the tumors grew.",
        "Survival was 10.7 mo with sorafenib and 7.9 mo with placebo.",
        "Wang et al. [51] and Ricci-Vitiani et al. [52] showed it.",
    ],
)
def test_no_false_break(text: str) -> None:
    assert sentences(text) == [text]


def test_breaks_after_citation_and_period() -> None:
    text = "They were resistant[24]. The authors also showed it[25,26]. Finally, x."
    assert sentences(text) == [
        "They were resistant[24].",
        "The authors also showed it[25,26].",
        "Finally, x.",
    ]


def test_breaks_before_digits_and_citations_after_period() -> None:
    assert sentences("It ended. 2008 was the year. [3] Another.") == [
        "It ended.",
        "2008 was the year.",
        "[3] Another.",
    ]


def test_question_and_exclamation_marks() -> None:
    assert sentences("Does it work? Yes! It does.") == ["Does it work?", "Yes!", "It does."]


def test_lower_case_after_period_is_not_a_break() -> None:
    assert sentences("It was seen in vitro. and in vivo.") == ["It was seen in vitro. and in vivo."]


def test_numbered_abbreviation_only_before_a_number() -> None:
    assert sentences("See Fig. 3 for details. It is no. The end.") == [
        "See Fig. 3 for details.",
        "It is no.",
        "The end.",
    ]


def test_trailing_text_without_period_and_blank_input() -> None:
    assert sentences("  First one.  Second without end  ") == ["First one.", "Second without end"]
    assert split_sentences("") == []
    assert split_sentences("   ") == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab. A1[]?!\n", max_size=80))
def test_spans_cover_all_non_space_characters_in_order(text: str) -> None:
    spans = split_sentences(text)
    covered = "".join(text[a:b] for a, b in spans)
    assert covered.replace(" ", "").replace("\n", "") == "".join(text.split())
    for (a, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert a < b <= c
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()
