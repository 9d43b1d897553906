"""Structured criteria tables in the OMOP layout (Criteria2Query, DQueST) -> trial records.

The corpus is the COVID-19 one of ../shared/data/covid19-structured-trials: one row per coded
criterion (``all_criteria_corpus.csv``: an entity with its OMOP domain and concept, a value range
and a time window), the trials' registry data (``all_trials_corpus.csv``) and, when present, the
free text the entities were annotated in (``700_annotated_trials.zip``), used to show each
criterion as the trial wrote it.

The column ``include`` is 1 for an inclusion and 0 for an exclusion criterion. (The corpus README
documents it as ``is_exclusion`` with the opposite meaning; in the data, 18,172 of the 18,179
entities lie in the section of the source text that ``include`` names. A file with an
``is_exclusion`` column is read with that column's meaning.)

Each row becomes one criterion over a fact of its domain: Person (age; sex only qualifies other
criteria), Condition (diagnosed with / has now / had in the last N days), Drug (taking; the date
of the last dose for a time window), Procedure and Device (likewise), Measurement (a number in
its unit, a multiple of the upper limit of normal, or a positive result), pregnancy and
breastfeeding (the vocabulary's facts). Observation and Visit rows, and whatever a row's data
cannot express, become yes/no questions built from the text, confirmed by the study team.
"""
from __future__ import annotations

import csv
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from bot.importers.concepts import Concepts, plain_name, round_value, slug
from bot.importers.criteria_text import (EXCLUSION, INCLUSION, Comparison, Derived, Recogniser, describe_comparisons,
                                         find_comparisons, find_window, unit_at)
from bot.importers.ctgov import registry_criteria
from bot.importers.records import FieldError, Problem, criterion, normal_status

CRITERIA_FILE = "all_criteria_corpus.csv"
TRIALS_FILE = "all_trials_corpus.csv"
TEXTS_FILE = "700_annotated_trials.zip"
REQUIRED = ("nct_id", "domain", "entity_source_text")
SENTINEL = 99999.0  # numeric_att_min/max when unbounded
# Usagi mappings from these vocabularies name places and specialties, not patients' states
UNTRUSTED_VOCABULARIES = {"Medicare Specialty", "CMS Place of Service", "NUCC", "Visit", ""}
_AGE_ENTITY = re.compile(r"^(?:age[ds]?|aged|old|years?(?:\s+old)?|adults?|elderly|older|young\s+adults?(?:\s+age)?|"
                         r"persons?|patients?|participants?|subjects?|individuals?)$", re.IGNORECASE)
_SEX_ENTITY = re.compile(r"\b(?:females?|males?|wom[ae]n|m[ae]n|mothers?|fathers?|girls?|boys?|ladies|gender|sex)\b",
                         re.IGNORECASE)
_PREGNANCY = re.compile(r"pregnan", re.IGNORECASE)
_BREASTFEEDING = re.compile(r"breast[\s-]?feed|breast[\s-]?milk|lactating|lactation\b|nursing\s+mothers?", re.IGNORECASE)
_CHILDBEARING = re.compile(r"child[\s-]?bearing", re.IGNORECASE)
_POSITIVE = re.compile(r"^\W*(?:positive|detectable|detected|reactive|confirmed|present|abnormal|elevated)\W*$", re.I)
_NEGATIVE = re.compile(r"^\W*(?:negative|undetectable|not\s+detected|non-?reactive|absent|normal)\W*$", re.I)
_ULN_WORDS = re.compile(r"\buln\b|upper\s+limit|normal\s+range|\bwnl\b|normal\s+limits?", re.IGNORECASE)
_BOTH_SEXES = re.compile(r"\b(?:males?|men|man)\b.{0,25}\b(?:females?|women|woman)\b|\b(?:females?|women|woman)\b.{0,25}"
                         r"\b(?:males?|men|man)\b|both\s+(?:sexes|genders)|either\s+(?:sex|gender)|all\s+genders", re.I)
_BULLET = re.compile(r"^\s*(?:[*•\-–]|\d{1,2}[.)]|[a-z][.)]|\(?[ivx]{1,4}[.)])\s+", re.IGNORECASE)


