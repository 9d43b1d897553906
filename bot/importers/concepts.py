"""Facts for imported concepts: units, the lexicon of recognised names, and the generic facts.

An importer asks ``Concepts`` for the fact that stands for a concept ("diagnosed with asthma",
"absolute neutrophil count in 10^9/L", "last dose of remdesivir") and gets back its key; the
definition, worded from the templates of ``data/import_vocabulary.yml``, is created once and shared
by every trial that mentions the same concept, so that one answer counts for all of them. It is
worded in Chinese too when the vocabulary has a Chinese name for the concept and its unit.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import yaml

from bot import i18n, units
from bot.facts import NEVER, UNIT_WORDS, FactDefinition, FactType, Vocabulary

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # the project's data/, beside the packages
IMPORT_VOCABULARY = DATA_DIR / "import_vocabulary.yml"
MAX_KEY = 64  # the store's facts.key column


def _reading_factor(unit: Optional[str], target: Optional[str]) -> Optional[float]:
    """The factor that reads a criterion's ``unit`` into a concept kept in ``target``, if it should be.

    Within three orders of magnitude only (platelets per mm³ into 10^9/L, D-dimer in mg/L into
    ng/mL): further apart the text is more likely mistyped ("ferritin > 300 g/L") than meant, and a
    window in hours is not asked in months. Such a criterion gets a fact of its own unit instead.
    """
    factor = units.factor(unit, target)
    if factor is None or not 1e-3 <= factor <= 1e3 or (unit == "hours") != (target == "hours"):
        return None
    return factor


def round_value(value: float) -> float:
    return float(f"{value:.6g}")


def describe_unit(unit: Optional[str]) -> str:
    return UNIT_WORDS.get(unit, unit) if unit else ""


# -- names -------------------------------------------------------------------------------------
def slug(text: str, limit: int = 40) -> str:
    """A key-safe normal form of a name ("Type 2 Diabetes!" -> "type_2_diabetes")."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"
    if len(words) <= limit:
        return words
    return words[: limit - 9].rstrip("_") + "_" + hashlib.sha1(words.encode()).hexdigest()[:8]


def plain_name(name: str) -> str:
    """A concept name as it reads in a sentence: "Chronic Kidney Disease" -> "chronic kidney disease"."""
    name = " ".join(name.split()).strip(" .;,:")
    words = name.split(" ")
    lowered = [w if (sum(c.isupper() for c in w) > 1 or any(c.isdigit() for c in w)) else w.lower() for w in words]
    return " ".join(lowered)


def window_words(amount: int, unit: str = "days") -> str:
    """ "14 days" -> "2 weeks", "365 days" -> "year"; for questions ("in the last 2 weeks")."""
    if unit == "days":
        if amount % 365 == 0:
            amount, unit = amount // 365, "years"
        elif amount % 7 == 0 and amount <= 84:
            amount, unit = amount // 7, "weeks"
    singular = unit[:-1]
    return singular if amount == 1 else f"{amount} {unit}"


def chinese_window(days: int) -> str:
    """ "14 days" -> "2周", "365 days" -> "1年", as ``window_words`` groups them ("过去2周内")."""
    if days % 365 == 0:
        return f"{days // 365}年"
    if days % 7 == 0 and days <= 84:
        return f"{days // 7}周"
    return f"{days}天"


@dataclass(frozen=True)
class Entry:
    """A recognised name: which fact it stands for and how it is called."""

    family: str  # measurement, condition, drug
    key: str  # the entry's name in the lexicon
    label: str
    aliases: Tuple[str, ...]
    chinese: Optional[str] = None  # the concept's vetted Chinese name (``zh``)
    fact: Optional[str] = None  # a fact of data/facts.yml
    unit: Optional[str] = None
    answered_by: Optional[str] = None
    result_only: bool = False  # a test read only as positive or negative, never as a number
    # the values a person can have, in the entry's unit (or its fact's): a bound outside them has
    # lost its scale ("hemoglobin < 9 mg/dL" for 9 g/dL), so only the study team can read it
    plausible: Optional[Tuple[float, float]] = None

    def implausible(self, value: float, unit: Optional[str], fact_unit: Optional[str]) -> bool:
        """Whether a bound ``value`` in ``unit`` is outside what a person can have."""
        if self.plausible is None or unit != fact_unit:
            return False
        low, high = self.plausible
        return not low <= value <= high


