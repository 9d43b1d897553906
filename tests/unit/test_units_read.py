"""Units as labs and ECG reports print them: a platelet count per 10^4 µL, a QTc in seconds (bot/units.py and the
alternative units of a bare number in bot/extraction.py)."""
from __future__ import annotations

import pytest

from bot.extraction import extract
from bot.parsing.quantities import find_measurements
from bot.units import convert
from tests.conftest import TODAY


def test_ten_to_the_four_per_microlitre_is_a_platelet_count():
    [m] = find_measurements("2.2 x 10^4/µL")
    assert (m.value, m.unit) == (2.2, "10^4/uL")
    assert convert(2.2, "10^4/uL", "10^9/L") == pytest.approx(22)


@pytest.mark.parametrize("text", ["0.44 s", "0.44 sec", "0.44 seconds"])
def test_seconds_are_read(text):
    [m] = find_measurements(text)
    assert m.unit == "s" and convert(m.value, "s", "ms") == pytest.approx(440)


@pytest.mark.parametrize("text", ["plt 22 s/p FOLFOX", "in my 50s", "22's"])
def test_a_lone_s_is_no_second_unless_a_word_after_a_number(text):
    assert all(m.unit != "s" for m in find_measurements(text))


@pytest.mark.parametrize("text, value", [("QTc = 0.44 s", 440), ("QTc 0.47", 470), ("QTc 470 ms", 470), ("qtc 452", 452)])
def test_a_qtc_in_seconds_or_milliseconds(vocabulary, text, value):
    found = extract(text, vocabulary, [vocabulary["qtc_ms"]], TODAY)
    assert found.values["qtc_ms"] == pytest.approx(value)


def test_a_qtc_plausible_in_neither_unit_is_asked_again(vocabulary):
    found = extract("QTc 44", vocabulary, [vocabulary["qtc_ms"]], TODAY)
    assert "qtc_ms" not in found.values and [p.fact for p in found.problems] == ["qtc_ms"]
