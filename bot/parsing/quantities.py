"""Find numbers with the units written after them (lab values, ages), in the units of bot.units."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing.chinese import RIGHT_EDGE
from bot.parsing.numbers import find_numbers, normalise_with_offsets
from bot.units import SPELLINGS

# Time spans are read as times by bot.parsing.when ("3 weeks ago"), never as a quantity of a fact.
_SPANS = frozenset({"months", "weeks", "days", "hours"})
_READ = [(spelling, unit) for spelling, unit in SPELLINGS if unit not in _SPANS]
_UNIT = re.compile(
    r"(?:-|[ \t]*)(?:" + "|".join(f"(?P<u{i}>(?:{spelling}){RIGHT_EDGE})" for i, (spelling, _) in enumerate(_READ)) + ")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Measurement:
    """A number with its canonical unit (None if none given); offsets are into the original text."""

    value: float
    unit: str | None
    start: int
    end: int


def find_measurements(text: str) -> list[Measurement]:
    """Find every number in `text` with the unit written right after it, if any.

    Numbers are read after `numbers.normalise` ("22k", "twenty two thousand"), but
    `start`/`end` always point into the original `text`.
    """
    norm = normalise_with_offsets(text)
    found: list[Measurement] = []
    consumed = 0
    for number in find_numbers(norm.text):
        if number.start < consumed:
            continue
        m = _UNIT.match(norm.text, number.end)
        unit = _READ[int(m.lastgroup[1:])][1] if m and m.lastgroup else None
        consumed = m.end() if m else number.end
        start, end = norm.original_span(number.start, consumed)
        found.append(Measurement(number.value, unit, start, end))
    return found
