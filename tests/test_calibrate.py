"""hccqa.evaluation.calibrate and the refusal policy in Settings: worked examples on tiny
synthetic sets, and a made-up gold set over the second test corpus (hashing encoder)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccqa.answer.judge import SIGNALS, Policy, probability
from hccqa.errors import InputError
from hccqa.evaluation.calibrate import (
    Calibration,
    Example,
    calibrate,
    collect,
    cross_validate,
    load_sets,
)
from hccqa.qa import QA
from hccqa.settings import DEFAULT_ENCODER, POLICIES, Settings


def _separable(n: int = 20) -> list[Example]:
    """Answerable questions have high coverage, unanswerable ones low: no overlap."""
    out = []
    for i in range(n):
        answerable = i % 2 == 0
        cov = 0.8 + 0.01 * i if answerable else 0.05 + 0.01 * i
        out.append(Example(f"q{i}", {"coverage": cov, "cosine": 0.5}, answerable))
    return out


def test_cross_validation_gives_out_of_fold_probabilities() -> None:
    examples = _separable()
    probs, threshold, refused, answered = cross_validate(examples, folds=5, penalty=0.01)
    assert len(probs) == len(examples)
    assert refused == 0.0 and answered == 0.0
    assert all((p >= threshold) == e.answerable for p, e in zip(probs, examples, strict=True))
    # seeded: the same folds every time
    assert cross_validate(examples, folds=5, penalty=0.01)[0] == probs


def test_calibrate_fits_a_policy_that_separates_the_worked_set() -> None:
    examples = _separable()
    result = calibrate(examples, folds=4, penalties=(0.01, 1.0))
    assert isinstance(result, Calibration)
    assert (result.examples, result.unanswerable, result.folds) == (20, 10, 4)
    assert result.refused_answerable == 0.0 and result.answered_unanswerable == 0.0
    assert result.penalty == 1.0  # both separate the set: the stronger penalty wins the tie
    policy = result.policy
    assert set(policy.weights) == set(SIGNALS) and policy.weights["coverage"] > 0
    for e in examples:
        assert (probability(policy, e.signals) >= policy.threshold) == e.answerable
    assert "20 gold questions, 4-fold CV" in policy.note
    assert "20 questions (10 unanswerable), 4-fold cross-validation" in result.summary()


def test_calibrate_needs_both_kinds_of_questions() -> None:
    with pytest.raises(ValueError, match="answerable and unanswerable"):
        calibrate([Example(f"q{i}", {}, True) for i in range(10)])
    with pytest.raises(ValueError, match="at least 5 questions"):
        calibrate(_separable(4))


MINI_GOLD = [
    {
        "id": "a1",
        "question": "Did treated colonies lose fewer queens over winter?",
        "answerable": True,
    },
    {"id": "a2", "question": "Which trials used thymol strips?", "answerable": True},
    {"id": "a3", "question": "Why do urban beekeepers split strong colonies?", "answerable": True},
    {
        "id": "a4",
        "question": "When did that one come out?",
        "history": ["Which trials used thymol strips?"],
        "answerable": True,
    },
    {"id": "u1", "question": "How do I tune a violin?", "answerable": False},
    {
        "id": "u2",
        "question": "What are the side effects of chlorpyrifos on bees?",
        "answerable": False,
    },
]


def _write_gold(path: Path) -> Path:
    lines = [
        json.dumps({"evidence": None, "table_rows": None, "answer_must_include": [], **q})
        for q in MINI_GOLD
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_collect_measures_every_question_through_the_pipeline(
    second_qa: QA, tmp_path: Path
) -> None:
    questions = load_sets([_write_gold(tmp_path / "mini.jsonl")])
    assert [q.id for q in questions] == [f"mini:{q['id']}" for q in MINI_GOLD]
    examples = collect(second_qa, questions)
    assert [e.id for e in examples] == [q.id for q in questions]
    assert [e.answerable for e in examples] == [q["answerable"] for q in MINI_GOLD]
    for e in examples:
        assert set(e.signals) == set(SIGNALS)
    by_id = {e.id: e.signals for e in examples}
    assert by_id["mini:u2"]["unknown"] == 1.0  # chlorpyrifos
    assert by_id["mini:a2"]["rows"] == 1.0  # the thymol rows
    assert by_id["mini:a4"]["rows"] == 1.0  # a follow-up selects its referent's rows


def test_the_calibrate_command_writes_a_policy_settings_can_use(
    second_qa: QA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hccqa.ui import cli

    monkeypatch.setattr(cli, "_qa", lambda *args, **kwargs: second_qa)
    gold = _write_gold(tmp_path / "mini.jsonl")
    out = tmp_path / "policy.json"
    result = CliRunner().invoke(
        cli.app, ["calibrate", "--gold", str(gold), "--folds", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "6 questions (2 unanswerable), 2-fold cross-validation" in result.output
    assert f"HCCQA_POLICY_FILE={out}" in result.output
    policy = Settings(policy_file=out).policy_for(second_qa.embedder)
    assert policy == Policy.from_dict(json.loads(out.read_text(encoding="utf-8")))


def test_settings_give_the_calibrated_policy_of_an_encoder() -> None:
    class Encoder:
        name, backend = DEFAULT_ENCODER, "torch"

    assert Settings().policy_for(Encoder()) == Policy.from_dict(POLICIES[DEFAULT_ENCODER])


def test_an_encoder_without_calibration_falls_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Encoder:
        name, backend = "made-up-encoder", "torch"

    with caplog.at_level(logging.WARNING, logger="hccqa.settings"):
        policy = Settings().policy_for(Encoder())
    assert policy == Policy.from_dict(POLICIES[DEFAULT_ENCODER])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "made-up-encoder" in warnings[0]
    assert "hccqa calibrate" in warnings[0]


@pytest.mark.parametrize(
    "content", ["{not json", '{"weights": {"vibes": 1.0}, "bias": 0}', '["a", "list"]']
)
def test_a_bad_policy_file_is_an_input_error_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "policy.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the refusal policy") as info:
        Settings(policy_file=path).policy_for(object())
    assert str(path) in str(info.value)
    with pytest.raises(InputError):
        Settings(policy_file=tmp_path / "missing.json").policy_for(object())
