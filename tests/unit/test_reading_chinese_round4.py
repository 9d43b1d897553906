"""Chinese answers read by the mechanisms of the fourth zh-CN round: an answer taken back in the same message
("22，打错了，是12"), "almost" a length of time (快一个月), a word said again ("嗯嗯"), cues said in other
word orders. Today is Tuesday 2026-12-01."""
from __future__ import annotations

import datetime

import pytest

from bot.parsing.language import unreadable
from bot.parsing.when import parse_when
from tests.unit.test_reading_chinese_dates import engine, read  # noqa: F401 (the screening on the benchmark's day)
from tests.unit.test_reading_chinese_round3 import asked_back


@pytest.mark.parametrize("question, message, value", [
    ("platelet_count", "22，打错了，是12", 12),
    ("age", "67岁，不对，是76", 76),
    ("bleeding_tendency", "有…不对，没有", False),
    ("last_chemotherapy", "10月5号，哦不，是10月15号", "2026-10-15"),
])
def test_what_is_taken_back_in_the_same_message_is_not_read(engine, question, message, value):
    assert read(engine, question, message).facts[question] == value


def test_a_no_that_opens_the_reply_is_no_taking_back(engine):
    assert read(engine, "chemo_induced_thrombocytopenia", "不对，是ITP").facts["chemo_induced_thrombocytopenia"] is False


@pytest.mark.parametrize("message", ["快一个月了", "将近两个月吧", "停了快一个月了", "接近一个月"])
def test_almost_a_length_of_time_is_asked_back(engine, message):
    assert asked_back(read(engine, "last_chemotherapy", message), "last_chemotherapy")


@pytest.mark.parametrize("text, day", [("just under a month ago", "2026-11-01"), ("快两个月了", "2026-10-01")])
def test_just_under_an_amount_is_near_it_as_just_over_is(text, day):
    answer = parse_when(text, datetime.date(2026, 12, 1))
    assert answer.near and answer.date == datetime.date.fromisoformat(day)


def test_less_than_a_month_is_still_the_range_up_to_today(engine):
    assert read(engine, "last_chemotherapy", "不到一个月").facts["last_chemotherapy"] == "2026-11-01/2026-12-01"


@pytest.mark.parametrize("message", ["嗯嗯", "对对对", "是是"])
def test_a_word_said_again_is_that_word(engine, message):
    assert unreadable(message) is None
    assert read(engine, "chemo_induced_thrombocytopenia", message).facts["chemo_induced_thrombocytopenia"] is True


def test_a_character_held_long_is_still_no_word():
    assert unreadable("啊啊啊啊") is not None


@pytest.mark.parametrize("question, message, value", [
    ("childbearing_potential", "子宫切了", False),
    ("treatment_toxicity_unresolved", "手脚还是麻", True),
])
def test_cues_in_the_order_people_say_them(engine, question, message, value):
    assert read(engine, question, message).facts[question] is value


def test_the_is_that_brings_the_corrected_number_is_no_yes(engine):
    """"不好意思说错了，是25" said while another question is open: a correction, not a "是" (yes) to it."""
    assert "bleeding_tendency" not in read(engine, "bleeding_tendency", "不好意思说错了，是25").facts


@pytest.mark.parametrize("question, message, value", [
    ("last_chemotherapy", "化療上個月底", "2026-11-30"),
    ("bleeding_tendency", "沒有", False),
    ("platelet_count", "血小板兩萬二", 22),
    ("chemo_induced_thrombocytopenia", "對，是化療引起的", True),
])
def test_traditional_characters_are_read_as_simplified(engine, question, message, value):
    assert read(engine, question, message).facts[question] == value


def test_still_on_it_said_of_the_other_treatment_is_not_this_ones(engine):
    """"化疗三周前，放疗还在做": the "still on it" is in the radiotherapy's clause; the chemotherapy's date stands."""
    assert read(engine, "last_chemotherapy", "化疗三周前，放疗还在做").facts["last_chemotherapy"] == "2026-11-10"
    assert asked_back(read(engine, "last_chemotherapy", "化疗还在做，放疗没做过"), "last_chemotherapy")


@pytest.mark.parametrize("message", ["他没有流鼻血什么的", "没有流鼻血之类的"])
def test_a_sign_denied_as_one_of_its_kind_denies_the_kind(engine, message):
    assert read(engine, "bleeding_tendency", message).facts["bleeding_tendency"] is False


def test_one_sign_denied_alone_still_leaves_the_others_open(engine):
    assert asked_back(read(engine, "bleeding_tendency", "没有流鼻血"), "bleeding_tendency")


@pytest.mark.parametrize("question, message, value", [
    ("last_chemotherapy", "一个月零一周", "2026-10-25"),           # 零 joins two lengths, it is no "zero or one"
    ("last_chemotherapy", "俩月前", "2026-10-01"),                # 俩: two of, the measure word in it
    ("last_chemotherapy", "两月前", "2026-10-01"),
    ("last_chemotherapy", "6、7周前", "2026-10-13/2026-10-20"),    # one amount or the next
    ("last_chemotherapy", "六、七周前", "2026-10-13/2026-10-20"),
    ("last_chemotherapy", "10月底吧", "2026-10-31"),              # a closing 吧 after a time is no doubt
    ("last_chemotherapy", "十一月中旬吧", "2026-11-11/2026-11-20"),
    ("platelet_count", "大概是二十", 20),                          # 大概是 before a number: about, no doubt
])
def test_chinese_counts_and_approximations(engine, question, message, value):
    assert read(engine, question, message).facts[question] == value


def test_the_two_of_us_is_no_count():
    from bot.parsing.numbers import normalise
    assert normalise("我们俩") == "我们俩" and normalise("二月") == "2月"


@pytest.mark.parametrize("message, act", [
    ("人工", "ask_human"), ("我能跟医生直接聊吗", "ask_human"), ("问这干啥", "why"),
    ("药是吃的吗", "ask_drug"),
])
def test_questions_back_in_everyday_words(engine, message, act):
    assert read(engine, "age", message).act == act
