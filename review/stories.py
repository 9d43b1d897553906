""""Save as test": a reviewed conversation as a Rasa end-to-end test story.

Each user message becomes a step with its text and the intent it should have had (the model's,
or the reviewer's correction), followed by the actions the bot should have run (what it ran, or
the correction), and what the bot should have read from it: the ``facts`` slot after the turn
and the verdict it gave, as ``slot_was_set`` steps (the reading as recorded, or the reviewer's
correction). Button payloads (``/affirm``) become a bare ``intent:`` step. The text is masked:
stories go into the repository. The file is written under ``review_stories_dir``
(``tests/stories/reviewed/`` by default), where ``rasa test`` finds it beside the project's own
test stories.

``rasa test`` checks the intents and the actions, but not the slots: it predicts the actions
without running them, and applies a story's ``slot_was_set`` steps as given. ``replay`` checks
the readings and the verdicts: it sends the story's messages to the running bot through the REST
channel and compares the facts and the verdict of each turn with the story's.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import yaml

from review.masking import mask_text, mask_value
from review.store import VERDICTS
from review.transcript import Message

# Rasa's default actions may appear in a story without being declared in the domain.
DEFAULT_ACTIONS = {"action_listen", "action_restart", "action_session_start", "action_default_fallback",
                   "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
                   "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
                   "action_back", "action_extract_slots"}
DEFAULT_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}


@dataclass
class Domain:
    intents: Set[str]
    actions: Set[str]

    @classmethod
    def load(cls, path: Path) -> "Domain":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents = {i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or []}
        actions = set(data.get("actions") or []) | set((data.get("responses") or {}).keys())
        return cls(intents | DEFAULT_INTENTS, actions | DEFAULT_ACTIONS)


@dataclass
class Step:
    event_id: int
    text: str
    intent: str
    actions: List[str]
    include: bool = True
    original_intent: Optional[str] = None
    original_actions: List[str] = field(default_factory=list)
    reading: Dict[str, Any] = field(default_factory=dict)  # the facts read from the message (masked)
    cleared: bool = False  # the turn cleared the facts ("delete my answers", "start over")
    verdict: Optional[str] = None  # the verdict the turn gave
    original_reading: Dict[str, Any] = field(default_factory=dict)
    original_verdict: Optional[str] = None
    reading_error: Optional[str] = None  # the reviewer's reading is not a JSON object


def steps_from(messages: Sequence[Message]) -> List[Step]:
    """The conversation's turns as the bot handled them (masked text and readings)."""
    return [Step(m.event_id, mask_text(m.text or "") or "", m.intent or "", list(m.actions),
                 original_intent=m.intent, original_actions=list(m.actions), reading=mask_value(m.facts),
                 cleared=m.facts_cleared, verdict=m.verdict_status, original_reading=mask_value(m.facts),
                 original_verdict=m.verdict_status)
            for m in messages if m.kind == "user"]


def _reading(raw: Optional[str], recorded: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[str]]:
    """The reviewer's reading of a turn (a JSON object) or, without one, the recorded reading."""
    if raw is None:
        return dict(recorded), None
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return dict(recorded), 'give the facts read as a JSON object, e.g. {"age": 62}'
    return value, None


def apply_corrections(steps: Sequence[Step], form: Mapping[str, str]) -> List[Step]:
    """The reviewer's corrections from the form: ``intent_<id>``, ``actions_<id>``, ``text_<id>``,
    ``include_<id>`` (a checkbox: absent means the turn is left out)."""
    corrected = []
    for step in steps:
        key = str(step.event_id)
        actions = form.get(f"actions_{key}")
        reading, reading_error = _reading(form.get(f"reading_{key}"), step.reading)
        verdict = form.get(f"verdict_{key}")
        corrected.append(Step(
            step.event_id,
            (form.get(f"text_{key}") if form.get(f"text_{key}") is not None else step.text).strip(),
            (form.get(f"intent_{key}") or step.intent).strip(),
            [a for a in re.split(r"[\s,]+", actions) if a] if actions is not None else list(step.actions),
            include=form.get(f"include_{key}") is not None,
            original_intent=step.original_intent, original_actions=step.original_actions,
            reading=reading, cleared=step.cleared,
            verdict=(verdict.strip() or None) if verdict is not None else step.verdict,
            original_reading=step.original_reading, original_verdict=step.original_verdict,
            reading_error=reading_error))
    return corrected


def validate(steps: Sequence[Step], domain: Domain) -> List[str]:
    problems = []
    chosen = [s for s in steps if s.include]
    if not chosen:
        problems.append("Keep at least one turn.")
    for s in chosen:
        if s.intent not in domain.intents:
            problems.append(f"Turn {s.event_id}: {s.intent!r} is not an intent of the domain.")
        unknown = [a for a in s.actions if a not in domain.actions]
        if unknown:
            problems.append(f"Turn {s.event_id}: not actions of the domain: {', '.join(unknown)}.")
        if not s.actions:
            problems.append(f"Turn {s.event_id}: give at least one action.")
        if not s.text and not s.intent:
            problems.append(f"Turn {s.event_id}: empty.")
        if s.reading_error:
            problems.append(f"Turn {s.event_id}: {s.reading_error}.")
        if s.verdict is not None and s.verdict not in VERDICTS:
            problems.append(f"Turn {s.event_id}: {s.verdict!r} is not a verdict ({', '.join(VERDICTS)}).")
    return problems


