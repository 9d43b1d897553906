"""The vocabulary of facts a conversation collects, and the values collected so far.

Collected facts travel between the Rasa tracker and the engine as a plain dict
``{fact_key: value}``: numbers in the fact's canonical unit, dates as ISO strings (or
``"never"``), booleans, choice keys. An answer that allows a span of days (a month or a year
without a day, "last week", "less than 2 months ago") is an ISO 8601 interval of its first and last
day (no later than today): ``"2026-10-01/2026-10-31"``; one with no earliest day ("more than 3
months ago") starts on OPEN_START: ``"1900-01-01/2026-08-23"``. A key
present with the value ``None`` means the person was asked and does not know, which is
different from never having been asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import i18n, texts

NEVER = "never"  # a date fact whose event never happened ("I never had radiotherapy")
ISO_DAY_LENGTH = len("2026-10-12")  # a date fact of one day; a range is longer, "never" shorter
# The first day of a range with no earliest day: a real date, so that the value stays an interval
# every ISO 8601 reader (and date_range) takes, and far before any treatment a criterion asks about.
OPEN_START = date(1900, 1, 1)


class FactType(str, Enum):
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"


class AnsweredBy(str, Enum):
    """Who can settle a fact; the order is the order in which questions are asked."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    STUDY_TEAM = "study_team"


ANSWER_TYPES = {
    FactType.NUMBER: "number",
    FactType.DATE: "date",
    FactType.BOOLEAN: "yes_no",
    FactType.CHOICE: "choice",
}


@dataclass(frozen=True)
class Implication:
    """``fact`` having value ``equals`` implies this fact has ``value``."""

    fact: str
    equals: Any
    value: Any


