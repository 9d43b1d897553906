"""Reading mechanisms added for the sixth blind batch (benchmarks/corpora/understanding/dev/fresh_patient_6.yml):
each keeps a person from looking more eligible than they are, and asks back rather than guessing."""
from __future__ import annotations

import pytest

from bot.conversation import State, Turn
from tests.conftest import read_as

HEART = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia"]
NOW = ["pregnant", "breastfeeding", "infection_serology_positive", "severe_bleeding", "antiplatelet_drugs",
       "treatment_toxicity_unresolved"]


def answer(engine, pending, message, **known):
    state = State(consent=True, facts=dict(known), pending=list(pending))
    return engine.respond(state, Turn(message, None, None)).state


def asked_back(state, key):
    return key in (state.confirm or {}) or key in (state.pending or [])


# -- liver and kidney tests: a "fine" said of one group's test only is no "yes" for both ----------------------

@pytest.mark.parametrize("message", ["creatinine fine", "kidneys are fine", "LFTs normal", "liver function fine"])
def test_one_group_of_tests_said_fine_is_asked_back(engine, message):
    state = answer(engine, ["liver_kidney_ok"], message)
    assert "liver_kidney_ok" not in state.facts and asked_back(state, "liver_kidney_ok")


@pytest.mark.parametrize("message", ["liver and kidney tests fine", "bloods all normal", "normal", "LFTs and U&Es normal"])
def test_both_groups_or_none_named_said_fine_is_a_yes(engine, message):
    assert read_as(answer(engine, ["liver_kidney_ok"], message), "liver_kidney_ok") is True


# -- treatment still to come, or a time that is the treatment's start -----------------------------------------

@pytest.mark.parametrize("message", ["on a break from radiotherapy, 2 weeks done and 3 more after christmas",
                                     "3 more sessions then I'm done"])
def test_sessions_still_to_come_are_asked_back(engine, message):
    state = answer(engine, ["last_radiotherapy"], message)
    assert "last_radiotherapy" not in state.facts and asked_back(state, "last_radiotherapy")


@pytest.mark.parametrize("message", ["started chemo in june", "haven't had a period since starting chemo in june"])
def test_when_a_treatment_started_is_not_its_last_dose(engine, message):
    assert "last_chemotherapy" not in answer(engine, ["last_chemotherapy"], message, sex="female").facts


def test_a_start_and_a_last_dose_the_last_dose_counts(engine):
    assert "last_chemotherapy" in answer(engine, ["last_chemotherapy"], "started on chemo in may, last dose 4 days ago").facts


# -- whose age: the writer who says what they are speaks of themselves -----------------------------------------

def test_a_writer_who_says_they_are_a_man_is_the_person_not_his_wife(engine):
    state = answer(engine, ["uses_contraception"], "I'm a man, my wife is 60")
    assert state.facts.get("sex") == "male" and "age" not in state.facts


# -- lists: an organ denied with an exception, an item told of in its own words after a "but" ------------------

def test_an_organ_denied_but_for_an_exception_denies_nothing(engine):
    state = answer(engine, HEART, "no heart problems except an irregular beat they are keeping an eye on")
    assert not any(state.facts.get(key) is False for key in HEART)


@pytest.mark.parametrize("message", ["no heart problems", "no heart problems except high cholesterol"])
def test_an_organ_denied_or_denied_but_for_something_else_is_a_no(engine, message):
    state = answer(engine, HEART, message)
    assert all(read_as(state, key) is False for key in HEART)


def test_an_item_told_of_in_its_own_words_after_a_but_is_read(engine):
    state = answer(engine, NOW, "none, I had a hysterectomy, but my feet are still numb from the oxaliplatin", sex="female")
    assert state.facts.get("treatment_toxicity_unresolved") is True


# -- over, not now: "none since" ------------------------------------------------------------------------------

@pytest.mark.parametrize("message", ["had a nosebleed last month when they were 8, none since",
                                     "bruising, haven't had any since the transfusion"])
def test_a_sign_of_bleeding_none_since_is_not_a_yes(engine, message):
    state = answer(engine, ["bleeding_tendency"], message)
    assert state.facts.get("bleeding_tendency") is not True


# -- blood pressure: the question's own "not well controlled" said back, readings that disagree ----------------

@pytest.mark.parametrize("message", ["not controlled", "not well controlled", "it is not controlled with tablets"])
def test_not_controlled_said_back_is_never_a_no(engine, message):
    assert answer(engine, ["uncontrolled_hypertension"], message).facts.get("uncontrolled_hypertension") is not False


def test_controlled_with_tablets_is_a_no(engine):
    assert read_as(answer(engine, ["uncontrolled_hypertension"], "my BP is controlled with tablets"), "uncontrolled_hypertension") is False


def test_a_high_reading_and_a_normal_one_are_asked_back(engine):
    state = answer(engine, ["uncontrolled_hypertension"], "165/100 at the clinic but normal at home")
    assert "uncontrolled_hypertension" not in state.facts and asked_back(state, "uncontrolled_hypertension")


# -- a one-word answer to a choice question: a misspelt word is mended, a letter code is not guessed at --------

@pytest.mark.parametrize("message", ["tbc", "btbc"])
def test_a_short_letter_code_is_no_misspelt_abbreviation(engine, message):
    assert "cancer_type" not in answer(engine, ["cancer_type"], message).facts


def test_a_misspelt_word_is_still_mended(engine):
    assert answer(engine, ["cancer_type"], "leukemai").facts.get("cancer_type") == "blood_cancer"
