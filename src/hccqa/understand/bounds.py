"""Bounds on the columns of numbers a question names: "sites with nitrate above 50".

A table's column whose every value is a number (kind ``"number"``, see
:func:`hccqa.corpus.tables.column_kinds`) is named by a word of its header
("nitrate" for ``nitrate_mgL``). A bound next to such a word ("above 50", "at least
3.5", "no more than 1,000", ">= 2", "between 2 and 4") keeps the rows whose value is
within it. A superlative right beside such a word ("the longest span", "lowest nitrate") keeps the
rows of its highest or lowest value; alone, it reads the column of what it measures ("the
tallest": a header word "height"). A number right beside the word, with no bound word,
is that value ("0 deaths", "a vei of 6"). A figure's word before such a word asks that
figure of the rows chosen ("the average height": :func:`aggregate_of`). Nothing here knows
a corpus: the columns are whatever the headers call them, the bound words are English.
"""

from __future__ import annotations

import functools
import math
import re
import statistics
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .words import STOPWORDS, Token, content_stems, stem, tokens

if TYPE_CHECKING:
    from .lexicon import Lexicon


class Bound(NamedTuple):
    """A bound a question puts on a column of numbers: the column, the bound in words
    ("above 50") and the ids of the rows within it; for a superlative ("the longest"),
    the rows with a value, to be narrowed to the extreme one last, of the rows chosen."""

    column: str
    label: str
    rows: frozenset[str]
    extreme: str = ""  # "highest" / "lowest": of the rows chosen, those of that value
    columns: tuple[str, ...] = ()  # every table's column the word names ("depth_m", "depth_ft")
    numbers: tuple[float, ...] = ()  # the numbers the bound states
    rank: int = 1  # of an extreme: its place from the top ("the second tallest": 2)


# A number as typed: "50", "3.5", "-5", "1,200" (thousands); never a part of a longer
# number ("12,5" or "1.2.3" is no bound). The digits are atomic: no backtracking into them.
_NUM = r"([-+]?(?>\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![.,]?\d)"
# What a number must not be followed by: a share, or a length of time ("over 10 years").
_NOT_A_VALUE = (
    r"(?!\s*(?:%|percent\b|per\s*cent\b)|"
    r"\s+(?:years?|months?|weeks?|days?|decades?|hours?|minutes?|times|fold)\b)"
)
_MORE = (
    r"more than|greater than|higher than|larger than|above|over|exceeding|exceeded|exceeds|"
    r"at least|no less than|not less than|>=|≥|>|"
    # comparatives of size: "taller than 40 m" bounds the column counted in m
    r"(?:taller|longer|bigger|wider|deeper|heavier|older) than"
)
_LESS = (
    r"less than|fewer than|lower than|smaller than|below|under|at most|no more than|"
    r"not more than|<=|≤|<|(?:shorter|narrower|shallower|lighter|younger) than"
)
_BOUND = re.compile(
    rf"(?<![\w.])(?:({_MORE})|({_LESS}))\s*{_NUM}{_NOT_A_VALUE}|"
    rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}{_NOT_A_VALUE}",
    re.IGNORECASE,
)
# The same bounds followed by a unit ("at least 5 hours", "between 20 and 30 m"): a bound
# on a column whose header ends in that unit ("bulk_hours", "height_m"), whatever the unit
_UNIT_BOUND = re.compile(
    rf"(?<![\w.])(?:({_MORE})|({_LESS}))\s*{_NUM}\s*([^\W\d_]+)\b|"
    rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}\s*([^\W\d_]+)\b",
    re.IGNORECASE,
)
# A number and the word of a column beside it, either way round ("0 deaths", "vei of 6",
# "vei = 6"), the number atomic
# (not a number with an open end, "25 or more", "25+", nor one end of a range, "5-7")
_OPEN_ENDED = (
    r"(?!\s*(?:\+|[-\u2013\u2014]\s*\d|"
    r"or\s+(?:more|less|fewer|greater|higher|lower|above|below|over|under)))"
)
_EQUAL_AFTER = re.compile(
    # ("the top 3 deaths", "the first 2 sites" count rows, not values)
    rf"(?<![\w.,])(?<!top )(?<!first )(?<!last )(?<!next )(?<!\d[-\u2013\u2014])"
    rf"{_NUM}{_NOT_A_VALUE}{_OPEN_ENDED}"
    rf"\s+([^\W\d_]+)",
    re.IGNORECASE,
)
_EQUAL_BEFORE = re.compile(
    rf"\b([^\W\d_]+)\s+(?:of\s+|=\s*|equal to\s+|exactly\s+)?{_NUM}{_NOT_A_VALUE}{_OPEN_ENDED}",
    re.IGNORECASE,
)
_INCLUSIVE = frozenset(
    {"at least", "no less than", "not less than", ">=", "≥", "at most", "no more than"}
    | {"not more than", "<=", "≤"}
)
# "over" and "under" are also plain prepositions ("under 5 villages"): a bound only right
# beside the column's word ("arsenic over 10", "depth of over 30")
_LOOSE = frozenset({"over", "under"})
_BESIDE = 12  # characters between a loose bound and the column's word
_YEARISH = re.compile(r"[-+]?(?:1\d|2[01])\d{2}")
# The highest or lowest value of a column, right beside its word ("the longest span",
# "lowest nitrate"), English
_SUPERLATIVE = re.compile(
    r"\b(?:(longest|largest|highest|biggest|greatest|deepest|tallest|widest|heaviest|deadliest|"
    r"furthest|farthest|maximum|max|(?<!at )most)|(shortest|smallest|lowest|(?<!at )least|"
    r"fewest|shallowest|narrowest|lightest|nearest|closest|minimum|min))\b",
    re.IGNORECASE,
)

