"""The Rasa actions in actions/screening.py, run directly (in the style of RasaHQ/financial-demo).

Each test builds a rasa_sdk ``Tracker`` (sender, slots, latest message with text and intent), runs
one action with a ``CollectingDispatcher`` and checks the messages it sends (text, buttons, custom)
and the ``SlotSet`` events it returns. The actions read the trials from TRIALBOT_DATABASE_URL,
pointed here at a throw-away SQLite database.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import screening as actions
from actions import sessions
from bot import texts, texts_zh
from bot.conversation import MAX_MESSAGE_LENGTH, State
from bot.store import TrialStore
from tests.conftest import PROJECT, SEED_TRIAL
from tests.contract import check_dispatched

PLATELET_QUESTION = {"asks": ["platelet_count"], "answer_type": "number", "unit": "10^9/L"}
# Every slot of a consented conversation whose open question is the platelet count.
CONSENTED = {**State().to_slots(), "consent": True, "pending": ["platelet_count"]}


@pytest.fixture(scope="module")
def trial_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'trials.db'}"
    TrialStore(url).load_directory(PROJECT / "data")
    return url


@pytest.fixture(autouse=True)
def trial_database(trial_db, monkeypatch):
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", trial_db)
    monkeypatch.setenv("TRIALBOT_DEFAULT_TRIAL", SEED_TRIAL)
    actions.screening.cache_clear()
    yield
    actions.screening.cache_clear()


def tracker(text: str = "", intent: Optional[str] = None, sender: str = "unit-test",
            **slots: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": [], "intent_ranking": []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, dict(slots), latest, events, False, None, {}, "action_listen")


def run(action, tracker_: Tracker, language: str = "en"):
    """The action's messages, each checked to say the conversation's language (then left out), and its events."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    for message in dispatcher.messages:
        assert message["custom"].pop("language") == language, message
    check_dispatched(dispatcher.messages)
    return dispatcher.messages, events


def slot_sets(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    assert all(e["event"] == "slot" for e in events), events
    return {e["name"]: e["value"] for e in events}


def verdict_of(messages) -> Dict[str, Any]:
    found = [m["custom"]["verdict"] for m in messages if "verdict" in m["custom"]]
    assert len(found) == 1, messages
    return found[0]


def not_met(verdict) -> List[str]:
    return [c["id"] for c in verdict["criteria"] if c["status"] == "not_met"]


# -- the registry ---------------------------------------------------------------------------------

def test_every_action_of_the_domain_is_implemented_with_its_name():
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
    executor = ActionExecutor()  # as the action server finds them
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])
    assert set(State.slot_names()) == set(domain["slots"])


# -- action_screen ----------------------------------------------------------------------------------

def test_a_greeting_asks_for_consent_first():
    messages, events = run(actions.ActionScreen(), tracker("hi", "greet"))
    assert len(messages) == 1
    welcome = messages[0]
    assert SEED_TRIAL in welcome["text"] and "Shall we start?" in welcome["text"]
    assert welcome["buttons"] == [dict(b) for b in texts.CONSENT_BUTTONS]
    assert welcome["custom"] == {"asks": ["consent"], "answer_type": "yes_no", "unit": None}
    slots = slot_sets(events)
    assert slots["offer"] == "consent"
    assert "consent" not in slots  # nothing is kept before consent
    assert slots["facts"] == {}


def test_consent_starts_the_questions():
    messages, events = run(actions.ActionScreen(), tracker("/affirm", "affirm", offer="consent"))
    assert [m["text"] for m in messages][0] == texts.CONSENT_GIVEN
    question = messages[-1]
    assert question["custom"] == PLATELET_QUESTION
    assert question["buttons"] == [{"title": "I don't know", "payload": "/dont_know"}]
    slots = slot_sets(events)
    assert slots["consent"] is True and slots["offer"] is None and slots["pending"] == ["platelet_count"]


def test_declining_consent_keeps_nothing_and_asks_nothing():
    messages, events = run(actions.ActionScreen(), tracker("no thanks", "deny", offer="consent"))
    assert len(messages) == 1 and "won't ask or keep any health details" in messages[0]["text"]
    assert messages[0]["custom"] == {}
    slots = slot_sets(events)
    assert slots["consent"] is False and slots["facts"] == {} and not slots.get("pending")


def test_an_answer_to_the_open_question_is_stored_and_the_next_question_asked():
    messages, events = run(actions.ActionScreen(), tracker("22k", "inform", **CONSENTED))
    assert len(messages) == 1
    assert messages[0]["custom"] == {"asks": ["bleeding_tendency"], "answer_type": "yes_no", "unit": None}
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny", "/dont_know"]
    slots = slot_sets(events)
    assert slots == {"facts": {"platelet_count": 22.0}, "pending": ["bleeding_tendency"],
                     "last_asked": ["platelet_count"]}


