"""The HTTP server under the web chat: limits applied before Gradio sees a request.

Gradio's own ``launch`` runs uvicorn with no way to set a request-read timeout and
no request-size limit, so :func:`serve_app` runs uvicorn itself around the ASGI
app that ``gr.mount_gradio_app`` returns, with two guards:

- :class:`RequestLimits`, ASGI middleware outside every Gradio route. It refuses
  the routes the chat does not use (uploads and every other ``POST`` that is not
  a question, a login, a cancel or a reset) with 404, and a body larger than
  ``max_body`` with 413: from ``Content-Length`` before a byte of the body is
  read, or by counting a chunked body as it arrives. Only a body within the limit
  is handed on, so nothing larger is ever parsed as JSON or kept in a session.
- :func:`guarded_h11`, uvicorn's h11 protocol with a request-read deadline: a
  client must send its whole request (headers and body) within
  ``request_timeout`` seconds of its first byte, or it gets 408 and the
  connection is closed. Uvicorn has a keep-alive timeout (between requests) but
  none while headers arrive, so a client sending one header byte a second held a
  connection open indefinitely.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import posixpath
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import HccqaError

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The only POST routes the chat and its API use: log in, ask (through the queue or the
#: ``/call/<api_name>`` route), cancel, reset. Uploads, streaming input, screen recording,
#: the legacy ``/run`` and ``/api`` routes and the rest are refused.
POST_ROUTES = re.compile(r"^/(?:login|gradio_api/(?:queue/join|cancel|reset|call/[\w-]+))/?$")
JOIN_ROUTE = re.compile(r"^/gradio_api/queue/join/?$")
CALL_ROUTE = re.compile(r"^/gradio_api/call/([\w-]+)/?$")
#: Refused whatever the method: the app has no upload component.
REFUSED_ROUTES = re.compile(r"^/gradio_api/upload")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Largest request head (target and headers) accepted: h11's limit for a head still
#: arriving, applied here also to one that arrived in a single read.
MAX_HEAD = 16 * 1024


def _normal_path(path: str) -> str:
    """``path`` with repeated slashes and dot segments resolved (what a router may match)."""
    normal = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The declared body length; None when absent. Raises ValueError when malformed."""
    values = [v for k, v in headers if k.lower() == b"content-length"]
    if not values:
        return None
    if len(set(values)) != 1 or not values[0].strip().isdigit():
        raise ValueError(values)
    return int(values[0])


async def _refuse(send: Send, status: int, message: str) -> None:
    """A JSON error response that closes the connection (the body may be left unread)."""
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


@dataclass(frozen=True)
class GradioCalls:
    """The functions a Gradio app can run, to check a call's shape before Gradio does.

    Gradio raises (and prints a traceback) on a call naming no function, a function
    without a Python body, or too few inputs; these are refused with 422 instead.

    Attributes:
        arity: ``fn_index`` -> number of inputs, for every function with a Python body.
        api_arity: public API name -> number of inputs.
    """

    arity: Mapping[int, int]
    api_arity: Mapping[str, int]

    @classmethod
    def of(cls, blocks: Any) -> GradioCalls:
        """The callable functions of a ``gr.Blocks``."""
        fns = [f for f in blocks.fns.values() if f.fn is not None]
        return cls(
            {f._id: len(f.inputs) for f in fns},
            {f.api_name: len(f.inputs) for f in fns if f.api_name and f.api_visibility == "public"},
        )

    def problem(self, path: str, body: bytes) -> str:
        """Why a call to ``path`` with this body cannot run ("" when it can, or is no call)."""
        join, call = JOIN_ROUTE.match(path), CALL_ROUTE.match(path)
        if not (join or call):
            return ""
        try:
            payload = json.loads(body)
        except ValueError:
            return "the request body is not JSON"
        if not isinstance(payload, dict):
            return "the request body is not a JSON object"
        if call:
            arity = self.api_arity.get(call.group(1))
            if arity is None:
                return f"there is no API endpoint /{call.group(1)[:50]}"
        else:
            fn_index = payload.get("fn_index")
            arity = self.arity.get(fn_index) if type(fn_index) is int else None
            if arity is None:
                return f"there is no function {str(fn_index)[:20]} to run"
        data = payload.get("data")
        if not isinstance(data, list):
            return "'data' must be a list of input values"
        if len(data) < arity:
            return f"the function takes {arity} input values, got {len(data)}"
        return ""