# A place right before a superlative ("the second tallest", "3rd largest"), English
PLACES = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
_ORDINAL = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_PLACE_BEFORE = re.compile(rf"\b({'|'.join(PLACES)})[\s-]+$", re.IGNORECASE)

# A comparative asked of a choice ("which one is longer?", "which has the larger
# discharge?", "which is deeper, X or Y?"): the superlative of the rows compared. Only
# right after "which (one | of them | of the two) is/has (the)", and with no "than" after
# it: "which lakes have a larger area than 100?" and "100 or greater" are bounds
_COMPARATIVE = re.compile(
    r"\bwhich(?:\s+one|\s+of\s+(?:them|the\s+two|these|those))?\s+"
    r"(?:is|was|are|were|has|had|have)\s+(?:the\s+|a\s+)?"
    r"(?:(longer|larger|higher|bigger|greater|deeper|taller|wider|heavier|deadlier|further|"
    r"farther)|(shorter|smaller|lower|shallower|narrower|lighter|nearer|closer))\b"
    r"(?!.*\bthan\b)",
    re.IGNORECASE | re.DOTALL,
)
_SUPERLATIVE_OF = {
    "longer": "longest",
    "shorter": "shortest",
    "taller": "tallest",
    "wider": "widest",
    "narrower": "narrowest",
    "deeper": "deepest",
    "shallower": "shallowest",
    "heavier": "heaviest",
    "lighter": "lightest",
    "deadlier": "deadliest",
    "further": "furthest",
    "farther": "furthest",
    "nearer": "nearest",
    "closer": "nearest",
}

# The units a superlative's quantity is counted in, when no header names the quantity
# ("the heaviest" of a column "kg"), English and metric or imperial
_WEIGHT = ("kg", "g", "t", "lb", "lbs", "tonnes", "tons")
_LENGTH = ("m", "km", "cm", "mm", "ft", "mi", "metres", "meters", "miles", "feet")
# a quantity's word and the units it is counted in ("the average weight": kg)
_QUANTITY_UNITS = {"weight": _WEIGHT, "height": _LENGTH, "length": _LENGTH, "distanc": _LENGTH}
_MEASURED_IN = {
    "heaviest": _WEIGHT,
    "lightest": _WEIGHT,
    "tallest": _LENGTH,
    "longest": _LENGTH,
    "shortest": _LENGTH,
    "widest": _LENGTH,
    "narrowest": _LENGTH,
    "deepest": _LENGTH,
    "shallowest": _LENGTH,
    "furthest": _LENGTH,
    "nearest": _LENGTH,
}

