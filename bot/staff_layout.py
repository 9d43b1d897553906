"""The staff checklist as it is read on a phone: what decides first, each unknown once.

A staff checklist reply (``bot/staff.py``) carries everything in its ``custom`` (the verdict, one
entry per criterion, what is missing, the notes); this module decides what of it is shown, and in
which order, so that the reply's text, the Slack blocks and the Teams card (``channels/formatting.py``)
say the same thing in the same order from ``custom`` alone:

1. the headline ("❌ Not eligible: I5 not met."), then the trial;
2. what decides: the criteria not met, with the facts behind them; or, when nothing rules the
   patient out, the few facts that would decide most;
3. the criteria settled, as a count and their numbers (every line in full is the ``summary``'s);
4. every fact still open, once each, grouped by who answers it: the patient (or the record), a
   clinician, the study team at screening; in the clinicians' own shorthand (``STAFF_LABELS``), so
   that some thirty of them fit a few lines;
5. the notes on the message: what was read, updated or not read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Sequence

from bot.evaluation import Status
from bot.reply_contract import TO_CONFIRM

# The vocabulary's labels as clinicians write them, for the list of what is open. A candidate for the
# vocabulary itself (a `staff_label` per fact in data/facts.yml) once agreed; a fact without one here
# is listed by its label.
STAFF_LABELS: Mapping[str, str] = {
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
DECIDING_FACTS = 3  # when nothing rules the patient out: the facts that would decide most
DECIDES_MOST = "Decides most: {labels}."
SETTLED = "✅ {met} met{numbers} · ❓ {unknown} unknown · 🩺 {to_confirm} to confirm"
# Who answers a fact, in the order staff would ask: the patient (or the record), a clinician, the study team.
OPEN = {"patient": "❓ Patient: {labels}.", "clinician": "🩺 Clinician: {labels}.",
        "study_team": "🩺 Study team: {labels}."}
WHO = {"clinician": "clinician", "study_team": "study team"}
AT_SCREENING = "{numbers} at screening"


@dataclass(frozen=True)
class Layout:
    """The parts of a staff checklist, in the order they are shown."""

    headline: str
    title: str
    deciding: List[str]
    settled: str
    open: List[str]
    notes: List[str]

    def lines(self) -> List[str]:
        return [self.headline, self.title, *self.deciding, self.settled, *self.open, *self.notes]


def layout(custom: Mapping[str, Any]) -> Layout:
    """The checklist of a reply's ``custom`` (``checklist``, ``missing``, ``notes``, ``title``, ``headline``)."""
    items = [item for item in custom.get("checklist") or [] if isinstance(item, Mapping)]
    missing = [entry for entry in custom.get("missing") or [] if isinstance(entry, Mapping)]
    not_met = [str(item.get("line", "")) for item in items if item.get("status") == Status.NOT_MET.value]
    deciding, rest = not_met, missing
    if not not_met and missing:
        first, rest = missing[:DECIDING_FACTS], missing[DECIDING_FACTS:]
        deciding = [DECIDES_MOST.format(labels="; ".join(_open_label(entry, with_who=True) for entry in first))]
    return Layout(headline=str(custom.get("headline", "")), title=str(custom.get("title", "")), deciding=deciding,
                  settled=_settled(items), open=_open_lines(rest, items),
                  notes=[str(note) for note in custom.get("notes") or []])


def _settled(items: Sequence[Mapping[str, Any]]) -> str:
    def count(status: str) -> int:
        return sum(1 for item in items if item.get("status") == status)
    met = [str(item.get("number", "")) for item in items if item.get("status") == Status.MET.value]
    return SETTLED.format(met=len(met), numbers=f" ({compact_numbers(met)})" if met else "",
                          unknown=count(Status.UNKNOWN.value), to_confirm=count(TO_CONFIRM))


def _open_lines(missing: Sequence[Mapping[str, Any]], items: Sequence[Mapping[str, Any]]) -> List[str]:
    groups = {who: [_open_label(entry) for entry in missing if entry.get("answered_by", "patient") == who]
              for who in OPEN}
    groups["clinician"] += [_open_label(entry) for entry in missing if entry.get("answered_by") not in OPEN]
    at_screening = [str(item.get("number", "")) for item in items
                    if item.get("status") == "to_confirm" and item.get("to_confirm_by") == "study_team"]
    if at_screening:  # criteria the study team settles at screening, with nothing to ask before
        groups["study_team"].append(AT_SCREENING.format(numbers=", ".join(at_screening)))
    return [OPEN[who].format(labels="; ".join(labels)) for who, labels in groups.items() if labels]


def _open_label(entry: Mapping[str, Any], with_who: bool = False) -> str:
    label = STAFF_LABELS.get(str(entry.get("fact", "")), str(entry.get("label", "")))
    if entry.get("need"):
        label = f"{label} ({entry['need']})"
    who = WHO.get(str(entry.get("answered_by", ""))) if with_who else None
    return f"{label} ({who})" if who else label


def compact_numbers(numbers: Iterable[str]) -> str:
    """Criterion numbers with runs shortened: "I1–I3, I5, E2, E4–E6"."""
    runs: List[List[str]] = []
    previous = None
    for number in numbers:
        prefix, digits = number[:1], number[1:]
        value = (prefix, int(digits)) if digits.isdigit() else None
        if runs and value and previous and value == (previous[0], previous[1] + 1):
            runs[-1].append(number)
        else:
            runs.append([number])
        previous = value
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}, {run[1]}" if len(run) == 2 else f"{run[0]}–{run[-1]}"
                     for run in runs)
