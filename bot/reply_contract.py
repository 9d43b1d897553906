"""The reply contract: what a bot message's ``custom`` carries, built in one place.

Every client reads ``custom`` rather than the text: the website chat (its verdict card, its
buttons, forgetting a deleted conversation), the staff channels (Slack blocks and Teams cards from
the checklist), transcript review (questions, check-backs and corrections counted per
conversation). Each kind of reply has one builder here, and ``reply_contract.schema.json`` beside
this module describes them all; the tests validate every reply they receive against it, and
docs/reply-contract.md documents each of its properties.

Plain data in, plain data out: no wording is made here (texts are the callers'), so the contract
is the same in every language.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

from bot.evaluation import CriterionResult, TrialResult

SCHEMA_PATH = Path(__file__).with_name("reply_contract.schema.json")
ANSWER_TYPES = ("yes_no", "number", "duration", "date", "choice", "text")
READ_BACK = "read_back"  # what a read-back "asks": the facts it lists, confirmed with a yes
CONSENT = "consent"
# A staff checklist's fourth mark beside a criterion's met, not_met and unknown (bot.evaluation.Status):
# unknown, and settled by a clinician or the study team rather than by a fact about the patient
TO_CONFIRM = "to_confirm"


def schema() -> Dict[str, Any]:
    """The JSON Schema of one bot message as the REST channel sends it (``custom`` included)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# -- questions ----------------------------------------------------------------------------------
def question(asks: Sequence[str], answer_type: str, unit: Optional[str] = None,
             choices: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """A question: the facts it asks, how they are answered, the unit a number is in, the choices."""
    payload: Dict[str, Any] = {"asks": list(asks), "answer_type": answer_type, "unit": unit}
    if choices is not None:
        payload["choices"] = list(choices)
    return payload


def check_back(offered: Mapping[str, Any]) -> Dict[str, Any]:
    """A reading offered back for a yes or a no before anything is stored."""
    return {**question(list(offered), "yes_no"), "confirm": dict(offered)}


def closer_date(asked: Mapping[str, Any], held: Mapping[str, Any]) -> Dict[str, Any]:
    """A question asked again for a closer date than the range told, which is held, not stored, meanwhile."""
    return {**asked, "closer_than": dict(held)}


def read_back(deciding: Mapping[str, Any]) -> Dict[str, Any]:
    """Before a verdict: the facts that decided it, for the person to confirm."""
    return {**question([READ_BACK], "yes_no"), "read_back": dict(deciding)}


# -- marks on a reply ---------------------------------------------------------------------------
def not_understood() -> Dict[str, Any]:
    """An answer that could not be read (or a question left open after it)."""
    return {"not_understood": True}


def updated(keys: Sequence[str]) -> Dict[str, Any]:
    """A correction of facts already given."""
    return {"updated": list(keys)}


def handoff() -> Dict[str, Any]:
    """The answer to "can I talk to a real person?"."""
    return {"handoff": True}


def facts(known: Mapping[str, Any]) -> Dict[str, Any]:
    """What the bot has been told ("what have I told you?")."""
    return {"facts": dict(known)}


def deleted(**rest: Any) -> Dict[str, Any]:
    """Every answer erased: a client forgets its own copy too (the website chat its transcript and id)."""
    return {**rest, "deleted": True}


def refused(reason: str, **detail: Any) -> Dict[str, Any]:
    """A message the REST channel did not pass on: too_long (with ``limit``), bad_request (``field``), origin."""
    return {"refused": reason, **detail}


def not_answered() -> Dict[str, Any]:
    """A message the REST channel passed on that got no answer: a server the bot needs failed."""
    return {"failed": True}


# -- verdicts -----------------------------------------------------------------------------------
def criterion(result: CriterionResult) -> Dict[str, Any]:
    return {
        "id": result.criterion.id,
        "kind": result.criterion.kind.value,
        "status": result.status.value,
        "text": result.criterion.text,
        "explanation": result.explanation,
        **({"to_confirm_by": result.settled_by.value} if result.settled_by else {}),
    }


def verdict_of(result: TrialResult, criteria: Optional[Sequence[CriterionResult]] = None) -> Dict[str, Any]:
    """One trial's verdict with its criteria (all unless given) and how to take part (the web chat's card)."""
    trial = result.trial
    return {
        "trial_id": trial.id,
        "status": result.status.value,
        "criteria": [criterion(r) for r in (result.criteria if criteria is None else criteria)],
        "trial": {"title": trial.shown("brief_title"), "contact": trial.shown("contact"), "where": trial.where,
                  "url": trial.url, "language": trial.text_language},
    }


def verdict(result: TrialResult) -> Dict[str, Any]:
    """The verdict of one trial, criterion by criterion."""
    return {"verdict": verdict_of(result)}


def ranked_verdict(result: TrialResult, reason: str) -> Dict[str, Any]:
    """A trial in a ranking: its verdict with only the criteria that decided it, and why it sits there."""
    return {**verdict_of(result, result.deciding), "title": result.trial.shown("brief_title"), "reason": reason}


def ranking(ranked: Sequence[Dict[str, Any]], **staff: Any) -> Dict[str, Any]:
    """Several trials compared, best first (``ranked_verdict`` each); staff mode adds ``ruled_out``,
    ``missing`` and ``notes``."""
    return {"verdict": list(ranked), **staff}


# -- staff mode -----------------------------------------------------------------------------------
def missing_fact(key: str, label: str, answered_by: str, need: Optional[str] = None) -> Dict[str, Any]:
    """A fact staff mode still needs, and who answers it; ``need`` when a known period is too wide."""
    return {"fact": key, "label": label, "answered_by": answered_by, **({"need": need} if need else {})}


def missing(entries: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    return {"missing": list(entries)}


def checklist_item(criterion_id: str, number: str, kind: str, status: str, icon: str, text: str, detail: str,
                   line: str, to_confirm_by: Optional[str] = None) -> Dict[str, Any]:
    """One criterion as staff read it (``I5``, its mark, its short text and evidence, its line in full)."""
    payload = {"id": criterion_id, "number": number, "kind": kind, "status": status, "icon": icon, "text": text,
               "detail": detail, "line": line}
    if to_confirm_by:
        payload["to_confirm_by"] = to_confirm_by
    return payload


def checklist(result: TrialResult, items: Sequence[Dict[str, Any]], missing_entries: Sequence[Dict[str, Any]],
              notes: Sequence[str], title: str, headline: str, counts: str, draft: bool = False) -> Dict[str, Any]:
    """A staff checklist reply: the verdict, one item per criterion, what is missing, and how it is laid
    out; ``draft`` when the trial is not published (staff may screen a draft, patients may not)."""
    return {**verdict(result), "checklist": list(items), **missing(missing_entries), "notes": list(notes),
            "title": title, "headline": headline, "counts": counts, **({"draft": True} if draft else {})}


def summary(known: Mapping[str, Any], result: TrialResult) -> Dict[str, Any]:
    """Staff mode's summary: the facts so far and the verdict as it stands."""
    return {**facts(known), **verdict(result)}

