"""The conversation engine, turn by turn, without Rasa."""
from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.conversation import MAX_MESSAGE_LENGTH, Screening, State, Turn
from bot import i18n, texts
from bot.facts import is_date_range
from tests.conftest import SEED_TRIAL, TODAY
from tests.contract import asks_a_list, follows_contract


def talk(engine, *messages, state=None):
    """Run messages ("/affirm" style ones carry an intent) and return the state and all replies."""
    state = state or State()
    replies = []
    for message in messages:
        intent = message[1:] if message.startswith("/") else None
        outcome = engine.respond(state, Turn(message, intent))
        state, replies = outcome.state, replies + follows_contract(outcome.replies)
    return state, replies


def asked(replies):
    return [r.custom["asks"] for r in replies if r.custom and "asks" in r.custom]


def verdicts(replies):
    return [r.custom["verdict"] for r in replies if r.custom and "verdict" in r.custom]


def test_welcome_explains_and_asks_consent_before_any_health_question(engine):
    state, replies = talk(engine, "hi")
    assert "not medical advice" in replies[0].text and "delete my answers" in replies[0].text
    assert asked(replies) == [["consent"]] and not state.facts


def test_no_facts_are_kept_without_consent(engine):
    state, _ = talk(engine, "hi", "/deny")
    assert state.consent is False and not state.facts
    state, _ = talk(engine, "I'm 62 and my platelets are 22k", state=state)
    assert not state.facts


def test_the_most_likely_rule_out_is_asked_first(engine):
    _, replies = talk(engine, "hi", "/affirm")
    assert asked(replies)[-1] == ["platelet_count"]


def test_volunteered_facts_are_never_asked_again(engine):
    state, replies = talk(engine, "hi", "/affirm", "62F lung cancer, plt 22k, last chemo 6w ago")
    given = {"age", "sex", "cancer_type", "platelet_count", "last_chemotherapy"}
    assert given <= set(state.facts)
    for _ in range(40):
        if not state.pending:
            break
        assert not given & set(state.pending)
        state, replies = talk(engine, "/deny", state=state)


def read_back(replies):
    return [r.custom["read_back"] for r in replies if r.custom and "read_back" in r.custom]


def test_one_failing_criterion_is_read_back_then_ends_the_questions_and_offers_the_rest(engine):
    state, replies = talk(engine, "hi", "/affirm", "45000")
    assert not verdicts(replies) and read_back(replies) == [{"platelet_count": 45}]
    assert "platelet count: 45" in replies[-1].text and state.offer == "readback"
    state, replies = talk(engine, "/affirm", state=state)
    verdict = verdicts(replies)[-1]
    assert verdict["status"] == "not_eligible"
    failing = [c["id"] for c in verdict["criteria"] if c["status"] == "not_met"]
    assert failing == ["inc-platelets-bleeding"]
    assert "30" in replies[-2].text and state.offer == "more_questions"
    state, replies = talk(engine, "/affirm", state=state)
    assert state.full_picture and asked(replies)


def test_a_bundled_yes_is_followed_up_one_by_one(engine):
    state = State(consent=True, facts={"platelet_count": 20, "bleeding_tendency": True,
                                       "chemo_induced_thrombocytopenia": True, "platelet_boosters_failed": True,
                                       "last_chemotherapy": "2026-09-01", "last_radiotherapy": "never"})
    state, replies = talk(engine, "/greet", state=state)
    while not asks_a_list(replies[-1].custom):
        state, replies = talk(engine, "/deny", state=state)
    bundle = list(state.pending)
    state, replies = talk(engine, "/affirm", state=state)
    assert len(state.pending) == 1 and state.pending[0] in bundle


def test_corrections_replace_the_old_value_and_say_so(engine):
    state, replies = talk(engine, "hi", "/affirm", "my platelets were 22k", "actually my platelets are 25")
    assert state.facts["platelet_count"] == 25
    assert any("→" in r.text and "platelet count" in r.text for r in replies)


def test_i_dont_know_is_accepted_and_not_asked_again(engine):
    state, replies = talk(engine, "hi", "/affirm", "/dont_know")
    assert state.facts["platelet_count"] is None
    assert ["platelet_count"] not in asked(replies[-1:])


def test_nonsense_gets_a_rephrase_then_the_bot_moves_on(engine):
    state, replies = talk(engine, "hi", "/affirm", "qwertyuiop")
    assert replies[-2].text.startswith("Sorry") and state.pending == ["platelet_count"]
    state, replies = talk(engine, "zzzz", state=state)
    assert texts.SKIPPING in [r.text for r in replies] and state.pending != ["platelet_count"]
    assert state.facts["platelet_count"] is None


def test_implausible_value_gets_a_check_back_and_nothing_is_lost(engine):
    state, replies = talk(engine, "hi", "/affirm", "I'm 62", "my platelets are 5000 x10^9/L")
    assert "check" in replies[-2].text and state.pending == ["platelet_count"]
    assert state.facts == {"age": 62}
    state, _ = talk(engine, "sorry, 5 x10^9/L", state=state)
    assert state.facts["platelet_count"] == 5


