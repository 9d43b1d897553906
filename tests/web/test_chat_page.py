"""The website chat in a real browser (Debian's headless Chromium), used as a patient would.

The bot runs as two Rasa servers behind a round-robin load balancer (see conftest.py), so every
conversation here is answered by both in turn.
"""
from __future__ import annotations

import io
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import requests
from PIL import Image  # installed with Rasa
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from bot import texts
from channels.guard import REFUSAL
from channels.rest import MAX_BODY_BYTES, MAX_MESSAGE_CHARS
from tests.web.conftest import SCREENSHOTS, STRINGS, ChatPage, WebBot, text
from tests.web.helpers import StaticSite
from trialbot.servers import free_port

CONSENT = texts.CONSENT_BUTTONS[0]["title"]  # "Yes, let's start"

# How the patient of the whole screening answers, by the fact a question asks: typed in everyday
# words, or a suggested answer clicked. Anything else is answered "I don't know", which is always
# offered, so that new questions in the trial data do not break the test.
TYPED = {
    "platelet_count": "22k",
    "platelet_boosters_failed": "yes, 3 times",
    "last_chemotherapy": "six weeks ago",
    "last_radiotherapy": "never",
    "age": "45",
    "sex": "female",
    "cancer_type": "lung cancer",
}
CLICKED = {"bleeding_tendency": "/affirm", "chemo_induced_thrombocytopenia": "/affirm",
           "willing_to_consent": "/affirm", "uses_contraception": "/affirm"}
ABSENT = {  # conditions that would exclude: "No"
    "heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia",
    "thrombotic_disease", "transplant", "diabetes", "stomach_ulcer", "autoimmune_disease", "sepsis",
    "treatment_toxicity_unresolved", "antiplatelet_drugs", "infection_serology_positive", "severe_bleeding",
    "pregnant", "breastfeeding", "childbearing_potential", "uncontrolled_organ_disease",
}

DEEP_ACTIVE = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  const style = getComputedStyle(a);
  return {tag: a.tagName, cls: String(a.className), text: (a.getAttribute('aria-label') || a.textContent || '').trim(),
          outline: style.outlineStyle, outlineWidth: style.outlineWidth};
}"""

CONTRAST = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const up = e => e.parentElement || (e.getRootNode && e.getRootNode().host) || null;
  const background = el => { for (let e = el; e; e = up(e)) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const host = document.querySelector('.trialbot-chat-host');
  const elements = [...document.querySelectorAll('body *'), ...host.shadowRoot.querySelectorAll('*')];
  const found = [];
  for (const el of elements) {
    if (!el.getClientRects().length || el.closest('.tb-sr') || ['SCRIPT', 'STYLE', 'LINK'].includes(el.tagName)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    found.push({text: el.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100});
  }
  return found;
}"""


def answer_by_payload(chat: ChatPage, payload: str) -> None:
    title = chat.js(f"root.querySelector('.tb-replies .tb-reply[data-payload=\"{payload}\"]').textContent")
    chat.click(title)


def screen(chat: ChatPage, max_turns: int = 45) -> List[List[str]]:
    """Answers every question as the patient above until a verdict; returns what was asked."""
    asked = []
    for _ in range(max_turns):
        if chat.verdict():
            return asked
        asks = chat.asks()
        assert asks, f"no open question and no verdict\n{chat.log()}"
        asked.append(asks)
        key = asks[0]
        if key == "read_back" or "confirm" in chat.open_question():  # the facts that decided the verdict, or a
            answer_by_payload(chat, "/affirm")  # reading offered back ("six weeks ago, never"): confirmed with the button
        elif len(asks) > 1 and all(k in TYPED for k in asks):  # facts asked together ("45, female"): each typed
            chat.say(", ".join(TYPED[k] for k in asks))
        elif key in TYPED:
            chat.say(TYPED[key])
        elif key in CLICKED:
            answer_by_payload(chat, CLICKED[key])
        elif all(k in ABSENT for k in asks):
            answer_by_payload(chat, "/deny")
        else:
            answer_by_payload(chat, "/dont_know")
    raise AssertionError(f"no verdict after {max_turns} turns\n{chat.log()}")


def confirm_read_back(chat: ChatPage) -> None:
    """The read-back before a verdict decided by one answer, confirmed with its button."""
    assert chat.asks() == ["read_back"], chat.log()
    answer_by_payload(chat, "/affirm")


def start(chat: ChatPage) -> None:
    chat.open()
    assert chat.asks() == ["consent"], chat.log()
    chat.click(CONSENT)


