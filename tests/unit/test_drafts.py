"""Trial states and a coordinator's review (bot/importers/drafts.py): an imported trial is a draft
that patients and matching do not see until it is reviewed and published; the YAML it is written
as loads back to the same trial; staff may screen a draft, marked as one."""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import text

from bot.conversation import Screening, State, Turn
from bot.evaluation import Status, Verdict, evaluate
from bot.importers import drafts, import_path
from bot.importers.drafts import ReviewRefused
from bot.staff import StaffScreening
from bot.staff_texts import DRAFT_MARK
from bot.store import Catalogue, TrialStore
from bot.trials import CheckedBy, Confidence, Review, TrialState
from tests.conftest import PROJECT, SEED_TRIAL, TODAY
from tests.unit.test_importers import RECORD, RECORD_ID, fresh_store


@pytest.fixture
def store(tmp_path) -> TrialStore:
    store = fresh_store(tmp_path)
    import_path(RECORD, store)
    return store


def reviewed_all(store: TrialStore) -> None:
    for c in store.trial(RECORD_ID).criteria:
        drafts.approve(store, RECORD_ID, c.id)


def test_an_imported_trial_is_a_draft_that_patients_and_matching_do_not_see(store):
    assert store.states() == {SEED_TRIAL: TrialState.PUBLISHED, RECORD_ID: TrialState.DRAFT}
    catalogue = Catalogue(store).refresh()
    assert list(catalogue.ids()) == [SEED_TRIAL] and list(catalogue.drafts) == [RECORD_ID]
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    reply = engine.respond(State(), Turn(f"can I join {RECORD_ID}?")).replies[0].text
    assert f"I don't have information about {RECORD_ID}" in reply  # as if it did not exist
    matching = engine.respond(State(consent=True), Turn("which trials could I join?"))
    assert matching.state.candidates is None and list(engine.matcher(matching.state).results()) \
        and {r.trial.id for r in engine.matcher(matching.state).results()} == {SEED_TRIAL}


def test_every_imported_criterion_says_where_it_came_from_and_how_sure_the_importer_was(store):
    trial = store.trial(RECORD_ID)
    assert all(c.awaits_review for c in trial.criteria)
    assert {c.confidence for c in trial.criteria} == set(Confidence)
    assert trial.criterion("reg-age").source == {"registry": "minimum and maximum age"}
    assert [c.source["segment"] for c in trial.criteria if not c.id.startswith("reg-")] == list(range(33))
    unsure = [c for c in trial.criteria if c.confidence is Confidence.UNSURE]
    assert unsure and all(c.kind.value == "inclusion" and c.to_be_confirmed for c in unsure)
    seed = store.trial(SEED_TRIAL)
    assert not any(c.awaits_review or c.source or c.confidence for c in seed.criteria)  # curated: nothing to review


def test_a_patients_no_to_an_unsure_inclusion_question_leaves_the_trial_uncertain(store):
    vocabulary = store.vocabulary()
    trial = store.trial(RECORD_ID, vocabulary)
    unsure = next(c for c in trial.criteria if c.confidence is Confidence.UNSURE)
    asked = [key for key in unsure.rule.facts if vocabulary[key].askable]
    assert len(asked) == 1, unsure.rule_spec
    result = evaluate(trial, {asked[0]: False}, vocabulary, TODAY)
    outcome = next(r for r in result.criteria if r.criterion.id == unsure.id)
    assert outcome.status is Status.UNKNOWN and result.status is Verdict.UNCERTAIN  # not "not eligible"


def test_a_draft_is_published_only_once_every_criterion_is_reviewed(store):
    with pytest.raises(ReviewRefused, match="34 criteria still await review"):
        drafts.publish(store, RECORD_ID)
    reviewed_all(store)
    drafts.publish(store, RECORD_ID)
    catalogue = Catalogue(store).refresh()
    assert RECORD_ID in catalogue.trials and not catalogue.drafts
    drafts.withdraw(store, RECORD_ID)
    catalogue.refresh()
    assert RECORD_ID not in catalogue.trials and RECORD_ID not in catalogue.drafts  # nobody screens it
    assert store.state(RECORD_ID) is TrialState.WITHDRAWN


def test_a_coordinator_edits_a_rule_and_a_question_or_hands_a_criterion_to_the_study_team(store):
    trial = store.trial(RECORD_ID)
    question = next(c for c in trial.criteria if c.confidence is Confidence.QUESTION)
    [fact] = question.rule.facts
    edited = drafts.edit(store, RECORD_ID, question.id, f"{{fact: '{fact}', is: true}}",
                         {fact: ("Do you take any hormone therapy apart from your breast cancer treatment?",
                                 "clinician")}, confirmed_by_team=False)
    assert edited.review is Review.EDITED and edited.checked_by is CheckedBy.RULE
    vocabulary = store.vocabulary()
    assert vocabulary[fact].ask.startswith("Do you take any hormone therapy") \
        and vocabulary[fact].answered_by.value == "clinician" and vocabulary[fact].ask_other is None
    assert store.trial(RECORD_ID).criterion(question.id) == edited

    age = trial.criterion("reg-age")
    with pytest.raises(ReviewRefused, match="does not fit the vocabulary"):
        drafts.edit(store, RECORD_ID, age.id, "{fact: no_such_fact, is: true}", {}, confirmed_by_team=False)
    with pytest.raises(ReviewRefused, match="not readable YAML"):
        drafts.edit(store, RECORD_ID, age.id, "{fact: [", {}, confirmed_by_team=False)
    edited_age = drafts.edit(store, RECORD_ID, age.id, '{fact: age, op: ">=", value: 21, unit: years}', {},
                             confirmed_by_team=False)
    assert "at least 21 years" in edited_age.explain.not_met

    computable = next(c for c in trial.criteria if c.confidence is Confidence.COMPUTABLE and c.id != "reg-age")
    handed = drafts.hand_to_study_team(store, RECORD_ID, computable.id)
    assert handed.review is Review.STUDY_TEAM and handed.to_be_confirmed
    assert not any(store.vocabulary()[key].askable for key in handed.rule.facts)  # never asked
    assert handed.text == computable.text and handed.source == computable.source


