"""Understanding a question once: :func:`understand` returns the :class:`Query` that
retrieval, the refusal judge, row choice and composition all read.

It is the only place that cuts a question into words. In order:

1. **words**: the question's tokens (:func:`hccqa.understand.words.tokens`);
2. **spelling**: a word the corpus never uses becomes the corpus word it was meant as
   (a typo or a British/American variant, :mod:`hccqa.understand.spelling`), and a
   lower-case word neither the corpus nor English knows, the English word one edit away
   ("actualy"); each change is kept with the word as typed;
3. **intents**: list, who, define, compare, contrast, number, when, yes/no, gist (English
   question shapes, nothing of the corpus);
4. **entities**: table values the question names, with the column each came from,
   the table it points at, and the row filter they make;
5. **follow-up**: a question that leans on the previous turn ("did it work?") gets
   that turn as its referent: its entities, its terms and the rows its answer showed.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ..corpus.glossary import find_definitions
from .bounds import AGGREGATE_STEMS, PLACES, Aggregate, aggregate_of
from .bridge import proper_name
from .compare import compared_words, contrasted
from .filters import (
    COMPARISON_STEMS,
    RowFilter,
    build_filter,
    without_excluded,
)
from .lexicon import NAMING_THE_TABLE, TABLE_NOUNS, Lexicon, Mention, number_mentions
from .words import (
    APOSTROPHE_LESS,
    CHAT,
    FUNCTION_TYPOS,
    LISTED,
    SHORTHAND,
    STOPWORDS,
    Token,
    content_stems,
    parts,
    stem,
    tokens,
)

# Words that point back to an earlier turn (English).
_BACK = frozenset(
    [
        "it",
        "its",
        "they",
        "them",
        "their",
        "theirs",
        "these",
        "those",
        "ones",
        "such",
        "same",
        "former",
        "latter",
    ]
)
_DEICTIC = frozenset({"this", "that"})
# Nouns for one study or its report (English): "that"/"this" before one is a determiner
# pointing back ("who led *that study*?"), whatever word comes before it
_STUDY_NOUNS = frozenset(
    {"one", "study", "trial", "paper", "report", "experiment", "article", "research"}
)
# The same nouns as stems, without "one": what a table of studies calls its rows, in any of
# these words ("how many trials ..." of a table titled "Clinical studies ..."); a table is
# one of studies when its title or key column says study, trial or experiment (a "report"
# of tower heights is none)
STUDY_STEMS = frozenset(stem(w) for w in _STUDY_NOUNS - {"one"})
STUDY_TABLE_STEMS = frozenset(stem(w) for w in ("study", "studies", "trial", "experiment"))
# Words naming the document itself (English): a question about it leans on no turn.
_DOCUMENT = frozenset({"review", "document", "documents"})  # not "paper": a cited one
_OPENERS = re.compile(
    r"^\s*(?:and|also|but|so|then|what about|how about|and what about|what else|any others?|"
    r"others?|same for|ok(?:ay)?|and the)\b",
    re.IGNORECASE,
)
_SWAP = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b|^\s*same for\b", re.IGNORECASE)
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8"}
_ALONE = frozenset({"alone", "solely", "only"})
# Intents that ask for an explanation: rows are an aside, a "when" in them a clause.
REASONS = frozenset({"why", "how", "contrast"})
# "X on its own?", "X by itself, ...": the phrase ends the question or a clause (not "on
# their own roofs")
_ON_ITS_OWN = re.compile(
    r"\b(?:on (?:its|their) own|by (?:itself|themselves))\s*(?:[?.!,;:]|$)", re.IGNORECASE
)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")

# Question shapes (English).
_LIST_NOUNS = (
    r"studies|trials|papers|reports|articles|drugs|agents|options|treatments|therapies|"
    r"mechanisms|pathways|genes|authors|groups|ones|rows|entries|items|records|medicines|"
    r"medications|publications|experiments"
)
_LIST = re.compile(
    rf"\b(?:list|enumerate)\b|\b(?:which|what|any|all|name|show|other)\b[^?]*?\b(?:{_LIST_NOUNS})\b|"
    rf"^\s*(?:{_LIST_NOUNS})\b|\b(?:{_LIST_NOUNS})\s+(?:on|of|about|from|in|that|which|with|"
    rf"published|testing|tested|using|w/|after|before|since|between|until)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"^\s*(?:who|whose|by whom)\b|\bwhich (?:group|team|authors?|researchers?|investigators?|"
    r"study|paper|lab|article|report|trial|experiment|publication)\b|"
    r"\bwhat (?:group|team|study|paper|trial)\b|\bwho\b",
    re.IGNORECASE,
)
# "what is the role / effect / importance of X (in Y)" asks what X does, not what it is
_NOT_DEFINED = (
    r"(?!(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:roles?|functions?|effects?|impacts?|"
    r"mechanisms?|significance|importance|relevance|values?|benefits?|purposes?|"
    r"contributions?|relationships?|relations?|links?|connections?|associations?)\s+"
    r"(?:of|between|played|for)\b)(?![\w-]+'s\s+(?:roles?|functions?|effects?|impacts?|"
    r"significance|importance|relevance|value|benefits?|purpose|contributions?)\b)"
)
_DEFINE = re.compile(
    r"^\s*(?:what|wat)(?:'s|s|\s+is|\s+are)\s+"
    + _NOT_DEFINED
    + r"(?:an?\s+|the\s+)?(?P<term>[^?]{1,40}?)\s*\??\s*$|"
    r"^\s*(?:what|wat)\s+(?:does|do|is|are)\s+[^?]{1,40}?\s+(?:stand for|mean|short for|"
    r"refer to)\s*\??\s*$|"
    r"\b(?:define|definition of|meaning of)\b|\b(?:meaning|stands? for|short for|=\s*\?)\s*\??\s*$",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(?:compare[ds]?|comparison|versus|vs\.?|better|worse|superior|inferior|"
    r"difference between|differ)\b",
    re.IGNORECASE,
)
# "what is the difference between X and Y", "distinguish X from Y", "how do X and Y differ"
# (English): asks how two things differ, an explanation (not "which different drugs ...").
_CONTRAST = re.compile(
    r"\b(?:differences?|distinction|contrast)\s+between\b|\bdiffer(?:s|ed)?\b|"
    r"\bdifferent\s+from\b|"
    r"\bdistinguish(?:es|ed|ing)?\b",
    re.IGNORECASE,
)
# Asking a price (English): "how much does X cost", "what does X cost", "what is the price
# of X", "what's the cost of X", "how expensive", "prices"; not "at the cost of", "what are
# the costs and benefits", "cost-effective"
_COST = r"(?<!\bat the )(?<![\w-])(?:cost|costs|charge|charges)(?![\w-])"
_PRICE = re.compile(
    rf"\bhow much\b[^?.!]*?{_COST}|\bwhat\s+(?:does|did|would|will|do)\b[^?.!]*?{_COST}|"
    r"\bwhat(?:'s|\s+(?:is|was|would be|will be))\s+(?:the\s+|a\s+)?(?:price|cost)(?![\w-])|"
    r"\bhow (?:expensive|costly|pricey)\b|(?<![\w-])prices?(?![\w-])",
    re.IGNORECASE,
)
# Asking a dose (English): "what (daily) dose", "which dosage", "what is the dose of X",
# "the dose of X given", "how many mg"; not a question that names a dose in passing ("which
# trials used a low dose?", "dose-dependent")
# "dose escalation", "dose reductions": a dose that names something else
_DOSE_NOUNS = (
    r"(?:escalations?|reductions?|adjustments?|modifications?|levels?|intensity|response|"
    r"density|findings?|interruptions?|delays?|dependence|limiting|ranging|groups?|arms?)\b"
)
_DOSE = re.compile(
    r"\b(?:what|which)(?:'s|\s+(?:is|was|are|were))?\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:doses?|dosages?)(?![\w-])(?!\s+" + _DOSE_NOUNS + r")|"
    r"(?<![\w-])(?:doses?|dosages?)\s+(?:of\s+[\w-]+\s+)?(?:was|is|were|are|should be)\s+"
    r"(?:given|used|recommended|taken|administered|prescribed)\b|"
    r"\bhow many (?:mg|milligrams?)\b|\bin mg\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\bhow (?:many|much|long|often|big|large|common|high|low)\b|\b(?:percentage|percent|"
    r"proportion|fraction|rate|number of|dose|dosage|amount|median|average)\b|%|^\s*count\b|"
    r"\bin (?:months|years|weeks|days|mg)\b|" + _PRICE.pattern,
    re.IGNORECASE,
)
_WHEN = re.compile(r"\bwhen\b|\b(?:what|which) (?:year|yr|decade|date)\b", re.IGNORECASE)
_WHY = re.compile(r"^\s*(?:why|how come)\b|\bwhy\b|\bwhat (?:causes|makes|leads)\b|\breason", re.I)
# "which was published first / came out last" (English): the time of a study, asked as
# its order
_DONE = r"(?:published|came out|came|appeared|was done|were done|conducted|reported)"
# "the later one", "the older study": of two shown, by their years ("a later study" is
# any study after)
_OF_TWO = r"(?:one|study|trial|paper|report)"
# "which one was measured first?", "which was built last?": a verb done to the rows,
# then the end of their order ("first-line" is no order)
# verbs that date what the rows are (English): "which of them *opened* first?", not
# "finished first" (a place in a race) nor "need first aid"
_DATING_VERBS = (
    r"(?:opened|built|founded|launched|published|started|established|introduced|created|"
    r"completed|closed|began|appeared|arrived|joined|discovered|invented|made|released)"
)
_DONE_TO_ROWS = (
    r"(?:(?:was|were) (?:\w+ed|built|made|done|run|held|begun|written|found)|"
    # "which of them opened first?": a verb of the rows themselves, after "them"/"those"
    rf"(?<=\bthem ){_DATING_VERBS}|(?<=\bthose ){_DATING_VERBS}|(?<=\bones ){_DATING_VERBS})"
)
_LATEST = re.compile(
    rf"\b(?:most recent|latest|newest|last one|last study|last trial|{_DONE} last|"
    # "which was the last on X?", "which one was the last?"
    r"the last(?=\s+(?:on|about|of|to)\b)|"
    r"(?<=\bwhich one was )the last\b|(?<=\bwhich one is )the last\b|"
    rf"the (?:later|newer|more recent) {_OF_TWO}|"
    r"(?:was|is|came) (?:later|newer|more recent)(?!\s+than\b))\b|"
    rf"\b{_DONE_TO_ROWS} last(?![\w-])",
    re.I,
)
_COUNT_WORDS = r"(?:two|three|four|five|six|seven|eight|nine|ten|few|several|many)"
_EARLIEST = re.compile(
    # ("the first phase 2 trial of X": its words between, but no number right after
    # "first" nor "of": "the first two trials", "the first week of the trial" are none)
    rf"\b(?:earliest|oldest|first {_OF_TWO}|"
    rf"the first (?!\d|{_COUNT_WORDS}\b)(?:(?!of\b|author)[\w-]+\s+){{1,3}}?{_OF_TWO}s?|"
    rf"{_DONE} first|the (?:earlier|older) {_OF_TWO}|"
    r"(?:was|is|came) (?:earlier|older)(?!\s+than\b))\b|"
    rf"\b{_DONE_TO_ROWS} first(?![\w-])",
    re.I,
)
_HOW = re.compile(
    r"^\s*how(?:['\u2019]s\b|\s+(?:do|does|did|is|are|was|were|can|could|might)\b)", re.I
)
# "did anyone else find that?", "the same thing", "similar results", "any others?"
_SIMILAR = re.compile(
    r"\belse\b|\bsimilar(?:ly)?\b|\bthe same\b|^\s*(?:any\s+)?others?\b|\bany others?\b", re.I
)
# Intents that ask for something more precise than the gist.
_ASKS_MORE = frozenset({"number", "list", "when", "who", "latest", "earliest"})
# "what is the conclusion", "the main message", "sum it up", "overall"
_GIST = re.compile(
    r"\bconclu\w*|\bsummar\w*|\boverall\s*(?:[,.!?]|$)|\boverall (?:message|picture|view|"
    r"point|idea|lesson|finding|gist)|\btake-?aways?\b|\btake-home\b|\bbottom line\b|"
    r"\bmain (?:points?|messages?|findings?|ideas?|arguments?|lessons?)\b|"
    r"\bkey (?:messages?|points?|findings?|lessons?)\b|\bin (?:short|a nutshell)\b|"
    r"\bsum (?:it |this |that )?up\b|"
    # "what is this document about?", "what are these notes about?": the documents' gist
    r"\bwhat (?:is|are) (?:this|these|the|those) (?:notes?|documents?|review|files?|texts?|"
    r"papers?|articles?|reports?) (?:all )?about\b",
    re.IGNORECASE,
)
_YESNO = re.compile(
    r"^\s*(?:is|are|does|do|did|can|could|was|were|has|have|will|would|should|may)\b",
    re.IGNORECASE,
)


class Shown(tuple[str, ...]):
    """The ids of the rows an answer showed (a tuple), and of those ``quoted``: the one
    study its first quote reports, if it showed it."""

    quoted: tuple[str, ...]

    def __new__(cls, rows: Iterable[str] = (), quoted: Iterable[str] = ()) -> Shown:
        shown = super().__new__(cls, rows)
        shown.quoted = tuple(quoted)
        return shown


@dataclass(frozen=True)
class Turn:
    """A previous turn as a follow-up sees it: its query, the rows its answer showed, and
    the one of them its first quote reports (``quoted``)."""

    query: Query
    rows: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()
    others: bool = False  # the rows are those the last answer left out ("and the others?")


@dataclass(frozen=True)
class Query:
    """A question, understood.

    Attributes:
        text: The question as typed.
        normalized: The question with spelling corrected (what the user meant).
        corrections: ``(typed, corrected)`` for every word spelling changed.
        tokens: The words of ``normalized``.
        terms: Stems of its topical words.
        unknown: Topical words neither the corpus nor English knows, after correction
            (names the corpus never mentions).
        absent: Topical English words the corpus never uses.
        intents: Any of "list", "who", "define", "compare", "number", "when", "yesno",
            "why", "how", "latest", "earliest", "similar" ("did anyone else find that?"),
            "gist" ("what is the conclusion?", "the main message"), "contrast" ("the
            difference between X and Y": an explanation, like why and how).
        mentions: Table values it names, each with its column.
        filter: The row filter its mentions and years make.
        followup: True when it leans on the previous turn.
        referent: That turn, for a follow-up.
        alone: It asks for a value alone ("X alone", "X on its own"), not inside a
            longer one ("X plus Y").
        swapped: A follow-up that asks the previous question of something else ("what
            about X?"): the previous turn's values are replaced, not inherited.
        search: What retrieval searches: ``normalized``, the corpus words ``bridged``
            names, and for a follow-up the referent's key terms.
        bridged: Corpus words whose dictionary definitions hold the question's plain
            words (:mod:`hccqa.understand.bridge`); their stems are in ``terms`` too.
        spelled: The other form of each abbreviation of the corpus's glossary the question
            names, or of each long form it names ("ABC" -> "Amino binding cassette").
        focus: Stems of what a wh-question asks for ("which *cell line*", "how many
            *patients*"): an answer names it.
        unit: For a question asking a number, what is counted: a noun's stem, ``"%"``,
            ``"money"``, ``"dose"``, ``"time"`` or ``"length"`` (of space or time); None
            when any number answers.
        anchor: For a question asking a number or naming a focus, its rarest word the
            corpus uses (besides the unit and the focus): a number, or the focus, answers
            it only in a sentence that holds this word too. A word the question itself
            uses, never one only an abbreviation's long form brings (the sentences that
            answer use the abbreviation as the question does).
        sides: For a question contrasting two things ("the difference between wild X and
            kept X"), the stem of the first word of each when it is that side's own
            ("wild", "kept"): a sentence on one side and not the other tells them apart.
        compared: Stems of what the question compares with ("bigger than *X*", "versus
            *X*"; :func:`hccqa.understand.compare.compared_words`).
        aggregate: The figure asked of a column of numbers over the rows chosen ("the
            average height"; :func:`hccqa.understand.bounds.aggregate_of`).
    """

    text: str
    normalized: str
    corrections: tuple[tuple[str, str], ...]
    tokens: tuple[Token, ...]
    terms: frozenset[str]
    unknown: tuple[str, ...]
    absent: tuple[str, ...]
    intents: frozenset[str]
    mentions: tuple[Mention, ...]
    filter: RowFilter
    followup: bool = False
    referent: Turn | None = None
    swapped: bool = False
    alone: bool = False
    search: str = ""
    bridged: tuple[str, ...] = ()
    carried: tuple[str, ...] = field(default=())
    spelled: tuple[str, ...] = ()
    focus: frozenset[str] = frozenset()
    unit: str | None = None
    anchor: str | None = None
    sides: tuple[str, str] | None = None
    compared: frozenset[str] = frozenset()
    aggregate: Aggregate | None = None

    @property
    def searched(self) -> str:
        """Human form of what was searched (shown as ``Answer.searched_query``)."""
        return self.search

    @property
    def referent_rows(self) -> tuple[str, ...]:
        """Rows the previous answer showed, for a follow-up that points back; the one its
        first quote reported when the follow-up points at one thing ("when was *that*
        published?", "how many took part in *it*?"), names no value of its own ("did *it*
        change the X?" may mean the thing the rows share) and the answer showed several."""
        if self.referent is None:
            return ()
        turn = self.referent
        places = shown_places(self.normalized) if len(turn.rows) > 1 else ()
        picked = [turn.rows[i] for i in places if -len(turn.rows) <= i < len(turn.rows)]
        if picked:
            return tuple(dict.fromkeys(picked))
        own = [m for m in self.mentions if m not in turn.query.mentions]
        if turn.quoted and len(turn.rows) > 1 and not own and _points_at_one(self):
            return turn.quoted
        if len(turn.rows) == 1 and _PARTITIVE.search(self.normalized):
            # "which of *them* ...?" after an answer that showed one of the rows its
            # question selected: one of those rows (a set of one has no "which of")
            chosen = _selected_ids(turn.query.filter)
            if turn.rows[0] in chosen and len(chosen) > 1:
                return tuple(sorted(chosen, key=_row_order))
        return turn.rows

    @property
    def content(self) -> tuple[Token, ...]:
        """The topical words (not function or asking words)."""
        return tuple(t for t in self.tokens if t.content)


Recall = Callable[[str, tuple[str, ...]], tuple[str, ...]]


def _searched(normalized: str, row_filter: RowFilter) -> str:
    """The question as searched: without the values it sets aside ("other than X")."""
    if not row_filter.excluded:
        return normalized
    aside = content_stems(" ".join(v for c in row_filter.excluded for v in c.values))
    return without_excluded(normalized, aside)


def clean_question(text: str) -> str:
    """Unicode-normalized, bidirectional controls removed, markup read as its text
    (:func:`without_markup`), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(without_markup(_BIDI.sub("", text)).split())


# Markup pasted with a question: HTML elements whose content is code, HTML tags (of HTML's
# own element names), Markdown links and images, and web addresses
_CODE_ELEMENT = re.compile(
    r"<(script|style|template|iframe|object|svg)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S
)
_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|body|br|button|center|code|div|em|embed|font|form|"
    r"h[1-6]|head|hr|html|i|img|input|li|link|mark|meta|ol|p|pre|q|s|small|span|strong|"
    r"sub|sup|table|td|th|title|tr|tt|u|ul|script|style|template|iframe|object|svg)"
    r"(?:\s+[^<>=]*=[^<>]*)?\s*/?>",  # attributes hold "=": "a<b and c>d" is no tag
    re.I,
)
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_ADDRESS = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\.[^\s<>\"]+", re.I)
_ENTITY = re.compile(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.I)


def without_markup(text: str) -> str:
    """The words of a question pasted with markup: HTML tags and the code inside script
    or style elements dropped, a Markdown link read as its text, web addresses dropped,
    character entities decoded. A question that is nothing but markup stays as typed.

    Examples:
        >>> " ".join(without_markup("<b>What</b> is X? <script>alert(1)</script>").split())
        'What is X?'
        >>> without_markup("[what is X?](https://example.org/x)")
        'what is X?'
        >>> without_markup("is a<b and c>d?")
        'is a<b and c>d?'
    """
    if not any(c in text for c in "<[&:w"):
        return text
    out = _CODE_ELEMENT.sub(" ", text)
    out = _TAG.sub(" ", out)
    out = _MARKDOWN_LINK.sub(lambda m: m.group(1), out)
    out = _ADDRESS.sub(" ", out)
    if _ENTITY.search(out):
        out = html.unescape(out)
    return out if out.strip() else text


# A greeting before the question and thanks after it ("hi, what is X? thanks"): what a
# question's shape is read from, and what is searched, leave them out.
_GREETING = re.compile(
    r"^(?:\s*(?:(?:hi|hello|hey)(?:\s+there)?|ok|okay|so|sorry|please)(?![\w-])[\s,.!:;]*)+",
    re.I,
)
# (a word boundary first, then the end: one pass over the text, however it ends)
_THANKS = re.compile(
    r"\b(?:thanks|thank you|many thanks|cheers|please)(?:\s+(?:a lot|so much))?[\s.!?]*$",
    re.I,
)


def without_courtesy(text: str) -> str:
    """The text without a greeting before it and thanks after it.

    Examples:
        >>> without_courtesy("Hi, ok so what is X? Thanks a lot!")
        'what is X?'
        >>> without_courtesy("Is X so safe, please?")
        'Is X so safe?'
    """
    text = _GREETING.sub("", text) or text
    thanks = _THANKS.search(text)
    if thanks is None:
        return text
    before = text[: thanks.start()]
    asked = before.rstrip(" ,.!;:-")
    if not asked:
        return text
    return asked + ("?" if "?" in text[len(asked) :] else "")


def understand(
    question: str,
    history: Sequence[str],
    lexicon: Lexicon,
    *,
    recall: Recall | None = None,
    force_followup: bool = False,
) -> Query:
    """Understand a question (a follow-up to ``history`` when it leans on it).

    Args:
        question: The question as typed.
        history: Earlier user turns, oldest first.
        lexicon: The corpus's lexicon.
        recall: ``(question, history) -> row ids`` its answer showed; used for the
            previous turn of a follow-up (the pipeline answers it, from a cache).
        force_followup: Treat the question as a follow-up even when its words do not
            show it (the caller found it does not stand alone).

    Returns:
        The :class:`Query`.
    """
    text = clean_question(question)
    # capitals mark a short form ("XYZ"), unless the whole question is typed in them
    shouted = not any(c.islower() for c in text)  # as typed, before spelling fixes
    normalized, corrections = _correct(text, lexicon, shouted=shouted)
    toks = tokens(normalized)
    asked = without_courtesy(normalized)  # the question without "hi," or "thanks"
    intents = _intents(asked)
    if "list" not in intents and _asks_rows(toks, lexicon):
        intents |= {"list"}
    # long forms name entities too ("ABC" -> its long form, a long form -> its "ABC")
    spelled = tuple(lexicon.expander.expansions(normalized))
    expanded = " ".join([normalized, *spelled])
    all_toks = tokens(expanded)
    mentions = tuple(_polarity(lexicon.mentions(all_toks)))
    # a plain word for a value ("women" for "female")
    mentions += tuple(_polarity(lexicon.glossed(toks, mentions)))
    if not _COMBINATION.search(normalized):  # "combined effects" asks for no combination
        mentions = tuple(m for m in mentions if not m.entity.combination)
    if "define" in intents and (
        _asks_a_cell(toks, mentions, lexicon) or _asks_what_it_lacks(toks, mentions, lexicon)
    ):
        # "what is the span of X?" reads X's row, "what is the population of X?" asks for
        # what the corpus never gives (its focus): neither defines anything
        intents -= {"define"}
    alone = any(t.norm in _ALONE for t in toks) or bool(_ON_ITS_OWN.search(normalized))
    if alone:  # "X alone", "X on its own": not X inside a longer value
        mentions = tuple(_alone(m) for m in mentions if m.how == "whole")
    table = lexicon.table_of(toks)
    row_filter = build_filter(
        normalized,
        toks,
        mentions,
        table=table,
        years_apply=bool(lexicon.year_tables),
        compared=(compared := content_stems(compared_words(normalized))),
        lexicon=lexicon,
    )
    aggregate = aggregate_of(normalized, toks, lexicon, table)
    if aggregate is not None:  # "what is the average height?" asks a figure of rows
        intents -= {"define"}
    if "define" in intents and any(c.extreme or c.key for c in row_filter.constraints):
        # "what is the tallest X?", "what is ref 12?" ask for a row, not what X is
        intents -= {"define"}
    if "define" in intents and "number" in intents and "number of" in normalized.lower():
        intents -= {"define"}  # "what is the number of X?" asks for a count
    other_names = _other_names(normalized, lexicon)  # "Brandname (corpus word)"
    content = [t for t in toks if t.content and t.norm not in other_names]
    defined = {a.lower() for a in find_definitions(normalized)}  # "oxalic acid (OA)"
    # a word before "et al" is an author's name: one the corpus never uses names someone
    # it never cites, even when it is also an English word ("Smith et al")
    authors = {a.norm for a, b in zip(toks, toks[1:], strict=False) if b.norm == "et"}
    # a rare English word capitalized inside the question is a name ("the Ganges"): one
    # the corpus never uses names something it never mentions
    # (not in a question typed in title case, "Does The Drug Help Patients?", nor a
    # word opening a sentence after the first)
    titled = [t for t in toks[1:] if _titled(t.text)]
    # typed in title case: every topical word after the first capitalized ("What Is The
    # Best Drug"); "who designed the Kite Tower?" names the Kite Tower
    topical = [t for t in toks[1:] if t.text[:1].isalpha() and t.norm not in STOPWORDS]
    title_case = all(_titled(t.text) for t in topical)
    named = (
        set()
        if shouted or title_case
        else {t.norm for t in titled if not re.search(r"[.!?]\s*$", text[: t.start])}
    )
    # a word right before what a table's rows are ("the orinoco *river*" of a table keyed
    # by river) names one: a rare word the corpus never uses names a row it does not have
    before_row_noun = {
        id(a) for a, b in zip(toks, toks[1:], strict=False) if b.stem in lexicon.row_nouns
    }
    unknown = tuple(
        t.text
        for t in content
        if t.norm not in defined
        and (
            _names_unknown(t, lexicon, capitals=not shouted)
            or (t.norm in authors and t.norm not in lexicon.vocabulary)
            or (
                t.norm in named
                and len(t.norm) >= 4
                and not lexicon.knows(t)
                # (a common English word capitalized is stressed, unless it is a name)
                and (not lexicon.is_common_english(t.norm) or proper_name(t.norm))
            )
            or (
                id(t) in before_row_noun
                and not lexicon.knows(t)
                and not lexicon.is_common_english(t.norm)
                and not _superlative(t.norm, lexicon)  # "the tallest tower": an order
            )
        )
    ) + _other_numbered_values(normalized, lexicon)
    # the words that ask for an order ("the oldest") or name the table asked about ("in
    # the table") shape the question: a corpus without them still answers it
    # ("earlier than 2014" bounds the years the filter reads; "how many in total",
    # "how many were published in 2013" count rows)
    form = _ORDERING if intents & {"latest", "earliest"} or row_filter.years else frozenset()
    if "gist" in intents:  # "what are these notes about?": the documents, asked whole
        form |= _THE_DOCUMENTS
    if "number" in intents:  # "how many studies were published in 2013?" counts rows
        form |= _COUNTING | (_DATING if row_filter.years or row_filter.years_aside else set())
    # ("the table", "in this table", "table 3"; not "which towers have tables?")
    table_words = {
        id(t)
        for i, t in enumerate(toks)
        if row_filter.table
        and t.norm in TABLE_NOUNS
        and (
            (i and toks[i - 1].norm in NAMING_THE_TABLE)
            or (i + 1 < len(toks) and toks[i + 1].norm.isdigit())
        )
    }
    # ("the second tallest X": words of an order of the rows' numbers)
    graded = any(c.extreme for c in row_filter.constraints)
    absent = tuple(
        t.text
        for t in content
        if not lexicon.knows(t)
        and t.text not in unknown
        and not t.norm.isdigit()
        and t.norm not in form
        and id(t) not in table_words
        and not (graded and (t.norm in PLACES or _superlative(t.norm, lexicon)))
        # ("the average weight": the figure of a column counted in kg)
        and not (aggregate is not None and t.stem in aggregate.stems | AGGREGATE_STEMS)
    )
    # years the row filter reads are a constraint, not words a sentence should hold
    years = {t.stem for t in toks if t.norm.isdigit()} if row_filter.years else set()
    aliases = {t.stem for t in toks if t.norm in other_names}
    terms = content_stems(expanded) - years - aliases
    if "gist" in intents:  # ("what are these notes about?" asks of no note)
        terms -= _DOCUMENT_STEMS
    # plain words that a dictionary's definition of a corpus word holds ("beehives" ->
    # "apiary"): the corpus word is searched too; the user's own words, not those of the
    # long forms of short forms they typed (the corpus's words already)
    bridged = lexicon.bridge.words_for(terms & content_stems(normalized))
    if bridged:
        terms = terms | content_stems(" ".join(bridged))
    query = Query(
        text=question,
        normalized=normalized,
        corrections=corrections,
        tokens=toks,
        terms=terms,
        unknown=unknown,
        absent=absent,
        intents=intents,
        mentions=mentions,
        filter=row_filter,
        alone=alone,
        # a value set aside is not searched for: its passages are not the ones asked about
        search=" ".join([_searched(asked, row_filter), *bridged]),
        bridged=bridged,
        spelled=spelled,
        focus=(focus := _focus(toks, intents, lexicon)),
        unit=(unit := _unit(toks, intents, normalized)),
        anchor=(
            # a word of the comparison itself ("compared to") is not what is counted
            _anchor(
                (terms & content_stems(normalized))
                - focus
                - COMPARISON_STEMS
                - _DATE_STEMS
                - (ASKED_NOT_ABOUT if unit in ("time", "length") else frozenset()),
                unit,
                lexicon,
            )
            if "number" in intents or focus
            else None
        ),
        sides=_sides(normalized) if "contrast" in intents else None,
        compared=compared,
        aggregate=aggregate,
    )
    if history and (force_followup or is_followup(query)):
        others = False
        previous = understand(history[-1], history[:-1], lexicon, recall=None)
        rows = recall(history[-1], tuple(history[:-1])) if recall else ()
        if recall and len(history) > 1 and previous.followup and _orders(previous, query):
            # "and the most recent?", then "and the oldest?": both of the rows shown
            # before the first of a run of such questions, not of the one row it answered
            rows = recall(*_before_orders(history, lexicon))
        elif (
            recall
            and len(rows) == 1
            and len(history) > 1
            and previous.followup
            and _orders(query)
            and set(rows) <= set(earlier := recall(history[-2], tuple(history[:-2])))
            and len(earlier) > 1
        ):
            # "and the later one?" after "who reported it?" showed one of two rows: the
            # later of the two the turn before showed
            rows = earlier
        elif recall and len(history) > 1 and previous.followup and _OTHERS.search(normalized):
            # "and the others?" after "which of those were X?": the rows shown before that
            # narrowing which it did not keep, of the turn it narrowed
            kept = set(rows)
            earlier = recall(history[-2], tuple(history[:-2]))
            rows = tuple(r for r in earlier if r not in kept)
            previous = understand(history[-2], history[:-2], lexicon, recall=None)
            # ("others", "rest" ask for those rows, not for a word a row should hold)
            query = replace(query, terms=query.terms - _OTHER_STEMS)
            others = True
        elif rows and _OTHERS.search(normalized):
            # "which ones are not?" after "which X are Y?": the rows of the same tables
            # the answer did not show
            kept = set(rows)
            shown_tables = {r.split(":", 1)[0] for r in kept}
            rows = tuple(
                r.id
                for t in lexicon.tables
                if t.id in shown_tables
                for r in t.rows
                if r.id not in kept
            )
            query = replace(query, terms=query.terms - _OTHER_STEMS)
            others = True
        elliptical = force_followup and not is_followup(query)
        turn = Turn(previous, tuple(rows), tuple(getattr(rows, "quoted", ())), others)
        query = _with_referent(query, turn, lexicon, elliptical)
    return query


# "Word (other words)": one of the two named by the other, in brackets
_BRACKETED = re.compile(r"(?<![\w-])([^\W\d_][\w-]*)\s*\(([^()]{1,60})\)")


def _other_names(normalized: str, lexicon: Lexicon) -> frozenset[str]:
    """Words the question gives as another name of something the corpus names, beside
    it in brackets: "Brandname (corpus word)" or "corpus word (Brandname)". Lower case;
    such a word is neither unknown nor a term (the corpus never uses it, and need not)."""
    if "(" not in normalized:
        return frozenset()
    out: set[str] = set()
    for m in _BRACKETED.finditer(normalized):
        outside = [t for t in tokens(m.group(1)) if t.content]
        inside = [t for t in tokens(m.group(2)) if t.content]
        if len(outside) != 1 or not inside:
            continue
        if not lexicon.knows(outside[0]) and all(lexicon.knows(t) for t in inside):
            out.add(outside[0].norm)
        elif lexicon.knows(outside[0]) and not any(lexicon.knows(t) for t in inside):
            out.update(t.norm for t in inside)
    return frozenset(out)


_AUX = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "does",
        "do",
        "did",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
    ]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"]
)
_KIND_OF = frozenset(["kind", "kinds", "type", "types", "sort", "sorts"])
_TIME = frozenset(
    [
        "long",
        "time",
        "months",
        "month",
        "years",
        "year",
        "weeks",
        "week",
        "days",
        "day",
        "hours",
        "hour",
        "minutes",
        "minute",
        "decades",
        "decade",
    ]
)
_SHARE = frozenset(["percentage", "percent", "proportion", "share", "fraction"])


def _focus(toks: Sequence[Token], intents: frozenset[str], lexicon: Lexicon) -> frozenset[str]:
    """Stems of the noun phrase a wh-question asks for: "which *cell line* did ...",
    "what *daily dose* of X ...", "how many *patients* ..." (up to three words).

    The phrase must be followed by a verb of the question or a preposition ("did",
    "is", "of"), or end it: in "what happened when ..." the word after "what" is a
    verb, and there is no focus. Quantity words ("share", "months") are left to the
    number check, words of order ("the oldest") to the order asked. Of a phrase with words
    the corpus uses, those it never uses are not
    asked of it ("what do *doctors try first*": no sentence could hold "doctors"); a
    phrase of only such words stays whole ("which *hospital*": the corpus does not say).
    """
    if "define" in intents:
        return frozenset()
    words = [t.norm for t in toks]
    for i, w in enumerate(words):
        if w in ("what", "which") or (w == "many" and i and words[i - 1] == "how"):
            j = _past_auxiliaries(words, i + 1)
            verb_next = j < len(words) and _participle(words[j])
            # "what happened?", "what happened to them?", "what caused it?" (not "what
            # combined therapies ...": a noun follows)
            then = toks[j + 1] if j + 1 < len(toks) else None
            verb_alone = then is None or then.norm in _FOCUS_END or not then.content
            if verb_next and (
                w == "many"
                or (j > i + 1 and words[j - 1] in _AUX)
                or (w == "what" and j == i + 1 and verb_alone)
            ):
                # "which was built last?", "how many died?", "what happened (to them)?": a
                # verb done, no noun asked
                return frozenset()
            if j + 1 < len(words) and words[j] in _KIND_OF and words[j + 1] == "of":
                j += 2
            found: list[Token] = []
            while j < len(toks) and len(found) < 3 and toks[j].content:
                found.append(toks[j])
                j += 1
            after = words[j] if j < len(words) else ""
            if after and after not in _AUX and after not in _FOCUS_END:
                return frozenset()
            # ("how many rows": the rows themselves, whatever they hold)
            asked = [t for t in found if t.norm not in _SHARE | _TIME | _COUNTING]
            if intents & {"latest", "earliest"}:  # "which is the oldest?" orders, asks no noun
                asked = [t for t in asked if t.norm not in _ORDER_WORDS]
            known = [t for t in asked if lexicon.knows(t)]
            return frozenset(t.stem for t in (known or asked))
    return frozenset()


_FOCUS_END = frozenset(
    ["of", "for", "in", "on", "from", "with", "by", "to", "at", "among", "between", "that"]
)


# Past participles that do not end in -ed (English): "which was *built* first?"
_IRREGULAR_PARTICIPLES = frozenset(
    ["built", "made", "done", "run", "held", "found", "written", "begun", "known", "given"]
    + ["taken", "seen", "shown", "grown", "drawn", "chosen", "sold", "bought", "brought"]
)


def _participle(word: str) -> bool:
    """A past participle or tense: "measured", "died", "built" (not "red", "bed",
    "need", "seed")."""
    return word in _IRREGULAR_PARTICIPLES or (
        len(word) >= 4 and word.endswith("ed") and not word.endswith("eed")
    )


def _past_auxiliaries(words: Sequence[str], j: int) -> int:
    """The index of the first word from ``j`` on that is no auxiliary verb or determiner
    ("what *is the* span": the index of "span")."""
    while j < len(words) and (words[j] in _AUX or words[j] in _DETERMINERS):
        j += 1
    return j


def _asks_what_it_lacks(
    toks: Sequence[Token], mentions: Sequence[Mention], lexicon: Lexicon
) -> bool:
    """ "What is the <word> of <a table value>?" with a word the corpus never uses: the
    question asks for an attribute of the thing the corpus does not give (its population,
    its capital), not what the thing is."""
    if not any(m.entity.kind != "author" and m.entity.table for m in mentions):
        return False
    words = [t.norm for t in toks]
    for i, w in enumerate(words[:-2]):
        if w in ("what", "which"):
            j = _past_auxiliaries(words, i + 1)
            return (
                j + 1 < len(words)
                and toks[j].content
                and not lexicon.knows(toks[j])
                and words[j + 1] == "of"
            )
    return False


# what a question asks for when it asks a date ("in which year"), not what it is about
_DATE_STEMS = content_stems("year years date dates decade decades")
# Stems a number question asks with, not of what: its dates and the "long" of "how long"
ASKED_NOT_ABOUT = _DATE_STEMS | frozenset(["long"])


def _asks_a_cell(toks: Sequence[Token], mentions: Sequence[Mention], lexicon: Lexicon) -> bool:
    """The question names a table value and a column of its table (other than the
    value's own words): it asks for that cell ("what is the span of the X bridge?")."""
    return any(
        t.content and t.stem in lexicon.column_words(m.entity.table) and t.stem not in m.matched
        for m in mentions
        for t in toks
    )


# Words asking for the things named next ("which sites", "list the varieties"), English
_ASKING = frozenset({"which", "what", "any", "all", "list", "show", "name"})


def _asks_rows(toks: Sequence[Token], lexicon: Lexicon) -> bool:
    """The question asks for the rows of a table by the plural of a word its title or a
    column names, right after an asking word or a word or two later ("which *sites*
    exceeded the limit?", "which suspension *bridges* ...?"): a list."""
    for i, t in enumerate(toks):
        if t.norm in _ASKING:
            # the noun, or after "which" a noun a word or two on ("which suspension bridges";
            # "what weakens sandstone towers" asks no list)
            reach = 3 if t.norm == "which" else 1
            following = [u for u in toks[i + 1 :] if u.content][:reach]
            if any(u.stem in lexicon.topic and _plural(u) for u in following):
                return True
    return False


def _plural(token: Token) -> bool:
    """An English plural ("sites", "varieties"), not a word that ends in s ("status")."""
    norm = token.norm
    return norm.endswith("s") and norm != token.stem and not norm.endswith(("ss", "is", "us"))


# Verbs of a change by some amount (English): "by how much did X *improve* Y?" is
# answered in other words ("prolonged Y by 3 months", "rose by 40%")
_CHANGE_STEMS = content_stems(
    "improve improved increase increased reduce reduced decrease decreased rise rose risen "
    "fall fell drop dropped cut lower lowered raise raised boost boosted extend extended "
    "prolong prolonged shorten shortened lengthen lengthened grow grew grown decline declined "
    "enhance enhanced change changed go went"
)


def _anchor(terms: frozenset[str], unit: str | None, lexicon: Lexicon) -> str | None:
    """The rarest of the terms that the corpus uses, other than the unit and, when another
    is left, a verb of change (ties: the first in alphabetical order)."""
    known = sorted(t for t in terms if t != unit and lexicon.document_frequency.get(t, 0) > 0)
    steady = [t for t in known if t not in _CHANGE_STEMS]
    return max(steady or known, key=lexicon.idf) if known else None


def _sides(normalized: str) -> tuple[str, str] | None:
    """The first topical word of each thing a question contrasts, when it is that side's
    own ("red kites and black kites": "red", "black"); None when either side's first
    word is the other's too ("resistant at first and resistant later"), or a side has
    none. Only the first: which later word tells an elided side apart ("the bees of
    spring and summer", "the lining of X different from normal") is not known here."""
    found = contrasted(normalized)
    if found is None:
        return None
    one, two = ([t.stem for t in tokens(side) if t.content] for side in found)
    if not one or not two or one[0] in two or two[0] in one:
        return None
    return one[0], two[0]


def _unit(toks: Sequence[Token], intents: frozenset[str], normalized: str) -> str | None:
    """What a number question counts: "how many *patients*" -> the noun's stem,
    "what percentage" -> ``"%"``, "how much does it cost" -> ``"money"``, "what dose" ->
    ``"dose"``, "how long is X" -> ``"length"`` (of space or of time), "how long did" /
    "in months" -> ``"time"``."""
    if "number" not in intents:
        return None
    words = [t.norm for t in toks]
    if any(w in _SHARE for w in words) or "%" in " ".join(t.text for t in toks):
        return "%"
    if _PRICE.search(normalized):
        return "money"
    if _DOSE.search(normalized):
        return "dose"
    for i, w in enumerate(words[:-1]):
        if w == "how" and words[i + 1] == "long":
            # "how long is the X" asks a length or a time ("the canal", "the treatment");
            # "how long did X last" a time
            return (
                "length" if words[i + 2 : i + 3] in (["is"], ["are"], ["was"], ["were"]) else "time"
            )
        if (w == "number" and words[i + 1] == "of") or (w == "count" and i == 0):
            # "the number of X trials", "count the X studies": what the rows are
            return _head_noun(_counted(toks[i + 1 :]), toks)
        if w == "how" and words[i + 1] == "many":
            nxt = _counted(toks[i + 2 :])
            if nxt and _participle(nxt[0].norm):
                at = next(k for k in range(i + 2, len(toks)) if toks[k] is nxt[0])
                after = toks[at + 1] if at + 1 < len(toks) else None
                if after is None or not after.content:
                    return None  # "how many died?": a count of whoever did, any number
                nxt = nxt[1:]  # "how many randomized patients": the noun counts
            if nxt and nxt[0].norm in _TIME:
                return "time"
            return _head_noun(nxt, toks)
    if any(w in ("months", "years", "weeks", "days") for w in words):
        return "time"
    return None


# Nouns for studies (English): function words elsewhere, but what "how many" counts
_COUNTED_STUDIES = frozenset(
    {"study", "studies", "trial", "trials", "paper", "papers", "report", "reports"}
    | {"article", "articles", "experiment", "experiments"}
)


def _head_noun(counted: Sequence[Token], toks: Sequence[Token]) -> str | None:
    """The stem of the first word counted, or of a noun for studies right after it ("how
    many *X studies*": studies, X being a name or a value)."""
    if not counted:
        return None
    at = {id(t): k for k, t in enumerate(toks)}
    run = [counted[0]]
    for t in counted[1:3]:
        if at[id(t)] != at[id(run[-1])] + 1:
            break
        run.append(t)
    study = next((t for t in run[1:] if t.norm in _COUNTED_STUDIES), None)
    return (study or counted[0]).stem


def _counted(toks: Sequence[Token]) -> list[Token]:
    """The words "how many" may count, in order: topical words and nouns for studies,
    not a number or a label before one ("how many *stage 2* kites": kites)."""
    out = []
    for j, t in enumerate(toks):
        label = j + 1 < len(toks) and toks[j + 1].norm.isdigit()
        if (t.content or t.norm in _COUNTED_STUDIES) and not t.norm.isdigit() and not label:
            out.append(t)
    return out


# Asking for a combination of items ("in combination with", "combined with", "a combination
# therapy", "combinations"), English
_COMBINATION = re.compile(r"\bcombinations?\b|\bcombined? (?:with|two|three|several)\b", re.I)
_NUMBERED_NAME = re.compile(r"([a-z]+)\d+[a-z]*")  # letters, then digits
_SHORTHAND = 2  # "b4", "w8": letters-then-digits this short are a user's shorthand
_RUN_TOGETHER = 4  # "phase3": an English word this long, and a number
_UNITS = frozenset(["mm", "cm", "km", "m", "dm", "in", "ft", "mi"])  # "mm3", "km2", English


def _titled(word: str) -> bool:
    """Typed as a name: a capital, then lower-case letters ("Ganges", not "GANGES")."""
    return len(word) > 1 and word[0].isupper() and word[1:].isalpha() and word[1:].islower()


def _names_unknown(token: Token, lexicon: Lexicon, *, capitals: bool = False) -> bool:
    """The word names something the corpus never mentions: no corpus word (nor a form
    of one), no English word, and four letters or more. Shorter words ("ok", "tmrw",
    "OA") are too often a user's shorthand to count as a name, unless digits follow
    their letters ("p21", "XY7", "cox2": a gene, a protein, a model number), and a
    corpus name with a number is another name ("ABC" -> "ABC3"). An English word of four
    letters or more with a number is the word and a number run together ("phase3"); a
    unit with a power ("mm3") and two characters ("b4") name nothing. With ``capitals``
    (the question is not typed all in capitals), a word of three to five capital letters
    is a short form, a name even when it spells a rare English word."""
    if token.norm.isdigit():
        return False
    pieces = [p for p in re.split(r"[-/]", token.norm) if p]
    if (
        len(pieces) == 2
        and pieces[0] in lexicon.numbered_names
        and re.fullmatch(r"\d+[a-z]*", pieces[1])
        and token.norm not in lexicon.vocabulary
    ):
        return True  # "X-21" when the corpus numbers X otherwise ("X-193b"): another name
    if lexicon.knows(token):
        return False
    if len(pieces) > 1 and any(re.fullmatch(r"\d+[a-z]*", p) for p in pieces):
        return True  # "X-21" is not the corpus's "X-193b": a numbered name is one name
    if len(token.norm) > _SHORTHAND and (m := _NUMBERED_NAME.fullmatch(token.norm)):
        word = m.group(1)
        if word in _UNITS:
            return False
        return lexicon.knows_word(word) or not (
            len(word) >= _RUN_TOGETHER and lexicon.is_english_word(word)
        )
    letters = re.sub(r"[^A-Za-z]", "", token.text)
    if capitals:
        # a short form ("SERE"), whatever rare English word it spells ("sere", dry), unless
        # it is the start or end of a word the corpus uses ("ABC" of "pABC" or "ABC-3") or
        # the corpus spells it out ("ABV": "acute bee virus"); a common word in capitals is
        # stressed ("is it REALLY safe?"), and so is a long one ("CIRRHOSIS"); each part of
        # "ABC/DEF" on its own
        split = [p for p in re.split(r"[-/]", token.text) if p]
        short = [p for p in split if _short_form(p, lexicon)]
        if short:
            if any(
                not (lexicon.holds_short_form(p.lower()) or lexicon.initialism(p)) for p in short
            ):
                return True
            # the other parts of "ABC/word" count as any word does
            others = [p.lower() for p in split if p not in short]
            return not all(
                o.isdigit() or lexicon.knows_word(o) or lexicon.is_english_word(o) for o in others
            )
    if all(lexicon.knows_word(p) or lexicon.is_english_word(p) for p in pieces):
        return False
    return len(letters) >= 4


# letters of a word in capitals read as a short form ("TKI"; "OK" and "CIRRHOSIS" are not)
_SHORT_FORM = (3, 5)


def _short_form(word: str, lexicon: Lexicon) -> bool:
    """A word typed as a short form: three to five capital letters (ASCII), not a common
    English word."""
    return (
        _SHORT_FORM[0] <= len(word) <= _SHORT_FORM[1]
        and word.isascii()
        and word.isalpha()
        and word.isupper()
        and not lexicon.is_common_english(word.lower())
    )


def deictic(words: Sequence[str], i: int) -> bool:
    """``words[i]`` is "this" or "that" pointing at something said before: it ends the
    question, stands before a verb or a function word ("was that", "is this safe"), or
    follows one ("did that trial help"), or comes before a noun for a study that ends the
    question or a phrase ("who led that study?", "who ran that trial in spring?"). After
    a noun and before another word it is a relative pronoun or a plain determiner ("drugs
    that failed", "trials that report yields", "hives this summer")."""
    if words[i] not in _DEICTIC:
        return False
    prev = words[i - 1] if i else ""
    nxt = words[i + 1] if i + 1 < len(words) else ""
    after = words[i + 2] if i + 2 < len(words) else ""
    # ("trials that report yields": "report" is a verb there)
    named = nxt in _STUDY_NOUNS and (not after or after in STOPWORDS)
    return not nxt or nxt in STOPWORDS or named or not prev or prev in STOPWORDS


# "the second one", "the third study", "the former", "the latter" (English): a row of those
# the previous answer showed, by its place; "the first" / "the last" beside one of them
_AFTER_PLACE = r"(?=\s*(?:[?.!,;:]|$|(?:one|ones|study|trial|paper|report|row|entry|and|or)\b))"
_ORDINAL = re.compile(
    r"\b(?:the|that|this)\s+(second|third|fourth|fifth)\s+"
    r"(?:one|study|trial|paper|report|row|entry)\b|"
    r"\bthe\s+(former|latter)\b(?!\s+(?:half|part|stage|phase|years?|period|case|cases)\b)",
    re.IGNORECASE,
)
_PLACES = {"second": 1, "third": 2, "fourth": 3, "fifth": 4, "former": 0, "latter": -1}
_ENDS = re.compile(rf"\bthe\s+(first|last)\b{_AFTER_PLACE}", re.IGNORECASE)


def shown_places(text: str) -> tuple[int, ...]:
    """Places (0 first, -1 last) of the rows shown before that the question names by
    their order ("did the second one do better than the first?": 1, 0); none without a
    second, third, ... or former/latter (a first or last alone is the earliest or latest).

    Examples:
        >>> shown_places("did the second one do better than the first?")
        (1, 0)
        >>> shown_places("which was the first trial?")
        ()
    """
    found = [
        (m.start(), _PLACES[(m.group(1) or m.group(2)).lower()]) for m in _ORDINAL.finditer(text)
    ]
    if not found:
        return ()
    found += [(m.start(), 0 if m.group(1).lower() == "first" else -1) for m in _ENDS.finditer(text)]
    return tuple(dict.fromkeys(place for _, place in sorted(found)))


def end_named(text: str) -> int | None:
    """The end of the rows shown before that the question names (0 "the first one", -1
    "the last one"), or None.

    Examples:
        >>> end_named("and the first one?"), end_named("the last study"), end_named("first")
        (0, -1, None)
    """
    m = _ENDS.search(text)
    return None if m is None else 0 if m.group(1).lower() == "first" else -1


_ONE = frozenset({"it", "its"})
_MANY = frozenset({"they", "them", "their", "theirs", "these", "those", "ones"})


# "which of them", "any of those", "one among these" (English): a part of several things
_PARTITIVE = re.compile(r"\b(?:of|among|amongst)\s+(?:them|those|these)\b", re.IGNORECASE)


def _selected_ids(row_filter: RowFilter) -> frozenset[str]:
    """The ids of the rows every value constraint of a filter selects (empty when it
    has none, reads years or asks for an extreme: those need the rows themselves)."""
    constraints = row_filter.constraints
    if not constraints or row_filter.years or row_filter.excluded:
        return frozenset()
    if any(c.extreme for c in constraints):
        return frozenset()
    return frozenset.intersection(*(c.rows for c in constraints))


def _row_order(row_id: str) -> tuple[str, int, str]:
    """A row id ("table:key") in the order of its table's keys when they are numbers
    ("t:10" after "t:9"), else by key."""
    table, _, key = row_id.rpartition(":")
    return (table, int(key), "") if key.isdecimal() else (table, -1, key)


def _points_at_one(query: Query) -> bool:
    """The question points back at one thing ("it", "that study"), not at several."""
    words = [t.norm for t in query.tokens]
    if _MANY.intersection(words):
        return False
    return any(w in _ONE or deictic(words, i) for i, w in enumerate(words))


# Words that ask for the first or last of something (English).
_ORDERING = frozenset(
    [
        "first",
        "last",
        "recent",
        "latest",
        "earliest",
        "oldest",
        "newest",
        "earlier",
        "later",
        "older",
        "newer",
    ]
)
# Words that date a row ("published in 2013") and that count them all ("in total",
# "how many rows"), English: a corpus without them still answers the question
_DATING = frozenset(["published", "publication", "publish", "released", "appeared", "dated"])
_COUNTING = frozenset(["total", "altogether", "row", "rows", "number", "entries", "records"])
COUNTING_STEMS = frozenset(stem(w) for w in _COUNTING)
# what a table's rows are when the question names the table ("how many entries are in
# table 2?"); elsewhere a corpus's own noun ("club records")
ENTRY_STEMS = frozenset(stem(w) for w in ("entry", "entries", "record", "records"))
ROW_STEMS = frozenset([stem("row"), stem("rows")])  # what every table's rows are
# Words of a question asking which came first or last, and nothing else (English).
_ORDER_WORDS = frozenset(
    {"first", "last", "recent", "latest", "earliest", "oldest", "newest", "published"}
    | {"came", "come", "out", "appeared", "done", "conducted", "reported", "one", "ones"}
)
# "the others", "the other one(s)", "the rest", "which ones were not?" (English): of the
# things shown two turns back, those the last turn did not keep
_OTHERS = re.compile(
    r"^\s*(?:and\s+|but\s+|what\s+about\s+|how\s+about\s+)?(?:the\s+)?"
    r"(?:others|other\s+ones?|rest)\s*[?.!]*\s*$|\bthe\s+other\s+ones?\b|"
    r"\b(?:which|what)(?:\s+ones?)?\s+(?:were|was|are|is|did|do|does)(?:\s+not|n[’']?t)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_OTHER_STEMS = frozenset(stem(w) for w in ("other", "others", "rest", "ones"))
# "which one ...?", "which ones ...?" (English): of the things shown before
_WHICH_ONE = re.compile(r"\bwhich\s+ones?\b(?!\s+of\s+the\b)", re.IGNORECASE)
# "the 2014 one", "the Hamburg one", "the one from 2014", "the ones by X" (English): one of
# the things shown before, by a word of it ("the one with worse X" describes a new one)
_THE_YEAR_ONE = re.compile(r"\bthe\s+\d{4}\s+ones?\b", re.IGNORECASE)
_THE_X_ONE = re.compile(
    r"\bthe\s+(?:(?!only\b)[\w-]+\s+ones?\b|ones?\s+(?:from|by|published|dated)\b)",
    re.IGNORECASE,
)


def _before_orders(history: Sequence[str], lexicon: Lexicon) -> tuple[str, tuple[str, ...]]:
    """The turn before a run of follow-ups that pick among rows by order, at the end of
    the history (the last turn is one), and the turns before it."""
    at = len(history) - 1
    while at > 0:
        turn = understand(history[at], history[:at], lexicon, recall=None)
        if not (turn.followup and _orders(turn)):
            break
        at -= 1
    return history[at], tuple(history[:at])


def _orders(*queries: Query) -> bool:
    """Each question picks among the rows shown by their order or years ("the latest",
    "the second one")."""
    return all(q.intents & {"latest", "earliest"} or shown_places(q.normalized) for q in queries)


def is_followup(query: Query) -> bool:
    """True when the question leans on an earlier turn to be understood."""
    if _OPENERS.match(query.normalized) and not query.normalized.lower().startswith("why"):
        return True
    if shown_places(query.normalized) or _THE_X_ONE.search(query.normalized):
        return True  # "the second one", "the 2014 one"
    if _WHICH_ONE.search(query.normalized):
        return True  # "which one was about X?": one of those shown
    # "which one was published first?": of what was shown, when it names nothing else
    ordering = query.intents & {"latest", "earliest"}
    if ordering and all(t.norm in _ORDER_WORDS for t in query.content):
        return not names_its_subject(query)
    words = [t.norm for t in query.tokens]
    for i, w in enumerate(words):
        if w in _BACK:
            return True
        if deictic(words, i):
            return True
    listed = sum(t.norm in LISTED for t in query.tokens)  # "which drugs are mentioned?"
    return len(query.content) + listed <= 1 and not names_its_subject(query)


def _superlative(word: str, lexicon: Lexicon) -> bool:
    """An English adjective's superlative ("tallest", "heaviest")."""
    return word.endswith("est") and lexicon.is_english_word(word)


def points_at_nothing(query: Query) -> str | None:
    """The word by which a question asked first points back at a subject it does not
    name ("when was it built?", "is that safe?"): nothing was asked before it could
    stand for. None when the question names its subject or holds more than one topical
    word ("why do they stop responding?" is about responding)."""
    if names_its_subject(query) or query.filter.specific or len(query.content) > 1:
        return None
    if "gist" in query.intents:  # "what do they conclude?": the authors, of the documents
        return None
    words = [t.norm for t in query.tokens]
    pairs = zip(words, words[1:], strict=False)
    if any(a in _BACK | _DEICTIC and b in _THE_DOCUMENTS for a, b in pairs):
        return None  # "what are these notes about?": the documents themselves
    return next(
        (w for i, w in enumerate(words) if w in _BACK - {"same", "such"} or deictic(words, i)),
        None,
    )


# Nouns for the documents asked about themselves, after "this" or "these" (English)
_THE_DOCUMENTS = frozenset(
    ["notes", "note", "text", "texts", "file", "files", "document", "documents", "pages"]
    + ["folder", "review", "article", "paper", "report", "book", "documentation"]
)
_DOCUMENT_STEMS = frozenset(stem(w) for w in _THE_DOCUMENTS)


def names_its_subject(query: Query) -> bool:
    """The question names what it is about itself: a table value, a name the corpus never
    mentions, years, or the document ("what does the review conclude?")."""
    if query.mentions or query.unknown or query.filter.years is not None:
        return True
    return any(t.norm in _DOCUMENT for t in query.tokens)


def _with_referent(
    query: Query, previous: Turn, lexicon: Lexicon, elliptical: bool = False
) -> Query:
    """The query searched with the previous turn's key terms added (what "it" stands for),
    and filtered by the previous turn's values in the columns it does not name itself.

    ``elliptical``: the question leans on the previous turn without pointing at it ("how
    many countries were involved?", tried so because it was refused alone); a number or
    focus it asks is then of the previous turn's subject when it names no value itself.
    """
    own = {s for t in query.tokens for s in parts(t)}
    # ("what about the second one?", "the 2013 one?" point back at a row shown: they
    # replace nothing; "what about the untreated ones?" asks of others)
    pointing = bool(shown_places(query.normalized) or _THE_YEAR_ONE.search(query.normalized))
    swaps = bool(_SWAP.match(query.normalized)) and bool(query.content) and not pointing
    carried: list[str] = []
    # "what about X?" replaces the earlier values: their words are not carried
    replaced = {s for m in previous.query.mentions for s in m.matched} if swaps else set()
    for t in tokens(previous.query.search):  # the previous turn as it was resolved
        if not t.content or any(s in own for s in parts(t)) or t.norm in _BACK:
            continue
        if swaps and (set(parts(t)) & replaced or not t.norm.isalpha()):
            continue
        if t.text not in carried:
            carried.append(t.text)
    search = " ".join([query.search, *carried]) if carried else query.search
    mentions = query.mentions
    row_filter = query.filter
    if not swaps:
        kept = {m.entity.column for m in query.mentions}
        inherited = [
            m
            for m in previous.query.mentions
            if m.entity.column not in kept and not _belied(m, previous, lexicon)
        ]
        if query.alone:  # "and on its own?": the earlier value alone
            inherited = [_alone(m) for m in inherited if m.how == "whole"]
        mentions = query.mentions + tuple(inherited)
        row_filter = replace(
            build_filter(
                query.normalized,
                query.tokens,
                mentions,
                table=query.filter.table,
                years_apply=query.filter.years is not None or bool(lexicon.year_tables),
                compared=content_stems(compared_words(query.normalized)),
                lexicon=lexicon,
            ),
            table=query.filter.table or previous.query.filter.table,
        )
    intents = query.intents | (previous.query.intents & {"list"} if not query.intents else set())
    anchor = query.anchor
    ellipsis = elliptical and not query.mentions
    if (anchor is None or ellipsis) and not swaps and ("number" in query.intents or query.focus):
        # "how many patients did it enrol?": a number of the thing "it" stands for, the
        # rarest word of the values the previous turn named (else that turn's anchor). Of
        # alternatives ("X or Y") that is one of them: a count beside the other is missed,
        # which measured better than taking any count at all (dev5: one more unanswerable
        # question refused, none answerable lost)
        named = frozenset(s for m in previous.query.mentions for s in m.matched)
        anchor = (
            _anchor(named - query.focus, query.unit, lexicon) or previous.query.anchor or anchor
        )
    return replace(
        query,
        anchor=anchor,
        followup=True,
        referent=previous,
        swapped=swaps,
        search=search,
        terms=query.terms | content_stems(" ".join(carried)),
        carried=tuple(carried),
        mentions=mentions,
        filter=row_filter,
        intents=frozenset(intents),
    )


def _belied(mention: Mention, previous: Turn, lexicon: Lexicon) -> bool:
    """The previous answer showed rows with the mention's column that do not hold the
    values the previous turn named there (they were cited, not filtered): those values did
    not choose what was shown, so a follow-up about it ("and the most recent?") is not
    narrowed by them."""
    if not previous.rows:
        return False
    column = mention.entity.column
    having = _rows_with_column(lexicon, column)
    held = frozenset().union(
        *(m.entity.rows for m in previous.query.mentions if m.entity.column == column)
    )
    return bool(having.intersection(previous.rows) - held)


@functools.lru_cache(maxsize=64)
def _rows_with_column(lexicon: Lexicon, column: str) -> frozenset[str]:
    """Ids of the rows of the tables that have a column of this name."""
    return frozenset(
        r.id for t in lexicon.tables if any(c.name == column for c in t.columns) for r in t.rows
    )


def _other_numbered_values(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The numbered values the question names that a table numbers otherwise and the
    corpus never writes, in any form: "stage 2" where a column's every value is "Stage
    N" and the numbers are 3 and 4 ("stage II", "stages 1 and 2" count as written)."""
    if not lexicon.value_numbers:
        return ()
    typed = {t.stem: t.text.lower() for t in reversed(tokens(text))}  # "tabl": "table"
    return tuple(
        f"{typed.get(word, word)} {number}"
        for word, number in sorted(number_mentions(text))
        if (numbers := lexicon.value_numbers.get(word)) is not None
        and number not in numbers
        and len(number) < 4  # a year is no value's number
        and (word, number) not in lexicon.number_mentions
    )


def _everyday(toks: Sequence[Token], i: int, lexicon: Lexicon) -> bool:
    """Word ``i`` may be a typo of an everyday English word: typed in lower case, before
    no "et al", and unknown to the corpus and to English in every form ("stemness" is a
    form of a corpus word). A capitalized word, or one before "et al", is taken as a name."""
    t = toks[i]
    if not t.text.islower() or (i + 1 < len(toks) and toks[i + 1].norm == "et"):
        return False
    return not (lexicon.knows(t) or lexicon.is_english(t))


# Words for a cited work's number ("reference 9"), read as the "ref" a table heads it with
_REFERENCE_WORDS = frozenset({"reference", "citation", "cite", "refs", "references"})


def _chatted(toks: Sequence[Token], i: int) -> bool:
    """Word ``i`` may be a chat spelling: typed in lower case, or capitalized as the first
    word before a function word ("Wat is X?", as a phone types it); otherwise a
    capitalized word is a name ("Wat Arun")."""
    t = toks[i]
    if t.text.islower():
        return True
    return i == 0 and t.text[1:].islower() and i + 1 < len(toks) and toks[i + 1].norm in STOPWORDS


def _correct(
    text: str, lexicon: Lexicon, *, shouted: bool = False
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The text with misspelled words replaced by the words they were meant as: a
    corpus word, or for an everyday word typed in lower case the English word; a
    contraction typed without its apostrophe gets it back, and a chat spelling of a
    function word ("wat", "pls") is the word."""
    out: list[str] = []
    corrections: list[tuple[str, str]] = []
    pos = 0
    toks = tokens(text)
    for i, t in enumerate(toks):
        new = None
        if t.norm in _ROMAN and i > 0 and toks[i - 1].norm in lexicon.numbered:
            new = _ROMAN[t.norm]
        elif (
            t.norm in APOSTROPHE_LESS
            and not t.text.isupper()  # "IM", "HES": short forms, not "I'm", "he's"
            and t.norm not in lexicon.vocabulary
        ):
            new = APOSTROPHE_LESS[t.norm]  # "whats" is "what's", not a word the corpus lacks
        elif t.norm in CHAT and _chatted(toks, i) and t.norm not in lexicon.vocabulary:
            new = CHAT[t.norm]  # "wat is X": "what is X"
        elif (
            t.norm in FUNCTION_TYPOS
            and (t.text.islower() or (i == 0 and t.text[1:].islower()))  # not a name
            and not (i + 1 < len(toks) and toks[i + 1].norm == "et")  # "Ren et al"
            and not lexicon.speller.known(t.norm)
        ):
            new = FUNCTION_TYPOS[t.norm]  # "wich": "which", not the corpus's "with"
        elif (
            t.norm in _REFERENCE_WORDS
            and i + 1 < len(toks)
            and toks[i + 1].norm.isdigit()
            and t.norm not in lexicon.vocabulary
            and "ref" in lexicon.vocabulary
        ):
            new = "ref"  # "reference 9" in a corpus whose tables number their rows "ref"
        elif t.norm in SHORTHAND and SHORTHAND[t.norm] in lexicon.vocabulary:
            new = SHORTHAND[t.norm]
        elif t.norm not in STOPWORDS:
            new = lexicon.speller.correct(t.norm)
            # an everyday word one edit from English beats an English word two edits away
            # that the corpus uses ("medicin" is "medicine", not "median"); a corpus word of
            # its own ("brivan" -> the drug) is kept
            if lexicon.speller.far_english(t.norm, new) and _everyday(toks, i, lexicon):
                new = lexicon.speller.english_typo(t.norm) or new
            # a form of an English word ("stoped": stop + ed) is not another English word
            # two edits away ("showed"); a name in capitals ("ABCDEFG" in a question not
            # typed in capitals) is a slip of a corpus word one edit away at most
            if new is not None and (
                (lexicon.speller.far_english(t.norm, new) and lexicon.is_english(t))
                or (t.text.isupper() and not shouted and lexicon.speller.distance(t.norm, new) > 1)
            ):
                new = None
        if new and new != t.norm:
            out.append(text[pos : t.start])
            out.append(new)
            pos = t.end
            corrections.append((t.text, new))
    out.append(text[pos:])
    return "".join(out), tuple(corrections)


def _intents(text: str) -> frozenset[str]:
    # On ASCII text, a pattern is searched only when the text holds a word it needs
    # (case-insensitive matching is then plain lower-casing).
    low = text.lower() if text.isascii() else None

    def has(name: str) -> bool:
        pattern, needs = _INTENT_PATTERNS[name]
        if low is not None and needs and not any(n in low for n in needs):
            return False
        return pattern.search(text) is not None

    found = set()
    if has("list"):
        found.add("list")
    if has("who"):
        found.add("who")
    if has("latest"):
        found.add("latest")
    elif has("earliest"):
        found.add("earliest")
    # "what is the latest X" asks for a row, not what X means
    # (counted by word: "ABC-3" is one word of several stems)
    if (
        has("define")
        and sum(1 for t in tokens(text) if t.content) <= 3
        and not {"latest", "earliest"} & found
    ):
        found.add("define")
    if has("compare"):
        found.add("compare")
    if has("contrast"):
        found.add("contrast")
    if has("number"):
        found.add("number")
    if has("when"):
        found.add("when")
    if has("yesno"):
        found.add("yesno")
    if has("why"):
        found.add("why")
    if has("similar"):
        found.add("similar")
    if has("how") and "number" not in found:
        found.add("how")
    # "the median survival overall", "which trials concluded ..." ask for a number or rows
    if not found & _ASKS_MORE and has("gist"):
        found.add("gist")
    return frozenset(found)


# Each intent's pattern, and the lower-case words one of which every match holds
# (empty: always searched).
_INTENT_PATTERNS: Mapping[str, tuple[re.Pattern[str], tuple[str, ...]]] = MappingProxyType(
    {
        "list": (_LIST, ("list", "enumerate", *_LIST_NOUNS.split("|"))),
        "who": (_WHO, ("who", "which", "what")),
        "define": (
            _DEFINE,
            ("what", "wat", "define", "definition", "meaning", "stand", "short for", "="),
        ),
        "compare": (
            _COMPARE,
            ("compar", "versus", "vs", "better", "worse", "superior", "inferior", "differ"),
        ),
        "contrast": (_CONTRAST, ("differ", "distinct", "contrast", "distinguish")),
        "number": (
            _NUMBER,
            (
                "how",
                "percent",
                "proportion",
                "fraction",
                "rate",
                "number of",
                "dose",
                "dosage",
                "amount",
                "median",
                "average",
                "cost",
                "price",
                "expensive",
                "costly",
                "pricey",
                "%",
                "in months",
                "in years",
                "in weeks",
                "in days",
                "in mg",
                "count",
            ),
        ),
        "when": (_WHEN, ("when", "what", "which")),
        "yesno": (_YESNO, ()),
        "why": (_WHY, ("why", "how come", "what", "reason")),
        "how": (_HOW, ()),
        "similar": (_SIMILAR, ("else", "similar", "same", "other")),
        "latest": (_LATEST, ("recent", "latest", "newest", "last", "later", "newer")),
        "earliest": (_EARLIEST, ("earliest", "oldest", "first", "earlier", "older")),
        "gist": (
            _GIST,
            (
                "conclu",
                "summar",
                "overall",
                "take",
                "bottom",
                "main",
                "key",
                "in ",
                "sum ",
                "about",
            ),
        ),
    }
)


def _alone(mention: Mention) -> Mention:
    """A mention of "X alone": the rows whose whole cell is X ("X", not "X plus Y")."""
    entity = mention.entity
    if entity.alone is None:  # every row holding X holds X alone
        return mention
    # no row holds X alone: the mention selects none
    return replace(mention, entity=replace(entity, rows=entity.alone, alone=None))


def _polarity(mentions: list[Mention]) -> list[Mention]:
    """Of several values of one column that differ only by a negation ("no benefit",
    "benefit"), keep the negated ones: the question matched them as a whole."""
    negated_columns = {m.entity.column for m in mentions if m.entity.negated}
    return [
        m
        for m in mentions
        if m.entity.negated or m.entity.column not in negated_columns or m.how == "name"
    ]