def check_card(chat: ChatPage, verdict: Dict[str, Any], open_groups: bool = True) -> None:
    """The card shows every criterion with its status and explanation, as the bot sent them."""
    card = chat.card
    assert card.get_attribute("data-status") == verdict["status"]
    heading = text("verdict.heading", status=text(f"verdict.status.{verdict['status']}"))
    assert card.get_by_role("heading", name=heading).is_visible()
    if open_groups:
        for summary in card.locator("details.tb-more > summary").all():
            summary.click()  # open the collapsed groups ("Criteria met (n)")
    rows = {row.get_attribute("data-criterion"): row for row in card.locator(".tb-crit").all()}
    assert set(rows) == {c["id"] for c in verdict["criteria"]}
    for criterion in verdict["criteria"]:
        row = rows[criterion["id"]]
        assert row.get_attribute("data-status") == criterion["status"]
        if open_groups or criterion["status"] == "not_met":
            assert row.is_visible()
        shown = row.locator(".tb-crit-explanation").text_content()
        assert text(f"verdict.criterion.{criterion['status']}") in shown
        assert " ".join(criterion["explanation"].split()) in " ".join(shown.split())


def test_a_whole_screening_by_clicking_and_typing_ends_in_a_verdict_card(new_chat, web_bot):
    chat = new_chat(viewport={"width": 1000, "height": 900})
    hits_before = len(web_bot.balancer.webhook_hits())
    start(chat)
    # Input hints follow the question: a number with its unit...
    assert chat.asks() == ["platelet_count"], chat.log()
    unit = STRINGS["units"]["10^9/L"]
    assert chat.js("root.querySelector('.tb-hint').textContent") == text(
        "hint.number", unit=text("hint.numberUnit", unit=unit))
    assert chat.input.get_attribute("placeholder") == text("hint.numberPlaceholder")
    assert chat.suggestion_titles() == ["I don't know"]
    # ...and the typing indicator shows while the bot is answering.
    held = []
    chat.page.route("**/webhooks/rest/webhook", lambda route: held.append(route))
    chat.input.fill("22k")
    chat.input.press("Enter")
    chat.page.locator(".tb-typing").wait_for(state="visible")
    assert chat.page.get_by_role("status").inner_text() == text("chat.typing")
    while not held:
        chat.page.wait_for_timeout(20)
    before = chat.turns
    held[0].continue_()
    chat.page.unroute("**/webhooks/rest/webhook")
    chat.wait_for_reply(before)
    assert chat.page.locator(".tb-typing").is_hidden()
    assert chat.page.get_by_role("status").text_content() == ""  # still there, silent, for the next turn
    assert chat.suggestion_titles() == ["Yes", "No", "I don't know"]  # a yes/no question: quick replies
    asked = screen(chat)
    assert any("last_chemotherapy" in a for a in asked)

    verdict = chat.verdict()
    assert verdict["status"] in ("likely_eligible", "uncertain"), chat.log()
    statuses = {c["status"] for c in verdict["criteria"]}
    assert {"met", "unknown"} <= statuses
    check_card(chat, verdict)
    card = chat.card
    # What to ask the doctor, and how to take part, from the verdict's payload.
    to_ask = [c for c in verdict["criteria"] if c.get("to_confirm_by") == "clinician"]
    if to_ask:
        section = card.locator(".tb-section-clinician")
        assert section.get_by_role("heading", name=text("verdict.section.clinician")).is_visible()
        assert section.locator(".tb-crit").count() == len(to_ask)
    trial = verdict["trial"]
    join = card.locator(".tb-join")
    assert join.get_by_role("heading", name=text("verdict.howToJoin")).is_visible()
    assert trial["contact"] in join.inner_text() and trial["where"] in join.inner_text()
    link = card.get_by_role("link", name=text("verdict.moreInfoFor"))
    assert link.get_attribute("href") == trial["url"]
    assert text("verdict.notAdvice") in card.inner_text()
    # "Not medical advice", start over and delete my answers stay in view.
    for name in (text("toolbar.startOver"), text("toolbar.deleteAnswers")):
        assert chat.page.get_by_role("button", name=name, exact=True).is_visible()
    assert chat.page.get_by_text(text("chat.notAdvice")).is_visible()
    assert chat.errors == []
    # The page loads nothing from the internet: its files, and the bot (behind the load balancer).
    hosts = {re.match(r"(\w+:(//)?[^/]*)", url).group(1) for url in chat.requested}
    assert hosts <= {web_bot.page_origin, web_bot.settings.bot_url}, hosts

    # The screenshot for the README: the whole card, its collapsed groups open, in a window tall
    # enough for the conversation's view to hold all of it.
    chat.page.set_viewport_size({"width": 760, "height": 900})
    height = card.evaluate("card => card.getBoundingClientRect().height")
    chat.page.set_viewport_size({"width": 760, "height": int(height) + 500})
    card.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(card.screenshot(animations="disabled")))
    shot.convert("RGB").quantize(colors=64).save(SCREENSHOTS / "verdict-card.png", optimize=True)  # ~100 KB

    # The conversation went through both Rasa servers, in turn, and never lost its place.
    hits = web_bot.balancer.webhook_hits()[hits_before:]
    assert len(set(hits)) == 2, hits


