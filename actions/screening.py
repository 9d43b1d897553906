"""Rasa actions: thin adapters between the tracker and the screening engine in bot/.

Each action reads the screening state from the slots, lets the engine handle the turn, sends
the engine's replies and writes back the slots that changed. Messages from a staff channel
(Settings.staff_channels: Slack and Teams by default) go to the staff engine (bot/staff.py) instead,
told which kind of turn the NLU saw (``staff_kind``).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.sessions import session_end
from trialbot.config import load_settings
from bot import i18n, language_choice, texts
from bot.conversation import Screening, State, Turn
from bot.staff import StaffScreening, message_language
from bot.store import Catalogue, TrialStore


@lru_cache(maxsize=None)
def screening() -> Screening:
    """The engine over the configured trial database (TRIALBOT_DATABASE_URL)."""
    settings = load_settings()
    return Screening(Catalogue(TrialStore(settings.database_url)), default_trial=settings.default_trial,
                     date_order=settings.date_order)


def fresh_screening() -> Screening:
    engine = screening()
    engine.catalogue.refresh(max_age=1.0)  # re-loaded trials are seen within a second
    return engine


@lru_cache(maxsize=1)
def staff_screening(engine: Screening) -> StaffScreening:
    """Staff mode over the same engine (catalogue, vocabulary, clock)."""
    return StaffScreening(engine)


@lru_cache(maxsize=None)
def staff_channels() -> frozenset:
    return frozenset(load_settings().staff_channels)


def client_language(message: Dict[Text, Any]) -> Any:
    """The language the client asks for in the message's metadata (``{"language": "zh-CN"}``), as sent."""
    metadata = message.get("metadata")
    return metadata.get("language") if isinstance(metadata, dict) else None


class ScreeningAction(Action, ABC):
    """Base for the actions: state in, engine step, replies and slot changes out.

    Every patient message goes to the same engine step, whichever action the rules chose for the
    model's intent: the engine decides the meaning of the message once (bot/understanding.py), with
    the model's intent as one witness. The action names stay apart so that transcripts show what
    the model thought.
    """

    staff_kind = "screen"  # what this action's turns are, for the staff engine

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain (abstract, so that the action server does not register the base)."""

    def read_turn(self, message: Dict[Text, Any]) -> Turn:
        intent = message.get("intent") or {}
        return Turn(text=message.get("text") or "", intent=intent.get("name"), confidence=intent.get("confidence"),
                    language=client_language(message))

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        state = State.from_slots(tracker.current_slot_values())
        message = tracker.latest_message or {}
        turn = self.read_turn(message)
        engine = fresh_screening()
        if tracker.get_latest_input_channel() in staff_channels():
            outcome = staff_screening(engine).handle(state, turn, self.staff_kind)
        else:
            outcome = engine.respond(state, turn)
        language = outcome.state.language or i18n.ENGLISH
        for reply in outcome.replies:  # every reply says its language (docs/reply-contract.md)
            dispatcher.utter_message(text=reply.text, buttons=list(reply.buttons),
                                     json_message={**(reply.custom or {}), "language": language})
        return [SlotSet(name, value) for name, value in outcome.state.to_slots().items()
                if tracker.get_slot(name) != value] + session_end(tracker, outcome.new_beginning)


class ActionScreen(ScreeningAction):
    def name(self) -> Text:
        return "action_screen"


class ActionExplainWhy(ScreeningAction):
    staff_kind = "why"

    def name(self) -> Text:
        return "action_explain_why"


class ActionShowFacts(ScreeningAction):
    staff_kind = "show_facts"

    def name(self) -> Text:
        return "action_show_facts"


class ActionStartOver(ScreeningAction):
    staff_kind = "start_over"

    def name(self) -> Text:
        return "action_start_over"


class ActionDeleteAnswers(ScreeningAction):
    staff_kind = "delete_answers"

    def name(self) -> Text:
        return "action_delete_answers"


class ActionShowVerdict(ScreeningAction):
    staff_kind = "show_verdict"

    def name(self) -> Text:
        return "action_show_verdict"


class ActionSmallTalk(ScreeningAction):
    """Thanks, goodbye, "are you a bot?": the domain's reply (in the channel's wording; in a
    conversation held in another language than English, the engine's wording in that language),
    unless the message also holds facts ("thanks, plt 22k, bye") or asks for a language, or in a
    staff channel a staff command ("thanks, next pt"), which are then handled like any message so
    that nothing said is lost."""

    RESPONSES = {"goodbye": "utter_goodbye", "thanks": "utter_you_are_welcome", "bot_challenge": "utter_iamabot"}

    def name(self) -> Text:
        return "action_small_talk"

    def read_turn(self, message: Dict[Text, Any]) -> Turn:
        return Turn(text=message.get("text") or "")  # the small-talk intent is not an answer

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        engine = fresh_screening()
        staff = tracker.get_latest_input_channel() in staff_channels()
        if staff:
            for_the_engine = staff_screening(engine).holds_input(text)
        else:
            for_the_engine = engine.holds_facts(text) or language_choice.requested(text) is not None
        if for_the_engine:
            return super().run(dispatcher, tracker, domain)
        intent = (message.get("intent") or {}).get("name")
        current = tracker.get_slot("language")
        # staff are answered in the language of their message (bot.staff.message_language)
        language = (message_language(text, current) if staff
                    else language_choice.choose(current, client_language(message), text))
        if language in (None, i18n.ENGLISH):
            dispatcher.utter_message(response=self.RESPONSES.get(intent, "utter_you_are_welcome"),
                                     json_message={"language": i18n.ENGLISH})
        else:
            with i18n.override(language):
                dispatcher.utter_message(text=texts.SMALL_TALK.get(intent, texts.SMALL_TALK["thanks"]),
                                         json_message={"language": language})
        chosen = [SlotSet("language", language)] if language != current else []
        return chosen + session_end(tracker, new_beginning=False)


class TypedRasaCommand(ScreeningAction, ABC):
    """Rasa's own commands, typed as a message: Rasa maps their intents to its own actions whatever the
    rules say ("/restart": ``action_restart`` forgets every slot; "/back": ``action_back`` undoes the
    previous turn, and what it collected with it). These actions take their place (domain.yml).

    Neither command is the person's words, and the bot never offers them as buttons: losing what was
    collected takes the words ("start over", "delete my answers": bot.parsing.acts.DESTRUCTIVE) or the
    website chat's own buttons, which ask first. A stray command, a pasted one or a probe must not wipe
    twenty answers; a person who meant it is asked the open question again and can say "start over".
    So the command is answered as any message the bot cannot use, and nothing collected changes.
    (A typed "/session_start": actions/sessions.py.)"""

    def read_turn(self, message: Dict[Text, Any]) -> Turn:
        # the command alone, as a button's payload is read: "/restart{"a": 1}" holds no more words than "/restart"
        intent = (message.get("intent") or {}).get("name") or ""
        return Turn(text="/" + intent, intent=intent, language=client_language(message))

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = super().run(dispatcher, tracker, domain)
        # Rasa predicts on after these actions, and would map the command's intent to them again: the turn
        # ends here, or with the session's end (session_end)
        if not any(event.get("event") == "followup" for event in events):
            events.append(FollowupAction("action_listen"))
        return events


class ActionRestart(TypedRasaCommand):
    def name(self) -> Text:
        return "action_restart"


class ActionBack(TypedRasaCommand):
    def name(self) -> Text:
        return "action_back"
