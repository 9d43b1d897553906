"""Scopes in an answer to a bundled list (bot/parsing/scopes.py and Reader._read_list_scopes): a doubt, a
reply about "the rest", an organ said to be fine, another person's condition, each reaching only what it is
about."""
from __future__ import annotations

import pytest

from bot.conversation import State, Turn
from bot.extraction import RELATIVES
from bot.parsing import scopes, whose

HEART = ["heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia"]
OTHER = ["thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis"]


def understood(engine, pending, message, **facts):
    return engine.understand(State(consent=True, facts=dict(facts), pending=list(pending)), Turn(message))


# -- the pieces --------------------------------------------------------------------------------------

@pytest.mark.parametrize("message, parts", [
    ("not sure about the AF, no to the rest", [("not sure about the AF", False), (" no to the rest", True)]),
    ("Mum has a pacemaker, otherwise no", [("Mum has a pacemaker", False), ("otherwise no", True)]),
    ("I'm not diabetic. The rest I'm not sure", [("I'm not diabetic", False), (" The rest I'm not sure", True)]),
])
def test_a_list_answer_is_cut_into_clauses_and_a_clause_about_the_rest_is_known(message, parts):
    assert [(c.text, c.about_the_rest) for c in scopes.clauses(message)] == parts


@pytest.mark.parametrize("clause, reply", [
    ("no to the rest", "no"), ("none of the others", "no"), ("otherwise no", "no"), ("the rest I'm not sure", "unknown"),
    ("don't know about the others", "unknown"), ("yes to the rest", "yes"),
])
def test_what_a_clause_says_of_the_rest(clause, reply):
    assert scopes.rest_reply(scopes.Clause(0, len(clause), clause)) == reply


@pytest.mark.parametrize("message, fine", [
    ("heart's fine", True), ("not my heart though", True), ("no heart problems at all", True),
    ("nothing wrong with her heart", True), ("my heart is perfectly healthy", True),
    ("heart fine on bisoprolol", False),  # fine because of a treatment: a condition treated
    ("not my heart attack", False), ("my heart is weak", False), ("heart failure", False),
])
def test_an_organ_said_to_be_fine(message, fine):
    assert bool(scopes.organ_fine(message, ["heart"])) is fine


@pytest.mark.parametrize("message, left", [
    ("my dad had heart failure but I don't have any of these", "I don't have any of these"),
    # a denial with nothing of its own denies what the other had: left whole for the extraction, which reads it
    # as the writer's "no" (tests/unit/test_whose_fact.py)
    ("my husband has diabetes but I don't", "my husband has diabetes but I don't"),
    ("no, my husband has diabetes but I don't", "no"),  # the writer's no first: the rest is the husband's
    ("my mum had a clot, not me", "my mum had a clot, not me"),
    ("Mum has a pacemaker, otherwise no", "Mum has a pacemaker, otherwise no"),  # she may be the person screened
    ("my sister has diabetes and so do I", "my sister has diabetes and so do I"),
])
def test_another_persons_condition_set_against_the_writer_is_not_read(message, left):
    assert " ".join(whose.without_others(message, RELATIVES).split()) == " ".join(left.split())


# -- the reading -------------------------------------------------------------------------------------

def test_a_doubt_reaches_only_the_item_it_names_and_no_to_the_rest_the_others(engine):
    said = understood(engine, HEART, "not sure about the irregular heartbeat one, no to the rest")
    assert said.facts == {"heart_disease_treated": False, "heart_failure_severe": False,
                          "heart_attack_or_angina_recent": False, "arrhythmia": None}


def test_a_doubt_that_leans_is_offered_back_for_its_item_alone(engine):
    said = understood(engine, HEART, "maybe the irregular heartbeat one")
    assert said.facts == {} and said.checks == {"arrhythmia": True}


def test_the_rest_not_known_after_an_item_denied(engine):
    said = understood(engine, OTHER, "I'm not diabetic. The rest I'm not sure")
    assert said.facts == {"diabetes": False, **{k: None for k in OTHER if k != "diabetes"}}


