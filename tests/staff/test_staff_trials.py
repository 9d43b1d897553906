"""Staff mode's "trials" command: the catalogue ranked for the patient, in the staff's terms."""
from __future__ import annotations

import pytest

from bot.conversation import Screening
from bot.staff import StaffScreening
from tests.conftest import SEED_TRIAL, TODAY
from tests.staff.test_staff_engine import EXAMPLE, Desk
from tests.unit.test_matching import catalogue  # noqa: F401  (the seed trial and three synthetic ones)


@pytest.fixture
def desk(catalogue) -> Desk:  # noqa: F811
    return Desk(StaffScreening(Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)))


def test_the_catalogue_is_ranked_for_the_patient_with_what_each_trial_waits_for(desk):
    desk.say(EXAMPLE)
    [reply] = desk.say("ok, which trials?")
    lines = reply.text.splitlines()
    assert lines[0] == "Trials for the patient: 3 of 4 could fit (0 likely eligible, 3 can't tell yet)."
    assert lines[1:4] == ["1. ❓ NCT00000001 · Study NCT00000001 — open: diabetes",
                          "2. ❓ NCT00000002 · Study NCT00000002 — open: pregnant or possibly pregnant",
                          "3. ❓ NCT00000003 · Study NCT00000003 — open: diabetes"]
    # the seed trial is out on its platelet criterion, named by the trial's own text
    assert "❌ 1 ruled out, most often by: “Platelet counts <30 ×10^9/L, and bleeding tendency” (1)." in lines
    assert "Most decisive next, across the trials: diabetes; pregnant or possibly pregnant." in lines
    assert [t["trial_id"] for t in reply.custom["verdict"]] == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert reply.custom["ruled_out"] == 1 and reply.custom["missing"][0]["fact"] == "diabetes"
    assert desk.state.facts["platelet_count"] == 22  # nothing lost: the next message goes on from here

    [reply] = desk.say("no DM, not pregnant")
    [reply] = desk.say("trials")
    assert reply.text.splitlines()[:3] == [
        "Trials for the patient: 2 of 4 could fit (2 likely eligible, 0 can't tell yet).",
        "1. ✅ NCT00000001 · Study NCT00000001 — every criterion about the patient met",
        "2. ✅ NCT00000002 · Study NCT00000002 — every criterion about the patient met"]


def test_facts_can_come_with_the_command_and_the_trials_narrowed_by_condition_or_place(desk):
    [reply] = desk.say("trials: 58M, plt 40k, no bleeding hx")
    assert reply.text.splitlines()[:2] == ["Read: age: 58 y; sex: male; platelet count: 40 ×10⁹/L; "
                                           "signs of easy bleeding: no.",
                                           "Trials for the patient: 3 of 4 could fit (1 likely eligible, "
                                           "2 can't tell yet)."]
    [reply] = desk.say("trials: plt 45k, XYZQ")  # what is not read is said, as of any message with facts
    assert reply.text.splitlines()[:3] == ["Updated platelet count: 40 ×10⁹/L → 45 ×10⁹/L.", "Not read: “XYZQ”.",
                                           "Trials for the patient: 3 of 4 could fit (1 likely eligible, "
                                           "2 can't tell yet)."]
    [reply] = desk.say("trials for diabetes in Paris")
    lines = reply.text.splitlines()
    assert lines[0].startswith("Not recorded as facts:")  # naming a condition to narrow is not a diagnosis
    assert "diabetes" not in desk.state.facts
    assert lines[1] == "Trials for the patient: 1 of 1 could fit (0 likely eligible, 1 can't tell yet)."
    assert lines[2] == "1. ❓ NCT00000003 · Study NCT00000003 — open: diabetes"


def test_without_facts_every_trial_is_open_and_the_help_names_the_command(desk):
    [reply] = desk.say("match")
    assert reply.text.splitlines()[:2] == ["Trials for the patient: 4 of 4 could fit (0 likely eligible, "
                                           "4 can't tell yet).",
                                           "No facts recorded yet: every trial is open. Send what you know to "
                                           "narrow them."]
    [reply] = desk.say("help")
    assert "\"trials\" (every trial ranked for this patient" in reply.text
    assert desk.staff.holds_input("thanks - which trials?")
