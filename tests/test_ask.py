"""hccqa.ask: the pipeline (understand once, gather, judge, rows, compose) through QA and
answer_question, on the second test corpus with the hashing fake encoder.

Also: ``understand`` is the only place a question is cut into words, checked at run time
(it is called once per ask) and statically (no answering module tokenizes the question).
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tablefakes import KITE_NOTES

import hccqa.ask
from hccqa.answer.compose import MAX_QUOTES
from hccqa.answer.judge import NOTHING_ASKED, Policy
from hccqa.ask import MIN_PASSAGES, answer_question, weigh
from hccqa.qa import QA
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings
from hccqa.understand import query as query_module  # hccqa.understand is also a function
from hccqa.understand.query import Shown

SRC = Path(hccqa.ask.__file__).resolve().parent
THYMOL = "Which trials used thymol strips?"
THYMOL_ROWS = ("apiary_trials:5", "apiary_trials:10")


def _always(qa: QA, answer: bool) -> QA:
    """The same QA with a policy that always answers (or always refuses)."""
    policy = Policy({}, bias=20.0 if answer else -20.0)
    return QA(qa.settings, qa.corpus, qa.embedder, qa.retriever, lexicon=qa.lexicon, policy=policy)


def test_an_answer_ranks_passages_times_its_stages_and_quotes_with_markers(second_qa: QA) -> None:
    a = _always(second_qa, True).ask("Did treated colonies lose fewer queens over winter?", k=3)
    assert len(a.passages) >= MIN_PASSAGES
    assert [h.rank for h in a.passages] == list(range(1, len(a.passages) + 1))
    assert {"understand", "encode", "sentences", "judge", "rows", "compose", "total"} <= set(
        a.timings_ms
    )
    assert a.timings_ms["total"] >= a.timings_ms["compose"]
    assert not a.abstained and a.sentences
    for s in a.sentences:
        assert a.passages[s.marker - 1].passage.id == s.passage_id
        assert f"[P{s.marker}]" in a.text
    assert a.mode == "hybrid"


def test_a_filter_question_shows_its_rows_once_beside_the_quotes(second_qa: QA) -> None:
    a = _always(second_qa, True).ask(THYMOL)
    assert [m.row.id for m in a.rows] == list(THYMOL_ROWS)
    assert all(m.reason == "filter: treatment: Thymol strips" for m in a.rows)
    assert "Table rows:" not in a.text and "Lindqvist et al (2016, Apiary trials):" in a.answer
    assert a.answer.count("Castellanos et al (2022, Apiary trials):") == 1


def _gathered(monkeypatch: pytest.MonkeyPatch, argument: str) -> list[Any]:
    """Each value of ``argument`` the pipeline passes to ``gather``, in call order."""
    seen: list[Any] = []
    gather = hccqa.ask.gather

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs[argument])
        return gather(*args, **kwargs)

    monkeypatch.setattr(hccqa.ask, "gather", spy)
    return seen


@pytest.mark.parametrize(
    ("question", "favored"),
    [
        (THYMOL, set(THYMOL_ROWS)),
        ("Who used thymol strips?", set(THYMOL_ROWS)),
        ("Why would a beekeeper use thymol strips?", set()),
    ],
)
def test_the_rows_a_list_or_who_question_filters_are_favored_in_the_ranking(
    second_qa: QA, monkeypatch: pytest.MonkeyPatch, question: str, favored: set[str]
) -> None:
    seen = _gathered(monkeypatch, "favored")
    second_qa.ask(question)
    assert seen and set(seen[0]) == favored


@pytest.mark.parametrize(
    ("follow_up", "referent"),
    [("How did they turn out?", set(THYMOL_ROWS)), ("What about shade cloth?", set())],
)
def test_the_rows_a_follow_up_points_back_at_get_a_bonus_in_the_ranking(
    second_qa: QA, monkeypatch: pytest.MonkeyPatch, follow_up: str, referent: set[str]
) -> None:
    seen = _gathered(monkeypatch, "referent")
    second_qa.ask(follow_up, [THYMOL])
    assert set(seen[-1]) == referent


def test_a_follow_up_pointing_at_the_quoted_study_favors_only_its_row(
    second_qa: QA, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the earlier answer showed both thymol trials and quoted the second one's study:
    # "who did that trial?" selects both by its carried value and means the quoted one
    shown = Shown(THYMOL_ROWS, quoted=(THYMOL_ROWS[1],))
    monkeypatch.setattr(second_qa, "_shown", lambda question, history, mode: shown)
    favored = _gathered(monkeypatch, "favored")
    second_qa.ask("Who did that trial?", [THYMOL])
    assert set(favored[-1]) == {THYMOL_ROWS[1]}


def test_an_answer_remembers_the_rows_it_showed_and_the_one_it_quoted(second_qa: QA) -> None:
    answer = second_qa.ask(THYMOL)
    shown = second_qa._shown(THYMOL, (), "hybrid")
    assert tuple(shown) == tuple(m.row.id for m in answer.rows)
    assert shown.quoted == tuple(m.row.id for m in answer.rows if m.quoted)


def test_a_refusal_has_its_reason_and_the_nearest_sentence_and_no_rows(second_qa: QA) -> None:
    a = _always(second_qa, False).ask(THYMOL)
    assert a.abstained and a.rows == () and a.sentences == () and a.text == ""
    assert a.refusal_reason
    assert a.nearest is not None
    assert a.answer.startswith("The documents do not cover this.")


def test_a_spelling_slip_is_corrected_and_searched_corrected(second_qa: QA) -> None:
    a = second_qa.ask("What is the varoa mite?")
    assert a.corrections == (("varoa", "varroa"),)
    assert a.searched_query == "What is the varroa mite?"


def test_the_answer_is_json_with_the_new_fields(second_qa: QA) -> None:
    d = json.loads(json.dumps(_always(second_qa, True).ask(THYMOL).to_dict()))
    assert {
        "answer",
        "text",
        "abstained",
        "refusal_reason",
        "corrections",
        "searched_query",
        "passages",
        "rows",
        "nearest",
    } <= set(d)
    assert {"id", "section", "text", "score", "kind"} <= set(d["passages"][0])
    assert all(
        {"id", "table", "reason", "author", "year", "treatment"} <= set(r) for r in d["rows"]
    )
    assert d["rows"][0]["year"] == 2016  # a number cell stays a number


def test_the_same_question_gets_the_same_answer(second_qa: QA) -> None:
    q = "Why do urban beekeepers split strong colonies?"
    assert replace(second_qa.ask(q), timings_ms={}) == replace(second_qa.ask(q), timings_ms={})


def test_a_follow_up_narrows_to_the_rows_its_previous_answer_showed(second_qa: QA) -> None:
    qa = _always(second_qa, True)
    first = qa.ask("Rooftop apiary trials between 2015 and 2020")
    assert [m.row.id for m in first.rows] == [f"apiary_trials:{k}" for k in (5, 6, 7, 8)]
    a = qa.ask(
        "Which of those used thymol strips?", ["Rooftop apiary trials between 2015 and 2020"]
    )
    assert [m.row.id for m in a.rows] == ["apiary_trials:5"]
    assert a.searched_query != a.question and "2015" in a.searched_query


def test_an_elliptical_follow_up_is_retried_with_the_previous_turn(second_qa: QA) -> None:
    # answered only when the question selects rows: alone it selects none, as a follow-up
    # it selects the rows the previous answer showed
    engine = replace(second_qa.engine, policy=Policy({"rows": 40.0}, bias=-20.0))
    history = [THYMOL]
    recall = lambda question, history: THYMOL_ROWS  # noqa: E731
    query, _, verdict = weigh("How many queens were lost?", history, engine=engine, recall=recall)
    assert verdict.answer and query.followup
    assert query.referent_rows == THYMOL_ROWS
    a = answer_question("How many queens were lost?", history, engine=engine, recall=recall)
    assert "thymol strips" in a.searched_query
    # without history there is nothing to retry with
    alone, _, verdict = weigh("How many queens were lost?", (), engine=engine)
    assert not verdict.answer and not alone.followup


def test_an_elliptical_follow_up_answered_alone_is_read_with_the_turn_before_when_surer(
    second_qa: QA,
) -> None:
    # answered either way, but surer with rows selected: as a follow-up it selects the
    # rows the previous answer showed, alone it selects none
    engine = replace(second_qa.engine, policy=Policy({"rows": 2.0}, bias=0.5))
    history = [THYMOL]
    recall = lambda question, history: THYMOL_ROWS  # noqa: E731
    query, _, verdict = weigh("How many queens were lost?", history, engine=engine, recall=recall)
    assert verdict.answer and query.followup and query.referent_rows == THYMOL_ROWS
    # a question complete in itself, or naming a value of its own, is read alone
    for own in (
        "What is a varroa mite?",
        "Give me the key points in a nutshell",
        "How many queens did the oxalic acid trial lose?",
    ):
        query, _, verdict = weigh(own, history, engine=engine, recall=recall)
        assert verdict.answer and not query.followup, own


# -- the question is understood once ---------------------------------------------------------------


class _Counting:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.inner = query_module.understand

    def __call__(self, question: str, history: Any, lexicon: Any, **kwargs: Any) -> Any:
        self.calls.append((question, bool(kwargs.get("force_followup"))))
        return self.inner(question, history, lexicon, **kwargs)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> _Counting:
    # the pipeline calls the one understand() of hccqa.understand.query
    assert hccqa.ask.understand is query_module.understand
    counter = _Counting()
    monkeypatch.setattr(hccqa.ask, "understand", counter)
    monkeypatch.setattr(query_module, "understand", counter)
    return counter


def test_one_ask_understands_its_question_once(second_qa: QA, counting: _Counting) -> None:
    _always(second_qa, True).ask("Did treated colonies lose fewer queens over winter?")
    assert counting.calls == [("Did treated colonies lose fewer queens over winter?", False)]


def test_a_follow_up_understands_the_previous_turn_once_more(
    second_qa: QA, counting: _Counting
) -> None:
    qa = _always(second_qa, True)
    qa.ask(THYMOL)
    counting.calls.clear()
    qa.ask("When did that one come out?", [THYMOL])
    # the question, then (inside it) the previous turn as its referent; the previous
    # answer's rows come from memory, not from asking again
    assert counting.calls == [("When did that one come out?", False), (THYMOL, False)]


def test_only_a_retried_follow_up_is_understood_twice(second_qa: QA, counting: _Counting) -> None:
    qa = _always(second_qa, False)  # refused, so the pipeline tries it as a follow-up
    qa.ask(THYMOL)
    counting.calls.clear()
    qa.ask("How many queens were lost?", [THYMOL])
    pipeline = [c for c in counting.calls if c[0] == "How many queens were lost?"]
    assert pipeline == [("How many queens were lost?", False), ("How many queens were lost?", True)]
    counting.calls.clear()
    qa.ask("How many queens were lost?")  # no history: nothing to retry with
    assert counting.calls == [("How many queens were lost?", False)]


TOKENIZERS = {"tokens", "stem_set", "content_stems"}


def _tokenized_questions(source: str) -> list[tuple[int, str]]:
    """Calls of the tokenizers on the question: ``question``, ``<x>.text`` or ``<x>.normalized``
    of a query, anywhere in the call's arguments (aliased imports followed)."""
    tree = ast.parse(source)
    names = set(TOKENIZERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname for a in node.names if a.name in TOKENIZERS and a.asname}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in names:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for sub in ast.walk(arg):
                question = isinstance(sub, ast.Name) and sub.id == "question"
                query_text = (
                    isinstance(sub, ast.Attribute)
                    and sub.attr in ("text", "normalized")
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in ("query", "q")
                )
                if question or query_text:
                    found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_static_check_finds_a_question_tokenized_again() -> None:
    bad = (
        "from ..understand.words import tokens as tk, stem_set\n"
        "def f(question, query):\n"
        "    a = tk(question)\n"
        "    b = stem_set(' '.join([query.normalized, 'x']))\n"
        "    c = stem_set(query.search)\n"  # what retrieval searches: allowed
        "    return a, b, c\n"
    )
    assert [line for line, _ in _tokenized_questions(bad)] == [3, 4]


