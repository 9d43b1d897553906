"""Facts found in everyday and clinical phrasings, asked for or volunteered."""
from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.facts import NEVER
from tests.conftest import TODAY


def facts_in(text, vocabulary, expecting=None):
    definitions = [vocabulary[expecting]] if expecting else []
    return extract(text, vocabulary, definitions, TODAY)


@pytest.mark.parametrize("text, expected", [
    ("62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3",
     {"age": 62, "sex": "female", "cancer_type": "solid_tumour", "platelet_count": 22,
      "last_chemotherapy": "2026-10-12", "platelet_boosters_failed": True}),
    ("my platelets were 22 thousand", {"platelet_count": 22}),
    ("platelet count 22 x10^9/L", {"platelet_count": 22}),
    ("platelets: 22000 per microliter", {"platelet_count": 22}),
    ("my mother is 67", {"age": 67}),
    ("I'm 45 years old and I take aspirin", {"age": 45, "antiplatelet_drugs": True}),
    ("no aspirin or clopidogrel", {"antiplatelet_drugs": None}),  # ticagrelor? still to ask
    ("no antiplatelet medicines", {"antiplatelet_drugs": False}),
    ("I had my last chemo about six weeks ago", {"last_chemotherapy": "2026-10-12"}),
    ("I never had radiotherapy", {"last_radiotherapy": NEVER}),
    ("hepatitis B negative", {"infection_serology_positive": None}),  # says nothing of HIV
    ("HIV positive, HBV negative", {"infection_serology_positive": True}),
    ("failed IL-11 once", {"platelet_boosters_failed": False}),
    ("71M CRC", {"cancer_type": "solid_tumour"}),
    ("she has breast cancer", {"cancer_type": "solid_tumour"}),
    ("diagnosed with lymphoma", {"cancer_type": "blood_cancer"}),
])
def test_volunteered_facts(vocabulary, text, expected):
    found = facts_in(text, vocabulary)
    for key, value in expected.items():
        assert found.values.get(key) == value, (key, found.values)


@pytest.mark.parametrize("text, expecting, value", [
    ("22k", "platelet_count", 22),
    ("twenty two thousand", "platelet_count", 22),
    ("22", "platelet_count", 22),
    ("18 x 10^9/L", "platelet_count", 18),
    ("six weeks ago", "last_chemotherapy", "2026-10-12"),
    ("since March 3", "last_chemotherapy", "2026-03-03"),
    ("about two months", "last_chemotherapy", "2026-09-23"),
    ("sixty seven", "age", 67),
    ("430", "qtc_ms", 430),
])
def test_answers_to_the_open_question(vocabulary, text, expecting, value):
    assert facts_in(text, vocabulary, expecting).values.get(expecting) == value


@pytest.mark.parametrize("text, expecting", [
    ("250", "age"),
    ("5000 x10^9/L", "platelet_count"),
])
def test_implausible_values_get_a_check_back_not_a_value(vocabulary, text, expecting):
    found = facts_in(text, vocabulary, expecting)
    assert expecting not in found.values
    assert found.problems and "check" in found.problems[0].message


def test_a_future_date_is_questioned(vocabulary):
    found = facts_in("next week", vocabulary, "last_chemotherapy")
    assert "last_chemotherapy" not in found.values and found.problems


def test_a_number_is_not_read_twice(vocabulary):
    found = facts_in("my mother is 67", vocabulary, "platelet_count")
    assert found.values == {"age": 67, "sex": "female"} and found.subject == "your mother"


def test_trial_ids_are_recognised(vocabulary):
    assert facts_in("can I join nct05236582?", vocabulary).trial_ids == ["NCT05236582"]


@pytest.mark.parametrize("text, expected", [
    ("I'm 62 and postmenopausal", {"age": 62, "childbearing_potential": False}),
    ("she had a hysterectomy", {"childbearing_potential": False}),
    ("I take aspirin every day", {"antiplatelet_drugs": True}),
    ("I'm seventeen", {"age": 17}),
    ("my mother is sixty-seven", {"age": 67}),
])
def test_phrasings_that_answer_no_or_give_an_age_in_words(vocabulary, text, expected):
    found = facts_in(text, vocabulary)
    for key, value in expected.items():
        assert found.values.get(key) == value, (key, found.values)


