"""Find numbers with units (lab values, ages, intervals) and convert between units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pint

from bot.parsing.chinese import RIGHT_EDGE
from bot.parsing.numbers import find_numbers, normalise_with_offsets

_PER = r"\s*(?:/|per\s+)\s*"
_LITRE = r"l(?:itre|iter)?s?"
_MICROLITRE = r"(?:u|µ|μ|mc|micro)\s*l(?:itre|iter)?s?"

# Canonical unit -> spellings, tried in order (longer spellings before their prefixes).
_SPELLINGS: dict[str, list[str]] = {
    "10^9/L": [
        rf"(?:[x×*]\s*)?10\s*(?:\^|\*\*?|e)?\s*[9⁹]\s*(?:cells\s*)?{_PER}{_LITRE}",
        rf"(?:[x×*]\s*)?10\s*(?:\^|\*\*?|e)?\s*[3³]\s*(?:cells\s*)?{_PER}{_MICROLITRE}",
        rf"(?:k|thou){_PER}{_MICROLITRE}",
        rf"(?:billion|bn)\s*(?:cells\s*)?{_PER}{_LITRE}",
        rf"(?-i:G){_PER}{_LITRE}",
    ],
    "/uL": [
        rf"(?:cells\s*)?{_PER}"
        rf"(?:{_MICROLITRE}|mm\s*(?:\^?3|³)|cu\.?\s*mm|cubic\s+mill?imet(?:re|er)s?)",
    ],
    "mg/dL": [rf"(?:mg|milligrams?){_PER}(?:dl|decilit(?:re|er)s?)"],
    "g/dL": [rf"(?:g|gm|grams?){_PER}(?:dl|decilit(?:re|er)s?)"],
    "g/L": [rf"(?:(?-i:g)|gm|grams?){_PER}{_LITRE}"],
    "umol/L": [rf"(?:u|µ|μ|micro)\s*mol(?:es?)?{_PER}{_LITRE}"],
    "mmol/L": [rf"(?:mmol|millimol(?:es?)?){_PER}{_LITRE}"],
    "U/L": [rf"(?:i?u|(?:international\s+)?units?){_PER}{_LITRE}"],
    "ms": [r"ms|msecs?|millisec(?:ond)?s?|毫秒"],
    "years": [r"y/o|y\.o\.?|(?:years?|yrs?)[\s-]+old|years?|yrs?|yo|y|周岁|岁"],
    "%": [r"%|percent|per\s*cent|pct"],
}
_GROUPS = {f"u{i}": unit for i, unit in enumerate(_SPELLINGS)}
_UNIT = re.compile(
    r"(?:-|[ \t]*)(?:"
    + "|".join(
        f"(?P<{name}>(?:{'|'.join(_SPELLINGS[unit])}){RIGHT_EDGE})" for name, unit in _GROUPS.items()
    )
    + ")",
    re.IGNORECASE,
)

_PINT_UNITS = {
    "10^9/L": "1e9 / liter",
    "/uL": "1 / microliter",
    "ms": "millisecond",
    "years": "year",
    "mg/dL": "milligram / deciliter",
    "g/dL": "gram / deciliter",
    "g/L": "gram / liter",
    "umol/L": "micromole / liter",
    "mmol/L": "millimole / liter",
    "U/L": "enzyme_unit / liter",
    "%": "percent",
}


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
        unit = _GROUPS[m.lastgroup] if m and m.lastgroup else None
        consumed = m.end() if m else number.end
        start, end = norm.original_span(number.start, consumed)
        found.append(Measurement(number.value, unit, start, end))
    return found


@lru_cache(maxsize=None)
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


@lru_cache(maxsize=None)
def _factor(from_unit: str, to_unit: str) -> float:
    try:
        source, target = _PINT_UNITS[from_unit], _PINT_UNITS[to_unit]
    except KeyError as exc:
        known = ", ".join(_PINT_UNITS)
        raise ValueError(f"unknown unit {exc.args[0]!r}; expected one of {known}") from None
    ureg = _registry()
    try:
        return float((ureg(source) / ureg(target)).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}: incompatible") from None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between canonical unit strings, e.g. 30 "10^9/L" -> 30000 "/uL".

    The result is rounded to 12 significant digits to hide float noise.
    Raises ValueError for unknown or incompatible units.
    """
    return float(f"{value * _factor(from_unit, to_unit):.12g}")
