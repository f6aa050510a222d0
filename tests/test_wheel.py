"""Packaging: the wheel carries the review, and the installed hccqa answers from any folder.

The wheel is built offline from a copy of the project's files in ``tmp_path`` (no build
isolation, no dependencies: the test environment already holds them), installed into a
target folder, and run from another temporary folder with the optional extras hidden, so
that what a ``pip install hccqa`` user gets is what is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = ("gradio", "gradio_client", "fastapi", "uvicorn", "matplotlib", "psutil")


def test_the_package_list_names_every_package() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src" / "hccqa").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert listed - found == {"hccqa._corpus", "hccqa._corpus.gold"}


def test_the_core_requires_no_extra() -> None:
    core = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    web_only = ("gradio", "fastapi", "uvicorn", "h11")
    assert not any(extra in core for extra in (*web_only, "matplotlib", "psutil"))
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {d.split(">")[0] for d in extras["web"]} == set(web_only)
    assert {"matplotlib", "psutil"} <= {d.split(">")[0] for d in extras["bench"]}


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("src", "corpus"):
        shutil.copytree(
            ROOT / folder,
            source / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    dist = tmp_path_factory.mktemp("dist")
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "-w",
            str(dist),
            str(source),
        ]
    )
    assert built.returncode == 0, built.stderr
    (path,) = dist.glob("hccqa-*.whl")
    return path


def test_the_wheel_carries_the_review_license_and_types(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = {n for n in names if n.startswith("hccqa/_corpus/")}
    expected = {
        f"hccqa/_corpus/{p.relative_to(ROOT / 'corpus').as_posix()}"
        for p in (ROOT / "corpus").rglob("*")
        if p.is_file()
    }
    assert corpus == expected
    assert "hccqa/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    metadata = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT" in metadata
    assert 'Requires-Dist: gradio>=6.7; extra == "web"' in metadata


@pytest.mark.integration
def test_installed_wheel_answers_from_any_folder_without_the_extras(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ]
    )
    assert installed.returncode == 0, installed.stderr
    # The extras are hidden: an import of any of them fails, as in a core-only install.
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in EXTRAS)
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HCCQA_") and k not in ("PYTHONPATH", "PYTHONHOME")
    }
    env.update(
        PYTHONPATH=f"{target}{os.pathsep}{hide}",
        HCCQA_CACHE_DIR=str(tmp_path / "cache"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    hccqa = str(target / "bin" / "hccqa")

    where = _run([sys.executable, "-c", "import hccqa; print(hccqa.__file__)"], cwd=work, env=env)
    assert where.stdout.strip().startswith(str(target)), where
    version = _run([hccqa, "--version"], cwd=work, env=env)
    assert version.returncode == 0 and version.stdout.startswith("hccqa "), version

    answer = _run([hccqa, "ask", "What does sorafenib inhibit?"], cwd=work, env=env)
    assert answer.returncode == 0, answer.stderr
    quoted, _, passages = answer.stdout.partition("\nPassages:\n")
    assert "sorafenib" in quoted.lower() and "[P1]" in quoted
    assert "[P1] review:p" in passages
    assert list(work.iterdir()) == []  # nothing written where it ran
    assert list((tmp_path / "cache" / "indexes").iterdir())  # the index went to the cache

    serve = _run([hccqa, "serve"], cwd=work, env=env)
    assert serve.returncode == 2
    assert "pip install 'hccqa[web]'" in serve.stderr
