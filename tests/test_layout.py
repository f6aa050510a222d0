"""Tests of hccqa.corpus.layout.read_layout: sections, paragraph breaks, table blocks, footnotes."""

from __future__ import annotations

from pathlib import Path

from hccqa.corpus.layout import read_layout

RAW = (Path(__file__).parents[1] / "corpus" / "review.txt").read_text(encoding="utf-8")


def paragraphs(raw: str) -> list[tuple[str, str]]:
    return [(section, raw[a:b]) for section, a, b in read_layout(raw).paragraphs]


def test_review_sections_and_paragraph_count() -> None:
    layout = read_layout(RAW)
    sections = [s for s, _, _ in layout.paragraphs]
    assert list(dict.fromkeys(sections)) == [
        "Abstract",
        "Core tip",
        "Introduction",
        "Resistance to anti-angiogenic drugs of HCC cells",
        "New mechanisms of resistance to anti-angiogenic drugs",
        "Conclusion",
    ]
    # Abstract 1, Core tip 1, Introduction 2, Resistance 5, New mechanisms 2, Conclusion 1
    assert len(layout.paragraphs) == 12


def test_review_table_block_and_footnote() -> None:
    layout = read_layout(RAW)
    lines = RAW.splitlines()
    assert lines[layout.table_lines[0]].startswith(" Table 1")
    assert lines[layout.table_lines[-1]] == "ligand 4."
    assert len(layout.footnotes) == 1
    a, b = layout.footnotes[0]
    assert RAW[a:b].startswith("EGFR: Epidermal") and RAW[a:b].endswith("Delta-like \nligand 4.")


def test_page_break_inside_a_sentence_does_not_split() -> None:
    raw = (
        "It improved by approximately 3 mo \n\nin advanced patients. Then it was improv-\n\ning.\n"
    )
    assert paragraphs(raw) == [("", raw.rstrip())]


def test_blank_line_and_indent_break_paragraphs() -> None:
    raw = "First one ends here.\n\nSecond starts.\nIt goes on.\n Third after an indent.\n"
    assert [t for _, t in paragraphs(raw)] == [
        "First one ends here.",
        "Second starts.\nIt goes on.",
        "Third after an indent.",
    ]


def test_headings_labels_and_titles() -> None:
    raw = (
        "Abstract\nText of the abstract.\n Core tip: The tip.\nRESISTANCE TO ANTI-ANGIOGENIC \n"
        "DRUGS OF HCC CELLS\nHCC cells resist.\n\nCONCLUSION\nDone.\n"
    )
    assert paragraphs(raw) == [
        ("Abstract", "Text of the abstract."),
        ("Core tip", "The tip."),
        ("Resistance to anti-angiogenic drugs of HCC cells", "HCC cells resist."),
        ("Conclusion", "Done."),
    ]


def test_an_upper_case_heading_keeps_the_names_the_text_writes() -> None:
    raw = (
        "THE HARGRAVE BOX KITE\nA box kite of Hargrave has cells, unlike a KAP rig.\n\n"
        "BOX KITES TODAY\nMost box kites are sold flat.\n"
    )
    assert [section for section, _ in paragraphs(raw)] == [
        "The Hargrave box kite",  # "Hargrave" follows a lower-case word in the text
        "Box kites today",  # "Most" opens a sentence: no name
    ]


def test_table_rows_without_title_are_still_removed() -> None:
    row = "Chen et al[24] 2011 Sorafenib PI3K/Akt Mediates acquired resistance"
    raw = f"Before it.\n{row}\nAfter it.\n"
    assert [t for _, t in paragraphs(raw)] == ["Before it.", "After it."]
    assert read_layout(raw).table_lines == (1,)
