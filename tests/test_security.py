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
import os
import re
import tomllib
import types
from collections.abc import Iterator
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


@pytest.mark.parametrize(("value", "empty"), [("ann:", "password"), (":s3cret", "user name")])
def test_auth_with_an_empty_part_is_refused_at_start(value: str, empty: str) -> None:
    with pytest.raises(hccqa.InputError, match=f"HCCQA_AUTH has an empty {empty}"):
        Settings.from_env(env={"HCCQA_AUTH": value})


def test_hccqa_serve_refuses_an_empty_password_in_one_line() -> None:
    import subprocess
    import sys

    env = {**os.environ, "HCCQA_AUTH": "ann:", "HCCQA_INDEX_DIR": "/nonexistent-hccqa-index"}
    proc = subprocess.run(
        [sys.executable, "-m", "hccqa", "serve"], capture_output=True, env=env, timeout=120
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.strip() == (
        "error: HCCQA_AUTH has an empty password, so nobody could log in; "
        "set HCCQA_AUTH=user:password with both parts non-empty"
    )


# -- dependencies --------------------------------------------------------------------------


def test_pyproject_requires_gradio_6_7_or_later() -> None:
    # The web chat is the [web] extra; the core install does not bring gradio.
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"][
        "web"
    ]
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
            is_false = (
                isinstance(getattr(node, "value", None), ast.Constant) and node.value.value is False
            )
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


def test_index_files_are_json_faiss_or_plain_numpy(tmp_path: Path) -> None:
    from test_index_faults import make_corpus

    from hccqa.retrieval.embed import HashingEmbedder
    from hccqa.retrieval.index import build_index
    from hccqa.retrieval.storage import LOCK

    build_index(make_corpus(), HashingEmbedder(32), tmp_path, progress=False)
    assert (tmp_path / LOCK).read_bytes() == b""  # the build lock: an empty file
    for path in tmp_path.iterdir():
        if path.name == LOCK:
            continue
        data = path.read_bytes()
        assert path.suffix in (".json", ".faiss", ".npy", ".npz"), path.name
        assert not data.startswith(b"\x80"), f"{path.name} looks like a pickle"
        if path.suffix == ".npy":
            header = data[:256]
            assert b"'descr': '<f4'" in header, f"{path.name} is not plain float32"
        if path.suffix == ".npz":  # BM25: numbers and UTF-8 bytes, every member loads unpickled
            import numpy as np

            with np.load(path, allow_pickle=False) as saved:
                kinds = {saved[k].dtype.kind for k in saved.files}
            assert kinds <= {"f", "i", "u"}, f"{path.name} holds {kinds}"
        if path.suffix == ".json":
            import json

            json.loads(data)


# -- the public API ------------------------------------------------------------------------


def test_all_lists_exactly_the_public_names() -> None:
    exported = set(hccqa.__all__)
    for name in hccqa.__all__:  # the names load on first use
        getattr(hccqa, name)
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
    """An answer whose every corpus-given text holds the payload: passage, section, table
    id, column name, cells, reason, reference (a user's own files can say anything)."""
    from hccqa.types import (
        Answer,
        AnswerSentence,
        Hit,
        Passage,
        Reference,
        RowMatch,
        TableRow,
    )

    passage = Passage(id=f"notes:{p}", doc_id="notes", section=p, text=f"Hives {p} cool.")
    row = TableRow(
        id=f"t{p}:1",
        table=f"t{p}",
        key="1",
        cells=(("ref", "1"), (p, p), ("year", "2008")),
        ref=1,
        author=p,
        year=2008,
    )
    return Answer(
        question=p,
        searched_query=f"searched {p}",
        answer=f"Hives {p} cool. [P1]",
        text=f"Hives {p} cool. [P1]",
        abstained=False,
        passages=(Hit(passage, 0.9, 1, ("dense",)),),
        rows=(RowMatch(row, f"reason {p}"),),
        sentences=(AnswerSentence(f"Hives {p} cool.", passage.id, 1),),
        references={1: Reference(1, p, 2008, (f"t{p}:1",), (p,))},
        corrections=((p, p),),
    )


