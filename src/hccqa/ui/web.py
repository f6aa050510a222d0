"""The Gradio web chat: one page that asks the engine and shows the evidence.

:func:`build_app` wires a loaded :class:`~hccqa.qa.QA` (or anything with the
same ``ask``) into a ``gr.Blocks``; :func:`chat_turn` is the plain function
behind one chat turn, and :func:`ask_json` the one behind the ``/ask`` API.
:func:`serve` loads the index once (building it first when missing) and
launches. HTML comes from :mod:`hccqa.render`, which escapes everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import HccqaError, InputError
from ..settings import MODES, Settings
from ..types import Answer, Asker
from . import render
from .page import PageText, page_text

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


def chat_turn(
    qa: Asker,
    question: str,
    messages: Sequence[dict[str, Any]] | None,
    history: Sequence[str] | None,
    *,
    k: int | None = None,
    mode: str | None = None,
) -> Turn:
    """Ask one question of the chat and render the result; never raises for engine failures.

    Args:
        qa: The engine.
        question: What the user typed.
        messages: The chat so far (messages format).
        history: The user's earlier questions, oldest first (passed to the engine for follow-ups).
        k: Passages per answer.
        mode: Retrieval mode.

    Returns:
        The new chat state. Input problems and engine errors become a readable
        chat message; only a successful answer extends ``history``.
    """
    msgs = [dict(m) for m in messages or []]
    hist = list(history or [])
    question = question if isinstance(question, str) else ""
    if not question.strip():
        return Turn(msgs, hist, render.render_sources(None))
    msgs.append({"role": "user", "content": render.render_question(question)})
    started = time.perf_counter()
    try:
        answer = qa.ask(question, hist, k=int(k) if k else None, mode=mode or None)
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
    return Turn(
        msgs,
        [*hist, question],
        render.render_sources(answer, k=int(k) if k else None),
        md,
        render.download_link(md),
        answer,
    )


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

    def respond(
        question: str, messages: list[dict[str, Any]], history: list[str], k: float, mode: str
    ) -> tuple[Any, ...]:
        turn = chat_turn(qa, question, messages, history, k=int(k), mode=mode)
        return (
            turn.messages,
            turn.history,
            turn.sources,
            turn.markdown,
            turn.download,
            "" if turn.answer is not None else question,
        )

    def ask(question: str, history: list[str]) -> dict[str, Any]:
        """Answer a question from the documents; history = earlier user turns, oldest first."""
        try:
            return ask_json(qa, question, history)
        except HccqaError as exc:
            raise gr.Error(_sentence(str(exc)), print_exception=False) from None

    def clear() -> tuple[Any, ...]:
        return [], [], render.render_sources(None), "", ""

    with gr.Blocks(title=page.title, analytics_enabled=False) as demo:
        gr.Markdown(f"## {page.heading}\n{page.description}")
        history = gr.State([])
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
                if page.examples:
                    gr.Examples(
                        examples=[[q] for q in page.examples], inputs=[question], label="Examples"
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
        outputs = [chat, history, sources, markdown, download, question]
        inputs = [question, chat, history, k, mode]
        for trigger in (send.click, question.submit):
            trigger(respond, inputs, outputs, api_visibility="private", concurrency_id="engine")
        new_chat.click(clear, None, outputs[:5], api_visibility="private")
        # Runs in the browser only: puts the latest answer's Markdown on the clipboard.
        copy_md.click(
            None, [markdown], None, js="(md) => { navigator.clipboard.writeText(md || ''); }"
        )
        chat.clear(clear, None, outputs[:5], api_visibility="private")
        # One concurrency group for every call into the engine: the chat and /ask together
        # run at most settings.concurrency questions at once (2 cores); the rest queue.
        gr.api(ask, api_name="ask", concurrency_id="engine")
    return demo


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """``"user:password"`` as a ``(user, password)`` pair; ``None`` when no login is set.

    Raises:
        InputError: the value has no colon or an empty user.
    """
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user:
        raise InputError("HCCQA_AUTH must be user:password")
    return user, password


def launch(demo: Any, settings: Settings, *, block: bool = True) -> Any:
    """Queue and launch a built app on ``settings.host:settings.port``.

    The queue runs ``settings.concurrency`` requests at once (2 cores), other
    requests wait; no extra file paths are served.
    """
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=512)
    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth_pair(settings.auth),
        show_error=False,
        prevent_thread_lock=not block,
        ssr_mode=False,
        footer_links=["api"],
        max_file_size="1kb",
        css=CSS,
        quiet=False,
    )


def load_qa(
    settings: Settings, status: Callable[[str], None] = log.info, *, rebuild: bool = False
) -> Any:
    """Load the engine once, building the index first (with a progress bar) when it is missing."""
    from ..locations import resolve
    from ..qa import QA, build
    from ..retrieval.embed import load_embedder
    from ..retrieval.index import META

    settings = resolve(settings)
    assert settings.index_dir is not None
    embedder = load_embedder(settings)
    missing = not (settings.index_dir / META).is_file()
    if (missing and settings.auto_build) or rebuild:
        status(f"building the index in {settings.index_dir} first (about a minute)...")
        build(settings, embedder=embedder, progress=True)
    status(f"loading the index from {settings.index_dir}...")
    qa = QA.load(settings, embedder=embedder)
    status("index loaded")
    return qa


def serve(
    settings: Settings, status: Callable[[str], None] = log.info, *, rebuild: bool = False
) -> None:
    """Load the index once, then run the web chat until interrupted."""
    qa = load_qa(settings, status, rebuild=rebuild)
    status(f"web chat on http://{qa.settings.host}:{qa.settings.port}")
    launch(build_app(qa, qa.settings), qa.settings)
