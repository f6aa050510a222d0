"""Layout of a raw document: sections, paragraphs, table blocks and footnotes.

A pure reading of line structure. Table blocks (a ``Table N`` title, ``Ref. Year``
header, ``Author et al[N] YYYY ...`` rows) and the abbreviation footnote that follows
them are taken out of the narrative. Sections open at upper-case heading lines (joined
when split over two lines, then put in sentence case keeping the document's acronyms),
at a short title line followed by text ("Abstract"), or at a ``Label:`` opening a line
("Core tip: Kidney ..."). A blank line ends a paragraph unless the sentence
visibly goes on after it (a page break inside "develop-\\n\\nment" or "3 mo \\n\\nin").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .glossary import is_footnote_start
from .tables import table_line_kind

_SENTENCE_END = re.compile(r"[.?!](?:\[[^\[\]]*\])?[\"')\]]*$")
# "Core tip: Kidney ..." / "BACKGROUND: The ..." (not "We asked: (1) ...").
_LABEL = re.compile(r"^\s*([A-Z][A-Za-z]*(?: [A-Za-z]+){0,2}):\s+(?=[A-Z])")
_TITLE = re.compile(r"^\s*[A-Z][A-Za-z-]*(?: [A-Za-z-]+){0,3}\s*$")


@dataclass(frozen=True)
class Layout:
    """What the layout reading of one document yields."""

    paragraphs: tuple[tuple[str, int, int], ...]  # (section, raw start, raw end)
    footnotes: tuple[tuple[int, int], ...]  # raw spans of abbreviation footnotes
    table_lines: tuple[int, ...]  # 0-based line numbers taken out as table material


def read_layout(raw: str) -> Layout:
    """Find sections, paragraphs, table lines and footnotes of a raw document (pure)."""
    lines = raw.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    excluded, footnotes = _table_blocks(lines, starts)
    acronyms = {
        w
        for i, line in enumerate(lines)
        if i not in excluded and not _is_caps_heading(line)
        for w in re.findall(r"\b[A-Z][A-Z0-9]+\b", line)
    }
    # names: words the text capitalizes after a lower-case word ("the lens of Fresnel"),
    # so written in an upper-case heading ("THE FRESNEL LENS" -> "The Fresnel lens")
    names = {
        w.upper(): w
        for i, line in enumerate(lines)
        if i not in excluded and not _is_caps_heading(line)
        for w in _NAME_IN_TEXT.findall(line)
    }
    paragraphs: list[tuple[str, int, int]] = []
    section = ""
    current: list[int] | None = None  # [start, end]
    prev_text: str | None = None  # last content line (None at start or after a heading)
    blank_since = False
    heading_parts: list[str] = []

    def close() -> None:
        nonlocal current
        if current is not None and current[1] > current[0]:
            paragraphs.append((section, current[0], current[1]))
        current = None

    for i, line in enumerate(lines):
        if i in excluded:
            close()  # a passage span never covers table lines
            continue
        stripped = line.strip()
        if not stripped:
            blank_since = True
            continue
        # A blank line is a paragraph break unless the sentence visibly goes on (a page
        # break inside "develop-\n\nment" or "3 mo \n\nin advanced").
        continues = stripped[:1].islower() or (prev_text or "").rstrip().endswith("-")
        at_break = (
            prev_text is None
            or bool(_SENTENCE_END.search(prev_text.rstrip()))
            or (blank_since and not continues)
        )
        if at_break and _is_caps_heading(line):
            close()
            heading_parts = heading_parts + [stripped] if prev_text is None else [stripped]
            section = _sentence_case(" ".join(heading_parts), acronyms, names)
            prev_text, blank_since = None, False
            continue
        heading_parts = []
        label = _LABEL.match(line) if at_break else None
        # A short title line opens a section when text follows it directly, or when it is
        # the document's first line and more text follows (a document title).
        first_line = not paragraphs and current is None and not section
        titled = i + 1 < len(lines) and (
            bool(lines[i + 1].strip()) or (first_line and any(x.strip() for x in lines[i + 1 :]))
        )
        if at_break and _TITLE.match(line) and titled:
            close()
            section = stripped
            prev_text, blank_since = None, False
            continue
        content_start = starts[i] + (label.end() if label else len(line) - len(line.lstrip()))
        if label:
            close()
            section = label.group(1).capitalize() if label.group(1).isupper() else label.group(1)
        elif (
            current is not None
            and at_break
            and (blank_since or line[:1].isspace())
            and not stripped[:1].islower()
        ):
            close()
        if current is None:
            current = [content_start, content_start]
        current[1] = starts[i] + len(line.rstrip())
        prev_text, blank_since = line, False
    close()
    return Layout(tuple(paragraphs), tuple(footnotes), tuple(sorted(excluded)))


def _table_blocks(lines: list[str], starts: list[int]) -> tuple[set[int], list[tuple[int, int]]]:
    excluded: set[int] = set()
    footnotes: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if table_line_kind(lines[i]) is None:
            i += 1
            continue
        j = i
        while j < len(lines):
            line = lines[j]
            if not line.strip() or table_line_kind(line):
                excluded.add(j)
                j += 1
            elif is_footnote_start(line):
                # to the line that ends it with a full stop, or the last before a blank line
                # (a footnote without its stop does not take in the paragraphs after it)
                k = j
                while (
                    k + 1 < len(lines)
                    and not lines[k].rstrip().endswith(".")
                    and lines[k + 1].strip()
                ):
                    k += 1
                excluded.update(range(j, k + 1))
                footnotes.append((starts[j], starts[k] + len(lines[k].rstrip())))
                j = k + 1
            else:
                break
        i = j
    return excluded, footnotes


def _is_caps_heading(line: str) -> bool:
    s = line.strip()
    return (
        s.upper() == s
        and len(s.split()) <= 12
        and not s.endswith((".", ";", ","))
        and sum(c.isalpha() for c in s) >= 4
    )


_NAME_IN_TEXT = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+\b")


def _sentence_case(heading: str, acronyms: set[str], names: dict[str, str] | None = None) -> str:
    """An upper-case heading in sentence case, its acronyms and the names the text writes
    (upper case -> as written) kept."""
    names = names or {}
    words = [w if w in acronyms else names.get(w, w.lower()) for w in heading.split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]
