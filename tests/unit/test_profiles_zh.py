"""The Chinese whole-conversation profiles (tests/e2e/profiles_zh.py) are sound data: every fact and
criterion they name exists, and each expected verdict follows from what the answers mean. Whether the
bot reads the answers that way is for the end-to-end test that runs them."""
from __future__ import annotations

from datetime import date

import pytest

from bot.evaluation import Status, evaluate
from bot.facts import AnsweredBy
from tests.e2e.profiles_zh import CONVERSATIONS, STUDY_TEAM_OPEN

TODAY = date(2026, 12, 1)

def test_there_are_twenty_conversations_each_with_its_own_name():
    names = [c.who for c in CONVERSATIONS]
    assert len(names) >= 20 and len(set(names)) == len(names)


def test_the_conversations_cover_each_kind_of_person():
    verdicts = {c.verdict for c in CONVERSATIONS}
    assert verdicts == {"likely_eligible", "not_eligible", "uncertain"}
    assert any(c.volunteered for c in CONVERSATIONS) and any(c.corrections for c in CONVERSATIONS)


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.who for c in CONVERSATIONS])
def test_every_fact_named_can_be_asked(conversation, vocabulary):
    named = {*conversation.answers, *conversation.meaning, *conversation.corrections, *conversation.given,
             *conversation.never_asked}
    assert named <= set(vocabulary), sorted(named - set(vocabulary))
    asked = {key for key in vocabulary if vocabulary[key].answered_by is not AnsweredBy.STUDY_TEAM}
    missing = asked - set(conversation.answers)
    assert not missing, f"no answer for {sorted(missing)}"


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.who for c in CONVERSATIONS])
def test_the_expected_verdict_follows_from_what_the_answers_mean(conversation, vocabulary, seed_trial):
    result = evaluate(seed_trial, conversation.facts(TODAY), vocabulary, TODAY)
    status = {r.criterion.id: r.status for r in result.criteria}
    assert set(conversation.not_met) | set(conversation.unknown) | set(STUDY_TEAM_OPEN) <= set(status)
    assert result.status.value == conversation.verdict
    assert sorted(k for k, s in status.items() if s is Status.NOT_MET) == sorted(conversation.not_met)
    assert all(status[k] is Status.UNKNOWN for k in conversation.unknown)
