"""The Python facade: ``qa = QA.load(); qa.search(...); qa.ask(...)``.

``QA.load`` does every slow thing once (corpus, model, index, BM25); ``search``
and ``ask`` then only compute. A ``QA`` holds no per-call state, so one object
can serve many threads at once.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import CorpusError, InputError
from .retrieval.embed import Embedder, load_embedder
from .retrieval.index import build_index, load_index
from .retrieval.retriever import FusionConfig, Retriever
from .settings import Settings
from .types import Answer, Hit

log = logging.getLogger(__name__)


def load_any_corpus(corpus_dir: str | Path) -> Any:
    """The review corpus when the folder holds ``review.txt``, else any folder of ``.txt`` files.

    Raises:
        CorpusError: the folder is missing or holds no documents.
    """
    from .corpus.loader import load_corpus, load_folder

    folder = Path(corpus_dir)
    if not folder.is_dir():
        raise CorpusError(
            f"corpus folder {str(folder)!r} does not exist; pass --corpus or set HCCQA_CORPUS_DIR"
        )
    if (folder / "review.txt").is_file():
        return load_corpus(folder)
    return load_folder(folder)


def build(
    settings: Settings | None = None, *, embedder: Embedder | None = None, progress: bool = True
) -> dict[str, Any]:
    """Build (or rebuild) the index for ``settings.corpus_dir`` into ``settings.index_dir``.

    Returns:
        The metadata written to ``meta.json``.
    """
    settings = settings or Settings.from_env()
    corpus = load_any_corpus(settings.corpus_dir)
    embedder = embedder or load_embedder(settings)
    return build_index(corpus, embedder, settings.index_dir, progress=progress).meta


class QA:
    """Question answering over one corpus: load once, then search and ask from any thread.

    Build it with :meth:`QA.load`; the constructor takes already loaded parts.
    """

    def __init__(self, settings: Settings, corpus: Any, embedder: Embedder, retriever: Retriever):
        self.settings = settings
        self.corpus = corpus
        self.embedder = embedder
        self.retriever = retriever

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        fusion: FusionConfig | None = None,
    ) -> QA:
        """Load corpus, encoder and index (building the index when missing or stale).

        Args:
            settings: Settings; ``Settings.from_env()`` when omitted.
            embedder: An encoder to use instead of the one the settings name
                (tests inject :class:`~hccqa.embed.HashingEmbedder`).
            fusion: Hybrid fusion settings (defaults tuned by measurement).

        Raises:
            CorpusError: the corpus cannot be read.
            ModelError: the model cannot be loaded.
            IndexStateError: the index is missing or stale and ``settings.auto_build`` is off.
        """
        settings = settings or Settings.from_env()
        corpus = load_any_corpus(settings.corpus_dir)
        embedder = embedder or load_embedder(settings)
        index = load_index(
            settings.index_dir, corpus, embedder, auto_build=settings.auto_build, progress=False
        )
        retriever = Retriever(
            index, embedder, glossary=getattr(corpus, "glossary", None) or None, config=fusion
        )
        log.info("QA ready: %d passages, %d rows", len(index.passages), len(index.rows))
        return cls(settings, corpus, embedder, retriever)

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

    def search(self, question: str, k: int = 5, mode: str | None = "hybrid") -> list[Hit]:
        """The k passages that best match the question.

        Args:
            question: The question or search text.
            k: Number of passages.
            mode: ``"hybrid"`` (default), ``"dense"`` or ``"bm25"``.

        Raises:
            InputError: empty or too long question, unknown mode, k not a whole number
                from 1 to 50.
        """
        q, k, mode = self._question(question), self._k(k), self._mode(mode)
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
        ask_mod = importlib.import_module(".ask", __package__)
        return ask_mod.answer_question(  # type: ignore[no-any-return]
            q,
            h,
            retriever=self.retriever,
            corpus=self.corpus,
            k=k,
            mode=mode,
        )
