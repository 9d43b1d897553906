"""The staff checklist in words, and as it is read on a phone: what decides first, each unknown once.

A staff checklist reply (``bot/staff.py``) carries everything in its ``custom`` (the verdict, one
entry per criterion, what is missing, the notes). This module writes the checklist's items
(``bot/staff_checklist.py``: a criterion's mark and facts) as lines, and decides what of ``custom``
is shown, and in which order, so that the reply's text, the Slack blocks and the Teams card
(``channels/formatting.py``) say the same thing in the same order from ``custom`` alone:

1. the headline ("❌ Not eligible: I5 not met."), then the trial;
2. what decides: the criteria not met, with the facts behind them; or, when nothing rules the
   patient out, the few facts that would decide most;
3. the criteria settled, as a count and their numbers (every line in full is the ``summary``'s);
4. every fact still open, once each, grouped by who answers it: the patient (or the record), a
   clinician, the study team at screening; in the clinicians' own shorthand (``STAFF_LABELS`` of
   bot/staff_texts.py), so that some thirty of them fit a few lines;
5. the notes on the message: what was read, updated or not read.

Every word comes from bot/staff_texts.py, in the language active for the turn (bot/i18n.py).
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, Iterable, List, Mapping, Sequence

from bot import i18n, reply_contract, staff_texts
from bot.evaluation import Status, TrialResult
from bot.facts import (NEVER, OPEN_START, AnsweredBy, FactDefinition, FactType, calendar_period, date_range,
                       describe_value, is_date_range, with_unit)
from bot.reply_contract import TO_CONFIRM
from bot.staff_checklist import ChecklistItem, Evidence
from bot.trials import Criterion

ICONS = {Status.MET.value: "✅", Status.NOT_MET.value: "❌", Status.UNKNOWN.value: "❓", TO_CONFIRM: "🩺"}
CRITERION_TEXT_CHARS = 70  # a criterion's text on one line, in English
CRITERION_TEXT_CHARS_CHINESE = 36  # a Han character is as wide as two Latin letters
DETAIL_CHARS = 110
DECIDING_FACTS = 3  # when nothing rules the patient out: the facts that would decide most


# -- values and labels as clinicians write them -------------------------------------------------
def short_label(definition: FactDefinition) -> str:
    """A fact's label without its parenthesised examples: "signs of easy bleeding"."""
    return re.sub(r"\s*[(（][^)）]*[)）]", "", definition.shown_label).strip()


def compact_value(definition: FactDefinition, value: Any, today: date) -> str:
    """A value as a clinician writes it: "22 ×10⁹/L", "62 y", "2026-10-12 (6 wk ago)",
    "October 2026 (3–7 wk ago)", "2026-08-23 or earlier (≥ 13 wk ago)", "no"."""
    if value is None or definition.type in (FactType.BOOLEAN, FactType.CHOICE):
        return describe_value(definition, value)  # said the same way to patients and staff
    if definition.type is FactType.DATE:
        if value == NEVER:
            return staff_texts.NEVER
        if is_date_range(value):
            earliest, latest = date_range(value)
            newest = _ago(today, latest)
            if earliest == OPEN_START:
                when = staff_texts.AT_LEAST_AGO.format(newest=staff_texts.AGO.format(when=_ago_text(newest)))
                return staff_texts.VALUE_WHEN.format(value=compact_range(value), when=when)
            oldest = _ago(today, earliest)
            # "3–7 wk", not "3 wk–7 wk"
            first = str(newest[0]) if newest[1] == oldest[1] else _ago_text(newest)
            when = staff_texts.AGO.format(when=f"{first}–{_ago_text(oldest)}")
            return staff_texts.VALUE_WHEN.format(value=compact_range(value), when=when)
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if day > today:
            return i18n.day(day)
        return staff_texts.VALUE_WHEN.format(value=i18n.day(day), when=staff_texts.AGO.format(when=_ago_text(_ago(today, day))))
    if definition.unit in staff_texts.COMPACT_UNITS:
        return staff_texts.COMPACT_UNITS[definition.unit].format(number=f"{value:g}")
    return with_unit(value, definition.unit, compact=True)


