"""Unit tests of the pure render functions behind the web chat (hccqa.ui.render)."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

from webfakes import (
    MITE_PASSAGE,
    OKONKWO_ROW,
    ROOF_ROW,
    TANAKA_ROW,
    make_abstention,
    make_answer,
)

from hccqa.types import Reference, RowMatch
from hccqa.ui import render

INJECTION = "<img src=x onerror=alert(1)>"


def test_question_is_escaped_and_shown_as_text() -> None:
    out = render.render_question(INJECTION)
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<img" not in out


def test_long_question_is_shortened_for_display() -> None:
    out = render.render_question("a" * 5000, limit=100)
    assert "a" * 100 + "…" in out
    assert "a" * 101 not in out
    assert "5,000 chars" in out


def test_answer_has_inline_markers_linking_to_sources() -> None:
    out = render.render_answer(make_answer())
    assert out.count('href="#hccqa-src-1">[P1]</a>') == 1  # the engine's marker, linked once
    assert 'title="source P1: Mite control on roofs"' in out  # the marker's title: the section
    assert "1 table row matched" in out
    assert "hccqa-abstain" not in out


def test_sentence_without_marker_gets_one() -> None:
    answer = make_answer()
    sentence = replace(answer.sentences[0], text="No marker here.")
    out = render.render_answer(replace(answer, sentences=(sentence,)))
    assert 'No marker here. <sup class="hccqa-cite"' in out
    assert out.count("[P1]") == 1


def test_answer_is_one_html_block_without_blank_lines() -> None:
    answer = replace(make_answer(), searched_query="a\n\nb")
    out = render.render_answer(answer)
    assert "\n" not in out
    assert out.startswith("<div")


def test_follow_up_shows_the_searched_query() -> None:
    answer = replace(make_answer(), searched_query="varroa loads on roofs oxalic acid")
    assert "searched: varroa loads on roofs oxalic acid" in render.render_answer(answer)
    assert "searched:" not in render.render_answer(make_answer())  # nothing added: not shown


def test_abstention_looks_different_says_why_and_names_the_nearest_sentence() -> None:
    out = render.render_answer(make_abstention())
    assert "hccqa-abstain" in out
    assert "<strong>The documents do not cover this.</strong>" in out
    assert "Why: no sentence is close to the question (cosine 0.10)" in out
    assert "Nearest covered, in Background: <em>&quot;Honey bees kept on city roofs" in out
    assert 'href="#hccqa-src-1">[P1]</a>' in out  # the nearest passage is linked
    assert "hccqa-sentence" not in out  # no quoted answer sentences
    assert "review" not in out.lower()


def test_latency_prefers_measured_then_total_then_sum() -> None:
    answer = make_answer()
    assert "1,234 ms" in render.render_answer(answer, elapsed_ms=1234.4)
    assert "31 ms" in render.render_answer(answer)
    assert render.total_ms(replace(answer, timings_ms={"a": 1.5, "b": 2.0})) == 3.5
    assert render.total_ms(replace(answer, timings_ms={})) is None


def test_supporting_sentence_is_found_despite_resolved_references() -> None:
    text = MITE_PASSAGE.text
    quote = make_answer().sentences[0].text  # "(Okonkwo et al, 2014, Trials)" is not in it
    spans = render.supporting_spans(text, [quote])
    assert len(spans) == 1
    start, end = spans[0]
    assert text[start:end].startswith("Oxalic acid cut varroa loads")
    assert text[start:end].endswith("[4].")


def test_supporting_spans_ignore_unrelated_quotes() -> None:
    assert render.supporting_spans("Alpha beta gamma. Delta epsilon.", ["zzz qqq"]) == []
    assert render.supporting_spans("", ["anything here"]) == []


def test_highlight_escapes_inside_and_outside_the_mark() -> None:
    text = "a<b> sentence one. <i>two</i>"
    out = render.highlight(text, [(0, 18)])
    assert out == "<mark>a&lt;b&gt; sentence one.</mark> &lt;i&gt;two&lt;/i&gt;"


def test_sources_panel_lists_passages_with_section_and_marked_sentence() -> None:
    out = render.render_sources(make_answer())
    assert 'id="hccqa-src-1"' in out and 'id="hccqa-src-2"' in out
    assert "Mite control on roofs" in out
    marked = re.findall(r"<mark>(.*?)</mark>", out)
    assert marked == ["Oxalic acid cut varroa loads by nine tenths in rooftop hives [4]."]
    assert '<div class="hccqa-source hccqa-cited" id="hccqa-src-1">' in out  # quoted
    assert '<div class="hccqa-source" id="hccqa-src-2">' in out  # retrieved, not quoted
    assert "<h3>Table rows</h3>" in out
    assert "<li><b>[4]</b> Okonkwo et al, 2014, Trials (trials:4)</li>" in out


def test_sources_panel_before_any_answer_and_for_abstention() -> None:
    assert "appear here" in render.render_sources(None)
    out = render.render_sources(make_abstention())
    assert "Nearest passages" in out
    assert "<mark>" not in out


def test_rows_are_shown_per_table_with_its_own_columns_and_a_reason() -> None:
    rows = (
        RowMatch(TANAKA_ROW, "filter: year 2019"),
        RowMatch(ROOF_ROW, "the row itself matches (rank 2)"),
        RowMatch(OKONKWO_ROW, "cited as [4] in notes:p042"),
    )
    out = render.render_rows(rows)
    tables = re.findall(r'<table class="hccqa-rows" data-table="([^"]+)">(.*?)</table>', out)
    assert [t for t, _ in tables] == ["trials", "roofs"]  # in order of first appearance
    trials, roofs = (body for _, body in tables)
    assert "<caption>Trials</caption>" in trials and "<caption>Roofs</caption>" in roofs
    assert re.findall(r"<th>(.*?)</th>", trials) == [
        "Ref",
        "Author",
        "Year",
        "Site",
        "Treatment",
        "Finding",
        "Why shown",
    ]
    assert re.findall(r"<th>(.*?)</th>", roofs) == ["Roof", "Aspect", "Hives", "Why shown"]
    body = re.findall(r'<tr data-row="([^"]+)">(.*?)</tr>', trials)
    assert [rid for rid, _ in body] == ["trials:8", "trials:4"]
    assert re.findall(r"<td>(.*?)</td>", body[1][1]) == [
        "4",
        "Okonkwo et al",
        "2014",
        "Lagos rooftop",
        "Oxalic acid",
        "Mite load cut by nine tenths",
        "cited as [4] in notes:p042",
    ]
    assert re.findall(r"<td>(.*?)</td>", roofs)[-1] == "the row itself matches (rank 2)"
    assert render.render_rows(()) == ""


def test_references_resolve_author_year_and_table() -> None:
    refs = {
        30: Reference(30, None, None),
        8: Reference(8, "Tanaka et al", 2019, ("trials:8",), ("Trials",)),
        9: Reference(9, "Moreau et al", None),
    }
    out = render.render_references(refs)
    assert out.index("[8]") < out.index("[9]") < out.index("[30]")
    assert "Tanaka et al, 2019, Trials (trials:8)" in out
    assert "<b>[9]</b> Moreau et al</li>" in out  # only the name known: no empty parts
    assert "<b>[30]</b> ref. 30</li>" in out
    assert "()" not in out
    assert render.render_references({}) == ""


def test_error_is_escaped_and_styled() -> None:
    out = render.render_error(f"bad: {INJECTION}")
    assert "hccqa-error" in out
    assert "&lt;img" in out and "<img" not in out


def test_markdown_resolves_citations_and_lists_only_cited_sources() -> None:
    md = render.answer_markdown(make_answer())
    assert md.startswith("**Question:** What cut varroa loads on roofs?\n")
    assert 'rooftop hives (Okonkwo et al, 2014, Trials)." [P1]\n' in md
    assert "[P1] Mite control on roofs (notes:p042):" in md
    assert "[P2]" not in md  # retrieved but not cited
    assert "*Trials*" in md
    assert "| Ref | Author | Year | Site | Treatment | Finding | Why |" in md
    assert "| 4 | Okonkwo et al | 2014 | Lagos rooftop | Oxalic acid |" in md
    assert "- [4] Okonkwo et al, 2014, Trials" in md


def test_markdown_has_no_run_of_blank_lines() -> None:
    assert "\n\n\n" not in render.answer_markdown(make_answer())


def test_markdown_of_abstention_and_pipes_in_cells() -> None:
    md = render.answer_markdown(make_abstention())
    assert "**The documents do not cover this.**" in md
    assert "Why: no sentence is close to the question (cosine 0.10)" in md
    assert 'Nearest covered, in Background: "Honey bees kept on city roofs face heat." [P1]' in md
    answer = replace(make_answer(), rows=(RowMatch(OKONKWO_ROW, "a|b"),))
    assert "| a\\|b |" in render.answer_markdown(answer)


def test_download_link_is_a_data_url_holding_the_markdown() -> None:
    md = "# é <script>alert(1)</script>\n"
    out = render.download_link(md)
    m = re.fullmatch(
        r'<a class="hccqa-download" download="hccqa-answer.md" '
        r'href="data:text/markdown;charset=utf-8;base64,([A-Za-z0-9+/=]+)">'
        r"Download as Markdown</a>",
        out,
    )
    assert m is not None
    assert base64.b64decode(m.group(1)).decode("utf-8") == md


def test_sources_show_quoted_and_first_k_passages_and_fold_the_rest() -> None:
    answer = make_answer()
    hits = (answer.passages[1], answer.passages[1], answer.passages[0])  # P3 is the quoted one
    sentence = replace(answer.sentences[0], text="Oxalic acid cut varroa loads. [P3]", marker=3)
    out = render.render_sources(replace(answer, passages=hits, sentences=(sentence,)), k=1)
    open_part, folded = out.split("<details>")
    assert 'id="hccqa-src-1"' in open_part and 'id="hccqa-src-3"' in open_part
    assert 'id="hccqa-src-2"' in folded and 'id="hccqa-src-2"' not in open_part
    assert "<summary>1 more retrieved passages</summary>" in folded
    assert "<details>" not in render.render_sources(make_answer())  # default k: all open


def test_a_figure_is_shown_once_with_quotes_or_without() -> None:
    figure = "Average kg: 30.5 (over 2 table rows)"
    quoted = replace(make_answer(), figure=figure)
    assert render.render_answer(quoted).count(figure) == 1
    assert render.answer_markdown(quoted).count(figure) == 1
    # without quotes the answer leads with the figure (the head of its rows)
    bare = replace(quoted, sentences=(), answer=f"{figure}:\n- a row")
    assert render.render_answer(bare).count(figure) == 1
    assert render.answer_markdown(bare).count(figure) == 1
