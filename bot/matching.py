"""Matching one person against a catalogue of trials.

``Matcher`` keeps one person's results against every trial of a catalogue up to date, answer by
answer, and the tallies that choose the next question (bot.questions): what each fact's answer is
expected to settle across the trials still open. ``rank`` orders the results for the person:
likely eligible first, then uncertain by how little is still unknown, then not eligible.

The catalogue is kept in columns (numpy arrays) so that an answer costs a few array operations
rather than a pass of Python over every trial it touches (the first answers, age or sex, touch
nearly all of them):

- criteria with the same rule and kind form a *class*: its outcome and its table (what each answer
  would do, bot.questions) depend on the facts only, so a class is judged once per answer for all
  the trials that have it;
- per trial, the criteria not met and those waiting for the person are counted from the classes;
- the tallies are summed over *pairs* (a criterion, a fact it reads), sorted by fact and trial, in
  the way ``Analysis.trial_gains`` sums them for one trial, for all the open trials at once.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from datetime import date
from typing import Any, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from bot import texts
from bot.evaluation import CriterionOutcome, Status, TrialResult, Verdict
from bot.facts import AnsweredBy, Vocabulary, effective_facts
from bot.places import gazetteer, is_near
from bot.questions import TallySource
from bot.questions.analysis import Analysis, Table
from bot.questions.answers import SCALE
from bot.questions.board import Board, FirstSeen
from bot.trials import Criterion, Trial

VERDICT_ORDER = {Verdict.LIKELY_ELIGIBLE: 0, Verdict.UNCERTAIN: 1, Verdict.NOT_ELIGIBLE: 2}
# Verdicts as the per-trial column holds them.
LIKELY, UNCERTAIN, NOT_ELIGIBLE = 0, 1, 2
VERDICTS = (Verdict.LIKELY_ELIGIBLE, Verdict.UNCERTAIN, Verdict.NOT_ELIGIBLE)
_ABSENT = object()
_CHUNK = 8  # answers' probabilities are looked up 8 answers (256 masks) at a time
Cell = Tuple[CriterionOutcome, Optional[Table]]  # what Analysis.judge says of a class of criteria


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection meanwhile: what a matcher makes is not cyclic garbage, and collecting
    would only rescan the catalogue's many objects."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _distance(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    return sum(1 for k in a.keys() | b.keys() if a.get(k, _ABSENT) != b.get(k, _ABSENT))


class _Outcomes:
    """A trial's criteria outcomes, read from its classes' cells when a TrialResult asks."""

    __slots__ = ("cells", "classes")

    def __init__(self, cells: Sequence[Cell], classes: Tuple[int, ...]) -> None:
        self.cells, self.classes = cells, classes

    def __len__(self) -> int:
        return len(self.classes)

    def __iter__(self) -> Iterator[CriterionOutcome]:
        cells = self.cells
        return (cells[j][0] for j in self.classes)


class _Shape(NamedTuple):
    """A trial's criteria: the class of each, and the pairs (by fact, criterion, slot, rule_out)."""
    classes: Tuple[int, ...]
    pair_key: np.ndarray
    pair_position: np.ndarray
    pair_slot: np.ndarray
    pair_weight: np.ndarray


