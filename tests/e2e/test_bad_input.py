"""Input that no database can store, through the real servers: refused at the door, and the bot
goes on answering everyone (one such request used to make the Rasa server exit). And what people
type, in any shape, never reaches the servers' log (a message starting with "/" used to be quoted
in a WARNING). The whole bad-input corpus (tests/corpora/bad_input.json) through the REST channel
and the website chat's server: no 5xx, no fact from junk, every message stored once.

The servers of this module log at DEBUG, the most talkative level, so that the log checks below
cover every level. They are stopped at the end of the module, before tests/e2e's shared bot starts.
"""
from __future__ import annotations

import json
import sqlite3
import urllib.parse
from dataclasses import replace
from typing import Any, Dict, List

import pytest
import requests

from bot import texts
from trialbot.servers import on_free_ports
from channels.guard import REFUSAL
from channels.rest import MAX_BODY_BYTES, MAX_MESSAGE_CHARS
from tests.bad_input import BadInput, batches, corpus
from tests.e2e.conftest import TURN_TIMEOUT, BotServers
from tests.review.helpers import AppServer
from web.server import create_app

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


# -- Rasa's own commands, typed ------------------------------------------------------------------------

@pytest.mark.parametrize("number, command", enumerate(["/restart", "/back", '/restart{"consent": false}',
                                                        "/session_start"]))
def test_a_typed_rasa_command_keeps_what_was_collected_and_the_conversation_goes_on(loud_bot, number, command):
    """Rasa's "/restart" forgot every slot and "/back" the previous answer, on a message alone
    (actions/screening.py, TypedRasaCommand). Now: the open question again, nothing collected lost,
    and the next answer is read as the answer to it."""
    sender = f"command-{number}"
    for message in ("hi", "yes"):
        post(loud_bot, {"sender": sender, "message": message})
    asked = post(loud_bot, {"sender": sender, "message": "my platelets were 22k"}).json()[-1]["custom"]["asks"]
    assert asked == ["bleeding_tendency"]
    reply = post(loud_bot, {"sender": sender, "message": command})
    assert reply.status_code == 200 and reply.json()[0]["text"] == texts.UNREADABLE, reply.text
    assert reply.json()[-1]["custom"]["asks"] == asked
    events = stored_events(loud_bot, sender)
    assert not [e["event"] for e in events if e["event"] in ("restart", "rewind", "undo")]
    assert last_value(events, "facts") == {"platelet_count": 22.0} and last_value(events, "consent") is True
    post(loud_bot, {"sender": sender, "message": "yes, I bruise easily"})
    assert last_value(stored_events(loud_bot, sender), "facts") == {"platelet_count": 22.0, "bleeding_tendency": True}


# -- the bad-input corpus ---------------------------------------------------------------------------

def stored_events(bot: BotServers, sender: str) -> List[Dict[str, Any]]:
    """Every event of a conversation in the tracker store, in order, across its sessions."""
    path = bot.settings.tracker_store_url[len("sqlite:///"):]
    with sqlite3.connect(path) as db:
        return [json.loads(data) for (data,) in
                db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


def last_value(events: List[Dict[str, Any]], slot: str) -> Any:
    values = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == slot]
    return values[-1] if values else None


def what(item: BadInput) -> str:
    return f"#{item.number} ({item.category}, {len(item.text)} chars: {item.text[:40]!r})"


def expected_reply(item: BadInput, reply: requests.Response, body: Dict[str, Any]) -> str:
    """What is wrong with the reply to one input of the corpus ("" if nothing)."""
    if reply.status_code >= 500:
        return f"HTTP {reply.status_code}"
    if item.refused:
        ok = reply.status_code == 400 and reply.json()[0]["text"] == REFUSAL
        return "" if ok else f"not refused: HTTP {reply.status_code} {reply.text[:200]}"
    if len(json.dumps(body).encode()) > MAX_BODY_BYTES:
        return "" if reply.status_code == 413 else f"HTTP {reply.status_code} for a body over the limit"
    if reply.status_code != 200:
        return f"HTTP {reply.status_code} {reply.text[:200]}"
    if len(item.text) > MAX_MESSAGE_CHARS:
        return "" if reply.json()[0]["custom"]["refused"] == "too_long" else "not refused as too long"
    return "" if bool(reply.json()) != item.silent else ("no reply" if not item.silent else "answered: drop it from known_silent")


