"""Which language a conversation is held in, and when it changes.

In order:
1. a message that only asks for a language ("English please", "in English", "请用中文", "说中文")
   switches to it at any time; it is a request to the bot, never an answer to a health question;
2. once chosen, the language stays (it is the ``language`` slot: it survives reloads and servers);
3. until then, the language the client asks for (REST metadata ``{"language": "zh-CN"}``: the web
   page's ?lang, data-lang or Accept-Language), else a message written in Chinese (Han script)
   chooses Chinese. A message in English leaves the choice open (English meanwhile), so that a
   patient who greets in English and then writes Chinese is answered in Chinese.
"""
from __future__ import annotations

from typing import Optional

import regex

from bot.i18n import CHINESE, ENGLISH, normal

_POLITE_EN = r"(?:(?:please|pls|plz|can|could|would|we|you|i|use|speak|talk|write|reply|answer|continue|switch|change|go|back|to|in|only|language|the|do|it|let'?s|us)\s+)*"
_SWITCH = {
    ENGLISH: regex.compile(
        rf"^\W*{_POLITE_EN}(?:english|英文|英语)(?:\s+(?:please|pls|plz|only|instead|language))*\W*$"
        r"|^\W*(?:请|麻烦|能不能|能否|能|可以|可不可以|我想)?(?:你)?(?:用|说|讲|改用|换成|切换到|切换成)(?:英文|英语)(?:吧|吗|好吗|可以吗|行吗|回答|交流|聊|说|谢谢)?\W*$",
        regex.IGNORECASE),
    CHINESE: regex.compile(
        rf"^\W*{_POLITE_EN}(?:chinese|mandarin|simplified chinese)(?:\s+(?:please|pls|plz|only|instead|language))*\W*$"
        r"|^\W*(?:请|麻烦|能不能|能否|能|可以|可不可以|我想)?(?:你)?(?:用|说|讲|改用|换成|切换到|切换成)?"
        r"(?:中文|汉语|普通话|简体中文|国语)(?:吧|吗|好吗|可以吗|行吗|回答|交流|聊|说|谢谢)?\W*$",
        regex.IGNORECASE),
}
HAN = regex.compile(r"\p{Han}")
LATIN_WORD = regex.compile(r"\p{Latin}+")


def requested(text: str) -> Optional[str]:
    """The language a message asks for, when asking for one is all it does; else None."""
    for language, pattern in _SWITCH.items():
        if pattern.match(text or ""):
            return language
    return None


def written_in_chinese(text: str) -> bool:
    """Whether a message is written in Chinese: Han characters ("不" is), at least as many as the
    words in Latin letters beside them ("PLT 22 特比澳无效" is; "I had rhTPO injections (特比澳)" is not)."""
    han = len(HAN.findall(text or ""))
    return han >= 1 and han >= len(LATIN_WORD.findall(text))


def choose(current: Optional[str], client: Optional[str], text: str) -> Optional[str]:
    """The conversation's language after this message (None: not chosen yet, English)."""
    asked = requested(text)
    if asked:
        return asked
    if normal(current):
        return normal(current)
    if normal(client):
        return normal(client)
    return CHINESE if written_in_chinese(text) else None


def message_language(text: str, current: Optional[str]) -> Optional[str]:
    """The language to answer a staff message in: the message's own. Chinese when it is written in
    Chinese ("女62 肺癌 PLT 22"), English when it has an English word; a message of shorthand alone
    ("PLT 18", "rhTPO x2", "62F NSCLC") says nothing of a language, and keeps the one last used."""
    asked = requested(text)
    if asked:
        return asked
    if written_in_chinese(text):
        return CHINESE
    if any(len(word) >= 4 and sum(c.isupper() for c in word) < 2 for word in LATIN_WORD.findall(text)):
        return ENGLISH if normal(current) else None  # None: English, as no other was ever used
    return normal(current)