def test_a_month_that_cannot_settle_a_criterion_is_held_and_asked_again_for_the_day(engine):
    state = State(consent=True, pending=["last_chemotherapy"])
    state, replies = talk(engine, "in October", state=state)  # 23 October is the one-month boundary
    assert "last_chemotherapy" not in state.facts  # asked back, not stored
    assert state.held_ranges == {"last_chemotherapy": "2026-10-01/2026-10-31"}
    assert texts.CLOSER_DATE.format(label="last chemotherapy", when="in October 2026") in [r.text for r in replies]
    assert asked(replies)[-1] == ["last_chemotherapy"]
    assert replies[-1].custom["closer_than"] == {"last_chemotherapy": "2026-10-01/2026-10-31"}
    state, replies = talk(engine, "about five weeks ago", state=state)
    assert state.facts["last_chemotherapy"] == "2026-10-19" and not state.held_ranges
    assert not any(r.text.startswith("Updated") for r in replies)  # the month was never stored
    assert asked(replies)[-1] != ["last_chemotherapy"]


def test_a_month_that_settles_the_criterion_is_not_asked_again(engine):
    state, replies = talk(engine, "in September", state=State(consent=True, pending=["last_chemotherapy"]))
    assert state.facts["last_chemotherapy"] == "2026-09-01/2026-09-30"
    assert asked(replies)[-1] != ["last_chemotherapy"]


@pytest.mark.parametrize("answers", [("/dont_know",), ("no",), ("not sure",), ("October, I can't say more",),
                                     ("qwerty", "zzzz"), ("I'm 62", "I'm a woman", "I have lung cancer")])
def test_without_a_closer_date_the_month_stays_unknown_for_the_criterion_and_is_never_met(engine, answers):
    state, replies = talk(engine, "hi", "/affirm", "my last chemo was in October")
    assert "Noted: last chemotherapy: in October 2026." in [r.text for r in replies]
    assert asked(replies)[-1] == ["last_chemotherapy"] and "last_chemotherapy" not in state.facts
    assert "October 2026" in engine.show_facts(state).replies[0].text  # held, and told
    state, replies = talk(engine, *answers, state=state)
    # "I don't know", a reply not understood twice, or other answers until the question is left open:
    # the month stands as it was said (not "never", not forgotten)
    assert state.facts["last_chemotherapy"] == "2026-10-01/2026-10-31" and not state.held_ranges
    assert asked(replies)[-1] != ["last_chemotherapy"]  # asked once, not again and again
    verdict = verdicts(engine.show_verdict(state).replies)[-1]
    statuses = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert statuses["inc-treatment-break"] == "unknown" and verdict["status"] != "likely_eligible"
    assert "October 2026" in engine.show_facts(state).replies[0].text


@pytest.mark.parametrize("answer, when", [
    ("less than 2 months ago", "between 2026-09-23 and 2026-11-23"),  # a day at the bound would pass
    ("more than 2 weeks ago", "on or before 2026-11-09"),
    ("3-5 weeks ago", "between 2026-10-19 and 2026-11-02"),  # a month ago lies in between
])
def test_a_bound_that_cannot_settle_a_criterion_is_asked_again_and_said_as_it_was_read(engine, answer, when):
    state = State(consent=True, pending=["last_chemotherapy"])
    state, replies = talk(engine, answer, state=state)
    assert texts.CLOSER_DATE.format(label="last chemotherapy", when=when) in [r.text for r in replies]
    assert asked(replies)[-1] == ["last_chemotherapy"] and "last_chemotherapy" not in state.facts
    state, replies = talk(engine, "about seven weeks ago", state=state)
    assert state.facts["last_chemotherapy"] == "2026-10-05" and not state.held_ranges


def test_a_range_held_is_asked_again_after_another_answer_and_let_go_with_a_verdict_decided(engine):
    state = State(consent=True, pending=["last_chemotherapy"])
    state, _ = talk(engine, "3-5 weeks ago", state=state)
    state, replies = talk(engine, "I'm 62", state=state)  # not the closer date: asked for it again, first
    assert state.facts["age"] == 62 and asked(replies)[-1] == ["last_chemotherapy"]
    assert replies[-1].custom["closer_than"] == {"last_chemotherapy": "2026-10-19/2026-11-02"}
    state, replies = talk(engine, "my platelets are 150", state=state)  # rules the trial out: no closer date needed
    assert state.facts["last_chemotherapy"] == "2026-10-19/2026-11-02" and not state.held_ranges


def test_two_ranges_told_at_once_are_held_and_asked_one_at_a_time(engine):
    state = State(consent=True, pending=["last_chemotherapy", "last_radiotherapy"])
    state, replies = talk(engine, "chemo 3-5 weeks ago and radiotherapy in October", state=state)
    assert set(state.held_ranges) == {"last_chemotherapy", "last_radiotherapy"}
    assert asked(replies)[-1] == ["last_chemotherapy"]
    state, replies = talk(engine, "on 20 October", state=state)
    assert state.facts["last_chemotherapy"] == "2026-10-20" and asked(replies)[-1] == ["last_radiotherapy"]
    state, _ = talk(engine, "/dont_know", state=state)
    assert state.facts["last_radiotherapy"] == "2026-10-01/2026-10-31" and not state.held_ranges


