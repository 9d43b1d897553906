"""Bot messages formatted for Slack (Block Kit) and Microsoft Teams (Adaptive Cards, markdown).

Pure functions, no Rasa and no network: a bot message (``text``, ``buttons``, ``custom`` as the actions
send them, see the README's reply contract) in, the payloads to post out, each within the app's
limits. A staff checklist (``custom["checklist"]``, from ``bot/staff.py``) is laid out as a title,
a headline, one line per criterion and what is missing; any other message is its text, in as many
blocks (or messages) as its size needs.

Slack (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks per message, 3000
characters per section text, 25 elements per actions block, 75 characters per button label; text
in ``mrkdwn`` with ``&``, ``<`` and ``>`` escaped. The top-level ``text`` is the notification
fallback.

Teams (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages):
a message, card included, must stay under about 28 KB; ``MAX_TEAMS_BYTES`` keeps a margin. Text
messages use ``textFormat: markdown``; a checklist is an Adaptive Card (1.4) with one TextBlock
per line; buttons are ``imBack`` actions, which send their payload back as the user's message, on
hero cards (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference):
at most 6 buttons per card (Teams does not show the rest) and 10 cards per message, so
more choices take more cards, in order, and more messages if need be: every choice stays one click
away. (Not the overflow as text to type: a payload such as ``/dont_know`` is not something to type.)
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION_CHARS = 3000
SLACK_MAX_FALLBACK_CHARS = 3000
SLACK_MAX_BUTTONS = 25
SLACK_MAX_BUTTON_LABEL = 75
TEAMS_MAX_BYTES = 24 * 1024  # under Teams' ~28 KB per message, with room for the activity's envelope
TEAMS_CARD_VERSION = "1.4"
TEAMS_MAX_HERO_BUTTONS = 6
TEAMS_MAX_CARDS = 10

Message = Dict[str, Any]


# -- shared ------------------------------------------------------------------------------------
def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def utf16_length(text: str) -> int:
    """Length as Slack counts it (UTF-16 code units: an emoji such as 🩺 counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def pack_lines(lines: Iterable[str], limit: int, separator: str = "\n",
               measure: Callable[[str], int] = len) -> List[str]:
    """Lines joined into chunks of at most ``limit`` (as ``measure`` counts); a longer line is cut."""
    chunks: List[str] = []
    current = ""
    for line in lines:
        if measure(line) > limit:
            line = line[:limit]
            while line and measure(line + "…") > limit:
                line = line[:-1]
            line += "…"
        candidate = f"{current}{separator}{line}" if current else line
        if measure(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _lines(text: str) -> List[str]:
    return (text or "").strip().split("\n")


def _checklist(custom: Optional[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    if isinstance(custom, Mapping) and isinstance(custom.get("checklist"), list):
        return custom
    return None


def _missing_lines(custom: Mapping[str, Any]) -> List[str]:
    missing = custom.get("missing") or []
    patient = [m["label"] for m in missing if m.get("answered_by") == "patient"]
    clinical = [m["label"] for m in missing if m.get("answered_by") != "patient"]
    lines = []
    if patient:
        lines.append(("Missing", "; ".join(patient)))
    if clinical:
        lines.append(("Clinical data to confirm", "; ".join(clinical)))
    return [f"{name}: {labels}." for name, labels in lines]


# -- Slack -------------------------------------------------------------------------------------
def slack_escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> Dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _slack_sections(lines: Sequence[str], bold_first: bool = False) -> List[Dict[str, Any]]:
    escaped = [slack_escape(line) for line in lines]
    if bold_first and escaped:
        escaped[0] = f"*{escaped[0]}*"
    return [_section(chunk) for chunk in pack_lines(escaped, SLACK_MAX_SECTION_CHARS, measure=utf16_length)]


def _slack_buttons(buttons: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    elements = [{"type": "button", "text": {"type": "plain_text", "text": _truncate(str(b.get("title", "")), SLACK_MAX_BUTTON_LABEL)},
                 "value": str(b.get("payload", ""))[:2000], "action_id": f"button-{i}"}
                for i, b in enumerate(buttons[:SLACK_MAX_BUTTONS])]
    return [{"type": "actions", "elements": elements}] if elements else []


def slack_messages(text: Optional[str], buttons: Sequence[Mapping[str, Any]] = (),
                   custom: Optional[Mapping[str, Any]] = None) -> List[Message]:
    """The ``chat.postMessage`` arguments (``text`` and ``blocks``) for one bot message."""
    staff = _checklist(custom)
    blocks: List[Dict[str, Any]] = []
    if staff is not None:
        notes = [str(n) for n in staff.get("notes") or []]
        if notes:
            blocks += _slack_sections(notes)
        blocks += _slack_sections([str(staff.get("title", "")), str(staff.get("headline", ""))], bold_first=True)
        if staff.get("counts"):
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(str(staff["counts"]))}]})
        blocks += _slack_sections([str(item.get("line", "")) for item in staff["checklist"]])
        missing = _missing_lines(staff)
        if missing:
            blocks.append({"type": "divider"})
            blocks += _slack_sections(missing)
        fallback = str(staff.get("headline") or text or "")
    else:
        blocks += _slack_sections(_lines(text or ""))
        fallback = text or ""
    blocks += _slack_buttons(buttons or ())
    fallback = _truncate(fallback, SLACK_MAX_FALLBACK_CHARS)
    if not blocks:
        return []
    messages = []
    for start in range(0, len(blocks), SLACK_MAX_BLOCKS):
        part = blocks[start:start + SLACK_MAX_BLOCKS]
        messages.append({"text": fallback if start == 0 else _truncate(f"{fallback} (continued)", SLACK_MAX_FALLBACK_CHARS),
                         "blocks": part})
    return messages


# -- Microsoft Teams ---------------------------------------------------------------------------
def _size(payload: Any) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+\.)\s")


