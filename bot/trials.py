"""Trials and their eligibility criteria, as loaded from YAML or the trial store."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot import i18n
from bot.facts import AnsweredBy, FactDefinition, Vocabulary
from bot.rules import Rule, compile_rule


class Kind(str, Enum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class CheckedBy(str, Enum):
    """How a criterion is checked: computed from facts by its rule, or asked as a yes/no question
    built from its text (imported criteria that could not be made computable), which the study
    team has to confirm."""

    RULE = "rule"
    QUESTION = "question"


class TrialState(str, Enum):
    """Where a trial stands with the people who see it: an imported trial is a draft until a
    coordinator has reviewed its criteria and published it; patients and matching see published
    trials only (staff may screen a draft); a withdrawn trial is seen by nobody."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Confidence(str, Enum):
    """How sure the importer was of its reading of a criterion (``confidence`` in the YAML)."""

    COMPUTABLE = "computable"  # the recognisers account for every word: a rule over facts
    QUESTION = "question"  # asked from its text as a clear yes/no question
    UNSURE = "unsure"  # an inclusion asked from its text: a "no" leaves it to the study team
    STUDY_TEAM = "study_team"  # not something to ask: handed to the study team


class Review(str, Enum):
    """A coordinator's decision on an imported criterion (``review`` in the YAML)."""

    APPROVED = "approved"  # the importer's reading stands
    EDITED = "edited"  # the coordinator changed the rule, the question or who answers it
    STUDY_TEAM = "study_team"  # the study team confirms it at the screening visit: never asked


