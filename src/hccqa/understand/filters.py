"""Row filters read from a question: years, phase, drug, pathway or gene, outcome, table.

``parse_filters("Which phase 3 trials since 2012 showed no survival benefit?")``
returns a :class:`RowFilter`; :func:`row_passes` tells whether a table row meets
it. Pure functions; the vocabulary (drugs, pathways, authors) comes from the rows
and the glossary passed in.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..types import TableRow
from .terms import ROMAN, stems

_MAX_SHARE = 0.6  # a drug filter keeping more than this share of a table says nothing
_YEAR = r"((?:19|20)\d{2})"
_RANGE = re.compile(
    rf"(?:between|from)\s+{_YEAR}\s+(?:and|to|until|-)\s+{_YEAR}|{_YEAR}\s*(?:-|–|to)\s*{_YEAR}"
)
_SINCE = re.compile(
    rf"(?:since|after|starting(?: in)?)\s+{_YEAR}|from\s+{_YEAR}\s+on(?:wards?)?|"
    rf"{_YEAR}\s+(?:or|and)\s+(?:later|after)|{_YEAR}\s+onwards?",
    re.IGNORECASE,
)
_BEFORE = re.compile(rf"(?:before|until|up to|prior to)\s+{_YEAR}", re.IGNORECASE)
_PHASE = re.compile(r"\bphase[\s-]*(iv|iii|ii|i|[1-4])\b", re.IGNORECASE)
_SECOND_LINE = re.compile(
    r"second[\s-]*line|after (?:sorafenib )?(?:had )?(?:failed|failure|progression)|"
    r"sorafenib (?:had )?(?:failed|fails|failure|progression)|previously treated|"
    r"(?:after|following) (?:sorafenib|first[\s-]*line)",
    re.IGNORECASE,
)
_FIRST_LINE = re.compile(r"first[\s-]*line", re.IGNORECASE)
_TABLE1 = re.compile(
    r"\btable\s*1\b|\btrials?\b|\bclinical\s+(?:stud|evidence|result)|\bphase\s*\w+", re.IGNORECASE
)
_TABLE2 = re.compile(
    r"\btable\s*2\b|\b(?:mechanisms?|pathways?|genes?|signal(?:ing|s)?|experiments?|"
    r"in vitro|preclinical)\b",
    re.IGNORECASE,
)
# The question asks for a list of studies ("which studies…", "list the trials…").
_LISTING = re.compile(
    r"\b(?:which|what|list|name|any|all)\b[^?]*\b(?:studies|papers|reports|trials|works|"
    r"mechanisms|pathways|genes|drugs|groups|authors)\b|\b(?:studies|trials|papers) "
    r"(?:on|of|about|in|from|that|which|published|looking|testing|tested|implicat)|"
    # terse: a plural of drugs or options qualified by a clause ("first line drugs that failed")
    r"\b(?:drugs|agents|options|treatments|therapies)\s+(?:that|which|w/|with(?:out)?)\b|"
    r"\b(?:which|what|list|name|any|all)\b[^?]*\b(?:options|agents|treatments|therapies)\b"
    r"[^?]*\b(?:that|which)\b",
    re.IGNORECASE,
)
# The question asks who made one finding: the study cited by the best quote answers it.
_WHO = re.compile(
    r"^\s*(?:who|whose|which (?:group|team|authors?|researchers?|investigators?|study|paper)\b"
    r"|what (?:group|team|study|paper)\b)|\b(?:from|in) which (?:study|paper)\b|"
    r"(?:\band|,)\s+who\b",
    re.IGNORECASE,
)
# Outcome classes that are only a filter when the question asks for studies or trials:
# Table 2 effects, and "fail", which narrative questions use of therapy in general.
EFFECT_CLASSES = ("acquired", "primary", "prediction", "metastasis", "negative")
# Outcome words -> the outcome class they ask for.
_OUTCOMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "no survival benefit",
        re.compile(
            r"no (?:overall )?survival benefit|no benefit|did not (?:improve|prolong|extend)|"
            r"without (?:a )?survival benefit|not (?:improve|prolong)",
            re.I,
        ),
    ),
    (
        "negative",
        re.compile(
            r"\bfail(?:ed|ure|s)?\b(?! ?sorafenib)|unsuccessful|negative|disappoint|"
            r"did not work|inferior|no improvement|not effective|ineffective",
            re.I,
        ),
    ),
    (
        "increased survival",
        re.compile(
            r"(?:increas|improv|prolong|extend|longer|better)\w*\s+(?:\w+\s+)?survival|"
            r"survival (?:benefit|gain|advantage)|\beffective\b|succeed|success",
            re.I,
        ),
    ),
    ("safety", re.compile(r"\bsafe(?:ty|ly)?\b|tolera(?:ted|bility|nce)|adverse|toxicit", re.I)),
    ("acquired", re.compile(r"\bacquired\b", re.I)),
    ("primary", re.compile(r"\bprimary resistance|\binherent|\bintrinsic|\binnate", re.I)),
    ("prediction", re.compile(r"biomarker|predict|marker", re.I)),
    ("metastasis", re.compile(r"metasta|invasion|invasive", re.I)),
)


@dataclass(frozen=True)
class RowFilter:
    """Structured constraints read from a question (empty fields constrain nothing).

    Attributes:
        years: Inclusive year range, e.g. ``(2011, 2013)``.
        phases: Trial phases, e.g. ``("Phase 3",)``.
        drugs: Drug names from the rows, lower case.
        pathways: Pathway / gene terms from Table 2 (abbreviations, as in the table).
        outcomes: Outcome classes: "no survival benefit", "negative", "increased
            survival", "safety", "acquired", "primary", "prediction", "metastasis".
        second_line: True for second-line use, False for first-line, None for either.
        authors: Surnames of first authors named in the question.
        table: "table1" or "table2" when the question is about one table.
        listing: The question asks for a list of studies or trials.
        who: The question asks who made one finding.
    """

    years: tuple[int, int] | None = None
    phases: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    pathways: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    second_line: bool | None = None
    authors: tuple[str, ...] = ()
    table: str | None = None
    listing: bool = False
    who: bool = False

    @property
    def specific(self) -> bool:
        """True when some field narrows the rows (the table alone does not)."""
        return bool(
            self.years
            or self.phases
            or self.drugs
            or self.pathways
            or self.outcomes
            or self.second_line
            or self.authors
        )

    def describe(self) -> str:
        """Human form used in row reasons, e.g. ``"phase 3, no survival benefit"``."""
        parts: list[str] = []
        if self.years:
            lo, hi = self.years
            parts.append(str(lo) if lo == hi else f"{lo}-{hi}" if hi < 9999 else f"since {lo}")
        parts += [p.lower() for p in self.phases]
        parts += list(self.drugs) + list(self.pathways) + list(self.outcomes)
        if self.second_line is not None:
            parts.append("second-line" if self.second_line else "first-line")
        parts += [f"{a} et al" for a in self.authors]
        return ", ".join(parts)


@functools.lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """Lower case, Greek beta spelled out, accents dropped: "TGF-β" -> "tgf-beta"."""
    text = text.replace("β", "beta").replace("ß", "beta")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _fold(text))


@functools.lru_cache(maxsize=1024)
def row_drugs(row: TableRow) -> tuple[str, ...]:
    """The drugs a row is about, lower case ("Sorafenib plus erlotinib" -> both;
    "Brivanib after sorafenib failed" -> brivanib only)."""
    main = re.split(r"\s+after\s+", row.drug, maxsplit=1)[0]
    return tuple(d for d in re.split(r"\s+(?:plus|and|with|\+)\s+|,\s*", main.lower()) if d)


@functools.lru_cache(maxsize=1024)
def pathway_terms(cell: str) -> tuple[str, ...]:
    """Terms of a Table 2 pathway cell: "TGF-β-and PI3K/Akt" -> TGF-β, PI3K/Akt, PI3K, Akt."""
    out: list[str] = []
    for part in re.split(r"-and\s+|\s+and\s+|,\s*", cell):
        part = re.sub(r"[\s-]*(?:signal(?:l)?ing|pathways?)$", "", part.strip(), flags=re.I).strip()
        if not part:
            continue
        out.append(part)
        for piece in re.split(r"[/]|-(?=notch)", part, flags=re.I):
            if piece and piece != part:
                out.append(piece)
        family = re.match(r"([A-Za-z]{4,})-\d+[a-z]?$", part)  # "microRNA-193b" -> "microRNA"
        if family:
            out.append(family.group(1))
    return tuple(dict.fromkeys(out))


def _mentions(question: str, term: str) -> bool:
    """Whole-token, case-insensitive mention of a term, tolerant of spacing and a plural s."""
    q, t = _fold(question), _fold(term)
    pattern = (
        r"(?<![a-z0-9])"
        + re.escape(t).replace(r"\-", "[-\\s]?").replace(r"\ ", "[-\\s]?")
        + r"s?(?![a-z0-9])"
    )
    return re.search(pattern, q) is not None


def _long_form_in(question_stems: list[str], long: str) -> bool:
    """The long form's words, in order, with at most one other word between each pair."""
    words = [
        w for w in stems(re.findall(r"[A-Za-z0-9]+", _fold(long))) if w not in {"deriv", "like"}
    ]
    if not words:
        return False
    for start, token in enumerate(question_stems):
        if token != words[0]:
            continue
        pos, ok = start, True
        for w in words[1:]:
            window = question_stems[pos + 1 : pos + 3]
            if w not in window:
                ok = False
                break
            pos = pos + 1 + window.index(w)
        if ok:
            return True
    return False