@pytest.mark.parametrize("text", ["I stopped taking aspirin last year", "I used to take clopidogrel",
                                  "off aspirin", "no aspirin"])
def test_one_medicine_stopped_is_no_answer_for_the_others(vocabulary, text):
    # asked about antiplatelet medicines, "no aspirin" is offered back as a "no" (bot/understanding.py)
    asked = facts_in(text, vocabulary, expecting="antiplatelet_drugs")
    assert "antiplatelet_drugs" not in asked.values and "antiplatelet_drugs" in asked.partly_denied
    assert "antiplatelet_drugs" not in facts_in(text, vocabulary).values  # other medicines may still be taken


@pytest.mark.parametrize("text, fact", [
    ("plt 22k, epistaxis, no bleeding hx", "bleeding_tendency"),
    ("no bleeding hx, nosebleeds", "bleeding_tendency"),
    ("58M NSCLC and CLL", "cancer_type"),
])
def test_a_message_that_says_both_settles_nothing_and_says_so(vocabulary, text, fact):
    found = facts_in(text, vocabulary)
    assert fact not in found.values and [p.fact for p in found.problems] == [fact]


@pytest.mark.parametrize("text", ["my last chemo ended three weeks ago", "chemo ended on 1 November",
                                  "I'm seventeen"])
def test_a_date_or_an_age_is_not_also_the_answer_to_the_number_question(vocabulary, text):
    found = facts_in(text, vocabulary, expecting="platelet_count")
    assert "platelet_count" not in found.values, found.values


@pytest.mark.parametrize("text, fact", [
    ("survival benefit?", "survival_six_months"),  # a mention is not a yes
    ("renal function normal, awaiting LFTs", "liver_kidney_ok"),  # one organ of two
    ("my tubes are tied", "childbearing_potential"),  # contraception, not permanent sterility
])
def test_half_statements_settle_nothing(vocabulary, text, fact):
    assert fact not in facts_in(text, vocabulary).values


def test_only_a_transplant_from_a_donor_excludes(vocabulary):
    assert facts_in("autologous stem cell transplant", vocabulary).values["transplant"] is False
    assert facts_in("allogeneic stem cell transplant", vocabulary).values["transplant"] is True
    assert facts_in("life expectancy under 6 months", vocabulary).values["survival_six_months"] is False


@pytest.mark.parametrize("text, subject, sex", [
    ("my mother is 67", "your mother", "female"),
    ("I am asking for my dad", "your dad", "male"),
    ("my wife", "your wife", "female"),
    # only mentioned: a woman whose husband is named does not become male (and skip the pregnancy questions)
    ("I'm 45, my husband says I bruise easily", None, None),
    ("my husband drives me to chemo", None, None),
    ("stem cell transplant from my brother", None, None),
])
def test_a_relative_is_the_subject_only_when_the_message_is_about_them(vocabulary, text, subject, sex):
    found = facts_in(text, vocabulary)
    assert (found.subject, found.values.get("sex")) == (subject, sex), found.values


@pytest.mark.parametrize("text, subject, age", [
    ("my mother, 67, lung cancer", "your mother", 67),
    ("my dad is 71 with NSCLC", "your dad", 71),
    ("for my wife, 58, breast cancer", "your wife", 58),
    ("my father (71) has NSCLC", "your father", 71),
    ("my husband: 58, NSCLC", "your husband", 58),
])
def test_a_bare_number_right_after_the_relative_is_their_age(vocabulary, text, subject, age):
    found = facts_in(text, vocabulary, expecting="platelet_count")  # not also a platelet count of 67
    assert (found.subject, found.values.get("age")) == (subject, age), found.values
    assert "platelet_count" not in found.values and found.values["cancer_type"] == "solid_tumour"


@pytest.mark.parametrize("text", ["my mother, plt 22k", "my mother, 22 thousand", "my mother, 22,000",
                                  "she's 22 thousand", "my mother's 22 thousand", "she is twenty two thousand"])
def test_a_count_after_the_relative_is_not_an_age(vocabulary, text):
    assert "age" not in facts_in(text, vocabulary).values
    found = facts_in(text, vocabulary, expecting="platelet_count")
    assert found.values.get("platelet_count") == 22 and "age" not in found.values and not found.problems


