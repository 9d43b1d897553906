"""End-to-end fixtures: the real action server and Rasa server, driven through the REST channel.

One pair of servers is shared by the whole session (starting Rasa takes ~30-60 s); each test uses
fresh sender ids, so conversations never see each other. The trials are loaded into a throw-away
SQLite database and the conversations are kept in a throw-away SQLite tracker store, so a restart
of the servers (see ``BotServers.restart``) finds every conversation where it was.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Collection, Dict, List, Mapping, Optional

import pytest
import requests

from bot.store import TrialStore
from trialbot.config import PROJECT_ROOT, Settings, load_settings
from trialbot.servers import on_free_ports, running_bot
from tests.contract import asks_a_list

MODEL = PROJECT_ROOT / "models" / "trialbot.tar.gz"
TRIAL_ID = "NCT05236582"
TURN_TIMEOUT = 60  # seconds for one REST turn
START_TIMEOUT = 240  # seconds for each server to come up on a busy 2-core machine

Message = Dict[str, Any]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class BotServers:
    """The running bot, and how to restart it on the same ports and databases."""

    settings: Settings
    log_path: Path
    _running: Any = field(default=None, repr=False)

    @property
    def webhook(self) -> str:
        return f"{self.settings.rasa_url}/webhooks/rest/webhook"

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def start(self) -> None:
        log = self.log_path.open("a", encoding="utf-8")
        context = running_bot(self.settings, log=log, timeout=START_TIMEOUT)
        try:
            context.__enter__()
        except Exception as exc:  # noqa: BLE001 - any failure to start is reported with the log
            log.close()
            pytest.fail(f"The bot's servers did not start: {exc!r}\n--- tail of {self.log_path} ---\n"
                        f"{self.log_tail()}", pytrace=False)
        self._running = (context, log)

    def stop(self) -> None:
        if self._running is not None:
            context, log = self._running
            self._running = None
            try:
                context.__exit__(None, None, None)
            finally:
                log.close()

    def restart(self) -> None:
        """Stop both servers and start them again (same ports, trial DB and tracker DB)."""
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def bot_settings(tmp_path_factory) -> Settings:
    """Settings for a private bot: temporary trial DB and tracker store, free ports."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: the end-to-end tests need one. "
                    "Train it first with: make models/trialbot.tar.gz", pytrace=False)
    tmp = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{tmp / 'trials.db'}"
    loaded = TrialStore(database_url).load_directory(PROJECT_ROOT / "data")
    assert TRIAL_ID in loaded, loaded
    settings = replace(load_settings(), database_url=database_url,
                       tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
                       model=str(MODEL), default_trial=TRIAL_ID, host="127.0.0.1", log_level="INFO")
    return on_free_ports(settings)


