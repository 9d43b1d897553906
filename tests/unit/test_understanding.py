"""The understanding step (bot/understanding.py) and the engine acting on it, without Rasa."""
from __future__ import annotations

import datetime

import pytest

from bot import i18n, texts
from bot.conversation import Screening, State, Turn
from bot.parsing.cleaning import clean
from bot.parsing.language import NO_WORDS, OTHER_SCRIPT, unreadable
from tests.conftest import SEED_TRIAL, TODAY, read_as


def asked(state: State, engine: Screening, message: str, intent=None, confidence=None):
    return engine.respond(state, Turn(message, intent, confidence))


def at(question: str, **facts) -> State:
    return State(consent=True, facts=dict(facts), pending=[question])


# -- what reaches the reader ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, text", [
    ("\x1b[31m62", "62"), ("[31m", ""), ("alert(1)", ""), ("<script>alert(1)</script> hi", "hi"),
    ("plt 22 ×10⁹/L", "plt 22 ×10⁹/L"),  # composed, not folded: the superscript stays
    ("a\u200bb", "ab"), ('/deny{"age": 30}', ""), ('/affirm{"sex":"male"}', ""),
])
def test_codes_markup_and_invisible_characters_never_reach_the_reader(raw, text):
    assert clean(raw).text == text


def test_sql_is_taken_out_as_code():
    assert clean("'; DROP TABLE events; --").code


def test_a_direction_override_is_reported_so_that_numbers_are_asked_again():
    assert clean("\u202e000,22").direction_override and not clean("22,000").direction_override


@pytest.mark.parametrize("text, reason", [
    ("아니요", OTHER_SCRIPT), ("не знаю", OTHER_SCRIPT), ("لا", OTHER_SCRIPT), ("нет", OTHER_SCRIPT), ("いいえ", OTHER_SCRIPT),
    ("aaaa", NO_WORDS), ("asdfgh jkl", NO_WORDS), ("qwerty", NO_WORDS),
    ("yes", None), ("nope", None), ("22k", None), ("👍", None), ("rhTPO", None),
])
def test_another_script_or_no_word_at_all_is_unreadable(text, reason):
    assert unreadable(text, {"rhtpo"}) == reason


# -- never a yes from what was not read ------------------------------------------------------------

@pytest.mark.parametrize("message", ["아니요", "нет", "не знаю", "لا", "aaaa"])
def test_unreadable_text_never_gives_consent_however_sure_the_model_is(engine, message):
    state = engine.respond(State(), Turn("hi")).state
    outcome = asked(state, engine, message, "affirm", 0.99)
    with i18n.override(outcome.state.language):  # said in Chinese to a message in Chinese
        assert outcome.state.consent is None and outcome.replies[0].text == texts.UNREADABLE


@pytest.mark.parametrize("message", ["нет", "aaaa", "alert(1)", "[31m", "\u202e000,22"])
def test_unreadable_text_never_answers_a_health_question(engine, message):
    outcome = asked(at("platelet_count"), engine, message, "affirm", 0.99)
    assert "platelet_count" not in outcome.state.facts and "age" not in outcome.state.facts
    assert outcome.state.pending == ["platelet_count"]


def test_unreadable_twice_leaves_the_question_open_and_says_so(engine):
    state = asked(at("diabetes"), engine, "нет").state
    outcome = asked(state, engine, "нет")
    with i18n.override(outcome.state.language):
        assert texts.SKIPPING in [r.text for r in outcome.replies] and outcome.state.facts["diabetes"] is None


# -- an answer read as the answer to the question asked -------------------------------------------

