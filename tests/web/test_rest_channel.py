"""A message sent again to the REST channel (channels/rest.py) is answered once, without servers:
Rasa's in-memory lock and tracker stores, and a stand-in for the model that answers every message.
(test_chat_page.py does the same with the real bot: two servers, and the widget's retry.)"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from channels.rest import WholeMessageCollector, answer_once

SENDER = "a-conversation"


class EchoProcessor:
    """Handles a message as Rasa's processor records it: the user's message with its id, then one bot
    reply with buttons and a custom payload. Holds each message until ``release`` is set."""

    def __init__(self, tracker_store: InMemoryTrackerStore) -> None:
        self.tracker_store = tracker_store
        self.handled: List[str] = []
        self.release = asyncio.Event()
        self.release.set()
        self.end_sessions = False  # end the session with each turn, as actions/sessions.py does every 20 turns

    async def handle_message(self, message: UserMessage) -> None:
        self.handled.append(message.text)
        await self.release.wait()
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        reply = BotUttered(f"You said {message.text} ({len(self.handled)})",
                           data={"buttons": [{"title": "Yes", "payload": "/affirm"}], "custom": {"asks": ["x"]}})
        tracker.update(reply)
        if self.end_sessions:
            for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
                tracker.update(event)
        await message.output_channel.send_response(message.sender_id, reply.message())
        await self.tracker_store.save(tracker)


def agent() -> Any:
    tracker_store = InMemoryTrackerStore(Domain.empty())
    return SimpleNamespace(lock_store=InMemoryLockStore(), tracker_store=tracker_store,
                           processor=EchoProcessor(tracker_store))


async def send(bot: Any, text: str, message_id: str) -> List[Dict[str, Any]]:
    collector = WholeMessageCollector()
    await answer_once(bot, UserMessage(text, collector, SENDER, input_channel="rest", message_id=message_id))
    return collector.messages


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """In a thread of its own: the browser tests' Playwright keeps an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


async def user_messages(bot: Any) -> List[str]:
    tracker = await bot.tracker_store.retrieve(SENDER)
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_a_message_sent_again_gets_the_replies_already_given():
    async def scenario():
        bot = agent()
        first = await send(bot, "22k", "m1")
        again = await send(bot, "22k", "m1")
        assert first == [{"recipient_id": SENDER, "text": "You said 22k (1)",
                          "buttons": [{"title": "Yes", "payload": "/affirm"}], "custom": {"asks": ["x"]}}]
        assert again == first
        assert bot.processor.handled == ["22k"]
        assert await user_messages(bot) == ["22k"]

    run(scenario)


def test_a_message_sent_again_after_its_turn_ended_the_session_gets_the_replies_already_given():
    """Rasa loads the current session only; the session that the turn ended holds the message."""
    async def scenario():
        bot = agent()
        bot.processor.end_sessions = True
        first = await send(bot, "22k", "m1")
        assert await user_messages(bot) == []  # the new session: nothing said in it yet
        assert await send(bot, "22k", "m1") == first
        assert bot.processor.handled == ["22k"]
        await send(bot, "yes", "m2")
        assert bot.processor.handled == ["22k", "yes"]

    run(scenario)


def test_a_copy_arriving_while_the_first_is_handled_waits_for_it():
    """The widget gave up waiting (its timeout) while the bot was still answering: the copy waits for
    the conversation's lock, then gets the first one's replies."""
    async def scenario():
        bot = agent()
        bot.processor.release.clear()
        first = asyncio.create_task(send(bot, "22k", "m1"))
        while not bot.processor.handled:
            await asyncio.sleep(0.01)
        again = asyncio.create_task(send(bot, "22k", "m1"))
        await asyncio.sleep(0.2)
        assert not again.done()
        bot.processor.release.set()
        assert await again == await first
        assert bot.processor.handled == ["22k"]

    run(scenario)


def test_the_same_words_in_a_new_message_are_a_new_answer():
    """Only a message with the id of the last one is a copy: "yes" to two questions is two answers."""
    async def scenario():
        bot = agent()
        await send(bot, "yes", "m1")
        second = await send(bot, "yes", "m2")
        assert second[0]["text"] == "You said yes (2)"
        await send(bot, "no", "m3")
        await send(bot, "yes", "m1")  # not the last message: a new answer, as the person sent it
        assert bot.processor.handled == ["yes", "yes", "no", "yes"]

    run(scenario)
