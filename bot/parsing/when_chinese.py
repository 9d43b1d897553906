"""Chinese answers to "when was it?", said again in the English that bot/parsing/when.py reads.

"三周前" is "3 weeks ago", "上个月底" "the end of last month", "2026年11月3日" "2026-11-03": the
durations, bounds, ranges and calendar rules of when.py then apply to both languages alike (a month
without a day is the range of its days, "不到两个月" has no earliest day...). Chinese numerals are
already digits here (bot/parsing/numbers.py), and Chinese dates are year-month-day, never ambiguous.
"""
from __future__ import annotations

import calendar
import datetime
import re

from bot.parsing.chinese import HAS_HAN

_UNITS = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks", "月": "months", "年": "years"}
_UNIT = r"(?P<unit>天|日|周|星期|礼拜|月|年)(?!期|末|底|初|份)"
_N = r"(?<!第)(?P<n>[0-9]+(?:\.[0-9]+)?(?:-[0-9]+)?)"
_AGO = r"(?:以前|之前|前)"
_NEVER = re.compile(r"从(?:来)?(?:没|未|不)|没(?:有)?(?:做|打|接受|用|化疗|放疗)过|没(?:有)?(?:做|接受)(?:过)?(?=化疗|放疗)|未(?:做|行|接受)")
_FULL_DATE = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*[年./-]\s*(?P<m>[0-9]{1,2})\s*[月./-]\s*(?P<d>[0-9]{1,2})\s*[日号]?")
_MONTH_OF_YEAR = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*年\s*(?P<m>[0-9]{1,2})\s*月(?:份)?\s*(?P<edge>底|末|初)?")
# "不到两个月", "超过6周", "一个多月前", "半年前", "两周内", "最近3个月"
_BOUNDED = re.compile(
    rf"(?P<less>不到|少于|不超过|没超过|还不到|未满|不满)?(?P<more>超过|多于|大于|已经超过|至少|起码|已有|已经有)?(?P<recent>最近|近)?\s*"
    rf"(?:{_N}|(?P<half>半))\s*(?:个)?\s*(?P<many>多)?(?P<half_unit>半)?\s*{_UNIT}\s*(?P<and_half>半)?\s*(?P<many2>多)?\s*"
    rf"(?P<after>{_AGO}|以上|以内|之内|内|左右)?")
# "今年5月", "去年11月", "上个月10号", "这个月3号": a month or a day counted from this one
_YEAR_WORD = re.compile(r"(?P<word>今年|去年|前年)\s*(?P<m>[0-9]{1,2})\s*月(?:份)?\s*(?:(?P<d>[0-9]{1,2})\s*[日号])?\s*(?P<edge>底|末|初)?")
_MONTH_WORD = re.compile(r"(?P<word>上上|上|这|本)(?:个)?月(?:份)?\s*(?P<d>[0-9]{1,2})\s*[日号]")
_DAY_OF_MONTH = re.compile(r"(?<![0-9年])(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]")
_MONTH = re.compile(r"(?<![0-9年个.])(?P<m>[0-9]{1,2})\s*月(?:份)?\s*(?P<edge>底|末|初)?(?!\s*(?:[0-9]|前|以前|之前|内|以内|之内|多|以上|左右|半))")
_YEAR = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*年(?:份)?\s*(?P<edge>底|末|初)?")
_RELATIVE = (
    (re.compile(r"上上(?:个)?月"), " 2 months ago "),
    (re.compile(r"上(?:个)?月(?:份)?\s*(?:底|末)"), " the end of last month "),
    (re.compile(r"上(?:个)?月(?:份)?\s*初"), " the beginning of last month "),
    (re.compile(r"上(?:个)?月(?:份)?"), " last month "),
    (re.compile(r"上(?:个)?(?:周|星期|礼拜)"), " last week "),
    (re.compile(r"(?:这|本)(?:个)?(?:周|星期|礼拜)"), " this week "),
    (re.compile(r"(?:这|本)(?:个)?月"), " this month "),
    (re.compile(r"下(?:个)?月"), " next month "),
    (re.compile(r"下(?:个)?(?:周|星期|礼拜)"), " next week "),
    (re.compile(r"去年\s*(?:底|末)"), " the end of last year "),
    (re.compile(r"去年"), " last year "),
    (re.compile(r"今年"), " this year "),
    (re.compile(r"前天"), " the day before yesterday "),
    (re.compile(r"昨天|昨晚|昨日"), " yesterday "),
    (re.compile(r"今天|今早|今日"), " today "),
    (re.compile(r"刚刚|刚才"), " just now "),
    (re.compile(r"明天"), " tomorrow "),
    (re.compile(r"大概|大约|差不多|估计"), " about "),
)


