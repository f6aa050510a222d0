"""One calibrated refusal: does the corpus answer this question?

:func:`judge` is a single decision over a few measured signals of the question and
its evidence, combined by a logistic model whose weights and threshold (a
:class:`Policy`) are fitted on gold sets with cross-validation
(:mod:`hccqa.evaluation.calibrate`) and kept in :class:`~hccqa.settings.Settings`,
one per encoder. No signal refuses on its own: a word the corpus never uses lowers
the odds, and strong evidence for the other words raises them again.

The signals (each in [0, 1] or a cosine):

- ``cosine``: the best sentence's cosine with the question;
- ``coverage``: the largest idf-weighted share of the question's words in one sentence;
- ``unknown``: 1 when the question names something (a word neither the corpus nor
  English knows, after spelling correction) the corpus never mentions;
- ``absent``: the share of the question's topical English words the corpus never uses;
- ``rows``: 1 when the question's structured filter selects table rows;
- ``listed``: 1 when the question asks for a list and its filter selects the rows
  (the rows are then the answer, whatever words the sentences hold);
- ``shape``: 1 when the question asks for a number or a year and none of the best
  sentences gives one (for "how many X", a number of X; for "what percentage", a
  percentage; for "how long", a span of time); a number counts only in a sentence that
  also holds the question's rarest corpus word (:attr:`Query.anchor`), or right after
  one that does ("Mount X erupted in 1991. About 850 people died."): "how many
  patients did trial A enrol" is not answered by a count of trial B's patients; a
  row the question names by its key answers with a number in a column the counted word
  names ("how many deaths at X": X's row, column "deaths"), the rows a filter selects
  answer "how many <what the rows are> ..." (:func:`counts_rows`), and a question asking
  of a word the corpus never uses is answered by no number; a "when" inside a why or how
  question ("why do X fail when Y") is a clause, not a date asked;
- ``focus``: 1 when a wh-question's focus ("which *cell line*") appears whole in none
  of the best sentences that hold the question's anchor (nor in a selected row's column
  names).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..corpus.citations import named_next
from ..types import TableRow, table_label
from ..understand.bounds import AGGREGATE_STEMS
from ..understand.filters import year_range
from ..understand.lexicon import NEGATING, Lexicon
from ..understand.query import ASKED_NOT_ABOUT, ENTRY_STEMS, REASONS, Query
from ..understand.words import (
    NUMBER_WORD,
    NUMBER_WORDS,
    STOPWORDS,
    content_stems,
    has_number,
    parts,
    stem_set,
    tokens,
)
from .evidence import Evidence, Scored, context_of
from .facts import YEAR, holds, names_rows, previous_sentence, sentence_stems

BEST = 3  # sentences whose shape and focus are checked

SIGNALS = (
    "cosine",
    "coverage",
    "unknown",
    "absent",
    "rows",
    "listed",
    "shape",
    "focus",
)


@dataclass(frozen=True)
class Policy:
    """A fitted refusal model: ``P(answerable) = sigmoid(bias + sum(w_i * x_i))``.

    Attributes:
        weights: Signal name -> weight.
        bias: The intercept.
        threshold: Answer when the probability is at least this.
        means: Signal name -> its mean on the calibration data (to say which signal
            pulled a refusal down the most).
        note: Where the policy comes from (data, folds, scores).
    """

    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5
    means: Mapping[str, float] | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "weights": dict(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "means": dict(self.means or {}),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Policy:
        """Read a policy written by :meth:`to_dict` (unknown signals are rejected).

        Raises:
            ValueError: a weight names no signal, or a number is missing.
        """
        missing = [k for k in ("weights", "bias") if k not in data]
        if missing:
            raise ValueError(f"a refusal policy needs {' and '.join(missing)}")
        weights = dict(data["weights"])  # type: ignore[call-overload]
        unknown = set(weights) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown judge signals {sorted(unknown)}; known: {SIGNALS}")
        return cls(
            weights={k: float(v) for k, v in weights.items()},
            bias=float(data["bias"]),  # type: ignore[arg-type]
            threshold=float(data.get("threshold", 0.5)),  # type: ignore[arg-type]
            means={k: float(v) for k, v in dict(data.get("means") or {}).items()},  # type: ignore[call-overload]
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class Verdict:
    """The judge's decision.

    Attributes:
        answer: True when the corpus answers the question.
        probability: The model's probability that it does.
        reason: For a refusal, the signal that pulled the decision down the most, in words.
        signals: The measured signals.
    """

    answer: bool
    probability: float
    reason: str | None
    signals: Mapping[str, float]


def measure(
    query: Query,
    evidence: Evidence,
    *,
    rows: Sequence[TableRow] = (),
    row_kind: frozenset[str] = frozenset(),
    lexicon: Lexicon | None = None,
) -> dict[str, float]:
    """The judge's signals for a question and its evidence (see the module doc).

    Args:
        query: The understood question.
        evidence: Its evidence.
        rows: The table rows its filter (or, for a follow-up, the previous answer)
            selects; a row's year answers "when".
        row_kind: Stems of what those rows' tables say every row is (their titles' and
            columns' words): a selected row answers "which <kind>".
        lexicon: The corpus lexicon: a sentence then holds the question's anchor also
            through an abbreviation's long form, word for word ("IPM" holds "pest" when
            the glossary spells it "integrated pest management").
    """

    def doc_of(sentence: Scored) -> str | None:
        hits = evidence.hits
        return hits[sentence.hit].passage.doc_id if sentence.hit < len(hits) else None

    def about(anchor: str | None, sentence: Scored) -> bool:
        """The sentence holds the anchor (or a variant of it); through an abbreviation,
        only its long form's very word ("manag" is not held by a longer "managerial");
        an author's name also through a citation of their study ("...[7]"), in the
        sentence or in the next one of its passages when that one names the study it
        described ("This study ...[7]")."""
        text = sentence.text
        if anchor is None or holds(anchor, stem_set(text)):
            return True
        if lexicon is None:
            return False
        doc = doc_of(sentence)
        if anchor in sentence_stems(text, lexicon) or anchor in lexicon.cited_names(text, doc):
            return True
        # "A trial was run in 21 countries. This study showed ...[10]": about study 10
        follow = named_next(text, context_of(sentence, evidence))
        return bool(follow) and anchor in lexicon.cited_names(follow, doc)

    content = [t for t in query.tokens if t.content and not t.norm.isdigit()]
    absent = len(query.absent) / len(content) if content else 0.0
    best = list(evidence.sentences[:BEST])
    shape_missing = 0.0
    if "number" in query.intents and best:
        # a number of the asked thing, in a sentence about the question's rarest word
        anchor = query.anchor
        # numbers the question states with the word before them ("stage 2"), also in the
        # long forms of the short forms it uses ("FT7": "frame type 7")
        stated = stated_numbers(" ".join([query.normalized, *query.spelled]))
        # a question whose topical words the corpus uses none of, asking of a word or
        # name it never uses ("how long is the X?"), asks of something no sentence is
        # about ("how many countries took part?" asks of no such word)
        unanchored = (
            anchor is None
            and _asks_of_a_stranger(query)
            and not any(
                lexicon is None or lexicon.document_frequency.get(t, 0) > 0
                for t in query.terms - ASKED_NOT_ABOUT - {query.unit or ""}
            )
        )
        # a number of one year the question names ("how many came in 2019?") is read
        # only from a sentence of that year (or right after one)
        year = query.filter.years or year_range(query.normalized)
        one_year = re.compile(rf"(?<!\d){year[0]}(?!\d)") if year and year[0] == year[1] else None

        def of_the_year(s: Scored) -> bool:
            if one_year is None:
                return True
            return bool(
                one_year.search(s.text) or one_year.search(sentence_before(s, evidence).text)
            )

        counted = (
            not unanchored
            and any(
                counts(s.text, query.unit, stated=stated)
                and of_the_year(s)
                and (
                    about(anchor, s)
                    or (not names_its_own(s.text) and about(anchor, sentence_before(s, evidence)))
                )
                for s in best
                if not s.row
            )
            or any(column_counts(r, query.unit) for r in keyed_rows(query, rows))
            # "how many rivers are longer than X?": the rows selected are what is counted
            or (lexicon is not None and counts_rows(query, rows, lexicon))
            # "the average height of the X": the rows selected give the figure
            or (query.aggregate is not None and query.aggregate.of(rows) is not None)
            # "how many died at X?" (a count of no named thing): X's row's numbers
            or (
                query.unit is None
                and lexicon is not None
                and _with_numbers(keyed_rows(query, rows), lexicon)
            )
        )
        shape_missing = 0.0 if counted else 1.0
    elif "when" in query.intents and asks_date(query) and best:
        dated = any(YEAR.search(s.text) for s in best) or any(r.year for r in rows)
        shape_missing = 0.0 if dated else 1.0
    focus_missing = 0.0
    if query.focus and best:
        # the whole phrase, in one sentence: "which cell line" is not answered by a
        # sentence that names a cell alone; a column of a selected row answers it too ("what was
        # the <column> of ...")
        columns = {name.replace("_", " ") for r in rows for name, _ in r.cells}
        anchor = query.anchor
        places = [stem_set(s.text) for s in best if about(anchor, s)]
        places.append(frozenset().union(row_kind if rows else frozenset(), *map(stem_set, columns)))
        # the rows' own values name it too: "which suspension bridges ...?" of a table of
        # bridges, answered by its rows of type "Suspension"
        places.append(
            frozenset().union(row_kind, *(stem_set(v) for r in rows for _, v in r.cells))
            if rows
            else frozenset()
        )
        if query.aggregate is not None and rows:  # "the average weight": of a kg column
            places.append(query.aggregate.stems | AGGREGATE_STEMS)
        named = any(all(holds(f, have) for f in query.focus) for have in places)
        focus_missing = 0.0 if named else 1.0
    return {
        "cosine": evidence.cosine,
        "coverage": evidence.coverage,
        "unknown": 1.0 if query.unknown else 0.0,
        "absent": absent,
        "rows": 1.0 if rows else 0.0,
        "listed": 1.0 if rows and "list" in query.intents else 0.0,
        "shape": shape_missing,
        "focus": focus_missing,
    }


# Words before what a question is about ("how long is *the* X", "the depth *of* X")
_BEFORE_A_SUBJECT = frozenset(
    ["the", "a", "an", "of", "in", "at", "on", "for", "about", "is", "are", "was", "were"]
)


def _asks_of_a_stranger(query: Query) -> bool:
    """A word or name the corpus never uses stands where the question names what it asks
    about: right after an article, a preposition or "is"."""
    strangers = {*query.absent, *query.unknown}
    toks = query.tokens
    return any(
        b.text in strangers and a.norm in _BEFORE_A_SUBJECT
        for a, b in zip(toks, toks[1:], strict=False)
    )


def names_its_own(text: str) -> bool:
    """The sentence names a subject of its own: a capitalized word after its first ("The
    Severn is 354 km long."), so it does not go on about the one before."""
    return any(
        t.text[:1].isupper() and t.text.isalpha() and t.text != "I" for t in tokens(text)[1:]
    )


def sentence_before(sentence: Scored, evidence: Evidence) -> Scored:
    """The sentence before ``sentence`` in its passage (as a :class:`Scored` of the same
    passage), or an empty one: "Mount X erupted in 1991. About 850 people died." is
    about X."""
    return sentence._replace(text=previous_sentence(sentence.text, context_of(sentence, evidence)))


def counts_rows(query: Query, rows: Sequence[TableRow], lexicon: Lexicon) -> bool:
    """ "How many *rivers* are longer than X?": what a number question counts is what the
    rows its filter selects are, a word of their table's title or key column ("Rivers of
    the world", "river"); a noun for a study stands for another ("trials" of a table of
    "Clinical studies"). Not when the question names a row by its key ("how many lakes
    are deeper than Lake X?" compares with X), nor when it negates what its filter did
    not read as a value set aside: the rows then are not the count ("how many trials did
    not use X?" counts the rows without X)."""
    unit = query.unit
    if not rows or unit in _UNIT_NAMES:
        return False
    if unit is None:
        # "how many are there?", "how many of them were X?" of the rows shown before: those
        # it narrows to, when it asks nothing else ("how many died?" counts no rows)
        named = {s for m in query.mentions for s in m.matched}
        return query.followup and all(set(parts(t)) <= named for t in query.content)
    negates = any(t.norm in NEGATING for t in query.tokens)
    # (a negation read as a value set aside, or said by a value: "no change", is the rows')
    understood = query.filter.excluded or query.filter.years_aside
    said = any(m.entity.negated for m in query.mentions)
    # ("how many X are in <a city>?" counts the rows of that city; a name compared with,
    # "how many are larger than <a name>?", is no row of the count)
    if keyed_rows(query, rows, own=bool(query.compared)) or (
        negates and not understood and not said
    ):
        return False
    if query.filter.table and unit in ENTRY_STEMS:  # "how many entries are in table 2?"
        return True
    return names_rows(unit, {r.table for r in rows}, lexicon)


def keyed_rows(query: Query, rows: Sequence[TableRow], *, own: bool = True) -> list[TableRow]:
    """The rows the question names by their key ("how long is the Nile?": the Nile's row),
    or, with ``own``, by their name beside a key of codes (:attr:`Entity.own`), whose cells
    are then about what it asks; a row picked by another cell ("the dam" of a river's
    note) is not what its numbers measure."""
    named = {
        rid
        for m in query.mentions
        for rid in m.entity.rows
        if m.how == "whole" and (m.entity.kind == "key" or (own and m.entity.own))
    }
    # and by a key of codes, or one after its column's word ("L5", "ref 12")
    named |= {rid for c in query.filter.constraints if c.key for rid in c.rows}
    return [r for r in rows if r.id in named]


def _with_numbers(rows: Sequence[TableRow], lexicon: Lexicon) -> bool:
    """A row of a table with a column of numbers (not years, not keys) has a number in it."""
    numeric = lexicon.number_columns
    return any((r.table, name) in numeric and has_number(v) for r in rows for name, v in r.cells)


def column_counts(row: TableRow, unit: str | None) -> bool:
    """A cell of ``row`` gives a number of ``unit``: its column is named by it ("how many
    deaths": a number in the column "deaths")."""
    if unit is None or len(unit) < 2:
        return False
    return any(
        has_number(value) and holds(unit, stem_set(name.replace("_", " ")))
        for name, value in row.cells
    )


_TIME_WORDS = (
    r"(?:mo|months?|years?|yrs?|weeks?|days?|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|"
    r"decades?|centur(?:y|ies))"
)
# A number in digits or in words
_NUMBER_WORD = rf"(?:\d+(?:[.,]\d+)?|{NUMBER_WORD})"
# A length of time: a number, "several" or "a few", and a unit of time ("3 mo", "four to
# six hours": "six hours", "twenty-four hours", "1.5 years", "several weeks")
_LENGTH = re.compile(
    rf"(?<![\w.])(?:{_NUMBER_WORD}|several|a few)(?:\s+|-){_TIME_WORDS}(?![\w])",
    re.IGNORECASE,
)
# An amount of money: a currency sign or code before or after a number (a "million" or
# "billion" between), or a currency word after it ("pounds" only with "£" or GBP: it weighs
# too; codes that are also medical short forms, "INR", "AUD", are left out)
_MONEY = re.compile(
    r"[$€£¥₹]\s?\d|(?<![\d.,])\d(?:[\d.,]*\d)?\s?(?:(?:million|billion|thousand|[mbk])\s?)?"
    r"(?:[$€£¥₹]|(?:dollars?|euros?|yuan|yen|rupees?|usd|eur|gbp|jpy|cny)\b)|"
    r"\b(?:usd|eur|gbp|jpy|cny)\s?\d",
    re.IGNORECASE,
)
# An amount of a dose: a number and a unit of mass, volume or radiation ("400 mg", "5
# mg/kg", "2.5 µg", "60 Gy"; "g" in lower case only; not a concentration, "5 mmol/L", nor
# a body weight, "70 kg"), a number of doses or tablets, or a schedule ("twice daily",
# "every 3 weeks", "b.i.d.")
_DOSE = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s?(?:mg|µg|μg|mcg|ug|ng|ml|IU|Gy|mmol|mEq|(?-i:g))(?![\w])"
    r"(?!\s*/\s*(?:l|dl|ml)\b)|"
    rf"(?<![\w.]){_NUMBER_WORD}\s+(?:doses|tablets?|capsules?|pills?)\b|"
    r"\b(?:once|twice|thrice|three times|\d+ times)\s+(?:a\s+|per\s+)?"
    r"(?:day|daily|week|weekly)\b|\bevery\s+\d+\s+(?:hours?|days?|weeks?)\b|\bb\.i\.d\b",
    re.IGNORECASE,
)
# A distance: a number and a unit of length ("6,650 km", "40 metres", "3 mi")
_DISTANCE = re.compile(
    r"(?<![\w.,])\d+(?:[.,]\d+)*\s?(?:km|m|mi|ft|cm|mm|miles?|metres?|meters?|kilomet(?:re|er)s?|"
    r"feet|foot|yards?|inches)(?![\w])",
    re.IGNORECASE,
)
# A share: a percentage, "half", "the majority", or a fraction in words ("one fifth of",
# "a third of", "two-thirds of", "one in ten"; not "a third study")
_PERCENT = re.compile(
    r"\d\s*%|\bpercent|\bhalf\b|\bmajority\b|"
    r"\b(?:a|one|two|three|four|five|six|seven|eight|nine)[\s-]+"
    r"(?:thirds?|quarters?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)\s+of\b|"
    r"\bone in (?:two|three|four|five|six|seven|eight|nine|ten|\d+)\b",
    re.IGNORECASE,
)


