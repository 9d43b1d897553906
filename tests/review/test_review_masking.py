"""Masking of personal identifiers, and what must stay visible to reviewers."""
from __future__ import annotations

import pytest

from review.masking import mask_sender, mask_text, mask_value
from review.signals import asks_for_human, sounds_frustrated


@pytest.mark.parametrize("text, hidden, shown", [
    ("my name is John Smith, call me on 07700 900123", ["John", "Smith", "07700", "900123"], ["my name is", "call me"]),
    ("My name's anna maria", ["anna", "maria"], []),
    ("I'm Anna and I have lung cancer", ["Anna"], ["lung cancer"]),
    ("this is Tom Jones speaking", ["Tom", "Jones"], ["speaking"]),
    ("my mother Mary Brown is 67", ["Mary", "Brown"], ["my mother", "67"]),
    ("Dr. Chen said my platelets are low", ["Chen"], ["platelets are low"]),
    ("email me at jo.bloggs+trial@example.co.uk", ["jo.bloggs", "example.co.uk"], ["email me at"]),
    ("phone +44 20 7946 0958 or 555-1234", ["7946", "0958", "555-1234"], []),
    ("my number is (212) 555-0199", ["555-0199"], []),
    ("born on 3 March 1960", ["1960", "March"], ["born on"]),
    ("DOB: 12/04/1958", ["12/04/1958"], ["DOB"]),
    ("my date of birth is 1958-04-12", ["1958-04-12"], []),
    ("I live at 12 Baker Street, London NW1 6XE", ["Baker", "NW1"], ["I live at"]),
    ("send it to 221b baker street please", ["baker street"], ["please"]),
    ("Thanks,\nMargaret Thatcher", ["Margaret"], ["Thanks"]),
])
def test_identifiers_are_masked(text, hidden, shown):
    masked = mask_text(text)
    for word in hidden:
        assert word not in masked, masked
    for word in shown:
        assert word in masked, masked
    assert "[" in masked


@pytest.mark.parametrize("text", [
    "my platelets were 22,000 on 2026-10-12",
    "plt 22k, last chemo 6w ago, failed rhTPO x3",
    "platelet count 150000 per microlitre and QTc 450 ms",
    "I'm 62 and female", "I'm not sure", "I am Pregnant", "I'm NSCLC stage 4",
    "my last chemotherapy was on 12/10/2026", "22 x10^9/L", "ALT 2.5 times the upper limit",
    "I had radiotherapy in March 2026", "she is 67 years old", "HbA1c 7.2%",
])
def test_clinical_values_stay(text):
    assert mask_text(text) == text


def test_nested_values_and_senders():
    assert mask_value({"note": "call 07700 900123", "n": 3, "l": ["me@x.org"]}) == \
        {"note": "call [phone]", "n": 3, "l": ["[email]"]}
    assert "900123" not in mask_sender("+44 7700 900123")
    assert "x.org" not in mask_sender("me@x.org")
    assert "900123" not in mask_sender("whatsapp:+447700900123")
    assert mask_sender("e2e-0f3a9c") == "e2e-0f3a9c"
    # a random id whose hex digits happen to be all decimal is not a phone number
    assert mask_sender("review-e2e-766249431125") == "review-e2e-766249431125"
    assert mask_text(None) is None and mask_text("") == ""


@pytest.mark.parametrize("text, human, frustrated", [
    ("can I talk to a real person? this is useless", True, True),
    ("please have someone call me back", True, False),
    ("I want to speak to the study team", True, False),
    ("human", True, False),
    ("I will ask my doctor", False, False),
    ("call me Bob", False, False),
    ("I ALREADY TOLD YOU THAT", False, True),
    ("you don't understand me", False, True),
    ("what???", False, True),
    ("my platelets are 22000", False, False),
])
def test_signals(text, human, frustrated):
    assert asks_for_human(text) is human
    assert sounds_frustrated(text) is frustrated