def passed_on(item: BadInput, body: Dict[str, Any]) -> bool:
    return not item.refused and len(item.text) <= MAX_MESSAGE_CHARS and len(json.dumps(body).encode()) <= MAX_BODY_BYTES


def test_the_bad_input_corpus_through_the_rest_channel(loud_bot):
    """Each input in a consented conversation with a question open (twenty to a conversation, so that
    each crosses a session's end; the last sent twice with its message_id): no 5xx, the refusal or an
    answer, no fact stored from any input but the known misreadings (looked at after each message),
    every message passed on stored once and in order."""
    problems: List[str] = []
    for number, batch in enumerate(batches(20)):
        sender = f"corpus-{number}"
        sent, known = ["hi", "yes"], set()
        for message in sent:
            assert post(loud_bot, {"sender": sender, "message": message}).status_code == 200
        for item in batch:
            body = {"sender": sender, "message": item.text, "message_id": f"corpus-{item.number}"}
            reply = post(loud_bot, body)
            problem = expected_reply(item, reply, body)
            if problem:
                problems.append(f"{what(item)}: {problem}")
            if passed_on(item, body) and reply.status_code == 200:
                sent.append(item.text.strip())  # Rasa strips a message's text
            events = stored_events(loud_bot, sender)
            invented = {k: v for slot in ("facts", "held") for k, v in (last_value(events, slot) or {}).items()
                        if v is not None and k not in known}
            if invented and not item.misread:
                problems.append(f"{what(item)}: a fact from junk: {invented}")
            known.update(invented)
        again = post(loud_bot, body)  # the batch's last input, sent again: answered again, not handled twice
        if again.status_code != reply.status_code or again.json() != reply.json():
            problems.append(f"{what(item)} sent again: {again.status_code} {again.text[:200]}")
        stored = [e.get("text") for e in stored_events(loud_bot, sender) if e.get("event") == "user"]
        if stored != sent:
            problems.append(f"conversation {sender}: {len(stored)} messages stored for {len(sent)} passed on")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    # and a normal conversation afterwards
    sender = "after-the-corpus"
    assert "Shall we start" in post(loud_bot, {"sender": sender, "message": "hi"}).json()[-1]["text"]
    assert post(loud_bot, {"sender": sender, "message": "yes"}).json()[-1]["custom"]["asks"] == ["platelet_count"]
    post(loud_bot, {"sender": sender, "message": "my platelets were 22k"})
    assert last_value(stored_events(loud_bot, sender), "facts") == {"platelet_count": 22.0}
    log = loud_bot.log_path.read_text(encoding="utf-8", errors="replace")
    assert not [word for word in ("parsecs", "furlongs", "onerror", "Привет", "lightyears", "sqlite_version")
                if word in log]


def test_the_bad_input_corpus_through_the_website_chats_server():
    """Each input in the page's query string and as a path: refused when it is no text, else served or
    not found; never a 5xx, and the page is served afterwards."""
    problems = []
    with AppServer(create_app("http://127.0.0.1:5005", ["http://127.0.0.1:8080"])) as server:
        for item in corpus():
            # As a browser sends it (UTF-8, percent-encoded); a lone surrogate can only arrive as invalid
            # UTF-8, which the server reads as U+FFFD, a text character.
            encoded = urllib.parse.quote(item.text.encode("utf-8", "surrogatepass"), safe="")
            for url in (f"{server.url}/?lang={encoded}", f"{server.url}/{encoded[:4000]}"):
                reply = requests.get(url, timeout=10)
                surrogate = any(0xD800 <= ord(ch) <= 0xDFFF for ch in item.text)
                if reply.status_code >= 500 or (item.refused and not surrogate and reply.status_code != 400):
                    problems.append(f"{what(item)} at {url[len(server.url):][:30]}: HTTP {reply.status_code}")
        page = requests.get(f"{server.url}/?lang=en", timeout=10)
        assert page.status_code == 200 and "<html" in page.text
    assert not problems, "\n".join(problems[:40])
