"""Slack blocks and Teams cards (channels/formatting.py), within each app's limits, without Rasa
(and posted to a fake Bot Connector)."""
from __future__ import annotations

import asyncio
import json

import pytest

from bot.conversation import State, Turn
from bot.staff import StaffScreening
from channels.formatting import (SLACK_MAX_BLOCKS, SLACK_MAX_SECTION_CHARS, TEAMS_MAX_BYTES, TEAMS_MAX_CARDS,
                                 TEAMS_MAX_HERO_BUTTONS, slack_escape, slack_messages, teams_activities, teams_markdown,
                                 utf16_length)
from channels.teams import TeamsReplies
from tests.staff.fakes import FakeBotFramework

EXAMPLE = "62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx"


@pytest.fixture
def checklist_reply(engine):
    return StaffScreening(engine).handle(State(), Turn(EXAMPLE)).replies[0]


def section_texts(messages):
    return [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"]


def block_texts(messages):
    """The text of every section and context block, in order."""
    texts = []
    for message in messages:
        for block in message["blocks"]:
            if block["type"] == "section":
                texts.append(block["text"]["text"])
            elif block["type"] == "context":
                texts += [element["text"] for element in block["elements"]]
    return texts


def assert_within_slack_limits(messages):
    for message in messages:
        assert 0 < len(message["blocks"]) <= SLACK_MAX_BLOCKS
        assert message["text"]
        for block in message["blocks"]:
            if block["type"] == "section":
                assert utf16_length(block["text"]["text"]) <= SLACK_MAX_SECTION_CHARS


def test_slack_checklist_shows_what_decides_first_escaped_and_within_limits(checklist_reply):
    messages = slack_messages(checklist_reply.text, checklist_reply.buttons, checklist_reply.custom)
    assert_within_slack_limits(messages)
    text = "\n".join(block_texts(messages))
    assert text == slack_escape(checklist_reply.text).replace("❌ Not eligible: I5 not met.", "*❌ Not eligible: I5 not met.*", 1)
    assert text.startswith("*❌ Not eligible: I5 not met.*\nNCT05236582 · ")  # the headline first, in bold
    assert "❌ I5 Platelet counts &lt;30 ×10^9/L, and bleeding tendency — platelet count: 22 ×10⁹/L" in text
    assert "<30" not in text
    assert messages[0]["text"] == "❌ Not eligible: I5 not met."  # the notification
    assert text.index("❌ I5") < text.index("✅ 2 met (I1, I2)") < text.index("❓ Patient: CIT;") \
        < text.index("🩺 Clinician: ") < text.index("🩺 Study team: E2, E15 at screening.") < text.index("Read: ")
    assert "✅ I1" not in text  # the settled criteria by number; their lines are the summary's


def test_slack_splits_a_long_checklist_into_messages_of_50_blocks(checklist_reply):
    custom = dict(checklist_reply.custom)
    custom["checklist"] = [{**item, "status": "not_met", "line": f"{item['line']} " + "x" * 2500}
                           for item in custom["checklist"] * 4]
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


def test_teams_checklist_is_an_adaptive_card_in_the_order_of_the_text(checklist_reply):
    activities = teams_activities(checklist_reply.text, (), checklist_reply.custom)
    assert len(activities) == 1
    card = activities[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts == checklist_reply.text.splitlines()  # one TextBlock a line, in the same order
    assert texts[0] == "❌ Not eligible: I5 not met." and texts[1].startswith("NCT05236582 · ")
    assert activities[0]["summary"] == "❌ Not eligible: I5 not met."
    assert len(json.dumps(activities[0], ensure_ascii=False).encode()) <= TEAMS_MAX_BYTES


def test_teams_splits_cards_that_would_be_too_large(checklist_reply):
    custom = dict(checklist_reply.custom)
    custom["checklist"] = [{**item, "status": "not_met", "line": item["line"] + " " + "z" * 3000}
                           for item in custom["checklist"]]
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


def hero_buttons(activities):
    """Every hero card's buttons, in order, checked against Teams' limits on the way."""
    found = []
    for activity in activities:
        cards = [a for a in activity.get("attachments", []) if a["contentType"] == "application/vnd.microsoft.card.hero"]
        assert len(cards) <= TEAMS_MAX_CARDS
        assert len(json.dumps(activity, ensure_ascii=False).encode()) <= TEAMS_MAX_BYTES
        for card in cards:
            assert 0 < len(card["content"]["buttons"]) <= TEAMS_MAX_HERO_BUTTONS
            found += card["content"]["buttons"]
    return found


@pytest.mark.parametrize("count", [6, 7, 13, 61])
def test_teams_sends_every_choice_six_buttons_a_card(count):
    """Teams shows at most 6 buttons on a hero card and drops the rest: more choices take more cards,
    in order, under the text (10 cards a message)."""
    buttons = [{"title": f"Choice {i}", "payload": f"/choose{{\"n\": {i}}}"} for i in range(count)]
    activities = teams_activities("Which one?", buttons)
    assert [(b["title"], b["value"]) for b in hero_buttons(activities)] == [(b["title"], b["payload"]) for b in buttons]
    assert activities[0]["text"] == "Which one?"
    cards = -(-count // TEAMS_MAX_HERO_BUTTONS)
    assert len(activities) == -(-cards // TEAMS_MAX_CARDS)


def test_teams_choices_with_long_labels_stay_under_the_size_limit():
    buttons = [{"title": f"{i} " + "label " * 40, "payload": f"/choose{i} " + "p" * 300} for i in range(40)]
    activities = teams_activities("Which one?\n" + "context " * 500, buttons)
    assert len(activities) > 1
    assert [b["value"] for b in hero_buttons(activities)] == [b["payload"] for b in buttons]


def test_teams_choices_after_a_checklist_come_in_a_message_of_their_own(checklist_reply):
    buttons = [{"title": str(i), "payload": f"/n{i}"} for i in range(8)]
    activities = teams_activities(checklist_reply.text, buttons, checklist_reply.custom)
    assert activities[0]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert [b["value"] for b in hero_buttons(activities[1:])] == [b["payload"] for b in buttons]


def test_teams_replies_post_every_choice_to_the_connector():
    """Through the real connector client to the fake Bot Framework: the 8 choices arrive, 6 and 2."""
    with FakeBotFramework("app-id", "app-secret") as teams:
        replies = TeamsReplies("app-id", "app-secret", {"id": "19:choices"}, {"id": "28:bot"}, teams.service_url,
                               teams.token_url, user={"id": "29:nurse"})
        buttons = [{"title": f"Trial {i}", "payload": f"NCT0000000{i}"} for i in range(8)]
        asyncio.run(replies.send_text_with_buttons("29:nurse", "Which trial?", buttons))
        [activity] = teams.wait_for_replies("19:choices", 1)
    assert activity["text"] == "Which trial?"
    assert [len(card["content"]["buttons"]) for card in activity["attachments"]] == [6, 2]
    assert [b["value"] for b in hero_buttons([activity])] == [b["payload"] for b in buttons]
