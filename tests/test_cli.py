"""The CLI's shape: --version, the same folder options on every command, plain metavars,
-k checked by the guard, and a clear message when a command needs an optional extra."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccqa import __version__
from hccqa.errors import InputError
from hccqa.ui.cli import app

READS_A_CORPUS = ("build", "search", "ask", "serve", "eval", "bench")


def _commands() -> list[str]:
    return [c.name or "" for c in app.registered_commands]


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"hccqa {__version__}\n"


@pytest.mark.parametrize("command", READS_A_CORPUS)
def test_every_command_that_reads_a_corpus_takes_the_same_folder_options(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    for option in ("--corpus DIR", "--index DIR", "--model DIR"):
        assert option in result.output, (command, option)


def test_corpus_takes_corpus_and_still_accepts_the_old_path(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Box kites fly in steady wind. Delta kites suit light air.\n")
    runner = CliRunner()
    new = runner.invoke(app, ["corpus", "--corpus", str(tmp_path)])
    assert new.exit_code == 0 and "1 passages in 1 sections" in new.output
    assert "--path" not in runner.invoke(app, ["corpus", "--help"]).output
    old = runner.invoke(app, ["corpus", "--path", str(tmp_path)])
    assert old.exit_code == 0 and "--path is deprecated" in old.output


@pytest.mark.parametrize("command", ["bench-soak", "corpus", "search", "ask", "eval", "bench"])
def test_help_shows_plain_metavars(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "<int>" not in result.output
    assert "--json " in result.output or "--json\n" in result.output


@pytest.mark.parametrize("command", [["ask", "Which kites?"], ["search", "kites"]])
@pytest.mark.parametrize("k", ["0", "51"])
def test_k_is_checked_by_the_guard_before_anything_loads(command: list[str], k: str) -> None:
    result = CliRunner().invoke(app, [*command, "-k", k, "--corpus", "/nonexistent-hccqa-corpus"])
    assert isinstance(result.exception, InputError)  # main() prints it as one line, exit 2
    assert str(result.exception) == f"k (passages per answer) must be from 1 to 50, got {k}"


_BLOCK = (
    "import sys\n"
    "for m in ('gradio', 'gradio_client', 'fastapi', 'uvicorn', 'matplotlib', 'psutil'):\n"
    "    sys.modules[m] = None  # as if the extra were not installed\n"
    "sys.argv = ['hccqa', *sys.argv[1:]]\n"
    "from hccqa.ui.cli import main\n"
    "main()\n"
)


def _without_extras(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HCCQA_INDEX_DIR": "/nonexistent-hccqa-index"}
    return subprocess.run(
        [sys.executable, "-c", _BLOCK, *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["serve"], "web"),
        (["bench-load"], "bench"),
        (["bench-soak"], "bench"),
        (["eval", "--gold", "g.jsonl", "--report", "r"], "bench"),
    ],
)
def test_a_command_without_its_extra_names_the_pip_command(args: list[str], extra: str) -> None:
    result = _without_extras(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"pip install 'hccqa[{extra}]'" in result.stderr


def test_the_core_imports_without_the_extras() -> None:
    code = _BLOCK.replace("from hccqa.ui.cli import main\nmain()\n", "import hccqa, hccqa.qa\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


_PARSE_ONLY = """
import atexit, sys
atexit.register(lambda: print(sorted(m for m in sys.modules if m.startswith("pydantic"))[:3]))
from hccqa.ui.cli import main
sys.argv = ["hccqa", "ask", " ", "-k", "3", "--mode", "bm25"]
main()
"""


def test_parsing_the_command_line_imports_no_pydantic() -> None:
    # typer 0.29 coerces options through pydantic: 0.2-0.25 s more per start on a slow
    # CPU (constraints.txt keeps typer below it); the CLI must not need it
    result = subprocess.run(
        [sys.executable, "-c", _PARSE_ONLY], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "question is empty" in result.stderr, result.stderr
    assert result.stdout.strip() == "[]"


def test_eval_finds_a_packaged_gold_set_by_name() -> None:
    from hccqa.locations import packaged_corpus_dir
    from hccqa.ui.cli import _gold_path

    assert _gold_path("heldout") == str(packaged_corpus_dir() / "gold" / "heldout.jsonl")
    assert _gold_path("no-such-set") == "no-such-set"


def test_ask_answered_by_rows_alone_prints_them_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hccqa import QA, Settings
    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.ui import cli

    folder = tmp_path / "sheet"
    folder.mkdir()
    (folder / "gauges.tsv").write_text(
        "# title: River gauges\ngauge\tyear\tlevel_cm\nNorth weir\t2019\t52\nMill race\t2020\t31\n",
        encoding="utf-8",
    )
    settings = Settings(corpus_dir=folder, index_dir=tmp_path / "idx")
    qa = QA.load(settings, embedder=HashingEmbedder(64))
    monkeypatch.setattr(cli, "_qa", lambda *a, **k: qa)
    result = CliRunner().invoke(app, ["ask", "Which gauges had a level above 50?"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Table rows:"  # no blank lines where quotes would be
    assert lines[1].startswith("  gauges:North weir:") and "level_cm: above 50" in lines[1]
    # no quote and no nearest sentence: the passages are still listed, however small k
    answer = qa.ask("Which gauges had a level above 50?")
    assert not answer.sentences and answer.nearest is None
    one = CliRunner().invoke(app, ["ask", "-k", "1", "Which gauges had a level above 50?"])
    assert one.exit_code == 0 and "\nPassages:\n  [P1] " in one.output, one.output


def test_ask_lists_every_passage_its_quotes_cite_however_small_k(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from hccqa import QA, Settings
    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.ui import cli

    folder = tmp_path / "notes"
    folder.mkdir()
    kites = [
        "Box kites fly in steady wind and need a long line.",
        "Delta kites fly in light wind and climb fast.",
        "Sled kites fly without spars and fold flat.",
        "Kites of every kind fly best away from trees.",
    ]
    for i, text in enumerate(kites):
        (folder / f"kite{i}.txt").write_text(text + "\n", encoding="utf-8")
    qa = QA.load(
        Settings(corpus_dir=folder, index_dir=tmp_path / "idx"), embedder=HashingEmbedder(64)
    )
    monkeypatch.setattr(cli, "_qa", lambda *a, **k: qa)
    result = CliRunner().invoke(app, ["ask", "-k", "1", "How do kites fly?"])
    assert result.exit_code == 0, result.output
    cited = {int(n) for n in re.findall(r"\[P(\d+)\]", result.output.split("Passages:")[0])}
    assert max(cited) > 1  # the quotes come from several passages
    listed = re.findall(r"^  \[P(\d+)\]", result.output, flags=re.M)
    assert [int(n) for n in listed] == list(range(1, max(cited) + 1))


def test_corpus_shows_how_each_column_is_read(tmp_path: Path) -> None:
    (tmp_path / "gauges.tsv").write_text(
        "# title: River gauges\ngauge\tyear\tlevel_cm\tstate\nNorth weir\t2019\t52\tFlooded\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["corpus", "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "  columns: gauge (key), year (year), level_cm (number), state\n" in result.output


@pytest.mark.parametrize("fails", [False, True])
def test_loading_restores_the_collectors_thresholds(
    monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    import gc

    from hccqa import qa as qa_module
    from hccqa.ui import cli

    seen: list[tuple[int, int, int]] = []

    def load(*args: object, **kwargs: object) -> str:
        seen.append(gc.get_threshold())
        if fails:
            raise InputError("the corpus cannot be read")
        return "engine"

    monkeypatch.setattr(cli, "_prepare_encoder", lambda settings: None)
    monkeypatch.setattr(qa_module.QA, "load", load)
    before = gc.get_threshold()
    if fails:
        with pytest.raises(InputError):
            cli._qa(None, None, None)
    else:
        assert cli._qa(None, None, None) == "engine"
    assert seen[0][0] > before[0]  # collected less often while the engine loads
    assert gc.get_threshold() == before
