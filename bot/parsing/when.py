"""Understand answers to "when did X last happen?" questions."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import itertools
import re
from dataclasses import dataclass

import dateparser
from dateutil.easter import easter

from bot.facts import OPEN_START
from bot.parsing.numbers import minus_sign, normalise
from bot.parsing.when_chinese import in_english

DAYS_PER_MONTH = 365.25 / 12
_DAYS_PER_UNIT = {
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "fortnight": 14.0,
    "month": DAYS_PER_MONTH,
    "year": 365.25,
    "decade": 3652.5,
}
_MONTHS_PER_UNIT = {"month": 1, "year": 12, "decade": 120}

_NUM = r"[0-9]+(?:\.[0-9]+)?"
_UNIT = (
    r"minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|fortnights?|months?|mos?|mths?|mnths?|m"
    r"|decades?|years?|yrs?|y"
)
_DURATION = re.compile(
    rf"(?<![\w.])(?P<n>{_NUM}|(?:a\s+)?few|several)"
    rf"(?:\s*(?:-|–|to|or)\s*(?P<n2>{_NUM}))?(?P<ish>-?ish)?\s*(?P<unit>{_UNIT})(?!\w)"
    r"(?P<ish2>-?ish\b)?(?:'?s?\s+time\b)?"
    r"(?:\s+(?P<ago>ago|back|before|earlier|previously|prior)\b|\s+(?P<from_now>from\s+now)\b)?",
    re.IGNORECASE,
)
# How long each time, not when: "IL-11 for a week each cycle", "2 days every month"
_EACH_AFTER = re.compile(r"\s+(?:each|every|per|a)\s+(?:cycle|course|round|time|day|week|month)\b", re.IGNORECASE)
# "3 weeks and 2 days ago", "1 month 2 weeks": one duration in two units, the larger first
_COMPOUND = re.compile(
    rf"(?<![\w.])(?P<n>{_NUM})\s*(?P<unit>{_UNIT})(?:\s*,\s*|\s+and\s+|\s+)(?P<n2>{_NUM})\s*(?P<unit2>{_UNIT})(?!\w)",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(
    r"\b(?:(?P<day_before>the\s+day\s+before\s+yesterday)|(?P<yesterday>yesterday|last\s+night)"
    r"|(?P<today>today|tonight|this\s+(?:morning|afternoon|evening)|just\s+now)"
    r"|(?P<tomorrow>tomorrow)"
    rf"|(?P<weekday_last_week>{'|'.join(_WEEKDAYS)})\s+(?:of\s+)?last\s+week|last\s+week'?s?\s+(?:on\s+)?(?P<last_weeks>{'|'.join(_WEEKDAYS)})"
    r"|(?P<week_before_last>(?:the\s+)?week\s+before\s+last)"
    r"|(?P<rel>last|next|past)\s+(?P<rel_unit>week|wk|fortnight|month|mo|mth|year|yr)"
    r"|this\s+(?P<this_unit>week|wk|month|mo|mth|year|yr)"
    rf"|(?:last|this\s+past|on)\s+(?P<weekday>{'|'.join(_WEEKDAYS)}))\b",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"[0-3]?[0-9](?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)[0-9]{2}"
_DATE = re.compile(
    rf"(?<![\w./-])(?:(?P<iso>{_YEAR}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}})"
    rf"|(?P<numeric>(?P<first>[0-9]{{1,2}})[-/.](?P<second>[0-9]{{1,2}})[-/.](?P<yy>{_YEAR}|[0-9]{{2}}))"
    rf"|(?P<short_numeric>(?P<first2>[0-9]{{1,2}})/(?P<second2>[0-9]{{1,2}}))(?![/.\d])"
    rf"|(?P<day_month>{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?)"
    rf"|(?P<month_day>{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)"
    rf"|(?P<month_year>{_MONTH},?\s+{_YEAR}|[0-9]{{1,2}}/{_YEAR})"
    rf"|(?:(?<=in\s)|(?<=since\s)|(?<=during\s)|(?<=of\s)|(?<=early\s)|(?<=late\s)|(?<=mid\s)|^)"
    rf"(?:(?P<month>{_MONTH})|(?P<year>{_YEAR})))(?![\w/-])",
    re.IGNORECASE,
)
_APPROX_BEFORE = re.compile(
    r"(?:\b(?:about|around|roughly|approximately|approx\.?|almost|nearly|circa|ca\.|some|maybe"
    r"|perhaps|probably)|~)\s*$",
    re.IGNORECASE,
)
_APPROX_AFTER = re.compile(
    r"\s*(?:-?ish\b|or\s+so\b|give\s+or\s+take\b|more\s+or\s+less\b|roughly\b|approx)",
    re.IGNORECASE,
)
# "less than 2 months ago", "in the past 3 weeks": at most that long ago; "more than 3 months ago",
# "at least 6 weeks ago": at least that long; "not", "no" turn one into the other ("not in the last 6
# months", "no more than 2 weeks ago"). "over the last 2 months" is at most, "over 2 months ago" at least.
_BOUND_BEFORE = re.compile(
    r"\b(?P<negated>(?:not|no)\s+)?(?:(?P<at_most>less\s+than|fewer\s+than|under|at\s+most"
    r"|within(?:\s+the\s+(?:last|past))?|(?:(?:in|over|during)\s+)?(?:the\s+)?(?:last|past))"
    r"|(?P<at_least>more\s+than|longer\s+than|over|at\s+least))\s*$",
    re.IGNORECASE,
)
_BOUND_AFTER = re.compile(r"\s*or\s+(?:(?P<at_least>more|longer)|(?P<at_most>less))\b", re.IGNORECASE)
# "between 2 and 3 months ago", "between 6 weeks and 2 months ago", "between 2-3 months ago"
_BETWEEN_BEFORE = re.compile(
    rf"\bbetween\s+(?:(?P<n>{_NUM})\s*(?P<unit>{_UNIT})?\s+and\s+)?$", re.IGNORECASE
)
_EDGE_BEFORE = re.compile(r"\b(end|beginning|start)\s+of\s+(?:the\s+)?$", re.IGNORECASE)
# "early 2024", "mid October", "late last year": a part of the month or year
_PART_BEFORE = re.compile(r"\b(?P<part>early|mid|middle\s+of|late)[\s-]*(?:the\s+)?$", re.IGNORECASE)
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_FUTURE_BEFORE = re.compile(r"\bin\s+$", re.IGNORECASE)
_NEVER = re.compile(r"\b(?:never|not\s+ever)\b", re.IGNORECASE)
# Clinicians count days after a treatment: "d+21 post FOLFOX", "day 21 after chemo"
_DAY_PLUS = re.compile(r"(?<!\w)(?:d\s*\+\s*|day\s+\+?)(?P<n>[0-9]{1,3})\b(?=\s*(?:post|after|since|from|of|$|[,;.]))",
                       re.IGNORECASE)
# How long something went on, not when: "for 2 weeks", "I've been on it for 3 months". Said of an absence
# ("off chemo for 6 weeks", "no chemo for 2 months now") it is how long ago it last happened, at least.
_FOR_BEFORE = re.compile(r"\bfor\s+(?:(?:about|around|roughly|nearly|almost|maybe|some|over|more\s+than|at\s+least"
                         r"|longer\s+than|a\s+good|a\s+solid)\s+)*$", re.IGNORECASE)
_ABSENT_BEFORE = re.compile(r"\b(?:no|not|never|nil|off|without|(?:\w+)n'?t|free|clear|stopped|finished|done)\b",
                            re.IGNORECASE)
_FOR_LENGTH = re.compile(rf"^\W*(?:(?:now|already|since|then)\s+)?for\b", re.IGNORECASE)
# A day counted from the start of a cycle ("day 1 of my last cycle was 14 Nov", "C3D1 on 14/11"): many regimens
# give a drug again later in the cycle, so the last dose may be later than that day. ("d+21 post FOLFOX", days
# counted after a treatment, is when it was given: _DAY_PLUS.)
_CYCLE_DAY = re.compile(r"\bday\s*\+?\s*[0-9]+\s+(?:of|in)\s+(?:(?:my|her|his|their|the|this|that|last|latest|most"
                        r"|recent|current|final|cycle|course|round)\s+)*(?:cycle|course|round)\b"
                        r"|(?<![\w/])c(?:ycle)?\s*[0-9]{1,2}\s*d(?:ay)?\s*[0-9]{1,2}\b"
                        r"|(?:周期|疗程)\s*(?:的)?\s*第\s*[0-9]{1,2}\s*天|(?:周期|疗程)\s*(?:是)?[^，,。；;]{0,12}开始", re.IGNORECASE)
# "just over a month ago", "a little more than 6 weeks": near the amount, on its far side; one day offered back
_NEAR_OVER = re.compile(r"\b(?:just|only\s+just|a\s+(?:little|bit|tad|touch)|slightly|barely)\s+"
                        r"(?:over|more\s+than|longer\s+than|past|after)\s*$", re.IGNORECASE)
# "nearly a month ago", "not quite 4 weeks", "just under a month", "快一个月" (almost a month): near the amount, on
# its near side; one day offered back too
_NEAR_UNDER = re.compile(r"\b(?:nearly|almost|not\s+quite|(?:just|only\s+just|a\s+(?:little|bit|tad|touch)|slightly)\s+"
                         r"(?:under|less\s+than|short\s+of))\s*$", re.IGNORECASE)
# Named days: (pattern, (month, day)) for fixed ones; movable ones are computed per year (see _named_day)
_FIXED_DAYS = (
    (r"(?:christmas|xmas)\s+eve", (12, 24)),
    (r"(?:christmas|xmas)(?:\s+day)?", (12, 25)),
    (r"boxing\s+day", (12, 26)),
    (r"new\s+year'?s'?\s+eve|hogmanay", (12, 31)),
    (r"new\s+year'?s'?\s+day", (1, 1)),
    (r"hall?owe'?en", (10, 31)),
    (r"(?:st\.?\s+|saint\s+)?valentine'?s'?(?:\s+day)?", (2, 14)),
    (r"bonfire\s+night|guy\s+fawkes(?:'?\s+night)?", (11, 5)),
    (r"(?:st\.?\s+|saint\s+)patrick'?s'?(?:\s+day)?", (3, 17)),
)
_MOVABLE_DAYS = (
    (r"good\s+friday", lambda year: easter(year) - datetime.timedelta(days=2)),
    (r"easter\s+monday", lambda year: easter(year) + datetime.timedelta(days=1)),
    (r"easter(?:\s+sunday|\s+day)?", easter),
    # the fourth Thursday of November (the US holiday)
    (r"thanksgiving(?:\s+day)?", lambda year: datetime.date(year, 11, 22 + (3 - datetime.date(year, 11, 1).weekday()) % 7)),
)
_NAMED_DAY = re.compile(
    r"\b(?:" + "|".join(f"(?P<d{i}>{pattern})" for i, (pattern, _) in enumerate((*_FIXED_DAYS, *_MOVABLE_DAYS))) + ")"
    r"(?:\s+(?:of\s+)?(?P<which>last|this)\s+year|,?\s+(?P<year>(?:19|20)[0-9]{2}))?(?![\w'])",
    re.IGNORECASE,
)
_NAMED_DAY_WORD = re.compile(r"christmas|xmas|boxing|new\s+year|hogmanay|hall?owe|valentine|bonfire|fawkes|patrick|easter"
                             r"|good\s+friday|thanksgiving", re.IGNORECASE)
# A time taken back ("about 6 weeks ago, no wait, it was 3 weeks"): what follows the last such words is the answer
_TAKEN_BACK = re.compile(r"\b(?:no\s+wait|sorry|i\s+mean[t]?|correction|scratch\s+that|oops|my\s+mistake)\b", re.IGNORECASE)
# A time that was planned, not what happened: "was supposed to be on 20 Nov but got cancelled"
_NOT_DONE = re.compile(r"\b(?:supposed\s+to|meant\s+to|should\s+have\s+(?:had|been|gone)|planned|scheduled|booked|due\s+(?:on|for|again|in|next)"
                       r"|(?:was|were|got|been|is|be)\s+(?:cancel+ed|postponed|delayed|put\s+off|pushed\s+back))\b",
                       re.IGNORECASE)
_CLAUSES = re.compile(r"[^,;.!?()]+?(?=[,;.!?()]|\bbut\b|\bso\b|$)|\bbut\b|\bso\b", re.IGNORECASE)


def planned(text: str) -> list[tuple[int, int]]:
    """The clauses that tell of a plan rather than of what was done: "he should have had his last cycle on 3rd Nov"."""
    return [m.span() for m in _CLAUSES.finditer(text) if _NOT_DONE.search(m.group())]


DATE_ORDERS = ("DMY", "MDY")
_DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    # A month without a day is parsed as its last day: the end of the range it stands for.
    "PREFER_DAY_OF_MONTH": "last",
    "DATE_ORDER": "MDY",
}

# Priorities: explicit "ago"/"from now" durations, then relative words, then calendar
# dates, then bare durations ("6 weeks" = 6 weeks ago).
_P_AGO, _P_RELATIVE, _P_BARE = range(3)
_MAX_DATEPARSER_CALLS = 3


@dataclass(frozen=True)
class WhenAnswer:
    """When something last happened; `date` is None only when `never` is set.

    An answer that allows a span of days is a range: `earliest` is its first day and `date` its
    last, no later than today. So are a month or a year without a day ("in October", "last month",
    "2025"), a week ("last week"), a duration with a bound ("less than 2 months ago", "in the past
    3 weeks": up to today; "more than 3 months ago": from OPEN_START, no earliest day) and a span
    ("between 2 and 3 months ago", "6-8 weeks ago").
    """

    date: datetime.date | None
    never: bool = False
    approximate: bool = False
    future: bool = False
    earliest: datetime.date | None = None
    # an all-number date whose day and month could be swapped ("01/12/2026"): both days, to ask which
    alternatives: tuple[datetime.date, ...] = ()
    # the words that make the day not the one asked for, whose value is then asked ("day 1 of my last cycle")
    cycle_day: str = ""
    # said as a little beyond an amount ("just over a month ago"): the one day offered back, not noted
    near: bool = False


# A time said without a number ("years ago", "last summer"), beside the patterns that give one
_TIME_WITHOUT_NUMBER = re.compile(
    r"\b(?:(?:a\s+(?:few|couple\s+of)\s+|some\s+|many\s+)?(?:years?|months?|weeks?|days?|yrs?)\s+(?:ago|back)"
    r"|(?:last|next|this|past)\s+(?:time|summer|spring|autumn|winter|fall|christmas)"
    r"|in\s+the\s+(?:spring|summer|autumn|fall|winter)|(?:for|in)\s+(?:years|months|weeks|ages))\b", re.IGNORECASE)


# What bounds or rounds a time said after it: "less than 2 months ago", "about 5 weeks ago", "3-5 weeks"
_BOUNDED_BEFORE = re.compile(r"\b(?:(?:less|more|fewer|longer|shorter)\s+than|at\s+(?:least|most)|over|under|about|around|nearly"
                             r"|almost|roughly|approximately|approx|just|barely|only|within|between|since|from|until|till|in|on)\s*$",
                             re.IGNORECASE)


def time_spans(text: str) -> list[tuple[int, int]]:
    """Where the text says a time or a length of time ("3 years ago", "last week", "in March", "since 2019"),
    with the words that bound or round it ("less than 2 months ago")."""
    spans = []
    for pattern in (_DURATION, _COMPOUND, _RELATIVE, _DATE, _TIME_WITHOUT_NUMBER):
        for m in pattern.finditer(text):
            bound = _BOUNDED_BEFORE.search(text, 0, m.start())
            spans.append((bound.start() if bound else m.start(), m.end()))
    return spans


def duration_to_days(amount: float, unit: str) -> float:
    """Length of `amount` units in days; a month is 365.25/12 days, a year 365.25."""
    name = unit.lower()
    try:
        return amount * _DAYS_PER_UNIT[name[:-1] if name.endswith("s") else name]
    except KeyError:
        raise ValueError(f"unknown duration unit {unit!r}") from None


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return day.replace(year=year, month=month0 + 1, day=min(day.day, last_day))


def elapsed_months(since: datetime.date, today: datetime.date) -> float:
    """Months from `since` to `today` (negative if `since` is later).

    Whole calendar months are counted back from `today` (so one calendar month ago
    is exactly 1.0); the remaining days count 365.25/12 days per month.
    """
    if since > today:
        return -elapsed_months(today, since)
    months = (today.year - since.year) * 12 + today.month - since.month
    if _add_months(today, -months) < since:
        months -= 1
    return months + (_add_months(today, -months) - since).days / DAYS_PER_MONTH


def _shift(today: datetime.date, amount: float, unit: str) -> datetime.date:
    """`today` moved by `amount` units (negative = into the past)."""
    if unit in _MONTHS_PER_UNIT:
        months = amount * _MONTHS_PER_UNIT[unit]
        whole = int(months)
        days = round(duration_to_days(months - whole, "month"))
        return _add_months(today, whole) + datetime.timedelta(days=days)
    return today + datetime.timedelta(days=round(duration_to_days(amount, unit)))


_UNIT_PREFIXES = (
    ("dec", "decade"), ("mi", "minute"), ("m", "month"), ("f", "fortnight"),
    ("h", "hour"), ("d", "day"), ("w", "week"), ("y", "year"),
)


def _unit_name(text: str) -> str:
    text = text.lower()
    return next(name for prefix, name in _UNIT_PREFIXES if text.startswith(prefix))


def _is_approximate(text: str, start: int, end: int) -> bool:
    before = _APPROX_BEFORE.search(text, max(0, start - 25), start)
    return bool(before or _APPROX_AFTER.match(text, end))


def _duration_answer(m: re.Match[str], today: datetime.date) -> tuple[int, WhenAnswer]:
    vague = not m.group("n")[0].isdigit()
    amount = 3.0 if vague else float(m.group("n"))
    unit = _unit_name(m.group("unit"))
    in_future = _FUTURE_BEFORE.search(m.string, max(0, m.start() - 4), m.start())
    future = bool(m.group("from_now") or in_future)
    priority = _P_AGO if m.group("ago") or future else _P_BARE
    span = None if future else _duration_span(m, amount, unit, today)
    if span == _NEAR:  # "just over/under a month ago": about a month, a day offered back (on the side of less time)
        return priority, WhenAnswer(_shift(today, -amount, unit), approximate=True, near=True)
    if span is not None:
        return priority, _span_answer(*span)
    approximate = bool(vague or m.group("n2") or m.group("ish") or m.group("ish2"))
    approximate = approximate or _is_approximate(m.string, m.start(), m.end())
    date = _shift(today, amount if future else -amount, unit)
    return priority, WhenAnswer(date, approximate=approximate, future=future)


_NEAR = (OPEN_START, OPEN_START)  # what _duration_span gives for "just over" an amount


def _duration_span(m: re.Match[str], amount: float, unit: str,
                   today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The days a duration with a bound or a span allows ("6-8 weeks ago" as "between 6 and 8 weeks
    ago"); None for a plain duration ("6 weeks ago", "about 6 weeks ago": one day); _NEAR for just over or
    under an amount ("just over a month ago", "a bit more than 6 weeks ago", "just under a month ago")."""
    other = float(m.group("n2")) if m.group("n2") else amount
    between = _BETWEEN_BEFORE.search(m.string, max(0, m.start() - 30), m.start())
    if between and between.group("n"):
        first = _shift(today, -float(between.group("n")), _unit_name(between.group("unit") or unit))
        days = sorted((first, _shift(today, -amount, unit)))
        return days[0], days[1]
    bound = (_BOUND_BEFORE.search(m.string, max(0, m.start() - 30), m.start())
             or _BOUND_AFTER.match(m.string, m.end()))
    if bound is not None:
        at_most = bool(bound.group("at_most")) != bool(bound.groupdict().get("negated"))
        near = _NEAR_UNDER if at_most else _NEAR_OVER
        if not m.group("n2") and near.search(m.string, max(0, m.start() - 30), m.start()):
            return _NEAR
        if at_most:  # up to today: a "more than N since" rule cannot pass on it
            return _shift(today, -max(amount, other), unit), today
        return OPEN_START, _shift(today, -min(amount, other), unit)
    if m.group("n2"):
        return _shift(today, -max(amount, other), unit), _shift(today, -min(amount, other), unit)
    if _NEAR_UNDER.search(m.string, max(0, m.start() - 30), m.start()):
        return _NEAR
    return None


def _span_answer(earliest: datetime.date, latest: datetime.date) -> WhenAnswer:
    return WhenAnswer(latest, approximate=True, earliest=earliest if earliest != latest else None)


def _period_start(day: datetime.date, unit: str) -> datetime.date:
    """The first day of the month or year of `day`."""
    return day.replace(day=1) if unit == "month" else day.replace(month=1, day=1)


def _period_end(first: datetime.date, unit: str) -> datetime.date:
    """The last day of the month or year that starts on `first`."""
    return _add_months(first, 1 if unit == "month" else 12) - datetime.timedelta(days=1)


def _week_starts(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of this week for those who start weeks on Sunday and for those who start them
    on Monday, the earlier first."""
    sunday = today - datetime.timedelta(days=(today.weekday() + 1) % 7)
    monday = today - datetime.timedelta(days=today.weekday())
    return min(sunday, monday), max(sunday, monday)


def _relative_span(m: re.Match[str], today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The days a relative period allows. "This month": up to today. "In the last month", "the past
    week": the time up to today. "Last month", "last year": the whole calendar month or year before
    this one (its beginning too, see _month_or_year). "Last week": every day that is last week
    whether weeks start on Sunday or on Monday, as people say both. "Last fortnight": the last 14
    days, as no calendar has fortnights. None for a day ("yesterday"), the future ("next month")
    and "the end of last month" (its last day)."""
    if m.group("week_before_last"):  # the week before last week, however weeks start
        earlier, later = _week_starts(today)
        return earlier - datetime.timedelta(days=14), later - datetime.timedelta(days=8)
    if m.group("this_unit"):
        unit = _unit_name(m.group("this_unit"))
        return (_week_starts(today)[0] if unit == "week" else _period_start(today, unit)), today
    rel, unit = (m.group("rel") or "").lower(), (_unit_name(m.group("rel_unit")) if m.group("rel_unit") else "")
    if rel not in ("last", "past"):
        return None
    before = m.string[: m.start()]
    edge = _EDGE_BEFORE.search(before)
    if edge and edge.group(1).lower() == "end":
        return None
    if rel == "past" or _THE_BEFORE.search(before) or unit == "fortnight":
        return _shift(today, -1, unit), today
    if unit == "week":
        earlier, later = _week_starts(today)
        return earlier - datetime.timedelta(days=7), later - datetime.timedelta(days=1)
    first = _period_start(_shift(today, -1, unit), unit)
    return first, _period_end(first, unit)


def _relative_date(m: re.Match[str], today: datetime.date) -> datetime.date:
    if m.group("day_before"):
        return today - datetime.timedelta(days=2)
    if m.group("yesterday"):
        return today - datetime.timedelta(days=1)
    if m.group("today"):
        return today
    if m.group("tomorrow"):
        return today + datetime.timedelta(days=1)
    named = m.group("weekday_last_week") or m.group("last_weeks")
    if named:  # "wednesday last week": that day of the week before this one (weeks from Monday)
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return monday + datetime.timedelta(days=_WEEKDAYS.index(named.lower()))
    if m.group("weekday"):
        back = (today.weekday() - _WEEKDAYS.index(m.group("weekday").lower()) - 1) % 7 + 1
        return today - datetime.timedelta(days=back)
    unit = _unit_name(m.group("rel_unit"))
    shifted = _shift(today, 1 if m.group("rel").lower() == "next" else -1, unit)
    edge = _EDGE_BEFORE.search(m.string[: m.start()])
    if edge and unit in ("month", "year"):  # "at the end of last month": its last day
        first = _period_start(shifted, unit)
        return _period_end(first, unit) if edge.group(1).lower() == "end" else first
    return shifted


def _relative_answer(m: re.Match[str], today: datetime.date) -> WhenAnswer:
    span = _relative_span(m, today)
    if span is not None:
        return _span_answer(*span)
    date = _relative_date(m, today)
    approximate = _is_approximate(m.string, m.start(), m.end())
    return WhenAnswer(date, approximate=approximate, future=date > today)


def _plausible_date(m: re.Match[str]) -> bool:
    """A lone month or year opening the reply ("May be...", "2024 I think") must be all of it."""
    if m.start() > 0 or not (m.group("month") or m.group("year")):
        return True
    return not m.string[m.end() :].strip(" .!?")


def _numeric_readings(m: re.Match[str], today: datetime.date, date_order: str | None) -> list[datetime.date]:
    """The days an all-number date can be: one, or two when day and month could be swapped and the site's
    date order is not configured. A day in the future is no reading of when something last happened."""
    first, second = int(m.group("first") or m.group("first2")), int(m.group("second") or m.group("second2"))
    if m.group("yy"):
        year = int(m.group("yy")) + (2000 if len(m.group("yy")) == 2 else 0)
    else:
        year = today.year
    orders = [date_order] if date_order in DATE_ORDERS else list(DATE_ORDERS)
    days = []
    for order in orders:
        day, month = (first, second) if order == "DMY" else (second, first)
        try:
            found = datetime.date(year, month, day)
        except ValueError:
            continue
        if not m.group("yy") and found > today:
            found = found.replace(year=year - 1) if not (month == 2 and day == 29) else found
        if found not in days:
            days.append(found)
    past = [d for d in days if d <= today]
    return past if past else days


def _calendar_dates(m: re.Match[str], today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a date can be: a day, or a month or a year without a day."""
    if m.group("year"):
        first = datetime.date(int(m.group("year")), 1, 1)
        return _month_or_year(m, first, _period_end(first, "year"), today)
    span = m.group()
    if m.group("yy") and len(m.group("yy")) == 2:
        span = span[:-2] + "20" + m.group("yy")
    base = datetime.datetime.combine(today, datetime.time())
    settings = {**_DATEPARSER_SETTINGS, "RELATIVE_BASE": base}
    parsed = dateparser.parse(span, languages=["en"], settings=settings)
    if parsed is None:
        return None
    if m.group("iso") or m.group("numeric") or m.group("day_month") or m.group("month_day"):
        return parsed.date(), parsed.date()
    return _month_or_year(m, parsed.date().replace(day=1), parsed.date(), today)


def _month_or_year(m: re.Match[str], first: datetime.date, last: datetime.date,
                   today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """All the days of a month or year up to today. "The end of October" is its last day, as "the
    end of last month" is: the shortest time since. Its beginning stays the whole month, as a first
    day would pass a "more than N since" rule that a later day fails."""
    edge = _EDGE_BEFORE.search(m.string, max(0, m.start() - 20), m.start())
    if edge and edge.group(1).lower() == "end":
        return last, last
    part = _PART_BEFORE.search(m.string, max(0, m.start() - 20), m.start())
    if part:
        first, last = _part_of(first, last, part.group("part").split()[0].lower())
    return first, min(last, today)


def _part_of(first: datetime.date, last: datetime.date, part: str) -> tuple[datetime.date, datetime.date]:
    """The days "early", "mid" or "late" in a month or year stand for: a month's first ten days, its
    15th (said as the middle, one day, about), its last days from the 21st; a year's first, middle
    or last four months."""
    if first.month == last.month and first.year == last.year:
        days = {"early": (1, 10), "mid": (15, 15), "middle": (15, 15), "late": (21, last.day)}[part]
        return first.replace(day=days[0]), first.replace(day=days[1])
    months = {"early": (1, 4), "mid": (5, 8), "middle": (5, 8), "late": (9, 12)}[part]
    return first.replace(month=months[0]), _period_end(first.replace(month=months[1]), "month")


def _for_length(m: re.Match[str]) -> bool:
    """Whether a duration is said as how long something went on ("for 2 weeks"), not how long ago."""
    return not (m.group("ago") or m.group("from_now")) and bool(_FOR_BEFORE.search(m.string, max(0, m.start() - 30), m.start()))


def _absent_since(m: re.Match[str], today: datetime.date) -> WhenAnswer | None:
    """"off chemo for 6 weeks", "no chemo for 2 months": at least that long ago (a length said of an
    absence); None for a length of something done ("I had chemo for 2 weeks")."""
    clause = re.split(r"[.;!?]", m.string[: m.start()])[-1]
    if not _ABSENT_BEFORE.search(clause):
        return None
    return absent_for(m.string[m.start():], today)


def absent_for(text: str, today: datetime.date) -> WhenAnswer | None:
    """A length of time at the start of ``text`` ("for 2 months now", "6 weeks") read as the time since something
    last happened, at least: said after "no chemo", "haven't had radiotherapy", "off treatment"."""
    norm = normalise(text)
    start = _FOR_LENGTH.match(norm)
    m = _DURATION.search(norm, start.end() if start else 0)
    if m is None or m.start() - (start.end() if start else 0) > 30 or m.group("ago") or m.group("from_now"):
        return None
    if not m.group("n")[0].isdigit():  # "for a few weeks": no bound to go on
        return None
    n = max(float(m.group("n")), float(m.group("n2") or 0))
    return _span_answer(OPEN_START, _shift(today, -min(n, float(m.group("n"))), _unit_name(m.group("unit"))))


def _named_days(text: str, today: datetime.date) -> str:
    """Named days of the year as the day they fell on: "christmas eve last year" as "24 December 2025"; without a
    year, the latest one up to today ("Halloween" on 1 December: 31 October this year)."""
    rules = [*(lambda year, md=md: datetime.date(year, *md) for _, md in _FIXED_DAYS),
             *(rule for _, rule in _MOVABLE_DAYS)]

    def day(m: re.Match[str]) -> str:
        rule = rules[int(next(name for name, value in m.groupdict().items() if value and name[0] == "d" and name[1:].isdigit())[1:])]
        if m.group("year"):
            found = rule(int(m.group("year")))
        elif m.group("which"):
            found = rule(today.year - (1 if m.group("which").lower() == "last" else 0))
        else:
            found = rule(today.year)
            if found > today:
                found = rule(today.year - 1)
        return f"{found.day} {calendar.month_name[found.month]} {found.year}"
    return _NAMED_DAY.sub(day, text) if _NAMED_DAY_WORD.search(text) else text


def _merge_compound(text: str) -> str:
    """"3 weeks and 2 days" as "23 days"; two durations in the same or a growing unit are left apart."""
    def merge(m: re.Match[str]) -> str:
        first, second = _unit_name(m.group("unit")), _unit_name(m.group("unit2"))
        if _DAYS_PER_UNIT[second] >= _DAYS_PER_UNIT[first]:
            return m.group()
        days = duration_to_days(float(m.group("n")), first) + duration_to_days(float(m.group("n2")), second)
        return f"{round(days)} days"
    return _COMPOUND.sub(merge, text)


# "in May last year", "March this year": the month of that year, not the whole year
# "the 16th" after a day with its month ("on the 2nd of November and again on the 16th"): a day of that month
_BARE_ORDINAL = re.compile(rf"\bthe\s+(?P<day>[0-3]?[0-9](?:st|nd|rd|th))\b(?!\s+(?:of\s+)?{_MONTH}|\s+(?:day|week|cycle|time|dose))",
                           re.IGNORECASE)


def _month_carried(text: str) -> str:
    """A bare day ("the 16th") said after a day with its month, given that month: "on the 2nd of November and again
    on the 16th" reads as the 2nd and the 16th of November, the later of which is the last."""
    named = [m for m in _DATE.finditer(text) if m.group("day_month") or m.group("month_day")]
    if not named:
        return text

    def carried(m: re.Match[str]) -> str:
        before = [d for d in named if d.end() <= m.start()]
        if not before:
            return m.group()
        month = re.search(_MONTH, before[-1].group(), re.IGNORECASE)
        return f"{m.group()} {month.group()}" if month else m.group()

    return _BARE_ORDINAL.sub(carried, text)


_MONTH_OF_YEAR = re.compile(rf"\b(?P<month>{_MONTH})\s+(?:of\s+)?(?P<which>last|this)\s+year\b", re.IGNORECASE)


def _year_named(text: str, today: datetime.date) -> str:
    return _MONTH_OF_YEAR.sub(
        lambda m: f"{m.group('month')} {today.year - (1 if m.group('which').lower() == 'last' else 0)}", text)


def _latest(answers: list[WhenAnswer]) -> WhenAnswer:
    """Of several times for when something last happened ("cycles on 1 Oct, 22 Oct and 12 Nov"), the
    latest that is not still to come."""
    past = [a for a in answers if not a.future] or answers
    return max(past, key=lambda a: a.date or datetime.date.min)


def parse_when(text: str, today: datetime.date, date_order: str | None = None) -> WhenAnswer | None:
    """Find when something last happened in a free-text reply, relative to `today`.

    Handles durations ("about six weeks ago", "6 wks" = 6 weeks ago, "less than 2 months ago"),
    relative words ("last month", "yesterday") and dates ("since March 3", "2026-10-01",
    MM/DD/YYYY). Dates without a day or year are approximate; a month, a year, a duration with a
    bound or a span ("6-8 weeks ago") is a range (see WhenAnswer). "never" gives WhenAnswer(None, never=True) unless a time is
    also given. Returns None when nothing time-like is found ("recently" gives no bound to go on).
    """
    normed = normalise(text)
    return counted_from_cycle(_parse_when(normed, today, date_order), normed, normalised=True)


def counted_from_cycle(answer: WhenAnswer | None, text: str, normalised: bool = False) -> WhenAnswer | None:
    """The answer marked as the day of a cycle when ``text`` says so ("Day 1 of my last cycle was 14 Nov")."""
    if answer is None or answer.date is None:
        return answer
    cycle = _CYCLE_DAY.search(text if normalised else normalise(text))
    if cycle and not answer.cycle_day:
        return dataclasses.replace(answer, cycle_day=cycle.group())
    return answer


def _parse_when(normed: str, today: datetime.date, date_order: str | None = None) -> WhenAnswer | None:
    taken_back = list(_TAKEN_BACK.finditer(normed))
    if taken_back:
        corrected = _parse_when(normed[taken_back[-1].end():], today, date_order)
        if corrected is not None:
            return corrected
        normed = normed[:taken_back[-1].start()] + " " * (len(normed) - taken_back[-1].start())
    for start, end in planned(normed):  # the times of plans are left out; "due again next week" would be future anyway
        normed = normed[:start] + " " * (end - start) + normed[end:]
    norm = _month_carried(_year_named(_named_days(_merge_compound(in_english(normed, today)), today), today))
    # "-3 weeks ago" is no time (bot.extraction asks again); "for a week each cycle", "for 2 weeks" are how long,
    # not when, unless said of an absence ("off chemo for 6 weeks": at least that long ago)
    found = []
    for m in _DURATION.finditer(norm):
        if minus_sign(norm, m.start()) or _EACH_AFTER.match(norm, m.end()):
            continue
        if _for_length(m):
            absent = _absent_since(m, today)
            if absent is not None:
                found.append((_P_AGO, absent, m.start()))
            continue
        found.append((*_duration_answer(m, today), m.start()))
    found += [(_P_AGO, WhenAnswer(today - datetime.timedelta(days=int(m.group("n")))), m.start())
              for m in _DAY_PLUS.finditer(norm)]
    found += [
        (_P_RELATIVE, _relative_answer(m, today), m.start()) for m in _RELATIVE.finditer(norm)
    ]
    best = min(found, key=lambda f: (f[0], f[2]), default=None)
    if best is not None and best[0] <= _P_RELATIVE:
        return _latest([answer for priority, answer, _ in found if priority == best[0]])
    dates = (m for m in _DATE.finditer(norm) if _plausible_date(m))
    calendar_answers = []
    for m in itertools.islice(dates, _MAX_DATEPARSER_CALLS):
        if m.group("numeric") or m.group("short_numeric"):
            readings = _numeric_readings(m, today, date_order)
            if not readings:
                continue
            if len(readings) > 1:
                return WhenAnswer(readings[0], approximate=True, alternatives=tuple(readings))
            calendar_answers.append(WhenAnswer(readings[0], future=readings[0] > today))
            continue
        days = _calendar_dates(m, today)
        if days is not None:
            earliest, latest = days
            partial = bool(m.group("month") or m.group("year") or m.group("month_year"))
            approximate = partial or _is_approximate(norm, m.start(), m.end())
            calendar_answers.append(WhenAnswer(latest, approximate=approximate, future=earliest > today,
                                               earliest=earliest if earliest != latest else None))
    if calendar_answers:
        return _latest(calendar_answers)
    if best is not None:
        return best[1]
    return WhenAnswer(None, never=True) if _NEVER.search(norm) else None


# A length of time said as a clinician writes it: "3 mo", ">6/12" (months), "weeks", "at least a year"
_LENGTH = re.compile(
    r"^[\s:=,.(-]{0,3}(?:(?:of|is|was|about|approx\.?|est\.?|estimated|~)\s*)*"
    r"(?P<bound>>=?|≥|<=?|≤|over|more\s+than|greater\s+than|at\s+least|under|less\s+than|fewer\s+than)?\s*"
    r"(?:(?P<n>[0-9]+(?:\.[0-9]+)?)(?:\s*(?:-|–|to)\s*(?P<n2>[0-9]+(?:\.[0-9]+)?))?\s*(?:(?P<per>/\s*(?:12|52))|(?P<unit>days?|d|weeks?|wks?|w|months?|mos?|mths?|m|years?|yrs?|y)\b)"
    r"|(?P<bare>days|weeks|months|years)\b)",
    re.IGNORECASE,
)
_BARE_LENGTH_DAYS = {"days": 1.0, "weeks": 7.0, "years": 365.25}  # "prognosis weeks"; "months" says too little


def length_against(text: str, limit_days: float) -> bool | None:
    """Whether a length of time written at the start of ``text`` ("3 mo", ">6/12", "weeks", "2 years") is
    at least ``limit_days``: True, False, or None when it does not say (a bound on the wrong side,
    "months", exactly the limit)."""
    m = _LENGTH.match(normalise(text))
    if m is None:
        return None
    if m.group("bare"):
        days = _BARE_LENGTH_DAYS.get(m.group("bare").lower())
        return None if days is None else days >= limit_days
    amounts = [float(m.group("n")), float(m.group("n2") or m.group("n"))]  # "1-2 yrs": both ends must agree
    if m.group("per"):
        ends = [a * (DAYS_PER_MONTH if m.group("per").strip("/ ") == "12" else 7.0) for a in amounts]
    else:
        ends = [duration_to_days(a, _unit_name(m.group("unit"))) for a in amounts]
    if len({_against(days, limit_days, (m.group("bound") or "").lower()) for days in ends}) > 1:
        return None
    return _against(ends[0], limit_days, (m.group("bound") or "").lower())


def _against(days: float, limit_days: float, bound: str) -> bool | None:
    if bound.startswith((">", "≥", "over", "more", "greater", "at")):
        return True if days >= limit_days else None
    if bound:  # "< 6 months": less than the limit, if the number is the limit (give or take a week) or below
        return False if days < limit_days + 7 else None
    if abs(days - limit_days) < 7:
        return None  # "6 months" for "at least 6 months": said as an estimate, on the limit itself
    return days >= limit_days
