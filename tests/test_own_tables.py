"""A folder of one table of the user's own (no text), asked through QA with the hashing
encoder: rows found by their key's words, text values, years (a BCE one among them),
bounds and superlatives on a column of numbers, and follow-ups that order them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa import QA, Settings
from hccqa.answer.judge import keyed_rows
from hccqa.corpus.tables import column_kinds
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.understand.filters import year_range
from hccqa.understand.query import understand

TOWERS = """# title: Old stone towers
tower\tcountry\tyear\theight_m\tstone
Varn Spire\tNorland\t1310\t84.5\tGranite
Osk Keep\tNorland\t-120\t31\tSandstone
Bellmere\tSudmark\t1652\t1,050\tGranite
Tarrow\tSudmark\t1890\t47\tLimestone
"""


def folder_qa(folder: Path, files: dict[str, str]) -> QA:
    """QA over a folder of the given files (name -> text), with the hashing encoder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=folder, index_dir=folder.parent / f"{folder.name}-index")
    return QA.load(settings, embedder=HashingEmbedder(64))


@pytest.fixture(scope="module")
def towers(tmp_path_factory: pytest.TempPathFactory) -> QA:
    return folder_qa(tmp_path_factory.mktemp("towers"), {"towers.tsv": TOWERS})


def rows(qa: QA, question: str, history: tuple[str, ...] = ()) -> list[str]:
    for i, turn in enumerate(history):
        qa.ask(turn, history[:i])
    return [m.row.id.split(":")[1] for m in qa.ask(question, history).rows]


def test_a_column_of_whole_numbers_headed_year_is_a_year_column() -> None:
    kinds = [
        c.kind for c in column_kinds(["t", "year", "n"], [["a", "-120", "7"], ["b", "1652", "9"]])
    ]
    assert kinds == ["key", "year", "number"]
    # a column of whole numbers not headed "year", not all years: numbers
    assert column_kinds(["t", "n"], [["a", "-120"], ["b", "1652"]])[1].kind == "number"
    # a header that only holds the word, or ages in years: numbers
    ages = [["a", "12", "2019"], ["b", "40", "-50"]]
    assert [c.kind for c in column_kinds(["t", "age_years", "year"], ages)] == [
        "key",
        "number",
        "year",
    ]


def test_years_before_reach_back_to_the_bce_ones(towers: QA) -> None:
    assert rows(towers, "Which towers were built before 1400?") == ["Varn Spire", "Osk Keep"]
    assert rows(towers, "Which granite towers were built after 1500?") == ["Bellmere"]
    assert rows(towers, "Which towers were built in the 17th century?") == ["Bellmere"]
    assert rows(towers, "Which towers are from the 1300s?") == ["Varn Spire"]


def test_a_key_of_words_names_its_row_and_a_column_word_asks_its_cell(towers: QA) -> None:
    query = understand("What is the height of Bellmere?", (), towers.engine.lexicon)
    assert "define" not in query.intents  # a cell is asked, not what Bellmere is
    assert rows(towers, "What is the height of Bellmere?") == ["Bellmere"]
    # naming no column: what the value is
    assert "define" in understand("What is Bellmere?", (), towers.engine.lexicon).intents


def test_a_value_then_the_rows_noun_is_a_listing(towers: QA) -> None:
    assert (
        "list" in understand("Which granite towers are there?", (), towers.engine.lexicon).intents
    )
    assert rows(towers, "Which granite towers are there?") == ["Varn Spire", "Bellmere"]
    # "what" asks for the noun right after it only: a verb there asks no list
    assert (
        "list" not in understand("What weakens granite towers?", (), towers.engine.lexicon).intents
    )


def test_bounds_and_superlatives_on_a_column_of_numbers(towers: QA) -> None:
    assert rows(towers, "Which towers have a height above 50?") == ["Varn Spire", "Bellmere"]
    assert rows(towers, "Which tower has the greatest height?") == ["Bellmere"]
    # of the rows the rest of the question chooses
    assert rows(towers, "Which Norland tower has the lowest height?") == ["Osk Keep"]
    listed = ("Which granite towers are there?",)
    assert rows(towers, "which of those has the lowest height?", listed) == ["Varn Spire"]


def test_an_order_asked_of_the_rows_shown(towers: QA) -> None:
    listed = ("Which granite towers are there?",)
    assert rows(towers, "and which is the oldest?", listed) == ["Varn Spire"]


def test_the_table_named_by_its_rows_noun_lists_them_all(towers: QA) -> None:
    # the table's label is its title, not "Table N": "the table" names it all the same
    every = ["Varn Spire", "Osk Keep", "Bellmere", "Tarrow"]
    assert sorted(rows(towers, "Which towers are in the table?")) == sorted(every)
    assert sorted(rows(towers, "list every tower in the table")) == sorted(every)
    assert rows(towers, "Which is the oldest tower in the table?") == ["Osk Keep"]
    # "tables" here is a thing the towers would have, a word the corpus lacks
    assert towers.ask("Which towers have tables?").abstained


def test_numbers_beside_a_column_of_numbers_are_its_values_not_years(towers: QA) -> None:
    # the table dates towers from 1310 on (and one BCE): four-digit numbers may be years
    assert rows(towers, "Which towers have a height above 1000?") == ["Bellmere"]
    assert rows(towers, "Which towers have a height between 1000 and 1300?") == ["Bellmere"]
    assert rows(towers, "Which towers were built between 1300 and 1700?") == [
        "Varn Spire",
        "Bellmere",
    ]


