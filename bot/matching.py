"""Matching one person against a catalogue of trials.

``Matcher`` keeps every trial's per-criterion results for one person and, after an answer,
re-evaluates only the criteria that read a changed fact (an inverted index from fact to trials
and criteria), so a catalogue of thousands of trials stays fast. It also keeps, for the trials
still open, the running tallies that choose the next question (bot.questions): what each fact's
answer is expected to settle. ``rank`` orders the results for the person: likely eligible first,
then uncertain by how little is still unknown, then not eligible.
"""
from __future__ import annotations

import gc
import threading
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from bot.evaluation import Outcome, Status, TrialResult, Verdict
from bot.facts import AnsweredBy, Vocabulary, effective_facts
from bot.questions import NO_FACTS, Analysis, Board, FirstSeen, Gain, Table, offer_tallies, ruling_in_facts
from bot.trials import Trial

VERDICT_ORDER = {Verdict.LIKELY_ELIGIBLE: 0, Verdict.UNCERTAIN: 1, Verdict.NOT_ELIGIBLE: 2}
_ABSENT = object()
_NO_GAINS: Mapping[str, Gain] = {}
_ZERO: Gain = (0, 0, 0, 0)


def _verdict(failed: int, waiting: FrozenSet[int]) -> Verdict:
    """As evaluation.verdict_of, from the number of criteria not met and those waiting for the person."""
    if failed:
        return Verdict.NOT_ELIGIBLE
    return Verdict.UNCERTAIN if waiting else Verdict.LIKELY_ELIGIBLE


def _add(deltas: Dict[str, List[int]], gains: Iterable[Tuple[str, Gain]], sign: int) -> None:
    """Add (sign 1) or take away (-1) a trial's gains, fact by fact, to one update's moves."""
    for key, gain in gains:
        d = deltas.get(key)
        if d is None:
            deltas[key] = [sign * gain[0], sign * gain[1], sign * gain[2], sign * gain[3]]
        else:
            d[0] += sign * gain[0]; d[1] += sign * gain[1]; d[2] += sign * gain[2]; d[3] += sign * gain[3]  # noqa: E702


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection meanwhile: what a matcher makes is not cyclic garbage, and collecting
    would only rescan the catalogue's millions of objects (it halved the time of an update)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _distance(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    return sum(1 for k in a.keys() | b.keys() if a.get(k, _ABSENT) != b.get(k, _ABSENT))


