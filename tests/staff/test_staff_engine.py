"""Staff mode (bot/staff.py) without Rasa: multi-fact messages, the checklist, the commands."""
from __future__ import annotations

import re

import pytest

from bot.conversation import MAX_MESSAGE_LENGTH, Screening, State, Turn
from bot.staff import StaffScreening
from bot.staff_checklist import criterion_numbers
from bot.staff_layout import compact_numbers, compact_value, short_label
from bot.staff_reading import STAFF_CUES
from bot.staff_texts import STAFF_LABELS
from tests.conftest import SEED_TRIAL, TODAY
from tests.contract import follows_contract

EXAMPLE = "62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx"


@pytest.fixture
def staff(engine) -> StaffScreening:
    return StaffScreening(engine)


class Desk:
    """One staff conversation: the state carried from turn to turn, as the Rasa slots carry it."""

    def __init__(self, staff: StaffScreening) -> None:
        self.staff = staff
        self.state = State()

    def say(self, text: str, action: str = "screen"):
        outcome = self.staff.handle(self.state, Turn(text), action)
        self.state = State.from_slots(outcome.state.to_slots())  # through the slots, as in Rasa
        return follows_contract(outcome.replies)


def items(reply):
    return {item["id"]: item for item in reply.custom["checklist"]}


def test_the_example_is_read_in_one_go_and_answered_with_a_checklist(staff):
    desk = Desk(staff)
    [reply] = desk.say(EXAMPLE)
    facts = desk.state.facts
    assert facts["age"] == 62 and facts["sex"] == "female" and facts["cancer_type"] == "solid_tumour"
    assert facts["platelet_count"] == 22 and facts["platelet_boosters_failed"] is True
    assert facts["last_chemotherapy"] == "2026-10-12" and facts["bleeding_tendency"] is False
    assert desk.state.consent is True and desk.state.pending is None  # consent implied, nothing asked
    lines = reply.text.splitlines()
    # what decides first: the headline, the trial, the criterion not met with the facts behind it
    assert lines[0] == "❌ Not eligible: I5 not met."
    assert lines[1] == "NCT05236582 · Using Herombopag to treat low platelet counts from chemotherapy"
    assert lines[2] == ("❌ I5 Platelet counts <30 ×10^9/L, and bleeding tendency — platelet count: 22 ×10⁹/L; "
                        "signs of easy bleeding: no")
    # the settled criteria by number, then every open fact once, by who answers it, then what was read
    assert lines[3] == "✅ 2 met (I1, I2) · ❓ 15 unknown · 🩺 6 to confirm"
    assert lines[4].startswith("❓ Patient: CIT; last RT; unresolved toxicity; antiplatelets;")
    assert "could conceive" in lines[4] and "pregnant" in lines[4] and "contraception" in lines[4]
    assert lines[5].startswith("🩺 Clinician: ") and "LE ≥ 6 mo" in lines[5] and "QTc" in lines[5]
    assert lines[6] == "🩺 Study team: E2, E15 at screening."
    assert lines[7].startswith("Read: age: 62 y; sex: female; type of cancer: solid tumour;")
    assert len(lines) == 8
    # every criterion's line in full, for the summary and the clients
    by_id = items(reply)
    assert by_id["inc-age"]["line"] == "✅ I2 Aged ≥18 years old, male or female — age: 62 y"
    assert by_id["inc-cit-refractory"]["line"] == (
        "❓ I3 Conform to the diagnostic criteria of chemotherapy-induced… — need: low platelets caused by chemotherapy")
    assert by_id["inc-treatment-break"]["line"] == (
        "❓ I4 Stop radiotherapy or chemotherapy for more than 1 month — need: last radiotherapy")
    assert by_id["inc-survival"]["line"] == (
        "🩺 I6 Estimated survival period ≥ 6 months — clinical: doctor expects at least 6 more months of life")
    assert by_id["exc-poor-compliance"]["line"] == "🩺 E2 Patients with poor compliance — study team at screening"
    [summary] = desk.say("summary")
    assert {item["line"] for item in by_id.values()} <= set(summary.text.splitlines())
    # one entry per criterion, in the trial's order, and the structured payload for the channels
    assert list(by_id) == [c.id for c in staff.catalogue.trials[SEED_TRIAL].criteria]
    assert by_id["inc-platelets-bleeding"]["status"] == "not_met"
    assert by_id["inc-survival"] == {**by_id["inc-survival"], "status": "to_confirm", "to_confirm_by": "clinician"}
    assert by_id["inc-cit-refractory"]["status"] == "unknown"
    assert reply.custom["verdict"]["status"] == "not_eligible"
    assert [m["fact"] for m in reply.custom["missing"]][:2] == ["chemo_induced_thrombocytopenia", "last_radiotherapy"]
    assert reply.custom["notes"][0].startswith("Read: ")


