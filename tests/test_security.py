"""Security defaults, each stated in SECURITY.md and checked here.

Static checks (no server): loopback default, input limits, no pickle in the
source or in index files, a Gradio release free of the path-traversal/SSRF
advisories, the exact public API. Live checks (one launched web app, see
``served`` below): the Gradio file route refuses files outside the app, the
server listens on 127.0.0.1 only, auth works when HCCQA_AUTH is set, and
answers are rendered escaped.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
import types
from pathlib import Path

import pytest

import hccqa
from hccqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hccqa"


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


# -- defaults ------------------------------------------------------------------------------


def test_default_bind_is_loopback_and_auth_off() -> None:
    s = Settings.from_env(env={})
    assert s.host == "127.0.0.1"
    assert s.auth is None


def test_default_input_limits() -> None:
    s = Settings.from_env(env={})
    assert 0 < s.max_question_chars <= 10_000
    assert 0 < s.max_history_turns <= 100


def test_auth_must_be_user_colon_password() -> None:
    with pytest.raises(hccqa.InputError, match="user:password"):
        Settings.from_env(env={"HCCQA_AUTH": "nocolon"})
    assert Settings.from_env(env={"HCCQA_AUTH": "ann:s3cret"}).auth == "ann:s3cret"


# -- dependencies --------------------------------------------------------------------------


def test_pyproject_requires_gradio_6_7_or_later() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (gradio,) = [d for d in deps if re.match(r"gradio\b(?!_)", d)]
    m = re.search(r">=\s*([\d.]+)", gradio)
    assert m, f"gradio is not pinned from below: {gradio!r}"
    assert _version_tuple(m.group(1)) >= (6, 7)


def test_installed_gradio_is_6_7_or_later() -> None:
    assert _version_tuple(importlib.metadata.version("gradio")) >= (6, 7)


# -- no pickle -----------------------------------------------------------------------------


def _python_files() -> list[Path]:
    files = sorted(SRC.rglob("*.py"))
    app = ROOT / "app.py"
    return files + ([app] if app.exists() else [])


def test_no_pickle_anywhere_in_the_source() -> None:
    offenders: list[str] = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n.split(".")[0] in ("pickle", "dill", "cloudpickle", "joblib") for n in names):
                offenders.append(f"{path.name}:{node.lineno} imports {names}")
            pickle_kw = isinstance(node, ast.keyword) and node.arg == "allow_pickle"
            is_false = isinstance(getattr(node, "value", None), ast.Constant) and node.value.value is False
            if pickle_kw and not is_false:
                offenders.append(f"{path.name}:{node.lineno} allow_pickle is not False")
            if isinstance(node, ast.Attribute) and node.attr in ("torch_load", "load_pickle"):
                offenders.append(f"{path.name}:{node.lineno} {node.attr}")
    assert not offenders, offenders


def test_every_numpy_load_in_the_source_refuses_pickle() -> None:
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"np\.load\(([^)]*)\)", text):
            assert "allow_pickle=False" in m.group(1), f"{path.name}: {m.group(0)}"


def test_index_files_are_json_faiss_or_plain_npy(tmp_path: Path) -> None:
    from test_index_faults import make_corpus

    from hccqa.embed import HashingEmbedder
    from hccqa.index import build_index

    build_index(make_corpus(), HashingEmbedder(32), tmp_path, progress=False)
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert path.suffix in (".json", ".faiss", ".npy"), path.name
        assert not data.startswith(b"\x80"), f"{path.name} looks like a pickle"
        if path.suffix == ".npy":
            header = data[:256]
            assert b"'descr': '<f4'" in header, f"{path.name} is not plain float32"
        if path.suffix == ".json":
            import json

            json.loads(data)


# -- the public API ------------------------------------------------------------------------


def test_all_lists_exactly_the_public_names() -> None:
    exported = set(hccqa.__all__)
    # submodules appear in the package namespace once imported; they are reached by path
    public = {
        name
        for name, value in vars(hccqa).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert exported - {"__version__"} == public
    assert hccqa.__all__ == sorted(hccqa.__all__)
    for name in hccqa.__all__:
        assert hasattr(hccqa, name), name


# -- escaped rendering ---------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<iframe src=javascript:alert(1)>",
    "</div><style>body{display:none}</style>",
    "<a href='javascript:alert(1)'>x</a>",
    "<svg/onload=alert(1)>",
]


def _hostile_answer(p: str) -> object:
    from hccqa.types import Answer, AnswerSentence, Hit, Passage, Reference, RowMatch, TableRow

    passage = Passage(id=f"review:{p}", doc_id="review", section=p, text=f"Sorafenib {p} works.")
    row = TableRow(f"table1:{p}", "table1", 10, p, 2008, p, p, p)
    return Answer(
        question=p,
        searched_query=f"searched {p}",
        answer=f"Sorafenib {p} works. [1]",
        abstained=False,
        passages=(Hit(passage, 0.9, 1, ("dense",)),),
        rows=(RowMatch(row, f"reason {p}"),),
        sentences=(AnswerSentence(f"Sorafenib {p} works.", passage.id, 1),),
        references={10: Reference(10, p, 2008, (f"table1:{p}",))},
        nearest=p,
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendering_escapes_html(payload: str) -> None:
    render = pytest.importorskip("hccqa.render")
    answer = _hostile_answer(payload)
    outputs = {
        "question": render.render_question(payload),
        "answer": render.render_answer(answer),
        "sources": render.render_sources(answer),
        "rows": render.render_rows(answer.rows),
        "references": render.render_references(answer.references),
        "error": render.render_error(f"bad input: {payload}"),
    }
    for where, html_out in outputs.items():
        assert payload not in html_out, where
        assert not re.search(r"<(script|img|iframe|style|svg)\b", html_out, re.I), where
        assert "href='javascript" not in html_out, where
        assert "&lt;" in html_out, f"{where}: the payload was dropped, not shown escaped"
