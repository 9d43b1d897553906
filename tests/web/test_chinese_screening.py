"""A whole Chinese screening in Chromium against the real bot (tests/web/conftest.py's ``web_bot``: the
action server and Rasa servers behind the chat page): the page at ?lang=zh-CN, every answer typed in
Chinese as the fitting patient of tests/e2e/profiles_zh.py types it (check-backs and the read-back
confirmed with their buttons), the verdict card checked against the verdict the bot sent, and no
English left in the widget's own text (what the bot and the person wrote aside).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from bot import i18n, texts
from tests.e2e.profiles_zh import CONVERSATIONS, check_verdict, converse
from tests.web.test_chinese import ALLOWED_LATIN, ZH, Chat

FITS = CONVERSATIONS[0]
with i18n.override(i18n.CHINESE):  # the buttons that confirm a check-back and the read-back
    CONFIRM = {texts.CHECK_BACK_BUTTONS[0]["title"], texts.READBACK_BUTTONS[0]["title"]}
# What the bot and the person wrote, and the trial's own text, which the widget shows as sent
WRITTEN = ".tb-user, .tb-text, .tb-crit-explanation, .tb-crit-wording > p, .tb-join p, .tb-verdict-trial"


def test_a_whole_chinese_screening_in_the_browser_ends_in_a_chinese_verdict_card(browser, web_bot):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    try:
        chat = Chat(context.new_page(), web_bot.page_url + "?lang=zh-CN").open()

        def say(message: str) -> List[Optional[Dict[str, Any]]]:
            buttons = [title for title in chat.suggestion_titles() if title in CONFIRM]
            if message == "/affirm" and buttons:
                chat.click(buttons[0])  # a check-back or the read-back, confirmed with its button
            else:
                chat.say(message)
            entries = chat.transcript()
            last = max(i for i, e in enumerate(entries) if e["from"] == "user")
            return [e.get("custom") for e in entries[last + 1:] if e["from"] == "bot"]

        verdict = converse(FITS, say, chat.log)
        check_verdict(FITS, verdict, chat.log)
        assert chat.verdict() == verdict, chat.log()
        card = chat.card
        assert card.get_attribute("data-status") == verdict["status"]
        heading = ZH["verdict"]["heading"].replace("{status}", ZH["verdict"]["status"][verdict["status"]])
        assert card.get_by_role("heading", name=heading).is_visible(), chat.log()
        for summary in card.locator("details.tb-more > summary").all():
            summary.click()
        rows = {row.get_attribute("data-criterion"): row for row in card.locator(".tb-crit").all()}
        assert set(rows) == {c["id"] for c in verdict["criteria"]}
        for criterion in verdict["criteria"]:
            shown = rows[criterion["id"]].locator(".tb-crit-explanation").text_content()
            assert ZH["verdict"]["criterion"][criterion["status"]] in shown
            assert " ".join(criterion["explanation"].split()) in " ".join(shown.split())
        assert card.locator(".tb-verdict-language").count() == 0  # the trial speaks Chinese
        own = chat.js(f"""[...root.querySelectorAll('*')]
          .filter(e => !['STYLE', 'LINK'].includes(e.tagName) && !e.closest({WRITTEN!r}))
          .flatMap(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent)
            .concat(['placeholder', 'aria-label', 'title'].map(a => e.getAttribute(a) || '')))
          .map(s => s.trim()).filter(Boolean)""")
        assert own and [s for s in own if set(re.findall(r"[A-Za-z]+", s)) - ALLOWED_LATIN] == [], own
        chat.assert_replies_follow_contract()
    finally:
        context.close()

