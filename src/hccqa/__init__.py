"""hccqa: cited question answering over a review of anti-angiogenesis therapy in HCC."""

from ._version import __version__
from .answer.compose import compose_answer
from .answer.rows import RowFilter, match_rows, parse_filters
from .ask import answer_question
from .corpus.loader import Corpus, load_corpus, load_folder
from .errors import (
    CorpusError,
    GoldFormatError,
    HccqaError,
    IndexStateError,
    InputError,
    ModelError,
)
from .evaluation.evaluate import EvalResult, GoldQuestion, evaluate, load_gold
from .evaluation.report import write_report
from .guard import check_history, check_question
from .qa import QA
from .retrieval.embed import Embedder, HashingEmbedder, load_embedder
from .retrieval.index import build_index, load_index
from .retrieval.retriever import FusionConfig, Retriever
from .settings import Settings
from .types import Answer, AnswerSentence, Hit, Passage, Reference, RowMatch, TableRow
from .ui.web import build_app
from .understand.followup import resolve_followup

__all__ = [
    "Answer",
    "AnswerSentence",
    "Corpus",
    "CorpusError",
    "Embedder",
    "EvalResult",
    "FusionConfig",
    "GoldFormatError",
    "GoldQuestion",
    "HashingEmbedder",
    "HccqaError",
    "Hit",
    "IndexStateError",
    "InputError",
    "ModelError",
    "Passage",
    "QA",
    "Reference",
    "Retriever",
    "RowFilter",
    "RowMatch",
    "Settings",
    "TableRow",
    "__version__",
    "answer_question",
    "build_app",
    "build_index",
    "check_history",
    "check_question",
    "compose_answer",
    "evaluate",
    "load_corpus",
    "load_embedder",
    "load_folder",
    "load_gold",
    "load_index",
    "match_rows",
    "parse_filters",
    "resolve_followup",
    "write_report",
]
