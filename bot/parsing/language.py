"""Whether a message is written in a language the bot reads, or is no language at all.

The NLU model gives every message some intent, confidently: "لا" (no) and "aaaa" were read as "yes"
with confidence 0.97-0.99. So before any reading, the letters' scripts are counted. The bot reads
English and Chinese: a message in Latin letters must hold at least one word that is English
(wordfreq's frequency lists, shipped with the package) or one the bot's own vocabulary knows
("rhTPO", "Brilique"), or a number; a message in Han characters (Chinese, alone or mixed with
English abbreviations: "PLT 22, 特比澳无效") at least one common Chinese word (wordfreq's Chinese
list, cut into words with jieba as wordfreq does) or one of the bot's own ("特比澳"). Other scripts
(Cyrillic, Arabic, Korean, Japanese kana...) are not read.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Collection, Optional

from wordfreq import tokenize, zipf_frequency

from bot.parsing.chinese import HAN

ENGLISH = "en"
CHINESE = "zh"
READ_SCRIPTS = ("LATIN", "CJK")
KANA = ("HIRAGANA", "KATAKANA")  # Japanese: its kanji are Han characters, its kana say it is not Chinese
# A word this common in English text (about once per ten million words or more) is English;
# "aaaa" and "qwerty" are rarer than that, or made of one repeated letter.
COMMON_ZIPF = 3.0
# A word in letters other than Han: "EB病毒DNA阳性" holds the words "EB" and "DNA" beside its Chinese
WORD = re.compile(rf"[^\W\d_{HAN}]+(?:['’][^\W\d_{HAN}]+)?")
REPEATED = re.compile(r"^(.)\1+$|^(..)\2+$", re.IGNORECASE)

# Languages in Latin letters that people write to an English-only bot ("no sé", "nein", "je ne sais pas")
OTHER_LATIN_LANGUAGES = ("es", "fr", "de", "pt", "it", "nl", "pl", "id")

# The reasons a message cannot be read
OTHER_SCRIPT = "other_script"
OTHER_LANGUAGE = "other_language"
NO_WORDS = "no_words"


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


# A letter held for emphasis: "yesss", "nooo", "pleeease" are "yes", "no", "please"; a word without a vowel
# ("bbbc" is no "bc") is keyboard mashing, not a word held
STRETCHED = re.compile(r"(.)\1{2,}")
VOWEL = re.compile(r"[aeiouy]")


@lru_cache(maxsize=65536)
def is_english_word(word: str) -> bool:
    word = word.lower()
    if REPEATED.match(word):
        return False
    held = {STRETCHED.sub(r"\1", word), STRETCHED.sub(r"\1\1", word)} if VOWEL.search(word) else set()
    return any(zipf_frequency(w, ENGLISH) >= COMMON_ZIPF for w in {word, *held})


def unreadable(text: str, known_words: Collection[str] = ()) -> Optional[str]:
    """Why the text cannot be read (OTHER_SCRIPT, NO_WORDS), or None if it can.

    ``known_words``: the bot's own words (cues, drug and cancer names), lower case.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None  # digits, emoji, punctuation: for the reader to judge
    scripts = [_script(ch) for ch in letters]
    latin, han = scripts.count("LATIN"), scripts.count("CJK")
    if (latin + han) * 2 < len(letters) or any(s in KANA for s in scripts):
        return OTHER_SCRIPT
    if han and _chinese_words(text, known_words):
        return None  # Chinese, with however many English abbreviations ("EB病毒DNA阳性")
    if han >= latin:
        return None if any(ch.isdigit() for ch in text) else NO_WORDS
    words = [w.lower() for w in WORD.findall(text)]
    english = [w in known_words or is_english_word(w) for w in words]
    if not any(english):
        return None if any(ch.isdigit() for ch in text) else NO_WORDS
    foreign = [w for w, known in zip(words, english) if not known]
    if foreign and _another_language(words, foreign):
        return OTHER_LANGUAGE
    return None


def _chinese_words(text: str, known_words: Collection[str]) -> bool:
    """Whether the Han text holds a common Chinese word or one of the bot's own, not just one character
    repeated ("啊啊啊啊") or rare characters strung together."""
    runs = [_said_again(run) for run in re.findall(f"[{HAN}]+", text)]
    runs = [run for run in runs if not REPEATED.match(run)]
    return any(_common_chinese(run) or any(word in run for word in known_words if not word.isascii()) for run in runs)


def _said_again(run: str) -> str:
    """A word said two or three times over as one ("嗯嗯", "对对对", "没没没": yes, yes; no, no) is that word;
    a character held longer ("啊啊啊啊") is no word."""
    return run[0] if len(run) <= 3 and len(set(run)) == 1 else run


@lru_cache(maxsize=16384)
def _common_chinese(run: str) -> bool:
    # wordfreq cuts Chinese into words with jieba and a dictionary of its own, both shipped
    return any(not REPEATED.match(word) and zipf_frequency(word, CHINESE) >= COMMON_ZIPF for word in tokenize(run, CHINESE))


def _another_language(words: Collection[str], foreign: Collection[str]) -> bool:
    """Whether a language other than English explains the message better: a word English does not
    know is common in it, and its words are more common there than in English ("no sé")."""
    english = sum(zipf_frequency(w, ENGLISH) for w in words)
    for language in OTHER_LATIN_LANGUAGES:
        if any(zipf_frequency(w, language) >= COMMON_ZIPF + 0.5 for w in foreign):
            if sum(zipf_frequency(w, language) for w in words) > english:
                return True
    return False
