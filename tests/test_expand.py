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