def test_a_yes_no_intent_answers_a_yes_no_question():
    state = {**CONSENTED, "facts": {"platelet_count": 22.0}, "pending": ["bleeding_tendency"]}
    _, events = run(actions.ActionScreen(), tracker("/affirm", "affirm", **state))
    assert slot_sets(events)["facts"] == {"platelet_count": 22.0, "bleeding_tendency": True}


def test_i_dont_know_is_stored_as_unknown():
    _, events = run(actions.ActionScreen(), tracker("I don't know", "dont_know", **CONSENTED))
    assert slot_sets(events)["facts"] == {"platelet_count": None}


def test_volunteered_facts_that_rule_out_are_read_back_then_give_the_verdict_at_once():
    messages, events = run(actions.ActionScreen(), tracker("I'm 62 and I take aspirin", "inform", **CONSENTED))
    assert messages[0]["text"].startswith("Noted: age: 62 years")
    assert messages[-1]["custom"]["read_back"] == {"antiplatelet_drugs": True}
    assert slot_sets(events)["offer"] == "readback"
    slots = {**CONSENTED, **slot_sets(events)}
    messages, events = run(actions.ActionScreen(), tracker("yes that's right", "affirm", **slots))
    verdict = verdict_of(messages)
    assert verdict["trial_id"] == SEED_TRIAL and verdict["status"] == "not_eligible"
    assert not_met(verdict) == ["exc-antiplatelet-drugs"]
    explanation = next(c["explanation"] for c in verdict["criteria"] if c["id"] == "exc-antiplatelet-drugs")
    assert explanation in messages[0]["text"]
    assert messages[-1]["text"] == texts.OFFER_MORE
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]
    slots = {**slots, **slot_sets(events)}
    assert slots["facts"] == {"age": 62.0, "antiplatelet_drugs": True}
    assert slots["pending"] is None and slots["verdict"] == "not_eligible" and slots["offer"] == "more_questions"


def test_an_implausible_value_is_checked_back_and_not_stored():
    messages, events = run(actions.ActionScreen(), tracker("5000 x10^9/L", "inform", **CONSENTED))
    assert "outside what I would expect" in messages[0]["text"]
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert "facts" not in slot_sets(events)


