"""Turning a trial result into the plain-language verdict a person reads."""
from __future__ import annotations

from typing import Any, List, Mapping, Optional

from bot import texts
from bot.evaluation import CriterionResult, Status, TrialResult, Verdict
from bot.facts import AnsweredBy, Vocabulary, describe_value


def _bullets(results: List[CriterionResult], with_text: bool = False) -> List[str]:
    lines = []
    for r in results:
        line = f"- {r.explanation}"
        if with_text:
            line += f" (trial criterion: \"{r.criterion.text}\")"
        lines.append(line)
    return lines


def verdict_text(result: TrialResult, subject: Optional[str] = None) -> str:
    trial = result.trial
    who = f"{subject} is" if subject else "you are"
    lines = [texts.VERDICT_HEADLINE[result.status.value].format(
        subject_you=who, trial=f"{trial.brief_title} ({trial.id})")]
    deciding = result.deciding
    if deciding:
        lines.append(texts.VERDICT_REASONS[result.status.value])
        lines += _bullets(deciding, with_text=result.status is Verdict.NOT_ELIGIBLE)
    if result.status is not Verdict.NOT_ELIGIBLE:
        for settled_by, header in ((AnsweredBy.CLINICIAN, texts.VERDICT_TO_CONFIRM),
                                   (AnsweredBy.STUDY_TEAM, texts.VERDICT_AT_SCREENING)):
            pending = [r for r in result.with_status(Status.UNKNOWN) if r.settled_by is settled_by]
            if pending:
                lines.append(header)
                lines += _bullets(pending)
        lines.append(texts.VERDICT_HOW_TO_JOIN.format(contact=trial.contact, where=trial.where, url=trial.url))
    lines.append(texts.NOT_ADVICE)
    return "\n".join(lines)


def facts_summary(facts: Mapping[str, Any], vocabulary: Vocabulary) -> str:
    if not facts:
        return texts.NO_FACTS
    lines = [texts.FACTS_HEADER]
    for key, value in facts.items():
        definition = vocabulary.get(key)
        if definition is not None:
            lines.append(f"- {definition.label}: {describe_value(definition, value)}")
    return "\n".join(lines)