@pytest.mark.parametrize("text", ["I've never been tested for hepatitis", "never had a test for HIV",
                                  "I have never been tested for HIV or hepatitis",
                                  "never tested for HIV, hep B negative"])
def test_never_tested_is_not_a_negative_result(vocabulary, text):
    assert "infection_serology_positive" not in facts_in(text, vocabulary, "infection_serology_positive").values
    assert "infection_serology_positive" not in facts_in(text, vocabulary).values


def test_a_positive_result_still_answers_the_infection_question(vocabulary):
    found = facts_in("never been tested for HIV, but I had hepatitis B", vocabulary, "infection_serology_positive")
    assert found.values["infection_serology_positive"] is True


@pytest.mark.parametrize("text", ["never had hepatitis", "never tested positive for HIV"])
def test_one_infection_denied_leaves_the_others_to_ask_back(vocabulary, text):
    found = facts_in(text, vocabulary, "infection_serology_positive")
    assert "infection_serology_positive" not in found.values and "infection_serology_positive" in found.partly_denied


@pytest.mark.parametrize("text, qtc", [
    ("QT/QTc 400/440 ms", 440),  # as ECG reports print them
    ("QT/QTcB: 384/421 ms", 421),
    ("QT interval 440, QTc 470", 470),
    ("QTc 470 QT 440", 470),
    ("corrected QT 450", 450),
    ("QTcF 445 ms", 445),
])
def test_only_the_qtc_is_read_as_the_qtc(vocabulary, text, qtc):
    assert facts_in(text, vocabulary).values.get("qtc_ms") == qtc
    assert facts_in(text, vocabulary, "qtc_ms").values.get("qtc_ms") == qtc


@pytest.mark.parametrize("expecting", [None, "qtc_ms", "platelet_count"])
def test_a_plain_qt_is_not_the_qtc_nor_any_other_answer(vocabulary, expecting):
    # a QT of 440 ms can be a QTc over 480 ms: read as the QTc, it could pass a limit the person fails
    assert facts_in("my QT was 440", vocabulary, expecting).values == {}


@pytest.mark.parametrize("text, expected", [
    ("ALT 3x ULN", False), ("AST 1.6 x ULN, creat nl", False),
    ("renal function normal, bilirubin 3x ULN", False),  # one organ of two, but that one above the limit ("my ALT was 2 times the upper limit", False),
    ("bili 1.2x ULN, ALT/AST nl, creat nl", True), ("LFTs/U&Es normal", True),
    ("ALT nl", None),  # the kidney tests are not said
])
def test_lab_tests_against_their_upper_limit_of_normal(vocabulary, text, expected):
    assert extract(text, vocabulary, [], TODAY, clinical=True).values.get("liver_kidney_ok") is expected


@pytest.mark.parametrize("text, expected", [
    ("LE 3 mo", False), ("prognosis weeks", False), ("life expectancy under six months", False), ("est survival >6/12", True), ("poor prognosis", None),
    ("prognosis 6 months", None),
])
def test_a_prognosis_as_a_length_of_time_against_six_months(vocabulary, text, expected):
    assert extract(text, vocabulary, [], TODAY, clinical=True).values.get("survival_six_months") is expected


@pytest.mark.parametrize("text", ["20-25k", "15 to 20", "twenty-something"])
def test_a_span_of_counts_is_no_value_but_a_bound_to_follow_up(vocabulary, text):
    found = facts_in(text, vocabulary, expecting="platelet_count")
    assert "platelet_count" not in found.values and "platelet_count" in found.bounds


def test_a_value_follows_its_label_before_one_that_precedes_it(vocabulary):
    assert facts_in("hb 90 neut 1.2 plt 27", vocabulary).values["platelet_count"] == 27
    assert facts_in("22k plts", vocabulary).values["platelet_count"] == 22


@pytest.mark.parametrize("text, value", [("CMV positive after my transplant", None), ("bone marrow transplant in 2020", None),
                                         ("allogeneic stem cell transplant 2022", True), ("stem cell transplant from my brother", True),
                                         ("I had a kidney transplant in 2010", True)])
def test_a_transplant_said_in_passing_without_whose_cells_is_offered_back(vocabulary, text, value):
    found = extract(text, vocabulary, [], TODAY)
    assert found.values.get("transplant") is value
    assert ("transplant" in found.unsure) is (value is None)
