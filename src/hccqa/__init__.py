"""hccqa: cited question answering over a scientific review, or any folder of documents.

The public names are imported on first use (PEP 562), so that ``import hccqa`` and the
command line start without loading the retrieval stack they do not need.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._version import __version__

# public name -> the module that defines it
_EXPORTS = {
    "Answer": ".types",
    "AnswerSentence": ".types",
    "Column": ".types",
    "Corpus": ".corpus.loader",
    "CorpusError": ".errors",
    "Embedder": ".retrieval.embed",
    "Engine": ".ask",
    "EvalResult": ".evaluation.evaluate",
    "FusionConfig": ".retrieval.retriever",
    "GoldFormatError": ".errors",
    "GoldQuestion": ".evaluation.evaluate",
    "HashingEmbedder": ".retrieval.embed",
    "HccqaError": ".errors",
    "Hit": ".types",
    "IndexStateError": ".errors",
    "InputError": ".errors",
    "Lexicon": ".understand.lexicon",
    "ModelError": ".errors",
    "Nearest": ".types",
    "Passage": ".types",
    "Policy": ".answer.judge",
    "QA": ".qa",
    "Query": ".understand.query",
    "Reference": ".types",
    "Retriever": ".retrieval.retriever",
    "RowFilter": ".understand.filters",
    "RowMatch": ".types",
    "Settings": ".settings",
    "Table": ".types",
    "TableRow": ".types",
    "Verdict": ".answer.judge",
    "answer_question": ".ask",
    "build_app": ".ui.web",
    "build_index": ".retrieval.index",
    "check_history": ".guard",
    "check_question": ".guard",
    "evaluate": ".evaluation.evaluate",
    "judge": ".answer.judge",
    "load_corpus": ".corpus.loader",
    "load_embedder": ".retrieval.embed",
    "load_folder": ".corpus.loader",
    "load_gold": ".evaluation.evaluate",
    "load_index": ".retrieval.index",
    "write_report": ".evaluation.report",
}

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
    "write_report",
]

if _TYPE_CHECKING:  # for type checkers and editors; at run time see __getattr__
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
    from .ui.web import build_app
    from .understand.filters import RowFilter
    from .understand.lexicon import Lexicon
    from .understand.query import Query


def __getattr__(name: str) -> _Any:
    if name in _EXPORTS:
        value = getattr(_importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hccqa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
