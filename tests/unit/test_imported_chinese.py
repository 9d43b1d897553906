"""Imported trials in Chinese: the facts the importer creates for concepts the vocabulary names in
Chinese are asked in Chinese, and their criteria explained in Chinese, from templates
(bot/importers/concepts.py, bot/importers/wording_zh.py); what the templates cannot word (a
criterion's own text, a concept without a vetted Chinese name) stays in English, with the note."""
from __future__ import annotations

import re
import string

import pytest
import yaml

from bot import i18n
from bot.conversation import State
from bot.importers import drafts
from bot.importers.concepts import IMPORT_VOCABULARY, Concepts, Lexicon, chinese_window
from bot.importers.drafts import BASE_VOCABULARY
from bot.importers.wording_zh import COMPUTED, FIXED, add_chinese, rule_words
from bot.parsing.chinese import HAS_HAN
from bot.store import load_vocabulary
from bot.trials import Confidence
from tests.unit.test_untranslated_trial import NOTE, RECORD_ID, engine, talk  # noqa: F401 (the fixture)

LEXICON = Lexicon.load()
UNITS = LEXICON.chinese_units


@pytest.fixture
def concepts() -> Concepts:
    return Concepts(load_vocabulary(BASE_VOCABULARY), LEXICON)


def chinese(concepts: Concepts, key: str) -> dict:
    return concepts.get(key).translations.get(i18n.CHINESE, {})


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_chinese_template_words_the_same_fact_as_its_english():
    data = yaml.safe_load(IMPORT_VOCABULARY.read_text(encoding="utf-8"))
    for name, template in data["templates"].items():
        wording = template.get(i18n.CHINESE)
        if name in ("question", "study_team"):
            assert wording is None  # they quote the criterion's own English text: never translated
            continue
        assert wording is not None, name
        for field in ("label", "ask", "ask_other"):
            assert placeholders(wording[field]) == placeholders(template[field]), (name, field)
            assert HAS_HAN.search(wording[field]) or wording[field] == template[field] == "{name}", (name, field)


def test_every_chinese_name_is_chinese_and_named_once():
    assert LEXICON.chinese_names, "the vocabulary names common concepts in Chinese"
    for english, name in LEXICON.chinese_names.items():
        assert HAS_HAN.search(name) and not re.search(r"[{}]", name), english


def test_a_known_concept_is_asked_in_chinese(concepts):
    asthma = concepts.condition("asthma", "asthma", 14)
    assert chinese(concepts, asthma) == {"label": "过去2周内患过哮喘", "ask": "过去2周内，您是否患过哮喘？",
                                         "ask_other": "过去2周内，{subject}是否患过哮喘？"}
    assert chinese(concepts, "condition:asthma")["ask"] == "您是否曾被诊断患有哮喘？"  # the "ever" fact it rests on
    with i18n.override(i18n.CHINESE):
        assert concepts.get(asthma).question("your mother") == "过去2周内，您的母亲是否患过哮喘？"
    with i18n.override(i18n.ENGLISH):
        assert concepts.get(asthma).question() == "Have you had asthma in the last 2 weeks?"
    entry = LEXICON.exact("measurement", "hemoglobin")
    key, _, _ = concepts.known(entry, "g/dL")
    assert chinese(concepts, key)["ask"].startswith("您知道自己最近一次的血红蛋白是多少吗（单位：g/dL）")
    remdesivir = concepts.drug("remdesivir", "remdesivir", dated=True)
    assert chinese(concepts, remdesivir)["ask"].startswith("您最后一次用瑞德西韦是什么时候？")


def test_a_concept_or_unit_without_a_vetted_chinese_name_stays_in_english(concepts):
    assert chinese(concepts, concepts.condition("4299535", "idiopathic pulmonary fibrosis")) == {}
    weight, _, _ = concepts.measurement("weight_lb", "body weight", "lb")  # pounds: not written in China
    assert chinese(concepts, weight) == {}
    assert chinese(concepts, concepts.question("History of asthma")) == {}  # a criterion's own text
    assert chinese(concepts, concepts.study_team("Adequate organ function per investigator")) == {}


