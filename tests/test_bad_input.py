"""Bad input, property-tested, through QA.search, QA.ask and the CLI.

The rule everywhere: either a normal result, or an InputError whose message
says what is wrong; no other exception escapes. The CLI turns an InputError into
a non-zero exit and exactly one line on stderr, without a traceback.

Generated cases per run (max_examples): search 400, ask 400, history 250,
options 150, real model 40 -> 1,240 here; with tests/test_guard.py (1,100) and
the /ask endpoint cases in tests/test_security.py (see there) well over 2,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccqa.errors import InputError
from hccqa.qa import QA
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings
from hccqa.types import Answer, Hit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

# Hand-picked nasty inputs; the generated ones below are built from them and from random text.
NASTY: list[object] = [
    "",
    " ",
    "\t\n\r \u00a0\u2003",
    "\x00",
    "sorafenib\x00resistance",
    "\x1b[31mred\x1b[0m sorafenib",
    "a" * 100_000,
    "sorafenib " * 10_000,
    "<script>alert('x')</script> Which trials failed?",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1)) **bold** `code` # heading",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "'; DROP TABLE passages; --",
    "1 OR 1=1; SELECT * FROM users",
    "{{7*7}} ${7*7} %s %n",
    "💊🧬🔬 sorafenib 👩‍⚕️",
    "索拉非尼耐药的机制是什么？",
    "Каков механизм резистентности к сорафенибу?",
    "ما هي آلية مقاومة السورافينيب؟",
    "ソラフェニブ耐性のメカニズムは？",
    "\u202eevil\u202c sorafenib",
    "zero\u200bwidth\u200d joiner\ufeff",
    "e" + "\u0301" * 500,
    "\ud800 lone surrogate",
    "\udcff\udcfe",
    "../../etc/passwd",
    "file:///etc/passwd",
    "What is VEGF?" * 300,
    b"bytes sorafenib",
    b"\xff\xfe invalid utf-8",
    None,
    42,
    3.14,
    ["list"],
    {"question": "dict"},
]

FRAGMENTS = [x for x in NASTY if isinstance(x, str) and len(x) < 200] + [
    "sorafenib",
    "VEGF",
    "HCC",
    "Table 1",
    "phase 3",
    "[24]",
    "et al",
]


def questions() -> st.SearchStrategy[object]:
    """Anything a caller might pass as a question, biased toward trouble."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=300),
        st.text(st.characters(codec=None), max_size=80),  # every category, surrogates too
        st.lists(st.sampled_from(FRAGMENTS), max_size=8).map(" ".join),
        st.binary(max_size=120),
        st.integers(min_value=1, max_value=60).map(lambda n: "word " * (n * 200)),
        st.none(),
        st.integers(),
        st.lists(st.text(max_size=3), max_size=3),
    )


def histories() -> st.SearchStrategy[object]:
    """Anything a caller might pass as a history."""
    text = st.one_of(st.text(max_size=60), st.sampled_from(FRAGMENTS))
    return st.one_of(
        st.just([]),
        st.none(),
        st.lists(text, max_size=6),
        st.lists(text, min_size=200, max_size=400),  # huge: cut to the last turns
        st.integers(min_value=1, max_value=3).map(lambda n: ["x" * 50_000] * n),
        st.lists(st.one_of(text, st.integers(), st.none(), st.binary(max_size=8)), max_size=5),
        st.text(max_size=20),
        st.integers(),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    )


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> QA:
    index_dir = tmp_path_factory.mktemp("index")
    return QA.load(Settings(corpus_dir=CORPUS, index_dir=index_dir), embedder=HashingEmbedder())


def _expect_input_error(exc: InputError) -> None:
    msg = str(exc)
    assert msg and "\n" not in msg and len(msg) < 500, msg


PROPS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@PROPS
@given(q=questions(), k=st.integers(min_value=1, max_value=60))
def test_search_never_raises_anything_but_input_error(qa: QA, q: object, k: int) -> None:
    try:
        hits = qa.search(q, k=k)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        return
    assert all(isinstance(h, Hit) for h in hits)
    assert 1 <= len(hits) <= k
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