def test_a_range_that_decides_the_criterion_is_stored_at_once(engine):
    state, replies = talk(engine, "less than a month ago", state=State(consent=True, pending=["last_chemotherapy"]))
    assert is_date_range(state.facts["last_chemotherapy"]) and not state.held_ranges  # the month not passed: not met
    assert not any(r.custom and "closer_than" in r.custom for r in replies)


def test_a_range_held_in_a_matching_is_asked_for_a_closer_date(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state = State(consent=True, matching=True, place="anywhere", pending=["last_chemotherapy"])
    state, replies = talk(engine, "four or five weeks ago", state=state)
    assert "last_chemotherapy" not in state.facts and asked(replies)[-1] == ["last_chemotherapy"]
    assert replies[-1].custom["closer_than"] == {"last_chemotherapy": "2026-10-19/2026-10-26"}
    state, _ = talk(engine, "/dont_know", state=state)
    assert state.facts["last_chemotherapy"] == "2026-10-19/2026-10-26" and not state.held_ranges


@pytest.mark.parametrize("message, noted", [
    ("my last chemo was more than 3 months ago", "on or before 2026-08-23"),
    ("my last chemo was last week", "between 2026-11-15 and 2026-11-22"),
])
def test_a_bound_that_settles_the_criterion_is_noted_as_it_was_read_and_not_asked_again(engine, message, noted):
    state, replies = talk(engine, "hi", "/affirm", message)
    assert f"Noted: last chemotherapy: {noted}." in [r.text for r in replies]
    assert "last_chemotherapy" not in (state.pending or [])
    assert f"last chemotherapy: {noted}" in engine.show_facts(state).replies[0].text


def test_without_a_closer_date_a_recent_bound_is_never_met(engine):
    state, _ = talk(engine, "hi", "/affirm", "my last chemo was within the last 6 months", "/dont_know")
    assert state.facts["last_chemotherapy"] == "2026-05-23/2026-11-23"
    verdict = verdicts(engine.show_verdict(state).replies)[-1]
    statuses = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert statuses["inc-treatment-break"] == "unknown" and verdict["status"] != "likely_eligible"


def test_a_huge_message_gets_a_clear_reply(engine):
    state, replies = talk(engine, "hi", "/affirm", "x" * (MAX_MESSAGE_LENGTH + 1))
    assert "too long" in replies[-2].text and state.pending == ["platelet_count"]


def test_contradictions_keep_the_earlier_answer_and_say_why(engine):
    state, replies = talk(engine, "hi", "/affirm", "I'm a 50 year old man", "I'm pregnant")
    assert "pregnant" not in state.facts
    assert any("doesn't fit" in r.text for r in replies)


def test_third_person_questions_name_the_person(engine):
    state, replies = talk(engine, "hi", "/affirm", "my father is 70")
    assert "your father" in replies[-1].text


def test_why_explains_the_criterion_behind_the_question(engine):
    state, _ = talk(engine, "hi", "/affirm")
    outcome = engine.explain_why(state)
    assert "Platelet counts <30" in outcome.replies[0].text
    assert outcome.replies[-1].custom["asks"] == ["platelet_count"]


def test_show_facts_start_over_and_delete(engine):
    state, _ = talk(engine, "hi", "/affirm", "I'm 62, platelets 22k")
    summary = engine.show_facts(state).replies[0].text
    assert "age: 62 years" in summary and "22 ×10^9/L" in summary
    fresh = engine.start_over(state).state
    assert fresh.consent and not fresh.facts
    deleted = engine.delete_answers(state).state
    assert deleted == State()


def test_the_delete_reply_tells_the_client_to_forget_its_copy_too(engine):
    state, _ = talk(engine, "hi", "/affirm", "I'm 62, platelets 22k")
    [reply] = engine.delete_answers(state).replies
    assert reply.text == texts.DELETED and reply.custom["deleted"] is True


def test_an_unknown_trial_is_named_and_the_known_ones_offered(engine):
    _, replies = talk(engine, "can I join NCT00000000?")
    assert "NCT00000000" in replies[0].text and "NCT05236582" in replies[0].text


def test_no_to_do_you_know_a_number_means_not_known(engine):
    state = State(consent=True, pending=["qtc_ms"])
    state, _ = talk(engine, "/deny", state=state)
    assert "qtc_ms" in state.facts and state.facts["qtc_ms"] is None


def test_something_wrong_in_the_read_back_is_fixed_in_the_person_s_own_words(engine):
    state, replies = talk(engine, "hi", "/affirm", "45000", "/deny")
    assert replies[-1].text == texts.READBACK_FIX and not verdicts(replies)
    state, replies = talk(engine, "my platelets are 25", state=state)
    assert state.facts["platelet_count"] == 25 and any("Updated platelet count" in r.text for r in replies)
    assert not verdicts(replies) and asked(replies)  # 25 fits: the questions go on


def test_after_the_verdict_a_yes_or_no_gets_guidance_not_a_loop(engine):
    state, replies = talk(engine, "hi", "/affirm", "45000", "/affirm", "/deny")
    assert state.offer is None and not state.pending
    state, replies = talk(engine, "/deny", state=state)
    assert replies[-1].text == texts.AFTER_VERDICT and replies[-1].buttons


def test_an_empty_message_repeats_the_question(engine):
    state, replies = talk(engine, "hi", "/affirm", "   ")
    assert replies[-2].text == texts.EMPTY and replies[-1].custom["asks"] == ["platelet_count"]


def test_a_bare_correction_after_the_verdict_fixes_the_last_answer(engine):
    state, replies = talk(engine, "hi", "/affirm", "45000", "/affirm")
    assert verdicts(replies)[-1]["status"] == "not_eligible"
    state, replies = talk(engine, "sorry, I meant 25", state=state)
    assert state.facts["platelet_count"] == 25
    assert any("Updated platelet count" in r.text for r in replies)
    assert verdicts(replies) == [] or verdicts(replies)[-1]["status"] != "not_eligible"


def test_a_bare_number_without_a_correction_word_is_not_taken_as_one(engine):
    state, replies = talk(engine, "hi", "/affirm", "45000", "25")
    assert state.facts["platelet_count"] == 45


def test_punctuation_alone_is_not_an_answer_whatever_the_intent(engine):
    state, _ = talk(engine, "hi", "/affirm", "22")
    assert state.pending == ["bleeding_tendency"]
    outcome = engine.respond(state, Turn("???", "affirm"))  # the NLU's guess is not trusted
    assert outcome.state.pending == ["bleeding_tendency"] and "bleeding_tendency" not in outcome.state.facts
    assert "Sorry" in outcome.replies[0].text


def test_a_yes_only_the_model_heard_is_checked_back_never_stored(engine):
    state, _ = talk(engine, "hi", "/affirm", "22")
    unsure = engine.respond(state, Turn("hmm", "affirm", confidence=0.55))
    assert "bleeding_tendency" not in unsure.state.facts and "Sorry" in unsure.replies[0].text
    sure = engine.respond(state, Turn("I sure do", "affirm", confidence=0.97))  # no yes in the words
    assert "bleeding_tendency" not in sure.state.facts
    assert sure.replies[-1].custom["confirm"] == {"bleeding_tendency": True} and sure.state.offer == "confirm"
    confirmed = engine.respond(sure.state, Turn("/affirm", "affirm"))
    assert confirmed.state.facts["bleeding_tendency"] is True


def test_an_unsure_greeting_mid_question_gets_a_rephrase(engine):
    state, _ = talk(engine, "hi", "/affirm")
    outcome = engine.respond(state, Turn("hmm", "greet", confidence=0.6))
    assert "Sorry" in outcome.replies[0].text and outcome.state.pending == ["platelet_count"]


def test_a_message_that_says_yes_and_no_is_asked_about_before_anything_else(engine):
    state, replies = talk(engine, "hi", "/affirm", "22k, I get nosebleeds but no bleeding history")
    assert "bleeding_tendency" not in state.facts
    assert any(texts.MIXED_ANSWER.split("{")[0] in r.text for r in replies)
    # words left unread beside the count ("but no bleeding history"): the count is offered back first
    assert replies[-1].custom["confirm"] == {"platelet_count": 22}
    state, replies = talk(engine, "/affirm", state=state)
    assert state.facts["platelet_count"] == 22
    assert asked(replies)[-1] == ["bleeding_tendency"]  # the next "yes" answers this, not another question
    state, _ = talk(engine, "/affirm", state=state)
    assert state.facts["bleeding_tendency"] is True


def test_a_relative_with_a_bare_age_is_screened_as_the_subject(engine):
    state, replies = talk(engine, "hi", "/affirm", "my mother, 67, lung cancer")
    assert state.subject == "your mother"
    assert state.facts["age"] == 67 and "platelet_count" not in state.facts  # 67 is not her platelet count
    assert asked(replies)[-1] == ["platelet_count"] and "your mother's" in replies[-1].text


def test_never_tested_for_the_infections_is_not_known_and_the_questions_go_on(engine):
    for message in ("never tested", "I've never been tested", "never had a test for it",
                    "I've never been tested for hepatitis"):
        state = State(consent=True, pending=["infection_serology_positive"])
        outcome = engine.respond(state, Turn(message, "deny", confidence=0.97))  # the model hears a "no"
        assert outcome.state.facts["infection_serology_positive"] is None, message
        assert outcome.state.pending and "infection_serology_positive" not in outcome.state.pending
    state = State(consent=True, pending=["infection_serology_positive"])
    outcome = engine.respond(state, Turn("never had hepatitis", "deny", confidence=0.97))
    # one of the infections denied: the others are offered back as a "no", not taken for granted
    assert "infection_serology_positive" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"infection_serology_positive": False}


