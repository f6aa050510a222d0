"""hccqa.corpus.tables: any *.tsv with a title and a header; column kinds read from the values.

The packaged review's two tables are checked against the lines of the review they were typed
from; the rest uses tables made up for the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa.corpus.tables import column_kinds, load_tables, read_table, table_files, table_line_kind
from hccqa.errors import CorpusError
from hccqa.types import RowMatch, table_label

CORPUS = Path(__file__).parents[1] / "corpus"
RAW_LINES = {
    line.rstrip() for line in (CORPUS / "review.txt").read_text(encoding="utf-8").splitlines()
}
REVIEW_TABLES = load_tables(CORPUS)


def test_the_review_tables_are_read_with_their_titles_and_typed_columns() -> None:
    assert [t.id for t in REVIEW_TABLES] == ["table1", "table2"]
    assert [len(t.rows) for t in REVIEW_TABLES] == [9, 20]
    for t in REVIEW_TABLES:
        assert t.title and t.label == table_label(t.id)
        kinds = [c.kind for c in t.columns]
        assert kinds[:3] == ["key", "author", "year"]
        assert set(kinds[3:]) == {"text"}
        for r in t.rows:
            assert r.id == f"{t.id}:{r.key}" and r.ref == int(r.key)
            assert r.author and r.author.endswith("et al") and r.year is not None
            assert [name for name, _ in r.cells] == [c.name for c in t.columns]


@pytest.mark.parametrize("row", [r for t in REVIEW_TABLES for r in t.rows], ids=lambda r: r.id)
def test_each_row_reproduces_a_line_of_the_review(row) -> None:  # type: ignore[no-untyped-def]
    # author with its citation, then the other cells in order: exactly one raw line
    assert row.text in RAW_LINES


def test_column_kinds_come_from_the_values_not_the_names() -> None:
    header = ["code", "when", "who", "hives", "site"]
    rows = [
        ["A1", "2001", "Ng et al", "12", "North roof"],
        ["B2", "1999", "Ode et al", "7", "South roof"],
    ]
    assert [(c.name, c.kind) for c in column_kinds(header, rows)] == [
        ("code", "key"),
        ("when", "year"),
        ("who", "author"),
        ("hives", "number"),
        ("site", "text"),
    ]
    # one author column at most; a column of mostly other values is text
    mixed = column_kinds(["k", "a", "b"], [["1", "X et al", "Y et al"], ["2", "Z et al", "plain"]])
    assert [c.kind for c in mixed] == ["key", "author", "text"]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_any_tsv_with_a_title_and_a_header_is_a_table(tmp_path: Path) -> None:
    _write(tmp_path, "site_visits.tsv", "# title: Visits to the roofs\nroof\tday\nNorth\tMonday\n")
    (tmp_path / "more").mkdir()
    _write(tmp_path / "more", "hives.tsv", "# title: Hives\nid\tyear\n3\t2012\n4\t2013\n")
    assert [p.name for p in table_files(tmp_path)] == ["hives.tsv", "site_visits.tsv"]
    hives, visits = load_tables(tmp_path)
    assert (visits.id, visits.title, visits.label) == (
        "site_visits",
        "Visits to the roofs",
        "Site visits",
    )
    (row,) = visits.rows
    assert (row.id, row.key, row.ref, row.author, row.year) == (
        "site_visits:North",
        "North",
        None,
        None,
        None,
    )
    assert row.cell("day") == "Monday" and row.cell("nope") is None
    assert row.text == "North Monday"
    assert [r.ref for r in hives.rows] == [3, 4]  # whole-number keys are reference numbers
    assert [r.year for r in hives.rows] == [2012, 2013]


def test_a_row_serializes_with_its_own_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "trials.tsv",
        "# title: T\nref\tauthor\tyear\tsite\n7\tSmith et al\t2001\tNorth roof\n",
    )
    (row,) = read_table(path).rows
    assert row.to_dict() == {
        "id": "trials:7",
        "table": "trials",
        "ref": 7,
        "author": "Smith et al",
        "year": 2001,
        "site": "North roof",
    }
    assert row.text == "Smith et al[7] 2001 North roof"
    assert row.details == (("site", "North roof"),)
    assert row.columns == {
        "ref": "7",
        "author": "Smith et al",
        "year": "2001",
        "site": "North roof",
    }


def test_a_column_named_like_a_row_key_cannot_overwrite_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "hives.tsv", "# title: H\nhive\tid\tscore\n3\tB-12\t75\n")
    (row,) = read_table(path).rows
    match = RowMatch(row=row, reason="named in the question", score=0.25)
    d = match.to_dict()
    assert d["id"] == "hives:3" and d["table"] == "hives" and d["score"] == 0.25
    assert d["id (column)"] == "B-12" and d["score (column)"] == 75


def test_table_line_kind() -> None:
    assert table_line_kind(" Table 1  Field trials of rooftop hives") == "title"
    assert table_line_kind("Ref. Year Site Treatment") == "header"
    assert table_line_kind("Smith et al[7] 2001 North roof Shade cloth") == "row"
    assert table_line_kind("In 2001, Smith et al[7] reported that the hives were") is None
    assert table_line_kind("the roofs (Table 2)[17,19,20]. Heat is") is None


HEADER = "# title: T\nref\tauthor\tyear\tsite\n"


def test_a_folder_without_tables_has_none(tmp_path: Path) -> None:
    assert load_tables(tmp_path) == ()


def test_wrong_cell_count_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, "t.tsv", HEADER + "7\tSmith et al\t2001\n")
    with pytest.raises(CorpusError, match=r"t\.tsv:3: expected 4 tab-separated cells .*, got 3$"):
        load_tables(tmp_path)


def test_an_empty_cell_is_a_missing_value_and_an_empty_key_names_the_line(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "t.tsv", HEADER + "\n7\tSmith et al\t\tNorth\n8\tOde et al\t2004\t\n")
    (table,) = load_tables(tmp_path)
    assert [c.kind for c in table.columns] == ["key", "author", "year", "text"]
    assert [r.year for r in table.rows] == [None, 2004]
    assert table.rows[0].cell("site") == "North" and table.rows[1].cell("site") == ""
    _write(tmp_path, "t.tsv", HEADER + "\tSmith et al\t2001\tNorth\n")
    with pytest.raises(CorpusError, match=r"t\.tsv:3: the key \(ref, the first cell\) is empty"):
        load_tables(tmp_path)


def test_marks_of_missing_values_leave_a_column_of_numbers_numbers(tmp_path: Path) -> None:
    text = "# title: Masts\nmast\theight_m\tbuilt\n"
    text += "A\t12\t1172\nB\t-\t1890\nC\tNA\t?\nD\t7.5\t2001\n"
    _write(tmp_path, "masts.tsv", text)
    (table,) = load_tables(tmp_path)
    # a header naming the event that dates a row, with years as early as 1172: a year column
    assert [c.kind for c in table.columns] == ["key", "number", "year"]
    assert [r.year for r in table.rows] == [1172, 1890, None, 2001]
    # "-" itself is a value of a column of text
    assert column_kinds(["k", "v"], [["a", "-"], ["b", "x"]])[1].kind == "text"


def test_a_csv_table_is_read_with_quoted_commas(tmp_path: Path) -> None:
    text = '# title: Masts\nmast,note,height_m\nA,"tall, thin",12\nB,short,7\n'
    _write(tmp_path, "masts.csv", text)
    (table,) = load_tables(tmp_path)
    assert table.id == "masts" and [c.kind for c in table.columns] == ["key", "text", "number"]
    assert table.rows[0].cell("note") == "tall, thin"
    _write(tmp_path, "masts.csv", "# title: Masts\nmast,note\nA,x,y\n")
    with pytest.raises(CorpusError, match=r"masts\.csv:3: expected 2 comma-separated cells"):
        load_tables(tmp_path)


def test_bad_header_duplicate_key_and_missing_title(tmp_path: Path) -> None:
    _write(tmp_path, "t.tsv", "# title: T\nonly\n")
    with pytest.raises(CorpusError, match=r"t\.tsv:2: the header must name two or more"):
        load_tables(tmp_path)
    _write(tmp_path, "t.tsv", "# title: T\nref\tref\n")
    with pytest.raises(CorpusError, match="distinct columns"):
        load_tables(tmp_path)
    row = "7\tSmith et al\t2001\tNorth\n"
    _write(tmp_path, "t.tsv", HEADER + row + row)
    with pytest.raises(CorpusError, match=r"t\.tsv:4: key '7' occurs twice"):
        load_tables(tmp_path)
    _write(tmp_path, "t.tsv", "ref\tauthor\tyear\tsite\n" + row)
    with pytest.raises(CorpusError, match="missing '# title"):
        load_tables(tmp_path)
    _write(tmp_path, "t.tsv", "# title: T\n")
    with pytest.raises(CorpusError, match="no header line"):
        load_tables(tmp_path)


def test_two_tables_with_one_id_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write(tmp_path / "a", "t.tsv", HEADER)
    _write(tmp_path / "b", "t.tsv", HEADER)
    with pytest.raises(CorpusError, match="already read from"):
        load_tables(tmp_path)


def test_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "t.tsv").write_bytes(b"# title: T\n\xff\xfe\n")
    with pytest.raises(CorpusError, match="cannot read table file"):
        load_tables(tmp_path)


def test_a_byte_order_mark_before_the_title_is_not_text(tmp_path: Path) -> None:
    # (spreadsheet programs and Notepad save UTF-8 with a byte order mark first)
    path = tmp_path / "kites.tsv"
    path.write_bytes("\ufeff# title: Kites\nname\tspan_cm\nDelta\t120\n".encode())
    table = read_table(path)
    assert (table.title, [c.name for c in table.columns]) == ("Kites", ["name", "span_cm"])


def test_a_csv_reads_line_breaks_in_quoted_cells_keys_with_a_hash_and_names_bad_records(
    tmp_path: Path,
) -> None:
    text = '# title: Masts, old and new\nmast,note,height_m\nA,"tall,\nthin",12\n#2,short,7\n'
    _write(tmp_path, "masts.csv", text)
    (table,) = load_tables(tmp_path)
    assert table.title == "Masts, old and new"
    assert [r.key for r in table.rows] == ["A", "#2"]
    assert table.rows[0].cell("note") == "tall,\nthin"
    _write(tmp_path, "masts.csv", '# title: Masts\nmast,note\nA,"' + "x" * 140_000 + '"\n')
    with pytest.raises(CorpusError, match=r"masts\.csv:3: not a readable comma-separated"):
        load_tables(tmp_path)


def test_missing_marks_are_read_as_typed_and_a_key_is_never_missing(tmp_path: Path) -> None:
    text = "# title: Elements\nsymbol\tname\tmass\nH\tHydrogen\t1.01\nNa\tSodium\tNA\n"
    _write(tmp_path, "elements.tsv", text)
    (table,) = load_tables(tmp_path)
    assert [r.key for r in table.rows] == ["H", "Na"]  # "Na" is sodium
    assert [c.kind for c in table.columns] == ["key", "text", "number"]  # "NA": none


def test_a_header_with_a_preposition_is_no_dating_one() -> None:
    rows = [["a", "1200"], ["b", "1850"], ["c", "2010"]]
    assert column_kinds(["town", "distance to coast (km)"], rows)[1].kind == "number"
    assert column_kinds(["town", "founded"], rows)[1].kind == "year"