@PROPS
@given(q=questions())
def test_ask_never_raises_anything_but_input_error(qa: QA, q: object) -> None:
    try:
        answer = qa.ask(q)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        return
    assert isinstance(answer, Answer)
    assert isinstance(answer.answer, str) and answer.answer
    json.dumps(answer.to_dict())  # the web endpoint sends exactly this


@settings(max_examples=250, deadline=None, derandomize=True)
@given(h=histories())
def test_ask_with_any_history(qa: QA, h: object) -> None:
    try:
        answer = qa.ask("And which ones failed in phase 3?", history=h)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        assert "history" in str(exc)
        return
    assert isinstance(answer, Answer)
    json.dumps(answer.to_dict())


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    k=st.one_of(st.integers(), st.none(), st.floats(), st.text(max_size=3), st.booleans()),
    mode=st.one_of(st.sampled_from(["hybrid", "dense", "bm25"]), st.text(max_size=8), st.none()),
)
def test_search_options(qa: QA, k: object, mode: object) -> None:
    try:
        hits = qa.search("sorafenib resistance", k=k, mode=mode)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        return
    if k is None:  # the settings' default
        k = qa.settings.k
    assert isinstance(k, int) and k >= 1
    assert 1 <= len(hits) <= k


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    k=st.one_of(st.integers(), st.none(), st.floats(), st.text(max_size=3), st.booleans()),
    mode=st.one_of(st.sampled_from(["hybrid", "dense", "bm25"]), st.text(max_size=8), st.none()),
)
def test_ask_options(qa: QA, k: object, mode: object) -> None:
    try:
        answer = qa.ask("Which trials failed in phase 3?", k=k, mode=mode)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        assert "k (passages per answer)" in str(exc) or "retrieval mode" in str(exc)
        return
    assert k is None or (type(k) is int and 1 <= k <= 50)
    assert mode in (None, "", "hybrid", "dense", "bm25")
    assert isinstance(answer, Answer)


def test_cleaned_question_is_what_is_answered(qa: QA) -> None:
    answer = qa.ask("  What\x00 does sorafenib inhibit?\x1b  ")
    assert answer.question == "What does sorafenib inhibit?"


def test_too_long_question_says_the_limit(qa: QA) -> None:
    with pytest.raises(InputError, match="limit is 2,000 characters"):
        qa.ask("a" * 100_000)
    with pytest.raises(InputError, match="limit is 2,000 characters"):
        qa.search("sorafenib " * 10_000)


def test_huge_history_is_cut_not_refused(qa: QA) -> None:
    answer = qa.ask("Which drugs?", history=["What about sorafenib?"] * 100_000)
    assert isinstance(answer, Answer)


# -- the real model ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_qa(tmp_path_factory: pytest.TempPathFactory) -> QA:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    index_dir = tmp_path_factory.mktemp("real-index")
    return QA.load(Settings(corpus_dir=CORPUS, index_dir=index_dir))


@pytest.mark.integration
@settings(max_examples=40, deadline=None, derandomize=True)
@given(q=questions())
def test_real_model_search_and_ask(real_qa: QA, q: object) -> None:
    try:
        hits = real_qa.search(q, k=3)  # type: ignore[arg-type]
        answer = real_qa.ask(q)  # type: ignore[arg-type]
    except InputError as exc:
        _expect_input_error(exc)
        return
    assert len(hits) == 3
    json.dumps(answer.to_dict())


@pytest.mark.integration
def test_real_model_handles_text_longer_than_its_window(real_qa: QA) -> None:
    # 2,000 characters of word pieces: far past the model's 256-token window
    long_q = ("anti-angiogenesis sorafenib resistance hypoxia " * 50)[:2000]
    hits = real_qa.search(long_q, k=5, mode="dense")
    assert len(hits) == 5


# -- the CLI -------------------------------------------------------------------------------