class RequestLimits:
    """ASGI middleware: route allowlist, body-size cap and call check, before the app runs.

    Args:
        app: The ASGI app to protect (Gradio mounted on FastAPI).
        max_body: Largest request body handed on, in bytes.
        calls: The Gradio app's functions, to refuse malformed calls (None: not checked).
    """

    def __init__(self, app: ASGIApp, *, max_body: int, calls: GradioCalls | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.calls = calls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        head = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if head + sum(len(k) + len(v) + 4 for k, v in headers) > MAX_HEAD:
            log.info("refused a request head over %d bytes", MAX_HEAD)
            await _refuse(send, 431, f"Request head too large; the limit is {MAX_HEAD:,} bytes")
            return
        path, method = _normal_path(scope.get("path", "")), scope.get("method", "")
        allowed = method in SAFE_METHODS or (method == "POST" and POST_ROUTES.match(path))
        if not allowed or REFUSED_ROUTES.match(path):
            log.info("refused %s %s: not a route of the chat", method, path[:200])
            await _refuse(send, 404, "Not Found")
            return
        try:
            declared = _content_length(headers)
        except ValueError:
            await _refuse(send, 400, "malformed Content-Length header")
            return
        if declared is not None and declared > self.max_body:
            await self._too_large(send, method, path, declared)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._too_large(send, method, path, None)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        problem = self.calls.problem(path, body) if self.calls and method == "POST" else ""
        if problem:
            log.info("refused %s %s: %s", method, path[:200], problem)
            await _refuse(send, 422, f"Malformed call: {problem}")
            return
        buffered: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            return buffered.pop() if buffered else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, method: str, path: str, declared: int | None) -> None:
        size = f"{declared:,} bytes" if declared is not None else "more bytes (chunked)"
        log.info("refused %s %s: body of %s over %d", method, path[:200], size, self.max_body)
        await _refuse(
            send,
            413,
            f"Request body too large: {size}; the limit is {self.max_body:,} bytes "
            "(HCCQA_MAX_BODY)",
        )


_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nRequest Timeout\n"
)


class _GuardedH11Protocol(H11Protocol):
    """Uvicorn's h11 protocol with a deadline for reading each request."""

    request_timeout: float = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        if self._read_deadline is None and self.conn.their_state is h11.IDLE:
            self._start_deadline()  # the first bytes of a new request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._cancel_deadline()  # the whole request has arrived

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _start_deadline(self) -> None:
        self._read_deadline = self.loop.call_later(self.request_timeout, self._deadline_passed)

    def _cancel_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _deadline_passed(self) -> None:
        self._read_deadline = None
        transport = self.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            return
        log.info(
            "dropped a client that took over %.0f s to send its request (%s)",
            self.request_timeout,
            "headers" if self.conn.their_state is h11.IDLE else "body",
        )
        if self.conn.our_state is h11.IDLE:  # nothing answered yet: say why
            transport.write(_TIMEOUT_RESPONSE)
        transport.close()


def guarded_h11(request_timeout: float) -> type[H11Protocol]:
    """Uvicorn's h11 protocol class with a ``request_timeout``-second request-read deadline."""
    return type(
        "GuardedH11Protocol", (_GuardedH11Protocol,), {"request_timeout": float(request_timeout)}
    )


class RunningServer:
    """A uvicorn server started by :func:`serve_app`; :meth:`close` stops it."""

    def __init__(self, server: Any, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url
        self._before_close: list[Callable[[], None]] = []

    def before_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` first when the server is closed (e.g. stop the app's queue)."""
        self._before_close.append(callback)

    def close(self) -> None:
        """Stop the app, drop open connections (streams included), stop uvicorn, free the port.

        Open event streams are closed as if their clients had gone away, which the app
        handles quietly; left open, uvicorn would cancel them after its grace period and
        log each cancellation with a traceback.
        """
        for callback in self._before_close:
            callback()
        servers = getattr(self._server, "servers", None) or []
        if servers and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already stopped
                servers[0].get_loop().call_soon_threadsafe(self._drop_connections)
        self._server.should_exit = True
        self._thread.join(timeout=15)

    def _drop_connections(self) -> None:
        for connection in list(self._server.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.close()

    def wait(self) -> None:
        """Block until the server stops; Ctrl-C closes it (the usual way to stop a server)."""
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            log.info("interrupted: closing the web server")
            self.close()


def serve_app(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    request_timeout: float,
    keep_alive: int = 5,
    block: bool = True,
) -> RunningServer:
    """Run ``app`` with uvicorn on ``host:port``, with :func:`guarded_h11` timeouts.

    Args:
        app: The ASGI app (wrapped in :class:`RequestLimits` by the caller).
        host: Bind address.
        port: Port.
        request_timeout: Seconds a client has to send a whole request.
        keep_alive: Seconds an idle kept-alive connection stays open.
        block: Return only when the server stops (Ctrl-C closes it); ``False``: return
            once it accepts connections. Uvicorn runs in a daemon thread either way.

    Raises:
        HccqaError: the address cannot be bound, or the server did not start.
    """
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise HccqaError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "set HCCQA_PORT (or --port) to a free port"
        ) from None
    config = uvicorn.Config(
        app,
        http=guarded_h11(request_timeout),
        ws="none",  # Gradio 6 streams over SSE; no WebSocket route exists
        lifespan="on",
        timeout_keep_alive=keep_alive,
        timeout_graceful_shutdown=3,
        log_level="warning",
        server_header=False,
    )
    server = uvicorn.Server(config)
    url = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}/"
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="hccqa-web", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise HccqaError(f"the web server on {host}:{port} did not start; see the log")
        time.sleep(0.01)
    running = RunningServer(server, thread, url)
    if block:
        running.wait()
    return running
