"""The short version of the conversation benchmark (benchmarks/conversations.py): a few simulated dev patients
per language talk to the engine, with the words alone, from consent to the verdict.

What a patient would notice: every conversation ends with a verdict (no loop, no dead end), and none leaves
a patient looking more eligible than they are. The unsafe counts are a ratchet at what this seed measures
today: they may only go down.
"""
from __future__ import annotations

import pytest

from benchmarks import conversations as bench

PATIENTS = 10  # per population (anyone, fits): 20 conversations a language
SEED = 0
# Measured with the fifth session's dev corpus (seed 0, 10 dev patients a population): no English unsafe verdict, one
# Chinese (still "not eligible", but failing one criterion fewer than the answers warrant: a treatment date in the six
# facts asked together not read). The 200-patient dev runs are in docs/benchmarks.md. The draw depends on the corpus,
# so a new dev case can move these figures either way; a verdict above the true one is never allowed.
MAX_UNSAFE = {"en": 0, "zh-CN": 1}


@pytest.fixture(scope="module", params=bench.LANGUAGES)
def figures(request):
    results = bench.run(("dev",), PATIENTS, SEED, request.param, out=lambda line: None)
    return request.param, results["parts"]["dev"]


def test_every_simulated_conversation_reaches_a_verdict_within_the_turn_limit(figures):
    language, populations = figures
    for population, tally in populations.items():
        assert tally["patients"] == PATIENTS
        assert tally["no_verdict"] == 0, (language, population, tally)


def test_no_dev_patient_is_left_looking_more_eligible_than_they_are(figures):
    language, populations = figures
    unsafe = sum(tally[bench.UNSAFE] for tally in populations.values())
    assert unsafe <= MAX_UNSAFE[language], (language, populations)
    assert all(tally["more_eligible"] == 0 for tally in populations.values()), (language, populations)
