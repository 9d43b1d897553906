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
_N = r"(?<![第0-9.])(?P<n>[0-9]+(?:\.[0-9]+)?(?:-[0-9]+)?)"
_AGO = r"(?:以前|之前|前)"
_NEVER = re.compile(r"从(?:来)?(?:没|未|不)|没(?:有)?(?:做|打|接受|用|化疗|放疗)过|没(?:有)?(?:做|接受)(?:过)?(?=化疗|放疗)|未(?:做|行|接受)")
# "26年10月12号": a year's last two digits before a month are this century's
_SHORT_YEAR = re.compile(r"(?<![0-9])(?P<yy>[0-9]{2})(?=\s*年\s*[0-9]{1,2}\s*月)")
# "现在是化疗后第14天", "化疗完第三周了": now is that day or week after it, so it was that long ago ("化疗后第10天查的"
# dates the test, not the treatment: no "now" in it)
_COUNTED_AFTER = re.compile(r"(?P<now>现在|今天|目前|已经)?\s*(?:是)?\s*(?:化疗|放疗|治疗|做)?\s*(?:完|后|结束后|之后)\s*(?:的)?"
                            r"第\s*(?P<n>[0-9]+)\s*(?:个)?\s*(?P<unit>天|周|星期|礼拜)(?P<now2>\s*了)?")
# A time in which it did not happen ("这个月还没化疗", "这周没打", "最近没做"): no time of when it last did
_NONE_WITHIN = re.compile(r"(?:(?:这|本)(?:个)?(?:月|周|星期|礼拜)|今年|最近|近期|这几天|这两天)\s*(?:都|还|也|一直)?\s*(?:没|未)(?:有)?"
                          r"(?:再)?(?:做|打|化疗|放疗|用药|治疗|化|放)?(?:过)?")
# A lunar date ("农历九月底", "阴历八月十五") is some weeks off the calendar's day of the same numbers: no time read
_LUNAR = re.compile(r"(?:农历|阴历|旧历|老历)\s*(?:[0-9]{1,2}|正|冬|腊)?\s*(?:月(?:份)?)?\s*(?:初\s*[0-9]{0,2}|[0-9]{1,2}\s*[日号]?"
                    r"|上旬|中旬|下旬|底|末|中)?")
# Days counted from another day ("国庆前一天", "中秋节后3天", "手术后第二天"): not days ago; the day itself, if
# said ("9月30号国庆前一天"), is read
_FROM_ANOTHER_DAY = re.compile(r"(?<=[号日节庆术])\s*(?:前|后|之前|之后|以前|以后)\s*第?\s*[0-9]+\s*(?:天|日)")
# "上个越10号": 越 for 月, the same sound, where a month is said
_MONTH_SLIP = re.compile(r"(?<=[0-9上这本个])越(?=\s*(?:[0-9]|份|底|初|中旬|上旬|下旬))")
# "上个月5好", "11月3好": 好 for 号 (both hao) after the day of a month
_DAY_SLIP = re.compile(r"(?<=月)(?P<d>\s*[0-9]{1,2})\s*好(?=\s*(?:$|[，。,;；！!？?\s]|打|做|化|放|结束|停))")
# "1个月零3天", "两周零三天" (numerals already digits, 零 dropped with them): a length of time in two units
_COMPOUND = re.compile(r"(?<![0-9.])(?P<n>[0-9]{1,2})\s*(?:(?P<unit>年|周|星期|礼拜)|个\s*(?P<month>月))\s*(?:零|又)?\s*"
                       r"(?P<n2>[0-9]{1,2})\s*(?:(?P<unit2>周|星期|礼拜|天)|个\s*(?P<month2>月))")
