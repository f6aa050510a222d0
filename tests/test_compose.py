"""hccqa.answer.compose: quotes with passage markers, references resolved, rows, refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tablefakes import make_row

from hccqa.answer.compose import (
    MAX_QUOTES,
    _entries,
    compose,
    dated_by_rows,
    not_covered,
    of_the_referent,
    resolve_references,
    row_line,
    select_quotes,
)
from hccqa.answer.evidence import Evidence, Scored, gather
from hccqa.qa import QA
from hccqa.types import Hit, Nearest, Passage, Reference, RowMatch
from hccqa.understand.query import Shown, understand

REFS = {
    7: Reference(7, "Smith et al", 2001, ("trials:7",), ("Trials",)),
    8: Reference(8, "Jones et al", None),  # the text names the author, nothing else
}


# -- references ---------------------------------------------------------------------------------


def test_a_reference_known_only_by_its_author_renders_the_name_once() -> None:
    text, used = resolve_references("Jones et al[8] showed that hives cool at night.", REFS)
    assert text == "Jones et al showed that hives cool at night."
    assert "(Jones et al)" not in text
    assert set(used) == {8}


def test_after_the_authors_name_only_the_rest_is_added() -> None:
    text, _ = resolve_references("Smith et al[7] showed it.", REFS)
    assert text == "Smith et al (2001, Trials) showed it."


def test_a_year_the_sentence_states_is_not_repeated() -> None:
    text, _ = resolve_references("In 2001, Smith et al[7] showed it.", REFS)
    assert text == "In 2001, Smith et al (Trials) showed it."


def test_a_bare_bracket_lists_every_reference() -> None:
    text, used = resolve_references("Hives cool at night[7,8,9].", REFS)
    assert text == "Hives cool at night (Smith et al, 2001, Trials; Jones et al; ref. 9)."
    assert set(used) == {7, 8, 9}
    assert used[9] == Reference(9, None, None)  # a number the corpus knows nothing about


def test_a_range_and_no_citation() -> None:
    text, used = resolve_references("Three studies[7-9].", REFS)
    assert set(used) == {7, 8, 9} and "[" not in text
    assert resolve_references("Nothing cited here.", REFS) == ("Nothing cited here.", {})


# -- rows -------------------------------------------------------------------------------------


def test_row_line_names_author_year_table_and_the_other_cells() -> None:
    row = make_row(
        "apiary",
        ref="4",
        author="Okonkwo et al",
        year="2014",
        site="Lagos rooftop",
        treatment="Oxalic acid",
    )
    assert row_line(RowMatch(row, "why"), "Apiary") == (
        "Okonkwo et al (2014, Apiary): Lagos rooftop; Oxalic acid"
    )


def test_row_line_names_the_column_of_a_cell_that_is_a_bare_number() -> None:
    row = make_row("peaks", peak="Ben Ard", height_m="1,344", deaths="0", note="Snow at 900 m")
    assert row_line(RowMatch(row, "why"), "Peaks") == (
        "Ben Ard (Peaks): height_m: 1,344; deaths: 0; Snow at 900 m"
    )


def test_row_line_of_a_table_of_things_leads_with_the_key_and_names_the_author() -> None:
    row = make_row("eruptions", volcano="Kell", year="1783", source="Arno et al", vei="4")
    assert row_line(RowMatch(row, "why"), "Eruptions") == (
        "Kell (1783, Eruptions): source: Arno et al; vei: 4"
    )
    # an author keyed first is the head, and says no column
    first = make_row("notes", author="Arno et al", year="2001", finding="Ash fell")
    assert row_line(RowMatch(first, "why"), "Notes") == "Arno et al (2001, Notes): Ash fell"


def test_row_line_without_author_year_or_other_cells_has_no_empty_parts() -> None:
    keyed = make_row("sites", site="North roof", aspect="windy")
    assert row_line(RowMatch(keyed, "why"), "Sites") == "North roof (Sites): windy"
    bare = make_row("codes", code="A7", region="North")
    bare_line = row_line(RowMatch(replace(bare, cells=bare.cells[:1]), "why"), "Codes")
    assert bare_line == "A7 (Codes)"
    assert "()" not in bare_line and " : " not in bare_line


# -- quotes -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence(second_qa: QA) -> Evidence:
    e = second_qa.engine
    query = understand("Did treated colonies lose fewer queens over winter?", (), e.lexicon)
    return gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")


def _scored(
    template: Scored, text: str, score: float, *, row: bool = False, hit: int = 0
) -> Scored:
    return template._replace(text=text, score=score, row=row, hit=hit)


def test_quotes_are_the_best_prose_sentences_each_once(evidence: Evidence) -> None:
    t = evidence.sentences[0]
    sentences = (
        _scored(t, "Row: Smith et al[7] 2001 Silk Bamboo", 3.0, row=True),  # rows are not quoted
        _scored(t, "Cooling", 2.5),  # a heading-like fragment
        _scored(t, "Hives cool down at night in summer.", 2.0),
        _scored(t, "Queens lay fewer eggs in hot weeks.", 1.8),
        _scored(t, "Drones leave the hive at noon.", 1.6),
        _scored(t, "Bees fan their wings to move air.", 1.55),
        _scored(t, "Guard bees stand at the entrance.", 1.52),  # past the limit
        _scored(t, "Water helps the brood nest stay cool.", 1.0),  # below 3/4 of the best
    )
    quotes = select_quotes(replace(evidence, sentences=sentences))
    assert [q.text for q in quotes] == [
        "Hives cool down at night in summer.",
        "Queens lay fewer eggs in hot weeks.",
        "Drones leave the hive at noon.",
        "Bees fan their wings to move air.",
    ]
    assert len(quotes) == MAX_QUOTES
    assert [q.text for q in select_quotes(replace(evidence, sentences=sentences), limit=1)] == [
        "Hives cool down at night in summer."
    ]


def test_a_long_sentence_without_an_end_mark_is_still_quotable(evidence: Evidence) -> None:
    long = "the twelve rooftop hives of the trial were opened every week from April to October"
    quotes = select_quotes(
        replace(evidence, sentences=(_scored(evidence.sentences[0], long, 1.0),))
    )
    assert [q.text for q in quotes] == [long]


# -- the composed answer ---------------------------------------------------------------------------


def _compose(second_qa: QA, evidence: Evidence, **kwargs: object):  # type: ignore[no-untyped-def]
    corpus = second_qa.corpus
    args: dict[str, object] = {
        "table_labels": {t.id: t.label for t in corpus.tables},
        "documents": 2,
    }
    args.update(kwargs)
    quotes = args.pop("quotes", select_quotes(evidence))
    rows = args.pop("rows", ())
    return compose(
        "Did treated colonies lose fewer queens over winter?",
        "Did treated colonies lose fewer queens over winter?",
        evidence,
        quotes,  # type: ignore[arg-type]
        rows,  # type: ignore[arg-type]
        corpus.references,
        **args,  # type: ignore[arg-type]
    )


def test_an_answer_quotes_with_markers_into_its_passages(second_qa: QA, evidence: Evidence) -> None:
    a = _compose(second_qa, evidence)
    assert not a.abstained and a.refusal_reason is None
    assert a.sentences
    for s in a.sentences:
        assert a.passages[s.marker - 1].passage.id == s.passage_id
        assert s.text.endswith(f"[P{s.marker}]")
    assert a.text == " ".join(s.text for s in a.sentences)
    assert a.answer == a.text  # no rows: the answer is the quotes


def test_a_sentence_going_on_about_a_study_names_it(second_qa: QA, evidence: Evidence) -> None:
    a = _compose(second_qa, evidence)
    first = a.sentences[0].text
    assert first.startswith('"The authors also found that treated colonies lost fewer queens')
    assert "(Okonkwo et al, 2014, Apiary trials)" in first
    assert 4 in a.references


def test_rows_follow_the_quotes_or_lead_a_listing(second_qa: QA, evidence: Evidence) -> None:
    row = second_qa.corpus.row("apiary_trials:4")
    match = RowMatch(row, "cited as [4] in rooftop_hives:p002")
    aside = _compose(second_qa, evidence, rows=(match,))
    line = (
        "- Okonkwo et al (2014, Apiary trials): Lagos rooftop; Oxalic acid; "
        "Mite load cut by nine tenths"
    )
    assert aside.answer == f"{aside.text}\nRelated table rows:\n{line}"
    assert aside.rows == (match,)
    listing = _compose(second_qa, evidence, rows=(match,), listing=True)
    assert listing.answer == f"Table rows:\n{line}\n{listing.text}"
    assert listing.text == aside.text  # text never holds the rows


def test_a_refusal_quotes_the_nearest_covered_sentence_and_shows_no_rows(
    second_qa: QA, evidence: Evidence
) -> None:
    row = second_qa.corpus.row("apiary_trials:4")
    a = _compose(second_qa, evidence, rows=(RowMatch(row, "x"),), refusal="off topic")
    assert a.abstained and a.rows == () and a.sentences == () and a.text == ""
    assert a.refusal_reason == "off topic"
    assert a.answer.startswith(not_covered(2))
    assert isinstance(a.nearest, Nearest)
    assert a.passages[a.nearest.marker - 1].passage.id == a.nearest.passage_id
    assert f'"{a.nearest.sentence}" [P{a.nearest.marker}]' in a.answer
    assert "[4]" not in a.nearest.sentence  # references resolved


def test_the_nearest_sentence_of_a_document_without_headings_names_the_document(
    second_qa: QA, evidence: Evidence
) -> None:
    hit = evidence.hits[evidence.sentences[0].hit]
    plain = replace(hit.passage, doc_id="river_notes", section="")
    hits = tuple(replace(h, passage=plain) if h is hit else h for h in evidence.hits)
    a = _compose(second_qa, replace(evidence, hits=hits), refusal="off topic")
    assert a.nearest is not None and a.nearest.section == "River notes"
    assert 'in "River notes":' in a.answer and 'in "":' not in a.answer


def test_no_quote_and_no_row_is_a_refusal_with_a_default_reason(
    second_qa: QA, evidence: Evidence
) -> None:
    a = _compose(second_qa, evidence, quotes=[])
    assert a.abstained and a.refusal_reason


def test_the_refusal_is_worded_for_the_number_of_documents() -> None:
    assert not_covered(1) == "The document does not cover this."
    assert not_covered(3) == "The documents do not cover this."
    assert "review" not in not_covered(1) + not_covered(3)


def test_a_nearest_table_row_states_its_year_once(second_qa: QA, evidence: Evidence) -> None:
    row_passage = second_qa.corpus.passage("apiary_trials:8")
    hits = (Hit(row_passage, 1.0, 1),)
    t = evidence.sentences[0]
    only_row = replace(
        evidence,
        hits=hits,
        sentences=(t._replace(text=row_passage.text, row=True, hit=0, passage_id=row_passage.id),),
    )
    a = _compose(second_qa, only_row, quotes=[], refusal="no")
    assert a.nearest is not None
    assert a.nearest.sentence.count("2019") == 1


def test_an_answer_serializes_with_its_new_fields(second_qa: QA, evidence: Evidence) -> None:
    a = _compose(second_qa, evidence, corrections=(("qeens", "queens"),))
    d = a.to_dict()
    assert d["text"] == a.text and d["refusal_reason"] is None
    assert d["corrections"] == [["qeens", "queens"]]
    assert d["nearest"] is None
    assert {"answer", "abstained", "passages", "rows", "sentences", "references"} <= set(d)


FOOTNOTE = (
    "IL-1β: Interleukin 1β; IL-6: Interleukin 6; TGF-β: Toad growth factor beta; AS: Air sac."
)


@pytest.mark.parametrize(
    ("spelled", "terms", "kept"),
    [
        (["Interleukin 6"], set(), "IL-6: Interleukin 6"),  # named by its short form
        (["IL-6"], set(), "IL-6: Interleukin 6"),  # by its long form
        ([], {"il", "6", "il6", "il-6"}, "IL-6: Interleukin 6"),  # not IL-1β: "il" alone
        ([], {"tgf", "beta"}, "TGF-β: Toad growth factor beta"),  # a Greek letter spelled out
        (["air sac"], set(), "AS: Air sac"),  # a short form that is also a word
        ([], {"wing"}, FOOTNOTE),  # none named: the whole footnote
    ],
)
def test_a_quoted_footnote_keeps_the_entries_the_question_names(
    spelled: list[str], terms: set[str], kept: str
) -> None:
    assert _entries(FOOTNOTE, spelled, frozenset(terms)) == kept


def test_a_gist_quotes_its_concluding_section_first_in_the_sections_order() -> None:
    # made up: the best sentence closes a report; three sentences of another section
    # outscore the section's other two
    def passage(pid: str, section: str) -> Passage:
        return Passage(pid, "doc", section, "text")

    hits = (
        Hit(passage("doc:p3", "Conclusions"), 1.0, 1),
        Hit(passage("doc:p2", "Discussion"), 0.9, 2),
        Hit(passage("doc:p4", "Conclusions"), 0.2, 3),
    )

    def said(i: int, text: str, hit: int, score: float) -> Scored:
        return Scored(i, text, hit, hits[hit].passage.id, False, 0.5, 0.5, score)

    sentences = (
        said(30, "Kites are safest flown before midnight.", 0, 1.0),
        said(20, "Gusts rose after midnight on most nights.", 1, 0.95),
        said(21, "Silk lines frayed less than nylon ones.", 1, 0.90),
        said(22, "Moths gathered round the lamps on warm nights.", 1, 0.85),
        said(31, "Silk lines are the better choice for night flights.", 0, 0.4),
        said(40, "Further work should try heavier frames in gales.", 2, 0.3),
    )
    evidence = Evidence(hits=hits, sentences=sentences, cosine=0.5, coverage=0.5)
    whole = select_quotes(evidence, whole=True)
    assert [s.sentence_index for s in whole] == [30, 31, 40, 20]
    assert [s.sentence_index for s in select_quotes(evidence)] == [30, 20, 21, 22]
    # a best sentence outside a concluding section: quoted as usual
    body = replace(
        evidence, hits=(replace(hits[0], passage=passage("doc:p3", "Results")),) + hits[1:]
    )
    assert [s.sentence_index for s in select_quotes(body, whole=True)] == [30, 20, 21, 22]


THYMOL = "Which trials used thymol strips?"
THYMOL_ROWS = ("apiary_trials:5", "apiary_trials:10")


def _quotes(texts: list[str], passage: str = "rooftop_hives:p000") -> list[Scored]:
    return [Scored(0, t, 0, passage, False, 0.0, 0.0, 1.0) for t in texts]


def test_a_follow_up_asking_when_the_rows_were_done_drops_quotes_of_other_years(
    second_qa: QA,
) -> None:
    lexicon = second_qa.engine.lexicon
    rows = [RowMatch(second_qa.corpus.row(i), "shown") for i in THYMOL_ROWS]  # 2016, 2022
    quotes = _quotes(
        [
            "Strips were first sold in 2001 in Spain.",  # another date
            "Strips were tried on roofs in 2016 and 2022.",  # the rows'
            "Strips calmed the bees.",  # no date
        ]
    )

    def kept(question: str, history: tuple[str, ...] = (THYMOL,)) -> list[str]:
        query = understand(question, history, lexicon, recall=lambda q, h: Shown(THYMOL_ROWS))
        return [q.text for q in dated_by_rows(query, quotes, rows)]

    assert kept("When were they published?") == [q.text for q in quotes[1:]]
    everything = [q.text for q in quotes]
    assert kept("What did they show?") == everything  # no date asked
    # a question naming its own subject: the prose may date it better than a row
    assert kept("When were thymol strips first sold?", ()) == everything


def test_who_asked_of_the_rows_shown_keeps_the_quotes_reporting_them(second_qa: QA) -> None:
    e = second_qa.engine
    rows = [RowMatch(e.corpus.row(i), "shown") for i in THYMOL_ROWS]

    def kept(question: str, texts: list[str]) -> list[str]:
        query = understand(question, [THYMOL], e.lexicon, recall=lambda q, h: Shown(THYMOL_ROWS))
        evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
        quotes = _quotes(texts, evidence.hits[0].passage.id)
        return [q.text for q in of_the_referent(query, quotes, rows, evidence)]

    texts = ["Lindqvist et al tried strips on roofs[5].", "Brennan et al screened boards[6]."]
    assert kept("who ran it?", texts) == texts[:1]  # study 6 is not one shown
    assert kept("who ran it?", texts[1:]) == []  # the rows alone say who
    assert kept("what did it find?", texts) == texts  # not a who-question
