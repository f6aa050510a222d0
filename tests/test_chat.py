"""Follow-up resolution: pure, no model."""

from __future__ import annotations

import pytest

from hccqa.understand.followup import is_followup, key_terms, resolve_followup


@pytest.mark.parametrize(
    "question",
    [
        "Which drugs failed in phase 3 trials?",
        "What is the role of EGFR in sorafenib resistance?",
        "How does hypoxia affect sorafenib?",
    ],
)
def test_self_contained_questions_pass_unchanged(question: str) -> None:
    assert not is_followup(question)
    assert resolve_followup(question, ["What are tumor endothelial cells?"]) == question


def test_no_history_means_no_change() -> None:
    assert resolve_followup("And which ones were tried second-line?", []) == (
        "And which ones were tried second-line?"
    )


def test_leading_and_carries_the_previous_topic() -> None:
    q = resolve_followup(
        "And which ones were tried second-line?", ["Which drugs failed in phase 3 trials?"]
    )
    assert q.startswith("And which ones were tried second-line?")
    for term in ("drugs", "failed", "phase", "3", "trials"):
        assert term in q.split()


def test_pronoun_carries_the_entity() -> None:
    q = resolve_followup(
        "Are they more resistant than normal ones?", ["What are tumor endothelial cells?"]
    )
    assert q.endswith("tumor endothelial cells")


def test_most_recent_turn_with_terms_wins() -> None:
    history = ["What is EMT?", "What about autophagy?", "ok"]
    q = resolve_followup("Is it acquired?", history)
    # "ok" carries nothing; "What about autophagy?" is itself resolved against "What is EMT?"
    assert "autophagy" in q


def test_topic_swap_keeps_the_frame_not_the_entity() -> None:
    q = resolve_followup(
        "What about autophagy?", ["Which studies implicate EMT in sorafenib resistance?"]
    )
    assert "EMT" not in q.split()
    assert "resistance" in q


def test_key_terms_put_entities_first_and_drop_question_words() -> None:
    terms = key_terms("Which studies implicate EMT in sorafenib resistance?")
    assert terms[:2] == ["EMT", "sorafenib"]
    assert "Which" not in terms and "studies" not in terms


def test_resolution_is_deterministic() -> None:
    h = ["Which drugs failed in phase 3 trials?"]
    assert resolve_followup("And second-line?", h) == resolve_followup("And second-line?", h)


def test_forced_resolution_for_an_elliptical_question() -> None:
    history = ["Which trial first showed that sorafenib prolongs survival?"]
    question = "How many countries were involved?"
    assert resolve_followup(question, history) == question
    forced = resolve_followup(question, history, force=True)
    assert forced.startswith(question) and "sorafenib" in forced
