"""Where US and Chinese law differ, dates, and what the regions say."""

from __future__ import annotations

from datetime import date

from jointprobe.chem import classify

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
BENZYLFENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1"
N_METHYLNORFENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(C)CC1"
REMIFENTANIL = "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCC(=O)OC)CC1"
NORFENTANYL = "CCC(=O)N(c1ccccc1)C1CCNCC1"
BENZOYLFENTANYL = "O=C(c1ccccc1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
DAY = date(2025, 12, 1)


def test_fentanyl_is_named_in_all_three_jurisdictions() -> None:
    result = classify(FENTANYL, DAY)
    for code in ("US", "CN", "UN"):
        verdict = result.verdicts[code]
        assert verdict.fentanyl_related and verdict.reasons[0].kind == "named"


def test_class_only_analogue_not_controlled_in_china_before_may_2019() -> None:
    before = classify(BENZOYLFENTANYL, date(2018, 6, 1)).verdicts["CN"]
    assert not before.controlled
    assert any("2019-05-01" in note for note in before.notes)


def test_class_only_analogue_controlled_in_china_from_may_2019() -> None:
    for day in (date(2019, 5, 1), date(2024, 1, 1)):
        verdict = classify(BENZOYLFENTANYL, day).verdicts["CN"]
        assert verdict.controlled and verdict.fentanyl_related
        reason = verdict.reasons[0]
        assert reason.rule == "CN.FRS" and reason.effective == date(2019, 5, 1)
        assert [m.clause for m in reason.modifications] == ["1"]


def test_us_class_rule_starts_with_the_february_2018_order() -> None:
    assert not classify(BENZOYLFENTANYL, date(2018, 2, 5)).verdicts["US"].controlled
    verdict = classify(BENZOYLFENTANYL, date(2018, 2, 6)).verdicts["US"]
    assert verdict.fentanyl_related and verdict.reasons[0].modifications[0].clause == "E"


def test_benzylfentanyl_is_a_us_list_i_chemical_but_fentanyl_class_in_china() -> None:
    result = classify(BENZYLFENTANYL, DAY)
    us, cn = result.verdicts["US"], result.verdicts["CN"]
    assert us.precursor and not us.fentanyl_related
    assert us.reasons[0].substance == "benzylfentanyl" and us.reasons[0].schedule == "List I"
    assert any("not a phenethyl group" in note for note in us.notes)
    assert cn.fentanyl_related and cn.reasons[0].modifications[0].clause == "4"


def test_n_methylnorfentanyl_is_chinese_class_only() -> None:
    result = classify(N_METHYLNORFENTANYL, DAY)
    assert not result.verdicts["US"].controlled
    assert result.verdicts["CN"].fentanyl_related
    assert result.verdicts["CN"].reasons[0].modifications[0].description.endswith("*C")


def test_remifentanil_is_named_although_outside_the_us_class_definition() -> None:
    us = classify(REMIFENTANIL, DAY).verdicts["US"]
    assert us.fentanyl_related and us.reasons[0].substance == "remifentanil"
    assert us.reasons[0].schedule == "Schedule II"
    assert any("*CCC(=O)OC" in note for note in us.notes)


def test_remifentanil_named_in_china_and_also_within_the_chinese_class() -> None:
    cn = classify(REMIFENTANIL, DAY).verdicts["CN"]
    assert cn.reasons[0].kind == "named"
    assert {m.clause for m in cn.reasons[0].modifications} == {"3", "4"}


def test_norfentanyl_is_a_precursor_everywhere_but_fentanyl_related_nowhere() -> None:
    result = classify(NORFENTANYL, DAY)
    for code in ("US", "CN", "UN"):
        assert result.verdicts[code].precursor and not result.verdicts[code].fentanyl_related
    assert any("excludes" in n for n in result.verdicts["CN"].notes)


