"""Whole screening conversations through the REST channel, from greeting and consent to verdict.

Each test is one (or a few) conversations with a fresh sender id. Answers come from a profile
keyed by fact key, read off each question's `asks`, so the tests do not depend on the order of
the questions. Dates are given relative to today ("six weeks ago"), as the servers use the real
date.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.profiles import CLINICIAN_FACTS, ELIGIBLE, IN_WORDS, PREGNANCY_FACTS

pytestmark = pytest.mark.e2e


def asked_keys(chat) -> set:
    return {key for asks in chat.asked for key in asks}


# -- people who fit -----------------------------------------------------------------------------

def test_a_fitting_patient_answering_with_buttons_is_likely_eligible(chat):
    c = chat()
    c.start()
    verdict = c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")
    # only the study team's own checks stay open, and they are never counted as passed
    open_criteria = {x["id"]: x.get("to_confirm_by") for x in verdict["criteria"] if x["status"] != "met"}
    assert open_criteria == {"exc-poor-compliance": "study_team", "exc-investigator-judgement": "study_team",
                             "exc-serious-comorbidity": "study_team"}, c.log()  # "... etc."
    assert "To be confirmed at the screening visit by the study team:" in c.last_texts(), c.log()
    assert "clinicaltrials.gov/study/NCT05236582" in c.last_texts(), c.log()


def test_a_fitting_patient_answering_in_her_own_words_is_likely_eligible(chat):
    c = chat()
    c.start("hello")
    c.check_verdict(c.complete(IN_WORDS), "likely_eligible")


def test_a_man_volunteering_his_details_is_never_asked_about_pregnancy(chat):
    c = chat()
    c.start()
    c.say("I'm a 58 year old man with stomach cancer")
    assert "sex: male" in c.last_texts() and "age: 58" in c.last_texts(), c.log()
    profile = {**IN_WORDS, "cancer_type": "stomach cancer"}
    c.check_verdict(c.complete(profile, given={"age", "sex", "cancer_type"}), "likely_eligible")
    assert not asked_keys(c) & PREGNANCY_FACTS, c.log()


def test_a_woman_who_mentions_her_husband_is_still_asked_about_pregnancy(chat):
    c = chat()
    c.start()
    c.say("I'm 45, my husband says I bruise easily")
    facts = c.facts()
    assert facts.get("age") == 45 and facts.get("bleeding_tendency") is True and "sex" not in facts, c.log()
    profile = {**IN_WORDS, "childbearing_potential": "yes", "uses_contraception": "yes"}
    c.check_verdict(c.complete(profile, given={"age", "bleeding_tendency"}), "likely_eligible")
    assert {"pregnant", "breastfeeding"} <= asked_keys(c), sorted(asked_keys(c))


def test_a_yes_and_a_no_in_one_answer_are_asked_about_again(chat):
    c = chat()
    c.start()
    reply = c.say("22k, I get nosebleeds but no bleeding history")
    assert "haven't noted either" in c.texts(reply), c.log()
    # words left unread beside the count: the count is offered back before the bleeding is asked again
    assert c.question(reply)["confirm"] == {"platelet_count": 22}, c.log()
    assert c.asks(c.say("/affirm")) == ["bleeding_tendency"], c.log()
    assert c.facts() == {"platelet_count": 22}, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count"}), "likely_eligible")
    assert c.facts()["bleeding_tendency"] is True, c.log()


def test_what_only_a_doctor_can_say_is_listed_to_confirm_without_holding_back_the_verdict(chat):
    c = chat()
    c.start()
    profile = {**ELIGIBLE, **{key: "I don't know, I'd have to ask my doctor" for key in CLINICIAN_FACTS}}
    verdict = c.check_verdict(c.complete(profile), "likely_eligible",
                              unknown=["inc-survival", "inc-organ-function", "exc-cardiac-qt"])
    by_id = {x["id"]: x for x in verdict["criteria"]}
    for criterion_id in ("inc-survival", "inc-organ-function", "exc-cardiac-qt"):
        assert by_id[criterion_id]["to_confirm_by"] == "clinician", c.log()
    assert "To check with your doctor:" in c.last_texts(), c.log()


def test_asking_about_the_trial_by_its_id_starts_the_screening(chat):
    c = chat()
    welcome = c.say("can I join NCT05236582?")
    assert c.asks(welcome) == ["consent"] and "NCT05236582" in c.texts(welcome), c.log()
    c.say("yes, let's start")
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


def test_an_unknown_trial_id_is_said_so_and_the_known_trial_is_offered(chat):
    c = chat()
    reply = c.say("am I eligible for NCT00000001?")
    assert "I don't have information about NCT00000001" in c.texts(reply) and "NCT05236582" in c.texts(reply), c.log()
    assert c.asks(reply) == ["consent"], c.log()
    c.say("/affirm")
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


def test_declining_consent_asks_nothing_until_the_person_starts_again(chat):
    c = chat()
    c.say("hi")
    reply = c.say("no thanks")
    assert "won't ask or keep any health details" in c.texts(reply), c.log()
    assert c.asks(reply) is None and c.verdict(reply) is None, c.log()
    assert c.asks(c.say("start")) == ["consent"], c.log()
    c.say("/affirm")
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


def test_a_contradiction_keeps_the_earlier_answer_and_says_why(chat):
    c = chat()
    c.start()
    c.say("I'm a 58 year old man")
    reply = c.say("I'm pregnant")
    assert "doesn't fit with what you told me before" in c.texts(reply) and "sex: male" in c.texts(reply), c.log()
    assert c.verdict(reply) is None, c.log()
    assert "pregnant" not in c.facts(), c.log()
    c.check_verdict(c.complete(IN_WORDS, given={"age", "sex"}), "likely_eligible")
    assert not asked_keys(c) & PREGNANCY_FACTS, c.log()


# -- people who do not fit, one criterion each ------------------------------------------------------

NOT_FITTING = {
    # name: (changes to the profile, messages volunteered right after consent, the criterion not met)
    "aged 17": ({}, ["I'm 17"], "inc-age"),
    "blood cancer": ({"cancer_type": "leukaemia"}, [], "scope-solid-tumour"),
    "platelets 45k": ({"platelet_count": "45k"}, [], "inc-platelets-bleeding"),
    "no bleeding tendency": ({"bleeding_tendency": "no, I don't bruise"}, [], "inc-platelets-bleeding"),
    "rhTPO never tried": ({"platelet_boosters_failed": "no, I never had rhTPO or IL-11"}, [], "inc-cit-refractory"),
    "last chemo 2 weeks ago": ({"last_chemotherapy": "two weeks ago"}, [], "inc-treatment-break"),
    "radiotherapy 3 weeks ago": ({"last_radiotherapy": "3 weeks ago"}, [], "inc-treatment-break"),
    "aspirin": ({"antiplatelet_drugs": "yes, I take aspirin every day"}, [], "exc-antiplatelet-drugs"),
    "diabetes": ({"diabetes": "yes, type 2 diabetes"}, [], "exc-serious-comorbidity"),
    "pregnant": ({"childbearing_potential": "/affirm", "pregnant": "yes, I'm pregnant"}, [], "exc-pregnancy"),
    "transplant": ({"transplant": "yes, I had a kidney transplant"}, [], "exc-transplant"),
    "HIV": ({"infection_serology_positive": "yes, I'm HIV positive"}, [], "exc-infections"),
    "blood clot": ({"thrombotic_disease": "yes, a clot in my leg last year"}, [], "exc-thrombosis"),
    "QTc 470 ms, no bundle branch block": ({"qtc_ms": "my QTc was 470 ms", "bundle_branch_block": "no"}, [],
                                           "exc-cardiac-qt"),
}


@pytest.mark.parametrize("changes, volunteered, failing", list(NOT_FITTING.values()), ids=list(NOT_FITTING))
def test_a_person_who_fails_one_criterion_is_not_eligible_because_of_it(chat, changes, volunteered, failing):
    c = chat()
    c.start()
    for message in volunteered:
        c.say(message)
    message = c.complete({**ELIGIBLE, **changes})
    c.check_verdict(message, "not_eligible", not_met=[failing])
    assert "(trial criterion:" in message["text"], c.log()
    assert "Would you like to answer the remaining questions anyway" in c.last_texts(), c.log()


def test_qtc_470_ms_with_a_bundle_branch_block_is_within_the_limit(chat):
    c = chat()
    c.start()
    c.check_verdict(c.complete({**ELIGIBLE, "qtc_ms": "470 ms", "bundle_branch_block": "yes"}), "likely_eligible")


# -- not knowing ----------------------------------------------------------------------------------

def test_i_dont_know_leaves_the_verdict_uncertain_with_the_criteria_unknown(chat):
    c = chat()
    c.start()
    profile = {**ELIGIBLE, "platelet_count": "I don't know", "antiplatelet_drugs": "I'm not sure"}
    message = c.complete(profile)
    c.check_verdict(message, "uncertain", unknown=["inc-platelets-bleeding", "exc-antiplatelet-drugs"])
    assert "Still unknown:" in message["text"], c.log()
    facts = c.facts()
    assert facts["platelet_count"] is None and facts["antiplatelet_drugs"] is None, c.log()


def test_the_verdict_can_be_asked_for_early_and_the_screening_goes_on(chat):
    c = chat()
    c.start()
    c.say("22")
    c.say("yes")
    early = c.say("just tell me the result")
    message = c.verdict_message(early)
    assert message is not None, c.log()
    c.check_verdict(message, "uncertain", unknown=["inc-cit-refractory", "inc-treatment-break"])
    assert "remaining questions" in c.texts(early), c.log()
    c.say("yes")
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency"}), "likely_eligible")


# -- corrections ---------------------------------------------------------------------------------

@pytest.mark.parametrize("correction", [
    "actually my platelets are 25",
    "my platelet count is actually 25",
    "sorry, I meant 25",
])
def test_a_corrected_platelet_count_replaces_the_first_and_the_screening_resumes(chat, correction):
    c = chat()
    c.start()
    c.say("45")
    assert "platelet count: 45" in c.last_texts(), c.log()  # read back before the verdict it decides
    first = c.confirm_read_back()
    c.check_verdict(c.verdict_message(first), "not_eligible", not_met=["inc-platelets-bleeding"])
    c.say(correction)
    assert "Updated platelet count" in c.last_texts() and "25" in c.last_texts(), c.log()
    assert c.asks() is not None and "platelet_count" not in c.asks(), c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count"}), "likely_eligible")
    facts = c.facts()
    assert facts["platelet_count"] == 25 and facts["age"] == 62, c.log()


def test_a_corrected_yes_no_answer_reopens_the_screening(chat):
    c = chat()
    c.start()
    c.say("22")
    answer = c.say("no")
    c.check_verdict(c.verdict_message(answer), "not_eligible", not_met=["inc-platelets-bleeding"])
    c.say("sorry, I do bruise easily actually")
    assert "Updated" in c.last_texts(), c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency"}), "likely_eligible")


# -- volunteered facts, other people, numbers in many forms -------------------------------------------

def test_several_facts_in_one_message_are_noted_and_never_asked_again(chat):
    c = chat()
    c.start()
    c.say("I'm 62, I have lung cancer, platelets 22k, last chemo six weeks ago, never had radiotherapy, "
          "and I bruise easily")
    noted = c.last_texts()
    for shown in ("age: 62", "solid tumour", "last chemotherapy", "last radiotherapy: never", "easy bleeding"):
        assert shown in noted, c.log()
    given = {"age", "cancer_type", "platelet_count", "last_chemotherapy", "last_radiotherapy", "bleeding_tendency"}
    c.check_verdict(c.complete(ELIGIBLE, given=given), "likely_eligible")  # fails if any is asked again
    facts = c.facts()
    assert facts["platelet_count"] == 22 and facts["age"] == 62, c.log()


def test_screening_someone_else_asks_about_them_and_gives_their_verdict(chat):
    c = chat()
    c.start()
    named = len(c.turns)
    c.say("my mother is 67")
    assert "your mother" in c.last_texts(), c.log()
    profile = {**IN_WORDS, "platelet_count": "her platelets were 19,000", "bleeding_tendency": "yes she does",
               "childbearing_potential": "no, she can't", "uses_contraception": "yes"}
    message = c.complete(profile, given={"age", "sex"})
    c.check_verdict(message, "likely_eligible")
    assert "your mother is likely to be eligible" in message["text"], c.log()
    questions = [m["text"] for turn in c.turns[named:] for m in turn if (m.get("custom") or {}).get("asks")]
    about_you = [q for q in questions if "your mother" not in q]
    assert not about_you, f"questions not about the mother: {about_you}\n{c.log()}"
    facts = c.facts()
    assert facts["age"] == 67 and facts["platelet_count"] == 19, c.log()


def test_past_menopause_means_she_cannot_become_pregnant(chat):
    c = chat()
    c.start()
    c.say("I'm 62 and postmenopausal")
    assert c.facts().get("childbearing_potential") is False, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"age", "childbearing_potential"}), "likely_eligible")
    assert not asked_keys(c) & {"childbearing_potential", "pregnant"}, c.log()


@pytest.mark.parametrize("platelets", ["twenty two thousand", "22 x10^9/L", "22000 per microliter", "22,000/µL"])
def test_platelet_counts_in_words_and_units_are_understood(chat, platelets):
    c = chat()
    c.start()
    c.say(platelets)
    assert c.asks() != ["platelet_count"], c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count"}), "likely_eligible")
    assert c.facts()["platelet_count"] == 22, c.log()


def test_an_age_in_words_is_an_age_and_not_the_platelet_count(chat):
    c = chat()
    first = c.start()
    assert c.asks(first) == ["platelet_count"], c.log()
    c.say("I'm seventeen")
    assert "age: 17" in c.last_texts(), c.log()
    message = c.verdict_message(c.confirm_read_back())
    assert message is not None, c.log()
    c.check_verdict(message, "not_eligible", not_met=["inc-age"])
    facts = c.facts()
    assert facts.get("age") == 17 and "platelet_count" not in facts, c.log()


def test_a_date_given_while_the_platelet_count_is_asked_is_not_read_as_the_count(chat):
    c = chat()
    c.start()
    c.say("my last chemo ended three weeks ago")
    message = c.verdict_message(c.confirm_read_back())
    assert message is not None, c.log()
    c.check_verdict(message, "not_eligible", not_met=["inc-treatment-break"])
    facts = c.facts()
    assert "platelet_count" not in facts, c.log()


def test_a_span_around_the_month_is_held_not_stored_until_a_closer_date_or_i_dont_know(chat):
    c = chat()
    c.start()
    c.say("my last chemo was four or five weeks ago")  # a month ago lies in between, whatever today is
    question = c.question(c.turns[-1])
    assert question and question["asks"] == ["last_chemotherapy"], c.log()
    held = question["closer_than"]["last_chemotherapy"]
    c.say("I'm not sure")  # the range held over a turn (its slot) stands as it was said
    assert c.facts().get("last_chemotherapy") == held, c.log()


def test_a_date_with_a_day_number_is_not_read_as_the_platelet_count(chat):
    c = chat()
    c.start()
    long_ago = (date.today().replace(day=1) - timedelta(days=70)).strftime("%B")  # over a month ago
    c.say(f"chemo ended on 1 {long_ago}")
    facts = c.facts()
    assert "last_chemotherapy" in facts and "platelet_count" not in facts, c.log()
    assert c.asks() == ["platelet_count"], c.log()
    c.say("22")
    assert c.facts()["platelet_count"] == 22, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "last_chemotherapy"}), "likely_eligible")


def test_chemo_at_the_end_of_last_month_is_not_more_than_a_month_ago(chat):
    today = date.today()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%B")
    c = chat()
    c.start()
    message = c.complete({**ELIGIBLE, "last_chemotherapy": f"at the end of {last_month}"})
    if today.day <= 28:  # the last day of last month is then less than one calendar month ago
        c.check_verdict(message, "not_eligible", not_met=["inc-treatment-break"])
    else:
        statuses = {x["id"]: x["status"] for x in message["custom"]["verdict"]["criteria"]}
        assert statuses["inc-treatment-break"] != "not_met", c.log()


def test_aspirin_stopped_long_ago_does_not_rule_out(chat):
    c = chat()
    c.start()
    c.say("I stopped taking aspirin last year")
    message = c.verdict_message(c.turns[-1])
    assert message is None or "exc-antiplatelet-drugs" not in {
        x["id"] for x in message["custom"]["verdict"]["criteria"] if x["status"] == "not_met"}, c.log()
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


# -- asking the bot things --------------------------------------------------------------------------

def test_why_do_you_ask_explains_the_criterion_and_repeats_the_question(chat):
    c = chat()
    first = c.start()
    assert c.asks(first) == ["platelet_count"], c.log()
    why = c.say("why do you ask?")
    assert "Platelet counts <30 ×10^9/L, and bleeding tendency;" in c.texts(why), c.log()
    assert "I ask because" in c.texts(why), c.log()
    assert c.asks(why) == ["platelet_count"], c.log()
    c.say("22")
    assert c.asks() == ["bleeding_tendency"], c.log()
    c.say("why is this important")
    assert "bleeding tendency" in c.last_texts() and c.asks() == ["bleeding_tendency"], c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count"}), "likely_eligible")


def test_what_have_i_told_you_lists_the_answers_and_repeats_the_question(chat):
    c = chat()
    c.start()
    c.say("I'm 62 and I have lung cancer")
    c.say("22k")
    pending = c.asks()
    reply = c.say("what have I told you so far?")
    summary = c.texts(reply)
    assert "Here is what you have told me so far" in summary, c.log()
    assert "age: 62 years" in summary and "platelet count: 22" in summary and "solid tumour" in summary, c.log()
    facts = [m["custom"]["facts"] for m in reply if "facts" in (m.get("custom") or {})][0]
    assert facts == {"age": 62, "cancer_type": "solid_tumour", "platelet_count": 22}, c.log()
    assert c.asks(reply) == pending, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"age", "cancer_type", "platelet_count"}), "likely_eligible")


def test_start_over_clears_the_answers_and_asks_again_from_the_beginning(chat):
    c = chat()
    first = c.start()
    c.say("45")  # not eligible...
    c.say("my mother is 80")
    reply = c.say("start over")
    assert "start over" in c.texts(reply).lower(), c.log()
    assert c.asks(reply) == c.asks(first), c.log()  # the first question again, no new consent
    assert c.facts() == {}, c.log()
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


def test_delete_my_answers_forgets_everything_including_consent(chat):
    c = chat()
    c.start()
    c.say("I'm 62 and my platelets are 22k")
    reply = c.say("delete my answers")
    assert "deleted your answers" in c.texts(reply), c.log()
    assert c.asks(reply) is None, c.log()
    assert c.facts() == {}, c.log()
    assert "You haven't told me anything" in c.last_texts(), c.log()
    welcome = c.say("hi")
    assert c.asks(welcome) == ["consent"], c.log()
    c.say("/affirm")
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")


# -- values that cannot be right, nonsense, very long messages -----------------------------------------

def test_an_implausible_age_gets_a_check_back_and_nothing_is_lost(chat):
    c = chat()
    c.start()
    c.say("22")
    c.say("yes")
    pending = c.asks()
    reply = c.say("I am 250 years old")
    assert "outside what I would expect" in c.texts(reply) and "check the number" in c.texts(reply), c.log()
    assert c.asks(reply) == ["age"], c.log()  # asked again, so that a bare number answers it
    assert c.verdict(reply) is None, c.log()
    facts = c.facts()
    assert facts == {"platelet_count": 22, "bleeding_tendency": True}, c.log()
    c.say("sorry, 52")
    assert c.facts()["age"] == 52 and c.asks() == pending, c.log()  # then back to where it was
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency", "age"}), "likely_eligible")
    assert c.facts()["age"] == 52, c.log()


def test_an_implausible_platelet_count_gets_a_check_back_and_a_second_chance(chat):
    c = chat()
    c.start()
    c.say("I'm 62 with breast cancer")
    assert c.asks() == ["platelet_count"], c.log()
    reply = c.say("5000 x10^9/L")
    assert "outside what I would expect" in c.texts(reply), c.log()
    assert c.asks(reply) == ["platelet_count"] and c.verdict(reply) is None, c.log()
    assert c.facts() == {"age": 62, "cancer_type": "solid_tumour"}, c.log()
    c.say("sorry, it's 22 x10^9/L")
    assert c.asks() != ["platelet_count"], c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"age", "cancer_type", "platelet_count"}), "likely_eligible")


NONSENSE = ["asdf qwerty", "hmm", "???", "...", "blorp"]


def _moves_on_after_nonsense(c, pending):
    """Send nonsense until the bot leaves the question; each reply must say it did not understand."""
    for count, nonsense in enumerate(NONSENSE, start=1):
        reply = c.say(nonsense)
        said = c.texts(reply)
        assert "Sorry" in said or "not sure I understood" in said, f"no rephrase prompt for {nonsense!r}\n{c.log()}"
        if c.asks(reply) != pending:
            assert "not sure I understood" in said, c.log()
            return count
    raise AssertionError(f"the bot kept asking {pending} after {len(NONSENSE)} nonsense answers\n{c.log()}")


def test_nonsense_to_a_number_question_gets_a_rephrase_and_then_the_bot_moves_on(chat):
    c = chat()
    first = c.start()
    assert c.asks(first) == ["platelet_count"], c.log()
    assert _moves_on_after_nonsense(c, ["platelet_count"]) <= 3, c.log()
    assert c.facts().get("platelet_count") is None, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count"}), "uncertain", unknown=["inc-platelets-bleeding"])


def test_nonsense_to_a_yes_no_question_is_never_taken_as_an_answer(chat):
    c = chat()
    c.start()
    c.say("22")
    assert c.asks() == ["bleeding_tendency"], c.log()
    reply = c.say("???")
    assert c.asks(reply) == ["bleeding_tendency"], f"'???' was taken as an answer\n{c.log()}"
    assert "Sorry" in c.texts(reply), c.log()
    reply = c.say("...")
    facts = c.facts()
    assert facts.get("bleeding_tendency") is None, f"nonsense recorded as {facts.get('bleeding_tendency')}\n{c.log()}"
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency"}), "uncertain",
                    unknown=["inc-platelets-bleeding"])


def test_a_blank_message_is_not_an_answer(chat):
    c = chat()
    c.start()
    c.say("22")
    assert c.asks() == ["bleeding_tendency"], c.log()
    reply = c.say("   ")
    assert c.texts(reply).strip(), c.log()
    assert c.asks(reply) == ["bleeding_tendency"], f"a blank message was taken as an answer\n{c.log()}"
    assert "bleeding_tendency" not in c.facts(), c.log()
    c.say("/affirm")
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency"}), "likely_eligible")


def test_a_message_over_1000_characters_gets_a_clear_reply_and_changes_nothing(chat):
    c = chat()
    c.start()
    c.say("22")
    pending = c.asks()
    story = ("Let me tell you everything. I take aspirin every morning and my platelets were 45 last week. "
             + "I have been feeling very tired and a bit dizzy most days. " * 20)
    assert len(story) > 1000
    reply = c.say(story)
    assert "too long" in c.texts(reply) and "1,000" in c.texts(reply), c.log()
    assert c.verdict(reply) is None, c.log()
    assert c.facts() == {"platelet_count": 22}, c.log()  # nothing read from the refused message
    assert c.asks() == pending, c.log()
    c.say("yes")  # the open question is still open, and a short answer to it is taken
    assert c.asks() != pending, c.log()
    c.check_verdict(c.complete(ELIGIBLE, given={"platelet_count", "bleeding_tendency"}), "likely_eligible")
    assert c.facts()["bleeding_tendency"] is True, c.log()