def test_an_item_that_covers_the_one_named_is_offered_back_not_denied(engine):
    said = understood(engine, HEART, "only the AF, none of the others")
    assert said.facts == {"arrhythmia": True, "heart_failure_severe": False, "heart_attack_or_angina_recent": False}
    assert said.checks == {"heart_disease_treated": False}  # AF is itself a heart condition that may need treatment


def test_the_rest_is_not_denied_when_a_clause_names_something_that_may_be_an_item(engine):
    said = understood(engine, HEART, "Mum has a pacemaker, otherwise no")
    assert not any(said.facts.get(k) is False for k in HEART)  # a pacemaker is for a heart rhythm


def test_a_clause_that_goes_on_about_an_item_leaves_the_rest_to_the_rest(engine):
    said = understood(engine, OTHER, "I had my own stem cells back, not a donor's. no to the others")
    assert said.facts == dict.fromkeys(OTHER, False)


@pytest.mark.parametrize("message", ["heart's fine", "tired af tbh but no heart problems", "not my heart though"])
def test_the_organ_of_every_item_said_fine_denies_the_list(engine, message):
    assert understood(engine, HEART, message).facts == dict.fromkeys(HEART, False)


def test_an_organ_said_fine_is_no_yes_to_its_item(engine):
    said = understood(engine, OTHER, "no I don't have any of them, my sugar is fine too")
    assert said.facts == dict.fromkeys(OTHER, False)
    assert understood(engine, OTHER, "diabetic, my sugar is fine on metformin").facts.get("diabetes") is True


@pytest.mark.parametrize("message, items", [
    ("no, my husband has diabetes but I don't", OTHER), ("my dad had heart failure but I don't have any of these", HEART),
])
def test_a_relatives_condition_set_against_the_writer_leaves_the_writers_no(engine, message, items):
    assert understood(engine, items, message).facts == dict.fromkeys(items, False)


def test_a_relatives_condition_is_the_persons_own_when_screening_that_relative(engine):
    state = State(consent=True, facts={}, pending=list(OTHER), subject="your mother")
    said = engine.understand(state, Turn("my mum has diabetes but I don't"))
    assert said.facts.get("diabetes") is not False


@pytest.mark.parametrize("message, sepsis", [
    ("I had sepsis in the summer but I'm over it", False), ("She had sepsis last month but she's home now and well", False),
    ("sepsis, getting better now", None), ("sepsis, nearly over it", True),
])
def test_sepsis_said_to_be_over_is_no_sepsis_now(engine, message, sepsis):
    said = understood(engine, OTHER, message)
    assert said.facts.get("sepsis") is sepsis


@pytest.mark.parametrize("message", [
    "my wife says I bruise easily now, I hadn't noticed",  # what the relative says of the writer
    "Yes. My husband is 66 and has bowel cancer, I'm doing this for him",  # the relative is the person screened
])
def test_a_relative_not_set_against_a_denial_by_the_writer_stays(message):
    assert whose.without_others(message, RELATIVES) == message


def test_a_doubt_about_a_detail_is_no_doubt_about_the_item():
    assert scopes.doubt_in(scopes.Clause(0, 38, "I'm not sure if it was my own cells")) is None
    assert scopes.doubt_in(scopes.Clause(0, 23, "not sure about the AF")) == "unknown"


@pytest.mark.parametrize("message, left", [
    ("my dad had leukaemia but mine is stomach cancer", "mine is stomach cancer"),
    ("no but my husband does", "no"),
    ("none of these, though my brother had a kidney transplant", "none of these"),
    ("my sister has diabetes but I do too", "I do too"),
])
def test_a_relatives_condition_before_or_after_the_writers_own_is_not_read(message, left):
    assert " ".join(whose.without_others(message, RELATIVES).split()) == left


def test_a_relatives_condition_after_the_writers_no_says_nothing_of_the_writer(engine):
    said = understood(engine, ["diabetes"], "no but my husband does")
    assert said.facts == {"diabetes": False}  # not "male" either: the husband is not the person


