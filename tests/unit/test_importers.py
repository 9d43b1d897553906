"""The trial importers: a real ClinicalTrials.gov record, the OMOP-coded COVID-19 corpus, and what
goes wrong (malformed records, re-imports, curated trials)."""
from __future__ import annotations

import copy
import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from trialbot import cli
from bot.evaluation import Status, Verdict, evaluate
from bot.importers import import_path
from bot.importers.concepts import plain_question
from bot.importers import cues
from bot.importers.criteria_text import clear_question, find_comparisons, find_window, split_criteria
from bot.store import Catalogue, TrialStore
from bot.trials import CheckedBy
from tests.conftest import PROJECT, SEED_TRIAL, TODAY

SHARED = Path(__file__).resolve().parents[3] / "shared"
RECORD = SHARED / "data" / "ctgov" / "NCT02513394.json"
CORPUS = SHARED / "data" / "covid19-structured-trials"
RECORD_ID = "NCT02513394"


def fresh_store(tmp_path: Path, name: str = "t.db") -> TrialStore:
    store = TrialStore(f"sqlite:///{tmp_path / name}")
    store.load_directory(PROJECT / "data")
    return store


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """One store with the seed trial, the real record and the whole corpus."""
    store = fresh_store(tmp_path_factory.mktemp("import"))
    record = import_path(RECORD, store)
    corpus = import_path(CORPUS, store)
    vocabulary = store.vocabulary()
    return store, vocabulary, record, corpus


@pytest.fixture(scope="module")
def record_trial(imported):
    store, vocabulary, _, _ = imported
    return store.trial(RECORD_ID, vocabulary)


@pytest.fixture(scope="module")
def study():
    return json.loads(RECORD.read_text(encoding="utf-8"))


def by_row(trial, row):
    """The criterion read from a corpus row."""
    found = [c for c in trial.criteria if row in (c.source or {}).get("rows", [])]
    assert len(found) == 1, (row, [c.text for c in found])
    return found[0]


def by_text(trial, start):
    found = [c for c in trial.criteria if c.text.startswith(start)]
    assert len(found) == 1, (start, [c.text for c in found])
    return found[0]


# -- the ClinicalTrials.gov record ---------------------------------------------------------------
def test_the_record_keeps_identification_status_conditions_and_interventions(record_trial, imported):
    report = imported[2]
    assert report.new == [RECORD_ID] and not report.problems
    t = record_trial
    assert t.brief_title == "PALbociclib CoLlaborative Adjuvant Study"
    assert t.title.startswith("PALbociclib CoLlaborative Adjuvant Study: A Randomized Phase III Trial")
    assert t.url == "https://clinicaltrials.gov/study/NCT02513394"
    assert t.info["status"] == "active_not_recruiting" and t.info["phase"] == "PHASE3"
    assert t.info["conditions"] == ["Breast Cancer"]
    assert t.info["interventions"] == ["Palbociclib", "Standard Adjuvant Endocrine Therapy"]
    assert t.info["sponsor"] == "Alliance Foundation Trials, LLC."
    assert t.info["healthy_volunteers"] is False and t.info["sex"] == "all" and t.info["minimum_age"] == "18 Years"


def test_the_record_keeps_every_location_and_the_study_contacts(record_trial, study):
    locations = study["protocolSection"]["contactsLocationsModule"]["locations"]
    assert len(record_trial.locations) == len(locations) == 437
    first = record_trial.locations[0]
    assert (first.facility, first.city, first.region, first.country, first.zip) == (
        "University of South Alabama Mitchell Cancer Institute", "Mobile", "Alabama", "United States", "36604")
    # no central contact in this record: the principal investigators are named
    officials = [p["name"] for p in record_trial.info["contacts"]]
    assert officials == ["Suzanne George, MD", "Erica Mayer, MD", "Angela DeMichele, MD", "Michael Gnant, MD"]
    assert "Suzanne George, MD (Alliance Foundation Trials, LLC.)" in record_trial.contact


