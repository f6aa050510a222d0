"""Soak benchmark: many ``/ask`` requests through a running web chat, with its memory watched.

``hccqa bench-soak`` sends ``n`` requests from ``concurrency`` client threads
(one :class:`gradio_client.Client` each) and reports errors, latency
percentiles and the growth of the server's resident memory (RSS of its process,
sampled twice a second with psutil). Either point it at a running server
(``--url`` and ``--pid``) or let it launch ``hccqa serve`` itself.

``hccqa bench-soak --oversized N`` (:func:`run_oversized`) sends N requests with
20 MB bodies instead, to ``/gradio_api/call/ask`` and ``/gradio_api/queue/join``,
declared with ``Content-Length`` and sent chunked, and reports how each was
answered and the server's RSS before and after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import HccqaError, InputError

log = logging.getLogger(__name__)

OFF_TOPIC = "What is the capital of France?"
FOLLOW_UP = "Can you say more about that?"


def workload(corpus_dir: Path | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The soak's questions, with histories: the corpus's example questions (its
    ``chat.json``; the packaged review's when none is given), a follow-up to the first of
    them, and an off-topic question the engine should refuse."""
    from ..locations import packaged_corpus_dir
    from ..ui.page import page_text

    examples = page_text(corpus_dir or packaged_corpus_dir()).examples
    questions = [(e, ()) for e in examples] or [("What do the documents say?", ())]
    first = questions[0][0]
    return (*questions, (FOLLOW_UP, (first,)), (OFF_TOPIC, ()))


