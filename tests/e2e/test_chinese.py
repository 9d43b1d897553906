"""A screening in Chinese through the REST channel: the page asks for zh-CN in the message's
metadata, and every reply is in Chinese and says so (``custom.language``).

The person answers with the buttons and Arabic numerals (dates as the ISO days a date picker
sends), which the reader takes in any language.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.language_choice import HAN
from tests.e2e.profiles import ELIGIBLE
from tests.unit.test_chinese_conversation import english_left

pytestmark = pytest.mark.e2e

ZH = {"language": "zh-CN"}
IN_CHINESE = {
    **ELIGIBLE,
    "cancer_type": "solid tumour",  # the payload of the button 实体瘤
    "last_chemotherapy": (date.today() - timedelta(weeks=6)).isoformat(),
    "last_radiotherapy": (date.today() - timedelta(weeks=20)).isoformat(),
    "qtc_ms": "420",
}


def test_a_fitting_patient_on_the_chinese_page_is_answered_in_chinese_throughout(chat):
    c = chat(metadata=ZH)
    c.start()
    verdict_message = c.complete(IN_CHINESE)
    verdict = verdict_message["custom"]["verdict"]
    assert verdict["status"] == "likely_eligible", c.log()
    registered = [criterion["text"] for criterion in verdict["criteria"]]
    for messages in c.turns:
        for message in messages:
            assert (message.get("custom") or {}).get("language") == "zh-CN", f"{message}\n{c.log()}"
            shown = [message.get("text") or ""] + [b["title"] for b in message.get("buttons") or []]
            for text in shown:
                assert not english_left(text, registered), f"English in {text!r}\n{c.log()}"
    assert verdict_message["text"].startswith("根据您告诉我的情况，您很可能符合"), c.log()
    assert "天津" in verdict["trial"]["where"], c.log()
    assert all(HAN.search(x["explanation"]) for x in verdict["criteria"]), c.log()  # beside the registered text


def test_the_language_is_kept_by_the_conversation_and_switched_on_request(chat):
    c = chat(metadata=ZH)
    c.say("hi")
    c.metadata = None  # the conversation's language is its own: a later message without metadata keeps it
    turn = c.say("/affirm")
    assert {m["custom"]["language"] for m in turn} == {"zh-CN"} and c.asks(turn), c.log()
    open_question = c.asks(turn)
    turn = c.say("English please")
    assert {m["custom"]["language"] for m in turn} == {"en"}, c.log()
    assert turn[0]["text"] == "All right, let's continue in English." and c.asks(turn) == open_question, c.log()
    turn = c.say("请用中文")
    assert {m["custom"]["language"] for m in turn} == {"zh-CN"}, c.log()
    assert turn[0]["text"] == "好的，我们用中文继续。" and c.asks(turn) == open_question, c.log()


def test_a_first_message_in_chinese_chooses_chinese_without_metadata(chat):
    c = chat()
    turn = c.say("你好")
    assert {m["custom"]["language"] for m in turn} == {"zh-CN"}, c.log()
    assert any(m["text"].startswith("您好，我是临床试验筛查助手") for m in turn), c.log()
