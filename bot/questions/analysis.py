"""What each answer to a fact would do to each undecided criterion, and so to each trial (see
bot.questions)."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any, Callable, Collection, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from bot.evaluation import CriterionResult, CriterionOutcome, Status, Verdict
from bot.facts import AnsweredBy, FactType, Vocabulary
from bot.questions.answers import SCALE, Answers, answer_model, rule_beliefs, rule_cuts
from bot.questions.vocabulary import PATIENT_TIER, vocabulary_info
from bot.rules import All, Any_, Rule
from bot.trials import Criterion, Kind, Trial

NO_FACTS: FrozenSet[str] = frozenset()
# What one criterion does for each possible answer to one fact, as bit masks over the answers:
# (rules out, decides, still waits for the person, expected criteria decided (scaled), the fact is
# one the criterion waits for itself rather than one that implies it).
Entry = Tuple[int, int, int, int, bool]
Table = Dict[str, Entry]
Gain = Tuple[int, int, int, int]  # trials settled, criteria decided, rule_out (all scaled), criteria waiting


class _With:
    """The known facts with a few more (an answer and what it implies), read like a mapping."""

    __slots__ = ("known", "extra")

    def __init__(self, known: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
        self.known, self.extra = known, extra

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.extra:
            return self.extra[key]
        return self.known.get(key, default)


class Analysis:
    """The answers to expect for the facts of a set of trials, and what each would do to a criterion.

    A criterion's table depends only on its rule and the values that rule reads, so it is kept
    by those and shared by the criteria (and trials) that have the same rule.
    """

    MAX_TABLES = 200_000

    def __init__(self, vocabulary: Vocabulary, today: date, trials: Iterable[Trial]) -> None:
        self.vocabulary = vocabulary
        self.today = today
        self.info = vocabulary_info(vocabulary)
        self._rules: Dict[int, Tuple[Rule, int, Tuple[str, ...]]] = {}  # id(rule) -> (rule, rule number, scope)
        self._numbers: Dict[Rule, int] = {}
        self._cuts: Dict[str, Set[float]] = {}
        self._beliefs: Dict[str, List[Any]] = {}  # fact -> what the criteria's priors say of it
        self._answers: Dict[str, Answers] = {}
        self._probability: Dict[Tuple[str, int], int] = {}
        self._tables: Dict[Tuple[int, Kind, Tuple[Any, ...], frozenset], Optional[Table]] = {}
        self._judged: Dict[Tuple[int, Kind, Tuple[Any, ...]], Tuple[CriterionOutcome, Optional[Table]]] = {}
        self._order = list(AnsweredBy)
        self._lock = threading.Lock()
        seen: Set[int] = set()
        for trial in trials:
            for criterion in trial.criteria:
                if id(criterion) not in seen:  # copies of a trial share their criteria
                    seen.add(id(criterion))
                    self.rule(criterion.rule)
                    holds = 1 - criterion.rule_out if criterion.kind is Kind.INCLUSION else criterion.rule_out
                    for key, belief in rule_beliefs(criterion.rule, holds):
                        self._beliefs.setdefault(key, []).append(belief)

    def belief(self, key: str) -> Optional[Any]:
        found = self._beliefs.get(key)
        if not found:
            return None
        if self.vocabulary[key].type is FactType.CHOICE:
            names = list(self.vocabulary[key].choices)
            shares = dict.fromkeys(names, 0.0)
            for belief in found:
                if not isinstance(belief, tuple):
                    continue
                inside, p = belief
                rest = [n for n in names if n not in inside]
                for name in names:
                    shares[name] += p / len(inside) if name in inside else ((1 - p) / len(rest) if rest else 0.0)
            return shares
        values = [b for b in found if isinstance(b, float)]
        return sum(values) / len(values) if values else None

    def rule(self, rule: Rule) -> Tuple[Rule, int, Tuple[str, ...]]:
        """The rule's number (equal rules share it) and scope: the facts it reads, then those that imply them."""
        got = self._rules.get(id(rule))
        if got is None:
            number = self._numbers.get(rule)
            if number is None:
                number = self._numbers[rule] = len(self._numbers)
                for key, cut in rule_cuts(rule):
                    self._cuts.setdefault(key, set()).add(cut)
            reads = rule.facts
            implying = [s for key in reads for s in self.info.implied_by.get(key, ()) if s not in reads]
            got = self._rules[id(rule)] = (rule, number, tuple(dict.fromkeys((*reads, *implying))))
        return got

    def scope(self, rule: Rule) -> Tuple[str, ...]:
        return self.rule(rule)[2]

    def answers(self, key: str) -> Answers:
        got = self._answers.get(key)
        if got is None:
            definition = self.vocabulary[key]
            belief = self.belief(key) if definition.type in (FactType.BOOLEAN, FactType.CHOICE) else None
            got = self._answers[key] = answer_model(definition, self._cuts.get(key, ()), self.today, belief)
        return got

    def probability(self, key: str, mask: int) -> int:
        """P(the answer to ``key`` is one of those in ``mask``), in units of 1/SCALE."""
        got = self._probability.get((key, mask))
        if got is None:
            got = sum(p for i, (_, p) in enumerate(self.answers(key)) if mask >> i & 1)
            self._probability[(key, mask)] = got
        return got

    def _implied(self, known: Mapping[str, Any], key: str, value: Any) -> Dict[str, Any]:
        extra = {key: value}
        if key not in self.info.implies:
            return extra
        frontier = [key]
        while frontier:
            source = frontier.pop()
            for target, equals, implied in self.info.implies.get(source, ()):
                if target not in extra and known.get(target) is None and extra.get(source) == equals:
                    extra[target] = implied
                    frontier.append(target)
        return extra

    def judge(self, criterion: Criterion, known: Mapping[str, Any]) -> Tuple[CriterionOutcome, Optional[Table]]:
        """As evaluation.evaluate_criterion without the criterion, and the criterion's table; both
        kept by rule and values, and shared by the criteria alike."""
        rule, number, scope = self._rules.get(id(criterion.rule)) or self.rule(criterion.rule)
        values = (known.get(scope[0]),) if len(scope) == 1 else tuple([known.get(k) for k in scope])
        cache_key = (number, criterion.kind, values)
        got = self._judged.get(cache_key)
        if got is None:
            holds = rule.evaluate(known, self.today)
            if holds is None:
                missing = rule.missing(known, self.today)
                settled_by = self._order[min(self.info.tier[k] for k in missing)]
                status = Status.UNKNOWN
            else:
                passes = holds if criterion.kind is Kind.INCLUSION else not holds
                status, missing, settled_by = Status.MET if passes else Status.NOT_MET, frozenset(), None
            table = self.table(criterion, CriterionResult(criterion, status, missing, settled_by), known,
                               (*cache_key, missing))
            got = ((status, missing, settled_by), table)
            with self._lock:
                if len(self._judged) > self.MAX_TABLES:
                    self._judged.clear()
                self._judged[cache_key] = got
        return got

    def _evaluator(self, rule: Rule, known: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], Optional[bool]]:
        """rule.evaluate over the known facts and a few more; for an "all" or "any" of many parts,
        only the parts that read the new facts are evaluated again."""
        today = self.today
        if not isinstance(rule, All) or len(rule.rules) < 6:
            return lambda extra: rule.evaluate(_With(known, extra), today)  # type: ignore[arg-type]
        parts = rule.rules
        base = [part.evaluate(known, today) for part in parts]
        counts = {True: base.count(True), False: base.count(False), None: base.count(None)}
        readers: Dict[str, List[int]] = {}
        for i, part in enumerate(parts):
            for key in part.facts:
                readers.setdefault(key, []).append(i)
        is_any = isinstance(rule, Any_)

        def evaluate(extra: Mapping[str, Any]) -> Optional[bool]:
            now = dict(counts)
            given = _With(known, extra)
            for i in {i for key in extra for i in readers.get(key, ())}:
                now[base[i]] -= 1
                now[parts[i].evaluate(given, today)] += 1  # type: ignore[arg-type]
            if is_any:
                return True if now[True] else (None if now[None] else False)
            return False if now[False] else (None if now[None] else True)
        return evaluate

    def table(self, criterion: Criterion, result: CriterionResult, known: Mapping[str, Any],
              cache_key: Optional[Tuple[Any, ...]] = None) -> Optional[Table]:
        """For an undecided criterion, what each answer to each fact that could decide it would do."""
        if result.status is not Status.UNKNOWN:
            return None
        rule, number, scope = self.rule(criterion.rule)
        if cache_key is None:
            cache_key = (number, criterion.kind, tuple([known.get(k) for k in scope]), result.missing)
        got = self._tables.get(cache_key, False)
        if got is not False:
            return got  # type: ignore[return-value]
        table: Table = {}
        patient, askable = self.info.tier, self.info.askable
        inclusion = criterion.kind is Kind.INCLUSION
        tiers = {patient.get(k) for k in rule.facts}
        # still unknown after an answer: does it still wait for the person? With one kind of fact
        # only, the facts still missing tell: all the person's, or none.
        always_waits = tiers == {PATIENT_TIER}
        never_waits = PATIENT_TIER not in tiers
        evaluate = self._evaluator(rule, known)
        for key in scope:
            direct = key in result.missing
            if key not in askable or not (direct or known.get(key) is None):
                continue
            out = decided = waiting = 0
            expected = 0
            for i, (value, p) in enumerate(self.answers(key)):
                extra = self._implied(known, key, value)
                holds = evaluate(extra)
                if holds is None:
                    if always_waits or (not never_waits and any(
                            patient.get(k) == PATIENT_TIER
                            for k in rule.missing(_With(known, extra), self.today))):  # type: ignore[arg-type]
                        waiting |= 1 << i
                    continue
                decided |= 1 << i
                expected += p
                if holds is not inclusion:
                    out |= 1 << i
            if direct or decided:
                table[key] = (out, decided, waiting, expected, direct)
        with self._lock:
            if len(self._tables) > self.MAX_TABLES:
                self._tables.clear()
            self._tables[cache_key] = table
        return table

    def trial_gains(self, criteria: Sequence[Criterion], tables: Sequence[Optional[Table]], verdict: Verdict,
                    waiting: Collection[int], ruling_in: Collection[str]) -> Dict[str, Gain]:
        """What asking each fact that one trial reads is expected to settle in it (a Gain).

        ``tables`` are its criteria's; ``waiting`` the criteria still waiting for the person;
        ``ruling_in`` the facts that all of them read, the only ones whose answer could leave the
        trial with nothing to ask (settled too). bot.matching sums the same over a catalogue at once.
        """
        found: Dict[str, List[int]] = {}
        for c, table in enumerate(tables):
            if not table:
                continue
            weight = None
            for key, entry in table.items():
                tally = found.get(key)
                if tally is None:
                    tally = found[key] = [0, 0, 0, 0]
                tally[0] |= entry[0]
                tally[1] += entry[3]
                if entry[4]:
                    if weight is None:
                        weight = round(criteria[c].rule_out * SCALE)
                    tally[2] += weight
                    tally[3] += 1
        gains: Dict[str, Gain] = {}
        for key, (out, expected, weight, count) in found.items():
            if verdict is Verdict.NOT_ELIGIBLE:
                gains[key] = (0, expected, weight, count)
                continue
            settles = out
            if key in ruling_in and verdict is Verdict.UNCERTAIN:
                settles = self._with_ruled_in(key, out, waiting, tables)
            gains[key] = ((self.probability(key, settles) if settles else 0), expected, weight, count)
        return gains

    def _with_ruled_in(self, key: str, ruled_out: int, waiting: Collection[int],
                       tables: Sequence[Optional[Table]]) -> int:
        """The answers of ``key`` that settle an uncertain trial: those that rule it out, and those
        that meet every criterion still waiting for the person."""
        full = (1 << len(self.answers(key))) - 1
        ruled_in = full & ~ruled_out
        for c in waiting:
            entry = tables[c][key]  # type: ignore[index]
            ruled_in &= entry[1] | (full & ~entry[2])
        return ruled_out | ruled_in


def ruling_in_facts(verdict: Verdict, waiting: Collection[int], tables: Sequence[Optional[Table]]) -> FrozenSet[str]:
    """The facts read by every criterion still waiting for the person (see Analysis.gain)."""
    if verdict is not Verdict.UNCERTAIN or not waiting:
        return NO_FACTS
    common: Any = None
    for c in waiting:
        table = tables[c]
        if not table:
            return NO_FACTS
        common = table.keys() if common is None else common & table.keys()
        if not common:
            return NO_FACTS
    return frozenset(common)