@dataclass
class Lexicon:
    templates: Mapping[str, Mapping[str, Any]]
    chinese_units: Mapping[str, str] = field(default_factory=dict)
    entries: Dict[str, List[Entry]] = field(default_factory=dict)
    # an entry's English name (``label``) -> its Chinese name: the names the facts are worded with
    chinese_names: Dict[str, str] = field(default_factory=dict)
    _by_alias: Dict[Tuple[str, str], Entry] = field(default_factory=dict)
    _patterns: Dict[str, re.Pattern] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = IMPORT_VOCABULARY) -> "Lexicon":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lexicon = cls(templates=data["templates"], chinese_units=data.get("chinese_units") or {})
        for family, section in (("measurement", "measurements"), ("condition", "conditions"),
                                ("drug", "drugs")):
            entries = []
            for key, spec in (data.get(section) or {}).items():
                entry = Entry(family=family, key=key, label=spec.get("label", key.replace("_", " ")),
                              aliases=tuple(a.lower() for a in spec["aliases"]), chinese=spec.get("zh"),
                              fact=spec.get("fact"),
                              unit=spec.get("unit"), answered_by=spec.get("answered_by"),
                              result_only=bool(spec.get("result_only")),
                              plausible=tuple(spec["plausible"]) if spec.get("plausible") else None)
                entries.append(entry)
                if entry.chinese:
                    lexicon.chinese_names[entry.label] = entry.chinese
                for alias in entry.aliases:
                    lexicon._by_alias.setdefault((family, alias), entry)
            lexicon.entries[family] = entries
            aliases = sorted({a for e in entries for a in e.aliases}, key=len, reverse=True)
            lexicon._patterns[family] = re.compile(
                r"(?<![\w-])(" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])", re.IGNORECASE)
        return lexicon

    def exact(self, family: str, *names: str) -> Optional[Entry]:
        """The entry one of ``names`` is (whole name, ignoring case, spacing and brackets)."""
        for name in names:
            normal = " ".join(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name or "").lower().split()).strip(" .,;:")
            entry = self._by_alias.get((family, normal))
            if entry is not None:
                return entry
        return None

    def find(self, family: str, text: str) -> Iterator[Tuple[Entry, int, int]]:
        """Every mention of an entry of ``family`` in ``text``, with its span."""
        for m in self._patterns[family].finditer(text):
            yield self._by_alias[(family, m.group(1).lower())], m.start(), m.end()


