"""Rewrite spelled-out and abbreviated numbers as digits, and find numbers in text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import cn2an
from text_to_num import alpha2digit

from bot.parsing.chinese import HAN

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred thousand million"
).split()
_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b"
# "billion" is left alone on purpose: "30 billion per litre" is a platelet unit.
_WORD_RUN = re.compile(rf"\b{_WORD}(?:(?:\s+(?:and|point)\s+|\s+|-){_WORD})*", re.IGNORECASE)
_PRONOUN_ONE = re.compile(r"\b(?:no|any|every|some|each|which|the|this|that)\s+$", re.IGNORECASE)

_TIME_UNIT = r"(?:minute|hour|day|week|fortnight|month|year|decade)"
_NUM = r"[0-9]+(?:\.[0-9]+)?"

_THOUSANDS_SEP = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])")
_MULTIPLIER = re.compile(
    rf"(?<![0-9.])({_NUM})(?:\s*(thousand|million|lakhs?|lacs?)\b|([kK])\b)", re.IGNORECASE
)
_A_MULTIPLIER = re.compile(r"\ban?(?=\s+(?:hundred|thousand|million)\b)", re.IGNORECASE)
_UNIT_AND_A_HALF = re.compile(
    rf"(?:(?<![0-9.])({_NUM})|\ban?)\s+({_TIME_UNIT})s?\s+and\s+a\s+half\b", re.IGNORECASE
)
_AND_A_HALF = re.compile(r"(?<![0-9.])([0-9]+)\s+and\s+a\s+half\b", re.IGNORECASE)
_HALF_A = re.compile(rf"\bhalf\s+an?\s+({_TIME_UNIT})\b", re.IGNORECASE)
_COUPLE = re.compile(
    rf"\b(?:a\s+)?couple(?:\s+of(?=\s+\w)|(?=\s+{_TIME_UNIT}s?\b))", re.IGNORECASE
)
_A_UNIT = re.compile(rf"\ban?(?=\s+{_TIME_UNIT}\b)", re.IGNORECASE)
# "twice a week", "5 days a week": a rate, not one week
_RATE_BEFORE = re.compile(r"\b(?:once|twice|thrice|times|per|every|each|x|days?|nights?|hours?|weeks?|sessions?|doses?)\s+$",
                          re.IGNORECASE)

# Chinese numerals, converted with cn2an: "两万二" (22,000), "六十二", "三周". A lone digit character is a
# number only before a unit or a measure word ("三周前", "一次"), as "一直", "一样" are words; "十分" is
# "very"; "三四周" is three or four weeks.
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_RUN = re.compile(rf"[{_CN_DIGITS}十百千万亿点]+")
_CN_MEASURE = re.compile(r"[岁周天年月个次号日星礼期疗程针遍多来几万千百]|分钟|小时")  # 月: "九月份" is September
# A lone digit character said as the value itself, ending what is said: "雪小板才九", "只剩八了"
_CN_LONE_VALUE = re.compile(r"(?:才|只有|只剩|就剩|仅)[零〇一二两三四五六七八九](?:了|啊|呀)?[\s,，。.!！]*$")
# "六十有五": the old way of saying sixty-five, 有 joining the tens and the units
_CN_TENS_AND = re.compile(r"(?<=[一二三四五六七八九]十)有(?=[一二三四五六七八九](?![十百千万]))")
_CN_NOT_NUMBERS = re.compile(r"十分(?!钟)|万一|千万|一一|百分之")
_CN_VALUES = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
# 俩 and 仨 are "two of", "three of", the measure word in them ("俩月前", "仨礼拜"); 两 before 月 is two months,
# as February is 二月 ("两月前")
_CN_COUNT_OF = re.compile(r"(?P<n>俩|仨)(?:个)?(?=\s*(?:月|周|星期|礼拜|天|年))|两(?=月(?:前|以前|之前|了|多|左右|没))")
# "6、7周", "六、七周": one amount or the next, as "六七周" is
_ONE_OR_NEXT = re.compile(r"(?<![0-9.])(?P<a>[0-9]|[一二三四五六七八九])\s*、\s*(?P<b>[0-9]|[二两三四五六七八九])"
                          r"(?=\s*(?:个)?\s*(?:周|星期|礼拜|天|月|年|万|千))")
# "2万2" (22,000), "2.2万", "1万5": digits with 万 (ten thousand) or 千 (thousand)
_DIGITS_WAN = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*([万千])([1-9](?![0-9.]))?")
_FULL_WIDTH = re.compile("[０-９．]")


def _chinese_numeral(m: re.Match[str]) -> str | None:
    run, after = m.group(), m.string[m.end():m.end() + 2]
    if _CN_NOT_NUMBERS.match(m.string, m.start()) or run[0] in "十百千万亿点" and run != "十" and not run.startswith("十"):
        return None
    if len(run) == 1 and run != "十" and not _CN_MEASURE.match(after) and not _CN_LONE_VALUE.search(m.string[:m.end() + 2]):
        return None
    if len(run) == 2 and all(ch in _CN_DIGITS for ch in run) and _CN_VALUES[run[1]] - _CN_VALUES[run[0]] == 1 and run[0] not in "零〇":
        return f"{_CN_VALUES[run[0]]}-{_CN_VALUES[run[1]]}"  # "三四周": three to four weeks
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError):
        return None
    return _apart(m, _fmt(Decimal(str(value))))


def _one_or_next(m: re.Match[str]) -> str | None:
    first, second = (int(x) if x.isdigit() else _CN_VALUES[x] for x in (m["a"], m["b"]))
    return f"{first}-{second}" if second == first + 1 else None


def _digits_wan(m: re.Match[str]) -> str:
    factor = 10000 if m.group(2) == "万" else 1000
    value = Decimal(m.group(1)) * factor + (Decimal(m.group(3)) * factor / 10 if m.group(3) else 0)
    return _apart(m, _fmt(value))


def _apart(m: re.Match[str], digits: str) -> str:
    """A Chinese count is a word of its own, also right after a Latin label: "plt两万", "PLT2.2万" are
    "plt 20000", not a number inside a word like "B12"."""
    before = m.string[m.start() - 1:m.start()]
    return f" {digits}" if before.isascii() and before.isalpha() else digits


_NUMBER = re.compile(rf"(?<![^\W{HAN}])(?<!\.)(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?!\.?[0-9])(?!(?:st|nd|rd|th)\b)")


@dataclass(frozen=True)
class NumberMatch:
    """A number found in normalised text; offsets are into that text."""

    value: float
    start: int
    end: int


@dataclass(frozen=True)
class Normalised:
    """Normalised text with a map from its offsets back to the original text."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the covering span of the original."""
        return self.starts[start], self.ends[end]