@dataclass
class CorpusStats:
    rows: int = 0
    duplicates: int = 0  # identical criteria of one trial, merged
    alternatives: int = 0  # inclusion rows merged into a criterion with their alternatives
    skipped_trials: Dict[str, str] = field(default_factory=dict)


def read_csv(path: Path) -> Tuple[List[str], Iterator[Tuple[int, Dict[str, str]]]]:
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.DictReader(handle)
    columns = list(reader.fieldnames or [])

    def rows() -> Iterator[Tuple[int, Dict[str, str]]]:
        with handle:
            for row in reader:
                yield reader.line_num, row
    return columns, rows()


class SourceTexts:
    """The annotated free text of each trial, to show a criterion as the line it was found in, and
    the annotations' "OR" relations (brat ``*\tOR T1 T2``), which say which entities are
    alternatives; table rows share the annotations' start offsets."""

    def __init__(self, texts: Mapping[str, str], alternatives: Optional[Mapping[str, Mapping[int, str]]] = None
                 ) -> None:
        self.texts = texts
        self.alternatives = alternatives or {}  # trial id -> start offset -> OR group

    @classmethod
    def load(cls, path: Optional[Path]) -> "SourceTexts":
        files: Dict[str, str] = {}
        if path is not None and path.is_file():
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name.endswith((".txt", ".ann")):
                        files[Path(name).name] = archive.read(name).decode("utf-8", errors="replace")
        elif path is not None and path.is_dir():
            for file in list(path.rglob("*.txt")) + list(path.rglob("*.ann")):
                files[file.name] = file.read_text(encoding="utf-8", errors="replace")
        texts = {name[:-4]: text for name, text in files.items() if name.endswith(".txt")}
        alternatives = {name[:-4]: _or_groups(text) for name, text in files.items() if name.endswith(".ann")}
        return cls(texts, {k: v for k, v in alternatives.items() if v})

    def alternative_group(self, trial_id: str, start: Optional[int]) -> Optional[str]:
        """The OR group of the entity annotated at ``start``, if it has one."""
        return self.alternatives.get(trial_id, {}).get(start) if start is not None else None

    def line(self, trial_id: str, entity: str, start: Optional[int]) -> Optional[str]:
        """The line of the trial's text holding ``entity`` nearest to ``start`` (offsets drift)."""
        entity = entity.strip()
        if not entity:
            return None
        candidates = [self.texts[trial_id]] if trial_id in self.texts else [
            text for name, text in self.texts.items() if name.startswith(trial_id + "_")]
        best: Optional[Tuple[int, str, int]] = None
        for text in candidates:
            at = text.find(entity)
            while at >= 0:
                distance = abs(at - (start or 0))
                if best is None or distance < best[0]:
                    best = (distance, text, at)
                at = text.find(entity, at + 1)
        if best is None:
            return None
        _, text, at = best
        begin = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[begin:end if end >= 0 else None]
        return " ".join(_BULLET.sub("", line).split()) or None


def _or_groups(annotations: str) -> Dict[int, str]:
    """Start offset -> OR group ("T5 T7 T10") of the entities in a brat annotation file."""
    starts: Dict[str, int] = {}
    groups: Dict[int, str] = {}
    relations = []
    for line in annotations.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].startswith("T"):
            fields = parts[1].replace(";", " ").split()
            if len(fields) >= 2 and fields[1].isdigit():
                starts[parts[0]] = int(fields[1])
        elif len(parts) >= 2 and parts[0] == "*" and parts[1].startswith("OR "):
            relations.append(parts[1].split()[1:])
    for members in relations:
        for member in members:
            if member in starts:
                groups.setdefault(starts[member], " ".join(members))
    return groups


def _float(value: str, column: str, line: int) -> Optional[float]:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise FieldError(f"{column} (line {line})", f"not a number: {value!r}") from None