# "10.20": the month and its day with a point, as Chinese writes them; when the day could also be a month
# ("11.10") it is said as "11/10", for the day and month to be asked ("1.8万", "2.5倍" are numbers; "10.8号" is read
# with its 号 below; "10.20还是10.21" is one of two days, asked)
_DOTTED_DAY = re.compile(r"(?<![0-9./~～-])(?<!还是)(?<!或)(?<!到)(?<!至)(?P<m>1[0-2]|0?[1-9])\.(?P<d>3[01]|[12][0-9]|0?[1-9])"
                         r"(?![0-9.]|\s*(?:万|千|个|%|x|×|\*|倍|天|周|月|年|次|岁|mg|ml|g|U|kg|号|日|还是|或|到|至|[-~～/]))")
_COUNT_BEFORE = re.compile(r"(?:[A-Za-z]|血小板|白细胞|血红蛋白|细胞|计数)[\s:：=是为]*$")
# Days named by the solar holidays (the lunar festivals move with the moon: asked, as a lunar date): the National Day
# week ("国庆长假", "十一假期": 1 to 7 October), the day itself, the day before or after it, or a week either side ("国庆前后")
_HOLIDAY = re.compile(r"(?P<name>国庆节?|元旦节?)(?!节)(?P<how>长假|假期|放假|期间|那几天|黄金周|前后|前一天|前1天|后一天|后1天|当天|那天)?"
                      r"|(?:十一|11)(?P<how2>长假|假期|放假|黄金周)")
# ... or as drawing near ("快过国庆的时候", "快到国庆", "临近国庆"): before it, a bound
_NEARING = re.compile(r"(?:快要|快|将要|临近|接近|还没到|没到|赶在)\s*(?:过|到)?\s*$")
# How long a treatment went on, not how long ago: "放疗做了一个月", "化疗打了半年", "化疗做了两个月了" (still on it)
_LASTED = re.compile(r"(?:做|打|放|化|治|用|吃|疗|持续|坚持)了\s*(?:有|将近|差不多|大概)?\s*(?:[0-9]+|半)\s*(?:个)?\s*多?\s*"
                     r"(?:天|周|星期|礼拜|月|年)\s*(?:多|半)?(?!\s*(?:前|以前|之前|没))")
# ... said as a bound ("国庆前", "国庆假期以后", "国庆回来后"): no day of it
_BEFORE_OR_AFTER = re.compile(r"[^，。,;；！!？?]{0,4}?(?:前|后)")
_HOLIDAY_DAYS = {"国庆": (10, 1, 7), "元旦": (1, 1, 1), "十一": (10, 1, 7), "11": (10, 1, 7)}
# A treatment planned and put off is no time it happened: "原定上周化疗，因为血小板低推迟了" (to the clause's end)
PUT_OFF = re.compile(r"(?:原定|原计划|原本|本来|计划|预约|约(?:了|好))[^，,。；;！!？?]*"
                      r"(?=[^。；;！!？?]*(?:推迟|延期|延后|往后推|取消|没(?:有)?(?:能)?(?:做|打|化|去)(?:成)?(?![过完])))")
_FULL_DATE = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*[年./-]\s*(?P<m>[0-9]{1,2})\s*[月./-]\s*(?P<d>[0-9]{1,2})\s*[日号]?")
_MONTH_OF_YEAR = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*年\s*(?P<m>[0-9]{1,2})\s*月(?:份)?")
# "不到两个月", "超过6周", "一个多月前", "半年前", "两周内", "最近3个月"
# "两个多月没化疗了": a length of time without it, so at least that long ago
_NOT_FOR = re.compile(r"(?P<length>(?:[0-9]+(?:\.[0-9]+)?|半)\s*(?:个)?\s*多?\s*(?:天|日|周|星期|礼拜|月|年)\s*多?)\s*"
                      r"(?=(?:都|已经|一直)?没)")