def test_no_answering_module_tokenizes_the_question_again() -> None:
    files = [SRC / "ask.py", *sorted((SRC / "answer").rglob("*.py"))]
    files += sorted((SRC / "retrieval").rglob("*.py"))
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}: {call}"
        for path in files
        for line, call in _tokenized_questions(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_question_of_function_words_only_is_refused_without_a_nearest_quote(
    second_qa: QA,
) -> None:
    for question in ("the the the", "why?", "and of to than"):
        answer = second_qa.ask(question)
        assert answer.abstained and answer.refusal_reason == NOTHING_ASKED, question
        assert answer.nearest is None and answer.rows == ()
        assert answer.answer.startswith("The question names nothing to look for")
    # a follow-up carries its referent's words: it is asked
    first = "Which trials used thymol strips?"
    assert second_qa.ask("and why?", [first]).refusal_reason != NOTHING_ASKED
    # a year is something to look for
    assert second_qa.ask("2016?").refusal_reason != NOTHING_ASKED


def test_a_footnote_of_abbreviations_answers_only_what_a_short_form_means(
    tmp_path: Path,
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "kites.txt").write_text(KITE_NOTES, encoding="utf-8")
    settings = Settings.from_env({}, corpus_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    qa = _always(QA.load(settings, embedder=HashingEmbedder()), True)

    def glossary(answer: Any) -> list[str]:
        return [h.passage.id for h in answer.passages if h.passage.kind == "glossary"]

    meaning = qa.ask("What does DLK stand for?")
    assert glossary(meaning) and '"DLK: Delta light kite"' in meaning.text
    assert "Cotton sled" not in meaning.text  # the one entry asked about, not the footnote
    flown = qa.ask("When was a DLK flown?")
    assert not glossary(flown) and "Delta light kite" not in flown.text
    # a refused question's nearest sentence is never the footnote
    refused = _always(qa, False).ask("What does DLK stand for?")
    assert refused.abstained and refused.nearest is not None
    assert "Cotton sled" not in refused.nearest.sentence


KITE_REPORT = """# Night kites over the dunes

## Methods

We flew forty kites with lamps on calm nights. Each flight lasted an hour. Lines were
checked for wear after every landing.

## Results

Lamps drew moths to the kites on warm nights. Nylon lines frayed twice as fast as silk
lines. Wind above the dunes turned gusty after midnight.

## Conclusions

In short, night kites can fly safely over coastal dunes, provided that the launching
crews watch the changing wind closely and bring the kites down whenever the gusts begin
to strengthen beyond what their lightweight frames were originally designed to withstand.
Silk lines outlast nylon ones by a wide margin, because silk stretches less under sudden
loads and resists the abrasive sand that the evening breezes continually carry across
the exposed crests of the highest dunes. Lamps should be dimmed on warm nights to spare
the moths, which gathered around the brightest lanterns in remarkable numbers and
sometimes damaged the delicate paper shades that protected the flickering candles inside.
Flights are best ended before midnight, when the wind above the dunes becomes markedly
gusty and the tired crews find it considerably harder to recover their kites without
tangling the long lines. Further work should test heavier frames in autumn gales, since
every flight reported here took place during comparatively settled summer weather with
moderate winds and generally clear skies over the whole study area.
"""


@pytest.fixture(scope="module")
def kite_report(tmp_path_factory: pytest.TempPathFactory) -> QA:
    folder = tmp_path_factory.mktemp("kite-report")
    (folder / "report.md").write_text(KITE_REPORT, encoding="utf-8")
    settings = Settings.from_env(
        {}, corpus_dir=folder, index_dir=tmp_path_factory.mktemp("kite-report-index")
    )
    return QA.load(settings, embedder=HashingEmbedder())


def test_a_question_for_the_gist_reads_the_whole_concluding_section(kite_report: QA) -> None:
    closing = [p for p in kite_report.engine.retriever.passages if p.section == "Conclusions"]
    assert len(closing) >= 2  # the section is longer than one passage
    answer = kite_report.ask("What do they conclude?")
    assert not answer.abstained
    quoted = [s.text for s in answer.sentences]
    # its best sentences (as many as an answer quotes), all of the section, from both of
    # its passages, in the order the section gives them
    assert len(quoted) == MAX_QUOTES
    section = " ".join(KITE_REPORT.split("## Conclusions", 1)[1].split())
    bare = [q[1 : q.rindex('"')] for q in quoted]  # '"...." [P1]' -> '....'
    assert all(b in section for b in bare)
    assert sorted(bare, key=section.index) == bare
    credited = {s.passage_id for s in answer.sentences}
    assert credited <= {p.id for p in closing} and len(credited) >= 2
    assert quoted[0].startswith('"In short, night kites can fly safely')
    assert any(q.startswith('"Further work should test heavier frames') for q in quoted)
    said = " ".join(quoted)
    assert said.index("Silk lines outlast") < said.index("Further work")
    # and the section's passages rank together, in document order
    ranked = [h.passage.id for h in answer.passages]
    at = [ranked.index(p.id) for p in closing]
    assert at == list(range(at[0], at[0] + len(closing)))


KITE_NOTES_PLAIN = """Box kites need a steady wind of at least ten knots to stay up.

Delta kites climb fast in light air and forgive a poor launch.

Shade cloth over the launch field kept the flyers cool in the afternoon heat.
"""


def test_a_question_for_the_gist_outside_a_concluding_section_quotes_as_usual(
    tmp_path: Path,
) -> None:
    # a document without sections: its paragraphs are not one section to quote whole
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text(KITE_NOTES_PLAIN, encoding="utf-8")
    settings = Settings.from_env({}, corpus_dir=tmp_path / "c", index_dir=tmp_path / "i")
    qa = _always(QA.load(settings, embedder=HashingEmbedder()), True)
    answer = qa.ask("What is the main message about shade cloth over the launch field?")
    quoted = " ".join(s.text for s in answer.sentences)
    assert "Shade cloth over the launch field" in quoted
    assert "Box kites need" not in quoted and "Delta kites climb" not in quoted


def test_a_question_naming_an_author_finds_the_prose_citing_their_row_by_number(
    second_qa: QA,
) -> None:
    # the notes report Moreau et al's finding only as "...[9]": without their name
    answer = second_qa.ask("What did Moreau et al find?")
    assert any("Removing drone brood" in s.text for s in answer.sentences)
    assert [m.row.id for m in answer.rows] == ["apiary_trials:9"]


def test_a_question_naming_its_own_years_is_not_read_with_the_turn_before(
    second_qa: QA,
) -> None:
    history = ["Which trials cut mite load?"]
    second_qa.ask(history[0])
    answer = second_qa.ask("Which trials ran after 2016?", history)
    assert answer.rows and all((m.row.year or 0) > 2016 for m in answer.rows)
