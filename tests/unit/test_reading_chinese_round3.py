"""Chinese answers read by the mechanisms of the third zh-CN round: dates written with a point, in two units, by a
solar holiday or with a slip; "none since"; a trend of counts; the writer's own age beside the patient's; a body site
that names no cancer of its own; slips of the same sound; verbs apart from their objects; what is said to be over.
Today is Tuesday 2026-12-01."""
from __future__ import annotations

import pytest

from bot.facts import NEVER
from tests.unit.test_reading_chinese_dates import engine, read  # noqa: F401 (the screening on the benchmark's day)


def asked_back(understanding, key: str) -> bool:
    return key not in understanding.facts and (key in understanding.checks or key in understanding.follow_ups
                                               or key in understanding.options)


@pytest.mark.parametrize("message, value", [
    ("10.20打的 紫杉醇", "2026-10-20"),          # month.day with a point
    ("hualiao结束一个月零三天", "2026-10-29"),      # a length in two units
    ("两周零三天前", "2026-11-14"),
    ("十一长假那几天", "2026-10-01/2026-10-07"),    # the National Day week
    ("国庆前后", "2026-09-24/2026-10-08"),
    ("放了28次 国庆前一天结束", "2026-09-30"),
    ("上个月5好", "2026-11-05"),                  # 好 for 号
    ("化疗打完最后一针是上个月28", "2026-11-28"),     # the day's 号 left unsaid
    ("10月中下旬", "2026-10-11/2026-10-31"),
    ("9月底10月初", "2026-09-21/2026-10-10"),        # across two months
    ("今年3月份以后就没化疗了", "2026-03-01/2026-03-31"),  # none since March: the last was then, not never
])
def test_chinese_ways_of_saying_when(engine, message, value):
    question = "last_radiotherapy" if "放" in message else "last_chemotherapy"
    assert read(engine, question, message).facts[question] == value


@pytest.mark.parametrize("message", ["最后一次是11.10", "国庆节前", "国庆节后3天", "中秋节前后做的最后一次"])
def test_a_date_that_could_be_two_days_or_is_only_a_bound_or_a_lunar_feast_is_not_stored(engine, message):
    assert "last_chemotherapy" not in read(engine, "last_chemotherapy", message).facts


def test_a_count_with_a_point_is_no_date(engine):
    assert read(engine, "platelet_count", "PLT 2.2万").facts["platelet_count"] == 22


def test_never_said_of_both_treatments_asked_together(engine):
    facts = read(engine, ["last_chemotherapy", "last_radiotherapy"], "都没做过").facts
    assert facts == {"last_chemotherapy": NEVER, "last_radiotherapy": NEVER}


@pytest.mark.parametrize("message, value", [("昨天查是23，前天是19", 23), ("上次是4万，这次掉到1万了", 10),
                                            ("上周是45，昨天复查掉到19了", 19)])
def test_of_a_trend_of_counts_the_latest_is_offered_back(engine, message, value):
    """Two values, each dated: the latest is the count asked for, offered back for the person to confirm (issue 12)."""
    understanding = read(engine, "platelet_count", message)
    assert understanding.checks["platelet_count"] == value and "platelet_count" not in understanding.facts


@pytest.mark.parametrize("message", ["输了血小板以后32，输之前只有9", "最低的时候掉到过五千，现在两万多", "23和19",
                                     "26，上次是19", "最低的时候8，现在30"])
def test_counts_around_a_transfusion_a_bound_or_one_undated_are_asked(engine, message):
    assert asked_back(read(engine, "platelet_count", message), "platelet_count")


@pytest.mark.parametrize("message, age", [("我今年45，我老伴50，是我老伴生病", 50), ("我是她女儿，我35，我妈72", 72),
                                          ("六十有五", 65), ("明天就满60了", 59), ("我妈下个月就满70了", 69)])
def test_the_patients_age_not_the_writers_and_a_birthday_to_come(engine, message, age):
    assert read(engine, "age", message).facts["age"] == age


