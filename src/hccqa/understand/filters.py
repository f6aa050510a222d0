"""Row filters: the structured constraints a question puts on table rows.

A :class:`RowFilter` is read from the entities a question mentions (each names a
column value and the rows holding it), the years it names, and the table it points
at. A row passes when it satisfies every constraint: within one column any of the
mentioned values, across columns all of them; a combination asked for ("X plus Y") is a
constraint of its own, beside the plain values of its column. Pure and independent of
any corpus: the columns are whatever the tables' headers call them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..types import TableRow, table_label
from .bounds import as_number, numeric_bounds
from .compare import comparison_start
from .keys import named_keys
from .lexicon import Lexicon, Mention
from .words import STOPWORDS, Token, content_stems, parts, stem

# A count or an amount is not a year: "2000 patients", "1200 mg", "1900 %". The words are
# English units and count nouns, not facts of any corpus.
_COUNTED = (
    r"percent|mg|mcg|µg|ug|g|kg|ml|l|iu|units?|doses?|times|patients?|people|persons?|"
    r"participants?|subjects?|individuals?|cases?|volunteers?|adults?|children|men|women|"
    r"mice|rats|animals?|cells?|samples?|specimens?|tumou?rs?|genes?|proteins?"
)


def _year(early: bool) -> str:
    # a year from 1800 (from 1000 when the corpus dates rows so early), not a count or a share
    digits = r"(?:1\d|20|21)\d{2}" if early else r"(?:1[89]|20|21)\d{2}"
    return rf"{digits}(?!\d|\s*(?:{_COUNTED})\b|\s*%)"


def _year_patterns(early: bool) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A range, an open start and an open end of years, each after its year words."""
    y = _year(early)
    return (
        re.compile(
            rf"(?:between|from)\s+({y})\s+(?:and|to|until|till|-)\s+({y})|"
            rf"({y})\s*(?:-|–|—|to|until)\s*({y})",
            re.IGNORECASE,
        ),
        re.compile(
            rf"\b(since|after|starting|beginning|later than|newer than|more recent than|post)"
            rf"\s+(?:in\s+)?({y})|"
            rf"({y})\s+(?:or|and)\s+(?:later|after|since|newer|onwards?)|({y})\s+onwards?",
            re.IGNORECASE,
        ),
        re.compile(
            rf"\b(before|until|till|up to|prior to|earlier than|older than|pre)\s+({y})|"
            rf"({y})\s+(?:or|and)\s+(?:earlier|before)",
            re.IGNORECASE,
        ),
    )


_RANGE, _SINCE, _BEFORE = _year_patterns(early=False)
_EARLY = _year_patterns(early=True)  # "towers built before 1400", of a table dating so early
_ANY_YEAR = re.compile(rf"(?<!\d){_year(early=False)}", re.IGNORECASE)  # a year alone: 1800 on
# an earlier year right after a word that dates (English): "in 1612", "during 1350"; not
# "a crew of 1200", "in 1500 tons" (a count: a plural after it)
_EARLY_YEAR = re.compile(
    rf"\b(?:in|during|circa|c\.|year)\s+({_year(early=True)})(?![\w'\u2019])(?:\s+([a-z]+))?",
    re.IGNORECASE,
)
_YEARISH = re.compile(r"(?:1\d|20|21)\d{2}")  # in every match of the patterns above
_WHOLE_YEAR = re.compile(r"[-+]?\d+")  # a year cell, as corpus.tables reads one
OPEN_END = 9999
OPEN_START = -9999  # "before 1950" reaches back to any year, BCE ones ("-50") too

# A decade or a century (English): "the 1990s", "the 1800s", "the 19th century", "the
# nineteenth century", with the word before it that opens or closes it
_ORDINALS = {
    w: n
    for n, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ],
        start=1,
    )
} | {"twenty-first": 21, "twenty first": 21}
_ORDINAL = rf"(?:(\d{{1,2}})(?:st|nd|rd|th)|({'|'.join(sorted(_ORDINALS, key=len, reverse=True))}))"
_SPAN = re.compile(
    r"\b(?:(since|after|from|before|until|till|prior to|up to|in|during|to|and|through)\s+)?"
    r"(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?"
    # a decade or century ("1000s of beds" is a count); two centuries ("the 19th and 20th
    # centuries")
    rf"(?:(\d{{3}}0)'?s\b(?!\s+of\b)|{_ORDINAL}[\s-]+century\b|"
    rf"{_ORDINAL}\s+(?:and|to|-)\s+{_ORDINAL}\s+centuries\b)"
    # the span opened after it ("the 1990s or later") or closed ("or earlier")
    r"(?:\s+(?:(or later|and later|onwards?|on)|(or earlier|and earlier|or before))\b)?",
    re.IGNORECASE,
)
_CLOSING = frozenset(["to", "until", "till", "and", "through", "up to"])


