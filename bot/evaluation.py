"""Three-valued evaluation of a person's facts against a trial's criteria, and the verdict.

Each criterion is *met* (does not stand in the way), *not met* (rules the person out) or
*unknown*. The verdict follows clinical caution:

- ``not_eligible`` when any criterion is not met;
- ``uncertain`` when a criterion is unknown for want of something the person can answer
  (including "I don't know");
- ``likely_eligible`` otherwise. Criteria that only a doctor's test or the study team can settle
  may still be unknown then: they are listed as what to confirm, never read as passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.facts import AnsweredBy, Vocabulary, effective_facts
from bot.trials import Criterion, Kind, Trial


class Status(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Verdict(str, Enum):
    LIKELY_ELIGIBLE = "likely_eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNCERTAIN = "uncertain"


# What a criterion's rule says of some facts, without the criterion: (status, missing, settled_by)
# as in CriterionResult. Criteria with equal rules and facts share one (see bot.questions.analysis.Analysis).
CriterionOutcome = Tuple[Status, FrozenSet[str], Optional[AnsweredBy]]


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: Status
    missing: FrozenSet[str]  # facts that could still settle an unknown criterion
    settled_by: Optional[AnsweredBy]  # for an unknown criterion: who can settle it soonest

    @property
    def explanation(self) -> str:
        return self.criterion.explanation(self.status.value)


class TrialResult:
    """A trial's verdict and the result of each of its criteria.

    A matcher over a large catalogue makes one per trial after every answer, and most are only
    sorted and counted: it gives the criteria's ``outcomes`` instead (and how many of them wait for
    the person, which it has counted), and the CriterionResults are made the first time they are read.
    """

    __slots__ = ("trial", "status", "_criteria", "_outcomes", "_waiting")

    def __init__(self, trial: Trial, status: Verdict, criteria: Sequence[CriterionResult] = (),
                 outcomes: Optional[Iterable[CriterionOutcome]] = None, waiting: Optional[int] = None) -> None:
        self.trial, self.status = trial, status
        self._criteria: Optional[Tuple[CriterionResult, ...]] = None if outcomes is not None else tuple(criteria)
        self._outcomes = outcomes
        self._waiting = waiting

    def __repr__(self) -> str:
        return f"TrialResult({self.trial.id!r}, {self.status.value})"

    @property
    def criteria(self) -> Tuple[CriterionResult, ...]:
        if self._criteria is None:
            self._criteria = tuple(CriterionResult(c, *o) for c, o in zip(self.trial.criteria, self._outcomes or ()))
        return self._criteria

    @property
    def open_questions(self) -> int:
        """How many criteria still wait for an answer the person could give."""
        if self._waiting is not None:
            return self._waiting
        if self._criteria is None:
            return sum(1 for o in self._outcomes or () if o[2] is AnsweredBy.PATIENT)
        return sum(1 for r in self._criteria if r.settled_by is AnsweredBy.PATIENT)

    def with_status(self, *statuses: Status) -> List[CriterionResult]:
        return [r for r in self.criteria if r.status in statuses]

    @property
    def deciding(self) -> List[CriterionResult]:
        """The criteria behind the verdict."""
        if self.status is Verdict.NOT_ELIGIBLE:
            return self.with_status(Status.NOT_MET)
        if self.status is Verdict.UNCERTAIN:
            return [r for r in self.criteria if r.settled_by is AnsweredBy.PATIENT]
        return self.with_status(Status.MET)



def evaluate_criterion(criterion: Criterion, facts: Mapping[str, Any], vocabulary: Vocabulary,
                       today: date) -> CriterionResult:
    holds = criterion.rule.evaluate(facts, today)
    if holds is None:
        missing = criterion.rule.missing(facts, today)
        order = list(AnsweredBy)
        settled_by = min((vocabulary[k].answered_by for k in missing), key=order.index)
        return CriterionResult(criterion, Status.UNKNOWN, missing, settled_by)
    passes = holds if criterion.kind is Kind.INCLUSION else not holds
    return CriterionResult(criterion, Status.MET if passes else Status.NOT_MET, frozenset(), None)


def evaluate(trial: Trial, facts: Mapping[str, Any], vocabulary: Vocabulary,
             today: Optional[date] = None) -> TrialResult:
    today = today or date.today()
    known = effective_facts(facts, vocabulary)
    results = tuple(evaluate_criterion(c, known, vocabulary, today) for c in trial.criteria)
    return TrialResult(trial, verdict_of(results), results)


def verdict_of(results: Sequence[CriterionResult]) -> Verdict:
    if any(r.status is Status.NOT_MET for r in results):
        return Verdict.NOT_ELIGIBLE
    if any(r.settled_by is AnsweredBy.PATIENT for r in results):
        return Verdict.UNCERTAIN
    return Verdict.LIKELY_ELIGIBLE
