"""hccqa.answer.evidence: sentences scored, passages re-ranked by their best sentence.

Over the second test corpus with the hashing fake encoder (deterministic).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from hccqa.answer.evidence import Evidence, Weights, _prose_first, gather
from hccqa.answer.facts import SentenceFacts, coverage, states_comparison
from hccqa.qa import QA
from hccqa.types import Passage
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import understand


def _gather(
    qa: QA,
    question: str,
    *,
    mode: str = "hybrid",
    n: int = 10,
    favored: frozenset[str] = frozenset(),
    **weights: float,
) -> Evidence:
    e = qa.engine
    query = understand(question, (), e.lexicon)
    return gather(
        query,
        e.retriever,
        e.corpus,
        e.lexicon,
        n=n,
        mode=mode,
        weights=Weights(**weights),
        favored=favored,
    )


def _shape_bonus(qa: QA, question: str) -> dict[str, float]:
    """Each scored sentence's text -> what the shape bonus (weight 1.0) adds to its score."""
    without = {s.text: s.score for s in _gather(qa, question, shape=0.0).sentences}
    return {s.text: s.score - without[s.text] for s in _gather(qa, question, shape=1.0).sentences}


def test_evidence_is_ranked_and_its_sentences_point_into_its_passages(second_qa: QA) -> None:
    ev = _gather(second_qa, "Did treated colonies lose fewer queens over winter?")
    assert [h.rank for h in ev.hits] == list(range(1, len(ev.hits) + 1))
    assert len({h.passage.id for h in ev.hits}) == len(ev.hits)
    scores = [s.score for s in ev.sentences]
    assert scores == sorted(scores, reverse=True)
    for s in ev.sentences:
        assert ev.hits[s.hit].passage.id == s.passage_id
        assert s.row == (ev.hits[s.hit].passage.kind == "row")
    assert ev.cosine == max(s.cosine for s in ev.sentences)
    assert ev.coverage == max(s.coverage for s in ev.sentences)
    assert "sentences" in ev.timings and "encode" in ev.timings


def test_the_answering_sentence_leads_and_its_passage_ranks_first(second_qa: QA) -> None:
    ev = _gather(second_qa, "Did treated colonies lose fewer queens over winter?")
    best = ev.sentences[0]
    assert best.text.startswith("The authors also found that treated colonies lost fewer queens")
    assert best.hit == 0 and best.passage_id == ev.hits[0].passage.id
    assert best.text.strip('"') in ev.hits[0].passage.text


def test_without_the_sentence_share_passages_keep_the_retrieval_order(second_qa: QA) -> None:
    question = "Tanaka 2019 Osaka terrace shade cloth fewer colonies lost"
    ev = _gather(second_qa, question, sentence=0.0, explain=0)
    search = second_qa.retriever.search(question, k=len(ev.hits), mode="hybrid")
    assert [h.passage.id for h in ev.hits] == [h.passage.id for h in search]


def test_prose_naming_a_rows_study_moves_just_above_the_row(second_qa: QA) -> None:
    question = "Tanaka 2019 Osaka terrace shade cloth fewer colonies lost"
    plain = _gather(second_qa, question, explain=0).hits
    assert plain[0].passage.id == "apiary_trials:8"
    # the prose right below says "Tanaka et al[8] shaded hives ...": it explains row 8
    assert "Tanaka et al[8] shaded hives" in plain[1].passage.text
    moved = [h.passage.id for h in _gather(second_qa, question).hits]
    assert moved[:2] == [plain[1].passage.id, "apiary_trials:8"]


def test_a_sentence_of_the_asked_shape_gets_exactly_the_shape_bonus(second_qa: QA) -> None:
    question = "How many frames do nucleus colonies have?"  # a number is asked for
    without = {s.text: s.score for s in _gather(second_qa, question, shape=0.0).sentences}
    bonus = {s.text: s.score for s in _gather(second_qa, question, shape=1.0).sentences}
    numbered = "Nucleus colonies of five frames are the usual way to make such splits."
    plain = "A colony that runs out of room raises new queens and swarms in late spring."
    assert bonus[numbered] - without[numbered] == pytest.approx(1.0)
    assert bonus[plain] == pytest.approx(without[plain])  # no number in it


