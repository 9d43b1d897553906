"""Bot messages formatted for Slack (Block Kit) and Microsoft Teams (Adaptive Cards, markdown).

Pure functions, no Rasa and no network: a bot message (``text``, ``buttons``, ``custom`` as the actions
send them, see the README's reply contract) in, the payloads to post out, each within the app's
limits. A staff checklist (``custom["checklist"]``, from ``bot/staff.py``) is laid out as its text is
(``bot/staff_layout.py``): the headline, the trial, what decides, the criteria settled, what is open
by who answers it, the notes; any other message is its text, in as many blocks (or messages) as its
size needs.

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

from bot.staff_layout import layout

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


def _context(text: str) -> Dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _truncate(slack_escape(text), SLACK_MAX_SECTION_CHARS)}]}


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
        parts = layout(staff)
        blocks += _slack_sections([parts.headline], bold_first=True)
        blocks.append(_context(parts.title))
        blocks += _slack_sections(parts.deciding)
        blocks.append(_context(parts.settled))
        if parts.open:
            blocks += _slack_sections(parts.open)
        if parts.notes:
            blocks.append({"type": "divider"})
            blocks += _slack_sections(parts.notes)
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
        parts = layout(staff)
        body: List[Dict[str, Any]] = [_text_block(parts.headline, weight="Bolder", size="Medium"),
                                      _text_block(parts.title, isSubtle=True)]
        body += [_text_block(line, spacing="Small") for line in parts.deciding]
        body.append(_text_block(parts.settled, isSubtle=True, spacing="Small"))
        body += [_text_block(line, spacing="Medium" if i == 0 else "Small") for i, line in enumerate(parts.open)]
        body += [_text_block(note, isSubtle=True, spacing="Medium" if i == 0 else "None")
                 for i, note in enumerate(parts.notes)]
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
