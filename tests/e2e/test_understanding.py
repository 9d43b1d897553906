"""Every example of the issue "Understand what people actually say, and never guess a health fact",
through the real servers and the REST channel: the answer that was misread, not understood or read
unsafely before, given to the question it answered, and what the person must now see.

Each conversation is led to the question by answering from a fitting person's profile; then the
example is sent, and the facts the bot kept ("what have I told you?") and its next message are
checked: a fact recorded, a reading offered back (``custom.confirm``), or the question asked again.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from tests.contract import asks_a_list
from tests.e2e.profiles import ELIGIBLE

pytestmark = pytest.mark.e2e

# What a fitting person says, for the questions before the one the example answers
# "never" alone could be either treatment's, asked together: the radiotherapy is named
PROFILE = {**ELIGIBLE, "childbearing_potential": "/affirm", "uses_contraception": "/affirm", "sex": "female",
           "last_radiotherapy": "I never had radiotherapy"}


def reach(chat, fact: str, profile: Dict[str, str] = PROFILE, max_turns: int = 45) -> Dict[str, Any]:
    """A new conversation, answered from ``profile`` until the bot asks about ``fact`` (in a list, or
    alone: of facts asked together, the others are answered, and ``fact`` is asked back alone); its question."""
    chat.start()  # greeting and consent
    for _ in range(max_turns):
        question = chat.question(chat.turns[-1])
        assert question is not None, f"no question about {fact}\n{chat.log()}"
        together = len(question["asks"]) > 1 and not asks_a_list(question)
        if fact in question["asks"] and not together:
            return question
        if "read_back" in question or "confirm" in question:
            chat.say("/affirm")
        elif together:
            chat.say(", ".join(profile[key] for key in question["asks"] if key != fact))
        elif len(question["asks"]) > 1:
            chat.say("/deny")
        else:
            chat.say(profile[question["asks"][0]])
    raise AssertionError(f"the bot never asked about {fact}\n{chat.log()}")


def last_question(chat) -> Optional[Dict[str, Any]]:
    return chat.question(chat.turns[-1])


def answer(chat, fact: str, message: str) -> Optional[Any]:
    """Say ``message``; a reading offered back (words left unread beside it) is confirmed, as the person who
    meant it would. Returns what was offered back about ``fact``, if anything."""
    chat.say(message)
    question = last_question(chat)
    if question is None or "confirm" not in question:
        return None
    chat.say("/affirm")
    return question["confirm"].get(fact)


def told(chat) -> Dict[str, Any]:
    """The facts the bot holds, as "what have I told you?" shows them (one more turn)."""
    return chat.facts()


# -- answers that were not understood: now read as answers to the question asked -------------------

@pytest.mark.parametrize("fact, message, value", [
    ("chemo_induced_thrombocytopenia", "my oncologist said it's from the chemo", True),
    ("platelet_boosters_failed", "I got rhTPO injections many times but my platelets stayed low", True),
    ("platelet_boosters_failed", "they gave me some jabs, didn't do much", True),
    ("platelet_boosters_failed", "yes but only once", False),
    ("liver_kidney_ok", "normal", True),
    ("liver_kidney_ok", "my liver and kidney tests were normal", True),
    ("liver_kidney_ok", "my liver enzymes are more than twice the upper limit", False),
    ("survival_six_months", "I hope so, my doctor hasn't said anything like that", None),
    ("survival_six_months", "they said at least a year", True),
    ("treatment_toxicity_unresolved", "The side effects have all gone now", False),
    ("infection_serology_positive", "Only hepatitis A as a child", False),
    ("antiplatelet_drugs", "no aspirin, but I take Brilique daily", True),
])
def test_an_answer_in_everyday_words_is_read_as_the_answer_to_the_question(chat, fact, message, value):
    c = chat()
    reach(c, fact)
    offered = answer(c, fact, message)
    facts = told(c)
    assert fact in facts and facts[fact] == value, c.log()
    assert offered in (None, value), c.log()
    assert "age" not in facts or facts["age"] == 62, c.log()  # "at least a year" is no age


@pytest.mark.parametrize("fact, message, absent", [
    ("arrhythmia", "tired af", "arrhythmia"),
    ("thrombotic_disease", "I used to be a PE teacher", "thrombotic_disease"),
])
def test_an_everyday_word_is_no_clinical_term(chat, fact, message, absent):
    c = chat()
    reach(c, fact)
    c.say(message)
    assert told(c).get(absent) is not True, c.log()


def test_a_duration_is_never_an_age(chat):
    c = chat()
    reach(c, "cancer_type")
    c.say("lung cancer, I've had it for 3 years")
    facts = told(c)
    assert facts["cancer_type"] == "solid_tumour" and facts.get("age") in (None, 62), c.log()


def test_yes_with_a_long_qt_is_an_answer_not_a_command(chat):
    c = chat()
    reach(c, "qtc_ms")
    c.say("yes, my ECG showed a long QT interval")
    assert "Here is what you have told me" not in c.last_texts(), c.log()
    assert "qtc_ms" not in told(c) or told(c)["qtc_ms"] is None, c.log()


# -- readings that were unsafe: now checked back, or the value that counts asked for --------------

@pytest.mark.parametrize("fact, message, offered", [
    ("platelet_boosters_failed", "yes, I had rhTPO and my platelets came back up after it", False),
    ("transplant", "yes an autologous one", False),
])
def test_words_that_contradict_a_plain_yes_or_no_are_checked_back(chat, fact, message, offered):
    c = chat()
    reach(c, fact)
    c.say(message)
    question = last_question(c)
    assert question and question.get("confirm") == {fact: offered}, c.log()
    assert fact not in told(c), c.log()  # not stored before the person confirms


def test_a_no_that_names_serious_bleeding_records_the_bleeding(chat):
    c = chat()
    reach(c, "severe_bleeding")  # asked in a list of what holds now
    c.say("No, only a little blood when I cough")
    assert told(c)["severe_bleeding"] is True, c.log()


@pytest.mark.parametrize("fact, message", [
    ("platelet_count", "over 20k"),
    ("platelet_count", "less than 30"),
    ("platelet_count", "25 last week, 45 today after a transfusion"),
    ("platelet_count", "0"),
    ("last_chemotherapy", "Not yet, I'm still on it"),
    ("childbearing_potential", "No, chemo stopped my periods"),
])
def test_a_bound_two_values_or_a_conditional_gets_a_follow_up_for_the_value_that_counts(chat, fact, message):
    c = chat()
    reach(c, fact)
    c.say(message)
    assert last_question(c)["asks"] == [fact], c.log()
    assert fact not in told(c), c.log()


def test_an_all_number_date_that_could_be_read_two_ways_is_asked_back(chat):
    c = chat()
    reach(c, "last_chemotherapy")
    c.say("01/12/2026")
    question = last_question(c)
    assert question["asks"] == ["last_chemotherapy"] and question["answer_type"] == "choice", c.log()
    assert "last_chemotherapy" not in told(c), c.log()


def test_a_bundle_answered_by_naming_one_item_records_that_item(chat):
    c = chat()
    reach(c, "diabetes")
    c.say("No, just my sugar, I take metformin")
    assert told(c)["diabetes"] is True, c.log()
    c = chat()
    reach(c, "thrombotic_disease")
    c.say("Not really, I had a clot in my leg")
    assert told(c)["thrombotic_disease"] is True, c.log()


def test_a_relative_helping_to_type_does_not_change_the_person(chat):
    c = chat()
    c.start()
    c.say("I'm 34, my husband is helping me type this")
    facts = told(c)
    assert facts.get("age") == 34 and "sex" not in facts, c.log()


def test_mild_dementia_that_does_not_stop_consent_does_not_exclude(chat):
    c = chat()
    reach(c, "mental_disorder_limits_consent")
    c.say("No, she has mild dementia but understands everything fine")
    assert told(c).get("mental_disorder_limits_consent") is not True, c.log()


def test_a_blood_cancer_stays_one_whatever_else_bleeds_or_clots(chat):
    c = chat()
    c.start()
    c.say("I have leukaemia")
    c.say("I also had some rectal bleeding, a clot in my lung and a stomach ulcer")
    assert told(c)["cancer_type"] == "blood_cancer", c.log()


def test_contraception_is_not_asked_of_someone_past_menopause_and_never_loops(chat):
    c = chat()
    reach(c, "childbearing_potential", {**PROFILE, "childbearing_potential": "not relevant, I'm past menopause"})
    answer(c, "childbearing_potential", "not relevant, I'm past menopause")
    assert told(c)["childbearing_potential"] is False, c.log()
    c.complete(PROFILE, given={"childbearing_potential"})
    assert ["uses_contraception"] not in c.asked, c.log()


# -- text that is not read is not a "yes" --------------------------------------------------------

@pytest.mark.parametrize("message", ["아니요", "нет", "не знаю", "لا", "aaaa"])
def test_other_scripts_and_junk_never_give_consent(chat, message):
    c = chat()
    c.say("hi")
    c.say(message)
    assert last_question(c)["asks"] == ["consent"], c.log()
    assert "English" in c.last_texts(), c.log()


@pytest.mark.parametrize("message", ["아니요", "нет", "aaaa", "alert(1)", "\x1b[31m", "[31m", "\u202e000,22"])
def test_junk_and_other_scripts_never_answer_a_health_question(chat, message):
    c = chat()
    reach(c, "platelet_count")
    c.say(message)
    facts = told(c)
    assert facts.get("platelet_count") is None and "sex" not in facts and facts.get("age") in (None, 62), c.log()


# -- the conversation: facts before consent, the person's own questions ----------------------------

def test_facts_before_consent_are_held_and_used_once_it_is_given(chat):
    c = chat()
    c.say("Hi, I'm asking for my mum. She's 71 and has ovarian cancer")
    assert last_question(c)["asks"] == ["consent"], c.log()
    c.say("/affirm")
    assert "your mum" in c.last_texts(), c.log()
    facts = told(c)
    assert facts["age"] == 71 and facts["cancer_type"] == "solid_tumour", c.log()


def test_the_single_site_is_said_before_the_first_health_question(chat):
    c = chat()
    c.say("hi, I live in London")
    assert "Tianjin" in c.last_texts(), c.log()


@pytest.mark.parametrize("message, words", [
    ("what is herombopag?", "Herombopag"),
    ("do I have to travel to China?", "Tianjin"),
    ("who do I call?", "study coordinator"),
    ("can I talk to a real person", "flagged"),
])
def test_the_person_s_own_questions_are_answered_and_the_question_stays_open(chat, message, words):
    c = chat()
    reach(c, "platelet_count")
    c.say(message)
    c.say(message)  # asked twice: still no failed answer
    assert words in c.last_texts() and last_question(c)["asks"] == ["platelet_count"], c.log()
    assert "platelet_count" not in told(c), c.log()


def test_a_person_asking_for_someone_is_flagged_for_follow_up(chat):
    c = chat()
    reach(c, "platelet_count")
    c.say("can I talk to a real person")
    assert any((m.get("custom") or {}).get("handoff") for m in c.turns[-1]), c.log()
