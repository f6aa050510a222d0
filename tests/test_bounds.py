"""hccqa.understand.bounds: bounds on a table's columns of numbers, on tables made up
for the tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tablefakes import make_table

from hccqa.understand.bounds import as_number, numeric_bounds
from hccqa.understand.filters import year_range
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.words import tokens

WELLS = make_table(
    "wells",
    ["well", "village", "year", "depth_m", "arsenic_ppb"],
    [
        ["W1", "Alder", "2019", "12", "8"],
        ["W2", "Birch", "2019", "1,200", "55"],
        ["W3", "Cedar", "2020", "25", "10"],
        ["W4", "Dogwood", "2021", "60", "-3"],
    ],
    title="Village wells",
)
PONDS = make_table(
    "ponds",
    ["pond", "year", "depth_m"],
    [["P1", "2019", "2"], ["P2", "2020", "45"]],
    title="Village ponds",
)


def _lexicon(*tables: object) -> Lexicon:
    return Lexicon.from_corpus(SimpleNamespace(passages=[], tables=list(tables), glossary={}))


def bounds(question: str, *tables: object) -> list[tuple[str, str, set[str]]]:
    lexicon = _lexicon(*(tables or (WELLS,)))
    years = year_range(question)
    found = numeric_bounds(question, tokens(question), lexicon, years=years)
    return [(b.column, b.label, {r.split(":")[1] for r in b.rows}) for b in found]


@pytest.mark.parametrize(
    ("question", "label", "rows"),
    [
        ("which wells have a depth above 30 m?", "above 30", {"W2", "W4"}),
        ("wells with a depth of at least 25", "at least 25", {"W2", "W3", "W4"}),
        ("wells with depth no more than 25", "at most 25", {"W1", "W3"}),
        ("depth under 12", "below 12", set()),
        ("depth between 20 and 61", "between 20 and 61", {"W3", "W4"}),
        ("depth above 1,000", "above 1,000", {"W2"}),  # thousands, in the cell too
        ("wells with arsenic >= 10", "at least 10", {"W2", "W3"}),
        ("arsenic below -1", "below -1", {"W4"}),
        ("more than 50 ppb of arsenic", "above 50", {"W2"}),  # the column named after it
    ],
)
def test_a_bound_on_a_column_of_numbers_selects_its_rows(
    question: str, label: str, rows: set[str]
) -> None:
    (found,) = bounds(question)
    assert found[1:] == (label, rows)


def test_each_bound_goes_to_the_column_named_nearest_it() -> None:
    assert bounds("a depth below 50 and more than 5 arsenic") == [
        ("depth_m", "below 50", {"W1", "W3"}),
        ("arsenic_ppb", "above 5", {"W1", "W2", "W3"}),
    ]


def test_a_column_several_tables_share_is_bounded_in_each() -> None:
    assert bounds("depth above 30", WELLS, PONDS) == [("depth_m", "above 30", {"W2", "W4", "P2"})]


@pytest.mark.parametrize(
    "question",
    [
        "wells dug in more than 3 villages",  # no column of numbers named
        "did arsenic rise by more than 30%?",  # a share, not a value
        "did arsenic rise by between 20 and 40 percent?",
        "how did arsenic change over 10 years?",  # a length of time
        "which wells under 5 villages have arsenic",  # "under" far from the column
        "wells with arsenic between 2019 and 2021",  # years: the year range reads them
        "depth above 12,5",  # a part of a longer number
    ],
)
def test_what_is_no_bound(question: str) -> None:
    assert bounds(question) == [], question


def test_a_bound_with_the_unit_a_header_ends_in_goes_to_that_column() -> None:
    hives = make_table(
        "hives",
        ["hive", "year", "brood_days", "honey_kg"],
        [["H1", "2020", "21", "12"], ["H2", "2021", "16", "30"], ["H3", "2022", "24", "8"]],
    )
    # a length of time is a bound when a column is counted in that unit, named or not
    assert bounds("which hives kept brood for at least 21 days?", hives) == [
        ("brood_days", "at least 21", {"H1", "H3"})
    ]
    assert bounds("hives with between 10 and 20 kg", hives) == [
        ("honey_kg", "between 10 and 20", {"H1"})
    ]
    assert bounds("which hives swarmed over 10 years?", hives) == []  # no column of years
    # a preposition is no unit ("above 10 in 2019"), nor an article
    wells = make_table(
        "wells", ["well", "year", "arsenic_ppb", "width_in"], [["W1", "2019", "12", "30"]]
    )
    assert bounds("wells with arsenic above 10 in 2019", wells) == [
        ("arsenic_ppb", "above 10", {"W1"})
    ]
    # of two columns counted in one unit, the one named beside the bound; neither named:
    # no bound (the unit does not tell them apart)
    towers = make_table(
        "towers",
        ["tower", "height_m", "base_depth_m"],
        [["T1", "40", "3"], ["T2", "12", "8"], ["T3", "25", "12"]],
    )
    assert bounds("towers with a base depth above 5 m", towers) == [
        ("base_depth_m", "above 5", {"T2", "T3"})
    ]
    assert bounds("towers above 5 m", towers) == []
    # a comparative of size bounds the column counted in the unit that follows
    assert bounds("hives heavier than 10 kg", hives) == [("honey_kg", "above 10", {"H1", "H2"})]
    assert bounds("hives lighter than 10 kg", hives) == [("honey_kg", "below 10", {"H3"})]
    # the unit of no column leaves the bound to the column named beside it
    assert bounds("hives with honey above 10 jars", hives) == [
        ("honey_kg", "above 10", {"H1", "H2"})
    ]


def test_a_long_run_of_digits_then_a_share_is_no_bound() -> None:
    assert bounds("depth above " + "1" * 1990 + "%") == []


def test_numbers_as_cells_write_them() -> None:
    assert [as_number(c) for c in ("1,200", "12,5", "-3.5", "+2", "n/a", "")] == [
        1200.0,
        12.5,
        -3.5,
        2.0,
        None,
        None,
    ]


def test_a_superlative_beside_a_column_keeps_its_rows_for_the_extreme_of_the_chosen() -> None:
    lexicon = _lexicon(WELLS)
    question = "which well has the greatest depth?"
    (found,) = numeric_bounds(question, tokens(question), lexicon)
    assert (found.column, found.label, found.extreme) == ("depth_m", "the highest", "highest")
    assert len(found.rows) == 4  # every row with a value: the extreme is of the rows chosen
    assert bounds("the lowest arsenic") == [("arsenic_ppb", "the lowest", {"W1", "W2", "W3", "W4"})]
    # "at least", "at most" are bounds, not superlatives; a superlative far from the
    # column is no bound on it
    assert [b[1] for b in bounds("arsenic of at least 10")] == ["at least 10"]
    assert bounds("what is the most common use of wells with a deep arsenic test") == []


def test_a_superlative_of_size_alone_reads_the_column_of_what_it_measures() -> None:
    masts = make_table(
        "masts",
        ["mast", "town", "height_m", "weight_t", "length_m"],
        [["M1", "Ayr", "40", "3", "9"], ["M2", "Oban", "75", "2", "6"]],
    )
    # no column word beside it: "tallest" measures height, "heaviest" weight
    assert bounds("which mast is the tallest?", masts) == [
        ("height_m", "the highest", {"M1", "M2"})
    ]
    assert bounds("the heaviest mast", masts) == [("weight_t", "the highest", {"M1", "M2"})]
    # "highest" says too little ("the highest risk"); "shortest" could measure height or
    # length: this table has both, so it reads neither
    assert bounds("the highest mast", masts) == []
    assert bounds("the shortest mast", masts) == []
    # a quantity no column gives ("deepest") is no bound; a column named beside decides
    assert bounds("the deepest mast", masts) == []
    assert bounds("the tallest weight", masts) == [("weight_t", "the highest", {"M1", "M2"})]


def test_a_one_letter_unit_after_a_number_is_a_unit_and_deadliest_counts_deaths() -> None:
    peaks = make_table(
        "peaks",
        ["peak", "elevation_m", "deaths"],
        [["P1", "3,100", "4"], ["P2", "900", "40"], ["P3", "4,200", "0"]],
    )
    # "m" is also a function word (of "I'm"), but after a number it is the unit
    assert bounds("peaks higher than 3000 m", peaks) == [
        ("elevation_m", "above 3000", {"P1", "P3"})
    ]
    assert bounds("the tallest peak", peaks) == [("elevation_m", "the highest", {"P1", "P2", "P3"})]
    assert bounds("the deadliest peak", peaks) == [("deaths", "the highest", {"P1", "P2", "P3"})]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("wells with 55 arsenic", [("arsenic_ppb", "exactly 55", {"W2"})]),
        ("a depth of 25", [("depth_m", "exactly 25", {"W3"})]),
        ("wells with depth 1,200", [("depth_m", "exactly 1,200", {"W2"})]),
        ("depth = 60", [("depth_m", "exactly 60", {"W4"})]),
        ("wells with depth 7", [("depth_m", "exactly 7", set())]),  # none: said so
        # a bound word reads the number, so does an open end ("25 or more": at least 25);
        # a count of rows is no value
        ("depth above 25", [("depth_m", "above 25", {"W2", "W4"})]),
        ("a depth of 25 or more", [("depth_m", "at least 25", {"W2", "W3", "W4"})]),
        ("depth 25+ wells", [("depth_m", "at least 25", {"W2", "W3", "W4"})]),
        (
            "wells with a depth of 25 or more in Alder",
            [("depth_m", "at least 25", {"W2", "W3", "W4"})],
        ),
        ("depth 5-30", []),  # a range, not the value 5
        ("12\u201325 depth", []),
        ("the top 3 depth readings", []),
        ("wells dug in 2019", []),  # a year: no column of numbers named
        # the value is read before any other word
        ("wells with a depth of 25 m", [("depth_m", "exactly 25", {"W3"})]),
        ("depth 12 wells in Alder", [("depth_m", "exactly 12", {"W1"})]),
    ],
)
def test_a_number_beside_a_column_word_selects_the_rows_of_that_value(
    question: str, expected: list[tuple[str, str, set[str]]]
) -> None:
    assert bounds(question) == expected


def test_what_is_the_tallest_asks_for_a_row_not_a_definition() -> None:
    from hccqa.understand.query import understand

    masts = make_table(
        "masts", ["mast", "town", "height_m"], [["M1", "Ayr", "40"], ["M2", "Oban", "75"]]
    )
    lexicon = _lexicon(masts)
    asked = understand("what is the tallest mast", (), lexicon)
    assert "define" not in asked.intents
    assert [r.id for r in asked.filter.extremes(asked.filter.select(masts.rows))] == ["masts:M2"]
    assert "define" in understand("what is a mast", (), lexicon).intents


def test_a_superlative_over_tables_naming_their_columns_apart() -> None:
    from hccqa.understand.filters import Constraint, RowFilter

    wells = make_table(
        "wells", ["well", "year", "depth_m"], [["W1", "2019", "12"], ["W2", "2020", "60"]]
    )
    ponds = make_table(
        "ponds", ["pond", "year", "depth_ft"], [["P1", "2019", "2"], ["P2", "2020", "450"]]
    )
    question = "which has the greatest depth?"
    (found,) = numeric_bounds(question, tokens(question), _lexicon(wells, ponds))
    assert found.columns == ("depth_m", "depth_ft")
    deepest = RowFilter(
        (
            Constraint(
                found.column, (found.label,), found.rows, extreme="highest", columns=found.columns
            ),
        )
    )
    assert [r.id for r in deepest.extremes([*wells.rows, *ponds.rows])] == ["ponds:P2"]
