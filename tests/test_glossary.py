"""Tests of hccqa.corpus.glossary: footnote parsing, inline definitions, the merged glossary."""

from __future__ import annotations

from hccqa.corpus.glossary import (
    ScopedSpellOut,
    SpellOut,
    build_glossary,
    find_definitions,
    is_footnote_start,
    parse_footnote,
)

FOOTNOTE = (
    "EGFR: Epidermal growth factor receptor; HER-3: Human epidermal growth factor receptor-3; "
    "TGF-β: Transforming growth factor beta; CSCs: Cancer stem cells; Dll4: Delta-like ligand 4."
)


def test_parse_footnote() -> None:
    assert parse_footnote(FOOTNOTE) == {
        "EGFR": "Epidermal growth factor receptor",
        "HER-3": "Human epidermal growth factor receptor-3",
        "TGF-β": "Transforming growth factor beta",
        "CSCs": "Cancer stem cells",
        "Dll4": "Delta-like ligand 4",
    }


def test_parse_footnote_skips_malformed_entries() -> None:
    assert parse_footnote("EGFR: Epidermal; no colon here; : empty;") == {"EGFR": "Epidermal"}


def test_is_footnote_start() -> None:
    assert is_footnote_start("EGFR: Epidermal growth factor receptor; HER-3: Human")
    assert not is_footnote_start("Core tip: Hepatocellular carcinoma (HCC) is a devastat-")


def test_inline_definitions() -> None:
    text = (
        "Primary liver cancer (PLC) is common. Hepatocellular carcinoma (HCC), the most common "
        "type. It blocks vascular endothelial growth factor (VEGF) and platelet-derived growth "
        "factor (PDGF) receptor. The phosphatidylinositol 3-kinase (PI3K)/Akt pathway. "
        "Tumor-derived endothelial cells (TECs) differ from normal endothelial cells (NECs). "
        "Delta-like ligand 4 (Dll4; a novel Notch ligand)-Notch signaling."
    )
    assert find_definitions(text) == {
        "PLC": "Primary liver cancer",
        "HCC": "Hepatocellular carcinoma",
        "VEGF": "vascular endothelial growth factor",
        "PDGF": "platelet-derived growth factor",
        "PI3K": "phosphatidylinositol 3-kinase",
        "TECs": "Tumor-derived endothelial cells",
        "NECs": "normal endothelial cells",
        "Dll4": "Delta-like ligand 4",
    }


def test_parentheses_that_are_not_definitions() -> None:
    text = "the mechanism(s) (Table 1) (hypoxic, inflammation, and cytokines) (2008) (see HCC)"
    assert find_definitions(text) == {}
    assert find_definitions("some words (XYZ) here") == {}  # letters not found in order


def test_build_glossary_footnote_first_then_inline_sorted() -> None:
    glossary = build_glossary(
        [FOOTNOTE], ["normal endothelial cells (NECs) and cancer stem cells (CSCs)"]
    )
    assert glossary["CSCs"] == "Cancer stem cells"  # the footnote wins
    assert glossary["NECs"] == "normal endothelial cells"
    assert list(glossary) == sorted(glossary, key=str.lower)


SPELL = SpellOut({"CKD": "chronic kidney disease", "TX2": "Transporter 2"})


def test_an_abbreviation_is_spelled_out_at_its_first_occurrence() -> None:
    assert SPELL("Most CKD patients; CKD worsens.") == (
        "Most chronic kidney disease (CKD) patients; CKD worsens."
    )
    assert SPELL("TX2 and CKD") == "Transporter 2 (TX2) and chronic kidney disease (CKD)"


def test_a_text_already_holding_the_long_form_or_no_abbreviation_is_unchanged() -> None:
    assert (
        SPELL("Chronic kidney disease (CKD) is common.")
        == "Chronic kidney disease (CKD) is common."
    )
    assert SPELL("ckd, CKDs, pre-CKD and CKD2 are other words") == (
        "ckd, CKDs, pre-CKD and CKD2 are other words"
    )
    assert SpellOut({})("CKD") == "CKD"


def test_in_a_corpus_of_several_documents_an_abbreviation_is_spelled_out_where_defined() -> None:
    documents = {
        "a": "Patients with Alzheimer disease (AD) and chronic kidney disease (CKD) were seen.",
        "b": "Children with atopic dermatitis (AD) scratch.",
        "c": "AD and CKD were both common.",
    }
    glossary = {"AD": "Alzheimer disease", "CKD": "chronic kidney disease", "IQR": "range"}
    spell = ScopedSpellOut(glossary, documents)
    assert spell("AD flares in winter.", "b") == "atopic dermatitis (AD) flares in winter."
    assert spell("AD and CKD rose.", "a") == (
        "Alzheimer disease (AD) and chronic kidney disease (CKD) rose."
    )
    # a document that only uses them: which AD (or CKD) is meant is not known
    assert spell("AD and CKD rose.", "c") == "AD and CKD rose."
    assert spell("CKD rose.", "b") == "CKD rose."
    # an abbreviation no text defines (a table footnote did) is spelled out everywhere
    assert spell("IQR 2-5", "c") == "range (IQR) 2-5"
    # a table (no prose of its own) gets those whose definitions all agree
    assert spell("AD and CKD rose.", "table1") == "AD and chronic kidney disease (CKD) rose."


def test_in_a_corpus_of_one_document_every_abbreviation_is_spelled_out_everywhere() -> None:
    spell = ScopedSpellOut({"CKD": "chronic kidney disease"}, {"a": "CKD rose."})
    assert spell("CKD rose.", "table1") == "chronic kidney disease (CKD) rose."
    assert spell("CKD rose.") == "chronic kidney disease (CKD) rose."