def test_a_sentence_saying_what_the_asked_thing_is_gets_the_definition_bonus(
    second_qa: QA,
) -> None:
    added = _shape_bonus(second_qa, "What are nucleus colonies?")
    defining = "Nucleus colonies of five frames are the usual way to make such splits."
    assert added[defining] == pytest.approx(1.0)
    assert all(  # a sentence that names colonies without saying what they are: no bonus
        added[t] == pytest.approx(0.0) for t in added if t != defining
    )


def test_a_sentence_comparing_what_the_question_compares_gets_the_shape_bonus(
    second_qa: QA,
) -> None:
    added = _shape_bonus(second_qa, "Did thymol strips do worse than drone brood removal?")
    comparing = next(t for t in added if t.startswith("Lindqvist et al[5] compared thymol"))
    assert added[comparing] == pytest.approx(1.0)
    assert all(  # naming a side without comparing it: no bonus
        added[t] == pytest.approx(0.0) for t in added if t != comparing
    )
    # a quantity compares nothing; a name or a count of things compared does
    assert not states_comparison("More than 80% of the hives, over 1500 colonies.")
    assert not states_comparison("Colonies lived less than ~10 months.")
    assert states_comparison("Strips did less harm than acid.")
    assert states_comparison("Strips cut mites more than 5-AX did.")
    assert states_comparison("Strips did better than 2 other treatments.")
    # "better" with one side named and nothing to compare it with is no comparison
    one_side = "Do colonies respond better to thymol strips?"
    assert "compare" in understand(one_side, (), second_qa.engine.lexicon).intents
    assert all(v == pytest.approx(0.0) for v in _shape_bonus(second_qa, one_side).values())


def test_a_question_for_the_gist_ranks_the_summing_up_passage_first(second_qa: QA) -> None:
    question = "Give me the key points in a nutshell"
    closing = "In summary, city roofs can keep healthy colonies"
    ev = _gather(second_qa, question)
    assert ev.sentences[0].text.startswith(closing)
    assert ev.hits[0].passage.section == "Conclusion"
    # the shape bonus does it: without it the closing words match nothing in the question
    plain = _gather(second_qa, question, shape=0.0)
    assert plain.hits[0].passage.section != "Conclusion"
    assert not plain.sentences[0].text.startswith(closing)


def test_bm25_mode_measures_no_cosine(second_qa: QA) -> None:
    ev = _gather(second_qa, "varroa mite threshold", mode="bm25")
    assert ev.cosine == 0.0
    assert ev.hits and ev.sentences


def test_coverage_is_the_idf_weighted_share_of_the_terms(second_lexicon: Lexicon) -> None:
    idf = second_lexicon.idf
    # "varroa" is held, the made-up "zzzz" is not: its share is idf(varroa) / both
    got = coverage(frozenset({"varroa", "zzzz"}), frozenset({"varroa", "mite"}), second_lexicon)
    assert got == pytest.approx(idf("varroa") / (idf("varroa") + idf("zzzz")))
    assert coverage(frozenset(), frozenset({"x"}), second_lexicon) == 1.0
    assert coverage(frozenset({"hive"}), frozenset(), second_lexicon) == 0.0


@pytest.mark.parametrize(
    ("term", "held", "counts"),
    [
        ("safe", "safeti", True),  # one stem starts the other
        ("conclud", "conclus", True),  # all but the last letter, seven letters
        ("hive", "hiver", True),
        ("bee", "beet", False),  # too short to match as a prefix
        ("swarm", "sward", False),
    ],
)
def test_coverage_counts_variants_the_stemmer_keeps_apart(
    second_lexicon: Lexicon, term: str, held: str, counts: bool
) -> None:
    got = coverage(frozenset({term}), frozenset({held}), second_lexicon)
    assert got == (1.0 if counts else 0.0)


