"""Text that no database can store: the tracker store fails that one message instead of exiting the
Rasa server, and the review app refuses it at the door (channels/guard.py)."""
from __future__ import annotations

import asyncio
import html
import json

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from channels.guard import REFUSAL
from review.app import create_app
from review.store import InboxQuery
from review.tracker_store import ErasingSQLTrackerStore, UnstorableText
from tests.review.helpers import ADMIN_PASSWORD, AppServer, both_backends, csrf_of, login, standard_conversations
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


@pytest.fixture
def server(store, auth, tmp_path):
    standard_conversations(store)
    store.index()
    app = create_app(store, auth, stories_dir=tmp_path / "stories", domain_path=PROJECT_ROOT / "domain.yml",
                     index_interval=0)
    with AppServer(app) as running:
        running.store = store
        yield running


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
    # nothing of it was stored: no note, no audit entry (not even a failed login)
    assert server.store.conversation(cid)["notes"] == []
    assert len(server.store.audit_log(limit=1000)) == before
    # and the app goes on
    assert admin.get(server.url + "/", params={"q": "smith"}, timeout=10).status_code == 200
