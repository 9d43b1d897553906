"""The conversation's language: its wording in Chinese beside the English, and how it is chosen."""
from __future__ import annotations

import re
import string
import threading
from datetime import date

import pytest
import yaml

from bot import i18n, language_choice, texts
from bot.conversation import State, Turn
from bot.facts import describe_value
from tests.conftest import PROJECT

ENGLISH_TEXTS = vars(texts)  # the module's own names: English, whatever language is active
CHINESE_TEXTS = vars(i18n.wording(texts.__name__, i18n.CHINESE))
WORDING_TYPES = (str, dict, tuple)


def wording_names(names):
    return sorted(n for n, v in names.items() if not n.startswith("_") and isinstance(v, WORDING_TYPES))


def placeholders(text: str):
    return sorted({field for _, field, _, _ in string.Formatter().parse(text) if field is not None})


def shape(value):
    """What a translation must keep: placeholders, keys, button payloads, the number of items."""
    if isinstance(value, str):
        return placeholders(value)
    if isinstance(value, dict):
        return {k: (v if k == "payload" else shape(v)) for k, v in value.items() if k != "title"}
    return [shape(v) for v in value]


# -- bot/texts.py and bot/texts_zh.py ----------------------------------------------------------

def test_every_text_has_its_chinese_wording():
    missing = [n for n in wording_names(ENGLISH_TEXTS) if n not in CHINESE_TEXTS]
    assert not missing, f"no zh-CN wording in bot/texts_zh.py for: {missing}"


def test_the_chinese_wording_names_only_texts_that_exist():
    assert [n for n in wording_names(CHINESE_TEXTS) if n not in ENGLISH_TEXTS] == []


@pytest.mark.parametrize("name", wording_names(CHINESE_TEXTS))
def test_a_translation_keeps_the_placeholders_keys_and_payloads(name):
    english = ENGLISH_TEXTS[name]
    if english == {}:  # a lookup the translation fills (SUBJECTS, UNIT_NAMES): no shape to keep
        return
    assert shape(CHINESE_TEXTS[name]) == shape(english), name