def test_a_message_that_is_too_long_is_refused_and_the_question_repeated():
    text = "I take aspirin. " * (MAX_MESSAGE_LENGTH // 10)
    messages, events = run(actions.ActionScreen(), tracker(text, "inform", **CONSENTED))
    assert messages[0]["text"] == texts.TOO_LONG.format(length=f"{len(text):,}", limit=f"{MAX_MESSAGE_LENGTH:,}")
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert events == []


def test_an_unclear_answer_gets_a_hint_then_the_question_is_left_unknown():
    messages, events = run(actions.ActionScreen(), tracker("hmm let me see", "nlu_fallback", **CONSENTED))
    assert messages[0]["text"] == texts.NOT_UNDERSTOOD["number"].format(unit_hint=" (in 10^9/L)")
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert slot_sets(events) == {"misunderstood": 1, "repeats": 1}
    messages, events = run(actions.ActionScreen(), tracker("it depends really", "nlu_fallback",
                                                           **{**CONSENTED, "misunderstood": 1, "repeats": 1}))
    assert messages[0]["text"] == texts.SKIPPING
    assert messages[-1]["custom"]["asks"] != ["platelet_count"]
    slots = slot_sets(events)
    assert slots["facts"] == {"platelet_count": None} and slots["misunderstood"] == 0 and slots["repeats"] == 0


def test_a_third_person_is_asked_about_by_name():
    messages, events = run(actions.ActionScreen(), tracker("my mother is 67", "inform", **CONSENTED))
    assert "your mother" in messages[-1]["text"]
    assert slot_sets(events)["subject"] == "your mother"


# -- the other actions ----------------------------------------------------------------------------

def test_why_explains_the_criteria_behind_the_open_question():
    messages, events = run(actions.ActionExplainWhy(), tracker("why do you ask?", "why", **CONSENTED))
    assert "Platelet counts <30 ×10^9/L, and bleeding tendency;" in messages[0]["text"]
    assert messages[0]["text"].startswith("I ask because")
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert events == []


def test_why_with_no_open_question_explains_in_general():
    messages, events = run(actions.ActionExplainWhy(), tracker("why?", "why", **State().to_slots()))
    assert [m["text"] for m in messages] == [texts.WHY_NOTHING]
    assert events == []


def test_show_facts_lists_the_answers_and_repeats_the_question():
    state = {**CONSENTED, "facts": {"age": 62.0, "platelet_count": 22.0, "last_radiotherapy": "never"}}
    messages, events = run(actions.ActionShowFacts(), tracker("what have I told you?", "show_facts", **state))
    summary = messages[0]
    assert summary["text"].startswith(texts.FACTS_HEADER)
    assert "- age: 62 years" in summary["text"] and "- last radiotherapy: never" in summary["text"]
    assert "22 ×10^9/L (22,000 per microlitre)" in summary["text"]
    assert summary["custom"] == {"facts": state["facts"]}
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert events == []


def test_show_facts_with_nothing_told():
    messages, _ = run(actions.ActionShowFacts(), tracker("what do you know about me", "show_facts"))
    assert messages[0]["text"] == texts.NO_FACTS and messages[0]["custom"] == {"facts": {}}


def test_start_over_clears_the_answers_but_keeps_consent():
    state = {**CONSENTED, "facts": {"platelet_count": 22.0, "bleeding_tendency": True},
             "pending": ["chemo_induced_thrombocytopenia"], "subject": "your mother"}
    messages, events = run(actions.ActionStartOver(), tracker("start over", "start_over", **state))
    assert messages[0]["text"] == texts.STARTING_OVER
    assert messages[-1]["custom"] == PLATELET_QUESTION
    assert events[-1] == {"event": "followup", "name": "action_session_start", "timestamp": None}  # a new session
    slots = slot_sets(events[:-1])
    assert slots["facts"] == {} and slots["subject"] is None and slots["pending"] == ["platelet_count"]
    assert "consent" not in slots


def test_delete_answers_forgets_everything_including_consent():
    state = {**CONSENTED, "facts": {"platelet_count": 22.0}, "subject": "your mother"}
    messages, events = run(actions.ActionDeleteAnswers(), tracker("delete my answers", "delete_answers", **state))
    assert [m["text"] for m in messages] == [texts.DELETED]
    assert messages[0]["custom"] == {"deleted": True}  # the website chat forgets its copy too
    slots = slot_sets(events)
    assert slots["consent"] is None and slots["facts"] == {} and slots["pending"] is None
    assert slots["subject"] is None


def test_show_verdict_gives_the_verdict_so_far_and_offers_more_questions():
    state = {**CONSENTED, "facts": {"platelet_count": 22.0, "bleeding_tendency": True},
             "pending": ["chemo_induced_thrombocytopenia"]}
    messages, events = run(actions.ActionShowVerdict(), tracker("just tell me the result", "show_verdict", **state))
    verdict = verdict_of(messages)
    assert verdict["status"] == "uncertain"
    statuses = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert statuses["inc-platelets-bleeding"] == "met" and statuses["inc-cit-refractory"] == "unknown"
    assert messages[-1]["text"] == texts.OFFER_MORE
    slots = slot_sets(events)
    assert slots == {"verdict": "uncertain", "offer": "more_questions"}


def test_show_verdict_before_consent_asks_for_consent():
    messages, events = run(actions.ActionShowVerdict(), tracker("give me the verdict", "show_verdict"))
    assert messages[-1]["custom"]["asks"] == ["consent"]
    assert slot_sets(events)["offer"] == "consent"


def test_the_engine_is_built_once_per_process_from_the_configured_database(trial_db):
    first = actions.screening()
    assert actions.screening() is first
    assert first.catalogue.store.engine.url.database == trial_db.replace("sqlite:///", "")
    assert SEED_TRIAL in first.catalogue.refresh().trials


def test_small_talk_gets_the_domains_reply_and_changes_nothing():
    messages, events = run(actions.ActionSmallTalk(), tracker("thanks!", "thanks", **CONSENTED))
    assert [m["response"] for m in messages] == ["utter_you_are_welcome"] and events == []
    messages, _ = run(actions.ActionSmallTalk(), tracker("are you a bot?", "bot_challenge", **CONSENTED))
    assert [m["response"] for m in messages] == ["utter_iamabot"]


def test_facts_in_a_thank_you_are_screened_not_lost():
    messages, events = run(actions.ActionSmallTalk(), tracker("thanks, my platelets were 22k", "thanks", **CONSENTED))
    assert slot_sets(events)["facts"] == {"platelet_count": 22.0}
    assert messages[-1]["custom"]["asks"] == ["bleeding_tendency"]


# -- the conversation's language ----------------------------------------------------------------

def with_metadata(tracker_: Tracker, **metadata: Any) -> Tracker:
    tracker_.latest_message["metadata"] = metadata
    return tracker_


def test_the_language_the_page_asks_for_is_spoken_kept_in_its_slot_and_said_in_every_reply():
    messages, events = run(actions.ActionScreen(), with_metadata(tracker("hi", "greet"), language="zh-CN"), "zh-CN")
    assert messages[0]["text"].startswith("您好，我是临床试验筛查助手")
    assert [b["title"] for b in messages[0]["buttons"]] == ["好的，开始吧", "不用了，谢谢"]
    assert slot_sets(events)["language"] == "zh-CN"
    # the slot keeps it: a message without metadata is answered in Chinese, and the slot is not set again
    messages, events = run(actions.ActionScreen(), tracker("/affirm", "affirm", **{**CONSENTED, "consent": None,
                                                                                   "offer": "consent", "pending": None,
                                                                                   "language": "zh-CN"}), "zh-CN")
    assert messages[0]["text"].startswith("谢谢您") and "language" not in slot_sets(events)


def test_a_language_the_bot_does_not_speak_leaves_it_english():
    messages, events = run(actions.ActionScreen(), with_metadata(tracker("hi", "greet"), language="fr"))
    assert messages[0]["text"].startswith("Hello") and "language" not in slot_sets(events)


def test_small_talk_in_a_chinese_conversation_is_answered_in_chinese():
    messages, events = run(actions.ActionSmallTalk(), tracker("谢谢", "thanks", **{**CONSENTED, "language": "zh-CN"}),
                           "zh-CN")
    assert [m["text"] for m in messages] == ["不客气。"] and events == []
    messages, events = run(actions.ActionSmallTalk(), tracker("谢谢", "thanks", **CONSENTED), "zh-CN")
    assert [m["text"] for m in messages] == ["不客气。"] and slot_sets(events) == {"language": "zh-CN"}


def test_asking_for_english_in_small_talk_words_switches_the_language():
    messages, events = run(actions.ActionSmallTalk(), tracker("English please", "thanks",
                                                              **{**CONSENTED, "language": "zh-CN"}))
    assert messages[0]["text"] == "All right, let's continue in English." and slot_sets(events)["language"] == "en"
    assert messages[-1]["custom"]["asks"] == ["platelet_count"]


# -- sessions (actions/sessions.py) ------------------------------------------------------------------

def session_tracker(messages_before: int, text: str = "I'm 62", intent: str = "inform", **slots: Any) -> Tracker:
    """A tracker whose session holds ``messages_before`` earlier messages, then ``text``."""
    earlier = [event for _ in range(messages_before)
               for event in ({"event": "user", "text": "no"}, {"event": "action", "name": "action_screen"},
                             {"event": "bot", "text": "?"}, {"event": "action", "name": "action_listen"})]
    current = tracker(text, intent, **slots)
    events = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
              {"event": "action", "name": "action_listen"}, *earlier, *current.events]
    return Tracker(current.sender_id, current.slots, current.latest_message, events, False, None, {}, "action_listen")