@pytest.mark.parametrize("question, message, value", [
    ("chemo_induced_thrombocytopenia", "my oncologist said it's from the chemo", True),
    ("platelet_boosters_failed", "they gave me some jabs, didn't do much", True),
    ("platelet_boosters_failed", "yes but only once", False),
    ("platelet_boosters_failed", "never heard of those, just had transfusions", False),
    ("infection_serology_positive", "my husband has hep C but I'm clear", False),
    ("uncontrolled_hypertension", "high blood pressure but the tablets keep it normal", False),
    ("liver_kidney_ok", "normal", True),
    ("liver_kidney_ok", "I don't think they were normal", None),  # a hedge: offered back
    ("liver_kidney_ok", "my liver enzymes are more than twice the upper limit", False),
    ("survival_six_months", "I hope so, my doctor hasn't said anything like that", None),
    ("treatment_toxicity_unresolved", "The side effects have all gone now", False),
])
def test_the_question_s_own_wording_answers_it(engine, question, message, value):
    outcome = asked(at(question), engine, message)
    if value is None and question == "liver_kidney_ok":
        assert outcome.state.confirm == {question: False}
    elif value is None:
        assert outcome.state.facts[question] is None
    else:
        assert read_as(outcome.state, question) == value


def test_a_plain_yes_that_the_words_contradict_is_checked_back(engine):
    outcome = asked(at("platelet_boosters_failed"), engine, "yes, I had rhTPO and my platelets came back up after it")
    assert "platelet_boosters_failed" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"platelet_boosters_failed": False}
    confirmed = asked(outcome.state, engine, "/affirm", "affirm")
    assert confirmed.state.facts["platelet_boosters_failed"] is False


@pytest.mark.parametrize("message", ["failed rhTPO", "they said the TPO didn't work", "医生说特比澳无效，准备换药",
                                     "特比澳打了没用", "打过白介素-11，没效果"])
def test_a_failure_without_a_repeat_is_offered_back(engine, message):
    """The fact is repeated treatment that did not work: words that say only the failure leave the repeat
    to confirm, offered back; a repeat said beside it, or a plain assent to the question, is read outright."""
    outcome = asked(at("platelet_boosters_failed"), engine, message)
    assert "platelet_boosters_failed" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"platelet_boosters_failed": True}


@pytest.mark.parametrize("message", ["failed rhTPO x3", "had the injections loads of times, they stayed low",
                                     "yes, didn't work", "特比澳打了好几次都没用", "IL-11 given twice, plt didn't budge"])
def test_a_failure_with_a_repeat_or_an_assent_is_read(engine, message):
    outcome = asked(at("platelet_boosters_failed"), engine, message)
    assert read_as(outcome.state, "platelet_boosters_failed") is True


def test_a_check_back_answered_no_asks_the_question_again_and_stores_nothing(engine):
    state = asked(at("platelet_boosters_failed"), engine, "yes, and they came back up").state
    outcome = asked(state, engine, "/deny", "deny")
    assert "platelet_boosters_failed" not in outcome.state.facts
    assert outcome.replies[-1].custom["asks"] == ["platelet_boosters_failed"]


@pytest.mark.parametrize("message", ["over 20k", "less than 30", "25 last week, 45 today after a transfusion", "0"])
def test_a_bound_two_values_or_zero_is_followed_up_never_stored(engine, message):
    outcome = asked(at("platelet_count"), engine, message)
    assert "platelet_count" not in outcome.state.facts and outcome.state.pending == ["platelet_count"]


def test_still_on_chemotherapy_is_followed_up_not_never(engine):
    outcome = asked(at("last_chemotherapy"), engine, "Not yet, I'm still on it")
    assert "last_chemotherapy" not in outcome.state.facts
    assert any("most recent dose" in r.text for r in outcome.replies)


def test_still_on_another_treatment_says_nothing_of_the_chemotherapy(engine):
    outcome = asked(at("last_chemotherapy"), engine, "chemo finished 4 weeks ago but I'm still on the immunotherapy")
    assert outcome.state.facts["last_chemotherapy"] == (TODAY - datetime.timedelta(weeks=4)).isoformat()


def test_a_dose_still_booked_is_followed_up_not_the_one_before_stored(engine):
    outcome = asked(at("last_chemotherapy"), engine, "my last one is booked for the 10th, the one before was 19th November")
    assert "last_chemotherapy" not in outcome.state.facts


