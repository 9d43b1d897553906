"""The staff checklist as a model: one item per criterion, its mark and the facts behind it.

What the items say, and how they are laid out on a phone, is bot/staff_layout.py's: this module only
decides, from a trial's result, each criterion's mark (✅ met, ❌ not met, ❓ unknown for want of a
fact about the patient, 🩺 to confirm by a clinician or the study team), the facts that settled it
and the facts it still needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.evaluation import CriterionResult, Status, TrialResult
from bot.facts import AnsweredBy, FactDefinition, Vocabulary, effective_facts
from bot.reply_contract import TO_CONFIRM
from bot.trials import Criterion, Kind, Trial


@dataclass(frozen=True)
class Evidence:
    """A fact that settled a criterion, as known: said, or ``implied`` by another fact."""

    definition: FactDefinition
    value: Any
    implied: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    """One criterion as staff read it: ``I5`` / ``E3``, its mark and the facts behind it."""

    criterion: Criterion
    number: str
    mark: str  # a Status value, or TO_CONFIRM
    evidence: Tuple[Evidence, ...] = ()  # settled: the facts that settled it
    needs: Tuple[Evidence, ...] = ()  # not settled: the askable facts it waits for, with what is known of each
    confirm_by: Optional[str] = None  # for unknown and to_confirm: patient | clinician | study_team

    @property
    def criterion_id(self) -> str:
        return self.criterion.id

    @property
    def kind(self) -> str:
        return self.criterion.kind.value

    @property
    def is_exclusion(self) -> bool:
        return self.criterion.kind is Kind.EXCLUSION


def criterion_numbers(trial: Trial) -> Dict[str, str]:
    """Inclusion criteria numbered I1, I2..., exclusion criteria E1, E2..., in the trial's order."""
    numbers, counts = {}, {Kind.INCLUSION: 0, Kind.EXCLUSION: 0}
    for criterion in trial.criteria:
        counts[criterion.kind] += 1
        numbers[criterion.id] = f"{'I' if criterion.kind is Kind.INCLUSION else 'E'}{counts[criterion.kind]}"
    return numbers


def checklist(result: TrialResult, facts: Mapping[str, Any], vocabulary: Vocabulary) -> List[ChecklistItem]:
    known = effective_facts(facts, vocabulary)
    numbers = criterion_numbers(result.trial)
    return [_item(r, numbers[r.criterion.id], facts, known, vocabulary) for r in result.criteria]


def _item(r: CriterionResult, number: str, facts: Mapping[str, Any], known: Mapping[str, Any],
          vocabulary: Vocabulary) -> ChecklistItem:
    criterion = r.criterion
    if r.status is not Status.UNKNOWN:
        evidence = tuple(Evidence(vocabulary[key], known[key], implied=key not in facts) for key in criterion.rule.facts
                         if key in known and known[key] is not None and key in vocabulary)
        return ChecklistItem(criterion, number, r.status.value, evidence=evidence)
    settled_by = r.settled_by or AnsweredBy.STUDY_TEAM
    needs = tuple(Evidence(vocabulary[k], known.get(k)) for k in criterion.rule.facts
                  if k in r.missing and k in vocabulary and vocabulary[k].askable)
    if settled_by is AnsweredBy.STUDY_TEAM:
        needs = ()  # the study team settles it at screening, with nothing to ask before
    mark = Status.UNKNOWN.value if settled_by is AnsweredBy.PATIENT else TO_CONFIRM
    return ChecklistItem(criterion, number, mark, needs=needs, confirm_by=settled_by.value)
