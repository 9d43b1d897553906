"""The screening steps the patient conversation (``bot/conversation.py``) and staff mode
(``bot/staff.py``) both take, without their words: which trial is screened, which trials a message
names, which new facts contradict earlier ones, what storing facts changed, and which reasons rule
trials out. Each mode words the outcome its own way (``bot/texts.py`` for patients,
``bot/staff_texts.py`` for staff).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.evaluation import TrialResult
from bot.facts import Vocabulary
from bot.trials import Trial

SOME_TRIALS = 5  # the trials named when a message names one that does not exist


def trial_screened(trials: Mapping[str, Trial], trial_id: Optional[str], default: Optional[str]) -> Trial:
    """The trial a conversation screens: the one it chose, else the default, else the first by id."""
    chosen = trial_id if trial_id in trials else default
    return trials[chosen] if chosen in trials else trials[sorted(trials)[0]]


def named_trials(trial_ids: Sequence[str], trials: Collection[str]) -> Tuple[List[str], List[str]]:
    """The trial ids a message names, as (those among ``trials``, those not)."""
    return [t for t in trial_ids if t in trials], [t for t in trial_ids if t not in trials]


def some_trials(ids: Sequence[str]) -> Tuple[List[str], bool]:
    """A few trial ids to offer instead of one that does not exist, and whether there are more."""
    ids = list(ids)
    return ids[:SOME_TRIALS], len(ids) > SOME_TRIALS


def conflicts(vocabulary: Vocabulary, facts: Mapping[str, Any], new: Mapping[str, Any]) -> Dict[str, Tuple[str, Any]]:
    """New values that contradict what other facts imply (a man who is pregnant): the newer fact's
    key, with the earlier fact's key and value. The newer statement gives way to the earlier one."""
    merged = {**facts, **new}
    found = {}
    for definition in vocabulary.values():
        explicit = merged.get(definition.key)
        if explicit is None:
            continue
        for implication in definition.implied_by:
            if merged.get(implication.fact) != implication.equals or explicit == implication.value:
                continue
            newer = definition.key if definition.key in new else implication.fact
            if newer not in new:
                continue
            earlier = implication.fact if newer == definition.key else definition.key
            found[newer] = (earlier, merged[earlier])
    return found


@dataclass(frozen=True)
class Change:
    """A fact stored: its value before (``known``: whether it had one, even "not known") and now."""

    key: str
    old: Any
    new: Any
    known: bool

    @property
    def updated(self) -> bool:
        """A value replaced by another (not a first answer, nor "not known" answered)."""
        return self.known and self.old is not None and self.old != self.new


def store(facts: Dict[str, Any], values: Mapping[str, Any], vocabulary: Vocabulary,
          refused: Collection[str] = ()) -> List[Change]:
    """Store ``values`` in ``facts``, but those ``refused`` (contradictions) and those of no fact of the
    vocabulary; what each did, in order."""
    changes = []
    for key, value in values.items():
        if key in refused or key not in vocabulary:
            continue
        changes.append(Change(key, facts.get(key), value, key in facts))
        facts[key] = value
    return changes


def ruled_out(results: Sequence[TrialResult], reason: Callable[[TrialResult], str]) -> List[Tuple[str, List[str]]]:
    """The trials ruled out, grouped by the ``reason`` that decided each, the most common first."""
    groups: Dict[str, List[str]] = {}
    for result in results:
        groups.setdefault(reason(result), []).append(result.trial.id)
    return sorted(groups.items(), key=lambda item: -len(item[1]))
