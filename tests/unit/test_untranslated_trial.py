"""A trial with no Chinese wording (one imported from ClinicalTrials.gov) in a Chinese conversation:
the bot still speaks Chinese, shows the trial's own text as registered, in English, and says so in
Chinese wherever that text appears (the welcome, "why", the verdict, the ranking); the reply contract
says which language the trial's text is in, for the website chat's card."""
from __future__ import annotations

import pytest

from bot.conversation import Screening, State, Turn
from bot.importers import drafts, import_path
from bot.store import Catalogue
from tests.conftest import SEED_TRIAL, TODAY
from tests.unit.test_importers import RECORD, RECORD_ID, fresh_store

NOTE = "（这项试验的详细信息，以及它特有的一些问题，目前只有英文版本，按试验登记的英文原文显示。）"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Screening:
    store = fresh_store(tmp_path_factory.mktemp("untranslated"))
    import_path(RECORD, store)
    for criterion in store.trial(RECORD_ID).criteria:
        drafts.approve(store, RECORD_ID, criterion.id)
    drafts.publish(store, RECORD_ID)
    return Screening(Catalogue(store).refresh(), default_trial=SEED_TRIAL, today=lambda: TODAY)


def talk(engine: Screening, state: State, text: str, language=None):
    intent = text[1:] if text.startswith("/") else None
    outcome = engine.respond(state, Turn(text, intent, None, language))
    return outcome.state, outcome.replies


def test_a_trial_without_chinese_is_shown_as_registered_with_a_chinese_note(engine):
    state, replies = talk(engine, State(), f"你好，我想了解{RECORD_ID}", "zh-CN")
    welcome = replies[-1].text
    assert welcome.startswith("您好，我是临床试验筛查助手") and NOTE in welcome, welcome
    state, replies = talk(engine, state, "/affirm", "zh-CN")
    state, replies = talk(engine, state, "为什么问这个", "zh-CN")
    assert replies[0].text.startswith(NOTE) and "我问这个，是因为这项试验有这样一条标准" in replies[0].text, replies[0].text
    state, replies = talk(engine, state, "/show_verdict", "zh-CN")
    verdict = next(r for r in replies if "verdict" in (r.custom or {}))
    assert verdict.text.splitlines()[1] == NOTE, verdict.text  # right under the headline, in Chinese
    assert verdict.custom["verdict"]["trial_id"] == RECORD_ID
    assert verdict.custom["verdict"]["trial"]["language"] == "en"


def test_a_trial_with_chinese_needs_no_note(engine):
    state, replies = talk(engine, State(), "你好", "zh-CN")
    assert NOTE not in replies[-1].text
    state, replies = talk(engine, state, "/affirm", "zh-CN")
    state, replies = talk(engine, state, "/show_verdict", "zh-CN")
    verdict = next(r for r in replies if "verdict" in (r.custom or {}))
    assert NOTE not in verdict.text and verdict.custom["verdict"]["trial"]["language"] == "zh-CN"


def test_in_english_the_imported_trial_has_no_note(engine):
    state, replies = talk(engine, State(), f"hi, tell me about {RECORD_ID}")
    assert "English only" not in replies[-1].text
    state, replies = talk(engine, state, "/affirm")
    state, replies = talk(engine, state, "/show_verdict")
    verdict = next(r for r in replies if "verdict" in (r.custom or {}))
    assert "English only" not in verdict.text and verdict.custom["verdict"]["trial"]["language"] == "en"


def test_a_chinese_ranking_with_an_untranslated_trial_says_so(engine):
    state = State(consent=True, matching=True, facts={"age": 62.0, "sex": "female"}, language="zh-CN")
    state, replies = talk(engine, state, "/show_verdict", "zh-CN")
    ranking = replies[-1]
    titles = {v["trial_id"]: v["trial"]["language"] for v in ranking.custom["verdict"]}
    assert titles == {SEED_TRIAL: "zh-CN", RECORD_ID: "en"}
    listed = [v["trial_id"] for v in ranking.custom["verdict"] if v["status"] != "not_eligible"]
    assert (RECORD_ID in listed) == ("（其中有些试验的详细信息目前只有英文版本" in ranking.text), ranking.text
