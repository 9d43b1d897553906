"""When the last chemotherapy and radiotherapy were, as Chinese patients and carers write it: spans said with
多 and 几, weekdays, days counted from something else, several treatments in one message. Today is Tuesday
2026-12-01; the trial needs more than one month since both."""
from __future__ import annotations

from datetime import date

import pytest

from bot.conversation import Screening, State, Turn
from bot.facts import NEVER
from bot.parsing.when import parse_when
from tests.conftest import SEED_TRIAL

TODAY = date(2026, 12, 1)
START = ["cancer_type", "age", "sex", "childbearing_potential", "last_chemotherapy", "last_radiotherapy"]


@pytest.fixture
def engine(catalogue) -> Screening:
    """The screening on the understanding benchmark's day, that the dates here are counted from."""
    return Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)


def read(engine: Screening, question, message: str):
    pending = question if isinstance(question, list) else [question]
    return engine.understand(State(consent=True, pending=pending), Turn(message, None, None))


def span(text: str):
    answer = parse_when(text, TODAY)
    return None if answer is None else (answer.earliest and answer.earliest.isoformat(), answer.date.isoformat())


@pytest.mark.parametrize("message, chemotherapy, radiotherapy", [
    ("淋巴瘤 45 女 上周化疗 放疗没做过", "2026-11-22/2026-11-29", NEVER),
    ("我妈 乳腺癌 58岁 上个月中旬最后一次化疗 没做过放疗", "2026-11-11/2026-11-20", NEVER),
    ("结肠癌 65 男 十月底化疗结束的 放疗去年做过", "2026-10-31", "2025-01-01/2025-12-31"),
    ("男 70 胃癌 化疗完六周了 放疗没有", "2026-10-20", NEVER),
])
def test_a_treatments_time_is_read_up_to_the_other_treatments_name(engine, message, chemotherapy, radiotherapy):
    """Said without punctuation, the radiotherapy's "没做过" or "去年" is not the chemotherapy's time (reading
    "never" for a chemotherapy of last week would make someone look eligible), nor the chemotherapy's time
    the radiotherapy's."""
    facts = read(engine, START, message).facts
    assert (facts["last_chemotherapy"], facts["last_radiotherapy"]) == (chemotherapy, radiotherapy)


def test_a_time_said_of_both_treatments_joined_is_both_of_theirs(engine):
    facts = read(engine, ["last_chemotherapy", "last_radiotherapy"], "化疗和放疗都是6周前").facts
    assert facts == {"last_chemotherapy": "2026-10-20", "last_radiotherapy": "2026-10-20"}


def test_of_several_times_of_one_treatment_the_latest(engine):
    """The intravenous chemotherapy stopped in August, the oral one (替吉奥) last week: the last dose is last week's."""
    facts = read(engine, "last_chemotherapy", "8月份就停了静脉化疗，但是替吉奥一直吃到上周").facts
    assert facts["last_chemotherapy"].endswith("/2026-11-29")


@pytest.mark.parametrize("text, earliest, latest", [
    ("一个多月前", "2026-10-01", "2026-10-31"), ("两个多月了", "2026-09-01", "2026-09-30"),
    ("三个多星期", "2026-11-03", "2026-11-09"), ("四十多天了", "2026-10-12", "2026-10-21"),
    ("十多天前", "2026-11-11", "2026-11-20"), ("半年多了", "2025-12-01", "2026-05-31"),
    ("半个多月前", "2026-11-01", "2026-11-15"),
])
def test_some_more_than_an_amount_is_the_span_up_to_the_next_one(text, earliest, latest):
    """"一个多月" is more than one month and less than two: the day of exactly one month ago is not in it, so
    it says "more than a month" outright."""
    assert span(text) == (earliest, latest)


def test_more_than_an_amount_said_as_a_bound_stays_open_ended():
    assert span("超过两个月了") == ("1900-01-01", "2026-10-01")
    assert span("已经两个多月没化疗了") == ("1900-01-01", "2026-10-01")


@pytest.mark.parametrize("text, day", [("十来天前", "2026-11-21"), ("二十来天了", "2026-11-11")])
def test_about_an_amount_with_lai_is_that_amount_about(text, day):
    answer = parse_when(text, TODAY)
    assert answer.date.isoformat() == day and answer.approximate and answer.earliest is None


