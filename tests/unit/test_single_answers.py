"""Answers to single questions read by their families of wording (the blind batch fresh_single_3): a question
asked the other way round, the question's own word as the answer, things that sound like yes but are not."""
from __future__ import annotations

import pytest

from bot.conversation import Screening, State, Turn
from bot.parsing.answers import classify_reply
from bot.parsing.language import unreadable
from tests.conftest import read_as


def read(engine: Screening, question: str, message: str, **known):
    return engine.respond(State(consent=True, facts=dict(known), pending=[question]), Turn(message))


def consent_to(engine: Screening, message: str):
    state = engine.respond(State(), Turn("hi")).state
    return engine.respond(state, Turn(message)).state.consent


# -- a question asked the other way round ("any other reason against?"): its yes is the fact's no ----------

@pytest.mark.parametrize("message, approved", [
    ("yes", False), ("yes, my oncologist said I'm too weak at the moment", False),
    ("they want to wait till my chest infection clears up first", False),
    ("no", True), ("nope, they said i'd be a good fit for it", True), ("no, nothing else", True),
    ("dr chen said there's no reason I can't do it", True),
])
def test_a_reason_against_is_the_study_team_s_no(engine, message, approved):
    assert read_as(read(engine, "investigator_approval", message).state, "investigator_approval") is approved


@pytest.mark.parametrize("message", ["I havent even met them yet", "I haven't spoken to them", "how would I know that? nobody has told me anything"])
def test_not_having_heard_from_the_study_team_is_not_knowing_not_a_no_reason_against(engine, message):
    facts = read(engine, "investigator_approval", message).state.facts
    assert facts.get("investigator_approval") is None


@pytest.mark.parametrize("message", ["not yet, they're still going through her scans", "I don't think they've seen anything",
                                     "the nurse said maybe, depends on my heart scan"])
def test_a_no_reason_against_that_is_not_a_plain_no_is_never_stored(engine, message):
    assert "investigator_approval" not in read(engine, "investigator_approval", message).state.facts


def test_a_yes_to_a_question_asked_the_usual_way_is_still_a_yes(engine):
    assert read(engine, "good_compliance", "yes of course").state.facts["good_compliance"] is True


# -- the question's own word as the answer -------------------------------------------------------------

@pytest.mark.parametrize("message, negative", [("negative", True), ("yes negative last week", True), ("blood test neg", True),
                                               ("positive actually, I'm 8 weeks", False), ("no it came back positive", False)])
def test_a_pregnancy_test_said_negative_is_the_yes_asked_for(engine, message, negative):
    assert read_as(read(engine, "pregnancy_test_negative", message, sex="female").state, "pregnancy_test_negative") is negative


@pytest.mark.parametrize("message", ["I haven't had one", "not done one yet, they said they'd do it at screening", "still waiting for the result"])
def test_no_pregnancy_test_yet_is_no_negative_one(engine, message):
    assert read(engine, "pregnancy_test_negative", message, sex="female").state.facts.get("pregnancy_test_negative") is None


def test_a_urine_test_is_not_the_blood_test_asked_about(engine):
    facts = read(engine, "pregnancy_test_negative", "only a urine one, that was negative", sex="female").state.facts
    assert "pregnancy_test_negative" not in facts


@pytest.mark.parametrize("message, feeding", [
    ("only at night now", True), ("pumping, but not feeding her directly", True), ("weaning him, just a couple of feeds a day", True),
    ("they told me to stop but I still do sometimes", True), ("I stopped last month when the chemo started", False),
    ("breastfeeding? no, no baby", False), ("mum's 70 so no", False),
])
def test_breastfeeding_less_or_expressed_milk_is_still_breastfeeding(engine, message, feeding):
    assert read_as(read(engine, "breastfeeding", message, sex="female").state, "breastfeeding") is feeding


def test_doses_never_missed_say_the_plan_can_be_followed(engine):
    state = read(engine, "good_compliance", "I do all mum's tablets for her, she hasn't missed a single one in two years").state
    assert read_as(state, "good_compliance") is True


def test_forgetting_doses_is_for_the_study_team_and_a_wife_who_reminds_is_not_the_patient(engine):
    facts = read(engine, "good_compliance", "I forget my tablets a lot to be honest, my wife has to remind me").state.facts
    assert "good_compliance" not in facts and "sex" not in facts


# -- what sounds like a yes (or a value) but is not -------------------------------------------------------

@pytest.mark.parametrize("message", ["a bit of bruising where they do the injections", "bruises at the injection sites"])
def test_bruises_where_needles_went_in_are_asked_about(engine, message):
    assert "bleeding_tendency" not in read(engine, "bleeding_tendency", message).state.facts


def test_a_bleed_a_few_weeks_back_is_not_plainly_over(engine):
    message = "Not at the moment, but I had a bad nosebleed 2 weeks ago that took an hour to stop"
    assert "bleeding_tendency" not in read(engine, "bleeding_tendency", message).state.facts