def test_a_value_inside_a_longer_one_of_another_column_gives_way_to_it() -> None:
    from types import SimpleNamespace

    from tablefakes import make_table

    from hccqa.understand.lexicon import Lexicon

    halls = make_table(
        "halls",
        ["hall", "year", "height_m", "stone"],
        [["Granite Hall", "1500", "40", "Limestone"], ["Oak Hall", "1600", "30", "Granite"]],
    )
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[halls], glossary={}))
    query = understand("What is the height of Granite Hall?", (), lexicon)
    assert [(c.column, c.values) for c in query.filter.constraints] == [("hall", ("Granite Hall",))]
    # the shorter value alone still names its own rows
    granite = understand("Which buildings are of granite stone?", (), lexicon)
    assert [(c.column, c.values) for c in granite.filter.constraints] == [("stone", ("Granite",))]


def test_an_attribute_the_corpus_never_gives_is_refused_not_defined(towers: QA) -> None:
    # "Norland" is a value of the table; "population" is no word of the corpus
    query = understand("What is the population of Norland?", (), towers.engine.lexicon)
    assert "define" not in query.intents and query.focus == {"popul"}
    assert towers.ask("What is the population of Norland?").abstained
    assert not towers.ask("What is the height of Bellmere?").abstained
    assert "define" in understand("What is Bellmere?", (), towers.engine.lexicon).intents


def test_the_last_word_of_a_capitalized_name_names_its_rows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("builders")
    (folder / "towers.tsv").write_text(
        "# title: Towers and builders\ntower\tbuilder\nVarn Spire\tAda Byron\n"
        "Osk Keep\tTom Byron\nTarrow\tEli Stone\nBellmere\tIda Crane\nDunmore\tOla Vance\n",
        encoding="utf-8",
    )
    qa = QA.load(
        Settings(corpus_dir=folder, index_dir=folder.parent / "builders-index"),
        embedder=HashingEmbedder(64),
    )
    assert rows(qa, "Which towers did a Byron build?") == ["Varn Spire", "Osk Keep"]
    assert rows(qa, "Which towers did Ada Byron build?") == ["Varn Spire"]  # the whole name


def test_a_last_word_names_rows_only_in_a_column_of_names() -> None:
    from types import SimpleNamespace

    from tablefakes import make_table

    from hccqa.understand.lexicon import Lexicon
    from hccqa.understand.words import tokens

    towers = make_table(
        "towers",
        ["tower", "builder"],
        [
            ["Varn Keep Tower", "Ada de Byron"],  # a particle inside a name
            ["Osk", "Tom Byron"],
            ["Bell Keep Tower", "Eli Stone"],
            ["Dun", "Ida Stone"],
        ],
    )
    loaves = make_table(
        "loaves", ["loaf", "baker"], [["Rye Loaf", "Ann Holt"], ["Wheat Loaf", "Bo Holt"]]
    )
    lexicon = Lexicon.from_corpus(
        SimpleNamespace(passages=[], tables=[towers, loaves], glossary={})
    )

    def named(question: str) -> set[str]:
        return {m.entity.text for m in lexicon.mentions(tokens(question))}

    assert named("what did a Byron build?") == {"Ada de Byron", "Tom Byron"}
    # a column with single words among its names: "tower" names no row
    assert named("which tower is oldest?") == set()
    # the end of most of a column's names tells none apart
    assert named("which loaf is best?") == set()


def test_a_comparison_of_two_values_keeps_both_however_many_words_each_has(towers: QA) -> None:
    # "Varn Spire" is two words, "Tarrow" one: each is one side of the comparison
    assert rows(towers, "compare Varn Spire and Tarrow") == ["Varn Spire", "Tarrow"]
    assert rows(towers, "Tarrow versus Varn Spire") == ["Varn Spire", "Tarrow"]


def test_a_year_range_beside_a_bound_on_numbers_stays_a_range_of_years(towers: QA) -> None:
    # heights reach 1,050: "between 1300 and 1700" still reads years, not heights
    assert rows(towers, "towers between 1300 and 1700 with a height above 80 m") == [
        "Varn Spire",
        "Bellmere",
    ]
    assert rows(towers, "towers 1,000 m high or taller") == []  # an open end: no exact value
    assert rows(towers, "towers with a height of 31") == ["Osk Keep"]


CANALS = """# title: Canals of the plain
canal\tregion\tlength_km\tnote
Ardle Cut\tNorth\t41\tmore than any other canal
Brisk Water\tSouth\t12\tShortest canal of the plain; twelve locks
Corran Leat\tNorth\t28\tLargest length of any canal in the south
Dunmore Reach\tAsia\t35\tbuilt by monks
"""


@pytest.fixture(scope="module")
def canals(tmp_path_factory: pytest.TempPathFactory) -> QA:
    return folder_qa(tmp_path_factory.mktemp("canals"), {"canals.tsv": CANALS})


