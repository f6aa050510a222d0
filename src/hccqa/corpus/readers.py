"""Documents of a corpus folder: which files there are, and the text of each document.

:func:`discover` walks a folder recursively and sorts its files into documents
(``.txt``, ``.md``, ``.markdown``, ``.pdf``), table files (``.tsv``, ``.csv``) and skipped files,
each skipped file with the reason. Hidden files and folders (``.git``, ``.DS_Store``)
are not part of a corpus; the chat page texts (``chat.json``) and the gold question
sets (``gold/*.jsonl``) are corpus files that are not indexed.

:func:`read_document` turns one file into a :class:`Document`: plain text that the
layout reading then cuts into sections and passages, plus the offsets where Markdown
headings open sections and where PDF pages begin. Text keeps its line breaks, so that
words hyphenated at a line end are joined by the same cleaning as the review's
(:mod:`hccqa.corpus.text`).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CorpusError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
DOCUMENT_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + PDF_SUFFIXES
TABLE_SUFFIX = ".tsv"
TABLE_SUFFIXES = (TABLE_SUFFIX, ".csv")  # tab- or comma-separated
CHAT_FILE = "chat.json"
GOLD_FOLDER = "gold"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Skipped:
    """A file of the corpus folder that is not indexed, and why."""

    path: str  # relative to the corpus folder, with "/" separators
    reason: str

    def __str__(self) -> str:
        return f"{self.path} ({self.reason})"


@dataclass(frozen=True)
class Discovery:
    """The files of a corpus folder, sorted by relative path.

    Attributes:
        documents: ``(relative path, doc_id)`` of every document file.
        tables: Relative paths of the ``.tsv`` and ``.csv`` table files.
        skipped: Files that are neither, with the reason.
    """

    documents: tuple[tuple[str, str], ...]
    tables: tuple[str, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class Document:
    """The text of one document file, ready for the layout reading.

    Attributes:
        text: Plain text with its line breaks (Markdown markup removed, PDF pages
            separated by a blank line).
        sections: ``(offset, title)`` where a Markdown heading opens a section, in order.
        pages: Offsets where pages 1, 2, ... begin (PDF only; empty otherwise).
    """

    text: str
    sections: tuple[tuple[int, str], ...] = ()
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a document without pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


def doc_id_for(relative: str) -> str:
    """The document id of a file: its relative path without the suffix (``"notes/trial"``)."""
    return relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative


def _not_indexed(relative: str) -> bool:
    """Corpus files that are used but not indexed: the page texts and the gold sets."""
    parts = relative.split("/")
    if relative == CHAT_FILE:
        return True
    return len(parts) == 2 and parts[0] == GOLD_FOLDER and parts[1].endswith(".jsonl")


def discover(folder: Path) -> Discovery:
    """Sort the files under ``folder`` (recursively) into documents, tables and skipped files.

    Two files with the same id (``a.txt`` and ``a.md``) cannot both be documents: the
    second in sorted order is skipped with the reason.
    """
    documents: list[tuple[str, str]] = []
    tables: list[str] = []
    skipped: list[Skipped] = []
    ids: dict[str, str] = {}
    files = sorted(
        (p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if not p.is_dir()
    )
    for relative, path in files:
        if any(part.startswith(".") for part in relative.split("/")) or _not_indexed(relative):
            continue
        suffix = path.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            tables.append(relative)
        elif suffix in DOCUMENT_SUFFIXES:
            doc_id = doc_id_for(relative)
            if doc_id in ids:
                skipped.append(
                    Skipped(relative, f"same document id {doc_id!r} as {ids[doc_id]}; rename one")
                )
                continue
            ids[doc_id] = relative
            documents.append((relative, doc_id))
        else:
            kind = f"{suffix} files" if suffix else "files without a suffix"
            skipped.append(
                Skipped(
                    relative,
                    f"{kind} are not read; documents are .txt, .md or .pdf, tables .tsv or .csv",
                )
            )
    return Discovery(tuple(documents), tuple(tables), tuple(skipped))


def read_text(path: Path) -> str:
    """Read a UTF-8 document (without the byte order mark an editor may put first),
    raising CorpusError with the line of a bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{path}:{line}: not valid UTF-8 ({exc.reason}); save the file as UTF-8"
        ) from exc