@pytest.mark.parametrize("message", ["never had external radiotherapy but they put radioactive seeds in my prostate", "no, only brachytherapy"])
def test_radiotherapy_from_inside_the_body_is_no_never(engine, message):
    assert "last_radiotherapy" not in read(engine, "last_radiotherapy", message).state.facts


@pytest.mark.parametrize("message, count", [("it's gone up to 60 now", 60), ("19 x 10^9", 19), ("19x10⁹", 19), ("twenty two thousand", 22)])
def test_a_count_that_rose_to_a_value_or_lacks_its_per_litre_is_read(engine, message, count):
    assert read(engine, "platelet_count", message).state.facts["platelet_count"] == count


@pytest.mark.parametrize("message", ["up to 60", "the nurse said 28 but on the repeat it was more like 35", "45 last week, it dropped to 19",
                                     "it went up to 80 but dropped again after the next cycle"])
def test_a_bound_or_two_counts_are_not_a_count(engine, message):
    assert "platelet_count" not in read(engine, "platelet_count", message).state.facts


def test_a_conclusion_said_last_is_the_reply():
    assert classify_reply("mum's 70 so no") == "no" and classify_reply("she's on the pill, so yes") == "yes"


@pytest.mark.parametrize("message, consent", [("yesss", True), ("no problem, go ahead", True), ("not right now, maybe later", False),
                                              ("hold on let me find her papers first", None)])
def test_consent_stretched_untroubled_or_put_off(engine, message, consent):
    assert consent_to(engine, message) is consent


def test_a_letter_held_for_emphasis_is_english_and_a_repeated_one_is_not():
    assert unreadable("yesss") is None and unreadable("nooo") is None and unreadable("aaaa") is not None


def test_contraception_used_now_and_then_is_asked_about(engine):
    assert "uses_contraception" not in read(engine, "uses_contraception", "we use condoms mostly", sex="female").state.facts


def test_a_referral_told_of_is_no_question_about_joining(engine):
    state = read(engine, "survival_six_months", "the doctor wrote life expectancy over 6 months on the referral").state
    assert read_as(state, "survival_six_months") is True


@pytest.mark.parametrize("message", ["he said months rather than years", "months, not years, she said"])
def test_months_set_against_years_is_no_yes_to_six_months(engine, message):
    assert "survival_six_months" not in read(engine, "survival_six_months", message).state.facts


def test_a_count_said_of_a_time_when_something_happened_is_offered_back_not_stored(engine):
    outcome = read(engine, "bleeding_tendency", "not now, I did when my platelets were 5")
    assert "platelet_count" not in outcome.state.facts and outcome.state.facts["bleeding_tendency"] is False


@pytest.mark.parametrize("question", ["last_radiotherapy", "last_chemotherapy"])
def test_no_not_yet_is_a_treatment_to_come_not_never(engine, question):
    assert question not in read(engine, question, "no, not yet").state.facts


@pytest.mark.parametrize("message, month", [("since september no chemo", "2026-09"), ("no chemo since September", "2026-09")])
def test_no_treatment_since_a_month_dates_the_last_one_whichever_comes_first(engine, message, month):
    assert read(engine, "last_chemotherapy", message).state.facts["last_chemotherapy"].startswith(month)


@pytest.mark.parametrize("message", ["it's 15 but that was before the transfusion", "15, before the transfusion"])
def test_a_count_said_to_be_from_before_a_transfusion_is_not_the_count(engine, message):
    assert "platelet_count" not in read(engine, "platelet_count", message).state.facts


@pytest.mark.parametrize("message, taking", [("no, but I'm on warfarin", False), ("nope just the clexane injections", False),
                                             ("aspirin and warfarin", True)])
def test_a_blood_thinner_that_is_no_antiplatelet_said_instead_is_a_no(engine, message, taking):
    assert read_as(read(engine, "antiplatelet_drugs", message).state, "antiplatelet_drugs") is taking


@pytest.mark.parametrize("message, consent", [("ok", True), ("go on then", True), ("alright lets do it", True), ("nah maybe later", False),
                                              ("ok but what is it about", None)])
def test_consent_in_everyday_words(engine, message, consent):
    assert consent_to(engine, message) is consent


def test_a_pregnancy_that_has_ended_is_no_yes(engine):
    assert read(engine, "pregnant", "I was, I had a miscarriage in October", sex="female").state.facts.get("pregnant") is not True


@pytest.mark.parametrize("question, message", [("ebv_cmv_dna_positive", "the CMV was negative, don't know about the other one"),
                                               ("infection_serology_positive", "HIV negative, not sure about the rest")])
def test_one_part_of_a_fact_that_covers_several_said_and_another_not_known_is_asked_back(engine, question, message):
    assert question not in read(engine, question, message).state.facts


def test_a_no_concluded_from_contraception_is_no_inability_to_conceive(engine):
    facts = read(engine, "childbearing_potential", "I'm on the pill so no", sex="female").state.facts
    assert "childbearing_potential" not in facts


def test_a_consonant_held_in_mashing_makes_no_word():
    assert unreadable("bbbc") is not None and unreadable("okkk") is None
