"""The Gradio web chat: one page that asks the engine and shows the evidence.

:func:`build_app` wires a loaded :class:`~hccqa.qa.QA` (or anything with the
same ``ask``) into a ``gr.Blocks``; :func:`chat_turn` is the plain function
behind one chat turn, and :func:`ask_json` the one behind the ``/ask`` API.
:func:`serve` loads the index once (building it first when missing) and
launches. HTML comes from :mod:`hccqa.ui.render`, which escapes everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import HccqaError, InputError
from ..guard import check_k, check_mode, strip_controls
from ..settings import MODES, Settings
from ..types import Answer, Asker
from . import render
from .page import PageText, page_text

if TYPE_CHECKING:  # the server needs the [web] extra (uvicorn); `import hccqa` must not
    from .server import RunningServer

log = logging.getLogger(__name__)

CSS = """
.hccqa-cite a { text-decoration: none; font-weight: 600; }
.hccqa-abstain { border-left: 4px solid #d97706; padding-left: .6em; background: #fffbeb; }
.hccqa-error { border-left: 4px solid #dc2626; padding-left: .6em; background: #fef2f2; }
.hccqa-icon { font-size: 1.1em; }
.hccqa-latency { color: #9ca3af; font-size: .75em; margin-top: .3em; }
.hccqa-searched, .hccqa-meta { color: #6b7280; font-size: .8em; }
.hccqa-source { border: 1px solid #e5e7eb; border-radius: 6px; padding: .4em .6em; margin: .4em 0; }
.hccqa-cited { border-color: #2563eb; }
.hccqa-passage mark { background: #fde68a; }
.hccqa-rows { border-collapse: collapse; font-size: .85em; }
.hccqa-rows td, .hccqa-rows th { border: 1px solid #e5e7eb; padding: .2em .4em; }
"""

#: Environment of the web server, applied by the entry points (``hccqa serve``,
#: ``app.py``) before Gradio is imported. Gradio's queue keeps per-request timing
#: records (10,000 by default) and rebuilds a pandas summary of all of them after
#: every request: keep fewer and summarize less often.
SERVER_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "GRADIO_ANALYTICS_MAX_EVENTS": "500",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "50",
}


def prepare_server_environment() -> None:
    """Set :data:`SERVER_ENV` defaults in ``os.environ`` (a value already set wins)."""
    import os

    for name, value in SERVER_ENV.items():
        os.environ.setdefault(name, value)


BUSY_MESSAGE = "The engine failed on this question (the error is logged); please try again."


@dataclass(frozen=True)
class Turn:
    """The result of one chat turn, ready for the interface.

    Attributes:
        messages: The whole chat in Gradio's messages format, this turn appended.
        history: Earlier user questions (raw text) to send with the next question.
        sources: HTML of the sources panel.
        markdown: The answer as Markdown (empty after an error).
        download: HTML of the download link (empty after an error).
        answer: The engine's answer, or ``None`` after an error.
    """

    messages: list[dict[str, str]]
    history: list[str]
    sources: str
    markdown: str = ""
    download: str = ""
    answer: Answer | None = field(default=None, compare=False)


#: Turns the chat keeps on screen (and in the server's session state); older ones scroll away.
SHOWN_TURNS = 50


def chat_turn(
    qa: Asker,
    question: object,
    messages: Sequence[dict[str, Any]] | None,
    history: Sequence[str] | None,
    *,
    k: object = None,
    mode: object = None,
    keep_history: int | None = None,
) -> Turn:
    """Ask one question of the chat and render the result; never raises for engine failures.

    Args:
        qa: The engine.
        question: What the user typed (anything a client sent; only text is asked).
        messages: The chat so far (messages format).
        history: The user's earlier questions, oldest first (passed to the engine for follow-ups).
        k: Passages per answer (``None``: the engine's default), as sent: checked here.
        mode: Retrieval mode (``None``: the engine's default), as sent: checked here.
        keep_history: Keep only this many earlier questions (``None``: all).

    Returns:
        The new chat state (at most :data:`SHOWN_TURNS` turns). Input problems and
        engine errors become a readable chat message; only a successful answer
        extends ``history``.
    """
    msgs = [dict(m) for m in messages or []][-2 * (SHOWN_TURNS - 1) :]
    hist = list(history or [])
    if question is None or (isinstance(question, str) and not question.strip()):
        return Turn(msgs, hist, render.render_sources(None))
    shown = strip_controls(question) if isinstance(question, str) else ""
    msgs.append({"role": "user", "content": render.render_question(shown)})
    started = time.perf_counter()
    try:
        if not isinstance(question, str):
            raise InputError(f"the question must be text, got {type(question).__name__}")
        passages = None if k is None else check_k(_whole(k))
        chosen = None if mode is None or mode == "" else check_mode(mode, default=MODES[0])
        answer = qa.ask(question, hist, k=passages, mode=chosen)
    except HccqaError as exc:
        log.info("question refused: %s", exc)
        msgs.append({"role": "assistant", "content": render.render_error(_sentence(str(exc)))})
        return Turn(msgs, hist, render.render_sources(None))
    except Exception:  # the server keeps serving; the user sees a message, the log the traceback
        log.exception("engine error on a chat question")
        msgs.append({"role": "assistant", "content": render.render_error(BUSY_MESSAGE)})
        return Turn(msgs, hist, render.render_sources(None))
    elapsed = (time.perf_counter() - started) * 1000.0
    msgs.append({"role": "assistant", "content": render.render_answer(answer, elapsed)})
    md = render.answer_markdown(answer)
    hist.append(question)
    return Turn(
        msgs,
        hist[-keep_history:] if keep_history else hist,
        render.render_sources(answer, k=passages),
        md,
        render.download_link(md),
        answer,
    )


def _whole(k: object) -> object:
    """A float that is a whole number (what a slider sends) as an int; anything else as is."""
    if isinstance(k, float) and k.is_integer():
        return int(k)
    return k


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else "Unknown error."


def ask_json(qa: Asker, question: str, history: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``/ask`` API: the engine's structured answer as a JSON-ready dict.

    Raises:
        HccqaError: the question or history is not acceptable, or the engine failed.
    """
    try:
        # The engine's guard validates the history as sent: list() here would turn a
        # string into a list of letters and an int into a TypeError.
        return qa.ask(question, [] if history is None else history).to_dict()
    except HccqaError:
        raise
    except Exception as exc:
        log.exception("engine error on an /ask request")
        raise HccqaError(BUSY_MESSAGE) from exc


def build_app(qa: Asker, settings: Settings | None = None, page: PageText | None = None) -> Any:
    """The web chat as a ``gr.Blocks`` (not launched).

    Args:
        qa: The loaded engine.
        settings: Defaults for k and mode, and the question length limit.
        page: Title, heading, placeholder and examples; by default the corpus folder's
            (:func:`hccqa.ui.page.page_text`; the packaged review's when none is set).

    Returns:
        The Blocks, with the chat UI and the public ``/ask`` endpoint.
    """
    import gradio as gr

    settings = settings or Settings()
    if page is None:
        from ..locations import packaged_corpus_dir

        page = page_text(settings.corpus_dir or packaged_corpus_dir())
    samples = page.examples  # the corpus folder's example questions (chat.json)

    box_limit = settings.max_question_chars * 2  # the question box's max_length

    # The chat's events take their inputs as sent (preprocess=False): Gradio's own checks
    # of a slider or radio value raise, and log a traceback, on a hostile value, where
    # chat_turn answers with a message. The chat itself lives in server-side State, so no
    # client-sent chat transcript is ever parsed.
    def respond(
        question: object,
        messages: list[dict[str, Any]],
        history: list[str],
        k: object,
        mode: object,
    ) -> tuple[Any, ...]:
        if not isinstance(question, str) or not question.strip():
            gr.Warning("Type a question first: the box is empty.")
        turn = chat_turn(
            qa, question, messages, history, k=k, mode=mode, keep_history=settings.max_history_turns
        )
        # After an answer the box is emptied; after a refusal the text stays for editing,
        # unless it is longer than the box takes (then it is not kept in the session either).
        keep = (
            isinstance(question, str)
            and question.strip() != ""
            and turn.answer is None
            and len(question) <= box_limit
        )
        return (
            turn.messages,
            turn.messages,
            turn.history,
            turn.sources,
            turn.markdown,
            turn.download,
            question if keep else "",
        )

    def pick_example(index: object) -> str:
        """The example clicked, by its index as the browser sends it (anything else: "")."""
        if type(index) is int and 0 <= index < len(samples):
            return samples[index]
        return ""

    def ask(question: str, history: list[str]) -> dict[str, Any]:
        """Answer a question from the documents; history = earlier user turns, oldest first."""
        try:
            return ask_json(qa, question, history)
        except HccqaError as exc:
            raise gr.Error(_sentence(str(exc)), print_exception=False) from None

    def clear() -> tuple[Any, ...]:
        return [], [], [], render.render_sources(None), "", ""

    with gr.Blocks(title=page.title, analytics_enabled=False) as demo:
        gr.Markdown(f"## {page.heading}\n{page.description}")
        history = gr.State([])
        transcript = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    label="Chat",
                    elem_id="hccqa-chat",
                    height=520,
                    sanitize_html=True,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=None,
                    allow_file_downloads=False,
                    buttons=[],  # its copy would copy our HTML; see "Copy as Markdown"
                )
                question = gr.Textbox(
                    label="Question",
                    elem_id="hccqa-question",
                    placeholder=page.placeholder,
                    max_length=settings.max_question_chars * 2,
                    lines=1,
                    max_lines=4,
                )
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="hccqa-send")
                    new_chat = gr.Button("New chat", elem_id="hccqa-clear")
                    copy_md = gr.Button("Copy as Markdown", elem_id="hccqa-copy")
                examples = gr.Dataset(
                    components=[question],
                    samples=[[q] for q in samples],
                    type="index",
                    label="Examples",
                    elem_id="hccqa-examples",
                    visible=bool(samples),
                )
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(1, 20, value=settings.k, step=1, label="Passages per answer (k)")
                    mode = gr.Radio(list(MODES), value=settings.mode, label="Retrieval mode")
            with gr.Column(scale=2):
                download = gr.HTML("", elem_id="hccqa-download")
                sources = gr.HTML(render.render_sources(None), elem_id="hccqa-sources")
                with gr.Accordion("Answer as Markdown", open=False):
                    markdown = gr.Textbox(
                        label="Markdown",
                        lines=8,
                        buttons=["copy"],
                        interactive=False,
                        elem_id="hccqa-markdown",
                    )
        outputs = [chat, transcript, history, sources, markdown, download, question]
        inputs = [question, transcript, history, k, mode]
        for trigger in (send.click, question.submit):
            trigger(
                respond,
                inputs,
                outputs,
                api_visibility="private",
                concurrency_id="engine",
                preprocess=False,
            )
        new_chat.click(clear, None, outputs[:6], api_visibility="private")
        examples.click(pick_example, examples, question, api_visibility="private", preprocess=False)
        # Runs in the browser only: puts the latest answer's Markdown on the clipboard.
        copy_md.click(
            None, [markdown], None, js="(md) => { navigator.clipboard.writeText(md || ''); }"
        )
        chat.clear(clear, None, outputs[:6], api_visibility="private")
        # One concurrency group for every call into the engine: the chat and /ask together
        # run at most settings.concurrency questions at once (2 cores); the rest queue.
        gr.api(ask, api_name="ask", concurrency_id="engine")
    return demo


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """``"user:password"`` as a ``(user, password)`` pair; ``None`` when no login is set.

    Raises:
        InputError: the value has no colon, an empty user or an empty password.
    """
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user:
        raise InputError("HCCQA_AUTH must be user:password")
    if not password:
        raise InputError(
            "HCCQA_AUTH has an empty password, so nobody could log in; "
            "set HCCQA_AUTH=user:password with both parts non-empty"
        )
    return user, password


def launch(demo: Any, settings: Settings, *, block: bool = True) -> RunningServer:
    """Queue and serve a built app on ``settings.host:settings.port``.

    The queue runs ``settings.concurrency`` requests at once (2 cores), other
    requests wait; no extra file paths are served. Gradio is mounted on a FastAPI
    app served by :func:`hccqa.ui.server.serve_app`, which refuses oversized
    bodies, uploads and slow clients before Gradio sees them; Gradio keeps the
    state of at most ``settings.sessions`` sessions.

    Returns:
        The running server (``block=False``); ``close()`` stops it.
    """
    import gradio as gr
    from fastapi import FastAPI

    from .server import GradioCalls, RequestLimits, serve_app

    demo.queue(default_concurrency_limit=settings.concurrency, max_size=512)
    demo.state_session_capacity = settings.sessions  # read when the app is mounted
    app = gr.mount_gradio_app(
        FastAPI(docs_url=None, redoc_url=None, openapi_url=None),
        demo,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api"],
        auth=auth_pair(settings.auth),
        show_error=False,
        max_file_size="1kb",  # uploads are refused before Gradio; this is a second fence
        ssr_mode=False,
        css=CSS,
    )
    server = serve_app(
        RequestLimits(app, max_body=settings.max_body, calls=GradioCalls.of(demo)),
        settings.host,
        settings.port,
        request_timeout=settings.request_timeout,
        block=False,
    )
    server.before_close(lambda: demo.close(verbose=False))
    if block:
        server.wait()
    return server


def load_qa(
    settings: Settings, status: Callable[[str], None] | None = None, *, rebuild: bool = False
) -> Any:
    """Load the engine once, building the index first (with a progress bar) when it is missing.

    A first run on a machine exports the ONNX encoder before anything else loads; its
    progress goes to ``status`` like the other steps (to ``log.warning`` when omitted,
    the other steps to ``log.info``).
    """
    from ..locations import resolve
    from ..qa import QA, build
    from ..retrieval.embed import load_embedder, prepare_encoder
    from ..retrieval.index import META

    say = status or log.info
    settings = resolve(settings)
    assert settings.index_dir is not None
    prepare_encoder(settings, status=status)
    embedder = load_embedder(settings, status=status)
    missing = not (settings.index_dir / META).is_file()
    if (missing and settings.auto_build) or rebuild:
        say(f"building the index in {settings.index_dir} first...")
        started = time.perf_counter()
        build(settings, embedder=embedder, progress=True)
        say(f"index built in {time.perf_counter() - started:.1f} s")
    say(f"loading the index from {settings.index_dir}...")
    qa = QA.load(settings, embedder=embedder)
    say("index loaded")
    return qa


def serve(
    settings: Settings, status: Callable[[str], None] | None = None, *, rebuild: bool = False
) -> None:
    """Load the index once, then run the web chat until interrupted.

    Args:
        settings: Settings (folders, model, backend, host, port, limits).
        status: Progress lines (encoder export, index build, the address); ``log.info``
            (export: ``log.warning``) when omitted.
        rebuild: Rebuild the index first.
    """
    qa = load_qa(settings, status, rebuild=rebuild)
    running = launch(build_app(qa, qa.settings), qa.settings, block=False)
    # said once the server accepts connections: the address opens at once
    (status or log.info)(f"web chat on http://{qa.settings.host}:{qa.settings.port}")
    running.wait()
