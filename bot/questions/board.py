"""The expected gains of the candidate facts summed over the trials, and the best of them (see
bot.questions)."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from bot.facts import AnsweredBy
from bot.questions.analysis import Gain

# Who can answer: a question for the doctor (a test result, a judgement) counts for a quarter of
# what it would settle, as the person can often not answer it; the study team's are never asked.
PREFERENCE = (4, 1, 0)  # by AnsweredBy order: patient, clinician, study team
FirstSeen = Callable[[Iterable[str]], Dict[str, Tuple[int, int, int]]]


class Board:
    """The expected gains of the candidate facts, summed over trials; facts already answered are parked."""

    __slots__ = ("tier", "entries", "tiers", "parked")

    def __init__(self, tier: Mapping[str, int], parked: Iterable[str] = ()) -> None:
        self.tier = tier
        self.entries: Dict[str, Gain] = {}
        self.tiers: List[Dict[str, int]] = [{} for _ in AnsweredBy]  # candidates by who answers: key -> settled
        self.parked: Set[str] = set(parked)

    @classmethod
    def of(cls, tier: Mapping[str, int], parked: Iterable[str], entries: Mapping[str, Gain],
           tiers: List[Dict[str, int]]) -> "Board":
        """A board of gains already summed (none of them all zeros; any mapping), and its candidates
        by tier as ``_place`` puts them (bot.matching finds them with array operations)."""
        board = cls(tier, parked)
        board.entries, board.tiers = entries, tiers  # read only: a board made so is not added to
        return board

    def add(self, key: str, gain: Gain) -> None:
        """Add a trial's gain for a fact to the fact's tallies."""
        old = self.entries.get(key, (0, 0, 0, 0))
        settled, expected, weight, count = (old[0] + gain[0], old[1] + gain[1], old[2] + gain[2], old[3] + gain[3])
        if settled or expected or weight or count:
            self.entries[key] = (settled, expected, weight, count)
        else:
            self.entries.pop(key, None)
        self._place(key, settled, count)

    def _place(self, key: str, settled: int, count: int) -> None:
        """A candidate (in its tier) while some criterion waits for the fact and it is not answered."""
        if count > 0 and key not in self.parked:
            self.tiers[self.tier[key]][key] = settled
        else:
            self.tiers[self.tier[key]].pop(key, None)

    def candidates(self) -> List[str]:
        return [key for tier in self.tiers for key in tier]

    def is_candidate(self, key: str) -> bool:
        return key in self.tier and key in self.tiers[self.tier[key]]

    def _order(self, keys: List[str], first_seen: FirstSeen) -> List[str]:
        first = first_seen(keys) if len(keys) > 1 else {}
        far = (1 << 62, 0, 0)

        def order(key: str) -> Tuple[Any, ...]:
            settled, expected, weight, _ = self.entries[key]
            tier = self.tier[key]
            return (settled <= 0, -settled * PREFERENCE[tier], tier, -settled, -expected, -weight,
                    first.get(key, far), key)
        return sorted(keys, key=order)

    def best(self, first_seen: FirstSeen) -> Optional[str]:
        chosen, value = None, 0
        for index, tier in enumerate(self.tiers):
            if tier and PREFERENCE[index]:
                top = max(tier.values())
                if top * PREFERENCE[index] > value:  # a tie goes to the person's question
                    chosen, value = index, top * PREFERENCE[index]
        if chosen is not None:
            tier = self.tiers[chosen]
            top = value // PREFERENCE[chosen]
            ties = [key for key, settled in tier.items() if settled == top]
            return ties[0] if len(ties) == 1 else self._narrow(ties, first_seen)
        rest = self.candidates()
        if not rest:
            return None
        best_tier = min(self.tier[key] for key in rest)
        return self._narrow([key for key in rest if self.tier[key] == best_tier], first_seen)

    def _narrow(self, keys: List[str], first_seen: FirstSeen) -> str:
        top = max((self.entries[k][1], self.entries[k][2]) for k in keys)
        keys = [k for k in keys if (self.entries[k][1], self.entries[k][2]) == top]
        return keys[0] if len(keys) == 1 else self._order(keys, first_seen)[0]

    def ranked(self, first_seen: FirstSeen) -> List[str]:
        return self._order(self.candidates(), first_seen)
