"""Masking of personal identifiers in review screens, exports and the free-text search index.

Names, phone numbers, e-mail addresses (also spelled out: "wangfang at example dot com"), dates of
birth, street addresses (English and Chinese), identity-card numbers, messaging accounts ("my
wechat is ...") and other long digit runs are replaced by a bracketed label (``[name]``,
``[phone]``...). Clinical values (platelet counts, dates
of the last chemotherapy, ages, QTc, drug names) are left alone: reviewers need them, and they do not
identify a person by themselves. Where the two conflict the patterns favour masking.

Phone numbers are found by ``phonenumbers`` (Google's libphonenumber: each country's numbering plan)
for mainland China, the UK and the US, and for any number written with its country code; a few
patterns catch what is not a valid number but still identifies (ID cards, mistyped numbers). Names are found from cues ("my name is", "I'm", "this is ... speaking", "... here", "my
husband", 我叫, 我是, 姓名, 我丈夫...) and from common Chinese surnames, in characters and in pinyin;
once found, a name is masked wherever else it appears in the same text. Lower-case English given
names without a strong cue ("i'm anna") are not known, and stay.

Sender ids are shown as they are when they are opaque (random ids made by a channel), and as a
stable keyed hash (``[sender 1a2b3c4d]``) when they hold a name, a phone number, an e-mail address or
a personal handle ("wechat:wang_fang_1961"). The key is ``TRIALBOT_REVIEW_SENDER_KEY`` or, by
default, a random one kept in ``var/review-sender.key``: without it a phone number could be found
again from its hash by trying them all.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Tuple

import phonenumbers

from trialbot.config import PROJECT_ROOT

log = logging.getLogger(__name__)

EMAIL = "[email]"
PHONE = "[phone]"
NAME = "[name]"
DOB = "[date of birth]"
ADDRESS = "[address]"
ID_NUMBER = "[id number]"
ACCOUNT = "[account]"

# -- e-mail addresses ------------------------------------------------------------------------------

# Lengths are bounded (as in RFC 5321) so that a long run of letters and dots takes linear time.
_EMAIL_RE = re.compile(r"[A-Za-z0-9.+%_-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}")
# Spelled out: "wang.fang at example dot com", "wangfang(at)163.com", "wf [at] qq [dot] cn". Spaces
# around a written "." are not allowed ("I'm at St. Mary's. It..." is no address), and the address
# must end in a known top-level domain.
_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9_%+-]{0,63}"
_TLD = (r"(?:com|net|org|edu|gov|mil|info|biz|io|co|me|cn|uk|us|hk|tw|mo|sg|my|jp|kr|au|nz|ca|ie|de|fr|"
        r"es|it|nl|be|ch|se|no|dk|fi|in)")
_SPELLED_EMAIL_RE = re.compile(rf"\b{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_DOT}{_TLD}\b",
                               re.IGNORECASE)
_SPELLED_AT_RE = re.compile(r"@|\bat\b", re.IGNORECASE)  # most messages have neither: the costly search is skipped

# -- dates of birth --------------------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
         rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}|{_MONTH}\s+{_DAY},?\s+\d{{2,4}}"
         rf"|{_MONTH}\s+\d{{4}}|(?:19|20)\d{{2}})")
# Birth cues followed by a date; the cue is kept so that a reviewer sees what was said.
_DOB_RE = re.compile(
    rf"(?P<cue>\b(?:born(?:\s+(?:on|in))?|date\s+of\s+birth(?:\s+is)?|d\.?o\.?b\.?|birth\s*date(?:\s+is)?"
    rf"|birthday(?:\s+is)?)\s*[:\-]?\s*)(?P<date>{_DATE})",
    re.IGNORECASE)

# -- addresses -------------------------------------------------------------------------------------

_STREET_SUFFIX = (r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
                  r"terrace|close|crescent|square|sq|highway|hwy|parkway|pkwy|row|gardens|grove|hill|walk)")
_STREET_RE = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s+(?:[a-z][\w'-]*\.?\s+){{1,4}}{_STREET_SUFFIX}\b\.?"
    r"(?:,?\s+(?:apt|apartment|unit|flat|suite)\.?\s*#?\s*\w+)?",
    re.IGNORECASE)
# "I live at ...", "my address is ...": the rest of the clause.
_ADDRESS_CUE_RE = re.compile(
    r"(?P<cue>\b(?:i\s+live\s+(?:at|on)|my\s+(?:home\s+|postal\s+)?address\s+is|address\s*:|"
    r"(?:i'?m|i\s+am)\s+at\s+home\s+at)\s*)(?P<rest>[^.;!?\n]{3,80})",
    re.IGNORECASE)
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b")  # UK postcodes (upper case)

# Chinese addresses: administrative divisions (省/市/区/县...), then a street (路/街/巷...) and its
# numbers (号/栋/单元/室...), e.g. 天津市南开区卫津路88号3栋501室. A division alone (天津市, where the
# trial is) is no address, and neither is a bare "3号" (the 3rd of a month) or "3楼" (third floor):
# a number counts after a street or beside another number part ("3栋501室").
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_HAN_CHAR_RE = re.compile(f"[{_HAN}]")  # the Chinese rules run only on text that has Chinese
# Characters that start or end a clause rather than belong to a place name: "我住在天津市..." keeps "我住在".
_PLACE_CHAR = rf"(?:(?![我你他她您住在是的了叫说到从去要想就省市区县])[{_HAN}])"
_NUMBER = r"[0-9０-９一二三四五六七八九十百千零〇两]+"
_DIVISION = rf"{_PLACE_CHAR}{{2,4}}?(?:省|自治区|特别行政区|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道)"
_STREET_SUFFIX_HAN = "大街|大道|路|街|巷|弄|胡同|里|村|小区|花园|公寓|大厦|苑|新村"
_STREET = rf"{_PLACE_CHAR}{{1,8}}?(?:{_STREET_SUFFIX_HAN})"
_NUMBERED_STREET = rf"{_PLACE_CHAR}{{1,8}}?(?:{_STREET_SUFFIX_HAN}|道)"  # 成都道12号; but not 知道 ("know")
_HOUSE = rf"{_NUMBER}(?:-{_NUMBER})?号(?:院|楼)?"
_BUILDING = rf"(?:{_NUMBER}|[A-Za-z])(?:号楼|栋|幢|座|楼)"
_UNIT_ROOM = rf"{_NUMBER}(?:单元|层|室|房|户)"
_CN_ADDRESS_RE = re.compile(  # bounded repeats: a long run of place names must not take minutes
    rf"(?:{_DIVISION}){{0,4}}{_NUMBERED_STREET}(?:{_HOUSE}|{_BUILDING}|{_UNIT_ROOM}){{1,6}}"
    rf"|(?:{_DIVISION}){{1,4}}{_STREET}"
    rf"|(?:{_DIVISION}){{0,4}}(?:{_BUILDING}|{_UNIT_ROOM}){{2,6}}")

# -- numbers ---------------------------------------------------------------------------------------

# Mainland identity cards (GB 11643-1999): 18 characters (17 digits and a check digit or X), or the
# old 15 digits. Written whole, one is masked whatever its check digit (a mistyped number identifies
# too). Written in groups ("110105 19491231 002X", "1101-0519-4912-3100-2X"), whose pieces the phone
# rules would otherwise take apart and leave the rest showing, only with a valid check digit: other
# grouped digits are left to their own rules. Full-width digits (１１０１…) count as digits.
# Boundaries are digits and Latin letters, not \b: a Chinese character touching the number is a word
# character to \b.
_ID_DIGIT = "0-9０-９"
_ID_CARD_RE = re.compile(rf"(?<![A-Za-z{_ID_DIGIT}])(?:[{_ID_DIGIT}]{{17}}[{_ID_DIGIT}XxＸｘ]|[{_ID_DIGIT}]{{15}})"
                         rf"(?![A-Za-z{_ID_DIGIT}])")
_GROUPED_ID_CARD_RE = re.compile(rf"(?<![A-Za-z{_ID_DIGIT}])(?:[{_ID_DIGIT}][ \t\u00a0\u3000-]?){{17}}"
                                 rf"[{_ID_DIGIT}XxＸｘ](?![A-Za-z{_ID_DIGIT}])")
_ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CARD_CHECK = "10X98765432"  # the check character for each remainder of the weighted sum by 11


def is_id_card_number(text: str) -> bool:
    """Whether ``text`` (spaces, hyphens and full-width digits allowed) is an 18-character mainland
    identity card number whose check character is right."""
    characters = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text)).upper()
    if not re.fullmatch(r"\d{17}[\dX]", characters):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(characters, _ID_CARD_WEIGHTS))
    return _ID_CARD_CHECK[total % 11] == characters[17]
# Messaging accounts: "my wechat is wangfang", "微信号：wangfang1961", "QQ 123456789". After "is" or
# a colon any word is the account; right after the app's name only one with a digit or "_" is
# ("wechat me tomorrow" keeps its words).
_APP = r"(?:\b(?:wechat|weixin|whatsapp|telegram|skype|qq|wx)(?:\s*(?:id|number|account|handle))?|微信号?|QQ号?)"
_ACCOUNT_RE = re.compile(
    rf"(?P<cue>{_APP}\s*(?:(?:is|:|：|是|为)\s*(?=[A-Za-z0-9])(?!(?:the|not|same|also|my|a|an)\b)"
    r"|(?=[\w.-]*[\d_])))(?P<account>[A-Za-z0-9][\w.-]{3,})",
    re.IGNORECASE | re.ASCII)
_PHONE_REGIONS = ("CN", "GB", "US")
_PHONE_TRIES = 200  # candidates phonenumbers checks in one text; a wall of digits is left to the patterns
# Digit groups that may be a phone number. What phonenumbers does not take is still masked when it
# starts with a country code or "(", is a local "555-1234", or holds 9 digits or more in at most 4
# groups, one of them of 4 digits or more (mistyped numbers, QQ numbers); lists of counts such as
# "22 25 30 28 32" or "150 180 200 220" are not.
_PHONE_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9_/^.,])(?:\+|00)?\(?\d[\d\s().-]{5,40}\d(?![A-Za-z0-9_/^])")
_DATE_ONLY_RE = re.compile(r"^\s*(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s*$")
_LOCAL_NUMBER_RE = re.compile(r"\d{3}[\s.-]\d{4}")
_SEVEN_DIGITS_RE = re.compile(r"\d(?:[\s().-]*\d){6}")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _mask_valid_phones(text: str) -> str:
    """Numbers that are valid in China, the UK or the US, or anywhere when written with "+", and
    grouped as that country writes them (so "22 25 30 28 32" is no Tianjin number)."""
    if not _SEVEN_DIGITS_RE.search(text):  # most messages: nothing to parse
        return text
    spans: List[Tuple[int, int]] = []
    for region in _PHONE_REGIONS:
        spans += [(m.start, m.end) for m in
                  phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.STRICT_GROUPING,
                                                  max_tries=_PHONE_TRIES)]
    for start, end in _merged(spans)[::-1]:
        text = text[:start] + PHONE + text[end:]
    return text


def _merged(spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _phone_like(match: "re.Match[str]") -> str:
    candidate = match.group(0)
    if _DATE_ONLY_RE.match(candidate):
        return candidate
    digits = _digits(candidate)
    international = candidate.startswith(("+", "00", "("))
    local = _LOCAL_NUMBER_RE.fullmatch(candidate.strip()) is not None
    groups = [len(g) for g in re.findall(r"\d+", candidate)]
    grouped_like_a_number = len(groups) <= 4 and max(groups) >= 4 and min(groups[1:], default=3) >= 3
    if (digits >= 9 and grouped_like_a_number) or (digits >= 7 and (international or local)):
        return PHONE
    return candidate


# -- names -----------------------------------------------------------------------------------------

# Words after "I'm" / "I am" / "this is" that are not names.
_NOT_NAMES = {
    "a", "an", "the", "not", "no", "yes", "ok", "okay", "fine", "good", "well", "sure", "sorry", "here",
    "done", "back", "ready", "afraid", "worried", "scared", "confused", "pregnant", "male", "female", "man",
    "woman", "asking", "calling", "writing", "trying", "looking", "on", "in", "at", "from", "taking", "still",
    "also", "just", "really", "very", "so", "too", "feeling", "having", "interested", "unsure", "sick", "ill",
    "tired", "diabetic", "allergic", "breastfeeding", "over", "under", "about", "currently", "now", "using",
    "getting", "going", "being", "living", "english", "chinese", "married", "single", "old", "young",
    "thinking", "wondering", "caring", "his", "her", "their", "my", "your", "sixty", "seventy", "fifty",
    "forty", "thirty", "twenty", "eighty", "ninety", "i", "it", "this", "that", "what", "who", "hoping",
    "hi", "hello", "hey", "dear", "and", "or", "but", "is", "was", "has", "had", "have", "will", "can",
    "he", "she", "they", "we", "you", "me", "him", "them", "to", "for", "with", "of", "same",
    "nobody", "everyone", "someone", "all", "everything", "nothing", "bleeding", "pain", "patient",
}
# Common Chinese surnames (in characters; words that are mostly something else, such as 和 "and" or
# 时 "time", are left out). A surname is a name only after a cue, or with a title (王医生).
_HAN_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
                 "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝"
                 "龚邵万钱严覃武戴莫孔汤施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳祝舒阮柯梅童凌毕"
                 "裴霍涂苗翁冉骆蓝游辛靳柴蒙鲍喻祁蒲滕饶牟艾尤穆卓缪褚娄窦戚岑卫柏瞿桂佟臧闵邬卞姬栾")
_HAN_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "夏侯", "令狐",
                          "司徒", "长孙", "宇文", "端木", "澹台")
_HAN_SURNAME = "(?:" + "|".join(_HAN_COMPOUND_SURNAMES) + f"|[{_HAN_SURNAMES}])"
# Characters that end a name rather than continue it: "我叫王芳今年62岁", "我是高血压患者".
_HAN_NOT_GIVEN = "的是在了和也有要就都而及与或今年岁男女患得病癌瘤血压症炎痛疸住电手号身人上下来去说到叫"
_HAN_GIVEN = rf"(?:(?![{_HAN_NOT_GIVEN}])[{_HAN}])"
_HAN_NAME = rf"(?:[小老阿]{_HAN_SURNAME}|{_HAN_SURNAME}{_HAN_GIVEN}{_HAN_GIVEN}?)"
_HAN_NAME_RE = re.compile(_HAN_NAME)
_HAN_RELATIVE = (r"(?:丈夫|老公|先生|妻子|老婆|太太|爱人|儿子|女儿|妈妈|母亲|妈|爸爸|父亲|爸|哥哥|姐姐|弟弟|妹妹|"
                 r"爷爷|奶奶|外婆|外公|姥姥|姥爷|医生|主治医生|护士|朋友)")
_HAN_NAMED_RE = re.compile(  # 我叫王芳, 姓名：王芳: any characters (rare surnames too)
    rf"(?P<cue>(?:我叫|[我他她]的?名字(?:是|叫)|我名叫|姓名(?:是|为)?|我姓)[:：\s]*)"
    rf"(?P<name>{_HAN_NAME}|[小老阿]?{_HAN_GIVEN}{{1,3}})")
_HAN_INTRO_RE = re.compile(  # 我是王芳, 叫我小王, 我丈夫王伟, 我妈妈叫李秀英: only with a surname ("我是病人" is no name)
    rf"(?P<cue>(?:我是|叫我|本人是?|患者是?|病人是?|(?:我的?|他的?|她的?){_HAN_RELATIVE}(?:叫|是)?)[:：\s]*)"
    rf"(?P<name>{_HAN_NAME})")
# "王芳，女，62岁": a name opening the message (or a line), then the sex or the age, as on a form.
_HAN_LEADING_RE = re.compile(rf"(?m)^(?P<name>{_HAN_NAME})(?P<cue>[，,、\s]+(?:男|女|\d{{1,3}}岁))")
_HAN_TITLE_RE = re.compile(  # 王医生, 李主任: the surname, the title kept
    rf"(?P<name>{_HAN_SURNAME})(?P<cue>医生|大夫|主任|教授|护士|先生|女士|小姐|老师|阿姨|叔叔)")

# Pinyin. Surnames that are also English words (he, ma, long, fan...) count only after a cue; the
# others make a name with a pinyin given name beside them ("wang fang", "Li Wei", "Fang Wang").
_PINYIN_SURNAMES = {
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "zhu", "hu", "guo",
    "gao", "lin", "luo", "zheng", "liang", "xie", "han", "feng", "deng", "cao", "peng", "zeng", "xiao",
    "tian", "yuan", "jiang", "cai", "lu", "lyu", "lv", "wei", "ding", "shen", "ren", "yao", "cui", "zhong",
    "qian", "qiu", "xue", "mao", "shao", "xiong", "qin", "xia", "jia", "liao", "zou", "du", "su", "fu",
    "bai", "shi", "kong", "yin", "yan", "hou", "lei", "duan", "dai", "meng", "xiang", "jin", "gu", "lai",
    "ouyang", "sima", "zhuge", "shangguan", "situ", "zhuang", "nie", "niu", "geng", "qi", "xing", "qiao",
    "wong", "cheung", "chan", "leung", "chow", "ng",
}
_PINYIN_AMBIGUOUS_SURNAMES = {"he", "ma", "yu", "song", "tang", "dong", "fan", "fang", "tan", "ye", "wan", "mo",
                              "long", "sun", "pan", "gong", "bao"}
_PINYIN_SYLLABLE = (r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
                    r"(?:iang|iong|uang|ang|eng|ing|ong|iao|ian|uai|uan|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in|"
                    r"un|vn|ia|ua|uo|a|o|e|i|u|v)")
_PINYIN_GIVEN_RE = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,3}}", re.IGNORECASE)
# English words that spell pinyin syllables and often follow a surname-like word.
_PINYIN_ENGLISH = {
    "a", "an", "o", "e", "i", "in", "he", "me", "we", "ye", "so", "no", "go", "to", "do", "can", "man", "ran",
    "ban", "fan", "tan", "pan", "hang", "long", "bang", "hen", "ten", "men", "pen", "sun", "run", "fun", "gun",
    "tin", "pin", "bin", "win", "sin", "lie", "tie", "die", "pie", "she", "shin", "chin", "seen", "been",
    "ring", "sing", "king", "thing", "bring", "wing", "ping", "ding", "song", "tang", "dong", "gong", "bong",
    "her", "per", "hue", "sue", "cue", "due", "rue", "shoe", "sheen", "ago", "ate", "bye", "time",
    "line", "mine", "wine", "nine", "fine", "dine", "shine", "one", "gone", "done", "none", "tone", "bone",
    "zone", "gene", "scene", "chinese", "hi", "ha", "ah", "oh", "uh", "um", "chain", "rain", "pain", "gain", "main",
    "yen", "zen", "den", "sen", "cane", "lane", "mane", "sane", "wane",
}
_WORD = r"[^\W\d_][\w'’-]*"
_NAME_WORD = r"[A-Z][a-z'’][a-zA-Z'’-]*"  # Capitalised; acronyms (NSCLC, HER2) are not names
_NAME_WORD_RE = re.compile(_NAME_WORD)
_NAMED_RE = re.compile(  # "my name is john smith", "my husband's name is wang wei": any case
    r"(?P<cue>\b(?:(?:my|his|her|their|our)\s+(?:\w+(?:'s|’s)\s+)?name\s+is|my\s+name's|name\s*:|"
    r"i\s+am\s+called|i'?m\s+called|call\s+me(?!\s+(?:on|at|back|please|if|when|later|tomorrow)\b))\s+)"
    r"(?P<name>[^\W\d_][\w'’-]*(?:\s+(?!(?:and|i|my|im|i'm|but|or|from|here|on|at|in)\b)[^\W\d_][\w'’-]*){0,2})",
    re.IGNORECASE)
# "this is li wei speaking": a name between the two cues, whatever its case.
_SPEAKING_RE = re.compile(rf"(?P<cue>\b(?:this\s+is|it'?s)\s+)(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}})"
                          r"(?=\s+speaking\b)", re.IGNORECASE)
_INTRO_RE = re.compile(  # "I'm Anna", "this is Tom Jones", "i'm wang fang": only when it is a name
    rf"(?P<cue>\b(?:[Ii]'?m|[Ii]\s+am|[Tt]his\s+is)\s+)(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}})")
_RELATIVE_RE = re.compile(  # "my mother Mary", "my husband, John Smith,", "my husband wang wei"
    r"(?P<cue>\b(?:my|her|his)\s+(?:mother|mum|mom|father|dad|wife|husband|partner|son|daughter|sister|brother|"
    r"aunt|uncle|grandmother|grandfather|grandson|granddaughter|friend|doctor|oncologist|nurse),?\s+)"
    rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}})", re.IGNORECASE)
_HERE_RE = re.compile(  # "Wang Fang here", "John Smith speaking", "Anna speaking"
    rf"(?P<name>(?<![\w'’\[-]){_WORD}(?:\s+{_WORD})?)(?P<cue>\s+(?:here|speaking)\b)", re.IGNORECASE)
_TITLE_RE = re.compile(rf"(?P<cue>\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")
_TITLE_PINYIN_RE = re.compile(  # "dr wang said", "nurse li": any case, but only a known surname
    r"(?P<cue>\b(?:mr|mrs|ms|miss|dr|doctor|prof|professor|nurse)\.?\s+)(?P<name>%s)\b"
    % "|".join(sorted(_PINYIN_SURNAMES)), re.IGNORECASE)
_SIGNED_RE = re.compile(rf"(?P<cue>\b(?:[Rr]egards|[Tt]hanks|[Cc]heers|[Ss]incerely|[Bb]est),?\s*\n?\s*)"
                        rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s*$")
_HERE_CUE_RE = re.compile(r"\b(?:here|speaking)\b", re.IGNORECASE)
_PINYIN_SURNAME_WORD_RE = re.compile(r"\b(?:%s)\b" % "|".join(sorted(_PINYIN_SURNAMES)), re.IGNORECASE)
_LATIN_WORD_RE = re.compile(r"(?<![\w'’\[-])[A-Za-z]{1,9}(?![\w\]-])")  # "Fang's" holds "Fang"


def _is_pinyin_given(word: str) -> bool:
    return word.lower() not in _PINYIN_ENGLISH and _PINYIN_GIVEN_RE.fullmatch(word) is not None


def _is_pinyin_name(first: str, second: str, after_cue: bool = False) -> bool:
    """"wang fang", "Li Wei", "Fang Wang": a surname and a pinyin given name, in either order."""
    surnames = _PINYIN_SURNAMES | (_PINYIN_AMBIGUOUS_SURNAMES if after_cue else set())
    return ((first.lower() in surnames and _is_pinyin_given(second))
            or (second.lower() in surnames and _is_pinyin_given(first)))


def _name_length(words: List[str]) -> int:
    """How many of ``words`` (after a weak cue such as "I'm" or "my husband") are a name: a pinyin
    name, capitalised words, a known surname or a name in Chinese characters; 0 when none is."""
    if not words or words[0].strip("'’-").lower() in _NOT_NAMES:
        return 0
    if len(words) >= 2 and _is_pinyin_name(words[0], words[1], after_cue=True):
        return 2
    if _HAN_NAME_RE.match(words[0]):  # "I'm 王芳"
        return 1
    capitalised = 0
    for word in words:
        if not _NAME_WORD_RE.fullmatch(word) or word.lower() in _NOT_NAMES:
            break
        capitalised += 1
    if capitalised:
        return capitalised
    return 1 if words[0].lower() in _PINYIN_SURNAMES else 0


class _Masking:
    """One text being masked: the rules in order, and the names found so far, which are then
    masked wherever else they appear ("I'm Wang Fang ... Fang's count")."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: List[str] = []

    def sub(self, pattern: "re.Pattern[str]", replacement: Any) -> None:
        self.text = pattern.sub(replacement, self.text)

    def named(self, name: str) -> str:
        self.names.append(name)
        return NAME

    def cue_and_name(self, match: "re.Match[str]") -> str:
        return match.group("cue") + self.named(match.group("name"))

    def name_and_cue(self, match: "re.Match[str]") -> str:
        return self.named(match.group("name")) + match.group("cue")

    def trimmed(self, match: "re.Match[str]") -> str:
        """The cue, and as many words after it as are a name; the rest as it was."""
        words = match.group("name").split()
        count = _name_length(words)
        if not count:
            return match.group(0)
        name = re.match(r"\S+(?:\s+\S+){%d}" % (count - 1), match.group("name")).group(0)
        return match.group("cue") + self.named(name) + match.group("name")[len(name):]

    def strong(self, match: "re.Match[str]") -> str:
        """After "my name is": any words, up to one that cannot be a name."""
        words = match.group("name").split()
        kept: List[str] = []
        for word in words:
            if word.lower() in _NOT_NAMES:
                break
            kept.append(word)
        if not kept:
            return match.group(0)
        return match.group("cue") + self.named(" ".join(kept)) + match.group("name")[len(" ".join(kept)):]

    def here(self, match: "re.Match[str]") -> str:
        """"Wang Fang here", "Anna speaking": a known or capitalised name just before the cue."""
        words = match.group("name").split()
        cue = match.group("cue")
        if len(words) == 2 and (_is_pinyin_name(*words, after_cue=True)
                                or all(_NAME_WORD_RE.fullmatch(w) and w.lower() not in _NOT_NAMES for w in words)):
            return self.named(match.group("name")) + cue
        last = words[-1]
        prefix = match.group("name")[: len(match.group("name")) - len(last)]
        speaking_name = (cue.strip().lower() == "speaking" and _NAME_WORD_RE.fullmatch(last)
                         and not last.lower().endswith("ly"))
        if last.lower() not in _NOT_NAMES and (last.lower() in _PINYIN_SURNAMES or speaking_name):
            return prefix + self.named(last) + cue
        return match.group(0)

    def mask_pinyin_names(self) -> None:
        """Cue-less pinyin names: two words side by side, one a surname, the other a given name."""
        words = list(_LATIN_WORD_RE.finditer(self.text))
        spans: List[Tuple[int, int]] = []
        for first, second in zip(words, words[1:]):
            if spans and spans[-1][1] > first.start():
                continue  # "wang fang li": "fang li" overlaps the name already found
            if self.text[first.end():second.start()].isspace() and _is_pinyin_name(first.group(), second.group()):
                spans.append((first.start(), second.end()))
        for start, end in reversed(spans):
            self.text = self.text[:start] + self.named(self.text[start:end]) + self.text[end:]

    def mask_names(self) -> None:
        self.sub(_NAMED_RE, self.strong)
        self.sub(_SPEAKING_RE, self.strong)
        self.sub(_INTRO_RE, self.trimmed)
        self.sub(_TITLE_RE, self.cue_and_name)
        self.sub(_TITLE_PINYIN_RE, self.cue_and_name)
        self.sub(_RELATIVE_RE, self.trimmed)
        self.sub(_SIGNED_RE, self.cue_and_name)
        if _HERE_CUE_RE.search(self.text):
            self.sub(_HERE_RE, self.here)
        if _PINYIN_SURNAME_WORD_RE.search(self.text):
            self.mask_pinyin_names()
        if _HAN_CHAR_RE.search(self.text):
            self.sub(_HAN_NAMED_RE, self.cue_and_name)
            self.sub(_HAN_INTRO_RE, self.cue_and_name)
            self.sub(_HAN_TITLE_RE, self.name_and_cue)
            self.sub(_HAN_LEADING_RE, self.name_and_cue)
        self.mask_known_names()

    def mask_known_names(self) -> None:
        """The names found, again wherever they appear: the whole name, and each of its words
        (of three letters or more, or two Chinese characters) in the case it was written."""
        pieces = set()
        for name in self.names:
            pieces.add(name)
            pieces.update(w for w in name.split() if len(w) >= 3 and w.lower() not in _NOT_NAMES)
        for piece in sorted(pieces, key=len, reverse=True):
            if re.fullmatch(rf"[{_HAN}]+", piece):
                if len(piece) >= 2:
                    self.text = self.text.replace(piece, NAME)
                continue
            self.sub(re.compile(rf"(?<![\w'’-]){re.escape(piece)}(?![\w-])"), NAME)

    def mask_numbers(self) -> None:
        self.sub(_ACCOUNT_RE, lambda m: m.group("cue") + ACCOUNT)
        self.sub(_ID_CARD_RE, ID_NUMBER)
        self.sub(_GROUPED_ID_CARD_RE, lambda m: ID_NUMBER if is_id_card_number(m.group()) else m.group())
        self.text = _mask_valid_phones(self.text)
        self.sub(_PHONE_CANDIDATE_RE, _phone_like)

    def mask_all(self) -> str:
        self.sub(_EMAIL_RE, EMAIL)
        if _SPELLED_AT_RE.search(self.text):
            self.sub(_SPELLED_EMAIL_RE, EMAIL)
        self.sub(_DOB_RE, lambda m: m.group("cue") + DOB)
        self.sub(_ADDRESS_CUE_RE, lambda m: m.group("cue") + ADDRESS)
        self.sub(_STREET_RE, ADDRESS)
        self.sub(_POSTCODE_RE, ADDRESS)
        if _HAN_CHAR_RE.search(self.text):
            self.sub(_CN_ADDRESS_RE, ADDRESS)
        self.mask_numbers()
        self.mask_names()
        return self.text


