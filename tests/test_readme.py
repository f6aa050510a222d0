"""The README stays true to the code.

- Every settings knob and every CLI command is documented.
- Every ``hccqa ...`` command line in its code blocks parses against the CLI (options, values,
  arguments), without running it.
- Its Python quickstart runs (integration: the real model) and prints what the README shows,
  numbers aside.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.main import get_command

from hccqa.settings import Settings
from hccqa.ui.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EVALUATION = (ROOT / "docs" / "EVALUATION.md").read_text(encoding="utf-8")
MAX_LINES = 250

# A fenced code block: its language tag and its text.
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# A line whose program, after any VAR=value words, is hccqa (also .venv/bin/hccqa).
_RUNS_HCCQA = re.compile(r"^\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:\S*/)?hccqa(?:\s|$)")
_SHELL_OPERATORS = set("|<>&;")


def code_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced code block of a Markdown text, in order."""
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def hccqa_args(line: str) -> list[str] | None:
    """The arguments of an ``hccqa`` shell command line, or None when it runs something else.

    Leading ``VAR=value`` assignments, comments, redirections and anything after a pipe
    are left out.
    """
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|<>&;")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    for word in lexer:
        if set(word) <= _SHELL_OPERATORS:
            if word in ("<", ">", ">>") and words and words[-1].isdigit():
                words.pop()  # the file descriptor of "2>/dev/null"
            break
        words.append(word)
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)
    if not words or Path(words[0]).name != "hccqa":
        return None
    return words[1:]


def shown_commands(text: str) -> list[str]:
    """Every ``hccqa`` command line of the non-Python code blocks.

    In a block with ``$ `` prompts only the prompted lines are commands (the rest is
    their output); in a block without prompts every line is one.
    """
    commands = []
    for language, body in code_blocks(text):
        if language == "python":
            continue
        lines = body.splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        for line in lines:
            if prompted and not line.startswith("$ "):
                continue
            line = line.removeprefix("$ ")
            if _RUNS_HCCQA.match(line):
                commands.append(line)
    return commands


def parse(args: list[str]) -> dict[str, object]:
    """Parse ``hccqa ARGS`` as the CLI would, without running it; the parsed parameters.

    Raises:
        typer.TyperException: the command, an option or a value is not accepted.
    """
    group = get_command(app)
    assert isinstance(group, TyperGroup)
    if not args or args[0].startswith("-"):
        try:
            return dict(group.make_context("hccqa", list(args), resilient_parsing=False).params)
        except typer.Exit as done:  # --version, --help
            assert done.exit_code == 0
            return {}
    root = group.context_class(group, info_name="hccqa")
    command = group.get_command(root, args[0])
    if command is None:
        raise typer.BadParameter(f"no such command {args[0]!r}")
    context = command.make_context(args[0], list(args[1:]), parent=root, resilient_parsing=False)
    return dict(context.params)


COMMANDS = shown_commands(README)


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head and "make test" in head


def test_readme_is_short() -> None:
    assert len(README.splitlines()) < MAX_LINES


def test_every_setting_is_documented() -> None:
    missing = [f"HCCQA_{f.name.upper()}" for f in fields(Settings)]
    assert [m for m in missing if m not in README] == []


def test_every_cli_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert names and [n for n in names if f"hccqa {n}" not in README] == []


def test_every_cli_command_is_shown_in_a_code_block() -> None:
    names = {c.name for c in app.registered_commands}
    shown = {args[0] for args in map(hccqa_args, COMMANDS) if args}
    assert names - shown == set()


@pytest.mark.parametrize("line", COMMANDS, ids=[c[:60] for c in COMMANDS])
def test_every_command_shown_parses(line: str) -> None:
    args = hccqa_args(line)
    assert args is not None
    try:
        parse(args)
    except typer.TyperException as exc:
        pytest.fail(f"README command does not parse: hccqa {shlex.join(args)}\n  {exc}")


def test_the_command_parser_refuses_what_the_cli_refuses() -> None:
    assert parse(["ask", "a question", "-k", "2", "--history", "earlier"])["k"] == 2
    for bad in (
        ["ask", "a question", "-k", "two"],
        ["ask", "a question", "--no-such-option"],
        ["ask"],
        ["eval", "--gold", "set.jsonl", "-k", "3"],
        ["no-such-command"],
    ):
        with pytest.raises(typer.TyperException):
            parse(bad)


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ('hccqa ask "two words" -k 2  # a comment', ["ask", "two words", "-k", "2"]),
        ("HCCQA_AUTH=a:b hccqa serve", ["serve"]),
        ("hccqa ask - --json < question.txt", ["ask", "-", "--json"]),
        ("hccqa corpus --json | jq .rows", ["corpus", "--json"]),
        ("hccqa build --corpus d 2>/dev/null", ["build", "--corpus", "d"]),
        (".venv/bin/hccqa corpus", ["corpus"]),
        ("pip install -c constraints.txt .", None),
        ("make run    # hccqa serve", None),
    ],
)
def test_command_lines_are_read_like_a_shell(line: str, args: list[str] | None) -> None:
    assert hccqa_args(line) == args


def test_the_blind_figures_are_the_ones_in_docs_evaluation() -> None:
    blocks = [body for _, body in code_blocks(README) if "blind.jsonl" in body]
    assert len(blocks) == 1 and blocks[0] in EVALUATION


def _python_quickstart() -> tuple[str, str]:
    """The Python code block of the Quickstart section and the output block after it."""
    section = README.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    blocks = code_blocks(section)
    at = next(i for i, (language, _) in enumerate(blocks) if language == "python")
    return blocks[at][1], blocks[at + 1][1]


def _shape(text: str) -> list[str]:
    """Lines with every number replaced by ``0``: scores and timings may differ by machine."""
    return [re.sub(r"\d+(?:\.\d+)?", "0", line) for line in text.strip().splitlines()]


def test_the_shape_ignores_numbers_only() -> None:
    assert _shape("score 0.881 [P1]\n") == _shape("score 0.75 [P2]")
    assert _shape("score 0.881") != _shape("score 0.881 (dense)")


@pytest.mark.integration
def test_the_python_quickstart_prints_what_the_readme_shows(tmp_path: Path) -> None:
    code, shown = _python_quickstart()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HCCQA_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if "HCCQA_CACHE_DIR" in os.environ:  # the test session's private cache (conftest)
        env["HCCQA_CACHE_DIR"] = os.environ["HCCQA_CACHE_DIR"]
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert _shape(run.stdout) == _shape(shown), f"printed:\n{run.stdout}\nREADME:\n{shown}"
