"""Matching one person against several trials."""
from __future__ import annotations

import shutil

import pytest
import yaml

from bot.conversation import Screening, Turn
from bot.evaluation import Verdict, evaluate
from bot.matching import Matcher, rank, select_trials
from bot.questions import candidate_facts, fresh_board, next_question
from bot.questions.analysis import Analysis
from bot.questions.answers import BOOLEAN_PRIOR, SCALE
from bot.store import Catalogue, TrialStore
from bot.trials import Trial
from tests.conftest import PROJECT, SEED_TRIAL, TODAY
from tests.unit.test_conversation import talk

EXPLAIN = {"met": "ok", "not_met": "no", "unknown": "?"}


COUNTRIES = {"Boston": "United States", "Paris": "France", "Lyon": "France", "Manchester": "United Kingdom"}


def synthetic_trial(trial_id, city, conditions, criteria, status=None):
    return {"trial": {"id": trial_id, "title": f"Trial {trial_id}", "brief_title": f"Study {trial_id}",
                      "conditions": conditions, "locations": [{"city": city, "country": COUNTRIES[city]}],
                      **({"status": status} if status else {}),
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
    assert state.matching and replies[-1].custom["asks"] == ["place"]  # Boston, Paris and Tianjin: where first
    state, replies = talk(engine, "anywhere", state=state)
    assert state.pending and state.place == "anywhere"
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
    # read by the model as "show me the results": still the named trial's full verdict
    named = engine.show_verdict(outcome.state, Turn("tell me more about NCT05236582", "show_verdict", 0.58))
    assert named.replies[0].custom["verdict"]["trial_id"] == SEED_TRIAL


def test_where_the_person_lives_comes_before_health_questions_and_narrows_the_trials(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, replies = talk(engine, "which trials could I join?", "/affirm")
    assert replies[-1].custom == {"asks": ["place"], "answer_type": "text", "unit": None}
    assert "where do you live" in replies[-1].text
    state, replies = talk(engine, "I live in Cambridge, Massachusetts", state=state)  # 5 km from Boston
    assert state.candidates == ["NCT00000001", "NCT00000002"] and state.place
    assert "2 trial(s) with a site in or near Cambridge" in replies[0].text
    assert replies[-1].custom["asks"] != ["place"]  # asked once


def test_a_place_with_no_trial_near_it_is_said_with_the_nearest_sites(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, _ = talk(engine, "which trials could I join?", "/affirm")
    state, replies = talk(engine, "near London", state=state)
    said = replies[0].text
    assert "no trial taking new patients with a site in or near London, United Kingdom" in said
    assert "Paris, France (344 km)" in said  # the nearest site first, with its distance
    assert state.candidates is None and state.place == "anywhere" and replies[-1].custom["asks"] != ["place"]


def test_a_place_named_with_the_request_is_not_asked_again(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, replies = talk(engine, "any trials near Paris?", "/affirm")
    assert state.candidates == ["NCT00000003"] and state.place == "Paris, France"
    assert "which of 1 trials with a site in or near Paris, France you" in replies[0].text
    assert replies[-1].custom["asks"] == ["diabetes"]


def test_an_answer_that_names_no_place_is_asked_once_more_then_left_open(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, _ = talk(engine, "which trials could I join?", "/affirm")
    state, replies = talk(engine, "I'm not sure", state=state)
    assert replies[0].custom == {"not_understood": True} and replies[-1].custom["asks"] == ["place"]
    state, replies = talk(engine, "hmm", state=state)
    assert "wherever they are" in replies[0].text and state.place == "anywhere"
    assert replies[-1].custom["asks"] != ["place"]


def test_facts_given_instead_of_a_place_are_kept_and_the_place_asked_again(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, _ = talk(engine, "which trials could I join?", "/affirm")
    state, replies = talk(engine, "I'm 62", state=state)
    assert state.facts["age"] == 62 and replies[-1].custom["asks"] == ["place"]


def test_trials_not_taking_patients_are_left_out_and_counted(tmp_path):
    shutil.copy(PROJECT / "data" / "facts.yml", tmp_path / "facts.yml")
    (tmp_path / "trials").mkdir()
    for trial in (synthetic_trial("NCT00000011", "Lyon", ["Anything"], [("inclusion", {"fact": "diabetes", "is": True})],
                                  status="recruiting"),
                  synthetic_trial("NCT00000012", "Lyon", ["Anything"], [("inclusion", {"fact": "diabetes", "is": True})],
                                  status="completed")):
        (tmp_path / "trials" / f"{trial['trial']['id']}.yml").write_text(yaml.safe_dump(trial))
    store = TrialStore(f"sqlite:///{tmp_path / 'trials.db'}")
    store.load_directory(tmp_path)
    engine = Screening(Catalogue(store).refresh(), today=lambda: TODAY)
    state, replies = talk(engine, "which trials could I join?", "/affirm", "yes I have diabetes")
    assert not any(r.custom and r.custom.get("asks") == ["place"] for r in replies)  # one city: not asked
    assert state.candidates == ["NCT00000011"]
    results = engine.show_verdict(state).replies[-1]
    assert [v["trial_id"] for v in results.custom["verdict"]] == ["NCT00000011"]
    assert "1 trial(s) of the catalogue are not taking new patients" in results.text


def test_the_first_question_settles_the_most_trials(catalogue):
    engine = Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)
    state, replies = talk(engine, "any trials in Boston?", "/affirm")
    assert state.candidates == ["NCT00000001", "NCT00000002"]
    # a platelet count below 50 (of a plausible 0-1500) rules out nearly everyone from NCT00000002;
    # age >= 50 (of 0-120) rules out 42% from NCT00000001, diabetes and pregnancy 30% (their rule_out)
    assert replies[-1].custom["asks"] == ["platelet_count"]
    state, replies = talk(engine, "22", state=state)
    # now pregnancy is all that NCT00000002 waits for: either answer settles it (out, or likely eligible)
    assert replies[-1].custom["asks"] == ["pregnant"]


# -- choosing the next question over hand-built trials ----------------------------------------
@pytest.fixture(scope="module")
def vocabulary(catalogue):
    return catalogue.vocabulary


def built(vocabulary, trial_id, *criteria):
    """A trial from (kind, rule, rule_out) triples."""
    data = synthetic_trial(trial_id, "Lyon", ["Anything"], [(kind, rule) for kind, rule, _ in criteria])
    for spec, (_, _, rule_out) in zip(data["criteria"], criteria):
        spec["rule_out"] = rule_out
    return Trial.from_dict(data, vocabulary)


def asks(trials, vocabulary, facts=None, expanded=()):
    """The next question over a matcher of these trials, and over plain evaluations (both must agree)."""
    facts = facts or {}
    matcher = Matcher(trials, vocabulary, TODAY)
    matcher.update(facts)
    still_open = [r for r in matcher.results() if r.status is not Verdict.NOT_ELIGIBLE]
    fast = next_question(still_open, facts, vocabulary, expanded, today=TODAY, tallies=matcher)
    plain = [evaluate(t, facts, vocabulary, TODAY) for t in trials]
    fresh = next_question([r for r in plain if r.status is not Verdict.NOT_ELIGIBLE], facts, vocabulary, expanded,
                          today=TODAY)
    assert (fast and fast.keys) == (fresh and fresh.keys)
    return fast.keys if fast else None


def test_a_fact_that_splits_many_open_trials_comes_before_one_that_settles_a_single_trial(vocabulary):
    many = [built(vocabulary, f"NCT1000000{i}", ("inclusion", {"fact": "bleeding_tendency", "is": True}, 0.3))
            for i in range(4)]
    # four criteria of one trial on the same fact: the old summed-rule_out choice asked this first
    # (weight 1.6 against 1.2), but its answer settles one trial at most
    one = built(vocabulary, "NCT20000000", *[("exclusion", {"fact": "antiplatelet_drugs", "is": True}, 0.4)] * 4)
    assert asks([one, *many], vocabulary) == ["bleeding_tendency"]  # 4 x 0.3 = 1.2 trials against 0.4


def test_what_the_person_can_answer_comes_first_unless_a_doctor_s_answer_settles_far_more(vocabulary):
    # (the person's trial waits for two answers, so that neither can rule it in alone)
    bleeding = ("exclusion", {"fact": "severe_bleeding", "is": True}, 0.1)
    patient = built(vocabulary, "NCT10000000", ("inclusion", {"fact": "willing_to_consent", "is": True}, 0.2), bleeding)
    doctor = built(vocabulary, "NCT20000000", ("inclusion", {"fact": "liver_kidney_ok", "is": True}, 0.5))
    assert asks([doctor, patient], vocabulary) == ["willing_to_consent"]  # 0.2 against 0.5 / 4
    doctors = [built(vocabulary, f"NCT2000000{i}", ("inclusion", {"fact": "liver_kidney_ok", "is": True}, 0.5))
               for i in range(4)]
    assert asks([*doctors, patient], vocabulary) == ["liver_kidney_ok"]  # 4 x 0.5 / 4 = 0.5 against 0.2
    # a tie goes to the person's question: 0.125 against 0.5 / 4
    doctor_tie = built(vocabulary, "NCT30000000", ("inclusion", {"fact": "liver_kidney_ok", "is": True}, 0.5))
    person_tie = built(vocabulary, "NCT40000000", ("inclusion", {"fact": "willing_to_consent", "is": True}, 0.125),
                       bleeding)
    assert asks([doctor_tie, person_tie], vocabulary) == ["willing_to_consent"]


def test_a_question_that_cannot_change_an_open_trial_is_never_asked(vocabulary):
    trials = [
        built(vocabulary, "NCT10000000",  # ruled out by the platelets: its transplant question is moot
              ("inclusion", {"fact": "platelet_count", "op": "<", "value": 30, "unit": "10^9/L"}, 0.5),
              ("exclusion", {"fact": "transplant", "is": True}, 0.5)),
        built(vocabulary, "NCT20000000",  # met by the antiplatelet drugs whatever the consent
              ("inclusion", {"any": [{"fact": "antiplatelet_drugs", "is": True},
                                     {"fact": "willing_to_consent", "is": True}]}, 0.5),
              ("exclusion", {"fact": "severe_bleeding", "is": True}, 0.1)),
        built(vocabulary, "NCT30000000", ("inclusion", {"fact": "bleeding_tendency", "is": True}, 0.3)),
    ]
    facts = {"platelet_count": 100, "antiplatelet_drugs": True}
    matcher = Matcher(trials, vocabulary, TODAY)
    asked = []
    while True:
        matcher.update(facts)
        still_open = [r for r in matcher.results() if r.status is not Verdict.NOT_ELIGIBLE]
        question = next_question(still_open, facts, vocabulary, today=TODAY)
        if question is None:
            break
        asked += question.keys
        facts.update({key: None for key in question.keys})  # "I don't know": never asked again
        assert len(asked) < 10
    assert asked == ["bleeding_tendency", "severe_bleeding"]
    assert next_question([], {}, vocabulary) is None


def test_yes_no_answers_follow_the_criteria_s_priors_and_numbers_their_plausible_range(vocabulary):
    trial = built(vocabulary, "NCT10000000",
                  ("exclusion", {"fact": "transplant", "is": True}, 0.2),
                  ("inclusion", {"fact": "willing_to_consent", "is": True}, 0.05),
                  ("inclusion", {"fact": "age", "op": ">=", "value": 18, "unit": "years"}, 0.02),
                  ("inclusion", {"fact": "age", "op": "<", "value": 60, "unit": "years"}, 0.02))
    analysis = Analysis(vocabulary, TODAY, [trial])
    shares = {key: {value: p / SCALE for value, p in analysis.answers(key)}
              for key in ("transplant", "willing_to_consent", "age", "diabetes")}
    assert shares["transplant"][True] == pytest.approx(0.2, abs=1e-5)
    assert shares["willing_to_consent"][True] == pytest.approx(0.95, abs=1e-5)
    assert shares["diabetes"][True] == pytest.approx(BOOLEAN_PRIOR, abs=1e-5)  # no criterion says
    assert list(shares["age"].values()) == pytest.approx([17 / 119, 42 / 119, 60 / 119], abs=1e-5)
    assert sum(p for _, p in analysis.answers("age")) == SCALE


def test_the_running_tallies_agree_with_counting_afresh(catalogue):
    vocabulary = catalogue.vocabulary
    trials = list(catalogue.trials.values())
    matcher = Matcher(trials, vocabulary, TODAY)
    facts = {}
    steps = [("age", 45), ("sex", "female"), ("diabetes", None), ("platelet_count", 22), ("bleeding_tendency", True),
             ("pregnant", False), ("sex", "male"), ("cancer_type", "solid_tumour"), ("platelet_count", 60),
             ("age", 62), ("last_chemotherapy", "2026-10-01"), ("diabetes", False)]
    for key, value in steps:
        facts[key] = value
        matcher.update(facts)
        everything = matcher.results()
        still_open = [r for r in everything if r.status is not Verdict.NOT_ELIGIBLE]
        for results in (still_open, everything):  # the running tallies, and a recount of some trials
            lent, _ = matcher.board_for(results, facts, vocabulary)
            counted, _ = fresh_board(results, facts, vocabulary, TODAY, matcher.analysis)  # criterion by criterion
            assert (lent.entries, lent.tiers) == (counted.entries, counted.tiers)
  # ruled-out trials too: tallied from the matcher's tables...
        fresh = [evaluate(t, facts, vocabulary, TODAY) for t in trials]  # ...and from scratch
        assert ([d.key for d in candidate_facts(everything, facts, vocabulary, TODAY)]
                == [d.key for d in candidate_facts(fresh, facts, vocabulary, TODAY)])


def test_a_copy_starts_from_the_nearest_recent_state_of_its_template(catalogue, monkeypatch):
    vocabulary = catalogue.vocabulary
    template = Matcher(catalogue.trials.values(), vocabulary, TODAY)
    first = template.copy()
    first.update({"age": 62, "platelet_count": 22})
    judged = []
    original = template.analysis.judge
    monkeypatch.setattr(template.analysis, "judge", lambda c, known: judged.append(c) or original(c, known))
    second = template.copy()  # as Screening._match does on the next turn
    facts = {"age": 62, "platelet_count": 22, "diabetes": False}
    second.update(facts)
    assert judged and all("diabetes" in c.rule.facts for c in judged)  # only what the new answer reads
    for result in second.results():
        full = evaluate(result.trial, facts, vocabulary, TODAY)
        assert [r.status for r in result.criteria] == [r.status for r in full.criteria]
    still_open = [r for r in second.results() if r.status is not Verdict.NOT_ELIGIBLE]
    assert second.board_for(still_open, facts, vocabulary)[0].entries == fresh_board(still_open, facts, vocabulary,
                                                                                     TODAY, second.analysis)[0].entries
    untouched = template.copy(remember=False)  # goes its own way: starts from the template's own state
    untouched.update({})
    assert untouched.verdicts() == Matcher(catalogue.trials.values(), vocabulary, TODAY).verdicts()


def test_a_catalogue_with_a_hundred_age_limits_is_matched_and_asks_the_age(vocabulary):
    # the answers of a fact are told apart by 64-bit masks: its thresholds are thinned to 60
    trials = [built(vocabulary, f"NCT3{age:07d}", ("inclusion", {"fact": "age", "op": ">=", "value": age,
                                                                 "unit": "years"}, 0.2))
              for age in range(1, 101)]
    assert len(Analysis(vocabulary, TODAY, trials).answers("age")) <= 62
    assert asks(trials, vocabulary) == ["age"]
    matcher = Matcher(trials, vocabulary, TODAY)
    matcher.update({"age": 42})
    verdicts = matcher.verdicts()
    assert [verdicts[f"NCT3{age:07d}"] for age in (1, 42, 43, 100)] == [
        Verdict.LIKELY_ELIGIBLE, Verdict.LIKELY_ELIGIBLE, Verdict.NOT_ELIGIBLE, Verdict.NOT_ELIGIBLE]