def test_evidence_is_deterministic(second_qa: QA) -> None:
    a = _gather(second_qa, "Why do urban beekeepers split strong colonies?")
    b = _gather(second_qa, "Why do urban beekeepers split strong colonies?")
    assert replace(a, timings={}) == replace(b, timings={})
    assert not math.isnan(a.cosine)


@pytest.mark.parametrize(
    "question",
    [
        "Why do urban beekeepers split strong colonies?",
        "How many frames do nucleus colonies have?",
        "Who shaded hives on a terrace in 2019?",
    ],
)
def test_the_engines_sentence_memo_changes_no_score(second_qa: QA, question: str) -> None:
    """Scoring with a memo of sentence facts filled by earlier questions gives exactly
    what a fresh memo gives (test_facts.py checks the facts against the text)."""
    e = second_qa.engine
    query = understand(question, (), e.lexicon)

    def run(facts: SentenceFacts | None) -> Evidence:
        ev = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid", facts=facts)
        return replace(ev, timings={})

    memo = SentenceFacts()
    for other in ["varroa mite threshold", "rooftop hives shade", "queens over winter"]:
        gather(
            understand(other, (), e.lexicon),
            e.retriever,
            e.corpus,
            e.lexicon,
            n=10,
            mode="hybrid",
            facts=memo,
        )
    filled = len(memo)
    assert filled > 0
    assert run(memo) == run(None)
    assert len(memo) >= filled


def test_moving_prose_above_its_row_reaches_the_top_only_from_close_below() -> None:
    """Oracle: re-ordering only the first n + reach passages gives the same top n as
    re-ordering them all (a prose passage moves up at most ``reach`` places)."""
    rng = random.Random(4)
    for _ in range(3000):
        size = rng.randint(0, 30)
        passages = []
        for _ in range(size):
            k = rng.randint(1, 4)
            if rng.random() < 0.4:
                passages.append(Passage(f"r{len(passages)}", "t", "", f"row {k}", (k,), kind="row"))
            else:
                text = f"Smith et al[{k}] showed it." if rng.random() < 0.6 else "It rained."
                passages.append(Passage(f"p{len(passages)}", "d", "", text, ()))
        order = [(rng.random(), i) for i in range(size)]
        n, reach = rng.randint(1, 12), rng.randint(0, 4)
        want = _prose_first(order, passages, reach)[:n]
        assert _prose_first(order[: n + reach], passages, reach)[:n] == want


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
def test_asking_for_fewer_passages_gives_the_top_of_the_longer_ranking(
    second_qa: QA, n: int
) -> None:
    """The top n passages do not depend on how many are asked for, prose moved above its
    row included (made-up questions naming the corpus's studies and topics)."""
    e = second_qa.engine
    questions = [
        "Tanaka 2019 Osaka terrace shade cloth fewer colonies lost",
        "Okonkwo queens winter treated colonies",
        "Lindqvist thymol strips queens laying hot weeks",
        "screened bottom boards mite counts",
        "rooftop hives heat shade",
        "which studies used oxalic acid",
        "nucleus colonies frames splits",
    ]
    for question in questions:
        query = understand(question, (), e.lexicon)
        full = gather(query, e.retriever, e.corpus, e.lexicon, n=40, mode="hybrid")
        top = gather(query, e.retriever, e.corpus, e.lexicon, n=n, mode="hybrid")
        assert [h.passage.id for h in top.hits] == [h.passage.id for h in full.hits[:n]]
        assert [h.score for h in top.hits] == [h.score for h in full.hits[:n]]