def test_a_plain_qt_does_not_answer_the_qtc_question(engine):
    state = State(consent=True, pending=["qtc_ms"])
    state, _ = talk(engine, "my QT was 440 ms", state=state)
    assert "qtc_ms" not in state.facts and state.pending == ["qtc_ms"]
    state, _ = talk(engine, "QT/QTc 440/470", state=state)
    assert state.facts["qtc_ms"] == 470


# A patient who fits the trial and answers every question plainly, as a person would type it
# A fitting patient's plain answers: to one fact, or to facts asked together (joined by "+"). Each
# question asked together names its facts ("chemo six weeks ago, radiotherapy never"), and so do they.
PLAIN_ANSWERS = {"age": "62", "sex": "female", "cancer_type": "lung cancer", "platelet_count": "22",
                 "cancer_type+age+sex": "lung cancer, 62, female", "age+sex": "62, female",
                 "cancer_type+age+sex+childbearing_potential+last_chemotherapy+last_radiotherapy":
                     "lung cancer, 62, female, past menopause, chemo 6 weeks ago, never had radiotherapy",
                 "last_chemotherapy": "6 weeks ago", "last_radiotherapy": "never", "qtc_ms": "I don't know",
                 "last_chemotherapy+last_radiotherapy": "chemo 6 weeks ago, never had radiotherapy"}
