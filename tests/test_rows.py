"""Row filters and row matching on the real curated tables (no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa.answer.rows import match_rows, parse_filters, pathway_terms, row_drugs, row_passes
from hccqa.corpus.loader import Corpus, load_corpus
from hccqa.types import Hit, Passage, TableRow

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(CORPUS)


def ids(matches: list) -> list[str]:
    return [m.row.id for m in matches]


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("studies from 2013", (2013, 2013)),
        ("between 2011 and 2013", (2011, 2013)),
        ("from 2011 to 2012", (2011, 2012)),
        ("since 2012", (2012, 9999)),
        ("after 2012", (2013, 9999)),
        ("before 2012", (0, 2011)),
        ("no year here", None),
    ],
)
def test_year_filters(question: str, years: tuple[int, int] | None) -> None:
    assert parse_filters(question).years == years


def test_phase_roman_and_arabic() -> None:
    assert parse_filters("phase III trials").phases == ("Phase 3",)
    assert parse_filters("a phase-4 study").phases == ("Phase 4",)


def test_filters_use_the_table_vocabulary(corpus: Corpus) -> None:
    f = parse_filters(
        "Which 2013 studies looked at epithelial-mesenchymal transition?",
        rows=corpus.rows,
        glossary=corpus.glossary,
    )
    assert f.years == (2013, 2013)
    assert f.pathways == ("EMT",)
    assert f.listing


def test_outcome_and_second_line() -> None:
    f = parse_filters("Which phase 3 trials after sorafenib failed showed no survival benefit?")
    assert f.outcomes == ("no survival benefit",)
    assert f.second_line is True
    assert f.table == "table1"


def test_row_cells_split() -> None:
    row = TableRow(
        "table1:43",
        "table1",
        43,
        "Llovet et al",
        2013,
        "Brivanib after sorafenib failed",
        "Phase 3",
    )
    assert row_drugs(row) == ("brivanib",)
    assert pathway_terms("TGF-β-and PI3K/Akt") == ("TGF-β", "PI3K/Akt", "PI3K", "Akt")
    assert pathway_terms("EMT and hedgehog signaling") == ("EMT", "hedgehog")
    assert pathway_terms("microRNA-193b") == ("microRNA-193b", "microRNA")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Which drugs failed in phase 3 trials?",
            ["table1:40", "table1:41", "table1:42", "table1:43", "table1:44"],
        ),
        (
            "Which phase 3 trials showed no survival benefit?",
            ["table1:42", "table1:43", "table1:44"],
        ),
        ("Which trials were second-line after sorafenib failed?", ["table1:43", "table1:44"]),
        ("Which 2013 studies on EMT?", ["table2:28", "table2:30"]),
        (
            "Which studies implicate autophagy?",
            ["table2:31", "table2:32", "table2:33", "table2:34"],
        ),
        ("What did Xiong et al find?", ["table2:50"]),
        ("Is sorafenib safe?", ["table1:13", "table1:14"]),
    ],
)
def test_filter_matches(corpus: Corpus, question: str, expected: list[str]) -> None:
    got = match_rows(question, [], corpus, quoted=[])
    assert ids(got) == expected
    assert all(m.reason.startswith("filter:") for m in got)


def test_unselective_drug_alone_shows_no_rows(corpus: Corpus) -> None:
    # every Table 2 study is about sorafenib: the word alone must not dump the table
    assert match_rows("How does sorafenib work?", [], corpus, quoted=[]) == []


def test_off_topic_shows_no_rows(corpus: Corpus) -> None:
    assert match_rows("How do I bake bread?", [], corpus, quoted=[]) == []


def test_cited_rows_from_quoted_sentence(corpus: Corpus) -> None:
    text = "In 2011, Chen et al[24] reported that PI3K/Akt mediates acquired resistance."
    got = match_rows(
        "What mediates acquired resistance?", [], corpus, quoted=[("review:p021", text, text)]
    )
    assert ids(got) == ["table2:24"]
    assert got[0].reason == "cited as [24] in review:p021"


def test_the_authors_sentence_is_credited_to_the_previous_citation(corpus: Corpus) -> None:
    passage = "Ezzoukhry et al[22] found differences. The authors also showed that EGFR mattered."
    got = match_rows(
        "What determines primary resistance?",
        [],
        corpus,
        quoted=[("review:p019", "The authors also showed that EGFR mattered.", passage)],
    )
    assert ids(got) == ["table2:22"]


def test_direct_match_needs_the_threshold(corpus: Corpus) -> None:
    row = corpus.row("table2:36")
    assert ids(match_rows("tell me more", [], corpus, [(row, 0.9)], quoted=[])) == ["table2:36"]
    assert match_rows("tell me more", [], corpus, [(row, 0.3)], quoted=[]) == []


def test_default_quote_is_the_best_passage(corpus: Corpus) -> None:
    p = Passage("x:p0", "x", "S", "Xiong et al[50] reported TECs resistance.", (50,))
    got = match_rows("Is resistance seen in endothelial cells?", [Hit(p, 1.0, 1)], corpus)
    assert ids(got) == ["table2:50"]
    assert got[0].reason.startswith("cited as [50]")


def test_a_cited_row_beside_the_point_is_not_shown(corpus: Corpus) -> None:
    # the quote cites Chow et al (EMT, acquired resistance); the question shares no
    # distinctive word with that row ("sorafenib" is in most rows)
    text = "Chow et al[28] reported more aggressive tumors."
    got = match_rows("How does sorafenib work?", [], corpus, quoted=[("p", text, text)])
    assert got == []


def test_row_passes_checks_every_field(corpus: Corpus) -> None:
    f = parse_filters("phase 4 safety", rows=corpus.rows)
    assert row_passes(corpus.row("table1:13"), f)
    assert not row_passes(corpus.row("table1:10"), f)


def test_who_question_names_the_study_of_the_quote_with_an_author(corpus: Corpus) -> None:
    bare = "Both kinds of resistance were reported[21]."
    named = "Recently, Chow et al[28] reported more aggressive tumors."
    got = match_rows(
        "Who found that resistant tumors are more aggressive?",
        [],
        corpus,
        quoted=[("review:p018", bare, bare), ("review:p027", named, named)],
    )
    assert ids(got) == ["table2:28"]


def test_who_question_about_a_study_outside_the_tables_shows_no_row(corpus: Corpus) -> None:
    s = "In 2010, Wang et al[51] showed transdifferentiation."
    got = match_rows(
        "Who showed that TECs come from stem-like cells?", [], corpus, quoted=[("p", s, s)]
    )
    assert got == []


def test_effect_words_select_rows_only_for_study_lists(corpus: Corpus) -> None:
    narrative = "What is the difference between primary and acquired resistance?"
    assert match_rows(narrative, [], corpus, quoted=[]) == []
    listing = "Which studies report acquired resistance?"
    assert ids(match_rows(listing, [], corpus, quoted=[])) == [
        "table2:24",
        "table2:25",
        "table2:28",
        "table2:33",
    ]


def test_a_drug_named_beside_sorafenib_selects_its_own_rows(corpus: Corpus) -> None:
    got = match_rows("Why did sunitinib do worse than sorafenib?", [], corpus, quoted=[])
    assert ids(got) == ["table1:41", "table2:46", "table2:47"]


@pytest.mark.parametrize(
    ("question", "author"),
    [
        ("what did lencioni 2014 find", "Lencioni"),
        ("xia 2013 finding", "Xia"),
        ("paez-ribes result", "Pàez-Ribes"),
        ("blivet 2012", "Eggelpoël"),
    ],
)
def test_authors_are_named_in_any_case_and_without_accents(
    corpus: Corpus, question: str, author: str
) -> None:
    assert parse_filters(question, rows=corpus.rows).authors == (author,)
    assert parse_filters("Which trials were shown in 2013?", rows=corpus.rows).authors == ()


def test_terse_list_of_failed_first_line_drugs(corpus: Corpus) -> None:
    for q in ("first line drugs that failed?", "What are the first-line options that failed?"):
        got = match_rows(q, [], corpus, quoted=[])
        assert ids(got) == ["table1:40", "table1:41", "table1:42"], q


def test_for_example_sentence_is_credited_to_the_previous_citation(corpus: Corpus) -> None:
    passage = "Ezzoukhry et al[22] found differences. For example, Hep3B cells were resistant."
    quote = "For example, Hep3B cells were resistant."
    got = match_rows("is hep3b resistant to sorafenib", [], corpus, quoted=[("p", quote, passage)])
    assert ids(got) == ["table2:22"]


def test_the_study_named_by_an_on_point_quote_is_shown(corpus: Corpus) -> None:
    text = "Cheng et al[12] also reported that sorafenib was well tolerated in the Asia-Pacific."
    got = match_rows("does sorafenib work in asia", [], corpus, quoted=[("p", text, text)])
    assert ids(got) == ["table1:12"]


def test_a_named_study_needs_a_quote_holding_half_the_distinctive_words(corpus: Corpus) -> None:
    # "targeting" is the only question word the quote holds; angiogenesis and HCC are not
    text = "Similarly, Pàez-Ribes et al[47] showed that inhibitors targeting VEGF elicit invasion."
    got = match_rows("why target angiogenesis in hcc", [], corpus, quoted=[("p", text, text)])
    assert got == []


def test_a_named_author_selects_only_that_surname(corpus: Corpus) -> None:
    # "Chen" is not "Cheng"; a who-question naming an author is answered by the filter
    got = match_rows("who is chen", [], corpus, quoted=[])
    assert ids(got) == ["table2:24", "table2:26"]


def test_row_words_spell_out_whole_abbreviations_only() -> None:
    from hccqa.answer.rows import _row_words

    row = TableRow("table2:9", "table2", 9, "Doe et al", 2013, "Sorafenib", pathway="VEGFR")
    glossary = (("VEGF", "vascular endothelial growth factor"), ("FGF", "fibroblast growth factor"))
    per_row, _ = _row_words((row,), ("pathway",), glossary)
    # "VEGF" and "FGF" are inside "VEGFR" but are not the abbreviation the cell names
    assert per_row["table2:9"] == {"vegfr"}
    row2 = TableRow("table2:8", "table2", 8, "Roe et al", 2012, "Sorafenib", pathway="VEGF")
    per_row, common = _row_words((row, row2), ("pathway", "drug"), glossary)
    assert {"vascular", "endotheli", "growth", "factor"} <= per_row["table2:8"]
    assert common == {"sorafenib"}  # in both rows: more than half