@pytest.fixture(scope="session")
def bot(bot_settings, tmp_path_factory):
    servers = BotServers(bot_settings, tmp_path_factory.mktemp("e2e-logs") / "servers.log")
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def server_log_on_failure(bot, request):
    """Print the tail of the servers' log when a test failed (shown with the failure)."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- tail of {bot.log_path} ---\n{bot.log_tail()}")


# -- the client --------------------------------------------------------------------------------

_YES = re.compile(r"^(?:/affirm|yes|yeah|yep|i do|i have|i am|i think so)\b", re.IGNORECASE)
_NO = re.compile(r"^(?:/deny|no|nope|never|none|not|i don't|i do not|i haven't)\b", re.IGNORECASE)


def says_yes(answer: str) -> bool:
    return bool(_YES.match(answer.strip()))


def says_no(answer: str) -> bool:
    return bool(_NO.match(answer.strip()))


def _is_question(message: Mapping[str, Any]) -> bool:
    custom = message.get("custom") or {}
    return isinstance(custom, dict) and "asks" in custom


def _has_verdict(message: Mapping[str, Any]) -> bool:
    custom = message.get("custom") or {}
    return isinstance(custom, dict) and "verdict" in custom


class Chat:
    """One conversation with the bot over the REST channel, with a fresh sender id.

    ``say(text)`` returns the bot's messages for one turn, each a dict with ``text``, ``buttons``
    and ``custom`` (the reply contract). The transcript is kept for failure messages.
    """

    def __init__(self, bot: BotServers, sender: Optional[str] = None,
                 metadata: Optional[Dict[str, Any]] = None) -> None:
        self.bot = bot
        self.sender = sender or f"e2e-{uuid.uuid4().hex}"
        self.metadata = metadata  # sent with every message, as the web page sends its language
        self.transcript: List[str] = []
        self.turns: List[List[Message]] = []
        self.asked: List[List[str]] = []  # the `asks` of every question the bot put, in order
        self.read_backs: List[Dict[str, Any]] = []  # what each read-back before a verdict listed
        self.checked_back: List[Dict[str, Any]] = []  # the readings offered back for confirmation

    # -- talking ---------------------------------------------------------------------------
    def say(self, text: str) -> List[Message]:
        shown = text if len(text) <= 160 else f"{text[:160]}... ({len(text)} characters)"
        self.transcript.append(f"you> {shown!r}" if not text.strip() else f"you> {shown}")
        try:
            body = {"sender": self.sender, "message": text, **({"metadata": self.metadata} if self.metadata else {})}
            reply = requests.post(self.bot.webhook, json=body, timeout=TURN_TIMEOUT)
        except requests.RequestException as exc:
            raise AssertionError(f"REST call failed: {exc!r}\n{self.log()}\n--- server log ---\n"
                                 f"{self.bot.log_tail()}") from exc
        assert reply.status_code == 200, f"HTTP {reply.status_code}: {reply.text[:500]}\n{self.log()}"
        messages = reply.json()
        assert isinstance(messages, list), messages
        for m in messages:
            self.transcript.append("bot> " + (m.get("text") or "").replace("\n", "\n     "))
            custom = m.get("custom")
            if custom:
                shown_custom = {k: v for k, v in custom.items() if k != "verdict"}
                if isinstance(custom.get("verdict"), list):  # a ranked catalogue: the first few
                    shown_custom["verdict"] = [f"{v['trial_id']}:{v['status']}" for v in custom["verdict"][:5]]
                elif "verdict" in custom:
                    v = custom["verdict"]
                    shown_custom["verdict"] = {"status": v["status"], "not_met": [
                        c["id"] for c in v["criteria"] if c["status"] == "not_met"]}
                self.transcript.append(f"     custom={json.dumps(shown_custom)}")
            if _is_question(m):
                self.asked.append(list(m["custom"]["asks"]))
        self.turns.append(messages)
        return messages

    def start(self, greeting: str = "hi") -> List[Message]:
        """Greet and consent; returns the turn with the first health question."""
        welcome = self.say(greeting)
        assert self.asks(welcome) == ["consent"], self.log()
        return self.say("/affirm")

    def confirm_read_back(self) -> List[Message]:
        """Confirm the read-back the last turn ended on (the facts that decided the verdict); the verdict turn."""
        question = self.question(self.turns[-1])
        assert question is not None and "read_back" in question, f"no read-back before the verdict\n{self.log()}"
        self.read_backs.append(question["read_back"])
        return self.say("/affirm")

    def facts(self) -> Dict[str, Any]:
        """Ask "what have I told you?" and return the facts the bot shows (its `custom`)."""
        messages = self.say("what have I told you so far?")
        found = [m["custom"]["facts"] for m in messages if "facts" in (m.get("custom") or {})]
        assert found, f"no facts summary in the reply\n{self.log()}"
        return found[-1]

    # -- reading the replies ------------------------------------------------------------------
    @staticmethod
    def question(messages: List[Message]) -> Optional[Dict[str, Any]]:
        """The `custom` payload of the last question in a turn, if it asked one."""
        questions = [m["custom"] for m in messages if _is_question(m)]
        return questions[-1] if questions else None

    def asks(self, messages: Optional[List[Message]] = None) -> Optional[List[str]]:
        """The fact keys of the last question in a turn (by default the latest turn)."""
        question = self.question(self.turns[-1] if messages is None else messages)
        return list(question["asks"]) if question else None

    @staticmethod
    def verdict_message(messages: List[Message]) -> Optional[Message]:
        found = [m for m in messages if _has_verdict(m)]
        return found[-1] if found else None

    def verdict(self, messages: Optional[List[Message]] = None) -> Optional[Dict[str, Any]]:
        """The verdict payload of a turn (by default the latest), if it gave one."""
        message = self.verdict_message(self.turns[-1] if messages is None else messages)
        return message["custom"]["verdict"] if message else None

    @staticmethod
    def texts(messages: List[Message]) -> str:
        return "\n".join(m.get("text") or "" for m in messages)

    def all_texts(self) -> str:
        return "\n".join(self.texts(messages) for messages in self.turns)

    def last_texts(self) -> str:
        return self.texts(self.turns[-1])

    def log(self) -> str:
        return f"--- conversation {self.sender} ---\n" + "\n".join(self.transcript)

    # -- driving a whole screening -----------------------------------------------------------
    def complete(self, profile: Mapping[str, str], given: Collection[str] = (), max_turns: int = 60) -> Message:
        """Answer every question from ``profile`` (fact key -> what the person types) until a verdict.

        Reads ``asks`` of each question, so the order of the questions does not matter. A bundled
        question ("do you have any of these?") is answered "yes" if the profile says yes to any of
        its facts, "no" if to none; facts asked together ("How old are you, and are you a man or a
        woman?") get their answers in one message. Fails if a question asks again about a fact that was already
        answered or is in ``given`` (facts volunteered earlier). Returns the verdict message.
        """
        answered = set(given)
        messages = self.turns[-1]
        for _ in range(max_turns):
            verdict = self.verdict_message(messages)
            if verdict is not None:
                return verdict
            question = self.question(messages)
            assert question is not None, f"the bot neither asked a question nor gave a verdict\n{self.log()}"
            if "read_back" in question:  # the facts that decided the verdict, for the person to confirm
                self.read_backs.append(question["read_back"])
                messages = self.say("/affirm")
                continue
            if "confirm" in question:  # a reading offered back: the profile's own answer was meant
                self.checked_back.append(question["confirm"])
                messages = self.say("/affirm")
                continue
            asks = list(question["asks"])
            again = set(asks) & answered
            assert not again, f"the bot asked again about {sorted(again)}, already answered\n{self.log()}"
            missing = [k for k in asks if k not in profile]
            assert not missing, f"unexpected question about {missing}: not in the test profile\n{self.log()}"
            if len(asks) == 1:
                answer = profile[asks[0]]
                answered.add(asks[0])
            elif not asks_a_list(question):  # facts asked together: each said; one not told apart is asked alone
                answer = ", ".join(profile[k] for k in asks)
            else:
                answers = [profile[k] for k in asks]
                buttons = any(a.startswith("/") for a in answers)
                if any(says_yes(a) for a in answers):
                    answer = "/affirm" if buttons else "yes"
                else:
                    answer = ("/deny" if buttons else "no") if all(says_no(a) for a in answers) else "I don't know"
                    answered.update(asks)
            assert question["answer_type"] in ("yes_no", "number", "duration", "date", "choice", "text"), question
            messages = self.say(answer)
        raise AssertionError(f"no verdict after {max_turns} answers\n{self.log()}")

    def check_verdict(self, message: Message, status: str, not_met: Collection[str] = (),
                      unknown: Collection[str] = ()) -> Dict[str, Any]:
        """The verdict has ``status``; exactly ``not_met`` rule out; ``unknown`` are still open.

        The explanation of each decisive criterion must be in the verdict's text.
        """
        verdict = message["custom"]["verdict"]
        text = message.get("text") or ""
        context = self.log()
        assert verdict["trial_id"] == TRIAL_ID, context
        by_id = {c["id"]: c for c in verdict["criteria"]}
        actual_not_met = sorted(c["id"] for c in verdict["criteria"] if c["status"] == "not_met")
        assert (verdict["status"], actual_not_met) == (status, sorted(not_met)), context
        for criterion_id in [*not_met, *unknown]:
            assert criterion_id in by_id, f"{criterion_id} not in the verdict payload\n{context}"
            assert by_id[criterion_id]["explanation"] in text, \
                f"the explanation of {criterion_id} is not in the verdict text\n{context}"
        for criterion_id in unknown:
            assert by_id[criterion_id]["status"] == "unknown", f"{criterion_id}: {by_id[criterion_id]}\n{context}"
        if status == "likely_eligible":
            open_for_patient = [c["id"] for c in verdict["criteria"]
                                if c["status"] == "unknown" and c.get("to_confirm_by") == "patient"]
            assert not open_for_patient, context
            assert "likely to be eligible" in text, context
        if status == "uncertain":
            for criterion_id in unknown:
                assert by_id[criterion_id].get("to_confirm_by") == "patient", context
        return verdict


@pytest.fixture
def chat(bot, server_log_on_failure):
    """A factory of fresh conversations: ``chat()`` (or ``chat("sender-id")``, ``chat(metadata={...})``)."""
    return lambda sender=None, metadata=None: Chat(bot, sender, metadata)