def strings_of(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "payload":
                yield from strings_of(item)
    else:
        for item in value:
            yield from strings_of(item)


def test_the_chinese_wording_is_chinese():
    """No English left in it: only the platelets' unit and a trial id in an example."""
    for name in wording_names(CHINESE_TEXTS):
        for text in strings_of(CHINESE_TEXTS[name]):
            literal = "".join(part for part, _, _, _ in string.Formatter().parse(text)).replace("×10⁹/L", "")
            assert set(re.findall(r"[A-Za-z]+", literal)) <= {"NCT"}, (name, text)
            assert language_choice.HAN.search(literal) or not re.search(r"[^\W\d_]", literal), (name, text)


def test_texts_are_said_in_the_active_language_and_english_outside():
    assert texts.NOT_ADVICE.startswith("This is not medical advice")
    with i18n.override(i18n.CHINESE):
        assert texts.NOT_ADVICE == "这不是医疗建议；能否参加，只有研究团队才能确认。"
        assert texts.YES_NO_BUTTONS[0] == {"title": "是", "payload": "/affirm"}
        assert texts.MATCHES_LISTED == 10  # a number is no wording: the English module's
        with i18n.override("en"):
            assert texts.NOT_ADVICE.startswith("This is not medical advice")
        assert texts.NOT_ADVICE.startswith("这不是")
    assert texts.NOT_ADVICE.startswith("This is not medical advice")


def test_the_language_is_one_turns_own_and_no_other_threads():
    seen = {}

    def other_turn():
        seen["other"] = texts.CHECK_BACK_DECLINED

    with i18n.override(i18n.CHINESE):
        thread = threading.Thread(target=other_turn)
        thread.start()
        thread.join()
        seen["this"] = texts.CHECK_BACK_DECLINED
    assert seen == {"other": "All right, I haven't noted that.", "this": "好的，这一条我没有记下。"}


@pytest.mark.parametrize("code, language", [
    ("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans-CN", "zh-CN"), ("zh_cn", "zh-CN"), ("en", "en"),
    ("en-GB", "en"), ("zh-TW", None), ("zh-Hant", None), ("fr", None), ("", None), (None, None), (3, None),
])
def test_language_codes_from_clients(code, language):
    assert i18n.normal(code) == language


# -- data/facts.yml and the trial's own texts --------------------------------------------------

FACTS = yaml.safe_load((PROJECT / "data" / "facts.yml").read_text(encoding="utf-8"))["facts"]
TRIAL = yaml.safe_load((PROJECT / "data" / "trials" / "NCT05236582.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(FACTS))
def test_every_fact_is_asked_and_labelled_in_chinese(key):
    english, chinese = FACTS[key], FACTS[key].get("zh-CN") or {}
    for name in ("label", "ask", "ask_other", "ask_together", "ask_together_other", "unsure_note"):
        if name in english:
            assert language_choice.HAN.search(chinese.get(name) or ""), f"{key}: no zh-CN {name}"
            assert placeholders(chinese[name]) == placeholders(english[name]), (key, name)
    assert sorted((chinese.get("choices") or {})) == sorted(english.get("choices") or {}), key


@pytest.mark.parametrize("criterion", TRIAL["criteria"], ids=lambda c: c["id"])
def test_every_criterion_is_explained_in_chinese_beside_its_registered_text(criterion):
    chinese = criterion.get("zh-CN") or {}
    assert language_choice.HAN.search(chinese.get("why") or ""), criterion["id"]
    for status in ("met", "not_met", "unknown"):
        assert language_choice.HAN.search((chinese.get("explain") or {}).get(status) or ""), (criterion["id"], status)
    assert "text" not in chinese  # the criterion's text stays as the trial registered it


def test_the_trial_tells_patients_about_itself_in_chinese():
    chinese = TRIAL["trial"]["zh-CN"]
    for name in ("brief_title", "summary", "contact", "where"):
        assert language_choice.HAN.search(chinese[name]), name


def test_translations_survive_the_trial_store(catalogue, seed_trial):
    age = catalogue.vocabulary["age"]
    assert (age.shown_label, age.question("your mother")) == ("age", "How old is your mother?")
    with i18n.override(i18n.CHINESE):
        assert (age.shown_label, age.question("your mother")) == ("年龄", "您的母亲今年多大年纪？")
        assert seed_trial.criterion("inc-age").explanation("met") == "您已年满18周岁，符合研究要求。"
        assert seed_trial.criterion("inc-age").text == "Aged ≥18 years old, male or female;"
        assert seed_trial.where.startswith("天津")


# -- dates and numbers the Chinese way ---------------------------------------------------------

@pytest.mark.parametrize("key, value, english, chinese", [
    ("last_chemotherapy", "2026-11-03", "on or around 2026-11-03", "2026年11月3日左右"),
    ("last_chemotherapy", "2026-10-01/2026-10-31", "in October 2026", "2026年10月"),
    ("last_chemotherapy", "2025-01-01/2025-12-31", "in 2025", "2025年"),
    ("last_chemotherapy", "1900-01-01/2026-08-23", "on or before 2026-08-23", "2026年8月23日或更早"),
    ("last_chemotherapy", "2026-11-15/2026-11-22", "between 2026-11-15 and 2026-11-22", "2026年11月15日至2026年11月22日之间"),
    ("last_radiotherapy", "never", "never", "从来没有"),
    ("platelet_count", 22.0, "22 ×10^9/L (22,000 per microlitre)", "22×10⁹/L（即每微升22,000个）"),
    ("age", 62.0, "62 years", "62岁"),
    ("qtc_ms", 460.0, "460 ms", "460毫秒"),
    ("diabetes", False, "no", "否"),
    ("cancer_type", "solid_tumour", "solid tumour", "实体瘤"),
    ("sex", "female", "female", "女性"),
    ("age", None, "not known", "不清楚"),
])
def test_values_are_said_back_in_the_conversations_language(vocabulary, key, value, english, chinese):
    assert describe_value(vocabulary[key], value) == english
    with i18n.override(i18n.CHINESE):
        assert describe_value(vocabulary[key], value) == chinese


# -- choosing the language ---------------------------------------------------------------------

@pytest.mark.parametrize("message, language", [
    ("English please", "en"), ("in English", "en"), ("Can we speak English?", "en"), ("english", "en"),
    ("请用英文", "en"), ("说英语", "en"),
    ("请用中文", "zh-CN"), ("说中文", "zh-CN"), ("中文", "zh-CN"), ("能用中文吗？", "zh-CN"), ("Chinese please", "zh-CN"),
    ("用普通话吧", "zh-CN"),
])
def test_asking_for_a_language(message, language):
    assert language_choice.requested(message) == language


@pytest.mark.parametrize("message", [
    "yes", "no", "I'm 62", "my english is not good", "I don't speak Chinese well but my mum does", "没有", "我不知道",
    "我妈妈说中文", "中文的化验单上写着PLT 22",
])
def test_other_messages_ask_for_no_language(message):
    assert language_choice.requested(message) is None


@pytest.mark.parametrize("message, chinese", [
    ("不", True), ("我不知道", True), ("PLT 22 特比澳无效", True), ("女62 肺癌 PLT 22 化疗后6周", True),
    ("hi", False), ("22k", False), ("I had rhTPO injections (特比澳)", False), ("لا", False),
])
def test_a_message_written_in_chinese(message, chinese):
    assert language_choice.written_in_chinese(message) is chinese


def test_the_language_is_chosen_by_the_client_then_kept():
    assert language_choice.choose(None, "zh-CN", "hi") == "zh-CN"
    assert language_choice.choose(None, None, "hi") is None  # not chosen yet: English meanwhile
    assert language_choice.choose(None, None, "你好") == "zh-CN"
    assert language_choice.choose("zh-CN", None, "hi") == "zh-CN"
    assert language_choice.choose("en", "zh-CN", "你好") == "en"  # once chosen, only a request changes it
    assert language_choice.choose("zh-CN", "zh-CN", "English please") == "en"
    assert language_choice.choose("en", None, "请用中文") == "zh-CN"


def test_switching_language_answers_nothing_and_asks_the_open_question_again(engine):
    state = State(consent=True, facts={"age": 62.0}, pending=["platelet_count"], language="zh-CN")
    outcome = engine.respond(state, Turn("English please"))
    assert outcome.state.language == "en" and outcome.state.facts == {"age": 62.0}
    assert outcome.state.pending == ["platelet_count"]
    assert [r.text for r in outcome.replies][0] == "All right, let's continue in English."
    assert outcome.replies[-1].text.startswith("What was your most recent platelet count?")
    outcome = engine.respond(outcome.state, Turn("请用中文", intent="affirm", confidence=0.99))
    assert outcome.state.language == "zh-CN" and outcome.state.facts == {"age": 62.0}
    assert outcome.replies[0].text == "好的，我们用中文继续。"
    assert outcome.replies[-1].text.startswith("您最近一次查的血小板是多少？")


def test_the_language_outlives_deleting_the_answers_and_starting_over(engine):
    state = State(consent=True, facts={"age": 62.0}, pending=["platelet_count"], language="zh-CN")
    deleted = engine.respond(state, Turn("/delete_answers", "delete_answers"))
    assert deleted.state == State(language="zh-CN") and deleted.replies[0].text.startswith("我已经删除")
    again = engine.respond(state, Turn("/start_over", "start_over"))
    assert again.state.language == "zh-CN" and not again.state.facts and again.replies[0].text.startswith("我们重新开始")


def test_a_question_about_someone_else_names_them_in_chinese(engine):
    state = State(consent=True, pending=["platelet_count"], subject="your mother", language="zh-CN")
    outcome = engine.respond(state, Turn("/why", "why"))
    assert outcome.replies[-1].text.startswith("您的母亲最近一次查的血小板是多少？")
    assert "I ask because" not in outcome.replies[0].text and "我问这个" in outcome.replies[0].text


def test_dates_in_chinese_replies(engine):
    state = State(consent=True, pending=["last_chemotherapy"], language="zh-CN")
    outcome = engine.respond(state, Turn("2026-11-03"))
    assert any("2026年11月3日" in r.text for r in outcome.replies), [r.text for r in outcome.replies]
    assert date(2026, 11, 3).isoformat() == outcome.state.facts["last_chemotherapy"]
