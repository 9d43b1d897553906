"""Text that no database can store: the tracker store fails that one message instead of exiting the
Rasa server, the review app refuses it at the door (channels/guard.py), and the review indexer sets
aside an event with such text stored before the doors refused it, and indexes all the others."""
from __future__ import annotations

import asyncio
import html
import json
import urllib.parse

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from trialbot.cli import main
from trialbot.config import PROJECT_ROOT
from channels.guard import REFUSAL
from review.app import create_app
from review.store import InboxQuery
from review.store.tables import events
from review.tracker_store import ErasingSQLTrackerStore, UnstorableText
from tests.review.helpers import (ADMIN_PASSWORD, REVIEWER_PASSWORD, AppServer, Conversation, both_backends, csrf_of, login,
                                  standard_conversations)
from tests.bad_input import corpus
from tests.review.test_review_erasure import start, turn

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.mark.parametrize("database_url, sender", [("sqlite", "x-\ud800"), ("postgresql", "x-\ud800"),
                                                  ("postgresql", "x-\x00")], indirect=["database_url"])
def test_the_tracker_store_fails_the_message_not_the_server(database_url, sender):
    """Rasa's session_scope calls print_error_and_exit (SystemExit) on any ValueError; the driver's
    UnicodeEncodeError (SQLite, surrogates) or ValueError (PostgreSQL, NUL) is one."""
    rasa_store = ErasingSQLTrackerStore(domain=DOMAIN, host=database_url)
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    start(tracker)
    turn(tracker, "hi", "greet", "utter_greet", "Hello!")
    with pytest.raises(UnstorableText):  # not SystemExit
        asyncio.run(rasa_store.save(tracker))
    # the store goes on serving other conversations
    tracker = DialogueStateTracker("a-good-one", DOMAIN.slots)
    start(tracker)
    asyncio.run(rasa_store.save(tracker))
    assert asyncio.run(rasa_store.retrieve("a-good-one")) is not None


@both_backends
def test_the_review_app_refuses_invalid_unicode_in_queries_forms_and_json(server):
    admin = login(server.url, "ada", ADMIN_PASSWORD)
    cid = server.store.inbox(InboxQuery()).rows[0]["id"]
    before = len(server.store.audit_log(limit=1000))
    refused = [
        admin.get(server.url + "/", params={"q": "smith \ufffe"}, timeout=10),
        admin.get(server.url + "/api/conversations", params={"tag": "\ufdd0"}, timeout=10),
        admin.get(server.url + "/export.csv", params={"q": "\U0010fffe"}, timeout=10),
        admin.post(f"{server.url}/conversations/{cid}/notes", data={"note": "call back \uffff", "csrf": admin.csrf},
                   timeout=10),
        admin.post(f"{server.url}/api/conversations/{cid}", data=json.dumps({"note": "call back \ud800"}),
                   headers={"Content-Type": "application/json", "X-CSRF-Token": admin.csrf}, timeout=10),
    ]
    page = requests.get(server.url + "/login", timeout=10)
    refused.append(requests.post(server.url + "/login", data={"username": "ada\ufffe", "password": "x",
                                                              "csrf": csrf_of(page.text)},
                                 cookies=page.cookies, timeout=10))
    for reply in refused:
        assert reply.status_code == 400, (reply.request.url, reply.status_code)
        assert REFUSAL in (reply.json()["error"] if "json" in reply.headers["Content-Type"] else html.unescape(reply.text))
    # text that is valid but no token: refused as a wrong token (403), not a crash (500)
    page = requests.get(server.url + "/login", timeout=10)
    wrong = requests.post(server.url + "/login", data={"username": "ada", "password": "x", "csrf": "é"},
                          cookies=page.cookies, timeout=10)
    assert wrong.status_code == 403
    wrong = admin.post(f"{server.url}/conversations/{cid}/notes", data={"note": "x"}, timeout=10,
                       headers={"X-CSRF-Token": "é".encode().decode("latin-1")})  # sent as UTF-8 bytes
    assert wrong.status_code == 403
    # nothing of it was stored: no note, no audit entry (not even a failed login)
    assert server.store.conversation(cid)["notes"] == []
    assert len(server.store.audit_log(limit=1000)) == before
    # and the app goes on
    assert admin.get(server.url + "/", params={"q": "smith"}, timeout=10).status_code == 200


