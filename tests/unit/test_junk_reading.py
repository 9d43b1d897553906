"""No fact from junk (issue 13): what a person cannot see is removed before any reader sees the text
(bot/parsing/cleaning.py), a number is a fact's value only in a unit of the fact's dimension and in
the shape of a value (bot/parsing/quantities.py, bot/units.py), and a date only if the day exists
and someone could have lived it (bot/extraction.py). What cannot be used is asked again, never
noted, and never dropped in silence where the person plainly answered."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts, texts_zh
from bot.conversation import State, Turn
from bot.parsing.cleaning import clean, visible
from bot.parsing.quantities import FRACTION, NEGATIVE, POWER, SPLIT, TIME, find_measurements
from bot.parsing.when import parse_when
from bot.staff import StaffScreening
from bot.units import factor, unit_named
from tests.conftest import TODAY

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def at(question: str) -> State:
    return State(consent=True, pending=[question])


def noted(outcome) -> dict:
    return {k: v for k, v in {**outcome.state.facts, **outcome.state.held}.items() if v is not None}


# -- what cannot be seen ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, seen", [
    ("\x1b[5m", ""),  # SGR, the staff reader's "5-year-old male"
    ("\x1b[?25lplt 22", "plt 22"),  # a private CSI
    ("\x9b31mplt 22", "plt 22"),  # the one-byte (C1) CSI
    ("\x1b]0;age 62\x07plt 22", "plt 22"),  # an operating-system command and its text (a window title)
    ("\x1b]8;;http://x/62\x1b\\plt 22", "plt 22"),  # a hyperlink, ended by ST
    ("[31mplt 22", "plt 22"),  # the escape character dropped by a client
    ("plt\x0022", "plt22"),
    ("line one\rline two", "line one\nline two"),  # an old Mac's line break is a break, not nothing
    ("age \u202e26", "age"),  # shown as "age 62": no digit can be trusted
])
def test_what_cannot_be_seen_is_gone(text, seen):
    assert visible(text).text.strip() == seen
    assert clean(text).text == seen


@pytest.mark.parametrize("text", ["&#60;script&#62;alert(1)&#60;/script&#62;", "#{7*7}", "${7*7}", "%{7*7}",
                                  "1 OR 1=1", "x' or 'a'='a"])
def test_markup_templates_and_sql_are_code(text):
    cleaned = clean(text)
    assert cleaned.code and not any(ch.isdigit() for ch in cleaned.text.replace("1", "", 1))


def test_visible_text_keeps_what_a_person_typed():
    for text in ("plt 22k, ALT 3x ULN", "Hb (g/dL) 10", "吃了特比澳", "👩‍⚕️ ok", "a\tb\nc"):
        assert visible(text).text == text and not visible(text).code


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_no_control_format_or_direction_character_is_left(text):
    seen = visible(text).text
    assert not any(ch not in "\n\t" and (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) for ch in seen)
    assert not set(seen) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f")
    assert visible(seen).text == seen  # one step, once is enough


# -- units and shapes ---------------------------------------------------------------------------------
def test_pint_names_units_spelled_out_and_nothing_else():
    assert unit_named("parsecs") == "parsec" and unit_named("kilograms") == "kilogram"
    assert unit_named("lightyears") == "light_year" and unit_named("volts") == "volt"
    for word in ("units", "in", "bananas", "today", "thousand", "tablets"):  # "units" is no micro-nit
        assert unit_named(word) is None, word


def test_a_unit_pint_knows_converts_only_within_its_dimension():
    assert factor("parsec", "10^9/L") is None and factor("kilogram", "years") is None
    assert factor("degree", "%") is None  # an angle is no percentage, though pint calls both dimensionless
    assert factor("millennium", "years") == 1000 and factor("stone", "kg") == pytest.approx(6.35, abs=0.01)


@pytest.mark.parametrize("text, shape", [
    ("age -5", NEGATIVE), ("platelets -22k", NEGATIVE), ("-5 years", NEGATIVE), ("minus five", NEGATIVE),
    ("-22 x10^9/L", NEGATIVE), ("(−5)", NEGATIVE), ("-3 weeks", NEGATIVE), ("负5", NEGATIVE), ("age 1e308", POWER), ("platelets 22e9999", POWER),
    ("I am 10^100 years old", POWER), ("platelets 22 ×10^99/L", POWER), ("age 1/0", FRACTION), ("age 6 2", SPLIT),
])
def test_numbers_in_no_shape_of_a_value(text, shape):
    assert find_measurements(text)[0].shape == shape


@pytest.mark.parametrize("text", ["20 -25", "plt 22k", "plt 22 x10^9/L", "18 -> 12", "she is 62, plt 22 4 weeks ago",
                                  "ALT 3x ULN", "50 minus 20", "COVID-19", "2-3 weeks ago", "负责人说她62"])
def test_values_keep_their_shape(text):
    """None is junk; a time span ("4 weeks") is marked as a time, which is no junk."""
    assert all(m.shape in (None, TIME) for m in find_measurements(text)), find_measurements(text)


# -- through the reader and the engine -----------------------------------------------------------------
@pytest.mark.parametrize("question, text", [
    ("platelet_count", "platelets 22 parsecs"), ("platelet_count", "platelets 22 bananas"),
    ("platelet_count", "my platelets were 22 furlongs per fortnight"), ("platelet_count", "22 volts"),
    ("age", "age 62 kilograms"), ("age", "I'm 62 lightyears old"), ("age", "62 degrees"),
    ("platelet_count", "22e9999"), ("age", "I am 10^100 years old"),
    ("platelet_count", "1/0"), ("age", "age 6 2"),
])
def test_a_number_that_is_no_value_is_asked_again_not_noted(engine, question, text):
    outcome = engine.respond(at(question), Turn(text))
    assert not noted(outcome) and not outcome.state.confirm
    assert "couldn't use" in outcome.replies[0].text and question in outcome.state.pending


@pytest.mark.parametrize("question, text, fact, words", [
    ("age", "-5", "age", "-5"), ("age", "age -5", "age", "-5"), ("age", "-5 years", "age", "-5 years"),
    ("age", "I am minus five", "age", "minus five"), ("platelet_count", "age -5", "age", "-5"),
    ("platelet_count", "I'm -5", "age", "-5"), ("platelet_count", "she is -62 years old", "age", "-62 years old"),
    ("platelet_count", "-62F", "age", "-62"), ("platelet_count", "my mum, -67, lung cancer", "age", "-67"),
    ("platelet_count", "22k, age -5", "age", "-5"), ("platelet_count", "platelets -22k", "platelet_count", "-22k"),
    ("platelet_count", "−22 x10^9/L", "platelet_count", "−22 x10^9/L"), ("qtc_ms", "-450", "qtc_ms", "-450"),
    ("last_chemotherapy", "-3 weeks ago", "last_chemotherapy", "-3 weeks"),
    ("last_chemotherapy", "minus two months ago", "last_chemotherapy", "minus two months"),
    ("platelet_count", "last chemo -3 weeks ago", "last_chemotherapy", "-3 weeks"),
])
def test_a_number_below_zero_is_refused_as_impossible_for_the_fact_it_names(engine, question, text, fact, words):
    """"age -5" to any question: no age, no time ago and no count is below zero. Said so, for the fact the
    words name (not the question open), nothing noted, nothing offered back, and that fact asked again."""
    outcome = engine.respond(at(question), Turn(text))
    assert fact not in noted(outcome) and not outcome.state.confirm
    label = engine.catalogue.vocabulary[fact].shown_label
    assert outcome.replies[0].text == texts.BELOW_ZERO.format(words=words, label=label)
    assert outcome.state.pending == [fact]


@pytest.mark.parametrize("text, words", [("负5", "负5"), ("我今年-5岁", "-5岁"), ("她-62岁", "-62岁")])
def test_a_number_below_zero_in_chinese_is_refused_too(engine, text, words):
    """A minus sign right after a Chinese character is one (Chinese writes no space before it)."""
    outcome = engine.respond(at("age"), Turn(text))
    assert not noted(outcome) and not outcome.state.confirm
    assert outcome.replies[0].text == texts_zh.BELOW_ZERO.format(words=words, label="年龄")


@pytest.mark.parametrize("text", ["白介素-11打过两次", "11月-12月", "2周-3周前"])
def test_a_hyphen_after_a_chinese_word_or_unit_is_no_minus(text):
    assert all(m.shape != NEGATIVE for m in find_measurements(text)), find_measurements(text)


@pytest.mark.parametrize("text, words", [("6 weeks ago", "6 weeks"), ("about 3 weeks ago", "3 weeks"),
                                         ("it was done 6 wks ago", "6 wks"), ("last checked 5 days ago", "5 days")])
def test_a_time_given_to_a_count_is_no_count(engine, text, words):
    """"6 weeks ago" to the platelet question was noted as a count of 6, which the trial's "below 30" takes:
    a number of a time span is a time, never a count; said so, nothing noted, the count asked again."""
    outcome = engine.respond(at("platelet_count"), Turn(text))
    assert not noted(outcome) and not outcome.state.confirm
    assert outcome.replies[0].text.startswith(f"I couldn't use \"{words}\" as the platelet count")
    assert outcome.state.pending == ["platelet_count"]


def test_the_count_beside_a_time_is_the_count(engine):
    for text in ("platelets 3 weeks ago were 40", "2 days ago it was 40"):
        assert noted(engine.respond(at("platelet_count"), Turn(text)))["platelet_count"] == 40, text


def test_a_time_ago_below_zero_is_no_time():
    assert parse_when("-3 weeks ago", TODAY) is None and parse_when("minus 2 months", TODAY) is None
    assert parse_when("2-3 weeks ago", TODAY) is not None and parse_when("chemo-3 weeks ago", TODAY) is not None


@pytest.mark.parametrize("text", ["chemo on 31/02/2025", "chemo on 2025-13-45", "last chemo in the year 3000",
                                  "last chemo 600 years ago", "last chemo 6 millennia ago"])
def test_a_date_that_cannot_be_is_asked_again(engine, text):
    outcome = engine.respond(at("platelet_count"), Turn(text))
    assert not noted(outcome)
    assert "as a date for the last chemotherapy" in outcome.replies[0].text


def test_a_number_another_word_names_is_offered_back(engine):
    for text in ("WBC 3.2", "line one\rline two", "stage four"):
        outcome = engine.respond(at("platelet_count"), Turn(text))
        assert not noted(outcome) and outcome.state.confirm, text


@pytest.mark.parametrize("text, value", [("22k", 22.0), ("platelets 22 x10^9/L", 22.0), ("it was 22,000", 22.0),
                                         ("22 platelets", 22.0)])
def test_plain_answers_are_still_noted(engine, text, value):
    assert noted(engine.respond(at("platelet_count"), Turn(text))) == {"platelet_count": value}


@SETTINGS
@given(number=st.integers(1, 500), word=st.sampled_from(["parsecs", "volts", "kilograms", "bananas", "furlongs",
                                                         "degrees", "lightyears", "pints", "cups", "teaspoons"]),
       question=st.sampled_from(["platelet_count", "age", "qtc_ms"]))
def test_no_number_with_a_unit_of_another_dimension_becomes_a_fact(engine, number, word, question):
    outcome = engine.respond(at(question), Turn(f"{number} {word}"))
    assert not noted(outcome) and not outcome.state.confirm


@SETTINGS
@given(number=st.integers(1, 10 ** 6), form=st.sampled_from(["-{n}", "{n}e{n}", "{n}^{n}", "{n}/{n}", "{n} ×10^{n}/L"]),
       question=st.sampled_from(["platelet_count", "age", "qtc_ms"]))
def test_no_number_in_the_shape_of_no_value_becomes_a_fact(engine, number, form, question):
    outcome = engine.respond(at(question), Turn(form.format(n=number)))
    assert not noted(outcome)


# -- the staff reader reads the visible text too ---------------------------------------------------------
@pytest.mark.parametrize("text", ["\x1b[5m", "\x1b]0;62F\x07", "age \u202e26", "plt\x1b[1m 22 parsecs"])
def test_the_staff_reader_takes_no_fact_from_what_cannot_be_seen(engine, text):
    outcome = StaffScreening(engine).handle(State(), Turn(text))
    assert not {k: v for k, v in outcome.state.facts.items() if v is not None}