# The quantity a superlative of size measures, as the stem of a header's word ("the
# tallest" of a column "height_m"), English; one that could measure several ("the
# shortest": height or length) counts only where the table has one of them.
_MEASURES = {
    "tallest": ("height", "elev"),
    "longest": ("length",),
    "shortest": ("height", "length"),
    "widest": ("width",),
    "narrowest": ("width",),
    "deepest": ("depth",),
    "shallowest": ("depth",),
    "heaviest": ("weight",),
    "deadliest": ("death", "fatal", "casualti", "kill"),
    "lightest": ("weight",),
    "furthest": ("distanc",),
    "farthest": ("distanc",),
    "nearest": ("distanc",),
    "closest": ("distanc",),
}


def numeric_bounds(
    text: str,
    toks: Sequence[Token],
    lexicon: Lexicon,
    table: str | None = None,
    *,
    years: tuple[int, int] | None = None,
) -> tuple[Bound, ...]:
    """The bounds the question puts on the columns of numbers it names ("sites with
    nitrate above 50": the rows whose ``nitrate_mgL`` is over 50; "the longest span": the
    rows of the highest ``span_m``).

    A bound applies to the column whose word is nearest to it, before or after ("more
    than 40 mg/L of nitrate"); a word several tables' columns share bounds them all.
    Not a bound: a percentage, a length of time, and, when the question names years
    (``years``), a bound of years only (the year range reads those).

    Args:
        text: The (corrected) question.
        toks: Its words.
        lexicon: The corpus lexicon (its tables).
        table: The one table the question points at, if any.
        years: The year range read from the question, if any.
    """
    out: list[Bound] = []
    if (plain := as_bounds(text)) != text:  # "3 or more", "only one platform"
        text, toks = plain, tokens(plain)
    by_word = _columns_named(lexicon, table)  # header stem -> its columns
    named = [(tok, found) for tok in toks if (found := by_word.get(tok.stem)) is not None]
    units = _columns_by_unit(lexicon, table)
    taken: list[tuple[int, int]] = []  # spans of the bounds read with their unit
    for m in _UNIT_BOUND.finditer(text) if units and any(c.isdigit() for c in text) else ():
        more, less, number, after, first, second, after_range = m.groups()
        unit = (after or after_range).lower()
        # a function word is no unit ("above 9 in 2019"); one letter after a number is
        # ("3000 m", though "m" is a function word of "I'm")
        columns = units.get(unit) if unit not in STOPWORDS or len(unit) == 1 else None
        if columns is None:
            continue
        # a column named beside the bound decides among those counted in the unit ("a base
        # depth above 5 m" of height_m and base_depth_m); one named beside it but counted
        # in another unit leaves the bound to it; none named: the unit must tell one
        # column of each table
        beside = [c for tok, c in named if _gap(tok, m) <= _BESIDE]
        if beside:
            columns = [c for c in columns if any(c in found for found in beside)]
        elif len({t for t, _ in columns}) < len(columns):
            continue
        if not columns:
            continue
        within, label = _bound_of(more, less, number, first, second)
        numbers = tuple(as_number(g) or 0.0 for g in (number, first, second) if g)
        out.append(_within_columns(lexicon, columns, within, label, numbers))
        taken.append(m.span())
    for m in [*_SUPERLATIVE.finditer(text), *_COMPARATIVE.finditer(text)]:
        nearest = min(named, key=lambda n: _gap(n[0], m)) if named else None
        if nearest is not None and _gap(nearest[0], m) <= _BESIDE:
            columns = nearest[1]
        else:
            # no column named beside it: the quantity the adjective measures ("the tallest"
            # of a column headed "height"), when it names one
            word = (m.group(1) or m.group(2) or "").lower()
            word = _SUPERLATIVE_OF.get(word, word)
            measured = [by_word[w] for w in _MEASURES.get(word, ()) if w in by_word]
            if not measured:  # or of a column counted in its unit ("the heaviest": kg)
                measured = [units[u] for u in _MEASURED_IN.get(word, ()) if u in units]
            if len(measured) != 1:
                continue
            columns = measured[0]
        rows = frozenset(row for t, c in columns for row, _ in _numbers(lexicon, t, c))
        extreme = "highest" if m.group(1) else "lowest"
        names = tuple(dict.fromkeys(c for _, c in columns))
        # "the second tallest": the second value from the top
        place = _PLACE_BEFORE.search(text, 0, m.start())
        rank = PLACES[place.group(1).lower()] if place else 1
        label = f"the {extreme}" if rank == 1 else f"the {_ORDINAL[rank]} {extreme}"
        out.append(Bound(columns[0][1], label, rows, extreme, names, rank=rank))
    if not any(ch.isdigit() for ch in text):
        return tuple(out)
    if not named:  # a number in a column's unit is that value ("35 m", "exactly 2.5 kg")
        out += _equal_in_units(text, lexicon, units, taken, years)
        return tuple(out)
    for m in _BOUND.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        tok, columns = min(named, key=lambda n: _gap(n[0], m))
        word = (m.group(1) or m.group(2) or "").lower()
        if word in _LOOSE and _gap(tok, m) > _BESIDE:
            continue
        numbers = tuple(as_number(g) or 0.0 for g in m.groups()[2:] if g)
        values = [v for t, c in columns for _, v in _numbers(lexicon, t, c)]
        yearish = all(_YEARISH.fullmatch(g) for g in m.groups()[2:] if g)
        after_word = tok.end <= m.start() and _gap(tok, m) <= _BESIDE  # "a depth between"
        if (
            years is not None
            and yearish
            and (not _within(numbers, values) or (_spans(numbers, years) and not after_word))
        ):
            # "arsenic between 2019 and 2021": years, not values of arsenic; so is the year
            # range the question reads when no column's word comes right before it, even
            # within the column's values ("between 1800 and 1900 with more than 30000
            # deaths", deaths up to 71,000)
            continue
        within, label = _bound(m)
        out.append(_within_columns(lexicon, columns, within, label, numbers))
    # a number right beside a column's word, with no bound word: that value ("0 deaths",
    # "a vei of 6", "vei = 6"); not a number a bound above has read ("more than 0 deaths")
    spans = [*taken, *(m.span() for m in _BOUND.finditer(text))]
    valued: dict[int, tuple[str, str]] = {}  # where the number starts -> (number, word)
    for m in _EQUAL_AFTER.finditer(text):
        if stem(m.group(2).lower()) in by_word or m.group(2).lower() in units:
            valued.setdefault(m.start(1), (m.group(1), m.group(2)))
    for m in _EQUAL_BEFORE.finditer(text):
        if stem(m.group(1).lower()) in by_word:
            valued.setdefault(m.start(2), (m.group(2), m.group(1)))
    for start, (number, word) in sorted(valued.items()):
        columns = by_word.get(stem(word.lower())) or units.get(word.lower())
        n = as_number(number)
        if columns is None or n is None or any(a <= start < b for a, b in spans):
            continue
        if years is not None and _YEARISH.fullmatch(number):
            continue
        out.append(_within_columns(lexicon, columns, _equal_to(n), f"exactly {number}", (n,)))
    return tuple(out)


