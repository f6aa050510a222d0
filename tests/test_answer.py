"""Extractive answers, reference resolution and abstention signals (no model)."""

from __future__ import annotations

from hccqa.answer.compose import (
    NOT_COVERED,
    abstain_reason,
    compose_answer,
    evidence_coverage,
    missing_share,
    resolve_references,
    select_sentences,
    unknown_entities,
)
from hccqa.types import Hit, Passage, Reference, RowMatch, TableRow

REFS = {
    24: Reference(24, "Chen et al", 2011, ("table2:24",)),
    10: Reference(10, "Llovet et al", 2008, ("table1:10",)),
}
P1 = Passage(
    "review:p021",
    "review",
    "Resistance",
    "The exact mechanisms are unknown. In 2011, Chen et al[24] reported that activation of the "
    "PI3K/Akt signaling pathway mediates acquired resistance to sorafenib in HCC cells.",
    (24,),
)
P2 = Passage(
    "review:p014",
    "review",
    "Resistance",
    "Sorafenib prolonged the median survival by approximately 3 mo in HCC patients[10,11].",
    (10, 11),
)
HITS = [Hit(P1, 0.9, 1), Hit(P2, 0.5, 2)]


def test_reference_after_author_keeps_the_name_once() -> None:
    text, used = resolve_references("In 2011, Chen et al[24] reported it.", REFS)
    assert text == "In 2011, Chen et al (2011, Table 2) reported it."
    assert set(used) == {24}


def test_bare_bracket_lists_every_reference() -> None:
    text, used = resolve_references("survival[10,11].", REFS)
    assert text == "survival (Llovet et al, 2008, Table 1; ref. 11)."
    assert set(used) == {10, 11}


def test_no_citation_is_left_alone() -> None:
    assert resolve_references("Nothing cited here.", REFS) == ("Nothing cited here.", {})


def test_select_sentences_prefers_the_sentence_with_the_question_words() -> None:
    quotes = select_sentences("Which pathway mediates acquired resistance?", HITS)
    assert quotes[0].passage_id == "review:p021"
    assert "PI3K/Akt" in quotes[0].text
    assert all("exact mechanisms are unknown" not in q.text for q in quotes)


def test_answer_quotes_with_passage_markers_and_resolved_references() -> None:
    a = compose_answer("Which pathway mediates acquired resistance?", "q", HITS, [], REFS)
    assert not a.abstained
    assert a.sentences[0].marker == 1
    assert a.sentences[0].text.endswith("[P1]")
    assert "Chen et al (2011, Table 2)" in a.answer
    assert "[24]" not in a.answer
    assert 24 in a.references
    assert len(a.passages) == 2


def test_table_question_lists_the_rows_first() -> None:
    row = TableRow(
        "table2:24",
        "table2",
        24,
        "Chen et al",
        2011,
        "Sorafenib",
        pathway="PI3K/Akt",
        effect="Mediates acquired resistance",
    )
    a = compose_answer(
        "Which studies?", "q", HITS, [RowMatch(row, "filter")], REFS, table_intent=True
    )
    first = a.answer.splitlines()[:2]
    assert first == [
        "Table rows:",
        "- Chen et al (2011, Table 2): Sorafenib; PI3K/Akt; Mediates acquired resistance",
    ]


def test_abstention_says_so_names_the_nearest_and_shows_no_rows() -> None:
    row = TableRow("table2:24", "table2", 24, "Chen et al", 2011, "Sorafenib")
    a = compose_answer("bread?", "bread?", HITS, [RowMatch(row, "x")], REFS, abstain="off topic")
    assert a.abstained
    assert a.answer.startswith(NOT_COVERED)
    assert a.rows == ()
    assert a.nearest and "Resistance" in a.nearest


def test_unknown_entities_are_named() -> None:
    blob = "sorafenib and brivanib with egfr"
    assert unknown_entities("What are the side effects of lenvatinib?", blob) == ["lenvatinib"]
    assert unknown_entities("Does EGFR matter for sorafenib?", blob) == []


def test_coverage_signals() -> None:
    # "pathway", "mediates", "acquired", "resistance" all in P1: coverage 1.0
    assert evidence_coverage("Which pathway mediates acquired resistance?", HITS) == 1.0
    # "dose" is absent from the whole text, "sorafenib" present: half missing
    assert missing_share("What dose of sorafenib is used?", P1.text.lower()) == 0.5


