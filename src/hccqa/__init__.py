"""hccqa: cited question answering over a review of anti-angiogenesis therapy in HCC."""

from ._version import __version__
from .answer import compose_answer
from .ask import answer_question
from .chat import resolve_followup
from .corpus import Corpus, load_corpus, load_folder
from .embed import Embedder, HashingEmbedder, load_embedder
from .errors import (
    CorpusError,
    GoldFormatError,
    HccqaError,
    IndexStateError,
    InputError,
    ModelError,
)
from .evaluate import EvalResult, GoldQuestion, evaluate, load_gold
from .guard import check_history, check_question
from .index import build_index, load_index
from .qa import QA
from .report import write_report
from .retrieve import FusionConfig, Retriever
from .rows import RowFilter, match_rows, parse_filters
from .settings import Settings
from .types import Answer, AnswerSentence, Hit, Passage, Reference, RowMatch, TableRow
from .web import build_app

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
