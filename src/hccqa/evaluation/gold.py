"""Gold question sets: reading a JSON Lines file and validating it against GOLD_FORMAT.md.

Anything the format does not allow is refused with a :class:`GoldFormatError`
naming the file and line, so that a gold set written elsewhere fails clearly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..corpus.text import normalize
from ..errors import GoldFormatError

ROW_ID = re.compile(r"^[\w.-]+:[\w.-]+$")  # "<table id>:<key>", e.g. "table1:10"
_REQUIRED = ("id", "question", "evidence", "table_rows", "answer_must_include", "answerable")


@dataclass(frozen=True)
class GoldQuestion:
    """One line of a gold set (see GOLD_FORMAT.md); ``category`` is the optional extra field."""

    id: str
    question: str
    evidence: tuple[str, ...] | None
    table_rows: tuple[str, ...] | None
    answer_must_include: tuple[str, ...]
    answerable: bool
    history: tuple[str, ...] = ()
    category: str = "uncategorized"
    line: int = 0


def _fail(path: Path, line: int, message: str) -> GoldFormatError:
    return GoldFormatError(f"{path}:{line}: {message} (see docs/GOLD_FORMAT.md)")


def _str_list(
    value: object, name: str, path: Path, line: int, *, nullable: bool
) -> tuple[str, ...] | None:
    if value is None and nullable:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        want = "a list of strings or null" if nullable else "a list of strings"
        raise _fail(path, line, f"field {name!r} must be {want}, got {json.dumps(value)[:80]}")
    return tuple(value)


def _parse_line(obj: object, path: Path, line: int) -> GoldQuestion:
    if not isinstance(obj, dict):
        raise _fail(path, line, f"expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise _fail(path, line, f"missing field(s) {', '.join(missing)}")
    for name in ("id", "question"):
        if not isinstance(obj[name], str) or not obj[name].strip():
            raise _fail(path, line, f"field {name!r} must be a non-empty string")
    if not isinstance(obj["answerable"], bool):
        raise _fail(
            path, line, f"field 'answerable' must be true or false, got {obj['answerable']!r}"
        )
    evidence = _str_list(obj["evidence"], "evidence", path, line, nullable=True)
    if evidence is not None and any(not normalize(s) for s in evidence):
        raise _fail(path, line, "an evidence span is empty once normalized")
    rows = _str_list(obj["table_rows"], "table_rows", path, line, nullable=True)
    bad_rows = [r for r in rows or () if not ROW_ID.match(r)]
    if bad_rows:
        raise _fail(
            path, line, f"row id(s) {bad_rows} are not of the form <table>:<key>, e.g. table1:10"
        )
    terms = _str_list(obj["answer_must_include"], "answer_must_include", path, line, nullable=False)
    history = _str_list(obj.get("history", []), "history", path, line, nullable=False)
    category = obj.get("category", "uncategorized")
    if not isinstance(category, str) or not category:
        raise _fail(path, line, "field 'category' must be a non-empty string when given")
    return GoldQuestion(
        id=obj["id"],
        question=obj["question"],
        evidence=evidence,
        table_rows=rows,
        answer_must_include=terms or (),
        answerable=obj["answerable"],
        history=history or (),
        category=category,
        line=line,
    )


def load_gold(path: str | Path) -> list[GoldQuestion]:
    """Read and validate a JSON Lines gold set (blank lines are skipped).

    Raises:
        GoldFormatError: the file cannot be read, a line is not valid JSON, a field is
            missing or has the wrong type, an id repeats, or the file has no question.
            The message names the file and line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # (a byte order mark is not text)
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFormatError(
            f"cannot read gold set {path}: {exc}; pass an existing UTF-8 .jsonl"
        ) from exc
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, line_no, f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
        q = _parse_line(obj, path, line_no)
        if q.id in seen:
            raise _fail(path, line_no, f"duplicate id {q.id!r} (first on line {seen[q.id]})")
        seen[q.id] = line_no
        questions.append(q)
    if not questions:
        raise GoldFormatError(f"gold set {path} has no question; write one JSON object per line")
    return questions
