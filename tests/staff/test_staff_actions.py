"""The Rasa actions choose the staff engine by the channel a message came from (Settings.staff_channels)."""
from __future__ import annotations

from typing import Any, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import screening as actions
from bot.conversation import State
from bot.store import TrialStore
from tests.conftest import PROJECT, SEED_TRIAL
from tests.contract import check_dispatched

EXAMPLE = "62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx"


@pytest.fixture(scope="module")
def trial_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('staff-actions') / 'trials.db'}"
    TrialStore(url).load_directory(PROJECT / "data")
    return url


@pytest.fixture(autouse=True)
def settings(trial_db, monkeypatch):
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", trial_db)
    monkeypatch.setenv("TRIALBOT_DEFAULT_TRIAL", SEED_TRIAL)
    monkeypatch.delenv("TRIALBOT_STAFF_CHANNELS", raising=False)
    for cached in (actions.screening, actions.staff_screening, actions.staff_channels):
        cached.cache_clear()
    yield monkeypatch
    for cached in (actions.screening, actions.staff_screening, actions.staff_channels):
        cached.cache_clear()


def tracker(text: str, channel: Optional[str], intent: str = "inform", **slots: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker("sender", dict(slots), latest, events, False, None, {}, "action_listen")


def run(action, tracker_):
    """The messages sent and the slots set (a new session's start, if any, under "followup")."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    check_dispatched(dispatcher.messages)
    return dispatcher.messages, {e["name"]: e["value"] if e["event"] == "slot" else e["event"] for e in events}


@pytest.mark.parametrize("channel", ["slack", "botframework"])
def test_staff_channels_get_the_checklist_without_consent_question(channel):
    messages, slots = run(actions.ActionScreen(), tracker(EXAMPLE, channel))
    [message] = messages
    assert "❌ I5 Platelet counts <30 ×10^9/L, and bleeding tendency" in message["text"]
    assert message["custom"]["checklist"][4]["number"] == "I5"
    assert slots["consent"] is True and slots["subject"] == "the patient"
    assert slots["facts"]["platelet_count"] == 22


@pytest.mark.parametrize("channel", ["rest", None])
def test_other_channels_keep_the_patient_conversation(channel):
    messages, slots = run(actions.ActionScreen(), tracker(EXAMPLE, channel))
    assert messages[-1]["custom"]["asks"] == ["consent"]
    assert not slots.get("facts")  # no health fact kept before consent


def test_start_over_in_a_staff_channel_is_a_new_patient():
    slots = {**State().to_slots(), "consent": True, "facts": {"age": 62}, "subject": "the patient"}
    messages, changed = run(actions.ActionStartOver(), tracker("new patient", "slack", intent="start_over", **slots))
    assert changed["facts"] == {}
    assert changed["action_session_start"] == "followup"  # a new Rasa session: the last patient's events are not loaded
    assert messages[0]["text"].startswith("New patient, NCT05236582")


@pytest.mark.parametrize("text", ["thanks, next pt", "thanks, next patient: 58M SCLC plt 40k"])
def test_small_talk_that_holds_a_staff_command_reaches_the_staff_engine(text):
    slots = {**State().to_slots(), "consent": True, "facts": {"age": 62, "bleeding_tendency": True}}
    messages, changed = run(actions.ActionSmallTalk(), tracker(text, "slack", intent="thanks", **slots))
    assert "bleeding_tendency" not in changed["facts"]
    text = messages[0]["text"]
    assert text.startswith("New patient, NCT05236582") or "\nRead: age: 58 y" in text


def test_small_talk_alone_in_a_staff_channel_gets_the_domain_reply():
    messages, changed = run(actions.ActionSmallTalk(), tracker("thanks", "slack", intent="thanks"))
    assert [m["response"] for m in messages] == ["utter_you_are_welcome"] and changed == {}


def test_show_facts_in_a_staff_channel_is_the_summary():
    slots = {**State().to_slots(), "consent": True, "facts": {"age": 62}}
    messages, _ = run(actions.ActionShowFacts(), tracker("summary", "botframework", intent="show_facts", **slots))
    assert messages[0]["text"].startswith("Patient summary, NCT05236582")


def test_the_staff_channels_are_configurable(settings):
    settings.setenv("TRIALBOT_STAFF_CHANNELS", "rest")
    messages, _ = run(actions.ActionScreen(), tracker(EXAMPLE, "rest"))
    assert "checklist" in messages[0]["custom"]
    messages, _ = run(actions.ActionScreen(), tracker(EXAMPLE, "slack"))
    assert messages[-1]["custom"]["asks"] == ["consent"]


def test_staff_small_talk_is_answered_in_the_language_of_the_message():
    messages, slots = run(actions.ActionSmallTalk(), tracker("谢谢", "slack", "thanks"))
    assert messages[0]["text"] and not messages[0]["text"].isascii()
    assert slots["language"] == "zh-CN"
    messages, slots = run(actions.ActionSmallTalk(), tracker("thanks", "slack", "thanks", language="zh-CN"))
    assert messages[0]["response"] == "utter_you_are_welcome" and slots["language"] == "en"