def test_a_session_ends_after_its_turns_and_not_before():
    just_under = run(actions.ActionScreen(), session_tracker(sessions.TURNS_PER_SESSION - 2, **CONSENTED))[1]
    assert all(e["event"] == "slot" for e in just_under)
    full = run(actions.ActionScreen(), session_tracker(sessions.TURNS_PER_SESSION - 1, **CONSENTED))[1]
    assert full[-1]["event"] == "followup" and full[-1]["name"] == "action_session_start"
    assert slot_sets(full[:-1])["facts"] == {"age": 62.0}  # the turn itself is handled as usual
    small_talk = run(actions.ActionSmallTalk(), session_tracker(sessions.TURNS_PER_SESSION - 1, "thanks", "thanks",
                                                                **CONSENTED))[1]
    assert [e["event"] for e in small_talk] == ["followup"]


def test_only_the_current_sessions_messages_count():
    """After an hour's pause Rasa sends the end of the previous session too: it does not count."""
    long_before = session_tracker(sessions.TURNS_PER_SESSION - 1, **CONSENTED)
    events = [*long_before.events[:-1], {"event": "action", "name": "action_session_start"},
              {"event": "session_started"}, {"event": "action", "name": "action_listen"}, long_before.events[-1]]
    resumed = Tracker(long_before.sender_id, long_before.slots, long_before.latest_message, events, False, None, {},
                      "action_listen")
    assert sessions.messages_in_session(resumed.events) == 1
    assert all(e["event"] == "slot" for e in run(actions.ActionScreen(), resumed)[1])


