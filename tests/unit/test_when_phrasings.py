"""Dates and lengths of time said the way people say them: named days, a length that is no date, a day of
a cycle, just over an amount (bot/parsing/when.py and how bot/extraction.py takes them)."""
from __future__ import annotations

import datetime

import pytest

from bot.extraction import extract
from bot.facts import NEVER, OPEN_START
from bot.parsing.when import WhenAnswer, absent_for, parse_when
from tests.conftest import TODAY

D = datetime.date
DEC_1 = D(2026, 12, 1)


@pytest.mark.parametrize("text, day", [
    ("christmas eve last year", D(2025, 12, 24)),
    ("Christmas Day 2024", D(2024, 12, 25)),
    ("around christmas", D(2025, 12, 25)),  # this year's is still to come: the latest one up to today
    ("Halloween", D(2026, 10, 31)),
    ("on new year's day", D(2026, 1, 1)),
    ("boxing day last year", D(2025, 12, 26)),
    ("bonfire night", D(2026, 11, 5)),
    ("Easter", D(2026, 4, 5)),
    ("good friday last year", D(2025, 4, 18)),
    ("thanksgiving", D(2026, 11, 26)),
    ("thanksgiving last year", D(2025, 11, 27)),
])
def test_a_named_day_is_the_day_it_fell_on(text, day):
    answer = parse_when(text, DEC_1)
    assert answer is not None and answer.date == day and answer.earliest is None and not answer.future


def test_a_named_day_said_for_this_year_still_to_come_is_in_the_future():
    assert parse_when("christmas this year", DEC_1).future


@pytest.mark.parametrize("text", ["for 2 weeks", "I had chemo for 2 weeks", "I've been on chemo for 3 months",
                                  "for about a month"])
def test_a_length_of_something_done_is_no_date(text):
    assert parse_when(text, DEC_1) is None


@pytest.mark.parametrize("text, latest", [
    ("off chemo for 6 weeks", D(2026, 10, 20)),
    ("no treatment for 2 months now", D(2026, 10, 1)),
    ("chemo-free for 3 weeks", D(2026, 11, 10)),
])
def test_a_length_of_an_absence_is_at_least_that_long_ago(text, latest):
    assert parse_when(text, DEC_1) == WhenAnswer(latest, approximate=True, earliest=OPEN_START)


def test_absent_for_reads_the_length_after_the_treatment():
    assert absent_for("for 2 months", DEC_1) == WhenAnswer(D(2026, 10, 1), approximate=True, earliest=OPEN_START)
    assert absent_for("for a few weeks", DEC_1) is None  # no bound to go on
    assert absent_for("since the summer", DEC_1) is None


@pytest.mark.parametrize("text", ["Day 1 of my last cycle was 14 Nov", "day 1 of cycle 4 was 3 weeks ago",
                                  "C3D1 on 14/11"])
def test_a_day_of_a_cycle_is_marked_as_such(text):
    answer = parse_when(text, DEC_1, "DMY")
    assert answer is not None and answer.cycle_day


def test_days_after_a_treatment_and_a_final_cycle_are_plain_dates():
    assert not parse_when("d+21 post FOLFOX", DEC_1).cycle_day
    assert parse_when("I finished my 6th and final cycle on 28 September", DEC_1) == WhenAnswer(D(2026, 9, 28))


@pytest.mark.parametrize("text, day", [("just over a month ago", D(2026, 11, 1)),
                                       ("a bit more than 6 weeks ago", D(2026, 10, 20)),
                                       # on the near side of the amount too
                                       ("nearly a month ago", D(2026, 11, 1)), ("almost 6 weeks ago", D(2026, 10, 20))])
def test_just_over_an_amount_is_that_amount_offered_back(text, day):
    assert parse_when(text, DEC_1) == WhenAnswer(day, approximate=True, near=True)