class Aggregate(NamedTuple):
    """A figure a question asks of a column of numbers over the rows chosen: "the average
    height", "the total capacity" (``kind``: "average", "median" or "total")."""

    kind: str
    columns: tuple[tuple[str, str], ...]  # (table, column) the word names
    named: frozenset[str] = frozenset()  # the question's word for the column ("weight")

    @property
    def stems(self) -> frozenset[str]:
        """The stems of the columns' headers ("height", "m" of ``height (m)``) and of the
        question's word for them."""
        headers = (content_stems(c.replace("_", " ")) for _, c in self.columns)
        return frozenset().union(self.named, *headers)

    def of(self, rows: Sequence[Any]) -> tuple[float, int] | None:
        """The figure over these rows' values (each row's in the first column it has), and
        how many rows had one; None when none has."""
        names = [c for _, c in self.columns]
        values = [
            v
            for r in rows
            if (v := next((as_number(cell) for c in names if (cell := r.cell(c))), None))
            is not None
        ]
        if not values:
            return None
        if self.kind == "total":
            figure = math.fsum(values)
        elif self.kind == "median":
            figure = statistics.median(values)
        else:
            figure = math.fsum(values) / len(values)
        return figure, len(values)


# The figures a question may ask of a column (English): word -> kind
_AGGREGATES = {
    "average": "average",
    "mean": "average",
    "median": "median",
    "total": "total",
    "sum": "total",
    "combined": "total",
}
_AGGREGATE = re.compile(rf"\b({'|'.join(_AGGREGATES)})\b", re.IGNORECASE)
AGGREGATE_STEMS = frozenset(stem(w) for w in _AGGREGATES)
_AGGREGATE_REACH = 4  # words from the figure's word to the column's


