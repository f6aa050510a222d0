"""Rows a question names by their keys: after the key column's word ("ref 12", "refs 3
and 40", "id B4", "hull code HX-2") or, for a key of letters and digits, alone ("how heavy
is L5?"). The key column is a table's first; nothing here knows a corpus.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .lexicon import Lexicon


class NamedKeys(NamedTuple):
    """The keys of one key column's name the question names, and their rows' ids."""

    column: str
    values: tuple[str, ...]
    rows: frozenset[str]


# Between the keys of a list ("ref 3, 5 and 8"), and what may stand between a key column's
# word and its first key ("ref no. 3", "id #4", "code: B4")
_KEY_JOIN = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b)\s*", re.IGNORECASE)
_KEY_MARK = r"(?:\s+(?:no\.?|number|nr\.?)|\s*[#:=])?"
# a word before the key column's word that makes the number after it a bound or a year
# range, not a key: "after year 2010" in a table keyed by its years
_BOUNDING = re.compile(
    r"\b(?:after|before|since|until|till|than|from|between|over|under|above|below)\s*$",
    re.IGNORECASE,
)
# words before a row compared with, not asked for (English)
_REFERENCE_BEFORE = re.compile(r"\b(?:than|to|from|as)\s+$", re.IGNORECASE)
# a code: letters and digits together, both ("L5", "HX-2", "B12"), not a word or a number
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*[^\W\d_])(?=[\w-]*\d)[^\W_][\w]*(?:-[\w]+)*(?![\w-])")


@functools.lru_cache(maxsize=256)
def _key_pattern(name: str) -> re.Pattern[str]:
    """A key column's header ("ref", "site_code") as typed before its keys ("refs 3 and
    5", "site code B4"): the keys are group 1."""
    words = r"[\s_-]+".join(re.escape(w) for w in re.split(r"[\s_-]+", name.strip()) if w)
    item = r"[^\W_][\w.-]*"
    return re.compile(
        rf"\b{words}(?:e?s)?\.?{_KEY_MARK}\s*({item}(?:{_KEY_JOIN.pattern}{item})*)",
        re.IGNORECASE,
    )


def named_keys(text: str, lexicon: Lexicon, table: str | None = None) -> tuple[NamedKeys, ...]:
    """The rows whose key the question names after the key column's header: "ref 12",
    "refs 3 and 40", "id B4" (a table's first column), or alone when the key is a code of
    letters and digits ("L5"); one constraint per column name.

    Only keys the table holds count; after the header, read in order up to the first word
    that is none ("ref 12 and its drug": 12). A number after a bounding word ("after year
    2010") is a bound, and a code after "than", "to", "from" a row compared with
    ("heavier than L5"), not keys.
    """
    found: dict[str, tuple[list[str], set[str]]] = {}
    for t in lexicon.tables:
        if table is not None and t.id != table:
            continue
        column = next((c.name for c in t.columns if c.kind == "key"), None)
        if column is None or not re.search(r"[^\W\d_]", column):
            continue
        by_key = {r.key.lower(): r for r in t.rows}
        # a code of letters and digits is a key typed alone too ("how heavy is L5?")
        for m in _CODE.finditer(text):
            row = by_key.get(m.group(0).lower())
            if _REFERENCE_BEFORE.search(text, 0, m.start()):
                continue  # "heavier than L5", "closest to B2": a row to compare with
            if row is not None and _CODE.fullmatch(row.key):
                values, rows = found.setdefault(column, ([], set()))
                if row.key not in values:
                    values.append(row.key)
                rows.add(row.id)
        for m in _key_pattern(column).finditer(text):
            if _BOUNDING.search(text, 0, m.start()):
                continue
            for item in _KEY_JOIN.split(m.group(1)):
                row = by_key.get(item.lower().rstrip("."))
                if row is None:
                    break
                values, rows = found.setdefault(column, ([], set()))
                if row.key not in values:
                    values.append(row.key)
                rows.add(row.id)
    return tuple(
        NamedKeys(column, tuple(values), frozenset(rows))
        for column, (values, rows) in found.items()
    )