def test_a_spouse_said_as_laoban_has_no_sex(engine):
    assert "sex" not in read(engine, "age", "我老伴今年67").facts


@pytest.mark.parametrize("message, kind", [("淋巴瘤骨髓侵犯", "blood_cancer"), ("胃淋巴瘤", "blood_cancer"),
                                           ("乳腺癌肺转移", "solid_tumour"), ("骨转移瘤，原发灶没找到", "solid_tumour"),
                                           ("飞癌", "solid_tumour"), ("淋巴流", "blood_cancer"), ("白血并", "blood_cancer"),
                                           ("急淋", "blood_cancer"), ("慢粒", "blood_cancer"), ("淋巴结转移癌", "solid_tumour")])
def test_a_site_that_names_no_cancer_of_its_own_and_slips_of_the_same_sound(engine, message, kind):
    assert read(engine, "cancer_type", message).facts["cancer_type"] == kind


def test_a_slip_is_read_only_in_the_questions_own_words(engine):
    assert read(engine, "sex", "难").facts["sex"] == "male"
    assert "sex" not in read(engine, "sex", "难受").facts


@pytest.mark.parametrize("question, message, value", [
    ("severe_bleeding", "前天吐了点血，去急诊了", True),
    ("bleeding_tendency", "这两天流了好几次鼻血", True),
    ("bleeding_tendency", "以前流过鼻血，现在没有了", False),     # said to be over now
    ("severe_bleeding", "脑出血是三年前的事了", False),
])
def test_a_verb_apart_from_its_object_and_what_is_said_to_be_over(engine, question, message, value):
    assert read(engine, question, message).facts[question] is value


@pytest.mark.parametrize("question, message", [("last_radiotherapy", "做过几次伽马刀，9月份"),
                                               ("severe_bleeding", "吃了铁剂大便发黑")])
def test_radiosurgery_and_black_stools_from_iron_are_asked(engine, question, message):
    assert asked_back(read(engine, question, message), question)


@pytest.mark.parametrize("message, value", [("TPO打了7天 血小板还是十几", True), ("打了好几次IL-11，升的不明显", True),
                                            ("特比澳打了一周，血小板没怎么升", True), ("打过巨和粒，升了", False),
                                            ("升板针打了一次就出院了", False)])
def test_boosters_that_did_or_did_not_raise_the_count(engine, message, value):
    assert read(engine, "platelet_boosters_failed", message).facts["platelet_boosters_failed"] is value


def test_the_study_drug_named_in_an_answer_is_no_question_about_it(engine):
    understanding = read(engine, "platelet_boosters_failed", "吃的海曲泊帕，没打针")
    assert understanding.act == "answer"
    assert read(engine, "platelet_boosters_failed", "海曲泊帕是什么药").act == "ask_drug"


@pytest.mark.parametrize("message", ["特比奥一直在打 效果还不知道", "还在打，看看效果"])
def test_boosters_still_given_are_asked_not_taken_as_unknown(engine, message):
    assert asked_back(read(engine, "platelet_boosters_failed", message), "platelet_boosters_failed")


@pytest.mark.parametrize("message", ["去年开始老流鼻血", "以前好了，最近又流鼻血"])
def test_a_past_time_that_goes_on_to_now_is_no_no(engine, message):
    assert read(engine, "bleeding_tendency", message).facts.get("bleeding_tendency") is not False


@pytest.mark.parametrize("message", ["国庆假期后", "国庆长假以后就没做了", "10.20还是10.21"])
def test_a_holiday_said_as_a_bound_or_one_of_two_dotted_days_is_not_stored(engine, message):
    assert "last_chemotherapy" not in read(engine, "last_chemotherapy", message).facts


def test_a_dotted_day_with_its_hao_keeps_its_month_first(engine):
    assert read(engine, "last_chemotherapy", "10.5号").facts["last_chemotherapy"] == "2026-10-05"