class Matcher:
    """One person's results against many trials, brought up to date answer by answer.

    ``copy()`` hands out a twin in the same state (cheap: per-trial results are immutable and
    shared). Copies of one matcher remember their few most recent states, and a fresh copy's
    first ``update`` starts from the one nearest to the facts it is given: a conversation that
    copies a person-independent matcher every turn re-evaluates only what its last answer changed.
    """

    RECENT = 8

    def __init__(self, trials: Iterable[Trial], vocabulary: Vocabulary, today: date) -> None:
        with _no_collection():
            self._build(trials, vocabulary, today)

    def _build(self, trials: Iterable[Trial], vocabulary: Vocabulary, today: date) -> None:
        self.trials: List[Trial] = list(trials)
        self.vocabulary = vocabulary
        self.today = today
        self.analysis = Analysis(vocabulary, today, self.trials)
        self._scope: List[Dict[str, Tuple[int, ...]]] = []  # per trial: fact -> criteria that it could decide
        self._readers: Dict[str, List[int]] = defaultdict(list)  # fact -> trials, in order
        self._facts: Dict[str, Any] = {}
        self._known: Dict[str, Any] = {}
        self._outcomes: List[Tuple[Outcome, ...]] = []  # per trial: what each criterion's rule says
        self._tables: List[Tuple[Optional[Table], ...]] = []
        self._waiting: List[FrozenSet[int]] = []  # criteria waiting for the person's answer
        self._failed: List[int] = []  # how many criteria are not met
        self._verdicts: List[Verdict] = []
        self._ruling_in: List[Any] = []  # per open trial: the facts whose answer could rule it in
        self._gains: List[Mapping[str, Gain]] = []  # per open trial: what it adds to the board, by fact
        self._results: List[TrialResult] = []
        self._open_results: Optional[List[TrialResult]] = None  # those of the open trials, made when asked
        self._open = 0  # trials not ruled out
        self._board = Board(self.analysis.info.tier)
        started: Dict[int, Tuple[Any, ...]] = {}  # copies of a trial with the same criteria start alike
        for t, trial in enumerate(self.trials):
            start = started.get(id(trial.criteria))
            if start is None:
                start = started[id(trial.criteria)] = self._start(trial)
            scope, outcomes, tables, waiting, failed, verdict, ruling_in, gains = start
            self._scope.append(scope)
            for key in scope:
                self._readers[key].append(t)
            self._outcomes.append(outcomes)
            self._tables.append(tables)
            self._waiting.append(waiting)
            self._failed.append(failed)
            self._verdicts.append(verdict)
            is_open = verdict is not Verdict.NOT_ELIGIBLE
            self._ruling_in.append(ruling_in if is_open else NO_FACTS)
            self._gains.append(gains if is_open else _NO_GAINS)
            self._results.append(TrialResult(trial, verdict, outcomes=outcomes))
            if is_open:
                self._open += 1
                for key, gain in gains.items():
                    self._board.add(key, gain)
        self._index = {trial.id: t for t, trial in enumerate(self.trials)}
        self._root: Optional[Matcher] = None
        self._fresh = False
        self._recent: List[Tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def _start(self, trial: Trial) -> Tuple[Any, ...]:
        scope: Dict[str, List[int]] = {}
        for c, criterion in enumerate(trial.criteria):
            for key in self.analysis.scope(criterion.rule):
                scope.setdefault(key, []).append(c)
        judged = [self.analysis.judge(c, {}) for c in trial.criteria]
        outcomes = tuple(o for o, _ in judged)
        tables = tuple(table for _, table in judged)
        waiting = frozenset(c for c, o in enumerate(outcomes) if o[2] is AnsweredBy.PATIENT)
        failed = sum(1 for o in outcomes if o[0] is Status.NOT_MET)
        verdict = _verdict(failed, waiting)
        positions = {key: tuple(where) for key, where in scope.items()}
        ruling_in = ruling_in_facts(verdict, waiting, tables)
        gains = self.analysis.trial_gains(trial.criteria, tables, verdict, waiting, ruling_in)
        return positions, outcomes, tables, waiting, failed, verdict, ruling_in, gains

    # -- the person's state ---------------------------------------------------------------
    def _copies(self) -> Tuple[Any, ...]:
        return (dict(self._facts), dict(self._known), list(self._outcomes), list(self._tables), list(self._waiting),
                list(self._failed), list(self._verdicts), list(self._ruling_in), list(self._gains),
                list(self._results), self._open, self._board.clone())

    def _set(self, state: Tuple[Any, ...]) -> None:
        self._open_results = None
        (self._facts, self._known, self._outcomes, self._tables, self._waiting, self._failed, self._verdicts,
         self._ruling_in, self._gains, self._results, self._open, self._board) = state

    def copy(self, remember: bool = True) -> "Matcher":
        """A matcher in the same state, sharing the trials and the index (cheap).

        ``remember``: the copy starts from, and leaves, recent states of this matcher's copies
        (see the class's docstring); without it the copy goes its own way, which suits one
        person's matcher kept for a whole conversation.
        """
        twin = object.__new__(Matcher)
        twin.__dict__.update(self.__dict__)
        twin._set(self._copies())
        twin._root = (self._root or self) if remember else None
        twin._fresh = remember
        return twin

    def _start_from_nearest(self, facts: Mapping[str, Any]) -> None:
        root, self._fresh = self._root, False
        if root is None:
            return
        with root._lock:
            recent = list(root._recent)
        nearest = min(recent, key=lambda state: _distance(state[0], facts), default=None)
        if nearest is not None and _distance(nearest[0], facts) < _distance(self._facts, facts):
            self._set((dict(nearest[0]), dict(nearest[1]), *(list(part) for part in nearest[2:10]), nearest[10],
                       nearest[11].clone()))

    def _remember(self) -> None:
        root = self._root
        if root is None:
            return
        state = self._copies()
        with root._lock:
            root._recent = [state, *(s for s in root._recent if s[0] != state[0])][:self.RECENT]

    def update(self, facts: Mapping[str, Any]) -> None:
        """Bring every trial up to date with the person's facts."""
        with _no_collection():
            self._update(dict(facts))

    def _update(self, facts: Dict[str, Any]) -> None:
        if self._fresh:
            self._start_from_nearest(facts)
        known = effective_facts(facts, self.vocabulary)
        old = self._known
        changed = [k for k in known.keys() | old.keys() if known.get(k) != old.get(k)]
        board = self._board
        for key in facts.keys() - self._facts.keys():
            board.park(key)
        for key in self._facts.keys() - facts.keys():
            board.unpark(key)
        self._facts, self._known = facts, known
        touched: Dict[int, Iterable[int]] = {}  # trial -> the criteria to judge again
        scope = self._scope
        for key in changed:
            for t in self._readers.get(key, ()):
                where = touched.get(t)  # most answers change one fact: its criteria as kept, no new set
                touched[t] = scope[t][key] if where is None else {*where, *scope[t][key]}
        # A fact now known has no tallies left anywhere: every criterion that read it is decided
        # on it, or no longer waits for it. Its entry is dropped from the board at once, and the
        # trials' own gains keep theirs until something else makes them count again ("stale").
        settled = {k for k in changed if known.get(k) is not None}
        returning = {k for k in changed if known.get(k) is None and old.get(k) is not None}  # stale until now
        deltas: Dict[str, List[int]] = {}
        for t, where in touched.items():
            self._refresh(t, where, settled, returning, deltas)
        for key in settled:
            board.drop(key)
        board.add_all((key, delta) for key, delta in deltas.items() if known.get(key) is None)
        self._open_results = None
        self._remember()

    def _refresh(self, t: int, where: Iterable[int], settled: Set[str], returning: Set[str],
                 deltas: Dict[str, List[int]]) -> None:
        """Re-evaluate some criteria of one trial, and add how its tallies move to ``deltas``."""
        trial, known, analysis = self.trials[t], self._known, self.analysis
        old_tables, old_verdict, old_waiting = self._tables[t], self._verdicts[t], self._waiting[t]
        outcomes, tables = list(self._outcomes[t]), list(old_tables)
        failed, waiting = self._failed[t], set(old_waiting)
        for c in where:
            outcome, table = analysis.judge(trial.criteria[c], known)
            failed += (outcome[0] is Status.NOT_MET) - (outcomes[c][0] is Status.NOT_MET)
            if outcome[2] is AnsweredBy.PATIENT:
                waiting.add(c)
            else:
                waiting.discard(c)
            outcomes[c], tables[c] = outcome, table
        frozen_waiting = frozenset(waiting) if waiting != old_waiting else old_waiting
        verdict = _verdict(failed, frozen_waiting)
        was_open, is_open = old_verdict is not Verdict.NOT_ELIGIBLE, verdict is not Verdict.NOT_ELIGIBLE
        if was_open or is_open:
            old_gains = self._gains[t]
            new_in, gains = NO_FACTS, _NO_GAINS
            if is_open:
                new_in = ruling_in_facts(verdict, frozen_waiting, tables)
                if was_open:  # what the re-evaluated criteria read, who could rule it in, stale entries
                    keys = set(self._ruling_in[t])
                    keys.update(new_in)
                    for c in where:
                        if old_tables[c]:
                            keys.update(old_tables[c])
                        if tables[c]:
                            keys.update(tables[c])
                    if returning:
                        keys.update(returning.intersection(old_gains))
                    gains = self._moved(t, keys - settled, returning, old_gains, tables, verdict, frozen_waiting,
                                        new_in, deltas)
                else:  # back in: all of its tallies come
                    gains = analysis.trial_gains(trial.criteria, tables, verdict, frozen_waiting, new_in)
                    _add(deltas, gains.items(), 1)
            elif old_gains:  # ruled out: all of its tallies go (stale ones are dropped from the board)
                _add(deltas, old_gains.items() if not returning else
                     [(key, gain) for key, gain in old_gains.items() if key not in returning], -1)
            self._ruling_in[t], self._gains[t] = new_in, gains
            self._open += is_open - was_open
        frozen = tuple(outcomes)
        self._outcomes[t], self._tables[t] = frozen, tuple(tables)
        self._waiting[t], self._failed[t] = frozen_waiting, failed
        self._verdicts[t] = verdict
        self._results[t] = TrialResult(trial, verdict, outcomes=frozen)

    def _moved(self, t: int, keys: Set[str], returning: Set[str], old_gains: Mapping[str, Gain],
               tables: Sequence[Optional[Table]], verdict: Verdict, waiting: FrozenSet[int], ruling_in: FrozenSet[str],
               deltas: Dict[str, List[int]]) -> Mapping[str, Gain]:
        """An open trial's gains after some of its criteria changed: those of ``keys`` counted again
        (a stale entry, of a fact known until now, was not on the board)."""
        if not keys:
            return old_gains
        gains = dict(old_gains)
        gain, scope, criteria = self.analysis.gain, self._scope[t], self.trials[t].criteria
        for key in keys:
            new = gain(key, scope[key], criteria, tables, verdict, waiting, ruling_in)
            old = gains.pop(key, _ZERO)
            if key in returning:
                old = _ZERO
            if new != _ZERO:
                gains[key] = new
            if new != old:
                d = deltas.get(key)
                if d is None:
                    deltas[key] = [new[0] - old[0], new[1] - old[1], new[2] - old[2], new[3] - old[3]]
                else:
                    d[0] += new[0] - old[0]; d[1] += new[1] - old[1]  # noqa: E702
                    d[2] += new[2] - old[2]; d[3] += new[3] - old[3]  # noqa: E702
        return gains

    def results(self) -> List[TrialResult]:
        offer_tallies(self)
        return list(self._results)

    def verdicts(self) -> Dict[str, Verdict]:
        return {trial.id: verdict for trial, verdict in zip(self.trials, self._verdicts)}

    # -- lending the tallies to bot.questions --------------------------------------------
    def _positions(self, results: Sequence[TrialResult]) -> Optional[List[int]]:
        """Where each result stands among this matcher's current results, or None if one is not there."""
        own, index = self._results, self._index
        positions = []
        for result in results:
            t = index.get(result.trial.id)
            if t is None or own[t] is not result:
                return None
            positions.append(t)
        return positions

    def board_for(self, results: Sequence[TrialResult], facts: Mapping[str, Any],
                  vocabulary: Vocabulary) -> Optional[Tuple[Board, FirstSeen]]:
        """The tallies for these results if they are this matcher's own and current, else None."""
        if vocabulary is not self.vocabulary or not results or dict(facts) != self._facts:
            return None
        if len(results) == self._open:
            if self._open_results is None:
                self._open_results = [result for result, verdict in zip(self._results, self._verdicts)
                                      if verdict is not Verdict.NOT_ELIGIBLE]
            # the open trials as handed out, in order? (results compare by identity, in C: at 100,000
            # trials, a loop here cost 70 ms)
            if list(results) == self._open_results:
                return self._board, lambda keys: self._first_seen(keys, self._is_open)
        positions = self._positions(results)
        if positions is None:
            return None
        chosen = set(positions)  # some of them, or ruled-out ones too: tallied from the kept tables
        return self.recount(positions), lambda keys: self._first_seen(keys, chosen.__contains__)

    def recount(self, positions: Optional[Iterable[int]] = None) -> Board:
        """The tallies of these trials (default: the open ones) counted afresh from the kept tables;
        for the open trials, what the running board holds."""
        if positions is None:
            positions = [t for t, v in enumerate(self._verdicts) if v is not Verdict.NOT_ELIGIBLE]
        board = Board(self.analysis.info.tier, parked=self._facts)
        for t in positions:
            tables, verdict, waiting = self._tables[t], self._verdicts[t], self._waiting[t]
            ruling_in = ruling_in_facts(verdict, waiting, tables)
            for key, gain in self.analysis.trial_gains(self.trials[t].criteria, tables, verdict, waiting,
                                                       ruling_in).items():
                board.add(key, gain)
        return board

    def _is_open(self, t: int) -> bool:
        return self._verdicts[t] is not Verdict.NOT_ELIGIBLE

    def _first_seen(self, keys: Iterable[str], allowed: Any) -> Dict[str, Tuple[int, int, int]]:
        """For ties: the first trial, criterion and place in its rule where each fact is still asked for."""
        found: Dict[str, Tuple[int, int, int]] = {}
        for key in keys:
            for t in self._readers.get(key, ()):
                if not allowed(t):
                    continue
                tables = self._tables[t]
                for c in self._scope[t][key]:
                    table = tables[c]
                    entry = table.get(key) if table else None
                    if entry is not None and entry[4]:
                        found[key] = (t, c, self.analysis.scope(self.trials[t].criteria[c].rule).index(key))
                        break
                if key in found:
                    break
        return found


def rank(results: Sequence[TrialResult]) -> List[TrialResult]:
    return sorted(results, key=lambda r: (VERDICT_ORDER[r.status], r.open_questions, r.trial.id))


def one_line_reason(result: TrialResult) -> str:
    """Why a trial sits where it does in the ranking, in one line."""
    if result.status is Verdict.NOT_ELIGIBLE:
        return result.deciding[0].explanation
    if result.status is Verdict.UNCERTAIN:
        count = result.open_questions
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
