"""The screening steps both modes share (bot/screening_core.py), each mode wording them its own way."""
from __future__ import annotations

from bot import screening_core
from bot.conversation import State, Turn
from bot.evaluation import Verdict
from bot.staff import StaffScreening
from tests.conftest import SEED_TRIAL


def test_a_contradiction_is_the_newer_fact_with_the_earlier_one_kept(vocabulary):
    assert screening_core.conflicts(vocabulary, {"sex": "male"}, {"pregnant": True}) == {"pregnant": ("sex", "male")}
    assert screening_core.conflicts(vocabulary, {"pregnant": True}, {"sex": "male"}) == {"sex": ("pregnant", True)}
    assert screening_core.conflicts(vocabulary, {"sex": "female"}, {"pregnant": True}) == {}


def test_storing_says_what_each_value_did_and_keeps_out_what_is_refused(vocabulary):
    facts = {"age": 62, "platelet_count": None}
    changes = screening_core.store(facts, {"age": 63, "platelet_count": 22, "sex": "male", "pregnant": True,
                                           "not_a_fact": 1}, vocabulary, refused={"pregnant"})
    assert [(c.key, c.updated) for c in changes] == [("age", True), ("platelet_count", False), ("sex", False)]
    assert facts == {"age": 63, "platelet_count": 22, "sex": "male"}


def test_both_modes_screen_the_same_trial_and_word_the_same_contradiction(engine):
    trials = engine.catalogue.trials
    assert screening_core.trial_screened(trials, "NCT00000000", SEED_TRIAL).id == SEED_TRIAL
    assert screening_core.trial_screened(trials, None, None).id == sorted(trials)[0]
    staff = StaffScreening(engine).handle(State(), Turn("70M CRC, pregnant"))
    patient = engine.respond(State(consent=True, facts={"sex": "male"}), Turn("I'm pregnant"))
    assert "which contradicts sex: male (kept)" in staff.replies[0].text
    assert any("sex: male" in r.text for r in patient.replies)
    assert "pregnant" not in staff.state.facts and "pregnant" not in patient.state.facts


def test_ruled_out_trials_are_grouped_by_reason_most_common_first(engine):
    results = [r for r in engine.match(State()) if r.status is Verdict.NOT_ELIGIBLE] or engine.match(State())
    groups = screening_core.ruled_out(results * 2 + results[:1], lambda r: r.trial.id)
    assert [len(ids) for _, ids in groups] == sorted((len(ids) for _, ids in groups), reverse=True)
