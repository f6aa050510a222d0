"""Table rows from one ranking: which rows belong with an answer, each with its reason.

Candidates come from three places:

- **filter**: the question's structured filter (values it names, years, a table);
- **cited**: rows of the studies the best quote reports: by name ("Smith et al[7]"), by
  number when it cites one or two studies at all, or those of the one clause of a
  longer list that says what the question asks ("X helped[4,5], Y did not[6-8]"); a
  single list "[7-9]" backing the whole sentence credits none. A best quote citing no
  one ("several drugs were tried as X.") gives way to the next quote of its passage
  that does ("... X (A[4], B[5])");
- **retrieved**: rows whose own passage (the row as a line) the retrieval ranked high.

Every candidate is scored by how much of the question its own cells answer (the
idf-weighted share of the question's words in the row's cells, abbreviations spelled
out), and the evidence that brought it. A follow-up that points back ("did it
work?") narrows to the rows the previous answer showed, and of those to the rows whose
cells hold its other words ("which of them was about X?"); one asking for others ("did
anyone else find that?") adds the rows sharing what those rows have in common. A
who-question credits the row whose cells match before a study merely quoted nearby.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..corpus.citations import continues_from, find_authors, find_citations
from ..types import RowMatch, TableRow, table_label
from ..understand.bounds import AGGREGATE_STEMS
from ..understand.filters import Constraint, RowFilter
from ..understand.lexicon import NEGATING, NEGATIONS, TABLE_NOUNS, Lexicon
from ..understand.query import (
    COUNTING_STEMS,
    REASONS,
    Query,
    deictic,
    end_named,
    shown_places,
)
from ..understand.words import content_stems, parts, stem, stem_set, tokens
from .evidence import Evidence, Scored, context_of
from .facts import coverage, holds, names_rows
from .judge import keyed_rows

BROAD = 0.5  # a constraint keeping more than this share of its tables' rows is broad
ROW_COVERAGE = 0.5  # a retrieved row is shown when its cells hold this share of the question
TOP_ROWS = 3  # retrieved row passages looked at
FEW_STUDIES = 2  # the best quote credits the studies it cites when it cites this many or fewer
CLAUSE_COVERAGE = 0.3  # ... or those of the one clause holding this share of the question
NARRATIVE_ROWS = 2  # a why/how question shows at most this many rows of its filter alone
_ASKS_FOR_ROWS = frozenset({"list", "who", "when", "latest", "earliest"})


@dataclass(frozen=True)
class RowChoice:
    """The rows chosen for an answer, and whether the question asks for rows as such."""

    rows: tuple[RowMatch, ...]
    listing: bool  # the rows are the answer (a filter or a list question), not an aside


def filter_rows(
    query: Query, rows: Sequence[TableRow], lexicon: Lexicon | None = None
) -> list[TableRow]:
    """The rows the question's own filter selects, when it narrows them usefully.

    A filter narrows when it names years, or one of its constraints is not broad
    (keeps at most half of the rows of the tables it applies to). A broad one (a value
    nearly every row holds) selects only for a list question that asks about nothing
    else ("list the X studies"): besides the values, it names only its table (label,
    columns and, given the ``lexicon``, title words). For a who-question, only the rows
    matching the most of the values it names are kept. A question naming a table and
    nothing else ("which studies are in table 2?", "show me table 1", "how many studies
    are in table 2?") selects all of its rows (given the ``lexicon``). A count of what the
    rows are ("how many stage 2 trials are there?") and values only set aside ("did not
    use X") select as a list does.
    """
    f = _sharpen(query.filter, query, rows)
    if not f.specific:
        # "which studies are in table 2?", "show me table 1", "the most recent study in
        # table 2", "how many studies are in table 2?": a question naming a table and
        # nothing else asks for all of its rows
        asks = (
            not query.intents
            or query.intents & {"list", "latest", "earliest", "number"}
            or query.aggregate is not None  # "the average height of the X"
        )
        if f.table and asks and lexicon is not None:
            # its own label's words only: "table 4" names no table of a corpus of two
            own = [r for r in rows if r.table == f.table]
            own_words = _table_words(own) | _TABLE_PARTS | lexicon.naming_words({f.table})
            # "the table", "in this table" name it ("which towers have tables?" does not:
            # there the word is one the corpus lacks)
            if not {a.lower() for a in query.absent} & TABLE_NOUNS:
                own_words |= _TABLE_NOUN_STEMS
            if "number" in query.intents:  # "how many rows in total are in table 2?"
                own_words |= COUNTING_STEMS
            if query.aggregate is not None:  # "the mean height": its words ask no value
                own_words |= AGGREGATE_STEMS | query.aggregate.stems
            if own and query.terms <= own_words:
                return own
        return []
    chosen = f.extremes(f.select(rows))  # ("the longest X": of the rows it selects)
    if not chosen:
        return []
    if not f.years and not f.years_aside:  # years asked or set aside are a filter
        tables = {r.table for r in rows if any(r.id in c.rows for c in f.constraints)}
        if not tables:  # only values set aside: the tables holding them
            tables = {r.table for r in rows if any(r.id in c.rows for c in f.excluded)}
        total = sum(1 for r in rows if r.table in tables) or 1
        # a value set aside ("other than X"), asked alone ("X on its own") or a bound on
        # a number ("above 50") is a deliberate filter however many it keeps;
        # "the latest / earliest X" narrows X's rows to one year (see choose_rows)
        narrow = (
            any(len(c.rows) <= BROAD * total or c.bound for c in f.constraints)
            or bool((f.excluded or f.years_aside or query.alone) and "list" in query.intents)
            or bool((f.excluded or f.years_aside) and "number" in query.intents)
            or bool({"latest", "earliest"} & query.intents)
            or query.aggregate is not None  # a figure of the rows it selects
        )
        matched = {s for m in query.mentions for s in m.matched}
        named = matched | _YEARS_AND_NUMBERS(query) | _table_words(rows)
        if lexicon is not None:
            named |= lexicon.naming_words(tables)
        # (words the dictionary bridged to are searched, not asked)
        asked = query.terms - content_stems(" ".join(query.bridged))
        # "how many X trials ...?" counts the rows as a list shows them
        counting = (
            "number" in query.intents
            and query.unit is not None
            and lexicon is not None
            and names_rows(query.unit, tables, lexicon)
        )
        only = ("list" in query.intents or counting) and (
            asked <= named
            # the words of the column's other values: "which sites exceeded the limit?"
            # of a column of "Exceeded" and "Within limit" asks about that column alone
            or (
                lexicon is not None
                and asked
                <= named | _value_stems(lexicon, frozenset(c.column for c in f.constraints))
            )
        )
        if not narrow and not only:
            return []
    if "who" in query.intents and "list" not in query.intents and len(chosen) > 1:
        # the study whose cells hold the most of what the question names, counted by
        # question word (the stems of one hyphenated word count once)
        def of_row(r: TableRow) -> frozenset[str]:
            return frozenset().union(*(m.matched for m in query.mentions if r.id in m.entity.rows))

        holds = _words_held(chosen, _question_words(query), of_row)
        top = max(map(len, holds.values()))
        chosen = [r for r in chosen if len(holds[r.id]) == top]
    return chosen


def _sharpen(f: RowFilter, query: Query, rows: Sequence[TableRow]) -> RowFilter:
    """Within one column, drop the values most rows hold when the question also names
    a rarer one ("is X any good compared with Y", Y in nearly every row: X's rows)."""
    total = len(rows) or 1
    out = []
    for c in f.constraints:
        if c.compared:  # its rows compare with the value: they need not hold it
            out.append(c)
            continue
        mentions = [
            m
            for m in query.mentions
            if m.entity.column == c.column
            and m.entity.combination == c.combination
            and m.entity.text in c.values
        ]
        broad = [m for m in mentions if len(m.entity.rows) > BROAD * total]
        narrow = [
            m for m in mentions if m not in broad and not any(m.matched & b.matched for b in broad)
        ]
        if narrow and broad:
            rows_of = frozenset(r for m in narrow for r in m.entity.rows)
            c = Constraint(c.column, tuple(m.entity.text for m in narrow), rows_of, c.combination)
        out.append(c)
    return replace(f, constraints=tuple(out))


def _table_words(rows: Sequence[TableRow]) -> frozenset[str]:
    """Stems of the words that name a table (its label: "list the rows of *table 2*") or
    one of its columns ("list the *kites*")."""
    first = {r.table: r for r in rows}
    columns = (c.replace("_", " ") for r in first.values() for c, _ in r.cells)
    names = [*map(table_label, first), *columns]
    return content_stems(" ".join(names))


# Words for a table's parts and its order (English): "the rows of table 2", "the most
# recent entry".
# "which kites are in the table?": a table whose label is not "Table N"
_TABLE_NOUN_STEMS = frozenset(stem(w) for w in TABLE_NOUNS)
_TABLE_PARTS = frozenset(
    stem(w)
    for w in (
        *("row", "rows", "entry", "entries", "item", "items", "line", "lines", "record"),
        *("records", "recent", "latest", "newest", "earliest", "oldest"),
        # "list every kite", "all of them", "each one"
        *("every", "each", "all"),
    )
)


def _YEARS_AND_NUMBERS(query: Query) -> set[str]:  # noqa: N802
    return {t.stem for t in query.tokens if t.norm.isdigit()}


def choose_rows(
    query: Query,
    evidence: Evidence,
    quotes: Sequence[Scored],
    corpus_rows: Sequence[TableRow],
    lexicon: Lexicon,
) -> RowChoice:
    """The rows to show with the answer to ``query`` (see the module doc).

    A comparison keeps the rows whose cells hold the most of what it names ("X versus
    Y": the row that names both); "the most recent" / "the earliest" keeps the rows of
    the latest / earliest year.

    Args:
        query: The understood question.
        evidence: Its evidence (ranked passages, row passages among them).
        quotes: The sentences the answer quotes.
        corpus_rows: Every table row.
        lexicon: The corpus lexicon (idf, glossary).
    """
    choice = _choose(query, evidence, quotes, corpus_rows, lexicon)
    general = f"filter: {query.filter.describe()}"
    rows = [  # each row's reason names the filter's values its own cells hold
        replace(m, reason=m.reason.replace(general, f"filter: {query.filter.describe(m.row)}", 1))
        if m.reason.startswith(general)
        else m
        for m in choice.rows
    ]
    if rows and quotes:
        aside = _namesakes(query, quotes[0], {r.id: r for r in corpus_rows}, lexicon)
        rows = [m for m in rows if m.row.id not in aside]
        rows = _mark_quoted(rows, _crediting(quotes, evidence, query)[0], evidence)
    if "compare" in query.intents and len(rows) > 1:
        # counted by question word; when it names two or more values, by value first (the
        # words of one value together: "Mount St Helens" weighs as much as "Pinatubo"),
        # then by its other words
        words = _question_words(query)
        sides = list(dict.fromkeys(m.matched for m in query.mentions if m.matched))
        if len(sides) < 2:
            sides = []
        named = frozenset().union(*sides)
        held = _words_held(
            [m.row for m in rows],
            [(text, stems) for text, stems in words if not stems & named],
            lambda r: _cell_stems(r, lexicon),
        )
        count = {
            m.row.id: (
                sum(side <= _cell_stems(m.row, lexicon) for side in sides),
                len(held[m.row.id]),
            )
            for m in rows
        }
        top = max(count.values())
        rows = [m for m in rows if count[m.row.id] == top]
    dated = [m for m in rows if m.row.year is not None]
    if dated and {"latest", "earliest"} & query.intents:
        pick = max if "latest" in query.intents else min
        year = pick(m.row.year for m in dated if m.row.year is not None)
        rows = _at_the_end(query, [m for m in dated if m.row.year == year])
    if rows and any(c.extreme for c in query.filter.constraints):
        # "which of those has the longest span?": the extreme of the rows chosen
        keep = {r.id for r in query.filter.extremes([m.row for m in rows])}
        rows = [m for m in rows if m.row.id in keep]
    # a row the question sets aside ("did not use X", "not from 2013") is never shown,
    # whatever brought it (a quote citing it, retrieval)
    rows = [m for m in rows if not query.filter.sets_aside(m.row)]
    return RowChoice(tuple(rows), choice.listing)


def _at_the_end(query: Query, rows: list[RowMatch]) -> list[RowMatch]:
    """Of rows of one year, "the first one" / "the last one" is the first / last of them
    in the order the previous answer showed them; other questions keep them all."""
    order = {r: i for i, r in enumerate(query.referent_rows)}
    end = end_named(query.normalized)
    if len(rows) < 2 or end is None or not all(m.row.id in order for m in rows):
        return rows
    return [sorted(rows, key=lambda m: order[m.row.id])[end]]


def _choose(
    query: Query,
    evidence: Evidence,
    quotes: Sequence[Scored],
    corpus_rows: Sequence[TableRow],
    lexicon: Lexicon,
) -> RowChoice:
    if not corpus_rows:
        return RowChoice((), False)
    by_id = {r.id: r for r in corpus_rows}
    if "define" in query.intents and "list" not in query.intents:
        # "what is X?" is answered by a definition, and by X's row when X names one row as
        # a key does ("what is the Kestrel Bridge?" of a table of bridges; not the one
        # trial of a drug)
        named = {r.id for r in keyed_rows(query, corpus_rows)}
        if len(named) != 1 or (row := by_id.get(next(iter(named)))) is None:
            return RowChoice((), False)
        return RowChoice((RowMatch(row, f"filter: {query.filter.describe(row)}", 1.0),), False)
    referent = [by_id[i] for i in query.referent_rows if i in by_id]
    filtered = (
        list(evidence.filtered)
        if evidence.filtered is not None
        else filter_rows(query, corpus_rows, lexicon)
    )
    reason = f"filter: {query.filter.describe()}"
    before = query.referent.query.mentions if query.referent is not None else ()
    # values (not authors) the question names itself: "did X and Y do the same?" is its own
    # question, "the same drug as Smith?" still asks what the rows shown before share
    own = [m for m in query.mentions if m not in before and m.entity.kind != "author"]
    if referent and query.followup and "similar" in query.intents and not own:
        asked = frozenset(m.entity.column for m in before if m.entity.kind != "author")
        alike = _alike(referent, corpus_rows, lexicon, asked)
        if alike:
            shown = {
                r.id: RowMatch(r, "the rows the previous answer showed", 1.0) for r in referent
            }
            shown.update((m.row.id, m) for m in alike)
            return RowChoice(tuple(shown[r.id] for r in corpus_rows if r.id in shown), True)
    if referent and query.followup:
        # "which of them ...?" after one row shown of several its question selected
        # means those several: they were asked about, not shown
        was_shown = query.referent is None or set(query.referent_rows) <= set(query.referent.rows)
        left = query.referent is not None and query.referent.others
        if filtered:
            narrowed = [r for r in filtered if r in referent]
            if narrowed:
                when = "shown before" if was_shown else "asked about before"
                why = f"{reason}, of the rows {'the last answer left out' if left else when}"
                return RowChoice(_own_words(query, narrowed, why, lexicon), True)
        # "what about X?" asks of something else: the rows shown before are not its rows;
        # "which of *them* ...?" stays with them even when its own filter selects others
        if (not filtered and not query.filter.constraints and not query.swapped) or points_back(
            query
        ):
            why = (
                "the rows the last answer left out"
                if left
                else "the rows the previous answer showed"
                if was_shown
                else "the rows asked about before"
            )
            return RowChoice(_own_words(query, referent, why, lexicon), "list" in query.intents)
    # a why/how question asks for an explanation, not for rows: a value it names in
    # passing that many rows hold does not list them all; of its filter's rows, those its
    # evidence brings are shown (none when it brings none). Years it names are asked for.
    if (
        len(filtered) > NARRATIVE_ROWS
        and query.intents & REASONS
        and not query.intents & _ASKS_FOR_ROWS
        and query.filter.years is None
    ):
        brought = _from_evidence(query, evidence, quotes, by_id, lexicon)
        return RowChoice(tuple(m for m in brought if m.row in filtered), False)
    # ("which trial came first, X or Y?" picks by year, below, not by the quote)
    ordered = bool(query.intents & {"latest", "earliest"})
    if filtered and "who" in query.intents and len(filtered) > 1 and quotes and not ordered:
        named = _named_by(quotes[0], evidence, by_id)
        narrowed = [r for r in filtered if r.id in named]
        if narrowed:
            filtered = narrowed
            reason += ", the study the best quote reports"
    if filtered:
        # "which X gliders showed a lift gain?": of the X rows, not those with a cell
        # saying "No lift gain" (the question asks every word it denies), unless every
        # one does (then they are the answer: none did)
        asked = query.terms if not asks_negated(query) else frozenset()
        denied = {r.id: _denied(r, asked) for r in filtered}
        if any(denied.values()) and not all(denied.values()):
            said = dict.fromkeys(v for r in filtered for v in denied[r.id])
            filtered = [r for r in filtered if not denied[r.id]]
            reason += f", not those saying {' or '.join(repr(v) for v in said)}"
        return RowChoice(tuple(RowMatch(r, reason, 1.0) for r in filtered), True)
    return RowChoice(tuple(_from_evidence(query, evidence, quotes, by_id, lexicon)), False)


def _own_words(
    query: Query, rows: Sequence[TableRow], reason: str, lexicon: Lexicon
) -> tuple[RowMatch, ...]:
    """Of the rows a follow-up points back to, those whose cells hold the most of its other
    topical words: besides the values that selected the rows and the words naming their
    tables ("which of them was about *prediction*?"). The rows stay as they are when no
    such word tells them apart."""
    if any(t.norm in NEGATING for t in query.tokens):
        return tuple(RowMatch(r, reason, 1.0) for r in rows)  # "which was not about X?"
    named = {s for m in query.mentions for s in m.matched}
    topic = lexicon.naming_words({r.table for r in rows})
    words = {  # one entry per word however often it is typed
        text: w
        for text, stems in _question_words(query)
        if not text.isdigit() and (w := stems - named - topic)
    }
    # a cell saying "no X" does not hold X for a question that asks X
    holds = _words_held(
        rows, list(words.items()), lambda r: _cell_stems(r, lexicon) - _negated_stems(r)
    )
    top = max(map(len, holds.values()), default=0)
    if top == 0 or all(len(h) == top for h in holds.values()):
        return tuple(RowMatch(r, reason, 1.0) for r in rows)
    return tuple(
        RowMatch(r, f"{reason}; its cells hold {', '.join(holds[r.id])}", 1.0)
        for r in rows
        if len(holds[r.id]) == top
    )


def _alike(
    referent: Sequence[TableRow],
    corpus_rows: Sequence[TableRow],
    lexicon: Lexicon,
    asked: frozenset[str] = frozenset(),
) -> list[RowMatch]:
    """The other rows that share what the rows shown before have in common ("did anyone
    else find that?"): a value that every one of them holds and at most half of its
    table's rows do, in a column the earlier question asked about (any column but the
    author's when it named none), in table order, each with the shared cells as reason.
    """
    ids = {r.id for r in referent}
    per_table: dict[str, int] = {}
    for r in corpus_rows:
        per_table[r.table] = per_table.get(r.table, 0) + 1
    cells = {(r.id, column): value.lower() for r in referent for column, value in r.cells}
    shared: dict[str, str] = {}  # column -> the longest shared value its cells spell out
    found: dict[str, set[str]] = {}  # column -> rows
    for e in lexicon.entities:
        if e.kind == "author" or (asked and e.column not in asked):
            continue
        if not ids <= e.rows or len(e.rows) > BROAD * per_table.get(e.table, 0):
            continue
        if not all(e.text.lower() in cells.get((rid, e.column), "") for rid in ids):
            continue  # a long form or a part the cells do not spell out
        found.setdefault(e.column, set()).update(e.rows - ids)
        if len(e.text) > len(shared.get(e.column, "")):
            shared[e.column] = e.text
    return [
        RowMatch(r, f"shares {'; '.join(reasons)} with the rows shown before", 1.0)
        for r in corpus_rows
        if (reasons := [f"{c}: {shared[c]}" for c in shared if r.id in found[c]])
    ]


def _namesakes(
    query: Query, best: Scored, by_id: dict[str, TableRow], lexicon: Lexicon
) -> frozenset[str]:
    """Rows of another paper of an author the question names: when the best quote names
    that author with a reference no row has ("Smith et al[17] suggested in a review ..."
    while the table lists Smith et al[33]), the author's rows whose cells hold no question
    word the quote does not are not what the question asks about. Never for a question
    asking for rows ("list the studies by Smith et al"), nor when the quote also names
    the author with a reference a row has."""
    authors = [m for m in query.mentions if m.entity.kind == "author"]
    if not authors or query.intents & _ASKS_FOR_ROWS:
        return frozenset()
    refs = {r.ref for r in by_id.values()}
    found = find_authors(best.text)
    listed = {name.lower() for n, (name, _) in found.items() if n in refs}
    named = {name.lower() for n, (name, _) in found.items() if n not in refs} - listed
    rows = [
        by_id[r]
        for m in authors
        if m.entity.text.lower() in named
        for r in sorted(m.entity.rows)
        if r in by_id
    ]
    if not rows:
        return frozenset()
    words = _question_words(query)
    said = content_stems(best.text)
    quoted = {text for text, stems in words if stems & said}
    held = _words_held(rows, words, lambda r: _cell_stems(r, lexicon))
    return frozenset(r for r, h in held.items() if set(h) <= quoted)


def _mark_quoted(rows: list[RowMatch], best: Scored, evidence: Evidence) -> list[RowMatch]:
    """The rows, the one the best quote reports (by name or by its only citation) marked
    ``quoted``; none marked when the quote reports no shown row or several."""
    context = context_of(best, evidence)
    cited = _cited(best.text, context)
    refs = {n for n, _, by_name in cited if by_name}
    if len({n for n, _, _ in cited}) == 1:  # a list of citations reports no one study
        refs.update(n for n, _, _ in cited)
    reported = [m for m in rows if m.row.ref in refs]
    if len(reported) != 1:
        return rows
    return [replace(m, quoted=True) if m is reported[0] else m for m in rows]


def _crediting(quotes: Sequence[Scored], evidence: Evidence, query: Query) -> list[Scored]:
    """The quote whose studies answer: the best one, or when it cites none ("some drugs
    were tried as X.") and denies nothing asked, the first quote after it in its passage,
    when that one cites some ("... X (A[4], B[5])")."""
    if not quotes:
        return []
    best = quotes[0]
    if _cited(best.text, context_of(best, evidence)):
        return [best]
    if not asks_negated(query) and _denies(best.text, query.terms):
        return [best]  # "no X was found" credits no one, nor the sentence after it
    after = min(
        (
            q
            for q in quotes[1:]
            if q.passage_id == best.passage_id and q.sentence_index > best.sentence_index
        ),
        key=lambda q: q.sentence_index,
        default=None,
    )
    if after is not None and _cited(after.text, context_of(after, evidence)):
        return [after]
    return [best]


def _named_by(quote: Scored, evidence: Evidence, by_id: dict[str, TableRow]) -> set[str]:
    """Ids of the rows of the studies a quote reports by name, read in the passage it is
    credited to only: a who-question narrows to a study named there, not to one a
    sentence goes on about from an earlier passage (read so, "who looked at X?" lost one
    of two studies of X on a development set)."""
    context = evidence.hits[quote.hit].passage.text if quote.hit < len(evidence.hits) else ""
    refs = {n for n, _, by_name in _cited(quote.text, context) if by_name}
    return {r.id for r in by_id.values() if r.ref in refs}


_POINTERS = frozenset({"it", "its", "those", "these", "they", "them", "their"})


def points_back(query: Query) -> bool:
    """The question points at what was shown before ("did *they* help?", "was *that*
    safe?", "what about *the second one*?"); "colonies *that* swarmed" does not."""
    words = [t.norm for t in query.tokens]
    if any(w in _POINTERS or deictic(words, i) for i, w in enumerate(words)):
        return True
    return bool(shown_places(query.normalized))


def _from_evidence(
    query: Query,
    evidence: Evidence,
    quotes: Sequence[Scored],
    by_id: dict[str, TableRow],
    lexicon: Lexicon,
) -> list[RowMatch]:
    """Rows the evidence brings, each with why: the studies the best quote credits (or,
    when it cites none, the next quote of its passage: see :func:`_crediting`), and a row
    retrieved near the top whose own cells answer."""
    why: dict[str, str] = {}
    by_ref: dict[int, list[TableRow]] = {}
    for r in by_id.values():
        if r.ref is not None:
            by_ref.setdefault(r.ref, []).append(r)
    terms = _asked(query, lexicon)
    negated = asks_negated(query)
    for q in _crediting(quotes, evidence, query):
        if not negated and _denies(q.text, query.terms):
            continue  # "none of them showed X" does not credit them with X
        context = context_of(q, evidence) or q.text
        cited = _cited(q.text, context)
        # the (crediting) quote is the answer: the studies it reports by name, or the one or two
        # it cites ("... raised yields by a fifth[10,11]"), are the studies answering (those
        # with rows are shown). A list of citations ("[7-9]") backs a general statement
        # and credits none, unless it follows the clause that says what the question asks
        # ("X helped[4,5], Y did not[6-8]": "did Y help?" credits 6-8).
        few = len({n for n, _, _ in cited}) <= FEW_STUDIES
        clause = set() if few else _clause_cited(q.text, terms, lexicon)
        for n, label, by_name in cited:
            if by_name or few or n in clause:
                for r in by_ref.get(n, []):
                    why.setdefault(r.id, f"cited as {label} in {q.passage_id}")
    mentioned = {r for m in query.mentions for r in m.entity.rows}
    for h in evidence.hits[:TOP_ROWS]:
        hit_row = by_id.get(h.passage.id) if h.passage.kind == "row" else None
        if hit_row is None or hit_row.id in why or not (hit_row.id in mentioned or h.rank == 1):
            continue
        if terms and coverage(terms, _answering(hit_row, query, lexicon), lexicon) >= ROW_COVERAGE:
            why[hit_row.id] = f"the row itself matches (rank {h.rank})"
    keep = [
        (coverage(terms, _answering(r, query, lexicon), lexicon) if terms else 0.0, r, why[r.id])
        for r in by_id.values()
        if r.id in why
    ]
    if "who" in query.intents and len(keep) > 1:
        top = max(x[0] for x in keep)
        keep = [x for x in keep if x[0] >= top]
    return [RowMatch(r, reason, round(cov, 3)) for cov, r, reason in keep]


# A negation reaches the words after it up to the end of its clause (English), and at
# most DENIAL_REACH topical words; "not only" and "without" deny nothing asked.
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\band\b|\bbut\b|\bwhereas\b|\bwhile\b", re.IGNORECASE)
_CONTRACTED = re.compile(r"n[’']t\b", re.IGNORECASE)
_NOT_ONLY = re.compile(r"\bnot\s+only\b", re.IGNORECASE)
DENIAL_REACH = 3
_DENYING = NEGATING - {"without"}


def _folded(text: str) -> str:
    """Contractions spelled out ("didn't" -> "did not"), "not only" set aside."""
    return _NOT_ONLY.sub(" ", _CONTRACTED.sub(" not", text))


def _denies(sentence: str, terms: frozenset[str]) -> bool:
    """The sentence denies what the question asks: a negating word ("no", "none", "not",
    "didn't", "failed") stands before one of the question's terms in the same clause,
    at most :data:`DENIAL_REACH` topical words on ("none of them have shown survival
    benefits" for "which showed a survival benefit?"; not "not only X but ...", "did no
    harm and X", "without Y, X")."""
    if not terms or not _negates(sentence):
        return False
    for clause in _CLAUSE_END.split(_folded(sentence)):
        reach = -1
        for t in tokens(clause):
            if t.norm in _DENYING:
                reach = DENIAL_REACH
            elif t.content and reach > 0:
                if t.stem in terms:
                    return True
                reach -= 1
    return False


def asks_negated(query: Query) -> bool:
    """The question asks a negation ("which trials did not ...", "didn't")."""
    return any(t.norm in NEGATING for t in query.tokens) or bool(
        _CONTRACTED.search(query.normalized)
    )


@functools.lru_cache(maxsize=4096)
def _negates(sentence: str) -> bool:
    """The sentence holds a negating word at all (most do not)."""
    return not _DENYING.isdisjoint(re.findall(r"[a-z]+", _folded(sentence).lower()))


def _clause_cited(sentence: str, terms: frozenset[str], lexicon: Lexicon) -> set[int]:
    """The numbers of the one bracket whose clause (the words since the bracket before)
    holds the most of ``terms``, at least :data:`CLAUSE_COVERAGE` of them and more than
    any other clause; none when no clause stands out."""
    if not terms:
        return set()
    # (clause, numbers): brackets with nothing but spaces or commas between them ("[4][5],
    # [6]") are one list
    clauses: list[tuple[str, list[int]]] = []
    pos = 0
    for c in find_citations(sentence):
        between = sentence[pos : c.start]
        if clauses and not between.strip(" ,;"):
            clauses[-1][1].extend(c.numbers)
        else:
            clauses.append((between, list(c.numbers)))
        pos = c.end
    if len(clauses) < 2:  # one list: it backs the whole sentence, no clause stands out
        return set()
    scored = sorted(
        ((coverage(terms, stem_set(text), lexicon), numbers) for text, numbers in clauses),
        key=lambda x: -x[0],
    )
    if scored[0][0] < CLAUSE_COVERAGE or scored[1][0] >= scored[0][0]:
        return set()
    return set(scored[0][1])


@functools.lru_cache(maxsize=1024)
def _cited(sentence: str, context: str) -> tuple[tuple[int, str, bool], ...]:
    """``(reference, as printed, named)`` for the studies a sentence reports: its own
    citations, or the study it goes on about ("The authors also ..."). ``named`` is
    True when the study is named by its author ("Smith et al[7]"). Memoized: an answer
    reads its best quote more than once, and the corpus's sentences recur."""
    authors = find_authors(sentence)
    own = tuple(
        (n, sentence[c.start : c.end], n in authors)
        for c in find_citations(sentence)
        for n in c.numbers
    )
    if own:
        return own
    previous = continues_from(sentence, context)
    return ((previous[0], f"{previous[1]}[{previous[0]}]", True),) if previous else ()


def studies_reported(sentence: str, context: str) -> frozenset[int]:
    """Reference numbers of the studies a sentence reports (see :func:`_cited`)."""
    return frozenset(n for n, _, _ in _cited(sentence, context))


@functools.lru_cache(maxsize=64)
def _value_stems(lexicon: Lexicon, columns: frozenset[str]) -> frozenset[str]:
    """Stems of the values the corpus's tables hold in these columns."""
    cells = (v for t in lexicon.tables for r in t.rows for c, v in r.cells if c in columns)
    return frozenset(content_stems(" ".join(cells)))


def _asked(query: Query, lexicon: Lexicon) -> frozenset[str]:
    """The question's words that can pick a row: its topical stems minus those most
    rows hold (a value shared by most rows says nothing about which)."""
    return frozenset(t for t in query.terms if t not in _common_stems(lexicon))


@functools.lru_cache(maxsize=8)
def _common_stems(lexicon: Lexicon) -> frozenset[str]:
    rows = [r for t in lexicon.tables for r in t.rows]
    counts: dict[str, int] = {}
    for r in rows:
        for s in _cell_stems(r, lexicon):
            counts[s] = counts.get(s, 0) + 1
    return frozenset(s for s, c in counts.items() if c > BROAD * len(rows))


def _question_words(query: Query) -> list[tuple[str, frozenset[str]]]:
    """The question's topical words, each with its stems (the parts of a hyphenated word
    together: a name of several parts counts as one word)."""
    return [(t.text, frozenset(parts(t))) for t in query.tokens if t.content]


def _words_held(
    rows: Sequence[TableRow],
    words: Sequence[tuple[str, frozenset[str]]],
    stems_of: Callable[[TableRow], frozenset[str]],
) -> dict[str, list[str]]:
    """Per row id, the words (as typed) some of whose stems the row holds by ``stems_of``:
    rows are told apart by how many of the question's words they hold."""
    return {r.id: [text for text, stems in words if stems & stems_of(r)] for r in rows}


@functools.lru_cache(maxsize=4096)
def _negated_stems(row: TableRow) -> frozenset[str]:
    """Stems of the cells of a row that say no ("No benefit": all of its stems)."""
    return frozenset(s for _, v in row.cells[1:] if _says_no(v) for s in stem_set(v))


def _says_no(cell: str) -> bool:
    return any(t.norm in NEGATIONS for t in tokens(cell))


def _denied(row: TableRow, asked: frozenset[str]) -> list[str]:
    """The cells of a row that deny what is asked: they say no, and every other word of
    theirs is one of ``asked`` ("No lift gain" for "which showed a lift gain?", not for
    "which measured lift?")."""
    return [
        v
        for _, v in row.cells[1:]
        if asked
        and _says_no(v)
        and (words := {t.stem for t in tokens(v) if t.content and t.norm not in NEGATIONS})
        and all(holds(w, asked) for w in words)
    ]


def _answering(row: TableRow, query: Query, lexicon: Lexicon) -> frozenset[str]:
    """The question's stems a row's cells answer: those they hold, and the plain words a
    corpus word they hold was bridged from ("spread" and "cancer" for a cell naming the
    corpus word whose definition holds them)."""
    have = _cell_stems(row, lexicon)
    bridged = [w for w in query.bridged if stem(w) in have]
    if not bridged:
        return have
    glosses = lexicon.bridge.glosses
    return have.union(*(glosses.get(w, frozenset()) & query.terms for w in bridged))


@functools.lru_cache(maxsize=4096)
def _cell_stems(row: TableRow, lexicon: Lexicon) -> frozenset[str]:
    """Stems of a row's text cells (key and numbers aside), abbreviations spelled out."""
    text = " ".join(v for _, v in row.cells[1:])
    extra = lexicon.expander.expansions(text)
    return stem_set(" ".join([text, *extra]))