class RowReader:
    """One corpus row -> a Derived rule over the facts of ``concepts``."""

    def __init__(self, concepts: Concepts) -> None:
        self.concepts = concepts
        self.recogniser = Recogniser(concepts)

    def derive(self, row: Mapping[str, str], kind: str, line: int, source_line: Optional[str]) -> Derived:
        domain = (row.get("domain") or "").strip()
        entity = " ".join((row.get("entity_source_text") or "").split())
        concept_name = (row.get("concept_name") or "").strip()
        negated = (row.get("negation") or "0").strip() == "1"
        numeric = (row.get("numeric_source_text") or "").strip()
        temporal = " ".join((row.get("temporal_source_text") or "").split())
        when = self._when(row, line)
        both = f"{entity} {concept_name}"

        if _PREGNANCY.search(both) or _BREASTFEEDING.search(both) or _CHILDBEARING.search(entity):
            return self._pregnancy(both, entity, domain, kind, negated)
        if domain == "Person":
            return self._person(entity, numeric, row, kind, negated, line, source_line)
        trusted = self._trusted(row)
        key = (row.get("concept_id") or "").strip() if trusted else slug(entity or concept_name)
        name = plain_name(concept_name if trusted else entity or concept_name)
        if domain == "Measurement":
            return self._measurement(entity, concept_name, key, name, numeric, row, negated, line)
        if numeric and domain in ("Condition", "Drug", "Procedure", "Device"):
            # a stage, a dose or a duration the boolean fact cannot hold
            return self._question(f"{entity} {numeric}" + (f" ({temporal})" if temporal else ""))
        lexicon = self.concepts.lexicon
        if domain == "Condition":
            entry = lexicon.exact("condition", entity, concept_name)
            if entry is not None and entry.fact:
                return self._boolean(entry.fact, self.recogniser.label(entry), negated)
            fact = self.concepts.condition(entry.key if entry else key, entry.label if entry else name, when)
            return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)
        if domain == "Drug":
            entry = lexicon.exact("drug", entity, concept_name)
            existing = self.concepts.vocabulary.get(entry.fact) if entry and entry.fact else None
            if when and when > 0:
                if existing is not None and existing.type.value == "date":
                    return self._recent(entry.fact, when, existing.label, negated)
                if existing is None:
                    fact = self.concepts.drug(entry.key if entry else key, entry.label if entry else name, dated=True)
                    return self._recent(fact, when, self.concepts.vocabulary[fact].label, negated)
            if existing is not None and existing.type.value == "date":
                return self._recent(entry.fact, 36500, existing.label, negated)  # ever: within 100 years
            if existing is not None:
                return self._boolean(entry.fact, existing.label, negated)
            fact = self.concepts.drug(entry.key if entry else key, entry.label if entry else name)
            return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)
        if domain == "Procedure":
            if when and when > 0:
                fact = self.concepts.procedure(key, name, dated=True)
                return self._recent(fact, when, self.concepts.vocabulary[fact].label, negated)
            fact = self.concepts.procedure(key, name, when)
            return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)
        if domain == "Device":
            fact = self.concepts.device(key, name, when)
            return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)
        # Observation, Visit and anything else: a question built from the entity's text
        return self._question(entity + (f" ({temporal})" if temporal else ""), negated)

    # -- pieces ---------------------------------------------------------------------------------
    @staticmethod
    def _trusted(row: Mapping[str, str]) -> bool:
        try:
            score = float(row.get("match_score") or 0)
        except ValueError:
            score = 0.0
        return (bool((row.get("concept_id") or "").strip()) and score >= 0.999
                and (row.get("vocabulary_usagi") or "").strip() not in UNTRUSTED_VOCABULARIES
                and (row.get("domain") or "") != "Visit")

    @staticmethod
    def _when(row: Mapping[str, str], line: int) -> Optional[int]:
        """None: no time frame; 0: "currently"; N: within the last N days."""
        days = _float(row.get("before_days") or "", "before_days", line)
        temporal = row.get("temporal_source_text") or ""
        if days is None or days <= 0:
            return None
        if days >= 10000:
            return 0
        window = find_window(temporal)
        if window is None or window.op not in ("<", "<="):
            return None  # "for > 1 year", "at least 5 days before": not a recency window
        return int(days)

    @staticmethod
    def _boolean(fact: str, label: str, negated: bool) -> Derived:
        return Derived({"fact": fact, "is": not negated}, "rule", ("no " if negated else "") + label)

    @staticmethod
    def _recent(fact: str, days: int, label: str, negated: bool) -> Derived:
        rule: Dict[str, Any] = {"fact": fact, "op": "<", "value": days, "unit": "days"}
        what = f"{label} less than {days} days ago"
        if negated:
            return Derived({"not": rule}, "rule", "no " + what)
        return Derived(rule, "rule", what)

    def _question(self, text: str, negated: bool = False) -> Derived:
        derived = self.recogniser.question(("No " if negated else "") + text)
        return derived

    def _pregnancy(self, both: str, entity: str, domain: str, kind: str, negated: bool) -> Derived:
        if _CHILDBEARING.search(entity) and not _PREGNANCY.search(entity):
            return self._boolean("childbearing_potential", "could become pregnant", negated)
        fact = "breastfeeding" if _BREASTFEEDING.search(both) and not _PREGNANCY.search(entity) else "pregnant"
        label = self.concepts.vocabulary[fact].label
        if domain == "Measurement":  # a pregnancy test: inclusions want it negative, exclusions positive
            present = kind == EXCLUSION
            return Derived({"fact": fact, "is": present}, "rule", label if present else f"not {label}")
        return self._boolean(fact, label, negated)

    def _person(self, entity: str, numeric: str, row: Mapping[str, str], kind: str, negated: bool, line: int,
                source_line: Optional[str]) -> Derived:
        if _AGE_ENTITY.match(entity) or re.search(r"\byears?\b|\by\.?o\b", numeric, re.I):
            comparisons = self._comparisons(numeric, row, line, default_unit="years")
            if not comparisons and source_line and not numeric:
                comparisons = [c for c in find_comparisons(source_line) if c.unit in (None, "years")]
            ages = [Comparison(c.op, c.value / 12 if c.unit == "months" else c.value, "years", c.start, c.end)
                    for c in comparisons if c.unit in (None, "years", "months")]
            if not ages and re.fullmatch(r"adults?", entity, re.I):
                ages = [Comparison(">=", 18, "years", 0, 0)]
            if ages and all(0 <= c.value <= 130 for c in ages):
                rule = {"all": [self._age(c) for c in ages]} if len(ages) > 1 else self._age(ages[0])
                if negated:
                    rule = {"not": rule}
                return Derived(rule, "rule", ("not " if negated else "") +
                               describe_comparisons("age", rule.get("not", rule)).replace(" years", ""))
        if _SEX_ENTITY.search(entity) and source_line and _BOTH_SEXES.search(source_line) \
                and not _PREGNANCY.search(source_line) and not negated:
            return Derived({"fact": "sex", "in": ["female", "male"]}, "rule", "men and women")
        # sex words qualify other criteria ("women who are pregnant"): asked as the trial wrote them
        if _SEX_ENTITY.search(entity) and source_line:
            return self._question(source_line)
        return self._question(" ".join(x for x in (entity, numeric) if x), negated)

    @staticmethod
    def _age(c: Comparison) -> Dict[str, Any]:
        return {"fact": "age", "op": c.op, "value": round_value(c.value), "unit": "years"}

    def _comparisons(self, numeric: str, row: Mapping[str, str], line: int,
                     default_unit: Optional[str] = None) -> List[Comparison]:
        """The value range of a row: from its numeric text when it says how to compare, otherwise
        from the corpus's normalised bounds (numeric_att_min / max) with the unit of the text."""
        found = find_comparisons(numeric)
        if found:
            return [c if c.unit else Comparison(c.op, c.value, default_unit, c.start, c.end) for c in found]
        low = _float(row.get("numeric_att_min") or "", "numeric_att_min", line)
        high = _float(row.get("numeric_att_max") or "", "numeric_att_max", line)
        number = re.search(r"\d+(?:[.,]\d+)?", numeric)
        if not number:
            return []
        unit = unit_at(numeric, number.end())[0] or (None if _ULN_WORDS.search(numeric) else default_unit)
        if unit is None and _ULN_WORDS.search(numeric):
            return []  # "five times the ULN": a multiple written in words
        value = float(number.group().replace(",", ""))
        bounds = []
        if low is not None and abs(low) < SENTINEL and value == low:
            bounds.append(Comparison(">=", low, unit, 0, 0))
        if high is not None and abs(high) < SENTINEL and value == high:
            bounds.append(Comparison("<=", high, unit, 0, 0))
        return bounds

    def _measurement(self, entity: str, concept_name: str, key: str, name: str, numeric: str,
                     row: Mapping[str, str], negated: bool, line: int) -> Derived:
        entry = self.concepts.lexicon.exact("measurement", entity, concept_name)
        if _POSITIVE.match(numeric) or _NEGATIVE.match(numeric):
            fact = self.concepts.positive(entry.key if entry else key, entry.label if entry else name)
            positive = bool(_POSITIVE.match(numeric)) != negated
            label = self.concepts.vocabulary[fact].label
            return Derived({"fact": fact, "is": positive}, "rule", label if positive else f"no {label}")
        comparisons = self._comparisons(numeric, row, line)
        units = {c.unit for c in comparisons if c.unit}
        if not comparisons or len(units) > 1:
            return self._question(" ".join(x for x in (entity, numeric) if x), negated)
        unit = units.pop() if units else None
        if entry is not None:
            if unit is None and entry.unit in ("10^9/L", "/uL") and any(c.value >= 1000 for c in comparisons):
                unit = "/uL"
            fact, fact_unit, factor = self.concepts.known(entry, unit)
            label = self.recogniser.label(entry)
        else:
            fact, fact_unit, factor = self.concepts.measurement(key, name, unit)
            label = name
        parts = []
        for c in comparisons:
            part: Dict[str, Any] = {"fact": fact, "op": c.op, "value": round_value(c.value * factor)}
            if fact_unit:
                part["unit"] = fact_unit
            parts.append(part)
        lower = [p for p in parts if p["op"] in (">", ">=")]
        upper = [p for p in parts if p["op"] in ("<", "<=")]
        if lower and upper and max(p["value"] for p in lower) > min(p["value"] for p in upper):
            rule: Dict[str, Any] = {"any": parts}  # "<3.3 >5.5": outside a range
        else:
            rule = parts[0] if len(parts) == 1 else {"all": parts}
        described = " or ".join(describe_comparisons(label, p) for p in parts) if "any" in rule else \
            describe_comparisons(label, rule)
        if negated:
            return Derived({"not": rule}, "rule", f"not ({described})")
        return Derived(rule, "rule", described)


