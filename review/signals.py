"""What a person's words say about the conversation: asked for a human, or frustrated.

Plain patterns over the user's messages (the NLU has no intents for these yet; if intents named in
``HUMAN_INTENTS`` / ``FRUSTRATION_INTENTS`` are added to the domain, they count too).
"""
from __future__ import annotations

import re
from typing import Optional

HUMAN_INTENTS = {"request_human", "human_handoff", "talk_to_human", "contact_me"}
FRUSTRATION_INTENTS = {"frustrated", "complain", "insult"}

_HUMAN_RE = re.compile(
    r"\b(?:real|actual|live)\s+(?:person|human|people|nurse|doctor)"
    r"|\bhuman\s+(?:being|please|agent)|\b(?:a|to|with)\s+human\b|^\W*(?:human|agent|person|operator)\W*$"
    r"|\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+)?(?:someone|somebody|person|agent|operator|nurse|"
    r"staff|study\s+team|research\s+team|coordinator|representative|investigator|real)"
    r"|\b(?:operator|representative|customer\s+service)\b"
    r"|\b(?:call|phone|ring|contact|email|e-mail)\s+me\b(?!\s+(?-i:[A-Z]))"
    r"|\bcan\s+(?:someone|somebody)\s+(?:call|contact|help)"
    r"|\b(?:get|put)\s+me\s+(?:through\s+)?to\s+(?:someone|a\s+person|the\s+team)",
    re.IGNORECASE)
_FRUSTRATION_RE = re.compile(
    r"\b(?:useless|stupid|dumb|idiot\w*|ridiculous|pointless|annoy\w*|frustrat\w*|terrible|awful|rubbish|"
    r"waste\s+of\s+(?:my\s+)?time|not\s+helpful|unhelpful|makes?\s+no\s+sense|"
    r"(?:doesn'?t|don'?t|do\s+not|does\s+not|can'?t|cannot)\s+understand\s+(?:me|anything|what\s+i)|"
    r"you'?re\s+not\s+(?:listening|understanding|helping)|you\s+are\s+not\s+(?:listening|understanding|helping)|"
    r"(?:i\s+)?already\s+(?:told|said|answered)|i\s+(?:just\s+)?told\s+you|stop\s+asking|"
    r"wtf|ffs|damn|hate\s+(?:this|you|it)|give\s+up|fed\s+up|sick\s+of)\b"
    r"|[!?]{3,}",
    re.IGNORECASE)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and all(c.isupper() for c in letters)


def asks_for_human(text: Optional[str], intent: Optional[str] = None) -> bool:
    return intent in HUMAN_INTENTS or bool(text and _HUMAN_RE.search(text))


def sounds_frustrated(text: Optional[str], intent: Optional[str] = None) -> bool:
    return intent in FRUSTRATION_INTENTS or bool(text and (_FRUSTRATION_RE.search(text) or _shouting(text)))
