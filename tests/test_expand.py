"""hccqa.understand.expand: glossary query expansion, both directions."""

from __future__ import annotations

from hccqa.understand.expand import expand_query, expansions

GLOSSARY = {
    "EMT": "epithelial-mesenchymal transition",
    "pERK": "phosphorylated extracellular signal-regulated kinase",
    "HCC": "hepatocellular carcinoma",
}


def test_abbreviation_gets_long_form() -> None:
    assert expand_query("Does EMT cause resistance?", GLOSSARY) == (
        "Does EMT cause resistance? epithelial-mesenchymal transition"
    )


def test_long_form_gets_abbreviation_despite_hyphen_and_case() -> None:
    q = "What about Epithelial mesenchymal transition in tumours?"
    assert expansions(q, GLOSSARY) == ["EMT"]


def test_mixed_case_abbreviation_matched_case_insensitively() -> None:
    assert expansions("is perk a biomarker", GLOSSARY) == [
        "phosphorylated extracellular signal-regulated kinase"
    ]


def test_plural_abbreviation() -> None:
    assert expansions("HCCs treated with sorafenib", GLOSSARY) == ["hepatocellular carcinoma"]


def test_nothing_to_expand_returns_query_unchanged() -> None:
    assert expand_query("sorafenib dose", GLOSSARY) == "sorafenib dose"
    assert expand_query("EMT", {}) == "EMT"


def test_both_forms_present_adds_nothing() -> None:
    assert expansions("EMT (epithelial-mesenchymal transition)", GLOSSARY) == []


def test_abbreviation_inside_a_word_is_not_matched() -> None:
    assert expansions("TEMTA pathway", GLOSSARY) == []


def test_pairs_accepted_and_each_term_once() -> None:
    pairs = [
        ("EMT", "epithelial-mesenchymal transition"),
        ("EMT", "epithelial-mesenchymal transition"),
    ]
    assert expansions("EMT and EMT", pairs) == ["epithelial-mesenchymal transition"]


def test_a_plural_short_form_typed_singular_is_found_with_its_corpus_form() -> None:
    glossary = {"KSTs": "kite string testers", "AB": "air brake"}
    # "KST" is how a reader names one of the "KSTs": the long form, and the corpus's form
    assert expansions("What does KST stand for?", glossary) == ["kite string testers", "KSTs"]
    assert expansions("What do KSTs measure?", glossary) == ["kite string testers"]
    # a two-letter form is not read as a plural
    assert expansions("Is an ABs kit needed?", glossary) == ["air brake"]
    assert expansions("Is an A kit needed?", glossary) == []


def test_a_definition_question_finds_the_long_form_of_a_plural_typed_singular() -> None:
    from types import SimpleNamespace

    from hccqa.answer.evidence import defined_long_forms
    from hccqa.understand.lexicon import Lexicon
    from hccqa.understand.query import understand
    from hccqa.understand.words import stem

    lexicon = Lexicon.from_corpus(
        SimpleNamespace(passages=[], tables=[], glossary={"KSTs": "kite string testers"})
    )
    query = understand("What does KST stand for?", (), lexicon)
    assert defined_long_forms(query, lexicon) == [
        frozenset(stem(w) for w in ("kite", "string", "testers"))
    ]
