"""Slack blocks and Teams cards (channels/formatting.py), within each app's limits, without Rasa."""
from __future__ import annotations

import json

import pytest

from bot.conversation import State, Turn
from bot.staff import StaffScreening
from channels.formatting import (SLACK_MAX_BLOCKS, SLACK_MAX_SECTION_CHARS, TEAMS_MAX_BYTES, slack_escape,
                                 slack_messages, teams_activities, teams_markdown, utf16_length)

EXAMPLE = "62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx"


@pytest.fixture
def checklist_reply(engine):
    return StaffScreening(engine).handle(State(), Turn(EXAMPLE)).replies[0]


def section_texts(messages):
    return [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"]


def assert_within_slack_limits(messages):
    for message in messages:
        assert 0 < len(message["blocks"]) <= SLACK_MAX_BLOCKS
        assert message["text"]
        for block in message["blocks"]:
            if block["type"] == "section":
                assert utf16_length(block["text"]["text"]) <= SLACK_MAX_SECTION_CHARS


def test_slack_checklist_has_every_line_escaped_and_within_limits(checklist_reply):
    messages = slack_messages(checklist_reply.text, checklist_reply.buttons, checklist_reply.custom)
    assert_within_slack_limits(messages)
    text = "\n".join(section_texts(messages))
    for item in checklist_reply.custom["checklist"]:
        assert slack_escape(item["line"]) in text
    assert "❌ I5 Platelet counts &lt;30 ×10^9/L, and bleeding tendency" in text
    assert "<30" not in text
    assert "*NCT05236582 · " in text  # the title in bold
    assert messages[0]["text"] == "❌ Not eligible: I5 not met."  # the notification
    assert text.index("Read: ") < text.index("✅ I1") < text.index("Missing: ")


def test_slack_splits_a_long_checklist_into_messages_of_50_blocks(checklist_reply):
    custom = dict(checklist_reply.custom)
    custom["checklist"] = [{**item, "line": f"{item['line']} " + "x" * 2500} for item in custom["checklist"] * 4]
    messages = slack_messages(checklist_reply.text, (), custom)
    assert len(messages) >= 2
    assert_within_slack_limits(messages)
    assert len(section_texts(messages)) >= len(custom["checklist"])
    assert messages[1]["text"].endswith("(continued)")


def test_slack_plain_text_and_buttons():
    [message] = slack_messages("Line <one> & two\nsecond line", [{"title": "Yes", "payload": "/affirm"}], None)
    assert message["blocks"][0]["text"]["text"] == "Line &lt;one&gt; &amp; two\nsecond line"
    assert message["blocks"][-1] == {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Yes"}, "value": "/affirm", "action_id": "button-0"}]}
    long_text = "\n".join(f"line {i} " + "y" * 200 for i in range(400))
    messages = slack_messages(long_text)
    assert_within_slack_limits(messages)
    assert slack_messages("") == []


def test_teams_checklist_is_an_adaptive_card_under_the_size_limit(checklist_reply):
    activities = teams_activities(checklist_reply.text, (), checklist_reply.custom)
    assert len(activities) == 1
    card = activities[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    for item in checklist_reply.custom["checklist"]:
        assert item["line"] in texts
    assert texts[1].startswith("NCT05236582 · ") and texts[2] == "❌ Not eligible: I5 not met."
    assert activities[0]["summary"] == "❌ Not eligible: I5 not met."
    assert len(json.dumps(activities[0], ensure_ascii=False).encode()) <= TEAMS_MAX_BYTES


def test_teams_splits_cards_that_would_be_too_large(checklist_reply):
    custom = dict(checklist_reply.custom)
    custom["checklist"] = [{**item, "line": item["line"] + " " + "z" * 3000} for item in custom["checklist"]]
    activities = teams_activities(None, (), custom)
    assert len(activities) > 1
    for activity in activities:
        assert len(json.dumps(activity, ensure_ascii=False).encode()) <= TEAMS_MAX_BYTES
    lines = [b["text"] for a in activities for b in a["attachments"][0]["content"]["body"]]
    assert sum(1 for line in lines if line.startswith(("✅", "❌", "❓", "🩺")) and "z" * 10 in line) == len(custom["checklist"])


def test_teams_text_is_markdown_with_buttons_as_im_back():
    [activity] = teams_activities("Hello\nThere\n- a\n- b", [{"title": "Yes", "payload": "/affirm"}])
    assert activity["text"] == "Hello\n\nThere\n\n- a\n- b" and activity["textFormat"] == "markdown"
    assert activity["attachments"][0]["content"]["buttons"] == [{"type": "imBack", "title": "Yes", "value": "/affirm"}]
    assert teams_markdown("1. a\n2. b\nc") == "1. a\n2. b\n\nc"
    big = teams_activities("\n".join("w" * 1000 for _ in range(100)))
    assert len(big) > 1 and all(len(json.dumps(a).encode()) <= TEAMS_MAX_BYTES for a in big)