def compact_range(value: str) -> str:
    """A date range without the time since: "October 2026", "2026-08-23 or earlier", "2026-11-15 to 2026-11-22"."""
    earliest, latest = date_range(value)
    if earliest == OPEN_START:
        return staff_texts.OR_EARLIER.format(day=i18n.day(latest))
    return calendar_period(earliest, latest) or staff_texts.FROM_TO.format(first=i18n.day(earliest),
                                                                            last=i18n.day(latest))


def _ago(today: date, day: date) -> tuple:
    """How long ago, as (a number, the template of its unit): days up to two weeks, then weeks, then months."""
    days = (today - day).days
    return ((days, "DAYS") if days < 14 else (days // 7, "WEEKS") if days < 120
            else (round(days / 30.44), "MONTHS"))


def _ago_text(ago: tuple) -> str:
    number, unit = ago
    return getattr(staff_texts, unit).format(n=number)


def shorten(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(";.,；。，")
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(";.,(；。，（")
    return cut + "…"


def fact_line(definition: FactDefinition, value: Any, today: date) -> str:
    return staff_texts.FACT.format(label=short_label(definition), value=compact_value(definition, value, today))


# -- one criterion's line ------------------------------------------------------------------------
def criterion_text(criterion: Criterion) -> str:
    """A criterion's short text: as the trial registered it; in Chinese, its Chinese explanation where
    the trial has one (the ``zh-CN`` ``why`` of the trial's data), as the registered text is English."""
    chinese = i18n.is_chinese()
    text = i18n.translated(criterion.translations, "why", criterion.text) if chinese else criterion.text
    return shorten(text, CRITERION_TEXT_CHARS_CHINESE if chinese and text != criterion.text else CRITERION_TEXT_CHARS)


def detail(item: ChecklistItem, today: date) -> str:
    """The evidence of a settled criterion, or what an open one needs and from whom."""
    if item.mark in (Status.MET.value, Status.NOT_MET.value):
        said = [fact_line(e.definition, e.value, today) + (staff_texts.IMPLIED if e.implied else "")
                for e in item.evidence]
        return shorten(staff_texts.LIST.join(said), DETAIL_CHARS)
    if item.confirm_by == AnsweredBy.PATIENT.value:
        return shorten(staff_texts.NEED.format(facts=staff_texts.LIST.join(_need(e) for e in item.needs)), DETAIL_CHARS)
    if item.confirm_by == AnsweredBy.CLINICIAN.value:
        facts = staff_texts.LIST.join(short_label(e.definition) for e in item.needs)
        return shorten(staff_texts.CLINICAL_NEED.format(facts=facts), DETAIL_CHARS)
    return staff_texts.STUDY_TEAM_AT_SCREENING


def _need(need: Evidence) -> str:
    definition = need.definition
    text = short_label(definition) + ("" if definition.answered_by is AnsweredBy.PATIENT else staff_texts.CLINICAL)
    if is_date_range(need.value):
        text += ": " + staff_texts.CLOSER_DATE.format(period=compact_range(need.value))
    return text


def line(item: ChecklistItem, today: date) -> str:
    words = staff_texts.EXCLUSION_WORDS.get(item.mark) if item.is_exclusion else None
    icon = ICONS[item.mark]
    head = (staff_texts.EXCLUSION_HEAD.format(icon=icon, number=item.number, words=words) if words
            else f"{icon} {item.number}")
    said = detail(item, today)
    return f"{head} {criterion_text(item.criterion)}" + (f" — {said}" if said else "")


def item_payload(item: ChecklistItem, today: date) -> Dict[str, Any]:
    return reply_contract.checklist_item(item.criterion_id, item.number, item.kind, item.mark, ICONS[item.mark],
                                         criterion_text(item.criterion), detail(item, today), line(item, today),
                                         item.confirm_by)


def headline(result: TrialResult, items: Sequence[ChecklistItem]) -> str:
    not_met = [i.number for i in items if i.mark == Status.NOT_MET.value and not i.is_exclusion]
    excluded = [i.number for i in items if i.mark == Status.NOT_MET.value and i.is_exclusion]
    reasons = [staff_texts.NOT_MET_REASON.format(numbers=", ".join(not_met))] if not_met else []
    if excluded:
        reasons.append(staff_texts.EXCLUDED_REASON.format(numbers=", ".join(excluded)))
    open_for_patient = [i for i in items if i.mark == Status.UNKNOWN.value]
    return staff_texts.HEADLINES[result.status.value].format(reasons=staff_texts.LIST.join(reasons),
                                                            count=len(open_for_patient))


def counts(items: Sequence[ChecklistItem]) -> str:
    return staff_texts.COUNTS.format(**{mark: sum(1 for i in items if i.mark == mark) for mark in ICONS})


# -- the checklist on a phone screen ---------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """The parts of a staff checklist, in the order they are shown."""

    headline: str
    title: str
    deciding: List[str]
    settled: str
    open: List[str]
    notes: List[str]

    def lines(self) -> List[str]:
        return [self.headline, self.title, *self.deciding, self.settled, *self.open, *self.notes]


def layout(custom: Mapping[str, Any]) -> Layout:
    """The checklist of a reply's ``custom`` (``checklist``, ``missing``, ``notes``, ``title``, ``headline``),
    in the reply's language: its ``language`` once the action has added it (the channels lay a reply
    out outside the turn), else the turn's."""
    language = custom.get("language")
    with i18n.override(language) if language else contextlib.nullcontext():
        return _layout(custom)


def _layout(custom: Mapping[str, Any]) -> Layout:
    items = [item for item in custom.get("checklist") or [] if isinstance(item, Mapping)]
    missing = [entry for entry in custom.get("missing") or [] if isinstance(entry, Mapping)]
    not_met = [str(item.get("line", "")) for item in items if item.get("status") == Status.NOT_MET.value]
    deciding, rest = not_met, missing
    if not not_met and missing:
        first, rest = missing[:DECIDING_FACTS], missing[DECIDING_FACTS:]
        labels = staff_texts.LIST.join(_open_label(entry, with_who=True) for entry in first)
        deciding = [staff_texts.DECIDES_MOST.format(labels=labels)]
    return Layout(headline=str(custom.get("headline", "")), title=str(custom.get("title", "")), deciding=deciding,
                  settled=_settled(items), open=_open_lines(rest, items),
                  notes=[str(note) for note in custom.get("notes") or []])


def _settled(items: Sequence[Mapping[str, Any]]) -> str:
    def count(status: str) -> int:
        return sum(1 for item in items if item.get("status") == status)
    met = [str(item.get("number", "")) for item in items if item.get("status") == Status.MET.value]
    return staff_texts.SETTLED.format(met=len(met), numbers=staff_texts.NUMBERS.format(numbers=compact_numbers(met)) if met else "",
                                      unknown=count(Status.UNKNOWN.value), to_confirm=count(TO_CONFIRM))


def _open_lines(missing: Sequence[Mapping[str, Any]], items: Sequence[Mapping[str, Any]]) -> List[str]:
    groups = {who: [_open_label(entry) for entry in missing if entry.get("answered_by", "patient") == who]
              for who in staff_texts.OPEN}
    groups["clinician"] += [_open_label(entry) for entry in missing if entry.get("answered_by") not in staff_texts.OPEN]
    at_screening = [str(item.get("number", "")) for item in items
                    if item.get("status") == "to_confirm" and item.get("to_confirm_by") == "study_team"]
    if at_screening:  # criteria the study team settles at screening, with nothing to ask before
        groups["study_team"].append(staff_texts.AT_SCREENING.format(numbers=", ".join(at_screening)))
    return [staff_texts.OPEN[who].format(labels=staff_texts.LIST.join(labels)) for who, labels in groups.items()
            if labels]


def _open_label(entry: Mapping[str, Any], with_who: bool = False) -> str:
    label = staff_texts.STAFF_LABELS.get(str(entry.get("fact", "")), str(entry.get("label", "")))
    if entry.get("need"):
        label = staff_texts.LABEL_NEED.format(label=label, need=entry["need"])
    who = staff_texts.WHO.get(str(entry.get("answered_by", ""))) if with_who else None
    return staff_texts.LABEL_NEED.format(label=label, need=who) if who else label


def compact_numbers(numbers: Iterable[str]) -> str:
    """Criterion numbers with runs shortened: "I1–I3, I5, E2, E4–E6"."""
    runs: List[List[str]] = []
    previous = None
    for number in numbers:
        prefix, digits = number[:1], number[1:]
        value = (prefix, int(digits)) if digits.isdigit() else None
        if runs and value and previous and value == (previous[0], previous[1] + 1):
            runs[-1].append(number)
        else:
            runs.append([number])
        previous = value
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}, {run[1]}" if len(run) == 2 else f"{run[0]}–{run[-1]}"
                     for run in runs)
