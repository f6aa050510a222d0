"""Tables: tab- or comma-separated data files beside the documents, and table lines in
raw text.

A table is any ``*.tsv`` (or ``*.csv``) file of the corpus folder: a ``# title: ...``
line, a header row naming the columns, then one row per line, its cells separated by
tabs (by commas, a cell holding one quoted as spreadsheets write it). The table id is the
file's stem. A cell may be empty, or hold a mark of a missing value (``-``, ``NA``, ``?``:
:data:`MISSING`); the key may not. Nothing about a table's columns is known in advance;
their kinds are read from the values present (:func:`column_kinds`):

- the first column is the row's key; when every key is a whole number, the keys are
  reference numbers, cited in the text as ``[n]``;
- a column of four-digit years is a ``year`` column (row filters read year ranges), and
  so is a column headed "year", or by an event that dates a row ("built", "founded",
  "start"), of whole numbers, half of them four-digit years ("-50" for 50 BCE beside
  "1998"; "age_years" is no such header); the first dates the row;
- a column whose cells are mostly first-author citations ("Smith et al") is the
  ``author`` column (citations are labelled with it);
- other all-numeric columns are ``number``; the rest ``text``.

:func:`table_line_kind` recognizes table lines in raw text, so that the loader can take
printed tables out of the narrative.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import CorpusError
from ..types import Column, Table, TableRow
from .readers import TABLE_SUFFIXES

log = logging.getLogger(__name__)

_TITLE_LINE = re.compile(r"^\s*Table \d+\s{2,}\S")
_HEADER_LINE = re.compile(r"^\s*Ref\.\s+Year\b")
_ROW_LINE = re.compile(r"^\s*\S.*? et al\s?\[\d+\]\s+(?:19|20)\d{2}\b")
_YEAR = re.compile(r"(?:1[89]|20|21)\d{2}")
_WHOLE = re.compile(r"[-+]?\d+")
_YEAR_HEADER = re.compile(r"\s*(?:years?|yrs?)\s*", re.IGNORECASE)  # the whole header, English
# a header that dates its rows by an event (English): "built", "founded", "start_year"
_DATING_HEADER = re.compile(
    r"(?:^|[\s_-])(?:built|founded|opened|established|erected|constructed|completed|"
    r"started|start|began|begun|ended|end|finished|closed|born|birth|died|death|launched|"
    r"released|published|discovered|date|dated|(?:start|end)_?year)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
# what a cell holds when the value is missing (as typed: "Na" is sodium, "NA" is none)
MISSING = frozenset({"", "-", "\u2013", "\u2014", "?", "NA", "N/A", "n/a", "N.A.", "n.a.", "..."})
_ANY_YEAR = re.compile(r"(?:1\d|20|21)\d{2}")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d+)?")
_AUTHOR = re.compile(r"\bet al\.?$")


def table_line_kind(line: str) -> str | None:
    """``"title"``, ``"header"`` or ``"row"`` for a line of a printed table, else None."""
    if _TITLE_LINE.match(line):
        return "title"
    if _HEADER_LINE.match(line):
        return "header"
    if _ROW_LINE.match(line):
        return "row"
    return None


def column_kinds(header: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[Column, ...]:
    """The columns of a table, each with the kind its values show (see the module doc).

    Examples:
        >>> [c.kind for c in column_kinds(["id", "when", "who", "n"],
        ...     [["1", "2001", "Ng et al", "12"], ["2", "1999", "Ode et al", "7"]])]
        ['key', 'year', 'author', 'number']
    """
    columns: list[Column] = []
    author_seen = False
    for i, name in enumerate(header):
        values = [r[i] for r in rows if r[i] not in MISSING]  # (a missing value
        # says nothing of its column's kind)
        if i == 0:
            kind = "key"
        elif values and (
            all(_YEAR.fullmatch(v) for v in values)
            or (
                (_YEAR_HEADER.fullmatch(name) or _DATING_HEADER.search(name))
                and all(_WHOLE.fullmatch(v) for v in values)
                and 2 * sum(bool(_ANY_YEAR.fullmatch(v)) for v in values) >= len(values)
            )
        ):
            kind = "year"
        elif values and all(_NUMBER.fullmatch(v) for v in values):
            kind = "number"
        elif (
            not author_seen
            and values
            and 2 * sum(bool(_AUTHOR.search(v)) for v in values) > len(values)
        ):
            kind, author_seen = "author", True
        else:
            kind = "text"
        columns.append(Column(name, kind))
    return tuple(columns)


def table_files(folder: str | Path) -> list[Path]:
    """The table data files of ``folder`` and its subfolders, sorted by path."""
    return sorted(
        p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
    )


def _records(path: Path, text: str, comma: bool) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records of a table file, each with the line it starts on and its
    cells: a line split at its tabs, or a comma-separated record as a spreadsheet writes
    it (a quoted cell may hold commas, quotes doubled and line breaks).

    Raises:
        CorpusError: a record the csv module cannot read (a cell over its size limit).
    """
    if not comma:
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield lineno, [c.strip() for c in line.split("\t")]
        return
    reader = csv.reader(text.splitlines(keepends=True))
    start = 1
    try:
        for record in reader:
            if any(c.strip() for c in record):
                yield start, [c.strip() for c in record]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CorpusError(f"{path}:{start}: not a readable comma-separated record ({exc})") from exc


