"""A reading from a message with words left unread: offered back when it would move a criterion towards
passing, stored when it rules the person out (bot.conversation, bot.parsing.left_unread)."""
from __future__ import annotations

import pytest

from bot.conversation import State, Turn
from bot.parsing.left_unread import left_unread


def respond(engine, pending, message, **known):
    return engine.respond(State(consent=True, facts=dict(known), pending=list(pending)), Turn(message))


@pytest.mark.parametrize("text, left", [
    ("No, just my sugar, I take metformin", ["sugar", "metformin"]),
    ("nope, never had any of that", []),  # a reply and words that say no fact of their own
    ("yes of course, I'm sure", []),
    ("that's none of them", []),  # a contraction of a function word
    ("not yet, I'm still on it", ["yet", "still"]),  # what limits a reading is no function word
    ("我也没有", []),  # Chinese function words, cut by jieba
    ("没有，就吃降压药", ["降压药"]),
])
def test_the_words_left_are_those_that_say_something_of_their_own(text, left):
    assert left_unread(text, []) == left


def test_words_read_as_a_value_are_not_left():
    text = "platelets 22 on monday"
    assert left_unread(text, [(0, 12)]) == ["monday"]


def test_a_passing_reading_with_words_left_unread_is_offered_back_not_stored(engine):
    outcome = respond(engine, ["platelet_count"], "22, the nurse rang with it")
    assert "platelet_count" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"platelet_count": 22}
    assert "Is that right?" in outcome.replies[-1].text
    confirmed = engine.respond(outcome.state, Turn("yes"))
    assert confirmed.state.facts["platelet_count"] == 22


def test_the_same_reading_said_plainly_is_stored_at_once(engine):
    outcome = respond(engine, ["platelet_count"], "22")
    assert outcome.state.facts["platelet_count"] == 22 and not outcome.state.confirm


def test_a_no_beside_a_medicine_the_bot_cannot_place_is_offered_back(engine):
    outcome = respond(engine, ["antiplatelet_drugs"], "nope, just the clexane injections")
    assert "antiplatelet_drugs" not in outcome.state.facts
    assert outcome.state.confirm == {"antiplatelet_drugs": False}


def test_a_reading_that_rules_the_person_out_is_stored_whatever_is_left(engine):
    outcome = respond(engine, ["antiplatelet_drugs"], "yes, aspirin every morning since my stent")
    assert outcome.state.facts["antiplatelet_drugs"] is True and not outcome.state.confirm


def test_a_button_is_read_as_said(engine):
    outcome = engine.respond(State(consent=True, pending=["bleeding_tendency"]), Turn("/affirm", "affirm"))
    assert outcome.state.facts["bleeding_tendency"] is True


def test_a_reading_told_before_consent_with_words_left_is_offered_back_once_consent_is_given(engine):
    state = engine.respond(State(), Turn("Hi, my platelets were 22 when the nurse rang")).state
    assert not state.facts and not state.held  # nothing kept before consent
    outcome = engine.respond(state, Turn("yes"))
    assert outcome.state.consent and "platelet_count" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"platelet_count": 22}
    assert engine.respond(outcome.state, Turn("yes")).state.facts["platelet_count"] == 22


def test_declining_consent_drops_what_was_to_be_offered_back(engine):
    state = engine.respond(State(), Turn("Hi, my platelets were 22 when the nurse rang")).state
    state = engine.respond(state, Turn("no thanks")).state
    assert state.consent is False and not state.confirm and not state.held
