"""Answer profiles for whole conversations: fact key -> what the person types when asked.

Yes/no answers are the button payloads (/affirm, /deny, /dont_know) or plain words; dates are
relative to today ("six weeks ago") because the servers use the real date.
"""
from __future__ import annotations

from typing import Dict

# Clinician-answered facts, and the exclusions a fitting person says "no" to.
NO_EXCLUSIONS = {key: "/deny" for key in (
    "uncontrolled_organ_disease", "infection_serology_positive", "ebv_cmv_dna_positive", "severe_bleeding",
    "heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia",
    "uncontrolled_hypertension", "bundle_branch_block", "thrombotic_disease", "transplant", "diabetes",
    "stomach_ulcer", "autoimmune_disease", "sepsis", "other_abnormal_bleeding", "antiplatelet_drugs",
    "treatment_toxicity_unresolved", "mental_disorder_limits_consent", "pregnant", "breastfeeding",
)}

# A 62-year-old woman past menopause who fits the trial, answering with the buttons.
ELIGIBLE: Dict[str, str] = {
    **NO_EXCLUSIONS,
    "age": "62",
    "sex": "female",
    "cancer_type": "lung cancer",
    "platelet_count": "22",
    "bleeding_tendency": "/affirm",
    "chemo_induced_thrombocytopenia": "/affirm",
    "platelet_boosters_failed": "/affirm",
    "last_chemotherapy": "six weeks ago",
    "last_radiotherapy": "never",
    "survival_six_months": "/affirm",
    "willing_to_consent": "/affirm",
    "liver_kidney_ok": "/affirm",
    "uses_contraception": "/affirm",
    "childbearing_potential": "/deny",
    "qtc_ms": "420 ms",
}

# The same kind of person answering in her own words.
IN_WORDS: Dict[str, str] = {
    **{key: "no" for key in NO_EXCLUSIONS},
    "antiplatelet_drugs": "no, I don't take any of those",
    "severe_bleeding": "no, nothing like that",
    "transplant": "no, never",
    "age": "I'm 62",
    "sex": "female",
    "cancer_type": "breast cancer",
    "platelet_count": "my platelets were 22k",
    "bleeding_tendency": "yes, I bruise easily",
    "chemo_induced_thrombocytopenia": "yes",
    "platelet_boosters_failed": "yes, I had rhTPO injections several times and it didn't help",
    "last_chemotherapy": "about two months ago",
    "last_radiotherapy": "I never had radiotherapy",
    "survival_six_months": "yes, he said so",
    "willing_to_consent": "yes, I would",
    "liver_kidney_ok": "yes, they were normal",
    "uses_contraception": "yes",
    "childbearing_potential": "no, not any more",
    "qtc_ms": "it was 430 ms",
}

CLINICIAN_FACTS = ("survival_six_months", "liver_kidney_ok", "uncontrolled_organ_disease", "ebv_cmv_dna_positive",
                   "uncontrolled_hypertension", "qtc_ms", "bundle_branch_block", "other_abnormal_bleeding",
                   "mental_disorder_limits_consent")
PREGNANCY_FACTS = {"pregnant", "breastfeeding", "childbearing_potential"}