@pytest.mark.parametrize("text, day", [
    ("上上周四", "2026-11-19"), ("上周五", "2026-11-27"), ("周五打的", "2026-11-27"), ("礼拜五", "2026-11-27"),
    ("这周一", "2026-11-30"),
])
def test_a_weekday_is_its_day_in_the_week_named(text, day):
    assert span(text) == (None, day)


def test_a_weekday_of_this_week_still_to_come_is_no_last_time():
    assert parse_when("这周五", TODAY).future


@pytest.mark.parametrize("text, earliest, latest", [
    ("上上个月", "2026-10-01", "2026-10-31"), ("上个月月底", None, "2026-11-30"),
    ("10.8号", None, "2026-10-08"), ("10月25", None, "2026-10-25"), ("上次是10月25，之后没做", None, "2026-10-25"),
    ("26年10月12号", None, "2026-10-12"), ("10月20几号", "2026-10-21", "2026-10-29"),
    ("上个月十几号", "2026-11-11", "2026-11-19"), ("上个越10号", None, "2026-11-10"),
])
def test_calendar_days_as_people_type_them(text, earliest, latest):
    """"10月" is October, never ten months ago; "10.8号" is 8 October; "20几号" the 21st to the 29th; 越 is a slip for 月."""
    assert span(text) == (earliest, latest)


@pytest.mark.parametrize("text", ["农历九月底", "阴历八月十五", "中秋节前一天", "化疗后第10天查的"])
def test_a_lunar_date_or_a_day_counted_from_another_is_no_time(text):
    """A lunar month is weeks off the calendar's month of the same number; "前一天" of a festival, or the tenth day
    after chemotherapy that a test was done on, is not a day before today."""
    assert parse_when(text, TODAY) is None


def test_a_day_named_beside_the_festival_is_read():
    assert span("9月30号国庆前一天") == (None, "2026-09-30")


@pytest.mark.parametrize("text, earliest, latest", [
    ("现在是化疗后第14天", None, "2026-11-17"), ("化疗完第三周了", "2026-11-11", "2026-11-17"),
])
def test_now_counted_after_the_treatment_is_that_long_since(text, earliest, latest):
    assert span(text) == (earliest, latest)


def test_none_this_month_is_no_never(engine):
    """"这个月还没化疗" says when it did not happen; the time said after it is the last one."""
    assert read(engine, "last_chemotherapy", "这个月还没化疗，上次是10月25").facts == {"last_chemotherapy": "2026-10-25"}
    assert read(engine, "last_chemotherapy", "最近没化疗").facts.get("last_chemotherapy") != NEVER
    assert read(engine, "last_chemotherapy", "没化疗过").facts == {"last_chemotherapy": NEVER}


@pytest.mark.parametrize("text, earliest, latest", [
    ("11月3号还是4号来着", "2026-11-03", "2026-11-04"), ("11月3号或者4号", "2026-11-03", "2026-11-04"),
    ("上半年", "2026-01-01", "2026-06-30"), ("去年下半年", "2025-07-01", "2025-12-31"),
    ("今年年初", "2026-01-01", "2026-04-30"), ("去年年底", None, "2025-12-31"),
])
def test_one_of_two_days_and_parts_of_a_year_are_their_days(text, earliest, latest):
    """Of "3号还是4号" the later day may be the one: both are kept, never the earlier alone; "上半年" is no half year ago."""
    assert span(text) == (earliest, latest)


def test_a_treatment_not_given_as_planned_is_no_time_of_it(engine):
    message = "本来这周化疗，血小板太低没打，上次是10月30号"
    assert read(engine, "last_chemotherapy", message).facts == {"last_chemotherapy": "2026-10-30"}


@pytest.mark.parametrize("message", ["第4周期第1天是11月10号", "最近一个周期是11月10号开始的"])
def test_a_day_of_a_cycle_is_asked_for_the_last_dose(engine, message):
    """As "day 1 of my last cycle was 10 Nov": a regimen may give more doses later in the cycle."""
    understood = read(engine, "last_chemotherapy", message)
    assert "last_chemotherapy" not in understood.facts and "last_chemotherapy" in understood.follow_ups
