"""Choosing the next question: what is most likely to settle the verdict, asked in plain words.

Only facts that could still change an undecided criterion are candidates. Questions the person
can answer come before those that need a doctor; among them, the one whose criteria most often
rule people out comes first. Yes/no facts of one topic are bundled into a single short list.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.evaluation import Status, TrialResult
from bot.facts import AnsweredBy, FactDefinition, FactType, Vocabulary, labelled

YES_NO_BUTTONS = (
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "I don't know", "payload": "/dont_know"},
)


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
        who = f"Does {subject}" if subject else "Do you"
        items = "\n".join(f"- {d.label}" for d in self.facts)
        return f"{who} have any of these?\n{items}"

    def buttons(self) -> List[Dict[str, str]]:
        definition = self.facts[0]
        if self.answer_type == "yes_no":
            return list(YES_NO_BUTTONS)
        if definition.type is FactType.CHOICE:
            choices = [{"title": name.replace("_", " ").capitalize(), "payload": words[0]}
                       for name, words in definition.choices.items()]
            return choices + [YES_NO_BUTTONS[2]]
        return [YES_NO_BUTTONS[2]]

    def contract(self) -> Dict[str, Any]:
        """What the reply's ``custom`` field carries for a question (see README)."""
        payload: Dict[str, Any] = {"asks": self.keys, "answer_type": self.answer_type,
                                   "unit": self.facts[0].unit if not self.is_bundle else None}
        if self.answer_type == "choice":
            payload["choices"] = list(self.facts[0].choices)
        return payload

    def summary(self) -> str:
        return labelled(list(self.facts))


def candidate_facts(results: Sequence[TrialResult], answered: Collection[str], vocabulary: Vocabulary
                    ) -> List[FactDefinition]:
    """Askable facts that could still change a verdict, best first.

    A fact's weight adds up, over every undecided criterion of every trial given, how often that
    criterion rules people out: with one trial, what most likely ends the screening comes first;
    with a catalogue, what settles the most trials (as DQueST does with its criteria).
    """
    weight: Dict[str, float] = {}
    first_seen: Dict[str, Tuple[int, int, int]] = {}  # ties go to the trial, criterion and fact named first
    for t, result in enumerate(results):
        for position, r in enumerate(result.criteria):
            if r.status is not Status.UNKNOWN:
                continue
            for index, key in enumerate(r.criterion.rule.facts):
                if key not in r.missing or key in answered or not vocabulary[key].askable:
                    continue
                weight[key] = weight.get(key, 0.0) + r.criterion.rule_out
                first_seen.setdefault(key, (t, position, index))
    order = list(AnsweredBy)
    return sorted((vocabulary[k] for k in weight),
                  key=lambda d: (order.index(d.answered_by), -weight[d.key], first_seen[d.key], d.key))


def next_question(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                  expanded_topics: Collection[str] = ()) -> Optional[Question]:
    """The next question, or None when no answer can change a verdict any more.

    ``expanded_topics`` are topics whose bundled question was answered "yes": their facts are
    then asked one by one.
    """
    candidates = candidate_facts(results, facts.keys(), vocabulary)
    if not candidates:
        return None
    best = candidates[0]
    if best.topic and best.topic not in expanded_topics and best.type is FactType.BOOLEAN:
        bundle = [d for d in candidates
                  if d.topic == best.topic and d.answered_by is best.answered_by and d.type is FactType.BOOLEAN]
        if len(bundle) > 1:
            return Question(tuple(bundle))
    return Question((best,))