def surname(row: TableRow) -> str:
    """The last word of the row's first author ("Blivet-Van Eggelpoël et al" -> "Eggelpoël")."""
    return row.author.split(" et al")[0].split()[-1]


def _names_author(question: str, row: TableRow) -> bool:
    """The question names the row's first author, in any case and with or without accents.

    Users type "lencioni 2014" or "paez-ribes"; a surname of several words also counts
    by its last word ("Eggelpoel") or a distinctive first one ("Blivet").
    """
    surname = row.author.split(" et al")[0].strip()
    words = [w for w in re.split(r"[\s-]+", surname) if w]
    names = {surname, words[-1]} | {w for w in words[:1] if len(w) >= 4}
    folded = _fold(question)
    return any(
        re.search(r"(?<![a-z0-9])" + re.escape(_fold(n)) + r"(?![a-z0-9])", folded) for n in names
    )


def parse_filters(
    question: str,
    *,
    rows: Sequence[TableRow] = (),
    glossary: Mapping[str, str] | None = None,
) -> RowFilter:
    """Read row constraints from a question. Pure.

    Args:
        question: The (resolved) question.
        rows: The table rows, for the vocabulary of drugs, pathways and authors.
        glossary: Abbreviation -> long form, so that "epithelial-mesenchymal
            transition" is understood as EMT.

    Examples:
        >>> parse_filters("Which phase 3 trials since 2012 showed no survival benefit?").phases
        ('Phase 3',)
    """
    years: tuple[int, int] | None = None
    if m := _RANGE.search(question):
        a, b = [int(y) for y in m.groups() if y]
        years = (min(a, b), max(a, b))
    elif m := _SINCE.search(question):
        y = int(next(g for g in m.groups() if g and g.strip().isdigit()))
        strict = m.group(0).lower().startswith("after")
        years = (y + 1 if strict else y, 9999)
    elif m := _BEFORE.search(question):
        y = int(m.group(1))
        years = (0, y if m.group(0).lower().startswith(("until", "up to")) else y - 1)
    else:
        found = sorted({int(y) for y in re.findall(rf"(?<!\d){_YEAR}(?!\d)", question)})
        if found:
            years = (found[0], found[-1]) if len(found) == 1 else (found[0], found[-1])
    phases = tuple(
        dict.fromkeys(
            f"Phase {ROMAN.get(m.group(1).lower(), m.group(1))}" for m in _PHASE.finditer(question)
        )
    )
    # "after sorafenib failed" names the setting, not the drug or the outcome asked about
    rest = _SECOND_LINE.sub(" ", question)
    drugs = tuple(dict.fromkeys(d for r in rows for d in row_drugs(r) if _mentions(rest, d)))
    qstems = stems(re.findall(r"[A-Za-z0-9]+", _fold(question)))
    pathways: list[str] = []
    for r in rows:
        if r.table != "table2" or not r.pathway:
            continue
        for term in pathway_terms(r.pathway):
            long = (glossary or {}).get(term) or (glossary or {}).get(term.rstrip("s"))
            if (
                _mentions(question, term)
                or (long and _long_form_in(qstems, long))
                or (
                    not long
                    and len(term) > 4
                    and term.lower() == term
                    and term[:5].lower() in _fold(question)
                )
            ):
                pathways.append(term)
    outcomes = tuple(name for name, pat in _OUTCOMES if pat.search(rest))
    if "no survival benefit" in outcomes:
        outcomes = tuple(o for o in outcomes if o not in ("negative", "increased survival"))
    if "negative" in outcomes:
        outcomes = tuple(o for o in outcomes if o != "increased survival")
    second: bool | None = None
    if _SECOND_LINE.search(question):
        second = True
    elif _FIRST_LINE.search(question):
        second = False
    authors = tuple(dict.fromkeys(surname(r) for r in rows if _names_author(question, r)))
    table = None
    t1, t2 = _TABLE1.search(question), _TABLE2.search(question)
    if t1 and not re.search(r"\btable\s*2\b", question, re.I):
        table = "table1"
    elif t2:
        table = "table2"
    if second and table is None:
        table = "table1"
    return RowFilter(
        years=years,
        phases=phases,
        drugs=drugs,
        pathways=tuple(dict.fromkeys(pathways)),
        outcomes=outcomes,
        second_line=second,
        authors=authors,
        table=table,
        listing=bool(_LISTING.search(question)) or table is not None,
        who=bool(_WHO.search(question)),
    )