def test_two_messages_of_one_conversation_at_once_on_two_servers_lose_nothing(web_bot):
    """Two tabs of one conversation, each message answered by another Rasa server at the same
    moment: the shared lock store makes one wait for the other, so both answers are kept."""
    sender, servers = f"web-test-concurrent-{uuid.uuid4().hex}", web_bot.balancer.upstreams
    webhook = "/webhooks/rest/webhook"
    for message in ("hi", "/affirm"):
        requests.post(servers[0] + webhook, json={"sender": sender, "message": message}, timeout=60).raise_for_status()
    said = ["I'm 62 years old", "I take aspirin every day", "my last chemo was six weeks ago", "I'm female"]
    with ThreadPoolExecutor(len(said)) as pool:
        replies = list(pool.map(lambda i: requests.post(servers[i % 2] + webhook, timeout=90, json={
            "sender": sender, "message": said[i]}), range(len(said))))
    assert all(r.status_code == 200 for r in replies), [r.text for r in replies]
    shown = requests.post(servers[1] + webhook, json={"sender": sender, "message": "what have I told you so far?"},
                          timeout=60).json()
    facts = next(m["custom"]["facts"] for m in shown if "facts" in (m.get("custom") or {}))
    assert {"age", "antiplatelet_drugs", "last_chemotherapy", "sex"} <= set(facts), facts


def user_messages(web_bot: WebBot, sender: str) -> List[str]:
    """The person's messages as the bot recorded them (in the tracker store)."""
    engine = create_engine(web_bot.settings.tracker_store_url, future=True)
    try:
        with engine.connect() as db:
            rows = db.execute(sql("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id"),
                              {"sender": sender})
            return [json.loads(row.data)["text"] for row in rows]
    finally:
        engine.dispose()


def test_one_message_sent_twice_at_once_to_two_servers_is_handled_once(web_bot):
    """A message sent again with its id while the first copy is still being handled, by the other
    server: the copy waits for the conversation's lock and gets the same replies."""
    sender, servers = f"web-test-resent-{uuid.uuid4().hex}", web_bot.balancer.upstreams
    webhook = "/webhooks/rest/webhook"
    for message in ("hi", "/affirm"):
        requests.post(servers[0] + webhook, json={"sender": sender, "message": message}, timeout=60).raise_for_status()
    body = {"sender": sender, "message": "22k", "message_id": uuid.uuid4().hex}
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda server: requests.post(server + webhook, json=body, timeout=90), servers))
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    assert replies[0].json() == replies[1].json()
    assert any("bleeding_tendency" in ((m.get("custom") or {}).get("asks") or []) for m in replies[0].json())
    assert user_messages(web_bot, sender) == ["hi", "/affirm", "22k"]
    for bad in ("", "not an id!", "x" * 65, 42):
        refused = requests.post(servers[0] + webhook, json={**body, "message_id": bad}, timeout=60)
        assert refused.status_code == 400 and refused.json()[0]["custom"] == {"refused": "bad_request"}