@pytest.mark.parametrize("message", ["I'm not sure about the heart ones, I've never had them checked. No to the rest."])
def test_items_referred_to_by_a_word_of_their_question(engine, message):
    said = understood(engine, HEART + OTHER, message)
    assert said.facts == {**dict.fromkeys(HEART), **dict.fromkeys(OTHER, False)}


def test_i_dont_think_so_to_a_list_with_a_test_result_in_it_is_offered_back(engine):
    items = ["pregnant", "breastfeeding", "infection_serology_positive", "severe_bleeding"]
    said = understood(engine, items, "I don't think so", sex="female")
    assert said.facts == {} and said.checks == dict.fromkeys(items, False)
    assert understood(engine, OTHER, "I don't think so").facts == dict.fromkeys(OTHER, False)  # what one knows oneself


def test_not_that_ive_noticed_is_a_hedge():
    from bot.parsing.answers import is_hedged
    assert is_hedged("not that I've noticed") and is_hedged("not that I've seen")


def test_a_relatives_age_after_the_writers_own_is_not_read(engine):
    assert " ".join(whose.without_others("45. my husband is 52 if that matters", RELATIVES).split()) == "45."
    said = understood(engine, ["age"], "45. my husband is 52 if that matters")
    assert said.facts == {"age": 45}


# -- items picked by place or by a word, and what "the rest" cannot reach ------------------------------

THREE = ["severe_bleeding", "antiplatelet_drugs", "treatment_toxicity_unresolved"]


@pytest.mark.parametrize("clause, size, places", [
    ("no to the first three", 4, [0, 1, 2]), ("yes to the last one", 4, [3]), ("the middle one", 3, [1]),
    ("except the last", 4, [3]), ("the last two", 4, [2, 3]),
    ("the middle one", 4, []),  # no one middle item in an even list
    ("sepsis the last year", 6, []), ("after the first cycle", 6, []),  # a time, another thing: no place
])
def test_items_referred_to_by_their_place(clause, size, places):
    assert scopes.by_place(scopes.Clause(0, len(clause), clause), size) == places


def test_a_list_answered_by_place_is_read_item_by_item(engine):
    said = understood(engine, THREE, "no to the first two, not sure on the last")
    assert said.facts == {"severe_bleeding": False, "antiplatelet_drugs": False, "treatment_toxicity_unresolved": None}
    said = understood(engine, THREE, "the middle one, he takes clopidogrel")
    assert said.facts == {"antiplatelet_drugs": True}


def test_a_place_denied_that_covers_the_item_said_yes_is_offered_back(engine):
    # was: every item "no"; the first item (a heart condition needing treatment) may be the irregular beat itself
    said = understood(engine, HEART, "no to the first three, yes to the last one")
    assert said.facts == {"heart_failure_severe": False, "heart_attack_or_angina_recent": False, "arrhythmia": True}
    assert said.checks == {"heart_disease_treated": False}


def test_an_item_picked_by_place_and_described_or_hedged_is_offered_back(engine):
    assert understood(engine, HEART, "I think the last one").facts == {}
    said = understood(engine, HEART, "Only the first one, a leaky valve they're watching")
    assert "heart_disease_treated" not in said.facts and said.checks.get("heart_disease_treated") is True


def test_an_item_picked_by_a_word_of_its_own(engine):
    assert understood(engine, OTHER, "only the sugar one").facts == {"diabetes": True}


@pytest.mark.parametrize("items, message, exception", [
    (THREE, "just the numbness in my feet, the rest no", "treatment_toxicity_unresolved"),
    (["uncontrolled_organ_disease", "ebv_cmv_dna_positive", "uncontrolled_hypertension", "bundle_branch_block"],
     "no idea about the virus tests, the rest no", "ebv_cmv_dna_positive"),
])
def test_the_rest_is_not_denied_beside_an_exception_that_names_no_item(engine, items, message, exception):
    # was: every item "no", the exception's own item with them
    assert understood(engine, items, message).facts.get(exception) is not False


def test_an_item_said_yes_to_and_asked_how_much_still_counts_as_there(engine):
    said = understood(engine, HEART, "heart failure yes but no to the others")
    assert said.facts == {"heart_attack_or_angina_recent": False, "arrhythmia": False}
    assert said.checks.get("heart_disease_treated") is False  # heart failure is itself a heart condition


