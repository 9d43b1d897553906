"""Answers in everyday words (issue 12): each mechanism of the English reader, one test each."""
from __future__ import annotations

import pytest

from bot.conversation import State, Turn
from bot.parsing.unlisted import names_none_of
from bot.parsing.when import parse_when
from tests.conftest import TODAY, read_as

HEART = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia"]
OTHER = ["thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"]


def answer(engine, pending, message, **facts):
    return engine.respond(State(consent=True, facts=dict(facts), pending=list(pending)), Turn(message)).state


@pytest.mark.parametrize("message, items, none_of", [
    ("No, just high blood pressure", HEART, True),
    ("only blood pressure tablets", HEART, True),
    ("nothing like that, just a bit of cholesterol", HEART, True),
    ("none of them, only my asthma", OTHER, True),
    ("No, just high blood pressure", ["uncontrolled_hypertension", "bundle_branch_block"], False),  # it may be that item
    ("no, only my thyroid", OTHER, False),  # often autoimmune
    ("no, just asthma and my sugar", OTHER, False),  # "my sugar" is not known to be none of them
    ("diabetes, but only mild", OTHER, False),  # something said before the exception
    ("no", OTHER, False),  # no exception at all
    ("都没有，就是血压有点高", HEART, True),
    ("没有，只有哮喘", OTHER, True),
    ("都没有，就是有点高血压", OTHER, True),
    ("没有，就是血压高", ["uncontrolled_hypertension", "bundle_branch_block"], False),  # it may be that item
    ("没有，就是甲减", OTHER, False),  # often autoimmune
    ("没有，就是哮喘和糖", OTHER, False),  # "糖" is not known to be none of them
    ("糖尿病，就是不严重", OTHER, False),  # something said before the exception
    ("都没有，就是血压好像有点高", HEART, False),  # a doubt that is no measure of what is named
])
def test_an_exception_to_a_no_is_none_of_the_items_only_when_recognisably_so(message, items, none_of):
    assert names_none_of(message, items) is none_of


def test_a_no_with_an_exception_outside_the_list_answers_every_item(engine):
    state = answer(engine, HEART, "No, just high blood pressure")
    assert {k: state.facts.get(k) for k in HEART} == dict.fromkeys(HEART, False)


@pytest.mark.parametrize("message", ["都没有，就是血压有点高", "没有，就是有点高血压"])
def test_a_measure_in_a_chinese_exception_is_no_doubt_about_the_no(engine, message):
    # "有点" says how high the blood pressure is, not that the "no" is unsure
    state = answer(engine, HEART, message)
    assert {k: read_as(state, k) for k in HEART} == dict.fromkeys(HEART, False)


def test_a_doubt_before_a_chinese_exception_is_still_offered_back(engine):
    state = answer(engine, HEART, "好像没有，就是血压有点高")
    assert not any(k in state.facts for k in HEART)


def test_an_exception_that_is_an_item_is_that_item_and_leaves_the_rest_open(engine):
    state = answer(engine, OTHER, "No, just my sugar, I take metformin")
    assert state.facts["diabetes"] is True
    assert not any(k in state.facts for k in OTHER if k != "diabetes")


def test_nothing_apart_from_an_item_denies_the_rest(engine):
    state = answer(engine, OTHER, "nothing like that apart from my sugar")
    assert state.facts["diabetes"] is True
    assert all(state.facts[k] is False for k in OTHER if k != "diabetes")


@pytest.mark.parametrize("message", ["none that I've been told about", "not that they've mentioned"])
def test_a_denial_of_only_what_was_heard_of_is_offered_back(engine, message):
    state = answer(engine, OTHER, message)
    assert not any(k in state.facts for k in OTHER)


def test_a_mention_said_with_doubt_is_offered_back_and_the_sure_one_kept(engine):
    state = answer(engine, ["pregnant", "breastfeeding"], "don't think I'm pregnant, not breastfeeding", sex="female")
    assert state.facts["breastfeeding"] is False and "pregnant" not in state.facts
    assert state.confirm == {"pregnant": False}


@pytest.mark.parametrize("message", ["I'm sixty-four this year", "I'm 64 this year"])
def test_an_age_this_year_is_a_bound(engine, message):
    assert "age" not in answer(engine, ["age"], message).facts


@pytest.mark.parametrize("message", ["kidneys fine, liver a bit up", "liver normal, not sure about kidneys"])
def test_a_fact_of_several_parts_is_not_yes_while_a_part_is_open(engine, message):
    assert answer(engine, ["liver_kidney_ok"], message).facts.get("liver_kidney_ok") is not True


@pytest.mark.parametrize("message, key, value", [
    ("lupus, on hydroxychloroquine, flares a lot", "autoimmune_disease", True),
    ("heart failure, I get breathless just getting dressed", "heart_failure_severe", True),
    ("heart failure but it's mild, I walk every day", "heart_failure_severe", False),
])
def test_a_list_answered_about_one_item_reads_that_item_s_own_wording(engine, message, key, value):
    pending = OTHER if key in OTHER else HEART
    state = answer(engine, pending, message)
    assert state.facts[key] is value
    assert not any(k in state.facts for k in pending if k != key)


@pytest.mark.parametrize("message, value", [
    ("I don't have heart failure", False), ("Never been told I have heart failure", False),
    ("class 4 heart failure", True), ("heart failure", None),
])
def test_a_word_that_says_too_little_is_enough_when_denied_or_qualified(engine, message, value):
    assert answer(engine, ["heart_failure_severe"], message).facts.get("heart_failure_severe") is value


def test_a_condition_got_over_is_not_read_as_now(engine):
    state = answer(engine, OTHER, "I had sepsis in the summer but I'm over it")
    assert state.facts.get("sepsis") is not True


def test_a_state_named_as_the_time_of_something_else_is_not_read_as_now(engine):
    state = answer(engine, ["diabetes"], "only when I was pregnant, gestational", sex="female")
    assert "pregnant" not in state.facts


def test_how_long_each_time_is_not_when():
    assert parse_when("2 days every month", TODAY) is None
    assert parse_when("2 days ago", TODAY) is not None


@pytest.mark.parametrize("pending, message, key, value", [
    (["last_radiotherapy"], "no, just chemo", "last_radiotherapy", "never"),
    (["antiplatelet_drugs"], "no just my blood pressure pills", "antiplatelet_drugs", False),
    (["uncontrolled_hypertension"], "no, just high blood pressure", "uncontrolled_hypertension", None),  # may be it
])
def test_a_single_question_s_no_with_an_exception_that_is_something_else_stands(engine, pending, message, key, value):
    state = answer(engine, pending, message)
    assert read_as(state, key) == value if value is not None else key not in state.facts


@pytest.mark.parametrize("message, count", [("2.5 lakh", 250), ("1.2 lakhs", 120), ("22k", 22)])
def test_a_lakh_is_a_hundred_thousand(engine, message, count):
    assert answer(engine, ["platelet_count"], message).facts["platelet_count"] == count


@pytest.mark.parametrize("message, pending, value", [
    ("I had DVTs after both my pregnancies", ["thrombotic_disease"], True),  # an abbreviation's plural, in capitals
    ("my mum had DVTs but I haven't", ["thrombotic_disease"], False),
])
def test_an_abbreviation_in_the_plural_is_the_condition(engine, message, pending, value):
    assert read_as(answer(engine, pending, message), "thrombotic_disease") is value