def test_abstain_reason_uses_measured_signals() -> None:
    blob = (P1.text + " " + P2.text).lower()
    assert abstain_reason("Which pathway mediates acquired resistance?", HITS, 0.7, blob) is None
    assert "cosine" in (abstain_reason("How do I bake bread?", HITS, 0.05, blob) or "")
    assert "lenvatinib" in (abstain_reason("Is lenvatinib better?", HITS, 0.9, blob) or "")
    assert abstain_reason("What dose of sorafenib is used?", HITS, 0.5, blob) is not None
    assert abstain_reason("anything", [], 0.9, blob) == "nothing was retrieved"


def test_british_spellings_and_greek_letters_are_normalized() -> None:
    from hccqa.understand.terms import americanize

    assert americanize("Do tumours spread?") == "Do tumors spread?"
    assert americanize("Was it randomised?") == "Was it randomized?"
    assert americanize("tumour vascularisation") == "tumor vascularization"
    assert americanize("metastasising HCC") == "metastasizing HCC"
    # words that only look British stay as typed
    for text in ("what is promising", "a concise summary", "otherwise", "the metastasis"):
        assert americanize(text) == text
    assert americanize("Is TGF-beta involved?") == "Is TGF-β involved?"


def test_definition_question_quotes_the_sentence_spelling_out_the_abbreviation() -> None:
    from hccqa.answer.compose import defined_long_form

    def expand(text: str) -> str:
        return text + (" vascular endothelial growth factor" if "VEGF" in text else "")

    assert defined_long_form("what's VEGF", expand) == {"vascular", "endotheli", "growth", "factor"}
    assert defined_long_form("What is VEGF doing in resistance?", expand) == set()
    mention = Passage("x:p1", "x", "S", "Bevacizumab is a VEGF inhibitor used in trials.", ())
    spelled = Passage("x:p2", "x", "S", "It blocks vascular endothelial growth factor (VEGF).", ())
    hits = [Hit(mention, 0.9, 1)] + [Hit(mention, 0.5, i) for i in range(2, 8)]
    hits.append(Hit(spelled, 0.2, 8))  # beyond the usual pool of 5
    quotes = select_sentences("what's VEGF", hits, expand=expand)
    assert quotes[0].passage_id == "x:p2"


def test_unknown_name_with_mostly_unknown_words_is_refused_even_when_close() -> None:
    blob = (P1.text + " " + P2.text).lower()
    # cosine 0.7 would answer; TACE and "intermediate" are nowhere in the text
    why = abstain_reason("is TACE better than sorafenib for intermediate hcc", HITS, 0.7, blob)
    assert why is not None and "TACE" in why
    # an unknown shorthand among known words is still answered
    assert abstain_reason("PI3K/Akt TKI acquired resistance in HCC", HITS, 0.7, blob) is None


def test_sentence_selection_matches_variants_the_stemmer_keeps_apart() -> None:
    # "safe" / "safety" and "angiogenic" / "angiogenesis" stem differently
    other = Passage("x:p1", "x", "S", "Anti-angiogenic drugs were approved in many countries.", ())
    on = Passage(
        "x:p2", "x", "S", "The safety of anti-angiogenesis therapies is controversial.", ()
    )
    quotes = select_sentences(
        "is anti angiogenic therapy safe", [Hit(other, 0.9, 1), Hit(on, 0.8, 2)]
    )
    assert quotes[0].passage_id == "x:p2"


def test_passages_citing_a_named_study_or_spelling_out_the_asked_abbreviation_come_first() -> None:
    from hccqa.answer.compose import promote_passages

    llovet = TableRow("table1:10", "table1", 10, "Llovet et al", 2008, drug="Sorafenib")
    other = Passage("x:p1", "x", "S", "Trials of brivanib failed.", (40,))
    cites = Passage("x:p2", "x", "S", "A trial in 2008 in 21 Western countries[10,11].", (10, 11))
    hits = [Hit(other, 0.9, 1), Hit(cites, 0.5, 2)]
    got = promote_passages("when was the llovet trial", hits, rows=[llovet], authors=["Llovet"])
    assert [(h.passage.id, h.rank) for h in got] == [("x:p2", 1), ("x:p1", 2)]
    assert promote_passages("when was the trial", hits, rows=[llovet]) == hits

    def expand(text: str) -> str:
        return text + (" cancer stem cells" if "CSCs" in text else "")

    stem = Passage("x:p3", "x", "S", "Mechanisms such as cancer stem cells were involved.", ())
    got = promote_passages("CSCs meaning", [Hit(other, 0.9, 1), Hit(stem, 0.2, 2)], expand=expand)
    assert got[0].passage.id == "x:p3"
