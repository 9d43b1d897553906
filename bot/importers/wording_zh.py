"""Imported criteria explained in Chinese, from templates (never by translating the trial's text).

An imported criterion gets English explanations from bot/importers/records.py. Its Chinese ones
(``zh-CN: {why, explain}``, bot/i18n.py) are worded here from what the importer knows of it: a
criterion the bot cannot compute (asked from its text, or left to the study team) is explained by
the same fixed sentences in every trial; a computed one by its rule, worded from the Chinese labels
of the facts it reads (data/facts.yml, or the importer's templates: concepts.py). A rule that reads a
fact without a Chinese label, a choice without a Chinese title or a unit without a Chinese name gets
no Chinese explanation, and the conversation shows the English with its note, as before.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from bot import i18n
from bot.facts import FactType, Vocabulary
from bot.importers.criteria_text import EXCLUSION, INCLUSION
from bot.trials import Confidence

CONFIRM = "最终需要由研究团队确认"
# A criterion the bot does not compute (records.criterion's first three cases), by confidence
FIXED: Mapping[str, Mapping[str, Any]] = {
    Confidence.STUDY_TEAM.value: {
        "why": "这是研究的参加条件之一，只有研究团队能核实。",
        "explain": {"met": "研究团队已确认这一条。",
                    "not_met": "研究团队认为这一条会妨碍您参加。",
                    "unknown": f"这一条我没法问您，{CONFIRM}。"}},
    Confidence.UNSURE.value: {
        "why": "这是研究的一项要求，按研究团队写的原文列出。",
        "explain": {"met": f"根据您告诉我的情况，您符合这项要求；{CONFIRM}。",
                    "not_met": "研究团队认为这项要求不符合。",
                    "unknown": "尚未确定：如果这一条不适用于您，请问问研究团队这是否会妨碍您参加；由他们做最终决定。"}},
    Confidence.QUESTION.value: {
        "why": "这是研究的参加条件之一，按研究团队写的原文列出。",
        "explain": {"met": f"根据您告诉我的情况，这一条不会妨碍您参加；{CONFIRM}。",
                    "not_met": "根据您的回答，这一条会妨碍您参加；由研究团队做最终决定。",
                    "unknown": f"目前还不清楚；{CONFIRM}。"}},
}
# A computed criterion, by kind: {requirement} is its rule in words
COMPUTED: Mapping[str, Mapping[str, Any]] = {
    INCLUSION: {"why": "研究要求：{requirement}。",
                  "explain": {"met": "您符合这项要求：{requirement}。",
                              "not_met": "研究要求：{requirement}。",
                              "unknown": "研究要求：{requirement}；目前还不清楚您是否符合。"}},
    EXCLUSION: {"why": "研究不接受有以下情况的人：{requirement}。",
                  "explain": {"met": "这一条与您无关：{requirement}。",
                              "not_met": "研究不接受有以下情况的人：{requirement}。",
                              "unknown": "研究不接受有以下情况的人：{requirement}；目前还不清楚您是否有这种情况。"}},
}
COMPARISONS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于"}
# a date fact's rule bounds the time since it ("last chemotherapy at least 4 weeks ago")
SINCE = {">=": "至少", ">": "超过", "<=": "不超过", "<": "不到", "==": "正好"}
TIME_UNITS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}


def add_chinese(criterion: Dict[str, Any], vocabulary: Vocabulary, units: Mapping[str, str]) -> None:
    """Give a criterion record (as records.criterion makes it) its Chinese explanations, when it has
    none yet and they can be worded; ``units``: how Chinese writes each unit (concepts.Lexicon)."""
    if criterion.get(i18n.CHINESE):
        return
    wording = FIXED.get(criterion.get("confidence") or "")
    if wording is None:
        requirement = rule_words(criterion["rule"], vocabulary, units)
        if requirement is None:
            return
        wording = _filled(COMPUTED[criterion["kind"]], requirement)
    criterion[i18n.CHINESE] = {"why": wording["why"], "explain": dict(wording["explain"])}


def _filled(templates: Mapping[str, Any], requirement: str) -> Dict[str, Any]:
    return {"why": templates["why"].format(requirement=requirement),
            "explain": {status: text.format(requirement=requirement) for status, text in templates["explain"].items()}}


def rule_words(spec: Mapping[str, Any], vocabulary: Vocabulary, units: Mapping[str, str]) -> Optional[str]:
    """A rule in Chinese, from its facts' Chinese labels ("年龄不低于18岁"); None when some part has
    no Chinese wording (a fact, a choice, a unit) or is a negation, which templates cannot word plainly."""
    for combinator, joiner in (("all", "，并且"), ("any", "，或者")):
        if combinator in spec:
            parts = [rule_words(part, vocabulary, units) for part in spec[combinator]]
            if None in parts:
                return None
            return joiner.join(f"（{words}）" if "all" in part or "any" in part else words
                               for words, part in zip(parts, spec[combinator]))
    definition = vocabulary.get(spec.get("fact"))
    label = (definition.translations.get(i18n.CHINESE) or {}).get("label") if definition else None
    if label is None:
        return None  # "not", or a fact without Chinese
    label = label.replace("{subject}", "本人")
    if "is" in spec:
        return label if spec["is"] else f"{label}：否"
    if "in" in spec:
        titles = (definition.translations.get(i18n.CHINESE) or {}).get("choices") or {}
        chosen = [titles.get(choice) for choice in spec["in"]]
        return None if None in chosen else f"{label}：{'或'.join(chosen)}"
    if definition.type is FactType.DATE:
        unit = TIME_UNITS.get(spec.get("unit", "days"))
        return None if unit is None else f"{label}距今{SINCE[spec['op']]}{spec['value']:g}{unit}"
    unit_name = spec.get("unit", definition.unit)
    unit = units.get(unit_name) if unit_name else ""
    return None if unit is None else f"{label}{COMPARISONS[spec['op']]}{spec['value']:g}{unit}"
