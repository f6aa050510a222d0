"""hccqa.understand.lexicon: vocabulary, glossary and table entities read off a corpus.

Two corpora: the second test corpus (beekeeping, tests/data/second_corpus) and a tiny
made-up one whose table joins values ("X plus Y", "A/B") and negates one.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tablefakes import make_table

from hccqa.corpus.loader import Corpus
from hccqa.types import Passage
from hccqa.understand.lexicon import Lexicon
from hccqa.understand.words import tokens


@pytest.fixture(scope="module")
def tiny() -> Lexicon:
    table = make_table(
        "remedies",
        ["ref", "author", "year", "agent", "effect"],
        [
            ["1", "Quill et al", "2001", "Zorbaxin plus Quenzol", "No benefit"],
            ["2", "Marsh et al", "2003", "Zorbaxin", "Slower growth"],
            ["3", "Pike et al", "2005", "Heat shock/ZX-81", "Benefit in older hives"],
        ],
        title="Trials of hive remedies",
    )
    passages = [
        Passage("d:p0", "d", "S", "Zorbaxin slowed the growth of mite colonies[2]."),
        Passage("d:p1", "d", "S", "Heat shock protein (HSP) rose in step 2 of the trial."),
    ]
    corpus = SimpleNamespace(
        passages=passages, tables=[table], glossary={"HSP": "heat shock protein"}
    )
    return Lexicon.from_corpus(corpus)


def _mentioned(lexicon: Lexicon, question: str) -> dict[str, str]:
    return {m.entity.text: m.how for m in lexicon.mentions(tokens(question))}


def test_vocabulary_holds_passage_words_compound_parts_and_glossary(tiny: Lexicon) -> None:
    assert tiny.vocabulary["zorbaxin"] > 0 and "quenzol" not in tiny.vocabulary  # text only
    assert {"heat", "shock", "protein", "hsp"} <= set(tiny.vocabulary)
    assert "remedies" in tiny.vocabulary and "agent" in tiny.vocabulary  # title, columns
    assert tiny.documents == 2
    assert "step" in tiny.numbered  # "step 2": written before a number


def test_idf_is_higher_for_rarer_stems_and_highest_for_unknown_ones(
    second_lexicon: Lexicon, second_corpus: Corpus
) -> None:
    # every passage is a document (text and rows); "varroa" is in fewer of them than "hive"
    n = second_lexicon.documents
    assert n == len(second_corpus.passages)
    rare, common, never = (second_lexicon.idf(s) for s in ("varroa", "hive", "zzzz"))
    assert never > rare > common > 0
    assert never == pytest.approx(__import__("math").log((n + 1) / 0.5))


def test_each_text_cell_is_an_entity_of_its_column(second_lexicon: Lexicon) -> None:
    by_text = {e.text: e for e in second_lexicon.entities}
    thymol = by_text["Thymol strips"]
    assert (thymol.table, thymol.column, thymol.kind) == ("apiary_trials", "treatment", "text")
    assert thymol.rows == {"apiary_trials:5", "apiary_trials:10"}
    assert thymol.stems == {"thymol", "strip"}
    author = by_text["Okonkwo et al"]
    assert (author.column, author.kind) == ("author", "author")
    assert author.names == {"okonkwo"}  # no English word: the surname alone names it
    assert by_text["No change in mite counts"].negated
    # key, year and number columns make no entities
    assert not {e.column for e in second_lexicon.entities} & {"ref", "year"}


def test_joined_values_give_their_parts_too(tiny: Lexicon) -> None:
    texts = {e.text for e in tiny.entities}
    assert {"Zorbaxin plus Quenzol", "Zorbaxin", "Quenzol"} <= texts
    assert {"Heat shock/ZX-81", "Heat shock", "ZX-81"} <= texts
    rows = {e.text: e.rows for e in tiny.entities}
    assert rows["Zorbaxin"] == {"remedies:1", "remedies:2"}  # alone and inside the joined value


def test_mentions_whole_phrase_and_name(second_lexicon: Lexicon, tiny: Lexicon) -> None:
    assert _mentioned(second_lexicon, "which trials used thymol strips?") == {
        "Thymol strips": "whole"
    }
    # two words of a longer value in a row
    assert _mentioned(second_lexicon, "anything from a Stockholm roof?") == {
        "Stockholm roof garden": "phrase"
    }
    # a name word alone (not English) names its value
    assert _mentioned(tiny, "zx81 results") == {"ZX-81": "name"}
    assert _mentioned(second_lexicon, "what did okonkwo find") == {"Okonkwo et al": "whole"}
    assert _mentioned(second_lexicon, "how do bees fly") == {}


def test_a_value_named_whole_has_its_words_close_together(tiny: Lexicon) -> None:
    assert _mentioned(tiny, "which remedies gave slower mite growth?") == {"Slower growth": "whole"}
    # "growth" seven topical words after "slower": two separate words, not the value
    far = "slower queens in hives kept in warm sheds showed growth"
    assert "Slower growth" not in _mentioned(tiny, far)


def test_a_value_of_the_tables_own_words_is_named_only_by_its_phrase() -> None:
    # one glider with a damaged frame, one with a torn sail, in a table of frame damage
    cells = [["1", "Ames et al", "2009", "Carbon", "Frame damage"]]
    cells.append(["2", "Brook et al", "2011", "Bamboo", "Torn sail"])
    columns = ["ref", "author", "year", "frame", "effect"]
    table = make_table("damage", columns, cells, title="Studies of frame damage")
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    assert "Frame damage" in _mentioned(lexicon, "which studies found frame damage?")
    # the table's words, not the value: "damage studies" names the table
    assert "Frame damage" not in _mentioned(lexicon, "which damage studies used a bamboo frame?")


def test_a_negated_value_needs_a_negated_question(tiny: Lexicon) -> None:
    assert _mentioned(tiny, "was there no benefit?") == {"No benefit": "whole"}
    assert "No benefit" in _mentioned(tiny, "which remedies failed to show a benefit?")
    assert "No benefit" not in _mentioned(tiny, "was there any benefit?")


def test_a_longer_value_of_the_same_column_wins_over_its_part(second_lexicon: Lexicon) -> None:
    found = _mentioned(second_lexicon, "drone brood removal and thymol strips")
    assert found == {"Drone brood removal": "whole", "Thymol strips": "whole"}


def test_an_abbreviation_and_its_long_form_select_the_same_rows() -> None:
    table = make_table(
        "t",
        ["ref", "agent"],
        [["1", "Heat shock protein"], ["2", "Cold air"], ["3", "HSP and cold"]],
    )
    corpus = SimpleNamespace(
        passages=[Passage("d:p0", "d", "S", "Heat shock protein (HSP) rose.")],
        tables=[table],
        glossary={"HSP": "Heat shock protein"},
    )
    lexicon = Lexicon.from_corpus(corpus)

    def rows(question: str) -> set[str]:
        return {r for m in lexicon.mentions(tokens(question)) for r in m.entity.rows}

    assert rows("did hsp rise") == rows("did heat shock protein rise") == {"t:1", "t:3"}
    # "cold" alone (a part of row 3) gives way to the longer value it is part of
    assert rows("cold air") == {"t:2"}


def test_table_of_points_at_one_table_by_label_id_or_title_word(second_lexicon: Lexicon) -> None:
    assert second_lexicon.table_of(tokens("list the apiary trials")) == "apiary_trials"
    assert second_lexicon.table_of(tokens("what sites were used")) == "apiary_trials"  # a column
    assert second_lexicon.table_of(tokens("how do bees fly")) is None
    assert second_lexicon.year_tables == ("apiary_trials",)


def test_knows_words_forms_and_compounds(second_lexicon: Lexicon) -> None:
    (swarms,) = tokens("swarms")
    assert second_lexicon.knows(swarms)  # "swarm" is a corpus word: another form counts
    (compound,) = tokens("varroa-brood")
    assert second_lexicon.knows(compound)  # each part is a corpus word
    assert not second_lexicon.knows_word("bicycle")
    assert second_lexicon.is_english_word("trialled") or second_lexicon.is_english_word("trials")
    assert not second_lexicon.is_english_word("okonkwos")


def test_the_lexicon_of_a_loaded_corpus_knows_its_glossary(
    second_corpus: Corpus, second_lexicon: Lexicon
) -> None:
    assert second_corpus.glossary == {"IPM": "integrated pest management"}
    assert second_lexicon.expander.expand("what is IPM?").endswith("integrated pest management")
    assert second_lexicon.speller.correct("varoa") == "varroa"


def test_a_footnote_of_abbreviations_does_not_count_in_word_frequencies() -> None:
    text = Passage("notes:p000", "notes", "Kites", "A cotton kite flew at dawn.")
    note = Passage(
        "notes:p001", "notes", "Abbreviations", "CK: Cotton kite; DK: Dawn kite.", kind="glossary"
    )
    glossary = {"CK": "Cotton kite", "DK": "Dawn kite"}
    alone = Lexicon.from_corpus(SimpleNamespace(passages=[text], tables=[], glossary=glossary))
    both = Lexicon.from_corpus(SimpleNamespace(passages=[text, note], tables=[], glossary=glossary))
    assert both.document_frequency == alone.document_frequency
    assert both.documents == alone.documents == 1
    assert both.vocabulary == alone.vocabulary  # the glossary's words are known either way


def test_two_words_typed_apart_name_a_hyphenated_value() -> None:
    cells = [["1", "Ames et al", "2009", "Hand-sewn"], ["2", "Brook et al", "2011", "Glued"]]
    table = make_table("sails", ["ref", "author", "year", "seam"], cells)
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[table], glossary={}))
    for question in ("Which sails were hand sewn?", "Which sails were hand-sewn?"):
        found = [m.entity.text for m in lexicon.mentions(tokens(question))]
        assert found == ["Hand-sewn"], question
    # the two words apart, each alone, name nothing
    assert lexicon.mentions(tokens("Were the hands of the sewers tired?")) == []


def test_cited_names_are_read_in_the_documents_citing_the_tables_one_or_two_at_a_time() -> None:
    cells = [["4", "Ames et al", "2009", "Silk"], ["5", "Brook et al", "2011", "Nylon"]]
    table = make_table("kites", ["ref", "author", "year", "sail"], cells)

    def passage(pid: str, doc: str, text: str, refs: tuple[int, ...]) -> Passage:
        return Passage(pid, doc, "Results", text, refs=refs)

    corpus = SimpleNamespace(
        passages=[
            # names a row's author with the row's number: its numbers are the table's
            passage("notes:p000", "notes", "Ames et al[4] flew silk kites[5].", (4, 5)),
            # its own numbering: "[4]" is another reference
            passage("log:p000", "log", "The wind rose at dusk[4].", (4,)),
        ],
        tables=[table],
        glossary={},
    )
    lexicon = Lexicon.from_corpus(corpus)
    assert lexicon.citing_docs == {"notes"}
    assert lexicon.cited_names("Silk lasted longest[4].", "notes") == {"ame"}  # no "et", "al"
    assert lexicon.cited_names("Silk lasted longest[4].", "log") == set()  # its own [4]
    assert lexicon.cited_names("Kites flew well[4,5].", "notes") == {"ame", "brook"}
    assert lexicon.cited_names("Kites flew well[4-6].", "notes") == set()  # a list


def _lantern_lexicon(*prose: str) -> Lexicon:
    cells = [["1", "Ames et al", "2009", "Qx7-lantern signaling"]]
    cells.append(["2", "Brook et al", "2011", "Heat"])
    cells.append(["3", "Cole et al", "2012", "Step-glow pathway"])
    columns = ["ref", "author", "year", "pathway"]
    table = make_table("signals", columns, cells, title="Studies of hive signals")
    passages = [Passage(f"d:p{i}", "d", "S", text) for i, text in enumerate(prose)]
    return Lexicon.from_corpus(SimpleNamespace(passages=passages, tables=[table], glossary={}))


def test_an_english_word_the_prose_writes_as_a_name_names_its_value_alone() -> None:
    # "lantern" is an English word; capitalized mid-sentence it is a gene's name here
    named = _lantern_lexicon("Bees raise Lantern levels. The Qx7 ligand binds Lantern1 in drones.")
    assert _mentioned(named, "anything on lantern?") == {"Qx7-lantern signaling": "name"}
    # written in lower case, or capitalized only where a sentence starts, it is the word
    for prose in (
        "Bees hang a lantern by the hive. The Qx7 ligand binds the lantern frame.",
        "Lantern bees swarm. Lantern hives are warm. Bees raise lantern levels.",
    ):
        assert _mentioned(_lantern_lexicon(prose), "anything on lantern?") == {}
    # one use read twice (passages overlap by a sentence) is one use
    once = "Bees raise Lantern levels."
    assert _mentioned(_lantern_lexicon(once, f"{once} Hives swarm."), "anything on lantern?") == {}
    # a word capitalized before a number is a label ("see Step 2"), not a name; its other
    # uses still count
    steps = "We follow Step 1 and then Step 2. Bees finish Step 3."
    assert "Step-glow pathway" not in _mentioned(_lantern_lexicon(steps), "which step?")
    labelled = "Bees raise Lantern levels. Drones carry Lantern kits. It binds Lantern 1."
    assert "Qx7-lantern signaling" in _mentioned(_lantern_lexicon(labelled), "any lantern?")


def test_the_digits_of_a_decimal_in_a_text_cell_name_nothing() -> None:
    from types import SimpleNamespace

    from tablefakes import make_table

    from hccqa.understand.words import tokens

    peaks = make_table(
        "peaks", ["peak", "note"], [["P1", "Cooled by 0.5 degrees"], ["P2", "Phase 3 survey"]]
    )
    lexicon = Lexicon.from_corpus(SimpleNamespace(passages=[], tables=[peaks], glossary={}))
    assert not [m for m in lexicon.mentions(tokens("peaks with 0 deaths")) if "0" in m.matched]
    # a number of its own in a cell still names it
    assert any("3" in m.matched for m in lexicon.mentions(tokens("the phase 3 survey")))
