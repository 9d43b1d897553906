"""ClinicalTrials.gov API v2 study records -> trial records (as in data/trials/*.yml).

Accepted: one study (``{"protocolSection": ...}``), a search page (``{"studies": [...]}``) or a
list of studies. Taken: identification, status, conditions, interventions, locations and contacts,
and the eligibility module (minimum and maximum age, sex, healthy volunteers, the criteria text).
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from bot.importers.criteria_text import EXCLUSION, INCLUSION, Context, Derived, Recogniser, split_criteria
from bot.importers.records import FieldError, criterion, normal_status, rule_facts

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_AGE_IN_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25, "hour": 1 / 8766,
                 "minute": 1 / 525960}
_SEXES = {"ALL": None, "FEMALE": "female", "MALE": "male"}


def studies(data: Any) -> Iterator[Tuple[str, Any]]:
    """(where, study) for every study in a parsed JSON document; ``where`` prefixes field names."""
    if isinstance(data, Mapping) and "studies" in data:
        if not isinstance(data["studies"], list):
            raise FieldError("studies", "expected a list of studies")
        for i, study in enumerate(data["studies"]):
            yield f"studies[{i}].", study
    elif isinstance(data, list):
        for i, study in enumerate(data):
            yield f"[{i}].", study
    else:
        yield "", data


def _get(record: Any, path: str, required: bool = False, kind: type = object) -> Any:
    value = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            if required:
                raise FieldError(path, "missing")
            return None
    if not isinstance(value, kind):
        raise FieldError(path, f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _age_years(value: Optional[str], field: str) -> Optional[float]:
    if value is None or str(value).strip().upper() in ("", "N/A", "NA", "NONE"):
        return None
    m = _AGE.match(str(value))
    if not m:
        raise FieldError(field, f"not an age: {value!r}")
    return float(m.group(1)) * _AGE_IN_YEARS[m.group(2).lower()]


def _location(loc: Mapping[str, Any]) -> Dict[str, str]:
    contacts = "; ".join(", ".join(str(c[k]) for k in ("name", "phone", "email") if c.get(k))
                         for c in loc.get("contacts") or [] if isinstance(c, Mapping))
    data = {"facility": loc.get("facility", ""), "city": loc.get("city", ""), "region": loc.get("state", ""),
            "country": loc.get("country", ""), "zip": loc.get("zip", ""),
            "status": normal_status(loc.get("status")), "contact": contacts}
    return {k: str(v) for k, v in data.items() if v}


def _contacts(module: Mapping[str, Any]) -> Tuple[str, List[Dict[str, str]]]:
    people: List[Dict[str, str]] = []
    for contact in module.get("centralContacts") or []:
        people.append({k: str(contact[k]) for k in ("name", "role", "phone", "email") if contact.get(k)})
    for official in module.get("overallOfficials") or []:
        people.append({k: str(official[k]) for k in ("name", "role", "affiliation") if official.get(k)})
    central = [", ".join(p[k] for k in ("name", "phone", "email") if p.get(k))
               for p in people if p.get("phone") or p.get("email")]
    officials = [f"{p['name']}" + (f" ({p['affiliation']})" if p.get("affiliation") else "")
                 for p in people if p.get("role", "").upper().endswith("INVESTIGATOR") or p.get("affiliation")]
    if central:
        text = "Contact the study team: " + "; ".join(central) + "."
    elif officials:
        text = ("Ask your treating doctor to review the criteria with you, then contact the study team through "
                "the trial's ClinicalTrials.gov page. Study leads: " + "; ".join(officials[:4]) + ".")
    else:
        text = "Contact the study team through the trial's ClinicalTrials.gov page."
    return text, people


def trial_record(study: Any, recogniser: Recogniser, where: str = "") -> Dict[str, Any]:
    """One study as a trial record. Raises FieldError naming the field (prefixed by ``where``)."""
    try:
        return _trial_record(study, recogniser)
    except FieldError as error:
        raise FieldError(where + error.field, error.message) from None


def _trial_record(study: Any, recogniser: Recogniser) -> Dict[str, Any]:
    if not isinstance(study, Mapping):
        raise FieldError("protocolSection", "a study must be a JSON object")
    _get(study, "protocolSection", required=True, kind=Mapping)
    nct_id = _get(study, "protocolSection.identificationModule.nctId", required=True, kind=str).strip()
    if not re.fullmatch(r"NCT\d{8}", nct_id):
        raise FieldError("protocolSection.identificationModule.nctId", f"not an NCT number: {nct_id!r}")
    brief = _get(study, "protocolSection.identificationModule.briefTitle", kind=str) or nct_id
    title = _get(study, "protocolSection.identificationModule.officialTitle", kind=str) or brief
    status = _get(study, "protocolSection.statusModule", kind=Mapping) or {}
    conditions = _get(study, "protocolSection.conditionsModule.conditions", kind=list) or []
    keywords = _get(study, "protocolSection.conditionsModule.keywords", kind=list) or []
    interventions = _get(study, "protocolSection.armsInterventionsModule.interventions", kind=list) or []
    design = _get(study, "protocolSection.designModule", kind=Mapping) or {}
    eligibility = _get(study, "protocolSection.eligibilityModule", required=True, kind=Mapping)
    contacts_module = _get(study, "protocolSection.contactsLocationsModule", kind=Mapping) or {}
    locations = contacts_module.get("locations") or []
    if not isinstance(locations, list):
        raise FieldError("protocolSection.contactsLocationsModule.locations", "expected a list")
    contact, people = _contacts(contacts_module)
    prefix = "protocolSection.eligibilityModule."
    minimum = _age_years(eligibility.get("minimumAge"), prefix + "minimumAge")
    maximum = _age_years(eligibility.get("maximumAge"), prefix + "maximumAge")
    sex_value = str(eligibility.get("sex") or "ALL").upper()
    if sex_value not in _SEXES:
        raise FieldError(prefix + "sex", f"expected ALL, FEMALE or MALE, got {eligibility.get('sex')!r}")
    text = eligibility.get("eligibilityCriteria")
    if text is not None and not isinstance(text, str):
        raise FieldError(prefix + "eligibilityCriteria", "expected text")

    trial = {
        "id": nct_id, "title": title, "brief_title": brief,
        "summary": " ".join((_get(study, "protocolSection.descriptionModule.briefSummary", kind=str) or "").split()),
        "contact": contact, "url": f"https://clinicaltrials.gov/study/{nct_id}",
        "locations": [_location(loc) for loc in locations if isinstance(loc, Mapping)],
        "status": normal_status(status.get("overallStatus")),
        "phase": "/".join(design.get("phases") or []) or None,
        "study_type": design.get("studyType"),
        "sponsor": _get(study, "protocolSection.sponsorCollaboratorsModule.leadSponsor.name", kind=str),
        "conditions": [str(c) for c in conditions],
        "keywords": [str(k) for k in keywords],
        "interventions": [str(i.get("name")) for i in interventions if isinstance(i, Mapping) and i.get("name")],
        "minimum_age": eligibility.get("minimumAge"), "maximum_age": eligibility.get("maximumAge"),
        "sex": sex_value.lower(), "healthy_volunteers": eligibility.get("healthyVolunteers"),
        "contacts": people, "source": "clinicaltrials.gov",
        "last_update": _get(study, "protocolSection.statusModule.lastUpdatePostDateStruct.date", kind=str),
    }
    trial = {k: v for k, v in trial.items() if v not in (None, "", [])}
    return {"trial": trial, "criteria": registry_criteria(recogniser, minimum, maximum, _SEXES[sex_value],
                                                          eligibility.get("minimumAge"),
                                                          eligibility.get("maximumAge"))
            + text_criteria(text or "", recogniser, Context(
                tuple(trial.get("conditions", ())) + tuple(trial.get("keywords", ())) + (title,),
                tuple(trial.get("interventions", ()))))}


def registry_criteria(recogniser: Recogniser, minimum: Optional[float], maximum: Optional[float],
                      sex: Optional[str], minimum_text: Any = None, maximum_text: Any = None
                      ) -> List[Dict[str, Any]]:
    """The registry's structured age and sex limits as criteria ("reg-age", "reg-sex")."""
    found = []
    age = recogniser.age_rule(minimum, maximum)
    if age is not None:
        limits = [f"minimum age {minimum_text}" if minimum else "", f"maximum age {maximum_text}" if maximum is not None else ""]
        text = "Registry eligibility: " + ", ".join(x for x in limits if x)
        bounds = [f"{'at least' if p['op'] == '>=' else 'at most'} {p['value']:g}" for p in age.get("all") or [age]]
        found.append(criterion("reg-age", INCLUSION, text, Derived(age, "rule", "age " + " and ".join(bounds)), 0.05,
                               source={"registry": "minimum and maximum age"}))
    if sex is not None:
        rule = {"fact": "sex", "in": [sex]}
        found.append(criterion("reg-sex", INCLUSION, f"Registry eligibility: sex {sex} only",
                               Derived(rule, "rule", f"{sex} participants"), 0.5, source={"registry": "sex"}))
    return found


