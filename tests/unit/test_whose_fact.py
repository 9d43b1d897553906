"""Whose fact a mention is (bot/parsing/whose.py): someone else named beside the person screened keeps their facts."""
from __future__ import annotations

import pytest

from bot.conversation import State, Turn
from bot.extraction import extract
from bot.parsing import whose
from tests.conftest import TODAY

LIST = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia",
        "thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"]


def read(engine, text, pending=None, subject=None, **facts):
    state = State(consent=True, facts=dict(facts), pending=pending, subject=subject)
    return engine.understand(state, Turn(text))


@pytest.mark.parametrize("text, pending, expected", [
    # the writer answered first: the relative named after is someone else, neither their age nor their sex the person's
    ("45. my husband is 52 if that matters", ["age"], {"age": 45}),
    ("I'm 34, my husband is helping me type this", ["age"], {"age": 34}),
    ("no but my husband does", ["diabetes"], {"diabetes": False}),
    ("my dad had leukaemia but mine is stomach cancer", ["cancer_type"], {"cancer_type": "solid_tumour"}),
    ("none of these, though my brother had a kidney transplant", LIST, {key: False for key in LIST}),
    ("45 我老公48", ["age"], {"age": 45}),
    # the writer sets themselves against the relative named first: "it's me who's ill", "not him"
    ("my husband is 66, I'm 63 - its me who's ill not him", ["age"], {"age": 63}),
    ("Male. My wife is female if that matters", ["sex"], {"sex": "male"}),
    ("我爸以前是白血病，我现在是结肠癌", ["cancer_type"], {"cancer_type": "solid_tumour"}),
    # an elliptic denial after another person's condition denies it of the person screened
    ("my mum had a clot in the lung, not me", None, {"thrombotic_disease": False}),
    ("her husband has diabetes, she doesn't", None, {"diabetes": False}),
    ("家属代述：患者母亲有糖尿病，患者本人无", None, {"diabetes": False}),
])
def test_someone_else_named_beside_the_person_keeps_their_facts(engine, text, pending, expected):
    understood = read(engine, text, pending)
    assert understood.facts == expected and not understood.checks, (understood.facts, understood.checks)


@pytest.mark.parametrize("text, pending, key, value", [
    # a relative after a preposition is part of the writer's own clause
    ("She's had two transplants, the first autologous and then one from her sister", ["transplant"], "transplant", True),
    ("stem cell transplant from my brother", ["transplant"], "transplant", True),
    # a bare yes, then "but" and a whole clause: the carer goes on about the person screened
    ("yeah but my dad has leukaemia not a solid tumour", None, "cancer_type", "blood_cancer"),
])
def test_a_relative_in_the_writers_own_clause_stays_the_persons(engine, text, pending, key, value):
    assert read(engine, text, pending).facts.get(key) == value


def test_a_relatives_thing_said_with_a_no_is_not_a_plain_no(engine):
    understood = read(engine, "not with my husband's vasectomy", ["childbearing_potential"])
    assert "childbearing_potential" not in understood.facts


def test_a_label_for_someone_elses_relative_holds_to_the_end_of_its_sentence(vocabulary):
    found = extract("pt's husband: 66M, HTN poorly controlled. pt herself: 62F, BP ok", vocabulary, [], TODAY, clinical=True)
    assert (found.values.get("age"), found.values.get("sex")) == (62, "female")
    assert found.values.get("uncontrolled_hypertension") is not True


@pytest.mark.parametrize("text, subject, expected", [
    # a carer answering for "your mother" writes "my mum": that is the person screened
    ("my mum has diabetes", "your mother", {"diabetes": True}),
    ("my mum is 71", "your mum", {"age": 71}),
    ("我妈昨天查的31", "your mother", {"platelet_count": 31}),
])
def test_the_relative_the_conversation_is_about_is_the_person(engine, text, subject, expected):
    pending = [next(iter(expected))]
    understood = read(engine, text, pending, subject=subject, cancer_type="solid_tumour")
    assert {k: understood.facts.get(k) for k in expected} == expected, understood.facts


def test_another_relative_in_a_conversation_about_one_is_someone_else(engine):
    understood = read(engine, "my brother has diabetes", ["diabetes"], subject="your mother", cancer_type="solid_tumour")
    assert "diabetes" not in understood.facts and "sex" not in understood.facts


@pytest.mark.parametrize("text, subject, sex", [
    # the message starts with the relative, or says so: they are whom it is about
    ("My son is 16, he's the one with lymphoma", "your son", "male"),
    ("my mum's was 9", "your mum", "female"),
    ("hi, I'm asking for my dad. he is 70", "your dad", "male"),
])
def test_a_relative_the_message_opens_with_is_whom_it_is_about(vocabulary, text, subject, sex):
    found = extract(text, vocabulary, [], TODAY)
    assert (found.subject, found.values.get("sex")) == (subject, sex)


@pytest.mark.parametrize("text, age", [
    ("I'll be 18 in March", 17), ("she turns 70 next month", 69), ("he will be 65 in January", 64),
])
def test_an_age_still_to_come_is_a_year_less_now(vocabulary, text, age):
    assert extract(text, vocabulary, [vocabulary["age"]], TODAY).values["age"] == age


def test_a_number_to_come_that_no_one_is_is_no_age(vocabulary):
    assert "age" not in extract("the count will be 30 in a week", vocabulary, [], TODAY).values


@pytest.mark.parametrize("text", ["born in 1954", "属马的，54年生的", "64年生的"])
def test_a_birth_year_is_no_age_it_is_asked_back(engine, text):
    understood = read(engine, text, ["age"])
    assert "age" not in understood.facts and understood.follow_ups.get("age", "").startswith("bound:")


def test_a_zodiac_sign_is_named_by_its_animal_only(engine):
    assert "age" not in read(engine, "家属代述：患者本人无糖尿病").found.bounds


def test_canonical_names_one_relative_however_written():
    assert whose.canonical("your mum") == whose.canonical("Mom") == whose.canonical("妈妈") == "mother"
