"""hccqa.answer.facts: a sentence's facts, read once, score it as reading the text does.

Oracle: the sentence tests of the evidence scorer, run on the kept :class:`Facts`, agree
with reference tests that read the sentence text itself (the scorer's former inline
code), for every sentence of the second test corpus and questions of every intent, with
one memo shared by all the questions (as on a server).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from hccqa.answer.evidence import _anchor_test, _shape_test, defined_long_forms
from hccqa.answer.facts import (
    _AUTHOR,
    _CAUSAL,
    _CONCLUDING,
    _DEFINES,
    _MEANS,
    _SUMS_UP,
    FACTS_LIMIT,
    YEAR,
    Facts,
    SentenceFacts,
    coverage,
    sentence_stems,
    weigher,
)
from hccqa.corpus.citations import BACK_REFERENCE, find_citations
from hccqa.qa import QA
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import Query, understand
from hccqa.understand.words import has_number, parts, stem_set

QUESTIONS = [
    "How many frames do nucleus colonies have?",
    "When were hives first shaded on a roof?",
    "Who showed that thymol strips stopped queens laying?",
    "Why do urban beekeepers split strong colonies?",
    "How does oxalic acid reach the mites?",
    "What does OA stand for?",
    "What are nucleus colonies?",
    "Which trials used thymol strips?",
    "Did treated colonies lose fewer queens over winter?",
    "swarming in late spring",
    "what percentage of colonies survived the heat",
    "What is the bottom line overall?",
]

# The scorer's tests as they read the sentence text before facts were kept (with the
# module's own patterns: what is checked is that the facts carry what they say).


def _text_shape(query: Query, lexicon: Lexicon, s: str, section: str, row: bool) -> bool:
    found = []
    if "number" in query.intents:
        found.append(not row and has_number(s))
    if "when" in query.intents:
        found.append(bool(YEAR.search(s)))
    if "who" in query.intents:
        found.append(bool(_AUTHOR.search(s) or find_citations(s) or BACK_REFERENCE.match(s)))
    if "why" in query.intents:
        found.append(not row and bool(_CAUSAL.search(s)))
    if "how" in query.intents:
        found.append(not row and bool(_MEANS.search(s)))
    if "gist" in query.intents:
        found.append(not row and bool(_SUMS_UP.match(s) or _CONCLUDING.match(section)))
    if "define" in query.intents:
        longs = defined_long_forms(query, lexicon)
        if longs:
            found.append(not row and any(lf <= stem_set(s) for lf in longs))
        opening = None if row else _DEFINES.match(s)
        if opening:
            asked = [frozenset(x for t in query.content for x in parts(t)), *longs]
            words = opening["subject"].split()
            cut = next(
                (i for i, w in enumerate(words) if i and w.lower() in {"of", "in", "with"}),
                len(words),
            )
            short = opening["short"] or ""
            subject = stem_set(f"{opening['subject']} {short}")
            head = stem_set(f"{words[cut - 1]} {short}")
            found.append(any(a and a <= subject and not a.isdisjoint(head) for a in asked))
    return any(found)


def _text_anchor(query: Query, corpus: Any, s: str) -> bool:
    names = frozenset(x for m in query.mentions for x in (m.entity.names or m.entity.stems))
    if not names:
        return False
    rows = {r for m in query.mentions for r in m.entity.rows}
    refs = {r.ref for r in corpus.rows if r.id in rows and r.ref is not None}
    whole = [m.entity.stems for m in query.mentions if m.how == "whole" and m.entity.stems]
    have = stem_set(s)
    if names & have or any(w <= have for w in whole):
        return True
    return bool(refs) and any(n in refs for c in find_citations(s) for n in c.numbers)


def _sentences(qa: QA) -> list[tuple[int, int, str, Any]]:
    """Every (sentence, passage position, text, passage) of the corpus."""
    passages = qa.retriever.passages
    return [
        (s, at, qa.retriever.sentences[s], passages[at])
        for at, ss in enumerate(qa.corpus.sentence_map)
        for s in ss
    ]


def test_kept_facts_score_every_sentence_as_its_text_does(second_qa: QA) -> None:
    e = second_qa.engine
    memo = SentenceFacts()
    sentences = _sentences(second_qa)
    checked = {"shape": 0, "anchor": 0, "covered": 0}
    for question in QUESTIONS:
        query = understand(question, (), e.lexicon)
        shape, anchored = _shape_test(query, e.lexicon), _anchor_test(query, e.corpus)
        weigh = weigher(query.terms, e.lexicon)
        for s, at, text, passage in sentences:
            f = memo.get(s, at, text, passage, e.lexicon)
            row = passage.kind == "row"
            context = text if row else f"{passage.section}. {text}"
            want = coverage(query.terms, sentence_stems(context, e.lexicon), e.lexicon)
            assert weigh(f) == want, (question, text)  # the same sum, bit for bit
            assert shape(f, row) == _text_shape(query, e.lexicon, text, passage.section, row), (
                question,
                text,
            )
            assert anchored(f) == _text_anchor(query, e.corpus, text), (question, text)
            checked["shape"] += shape(f, row)
            checked["anchor"] += anchored(f)
            checked["covered"] += 0 < want < 1
    assert len(memo) == len(sentences)  # one entry per sentence and passage, reused
    assert all(n > 5 for n in checked.values()), checked  # every test said yes somewhere


def test_facts_read_the_shape_of_a_sentence(second_qa: QA) -> None:
    e = second_qa.engine
    prose = next(p for p in e.retriever.passages if p.kind == "text")
    f = Facts.of("Because of heat, Smith et al[4] lost 12 hives in 2018.", prose, e.lexicon)
    assert f.number and f.year and f.who and f.causal and not f.means
    assert f.cites == frozenset({4})
    assert "heat" in f.plain and "heat" in f.stems
    assert set(stem_set(prose.section)) <= f.stems  # prose is read with its section title
    assert f.heads == {h[:4] for h in f.stems if len(h) >= 4}
    plain = Facts.of("Hives sit on roofs.", prose, e.lexicon)
    assert not (plain.number or plain.year or plain.who or plain.causal or plain.cites)
    assert not (f.gist or plain.gist)


def test_a_sentence_with_a_pronoun_subject_is_about_what_the_one_before_names(
    second_qa: QA,
) -> None:
    e = second_qa.engine
    prose = next(p for p in e.retriever.passages if p.kind == "text")
    text = "The Kell weir was raised in 1902. It holds 40 tonnes of silt. Silt is fine."
    passage = replace(prose, text=text, section="")
    it = Facts.of("It holds 40 tonnes of silt.", passage, e.lexicon)
    assert {"kell", "weir"} <= it.stems and "kell" not in it.plain  # scored, not quoted, so
    other = Facts.of("Silt is fine.", passage, e.lexicon)
    assert "kell" not in other.stems  # no pronoun: its own words only


def test_a_sentence_opening_like_a_definition_says_what_it_defines(second_qa: QA) -> None:
    e = second_qa.engine
    prose = next(p for p in e.retriever.passages if p.kind == "text")
    row = next(p for p in e.retriever.passages if p.kind == "row")

    def defines(text: str, passage: Any = prose) -> tuple[frozenset[str], frozenset[str]]:
        f = Facts.of(text, passage, e.lexicon)
        return f.defines, f.defines_head

    q = stem_set
    assert defines("Quorblin is a wax that bees avoid.") == (q("Quorblin"), q("Quorblin"))
    assert defines("Smoked quorblin wax refers to old comb.") == (
        q("Smoked quorblin wax"),
        q("wax"),
    )
    assert defines("Brood frames are defined as frames with larvae.") == (
        q("Brood frames"),
        q("frames"),
    )
    assert defines("OA stands for oxalic acid.") == (q("OA"), q("OA"))
    assert defines("Quorblin is also a wax.")[1] == q("Quorblin")
    # the head is the word before a preposition; a bracketed abbreviation counts as the head
    assert defines("Colonies of ten frames are the rule.") == (
        q("Colonies of ten frames"),
        q("colonies"),
    )
    assert defines("Oxalic acid (OA) is an acid.") == (q("Oxalic acid OA"), q("acid OA"))
    assert defines("The reason quorblin fails is a puzzle.")[1] == q("fails")  # not quorblin
    none = (frozenset(), frozenset())
    assert defines("Quorblin has been tested on roofs.") == none  # says no nature
    assert defines("Bees on the roofs of six city halls are the best fed.") == none  # too long
    assert defines("Given that quorblin is a wax, bees avoid it.") == none  # a clause
    assert defines("Quorblin, a wax, is the rule.") == none  # the subject ends at a comma
    assert defines("Quorblin is a wax.", row) == none  # a row defines nothing


def test_a_long_run_of_punctuation_is_read_at_once(second_qa: QA) -> None:
    e = second_qa.engine
    prose = next(p for p in e.retriever.passages if p.kind == "text")
    started = time.perf_counter()
    for rule in ("=" * 20_000, "." * 20_000 + " end", "-" * 20_000 + " x is a y"):
        Facts.of(rule, prose, e.lexicon)
    # a subject tried at every length of the run took seconds (quadratic); now linear
    assert time.perf_counter() - started < 2.0


def test_a_sentence_sums_up_by_its_opening_words_or_its_section(second_qa: QA) -> None:
    e = second_qa.engine
    prose = next(p for p in e.retriever.passages if p.kind == "text")
    row = next(p for p in e.retriever.passages if p.kind == "row")
    closing = replace(prose, section="Concluding remarks")
    assert Facts.of("Taken together, roofs suit bees.", prose, e.lexicon).gist
    assert Facts.of("In summary: roofs suit bees.", prose, e.lexicon).gist
    assert Facts.of("Roofs suit bees.", closing, e.lexicon).gist
    assert not Facts.of("Roofs suit bees, overall.", prose, e.lexicon).gist  # not its opening
    assert not Facts.of("In summary, roofs suit bees.", row, e.lexicon).gist  # a row never does
    numbered = replace(prose, section="5. Conclusions and outlook")
    assert Facts.of("Roofs suit bees.", numbered, e.lexicon).gist
    caption = replace(prose, section="Table 2: Summary of trials")  # sums up no argument
    assert not Facts.of("Roofs suit bees.", caption, e.lexicon).gist


@pytest.mark.parametrize("limit", [1, 3, 37])
def test_the_memo_is_bounded_and_starts_again(second_qa: QA, limit: int) -> None:
    e = second_qa.engine
    memo = SentenceFacts(limit=limit)
    for s, at, text, passage in _sentences(second_qa):
        got = memo.get(s, at, text, passage, e.lexicon)
        assert got == Facts.of(text, passage, e.lexicon)
        assert len(memo) <= limit
    assert FACTS_LIMIT * 12_000 <= 200_000_000  # the default holds at most ~120 MB


def test_positions_follow_the_passage_list(second_qa: QA) -> None:
    passages = second_qa.retriever.passages
    memo = SentenceFacts()
    assert memo.position(passages) == {p.id: i for i, p in enumerate(passages)}
    shorter = passages[1:]
    assert memo.position(shorter)[shorter[0].id] == 0  # another list: computed again