def test_a_value_of_only_the_tables_own_words_needs_its_whole_phrase(canals: QA) -> None:
    # "more than any other canal" is made of function words and the table's own noun:
    # "canals" alone does not name it, nor do "canal" and "length" its "Largest length"
    assert rows(canals, "canals longer than 30 km") == ["Ardle Cut", "Dunmore Reach"]
    assert rows(canals, "which canal has the smallest length") == ["Brisk Water"]
    assert len(rows(canals, "list all canals")) == 4
    # typed whole, it is named
    assert rows(canals, "which one is more than any other canal?") == ["Ardle Cut"]


def test_an_adjective_of_a_place_names_the_place(canals: QA) -> None:
    # an English adjective (the speller leaves it) names the table's place
    assert rows(canals, "which Asian canals are there?") == ["Dunmore Reach"]
    assert rows(canals, "the longest asian canal") == ["Dunmore Reach"]


ERUPTIONS = """# title: Eruptions of the isles
volcano\tyear\tdeaths
Kell\t1783\t9000
Brone\t1902\t850
"""
ERUPTION_NOTES = (
    "Brone erupted in 1902 on the north coast. The 850 deaths came when ash roofs fell.\n\n"
    "Kell erupted in 1783 and its gases spread over the isles. Crops failed for two years.\n"
)


@pytest.fixture(scope="module")
def eruptions(tmp_path_factory: pytest.TempPathFactory) -> QA:
    files = {"eruptions.tsv": ERUPTIONS, "notes.txt": ERUPTION_NOTES}
    return folder_qa(tmp_path_factory.mktemp("eruptions"), files)


def test_a_number_a_rows_cell_gives_is_quoted_only_from_sentences_about_it(
    eruptions: QA,
) -> None:
    kell = eruptions.ask("how many deaths did Kell cause?")
    assert not kell.abstained and [m.row.key for m in kell.rows] == ["Kell"]
    assert "850" not in "".join(s.text for s in kell.sentences)  # Brone's count, not Kell's
    # the sentence after the one naming Brone gives Brone's number
    brone = eruptions.ask("how many deaths at Brone?")
    assert not brone.abstained and "The 850 deaths came" in brone.answer


def test_how_many_of_the_rows_is_answered_by_the_rows_and_their_number(canals: QA) -> None:
    counted = canals.ask("how many canals are longer than 30 km?")
    assert not counted.abstained and counted.counted and counted.to_dict()["counted"]
    assert [m.row.key for m in counted.rows] == ["Ardle Cut", "Dunmore Reach"]
    assert counted.answer.startswith("2 table rows:\n- Ardle Cut")
    # a length asked of one row counts no rows
    one = canals.ask("how long is Ardle Cut?")
    assert not one.abstained and not one.counted and "km: 41" in one.answer


def test_a_comparative_or_a_first_asked_of_a_choice_keeps_one_row(towers: QA) -> None:
    norland = ("Which towers are in Norland?",)
    assert rows(towers, "which one is taller?", norland) == ["Varn Spire"]
    assert rows(towers, "which one is shorter?", norland) == ["Osk Keep"]
    sudmark = ("Which towers are in Sudmark?",)
    assert rows(towers, "which one was built first?", sudmark) == ["Bellmere"]
    assert rows(towers, "which was built last?", sudmark) == ["Tarrow"]
    # a comparative before "than" is a bound
    assert rows(towers, "Which towers are taller than 40 m?") == [
        "Varn Spire",
        "Bellmere",
        "Tarrow",
    ]


def test_a_rare_word_before_what_the_rows_are_names_a_row_the_table_lacks(canals: QA) -> None:
    lexicon = canals.engine.lexicon
    assert understand("how long is the orinoco canal?", (), lexicon).unknown == ("orinoco",)
    assert understand("which big canal is the longest?", (), lexicon).unknown == ()


def test_only_a_row_named_by_its_key_gives_its_numbers_to_a_count(canals: QA) -> None:
    lexicon = canals.engine.lexicon
    all_rows = canals.corpus.rows
    keyed = keyed_rows(understand("how long is Ardle Cut?", (), lexicon), all_rows)
    assert [r.key for r in keyed] == ["Ardle Cut"]
    by_note = understand("how long is the canal built by monks?", (), lexicon)
    assert keyed_rows(by_note, all_rows) == []  # picked by its note, not named


def test_a_count_of_no_named_thing_reads_the_named_rows_numbers(eruptions: QA) -> None:
    died = eruptions.ask("how many died at Kell?")
    assert not died.abstained and [m.row.key for m in died.rows] == ["Kell"]
    assert "deaths: 9000" in died.answer


def test_a_count_is_not_read_off_rows_named_or_negated(canals: QA) -> None:
    # the question names a row to compare with: its rows are not the count
    assert not canals.ask("how many canals are longer than Ardle Cut?").counted
    # a negation the filter reads as a value set aside counts the other rows
    other = canals.ask("how many canals are not in the North?")
    assert other.counted and [m.row.key for m in other.rows] == ["Brisk Water", "Dunmore Reach"]
    # one it does not read (no value after it) counts nothing
    assert not canals.ask("how many canals did not flood?").counted


def test_a_comparative_outside_a_choice_picks_no_extreme(towers: QA) -> None:
    for question in (
        "which towers have a height of 40 or greater?",
        "which towers have a greater height than 40?",
        "which towers grew taller after 1900?",
    ):
        reasons = [m.reason for m in towers.ask(question).rows]
        assert not any("the highest" in r or "the lowest" in r for r in reasons), question


