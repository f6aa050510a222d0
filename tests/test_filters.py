"""hccqa.understand.filters: year ranges and row filters over any columns (pure)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tablefakes import make_table

from hccqa.types import Table
from hccqa.understand.compare import compared_words
from hccqa.understand.filters import (
    OPEN_END,
    OPEN_START,
    Constraint,
    RowFilter,
    build_filter,
    keys_named,
    without_excluded,
    year_range,
)
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import understand
from hccqa.understand.words import content_stems, tokens

TABLE = make_table(
    "kites",
    ["ref", "author", "year", "frame", "sail"],
    [
        ["1", "Ames et al", "2009", "Bamboo", "Silk"],
        ["2", "Brook et al", "2011", "Carbon", "Nylon"],
        ["3", "Cole et al", "2012", "Bamboo", "Nylon"],
        ["4", "Dunn et al", "2015", "Carbon", "Silk"],
    ],
)
ROWS = TABLE.rows


def ids(rows: list) -> list[str]:
    return [r.id for r in rows]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("hives between 2010 and 2012", (2010, 2012)),
        ("from 2012 to 2010", (2010, 2012)),  # either order
        ("2011-2013 trials", (2011, 2013)),
        ("since 2015", (2015, OPEN_END)),
        ("after 2015", (2016, OPEN_END)),  # after is strict
        ("2015 or later", (2015, OPEN_END)),
        ("2016 onwards", (2016, OPEN_END)),
        ("before 2015", (OPEN_START, 2014)),  # before is strict, and reaches back to any year
        ("until 2015", (OPEN_START, 2015)),
        ("prior to 2015", (OPEN_START, 2014)),
        ("2015 or earlier", (OPEN_START, 2015)),
        ("in 2014 and 2016", (2014, 2016)),  # single years: from the first to the last
        ("in 1999", (1999, 1999)),
        ("in 12345", None),  # not a year
        ("trials with more than 2000 patients", None),  # a count, not a year
        ("is 1200 mg a day too much?", None),  # an amount
        ("2000 Patients in 2011", (2011, 2011)),
        ("since 2015, with 1800 cases", (2015, OPEN_END)),
        ("no years here", None),
        # decades and centuries, opened or closed by the word before them
        ("hives of the 1990s", (1990, 1999)),
        ("in the late 1980's", (1980, 1989)),
        ("since the 1990s", (1990, OPEN_END)),
        ("after the 1990s", (2000, OPEN_END)),
        ("before the 2010s", (OPEN_START, 2009)),
        ("in the 1800s", (1800, 1899)),  # a century, as "the 1900s" is
        ("in the 2000s", (2000, 2009)),  # a decade
        ("in the 19th century", (1800, 1899)),
        ("during the twentieth century", (1900, 1999)),
        ("since the twenty-first century", (2000, OPEN_END)),
        ("until the 19th century", (OPEN_START, 1899)),
        ("the 40th century", None),
        ("the 1990s or later", (1990, OPEN_END)),
        ("the 19th and 20th centuries", (1800, 1999)),
        # beside other years, a span gives its first year, or its last closing a range
        ("from the 1990s to the 2010s", (1990, 2019)),
        ("from the 1990s to 2005", (1990, 2005)),
        ("between 1985 and the 1990s", (1985, 1999)),
        ("since 1985, and in the 1990s", (1985, OPEN_END)),
        ("the 1910s and 1920s", (1910, 1929)),
    ],
)
def test_year_range(text: str, years: tuple[int, int] | None) -> None:
    assert year_range(text) == years


def test_years_before_1800_only_after_a_year_word_and_when_asked_for() -> None:
    assert year_range("towers built before 1400") is None  # a corpus dating from 1800
    assert year_range("towers built before 1400", early=True) == (OPEN_START, 1399)
    assert year_range("between 1200 and 1300", early=True) == (1200, 1300)
    assert year_range("hospitals with 1000s of beds", early=True) is None  # a count
    assert year_range("towers of the 14th century") is None
    assert year_range("towers of the 14th century", early=True) == (1300, 1399)
    for text in ("the 1000 genomes", "a 1600 kcal diet", "more than 1500 respondents"):
        assert year_range(text, early=True) is None, text


def test_an_empty_filter_passes_every_row_and_is_not_specific() -> None:
    f = RowFilter()
    assert not f.specific
    assert ids(f.select(ROWS)) == ids(ROWS)
    assert f.describe() == ""


def test_values_of_one_column_are_alternatives_and_columns_all_apply() -> None:
    bamboo = Constraint("frame", ("Bamboo",), frozenset({"kites:1", "kites:3"}))
    nylon = Constraint("sail", ("Nylon",), frozenset({"kites:2", "kites:3"}))
    assert ids(RowFilter((bamboo,)).select(ROWS)) == ["kites:1", "kites:3"]
    both = RowFilter((bamboo, nylon))
    assert both.specific
    assert ids(both.select(ROWS)) == ["kites:3"]
    assert ids(both.without("sail").select(ROWS)) == ["kites:1", "kites:3"]
    assert both.describe() == "frame: Bamboo, sail: Nylon"


def test_a_rows_reason_names_the_values_its_own_cells_hold() -> None:
    either = Constraint("frame", ("Bamboo", "Carbon"), frozenset(r.id for r in ROWS))
    f = RowFilter((either,), years=(2009, 2012))
    assert f.describe() == "year 2009-2012, frame: Bamboo or Carbon"
    assert f.describe(ROWS[0]) == "year 2009-2012, frame: Bamboo"
    assert f.describe(ROWS[1]) == "year 2009-2012, frame: Carbon"
    # a long form its cell does not spell out: the values as asked
    spelled = RowFilter((Constraint("frame", ("Bamboo cane",), frozenset({"kites:1"})),))
    assert spelled.describe(ROWS[0]) == "frame: Bamboo cane"
    # whole words only, and of a value and a longer one holding it, the longer
    cashew = make_table("k", ["ref", "frame"], [["1", "Cashew"], ["2", "Ash plus cashew"]])
    woods = Constraint("frame", ("Ash", "Cashew", "Ash plus cashew"), frozenset({"k:1", "k:2"}))
    assert RowFilter((woods,)).describe(cashew.rows[0]) == "frame: Cashew"
    assert RowFilter((woods,)).describe(cashew.rows[1]) == "frame: Ash plus cashew"


def test_years_and_table_narrow_too() -> None:
    f = RowFilter(years=(2010, 2012))
    assert f.specific and ids(f.select(ROWS)) == ["kites:2", "kites:3"]
    assert RowFilter(years=(2011, OPEN_END)).describe() == "year since 2011"
    assert RowFilter(years=(OPEN_START, 2011)).describe() == "year until 2011"
    assert RowFilter(years=(2012, 2012)).describe() == "year 2012"
    assert RowFilter(years=(2009, 2011)).describe() == "year 2009-2011"
    other = RowFilter(table="boats")
    assert not other.specific  # a table alone does not narrow
    assert other.select(ROWS) == []


def test_a_row_without_a_year_fails_a_year_filter() -> None:
    undated = make_table("notes", ["id", "text"], [["a", "Loose notes"]]).rows[0]
    assert undated.year is None
    assert not RowFilter(years=(0, OPEN_END)).passes(undated)


def test_build_filter_groups_mentions_by_column() -> None:
    lexicon = Lexicon.from_corpus(_corpus(), english=["bamboo", "silk", "nylon", "carbon"])
    text = "bamboo or carbon kites with silk sails since 2010"
    toks = tokens(text)
    f = build_filter(text, toks, lexicon.mentions(toks), table=None, years_apply=True)
    by_column = {c.column: c for c in f.constraints}
    assert set(by_column) == {"frame", "sail"}
    assert set(by_column["frame"].values) == {"Bamboo", "Carbon"}
    assert f.years == (2010, OPEN_END)
    assert ids(f.select(ROWS)) == ["kites:4"]
    # without a year column anywhere, years are plain words
    f2 = build_filter(text, toks, lexicon.mentions(toks), table=None, years_apply=False)
    assert f2.years is None


def _corpus():  # type: ignore[no-untyped-def]
    return SimpleNamespace(passages=[], tables=[TABLE], glossary={})


def _lexicon(table, *english: str, glossary: dict[str, str] | None = None) -> Lexicon:  # type: ignore[no-untyped-def]
    corpus = SimpleNamespace(passages=[], tables=[table], glossary=glossary or {})
    return Lexicon.from_corpus(corpus, english=list(english))


def _filter(lexicon: Lexicon, text: str) -> RowFilter:
    toks = tokens(text)
    return build_filter(text, toks, lexicon.mentions(toks), table=None, years_apply=True)


def _crashes(result: str):  # type: ignore[no-untyped-def]
    """Kite crash studies: two rows whose result is ``result``, one with torn sails."""
    return make_table(
        "crashes",
        ["ref", "author", "year", "frame", "result"],
        [
            ["1", "Ames et al", "2009", "Bamboo", result],
            ["2", "Brook et al", "2011", "Carbon", result],
            ["3", "Cole et al", "2012", "Bamboo", "Torn sails"],
        ],
        title="Studies of frequent kite crashes",
    )


CRASH_WORDS = ("bamboo", "carbon", "frequent", "crashes", "torn", "sails")


def test_a_value_restating_the_tables_topic_gives_way_to_a_specific_one() -> None:
    # "Frequent crashes" says what every row of a table of crash studies is about
    table = _crashes("Frequent crashes")
    lexicon = _lexicon(table, *CRASH_WORDS)

    def rows_of(text: str) -> list[str]:
        return ids(_filter(lexicon, text).select(table.rows))

    # with a specific value, the generic one does not narrow: both bamboo kites
    assert rows_of("bamboo frames and frequent crashes") == ["crashes:1", "crashes:3"]
    # alone, it is what the question asks for
    assert rows_of("which kites had frequent crashes") == ["crashes:1", "crashes:2"]
    # a value that is not the topic still narrows with the other
    assert rows_of("bamboo frames and torn sails") == ["crashes:3"]


def test_an_abbreviations_long_form_restating_the_topic_is_generic_too() -> None:
    table = _crashes("FC")
    lexicon = _lexicon(table, *CRASH_WORDS, glossary={"FC": "frequent crashes"})
    f = _filter(lexicon, "bamboo frames and frequent crashes")
    assert ids(f.select(table.rows)) == ["crashes:1", "crashes:3"]


def test_a_value_is_not_generic_for_its_own_column_name_nor_when_the_title_lists_values() -> None:
    table = make_table(
        "trials",
        ["ref", "author", "year", "kite", "response"],
        [
            ["1", "Ames et al", "2009", "Delta", "Response"],
            ["2", "Brook et al", "2011", "Delta", "No response"],
            ["3", "Cole et al", "2012", "Sled", "Response"],
        ],
        title="Delta and sled kite trials",
    )
    lexicon = _lexicon(table, "delta", "sled", "response")
    # "Response" is one answer of its column; the title lists kites
    assert {e.text for e in lexicon.entities if e.generic} == set()


def test_a_question_asking_for_a_combination_selects_the_combined_values() -> None:
    table = make_table(
        "rigs",
        ["ref", "author", "year", "sail"],
        [
            ["1", "Ames et al", "2009", "Silk"],
            ["2", "Brook et al", "2011", "Nylon plus silk"],
            ["3", "Cole et al", "2012", "Nylon"],
            ["4", "Dunn et al", "2015", "Kevlar + nylon"],
        ],
        title="Kite rigs flown at the coast",
    )
    lexicon = _lexicon(table, "silk", "nylon", "kevlar")
    combined = _filter(lexicon, "which rigs combined two sail cloths?")
    assert ids(combined.select(table.rows)) == ["rigs:2", "rigs:4"]
    # with a value of the same column, the combination narrows it (not an alternative)
    silk = _filter(lexicon, "was silk used in combination with another cloth?")
    assert ids(silk.select(table.rows)) == ["rigs:2"]
    assert silk.describe() == "sail: Silk, sail: a combination"
    # no combination asked: every rig with silk
    assert ids(_filter(lexicon, "which rigs used silk?").select(table.rows)) == ["rigs:1", "rigs:2"]
    # a plus sign inside a name is no combination: "CD8+ cloth" is one thing
    marked = make_table(
        "marks", ["ref", "author", "year", "sail"], [["1", "Ames et al", "2009", "CD8+ cloth"]]
    )
    assert not any(e.combination for e in _lexicon(marked).entities)


def _races() -> Table:
    """Kite races: some results compare one frame with another."""
    return make_table(
        "races",
        ["ref", "author", "year", "frame", "result"],
        [
            ["1", "Ames et al", "2009", "Bamboo", "Won twice"],
            ["2", "Brook et al", "2011", "Carbon", "Slower than  bamboo"],
            ["3", "Cole et al", "2012", "Bamboo", "Torn sails"],
            ["4", "Dunn et al", "2013", "Willow", "Lost every race"],
            ["5", "Eng et al", "2014", "Ash", "Ash vs. willow: a draw"],
            ["6", "Finn et al", "2015", "Pine", "Faster than CD8+ tails"],
            ["7", "Gale et al", "2016", "CD8+ tails", "Stable"],
            ["8", "Hart et al", "2017", "Cedar", "Faster than bamboo-framed kites"],
        ],
        title="Kite races",
    )


def _sails() -> Table:
    """A second table, of sails: its rows compare with nothing."""
    return make_table(
        "sails",
        ["ref", "author", "year", "frame", "sail"],
        [
            ["9", "Ives et al", "2018", "Bamboo", "Silk"],
            ["10", "Jay et al", "2019", "Oak", "Nylon"],
        ],
        title="Kite sails",
    )


RACE_WORDS = ("bamboo", "carbon", "willow", "slower", "torn", "sails", "won", "lost", "ash")


def _compared(lexicon: Lexicon, text: str, table: str | None = None) -> RowFilter:
    toks = tokens(text)
    return build_filter(
        text,
        toks,
        lexicon.mentions(toks),
        table=table,
        years_apply=True,
        compared=content_stems(compared_words(text)),
        lexicon=lexicon,
    )


def _race_lexicon(*english: str) -> Lexicon:
    corpus = SimpleNamespace(passages=[], tables=[_races(), _sails()], glossary={})
    return Lexicon.from_corpus(corpus, english=[*RACE_WORDS, *english])


def _rows_of(lexicon: Lexicon, text: str, table: str | None = None) -> list[str]:
    rows = [r for t in lexicon.tables for r in t.rows]
    return ids(_compared(lexicon, text, table).select(rows))


def test_a_value_compared_with_selects_the_rows_that_compare_with_it() -> None:
    lexicon = _race_lexicon()

    def rows_of(text: str) -> list[str]:
        return _rows_of(lexicon, text)

    # the rows holding the value are not what is asked: the rows comparing with it are
    # ("than  bamboo" with two spaces in the cell; "bamboo-framed" is not bamboo)
    assert rows_of("which frames were compared with bamboo?") == ["races:2"]
    assert rows_of("was any frame raced head to head with bamboo") == ["races:2"]
    assert rows_of("which frames did better in comparison with bamboo?") == ["races:2"]
    assert _compared(lexicon, "frames versus bamboo").describe() == "compared with Bamboo"
    # "X vs. Y" in a cell compares X with Y and Y with X
    assert rows_of("which frame was compared with willow?") == ["races:5"]
    assert rows_of("which frame was compared with ash?") == ["races:5"]
    # a value ending in a sign
    assert rows_of("which frames were compared with CD8+ tails?") == ["races:6"]
    # a named subject of the same column must hold too
    assert rows_of("is carbon better than bamboo?") == ["races:2"]


def test_a_comparison_falls_back_to_the_plain_filter_when_no_row_answers_it() -> None:
    lexicon = _race_lexicon("kevlar", "better")

    def rows_of(text: str, table: str | None = None) -> list[str]:
        return _rows_of(lexicon, text, table)

    bamboo = ["races:1", "races:3", "sails:9"]
    # a subject the table does not hold: no row says anything of it
    assert rows_of("is kevlar better than bamboo?") == bamboo
    # "it" points at a subject named before: not "any frame"
    assert rows_of("was it better than bamboo?") == bamboo
    # a subject of the column whose rows do not compare with the value
    assert rows_of("is willow better than bamboo?") == ["races:1", "races:3", "races:4", "sails:9"]
    # no cell compares with oak; the table asked holds no comparing row
    assert rows_of("which frames were compared with oak?") == ["sails:10"]
    assert rows_of("which frames were compared with bamboo?", table="sails") == ["sails:9"]
    # "rather than" sets the value aside: the plain filter
    assert rows_of("which studies used carbon rather than bamboo") == ["races:1", "races:2"] + [
        "races:3",
        "sails:9",
    ]


def test_only_the_values_with_comparing_rows_become_the_comparison() -> None:
    lexicon = _race_lexicon()
    # oak has no comparing row: the comparisons with bamboo are shown
    f = _compared(lexicon, "which frames were compared with bamboo or oak?")
    assert f.describe() == "compared with Bamboo"
    # a value of another column the compared words name stays a plain value
    text = "which frames were compared with bamboo silk?"
    assert _compared(lexicon, text).describe() == "sail: Silk, compared with Bamboo"
    # a value set aside before the comparison does not stop it
    text = "which frames other than willow were compared with bamboo?"
    assert _rows_of(lexicon, text) == ["races:2"]


def test_compared_words_reads_the_words_after_each_comparison() -> None:
    assert compared_words("faster than a bamboo kite, versus carbon") == "a bamboo kite carbon"
    assert compared_words("carbon-versus-bamboo frames") == "bamboo frames"
    assert compared_words("compared with (bamboo)") == "bamboo"
    assert compared_words("superior to bamboo") == "bamboo"
    assert compared_words("carbon rather than bamboo; other than oak") == ""
    assert compared_words("") == ""


def test_understand_reads_the_comparison_and_a_follow_up_does_not_lose_its_subject() -> None:
    lexicon = _race_lexicon("which", "frames", "were", "compared", "with", "tell", "me")
    asked = understand("which frames were compared with bamboo?", (), lexicon)
    assert asked.filter.describe() == "compared with Bamboo"
    # the follow-up's "it" is the frame named before: not any frame compared with bamboo
    follow = understand("was it better than bamboo?", ("tell me about willow",), lexicon)
    assert "compared with" not in follow.filter.describe()


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("Which kites other than bamboo ones flew?", "Which kites ones flew?"),
        ("Which kites other than bamboo flew highest?", "Which kites flew highest?"),
        ("Besides bamboo, which frame flew?", "which frame flew?"),
        ("Apart from bamboo and cane what flew?", "what flew?"),
        # nothing of the phrase is set aside: it stays as typed
        (
            "Which kites other than the early ones flew?",
            "Which kites other than the early ones flew?",
        ),
    ],
)
def test_a_value_set_aside_is_cut_from_the_text_and_the_rest_kept(text: str, searched: str) -> None:
    assert without_excluded(text, content_stems("bamboo cane")) == searched


@pytest.mark.parametrize(
    ("text", "aside"),
    [
        ("Which kites did not use bamboo?", ["Bamboo"]),
        ("Which kites didn't include a bamboo frame?", ["Bamboo"]),
        ("Kites flown without bamboo", ["Bamboo"]),
        ("Which kites were not given silk sails?", ["Silk"]),
        ("races not using nylon", ["Nylon"]),
        ("Which kites won't use bamboo?", ["Bamboo"]),
        ("Which kites can't use bamboo?", ["Bamboo"]),
        ("kites that cannot use bamboo", ["Bamboo"]),
        ("Which races did not lead to torn sails?", ["Torn sails"]),
        ("kites that never used silk", ["Silk"]),
        # (the result "Ash vs. willow: a draw" is made of the words set aside too)
        ("kites that were neither willow nor ash", ["Ash", "Ash vs. willow: a draw", "Willow"]),
        ("kites without silk sails or carbon frames", ["Carbon", "Silk"]),
        (
            "other than bamboo, willow and ash, which flew?",
            ["Ash", "Ash vs. willow: a draw", "Bamboo", "Willow"],
        ),
        ("Which kites were not made by Ames et al?", ["Ames et al"]),
        ("Which kites were not flown by Ames et al?", ["Ames et al"]),
        # "with or without X" sets nothing aside
        ("kites flown with or without silk sails", []),
        ("Which kites weren't in the dawn race?", []),
        ("Why did the kite fly?", []),
        # the object of another verb negated is asked about: "failed to beat bamboo"
        ("which kites failed to beat bamboo?", []),
        ("Why did the kite not fly with bamboo?", []),
        # a place set aside
        ("Which kites outside the bamboo class won?", ["Bamboo"]),
        ("kites outside of bamboo", ["Bamboo"]),
    ],
)
def test_a_negation_sets_the_values_after_it_aside(text: str, aside: list[str]) -> None:
    lexicon = _race_lexicon()
    assert sorted(v for c in _compared(lexicon, text).excluded for v in c.values) == aside


def test_a_short_form_set_aside_sets_aside_the_value_spelling_it_out() -> None:
    table = make_table(
        "hives",
        ["ref", "author", "year", "method"],
        [
            ["1", "Ames et al", "2009", "Integrated pest management"],
            ["2", "Bo et al", "2011", "Oxalic acid"],
        ],
        title="Hive trials",
    )
    corpus = SimpleNamespace(
        passages=[], tables=[table], glossary={"IPM": "integrated pest management"}
    )
    lexicon = Lexicon.from_corpus(corpus, english=["which", "trials", "did", "not", "use"])
    # the question's short form is searched with its long form, a value of its own
    f = understand("which trials did not use IPM?", (), lexicon).filter
    assert not f.constraints and "Integrated pest management" in f.excluded[0].values
    assert ids(f.select(table.rows)) == ["hives:2"]


def test_values_set_aside_read_as_english() -> None:
    def aside(*values: str) -> str:
        return RowFilter(excluded=(Constraint("frame", values, frozenset()),)).describe()

    assert aside("Bamboo") == "frame: not Bamboo"
    assert aside("Bamboo", "Willow") == "frame: neither Bamboo nor Willow"
    assert aside("Ash", "Bamboo", "Willow") == "frame: none of Ash, Bamboo, Willow"


def test_a_value_after_a_negation_is_set_aside_unless_it_says_no_itself() -> None:
    lexicon = _race_lexicon("which", "kites", "did", "not", "never", "use", "with", "no")
    assert _rows_of(lexicon, "which kites did not use bamboo?", "races") == [
        f"races:{k}" for k in (2, 4, 5, 6, 7, 8)
    ]
    # the value set aside is of the races alone: the sails are not "the kites that did not"
    not_twice = _rows_of(lexicon, "which kites never won twice?")
    assert not_twice == [f"races:{k}" for k in range(2, 9)]
    assert _compared(lexicon, "which kites did not use bamboo?").describe() == "frame: not Bamboo"
    # a year set aside: the rows dated otherwise, of every table dated so
    assert _rows_of(lexicon, "which kites were not from 2013?", "races") == [
        f"races:{k}" for k in (1, 2, 3, 5, 6, 7, 8)
    ]
    aside = _compared(lexicon, "the races excluding those from 2011 or 2012")
    assert aside.describe() == "year: not 2011-2012" and aside.years is None
    # a century names no year as typed: asked for, not set aside
    century = _compared(lexicon, "which kites were flown in the 21st century?")
    assert century.years == (2000, 2099) and century.years_aside is None
    # a year or a value beside the value set aside is still asked for, before or after it
    assert _rows_of(lexicon, "which kites in 2013 did not use bamboo?") == ["races:4"]
    assert _rows_of(lexicon, "which kites did not use bamboo in 2013?") == ["races:4"]
    assert _rows_of(lexicon, "which kites did not use willow in 2013?") == []
    assert _rows_of(lexicon, "which kites did not use willow, in races that were won twice?") == [
        "races:1"
    ]
    # the object of another verb negated is asked about: "failed to beat bamboo"
    assert _compared(lexicon, "which kites failed to beat bamboo?").excluded == ()
    # "lost every race" is no value that says no: set aside by "not", as typed
    assert "not Lost every race" in _compared(lexicon, "which have not lost every race?").describe()


def test_extremes_are_of_the_rows_given() -> None:
    heights = make_table(
        "towers",
        ["tower", "year", "height_m"],
        [["A", "1310", "84.5"], ["B", "1652", "1,050"], ["C", "1890", "n/a"]],
    )
    tallest = RowFilter((Constraint("height_m", ("the highest",), frozenset(), extreme="highest"),))
    assert [r.key for r in tallest.extremes(heights.rows)] == ["B"]
    assert [r.key for r in tallest.extremes([heights.rows[0], heights.rows[2]])] == ["A"]
    assert RowFilter().extremes(heights.rows) == list(heights.rows)


def test_a_key_after_its_columns_word_names_its_row() -> None:
    lexicon = _lexicon(TABLE)
    (named,) = keys_named("Which frame did ref 3 use?", lexicon)
    assert named.key and named.column == "ref" and named.rows == {"kites:3"}
    # a plural, a mark between, a list of keys up to the first word that is none
    assert keys_named("refs 1, 2 and 4 and their sails", lexicon)[0].values == ("1", "2", "4")
    assert keys_named("ref no. 2", lexicon)[0].rows == {"kites:2"}
    assert keys_named("ref #4", lexicon)[0].rows == {"kites:4"}
    # a key the table lacks, a number after a bounding word, a number with no column word
    assert keys_named("ref 9", lexicon) == ()
    assert keys_named("kites after ref 2", lexicon) == ()
    assert keys_named("the 3 bamboo kites", lexicon) == ()
    # the filter holds it beside the values; a table asked that lacks the key: nothing
    text = "Was ref 3 a bamboo kite?"
    toks = tokens(text)
    found = build_filter(
        text, toks, lexicon.mentions(toks), table=None, years_apply=True, lexicon=lexicon
    )
    assert ids(found.select(ROWS)) == ["kites:3"]
    assert keys_named("ref 3", lexicon, table="other") == ()


def test_keys_of_codes_are_named_after_a_header_of_two_words() -> None:
    table = make_table(
        "boats",
        ["hull_code", "name", "year"],
        [["HX-1", "Tern", "2001"], ["HX-2", "Skua", "2004"], ["B7", "Gull", "2010"]],
    )
    lexicon = _lexicon(table)
    (named,) = keys_named("what is hull code hx-2 or B7?", lexicon)
    assert named.values == ("HX-2", "B7") and named.rows == {"boats:HX-2", "boats:B7"}
