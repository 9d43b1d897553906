"""The language the bot speaks in this turn, and how its wording is found in that language.

The conversation's language (``State.language``: "en", "zh-CN", or None for not chosen yet, which
is English) is made active around one turn, as Django's ``translation.override`` does:

    with i18n.override(state.language):
        ...  # texts.WELCOME, a fact's question, a criterion's explanation: in that language

It is a context variable, so that concurrent turns (the action server handles several at once)
never see each other's language. Wording lives in two places, English always beside its
translation: what the engine says in bot/texts.py (English, the source of truth) and
bot/texts_zh.py (the same names); what a fact or a trial says in data/facts.yml and
data/trials/*.yml, whose entries carry a block per language (``zh-CN: {label: ..., ask: ...}``)
read by ``translated``. Whatever has no translation is said in English.
"""
from __future__ import annotations

import calendar
import contextlib
import importlib
import sys
import types
from contextvars import ContextVar
from datetime import date
from typing import Any, Iterator, Mapping, Optional

ENGLISH = "en"
CHINESE = "zh-CN"
TRANSLATED = (CHINESE,)  # the languages data files may carry a block for, beside their English

_active: ContextVar[str] = ContextVar("trialbot_language", default=ENGLISH)


def normal(language: Optional[str]) -> Optional[str]:
    """A language code as a client may send it ("zh", "zh-cn", "zh-Hans-CN", "en-GB") as ENGLISH or
    CHINESE, or None when it is neither (Traditional Chinese is not spoken yet)."""
    if not isinstance(language, str):
        return None
    code = language.strip().replace("_", "-").lower()
    if code == "zh" or code.startswith("zh-") and "hant" not in code and not code.endswith(("-tw", "-hk", "-mo")):
        return CHINESE
    if code == "en" or code.startswith("en-"):
        return ENGLISH
    return None


def is_chinese() -> bool:
    return _active.get() == CHINESE


@contextlib.contextmanager
def override(language: Optional[str]) -> Iterator[str]:
    """Speak ``language`` (None: English) within the block."""
    chosen = normal(language) or ENGLISH
    token = _active.set(chosen)
    try:
        yield chosen
    finally:
        _active.reset(token)


class _Localised(types.ModuleType):
    """A module of wording whose public names are looked up in the active language's module first."""

    def __getattribute__(self, name: str) -> Any:
        language = _active.get()
        if language != ENGLISH and not name.startswith("_"):
            translation = _WORDING.get((object.__getattribute__(self, "__name__"), language))
            if translation is not None and name in translation.__dict__:
                return translation.__dict__[name]
        return super().__getattribute__(name)


_WORDING: dict = {}  # (English module's name, language) -> the module with that language's wording


def localise(module_name: str, translations: Mapping[str, str]) -> None:
    """Make ``module_name.NAME`` say NAME in the active language: ``translations`` maps a language
    to the module holding its wording (the same names; what it lacks is said in English)."""
    for language, translation in translations.items():
        _WORDING[(module_name, language)] = importlib.import_module(translation)
    sys.modules[module_name].__class__ = _Localised


def wording(module_name: str, language: str) -> types.ModuleType:
    """The module holding ``language``'s wording for ``module_name`` (for tests and reviewers)."""
    return _WORDING[(module_name, language)]


def translations_of(data: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """The per-language blocks of a fact's or a criterion's data (``zh-CN: {...}``)."""
    return {language: dict(data[language]) for language in TRANSLATED if isinstance(data.get(language), Mapping)}


def active() -> str:
    """The language of this turn ("en" or "zh-CN")."""
    return _active.get()


def has_wording(translations: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether data with these ``translations`` (a trial's) speaks the active language: English always."""
    return _active.get() == ENGLISH or bool(translations.get(_active.get()))


def translated(translations: Mapping[str, Mapping[str, Any]], name: str, english: Any) -> Any:
    """``name`` in the active language, from a fact's or a criterion's ``translations``; else the English."""
    if _active.get() == ENGLISH:
        return english
    found = (translations.get(_active.get()) or {}).get(name)
    return english if found in (None, "", {}) else found


# -- dates and numbers as the active language writes them ----------------------------------
def day(value: date) -> str:
    """2026-11-03 (English replies keep ISO days, which no reader misreads); 2026年11月3日."""
    if is_chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def month(year: int, month_number: int) -> str:
    """"November 2026"; 2026年11月."""
    if is_chinese():
        return f"{year}年{month_number}月"
    return f"{calendar.month_name[month_number]} {year}"


def year(value: int) -> str:
    return f"{value}年" if is_chinese() else str(value)


def count(value: float) -> str:
    """A count with its thousands grouped: "22,000" (both languages group by thousands in digits)."""
    return f"{value:,.0f}"
