"""hccqa: cited question answering over a scientific review, or any folder of documents."""

from ._version import __version__
from .answer.judge import Policy, Verdict, judge
from .ask import Engine, answer_question
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
from .types import (
    Answer,
    AnswerSentence,
    Column,
    Hit,
    Nearest,
    Passage,
    Reference,
    RowMatch,
    Table,
    TableRow,
)
from .understand.filters import RowFilter
from .understand.lexicon import Lexicon
from .understand.query import Query, understand
from .ui.web import build_app

__all__ = [
    "Answer",
    "AnswerSentence",
    "Column",
    "Corpus",
    "CorpusError",
    "Embedder",
    "Engine",
    "EvalResult",
    "FusionConfig",
    "GoldFormatError",
    "GoldQuestion",
    "HashingEmbedder",
    "HccqaError",
    "Hit",
    "IndexStateError",
    "InputError",
    "Lexicon",
    "ModelError",
    "Nearest",
    "Passage",
    "Policy",
    "QA",
    "Query",
    "Reference",
    "Retriever",
    "RowFilter",
    "RowMatch",
    "Settings",
    "Table",
    "TableRow",
    "Verdict",
    "__version__",
    "answer_question",
    "build_app",
    "build_index",
    "check_history",
    "check_question",
    "evaluate",
    "judge",
    "load_corpus",
    "load_embedder",
    "load_folder",
    "load_gold",
    "load_index",
    "understand",
    "write_report",
]