def _hostile_refusal(p: str) -> object:
    from dataclasses import replace

    from hccqa.types import Nearest

    answer = _hostile_answer(p)
    return replace(
        answer,  # type: ignore[type-var]
        abstained=True,
        answer=f"The documents do not cover this. {p}",
        text="",
        rows=(),
        sentences=(),
        refusal_reason=f"the question names {p}",
        nearest=Nearest(f"notes:{p}", p, f"Hives {p} cool.", 1),
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendering_escapes_html(payload: str) -> None:
    render = pytest.importorskip("hccqa.ui.render")
    answer = _hostile_answer(payload)
    outputs = {
        "question": render.render_question(payload),
        "answer": render.render_answer(answer),
        "refusal": render.render_answer(_hostile_refusal(payload)),
        "sources": render.render_sources(answer),
        "refusal sources": render.render_sources(_hostile_refusal(payload)),
        "rows": render.render_rows(answer.rows),
        "references": render.render_references(answer.references),
        "error": render.render_error(f"bad input: {payload}"),
    }
    for where, html_out in outputs.items():
        assert payload not in html_out, where
        assert not re.search(r"<(script|img|iframe|style|svg)\b", html_out, re.I), where
        assert "href='javascript" not in html_out, where
        assert "&lt;" in html_out, f"{where}: the payload was dropped, not shown escaped"


# -- the running web chat ------------------------------------------------------------------

SECRET_MARKERS = {
    "/etc/passwd": b"root:",
    "pyproject.toml": b"[project]",
    "corpus/review.txt": b"sorafenib",
    "SECURITY.md": b"# Security",
}

TRAVERSALS = [
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=//etc/passwd",
    "/gradio_api/file=../../../../../../etc/passwd",
    "/gradio_api/file=..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/file=%2Fetc%2Fpasswd",
    "/gradio_api/file=%252Fetc%252Fpasswd",
    "/gradio_api/file=/tmp/gradio/../../etc/passwd",
    "/gradio_api/file/etc/passwd",
    "/gradio_api/file//etc/passwd",
    "/file=/etc/passwd",
    "/static/../../../../etc/passwd",
    "/assets/../../../../etc/passwd",
    "/gradio_api/file=/proc/self/environ",
    "/gradio_api/file=/proc/self/cmdline",
    "/gradio_api/file={root}/pyproject.toml",
    "/gradio_api/file=pyproject.toml",
    "/gradio_api/file=./SECURITY.md",
    "/gradio_api/file={root}/corpus/review.txt",
    "/gradio_api/file=corpus/review.txt",
    "/gradio_api/file={index}/meta.json",
    "/gradio_api/file=http://169.254.169.254/latest/meta-data/",
    "/gradio_api/file=https://example.com/x",
    "/gradio_api/proxy=http://127.0.0.1:22/",
]


def _raw_get(url: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with the path sent exactly as given (no dot-segment normalization by the client)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from serving import web_chat

    index_dir = tmp_path_factory.mktemp("index")
    with web_chat(index_dir) as (url, _qa):
        yield url, index_dir


def test_file_route_refuses_files_outside_the_app(served: tuple[str, Path]) -> None:
    url, index_dir = served
    assert (index_dir / "meta.json").is_file()
    refused: list[str] = []
    for template in TRAVERSALS:
        path = template.format(root=ROOT, index=index_dir)
        status, headers, body = _raw_get(url, path)
        assert status in (400, 401, 403, 404, 405), (path, status, body[:120])
        assert "location" not in headers, (path, headers)  # no open redirect
        for marker in (*SECRET_MARKERS.values(), b'"build_id"'):
            assert marker not in body, (path, body[:120])
        refused.append(path)
    assert len(refused) == len(TRAVERSALS)


def test_app_assets_are_still_served(served: tuple[str, Path]) -> None:
    """The control for the test above: the route works, it is the paths that are refused."""
    url, _ = served
    status, _, body = _raw_get(url, "/")
    assert status == 200 and b"<html" in body.lower()
    status, _, body = _raw_get(url, "/gradio_api/info")
    assert status == 200 and b"/ask" in body


def test_server_listens_on_loopback_only(served: tuple[str, Path]) -> None:
    from urllib.parse import urlsplit

    import psutil

    port = urlsplit(served[0]).port
    listening = [
        c.laddr
        for c in psutil.Process(os.getpid()).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening, "the server is not listening"
    assert {addr.ip for addr in listening} == {"127.0.0.1"}


def test_auth_required_when_set(tmp_path: Path) -> None:
    from gradio_client import Client
    from serving import web_chat

    with web_chat(tmp_path / "index", auth="ann:s3cret") as (url, _qa):
        status, _, _ = _raw_get(url, "/gradio_api/info")
        assert status in (401, 403)
        status, _, body = _raw_get(url, "/gradio_api/file=/etc/passwd")
        assert status in (401, 403) and b"root:" not in body
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do, as long as it refuses
            Client(url, verbose=False, auth=("ann", "wrong"), download_files=False).predict(
                "What does sorafenib inhibit?", [], api_name="/ask"
            )
        client = Client(url, verbose=False, auth=("ann", "s3cret"), download_files=False)
        # reaching the engine's input check proves the login passed and /ask ran
        with pytest.raises(Exception, match="empty"):
            client.predict("   ", [], api_name="/ask")


@pytest.mark.integration
def test_hccqa_serve_binds_loopback_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command, default settings (only the port and index folder chosen)."""
    import psutil

    from hccqa.bench.soak import launched_server

    monkeypatch.delenv("HCCQA_HOST", raising=False)
    env = {"HCCQA_INDEX_DIR": str(tmp_path / "index")}
    with launched_server(env=env) as (url, pid):
        addrs = {
            c.laddr.ip
            for p in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
            for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        }
        assert addrs == {"127.0.0.1"}
        status, _, body = _raw_get(url, "/gradio_api/file=/etc/passwd")
        assert status in (403, 404) and b"root:" not in body


def test_every_test_named_in_security_md_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", text)
    assert len(named) >= 15
    for filename, test in named:
        path = ROOT / "tests" / filename
        assert path.is_file(), filename
        if test:
            assert re.search(rf"^def {test}\(", path.read_text(encoding="utf-8"), re.M), test


def test_upload_route_refuses_even_one_byte(served: tuple[str, Path]) -> None:
    import httpx

    url, _ = served
    for size in (1, 100, 10_000):
        files = {"files": ("x.txt", b"x" * size, "text/plain")}
        resp = httpx.post(url + "gradio_api/upload", files=files, timeout=10)
        assert resp.status_code == 404, (size, resp.status_code, resp.text[:200])
