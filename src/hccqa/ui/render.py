"""Pure render functions behind the web chat: an :class:`~hccqa.types.Answer` to HTML and Markdown.

Every piece of text that comes from a person or from the corpus (question,
passage, table cell, reference, error message) goes through :func:`html.escape`
before any markup of ours is added around it, so a question such as
``<img src=x onerror=alert(1)>`` is shown as text and runs nothing.

Chat messages are rendered as a single ``<div>`` without blank lines: the chat
component's Markdown renderer treats such a block as raw HTML and leaves the
escaped text inside it alone.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence

from ..corpus.sentences import split_sentences
from ..corpus.text import normalize
from ..types import Answer, Hit, Passage, Reference, RowMatch, table_label

_WORD = re.compile(r"[A-Za-z0-9]+")
MARKER = re.compile(r"\[P(\d+)\]")  # the engine's passage markers, apart from the review's [24]
QUESTION_PREVIEW_CHARS = 600


def esc(text: object) -> str:
    """HTML-escape any value (quotes included); ``None`` becomes an empty string."""
    return "" if text is None else html.escape(str(text), quote=True)


def _one_block(parts: Iterable[str]) -> str:
    # No blank line may appear inside the block, or Markdown would end the raw HTML there.
    return "".join(parts).replace("\r", "").replace("\n", "<br>")


def total_ms(answer: Answer) -> float | None:
    """The answer's total latency in milliseconds, from its timings (``total`` or the sum)."""
    t = answer.timings_ms
    if not t:
        return None
    if "total" in t:
        return float(t["total"])
    return float(sum(t.values()))


def passage_label(passage: Passage) -> str:
    """Where a passage comes from: id, page (PDF), section; ``"guide:p003 · p. 2 · Dosing"``.

    Empty parts are left out, so a passage without a section never shows ``()``.
    """
    parts = [passage.id]
    if passage.page is not None:
        parts.append(f"p. {passage.page}")
    if passage.section:
        parts.append(passage.section)
    return " · ".join(parts)


def render_question(question: str, limit: int = QUESTION_PREVIEW_CHARS) -> str:
    """The user's turn as shown in the chat: escaped, long questions shortened for display."""
    shown = (
        question if len(question) <= limit else question[:limit] + f"… ({len(question):,} chars)"
    )
    return _one_block(['<div class="hccqa-question">', esc(shown), "</div>"])


def _cited_markers(answer: Answer) -> set[int]:
    return {s.marker for s in answer.sentences}


def _latency_line(answer: Answer, elapsed_ms: float | None) -> str:
    ms = elapsed_ms if elapsed_ms is not None else total_ms(answer)
    bits = [f"{ms:,.0f} ms"] if ms is not None else []
    bits.append(f"{answer.mode} retrieval")
    return f'<div class="hccqa-latency">{esc(" · ".join(bits))}</div>'


def link_markers(escaped: str, sections: dict[int, str]) -> str:
    """Turn the engine's passage markers ``[P<n>]`` in escaped text into links to source n."""

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        title = esc(f"source P{n}: {sections.get(n, '')}")
        return f'<sup class="hccqa-cite" title="{title}"><a href="#hccqa-src-{n}">[P{n}]</a></sup>'

    return MARKER.sub(link, escaped)


def render_answer(answer: Answer, elapsed_ms: float | None = None) -> str:
    """The assistant's turn: quoted sentences with inline citation markers, or an abstention.

    Args:
        answer: The engine's answer.
        elapsed_ms: Wall-clock latency measured by the caller (default: the answer's timings).

    Returns:
        One HTML block. Markers ``[P<n>]`` link to source ``n`` in the sources panel.
    """
    sections = {i: h.passage.section for i, h in enumerate(answer.passages, start=1)}
    parts: list[str] = []
    if answer.corrections:
        fixed = ", ".join(f"{typed} \u2192 {meant}" for typed, meant in answer.corrections)
        parts.append(f'<div class="hccqa-spelling">spelling: {esc(fixed)}</div>')
    if answer.searched_query and answer.searched_query != answer.question:
        parts.append(f'<div class="hccqa-searched">searched: {esc(answer.searched_query)}</div>')
    if answer.abstained:
        parts.append('<div class="hccqa-answer hccqa-abstain">')
        parts.append(
            '<span class="hccqa-icon" aria-hidden="true">&#9888;</span> '
            f"<strong>{esc(_refusal_head(answer))}</strong> "
        )
        if answer.refusal_reason:
            parts.append(f'<div class="hccqa-why">Why: {esc(answer.refusal_reason)}</div>')
        if answer.nearest:
            n = answer.nearest
            quote = f'"{n.sentence}" [P{n.marker}]'
            parts.append(
                f'<div class="hccqa-nearest">Nearest covered, in {esc(n.section)}: '
                f"<em>{link_markers(esc(quote), sections)}</em></div>"
            )
        parts.append("</div>")
    else:
        parts.append('<div class="hccqa-answer">')
        if answer.sentences:
            for s in answer.sentences:
                text = s.text if MARKER.search(s.text) else f"{s.text} [P{s.marker}]"
                parts.append(
                    f'<span class="hccqa-sentence">{link_markers(esc(text), sections)}</span> '
                )
        else:
            parts.append(link_markers(esc(answer.answer), sections))
        if answer.figure and answer.sentences:  # (without quotes, the answer leads with it)
            parts.append(f'<div class="hccqa-figure">{esc(answer.figure)}</div>')
        if answer.rows:
            count = len(answer.rows)
            parts.append(
                f'<div class="hccqa-rowcount">{count} table row{"s" if count != 1 else ""} '
                "matched: see Sources.</div>"
            )
        parts.append("</div>")
    parts.append(_latency_line(answer, elapsed_ms))
    return _one_block(parts)


