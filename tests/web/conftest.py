"""Website chat fixtures: the real bot behind a load balancer, driven in headless Chromium.

One set of servers is shared by the whole session:

- the action server, and **two** Rasa servers on the same SQL tracker store (throw-away SQLite)
  behind a round-robin load balancer, so that consecutive turns of a conversation are answered by
  different Rasa servers, as they would be with several instances in production;
- the chat's web server (web/), whose page talks to the load balancer;
- a "clinic" site on another origin that embeds the chat with one script tag.

Chromium is Debian's (/usr/bin/chromium, installed by `make test`), driven by Playwright; no
browser is downloaded. Each test gets a fresh browser context (its own localStorage), so tests
never share a conversation.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from playwright.sync_api import Error as PlaywrightError

from bot.store import TrialStore
from tests.contract import WEBHOOK, problems
from tests.e2e.conftest import _tail
from tests.web.helpers import RoundRobin, StaticSite
from trialbot.config import PROJECT_ROOT, Settings, load_settings
from trialbot.servers import Server, free_port, on_free_ports, rasa_server_command, running_bot, start

MODEL = PROJECT_ROOT / "models" / "trialbot.tar.gz"
TRIAL_ID = "NCT05236582"
CHROMIUM = Path(os.environ.get("TRIALBOT_CHROMIUM", "/usr/bin/chromium"))
# Debian's Chromium, headless, with nothing that reaches out to the internet.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                 "--disable-dev-shm-usage"]
STRINGS: Dict[str, Any] = json.loads((PROJECT_ROOT / "web" / "static" / "i18n" / "en.json").read_text("utf-8"))
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"  # kept from each run; `make screenshot` copies it to docs/
FAILURES = PROJECT_ROOT / "var" / "web-test-failures"  # screenshots of the pages of a failed test
TURN_TIMEOUT_MS = 60_000


def text(key: str, **params: Any) -> str:
    """A string of the chat page (web/static/i18n/en.json), e.g. text("input.label")."""
    value: Any = STRINGS
    for part in key.split("."):
        value = value[part]
    for name, param in params.items():
        value = value.replace("{" + name + "}", str(param))
    return value


def pytest_collection_modifyitems(config, items):
    """Every test under tests/web is an end-to-end test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class WebBot:
    settings: Settings
    balancer: RoundRobin
    clinic: StaticSite
    log_path: Path

    @property
    def page_url(self) -> str:
        return self.settings.web_url

    @property
    def page_origin(self) -> str:
        return self.settings.web_url.rstrip("/")

    @property
    def webhook(self) -> str:
        return f"{self.settings.bot_url}/webhooks/rest/webhook"

    def log_tail(self) -> str:
        return _tail(self.log_path)


