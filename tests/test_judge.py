"""hccqa.answer.judge: the signals, the logistic refusal, its reasons and its fitting."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tablefakes import make_row

from hccqa.answer.evidence import Evidence, Weights, gather
from hccqa.answer.judge import (
    BEST,
    SIGNALS,
    Policy,
    Verdict,
    column_counts,
    counts,
    fit,
    judge,
    measure,
    names_its_own,
    probability,
    stated_numbers,
)
from hccqa.qa import QA
from hccqa.settings import DEFAULT_ENCODER, POLICIES
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import Query, understand
from hccqa.understand.words import stem


def _query(qa: QA, question: str) -> Query:
    return understand(question, (), qa.engine.lexicon)


def _evidence(
    qa: QA, question: str, sentences: list[str] | None = None, **values: float
) -> Evidence:
    """Real evidence for the question, its best sentences replaced by ``sentences``."""
    e = qa.engine
    ev = gather(
        _query(qa, question),
        e.retriever,
        e.corpus,
        e.lexicon,
        n=10,
        mode="hybrid",
        weights=Weights(),
    )
    if sentences is not None:
        template = ev.sentences[0]
        ev = replace(ev, sentences=tuple(template._replace(text=s, row=False) for s in sentences))
    return replace(ev, **values) if values else ev


def _shipped() -> Policy:
    return Policy.from_dict(POLICIES[DEFAULT_ENCODER])


# -- fit ------------------------------------------------------------------------------------


def test_fit_recovers_a_known_logistic_model() -> None:
    # 20,000 synthetic questions drawn from a known model: P = sigmoid(-1.5 + 2 c + 3 v - 4 u)
    rng = np.random.default_rng(7)
    n = 20_000
    cosine = rng.uniform(0, 1, n)
    coverage = rng.uniform(0, 1, n)
    unknown = (rng.uniform(0, 1, n) < 0.3).astype(float)
    z = -1.5 + 2.0 * cosine + 3.0 * coverage - 4.0 * unknown
    labels = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-z))).astype(int)
    rows = [
        {"cosine": c, "coverage": v, "unknown": u}
        for c, v, u in zip(cosine, coverage, unknown, strict=True)
    ]
    policy = fit(rows, labels.tolist(), l2=1e-6, signals=("cosine", "coverage", "unknown"))
    assert policy.bias == pytest.approx(-1.5, abs=0.15)
    assert policy.weights["cosine"] == pytest.approx(2.0, abs=0.15)
    assert policy.weights["coverage"] == pytest.approx(3.0, abs=0.15)
    assert policy.weights["unknown"] == pytest.approx(-4.0, abs=0.15)
    assert policy.means == {
        "cosine": pytest.approx(cosine.mean(), abs=1e-4),
        "coverage": pytest.approx(coverage.mean(), abs=1e-4),
        "unknown": pytest.approx(unknown.mean(), abs=1e-4),
    }
    assert policy.threshold == 0.5


def test_fit_stays_finite_on_separable_data() -> None:
    rows = [{"cosine": x / 10} for x in range(10)]
    labels = [0] * 5 + [1] * 5  # perfectly separated at 0.45
    policy = fit(rows, labels, l2=1.0, signals=("cosine",))
    assert math.isfinite(policy.weights["cosine"]) and policy.weights["cosine"] > 0
    assert probability(policy, {"cosine": 0.9}) > 0.5 > probability(policy, {"cosine": 0.0})


# -- the policy -----------------------------------------------------------------------------


def test_policy_round_trips_through_a_dict() -> None:
    policy = Policy(
        {"cosine": 1.5, "unknown": -2.0},
        bias=-0.25,
        threshold=0.6,
        means={"cosine": 0.5},
        note="made up",
    )
    assert Policy.from_dict(policy.to_dict()) == policy


def test_policy_from_dict_rejects_an_unknown_signal() -> None:
    with pytest.raises(ValueError, match="unknown judge signals.*'vibes'"):
        Policy.from_dict({"weights": {"cosine": 1.0, "vibes": 2.0}, "bias": 0.0})


def test_policy_from_dict_without_a_bias_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Policy.from_dict({"weights": {"cosine": 1.0}})


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    policy = Policy({"cosine": 2.0, "coverage": 1.0}, bias=-1.0)
    z = -1.0 + 2.0 * 0.5 + 1.0 * 0.25
    assert probability(policy, {"cosine": 0.5, "coverage": 0.25}) == pytest.approx(
        1 / (1 + math.exp(-z))
    )
    assert probability(policy, {}) == pytest.approx(1 / (1 + math.exp(1.0)))  # missing = 0
    huge = Policy({"cosine": 1e6}, bias=0.0)
    assert probability(huge, {"cosine": 1.0}) == pytest.approx(1.0)  # no overflow
    assert probability(huge, {"cosine": -1.0}) == pytest.approx(0.0)


def test_the_shipped_policy_uses_known_signals_with_sensible_signs() -> None:
    policy = _shipped()
    assert set(policy.weights) <= set(SIGNALS)
    assert policy.weights["cosine"] > 0 and policy.weights["coverage"] > 0
    assert policy.weights["unknown"] < 0
    assert 0 < policy.threshold < 1


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(0, 1),
    high=st.floats(0, 1),
    signal=st.sampled_from(["cosine", "coverage"]),
    rest=st.fixed_dictionaries({s: st.floats(0, 1) for s in SIGNALS}),
)
def test_more_evidence_never_turns_an_answer_into_a_refusal(
    low: float, high: float, signal: str, rest: dict[str, float]
) -> None:
    policy = _shipped()
    low, high = sorted((low, high))
    assert probability(policy, {**rest, signal: high}) >= probability(policy, {**rest, signal: low})


def test_a_word_unknown_to_the_corpus_does_not_refuse_on_its_own() -> None:
    policy = _shipped()
    best = {
        "cosine": 1.0,
        "coverage": 1.0,
        "unknown": 0.0,
        "absent": 0.0,
        "rows": 0.0,
        "shape": 0.0,
        "focus": 0.0,
    }
    assert probability(policy, best) >= policy.threshold
    assert probability(policy, {**best, "unknown": 1.0}) >= policy.threshold


def test_no_other_signal_refuses_on_its_own_under_the_shipped_policy() -> None:
    policy = _shipped()
    best = {
        "cosine": 0.8,
        "coverage": 1.0,
        "unknown": 0.0,
        "absent": 0.0,
        "rows": 0.0,
        "shape": 0.0,
        "focus": 0.0,
    }
    for signal, worst in (("cosine", 0.0), ("absent", 1.0), ("shape", 1.0), ("focus", 1.0)):
        assert probability(policy, {**best, signal: worst}) >= policy.threshold, signal


# -- measure and judge ------------------------------------------------------------------------


def test_measure_reads_each_signal_off_the_query_and_evidence(second_qa: QA) -> None:
    ev = _evidence(second_qa, "Do hives on Zorblaxian roofs thrive?", cosine=0.42, coverage=0.3)
    signals = measure(_query(second_qa, "Do hives on Zorblaxian roofs thrive?"), ev)
    assert set(signals) == set(SIGNALS)
    assert signals["cosine"] == 0.42 and signals["coverage"] == 0.3
    assert signals["unknown"] == 1.0  # "Zorblaxian"
    assert signals["absent"] == pytest.approx(1 / 4)  # "thrive" of hives, Zorblaxian, roofs, thrive
    assert signals["rows"] == 0.0 and signals["shape"] == 0.0


def test_rows_signal_is_set_by_the_rows_the_question_selects(second_qa: QA) -> None:
    question = "Which trials used thymol strips?"
    rows = [r for r in second_qa.corpus.rows if r.id in ("apiary_trials:5", "apiary_trials:10")]
    ev = _evidence(second_qa, question)
    assert measure(_query(second_qa, question), ev, rows=rows)["rows"] == 1.0
    assert measure(_query(second_qa, question), ev)["rows"] == 0.0


def test_shape_a_number_question_needs_a_number_of_the_asked_thing(second_qa: QA) -> None:
    question = "How many frames do nucleus colonies have?"
    query = _query(second_qa, question)
    assert query.unit == "frame"
    has = _evidence(second_qa, question, ["Nucleus colonies of 5 frames are usual."])
    other = _evidence(second_qa, question, ["In 2014 they kept 12 hives on the roof."])
    none = _evidence(second_qa, question, ["Nucleus colonies make splits easy."])
    assert measure(query, has)["shape"] == 0.0
    assert measure(query, other)["shape"] == 1.0  # a number, but of hives
    assert measure(query, none)["shape"] == 1.0


def test_shape_a_number_counts_only_beside_the_questions_rarest_word(second_qa: QA) -> None:
    question = "How many frames do nucleus colonies have?"
    query = _query(second_qa, question)
    assert query.anchor is not None and query.anchor != query.unit
    beside = _evidence(second_qa, question, ["Nucleus colonies of 5 frames are usual."])
    apart = _evidence(second_qa, question, ["Full-size boxes of 10 frames are usual."])
    assert measure(query, beside)["shape"] == 0.0
    assert measure(query, apart)["shape"] == 1.0  # frames counted, but of other boxes


def test_a_sentence_with_a_capitalized_word_past_its_first_names_its_own_subject() -> None:
    assert names_its_own("The Severn is 354 km long.")
    assert not names_its_own("About 300 people died when the roofs fell.")
    assert not names_its_own("Timely evacuation saved lives, but 850 people died.")


def test_a_rows_column_named_by_the_unit_gives_the_number() -> None:
    # (over a whole folder, with the row named by its key: test_own_tables.py)
    counted = make_row("hives", site="Lagos", frames="10")
    other = make_row("hives", site="Lagos", hives_kept="12")
    assert column_counts(counted, "frame")
    assert not column_counts(other, "frame")  # a number, of hives
    assert not column_counts(counted, None)


def test_shape_a_number_counts_in_the_sentence_after_the_one_naming_the_anchor(
    second_qa: QA,
) -> None:
    question = "How many frames do nucleus colonies have?"
    query = _query(second_qa, question)
    ev = _evidence(second_qa, question)
    text = "Nucleus colonies suit beginners. Most hold 5 frames of brood. Boxes vary."
    hit = replace(ev.hits[0], passage=replace(ev.hits[0].passage, text=text))
    template = ev.sentences[0]._replace(hit=0, row=False)
    after = replace(
        ev, hits=(hit,), sentences=(template._replace(text="Most hold 5 frames of brood."),)
    )
    assert measure(query, after)["shape"] == 0.0  # the one before names nucleus colonies
    farther = f"Nucleus colonies suit beginners. Boxes vary. {after.sentences[0].text}"
    hit2 = replace(hit, passage=replace(hit.passage, text=farther))
    assert measure(query, replace(after, hits=(hit2,)))["shape"] == 1.0


def _asks_for(
    qa: QA,
    unit: str,
    questions: tuple[str, ...],
    sentences: tuple[str, str],
    amounts: tuple[tuple[str, ...], tuple[str, ...]],
    asking_none: tuple[str, ...],
) -> None:
    """Each question asks a number of ``unit``; the first is answered by the first of
    ``sentences``, not by the second (a number of something else); the first texts of
    ``amounts`` give one of ``unit``, the second do not; no question of ``asking_none``
    asks one."""
    for question in questions:
        query = _query(qa, question)
        assert "number" in query.intents and query.unit == unit, question
    query = _query(qa, questions[0])
    answering, counting = sentences
    assert measure(query, _evidence(qa, questions[0], [answering]))["shape"] == 0.0
    assert measure(query, _evidence(qa, questions[0], [counting]))["shape"] == 1.0
    given, other = amounts
    assert all(counts(text, unit) for text in given), given
    assert not any(counts(text, unit) for text in other), other
    for question in asking_none:
        assert _query(qa, question).unit != unit, question


def test_shape_a_question_asking_a_price_needs_an_amount_of_money(second_qa: QA) -> None:
    questions = (
        "How much does a box of thymol strips cost?",
        "What is the price of a nuc?",
        "What does a box of thymol strips cost?",
        "What's the cost of a nuc?",
        "How expensive are thymol strips?",
    )
    sentences = ("A box of 10 thymol strips sells for $25.", "Each box holds 10 strips.")
    priced = ("It costs 30 euros.", "EUR 12 a box", "£4.50 each", "about 2,000 USD")
    priced += ("30 € a box", "1.5 million dollars", "JPY 4000")
    weighed = ("A full box weighs 10 pounds.", "over 1500 hives", "3 mo", "12 AUD patients")
    weighed += ("An INR 1.5 or higher was excluded.",)  # a short form, not the rupee
    # the words of a price that ask none
    none = (
        "What are the costs and benefits of thymol strips?",
        "Does shade come at the cost of honey yield?",
        "Are thymol strips cost-effective?",
        "How many beekeepers can afford thymol strips?",
        "How much does shade raise yield at the cost of swarming?",
        "What is the cost-effectiveness of thymol strips?",
        "How much honey do hives lose? Is cost a factor?",
    )
    _asks_for(second_qa, "money", questions, sentences, (priced, weighed), none)


def test_shape_a_question_asking_a_dose_needs_an_amount_of_a_dose(second_qa: QA) -> None:
    questions = (
        "What dose of thymol do beekeepers use?",
        "what is the daily dosage of oxalic acid",
        "How many mg of thymol go in a strip?",
    )
    sentences = ("Beekeepers use 12.5 g of thymol per hive.", "It was tried in over 1500 hives.")
    dosed = ("50 mg/kg", "2.5 µg per bee", "a 400 mg tablet", "60 Gy", "1.5 mmol/kg", "12 g")
    dosed += ("twice daily", "once a week", "every 3 weeks", "two tablets daily", "4 doses")
    dosed += ("b.i.d.",)
    other = ("over 1500 hives", "in 2008", "phase 3", "3 mo", "10 frames", "4 G sites")
    other += ("In a bid to cut costs", "20 units of housing", "a 70 kg keeper", "5 mmol/L")
    # a question naming a dose in passing, or "dose-dependent", asks for no dose
    none = (
        "Is the effect of thymol dose-dependent?",
        "Which trials used a low dose of thymol?",
        "Did a higher dose of thymol help?",
        "What did the dose escalation of thymol show?",
    )
    _asks_for(second_qa, "dose", questions, sentences, (dosed, other), none)
    # "how many doses" is answered by a number of doses
    assert _query(second_qa, "How many doses of thymol did each hive get?").unit == "dose"


def test_shape_a_number_the_question_states_itself_is_not_its_answer(second_qa: QA) -> None:
    question = "What was the median honey yield of the stage 2 colonies?"
    query = _query(second_qa, question)
    assert "number" in query.intents
    echo = _evidence(second_qa, question, ["The stage 2 colonies gave honey."])
    answer = _evidence(second_qa, question, ["The stage 2 colonies gave 14 kg of honey."])
    assert measure(query, echo)["shape"] == 1.0  # its only number is the question's "2"
    assert measure(query, answer)["shape"] == 0.0
    # only where the sentence says it as the question does: the same or a longer number
    # elsewhere is another number
    stage = [("stage", "2")]
    assert counts("They gave 25 kg.", None, stated=stage)
    assert counts("They gave 2.5 kg.", None, stated=stage)
    assert counts("At stage 2 they gave 2 kg.", None, stated=stage)
    assert counts("In 2 years stage 2 colonies grew.", "time", stated=stage)
    assert not counts("At stage 2 they gave honey.", None, stated=stage)
    assert not counts("At Stage-2 they gave honey.", None, stated=stage)
    assert stated_numbers("the stage 2 colonies of 2,000 hives, phase-3") == [
        ("stage", "2"),
        ("phase", "3"),
    ]  # "of 2,000": a function word names nothing
    # a range or list after the word: each of its numbers, and only the whole mention goes
    grades = stated_numbers("Which grade 3-4 problems, or grade 3 or 4 ones?")
    assert sorted(set(grades)) == [("grade", "3"), ("grade", "4")]
    assert not counts("Grade 3-4 losses occurred.", None, stated=grades)
    assert counts("Grade 3-5 losses occurred.", None, stated=grades)
    assert counts("Grade 3-4 losses in 12 hives.", None, stated=grades)
    # nor is a number inside the long form of a short form the question uses
    question = "What was the median honey yield of the FT7 colonies?"
    query = replace(_query(second_qa, question), spelled=("frame type 7",))
    echo = _evidence(second_qa, question, ["The FT7 (frame type 7) colonies gave honey."])
    assert measure(query, echo)["shape"] == 1.0


def test_shape_a_when_question_is_answered_by_a_year_in_a_sentence_or_a_row(
    second_qa: QA,
) -> None:
    question = "When was the Osaka trial?"
    query = _query(second_qa, question)
    dated = _evidence(second_qa, question, ["The Osaka trial ended in 2019."])
    undated = _evidence(second_qa, question, ["The Osaka trial used white cloth."])
    assert measure(query, dated)["shape"] == 0.0
    assert measure(query, undated)["shape"] == 1.0
    row = second_qa.corpus.row("apiary_trials:8")
    assert measure(query, undated, rows=[row])["shape"] == 0.0


def test_a_when_clause_of_a_why_or_how_question_asks_no_date(second_qa: QA) -> None:
    for question in (
        "Why do colonies swarm when it is hot?",
        "How do bees cool the hive when it is hot?",
    ):
        query = _query(second_qa, question)
        assert "when" in query.intents
        undated = _evidence(second_qa, question, ["Bees fan their wings to move air."])
        assert measure(query, undated)["shape"] == 0.0
    # a "when" that is asked still wants a date
    for question in (
        "When and why did colonies swarm?",
        "Why did colonies swarm, and when?",
        "When was the reason for queen losses first reported?",
    ):
        query = _query(second_qa, question)
        undated = _evidence(second_qa, question, ["Bees fan their wings to move air."])
        assert measure(query, undated)["shape"] == 1.0, question


def test_focus_is_missing_when_no_best_sentence_names_it(second_qa: QA) -> None:
    question = "Which cell line did they use?"
    query = _query(second_qa, question)
    named = _evidence(second_qa, question, ["They used the cell line ZX-81."])
    far = _evidence(second_qa, question, ["Queens stopped laying.", "Hives were shaded."])
    assert measure(query, named)["focus"] == 0.0
    assert measure(query, far)["focus"] == 1.0
    # only the BEST first sentences are read
    late = _evidence(second_qa, question, ["Queens stopped laying."] * BEST + ["A cell line."])
    assert measure(query, late)["focus"] == 1.0
    # the whole phrase, in one sentence: its words spread over two do not name it
    spread = _evidence(second_qa, question, ["Each cell was capped.", "A line of hives."])
    assert measure(query, spread)["focus"] == 1.0
    part = _evidence(second_qa, question, ["The cell walls were thin."])
    assert measure(query, part)["focus"] == 1.0


def test_focus_counts_only_beside_the_questions_rarest_word(second_qa: QA) -> None:
    question = "Which cell line did the Okonkwo team culture?"
    query = _query(second_qa, question)
    assert query.anchor is not None and query.anchor not in query.focus
    beside = _evidence(second_qa, question, ["Okonkwo et al cultured the cell line ZX-81."])
    apart = _evidence(second_qa, question, ["Brennan et al cultured the cell line ZX-81."])
    assert measure(query, beside)["focus"] == 0.0
    assert measure(query, apart)["focus"] == 1.0  # a cell line, but another team's


def test_a_selected_row_answers_which_kind_of_thing_its_table_lists(second_qa: QA) -> None:
    # the table's title says every row is a rooftop apiary trial: "which apiary did X study"
    # is answered by X's row, even when no quoted sentence says "apiary"
    question = "Which rooftop apiary did the Okonkwo team study?"
    query = _query(second_qa, question)
    assert query.focus
    far = _evidence(second_qa, question, ["Queens stopped laying.", "Hives were shaded."])
    (row,) = [r for r in second_qa.corpus.rows if r.author == "Okonkwo et al"]
    kind = second_qa.engine.lexicon.naming_words({row.table})
    assert measure(query, far, rows=[row], row_kind=kind)["focus"] == 0.0
    assert measure(query, far, rows=[row])["focus"] == 1.0
    assert measure(query, far, row_kind=kind)["focus"] == 1.0  # no row selected: no kind
    # a kind the table does not list is still asked of the sentences
    other = _query(second_qa, "Which cell line did the Okonkwo team culture?")
    assert measure(other, far, rows=[row], row_kind=kind)["focus"] == 1.0


@pytest.mark.parametrize(
    ("sentence", "unit", "expected"),
    [
        ("Colonies of 5 frames are usual.", "frame", True),
        ("In 2014 they had 12 hives.", "hive", True),
        ("In 2014 they had 12 hives.", "frame", False),
        ("It took 3 weeks.", "time", True),
        ("It took three weeks.", "time", True),
        ("About 40% of mites died.", "%", True),
        ("The hives were split in 2014.", None, False),  # a year is no quantity
        ("Two hives were split.", None, True),
        ("The canal is 41 km long.", "length", True),  # "how long is X": a distance...
        ("The course lasts three weeks.", "length", True),  # ... or a time
        ("The canal is 41 km long.", "time", False),
        ("The canal has 12 locks.", "length", False),
        ("One fifth of the water came from it.", "%", True),
        ("About two-thirds of the hives were lost.", "%", True),
        ("One in ten hives was lost.", "%", True),
        ("The fifth hive was lost.", "%", False),
        ("A third study found mites.", "%", False),  # an ordinal, not a share
    ],
)
def test_counts(sentence: str, unit: str | None, expected: bool) -> None:
    assert counts(sentence, unit) is expected


def test_counts_a_distance_in_linear_time() -> None:
    start = time.perf_counter()
    assert not counts("1," * 5000 + " hives", "length")
    assert time.perf_counter() - start < 1.0  # was seconds: every comma restarted the scan


def test_counts_reads_number_words_before_the_unit() -> None:
    assert counts("Nucleus colonies of five frames are usual.", "frame")


def test_counts_reads_a_share_at_the_start_of_a_sentence() -> None:
    assert counts("Half of the colonies died.", "%")


def test_judge_answers_above_the_threshold(second_qa: QA) -> None:
    question = "Did treated colonies lose fewer queens over winter?"
    ev = _evidence(second_qa, question, cosine=0.9, coverage=1.0)
    verdict = judge(_query(second_qa, question), ev, Policy({"cosine": 10.0}, bias=-5.0))
    assert isinstance(verdict, Verdict)
    assert verdict.answer and verdict.reason is None
    assert verdict.probability == pytest.approx(1 / (1 + math.exp(-4.0)))


@pytest.mark.parametrize(
    ("signal", "question", "values", "words"),
    [
        ("cosine", "Did treated colonies lose fewer queens?", {"cosine": 0.1}, "cosine 0.10"),
        ("coverage", "Did the thymol strips cut mite counts?", {"coverage": 0.2}, "coverage 0.20"),
        # words the corpus never uses are named, not a share
        ("coverage", "Do treated colonies thrive?", {"coverage": 0.2}, "never uses thrive"),
        ("shape", "How many queens did Lindqvist et al lose?", {}, "asks for a number of queens"),
        ("shape", "What dose of thymol do beekeepers use?", {}, "asks for a dose and"),
        ("shape", "How much does a nuc cost?", {}, "asks for an amount of money"),
        ("shape", "What percentage of colonies were lost?", {}, "asks for a percentage"),
        ("shape", "How long did colonies last?", {}, "asks for a length of time"),
        ("shape", "When was the first rooftop hive trial?", {}, "asks for a date and"),
        ("unknown", "Do hives on Zorblaxian roofs thrive?", {}, "Zorblaxian"),
        # each word once
        (
            "unknown",
            "Do Zorblaxian hives on Zorblaxian roofs thrive?",
            {},
            "names Zorblaxian, which",
        ),
        ("absent", "Do hives on Zorblaxian roofs thrive?", {}, "thrive"),
        ("rows", "Which hives thrive?", {}, "no table row fits"),
        ("listed", "List the hives that thrive", {}, "asks for a list and no table rows"),
    ],
)
def test_a_refusal_names_the_signal_that_pulled_it_down(
    second_qa: QA, signal: str, question: str, values: dict[str, float], words: str
) -> None:
    penalty = signal in ("unknown", "absent", "shape")
    policy = Policy(
        {signal: -10.0 if penalty else 10.0}, bias=-5.0, means={signal: 0.0 if penalty else 1.0}
    )
    ev = _evidence(second_qa, question, **values)
    if signal == "shape":  # best sentences with no number and no year
        ev = replace(
            ev, sentences=tuple(s._replace(text="Colonies did well.") for s in ev.sentences)
        )
    verdict = judge(_query(second_qa, question), ev, policy)
    assert not verdict.answer
    assert verdict.reason and words in verdict.reason
    assert verdict.signals[signal] == measure(_query(second_qa, question), ev)[signal]


def test_the_reason_is_the_signal_furthest_below_its_mean(second_qa: QA) -> None:
    question = "Do hives on Zorblaxian roofs thrive?"
    ev = _evidence(second_qa, question, cosine=0.5, coverage=0.5)
    # unknown pulls -3 * (1 - 0) = -3, cosine 1 * (0.5 - 0.6) = -0.1: unknown decides
    policy = Policy(
        {"cosine": 1.0, "unknown": -3.0}, bias=-1.0, means={"cosine": 0.6, "unknown": 0.0}
    )
    assert "Zorblaxian" in (judge(_query(second_qa, question), ev, policy).reason or "")


def test_a_question_asking_for_no_list_is_not_refused_for_the_list_signal(
    second_qa: QA,
) -> None:
    question = "Did treated colonies lose fewer queens?"  # not a list question
    ev = _evidence(second_qa, question, cosine=0.5)
    # the list signal (0, mean 1) would pull hardest, but the question asks for no list
    policy = Policy(
        {"cosine": 1.0, "listed": 10.0}, bias=-8.0, means={"cosine": 0.6, "listed": 1.0}
    )
    verdict = judge(_query(second_qa, question), ev, policy)
    assert not verdict.answer
    assert verdict.reason == "no sentence is close to the question (cosine 0.50)"


def test_nothing_retrieved_is_refused_with_that_reason(second_qa: QA) -> None:
    question = "Did treated colonies lose fewer queens?"
    ev = _evidence(second_qa, question)
    verdict = judge(_query(second_qa, question), replace(ev, hits=()), Policy({}, bias=50.0))
    assert not verdict.answer and verdict.probability == 0.0
    assert verdict.reason == "nothing was retrieved"


def test_a_word_of_the_comparison_is_not_the_anchor(second_lexicon: Lexicon) -> None:
    # "compared" is rarer in the bee corpus than "Lagos"; it says how to answer, not what
    query = understand(
        "How many colonies were lost in Lagos compared to Osaka?", (), second_lexicon
    )
    assert query.anchor is not None and query.anchor != stem("compared")


def test_the_date_a_question_asks_is_not_its_anchor(second_lexicon: Lexicon) -> None:
    # "year" is among the bee corpus's rarest words; it says what is asked, not about what
    for question in (
        "How many colonies were lost on the terrace, and in which year?",
        "What date and how many hives were moved to the terrace?",
    ):
        query = understand(question, (), second_lexicon)
        assert query.anchor == stem("terrace"), question


def test_an_abbreviation_in_a_sentence_holds_its_long_forms_words_for_the_anchor(
    second_qa: QA,
) -> None:
    question = "How many hives used integrated pest management?"
    query = _query(second_qa, question)
    assert query.anchor == stem("integrated")
    short = _evidence(second_qa, question, ["IPM was tried in 12 hives."])
    lexicon = second_qa.engine.lexicon
    assert measure(query, short, lexicon=lexicon)["shape"] == 0.0
    assert measure(query, short)["shape"] == 1.0  # without the glossary: not about it
    other = _evidence(second_qa, question, ["Mite counts were taken in 12 hives."])
    assert measure(query, other, lexicon=lexicon)["shape"] == 1.0


def test_a_sentence_the_next_one_credits_to_a_study_holds_its_authors_name(
    second_qa: QA,
) -> None:
    question = "How many queens did Lindqvist et al lose?"
    query = _query(second_qa, question)
    lexicon = second_qa.engine.lexicon
    plain = _evidence(second_qa, question)
    prose = next(x for x in plain.sentences if not x.row)
    told = "Thymol strips cost 12 queens on hot roofs."

    def passage_says(then: str) -> Evidence:
        hit = plain.hits[prose.hit]
        text = f"{told} {then}"
        hits = list(plain.hits)
        hits[prose.hit] = replace(hit, passage=replace(hit.passage, text=text))
        return replace(plain, hits=tuple(hits), sentences=(prose._replace(text=told),))

    # "This study ...[5]" names the study the sentence before described
    named = passage_says("This study showed that queens stopped laying[5].")
    assert measure(query, named, lexicon=lexicon)["shape"] == 0.0
    # a next sentence citing without pointing back is about another study
    other = passage_says("Later, queens stopped laying in other hives[5].")
    assert measure(query, other, lexicon=lexicon)["shape"] == 1.0


def test_a_sentence_citing_a_study_holds_its_authors_name_for_the_anchor(
    second_qa: QA,
) -> None:
    question = "How many queens did Lindqvist et al lose?"
    query = _query(second_qa, question)
    assert query.anchor == stem("lindqvist")
    lexicon = second_qa.engine.lexicon
    plain = _evidence(second_qa, question)
    # a sentence of the notes' prose (a document whose numbers are the table's)
    prose = next(x for x in plain.sentences if not x.row)
    assert plain.hits[prose.hit].passage.doc_id in lexicon.citing_docs

    def said(text: str) -> Evidence:
        return replace(plain, sentences=(prose._replace(text=text),))

    cited = said("Thymol strips cost 12 queens on hot roofs[5].")
    assert measure(query, cited, lexicon=lexicon)["shape"] == 0.0
    # another study's number is not theirs, nor is a list of numbers one study's
    assert (
        measure(query, said("Oxalic acid cost 12 queens on hot roofs[4]."), lexicon=lexicon)[
            "shape"
        ]
        == 1.0
    )
    assert (
        measure(query, said("Rooftop trials lost 12 queens in all[4-10]."), lexicon=lexicon)[
            "shape"
        ]
        == 1.0
    )


@pytest.mark.parametrize(
    "text",
    [
        "The glaze cures in four to six hours.",
        "Leave it to rest for twenty minutes.",
        "After five to seven days the culture bubbles.",
        "The battery holds enough charge for fourteen hours.",
        "It takes twenty-four hours to set.",
        "Kilns cool over several days.",
        "A 48-hour firing is usual.",
        "Survival rose by 2.5 mo.",
    ],
)
def test_a_length_of_time_in_words_or_digits_counts(text: str) -> None:
    assert counts(text, "time"), text


@pytest.mark.parametrize(
    "text",
    ["The kiln was built in 1911.", "After many years of trials it was sold.", "Three kilns."],
)
def test_a_year_or_a_vague_span_is_no_length_of_time(text: str) -> None:
    assert not counts(text, "time"), text


def test_teens_and_tens_in_words_count_things() -> None:
    assert counts("The mould held seventeen cups.", "cup")
    assert counts("Some ninety cups were glazed.", "cup")
    assert not counts("The seventeenth cup cracked.", "cup")


def test_a_number_question_about_only_words_the_corpus_never_uses_is_not_answered_by_a_number(
    second_qa: QA,
) -> None:
    question = "How long is the Zambezi?"
    query = _query(second_qa, question)
    assert query.unit == "length" and query.anchor is None and query.unknown
    ev = _evidence(second_qa, question, ["The roof is 40 m long."])
    lexicon = second_qa.engine.lexicon
    assert measure(query, ev, lexicon=lexicon)["shape"] == 1.0  # a length, of nothing asked
    lower = _query(second_qa, "how long is the zambezi?")  # an English word it never uses
    assert lower.absent and measure(lower, ev, lexicon=lexicon)["shape"] == 1.0
    # a verb it never uses asks of nothing: the number counts ("how many took part?")
    took = _query(second_qa, "How many hives took part in the Lagos trial?")
    held = _evidence(second_qa, "How many hives took part?", ["In Lagos 12 hives took part."])
    assert measure(took, held, lexicon=lexicon)["shape"] == 0.0