# -- trials -------------------------------------------------------------------------------------
def _locations(text: str) -> List[Dict[str, str]]:
    found = []
    for facility in (text or "").split("|"):
        parts = [p.strip() for p in facility.split(";")]
        if not any(parts):
            continue
        parts += [""] * (4 - len(parts))
        location = {"facility": parts[0], "city": parts[1], "region": parts[2], "zip": parts[3]}
        if re.fullmatch(r"\d{5}(?:-\d{4})?", parts[3]):
            location["country"] = "United States"
        if len(parts) > 4:
            location["contact"] = ", ".join(p for p in parts[4:] if p)
        found.append({k: v for k, v in location.items() if v})
    return found


def _summary(text: str, limit: int = 400) -> str:
    words = " ".join((text or "").split())
    if len(words) <= limit:
        return words
    cut = words.rfind(". ", 0, limit)
    return words[: cut + 1] if cut > 100 else words[:limit].rsplit(" ", 1)[0] + "..."


def trial_fields(trial_id: str, meta: Optional[Mapping[str, str]]) -> Dict[str, Any]:
    parent, _, cohort = trial_id.partition("_")
    if meta is None:
        return {"id": trial_id, "title": trial_id, "brief_title": trial_id,
                "url": f"https://clinicaltrials.gov/study/{parent}", "source": "covid19-structured-trials"}
    suffix = f" (cohort: {cohort.replace('_', ' ')})" if cohort else ""
    brief = (meta.get("brief_title") or trial_id).strip()
    central = (meta.get("central_contacts") or "").strip()
    fields: Dict[str, Any] = {
        "id": trial_id,
        "title": (meta.get("official_title") or brief).strip() + suffix,
        "brief_title": brief + suffix,
        "summary": _summary(meta.get("design_description") or meta.get("study_description") or ""),
        "contact": (f"Contact the study team: {central.replace('; ', ', ')}." if central else
                    "Contact the study team through the trial's ClinicalTrials.gov page."),
        "url": f"https://clinicaltrials.gov/study/{parent}",
        "locations": _locations(meta.get("facilities_and_contacts") or ""),
        "status": normal_status(meta.get("status")),
        "phase": (meta.get("phase") or "").strip() or None,
        "study_type": (meta.get("study_type") or "").strip() or None,
        "conditions": [c.strip() for c in (meta.get("condition_names") or "").split("|") if c.strip()],
        "interventions": [c.strip() for c in (meta.get("intervention_names") or "").split(";") if c.strip()],
        "minimum_age": (meta.get("minimum_age") or "").strip() or None,
        "maximum_age": (meta.get("maximum_age") or "").strip() or None,
        "sex": (meta.get("gender") or "All").strip().lower(),
        "healthy_volunteers": (meta.get("healthy_volunteers") or "").strip() or None,
        "start_date": (meta.get("start_date") or "").strip() or None,
        "cohort": cohort or None,
        "registry_id": parent if cohort else None,  # the NCT number the cohort belongs to
        "source": "covid19-structured-trials",
    }
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


