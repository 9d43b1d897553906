"""The chat in Simplified Chinese in a real browser (Debian's headless Chromium): the page and the
widget's own text, choosing the language, and following the conversation's language.

The widget talks to a small HTTP server that answers like the bot's REST channel in English or
Chinese, with ``custom.language`` in every reply: what is tested here is the widget, not the bot's
Chinese (a whole Chinese screening against the real bot is the integration's test). The chat page
is the real chat server (web/server.py).
"""
from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

import pytest
from aiohttp import web

from tests.web.conftest import ChatPage
from tests.web.helpers import StaticSite, _ThreadedServer
from trialbot.servers import free_port
from web.server import I18N, create_app

ZH: Dict[str, Any] = json.loads((I18N / "zh-CN.json").read_text("utf-8"))
EN: Dict[str, Any] = json.loads((I18N / "en.json").read_text("utf-8"))
# Latin words a Chinese patient may see in the chat: the trial's registry id and the unit ×10⁹/L.
ALLOWED_LATIN = {"NCT", "L"}
TRIAL_ID = "NCT05236582"
ENGLISH_PLEASE, CHINESE_PLEASE = "English please", "请用中文"
SLOW, BROKEN = "慢慢来", "出错了"  # a reply that takes a while; an HTTP 500
HAN = re.compile(r"[\u4e00-\u9fff]")

# What the stand-in bot says, in each language. The trial's criteria keep their registered
# (English) wording, as the real bot's do; the widget shows them under "the trial's wording".
SAYS = {
    "en": {"welcome": "Hello, I check whether a clinical trial could suit you.", "consent": "Shall we start?",
           "yes": "Yes, let's start", "no": "No", "platelets": "What was your last platelet count?",
           "not_understood": "Sorry, I did not understand that.", "switched": "All right, in English.",
           "slow": "Thank you for waiting.", "deleted": "Your answers are deleted.",
           "met": "Your platelet count is low enough.", "patient": "Have you had heart disease?",
           "clinician": "Your doctor can tell whether your liver works well.",
           "study_team": "The study team checks your blood tests at the visit.",
           "title": "Platelets before chemotherapy", "contact": "Call the study coordinator: 022-23909999",
           "where": "Institute of Hematology, Tianjin"},
    "zh-CN": {"welcome": "您好，我来帮您看看这项临床试验是否适合您。", "consent": "我们现在开始吗？",
              "yes": "好的，开始", "no": "不用了", "platelets": "您最近一次的血小板计数是多少？",
              "not_understood": "抱歉，我没有看懂。", "switched": "好的，我们用中文。", "slow": "谢谢您耐心等待。",
              "deleted": "您的回答已经删除。", "met": "您的血小板够低。", "patient": "您有过心脏病吗？",
              "clinician": "您的医生可以告诉您肝功能是否正常。", "study_team": "研究团队会在访视时查看您的血液检查结果。",
              "title": "化疗后血小板减少的试验", "contact": "请联系研究协调员：022-23909999",
              "where": "天津，中国医学科学院血液病医院"},
}
WORDING = {"met": "Platelet count < 75 x 10^9/L", "patient": "No severe heart disease",
           "clinician": "Adequate liver function", "study_team": "Laboratory values within range"}


@dataclass
class Conversation:
    language: str = "en"
    asks: str = "consent"
    messages: int = 0


