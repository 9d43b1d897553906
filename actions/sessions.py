"""Rasa sessions: what keeps a turn's cost from growing with the conversation.

On each message Rasa's SQL tracker store loads only the events since the conversation's last
``session_started`` (``SQLTrackerStore.retrieve``; ``retrieve_full_tracker`` reads them all), and
Rasa replays them, predicts from them and sends them to the action server. Without sessions that
is the whole conversation, so every turn cost about 1 ms more than the one before it. A session
ends (domain.yml, ``session_config``):

- after an hour without a message (Rasa runs ``action_session_start`` before the next one);
- after every ``TURNS_PER_SESSION`` messages, and at "start over" or a staff "new patient"
  (``session_end``: the turn's last action is then ``action_session_start``).

The screening state is all in the slots, so the new session carries them over and the person
continues where they were. The review reads every event of a conversation, across sessions.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# Messages in one session at most: the cost of the longest session's last turn stays within a few
# milliseconds of its first (about 1 ms per earlier turn, measured: benchmarks/turn_cost.py).
TURNS_PER_SESSION = 20


class ActionSessionStart(Action):
    """Rasa's own ``action_session_start``, but carrying over each slot's current value once.

    Rasa's default copies every ``SlotSet`` event of the session that ends: a conversation's
    sessions would then start with ever more events, which is the growth sessions are meant to stop.
    """

    def name(self) -> Text:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if typed_session_start(tracker):
            # "/session_start" typed: Rasa reads it as its own intent, and would start a session in silence.
            # It is a message like any other the bot cannot use: answered so (in the conversation's language,
            # the open question again), nothing collected changes and no session starts. Imported here, as
            # the screening actions import this module.
            from actions.screening import ActionScreen
            events = ActionScreen().run(dispatcher, tracker, domain)
            return [*(e for e in events if e.get("event") != "followup"), ActionExecuted("action_listen")]
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items() if value is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]


def typed_session_start(tracker: Tracker) -> bool:
    """Whether this session start is the answer to a person's message "/session_start", rather than
    Rasa's own (after an idle hour, before the message is logged) or a turn's ``session_end``."""
    # the message, an action or a session's start; not what Rasa logs beside them (the slots a message
    # sets, "user_featurization")
    turns = [event for event in tracker.events if event.get("event") in ("user", "action", "bot", "session_started")]
    last = turns[-1] if turns else {}
    return last.get("event") == "user" and ((last.get("parse_data") or {}).get("intent") or {}).get("name") == "session_start"


def session_end(tracker: Tracker, new_beginning: bool) -> List[EventType]:
    """The event that ends the session after this turn, if it should end: at a new beginning (start
    over, new patient) or once the session holds ``TURNS_PER_SESSION`` messages."""
    if new_beginning or messages_in_session(tracker.events) >= TURNS_PER_SESSION:
        return [FollowupAction("action_session_start")]
    return []


def messages_in_session(events: List[Dict[Text, Any]]) -> int:
    """The person's messages since the last session start (after an hour's pause Rasa starts a new
    session within the turn, so the events sent can hold the end of the previous one too)."""
    messages = 0
    for event in reversed(events):
        if event.get("event") == "session_started":
            break
        messages += event.get("event") == "user"
    return messages
