"""The twenty whole Chinese conversations of tests/e2e/profiles_zh.py, typed in words, through the
engine (bot.conversation, the words alone: no model), each to the verdict its answers lead to, with
the criteria behind it.

Every question is answered from the profile in the person's own words; a bundled list gets "有" when
the profile says yes to any of its items (then each item is asked on its own), "没有" when to none; a
check-back of the profile's own words is confirmed, as the person would.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List

import pytest

from bot.conversation import Reply, State, Turn
from tests.e2e.profiles_zh import BUNDLE_NO, BUNDLE_YES, CONVERSATIONS, DONT_KNOW, Conversation

TODAY = date(2026, 12, 1)


def bundle_answer(conversation: Conversation, asks: List[str]) -> str:
    meanings = [conversation.meaning.get(k) for k in asks]
    if any(m is True for m in meanings):
        return BUNDLE_YES
    return BUNDLE_NO if all(m is False for m in meanings) else DONT_KNOW


def run(engine, conversation: Conversation) -> Dict[str, Any]:
    """The whole conversation; the verdict payload it ends with."""
    state, log = State(), []

    def say(text: str) -> List[Reply]:
        nonlocal state
        intent = text[1:] if text.startswith("/") else None  # a button's payload, as Rasa reads it
        outcome = engine.respond(state, Turn(text, intent, None, "zh-CN"))
        state = outcome.state
        log.append((text, [r.text for r in outcome.replies]))
        return outcome.replies

    replies = say("你好")
    replies = say("好的，开始吧")
    for message in conversation.volunteered:
        replies = say(message)
    answered = set(conversation.given)
    corrected = set()
    for _ in range(80):
        verdicts = [r.custom["verdict"] for r in replies if r.custom and "verdict" in r.custom]
        if verdicts:  # a decided "not eligible" is followed by the offer of the remaining questions
            return verdicts[-1]
        custom = replies[-1].custom or {}
        assert "asks" in custom, f"neither a question nor a verdict\n{log}"
        if "read_back" in custom or "confirm" in custom:
            replies = say("/affirm")
            continue
        asks = list(custom["asks"])
        if len(asks) > 1:
            said = bundle_answer(conversation, asks)
            replies = say(said)
            if said != BUNDLE_YES:  # a "yes" to the list brings its items one by one
                answered.update(asks)
            continue
        key = asks[0]
        assert key not in answered or key in conversation.corrections, f"{key} asked again\n{log}"
        assert key not in conversation.never_asked, f"{key} must not be asked\n{log}"
        replies = say(conversation.answers[key])
        answered.add(key)
        if key in conversation.corrections and key not in corrected:
            corrected.add(key)
            replies = say(conversation.corrections[key])
    raise AssertionError(f"no verdict after 80 turns\n{log}")


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.who for c in CONVERSATIONS])
def test_a_whole_chinese_conversation_reaches_the_verdict_its_answers_lead_to(conversation, engine):
    verdict = run(engine, conversation)
    status = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert verdict["status"] == conversation.verdict, status
    assert sorted(k for k, s in status.items() if s == "not_met") == sorted(conversation.not_met)
    assert all(status[k] == "unknown" for k in conversation.unknown)
