"""Find numbers with the units written after them (lab values, ages), in the units of bot.units."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing.chinese import RIGHT_EDGE
from bot.parsing.language import is_english_word
from bot.parsing.numbers import find_numbers, minus_sign, normalise_with_offsets
from bot.units import SPELLINGS, UNIT_RE, match_unit, unit_named

# Time spans are read as times by bot.parsing.when ("3 weeks ago"): a number before one is marked TIME, so
# that it is never taken for a count ("6 weeks ago" to the platelet question), only for a fact measured in
# time spans
SPANS = frozenset({"months", "weeks", "days", "hours"})
_UNIT = re.compile(
    r"(?:-|[ \t]*)(?:" + "|".join(f"(?P<u{i}>(?:{spelling}){RIGHT_EDGE})" for i, (spelling, _) in enumerate(SPELLINGS)) + ")",
    re.IGNORECASE,
)
_WORD_AFTER = re.compile(r"[ \t]*-?([A-Za-z]+)\b")
# A number joined by a hyphen to two letters before it is part of a name ("IL-11", "CA-125"), never a value; a
# label ("PLT-22", "QTc-470") or a sex ("F-58") is longer or shorter
_NAME_BEFORE = re.compile(r"(?<![A-Za-z])[A-Za-z]{2}-$")
# Shapes of a number that is no value of anything a person is asked: a minus sign, with a unit or without
# ("-5", "-5 years", "minus 5", "-22k": no count, age or time ago is below zero; numbers.minus_sign), a power ("1e308", "10^100", "22 ×10^99/L": not the units ×10^9/L and
# ×10^3/µL, read before), a fraction or a division ("1/0", "31/02/2025")
_POWER = re.compile(r"[eE][-+]?[0-9]+|[ \t]*(?:\^|\*\*)[ \t]*[-+]?[0-9]+|[ \t]*[x×*][ \t]*10[ \t]*(?:\^|\*\*|[eE])[ \t]*[-+]?[0-9]+")
_FRACTION = re.compile(r"[ \t]*/[ \t]*[0-9]")
_NEXT_NUMBER = re.compile(r"[ \t]+[0-9]+(?:\.[0-9]+)?(?![0-9.,]|[ \t]*[A-Za-z%/])")
NEGATIVE, POWER, FRACTION, SPLIT, TIME = "negative", "power", "fraction", "split", "time"
# Words that end in "s" without naming what is counted
_NOT_PLURAL = re.compile(r".*(?:ss|us|is|ous)$|(?:does|goes|says|has|was|always|perhaps|yes|plus|less|thus|its|hers"
                         r"|his|ours|yours|theirs|whereas|sometimes|besides|towards|afterwards)$", re.IGNORECASE)


@dataclass(frozen=True)
class Measurement:
    """A number with its canonical unit (None if none given); offsets are into the original text.

    ``unit`` may also be a unit in pint's own words that the bot does not spell ("parsec", "volt",
    "kilogram": bot.units.unit_named), which converts to a fact's unit only if it measures the same
    thing. ``shape`` says why the number is no value at all (NEGATIVE, POWER, FRACTION, or SPLIT for
    two bare numbers side by side, "age 6 2"), ``noun`` what a number counts when it is followed by a
    plural noun that is no unit ("22 bananas", "3 cycles"). A number of a time span ("6 weeks") has the
    span as its unit and the shape TIME."""

    value: float
    unit: str | None
    start: int
    end: int
    shape: str | None = None
    noun: str | None = None


def _counted(word: str) -> bool:
    """Whether a word is a plural noun: "bananas", "transfusions", "cycles"."""
    lower = word.lower()
    if len(lower) < 4 or not lower.endswith("s") or _NOT_PLURAL.match(lower):
        return False
    singulars = [lower[:-1], lower[:-2] if lower.endswith("es") else "", lower[:-3] + "y" if lower.endswith("ies") else ""]
    return any(s and is_english_word(s) for s in singulars)


def find_measurements(text: str) -> list[Measurement]:
    """Find every number in `text` with the unit written right after it, if any.

    Numbers are read after `numbers.normalise` ("22k", "twenty two thousand"), but
    `start`/`end` always point into the original `text`.
    """
    norm = normalise_with_offsets(text)
    found: list[Measurement] = []
    consumed = 0
    for number in find_numbers(norm.text):
        if number.start < consumed or _NAME_BEFORE.search(norm.text, 0, number.start):
            continue
        m = _UNIT.match(norm.text, number.end)
        unit = SPELLINGS[int(m.lastgroup[1:])][1] if m and m.lastgroup else None
        consumed = m.end() if m else number.end
        sign = minus_sign(norm.text, number.start)
        # "-3 weeks" is no time ago (bot.parsing.when reads none) but a quantity below zero
        shape, noun = (NEGATIVE if sign else TIME if unit in SPANS else None), None
        if unit is None and not sign:
            shape, consumed = _shape(norm.text, number.start, number.end)
        elif unit is None:  # a unit right against the next word after a minus sign
            unit, consumed = match_unit(norm.text, number.end) or (None, consumed)
        if unit is None and shape is None and not UNIT_RE.match(norm.text, number.end):
            word = _WORD_AFTER.match(norm.text, number.end)
            if word and unit_named(word.group(1)):
                unit, consumed = unit_named(word.group(1)), word.end()
            elif word and _counted(word.group(1)):
                noun = word.group(1).lower()
        start, end = norm.original_span(number.start - sign, consumed)  # "-5" with its sign
        found.append(Measurement(number.value, unit, start, end, shape, noun))
    return found


def _shape(text: str, start: int, end: int) -> tuple[str | None, int]:
    """Why the number at ``start:end`` of the normalised text, with no unit and no sign, is no value, if it
    is not, and where what was read ends."""
    for shape, pattern in ((POWER, _POWER), (FRACTION, _FRACTION), (SPLIT, _NEXT_NUMBER)):
        m = pattern.match(text, end)
        if m:
            return shape, m.end() if shape != FRACTION else end
    return None, end