def aggregate_of(
    text: str, toks: Sequence[Token], lexicon: Lexicon, table: str | None = None
) -> Aggregate | None:
    """The figure the question asks of a column of numbers: "the average height", "the
    total length of the lines", "mean capacity" (the column's word at most
    :data:`_AGGREGATE_REACH` words after the figure's); None otherwise ("the total number
    of rows" counts, "on average" names no column)."""
    m = _AGGREGATE.search(text)
    if m is None:
        return None
    by_word = _columns_named(lexicon, table)
    after = [t for t in toks if t.start >= m.end()][:_AGGREGATE_REACH]
    word = next((t for t in after if t.stem in by_word), None)
    columns = by_word[word.stem] if word is not None else None
    if word is None:  # "the average weight" of a column counted in kg
        units = _columns_by_unit(lexicon, table)
        counted = [
            (t, units[u]) for t in after for u in _QUANTITY_UNITS.get(t.stem, ()) if u in units
        ]
        if len(counted) == 1:
            word, columns = counted[0]
    if word is None or columns is None:
        return None
    return Aggregate(_AGGREGATES[m.group(1).lower()], tuple(columns), frozenset({word.stem}))


# Numbers in words, English ("only one platform", "two or more wings")
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen", "twenty"),
        ]
    )
}
_NUMBER_WORD = re.compile(
    rf"(\w+\s+)?\b({'|'.join(_NUMBER_WORDS)})\b(?=\s+([^\W\d_]+))", re.IGNORECASE
)
# words before "one" that make it a pronoun ("which one", "the one"), English
_ONE_AFTER = frozenset(["which", "the", "this", "that", "each", "no", "any", "every", "only"])
# An open end after the number: "3 or more" is "at least 3", "5 or fewer" "at most 5"
# ("5 sails or more": the counted word between)
_OR_MORE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)(\s+[^\W\d_]+)?\s*"
    r"(?:or\s+(?:more|greater|higher|above|over|larger|bigger)\b|\+(?![\w+]))",
    re.IGNORECASE,
)
_OR_LESS = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)(\s+[^\W\d_]+)?\s*"
    r"or\s+(?:fewer|less|lower|below|under|smaller)\b",
    re.IGNORECASE,
)


def _in_digits(m: re.Match[str]) -> str:
    before, word, after = m.group(1) or "", m.group(2), m.group(3).lower()
    pronoun = word.lower() == "one" and before.strip().lower() in _ONE_AFTER - {"only"}
    counted = after not in STOPWORDS or after in ("or", "more", "fewer", "less")
    return before + (_NUMBER_WORDS[word.lower()] if counted and not pronoun else word)


