"""The Python facade: ``qa = QA.load(); qa.search(...); qa.ask(...)``.

``QA.load`` does every slow thing once (corpus, model, index, BM25); ``search``
and ``ask`` then only compute. Its only state between calls is a bounded memo of the
rows recent answers showed (for follow-ups), behind a lock, so one object can serve many
threads at once.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from .answer.evidence import Weights
from .answer.judge import Policy
from .ask import Engine, answer_question
from .corpus.loader import Corpus, load_folder
from .errors import IndexStateError, InputError
from .locations import resolve
from .retrieval.embed import Embedder, load_embedder
from .retrieval.index import build_index, load_index, read_meta
from .retrieval.retriever import FusionConfig, Retriever
from .settings import Settings
from .types import Answer, Hit
from .understand.lexicon import Lexicon
from .understand.query import Shown

log = logging.getLogger(__name__)

RECENT_TURNS = 256
T = TypeVar("T")


def load_any_corpus(corpus_dir: str | Path | None) -> Corpus:
    """The corpus of a folder of documents; ``None`` = the packaged review.

    Kept for callers of earlier releases: every folder is read the same way
    (:func:`hccqa.corpus.loader.load_folder`); no file name has a special meaning.

    Raises:
        CorpusError: the folder is missing or holds no readable document.
    """
    settings = resolve(Settings(corpus_dir=Path(corpus_dir) if corpus_dir else None))
    return load_folder(settings.corpus_dir)  # type: ignore[arg-type]


def build(
    settings: Settings | None = None, *, embedder: Embedder | None = None, progress: bool = True
) -> dict[str, Any]:
    """Build (or rebuild) the index of the settings' corpus into their index folder, and
    its plain-word bridge into the per-user cache (:mod:`hccqa.understand.bridge`).

    Unset folders are resolved as :func:`hccqa.locations.resolve` says: the packaged
    review, and the per-user cache.

    Returns:
        The metadata written to ``meta.json``, plus ``index_dir`` (where it was written)
        and ``skipped`` (files of the corpus folder that were not indexed, with why).
    """
    settings = resolve(settings or Settings.from_env())
    assert settings.corpus_dir is not None and settings.index_dir is not None
    corpus = load_folder(settings.corpus_dir)
    embedder = embedder or load_embedder(settings)  # progress: the encoding bar only
    meta = build_index(corpus, embedder, settings.index_dir, progress=progress).meta
    # the plain-word bridge too, into the per-user cache: the first question need not
    # build it (a few seconds for a large corpus)
    Lexicon.from_corpus(corpus).bridge  # noqa: B018
    return {
        **meta,
        "index_dir": str(settings.index_dir),
        "skipped": [{"path": f.path, "reason": f.reason} for f in corpus.skipped],
    }


def check_model(index_dir: Path, embedder: Embedder) -> None:
    """Refuse an existing index built with another model than ``embedder``.

    A model change is a choice the user makes; rebuilding silently would throw away an
    index built with the model they chose before. A missing or unreadable index passes
    (it is built or reported by :func:`hccqa.retrieval.index.load_index`).

    Raises:
        IndexStateError: the index names another model (both are named, with the fixes).
    """
    try:
        meta = read_meta(index_dir)
    except IndexStateError:
        return
    built = (meta or {}).get("model")
    if built and built != embedder.name:
        raise IndexStateError(
            f"the index in {str(index_dir)!r} was built with model {built!r}, not "
            f"{embedder.name!r}; pass --model {built} (HCCQA_MODEL) to use it, or --rebuild "
            f"to rebuild it with {embedder.name!r}"
        )


class QA:
    """Question answering over one corpus: load once, then search and ask from any thread.

    Build it with :meth:`QA.load`; the constructor takes already loaded parts.
    """

    def __init__(
        self,
        settings: Settings,
        corpus: Any,
        embedder: Embedder,
        retriever: Retriever,
        *,
        lexicon: Lexicon | None = None,
        policy: Policy | None = None,
        weights: Weights | None = None,
    ):
        self.settings = settings
        self.corpus = corpus
        self.embedder = embedder
        self.retriever = retriever
        self.lexicon = lexicon or Lexicon.from_corpus(corpus)
        self.policy = policy or settings.policy_for(embedder)
        self.engine = Engine(corpus, self.lexicon, retriever, self.policy, weights or Weights())
        # Answers of recent turns, so that a follow-up finds the rows its previous turn
        # showed without answering it again (the chat asks turns in order).
        self._recent: OrderedDict[tuple[str, tuple[str, ...], str], tuple[str, ...]] = OrderedDict()
        self._recent_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        fusion: FusionConfig | None = None,
        rebuild: bool = False,
        progress: bool = False,
    ) -> QA:
        """Load corpus, encoder and index (building the index when missing or stale).

        Unset folders are resolved as :func:`hccqa.locations.resolve` says: the packaged
        review, and an index folder in the per-user cache keyed by corpus, model and backend.

        Args:
            settings: Settings; ``Settings.from_env()`` when omitted.
            embedder: An encoder to use instead of the one the settings name
                (tests inject :class:`~hccqa.retrieval.embed.HashingEmbedder`).
            fusion: Hybrid fusion settings (defaults tuned by measurement).
            rebuild: Rebuild the index even when it exists (also with another model).
            progress: Show progress bars (model loading, encoding when a build happens).

        Raises:
            CorpusError: the corpus cannot be read.
            ModelError: the model cannot be loaded.
            IndexStateError: the index was built with another model (and ``rebuild`` is
                off), or it is missing or stale and ``settings.auto_build`` is off.
        """
        settings = resolve(settings or Settings.from_env())
        assert settings.corpus_dir is not None and settings.index_dir is not None
        corpus = load_folder(settings.corpus_dir)
        # The lexicon is read on a thread while the encoder loads: ONNX Runtime creates
        # its session without holding the GIL, so the lexicon costs a cold start nothing.
        lexicon = _Background(lambda: Lexicon.from_corpus(corpus), name="hccqa-lexicon")
        embedder = embedder or load_embedder(settings, progress=progress)
        if rebuild:
            index = build_index(corpus, embedder, settings.index_dir, progress=progress)
        else:
            check_model(settings.index_dir, embedder)
            index = load_index(
                settings.index_dir,
                corpus,
                embedder,
                auto_build=settings.auto_build,
                progress=progress,
            )
        retriever = Retriever(
            index,
            embedder,
            glossary=getattr(corpus, "glossary", None) or None,
            config=fusion,
            sentences=getattr(corpus, "sentences", ()),
        )
        log.info("QA ready: %d passages, %d rows", len(index.passages), len(index.rows))
        return cls(settings, corpus, embedder, retriever, lexicon=lexicon.result())

    def _question(self, question: object) -> str:
        try:
            from .guard import check_question
        except ImportError:  # pragma: no cover - guard ships with the package
            if not isinstance(question, str) or not question.strip():
                raise InputError("the question is empty; type a question") from None
            return question.strip()
        return check_question(question, self.settings)

    def _history(self, history: object) -> tuple[str, ...]:
        from .guard import check_history

        return check_history(history, self.settings)

    def _mode(self, mode: object) -> str:
        from .guard import check_mode

        return check_mode(mode, default=self.settings.mode)

    def _k(self, k: object, default: int | None = None) -> int:
        from .guard import check_k

        return check_k(k, default=default)

    def search(self, question: str, k: int | None = None, mode: str | None = None) -> list[Hit]:
        """The k passages that best match the question.

        Args:
            question: The question or search text.
            k: Number of passages (default ``settings.k``).
            mode: ``"hybrid"``, ``"dense"`` or ``"bm25"`` (default ``settings.mode``).

        Raises:
            InputError: empty or too long question, unknown mode, k not a whole number
                from 1 to 50.
        """
        q = self._question(question)
        k, mode = self._k(k, default=self.settings.k), self._mode(mode)
        return self.retriever.search(q, k=k, mode=mode)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        """Answer a question (a follow-up to ``history`` when given) with cited quotes.

        Args:
            question: The user's question.
            history: Earlier user turns of the same chat, oldest first.
            k: Passages shown with the answer (default ``settings.k``).
            mode: Retrieval mode (default ``settings.mode``).

        Raises:
            InputError: the question, history, k or mode is not acceptable.
        """
        q = self._question(question)
        h = self._history(history)
        k = self._k(k, default=self.settings.k)
        mode = self._mode(mode)
        answer = answer_question(
            q,
            h,
            engine=self.engine,
            k=k,
            mode=mode,
            recall=lambda question, history: self._shown(question, history, mode),
        )
        self._remember((q, h, mode), _shown_rows(answer))
        return answer

    def _shown(self, question: str, history: tuple[str, ...], mode: str) -> tuple[str, ...]:
        """Rows an earlier turn's answer showed.

        The chat asks its turns in order, so the answer is normally remembered. When it
        is not (a history passed in from elsewhere), that turn is answered once more
        without looking further back, so a long history costs one extra answer, not one
        per turn.
        """
        key = (question, history, mode)
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        answer = answer_question(
            question, history, engine=self.engine, k=self.settings.k, mode=mode, recall=None
        )
        return _shown_rows(answer)

    def _remember(self, key: tuple[str, tuple[str, ...], str], rows: tuple[str, ...]) -> None:
        with self._recent_lock:
            self._recent[key] = rows
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_TURNS:
                self._recent.popitem(last=False)


class _Background(Generic[T]):
    """``make()`` run on a daemon thread from now on; :meth:`result` waits for it.

    A caller that fails before asking for the result leaves the thread to finish on its
    own (it must hold nothing the caller's error should release).
    """

    def __init__(self, make: Callable[[], T], *, name: str) -> None:
        self._make = make
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._make()
        except BaseException as exc:  # re-raised by result(), in the caller's thread
            self._error = exc

    def result(self) -> T:
        """The value ``make()`` returned, or its exception raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


def _shown_rows(answer: Answer) -> Shown:
    """The rows an answer showed, and the one its first quote reports."""
    return Shown((m.row.id for m in answer.rows), (m.row.id for m in answer.rows if m.quoted))
