"""The web chat with a fake engine: chat turns, the /ask API, errors, login, file serving, and
what the first start says while it builds the index."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from webfakes import FakeQA

import hccqa.retrieval.embed as embed
from hccqa.errors import HccqaError, InputError
from hccqa.retrieval.embed import HashingEmbedder
from hccqa.settings import Settings
from hccqa.ui.web import (
    BUSY_MESSAGE,
    ask_json,
    auth_pair,
    build_app,
    chat_turn,
    launch,
    load_qa,
)

INJECTION = "<img src=x onerror=alert(1)>"


def test_chat_turn_appends_user_and_answer_and_remembers_the_question() -> None:
    qa = FakeQA()
    turn = chat_turn(qa, "What cut varroa loads?", [], [], k=3, mode="bm25")
    assert [m["role"] for m in turn.messages] == ["user", "assistant"]
    assert "hccqa-cite" in turn.messages[1]["content"]
    assert turn.history == ["What cut varroa loads?"]
    assert "<mark>" in turn.sources
    assert turn.markdown.startswith("**Question:** What cut varroa loads?")
    assert "data:text/markdown" in turn.download
    assert qa.calls == [("What cut varroa loads?", (), 3, "bm25")]


def test_follow_up_passes_earlier_user_turns_as_history() -> None:
    qa = FakeQA()
    first = chat_turn(qa, "What cut varroa loads?", [], [])
    second = chat_turn(qa, "and in which year?", first.messages, first.history)
    assert qa.calls[1][:2] == ("and in which year?", ("What cut varroa loads?",))
    assert len(second.messages) == 4
    assert second.history == ["What cut varroa loads?", "and in which year?"]


def test_injection_question_is_shown_escaped() -> None:
    turn = chat_turn(FakeQA(), INJECTION, [], [])
    user = turn.messages[0]["content"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in user and "<img" not in user
    assert turn.history == [INJECTION]  # the engine gets the raw text, the page the escaped one


def test_too_long_question_gets_a_clear_message_and_is_not_remembered() -> None:
    qa = FakeQA(limit=50)
    turn = chat_turn(qa, "x" * 80, [], ["earlier"])
    assert turn.answer is None
    assert "hccqa-error" in turn.messages[-1]["content"]
    assert "The question is 80 characters long; the limit is 50" in turn.messages[-1]["content"]
    assert turn.history == ["earlier"]


def test_engine_bug_becomes_a_readable_message_without_details() -> None:
    turn = chat_turn(FakeQA(), "boom", [], [])
    content = turn.messages[-1]["content"]
    assert BUSY_MESSAGE in content
    assert "Traceback" not in content and "/secret/path" not in content
    assert turn.history == []


def test_empty_question_changes_nothing() -> None:
    qa = FakeQA()
    turn = chat_turn(qa, "   ", [{"role": "user", "content": "x"}], ["x"])
    assert turn.messages == [{"role": "user", "content": "x"}]
    assert turn.history == ["x"]
    assert qa.calls == []


def test_abstention_turn_has_its_own_style() -> None:
    turn = chat_turn(FakeQA(), "How do I tune a violin?", [], [])
    assert "hccqa-abstain" in turn.messages[-1]["content"]
    assert "Nearest covered, in Background" in turn.messages[-1]["content"]


def test_ask_json_returns_the_answer_dict_and_wraps_engine_bugs() -> None:
    out = ask_json(FakeQA(), "What cut varroa loads?", ["earlier"])
    assert out["rows"][0]["id"] == "trials:4"
    assert out["rows"][0]["treatment"] == "Oxalic acid"
    assert out["references"]["4"]["author"] == "Okonkwo et al"
    with pytest.raises(HccqaError, match="engine failed"):
        ask_json(FakeQA(), "boom")
    with pytest.raises(InputError):
        ask_json(FakeQA(limit=3), "too long")


@pytest.mark.parametrize(
    ("k", "mode", "message"),
    [
        ("abc", "bm25", "K (passages per answer) must be a whole number from 1 to 50"),
        (0, "bm25", "must be from 1 to 50, got 0"),
        (2.5, "bm25", "got 2.5"),
        (3, "evil", "Unknown retrieval mode"),
        (3, ["bm25"], "Unknown retrieval mode"),
    ],
)
def test_bad_options_are_a_chat_message_and_never_reach_the_engine(
    k: object, mode: object, message: str
) -> None:
    qa = FakeQA()
    turn = chat_turn(qa, "Which receptors?", [], ["earlier"], k=k, mode=mode)
    assert turn.answer is None and message in turn.messages[-1]["content"]
    assert turn.history == ["earlier"]
    assert qa.calls == []


def test_options_as_a_slider_and_a_radio_send_them() -> None:
    qa = FakeQA()
    chat_turn(qa, "Which receptors?", [], [], k=4.0, mode="dense")
    chat_turn(qa, "Which receptors?", [], [], k=None, mode="")
    assert [c[2:] for c in qa.calls] == [(4, "dense"), (None, None)]


@pytest.mark.parametrize("question", [{"q": "x"}, 42, ["a"]])
def test_a_question_that_is_not_text_gets_a_message(question: object) -> None:
    qa = FakeQA()
    turn = chat_turn(qa, question, [], [])
    assert "The question must be text" in turn.messages[-1]["content"]
    assert qa.calls == []


def test_bidi_controls_are_not_echoed_into_the_chat() -> None:
    turn = chat_turn(FakeQA(), "\u202egnp.exe\u2066 receptors?", [], [])
    assert "gnp.exe receptors?" in turn.messages[0]["content"]
    assert not any(c in turn.messages[0]["content"] for c in "\u202e\u2066")


def test_history_and_transcript_are_capped() -> None:
    from hccqa.ui.web import SHOWN_TURNS

    qa = FakeQA()
    messages: list[dict[str, str]] = []
    history: list[str] = []
    for i in range(SHOWN_TURNS + 5):
        turn = chat_turn(qa, f"question {i}?", messages, history, keep_history=3)
        messages, history = turn.messages, turn.history
    assert history == [f"question {i}?" for i in range(SHOWN_TURNS + 2, SHOWN_TURNS + 5)]
    assert len(messages) == 2 * SHOWN_TURNS
    assert f"question {SHOWN_TURNS + 4}?" in messages[-2]["content"]


def test_auth_pair() -> None:
    assert auth_pair(None) is None
    assert auth_pair("") is None
    assert auth_pair("ann:pa:ss") == ("ann", "pa:ss")
    with pytest.raises(InputError):
        auth_pair("nocolon")
    with pytest.raises(InputError):
        auth_pair(":pw")
    with pytest.raises(InputError, match="empty password"):
        auth_pair("ann:")


@pytest.fixture(scope="module")
def fake_server() -> Iterator[str]:
    """The web chat with the fake engine, launched in-process on a free loopback port."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from hccqa.bench.soak import free_port

    settings = Settings(port=free_port())
    demo = build_app(FakeQA(), settings)
    server = launch(demo, settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        server.close()


def test_gradio_keeps_at_most_the_configured_sessions() -> None:
    from hccqa.bench.soak import free_port

    settings = Settings(port=free_port(), sessions=7)
    demo = build_app(FakeQA(), settings)
    server = launch(demo, settings, block=False)
    try:
        assert demo.state_holder.capacity == 7
        assert Settings().sessions == 1000  # the default, down from Gradio's 10,000
    finally:
        server.close()


def test_api_ask_through_gradio_client(fake_server: str) -> None:
    from gradio_client import Client

    client = Client(fake_server, verbose=False, download_files=False)
    info = client.view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/ask"]  # the chat's own events are private
    params = [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]]
    assert params == ["question", "history"]
    reply = client.predict("What cut varroa loads?", [], api_name="/ask")
    assert reply["rows"][0]["id"] == "trials:4"
    assert reply["sentences"][0]["marker"] == 1
    follow = client.predict("and the year?", ["What cut varroa loads?"], api_name="/ask")
    assert follow["question"] == "and the year?"


