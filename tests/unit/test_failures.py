"""A turn that fails (channels/failures.py, channels/handoff.py): the tracker store's failures fail the
message instead of being covered up by Rasa's fail-safe wrapper, and a staff message whose turn posts
nothing or fails is asked for again in its thread, in its language. After PostgreSQL restarts, the
tracker store reconnects (review/tracker_store.py; against the PostgreSQL server on 127.0.0.1:5432)."""
from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Optional

import pytest
import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot import texts, texts_zh
from channels.failures import TrackerStoreUnavailable, store_failures_fail_the_message
from channels.handoff import Handoff
from channels.locks import RenewingInMemoryLockStore
from channels import slack
from channels.replay import GuardUnavailable
from channels.rest import answer_once
from review.tracker_store import ErasingSQLTrackerStore
from tests.proxy import TcpProxy


class Unreachable(InMemoryTrackerStore):
    """A tracker store whose database is out of reach."""

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        raise OperationalError("SELECT ...", {}, ConnectionRefusedError())

    retrieve_full_tracker = retrieve

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise OperationalError("INSERT ...", {}, ConnectionRefusedError())


def test_a_tracker_store_out_of_reach_fails_the_message_instead_of_starting_an_empty_conversation():
    store = FailSafeTrackerStore(Unreachable(Domain.empty()))
    # Rasa's wrapper: no such conversation (a new one is started), and a save kept in this server's memory
    assert asyncio.run(store.retrieve("s")) is None
    asyncio.run(store.save(DialogueStateTracker("s", [])))
    assert store.fallback_tracker_store.store
    store.fallback_tracker_store.store.clear()

    store_failures_fail_the_message(SimpleNamespace(tracker_store=store))
    store_failures_fail_the_message(SimpleNamespace(tracker_store=store))  # idempotent
    for attempt in (store.retrieve("s"), store.get_or_create_tracker("s"), store.retrieve_full_tracker("s"),
                    store.save(DialogueStateTracker("s", []))):
        with pytest.raises(TrackerStoreUnavailable):
            asyncio.run(attempt)
    assert not store.fallback_tracker_store.store
    store_failures_fail_the_message(None)  # no agent yet (the model loading): nothing to do


class Replies(OutputChannel):
    def __init__(self) -> None:
        self.sent, self.posted = 0, []  # as SlackReplies and TeamsReplies count

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.sent += 1
        self.posted.append(message)


class Conversations:
    """The tracker store, as the handoff reads a conversation's language from it."""

    def __init__(self, language: Optional[str] = None, reachable: bool = True) -> None:
        self.language, self.reachable = language, reachable

    async def retrieve(self, sender_id: str) -> Any:
        if not self.reachable:
            raise TrackerStoreUnavailable("OperationalError")
        return SimpleNamespace(get_slot=lambda name: self.language if name == "language" else None)


def handed_off(text: str, bot: str, conversations: Any = None) -> List[Dict[str, Any]]:
    """What the thread gets for ``text`` when the bot ``answers``, ``says nothing`` or ``raises``, or when
    the replay guard cannot tell whether the message was handled before (``unsure``: it must not be)."""
    async def on_new_message(message: UserMessage) -> None:
        assert bot != "unsure", "handed to Rasa"
        if bot in ("answers", "answers then raises"):
            await message.output_channel.send_response(message.sender_id, {"text": "checklist"})
        if bot.endswith("raises"):
            raise TrackerStoreUnavailable("OperationalError")

    async def scenario() -> List[Dict[str, Any]]:
        handoff, replies = Handoff("Slack"), Replies()
        handoff.start(on_new_message, UserMessage(text, replies, "slack:T1:C1:17.1"), conversations,
                      GuardUnavailable("ConnectionError") if bot == "unsure" else None)
        await asyncio.gather(*handoff.tasks)
        return replies.posted

    return asyncio.run(scenario())


def asked_again(language: str) -> Dict[str, Any]:
    return {"text": texts_zh.NOT_ANSWERED if language == "zh-CN" else texts.NOT_ANSWERED,
            "custom": {"failed": True, "language": language}}


@pytest.mark.parametrize("text, bot, conversations, posted", [
    ("62F NSCLC plt 22k", "answers", None, [{"text": "checklist"}]),
    ("62F lung cancer, plt 22k", "says nothing", None, [asked_again("en")]),  # the action server down
    ("女62 肺癌 PLT 22", "says nothing", None, [asked_again("zh-CN")]),
    ("PLT 18", "says nothing", Conversations("zh-CN"), [asked_again("zh-CN")]),  # shorthand: the conversation's
    ("PLT 18", "says nothing", Conversations(None), [asked_again("en")]),
    ("PLT 18", "raises", Conversations("zh-CN", reachable=False), [asked_again("en")]),  # its store is what failed
    ("女62 肺癌 PLT 22", "raises", Conversations(reachable=False), [asked_again("zh-CN")]),
    # answered, but the turn was not saved: the bot does not remember what it said, so it asks again
    ("summary please", "answers then raises", None, [{"text": "checklist"}, asked_again("en")]),
    ("PLT 18", "unsure", Conversations("zh-CN"), [asked_again("zh-CN")]),  # Redis away: not handled, asked again
])
def test_a_staff_message_whose_turn_posts_nothing_or_fails_is_asked_for_again_in_its_language(
        text, bot, conversations, posted):
    assert handed_off(text, bot, conversations) == posted