def _cli(args: list[bytes | str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HCCQA_AUTO_BUILD": "0",
        "HCCQA_INDEX_DIR": "/nonexistent-hccqa-index",  # input checks come before any loading
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "-m", "hccqa", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


def _assert_one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode != 0, (proc.returncode, err, proc.stdout[:200])
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


CLI_BAD_ARGS: list[tuple[str, list[bytes | str], bytes | None, str]] = [
    ("empty", ["ask", ""], None, "empty"),
    ("whitespace", ["ask", "   \t "], None, "empty"),
    ("nul-only", ["ask", "\x01\x02"], None, "empty"),
    ("too-long", ["ask", "a" * 100_000], None, "limit"),
    ("repeated-word", ["ask", "sorafenib " * 10_000], None, "limit"),
    ("invalid-utf8-argv", [b"ask", b"sorafenib \xff\xfe"], None, "UTF-8"),
    ("invalid-utf8-stdin", ["ask", "-"], b"sorafenib \xff\xfe\n", "UTF-8"),
    ("nul-stdin", ["ask", "-"], b"\x00\x00\x00", "empty"),
    ("long-stdin", ["ask", "-"], b"x" * 100_000, "limit"),
    ("search-empty", ["search", " "], None, "empty"),
    ("search-invalid-utf8", [b"search", b"\xc3\x28"], None, "UTF-8"),
    ("missing-question", ["ask"], None, "Missing argument"),
    ("k-not-a-number", ["search", "sorafenib", "-k", "abc"], None, "-k"),
    ("k-zero", ["search", "sorafenib", "-k", "0"], None, "k (passages per answer) must be"),
    ("k-too-big", ["ask", "sorafenib?", "-k", "100000"], None, "must be from 1 to 50"),
    ("mode-unknown", ["search", "sorafenib", "--mode", "evil"], None, "unknown retrieval mode"),
    ("mode-unknown-ask", ["ask", "sorafenib?", "--mode", "x" * 500], None, "choose one of"),
    ("unknown-command", ["drop-tables"], None, "No such command"),
]


@pytest.mark.parametrize(
    ("args", "stdin", "expect"),
    [c[1:] for c in CLI_BAD_ARGS],
    ids=[c[0] for c in CLI_BAD_ARGS],
)
def test_cli_bad_input_is_one_line_on_stderr(
    args: list[bytes | str], stdin: bytes | None, expect: str
) -> None:
    line = _assert_one_line_error(_cli(args, stdin))
    assert expect in line, line


# -- the /ask endpoint of the launched web chat --------------------------------------------


def _no_surrogates(value: object) -> bool:
    """JSON clients cannot send lone surrogates; those cases stay with the Python API tests."""
    if isinstance(value, str):
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list | tuple):
        return all(_no_surrogates(v) for v in value)
    if isinstance(value, dict):
        return all(_no_surrogates(k) and _no_surrogates(v) for k, v in value.items())
    return not isinstance(value, bytes)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from gradio_client import Client
    from serving import web_chat

    # A body limit above the largest generated input: these cases test the guard's
    # refusals; the limit's own refusal is tested in test_hostile.py.
    with web_chat(tmp_path_factory.mktemp("web-index"), max_body=2**22) as (url, qa):
        yield Client(url, verbose=False, download_files=False), qa


def _expected_refusal(qa: QA, q: object, h: object) -> str | None:
    """What the guard says about this input (None: it is acceptable)."""
    from hccqa.guard import check_history, check_question

    try:
        check_question(q, qa.settings)
        check_history(h, qa.settings)
    except InputError as exc:
        return str(exc)
    return None


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(q=questions().filter(_no_surrogates), h=histories().filter(_no_surrogates))
def test_ask_endpoint_bad_input(endpoint, q: object, h: object) -> None:  # type: ignore[no-untyped-def]
    client, qa = endpoint
    refusal = _expected_refusal(qa, q, h)
    try:
        reply = client.predict(q, h, api_name="/ask")
    except Exception as exc:
        assert type(exc).__name__ == "AppError", repr(exc)
        assert refusal is not None, f"an acceptable input failed: {exc}"
        assert refusal.lower() in str(exc).lower(), (refusal, str(exc))
        return
    assert refusal is None, f"accepted what the guard refuses: {refusal}"
    assert isinstance(reply, dict) and isinstance(reply["answer"], str) and reply["answer"]
    assert isinstance(reply["abstained"], bool)