class _Rewriter:
    """Applies regex substitutions while tracking where each character came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = list(range(len(text) + 1))
        self.ends = list(range(len(text) + 1))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str | None]) -> None:
        text, starts, ends = self.text, self.starts, self.ends
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = [ends[0]]
        pos = 0
        for m in pattern.finditer(text):
            new = repl(m)
            if new is None or new == m.group():
                continue
            s, e = m.span()
            out += (text[pos:s], new)
            new_starts += starts[pos:s] + [starts[s]] * len(new)
            new_ends += ends[pos + 1 : s + 1] + [ends[e]] * len(new)
            pos = e
        if not out:
            return
        out.append(text[pos:])
        self.text = "".join(out)
        self.starts = new_starts + starts[pos:]
        self.ends = new_ends + ends[pos + 1 :]


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# "2.5 lakh" (South Asian reports: a lakh is a hundred thousand)
_FACTORS = {"million": 1_000_000, "lakh": 100_000, "lakhs": 100_000, "lac": 100_000, "lacs": 100_000}


def _multiply(m: re.Match[str]) -> str:
    return _fmt(Decimal(m.group(1)) * _FACTORS.get((m.group(2) or "").lower(), 1000))


def _words_to_digits(m: re.Match[str]) -> str | None:
    run = m.group()
    if run.lower() == "one" and _PRONOUN_ONE.search(m.string, max(0, m.start() - 8), m.start()):
        return None
    return alpha2digit(run, "en", threshold=0)


def _unit_and_a_half(m: re.Match[str]) -> str:
    amount = Decimal(m.group(1) or 1) + Decimal("0.5")
    return f"{_fmt(amount)} {m.group(2)}s"


def _half_a(m: re.Match[str]) -> str:
    unit = m.group(1)
    return "6 months" if unit.lower() == "year" else f"0.5 {unit}"


def _a_unit(m: re.Match[str]) -> str | None:
    return None if _RATE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()) else "1"


# A minus sign before a number: "-5", "(−5)", "minus 5", "负5", and right after a Chinese word ("我今年-5岁": Chinese
# writes no space before it); not a hyphen ("COVID-19", "白介素-11"), the dash of a range ("20 -25", "11月-12月")
# nor a difference ("50 minus 20")
_MINUS = re.compile(rf"(?:(?:^|(?<=[^\w.,/\-−])|(?<=[{HAN}])(?<![0-9][{HAN}])(?<!介素))[-−]|\bminus[ \t]+|负)$", re.IGNORECASE)
_AFTER_A_NUMBER = re.compile(r"[0-9][ \t]*(?:[-−]|minus[ \t]+)$", re.IGNORECASE)


def minus_sign(text: str, start: int) -> int:
    """The length of the minus sign written right before ``start`` (where a number starts), 0 if none."""
    before = text[max(0, start - 12):start]
    sign = _MINUS.search(before)
    return len(sign.group()) if sign and not _AFTER_A_NUMBER.search(before) else 0


def normalise_with_offsets(text: str) -> Normalised:
    """Normalise numbers (see `normalise`) and keep a map back to original offsets."""
    r = _Rewriter(text)
    r.sub(_FULL_WIDTH, lambda m: chr(ord(m.group()) - 0xFEE0))
    r.sub(_CN_TENS_AND, lambda m: "")
    r.sub(_CN_COUNT_OF, lambda m: {"俩": "两个", "仨": "三个"}.get(m["n"] or "", "两个"))
    r.sub(_ONE_OR_NEXT, _one_or_next)
    r.sub(_CN_RUN, _chinese_numeral)
    r.sub(_DIGITS_WAN, _digits_wan)
    r.sub(_THOUSANDS_SEP, lambda m: m.group().replace(",", ""))
    r.sub(_MULTIPLIER, _multiply)
    r.sub(_A_MULTIPLIER, lambda m: "one")
    r.sub(_WORD_RUN, _words_to_digits)
    r.sub(_UNIT_AND_A_HALF, _unit_and_a_half)
    r.sub(_AND_A_HALF, lambda m: _fmt(Decimal(m.group(1)) + Decimal("0.5")))
    r.sub(_HALF_A, _half_a)
    r.sub(_COUPLE, lambda m: "2")
    r.sub(_A_UNIT, _a_unit)
    return Normalised(r.text, tuple(r.starts), tuple(r.ends))


def normalise(text: str) -> str:
    """Rewrite numbers as digits so regexes can find them; case is preserved.

    "six weeks" -> "6 weeks", "twenty two thousand" -> "22000", "22k" / "22,000" /
    "22 thousand" -> "22000", "a month" -> "1 month", "half a year" -> "6 months",
    "a couple of weeks" -> "2 weeks", "a year and a half" -> "1.5 years".
    """
    return normalise_with_offsets(text).text


def find_numbers(text: str) -> list[NumberMatch]:
    """Find plain numbers (not ordinals, not parts of words like "B12") in normalised text."""
    return [NumberMatch(float(m.group()), m.start(), m.end()) for m in _NUMBER.finditer(text)]
