"""Hostile clients against a running web chat (a child process, its log captured).

Each attack is a plain function of the server's URL, used by its own test and by
``test_no_traceback_in_the_server_log_during_the_hostile_suite``, which runs them all
and then reads the server's log. The limits (SECURITY.md): request bodies over
``HCCQA_MAX_BODY`` (64 KiB) get 413 before a byte is parsed; uploads get 404 and
nothing is written; a client has ``HCCQA_REQUEST_TIMEOUT`` (5 s) to send a request;
malformed calls get 422; bad ``k`` and ``mode`` get a message in the chat.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from serving import ServedProcess, served_process

from hccqa.bench.soak import run_oversized, send_oversized

MAX_BODY = 65536  # the default HCCQA_MAX_BODY
TWENTY_MB = 20 * 2**20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedProcess]:
    with served_process(tmp_path_factory.mktemp("hostile")) as served:
        yield served


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _status(response: bytes) -> int | None:
    """The status code of a raw HTTP response (None when there is none)."""
    if not response.startswith(b"HTTP/1.1 "):
        return None
    return int(response[9:12])


def _read_all(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """What the server sends until it closes the connection (or ``timeout``)."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = sock.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


# -- attacks -------------------------------------------------------------------------------


def upload(url: str, path: str, content: bytes) -> int:
    """POST a multipart upload of one file to ``path`` (sent as is); the status."""
    host, port = _address(url)
    boundary = "hccqa" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def slow_client(
    url: str, prefix: bytes, trickle: bytes, limit: float = 15.0
) -> tuple[float, bytes]:
    """Send ``prefix`` at once, then ``trickle`` one byte a second, until the server hangs up.

    Returns:
        Seconds from connecting until the server closed the connection (``limit`` if it
        never did) and what it sent.
    """
    host, port = _address(url)
    sock = socket.create_connection((host, port), timeout=10)
    started = time.monotonic()
    got = b""
    try:
        if prefix:
            sock.sendall(prefix)
        if not trickle:  # say nothing: wait for the server to hang up
            ready, _, _ = select.select([sock], [], [], limit)
            got = _read_all(sock, timeout=2) if ready else b""
            return time.monotonic() - started, got
        for byte in trickle * 100:
            ready, _, _ = select.select([sock], [], [], 1.0)
            if ready:
                got = _read_all(sock, timeout=2)
                return time.monotonic() - started, got
            if time.monotonic() - started > limit:
                break
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
        return time.monotonic() - started, got
    finally:
        sock.close()


SLOW_CLIENTS = {
    "headers one byte a second": (b"", b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200),
    "body one byte a second": (
        b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n",
        b"a" * 500,
    ),
    "connect and say nothing": (b"", b""),
}


def _functions(url: str) -> dict[str, int]:
    deps = httpx.get(url + "config", timeout=10).json()["dependencies"]
    return {d.get("api_name") or f"#{i}": i for i, d in enumerate(deps)}


def join(url: str, fn_index: object, data: object) -> tuple[int, dict[str, Any]]:
    """Run one function through Gradio's queue as the browser does; (status, final message)."""
    session = uuid.uuid4().hex[:12]
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None}
    with httpx.Client(timeout=30) as client:
        resp = client.post(url + "gradio_api/queue/join", json=body)
        if resp.status_code != 200:
            return resp.status_code, resp.json()
        with client.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as sse:
            for line in sse.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return 200, message
    raise AssertionError("the queue never completed the call")


def chat_reply(url: str, question: object, k: object = 5, mode: object = "hybrid") -> str:
    """The chat's last assistant message for one question sent with these options."""
    status, message = join(url, _functions(url)["respond"], [question, None, None, k, mode])
    assert status == 200 and message["success"], message
    transcript = message["output"]["data"][0]
    return "".join(part["text"] for part in transcript[-1]["content"])