def test_a_word_that_only_ends_like_an_adjective_of_a_place_names_no_value(
    tmp_path: Path,
) -> None:
    table = (
        "# title: Cell lines\nline\torigin\tyear\nKX-1\tGerm cell tumour\t2001\nKX-2\tLiver\t2004\n"
    )
    qa = folder_qa(tmp_path / "lines", {"lines.tsv": table})
    # "german" is no "germ" + "an": Europe takes -an, Asia -n; Germ neither
    assert rows(qa, "which cell lines came from German labs?") == []


def test_a_count_keeps_only_quotes_sharing_a_word_of_the_question(tmp_path: Path) -> None:
    notes = (
        "Volcanoes of the isles are watched by two observatories on the coast.\n\n"
        "Brone erupted in 1902. The 850 deaths came when ash roofs fell.\n"
    )
    qa = folder_qa(tmp_path / "isles", {"eruptions.tsv": ERUPTIONS, "notes.txt": notes})
    counted = qa.ask("how many volcanoes had more than 500 deaths?")
    assert counted.counted and [m.row.key for m in counted.rows] == ["Kell", "Brone"]
    # the counted word alone ("volcanoes") says nothing of the rows
    assert all("death" in s.text for s in counted.sentences)


KITE_STUDIES = """# title: Clinical studies of kite flying
ref\tauthor\tyear\tphase\tkite
1\tAmes et al\t2001\tPhase 2\tBox kite
2\tBrook et al\t2003\tPhase 3\tBox kite
3\tCole et al\t2005\tPhase 3\tDelta kite
4\tDunn et al\t2007\tPhase 3\tSled kite
"""


def test_how_many_counts_the_rows_of_a_value_most_rows_hold(tmp_path: Path) -> None:
    qa = folder_qa(tmp_path / "kites", {"kite_studies.tsv": KITE_STUDIES})
    # "trials" of a table of studies; Phase 3 is in three rows of four, counted all the same
    counted = qa.ask("how many phase 3 trials are there?")
    assert not counted.abstained and counted.counted, counted.refusal_reason
    assert [m.row.author for m in counted.rows] == ["Brook et al", "Cole et al", "Dunn et al"]
    assert counted.answer.startswith("3 table rows:")
    # a count of something the rows are not ("patients") is no count of the rows
    assert not qa.ask("how many patients were in the phase 3 trials?").counted


def test_which_came_first_of_two_named_picks_by_year(towers: QA) -> None:
    assert rows(towers, "Which tower came first, Tarrow or Bellmere?") == ["Bellmere"]
    assert rows(towers, "which was older, Tarrow or Varn Spire?") == ["Varn Spire"]
    assert rows(towers, "which came later, Bellmere or Varn Spire?") == ["Bellmere"]


def test_a_report_is_no_table_of_studies_and_tables_are_no_table_named(tmp_path: Path) -> None:
    rows = "tower\tyear\theight_m\nA\t1310\t84\nB\t1652\t90\n"
    studies = folder_qa(
        tmp_path / "s", {"t.tsv": f"# title: Field studies of tower heights\n{rows}"}
    )
    report = folder_qa(
        tmp_path / "r", {"t.tsv": f"# title: Annual report of tower heights\n{rows}"}
    )
    # "studies" are what the rows of field studies are, not those of a report
    assert studies.ask("how many studies are in the table?").counted
    assert not report.ask("how many studies are in the table?").counted
    # "tables" in general name no table, even in a corpus of one
    lexicon = report.engine.lexicon
    assert understand("does it have any tables?", (), lexicon).filter.table is None
    assert understand("list the heights in the table", (), lexicon).filter.table == "t"


SPANS = """# title: Footbridges of the valley
id\tname\tyear\tlength_m\tdeck
F1\tAsh Footbridge\t1890\t40\tTimber
F2\tBrook Link\t1955\t120\tSteel
F3\tCress Footbridge\t1978\t75\tSteel
F4\tDene Walk\t2001\t30\tTimber
"""


@pytest.fixture(scope="module")
def spans(tmp_path_factory: pytest.TempPathFactory) -> QA:
    notes = (
        "The valley has four footbridges. Ash Footbridge was rebuilt in 1950 after a flood. "
        "Cress Footbridge carries the cycle path, and Brook Link joins the two mills.\n"
    )
    return folder_qa(tmp_path_factory.mktemp("spans"), {"spans.tsv": SPANS, "notes.txt": notes})


def test_a_name_word_that_names_the_table_names_no_row(spans: QA) -> None:
    # "Footbridge" is in two names (a name's word in the notes) and in the title: it names
    # every row, not those two
    assert rows(spans, "Which footbridges have a steel deck?") == ["F2", "F3"]
    assert rows(spans, "Which is the longest footbridge?") == ["F2"]
    counted = spans.ask("How many footbridges are there?")
    assert counted.counted and len(counted.rows) == 4
    # the name's own word still names its row
    assert rows(spans, "Which footbridge is Cress?") == ["F3"]


def test_a_unit_spelled_out_bounds_the_column_headed_by_its_short_form(towers: QA) -> None:
    assert rows(towers, "Which towers are taller than 40 metres?") == [
        "Varn Spire",
        "Bellmere",
        "Tarrow",
    ]
    assert rows(towers, "towers under 50 meters") == ["Osk Keep", "Tarrow"]


