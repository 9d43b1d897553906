"""Staff shorthand read by mechanism, the sixth round (bot/staff_reading.py ``read``): lab tests against their upper
limit in both languages, results still to come, viral loads read apart from serology, facts denied part by part,
hedges after the finding, cycle days, two values against each other, transfusions and nadirs in Chinese ward notes,
booster outcomes, graded side effects. Never a guess: what is open is asked back (a problem), not recorded."""
from __future__ import annotations

import pytest

from tests.staff.test_staff_reading import asked, asked_not_read, read, staff  # noqa: F401 - the fixture and its helpers


# -- liver and kidney tests against their upper limit ---------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("ALT x2 ULN, Cr nl", False),                      # "x2 ULN" is "2x ULN"; Cr is creatinine
    ("bili 1.3x ULN, ALT/AST nl, Cr nl", True),
    ("转氨酶升高2倍 肌酐正常", False),
    ("ALT 1.2倍 胆红素正常 肌酐正常", True),
    ("胆红素3倍 ALT正常 肾功正常", False),
    ("肝功正常 肌酐正常", True),
])
def test_lab_tests_are_read_against_their_upper_limit_in_both_languages(staff, text, expected):
    assert read(staff, text).values.get("liver_kidney_ok") is expected


@pytest.mark.parametrize("text", [
    "Cr 180, eGFR 32",             # a bare value: no upper limit to set it against
    "肌酐偏高",                     # raised by how much?
    "肝功能轻度异常 肾功能正常",
    "肌酐280 肾功能不全",
    "LFTs pending, U&E nl",         # one group still to come
    "肝功正常 肾功待回报",
])
def test_lab_results_not_set_against_the_limit_are_asked_back(staff, text):
    assert asked_not_read(staff, text, "liver_kidney_ok")


def test_a_normal_upper_limit_named_is_no_normal_result(staff):
    """"ALT 正常上限的3倍" names the limit, it is not "normal": never read as a yes."""
    assert read(staff, "ALT 正常上限的3倍 肌酐正常").values.get("liver_kidney_ok") is not True


def test_tests_not_done_are_not_known(staff):
    found = read(staff, "肝肾功能未查")
    assert "liver_kidney_ok" in found.values and found.values["liver_kidney_ok"] is None


# -- results still to come -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, fact", [
    ("ECG LBBB, QTc pending", "qtc_ms"),
    ("EBV PCR neg, CMV PCR pending", "ebv_cmv_dna_positive"),
    ("CMV-DNA待回报", "ebv_cmv_dna_positive"),
])
def test_a_result_still_to_come_is_asked_back(staff, text, fact):
    assert asked_not_read(staff, text, fact)


def test_a_result_to_come_does_not_override_one_given(staff):
    assert read(staff, "plt 18k yesterday, repeat awaited").values == {"platelet_count": 18}


# -- viral loads and serology ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("HBsAg+ HBV DNA neg on entecavir", True),         # an undetectable load takes nothing from a positive antigen
    ("乙肝小三阳 HBV-DNA阴性", True),
    ("HBV DNA 2.3x10^4 IU/mL", True),                  # a load found is a positive test
])
def test_a_viral_load_is_read_apart_from_the_serology(staff, text, expected):
    assert read(staff, text).values.get("infection_serology_positive") is expected


def test_an_undetectable_load_beside_a_core_antibody_stays_for_the_team(staff):
    assert asked_not_read(staff, "HBsAg(-) HBcAb(+) HBV-DNA低于检测下限", "infection_serology_positive")


@pytest.mark.parametrize("text", ["乙肝五项阴性 丙肝抗体阴性", "HBV DNA undetectable"])
def test_negative_tests_of_some_infections_say_no_yes(staff, text):
    assert read(staff, text).values.get("infection_serology_positive") is not True


