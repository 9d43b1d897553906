"""The trial store round trip and configuration overrides."""
from __future__ import annotations


import pytest

from bot.rules import RuleError
from bot.store import Catalogue, TrialStore
from bot.trials import Trial
from tests.conftest import PROJECT, SEED_TRIAL
from trialbot.config import load_settings


def test_a_trial_survives_the_database_round_trip(tmp_path, seed_trial, vocabulary):
    store = TrialStore(f"sqlite:///{tmp_path / 't.db'}")
    store.load_directory(PROJECT / "data")
    loaded = store.trials()[SEED_TRIAL]
    assert loaded.to_dict() == seed_trial.to_dict()
    assert store.vocabulary().keys() == vocabulary.keys()


def test_reloading_replaces_a_trial_in_place_and_the_catalogue_notices(tmp_path):
    store = TrialStore(f"sqlite:///{tmp_path / 't.db'}")
    store.load_directory(PROJECT / "data")
    catalogue = Catalogue(store).refresh()
    trial = catalogue.trials[SEED_TRIAL]
    shorter = Trial.from_dict({**trial.to_dict(), "criteria": [c.to_dict() for c in trial.criteria[:3]]},
                              catalogue.vocabulary)
    store.save_trial(shorter)
    assert len(store.trials()) == 1
    assert len(catalogue.refresh().trials[SEED_TRIAL].criteria) == 3


def test_a_rule_naming_an_unknown_fact_is_refused(vocabulary):
    bad = {"trial": {"id": "NCT1", "title": "t"},
           "criteria": [{"id": "c", "kind": "inclusion", "text": "t", "rule": {"fact": "shoe_size", "is": True},
                         "explain": {"met": "", "not_met": "", "unknown": ""}}]}
    with pytest.raises(RuleError, match="shoe_size"):
        Trial.from_dict(bad, vocabulary)


def test_environment_overrides_the_config_file(tmp_path):
    config = tmp_path / "trialbot.yml"
    config.write_text("database_url: sqlite:///var/a.db\ntracker_store_url: sqlite:///var/b.db\nrasa_port: 5005\n")
    settings = load_settings(config, environ={"TRIALBOT_DATABASE_URL": "postgresql://127.0.0.1/test",
                                              "TRIALBOT_RASA_PORT": "6006"})
    assert settings.database_url == "postgresql://127.0.0.1/test"
    assert settings.rasa_port == 6006
    assert settings.tracker_store_url == f"sqlite:///{tmp_path / 'var' / 'b.db'}"  # relative to the file
    assert settings.rasa_environment()["TRIALBOT_TRACKER_STORE_URL"] == settings.tracker_store_url