def test_api_engine_error_is_readable_and_server_keeps_serving(fake_server: str) -> None:
    from gradio_client import Client

    client = Client(fake_server, verbose=False, download_files=False)
    with pytest.raises(Exception, match="engine failed") as info:
        client.predict("boom", [], api_name="/ask")
    assert "/secret/path" not in str(info.value)
    assert client.predict("What cut varroa loads?", [], api_name="/ask")["abstained"] is False


@pytest.mark.parametrize(
    "path",
    ["gradio_api/file=/etc/passwd", "gradio_api/file=pyproject.toml", "file=/etc/passwd"],
)
def test_no_files_served_from_disk(fake_server: str, path: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(fake_server + path, timeout=10)
    assert info.value.code in (403, 404)


def test_login_is_required_when_auth_is_set() -> None:
    from hccqa.bench.soak import free_port

    settings = Settings(port=free_port(), auth="ann:secret")
    demo = build_app(FakeQA(), settings)
    server = launch(demo, settings, block=False)
    url = f"http://127.0.0.1:{settings.port}/"
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + "gradio_api/info", timeout=10)
        assert info.value.code == 401
        from gradio_client import Client

        client = Client(url, auth=("ann", "secret"), verbose=False, download_files=False)
        assert client.predict("What cut varroa loads?", [], api_name="/ask")["rows"]
    finally:
        server.close()


def test_first_start_says_it_builds_and_how_long_it_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_corpus_dir: Path
) -> None:
    monkeypatch.setattr(embed, "prepare_encoder", lambda settings, status=None: None)
    monkeypatch.setattr(embed, "load_embedder", lambda settings, status=None: HashingEmbedder())
    settings = Settings.from_env({}, corpus_dir=second_corpus_dir, index_dir=tmp_path / "index")
    said: list[str] = []
    qa = load_qa(settings, status=said.append)
    assert said[0] == f"building the index in {tmp_path / 'index'} first..."
    assert re.fullmatch(r"index built in \d+\.\d s", said[1])
    assert said[2:] == [f"loading the index from {tmp_path / 'index'}...", "index loaded"]
    assert any("pollen" in hit.passage.text for hit in qa.search("pollen trapped on a roof"))

    said.clear()
    load_qa(settings, status=said.append)  # the index is there: no build
    assert said == [f"loading the index from {tmp_path / 'index'}...", "index loaded"]


@pytest.mark.integration
def test_serve_says_its_address_once_the_address_answers(tmp_path: Path) -> None:
    import subprocess
    import sys

    from hccqa.bench.soak import free_port

    port = free_port()
    env = {
        **os.environ,
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "HCCQA_PORT": str(port),
        "HCCQA_INDEX_DIR": str(tmp_path / "index"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hccqa", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "web chat on" in line:
                break
        else:
            pytest.fail(f"hccqa serve exited ({proc.wait()}) without saying its address")
        # at once, no retry: the server accepts connections when it says where it is
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