def _unit(name: str, amount: str) -> str:
    english = _UNITS[name]
    return english[:-1] if amount == "1" else english


def _bounded(m: re.Match[str]) -> str:
    amount = "0.5" if m.group("half") else m.group("n")
    if m.group("and_half") or m.group("half_unit") and not m.group("half"):
        amount = str(float(amount) + 0.5)
    if amount == "0.5" and m.group("unit") == "年":
        amount, unit = "6", "months"
    else:
        unit = _unit(m.group("unit"), amount)
    after = m.group("after") or ""
    if m.group("less"):
        return f" less than {amount} {unit} ago "
    if m.group("more") or m.group("many") or m.group("many2") or after == "以上":
        return f" more than {amount} {unit} ago "
    if m.group("recent") or after in ("以内", "之内", "内"):
        return f" within the last {amount} {unit} "
    if after == "左右":
        return f" about {amount} {unit} ago "
    return f" {amount} {unit} ago "


def _month_name(number: str) -> str:
    month = int(number)
    return calendar.month_name[month] if 1 <= month <= 12 else number


def _edge(edge: str | None) -> str:
    return {"底": "the end of ", "末": "the end of ", "初": "the beginning of "}.get(edge or "", "")


def _year_word(m: re.Match[str], today: datetime.date) -> str:
    year = today.year - {"今年": 0, "去年": 1, "前年": 2}[m["word"]]
    if m["d"]:
        return f" {year:04d}-{int(m['m']):02d}-{int(m['d']):02d} "
    return f" {_edge(m['edge'])}{_month_name(m['m'])} {year} "


def _month_word(m: re.Match[str], today: datetime.date) -> str:
    back = {"上上": 2, "上": 1, "这": 0, "本": 0}[m["word"]]
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f" {year:04d}-{month + 1:02d}-{int(m['d']):02d} "


def in_english(text: str, today: datetime.date) -> str:
    """The time expressions of a Chinese text in English words; other text is left as it is."""
    if not HAS_HAN.search(text):
        return text
    text = _NEVER.sub(" never ", text)
    text = _FULL_DATE.sub(lambda m: f" {int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d} ", text)
    text = _YEAR_WORD.sub(lambda m: _year_word(m, today), text)
    text = _MONTH_WORD.sub(lambda m: _month_word(m, today), text)
    text = _MONTH_OF_YEAR.sub(lambda m: f" {_edge(m['edge'])}{_month_name(m['m'])} {m['y']} ", text)
    text = _DAY_OF_MONTH.sub(lambda m: f" {int(m['d'])} {_month_name(m['m'])} ", text)
    text = _MONTH.sub(lambda m: f" {_edge(m['edge']) or 'in '}{_month_name(m['m'])} ", text)
    text = _YEAR.sub(lambda m: f" {_edge(m['edge']) or 'in '}{m['y']} ", text)
    text = _BOUNDED.sub(_bounded, text)
    for pattern, english in _RELATIVE:
        text = pattern.sub(english, text)
    text = re.sub(r"前年", f" in {today.year - 2} ", text)
    return text