def teams_markdown(text: str) -> str:
    """Text as Teams renders it: a line break needs an empty line, except between list items."""
    lines = (text or "").split("\n")
    out = lines[:1]
    for previous, line in zip(lines, lines[1:]):
        out.append(("\n" if LIST_ITEM.match(previous) and LIST_ITEM.match(line) else "\n\n") + line)
    return "".join(out)


def _text_block(text: str, **style: Any) -> Dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": style.pop("spacing", "None"), **style}


def _card(body: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "version": TEAMS_CARD_VERSION, "body": body, "msteams": {"width": "Full"}}}


def _split_cards(body: List[Dict[str, Any]], summary: str) -> List[Message]:
    """Adaptive Cards of at most TEAMS_MAX_BYTES each, in order."""
    activities: List[Message] = []
    current: List[Dict[str, Any]] = []
    for element in body:
        if current and _size({"attachments": [_card(current + [element])], "summary": summary}) > TEAMS_MAX_BYTES:
            activities.append({"summary": summary, "attachments": [_card(current)]})
            current = []
        if _size({"attachments": [_card([element])]}) > TEAMS_MAX_BYTES:
            element = {**element, "text": _truncate(element.get("text", ""), TEAMS_MAX_BYTES // 4)}
        current.append(element)
    if current:
        activities.append({"summary": summary, "attachments": [_card(current)]})
    return activities


def teams_activities(text: Optional[str], buttons: Sequence[Mapping[str, Any]] = (),
                     custom: Optional[Mapping[str, Any]] = None) -> List[Message]:
    """The parts of the Bot Framework activities (``text`` or ``attachments``) for one bot message."""
    staff = _checklist(custom)
    if staff is not None:
        body: List[Dict[str, Any]] = [_text_block(str(n), isSubtle=True) for n in staff.get("notes") or []]
        body.append(_text_block(str(staff.get("title", "")), weight="Bolder", size="Medium", spacing="Medium"))
        body.append(_text_block(str(staff.get("headline", "")), weight="Bolder"))
        if staff.get("counts"):
            body.append(_text_block(str(staff["counts"]), isSubtle=True))
        body += [_text_block(str(item.get("line", ""))) for item in staff["checklist"]]
        body += [_text_block(line, spacing="Medium") for line in _missing_lines(staff)]
        activities = _split_cards(body, summary=_truncate(str(staff.get("headline", "")), 200))
    else:
        activities = []
        for chunk in pack_lines(_lines(text or ""), TEAMS_MAX_BYTES // 4):
            activities.append({"text": teams_markdown(chunk), "textFormat": "markdown"})
    if buttons:
        actions = [{"type": "imBack", "title": str(b.get("title", "")), "value": str(b.get("payload", ""))}
                   for b in buttons]
        heroes = [{"contentType": "application/vnd.microsoft.card.hero",
                   "content": {"buttons": actions[start:start + TEAMS_MAX_HERO_BUTTONS]}}
                  for start in range(0, len(actions), TEAMS_MAX_HERO_BUTTONS)]
        activities = _with_cards(activities, heroes)
    return activities


def _with_cards(activities: List[Message], cards: List[Dict[str, Any]]) -> List[Message]:
    """``cards`` on the last text message, then on messages of their own: at most TEAMS_MAX_CARDS and
    TEAMS_MAX_BYTES per message."""
    if activities and "attachments" not in activities[-1]:
        done, current = activities[:-1], activities[-1]
    else:
        done, current = list(activities), {}
    for card in cards:
        attached = current.get("attachments", [])
        grown = {**current, "attachments": attached + [card]}
        if current and (len(attached) == TEAMS_MAX_CARDS or _size(grown) > TEAMS_MAX_BYTES):
            done.append(current)
            grown = {"attachments": [card]}
        current = grown
    return done + [current]
