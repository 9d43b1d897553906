"""Chinese answers read by the mechanisms of the sixth zh-CN round (zh-CN/dev/fresh_round_6.yml): the week before
last, a holiday drawn near, how long a treatment went on, a month's number that is no age, the lowest count ever,
"医生没说", a relative set against the person or named as the one asked about, the cancer now beside one before,
a question to the bot beside an answer with a comma, past and over to a question about now, a denial said of
several named together. Today is Tuesday 2026-12-01."""
from __future__ import annotations

import pytest

from bot.parsing import acts, chinese
from tests.unit.test_reading_chinese_dates import engine, read  # noqa: F401 (the screening on the benchmark's day)
from tests.unit.test_reading_chinese_round3 import asked_back

BASICS = ["cancer_type", "age", "sex", "childbearing_potential", "last_chemotherapy", "last_radiotherapy"]
HEART = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia"]


@pytest.mark.parametrize("message", ["上上周打的化疗", "上上个礼拜", "上上星期做的"])
def test_the_week_before_last_is_its_monday_to_sunday(engine, message):
    assert read(engine, "last_chemotherapy", message).facts["last_chemotherapy"] == "2026-11-16/2026-11-22"


@pytest.mark.parametrize("message", ["快过国庆的时候打的", "快到国庆那会儿", "临近国庆"])
def test_a_holiday_drawn_near_is_a_bound_not_its_day(engine, message):
    assert "last_chemotherapy" not in read(engine, "last_chemotherapy", message).facts  # asked again


def test_how_long_a_treatment_went_on_is_not_how_long_ago(engine):
    said = read(engine, BASICS, "我丈夫 58 食管癌 放疗做了一个月 上周刚结束")
    assert said.facts["last_radiotherapy"] in ("2026-11-23/2026-11-29", "2026-11-22/2026-11-29")
    assert "last_chemotherapy" not in read(engine, "last_chemotherapy", "化疗做了两个月了").facts  # still going on: asked


def test_a_months_number_is_no_age(engine):
    assert "age" not in read(engine, BASICS, "我妈宫颈癌，放化疗一起做的，10月底都结束了").facts


@pytest.mark.parametrize("message", ["最低的时候1万", "最低到过8", "最少的时候才5个"])
def test_the_lowest_count_ever_is_no_latest_count(engine, message):
    assert asked_back(read(engine, "platelet_count", message), "platelet_count")


@pytest.mark.parametrize("question, message", [("uncontrolled_organ_disease", "这个医生没说"), ("bundle_branch_block", "医生没提过"),
                                               ("uncontrolled_hypertension", "医生没说")])
def test_what_the_doctor_did_not_say_is_not_known(engine, question, message):
    said = read(engine, question, message)
    assert question in said.facts and said.facts[question] is None


def test_the_doctor_not_saying_something_is_no_unknown(engine):
    assert not chinese.DOCTOR_UNTOLD.search("医生没说有问题")
    said = read(engine, "diabetes", "医生没说")  # a question the person can answer: a doubt, asked back
    assert "diabetes" not in said.facts and "diabetes" in said.checks


def test_agreeing_to_contraception_is_no_consent(engine):
    said = read(engine, "uses_contraception", "愿意配合避孕")
    assert said.facts.get("uses_contraception") is True and "willing_to_consent" not in said.facts


def test_a_no_then_the_relative_who_has_it(engine):
    said = read(engine, "diabetes", "没有，是我爸有糖尿病")
    assert said.facts["diabetes"] is False and "sex" not in said.facts


def test_another_relative_is_someone_else_when_the_message_says_whom_it_is_about(engine):
    said = read(engine, "cancer_type", "我爸是肺癌，我妈是乳腺癌，我问的是我爸")
    assert said.facts["cancer_type"] == "solid_tumour"
    said = read(engine, HEART, "我妈都没有，我爸有冠心病")
    assert all(said.facts[key] is False for key in HEART)
    # two relatives, two cancers, and nothing to say whose: asked
    assert "cancer_type" not in read(engine, "cancer_type", "我爸是肝癌，我妈是白血病").facts


@pytest.mark.parametrize("message, kind", [("我妈以前得过乳腺癌，现在是淋巴瘤", "blood_cancer"), ("以前是淋巴瘤，现在又查出肺癌", "solid_tumour")])
def test_the_cancer_now_beside_one_before(engine, message, kind):
    assert read(engine, "cancer_type", message).facts["cancer_type"] == kind


def test_two_cancers_both_now_are_asked(engine):
    assert "cancer_type" not in read(engine, "cancer_type", "肺癌和淋巴瘤").facts


@pytest.mark.parametrize("message, act", [("能不能让医生给我打个电话", acts.ASK_HUMAN), ("我不想留信息了，帮我删了", acts.DELETE_ANSWERS),
                                          ("帮我删掉", acts.DELETE_ANSWERS)])
def test_chinese_acts(message, act):
    assert acts.act_in_words(message) == act


def test_a_question_beside_an_answer_after_a_comma(engine):
    said = read(engine, "platelet_count", "26，这药安全吗")
    assert said.facts["platelet_count"] == 26 and said.also == acts.ASK_DRUG


@pytest.mark.parametrize("question", ["bleeding_tendency", "sepsis", "stomach_ulcer"])
def test_past_and_over_is_no_to_a_question_about_now(engine, question):
    assert read(engine, question, "以前有，现在好了").facts[question] is False


def test_past_and_better_is_not_over(engine):
    assert "bleeding_tendency" not in read(engine, "bleeding_tendency", "以前有，现在好多了").facts


def test_past_and_over_is_not_no_to_an_ever_question(engine):
    assert read(engine, "infection_serology_positive", "以前有，现在好了").facts.get("infection_serology_positive") is not False


def test_a_denial_after_several_named_together_denies_each(engine):
    assert "infection_serology_positive" not in read(engine, "infection_serology_positive", "乙肝丙肝都是阴性").facts
    assert chinese.LIST_DENIED_AFTER.match("丙肝都是阴性")
    assert not chinese.LIST_DENIED_AFTER.match("别的都没有")


def test_weaned_is_not_breastfeeding(engine):
    assert read(engine, "breastfeeding", "孩子早断奶了").facts["breastfeeding"] is False


def test_an_own_transplant_is_no_yes(engine):
    said = read(engine, ["thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"],
                "做过骨髓移植，自己的，其他没有")
    assert said.facts.get("transplant") is not True
