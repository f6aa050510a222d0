"""The web chat page's texts come from the corpus folder (chat.json), neutral otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from webfakes import FakeQA

from hccqa.errors import CorpusError
from hccqa.locations import packaged_corpus_dir
from hccqa.settings import Settings
from hccqa.ui.page import default_page_text, page_text
from hccqa.ui.web import build_app


def test_the_review_keeps_its_title_and_examples() -> None:
    page = page_text(packaged_corpus_dir())
    data = json.loads((packaged_corpus_dir() / "chat.json").read_text(encoding="utf-8"))
    assert page.title == data["title"] and page.examples == tuple(data["examples"])
    assert len(page.examples) >= 3


def test_a_folder_without_chat_json_gets_neutral_text(tmp_path: Path) -> None:
    folder = tmp_path / "garden_notes"
    folder.mkdir()
    page = page_text(folder)
    assert page == default_page_text("garden_notes")
    assert page.title == "hccqa: garden notes" and page.examples == ()
    words = " ".join([page.title, page.heading, page.description, page.placeholder]).lower()
    assert "review" not in words and "sorafenib" not in words


def test_chat_json_keys_are_each_optional(tmp_path: Path) -> None:
    (tmp_path / "chat.json").write_text(
        json.dumps({"placeholder": "Ask about kites", "examples": ["Which kite is best?"]})
    )
    page = page_text(tmp_path)
    assert page.placeholder == "Ask about kites" and page.examples == ("Which kite is best?",)
    assert page.title == default_page_text(tmp_path.name).title


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("{not json", "not a readable JSON file"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"title": 5}', "'title' must be a text"),
        ('{"examples": "one"}', "'examples' must be a list"),
        ('{"examples": [""]}', "'examples' must be a list"),
    ],
)
def test_a_bad_chat_json_is_named(tmp_path: Path, content: str, match: str) -> None:
    (tmp_path / "chat.json").write_text(content)
    with pytest.raises(CorpusError, match=match) as info:
        page_text(tmp_path)
    assert "chat.json" in str(info.value)


def test_the_page_of_another_corpus_says_nothing_of_the_review(tmp_path: Path) -> None:
    folder = tmp_path / "kites"
    folder.mkdir()
    demo = build_app(FakeQA(), Settings(corpus_dir=folder))
    config = json.dumps(demo.config, default=str).lower()
    assert demo.title == "hccqa: kites"
    assert "sorafenib" not in config and "the review" not in config
    review = build_app(FakeQA(), Settings())
    assert "sorafenib" in json.dumps(review.config, default=str).lower()


def _examples(demo: Any) -> tuple[list[list[str]], bool]:
    (props,) = [
        c["props"]
        for c in demo.config["components"]
        if c.get("props", {}).get("elem_id") == "hccqa-examples"
    ]
    return props["samples"], props["visible"]


def _pick(demo: Any, index: object) -> object:
    (fn,) = [f.fn for f in demo.fns.values() if f.name == "pick_example"]
    return fn(index)


def test_the_example_list_shows_the_corpus_folders_examples(tmp_path: Path) -> None:
    (tmp_path / "chat.json").write_text(
        json.dumps({"examples": ["Which kite is best?", "How long should a tail be?"]})
    )
    demo = build_app(FakeQA(), Settings(corpus_dir=tmp_path))
    assert _examples(demo) == ([["Which kite is best?"], ["How long should a tail be?"]], True)
    # A click sends the example's index; the server answers with that folder's question.
    assert _pick(demo, 1) == "How long should a tail be?"
    assert _pick(demo, 2) == "" and _pick(demo, -1) == "" and _pick(demo, "0") == ""


def test_a_folder_without_examples_shows_no_example_list(tmp_path: Path) -> None:
    demo = build_app(FakeQA(), Settings(corpus_dir=tmp_path))
    assert _examples(demo) == ([], False)
    assert _pick(demo, 0) == ""
