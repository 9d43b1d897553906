"""Everything staff mode says, in one place (English): the replies of bot/staff.py and the checklist's
layout (bot/staff_layout.py). Terse and in the third person ("the patient"), as clinicians write.

bot/staff_texts_zh.py holds the same names in Simplified Chinese; a staff message written in Chinese
is answered in it (bot/i18n.py: read these as ``staff_texts.NAME`` at the time of speaking, never
imported by name, so that the active language is the one said). tests/staff/test_staff_language.py
fails when the two drift apart.
"""
from bot import i18n
from bot.evaluation import Status, Verdict

SUBJECT = "the patient"
HELP = (
    "Staff screening for {trial}. Send what you know about the patient in one message, for example "
    "\"62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx\". Each reply is a checklist "
    "per criterion (✅ met or exclusion does not apply · ❌ not met or excluded · ❓ unknown · 🩺 to confirm) "
    "and what is still missing.\n"
    "Commands: \"new patient\" (starts from nothing) · \"screen NCT…\" (another trial) · \"missing\" · \"summary\" · "
    "\"trials\" (every trial ranked for this patient; \"trials for COVID-19 in Boston\" narrows them).\n"
    "Screening aid only; the study team confirms eligibility."
)
NEW_PATIENT = "New patient, {trial}: nothing recorded yet. Send what you know about the patient."
CLEARED = "Cleared every fact about this patient."
READ = "Read: {facts}."
FACT = "{label}: {value}"
LIST = "; "
UPDATED = "Updated {label}: {old} → {new}."
CONFLICT = "Not recorded: {label}: {value}, which contradicts {earlier} (kept). Correct the earlier fact if it was wrong."
NOT_READ = "Not read: “{words}”."
NOT_READ_SUGGEST = "Not read: “{words}” (one of: {labels}?)."
NOT_READ_WHICH_TREATMENT = "Not recorded: “{words}” does not say which treatment (last chemotherapy? last radiotherapy?)."
NOTHING_READ = "Nothing in that message matched a screening fact."
NOT_RECORDED_BOUND = "Not recorded: {label} “{words}” is a bound; send the value."
NOT_RECORDED_SEVERAL = "Not recorded: {label}: several values ({values}); send the one that counts."
NOT_RECORDED_DATE = "Not recorded: {label}: {first} or {second}? Send the date with the month in words."
PARTLY_DENIED = "Not recorded: {label}: a “no” for {words} alone leaves the rest open."
QUERIED = "Not recorded: {label}: “{words}” is queried or still to come; send it when confirmed."
CYCLE_DAY = "Not recorded: last chemotherapy: “{words}” counts from the cycle's first day; send the date of the last dose."
ONGOING = "Not recorded: {label}: still on treatment; send the date of the last dose."
PLANNED = "Not recorded: {label}: “{words}” is planned or put off, not given; send the date of the last dose."
RESOLVED = "Not recorded: {label}: “{words}” is said to be over; whether it still applies is to confirm."
UNSURE = "Not recorded: {label}: “{words}” does not settle it; to confirm."
DISPUTED = "Not recorded: {label}: “{words}”, against the patient's own denial; to confirm."
EARLIER = "Not recorded: {label}: “{words}” is dated {year}; whether it is still there is to confirm."
PAST = "Not recorded: {label}: “{words}” was {when}; whether it is still there is to confirm."
TRANSFUSED = "Not recorded: {label}: counted around a transfusion (“{words}”); send the count that stands, and its date."
FOR_THE_TEAM = "Not recorded: {label}: “{words}” is for the study team to judge; send yes or no."
OR = " or "
UNKNOWN_TRIAL = "No trial {trial_id} in the database; available: {trials}."
AND_MORE = " and more"
DRAFT_MARK = "DRAFT, not published: patients are not screened on it"
TRIAL_NAME = "{trial_id} ({title})"
TRIAL_NAME_DRAFT = "{trial_id} ({title}, {draft})"
HEADLINES = {
    Verdict.NOT_ELIGIBLE.value: "❌ Not eligible: {reasons}.",
    Verdict.UNCERTAIN.value: "❓ Can't tell yet: {count} criteria open for want of facts about the patient.",
    Verdict.LIKELY_ELIGIBLE.value: "✅ Likely eligible, subject to what is left to confirm.",
}
NOT_MET_REASON = "{numbers} not met"
EXCLUDED_REASON = "excluded by {numbers}"
# An exclusion's text names what rules the patient out, so its icon alone reads backwards ("✅ Patients
# taking antiplatelet drugs"): once settled, its line says plainly whether it applies.
EXCLUSION_WORDS = {Status.MET.value: "does not apply", Status.NOT_MET.value: "excluded"}
COUNTS = "✅ {met} met · ❌ {not_met} not met · ❓ {unknown} unknown · 🩺 {to_confirm} to confirm"
CLOSER_DATE = "a closer date than {period}"
IMPLIED = " (implied)"
EXCLUSION_HEAD = "{icon} {number} {words}:"
NEED = "need: {facts}"
CLINICAL = " (clinical)"
CLINICAL_NEED = "clinical: {facts}"
STUDY_TEAM_AT_SCREENING = "study team at screening"
MISSING_HEADER = "Still missing for {trial}, most decisive first:"
NOTHING_MISSING = "Nothing missing: no further fact can change the checklist for {trial}."
SUMMARY_HEADER = "Patient summary, {trial}:"
NO_FACTS = "No facts recorded for this patient yet."
FOOTER = "Screening aid only; the study team confirms eligibility."
TRIALS_HEADER = "Trials for the patient: {fitting} of {total} could fit ({likely} likely eligible, {uncertain} can't tell yet)."
TRIALS_NO_FACTS = "No facts recorded yet: every trial is open. Send what you know to narrow them."
TRIAL_LINE = "{number}. {icon} {trial_id} · {title} — {reason}"
TRIAL_LIKELY = "every criterion about the patient met"
TRIAL_CONFIRM = "; {count} to confirm"
TRIAL_OPEN = "open: {labels}"
TRIALS_MORE = "… and {count} more that could fit."
TRIALS_RULED_OUT = "❌ {count} ruled out, most often by: {reasons}."
TRIALS_RULED_OUT_REASON = "“{text}” ({count})"
TRIALS_NEXT = "Most decisive next, across the trials: {labels}."
FACTS_NOT_WITH_FILTER = ("Not recorded as facts: a message that names conditions or places to narrow the trials "
                         "is read for those alone. Send the patient's facts on their own.")
