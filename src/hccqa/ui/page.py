"""The texts of the web chat page, taken from the corpus folder.

A corpus folder may hold ``chat.json`` with the page's texts; every key is optional::

    {
      "title": "Browser tab title",
      "heading": "Heading above the chat",
      "description": "One paragraph (Markdown) under the heading",
      "placeholder": "Placeholder of the question box",
      "examples": ["An example question", "Another one"]
    }

A missing key, or a folder without the file, gets neutral text built from the folder's
name (and no example questions), so that the page never speaks of another corpus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..corpus.readers import CHAT_FILE
from ..errors import CorpusError

MAX_EXAMPLES = 20
MAX_TEXT = 2000


@dataclass(frozen=True)
class PageText:
    """What the web chat page says: tab title, heading, description, placeholder, examples."""

    title: str
    heading: str
    description: str
    placeholder: str
    examples: tuple[str, ...] = ()


def default_page_text(name: str) -> PageText:
    """Neutral texts for a corpus called ``name`` (the folder's name)."""
    name = " ".join(name.replace("_", " ").split()) or "documents"
    return PageText(
        title=f"hccqa: {name}",
        heading=f"Ask {name}",
        description=(
            f"Answers quote the documents of *{name}*; each quoted sentence links to its "
            "passage [P1] in the sources panel. Follow-up questions build on the chat."
        ),
        placeholder="Ask a question about the documents",
    )


def page_text(corpus_dir: Path) -> PageText:
    """The page texts of a corpus folder: its ``chat.json`` over the neutral defaults.

    Raises:
        CorpusError: ``chat.json`` exists but is not a JSON object of strings (the file
            and the bad key are named).
    """
    default = default_page_text(corpus_dir.resolve().name)
    path = corpus_dir / CHAT_FILE
    if not path.is_file():
        return default
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable JSON file ({exc}); fix or remove it") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: must hold a JSON object with title, heading, ... keys")
    texts: dict[str, str] = {}
    for key in ("title", "heading", "description", "placeholder"):
        value = data.get(key, getattr(default, key))
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise CorpusError(f"{path}: {key!r} must be a text of at most {MAX_TEXT} characters")
        texts[key] = value.strip() or getattr(default, key)
    examples = data.get("examples", [])
    if (
        not isinstance(examples, list)
        or len(examples) > MAX_EXAMPLES
        or not all(isinstance(e, str) and e.strip() and len(e) <= MAX_TEXT for e in examples)
    ):
        raise CorpusError(
            f"{path}: 'examples' must be a list of at most {MAX_EXAMPLES} questions (texts)"
        )
    return PageText(**texts, examples=tuple(e.strip() for e in examples))