# -- questions from criteria text --------------------------------------------------------------
_WHO = r"(?:(?:the\s+)?(?:patients?|subjects?|participants?|individuals?|persons?|people|volunteers?)\s+)?"
# (pattern, question to you, question about {subject}); \1 is the rest of the criterion
_REPHRASINGS: List[Tuple[re.Pattern, str, str]] = [(re.compile(p, re.IGNORECASE), you, other) for p, you, other in [
    (rf"^{_WHO}(?:must|should|will)\s+be\s+(?:able\s+and\s+willing|willing\s+and\s+able)\s+to\s+(.+)$",
     "Are you able and willing to {0}?", "Is {{subject}} able and willing to {0}?"),
    (rf"^{_WHO}(?:must|should|will)\s+be\s+(?:able|willing)\s+to\s+(.+)$",
     "Are you able and willing to {0}?", "Is {{subject}} able and willing to {0}?"),
    (rf"^{_WHO}(?:who\s+are\s+)?(?:able|willing)\s+(?:and\s+(?:able|willing)\s+)?to\s+(.+)$",
     "Are you able and willing to {0}?", "Is {{subject}} able and willing to {0}?"),
    (r"^(?:a\s+)?(?:known\s+|documented\s+)?(?:past\s+|prior\s+)?(?:medical\s+)?history\s+of\s+(.+)$",
     "Have you ever had {0}?", "Has {{subject}} ever had {0}?"),
    (r"^(?:prior|previous)\s+(?:therapy|treatment)\s+with\s+(.+)$",
     "Have you been treated with {0} before?", "Has {{subject}} been treated with {0} before?"),
    (r"^(?:concurrent|concomitant|current)\s+(?:therapy|treatment|use)\s+(?:with|of)\s+(.+)$",
     "Are you currently receiving {0}?", "Is {{subject}} currently receiving {0}?"),
    (rf"^{_WHO}(?:who\s+are\s+)?(?:currently\s+)?(?:receiving|taking|on)\s+(.+)$",
     "Are you currently receiving {0}?", "Is {{subject}} currently receiving {0}?"),
    (rf"^{_WHO}(?:must|should)\s+have\s+((?:\w+ed|undergone|had|been|received)\b.+)$",
     "Have you {0}?", "Has {{subject}} {0}?"),
    (rf"^{_WHO}(?:must|should)\s+have\s+(.+)$", "Do you have {0}?", "Does {{subject}} have {0}?"),
    (rf"^{_WHO}(?:must|should)\s+be\s+(.+)$", "Are you {0}?", "Is {{subject}} {0}?"),
    (r"^(?:patients?|subjects?|participants?|individuals?)\s+(?:with|having)\s+(.+)$",
     "Do you have {0}?", "Does {{subject}} have {0}?"),
]]
TAIL = re.compile(r"[\s,;]*(?:(?:are|is)\s+(?:not\s+)?(?:eligible|ineligible|excluded|allowed|permitted)"
                   r"(?:\s+to\s+participate)?|will\s+be\s+excluded)\s*$", re.IGNORECASE)
_AWKWARD = re.compile(r"\b(?:not|no|without|unless|except|nor|they|their|them|he|she|his|her|investigator\w*|"
                      r"eligible|ineligible)\b|[:;]", re.IGNORECASE)


def plain_question(text: str) -> Optional[Tuple[str, str]]:
    """A criterion rephrased as a question to the person ("History of X" -> "Have you ever had
    X?"), with its form about another person; None when no safe rephrasing is known."""
    text = TAIL.sub("", text.strip().rstrip(" .;,"))
    for pattern, you, other in _REPHRASINGS:
        m = pattern.match(text)
        if not m:
            continue
        rest = m.group(1).strip().rstrip(" .;,")
        if not rest or len(rest) > 160 or _AWKWARD.search(rest) or re.match(r"(?:or|and)\b", rest, re.I):
            return None
        braces = rest.replace("{", "{{").replace("}", "}}")
        return you.format(rest), other.format(braces)
    return None


