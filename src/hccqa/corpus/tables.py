"""The review's tables: curated data files in ``corpus/``, and table lines in the raw text.

The raw text does not mark column boundaries, so Table 1 and Table 2 were curated by
hand into ``corpus/table1.tsv`` and ``corpus/table2.tsv``: a ``# title: ...`` line, a
header line, then one tab-separated row per line. A test checks every row against
the review. :func:`table_line_kind` recognizes table lines in raw text so the loader
can take them out of the narrative.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import CorpusError
from ..types import TableRow

log = logging.getLogger(__name__)

TABLES = ("table1", "table2")
COLUMNS = {
    "table1": ("ref", "author", "year", "phase", "drug", "outcome"),
    "table2": ("ref", "author", "year", "drug", "pathway", "effect"),
}

_TITLE_LINE = re.compile(r"^\s*Table \d+\s{2,}\S")
_HEADER_LINE = re.compile(r"^\s*Ref\.\s+Year\b")
_ROW_LINE = re.compile(r"^\s*\S.*? et al\s?\[\d+\]\s+(?:19|20)\d{2}\b")


def table_line_kind(line: str) -> str | None:
    """``"title"``, ``"header"`` or ``"row"`` when ``line`` belongs to a table, else None."""
    if _TITLE_LINE.match(line):
        return "title"
    if _HEADER_LINE.match(line):
        return "header"
    if _ROW_LINE.match(line):
        return "row"
    return None


def load_tables(
    source: str | Path | Iterable[Path],
) -> tuple[tuple[TableRow, ...], dict[str, str]]:
    """Read table files: the given ``.tsv`` paths, or a folder's ``table1.tsv`` and ``table2.tsv``.

    Args:
        source: The table files (the corpus loader passes the ones it found), or a
            folder whose table files are read when present.

    Returns:
        ``(rows, titles)``: rows in file order, titles keyed by ``"table1"``/``"table2"``.

    Raises:
        CorpusError: a file is unreadable, is not a known table, or a line is malformed
            (file and line named).
    """
    if isinstance(source, str | Path):
        paths = [p for t in TABLES if (p := Path(source) / f"{t}.tsv").exists()]
    else:
        paths = sorted(source, key=lambda p: TABLES.index(p.stem) if p.stem in TABLES else 99)
    rows: list[TableRow] = []
    titles: dict[str, str] = {}
    for path in paths:
        table = path.stem
        if table not in COLUMNS:
            known = ", ".join(f"{t}.tsv" for t in TABLES)
            raise CorpusError(f"{path}: not a known table file ({known})")
        title, table_rows = _read_table(path, table)
        titles[table] = title
        rows.extend(table_rows)
    return tuple(rows), titles


def table_files(folder: str | Path) -> list[Path]:
    """The table data files present in ``folder``."""
    return [p for t in TABLES if (p := Path(folder) / f"{t}.tsv").exists()]


def _read_table(path: Path, table: str) -> tuple[str, list[TableRow]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read table file {path}: {exc}") from exc
    columns = COLUMNS[table]
    title = ""
    header_seen = False
    rows: list[TableRow] = []
    seen: set[int] = set()
    for lineno, line in enumerate(lines, start=1):
        where = f"{path}:{lineno}"
        if not line.strip():
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip() == "title":
                title = value.strip()
            continue
        cells = [c.strip() for c in line.split("\t")]
        if not header_seen:
            if tuple(cells) != columns:
                raise CorpusError(
                    f"{where}: header must be {' <tab> '.join(columns)}, got {line!r}"
                )
            header_seen = True
            continue
        if len(cells) != len(columns) or not all(cells):
            raise CorpusError(
                f"{where}: expected {len(columns)} non-empty tab-separated cells "
                f"({', '.join(columns)}), got {len(cells)}"
            )
        values = dict(zip(columns, cells, strict=True))
        if not values["ref"].isdigit() or not re.fullmatch(r"(?:19|20)\d{2}", values["year"]):
            raise CorpusError(
                f"{where}: ref must be a number and year a 4-digit year, got {line!r}"
            )
        ref = int(values.pop("ref"))
        if ref in seen:
            raise CorpusError(f"{where}: reference {ref} occurs twice in {table}")
        seen.add(ref)
        year = int(values.pop("year"))
        rows.append(TableRow(id=f"{table}:{ref}", table=table, ref=ref, year=year, **values))
    if not title:
        raise CorpusError(f"{path}:1: missing '# title: ...' line; add the table's title")
    if not header_seen:
        raise CorpusError(f"{path}: no header line {' <tab> '.join(columns)}")
    log.debug("read %d rows from %s", len(rows), path)
    return title, rows