PLAIN_YES = {"bleeding_tendency", "chemo_induced_thrombocytopenia", "platelet_boosters_failed", "liver_kidney_ok",
             "survival_six_months", "willing_to_consent", "read_back"}
# Other fitting patients: a man of 45, and a woman of 29 who could become pregnant and uses contraception
MAN_45 = {"age": "45", "sex": "male", "cancer_type+age+sex": "bowel cancer, 45, male", "age+sex": "45, male",
          "cancer_type+age+sex+childbearing_potential+last_chemotherapy+last_radiotherapy": "bowel cancer, 45, male, chemo 6 weeks ago, never had radiotherapy"}
WOMAN_29 = {"age": "29", "cancer_type+age+sex": "breast cancer, 29, female", "age+sex": "29, female",
            "cancer_type+age+sex+childbearing_potential+last_chemotherapy+last_radiotherapy":
                "breast cancer, 29, female, I could become pregnant, chemo 6 weeks ago, never had radiotherapy",
            "childbearing_potential": "yes", "uses_contraception": "yes, I'm on the pill"}


# The opening question: facts people give together when they introduce themselves and their treatment
INTRODUCTION = ["cancer_type", "age", "sex", "childbearing_potential", "last_chemotherapy", "last_radiotherapy"]


def screen_fitting_patient(engine, opening="hi", subject_answers=None):
    """Runs the fitting patient to the verdict; returns the state, every reply and the turns taken."""
    answers = {**PLAIN_ANSWERS, **(subject_answers or {})}
    state, replies, message = State(), [], opening
    for turn in range(1, 41):
        state, said = talk(engine, message, state=state)
        replies += said
        if verdicts(said):
            return state, replies, turn
        keys = asked(said)[-1]
        message = "/affirm" if keys == ["consent"] or keys[0] in PLAIN_YES else answers.get("+".join(keys), "no")
    raise AssertionError("no verdict after 40 turns")


def test_the_read_back_before_likely_eligible_is_a_few_lines_with_every_deciding_fact(engine):
    state, replies, _ = screen_fitting_patient(engine)
    read_back = next(r for r in replies if r.custom and "read_back" in r.custom)
    listed = read_back.text.split("\n")[1:-1]
    assert len(listed) <= 5, read_back.text
    for key in read_back.custom["read_back"]:
        assert engine.vocabulary[key].label in read_back.text, key
    assert "platelet count: 22" in read_back.text and "Yes: " in read_back.text and "No: " in read_back.text
    assert verdicts(replies)[-1]["status"] == "likely_eligible"


def test_a_fitting_patient_answering_plainly_reaches_the_verdict_in_few_turns(engine):
    screenings = [screen_fitting_patient(engine, subject_answers=profile) for profile in ({}, MAN_45, WOMAN_29)]
    assert [verdicts(replies)[-1]["status"] for _, replies, _ in screenings] == ["likely_eligible"] * 3
    turns = sorted(taken for _, _, taken in screenings)
    assert turns == [15, 15, 16]  # greeting, consent and read-back included (goal: a median of 15 at most)


def test_facts_people_give_together_are_asked_in_one_question(engine):
    state, replies = talk(engine, "hi", "/affirm", "22", "/affirm", "/affirm", "/affirm")
    question = replies[-1]
    assert question.custom["asks"] == INTRODUCTION and question.custom["answer_type"] == "text"
    assert question.text.startswith("A few facts to start") and "a man or a woman" in question.text
    assert "for a woman: whether you could become pregnant" in question.text
    state, replies = talk(engine, "I'm a 62 year old woman with lung cancer", state=state)
    assert {k: state.facts[k] for k in ("cancer_type", "age", "sex")} == {"cancer_type": "solid_tumour", "age": 62,
                                                                         "sex": "female"}
    assert not {"cancer_type", "age", "sex"} & set(asked(replies)[-1])
    assert asked(replies)[-1] == ["childbearing_potential"]  # what she left unsaid, asked alone