def test_time_frames_in_chinese():
    assert [chinese_window(days) for days in (3, 14, 30, 84, 90, 365, 730)] == \
        ["3天", "2周", "30天", "12周", "90天", "1年", "2年"]


def test_a_rule_in_chinese_from_its_facts_labels(concepts):
    neutrophils, _, _ = concepts.known(LEXICON.exact("measurement", "anc"), "10^9/L")
    covid = concepts.condition("covid19", "COVID-19", 14)
    vocabulary = concepts.vocabulary
    assert rule_words({"fact": "age", "op": ">=", "value": 18, "unit": "years"}, vocabulary, UNITS) == "年龄不低于18岁"
    assert rule_words({"fact": neutrophils, "op": "<", "value": 1.5}, vocabulary, UNITS) == "中性粒细胞绝对计数低于1.5×10⁹/L"
    assert rule_words({"fact": "sex", "in": ["female"]}, vocabulary, UNITS) == "性别：女性"
    assert rule_words({"fact": "last_chemotherapy", "op": ">=", "value": 4, "unit": "weeks"}, vocabulary, UNITS) \
        == "最近一次化疗距今至少4周"
    assert rule_words({"any": [{"fact": covid, "is": True}, {"all": [{"fact": "age", "op": ">", "value": 80},
                                                                     {"fact": "diabetes", "is": False}]}]},
                      vocabulary, UNITS) == "过去2周内患过新冠肺炎（COVID-19），或者（年龄高于80岁，并且糖尿病：否）"


def test_a_rule_with_a_part_templates_cannot_word_has_no_chinese(concepts):
    vocabulary, fibrosis = concepts.vocabulary, concepts.condition("4299535", "idiopathic pulmonary fibrosis")
    assert rule_words({"all": [{"fact": "age", "op": ">=", "value": 18}, {"fact": fibrosis, "is": True}]},
                      vocabulary, UNITS) is None
    assert rule_words({"not": {"fact": "diabetes", "is": True}}, vocabulary, UNITS) is None
    assert rule_words({"fact": "age", "op": ">=", "value": 18, "unit": "parsecs"}, vocabulary, UNITS) is None


def record(confidence: str, kind: str = "inclusion", rule=None) -> dict:
    return {"id": "inc-01", "kind": kind, "text": "Age 18 or over", "confidence": confidence,
            "rule": rule or {"fact": "age", "op": ">=", "value": 18, "unit": "years"}}


def test_criteria_explained_in_chinese_as_their_english_is(concepts):
    vocabulary = concepts.vocabulary
    for confidence in (Confidence.STUDY_TEAM, Confidence.UNSURE, Confidence.QUESTION):
        criterion = record(confidence.value)
        add_chinese(criterion, vocabulary, UNITS)
        assert criterion[i18n.CHINESE] == FIXED[confidence.value]
    inclusion = record(Confidence.COMPUTABLE.value)
    add_chinese(inclusion, vocabulary, UNITS)
    assert inclusion[i18n.CHINESE]["explain"]["met"] == "您符合这项要求：年龄不低于18岁。"
    exclusion = record(Confidence.COMPUTABLE.value, "exclusion", {"fact": "pregnant", "is": True})
    add_chinese(exclusion, vocabulary, UNITS)
    assert exclusion[i18n.CHINESE]["why"] == COMPUTED["exclusion"]["why"].format(requirement="怀孕或可能怀孕")
    fibrosis = concepts.condition("4299535", "idiopathic pulmonary fibrosis")
    unworded = record(Confidence.COMPUTABLE.value, "exclusion", {"fact": fibrosis, "is": True})
    add_chinese(unworded, vocabulary, UNITS)
    assert i18n.CHINESE not in unworded  # shown in English, with the note
    curated = {**record(Confidence.COMPUTABLE.value), i18n.CHINESE: {"why": "人写的"}}
    add_chinese(curated, vocabulary, UNITS)
    assert curated[i18n.CHINESE] == {"why": "人写的"}  # a written translation is never replaced


