"""Unit tests for bot.parsing."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

import pytest

from bot.facts import OPEN_START
from bot.parsing.answers import classify_reply, is_negated, takes_part_back
from bot.parsing.numbers import NumberMatch, find_numbers, normalise
from bot.parsing.quantities import TIME, Measurement, find_measurements
from bot.parsing.when import WhenAnswer, duration_to_days, elapsed_months, length_against, parse_when
from bot.units import convert

TODAY = datetime.date(2026, 5, 15)
D = datetime.date
LONG_TEXT = ("banana and some other words, " * 200)[:5000]


def _fastest_ms(func: Callable[[], object], runs: int = 3) -> float:
    func()  # warm-up
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


# --- numbers -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one", "1"),
        ("One month ago", "1 month ago"),
        ("six weeks", "6 weeks"),
        ("twenty two thousand", "22000"),
        ("Twenty-Two thousand", "22000"),
        ("sixty-seven", "67"),
        ("one hundred and fifty", "150"),
        ("a hundred and fifty thousand", "150000"),
        ("twenty two point five", "22.5"),
        ("a month", "1 month"),
        ("a week ago", "1 week ago"),
        ("a year", "1 year"),
        ("an hour", "1 hour"),
        ("half a year", "6 months"),
        ("half a day", "0.5 day"),
        ("a couple of weeks", "2 weeks"),
        ("a couple weeks ago", "2 weeks ago"),
        ("a year and a half", "1.5 years"),
        ("two and a half months", "2.5 months"),
        ("one and a half years", "1.5 years"),
        ("22k", "22000"),
        ("22K", "22000"),
        ("1.5k", "1500"),
        ("22,000", "22000"),
        ("1,234,567", "1234567"),
        ("3,000.5", "3000.5"),
        ("22.5", "22.5"),
        ("1.5 thousand", "1500"),
        ("22 thousand", "22000"),
        ("2 million", "2000000"),
        ("a lot", "a lot"),
        ("a lot of tablets", "a lot of tablets"),
        ("no one knows", "no one knows"),
        ("once a month", "once a month"),
        ("twice a day", "twice a day"),
        ("a second opinion", "a second opinion"),
        ("first cycle", "first cycle"),
        ("we are a couple", "we are a couple"),
        ("30 billion per litre", "30 billion per litre"),
        ("22kg", "22kg"),
        ("Platelets TWENTY TWO THOUSAND", "Platelets 22000"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22000", [NumberMatch(22000.0, 0, 5)]),
        ("about 6 weeks", [NumberMatch(6.0, 6, 7)]),
        ("22.5 and 3", [NumberMatch(22.5, 0, 4), NumberMatch(3.0, 9, 10)]),
        ("6w", [NumberMatch(6.0, 0, 1)]),
        (".5", [NumberMatch(0.5, 0, 2)]),
        ("the 1st and 2nd cycles", []),
        ("vitamin B12", []),
        ("1.2.3", []),
        ("banana", []),
        ("", []),
    ],
)
def test_find_numbers(text: str, expected: list[NumberMatch]) -> None:
    assert find_numbers(text) == expected


# --- quantities --------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("22 x10^9/L", 22, "10^9/L"),
        ("22x10^9/L", 22, "10^9/L"),
        ("22 ×10^9/L", 22, "10^9/L"),
        ("22 ×10⁹/L", 22, "10^9/L"),
        ("22 10*9/L", 22, "10^9/L"),
        ("22 10e9/L", 22, "10^9/L"),
        ("22 x10^9/l", 22, "10^9/L"),
        ("22 G/L", 22, "10^9/L"),
        ("22 x 10 9 /L", 22, "10^9/L"),
        ("22 billion per litre", 22, "10^9/L"),
        ("twenty two billion per liter", 22, "10^9/L"),
        ("22 K/uL", 22, "10^3/uL"),  # the same count as 22 x10^9/L, in the unit written
        ("22 x10^3/uL", 22, "10^3/uL"),
        ("22000 per microliter", 22000, "/uL"),
        ("22000 per microlitre", 22000, "/uL"),
        ("22000/µL", 22000, "/uL"),
        ("22000/μL", 22000, "/uL"),
        ("22000 /ul", 22000, "/uL"),
        ("22000/mcL", 22000, "/uL"),
        ("22000 per mm3", 22000, "/uL"),
        ("22000/mm3", 22000, "/uL"),
        ("22000/mm³", 22000, "/uL"),
        ("22000 per cubic millimetre", 22000, "/uL"),
        ("22000 cells/uL", 22000, "/uL"),
        ("22,000/uL", 22000, "/uL"),
        ("22k/uL", 22000, "/uL"),
        ("22 thousand per microlitre", 22000, "/uL"),
        ("QTc 450ms", 450, "ms"),
        ("450 msec", 450, "ms"),
        ("450 milliseconds", 450, "ms"),
        ("45 y", 45, "years"),
        ("45yr", 45, "years"),
        ("45 yrs", 45, "years"),
        ("45 years", 45, "years"),
        ("45 year old", 45, "years"),
        ("a 45-year-old man", 45, "years"),
        ("45yo", 45, "years"),
        ("45 y/o", 45, "years"),
        ("sixty-seven years old", 67, "years"),
        ("1.2 mg/dL", 1.2, "mg/dL"),
        ("1.2 mg/dl", 1.2, "mg/dL"),
        ("13 g/dL", 13, "g/dL"),
        ("130 g/L", 130, "g/L"),
        ("130 grams per litre", 130, "g/L"),
        ("88 umol/L", 88, "umol/L"),
        ("88 µmol/l", 88, "umol/L"),
        ("5.5 mmol/L", 5.5, "mmol/L"),
        ("40 U/L", 40, "U/L"),
        ("40 IU/L", 40, "U/L"),
        ("45%", 45, "%"),
        ("45 percent", 45, "%"),
        ("45 per cent", 45, "%"),
        ("22k", 22000, None),
        ("twenty two thousand", 22000, None),
        ("I am 67", 67, None),
    ],
)
def test_find_measurements_single(text: str, value: float, unit: str | None) -> None:
    (found,) = find_measurements(text)
    assert (found.value, found.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("platelets 22 x10^9/L", [Measurement(22.0, "10^9/L", 10, 20)]),
        (
            "creatinine 1.2 mg/dl and plt 150 G/L",
            [Measurement(1.2, "mg/dL", 11, 20), Measurement(150.0, "10^9/L", 29, 36)],
        ),
        ("about twenty two thousand /uL", [Measurement(22000.0, "/uL", 6, 29)]),
        ("it was 22k, I think", [Measurement(22000.0, None, 7, 10)]),
        ("5-10 x10^9/L", [Measurement(5.0, None, 0, 1), Measurement(10.0, "10^9/L", 2, 12)]),
    ],
)
def test_find_measurements_offsets_are_into_original_text(
    text: str, expected: list[Measurement]
) -> None:
    assert find_measurements(text) == expected


@pytest.mark.parametrize("text", ["banana", "", "??", "45 yes", "G/L", "vitamin B12"])
def test_find_measurements_nothing(text: str) -> None:
    assert [m for m in find_measurements(text) if m.unit] == []


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (30, "10^9/L", "/uL", 30000),
        (30000, "/uL", "10^9/L", 30),
        (22, "10^9/L", "/uL", 22000),
        (150, "10^9/L", "10^9/L", 150),
        (13, "g/dL", "g/L", 130),
        (1.2, "mg/dL", "g/L", 0.012),
        (5.5, "mmol/L", "umol/L", 5500),
        (1, "years", "ms", 365.25 * 24 * 3600 * 1000),
        (45, "%", "%", 45),
        (1.2, "mg/dL", "mg/L", 12),  # a patient's mg/dL for a fact an importer keeps in mg/L
        (22, "10^3/uL", "10^9/L", 22),
        (48, "hours", "days", 2),
        (154, "lb", "kg", 69.8532),
    ],
)
def test_convert(value: float, from_unit: str, to_unit: str, expected: float) -> None:
    assert convert(value, from_unit, to_unit) == pytest.approx(expected)


def test_convert_is_exact_for_platelets() -> None:
    assert convert(30, "10^9/L", "/uL") == 30000.0
    assert convert(convert(22, "10^9/L", "/uL"), "/uL", "10^9/L") == 22.0


def test_the_reader_knows_every_unit_of_the_registry_but_time_spans() -> None:
    assert [(m.value, m.unit) for m in find_measurements("creatinine 1.2 mg/L, CRP 8 mg/dl, 98 bpm")] == [
        (1.2, "mg/L"), (8.0, "mg/dL"), (98.0, "bpm")]
    chemo_and_age = find_measurements("chemo 3 weeks ago, 62-year-old")
    assert [(m.unit, m.shape) for m in chemo_and_age] == [("weeks", TIME), ("years", None)]


def test_measured_platelets_convert_to_same_count() -> None:
    texts = ["22 x10^9/L", "22000 per microliter", "22k", "twenty two thousand", "22,000/mm3"]
    counts = []
    for text in texts:
        (m,) = find_measurements(text)
        counts.append(m.value if m.unit in (None, "/uL") else convert(m.value, m.unit, "/uL"))
    assert counts == [22000.0] * len(texts)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [
        ("mg/dL", "umol/L"),
        ("ms", "%"),
        ("10^9/L", "g/L"),
        ("years", "U/L"),
        ("foo", "ms"),
        ("ms", "bar"),
        ("breaths/min", "bpm"),  # both "per minute", but never the same thing
        ("°C", "°F"),  # offset scales: a threshold is not multiplied across them
        ("xULN", "U/L"),
        ("mL/min", "mL/min/1.73m2"),
        ("mEq/L", "mmol/L"),
    ],
)
def test_convert_rejects_incompatible_or_unknown_units(from_unit: str, to_unit: str) -> None:
    with pytest.raises(ValueError):
        convert(1, from_unit, to_unit)


# --- when --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("six weeks ago", WhenAnswer(D(2026, 4, 3))),
        ("6w ago", WhenAnswer(D(2026, 4, 3))),
        ("6 wks", WhenAnswer(D(2026, 4, 3))),
        ("6 weeks", WhenAnswer(D(2026, 4, 3))),
        ("10 days ago", WhenAnswer(D(2026, 5, 5))),
        ("about two months", WhenAnswer(D(2026, 3, 15), approximate=True)),
        ("around 2 months ago", WhenAnswer(D(2026, 3, 15), approximate=True)),
        ("roughly 3 weeks ago", WhenAnswer(D(2026, 4, 24), approximate=True)),
        ("approximately 1 year ago", WhenAnswer(D(2025, 5, 15), approximate=True)),
        ("~2 months", WhenAnswer(D(2026, 3, 15), approximate=True)),
        ("2 months or so", WhenAnswer(D(2026, 3, 15), approximate=True)),
        ("6ish weeks ago", WhenAnswer(D(2026, 4, 3), approximate=True)),
        ("a few weeks ago", WhenAnswer(D(2026, 4, 24), approximate=True)),
        ("since March 3", WhenAnswer(D(2026, 3, 3))),
        ("since June 3", WhenAnswer(D(2025, 6, 3))),
        ("on 3 March", WhenAnswer(D(2026, 3, 3))),
        ("3rd of March 2025", WhenAnswer(D(2025, 3, 3))),
        ("Dec 12", WhenAnswer(D(2025, 12, 12))),
        ("2026-04-01", WhenAnswer(D(2026, 4, 1))),
        # an all-number date whose day and month could be swapped: both readings, for the bot to ask which
        ("04/01/2026", WhenAnswer(D(2026, 1, 4), approximate=True, alternatives=(D(2026, 1, 4), D(2026, 4, 1)))),
        ("2026-10-01", WhenAnswer(D(2026, 10, 1), future=True)),
        # ... unless one of them is still to come: a last treatment is in the past
        ("10/01/2026", WhenAnswer(D(2026, 1, 10))),
        ("10/01/26", WhenAnswer(D(2026, 1, 10))),
        # a month or a year alone: the range of its days, from the first (`earliest`) to the last
        # (`date`), no later than today
        ("in March", WhenAnswer(D(2026, 3, 31), approximate=True, earliest=D(2026, 3, 1))),
        ("March", WhenAnswer(D(2026, 3, 31), approximate=True, earliest=D(2026, 3, 1))),
        ("March 2025", WhenAnswer(D(2025, 3, 31), approximate=True, earliest=D(2025, 3, 1))),
        ("3/2025", WhenAnswer(D(2025, 3, 31), approximate=True, earliest=D(2025, 3, 1))),
        ("in 2024", WhenAnswer(D(2024, 12, 31), approximate=True, earliest=D(2024, 1, 1))),
        ("in May", WhenAnswer(TODAY, approximate=True, earliest=D(2026, 5, 1))),
        ("2026", WhenAnswer(TODAY, approximate=True, earliest=D(2026, 1, 1))),
        ("last month", WhenAnswer(D(2026, 4, 30), approximate=True, earliest=D(2026, 4, 1))),
        ("last year", WhenAnswer(D(2025, 12, 31), approximate=True, earliest=D(2025, 1, 1))),
        ("the beginning of 2025", WhenAnswer(D(2025, 12, 31), approximate=True, earliest=D(2025, 1, 1))),
        ("the start of last month", WhenAnswer(D(2026, 4, 30), approximate=True, earliest=D(2026, 4, 1))),
        # ... but its end is its last day
        ("at the end of last month", WhenAnswer(D(2026, 4, 30))),
        ("at the end of March", WhenAnswer(D(2026, 3, 31), approximate=True)),
        ("the end of 2025", WhenAnswer(D(2025, 12, 31), approximate=True)),
        ("yesterday", WhenAnswer(D(2026, 5, 14))),
        ("the day before yesterday", WhenAnswer(D(2026, 5, 13))),
        ("this morning", WhenAnswer(TODAY)),
        ("last Monday", WhenAnswer(D(2026, 5, 11))),
        ("on Friday", WhenAnswer(D(2026, 5, 8))),
        ("a month ago", WhenAnswer(D(2026, 4, 15))),
        ("an hour ago", WhenAnswer(TODAY)),
        ("a year and a half ago", WhenAnswer(D(2024, 11, 15))),
        ("half a year ago", WhenAnswer(D(2025, 11, 15))),
        ("a couple of weeks ago", WhenAnswer(D(2026, 5, 1))),
        ("two and a half months ago", WhenAnswer(D(2026, 2, 28))),
        ("tomorrow", WhenAnswer(D(2026, 5, 16), future=True)),
        ("in 2 weeks", WhenAnswer(D(2026, 5, 29), future=True)),
        ("2 weeks from now", WhenAnswer(D(2026, 5, 29), future=True)),
        ("next month", WhenAnswer(D(2026, 6, 15), future=True)),
        ("never", WhenAnswer(None, never=True)),
        ("Never.", WhenAnswer(None, never=True)),
        ("I've never had radiotherapy", WhenAnswer(None, never=True)),
        (
            "my last chemo was about six weeks ago, I think",
            WhenAnswer(D(2026, 4, 3), approximate=True),
        ),
        ("I had chemo for 6 weeks, ending last month", WhenAnswer(D(2026, 4, 30), approximate=True,
                                                                   earliest=D(2026, 4, 1))),
        ("May be 2 weeks", WhenAnswer(D(2026, 5, 1))),
        ("the last dose was on 3 March, I had 6 cycles", WhenAnswer(D(2026, 3, 3))),
    ],
)
def test_parse_when(text: str, expected: WhenAnswer) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        # at most that long ago: from the bound up to today, so never "more than N since" on it
        ("less than 2 months ago", D(2026, 3, 15), TODAY),
        ("under 6 weeks ago", D(2026, 4, 3), TODAY),
        ("less than a month ago", D(2026, 4, 15), TODAY),
        ("within the last 6 months", D(2025, 11, 15), TODAY),
        ("within 2 weeks", D(2026, 5, 1), TODAY),
        ("in the past 3 weeks", D(2026, 4, 24), TODAY),
        ("over the last 2 months", D(2026, 3, 15), TODAY),
        ("no more than 2 weeks ago", D(2026, 5, 1), TODAY),
        ("2 weeks or less", D(2026, 5, 1), TODAY),
        ("in the last month", D(2026, 4, 15), TODAY),
        ("in the past month", D(2026, 4, 15), TODAY),
        ("within the last week", D(2026, 5, 8), TODAY),
        ("last fortnight", D(2026, 5, 1), TODAY),
        ("this month", D(2026, 5, 1), TODAY),
        ("this year", D(2026, 1, 1), TODAY),
        ("this week", D(2026, 5, 10), TODAY),  # a Friday: from Sunday, as some start the week then
        # last week: Sunday 3 to Sunday 10 May, the week before this one wherever it starts
        ("last week", D(2026, 5, 3), D(2026, 5, 10)),
        # at least that long ago: no earliest day
        ("more than 3 months ago", OPEN_START, D(2026, 2, 15)),
        ("over a year ago", OPEN_START, D(2025, 5, 15)),
        ("at least 6 weeks ago", OPEN_START, D(2026, 4, 3)),
        ("longer than 2 weeks ago", OPEN_START, D(2026, 5, 1)),
        ("6 months ago or more", OPEN_START, D(2025, 11, 15)),
        ("not in the last 6 months", OPEN_START, D(2025, 11, 15)),
        ("my last chemo was more than 3 months ago", OPEN_START, D(2026, 2, 15)),
        # between two durations
        ("between 2 and 3 months ago", D(2026, 2, 15), D(2026, 3, 15)),
        ("between 6 weeks and 2 months ago", D(2026, 3, 15), D(2026, 4, 3)),
        ("between 2-3 months ago", D(2026, 2, 15), D(2026, 3, 15)),
        ("6-8 weeks ago", D(2026, 3, 20), D(2026, 4, 3)),  # a span said without "between"
        ("2 to 3 months ago", D(2026, 2, 15), D(2026, 3, 15)),
        ("in the last 2-3 months", D(2026, 2, 15), TODAY),  # a bound on a span: up to today
    ],
)
def test_parse_when_a_bound_or_a_span_is_a_range(text: str, earliest: datetime.date,
                                                 latest: datetime.date) -> None:
    assert parse_when(text, TODAY) == WhenAnswer(latest, approximate=True, earliest=earliest)


@pytest.mark.parametrize(
    ("today", "earliest", "latest"),
    [
        (D(2026, 5, 17), D(2026, 5, 4), D(2026, 5, 16)),  # a Sunday: up to yesterday for Sunday-first weeks
        (D(2026, 5, 18), D(2026, 5, 10), D(2026, 5, 17)),  # a Monday: up to yesterday for Monday-first weeks
    ],
)
def test_parse_when_last_week_holds_the_days_of_either_week(today: datetime.date, earliest: datetime.date,
                                                            latest: datetime.date) -> None:
    assert parse_when("last week", today) == WhenAnswer(latest, approximate=True, earliest=earliest)


@pytest.mark.parametrize(
    "text", ["banana", "", "??", "22k", "I may have had it", "yes", "no", LONG_TEXT,
             "recently"]  # no bound at all: asked again rather than guessed
)
def test_parse_when_nothing_time_like(text: str) -> None:
    assert parse_when(text, TODAY) is None


def test_parse_when_month_end_clamps() -> None:
    assert parse_when("1 month ago", D(2026, 3, 31)) == WhenAnswer(D(2026, 2, 28))


@pytest.mark.parametrize("text", ["December 2026", "in 2027", "2027"])
def test_parse_when_a_month_or_year_still_to_come_is_in_the_future(text: str) -> None:
    answer = parse_when(text, TODAY)
    assert answer is not None and answer.future  # not cut short to today and taken as past


@pytest.mark.parametrize(
    ("since", "today", "expected"),
    [
        (D(2026, 4, 15), D(2026, 5, 15), 1.0),
        (D(2026, 2, 28), D(2026, 3, 31), 1.0),
        (D(2025, 5, 15), D(2026, 5, 15), 12.0),
        (D(2026, 5, 15), D(2026, 5, 15), 0.0),
        (D(2026, 4, 16), D(2026, 5, 15), 29 / (365.25 / 12)),
        (D(2026, 4, 14), D(2026, 5, 15), 1 + 1 / (365.25 / 12)),
        (D(2026, 6, 15), D(2026, 5, 15), -1.0),
    ],
)
def test_elapsed_months(since: D, today: D, expected: float) -> None:
    assert elapsed_months(since, today) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", ["1 month ago", "a month ago", "one month ago", "6 months ago", "2 years ago"]
)
@pytest.mark.parametrize("today", [D(2026, 5, 15), D(2026, 3, 31), D(2024, 2, 29), D(2026, 1, 1)])
def test_elapsed_months_round_trips_whole_months(text: str, today: D) -> None:
    answer = parse_when(text, today)
    assert answer is not None and answer.date is not None
    expected = {"1": 1.0, "a": 1.0, "one": 1.0, "6": 6.0, "2": 24.0}[text.split()[0]]
    assert elapsed_months(answer.date, today) == expected


def test_elapsed_months_is_exactly_one_at_boundary() -> None:
    assert elapsed_months(D(2026, 4, 15), D(2026, 5, 15)) == 1.0
    assert elapsed_months(D(2026, 4, 16), D(2026, 5, 15)) < 1.0
    assert elapsed_months(D(2026, 4, 14), D(2026, 5, 15)) > 1.0


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (1, "day", 1.0),
        (2, "weeks", 14.0),
        (1, "month", 365.25 / 12),
        (1.5, "year", 547.875),
        (12, "months", 365.25),
    ],
)
def test_duration_to_days(amount: float, unit: str, expected: float) -> None:
    assert duration_to_days(amount, unit) == pytest.approx(expected)


def test_duration_to_days_rejects_unknown_unit() -> None:
    with pytest.raises(ValueError):
        duration_to_days(1, "parsec")


# --- answers -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "yes", "Yes.", "YES!", "yeah", "yep", "yup", "sure", "correct", "right", "I do", "I have",
        "she does", "he has", "we do", "affirmative", "y", "Y", "of course", "definitely",
        "that's right", "that’s right", "👍", "Yes, I do", "um, yes", "Well, I think so",
        "yes, last year", "I have, twice", "my mum does", "absolutely",
    ],
)
def test_classify_reply_yes(text: str) -> None:
    assert classify_reply(text) == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "no", "No.", "nope", "nah", "never", "not really", "I don't", "I dont", "she doesn't",
        "he hasn't", "we don't", "I do not", "I have not", "I haven't had chemo", "I'm not",
        "none", "neither", "none of them", "n", "N", "no way", "Nope, never", "of course not",
        "absolutely not", "I don't think so", "not that I know of", "no, thanks", "👎",
    ],
)
def test_classify_reply_no(text: str) -> None:
    assert classify_reply(text) == "no"


@pytest.mark.parametrize(
    "text",
    [
        "not sure", "I'm not sure", "no idea", "don't know", "I don't know", "I do not know",
        "I dont know", "I dunno", "idk", "can't remember", "I can’t remember", "maybe",
        "unsure", "I'd have to ask my doctor", "no clue", "not certain", "I don't remember",
        "I don't recall", "yes maybe", "🤷",
    ],
)
def test_classify_reply_unknown(text: str) -> None:
    assert classify_reply(text) == "unknown"


@pytest.mark.parametrize(
    "text, reply",
    [
        ("never tested", "unknown"), ("I've never been tested", "unknown"), ("never had a test for it", "unknown"),
        ("I haven't been tested", "unknown"), ("not tested yet", "unknown"), ("I was never checked", "unknown"),
        ("never had hepatitis", "no"), ("never tested positive", "no"), ("never had a positive test", "no"),
        ("no, the test was negative", "no"),
    ],
)
def test_classify_reply_never_tested_is_not_known_but_a_negative_result_is_no(text: str, reply: str) -> None:
    assert classify_reply(text) == reply


@pytest.mark.parametrize(
    "text",
    [
        "why do you ask?", "22k", "banana", "", "??", "I have a question", "no one told me",
        LONG_TEXT,
    ],
)
def test_classify_reply_neither(text: str) -> None:
    assert classify_reply(text) is None


@pytest.mark.parametrize(
    ("text", "phrase", "negated"),
    [
        ("no history of diabetes", "diabetes", True),
        ("No hx of stroke", "stroke", True),
        ("patient denies chest pain", "chest pain", True),
        ("denied any seizures", "seizures", True),
        ("never had chemo before", "chemo", True),
        ("I have not had radiotherapy", "radiotherapy", True),
        ("she doesn't have HIV", "HIV", True),
        ("I don’t have HIV", "HIV", True),
        ("I dont have HIV", "HIV", True),
        ("she hasnt had chemo", "chemo", True),
        ("without hepatitis", "hepatitis", True),
        ("negative for HIV", "HIV", True),
        ("free of metastases", "metastases", True),
        ("nil brain mets", "brain mets", True),
        ("-ve for hepatitis B", "hepatitis B", True),
        ("no fever or cough", "cough", True),
        ("has diabetes", "diabetes", False),
        ("recent chemo", "chemo", False),
        ("current treatment", "treatment", False),
        ("no fever but cough", "cough", False),
        ("no fever, has cough", "cough", False),
        ("no fever; cough", "cough", False),
        ("no diabetes and hypertension", "hypertension", False),
        ("not only diabetes", "diabetes", False),
        ("no evidence of any current active brain disease", "brain", False),
        ("diabetes", "diabetes", False),
    ],
)
def test_is_negated(text: str, phrase: str, negated: bool) -> None:
    assert is_negated(text, text.index(phrase)) is negated


@pytest.mark.parametrize("start", [-5, 0, 10_000])
def test_is_negated_tolerates_out_of_range_start(start: int) -> None:
    assert is_negated("no diabetes", start) is (start == 10_000)


# --- performance -------------------------------------------------------------

SENTENCE = "my last chemo was about six weeks ago and platelets were 22 x10^9/L, I think"


@pytest.mark.parametrize(
    "call",
    [
        lambda: normalise(SENTENCE),
        lambda: find_numbers(normalise(SENTENCE)),
        lambda: find_measurements(SENTENCE),
        lambda: parse_when(SENTENCE, TODAY),
        lambda: parse_when("since March 3", TODAY),
        lambda: classify_reply("yes I do"),
        lambda: is_negated(SENTENCE, 40),
    ],
)
def test_typical_sentence_is_fast(call: Callable[[], object]) -> None:
    assert _fastest_ms(call) < 5


@pytest.mark.parametrize(
    "call",
    [
        lambda: normalise(LONG_TEXT),
        lambda: find_measurements(LONG_TEXT),
        lambda: parse_when(LONG_TEXT, TODAY),
        lambda: classify_reply(LONG_TEXT),
        lambda: is_negated(LONG_TEXT, 4990),
        lambda: find_measurements("one two three four five " * 200),
        lambda: parse_when("6 weeks ago, March 3, " * 250, TODAY),
        lambda: parse_when("blah 31/02/2025, " * 300, TODAY),
    ],
)
def test_long_input_is_fast(call: Callable[[], object]) -> None:
    assert _fastest_ms(call) < 50


@pytest.mark.parametrize("text, earliest, latest", [
    ("early March", D(2026, 3, 1), D(2026, 3, 10)),
    ("late March", D(2026, 3, 21), D(2026, 3, 31)),
    ("early 2025", D(2025, 1, 1), D(2025, 4, 30)),
    ("late 2025", D(2025, 9, 1), D(2025, 12, 31)),
])
def test_parse_when_early_or_late_is_that_part_of_the_month_or_year(text: str, earliest: datetime.date,
                                                                     latest: datetime.date) -> None:
    assert parse_when(text, TODAY) == WhenAnswer(latest, approximate=True, earliest=earliest)


def test_parse_when_mid_month_is_about_its_15th() -> None:
    assert parse_when("mid March", TODAY) == WhenAnswer(D(2026, 3, 15), approximate=True)


@pytest.mark.parametrize("text", ["wednesday last week", "last week on Wednesday", "Wednesday of last week"])
def test_parse_when_a_weekday_of_last_week_is_that_day(text: str) -> None:
    assert parse_when(text, TODAY).date == D(2026, 5, 6)  # TODAY is Friday 15 May


def test_parse_when_a_duration_in_two_units_is_their_sum() -> None:
    assert parse_when("3 weeks and 2 days ago", TODAY).date == D(2026, 4, 22)
    assert parse_when("1 month 2 weeks ago", TODAY).date == D(2026, 4, 1)


@pytest.mark.parametrize("text, latest", [
    ("cycles on 1 March, 22 March and 12 April", D(2026, 4, 12)),
    ("6 weeks ago, the next one is in 2 weeks", D(2026, 4, 3)),
    ("yesterday, and also last Monday", D(2026, 5, 14)),
])
def test_parse_when_of_several_times_the_latest_past_one_is_when_it_last_happened(text: str,
                                                                                    latest: datetime.date) -> None:
    assert parse_when(text, TODAY).date == latest


@pytest.mark.parametrize("text, expected", [
    (" 3 mo", False), (" weeks", False), (": >6/12", True), (" >6 mo per onc", True), (" <6 months", False),
    (" of 2 years", True), (" months", None), (" 6 months", None), (" >3 months", None), (" poor", None),
])
def test_length_against_a_limit_of_six_months(text: str, expected: bool | None) -> None:
    assert length_against(text, 182) is expected


@pytest.mark.parametrize("text, phrase, negated", [
    ("virology screen neg (HIV, hep B, syphilis)", "syphilis", True),
    ("DNA PCR negative (EBV, CMV)", "CMV", True),
    ("no I'm pregnant already", "pregnant", False),  # the "no" answers the question; the statement is new
    ("no, not pregnant", "pregnant", True),
    ("HIV pos (on ART)", "ART", False),
])
def test_negation_scope_of_brackets_and_of_an_answer_word(text: str, phrase: str, negated: bool) -> None:
    assert is_negated(text, text.index(phrase)) is negated


@pytest.mark.parametrize("text", ["never heard of them", "I don't check it"])
def test_not_knowing_the_thing_asked_is_unknown(text: str) -> None:
    assert classify_reply(text) == "unknown"


def test_parse_when_a_month_of_last_year_is_that_month() -> None:
    assert parse_when("in March last year", TODAY) == WhenAnswer(D(2025, 3, 31), approximate=True, earliest=D(2025, 3, 1))
    assert parse_when("January this year", TODAY) == WhenAnswer(D(2026, 1, 31), approximate=True, earliest=D(2026, 1, 1))


@pytest.mark.parametrize("text, taken", [("no... well pre-diabetic they said", True), ("no, well, sometimes", True),
                                         ("no", False), ("well no", False)])
def test_a_well_after_a_pause_takes_a_reply_back_in_part(text: str, taken: bool) -> None:
    assert takes_part_back(text) is taken


@pytest.mark.parametrize("text, reply", [("He's 58. Sorry forgot to say its my brother I'm asking about", None),
                                         ("I forgot", "unknown"), ("forgot to ask", "unknown")])
def test_forgetting_to_say_something_is_no_forgetting_of_the_answer(text: str, reply) -> None:
    assert classify_reply(text) == reply