def test_what_is_a_row_by_its_name_shows_the_row(spans: QA, towers: QA) -> None:
    assert rows(towers, "What is Bellmere?") == ["Bellmere"]
    assert rows(spans, "What is Dene Walk made of?") == ["F4"]
    # a value many rows hold is defined, not answered by one of its rows
    assert rows(spans, "What is timber?") == []


def test_negations_of_a_decade_a_maker_and_a_material(towers: QA, spans: QA) -> None:
    assert rows(towers, "Which towers were not built in the 1600s?") == [
        "Varn Spire",
        "Osk Keep",
        "Tarrow",
    ]
    assert rows(towers, "Which towers are not made of granite?") == ["Osk Keep", "Tarrow"]
    assert rows(spans, "Which footbridges were not built with steel?") == ["F1", "F4"]


def test_a_name_beside_a_key_of_codes_names_its_row_for_its_numbers(spans: QA) -> None:
    # "Brook Link" is a name, not the key ("F2"): its row still gives its length
    asked = spans.ask("How long is it?", ["When was Brook Link built?"])
    assert not asked.abstained, asked.refusal_reason
    assert [m.row.id for m in asked.rows] == ["spans:F2"] and "length_m: 120" in asked.answer


def test_what_is_a_key_after_its_columns_word_shows_that_row(spans: QA) -> None:
    # "id F3" names the row keyed F3; "what is" asks for the row, not a definition
    asked = spans.ask("What is id F3?")
    assert not asked.abstained, asked.refusal_reason
    assert [m.row.id for m in asked.rows] == ["spans:F3"]
    assert rows(spans, "When were id F1 and F4 built?") == ["F1", "F4"]


ARENAS = """# title: Arenas of the league
id\tarena\tcity\tcapacity\topened
A1\tHarbor Dome\tPort Vale\t40000\t1999
A2\tPine Bowl\tSan Remo\t32000\t2005
A3\tCrown Hall\tLos Altos\t55000\t2012
"""
PARCELS = """# title: Parcels shipped
id\tparcel\tweight_lb\tprice
P1\tRed box\t4\t30
P2\tBlue crate\t25\t12
"""


def test_only_the_name_column_names_a_row_and_a_name_still_counts(tmp_path: Path) -> None:
    arenas = folder_qa(tmp_path / "arenas", {"arenas.tsv": ARENAS})
    counted = arenas.ask("How many arenas are in San Remo?")
    assert counted.counted and [m.row.id for m in counted.rows] == ["arenas:A2"]
    assert rows(arenas, "What is Pine Bowl?") == ["A2"]
    assert rows(arenas, "What is San Remo?") == []  # a city, not the arena's name
    # "pounds" may be money: no bound on a column headed "_lb"
    parcels = folder_qa(tmp_path / "parcels", {"parcels.tsv": PARCELS})
    cheap = parcels.ask("Which parcels cost less than 20 pounds?")
    assert not any("weight_lb" in m.reason for m in cheap.rows)


def test_the_others_only_as_the_whole_question_or_the_other_one(towers: QA) -> None:
    turns = ["Which towers are granite?", "Which of those were built before 1500?"]
    assert rows(towers, turns[1], tuple(turns[:1])) == ["Varn Spire"]
    assert rows(towers, "And the others?", tuple(turns)) == ["Bellmere"]
    # "others" inside a question is other people, not the rows left out
    assert rows(towers, "What have others said about it?", tuple(turns)) == ["Varn Spire"]


def test_years_set_aside_apart_are_neither_asked_nor_set_aside(towers: QA) -> None:
    lexicon = towers.engine.lexicon
    apart = understand("Which towers were not built in the 1300s or the 1600s?", (), lexicon)
    assert apart.filter.years is None and apart.filter.years_aside is None
    century = understand("Which towers weren't built in the 17th century?", (), lexicon)
    assert century.filter.years_aside == (1600, 1699)


DOSES = """# title: Dose trials
id\ttrial\tyear\tdose
D1\tAlpha\t2009\t10 mg
D2\tBeta\t2011\t20 mg
D3\tGamma\t2011\t40 mg
D4\tDelta\t2015\t20 mg
"""
BOATS = """# title: Boats of the harbour
id\ttype\tboat
B1\tSloop\tSea Wolf
B2\tSloop\tRed Gull
B3\tKetch\tGrey Owl
"""


def test_review_of_the_last_fixes(tmp_path: Path, towers: QA, spans: QA) -> None:
    doses = folder_qa(tmp_path / "doses", {"doses.tsv": DOSES})
    # a value starting with a number does not take the year after it
    assert rows(doses, "Which trials did not use 20 mg in 2011?") == ["D3"]
    # two years apart set aside one by one
    assert rows(doses, "Which trials were not from 2009 or 2015?") == ["D2", "D3"]
    # "which one was the last?" of the rows shown before
    assert rows(towers, "which one was the last?", ("Which towers are in Sudmark?",)) == ["Tarrow"]
    # "entries" of a table named
    entries = spans.ask("How many entries are in the table?")
    assert entries.counted and len(entries.rows) == 4
    # a name after a column of kinds names its row
    boats = folder_qa(tmp_path / "boats", {"boats.tsv": BOATS})
    assert rows(boats, "What is Grey Owl?") == ["B3"]


