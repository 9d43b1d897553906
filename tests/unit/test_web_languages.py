"""The chat's own text in each language (web/static/i18n/), and how the page's language is chosen.

The browser tests (tests/web/test_chinese.py) check the same in Chromium, with a bot that answers
in Chinese.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Mapping

import pytest

from web import server

# Latin letters a Chinese patient sees in the chat's own text: the unit of a platelet count (×10⁹/L).
ALLOWED_LATIN = {"L"}
PLACEHOLDERS = re.compile(r"\{(\w+)\}")


def flat(tree: Mapping[str, Any], prefix: str = "") -> Dict[str, str]:
    out: Dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def strings(lang: str) -> Dict[str, str]:
    return flat(json.loads((server.I18N / f"{lang}.json").read_text(encoding="utf-8")))


ENGLISH = strings("en")


@pytest.mark.parametrize("lang", [lang for lang in server.languages() if lang != "en"])
def test_every_language_file_has_exactly_the_english_keys(lang):
    translated = strings(lang)
    assert sorted(set(ENGLISH) - set(translated)) == [], "missing: English would show in its place"
    assert sorted(set(translated) - set(ENGLISH)) == [], "not in en.json: never shown"
    for key, english in ENGLISH.items():
        assert set(PLACEHOLDERS.findall(translated[key])) == set(PLACEHOLDERS.findall(english)), key


def test_the_chinese_text_has_no_english_in_it():
    for key, value in strings("zh-CN").items():
        assert value.strip() and re.search(r"[\u4e00-\u9fff]", value) or key == "units.10^9/L", key
        latin = set(re.findall(r"[A-Za-z]+", PLACEHOLDERS.sub("", value))) - ALLOWED_LATIN
        assert not latin, (key, latin)


@pytest.mark.parametrize("wanted, accept_language, chosen", [
    ("zh-CN", "", "zh-CN"),
    ("zh-cn", "en", "zh-CN"),
    ("zh", "", "zh-CN"),  # the closest language there is
    ("zh-Hans", "", "zh-CN"),
    ("en", "zh-CN", "en"),  # ?lang= first
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    (None, "zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"),  # "zh" is in the list
    (None, "zh-SG", "zh-CN"),
    (None, "fr-CH, fr;q=0.9, zh;q=0.8, en;q=0.5", "zh-CN"),
    (None, "en-GB,en;q=0.9,zh-CN;q=0.8", "en"),
    (None, "zh-CN;q=0, en", "en"),  # q=0: not this one
    (None, "zh-TW", "en"),  # Traditional only: CLDR puts Simplified too far from it
    ("fr", "de", "en"),
    ("中文", "*", "en"),
    ("x", "garbage;;q=x", "en"),
    ("", "", "en"),
])
def test_the_page_language_is_the_closest_of_lang_else_accept_language_else_english(wanted, accept_language, chosen):
    assert server.negotiate(wanted, accept_language) == chosen


def test_the_page_in_chinese():
    page = server.render_index(server.negotiate(None, "zh-CN,zh;q=0.9"), "http://bot.example")
    assert '<html lang="zh-CN">' in page
    assert f"<title>{strings('zh-CN')['page.title']}</title>" in page
    assert strings("zh-CN")["page.heading"] in page