def test_an_all_number_date_is_asked_back_unless_the_site_says_its_order(catalogue):
    asking = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    outcome = asked(at("last_chemotherapy"), asking, "05/11/2026")
    assert outcome.replies[-1].custom["choices"] == ["2026-11-05", "2026-05-11"]
    assert "last_chemotherapy" not in outcome.state.facts
    chosen = asked(outcome.state, asking, outcome.replies[-1].buttons[0]["payload"])
    assert chosen.state.facts["last_chemotherapy"] == "2026-11-05"
    british = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY, date_order="DMY")
    assert asked(at("last_chemotherapy"), british, "05/11/2026").state.facts["last_chemotherapy"] == "2026-11-05"


def test_a_duration_is_never_an_age_and_a_relative_typing_never_the_person(engine):
    assert "age" not in asked(at("survival_six_months"), engine, "they said at least a year").state.facts
    facts = asked(at("cancer_type"), engine, "lung cancer, I've had it for 3 years").state.facts
    assert facts == {"cancer_type": "solid_tumour"}
    facts = asked(at("age"), engine, "I'm 34, my husband is helping me type this").state.facts
    assert facts == {"age": 34}


def test_a_cancer_site_is_a_cancer_only_beside_a_cancer_word(engine):
    state = at("diabetes", cancer_type="blood_cancer")
    outcome = asked(state, engine, "I had some rectal bleeding, a clot in my lung and a stomach ulcer")
    assert outcome.state.facts["cancer_type"] == "blood_cancer"


def test_a_change_to_an_answered_fact_is_checked_back_unless_said_as_a_correction(engine):
    state = at("diabetes", platelet_count=22)
    outcome = asked(state, engine, "no, and my platelets are 45 now")
    assert outcome.state.facts["platelet_count"] == 22 and outcome.state.confirm == {"platelet_count": 45}
    corrected = asked(at("diabetes", platelet_count=22), engine, "no. actually my platelets are 45")
    assert corrected.state.facts["platelet_count"] == 45


@pytest.mark.parametrize("question, message, value", [
    ("age", "28, sorry 18", 18), ("platelet_count", "45 sorry I mean 54", 54),
    # the number taken back has words of its own: "on friday"
    ("platelet_count", "it was 35 on friday, sorry no 25, i was looking at the wrong line", 25),
])
def test_a_number_taken_back_in_the_same_message_is_not_read(engine, question, message, value):
    assert read_as(asked(at(question), engine, message).state, question) == value


# -- the conversation around the answers -----------------------------------------------------------

def test_facts_before_consent_are_held_then_used_and_said_back(engine):
    outcome = engine.respond(State(), Turn("Hi, I'm asking for my mum. She's 71 and has ovarian cancer"))
    assert not outcome.state.facts
    assert outcome.state.held == {"age": 71, "sex": "female", "cancer_type": "solid_tumour"}
    assert outcome.state.subject == "your mum"
    consented = engine.respond(outcome.state, Turn("/affirm", "affirm"))
    assert consented.state.facts == {"age": 71, "sex": "female", "cancer_type": "solid_tumour"}
    assert not consented.state.held
    assert texts.HELD_FACTS in [r.text for r in consented.replies]
    assert "your mum" in consented.replies[-1].text


def test_the_single_site_is_said_in_the_welcome(engine):
    assert "Tianjin" in engine.respond(State(), Turn("hi")).replies[0].text


@pytest.mark.parametrize("message, words", [
    ("what is herombopag?", "Herombopag"), ("do I have to travel to China?", "Tianjin"),
    ("who do I call?", "study coordinator"), ("can I talk to a real person", "flagged"),
])
def test_the_person_s_questions_are_answered_and_never_count_as_a_failed_answer(engine, message, words):
    state = at("platelet_count")
    for _ in range(3):
        outcome = asked(state, engine, message)
        state = outcome.state
    assert words in outcome.replies[0].text and state.pending == ["platelet_count"]
    assert "platelet_count" not in state.facts and state.misunderstood == 0


def test_asking_for_a_person_flags_the_conversation(engine):
    outcome = asked(at("platelet_count"), engine, "can I talk to a real person")
    assert outcome.state.handoff and outcome.replies[0].custom == {"handoff": True}


