"""Structured criteria tables in the OMOP layout (Criteria2Query, DQueST) -> trial records.

The corpus is the COVID-19 one of ../shared/data/covid19-structured-trials: one row per coded
criterion (``all_criteria_corpus.csv``: an entity with its OMOP domain and concept, a value range
and a time window), the trials' registry data (``all_trials_corpus.csv``) and, when present, the
free text the entities were annotated in (``700_annotated_trials.zip``), used to show each
criterion as the trial wrote it.

The column ``include`` is 1 for an inclusion and 0 for an exclusion criterion. (The corpus README
documents it as ``is_exclusion`` with the opposite meaning; in the data, 18,172 of the 18,179
entities lie in the section of the source text that ``include`` names. A file with an
``is_exclusion`` column is read with that column's meaning. The 80 rows whose flag contradicts the
section heading of their text, "Age 50 to 59 years with 1 or more comorbidities" flagged an
exclusion under "Inclusion criteria", are handed to the study team: which is the criterion?)

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
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from bot.importers import cues
from bot.importers.concepts import Concepts, plain_name, round_value, slug
from bot.importers.criteria_text import (EXCLUSION, INCLUSION, Comparison, Context, Derived, Recogniser,
                                         describe_comparisons, find_comparisons, find_window, unknown_unit)
from bot.importers.ctgov import registry_criteria
from bot.importers.records import FieldError, Problem, criterion, normal_status

CRITERIA_FILE = "all_criteria_corpus.csv"
TRIALS_FILE = "all_trials_corpus.csv"
TEXTS_FILE = "700_annotated_trials.zip"
REQUIRED = ("nct_id", "domain", "entity_source_text")
# concept ids the corpus uses for "no concept": 9999 stands for 36 conditions, 11 scales and 2 devices
PLACEHOLDERS = {"0", "9999", "99999"}
_SINCE = -1  # a time frame that is a time since ("more than 10 days"), not a window
_HOURS = -2  # a window of hours that are not whole days ("within last 4 hours"), which the facts' days would widen
_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}
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
_BOTH_SEXES = re.compile(r"\b(?:males?|men|man)\b.{0,25}\b(?:females?|women|woman)\b|\b(?:females?|women|woman)\b.{0,25}"
                         r"\b(?:males?|men|man)\b|both\s+(?:sexes|genders)|either\s+(?:sex|gender)|all\s+genders", re.I)
_SCALE = re.compile(r"\b(?:scale|score|index|class|grade|category|stage|status|criteria)\b", re.IGNORECASE)
# an entity with no concept of its own: only words that qualify one
_DEATH = re.compile(r"\b(?:death|died|dying|deceased|moribund)\b", re.IGNORECASE)
_HOLLOW = re.compile(r"(?:\W|\b(?:history|known|active|current(?:ly)?|prior|previous|past|at|baseline|of|the|any|with|"
                     r"for|and|or|in|on|use|sign|signs|presence|evidence|diagnosis|medical|acute|chronic|"
                     r"severe|uncontrolled|untreated|significant|clinically)\b)*", re.IGNORECASE)
_ALLERGY_WORDS = {"allergy", "allergic", "allergies", "hypersensitivity", "reaction", "reactions", "to", "of",
                  "known", "drug", "compound", "intolerance", "or", "and", "any", "the", "a", "an"}
_ABBREVIATION = re.compile(r"\b\w*[A-Z0-9]\w*[A-Z0-9]\w*\b")  # "PaO2/FiO2", "eGFR", "SpO2": names we cannot compare
_RELATIVE = re.compile(r"\b(?:decreas\w*|increas\w*|drop\w*|declin\w*|rise|rising|fall\w*|change\w*|fold)\b"
                       r"|\bfrom\s+baseline\b", re.IGNORECASE)
_MEASUREMENT_WORDS = {"level", "levels", "count", "counts", "serum", "blood", "plasma", "measurement", "test", "of",
                      "the", "in", "total", "value", "concentration", "rate", "ratio", "score"}
_PANEL = re.compile(r"\bpanel\b|\bLFTs?\b|\bprofile\b|\bmarkers?\b|\bfunction\s+tests?\b", re.IGNORECASE)
_STATE = re.compile(r"\w+ed", re.IGNORECASE)  # one participle: "institutionalized", "immunocompromised"
_USE = re.compile(r"\b(?:use|usage|consumption|intake)$", re.IGNORECASE)  # a condition named by a habit
_DOSE = re.compile(r"\d\s*(?:mg|g|mcg|µg|ug|iu|units?)\b|\b" + cues.DOSE_IN_WORDS, re.IGNORECASE)
_VIRUS_ITSELF = re.compile(r"\b(?:pcr|rna|dna|viral\s+load|nucleic\s+acid|naat)\b", re.IGNORECASE)  # not antibodies
_RECEIPT = re.compile(r"(?:receipt\s+of|receiving|received|use\s+of)\s+(?:an?\s+|any\s+|the\s+)?", re.IGNORECASE)
# the act of giving or using a treatment, which names no treatment ("Administration of any licensed vaccine", "home
# oxygen utilization")
_ACT_NOUN = re.compile(r"^(?:administration|utili[sz]ation|intake|usage)\s+of\s+(?:an?\s+|any\s+|the\s+)?|"
                       r"\s+(?:utili[sz]ation|usage|administration)$", re.IGNORECASE)
_NOW_WORDS = re.compile(r"\b(?:current(?:ly)?|at\s+(?:the\s+time|baseline|screening|enrol\w*)|now)\b", re.IGNORECASE)
_ANOTHER_SUBJECT = re.compile(r"\b(?:those|patients|subjects|participants|individuals|people)\s+(?:with|who|on)\b",
                              re.IGNORECASE)
_VERB_FIRST = re.compile(r"(?:receiv|receipt|tak|us|hav|requir|need|undergo|get|treat)\w*\b|on\b", re.IGNORECASE)
_EITHER = re.compile(r"\bor\b|\b(?:any|one|at\s+least\s+one)\s+of\b|\beither\b", re.IGNORECASE)
_OR_NEXT = re.compile(r"\b(?:or|and/or)\W*$", re.IGNORECASE)
# a heading of the criteria's text: a short line that names one section and ends with a colon ("Overall
# Study Exclusion Criteria :", "Exclusion from Fluoxetine Arm:") or begins with it ("Inclusion Criteria"),
# not both ("Inclusion/exclusion criteria for ...") nor a criterion ("... of meeting inclusion criteria")
_SECTION = re.compile(r"^(?=[^\n]{0,80}$)(?![^\n]*\binclusion\b[^\n]*\bexclusion\b|[^\n]*\bexclusion\b[^\n]*\binclusion\b)"
                      r"(?:[^\n]*\b(in|ex)clusion\b[^\n]*:\s*$|\W*(?:\w+\s+)?(in|ex)clusion\s+crit)",
                      re.IGNORECASE | re.MULTILINE)
# a heading glued to its line by a run of spaces: "Critical  Diagnosed with ..." (not "RR  20": a lost sign)
_GLUED = re.compile(r"^\s*([A-Z][a-z]+(?:[ -][A-Z]?[a-z]+){0,2})\s{2,}(?=[A-Z][a-z])")
# a list heading whose items are ways in, not each required: "Have one or more of the following
# conditions:", "Disease site meets following criteria:" (not "... all of the following:")
_ALTERNATIVES_HEADING = re.compile(r"\b(?:one|any|either|at\s+least)\b[^:]*\bof\b|\bone\s+or\s+more\b|"
                                   r"^(?![^:]*\b(?:all|each|both|every)\b)[^:]*\bfollowing\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[*•\-–]|\d{1,2}[.)]|[a-z][.)]|\(?[ivx]{1,4}[.)])\s+", re.IGNORECASE)
# a list that counts its items ("at least 2 of the following:", "Two of the following three criteria: i. ...
# ii. ...", "(three or more of the following)", "2 or more comorbidities (diabetes; ...)"): no item is
# required alone, nor excludes alone
_SOME_OF = re.compile(r"\b(?:two|three|four|five|[2-9])\s+(?:or\s+more\s+)?(?:out\s+)?of\s+(?:the\s+)?"
                      r"(?:following(?!\s+\d+\s+(?:day|week|month|year))|these|those|below|listed|"
                      r"(?:two|three|four|five|six|[2-9])\b)|"
                      r"\b(?:two|three|four|[2-9])\s+or\s+more\s+(?:of\b|\w+\s*[(:])", re.IGNORECASE)
# a list heading that defines a term by its items ("Severe disease is defined as:", "Close contact defined as:"; not
# a reference: "... criteria as defined in the Code of Federal Regulations ..., including:"), one that gives examples
# of it ("Symptoms of moderate illness with COVID-19, which could include:"; not the criteria it is made of), and one
# that says every item counts ("... must meet all of the following", "Adequate laboratory tests including:")
_DEFINITION = re.compile(r"\b(?:defined|definitions?)\b(?!\s+(?:in|by)\s+(?:the\s+)?(?-i:[A-Z0-9]))|"
                         r"\b(?:means|consists?\s+of)\W*$", re.IGNORECASE)
_EXAMPLES = re.compile(r"^(?![^:]*\bcriteri)[^:]*\binclud(?:e|es|ing)\W*$", re.IGNORECASE)
_EVERY = re.compile(r"\b(?:all|each|both|every|adequate(?:ly)?|sufficient|normal)\b", re.IGNORECASE)
# a number that is not a time ("93%", "4L", not "for 10 days", "a 6-minute Walk Test")
_VALUE_NOT_TIME = re.compile(r"\b\d+(?:\.\d+)?\b(?!\s*-?\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b)", re.IGNORECASE)
# two values that must both hold, joined by "and" (not "and/or", nor a list with "or"): "ALT > 3 x ULN and bilirubin
# > 2 x ULN"
_BOTH_VALUES = re.compile(r"^(?![^;]*\bor\b)[^;]*?(?:[<>≤≥]|\bthan\b)[^;]*?\band\b(?!/)[^;]*?(?:[<>≤≥]|\bthan\b)\s*\d",
                          re.IGNORECASE)
# a footnote: a line opened by the mark that another line's word carries ("*Including licensed or
# unlicensed vaccine ...", "**13 months after the first vaccination."): it annotates that criterion
_FOOTNOTE = re.compile(r"^(?:\*+|[†‡]+)(?=\w)")
# a bare list of risk factors with an age among them, which does not say how many count ("CHF,
# Hypertension, Age>75 years, Diabetes, Prior stroke or TIA", the items of a score another line names):
# an item counts only with the others
_AGE_ITEM = re.compile(r"(?:^|[,:]\s*)age\s*(?:[><≥]|over\b|older\b)[^,;]*,", re.IGNORECASE)


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
        found = self._find(trial_id, entity, start)
        if found is None:
            return None
        text, at = found
        begin = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[begin:end if end >= 0 else None]
        return " ".join(_BULLET.sub("", line).split()) or None

    def glued_heading(self, trial_id: str, entity: str, start: Optional[int]) -> Optional[str]:
        """A short heading that the text glues to the line holding ``entity`` with a run of spaces
        ("Critical  Diagnosed with SARS-CoV-2 infection ...": one of three severity groups), or None."""
        found = self._find(trial_id, entity, start)
        if found is None:
            return None
        text, at = found
        line = text[text.rfind("\n", 0, at) + 1:]
        glued = _GLUED.match(line.split("\n", 1)[0])
        return glued.group(1) if glued and glued.end() <= at - text.rfind("\n", 0, at) else None

    def list_heading(self, trial_id: str, entity: str, start: Optional[int]) -> Optional[str]:
        """The heading of the list whose item holds ``entity`` ("Disease site meets following
        criteria:" above "Lung Cancer"), or None: the nearest line above ending with a colon (or
        counting the items below it: "Severe COVID-19: (three or more of the following)"), or a
        section's heading, over the list's items and single blank lines."""
        found = self._find(trial_id, entity, start)
        if found is None:
            return None
        text, at = found
        above = text[:text.rfind("\n", 0, at) + 1].split("\n")[:-1]
        blank = 0
        for line in reversed(above[-20:]):
            line = line.strip()
            if not line:
                blank += 1
                if blank > 1:
                    return None
                continue
            blank = 0
            if self._heading(line):
                return line
            if len(line) > 100 and not (len(line) <= 300 and re.search(r"(?:[;,]|\b(?:or|and))$", line)):
                # a paragraph of its own ("Prior Treatment: Patients are still eligible ..."), not an item (which a
                # semicolon may end: "Small molecule tyrosine kinase inhibitors (e.g. baricitinib, ..., etc.);")
                return None
        return None

    def only_item(self, trial_id: str, entity: str, start: Optional[int]) -> bool:
        """Whether the line holding ``entity`` is the only item of its list ("Presence of hyperinflammation
        defined as:" above "a. Lymphocyte counts < 1000 cells/L, and b. ..."): the nearest line above it
        (over a single blank line) is a heading, and the nearest below is one too, or the list ends."""
        found = self._find(trial_id, entity, start)
        if found is None:
            return False
        text, at = found
        lines = text.split("\n")
        index = text.count("\n", 0, at)

        def nearest(step: int) -> Optional[str]:
            i, blank = index + step, 0
            while 0 <= i < len(lines) and blank <= 1:
                if lines[i].strip():
                    return lines[i].strip()
                blank, i = blank + 1, i + step
            return None
        above, below = nearest(-1), nearest(1)
        return above is not None and self._heading(above) and (below is None or self._heading(below))

    @staticmethod
    def _heading(line: str) -> bool:
        """Whether a line heads a list: it ends with a colon, names a section, or counts the items below it."""
        return line.endswith(":") or bool(_SECTION.match(line)) or bool(
            _SOME_OF.search(line) and re.search(r"\bfollowing\W*$", line))

    def section(self, trial_id: str, entity: str, start: Optional[int]) -> Optional[str]:
        """Whether the text holds ``entity`` under its inclusion or its exclusion criteria (the
        last heading before it), or None when the text does not say."""
        found = self._find(trial_id, entity, start)
        headings = list(_SECTION.finditer(found[0], 0, found[1])) if found else []
        if not headings:
            return None
        return INCLUSION if (headings[-1].group(1) or headings[-1].group(2)).lower() == "in" else EXCLUSION

    def _find(self, trial_id: str, entity: str, start: Optional[int]) -> Optional[Tuple[str, int]]:
        """The trial's text holding ``entity``, and where: the place nearest to ``start``."""
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
        if best is None:  # an entity annotated in pieces ("bacterial ... infection"): its pieces in one line
            for text in candidates:
                for found in _pieces(entity).finditer(text):
                    distance = abs(found.start() - (start or 0))
                    if best is None or distance < best[0]:
                        best = (distance, text, found.start())
        return (best[1], best[2]) if best is not None else None


def _pieces(entity: str) -> "re.Pattern[str]":
    """An entity's words in order within one line, with other words between them: the annotation of
    "uncontrolled systemic bacterial or fungal infection" codes "bacterial infection" from two pieces."""
    words = re.findall(r"\w+", entity)
    return re.compile(r"\b" + r"\b[^\n]{0,60}?\b".join(map(re.escape, words)) + r"\b", re.IGNORECASE)


def place(text: str, entity: str) -> Tuple[int, int]:
    """Where ``entity`` is in ``text`` (its line): the words themselves, or the stretch from its first
    piece to its last when it was annotated in pieces ("chronic obstructive ... pulmonary disease");
    (-1, -1) when it is not there."""
    at = text.find(entity) if entity in text else text.lower().find(entity.lower())
    if at >= 0:
        return at, at + len(entity)
    found = _pieces(entity).search(text) if re.search(r"\w", entity) else None
    return found.span() if found else (-1, -1)


def inline_heading(text: str, at: int) -> Optional[str]:
    """The words that head a list in the line itself, before the colon that opens the list the entity at ``at``
    is an item of ("Receipt in the 12 hours prior to enrollment, or planned administration during the 5-day study
    period ..., of any of the following" before ": amiodarone; ...; phenytoin"), from the start of their sentence;
    None when no colon comes before the entity."""
    colon = text.rfind(":", 0, at) if at > 0 else -1
    if colon < 0:
        return None
    begin = max(text.rfind(";", 0, colon), text.rfind(". ", 0, colon)) + 1
    return text[begin:colon].strip() or None


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


def _aged(entity: str, numeric: str) -> bool:
    """Whether a row is about age: "age", "adults", "18 years or older", "younger than 18 years old"."""
    return bool(_AGE_ENTITY.match(entity) or re.search(r"\byears?\b|\by\.?o\b", numeric, re.I)
                or (re.search(r"\b(?:age[ds]?|years?)\b", entity, re.I) and find_comparisons(entity)))


def row_text(row: Mapping[str, str]) -> str:
    """A row's entity with its numbers and time frame, for a trial whose text is not at hand."""
    parts = (row.get(column) or "" for column in ("entity_source_text", "numeric_source_text", "temporal_source_text"))
    return " ".join(" ".join(part.split()) for part in parts if part.strip())


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
        self._qualified = False  # reading the concept of a criterion whose qualifier the study team judges
        # the heading of the list the row's line is an item of ("Received any of the following in the two weeks prior
        # to screening as treatment of COVID-19:"), whose time frame is each item's when the line has none
        self.heading: Optional[str] = None

    def qualified_by_the_study_team(self, plain: Derived, text: str, widened: bool = False) -> Derived:
        """A criterion of a concept with a qualifier the facts cannot hold: met only when the person
        has the concept (``plain``, read without the qualifier) and the study team finds the
        qualifier holds; a "no" to the concept settles it. Or, for an exclusion that the concept
        meets and the study team may find met otherwise (``widened``: the concept "confirmed or
        suspected", a value given as an example of what the investigator judges): met when the
        person has the concept, or when the study team finds so."""
        if plain.checked_by != "rule" or plain.team or "not" in plain.rule or (
                cues.is_allergy(text, "") and any(k.startswith("drug:") for k in _keys(plain.rule))):
            # an allergy to a drug read as taking it: a "no" would not say the person is not allergic
            return self.recogniser.study_team(text)
        words = " ".join(text.split()).rstrip(" .;,")
        team = {"fact": self.concepts.study_team(words), "is": True}
        if not widened and "all" in plain.rule:
            # already the concept and the study team's word on its own qualifier ("unstable angina pectoris"
            # under "... any severe and/or uncontrolled medical conditions such as:"): one word on both
            kept = [p for p in plain.rule["all"] if not p.get("fact", "").startswith("team:")]
            return Derived({"all": kept + [team]}, "rule", f"\"{words}\"")
        return Derived({"any" if widened else "all": [plain.rule, team]}, "rule", f"\"{words}\"")

    def _plain(self, row: Mapping[str, str], kind: str, line: int, source_line: Optional[str],
               context: Context) -> Derived:
        """The row's concept read without the qualifier the study team judges."""
        self._qualified = True
        try:
            return self.derive(row, kind, line, source_line, context)
        finally:
            self._qualified = False

    def derive(self, row: Mapping[str, str], kind: str, line: int, source_line: Optional[str],
               context: Context = Context()) -> Derived:
        domain = (row.get("domain") or "").strip()
        entity = " ".join((row.get("entity_source_text") or "").split())
        concept_name = (row.get("concept_name") or "").strip()
        negated = (row.get("negation") or "0").strip() == "1"
        numeric = (row.get("numeric_source_text") or "").strip()
        days = _float(row.get("before_days") or "", "before_days", line)
        # the line the entity was annotated in or, without the texts, what the row itself says
        text = source_line or row_text(row)
        at, end = place(text, entity)
        before = cues.clause_before(text, at) if at >= 0 else ""
        clause = cues.clause_around(text, at, end) if at >= 0 else text

        nursing = entity.lower() == "nursing" and _BREASTFEEDING.search(text)  # "nursing (lactating) women"
        # the entity's own words, not its concept's: "adequate organ function" is coded as "decreased lactation"
        if _PREGNANCY.search(entity) or _BREASTFEEDING.search(entity) or _CHILDBEARING.search(entity) or nursing:
            if cues.exception(clause) or cues.past_pregnancy(clause) or (
                    kind == INCLUSION and at >= 0 and cues.hand_off(text, at, end, kind, negated)):
                # "women who discard breast milk are not excluded"; "pregnant women admitted to obstetric
                # units"; "never been pregnant", which is not "not pregnant now"
                return self.recogniser.study_team(text)
            if kind == EXCLUSION and not negated and cues.a_plan(clause):
                # "breastfeeding or planning to breastfeed": the state now, or the study team's word on the plan
                return self.qualified_by_the_study_team(self._pregnancy(entity, domain, kind, negated), text,
                                                         widened=True)
            return self._pregnancy(entity, domain, kind, negated)
        if kind == INCLUSION and _OR_NEXT.search(text):
            return self.recogniser.study_team(text)  # "..., OR": its alternatives are on other lines
        if re.search(r"\s[a-z]$", entity):
            return self.recogniser.study_team(text)  # "fungal f": a cut-off annotation, no name to ask about
        if _DEATH.search(entity):
            return self.recogniser.study_team(text)  # "death within 24 hours": not a question for anyone
        if cues.an_ability(before, entity):
            # "Inability to swallow pills" coded as dysphagia: what a person can do, asked as the line
            # says it (or left to the study team), not a diagnosis that someone unable to swallow may lack;
            # an ability over a value ("Able to maintain SpO2 93% ... to a maximum 4L") is the clinicians'
            if domain == "Measurement" or _VALUE_NOT_TIME.search(clause):
                return self.recogniser.study_team(text)
            return self.recogniser.question(text, kind, quoted=True)
        if _HOLLOW.fullmatch(entity):
            # "history of", "active", "at baseline" coded as a concept: the line says what it is about
            return self.recogniser.derive(text, kind, context, quoted=True)
        if domain == "Person" or _aged(entity, numeric):  # an age coded as an Observation too
            if cues.conditional(clause) or cues.exception(clause):
                return self.recogniser.study_team(text)  # "... formula for participants 18 years of age and older"
            return self._person(entity, numeric, row, kind, negated, line, text)
        if kind == EXCLUSION and not negated and not self._qualified and cues.a_plan(clause):
            # "Received or plans to receive a licensed, inactivated vaccine within 2 weeks": what was had
            # excludes, and so may a plan the person has not begun, which the study team asks about
            return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text,
                                                     widened=True)
        trusted = self._trusted(row, text)
        received = _RECEIPT.match(entity)
        if not trusted and domain in ("Procedure", "Device", "Drug") and _VERB_FIRST.match(entity) and not (
                received and received.end() < len(entity)):
            # its own fact would be named by its words: "Are you receiving receiving oxygen (O2) ...?"
            return self.recogniser.study_team(text)
        if not trusted and received and domain in ("Procedure", "Device", "Drug"):
            # "Receipt of pooled immunoglobulin": named by what is received (the words before it
            # say it is had, as its clause does); with a time frame the words must say
            temporal = " ".join((row.get("temporal_source_text") or "").split())
            if temporal and find_window(temporal) is None and not _NOW_WORDS.search(temporal):
                return self.recogniser.study_team(text)
            entity = entity[received.end():]
        if not trusted and domain in ("Procedure", "Device", "Drug"):
            # an own fact is named by what is given or used, not by the act: "When did you last take licensed
            # vaccine?", not "... take administration of any licensed vaccine?"
            entity = _ACT_NOUN.sub("", entity) or entity
        key = (row.get("concept_id") or "").strip() if trusted else slug(entity or concept_name)
        name = plain_name(concept_name if trusted else entity or concept_name)
        if domain == "Measurement":
            judged = None if self._qualified else cues.unreadable(clause)
            if judged == "the investigator judges it" and kind == EXCLUSION and cues.examples_before(before):
                # "ECG indicating ... cardiac conditions, as judged by the investigator (e.g., ..., QTcF
                # prolongation >500 ms, ...)": the example's value excludes, and so may the judgement
                return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text,
                                                         widened=True)
            if judged or _PANEL.search(f"{entity} {concept_name}") or (
                    kind == INCLUSION and cues.examples_before(before, text[end:])) or (
                    kind == EXCLUSION and (cues.population(before) or _BOTH_VALUES.search(clause))):
                # a panel of tests ("LFTs > 5 x ULN") has no one value; an inclusion's example
                # ("signs of moderate illness, such as SpO2 > 93%") is not required; an exclusion of two
                # values together ("ALT/AST > 2.5 upper limit normal and total bilirubin >2.5 upper limit
                # normal") does not exclude for one of them
                return self.recogniser.study_team(text)
            return self._measurement(entity, concept_name, key, name, numeric, negated, kind, text, clause, at,
                                     trusted)
        if domain not in ("Condition", "Drug", "Procedure", "Device"):
            # Observation, Visit and anything else: the line read as free text (a rule, a clear
            # question, or a hand-off to the study team)
            return self.recogniser.derive(text, kind, context, quoted=True)
        found = (at, end) if at >= 0 else (0, len(text))
        handed = None if self._qualified else cues.hand_off(text, *found, kind, negated)
        # an exclusion of a drug above a dose ("corticosteroids ... > 20 mg/day"), or of an illness at
        # a stage ("chronic kidney disease, stage 4 or 5"): nobody without the drug or the illness is
        # excluded, and whoever takes or has it knows
        dose = kind == EXCLUSION and not re.search(r"\d", entity) and (  # not ">20mg prednisone per day" as a name
            domain == "Drug" and bool(_DOSE.search(f"{numeric} {handed or ''}")) or
            # (a stage or class of a lasting illness, not a grade of an event: "diarrhoea grade 3")
            domain == "Condition" and bool(re.match(r"\s*(?:stage|class)\s+[\dIV]", numeric, re.IGNORECASE))
            and (handed is None or handed.startswith("it qualifies the concept")))
        if (numeric and not dose) or re.search(r"\b(?:and/)?or\b|\w/\w", entity, re.I) or (
                kind == EXCLUSION and cues.own_condition(entity, context.conditions)):
            # a stage, a dose, an alternative in the entity: more than one fact can hold
            return self.recogniser.study_team(text)
        if dose and not self._qualified:
            handed = handed or f"it qualifies the concept (\"{numeric}\")"
        if handed and not negated and (cues.known_to_the_person(text, *found) or dose) and \
                not cues.suspicion_before(text, found[0]) and (
                kind == EXCLUSION and cues.narrows_only(handed) and not cues.names_own_condition(entity, context.conditions)
                or kind == INCLUSION and cues.narrows_an_inclusion(handed)
                and cues.narrows_an_inclusion(cues.hand_off(text, *found, EXCLUSION) or "")
                and not (cues.other_ways_in(text, *found) or cues.examples_before(before, text[found[1]:]) or _EITHER.search(before)
                         or cues.generic(entity))):
            # "Uncontrolled hypertension", "Active infection (except COVID-19)": only people with the
            # concept are excluded, so its absence settles the criterion, and its presence is left
            # to the study team, who judge the qualifier. So for an inclusion whose concept is
            # qualified in its own words and is the only way in ("Receiving ICU-based mechanical
            # ventilation"), not one item of a list of ways in, nor a bare "disease": nobody without
            # the concept is let in
            return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text)
        if handed and kind == EXCLUSION and not negated and cues.suspected_too(text, *found) and \
                not (row.get("temporal_source_text") or "").strip():
            # "Individuals with confirmed or suspected COVID-19": the concept excludes, and so does
            # the study team's suspicion of it (with no time words the corpus may have taken from
            # another item of the line: "suspected active TB, ... or history of incompletely treated TB")
            return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text,
                                                     widened=True)
        if handed == "it is about what is done for the concept" and domain == "Condition" and \
                cues.positive_test_for(before) and find_window(clause) is None and not (
                    cues.lasting(f"{entity} {concept_name}") and _VIRUS_ITSELF.search(before)):
            # "Confirmed PCR test result for HIV, HBV or HCV": a positive test for the illness (not
            # "within 7 days of randomization", which a recent test does not say; nor a PCR for hepatitis B,
            # which finds an infection of now: a positive one of the past may have cleared)
            return self._measurement(entity, concept_name, key, name, "positive", negated, kind, text, clause, at,
                                     trusted)
        if handed == "it is about what is done for the concept" and cues.a_stay_for(before):
            # "History of or current hospitalization for COVID-19": a stay in hospital, which the person knows of,
            # asked as the line says it when it makes a clear question (else the study team's)
            return self.recogniser.question(text, kind, quoted=True)
        if handed:
            # a qualifier, an exception, a condition the concept's absence does not settle
            return self.recogniser.study_team(text)
        when = self._window(row, text, (at, end), entity, treatment=domain != "Condition", days=days,
                            above=self.heading)
        if when in (_SINCE, _HOURS):
            # "more than 10 days": a time since, not a window; or the row's days contradict its words; or
            # hours, which a day's window would widen ("ventricular tachycardia ... within last 4 hours")
            return self.recogniser.study_team(text)
        temporal = " ".join((row.get("temporal_source_text") or "").split())
        placed = text.lower().find(temporal.lower()) if temporal else -1
        # the row's time words, which the corpus takes from anywhere in the line: not a history after a concept
        # whose own words say it is of now ("Has current confirmed Influenza A or B infection, or a history of organ
        # or hematologic transplant": the history is the transplant's)
        later_history = placed > at >= 0 and cues.said_now(before) and cues.history_in(temporal)
        again = later_history and cues.named_again(entity, text[placed:])
        qualified = again and cues.qualified_again(entity, text[placed:])
        if qualified and kind == EXCLUSION and not self._qualified:
            # "Active tuberculosis or a history of inadequately treated tuberculosis": the concept now, or one of the
            # past that the line qualifies: had ever, and the study team's word on which (a "no" settles it)
            return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text)
        # the history is the row's own when it names the concept again: unqualified ("Current diagnosis of cancer or
        # prior history of cancer": of the past too), or qualified and read for the study team's confirmation (an
        # inclusion keeps the concept now: a past it qualifies must not let everyone with the concept in)
        own_history = again and (not qualified or self._qualified)
        said = f"{before} {temporal}" if placed >= 0 and (not later_history or own_history) else before
        said = cues.Said(said, entity, clause, text)
        if domain == "Condition" and (_STATE.fullmatch(name) or (_USE.search(name) and not when)):
            # "institutionalized": a state, not a diagnosis to ask about; "drug use" with no time
            # frame: a habit (which drugs? when?), not a diagnosis ("Have you ever been diagnosed with
            # drug use?"); "drug use within the past year" is asked as such
            return self.recogniser.study_team(text)
        if domain == "Condition" and at >= 0 and cues.modifier_of(text[end:]):
            return self.recogniser.study_team(text)  # "COVID-19 convalescent plasma": about the plasma
        if domain == "Condition" and cues.seen_on_imaging(before):
            # "Radiologic findings compatible with diagnosis of SARS-CoV-2 pulmonary infection": what the image shows
            return self.recogniser.study_team(text)
        if domain == "Condition" and not when and not self._qualified and cues.bare_malignancy(kind, before, entity,
                                                                                          clause):
            # "Intracranial malignancy": one ever excludes only if the study team finds it counts (a "no" settles it)
            return self.qualified_by_the_study_team(self._plain(row, kind, line, source_line, context), text)
        if domain == "Condition" or (domain == "Drug" and cues.is_allergy(before, entity)):
            return self._condition(entity, concept_name, key, name, kind, negated, when, said,
                                   allergy=domain == "Drug")
        if domain == "Drug":
            return self._drug(entity, concept_name, key, name, kind, negated, when, said)
        if cues.diagnostic(entity):
            return self.recogniser.study_team(text)  # "infiltrates on chest radiograph": what a test finds counts
        sense = said.time_sense(kind, procedure=True)
        if domain == "Procedure":
            if when:
                fact = self.concepts.procedure(key, name, dated=True)
                return self._recent(fact, when, self.concepts.vocabulary[fact].label, negated)
            fact = self.concepts.procedure(key, name, 0 if sense == cues.NOW else None)
            return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)
        fact = self.concepts.device(key, name, when)
        return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)

    def _condition(self, entity: str, concept_name: str, key: str, name: str, kind: str, negated: bool,
                   when: Optional[int], said: "cues.Said", allergy: bool) -> Derived:
        """A condition: within the row's time frame, or now or ever as the words and the
        criterion's role say (cues.time_sense); an allergy to a drug is a condition of its own."""
        entry = None
        if allergy or (cues.is_allergy("", entity) and not cues.covered_by(entity, concept_name, _ALLERGY_WORDS)):
            # "allergy to atazanavir" coded as an allergy to protease inhibitors, "to another JAK
            # inhibitor" as one to enzyme inhibitors: its own fact
            key, name = ((f"allergy_{slug(entity)}", f"an allergy to {plain_name(entity)}") if allergy
                         else (slug(entity), plain_name(entity)))
        else:
            entry = self.concepts.lexicon.exact("condition", entity, concept_name)
            if entry is not None and entry.fact:
                return self._boolean(entry.fact, self.recogniser.label(entry), negated)
        if when and kind == INCLUSION:
            # "diagnosed within 7 days", "onset < 96 hours": when it began, which "had it in the
            # last 7 days" does not ask (a patient ill for weeks would answer yes)
            return self.recogniser.study_team(said.line)
        sense = said.time_sense(kind)
        frame = when if when else (0 if sense == cues.NOW else None)
        fact = self.concepts.condition(entry.key if entry else key, entry.label if entry else name, frame)
        return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)

    def _drug(self, entity: str, concept_name: str, key: str, name: str, kind: str, negated: bool,
              when: Optional[int], said: "cues.Said") -> Derived:
        """A drug: its last dose within the time frame, or at any time for an exclusion of a drug
        taken before ("prior treatment with"); otherwise taking it now or recently."""
        entry = self.concepts.lexicon.exact("drug", entity, concept_name)
        existing = self.concepts.vocabulary.get(entry.fact) if entry and entry.fact else None
        key, name = (entry.key, entry.label) if entry else (key, name)
        ever = cues.said_before(said.before) and not cues.now_in(said.before)
        if existing is not None and existing.type.value != "date":
            return self._boolean(entry.fact, existing.label, negated)
        if existing is not None and not (when or ever):
            # a dated fact ("last chemotherapy") and no time frame: "concurrent ... requiring
            # chemotherapy" is not "ever had chemotherapy", and how recent "current" is, is the study's
            return self.recogniser.study_team(said.line)
        if when or ever or existing is not None:
            fact = entry.fact if existing is not None else self.concepts.drug(key, name, dated=True)
            return self._recent(fact, when or 36500, self.concepts.vocabulary[fact].label, negated)
        fact = self.concepts.drug(key, name)
        return self._boolean(fact, self.concepts.vocabulary[fact].label, negated)

    # -- pieces ---------------------------------------------------------------------------------
    @staticmethod
    def _trusted(row: Mapping[str, str], line: str) -> bool:
        try:
            score = float(row.get("match_score") or 0)
        except ValueError:
            score = 0.0
        concept = (row.get("concept_id") or "").strip()
        entity = re.sub(r"\([^)]*\)", " ", row.get("entity_source_text") or "")  # "(dialysis)" explains it
        return (bool(concept) and concept not in PLACEHOLDERS and score >= 0.999
                and not cues.partial_match(entity, row.get("concept_name") or "")
                and not cues.narrower(entity, row.get("concept_name") or "", line)
                # "bleeding within brain" coded as any haemorrhage: a concept without the entity's body site
                and not ((row.get("domain") or "") == "Condition" and cues.broader(entity, row.get("concept_name") or ""))
                and (row.get("vocabulary_usagi") or "").strip() not in UNTRUSTED_VOCABULARIES
                and (row.get("domain") or "") != "Visit")

    @staticmethod
    def _window(row: Mapping[str, str], text: str, span: Tuple[int, int], entity: str, treatment: bool,
                days: Optional[float], above: Optional[str] = None) -> Optional[int]:
        """A concept's time frame in days ("within 14 days"): from the words of its clause in the
        line after it, or else from the row's own time words when they are there too or, for a
        treatment, the line is the concept alone (a list under "received in the past 6 months:";
        the corpus's days are not always those of the entity's line, and a condition's list item
        takes its heading's time words less often than its annotations suggest); or from the
        words that head a list the entity is an item of, in its line ("Receipt in the 12 hours prior to
        enrollment ... of any of the following: amiodarone; ...; phenytoin") or above it (``above``);
        _SINCE for "more than N days"."""
        at, end = span
        begin, stop = cues.clause_bounds(text, at, end) if at >= 0 else (0, 0)
        window = find_window(text[begin:stop], max(at - begin, 0))  # a time frame before the entity is another's
        if window is not None and at >= 0 and _ANOTHER_SUBJECT.search(text[end:begin + window.start]):
            window = None  # "dementia, ... or those with active psychosis documented in past 2 years": the psychosis's
        heading = text[begin:at].rfind(":") if at >= 0 else -1
        if window is None and heading >= 0:
            window = find_window(text[begin:begin + heading])  # "... in the 14 days before the visit: fever, ..."
        for lead in (inline_heading(text, at), above if above and not _SECTION.match(above) else None):
            # a list in the line, past the clause's bounds ("...: amiodarone; ...; phenytoin"), or under a heading;
            # not how long its items lasted ("More than 10 days of any of the following symptoms:"), which the
            # heading's reason leaves to the study team
            if window is None and lead and cues.unreadable(lead) != "it says how long it lasted":
                window = find_window(lead)
        temporal = " ".join((row.get("temporal_source_text") or "").split())
        bare = treatment and text.strip(" .;,:").lower() == entity.lower()
        from_row = window is None and temporal and (bare or text.lower().find(temporal.lower(), max(at, 0)) >= 0)
        if from_row:
            window = find_window(temporal)
        if window is None:
            return None
        if window.rounded:
            return _HOURS
        frame = _DAYS[window.unit] * window.amount
        if window.op in (">", ">=") or (from_row and days and 0 < days < 10000 and abs(days - frame) > frame * 0.1):
            return _SINCE
        return frame

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

    def _pregnancy(self, entity: str, domain: str, kind: str, negated: bool) -> Derived:
        if _CHILDBEARING.search(entity) and not _PREGNANCY.search(entity):
            return self._boolean("childbearing_potential", "could become pregnant", negated)
        fact = "breastfeeding" if (_BREASTFEEDING.search(entity) or entity.lower() == "nursing") \
            and not _PREGNANCY.search(entity) else "pregnant"
        label = self.concepts.vocabulary[fact].label
        if domain == "Measurement":  # a pregnancy test: inclusions want it negative, exclusions positive
            present = kind == EXCLUSION
            return Derived({"fact": fact, "is": present}, "rule", label if present else f"not {label}")
        return self._boolean(fact, label, negated)

    def _person(self, entity: str, numeric: str, row: Mapping[str, str], kind: str, negated: bool, line: int,
                source_line: str) -> Derived:
        if _aged(entity, numeric):
            comparisons = self._comparisons(numeric or entity, source_line, default_unit="years") \
                or self._age_bounds(numeric, row, line)
            if not comparisons and not numeric:
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
        if _SEX_ENTITY.search(entity) and _BOTH_SEXES.search(source_line) and kind == INCLUSION \
                and not _PREGNANCY.search(source_line) and not negated:
            return Derived({"fact": "sex", "in": ["female", "male"]}, "rule", "men and women")
        if _SEX_ENTITY.search(entity):
            # a sex that qualifies another criterion ("QTc > 450 ms for men"): not a criterion alone
            return self.recogniser.study_team(source_line)
        return self.recogniser.derive(source_line, kind, quoted=True)

    @staticmethod
    def _bound_left_out(text: str, end: int, read: int) -> bool:
        """Whether the measurement's bounds in its line go on past those read ("PaO2/FiO2 > 100, but
        < 200" with only "> 100" coded): read alone, one bound of a range widens or narrows it."""
        if end < 0:
            return False
        stop = cues.clause_bounds(text, end, end)[1]
        after = [c for c in find_comparisons(text) if end <= c.start < stop]
        if len(after) <= read or read == 0:
            return False
        between = text[after[read - 1].end:after[read].start]
        return bool(re.fullmatch(r"[\s,]*(?:but|and|to|-|–)?[\s,]*", between, re.IGNORECASE))

    @staticmethod
    def _comparisons_after(text: str, start: int, end: int) -> List[Comparison]:
        """The comparison right after a measurement in its line ("score of 3 or less"), for a row
        whose numeric text is missing or not in the line."""
        if start < 0:
            return []
        found = [c for c in find_comparisons(text) if end <= c.start <= end + 12]
        return found[:1] if found else []

    @staticmethod
    def _age_bounds(numeric: str, row: Mapping[str, str], line: int) -> List[Comparison]:
        """An age written without a comparison ("18 years of age"): the corpus's normalised bound
        that the number is (numeric_att_min / max; 99999 when unbounded)."""
        number = re.search(r"\d+(?:\.\d+)?", numeric)
        if not number:
            return []
        value = float(number.group())
        low = _float(row.get("numeric_att_min") or "", "numeric_att_min", line)
        high = _float(row.get("numeric_att_max") or "", "numeric_att_max", line)
        bounds = [Comparison(op, value, "years", 0, 0) for op, bound in ((">=", low), ("<=", high))
                  if bound is not None and bound == value]
        return bounds

    @staticmethod
    def _age(c: Comparison) -> Dict[str, Any]:
        return {"fact": "age", "op": c.op, "value": round_value(c.value), "unit": "years"}

    @staticmethod
    def _comparisons(numeric: str, text: str, default_unit: Optional[str] = None, at: int = 0) -> List[Comparison]:
        """The value range of a row, as its numeric text says how to compare ("≤ 93%", "3 or less"),
        or else as the line says it where the numeric text stands in it ("SpO2 ≤ 93%" with the
        numeric text "93%"). The corpus's normalised bounds are not used: they lose the direction
        ("≤ 93%" is stored as a minimum of 93) and the strictness ("greater than 0" as a minimum of 0).
        The numeric text is looked for after the entity (at ``at``) first: a line may hold several."""
        found = find_comparisons(numeric)
        if not found and numeric:
            lowered = text.lower()
            at = lowered.find(numeric.lower(), max(at, 0)) if lowered.find(numeric.lower(), max(at, 0)) >= 0 \
                else lowered.find(numeric.lower())
            found = [c for c in find_comparisons(text) if at >= 0 and c.start <= at < c.end]
        return [c if c.unit else Comparison(c.op, c.value, default_unit, c.start, c.end) for c in found]

    def _measurement(self, entity: str, concept_name: str, key: str, name: str, numeric: str, negated: bool,
                     kind: str, text: str, clause: str, at: int, trusted: bool) -> Derived:
        entry = self.concepts.lexicon.exact("measurement", entity, concept_name)
        result = _POSITIVE.match(numeric) or _NEGATIVE.match(numeric)
        if entry is not None and entry.result_only and not result:
            entry = None  # "SARS-CoV-2 infection symptom score" coded as the PCR test: not a number of it
        if entry is None and trusted and kind == INCLUSION and not _ABBREVIATION.search(entity) \
                and not cues.shares_words(entity, concept_name, _MEASUREMENT_WORDS):
            return self.recogniser.study_team(text)  # "S/F ratio" coded as "inspired oxygen tension"
        if entry is None and _SCALE.search(entity) and (not trusted or not _SCALE.search(concept_name)):
            # a score the corpus has no concept for (9999 stands for eleven of them): its own fact
            # when the words name it ("Ordinal Scale for Clinical Improvement score"), else which one?
            if len(entity.split()) < 3 or at < 0:
                return self.recogniser.study_team(text)
            key, name, trusted = slug(entity), plain_name(entity), False
        if _RELATIVE.search(clause):
            return self.recogniser.study_team(text)  # "decreased by 25% from baseline": a change, not a value
        if result:
            positive = bool(_POSITIVE.match(numeric)) != negated
            if not positive and kind == EXCLUSION:
                return self.recogniser.study_team(text)  # excluded for a negative test: of what, when?
            # an inclusion's positive test is of the present illness; otherwise a result is the recent
            # test's, unless the words speak of the past ("history of", "previous", "known") or what is
            # tested lasts (HIV, hepatitis B or C, antibodies): a person who tested positive for HIV
            # years ago answers "no" to a recent test, so any positive result counts
            recent = (positive and kind == INCLUSION) or not (
                cues.lasting(f"{entity} {concept_name}") or cues.history_in(clause))
            fact = self.concepts.positive(entry.key if entry else key, entry.label if entry else name, now=recent)
            label = self.concepts.vocabulary[fact].label
            return Derived({"fact": fact, "is": positive}, "rule", label if positive else f"no {label}")
        if at >= 0 and (cues.past_value(cues.clause_before(text, at)) or re.search(
                r"\b(?:during|in|within)\s+(?:this|that|the\s+same)\s+(?:period|time|window)\b", clause, re.I)):
            # "History or clinical evidence of ... (LVEF <40%)": a value of any time, not the latest;
            # "illness within 14 days ... or temperature of >38C during this period": of a period
            return self.recogniser.study_team(text)
        comparisons = self._comparisons(numeric, text, at=at) or self._comparisons_after(text, at, at + len(entity))
        units = {c.unit for c in comparisons if c.unit}
        written = [c for c in find_comparisons(text) if c.start >= at]  # as the line writes them, after the entity
        if not comparisons or len(units) > 1 or self._bound_left_out(text, at + len(entity), len(comparisons)) or any(
                unknown_unit(text, w) for c in comparisons if c.unit is None
                for w in written[:3] if w.value == c.value):
            # no bound, or a unit the reader does not know ("D-dimer > 0.75 g/mL"): not the fact's unit
            return self.recogniser.study_team(text)
        unit = units.pop() if units else None
        if entry is not None:
            if unit is None and entry.unit in ("10^9/L", "/uL") and any(c.value >= 1000 for c in comparisons):
                unit = "/uL"
            fact, fact_unit, factor = self.concepts.known(entry, unit)
            label = self.recogniser.label(entry)
        else:
            fact, fact_unit, factor = self.concepts.measurement(key, name, unit)
            label = name
        if entry is not None and any(entry.implausible(c.value * factor, fact_unit, entry.unit or fact_unit)
                                     for c in comparisons):
            return self.recogniser.study_team(text)
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
        context = Context(tuple(trial_fields(trial_id, info).get("conditions", ())),
                          tuple(trial_fields(trial_id, info).get("interventions", ())))
        items: List[_Item] = []
        counted: Set[Optional[str]] = set()  # the OR groups with an item that is not a way in alone
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
                heading = texts.list_heading(trial_id, entity, offset)
                reader.heading = heading
                if texts.section(trial_id, entity, offset) not in (None, kind) or \
                        texts.glued_heading(trial_id, entity, offset):
                    # the row's flag and the text's heading disagree: which is the criterion? Or a
                    # heading glued to the line ("Critical  Diagnosed with ..."): whom is it for?
                    derived = reader.recogniser.study_team(source_line or row_text(row))
                else:
                    derived = reader.derive(row, kind, line, source_line, context)
            except FieldError as error:
                reader.heading = None
                problems.append(Problem(file, error.field, error.message))
                continue
            text = source_line or row_text(row)
            at, end = place(text, entity)
            reader.heading = None
            group = texts.alternative_group(trial_id, offset) if kind == INCLUSION else None
            # what heads the item's list, above its line (not a section's heading) or in the line itself
            leads = [h for h in (heading if heading and not _SECTION.match(heading) else None,
                                 inline_heading(text, at)) if h]
            reason = next((r for r in (cues.heading_reason(h, kind) for h in leads) if r), None)
            said = f"{heading} {text}" if heading and not _SECTION.match(heading) else text  # (the line holds its own)
            if _FOOTNOTE.match(text) or _SOME_OF.search(text[:max(at, 0)]) or (heading and _SOME_OF.search(heading)) \
                    or (_AGE_ITEM.search(text) and text.count(",") >= 3 and not _ALTERNATIVES_HEADING.search(text)):
                # a footnote to another criterion, an item of a list that counts its items, a risk
                # factor among others: read alone, it would be required or exclude by itself
                derived = reader.recogniser.study_team(text)
                counted.add(group)
            elif kind == INCLUSION and (group is None or not _EITHER.search(text)) and heading and \
                    _ALTERNATIVES_HEADING.search(heading) and derived.checked_by == "rule":
                # one item of a list of ways in ("Disease site meets following criteria:" ... "Lung
                # Cancer"), which the annotations do not join: read alone, it would be required
                derived = reader.recogniser.study_team(text)
            elif kind == INCLUSION and heading and not _EVERY.search(heading) and (_EXAMPLES.search(heading) or (
                    _DEFINITION.search(heading) and not texts.only_item(trial_id, entity, offset))):
                # an item of a definition ("Severe disease is defined as:" ... "P/F ratio < 300") or of its
                # examples, which say neither that one item is enough nor that all are: read alone, it would be
                # required (a definition of one line is that line: "... defined as:" "a. Lymphocytes < 1000, and b. ...")
                derived = reader.recogniser.study_team(text)
                counted.add(group)
            elif kind == EXCLUSION and any(cues.a_plan(h) for h in leads) and not derived.team:
                # "Currently prescribed ... or planned administration during 14-day study period of medication ...
                # as follows:" ... "erythromycin": taking it excludes, and so may its plan (the study team's word)
                derived = reader.qualified_by_the_study_team(derived, said, widened=True)
            elif reason and not derived.team:
                # the heading's exception, condition or judgement is each item's ("Patients currently using
                # any of the following medications (unless willing to discontinue the medication ...):"
                # ... "rifampin"): an exclusion it only narrows is its concept and the study team's word
                narrowed = kind == EXCLUSION and cues.narrows_only(reason)
                derived = reader.qualified_by_the_study_team(derived, said) if narrowed else \
                    reader.recogniser.study_team(text)
            # an inclusion that offers other ways in ("positive test ... or hospitalized"): unless the
            # annotations join them into one criterion, the concept alone would turn the others away
            others = kind == INCLUSION and at >= 0 and cues.other_ways_in(text, at, end) \
                and derived.checked_by == "rule" and any(k.startswith(_CODED) for k in _keys(derived.rule))
            items.append((kind, text, derived, row.get("domain") or "", group, [line],
                          reader.recogniser.study_team(text) if others else None))
        # the annotations join some items of a counted list as alternatives ("at least 2 of the
        # following: CRP > 35 mg/L, Ferritin > 500 ng/mL, ..."): one of them would let a person in
        counted &= set(_joined(items))
        items = [item if item[4] not in counted else
                 item[:2] + (reader.recogniser.study_team(item[1]),) + item[3:6] + (None,) for item in items]
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
                               0.3 if merged else _rule_out(domain, kind, derived, context),
                               source={"rows": list(lines)})
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