def _registry(recogniser: Recogniser, meta: Optional[Mapping[str, str]], file: str,
              problems: List[Problem]) -> List[Dict[str, Any]]:
    if meta is None:
        return []
    ages = []
    for column in ("minimum_age", "maximum_age"):
        value = (meta.get(column) or "").strip()
        try:
            ages.append(float(value) if value and value.upper() != "N/A" else None)
        except ValueError:
            problems.append(Problem(file, f"{column} ({meta.get('nct_id')})", f"not an age: {value!r}"))
            ages.append(None)
    gender = (meta.get("gender") or "All").strip().lower()
    sex = gender if gender in ("female", "male") else None
    return registry_criteria(recogniser, ages[0], ages[1], sex, f"{ages[0]:g} years" if ages[0] else None,
                             f"{ages[1]:g} years" if ages[1] is not None else None)


def read_corpus(criteria_path: Path, concepts: Concepts, problems: List[Problem], stats: CorpusStats,
                trials_path: Optional[Path] = None, texts_path: Optional[Path] = None,
                wanted: Optional[Callable[[str], bool]] = None) -> Iterator[Dict[str, Any]]:
    """Trial records from a criteria table; problems are collected and the rest goes on."""
    file = str(criteria_path)
    columns, rows = read_csv(criteria_path)
    missing = [c for c in REQUIRED if c not in columns]
    if "include" not in columns and "is_exclusion" not in columns:
        missing.append("include")
    if missing:
        problems.append(Problem(file, ", ".join(missing), "missing column(s); file skipped"))
        return
    exclusion_column = "include" not in columns
    meta: Dict[str, Dict[str, str]] = {}
    if trials_path is not None and trials_path.is_file():
        trial_columns, trial_rows = read_csv(trials_path)
        if "nct_id" not in trial_columns:
            problems.append(Problem(str(trials_path), "nct_id", "missing column; registry data not used"))
        else:
            meta = {r["nct_id"].strip(): r for _, r in trial_rows if (r.get("nct_id") or "").strip()}
    texts = SourceTexts.load(texts_path)
    reader = RowReader(concepts)

    grouped: "OrderedDict[str, List[Tuple[int, Dict[str, str]]]]" = OrderedDict()
    for line, row in rows:
        stats.rows += 1
        trial_id = (row.get("nct_id") or "").strip()
        if not re.fullmatch(r"NCT\d{8}(?:_\w+)?", trial_id):
            problems.append(Problem(file, f"nct_id (line {line})", f"not an NCT number: {trial_id!r}"))
            continue
        grouped.setdefault(trial_id, []).append((line, row))

    for trial_id, trial_rows in grouped.items():
        if wanted is not None and not wanted(trial_id):
            continue
        parent = trial_id.split("_")[0]
        info = meta.get(trial_id) or meta.get(parent)
        if info is None and meta:
            problems.append(Problem(str(trials_path), f"nct_id ({trial_id})", "no registry data; imported without it"))
        criteria = _registry(reader.recogniser, info, str(trials_path), problems)
        items: List[_Item] = []
        for line, row in trial_rows:
            try:
                flag = (row.get("is_exclusion" if exclusion_column else "include") or "").strip()
                if flag not in ("0", "1"):
                    raise FieldError(f"{'is_exclusion' if exclusion_column else 'include'} (line {line})",
                                     f"expected 0 or 1, got {flag!r}")
                kind = INCLUSION if (flag == "1") != exclusion_column else EXCLUSION
                start = _float(row.get("start_index") or "", "start_index", line)
                entity = " ".join((row.get("entity_source_text") or "").split())
                if not entity:
                    raise FieldError(f"entity_source_text (line {line})", "empty")
                offset = int(start) if start is not None else None
                source_line = texts.line(trial_id, entity, offset)
                derived = reader.derive(row, kind, line, source_line)
            except FieldError as error:
                problems.append(Problem(file, error.field, error.message))
                continue
            text = source_line or " ".join(x for x in (entity, row.get("numeric_source_text") or "",
                                                          row.get("temporal_source_text") or "") if x.strip())
            group = texts.alternative_group(trial_id, offset) if kind == INCLUSION else None
            items.append((kind, text, derived, row.get("domain") or "", group, [line]))
        seen: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        counts = {INCLUSION: 0, EXCLUSION: 0}
        for kind, text, derived, domain, merged, lines in _alternatives(items, stats):
            signature = (kind, text, repr(derived.rule))
            if signature in seen:
                stats.duplicates += 1
                seen[signature]["source"]["rows"] += lines
                continue
            counts[kind] += 1
            prefix = "inc" if kind == INCLUSION else "exc"
            record = criterion(f"{prefix}-{counts[kind]:03d}", kind, text, derived,
                               0.3 if merged else _rule_out(domain, kind, derived), source={"rows": list(lines)})
            seen[signature] = record
            criteria.append(record)
        yield {"trial": trial_fields(trial_id, info), "criteria": criteria}

    covered = {trial_id.split("_")[0] for trial_id in grouped}
    for trial_id in meta:
        if trial_id in grouped or (wanted is not None and not wanted(trial_id)):
            continue
        if trial_id in covered:
            cohorts = sorted(t for t in grouped if t.startswith(trial_id + "_"))
            stats.skipped_trials[trial_id] = f"criteria coded per cohort: imported as {', '.join(cohorts)}"
        else:
            stats.skipped_trials[trial_id] = "no coded criteria in the corpus: not imported"