def test_a_count_compared_with_a_named_row_does_not_count_it(tmp_path: Path) -> None:
    arenas = folder_qa(tmp_path / "arenas", {"arenas.tsv": ARENAS})
    bigger = arenas.ask("How many arenas are bigger than Pine Bowl?")
    assert not (bigger.counted and "arenas:A2" in [m.row.id for m in bigger.rows])
    parcels = folder_qa(tmp_path / "parcels", {"parcels.tsv": PARCELS})
    assert rows(parcels, "Which parcels weigh more than 20 lbs?") == ["P2"]


def test_a_list_no_row_fits_says_so_instead_of_quoting(towers: QA) -> None:
    asked = towers.ask("Which granite towers were built in 1890?")
    assert asked.abstained and not asked.rows
    assert asked.refusal_reason == "no table row fits year 1890, stone: Granite in Towers"
    assert asked.answer.startswith("No table row fits year 1890, stone: Granite in Towers.")
    # one row fits: listed as before
    assert rows(towers, "Which limestone towers were built in 1890?") == ["Tarrow"]


def test_a_numbered_table_the_corpus_lacks_is_a_name_it_never_mentions(tmp_path: Path) -> None:
    kites = "# title: Kites\nref\tframe\n1\tBamboo\n2\tCarbon\n"
    hives = "# title: Hives\nref\tbox\n1\tCedar\n2\tPine\n"
    notes = "Kites of bamboo fly well (Table 1). Hives of cedar stay dry (Table 2).\n"
    qa = folder_qa(
        tmp_path / "numbered", {"table1.tsv": kites, "table2.tsv": hives, "notes.txt": notes}
    )
    third = qa.ask("What is in table 3?")
    assert third.abstained and "table 3" in (third.refusal_reason or "")
    second = qa.ask("Which hives are in table 2?")
    assert not second.abstained and [m.row.id for m in second.rows] == ["table2:1", "table2:2"]


MILLS = """# title: Old windmills of the plain
name\tcountry\tbuilt\theight (m)\tsails\tnotes
Hollow Post\tNorland\t1180\t12\t4\tOne of the oldest mills still turning
Grey Smock\tNorland\t1750\t21\t-\tBurnt in 1900 and rebuilt
Tall Tower\tSudmark\t1905\t33\t6\tTallest brick mill
Low Cap\tSudmark\t1960\t9\tNA\tRebuilt in 1900
Marsh Head\tSudmark\t1612\t12\t5\t
"""
MILLERS = """# title: Millers of the windmills
miller\tmill\tstart\tend\tgender
Ada Venn\tHollow Post\t1852\t1890\tfemale
Bo Lind\tGrey Smock\t1880\t1921\tmale
Cy Roe\tMarsh Head\t1901\t1950\tmale
"""


@pytest.fixture(scope="module")
def mills(tmp_path_factory: pytest.TempPathFactory) -> QA:
    files = {"mills.tsv": MILLS, "millers.tsv": MILLERS}
    return folder_qa(tmp_path_factory.mktemp("mills"), files)


def test_a_column_dated_by_an_event_reads_years_decades_and_centuries(mills: QA) -> None:
    kinds = {c.name: c.kind for t in mills.corpus.tables for c in t.columns}
    assert kinds["built"] == kinds["start"] == kinds["end"] == "year"
    assert kinds["height (m)"] == kinds["sails"] == "number"  # ("-" and "NA": missing)
    assert rows(mills, "Which windmills were built before 1700?") == ["Hollow Post", "Marsh Head"]
    assert rows(mills, "Which windmills were built in the 20th century?") == [
        "Tall Tower",
        "Low Cap",
    ]
    # a bare year names no note that holds it ("Burnt in 1900"), and misses no row
    assert rows(mills, "Which windmills were built after 1900?") == ["Tall Tower", "Low Cap"]
    assert rows(mills, "Which windmills have more than 4 sails?") == ["Tall Tower", "Marsh Head"]


def test_the_years_are_of_the_dating_column_the_question_names(mills: QA) -> None:
    assert rows(mills, "Which millers started after 1860?") == ["Bo Lind", "Cy Roe"]
    assert rows(mills, "Which millers ended after 1900?") == ["Bo Lind", "Cy Roe"]
    asked = mills.ask("Which millers ended before 1900?")
    assert [m.row.key for m in asked.rows] == ["Ada Venn"]
    assert "end until 1899" in asked.rows[0].reason


def test_a_unit_in_brackets_after_a_header_bounds_and_equals_its_column(mills: QA) -> None:
    assert rows(mills, "Which windmills are taller than 20 m?") == ["Grey Smock", "Tall Tower"]
    assert rows(mills, "Which windmills are exactly 12 metres tall?") == [
        "Hollow Post",
        "Marsh Head",
    ]


def test_an_order_word_asks_an_order_not_a_note_holding_it(mills: QA) -> None:
    # "the oldest windmill" of the table titled by windmills (the millers' table has a
    # column "mill" too), not the note "One of the oldest mills ..."
    assert rows(mills, "Which is the oldest windmill?") == ["Hollow Post"]
    assert rows(mills, "Which is the newest windmill?") == ["Low Cap"]
    assert rows(mills, "Which windmill in Sudmark is the tallest?") == ["Tall Tower"]


def test_two_names_are_asked_of_the_table_holding_both(mills: QA) -> None:
    # "Marsh Head" is also a miller's mill: the two names are asked of the mills
    assert rows(mills, "Which is older, Grey Smock or Marsh Head?") == ["Marsh Head"]


