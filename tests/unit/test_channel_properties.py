"""Properties of the channels over generated requests (Hypothesis), beside the reader's
(test_reader_properties.py): whatever a client sends, the REST channel, Slack and Teams answer
without a server error, hand the bot only text a database can store, and hand it exactly the
messages they accept. The channels run in a real Sanic server on a free port (the way Rasa serves
them), with a stand-in for the bot; Slack's requests are signed as Slack signs them, and Teams'
token check (tests/staff/test_verification.py) is replaced by a pass.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sqlite3
import threading
import time
import uuid
from typing import Any, Iterator, List

import pytest
import redis
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from sanic import Sanic

from bot import texts, texts_zh
from channels import slack, teams
from channels.failures import TrackerStoreUnavailable
from channels.guard import is_storable, unreadable_field
from channels.rest import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, MESSAGE_ID, RestChannel
from trialbot.servers import free_port

SLACK_SECRET = uuid.uuid4().hex
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any character, lone surrogates included (json.dumps writes them as "\ud800" escapes: valid JSON)
ANY_CHARACTER = st.characters(blacklist_categories=())
ANY_TEXT = st.text(ANY_CHARACTER, max_size=60)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=12)


def fields_of(names: List[str], extra: st.SearchStrategy = ANY_TEXT) -> st.SearchStrategy:
    """Objects with some of ``names`` (each any JSON value, most often text) and perhaps other keys."""
    return st.fixed_dictionaries({}, optional={name: st.one_of(extra, JSON_VALUES) for name in names}) \
        .flatmap(lambda known: st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=2).map(lambda more: {**more, **known}))


class Channels:
    """The three channels in one Sanic server; what each handed to the bot."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []
        self.app = Sanic(f"channel-properties-{uuid.uuid4().hex[:8]}")
        self.slack = slack.SlackChannel("xoxb-test", SLACK_SECRET, "http://127.0.0.1:9/api/")
        self.teams = teams.TeamsChannel("app-id", "app-password", service_urls=["https://smba.example/"])

        async def verified(authorization: Any, activity: Any, now: Any = None) -> None:
            return None

        self.teams.verify = verified  # the token check has tests of its own
        for channel in (self.slack, self.teams):  # handed to the bot: recorded, not answered
            channel.handoff.start = lambda on_new_message, message, conversations=None, not_handled=None: \
                self.received.append(message)

        self.failing = False  # the bot's turns fail (an action server down): Rasa logs it and answers nothing
        self.raising: Any = None  # the bot's turns raise this (the tracker store or the locks out of reach)

        async def on_new_message(message: UserMessage) -> None:
            self.received.append(message)
            if self.raising is not None:
                raise self.raising
            if not self.failing:
                await message.output_channel.send_text_message(message.sender_id, "answered")

        for channel, prefix in ((RestChannel(["http://clinic.example"]), "rest"), (self.slack, "slack"),
                                (self.teams, "botframework")):
            self.app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{prefix}")
        self.port = free_port()
        self.loop = asyncio.new_event_loop()

    def __enter__(self) -> "Channels":
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(
                self.app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True))
            self.loop.run_until_complete(server.startup())
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        assert ready.wait(30)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)

    def post(self, channel: str, body: bytes, headers: Any = None) -> requests.Response:
        self.received.clear()
        return requests.post(f"http://127.0.0.1:{self.port}/webhooks/{channel}/webhook", data=body,
                             headers={"Content-Type": "application/json", **(headers or {})}, timeout=10)


@pytest.fixture(scope="module")
def channels() -> Iterator[Channels]:
    with Channels() as running:
        yield running


def storable(message: UserMessage) -> bool:
    return is_storable(message.text or "") and is_storable(message.sender_id) and \
        unreadable_field(message.metadata or {}) is None


# -- the guard (channels/guard.py) ------------------------------------------------------------------

