"""Matching one person against several trials."""
from __future__ import annotations

import shutil

import pytest
import yaml

from bot.conversation import Screening, State, Turn
from bot.evaluation import Verdict, evaluate
from bot.matching import Matcher, rank, select_trials
from bot.store import Catalogue, TrialStore
from tests.conftest import PROJECT, SEED_TRIAL, TODAY
from tests.unit.test_conversation import talk

EXPLAIN = {"met": "ok", "not_met": "no", "unknown": "?"}


def synthetic_trial(trial_id, city, conditions, criteria):
    return {"trial": {"id": trial_id, "title": f"Trial {trial_id}", "brief_title": f"Study {trial_id}",
                      "conditions": conditions, "locations": [{"city": city, "country": "X"}],
                      "contact": "call", "url": "u"},
            "criteria": [{"id": f"c{i}", "kind": kind, "text": f"criterion {i}", "rule": rule, "explain": EXPLAIN,
                          "rule_out": 0.3} for i, (kind, rule) in enumerate(criteria)]}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    shutil.copy(PROJECT / "data" / "facts.yml", data / "facts.yml")
    (data / "trials").mkdir()
    shutil.copy(PROJECT / "data" / "trials" / f"{SEED_TRIAL}.yml", data / "trials")
    trials = [
        synthetic_trial("NCT00000001", "Boston", ["Breast cancer"], [
            ("inclusion", {"fact": "age", "op": ">=", "value": 50, "unit": "years"}),
            ("exclusion", {"fact": "diabetes", "is": True})]),
        synthetic_trial("NCT00000002", "Boston", ["Thrombocytopenia"], [
            ("inclusion", {"fact": "platelet_count", "op": "<", "value": 50, "unit": "10^9/L"}),
            ("exclusion", {"fact": "pregnant", "is": True})]),
        synthetic_trial("NCT00000003", "Paris", ["Diabetes"], [
            ("inclusion", {"fact": "diabetes", "is": True})]),
    ]
    for trial in trials:
        (data / "trials" / f"{trial['trial']['id']}.yml").write_text(yaml.safe_dump(trial))
    store = TrialStore(f"sqlite:///{data / 'trials.db'}")
    store.load_directory(data)
    return Catalogue(store).refresh()


def test_incremental_updates_agree_with_full_evaluation(catalogue):
    matcher = Matcher(catalogue.trials.values(), catalogue.vocabulary, TODAY)
    facts = {}
    for key, value in [("age", 62), ("sex", "male"), ("platelet_count", 22), ("diabetes", False),
                       ("platelet_count", 60), ("age", 45)]:
        facts[key] = value
        matcher.update(facts)
        for result in matcher.results():
            full = evaluate(result.trial, facts, catalogue.vocabulary, TODAY)
            assert result.status is full.status
            assert [r.status for r in result.criteria] == [r.status for r in full.criteria]


def test_ranking_puts_likely_first_then_uncertain_by_open_questions(catalogue):
    matcher = Matcher(catalogue.trials.values(), catalogue.vocabulary, TODAY)
    matcher.update({"age": 62, "diabetes": False, "sex": "male", "platelet_count": 22})
    ranked = [(r.trial.id, r.status) for r in rank(matcher.results())]
    assert ranked[0] == ("NCT00000001", Verdict.LIKELY_ELIGIBLE)
    assert ranked[1] == ("NCT00000002", Verdict.LIKELY_ELIGIBLE)  # a man is not pregnant
    assert ranked[-1] == ("NCT00000003", Verdict.NOT_ELIGIBLE)


def test_conditions_and_places_narrow_the_catalogue(catalogue):
    assert select_trials(catalogue.trials, "trials for breast cancer in Boston") == ["NCT00000001"]
    assert select_trials(catalogue.trials, "anything in Boston?") == ["NCT00000001", "NCT00000002"]
    assert select_trials(catalogue.trials, "which trials could I join?") is None


def test_a_matching_conversation_ranks_trials_and_explains_one_in_full(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, replies = talk(engine, "which trials could I join?", "/affirm")
    assert state.matching and state.pending
    assert any(b["payload"] == "/show_verdict" for b in replies[-1].buttons)
    state, replies = talk(engine, "I'm a 62 year old man, platelets 22k, no diabetes", state=state)
    outcome = engine.show_verdict(state)
    verdicts = outcome.replies[-1].custom["verdict"]
    assert isinstance(verdicts, list) and len(verdicts) == 4
    assert [v["status"] for v in verdicts][:2] == ["likely_eligible", "likely_eligible"]
    assert verdicts[-1]["trial_id"] == "NCT00000003" and verdicts[-1]["criteria"][0]["status"] == "not_met"
    assert "NCT00000001" in outcome.replies[-1].text
    state, replies = talk(engine, "tell me more about NCT05236582", state=outcome.state)
    assert replies[0].custom["verdict"]["trial_id"] == SEED_TRIAL
    assert len(replies[0].custom["verdict"]["criteria"]) == 24


def test_the_first_question_settles_the_most_trials(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, replies = talk(engine, "any trials in Boston?", "/affirm")
    assert state.candidates == ["NCT00000001", "NCT00000002"]
    # each of the four facts settles one criterion (rule_out 0.3): ties go to the trial named first
    assert replies[-1].custom["asks"] == ["age"]
