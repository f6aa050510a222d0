"""Tables and rows made in memory for unit tests, typed the way the loader types them."""

from __future__ import annotations

from collections.abc import Sequence

from hccqa.corpus.tables import column_kinds
from hccqa.types import Table, TableRow


def make_table(
    table_id: str, header: Sequence[str], rows: Sequence[Sequence[str]], title: str = "Trials"
) -> Table:
    """A table whose column kinds are read from the values, as ``read_table`` reads them."""
    columns = column_kinds(header, rows)
    kinds = {c.kind: c.name for c in reversed(columns)}
    refs = bool(rows) and all(values[0].isdigit() for values in rows)
    built = []
    for values in rows:
        cells = tuple((c.name, v) for c, v in zip(columns, values, strict=True))
        by_name = dict(cells)
        year = by_name.get(kinds["year"]) if "year" in kinds else None
        built.append(
            TableRow(
                id=f"{table_id}:{values[0]}",
                table=table_id,
                key=values[0],
                cells=cells,
                ref=int(values[0]) if refs else None,
                author=by_name.get(kinds["author"]) if "author" in kinds else None,
                year=int(year) if year else None,
            )
        )
    return Table(table_id, title, columns, tuple(built))


def make_row(table_id: str, **cells: str) -> TableRow:
    """One row of a one-row table: ``make_row("trials", ref="7", author="Smith et al", ...)``."""
    header = list(cells)
    return make_table(table_id, header, [[cells[h] for h in header]]).rows[0]


# A document with a printed table and its footnote of abbreviations, as a reader of the
# layout sees them ("Table N  Title", "Author et al[n] year ..." rows, "ABC: long; ...").
KITE_NOTES = """Kite flights

Ng et al[4] showed that a CSK lifts early in the morning. Later flights were calmer.

Table 1  Flights of coastal kites
Ng et al[4] 2001 bamboo calm
Ode et al[5] 2003 carbon gusty

CSK: Cotton sled kite; DLK: Delta light kite.

A DLK flown at dusk stayed up longest. Kites need steady wind.
"""