@pytest.mark.parametrize("pending, message, stored, asked_next", [
    (["age", "sex"], "62, female", {"age": 62, "sex": "female"}, None),
    (["age", "sex"], "62", {"age": 62}, ["sex"]),  # the sex left unsaid is asked, not guessed
    (["age", "sex"], "female", {"sex": "female"}, ["age"]),
    (["age", "sex"], "over 60, female", {"sex": "female"}, ["age"]),  # a bound: the exact age is asked
    (["age", "sex"], "yes", {}, ["age", "sex"]),  # a bare yes answers none of them
    (["age", "sex"], "I don't know", {"age": None, "sex": None}, None),
    (INTRODUCTION, "lung, 62, female", {"cancer_type": "solid_tumour", "age": 62, "sex": "female"},
     ["childbearing_potential"]),  # the rest asked, one at a time
    (INTRODUCTION, "lung, 62, female, past menopause, chemo 6 weeks ago, radiotherapy never",
     {"cancer_type": "solid_tumour", "age": 62, "sex": "female", "childbearing_potential": False,
      "last_chemotherapy": "2026-10-12", "last_radiotherapy": "never"}, None),
    (INTRODUCTION, "lung, 62, male, chemo 6 weeks ago, radiotherapy never",  # a man: nothing left to ask
     {"cancer_type": "solid_tumour", "age": 62, "sex": "male", "last_chemotherapy": "2026-10-12",
      "last_radiotherapy": "never"}, None),
    # a bare yes or no answers none of them, in the question's order or not
    (INTRODUCTION, "lung, 62, female, no, chemo 6 weeks ago, radiotherapy never",
     {"cancer_type": "solid_tumour", "age": 62, "sex": "female", "last_chemotherapy": "2026-10-12",
      "last_radiotherapy": "never"}, ["childbearing_potential"]),
    (INTRODUCTION, "lung, 62, female, no, 6 weeks ago, never", {"cancer_type": "solid_tumour", "age": 62, "sex": "female"},
     ["childbearing_potential"]),  # the age still read beside two dates that could be either
    (INTRODUCTION, "lung cancer", {"cancer_type": "solid_tumour"}, ["age", "sex"]),  # the smaller group together
    (INTRODUCTION, "62", {"age": 62}, ["cancer_type"]),
    (["cancer_type", "age", "sex"], "I'm 250 years old", {}, ["age"]),  # the age checked first, with its note
    (["last_chemotherapy", "last_radiotherapy"], "chemo 6 weeks ago, never had radiotherapy",
     {"last_chemotherapy": "2026-10-12", "last_radiotherapy": "never"}, None),
    (["last_chemotherapy", "last_radiotherapy"], "chemo 6 weeks ago", {"last_chemotherapy": "2026-10-12"},
     ["last_radiotherapy"]),
    (["last_chemotherapy", "last_radiotherapy"], "chemo 6 weeks ago, no", {"last_chemotherapy": "2026-10-12"},
     ["last_radiotherapy"]),  # a bare "no" is not taken for "never had radiotherapy"
    (["last_chemotherapy", "last_radiotherapy"], "6 weeks ago", {}, ["last_chemotherapy"]),  # which one? each asked
    (["last_chemotherapy", "last_radiotherapy"], "no", {}, ["last_chemotherapy", "last_radiotherapy"]),
    (["last_chemotherapy", "last_radiotherapy"], "Not yet, I'm still on it", {}, ["last_chemotherapy"]),
    # the "never" of a treatment named is not the other's: "never" noted for chemotherapy passed the one-month break
    (["last_chemotherapy", "last_radiotherapy"], "I never had radiotherapy", {"last_radiotherapy": "never"},
     ["last_chemotherapy"]),
    (INTRODUCTION, "lung cancer, 62, male, I never had radiotherapy",
     {"cancer_type": "solid_tumour", "age": 62, "sex": "male", "last_radiotherapy": "never"}, ["last_chemotherapy"]),
])
def test_an_answer_to_facts_asked_together_notes_what_it_says_and_asks_the_rest(engine, pending, message, stored,
                                                                                  asked_next):
    state, replies = talk(engine, message, state=State(consent=True, pending=pending))
    assert {k: v for k, v in state.facts.items() if k in pending} == stored
    if asked_next is not None:
        assert asked(replies)[-1] == asked_next
    else:
        assert not set(pending) & set(asked(replies)[-1])


def test_answers_to_facts_asked_together_given_in_the_question_order_are_offered_back(engine):
    pending = ["last_chemotherapy", "last_radiotherapy"]
    state, replies = talk(engine, "6 weeks ago, never", state=State(consent=True, pending=pending))
    assert not set(pending) & set(state.facts)  # nothing noted before the person says it is right
    assert replies[-1].custom["confirm"] == {"last_chemotherapy": "2026-10-12", "last_radiotherapy": "never"}
    state, _ = talk(engine, "/affirm", state=state)
    assert state.facts["last_chemotherapy"] == "2026-10-12" and state.facts["last_radiotherapy"] == "never"


def test_a_fact_asked_back_alone_gets_its_full_chances(engine):
    pending = ["last_chemotherapy", "last_radiotherapy"]
    state, replies = talk(engine, "I never had radiotherapy", state=State(consent=True, pending=pending))
    assert state.facts["last_radiotherapy"] == "never" and asked(replies)[-1] == ["last_chemotherapy"]
    state, replies = talk(engine, "Not yet, I'm still on it", state=state)  # a follow-up, not a second failure
    assert asked(replies)[-1] == ["last_chemotherapy"] and "last_chemotherapy" not in state.facts
    assert replies[-2].text == engine.vocabulary["last_chemotherapy"].unsure_note