_RULE_OUT = {"age": 0.05, "pregnant": 0.03, "breastfeeding": 0.03, "willing_to_consent": 0.02}


def rule_out(derived: Derived, kind: str) -> float:
    """Our prior that the criterion rules a person out: questions most likely to settle it come first."""
    if derived.checked_by != "rule":
        return 0.1
    facts = rule_facts(derived.rule)
    if facts and facts[0] in _RULE_OUT:
        return _RULE_OUT[facts[0]]
    if any(f.startswith("measurement:") or f in ("platelet_count", "qtc_ms") for f in facts):
        return 0.2
    return 0.3 if kind == INCLUSION else 0.1


def text_criteria(text: str, recogniser: Recogniser, context: Context = Context()) -> List[Dict[str, Any]]:
    """The criteria text split into single criteria ("inc-01", "exc-01", ...), each with its rule."""
    found = []
    counts = {INCLUSION: 0, EXCLUSION: 0}
    for position, segment in enumerate(split_criteria(text)):
        counts[segment.kind] += 1
        derived = recogniser.derive(segment.text, segment.kind, context)
        prefix = "inc" if segment.kind == INCLUSION else "exc"
        found.append(criterion(f"{prefix}-{counts[segment.kind]:02d}", segment.kind, segment.text, derived,
                               rule_out(derived, segment.kind), source={"segment": position}))
    return found
