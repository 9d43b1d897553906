"""The twenty whole Chinese conversations of tests/e2e/profiles_zh.py, typed in words, through the
engine (bot.conversation, the words alone: no model), each to the verdict its answers lead to, with
the criteria behind it (how each is held: ``profiles_zh.converse``).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional

import pytest

from bot.conversation import State, Turn
from tests.e2e.profiles_zh import CONVERSATIONS, Conversation, check_verdict, converse

TODAY = date(2026, 12, 1)


def run(engine, conversation: Conversation) -> Dict[str, Any]:
    """The whole conversation; the verdict payload it ends with."""
    state, transcript = State(), []

    def say(text: str) -> List[Optional[Dict[str, Any]]]:
        nonlocal state
        intent = text[1:] if text.startswith("/") else None  # a button's payload, as Rasa reads it
        outcome = engine.respond(state, Turn(text, intent, None, "zh-CN"))
        state = outcome.state
        transcript.append((text, [r.text for r in outcome.replies]))
        return [r.custom for r in outcome.replies]

    return converse(conversation, say, lambda: str(transcript))


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.who for c in CONVERSATIONS])
def test_a_whole_chinese_conversation_reaches_the_verdict_its_answers_lead_to(conversation, engine):
    check_verdict(conversation, run(engine, conversation), lambda: "")