def test_a_man_is_not_asked_whether_he_could_become_pregnant(engine):
    state, replies, _ = screen_fitting_patient(engine, subject_answers=MAN_45)
    # only the opening question names it, "for a woman"; his "male" answers it
    assert not any(set(keys) & {"childbearing_potential", "pregnant", "breastfeeding", "uses_contraception"}
                   for keys in asked(replies) if keys != INTRODUCTION)


def test_the_verdict_for_a_relative_speaks_of_them_in_the_third_person(engine):
    state, replies, _ = screen_fitting_patient(engine, opening="hi, I'm asking for my mother")
    assert state.subject == "your mother"
    verdict = next(r.text for r in replies if r.custom and "verdict" in r.custom)
    assert verdict.startswith("Based on what you told me, your mother is likely to be eligible")
    assert "- She is 18 or older" in verdict and "she has signs of easy bleeding" in verdict
    assert "Her doctor expects her to live" in verdict
    explanations = verdict.split("\n")[2:]
    assert not any(line.startswith(("- You ", "- Your ")) for line in explanations), verdict


def test_the_first_answer_sent_again_to_a_read_back_is_no_confirmation(engine):
    state = State(consent=True, pending=["platelet_boosters_failed"])
    state, replies = talk(engine, "yes but only once", state=state)  # one answer decides "not eligible"
    assert state.offer == "readback" and read_back(replies)[-1] == {"platelet_boosters_failed": False}
    state, replies = talk(engine, "Yes  but only once", state=state)
    assert replies[0].text == texts.SENT_AGAIN and not verdicts(replies)
    assert state.offer == "readback" and read_back(replies) == [{"platelet_boosters_failed": False}]
    state, replies = talk(engine, "/deny", state=state)
    assert replies[-1].text == texts.READBACK_FIX


def test_an_age_a_person_writing_for_themselves_cannot_have_is_checked_back(engine):
    state, replies = talk(engine, "hi", "/affirm", "I'm 3")
    assert "age" not in state.facts and replies[-1].custom["confirm"] == {"age": 3}
    state, replies = talk(engine, "hi, my son is 3 and has leukaemia", "/affirm")
    assert state.facts["age"] == 3


@pytest.mark.parametrize("message, read", [
    ("I could become pregnant", {"childbearing_potential": True}),  # no pregnancy read from "pregnant" inside it
    ("yes I could get pregnant", {"childbearing_potential": True}),
    ("能怀孕", {"childbearing_potential": True}),
    ("能", {"childbearing_potential": True}),
    ("不能", {"childbearing_potential": False}),
])
def test_could_become_pregnant_says_nothing_of_a_pregnancy(engine, message, read):
    state, _ = talk(engine, message, state=State(consent=True, pending=["childbearing_potential"]))
    assert {k: v for k, v in state.facts.items() if k in ("childbearing_potential", "pregnant")} == read


def test_asked_whether_pregnant_could_be_is_still_read_as_a_possible_pregnancy(engine):
    state, replies = talk(engine, "有可能怀孕", state=State(consent=True, pending=["pregnant"]))
    assert "pregnant" not in state.facts and replies[-1].custom["confirm"] == {"pregnant": True}


def test_after_a_yes_to_a_list_its_items_are_asked_next_one_by_one(engine):
    listed = ["treatment_toxicity_unresolved", "antiplatelet_drugs", "severe_bleeding", "infection_serology_positive"]
    state, replies = talk(engine, "/affirm", state=State(consent=True, pending=listed, facts={"sex": "male"}))
    followed = []
    for _ in listed:
        keys = asked(replies)[-1]
        if len(keys) != 1 or keys[0] not in listed:
            break
        followed.append(keys[0])
        state, replies = talk(engine, "no", state=state)
    assert sorted(followed) == sorted(listed), followed


# -- after "something is wrong" in the read-back ------------------------------------------------------------------------
_AT_THE_READ_BACK = {}


def at_the_read_back(engine, language=None):
    """The fitting patient's state at the read-back before "likely eligible" (in ``language``)."""
    if id(engine.catalogue) in _AT_THE_READ_BACK:
        return replace(deepcopy(_AT_THE_READ_BACK[id(engine.catalogue)]), language=language)
    state, message = State(), "hi"
    for _ in range(40):
        state, said = talk(engine, message, state=state)
        if state.offer == "readback":
            _AT_THE_READ_BACK[id(engine.catalogue)] = deepcopy(state)
            return replace(state, language=language)
        keys = asked(said)[-1]
        message = "/affirm" if keys == ["consent"] or keys[0] in PLAIN_YES else PLAIN_ANSWERS.get("+".join(keys), "no")
    raise AssertionError("no read-back after 40 turns")


def ends_in_a_question_or_a_verdict(state, replies):
    """What a person sees last asks them something (a question, a check-back, the read-back, the request for the
    correction) or is the verdict: never "we have asked everything" with nothing to answer."""
    last = replies[-1]
    if last.custom and ("asks" in last.custom or "verdict" in last.custom):
        return True
    with i18n.override(state.language):  # "一" is Chinese enough to go on in Chinese
        return state.offer == "fix" and last.text in (texts.READBACK_FIX, texts.READBACK_FIX_NOT_READ)