class StandInBot(_ThreadedServer):
    """Answers ``POST /webhooks/rest/webhook`` like the bot's REST channel (CORS for any page):
    the language from the first message's ``metadata.language``, switched by "English please",
    "请用中文" or a Chinese message in an English conversation; ``bodies`` keeps every request body."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.bodies: List[Dict[str, Any]] = []
        self.conversations: Dict[str, Conversation] = {}

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("OPTIONS", "/webhooks/rest/webhook", self.preflight)
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        return app

    @staticmethod
    def cors(request: web.Request) -> Dict[str, str]:
        return {"Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
                "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "content-type"}

    async def preflight(self, request: web.Request) -> web.Response:
        return web.Response(headers=self.cors(request))

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        message = body["message"]
        if message == BROKEN:
            return web.Response(status=500, headers=self.cors(request))
        if message == SLOW:
            await asyncio.sleep(1.5)
        return web.json_response(self.answer(body), headers=self.cors(request))

    def answer(self, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        message = body["message"]
        wanted = (body.get("metadata") or {}).get("language")
        talk = self.conversations.get(body["sender"])
        if talk is None:
            talk = self.conversations[body["sender"]] = Conversation(wanted if wanted in SAYS else "en")
        talk.messages += 1
        replies: List[Dict[str, Any]] = []
        if message in (ENGLISH_PLEASE, CHINESE_PLEASE) or (talk.language == "en" and HAN.search(message)):
            talk.language = "en" if message == ENGLISH_PLEASE else "zh-CN"
            replies.append({"text": SAYS[talk.language]["switched"]})
        says = SAYS[talk.language]
        if message == "/greet" or message == "/start_over":
            talk.asks = "consent"
            replies.append({"text": says["welcome"]})
        elif message == "/delete_answers":
            self.conversations.pop(body["sender"])
            return [{"text": says["deleted"], "custom": {"deleted": True, "language": talk.language}}]
        elif message == SLOW:
            replies.append({"text": says["slow"]})
        elif talk.asks == "consent" and message == "/affirm":
            talk.asks = "platelet_count"
        elif talk.asks == "platelet_count" and message.isdigit():
            talk.asks = "done"
            return [{"text": "", "custom": {"verdict": self.verdict(says), "language": talk.language}}]
        elif not replies:
            replies.append({"text": says["not_understood"], "custom": {"not_understood": True}})
        replies.append(self.question(talk, says))
        for reply in replies:
            reply.setdefault("custom", {})["language"] = talk.language
        return replies

    @staticmethod
    def question(talk: Conversation, says: Dict[str, str]) -> Dict[str, Any]:
        if talk.asks == "consent":
            return {"text": says["consent"], "buttons": [{"title": says["yes"], "payload": "/affirm"},
                                                         {"title": says["no"], "payload": "/deny"}],
                    "custom": {"asks": ["consent"], "answer_type": "yes_no", "unit": None}}
        return {"text": says["platelets"], "custom": {"asks": ["platelet_count"], "answer_type": "number",
                                                      "unit": "10^9/L"}}

    @staticmethod
    def verdict(says: Dict[str, str]) -> Dict[str, Any]:
        criteria = [{"id": "inc-platelets", "kind": "inclusion", "status": "met", "text": WORDING["met"],
                     "explanation": says["met"]}]
        for who in ("patient", "clinician", "study_team"):
            criteria.append({"id": f"exc-{who}", "kind": "exclusion", "status": "unknown", "text": WORDING[who],
                             "explanation": says[who], "to_confirm_by": who})
        return {"trial_id": TRIAL_ID, "status": "uncertain", "criteria": criteria,
                "trial": {"title": says["title"], "contact": says["contact"], "where": says["where"],
                          "url": f"https://clinicaltrials.gov/study/{TRIAL_ID}"}}

    def languages_sent(self, sender: str) -> List[Optional[str]]:
        return [(b.get("metadata") or {}).get("language") for b in self.bodies if b["sender"] == sender]


class ChatServer(_ThreadedServer):
    """The real chat server (web/server.py) in a thread, talking to the stand-in bot."""

    def __init__(self, port: int, bot_url: str, cors_origins: List[str]) -> None:
        super().__init__(port)
        self.bot_url, self.cors_origins = bot_url, cors_origins

    def app(self) -> web.Application:
        return create_app(self.bot_url, self.cors_origins)


CLINIC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A clinic in Tianjin</title></head>
<body><h1>Our clinical trials</h1><script src="{web}/chat.js" data-lang="{data_lang}"></script></body></html>
"""


