"""hccqa.answer.rows: rows from one ranking (filter, cited, retrieved), each with its reason.

Over the second test corpus (hashing encoder) and a made-up table of kites.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from citing import assert_cited_in
from tablefakes import make_table

from hccqa.answer.compose import select_quotes
from hccqa.answer.evidence import Evidence, Scored, gather
from hccqa.answer.rows import RowChoice, _answering, _cell_stems, choose_rows, filter_rows
from hccqa.qa import QA
from hccqa.types import Hit, Passage, Table, TableRow
from hccqa.understand.bridge import Bridge
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import Query, Shown, understand
from hccqa.understand.words import stem

THYMOL = "Which trials used thymol strips?"
YEARS = "Rooftop apiary trials between 2015 and 2020"


def ids(rows: object) -> list[str]:
    return [getattr(r, "row", r).id for r in rows]  # type: ignore[attr-defined]


def _choose(
    qa: QA, question: str, history: tuple[str, ...] = (), shown: tuple[str, ...] = ()
) -> RowChoice:
    e = qa.engine
    query = understand(question, history, e.lexicon, recall=lambda q, h: shown)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    return choose_rows(query, evidence, select_quotes(evidence), e.corpus.rows, e.lexicon)


# -- the question's own filter ----------------------------------------------------------------


def test_a_column_value_selects_its_rows(second_qa: QA) -> None:
    query = understand(THYMOL, (), second_qa.engine.lexicon)
    assert ids(filter_rows(query, second_qa.corpus.rows)) == ["apiary_trials:5", "apiary_trials:10"]


def test_a_year_range_selects_its_rows(second_qa: QA) -> None:
    query = understand(YEARS, (), second_qa.engine.lexicon)
    assert ids(filter_rows(query, second_qa.corpus.rows)) == [
        "apiary_trials:5",
        "apiary_trials:6",
        "apiary_trials:7",
        "apiary_trials:8",
    ]


def test_the_row_choice_reads_the_rows_the_evidence_says_were_filtered(second_qa: QA) -> None:
    """The ask filters once: the row choice takes the filtered rows the evidence carries,
    and filters by itself only when the evidence carries none."""
    e = second_qa.engine
    query = understand(THYMOL, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    assert evidence.filtered is None
    quotes = select_quotes(evidence)
    alone = choose_rows(query, evidence, quotes, e.corpus.rows, e.lexicon)
    assert ids(alone.rows) == ["apiary_trials:5", "apiary_trials:10"]
    told = replace(evidence, filtered=(e.corpus.row("apiary_trials:10"),))
    assert ids(choose_rows(query, told, quotes, e.corpus.rows, e.lexicon).rows) == [
        "apiary_trials:10"
    ]


def test_a_question_naming_nothing_selects_nothing(second_qa: QA) -> None:
    query = understand("How do bees fly?", (), second_qa.engine.lexicon)
    assert filter_rows(query, second_qa.corpus.rows) == []


KITES_CELLS = [
    ["1", "Ames et al", "2009", "Bamboo", "Silk"],
    ["2", "Brook et al", "2011", "Bamboo", "Nylon"],
    ["3", "Cole et al", "2012", "Bamboo", "Mylar"],
    ["4", "Dunn et al", "2015", "Carbon", "Silk"],
]
KITES = make_table("kites", ["ref", "author", "year", "frame", "sail"], KITES_CELLS)


@pytest.fixture(scope="module")
def kites() -> Lexicon:
    return Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[KITES], glossary={}))


def test_a_value_most_rows_hold_selects_only_for_a_plain_listing(kites: Lexicon) -> None:
    # "Bamboo" is in three rows of four: naming it alone says little about which row
    broad = understand("are bamboo kites stable in gusts", (), kites)
    assert filter_rows(broad, KITES.rows) == []
    listing = understand("list all the bamboo ones", (), kites)
    assert ids(filter_rows(listing, KITES.rows)) == ["kites:1", "kites:2", "kites:3"]


def test_a_plain_listing_may_name_the_table(kites: Lexicon) -> None:
    listing = understand("list the bamboo kites", (), kites)
    assert ids(filter_rows(listing, KITES.rows)) == ["kites:1", "kites:2", "kites:3"]


def test_a_listing_may_use_the_words_of_the_other_values_of_its_column() -> None:
    # "Exceeded" is in three rows of four: broad, yet "which gauges exceeded the limit?"
    # asks for nothing but it ("limit" is a word of the column's other value)
    gauges = make_table(
        "gauges",
        ["ref", "author", "year", "gauge", "status"],
        [
            ["1", "Ames et al", "2019", "North weir", "Exceeded"],
            ["2", "Brook et al", "2019", "Mill race", "Exceeded"],
            ["3", "Cole et al", "2020", "Old ford", "Within limit"],
            ["4", "Dunn et al", "2021", "Dam foot", "Exceeded"],
        ],
        title="River gauges",
    )
    lexicon = _lexicon_of(gauges)
    query = understand("which gauges exceeded the limit?", (), lexicon)
    assert ids(filter_rows(query, gauges.rows, lexicon)) == ["gauges:1", "gauges:2", "gauges:4"]
    # a word no cell of the column holds still asks for more than the value
    other = understand("which gauges exceeded the limit after storms?", (), lexicon)
    assert filter_rows(other, gauges.rows, lexicon) == []
    # words the dictionary bridged to are searched, not asked
    bridged = replace(query, bridged=("flood",), terms=query.terms | {"flood"})
    assert len(filter_rows(bridged, gauges.rows, lexicon)) == 3


def test_a_bound_on_a_number_is_a_deliberate_filter_however_many_rows_it_keeps() -> None:
    wells = make_table(
        "wells",
        ["well", "village", "year", "depth_m"],
        [
            ["W1", "Alder", "2019", "12"],
            ["W2", "Birch", "2019", "40"],
            ["W3", "Cedar", "2020", "25"],
        ],
        title="Village wells",
    )
    lexicon = _lexicon_of(wells)
    query = understand("which wells have a depth of at least 25?", (), lexicon)
    chosen = filter_rows(query, wells.rows, lexicon)
    assert ids(chosen) == ["wells:W2", "wells:W3"]  # two of three: broad for a value
    assert query.filter.describe(chosen[0]) == "depth_m: at least 25"


def test_the_first_or_last_one_of_rows_of_one_year_is_by_the_order_shown(second_qa: QA) -> None:
    from hccqa.answer.rows import _at_the_end
    from hccqa.types import RowMatch

    lexicon = second_qa.engine.lexicon
    shown = ("apiary_trials:10", "apiary_trials:5")  # as the previous answer listed them
    tied = [RowMatch(second_qa.corpus.row(i), "shown") for i in reversed(shown)]

    def kept(question: str) -> list[str]:
        query = understand(question, (THYMOL,), lexicon, recall=lambda q, h: Shown(shown))
        return ids(m.row for m in _at_the_end(query, tied))

    assert kept("and the first one?") == ["apiary_trials:10"]
    assert kept("and the last one?") == ["apiary_trials:5"]
    assert kept("which was published first?") == ["apiary_trials:5", "apiary_trials:10"]


def _lexicon_of(table: Table) -> Lexicon:
    return Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))


def test_a_plain_listing_may_name_the_table_by_its_label() -> None:
    # a table whose file is "table7.tsv" is "Table 7" to its readers
    numbered = make_table("table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS)
    listing = understand("List all the bamboo ones in Table 7", (), _lexicon_of(numbered))
    assert ids(filter_rows(listing, numbered.rows)) == ["table7:1", "table7:2", "table7:3"]


def test_a_listing_may_ask_which_rows_a_table_lists_or_shows() -> None:
    # "listed", "shown", "mentioned" ask for rows; they are not words a row should hold
    numbered = make_table("table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS)
    for question in (
        "Which bamboo trials are listed in Table 7?",
        "Which bamboo trials are shown in Table 7?",
        "Which bamboo trials are mentioned in Table 7?",
    ):
        listing = understand(question, (), _lexicon_of(numbered))
        assert ids(filter_rows(listing, numbered.rows)) == ["table7:1", "table7:2", "table7:3"]


def test_a_plain_listing_may_use_the_tables_title_words_and_their_abbreviation() -> None:
    # the title says what every row is about: "coastal kite flights" names no row
    titled = make_table(
        "table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS, "Coastal kite flights"
    )
    lexicon = Lexicon.from_corpus(
        SimpleNamespace(passages=[], tables=[titled], glossary={"CKF": "coastal kite flights"})
    )
    bamboo = ["table7:1", "table7:2", "table7:3"]
    for question in ("List the bamboo coastal flights", "List the bamboo CKF in Table 7"):
        listing = understand(question, (), lexicon)
        assert ids(filter_rows(listing, titled.rows, lexicon)) == bamboo, question
        assert filter_rows(listing, titled.rows) == []  # without the lexicon: no title known
    # a word neither a value nor the table's still asks about something else
    assert (
        filter_rows(understand("List the bamboo CKF at dawn", (), lexicon), titled.rows, lexicon)
        == []
    )


def test_a_plain_listing_may_name_a_column_by_a_synonym() -> None:
    # "canvas" is the dictionary's other word for the column "sail" (given here as the
    # bridge the lexicon would read from WordNet): it names the table, not a row
    table = make_table("table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS)
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    lexicon._bridge = Bridge(synonyms={"sail": frozenset({stem("canvas")})})
    bamboo = ["table7:1", "table7:2", "table7:3"]
    listing = understand("List all the bamboo ones in Table 7 with their canvas", (), lexicon)
    assert ids(filter_rows(listing, table.rows, lexicon)) == bamboo
    assert stem("canvas") in lexicon.naming_words({"table7"})
    # without the synonym, "canvas" asks about something else
    plain = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    plain._bridge = Bridge()
    assert filter_rows(understand(listing.text, (), plain), table.rows, plain) == []


def _gliders(first: str, second: str) -> tuple[Lexicon, list[TableRow]]:
    """Four gliders: two with the given frames, two of carbon."""
    cells = [
        ["1", "Ames et al", "2009", first, "Silk"],
        ["2", "Brook et al", "2011", second, "Nylon"],
        ["3", "Cole et al", "2012", "Carbon", "Mylar"],
        ["4", "Dunn et al", "2015", "Carbon", "Silk"],
    ]
    table = make_table("gliders", ["ref", "author", "year", "frame", "sail"], cells)
    return _lexicon_of(table), list(table.rows)


def test_a_word_naming_the_column_does_not_tell_its_values_apart() -> None:
    # "frame" names the column: "a zelkova frame" asks for every zelkova frame, the one
    # whose cell happens to repeat the column's name and the one whose cell does not
    lexicon, rows = _gliders("Zelkova frame", "Zelkova-and-steel")
    query = understand("which gliders have a zelkova frame", (), lexicon)
    assert ids(filter_rows(query, rows)) == ["gliders:1", "gliders:2"]


def test_a_who_question_credits_the_row_matching_more_of_its_words() -> None:
    # both cells hold two stems of the question, but row 1 holds two of its words (the
    # hyphenated name and "frame"), row 2 only one (the name's two halves)
    lexicon, rows = _gliders("Zelkova-Quassia frame", "Zelkova-and-Quassia")
    query = understand("who flew the Zelkova-Quassia frame?", (), lexicon)
    assert ids(filter_rows(query, rows)) == ["gliders:1"]


def test_the_latest_of_a_value_every_row_holds_narrows_to_its_rows() -> None:
    # every glider is of carbon, so "carbon" alone selects nothing; asking for the latest
    # or earliest carbon glider makes it a filter (choose_rows then keeps one year)
    lexicon, rows = _gliders("Carbon", "Carbon")
    assert filter_rows(understand("tell me about the carbon gliders", (), lexicon), rows) == []
    latest = understand("what is the most recent carbon glider", (), lexicon)
    assert "define" not in latest.intents
    assert ids(filter_rows(latest, rows)) == [f"gliders:{k}" for k in (1, 2, 3, 4)]


def test_a_value_alone_leaves_out_the_cells_that_join_it_with_another() -> None:
    lexicon, _ = _gliders("Carbon plus steel", "Bamboo")

    def selected(question: str) -> set[str]:
        (constraint,) = understand(question, (), lexicon).filter.constraints
        return set(constraint.rows)

    assert selected("gliders with a carbon frame") == {"gliders:1", "gliders:3", "gliders:4"}
    assert selected("gliders with a carbon frame alone") == {"gliders:3", "gliders:4"}


def test_a_value_no_cell_holds_alone_selects_nothing_when_asked_alone() -> None:
    lexicon, rows = _gliders("Carbon plus steel", "Carbon plus mylar")
    query = understand("list the gliders tried with carbon on its own", (), lexicon)
    assert query.alone
    # rows 3 and 4 hold carbon alone; 1 and 2 only with another material
    assert ids(filter_rows(query, rows)) == ["gliders:3", "gliders:4"]
    cells = [
        ["1", "Ames et al", "2009", "Carbon plus steel", "Silk"],
        ["2", "Brook et al", "2011", "Carbon plus mylar", "Nylon"],
        ["3", "Cole et al", "2012", "Bamboo", "Mylar"],
    ]
    table = make_table("gliders", ["ref", "author", "year", "frame", "sail"], cells)
    query = understand("list the gliders tried with carbon alone", (), _lexicon_of(table))
    assert filter_rows(query, table.rows) == []  # no frame is carbon alone


def test_a_follow_up_asking_alone_narrows_the_value_it_inherits() -> None:
    lexicon, rows = _gliders("Carbon plus steel", "Bamboo")
    history = ("list the gliders with a carbon frame",)
    for question in ("and on its own?", "and alone?"):
        query = understand(question, history, lexicon)
        assert query.followup and query.alone
        assert ids(filter_rows(query, rows)) == ["gliders:3", "gliders:4"], question


def test_on_its_own_inside_a_clause_is_not_alone() -> None:
    lexicon, _ = _gliders("Carbon plus steel", "Bamboo")
    for question in (
        "list the gliders with a carbon frame flown by pilots on their own hills",
        "which carbon gliders did pilots build on their own roofs?",
    ):
        assert not understand(question, (), lexicon).alone, question
    assert understand("which gliders did pilots build on their own?", (), lexicon).alone


def test_a_list_of_a_broad_value_asked_alone_is_a_deliberate_filter() -> None:
    # carbon is in three frames of four: a broad value, listed only when asked alone
    lexicon, rows = _gliders("Carbon plus steel", "Bamboo")
    assert filter_rows(understand("list the gliders tried with carbon", (), lexicon), rows) == []
    for question in (
        "list the gliders tried with carbon alone",
        "list the gliders tried with carbon on its own",
        "list the gliders tried with carbon by itself",
    ):
        query = understand(question, (), lexicon)
        assert query.alone
        assert ids(filter_rows(query, rows)) == ["gliders:3", "gliders:4"], question


def test_a_rare_value_beside_a_broad_one_of_its_column_decides(kites: Lexicon) -> None:
    query = understand("is carbon any better than bamboo", (), kites)
    assert ids(filter_rows(query, KITES.rows)) == ["kites:4"]


def test_values_of_two_columns_must_both_hold(kites: Lexicon) -> None:
    query = understand("bamboo kites with mylar sails", (), kites)
    assert ids(filter_rows(query, KITES.rows)) == ["kites:3"]


# -- choosing the rows of an answer ------------------------------------------------------------


def test_a_filter_question_lists_its_rows_with_the_filter_as_reason(second_qa: QA) -> None:
    choice = _choose(second_qa, THYMOL)
    assert choice.listing
    assert ids(choice.rows) == ["apiary_trials:5", "apiary_trials:10"]
    assert {m.reason for m in choice.rows} == {"filter: treatment: Thymol strips"}


def test_a_row_cited_by_name_in_the_best_quote_is_shown(second_qa: QA) -> None:
    # the quote is "Brennan et al[6] showed that colonies on the windiest roofs ..."
    choice = _choose(second_qa, "Do colonies on windy roofs build up more slowly in spring?")
    assert not choice.listing
    assert ids(choice.rows) == ["apiary_trials:6"]
    assert_cited_in(second_qa, choice.rows[0].reason, "[6]", "Brennan et al[6] showed that")


def test_a_sentence_going_on_about_a_study_credits_that_studys_row(second_qa: QA) -> None:
    # "The authors also found that treated colonies lost fewer queens ..." follows
    # "In 2014, Okonkwo et al[4] showed ..." in the same passage
    choice = _choose(second_qa, "Did treated colonies lose fewer queens over winter?")
    assert ids(choice.rows) == ["apiary_trials:4"]
    assert_cited_in(second_qa, choice.rows[0].reason, "Okonkwo et al[4]", "Okonkwo et al[4] showed")


def test_a_who_question_credits_the_row_whose_cells_match(second_qa: QA) -> None:
    choice = _choose(
        second_qa, "Who showed that screened bottom boards did not change mite counts?"
    )
    assert ids(choice.rows) == ["apiary_trials:6"]
    assert choice.rows[0].reason.startswith("filter: ")


def test_a_retrieved_row_is_shown_when_its_own_cells_answer(second_qa: QA) -> None:
    e = second_qa.engine
    query = understand("Did colonies lose fewer in heat?", (), e.lexicon)
    ev = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    row8, row4 = (e.corpus.passage(f"apiary_trials:{k}") for k in (8, 4))
    only_rows = replace(ev, hits=(Hit(row8, 1.0, 1), Hit(row4, 0.9, 2)), sentences=())
    choice = choose_rows(query, only_rows, [], e.corpus.rows, e.lexicon)
    # row 8's finding "Fewer colonies lost in summer heat" holds most of the question: the
    # question names half of the finding's words, so the filter picks the row by it
    assert ids(choice.rows) == ["apiary_trials:8"]
    assert choice.rows[0].reason == "filter: finding: Fewer colonies lost in summer heat"


def test_a_definition_shows_no_rows(second_qa: QA) -> None:
    assert _choose(second_qa, "What does IPM stand for?") == RowChoice((), False)


def test_an_off_topic_question_shows_no_rows(second_qa: QA) -> None:
    assert _choose(second_qa, "How do bees fly?").rows == ()


def test_without_tables_there_are_no_rows(second_qa: QA) -> None:
    e = second_qa.engine
    query = understand(THYMOL, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    assert choose_rows(query, evidence, [], [], e.lexicon) == RowChoice((), False)


# -- follow-ups narrow to the referent's rows ----------------------------------------------------


def test_which_of_them_after_one_row_shown_reaches_the_rows_asked_about(second_qa: QA) -> None:
    # the thymol question selected rows 5 and 10; its answer showed row 5 only
    choice = _choose(second_qa, "Which of them was in Madrid?", (THYMOL,), ("apiary_trials:5",))
    assert ids(choice.rows) == ["apiary_trials:10"]
    assert "of the rows asked about before" in choice.rows[0].reason


def test_which_of_those_narrows_the_previous_rows(second_qa: QA) -> None:
    shown = ("apiary_trials:5", "apiary_trials:6", "apiary_trials:7", "apiary_trials:8")
    choice = _choose(second_qa, "Which of those used thymol strips?", (YEARS,), shown)
    assert ids(choice.rows) == ["apiary_trials:5"]  # row 10 also used them, but in 2022
    assert choice.rows[0].reason.endswith("of the rows shown before")


def test_a_follow_up_keeps_the_earlier_value_and_adds_its_own(second_qa: QA) -> None:
    shown = ("apiary_trials:5", "apiary_trials:10")
    choice = _choose(second_qa, "Which of those were on a Madrid rooftop?", (THYMOL,), shown)
    assert ids(choice.rows) == ["apiary_trials:10"]


def test_a_follow_up_pointing_back_shows_the_rows_shown_before(second_qa: QA) -> None:
    shown = ("apiary_trials:5", "apiary_trials:6", "apiary_trials:7", "apiary_trials:8")
    choice = _choose(second_qa, "Did they help?", (YEARS,), shown)
    assert ids(choice.rows) == list(shown)
    assert {m.reason for m in choice.rows} == {"the rows the previous answer showed"}


def test_a_follow_up_pointing_back_keeps_the_rows_whose_cells_hold_its_other_words(
    second_qa: QA,
) -> None:
    shown = ("apiary_trials:5", "apiary_trials:10")
    choice = _choose(second_qa, "Which of them was about the queens?", (THYMOL,), shown)
    assert ids(choice.rows) == ["apiary_trials:5"]  # "Queens stopped laying in hot weeks"
    assert choice.rows[0].reason.endswith("its cells hold queens")
    choice = _choose(second_qa, "And which one looked at honey yield?", (THYMOL,), shown)
    assert ids(choice.rows) == ["apiary_trials:10"]  # "Honey yield unchanged"
    # a word no cell holds, or one every cell holds, tells none apart
    choice = _choose(second_qa, "Which of them was cheapest?", (THYMOL,), shown)
    assert ids(choice.rows) == list(shown)
    # a negated question does not pick the rows holding its words
    choice = _choose(second_qa, "Which of them was not about the queens?", (THYMOL,), shown)
    assert ids(choice.rows) == list(shown)
    # a cell saying "no X" does not hold X: "No change in mite counts"
    shown = ("apiary_trials:4", "apiary_trials:6")
    choice = _choose(second_qa, "Which of those changed the mite counts?", ("Mite trials?",), shown)
    assert ids(choice.rows) == ["apiary_trials:4"]  # "Mite load cut by nine tenths"


def test_a_follow_up_pointing_back_stays_with_the_rows_shown_even_if_its_filter_selects_others(
    second_qa: QA,
) -> None:
    # shown before: the two thymol trials; "them" are those, not the 2014-2018 trials
    shown = ("apiary_trials:5", "apiary_trials:10")
    choice = _choose(second_qa, "Which of them ran between 2014 and 2018?", (THYMOL,), shown)
    assert ids(choice.rows) == ["apiary_trials:5"]
    assert choice.rows[0].reason.startswith("filter: year 2014-2018")
    # none of them used oxalic acid: not the oxalic acid trial, which is not one of "them"
    choice = _choose(second_qa, "Which of them used oxalic acid?", (THYMOL,), shown)
    assert ids(choice.rows) == list(shown)
    assert {m.reason for m in choice.rows} == {"the rows the previous answer showed"}


def _anyone_else(qa: QA, before: str, shown: str) -> RowChoice:
    return _choose(qa, "Did anyone else try that?", (before,), (shown,))


def test_anyone_else_adds_the_rows_sharing_a_value_the_earlier_question_asked_about(
    second_qa: QA,
) -> None:
    choice = _anyone_else(second_qa, "Who tried thymol strips on a roof garden?", "apiary_trials:5")
    assert ids(choice.rows) == ["apiary_trials:5", "apiary_trials:10"]
    assert choice.rows[0].reason == "the rows the previous answer showed"
    assert choice.rows[1].reason == "shares treatment: Thymol strips with the rows shown before"


def test_anyone_else_reads_every_column_when_the_earlier_question_named_no_value(
    second_qa: QA,
) -> None:
    choice = _anyone_else(second_qa, "Who ran the Hamburg trial?", "apiary_trials:5")
    assert ids(choice.rows) == ["apiary_trials:5", "apiary_trials:10"]


def test_anyone_else_shares_nothing_outside_the_columns_asked_about(second_qa: QA) -> None:
    # the earlier question asked about the site, which no other row shares
    choice = _anyone_else(second_qa, "Who ran the Stockholm roof garden trial?", "apiary_trials:5")
    assert ids(choice.rows) == ["apiary_trials:5"]


def test_the_same_between_two_values_it_names_adds_no_rows_alike(second_qa: QA) -> None:
    # "the same" here compares two values the question names: no row is added for sharing
    # a value with the rows shown before
    question = "Did oxalic acid and thymol strips give the same result?"
    after = _choose(second_qa, question, ("Who ran the Stockholm trial?",), ("apiary_trials:5",))
    assert after.rows and not any(m.reason.startswith("shares") for m in after.rows)


def test_anyone_else_with_nothing_shared_keeps_the_rows_shown_before(second_qa: QA) -> None:
    choice = _anyone_else(second_qa, "Who ran the Hamburg trial?", "apiary_trials:7")
    assert ids(choice.rows) == ["apiary_trials:7"]


def test_rows_come_in_table_order(second_qa: QA) -> None:
    choice = _choose(second_qa, "Is oxalic acid better than thymol strips?")
    got = ids(choice.rows)
    order = [r.id for r in second_qa.corpus.rows]
    assert got == sorted(got, key=order.index)


def test_evidence_type_is_what_choose_rows_reads(second_qa: QA) -> None:
    e = second_qa.engine
    query = understand(THYMOL, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    assert isinstance(evidence, Evidence)


def test_other_than_sets_a_value_aside(second_qa: QA) -> None:
    choice = _choose(second_qa, "Which trials used a treatment other than thymol strips?")
    assert ids(choice.rows) == [f"apiary_trials:{k}" for k in (4, 6, 7, 8, 9)]
    assert all("treatment: not Thymol strips" in m.reason for m in choice.rows)


def test_the_most_recent_and_the_earliest_keep_one_year(second_qa: QA) -> None:
    latest = _choose(second_qa, "Which of the thymol strips trials is the most recent?")
    assert ids(latest.rows) == ["apiary_trials:10"]
    earliest = _choose(second_qa, "Which thymol strips trial was the earliest?")
    assert ids(earliest.rows) == ["apiary_trials:5"]


def test_what_about_something_else_does_not_show_the_rows_shown_before(second_qa: QA) -> None:
    shown = ("apiary_trials:5", "apiary_trials:10")
    choice = _choose(second_qa, "What about swarming in late spring?", (THYMOL,), shown)
    assert not {m.row.id for m in choice.rows} & set(shown)
    # pointing back ("their") still means the rows shown before
    choice = _choose(second_qa, "What about their results?", (THYMOL,), shown)
    assert ids(choice.rows) == list(shown)
    # "that" after a noun is a relative pronoun, not a pointer
    choice = _choose(
        second_qa, "What about colonies that swarmed in late spring?", (THYMOL,), shown
    )
    assert not {m.row.id for m in choice.rows} & set(shown)


def _with_filtered(qa: QA, question: str, keep: int) -> RowChoice:
    """The rows chosen when the question's filter selects the table's first ``keep`` rows."""
    e = qa.engine
    query = understand(question, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    evidence = replace(evidence, filtered=tuple(e.corpus.rows[:keep]))
    return choose_rows(query, evidence, select_quotes(evidence), e.corpus.rows, e.lexicon)


def test_a_why_question_does_not_list_every_row_its_filter_holds(second_qa: QA) -> None:
    why = "Why did treated colonies lose fewer queens over winter?"
    listing = "Which trials treated colonies over winter?"
    everything = [r.id for r in second_qa.corpus.rows]
    assert ids(_with_filtered(second_qa, listing, 7).rows) == everything
    narrative = _with_filtered(second_qa, why, 7)
    assert len(narrative.rows) < 7 and not narrative.listing
    # a narrow filter (two rows or fewer) is still shown as it is
    assert ids(_with_filtered(second_qa, why, 2).rows) == everything[:2]
    # and the rows shown are always the filter's own
    assert set(ids(narrative.rows)) <= set(everything[:7])
    few = _with_filtered(second_qa, why, 3)
    assert set(ids(few.rows)) <= set(everything[:3])


@pytest.mark.parametrize(
    "question",
    [
        "What is the difference between treated and untreated colonies over winter?",
        "Distinguish treated colonies from untreated ones over winter.",
    ],
)
def test_a_question_on_how_two_things_differ_is_a_narrative_one(
    second_qa: QA, question: str
) -> None:
    # worded as "how do they differ", it already was; every wording asks the same
    everything = [r.id for r in second_qa.corpus.rows]
    choice = _with_filtered(second_qa, question, 7)
    assert len(choice.rows) < 7 and not choice.listing
    assert set(ids(choice.rows)) <= set(everything[:7])


def test_a_why_question_naming_years_keeps_the_rows_of_those_years(second_qa: QA) -> None:
    choice = _choose(second_qa, "Why were colonies lost after 2016?")
    assert ids(choice.rows) == [f"apiary_trials:{n}" for n in (6, 7, 8, 9, 10)]


# -- the studies the best quote credits ----------------------------------------------------------


def _quoted(qa: QA, sentence: str, query: Query | None = None) -> RowChoice:
    """The rows shown when the best quote is ``sentence`` (a made-up sentence of the first
    prose passage), by default for a question sharing no word with it."""
    e = qa.engine
    query = query or understand("Why did the hives do better?", (), e.lexicon)
    assert not query.filter.constraints
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    prose = next(h for h in evidence.hits if h.passage.kind == "text")
    only_prose = replace(evidence, hits=(replace(prose, rank=1),))
    quote = Scored(0, sentence, 0, prose.passage.id, False, 0.1, 0.0, 1.0)
    return choose_rows(query, only_prose, [quote], e.corpus.rows, e.lexicon)


def test_the_one_study_the_best_quote_cites_by_number_is_shown(second_qa: QA) -> None:
    choice = _quoted(second_qa, "Wintering losses fell by a fifth on sheltered roofs[6].")
    assert ids(choice.rows) == ["apiary_trials:6"]
    assert choice.rows[0].reason.startswith("cited as [6] in ")


def test_two_studies_cited_by_number_are_both_shown(second_qa: QA) -> None:
    choice = _quoted(second_qa, "Wintering losses fell by a fifth on sheltered roofs[5,6].")
    assert ids(choice.rows) == ["apiary_trials:5", "apiary_trials:6"]


def test_a_list_of_citations_credits_no_study(second_qa: QA) -> None:
    list_of_three = "Rooftop hives have been studied widely[4-6]."
    assert _quoted(second_qa, list_of_three).rows == ()
    # however many of the question's words the sentence holds: one list backs it all
    query = understand("Have rooftop hives been studied widely?", (), second_qa.engine.lexicon)
    assert _quoted(second_qa, list_of_three, query).rows == ()


def test_a_list_counts_the_studies_it_cites_with_rows_or_not(second_qa: QA) -> None:
    # three studies cited, one of them with a row: a list, not the one study answering
    assert _quoted(second_qa, "Hives were busier on roofs[1,2,5].").rows == ()


def test_studies_named_by_author_are_shown_however_many(second_qa: QA) -> None:
    choice = _quoted(
        second_qa, "Okonkwo et al[4], Lindqvist et al[5] and Brennan et al[6] all kept hives."
    )
    assert ids(choice.rows) == ["apiary_trials:4", "apiary_trials:5", "apiary_trials:6"]


def test_a_row_retrieved_first_is_shown_though_another_quote_cites_it(second_qa: QA) -> None:
    """A quote below the best one citing the row (among others) does not hide that
    retrieval ranked the row first and its cells answer."""
    from hccqa.answer.rows import _from_evidence

    e = second_qa.engine
    query = understand("Did colonies lose fewer in heat?", (), e.lexicon)
    ev = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    row8 = e.corpus.passage("apiary_trials:8")
    prose = next(h for h in ev.hits if h.passage.kind == "text")
    hits = (Hit(row8, 1.0, 1), replace(prose, rank=2))
    quotes = [
        Scored(
            0, "Heat is hard on colonies kept on roofs.", 1, prose.passage.id, False, 0.5, 0.5, 1.0
        ),
        Scored(
            1, "Several teams kept hives on roofs[4-8].", 1, prose.passage.id, False, 0.4, 0.1, 0.9
        ),
    ]
    by_id = {r.id: r for r in e.corpus.rows}
    found = _from_evidence(query, replace(ev, hits=hits), quotes, by_id, e.lexicon)
    assert [(m.row.id, m.reason) for m in found] == [
        ("apiary_trials:8", "the row itself matches (rank 1)")
    ]


def test_a_list_of_citations_after_the_clause_that_answers_credits_its_studies(
    second_qa: QA,
) -> None:
    e = second_qa.engine
    query = understand("Which studies found that the bees grew calmer?", (), e.lexicon)
    quote = "Hives near parks were busier[4,5,7], and the bees grew calmer in shaded hives[8-10]."
    choice = _quoted(second_qa, quote, query)
    assert ids(choice.rows) == ["apiary_trials:8", "apiary_trials:9", "apiary_trials:10"]
    # brackets with only punctuation between them are one list
    split = (
        "Hives near parks were busier[4,5,7], and the bees grew calmer in shaded hives[8][9], [10]."
    )
    assert ids(_quoted(second_qa, split, query).rows) == ids(choice.rows)
    # no clause stands out: nothing is credited
    even = "The bees grew calmer[4,5,7], and the bees grew calmer again[8-10]."
    assert _quoted(second_qa, even, query).rows == ()


def test_a_row_holding_a_bridged_word_answers_the_plain_words_it_was_bridged_from() -> None:
    table = make_table(
        "races",
        ["ref", "author", "year", "frame", "result"],
        [["2", "Brook et al", "2011", "Carbon", "Slower than bamboo"]],
    )
    row = table.rows[0]
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    lexicon._bridge = Bridge(
        {"slower": frozenset({"lag", "behind", "pace"})}, {"lag": 8.0, "behind": 7.0, "pace": 6.0}
    )
    plain = SimpleNamespace(bridged=(), terms=frozenset({"lag", "behind", "kite"}))
    assert _answering(row, plain, lexicon) == _cell_stems(row, lexicon)  # type: ignore[arg-type]
    asked = SimpleNamespace(bridged=("slower",), terms=frozenset({"lag", "behind", "kite"}))
    held = _answering(row, asked, lexicon)  # type: ignore[arg-type]
    assert {"lag", "behind", stem("slower")} <= held and "kite" not in held
    assert "pace" not in held  # a definition word the question does not hold
    # a bridged word the row does not hold brings nothing
    other = SimpleNamespace(bridged=("faster",), terms=frozenset({"lag"}))
    assert _answering(row, other, lexicon) == _cell_stems(row, lexicon)  # type: ignore[arg-type]


# -- another paper of a named author ------------------------------------------------------------


def _best_quote_is(qa: QA, question: str, sentence: str) -> list[str]:
    """The rows shown for ``question`` when its best quote is ``sentence`` (made up)."""
    e = qa.engine
    query = understand(question, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    prose = next(h for h in evidence.hits if h.passage.kind == "text")
    quote = Scored(0, sentence, evidence.hits.index(prose), prose.passage.id, False, 0.1, 0.0, 1.0)
    return ids(choose_rows(query, evidence, [quote], e.corpus.rows, e.lexicon).rows)


def test_a_paper_the_table_does_not_list_is_not_credited_to_the_authors_row(
    second_qa: QA,
) -> None:
    # the table lists Okonkwo et al [4] (oxalic acid, mite load); the quote is about
    # another paper of theirs, [31], which it does not list
    survey = "Okonkwo et al[31] argued in a survey that mite load rises on hot roofs."
    asked = "How did Okonkwo et al explain mite load in their survey?"
    assert "apiary_trials:4" not in _best_quote_is(second_qa, asked, survey)
    # a question word only the row holds ("oxalic acid") asks about the row's paper
    oxalic = "What did Okonkwo et al find about oxalic acid and mite load?"
    assert "apiary_trials:4" in _best_quote_is(second_qa, oxalic, survey)
    # the quote naming the row's own reference is the row's paper
    same = "Okonkwo et al[4] argued that mite load falls with oxalic acid."
    assert "apiary_trials:4" in _best_quote_is(second_qa, asked, same)
    # ... even beside the other paper
    both = "Okonkwo et al[31] and Okonkwo et al[4] argued that mite load rises on hot roofs."
    assert "apiary_trials:4" in _best_quote_is(second_qa, asked, both)
    # a question asking for the author's rows gets them whatever the quote says
    listing = "List the studies by Okonkwo et al on mite load"
    assert "apiary_trials:4" in _best_quote_is(second_qa, listing, survey)


# -- the one study an answer's first quote reports ----------------------------------------------


def test_the_row_the_first_quote_reports_is_marked_quoted(second_qa: QA) -> None:
    # the first quote names Lindqvist et al[5]: of the rows shown, theirs is the one
    e = second_qa.engine
    query = understand(THYMOL, (), e.lexicon)
    evidence = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid")
    prose = next(h for h in evidence.hits if h.passage.kind == "text")
    quote = Scored(
        0, "Lindqvist et al[5] saw queens stop laying.", 0, prose.passage.id, False, 0, 0, 1
    )
    only_prose = replace(evidence, hits=(replace(prose, rank=1),) + evidence.hits[1:])
    choice = choose_rows(query, only_prose, [quote], e.corpus.rows, e.lexicon)
    assert [m.row.id for m in choice.rows if m.quoted] == ["apiary_trials:5"]
    assert [m.to_dict()["quoted"] for m in choice.rows] == [
        m.row.id == "apiary_trials:5" for m in choice.rows
    ]
    # a quote reporting two shown studies marks neither, nor does a list of citations
    for text in ("Strips were tried twice[5,10].", "Many treatments were tried on roofs[4-9]."):
        other = Scored(0, text, 0, prose.passage.id, False, 0, 0, 1)
        choice = choose_rows(query, only_prose, [other], e.corpus.rows, e.lexicon)
        assert not any(m.quoted for m in choice.rows), text


def test_pointing_at_one_thing_means_the_study_the_answer_quoted(second_qa: QA) -> None:
    shown = Shown(("apiary_trials:5", "apiary_trials:10"), quoted=("apiary_trials:10",))
    lexicon = second_qa.engine.lexicon

    def referent(question: str) -> tuple[str, ...]:
        return understand(question, (THYMOL,), lexicon, recall=lambda q, h: shown).referent_rows

    assert referent("What year did that study come out?") == ("apiary_trials:10",)
    assert referent("Who ran that study?") == ("apiary_trials:10",)  # after a verb too
    assert referent("Where was it done?") == ("apiary_trials:10",)
    # several, or no pointer at one: every row shown
    assert referent("Where were those trials done?") == shown
    assert referent("Did they help?") == shown
    # a value of its own ("did it leave the honey yield unchanged?" may mean thymol, the
    # value the rows share): every row shown, for its own filter to narrow
    assert referent("Did it leave the honey yield unchanged?") == shown
    # nothing quoted, or one row shown: the rows shown
    plain = Shown(("apiary_trials:5", "apiary_trials:10"))
    assert (
        understand(
            "What year did that study come out?", (THYMOL,), lexicon, recall=lambda q, h: plain
        ).referent_rows
        == plain
    )


def test_a_quote_denying_what_is_asked_credits_no_study(second_qa: QA) -> None:
    lexicon = second_qa.engine.lexicon
    asked = understand("Which trials calmed the bees?", (), lexicon)
    assert ids(_quoted(second_qa, "Shade cloth calmed the bees[8].", asked).rows) == [
        "apiary_trials:8"
    ]
    # "none ... calmed the bees": the study cited did not do what is asked
    denial = "None of the strips calmed the bees[10]."
    assert _quoted(second_qa, denial, asked).rows == ()
    # a negation in another clause denies nothing asked
    other = "Strips did not stop swarming, but they calmed the bees[10]."
    assert ids(_quoted(second_qa, other, asked).rows) == ["apiary_trials:10"]
    # a question that asks the negation is answered by the denial
    negative = understand("Which trials did not calm the bees?", (), lexicon)
    assert ids(_quoted(second_qa, denial, negative).rows) == ["apiary_trials:10"]


def test_a_question_naming_a_table_and_nothing_else_gets_all_its_rows() -> None:
    table = make_table("table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS)
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    everything = [r.id for r in table.rows]
    for question in (
        "Which studies are in Table 7?",
        "Show me table 7",
        "List the rows of table 7",
    ):
        query = understand(question, (), lexicon)
        assert ids(filter_rows(query, table.rows, lexicon)) == everything, question
    # the most recent of them: choose_rows keeps the latest year among them
    latest = understand("Which is the most recent entry in table 7?", (), lexicon)
    assert ids(filter_rows(latest, table.rows, lexicon)) == everything
    # a word that is neither the table's nor a row's asks about something else
    other = understand("Which studies in table 7 flew at dawn?", (), lexicon)
    assert filter_rows(other, table.rows, lexicon) == []
    # the rows' reason says so
    assert understand("Show me table 7", (), lexicon).filter.describe() == "every row of Table 7"


def test_a_denial_is_read_in_contractions_and_not_past_its_reach(second_qa: QA) -> None:
    lexicon = second_qa.engine.lexicon
    asked = understand("Which trials calmed the bees?", (), lexicon)
    for denial in ("The strips didn't calm the bees[10].", "The strips didn’t calm the bees[10]."):
        assert _quoted(second_qa, denial, asked).rows == (), denial
    negative = understand("Which trials didn't calm the bees?", (), lexicon)
    assert ids(_quoted(second_qa, "The strips didn't calm the bees[10].", negative).rows) == [
        "apiary_trials:10"
    ]
    for credited in (
        "Shade cloth not only calmed the bees but also cut losses[8].",
        "Shade cloth did no harm and calmed the bees[8].",
        "Without chemicals shade cloth calmed the bees[8].",
    ):
        assert ids(_quoted(second_qa, credited, asked).rows) == ["apiary_trials:8"], credited


def test_a_table_the_corpus_does_not_have_lists_nothing() -> None:
    # a word of its title points at table 7, but "table 9" names no table of the corpus
    table = make_table(
        "table7", ["ref", "author", "year", "frame", "sail"], KITES_CELLS, "Coastal kite flights"
    )
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    assert understand("Which coastal flights are in table 7?", (), lexicon).filter.table
    query = understand("Which coastal flights are in table 9?", (), lexicon)
    assert filter_rows(query, table.rows, lexicon) == []
    listed = understand("Which coastal flights are in table 7?", (), lexicon)
    assert len(filter_rows(listed, table.rows, lexicon)) == len(table.rows)


def _storm_answer(
    second_in: str, first: str = "Several frames were flown through storms.", after: bool = True
) -> RowChoice:
    """Gliders flown in storms: the best quote (``first``) cites no one; another quote (in
    passage ``second_in``, ``after`` it in the document or before it) names studies."""
    lexicon, rows = _gliders("Zelkova", "Bamboo")
    second = "In gale trials, the zelkova frame[1] and a carbon frame[3] held."
    p0 = Passage("d:p0", "d", "S", f"{first} {second}" if after else f"{second} {first}")
    p1 = Passage("d:p1", "d", "S", second)
    hits = (Hit(p0, 1.0, 1), Hit(p1, 0.9, 2))
    at_first, at_second = (5, 6) if after else (6, 5)
    quotes = [
        Scored(at_first, first, 0, "d:p0", False, 0.9, 1.0, 2.0),
        Scored(at_second, second, 0 if second_in == "d:p0" else 1, second_in, False, 0.8, 0.5, 1.5),
    ]
    evidence = Evidence(hits=hits, sentences=tuple(quotes), cosine=0.9, coverage=1.0)
    query = understand("which frames were flown through storms?", (), lexicon)
    return choose_rows(query, evidence, quotes, rows, lexicon)


def test_a_best_quote_citing_no_one_credits_the_studies_its_passage_goes_on_to_cite() -> None:
    choice = _storm_answer("d:p0")
    assert ids(choice.rows) == ["gliders:1", "gliders:3"]
    assert choice.rows[0].reason == "cited as [1] in d:p0"
    # a quote from another passage is another statement: it credits no one for this one
    assert _storm_answer("d:p1").rows == ()
    # nor does one before it in the passage
    assert _storm_answer("d:p0", after=False).rows == ()
    # a best quote denying what is asked credits no one, nor the sentence after it
    assert _storm_answer("d:p0", first="No frames were flown through storms.").rows == ()


def test_a_listing_leaves_out_the_rows_whose_cells_deny_what_it_asks() -> None:
    cells = [
        ["1", "Ames et al", "2009", "Carbon", "Higher lift"],
        ["2", "Brook et al", "2011", "Carbon", "No lift gain"],
        ["3", "Cole et al", "2012", "Bamboo", "No lift gain"],
        ["4", "Dunn et al", "2015", "Bamboo", "No lift gain"],
        ["5", "Eng et al", "2016", "Steel", "Stiffer frame"],
        ["6", "Fox et al", "2017", "Steel", "Lighter sail"],
        ["7", "Gale et al", "2018", "Steel", "Smoother turns"],
        ["8", "Hale et al", "2019", "Steel", "Quieter flight"],
        ["9", "Ives et al", "2020", "Steel", "Longer glide"],
        ["10", "Jade et al", "2021", "Steel", "Safer landing"],
    ]
    table = make_table("gliders", ["ref", "author", "year", "frame", "result"], cells)
    lexicon, rows = _lexicon_of(table), list(table.rows)
    nothing = Evidence(hits=(), sentences=(), cosine=0.0, coverage=0.0)

    def chosen(question: str) -> RowChoice:
        return choose_rows(understand(question, (), lexicon), nothing, [], rows, lexicon)

    gained = chosen("which carbon gliders showed a lift gain?")
    assert ids(gained.rows) == ["gliders:1"]
    assert gained.rows[0].reason.endswith("not those saying 'No lift gain'")
    # asked with a negation, the rows saying no are the answer
    assert ids(chosen("which carbon gliders showed no lift gain?").rows) == ["gliders:2"]
    # when every row says no, they are the answer too: none did
    assert ids(chosen("which bamboo gliders showed a lift gain?").rows) == [
        "gliders:3",
        "gliders:4",
    ]
    # a question asking only some of the words a cell denies does not assert it
    assert ids(chosen("which carbon gliders measured lift?").rows) == ["gliders:1", "gliders:2"]
    assert ids(chosen("list the carbon gliders").rows) == ["gliders:1", "gliders:2"]