def test_an_answer_whose_reply_was_lost_reaches_the_bot_once_when_sent_again(new_chat, web_bot):
    """The bot got the answer but its reply never reached the page (the widget's timeout, a dropped
    connection). Sent again, with the retry button or the same suggested answer (also after a reload),
    it shows the reply the bot gave, and the bot has the answer once: it does not take it for the next
    question's too."""
    chat = new_chat()
    start(chat)
    bodies = []

    def deliver_then_lose_the_reply(route):
        route.fetch()  # the bot gets the message and answers...
        route.abort("timedout")  # ...but the page never gets the reply

    def lose_the_next_reply(send) -> None:
        chat.page.route("**/webhooks/rest/webhook", deliver_then_lose_the_reply)
        before = chat.turns
        send()
        chat.wait_for_reply(before)
        chat.page.unroute("**/webhooks/rest/webhook")
        assert chat.page.locator(".tb-error").inner_text().startswith(text("errors.network"))

    chat.page.on("request", lambda request: bodies.append(request.post_data_json)
                 if request.method == "POST" and request.url.endswith("/webhooks/rest/webhook") else None)
    lose_the_next_reply(lambda: (chat.input.fill("22k"), chat.input.press("Enter")))
    assert chat.input.input_value() == "22k" and chat.asks() == ["platelet_count"]
    before = chat.turns
    chat.page.get_by_role("button", name=text("errors.retry")).click()
    chat.wait_for_reply(before)
    assert chat.asks() == ["bleeding_tendency"], chat.log()
    assert chat.input.input_value() == ""

    lose_the_next_reply(lambda: chat.suggestions.get_by_role("button", name="Yes", exact=True).click())
    answer_by_payload(chat, "/affirm")  # the same answer again
    asks = chat.asks()
    assert asks and asks != ["bleeding_tendency"], chat.log()

    lose_the_next_reply(lambda: answer_by_payload(chat, "/dont_know"))
    chat.reload()
    answer_by_payload(chat, "/dont_know")
    assert chat.asks() != asks, chat.log()

    assert [e["text"] for e in chat.transcript() if e["from"] == "user"] == [CONSENT, "22k", "Yes", "I don't know"]
    assert user_messages(web_bot, chat.session_id()) == ["/greet", "/affirm", "22k", "/affirm", "/dont_know"]
    ids = [b["message_id"] for b in bodies]
    assert len(ids) == 6 and ids[0] == ids[1] and ids[2] == ids[3] and ids[4] == ids[5] and len(set(ids)) == 3, bodies
    assert chat.errors == []


def test_a_reload_or_a_closed_tab_continues_the_same_conversation(new_chat, browser, web_bot):
    chat = new_chat()
    start(chat)
    chat.say("22k")
    answer_by_payload(chat, "/affirm")
    shown = chat.js("root.querySelector('.tb-log').innerText")
    asks = chat.asks()
    assert asks and asks != ["bleeding_tendency"], chat.log()
    session = chat.session_id()
    assert re.fullmatch(r"[0-9a-f]{32}", session)
    posts = len(chat.webhook_posts)

    chat.reload()
    chat.page.wait_for_timeout(500)
    assert len(chat.webhook_posts) == posts, "a reload must not send anything to the bot"
    assert chat.js("root.querySelector('.tb-log').innerText") == shown
    assert chat.asks() == asks
    assert chat.suggestion_titles() == ["Yes", "No", "I don't know"]
    assert chat.session_id() == session
    answer_by_payload(chat, "/affirm")  # the bot takes it as the answer to the question shown
    assert chat.asks() not in (asks, ["platelet_count"], ["bleeding_tendency"]), chat.log()

    # A closed tab: a new page of the same browser profile.
    context = chat.page.context
    asks = chat.asks()
    chat.page.close()
    again = new_chat(context=context).open()
    assert again.session_id() == session
    assert again.asks() == asks
    assert len(again.webhook_posts) == 0
    before = again.turns
    again.toolbar(text("toolbar.showFacts"))
    again.wait_for_reply(before)
    facts = [e["custom"]["facts"] for e in again.transcript() if "facts" in (e.get("custom") or {})]
    assert facts and facts[-1].get("platelet_count") == 22, again.log()


def test_a_reload_before_the_reply_takes_the_message_back(new_chat):
    chat = new_chat()
    start(chat)
    asks = chat.asks()
    held = []
    chat.page.route("**/webhooks/rest/webhook", lambda route: held.append(route))  # the reply never comes
    chat.input.fill("22k")
    chat.input.press("Enter")
    while not held:
        chat.page.wait_for_timeout(20)
    chat.page.unroute("**/webhooks/rest/webhook")
    assert chat.transcript()[-1] == {"from": "user", "text": "22k"}
    posts = len(chat.webhook_posts)

    chat.reload()
    chat.page.wait_for_timeout(500)
    assert len(chat.webhook_posts) == posts, "a reload must not send anything to the bot"
    assert [e["text"] for e in chat.transcript() if e["from"] == "user"] == [CONSENT]
    assert text("chat.unanswered") in chat.js("root.querySelector('.tb-log').innerText")
    assert chat.asks() == asks and chat.suggestion_titles() == ["I don't know"]
    chat.say("22k")  # sent again: the bot never got it
    assert chat.asks() == ["bleeding_tendency"], chat.log()


def test_two_browsers_never_see_each_others_conversation(new_chat):
    first, second = new_chat(), new_chat()
    start(first)
    first.say("22k")
    second.open()
    assert second.session_id() != first.session_id()
    assert "22k" not in second.js("root.querySelector('.tb-log').innerText")
    assert second.asks() == ["consent"]
    second.click(CONSENT)
    assert second.asks() == ["platelet_count"], second.log()  # not the first browser's next question
    for chat in (first, second):
        before = chat.turns
        chat.toolbar(text("toolbar.showFacts"))
        chat.wait_for_reply(before)
    assert texts.NO_FACTS in second.bot_texts(), second.log()
    assert texts.FACTS_HEADER in first.bot_texts(), first.log()