@pytest.mark.parametrize("text, earliest", [("last wk", D(2026, 11, 22)), ("last mo", D(2026, 11, 1))])
def test_abbreviated_relative_periods(text, earliest):
    answer = parse_when(text, DEC_1)
    assert answer is not None and answer.earliest == earliest


def test_the_week_before_last_is_the_week_before_last_week_however_weeks_start():
    assert parse_when("the week before last", DEC_1) == WhenAnswer(D(2026, 11, 22), approximate=True, earliest=D(2026, 11, 15))


@pytest.mark.parametrize("text, day", [("I had chemo on the 2nd of November and again on the 16th", D(2026, 11, 16)),
                                       ("3rd of nov and the 24th", D(2026, 11, 24))])
def test_a_bare_day_after_a_day_with_its_month_is_of_that_month(text, day):
    assert parse_when(text, DEC_1).date == day


# -- as the reader takes them -------------------------------------------------------------------
def _found(text, vocabulary, expecting="last_chemotherapy"):
    return extract(text, vocabulary, [vocabulary[expecting]], TODAY)


def test_no_chemo_for_a_length_of_time_is_no_never(vocabulary):
    found = _found("haven't had chemo for 2 months", vocabulary)
    assert found.values["last_chemotherapy"] != NEVER
    assert found.values["last_chemotherapy"].startswith(OPEN_START.isoformat() + "/")
    assert _found("no chemo", vocabulary).values["last_chemotherapy"] == NEVER


def test_a_day_of_a_cycle_asks_for_the_last_dose(vocabulary):
    found = _found("Day 1 of my last cycle was 14 Nov", vocabulary)
    assert "last_chemotherapy" not in found.values
    assert "day 1 of my last cycle" in found.bounds["last_chemotherapy"].lower()


def test_just_over_an_amount_is_offered_back_not_noted(vocabulary):
    found = _found("just over a month ago", vocabulary)
    assert "last_chemotherapy" not in found.values
    assert found.unsure["last_chemotherapy"] == "2026-10-23"  # one day, a month before, to confirm


def test_a_length_of_treatment_is_not_when_it_was(vocabulary):
    found = _found("I've been on chemo for 3 months", vocabulary)
    assert "last_chemotherapy" not in found.values


@pytest.mark.parametrize("text, days_ago", [
    ("about 6 weeks ago, no wait, it was 3 weeks", 21),
    ("6 weeks ago (8 Oct? no sorry that can't be right, 20 Oct)", 42),
    ("2 months ago - I mean 5 weeks ago", 35),
])
def test_a_time_taken_back_gives_way_to_the_one_after(text, days_ago):
    answer = parse_when(text, DEC_1)
    assert answer is not None and (DEC_1 - answer.date).days == days_ago


def test_words_of_regret_with_no_time_after_keep_the_time_before():
    assert parse_when("6 weeks ago, sorry", DEC_1).date == D(2026, 10, 20)


@pytest.mark.parametrize("text, day", [
    ("chemo was supposed to be on 20 Nov but got cancelled because of the platelets, so the last one was 30 Oct",
     D(2026, 10, 30)),
    ("the 24th was postponed, last one was 3 Nov", D(2026, 11, 3)),
])
def test_the_time_of_a_plan_is_no_time_it_happened(text, day):
    assert parse_when(text, DEC_1).date == day


def test_a_treatment_named_in_a_plan_takes_no_time_from_it(vocabulary):
    found = _found("He should have had his last cycle on 3rd Nov but they postponed it because of his counts, "
                   "so the last one he actually had was 20th October", vocabulary)
    assert found.values["last_chemotherapy"] == "2026-10-20"


def test_a_treatment_given_again_in_a_clause_of_its_own_is_read_to_its_last_time(vocabulary):
    assert _found("I had chemo on the 2nd of November and again on the 16th", vocabulary).values["last_chemotherapy"] == "2026-11-16"


def test_a_rate_is_no_time_ago():
    assert parse_when("I'm having it now, 5 days a week", DEC_1) is None
    assert parse_when("twice a week", DEC_1) is None
