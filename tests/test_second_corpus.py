"""Behaviour on a second corpus written for the tests (urban beekeeping, tests/data/second_corpus):
two documents that cite studies as "Name et al[n]" and "[n]", define "integrated pest
management (IPM)" inline, and one table with its own columns (ref, author, year, site,
treatment, finding). Everything goes through hccqa.QA with the real packaged model, and the
CLI; nothing here knows the packaged review.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from citing import assert_cited_in

from hccqa.qa import QA
from hccqa.settings import Settings
from hccqa.types import Answer
from hccqa.understand.query import understand

pytestmark = pytest.mark.integration

THYMOL = "Which trials used thymol strips?"
YEARS = "Rooftop apiary trials between 2015 and 2020"
ASKED: list[Answer] = []  # every answer of this module, checked for wording at the end


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("second-real-index")


@pytest.fixture(scope="module")
def qa(second_corpus_dir: Path, index_dir: Path) -> QA:
    return QA.load(Settings.from_env({}, corpus_dir=second_corpus_dir, index_dir=index_dir))


def ask(qa: QA, question: str, history: list[str] | None = None) -> Answer:
    answer = qa.ask(question, history or [])
    ASKED.append(answer)
    return answer


def row_ids(answer: Answer) -> list[str]:
    return [m.row.id for m in answer.rows]


def test_the_corpus_is_read_with_its_own_columns(qa: QA) -> None:
    (table,) = qa.corpus.tables
    assert [(c.name, c.kind) for c in table.columns] == [
        ("ref", "key"),
        ("author", "author"),
        ("year", "year"),
        ("site", "text"),
        ("treatment", "text"),
        ("finding", "text"),
    ]
    assert table.title == "Field trials of rooftop apiaries"
    assert qa.corpus.glossary == {"IPM": "integrated pest management"}
    assert qa.corpus.references[4].author == "Okonkwo et al"
    assert qa.corpus.references[4].rows == ("apiary_trials:4",)


def test_filtering_by_a_column_value_returns_exactly_its_rows(qa: QA) -> None:
    a = ask(qa, THYMOL)
    assert not a.abstained, a.answer
    assert row_ids(a) == ["apiary_trials:5", "apiary_trials:10"]
    assert all(m.reason == "filter: treatment: Thymol strips" for m in a.rows)


def test_a_negated_value_shows_exactly_the_other_rows_of_its_table(qa: QA) -> None:
    a = ask(qa, "Which trials did not use thymol strips?")
    assert not a.abstained, a.refusal_reason
    assert row_ids(a) == [f"apiary_trials:{k}" for k in (4, 6, 7, 8, 9)]
    assert all(m.reason == "filter: treatment: not Thymol strips" for m in a.rows)
    two = ask(qa, "Which trials were run without oxalic acid or thymol strips?")
    assert row_ids(two) == [f"apiary_trials:{k}" for k in (6, 7, 8, 9)]
    # counted, and whatever the question asks, a row it sets aside is never shown
    counted = ask(qa, "How many trials did not use thymol strips?")
    assert counted.counted and counted.answer.startswith("5 table rows:"), counted.answer
    for question in (
        "Is there a trial that did not use thymol strips?",
        "What did the trials without thymol strips find about queens?",
    ):
        shown = row_ids(ask(qa, question))
        assert not {"apiary_trials:5", "apiary_trials:10"} & set(shown), (question, shown)


def test_how_many_rows_the_one_table_holds_is_counted(qa: QA) -> None:
    every = [f"apiary_trials:{k}" for k in range(4, 11)]
    # "the table" of a corpus of one table is that table; "studies" of a table of trials
    for question in ("How many studies are in the table?", "how many trials are in the table"):
        a = ask(qa, question)
        assert not a.abstained and a.counted, (question, a.refusal_reason)
        assert row_ids(a) == every and a.answer.startswith("7 table rows:")
    assert row_ids(ask(qa, "show me the table")) == every


def test_which_trial_came_first_of_two_named_is_the_earlier_not_the_quoted(qa: QA) -> None:
    a = ask(qa, "Which trial came first, Tanaka 2019 or Okonkwo 2014?")
    assert not a.abstained, a.refusal_reason
    assert row_ids(a) == ["apiary_trials:4"]
    assert "quote" not in a.rows[0].reason


@pytest.mark.parametrize(
    ("question", "history", "counted"),
    [
        ("How many studies were published in 2016?", [], ["apiary_trials:5"]),
        (
            "How many trials in total are in the table?",
            [],
            [f"apiary_trials:{k}" for k in range(4, 11)],
        ),
        ("How many rows does the table have?", [], [f"apiary_trials:{k}" for k in range(4, 11)]),
        ("Count the trials that used thymol strips", [], ["apiary_trials:5", "apiary_trials:10"]),
        (
            "What is the number of trials that used thymol strips?",
            [],
            ["apiary_trials:5", "apiary_trials:10"],
        ),
        ("How many Lindqvist trials are there?", [], ["apiary_trials:5"]),
        ("How many trials had no change in mite counts?", [], ["apiary_trials:6"]),
        ("How many are there?", [THYMOL], ["apiary_trials:5", "apiary_trials:10"]),
        ("How many of them?", [THYMOL], ["apiary_trials:5", "apiary_trials:10"]),
        # the rows shown before came from a quote's citation, not from a filter
        ("How many of them?", ["Which trials fought mites?"], ["apiary_trials:9"]),
    ],
)
def test_counts_of_rows_in_the_words_users_type(
    qa: QA, question: str, history: list[str], counted: list[str]
) -> None:
    a = ask(qa, question, history)
    assert not a.abstained and a.counted, (question, a.refusal_reason)
    assert row_ids(a) == counted
    assert a.answer.startswith(f"{len(counted)} table row")


def test_filtering_by_a_year_range_returns_exactly_its_rows(qa: QA) -> None:
    a = ask(qa, YEARS)
    assert not a.abstained, a.answer
    assert row_ids(a) == [f"apiary_trials:{k}" for k in (5, 6, 7, 8)]
    assert all(m.reason == "filter: year 2015-2020" for m in a.rows)
    later = ask(qa, "Which trials were published after 2018?")
    assert row_ids(later) == [f"apiary_trials:{k}" for k in (8, 9, 10)]


def test_a_year_range_in_plain_words_is_answered(qa: QA) -> None:
    a = ask(qa, "Which trials ran between 2015 and 2020?")
    assert not a.abstained, a.refusal_reason
    assert row_ids(a) == [f"apiary_trials:{k}" for k in (5, 6, 7, 8)]


def test_a_row_cited_by_a_quoted_sentence_is_shown_with_its_reason(qa: QA) -> None:
    a = ask(qa, "Do colonies on windy roofs build up more slowly in spring?")
    assert not a.abstained, a.answer
    assert a.text.startswith('"Brennan et al (2017, Apiary trials) showed that colonies on the')
    assert row_ids(a) == ["apiary_trials:6"]
    assert_cited_in(qa, a.rows[0].reason, "[6]", "Brennan et al[6] showed that", a.sentences)


def test_a_sentence_about_the_study_just_named_credits_it(qa: QA) -> None:
    a = ask(qa, "Did treated colonies lose fewer queens over winter?")
    assert not a.abstained, a.answer
    assert "(Okonkwo et al, 2014, Apiary trials)" in a.text
    assert row_ids(a) == ["apiary_trials:4"]
    assert_cited_in(
        qa, a.rows[0].reason, "Okonkwo et al[4]", "Okonkwo et al[4] showed", a.sentences
    )


def test_a_spelling_slip_in_a_distinctive_word_is_corrected_and_shown(qa: QA) -> None:
    a = ask(qa, "What is the varoa mite?")
    assert a.corrections == (("varoa", "varroa"),)
    assert a.searched_query == "What is the varroa mite?"
    assert not a.abstained and "varroa mite" in a.text
    b = ask(qa, "Which trial tested oxallic acid?")
    assert b.corrections == (("oxallic", "oxalic"),)
    assert row_ids(b) == ["apiary_trials:4"]


def test_the_inline_abbreviation_is_answered_by_its_definition(qa: QA) -> None:
    a = ask(qa, "What does IPM stand for?")
    assert not a.abstained
    assert "integrated pest management (IPM)" in a.text
    assert a.rows == ()


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("How do I change a bicycle tire?", "never uses bicycle, tire"),
        ("What are the side effects of chlorpyrifos on bees?", "chlorpyrifos"),
    ],
)
def test_an_off_topic_question_is_refused_with_a_reason_and_no_rows(
    qa: QA, question: str, reason: str
) -> None:
    a = ask(qa, question)
    assert a.abstained
    assert a.refusal_reason and reason in a.refusal_reason
    assert a.rows == () and a.text == ""
    assert a.answer.startswith("The documents do not cover this.")
    assert a.nearest is not None


def test_a_users_own_abbreviation_does_not_refuse_a_covered_question(qa: QA) -> None:
    plain = ask(qa, "Did oxalic acid cut varroa loads on Lagos rooftops?")
    assert not plain.abstained
    a = ask(qa, "Did oxalic acid (OA) cut varroa loads on Lagos rooftops?")
    assert not a.abstained, a.refusal_reason


def test_what_year_was_that_narrows_to_the_referents_row(qa: QA) -> None:
    who = "Who showed that screened bottom boards did not change mite counts?"
    first = ask(qa, who)
    assert row_ids(first) == ["apiary_trials:6"]
    a = ask(qa, "When did that one come out?", [who])
    assert not a.abstained, a.answer
    assert row_ids(a) == ["apiary_trials:6"]
    assert "2017" in a.answer
    assert a.searched_query != a.question


def test_which_of_those_narrows_to_the_previous_rows(qa: QA) -> None:
    assert row_ids(ask(qa, YEARS)) == [f"apiary_trials:{k}" for k in (5, 6, 7, 8)]
    a = ask(qa, "Which of those used thymol strips?", [YEARS])
    assert not a.abstained, a.answer
    assert row_ids(a) == ["apiary_trials:5"]  # row 10 used them too, in 2022
    assert a.rows[0].reason.endswith("of the rows shown before")


def test_the_one_from_a_year_narrows_to_the_previous_rows(qa: QA) -> None:
    assert row_ids(ask(qa, THYMOL)) == ["apiary_trials:5", "apiary_trials:10"]
    for question in ("who ran the one from 2022?", "and the ones from 2022?"):
        a = ask(qa, question, [THYMOL])
        assert not a.abstained, a.refusal_reason
        assert row_ids(a) == ["apiary_trials:10"], question  # not row 9 nor 8 of 2021, 2019
        assert a.rows[0].reason.endswith("of the rows shown before")


def test_the_others_are_the_rows_the_last_narrowing_left_out(qa: QA) -> None:
    narrowed = [THYMOL, "Which of those were from 2016?"]
    assert row_ids(ask(qa, narrowed[1], narrowed[:1])) == ["apiary_trials:5"]
    for question in ("And the others?", "and which ones were not?", "who ran the other one?"):
        a = ask(qa, question, narrowed)
        assert not a.abstained, (question, a.refusal_reason)
        assert row_ids(a) == ["apiary_trials:10"], question


def test_a_long_history_of_follow_ups_costs_one_extra_answer(
    qa: QA, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hccqa.qa

    calls: list[str] = []
    real = hccqa.qa.answer_question

    def counted(question: str, *args: object, **kwargs: object) -> Answer:
        calls.append(question)
        return real(question, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hccqa.qa, "answer_question", counted)
    history = [YEARS] + ["Which of those used thymol strips?", "And when was that?"] * 6
    a = qa.ask("Which of those was on a rooftop?", history)
    assert not a.abstained or a.refusal_reason
    assert len(calls) == 2, calls  # the question, and the turn before it once


def _words_of(answer: Answer) -> list[str]:
    texts = [answer.answer, answer.text, answer.searched_query, answer.refusal_reason or ""]
    texts += [m.reason for m in answer.rows]
    texts += [answer.nearest.sentence, answer.nearest.section] if answer.nearest else []
    return texts


def test_no_output_speaks_of_a_review_or_shows_an_empty_part(qa: QA) -> None:
    if len(ASKED) < 10:  # run alone: ask a few first
        for q in (THYMOL, YEARS, "How do I change a bicycle tire?", "What is the varoa mite?"):
            ask(qa, q)
    for answer in ASKED:
        blob = json.dumps(answer.to_dict(), ensure_ascii=False)
        assert not re.search(r"review", blob, re.IGNORECASE), answer.question
        for text in _words_of(answer):
            assert "()" not in text and " : " not in text, (answer.question, text)


# -- the command line ------------------------------------------------------------------------------


def _hccqa(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.run(
        [sys.executable, "-m", "hccqa", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_ask(
    qa: QA, second_corpus_dir: Path, index_dir: Path
) -> Iterator[subprocess.CompletedProcess[str]]:
    # the module's QA built the index already: the CLI loads it
    yield _hccqa("ask", THYMOL, "--corpus", str(second_corpus_dir), "--index", str(index_dir))


def test_cli_ask_prints_the_quotes_then_each_row_once(
    cli_ask: subprocess.CompletedProcess[str],
) -> None:
    out = cli_ask.stdout
    assert cli_ask.returncode == 0, cli_ask.stderr
    assert out.count("Table rows:") == 1
    for row in ("apiary_trials:5", "apiary_trials:10"):
        assert len(re.findall(rf"^  {row}: ", out, re.MULTILINE)) == 1, out
    assert out.count("Castellanos et al (2022, Apiary trials): Madrid rooftop") == 1
    assert out.index("Lindqvist et al (2016, Apiary trials) compared") < out.index("Table rows:")
    assert "Passages:" in out and "[P1]" in out


def test_cli_output_speaks_of_no_review_and_shows_no_empty_part(
    cli_ask: subprocess.CompletedProcess[str],
) -> None:
    out = cli_ask.stdout + cli_ask.stderr
    assert "review" not in out.lower()
    assert "()" not in out and " : " not in out


def test_cli_refusal_says_why(qa: QA, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from hccqa.ui import cli

    monkeypatch.setattr(cli, "_qa", lambda *args, **kwargs: qa)  # the module's QA, loaded once
    result = CliRunner().invoke(cli.app, ["ask", "How do I change a bicycle tire?"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("The documents do not cover this.")
    assert "(why: " in result.output and "Table rows:" not in result.output
    assert "review" not in result.output.lower()
    assert "()" not in result.output and " : " not in result.output


def test_cli_empty_question_message_fits_any_corpus(
    second_corpus_dir: Path, index_dir: Path
) -> None:
    result = _hccqa("ask", " ", "--corpus", str(second_corpus_dir), "--index", str(index_dir))
    assert result.returncode == 2
    assert "review" not in result.stderr.lower()


def test_a_question_typed_as_in_a_chat_gets_the_answer_of_the_plain_question(qa: QA) -> None:
    plain = qa.ask("What is IPM?")
    chatty = qa.ask("hi, wat is IPM? thx")
    assert not plain.refusal_reason and chatty.text == plain.text
    assert [h.passage.id for h in chatty.passages] == [h.passage.id for h in plain.passages]
    assert ("wat", "what") in chatty.corrections


def test_what_about_the_second_one_points_back_and_the_first_x_trial_is_the_earliest(
    second_qa: QA,
) -> None:
    listed = "Which trials used thymol strips?"
    asked = second_qa.ask("What about the second one?", [listed])
    assert [m.row.id for m in asked.rows] == ["apiary_trials:10"]
    # "what about X?" with a new value still swaps it in
    swapped = second_qa.ask("What about oxalic acid?", [listed])
    assert [m.row.id for m in swapped.rows] == ["apiary_trials:4"]
    first = second_qa.ask("Which was the first thymol strips trial?")
    assert [m.row.id for m in first.rows] == ["apiary_trials:5"]
    # a count, a part of a study or its first author is no first of the rows
    for question in (
        "What did the first two thymol strips trials find?",
        "What was seen in the first week of the thymol strips trial?",
    ):
        query = understand(question, (), second_qa.engine.lexicon)
        assert "earliest" not in query.intents, question


def test_a_first_question_pointing_back_at_nothing_is_refused_saying_so(second_qa: QA) -> None:
    alone = second_qa.ask("When was it used?")
    assert alone.abstained
    assert alone.refusal_reason == "the question points back ('it') at nothing asked before"
    # with a turn before, "it" is that turn's subject; a question naming more is read
    after = second_qa.ask("When was it used?", ["Which trials used oxalic acid?"])
    assert not after.abstained and [m.row.id for m in after.rows] == ["apiary_trials:4"]
    assert second_qa.ask("Why do they stop laying in hot weeks?").refusal_reason != (
        alone.refusal_reason
    )


def test_the_later_one_after_a_who_question_kept_one_of_two_picks_of_the_two(
    second_qa: QA,
) -> None:
    turns = ["Which trials used thymol strips?", "Who ran it?"]
    for i, turn in enumerate(turns):
        second_qa.ask(turn, turns[:i])
    assert [m.row.id for m in second_qa.ask("Who ran it?", turns[:1]).rows] == ["apiary_trials:5"]
    later = second_qa.ask("And the later one?", turns)
    assert [m.row.id for m in later.rows] == ["apiary_trials:10"]


def test_these_notes_name_the_documents_they_point_at(second_qa: QA) -> None:
    for question in ("What are these notes about?", "What is this document about?"):
        asked = second_qa.ask(question)
        assert not asked.abstained, (question, asked.refusal_reason)
