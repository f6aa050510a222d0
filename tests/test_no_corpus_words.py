"""No source file names a fact of the packaged review: its drugs, genes, pathways, authors,
outcome phrases, abbreviations or table titles come from the corpus files, never from code.

The list of the review's distinctive words is built here from the corpus files themselves
(corpus/review.txt and corpus/*.tsv), never written by hand:

- every text cell of every table (the whole value), and its words of four letters or more
  that are not English words;
- every abbreviation of the glossary and its long form;
- every table title;
- every author surname (table author cells, and "Name et al[n]" in the text);
- every word of the review of five letters or more that is not an English word.

"English word" is one rule for all: a word of the English list the speller ships
(:func:`hccqa.understand.spelling.english_words`), or a plain inflection of one. Then every
file under src/hccqa/ (code, comments and docstrings) is searched for those words,
case-insensitively, as whole words (accents folded), and every hit is listed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from hccqa.corpus.loader import load_folder
from hccqa.understand.spelling import english_words

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SRC = ROOT / "src" / "hccqa"
# Corpus-independent words every corpus of this tool may use: the packaged default corpus is
# "the review" in help texts, any corpus may have tables, and "ref" is the generic name of a
# reference number. They are words of the interface, not facts of the review.
INTERFACE_WORDS = frozenset({"review", "table", "ref"})
# A name of one or two letters cannot be told apart from code (an HTML tag, a variable).
MIN_NAME = 3
_WORD = re.compile(r"[^\W\d_]+")
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "ly")


def fold(text: str) -> str:
    """Lower case without accents ("Pàez" -> "paez")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_english(word: str) -> bool:
    english = english_words()
    return word in english or any(
        word.endswith(s) and word[: -len(s)] in english for s in _INFLECTIONS
    )


def _non_english_words(text: str, min_length: int) -> set[str]:
    return {
        w
        for w in (fold(x) for x in _WORD.findall(text))
        if len(w) >= min_length and not is_english(w)
    }


@lru_cache(maxsize=1)
def distinctive_words() -> dict[str, str]:
    """Each distinctive word or phrase of the review (folded) -> where it comes from."""
    corpus = load_folder(CORPUS)
    found: dict[str, str] = {}

    def add(term: str, why: str) -> None:
        term = " ".join(fold(term).split())
        if term and term not in INTERFACE_WORDS and re.search(r"[a-z]", term):
            found.setdefault(term, why)

    for table in corpus.tables:
        add(table.title, f"title of {table.id}")
        kinds = {c.name: c.kind for c in table.columns}
        for row in table.rows:
            for column, value in row.cells:
                if kinds[column] == "author":
                    for name in _surnames(value):
                        add(name, f"author in {row.id}")
                elif kinds[column] == "text":
                    add(value, f"{column} of {row.id}")
                    for w in _non_english_words(value, 4):
                        add(w, f"word of {column} of {row.id}")
    for abbreviation, long_form in corpus.glossary.items():
        add(abbreviation, "glossary abbreviation")
        add(long_form, f"long form of {abbreviation}")
    review = (CORPUS / "review.txt").read_text(encoding="utf-8")
    for m in re.finditer(r"([^\W\d_][\w\- ]*?) et al\s?\[", review):
        for name in _surnames(m.group(1).split(" ")[-1] if " " in m.group(1) else m.group(1)):
            add(name, "author cited in review.txt")
    for w in _non_english_words(review, 5):
        add(w, "word of review.txt")
    return found


def _surnames(author: str) -> list[str]:
    """The whole surname ("Blivet-Van Eggelpoël" of "Blivet-Van Eggelpoël et al"), and those
    of its parts that are not English words ("Blivet", "Eggelpoël"; not "Van")."""
    name = re.sub(r"\s*et al\.?$", "", author).strip()
    parts = [p for p in re.split(r"[\s-]+", name) if len(p) >= MIN_NAME and not is_english(fold(p))]
    whole = [name] if len(name) >= MIN_NAME else []
    return whole + parts


def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<![a-z0-9])" + r"[\s\-]+".join(words) + r"(?![a-z0-9])")


def hits(files: list[Path]) -> list[str]:
    """``file:line:word`` for every distinctive word in the files."""
    terms = distinctive_words()
    patterns = [(t, _pattern(t)) for t in sorted(terms, key=len, reverse=True)]
    out = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for number, line in enumerate(lines, start=1):
            folded = fold(line)
            for term, pattern in patterns:
                if pattern.search(folded):
                    out.append(f"{name}:{number}:{term}")
    return out


def test_the_word_list_is_read_from_the_corpus() -> None:
    words = distinctive_words()
    tables = load_folder(CORPUS).tables
    # every table title, and every text cell, is on the list
    assert all(fold(t.title) in words for t in tables)
    text_cells = {
        fold(v)
        for t in tables
        for r in t.rows
        for c, v in r.cells
        if {x.name: x.kind for x in t.columns}[c] == "text"
    }
    assert text_cells <= set(words)
    assert len(words) > 100
    assert not INTERFACE_WORDS & set(words)
    assert all(not is_english(w) for w, why in words.items() if why.startswith("word of"))


def test_the_search_finds_a_planted_word(tmp_path: Path) -> None:
    words = distinctive_words()
    planted = next(w for w, why in words.items() if why == "word of review.txt")
    phrase = next(w for w, why in words.items() if why.startswith("long form") and " " in w)
    module = tmp_path / "planted.py"
    module.write_text(
        f"# nothing here\nX = '{planted.upper()}'\nY = '{phrase}'\nZ = '{planted}suffix'\n",
        encoding="utf-8",
    )
    found = [h.removeprefix(f"{module}:") for h in hits([module])]
    assert f"2:{planted}" in found and f"3:{phrase}" in found  # any case; a phrase whole
    assert not [h for h in found if h.startswith(("1:", "4:"))]  # not inside a longer word


SOURCE_FILES = sorted(p for p in SRC.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
# Every file is clean: a file that names a word of the review fails with the hits listed.


def _param(path: Path):  # type: ignore[no-untyped-def]
    return pytest.param(path, id=path.relative_to(SRC).as_posix())


@pytest.mark.parametrize("path", [_param(p) for p in SOURCE_FILES])
def test_no_source_file_names_a_word_of_the_review(path: Path) -> None:
    assert hits([path]) == []