def _century(number: str | None, ordinal: str | None) -> int:
    return int(number) if number is not None else _ORDINALS[(ordinal or "").lower()]


def _spelled_spans(text: str) -> str:
    """``text`` with decades and centuries written as years.

    A span alone in the question is read whole, opened or closed by the word before or
    after it: "in the 1990s" -> "between 1990 and 1999", "since the 19th century" ->
    "since 1800", "the 1990s or later" -> "since 1990", "before the 1800s" -> "before
    1800". Beside other years each stands for its first year, or its last after a word
    that closes a range: "from the 1990s to 2005" -> "from 1990 to 2005", "between 1985
    and the 1990s" -> "between 1985 and 1999". A year ending in 00s before 2000 is a
    century ("the 1800s"); "the 2000s" is a decade.
    """
    found = list(_SPAN.finditer(text))
    if not found:
        return text
    rest = "".join(
        text[a:b]
        for a, b in zip(
            [0] + [m.end() for m in found], [m.start() for m in found] + [len(text)], strict=True
        )
    )
    alone = len(found) == 1 and not _YEARISH.search(rest)

    def years(m: re.Match[str]) -> str:
        word, decade, n1, o1, n2, o2, n3, o3, later, earlier = m.groups()
        if decade is not None:
            start = int(decade)
            end = start + (99 if start % 100 == 0 and start < 2000 else 9)
        else:
            first = _century(n1, o1) if (n1 or o1) else _century(n2, o2)
            last = _century(n1, o1) if (n1 or o1) else _century(n3, o3)
            if not (1 <= first <= 22 and 1 <= last <= 22):
                return m.group(0)
            start, end = 100 * (min(first, last) - 1), 100 * max(first, last) - 1
        word = (word or "").lower()
        lead = f"{word} " if word else ""
        if not alone:
            return f"{lead}{end if word in _CLOSING else start}"
        if later or word == "since":  # ("from the 1300s" is of them: a span, as "in")
            return f"since {start}"
        if earlier or word in ("until", "till", "up to"):
            return f"up to {end}"
        if word == "after":
            return f"after {end}"
        if word in ("before", "prior to"):
            return f"before {start}"
        return f"between {start} and {end}"

    return _SPAN.sub(years, text)


@dataclass(frozen=True)
class Constraint:
    """Rows whose cell in ``column`` holds one of ``values`` (``combination``: the values
    are the column's combinations, "X plus Y", asked for as such; ``compared``: the rows
    whose cells compare something with one of the values, "... than X", "Y vs X";
    ``bound``: the rows of a column of numbers within the bound ``values[0]`` names,
    "above 50")."""

    column: str
    values: tuple[str, ...]
    rows: frozenset[str]
    combination: bool = False
    compared: bool = False
    bound: bool = False  # a numeric column's rows above or below a number ("above 50")
    extreme: str = ""  # "highest" / "lowest": of the rows chosen, those of that value
    rank: int = 1  # of an extreme, its place from the top ("the second tallest": 2)
    columns: tuple[str, ...] = ()  # of a bound: every table's column its word names
    key: bool = False  # rows named by their key after the key column's word ("ref 12")


