"""An age said as one still to come: "I'll be 18 in March" is 17 now (bot/extraction.py: Extractor._bound)."""
from __future__ import annotations

import pytest

from bot.extraction import extract
from tests.conftest import TODAY


def _age(text, vocabulary):
    found = extract(text, vocabulary, [vocabulary["age"]], TODAY)
    return found.values.get("age"), found.bounds.get("age")


@pytest.mark.parametrize("text, age", [
    ("I'll be 18 in March", 17), ("55 next month", 54), ("she'll be 71 next week", 70),
    ("turning 60 in two weeks", 59), ("Mum turned 74 in August", 74), ("I'm 45, turning 46 in May", 45),
])
def test_an_age_to_come_within_the_year_is_one_less_now(vocabulary, text, age):
    assert _age(text, vocabulary)[0] == age


@pytest.mark.parametrize("text", ["turning 60", "I'm 64 this year", "62 in march", "I'll be 55 next year",
                                  "I'll be 60 in two years", "明年满18", "明年三月满60岁"])
def test_an_age_to_come_at_no_known_time_is_asked(vocabulary, text):
    value, bound = _age(text, vocabulary)
    assert value is None and bound
