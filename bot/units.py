"""Units of measurement: one registry for what patients write, what trials' criteria say and how
one converts to the other.

Facts, rules and imported concepts store a value in a *canonical* unit ("10^9/L", "mg/dL"); each
has its definition in pint, which does every conversion, so a patient's "mg/dL" reaches an imported
fact kept in mg/L. Where pint would relate things that must not be mixed, the unit gets a dimension
of its own: breaths and heartbeats per minute, multiples of the upper limit of normal,
milliequivalents, clearance per 1.73 m² of body surface.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import pint

# canonical unit -> its definition in pint (the dimensions below are defined first)
DEFINITIONS: Dict[str, str] = {
    "10^9/L": "1e9 / liter", "10^3/uL": "1e3 / microliter", "10^4/uL": "1e4 / microliter", "/uL": "1 / microliter",
    "mg/dL": "milligram / deciliter", "g/dL": "gram / deciliter", "g/L": "gram / liter",
    "mg/L": "milligram / liter", "ug/mL": "microgram / milliliter", "ng/mL": "nanogram / milliliter",
    "ug/L": "microgram / liter", "pg/mL": "picogram / milliliter", "ng/L": "nanogram / liter",
    "ug/dL": "microgram / deciliter",
    "mmol/L": "millimole / liter", "umol/L": "micromole / liter", "mEq/L": "milliequivalent / liter",
    "U/L": "enzyme_unit / liter", "ms": "millisecond", "s": "second", "%": "percent", "mmHg": "millimeter_Hg",
    "mL/min": "milliliter / minute", "mL/min/1.73m2": "milliliter / minute / standard_body_surface",
    "L/min": "liter / minute", "breaths/min": "breath / minute", "bpm": "heartbeat / minute",
    "kg/m2": "kilogram / meter ** 2", "kg": "kilogram", "lb": "pound",
    "°C": "degree_Celsius", "°F": "degree_Fahrenheit", "xULN": "upper_limit_of_normal",
    "years": "year", "months": "month", "weeks": "week", "days": "day", "hours": "hour",
}
_OWN_DIMENSIONS = (
    "breath = [breath]", "heartbeat = [heartbeat]", "upper_limit_of_normal = [upper_limit_of_normal]",
    "milliequivalent = [charge_equivalent] = mEq",
    "standard_body_surface = [body_surface]",  # clearance per 1.73 m² is not a clearance per person
)

_MICRO = r"(?:u|µ|μ|mc|micro)"
_LITRE = r"(?:l|lit(?:re|er)s?)\b"
_MICROLITRE = _MICRO + r"\s*l(?:it(?:re|er)s?)?\b"
_PER = r"\s*(?:/|per\s+)\s*"
_TEN_TO = r"(?:x|×|\*)?\s*10\s*(?:\^|\*\*?|e)?\s*"
# (spelling, canonical unit): regexes read case-insensitively, longer spellings before their prefixes
SPELLINGS: List[Tuple[str, str]] = [
    (_TEN_TO + r"(?:9|⁹)\s*(?:cells\s*)?" + _PER + _LITRE, "10^9/L"),
    # "19 x 10^9" with the per litre left out: a blood count times 10^9 is per litre
    (r"(?:x|×|\*)\s*10\s*(?:(?:\^|\*\*?|e)\s*9|⁹)(?!\s*(?:cells\s*)?(?:/|per\b|\d))", "10^9/L"),
    (_TEN_TO + r"(?:3|³)\s*(?:cells\s*)?" + _PER + r"(?:" + _MICROLITRE + r"|mm\s*(?:3|³|\^3)|cu\.?\s*mm)", "10^3/uL"),
    (_TEN_TO + r"(?:3|³)\s*(?:cells\s*)?" + _PER + r"m\s*l\b", "10^9/L"),
    # "2.2 x 10^4/µL" (22,000 per microlitre), as some labs print a platelet count
    (_TEN_TO + r"(?:4|⁴)\s*(?:cells\s*)?" + _PER + r"(?:" + _MICROLITRE + r"|mm\s*(?:3|³|\^3)|cu\.?\s*mm)", "10^4/uL"),  # 10^3/mL: the corpus' typo for /uL
    (r"(?:k|thou)" + _PER + _MICROLITRE, "10^3/uL"),
    (r"(?:billion|bn)\s*(?:cells\s*)?" + _PER + _LITRE, "10^9/L"),
    (r"(?:(?-i:G)|giga)" + _PER + _LITRE, "10^9/L"),  # "G/L" (giga), not "g/L" (grams)
    (r"(?:cells?|cell\s+count)?" + _PER + r"(?:" + _MICROLITRE + r"|mm\s*(?:3|³|\^3)|cu\.?\s*mm"
     r"|cubic\s+mill?imet(?:er|re)s?)", "/uL"),
    (r"cells?\s*/\s*" + _LITRE, "/uL"),  # "1000 cells/L" is how the corpus writes cells per microlitre
    (r"(?:ml|millilit(?:er|re)s?)" + _PER + r"(?:min|minute)" + _PER + r"1[.,]73\s*(?:m\s*(?:2|²|\^2)"
     r"|square\s+met(?:er|re)s?|met(?:er|re)\s+square)", "mL/min/1.73m2"),
    (r"(?:ml|millilit(?:er|re)s?)" + _PER + r"(?:min|minute)\b", "mL/min"),
    (r"(?:l|lit(?:er|re)s?)" + _PER + r"(?:min|minute)\b", "L/min"),
    (r"(?:mg|milligrams?)" + _PER + r"(?:dl|decilit(?:er|re)s?|100\s*ml)\b", "mg/dL"),  # "8 g/100ml": per decilitre
    (r"(?:g|gm|grams?)" + _PER + r"(?:dl|decilit(?:er|re)s?|100\s*ml)\b", "g/dL"),
    (r"(?:" + _MICRO + r"g|micrograms?)" + _PER + r"(?:dl|decilit(?:er|re)s?)\b", "ug/dL"),
    (r"(?:mg|milligrams?)" + _PER + _LITRE, "mg/L"),
    (r"(?:g|gm|grams?)" + _PER + _LITRE, "g/L"),
    (r"(?:" + _MICRO + r"g|micrograms?)" + _PER + r"(?:ml|millilit(?:er|re)s?)\b", "ug/mL"),
    (r"(?:" + _MICRO + r"g|micrograms?)" + _PER + _LITRE, "ug/L"),
    (r"(?:ng|nanograms?)" + _PER + r"(?:ml|millilit(?:er|re)s?)\b", "ng/mL"),
    (r"(?:ng|nanograms?)" + _PER + _LITRE, "ng/L"),
    (r"(?:pg|picograms?)" + _PER + r"(?:ml|millilit(?:er|re)s?)\b", "pg/mL"),
    (r"(?:mmol|millimol(?:es?)?)" + _PER + _LITRE, "mmol/L"),
    (r"(?:" + _MICRO + r"\s*mol(?:es?)?|micromol(?:es?)?)" + _PER + _LITRE, "umol/L"),
    (r"(?:meq|meg)" + _PER + _LITRE, "mEq/L"),
    (r"(?:i?u|(?:international\s+)?units?)" + _PER + _LITRE, "U/L"),
    (r"(?:kg|kilograms?)" + _PER + r"(?:m\s*(?:2|²|\^2)|square\s+met(?:er|re)s?)", "kg/m2"),
    (r"(?:kg|kilograms?|kgs)\b", "kg"),
    (r"(?:lbs?|pounds?)\b", "lb"),
    (r"(?:mm\s*hg|millimet(?:er|re)s?\s+of\s+mercury)", "mmHg"),
    (r"breaths?" + _PER + r"(?:min|minute)\b", "breaths/min"),
    (r"(?:bpm|beats?" + _PER + r"(?:min|minute))\b", "bpm"),
    (r"(?:ms|msecs?|millisec(?:ond)?s?)\b|毫秒", "ms"),
    # seconds ("QTc 0.44 s"): a lone "s" only as a word after a number, not "s/p" (status post) or "50s"
    (r"(?:secs?|seconds?)\b|(?<=[0-9][ \t])s(?![/\w'’-])", "s"),
    (r"(?:°|º|degrees?\s*)\s*c(?:elsius)?\b", "°C"),
    (r"(?:°|º|degrees?\s*)\s*f(?:ahrenheit)?\b", "°F"),
    (r"(?:%|percent\b|per\s*cent\b|pct\b)", "%"),
    (r"(?:y/o|y\.o\.?|(?:years?|yrs?)[\s-]+old|years?|yrs?|yo|y)\b|周岁|岁", "years"),
    (r"(?:months?|mos?)\b", "months"),
    (r"(?:weeks?|wks?)\b", "weeks"),
    (r"days?\b", "days"),
    (r"(?:hours?|hrs?|h)\b", "hours"),
]
UNIT_RE = re.compile(r"[ \t]*(?:" + "|".join(f"(?P<u{i}>{s})" for i, (s, _) in enumerate(SPELLINGS)) + r")",
                     re.IGNORECASE)


def match_unit(text: str, pos: int) -> Optional[Tuple[str, int]]:
    """The canonical unit written at ``pos`` in ``text`` (after any spaces) and where it ends."""
    m = UNIT_RE.match(text, pos)
    if not m or not m.lastgroup:
        return None
    return SPELLINGS[int(m.lastgroup[1:])][1], m.end()


@lru_cache(maxsize=None)
def _registry() -> pint.UnitRegistry:
    registry = pint.UnitRegistry()
    for definition in _OWN_DIMENSIONS:
        registry.define(definition)
    return registry


@lru_cache(maxsize=4096)
def unit_named(word: str) -> Optional[str]:
    """The unit of pint's registry that a written word names ("parsecs" -> "parsec", "kilograms" ->
    "kilogram", "volts"), or None. Only whole words of four letters or more, with any prefix spelled
    out: pint alone would read "units" as micro-nits and "in" as inches. Units written as the bot's
    own spellings (SPELLINGS) are not asked about here."""
    if len(word) < 4 or not word.isalpha():
        return None
    word = word.lower()
    try:
        readings = _registry().parse_unit_name(word)
    except (pint.PintError, ValueError):
        return None
    for prefix, name, _ in readings:
        if not prefix or word.startswith(prefix):
            return prefix + name
    return None


def _definition(unit: Optional[str]) -> Optional[str]:
    """A canonical unit's definition in pint, or a unit named in pint's own words ("parsec")."""
    if unit in DEFINITIONS:
        return DEFINITIONS[unit]
    return unit if unit and unit_named(unit) == unit else None


@lru_cache(maxsize=None)
def factor(from_unit: Optional[str], to_unit: Optional[str]) -> Optional[float]:
    """What a value in ``from_unit`` is multiplied by to be in ``to_unit``; None when the two
    measure different things, a unit is unknown, or the scales are offset (°C and °F). A unit named
    in pint's own words ("parsec", "stone") converts to a canonical one of its dimension; a
    dimensionless one ("degree", "turn") to none: 62 degrees is no percentage."""
    if from_unit == to_unit:
        return 1.0
    source_definition, target_definition = _definition(from_unit), _definition(to_unit)
    if source_definition is None or target_definition is None:
        return None
    registry = _registry()
    source, target = registry(source_definition), registry(target_definition)
    if not source.is_compatible_with(target):
        return None
    if source.dimensionless and (from_unit not in DEFINITIONS or to_unit not in DEFINITIONS):
        return None
    try:
        return float((source / target).to("dimensionless").magnitude)
    except pint.OffsetUnitCalculusError:
        return None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (30 "10^9/L" -> 30000 "/uL"), rounded to 12
    significant digits to hide float noise. Raises ValueError for unknown or unrelated units."""
    ratio = factor(from_unit, to_unit)
    if ratio is None:
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}")
    return float(f"{value * ratio:.12g}")
