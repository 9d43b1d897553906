"""Turning a trial result into the plain-language verdict a person reads."""
from __future__ import annotations

from typing import Any, List, Mapping, Optional

from bot import texts
from bot.evaluation import CriterionResult, Status, TrialResult, Verdict
from bot.facts import AnsweredBy, Vocabulary, describe_value, said_subject
from bot.person import third_person


def _bullets(results: List[CriterionResult], with_text: bool = False, subject: Optional[str] = None) -> List[str]:
    """One line per criterion, about ``subject`` ("your mother": "she") when the screening is for someone else."""
    lines = []
    for r in results:
        line = third_person(r.explanation, subject)
        if with_text:
            line += texts.CRITERION_TEXT.format(text=r.criterion.text)
        lines.append(texts.LIST_ITEM.format(item=line))
    return lines


def verdict_text(result: TrialResult, subject: Optional[str] = None) -> str:
    trial = result.trial
    who = texts.SUBJECT_IS.format(subject=said_subject(subject)) if subject else texts.YOU_ARE
    lines = [texts.VERDICT_HEADLINE[result.status.value].format(
        subject_you=who, trial=texts.TRIAL_NAME.format(title=trial.shown("brief_title"), trial_id=trial.id))]
    if trial.only_in_english:
        lines.append(texts.ONLY_IN_ENGLISH)
    deciding = result.deciding
    if deciding:
        lines.append(texts.VERDICT_REASONS[result.status.value])
        lines += _bullets(deciding, with_text=result.status is Verdict.NOT_ELIGIBLE, subject=subject)
    if result.status is not Verdict.NOT_ELIGIBLE:
        for settled_by, header in ((AnsweredBy.CLINICIAN, texts.VERDICT_TO_CONFIRM),
                                   (AnsweredBy.STUDY_TEAM, texts.VERDICT_AT_SCREENING)):
            pending = [r for r in result.with_status(Status.UNKNOWN) if r.settled_by is settled_by]
            if pending:
                lines.append(header)
                lines += _bullets(pending, subject=subject)
        lines.append(texts.VERDICT_HOW_TO_JOIN.format(contact=trial.shown("contact"), where=trial.where, url=trial.url))
    lines.append(texts.NOT_ADVICE)
    return "\n".join(lines)


def facts_summary(facts: Mapping[str, Any], vocabulary: Vocabulary) -> str:
    if not facts:
        return texts.NO_FACTS
    lines = [texts.FACTS_HEADER]
    for key, value in facts.items():
        definition = vocabulary.get(key)
        if definition is not None:
            lines.append(texts.LIST_ITEM.format(item=texts.FACT_LINE.format(
                label=definition.shown_label, value=describe_value(definition, value))))
    return "\n".join(lines)