def test_every_criterion_has_exactly_one_mark_and_the_counts_add_up(staff):
    [reply] = Desk(staff).say(EXAMPLE)
    checklist = reply.custom["checklist"]
    assert all(item["line"].split()[0] in "✅❌❓🩺" for item in checklist)
    counts = {mark: len([i for i in checklist if i["status"] == mark]) for mark in ("met", "not_met", "unknown", "to_confirm")}
    assert reply.custom["counts"] == (f"✅ {counts['met']} met · ❌ {counts['not_met']} not met · "
                                      f"❓ {counts['unknown']} unknown · 🩺 {counts['to_confirm']} to confirm")


def test_third_person_throughout(staff):
    desk = Desk(staff)
    replies = [*desk.say("hi"), *desk.say(EXAMPLE), *desk.say("missing"), *desk.say("summary"),
               *desk.say("new patient"), *desk.say("why?", action="why")]
    for reply in replies:
        assert not re.search(r"\b(?:your|you are|do you|have you|are you)\b", reply.text, re.IGNORECASE), reply.text
    assert desk.state.subject == "the patient"


def test_corrections_and_more_facts_update_the_checklist(staff):
    desk = Desk(staff)
    desk.say(EXAMPLE)
    [reply] = desk.say("plt 25k, easy bruising, CIT confirmed, no RT, not on antiplatelets")
    assert "Updated platelet count: 22 ×10⁹/L → 25 ×10⁹/L." in reply.text
    assert "Updated signs of easy bleeding: no → yes." in reply.text
    by_id = items(reply)
    assert by_id["inc-platelets-bleeding"]["status"] == "met"
    assert by_id["inc-cit-refractory"]["status"] == "met"
    assert by_id["inc-treatment-break"]["status"] == "met"  # chemo 6 weeks ago, radiotherapy never
    assert by_id["exc-antiplatelet-drugs"]["status"] == "met"
    assert reply.custom["verdict"]["status"] == "uncertain"


def test_a_contradiction_keeps_the_earlier_fact(staff):
    desk = Desk(staff)
    desk.say("70M CRC plt 20k")
    [reply] = desk.say("pregnant")
    assert "Not recorded: pregnant or possibly pregnant: yes, which contradicts sex: male (kept)." in reply.text
    assert "pregnant" not in desk.state.facts


def test_what_is_not_read_is_said_with_the_facts_it_may_mean(staff):
    desk = Desk(staff)
    [reply] = desk.say("58M SCLC, plt 40k, odd bleeding pattern")
    assert "Not read: “odd bleeding pattern” (one of: signs of easy bleeding; serious bleeding; " in reply.text
    [reply] = desk.say("feeling chipper")
    assert "Not read: “feeling chipper”." in reply.text


def test_words_left_beside_what_was_read_are_said(staff):
    desk = Desk(staff)
    [reply] = desk.say("71M XYZQ")  # a made-up abbreviation: what the vocabulary does not know
    assert desk.state.facts == {"age": 71, "sex": "male"}
    assert "Not read: “XYZQ”." in reply.text
    [reply] = desk.say("XYZQ plt 30k QQX pending, no bleeding hx, ok thanks")
    notes = [note for note in reply.custom["notes"] if note.startswith("Not read")]
    assert notes == ["Not read: “XYZQ”.", "Not read: “QQX pending”."]  # negations, qualifiers, thanks: nothing left
    [reply] = desk.say(EXAMPLE)
    assert "Not read" not in reply.text


def test_a_negative_for_one_of_several_things_is_said_and_leaves_the_fact_open(staff):
    desk = Desk(staff)
    [reply] = desk.say("58M SCLC plt 40k, HBV neg, no aspirin")
    assert "infection_serology_positive" not in desk.state.facts and "antiplatelet_drugs" not in desk.state.facts
    assert "Not recorded: a positive test, ever, for HIV, hepatitis B, C or D, or syphilis: a “no” for HBV alone leaves the rest open." \
        in reply.custom["notes"]
    assert "Not recorded: taking an antiplatelet medicine: a “no” for aspirin alone leaves the rest open." in reply.custom["notes"]
    assert not [note for note in reply.custom["notes"] if note.startswith("Not read")]
    assert items(reply)["exc-antiplatelet-drugs"]["status"] == "unknown"