@dataclass
class Site:
    bot: StandInBot
    chat_url: str
    clinic_url: str  # embeds the chat with data-lang="zh" (a language tag the server maps to zh-CN)
    english_clinic_url: str  # data-lang="en"


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    clinic_port, english_port = free_port(), free_port()
    origins = [f"http://127.0.0.1:{clinic_port}", f"http://127.0.0.1:{english_port}"]
    with StandInBot(free_port()) as bot, ChatServer(free_port(), bot.url, origins) as chat:
        with StaticSite(clinic_port, CLINIC.replace("{web}", chat.url).replace("{data_lang}", "zh")) as clinic, \
                StaticSite(english_port, CLINIC.replace("{web}", chat.url).replace("{data_lang}", "en")) as english:
            yield Site(bot, chat.url + "/", clinic.url + "/", english.url + "/")


class Chat(ChatPage):
    """The chat page, found by its names in the language it should be in."""

    strings: Dict[str, Any] = ZH

    def __init__(self, page, url: str) -> None:
        super().__init__(page, url)
        self.bodies: List[Dict[str, Any]] = []  # what the browser sent to the bot
        page.on("request", lambda request: self.bodies.append(request.post_data_json)
                if request.method == "POST" and request.url.endswith("/webhooks/rest/webhook") else None)

    def s(self, key: str) -> str:
        value: Any = self.strings
        for part in key.split("."):
            value = value[part]
        return value

    @property
    def input(self):
        return self.page.get_by_role("textbox", name=self.s("input.label"))

    @property
    def suggestions(self):
        return self.page.get_by_role("group", name=self.s("input.suggestions"))

    def toolbar(self, name: str) -> None:
        self.page.get_by_role("group", name=self.s("toolbar.label")).get_by_role("button", name=name, exact=True).click()

    def own_text(self) -> List[str]:
        """Every text the widget shows or reads out (text nodes, placeholders, accessible names and
        titles), but the trial's registered wording of its criteria, which the bot sends as it is."""
        return self.js("""[...root.querySelectorAll('*')]
          .filter(e => !['STYLE', 'LINK'].includes(e.tagName) && !e.closest('.tb-crit-wording > p'))
          .flatMap(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent)
            .concat(['placeholder', 'aria-label', 'title'].map(a => e.getAttribute(a) || '')))
          .map(s => s.trim()).filter(Boolean)""")

    def english_in_the_widget(self) -> List[str]:
        """The texts of the widget with a Latin word that is not an allowed abbreviation."""
        return [s for s in self.own_text() if set(re.findall(r"[A-Za-z]+", s)) - ALLOWED_LATIN]

    def page_language(self) -> Dict[str, str]:
        return self.page.evaluate("() => ({lang: document.documentElement.lang, title: document.title,"
                                  " heading: (document.querySelector('h1') || {}).textContent})")

    def widget_language(self) -> str:
        return self.js("root.querySelector('.tb-chat').getAttribute('lang')")


@pytest.fixture
def new_chinese_chat(browser, site):
    contexts = []

    def make(url: str, **context_options: Any) -> Chat:
        context = browser.new_context(viewport={"width": 1024, "height": 800}, **context_options)
        contexts.append(context)
        return Chat(context.new_page(), url)

    yield make
    for context in contexts:
        context.close()


def assert_all_chinese(chat: Chat, when: str) -> None:
    assert chat.own_text(), when
    assert chat.english_in_the_widget() == [], when


