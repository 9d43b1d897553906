"""Chinese and mixed Chinese/English messages through the same understanding step as English
(bot/understanding.py): what a Chinese patient or carer types is read, an unsure reading is asked back
and never stored, and nothing comes from junk or another script."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.conversation import Screening, State, Turn
from bot.facts import NEVER
from bot.parsing.answers import classify_reply
from bot.parsing.language import NO_WORDS, OTHER_SCRIPT, unreadable
from bot.parsing.quantities import find_measurements
from bot.parsing.when import parse_when
from bot.understanding import Context

TODAY = date(2026, 12, 1)


def at(question, **facts) -> State:
    return State(consent=True, facts=dict(facts), pending=question if isinstance(question, list) else [question])


def read(engine: Screening, question, message: str, intent=None, confidence=None, **facts):
    """What the message answers to the question: (facts stored, readings offered back, follow-ups)."""
    state = at(question, **facts)
    understood = engine.understand(state, Turn(message, intent, confidence))
    return understood


def answered(engine: Screening, question, message: str, **facts):
    return engine.respond(at(question, **facts), Turn(message)).state


# -- the first thing: "不", "没有", "我不知道" are no "yes" -------------------------------------------

@pytest.mark.parametrize("message, reply", [
    ("不", "no"), ("没有", "no"), ("没", "no"), ("无", "no"), ("不是", "no"), ("都没有", "no"), ("从来没有", "no"),
    ("我没有", "no"), ("我妈没有", "no"), ("不了，谢谢", "no"), ("不用了", "no"),
    ("是", "yes"), ("对", "yes"), ("有", "yes"), ("嗯", "yes"), ("是的", "yes"), ("有的", "yes"), ("好的", "yes"),
    ("可以", "yes"), ("没问题", "yes"), ("没错", "yes"), ("嗯嗯可以开始", "yes"),
    ("我不知道", "unknown"), ("不清楚", "unknown"), ("不记得了", "unknown"), ("说不准", "unknown"),
    ("不太清楚", "unknown"), ("记不清了", "unknown"), ("要问问医生", "unknown"),
    ("有没有", None), ("没用", None),
])
def test_yes_no_and_dont_know_in_their_chinese_forms(message, reply):
    assert classify_reply(message) == reply


@pytest.mark.parametrize("message", ["不", "没有", "我不知道", "不是"])
def test_a_chinese_no_or_dont_know_never_gives_consent_however_sure_the_model(engine, message):
    state = engine.respond(State(), Turn("hi")).state
    outcome = engine.respond(state, Turn(message, "affirm", 0.99))
    assert not outcome.state.consent


@pytest.mark.parametrize("message, value", [("没有", False), ("不", False), ("无", False), ("有", True), ("是的", True)])
def test_a_chinese_yes_or_no_answers_the_question(engine, message, value):
    assert answered(engine, "diabetes", message).facts["diabetes"] is value


def test_i_dont_know_in_chinese_is_not_known_not_a_yes(engine):
    assert answered(engine, "diabetes", "我不知道", ).facts["diabetes"] is None


@pytest.mark.parametrize("message, offered", [("好像没有", False), ("应该没有吧", False), ("可能有", True), ("医生没说", False)])
def test_a_hedged_chinese_answer_is_asked_back_never_stored(engine, message, offered):
    understood = read(engine, "diabetes", message)
    assert "diabetes" not in understood.facts and understood.checks == {"diabetes": offered}


@pytest.mark.parametrize("message", ["应该没有", "应该没有。"])
def test_i_dont_think_so_in_chinese_said_alone_is_a_no(engine, message):
    """"应该没有" alone is how people say no, as "I don't think so" is (the corpus's CONVENTIONS.md)."""
    assert read(engine, "diabetes", message).facts == {"diabetes": False}


@pytest.mark.parametrize("message, value", [("大概两万左右", 20), ("22左右吧", 22), ("雪小板才九", 9), ("白细胞3.2，血小板28", 28)])
def test_an_approximate_or_lone_count_is_a_value(engine, message, value):
    assert read(engine, "platelet_count", message).facts == {"platelet_count": value}


@pytest.mark.parametrize("message", ["两三万吧", "好像是2.3万", "白细胞2.1，血红蛋白85"])
def test_a_range_a_doubt_or_another_tests_number_is_no_count(engine, message):
    assert "platelet_count" not in read(engine, "platelet_count", message).facts


def test_a_count_in_grams_is_offered_back_as_ten_to_the_nine_per_litre(engine):
    """"19g/L": grams count no cells; the lower-case g for G (10^9/L) is the likely slip, confirmed first."""
    understood = read(engine, "platelet_count", "19g/L")
    assert "platelet_count" not in understood.facts and understood.checks == {"platelet_count": 19}


@pytest.mark.parametrize("message", ["妊娠期有过血小板低", "怀孕的时候血小板就低"])
def test_a_past_pregnancy_named_as_a_time_is_not_pregnant_now(engine, message):
    assert read(engine, ["pregnant", "breastfeeding"], message).facts.get("pregnant") is not True


def test_a_relatives_illness_then_we_all_have_none(engine):
    understood = read(engine, ["diabetes", "sepsis"], "我爸有糖尿病，我都没有")
    assert understood.facts == {"diabetes": False, "sepsis": False}


def test_a_yes_only_the_model_heard_in_chinese_is_asked_back(engine):
    understood = read(engine, "diabetes", "这个嘛", "affirm", 0.99)
    assert "diabetes" not in understood.facts


# -- readable Chinese, unreadable junk and other scripts ------------------------------------------

@pytest.mark.parametrize("text, reason", [
    ("不", None), ("没有", None), ("血小板两万二", None), ("PLT 22, 特比澳无效", None), ("女62 肺癌", None),
    ("啊啊啊啊", NO_WORDS), ("龘靐齉", NO_WORDS),
    ("нет", OTHER_SCRIPT), ("لا", OTHER_SCRIPT), ("아니요", OTHER_SCRIPT), ("いいえ", OTHER_SCRIPT), ("分かりません", OTHER_SCRIPT),
])
def test_han_text_is_read_while_junk_and_other_scripts_are_not(text, reason):
    assert unreadable(text, {"特比澳"}) == reason


# -- the turn kinds in Chinese ---------------------------------------------------------------------

@pytest.mark.parametrize("message, act", [
    ("为什么问这个", "why"), ("问我年龄做什么", "why"), ("重新开始", "start_over"), ("删除我的回答", "delete_answers"),
    ("把我刚才说的都删了", "delete_answers"), ("我说过什么", "show_facts"), ("直接告诉我结果", "show_verdict"),
    ("我到底能不能参加", "show_verdict"), ("我想跟人说话", "ask_human"), ("转人工", "ask_human"), ("在哪家医院", "ask_location"),
    ("必须去天津吗", "ask_location"), ("这个药是什么", "ask_drug"), ("海曲泊帕是什么？", "ask_drug"), ("怎么报名", "ask_contact"),
    ("你是机器人吗", "bot_challenge"), ("你好", "greet"), ("谢谢", "thanks"), ("再见", "goodbye"),
])
def test_the_turn_kinds_in_chinese(engine, message, act):
    assert read(engine, "platelet_count", message).act == act


# -- facts in Chinese ----------------------------------------------------------------------------

@pytest.mark.parametrize("message", ["两万二", "2.2万", "二十二", "22×10⁹/L", "血小板22", "PLT 22", "2万2", "22000", "血小板两万二"])
def test_a_platelet_count_as_chinese_patients_write_it(engine, message):
    assert read(engine, "platelet_count", message).facts == {"platelet_count": 22}


@pytest.mark.parametrize("message", ["两万多", "超过两万", "不到三万", "快两万了"])
def test_a_bound_on_the_platelet_count_is_asked_again_not_stored(engine, message):
    understood = read(engine, "platelet_count", message)
    assert "platelet_count" not in understood.facts and "platelet_count" in understood.follow_ups


@pytest.mark.parametrize("message", ["最近一次是两万五", "输了两袋血小板，现在25", "3号查的，25"])
def test_a_number_counting_something_else_is_not_the_count(engine, message):
    """"一次" (once: the latest time), "两袋" (two bags), "3号" (the 3rd) are no platelet counts."""
    assert read(engine, "platelet_count", message).facts == {"platelet_count": 25.0}


def test_a_drug_with_platelet_in_its_name_gives_no_count(engine):
    understood = read(engine, "platelet_boosters_failed", "重组人血小板生成素打过三次，效果不好")
    assert understood.facts == {"platelet_boosters_failed": True}


@pytest.mark.parametrize("message, age", [("六十二岁", 62), ("62岁", 62), ("今年六十二", 62), ("62", 62)])
def test_an_age_in_chinese(engine, message, age):
    assert read(engine, "age", message).facts["age"] == age


@pytest.mark.parametrize("message", ["快七十了", "虚岁63", "64年生的"])
def test_an_age_said_roughly_is_asked_again(engine, message):
    understood = read(engine, "age", message)
    assert "age" not in understood.facts and "age" in understood.follow_ups


@pytest.mark.parametrize("text, earliest, latest", [
    ("三周前", None, "2026-11-10"), ("六个星期前", None, "2026-10-20"), ("上个月", "2026-11-01", "2026-11-30"),
    ("上个月底", None, "2026-11-30"), ("2026年11月3日", None, "2026-11-03"), ("11月3号", None, "2026-11-03"),
    ("去年", "2025-01-01", "2025-12-31"), ("上个月10号", None, "2026-11-10"), ("今年5月", "2026-05-01", "2026-05-31"),
    ("一个半月前", None, "2026-10-17"), ("不到两个月", "2026-10-01", "2026-12-01"),
])
def test_dates_and_durations_in_chinese(text, earliest, latest):
    answer = parse_when(text, TODAY)
    assert answer.date == date.fromisoformat(latest)
    assert answer.earliest == (date.fromisoformat(earliest) if earliest else None)


@pytest.mark.parametrize("text, earliest, latest", [
    ("十一月初", "2026-11-01", "2026-11-10"), ("11月上旬", "2026-11-01", "2026-11-10"),
    ("10月中旬", "2026-10-11", "2026-10-20"), ("上个月中", "2026-11-11", "2026-11-20"),
    ("十月下旬", "2026-10-21", "2026-10-31"), ("十月底", None, "2026-10-31"), ("上上个月底", None, "2026-10-31"),
    ("去年12月初", "2025-12-01", "2025-12-10"), ("2026年2月底", None, "2026-02-28"), ("月初", None, "2026-12-01"),
])
def test_a_part_of_a_month_is_its_days(text, earliest, latest):
    """初 (上旬) is the 1st to the 10th, 中旬 the 11th to the 20th, 下旬 from the 21st, 底 the last day."""
    answer = parse_when(text, TODAY)
    assert (answer.earliest, answer.date) == (date.fromisoformat(earliest) if earliest else None, date.fromisoformat(latest))


@pytest.mark.parametrize("text, earliest, latest", [
    ("上礼拜三", None, "2026-11-25"), ("上周5", None, "2026-11-27"), ("大前天", None, "2026-11-28"),
    ("九月份", "2026-09-01", "2026-09-30"), ("已经两个多月没化疗了", "1900-01-01", "2026-10-01"),
    ("三周没化疗了", "1900-01-01", "2026-11-10"), ("不到两个月", "2026-10-01", "2026-12-01"),
])
def test_weekdays_lone_month_numerals_and_lengths_without_it(text, earliest, latest):
    """"两个多月没化疗了" is at least that long ago, never "never"; "不到两个月" is less than that ("快两个月",
    nearly, is near it: test_reading_chinese_round4)."""
    answer = parse_when(text, TODAY)
    assert not answer.never
    assert (answer.earliest, answer.date) == (date.fromisoformat(earliest) if earliest else None, date.fromisoformat(latest))


def test_a_length_without_chemotherapy_is_no_never(engine):
    assert read(engine, "last_chemotherapy", "已经两个多月没化疗了").facts["last_chemotherapy"] != NEVER
    assert read(engine, "last_chemotherapy", "从来没化疗过").facts["last_chemotherapy"] == NEVER


@pytest.mark.parametrize("message", ["基本没有", "几乎没有"])
def test_basically_no_is_offered_back(engine, message):
    understood = read(engine, "diabetes", message)
    assert understood.facts == {} and understood.checks == {"diabetes": False}


@pytest.mark.parametrize("text", ["月底", "12月15号", "12月下旬"])
def test_a_day_of_this_month_still_to_come_is_no_last_time(text):
    assert parse_when(text, TODAY).future


def test_a_treatment_put_off_is_not_when_it_happened(engine):
    understood = read(engine, "last_chemotherapy", "原定上周化疗，因为血小板低推迟了，上一次是十月底")
    assert understood.facts == {"last_chemotherapy": "2026-10-31"}


@pytest.mark.parametrize("question, message", [
    ("stomach_ulcer", "以前胃溃疡，已经治好了"),
    ("heart_disease_treated", "以前有过心脏病，早就治好了"), ("severe_bleeding", "上个月脑出血，现在恢复期"),
])
def test_a_condition_cured_is_offered_back_as_no_longer_there(engine, question, message):
    understood = read(engine, question, message)
    assert understood.facts == {} and understood.checks == {question: False}


def test_a_cured_ulcer_in_a_list_is_no_active_one(engine):
    understood = read(engine, BUNDLE, "以前得过胃溃疡，治好了，其他没有")
    assert "stomach_ulcer" not in understood.facts and understood.checks == {"stomach_ulcer": False}
    assert all(understood.facts[key] is False for key in BUNDLE if key != "stomach_ulcer")


@pytest.mark.parametrize("message", ["EB病毒抗体阳性", "EBV IgG positive", "CMV抗体IgM阳性"])
def test_an_antibody_test_is_no_dna_test(engine, message):
    understood = read(engine, "ebv_cmv_dna_positive", message)
    assert "ebv_cmv_dna_positive" not in understood.facts and understood.follow_ups == {"ebv_cmv_dna_positive": "unsure"}


@pytest.mark.parametrize("message", ["EB病毒DNA阳性", "CMV DNA阳性"])
def test_chinese_beside_more_english_letters_is_read(engine, message):
    assert read(engine, "ebv_cmv_dna_positive", message).facts == {"ebv_cmv_dna_positive": True}


def test_a_part_not_tested_beside_normal_is_checked_back(engine):
    understood = read(engine, "liver_kidney_ok", "肝功正常，肾功没查")
    assert "liver_kidney_ok" not in understood.facts and "liver_kidney_ok" in understood.checks


def test_not_quite_able_is_not_able(engine):
    assert read(engine, "mental_disorder_limits_consent", "精神分裂，现在不太能自己做决定").facts == {
        "mental_disorder_limits_consent": True}


def test_a_reading_problem_names_the_fact_in_chinese_and_stores_nothing(engine):
    state = State(consent=True, pending=["diabetes"], language="zh-CN")
    outcome = engine.respond(state, Turn("有糖尿病，没有糖尿病", None, None, "zh-CN"))
    assert outcome.replies[0].text.startswith("关于糖尿病，您的话里既有")
    assert "diabetes" not in outcome.state.facts and outcome.replies[-1].custom["asks"] == ["diabetes"]
    outcome = engine.respond(State(consent=True, pending=["age"], language="zh-CN"), Turn("我今年300岁", None, None, "zh-CN"))
    assert outcome.replies[0].text.startswith("年龄为300岁，超出了通常的范围（1到120岁）")


def test_never_had_radiotherapy_in_chinese(engine):
    assert read(engine, "last_radiotherapy", "从来没做过放疗").facts["last_radiotherapy"] == NEVER
    assert read(engine, "last_radiotherapy", "没有").facts["last_radiotherapy"] == NEVER


@pytest.mark.parametrize("message", ["还在化疗", "还没结束", "还没", "正在化疗"])
def test_still_on_chemotherapy_is_asked_back_never_never(engine, message):
    understood = read(engine, "last_chemotherapy", message)
    assert "last_chemotherapy" not in understood.facts and "last_chemotherapy" in understood.follow_ups


@pytest.mark.parametrize("message, kind", [
    ("肺癌", "solid_tumour"), ("乳腺癌", "solid_tumour"), ("胃癌", "solid_tumour"), ("肠癌", "solid_tumour"),
    ("白血病", "blood_cancer"), ("淋巴瘤", "blood_cancer"), ("多发性骨髓瘤", "blood_cancer"),
])
def test_chinese_cancer_names(engine, message, kind):
    assert read(engine, "cancer_type", message).facts["cancer_type"] == kind


@pytest.mark.parametrize("question, message, facts", [
    ("platelet_boosters_failed", "特比澳打了好几次，没用", {"platelet_boosters_failed": True}),
    ("platelet_boosters_failed", "打了rhTPO，血小板升上来了", {"platelet_boosters_failed": False}),
    ("platelet_boosters_failed", "打过两个疗程白介素-11，没效果", {"platelet_boosters_failed": True}),
    ("antiplatelet_drugs", "在吃阿司匹林", {"antiplatelet_drugs": True}),
    ("diabetes", "没有糖尿病", {"diabetes": False}),
    ("stomach_ulcer", "有胃溃疡", {"stomach_ulcer": True}),
    ("chemo_induced_thrombocytopenia", "医生说是化疗引起的", {"chemo_induced_thrombocytopenia": True}),
])
def test_chinese_drug_and_condition_names_answer_their_question(engine, question, message, facts):
    assert read(engine, question, message).facts == facts


def test_a_medicine_stopped_is_offered_back_as_a_no(engine):
    understood = read(engine, "antiplatelet_drugs", "阿司匹林停了")
    assert understood.facts == {} and understood.checks == {"antiplatelet_drugs": False}


BUNDLE = ["thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"]


def test_a_chinese_list_answered_by_naming_items(engine):
    understood = read(engine, BUNDLE, "有糖尿病，没有胃溃疡，其他都没有")
    assert understood.facts == {"diabetes": True, "stomach_ulcer": False, "thrombotic_disease": False,
                                "transplant": False, "autoimmune_disease": False, "sepsis": False}


def test_a_negation_covers_the_enumerated_items(engine):
    understood = read(engine, BUNDLE, "没有糖尿病、胃溃疡")
    assert understood.facts["diabetes"] is False and understood.facts["stomach_ulcer"] is False


# -- whom the message is about ---------------------------------------------------------------------

@pytest.mark.parametrize("message, subject, sex", [
    ("我妈妈六十二岁，肺癌", "your mother", "female"), ("替我爸问的，他67了", "your father", "male"),
    ("我老公是肺癌", "your husband", "male"),
])
def test_a_relative_is_whom_the_message_is_about(engine, message, subject, sex):
    understood = read(engine, "cancer_type", message)
    assert understood.found.subject == subject and understood.facts["sex"] == sex


def test_a_relative_helping_to_type_does_not_become_the_person(engine):
    understood = read(engine, "age", "我老公帮我打字，我34岁")
    assert understood.facts == {"age": 34} and understood.found.subject is None


def test_a_relatives_condition_is_not_the_persons(engine):
    understood = read(engine, BUNDLE, "我妈有糖尿病，我没有，其他也没有")
    assert understood.facts.get("diabetes") is not True and "sex" not in understood.facts


# -- mixed Chinese and English ---------------------------------------------------------------------

def test_a_mixed_message_with_abbreviations_and_arabic_numerals(engine):
    understood = read(engine, "platelet_count", "PLT 22，特比澳无效，化疗后6周，CT显示肺癌")
    assert understood.facts["platelet_count"] == 22 and understood.facts["platelet_boosters_failed"] is True
    assert understood.facts["cancer_type"] == "solid_tumour"


def test_numbers_in_chinese_beside_units():
    assert [(m.value, m.unit) for m in find_measurements("六十二岁，血小板两万")] == [(62, "years"), (20000, None)]


def test_the_english_reading_is_untouched_by_chinese_context(engine):
    assert read(engine, "diabetes", "no").facts == {"diabetes": False}
    assert engine.reader().understand("不", context=Context()).reply == "no"


# -- staff shorthand in Chinese ------------------------------------------------------------------

@pytest.mark.parametrize("message, facts", [
    ("特比澳无效 无出血倾向", {"platelet_boosters_failed": True, "bleeding_tendency": False}),
    ("巨和粒无效，无出血倾向", {"platelet_boosters_failed": True, "bleeding_tendency": False}),
    ("特比澳无效 出血倾向", {"platelet_boosters_failed": True, "bleeding_tendency": True}),
    ("特比澳无效、出血倾向", {"platelet_boosters_failed": True, "bleeding_tendency": True}),
    ("rhTPO无效、IL-11无效", {"platelet_boosters_failed": True}),
    ("特比澳 无效", {"platelet_boosters_failed": True}),
    ("特比澳2疗程无效", {"platelet_boosters_failed": True}),
    ("特比澳15000U×7天 无效", {"platelet_boosters_failed": True}),
    ("特比澳有效 无出血倾向", {"platelet_boosters_failed": False, "bleeding_tendency": False}),
    ("糖尿病 无", {"diabetes": False}),
    ("否认高血压、糖尿病", {"diabetes": False, "uncontrolled_hypertension": False}),  # no hypertension at all, as "no htn"
    ("plt两万 末次化疗2026.11.05", {"platelet_count": 20, "last_chemotherapy": "2026-11-05"}),
    ("女 58 PLT 24 妊娠期有过血栓", {"sex": "female", "age": 58, "platelet_count": 24, "thrombotic_disease": True}),
])
def test_each_shorthand_item_keeps_its_own_negation(engine, message, facts):
    """A negation or a verdict speaks for its own item: in "特比澳无效 无出血倾向" the 无 opens the next item."""
    from bot.staff import StaffScreening
    found = StaffScreening(engine)._extract(message)  # noqa: SLF001 - what staff mode reads
    assert {k: v for k, v in found.values.items() if v is not None} == facts

def test_chinese_staff_shorthand_fills_the_checklist(engine):
    from bot.staff import StaffScreening

    outcome = StaffScreening(engine).handle(State(consent=True), Turn("女62 肺癌 PLT 22 化疗后6周 特比澳无效"))
    facts = outcome.state.facts
    assert facts["sex"] == "female" and facts["age"] == 62 and facts["cancer_type"] == "solid_tumour"
    assert facts["platelet_count"] == 22 and facts["platelet_boosters_failed"] is True
    assert facts["last_chemotherapy"] == (engine.today() - timedelta(weeks=6)).isoformat()


# -- a list answered item by item: "only AF, nothing else", "not sure about that one, no to the rest" ----

HEART = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia"]


@pytest.mark.parametrize("message", ["只有房颤，别的都没有", "just AF, nothing else"])
def test_the_rest_denied_leaves_an_item_that_may_be_the_one_named_to_be_asked(engine, message):
    # a heart condition that needs treatment may be the AF itself (`covers` in data/facts.yml)
    understood = read(engine, HEART, message)
    assert understood.facts == {"arrhythmia": True, "heart_failure_severe": False, "heart_attack_or_angina_recent": False}
    assert understood.checks == {"heart_disease_treated": False}


def test_an_item_not_known_and_the_rest_denied_are_read_each_as_said(engine):
    understood = read(engine, HEART, "心律不齐那个不清楚，其他没有")
    assert understood.facts == {"arrhythmia": None, "heart_disease_treated": False, "heart_failure_severe": False,
                                "heart_attack_or_angina_recent": False}


@pytest.mark.parametrize("message", ["心脏的不清楚，其他的没有", "不清楚，其他没有"])
def test_unsure_words_naming_no_single_item_leave_the_whole_list_not_known(engine, message):
    # "心脏的" refers to every item about the heart (their organ), "不清楚" alone to the whole list: nothing is denied
    understood = read(engine, HEART, message)
    assert not any(v is False for v in understood.facts.values())


# -- whom a message is about, and a year of birth ------------------------------------------------------

@pytest.mark.parametrize("message", ["属马的，54年生的", "54年生的"])
def test_a_year_of_birth_is_no_age_even_beside_a_zodiac_sign(engine, message):
    understood = read(engine, "age", message)
    assert "age" not in understood.facts and "age" in understood.follow_ups


def test_the_writers_own_number_before_a_relatives_is_the_writers_and_the_relative_no_subject(engine):
    # "45, my husband 48": the writer answers first for themself (bot/parsing/whose.py), the husband's 48 and
    # his sex are not the person's
    understood = read(engine, "age", "45 我老公48")
    assert "sex" not in understood.facts and understood.facts.get("age") == 45


def test_the_writer_saying_what_they_have_now_beside_a_relatives_past_is_about_the_writer(engine):
    understood = read(engine, "cancer_type", "我爸以前是白血病，我现在是结肠癌")
    assert "sex" not in understood.facts and understood.facts.get("cancer_type") != "blood_cancer"
