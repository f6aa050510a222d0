"""A folder of the user's own documents: one .txt, one .md and one .pdf (made here), end to end.

The documents are invented for the test (hiking, baking, sports recovery): nothing of the
review, so that the test also shows nothing review-specific leaks into another corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdfwriter import write_pdf
from typer.testing import CliRunner

from hccqa import QA, Settings, load_folder
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.ui.cli import app

TRAIL = """Kestrel Valley trail

The Kestrel Valley trail climbs 640 metres over eleven kilometres of forest road. Hikers
should carry two litres of water, because the springs dry up by July.

The ridge section is exposed to wind. Rangers close it when gusts pass sixty kilometres an
hour.
"""

GUIDE = """# Sourdough guide

A short guide for **home bakers**.

## Feeding the starter

Feed the starter with equal weights of rye flour and water every twelve hours.
A starter that smells of acetone is hungry and needs an extra feed.

## Baking

Bake the loaf at 250 degrees for twenty minutes with steam, then forty minutes without.
"""

# Page 1 holds two paragraphs; page 2 a word hyphenated at a line break ("recov-" / "ery").
PAGES = [
    [
        "Field notes on recovery",
        "Cryotherapy of the left knee reduced swelling within two days in most",
        "of the twelve runners we followed over the spring season.",
        "",
        "Ice baths caused shivering in three runners.",
    ],
    [
        "Compression sleeves shortened the recov-",
        "ery time of the cyclists by one full day after long rides.",
        "The sleeves were worn for six hours after each ride.",
    ],
]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "my docs"
    (folder / "walks").mkdir(parents=True)
    (folder / "walks" / "trail.txt").write_text(TRAIL, encoding="utf-8")
    (folder / "guide.md").write_text(GUIDE, encoding="utf-8")
    write_pdf(folder / "field.pdf", PAGES)
    return folder


def test_the_three_kinds_load_with_sections_pages_and_joined_words(docs: Path) -> None:
    corpus = load_folder(docs)
    assert corpus.files == ("field.pdf", "guide.md", "walks/trail.txt")
    assert corpus.skipped == ()
    by_doc = {d: [p for p in corpus.passages if p.doc_id == d] for d in ("field", "guide")}
    assert {p.doc_id for p in corpus.passages} == {"field", "guide", "walks/trail"}
    # PDF: a title line opens the section, each passage keeps its page, "recov-ery" is joined
    assert [(p.page, p.section) for p in by_doc["field"]] == [
        (1, "Field notes on recovery"),
        (2, "Field notes on recovery"),
    ]
    assert by_doc["field"][1].text.startswith("Compression sleeves shortened the recovery time")
    # Markdown: headings are sections, markup is gone
    assert [(p.section, p.text[:24]) for p in by_doc["guide"]] == [
        ("Sourdough guide", "A short guide for home b"),
        ("Feeding the starter", "Feed the starter with eq"),
        ("Baking", "Bake the loaf at 250 deg"),
    ]
    # Text: the first short line is the document's title, not a passage
    trail = [p for p in corpus.passages if p.doc_id == "walks/trail"]
    assert {p.section for p in trail} == {"Kestrel Valley trail"}
    assert all(p.text != "Kestrel Valley trail" for p in trail)
    assert all(p.page is None for p in corpus.passages if p.doc_id != "field")


def test_each_file_answers_its_question(docs: Path, tmp_path: Path) -> None:
    settings = Settings(corpus_dir=docs, index_dir=tmp_path / "index")
    qa = QA.load(settings, embedder=HashingEmbedder())
    cases = {
        "How far does the Kestrel Valley trail climb?": "walks/trail",
        "How often should the sourdough starter be fed with rye flour?": "guide",
        "What shortened the recovery time of the cyclists?": "field",
    }
    for question, doc in cases.items():
        hit = qa.search(question, k=1)[0]
        assert hit.passage.doc_id == doc, question
    hit = qa.search("compression sleeves cyclists recovery", k=1)[0]
    assert hit.to_dict()["page"] == 2


def test_an_unreadable_file_is_named_and_the_rest_still_load(
    docs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really")
    (docs / "slides.key").write_bytes(b"\x00\x01")
    with caplog.at_level("WARNING"):
        corpus = load_folder(docs)
    assert {p.doc_id for p in corpus.passages} == {"field", "guide", "walks/trail"}
    assert [f.path for f in corpus.skipped] == ["broken.pdf", "slides.key"]
    assert corpus.skipped[0].reason.startswith("not a readable PDF")
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("hccqa")]
    assert any("broken.pdf" in m and "not a readable PDF" in m for m in messages)


@pytest.mark.integration
def test_cli_builds_and_answers_from_each_file_citing_the_pdf_page(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    built = runner.invoke(app, ["build", "--corpus", str(docs)])
    assert built.exit_code == 0, built.output
    assert "from 3 document(s)" in built.output
    assert str(tmp_path / "cache" / "indexes") in built.output  # the per-user cache
    cases = {
        "How far does the Kestrel Valley trail climb?": ("walks/trail", "640 metres"),
        "How often should the sourdough starter be fed?": ("guide", "every twelve hours"),
        "What shortened the recovery time of the cyclists?": ("field", "Compression sleeves"),
    }
    for question, (doc, words) in cases.items():
        result = runner.invoke(app, ["ask", question, "--corpus", str(docs), "--json"])
        assert result.exit_code == 0, result.output
        answer = json.loads(result.output)
        top = answer["passages"][0]
        assert top["doc_id"] == doc, (question, top)
        assert words in top["text"]
        assert "sorafenib" not in result.output.lower()
    shown = runner.invoke(
        app, ["ask", "What shortened the recovery time of the cyclists?", "--corpus", str(docs)]
    )
    assert shown.exit_code == 0, shown.output
    assert "[P1] field:p001 · p. 2 · Field notes on recovery" in shown.output


def test_citations_show_the_page_and_never_an_empty_section() -> None:
    from hccqa.types import Hit, Passage
    from hccqa.ui.render import _render_source, passage_label

    pdf = Passage("field:p001", "field", "Field notes", "Sleeves helped.", page=2)
    txt = Passage("walks/trail:p000", "walks/trail", "", "The trail climbs.")
    assert passage_label(pdf) == "field:p001 · p. 2 · Field notes"
    assert passage_label(txt) == "walks/trail:p000"
    assert "field:p001 · p. 2 · score" in _render_source(1, Hit(pdf, 0.5, 1), [])


def test_text_under_two_stacked_headings_belongs_to_the_nearer_one(tmp_path: Path) -> None:
    for title, section in (("Zebra notes", "Apples"), ("Apples", "Zebra notes")):
        (tmp_path / "notes.md").write_text(
            f"# {title}\n\n## {section}\n\nThe orchard was planted in rows of six trees.\n",
            encoding="utf-8",
        )
        (passage,) = load_folder(tmp_path).passages
        assert passage.section == section, title


def test_a_command_listing_the_files_skipped_does_not_also_log_each(
    docs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from hccqa.ui.cli import _skips_listed

    (docs / "slides.key").write_bytes(b"\x00\x01")
    with caplog.at_level("WARNING"), _skips_listed():
        corpus = load_folder(docs)
    assert [f.path for f in corpus.skipped] == ["slides.key"]  # still listed
    assert not [r for r in caplog.records if "slides.key" in r.getMessage()]
    with caplog.at_level("WARNING"):
        load_folder(docs)  # elsewhere (serve, ask) each is logged as it is skipped
    assert [r for r in caplog.records if "slides.key" in r.getMessage()]