def as_bounds(text: str) -> str:
    """The text with numbers in words before a word written in digits ("only one
    platform": "only 1 platform") and open ends as bounds ("3 or more": "at least 3";
    "5 or fewer": "at most 5"; "25+": "at least 25").

    Examples:
        >>> as_bounds("stations with two or more platforms")
        'stations with at least 2 platforms'
        >>> as_bounds("which one has only one platform?")
        'which one has only 1 platform?'
    """
    out = _NUMBER_WORD.sub(_in_digits, text)
    out = _OR_MORE.sub(lambda m: f"at least {m.group(1)}{m.group(2) or ''}", out)
    return _OR_LESS.sub(lambda m: f"at most {m.group(1)}{m.group(2) or ''}", out)


def _equal_in_units(
    text: str,
    lexicon: Lexicon,
    units: dict[str, list[tuple[str, str]]],
    taken: Sequence[tuple[int, int]],
    years: tuple[int, int] | None,
) -> tuple[Bound, ...]:
    """The values a question gives in a column's unit, no bound word before them ("35 m":
    the rows of ``height_m`` 35), when the unit tells one column of each table."""
    if not units:
        return ()
    spans = [*taken, *(m.span() for m in _BOUND.finditer(text))]
    out: list[Bound] = []
    for m in _EQUAL_AFTER.finditer(text):
        number, unit = m.group(1), m.group(2).lower()
        columns = units.get(unit) if unit not in STOPWORDS or len(unit) == 1 else None
        n = as_number(number)
        if (
            columns is None
            or n is None
            or len({t for t, _ in columns}) < len(columns)
            or any(a <= m.start() < b for a, b in spans)
            or (years is not None and _YEARISH.fullmatch(number))
        ):
            continue
        out.append(_within_columns(lexicon, columns, _equal_to(n), f"exactly {number}", (n,)))
    return tuple(out)


def _spans(numbers: Sequence[float], years: tuple[int, int]) -> bool:
    """The numbers are the ends of the year range (or its one year)."""
    return bool(numbers) and all(n in (years[0], years[1]) for n in numbers)


def _equal_to(n: float) -> Callable[[float], bool]:
    """The test of a value equal to ``n``."""
    return lambda v: v == n


def _within_columns(
    lexicon: Lexicon,
    columns: Sequence[tuple[str, str]],
    within: Callable[[float], bool],
    label: str,
    numbers: tuple[float, ...],
) -> Bound:
    """The bound on these ``(table, column)`` pairs: the rows whose value passes ``within``."""
    rows = frozenset(
        row for t, c in columns for row, value in _numbers(lexicon, t, c) if within(value)
    )
    names = tuple(dict.fromkeys(c for _, c in columns))
    return Bound(columns[0][1], label, rows, "", names, numbers)


def _within(numbers: Sequence[float], values: Sequence[float]) -> bool:
    """A number lies within the span of the column's values (a bound on them, not a year:
    "a height between 1000 and 1300" of heights up to 1,050)."""
    return bool(values) and any(min(values) <= n <= max(values) for n in numbers)


def _gap(tok: Token, m: re.Match[str]) -> int:
    """Characters between a word and a match, on either side."""
    return m.start() - tok.end if tok.end <= m.start() else max(tok.start - m.end(), 0)


@functools.lru_cache(maxsize=64)
def _columns_named(lexicon: Lexicon, table: str | None) -> dict[str, list[tuple[str, str]]]:
    """Each stem of a header of a column of numbers, and the ``(table, column)`` pairs
    whose header holds it."""
    out: dict[str, list[tuple[str, str]]] = {}
    for t in lexicon.tables:
        if table is not None and t.id != table:
            continue
        for c in t.columns:
            if c.kind == "number":
                for word in content_stems(c.name.replace("_", " ")):
                    out.setdefault(word, []).append((t.id, c.name))
    return out