def test_norfentanyl_precursor_listing_in_china_follows_its_date() -> None:
    assert not classify(NORFENTANYL, date(2024, 8, 31)).verdicts["CN"].controlled
    assert classify(NORFENTANYL, date(2024, 9, 1)).verdicts["CN"].precursor


def test_4ap_amide_is_us_list_i_by_derivative_rule() -> None:
    acetyl_4ap = "CC(=O)N1CCC(Nc2ccccc2)CC1"
    us = classify(acetyl_4ap, DAY).verdicts["US"]
    assert us.precursor and us.reasons[0].rule == "US.LIST_I.4AP"


def test_4ap_halide_needs_the_2023_rule() -> None:
    fluoro_4ap = "Fc1ccc(NC2CCNCC2)cc1"
    assert not classify(fluoro_4ap, date(2023, 11, 29)).verdicts["US"].precursor
    assert classify(fluoro_4ap, date(2023, 11, 30)).verdicts["US"].precursor


def test_4_piperidone_ketal_is_us_list_i() -> None:
    ketal = "C1CC2(CCN1)OCCO2"
    us = classify(ketal, DAY).verdicts["US"]
    assert us.precursor and "acetal" in (us.reasons[0].note or "")


def test_fused_n_aryl_is_outside_both_class_rules() -> None:
    naphthyl = "CCC(=O)N(c1ccc2ccccc2c1)C1CCN(CCc2ccccc2)CC1"
    result = classify(naphthyl, DAY)
    assert not result.verdicts["US"].controlled and not result.verdicts["CN"].controlled
    assert any("not an aromatic monocycle" in n for n in result.verdicts["US"].notes)


def test_unlisted_piperidine_substituent_is_left_for_legal_review() -> None:
    four_phenyl = "CCC(=O)N(c1ccccc1)C1(c2ccccc2)CCN(CCc2ccccc2)CC1"
    us = classify(four_phenyl, DAY).verdicts["US"]
    assert not us.controlled and any("legal review" in n for n in us.notes)


def test_salt_is_classified_as_its_parent() -> None:
    citrate = FENTANYL + ".OC(=O)CC(O)(CC(=O)O)C(=O)O"
    result = classify(citrate, DAY)
    assert result.verdicts["US"].fentanyl_related
    assert result.standardized.removed == ["O=C(O)CC(O)(CC(=O)O)C(=O)O"]


def test_protonated_salt_is_neutralised() -> None:
    result = classify("CCC(=O)N(c1ccccc1)C1CC[NH+](CCc2ccccc2)CC1.[Cl-]", DAY)
    assert result.standardized.neutralized
    assert result.standardized_smiles == classify(FENTANYL, DAY).standardized_smiles


def test_mixture_of_two_drugs_classifies_the_larger_and_warns() -> None:
    result = classify(FENTANYL + ".CN1C2CCC1C(C(=O)OC)C(OC(=O)c1ccccc1)C2", DAY)
    assert result.verdicts["US"].fentanyl_related
    assert any("mixture" in w for w in result.standardized.warnings)


def test_stereo_is_kept_or_dropped_on_request() -> None:
    smiles = "CCC(=O)N(c1ccccc1)[C@@H]1CCN(CCc2ccccc2)C[C@@H]1C"
    assert "@" in classify(smiles, DAY).standardized_smiles
    dropped = classify(smiles, DAY, keep_stereo=False)
    assert "@" not in dropped.standardized_smiles and dropped.verdicts["US"].fentanyl_related


def test_json_form_has_the_documented_keys() -> None:
    body = classify(FENTANYL, DAY).to_dict()
    assert {"input", "standardized_smiles", "inchikey", "verdicts"} <= set(body)
    assert body["inchikey"] == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
    assert set(body["verdicts"]) == {"US", "CN", "UN"}
    verdict = body["verdicts"]["US"]
    assert {"controlled", "fentanyl_related", "precursor", "reasons"} <= set(verdict)
    reason = verdict["reasons"][0]
    assert {"rule", "citation", "effective_date", "modifications"} <= set(reason)
