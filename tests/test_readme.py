"""The README stays true to the code: every settings knob and CLI command is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from hccqa.settings import Settings
from hccqa.ui.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head and "make test" in head


def test_every_setting_is_documented() -> None:
    missing = [f.name for f in fields(Settings) if f"HCCQA_{f.name.upper()}" not in README]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    missing = [n for n in names if f"hccqa {n}" not in README]
    assert names and missing == []