# kind, text, rule, domain, OR group, the corpus lines it was read from, its reading when it stands alone
_Item = Tuple[str, str, Derived, str, Optional[str], List[int], Optional[Derived]]
_CODED = ("condition:", "drug:", "procedure:", "device:", "measurement:")


def _keys(rule: Mapping[str, Any]) -> List[str]:
    if "fact" in rule:
        return [rule["fact"]]
    if "not" in rule:
        return _keys(rule["not"])
    return [k for part in rule.get("all", []) + rule.get("any", []) for k in _keys(part)]


def _alternatives(items: List[_Item], stats: CorpusStats) -> Iterator[Tuple[str, str, Derived, str, bool, List[int]]]:
    """Inclusion rows the annotations mark as alternatives ("SpO2 <= 93% or PaO2/FiO2 < 300")
    become one criterion, met when any of them is; separate rows would each be required. (For
    exclusions, separate rows already exclude when any of them holds.) Rows whose lines do not say
    "or" ("any of", "either") are not alternatives, whatever the annotations say: "AST/ALT < 3x ULN"
    means both, and so do "negative tests for HBsAg, HCV antibody and HIV antibody" and the lines
    that code each test again."""
    groups = _joined(items)
    for i, (kind, text, derived, domain, group, lines, alone) in enumerate(items):
        members = groups.get(group, [i]) if group is not None else [i]
        if len(members) == 1:
            yield kind, text, alone or derived, domain, False, lines
            continue
        if members[0] != i:
            continue  # merged into the group's first row
        parts = [items[m][2] for m in members]
        rules = list({repr(p.rule): p.rule for p in parts}.values())
        lines = list(dict.fromkeys(items[m][1] for m in members))
        checked_by = "rule" if all(p.checked_by == "rule" for p in parts) else "question"
        # one denial over the alternatives ("not on mechanical ventilation or ECMO") denies each of
        # them: not (A or B) is not A and not B, so the negated rows must all hold
        neither = all(_denied(r) for r in rules) and len(cues.NEGATED.findall(" ".join(lines))) == 1
        requirement = (" and " if neither else " or ").join(dict.fromkeys(p.requirement for p in parts))
        stats.alternatives += len(members) - 1
        rule = rules[0] if len(rules) == 1 else {"all" if neither else "any": rules}
        yield (kind, " / ".join(lines), Derived(rule, checked_by, requirement), domain, True,
               [n for m in members for n in items[m][5]])


def _joined(items: List[_Item]) -> Dict[str, List[int]]:
    """The OR groups of the annotations that a line of theirs says are alternatives ("or", "any of",
    "either"), each with the indexes of its items."""
    groups: Dict[str, List[int]] = {}
    for i, item in enumerate(items):
        if item[4] is not None:
            groups.setdefault(item[4], []).append(i)
    return {group: members for group, members in groups.items()
            if any(_EITHER.search(items[m][1]) for m in members)}


def _denied(rule: Mapping[str, Any]) -> bool:
    """Whether a row's rule is its concept's absence (a row coded as negated)."""
    return "not" in rule or rule.get("is") is False


def _rule_out(domain: str, kind: str, derived: Derived, context: Context) -> float:
    if derived.checked_by != "rule":
        return 0.1
    if cues.names_own_condition(derived.requirement, context.conditions):
        # a candidate of a COVID-19 trial nearly always has (or has had) COVID-19: an inclusion of
        # it rarely rules one out, an exclusion of it often does
        return 0.05 if kind == INCLUSION else 0.5
    if domain == "Person":
        return 0.05
    if domain == "Measurement":
        return 0.2
    return 0.4 if kind == INCLUSION else 0.1