BAD_OPTIONS = [
    (
        "abc",
        "hybrid",
        "K (passages per answer) must be a whole number from 1 to 50, got &#x27;abc&#x27;",
    ),
    (1000, "hybrid", "K (passages per answer) must be from 1 to 50, got 1000"),
    (2.5, "hybrid", "must be a whole number from 1 to 50, got 2.5"),
    ([3], "hybrid", "must be a whole number from 1 to 50, got [3]"),
    (-1, "hybrid", "must be from 1 to 50, got -1"),
    (5, "evil", "Unknown retrieval mode &#x27;evil&#x27;; choose one of hybrid, dense, bm25"),
    (5, 3, "Unknown retrieval mode 3; choose one of"),
    (5, {"x": 1}, "Unknown retrieval mode {&#x27;x&#x27;: 1}"),
]

MALFORMED_CALLS = [
    ("/gradio_api/queue/join", {"data": [], "fn_index": "respond"}, "no function respond"),
    ("/gradio_api/queue/join", {"data": [], "session_hash": "s"}, "no function None"),
    ("/gradio_api/queue/join", {"data": ["q"], "fn_index": 999, "session_hash": "s"}, "no func"),
    ("/gradio_api/queue/join", {"data": "q", "fn_index": "ask"}, "no function"),
    ("/gradio_api/call/ask", {"data": ["only the question"]}, "takes 2 input values, got 1"),
    ("/gradio_api/call/ask", {"data": "not a list"}, "'data' must be a list"),
    ("/gradio_api/call/ask", ["not", "an", "object"], "not a JSON object"),
    ("/gradio_api/call/respond", {"data": ["q", None, None, 5, "bm25"]}, "no API endpoint"),
    ("/gradio_api/call/nothing-here", {"data": []}, "no API endpoint /nothing-here"),
]


def malformed_call(url: str, path: str, body: object) -> tuple[int, str]:
    resp = httpx.post(url + path.lstrip("/"), json=body, timeout=10)
    return resp.status_code, resp.text


def raw_exchange(url: str, request: bytes) -> bytes:
    host, port = _address(url)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        return _read_all(sock)


PROTOCOL_GARBAGE = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\n"
    b"Content-Length: 5\r\nContent-Length: 9\r\n\r\n",
    b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /\x00\xff HTTP/1.1\r\nHost: x\r\n\r\n",
]


def _files_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


UPLOAD_PATHS = [
    "/gradio_api/upload",
    "/gradio_api/upload/",
    "/gradio_api/upload?upload_id=abc123",
    "//gradio_api/upload",
    "/gradio_api/./upload",
    "/gradio_api/x/../upload",
]


# -- tests: request size -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/gradio_api/call/ask", "/gradio_api/queue/join"])
def test_declared_oversized_body_is_refused_before_a_byte_is_read(
    server: ServedProcess, path: str
) -> None:
    status, sent = send_oversized(server.url, path, TWENTY_MB, chunked=False)
    assert status == 413
    assert sent == 0  # the refusal came from Content-Length alone


@pytest.mark.parametrize("path", ["/gradio_api/call/ask", "/gradio_api/queue/join"])
def test_chunked_oversized_body_is_refused_once_it_passes_the_limit(
    server: ServedProcess, path: str
) -> None:
    status, sent = send_oversized(server.url, path, TWENTY_MB, chunked=True)
    assert status == 413
    assert sent < TWENTY_MB // 4  # refused while the body was still arriving