def read_document(path: Path) -> Document:
    """The text of a ``.txt``, ``.md`` or ``.pdf`` file.

    Raises:
        CorpusError: the file cannot be read (the message names it and says why).
    """
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return read_pdf(path)
    text = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    if suffix in MARKDOWN_SUFFIXES:
        return markdown_document(text)
    return Document(text)


# The heading or line alone that opens a document's list of references (English).
_REFERENCES_TITLE = (
    r"(?:references?|bibliography|works cited|literature cited|reference list|"
    r"notes and references)"
)
_REFERENCES_HEADING = re.compile(rf"^\s*{_REFERENCES_TITLE}\s*:?\s*$", re.IGNORECASE)
_REFERENCES_LINE = re.compile(rf"(?m)^[ \t]*{_REFERENCES_TITLE}[ \t]*:?[ \t]*$", re.IGNORECASE)
# The start of an entry of a list of references: "[3] ", "3. " or "3) " at a line's start.
_ENTRY = re.compile(r"(?m)^[ \t]*(\[)?(\d{1,4})(\]|\.|\))[ \t]+(?=\S)")
# "J. Smith and K. Lee": initials before the surname
_INITIALS = re.compile(r"(?:[A-Z]\.[ \t-]*)+")
_ENTRY_AUTHOR = re.compile(r"[^\W\d_][\w'’-]*(?:\s+et\s+al\.?)?")
# A publication year: not a page of a range ("1045-1052"), a volume's part after ":" or a
# piece of an identifier (a DOI, a link)
_ENTRY_YEAR = re.compile(r"(?<![\d:/.-])(1[5-9]\d{2}|20\d{2}|21\d{2})(?![\d-])")
_IDENTIFIER = re.compile(r"\b(?:doi:\s*|https?://)\S+|\b10\.\d{4,}/\S+", re.IGNORECASE)


def split_references(doc: Document) -> tuple[Document, str]:
    """The document without its list of references, and the list's text ("" when it has
    none).

    The list is a section headed "References" (or "Bibliography", "Works cited", ...),
    or in plain text the last line saying only that, followed at once by a numbered
    entry, and the paragraphs after it that open with entries (the text after them, an
    appendix, stays). An entry is no passage to quote ("Roman Bridges. 1993." answers
    nothing); its author and year label the citations of its number.
    """
    start = end = -1
    for i, (offset, title) in enumerate(doc.sections):
        if _REFERENCES_HEADING.match(title):
            start = offset
            end = doc.sections[i + 1][0] if i + 1 < len(doc.sections) else len(doc.text)
            break
    if start < 0:
        found = list(_REFERENCES_LINE.finditer(doc.text))
        if not found:
            return doc, ""
        start, end = found[-1].start(), _list_end(doc.text, found[-1].end())
    listed = doc.text[start:end]
    if end <= start or not _ENTRY.search(listed):
        return doc, ""
    cut = end - start
    sections = tuple(
        (o if o < start else o - cut, t) for o, t in doc.sections if not start <= o < end
    )
    pages = tuple(p if p < start else max(start, p - cut) for p in doc.pages)
    return Document(doc.text[:start] + doc.text[end:], sections, pages), listed


def _list_end(text: str, at: int) -> int:
    """Where the numbered entries after a "References" line (ending at ``at``) end: before
    the first paragraph that opens with no entry; ``at`` when no entry follows at once."""
    end = at
    for m in re.finditer(r"\S.*?(?:\n[ \t]*\n|\Z)", text[at:], re.DOTALL):
        if not _ENTRY.match(m.group(0)):
            break
        end = at + m.end()
    return end if end > at else -1