def test_one_value_in_two_tables_columns_is_asked_of_both(mills: QA) -> None:
    # "Marsh Head": a mill's name and a miller's mill, alternatives, not two conditions
    assert sorted(rows(mills, "Who worked at Marsh Head?")) == ["Cy Roe", "Marsh Head"]


def test_which_are_not_after_a_first_question_shows_the_rest_of_its_table(mills: QA) -> None:
    asked = ("Which windmills are in Sudmark?",)
    assert rows(mills, "Which ones are not?", asked) == ["Hollow Post", "Grey Smock"]
    assert rows(mills, "And the others?", asked) == ["Hollow Post", "Grey Smock"]
    counted = mills.ask("How many of them?", [*asked, "Which ones are not?"])
    assert counted.counted and [m.row.key for m in counted.rows] == ["Hollow Post", "Grey Smock"]


def test_a_row_named_by_its_key_is_not_answered_by_a_quote_on_another_row(
    tmp_path: Path,
) -> None:
    notes = (
        "Bo Lind kept the Grey Smock mill for forty years. He died in 1921, aged 80.\n\n"
        "The plain had many mills.\n"
    )
    qa = folder_qa(tmp_path / "m", {"millers.tsv": MILLERS, "notes.txt": notes})
    asked = qa.ask("When did Ada Venn die?")
    assert [m.row.key for m in asked.rows] == ["Ada Venn"]
    assert not any("died" in s.text for s in asked.sentences)  # Bo Lind's death
    # a quote right after a sentence naming the row stays
    died = qa.ask("When did Bo Lind die?")
    assert any("died in 1921" in s.text for s in died.sentences)


def test_an_average_median_or_total_of_a_column_is_given_over_the_rows_chosen(mills: QA) -> None:
    average = mills.ask("What is the average height of the windmills?")
    assert not average.abstained and len(average.rows) == 5
    assert average.answer.startswith("Average height (m): 17.4 (over 5 table rows):")
    assert (
        average.figure
        == average.to_dict()["figure"]
        == "Average height (m): 17.4 (over 5 table rows)"
    )
    # rows with no value ("-", "NA") are left out, and said to be
    total = mills.ask("What is the total number of sails of the windmills?")
    assert total.answer.startswith("Total sails: 15 (over the 3 of 5 table rows that give one):")
    median = mills.ask("median height of the windmills in Sudmark")
    assert median.answer.startswith("Median height (m): 12 (over 3 table rows):")
    # no column's word after the figure's: no figure
    assert not mills.ask("Which windmills are average?").answer.startswith("Average")


def test_a_place_before_a_superlative_picks_that_value_from_the_top(towers: QA) -> None:
    assert rows(towers, "Which is the tallest tower?") == ["Bellmere"]
    assert rows(towers, "Which is the second tallest tower?") == ["Varn Spire"]
    assert rows(towers, "the 3rd tallest tower") == ["Tarrow"]
    assert rows(towers, "Which is the second shortest tower?") == ["Tarrow"]
    # past the last place: the last value
    assert rows(towers, "Which is the fifth tallest tower?") == ["Osk Keep"]


def test_numbers_in_words_and_open_ends_bound_a_column(mills: QA) -> None:
    assert rows(mills, "Which windmills have 5 or more sails?") == ["Tall Tower", "Marsh Head"]
    assert rows(mills, "Which windmills have five sails or more?") == ["Tall Tower", "Marsh Head"]
    assert rows(mills, "Which windmills have 4 or fewer sails?") == ["Hollow Post"]
    assert rows(mills, "Which windmills have only four sails?") == ["Hollow Post"]
    counted = mills.ask("How many windmills have six sails?")
    assert counted.counted and [m.row.key for m in counted.rows] == ["Tall Tower"]


def test_a_value_with_an_ampersand_or_an_apostrophe_is_set_aside_whole(tmp_path: Path) -> None:
    engines = (
        "# title: Engines\nname\tbuilder\nHeron\tDunmore & Co\nOsprey\tRay's Works\nTern\tHolt\n"
    )
    qa = folder_qa(tmp_path / "e", {"engines.tsv": engines})
    assert rows(qa, "Which engines were not built by Dunmore & Co?") == ["Osprey", "Tern"]
    assert rows(qa, "Which engines were not built by Ray's Works?") == ["Heron", "Tern"]


def test_the_second_one_after_a_broad_list_and_none_left_out(mills: QA) -> None:
    # "in Sudmark" keeps 3 of 5 rows (a broad value): the second of those still answers
    broad = ("Which windmills are in Sudmark?",)
    assert rows(mills, "What about the second one?", broad) == ["Low Cap"]
    assert rows(mills, "And the second one?", broad) == ["Low Cap"]
    # every row shown: none is left out, and the answer says so
    every = ("Which windmills are in Norland or Sudmark?",)
    none = mills.ask("Which ones are not?", list(every))
    assert none.abstained and not none.rows
    assert none.answer.startswith("No table row fits: the last answer showed them all.")