def test_the_bad_input_corpus_in_the_search_and_login_forms(server):
    """Each input of tests/corpora/bad_input.json as the inbox's and the API's search, and as a user name
    at the login (every input that is no text and the first of each other kind: a login costs a scrypt
    hash by design): refused when it is no text, otherwise answered (found nothing, wrong password),
    never a 5xx; nobody is logged in by it, and the app answers as before afterwards."""
    admin = login(server.url, "ada", ADMIN_PASSWORD)
    page = requests.get(server.url + "/login", timeout=10)
    token, cookies = csrf_of(page.text), page.cookies
    problems = []
    categories = set()
    for item in corpus():
        # as browsers send them: UTF-8, percent-encoded (a lone surrogate as invalid UTF-8: read as U+FFFD)
        encoded = urllib.parse.quote(item.text.encode("utf-8", "surrogatepass"), safe="")
        sent = {
            "inbox search": admin.get(f"{server.url}/?q={encoded}", timeout=10),
            "API search": admin.get(f"{server.url}/api/conversations?q={encoded}", timeout=10),
        }
        if item.refused or item.category not in categories:
            categories.add(item.category)
            sent["login"] = requests.post(f"{server.url}/login", data=f"username={encoded}&password=x&csrf={token}",
                                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                                          cookies=cookies, timeout=10, allow_redirects=False)
        surrogate = any(0xD800 <= ord(ch) <= 0xDFFF for ch in item.text)
        for door, reply in sent.items():
            refused_as_expected = not item.refused or surrogate or reply.status_code == 400
            if reply.status_code >= 500 or not refused_as_expected or (door == "login" and reply.status_code < 400):
                problems.append(f"#{item.number} ({item.category}) in the {door}: HTTP {reply.status_code}")
    assert not problems, "\n".join(problems[:40])
    assert admin.get(server.url + "/", params={"q": "smith"}, timeout=10).status_code == 200
    assert login(server.url, "rita", REVIEWER_PASSWORD).get(server.url + "/", timeout=10).status_code == 200


# -- the indexer: one event that cannot be stored is set aside, not a stop for everything ----------

def bad_conversation(store) -> Conversation:
    """A conversation answered and stored before the channels refused such text: Rasa keeps the
    lone surrogate escaped in its JSON ("\\ud800"), which the indexer decodes and cannot write."""
    return Conversation("sender-bad-unicode").start().turn("hi \ud800 there", "Hello! Shall we start?", "greet", 0.9) \
        .turn("my platelets are 22,000", "Noted.", facts={"platelet_count": 22.0}).save(store)


def bad_event_id(store) -> int:
    with store.engine.connect() as c:
        return c.execute(select(events.c.id).where(events.c.sender_id == "sender-bad-unicode",
                                                   events.c.type_name == "user")).scalars().first()


@both_backends
def test_the_indexer_sets_aside_an_event_it_cannot_store_and_indexes_the_others(store, caplog):
    standard_conversations(store)
    bad_conversation(store)
    report = store.index()
    assert report.set_aside == [bad_event_id(store)]
    assert "Set aside 1 event(s)" in caplog.text and "\ud800" not in caplog.text
    inbox = store.inbox(InboxQuery(per_page=200))
    assert inbox.total == 6
    row = next(r for r in inbox.rows if r["sender_id"] == "sender-bad-unicode")
    assert row["turns"] == 1  # the good message of the conversation is indexed
    assert [m.text for m in store.messages("sender-bad-unicode") if m.kind == "user"] == ["my platelets are 22,000"]
    assert store.inbox(InboxQuery(q="platelets")).total == 2  # the free-text index took the rest
    assert [(e["event_id"], e["field"], e["conversation_id"]) for e in store.set_aside_events()] == \
        [(bad_event_id(store), "data.text", row["id"])]
    # newer events are indexed too, and the event is reported once
    Conversation("sender-after").start().turn("hello", "Hello!", "greet").save(store)
    again = store.index()
    assert again.set_aside == [] and again.conversations == 1
    # erasing the conversation removes its set-aside record with its events
    store.erase("sender-bad-unicode", "test", "test")
    assert store.set_aside_events() == []


@both_backends
def test_inbox_api_exports_and_cli_keep_working(store, auth, database_url, tmp_path, monkeypatch, capsys):
    standard_conversations(store)
    bad_conversation(store)
    app = create_app(store, auth, stories_dir=tmp_path / "stories", domain_path=PROJECT_ROOT / "domain.yml",
                     index_interval=0)
    with AppServer(app) as server:
        admin = login(server.url, "ada", ADMIN_PASSWORD)
        assert admin.get(server.url + "/", timeout=10).status_code == 200  # indexes first
        api = admin.get(server.url + "/api/conversations", params={"per_page": 200}, timeout=10)
        assert api.status_code == 200 and api.json()["total"] == 6
        cid = store.conversation_id_of("sender-bad-unicode")
        for path in (f"/conversations/{cid}", f"/api/conversations/{cid}", "/export.json", "/export.csv?rows=messages",
                     f"/conversations/{cid}?unmask=1"):
            reply = admin.get(server.url + path, timeout=10)
            assert reply.status_code == 200, (path, reply.status_code)
            assert "my platelets are 22,000" in reply.text or path == "/export.csv?rows=messages" \
                or "platelets" in reply.text, path
    monkeypatch.setenv("TRIALBOT_TRACKER_STORE_URL", database_url)
    assert main(["review", "list"]) == 0
    assert "6 conversation(s)" in capsys.readouterr().out
    assert main(["review", "show", str(cid)]) == 0
    assert "my platelets are 22,000" in capsys.readouterr().out
    assert main(["review", "index"]) == 0
    out = capsys.readouterr().out
    assert f"event {bad_event_id(store)} (conversation {cid}): data.text" in out and "1 event(s) set aside" in out
