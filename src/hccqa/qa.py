"""The Python facade: ``qa = QA.load(); qa.search(...); qa.ask(...)``.

``QA.load`` does every slow thing once (corpus, model, index, BM25); ``search``
and ``ask`` then only compute. A ``QA`` holds no per-call state, so one object
can serve many threads at once.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import CorpusError, InputError
from .answer.evidence import Weights
from .answer.judge import Policy
from .ask import Engine, answer_question
from .retrieval.embed import Embedder, load_embedder
from .retrieval.index import build_index, load_index
from .retrieval.retriever import FusionConfig, Retriever
from .settings import MODES, Settings
from .types import Answer, Hit
from .understand.lexicon import Lexicon

log = logging.getLogger(__name__)

RECENT_TURNS = 256


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
            index,
            embedder,
            glossary=getattr(corpus, "glossary", None) or None,
            config=fusion,
            sentences=getattr(corpus, "sentences", ()),
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

    def _mode(self, mode: str | None) -> str:
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise InputError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        return mode

    def search(self, question: str, k: int = 5, mode: str | None = "hybrid") -> list[Hit]:
        """The k passages that best match the question.

        Args:
            question: The question or search text.
            k: Number of passages.
            mode: ``"hybrid"`` (default), ``"dense"`` or ``"bm25"``.

        Raises:
            InputError: empty or too long question, unknown mode, k < 1.
        """
        return self.retriever.search(self._question(question), k=k, mode=self._mode(mode))

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
            InputError: the question or history is not acceptable.
        """
        q = self._question(question)
        h = self._history(history)
        mode = self._mode(mode)
        answer = answer_question(
            q,
            h,
            engine=self.engine,
            k=k or self.settings.k,
            mode=mode,
            recall=lambda question, history: self._shown(question, history, mode),
        )
        self._remember((q, h, mode), tuple(m.row.id for m in answer.rows))
        return answer

    def _shown(self, question: str, history: tuple[str, ...], mode: str) -> tuple[str, ...]:
        """Rows an earlier turn's answer showed (answered again when not remembered)."""
        key = (question, history, mode)
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        return tuple(m.row.id for m in self.ask(question, history, mode=mode).rows)

    def _remember(self, key: tuple[str, tuple[str, ...], str], rows: tuple[str, ...]) -> None:
        with self._recent_lock:
            self._recent[key] = rows
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_TURNS:
                self._recent.popitem(last=False)