def load_tables(source: str | Path | Iterable[Path]) -> tuple[Table, ...]:
    """Read table files: the given ``.tsv`` paths, or every table file of a folder
    (see :func:`table_files`).

    Raises:
        CorpusError: a file is unreadable or malformed, or two tables share an id
            (file and line named).
    """
    tables: list[Table] = []
    seen: dict[str, Path] = {}
    paths = table_files(source) if isinstance(source, str | Path) else sorted(source)
    for path in paths:
        table = read_table(path)
        if table.id in seen:
            raise CorpusError(
                f"{path}: a table named {table.id!r} is already read from {seen[table.id]}; "
                "rename one of the files"
            )
        seen[table.id] = path
        tables.append(table)
    return tuple(tables)


def read_table(path: Path, table_id: str | None = None) -> Table:
    """Read one table file.

    Args:
        path: The ``.tsv`` or ``.csv`` file.
        table_id: The table id; the file's stem when omitted.

    Raises:
        CorpusError: unreadable file, missing title or header, a row with the wrong
            number of cells or an empty key, or a key that occurs twice.
    """
    table_id = table_id or path.stem
    try:
        # ("utf-8-sig": a byte order mark, as spreadsheet programs write, is not text)
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read table file {path}: {exc}") from exc
    comma = path.suffix.lower() == ".csv"
    separated = "comma-separated" if comma else "tab-separated"
    title = ""
    header: list[str] | None = None
    cells: list[list[str]] = []
    seen: set[str] = set()
    for lineno, row in _records(path, text, comma):
        where = f"{path}:{lineno}"
        if header is None and row[0].startswith("#"):
            # a comment before the header: "# title: ..." names the table (a comma in
            # a title of a comma-separated file parted it)
            key, _, value = ", ".join(row)[1:].partition(":")
            if key.strip().lower() == "title":
                title = value.strip()
            continue
        if header is None:
            if len(row) < 2 or not all(row) or len(set(row)) != len(row):
                typed = ("," if comma else "\t").join(row)
                raise CorpusError(
                    f"{where}: the header must name two or more distinct columns, "
                    f"{separated}; got {typed!r}"
                )
            header = row
            continue
        if len(row) == 1 and row[0].startswith("#"):
            continue  # a comment among the rows (a key starting with "#" has cells after it)
        if len(row) != len(header):
            raise CorpusError(
                f"{where}: expected {len(header)} {separated} cells "
                f"({', '.join(header)}), got {len(row)}"
            )
        if not row[0]:
            raise CorpusError(f"{where}: the key ({header[0]}, the first cell) is empty")
        if row[0] in seen:
            raise CorpusError(f"{where}: key {row[0]!r} occurs twice in {path.name}")
        seen.add(row[0])
        cells.append(row)
    if not title:
        raise CorpusError(f"{path}:1: missing '# title: ...' line; add the table's title")
    if header is None:
        raise CorpusError(f"{path}: no header line; add a {separated} line naming the columns")
    columns = column_kinds(header, cells)
    kinds = {c.kind: c.name for c in reversed(columns)}
    refs = bool(cells) and all(values[0].isdigit() for values in cells)
    rows = tuple(_row(table_id, columns, values, kinds, refs=refs) for values in cells)
    log.debug("read %d rows from %s", len(rows), path)
    return Table(table_id, title, columns, rows)


def _row(
    table_id: str,
    columns: Sequence[Column],
    values: Sequence[str],
    kinds: dict[str, str],
    *,
    refs: bool,
) -> TableRow:
    pairs = tuple((c.name, v) for c, v in zip(columns, values, strict=True))
    by_name = dict(pairs)
    key = values[0]
    year = by_name.get(kinds["year"], "") if "year" in kinds else ""
    return TableRow(
        id=f"{table_id}:{key}",
        table=table_id,
        key=key,
        cells=pairs,
        ref=int(key) if refs else None,
        author=by_name.get(kinds["author"]) if "author" in kinds else None,
        year=int(year) if _WHOLE.fullmatch(year) else None,
    )