def test_the_limit_is_exact(server: ServedProcess) -> None:
    def body_of(size: int) -> bytes:
        frame = b'{"data": ["", []]}'
        return frame.replace(b'""', b'"' + b"q" * (size - len(frame)) + b'"')

    def post(body: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        return httpx.post(server.url + "gradio_api/call/ask", content=body, headers=headers)

    at_limit = post(body_of(MAX_BODY))
    assert at_limit.status_code == 200 and "event_id" in at_limit.json()
    over = post(body_of(MAX_BODY + 1))
    assert over.status_code == 413
    assert over.json()["detail"] == (
        "Request body too large: 65,537 bytes; the limit is 65,536 bytes (HCCQA_MAX_BODY)"
    )


def test_bench_soak_oversized_mode_reports_each_refusal(server: ServedProcess) -> None:
    result = run_oversized(server.url, n=4, size=TWENTY_MB, pid=server.pid, idle=0.5)
    assert result.answers == {"413": 4}
    assert result.bytes_sent < TWENTY_MB  # two refused unread, two chunked ones stopped early
    assert result.rss_before_mb and result.rss_after_mb and result.still_answers


def test_a_request_head_over_16_kib_is_refused(server: ServedProcess) -> None:
    big_header = b"X-Big: " + b"a" * 17_000 + b"\r\n"
    at_once = raw_exchange(server.url, b"GET / HTTP/1.1\r\nHost: x\r\n" + big_header + b"\r\n")
    assert _status(at_once) == 431
    normal = raw_exchange(
        server.url,
        b"GET /gradio_api/info HTTP/1.1\r\nHost: x\r\n"
        b"Connection: close\r\nX-Ok: " + b"a" * 8_000 + b"\r\n\r\n",
    )
    assert _status(normal) == 200


# -- tests: uploads ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 1000, 200_000])
def test_uploads_are_refused_and_nothing_is_written(
    server: ServedProcess, tmp_path_factory: pytest.TempPathFactory, size: int
) -> None:
    upload_dir = server.log.parent / "gradio"  # GRADIO_TEMP_DIR of the server
    before = _files_under(upload_dir) if upload_dir.exists() else {}
    statuses = {path: upload(server.url, path, b"u" * size) for path in UPLOAD_PATHS}
    assert set(statuses.values()) <= {403, 404}, statuses
    progress = httpx.get(server.url + "gradio_api/upload_progress?upload_id=abc123", timeout=10)
    assert progress.status_code in (403, 404)
    after = _files_under(upload_dir) if upload_dir.exists() else {}
    assert after == before


def test_plain_gradio_writes_uploads_where_the_test_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: without hccqa's server, the same 1-byte upload is kept."""
    from webfakes import FakeQA

    from hccqa.bench.soak import free_port
    from hccqa.ui.web import build_app

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    port = free_port()
    demo = build_app(FakeQA())
    demo.launch(server_port=port, prevent_thread_lock=True, quiet=True, max_file_size="1kb")
    try:
        status = upload(f"http://127.0.0.1:{port}/", "/gradio_api/upload", b"u")
        time.sleep(0.5)
    finally:
        demo.close(verbose=False)
    assert status == 200
    assert 1 in _files_under(tmp_path / "gradio").values()


# -- tests: slow clients -------------------------------------------------------------------


@pytest.mark.parametrize("case", list(SLOW_CLIENTS))
def test_slow_client_is_dropped_within_ten_seconds(server: ServedProcess, case: str) -> None:
    prefix, trickle = SLOW_CLIENTS[case]
    seconds, reply = slow_client(server.url, prefix, trickle)
    assert seconds <= 10, f"{case}: still connected after {seconds:.1f} s"
    assert seconds >= 4  # the 5 s deadline, not an early error
    if case != "body one byte a second":  # nothing answered yet: the server says why
        assert reply.startswith(b"HTTP/1.1 408 Request Timeout"), reply[:100]


def test_a_prompt_client_is_not_dropped(server: ServedProcess) -> None:
    """The control: a kept-alive connection sending whole requests keeps working."""
    host, port = _address(server.url)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for _ in range(3):
            conn.request("GET", "/gradio_api/info")
            assert conn.getresponse().read()
            time.sleep(1)
    finally:
        conn.close()


# -- tests: bad options and malformed calls ------------------------------------------------


@pytest.mark.parametrize(("k", "mode", "message"), BAD_OPTIONS)
def test_bad_k_or_mode_in_the_chat_gets_a_message(
    server: ServedProcess, k: object, mode: object, message: str
) -> None:
    reply = chat_reply(server.url, "Which trials failed?", k=k, mode=mode)
    assert "hccqa-error" in reply and message in reply, reply


def test_good_options_sent_by_a_slider_are_accepted(server: ServedProcess) -> None:
    reply = chat_reply(server.url, "Which trials failed?", k=3.0, mode="bm25")
    assert "hccqa-error" not in reply


def test_bidi_override_is_not_echoed_into_the_chat(server: ServedProcess) -> None:
    status, message = join(
        server.url,
        _functions(server.url)["respond"],
        ["\u202egnp.exe sorafenib", None, None, 5, "bm25"],
    )
    assert status == 200
    transcript = json.dumps(message["output"]["data"][0], ensure_ascii=False)
    assert "gnp.exe sorafenib" in transcript and "\u202e" not in transcript


@pytest.mark.parametrize(("path", "body", "message"), MALFORMED_CALLS)
def test_malformed_calls_are_refused_with_422(
    server: ServedProcess, path: str, body: object, message: str
) -> None:
    status, text = malformed_call(server.url, path, body)
    assert status == 422 and message in text, (status, text)


def test_only_the_chat_routes_take_a_post(server: ServedProcess) -> None:
    for path in [
        "/gradio_api/run/ask",
        "/gradio_api/api/ask",
        "/gradio_api/process_recording",
        "/gradio_api/stream/x",
        "/gradio_api/component_server",
        "/gradio_api/call/v2/ask",
    ]:
        resp = httpx.post(server.url + path.lstrip("/"), json={"data": []}, timeout=10)
        assert resp.status_code == 404, path
    for method in ["PUT", "DELETE", "PATCH"]:
        assert httpx.request(method, server.url, timeout=10).status_code == 404


# -- stopping ------------------------------------------------------------------------------


def test_ctrl_c_stops_the_server_quietly_with_streams_open(tmp_path: Path) -> None:
    import signal

    with served_process(tmp_path) as served:
        host, port = _address(served.url)
        stream = socket.create_connection((host, port), timeout=10)
        stream.sendall(b"GET /gradio_api/heartbeat/s1 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(stream.recv(4096)) == 200  # an event stream, open
        started = time.monotonic()
        served.process.send_signal(signal.SIGINT)
        code = served.process.wait(timeout=20)
        seconds = time.monotonic() - started
        stream.close()
    assert code == 0 and seconds < 10, (code, seconds)  # not left waiting on the stream
    log = served.log_text()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-2000:]


# -- the log -------------------------------------------------------------------------------


def _every_attack(url: str) -> None:
    from test_security import TRAVERSALS

    for path in ["/gradio_api/call/ask", "/gradio_api/queue/join"]:
        for chunked in (False, True):
            assert send_oversized(url, path, TWENTY_MB, chunked=chunked)[0] == 413
    for path in UPLOAD_PATHS:
        assert upload(url, path, b"u") in (403, 404)
    slow = [
        threading.Thread(target=slow_client, args=(url, *SLOW_CLIENTS[case]))
        for case in SLOW_CLIENTS
    ]
    for t in slow:
        t.start()
    for k, mode, message in BAD_OPTIONS:
        assert message in chat_reply(url, "Which trials failed?", k=k, mode=mode)
    for path, body, message in MALFORMED_CALLS:
        assert message in malformed_call(url, path, body)[1]
    for request in PROTOCOL_GARBAGE:
        assert _status(raw_exchange(url, request)) in (400, 404, 422, 431, None)
    for template in TRAVERSALS:
        host, port = _address(url)
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", template.format(root="/work", index="/tmp"))
        assert conn.getresponse().status in (400, 403, 404, 405)
        conn.close()
    for question in [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, 12, None]:
        status, message = join(url, _functions(url)["ask"], [question, [question]])
        assert status == 200 and not message["success"]
    for t in slow:
        t.join()


def test_no_traceback_in_the_server_log_during_the_hostile_suite(server: ServedProcess) -> None:
    _every_attack(server.url)
    time.sleep(1)  # let the server finish logging
    log = server.log_text()
    assert "Traceback" not in log, log[-3000:]
    assert "Exception in ASGI application" not in log
    # and it still answers
    reply = httpx.post(
        server.url + "gradio_api/call/ask",
        json={"data": ["Which treatment does the text call standard?", []]},
        timeout=30,
    )
    assert reply.status_code == 200
