"""Document discovery and the .txt / .md / .pdf readers (hccqa.corpus.readers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfwriter import write_pdf

from hccqa.corpus.readers import (
    Document,
    discover,
    doc_id_for,
    markdown_document,
    read_document,
    read_pdf,
    reference_entries,
    split_references,
)
from hccqa.errors import CorpusError

# -- discovery ---------------------------------------------------------------------------------


def _touch(root: Path, relative: str, data: bytes = b"Some text.\n") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_discover_sorts_files_into_documents_tables_and_skipped(tmp_path: Path) -> None:
    for name in (
        "a.txt",
        "sub/deeper/b.md",
        "sub/c.PDF",
        "d.markdown",
        "table1.tsv",
        "extra/other.tsv",
        "chat.json",
        "gold/set.jsonl",
        ".git/config",
        "sub/.DS_Store",
        "photo.png",
        "README",
        "notes.jsonl",
    ):
        _touch(tmp_path, name)
    found = discover(tmp_path)
    assert found.documents == (
        ("a.txt", "a"),
        ("d.markdown", "d"),
        ("sub/c.PDF", "sub/c"),
        ("sub/deeper/b.md", "sub/deeper/b"),
    )
    assert found.tables == ("extra/other.tsv", "table1.tsv")
    # chat.json, gold/*.jsonl and hidden files are not documents and not reported
    read = "documents are .txt, .md or .pdf, tables .tsv or .csv"
    assert [(f.path, f.reason) for f in found.skipped] == [
        ("README", f"files without a suffix are not read; {read}"),
        ("notes.jsonl", f".jsonl files are not read; {read}"),
        ("photo.png", f".png files are not read; {read}"),
    ]


def test_two_files_with_one_id_keep_the_first(tmp_path: Path) -> None:
    _touch(tmp_path, "plan.md")
    _touch(tmp_path, "plan.txt")
    found = discover(tmp_path)
    assert found.documents == (("plan.md", "plan"),)
    assert [str(f) for f in found.skipped] == [
        "plan.txt (same document id 'plan' as plan.md; rename one)"
    ]


@pytest.mark.parametrize(
    ("relative", "doc_id"),
    [("a.txt", "a"), ("x/y.z.md", "x/y.z"), ("v1.2/notes.pdf", "v1.2/notes"), ("plain", "plain")],
)
def test_doc_id_is_the_relative_path_without_suffix(relative: str, doc_id: str) -> None:
    assert doc_id_for(relative) == doc_id


# -- Markdown ----------------------------------------------------------------------------------

GUIDE = """---
title: front matter is dropped
---
# Pottery notes