@dataclass(frozen=True)
class RowFilter:
    """Constraints read from a question (empty fields constrain nothing).

    Attributes:
        constraints: One per column the question names values of (and one more for a
            combination asked for in that column).
        years: Inclusive year range, e.g. ``(2011, 2013)``; ``9999`` is an open end.
        table: The one table the question points at, if any.
        excluded: Values the question sets aside ("other than X", "except X", "without X",
            "did not use X"): a row holding one does not pass.
        years_aside: Inclusive year range the question sets aside ("not from 2013",
            "excluding those from 2011"): a row dated within it does not pass.
        year_column: The year column ``years`` and ``years_aside`` are of, when the
            question names one of a table's several (:func:`dated_by`); None: the row's
            year.
    """

    constraints: tuple[Constraint, ...] = ()
    years: tuple[int, int] | None = None
    table: str | None = None
    excluded: tuple[Constraint, ...] = ()
    years_aside: tuple[int, int] | None = None
    year_column: str | None = None  # of a table of several, the one the years are of

    @property
    def specific(self) -> bool:
        """True when some value or year narrows the rows (a table alone does not)."""
        return bool(self.constraints or self.years or self.excluded or self.years_aside)

    def passes(self, row: TableRow) -> bool:
        """True when the row satisfies every constraint."""
        if self.table and row.table != self.table:
            return False
        if self.years and not _dated_within(row, self.years, self.year_column):
            return False
        if self.sets_aside(row):
            return False
        return all(row.id in c.rows for c in self.constraints)

    def sets_aside(self, row: TableRow) -> bool:
        """The question sets the row aside: it holds a value set aside, or is dated within
        the years set aside."""
        if any(row.id in c.rows for c in self.excluded):
            return True
        return self.years_aside is not None and _dated_within(
            row, self.years_aside, self.year_column
        )

    def select(self, rows: Sequence[TableRow]) -> list[TableRow]:
        """The rows that pass, in table order."""
        return [r for r in rows if self.passes(r)]

    def extremes(self, rows: Sequence[TableRow]) -> list[TableRow]:
        """Of these rows, those holding the highest (lowest) value of each column a
        superlative names ("the longest span": of the rows chosen otherwise)."""
        out = list(rows)
        for c in self.constraints:
            if not c.extreme:
                continue
            names = c.columns or (c.column,)
            valued = [(r, v) for r in out if (v := _value(r, names)) is not None]
            if valued:
                # (the rank-th value of those given, or the last when fewer)
                ranked = sorted({v for _, v in valued}, reverse=c.extreme == "highest")
                best = ranked[min(c.rank, len(ranked)) - 1]
                out = [r for r, v in valued if v == best]
        return out

    def without(self, column: str) -> RowFilter:
        """The same filter without the constraint on one column."""
        return replace(self, constraints=tuple(c for c in self.constraints if c.column != column))

    def describe(self, row: TableRow | None = None) -> str:
        """Human form used in row reasons, e.g. ``"year 2011-2013, drug: X"``; for one
        ``row``, each value list narrowed to the values its cell spells out (a filter
        over two tables names each table's own values)."""

        def values(c: Constraint) -> tuple[str, ...]:
            if row is None:
                return c.values
            cell = dict(row.cells).get(c.column, "").lower()
            held = [v for v in c.values if _spells(cell, v.lower())]
            # of "X" and "X plus Y" both in the cell, the longer says it
            kept = [
                v for v in held if not any(w != v and _spells(w.lower(), v.lower()) for w in held)
            ]
            return tuple(kept) or c.values

        parts: list[str] = []
        dated = self.year_column or "year"
        if self.years:
            parts.append(f"{dated} {_span(self.years)}")
        parts += [
            f"{c.column}: a combination"
            if c.combination
            else f"compared with {' or '.join(values(c))}"
            if c.compared
            else f"{c.column}: {' or '.join(values(c))}"
            for c in self.constraints
        ]
        parts += [f"{c.column}: {_none_of(c.values)}" for c in self.excluded]
        if self.years_aside:
            parts.append(f"{dated}: not {_span(self.years_aside)}")
        if not parts and self.table:
            parts.append(f"every row of {table_label(self.table)}")
        return ", ".join(parts)


def _none_of(values: Sequence[str]) -> str:
    """ "not X", "neither X nor Y", "none of X, Y, Z"."""
    if len(values) == 1:
        return f"not {values[0]}"
    if len(values) == 2:
        return f"neither {values[0]} nor {values[1]}"
    return f"none of {', '.join(values)}"


def _span(years: tuple[int, int]) -> str:
    """ "2013", "since 2013", "until 2013", "2011-2013"."""
    lo, hi = years
    if lo == OPEN_START:
        return f"until {hi}"
    return str(lo) if lo == hi else f"since {lo}" if hi == OPEN_END else f"{lo}-{hi}"


def _dated_within(row: TableRow, years: tuple[int, int], column: str | None = None) -> bool:
    """The row's year (or its year in ``column``, of a table with more than one) lies
    within ``years``."""
    year = row.year
    if column is not None and (cell := row.cell(column)) is not None:
        year = int(cell) if _WHOLE_YEAR.fullmatch(cell) else None
    return year is not None and years[0] <= year <= years[1]


