"""Choosing the next question: what is most likely to settle the verdict, asked in plain words.

Only facts that could still change an undecided criterion are candidates. A question is worth
what its answer is expected to settle across the trials still open, as DQueST chooses among the
criteria of a catalogue: each fact has a distribution of possible answers (``answer_model``), and
for each answer we know which criteria it would decide and so which trials it would rule out, or
leave with nothing more for the person to answer (rule in). So:

1. the question expected to settle the most trials comes first; a question for the doctor (a
   test result, a judgement) counts for a quarter of that, as the person often cannot answer it
   (``PREFERENCE``), and a tie goes to the person's question;
2. ties go to the expected number of criteria decided, then to the criteria's ``rule_out``
   priors, then to the trial, criterion and fact named first;
3. when no answer can change a verdict any more (the person asked for every question after a
   verdict), the questions the person can answer and that decide the most criteria come first.

With one trial, the question most likely to end the screening comes first. Yes/no facts of one
topic are bundled into a single short list.

Counting this afresh means looking at every criterion of every trial given. A ``Matcher``
(bot.matching) keeps the tallies of its catalogue up to date as answers come in, in array
columns; handed in as ``tallies``, it lends them: a question over thousands of trials costs a few
array operations.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import (Any, Callable, Collection, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional,
                    Protocol, Sequence, Set, Tuple)

from bot import reply_contract, texts
from bot.evaluation import CriterionResult, CriterionOutcome, Status, TrialResult, Verdict
from bot.facts import NEVER, AnsweredBy, FactDefinition, FactType, Vocabulary, effective_facts, labelled, said_subject
from bot.rules import All, Any_, Compare, Elapsed, In, Is, Not, Rule
from bot.trials import Criterion, Kind, Trial

# -- the distribution of answers ---------------------------------------------------------
# The vocabulary does not say how common a condition or a value is; the criteria do, in their
# ``rule_out`` priors (how often a criterion rules people out, set by the curators or the
# importer). A criterion holds with probability 1 - rule_out (inclusion) or rule_out (exclusion);
# that probability is shared out down its rule ("all of n" parts each hold with p^(1/n), "any of
# n" with 1 - (1-p)^(1/n), "not" flips it) and, per fact, averaged over the criteria that read it.
# Yes/no and choice facts get their distribution that way. Otherwise:
BOOLEAN_PRIOR = 0.1  # P(yes) for a yes/no fact that no criterion gives a prior for
NEVER_PRIOR = 0.7  # P(never) for a date fact ("when was your last radiotherapy?")
# A number is uniform over its plausible range, or, without one, each interval between the
# thresholds the trials compare it with is equally likely. A date that is not "never" lies in
# each interval between the trials' time limits alike. A choice without a prior is uniform.
DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
# Who can answer: a question for the doctor (a test result, a judgement) counts for a quarter of
# what it would settle, as the person can often not answer it; the study team's are never asked.
PREFERENCE = (4, 1, 0)  # by AnsweredBy order: patient, clinician, study team
SCALE = 1 << 20  # probabilities are tallied as integers in units of 1/SCALE: sums are exact, ties are ties
PATIENT_TIER = 0
# Answers are told apart by bit masks that bot.matching keeps in 64-bit columns: a number or a
# date gets at most this many thresholds (so at most 62 answers), evenly chosen among the trials'.
MAX_CUTS = 60

NO_FACTS: FrozenSet[str] = frozenset()
Answers = Tuple[Tuple[Any, int], ...]  # (value, probability in units of 1/SCALE)
# What one criterion does for each possible answer to one fact, as bit masks over the answers:
# (rules out, decides, still waits for the person, expected criteria decided (scaled), the fact is
# one the criterion waits for itself rather than one that implies it).
Entry = Tuple[int, int, int, int, bool]
Table = Dict[str, Entry]
Gain = Tuple[int, int, int, int]  # trials settled, criteria decided, rule_out (all scaled), criteria waiting
FirstSeen = Callable[[Iterable[str]], Dict[str, Tuple[int, int, int]]]


@dataclass(frozen=True)
class Question:
    facts: Tuple[FactDefinition, ...]

    @property
    def keys(self) -> List[str]:
        return [d.key for d in self.facts]

    @property
    def is_bundle(self) -> bool:
        return len(self.facts) > 1

    @property
    def answer_type(self) -> str:
        return "yes_no" if self.is_bundle else self.facts[0].answer_type

    def text(self, subject: Optional[str] = None) -> str:
        if not self.is_bundle:
            return self.facts[0].question(subject)
        items = "\n".join(texts.LIST_ITEM.format(item=d.shown_label) for d in self.facts)
        if self.facts[0].answered_by is AnsweredBy.CLINICIAN:
            wording = texts.BUNDLE_DOCTOR_OTHER if subject else texts.BUNDLE_DOCTOR_YOU
        else:
            wording = texts.BUNDLE_OTHER if subject else texts.BUNDLE_YOU
        return wording.format(subject=said_subject(subject), items=items)

    def buttons(self) -> List[Dict[str, str]]:
        definition = self.facts[0]
        if self.answer_type == "yes_no":
            return list(texts.YES_NO_BUTTONS)
        if definition.type is FactType.CHOICE:
            choices = [{"title": definition.choice_title(name).capitalize(), "payload": words[0]}
                       for name, words in definition.choices.items()]
            return choices + [texts.YES_NO_BUTTONS[2]]
        return [texts.YES_NO_BUTTONS[2]]

    def contract(self) -> Dict[str, Any]:
        """What the reply's ``custom`` field carries for a question (bot/reply_contract.py)."""
        return reply_contract.question(self.keys, self.answer_type, None if self.is_bundle else self.facts[0].unit,
                                       self.facts[0].choices if self.answer_type == "choice" else None)

    def summary(self) -> str:
        return labelled(list(self.facts))