@dataclass(frozen=True)
class Explanations:
    met: str
    not_met: str
    unknown: str


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion.

    ``rule`` is what must hold for an inclusion criterion, and the condition that excludes for
    an exclusion criterion; either way the criterion is *met* when it does not stand in the way.
    ``checked_by`` is ``question`` for a criterion asked from its text and to be confirmed by the
    study team (see CheckedBy). An imported criterion keeps where in the record it came from
    (``source``: the text's segment, or the corpus rows) and how sure the importer was
    (``confidence``); ``review`` is what a coordinator made of it (None: not reviewed yet).
    """

    id: str
    kind: Kind
    text: str
    rule_spec: Mapping[str, Any]
    rule: Rule
    explain: Explanations
    why: str
    rule_out: float = 0.1
    checked_by: CheckedBy = CheckedBy.RULE
    # the explanations and "why" in other languages (bot/i18n.py): {"zh-CN": {"explain": {...}, "why": ...}};
    # ``text`` stays as the trial registered it
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def explanation(self, status: str) -> str:
        """What it means for the person that the criterion is ``status`` (met, not_met, unknown), in
        the active language."""
        translated = i18n.translated(self.translations, "explain", {})
        return translated.get(status) or getattr(self.explain, status)

    @property
    def shown_why(self) -> str:
        return i18n.translated(self.translations, "why", self.why)
    source: Mapping[str, Any] = field(default_factory=dict)
    confidence: Optional[Confidence] = None
    review: Optional[Review] = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], vocabulary: Vocabulary) -> "Criterion":
        return cls(
            id=data["id"],
            kind=Kind(data["kind"]),
            text=data["text"],
            rule_spec=data["rule"],
            rule=compile_rule(data["rule"], vocabulary),
            explain=Explanations(**data["explain"]),
            why=data.get("why", ""),
            rule_out=float(data.get("rule_out", 0.1)),
            checked_by=CheckedBy(data.get("checked_by") or CheckedBy.RULE.value),
            translations=i18n.translations_of(data),
            source=dict(data.get("source") or {}),
            confidence=Confidence(data["confidence"]) if data.get("confidence") else None,
            review=Review(data["review"]) if data.get("review") else None,
        )

    def to_dict(self) -> Dict[str, Any]:
        data = {"id": self.id, "kind": self.kind.value, "text": self.text, "rule": self.rule_spec,
                "rule_out": self.rule_out, "why": self.why, "explain": self.explain.__dict__}
        if self.checked_by is not CheckedBy.RULE:
            data["checked_by"] = self.checked_by.value
        data.update({language: dict(wording) for language, wording in self.translations.items()})
        if self.source:
            data["source"] = dict(self.source)
        if self.confidence is not None:
            data["confidence"] = self.confidence.value
        if self.review is not None:
            data["review"] = self.review.value
        return data

    @property
    def awaits_review(self) -> bool:
        """An imported criterion no coordinator has decided on yet."""
        return self.confidence is not None and self.review is None

    @property
    def to_be_confirmed(self) -> bool:
        """Asked from its text: whatever the answer, the study team confirms it."""
        return self.checked_by is CheckedBy.QUESTION

    def facts(self, vocabulary: Vocabulary) -> List[FactDefinition]:
        return [vocabulary[key] for key in self.rule.facts]

    def answered_by(self, vocabulary: Vocabulary) -> AnsweredBy:
        """Who can settle this criterion at best: the person, their doctor, or only the study team."""
        return min((d.answered_by for d in self.facts(vocabulary)), key=list(AnsweredBy).index)


@dataclass(frozen=True)
class Location:
    facility: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    zip: str = ""
    status: str = ""  # recruiting, not_yet_recruiting... (imported records)
    contact: str = ""

    def to_dict(self) -> Dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def __str__(self) -> str:
        return ", ".join(part for part in (self.facility, self.city, self.region, self.country) if part)


@dataclass(frozen=True)
class Trial:
    id: str
    title: str
    brief_title: str
    criteria: Tuple[Criterion, ...]
    summary: str = ""
    contact: str = ""
    url: str = ""
    locations: Tuple[Location, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)  # phase, sponsor, conditions...
    # what the trial says to patients in other languages (bot/i18n.py): {"zh-CN": {"brief_title",
    # "summary", "contact", "where", "interventions"}}
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], vocabulary: Vocabulary) -> "Trial":
        trial = dict(data["trial"])
        known = {"id", "title", "brief_title", "summary", "contact", "url", "locations", *i18n.TRANSLATED}
        return cls(
            id=trial["id"],
            title=trial["title"],
            brief_title=trial.get("brief_title") or trial["title"],
            summary=trial.get("summary", ""),
            contact=trial.get("contact", ""),
            url=trial.get("url", ""),
            locations=tuple(Location(**loc) for loc in trial.get("locations") or ()),
            info={k: v for k, v in trial.items() if k not in known},
            translations=i18n.translations_of(trial),
            criteria=tuple(Criterion.from_dict(c, vocabulary) for c in data["criteria"]),
        )

    def to_dict(self) -> Dict[str, Any]:
        trial = {"id": self.id, "title": self.title, "brief_title": self.brief_title,
                 "summary": self.summary, "contact": self.contact, "url": self.url,
                 "locations": [loc.to_dict() for loc in self.locations], **self.info,
                 **{language: dict(wording) for language, wording in self.translations.items()}}
        return {"trial": trial, "criteria": [c.to_dict() for c in self.criteria]}

    def criterion(self, criterion_id: str) -> Optional[Criterion]:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def shown(self, name: str) -> Any:
        """What the trial says to patients (brief_title, summary, contact, interventions), in the active language."""
        english = getattr(self, name) if name in ("brief_title", "summary", "contact") else self.info.get(name)
        return i18n.translated(self.translations, name, english)

    @property
    def text_language(self) -> str:
        """The language the trial speaks to patients in this turn: the active one where it was given its
        wording (NCT05236582 in Chinese), else English, as registered (an imported trial)."""
        return i18n.active() if i18n.has_wording(self.translations) else i18n.ENGLISH

    @property
    def only_in_english(self) -> bool:
        """Whether what the trial says of itself is shown in English to someone talking in another language."""
        return self.text_language != i18n.active()

    @property
    def where(self) -> str:
        """Its places, in the active language."""
        return i18n.translated(self.translations, "where", "; ".join(str(loc) for loc in self.locations))