@pytest.mark.parametrize("message", ["all no except the last", "all of them no except the last one"])
def test_all_no_speaks_of_the_rest(engine, message):
    said = understood(engine, HEART, message)
    assert said.facts == {"heart_failure_severe": False, "heart_attack_or_angina_recent": False, "arrhythmia": True}


def test_no_to_all_of_it_denies_the_list(engine):
    said = understood(engine, HEART, "he had a stent in 2015, he's fine now, no to all of it", sex="male")
    assert said.facts == dict.fromkeys(HEART, False)


def test_dunno_is_a_doubt_about_the_item_it_names(engine):
    said = understood(engine, OTHER, "dunno about the hardened arteries one, none of the rest")
    assert said.facts == {"thrombotic_disease": None, **{k: False for k in OTHER if k != "thrombotic_disease"}}


def test_a_doubt_only_about_a_detail_is_no_i_dont_know_to_the_list(engine):
    said = understood(engine, HEART, "I take bisoprolol for my heart but not sure what for exactly")
    assert not any(v is None for v in said.facts.values())
    assert scopes.doubts_only_details("not sure what for") and not scopes.doubts_only_details("I don't know if I'm pregnant")


def test_a_condition_said_ok_now_is_not_read_as_there_and_its_time_is_not_the_chemos(engine):
    said = understood(engine, OTHER, "sepsis last year when I had my chemo, I'm ok now")
    assert said.facts.get("sepsis") is not True and "last_chemotherapy" not in said.facts


def test_a_no_whose_named_item_agrees_is_trusted_for_the_rest(engine):
    items = ["infection_serology_positive", *THREE]
    said = understood(engine, items, "nope, i stopped the aspirin when the platelets dropped", sex="male")
    assert said.facts == dict.fromkeys(items, False)
    # a "no" wrong about one item is not trusted for the others; one before an exception is about the rest
    assert understood(engine, OTHER, "no, I'm type 2 diabetic though").facts == {"diabetes": True}
    said = understood(engine, HEART, "no, only an irregular heartbeat but the doctor said its the harmless kind, no treatment")
    assert said.facts.get("heart_disease_treated") is None


# -- fresh_lists_3.yml: take-backs, a "no" of one thing, an item answered after its name, numbers, relatives ----

@pytest.mark.parametrize("message, left", [
    ("yes diabetes. also I had a clot, no wait that was my husband", "yes diabetes. that was my husband"),
    ("yes the heart attack one - oh wait thats 6 months", "thats 6 months"),
    ("AF, scratch that, flutter", ", flutter"),
    ("no aspirin, no bleeding", "no aspirin, no bleeding"),  # nothing taken back
])
def test_a_clause_the_writer_takes_back_is_not_read(message, left):
    assert " ".join(scopes.taken_back(message).split()) == left


def test_an_item_taken_back_in_a_list_answer_is_not_recorded(engine):
    said = understood(engine, OTHER, "yes diabetes, on insulin. also I had a clot, no wait that was my husband", sex="female")
    assert said.facts == {"diabetes": True}  # was: a clot recorded as hers


@pytest.mark.parametrize("message, of_a_thing", [
    ("no bleeding, and I'm not on any blood thinners", True), ("no aspirin", True), ("no ulcers no clots", True),
    ("no", False), ("no to all", False), ("no, just asthma", False), ("no none of them", False), ("no problems", False),
    ("no just high cholesterol and gout", False), ("nope, no bleeding", False), ("no idea", False),
])
def test_a_no_that_names_one_thing(message, of_a_thing):
    assert scopes.no_of_a_thing(message) is of_a_thing


def test_a_no_of_one_thing_does_not_deny_the_items_it_does_not_name(engine):
    # was: "no" to every item, the side effects (not spoken of) with them
    said = understood(engine, THREE, "no bleeding, and I'm not on any blood thinners", sex="male")
    assert "treatment_toxicity_unresolved" not in said.facts