def mask_text(text: Optional[str]) -> Optional[str]:
    """The text with personal identifiers replaced by labels; None stays None."""
    if not text:
        return text
    return _Masking(text).mask_all()


def mask_value(value: Any) -> Any:
    """Masks every string inside a JSON-like value (facts, custom payloads)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


# -- sender ids ------------------------------------------------------------------------------------

# Channels whose ids are chosen by, or are, the person: a handle, a phone number, an address.
_PERSONAL_SCHEMES = {"wechat", "weixin", "wx", "whatsapp", "wa", "tel", "phone", "mobile", "sms", "mms",
                     "mailto", "email", "telegram", "tg", "signal", "line", "qq", "viber", "skype", "imessage"}
_SENDER_KEY_ENV = "TRIALBOT_REVIEW_SENDER_KEY"
_SENDER_KEY_FILE = PROJECT_ROOT / "var" / "review-sender.key"
_SEPARATORS_RE = re.compile(r"[-_.:/+]+")
_CAPITALISED_PAIR_RE = re.compile(rf"\b{_NAME_WORD}[\s_.-]+{_NAME_WORD}\b")


def mask_sender(sender_id: str) -> str:
    """The sender id as it is when it is opaque (random ids made by a channel: "web-3f9a1c",
    "review-e2e-766249431125"), or ``[sender <hash>]`` when it identifies the person. The hash is
    stable, so one sender reads the same in the inbox, the exports and the audit log; an admin still
    finds a conversation by searching its real sender id."""
    if not sender_id or not _identifies(sender_id):
        return sender_id
    digest = hashlib.blake2b(sender_id.encode("utf-8", "surrogatepass"), key=_sender_key(), digest_size=4)
    return f"[sender {digest.hexdigest()}]"


@lru_cache(maxsize=8192)  # an inbox page or an export asks again for the same ids
def _identifies(sender_id: str) -> bool:
    scheme = sender_id.split(":", 1)[0].strip().lower() if ":" in sender_id else ""
    if scheme in _PERSONAL_SCHEMES or _EMAIL_RE.search(sender_id) or _SPELLED_EMAIL_RE.search(sender_id):
        return True
    if _digits(sender_id) >= 7 and re.fullmatch(r"[\d\s()+.-]+", sender_id):  # a bare phone number
        return True
    if _mask_valid_phones(sender_id) != sender_id or _CAPITALISED_PAIR_RE.search(sender_id):
        return True
    if _HAN_NAME_RE.match(sender_id):  # 王芳 as an id
        return True
    # Names inside: "wang_fang_1961", "this-is-li-wei"; but not long digit runs, which random ids hold.
    words = _SEPARATORS_RE.sub(" ", sender_id)
    masking = _Masking(words)
    masking.mask_names()
    return masking.text != words


@lru_cache(maxsize=1)
def _sender_key() -> bytes:
    """The hash key: from the environment (several hosts must share it), or a random one made once
    and kept in var/ (created atomically: the web app and the command line may start together)."""
    configured = os.environ.get(_SENDER_KEY_ENV, "")
    if configured:
        return hashlib.sha256(configured.encode("utf-8")).digest()[:32]
    path = Path(_SENDER_KEY_FILE)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
            try:
                os.link(temporary, path)  # fails if another process made it first: theirs is kept
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        key = path.read_bytes()
        if len(key) >= 16:
            return key[:64]
        log.warning("%s is too short: sender ids are hashed with a key for this process only", path)
    except OSError as error:
        log.warning("No sender-id key (%s): sender ids are hashed with a key for this process only", error.strerror)
    return secrets.token_bytes(32)