@dataclass(frozen=True)
class SoakResult:
    """What a soak run measured. Latencies in milliseconds, memory in MiB."""

    url: str
    requests: int
    concurrency: int
    errors: int
    error_samples: tuple[str, ...]
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rss_start_mb: float | None
    rss_warm_mb: float | None
    rss_end_mb: float | None
    rss_peak_mb: float | None

    @property
    def rss_growth_mb(self) -> float | None:
        """End minus start RSS."""
        if self.rss_start_mb is None or self.rss_end_mb is None:
            return None
        return round(self.rss_end_mb - self.rss_start_mb, 1)

    @property
    def rss_growth_after_warmup_mb(self) -> float | None:
        """End RSS minus RSS after the first 10% of requests (caches filled)."""
        if self.rss_warm_mb is None or self.rss_end_mb is None:
            return None
        return round(self.rss_end_mb - self.rss_warm_mb, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "error_samples": list(self.error_samples),
            "rss_growth_mb": self.rss_growth_mb,
            "rss_growth_after_warmup_mb": self.rss_growth_after_warmup_mb,
            "requests_per_second": round(self.requests / self.seconds, 2) if self.seconds else 0.0,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


class _RssSampler:
    """Samples the RSS of one process in a background thread."""

    def __init__(self, pid: int | None, interval: float = 0.5) -> None:
        self._proc: Any = None
        if pid is not None:
            import psutil

            try:
                self._proc = psutil.Process(pid)
            except psutil.Error as exc:
                raise InputError(f"cannot watch server process {pid}: {exc}") from None
        self._interval = interval
        self._stop = threading.Event()
        self.peak: float | None = None
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def rss_mb(self) -> float | None:
        if self._proc is None:
            return None
        try:
            value = self._proc.memory_info().rss / 2**20
        except Exception:  # the process is gone; keep the last figures
            return None
        self.peak = value if self.peak is None else max(self.peak, value)
        return value

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.rss_mb()

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_soak(
    url: str,
    *,
    n: int = 5000,
    concurrency: int = 8,
    pid: int | None = None,
    auth: tuple[str, str] | None = None,
    questions: Sequence[tuple[str, Sequence[str]]] | None = None,
    on_progress: Callable[[int], None] | None = None,
    timeout: float = 60.0,
) -> SoakResult:
    """Send ``n`` ``/ask`` requests from ``concurrency`` client threads and measure.

    A request counts as an error when the client raises or the reply is not an
    answer object (a mapping with an ``answer`` key).

    Args:
        url: The web chat's address, e.g. ``http://127.0.0.1:7860/``.
        n: Number of requests.
        concurrency: Number of concurrent clients.
        pid: The server's process id, to report its memory (None: not reported).
        auth: ``(user, password)`` when the server has a login.
        questions: ``(question, history)`` pairs sent in turn (default: :func:`workload`).
        on_progress: Called with the number of finished requests.
        timeout: Seconds a client waits on one HTTP call (httpx's 5 s default made
            queued /ask requests fail with ReadTimeout under 50 concurrent clients).

    Returns:
        The measurements.

    Raises:
        InputError: bad ``n`` or ``concurrency``, or the pid cannot be watched.
        HccqaError: the server cannot be reached at all.
    """
    if n < 1 or concurrency < 1:
        raise InputError("n and concurrency must be at least 1")
    from gradio_client import Client

    questions = questions or workload()
    try:
        clients = [
            Client(
                url,
                verbose=False,
                auth=auth,
                download_files=False,
                analytics_enabled=False,
                httpx_kwargs={"timeout": timeout},
            )
            for _ in range(concurrency)
        ]
    except Exception as exc:
        raise HccqaError(
            f"cannot connect to the web chat at {url} ({exc}); is it running?"
        ) from exc
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(n))
    done = 0
    warm_at = max(1, n // 10)
    rss_warm: float | None = None

    with _RssSampler(pid) as sampler:
        rss_start = sampler.rss_mb()

        def worker(client: Any) -> None:
            nonlocal done, rss_warm
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                question, history = questions[i % len(questions)]
                t0 = time.perf_counter()
                try:
                    reply = client.predict(question, list(history), api_name="/ask")
                    if not isinstance(reply, dict) or "answer" not in reply:
                        raise ValueError(f"reply is not an answer object: {str(reply)[:80]!r}")
                    failure = None
                except Exception as exc:  # every failure is counted, none stops the run
                    failure = f"{type(exc).__name__}: {str(exc)[:200]}"
                elapsed = (time.perf_counter() - t0) * 1000.0
                with lock:
                    done += 1
                    if failure is None:
                        latencies.append(elapsed)
                    else:
                        errors.append(failure)
                    if done == warm_at:
                        rss_warm = sampler.rss_mb()
                    count = done
                if on_progress is not None:
                    on_progress(count)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        rss_end = sampler.rss_mb()
    for c in clients:
        with contextlib.suppress(Exception):
            c.close()
    return SoakResult(
        url=url,
        requests=n,
        concurrency=concurrency,
        errors=len(errors),
        error_samples=tuple(dict.fromkeys(errors))[:5],
        seconds=round(seconds, 3),
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(max(latencies, default=0.0), 1),
        rss_start_mb=_round(rss_start),
        rss_warm_mb=_round(rss_warm),
        rss_end_mb=_round(rss_end),
        rss_peak_mb=_round(sampler.peak),
    )


#: Where the oversized requests go, and how their bodies are framed, in turn.
OVERSIZED_KINDS: tuple[tuple[str, bool], ...] = (
    ("/gradio_api/call/ask", False),
    ("/gradio_api/queue/join", False),
    ("/gradio_api/call/ask", True),
    ("/gradio_api/queue/join", True),
)


def send_oversized(
    url: str, path: str, size: int, *, chunked: bool, fn_index: int | None = None
) -> tuple[int | None, int]:
    """POST a ``size``-byte JSON question to ``path``, stopping when the server answers.

    The body is a valid call of the ``/ask`` endpoint (``{"data": ["aaa…", []]}``, with
    ``fn_index`` and a session for the queue route), declared with ``Content-Length``
    (``chunked=False``) or sent with chunked transfer encoding, 64 KiB a piece, as an
    attacker's client would.

    Returns:
        The response status (None: the connection closed without one) and the number
        of body bytes sent before the server answered or closed.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n"
    ).encode()
    session = f', "fn_index": {fn_index}, "session_hash": "soak{os.getpid()}"' if fn_index else ""
    prefix, suffix = b'{"data": ["', f'", []]{session}}}'.encode()
    filler = max(size - len(prefix) - len(suffix), 0)
    sent = 0
    with socket.create_connection((host, port), timeout=30) as sock:
        try:
            sock.sendall(head)
            for piece in _pieces(prefix, filler, suffix):
                ready, _, _ = select.select([sock], [], [], 0.5 if sent == 0 else 0)
                if ready:  # answered: stop sending
                    break
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server closed the connection while we sent
            pass
        return _response_status(sock), sent


def _pieces(prefix: bytes, filler: int, suffix: bytes, piece: int = 65536) -> Iterator[bytes]:
    """``prefix + b"a" * filler + suffix`` in pieces of at most ``piece`` bytes."""
    body = prefix
    while filler > 0:
        take = min(piece - len(body), filler)
        body += b"a" * take
        filler -= take
        if len(body) == piece:
            yield body
            body = b""
    body += suffix
    while body:
        yield body[:piece]
        body = body[piece:]


def _response_status(sock: socket.socket, timeout: float = 10.0) -> int | None:
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n" not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = sock.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    if not data.startswith(b"HTTP/1.1 ") or len(data) < 12:
        return None
    return int(data[9:12])


@dataclass(frozen=True)
class OversizedResult:
    """What an oversized-request run measured; memory in MiB."""

    url: str
    requests: int
    size_bytes: int
    answers: dict[str, int]
    bytes_sent: int
    seconds: float
    idle_seconds: float
    rss_before_mb: float | None
    rss_after_mb: float | None
    rss_peak_mb: float | None
    still_answers: bool

    @property
    def rss_growth_mb(self) -> float | None:
        """RSS after (idle) minus RSS before."""
        if self.rss_before_mb is None or self.rss_after_mb is None:
            return None
        return round(self.rss_after_mb - self.rss_before_mb, 1)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rss_growth_mb": self.rss_growth_mb}


def run_oversized(
    url: str,
    *,
    n: int = 100,
    size: int = 20 * 2**20,
    pid: int | None = None,
    idle: float = 5.0,
    auth: tuple[str, str] | None = None,
) -> OversizedResult:
    """Send ``n`` requests with ``size``-byte bodies (see :data:`OVERSIZED_KINDS`); watch RSS.

    The server first answers one normal ``/ask`` (so the RSS before is that of a warm
    server); after the run and ``idle`` seconds the RSS is read again and one more
    normal question must be answered.

    Raises:
        InputError: bad ``n`` or ``size``, or the pid cannot be watched.
        HccqaError: the server cannot be reached.
    """
    if n < 1 or size < 1:
        raise InputError("n and size must be at least 1")
    answers: dict[str, int] = {}
    sent_total = 0
    with _RssSampler(pid) as sampler:
        fn_index = _ask_once(url, auth)
        time.sleep(1.0)
        rss_before = sampler.rss_mb()
        started = time.perf_counter()
        for i in range(n):
            path, chunked = OVERSIZED_KINDS[i % len(OVERSIZED_KINDS)]
            join = path.endswith("/join")
            status, sent = send_oversized(
                url, path, size, chunked=chunked, fn_index=fn_index if join else None
            )
            key = str(status) if status is not None else "closed without an answer"
            answers[key] = answers.get(key, 0) + 1
            sent_total += sent
        seconds = time.perf_counter() - started
        time.sleep(idle)
        rss_after = sampler.rss_mb()
        try:
            _ask_once(url, auth)
            still = True
        except HccqaError:
            still = False
    return OversizedResult(
        url=url,
        requests=n,
        size_bytes=size,
        answers=answers,
        bytes_sent=sent_total,
        seconds=round(seconds, 3),
        idle_seconds=idle,
        rss_before_mb=_round(rss_before),
        rss_after_mb=_round(rss_after),
        rss_peak_mb=_round(sampler.peak),
        still_answers=still,
    )


def _ask_once(url: str, auth: tuple[str, str] | None) -> int:
    """Ask one question through ``/ask``; the endpoint's ``fn_index``."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, auth=auth, download_files=False)
        reply = client.predict(workload()[0][0], [], api_name="/ask")
        deps = client.config["dependencies"]
        client.close()
    except Exception as exc:
        raise HccqaError(f"the web chat at {url} did not answer a question ({exc})") from exc
    if not isinstance(reply, dict) or "answer" not in reply:
        raise HccqaError(f"the web chat at {url} did not answer a question: {str(reply)[:80]}")
    return next(int(d.get("id", i)) for i, d in enumerate(deps) if d.get("api_name") == "ask")


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def launched_server(
    port: int | None = None, *, env: dict[str, str] | None = None, timeout: float = 300.0
) -> Iterator[tuple[str, int]]:
    """Start ``hccqa serve`` in a child process; yield ``(url, pid)``; stop it.

    The host is the server's own default (127.0.0.1, or ``HCCQA_HOST``); the
    url is always the loopback one.

    Raises:
        HccqaError: the server exited or did not answer within ``timeout`` seconds.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    child_env = {
        **os.environ,
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HCCQA_PORT": str(port),
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "hccqa", "serve"]
    # stderr goes to a file, not a pipe: a full pipe would stall the server
    with tempfile.TemporaryFile() as errlog:
        proc = subprocess.Popen(cmd, env=child_env, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            yield _wait_until_up(proc, url, errlog, timeout)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_up(
    proc: subprocess.Popen[bytes], url: str, errlog: Any, timeout: float
) -> tuple[str, int]:
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "gradio_api/info", timeout=2):
                pass
        except urllib.error.HTTPError:  # it answers (e.g. 401 behind a login): it is up
            pass
        except OSError:
            if time.monotonic() > deadline:
                raise HccqaError(
                    f"`hccqa serve` did not answer on {url} within {timeout:.0f} s"
                ) from None
            time.sleep(0.5)
            continue
        log.info("server up on %s (pid %d)", url, proc.pid)
        return url, proc.pid
    errlog.seek(0)
    lines = errlog.read().decode("utf-8", "replace").strip().splitlines()
    raise HccqaError(
        f"`hccqa serve` exited with code {proc.returncode}: {(lines or ['no output'])[-1]}"
    )
