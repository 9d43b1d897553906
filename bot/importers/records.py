"""What the importers share: criterion records with their explanations, and record errors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot.importers.criteria_text import EXCLUSION, INCLUSION, Derived
from bot.trials import Confidence

CONFIRM = "to be confirmed by the study team"


@dataclass(frozen=True)
class Problem:
    """A record, row or file that could not be imported, or was imported with a caveat."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class FieldError(ValueError):
    """A record that cannot be imported, and the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def criterion(criterion_id: str, kind: str, text: str, derived: Derived, rule_out: float,
              source: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A criterion record (as in data/trials/*.yml) with short, generated explanations; ``source``
    says where in the record it came from (the corpus rows, or the criterion's place in the text),
    ``confidence`` how sure the reading is."""
    req = derived.requirement
    if derived.team:
        why = "This is one of the study's eligibility criteria; only the study team can check it."
        explain = {"met": "The study team has confirmed this criterion.",
                   "not_met": "The study team finds that this criterion stands in the way.",
                   "unknown": f"Not something I can ask; {CONFIRM}."}
    elif derived.unsure:
        why = "This is one of the study's requirements, as the study team wrote it."
        explain = {
            "met": f"As far as you have told me, you meet this requirement; {CONFIRM}.",
            "not_met": "The study team finds that this requirement is not met.",
            "unknown": "Not settled: if it does not apply to you, ask the study team whether that stands in the "
                       "way; they make the final decision.",
        }
    elif derived.checked_by == "question":
        why = "This is one of the study's eligibility criteria, as the study team wrote it."
        explain = {
            "met": f"As far as you have told me, this criterion does not stand in the way; {CONFIRM}.",
            "not_met": "From your answer, this criterion stands in the way; the study team makes the final decision.",
            "unknown": f"Not known yet; {CONFIRM}.",
        }
    elif kind == INCLUSION:
        why = f"The study requires: {req}."
        explain = {"met": f"You meet this requirement: {req}.",
                   "not_met": f"The study requires: {req}.",
                   "unknown": f"The study requires: {req}; this is not known yet."}
    else:
        why = f"The study excludes people with: {req}."
        explain = {"met": f"This does not apply to you: {req}.",
                   "not_met": f"The study excludes people with: {req}.",
                   "unknown": f"The study excludes people with: {req}; this is not known yet."}
    record = {"id": criterion_id, "kind": kind, "text": text, "rule": derived.rule,
              "rule_out": round(rule_out, 2), "why": why, "explain": explain}
    if derived.checked_by != "rule":
        record["checked_by"] = derived.checked_by
    record["confidence"] = confidence(derived).value
    if source:
        record["source"] = source
    return record


def confidence(derived: Derived) -> Confidence:
    """How sure the importer is of its reading, for the coordinator who reviews it."""
    if derived.team:
        return Confidence.STUDY_TEAM
    if derived.unsure:
        return Confidence.UNSURE
    return Confidence.QUESTION if derived.checked_by == "question" else Confidence.COMPUTABLE


def rule_facts(rule: Any) -> List[str]:
    """The facts a rule dict names, in order."""
    if isinstance(rule, dict):
        if "fact" in rule:
            return [rule["fact"]]
        for combinator in ("all", "any"):
            if combinator in rule:
                return [f for part in rule[combinator] for f in rule_facts(part)]
        if "not" in rule:
            return rule_facts(rule["not"])
    return []


def normal_status(status: Optional[str]) -> str:
    """ "Active, not recruiting" / "ACTIVE_NOT_RECRUITING" -> "active_not_recruiting"."""
    return re.sub(r"[^a-z0-9]+", "_", (status or "").lower()).strip("_")


__all__ = ["CONFIRM", "EXCLUSION", "confidence", "FieldError", "INCLUSION", "Problem", "criterion", "normal_status", "rule_facts"]