# -- facts -------------------------------------------------------------------------------------
class Concepts:
    """The facts an import needs: reuses the vocabulary's, creates the missing ones."""

    def __init__(self, vocabulary: Vocabulary, lexicon: Optional[Lexicon] = None) -> None:
        self.vocabulary = Vocabulary(vocabulary)  # grows with the facts created here
        self.lexicon = lexicon or Lexicon.load()
        self.created: Dict[str, FactDefinition] = {}

    def get(self, key: str) -> Optional[FactDefinition]:
        return self.vocabulary.get(key)

    def _define(self, key: str, template: str, fact_type: FactType, answered_by: str = "patient",
                unit: Optional[str] = None, implied_by: Optional[List[Dict[str, Any]]] = None,
                days: Optional[int] = None, **words: Any) -> str:
        """``days``: the time frame of a fact "in the last N days" ({window} in the templates)."""
        if len(key) > MAX_KEY:
            key = key[: MAX_KEY - 9] + "_" + hashlib.sha1(key.encode()).hexdigest()[:8]
        existing = self.vocabulary.get(key)
        if existing is not None and existing.translations:
            return key
        texts = self.lexicon.templates[template]
        words.setdefault("unit", describe_unit(unit))
        if days is not None:
            words["window"] = window_words(days)
        data = {
            "type": fact_type.value, "answered_by": answered_by, "unit": unit,
            "label": texts["label"].format(subject="{subject}", **words),
            "ask": texts["ask"].format(subject="{subject}", **words),
            # ask_other is formatted again with the subject: braces in names must survive that
            "ask_other": texts["ask_other"].format(subject="{subject}", **{
                k: str(v).replace("{", "{{").replace("}", "}}") for k, v in words.items()}),
            "implied_by": implied_by,
        }
        chinese = self._chinese(texts, words["name"], unit, days)
        if existing is not None:
            # imported before the templates had Chinese: worded in Chinese now, unless a coordinator
            # has reworded its question since (then the template's Chinese says something else)
            if chinese and (existing.label, existing.ask) == (data["label"], data["ask"]):
                self.vocabulary[key] = self.created[key] = replace(existing, translations={i18n.CHINESE: chinese})
            return key
        if chinese:
            data[i18n.CHINESE] = chinese
        self.vocabulary[key] = self.created[key] = FactDefinition.from_dict(key, data)
        return key

    def _chinese(self, texts: Mapping[str, Any], name: str, unit: Optional[str], days: Optional[int]) -> Dict[str, str]:
        """The fact's label and questions in Chinese, from the template's Chinese wording; none
        unless the concept (and its unit) has a vetted Chinese name."""
        wording = texts.get(i18n.CHINESE)
        words = {"name": self.lexicon.chinese_names.get(name), "unit": self.lexicon.chinese_units.get(unit) if unit else "",
                 "window": chinese_window(days) if days is not None else ""}
        if not wording or None in words.values():
            return {}
        return {field: wording[field].format(subject="{subject}", **words) for field in ("label", "ask", "ask_other")}

    def _variant_of(self, base: str, template: str, name: str, value: Any = False) -> List[Dict[str, Any]]:
        """Defines the "ever" fact that a time variant depends on; "never had it" answers the variant
        too ("COVID-19 in the last 3 days": no), so that it is not asked again."""
        self._define(base, template, FactType.BOOLEAN, name=name)
        return [{"fact": base, "equals": False, "value": value}]

    # conditions, drugs, procedures, devices: yes/no facts, or the date of the last time
    def condition(self, concept: str, name: str, when: Optional[int] = None) -> str:
        """``when``: None (ever), 0 (at the moment) or a window in days."""
        base = f"condition:{concept}"
        if when is None:
            return self._define(base, "condition", FactType.BOOLEAN, name=name)
        ever = self._variant_of(base, "condition", name)
        if when == 0:
            return self._define(f"{base}:now", "condition_now", FactType.BOOLEAN, name=name, implied_by=ever)
        return self._define(f"{base}:{when}d", "condition_window", FactType.BOOLEAN, name=name,
                            days=when, implied_by=ever)

    def drug(self, concept: str, name: str, dated: bool = False) -> str:
        if dated:
            return self._define(f"drug:{concept}:last", "drug_last", FactType.DATE, name=name)
        return self._define(f"drug:{concept}", "drug", FactType.BOOLEAN, name=name)

    def procedure(self, concept: str, name: str, when: Optional[int] = None, dated: bool = False) -> str:
        base = f"procedure:{concept}"  # "Have you had ...?": ever
        if dated:
            return self._define(f"{base}:last", "procedure_last", FactType.DATE, name=name,
                                implied_by=self._variant_of(base, "procedure", name, NEVER))
        if when == 0:
            return self._define(f"{base}:now", "procedure_now", FactType.BOOLEAN, name=name,
                                implied_by=self._variant_of(base, "procedure", name))
        return self._define(base, "procedure", FactType.BOOLEAN, name=name)

    def device(self, concept: str, name: str, when: Optional[int] = None) -> str:
        if when:
            return self._define(f"device:{concept}:{when}d", "device_window", FactType.BOOLEAN, name=name,
                                days=when)
        return self._define(f"device:{concept}", "device", FactType.BOOLEAN, name=name)

    def positive(self, concept: str, name: str, now: bool = False) -> str:
        """A positive test result: ever, or ``now`` (a recent test: what a positive test asked for by
        an inclusion, or excluded without "history of", means)."""
        if now:
            return self._define(f"measurement:{concept}:positive:now", "measurement_positive_now",
                                FactType.BOOLEAN, answered_by="clinician", name=name)
        return self._define(f"measurement:{concept}:positive", "measurement_positive", FactType.BOOLEAN,
                            answered_by="clinician", name=name)

    @staticmethod
    def _text_key(prefix: str, text: str) -> Tuple[str, str]:
        words = " ".join(text.split())
        digest = hashlib.sha1(words.lower().encode()).hexdigest()[:10]
        return f"{prefix}:{slug(words, 30)}_{digest}", words.rstrip(" .;,")

    def study_team(self, text: str) -> str:
        """A criterion only the study team can settle, as they wrote it; never asked."""
        key, name = self._text_key("team", text)
        return self._define(key, "study_team", FactType.BOOLEAN, answered_by="study_team", name=name)

    def question(self, text: str) -> str:
        """A yes/no question built from a criterion's text; the same text gives the same fact."""
        key, name = self._text_key("q", text)
        rephrased = plain_question(name)
        if rephrased is None or key in self.vocabulary:
            return self._define(key, "question", FactType.BOOLEAN, name=name)
        ask, ask_other = rephrased
        self.vocabulary[key] = self.created[key] = FactDefinition.from_dict(key, {
            "type": "boolean", "answered_by": "patient", "label": name[:1].upper() + name[1:],
            "ask": ask, "ask_other": ask_other})
        return key

    def measurement(self, concept: str, name: str, unit: Optional[str],
                    answered_by: str = "clinician") -> Tuple[str, Optional[str], float]:
        """The number fact for a measurement in ``unit``: (key, its unit, factor from ``unit``).

        A concept measured in units of another kind (a multiple of the upper limit of normal, or
        per cent instead of a concentration) gets a second fact, suffixed with that unit.
        """
        base = f"measurement:{concept}"
        for key in (base, f"{base}:{slug(unit or 'number', 12)}"):
            existing = self.get(key)
            if existing is None:
                template = ("measurement_xuln" if unit == "xULN"
                            else "measurement" if unit else "measurement_plain")
                return self._define(key, template, FactType.NUMBER, answered_by=answered_by, unit=unit,
                                    name=name), unit, 1.0
            factor = _reading_factor(unit, existing.unit)
            if factor is not None:
                return key, existing.unit, factor
        raise AssertionError("unreachable: the suffixed key always takes its own unit")

    def known(self, entry: Entry, unit: Optional[str] = None) -> Tuple[str, Optional[str], float]:
        """The fact of a lexicon entry; for a measurement also its unit and the factor from ``unit``."""
        if entry.family == "measurement":
            if entry.fact and unit != "xULN":
                definition = self.vocabulary[entry.fact]
                factor = _reading_factor(unit or definition.unit, definition.unit)
                if factor is not None:
                    return entry.fact, definition.unit, factor
            if unit != "xULN" and entry.unit:
                factor = _reading_factor(unit or entry.unit, entry.unit)
                if factor is not None:
                    key, fact_unit, more = self.measurement(entry.key, entry.label, entry.unit,
                                                            entry.answered_by or "clinician")
                    return key, fact_unit, factor * more
            # another kind of unit than the entry's (a multiple of the upper limit of normal): its own fact
            concept = f"{entry.key}:{slug(unit or 'number', 12)}" if (entry.unit or entry.fact) else entry.key
            return self.measurement(concept, entry.label, unit, entry.answered_by or "clinician")
        if entry.fact:
            return entry.fact, None, 1.0
        if entry.family == "condition":
            return self.condition(entry.key, entry.label), None, 1.0
        return self.drug(entry.key, entry.label), None, 1.0
