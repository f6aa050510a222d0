"""Tests of hccqa.corpus.text: dehyphenation rules, whitespace, the span map, normalize."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccqa.corpus.text import Lexicon, clean, clean_with_map, normalize

RAW = (Path(__file__).parents[1] / "corpus" / "review.txt").read_text(encoding="utf-8")
LEXICON = Lexicon.from_text(RAW)


def test_normalize_is_the_gold_format_definition() -> None:
    assert normalize("Anti-Angiogenesis [24], Pàez-Ribes!") == "antiangiogenesis24paezribes"
    assert normalize("TGF-β") == "tgf"  # β has no NFKD ascii form, so it is dropped
    assert normalize("") == ""


# -- every line-end hyphen the issue lists, decided with the review's own lexicon -------------


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("develop-\nment", "development"),
        ("improv-\n\ning", "improving"),
        ("Eggel-\npoël", "Eggelpoël"),
        ("signal-\n\ning", "signaling"),
        ("anti-\nbodies", "antibodies"),
        ("anti-\nproliferative", "anti-proliferative"),
        ("Asia-\nPacific", "Asia-Pacific"),
        ("stem-\nlike", "stem-like"),
        ("cancer-\nrelated", "cancer-related"),
        ("anti-angio-\ngenesis", "anti-angiogenesis"),
        ("anti-\nangiogenesis", "anti-angiogenesis"),
        ("anti-\ncancer", "anti-cancer"),
        ("recep-\ntors/PDGF", "receptors/PDGF"),
        ("SNU-\n449", "SNU-449"),
        ("re-\nmarkably", "remarkably"),
        ("pro-\ngressed", "progressed"),
    ],
)
def test_line_end_hyphens_with_review_lexicon(broken: str, expected: str) -> None:
    assert clean(broken, LEXICON) == expected


def test_every_line_end_hyphen_of_the_review_is_decided_as_curated() -> None:
    # The hyphens kept are exactly the real ones; every other break is joined.
    kept = set()
    for m in re.finditer(r"[^\s\[]+-[ \t]*\n\s*[^\s,.;\[]+", RAW):
        cleaned = clean(m.group(0), LEXICON)
        if cleaned.count("-") == m.group(0).count("-"):  # the line-end hyphen survived
            kept.add(cleaned)
    assert kept == {
        "anti-proliferative",
        "cancer-related",
        "Asia-Pacific",
        "anti-cancer",
        "anti-angiogenesis",
        "stem-like",
    }


def test_rules_without_a_lexicon() -> None:
    empty = Lexicon()
    assert clean("develop-\nment", empty) == "development"  # default: join
    assert clean("anti-\nproliferative", empty) == "anti-proliferative"  # known prefix
    assert clean("non-\nsmall", empty) == "non-small"
    assert clean("stem-\nlike", empty) == "stem-like"  # known second element
    assert clean("Asia-\nPacific", empty) == "Asia-Pacific"  # capitalized right part
    assert clean("SNU-\n449", empty) == "SNU-449"  # numeric right part


def test_lexicon_beats_the_prefix_rule() -> None:
    # "antibodies" is written whole elsewhere, so anti-\nbodies joins despite the prefix.
    lexicon = Lexicon.from_text("monoclonal antibodies here\nand anti-\nbodies there")
    assert clean("anti-\nbodies", lexicon) == "antibodies"
    # the broken halves themselves are not collected as words
    assert "bodies" not in lexicon.words
    assert "anti" not in lexicon.words


def test_hyphenated_form_seen_elsewhere_is_kept() -> None:
    lexicon = Lexicon.from_text("tumor-suppressor genes\nthe tumor-\nsuppressor")
    assert clean("tumor-\nsuppressor", lexicon) == "tumor-suppressor"


def test_mid_line_hyphens_and_dashes_are_untouched() -> None:
    assert clean("TGF-β-and PI3K/Akt") == "TGF-β-and PI3K/Akt"
    assert clean("a - b") == "a - b"
    assert clean("end-\n") == "end-"  # nothing after the break


def test_whitespace_is_collapsed_and_stripped() -> None:
    assert clean("  one of  HCC \n\n patients\t x ") == "one of HCC patients x"
    assert clean("") == ""
    assert clean(" \n ") == ""


def test_span_map_points_at_the_source_characters() -> None:
    raw = "  The  develop-\nment of anti-\nproliferative \n\n drugs "
    text, offsets = clean_with_map(raw, Lexicon())
    assert text == "The development of anti-proliferative drugs"
    assert len(offsets) == len(text)
    for ch, off in zip(text, offsets, strict=True):
        assert raw[off] == ch or (ch == " " and raw[off].isspace())
    assert offsets == sorted(offsets)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab- \n\tXé9", max_size=60))
def test_span_map_property(raw: str) -> None:
    text, offsets = clean_with_map(raw, LEXICON)
    assert len(offsets) == len(text)
    assert offsets == sorted(set(offsets))
    for ch, off in zip(text, offsets, strict=True):
        assert raw[off] == ch or (ch == " " and raw[off].isspace())
    assert "  " not in text and text == text.strip()
    # cleaning the mapped span again gives the same text
    if text:
        assert clean(raw[offsets[0] : offsets[-1] + 1], LEXICON) == text
