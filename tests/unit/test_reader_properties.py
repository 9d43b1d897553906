"""Properties of the reader (bot/understanding.py) and the engine over generated input (Hypothesis):
whatever arrives, nothing crashes, and text that is no English never becomes a fact, a yes or consent."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.conversation import State, Turn
from bot.parsing.when import parse_when
from tests.conftest import TODAY

QUESTIONS = ["platelet_count", "diabetes", "last_chemotherapy", "age", "cancer_type", "bleeding_tendency"]
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Text in scripts the bot does not read, with digits and punctuation mixed in (Han characters are Chinese, which it reads)
OTHER_SCRIPTS = st.text(alphabet=st.characters(whitelist_categories=("Lo",), max_codepoint=0xFFFF)
                        .filter(lambda ch: not ch.isascii() and not HAN.match(ch)), min_size=1, max_size=40)
# Han characters strung together at random (numerals left out): Chinese words by chance, but no answer
RANDOM_HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF).filter(lambda ch: ch not in "一二两三四五六七八九十百千万亿零"),
                     min_size=1, max_size=12)
# Anything at all: control and format characters, surrogate-free Unicode, long runs
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
# Keyboard mashing: letters that spell no English word, repeated
MASHING = st.from_regex(r"[qwrtzxcvbnmpsdfghjkl]{4,12}", fullmatch=True)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def at(question: str) -> State:
    return State(consent=True, pending=[question])


@SETTINGS
@given(text=ANY_TEXT, question=st.sampled_from(QUESTIONS), intent=st.sampled_from([None, "affirm", "deny", "inform"]))
def test_no_input_crashes_the_engine_and_an_answer_keeps_a_question_or_a_verdict_open(engine, text, question, intent):
    outcome = engine.respond(at(question), Turn(text, intent, 0.99 if intent else None))
    assert outcome.replies  # always an answer
    assert outcome.state.pending or outcome.state.offer or outcome.state.verdict or outcome.state.confirm


@SETTINGS
@given(text=OTHER_SCRIPTS, question=st.sampled_from(QUESTIONS))
def test_another_script_never_becomes_a_fact_or_consent_however_sure_the_model(engine, text, question):
    answered = engine.respond(at(question), Turn(text, "affirm", 0.99))
    assert not answered.state.facts and not answered.state.confirm
    welcomed = engine.respond(engine.respond(State(), Turn("hi")).state, Turn(text, "affirm", 0.99))
    assert welcomed.state.consent is None


@SETTINGS
@given(text=RANDOM_HAN, question=st.sampled_from(QUESTIONS))
def test_random_chinese_characters_never_become_a_fact_or_consent_from_the_model_alone(engine, text, question):
    assume(engine.reader().understand(text).reply is None)  # "是" is a yes in the words, not the model's
    assume(not any(word in text for word in engine.reader().known_words if not word.isascii()))  # "肺", "女": the bot's words
    assume(parse_when(text, TODAY) is None)  # "今日", "昨天": a time, which is a word too
    answered = engine.respond(at(question), Turn(text, "affirm", 0.99))
    assert not {k: v for k, v in answered.state.facts.items() if v is not None}
    welcomed = engine.respond(engine.respond(State(), Turn("hi")).state, Turn(text, "affirm", 0.99))
    assert welcomed.state.consent is None


@SETTINGS
@given(text=MASHING, question=st.sampled_from(QUESTIONS))
def test_keyboard_mashing_is_no_answer(engine, text, question):
    assume(text not in engine.reader().known_words)  # "lbbb" is mashing that is also a clinical term
    outcome = engine.respond(at(question), Turn(text, "affirm", 0.99))
    assert not {k: v for k, v in outcome.state.facts.items() if v is not None} and not outcome.state.confirm
