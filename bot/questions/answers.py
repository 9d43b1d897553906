"""The answers to expect to a fact, and how likely each is (see bot.questions)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Collection, Iterator, List, Optional, Sequence, Tuple

from bot.facts import NEVER, FactDefinition, FactType
from bot.rules import All, Any_, Compare, Elapsed, In, Is, Not, Rule

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
SCALE = 1 << 20  # probabilities are tallied as integers in units of 1/SCALE: sums are exact, ties are ties
# Answers are told apart by bit masks that bot.matching keeps in 64-bit columns: a number or a
# date gets at most this many thresholds (so at most 62 answers), evenly chosen among the trials'.
MAX_CUTS = 60

Answers = Tuple[Tuple[Any, int], ...]  # (value, probability in units of 1/SCALE)


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