def counts(sentence: str, unit: str | None, *, stated: Sequence[tuple[str, str]] = ()) -> bool:
    """True when the sentence gives a number of ``unit`` (see :attr:`Query.unit`).

    A number ``stated`` by the question with the word before it ("in the stage 2 study":
    ``("stage", "2")``) is the question's own words where the sentence has them so ("stage
    2", "stage-2"), not an answer; the same number elsewhere ("2 years") still counts.
    """
    by_word: dict[str, set[str]] = {}
    for word, number in stated:
        by_word.setdefault(word.lower(), set()).add(number)
    for word, numbers in by_word.items():
        pattern = rf"(?<![\w-]){re.escape(word)}[\s-]+{_NUM}(?![.,]?\d)(?:{_MORE})*"

        def drop(m: re.Match[str], numbers: set[str] = numbers) -> str:
            # only a mention whose every number the question states with this word
            return " " if set(re.findall(_NUM, m.group(0))) <= numbers else m.group(0)

        sentence = re.sub(pattern, drop, sentence, flags=re.IGNORECASE)
    if unit is None:
        return has_number(sentence)
    if unit == "%":
        return bool(_PERCENT.search(sentence))
    if unit == "money":
        return bool(_MONEY.search(sentence))
    if unit == "dose":
        return bool(_DOSE.search(sentence))
    if unit == "time":
        return bool(_LENGTH.search(sentence))
    if unit == "length":
        return bool(_LENGTH.search(sentence) or _DISTANCE.search(sentence))
    toks = tokens(sentence)
    for i, t in enumerate(toks):
        if (t.norm.isdigit() and not YEAR.fullmatch(t.norm)) or t.norm in NUMBER_WORDS:
            after = [x.stem for x in toks[i + 1 : i + 4]]
            if any(a == unit or holds(unit, frozenset([a])) for a in after):
                return True
    return False