@SETTINGS
@given(text=ANY_TEXT)
def test_text_the_guard_lets_through_is_stored_and_read_back_unchanged(text):
    if not is_storable(text):
        return
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE events (data TEXT)")
        db.execute("INSERT INTO events VALUES (?)", (text,))
        assert db.execute("SELECT data FROM events").fetchone()[0] == text
    assert "\x00" not in text  # PostgreSQL cannot store a NUL


def texts_in(value: Any) -> Iterator[str]:
    """Every string of a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_in(item)


@SETTINGS
@given(value=JSON_VALUES)
def test_the_guard_finds_unstorable_text_anywhere_and_names_only_the_field(value):
    where = unreadable_field(value)
    assert (where is None) == all(is_storable(text) for text in texts_in(value))
    assert where is None or is_storable(where)  # the field's path: safe to log and to answer


# -- the REST channel (channels/rest.py) -----------------------------------------------------------

@SETTINGS
@given(payload=fields_of(["sender", "message", "message_id", "metadata"]) | JSON_VALUES)
def test_the_rest_channel_answers_any_json_and_passes_on_only_a_well_formed_storable_message(channels, payload):
    reply = channels.post("rest", json.dumps(payload).encode())
    assert reply.status_code in (200, 400, 413), reply.status_code
    answer = reply.json()
    assert isinstance(answer, list) and answer and all(isinstance(m.get("text"), str) for m in answer)
    well_formed = isinstance(payload, dict) and unreadable_field(payload) is None \
        and isinstance(payload.get("sender"), str) and payload["sender"].strip() \
        and len(payload["sender"]) <= MAX_SENDER_CHARS and isinstance(payload.get("message"), str) \
        and (payload.get("message_id") is None
             or isinstance(payload["message_id"], str) and MESSAGE_ID.fullmatch(payload["message_id"]))
    passed_on = well_formed and len(payload["message"]) <= MAX_MESSAGE_CHARS
    assert len(channels.received) == (1 if passed_on else 0), (payload, answer)
    if passed_on:
        [message] = channels.received
        assert message.sender_id == payload["sender"] and storable(message)
        assert answer == [{"recipient_id": payload["sender"], "text": "answered"}]
    elif not well_formed:
        assert reply.status_code == 400 and answer[0]["custom"]["refused"] == "bad_request"


@pytest.mark.parametrize("metadata, text", [(None, texts.NOT_ANSWERED), ({"language": "zh-CN"}, texts_zh.NOT_ANSWERED),
                                            ({"language": ["zh"]}, texts.NOT_ANSWERED)])
def test_a_message_whose_turn_fails_is_answered_with_a_request_to_send_it_again(channels, metadata, text):
    """Never silence: a turn that fails (the action server down) leaves Rasa with nothing to say."""
    channels.failing = True
    try:
        reply = channels.post("rest", json.dumps({"sender": "s", "message": "I'm 62", "metadata": metadata}).encode())
    finally:
        channels.failing = False
    assert reply.status_code == 200 and len(channels.received) == 1
    language = "zh-CN" if text == texts_zh.NOT_ANSWERED else "en"
    assert reply.json() == [{"recipient_id": "s", "text": text, "custom": {"failed": True, "language": language}}]


@pytest.mark.parametrize("error", [redis.ConnectionError("Connection refused"), LockError("no lock"),
                                   TrackerStoreUnavailable("OperationalError")])
def test_a_message_whose_turn_raises_is_answered_with_a_request_to_send_it_again_not_a_server_error(channels, error):
    """The conversation locks' Redis or the tracker store's database out of reach: the turn stored
    nothing, and the person is asked to send the message again, as when the action server is down."""
    channels.raising = error
    try:
        reply = channels.post("rest", json.dumps({"sender": "s", "message": "I'm 62", "message_id": "m1",
                                                  "metadata": {"language": "zh-CN"}}).encode())
    finally:
        channels.raising = None
    assert reply.status_code == 200 and len(channels.received) == 1
    assert reply.json() == [{"recipient_id": "s", "text": texts_zh.NOT_ANSWERED,
                             "custom": {"failed": True, "language": "zh-CN"}}]


@SETTINGS
@given(body=st.binary(max_size=200))
def test_the_rest_channel_refuses_any_bytes_that_are_no_message(channels, body):
    reply = channels.post("rest", body)
    assert reply.status_code in (200, 400), reply.status_code
    assert reply.status_code == 400 or channels.received


# -- Slack (channels/slack.py) ----------------------------------------------------------------------

def slack_body(payload: Any) -> bytes:
    """The payload as Slack sends it, with an event id of its own: Slack never sends a request twice,
    and the channel refuses one it has seen (a replay)."""
    return json.dumps({**payload, "event_id": uuid.uuid4().hex} if isinstance(payload, dict) else payload).encode()


def slack_headers(body: bytes) -> dict:
    timestamp = str(int(time.time()))
    digest = hmac.new(SLACK_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


SLACK_EVENTS = fields_of(["type", "text", "user", "channel", "ts", "thread_ts", "channel_type", "subtype", "team"],
                         st.sampled_from(["app_mention", "message", "im", "C0SCREEN"]) | ANY_TEXT)
SLACK_PAYLOADS = st.builds(lambda event, extra: {"type": "event_callback", "event": event, **extra},
                           SLACK_EVENTS | JSON_VALUES, fields_of(["team_id", "authorizations", "authed_users"]))


@SETTINGS
@given(payload=SLACK_PAYLOADS | fields_of(["type", "challenge", "event"]))
def test_slack_answers_any_signed_event_and_passes_on_only_storable_text(channels, payload):
    body = slack_body(payload)
    reply = channels.post("slack", body, slack_headers(body))
    assert reply.status_code in (200, 400), reply.status_code
    assert all(storable(message) for message in channels.received)
    if unreadable_field(payload) is not None:
        assert reply.status_code == 400 and not channels.received


@SETTINGS
@given(payload=SLACK_PAYLOADS, signature=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=80))
def test_slack_hands_nothing_of_an_unsigned_request_to_the_bot(channels, payload, signature):
    body = slack_body(payload)
    headers = {**slack_headers(body), "X-Slack-Signature": signature}
    reply = channels.post("slack", body, headers)
    assert reply.status_code == 401 and not channels.received


@SETTINGS
@given(text=st.text(ANY_CHARACTER.filter(lambda ch: ch not in "&<>"), max_size=40) | ANY_TEXT)
def test_slack_escaping_is_undone_exactly(text):
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # as Slack sends text
    assert slack.unescape(escaped) == text


# -- Teams (channels/teams.py) ----------------------------------------------------------------------

TEAMS_ACTIVITIES = st.builds(
    lambda activity, conversation: {"type": "message", "id": uuid.uuid4().hex, "serviceUrl": "https://smba.example/",
                                    **activity, "conversation": conversation},
    fields_of(["text", "from", "recipient", "channelData", "attachments", "channelId"]),
    fields_of(["id", "tenantId", "conversationType"]) | JSON_VALUES)


@SETTINGS
@given(activity=TEAMS_ACTIVITIES | JSON_VALUES)
def test_teams_answers_any_activity_and_passes_on_only_storable_text(channels, activity):
    reply = channels.post("botframework", json.dumps(activity).encode(), {"Authorization": "Bearer x"})
    assert reply.status_code in (200, 400, 401), reply.status_code
    assert all(storable(message) for message in channels.received)
    if isinstance(activity, dict) and unreadable_field(activity) is not None:
        assert reply.status_code != 200 and not channels.received
    for message in channels.received:
        assert len(message.sender_id) <= teams.MAX_SENDER_CHARS and message.text == message.text.strip()
        assert message.sender_id == teams.conversation_id(activity["conversation"])