# kind, text, rule, domain, OR group, the corpus lines it was read from
_Item = Tuple[str, str, Derived, str, Optional[str], List[int]]


def _alternatives(items: List[_Item], stats: CorpusStats) -> Iterator[Tuple[str, str, Derived, str, bool, List[int]]]:
    """Inclusion rows the annotations mark as alternatives ("SpO2 <= 93% or PaO2/FiO2 < 300")
    become one criterion, met when any of them is; separate rows would each be required. (For
    exclusions, separate rows already exclude when any of them holds.)"""
    groups: Dict[str, List[int]] = {}
    for i, item in enumerate(items):
        if item[4] is not None:
            groups.setdefault(item[4], []).append(i)
    for i, (kind, text, derived, domain, group, lines) in enumerate(items):
        members = groups.get(group, [i]) if group is not None else [i]
        if len(members) == 1:
            yield kind, text, derived, domain, False, lines
            continue
        if members[0] != i:
            continue  # merged into the group's first row
        parts = [items[m][2] for m in members]
        rules = list({repr(p.rule): p.rule for p in parts}.values())
        lines = list(dict.fromkeys(items[m][1] for m in members))
        checked_by = "rule" if all(p.checked_by == "rule" for p in parts) else "question"
        requirement = " or ".join(dict.fromkeys(p.requirement for p in parts))
        stats.alternatives += len(members) - 1
        yield (kind, " / ".join(lines), Derived(rules[0] if len(rules) == 1 else {"any": rules}, checked_by,
                                                 requirement), domain, True, [n for m in members for n in items[m][5]])


def _rule_out(domain: str, kind: str, derived: Derived) -> float:
    if derived.checked_by != "rule":
        return 0.1
    if domain == "Person":
        return 0.05
    if domain == "Measurement":
        return 0.2
    return 0.4 if kind == INCLUSION else 0.1