@pytest.mark.parametrize("message", ["diabetes yes, clots no, the others I'm not sure", "diabetes yes, DVT no"])
def test_an_item_answered_no_right_after_its_name_is_not_read_as_there(engine, message):
    # was: "clots no" read as a clot
    said = understood(engine, OTHER, message)
    assert said.facts.get("diabetes") is True
    assert said.facts.get("thrombotic_disease") is not True and said.checks.get("thrombotic_disease") is not True


@pytest.mark.parametrize("clause, size, places", [("1 and 4", 4, [0, 3]), ("2", 6, [1]), ("#3", 6, [2]),
                                                  ("1 and 7", 6, []), ("3 years", 6, [])])
def test_items_referred_to_by_their_number(clause, size, places):
    assert scopes.by_place(scopes.Clause(0, len(clause), clause), size) == places


def test_a_list_answered_by_numbers(engine):
    assert understood(engine, HEART, "1 and 4").facts == {"heart_disease_treated": True, "arrhythmia": True}


@pytest.mark.parametrize("message", ["mum has lupus, but I don't have any of those", "grandad had diabetes, I've got none of them"])
def test_a_relative_named_first_and_set_against_the_writer_is_not_the_person(engine, message):
    said = understood(engine, OTHER, message)
    assert said.facts == dict.fromkeys(OTHER, False) and "sex" not in said.facts


def test_i_dont_know_after_a_relatives_condition_is_no_denial():
    message = "my mum has lupus but I don't know if it's active"
    assert whose.without_others(message, RELATIVES) == message


@pytest.mark.parametrize("items, message, said_no", [
    (OTHER, "no.. well I had sepsis in hospital 3 weeks ago but they said its cleared", "sepsis"),
    (OTHER, "Nope. Well my sugars are a bit high but they said I'm not diabetic", "diabetes"),
])
def test_a_no_then_but_about_an_item_that_agrees_is_trusted_for_the_rest(engine, items, message, said_no):
    said = understood(engine, items, message)
    assert {k: v for k, v in said.facts.items() if k != said_no} == {k: False for k in items if k != said_no}
    assert {**said.facts, **said.checks}.get(said_no) is False


@pytest.mark.parametrize("items, message, rest", [
    (OTHER, "Only metformin for my diabetes, no other", [k for k in OTHER if k != "diabetes"]),
    (["infection_serology_positive", *THREE], "had hep B as a kid, cleared, the rest no", THREE),
])
def test_the_rest_said_in_other_words(engine, items, message, rest):
    said = understood(engine, items, message, sex="male")
    assert all(said.facts.get(k) is False for k in rest)


def test_a_medicine_stopped_for_a_procedure_is_offered_back_not_denied(engine):
    # was: "no" to antiplatelet medicines, though the clopidogrel is only paused for the biopsy
    said = understood(engine, THREE, "no, I stopped my clopidogrel last week for the biopsy", sex="male")
    assert "antiplatelet_drugs" not in said.facts and said.checks.get("antiplatelet_drugs") is False
    # stopped for good, it is a "no"
    said = understood(engine, THREE, "nope, i stopped the aspirin when the platelets dropped", sex="male")
    assert said.facts.get("antiplatelet_drugs") is False


def test_an_ulcer_ages_ago_is_not_read_as_one_now(engine):
    said = understood(engine, OTHER, "nah had a stomach ulcer but that was ages ago")
    assert said.facts.get("stomach_ulcer") is not True and said.checks.get("stomach_ulcer") is not True


@pytest.mark.parametrize("message, checked", [
    ("she's got lupus, flares up now and then, on hydroxychloroquine", True),  # how often, not now: asked
    ("mum has rheumatoid arthritis, it's flaring at the moment, the rest no", False),  # flaring now: said
])
def test_a_flare_said_with_how_often_is_not_a_flare_now(engine, message, checked):
    said = understood(engine, OTHER, message, sex="female")
    assert (said.facts.get("autoimmune_disease") is not True) is checked


# -- Chinese: the same scopes, with Chinese clause marks, "the rest" and references ----------------------