# "上礼拜三", "上周五": that day of the week before this one; "上上周四" of the week before that, "这周二" of this
# one (a day to come is asked about again); "周五打的", "礼拜五" alone: the latest Friday before today
_WEEKDAY_LAST_WEEK = re.compile(r"(?:(?P<back>上上|上|这|本)(?:个)?|(?<![下每个]))(?:周|星期|礼拜)\s*(?P<day>[一二三四五六日天1-7])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, **{str(n): n - 1 for n in range(1, 8)}}
_BOUNDED = re.compile(
    rf"(?P<less>不到|少于|不超过|没超过|还不到|未满|不满)?(?P<almost>快要|快|将近|接近|差一点|差点)?(?P<more>超过|多于|大于|已经超过|至少|起码|已有|已经有)?(?P<recent>最近|近)?\s*"
    rf"(?:{_N}|(?P<half>半))\s*(?P<about>来)?\s*(?P<measure>个)?\s*(?P<many>多)?(?P<half_unit>半)?\s*{_UNIT}\s*(?P<and_half>半)?\s*(?P<many2>多)?\s*"
    rf"(?P<after>{_AGO}|以上|以内|之内|内|左右)?")
# "今年5月", "去年11月", "上个月10号", "这个月3号": a month or a day counted from this one
_YEAR_WORD = re.compile(r"(?P<word>今年|去年|前年)\s*(?P<m>[0-9]{1,2})\s*月(?:份)?\s*(?:(?P<d>[0-9]{1,2})\s*[日号])?")
_MONTH_WORD = re.compile(r"(?P<word>上上|上|这|本)(?:个)?月(?:份)?\s*(?P<d>[0-9]{1,2})\s*(?:[日号]|(?=\s*(?:$|[，。,;；！!？?~～]|左右)))")
# "10月8号", also "10.8号", "10/8号" (a day's 号 makes the month of the number before the point) and "10月25"
# with the day's 号 left unsaid at the end of what is said
_DAY_OF_MONTH = re.compile(r"(?<![0-9年./])(?P<m>[0-9]{1,2})\s*(?:月\s*(?P<d>[0-9]{1,2})\s*(?:[日号]|(?=\s*(?:$|[，。,;；！!？?~～]|左右)))"
                           r"|[./]\s*(?P<d2>[0-9]{1,2})\s*[日号])")
_MONTH = re.compile(r"(?<![0-9年个.])(?P<m>[0-9]{1,2})\s*月(?:份)?(?!\s*(?:[0-9]|前|以前|之前|内|以内|之内|多|以上|左右|半))")
# "11月3号还是4号", "11月3号或者4号": one of two days, so the days from the one to the other
_ONE_OF_TWO_DAYS = re.compile(r"(?<![0-9年./])(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]?\s*(?:还是|或者|或|到|至|-|~|～|、)\s*"
                              r"(?P<d2>[0-9]{1,2})\s*[日号]")
# "上半年", "去年下半年": the first or the last six months of the year
_HALF_YEAR = re.compile(r"(?P<word>今年|去年|前年)?\s*(?P<half>上|下)半年")
# "今年年初", "去年年底": the year's first months ("early 2026") or its last day (as "2025年底")
_YEAR_EDGE_WORD = re.compile(r"(?P<word>今年|去年|前年)\s*年?\s*(?P<edge>初|底|末)")
# "10月底11月初": from the end of one month to the start of the next (its last ten days to the next one's first ten)
_ACROSS_MONTHS = re.compile(r"(?<![0-9.])(?P<m>[0-9]{1,2})\s*月(?:份)?\s*(?:底|末|下旬)\s*(?:到|至|-|~|～|、|或)?\s*"
                            r"(?P<m2>[0-9]{1,2})\s*月(?:份)?\s*(?:初|上旬)")
# "10月20几号", "上个月十几号": the days that number of tens stands for (21 to 29, 11 to 19)
_SOME_DAY_OF_MONTH = re.compile(r"(?:(?<![0-9年.])(?P<m>[0-9]{1,2})|(?P<back>上上|上|这|本)\s*(?:个)?)\s*月(?:份)?\s*"
                                r"(?P<tens>[123]0)\s*(?:几|多)\s*[日号]?")
# A part of a month: "十一月初" (its first ten days, 上旬), "10月中旬" (the 11th to the 20th), "十月下旬" (from the
# 21st), "十月底" (its last day), of a month named by its number ("2026年10月", "去年12月", "10月": the latest
# one not to come), counted from this one ("上个月中") or this one left unsaid ("月初")
_PART_OF_MONTH = re.compile(
    r"(?:(?P<y>(?:19|20)[0-9]{2})\s*年\s*|(?P<word>今年|去年|前年)\s*)?(?:(?P<m>(?<![0-9.])[0-9]{1,2})\s*"
    r"|(?P<back>上上|上|这|本)\s*(?:个)?\s*|(?<![0-9个]))月(?:份)?\s*(?:月(?=初|底|末|中))?"
    r"(?P<part>上中旬|中下旬|初|上旬|中旬|下旬|底|末|中(?!国|心|文|药|医|间))")
_PART_DAYS = {"上中旬": (1, 20), "中下旬": (11, 31), "初": (1, 10), "上旬": (1, 10), "中": (11, 20), "中旬": (11, 20), "下旬": (21, 31), "底": (31, 31), "末": (31, 31)}
_YEAR = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*年(?:份)?\s*(?P<edge>底|末|初)?")
_MONTH_BEFORE_LAST = re.compile(r"上上(?:个)?月(?:份)?")
# "上上周", "上上个礼拜": the whole Monday-to-Sunday week before last (its days are read above: "上上周三")
_WEEK_BEFORE_LAST = re.compile(r"上上(?:个)?(?:周|星期|礼拜)")
_RELATIVE = (
    (re.compile(r"上(?:个)?月(?:份)?"), " last month "),
    (re.compile(r"上(?:个)?(?:周|星期|礼拜)"), " last week "),
    (re.compile(r"(?:这|本)(?:个)?(?:周|星期|礼拜)"), " this week "),
    (re.compile(r"(?:这|本)(?:个)?月"), " this month "),
    (re.compile(r"下(?:个)?月"), " next month "),
    (re.compile(r"下(?:个)?(?:周|星期|礼拜)"), " next week "),
    (re.compile(r"去年\s*(?:底|末)"), " the end of last year "),
    (re.compile(r"去年"), " last year "),
    (re.compile(r"今年"), " this year "),
    (re.compile(r"大前天"), " 3 days ago "),
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


def _bounded(m: re.Match[str], today: datetime.date) -> str:
    if m.group("unit") == "月" and not (m.group("measure") or m.group("after") or m.group("half") or m.group("half_unit")):
        return m.group()  # "10月" is October; months counted are "10个月"
    amount = "0.5" if m.group("half") else m.group("n")
    if m.group("and_half") or m.group("half_unit") and not m.group("half"):
        amount = str(float(amount) + 0.5)
    step = None  # what "多" adds: "半年多" is six months and some more
    if amount == "0.5" and m.group("unit") == "年":
        amount, unit, step = "6", "months", 6.0
    else:
        unit = _unit(m.group("unit"), amount)
    after = m.group("after") or ""
    if m.group("less"):
        return f" less than {amount} {unit} ago "
    if m.group("almost"):  # "快一个月": just under a month, so near the month that any "more than a month" rule needs
        return f" just under {amount} {unit} ago "
    if m.group("more") or after == "以上":
        return f" more than {amount} {unit} ago "
    if (m.group("many") or m.group("many2")) and "-" not in amount:
        return _some_more(float(amount), unit, today, step)
    if m.group("recent") or after in ("以内", "之内", "内"):
        return f" within the last {amount} {unit} "
    if after == "左右" or m.group("about"):
        return f" about {amount} {unit} ago "
    return f" {amount} {unit} ago "


def _some_more(amount: float, unit: str, today: datetime.date, step: float | None = None) -> str:
    """"一个多月", "三个多星期", "四十多天", "半年多": more than the amount and less than the next one ("四十多"
    is 41 to 49, "十多" 11 to 19, "两个多月" two months and some days), said as the days ago that span spans,
    the amount itself left out: "一个多月前" is no day of exactly a month ago."""
    step = step or (10.0 if amount >= 10 and amount % 10 == 0 else (0.5 if amount == 0.5 else 1.0))
    oldest, newest = _back(today, amount + step, unit), _back(today, amount, unit) - datetime.timedelta(days=1)
    return f" between {(today - newest).days} and {(today - oldest).days} days ago "


def _back(today: datetime.date, amount: float, unit: str) -> datetime.date:
    """``today`` moved back ``amount`` units: months and years by the calendar, a half month as 15 days."""
    if unit.startswith(("month", "year")):
        months = amount * (12 if unit.startswith("year") else 1)
        whole = int(months)
        year, month = _month_back(today, whole)
        day = datetime.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
        return day - datetime.timedelta(days=round((months - whole) * 30))
    return today - datetime.timedelta(days=round(amount * (7 if unit.startswith("week") else 1)))


def _weekday_back(m: re.Match[str], today: datetime.date) -> str:
    if m["back"] is None:
        day = today - datetime.timedelta(days=(today.weekday() - _WEEKDAYS[m["day"]] - 1) % 7 + 1)
    else:
        weeks = {"上上": 2, "上": 1}.get(m["back"], 0)
        day = today - datetime.timedelta(days=today.weekday() + 7 * weeks - _WEEKDAYS[m["day"]])
    return f" {day.isoformat()} "


def _counted_after(m: re.Match[str]) -> str:
    if not (m["now"] or m["now2"]):
        return m.group()
    n = int(m["n"])
    if m["unit"] == "天":
        return f" {n} days ago "
    return f" between {(n - 1) * 7} and {n * 7 - 1} days ago "


def _compound(m: re.Match[str], today: datetime.date) -> str:
    """"1个月零3天": the first length back from today, then the second back from there."""
    day = _back(today, float(m["n"]), _unit(m["unit"] or m["month"], m["n"]))
    day = _back(day, float(m["n2"]), _unit(m["unit2"] or m["month2"], m["n2"]))
    return f" {day.isoformat()} "


def _dotted_day(m: re.Match[str], today: datetime.date) -> str:
    if _COUNT_BEFORE.search(m.string, max(0, m.start() - 8), m.start()):
        return m.group()  # "PLT 2.2", "血小板1.5": a count
    month, day = int(m["m"]), int(m["d"])
    if day <= 12:
        return f" {month}/{day} "  # "11.10": 10 November or 11 October, for the person to say
    latest = datetime.date(today.year, month, min(day, calendar.monthrange(today.year, month)[1]))
    return f" {(latest if latest <= today else latest.replace(year=today.year - 1)).isoformat()} "


def _holiday(m: re.Match[str], today: datetime.date) -> str:
    """A solar holiday of the latest year it has begun in: its days, the day itself, or the days around it."""
    if _BEFORE_OR_AFTER.match(m.string, m.end()) and m["how"] not in ("前一天", "前1天", "后一天", "后1天"):
        return m.group()
    if _NEARING.search(m.string, 0, m.start()) and m["how"] in (None, "", "长假", "假期", "放假"):
        return m.group()
    name = (m["name"] or m.group()[:2]).rstrip("节")
    month, first, last = _HOLIDAY_DAYS[name[:2]]
    how = m["how"] or m["how2"] or ""
    year = today.year if datetime.date(today.year, month, first) <= today else today.year - 1
    start = datetime.date(year, month, first)
    if how in ("前一天", "前1天", "后一天", "后1天"):
        return f" {(start + datetime.timedelta(days=1 if how.startswith('后') else -1)).isoformat()} "
    if how == "前后":
        edges = start - datetime.timedelta(days=7), start + datetime.timedelta(days=7)
    elif how in ("", "当天", "那天"):
        return f" {start.isoformat()} "
    else:
        edges = start, datetime.date(year, month, last)
    newest, oldest = max(0, (today - edges[1]).days), (today - edges[0]).days
    return f" between {newest} and {oldest} days ago "


def _month_name(number: str) -> str:
    month = int(number)
    return calendar.month_name[month] if 1 <= month <= 12 else number


_YEARS_BACK = {"今年": 0, "去年": 1, "前年": 2}


def _year_word(m: re.Match[str], today: datetime.date) -> str:
    year = today.year - _YEARS_BACK[m["word"]]
    if m["d"]:
        return f" {year:04d}-{int(m['m']):02d}-{int(m['d']):02d} "
    return f" {_month_name(m['m'])} {year} "


def _part_of_month(m: re.Match[str], today: datetime.date) -> str:
    """The days a part of a month stands for, said as days ago ("between 41 and 50 days ago"), which
    when.py reads as a range; its last day ("十月底") as that day, about. A part still to come is that
    future day, for the person to be asked again."""
    if m["m"] is None:
        year, month = _month_back(today, {"上上": 2, "上": 1}.get(m["back"] or "", 0))
    else:
        month = int(m["m"])
        if not 1 <= month <= 12:
            return m.group()
        year = int(m["y"]) if m["y"] else today.year - _YEARS_BACK.get(m["word"] or "", 0)
    return _days_of_month(year, month, *_PART_DAYS[m["part"]], today, latest_past=not m["y"] and not m["word"])


def _some_day_of_month(m: re.Match[str], today: datetime.date) -> str:
    if m["m"] is None:
        year, month = _month_back(today, {"上上": 2, "上": 1}.get(m["back"], 0))
    elif 1 <= int(m["m"]) <= 12:
        year, month = today.year, int(m["m"])
    else:
        return m.group()
    tens = int(m["tens"])
    return _days_of_month(year, month, tens + 1, tens + 9, today, latest_past=m["m"] is not None)


def _one_of_two_days(m: re.Match[str], today: datetime.date) -> str:
    month, days = int(m["m"]), sorted((int(m["d"]), int(m["d2"])))
    if not 1 <= month <= 12:
        return m.group()
    return _days_of_month(today.year, month, *days, today, latest_past=True)


def _across_months(m: re.Match[str], today: datetime.date) -> str:
    month, following = int(m["m"]), int(m["m2"])
    if not 1 <= month <= 12 or following != month % 12 + 1:
        return m.group()
    year = today.year if datetime.date(today.year, following, 1) <= today else today.year - 1
    first = datetime.date(year - (month == 12), month, 21)
    last = min(datetime.date(year, following, 10), today)
    return f" between {(today - last).days} and {(today - first).days} days ago "


def _half_year(m: re.Match[str], today: datetime.date) -> str:
    year = today.year - _YEARS_BACK.get(m["word"] or "", 0)
    first = datetime.date(year, 1 if m["half"] == "上" else 7, 1)
    if first > today:
        return f" {first.isoformat()} "
    last = min(datetime.date(year, 6, 30) if m["half"] == "上" else datetime.date(year, 12, 31), today)
    return f" between {(today - last).days} and {(today - first).days} days ago "


def _month_back(today: datetime.date, back: int) -> tuple[int, int]:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return year, month + 1


def _days_of_month(year: int, month: int, first_day: int, last_day: int, today: datetime.date, latest_past: bool) -> str:
    """Days ``first_day`` to ``last_day`` of a month, said as days ago; a month named by its number alone
    (``latest_past``) is the latest one not to come."""
    last_day = min(last_day, calendar.monthrange(year, month)[1])
    first, last = datetime.date(year, month, min(first_day, last_day)), datetime.date(year, month, last_day)
    if latest_past and first > today and month != today.month:
        # "12月初" said on 1 November is last December's; "12月下旬" said on 1 December is to come
        first, last = first.replace(year=year - 1), last.replace(year=year - 1)
    if first > today:
        return f" {first.isoformat()} "
    if first == last:
        return f" about {last.isoformat()} "
    newest, oldest = (today - min(last, today)).days, (today - first).days
    return f" between {newest} and {oldest} days ago "


def _year_edge(edge: str | None) -> str:
    return {"底": "the end of ", "末": "the end of ", "初": "the beginning of "}.get(edge or "", "")


def _month_word(m: re.Match[str], today: datetime.date) -> str:
    year, month = _month_back(today, {"上上": 2, "上": 1, "这": 0, "本": 0}[m["word"]])
    return f" {year:04d}-{month:02d}-{int(m['d']):02d} "


def _day_of_month(m: re.Match[str], today: datetime.date) -> str:
    """"12月15号" said on 1 December is the 15th to come (a treatment planned, to be asked about again),
    not a year ago; a day of another month without its year is the latest one past."""
    month, day = int(m["m"]), int(m["d"] or m["d2"])
    if month == today.month and today.day < day <= calendar.monthrange(today.year, month)[1]:
        return f" {today.year:04d}-{month:02d}-{day:02d} "
    return f" {day} {_month_name(m['m'])} "


def _weeks_back(today: datetime.date, weeks: int) -> str:
    """The Monday-to-Sunday week ``weeks`` before this one, as the days ago it spans."""
    monday = today - datetime.timedelta(days=today.weekday() + 7 * weeks)
    return f" between {(today - monday).days - 6} and {(today - monday).days} days ago "


def _months_back(m: re.Match[str], today: datetime.date) -> str:
    """"上上个月": the whole calendar month before last, as "October 2026"."""
    year, month = _month_back(today, 2)
    return f" {calendar.month_name[month]} {year} "


def in_english(text: str, today: datetime.date) -> str:
    """The time expressions of a Chinese text in English words; other text is left as it is."""
    if not HAS_HAN.search(text):
        return text
    text = _MONTH_SLIP.sub("月", text)
    text = _DAY_SLIP.sub(lambda m: f"{m['d']}号", text)
    text = _HOLIDAY.sub(lambda m: _holiday(m, today), text)
    text = _LASTED.sub(" ", text)
    text = _LUNAR.sub(" ", text)
    text = _NONE_WITHIN.sub(" ", text)
    text = _SHORT_YEAR.sub(lambda m: f"20{m['yy']}", text)
    text = _COUNTED_AFTER.sub(_counted_after, text)
    text = _FROM_ANOTHER_DAY.sub(" ", text)
    text = _NEVER.sub(" never ", text)
    text = PUT_OFF.sub(" ", text)
    text = _FULL_DATE.sub(lambda m: f" {int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d} ", text)
    text = _DOTTED_DAY.sub(lambda m: _dotted_day(m, today), text)
    text = _COMPOUND.sub(lambda m: _compound(m, today), text)
    text = _NOT_FOR.sub(lambda m: f"超过{m['length']} ", text)
    text = _WEEKDAY_LAST_WEEK.sub(lambda m: _weekday_back(m, today), text)
    text = _ONE_OF_TWO_DAYS.sub(lambda m: _one_of_two_days(m, today), text)
    text = _HALF_YEAR.sub(lambda m: _half_year(m, today), text)
    text = _YEAR_EDGE_WORD.sub(lambda m: f" {'early ' if m['edge'] == '初' else 'the end of '}{today.year - _YEARS_BACK[m['word']]} ", text)
    text = _ACROSS_MONTHS.sub(lambda m: _across_months(m, today), text)
    text = _SOME_DAY_OF_MONTH.sub(lambda m: _some_day_of_month(m, today), text)
    text = _PART_OF_MONTH.sub(lambda m: _part_of_month(m, today), text)
    text = _YEAR_WORD.sub(lambda m: _year_word(m, today), text)
    text = _MONTH_WORD.sub(lambda m: _month_word(m, today), text)
    text = _MONTH_OF_YEAR.sub(lambda m: f" {_month_name(m['m'])} {m['y']} ", text)
    text = _DAY_OF_MONTH.sub(lambda m: _day_of_month(m, today), text)
    text = _MONTH.sub(lambda m: f" in {_month_name(m['m'])} ", text)
    text = _YEAR.sub(lambda m: f" {_year_edge(m['edge']) or 'in '}{m['y']} ", text)
    text = _BOUNDED.sub(lambda m: _bounded(m, today), text)
    text = _MONTH_BEFORE_LAST.sub(lambda m: _months_back(m, today), text)
    text = _WEEK_BEFORE_LAST.sub(lambda m: _weeks_back(today, 2), text)
    for pattern, english in _RELATIVE:
        text = pattern.sub(english, text)
    text = re.sub(r"前年", f" in {today.year - 2} ", text)
    return text