def facts_after(steps: Sequence[Step]) -> List[Tuple[Dict[str, Any], bool]]:
    """For each step kept, the ``facts`` slot after it, and whether the turn changed it."""
    facts: Dict[str, Any] = {}
    after = []
    for step in steps:
        if not step.include:
            continue
        if step.cleared:
            facts = {}
        facts = {**facts, **step.reading}
        after.append((dict(facts), bool(step.reading or step.cleared)))
    return after


def story_yaml(name: str, steps: Sequence[Step], source: str) -> str:
    name = " ".join(name.split()) or "reviewed conversation"
    lines = ['version: "3.1"', "", f"# {' '.join(source.split())}", "stories:",
             f"  - story: {json.dumps(name, ensure_ascii=False)}", "    steps:"]
    kept = [step for step in steps if step.include]
    for step, (facts, changed) in zip(kept, facts_after(kept)):
        if step.text and not step.text.startswith("/"):
            lines.append("      - user: |")
            lines += [f"          {line}" for line in step.text.splitlines() or [""]]
            lines.append(f"        intent: {step.intent}")
        else:
            lines.append(f"      - intent: {step.intent}")
        lines += [f"      - action: {action}" for action in step.actions]
        slots = ([f"facts: {json.dumps(facts, ensure_ascii=False, sort_keys=True)}"] if changed else []) + \
            ([f"verdict: {step.verdict}"] if step.verdict else [])
        if slots:
            lines.append("      - slot_was_set:")
            lines += [f"          - {slot}" for slot in slots]
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # well-formed, or raise
    return text


def save(directory: Path, conversation_id: int, name: str, steps: Sequence[Step], user: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = directory / f"reviewed_{conversation_id}_{stamp}.yml"
    source = f"Saved from transcript review (conversation {conversation_id}) by {user} on {stamp} UTC."
    path.write_text(story_yaml(name, steps, source), encoding="utf-8")
    return path


def corrections(steps: Sequence[Step]) -> Dict[int, Dict[str, object]]:
    """What the reviewer changed, by turn (for the audit log)."""
    changed: Dict[int, Dict[str, object]] = {}
    for s in steps:
        diff: Dict[str, object] = {}
        if s.intent != s.original_intent:
            diff["intent"] = [s.original_intent, s.intent]
        if s.actions != s.original_actions:
            diff["actions"] = [s.original_actions, s.actions]
        if s.reading != s.original_reading:
            diff["reading"] = [s.original_reading, s.reading]  # masked
        if s.verdict != s.original_verdict:
            diff["verdict"] = [s.original_verdict, s.verdict]
        if not s.include:
            diff["left_out"] = True
        if diff:
            changed[s.event_id] = diff
    return changed


# -- replay: the readings and verdicts of a saved story, checked against the running bot -----------

_ABSENT = object()  # a fact not in the slot at all (None is "not known")


@dataclass
class Expected:
    """One turn of a saved story: the message to send, and the facts and verdict after it."""

    message: str
    facts: Dict[str, Any]
    verdict: Optional[str]


def expected_turns(story_text: str) -> List[List[Expected]]:
    """Each story of a file as its turns; a turn without ``slot_was_set`` keeps the values before it."""
    stories = []
    for story in (yaml.safe_load(story_text) or {}).get("stories") or []:
        turns: List[Expected] = []
        facts: Dict[str, Any] = {}
        verdict: Optional[str] = None
        for step in story.get("steps") or []:
            if "user" in step or "intent" in step:
                text = str(step.get("user") or "").strip()
                turns.append(Expected(text or f"/{step['intent']}", dict(facts), verdict))
            for slot in step.get("slot_was_set") or []:
                if isinstance(slot, dict) and turns:
                    facts = dict(slot["facts"]) if isinstance(slot.get("facts"), dict) else facts
                    verdict = slot.get("verdict", verdict)
                    turns[-1].facts, turns[-1].verdict = dict(facts), verdict
        stories.append(turns)
    return stories


def replay(turns: Sequence[Expected], send: Callable[[str], Any], transcript: Callable[[], Sequence[Message]]
           ) -> List[str]:
    """Sends each message (``send``), then compares the facts and the verdict after each turn in
    the bot's transcript (``transcript``: the conversation's messages, from the tracker store)
    with the story's. Returns what differs; [] when the bot still reads the story as recorded."""
    for turn in turns:
        send(turn.message)
    steps = steps_from(transcript())
    if len(steps) != len(turns):
        return [f"{len(turns)} messages sent, {len(steps)} in the conversation"]
    problems, verdict = [], None
    for number, (turn, step, (facts, _)) in enumerate(zip(turns, steps, facts_after(steps)), start=1):
        verdict = step.verdict or verdict
        if facts != turn.facts:
            changed = sorted(k for k in set(facts) | set(turn.facts) if facts.get(k, _ABSENT) != turn.facts.get(k, _ABSENT))
            problems.append(f"turn {number} ({turn.message[:60]!r}): facts " + "; ".join(
                f"{k}: {json.dumps(turn.facts.get(k), ensure_ascii=False)} expected, "
                f"{json.dumps(facts.get(k), ensure_ascii=False)} read" for k in changed))
        if verdict != turn.verdict:
            problems.append(f"turn {number} ({turn.message[:60]!r}): verdict {turn.verdict} expected, {verdict} given")
    return problems