def dated_by(toks: Sequence[Token], lexicon: Lexicon | None, table: str | None) -> str | None:
    """The year column a question's years are of, when a table asked has more than one and
    the question names one by its header's word ("which keepers *ended* after 1900", of
    columns "start" and "end"); None for the row's own year (its first year column)."""
    if lexicon is None:
        return None
    have = {t.stem for t in toks}
    named: set[str] = set()
    for t in lexicon.tables:
        if table is not None and t.id != table:
            continue
        dating = [c.name for c in t.columns if c.kind == "year"]
        if len(dating) > 1:
            named.update(c for c in dating if content_stems(c.replace("_", " ")) & have)
    return named.pop() if len(named) == 1 else None


def _value(row: TableRow, columns: Sequence[str]) -> float | None:
    """The row's number in the first of these columns it has (tables name theirs apart:
    "depth_m", "depth_ft")."""
    cells = dict(row.cells)
    return next((as_number(cells[c]) for c in columns if c in cells), None)


def _spells(text: str, value: str) -> bool:
    """``text`` holds ``value`` as whole words ("ash" is not in "cashew")."""
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


def year_range(text: str, *, early: bool = False) -> tuple[int, int] | None:
    """The years a question names: a range, an open range or single years (from 1800; with
    ``early``, of a corpus dating rows before 1800, from 1000 after a year word: "before
    1400", "between 1200 and 1300", "in 1612", not "the 1000 genomes").

    Examples:
        >>> year_range("papers between 2010 and 2012")
        (2010, 2012)
        >>> year_range("anything after 2012?")
        (2013, 9999)
        >>> year_range("what happened in 2009")
        (2009, 2009)
        >>> year_range("trials of the 1990s"), year_range("built in the 19th century")
        ((1990, 1999), (1800, 1899))
    """
    typed, text = text, _spelled_spans(text)
    if not _YEARISH.search(text):
        return None
    ranged, since, before = _EARLY if early else (_RANGE, _SINCE, _BEFORE)
    if m := ranged.search(text):
        a, b = [int(y) for y in m.groups() if y]
        return (min(a, b), max(a, b))
    if m := since.search(text):
        y = int(next(g for g in m.groups() if g and g.isdigit()))
        strict = (m.group(1) or "").lower() in (
            "after",
            "later than",
            "newer than",
            "more recent than",
            "post",
        )
        return (y + 1 if strict else y, OPEN_END)
    if m := before.search(text):
        y = int(next(g for g in m.groups() if g and g.isdigit()))
        inclusive = (m.group(1) or "").lower() in ("until", "till", "up to") or m.group(3)
        return (OPEN_START, y if inclusive else y - 1)
    found = {int(y) for y in _ANY_YEAR.findall(text)}
    if early:  # ("built in 1612", "from 1350": a year after a word that dates)
        found |= {  # (as typed: no decade; a plural after it counts: "in 1500 tons")
            int(m.group(1))
            for m in _EARLY_YEAR.finditer(typed)
            if not (m.group(2) and m.group(2).endswith("s") and m.group(2) not in STOPWORDS)
        }
    return (min(found), max(found)) if found else None