def reference_entries(listed: str) -> dict[int, tuple[str | None, int | None]]:
    """Reference number -> (first author's surname as printed, year) of each numbered
    entry of a list of references. An entry runs to the next one of the list's own style
    ("[n]" or "n."), numbered up from the one before (a wrapped line "12. Cambridge ..." is
    no entry).

    Examples:
        >>> reference_entries("[1] O'Connor, C. Roman Bridges. Cambridge, 1993.")
        {1: ("O'Connor", 1993)}
        >>> reference_entries("2. J. Lee and K. Ng. Arches. J Eng. 2001;12:1045-1052.")
        {2: ('Lee', 2001)}
    """
    starts = list(_ENTRY.finditer(listed))
    if not starts:
        return {}
    style = (starts[0].group(1), starts[0].group(3))
    kept: list[re.Match[str]] = []
    for m in starts:
        if (m.group(1), m.group(3)) == style and (
            not kept or int(m.group(2)) > int(kept[-1].group(2))
        ):
            kept.append(m)
    out: dict[int, tuple[str | None, int | None]] = {}
    for i, m in enumerate(kept):
        entry = listed[m.end() : kept[i + 1].start() if i + 1 < len(kept) else len(listed)]
        entry = _IDENTIFIER.sub(" ", " ".join(entry.split()))
        initials = _INITIALS.match(entry)
        named = _ENTRY_AUTHOR.match(entry, initials.end() if initials else 0)
        year = _ENTRY_YEAR.search(entry)
        out[int(m.group(2))] = (
            named.group(0) if named else None,
            int(year.group(1)) if year else None,
        )
    return out


def read_pdf(path: Path) -> Document:
    """The text layer of a PDF, page by page (pypdf), pages separated by a blank line.

    Raises:
        CorpusError: the file is not a readable PDF, is encrypted, or has no text layer.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{path}: the PDF is encrypted; save a copy without a password")
        texts = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged or hostile files
        reason = str(exc).strip() or type(exc).__name__
        raise CorpusError(f"{path}: not a readable PDF ({reason})") from exc
    if not any(t.strip() for t in texts):
        raise CorpusError(
            f"{path}: the PDF has no text layer (a scanned image?); run OCR on it first"
        )
    parts: list[str] = []
    pages: list[int] = []
    offset = 0
    for text in texts:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        pages.append(offset)
        parts.append(text)
        offset += len(text) + 2
    return Document("\n\n".join(parts), pages=tuple(pages))


def markdown_document(source: str) -> Document:
    """Plain text of a Markdown document: headings become sections, markup goes.

    Paragraphs, list items, block quotes and table rows become paragraphs (table cells
    joined by ``"; "``); emphasis, links (their text kept), images (their alt text
    kept) and inline code marks are removed; code blocks, raw HTML and a leading YAML
    front matter are left out. A line break after a hyphen is kept, so that a word
    hyphenated at a line end is joined by the text cleaning.
    """
    from markdown_it import MarkdownIt

    source = _FRONT_MATTER.sub("", source, count=1)
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    blocks: list[str] = []
    sections: list[tuple[int, str]] = []
    length = 0  # length of "\n\n".join(blocks) so far
    row: list[str] | None = None
    in_heading = False
    # in a list of references, an entry keeps its number and each line its own
    references = False
    number = ""
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "list_item_open":
            number = token.info if references and token.info.isdigit() else ""
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            cells = [c for c in row if c]
            row = None
            if cells:
                length = _append(blocks, "; ".join(cells), length)
        elif token.type == "inline":
            text = _inline_text(token.children or [], lines=references and not in_heading)
            if in_heading:
                title = " ".join(text.split())
                if title:
                    sections.append((length + 2 if blocks else 0, title))
                    references = bool(_REFERENCES_HEADING.match(title))
            elif row is not None:
                row.append(" ".join(text.split()))
            elif text.strip():
                entry = f"[{number}] {text.strip()}" if number else text.strip()
                number = ""
                length = _append(blocks, entry, length)
    return Document("\n\n".join(blocks), sections=tuple(sections))


def _append(blocks: list[str], text: str, length: int) -> int:
    length += len(text) + (2 if blocks else 0)
    blocks.append(text)
    return length


def _inline_text(children: list[Any], *, lines: bool = False) -> str:
    """The text of an inline token; ``lines``: every line break kept (entries of a list
    of references, one per line)."""
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):  # an image's content is its alt text
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            # Keep a break after a hyphen: the cleaning decides "develop-ment" vs "anti-TNF".
            out.append("\n" if lines or (out and out[-1].endswith("-")) else " ")
    return "".join(out)