# -- facts denied part by part ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("EB病毒DNA阴性 巨细胞病毒DNA阴性", {"ebv_cmv_dna_positive": False}),   # the test between the name and its result
    ("no VTE hx, no PAD/CAD", {"thrombotic_disease": False}),             # venous and arterial both denied
    ("mum had DVT, pt no VTE hx", {}),                                     # the arteries are still to know
    ("no hx DM, no PUD, no VTE. on clopi", {"diabetes": False, "stomach_ulcer": False, "antiplatelet_drugs": True}),
])
def test_a_fact_of_several_parts_is_denied_only_when_every_part_is(staff, text, expected):
    assert read(staff, text).values == expected


# -- hedges, causes and cycle days -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, fact", [
    ("plt 14, CIT likely, BM bx pending", "chemo_induced_thrombocytopenia"),   # the hedge after the finding
    ("考虑化疗相关血小板减少", "chemo_induced_thrombocytopenia"),                 # 考虑: the working impression
    ("疑似ITP 待骨穿", "chemo_induced_thrombocytopenia"),                         # another cause queried
    ("?ITP vs CIT, haem r/v pending, plt 12", "chemo_induced_thrombocytopenia"),  # a query weighing two causes
    ("PV bleeding ?cause, gynae r/v", "other_abnormal_bleeding"),                 # its cause queried
])
def test_a_hedged_finding_is_asked_back(staff, text, fact):
    assert asked_not_read(staff, text, fact)


def test_a_treatment_named_only_as_planned_leaves_the_last_one_asked(staff):
    assert asked_not_read(staff, "palliative RT planned next wk", "last_radiotherapy")


def test_another_cause_named_outright_is_a_no(staff):
    assert read(staff, "ITP not CIT per haem").values == {"chemo_induced_thrombocytopenia": False}


@pytest.mark.parametrize("text, count", [
    ("58F SCLC plt 16k d+14 C3 carbo/etop", 16),   # "16k d" is no time of 16,000 days
    ("女62 肺癌 PLT 22 化疗后第14天 特比澳用了3天没升", 22),
])
def test_a_cycle_day_is_no_time_since_the_last_dose(staff, text, count):
    found = read(staff, text)
    assert found.values["platelet_count"] == count
    assert "last_chemotherapy" not in found.values and "last_chemotherapy" in asked(found)


# -- counts -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["plt 17 vs 24 on repeat, ?lab error", "PLT 1.9万 输血小板后3.5万",
                                  "PLT 12 输注血小板1个治疗量后 复查PLT 30"])
def test_two_counts_against_each_other_or_around_a_transfusion_are_asked_back(staff, text):
    assert asked_not_read(staff, text, "platelet_count")


def test_the_count_now_beside_the_lowest_stands(staff):
    assert read(staff, "血小板最低1.2万 现2.5万").values == {"platelet_count": 25}
    assert asked_not_read(staff, "血小板最低1.2万", "platelet_count")


# -- boosters ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("IL-11 x5d, plt unchanged at 19", True),           # given daily for days, no rise
    ("特比澳7天 PLT 1.6万→1.8万 效果不佳", True),        # the outcome said after the counts
    ("特比澳后PLT升至6万 已停", False),                  # it worked
])
def test_booster_outcomes(staff, text, expected):
    assert read(staff, text).values.get("platelet_boosters_failed") is expected


def test_a_booster_under_way_has_no_outcome(staff):
    assert "platelet_boosters_failed" not in read(staff, "IL-11 x3d still on it").values


# -- graded side effects and blood pressure control --------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("mucositis G2 ongoing", True),
    ("口腔溃疡II度 未缓解", True),
    ("G2 neuropathy resolved", False),
])
def test_a_graded_side_effect(staff, text, expected):
    assert read(staff, text).values.get("treatment_toxicity_unresolved") is expected


def test_a_grade_1_side_effect_still_there_is_for_the_team(staff):
    assert asked_not_read(staff, "CTCAE G1 fatigue, rest resolved", "treatment_toxicity_unresolved")


@pytest.mark.parametrize("text, expected", [("高血压3级 药物控制可", False), ("高血压 血压控制差", True)])
def test_hypertension_control_in_a_chinese_note(staff, text, expected):
    assert read(staff, text).values.get("uncontrolled_hypertension") is expected