@pytest.mark.parametrize("message", ["I withdraw my consent", "please delete my answers", "删除我的回答", "我撤回我的同意"])
def test_withdrawing_consent_in_everyday_words_erases_like_delete_my_answers(engine, message):
    outcome = asked(at("platelet_count", age=62), engine, message)
    # everything is erased but the language the conversation goes on in
    assert outcome.state == State(language=outcome.state.language) and outcome.replies[0].custom == {"deleted": True}


def test_the_same_question_comes_at_most_twice_in_a_row(engine):
    state = at("uses_contraception")
    seen = []
    for _ in range(5):  # answers that settle another fact, never this one
        outcome = asked(state, engine, "I'm 62")
        state = outcome.state
        seen.append(state.pending)
    assert seen.count(["uses_contraception"]) <= 2


def test_past_menopause_settles_contraception_without_asking_it(engine):
    outcome = asked(at("uses_contraception"), engine, "not relevant, I'm past menopause")
    assert outcome.state.facts["childbearing_potential"] is False
    assert outcome.state.pending != ["uses_contraception"]


@pytest.mark.parametrize("message, sex", [("man", "male"), ("woman", "female"), ("feamle", "female")])
def test_a_one_word_choice_spelled_right_is_not_taken_for_a_longer_one(engine, message, sex):
    assert asked(at("sex"), engine, message).state.facts["sex"] == sex


@pytest.mark.parametrize("message, facts", [
    ("I think so", {"bleeding_tendency": True}), ("i dont think so", {"bleeding_tendency": False}),
])
def test_i_think_so_alone_is_a_plain_answer(engine, message, facts):
    assert asked(at("bleeding_tendency"), engine, message).state.facts == facts


def test_i_dont_think_so_about_a_doctor_s_finding_is_offered_back(engine):
    outcome = asked(at("uncontrolled_organ_disease"), engine, "I don't think so")
    assert "uncontrolled_organ_disease" not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {"uncontrolled_organ_disease": False}


@pytest.mark.parametrize("fact", ["chemo_induced_thrombocytopenia", "liver_kidney_ok"])
def test_i_think_so_about_what_a_doctor_or_a_test_found_is_offered_back(engine, fact):
    outcome = asked(at(fact), engine, "I think so")
    assert fact not in outcome.state.facts
    assert outcome.replies[-1].custom["confirm"] == {fact: True}


def test_a_no_contradicted_by_the_fact_stated_with_it_is_not_kept(engine):
    outcome = asked(at("childbearing_potential"), engine, "no I'm pregnant already")
    assert outcome.state.facts.get("pregnant") is True and "childbearing_potential" not in outcome.state.facts


@pytest.mark.parametrize("message, value", [("RA, in remission since 2019", False), ("lupus, flaring at the moment", True)])
def test_a_disease_named_with_its_activity_needs_no_question(engine, message, value):
    assert asked(at("autoimmune_disease"), engine, message).state.facts["autoimmune_disease"] is value


def test_words_inside_what_says_too_little_decide_nothing(engine):
    outcome = asked(at("liver_kidney_ok"), engine, "ALT 120 (normal up to 40)")  # "normal" is the range, not the result
    assert "liver_kidney_ok" not in outcome.state.facts


def test_a_no_that_rests_on_chemo_stopped_periods_is_offered_back(engine):
    state = State(consent=True, facts={"sex": "female", "age": 32}, pending=["pregnant", "breastfeeding"])
    outcome = asked(state, engine, "my periods stopped on chemo so I can't be pregnant, and I'm not breastfeeding")
    assert "pregnant" not in outcome.state.facts and read_as(outcome.state, "breastfeeding") is False
    assert outcome.replies[-1].custom["confirm"]["pregnant"] is False


@pytest.mark.parametrize("question, message", [
    ("chemo_induced_thrombocytopenia", "I think so but I'm not sure"),
    ("childbearing_potential", "maybe"),
    ("last_chemotherapy", "6 weeks ago, or maybe 7"),
])
def test_a_reply_that_leans_one_way_with_doubt_is_offered_back_not_stored_as_unknown(engine, question, message):
    outcome = asked(at(question, sex="female"), engine, message)
    assert question not in outcome.state.facts and question in (outcome.state.confirm or {})


