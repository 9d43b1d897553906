"""Finding facts in what a person writes, asked for or volunteered.

Everything is driven by the fact vocabulary: each fact's cues say how it may be mentioned, its
type says what value to look for near the cue (a number with a unit, a time, a choice word, or
yes/no by negation). The open question gives context: a bare "22k" answers the platelet
question, "six weeks ago" the chemotherapy one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.facts import NEVER, FactDefinition, FactType, Vocabulary, date_value, describe_value
from bot.parsing.answers import UNTESTED, is_negated
from bot.parsing.quantities import Measurement, convert, find_measurements
from bot.parsing.when import WhenAnswer, parse_when
from bot import texts

TRIAL_ID = re.compile(r"\bNCT\d{8}\b", re.IGNORECASE)
# "which trials could I join?", "find me a study for lung cancer", "any trials near Tianjin?"
CATALOGUE_REQUEST = re.compile(
    r"\b(?:which|what|any|find|search|list|show|other)\b[^.?!]{0,30}\b(?:trials|studies|trial|study)\b"
    r"(?![^.?!]{0,3}\bNCT)", re.IGNORECASE)
RELATIVES = (r"mother|mum|mom|father|dad|husband|wife|partner|son|daughter|brother|sister|grandmother|grandma"
             r"|grandfather|grandpa|aunt|uncle|friend|patient")
RELATIVE = re.compile(rf"\bmy ({RELATIVES})\b", re.IGNORECASE)
# A number standing alone, as an age follows a name: "67," "(71)" "58 with"; not "22k", "22,000", "22 thousand"
STANDS_ALONE = r"(?=\s*(?:[,;:.!?)](?!\d)|$)|\s+(?:with|who|has|had)\b)"
# The relative is whom the message is about: "my mother is 67", "asking for my dad", "my wife".
# Not "my husband says I bruise easily" or "a transplant from my brother": read as the subject,
# "husband" would make a woman male, and the pregnancy questions would never be asked.
RELATIVE_SUBJECT = re.compile(
    rf"\b(?:for|about|is|it's|screening|checking|on behalf of)\s+my ({RELATIVES})\b"
    rf"|(?<!with )(?<!from )(?<!to )(?<!by )(?<!and )\bmy ({RELATIVES})(?:\s*(?:is|has|had|was|'s|needs|got|gets|takes|took|can|could|will|does|did)\b"
    rf"|\s*[:;,.!?-]|\s*$|\s*\(?\d{{1,3}}{STANDS_ALONE})", re.IGNORECASE)
# "62F", "62 yo M", "62 year old female": terse age and sex together
AGE_SEX = re.compile(r"\b(\d{1,3})\s*(?:y/?o|yrs?|years?(?: old)?|-year-old)?\s*(f|m|female|male)\b", re.IGNORECASE)
# "I am 62", "she's 67", "aged 70", when no unit other than years follows
AGE_STATED = re.compile(
    rf"\b(?:i am|i'm|im|(?:she|he|they|my (?:{RELATIVES}))\s*(?:is|are|'s)|aged|age:?)\s+(?:about\s+|nearly\s+|almost\s+)?(\d{{1,3}})\b"
    r"(?!\s*(?:k\b|000|thousand|x|×|/|per\b|%|ms\b|weeks?|months?|days?|kg|cm|lbs?)|[.,]\d)", re.IGNORECASE)
# "my mother, 67, lung cancer", "for my wife (58)": a bare number right after the relative
AGE_AFTER_RELATIVE = re.compile(rf"\bmy (?:{RELATIVES})\s*[,:(]?\s*(\d{{1,3}}){STANDS_ALONE}", re.IGNORECASE)
# The start of "I'm seventeen", "she is sixty-two": a number in words right after it is an age.
AGE_LEAD = re.compile(rf"\b(?:i am|i'm|im|(?:she|he|they|my (?:{RELATIVES}))\s*(?:is|are|'s)|aged|age:?)"
                      r"\s+(?:about\s+|nearly\s+|almost\s+)?$", re.IGNORECASE)
# "stopped taking aspirin", "aspirin, which I stopped": for facts where only the present counts
CEASED = re.compile(r"\b(?:stopped|quit|no longer|not any ?more|used to|came off|off|discontinued|gave up)\b",
                    re.IGNORECASE)
UNTESTED_BEFORE = re.compile(rf"\b{UNTESTED}", re.IGNORECASE)  # "never been tested for HIV"
POST_NEGATION = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:negative|neg|-ve|ruled out|free)\b", re.IGNORECASE)
CLAUSE_END = re.compile(r"[.;,!?\n]|\bbut\b|\band\b")
NEAR = 40  # characters between a cue and its value

# When a number comes without a unit and does not fit the fact's unit, try the unit it is usually
# quoted in instead: a platelet count of 22000 is per microlitre, not 22000 x10^9/L.
ALTERNATIVE_UNITS = {"10^9/L": ("/uL",)}


@dataclass(frozen=True)
class Problem:
    fact: str
    message: str


@dataclass
class Extraction:
    values: Dict[str, Any] = field(default_factory=dict)
    problems: List[Problem] = field(default_factory=list)
    subject: Optional[str] = None
    trial_ids: List[str] = field(default_factory=list)
    wants_catalogue: bool = False  # asks which trials could fit, rather than about one trial
    used: List[Tuple[int, int]] = field(default_factory=list)  # text spans already read as a value
    # yes/no facts of which only a part was denied ("HBV neg"), settling nothing: fact -> the words
    partly_denied: Dict[str, List[str]] = field(default_factory=dict)

    def unused(self, measurements: Sequence[Measurement]) -> List[Measurement]:
        return [m for m in measurements if not any(s < m.end and m.start < e for s, e in self.used)]


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(phrase).replace(r"\ ", r"[\s-]+") + r"(?![\w])", re.IGNORECASE)


def mentions(text: str, phrases: Sequence[str]) -> List[Tuple[int, int]]:
    spans = []
    for phrase in phrases:
        spans += [m.span() for m in _pattern(phrase).finditer(text)]
    return sorted(spans)


def _clause_after(text: str, end: int) -> str:
    rest = text[end:end + NEAR * 2]
    stop = CLAUSE_END.search(rest, 1)
    return rest[:stop.start()] if stop else rest


def _clause_before(text: str, start: int) -> str:
    before = text[max(0, start - NEAR * 2):start]
    stops = list(CLAUSE_END.finditer(before))
    return before[stops[-1].end():] if stops else before


class Extractor:
    """Extracts facts from one message with the vocabulary's cues."""

    def __init__(self, vocabulary: Vocabulary, today: date) -> None:
        self.vocabulary = vocabulary
        self.today = today

    def run(self, text: str, expecting: Sequence[FactDefinition]) -> Extraction:
        found = Extraction()
        found.trial_ids = sorted({m.upper() for m in TRIAL_ID.findall(text)})
        found.wants_catalogue = not found.trial_ids and bool(CATALOGUE_REQUEST.search(text))
        subject = RELATIVE_SUBJECT.search(text)
        if subject:
            found.subject = f"your {(subject.group(1) or subject.group(2)).lower()}"
        else:  # someone else only mentioned: their word says nothing of the person's sex
            text = RELATIVE.sub(lambda m: " " * len(m.group()), text)
        measurements = find_measurements(text)
        self._age_and_sex(text, found)
        expected = {d.key for d in expecting}
        for definition in self.vocabulary.values():
            if definition.key in found.values:
                continue
            value = self._by_cue(text, definition, measurements, found, expected=definition.key in expected)
            if value is not None:
                found.values[definition.key] = value
        if len(expecting) == 1 and expecting[0].key not in found.values:
            self._as_answer(text, expecting[0], measurements, found)
        return found

    # -- volunteered facts ---------------------------------------------------------------
    def _age_and_sex(self, text: str, found: Extraction) -> None:
        if "age" not in self.vocabulary:
            return
        terse = AGE_SEX.search(text)
        if terse:
            found.used.append(terse.span())
            self._number(found, self.vocabulary["age"], float(terse.group(1)), "years")
            if "sex" in self.vocabulary:
                found.values["sex"] = "female" if terse.group(2).lower().startswith("f") else "male"
            return
        stated = AGE_STATED.search(text) or AGE_AFTER_RELATIVE.search(text)
        if stated:
            found.used.append(stated.span(1))
            self._number(found, self.vocabulary["age"], float(stated.group(1)), "years")
            return
        for m in find_measurements(text):
            # "sixty-seven"; not "22 thousand" or "twenty two thousand", which count platelets
            age_in_words = text[m.start].isalpha() and m.value < 1000
            if age_in_words and m.unit in (None, "years") and AGE_LEAD.search(text[max(0, m.start - NEAR):m.start]):
                found.used.append((m.start, m.end))
                self._number(found, self.vocabulary["age"], m.value, "years")
                return

    def _by_cue(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                found: Extraction, expected: bool = False) -> Any:
        if definition.type is FactType.CHOICE:
            return self._choice(text, definition, found)
        if definition.type is FactType.NUMBER and definition.unit == "years":
            # "62 years old": the unit itself is the cue; "6 years ago" is a time, not an age
            for m in found.unused(measurements):
                if m.unit == "years" and not re.match(r"\s*(?:ago|back|before)\b", text[m.end:]):
                    found.used.append((m.start, m.end))
                    self._number(found, definition, m.value, m.unit)
                    return None
            return None
        if definition.type is FactType.BOOLEAN:
            return self._yes_no(text, definition, found, expected)
        if definition.type is FactType.NUMBER and definition.cues_false:
            self._set_aside_named_otherwise(text, definition, measurements, found)
        for start, end in mentions(text, definition.cues):
            if definition.type is FactType.DATE:
                value = self._date_near(text, definition, start, end, found)
            else:
                value = self._number_near(text, definition, measurements, start, end, found)
            if value is not None or definition.key in found.values:
                return value
        return None

    def _yes_no(self, text: str, definition: FactDefinition, found: Extraction, expected: bool) -> Optional[bool]:
        """Every mention of a yes/no fact read on its own; mentions that disagree ("no bleeding
        history, epistaxis") settle nothing and are asked about, rather than the first one winning.
        A denied partial cue answers only the question that asked about the fact ("Do you take
        antiplatelet medicines such as aspirin?" "I stopped the aspirin")."""
        said_no = [span for span in mentions(text, definition.cues_false) if not is_negated(text, span[0])]
        readings = [False] * len(said_no)
        untested = False
        for phrases, partial in ((definition.cues, False), (definition.cues_partial, True)):
            for start, end in mentions(text, phrases):
                if any(s < end and start < e for s, e in said_no):
                    continue  # inside a longer phrase that answers no ("failed IL-11 once")
                if UNTESTED_BEFORE.search(_clause_before(text, start)):
                    untested = True  # "never tested for HIV" is no negative result
                    continue
                ceased = definition.current_only and (CEASED.search(_clause_before(text, start))
                                                      or CEASED.search(_clause_after(text, end)))
                denied = ceased or is_negated(text, start) or POST_NEGATION.match(_clause_after(text, end))
                if denied and partial and not expected:
                    # "no aspirin" says nothing of the other antiplatelet medicines
                    found.partly_denied.setdefault(definition.key, []).append(text[start:end])
                    continue
                readings.append(not denied)
        if untested and True not in readings:
            return None  # not known: the reply reads as "I don't know"
        if len(set(readings)) > 1:
            found.problems.append(Problem(definition.key, texts.MIXED_ANSWER.format(label=definition.label)))
            return None
        return readings[0] if readings else None

    def _choice(self, text: str, definition: FactDefinition, found: Extraction) -> Optional[str]:
        hits = [(span, name) for name, words in definition.choices.items() for span in mentions(text, words)]
        named = {name for span, name in hits if not is_negated(text, span[0])}
        if len(named) > 1:  # "NSCLC and CLL": which one the screening is about is for a person to say
            found.problems.append(Problem(definition.key, texts.SEVERAL_CHOICES.format(
                label=definition.label, choices=" and ".join(describe_value(definition, n) for n in sorted(named)))))
            return None
        return named.pop() if named else None

    def _date_near(self, text: str, definition: FactDefinition, start: int, end: int,
                   found: Extraction) -> Any:
        if is_negated(text, start):
            return NEVER  # "no radiotherapy", "never had chemo"
        after, before = _clause_after(text, end), _clause_before(text, start)
        for clause, span in ((after, (end, end + len(after))), (before, (start - len(before), start))):
            answer = parse_when(clause, self.today)
            if answer is not None:
                found.used.append(span)  # "1 November" is not also a bare answer to a number question
                return self._when(found, definition, answer)
        return None

    def _number_near(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                     start: int, end: int, found: Extraction) -> Optional[float]:
        for m in found.unused(measurements):
            after = 0 <= m.start - end <= NEAR and not CLAUSE_END.search(text[end:m.start])
            before = 0 <= start - m.end <= NEAR // 2 and not CLAUSE_END.search(text[m.end:start])
            if after or before:
                found.used.append((m.start, m.end))
                self._number(found, definition, m.value, m.unit)
                return None
        return None

    @staticmethod
    def _set_aside_named_otherwise(text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                                   found: Extraction) -> None:
        """The number right after a phrase naming another measurement is that one's: neither this
        fact nor an answer to any question ("QT/QTc 400/440": the 400 is the QT, not the QTc)."""
        cue_spans = mentions(text, definition.cues)
        for start, end in mentions(text, definition.cues_false):
            if any(s <= start and end <= e for s, e in cue_spans):
                continue  # part of a cue: "corrected QT"
            for m in found.unused(measurements):
                if 0 <= m.start - end <= NEAR and not CLAUSE_END.search(text[end:m.start]):
                    found.used.append((m.start, m.end))
                    break

    # -- answers to the open question ----------------------------------------------------
    def _as_answer(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                   found: Extraction) -> None:
        if definition.type is FactType.NUMBER:
            usable = [m for m in found.unused(measurements)
                      if m.unit is None or self._converts(m.unit, definition.unit)]
            if usable:
                self._number(found, definition, usable[0].value, usable[0].unit)
        elif definition.type is FactType.DATE:
            answer = parse_when(text, self.today)
            if answer is not None:
                value = self._when(found, definition, answer)
                if value is not None:
                    found.values[definition.key] = value

    # -- values --------------------------------------------------------------------------
    def _number(self, found: Extraction, definition: FactDefinition, value: float, unit: Optional[str]) -> None:
        """Record a number in the fact's unit, or a problem if it is not plausible."""
        candidates = [unit] if unit else [definition.unit, *ALTERNATIVE_UNITS.get(definition.unit or "", ())]
        converted = [self._in_unit(value, u, definition.unit) for u in candidates]
        plausible = [v for v in converted if v is not None and self._plausible(definition, v)]
        if plausible:
            found.values[definition.key] = round(plausible[0], 3)
            return
        low, high = definition.plausible or (None, None)
        found.problems.append(Problem(definition.key, texts.CHECK_VALUE.format(
            value=f"{value:g} {unit or definition.unit or ''}".strip(), label=definition.label,
            low=f"{low:g}", high=f"{high:g}", unit=definition.unit or "")))
        found.values.pop(definition.key, None)

    def _when(self, found: Extraction, definition: FactDefinition, answer: WhenAnswer) -> Any:
        if answer.never:
            return NEVER
        if answer.future:
            found.problems.append(Problem(definition.key, texts.FUTURE_DATE))
            return None
        return date_value(answer.earliest or answer.date, answer.date) if answer.date else None

    @staticmethod
    def _in_unit(value: float, unit: Optional[str], target: Optional[str]) -> Optional[float]:
        if unit is None or target is None or unit == target:
            return value
        try:
            return convert(value, unit, target)
        except ValueError:
            return None

    def _converts(self, unit: str, target: Optional[str]) -> bool:
        return self._in_unit(1.0, unit, target) is not None

    @staticmethod
    def _plausible(definition: FactDefinition, value: float) -> bool:
        return definition.plausible is None or definition.plausible[0] <= value <= definition.plausible[1]


def extract(text: str, vocabulary: Vocabulary, expecting: Sequence[FactDefinition], today: date) -> Extraction:
    return Extractor(vocabulary, today).run(text, expecting)
