"""Input that no database can store, through the real servers: refused at the door, and the bot
goes on answering everyone (one such request used to make the Rasa server exit). And what people
type, in any shape, never reaches the servers' log (a message starting with "/" used to be quoted
in a WARNING).

The servers of this module log at DEBUG, the most talkative level, so that the log checks below
cover every level. They are stopped at the end of the module, before tests/e2e's shared bot starts.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest
import requests

from trialbot.servers import on_free_ports
from channels.guard import REFUSAL
from tests.e2e.conftest import TURN_TIMEOUT, BotServers

pytestmark = pytest.mark.e2e

UNSTORABLE = {
    "a lone surrogate": "x-\ud800",
    "a lone low surrogate": "\udfff y",
    "the non-character U+FFFE": "hi \ufffe",
    "the non-character U+FDD0": "\ufdd0",
    "a non-character of another plane": "\U0010ffff",
    "a NUL character (PostgreSQL cannot store it)": "a\x00b",
}


@pytest.fixture(scope="module")
def loud_bot(bot_settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad-input")
    settings = on_free_ports(replace(bot_settings, log_level="DEBUG",
                                     tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}"))
    servers = BotServers(settings, tmp / "servers.log")
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()


def post(bot: BotServers, body: object) -> requests.Response:
    # json.dumps escapes lone surrogates as "\ud800": valid JSON, as a hostile client would send it.
    return requests.post(bot.webhook, data=json.dumps(body), headers={"Content-Type": "application/json"},
                         timeout=TURN_TIMEOUT)


def stored_senders(bot: BotServers) -> set:
    path = bot.settings.tracker_store_url[len("sqlite:///"):]
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}


def test_a_lone_surrogate_in_the_sender_id_is_refused_and_the_bot_keeps_answering(loud_bot):
    reply = post(loud_bot, {"sender": "x-\ud800", "message": "hi"})
    assert reply.status_code == 400, reply.text
    assert reply.json() == [{"recipient_id": None, "text": REFUSAL,
                             "custom": {"refused": "bad_request", "field": "sender"}}]
    # The server is still there, and answers the next person.
    reply = post(loud_bot, {"sender": "after-the-surrogate", "message": "hi"})
    assert reply.status_code == 200 and "Shall we start" in reply.json()[-1]["text"], loud_bot.log_tail()


@pytest.mark.parametrize("field", ["sender", "message", "message_id", "metadata"])
@pytest.mark.parametrize("what", list(UNSTORABLE))
def test_unstorable_text_in_any_field_is_refused_before_it_is_stored(loud_bot, field, what):
    bad = UNSTORABLE[what]
    body = {"sender": f"bad-input-{field}-{sorted(UNSTORABLE).index(what)}", "message": "hi",
            "message_id": "m-1", field: bad}
    if field == "metadata":
        body["metadata"] = {"page": {"title": bad}}
    reply = post(loud_bot, body)
    assert reply.status_code == 400, reply.text
    [message] = reply.json()
    assert message["custom"]["refused"] == "bad_request" and message["text"] == REFUSAL
    assert message["custom"]["field"] == ("metadata.page.title" if field == "metadata" else field)
    assert not {s for s in stored_senders(loud_bot) if s.startswith("bad-input-") or s == bad}
    assert post(loud_bot, {"sender": "still-answering", "message": "hi"}).status_code == 200


PRIVATE = ["Wang", "Fang", "13800138000", "王芳", "Baoding", "hello my name"]  # words the bot itself never says
SHAPES = [
    "/hello my name is Wang Fang 13800138000",  # not an intent: Rasa warned, quoting it
    "/greet Wang Fang 13800138000",
    '/inform{"name": "Wang Fang", "phone": "13800138000"}',  # entities Rasa does not know
    "/affirm Wang Fang 13800138000 from Baoding",
    "my name is Wang Fang, phone 13800138000",
    "我叫王芳，电话13800138000",
    "WANG FANG 13800138000 hello my name",
]


def test_no_message_text_in_the_server_log_at_any_level(loud_bot):
    for number, text in enumerate(SHAPES):
        for body in ({"sender": f"log-{number}", "message": text},
                     {"sender": f"log-{number}", "message": text, "message_id": f"m-{number}"}):
            reply = post(loud_bot, body)
            assert reply.status_code == 200, reply.text
    log = loud_bot.log_path.read_text(encoding="utf-8", errors="replace")
    assert "DEBUG" in log and "rasa.core.processor" in log  # the servers did log at DEBUG
    leaks = [line for line in log.splitlines() if any(word.lower() in line.lower() for word in PRIVATE)]
    assert not leaks, "\n".join(leaks[:10])
    assert "13800138000" not in log and "\\u738b" not in log  # 王 as JSON escapes it
    # Rasa's warning is still there, without the words (it tells that a "/" message was not an intent)
    assert "Failed to parse arguments in line '/… … … … … … …'" in log