def _refusal_head(answer: Answer) -> str:
    """The refusal's first sentence ("The documents do not cover this.")."""
    return answer.answer.split(". ", 1)[0].rstrip(".") + "."


def render_error(message: str) -> str:
    """An error as a chat turn: the message escaped, in its own style, no traceback."""
    return _one_block(
        [
            '<div class="hccqa-answer hccqa-error">',
            '<span class="hccqa-icon" aria-hidden="true">&#10006;</span> ',
            esc(message),
            "</div>",
        ]
    )


def _words(text: str) -> set[str]:
    return {normalize(w) for w in _WORD.findall(text) if len(w) > 2}


def supporting_spans(passage_text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of the passage's sentences that the answer quotes, sorted and unique.

    A quote may differ from the passage (its references are resolved), so each
    quote picks the passage sentence sharing the largest fraction of its words.

    Args:
        passage_text: The passage text.
        quotes: Answer sentences quoting this passage.

    Returns:
        ``(start, end)`` character spans into ``passage_text``.
    """
    spans = split_sentences(passage_text)
    chosen: set[tuple[int, int]] = set()
    for quote in quotes:
        want = _words(quote)
        if not want or not spans:
            continue
        best = max(spans, key=lambda sp: len(want & _words(passage_text[sp[0] : sp[1]])))
        if want & _words(passage_text[best[0] : best[1]]):
            chosen.add(best)
    return sorted(chosen)


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped, with each span wrapped in ``<mark>`` (spans sorted, not overlapping)."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _render_source(marker: int, hit: Hit, quotes: Sequence[str]) -> str:
    p = hit.passage
    cited = bool(quotes)
    cls = "hccqa-source hccqa-cited" if cited else "hccqa-source"
    refs = f" · refs {esc(', '.join(str(r) for r in p.refs))}" if p.refs else ""
    page = f" · p. {p.page}" if p.page is not None else ""
    return (
        f'<div class="{cls}" id="hccqa-src-{marker}">'
        f'<div class="hccqa-source-head"><b>[P{marker}]</b> {esc(p.section or "(no section)")}'
        f' <span class="hccqa-meta">{esc(p.id)}{page} · score {hit.score:.3f}{refs}</span></div>'
        f'<div class="hccqa-passage">{highlight(p.text, supporting_spans(p.text, quotes))}</div>'
        "</div>"
    )


def render_rows(rows: Sequence[RowMatch]) -> str:
    """Matched table rows as HTML tables, one per table with its own columns, each row
    with the reason it matched."""
    if not rows:
        return ""
    out: list[str] = []
    for table, group in _by_table(rows):
        columns = [name for name, _ in group[0].row.cells]
        out.append(
            f'<table class="hccqa-rows" data-table="{esc(table)}"><caption>'
            f"{esc(table_label(table))}</caption><thead><tr>"
        )
        out.extend(f"<th>{esc(_header(c))}</th>" for c in columns)
        out.append("<th>Why shown</th></tr></thead><tbody>")
        for m in group:
            out.append(f'<tr data-row="{esc(m.row.id)}">')
            out.extend(f"<td>{esc(v)}</td>" for _, v in m.row.cells)
            out.append(f"<td>{esc(m.reason)}</td></tr>")
        out.append("</tbody></table>")
    return "".join(out)


def _by_table(rows: Sequence[RowMatch]) -> list[tuple[str, list[RowMatch]]]:
    groups: dict[str, list[RowMatch]] = {}
    for m in rows:
        groups.setdefault(m.row.table, []).append(m)
    return list(groups.items())


def _header(column: str) -> str:
    return column.replace("_", " ").capitalize()


def render_references(references: dict[int, Reference]) -> str:
    """The review's references cited by the answer, resolved to author, year and table rows."""
    if not references:
        return ""
    out = ['<ul class="hccqa-refs">']
    for n, ref in sorted(references.items()):
        rows = f" ({esc(', '.join(ref.rows))})" if ref.rows else ""
        out.append(f"<li><b>[{n}]</b> {esc(ref.label())}{rows}</li>")
    out.append("</ul>")
    return "".join(out)


def render_sources(answer: Answer | None, k: int | None = None) -> str:
    """The sources panel: cited passages (supporting sentences highlighted), rows, references.

    Args:
        answer: The latest answer (``None``: nothing asked yet).
        k: Passages shown open: the quoted ones and the first ``k`` (default: all). The
            engine ranks more; the rest are listed folded at the end.
    """
    if answer is None:
        return '<div class="hccqa-sources-empty">Sources of the latest answer appear here.</div>'
    quotes: dict[int, list[str]] = {}
    for s in answer.sentences:
        quotes.setdefault(s.marker, []).append(s.text)
    numbered = list(enumerate(answer.passages, start=1))
    is_open = {i for i, _ in numbered if i in quotes or k is None or i <= k}
    shown = [(i, h) for i, h in numbered if i in is_open]
    folded = [(i, h) for i, h in numbered if i not in is_open]
    out = ['<div class="hccqa-sources">']
    if shown:
        out.append(f"<h3>{'Nearest passages' if answer.abstained else 'Sources'}</h3>")
        out.extend(_render_source(i, h, quotes.get(i, [])) for i, h in shown)
    if answer.rows:
        out.append("<h3>Table rows</h3>")
        out.append(render_rows(answer.rows))
    if answer.references:
        out.append("<h3>References cited</h3>")
        out.append(render_references(answer.references))
    if folded:
        out.append(f"<details><summary>{len(folded)} more retrieved passages</summary>")
        out.extend(_render_source(i, h, []) for i, h in folded)
        out.append("</details>")
    out.append("</div>")
    return _one_block(out)


def _md_cell(text: object) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown, for copying or downloading, with its citations resolved."""
    lines = [f"**Question:** {answer.question}", ""]
    if answer.corrections:
        fixed = ", ".join(f"{typed} -> {meant}" for typed, meant in answer.corrections)
        lines += [f"*Spelling:* {fixed}", ""]
    if answer.searched_query and answer.searched_query != answer.question:
        lines += [f"*Searched:* {answer.searched_query}", ""]
    if answer.abstained:
        lines.append(f"**{_refusal_head(answer)}**")
        if answer.refusal_reason:
            lines.append(f"Why: {answer.refusal_reason}")
        if answer.nearest:
            n = answer.nearest
            lines.append(f'Nearest covered, in {n.section}: "{n.sentence}" [P{n.marker}]')
    elif answer.sentences:
        lines.append(
            " ".join(
                s.text if MARKER.search(s.text) else f"{s.text} [P{s.marker}]"
                for s in answer.sentences
            )
        )
    else:
        lines.append(answer.answer)
    if answer.figure and answer.sentences:  # (without quotes, the answer leads with it)
        lines += ["", f"**{answer.figure}**"]
    if answer.passages:
        cited = _cited_markers(answer)
        lines += ["", "### Sources", ""]
        for i, h in enumerate(answer.passages, start=1):
            if cited and i not in cited:
                continue
            p = h.passage
            page = f", p. {p.page}" if p.page is not None else ""
            lines.append(f"[P{i}] {p.section} ({p.id}{page}): {p.text}")
            lines.append("")
    if answer.rows:
        lines += ["### Table rows", ""] if lines[-1] == "" else ["", "### Table rows", ""]
        for table, group in _by_table(answer.rows):
            columns = [name for name, _ in group[0].row.cells]
            lines += [f"*{table_label(table)}*", ""]
            lines.append("| " + " | ".join([*(_header(c) for c in columns), "Why"]) + " |")
            lines.append("|" + "---|" * (len(columns) + 1))
            for m in group:
                cells = [v for _, v in m.row.cells] + [m.reason]
                lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
            lines.append("")
    if answer.references:
        lines += ["### References", ""] if lines[-1] == "" else ["", "### References", ""]
        for number, ref in sorted(answer.references.items()):
            lines.append(f"- [{number}] {ref.label()}")
    return "\n".join(lines).strip() + "\n"


def download_link(markdown: str, filename: str = "hccqa-answer.md") -> str:
    """A link that downloads ``markdown`` from a ``data:`` URL (no file on the server)."""
    payload = base64.b64encode(markdown.encode("utf-8")).decode("ascii")
    return (
        f'<a class="hccqa-download" download="{esc(filename)}" '
        f'href="data:text/markdown;charset=utf-8;base64,{payload}">Download as Markdown</a>'
    )