@pytest.mark.parametrize("message, parts", [
    ("心律不齐那个不清楚，其他没有", [("心律不齐那个不清楚", False), ("其他没有", True)]),
    ("心律不齐那个不清楚其他没有", [("心律不齐那个不清楚", False), ("其他没有", True)]),  # "the rest" opens its clause
    ("糖尿病、房颤，别的都没有", [("糖尿病", False), ("房颤", False), ("别的都没有", True)]),
])
def test_a_chinese_list_answer_is_cut_into_clauses(message, parts):
    assert [(c.text, c.about_the_rest) for c in scopes.clauses(message)] == parts


@pytest.mark.parametrize("clause, reply", [
    ("其他没有", "no"), ("其他的都没有", "no"), ("其余也没有", "no"), ("别的不清楚", "unknown"), ("剩下的没查过", "unknown"),
])
def test_what_a_chinese_clause_says_of_the_rest(clause, reply):
    assert scopes.rest_reply(scopes.Clause(0, len(clause), clause)) == reply


LABELS = {"heart_disease_treated": "目前需要治疗的心脏病", "arrhythmia": "房颤、房扑，或目前需要治疗、最近6个月内不稳定的心律失常",
          "diabetes": "糖尿病"}
ORGANS = {"heart_disease_treated": ("heart", "心脏"), "arrhythmia": ("heart", "心脏"), "diabetes": ("sugar", "血糖")}


@pytest.mark.parametrize("clause, referred, reply", [
    ("心脏的不清楚", ["heart_disease_treated", "arrhythmia"], "unknown"),  # its organ: every item about the heart
    ("心脏方面都没有", ["heart_disease_treated", "arrhythmia"], "no"),
    ("血糖一直挺好的", ["diabetes"], "no"),  # said fine
    ("心律不齐那个没有", ["arrhythmia"], "no"),  # "心律": two characters of its label no other item has
    ("心律不齐不清楚", ["arrhythmia"], None),  # no pointer: what follows may be the rest of the name (a doubt is read apart)
    ("心脏病不清楚", ["heart_disease_treated"], None),  # the organ as part of a name refers to no item by its organ
    ("目前需要治疗", [], None),  # words every item's label has name none of them
    ("最近三个月住过院", [], None),  # "个月" of one label, neither after a pointer nor in a doubt: no reference
])
def test_items_referred_to_in_chinese(clause, referred, reply):
    assert scopes.referred_in_chinese(clause, LABELS, ORGANS) == (referred, reply)


@pytest.mark.parametrize("message, facts", [
    ("心脏的不清楚，其他的没有", {**dict.fromkeys(HEART), **dict.fromkeys(OTHER, False)}),
    ("心脏方面都没有，其他不清楚", {**dict.fromkeys(HEART, False), **dict.fromkeys(OTHER)}),
    ("心脏病不清楚，其他没有", {"heart_disease_treated": None, **{k: False for k in HEART + OTHER if k != "heart_disease_treated"}}),
    ("心律不齐那个没有，别的不清楚", {"arrhythmia": False, **{k: None for k in HEART + OTHER if k != "arrhythmia"}}),
])
def test_a_chinese_list_answer_is_read_clause_by_clause(engine, message, facts):
    assert understood(engine, HEART + OTHER, message).facts == facts


@pytest.mark.parametrize("message", ["心脏挺好的", "心脏没毛病", "心脏方面都没有"])
def test_the_organ_of_every_item_said_fine_in_chinese_denies_the_list(engine, message):
    assert understood(engine, HEART, message).facts == dict.fromkeys(HEART, False)


@pytest.mark.parametrize("message", ["冠心病，在吃药，其他没有", "以前得过胃溃疡，治好了，其他没有"])
def test_a_chinese_clause_that_goes_on_about_an_item_leaves_the_rest_to_the_rest(engine, message):
    said = understood(engine, HEART + OTHER, message)
    assert all(v is False for k, v in said.facts.items() if k not in ("heart_disease_treated", "stomach_ulcer"))
    assert len(said.facts) + len(said.checks) == len(HEART + OTHER)


def test_a_chinese_clause_naming_what_may_be_an_item_leaves_the_rest_open(engine):
    said = understood(engine, OTHER, "我妈有起搏器，其他没有")
    assert not any(v is False for v in said.facts.values())