@pytest.mark.parametrize("question, message, value", [
    ("heart_failure_severe", "yes I get breathless just walking to the bathroom", True),
    ("heart_failure_severe", "I'm breathless but it's from the lung cancer not my heart", False),
    ("uses_contraception", "no but I would during the study", True),
    ("childbearing_potential", "my periods are irregular but I still get them", True),
    ("stomach_ulcer", "gastritis, not an ulcer", False),
    ("bleeding_tendency", "nope, no bruises, no bleeding", False),
    ("platelet_boosters_failed", "yes. Actually no, that was G-CSF for my white cells, not platelets", False),
])
def test_everyday_wording_answers_its_question(engine, question, message, value):
    state = asked(at(question, sex="female"), engine, message).state
    assert (state.facts[question] if value is None else read_as(state, question)) is value


@pytest.mark.parametrize("question, message", [
    ("bleeding_tendency", "a bruise where the drip went in"),  # a bruise with its own cause
    ("transplant", "I had a stem cell transplant"),  # from a donor, or her own cells?
    ("liver_kidney_ok", "creatinine slightly high"),  # maybe under 1.5 times the limit
    ("platelet_count", "it was 9 before they transfused me"),  # not the count that counts now
    ("uses_contraception", "yes I'm on the pill but I keep throwing it up because of the chemo"),
])
def test_what_says_too_little_is_asked_about_not_stored(engine, question, message):
    assert question not in asked(at(question, sex="female"), engine, message).state.facts


def test_no_to_all_except_one_names_that_one(engine):
    items = ["thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"]
    facts = asked(State(consent=True, pending=items), engine, "no to all except diabetes").state.facts
    assert facts["diabetes"] is True and all(facts[k] is False for k in items if k != "diabetes")


def test_none_of_those_said_first_is_a_plain_no_to_the_list_beside_the_items_it_denies(engine):
    items = ["infection_serology_positive", "severe_bleeding", "antiplatelet_drugs", "treatment_toxicity_unresolved", "pregnant",
             "breastfeeding"]
    state = State(consent=True, facts={"sex": "female"}, pending=items)
    state = asked(state, engine, "none of those, I'm not pregnant, I stopped feeding my little one in the summer").state
    assert all(read_as(state, k) is False for k in items)


def test_a_date_before_a_treatment_named_as_a_cause_is_not_the_treatment_s(engine):
    outcome = asked(at("childbearing_potential", sex="female"), engine, "my periods stopped last year because of the chemo")
    assert "last_chemotherapy" not in outcome.state.facts


def test_a_later_dose_said_beside_the_treatment_s_end_is_offered_back(engine):
    outcome = asked(at("last_chemotherapy"), engine, "The chemo finished in August but they gave me one more dose last week")
    assert "last_chemotherapy" not in outcome.state.facts
    confirm = outcome.replies[-1].custom["confirm"]["last_chemotherapy"]
    assert confirm.startswith("2026-11")  # last week (TODAY is 23 November), not August


def test_a_count_from_before_the_transfusion_told_of_is_not_the_count(engine):
    outcome = asked(at("platelet_count"), engine, "I had a transfusion of 2 bags on Monday, count was 11 before")
    assert "platelet_count" not in outcome.state.facts and outcome.state.pending == ["platelet_count"]


@pytest.mark.parametrize("message, count", [
    ("PLT 41 x10^9/L last week, today they said its dropped to 28", 28), ("was 150 before chemo, now 19", 19),
    ("it was 45 two weeks ago but yesterday it dropped to 19", 19),
    # a transfusion between them, or no time said of each: which one counts is asked
    ("87,000 after the transfusion, before that 12", None), ("25 last week, 45 today after a transfusion", None), ("22 or 25", None),
])
def test_of_two_counts_each_said_with_when_the_latest_is_offered_back(engine, message, count):
    """The latest of two dated counts is the one asked for, but two values are for the person to confirm: it is
    offered back, never stored as said (issue 12); with no latest, the count is asked again."""
    outcome = asked(at("platelet_count"), engine, message)
    assert "platelet_count" not in outcome.state.facts
    offered = (outcome.state.confirm or {}).get("platelet_count")
    assert offered == count