An intro with **bold**, _italic_, `inline code` and a [link](https://example.org/x).

## Firing the kiln

Load the kiln loosely. Fire slowly to 600 degrees
so that trapped water escapes; then raise the heat.

- Bisque ware is porous.
- Glaze only after the bisque fir-
  ing has cooled.

```
kiln.fire(temp=600)
```

<div>raw html</div>

| Cone | Degrees |
|------|---------|
| 06   | 999     |

![A cracked bowl](bowl.png)
"""


def test_markdown_headings_become_sections_and_markup_goes() -> None:
    doc = markdown_document(GUIDE)
    blocks = doc.text.split("\n\n")
    assert blocks == [
        "An intro with bold, italic, inline code and a link.",
        "Load the kiln loosely. Fire slowly to 600 degrees so that trapped water escapes; "
        "then raise the heat.",
        "Bisque ware is porous.",
        "Glaze only after the bisque fir-\ning has cooled.",
        "Cone; Degrees",
        "06; 999",
        "A cracked bowl",
    ]
    assert doc.sections == (
        (0, "Pottery notes"),
        (doc.text.index("Load the kiln"), "Firing the kiln"),
    )
    assert "kiln.fire" not in doc.text and "raw html" not in doc.text
    assert "front matter" not in doc.text
    assert doc.pages == () and doc.page_at(5) is None


def test_markdown_document_without_headings_has_no_sections() -> None:
    doc = markdown_document("Just one paragraph.\n")
    assert doc == Document("Just one paragraph.")


# -- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_keep_their_offsets(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "two.pdf",
        [["First page line one.", "First page line two."], ["Second page text."]],
    )
    doc = read_pdf(pdf)
    first, second = doc.text.split("\n\n", 1)
    assert "First page line one.\nFirst page line two." in first
    assert second.strip() == "Second page text."
    assert doc.pages[0] == 0 and doc.text[doc.pages[1] :].startswith("Second page")
    assert doc.page_at(0) == 1
    assert doc.page_at(doc.text.index("Second")) == 2


def test_read_document_dispatches_on_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.MD").write_text("# Title\n\nBody text.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("# Not a heading here\r\nBody.\r\n", encoding="utf-8")
    assert read_document(tmp_path / "a.MD").sections == ((0, "Title"),)
    assert read_document(tmp_path / "b.txt") == Document("# Not a heading here\nBody.\n")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not a pdf at all", "not a readable PDF"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
    ],
)
def test_a_broken_pdf_says_why(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "bad.pdf").write_bytes(data)
    with pytest.raises(CorpusError, match=reason) as info:
        read_pdf(tmp_path / "bad.pdf")
    assert "bad.pdf" in str(info.value)


def test_a_pdf_without_text_says_so(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(CorpusError, match="no text layer"):
        read_pdf(pdf)


KITE_NOTES_MD = """# Box kites

Box kites fly in steady wind [1]. Delta kites suit light air [2].

## References

1. Hargrave, L. Cellular kites. Sydney, 1893.
2. Rogallo F et al. Flexible wings. 1951.

## Appendix

A table of wind speeds.
"""


def test_a_markdown_list_of_references_is_cut_out_with_its_entries() -> None:
    doc, listed = split_references(markdown_document(KITE_NOTES_MD))
    assert "Cellular kites" not in doc.text and "A table of wind speeds." in doc.text
    assert [title for _, title in doc.sections] == ["Box kites", "Appendix"]
    assert doc.text[doc.sections[1][0] :].startswith("A table of wind speeds.")
    assert reference_entries(listed) == {1: ("Hargrave", 1893), 2: ("Rogallo", 1951)}


@pytest.mark.parametrize("heading", ["References", "BIBLIOGRAPHY", "Works cited:"])
def test_a_plain_text_list_of_references_is_cut_from_its_last_heading_line(heading: str) -> None:
    text = (
        f"Box kites fly [1].\n\nReferences are few here.\n\n{heading}\n"
        "[1] Hargrave, L. Kites. 1893.\n"
    )
    doc, listed = split_references(Document(text))
    assert doc.text.rstrip() == "Box kites fly [1].\n\nReferences are few here."
    assert reference_entries(listed) == {1: ("Hargrave", 1893)}


def test_a_references_heading_without_numbered_entries_is_kept() -> None:
    doc = Document("Kites fly.\n\nReferences\nSee the kite club's notes.\n")
    assert split_references(doc) == (doc, "")


def test_entries_of_the_usual_styles_give_their_surname_and_year() -> None:
    listed = (
        "[2] Smith J, Lee K. Stone bridges. J Eng. 2001;12:1045-1052.\n"
        "[3] Moor A et al. Piers. Lancet 2018;391:1301-1314. doi:10.1016/S0140-1999(18)1\n"
        '[4] J. Kane and K. Lee, "Cables," Proc. Bridges, pp. 3-9,\n'
        "12. Cambridge Press, 1990.\n"  # a wrapped line in another style: no entry
        "[12] Lee, B. Spans. 1993.\n"
        "[1000] Late, Z. Last. 2020.\n"
    )
    assert reference_entries(listed) == {
        2: ("Smith", 2001),
        3: ("Moor", 2018),
        4: ("Kane", 1990),  # the year on the entry's wrapped line
        12: ("Lee", 1993),
        1000: ("Late", 2020),
    }


def test_a_plain_text_list_of_references_ends_where_its_entries_end() -> None:
    text = (
        "Setup guide\n\nReferences\n1. Hargrave, L. Kites. 1893.\n2. Lee, A. Spars. 1960.\n\n"
        "Appendix: wind speeds in the park.\n"
    )
    doc, listed = split_references(Document(text, pages=(0, 40)))
    assert doc.text == "Setup guide\n\nAppendix: wind speeds in the park.\n"
    assert doc.pages == (0, 13)  # the second page starts where the list was
    assert set(reference_entries(listed)) == {1, 2}
    # a "References" line not followed at once by an entry opens no list
    body = "Setup guide\n\nReferences\nare made below.\n\n1. Open the box.\n"
    assert split_references(Document(body)) == (Document(body), "")


@pytest.mark.parametrize("name", ["notes.txt", "notes.md"])
def test_a_byte_order_mark_is_not_part_of_a_document(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes("\ufeffKites\n\nA delta kite flies in light wind.\n".encode())
    assert read_document(path).text.startswith("Kites")