# a number and the word before it ("stage 2", "stage-3", "type 2,000"), and the numbers
# of a range or list after it ("grade 3-4", "grade 3 or 4")
_NUM = r"\d+(?:[.,]\d+)*"
_MORE = rf"\s*(?:-|–|/|,|or|and|to)\s*{_NUM}(?![.,]?\d)"
_STATED = re.compile(rf"(?<![\w-])([^\W\d_][\w-]*?)[\s-]+({_NUM}(?![.,]?\d)(?:{_MORE})*)")


def stated_numbers(text: str) -> list[tuple[str, str]]:
    """The numbers ``text`` states, each with the word before it (a function word names
    nothing: "in 2", "the 3")."""
    return [
        (word, number)
        for word, numbers in _STATED.findall(text)
        if word.lower() not in STOPWORDS
        for number in re.findall(_NUM, numbers)
    ]


def asks_date(query: Query) -> bool:
    """A "when" question asks a date, unless it is a why or how question whose "when" is a
    clause ("why are X found when it is too late"); "when and why ...", "why ... and when"
    and a question opening with "when" still ask one."""
    if not query.intents & REASONS:
        return True
    words = [t.norm for t in query.tokens]
    if words and words[0] == "when":
        return True
    pairs = set(zip(words, words[1:], strict=False))
    return ("and", "when") in pairs or ("when", "and") in pairs