def test_the_odd_bruise_is_offered_back_with_the_no_to_serious_bleeding(engine):
    outcome = asked(at("severe_bleeding"), engine, "no, just the odd bruise")
    assert not outcome.state.facts  # "odd" is left unread: the "no" that would pass the exclusion is offered back too
    assert outcome.replies[-1].custom["confirm"] == {"bleeding_tendency": True, "severe_bleeding": False}


# -- a reading that makes someone look eligible needs the words to say it (fresh_single_2) --------

@pytest.mark.parametrize("message", ["no, I'm having it at the moment", "no not finished yet", "started 2 months ago, finishing next week",
                                     "no radiotherapy yet, it's planned for January", "no radiotherapy since the summer"])
def test_radiotherapy_going_on_to_come_or_since_an_unread_time_is_asked_again_not_never(engine, message):
    outcome = asked(at("last_radiotherapy"), engine, message)
    assert "last_radiotherapy" not in outcome.state.facts and outcome.state.pending == ["last_radiotherapy"]


def test_no_radiotherapy_since_a_month_dates_the_last_one(engine):
    assert asked(at("last_radiotherapy"), engine, "no radiotherapy since March").state.facts["last_radiotherapy"] != "never"


@pytest.mark.parametrize("message", ["no I'm on the pill", "no, my husband had the snip", "not planning to!"])
def test_a_no_for_a_reason_that_is_not_being_unable_to_conceive_is_asked_back(engine, message):
    outcome = asked(at("childbearing_potential", sex="female"), engine, message)
    assert "childbearing_potential" not in outcome.state.facts and "childbearing_potential" in outcome.state.pending


def test_a_partner_s_words_do_not_take_back_a_yes(engine):
    outcome = asked(at("mental_disorder_limits_consent"), engine, "yes, my dad has advanced Alzheimer's, I have power of attorney")
    assert outcome.state.facts.get("mental_disorder_limits_consent") is True


def test_not_pregnant_said_outright_is_not_unsettled_by_the_pregnancy_wording(engine):
    state = State(consent=True, facts={"sex": "female", "age": 32}, pending=["pregnant", "breastfeeding"])
    assert asked(state, engine, "no I'm not pregnant").state.facts.get("pregnant") is False


def test_a_sign_of_bleeding_in_the_past_with_nothing_recently_is_not_taken_as_now(engine):
    outcome = asked(at("bleeding_tendency"), engine, "had a nosebleed last year, nothing recently")
    assert outcome.state.facts.get("bleeding_tendency") is not True


@pytest.mark.parametrize("message", ["kidneys are fine but my liver enzymes are up because of the mets",
                                     "they were normal before chemo, haven't had them done since"])
def test_liver_and_kidney_tests_raised_by_an_unknown_amount_or_not_recent_are_not_a_yes(engine, message):
    assert "liver_kidney_ok" not in asked(at("liver_kidney_ok"), engine, message).state.facts


def test_breathless_not_at_rest_leaves_light_activity_open(engine):
    assert "heart_failure_severe" not in asked(at("heart_failure_severe"), engine, "not at rest no").state.facts


def test_a_belief_about_what_the_study_team_will_judge_is_offered_back(engine):
    outcome = asked(at("good_compliance"), engine, "I think so")
    assert "good_compliance" not in outcome.state.facts


@pytest.mark.parametrize("message, consent", [("yeah nah", None), ("I don't mind", True)])
def test_consent_said_both_ways_is_no_consent_and_assent_with_a_negation_is(engine, message, consent):
    state = engine.respond(State(), Turn("hi")).state
    assert asked(state, engine, message).state.consent is consent


def test_a_doubt_given_up_at_the_end_agrees_to_start(engine):
    state = engine.respond(State(), Turn("hi")).state
    assert asked(state, engine, "not really comfortable with chatbots but ok").state.consent is True
