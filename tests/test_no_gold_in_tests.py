"""Tests specify behaviour with examples invented for them: no question of a gold set (nor a
near-verbatim copy of one) appears in a test, a comment or a test data file.

The development sets (corpus/gold/*.jsonl) are read; the blind sets never are.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import tokenize
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
GOLD = ROOT / "corpus" / "gold"
BLIND = ("blind.jsonl", "blind2.jsonl")
NEAR = 0.85  # share of words in the same order that makes a copy
MIN_WORDS = 3


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", text.lower()))


@lru_cache(maxsize=1)
def gold_questions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(where, words)`` of every gold question and history turn, blind sets excepted."""
    out = []
    for path in sorted(GOLD.glob("*.jsonl")):
        if path.name in BLIND:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            for text in [item["question"], *(item.get("history") or [])]:
                if len(words(text)) >= MIN_WORDS:
                    out.append((f"{path.name}:{item['id']}", words(text)))
    return tuple(out)


def copies(text: str) -> list[str]:
    """The gold questions ``text`` holds, verbatim or nearly."""
    have = words(text)
    if len(have) < MIN_WORDS:
        return []
    joined = " " + " ".join(have) + " "
    found = []
    for where, question in gold_questions():
        if " " + " ".join(question) + " " in joined:
            found.append(where)
            continue
        matcher = difflib.SequenceMatcher(None, question, have, autojunk=False)
        if matcher.real_quick_ratio() >= NEAR and matcher.ratio() >= NEAR:
            found.append(where)
    return found


def _texts(path: Path) -> list[tuple[int, str]]:
    """String literals and comments of a Python file; lines of any other text file."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return list(enumerate(source.splitlines(), start=1))
    return [
        (tok.start[0], tok.string)
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type in (tokenize.STRING, tokenize.COMMENT)
    ]


def test_the_check_finds_a_gold_question_and_a_near_copy() -> None:
    where, question = next((w, q) for w, q in gold_questions() if len(q) >= 8)
    assert where in copies(f"# see: {' '.join(question).upper()}!")
    # one word of eight or more changed: still a copy
    assert where in copies(" ".join([*question[:-1], "zzz"]))
    assert copies("How do bees cool a hive on a hot roof?") == []


def test_no_test_holds_a_gold_question() -> None:
    assert gold_questions(), "the development gold sets are missing"
    files = sorted(p for p in TESTS.rglob("*") if p.suffix in (".py", ".jsonl", ".txt", ".md"))
    found = [
        f"{path.relative_to(ROOT)}:{line}: {', '.join(hits)}"
        for path in files
        for line, text in _texts(path)
        if (hits := copies(text))
    ]
    assert found == []