def test_age_from_the_eligibility_module_is_computable(record_trial, imported):
    vocabulary = imported[1]
    age = record_trial.criterion("reg-age")
    assert age.rule_spec == {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"}
    assert record_trial.criterion("reg-sex") is None  # sex ALL: nobody is ruled out by sex
    result = evaluate(record_trial, {"age": 17}, vocabulary, TODAY)
    assert result.status is Verdict.NOT_ELIGIBLE
    assert {r.criterion.id for r in result.with_status(Status.NOT_MET)} == {"reg-age", "inc-02"}


def test_sex_and_maximum_age_are_computable(tmp_path, study):
    record = copy.deepcopy(study)
    eligibility = record["protocolSection"]["eligibilityModule"]
    eligibility.update(sex="FEMALE", maximumAge="65 Years")
    path = tmp_path / "female.json"
    path.write_text(json.dumps(record))
    store = fresh_store(tmp_path)
    import_path(path, store)
    trial = store.trial(RECORD_ID)
    assert trial.criterion("reg-sex").rule_spec == {"fact": "sex", "in": ["female"]}
    assert trial.criterion("reg-age").rule_spec == {"all": [
        {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"},
        {"fact": "age", "op": "<=", "value": 65.0, "unit": "years"}]}
    vocabulary = store.vocabulary()
    by_id = {r.criterion.id: r.status for r in evaluate(trial, {"sex": "male", "age": 70}, vocabulary, TODAY).criteria}
    assert by_id["reg-sex"] is Status.NOT_MET and by_id["reg-age"] is Status.NOT_MET


def test_the_criteria_text_is_split_into_its_bullets_and_nothing_is_dropped(record_trial, study):
    text = study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    bullets = [line for line in lines if line.startswith("* ")]
    paragraphs = [line for line in lines if not line.startswith("* ") and not line.endswith("Criteria:")]
    assert len(bullets) == 32 and len(paragraphs) == 2
    # one bullet is broken in two ("... potent inhibitors or inducers of" / "* CYP3A isoenzymes ..."): joined
    split = [c for c in record_trial.criteria if not c.id.startswith("reg-")]
    assert len(split) == len(bullets) + len(paragraphs) - 1 == 33
    assert sum(c.kind.value == "inclusion" for c in split) == 21
    assert sum(c.kind.value == "exclusion" for c in split) == 12
    joined = by_text(record_trial, "Patients receiving any medications or substances")
    assert joined.text.endswith("potent inhibitors or inducers of CYP3A isoenzymes within 7 days of randomization.")
    # every line of the source is in some criterion, in order
    texts = " ".join(c.text for c in split)
    for line in bullets + paragraphs:
        assert line.lstrip("*- ").rstrip(" -") in texts, line


def test_lab_values_become_number_rules_with_their_units(record_trial, imported):
    vocabulary = imported[1]
    platelets = by_text(record_trial, "Platelets ≥ 100,000/ mm3")
    assert platelets.rule_spec == {"fact": "platelet_count", "op": ">=", "value": 100.0, "unit": "10^9/L"}
    anc = by_text(record_trial, "Absolute neutrophil count ≥ 1,500/µL")
    assert anc.rule_spec == {"fact": "measurement:neutrophil_count", "op": ">=", "value": 1.5, "unit": "10^9/L"}
    assert vocabulary["measurement:neutrophil_count"].unit == "10^9/L"
    assert vocabulary["measurement:neutrophil_count"].answered_by.value == "clinician"
    hb = by_text(record_trial, "Hemoglobin ≥ 10g/dL")
    assert hb.rule_spec == {"fact": "measurement:hemoglobin", "op": ">=", "value": 10.0, "unit": "g/dL"}
    liver = by_text(record_trial, "Aspartate amino transferase (AST or SGOT) and alanine amino transferase")
    assert liver.rule_spec == {"all": [
        {"fact": "measurement:ast:xuln", "op": "<=", "value": 1.5, "unit": "xULN"},
        {"fact": "measurement:alt:xuln", "op": "<=", "value": 1.5, "unit": "xULN"}]}
    assert by_text(record_trial, "ECOG performance status 0-1").rule_spec == {
        "fact": "measurement:ecog", "op": "<=", "value": 1.0}
    # 100,000 per mm3 is 100 x10^9/L: a count of 99,000/uL fails, 100 x10^9/L passes
    assert evaluate(record_trial, {"platelet_count": 99}, vocabulary, TODAY).status is Verdict.NOT_ELIGIBLE
    passing = {r.criterion.id: r.status for r in evaluate(record_trial, {"platelet_count": 100}, vocabulary, TODAY).criteria}
    assert passing[platelets.id] is Status.MET


def test_age_pregnancy_and_named_conditions_and_drugs_are_computable(record_trial):
    assert by_text(record_trial, "Age ≥18 years").rule_spec == {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"}
    assert by_text(record_trial, "Pregnant women, or women of childbearing").rule_spec == {"fact": "pregnant", "is": True}
    assert by_text(record_trial, "Serum or urine pregnancy test must be negative").rule_spec == {
        "fact": "pregnant", "is": False}
    assert by_text(record_trial, "Signed informed consent").rule_spec == {"fact": "willing_to_consent", "is": True}
    assert by_text(record_trial, "Patients on antiretroviral therapy").rule_spec == {
        "fact": "drug:antiretroviral_therapy", "is": True}
    computable = [c.id for c in record_trial.criteria if c.checked_by is CheckedBy.RULE and not c.id.startswith("reg-")]
    assert len(computable) == 11


def left_to_the_study_team(criterion, vocabulary) -> bool:
    """Nothing is asked: the criterion waits for the study team whatever the person says."""
    return criterion.to_be_confirmed and all(not vocabulary[key].askable for key in criterion.rule.facts)


def test_qualified_criteria_are_left_to_the_study_team_not_read_without_their_qualifier(record_trial, imported):
    vocabulary = imported[1]
    # "clinically significant" was dropped: any chronic liver disease ever excluded
    liver = by_text(record_trial, "Patients with clinically significant history of any chronic liver")
    assert left_to_the_study_team(liver, vocabulary)
    assert "condition:chronic_liver_disease" not in liver.rule.facts
    for start in ("Patients receiving any medications or substances that are potent inhibitors",  # "potent"
                  "Uncontrolled intercurrent illness"):
        assert left_to_the_study_team(by_text(record_trial, start), vocabulary), start
    result = evaluate(record_trial, {}, vocabulary, TODAY)
    unknown = {r.criterion.id: r.settled_by for r in result.criteria if r.status is Status.UNKNOWN}
    assert unknown[liver.id].value == "study_team"


def test_conditional_criteria_never_rule_out_a_patient_who_answers_no(record_trial, imported):
    vocabulary = imported[1]
    conditional = [by_text(record_trial, start) for start in (
        "Patients with multicentric and/or multifocal and/or bilateral",  # "... are eligible if ..."
        "Patients who received neo/adjuvant therapy must be",
        "Patients who received breast/axilla/post-mastectomy chest wall radiotherapy must",
        "Patients who already received neo/adjuvant endocrine therapy are eligible as long as")]
    assert all(c.kind.value == "inclusion" and left_to_the_study_team(c, vocabulary) for c in conditional)
    # every candidate of a breast-cancer trial has had a malignancy; its own endocrine therapy is allowed
    for start in ("Patients with a history of any malignancy", "Patients receiving concurrent exogenous hormone"):
        assert left_to_the_study_team(by_text(record_trial, start), vocabulary), start
    # whatever a patient could answer, none of them rules anyone out
    facts = {key: False for c in record_trial.criteria for key in c.rule.facts if vocabulary[key].askable
             and vocabulary[key].type.value == "boolean"}
    statuses = {r.criterion.id: r.status for r in evaluate(record_trial, facts, vocabulary, TODAY).criteria}
    assert all(statuses[c.id] is not Status.NOT_MET for c in conditional)


def test_a_no_to_an_imported_inclusion_question_is_left_to_the_study_team(record_trial, imported):
    vocabulary = imported[1]
    hr = by_text(record_trial, "Patients must have histologically confirmed ER+ and/or PR+, HER2-")
    asked = [key for key in hr.rule.facts if vocabulary[key].askable]
    assert asked and vocabulary[asked[0]].ask == ("Do you have histologically confirmed ER+ and/or PR+, HER2-, "
                                                  "early invasive breast cancer?")
    position = [c.id for c in record_trial.criteria].index(hr.id)
    yes = evaluate(record_trial, {asked[0]: True}, vocabulary, TODAY).criteria[position]
    no = evaluate(record_trial, {asked[0]: False}, vocabulary, TODAY)
    assert yes.status is Status.MET
    assert no.criteria[position].status is Status.UNKNOWN and no.criteria[position].settled_by.value == "study_team"
    assert no.status is not Verdict.NOT_ELIGIBLE
    assert "ask the study team" in hr.explain.unknown


def test_the_other_criteria_become_plain_questions_confirmed_by_the_study_team(record_trial, imported):
    vocabulary = imported[1]
    questions = [c for c in record_trial.criteria if c.to_be_confirmed]
    assert len(questions) == 22
    assert sum(left_to_the_study_team(c, vocabulary) for c in questions) == 19
    cdk = by_text(record_trial, "Prior therapy with any CDK inhibitor")
    assert cdk.to_be_confirmed and cdk.kind.value == "exclusion"
    fact = vocabulary[cdk.rule.facts[0]]
    assert fact.ask == "Have you been treated with any CDK inhibitor before?"
    assert fact.question("your mother") == "Has your mother been treated with any CDK inhibitor before?"
    assert fact.answered_by.value == "patient" and fact.askable
    # not something a patient can answer: never asked as a garbled question
    assert left_to_the_study_team(by_text(record_trial, "FFPE tumor tissue block"), vocabulary)
    assert not any(vocabulary[key].askable and vocabulary[key].ask.startswith("Does this apply to you")
                   for c in questions for key in c.rule.facts)
    result = evaluate(record_trial, {cdk.rule.facts[0]: True}, vocabulary, TODAY)
    assert result.status is Verdict.NOT_ELIGIBLE and "study team" in cdk.explain.not_met


def test_show_lists_every_criterion_with_how_it_is_checked(imported, monkeypatch, capsys):
    store = imported[0]
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", str(store.engine.url))
    assert cli.main(["trials", "show", RECORD_ID]) == 0
    out = capsys.readouterr().out
    assert out.count("[inclusion] ") + out.count("[exclusion] ") == 34
    assert out.count("(question, to be confirmed by the study team)") == 22
    assert "checked: platelet_count >= 100 10^9/L" in out
    assert 'asked:   Have you been treated with any CDK inhibitor before?' in out


# -- the OMOP corpus -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_rows():
    with (CORPUS / "all_criteria_corpus.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_corpus_imports_every_screenable_trial(imported, corpus_rows):
    store, _, _, report = imported
    with (CORPUS / "all_trials_corpus.csv").open(encoding="utf-8") as f:
        registry = {row["nct_id"] for row in csv.DictReader(f)}
    coded = {row["nct_id"] for row in corpus_rows}
    cohorts = coded - registry  # e.g. NCT04340050_donor / _recipient: criteria coded per cohort
    parents = {c.split("_")[0] for c in cohorts}
    uncoded = registry - coded - parents
    assert (len(registry), len(cohorts), len(parents), len(uncoded)) == (700, 82, 38, 8)
    assert sorted(report.new) == sorted(coded) and len(report.new) == 736
    assert set(report.skipped) == parents | uncoded
    assert "imported as NCT04340050_donor, NCT04340050_recipient" in report.skipped["NCT04340050"]
    assert not report.problems


def test_the_corpus_criteria_are_counted_and_mostly_computable(imported, corpus_rows):
    report = imported[3]
    assert report.rows == len(corpus_rows) == 18179
    # rows are merged only with their alternatives ("A or B" in an inclusion) or an identical row (the
    # rows of one line left to the study team are one criterion); none is lost
    assert report.criteria == report.rows - report.alternatives - report.duplicates
    # (rows of one line handed to the study team become one criterion: more of them since the hand-offs)
    assert report.duplicates < 4500 and 1500 < report.alternatives < 2500
    assert report.computable + report.questions + report.study_team == report.criteria
    # what is qualified, conditional or unclear is left to the study team rather than read without it
    # (below 60% since rows whose line offers other ways in, a definition or a prognosis are the study
    # team's: sample 2028 of the criteria benchmark measures what that costs and saves)
    assert report.computable_share > 0.55 and report.study_team > report.questions
    assert report.registry_criteria > 650  # minimum/maximum age and sex of the registry data
    print(f"\ncorpus: {report.criteria} criteria, {report.computable} computable ({report.computable_share:.0%}), "
          f"{report.facts_added} facts, {report.seconds:.1f} s")


def test_include_1_means_inclusion_whatever_the_corpus_readme_says(imported):
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04438967", vocabulary)
    # CSV: include=1 "age / 18 years or older", include=0 "age / Below 18", include=1 "Access to an iPad ..."
    age_rules = {c.kind.value: c.rule_spec for c in trial.criteria if c.rule.facts == ("age",) and not c.id.startswith("reg")}
    assert age_rules["inclusion"] == {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"}
    # the corpus normalised "Below 18" to [18, 99999]; the text says below
    assert age_rules["exclusion"] == {"fact": "age", "op": "<", "value": 18.0, "unit": "years"}
    ipad = by_text(trial, "Access to an iPad bought in 2013 or later")
    assert ipad.kind.value == "inclusion" and ipad.to_be_confirmed
    # the text of a coded criterion is its line in the annotated source text
    assert by_text(trial, "Below age 18").kind.value == "exclusion"


def test_spot_checks_against_the_corpus(imported):
    store, vocabulary = imported[0], imported[1]
    anc = by_text(store.trial("NCT04363736", vocabulary), "Absolute neutrophil count (ANC)")
    # CSV: exclusion, Measurement, "< 1000/uL", concept 4148615 Neutrophil count
    assert anc.kind.value == "exclusion"
    assert anc.rule_spec == {"fact": "measurement:neutrophil_count", "op": "<", "value": 1.0, "unit": "10^9/L"}
    # CSV: exclusion, Drug anakinra (RxNorm 1114375), "within 8 weeks (or 5 half-lives, whichever is longer)",
    # 56 days: the half-lives would be lost in "less than 56 days ago", so the study team checks it; the
    # line's "azathioprine ... within 4 weeks" has its own time frame, which the washout is not
    therapies = [c for c in store.trial("NCT04463004", vocabulary).criteria
                 if c.text.startswith("Recent treatment with cell-depleting biological")]
    assert sum(left_to_the_study_team(c, vocabulary) for c in therapies) == 1
    assert not any("drug:1114375:last" in c.rule.facts for c in therapies)
    azathioprine = next(c for c in therapies if "drug:19014878:last" in c.rule.facts)
    assert azathioprine.rule_spec == {"fact": "drug:19014878:last", "op": "<", "value": 28, "unit": "days"}
    trial = store.trial("NCT04442191", vocabulary)
    # CSV: exclusion, Drug "pooled immunoglobulin" (an unsure match to immunoglobulin A), "in the past 30 days"
    pooled = by_text(trial, "Receipt of pooled immunoglobulin in the past 30 days")
    assert pooled.kind.value == "exclusion"
    assert vocabulary["drug:pooled_immunoglobulin:last"].ask == ('When did you last take pooled immunoglobulin? '
                                                                 'If you never have, just say "never".')
    today = date(2020, 9, 1)
    position = [c.id for c in trial.criteria].index(pooled.id)
    recent = evaluate(trial, {"drug:pooled_immunoglobulin:last": "2020-08-20"}, vocabulary, today)
    assert recent.status is Verdict.NOT_ELIGIBLE and recent.criteria[position].status is Status.NOT_MET
    never = evaluate(trial, {"drug:pooled_immunoglobulin:last": "never"}, vocabulary, today)
    assert never.criteria[position].status is Status.MET
    # CSV: NCT04338009 exclusion, Condition "pregnancy" -> the vocabulary's pregnant fact
    pregnancy = [c for c in store.trial("NCT04338009", vocabulary).criteria if c.rule.facts == ("pregnant",)]
    assert pregnancy and all(c.kind.value == "exclusion" and c.rule_spec == {"fact": "pregnant", "is": True}
                             for c in pregnancy)


def test_alternatives_of_an_inclusion_are_one_criterion(imported):
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04320615", vocabulary)
    # "SPO2 </=93% or PaO2/FiO2 <300 mmHg": two rows of the table, one OR relation in the annotations
    either = by_text(trial, "SPO2 </=93% or PaO2/FiO2 <300 mmHg")
    assert either.kind.value == "inclusion"
    # (the ratio's fact key depends on which unit the corpus gave it first: mmHg or none)
    ratio = either.rule_spec["any"][1]["fact"]
    assert ratio.startswith("measurement:4233883") and either.rule_spec == {"any": [
        {"fact": "measurement:oxygen_saturation", "op": "<=", "value": 93.0, "unit": "%"},
        {"fact": ratio, "op": "<", "value": 300.0, "unit": "mmHg"}]}
    facts = {"measurement:oxygen_saturation": 91, ratio: 350}
    assert evaluate(trial, facts, vocabulary, TODAY).criteria[[c.id for c in trial.criteria].index(either.id)].status \
        is Status.MET
    # "For moderate patients ... CRP > 2 x ULN" / "For severe patients, SpO2 </= 93% or ...": each bound
    # holds for some patients only, so the study team checks them (read alone, a moderate patient with
    # a low SpO2 would pass)
    moderate = by_text(store.trial("NCT04363736", vocabulary), "For moderate patients")
    assert moderate.kind.value == "inclusion" and left_to_the_study_team(moderate, vocabulary)


def rule_of(store, vocabulary, trial_id, start):
    return by_text(store.trial(trial_id, vocabulary), start).rule_spec


def test_no_fact_is_shared_through_the_corpus_placeholder_concept(imported):
    """The corpus codes 36 conditions, 11 scales and 2 devices as concept 9999: each gets its own fact."""
    store, vocabulary = imported[0], imported[1]
    assert not [key for key in vocabulary if re.search(r":9999(?::|$)", key)]
    allergy = [c.rule_spec for c in store.trial("NCT04331795_A", vocabulary).criteria
               if c.text.startswith("Known history of hypersensitivity to tocilizumab")]
    assert {"fact": "condition:hypersensitivity_to_tocilizumab", "is": True} in allergy
    assert not any("drug:" in str(rule) for rule in allergy)  # an allergy to a drug is not taking it
    # "Ordinal Scale for Clinical Improvement score of 3 or less": its own scale, at most 3
    assert rule_of(store, vocabulary, "NCT04312997", "Subjects should be Ordinal Scale for Clinical Improvement") == {
        "fact": "measurement:ordinal_scale_for_clinical_impr_5aa4df27", "op": "<=", "value": 3.0}


def test_a_row_is_read_from_its_own_words_not_from_a_concept_they_were_mapped_to(imported):
    store, vocabulary = imported[0], imported[1]
    # "adequate organ function" is coded as "Decreased lactation": it was checked as "breastfeeding is yes"
    organs = by_text(store.trial("NCT04370834", vocabulary), "Patients must have adequate organ function")
    assert "breastfeeding" not in organs.rule.facts and left_to_the_study_team(organs, vocabulary)
    # "... using the Cockcroft-Gault formula for participants 18 years of age and older": not an age limit
    renal = [c for c in store.trial("NCT04323761", vocabulary).criteria if c.text.startswith("Renal failure (eGRF")]
    assert renal and not any("age" in c.rule.facts for c in renal)
    # "Personal or Family History of Prolonged QT syndrome": a father's long QT is not asked as one's own
    family = [c for c in store.trial("NCT04308668", vocabulary).criteria if "Family History of Prolonged QT" in c.text]
    assert family and all(c.to_be_confirmed for c in family)


def test_conditions_get_their_time_sense_from_the_words_and_the_criterion_role(imported):
    store, vocabulary = imported[0], imported[1]
    # an inclusion's illness is the present one: a past infection does not pass
    assert rule_of(store, vocabulary, "NCT04391920", "Confirmed COVID-19") == {
        "fact": "condition:covid19:now", "is": True}
    assert vocabulary["condition:covid19:now"].ask == "Do you currently have COVID-19?"
    # "known" (ever) for a lasting disease; a symptom excluded bare is the present one (under "More than 10 days
    # of any of the following symptoms ...:", how long it lasted is the study team's)
    assert rule_of(store, vocabulary, "NCT04341727", "Known myasthenia gravis") == {"fact": "condition:76685", "is": True}
    diarrhoea = rule_of(store, vocabulary, "NCT04358068", "Diarrhea")["all"]
    assert diarrhoea[0] == {"fact": "condition:196523:now", "is": True} and diarrhoea[1]["fact"].startswith("team:")
    # the clause's own time frame, not one of the row's from another line ("in the past 30 days", not 1 day)
    assert rule_of(store, vocabulary, "NCT04442191", "Receipt of pooled immunoglobulin in the past 30 days") == {
        "fact": "drug:pooled_immunoglobulin:last", "op": "<", "value": 30, "unit": "days"}
    # "a symptom score greater than 0": strictly above 0 (the corpus stores it as a minimum of 0)
    score = [c.rule_spec for c in store.trial("NCT04313023", vocabulary).criteria
             if c.rule.facts == ("measurement:sars_cov_2_infection_symptom_score",)]
    assert score == [{"fact": "measurement:sars_cov_2_infection_symptom_score", "op": ">", "value": 0.0}]


def test_corpus_trials_keep_their_registry_data_and_cohorts(imported):
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04482699", vocabulary)
    assert trial.info["status"] == "not_yet_recruiting" and trial.info["phase"] == "Phase 1/Phase 2"
    assert trial.info["conditions"] == ["Severe COVID-19 Disease"]
    assert str(trial.locations[0]) == "Hackensack University Medical Center, Hackensack, New Jersey, United States"
    assert "jgough@rapatherapeutics.com" in trial.contact
    assert trial.criterion("reg-age").rule_spec == {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"}
    donor, recipient = store.trial("NCT04340050_donor"), store.trial("NCT04340050_recipient")
    assert donor.brief_title.endswith("(cohort: donor)") and recipient.brief_title.endswith("(cohort: recipient)")
    assert donor.url == recipient.url == "https://clinicaltrials.gov/study/NCT04340050"
    assert donor.info["registry_id"] == "NCT04340050" and donor.info["cohort"] == "donor"


def test_list_filters_by_condition_status_and_place(imported, monkeypatch, capsys):
    store = imported[0]
    everything = store.summaries()
    assert len(everything) == 738  # seed + record + corpus
    found = store.summaries(condition="covid", status="Recruiting", place="New York")
    assert found and all(t["details"]["status"] == "recruiting" for t in found)
    assert all(any(loc.get("city") == "New York" or loc.get("region") == "New York"
                   for loc in t["details"]["locations"]) for t in found)
    expected = [t["id"] for t in everything if t["details"].get("status") == "recruiting"
                and any("covid" in c.lower() for c in t["details"].get("conditions", []) + [t["title"]])
                and any("New York" in (loc.get("city"), loc.get("region")) for loc in t["details"].get("locations", []))]
    assert [t["id"] for t in found] == expected
    assert [t["id"] for t in store.summaries(condition="breast cancer", place="Vienna")] == [RECORD_ID]
    assert [t["id"] for t in store.summaries(condition="thrombocytopenia")] == [SEED_TRIAL]
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", str(store.engine.url))
    assert cli.main(["trials", "list", "--status", "active, not recruiting", "--place", "austria"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(RECORD_ID) and out.endswith("1 trial(s) found.\n")


def test_the_catalogue_notices_imported_facts(tmp_path):
    store = fresh_store(tmp_path)
    catalogue = Catalogue(store).refresh()
    assert "measurement:neutrophil_count" not in catalogue.vocabulary
    import_path(RECORD, store)
    catalogue.refresh()
    assert "measurement:neutrophil_count" in catalogue.vocabulary
    assert RECORD_ID in catalogue.drafts and RECORD_ID not in catalogue.trials  # a draft until published


# -- re-imports, curated trials, malformed records ----------------------------------------------
def test_reimporting_updates_in_place(tmp_path, study):
    store = fresh_store(tmp_path)
    first = import_path(RECORD, store)
    changed = copy.deepcopy(study)
    changed["protocolSection"]["identificationModule"]["briefTitle"] = "PALLAS, renamed"
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    path = tmp_path / "again.json"
    path.write_text(json.dumps(changed))
    again = import_path(path, store)
    assert first.new == [RECORD_ID] and again.updated == [RECORD_ID] and not again.new
    assert again.facts_added == 0
    assert sorted(store.sources()) == sorted([SEED_TRIAL, RECORD_ID])
    trial = store.trial(RECORD_ID)
    assert trial.brief_title == "PALLAS, renamed" and trial.info["status"] == "completed"
    assert len(trial.criteria) == 34 and len({c.id for c in trial.criteria}) == 34


def test_a_curated_trial_is_kept(tmp_path, study):
    store = fresh_store(tmp_path)
    curated = store.trial(SEED_TRIAL).to_dict()
    record = copy.deepcopy(study)
    record["protocolSection"]["identificationModule"]["nctId"] = SEED_TRIAL
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"studies": [record, study]}))
    report = import_path(path, store)
    assert report.kept == [SEED_TRIAL] and report.new == [RECORD_ID]
    assert store.trial(SEED_TRIAL).to_dict() == curated
    assert f"curated, kept: {SEED_TRIAL}" in report.summary()


def test_malformed_records_are_reported_with_file_and_field_and_the_rest_goes_on(tmp_path, study):
    records = tmp_path / "records"
    records.mkdir()
    (records / "broken.json").write_text('{"protocolSection": {')
    no_id = copy.deepcopy(study)
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    (records / "no_id.json").write_text(json.dumps(no_id))
    bad_age = copy.deepcopy(study)
    bad_age["protocolSection"]["eligibilityModule"]["minimumAge"] = "eighteen"
    bad_sex = copy.deepcopy(study)
    bad_sex["protocolSection"]["eligibilityModule"]["sex"] = "ANY"
    good = copy.deepcopy(study)
    good["protocolSection"]["identificationModule"]["nctId"] = "NCT00000001"
    (records / "page.json").write_text(json.dumps({"studies": [bad_age, good, bad_sex]}))
    (records / "good.json").write_text(json.dumps(study))
    store = fresh_store(tmp_path)
    report = import_path(records, store)
    assert sorted(report.new) == ["NCT00000001", RECORD_ID]
    problems = {(Path(p.file).name, p.field) for p in report.problems}
    assert problems == {
        ("broken.json", "(document)"),
        ("no_id.json", "protocolSection.identificationModule.nctId"),
        ("page.json", "studies[0].protocolSection.eligibilityModule.minimumAge"),
        ("page.json", "studies[2].protocolSection.eligibilityModule.sex"),
    }
    assert "page.json: studies[0].protocolSection.eligibilityModule.minimumAge: not an age: 'eighteen'" in report.summary()


def test_malformed_corpus_rows_are_reported_and_the_rest_goes_on(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    columns = ["nct_id", "include", "domain", "start_index", "negation", "temporal_source_text",
               "entity_source_text", "numeric_source_text", "concept_id", "concept_name", "vocabulary_usagi",
               "match_score", "before_days", "numeric_att_min", "numeric_att_max"]
    rows = [
        ["NCT09999999", "1", "Person", "0", "0", "", "age", "18 years or older", "", "", "", "", "0", "18", "99999"],
        ["NCT09999999", "x", "Condition", "10", "0", "", "asthma", "", "317009", "Asthma", "SNOMED", "1", "0", "", ""],
        ["NCT09999999", "0", "Condition", "20", "0", "", "asthma", "", "317009", "Asthma", "SNOMED", "1", "0", "", ""],
        ["NCT09999999", "0", "Measurement", "30", "0", "", "platelets", "< 50,000/mm3", "", "", "", "", "zero", "", ""],
        ["not-an-id", "0", "Condition", "40", "0", "", "asthma", "", "", "", "", "", "0", "", ""],
    ]
    with (corpus / "all_criteria_corpus.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)
    store = fresh_store(tmp_path)
    report = import_path(corpus, store)
    assert report.new == ["NCT09999999"]
    assert {(Path(p.file).name, p.field) for p in report.problems} == {
        ("all_criteria_corpus.csv", "include (line 3)"),
        ("all_criteria_corpus.csv", "before_days (line 5)"),
        ("all_criteria_corpus.csv", "nct_id (line 6)"),
    }
    trial = store.trial("NCT09999999")
    assert [(c.kind.value, c.rule_spec) for c in trial.criteria] == [
        ("inclusion", {"fact": "age", "op": ">=", "value": 18.0, "unit": "years"}),
        ("exclusion", {"fact": "condition:asthma", "is": True}),
    ]
    (corpus / "all_criteria_corpus.csv").write_text("nct_id,domain\nNCT09999999,Condition\n")
    report = import_path(corpus, store)
    assert [(p.field, p.message) for p in report.problems] == [
        ("entity_source_text, include", "missing column(s); file skipped")]


# -- splitting and recognisers on their own -----------------------------------------------------
def test_split_handles_numbered_nested_and_plain_lists():
    text = """Key Inclusion Criteria:
1. Adults aged 18 to 75 years
2. Adequate organ function, defined as:
   a. Platelets >= 75 x 10^9/L
   b. Creatinine clearance >= 30 mL/min
Willing to comply with
study visits

EXCLUSION CRITERIA
- Known HIV infection
- Pregnant or breastfeeding
"""
    segments = [(s.kind, s.text) for s in split_criteria(text)]
    assert segments == [
        ("inclusion", "Adults aged 18 to 75 years"),
        ("inclusion", "Adequate organ function, defined as: Platelets >= 75 x 10^9/L"),
        ("inclusion", "Adequate organ function, defined as: Creatinine clearance >= 30 mL/min"),
        ("inclusion", "Willing to comply with study visits"),
        ("exclusion", "Known HIV infection"),
        ("exclusion", "Pregnant or breastfeeding"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("Platelets ≥ 100,000/ mm3", [(">=", 100000.0, "/uL")]),
    ("18 years of age or older", [(">=", 18.0, "years")]),
    ("between 18 and 65 years", [(">=", 18.0, "years"), ("<=", 65.0, "years")]),
    ("AST ≤ 2.5 × ULN", [("<=", 2.5, "xULN")]),
    ("bilirubin below the upper limit of normal", [("<", 1.0, "xULN")]),
    ("eGFR < 30 mL/min/1.73 m2", [("<", 30.0, "mL/min/1.73m2")]),
    ("QTcF >450 msec", [(">", 450.0, "ms")]),
    ("SpO2 <= 94% on room air", [("<=", 94.0, "%")]),
    ("SpO2 less than (<) 94 percent in room air", [("<", 94.0, "%")]),
    ("Total bilirubin >2 ULN", [(">", 2.0, "xULN")]),
    ("bilirubin 5 times greater than upper normal limit", [(">", 5.0, "xULN")]),
    ("Ordinal Scale score of 3 or less", [("<=", 3.0, None)]),
])
def test_comparisons_read_operator_number_and_unit(text, expected):
    assert [(c.op, c.value, c.unit) for c in find_comparisons(text)] == expected


def test_time_windows():
    assert (find_window("chemotherapy within 4 weeks prior to enrolment").op,
            find_window("chemotherapy within 4 weeks prior to enrolment").amount) == ("<", 4)
    assert find_window("in the past 30 days").unit == "days"
    assert find_window("at least 5 days before leukapheresis").op == ">="
    assert find_window("for 12 weeks") is None
    assert (find_window("drug use within the past year").amount, find_window("within the past year").unit) == (1, "years")
    # "greater than 24 hours prior": a time since, not a window
    assert find_window("greater than 24 hours prior to the first dose").op == ">"


def concept_in(line: str, concept: str, kind: str = "exclusion"):
    start = line.index(concept)
    return cues.hand_off(line, start, start + len(concept), kind)


def test_qualifiers_conditions_and_exceptions_hand_a_criterion_to_the_study_team():
    assert concept_in("Known myasthenia gravis", "myasthenia gravis") is None
    for line, concept in [("Clinically significant myocardial ischemia", "myocardial ischemia"),
                          ("Active and untreated hepatitis B or C", "hepatitis B"),
                          ("Use of steroids (except dexamethasone)", "steroids"),
                          ("Illness severe enough to require hospitalization", "Illness"),
                          ("Child Pugh C cirrhosis", "cirrhosis"),
                          ("Significant ECG abnormalities, including atrial fibrillation, 2nd degree AV block",
                           "2nd degree AV block"),
                          ("Known chronic kidney disease, stage 4 or 5", "chronic kidney disease"),
                          ("Strong CYP3A4 inhibitors", "CYP3A4 inhibitors"),
                          ("Bleeding, in the judgment of the investigator", "Bleeding"),
                          ("Immunosuppressants within 30 days or five half-lives, whichever is longer",
                           "Immunosuppressants")]:
        assert concept_in(line, concept), line
    # the definition in brackets is the criterion: its items stand alone
    assert concept_in("Severe hepatic impairment (bilirubin > 2 mg/dL, signs of jaundice)", "jaundice") is None
    # an inclusion read without any qualifier of its clause would let people in
    assert concept_in("Locally advanced or metastatic solid tumor", "solid tumor", "inclusion")


def test_the_time_sense_of_a_concept():
    assert cues.time_sense("inclusion", "Confirmed ", "COVID-19") == cues.NOW
    assert cues.time_sense("inclusion", "History of ", "COVID-19") == cues.EVER
    assert cues.time_sense("exclusion", "Known ", "myasthenia gravis") == cues.EVER
    assert cues.time_sense("exclusion", "", "Diarrhea") == cues.NOW  # a symptom excluded bare: now
    assert cues.time_sense("exclusion", "", "Psoriasis") == cues.EVER
    assert cues.time_sense("exclusion", "Active ", "alcohol abuse") == cues.NOW
    assert cues.time_sense("exclusion", "", "Intubation", procedure=True) == cues.NOW


def test_an_exclusion_of_the_trial_s_own_condition_is_recognised():
    assert cues.own_condition("Patients with a history of any malignancy", ["Breast Cancer"])
    assert not cues.own_condition("Patients with Stage I or IV breast cancer", ["Breast Cancer"])
    assert not cues.own_condition("History of any malignancy", ["COVID-19"])
    assert cues.own_treatment("concurrent exogenous hormone therapy", ["Standard Adjuvant Endocrine Therapy"])


def test_only_clear_questions_are_asked():
    assert clear_question("History of seizures")
    assert clear_question("Prisoner or ward of the state", quoted=True)
    for text in ("management of (48 hours prior to enrollment)", "Confirmed by laboratory testing",
                 "Should be hospitalized and exhibit at least one of the following predictors of mortality",
                 "Known drug allergy to any of the investigational medications",
                 "Patients who received neo/adjuvant therapy must be after last dose of chemotherapy"):
        assert not clear_question(text, quoted=True), text


def test_questions_are_rephrased_only_when_safe():
    assert plain_question("History of seizures") == ("Have you ever had seizures?", "Has {subject} ever had seizures?")
    assert plain_question("Patients must be able to swallow tablets")[0] == "Are you able and willing to swallow tablets?"
    assert plain_question("Patients without a caregiver") is None
    assert plain_question("Uncontrolled intercurrent illness") is None


def test_imported_rules_stay_small(imported):
    """Evaluation-friendly: imported criteria read one fact, or a few in a flat all/any (a second fact is most
    often the study team's word on what the first cannot hold: a qualifier, a plan, a partner joined by "and")."""
    store, vocabulary = imported[0], imported[1]
    sizes = [len(c.rule.facts) for t in store.trials(vocabulary).values() if t.id != SEED_TRIAL for c in t.criteria]
    assert sum(s == 1 for s in sizes) / len(sizes) > 0.80 and sum(s <= 3 for s in sizes) / len(sizes) > 0.95
    print(f"\nfacts per imported criterion: max {max(sizes)}, mean {sum(sizes) / len(sizes):.2f}")
    assert all(re.fullmatch(r"[a-z_]+(?::[\w.\-]+)*", key) for key in vocabulary), "fact keys are key-safe"


def test_what_narrows_or_moves_a_concept_hands_it_to_the_study_team():
    """Real criteria of the corpus whose concept alone says less than the line (sample 901 of the
    criteria, read while the importer was changed; not a benchmark sample)."""
    for line, concept, kind in [
            # a cohort's own criterion
            ("Aim 1.1 and 2.1 (ACEI/ARB vs. non-ACEI/ARB comparison): diagnosed with a compelling indication for "
             "ACEI/ARB at any point prior to the index date (i.e., diabetes, stroke)", "stroke", "exclusion"),
            # a definition after the concept
            ("Heart: Pre-existing congestive heart failure defined as an ejection fraction <20% as documented in the "
             "medical record", "congestive heart failure", "exclusion"),
            # what is done for the illness, not the illness
            ("History of or current hospitalization for COVID-19.", "COVID-19", "exclusion"),
            # a prognosis, a risk, several findings counted together
            ("Underlying malignancy or other condition with estimated life expectancy of less than one month",
             "malignancy", "exclusion"),
            ("High risk of requiring mechanical ventilation as defined by at least two of the following:",
             "mechanical ventilation", "inclusion"),
            # a latent illness, and only those not treated
            ("Subjects with latent TB and who are not receiving treatment.", "TB", "exclusion"),
            # an inclusion's examples are not each required
            ("Received standard age-appropriate care for SCD, including penicillin prophylaxis, pneumococcal "
             "immunization, and parental education.", "penicillin prophylaxis", "inclusion")]:
        assert concept_in(line, concept, kind), line
    # "any of the following" lists alternatives, which the annotations join into one criterion
    assert concept_in("Mild COVID-19 defined as any of the following: fever, malaise, cough, headache", "cough",
                      "inclusion") is None
    assert cues.modifier_of(" plasma treatment")  # "Have a history of convalescent COVID-19 plasma treatment"
    assert not cues.modifier_of(" infection")


def test_an_inclusion_with_another_way_in_is_not_read_as_one_of_them():
    line = "Positive SARS-CoV-2 test in the outpatient setting (Aim 1) or hospitalized for COVID-19 (Aim 2)"
    assert cues.other_ways_in(line, 9, 25)
    # another bound, or how the concept is confirmed, is not another way in
    assert not cues.other_ways_in("Hemoglobin of 9.0 gm/dl or higher", 0, 10)
    line = ("Laboratory-confirmed SARS-CoV-2 infection as determined by polymerase chain reaction (PCR) or other "
            "commercial or public health assay")
    start = line.index("SARS-CoV-2 infection")
    assert not cues.other_ways_in(line, start, start + 20)


def test_received_treatments_are_ever_not_now():
    assert cues.time_sense("inclusion", "Received standard care, ", "penicillin prophylaxis", procedure=True) == \
        cues.EVER
    assert cues.time_sense("exclusion", "Receiving ", "dialysis", procedure=True) == cues.NOW
    assert cues.time_sense("exclusion", "Evidence of ", "Hepatitis B") == cues.NOW


def test_corpus_rows_that_offer_other_ways_in_or_leave_out_a_bound_go_to_the_study_team(imported):
    store, vocabulary = imported[0], imported[1]
    # an inclusion: "Positive SARS-CoV-2 test ... (Aim 1) or hospitalized for COVID-19 (Aim 2)": a
    # hospitalized patient without a test of their own was turned away
    aims = by_text(store.trial("NCT04467931_hospitalized", vocabulary), "Positive SARS-CoV-2 test in the outpatient")
    assert left_to_the_study_team(aims, vocabulary)
    # "PaO2/FiO2 >100, but <200 mm Hg": the upper bound was dropped, so every healthy person was excluded
    ards = [c for c in store.trial("NCT04324021", vocabulary).criteria if "measurement:4233883" in c.rule.facts]
    assert not ards
    # "history of convalescent COVID-19 plasma treatment" was read as "ever had COVID-19"
    plasma = [c for c in store.trial("NCT04427501_other", vocabulary).criteria
              if c.text.startswith("Have a history of convalescent COVID-19 plasma")]
    assert plasma and not any(f.startswith("condition:covid19") for c in plasma for f in c.rule.facts)


def test_matches_and_scales_the_importer_cannot_trust_are_not_shared_or_computed():
    # a concept matched on some words only is no one's concept: "renal replacement therapy" was coded
    # as "gene replacement therapy"; synonyms the coders chose share no word and are kept
    assert cues.partial_match("renal replacement therapy", "Gene replacement therapy")
    assert not cues.partial_match("hepatitis", "Inflammatory disease of liver")
    assert not cues.partial_match("liver cirrhosis", "Cirrhosis of liver")
    # "allergy or intolerance to another JAK inhibitor" coded as an allergy to enzyme inhibitors
    assert not cues.covered_by("allergy to another JAK inhibitor", "Allergy to enzyme inhibitor", {"allergy", "to"})


def test_time_words_of_procedures_and_past_events():
    assert cues.time_sense("exclusion", "", "Chronic hemodialysis", procedure=True) == cues.NOW
    assert cues.time_sense("exclusion", "Chronic renal failure being treated by ", "renal replacement therapy",
                           procedure=True) == cues.NOW
    assert cues.time_sense("exclusion", "Have experienced a ", "thromboembolic event") == cues.EVER
    assert cues.time_sense("exclusion", "Positive for HIV, ", "HBV") == cues.NOW
    # how long or how often a drug was taken is not whether it was
    assert cues.unreadable("Chronic administration (defined as more than 14 continuous days) of immunosuppressant")
    assert cues.unreadable("History of long-term use of immunosuppressive agents")


def test_corpus_rows_whose_reading_would_lose_a_scale_an_alternative_or_a_time_go_to_the_study_team(imported):
    store, vocabulary = imported[0], imported[1]

    def read(trial_id, start):
        found = [c for c in store.trial(trial_id, vocabulary).criteria if c.text.startswith(start)]
        assert found, start
        return found

    # "hemoglobin < 9 mg/dL" (meant g/dL) was a rule of below 0.009 g/dL: no one is excluded
    assert all(left_to_the_study_team(c, vocabulary) for c in read("NCT04497389", "Patients with a hemoglobin <9"))
    # "resection of the stomach or small bowel" was coded as small bowel resection only
    bowel = read("NCT04382586_1", "Malabsorption syndrome")
    assert not any("procedure:37586170" in c.rule.facts for c in bowel)
    # "seated systolic blood pressure >180 mmHg, or diastolic blood pressure >110mmHg": both bounds were
    # put on the systolic pressure
    pressure = read("NCT04324021", "Uncontrolled hypertension (seated systolic")
    assert not any(c.rule_spec.get("all") for c in pressure)
    # "Concurrent malignancy requiring chemotherapy" was "any chemotherapy in the last 100 years"
    chemo = read("NCT04452565", "Concurrent malignancy requiring chemotherapy")
    assert not any("last_chemotherapy" in c.rule.facts for c in chemo)
    # "Pregnant women admitted to obstetric units (... High Risk Pregnancy ...)" is not every pregnant woman
    pregnant = read("NCT04398264", "Pregnant women admitted to obstetric units")
    assert all(left_to_the_study_team(c, vocabulary) for c in pregnant)


def test_examples_durations_needs_and_narrowing_words_hand_off():
    for line, concept, kind in [
            # a concept inside brackets of an inclusion is one example of its head
            ("Symptoms consistent with COVID-19 infection (fever, acute onset cough, shortness of breath) at time of "
             "screening.", "fever", "inclusion"),
            # "with FiO2 50%" narrows the oxygen an inclusion asks for
            ("Respiratory failure requiring invasive mechanical ventilation or supplementary oxygen with FiO2 50%",
             "supplementary oxygen", "inclusion"),
            # how long a treatment lasted
            ("Deep venous thrombosis treated for less than 2 days", "Deep venous thrombosis", "exclusion"),
            # a need is not a treatment had
            ("Immediate need for intubation (PaO2/FiO2< 50mmHg or SpO2/FiO2 <90)", "intubation", "exclusion"),
            # "disease(s) requiring systemic immune-modulating drugs"
            ("History of current systemic autoimmune or autoinflammatory disease(s) requiring systemic "
             "immune-modulating drugs", "autoinflammatory disease", "exclusion"),
            # a sub-study's own limit
            ("A QT interval corrected for heart rate using the Frederica formula > 500 msec (Sub-study 2)",
             "QT interval", "exclusion")]:
        assert concept_in(line, concept, kind), line
    # "within the past 24 hours" is a time frame, not "ever"
    assert not cues.said_before("Treatment within the past 24 hours with ")
    assert cues.said_before("Past history of ")


def test_another_way_in_before_the_concept_counts_but_a_choice_of_sex_does_not():
    line = "PaO2/FiO2 is less than 200mmHg or FIO2 0.4 is required to maintain SpO2 at 88-93% on HFNC treatment"
    start = line.index("HFNC")
    assert cues.other_ways_in(line, start, start + 4)
    line = "Male or female, aged >18, with confirmed COVID-19"
    start = line.index("COVID-19")
    assert not cues.other_ways_in(line, start, start + 8)


def test_cut_off_annotations_and_conditional_limits_are_not_rules(imported):
    store, vocabulary = imported[0], imported[1]
    # "fungal f within <7 days": the annotation is cut short; "Have you had fungal f?" asks nothing
    assert not [key for key in vocabulary if key.startswith("condition:fungal_f")]
    # "For hospitalized patients : QTc greater than 500 ms" is no limit for outpatients
    qtc = [c for c in store.trial("NCT04377308", vocabulary).criteria if c.text.startswith("For hospitalized patients")]
    assert qtc and all("qtc_ms" not in c.rule.facts for c in qtc)


def test_one_denial_over_alternatives_denies_each_of_them(imported):
    """"Not on mechanical ventilation or ECMO" is on neither (not A and not B), not off one of them."""
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04448756", vocabulary)
    neither = by_text(trial, "Not on mechanical ventilation or ECMO")
    ventilation, ecmo = sorted(part["fact"] for part in neither.rule_spec["all"])
    position = [c.id for c in trial.criteria].index(neither.id)
    ventilated = {ventilation: True, ecmo: False}
    assert evaluate(trial, ventilated, vocabulary, TODAY).criteria[position].status is Status.NOT_MET
    assert evaluate(trial, {ventilation: False, ecmo: False}, vocabulary, TODAY).criteria[position].status \
        is Status.MET
    nelfinavir = [c.rule_spec for c in store.trial("NCT04332107", vocabulary).criteria
                  if c.text.startswith("Not currently taking nelfinavir or warfarin")]
    assert any("all" in rule for rule in nelfinavir) and not any("any" in rule for rule in nelfinavir)
    # each alternative with its own denial is still a choice: "never been pregnant or negative for HLA antibodies"
    donors = [c.rule_spec for c in store.trial("NCT04376034_donor", vocabulary).criteria
              if c.text.startswith("Female donors age 18+ that have never been pregnant or negative for HLA")]
    assert any("any" in rule for rule in donors) and not any("all" in rule for rule in donors)
    # "Negative serological tests for HBsAg, Hepatitis C antibody and HIV antibody" says no "or": every
    # test must be negative, though the annotations join its rows (an HIV-positive patient passed)
    serology = [c.rule_spec for c in store.trial("NCT04336410", vocabulary).criteria if "serological" in c.text]
    assert len(serology) >= 3 and not any("any" in rule for rule in serology)


def test_the_text_reader_denies_each_alternative_under_one_denial():
    from bot.facts import Vocabulary
    from bot.importers import BASE_VOCABULARY
    from bot.importers.concepts import Concepts
    from bot.importers.criteria_text import Recogniser
    from bot.store import load_vocabulary
    reader = Recogniser(Concepts(Vocabulary(load_vocabulary(BASE_VOCABULARY))))
    for line in ("Patients must not be pregnant or nursing", "Female participants must not be pregnant and/or lactating"):
        derived = reader.derive(line, "inclusion")
        assert derived.rule == {"all": [{"fact": "pregnant", "is": False}, {"fact": "breastfeeding", "is": False}]}
    # read as a question, the line is asked whole: a "yes" to it is a yes to neither
    derived = reader.derive("Not on mechanical ventilation and/or ECMO", "inclusion")
    assert derived.checked_by != "rule" and "Not on mechanical ventilation and/or ECMO" in derived.requirement


def test_a_concept_narrower_than_its_entity_is_not_trusted(imported):
    # "Nasal surgery" coded as "functional endoscopic nasal surgery": another nasal operation would pass
    assert cues.narrower("Nasal surgery", "Functional endoscopic nasal surgery", "Nasal surgery in the past two weeks")
    # a concept whose extra words are the line's own (the annotation cut short) is the line's name for it
    assert not cues.narrower("meningitidis infection", "Neisseria meningitidis infection",
                             "Known Neisseria meningitidis infection")
    assert not cues.narrower("liver cirrhosis", "Cirrhosis of liver", "Liver cirrhosis")
    store, vocabulary = imported[0], imported[1]
    nasal = by_text(store.trial("NCT04321369", vocabulary), "Nasal surgery in the past two weeks")
    assert not any("44790257" in fact for fact in nasal.rule.facts)


def text_reader():
    from bot.facts import Vocabulary
    from bot.importers import BASE_VOCABULARY
    from bot.importers.concepts import Concepts
    from bot.importers.criteria_text import Recogniser
    from bot.store import load_vocabulary
    return Recogniser(Concepts(Vocabulary(load_vocabulary(BASE_VOCABULARY))))


def test_a_pregnancy_of_the_past_is_not_the_present_one(imported):
    """"Never been pregnant" is about a person's history: "not pregnant now" would let in a mother of three."""
    for line in ("Female donors who have never been pregnant", "Male donors, never-pregnant female donors",
                 "previously pregnant female donors negative for HLA antibodies", "History of 3 more pregnancies",
                 "Mothers with a history of vasoactive drug usage during pregnancy",
                 "Pregnancy or lactation within the prior 30 days", "Is pregnant or postpartum within 2 weeks"):
        assert cues.past_pregnancy(line), line
    for line in ("Pregnant or breastfeeding", "Negative pregnancy test within 72 hours prior to randomization",
                 "Women who are pregnant or plan to become pregnant during the study"):
        assert not cues.past_pregnancy(line), line
    reader = text_reader()
    for line in ("Women who have never been pregnant", "Previous pregnancy", "Pregnancy within the last 30 days"):
        assert "pregnant" not in str(reader.derive(line, "inclusion").rule), line
    assert reader.derive("Pregnant or breastfeeding", "exclusion").rule == {
        "any": [{"fact": "pregnant", "is": True}, {"fact": "breastfeeding", "is": True}]}
    store, vocabulary = imported[0], imported[1]
    donors = [c for c in store.trial("NCT04340050_donor", vocabulary).criteria
              if c.text.startswith("Female donors who have never been pregnant")]
    assert donors and not any("pregnant" in c.rule.facts for c in donors)


def test_never_speaks_of_all_time():
    assert cues.time_sense("inclusion", "Never had ", "pneumonia") == cues.EVER
    assert cues.time_sense("exclusion", "", "pneumonia") == cues.NOW


def test_a_test_result_is_the_recent_one_unless_what_is_tested_lasts(imported):
    """A COVID-19 swab is of the moment; HIV or a hepatitis C antibody, once positive, stays so: a person
    who tested positive years ago answers "no" to a recent test."""
    assert cues.lasting("human immunodeficiency virus (HIV) types 2 antibodies") and cues.lasting("HBsAg")
    assert not cues.lasting("COVID19 by nasal swab test") and not cues.lasting("bacterial blood cultures")
    store, vocabulary = imported[0], imported[1]
    # a negative swab asked for now: someone who had COVID-19 last year and tests negative is not ruled out
    assert rule_of(store, vocabulary, "NCT04364802", "COVID19 negative by nasal swab test") == {
        "fact": "measurement:sars_cov_2_test:positive:now", "is": False}
    serology = [c.rule_spec for c in store.trial("NCT04283461", vocabulary).criteria
                if c.text.startswith("Has a positive test result for hepatitis B surface antigen")]
    assert serology and all(rule["fact"].endswith(":positive") for rule in serology)


def test_a_threshold_in_brackets_defines_the_concept():
    """"Prolonged QT interval (>450)" is a value now, not a prolonged QT ever diagnosed."""
    assert concept_in("Prolonged QT interval (>450)", "Prolonged QT interval")
    assert concept_in("Bradycardia (HR<50)", "Bradycardia")
    assert concept_in("Obesity (BMI greater than 35)", "Obesity", "inclusion")
    assert concept_in("Respiratory failure necessitating mechanical ventilation", "Respiratory failure")
    assert concept_in("Diabetes (type 1 or 2)", "Diabetes") is None
    # what a test finds, for each item of the list it is done for: a positive PCR now, not a diagnosis ever
    assert concept_in("Confirmed PCR test result for HIV, HBV or HCV", "HBV")


def test_a_qualifier_opening_a_list_of_words_qualifies_each_of_them():
    assert concept_in("Uncontrolled bacterial, fungal, or non-COVID viral infection", "non-COVID viral infection")
    assert concept_in("Unstable spine, femur, or pelvic fractures", "pelvic fractures")
    assert concept_in("Inadequate renal function", "Inadequate renal function")
    # a list of criteria, not of words sharing a noun: the first one's words are its own
    assert concept_in("Peptic ulcer, or bone fracture", "bone fracture") is None
    assert concept_in("Contraindication to transfusion or history of prior reactions to blood products",
                      "reactions to blood products") is None


def test_a_denial_the_row_does_not_mark_hands_the_criterion_to_the_study_team(imported):
    """The corpus codes "Not having an allergy to a study mouthwash ingredient" as the allergy, not denied."""
    assert concept_in("Not having an allergy to a study mouthwash ingredient",
                      "allergy to a study mouthwash ingredient", "inclusion")
    assert concept_in("On non-invasive positive pressure ventilation", "positive pressure ventilation") is None
    store, vocabulary = imported[0], imported[1]
    mouthwash = by_text(store.trial("NCT04409873", vocabulary), "Not having an allergy to a study mouthwash")
    assert left_to_the_study_team(mouthwash, vocabulary)


def test_a_row_whose_flag_and_heading_disagree_goes_to_the_study_team(imported):
    from bot.importers.omop import SourceTexts
    texts = SourceTexts({"NCT00000001": "Inclusion Criteria:\nAdults\nRandomization within 72 hours of meeting "
                                        "inclusion criteria\nOverall Study Exclusion Criteria :\nPregnant\n"
                                        "Inclusion/exclusion criteria for contacts:\nSmokers"})
    assert texts.section("NCT00000001", "Adults", 20) == "inclusion"
    assert texts.section("NCT00000001", "Randomization", 30) == "inclusion"
    assert texts.section("NCT00000001", "Pregnant", 120) == "exclusion"
    assert texts.section("NCT00000001", "Smokers", 170) == "exclusion"
    # "Age 50 to 59 years with 1 or more comorbidities *OR* ..." is an inclusion the corpus flags as an
    # exclusion: read as one, everyone aged 50 to 59 was excluded
    store, vocabulary = imported[0], imported[1]
    ages = [c for c in store.trial("NCT04536298_1", vocabulary).criteria if c.text.startswith("Age-specific criteria")]
    assert ages and not any("age" in c.rule.facts for c in ages if c.kind.value == "exclusion")


def test_an_inclusion_naming_pregnancy_without_a_denial_is_not_read_as_its_absence():
    """"Pregnant women" as an inclusion was read "not pregnant": a woman who is not pregnant passed."""
    reader = text_reader()
    for line in ("Pregnant women", "Women who are pregnant", "Breastfeeding mothers"):
        assert reader.derive(line, "inclusion").checked_by != "rule", line
    for line in ("Not pregnant", "Negative pregnancy test", "non-pregnant women"):
        assert reader.derive(line, "inclusion").rule == {"fact": "pregnant", "is": False}, line
    assert reader.derive("Pregnant women", "exclusion").rule == {"fact": "pregnant", "is": True}


def test_a_concept_without_the_body_site_its_entity_names_is_broader_and_not_trusted(imported):
    """"bleeding within brain" was coded as any haemorrhage: a nosebleed in the last 6 months excluded."""
    assert cues.broader("bleeding within brain", "Hemorrhage")
    assert cues.broader("respiratory infection", "Infectious disease")
    assert not cues.broader("intracranial hemorrhage", "Intracranial hemorrhage")
    assert not cues.broader("kidney disease", "Renal impairment")
    assert not cues.broader("hemorrhage", "Intracranial hemorrhage")  # narrower is cues.narrower's
    store, vocabulary = imported[0], imported[1]
    # "History of stroke or bleeding around or within brain within 6 months prior to enrollment"
    assert by_row(store.trial("NCT04375397", vocabulary), 5619).rule_spec == {
        "fact": "condition:bleeding_within_brain:180d", "is": True}


def test_a_condition_beside_a_value_of_now_is_meant_now(imported):
    """"Rhabdomyolysis or CPK > 5x ULN" is the episode of now: a past one, long over, does not exclude."""
    assert cues.time_sense("exclusion", "", "Rhabdomyolysis", clause="Rhabdomyolysis or CPK > 5x ULN") == cues.NOW
    assert cues.time_sense("exclusion", "History of ", "rhabdomyolysis",
                           clause="History of rhabdomyolysis or CPK > 5x ULN") == cues.EVER
    # a value inside a list's brackets is not another way in for the item before it
    assert cues.time_sense("exclusion", "Immunocompromised (solid organ transplant, ", "BMT",
                           clause="Immunocompromised (solid organ transplant, BMT, AIDS, on biologics and/or high "
                                  "dose steroids (>20mg prednisone per day)") == cues.EVER
    store, vocabulary = imported[0], imported[1]
    rhabdomyolysis = [k for c in store.trial("NCT04472611", vocabulary).criteria
                      if c.text.startswith("Rhabdomyolysis or CPK") for k in c.rule.facts if k.startswith("condition:")]
    assert rhabdomyolysis and all(k.endswith(":now") for k in rhabdomyolysis)


def test_a_population_named_before_the_concept_is_part_of_an_exclusion(imported):
    """"Immunocompromised patients with positive SARS-CoV-2 test": every patient with a positive test was
    excluded."""
    line = "Immunocompromised patients with positive SARS-CoV-2 test prior to study enrollment"
    assert concept_in(line, "SARS-CoV-2 test")
    assert concept_in("Pregnant women with hypertension", "hypertension")
    for line, concept in [("Patients with a history of stroke", "stroke"), ("All patients with active cancer", "cancer"),
                          ("Adult patients with sickle cell disease", "sickle cell disease")]:
        assert not cues.population(line[:line.index(concept)]), line
    store, vocabulary = imported[0], imported[1]
    tests = [c for c in store.trial("NCT04407546", vocabulary).criteria
             if c.text.startswith("Immunocompromised patients with positive SARS-CoV-2")]
    # the test's row is the study team's (the line's other row asks it whole, as written)
    assert tests and not any(k.startswith("measurement:") for c in tests for k in c.rule.facts)
    assert any(left_to_the_study_team(c, vocabulary) for c in tests)


def test_a_heading_glued_to_its_line_leaves_the_line_to_the_study_team(imported):
    """"Critical  Diagnosed with SARS-CoV-2 infection ..." (one of three severity groups) was asked without
    saying that critical illness is meant."""
    from bot.importers.omop import SourceTexts
    texts = SourceTexts({"NCT00000001": "Severe\n\nDiagnosed with flu\nCritical  Diagnosed with SARS-CoV-2 "
                                        "infection by RT-PCR\nRR  20, HR  90"})
    assert texts.glued_heading("NCT00000001", "by RT-PCR", 60) == "Critical"
    assert texts.glued_heading("NCT00000001", "Diagnosed with flu", 8) is None
    assert texts.glued_heading("NCT00000001", "HR", 90) is None  # a lost sign, not a heading
    store, vocabulary = imported[0], imported[1]
    critical = [c for c in store.trial("NCT04424901", vocabulary).criteria if c.text.startswith("Critical Diagnosed")]
    assert critical and all(left_to_the_study_team(c, vocabulary) for c in critical)


def test_a_washout_a_cohort_a_setting_or_a_past_value_is_not_dropped(imported):
    """Sample 2030's unsafe readings: the washout in the line's next sentence, "Treatment arms 7 and 8 only",
    "ICU-based" and "History or clinical evidence of ... (LVEF <40%)" were dropped."""
    line = ("Are receiving cytotoxic or biologic treatments (such as anti-IL-6 [tocilizumab or sarilumab]) for any "
            "indication at study entry. Note: A washout period 4 weeks (or 5 half-lives, whichever is longer) is "
            "required prior to screening.")
    assert concept_in(line, "tocilizumab") == "its time frame depends on the drug"
    assert concept_in("Receiving ICU-based mechanical ventilation", "mechanical ventilation", "inclusion")
    assert cues.conditional("Treatment arms 7 and 8 only: Participants are 65 years of age")
    assert not cues.conditional("Participants are 65 years of age or older")
    assert cues.past_value("History or clinical evidence of systolic heart failure, left ventricular dysfunction (")
    assert not cues.past_value("Left ventricular ejection fraction (")
    store, vocabulary = imported[0], imported[1]
    arms = [c for c in store.trial("NCT04427501_arm78", vocabulary).criteria
            if c.text.startswith("Treatment arms 7 and 8 only")]
    assert arms and not any("age" in c.rule.facts for c in arms)
    heart = [c for c in store.trial("NCT04421508", vocabulary).criteria
             if c.text.startswith("History or clinical evidence of systolic heart failure")]
    assert heart and not any(k.startswith("measurement:") for c in heart for k in c.rule.facts)
    tocilizumab = [c for c in store.trial("NCT04421027", vocabulary).criteria
                   if c.text.startswith("Are receiving cytotoxic or biologic treatments")]
    assert tocilizumab and not any(k.startswith("drug:tocilizumab") for c in tocilizumab for k in c.rule.facts)


def test_an_item_of_a_list_of_ways_in_is_not_required_alone(imported):
    """"Disease site meets following criteria:" then "Head and Neck ...", "Lung Cancer", "Breast Cancer":
    "Lung Cancer" read alone as an inclusion ruled out every breast-cancer patient."""
    from bot.importers.omop import _ALTERNATIVES_HEADING, SourceTexts
    texts = SourceTexts({"NCT00000001": "Inclusion Criteria:\n\nAdults\n\n\nDisease site meets following criteria:\n\n"
                                        "Head and Neck Cancer\nLung Cancer\nBreast Cancer\nPrior Treatment: Patients are "
                                        "still eligible for this trial if active antimicrobial agents are in use, or "
                                        "if they had been treated.\nAge 18 years."})
    # a paragraph of its own ends the list: "Age 18 years." after it is not one of its items
    assert texts.list_heading("NCT00000001", "Age 18 years", 250) is None
    assert texts.list_heading("NCT00000001", "Lung Cancer", 80) == "Disease site meets following criteria:"
    assert texts.list_heading("NCT00000001", "Adults", 22) == "Inclusion Criteria:"
    for heading in ("Disease site meets following criteria:", "Have one or more of the following conditions:",
                    "At least one of:"):
        assert _ALTERNATIVES_HEADING.search(heading), heading
    for heading in ("Inclusion Criteria:", "Patients must meet all of the following criteria:"):
        assert not _ALTERNATIVES_HEADING.search(heading), heading
    store, vocabulary = imported[0], imported[1]
    lung = [c for c in store.trial("NCT04381988", vocabulary).criteria if c.text == "Lung Cancer"]
    assert lung and all(left_to_the_study_team(c, vocabulary) for c in lung)


def test_an_exclusion_whose_qualifier_only_narrows_its_concept_is_settled_by_the_concept_s_absence(imported):
    """"Presence of any active malignancy (except non-melanoma skin cancer)": a person with no cancer is not
    excluded, whatever the exception says; one with cancer waits for the study team, who judge the exception.
    Not when the person may not know they meet it (a screening ECG, a value), nor for what an exception
    names, a suspicion, a risk or a family's history."""
    assert cues.narrows_only('it qualifies the concept ("uncontrolled")')
    assert cues.narrows_only("it makes an exception") and cues.narrows_only("what follows narrows it")
    for reason in ('it qualifies the concept ("suspected")', 'it qualifies the concept ("family")',
                   "it excludes the absence of something", "what follows defines it", "it counts several findings",
                   "its time frame depends on the drug", "it rests on a risk"):
        assert not cues.narrows_only(reason), reason

    def known(line, concept):
        start = line.index(concept)
        return cues.known_to_the_person(line, start, start + len(concept))
    assert known("Presence of any active malignancy (except non-melanoma skin cancer)", "malignancy")
    assert not known("Significant screening ECG abnormalities, including 2nd degree AV block", "AV block")
    assert not known("Pre-existing severe left ventricular systolic dysfunction (i.e. LVEF <35%)",
                     "left ventricular systolic dysfunction")
    assert not known("Untreated systemic bacterial or other infection (other than SARS-CoV-2)", "SARS-CoV-2")
    store, vocabulary = imported[0], imported[1]
    cancer = [c.rule_spec["all"] for c in store.trial("NCT04355728", vocabulary).criteria
              if c.text.startswith("Presence of any active malignancy (except") and "all" in c.rule_spec]
    assert cancer and all(len(parts) == 2 for parts in cancer)
    assert {"fact": "condition:cancer:now", "is": True} in [parts[0] for parts in cancer]
    assert all(parts[1]["is"] is True and not vocabulary[parts[1]["fact"]].askable for parts in cancer)
    # an allergy to an excipient is not read as taking it, with or without the study team
    albumin = [c for c in store.trial("NCT04456452", vocabulary).criteria
               if c.text.startswith("A history of allergic reactions to human albumin")]
    assert albumin and not any(k.startswith("drug:") for c in albumin for k in c.rule.facts)


def test_a_condition_named_by_a_habit_is_not_asked_as_a_diagnosis(imported):
    """"drug use" (annotated in pieces of "Active drug or alcohol use or dependence that, in the opinion of the
    site investigator, ...") was asked "Have you ever been diagnosed with drug use?": any past use of any drug
    excluded."""
    store, vocabulary = imported[0], imported[1]
    assert left_to_the_study_team(by_row(store.trial("NCT04405570", vocabulary), 6592), vocabulary)


def test_a_qualifier_a_dose_or_a_suspicion_leaves_the_concept_computable_and_the_rest_to_the_study_team(imported):
    """Samples 2027, 2028 and 2030's hand-offs: what the facts can hold is asked, and settles the
    criterion when it can; what they cannot hold stays the study team's."""
    store, vocabulary = imported[0], imported[1]
    today = date(2020, 9, 1)

    def status(trial_id, start, answers):
        trial = store.trial(trial_id, vocabulary)
        found = [i for i, c in enumerate(trial.criteria) if c.text.startswith(start)
                 and set(answers) <= set(c.rule.facts)]
        assert len(found) == 1, (start, answers)
        return evaluate(trial, answers, vocabulary, today).criteria[found[0]].status

    # an inclusion qualified in its own words: not ventilated turns the person away; ventilated waits for the team
    assert status("NCT04427566", "Receiving ICU-based", {"procedure:4230167:now": False}) is Status.NOT_MET
    assert status("NCT04427566", "Receiving ICU-based", {"procedure:4230167:now": True}) is Status.UNKNOWN
    # "confirmed or suspected COVID-19": COVID-19 now excludes; without it, the team's suspicion is still open
    assert status("NCT04386291", "Individuals with confirmed", {"condition:covid19:now": True}) is Status.NOT_MET
    assert status("NCT04386291", "Individuals with confirmed", {"condition:covid19:now": False}) is Status.UNKNOWN
    # a dose: no corticosteroid settles "corticosteroids ... > 20 mg/day" (within its heading's 48 hours: sample 2035's
    # fixes read "Within 48 hours prior to the first dose of study intervention:" above it)
    assert status("NCT04415151", "Treatment with corticosteroids", {"drug:corticosteroids:last": "never"}) is Status.MET
    assert status("NCT04415151", "Treatment with corticosteroids", {"drug:corticosteroids:last": "2020-08-01"}) \
        is Status.MET
    # a stage: no chronic kidney disease settles "Known chronic kidney disease, stage 4 or 5"
    assert status("NCT04421664", "Known Chronic Kidney disease",
                  {"condition:chronic_kidney_disease": False}) is Status.MET
    # the investigator's example: QTcF > 500 ms excludes
    assert status("NCT04363866", "Resting ECG indicating", {"qtc_ms": 520}) is Status.NOT_MET
    # a value's bracketed aside of history, and "in past 30 days"
    liver = [c for c in store.trial("NCT04367831", vocabulary).criteria if c.text.startswith("Severe chronic liver")]
    assert any(c.rule_spec == {"fact": "measurement:alt:xuln", "op": ">", "value": 5, "unit": "xULN"} for c in liver)
    pooled = [c for c in store.trial("NCT04471051", vocabulary).criteria if c.text.startswith("Receipt of pooled")]
    assert [c.rule_spec for c in pooled] == [
        {"fact": "procedure:pooled_immunoglobulin:last", "op": "<", "value": 30, "unit": "days"}]
    assert find_window("in past 30 days").amount == 30 and find_window("within nine (9) months").amount == 9
    # a time frame after another subject is not the concept's
    dementia = [c for c in store.trial("NCT04363203", vocabulary).criteria if "condition:dementia" in c.rule.facts]
    assert dementia


def test_an_item_of_a_counted_list_a_footnote_or_a_risk_factor_is_not_a_criterion_alone(imported):
    """"PLUS 2 or more of the following predictors for severe disease:" then "CRP > 35 mg/L", "Ferritin >
    500 ng/mL", ...: each item was required alone (or, joined by the annotations, one let a person in);
    "Increase in troponin in patient w/out known cardiac disease" became "no heart disease now". A
    footnote ("*Significant medical or psychiatric conditions include ...: Respiratory disease ...")
    excluded every asthma; a score's items ("CHF, Hypertension, Age>75 years, ...") excluded anyone over 75."""
    from bot.importers.omop import _SOME_OF, SourceTexts
    for line in ("Evidence of pulmonary involvement with at least 2 of the following:",
                 "Two of the following three criteria: i. Ferritin > 500ng/mL", "Severe COVID-19: (three or more of "
                 "the following)", "Age 30 to 49 years with 2 or more comorbidities (diabetes; hypertension",
                 "Patient is experiencing at least 2 of the 3 signs/symptoms of the list below:"):
        assert _SOME_OF.search(line), line
    for line in ("Expected absence from work of 4 of the following 12 weeks", "involve at least 2 lobes of the lung",
                 "at least two highly effective methods of birth control", "Have one or more of the following:"):
        assert not _SOME_OF.search(line), line
    texts = SourceTexts({"NCT00000001": "Inclusion Criteria:\n\nSevere COVID-19: (three or more of the following)\n"
                                        "Fever\nCough\n\nExclusion criteria\n\nPregnancy"})
    assert texts.list_heading("NCT00000001", "Cough", 70) == "Severe COVID-19: (three or more of the following)"
    assert texts.list_heading("NCT00000001", "Pregnancy", 95) == "Exclusion criteria"  # a section ends the list
    store, vocabulary = imported[0], imported[1]
    expected = {"NCT04363502": ("CRP > 35 mg/L", "Ferritin > 500 ng/mL", "Increase in troponin"),
                "NCT04348500": ("CRP >35 mg/L",),
                "NCT04283461": ("*Significant medical or psychiatric conditions",),
                "NCT04359277": ("CHF, Hypertension, Age>75 years",)}
    for trial, starts in expected.items():
        criteria = store.trial(trial, vocabulary).criteria
        for start in starts:
            found = [c for c in criteria if c.text.startswith(start)]
            assert found and all(left_to_the_study_team(c, vocabulary) for c in found), (trial, start)
    # what comes before the count is still read: "a. Lymphocyte counts < 1000 cells/L, and b. Two of ..."
    line = [c for c in store.trial("NCT04324021", vocabulary).criteria if c.text.startswith("Lymphocyte counts < 1000")]
    lymphocytes = [c for c in line if any(k.startswith("measurement:lymphocyte") for k in c.rule.facts)]
    assert lymphocytes and not any(c.to_be_confirmed for c in lymphocytes)
    assert all(left_to_the_study_team(c, vocabulary) for c in line if c not in lymphocytes) and len(line) > 1
    # a list that says one item is enough keeps its reading: "One or more of the following risk factors ...: ...,
    # age > 60, ..." asks the age
    risk = [c for c in store.trial("NCT04329923_2", vocabulary).criteria if c.text.startswith("One or more of the")]
    assert risk and any("age" in c.rule.facts for c in risk)


def test_an_ability_is_asked_as_the_line_says_it_not_as_a_diagnosis(imported):
    """Sample 2032's unsafe reading: "Inability to swallow pills" was coded as dysphagia and asked "Have you
    ever been diagnosed with dysphagia?": a person who cannot swallow pills and was never diagnosed passed."""
    assert cues.an_ability("Inability to ", "swallow pills") and cues.an_ability("", "Unable to take oral medications")
    assert cues.an_ability("Subjects ", "unable to swallow oral tablets")
    for before, concept in [("", "Difficulty breathing"), ("Active DIC, bleeding or coagulopathy which cannot be ", "corrected"),
                            ("Patient is unable to consent -", "intubated"), ("History of ", "stroke")]:
        assert not cues.an_ability(before, concept), concept
    store, vocabulary = imported[0], imported[1]
    for trial, start in [("NCT04372017_B", "Inability to swallow pills"), ("NCT04318444", "Inability to take medications"),
                         ("NCT04369742", "Unable to take oral medications"), ("NCT04344587", "Inability to lie flat")]:
        found = [c for c in store.trial(trial, vocabulary).criteria if c.text.startswith(start)]
        assert found and not any(k.startswith("condition:") for c in found for k in c.rule.facts), (trial, start)
        assert all(c.checked_by is CheckedBy.QUESTION for c in found), (trial, start)
    # an ability over a value is the clinicians': "Able to maintain Sp02 93% ... to a maximum 4L" is not SpO2 >= 93%
    spo2 = [c for c in store.trial("NCT04363346", vocabulary).criteria if c.text.startswith("Able to maintain Sp02")]
    assert spo2 and not any(k.startswith("measurement:") for c in spo2 for k in c.rule.facts)


def test_what_is_done_for_a_concept_named_by_any_act_is_not_the_concept(imported):
    """Sample 2032: the row "for COVID-19" of "Previous intubation for COVID-19" was read as any past COVID-19."""
    assert cues.done_for("Previous intubation for ") and cues.done_for("patients under investigation for ")
    assert cues.done_for("Patient undergoing chemotherapy for ")
    assert not cues.done_for("Requirement for ") and not cues.done_for("History of ")
    store, vocabulary = imported[0], imported[1]
    for trial, start in [("NCT04305457", "Previous intubation for COVID-19"),
                         ("NCT04322682", "Patient undergoing chemotherapy for cancer")]:
        found = [c for c in store.trial(trial, vocabulary).criteria if c.text.startswith(start)]
        assert found and not any(k.startswith("condition:") for c in found for k in c.rule.facts), (trial, start)


def test_an_item_of_a_definition_is_not_required_alone(imported):
    """Sample 2032: "Must have severe or immediately life-threatening COVID-19" then "Severe disease is defined
    as:" ... "partial pressure of arterial oxygen to fraction of inspired oxygen ratio < 300": the item was
    required, and a severe patient with a P/F ratio of 300 or more was turned away."""
    from bot.importers.omop import _DEFINITION, _EVERY, _EXAMPLES
    for heading in ("Severe disease is defined as:", "Close contact defined as:", "High-risk person defined by:"):
        assert _DEFINITION.search(heading), heading
    assert _EXAMPLES.search("Symptoms of moderate illness with COVID-19, which could include:")
    donor = ("Ability to meet blood donor eligibility criteria as defined in the Code of Federal Regulations 21 CFR 630 "
             "and AABB Standards, including:")
    for heading in (donor, "Inclusion Criteria:"):
        assert not _DEFINITION.search(heading) and not _EXAMPLES.search(heading), heading
    assert _EVERY.search("Adequate laboratory tests including:")
    store, vocabulary = imported[0], imported[1]
    for trial, start in [("NCT04343261", "partial pressure of arterial oxygen"), ("NCT04343261", "dyspnea"),
                         ("NCT04372017_B", "Age 80 and above"), ("NCT04424901", "o Fever, cough, sore throat")]:
        found = [c for c in store.trial(trial, vocabulary).criteria if c.kind == "inclusion" and c.text.startswith(start)]
        assert found and all(left_to_the_study_team(c, vocabulary) for c in found), (trial, start)
    # a donor's criteria "as defined in" a regulation, "including:", and adequate laboratory tests are each required
    weight = [c for c in store.trial("NCT04360278_covid", vocabulary).criteria if c.text.startswith("Weight >=110")]
    assert weight and any("measurement:weight" in c.rule.facts for c in weight)
    platelets = [c for c in store.trial("NCT04347226", vocabulary).criteria if c.text.startswith("Platelet count >20")]
    assert platelets and any("platelet_count" in c.rule.facts for c in platelets)


def test_the_exception_or_condition_of_a_list_heading_is_each_item_s(imported):
    """Sample 2032: under "Patients currently using any of the following medications (unless willing to
    discontinue the medication during the study):", "rifampin" excluded a person who would stop it. A section's
    preamble, "including but not limited to" and a list of the exceptions themselves are not such a qualifier."""
    assert cues.heading_reason("Patients currently using any of the following medications (unless willing to "
                               "discontinue the medication during the study):", "exclusion")
    assert cues.heading_reason("Cohort 2:", "inclusion") == "it applies to some people only"
    for heading in ("Subjects will be excluded from entry if ANY of the criteria listed below are met:",
                    "Any sign of active infection, including but not limited to:",
                    "Contraindication to antithrombotic therapy or high risk of bleeding due to conditions including, "
                    "but not limited to, any of the following:"):
        assert cues.heading_reason(heading, "exclusion") is None, heading
    assert cues.heading_reason("Exceptions include the following noninvasive malignancies:", "exclusion") == \
        "its items are exceptions"
    store, vocabulary = imported[0], imported[1]
    today = date(2020, 9, 1)
    trial = store.trial("NCT04476953", vocabulary)
    rifampin = [i for i, c in enumerate(trial.criteria) if "drug:1763204" in c.rule.facts]
    assert rifampin
    for answer, status in ((False, Status.MET), (True, Status.UNKNOWN)):
        found = evaluate(trial, {"drug:1763204": answer}, vocabulary, today).criteria[rifampin[0]].status
        assert found is status, (answer, found)
    # each item of the exceptions is left to the study team: "Carcinoma in situ of the cervix" does not exclude
    cervix = [c for c in store.trial("NCT04365101", vocabulary).criteria if c.text.startswith("Carcinoma in situ of")]
    assert cervix and all(left_to_the_study_team(c, vocabulary) for c in cervix)


def test_what_narrows_a_list_narrows_each_of_its_items(imported):
    """Sample 2032: "a co-morbidity (including history of gastric bypass, epilepsy, cardiovascular disease or renal
    failure) that prevents the use of HCQ" excluded any cardiovascular disease ever."""
    line = ("The participant has a known allergy/hypersensitivity or has a medication or co-morbidity (including "
            "history of gastric bypass, epilepsy, cardiovascular disease or renal failure) that prevents the use of HCQ")
    assert concept_in(line, "cardiovascular disease") == "what follows narrows it"
    assert concept_in("COPD or Congestive Heart Failure patients requiring home oxygen", "COPD") == \
        "what follows narrows it"
    for line, concept in [("Patients with active cancer or those who have had recent cancer treatment", "cancer"),
                          ("On active therapy with a JAK2-targeted agent, which include the following:", "JAK2"),
                          ("Epilepsy, diabetes, heart disease", "Epilepsy")]:
        assert concept_in(line, concept) is None, line
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04341441", vocabulary)
    found = [i for i, c in enumerate(trial.criteria) if "condition:cardiovascular_disease" in c.rule.facts]
    assert found
    today = date(2020, 9, 1)
    for answer, status in ((False, Status.MET), (True, Status.UNKNOWN)):
        assert evaluate(trial, {"condition:cardiovascular_disease": answer}, vocabulary, today).criteria[
            found[0]].status is status


def answers_decide(trial, fact, vocabulary, answers):
    """The status of the criteria of ``trial`` that read ``fact``, for each (answer, expected status)."""
    found = [i for i, c in enumerate(trial.criteria) if fact in c.rule.facts]
    assert found, fact
    for answer, status in answers:
        got = evaluate(trial, {fact: answer}, vocabulary, date(2020, 9, 1)).criteria[found[0]].status
        assert got is status, (fact, answer, got)


def test_a_plan_beside_what_is_had_now_excludes_too(imported):
    """Samples 2033 and 2034: "Currently prescribed ... or planned administration during 14-day study period of
    medication ...:" (a list heading), "Received or plans to receive a licensed, inactivated vaccine within 2 weeks",
    "breastfeeding or planning to breastfeed": the plan was dropped, and a person who had not begun passed. What is
    had still excludes; without it, the study team asks about the plan."""
    assert cues.a_plan("Received or plans to receive a licensed, inactivated vaccine") and \
        cues.a_plan("Current or planned use of the following") and not cues.a_plan("Received a licensed vaccine")
    assert not cues.a_plan("Planned major surgery during the study")  # a plan alone is not what is had
    store, vocabulary = imported[0], imported[1]
    unknown, excluded = Status.UNKNOWN, Status.NOT_MET
    answers_decide(store.trial("NCT04372628", vocabulary), "drug:21603568", vocabulary,
                   ((True, excluded), (False, unknown)))  # erythromycin under the heading
    answers_decide(store.trial("NCT03808922_covid19sub", vocabulary), "breastfeeding", vocabulary,
                   ((True, excluded), (False, unknown)))
    vaccine = by_row(store.trial("NCT04283461", vocabulary), 16466)
    assert "any" in vaccine.rule_spec and any(f.startswith("team:") for f in vaccine.rule.facts)
    # the text reader: "pregnant or planning to become pregnant" is the pregnancy, or the study team's word on the plan
    derived = text_reader().derive("Pregnant or planning to become pregnant during the study", "exclusion")
    assert derived.rule["any"][0] == {"fact": "pregnant", "is": True} and derived.rule["any"][1]["fact"].startswith("team:")
    assert text_reader().derive("Pregnant or breastfeeding", "exclusion").rule == {
        "any": [{"fact": "pregnant", "is": True}, {"fact": "breastfeeding", "is": True}]}


def test_consent_as_the_moment_something_is_dated_from_is_not_consent():
    """Samples 2033 and 2034: "initial diagnosis obtained no more than 72 hours prior to informed consent" was read
    as willingness to consent, and the requirement lost."""
    reader = text_reader()
    for line in ("If asymptomatic, initial diagnosis obtained no more than 72 hours prior to informed consent",
                 "fluid support during the past 72 hours prior to the informed consent",
                 "Symptom onset within 7 days before the signing of the informed consent"):
        assert "willing_to_consent" not in str(reader.derive(line, "inclusion").rule), line
    for line in ("Signed informed consent", "Able to provide informed consent"):
        assert reader.derive(line, "inclusion").rule == {"fact": "willing_to_consent", "is": True}, line


def test_an_operation_is_had_once_not_at_the_moment(imported):
    """Sample 2033: "Current refractory nausea ..., resection of the stomach, ..." asked "Are you receiving resection
    of the stomach at the moment?", which a person whose stomach was resected answers "no"."""
    assert cues.time_sense("exclusion", "Current refractory nausea and vomiting, malabsorption syndrome, ",
                           "resection of the stomach", procedure=True) == cues.EVER
    assert cues.time_sense("exclusion", "Currently receiving ", "dialysis", procedure=True) == cues.NOW
    # "known" after a word of now does not make it of the past; "history" does
    assert cues.time_sense("exclusion", "Active known secondary ", "bacterial infection") == cues.NOW
    assert cues.time_sense("exclusion", "Active hepatitis B, history of ", "tuberculosis") == cues.EVER
    assert cues.time_sense("exclusion", "Known ", "myasthenia gravis") == cues.EVER
    store, vocabulary = imported[0], imported[1]
    assert "procedure:resection_of_the_stomach" in vocabulary
    assert not any(k.startswith("procedure:resection_of_the_stomach:now") for k in vocabulary)


def test_a_suspicion_before_the_concept_is_not_narrowed_away(imported):
    """Sample 2033: "Known or suspected active viral (including CMV, HIV, ...) infection other than COVID-19" was read
    as HIV now and the study team's word on the exception: a suspected infection the person does not know of
    passed. A suspicion leaves the criterion to the study team."""
    line = ("Known or suspected active viral (including CMV, HIV, hepatitis B, and hepatitis C), bacterial, "
            "mycobacterial, or fungal infection other than COVID-19.")
    assert cues.suspicion_before(line, line.index("HIV")) and not cues.suspicion_before("Known HIV", 6)
    store, vocabulary = imported[0], imported[1]
    trial = store.trial("NCT04372602", vocabulary)
    assert not [c for c in trial.criteria if c.text.startswith("Known or suspected active viral")
                and "condition:hiv:now" in c.rule.facts and "all" in c.rule_spec]


def test_an_entity_annotated_in_pieces_is_read_in_its_line(imported):
    """Sample 2034: "bacterial infection" of "Concomitant uncontrolled systemic bacterial or fungal infection" (and
    "chronic obstructive pulmonary disease" of "uncontrolled chronic obstructive or chronic restrictive pulmonary
    disease") was not found in the text, read from the row's own words, and lost "uncontrolled"."""
    from bot.importers.omop import place
    line = "Concomitant uncontrolled systemic bacterial or fungal infection"
    assert place(line, "bacterial infection") == (line.index("bacterial"), len(line))
    assert place(line, "viral infection") == (-1, -1)
    store, vocabulary = imported[0], imported[1]
    infection = by_row(store.trial("NCT04492514", vocabulary), 8412)
    assert infection.rule_spec["all"][0] == {"fact": "condition:432545:now", "is": True}
    assert infection.rule_spec["all"][1]["fact"].startswith("team:")


def test_a_qualifier_a_definition_or_a_partner_after_or_before_the_concept_is_kept(imported):
    """Samples 2033 and 2034: qualifiers the readings lost. The pair's qualifier ("symptomatic inflammatory bowel
    disease or ulcerative colitis"), what the concept is had with ("active malignancy receiving cytotoxic
    chemotherapy", "active therapy with a biologic immunosuppressive agent"), a list that says which kinds count
    ("Cardiac ... abnormality, including any of the following: a. History of MI ... within 6 months"), and a
    partner joined by "and" ("Current use of loop diuretics and potassium supplementation")."""
    line = "resection of the stomach or small bowel, symptomatic inflammatory bowel disease or ulcerative colitis"
    assert concept_in(line, "ulcerative colitis") == 'it qualifies the concept ("symptomatic")'
    assert concept_in("Malaria or ulcerative colitis", "ulcerative colitis") is None
    assert concept_in("History of myeloproliferative disorder or active malignancy receiving cytotoxic chemotherapy",
                      "malignancy") == "what follows narrows it"
    assert concept_in("On active therapy with a biologic immunosuppressive agent.", "therapy") == \
        "what follows narrows it"
    assert concept_in("Cardiac or cardiac repolarization abnormality, including any of the following: a.History of "
                      "myocardial infarction (MI) within 6 months", "abnormality") == "what follows defines it"
    assert concept_in("Current use of loop diuretics and potassium supplementation or documented history of "
                      "hypokalemia.", "loop diuretics") == "it needs the other with it"
    assert cues.narrows_only("it needs the other with it")
    for line, concept in [("Diabetes, hypertension and obesity", "obesity"), ("History of MI and/or stroke", "MI"),
                          ("Chronic kidney disease and who are on dialysis", "Chronic kidney disease")]:
        assert concept_in(line, concept) != "it needs the other with it", line
    store, vocabulary = imported[0], imported[1]
    answers_decide(store.trial("NCT04351620", vocabulary), "drug:loop_diuretics", vocabulary,
                   ((False, Status.MET), (True, Status.UNKNOWN)))


def test_two_values_joined_by_and_or_a_multiple_without_its_sign_are_not_read_alone(imported):
    """Sample 2033: "ALT/AST > 2.5 upper limit normal and total bilirubin >2.5 upper limit normal" was read as
    bilirubin > 2.5 mg/dL: the multiple of the upper limit of normal lost, and the bilirubin excluding alone."""
    assert [c.unit for c in find_comparisons(">2.5 upper limit normal")] == ["xULN"]
    assert [c.unit for c in find_comparisons("> 2 x ULN")] == ["xULN"]
    store, vocabulary = imported[0], imported[1]
    liver = by_row(store.trial("NCT04335084", vocabulary), 428)
    assert left_to_the_study_team(liver, vocabulary)


def test_examples_after_a_dash_are_not_each_required():
    """Sample 2033: "Symptoms of COVID -19 - cough, fever, sore throat, SOB, anosmia" required shortness of breath."""
    assert cues.examples_before("Symptoms of COVID -19 - cough, fever, sore throat, ")
    assert not cues.examples_before("COVID-19 - confirmed by PCR ")


def test_how_long_a_heading_s_symptoms_lasted_is_each_item_s(imported):
    """Sample 2034: under "More than 10 days of any of the following symptoms ... at study entry:", "Nasal
    obstruction or congestion" excluded anyone ever diagnosed with a nasal obstruction."""
    heading = "More than 10 days of any of the following symptoms attributed to the SARS-CoV-2 infection at study entry:"
    assert cues.heading_reason(heading, "exclusion") == "it says how long it lasted"
    assert cues.narrows_only("it says how long it lasted")
    store, vocabulary = imported[0], imported[1]
    answers_decide(store.trial("NCT04358068", vocabulary), "condition:4334403", vocabulary,
                   ((False, Status.MET), (True, Status.UNKNOWN)))


def test_hours_that_are_not_whole_days_are_not_widened_to_a_day(imported):
    """Sample 2034: "ventricular tachycardia ... within last 4 hours" was asked "in the last day"."""
    assert find_window("within last 4 hours").rounded and not find_window("within 48 hours").rounded
    assert find_window("within 48 hours").amount == 2
    store, vocabulary = imported[0], imported[1]
    tachycardia = by_row(store.trial("NCT04193878", vocabulary), 2660)
    assert left_to_the_study_team(tachycardia, vocabulary)


def test_a_clinician_s_judgement_is_not_asked_of_the_patient():
    """Sample 2034: 'Does this apply to you: "Skin process precludes cooling device"?' no patient can answer."""
    assert not clear_question("Skin process precludes cooling device", quoted=True)
    assert clear_question("Inpatient admission", quoted=True)


def test_a_plan_and_hours_heading_a_list_in_the_line_are_each_item_s(imported):
    """Sample 2035: "Receipt in the 12 hours prior to enrollment, or planned administration during the 5-day study
    period ..., of any of the following: amiodarone; ...; phenytoin" was read as phenytoin now or recently: the plan
    and the 12 hours, which head the list in the line itself, were lost for the items past its first semicolon."""
    from bot.importers.omop import inline_heading
    line = ("Receipt in the 12 hours prior to enrollment, or planned administration during the 5-day study period "
            "that treating clinicians feel cannot be substituted for another medication, of any of the following: "
            "amiodarone; cimetidine; dofetilide; phenobarbital; phenytoin; sotalol")
    lead = inline_heading(line, line.index("phenytoin"))
    assert lead.startswith("Receipt in the 12 hours") and lead.endswith("any of the following")
    assert cues.a_plan(lead) and find_window(lead).rounded
    assert inline_heading("History of MI within 6 months; allergy to the following: penicillin", 57) == \
        "allergy to the following"  # a time frame of the line's other items is not the list's
    assert inline_heading("Psoriasis", 0) is None
    store, vocabulary = imported[0], imported[1]
    assert left_to_the_study_team(by_row(store.trial("NCT04332991", vocabulary), 9465), vocabulary)


def test_a_list_heading_s_time_frame_purpose_and_degree_are_each_item_s(imported):
    """Sample 2035: under "Received any of the following in the two weeks prior to screening as treatment of
    COVID-19:", tocilizumab (of a long item ended by a semicolon) was read as taken now or recently, for anything.
    Sample 2036: under "Participants who have any severe and/or uncontrolled medical conditions such as:", any heart
    attack ever excluded. A degree the items themselves define ("... as defined as:") does not qualify them."""
    heading = "Received any of the following in the two weeks prior to screening as treatment of COVID-19:"
    assert cues.heading_reason(heading, "exclusion") == "it says what it was given for"
    assert cues.narrows_only("it says what it was given for")
    severe = "Participants who have any severe and/or uncontrolled medical conditions such as:"
    assert cues.heading_reason(severe, "exclusion") == 'it qualifies the concept ("severe")'
    assert cues.heading_reason("Patients with significant liver or renal dysfunction function at screen as defined as:",
                               "exclusion") is None
    assert cues.heading_reason("Use of the following strong CYP3A4 inhibitors:", "exclusion") is None  # not narrowing
    store, vocabulary = imported[0], imported[1]
    tocilizumab = by_row(store.trial("NCT04492475", vocabulary), 11133)
    assert tocilizumab.rule_spec["all"][0] == {"fact": "drug:tocilizumab:last", "op": "<", "value": 14, "unit": "days"}
    assert tocilizumab.rule_spec["all"][1]["fact"].startswith("team:")
    answers_decide(store.trial("NCT04341727", vocabulary), "condition:myocardial_infarction", vocabulary,
                   ((False, Status.MET), (True, Status.UNKNOWN)))
    # one word of the study team on the heading's qualifier and the item's own ("unstable angina pectoris")
    angina = by_row(store.trial("NCT04341727", vocabulary), 3753)
    assert len([f for f in angina.rule.facts if f.startswith("team:")]) == 1
    # "Within 48 hours prior to the first dose of study intervention:" above "Treatment with corticosteroids ..."
    steroids = by_row(store.trial("NCT04415151", vocabulary), 1205)
    assert steroids.rule_spec["all"][0] == {"fact": "drug:corticosteroids:last", "op": "<", "value": 2, "unit": "days"}
    # how long symptoms lasted is not a time frame: "More than 10 days of any of the following symptoms ...:"
    answers_decide(store.trial("NCT04358068", vocabulary), "condition:4334403", vocabulary,
                   ((False, Status.MET), (True, Status.UNKNOWN)))


def test_a_unit_the_reader_does_not_know_is_never_read_as_the_fact_s():
    """Sample 2035: "D-dimer > 0.75 g/mL" (the µ most likely lost) was read as 0.75 ng/mL, the fact's own unit, and
    excluded anyone whose D-dimer was known. A unit word the reader does not know, or a bound no person's value
    could be in the fact's unit, hands the criterion to the study team."""
    from bot.importers.criteria_text import unknown_unit
    for text in ("D-dimer > 0.75 g/mL", "ferritin > 500 ng", "sodium < 130 mEq"):
        assert any(unknown_unit(text, c) for c in find_comparisons(text)), text
    for text in ("RR > 30/min", "CRP > 10 mg/L", "ALT > 3 x ULN", "Ferritin > 500 or", "QTc > 500",
                 "D-dimer > 1 mcg/mL FEU"):
        assert not any(unknown_unit(text, c) for c in find_comparisons(text)), text
    assert [c.unit for c in find_comparisons("Hemoglobin value <8 g/100ml")] == ["g/dL"]
    reader = text_reader()
    for line in ("D-dimer > 0.75 g/mL", "D-dimer > 1.5"):
        assert "measurement:d_dimer" not in str(reader.derive(line, "exclusion").rule), line
    assert reader.derive("D-dimer > 1000 ng/mL", "exclusion").rule == {
        "fact": "measurement:d_dimer", "op": ">", "value": 1000, "unit": "ng/mL"}


def test_a_unit_the_reader_does_not_know_leaves_a_corpus_row_to_the_study_team(imported):
    store, vocabulary = imported[0], imported[1]
    assert left_to_the_study_team(by_row(store.trial("NCT04501796", vocabulary), 1863), vocabulary)


def test_what_an_image_shows_is_not_the_illness(imported):
    """Sample 2036: "Radiologic findings compatible with diagnosis of SARS-CoV-2 pulmonary infection with no
    alternative explanation" was read as COVID-19 now: a person with COVID-19 and a clear chest image passed."""
    assert cues.seen_on_imaging("Radiologic findings compatible with diagnosis of ")
    assert cues.seen_on_imaging("Chest CT showing ")
    assert not cues.seen_on_imaging("History of ") and not cues.seen_on_imaging("Positive PCR test for ")
    store, vocabulary = imported[0], imported[1]
    assert left_to_the_study_team(by_row(store.trial("NCT04391309", vocabulary), 6160), vocabulary)


def test_a_stay_in_hospital_for_an_illness_is_asked_not_handed_off(imported):
    """Sample 2035: "History of or current hospitalization for COVID-19." went to the study team, though the person
    knows whether they were or are in hospital for it: a clear line is asked as it says it."""
    assert cues.a_stay_for("History of or current hospitalization for ") and cues.a_stay_for("Admitted with ")
    assert not cues.a_stay_for("Treatment for ") and not cues.a_stay_for("Positive PCR test for ")
    store, vocabulary = imported[0], imported[1]
    stay = by_row(store.trial("NCT04358068", vocabulary), 4611)
    assert stay.checked_by is CheckedBy.QUESTION and not left_to_the_study_team(stay, vocabulary)


def test_not_more_than_a_time_is_a_window_not_a_time_since():
    """Sample 2035: "fever or cough for not more than 72 hours prior to COVID-19 testing" was read as more than 72
    hours, a time since."""
    window = find_window("for not more than 72 hours prior to COVID-19 testing")
    assert (window.op, window.amount, window.unit) == ("<=", 3, "days")
    assert find_window("no more than 4 days prior to screening").op == "<="
    assert find_window("more than 14 days").op == ">"


def test_a_bare_malignancy_of_an_exclusion_is_the_study_team_s_to_date(imported):
    """Sample 2036: a bare "Intracranial malignancy" (in a list that writes "History of ..." when it means the past)
    was read as ever diagnosed: a tumour cured long ago excluded. A cancer ever is asked, and the study team says
    whether it counts; a "no" settles it."""
    assert cues.bare_malignancy("exclusion", "", "Intracranial malignancy", "Intracranial malignancy")
    for kind, before, concept in [("exclusion", "History of ", "lymphoma"), ("exclusion", "Active ", "malignancy"),
                                  ("exclusion", "Known ", "cancer"), ("inclusion", "", "Lung cancer"),
                                  ("exclusion", "", "Psoriasis")]:
        assert not cues.bare_malignancy(kind, before, concept, before + concept), (kind, before, concept)
    store, vocabulary = imported[0], imported[1]
    answers_decide(store.trial("NCT04406389", vocabulary), "condition:intracranial_malignancy", vocabulary,
                   ((False, Status.MET), (True, Status.UNKNOWN)))


def test_a_dose_said_in_words_qualifies_the_drug_and_its_partner(imported):
    """Sample 2037: "Is taking high-dose hydroxychloroquine or chloroquine" was read as either drug at any dose: a
    person on the usual dose for lupus was excluded. The drug is asked, and the study team judges the dose; a "no"
    settles it. A dose in words with one in figures still needs no more than the drug from the person."""
    text = "Is taking high-dose hydroxychloroquine or chloroquine."
    for name in ("hydroxychloroquine", "chloroquine"):
        at = text.index(name) if name != "chloroquine" else text.index(" chloroquine") + 1
        reason = cues.hand_off(text, at, at + len(name), "exclusion")
        assert reason == 'it qualifies the concept ("high-dose")' and cues.narrows_only(reason), (name, reason)
    store, vocabulary = imported[0], imported[1]
    unknown, passed = Status.UNKNOWN, Status.MET
    for fact in ("drug:hydroxychloroquine", "drug:chloroquine"):
        answers_decide(store.trial("NCT04470622", vocabulary), fact, vocabulary, ((False, passed), (True, unknown)))
    opioids = by_row(store.trial("NCT04365985", vocabulary), 10025)  # "chronic high dose opioids > 90mg morphine"
    assert any(f.startswith("team:") for f in opioids.rule.facts) and "all" in opioids.rule_spec


def test_a_history_said_after_a_concept_of_now_is_another_s_or_qualified(imported):
    """Sample 2037: "Active TB or history of TB of the following types" was read as TB ever: the corpus gives the
    row the line's "history of", which is the second TB's. A history of another concept is not the row's ("Has
    current confirmed Influenza A or B infection, or a history of organ ... transplant": influenza now); a history
    of the same concept that the line qualifies ("of the following types", "incompletely treated") is the concept
    ever and the study team's word on which (a "no" settles it); an unqualified one is of the past too."""
    assert cues.named_again("tuberculosis (TB)", "history of incompletely treated TB")
    assert not cues.named_again("Influenza A infection", "history of organ or hematologic transplant, HIV, or "
                                                          "active hepatitis B or hepatitis C infection")
    assert cues.qualified_again("TB", "history of TB of the following types")
    assert cues.qualified_again("tuberculosis", "history of inadequately treated tuberculosis")
    assert not cues.qualified_again("cancer", "history of cancer")
    assert not cues.qualified_again("lung cancer", "history of lung cancer within the past 12 months")
    store, vocabulary = imported[0], imported[1]
    for trial_id in ("NCT04498377", "NCT04391309"):
        answers_decide(store.trial(trial_id, vocabulary), "condition:tuberculosis", vocabulary,
                       ((False, Status.MET), (True, Status.UNKNOWN)))
    influenza = by_row(store.trial("NCT04470622", vocabulary), 7932)
    assert list(influenza.rule.facts) == ["condition:4266367:now"], influenza.rule.facts
    assert cues.said_now("Known active ") and not cues.said_now("Patient has pre-existing known significant ")
    cancer = by_row(store.trial("NCT04403386", vocabulary), 6547)  # "Current diagnosis of cancer or prior history"
    assert list(cancer.rule.facts) == ["condition:cancer"], cancer.rule.facts


def test_a_series_of_results_is_the_study_team_s(imported):
    """Sample 2037: a plasma donor's "Two negative nasopharyngeal swabs done at least 24 hours apart" was read as no
    recent positive test, which rules out a recovered donor whose positive swab was weeks ago."""
    assert cues.unreadable("Two negative nasopharyngeal swabs done at least 24 hours apart for COVID-19 RNA") == \
        "it asks for a series of results"
    for clause in ("SARS-CoV-2 positive", "test for HIV types 1 or 2 antibodies positive at screening",
                   "COVID19 by nasal swab test negative"):
        assert cues.unreadable(clause) is None, clause
    store, vocabulary = imported[0], imported[1]
    assert left_to_the_study_team(by_row(store.trial("NCT04343755_donor", vocabulary), 11493), vocabulary)


def test_how_an_inclusion_s_concept_was_confirmed_does_not_qualify_it(imported):
    """Sample 2037: "COVID-19 confirmed by real-time RT-PCR assay or another diagnostic test" went to the study team
    for its "another" (the test's word), where "... or other diagnostic test" was read as COVID-19 now."""
    text = ("Participant has coronavirus disease COVID-19 confirmed by real-time reverse transcription polymerase "
            "chain reaction (RT-PCR) assay or another diagnostic test")
    at = text.index("coronavirus")
    assert cues.hand_off(text, at, text.index(" confirmed"), "inclusion") is None
    assert cues.hand_off("Moderate COVID-19 confirmed by PCR", 9, 17, "inclusion") is not None
    assert cues.hand_off("COVID-19 infection confirmed by PCR with severe symptoms", 0, 8, "inclusion") is not None
    store, vocabulary = imported[0], imported[1]
    assert list(by_row(store.trial("NCT04366830", vocabulary), 5098).rule.facts) == ["condition:covid19:now"]


def test_an_own_fact_is_named_by_what_is_given_not_by_the_act_of_giving_it(imported):
    """Sample 2037: "When did you last take administration of any licensed vaccine?" and "Are you receiving home
    oxygen utilization at the moment?": the act named the fact."""
    store, vocabulary = imported[0], imported[1]
    vaccine = by_row(store.trial("NCT04480333", vocabulary), 11035)
    assert list(vaccine.rule.facts) == ["drug:licensed_vaccine:last"], vaccine.rule.facts
    oxygen = by_row(store.trial("NCT04497389", vocabulary), 17602)
    assert "procedure:home_oxygen:now" in oxygen.rule.facts, oxygen.rule.facts
