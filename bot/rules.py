"""Typed eligibility rules over facts, evaluated in three-valued (Kleene) logic.

A rule is stored as a small dict tree (YAML or JSON) and compiled once into these classes:

    {fact: age, op: ">=", value: 18, unit: years}          number compared in a unit
    {fact: last_chemotherapy, op: ">", value: 1, unit: months}   time elapsed since a date
    {fact: bleeding_tendency, is: true}                      yes/no
    {fact: cancer_type, in: [solid_tumour]}                  choice
    {all: [...]}, {any: [...]}, {not: {...}}

``evaluate`` answers True, False or None (cannot tell yet). ``missing`` names the facts that
could still change an undecided rule, which is what is worth asking next.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Sequence, Tuple

from dateutil.relativedelta import relativedelta

from bot.facts import ISO_DAY_LENGTH, NEVER, FactType, Vocabulary, date_range
from bot.units import convert

Facts = Mapping[str, Any]

OPERATORS: Dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}
# "more than 1 month ago" read on the calendar: the date must lie before the same day last month.
BEFORE_BOUNDARY = {">": operator.lt, ">=": operator.le, "<": operator.gt, "<=": operator.ge, "==": operator.eq}


class RuleError(ValueError):
    """A rule that cannot be compiled against the vocabulary."""


class Rule:
    def evaluate(self, facts: Facts, today: date) -> Optional[bool]:
        raise NotImplementedError

    def missing(self, facts: Facts, today: date) -> FrozenSet[str]:
        """Facts whose values could still decide this rule (empty once it is decided)."""
        raise NotImplementedError

    @property
    def facts(self) -> Tuple[str, ...]:
        """The facts the rule reads, in the order it names them."""
        raise NotImplementedError


@dataclass(frozen=True)
class FactRule(Rule):
    fact: str

    @property
    def facts(self) -> Tuple[str, ...]:
        return (self.fact,)

    def evaluate(self, facts: Facts, today: date) -> Optional[bool]:
        value = facts.get(self.fact)
        return None if value is None else self.test(value, today)

    def missing(self, facts: Facts, today: date) -> FrozenSet[str]:
        return frozenset(self.facts) if facts.get(self.fact) is None else frozenset()

    def test(self, value: Any, today: date) -> Optional[bool]:
        """Whether a known value meets the rule; None when even the value cannot tell."""
        raise NotImplementedError


@dataclass(frozen=True)
class Compare(FactRule):
    op: str
    threshold: float  # in the fact's canonical unit, converted when compiled

    def test(self, value: Any, today: date) -> bool:
        return OPERATORS[self.op](float(value), self.threshold)


@dataclass(frozen=True)
class Elapsed(FactRule):
    """Time since the date in a date fact, compared on the calendar ("more than 1 month").

    A month or a year without a day (a range of days) decides the rule only when all its days
    do; otherwise the rule is unknown, and waits for a closer date.
    """

    op: str
    amount: int
    unit: str  # days, weeks, months or years

    def test(self, value: Any, today: date) -> Optional[bool]:
        if value == NEVER:
            return self.op in (">", ">=")  # never happened: longer ago than any bound
        boundary = today - relativedelta(**{self.unit: self.amount})
        before = BEFORE_BOUNDARY[self.op]
        if len(value) == ISO_DAY_LENGTH:  # one day, nearly always: as cheap as it can be
            return before(date.fromisoformat(value), boundary)
        earliest, latest = date_range(value)
        at_earliest = before(earliest, boundary)
        # the ends agree for every operator but "==", which may hold on the boundary between them
        if at_earliest != before(latest, boundary) or (self.op == "==" and earliest < boundary < latest):
            return None
        return at_earliest

    def missing(self, facts: Facts, today: date) -> FrozenSet[str]:
        return frozenset(self.facts) if self.evaluate(facts, today) is None else frozenset()


@dataclass(frozen=True)
class Is(FactRule):
    expected: bool

    def test(self, value: Any, today: date) -> bool:
        return bool(value) is self.expected


@dataclass(frozen=True)
class In(FactRule):
    choices: FrozenSet[str]

    def test(self, value: Any, today: date) -> bool:
        return value in self.choices


@dataclass(frozen=True)
class All(Rule):
    rules: Sequence[Rule]

    @property
    def facts(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(key for r in self.rules for key in r.facts))

    def evaluate(self, facts: Facts, today: date) -> Optional[bool]:
        results = [r.evaluate(facts, today) for r in self.rules]
        if False in results:
            return False
        return None if None in results else True

    def missing(self, facts: Facts, today: date) -> FrozenSet[str]:
        if self.evaluate(facts, today) is not None:
            return frozenset()
        return frozenset().union(*(r.missing(facts, today) for r in self.rules))


@dataclass(frozen=True)
class Any_(All):
    def evaluate(self, facts: Facts, today: date) -> Optional[bool]:
        results = [r.evaluate(facts, today) for r in self.rules]
        if True in results:
            return True
        return None if None in results else False


@dataclass(frozen=True)
class Not(Rule):
    rule: Rule

    @property
    def facts(self) -> Tuple[str, ...]:
        return self.rule.facts

    def evaluate(self, facts: Facts, today: date) -> Optional[bool]:
        result = self.rule.evaluate(facts, today)
        return None if result is None else not result

    def missing(self, facts: Facts, today: date) -> FrozenSet[str]:
        return self.rule.missing(facts, today)


def compile_rule(spec: Mapping[str, Any], vocabulary: Vocabulary) -> Rule:
    """Turn a rule dict into a Rule, checking facts, operators and units against the vocabulary."""
    if "all" in spec:
        return All(tuple(compile_rule(s, vocabulary) for s in spec["all"]))
    if "any" in spec:
        return Any_(tuple(compile_rule(s, vocabulary) for s in spec["any"]))
    if "not" in spec:
        return Not(compile_rule(spec["not"], vocabulary))
    key = spec.get("fact")
    if key not in vocabulary:
        raise RuleError(f"unknown fact {key!r} in rule {dict(spec)}")
    definition = vocabulary[key]
    if "is" in spec:
        return Is(key, bool(spec["is"]))
    if "in" in spec:
        unknown = set(spec["in"]) - set(definition.choices)
        if unknown:
            raise RuleError(f"fact {key!r} has no choice(s) {sorted(unknown)}")
        return In(key, frozenset(spec["in"]))
    op = spec.get("op")
    if op not in OPERATORS:
        raise RuleError(f"rule {dict(spec)} needs op one of {sorted(OPERATORS)}")
    if definition.type is FactType.DATE:
        unit = spec.get("unit", "days")
        if unit not in ("days", "weeks", "months", "years"):
            raise RuleError(f"rule {dict(spec)}: a time since a date is in days, weeks, months or years")
        return Elapsed(key, op, int(spec["value"]), unit)
    unit = spec.get("unit", definition.unit)
    threshold = float(spec["value"])
    if unit != definition.unit:
        threshold = convert(threshold, unit, definition.unit)
    return Compare(key, op, threshold)


def describe_rule(spec: Mapping[str, Any]) -> str:
    """A one-line, human-readable form of a rule dict (for `trialbot trials show`)."""
    if "all" in spec:
        return "(" + " and ".join(describe_rule(s) for s in spec["all"]) + ")"
    if "any" in spec:
        return "(" + " or ".join(describe_rule(s) for s in spec["any"]) + ")"
    if "not" in spec:
        return "not " + describe_rule(spec["not"])
    if "is" in spec:
        return f"{spec['fact']} is {'yes' if spec['is'] else 'no'}"
    if "in" in spec:
        return f"{spec['fact']} in {', '.join(spec['in'])}"
    return f"{spec['fact']} {spec['op']} {spec['value']:g} {spec.get('unit', '')}".rstrip()