def build_filter(
    text: str,
    toks: Sequence[Token],
    mentions: Sequence[Mention],
    *,
    table: str | None,
    years_apply: bool,
    compared: frozenset[str] = frozenset(),
    lexicon: Lexicon | None = None,
) -> RowFilter:
    """The row filter of a question: its mentions grouped by column, its years, its table.

    Args:
        text: The (corrected) question text, for year ranges.
        toks: Its words (those before a comparison are read for ``compared``).
        mentions: Entities the question mentions (:meth:`Lexicon.mentions`).
        table: The table the question points at, if one.
        years_apply: Some table has a year column (else years are plain words).
        compared: Stems the question compares with ("compared with X", "versus X";
            :func:`hccqa.understand.compare.compared_words`): a mention made of them selects
            the rows whose cells compare something with its value ("inferior than X"),
            instead of the rows holding it, when such rows are in the table asked and, for
            a question naming a subject of the same column ("is Y better than X?"), hold
            the subject; a question naming no subject must name nothing before its
            comparison but the tables' words ("which *drugs* were compared with X?").
        lexicon: The corpus's lexicon (its cells and table words are read for
            ``compared``).

    The values the text sets aside ("other than X", "without X", "did not use X", "did
    not raise X" of a value "Raised X"; :data:`_EXCLUDING`) exclude their rows: a mention
    made of a phrase's words (a short form's long form among them) and holding the first
    word of one of its values. So do the years of a phrase heading with a year, a decade
    or a century when they are all the years the question names ("not from 2013"), not
    a year after its value ("did not use X in 2013"); years apart ("not in 2001 or 2005")
    are set aside one by one, decades or centuries apart neither asked for nor set aside.

    A generic value (:attr:`Entity.generic`) constrains nothing when the question also
    names a specific value of the same table: "X and frequent crashes", in a table of
    studies of frequent crashes, asks for the X rows, not those whose cell reads
    "Frequent crashes".
    """
    glossary = lexicon.glossary if lexicon is not None else {}
    phrases = [_SetAside.of(m).spelled(glossary) for m in _EXCLUDING.finditer(text)]
    aside = [m for m in mentions if m.matched and any(p.sets_aside(m) for p in phrases)]
    kept = [m for m in mentions if m not in aside]
    kept = _with_the_others(kept)
    # a value that only restates the table's topic gives way to a specific one
    specific = {m.entity.table for m in kept if not m.entity.generic}
    kept = [m for m in kept if not (m.entity.generic and m.entity.table in specific)]
    # a combination is asked of the table the other values name, when they name one
    others = {m.entity.table for m in kept if not m.entity.combination}
    kept = [
        m for m in kept if not (m.entity.combination and others and m.entity.table not in others)
    ]
    # values only set aside ("trials that did not use X") speak of the one table holding
    # them, when one does: not of every row of the other tables
    if table is None and aside and not kept and len(held := {m.entity.table for m in aside}) == 1:
        (table,) = held
    early = lexicon is not None and lexicon.early_years
    years = year_range(text, early=early) if years_apply else None
    found_bounds = numeric_bounds(text, toks, lexicon, table, years=years) if lexicon else ()
    if years is not None and any(
        years[0] in b.numbers or years[1] in b.numbers for b in found_bounds
    ):
        years = None  # "a height between 1000 and 1300": values of the column, not years
    years_aside = None
    # the years of a phrase that heads with a year, a decade or a century: "not from 2013",
    # "not from the 2000s", "weren't built in the 19th century", "excluding those from
    # 2011", not "did not use X in 2013". "Not in 2001 or 2005" is no span: those years
    # are set aside one by one, not the ones between
    dated = [p for p in phrases if any(_DATING_HEAD.fullmatch(h) for h in p.heads)]
    apart: Constraint | None = None
    for p in dated:
        if years is None or year_range(p.words, early=early) != years:
            continue
        spelled = _spelled_spans(p.words)
        ranged = (_EARLY[0] if early else _RANGE).search(spelled)
        named = sorted({int(y) for y in _YEARISH.findall(spelled)})
        # (years in a row are one span: "2011 or 2012")
        one = ranged is not None or (
            bool(named) and named == list(range(named[0], named[0] + len(named)))
        )
        if one:
            years, years_aside = None, years
        else:  # single years apart are set aside one by one; decades apart are not read
            years = None
            if spelled == p.words and lexicon is not None:
                rows = frozenset(r.id for t in lexicon.tables for r in t.rows if r.year in named)
                apart = Constraint("year", tuple(map(str, named)), rows)
        break
    bounds = tuple(
        Constraint(
            b.column,
            (b.label,),
            b.rows,
            bound=True,
            extreme=b.extreme,
            columns=b.columns,
            rank=b.rank,
        )
        for b in found_bounds
    )
    bounds += keys_named(text, lexicon, table) if lexicon is not None else ()
    found = (
        _comparison(text, toks, mentions, kept, compared, table, lexicon)
        if compared and lexicon is not None
        else None
    )
    excluded = (*_by_column(aside), *([apart] if apart else []))
    dating = dated_by(toks, lexicon, table) if years or years_aside else None
    if found is None:
        constraints = (*_alike_merged(_by_column(kept)), *bounds)
    else:
        versus, against = found
        kept = [m for m in kept if m not in against]
        constraints = (*_alike_merged(_by_column(kept)), versus, *bounds)
    return RowFilter(constraints, years, table, excluded, years_aside, dating)