CLINIC_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Tianjin clinic: clinical trials</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>button { background: rgb(255, 0, 0) !important; font-size: 30px; } p { color: rgb(0, 100, 0); }</style></head>
<body><h1>Our clinical trials</h1><p>Check whether our platelet study could suit you:</p>
<script src="{web}chat.js"></script>
<p id="after-chat">Questions? Call the study coordinator.</p></body></html>
"""


REDIS_LOCKS = "redis://127.0.0.1:6379/1"


@pytest.fixture(scope="session")
def web_bot(tmp_path_factory) -> Iterator[WebBot]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}. Train it first with: make models/trialbot.tar.gz", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"No Chromium at {CHROMIUM}. `make test` installs Debian's chromium package "
                    "(apt-get install chromium).", pytrace=False)
    tmp = tmp_path_factory.mktemp("web")
    database_url = f"sqlite:///{tmp / 'trials.db'}"
    assert TRIAL_ID in TrialStore(database_url).load_directory(PROJECT_ROOT / "data")
    settings = on_free_ports(replace(
        load_settings(), database_url=database_url, tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
        model=str(MODEL), default_trial=TRIAL_ID, host="127.0.0.1", log_level="INFO"))
    balancer_port, clinic_port, second_port = free_port(), free_port(), free_port()
    web_origin = f"http://127.0.0.1:{settings.web_port}"
    clinic_origin = f"http://127.0.0.1:{clinic_port}"
    # Two Rasa servers share their conversation locks in the Redis server on 127.0.0.1:6379.
    settings = replace(settings, web_bot_url=f"http://127.0.0.1:{balancer_port}",
                       cors_origins=(web_origin, f"http://localhost:{settings.web_port}", clinic_origin),
                       lock_store_url=REDIS_LOCKS)
    second = replace(settings, rasa_port=second_port)
    log_path = tmp / "servers.log"
    with log_path.open("a", encoding="utf-8") as log, ThreadPoolExecutor(1) as pool, ExitStack() as stack:
        # The second Rasa server loads its model while the action server and the first one start.
        starting = pool.submit(start, rasa_server_command(second), second.rasa_environment(), log, "rasa-2",
                               f"{second.rasa_url}/webhooks/rest/", 300)
        stack.callback(lambda: _stop_when_started(starting))
        try:
            stack.enter_context(running_bot(settings, log=log, timeout=300, web=True))
            starting.result()
        except Exception as exc:
            pytest.fail(f"the bot's servers did not start: {exc}\n--- tail of {log_path} ---\n{_tail(log_path)}",
                        pytrace=False)
        balancer = stack.enter_context(RoundRobin(balancer_port, [settings.rasa_url, second.rasa_url]))
        clinic = stack.enter_context(StaticSite(clinic_port, CLINIC_PAGE.replace("{web}", settings.web_url)))
        yield WebBot(settings, balancer, clinic, log_path)


def _stop_when_started(starting: "Future[Server]") -> None:
    try:
        server = starting.result()
    except Exception:
        return
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class ChatPage:
    """The chat in one browser page, used as a person would: clicking, typing, pressing keys."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.url = url
        self.errors: List[str] = []
        self.webhook_posts: List[str] = []
        self.requested: List[str] = []  # every URL the page asked for
        self.contract_breaches: List[str] = []  # the widget's replies that break the reply contract
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("request", lambda request: self.webhook_posts.append(request.url)
                if request.method == "POST" and request.url.endswith("/webhooks/rest/webhook") else None)
        page.on("response", self._check_reply)
        page.set_default_timeout(TURN_TIMEOUT_MS)

    def _check_reply(self, response) -> None:
        """Each reply the widget receives, checked against the reply contract as it arrives. A server
        error (5xx) is no reply: what the widget does with one is tested on its own ("retry")."""
        if response.request.method != "POST" or not response.url.split("?")[0].endswith(WEBHOOK):
            return
        if response.status >= 500:
            return
        try:
            body = response.body()
        except PlaywrightError:  # the page went away (a reload) before the reply could be read: nothing to check
            return
        try:
            messages = json.loads(body)
        except ValueError as exc:  # a reply the widget cannot read breaks the contract too
            self.contract_breaches.append(f"{response.url} (HTTP {response.status}): not JSON: {exc!r}")
            return
        if not isinstance(messages, list):
            self.contract_breaches.append(f"{response.url}: not a list of bot messages: {messages!r:.600}")
            return
        self.contract_breaches += [f"{message!r:.600}: {breach}" for message in messages
                                   for breach in [problems(message)] if breach]

    def assert_replies_follow_contract(self) -> None:
        assert not self.contract_breaches, "replies the widget received break the reply contract:\n" + \
            "\n".join(self.contract_breaches)

    # -- the page ----------------------------------------------------------------------------------
    def open(self, url: Optional[str] = None) -> "ChatPage":
        self.page.goto(url or self.url)
        self.page.wait_for_function("() => { const h = document.querySelector('.trialbot-chat-host');"
                                    " return h && h.trialbotChat && !h.trialbotChat.busy"
                                    " && h.trialbotChat.transcript.length > 0; }")
        return self

    def reload(self) -> "ChatPage":
        self.page.reload()
        self.page.wait_for_function("() => { const h = document.querySelector('.trialbot-chat-host');"
                                    " return h && h.trialbotChat && !h.trialbotChat.busy; }")
        return self

    def js(self, expression: str) -> Any:
        """Evaluates ``expression`` with ``chat`` (the widget) and ``root`` (its shadow root) in scope."""
        return self.page.evaluate("() => { const host = document.querySelector('.trialbot-chat-host');"
                                  " const chat = host.trialbotChat, root = host.shadowRoot;"
                                  f" return ({expression}); }}")

    @property
    def turns(self) -> int:
        return self.js("chat.turns")

    def wait_for_reply(self, turns_before: int) -> None:
        self.page.wait_for_function(
            "(n) => { const c = document.querySelector('.trialbot-chat-host').trialbotChat;"
            " return c.turns > n && !c.busy; }", arg=turns_before)
        self.assert_replies_follow_contract()

    def transcript(self) -> List[Dict[str, Any]]:
        return self.js("chat.transcript")

    def session_id(self) -> str:
        return self.page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith('.session'))"
                                  ".map(k => localStorage.getItem(k))[0]")

    # -- reading -----------------------------------------------------------------------------------
    @property
    def input(self):
        return self.page.get_by_role("textbox", name=text("input.label"))

    @property
    def suggestions(self):
        return self.page.get_by_role("group", name=text("input.suggestions"))

    def open_question(self) -> Optional[Dict[str, Any]]:
        """The ``custom`` of the last question since the person's last message, if there is one."""
        for entry in reversed(self.transcript()):
            if entry["from"] == "user":
                return None
            custom = entry.get("custom") or {}
            if custom.get("asks"):
                return custom
        return None

    def asks(self) -> Optional[List[str]]:
        """What the open question asks."""
        question = self.open_question()
        return list(question["asks"]) if question else None

    def suggestion_titles(self) -> List[str]:
        return self.js("Array.from(root.querySelectorAll('.tb-replies .tb-reply')).map(b => b.textContent)")

    def bot_texts(self) -> str:
        return "\n".join(e.get("text") or "" for e in self.transcript() if e["from"] == "bot")

    def verdict(self) -> Optional[Dict[str, Any]]:
        """The last verdict the bot sent (the reply contract), as the widget received it."""
        found = [e["custom"]["verdict"] for e in self.transcript()
                 if e["from"] == "bot" and isinstance((e.get("custom") or {}).get("verdict"), dict)]
        return found[-1] if found else None

    @property
    def card(self):
        return self.page.locator(".tb-verdict").last

    def log(self) -> str:
        lines = []
        for entry in self.transcript():
            who = {"user": "you", "bot": "bot"}.get(entry["from"], entry["from"])
            lines.append(f"{who}> {(entry.get('text') or '')[:300]}")
        return "\n".join(lines)

    # -- acting ------------------------------------------------------------------------------------
    def click(self, title: str) -> None:
        """Clicks a suggested answer by its title, and waits for the reply."""
        before = self.turns
        self.suggestions.get_by_role("button", name=title, exact=True).click()
        self.wait_for_reply(before)

    def say(self, message: str) -> None:
        """Types a message in the text box, presses Enter, and waits for the reply."""
        before = self.turns
        self.input.fill(message)
        self.input.press("Enter")
        self.wait_for_reply(before)

    def toolbar(self, name: str) -> None:
        self.page.get_by_role("group", name=text("toolbar.label")).get_by_role("button", name=name, exact=True).click()


@pytest.fixture
def new_chat(browser, web_bot, request):
    """A factory of chat pages, each in a fresh browser context unless given one."""
    contexts, pages = [], []

    def make(viewport=None, context=None, url: Optional[str] = None) -> ChatPage:
        if context is None:
            context = browser.new_context(viewport=viewport or {"width": 1024, "height": 800})
            contexts.append(context)
        pages.append(ChatPage(context.new_page(), url or web_bot.page_url))
        return pages[-1]

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                try:
                    FAILURES.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(FAILURES / f"{request.node.name}-{n}-{m}.png"), full_page=True)
                except Exception:
                    pass
        print(f"--- tail of {web_bot.log_path} ---\n{web_bot.log_tail()}")
    for context in contexts:
        context.close()
    for chat in pages:  # what arrived after the test's last wait too
        chat.assert_replies_follow_contract()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
