"""hccqa: cited question answering over a review of anti-angiogenesis therapy in HCC."""

from ._version import __version__
from .corpus import Corpus, load_corpus, load_folder
from .errors import (
    CorpusError,
    GoldFormatError,
    HccqaError,
    IndexStateError,
    InputError,
    ModelError,
)
from .guard import check_history, check_question
from .settings import Settings
from .types import Answer, AnswerSentence, Hit, Passage, Reference, RowMatch, TableRow
from .web import build_app

__all__ = [
    "Answer",
    "AnswerSentence",
    "Corpus",
    "CorpusError",
    "GoldFormatError",
    "HccqaError",
    "Hit",
    "IndexStateError",
    "InputError",
    "ModelError",
    "Passage",
    "Reference",
    "RowMatch",
    "Settings",
    "TableRow",
    "__version__",
    "build_app",
    "check_history",
    "check_question",
    "load_corpus",
    "load_folder",
]