def test_keyboard_only(new_chat):
    chat = new_chat()
    chat.open()
    page = chat.page

    def focused() -> Dict[str, Any]:
        return page.evaluate(DEEP_ACTIVE)

    def tab_to(name: str, key: str = "Tab", limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press(key)
            now = focused()
            if now and (now["text"] == name or (name == "input" and "tb-input" in now["cls"])):
                assert now["outline"] != "none" and now["outlineWidth"] != "0px", f"no visible focus on {now}"
                return
        raise AssertionError(f"{name!r} is not reachable with {key}: focus is on {focused()}")

    def enter() -> None:
        before = chat.turns
        page.keyboard.press("Enter")
        chat.wait_for_reply(before)

    tab_to(CONSENT)
    enter()
    assert chat.asks() == ["platelet_count"]
    assert focused()["text"] == "I don't know"  # focus follows the suggested answers
    tab_to("input")
    page.keyboard.type("22k")
    enter()
    assert chat.asks() == ["bleeding_tendency"], chat.log()
    tab_to("Yes", key="Shift+Tab")
    enter()
    assert chat.asks() == ["chemo_induced_thrombocytopenia"], chat.log()
    assert focused()["text"] == "Yes"
    enter()
    assert chat.asks() == ["platelet_boosters_failed"], chat.log()
    tab_to("No")
    enter()  # never tried rhTPO or IL-11: the trial is ruled out
    verdict = chat.verdict()
    assert verdict and verdict["status"] == "not_eligible", chat.log()
    check_card(chat, verdict, open_groups=False)  # no mouse here
    assert chat.card.locator('.tb-crit[data-status="not_met"]').count() >= 1
    # The offer to answer the remaining questions, declined; then start over, all by keyboard.
    assert chat.suggestion_titles() == ["Yes", "No"]
    tab_to("No")
    enter()
    tab_to(text("toolbar.startOver"), key="Shift+Tab")
    page.keyboard.press("Enter")
    assert focused()["text"] == text("confirm.startOverYes")
    page.keyboard.press("Escape")  # changed my mind
    assert focused()["text"] == text("toolbar.startOver")
    page.keyboard.press("Enter")
    enter()  # "Yes, start over"
    assert chat.asks() == ["platelet_count"], chat.log()
    assert "22k" not in chat.js("root.querySelector('.tb-log').innerText")
    assert chat.errors == []


def test_a_phone_sized_screen_of_320_px(new_chat):
    chat = new_chat(viewport={"width": 320, "height": 640})
    start(chat)
    chat.say("62")  # far above the trial's limit: the verdict comes at once, once read back
    confirm_read_back(chat)
    verdict = chat.verdict()
    assert verdict and verdict["status"] == "not_eligible", chat.log()
    check_card(chat, verdict)
    chat.card.locator("details.tb-crit-wording > summary").first.click()
    overflow = chat.page.evaluate("""() => {
      const host = document.querySelector('.trialbot-chat-host');
      const wide = [...document.querySelectorAll('body *'), ...host.shadowRoot.querySelectorAll('*')]
        .filter(e => e.getClientRects().length && !e.closest('.tb-sr'))
        .filter(e => { const r = e.getBoundingClientRect(); return r.width && (r.right > window.innerWidth + 0.5 || r.left < -0.5); })
        .map(e => e.tagName + '.' + e.className);
      const log = host.shadowRoot.querySelector('.tb-log');
      return {page: document.documentElement.scrollWidth, width: window.innerWidth, wide,
              log: log.scrollWidth - log.clientWidth};
    }""")
    assert overflow["page"] <= overflow["width"] and not overflow["wide"] and overflow["log"] <= 0, overflow
    for button in chat.page.locator(".tb-replies .tb-reply").all():
        assert button.bounding_box()["height"] >= 40  # big enough to tap
    for name in (text("toolbar.startOver"), text("toolbar.deleteAnswers")):
        box = chat.page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640
    assert chat.input.bounding_box()["y"] + chat.input.bounding_box()["height"] <= 640  # the text box in view


def test_accessibility_live_region_labels_and_contrast(new_chat):
    chat = new_chat()
    start(chat)
    log = chat.page.get_by_role("log", name=text("chat.log"))
    assert log.get_attribute("aria-live") == "polite"
    assert chat.page.get_by_role("region", name=text("chat.title")).is_visible()
    assert chat.input.is_visible()  # found by its label
    assert chat.input.get_attribute("aria-describedby")  # the hint is read with it
    names = chat.js("Array.from(root.querySelectorAll('button')).map(b => (b.getAttribute('aria-label') || b.textContent).trim())")
    assert all(names), names
    # Who said what is announced too.
    assert text("chat.fromBot") in log.inner_text()
    assert text("chat.fromUser") in log.text_content()
    chat.say("62")
    ratios = chat.page.evaluate(CONTRAST)
    assert ratios, "no text found"
    low = [r for r in ratios if r["ratio"] < 4.5]
    assert not low, low


def test_privacy_notice_and_consent_come_before_any_health_question(new_chat):
    chat = new_chat()
    chat.open()
    log = chat.js("root.querySelector('.tb-log').innerText")
    assert log.index(text("chat.privacyTitle")) < log.index(texts.WELCOME.split("\n")[0][:40])
    entries = chat.transcript()
    assert [e["custom"]["asks"] for e in entries if (e.get("custom") or {}).get("asks")] == [["consent"]]
    chat.click(texts.CONSENT_BUTTONS[1]["title"])  # "No, thanks"
    assert chat.asks() is None and not chat.verdict()
    assert "won't ask" in chat.bot_texts()


def test_start_over_and_delete_my_answers(new_chat):
    chat = new_chat()
    start(chat)
    chat.say("22k")
    chat.toolbar(text("toolbar.startOver"))
    before = chat.turns
    chat.page.get_by_role("alertdialog").get_by_role("button", name=text("confirm.startOverYes")).click()
    chat.wait_for_reply(before)
    assert chat.asks() == ["platelet_count"], chat.log()
    assert "22k" not in chat.js("root.querySelector('.tb-log').innerText")
    chat.say("25k")
    session = chat.session_id()

    before = chat.turns
    chat.toolbar(text("toolbar.deleteAnswers"))
    dialog = chat.page.get_by_role("alertdialog")
    assert text("confirm.deleteAnswers") in dialog.inner_text()
    dialog.get_by_role("button", name=text("confirm.deleteAnswersYes")).click()
    chat.wait_for_reply(before)
    shown = chat.js("root.querySelector('.tb-log').innerText")
    assert "25k" not in shown and texts.DELETED.split(".")[0] in shown and text("after.deleted") in shown
    stored = chat.page.evaluate("() => JSON.stringify(localStorage)")
    assert "25k" not in stored and session not in stored
    assert chat.session_id() != session  # nothing in this browser points at the old conversation
    # A new conversation starts with the privacy notice and consent again.
    chat.click(text("after.newConversation"))
    assert chat.asks() == ["consent"], chat.log()
    chat.click(CONSENT)
    before = chat.turns
    chat.toolbar(text("toolbar.showFacts"))
    chat.wait_for_reply(before)
    assert texts.NO_FACTS in chat.bot_texts()


def test_an_oversized_message_gets_a_clear_reply_and_can_be_shortened(new_chat, web_bot):
    chat = new_chat()
    start(chat)
    long = "my platelets are low " * 60  # about 1,260 characters
    chat.say(long)
    shown = chat.js("root.querySelector('.tb-log').innerText")
    assert f"{len(long.strip()):,} characters" in shown and f"{MAX_MESSAGE_CHARS:,}" in shown
    assert chat.input.input_value() == long.strip()  # given back, to shorten
    assert long.strip() not in json.dumps(chat.transcript())
    assert chat.asks() == ["platelet_count"] and chat.suggestion_titles() == ["I don't know"]
    chat.say("22k")
    assert chat.asks() == ["bleeding_tendency"], chat.log()

    # Over HTTP: the same for any client, before anything reaches the model.
    sender = "web-test-oversized"
    reply = requests.post(web_bot.webhook, json={"sender": sender, "message": "x" * (MAX_MESSAGE_CHARS + 1)}, timeout=30)
    assert reply.status_code == 200
    [message] = reply.json()
    assert message["custom"] == {"refused": "too_long", "limit": MAX_MESSAGE_CHARS}
    assert "too long" in message["text"]
    big = json.dumps({"sender": sender, "message": "y" * (MAX_BODY_BYTES + 10)})
    reply = requests.post(web_bot.webhook, data=big, headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 413 and reply.json()[0]["custom"]["refused"] == "too_long"
    for body in ({"message": "hi"}, {"sender": sender}, {"sender": "", "message": "hi"}, ["hi"]):
        reply = requests.post(web_bot.webhook, json=body, timeout=30)
        assert reply.status_code == 400 and reply.json()[0]["custom"]["refused"] == "bad_request", body
    # None of these started a conversation.
    reply = requests.post(web_bot.webhook, json={"sender": sender, "message": "/show_facts"}, timeout=30)
    assert texts.NO_FACTS in reply.json()[0]["text"]


def test_a_message_that_is_not_valid_text_gets_a_clear_reply_and_can_be_typed_again(new_chat, web_bot):
    """A lone surrogate (pasted, or from a broken input method) is refused before it reaches the bot
    (channels/guard.py): the widget shows why, gives the text back, and the conversation goes on."""
    chat = new_chat()
    start(chat)
    before = chat.turns
    chat.input.evaluate("(box) => { box.value = 'my platelets are 22k \\ud800'; }")  # a lone surrogate
    chat.input.press("Enter")
    chat.wait_for_reply(before)
    shown = chat.js("root.querySelector('.tb-log').innerText")
    assert REFUSAL in shown, shown
    assert chat.input.input_value().startswith("my platelets are 22k")  # given back, to type again
    assert chat.asks() == ["platelet_count"], chat.log()
    assert not chat.errors
    chat.say("22k")
    assert chat.asks() == ["bleeding_tendency"], chat.log()


def test_only_the_configured_origins_may_call_the_bot(new_chat, web_bot):
    allowed, foreign = web_bot.page_origin, "http://evil.example"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for url in (web_bot.webhook, f"{web_bot.settings.rasa_url}/webhooks/rest/webhook"):
        reply = requests.options(url, headers={"Origin": foreign, **preflight}, timeout=30)
        assert "Access-Control-Allow-Origin" not in reply.headers, reply.headers
        reply = requests.post(url, json={"sender": "web-test-cors", "message": "hi"}, headers={"Origin": foreign}, timeout=30)
        assert "Access-Control-Allow-Origin" not in reply.headers, reply.headers
        # not passed on to the bot at all, even as a plain-text POST that no browser asks about first
        assert reply.status_code == 403 and reply.json()[0]["custom"] == {"refused": "origin"}, reply.text
        reply = requests.post(url, data='{"sender": "web-test-cors", "message": "hi"}', timeout=30,
                              headers={"Origin": foreign, "Content-Type": "text/plain"})
        assert reply.status_code == 403, reply.text
        reply = requests.post(url, json={"sender": "web-test-cors", "message": "hi"}, headers={"Origin": allowed},
                              timeout=30)
        assert reply.status_code == 200 and "Shall we start" in reply.json()[-1]["text"], reply.text
        reply = requests.options(url, headers={"Origin": allowed, **preflight}, timeout=30)
        assert reply.headers.get("Access-Control-Allow-Origin") == allowed
        assert "POST" in reply.headers.get("Access-Control-Allow-Methods", "")
    # The chat's own assets, likewise.
    reply = requests.get(f"{web_bot.page_url}i18n/en.json", headers={"Origin": foreign}, timeout=30)
    assert reply.status_code == 200 and "Access-Control-Allow-Origin" not in reply.headers
    reply = requests.get(f"{web_bot.page_url}i18n/en.json", headers={"Origin": web_bot.clinic.url}, timeout=30)
    assert reply.headers.get("Access-Control-Allow-Origin") == web_bot.clinic.url

    # And in a browser: a page of another origin cannot read the bot's replies.
    probe = """<!doctype html><html><body><script>
      window.result = fetch(%s, {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({sender: 'web-test-cors-browser', message: 'hi'})})
        .then(r => r.json()).then(() => 'read', e => 'blocked: ' + e.message);
    </script></body></html>""" % json.dumps(web_bot.webhook)
    with StaticSite(free_port(), probe) as elsewhere:
        page = new_chat().page
        page.goto(elsewhere.url)
        assert page.evaluate("() => window.result").startswith("blocked")


def test_one_script_tag_embeds_the_chat_on_a_clinic_site(new_chat, web_bot):
    chat = new_chat(url=web_bot.clinic.url)
    chat.open()
    # Mounted where the tag is, between the clinic's own paragraphs, and talking to the bot.
    assert chat.page.evaluate("() => document.querySelector('.trialbot-chat-host').nextElementSibling.id") == "after-chat"
    assert chat.asks() == ["consent"]
    chat.click(CONSENT)
    assert chat.asks() == ["platelet_count"], chat.log()
    # The clinic's styles do not reach into the chat, nor the chat's out.
    assert chat.js("getComputedStyle(root.querySelector('.tb-send')).backgroundColor") != "rgb(255, 0, 0)"
    assert chat.page.evaluate("() => getComputedStyle(document.querySelector('#after-chat')).color") == "rgb(0, 100, 0)"
    assert chat.errors == []


def test_all_the_chat_text_comes_from_the_language_file(new_chat, web_bot):
    """A pseudo-translation (every string of en.json marked) leaves no English in the chat's own text."""
    def mark(node):
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        return "⟦" + node + "⟧" if node else node

    chat = new_chat(url=f"{web_bot.clinic.url}/?lang=qps")  # a page in the pseudo-language
    chat.page.route("**/i18n/qps.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(mark(STRINGS), ensure_ascii=False)))
    chat.open()
    own = chat.js("""Array.from(root.querySelectorAll('.tb-header *, .tb-privacy *, .tb-form *, .tb-typing *'))
      .flatMap(e => [...e.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim())
        .concat(e.getAttribute('placeholder') ? [e.getAttribute('placeholder')] : [])
        .concat(e.getAttribute('aria-label') ? [e.getAttribute('aria-label')] : []))""")
    assert own and all(s.startswith("⟦") and s.endswith("⟧") for s in own), own
    assert chat.js("root.querySelector('.tb-chat').getAttribute('lang')") == "qps"
    assert chat.js("root.querySelector('.tb-log').getAttribute('aria-label')") == "⟦" + text("chat.log") + "⟧"
    # The verdict card's own words too (the criteria's explanations come from the trial's data).
    chat.click(CONSENT)
    chat.say("62")
    confirm_read_back(chat)
    assert chat.verdict(), chat.log()
    card = chat.js("""Array.from(root.querySelector('.tb-verdict').querySelectorAll('h3, h4, summary, .tb-badge,'
      + ' .tb-verdict-lead, .tb-verdict-trial, .tb-verdict-advice, a'))
      .map(e => [...e.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(''))""")
    assert card and all(s.startswith("⟦") and s.endswith("⟧") for s in card), card


def test_the_page_text_comes_from_the_language_file_too(tmp_path, monkeypatch):
    import web.server

    english = json.loads((web.server.I18N / "en.json").read_text(encoding="utf-8"))
    pseudo = {"page": {k: f"⟦{v}⟧" for k, v in english["page"].items()}}
    (tmp_path / "en.json").write_text(json.dumps(english), encoding="utf-8")
    (tmp_path / "qps.json").write_text(json.dumps(pseudo), encoding="utf-8")
    monkeypatch.setattr(web.server, "I18N", tmp_path)
    assert web.server.languages() == ["en", "qps"]
    assert web.server.negotiate(None, "qps;q=0.9, en;q=0.5") == "qps"
    assert web.server.negotiate("QPS") == "qps" and web.server.negotiate("fr", "de") == "en"
    page = web.server.render_index("qps", "http://bot.example")
    shown = [t.strip() for t in re.findall(r">([^<]+)<", page) if t.strip()]
    assert shown and all(t.startswith("⟦") and t.endswith("⟧") for t in shown), shown
    assert '<html lang="qps">' in page and 'data-bot-url="http://bot.example"' in page


def test_the_page_server(web_bot):
    page = requests.get(web_bot.page_url, timeout=30)
    assert page.status_code == 200
    assert f"<title>{text('page.title')}</title>" in page.text
    assert f'data-bot-url="{web_bot.settings.bot_url}"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and web_bot.settings.bot_url in policy
    assert "http" not in page.text.replace(web_bot.settings.bot_url, "")  # nothing loaded from elsewhere
    script = requests.get(f"{web_bot.page_url}chat.js", timeout=30)
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert json.dumps(web_bot.settings.bot_url) in script.text  # the default for a bare script tag
    for missing in ("nothing.js", "i18n/..%2Fserver.py", "i18n/xx.json", "static/chat.js"):
        assert requests.get(f"{web_bot.page_url}{missing}", timeout=30).status_code == 404, missing
    assert requests.get(web_bot.page_url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=30).status_code == 200


def test_trials_compared_show_as_a_ranked_list_with_details_on_demand(new_chat):
    chat = new_chat()
    start(chat)
    chat.say("Which trials could I join?")
    chat.click(texts.RESULTS_BUTTON["title"])
    ranked = [e["custom"]["verdict"] for e in chat.transcript() if isinstance((e.get("custom") or {}).get("verdict"), list)]
    assert ranked, chat.log()
    card = chat.page.locator(".tb-matches").last
    assert card.get_by_role("heading", name=text("matches.heading", count=len(ranked[-1]))).is_visible()
    items = card.locator(".tb-match")
    assert items.count() == len(ranked[-1])
    first = ranked[-1][0]
    assert items.first.get_attribute("data-trial") == first["trial_id"]
    assert text(f"verdict.status.{first['status']}") in items.first.inner_text()
    before = chat.turns
    items.first.get_by_role("button", name=f"{text('matches.details')}: {first['trial_id']}").click()
    chat.wait_for_reply(before)
    verdict = chat.verdict()
    assert verdict and verdict["trial_id"] == first["trial_id"], chat.log()
    check_card(chat, verdict)
