"""The short version of the understanding benchmark (benchmarks/understanding.py): the whole corpus
through the engine's reader, with the words alone (the full benchmark adds the trained NLU model).

The figures are a ratchet: they may only get better. Lowering one to make a change pass means the
change reads people worse.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks import understanding as bench

# Dev cases still misread unsafely, each a reading the corpus and the reader disagree on (see the
# benchmark's --show): "no I'm pregnant already lol" (the "no" wins over the pregnancy), "my periods
# stopped on chemo so I can't be pregnant" (a bundle's pregnancy read as no), "I'm her husband,
# she's the one with cancer" (the husband's sex), "yes, I'm on hormone tablets for my breast cancer"
# (breast cancer read, which the corpus leaves unread).
MAX_UNSAFE_DEV = 4
MIN_RIGHT_DEV = 0.66
MAX_MISREAD_DEV = 0.08


@pytest.fixture(scope="module")
def tallies():
    engine, staff = bench.engines()
    nlu = bench.NLU(None)
    counts = {part: Counter() for part in bench.PARTS}
    for case in bench.load_cases():
        counts[case.part][bench.score(case, bench.observe(case, engine, staff, nlu), engine)] += 1
    return counts


def test_the_corpus_is_large_and_a_fifth_of_it_is_held_out(tallies):
    total = sum(sum(t.values()) for t in tallies.values())
    assert total >= 1500
    assert sum(tallies["test"].values()) >= total / 5


def test_no_more_dev_cases_are_misread_unsafely_than_the_known_ones(tallies):
    assert tallies["dev"][bench.UNSAFE] <= MAX_UNSAFE_DEV


def test_dev_cases_are_read_right_and_rarely_misread(tallies):
    total = sum(tallies["dev"].values())
    assert tallies["dev"][bench.RIGHT] / total >= MIN_RIGHT_DEV
    assert (tallies["dev"][bench.MISREAD] + tallies["dev"][bench.UNSAFE]) / total <= MAX_MISREAD_DEV


HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_unreadable_text_never_gives_consent_or_a_fact(tallies):
    engine, staff = bench.engines()
    nlu = bench.NLU(None)
    for case in bench.load_cases():
        # Chinese is read since issue 15: Han text is not unreadable, and its readings are scored as cases
        if case.act == "unreadable" and not case.facts and not HAN.search(case.text):
            observed = bench.observe(case, engine, staff, nlu)
            assert not observed.consent and not {k: v for k, v in observed.facts.items() if v is not None}, case.text