class _Layout:
    """Where a catalogue's criteria are and what they read: the same for every person.

    Per class, its slots: one per fact of its scope (Analysis.scope). Per trial, its criteria's
    classes. Pairs (a criterion, a fact of its scope) sorted by fact, then trial, then criterion;
    a trial's pairs of one fact form a *group*, which Analysis.trial_gains sums into one gain.
    """

    def __init__(self, trials: Sequence[Trial], analysis: Analysis) -> None:
        self.representative: List[Criterion] = []  # per class: a criterion of it, to judge
        self.scopes: List[Tuple[str, ...]] = []  # per class: the facts it reads
        self.slot_start: List[int] = []  # per class: its first slot
        self.keys: List[str] = []  # the facts, by number
        self.key_index: Dict[str, int] = {}
        self.readers: Dict[str, List[int]] = {}  # fact -> the classes that read it
        self._classes: Dict[Tuple[int, Any], int] = {}
        self._slot_key: List[int] = []
        self._slot_place: List[int] = []
        shapes: Dict[int, _Shape] = {}  # copies of a trial share their criteria, and their shape
        per_trial = []
        for trial in trials:
            shape = shapes.get(id(trial.criteria))
            if shape is None:
                shape = shapes[id(trial.criteria)] = self._shape(trial.criteria, analysis)
            per_trial.append(shape)
        self.trials = len(per_trial)
        self.trial_classes: List[Tuple[int, ...]] = [shape.classes for shape in per_trial]
        self.slot_class = np.repeat(np.arange(len(self.scopes), dtype=np.int32), [len(s) for s in self.scopes])
        self.slot_key = np.array(self._slot_key, np.int32)
        self.slot_place = np.array(self._slot_place, np.int32)
        self._place_criteria(per_trial)
        self._place_pairs(per_trial)
        self.names = np.array(self.keys, object)
        self.tier = np.array([analysis.info.tier[key] for key in self.keys], np.int64)  # who answers (AnsweredBy)
        self._probabilities(analysis)

    def _shape(self, criteria: Sequence[Criterion], analysis: Analysis) -> "_Shape":
        """A trial's criteria as classes and pairs (new classes and facts are numbered on the way)."""
        classes, pair_key, pair_position, pair_slot, pair_weight = [], [], [], [], []
        for position, criterion in enumerate(criteria):
            _, number, scope = analysis.rule(criterion.rule)
            j = self._classes.get((number, criterion.kind))
            if j is None:
                j = self._classes[(number, criterion.kind)] = len(self.representative)
                self.representative.append(criterion)
                self.scopes.append(scope)
                self.slot_start.append(len(self._slot_key))
                for place, key in enumerate(scope):
                    if key not in self.key_index:
                        self.key_index[key] = len(self.keys)
                        self.keys.append(key)
                    self.readers.setdefault(key, []).append(j)
                    self._slot_key.append(self.key_index[key])
                    self._slot_place.append(place)
            classes.append(j)
            for place, key in enumerate(scope):
                pair_key.append(self.key_index[key])
                pair_position.append(position)
                pair_slot.append(self.slot_start[j] + place)
                pair_weight.append(round(criterion.rule_out * SCALE))
        return _Shape(tuple(classes), np.array(pair_key, np.int32), np.array(pair_position, np.int32),
                      np.array(pair_slot, np.int32), np.array(pair_weight, np.int64))

    def _place_criteria(self, per_trial: Sequence["_Shape"]) -> None:
        """The criteria in trial order (their trial and class), and the trials of each class (a
        trial as many times as it has criteria of the class)."""
        self.criterion_trial = np.repeat(np.arange(self.trials, dtype=np.int32), [len(s.classes) for s in per_trial])
        self.criterion_class = np.array([j for shape in per_trial for j in shape.classes], np.int32)
        self.class_trials = self.criterion_trial[np.argsort(self.criterion_class, kind="stable")]
        self.class_ptr = np.concatenate(([0], np.cumsum(np.bincount(self.criterion_class,
                                                                    minlength=len(self.scopes))))).astype(np.int64)

    def _place_pairs(self, per_trial: Sequence["_Shape"]) -> None:
        def joined(column: str, dtype: Any) -> np.ndarray:
            return np.concatenate([getattr(s, column) for s in per_trial]) if per_trial else np.zeros(0, dtype)

        pair_trial = np.repeat(np.arange(self.trials, dtype=np.int32), [len(s.pair_key) for s in per_trial])
        pair_key = joined("pair_key", np.int32)
        order = np.argsort(pair_key, kind="stable")  # by fact; trials and criteria stay in order
        pair_key = pair_key[order]
        self.pair_trial = pair_trial[order]
        self.pair_position = joined("pair_position", np.int32)[order]
        self.pair_slot = joined("pair_slot", np.int32)[order]
        self.pair_weight = joined("pair_weight", np.int64)[order]  # the criterion's rule_out, scaled
        self.key_ptr = np.searchsorted(pair_key, np.arange(len(self.keys) + 1))  # each fact's pairs
        starts = np.ones(len(order), bool)
        starts[1:] = (pair_key[1:] != pair_key[:-1]) | (self.pair_trial[1:] != self.pair_trial[:-1])
        self.pair_group = (np.cumsum(starts) - 1).astype(np.int32)
        self.group_key = pair_key[starts]
        self.group_trial = self.pair_trial[starts]
        self.pair_alone = np.bincount(self.pair_group)[self.pair_group] == 1  # its group's only pair

    def _probabilities(self, analysis: Analysis) -> None:
        """Tables of P(the answer is one of a mask), by fact, 8 answers at a time (see ``probability``)."""
        sizes = [len(analysis.answers(key)) for key in self.keys]
        for key, size in zip(self.keys, sizes):
            if size > 62:  # 64-bit masks (see bot.questions.answers.MAX_CUTS): a choice of more than 62 names
                raise ValueError(f"the fact {key!r} has {size} possible answers; at most 62 can be matched")
        chunks = max([-(-n // _CHUNK) for n in sizes] or [1])
        tables: List[np.ndarray] = [np.zeros(1 << _CHUNK, np.int64)]  # a chunk past a fact's answers: zeros
        self.base = np.zeros((chunks, len(self.keys)), np.int64)
        end = len(tables[0])
        for k, key in enumerate(self.keys):
            p = np.array([p for _, p in analysis.answers(key)], np.int64)
            for c in range(-(-len(p) // _CHUNK)):
                part = p[c * _CHUNK:(c + 1) * _CHUNK]
                masks = np.arange(1 << len(part))
                self.base[c, k] = end
                tables.append(((masks[:, None] >> np.arange(len(part))) & 1) @ part)
                end += len(masks)
        self.table = np.concatenate(tables)
        self.full = (np.int64(1) << np.array(sizes, np.int64)) - 1  # every answer of a fact

    def probability(self, keys: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Analysis.probability for many (fact, mask) at once."""
        found = self.table[self.base[0, keys] + (masks & ((1 << _CHUNK) - 1))]
        for c in range(1, len(self.base)):
            high = masks >> (c * _CHUNK)
            some = np.flatnonzero(high)
            if some.size:
                found[some] += self.table[self.base[c, keys[some]] + (high[some] & ((1 << _CHUNK) - 1))]
        return found


class _Tallies(Mapping[str, Tuple[int, int, int, int]]):
    """A board's entries, read from the sums when asked: a board has thousands of facts, and the
    chooser reads the entries of a few (its candidates by tier are made at once)."""

    def __init__(self, layout: "_Layout", sums: Tuple[np.ndarray, ...]) -> None:
        self._index, self._names, self._sums = layout.key_index, layout.names, sums
        self._present = (sums[0] | sums[1] | sums[2] | sums[3]) != 0

    def __getitem__(self, key: str) -> Tuple[int, int, int, int]:
        k = self._index.get(key)
        if k is None or not self._present[k]:
            raise KeyError(key)
        return int(self._sums[0][k]), int(self._sums[1][k]), int(self._sums[2][k]), int(self._sums[3][k])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names[self._present].tolist())

    def __len__(self) -> int:
        return int(self._present.sum())


class _Slots(NamedTuple):
    """One entry of a class's table per fact of its scope (bot.questions.analysis.Entry), in columns."""
    has: np.ndarray  # bool: the table has an entry for the fact
    out: np.ndarray  # answers that rule the criterion out (mask)
    decided: np.ndarray  # answers that decide it (mask)
    waits: np.ndarray  # answers that leave it waiting for the person (mask)
    expected: np.ndarray
    direct: np.ndarray  # bool
    settled: np.ndarray  # P(an answer in ``out``): what the criterion alone settles

    @staticmethod
    def empty(size: int) -> "_Slots":
        return _Slots(np.zeros(size, bool), *(np.zeros(size, np.int64) for _ in range(4)), np.zeros(size, bool),
                      np.zeros(size, np.int64))

    def written(self, layout: "_Layout", slots: List[int], entries: List[Any]) -> "_Slots":
        """A copy with these slots set (an entry, or None for none)."""
        columns = [column.copy() for column in self]
        if slots:
            where = np.array(slots, np.int64)
            columns[0][where] = [e is not None for e in entries]
            for i in range(4):
                columns[i + 1][where] = [e[i] if e is not None else 0 for e in entries]
            columns[5][where] = [e is not None and e[4] for e in entries]
            columns[6][where] = layout.probability(layout.slot_key[where], columns[1][where])
        return _Slots(*columns)


class _State(NamedTuple):
    """One person's state: never changed once made, so that copies and recent states share it."""
    facts: Dict[str, Any]
    known: Dict[str, Any]
    cells: List[Cell]  # per class
    not_met: np.ndarray  # per class: bool
    waiting_class: np.ndarray  # per class: waits for the person's answer
    slots: _Slots
    failed: np.ndarray  # per trial: criteria not met
    waiting: np.ndarray  # per trial: criteria waiting for the person
    verdicts: np.ndarray  # per trial: LIKELY, UNCERTAIN or NOT_ELIGIBLE
    results: List[TrialResult]
    sums: Tuple[np.ndarray, ...]  # per fact: the open trials' tallies (see Board)


def _verdicts(failed: np.ndarray, waiting: np.ndarray) -> np.ndarray:
    """As evaluation.verdict_of, from the criteria not met and those waiting for the person."""
    return np.where(failed > 0, NOT_ELIGIBLE, np.where(waiting > 0, UNCERTAIN, LIKELY)).astype(np.int8)


class Matcher(TallySource):
    """One person's results against many trials, brought up to date answer by answer; the tallies
    that choose the next question, lent to bot.questions when handed in (``tallies=``).

    ``copy()`` hands out a twin in the same state (cheap: states are immutable and shared). Copies
    of one matcher remember their few most recent states, and a fresh copy's first ``update``
    starts from the one nearest to the facts it is given: a conversation that copies a
    person-independent matcher every turn re-evaluates only what its last answer changed.
    """

    RECENT = 8

    def __init__(self, trials: Iterable[Trial], vocabulary: Vocabulary, today: date) -> None:
        with _no_collection():
            self.trials: List[Trial] = list(trials)
            self.vocabulary = vocabulary
            self.today = today
            self.analysis = Analysis(vocabulary, today, self.trials)
            self._layout = _Layout(self.trials, self.analysis)
            self._index = {trial.id: t for t, trial in enumerate(self.trials)}
            self._state = self._first_state()
        self._open_results: Optional[List[TrialResult]] = None  # those of the open trials, made when asked
        self._root: Optional[Matcher] = None
        self._fresh = False
        self._recent: List[_State] = []
        self._lock = threading.Lock()

    def _first_state(self) -> _State:
        layout, judge = self._layout, self.analysis.judge
        cells = [judge(criterion, {}) for criterion in layout.representative]
        not_met = np.array([cell[0][0] is Status.NOT_MET for cell in cells], bool)
        waiting_class = np.array([cell[0][2] is AnsweredBy.PATIENT for cell in cells], bool)
        slots = _Slots.empty(len(layout.slot_key)).written(layout, *self._entries(cells, range(len(cells))))
        failed = np.bincount(layout.criterion_trial, not_met[layout.criterion_class], layout.trials).astype(np.int64)
        waiting = np.bincount(layout.criterion_trial, waiting_class[layout.criterion_class],
                              layout.trials).astype(np.int64)
        verdicts = _verdicts(failed, waiting)
        results = [TrialResult(trial, VERDICTS[v], outcomes=_Outcomes(cells, classes), waiting=w)
                   for trial, v, w, classes in zip(self.trials, verdicts.tolist(), waiting.tolist(),
                                                   layout.trial_classes)]
        state = _State({}, {}, cells, not_met, waiting_class, slots, failed, waiting, verdicts, results, ())
        return state._replace(sums=self._sums(state, verdicts != NOT_ELIGIBLE))

    def _entries(self, cells: Sequence[Cell], classes: Iterable[int]) -> Tuple[List[int], List[Any]]:
        """The slots of these classes and their tables' entries."""
        where, entries = [], []
        scopes, starts = self._layout.scopes, self._layout.slot_start
        for j in classes:
            table = cells[j][1]
            for place, key in enumerate(scopes[j]):
                where.append(starts[j] + place)
                entries.append(table.get(key) if table else None)
        return where, entries

    # -- the person's state ---------------------------------------------------------------
    def copy(self, remember: bool = True) -> "Matcher":
        """A matcher in the same state, sharing the trials and the layout (cheap).

        ``remember``: the copy starts from, and leaves, recent states of this matcher's copies
        (see the class's docstring); without it the copy goes its own way, which suits one
        person's matcher kept for a whole conversation.
        """
        twin = object.__new__(Matcher)
        twin.__dict__.update(self.__dict__)
        twin._open_results = None
        twin._root = (self._root or self) if remember else None
        twin._fresh = remember
        return twin

    def _start_from_nearest(self, facts: Mapping[str, Any]) -> None:
        root, self._fresh = self._root, False
        if root is None:
            return
        with root._lock:
            recent = list(root._recent)
        nearest = min(recent, key=lambda state: _distance(state.facts, facts), default=None)
        if nearest is not None and _distance(nearest.facts, facts) < _distance(self._state.facts, facts):
            self._state = nearest

    def _remember(self) -> None:
        root, state = self._root, self._state
        if root is None:
            return
        with root._lock:
            root._recent = [state, *(s for s in root._recent if s.facts != state.facts)][:self.RECENT]

    def update(self, facts: Mapping[str, Any]) -> None:
        """Bring every trial up to date with the person's facts."""
        with _no_collection():
            if self._fresh:
                self._start_from_nearest(facts)
            self._state = self._next_state(self._state, dict(facts))
            self._open_results = None
            self._remember()

    def _next_state(self, state: _State, facts: Dict[str, Any]) -> _State:
        known = effective_facts(facts, self.vocabulary)
        moved = self._judged(state, known)
        if not moved:
            return state._replace(facts=facts, known=known)
        cells = list(state.cells)
        for j, cell in moved.items():
            cells[j] = cell
        classes = np.fromiter(moved, np.int64, len(moved))
        not_met, waiting_class = state.not_met.copy(), state.waiting_class.copy()
        not_met[classes] = [cell[0][0] is Status.NOT_MET for cell in moved.values()]
        waiting_class[classes] = [cell[0][2] is AnsweredBy.PATIENT for cell in moved.values()]
        touched, failed, waiting = self._counted(state, classes, not_met, waiting_class)
        verdicts = _verdicts(failed, waiting)
        results = list(state.results)
        touched_trials = np.flatnonzero(touched)
        trials, trial_classes = self.trials, self._layout.trial_classes
        for t, v, w in zip(touched_trials.tolist(), verdicts[touched_trials].tolist(),
                           waiting[touched_trials].tolist()):
            results[t] = TrialResult(trials[t], VERDICTS[v], outcomes=_Outcomes(cells, trial_classes[t]), waiting=w)
        slots = state.slots.written(self._layout, *self._entries(cells, moved))
        new = _State(facts, known, cells, not_met, waiting_class, slots, failed, waiting, verdicts, results, ())
        if touched_trials.size * 2 > len(trials):
            return new._replace(sums=self._sums(new, verdicts != NOT_ELIGIBLE))
        # the tallies of the other trials stay as they were: only the touched ones are counted again
        before = self._sums(state, (state.verdicts != NOT_ELIGIBLE) & touched)
        after = self._sums(new, (verdicts != NOT_ELIGIBLE) & touched)
        return new._replace(sums=tuple(total - b + a for total, b, a in zip(state.sums, before, after)))

    def _judged(self, state: _State, known: Dict[str, Any]) -> Dict[int, Cell]:
        """The classes whose outcome or table the known facts change, judged again."""
        layout, judge, cells, old = self._layout, self.analysis.judge, state.cells, state.known
        changed = [key for key in known.keys() | old.keys() if known.get(key) != old.get(key)]
        moved: Dict[int, Cell] = {}
        for j in {j for key in changed for j in layout.readers.get(key, ())}:
            cell = judge(layout.representative[j], known)
            if cell is not cells[j] and cell != cells[j]:
                moved[j] = cell
        return moved

    def _counted(self, state: _State, classes: np.ndarray, not_met: np.ndarray,
                 waiting_class: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The trials that have these classes, and every trial's criteria not met and waiting for
        the person (a trial has a class as many times as it has criteria of it)."""
        layout = self._layout
        touched = np.zeros(layout.trials, bool)
        failed, waiting = state.failed.copy(), state.waiting.copy()
        failing = (not_met[classes].astype(np.int64) - state.not_met[classes]).tolist()
        waits = (waiting_class[classes].astype(np.int64) - state.waiting_class[classes]).tolist()
        for j, failing_more, waiting_more in zip(classes.tolist(), failing, waits):
            trials = layout.class_trials[layout.class_ptr[j]:layout.class_ptr[j + 1]]
            touched[trials] = True
            if failing_more:
                np.add.at(failed, trials, failing_more)
            if waiting_more:
                np.add.at(waiting, trials, waiting_more)
        return touched, failed, waiting

    def _sums(self, state: _State, included: np.ndarray) -> Tuple[np.ndarray, ...]:
        """Per fact, the tallies of the trials ``included``: (settled, expected, weight, count) as
        Analysis.trial_gains gives them per trial, summed. Only open trials settle anything."""
        layout, slots = self._layout, state.slots
        size, slot_key = len(layout.keys), layout.slot_key
        pairs = np.flatnonzero(included[layout.pair_trial] & slots.has[layout.pair_slot])
        slot = layout.pair_slot[pairs]
        # what adds up over the pairs adds up over the slots, times how many pairs have each
        per_slot = np.bincount(slot, minlength=len(slot_key))
        expected = slots.expected * per_slot
        weight = np.where(slots.direct, np.bincount(slot, layout.pair_weight[pairs], len(slot_key)), 0)
        count = slots.direct * per_slot
        # What a trial settles: the answers that rule out any of its criteria that read the fact
        # and, for an uncertain trial whose criteria waiting for the person all read it, those that
        # meet them all ("ruling in", Analysis.trial_gains). A criterion alone to read the fact in its
        # trial, that is not the only one waiting, settles what it rules out: counted by slot.
        trial = layout.pair_trial[pairs]
        verdict = state.verdicts[trial]
        waits = state.waiting_class[layout.slot_class[slot]]
        alone = layout.pair_alone[pairs] & ~(waits & (verdict == UNCERTAIN) & (state.waiting[trial] == 1))
        is_open = verdict != NOT_ELIGIBLE
        settled = np.bincount(slot[alone & is_open], minlength=len(slot_key)) * slots.settled
        totals = [np.bincount(slot_key, column, size) for column in (settled, expected, weight, count)]
        rest = ~alone & is_open
        if rest.any():
            totals[0] += self._settled_together(state, pairs[rest], slot[rest], waits[rest])
        return tuple(total.astype(np.int64) for total in totals)

    def _settled_together(self, state: _State, pairs: np.ndarray, slot: np.ndarray, waits: np.ndarray) -> np.ndarray:
        """Per fact, what open trials settle where several of their criteria read the fact, or one
        that is the only one waiting: the groups' masks are combined (Analysis.trial_gains)."""
        layout, slots = self._layout, state.slots
        group = layout.pair_group[pairs]
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        group = group[starts]
        key, trial = layout.group_key[group], layout.group_trial[group]
        out = np.bitwise_or.reduceat(slots.out[slot], starts)
        readers = np.add.reduceat(waits.astype(np.int64), starts)
        meets = np.bitwise_and.reduceat(np.where(waits, slots.decided[slot] | ~slots.waits[slot], -1), starts)
        ruling_in = (state.verdicts[trial] == UNCERTAIN) & (readers == state.waiting[trial])
        full = layout.full[key]
        settles = np.where(ruling_in, out | (full & ~out & meets), out)
        return np.bincount(key, layout.probability(key, settles), len(layout.keys))

    def _board(self, sums: Tuple[np.ndarray, ...], facts: Mapping[str, Any]) -> Board:
        """The Board of these sums: thousands of facts, put in place by array operations."""
        layout = self._layout
        entries = _Tallies(layout, sums)
        answered = np.zeros(len(layout.keys), bool)
        answered[[layout.key_index[key] for key in facts if key in layout.key_index]] = True
        candidate = (sums[3] > 0) & ~answered  # some criterion waits for the fact, and it is not answered
        tiers = [dict(zip(layout.names[where].tolist(), sums[0][where].tolist()))
                 for where in (np.flatnonzero(candidate & (layout.tier == tier)) for tier in range(len(AnsweredBy)))]
        return Board.of(self.analysis.info.tier, facts, entries, tiers)

    def results(self) -> List[TrialResult]:
        return list(self._state.results)

    def verdicts(self) -> Dict[str, Verdict]:
        return {trial.id: VERDICTS[v] for trial, v in zip(self.trials, self._state.verdicts.tolist())}

    # -- lending the tallies to bot.questions (handed in as their ``tallies``) --------------------------------------------
    def _positions(self, results: Sequence[TrialResult]) -> Optional[List[int]]:
        """Where each result stands among this matcher's current results, or None if one is not there."""
        own, index = self._state.results, self._index
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
        state = self._state
        if vocabulary is not self.vocabulary or not results or dict(facts) != state.facts:
            return None
        is_open = state.verdicts != NOT_ELIGIBLE
        if self._open_results is None:
            self._open_results = [state.results[t] for t in np.flatnonzero(is_open).tolist()]
        # the open trials as handed out, in order? (results compare by identity, in C)
        if len(results) == len(self._open_results) and list(results) == self._open_results:
            return self._board(state.sums, state.facts), lambda keys: self._first_seen(keys, is_open)
        positions = self._positions(results)
        if positions is None:
            return None
        chosen = np.zeros(len(self.trials), bool)  # some of them, or ruled-out ones too
        chosen[positions] = True
        return self._board(self._sums(state, chosen), state.facts), lambda keys: self._first_seen(keys, chosen)

    def _first_seen(self, keys: Iterable[str], allowed: np.ndarray) -> Dict[str, Tuple[int, int, int]]:
        """For ties: the first trial, criterion and place in its rule where each fact is still asked for."""
        layout, slots = self._layout, self._state.slots
        found: Dict[str, Tuple[int, int, int]] = {}
        for key in keys:
            k = layout.key_index.get(key)
            if k is None:
                continue
            low, high = layout.key_ptr[k], layout.key_ptr[k + 1]
            slot = layout.pair_slot[low:high]
            hits = np.flatnonzero(allowed[layout.pair_trial[low:high]] & slots.has[slot] & slots.direct[slot])
            if hits.size:
                p = low + hits[0]
                found[key] = (int(layout.pair_trial[p]), int(layout.pair_position[p]),
                              int(layout.slot_place[layout.pair_slot[p]]))
        return found


def rank(results: Sequence[TrialResult]) -> List[TrialResult]:
    return sorted(results, key=lambda r: (VERDICT_ORDER[r.status], r.open_questions, r.trial.id))


def one_line_reason(result: TrialResult) -> str:
    """Why a trial sits where it does in the ranking, in one line."""
    if result.status is Verdict.NOT_ELIGIBLE:
        return result.deciding[0].explanation
    if result.status is Verdict.UNCERTAIN:
        count = result.open_questions
        return (texts.QUESTION_OPEN if count == 1 else texts.QUESTIONS_OPEN).format(count=count)
    confirm = sum(1 for r in result.criteria if r.status is Status.UNKNOWN)
    return texts.ALL_MET + (texts.TO_CONFIRM_WITH_DOCTORS.format(count=confirm) if confirm else "")


def select_trials(trials: Mapping[str, Trial], text: str) -> Optional[List[str]]:
    """Trials whose conditions are named in the text and with a site in or near a place it names
    ("trials for lung cancer near London"): [] when a place is named and no trial is near it.

    None when the text names no known condition or place, meaning: all trials.
    """
    lowered = f" {text.lower()} "
    places = gazetteer().find(text)
    by_place = {t.id for t in trials.values() if is_near(t, places)} if places else None
    by_condition = {t.id for t in trials.values()
                    if any(len(c) > 3 and c.lower() in lowered for c in t.info.get("conditions", ()))}
    if by_place is not None and by_condition:
        return sorted(by_place & by_condition)
    chosen = by_place if by_place is not None else by_condition
    return sorted(chosen) if chosen or by_place is not None else None