# A unit's short form and the words that spell it out (English, metric and imperial): a
# header's "m" is also "metres", a header's "hours" also "h".
_SPELLED_UNITS = (
    ("m", "metre metres meter meters"),
    ("km", "kilometre kilometres kilometer kilometers"),
    ("cm", "centimetre centimetres centimeter centimeters"),
    ("mm", "millimetre millimetres millimeter millimeters"),
    ("kg", "kilogram kilograms kilo kilos"),
    ("g", "gram grams"),
    ("t", "tonne tonnes ton tons"),
    ("l", "litre litres liter liters"),
    ("ml", "millilitre millilitres milliliter milliliters"),
    ("h", "hour hours hr hrs"),
    ("ft", "foot feet"),
    ("mi", "mile miles"),
    ("lb", "lbs"),
)  # (not "min" nor "s": a header's "min" may be a minimum; not "pounds": money too)
_SAME_UNIT = {
    word: frozenset([short, *spelled.split()]) - {word}
    for short, spelled in _SPELLED_UNITS
    for word in [short, *spelled.split()]
}


@functools.lru_cache(maxsize=64)
def _columns_by_unit(lexicon: Lexicon, table: str | None) -> dict[str, list[tuple[str, str]]]:
    """The last part of the header of each column of numbers that has more than one
    ("m" of ``height_m`` or ``height (m)``, "hours" of ``bulk_hours``, "mgl" of
    ``nitrate_mgL``), lower case, and the ``(table, column)`` pairs it ends; under each
    other way to write the same unit too ("metres" for "m", "h" for "hours")."""
    out: dict[str, list[tuple[str, str]]] = {}
    for t in lexicon.tables:
        if table is not None and t.id != table:
            continue
        for c in t.columns:
            # ("height (m)" and "height [m]" as "height_m")
            parts = [p for p in re.split(r"[\s_()\[\]]+", c.name.strip().lower()) if p]
            # (or a header that is a unit, "kg")
            named = len(parts) > 1 or (bool(parts) and len(parts[0]) > 1 and parts[0] in _SAME_UNIT)
            if c.kind == "number" and named and parts[-1].isalpha():
                for unit in (parts[-1], *sorted(_SAME_UNIT.get(parts[-1], ()))):
                    out.setdefault(unit, []).append((t.id, c.name))
    return out


@functools.lru_cache(maxsize=256)
def _numbers(lexicon: Lexicon, table: str, column: str) -> tuple[tuple[str, float], ...]:
    """``(row id, value)`` of a column of numbers (a cell that reads as none left out)."""
    rows = next((t.rows for t in lexicon.tables if t.id == table), ())
    return tuple(
        (r.id, v) for r in rows if (v := as_number(dict(r.cells).get(column, ""))) is not None
    )


def as_number(text: str) -> float | None:
    """A cell or a question's number as a float: "1,200" is 1200 (thousands), "12,5" is
    12.5 (a decimal comma); None for anything else.

    Examples:
        >>> as_number("1,200"), as_number("12,5"), as_number("-3.5"), as_number("n/a")
        (1200.0, 12.5, -3.5, None)
    """
    text = text.strip()
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _bound(m: re.Match[str]) -> tuple[Callable[[float], bool], str]:
    """The test a value must pass, and the bound in words ("above 50"), of a match of
    :data:`_BOUND`."""
    return _bound_of(*m.groups())


def _bound_of(
    more: str | None, less: str | None, number: str | None, first: str | None, second: str | None
) -> tuple[Callable[[float], bool], str]:
    """The test and the words of a bound: "more than" or "less than" a number, or
    between two."""
    if first is not None:
        a, b = sorted((as_number(first) or 0.0, as_number(second or "") or 0.0))
        return (lambda v: a <= v <= b), f"between {first} and {second}"
    n = as_number(number or "") or 0.0
    inclusive = (more or less or "").lower() in _INCLUSIVE
    if more:
        label = f"{'at least' if inclusive else 'above'} {number}"
        return ((lambda v: v >= n) if inclusive else (lambda v: v > n)), label
    label = f"{'at most' if inclusive else 'below'} {number}"
    return ((lambda v: v <= n) if inclusive else (lambda v: v < n)), label