def test_a_list_no_row_fits_is_answered_from_prose_that_says_it(tmp_path: Path) -> None:
    notes = (
        "Old Ridge windmill was built in 1890 in Norland, and burnt down in 1932.\n\n"
        "The plain's market opened in 1777.\n"
    )
    qa = folder_qa(tmp_path / "m", {"mills.tsv": MILLS, "notes.txt": notes})
    asked = qa.ask("Which windmills were built in 1890?")
    assert not asked.abstained and not asked.rows
    assert any("Old Ridge" in s.text for s in asked.sentences)
    # prose that does not say it: refused, saying that no row fits (a year before 1800
    # after "in" is a year of a table dating rows so early)
    refused = qa.ask("Which windmills were built in 1777?")
    assert refused.abstained and refused.refusal_reason.startswith("no table row fits year 1777")
    assert rows(qa, "Which windmills were built in 1612?") == ["Marsh Head"]


def test_a_key_of_letters_and_digits_names_its_row_alone(spans: QA) -> None:
    assert rows(spans, "How long is F3?") == ["F3"]
    assert rows(spans, "When were F1 and F4 built?") == ["F1", "F4"]
    # a code the table does not hold names nothing
    assert rows(spans, "How long is F9?") == []


def test_furthest_and_closest_measure_a_distance_column(tmp_path: Path) -> None:
    halts = "# title: Halts of the line\nhalt\tdistance_km\nAsh\t0\nBirch\t12.5\nCedar\t30\n"
    qa = folder_qa(tmp_path / "h", {"halts.tsv": halts})
    assert rows(qa, "Which halt is the furthest?") == ["Cedar"]
    assert rows(qa, "Which halt is closest?") == ["Ash"]
    assert rows(qa, "Which is farther, Ash or Birch?") == ["Birch"]


def test_which_of_them_did_something_first_orders_the_rows_shown(mills: QA) -> None:
    listed = ("Which windmills are in Sudmark?",)
    assert rows(mills, "Which of them opened first?", listed) == ["Marsh Head"]
    assert rows(mills, "Which of those closed last?", listed) == ["Low Cap"]


def test_a_number_asked_of_one_year_is_read_only_from_a_sentence_of_that_year(
    tmp_path: Path,
) -> None:
    notes = (
        "The ferry was busiest in 1913, when it carried 900 passengers.\n\n"
        "The ferry still crosses the bay each summer.\n"
    )
    qa = folder_qa(tmp_path / "f", {"notes.txt": notes})
    assert not qa.ask("How many passengers did the ferry carry in 1913?").abstained
    other = qa.ask("How many passengers did the ferry carry in 2019?")
    assert other.abstained and "number of passengers" in (other.refusal_reason or "")


def test_a_superlative_of_weight_reads_a_column_counted_in_kg(tmp_path: Path) -> None:
    crates = "# title: Crates\ncrate\tkg\nC1\t12\nC2\t40\nC3\t25\n"
    notes = "The depot opens at dawn. Forklifts are serviced in spring.\n"
    qa = folder_qa(tmp_path / "c", {"crates.tsv": crates, "notes.txt": notes})
    heaviest = qa.ask("Which crate is the heaviest?")
    assert [m.row.key for m in heaviest.rows] == ["C2"]
    assert not heaviest.sentences  # no quote shares a word with the question
    assert rows(qa, "Which is the second heaviest crate?") == ["C3"]
    assert rows(qa, "Which crates weigh 25 kg?") == ["C3"]


def test_review_of_the_last_changes(tmp_path: Path) -> None:
    crates = "# title: Crates\ncrate\tkg\nC1\t12\nC2\t40\nC3\t25\n"
    qa = folder_qa(tmp_path / "c", {"crates.tsv": crates})
    # a code after "than" is what the rows are compared with, not a row asked for
    assert "C3" not in rows(qa, "Which crates are heavier than C3?")
    ships = "# title: Ships\nship\tcrew\tcaptain\tlaunched\n"
    ships += "Red Hart\t1200\tfemale\t1612\nGrey Gull\t300\tmale\t1790\n"
    sea = folder_qa(tmp_path / "s", {"ships.tsv": ships})
    # "a crew of 1200" is a count, not a year of a table dating rows so early
    assert year_range("a crew of 1200", early=True) is None
    assert year_range("in 1500 tons", early=True) is None
    assert rows(sea, "Which ships were launched in 1612?") == ["Red Hart"]
    # "by women": the agent, a value WordNet files the word under
    assert rows(sea, "Which ships were captained by women?") == ["Red Hart"]
    # "finished first" is a place, not the earliest
    listed = ("Which ships are there?",)
    assert (
        "earliest"
        not in understand("Which of them finished first?", listed, sea.engine.lexicon).intents
    )


def test_an_average_of_a_quantity_reads_the_column_counted_in_its_unit(tmp_path: Path) -> None:
    crates = "# title: Crates\ncrate\tkg\tt\nC1\t12\t3\nC2\t40\t1\nC3\t26\t2\n"
    notes = "The heaviest load ever shipped weighed 90 kg.\n"
    qa = folder_qa(tmp_path / "c", {"crates.tsv": crates, "notes.txt": notes})
    asked = qa.ask("What is the average weight of the crates?")
    assert asked.figure == "Average kg: 26 (over 3 table rows)"
    assert not asked.sentences  # the quote's 90 kg is no figure of these rows
    # a one-letter header ("t", a time) is no unit: "the heaviest" reads kg
    assert rows(qa, "Which crate is the heaviest?") == ["C2"]