def _outcome_ok(row: TableRow, outcome: str) -> bool:
    cell = _fold(row.outcome or row.effect or "")
    if outcome == "no survival benefit":
        return "no survival benefit" in cell
    if outcome == "negative":
        return any(w in cell for w in ("no survival", "inferior", "less well", "no benefit"))
    if outcome == "increased survival":
        return "increased survival" in cell
    if outcome == "safety":
        return "safety" in cell or "tolerat" in cell
    if outcome == "acquired":
        return "acquired" in cell
    if outcome == "primary":
        return "primary" in cell
    if outcome == "prediction":
        return "predict" in cell or "biomarker" in cell
    if outcome == "metastasis":
        return "metasta" in cell or "invasion" in cell
    return False


def row_passes(row: TableRow, f: RowFilter) -> bool:
    """True when the row satisfies every constraint of the filter."""
    if f.table and row.table != f.table:
        return False
    if f.years and not f.years[0] <= row.year <= f.years[1]:
        return False
    if f.phases and (row.phase or "") not in f.phases:
        return False
    if f.drugs and not set(row_drugs(row)) & set(f.drugs):
        return False
    if f.pathways:
        terms = {_squash(t) for t in pathway_terms(row.pathway or "")}
        if not terms & {_squash(p) for p in f.pathways}:
            return False
    if f.outcomes and not any(_outcome_ok(row, o) for o in f.outcomes):
        return False
    if f.second_line is not None and (" after " in f" {row.drug.lower()} ") != f.second_line:
        return False
    # the whole surname: "Chen" is not "Cheng"
    return not (f.authors and surname(row) not in f.authors)


def drugs_selective(f: RowFilter, rows: Sequence[TableRow]) -> bool:
    """False when the drug filter keeps most of its table (e.g. "sorafenib" in Table 2)."""
    tables = [f.table] if f.table else sorted({r.table for r in rows})
    for t in tables:
        in_table = [r for r in rows if r.table == t]
        hit = [r for r in in_table if set(row_drugs(r)) & set(f.drugs)]
        if in_table and len(hit) / len(in_table) > _MAX_SHARE:
            return False
    return True


def sharpen_drugs(f: RowFilter, rows: Sequence[TableRow]) -> RowFilter:
    """Drop the drugs that alone keep most of a table when others do not.

    "Why did sunitinib do worse than sorafenib?" is about sunitinib's rows, not every
    sorafenib study.
    """
    if len(f.drugs) < 2:
        return f
    keep = tuple(d for d in f.drugs if drugs_selective(replace(f, drugs=(d,)), rows))
    return replace(f, drugs=keep) if keep else f