def test_rows_a_question_selects_or_points_back_at_get_their_bonus(second_qa: QA) -> None:
    e = second_qa.engine
    query = understand("How did the trials turn out?", (), e.lexicon)
    row = "apiary_trials:6"

    def score(**rows: frozenset[str]) -> float:
        ev = gather(query, e.retriever, e.corpus, e.lexicon, n=10, mode="hybrid", **rows)
        return next(s.score for s in ev.sentences if s.passage_id == row)

    plain = score()
    w = Weights()
    assert score(referent=frozenset({row})) == pytest.approx(plain + w.referent)
    assert score(favored=frozenset({row})) == pytest.approx(plain + w.favored)
    # a row both selected and pointed back at gets the larger bonus once
    both = score(favored=frozenset({row}), referent=frozenset({row}))
    assert both == pytest.approx(plain + w.favored)


def test_a_passage_scored_beyond_the_pool_ranks_by_its_own_sentences(second_qa: QA) -> None:
    # with a pool of one passage, a selected row far down the retrieval is still scored,
    # and its best sentence lifts the row itself (not the passage at its pool position)
    # (no prose moves above the row for naming its study: explain=0)
    question = "How did the trials turn out?"
    plain = _gather(second_qa, question, n=40, pool=1, explain=0)
    far = [h.passage.id for h in plain.hits if h.passage.kind == "row"][-1]
    ranked = _gather(second_qa, question, n=40, favored=frozenset({far}), pool=1, explain=0)
    assert ranked.hits[0].passage.id == far
    (sentence,) = [s for s in ranked.sentences if s.passage_id == far]
    assert ranked.hits[sentence.hit].passage.id == far


def test_a_sentence_on_one_of_two_contrasted_things_gets_the_shape_bonus(second_qa: QA) -> None:
    question = "What is the difference between spring forage and summer forage?"
    assert understand(question, (), second_qa.engine.lexicon).sides == ("spring", "summer")
    added = _shape_bonus(second_qa, question)
    spring = next(t for t in added if t.startswith("Haverkamp et al[7] trapped pollen"))
    summer = next(t for t in added if t.startswith("Clover and bramble follow"))
    assert added[spring] == pytest.approx(1.0)
    assert added[summer] == pytest.approx(1.0)
    for text, bonus in added.items():  # naming neither season, or both: no bonus
        lower = text.lower()
        if ("spring" in lower) == ("summer" in lower):
            assert bonus == pytest.approx(0.0), text


def test_a_year_the_filter_reads_counts_in_prose_coverage_but_not_in_rows(second_qa: QA) -> None:
    # "the 2022 study": prose dating it ("In 2022, ...") holds what is asked; a row is
    # already chosen by its year column, so its coverage is that of the words alone
    dated = {
        s.text: s for s in _gather(second_qa, "What was found about thymol in 2022?").sentences
    }
    plain = {s.text: s for s in _gather(second_qa, "What was found about thymol?").sentences}
    in_2022 = next(t for t in dated if t.startswith("In 2022, Castellanos et al[10]"))
    undated = next(t for t in dated if t.startswith("Lindqvist et al[5] compared thymol"))
    assert dated[in_2022].coverage > plain[in_2022].coverage  # holds the year asked for
    assert dated[undated].coverage < plain[undated].coverage  # lacks the year asked for
    rows = [t for t in dated if dated[t].row and t in plain]
    assert rows
    for t in rows:
        assert dated[t].coverage == pytest.approx(plain[t].coverage), t


def test_a_range_of_years_adds_no_year_to_prose_coverage(second_qa: QA) -> None:
    # "since 2022" is a filter on the rows, not a word a sentence should hold: the
    # sentence stating 2022 is weighed as under "since 2016"
    def coverage(question: str) -> dict[str, float]:
        return {s.text: s.coverage for s in _gather(second_qa, question).sentences}

    since_2022 = coverage("What was found about thymol since 2022?")
    since_2016 = coverage("What was found about thymol since 2016?")
    dated = next(t for t in since_2022 if t.startswith("In 2022, Castellanos et al[10]"))
    assert since_2022[dated] == pytest.approx(since_2016[dated])