@pytest.fixture
def database() -> Iterator[str]:
    """A throw-away database on the PostgreSQL server of 127.0.0.1:5432 (shared: never restarted here)."""
    name, server = f"trialbot_failures_{uuid.uuid4().hex[:8]}", "postgresql://postgres@127.0.0.1:5432/postgres"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable on 127.0.0.1:5432: {error}", pytrace=False)
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_after_postgresql_restarts_a_server_reconnects_instead_of_failing_its_next_message(database):
    """Every connection dropped, as a restart drops them (through a proxy: tests/proxy.py): Rasa's store
    fails the next message on its pooled connection; ours tries the connection first and makes a new one."""
    conversation = [ActionExecuted("action_listen"), UserUttered("hi")]
    with TcpProxy(5432) as postgresql:
        stores = {kind: kind(Domain.empty(), dialect="postgresql", host="127.0.0.1", port=postgresql.port,
                             db=database, username="postgres") for kind in (SQLTrackerStore, ErasingSQLTrackerStore)}
        for kind, store in stores.items():
            asyncio.run(store.save(DialogueStateTracker.from_events(f"s-{kind.__name__}", conversation)))
        postgresql.cut()
        postgresql.restore()
        with pytest.raises(sa.exc.OperationalError):
            asyncio.run(stores[SQLTrackerStore].retrieve("s-SQLTrackerStore"))
        tracker = asyncio.run(stores[ErasingSQLTrackerStore].retrieve("s-ErasingSQLTrackerStore"))
        assert tracker is not None and tracker.latest_message.text == "hi"
        for store in stores.values():
            store.engine.dispose()


def test_a_message_sent_again_with_its_id_is_handled_again_only_if_it_got_no_reply():
    """The action server was down: the message was stored with no reply, and the person was asked to send it
    again. Sent again with the same message_id, it is handled (not answered for ever with no reply); a
    message that was answered is answered with the same replies, not handled twice."""
    handled: List[str] = []
    store = InMemoryTrackerStore(Domain.empty())
    agent = SimpleNamespace(lock_store=RenewingInMemoryLockStore(), tracker_store=store,
                            processor=SimpleNamespace(handle_message=lambda m: asyncio.sleep(0, handled.append(m.text))))
    asyncio.run(store.save(DialogueStateTracker.from_events("failed", [UserUttered("22k", message_id="m3")])))
    asyncio.run(store.save(DialogueStateTracker.from_events("answered", [UserUttered("22k", message_id="m3"),
                                                                          BotUttered("Any bleeding?")])))
    for sender in ("failed", "answered"):
        output = CollectingOutputChannel()
        asyncio.run(answer_once(agent, UserMessage("22k", output, sender, message_id="m3")))
        assert [m.get("text") for m in output.messages] == ([] if sender == "failed" else ["Any bleeding?"]), sender
    assert handled == ["22k"]  # the failed one only


def test_a_slack_thread_reply_while_postgresql_is_away_is_left_for_slack_to_deliver_again(database):
    """A reply in a patient's thread without a mention is the bot's only if the thread is one of its
    conversations, which the tracker store says. With PostgreSQL away it cannot: the event gets HTTP 503
    (Slack delivers it again later), nothing is handed on and nothing is posted into a thread that may not be
    the bot's; delivered again once PostgreSQL is back, it is handled."""
    thread = slack.conversation_id("T0CLINIC", "C0WARD", "1700000000.000100")
    event = {"type": "event_callback", "team_id": "T0CLINIC",
             "event": {"type": "message", "user": "U0NURSE", "text": "plt 25k now", "channel": "C0WARD",
                       "ts": "1700000100.000200", "thread_ts": "1700000000.000100"}}
    handed: List[str] = []

    async def on_new_message(message: UserMessage) -> None:
        handed.append(message.text)
        message.output_channel.sent = 1  # as if the turn had posted its reply

    async def deliver(channel: slack.SlackChannel, store: FailSafeTrackerStore) -> int:
        answer = await channel._on_event(event, on_new_message, store)
        await asyncio.gather(*channel.handoff.tasks)
        return answer.status

    with TcpProxy(5432) as postgresql:
        store = FailSafeTrackerStore(ErasingSQLTrackerStore(
            Domain.empty(), dialect="postgresql", host="127.0.0.1", port=postgresql.port, db=database, username="postgres"))
        store_failures_fail_the_message(SimpleNamespace(tracker_store=store))
        asyncio.run(store.save(DialogueStateTracker.from_events(thread, [UserUttered("62F NSCLC plt 22k")])))
        channel = slack.SlackChannel(slack_token="xoxb-test", slack_signing_secret="secret")
        postgresql.cut()
        try:
            assert asyncio.run(deliver(channel, store)) == 503
            assert handed == []
        finally:
            postgresql.restore()
        assert asyncio.run(deliver(channel, store)) == 200  # Slack's retry, once PostgreSQL is back
        assert handed == ["plt 25k now"]
        store._tracker_store.engine.dispose()