def test_the_page_at_lang_zh_CN_is_chinese_in_every_state_of_the_chat(new_chinese_chat, site):
    chat = new_chinese_chat(site.chat_url + "?lang=zh-CN").open()
    assert chat.page_language() == {"lang": "zh-CN", "title": ZH["page"]["title"], "heading": ZH["page"]["heading"]}
    assert chat.widget_language() == "zh-CN"
    assert chat.page.get_by_role("heading", name=ZH["chat"]["title"]).is_visible()
    assert chat.page.get_by_role("heading", name=ZH["chat"]["privacyTitle"]).is_visible()
    assert chat.js("root.querySelector('.tb-hint').textContent") == ZH["hint"]["consent"]
    assert_all_chinese(chat, "the welcome and the consent question")

    chat.toolbar(ZH["toolbar"]["startOver"])  # a confirmation
    assert chat.page.get_by_role("alertdialog").get_by_text(ZH["confirm"]["startOver"]).is_visible()
    assert_all_chinese(chat, "asked to confirm starting over")
    chat.page.get_by_role("button", name=ZH["confirm"]["cancel"]).click()

    chat.click(SAYS["zh-CN"]["yes"])
    assert chat.input.get_attribute("placeholder") == ZH["hint"]["numberPlaceholder"]
    assert ZH["hint"]["numberUnit"].replace("{unit}", "×10⁹/L") in chat.js("root.querySelector('.tb-hint').textContent")
    assert_all_chinese(chat, "a question asking a number")

    before = chat.turns  # while the bot is answering
    chat.input.fill(SLOW)
    chat.input.press("Enter")
    chat.page.wait_for_function("() => document.querySelector('.trialbot-chat-host').trialbotChat.busy")
    assert chat.js("root.querySelector('.tb-typing-text').textContent") == ZH["chat"]["typing"]
    assert_all_chinese(chat, "waiting for the bot")
    chat.wait_for_reply(before)

    before = chat.turns  # the bot failing
    chat.input.fill(BROKEN)
    chat.input.press("Enter")
    chat.wait_for_reply(before)
    assert chat.page.get_by_text(ZH["errors"]["server"]).is_visible()
    assert chat.page.get_by_role("button", name=ZH["errors"]["retry"]).is_visible()
    assert_all_chinese(chat, "an error")
    chat.input.fill("")

    chat.say("22")  # the verdict card
    card = chat.card
    assert card.get_by_role("heading", name=ZH["verdict"]["heading"].replace("{status}", ZH["verdict"]["status"]["uncertain"])).is_visible()
    for section in ("patient", "clinician", "study_team"):
        assert card.get_by_role("heading", name=ZH["verdict"]["section"][section]).is_visible(), section
    assert card.get_by_text(ZH["verdict"]["section"]["met"].replace("{count}", "1")).is_visible()
    assert card.get_by_role("heading", name=ZH["verdict"]["howToJoin"]).is_visible()
    assert card.get_by_role("link", name=ZH["verdict"]["moreInfoFor"]).is_visible()
    assert card.locator(".tb-badge").first.inner_text().strip().endswith(ZH["verdict"]["criterion"]["unknown"])
    card.locator("summary").first.click()  # the trial's own wording stays as registered
    assert card.get_by_text(WORDING["patient"]).is_visible()
    assert_all_chinese(chat, "the verdict card")

    chat.toolbar(ZH["toolbar"]["deleteAnswers"])
    chat.page.get_by_role("button", name=ZH["confirm"]["deleteAnswersYes"]).click()
    chat.page.wait_for_function("() => document.querySelector('.trialbot-chat-host').trialbotChat.transcript.length === 0")
    chat.page.get_by_text(ZH["after"]["deleted"]).wait_for()
    assert chat.suggestion_titles() == [ZH["after"]["newConversation"]]
    assert_all_chinese(chat, "after deleting the answers")

    # Every message the browser sent told the bot the language.
    assert len(chat.bodies) >= 6 and all(body["metadata"] == {"language": "zh-CN"} for body in chat.bodies), chat.bodies
    assert chat.errors == []


def test_a_browser_set_to_chinese_gets_the_chinese_page(new_chinese_chat, site):
    chat = new_chinese_chat(site.chat_url, locale="zh-CN")  # Accept-Language: zh-CN
    chat.open()
    assert chat.page_language()["lang"] == "zh-CN" and chat.widget_language() == "zh-CN"
    assert_all_chinese(chat, "the welcome")
    chat.click(SAYS["zh-CN"]["yes"])
    assert site.bot.languages_sent(chat.session_id()) == ["zh-CN", "zh-CN"]
    assert [body["metadata"]["language"] for body in chat.bodies] == ["zh-CN", "zh-CN"]
    # An English browser gets the English page, and tells the bot so.
    english = new_chinese_chat(site.chat_url, locale="en-GB").open()
    assert english.page_language()["lang"] == "en" and english.widget_language() == "en"
    assert english.page.get_by_role("button", name=EN["input"]["send"]).is_visible()
    assert [body["metadata"]["language"] for body in english.bodies] == ["en"]


