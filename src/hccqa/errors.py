"""The one error tree of hccqa.

Every error hccqa raises on purpose derives from :class:`HccqaError`. Each
message says what was tried and how to fix it, so that the CLI and the web chat
can show it to a person as it is (one line, no traceback).

    HccqaError
    ├── CorpusError        a corpus file is missing, unreadable or malformed
    ├── IndexStateError    the index is missing, broken, stale or cannot be written
    ├── ModelError         the embedding model cannot be found or loaded
    ├── InputError         a question, history or option is not acceptable
    ├── GoldFormatError    a gold question set does not follow GOLD_FORMAT.md
    └── DependencyError    a command needs an optional extra that is not installed
"""

from __future__ import annotations

from pathlib import Path


class HccqaError(Exception):
    """Base class of every error hccqa raises on purpose."""


class CorpusError(HccqaError):
    """A corpus file is missing, unreadable or malformed (the message names file and line)."""


class IndexStateError(HccqaError):
    """The index is missing, broken, built for another corpus or model, or cannot be written.

    ``reason`` (when set) says why an existing index does not fit, without advice.
    """

    reason: str = ""


class ModelError(HccqaError):
    """The embedding model cannot be found or loaded (the message names the package or path)."""


class InputError(HccqaError):
    """A question, a history or an option is not acceptable (empty, too long, malformed)."""


class GoldFormatError(HccqaError):
    """A gold question set does not follow the gold format (the message names file and line)."""


class DependencyError(HccqaError):
    """A command needs a package of an optional extra (the message names the pip command)."""


def no_folder(what: str, path: Path, fix: str) -> str:
    """The message for a path that should be a folder and is not: missing, or a file."""
    problem = "is a file, not a folder" if path.exists() else "does not exist"
    return f"{what} {str(path)!r} {problem}; {fix}"


CORPUS_FOLDER_HINT = "pass a folder of .txt, .md or .pdf documents (--corpus or HCCQA_CORPUS_DIR)"
