"""A whole screening in Chinese through the engine, from the welcome to the verdict, without Rasa.

The person answers with the buttons (/affirm, /deny, /dont_know, a choice's payload) and Arabic
numerals, which the reader takes in any language, and types the facts asked together ("solid tumour,
62, male") in the English words the buttons would send; what is checked is everything the bot says:
Chinese throughout, with no English word but the trial's id, the drug and test abbreviations
Chinese reports use as they are, and the criterion's text as the trial registered it.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pytest

from bot.conversation import Reply, State, Turn
from tests.conftest import SEED_TRIAL
from tests.contract import asks_a_list

# Written as they are in Chinese clinical reports and patient leaflets, so left as they are:
# the drugs and tests (rhTPO, IL-11, PLT, QTc/QT, HIV, EBV/CMV DNA, CIT, NYHA III/IV), the unit
# ×10⁹/L, and ClinicalTrials.gov where the trial is registered.
ALLOWED_LATIN = {"rhTPO", "IL", "PLT", "QTc", "QT", "HIV", "EBV", "CMV", "DNA", "EB", "CIT", "NYHA", "III", "IV", "L",
                 "ClinicalTrials", "gov"}
URL = re.compile(r"https?://\S+")
LATIN_WORD = re.compile(r"[A-Za-z]+")

# How this person answers each question: likely eligible (a man of 62 with a solid tumour, 22×10⁹/L
# platelets and easy bleeding, rhTPO that failed, chemotherapy and radiotherapy long enough ago).
ANSWERS = {
    "consent": "/affirm",
    "read_back": "/affirm",
    "age": "62",
    "platelet_count": "22",
    "last_chemotherapy": "2026-09-01",
    "last_radiotherapy": "2026-08-15",
    "chemo_induced_thrombocytopenia": "/affirm",
    "platelet_boosters_failed": "/affirm",
    "bleeding_tendency": "/affirm",
    "survival_six_months": "/affirm",
    "willing_to_consent": "/affirm",
    "liver_kidney_ok": "/affirm",
    "qtc_ms": "/dont_know",
}
CHOSEN = {"cancer_type": {"实体瘤", "Solid tumour"}, "sex": {"男性", "Male"}}  # the button pressed, by its title
TYPED = {"cancer_type": "solid tumour", "sex": "male"}  # the same, typed among facts asked together


def answer(reply: Reply) -> str:
    custom = reply.custom or {}
    asks = custom["asks"]
    if custom.get("confirm"):
        return "/affirm"
    if asks_a_list(custom):
        return "/deny"  # "Do you have any of these?": none
    if len(asks) > 1:  # facts asked together: each said (a man says nothing to "for a woman: could you become pregnant")
        return ", ".join(TYPED.get(key) or ANSWERS[key] for key in asks if key in TYPED or key in ANSWERS)
    key = asks[0]
    if key in CHOSEN:
        return next(b["payload"] for b in reply.buttons if b["title"] in CHOSEN[key])
    return ANSWERS.get(key, "/deny")


def english_left(text: str, registered: List[str]) -> List[str]:
    """The English words in a reply, once the registered criterion texts, links and trial ids are set aside."""
    for criterion_text in registered:
        text = text.replace(criterion_text, "")
    text = URL.sub("", text).replace(SEED_TRIAL, "")
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN]


def screen(engine, first: str, language: Optional[str]):
    state, transcript, replies = State(), [], []
    message = first
    for _ in range(60):
        intent = message[1:] if message.startswith("/") else None
        outcome = engine.respond(state, Turn(message, intent, language=language))
        state, replies = outcome.state, outcome.replies
        transcript.append((message, replies))
        if any("verdict" in (r.custom or {}) for r in replies):
            return state, transcript
        question = next(r for r in reversed(replies) if (r.custom or {}).get("asks"))
        message = answer(question)
    raise AssertionError("no verdict after 60 turns:\n" + log(transcript))


def log(transcript) -> str:
    lines = []
    for message, replies in transcript:
        lines.append(f"you> {message}")
        lines += ["bot> " + r.text.replace("\n", "\n     ") + f"  {[b['title'] for b in r.buttons]}" for r in replies]
    return "\n".join(lines)


@pytest.mark.parametrize("first, language", [("您好", None), ("hi", "zh-CN")], ids=["written-in-chinese", "page-in-chinese"])
def test_a_whole_screening_in_chinese_says_no_english(engine, seed_trial, first, language):
    state, transcript = screen(engine, first, language)
    assert state.language == "zh-CN" and state.consent is True
    registered = [c.text for c in seed_trial.criteria]
    for message, replies in transcript:
        for reply in replies:
            shown = [reply.text] + [b["title"] for b in reply.buttons]
            verdict: Dict[str, Any] = (reply.custom or {}).get("verdict") or {}
            shown += [c["explanation"] for c in verdict.get("criteria", [])]
            shown += [verdict.get("trial", {}).get(k, "") for k in ("title", "contact", "where")]
            for text in shown:
                assert not english_left(text, registered), f"English in {text!r}\n{log(transcript)}"
    welcome = next(r.text for r in transcript[0][1] if (r.custom or {}).get("asks") == ["consent"])
    assert welcome.startswith("您好，我是临床试验筛查助手") and "天津" in welcome, welcome
    verdict = next(r.custom["verdict"] for _, replies in transcript for r in replies if "verdict" in (r.custom or {}))
    assert verdict["status"] == "likely_eligible", log(transcript)
    assert {c["text"] for c in verdict["criteria"]} <= set(registered)  # the registered text, as registered
    final = transcript[-1][1]
    assert any(r.text.startswith("根据您告诉我的情况，您很可能符合海曲泊帕治疗化疗后血小板减少的研究（NCT05236582）")
               for r in final), log(transcript)
    read_back = next(r.text for _, replies in transcript for r in replies if (r.custom or {}).get("read_back"))
    assert "血小板计数：22×10⁹/L（即每微升22,000个）" in read_back and read_back.endswith("这些都对吗？"), read_back
    assert "最近一次化疗：2026年9月1日左右" in log(transcript)


def test_the_same_screening_in_english_is_unchanged(engine):
    state, transcript = screen(engine, "hi", None)
    assert state.language is None  # never chosen: English
    assert transcript[0][1][0].text.startswith("Hello, I'm the clinical trial screening assistant")
    read_back = next(r.text for _, replies in transcript for r in replies if (r.custom or {}).get("read_back"))
    assert "platelet count: 22 ×10^9/L (22,000 per microlitre)" in read_back


def test_the_ranking_of_a_matching_is_said_in_chinese(engine, seed_trial):
    state = State(consent=True, matching=True, facts={"age": 62.0}, language="zh-CN")
    outcome = engine.respond(state, Turn("/show_verdict", "show_verdict"))
    ranking = outcome.replies[-1]
    assert ranking.text.startswith("以下是您与我核对过的1项试验的匹配情况"), ranking.text
    assert "暂时无法判断：还有" in ranking.text and "个问题待回答" in ranking.text, ranking.text
    assert ranking.custom["verdict"][0]["title"] == "海曲泊帕治疗化疗后血小板减少的研究"
    registered = [c.text for c in seed_trial.criteria]
    assert not english_left(ranking.text, registered), ranking.text


@pytest.mark.parametrize("correction, fact", [
    ("血小板我其实不清楚", "platelet_count"),
    ("生存期：不清楚", "survival_six_months"),
    ("血小板计数：不清楚", "platelet_count"),  # the bot's own wording of "not known"
    ("医生估计预期生存期在6个月以上：不知道", "survival_six_months"),
])
def test_a_chinese_correction_to_not_known_after_something_is_wrong_is_stored(engine, correction, fact):
    from tests.unit.test_conversation import at_the_read_back, ends_in_a_question_or_a_verdict
    from bot import texts_zh
    state = engine.respond(at_the_read_back(engine, "zh-CN"), Turn("/deny", "deny")).state
    assert state.offer == "fix"
    outcome = engine.respond(state, Turn(correction))
    state, replies = outcome.state, outcome.replies
    assert fact in state.facts and state.facts[fact] is None, (correction, state.facts.get(fact))
    assert texts_zh.AFTER_VERDICT not in [r.text for r in replies]
    assert ends_in_a_question_or_a_verdict(state, replies), [r.text for r in replies]
    assert replies[0].text.startswith("已更新") and replies[0].text.endswith("→ 不清楚。"), replies[0].text


def test_a_chinese_no_with_the_correction_at_the_read_back_is_the_correction(engine):
    from tests.unit.test_conversation import at_the_read_back
    outcome = engine.respond(at_the_read_back(engine, "zh-CN"), Turn("不对，血小板我其实不清楚"))
    assert outcome.state.facts["platelet_count"] is None


def test_an_unreadable_chinese_correction_is_asked_for_again_then_read_back(engine):
    from tests.unit.test_conversation import at_the_read_back
    from bot import texts_zh
    state = engine.respond(at_the_read_back(engine, "zh-CN"), Turn("/deny", "deny")).state
    facts = dict(state.facts)
    outcome = engine.respond(state, Turn("嗯那个"))
    assert outcome.replies[-1].text == texts_zh.READBACK_FIX_NOT_READ and outcome.state.facts == facts
    outcome = engine.respond(outcome.state, Turn("嗯那个"))
    assert outcome.state.offer == "readback" and outcome.replies[-1].custom["read_back"]
    assert outcome.replies[-1].text.endswith("这些都对吗？")
