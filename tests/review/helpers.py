"""Helpers for the review tests: Rasa-like events, databases on both backends, the app in a thread."""
from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional

import requests
from aiohttp import web
from sqlalchemy import create_engine, insert, text

from review.store import ReviewStore
from review.store.tables import events
from trialbot.servers import free_port

POSTGRES_ADMIN_URL = os.environ.get("TRIALBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_PASSWORD = "admin-password-1"
REVIEWER_PASSWORD = "reviewer-password-1"


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database with a unique name, dropped afterwards."""
    name = f"trialbot_review_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- events as Rasa's SQL tracker store writes them -------------------------------------------------

@dataclass
class Conversation:
    """Builds the events of one conversation, shaped like Rasa 3.6's (see review/transcript.py)."""

    sender: str
    at: float = field(default_factory=lambda: time.time() - 3600)
    channel: str = "rest"
    rows: List[Dict[str, Any]] = field(default_factory=list)

    def _add(self, type_name: str, data: Dict[str, Any], intent: Optional[str] = None,
             action: Optional[str] = None) -> "Conversation":
        self.at += 0.5
        data = {"event": type_name, "timestamp": self.at, **data}
        self.rows.append({"sender_id": self.sender, "type_name": type_name, "timestamp": self.at,
                          "intent_name": intent, "action_name": action, "data": json.dumps(data)})
        return self

    def start(self) -> "Conversation":
        self.action("action_session_start")
        self._add("session_started", {})
        return self.action("action_listen")

    def action(self, name: str) -> "Conversation":
        return self._add("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)

    def user(self, text_: str, intent: str = "inform", confidence: float = 0.95,
             ranking: Optional[List[Dict[str, Any]]] = None) -> "Conversation":
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text_,
                 "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
        return self._add("user", {"text": text_, "parse_data": parse, "input_channel": self.channel}, intent=intent)

    def fallback(self, text_: str, guess: str = "dont_know", confidence: float = 0.3) -> "Conversation":
        return self.user(text_, "nlu_fallback", 0.45, [{"name": "nlu_fallback", "confidence": 0.45},
                                                       {"name": guess, "confidence": confidence}])

    def bot(self, text_: str, custom: Optional[Dict[str, Any]] = None, buttons: Optional[List] = None
            ) -> "Conversation":
        return self._add("bot", {"text": text_, "data": {"buttons": buttons, "custom": custom}})

    def slot(self, name: str, value: Any) -> "Conversation":
        return self._add("slot", {"name": name, "value": value}, action=name)

    def turn(self, text_: str, reply: str, intent: str = "inform", confidence: float = 0.95,
             action: str = "action_screen", **slots: Any) -> "Conversation":
        self.user(text_, intent, confidence).action(action).bot(reply)
        for name, value in slots.items():
            self.slot(name, value)
        return self.action("action_listen")

    def verdict(self, trial_id: str, status: str) -> "Conversation":
        payload = {"verdict": {"trial_id": trial_id, "status": status, "criteria": [
            {"id": "inc-age", "kind": "inclusion", "status": "met" if status != "not_eligible" else "not_met",
             "text": "Aged ≥18 years old", "explanation": "You are 18 or older." if status != "not_eligible"
             else "The study is for adults."}]}}
        self.bot(f"Verdict: {status}", custom=payload)
        self.slot("verdict", status)
        return self.slot("trial_id", trial_id)

    def save(self, store: ReviewStore) -> "Conversation":
        """Appends the events not saved yet (like Rasa's save after a turn)."""
        pending = [r for r in self.rows if not r.get("_saved")]
        if pending:
            with store.engine.begin() as c:
                c.execute(insert(events), [{k: v for k, v in r.items() if not k.startswith("_")} for r in pending])
            for r in pending:
                r["_saved"] = True
        return self


def standard_conversations(store: ReviewStore) -> Dict[str, Conversation]:
    """Five conversations covering the inbox's fields and filters."""
    made = {
        "eligible": Conversation("sender-eligible").start()
        .turn("hi", "Hello! Shall we start?", "greet", 0.99, offer="consent")
        .turn("yes", "What was your most recent platelet count?", "affirm", 0.99, consent=True)
        .turn("my platelets are 22,000 and I'm 62", "Noted.", facts={"platelet_count": 22.0, "age": 62})
        .verdict("NCT05236582", "likely_eligible").action("action_listen"),
        "fallbacks": Conversation("sender-fallbacks").start()
        .turn("hello", "Hello! Shall we start?", "greet", 0.99)
        .fallback("asdkjh qwe").action("action_screen").bot("Sorry, I didn't quite understand.", custom={"not_understood": True})
        .slot("misunderstood", 1).action("action_listen")
        .fallback("zzzz blorp").action("action_screen").bot("Let's leave that one as not known.")
        .slot("misunderstood", 0).action("action_listen")
        .turn("maybe", "Do you have diabetes?", "affirm", 0.41),
        "human": Conversation("sender-human", channel="socketio").start()
        .turn("I'm 17", "You are not eligible.", facts={"age": 17})
        .verdict("NCT05236582", "not_eligible")
        .turn("can I talk to a real person? this is useless", "I'm an automated assistant.", "bot_challenge", 0.8,
              action="utter_iamabot"),
        "private": Conversation("+44 7700 900123").start()
        .turn("my name is John Smith, email john.smith@example.com, phone 07700 900123",
              "Noted.", "inform", 0.9)
        .turn("I was born on 3 March 1960 and live at 12 Baker Street", "Thank you.", "inform", 0.9),
        "matching": Conversation("sender-matching").start()
        .turn("which trials could I join for lung cancer?", "Here are 2 trials.", "ask_eligibility", 0.97)
        .bot("Ranking", custom={"verdict": [{"trial_id": "NCT00000001", "status": "uncertain", "criteria": []},
                                            {"trial_id": "NCT00000002", "status": "not_eligible", "criteria": []}]})
        .slot("verdict", "uncertain"),
    }
    for conversation in made.values():
        conversation.save(store)
    return made


PLATELETS = {"asks": ["platelet_count"], "answer_type": "number", "unit": "10^9/L"}
BOOSTERS = {"asks": ["platelet_boosters_failed"], "answer_type": "yes_no", "unit": None}


def misread(sender: str) -> Conversation:
    """The platelet question asked again after an answer not understood (the second time in a later
    save, so that the repeat spans two runs of the indexer), a check-back, a correction, a
    read-back and a person asking for a human, marked as the engine marks its replies."""
    return (Conversation(sender).start()
            .user("yes", "affirm", 0.99).action("action_screen")
            .bot("What was your most recent platelet count?", custom=PLATELETS).action("action_listen")
            .user("idk lol").action("action_screen")
            .bot("Sorry, I didn't understand that (in 10^9/L).", custom={"not_understood": True})
            .bot("What was your most recent platelet count?", custom=PLATELETS).action("action_listen"))


def misread_continued(conversation: Conversation) -> Conversation:
    return (conversation
            .user("不").action("action_screen")
            .bot("I can only read English.", custom={"not_understood": True})
            .bot("What was your most recent platelet count?", custom=PLATELETS).action("action_listen")
            .user("25").action("action_screen").slot("facts", {"platelet_count": 25.0})
            .bot("Did medicines to raise your platelets not work?", custom=BOOSTERS).action("action_listen")
            .user("they gave me some jabs, didn't do much").action("action_screen")
            .bot("Just to check: rhTPO did not raise your platelets enough, is that right?",
                 custom={**BOOSTERS, "confirm": {"platelet_boosters_failed": True}}).action("action_listen")
            .user("no").action("action_screen")
            .bot("Did medicines to raise your platelets not work?", custom=BOOSTERS).action("action_listen")
            .user("sorry, it was 20").action("action_screen").slot("facts", {"platelet_count": 20.0})
            .bot("Updated platelet count: 25 → 20.", custom={"updated": ["platelet_count"]})
            .bot("Updated age: 61 → 62.")  # an older reply: only its text says so
            .bot("Before the result: platelet count 20, age 62. Is that right?",
                 custom={"asks": ["read_back"], "answer_type": "yes_no", "read_back": {"platelet_count": 20.0}})
            .action("action_listen")
            .user("I want to speak to someone", "ask_study").action("action_screen")
            .bot("You can reach the study team at ...", custom={"handoff": True}).action("action_listen"))


# -- the app in a thread ----------------------------------------------------------------------------

class AppServer:
    """An aiohttp application served on a free port from a background thread."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> "AppServer":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def __exit__(self, *exc: Any) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def csrf_of(html_text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html_text)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(base_url: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10)
    reply = session.post(f"{base_url}/login", data={"username": user, "password": password,
                                                    "csrf": csrf_of(page.text), "next": "/"},
                         allow_redirects=False, timeout=10)
    assert reply.status_code == 302, reply.text[:500]
    session.csrf = session.get(f"{base_url}/api/me", timeout=10).json()["csrf"]  # type: ignore[attr-defined]
    return session


both_backends = __import__("pytest").mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
