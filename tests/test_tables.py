"""Tests of hccqa.corpus.tables: the curated rows against the review, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccqa.corpus.tables import load_tables, table_line_kind
from hccqa.errors import CorpusError

CORPUS = Path(__file__).parents[1] / "corpus"
RAW_LINES = {
    line.rstrip() for line in (CORPUS / "review.txt").read_text(encoding="utf-8").splitlines()
}


def test_row_counts_and_ids() -> None:
    rows, titles = load_tables(CORPUS)
    assert sum(r.table == "table1" for r in rows) == 9
    assert sum(r.table == "table2" for r in rows) == 20
    assert [r.id for r in rows][:2] == ["table1:10", "table1:12"]
    assert all(r.id == f"{r.table}:{r.ref}" for r in rows)
    assert titles == {
        "table1": "Clinical studies on anti-angiogenesis therapy of hepatocellular carcinoma "
        "included in this review",
        "table2": "Studies on the mechanisms of anti-angiogenesis therapy resistance in "
        "hepatocellular carcinoma",
    }


@pytest.mark.parametrize("row", load_tables(CORPUS)[0], ids=lambda r: r.id)
def test_each_row_reproduces_a_line_of_the_review(row) -> None:  # type: ignore[no-untyped-def]
    # cells in order, joined by spaces, with "et al[N]": exactly one raw line
    assert row.text in RAW_LINES


def test_table_specific_fields() -> None:
    rows, _ = load_tables(CORPUS)
    by_id = {r.id: r for r in rows}
    llovet = by_id["table1:43"]
    assert (llovet.author, llovet.year, llovet.phase) == ("Llovet et al", 2013, "Phase 3")
    assert (llovet.drug, llovet.outcome) == (
        "Brivanib after sorafenib failed",
        "No survival benefit",
    )
    assert llovet.pathway is None and llovet.effect is None
    chen = by_id["table2:24"]
    assert (chen.author, chen.year, chen.drug) == ("Chen et al", 2011, "Sorafenib")
    assert (chen.pathway, chen.effect) == ("PI3K/Akt", "Mediates acquired resistance")
    assert chen.phase is None and chen.outcome is None
    assert by_id["table2:21"].author == "Blivet-Van Eggelpoël et al"
    assert by_id["table2:53"].drug == "Bevacizumab"


def test_table_line_kind() -> None:
    assert table_line_kind(" Table 1  Clinical studies on x") == "title"
    assert table_line_kind("Ref. Year Phase Investigational drug Outcome") == "header"
    assert (
        table_line_kind("Chen et al[24] 2011 Sorafenib PI3K/Akt Mediates acquired resistance")
        == "row"
    )
    assert table_line_kind("In 2011, Chen et al[24] reported that activation of the phos-") is None
    assert table_line_kind("therapies (Table 2)[17,19,20]. Primary resistance is") is None


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "table1.tsv").write_text(text, encoding="utf-8")
    return tmp_path


HEADER = "# title: T\nref\tauthor\tyear\tphase\tdrug\toutcome\n"


def test_missing_files_give_no_rows(tmp_path: Path) -> None:
    assert load_tables(tmp_path) == ((), {})


def test_wrong_cell_count_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, HEADER + "10\tLlovet et al\t2008\tPhase 3\tSorafenib\n")
    with pytest.raises(CorpusError, match=r"table1\.tsv:3: expected 6"):
        load_tables(tmp_path)


def test_bad_year_names_line(tmp_path: Path) -> None:
    _write(tmp_path, HEADER + "\n10\tLlovet et al\t08\tPhase 3\tSorafenib\tX\n")
    with pytest.raises(CorpusError, match=r"table1\.tsv:4: ref must be a number"):
        load_tables(tmp_path)


def test_bad_header_and_duplicate_and_missing_title(tmp_path: Path) -> None:
    _write(tmp_path, "# title: T\nref\tauthor\n")
    with pytest.raises(CorpusError, match=r"table1\.tsv:2: header must be"):
        load_tables(tmp_path)
    row = "10\tLlovet et al\t2008\tPhase 3\tSorafenib\tX\n"
    _write(tmp_path, HEADER + row + row)
    with pytest.raises(CorpusError, match=r"table1\.tsv:4: reference 10 occurs twice"):
        load_tables(tmp_path)
    _write(tmp_path, "ref\tauthor\tyear\tphase\tdrug\toutcome\n" + row)
    with pytest.raises(CorpusError, match="missing '# title"):
        load_tables(tmp_path)


def test_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "table2.tsv").write_bytes(b"# title: T\n\xff\xfe\n")
    with pytest.raises(CorpusError, match="cannot read table file"):
        load_tables(tmp_path)