# The refusal of a question made of function words only ("the the the", "why?" on its own).
NOTHING_ASKED = "the question names nothing to look for"
NO_ROW_FITS = "no table row fits"  # the start of the reason of a list no row passes


def probability(policy: Policy, signals: Mapping[str, float]) -> float:
    """The policy's probability that the question is answered."""
    z = policy.bias + sum(w * signals.get(k, 0.0) for k, w in policy.weights.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def judge(
    query: Query,
    evidence: Evidence,
    policy: Policy,
    *,
    rows: Sequence[TableRow] = (),
    row_kind: frozenset[str] = frozenset(),
    lexicon: Lexicon | None = None,
) -> Verdict:
    """Decide whether the corpus answers the question.

    Args:
        query: The understood question.
        evidence: Its evidence.
        policy: The fitted refusal model.
        rows: The table rows the question selects (see :func:`measure`).
        row_kind: What those rows' tables say every row is (see :func:`measure`).
        lexicon: The corpus lexicon (see :func:`measure`).
    """
    signals = measure(query, evidence, rows=rows, row_kind=row_kind, lexicon=lexicon)
    if not evidence.hits:
        return Verdict(False, 0.0, "nothing was retrieved", signals)
    if "gist" in query.intents and not (query.terms or query.mentions or query.unknown):
        # "what is this document about?": any corpus answers its own gist
        return Verdict(True, 1.0, None, signals)
    if not query.terms and not query.mentions and not query.filter.specific:
        # "the the the", "why?" on its own: any sentence would do as well as any other
        return Verdict(False, 0.0, NOTHING_ASKED, signals)
    p = probability(policy, signals)
    if query.referent is not None and query.referent.others and not query.referent.rows:
        # "which ones are not?" after an answer that showed every row of its tables
        return Verdict(False, p, f"{NO_ROW_FITS}: the last answer showed them all", signals)
    if not rows and _lists_none(query, lexicon) and not _said_in_prose(query, evidence):
        # "which X are from 2010?" when no row is: the rows are the answer, and there are
        # none; whatever the sentences share with the question, they do not list them
        return Verdict(False, p, f"{NO_ROW_FITS} {_filter_words(query)}", signals)
    if p >= policy.threshold:
        return Verdict(True, p, None, signals)
    return Verdict(False, p, _reason(query, policy, signals), signals)


def _lists_none(query: Query, lexicon: Lexicon | None) -> bool:
    """The question asks for the rows its own filter selects (a list with values, years
    or bounds of its own; not a follow-up, whose rows are the previous answer's), and no
    row of any table passes it."""
    if "list" not in query.intents or query.followup or not query.filter.specific:
        return False
    tables = lexicon.tables if lexicon is not None else ()
    return bool(tables) and not any(query.filter.passes(r) for t in tables for r in t.rows)


def _said_in_prose(query: Query, evidence: Evidence) -> bool:
    """A best sentence holds the filter's years and values and another topical word of
    the question, though no row does ("Old Ridge windmill was built in 1890" for "which
    windmills were built in 1890?"; not "The depot opened in 1890")."""
    f = query.filter
    asked = {y for c in f.constraints for v in c.values for y in content_stems(v)}
    others = query.terms - asked - {t.stem for t in query.tokens if t.norm.isdigit()}
    for s in evidence.sentences[:BEST]:
        if s.row:
            continue
        if f.years is not None and not any(
            f.years[0] <= int(y) <= f.years[1] for y in _A_YEAR.findall(s.text)
        ):
            continue
        have = stem_set(s.text)
        if not others & have:
            continue
        if all(any(content_stems(v) <= have for v in c.values) for c in f.constraints):
            return True
    return False


_A_YEAR = re.compile(r"(?<![\d.,])-?\d{3,4}(?![\d.,]\d)")  # any year, early ones too


def _filter_words(query: Query) -> str:
    """The filter in words: "year 2010 in Table 2"."""
    described = query.filter.describe()
    table = query.filter.table
    return f"{described} in {table_label(table)}" if table else described


def _reason(query: Query, policy: Policy, signals: Mapping[str, float]) -> str:
    """The signal that pulled the probability down the most, relative to its mean."""
    means = policy.means or {}
    # "listed" is 0 for every question that asks for no list: no reason for those
    weights = {k: w for k, w in policy.weights.items() if k != "listed" or "list" in query.intents}
    pulls = {k: w * (signals.get(k, 0.0) - means.get(k, 0.0)) for k, w in weights.items()}
    worst = min(pulls, key=lambda k: pulls[k]) if pulls else "cosine"
    value = signals.get(worst, 0.0)
    if worst == "unknown":
        return f"the question names {_listed(query.unknown)}, which the corpus never mentions"
    if worst == "absent":
        words = _listed(query.absent) or "its words"
        return f"the corpus never uses {words} ({value:.0%} of the question's topical words)"
    if worst == "shape":
        return f"the question asks for {_asked_for(query)} and the nearest sentences give none"
    if worst == "focus":
        return "the nearest sentences do not name what the question asks for"
    if worst == "coverage":
        if query.absent:
            return (
                "no passage holds the question's key words: the corpus never uses "
                f"{_listed(query.absent)}"
            )
        return f"no passage holds the question's key words (coverage {value:.2f})"
    if worst == "rows":
        return "no table row fits the question"
    if worst == "listed":
        return "the question asks for a list and no table rows fit it"
    return f"no sentence is close to the question (cosine {signals.get('cosine', 0.0):.2f})"


def _listed(words: Sequence[str]) -> str:
    """The words, each once (as first typed), comma-separated."""
    return ", ".join(dict.fromkeys(words))


_UNIT_NAMES = {
    "%": "a percentage",
    "money": "an amount of money",
    "dose": "a dose",
    "time": "a length of time",
    "length": "a length",
}


def _asked_for(query: Query) -> str:
    """What a question whose answer has a shape asks for, in words ("a dose", "a number
    of patients", "a date")."""
    if "number" not in query.intents:
        return "a date"
    unit = query.unit
    if unit is None:
        return "a number"
    if unit in _UNIT_NAMES:
        return _UNIT_NAMES[unit]
    word = next((t.text.lower() for t in query.tokens if t.stem == unit), None)
    return f"a number of {word}" if word else "a number"


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    *,
    l2: float = 1.0,
    iterations: int = 50,
    signals: Sequence[str] = SIGNALS,
    balanced: float = 0.5,
) -> Policy:
    """Fit a logistic model by Newton's method with an L2 penalty (bias not penalized).

    Args:
        rows: Signals per example.
        labels: 1 = answerable, 0 = not.
        l2: Penalty on the weights.
        iterations: Newton steps at most.
        signals: The signals to use.
        balanced: How far to weigh the two classes equally: each example counts
            ``(n / (2 n_class)) ** balanced``; 1 makes the threshold 0.5 balance the two
            error rates, 0 the number of errors on data mixed like the gold sets.

    Returns:
        A :class:`Policy` with threshold 0.5 and the signals' means.
    """
    import numpy as np

    x = np.array([[r.get(s, 0.0) for s in signals] for r in rows], dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    weight = np.ones(len(y))
    if balanced and len(y):
        for label in (0.0, 1.0):
            n = float((y == label).sum())
            if n:
                weight[y == label] = (len(y) / (2 * n)) ** balanced
    x1 = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(x1.shape[1])
    penalty = np.eye(x1.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x1 @ beta, -50, 50)))
        grad = x1.T @ (weight * (p - y)) + penalty @ beta
        hess = x1.T @ (x1 * (weight * p * (1 - p))[:, None]) + penalty + np.eye(len(beta)) * 1e-9
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    means = {s: float(v) for s, v in zip(signals, x.mean(axis=0), strict=True)} if len(x) else {}
    return Policy(
        weights={s: round(float(b), 4) for s, b in zip(signals, beta[1:], strict=True)},
        bias=round(float(beta[0]), 4),
        means={k: round(v, 4) for k, v in means.items()},
    )