def rule_cuts(rule: Rule) -> Iterator[Tuple[str, float]]:
    """The thresholds a rule compares numbers with, and its time limits in days."""
    if isinstance(rule, Compare):
        yield rule.fact, rule.threshold
    elif isinstance(rule, Elapsed):
        yield rule.fact, rule.amount * DAYS[rule.unit]
    elif isinstance(rule, All):  # and Any_
        for part in rule.rules:
            yield from rule_cuts(part)
    elif isinstance(rule, Not):
        yield from rule_cuts(rule.rule)


def _scaled(shares: Sequence[Tuple[Any, float]]) -> Answers:
    """Shares as integers that add up to SCALE exactly (so that "decided for sure" ties exactly)."""
    shares = [(value, share) for value, share in shares if share > 0]
    total = sum(share for _, share in shares)
    if not shares or total <= 0:
        return ()
    scaled = [max(1, round(share / total * SCALE)) for _, share in shares]
    largest = max(range(len(scaled)), key=scaled.__getitem__)
    scaled[largest] += SCALE - sum(scaled)
    return tuple((value, p) for (value, _), p in zip(shares, scaled))


def rule_beliefs(rule: Rule, holds: float) -> Iterator[Tuple[str, Any]]:
    """What the probability that a rule holds says of its yes/no and choice facts: (fact, P(yes))
    or (fact, {choice: P})."""
    if isinstance(rule, Is):
        yield rule.fact, holds if rule.expected else 1 - holds
    elif isinstance(rule, In):
        yield rule.fact, (rule.choices, holds)
    elif isinstance(rule, Not):
        yield from rule_beliefs(rule.rule, 1 - holds)
    elif isinstance(rule, Any_):
        part = 1 - (1 - holds) ** (1 / len(rule.rules)) if rule.rules else holds
        for sub in rule.rules:
            yield from rule_beliefs(sub, part)
    elif isinstance(rule, All):
        part = holds ** (1 / len(rule.rules)) if rule.rules else holds
        for sub in rule.rules:
            yield from rule_beliefs(sub, part)