def test_the_draft_yaml_loads_back_to_the_same_trial_and_an_edit_in_it_counts(store, tmp_path):
    drafts.approve(store, RECORD_ID, "reg-age")
    written = drafts.trial_yaml(store, RECORD_ID, "draft")
    document = yaml.safe_load(written)
    assert document["state"] == "draft" and document["trial"]["id"] == RECORD_ID
    assert all(c["confidence"] and c["source"] for c in document["criteria"])
    assert {"id": "reg-age", "review": "approved"}.items() <= document["criteria"][0].items()
    assert "age" not in document["facts"] and all(k in document["facts"] for c in document["criteria"]
                                                   for k in store.trial(RECORD_ID).criterion(c["id"]).rule.facts
                                                   if k not in yaml.safe_load((PROJECT / "data" / "facts.yml")
                                                                              .read_text())["facts"])
    path = tmp_path / f"{RECORD_ID}.yml"
    path.write_text(written, encoding="utf-8")

    elsewhere = fresh_store(tmp_path, "other.db")  # only the curated data: every imported fact comes from the file
    loaded = elsewhere.load_file(path)
    assert loaded.to_dict() == store.trial(RECORD_ID).to_dict()
    assert elsewhere.state(RECORD_ID) is TrialState.DRAFT
    assert {k: elsewhere.vocabulary()[k] for k in document["facts"]} == \
        {k: store.vocabulary()[k] for k in document["facts"]}
    assert drafts.trial_yaml(elsewhere, RECORD_ID, "draft") == written  # a fixed point

    key = next(iter(document["facts"]))
    document["facts"][key]["ask"] = "Edited by hand?"
    document["criteria"][1]["review"] = "approved"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    elsewhere.load_file(path)
    assert elsewhere.vocabulary()[key].ask == "Edited by hand?"
    assert elsewhere.trial(RECORD_ID).criteria[1].review is Review.APPROVED


def test_a_published_trial_exports_for_version_control_and_loads_as_published(store, tmp_path):
    written = drafts.trial_yaml(store, SEED_TRIAL)
    assert yaml.safe_load(written)["state"] == "published" and "facts" not in yaml.safe_load(written)
    path = tmp_path / "seed.yml"
    path.write_text(written, encoding="utf-8")
    elsewhere = fresh_store(tmp_path, "other.db")
    assert elsewhere.load_file(path).to_dict() == store.trial(SEED_TRIAL).to_dict()
    assert elsewhere.state(SEED_TRIAL) is TrialState.PUBLISHED


def test_the_command_line_writes_a_draft_and_loads_it_back(store, tmp_path, monkeypatch, capsys):
    from trialbot import cli

    monkeypatch.setenv("TRIALBOT_DATABASE_URL", str(store.engine.url))
    out = tmp_path / "draft.yml"
    assert cli.main(["trials", "draft", RECORD_ID, "--out", str(out)]) == 0
    assert cli.main(["trials", "draft", SEED_TRIAL]) == 1  # published: `trials export` writes it
    assert "not a draft" in capsys.readouterr().err
    assert cli.main(["trials", "export", SEED_TRIAL]) == 0
    assert capsys.readouterr().out.startswith(f"# {SEED_TRIAL}, written by `trialbot trials export` (published)")
    assert cli.main(["trials", "load", str(out)]) == 0
    assert f"Loaded {RECORD_ID} (draft)" in capsys.readouterr().out
    broken = tmp_path / "broken.yml"
    broken.write_text(out.read_text().replace("fact: age", "fact: no_such_fact", 1))
    assert cli.main(["trials", "load", str(broken)]) == 1
    assert "not loaded" in capsys.readouterr().err
    assert cli.main(["trials", "list"]) == 0
    assert "criteria  draft" in capsys.readouterr().out


def test_staff_may_screen_a_draft_by_name_and_see_it_marked(store):
    catalogue = Catalogue(store).refresh()
    staff = StaffScreening(Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY))
    [reply] = staff.handle(State(), Turn(f"{RECORD_ID} 58F"), "screen").replies
    assert reply.custom["draft"] is True and reply.custom["verdict"]["trial_id"] == RECORD_ID
    assert DRAFT_MARK in reply.text.splitlines()[1]  # beside the trial, under the headline
    [seed] = staff.handle(State(), Turn(f"{SEED_TRIAL} 58F"), "screen").replies
    assert "draft" not in seed.custom and DRAFT_MARK not in seed.text
    drafts.withdraw(store, RECORD_ID)
    catalogue.refresh()
    [gone] = staff.handle(State(), Turn(f"{RECORD_ID} 58F"), "screen").replies
    assert f"No trial {RECORD_ID} in the database" in gone.text


def test_trials_stored_before_states_get_one_from_where_they_came_from(store):
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE trials SET state = NULL"))
    reopened = TrialStore(str(store.engine.url))
    assert reopened.states() == {SEED_TRIAL: TrialState.PUBLISHED, RECORD_ID: TrialState.DRAFT}