def test_an_imported_trial_in_a_chinese_conversation(engine):  # noqa: F811 (the fixture)
    state, replies = talk(engine, State(), f"你好，我想了解{RECORD_ID}", i18n.CHINESE)
    assert NOTE in replies[-1].text  # its title, summary and criteria's own text are still in English
    state, replies = talk(engine, state, "/affirm", i18n.CHINESE)
    assert replies[-1].text == "您今年多大年纪？是男性还是女性？"  # asked together (data/facts.yml's ask_with)
    state, replies = talk(engine, state, "62岁，女", i18n.CHINESE)
    assert replies[-1].text.startswith("您知道自己最近一次的ECOG体能状态评分"), replies[-1].text
    state, replies = talk(engine, state, "为什么问这个", i18n.CHINESE)
    why = replies[0].text
    assert NOTE in why and "“ECOG performance status 0-1.”" in why and "研究要求：ECOG体能状态评分" in why, why
    state, replies = talk(engine, state, "0", i18n.CHINESE)
    assert replies[-1].text.startswith("您知道自己最近一次的中性粒细胞绝对计数是多少吗（单位：×10⁹/L）"), replies[-1].text
    state, replies = talk(engine, state, "1.0", i18n.CHINESE)
    state, replies = talk(engine, state, "/show_verdict", i18n.CHINESE)
    verdict = next(r for r in replies if "verdict" in (r.custom or {}))
    assert verdict.text.startswith("根据您告诉我的情况，您不符合"), verdict.text
    assert "- 研究要求：中性粒细胞绝对计数不低于1.5×10⁹/L。" in verdict.text, verdict.text
    assert verdict.custom["verdict"]["trial"]["language"] == "en"


def test_a_coordinator_s_new_question_is_asked_in_english_until_translated(tmp_path):
    from bot.importers import import_path
    from tests.unit.test_importers import RECORD, fresh_store

    store = fresh_store(tmp_path)
    import_path(RECORD, store)
    criterion = store.trial(RECORD_ID).criterion("inc-16")  # absolute neutrophil count >= 1.5
    [fact] = criterion.rule.facts
    assert store.vocabulary()[fact].translations[i18n.CHINESE]["ask"].startswith("您知道自己最近一次的中性粒细胞")
    edited = drafts.edit(store, RECORD_ID, criterion.id, f"{{fact: '{fact}', op: '>=', value: 2}}",
                         {fact: ("What was your last neutrophil count on the lab report?", "patient")},
                         confirmed_by_team=False)
    definition = store.vocabulary()[fact]
    assert definition.translations[i18n.CHINESE] == {"label": "中性粒细胞绝对计数"}
    with i18n.override(i18n.CHINESE):
        assert definition.question() == "What was your last neutrophil count on the lab report?"
        assert edited.explanation("not_met") == "研究要求：中性粒细胞绝对计数不低于2×10⁹/L。"


def test_the_never_a_chinese_date_question_suggests_is_read_as_never(concepts):
    from bot.extraction import extract
    from bot.facts import NEVER
    from tests.conftest import TODAY

    for key in (concepts.drug("remdesivir", "remdesivir", dated=True),
                concepts.procedure("remdesivir_infusion", "remdesivir", dated=True)):  # a procedure named as a drug
        definition = concepts.get(key)
        [suggested] = re.findall(r"“(.+?)”", chinese(concepts, key)["ask"])
        assert extract(suggested, concepts.vocabulary, [definition], TODAY).values == {key: NEVER}, suggested


def test_a_fact_imported_before_the_chinese_templates_is_worded_in_chinese_when_imported_again(concepts):
    from dataclasses import replace

    key = concepts.condition("asthma", "asthma")
    english_only = replace(concepts.get(key), translations={})
    reworded = replace(concepts.get(key), ask="Has a doctor ever told you that you have asthma?", translations={})
    for stored, worded in ((english_only, True), (reworded, False)):
        again = Concepts(load_vocabulary(BASE_VOCABULARY), LEXICON)
        again.vocabulary[key] = stored
        assert again.condition("asthma", "asthma") == key
        assert (key in again.created) == worded and bool(chinese(again, key)) == worded
        assert again.get(key).ask == stored.ask  # the English as it was