def _thinned(points: List[float], most: int) -> List[float]:
    """At most ``most`` of the points, spread evenly over them."""
    if len(points) <= most:
        return points
    return [points[i * len(points) // most] for i in range(most)]


def answer_model(definition: FactDefinition, cuts: Collection[float], today: date,
                 belief: Optional[Any] = None) -> Answers:
    """The possible answers to a fact, one per outcome that the trials' thresholds tell apart.

    ``belief`` is P(yes) for a yes/no fact, {choice: P} for a choice (see rule_beliefs).
    """
    if definition.type is FactType.BOOLEAN:
        yes = min(0.99, max(0.01, belief)) if belief is not None else BOOLEAN_PRIOR
        return _scaled([(True, yes), (False, 1 - yes)])
    if definition.type is FactType.CHOICE:
        names = list(definition.choices)
        if not names:
            return ()
        shares = belief or {}
        total = sum(shares.get(n, 0.0) for n in names)
        if total <= 0:
            return _scaled([(name, 1 / len(names)) for name in names])
        return _scaled([(name, max(0.01, shares.get(name, 0.0) / total)) for name in names])
    points = _thinned(sorted(set(cuts)), MAX_CUTS)
    if definition.type is FactType.NUMBER:
        if definition.plausible and definition.plausible[1] > definition.plausible[0]:
            low, high = definition.plausible
            edges = [low, *(p for p in points if low < p < high), high]
            return _scaled([((a + b) / 2, (b - a) / (high - low)) for a, b in zip(edges, edges[1:])])
        if not points:
            return ()
        values = [points[0] - max(1.0, abs(points[0])), *((a + b) / 2 for a, b in zip(points, points[1:])),
                  points[-1] + max(1.0, abs(points[-1]))]
        return _scaled([(value, 1 / len(values)) for value in values])
    # a date: never, or some days ago, between the trials' time limits
    limits = [p for p in points if p > 0]
    edges = [0.0, *limits]
    days = [round((a + b) / 2) for a, b in zip(edges, edges[1:])]
    days = [d for d, (a, b) in zip(days, zip(edges, edges[1:])) if a < d < b]
    days.append(int(limits[-1] * 1.5) + 2 if limits else 365)
    ago = [(today - timedelta(days=d)).isoformat() for d in days]
    return _scaled([(NEVER, NEVER_PRIOR), *((value, (1 - NEVER_PRIOR) / len(ago)) for value in ago)])


class _With:
    """The known facts with a few more (an answer and what it implies), read like a mapping."""

    __slots__ = ("known", "extra")

    def __init__(self, known: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
        self.known, self.extra = known, extra

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.extra:
            return self.extra[key]
        return self.known.get(key, default)


class VocabularyInfo:
    """What question choice needs of a vocabulary: who answers each fact, topics, implications."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        order = list(AnsweredBy)
        self.tier: Dict[str, int] = {k: order.index(d.answered_by) for k, d in vocabulary.items()}
        self.askable: Set[str] = {k for k, d in vocabulary.items() if d.askable}
        self.topics: Dict[str, List[str]] = {}
        for key, definition in vocabulary.items():
            if definition.topic and definition.type is FactType.BOOLEAN:
                self.topics.setdefault(definition.topic, []).append(key)
        # fact -> what its values imply: [(implied fact, when equal to, value)]
        self.implies: Dict[str, List[Tuple[str, Any, Any]]] = {}
        for key, definition in vocabulary.items():
            for implication in definition.implied_by:
                self.implies.setdefault(implication.fact, []).append((key, implication.equals, implication.value))
        self.implied_by: Dict[str, Tuple[str, ...]] = {}  # fact -> the facts that can imply it, transitively
        for target in {t for pairs in self.implies.values() for t, _, _ in pairs}:
            found: List[str] = []
            frontier = [target]
            while frontier:
                current = frontier.pop()
                for source, pairs in self.implies.items():
                    if source not in found and source != target and any(t == current for t, _, _ in pairs):
                        found.append(source)
                        frontier.append(source)
            self.implied_by[target] = tuple(sorted(found))


_INFO_LOCK = threading.Lock()
_INFO: Dict[int, Tuple[Vocabulary, int, VocabularyInfo]] = {}


def vocabulary_info(vocabulary: Vocabulary) -> VocabularyInfo:
    with _INFO_LOCK:
        cached = _INFO.get(id(vocabulary))
        if cached is not None and cached[0] is vocabulary and cached[1] == len(vocabulary):
            return cached[2]
    info = VocabularyInfo(vocabulary)
    with _INFO_LOCK:
        if len(_INFO) > 8:
            _INFO.clear()
        _INFO[id(vocabulary)] = (vocabulary, len(vocabulary), info)
    return info


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


# -- where the tallies come from --------------------------------------------------------------
class TallySource(Protocol):
    """What keeps running tallies for its own results (a bot.matching.Matcher): the board for
    ``results`` if they are its own and current, else None."""

    def board_for(self, results: Sequence[TrialResult], facts: Mapping[str, Any],
                  vocabulary: Vocabulary) -> Optional[Tuple[Board, FirstSeen]]: ...


def tally(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
          today: Optional[date] = None, tallies: Optional[TallySource] = None) -> Tuple[Board, FirstSeen]:
    """The board for these results: lent by ``tallies`` (the matcher that made them), or counted afresh."""
    lent = tallies.board_for(results, facts, vocabulary) if tallies is not None else None
    return lent if lent is not None else fresh_board(results, facts, vocabulary, today or date.today())


def fresh_board(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                today: date, analysis: Optional[Analysis] = None) -> Tuple[Board, FirstSeen]:
    """The board counted criterion by criterion; the answers expected as ``analysis`` (default: of
    these trials) expects them."""
    analysis = analysis or Analysis(vocabulary, today, (r.trial for r in results))
    known = effective_facts(facts, vocabulary)
    board = Board(analysis.info.tier, parked=facts.keys())
    first: Dict[str, Tuple[int, int, int]] = {}
    for t, result in enumerate(results):
        criteria = [r.criterion for r in result.criteria]
        tables = [analysis.table(r.criterion, r, known) for r in result.criteria]
        for c, table in enumerate(tables):
            if table:
                scope = analysis.scope(criteria[c].rule)
                for key, entry in table.items():
                    if entry[4] and key not in first:
                        first[key] = (t, c, scope.index(key))
        waiting = [c for c, r in enumerate(result.criteria)
                   if r.status is Status.UNKNOWN and r.settled_by is AnsweredBy.PATIENT]
        ruling_in = ruling_in_facts(result.status, waiting, tables)
        for key, gain in analysis.trial_gains(criteria, tables, result.status, waiting, ruling_in).items():
            board.add(key, gain)
    return board, lambda keys: {k: first[k] for k in keys if k in first}


def _facts_of(answered: Collection[str]) -> Mapping[str, Any]:
    """The facts behind ``answered``: a mapping, or a dict's keys view (which lends us its dict)."""
    if isinstance(answered, Mapping):
        return answered
    mapping = getattr(answered, "mapping", None)
    if isinstance(mapping, Mapping):
        return mapping
    return {key: None for key in answered}  # only the keys: what they hold cannot be read


def candidate_facts(results: Sequence[TrialResult], answered: Collection[str], vocabulary: Vocabulary,
                    today: Optional[date] = None, tallies: Optional[TallySource] = None) -> List[FactDefinition]:
    """Askable facts that could still change a criterion of the trials given, best first (see the
    module's docstring). ``answered`` are the facts collected so far, or their keys; ``tallies``:
    the matcher that made the results, whose running tallies spare counting them again."""
    board, first_seen = tally(results, _facts_of(answered), vocabulary, today, tallies)
    return [vocabulary[key] for key in board.ranked(first_seen)]


def next_question(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                  expanded_topics: Collection[str] = (), today: Optional[date] = None,
                  tallies: Optional[TallySource] = None) -> Optional[Question]:
    """The next question, or None when no answer can change a criterion any more.

    ``expanded_topics`` are topics whose bundled question was answered "yes": their facts are
    then asked one by one. ``today`` dates the answers "some days ago" (default: today). ``tallies``:
    the matcher that made the results (see candidate_facts).
    """
    board, first_seen = tally(results, facts, vocabulary, today, tallies)
    best = board.best(first_seen)
    if best is None:
        return None
    definition = vocabulary[best]
    if definition.topic and definition.topic not in expanded_topics and definition.type is FactType.BOOLEAN:
        info = vocabulary_info(vocabulary)
        bundle = [key for key in info.topics.get(definition.topic, ())
                  if board.is_candidate(key) and vocabulary[key].answered_by is definition.answered_by]
        if len(bundle) > 1:
            return Question(tuple(vocabulary[key] for key in board._order(bundle, first_seen)))
    return Question((definition,))