@pytest.mark.parametrize("correction, fact", [
    ("survival: not sure", "survival_six_months"),
    ("actually I don't know my platelet count", "platelet_count"),
    ("platelet count: not known", "platelet_count"),  # the bot's own wording of "not known"
    ("doctor expects at least 6 more months of life: not known", "survival_six_months"),
    ("last chemotherapy: not known", "last_chemotherapy"),
])
def test_a_correction_to_not_known_after_something_is_wrong_is_stored_and_the_screening_goes_on(engine, correction, fact):
    state, replies = talk(engine, "/deny", state=at_the_read_back(engine))
    assert replies[-1].text == texts.READBACK_FIX and state.offer == "fix"
    state, replies = talk(engine, correction, state=state)
    assert fact in state.facts and state.facts[fact] is None, (correction, state.facts.get(fact))
    assert any(r.custom and r.custom.get("updated") == [fact] for r in replies)
    assert texts.AFTER_VERDICT not in [r.text for r in replies]
    assert ends_in_a_question_or_a_verdict(state, replies), [r.text for r in replies]
    for _ in range(10):  # then on to the verdict, confirming what is read back
        if verdicts(replies):
            break
        state, replies = talk(engine, "/affirm" if state.offer == "readback" else "I don't know", state=state)
    assert verdicts(replies) and verdicts(replies)[-1]["status"] in ("uncertain", "likely_eligible")
    assert fact not in (read_back(replies) or [{}])[-1]


def test_a_hedged_correction_is_offered_back_not_stored(engine):
    state, _ = talk(engine, "/deny", state=at_the_read_back(engine))
    state, replies = talk(engine, "platelets maybe 25", state=state)
    assert state.facts["platelet_count"] == 22 and replies[-1].custom["confirm"] == {"platelet_count": 25}
    state, replies = talk(engine, "/affirm", state=state)
    assert state.facts["platelet_count"] == 25


@pytest.mark.parametrize("correction", ["the platelet count is wrong", "platelets wrong"])
def test_a_correction_that_names_a_fact_without_its_value_asks_that_fact_again(engine, correction):
    state, _ = talk(engine, "/deny", state=at_the_read_back(engine))
    state, replies = talk(engine, correction, state=state)
    assert asked(replies)[-1] == ["platelet_count"] and state.facts["platelet_count"] == 22
    state, replies = talk(engine, "I don't know", state=state)
    assert state.facts["platelet_count"] is None and ends_in_a_question_or_a_verdict(state, replies)


def test_no_with_the_correction_at_the_read_back_is_the_correction(engine):
    state, replies = talk(engine, "no, my platelets are 25", state=at_the_read_back(engine))
    assert state.facts["platelet_count"] == 25 and any("Updated platelet count" in r.text for r in replies)
    state, replies = talk(engine, "no, I don't know the platelet count", state=at_the_read_back(engine))
    assert state.facts["platelet_count"] is None


def test_an_unreadable_correction_is_asked_for_again_then_the_read_back_comes_back(engine):
    state, _ = talk(engine, "/deny", state=at_the_read_back(engine))
    facts = dict(state.facts)
    state, replies = talk(engine, "hmm the thing", state=state)
    assert replies[-1].text == texts.READBACK_FIX_NOT_READ and state.offer == "fix" and state.facts == facts
    state, replies = talk(engine, "/deny", state=state)
    assert read_back(replies) and state.offer == "readback" and state.facts == facts
    state, replies = talk(engine, "/affirm", state=state)
    assert verdicts(replies)[-1]["status"] == "likely_eligible"


def test_a_question_to_the_bot_while_the_correction_is_awaited_asks_for_it_again(engine):
    state, _ = talk(engine, "/deny", state=at_the_read_back(engine))
    state, replies = talk(engine, "/show_facts", state=state)
    assert replies[-1].text == texts.READBACK_FIX and state.offer == "fix"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["yes", "no", "/affirm", "/deny", "/dont_know", "nothing", "I don't know", "not sure", "wrong",
                     "the bleeding one", "血小板不对", "不清楚", "age: 63", "survival: no", "platelets over 20",
                     "my platelets were 25 last week and 40 today", "start over", "why?", "I'm 3"]),
    st.builds(lambda label, said: f"{label}: {said}",
              st.sampled_from(["platelet count", "age", "survival", "last chemotherapy", "signs of easy bleeding",
                               "血小板计数", "年龄", "生存期"]),
              st.sampled_from(["not known", "not sure", "25", "no", "yes", "maybe", "不清楚", "wrong", ""]))))
def test_whatever_the_correction_the_fix_step_ends_in_a_question_or_a_verdict(engine, message):
    state, _ = talk(engine, "/deny", state=at_the_read_back(engine))
    state, replies = talk(engine, message, state=state)
    if any(r.custom and r.custom.get("deleted") for r in replies) or state.consent is not True:
        return  # "delete my answers": the conversation is over, as asked
    assert ends_in_a_question_or_a_verdict(state, replies), (message, [r.text for r in replies])
    with i18n.override(state.language):
        assert not {texts.AFTER_VERDICT, texts.NOTHING_PENDING} & {r.text for r in replies}, (message, [r.text for r in replies])
