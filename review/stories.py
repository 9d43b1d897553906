""""Save as test": a reviewed conversation as a Rasa end-to-end test story.

Each user message becomes a step with its text and the intent it should have had (the model's,
or the reviewer's correction), followed by the actions the bot should have run (what it ran, or
the correction). Button payloads (``/affirm``) become a bare ``intent:`` step. The text is
masked: stories go into the repository. The file is written under ``review_stories_dir``
(``tests/stories/reviewed/`` by default), where ``rasa test`` finds it beside the project's own
test stories.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Set

import yaml

from review.masking import mask_text
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


def steps_from(messages: Sequence[Message]) -> List[Step]:
    """The conversation's turns as the bot handled them (masked text)."""
    return [Step(m.event_id, mask_text(m.text or "") or "", m.intent or "", list(m.actions),
                 original_intent=m.intent, original_actions=list(m.actions))
            for m in messages if m.kind == "user"]


def apply_corrections(steps: Sequence[Step], form: Mapping[str, str]) -> List[Step]:
    """The reviewer's corrections from the form: ``intent_<id>``, ``actions_<id>``, ``text_<id>``,
    ``include_<id>`` (a checkbox: absent means the turn is left out)."""
    corrected = []
    for step in steps:
        key = str(step.event_id)
        actions = form.get(f"actions_{key}")
        corrected.append(Step(
            step.event_id,
            (form.get(f"text_{key}") if form.get(f"text_{key}") is not None else step.text).strip(),
            (form.get(f"intent_{key}") or step.intent).strip(),
            [a for a in re.split(r"[\s,]+", actions) if a] if actions is not None else list(step.actions),
            include=form.get(f"include_{key}") is not None,
            original_intent=step.original_intent, original_actions=step.original_actions))
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
    return problems


def story_yaml(name: str, steps: Sequence[Step], source: str) -> str:
    name = " ".join(name.split()) or "reviewed conversation"
    lines = ['version: "3.1"', "", f"# {' '.join(source.split())}", "stories:",
             f"  - story: {json.dumps(name, ensure_ascii=False)}", "    steps:"]
    for step in steps:
        if not step.include:
            continue
        if step.text and not step.text.startswith("/"):
            lines.append("      - user: |")
            lines += [f"          {line}" for line in step.text.splitlines() or [""]]
            lines.append(f"        intent: {step.intent}")
        else:
            lines.append(f"      - intent: {step.intent}")
        lines += [f"      - action: {action}" for action in step.actions]
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
        if not s.include:
            diff["left_out"] = True
        if diff:
            changed[s.event_id] = diff
    return changed
