"""Matching one person against a catalogue of trials.

``Matcher`` keeps every trial's per-criterion results for one person and, after an answer,
re-evaluates only the criteria that read a changed fact (an inverted index from fact to
criteria), so a catalogue of thousands of trials stays fast. ``rank`` orders the results for the
person: likely eligible first, then uncertain by how little is still unknown, then not eligible.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from bot.evaluation import CriterionResult, Status, TrialResult, Verdict, evaluate_criterion, verdict_of
from bot.facts import AnsweredBy, Vocabulary, effective_facts
from bot.trials import Trial

VERDICT_ORDER = {Verdict.LIKELY_ELIGIBLE: 0, Verdict.UNCERTAIN: 1, Verdict.NOT_ELIGIBLE: 2}


class Matcher:
    def __init__(self, trials: Iterable[Trial], vocabulary: Vocabulary, today: date) -> None:
        self.trials: List[Trial] = list(trials)
        self.vocabulary = vocabulary
        self.today = today
        self._readers: Dict[str, List[Tuple[int, int]]] = defaultdict(list)  # fact -> (trial, criterion)
        for t, trial in enumerate(self.trials):
            for c, criterion in enumerate(trial.criteria):
                for key in criterion.rule.facts:
                    self._readers[key].append((t, c))
        self._known: Dict[str, Any] = {}
        self._criteria: List[List[CriterionResult]] = [
            [evaluate_criterion(c, {}, vocabulary, today) for c in trial.criteria] for trial in self.trials]
        self._verdicts: List[Verdict] = [verdict_of(results) for results in self._criteria]

    def copy(self) -> "Matcher":
        """A matcher in the same state, sharing the trials and the index (cheap)."""
        twin = object.__new__(Matcher)
        twin.__dict__.update(self.__dict__)
        twin._known = dict(self._known)
        twin._criteria = [list(results) for results in self._criteria]
        twin._verdicts = list(self._verdicts)
        return twin

    def update(self, facts: Mapping[str, Any]) -> None:
        """Bring every trial up to date with the person's facts."""
        known = effective_facts(facts, self.vocabulary)
        changed = {k for k in set(known) | set(self._known) if known.get(k) != self._known.get(k)}
        self._known = known
        touched: Set[int] = set()
        for key in changed:
            for t, c in self._readers.get(key, ()):
                trial = self.trials[t]
                self._criteria[t][c] = evaluate_criterion(trial.criteria[c], known, self.vocabulary, self.today)
                touched.add(t)
        for t in touched:
            self._verdicts[t] = verdict_of(self._criteria[t])

    def results(self) -> List[TrialResult]:
        return [TrialResult(trial, verdict, tuple(criteria))
                for trial, verdict, criteria in zip(self.trials, self._verdicts, self._criteria)]

    def verdicts(self) -> Dict[str, Verdict]:
        return {trial.id: verdict for trial, verdict in zip(self.trials, self._verdicts)}


def open_questions(result: TrialResult) -> int:
    """How many criteria still wait for an answer the person could give."""
    return sum(1 for r in result.criteria if r.settled_by is AnsweredBy.PATIENT)


def rank(results: Sequence[TrialResult]) -> List[TrialResult]:
    return sorted(results, key=lambda r: (VERDICT_ORDER[r.status], open_questions(r), r.trial.id))


def one_line_reason(result: TrialResult) -> str:
    """Why a trial sits where it does in the ranking, in one line."""
    if result.status is Verdict.NOT_ELIGIBLE:
        return result.deciding[0].explanation
    if result.status is Verdict.UNCERTAIN:
        count = open_questions(result)
        return f"{count} question{'s' if count != 1 else ''} still open"
    confirm = sum(1 for r in result.criteria if r.status is Status.UNKNOWN)
    return "every criterion you could answer is met" + (f"; {confirm} to confirm with the doctors" if confirm else "")


def summary_payload(result: TrialResult) -> Dict[str, Any]:
    """A ranked trial in the reply contract: the verdict with only the criteria that decided it."""
    payload = result.to_payload(result.deciding)
    payload["title"] = result.trial.brief_title
    payload["reason"] = one_line_reason(result)
    return payload


def select_trials(trials: Mapping[str, Trial], text: str) -> Optional[List[str]]:
    """Trials whose conditions or places are named in the text ("trials for lung cancer in Tianjin").

    None when the text names no known condition or place, meaning: all trials.
    """
    lowered = f" {text.lower()} "
    by_place = {t.id for t in trials.values()
                if any(loc.city and f" {loc.city.lower()}" in lowered for loc in t.locations)}
    by_condition = {t.id for t in trials.values()
                    if any(len(c) > 3 and c.lower() in lowered for c in t.info.get("conditions", ()))}
    if by_place and by_condition:
        return sorted(by_place & by_condition)
    chosen = by_place or by_condition
    return sorted(chosen) if chosen else None