TRIALS_FOOTER = "Send “screen NCT…” for one trial's checklist."

# -- values as clinicians write them ----------------------------------------------------------
VALUE_WHEN = "{value} ({when})"
AGO = "{when} ago"
DAYS, WEEKS, MONTHS = "{n} d", "{n} wk", "{n} mo"
AT_LEAST_AGO = "≥ {newest}"
OR_EARLIER = "{day} or earlier"
FROM_TO = "{first} to {last}"
NEVER = "never"
COMPACT_UNITS: dict = {}  # units written otherwise than bot.facts.COMPACT_UNIT_WORDS ("62 y")

# -- the checklist on a phone screen (bot/staff_layout.py) --------------------------------------
DECIDES_MOST = "Decides most: {labels}."
SETTLED = "✅ {met} met{numbers} · ❓ {unknown} unknown · 🩺 {to_confirm} to confirm"
NUMBERS = " ({numbers})"
# Who answers a fact, in the order staff would ask: the patient (or the record), a clinician, the study team.
OPEN = {"patient": "❓ Patient: {labels}.", "clinician": "🩺 Clinician: {labels}.",
        "study_team": "🩺 Study team: {labels}."}
WHO = {"clinician": "clinician", "study_team": "study team"}
AT_SCREENING = "{numbers} at screening"
LABEL_NEED = "{label} ({need})"
# The vocabulary's labels as clinicians write them, for the list of what is open. A candidate for the
# vocabulary itself (a `staff_label` per fact in data/facts.yml) once agreed; a fact without one here
# is listed by its label.
STAFF_LABELS = {
    "cancer_type": "cancer type",
    "chemo_induced_thrombocytopenia": "CIT",
    "platelet_boosters_failed": "rhTPO/IL-11 failed",
    "last_chemotherapy": "last chemo",
    "last_radiotherapy": "last RT",
    "platelet_count": "plt",
    "bleeding_tendency": "bleeding signs",
    "survival_six_months": "LE ≥ 6 mo",
    "willing_to_consent": "consent & visits",
    "liver_kidney_ok": "LFT/RFT < 1.5×ULN",
    "childbearing_potential": "could conceive",
    "uses_contraception": "contraception",
    "uncontrolled_organ_disease": "uncontrolled organ disease",
    "infection_serology_positive": "HIV/HBV/HCV/HDV/syphilis ever +",
    "ebv_cmv_dna_positive": "EBV/CMV DNA +",
    "severe_bleeding": "serious bleeding",
    "heart_disease_treated": "heart disease needing tx",
    "uncontrolled_hypertension": "uncontrolled HTN",
    "thrombotic_disease": "thrombosis/atherosclerosis",
    "transplant": "allo-SCT/organ tx",
    "mental_disorder_limits_consent": "mental disorder limiting consent",
    "treatment_toxicity_unresolved": "unresolved toxicity",
    "diabetes": "DM",
    "heart_failure_severe": "HF NYHA III–IV",
    "heart_attack_or_angina_recent": "MI/UA/CAD < 6 mo",
    "arrhythmia": "AF/flutter or arrhythmia needing tx",
    "stomach_ulcer": "PUD",
    "autoimmune_disease": "active autoimmune",
    "other_abnormal_bleeding": "other bleeding cause",
    "antiplatelet_drugs": "antiplatelets",
    "pregnant": "pregnant",
    "breastfeeding": "breastfeeding",
    "qtc_ms": "QTc",
    "bundle_branch_block": "BBB",
}

i18n.localise(__name__, {i18n.CHINESE: "bot.staff_texts_zh"})
