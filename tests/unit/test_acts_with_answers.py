"""An act said together with an answer (bot/parsing/acts.py, bot/understanding.py): both are kept."""
from __future__ import annotations

import pytest

from bot import texts
from bot.conversation import State, Turn
from bot.parsing import acts


def at(question: str, **facts) -> State:
    return State(consent=True, facts=dict(facts), pending=[question])


@pytest.mark.parametrize("text, act", [
    ("just tell me if I qualify or not", acts.SHOW_VERDICT),
    ("let me know whether she is eligible", acts.SHOW_VERDICT),
    ("does my mum qualify?", acts.SHOW_VERDICT),
    ("我前面都说了些什么", acts.SHOW_FACTS),
    ("why does diabetes matter?", acts.WHY),
    ("is the hospital in Tianjin?", acts.ASK_LOCATION),
    ("yes if it helps, but how would I even get to China?", acts.ASK_LOCATION),
])
def test_the_words_that_state_an_act(text, act):
    assert acts.act_in_words(text) == act


@pytest.mark.parametrize("text", ["dont know, they never tell me the results", "the doctors don't tell me the results"])
def test_what_others_do_not_tell_is_no_request_for_the_result(text):
    assert acts.act_in_words(text) is None


@pytest.mark.parametrize("text", ["depends how far I have to travel", "only if it's near me", "看要跑多远"])
def test_a_condition_that_names_the_place_asks_nothing(text):
    assert acts.act_in_words(text) is None


def test_a_conditional_answer_is_asked_again_not_taken_as_a_question(engine):
    understood = engine.understand(at("willing_to_consent"), Turn("depends how far I have to travel"))
    assert understood.act == "answer" and "willing_to_consent" not in understood.facts
    assert understood.follow_ups == {"willing_to_consent": "unsure"}


@pytest.mark.parametrize("text, value", [
    ("why does diabetes matter? I do have it, type 1", True),
    ("why does diabetes matter? I don't have it", False),
])
def test_why_asked_then_answered_keeps_both(engine, text, value):
    understood = engine.understand(at("diabetes", cancer_type="solid_tumour"), Turn(text))
    assert understood.also == acts.WHY and understood.facts == {"diabetes": value}


def test_why_asked_then_answered_gets_the_reason_and_the_answer_is_noted(engine):
    outcome = engine.respond(at("diabetes", cancer_type="solid_tumour"), Turn("why does diabetes matter? I do have it"))
    assert outcome.state.facts["diabetes"] is True
    assert any("diabet" in reply.text.lower() and reply.text != texts.WHY_NOTHING for reply in outcome.replies[:1])


def test_a_why_after_an_answer_is_only_the_answer(engine):
    understood = engine.understand(at("infection_serology_positive"), Turn("No!! why would you ask that"))
    assert understood.also is None and understood.facts == {"infection_serology_positive": False}


def test_a_question_beside_an_answer_is_answered_too(engine):
    understood = engine.understand(at("bleeding_tendency"), Turn("yes - gums and nose. Also is the hospital in Tianjin? I'm in Beijing"))
    assert understood.also == acts.ASK_LOCATION and understood.facts == {"bleeding_tendency": True}


@pytest.mark.parametrize("text, question", [("63 - where is the hospital?", acts.ASK_LOCATION),
                                            ("63, who do I call about it?", acts.ASK_CONTACT)])
def test_a_question_after_a_dash_or_a_comma_is_a_sentence_of_its_own_beside_the_answer(engine, text, question):
    understood = engine.understand(at("age"), Turn(text))
    assert understood.also == question and understood.facts == {"age": 63}


def test_a_question_alone_stays_a_question(engine):
    understood = engine.understand(at("willing_to_consent"), Turn("where is the hospital? I live in Shijiazhuang"))
    assert understood.act == acts.ASK_LOCATION