def test_new_patient_starts_from_nothing_and_keeps_the_trial(staff):
    desk = Desk(staff)
    desk.say(EXAMPLE)
    [reply] = desk.say("new patient")
    assert desk.state.facts == {}
    assert reply.text.startswith("New patient, NCT05236582")
    [reply] = desk.say("summary")
    assert "No facts recorded for this patient yet." in reply.text
    [reply] = desk.say("next patient: 58M SCLC, plt 40k")  # a new patient and his facts at once
    assert desk.state.facts == {"age": 58, "sex": "male", "cancer_type": "solid_tumour", "platelet_count": 40}
    # nothing of the previous patient: her chemotherapy date is missing again
    assert items(reply)["inc-treatment-break"]["detail"] == "need: last chemotherapy; last radiotherapy"


@pytest.mark.parametrize("text", [
    "ok, next patient: 58M SCLC plt 40k", "thanks, next pt 58M SCLC plt 40k", "right - new patient. 58M SCLC plt 40k",
])
def test_a_new_patient_after_a_short_lead_gets_the_rest_as_his_facts(staff, text):
    desk = Desk(staff)
    desk.say("62F NSCLC, plt 22k, bleeding hx")
    [reply] = desk.say(text)
    assert desk.state.facts == {"age": 58, "sex": "male", "cancer_type": "solid_tumour", "platelet_count": 40}
    [read] = reply.custom["notes"]
    assert read.startswith("Read: age: 58 y; sex: male;") and read in reply.text.splitlines()
    assert "Updated" not in reply.text


@pytest.mark.parametrize("text, age", [("the patient is 58", 58), ("is the next patient eligible?", 62),
                                       ("no bleeding, next pt", 62)])
def test_a_message_that_mentions_a_patient_is_not_a_new_patient(staff, text, age):
    """The same patient's facts stay; "the patient is 58" corrects her age."""
    desk = Desk(staff)
    desk.say("62F NSCLC, plt 22k, bleeding hx")
    desk.say(text)
    assert desk.state.facts["age"] == age and desk.state.facts["platelet_count"] == 22
    assert desk.state.facts["sex"] == "female" and desk.state.facts["cancer_type"] == "solid_tumour"


@pytest.mark.parametrize("text, action", [
    ("new patient", "screen"), ("New pt.", "greet"), ("start over", "start_over"), ("reset", "screen"),
    ("forget that patient", "start_over"), ("delete my answers", "delete_answers"),
])
def test_new_patient_by_command_or_by_intent(staff, text, action):
    desk = Desk(staff)
    desk.say(EXAMPLE)
    desk.say(text, action=action)
    assert desk.state.facts == {}
    assert desk.state.consent is True


@pytest.mark.parametrize("text", ["'; DROP TABLE events; --", "<![CDATA[x]]>", "-->", "%%%%"])
@pytest.mark.parametrize("action", ["start_over", "delete_answers"])
def test_junk_the_model_took_for_clearing_the_patient_clears_nothing(staff, text, action):
    """Clearing or erasing a patient's facts is asked for in words, never by the model's guess alone."""
    desk = Desk(staff)
    desk.say(EXAMPLE)
    [*_, reply] = desk.say(text, action=action)
    assert desk.state.facts["platelet_count"] == 22
    assert not (reply.custom or {}).get("deleted")


def test_commands_win_over_a_misread_intent(staff):
    desk = Desk(staff)
    desk.say(EXAMPLE)
    [reply] = desk.say("missing", action="screen")  # the NLU said greet -> action_screen
    assert reply.text.startswith("Still missing for NCT05236582")
    assert reply.text.splitlines()[1] == "1. low platelets caused by chemotherapy"
    assert "(clinical)" in reply.text
    [reply] = desk.say("summary", action="start_over")
    assert reply.text.startswith("Patient summary, NCT05236582")
    assert desk.state.facts  # not cleared
    # facts sent with an intent that usually means something else are still facts
    [reply] = desk.say("summary: CIT confirmed", action="show_facts")
    assert desk.state.facts["chemo_induced_thrombocytopenia"] is True