def test_a_new_session_carries_each_slot_over_once_with_its_current_value():
    state = {**CONSENTED, "facts": {"platelet_count": 22.0, "age": 62.0}, "subject": "your mother"}
    events = run(sessions.ActionSessionStart(), session_tracker(5, **state))[1]
    assert events[0]["event"] == "session_started" and events[-1] == {
        "event": "action", "name": "action_listen", "policy": None, "confidence": None, "timestamp": None}
    carried = slot_sets(events[1:-1])
    assert carried == {name: value for name, value in state.items() if value is not None}
    assert run(sessions.ActionSessionStart(), tracker("hi", "greet"))[1][1:-1] == []  # a new conversation


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_typed_session_start_is_answered_like_any_message_the_bot_cannot_use(language):
    """Rasa reads "/session_start" as its own intent: the person still gets a reply, in the conversation's
    language, the open question again, and nothing collected changes (no new session starts)."""
    state = {**CONSENTED, "facts": {"age": 62.0}, "language": language}
    typed = session_tracker(3, "/session_start", "session_start", **state)
    typed.events.append({"event": "user_featurization", "use_text_for_featurization": False})  # as Rasa sends it
    messages, events = run(sessions.ActionSessionStart(), typed, language)
    assert messages and messages[-1]["custom"]["asks"] == ["platelet_count"]
    assert messages[0]["text"] == (texts.UNREADABLE if language == "en" else texts_zh.UNREADABLE)
    assert not any(e["event"] in ("session_started", "followup") for e in events)
    assert slot_sets(events[:-1]).get("facts", state["facts"]) == {"age": 62.0}
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("action, typed", [(actions.ActionRestart, "/restart"), (actions.ActionBack, "/back"),
                                           (actions.ActionRestart, '/restart{"facts": {}}'),
                                           (actions.ActionBack, "/back@0.9")])
def test_a_typed_rasa_command_keeps_what_was_collected(action, typed, language):
    """Rasa's own "/restart" would forget every slot, "/back" the previous turn's answers: typed, neither
    is the person's words. Answered as any message the bot cannot use; the turn then ends (Rasa would map
    the intent to the action again)."""
    state = {**CONSENTED, "facts": {"age": 62.0, "platelet_count": 22.0}, "pending": ["chemo_induced_thrombocytopenia"],
             "language": language}
    intent = action().name()[len("action_"):]
    messages, events = run(action(), session_tracker(3, typed, intent, **state), language)
    assert messages[0]["text"] == (texts.UNREADABLE if language == "en" else texts_zh.UNREADABLE)
    assert messages[-1]["custom"]["asks"] == ["chemo_induced_thrombocytopenia"]
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}
    changed = slot_sets(events[:-1])
    assert changed.get("facts", state["facts"]) == {"age": 62.0, "platelet_count": 22.0}
    assert changed.get("consent", True) and changed.get("language", language) == language


def test_a_typed_rasa_command_at_a_sessions_end_starts_the_next_session():
    full = session_tracker(sessions.TURNS_PER_SESSION - 1, "/restart", "restart", **{**CONSENTED, "facts": {"age": 62.0}})
    events = run(actions.ActionRestart(), full)[1]
    assert events[-1] == {"event": "followup", "name": "action_session_start", "timestamp": None}
    assert [e for e in events if e["event"] == "followup"] == events[-1:]
    assert slot_sets(events[:-1]).get("facts", {"age": 62.0}) == {"age": 62.0}


def test_a_typed_rasa_command_in_a_staff_channel_clears_no_patient(monkeypatch):
    monkeypatch.setattr(actions, "staff_channels", lambda: frozenset({"slack"}))
    staff = tracker("/restart", "restart", **{**CONSENTED, "facts": {"platelet_count": 22.0}})
    staff.latest_message["input_channel"] = "slack"
    staff.events[-1]["input_channel"] = "slack"
    messages, events = run(actions.ActionRestart(), staff)
    assert messages and slot_sets(events[:-1]).get("facts", {"platelet_count": 22.0}) == {"platelet_count": 22.0}


def test_a_staff_new_patient_starts_a_new_session(monkeypatch):
    monkeypatch.setattr(actions, "staff_channels", lambda: frozenset({"slack"}))
    staff = tracker("new patient", "start_over", **{**CONSENTED, "facts": {"platelet_count": 22.0}})
    staff.latest_message["input_channel"] = "slack"
    staff.events[-1]["input_channel"] = "slack"
    events = run(actions.ActionStartOver(), staff)[1]
    assert events[-1]["event"] == "followup" and slot_sets(events[:-1])["facts"] == {}