def _with_the_others(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions without those of a value that two tables hold, in a table none of the
    question's other values is in: "Bell Rock or Cordouan" asks of a table of lighthouses
    holding both, not also of a table of keepers whose "lighthouse" is Cordouan."""
    held: dict[str, set[tuple[str, str]]] = {}  # value -> (table, column) holding it
    for m in mentions:
        held.setdefault(m.entity.text.lower(), set()).add((m.entity.table, m.entity.column))
    out = []
    for m in mentions:
        text = m.entity.text.lower()
        others = {o.entity.table for o in mentions if o.entity.text.lower() != text}
        elsewhere = {t for t, c in held[text] if c != m.entity.column}  # (a column of
        # the same name, "drug" of two tables of studies, is one value asked of both)
        if m.entity.table not in others and elsewhere & others:
            continue
        out.append(m)
    # two values or more, each held by the same tables: asked of the table they are the
    # keys of ("which is older, X or Y?" compares the rows X and Y, not rows naming them)
    texts = {m.entity.text.lower() for m in out}
    tables = {m.entity.table for m in out}
    if len(texts) > 1 and len(tables) > 1:
        keyed = {m.entity.table for m in out if m.entity.kind == "key"}
        whole = {t for t in keyed if all(any(t == tt for tt, _ in held[x]) for x in texts)}
        if len(whole) == 1:
            out = [m for m in out if m.entity.table in whole]
    return out


def _comparison(
    text: str,
    toks: Sequence[Token],
    mentions: Sequence[Mention],
    kept: Sequence[Mention],
    compared: frozenset[str],
    table: str | None,
    lexicon: Lexicon,
) -> tuple[Constraint, list[Mention]] | None:
    """The constraint of the rows comparing with the values the question compares with,
    and the mentions it replaces; None when the question's plain filter should stand
    (see :func:`build_filter`)."""
    rows_of: dict[Mention, tuple[str, ...]] = {}
    for m in kept:
        if m.matched and m.matched <= compared:
            rows = lexicon.rows_comparing(m.entity.text)
            if table is not None:
                rows = tuple(r for r in rows if r.startswith(f"{table}:"))
            if rows:
                rows_of[m] = rows
    if not rows_of:
        return None
    column = next(iter(rows_of)).entity.column
    against = [m for m in rows_of if m.entity.column == column]
    comparing = frozenset(r for m in against for r in rows_of[m])
    # the column's other values named by the compared words ("X plus Y" for "than X", or
    # a second value no cell compares with) give way; another column's stay
    replaced = [
        m for m in kept if m.entity.column == column and m.matched and m.matched <= compared
    ]
    subject = [m for m in kept if m.entity.column == column and m not in replaced]
    if subject:  # "is Y better than X?": the rows comparing Y with X
        if not comparing & frozenset(r for m in subject for r in m.entity.rows):
            return None
    elif not _generic_before(text, toks, mentions, lexicon):
        return None  # "is Z better than X?" of a Z no cell holds, or "was it better ..."
    values = tuple(dict.fromkeys(m.entity.text for m in against))
    return Constraint(column, values, comparing, compared=True), replaced


def keys_named(text: str, lexicon: Lexicon, table: str | None = None) -> tuple[Constraint, ...]:
    """The rows the question names by their keys (:func:`hccqa.understand.keys.named_keys`:
    "ref 12", "id B4", a code alone), one constraint per key column's name."""
    return tuple(
        Constraint(k.column, k.values, k.rows, key=True) for k in named_keys(text, lexicon, table)
    )


def _alike_merged(constraints: Sequence[Constraint]) -> tuple[Constraint, ...]:
    """The constraints with those naming the same values in columns of different tables
    made one ("Marsh Head" as a mill's name and as a miller's mill): alternatives, not
    conditions a row must meet both of."""
    out: list[Constraint] = []
    for c in constraints:
        same = {v.lower() for v in c.values}
        tables = {r.split(":", 1)[0] for r in c.rows}
        twin = next(
            (
                i
                for i, o in enumerate(out)
                if o.column != c.column
                and not (o.combination or o.compared or o.bound or c.combination or c.compared)
                and {v.lower() for v in o.values} == same
                and not tables & {r.split(":", 1)[0] for r in o.rows}
            ),
            None,
        )
        if twin is None:
            out.append(c)
        else:
            out[twin] = replace(out[twin], rows=out[twin].rows | c.rows)
    return tuple(out)


def _by_column(mentions: Sequence[Mention]) -> tuple[Constraint, ...]:
    # a combination ("X plus Y") narrows with a value of its column, not as its alternative
    by_column: dict[tuple[str, bool], tuple[list[str], set[str]]] = {}
    for m in mentions:
        values, rows = by_column.setdefault((m.entity.column, m.entity.combination), ([], set()))
        if m.entity.text.lower() not in (v.lower() for v in values):  # "Silk", "silk"
            values.append(m.entity.text)
        rows |= m.entity.rows
    return tuple(
        Constraint(column, tuple(values), frozenset(rows), combination)
        for (column, combination), (values, rows) in by_column.items()
    )


# Words that set the next value aside, English: "drugs other than X", "trials without X"
# (group 1), a negated use or result: "studies that did not use X", "did not lead to X"
# (group 2), and another negated verb, "which trials did not increase X", "weren't in X"
# (group 3). In each, a value is set aside when it holds the first word of one of the
# phrase's values: after another verb that is the verb's ("Increased X"), so the object
# of "failed to beat X" stays asked about. A value that says no itself ("No change") is
# what a negated question asks for, and is never set aside by the negation (see
# build_filter).
_NOT = (
    r"(?:\b(?:did|do|does|had|has|have|were|was|are|is|could|can|would|will|should|must|might|"
    r"need)(?:\s+not|n[’']?t)|\b(?:ca|wo|sha)n[’']?t|\bcannot|\bnot|\bnever|\bneither|"
    r"\bfailed\s+to)\s+"
    r"(?!(?:only|just|merely)\b)"
)
_TAKING_PART = (
    r"(?:use[sd]?|using|include[sd]?|including|involve[sd]?|involving|test(?:ed|s)?|testing|"
    r"stud(?:y|ied|ies)|studying|receive[sd]?|receiving|give[sn]?|gave|giving|"
    r"combine[sd]?|combining|contain(?:s|ed)?|containing|get|got|take[sn]?|took|taking|"
    # or having the value as its result: "did not show X", "did not lead to X"
    r"show(?:s|ed|n)?|showing|have|has|had|having|cause[sd]?|causing|"
    r"(?:lead|leads|led|leading|result(?:s|ed)?\s+in|resulting)(?:\s+to)?|"
    r"produce[sd]?|producing|reach(?:es|ed)?|reaching|achieve[sd]?|achieving|"
    # or dating it: "were not published in X", "not built in the 1800s"
    r"publish(?:e[sd]|ing)?|conducted|done|run|performed|carried\s+out|"
    # or by whom or of what: "were not designed by X", "not made of X"
    r"[a-z]+\s+by|by|"
    r"made\s+(?:of|from|with)|built\s+(?:of|from|with)|consist(?:s|ed)?\s+of|"
    r"built|constructed|founded|established|opened|launched|held|started|begun)"
)
# a value of up to five words ("no change in mite counts"), or several: "X and Y", "X, Y or Z";
# a verb or a question word ends it ("other than X *were* compared with Y")
_WORDS = (
    r"(?:(?!(?:and|or|nor|is|are|was|were|be|been|do|does|did|has|have|had|which|that|who|"
    r"whom|what|when|where|why|how|than)\b)[\w/&'\u2019-]+\s*){1,5}"  # ("X & Co", "X's")
)
_VALUES = rf"{_WORDS}(?:(?:,\s*(?:(?:and|or)\s+)?|(?:and|or|nor)\s+){_WORDS})*"
_SMALL = r"(?:(?:any|a|an|the|with|in|on)\s+){0,2}"
# the first word of a phrase that sets years aside: a year, or a century ("19th")
_DATING_HEAD = re.compile(r"(?:1\d|20|21)\d{2}s?|\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)
_EXCLUDING = re.compile(
    r"\b(?:other than|except(?: for)?|excluding|besides|apart from|but not|not including|"
    r"outside(?: of)?(?: the)?|"
    # ("with or without X" sets nothing aside)
    rf"(?<!with or )without(?:\s+(?:using|the use of|taking|giving|any))?)\s+({_VALUES})|"
    rf"{_NOT}(?:{_TAKING_PART}\s+{_SMALL}({_VALUES})|{_SMALL}({_VALUES}))",
    re.IGNORECASE,
)


# Words of a comparison itself, and pronouns that point at a subject named before, English.
COMPARISON_STEMS = frozenset(
    stem(w)
    for w in (
        *("compared", "compare", "comparison", "tested", "pitted", "better", "worse"),
        *("superior", "inferior", "head", "other", "another", "any", "performed", "fared"),
    )
)
_POINTING = frozenset({"it", "its", "they", "them", "their", "this", "that", "these", "those"})


def _generic_before(
    text: str, toks: Sequence[Token], mentions: Sequence[Mention], lexicon: Lexicon
) -> bool:
    """The words before the first comparison ("which *drugs* were compared with X") name
    nothing but the tables, their columns, values the question names (or sets aside), or
    the comparison; a pronoun ("was *it* better than X?") names something."""
    start = comparison_start(text)
    if start is None:
        return False
    before = [t for t in toks if t.end <= start]
    if any(t.norm in _POINTING for t in before):
        return False
    allowed = set(COMPARISON_STEMS) | lexicon.topic
    allowed.update(s for m in mentions for s in m.matched)
    return all(set(parts(t)) <= allowed for t in before if t.content)


_SPACE_BEFORE_MARK = re.compile(r"\s+([?.!,;:])")
_LEADING_MARK = re.compile(r"^[,;:]\s*")
_JOINING = frozenset({"and", "or", "nor"})


@dataclass(frozen=True)
class _SetAside:
    """One phrase of :data:`_EXCLUDING`: the stems of its words, the first word of each of
    its values ("X", "Y" of "X, Y or Z") and whether a negation sets them aside."""

    words: str
    stems: frozenset[str]
    heads: frozenset[str]
    negation: bool

    @classmethod
    def of(cls, match: re.Match[str]) -> _SetAside:
        words = match.group(1) or match.group(2) or match.group(3) or ""
        heads = frozenset(h for v in _JOINED.split(words) if (h := _head(v)))
        return cls(words, content_stems(words), heads, negation=match.group(1) is None)

    def spelled(self, glossary: Mapping[str, str]) -> _SetAside:
        """The phrase with the long form of each short form it names ("IPM": the words
        of "integrated pest management" set aside too)."""
        longs = [glossary[w] for w in re.findall(r"[\w-]+", self.words) if w in glossary]
        if not longs:
            return self
        more = content_stems(" ".join(longs))
        return replace(self, stems=self.stems | more, heads=self.heads | more)

    def sets_aside(self, mention: Mention) -> bool:
        """The mention is one of the values this phrase sets aside: made of its words,
        holding the first word of one of its values ("did not use X in 2014" sets X
        aside, not 2014; "did not raise yields" sets "Raised yields" aside). A value that
        says no itself ("No change") is what a negation asks for; "other than" sets it
        aside."""
        if not mention.matched <= self.stems or mention.matched.isdisjoint(self.heads):
            return False
        return not (self.negation and mention.entity.negated)


_JOINED = re.compile(r",\s*(?:(?:and|or)\s+)?|\s+(?:and|or|nor)\s+", re.IGNORECASE)


def _head(words: str) -> str:
    """The stem of the first content word ("won twice": "twice", "won" being a function
    word; "those from 2011": "2011")."""
    return next((s for w in words.split() for s in sorted(content_stems(w))), "")


def without_excluded(text: str, aside: frozenset[str]) -> str:
    """The text with each "other than X" left out, X being the words right after it whose
    stems are all ``aside`` (the values set aside): "drugs other than X improved
    survival" -> "drugs improved survival". A phrase that sets nothing aside stays."""

    def cut(m: re.Match[str]) -> str:
        if m.group(1) is None:  # a negation: its words are what the question is about
            return m.group(0)
        words = m.group(1).split()
        k = 0
        while k < len(words):
            if words[k].lower() in _JOINING and k and k + 1 < len(words):
                k += 1  # "X and Y": both set aside
                continue
            stems = content_stems(words[k])
            if not stems or not stems <= aside:
                break
            k += 1
        while k and words[k - 1].lower() in _JOINING:  # "X and" before a word kept
            k -= 1
        return f" {' '.join(words[k:])} " if k else m.group(0)

    out = " ".join(_EXCLUDING.sub(cut, text).split())
    return _LEADING_MARK.sub("", _SPACE_BEFORE_MARK.sub(r"\1", out))