@dataclass(frozen=True)
class FactDefinition:
    key: str
    type: FactType
    label: str
    ask: str
    answered_by: AnsweredBy = AnsweredBy.PATIENT
    ask_other: Optional[str] = None
    unit: Optional[str] = None
    plausible: Optional[Tuple[float, float]] = None
    # the lowest value plausible for someone who writes for themselves (an age of 3 is a child's,
    # typed by a parent: said of the writer it is asked back)
    plausible_for_self: Optional[float] = None
    choices: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    topic: Optional[str] = None
    cues: Tuple[str, ...] = ()
    # phrases that answer "no" ("postmenopausal": cannot become pregnant); for a number, phrases
    # naming another measurement, whose number is not this fact ("QT 400" is not the QTc)
    cues_false: Tuple[str, ...] = ()
    # phrases that name one of several things the fact covers: "aspirin" means yes to antiplatelet
    # medicines, but "no aspirin" says nothing of clopidogrel
    cues_partial: Tuple[str, ...] = ()
    current_only: bool = False  # only what holds now counts: "I stopped taking aspirin" answers "no"
    within_days: Optional[int] = None  # only what happened this recently counts ("in the last 6 months")
    # what a mention dated before that window says: "no" (a heart attack in 2018) or nothing ("LMP 2 yrs ago")
    outside_window: str = "no"
    implied_by: Tuple[Implication, ...] = ()
    # wording that answers this fact's own question ("stayed low", "normal"): regular expressions by
    # reading ("yes", "no", "unknown", "unsure"); "unsure" asks again, saying ``unsure_note``
    answers: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    unsure_note: Optional[str] = None
    # for a fact of two parts ("repeated treatment that did not work"): wording, one of which a "yes" read from
    # words that name one part ("failed rhTPO") needs beside it; without it, the "yes" is offered back
    yes_needs: Tuple[str, ...] = ()
    # a yes/no fact that holds when a length of time said after one of these cues is long enough:
    # {"cues": [...], "at_least_days": 182} reads "prognosis weeks", "LE 3 mo", "est survival >6/12"
    length: Optional[Mapping[str, Any]] = None
    # a yes/no fact that holds when lab tests are below a multiple of their upper limit of normal:
    # {"below": 1.5, "groups": {"liver": [cues], "kidney": [cues]}} reads "ALT 3x ULN", "creat nl"
    times_normal: Optional[Mapping[str, Any]] = None
    # for a choice: words that name it only beside one of the fact's cues ("lung" in "lung cancer")
    sites: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    # the fact's wording in other languages (bot/i18n.py): {"zh-CN": {"label", "ask", "ask_other",
    # "unsure_note", "choices": {name: title}}}; the fields above are the English
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # facts people give together with this one ("62, female"), asked in the same question when none of
    # them is known yet and each could still settle something: ``ask_together`` (and ``ask_together_other``
    # about someone else) asks for all of them; one left unsaid is asked back on its own
    ask_with: Tuple[str, ...] = ()
    ask_together: Optional[str] = None
    ask_together_other: Optional[str] = None
    # the organ (or everyday name of what) a yes/no fact is about ("heart", "sugar"): "my sugar is fine" denies
    # it, and a list whose every item is about one organ is denied by "heart's fine"
    organ: Tuple[str, ...] = ()
    # other facts of a list that are kinds of this one (AF is a heart condition): "only the AF, none of the
    # others" says nothing sure of this one, which is offered back rather than denied
    covers: Tuple[str, ...] = ()
    # False for a yes/no fact whose question asks the other way round ("Does the study team find any other
    # reason against taking part?" for the team's approval): a "yes" to the question means the fact is false
    yes_means: bool = True

    @property
    def shown_label(self) -> str:
        """The label as the person reads it, in the active language."""
        return i18n.translated(self.translations, "label", self.label)

    @property
    def shown_unsure_note(self) -> Optional[str]:
        return i18n.translated(self.translations, "unsure_note", self.unsure_note)

    def choice_title(self, name: str) -> str:
        """A choice as the person reads it ("solid tumour"), in the active language."""
        titles = i18n.translated(self.translations, "choices", {})
        return titles.get(name) or name.replace("_", " ")

    def replied(self, reply: str) -> Optional[bool]:
        """The value a plain "yes", "no" or "unknown" to this yes/no fact's question gives it."""
        if reply not in ("yes", "no"):
            return None
        return (reply == "yes") == self.yes_means

    @property
    def answer_type(self) -> str:
        return ANSWER_TYPES[self.type]

    @property
    def askable(self) -> bool:
        return self.answered_by is not AnsweredBy.STUDY_TEAM

    def question(self, subject: Optional[str] = None) -> str:
        """The question in the second person, or about ``subject`` ("your mother")."""
        if subject and self.ask_other:
            return i18n.translated(self.translations, "ask_other", self.ask_other).format(subject=said_subject(subject))
        return i18n.translated(self.translations, "ask", self.ask)

    def question_together(self, subject: Optional[str] = None) -> str:
        """The question that asks for this fact and its ``ask_with`` at once."""
        if subject and self.ask_together_other:
            wording = i18n.translated(self.translations, "ask_together_other", self.ask_together_other)
            return wording.format(subject=said_subject(subject))
        return i18n.translated(self.translations, "ask_together", self.ask_together)

    @classmethod
    def from_dict(cls, key: str, data: Mapping[str, Any]) -> "FactDefinition":
        plausible = data.get("plausible")
        return cls(
            key=key,
            type=FactType(data["type"]),
            label=data.get("label", key.replace("_", " ")),
            ask=data["ask"],
            answered_by=AnsweredBy(data.get("answered_by", "patient")),
            ask_other=data.get("ask_other"),
            unit=data.get("unit"),
            plausible=tuple(plausible) if plausible else None,
            plausible_for_self=data.get("plausible_for_self"),
            choices={name: tuple(words) for name, words in (data.get("choices") or {}).items()},
            topic=data.get("topic"),
            cues=tuple(data.get("cues") or ()),
            cues_false=tuple(data.get("cues_false") or ()),
            cues_partial=tuple(data.get("cues_partial") or ()),
            current_only=bool(data.get("current_only", False)),
            within_days=data.get("within_days"),
            outside_window=data.get("outside_window", "no"),
            implied_by=tuple(Implication(**i) for i in data.get("implied_by") or ()),
            answers={str(reading): tuple(patterns) for reading, patterns in (data.get("answers") or {}).items()},
            unsure_note=data.get("unsure_note"),
            yes_needs=tuple(data.get("yes_needs") or ()),
            sites={name: tuple(words) for name, words in (data.get("sites") or {}).items()},
            translations=i18n.translations_of(data),
            length=data.get("length"),
            times_normal=data.get("times_normal"),
            ask_with=tuple(data.get("ask_with") or ()),
            ask_together=data.get("ask_together"),
            ask_together_other=data.get("ask_together_other"),
            organ=(data["organ"],) if isinstance(data.get("organ"), str) else tuple(data.get("organ") or ()),
            covers=tuple(data.get("covers") or ()),
            yes_means=bool(data.get("yes_means", True)),
        )

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"type": self.type.value, "label": self.label, "ask": self.ask,
                                "answered_by": self.answered_by.value}
        optional = {
            "ask_other": self.ask_other, "unit": self.unit, "topic": self.topic,
            "plausible": list(self.plausible) if self.plausible else None,
            "plausible_for_self": self.plausible_for_self,
            "choices": {k: list(v) for k, v in self.choices.items()} or None,
            "cues": list(self.cues) or None,
            "cues_false": list(self.cues_false) or None,
            "cues_partial": list(self.cues_partial) or None,
            "current_only": self.current_only or None,
            "within_days": self.within_days,
            "outside_window": self.outside_window if self.outside_window != "no" else None,
            "implied_by": [i.__dict__ for i in self.implied_by] or None,
            "answers": {k: list(v) for k, v in self.answers.items()} or None,
            "unsure_note": self.unsure_note,
            "yes_needs": list(self.yes_needs) or None,
            "sites": {k: list(v) for k, v in self.sites.items()} or None,
            "length": dict(self.length) if self.length else None,
            "times_normal": dict(self.times_normal) if self.times_normal else None,
            "ask_with": list(self.ask_with) or None,
            "ask_together": self.ask_together,
            "ask_together_other": self.ask_together_other,
            "organ": list(self.organ) or None,
            "covers": list(self.covers) or None,
            "yes_means": None if self.yes_means else False,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        data.update({language: dict(wording) for language, wording in self.translations.items()})
        return data


class Vocabulary(Dict[str, FactDefinition]):
    """All known facts by key."""

    @classmethod
    def from_dict(cls, facts: Mapping[str, Mapping[str, Any]]) -> "Vocabulary":
        return cls({key: FactDefinition.from_dict(key, data) for key, data in facts.items()})

    def implied_by_source(self) -> Dict[str, List[FactDefinition]]:
        """The facts that some value of a fact implies, by that fact, in vocabulary order. Kept until
        the vocabulary changes size: a matcher asks on every answer, over thousands of facts."""
        kept = getattr(self, "_implied", None)
        if kept is None or kept[0] != len(self):
            index: Dict[str, List[FactDefinition]] = {}
            for definition in self.values():
                for source in dict.fromkeys(i.fact for i in definition.implied_by):
                    index.setdefault(source, []).append(definition)
            kept = self._implied = (len(self), index)
        return kept[1]


def cue_phrases(definition: FactDefinition) -> Tuple[str, ...]:
    """Every phrase by which the extractor recognises a fact: its cues and its choices' words."""
    choice_words = (word for words in definition.choices.values() for word in words)
    return (*definition.cues, *definition.cues_false, *definition.cues_partial, *choice_words)


def question_wording(definition: FactDefinition) -> Tuple[str, ...]:
    """What the person reads of a fact: its label and question, in every language it is written in."""
    texts = [definition.label, definition.ask, definition.ask_other or ""]
    for wording in definition.translations.values():
        texts += [str(wording.get(field) or "") for field in ("label", "ask", "ask_other")]
    return tuple(text for text in texts if text)


def asked_together(definitions: Sequence[FactDefinition]) -> bool:
    """Whether these facts, asked at once, are one fact and its ``ask_with`` (not a yes/no list)."""
    return len(definitions) > 1 and tuple(d.key for d in definitions[1:]) == definitions[0].ask_with


def effective_facts(facts: Mapping[str, Any], vocabulary: Vocabulary) -> Dict[str, Any]:
    """The collected facts plus what they imply (a man is not pregnant).

    Only facts that were not answered explicitly are filled in; implications may chain.
    """
    known = dict(facts)
    by_source = (vocabulary.implied_by_source() if isinstance(vocabulary, Vocabulary)
                 else Vocabulary(vocabulary).implied_by_source())
    sources = [key for key, value in known.items() if value is not None and key in by_source]
    while sources:
        implied = []
        for source in sources:
            for definition in by_source[source]:
                if known.get(definition.key) is not None:
                    continue
                for implication in definition.implied_by:  # the first that holds, as they are listed
                    if known.get(implication.fact) == implication.equals:
                        known[definition.key] = implication.value
                        if definition.key in by_source:
                            implied.append(definition.key)
                        break
        sources = implied
    return known


def date_value(earliest: date, latest: date) -> str:
    """A date fact's value: one ISO day, or the ISO interval "2026-10-01/2026-10-31" of a range."""
    if earliest == latest:
        return latest.isoformat()
    return f"{earliest.isoformat()}/{latest.isoformat()}"


def date_range(value: str) -> Tuple[date, date]:
    """The earliest and the latest day a date fact's value (not "never") allows."""
    earliest, _, latest = value.partition("/")
    return date.fromisoformat(earliest), date.fromisoformat(latest or earliest)


def is_date_range(value: Any) -> bool:
    return isinstance(value, str) and len(value) > ISO_DAY_LENGTH


def calendar_period(earliest: date, latest: date) -> Optional[str]:
    """"October 2026" or "2025" (2026年10月, 2025年) when a range holds only days of that month or
    year (up to the day it was given, as "this month" does), else None."""
    if earliest.day == 1 and (earliest.year, earliest.month) == (latest.year, latest.month):
        return i18n.month(earliest.year, earliest.month)
    if (earliest.month, earliest.day) == (1, 1) and earliest.year == latest.year:
        return i18n.year(earliest.year)
    return None


def describe_range(value: str) -> str:
    """When a range says it happened: "in October 2026", "in 2025", "on or before 2026-08-23" (no
    earliest day), "between 2026-11-15 and 2026-11-22". Dates, not "3 months ago", stay true later."""
    earliest, latest = date_range(value)
    if earliest == OPEN_START:
        return texts.ON_OR_BEFORE.format(day=i18n.day(latest))
    period = calendar_period(earliest, latest)
    if period:
        return texts.IN_PERIOD.format(period=period)
    return texts.BETWEEN.format(first=i18n.day(earliest), last=i18n.day(latest))


def _one_day(value: str) -> str:
    try:
        return i18n.day(date.fromisoformat(value))
    except ValueError:
        return value


def describe_value(definition: FactDefinition, value: Any) -> str:
    """A collected value as a person would say it, in the active language ("22 ×10^9/L", "yes", "never")."""
    if value is None:
        return texts.VALUE_NOT_KNOWN
    if definition.type is FactType.BOOLEAN:
        return texts.VALUE_YES if value else texts.VALUE_NO
    if definition.type is FactType.CHOICE:
        return definition.choice_title(str(value))
    if definition.type is FactType.DATE:
        if value == NEVER:
            return texts.VALUE_NEVER
        return describe_range(value) if is_date_range(value) else texts.ON_OR_AROUND.format(day=_one_day(value))
    if definition.unit == "10^9/L":
        return texts.PLATELET_VALUE.format(number=f"{value:g}", per_microlitre=i18n.count(value * 1000))
    return with_unit(value, definition.unit)


def said_subject(subject: Optional[str]) -> Optional[str]:
    """Whom the conversation is about ("your mother"), as said in the active language."""
    return texts.SUBJECTS.get(subject, subject) if subject else subject


# How a unit is written after a number: in sentences (where the active language has no name of its
# own for it: bot.texts.UNIT_NAMES), and as clinicians write it (staff mode)
UNIT_WORDS = {"10^9/L": "×10^9/L", "xULN": "× the upper limit of normal"}
COMPACT_UNIT_WORDS = {"10^9/L": "×10⁹/L", "years": "y"}


def with_unit(value: float, unit: Optional[str], compact: bool = False) -> str:
    """A number in its unit, the one way the bot writes it: "1.5 ×10^9/L", "94%", "3 × the upper limit
    of normal", "450 ms" (in Chinese "450毫秒"); ``compact`` as a clinician writes it: "22 ×10⁹/L", "62 y"."""
    number = f"{value:g}"
    if not unit:
        return number
    if unit == "%":
        return number + unit
    if compact:
        return f"{number} {COMPACT_UNIT_WORDS.get(unit, unit)}"
    return texts.VALUE_WITH_UNIT.format(number=number, unit=unit_word(unit))


def unit_word(unit: str) -> str:
    """A unit as the active language writes it after a number ("years": "岁" in Chinese)."""
    return texts.UNIT_NAMES.get(unit) or UNIT_WORDS.get(unit, unit)


def labelled(definitions: List[FactDefinition]) -> str:
    """"a, b or c" style list of fact labels."""
    labels = [d.label for d in definitions]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