def test_a_clinic_page_embeds_the_chat_in_chinese_with_data_lang(new_chinese_chat, site):
    chat = new_chinese_chat(site.clinic_url, locale="en-US").open()  # data-lang="zh" on an English page
    assert chat.widget_language() == "zh-CN"  # the closest language the chat has
    assert_all_chinese(chat, "the welcome on a clinic's page")
    assert chat.page_language()["lang"] == "en"  # the clinic's page is the clinic's
    chat.click(SAYS["zh-CN"]["yes"])
    assert [body["metadata"]["language"] for body in chat.bodies] == ["zh-CN", "zh-CN"]
    # ?lang= in the page's address comes before data-lang.
    chat = new_chinese_chat(site.english_clinic_url + "?lang=zh-CN").open()
    assert chat.widget_language() == "zh-CN"
    assert_all_chinese(chat, "?lang=zh-CN on a page embedding the chat with data-lang=en")


def test_the_chat_follows_when_the_person_switches_language_and_keeps_it_after_a_reload(new_chinese_chat, site):
    chat = new_chinese_chat(site.chat_url + "?lang=zh-CN").open()
    chat.click(SAYS["zh-CN"]["yes"])
    chat.say(ENGLISH_PLEASE)
    assert chat.widget_language() == "en"
    chat.strings = EN
    assert chat.page_language() == {"lang": "en", "title": EN["page"]["title"], "heading": EN["page"]["heading"]}
    assert chat.page.get_by_role("textbox", name=EN["input"]["label"]).get_attribute("placeholder") == \
        EN["hint"]["numberPlaceholder"]  # the open question's hint, in English now
    assert not [s for s in chat.own_text() if HAN.search(s) and s not in _chinese_said_before(chat)], chat.own_text()
    chat.say("22")  # the next message says so
    assert chat.bodies[-1]["metadata"] == {"language": "en"}
    assert chat.card.get_by_role("heading", name=EN["verdict"]["howToJoin"]).is_visible()

    # A reload keeps the conversation's language, though the address still says ?lang=zh-CN.
    chat.reload()
    assert chat.widget_language() == "en" and chat.page_language()["lang"] == "en"
    assert chat.card.get_by_role("heading", name=EN["verdict"]["howToJoin"]).is_visible()

    chat.say(CHINESE_PLEASE)
    assert chat.widget_language() == "zh-CN" and chat.page_language()["lang"] == "zh-CN"
    chat.strings = ZH
    assert chat.bodies[-1]["metadata"] == {"language": "en"}  # sent before the switch
    chat.reload()
    assert chat.widget_language() == "zh-CN"
    before = chat.turns
    chat.toolbar(ZH["toolbar"]["startOver"])
    chat.page.get_by_role("button", name=ZH["confirm"]["startOverYes"]).click()
    chat.wait_for_reply(before)
    assert chat.asks() == ["consent"]
    assert chat.bodies[-1] == {**chat.bodies[-1], "message": "/start_over", "metadata": {"language": "zh-CN"}}
    assert_all_chinese(chat, "switched back to Chinese, started over")
    assert chat.errors == []


def test_a_first_message_in_chinese_on_the_english_page_switches_the_chat(new_chinese_chat, site):
    chat = new_chinese_chat(site.chat_url, locale="en-US")
    chat.strings = EN
    chat.open()
    assert chat.widget_language() == "en"
    chat.say("我想参加这个试验")
    assert chat.widget_language() == "zh-CN" and chat.page_language()["lang"] == "zh-CN"
    chat.strings = ZH
    assert chat.page.get_by_role("textbox", name=ZH["input"]["label"]).is_visible()
    assert chat.page.get_by_role("button", name=ZH["input"]["send"]).is_visible()
    chat.click(SAYS["zh-CN"]["yes"])
    assert chat.asks() == ["platelet_count"]
    assert chat.bodies[-1]["metadata"] == {"language": "zh-CN"}


def _chinese_said_before(chat: Chat) -> List[str]:
    """What the conversation shows in Chinese from before the switch: the bot's and the person's words."""
    said = [e.get("text") or "" for e in chat.transcript()]
    said += [b["title"] for e in chat.transcript() for b in e.get("buttons") or []]
    return [s.strip() for s in said if s.strip()]
