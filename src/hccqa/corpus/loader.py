"""The corpus: documents cut into sections and passages, with tables, glossary and references.

:func:`load_folder` reads a folder of ``.txt``, ``.md`` and ``.pdf`` documents, recursively
(doc_id = relative path without the suffix), and its ``.tsv`` and ``.csv`` tables;
:func:`load_corpus` does the same with the packaged review as the default folder. A file
that cannot be read is skipped with a warning naming it and the reason
(:attr:`Corpus.skipped`); the others are still loaded. Each document goes through the same
layout reading: table blocks and their abbreviation footnote are taken out of the narrative
(the footnote becomes a passage of its own, of kind "glossary", after the document's
others), headings (Markdown headings, upper-case lines, a short title line such as
"Abstract", or a "Core tip:" label) open sections, paragraphs break at blank lines that end
a sentence (a blank line inside a sentence is a page break), and paragraphs are cut into
sentence-aligned passages of about the embedding model's window (by an estimate of their
word pieces). A PDF passage keeps the page it starts on.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import CORPUS_FOLDER_HINT, CorpusError, no_folder
from ..types import Passage, Reference, Table, TableRow
from .citations import cited_numbers, find_authors
from .glossary import build_glossary
from .layout import read_layout
from .readers import (
    Document,
    Skipped,
    discover,
    read_document,
    reference_entries,
    split_references,
)
from .sentences import split_sentences
from .tables import read_table
from .text import Lexicon, clean, clean_with_map

log = logging.getLogger(__name__)
# the files not indexed, each as it is skipped (a command that lists them after silences it)
skip_log = logging.getLogger(f"{__name__}.skipped")
# Passage size: up to 5 sentences, 2 shared with the next passage, at most 250 word
# pieces by the estimate below (the model reads 256, [CLS] and [SEP] included; the
# section title and spelled-out abbreviations it also reads may, rarely, push a passage's
# last words past the window). Chosen by measuring (docs/EVALUATION.md, the fourteenth
# session).
DEFAULT_MAX_SENTENCES = 5
DEFAULT_OVERLAP = 2
DEFAULT_MAX_TOKENS = 250
GLOSSARY_SECTION = "Abbreviations"  # the section of a footnote of abbreviations

TokenCounter = Callable[[str], int]

_TOKENS = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_CLAUSE_END = re.compile(r"[;,] ")
_WORD_RUN = re.compile(r"\S+")
_AUTHOR_HEADER = re.compile(r"(?i)(?:first[ _])?authors?(?:\(s\))?")
# English words that name works (studies, papers): a table whose title or headers use one
# lists works, and its years date them
_WORKS = re.compile(
    r"(?i)\b(?:stud(?:y|ies)|trials?|rcts?|cohorts?|meta-analys[ie]s|analys[ie]s|papers?|"
    r"publications?|published|articles?|reports?|reviews?|literature|evidence|"
    r"experiments?|surveys?|bibliography|journals?|works?|doi)\b"
)


@dataclass(frozen=True)
class Corpus:
    """Everything the engine answers from.

    Attributes:
        passages: Passages of every document in document then reading order, then one
            passage per table row (``kind="row"``, id = the row's id).
        tables: The tables, each with its typed columns and rows.
        glossary: Abbreviation -> expansion (footnote and inline definitions).
        references: Reference number -> what the corpus says about it.
        sha256: Hash over the corpus files used (relative names and bytes).
        files: The corpus files used, relative to the folder (``/`` separators).
        skipped: Files of the folder that were not indexed, each with the reason.
    """

    passages: tuple[Passage, ...]
    tables: tuple[Table, ...] = ()
    glossary: dict[str, str] = field(default_factory=dict)
    references: dict[int, Reference] = field(default_factory=dict)
    sha256: str = ""
    files: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    @cached_property
    def rows(self) -> tuple[TableRow, ...]:
        """Every table row, in table then row order."""
        return tuple(r for t in self.tables for r in t.rows)

    @property
    def table_titles(self) -> dict[str, str]:
        """Table id -> title."""
        return {t.id: t.title for t in self.tables}

    def table(self, id: str) -> Table:
        """The table with this id.

        Raises:
            KeyError: no such table.
        """
        for t in self.tables:
            if t.id == id:
                return t
        raise KeyError(f"no table {id!r}")

    def passage(self, id: str) -> Passage:
        """The passage with this id.

        Raises:
            KeyError: no such passage.
        """
        try:
            return self._passages_by_id[id]
        except KeyError:
            raise KeyError(f"no passage {id!r}") from None

    def row(self, id: str) -> TableRow:
        """The table row with this id (``"table2:24"``).

        Raises:
            KeyError: no such row.
        """
        try:
            return self._rows_by_id[id]
        except KeyError:
            raise KeyError(f"no table row {id!r}") from None

    @cached_property
    def _passages_by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    @cached_property
    def _rows_by_id(self) -> dict[str, TableRow]:
        return {r.id: r for r in self.rows}

    @cached_property
    def vocabulary(self) -> str:
        """Every passage and row text, lower case, in one string (for "does the review
        mention this word" checks)."""
        return " ".join(p.text for p in self.passages).lower()

    @cached_property
    def sentences(self) -> tuple[str, ...]:
        """Every sentence of the passages once (passages overlap), in reading order; a
        table row's passage is one sentence."""
        return tuple(dict.fromkeys(s for p in self.passages for s in passage_sentences(p)))

    @cached_property
    def sentence_map(self) -> tuple[tuple[int, ...], ...]:
        """For each passage, the indices into :attr:`sentences` of its sentences, in order."""
        where = {s: i for i, s in enumerate(self.sentences)}
        return tuple(tuple(where[s] for s in passage_sentences(p)) for p in self.passages)

    @property
    def sections(self) -> tuple[str, ...]:
        """Section titles in reading order, each once."""
        return tuple(dict.fromkeys(p.section for p in self.passages))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object printed by ``hccqa corpus --json``."""
        return {
            "sha256": self.sha256,
            "files": list(self.files),
            "skipped": [{"path": f.path, "reason": f.reason} for f in self.skipped],
            "passages": [p.to_dict() for p in self.passages],
            "rows": [r.to_dict() for r in self.rows],
            "tables": [
                {"id": t.id, "title": t.title, "columns": [[c.name, c.kind] for c in t.columns]}
                for t in self.tables
            ],
            "table_titles": dict(self.table_titles),
            "glossary": dict(self.glossary),
            "references": {str(n): r.to_dict() for n, r in sorted(self.references.items())},
        }


def passage_sentences(passage: Passage) -> list[str]:
    """The sentences of a passage (a table row's passage is one)."""
    if passage.kind == "row":
        return [passage.text]
    return [s for a, b in split_sentences(passage.text) if (s := passage.text[a:b].strip())]


def estimate_tokens(text: str) -> int:
    """An estimate of the word pieces of ``text``, above the real count for English prose.

    One piece per punctuation mark, and ``1 + len // 4`` per word or number, which
    over-counts the WordPiece split of long scientific words; it counts too few for runs
    of letters and digits ("NCT00816829", gene variants) and for scripts such as CJK.
    """
    return sum(1 + len(t) // 4 if t[0].isalnum() else 1 for t in _TOKENS.findall(text))


def token_counter(tokenizer: Any | None) -> TokenCounter:
    """A word-piece counter: a tokenizer's ``tokenize``, a callable, or :func:`estimate_tokens`."""
    if tokenizer is None:
        return estimate_tokens
    if hasattr(tokenizer, "tokenize"):
        return lambda s: len(tokenizer.tokenize(s))
    if callable(tokenizer):
        return tokenizer
    raise CorpusError(
        f"tokenizer must have .tokenize or be callable, got {type(tokenizer).__name__}"
    )


def fit_sentences(
    spans: list[tuple[int, int]], text: str, *, count: TokenCounter, max_tokens: int
) -> list[tuple[int, int]]:
    """Cut only the sentences longer than ``max_tokens`` word pieces, at clause boundaries.

    A sentence that alone exceeds the model window would be truncated when embedded;
    such run-ons (long lists of statistics) are cut after ``;`` or ``,`` so that every
    piece fits. A clause that alone is too long (text without punctuation: a pasted
    sequence, a list of words) is cut between words, and a word too long for the window
    into runs of characters: no piece is longer than the window, so the work of a
    question over it stays bounded. Sentences that fit are returned untouched.
    """
    fitted: list[tuple[int, int]] = []

    def small(a: int, b: int) -> bool:
        # (and at most MAX_CHARS_PER_PIECE characters per word piece allowed: a counter may
        # see no piece in a run of symbols, "____")
        return b - a <= _chars(max_tokens) and count(text[a:b]) <= max_tokens

    for start, end in spans:
        if small(start, end):
            fitted.append((start, end))
            continue
        ends = [m.start() + 1 for m in _CLAUSE_END.finditer(text, start, end)] + [end]
        piece, fits = start, None  # fits: the furthest clause end that keeps the piece small
        for e in ends:
            if small(piece, e):
                fits = e
                continue
            if fits is not None:
                fitted.append((piece, fits))
                piece = fits + 1
            if small(piece, e):
                fits = e
            else:  # one clause alone is too long: cut between words
                fitted += _fit_words(text, piece, e, count=count, max_tokens=max_tokens)
                piece, fits = e + 1, None
        if piece < end:
            fitted.append((piece, end))
        log.debug("cut a sentence of %d word pieces into clauses", count(text[start:end]))
    return fitted


def _fit_words(
    text: str, start: int, end: int, *, count: TokenCounter, max_tokens: int
) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` cut between words so that each fits ``max_tokens``
    word pieces (counted word by word); a word that alone does not fit is cut into runs
    of ``max_tokens`` characters (halved until one fits)."""
    out: list[tuple[int, int]] = []
    first = last = -1  # the piece being filled: its first word's start, last word's end
    held = 0
    for m in _WORD_RUN.finditer(text, start, end):
        a, b = m.span()
        # (a word longer than the window allows in characters counts as too long)
        n = count(text[a:b]) if b - a <= _chars(max_tokens) else max_tokens + 1
        if first >= 0 and (
            held + n > max_tokens or n > max_tokens or b - first > _chars(max_tokens)
        ):
            out.append((first, last))
            first, held = -1, 0
        if n > max_tokens:
            out += _fit_chars(text, a, b, count=count, max_tokens=max_tokens)
            continue
        if first < 0:
            first = a
        last, held = b, held + n
    if first >= 0:
        out.append((first, last))
    return out


MAX_CHARS_PER_PIECE = 16  # characters per word piece a sentence may hold at most


def _chars(max_tokens: int) -> int:
    return MAX_CHARS_PER_PIECE * max(max_tokens, 1)


def _fit_chars(
    text: str, start: int, end: int, *, count: TokenCounter, max_tokens: int
) -> list[tuple[int, int]]:
    """``text[start:end]`` (one word) in runs of at most ``max_tokens`` characters, each
    shortened until it fits ``max_tokens`` word pieces (one character at the least)."""
    out: list[tuple[int, int]] = []
    width = max(1, max_tokens)
    while start < end:
        stop = min(end, start + width)
        while stop - start > 1 and (
            count(text[start:stop]) > max_tokens or stop - start > _chars(max_tokens)
        ):
            width = max(1, width // 2)
            stop = start + width
        out.append((start, stop))
        start = stop
    return out


def chunk_sentences(
    spans: list[tuple[int, int]],
    text: str,
    *,
    count: TokenCounter,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    overlap: int = DEFAULT_OVERLAP,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> list[tuple[int, int]]:
    """Group sentence spans into windows ``(first, last_exclusive)`` of sentence indices.

    A window holds up to ``max_sentences`` sentences and at most ``max_tokens`` word
    pieces (a longer single sentence stands alone: sentences are never cut); the next
    window starts ``overlap`` sentences before the end of this one.
    """
    if max_sentences < 1 or not 0 <= overlap < max_sentences:
        raise CorpusError(
            f"passage size must be >= 1 sentence and overlap in [0, size), "
            f"got size={max_sentences} overlap={overlap}"
        )
    windows: list[tuple[int, int]] = []
    i, n = 0, len(spans)
    while i < n:
        j = i + 1
        while (
            j < n and j - i < max_sentences and count(text[spans[i][0] : spans[j][1]]) <= max_tokens
        ):
            j += 1
        if windows and j <= windows[-1][1]:
            i = windows[-1][1]  # the overlap left no room: this window adds nothing new
            continue
        if j == i + 1 and count(text[spans[i][0] : spans[i][1]]) > max_tokens:
            log.warning("a sentence of more than %d word pieces stands alone", max_tokens)
        windows.append((i, j))
        if j >= n:
            break
        i = max(i + 1, j - overlap)
    return windows


def document_passages(
    raw: str,
    doc_id: str,
    *,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    overlap: int = DEFAULT_OVERLAP,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    tokenizer: Any | None = None,
    sections: tuple[tuple[int, str], ...] = (),
    pages: tuple[int, ...] = (),
) -> tuple[list[Passage], list[str], list[str]]:
    """Passages of one raw document, plus its cleaned paragraphs and footnotes.

    Args:
        raw: The document text.
        doc_id: Its id (passage ids are ``<doc_id>:p000``, ...).
        max_sentences: Most sentences per passage.
        overlap: Sentences shared by consecutive passages of a paragraph.
        max_tokens: Most word pieces per passage.
        tokenizer: Optional tokenizer (with ``.tokenize``) or a ``str -> int`` counter.
        sections: ``(offset, title)`` of headings known from the file format (Markdown);
            the text from each offset on is read under that title.
        pages: Offsets where pages 1, 2, ... begin (PDF); each passage gets its page.

    Returns:
        ``(passages, paragraph_texts, footnote_texts)``.
    """
    count = token_counter(tokenizer)
    lexicon = Lexicon.from_text(raw)
    document = Document(raw, sections, pages)
    passages: list[Passage] = []
    paragraphs: list[str] = []
    footnotes: list[str] = []
    notes: list[tuple[int, int, str]] = []
    for part_start, part_end, heading in _parts(raw, sections):
        layout = read_layout(raw[part_start:part_end])
        for found, a, b in layout.paragraphs:
            start, end = part_start + a, part_start + b
            text, offsets = clean_with_map(raw[start:end], lexicon)
            if not text:
                continue
            paragraphs.append(text)
            spans = fit_sentences(split_sentences(text), text, count=count, max_tokens=max_tokens)
            windows = chunk_sentences(
                spans,
                text,
                count=count,
                max_sentences=max_sentences,
                overlap=overlap,
                max_tokens=max_tokens,
            )
            for first, last in windows:
                a, b = spans[first][0], spans[last - 1][1]
                chunk = text[a:b]
                passages.append(
                    Passage(
                        id=f"{doc_id}:p{len(passages):03d}",
                        doc_id=doc_id,
                        section=found or heading,
                        text=chunk,
                        refs=cited_numbers(chunk),
                        start=start + offsets[a],
                        end=start + offsets[b - 1] + 1,
                        page=document.page_at(start + offsets[a]),
                    )
                )
        for a, b in layout.footnotes:
            note = clean(raw[part_start + a : part_start + b], lexicon)
            footnotes.append(note)
            notes.append((part_start + a, part_start + b, note))
    # a footnote of abbreviations is a passage of its own, after the paragraphs (whose ids
    # stay as they were): it answers what a short form stands for (see Passage.kind)
    for start, end, note in notes:
        passages.append(
            Passage(
                id=f"{doc_id}:p{len(passages):03d}",
                doc_id=doc_id,
                section=GLOSSARY_SECTION,
                text=note,
                start=start,
                end=end,
                kind="glossary",
                page=document.page_at(start),
            )
        )
    return passages, paragraphs, footnotes


def _parts(raw: str, sections: tuple[tuple[int, str], ...]) -> list[tuple[int, int, str]]:
    """``(start, end, heading)`` spans of ``raw``: the text before the first heading, then
    the text under each heading."""
    # by offset only, stable: of headings at one offset the last (nearest the text) wins
    ordered = sorted(sections, key=lambda s: s[0])
    bounds = [(0, "")] + [(max(0, min(o, len(raw))), t) for o, t in ordered]
    parts = []
    for i, (start, title) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(raw)
        if end > start:
            parts.append((start, end, title))
    return parts


def build_references(
    texts: list[str],
    tables: Sequence[Table],
    *,
    listed: Sequence[Mapping[int, tuple[str | None, int | None]]] = (),
) -> dict[int, Reference]:
    """Reference number -> author, year and table rows, from narrative texts and tables.

    Table rows give author and year first (a row's year only in a table of works: a
    column of authors or headed so, and a title or headers naming works); the text adds
    authors ("Smith et al[7]") and years ("In 2001, Smith et al[7]") it names, then the
    documents' lists of references (``listed``, one mapping per document, see
    :func:`~hccqa.corpus.readers.reference_entries`) where every list giving the number
    agrees (two documents' "[1]" may be two works); every cited number gets an entry.
    """
    rows = [r for t in tables for r in t.rows if r.ref is not None]
    labels = {t.id: t.label for t in tables}
    # tables of works: a column of authors ("Smith et al") or one headed so, in a table
    # whose title or headers say it lists works ("Studies on ...", "Field trials of ...");
    # a table of eruptions with a column of the authors who studied them dates eruptions
    of_works = {
        t.id
        for t in tables
        if any(c.kind == "author" or _AUTHOR_HEADER.fullmatch(c.name.strip()) for c in t.columns)
        and _WORKS.search(" ".join([t.title, *(c.name.replace("_", " ") for c in t.columns)]))
    }
    numbers: set[int] = {r.ref for r in rows if r.ref is not None}
    named: dict[int, tuple[str | None, int | None]] = {}
    for text in texts:
        numbers.update(cited_numbers(text))
        for n, found in find_authors(text).items():
            named.setdefault(n, found)
    agreed: dict[int, set[tuple[str | None, int | None]]] = {}
    for entries in listed:
        for n, entry in entries.items():
            agreed.setdefault(n, set()).add(entry)
    for n, works in agreed.items():
        if len(works) == 1:
            author, year = next(iter(works))
            text_author, text_year = named.get(n, (None, None))
            # the text's author first ("Moor et al[1]"), the list's year when it gives none
            named[n] = (text_author or author, text_year if text_year is not None else year)
    references: dict[int, Reference] = {}
    for n in sorted(numbers):
        carrying = [r for r in rows if r.ref == n]
        author, year = named.get(n, (None, None))
        if carrying:
            # a row's year dates the work only in a table of works (a study, "Smith et
            # al, 2011"); a row of other things has years of its own (a tower built in
            # 1611 is no work of 1611)
            author = carrying[0].author or author
            if carrying[0].table in of_works and carrying[0].year is not None:
                year = carrying[0].year
        tables_of = tuple(dict.fromkeys(labels[r.table] for r in carrying))
        references[n] = Reference(n, author, year, tuple(r.id for r in carrying), tables_of)
    return references


def row_passages(tables: Sequence[Table]) -> list[Passage]:
    """One passage per table row: the row as a printed line, in the table's section.

    A row is then found by the same retrieval as the text ("which study tied X to Y"
    lands on the row itself), and a quote of it cites the row.
    """
    return [
        Passage(
            id=r.id,
            doc_id=t.id,
            section=f"{t.label}: {t.title}",
            text=r.text,
            refs=cited_numbers(r.text),
            kind="row",
        )
        for t in tables
        for r in t.rows
    ]


def load_folder(
    path: str | Path,
    *,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    overlap: int = DEFAULT_OVERLAP,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    tokenizer: Any | None = None,
) -> Corpus:
    """Load every ``.txt``, ``.md`` and ``.pdf`` document under a folder, and its tables.

    Documents are found recursively; a document's id is its path relative to the
    folder without the suffix (``notes/trial.pdf`` -> ``notes/trial``). A file that
    cannot be read, and a file of another type, is logged as a warning with the reason
    and listed in :attr:`Corpus.skipped`; the other files are still loaded. Hidden files,
    ``chat.json`` (the web page texts) and ``gold/*.jsonl`` (gold sets) are not indexed.

    Args:
        path: The folder.
        max_sentences: Most sentences per passage.
        overlap: Sentences shared by consecutive passages of a paragraph.
        max_tokens: Most word pieces per passage (by ``tokenizer`` or the estimate).
        tokenizer: Optional tokenizer (with ``.tokenize``) or a ``str -> int`` counter.

    Raises:
        CorpusError: the folder is missing or no document in it has text (each skipped
            file is named with the reason). A malformed table file is skipped like an
            unreadable document, with its line.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CorpusError(no_folder("corpus folder", folder, CORPUS_FOLDER_HINT))
    found = discover(folder)
    skipped = list(found.skipped)
    passages: list[Passage] = []
    texts: list[str] = []
    footnotes: list[str] = []
    entries: list[dict[int, tuple[str | None, int | None]]] = []  # per document
    used: list[str] = []
    for relative, doc_id in found.documents:
        try:
            document = read_document(folder / relative)
        except CorpusError as exc:
            skipped.append(Skipped(relative, _reason(str(exc), folder / relative)))
            continue
        document, listed = split_references(document)  # its entries are no passages
        entries.append(reference_entries(listed))
        doc_passages, doc_texts, doc_notes = document_passages(
            document.text,
            doc_id,
            max_sentences=max_sentences,
            overlap=overlap,
            max_tokens=max_tokens,
            tokenizer=tokenizer,
            sections=document.sections,
            pages=document.pages,
        )
        if not any(p.kind == "text" for p in doc_passages):  # a footnote alone is no text
            why = (
                "only a list of references (it labels citations; no text to quote)"
                if listed
                else None
            )
            skipped.append(Skipped(relative, why or "no text found; the file is empty or blank"))
            continue
        used.append(relative)
        passages.extend(doc_passages)
        texts.extend(doc_texts)
        footnotes.extend(doc_notes)
    loaded, tables = _read_tables(folder, found.tables, skipped)
    for item in sorted(skipped, key=lambda f: f.path):
        skip_log.warning("skipped %s in %s: %s", item.path, folder, item.reason)
    if not passages and not any(tb.rows for tb in loaded):
        why = "; ".join(str(f) for f in skipped) or (
            "it holds no .txt, .md or .pdf file, and no .tsv or .csv table with rows"
        )
        raise CorpusError(f"no readable document in corpus folder {str(folder)!r}: {why}")
    rows = [r for tb in loaded for r in tb.rows]
    digest = hashlib.sha256()
    for relative in [*used, *tables]:
        data = (folder / relative).read_bytes()
        digest.update(relative.encode() + b"\0" + data + b"\0")
    log.info(
        "loaded %d documents, %d passages, %d rows from %s",
        len(used),
        len(passages),
        len(rows),
        folder,
    )
    return Corpus(
        passages=tuple(passages) + tuple(row_passages(loaded)),
        tables=loaded,
        glossary=build_glossary(footnotes, texts),
        references=build_references(texts, loaded, listed=entries),
        sha256=digest.hexdigest(),
        files=(*used, *tables),
        skipped=tuple(sorted(skipped, key=lambda f: f.path)),
    )


def _read_tables(
    folder: Path, relatives: Sequence[str], skipped: list[Skipped]
) -> tuple[tuple[Table, ...], list[str]]:
    """The folder's tables that read cleanly, and their paths; a malformed one, or a
    second table with an id already read, is added to ``skipped`` with the reason."""
    tables: list[Table] = []
    used: list[str] = []
    seen: dict[str, str] = {}
    for relative in relatives:
        try:
            table = read_table(folder / relative)
        except CorpusError as exc:
            skipped.append(Skipped(relative, _reason(str(exc), folder / relative)))
            continue
        if table.id in seen:
            why = f"a table named {table.id!r} is already read from {seen[table.id]}"
            skipped.append(Skipped(relative, f"{why}; rename one of the files"))
            continue
        seen[table.id] = relative
        tables.append(table)
        used.append(relative)
    return tuple(tables), used


def _reason(message: str, path: Path) -> str:
    """The reason part of a reader's error, the file being named apart ("line 3: ...")."""
    message = message.removeprefix("cannot read corpus file ")
    if not message.startswith(str(path)):
        return message
    rest = message[len(str(path)) :]
    line = re.match(r":(\d+): ", rest)
    return f"line {line.group(1)}: {rest[line.end() :]}" if line else rest.removeprefix(": ")


def load_corpus(
    path: str | Path | None = None,
    *,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    overlap: int = DEFAULT_OVERLAP,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    tokenizer: Any | None = None,
) -> Corpus:
    """Load a corpus folder (see :func:`load_folder`); by default the packaged review.

    Raises:
        CorpusError: the folder is missing or unreadable, or a table file is malformed.
    """
    if path is None:
        from ..locations import packaged_corpus_dir

        path = packaged_corpus_dir()
    return load_folder(
        path,
        max_sentences=max_sentences,
        overlap=overlap,
        max_tokens=max_tokens,
        tokenizer=tokenizer,
    )