def test_summary_lists_the_facts_and_the_verdict(staff):
    desk = Desk(staff)
    desk.say(EXAMPLE)
    [reply] = desk.say("what have I told you", action="show_facts")
    lines = reply.text.splitlines()
    assert "- platelet count: 22 ×10⁹/L" in lines
    assert "- last chemotherapy: 2026-10-12 (6 wk ago)" in lines
    assert "❌ Not eligible: I5 not met." in lines
    assert reply.custom["facts"]["platelet_count"] == 22
    assert reply.custom["verdict"]["status"] == "not_eligible"


def test_screen_names_the_trial(staff):
    desk = Desk(staff)
    [reply] = desk.say("screen NCT05236582")
    assert desk.state.trial_id == SEED_TRIAL
    assert reply.custom["title"].startswith("NCT05236582 · ")
    [reply] = desk.say("screen NCT00000000")
    assert "No trial NCT00000000 in the database; available: NCT05236582." in reply.text
    assert desk.state.trial_id == SEED_TRIAL


def test_greeting_and_empty_message_get_the_help(staff):
    desk = Desk(staff)
    for text in ("hi", "", "help", "/affirm"):
        [reply] = desk.say(text)
        assert "Commands: \"new patient\"" in reply.text
    assert desk.state.facts == {}


def test_too_long(staff):
    [reply] = Desk(staff).say("plt 22k " * (MAX_MESSAGE_LENGTH // 8 + 1))
    assert "too long" in reply.text


def test_a_settled_exclusion_says_whether_it_applies(staff):
    desk = Desk(staff)
    [reply] = desk.say("62F NSCLC, plt 40k, on aspirin")
    lines = reply.text.splitlines()
    assert "❌ Not eligible: I5 not met; excluded by E12." in lines
    assert "❌ E12 excluded: Patients taking antiplatelet drugs at the same time — taking an antiplatelet medicine: yes" in lines
    assert items(reply)["exc-antiplatelet-drugs"]["status"] == "not_met"  # the payload's status is unchanged
    [reply] = desk.say("no antiplatelets")
    lines = reply.text.splitlines()
    assert "❌ Not eligible: I5 not met." in lines
    assert not any("E12" in line and "excluded" in line for line in lines)
    assert "✅ 3 met (I1, I2, E12) · ❓ 14 unknown · 🩺 6 to confirm" in lines  # settled, by number
    [summary] = desk.say("summary")  # every line in full
    lines = summary.text.splitlines()
    assert "✅ E12 does not apply: Patients taking antiplatelet drugs at the same time — taking an antiplatelet medicine: no" in lines
    assert any(line.startswith("❓ E4 Accompanied by extensive and severe bleeding") for line in lines)  # still open
    assert "✅ I2 Aged ≥18 years old, male or female — age: 62 y" in lines  # inclusions as before


def test_criterion_numbers_and_compact_values(staff, vocabulary):
    numbers = criterion_numbers(staff.catalogue.trials[SEED_TRIAL])
    assert numbers["scope-solid-tumour"] == "I1" and numbers["inc-contraception"] == "I9"
    assert numbers["exc-uncontrolled-organ-disease"] == "E1" and numbers["exc-investigator-judgement"] == "E15"
    assert compact_value(vocabulary["platelet_count"], 22.0, TODAY) == "22 ×10⁹/L"
    assert compact_value(vocabulary["last_chemotherapy"], "2026-11-20", TODAY) == "2026-11-20 (3 d ago)"
    assert compact_value(vocabulary["last_chemotherapy"], "2026-01-20", TODAY) == "2026-01-20 (10 mo ago)"
    assert compact_value(vocabulary["last_radiotherapy"], "never", TODAY) == "never"
    assert compact_value(vocabulary["qtc_ms"], None, TODAY) == "not known"


def test_a_month_without_a_day_is_shown_as_the_month_and_asked_for_closer_when_it_cannot_settle(staff, vocabulary):
    chemo = vocabulary["last_chemotherapy"]
    assert compact_value(chemo, "2026-10-01/2026-10-31", TODAY) == "October 2026 (3–7 wk ago)"
    assert compact_value(chemo, "2025-01-01/2025-12-31", TODAY) == "2025 (11–23 mo ago)"
    assert compact_value(chemo, "2026-11-01/2026-11-23", TODAY) == "November 2026 (0 d–3 wk ago)"
    desk = Desk(staff)
    [reply] = desk.say("62F NSCLC, last chemo in October, no radiotherapy")
    assert "last chemotherapy: October 2026 (3–7 wk ago)" in reply.text
    treatment_break = items(reply)["inc-treatment-break"]
    assert treatment_break["status"] == "unknown"
    assert treatment_break["detail"] == "need: last chemotherapy: a closer date than October 2026"


def test_a_duration_with_a_bound_is_shown_as_its_dates_and_asked_for_closer_when_it_cannot_settle(staff, vocabulary):
    chemo = vocabulary["last_chemotherapy"]
    assert compact_value(chemo, "1900-01-01/2026-08-23", TODAY) == "2026-08-23 or earlier (≥ 13 wk ago)"
    assert compact_value(chemo, "2026-09-23/2026-11-23", TODAY) == "2026-09-23 to 2026-11-23 (0 d–8 wk ago)"
    assert compact_value(chemo, "2026-11-01/2026-11-23", TODAY) == "November 2026 (0 d–3 wk ago)"  # "this month"
    desk = Desk(staff)
    [reply] = desk.say("62F NSCLC, last chemo less than 2 months ago, no radiotherapy")
    assert "last chemotherapy: 2026-09-23 to 2026-11-23 (0 d–8 wk ago)" in reply.text
    treatment_break = items(reply)["inc-treatment-break"]
    assert treatment_break["status"] == "unknown"
    assert treatment_break["detail"] == "need: last chemotherapy: a closer date than 2026-09-23 to 2026-11-23"
    [reply] = desk.say("last chemo more than 2 weeks ago")
    assert items(reply)["inc-treatment-break"]["detail"] == (
        "need: last chemotherapy: a closer date than 2026-11-09 or earlier")
    [reply] = desk.say("last chemo more than 3 months ago")
    assert "→ 2026-08-23 or earlier (≥ 13 wk ago)." in reply.text
    assert items(reply)["inc-treatment-break"]["status"] == "met"
    assert "last chemotherapy: 2026-08-23 or earlier (≥ 13 wk ago)" in items(reply)["inc-treatment-break"]["detail"]


def test_staff_cues_refer_to_known_facts_and_leave_the_shared_vocabulary_alone(staff, vocabulary):
    assert set(STAFF_CUES) <= set(vocabulary)
    extended = staff.staff_vocabulary()
    key, cue = next((key, cue) for key, cues in STAFF_CUES.items() for cue in cues if cue not in vocabulary[key].cues)
    assert cue in extended[key].cues
    assert cue not in vocabulary[key].cues


OPEN_LINE = re.compile(r"^(?:❓ Patient|🩺 Clinician|🩺 Study team): (?P<labels>.*)\.$")


def open_facts(reply):
    """The open facts as the checklist lists them: what decides most, then by who answers them."""
    listed = []
    for line in reply.text.splitlines():
        match = OPEN_LINE.match(line) or re.match(r"^Decides most: (?P<labels>.*)\.$", line)
        if match:
            listed += match.group("labels").split("; ")
    return listed


@pytest.mark.parametrize("text", [EXAMPLE, "screen NCT05236582"])
def test_a_checklist_fits_a_phone_screen_and_lists_each_open_fact_once(staff, vocabulary, text):
    [reply] = Desk(staff).say(text)
    assert len(reply.text) < 1500, len(reply.text)  # was 4.7k: every criterion, and each unknown three times
    listed = open_facts(reply)
    assert len(listed) == len(set(listed))
    expected = [STAFF_LABELS.get(m["fact"], m["label"]) for m in reply.custom["missing"]]
    assert sorted(label.removesuffix(" (clinician)") for label in listed if "at screening" not in label) == sorted(expected)
    assert "E2, E15 at screening" in listed  # the study team's criteria, by number
    # no fact's label twice in the checklist (the notes say back what was read from the message)
    checklist = "\n".join(line for line in reply.text.splitlines() if line not in reply.custom["notes"])
    for key, definition in vocabulary.items():
        for label in {short_label(definition), STAFF_LABELS.get(key, "")} - {""}:
            assert len(re.findall(rf"(?<![\w/]){re.escape(label)}(?![\w/])", checklist)) <= 1, label


def test_when_nothing_rules_the_patient_out_the_facts_that_decide_most_come_first(staff):
    [reply] = Desk(staff).say("screen NCT05236582")
    lines = reply.text.splitlines()
    assert lines[0] == "❓ Can't tell yet: 18 criteria open for want of facts about the patient."
    assert lines[2] == "Decides most: plt; bleeding signs; CIT."
    assert lines[3] == "✅ 0 met · ❓ 18 unknown · 🩺 6 to confirm"
    assert [m["fact"] for m in reply.custom["missing"][:3]] == [
        "platelet_count", "bleeding_tendency", "chemo_induced_thrombocytopenia"]
    assert lines[4].startswith("❓ Patient: ") and "plt" not in lines[4].split("; ")  # said once, above
    assert len(reply.custom["checklist"]) == 24  # every criterion for the clients, all lines on `summary`


def test_a_date_too_wide_to_settle_is_listed_once_as_open(staff):
    [reply] = Desk(staff).say("62F NSCLC, last chemo in October, no radiotherapy")
    assert "last chemo (a closer date than October 2026)" in open_facts(reply)
    assert {"fact": "last_chemotherapy", "label": "last chemotherapy", "answered_by": "patient",
            "need": "a closer date than October 2026"} in reply.custom["missing"]


def test_criterion_numbers_are_shortened_in_runs_and_staff_labels_name_known_facts(vocabulary):
    assert compact_numbers(["I1", "I2", "I3", "I5", "E2", "E4", "E5", "E6", "E10", "E11"]) == "I1–I3, I5, E2, E4–E6, E10, E11"
    assert compact_numbers([]) == ""
    assert set(STAFF_LABELS) <= set(vocabulary)


@pytest.mark.parametrize("text, facts", [
    ("last cycle carbo/pem 6 wks ago", {"last_chemotherapy": "2026-10-12"}),
    ("rhTPO x2 no response", {"platelet_boosters_failed": True}),
    ("LMP 2 wks ago", {"childbearing_potential": True}),
    ("LMP 5 Nov", {"childbearing_potential": True}),
    ("not BF", {"breastfeeding": False}),
    ("no BF", {"breastfeeding": False}),
])
def test_staff_shorthand_for_treatment_timing_and_history_is_read_whole(staff, text, facts):
    desk = Desk(staff)
    [reply] = desk.say(f"34F NSCLC, {text}")
    assert desk.state.facts == {"age": 34, "sex": "female", "cancer_type": "solid_tumour", **facts}
    assert not [note for note in reply.custom["notes"] if note.startswith(("Not read", "Not recorded"))]


def test_staff_shorthand_that_does_not_say_enough_is_said_not_guessed(staff):
    desk = Desk(staff)
    [reply] = desk.say("34F NSCLC, last dose 2 mo ago, chemo 5/11")
    assert desk.state.facts == {"age": 34, "sex": "female", "cancer_type": "solid_tumour"}
    notes = reply.custom["notes"]
    assert "Not recorded: “dose 2 mo” does not say which treatment (last chemotherapy? last radiotherapy?)." in notes
    assert ("Not recorded: last chemotherapy: 2026-11-05 or 2026-05-11? Send the date with the month in words."
            in notes)
    [reply] = desk.say("LMP 2 yrs ago")  # perhaps the menopause: nothing is recorded, and it is said as not read
    assert "Not read: “LMP 2 yrs”." in reply.custom["notes"]
    assert "childbearing_potential" not in desk.state.facts


def test_a_whole_shorthand_message_reads_every_fact_beside_a_time(staff):
    """The time of a treatment takes only its own words: the platelet count before "d+21" is read too,
    not swallowed as part of when FOLFOX was given."""
    desk = Desk(staff)
    [reply] = desk.say("64M gastric ca, plt 18k d+21 post FOLFOX, rhTPO x2 no response")
    assert desk.state.facts == {"age": 64, "sex": "male", "cancer_type": "solid_tumour", "platelet_count": 18,
                                "platelet_boosters_failed": True}
    # d+21 counts from the cycle's day 1 (FOLFOX's 5-FU runs to day 3): the last dose is asked, not guessed
    assert [note for note in reply.custom["notes"] if note.startswith(("Not read", "Not recorded"))] == [
        "Not recorded: last chemotherapy: “d+21” counts from the cycle's first day; send the date of the last dose."]
    [reply] = Desk(staff).say("62F NSCLC, last chemo 6 wks ago XYZQ")
    assert "Not read: “XYZQ”." in reply.custom["notes"]  # the words after a time are still accounted for


@pytest.mark.parametrize("order, day", [("DMY", "2026-11-05"), ("MDY", "2026-05-11")])
def test_an_all_number_date_is_read_the_sites_way_once_its_date_order_is_configured(catalogue, order, day):
    staff = StaffScreening(Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY, date_order=order))
    desk = Desk(staff)
    [reply] = desk.say("34F NSCLC, chemo 5/11")
    assert desk.state.facts["last_chemotherapy"] == day
    assert not [note for note in reply.custom["notes"] if note.startswith(("Not read", "Not recorded"))]
