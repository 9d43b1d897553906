"""A restart of both servers loses no conversation: the tracker store keeps the screening state.

Runs after the other end-to-end tests (pytest runs files in alphabetical order) because it stops
and restarts the session's shared servers.
"""
from __future__ import annotations

import pytest

from tests.e2e.profiles import ELIGIBLE

pytestmark = pytest.mark.e2e


def test_a_conversation_continues_after_the_servers_restart(bot, chat):
    c = chat()
    c.start()
    c.say("I'm 62 and I have lung cancer")
    c.say("22")
    c.say("yes")
    pending = c.asks()
    assert pending and pending != ["bleeding_tendency"], c.log()

    bot.restart()
    c.transcript.append("--- servers restarted ---")

    reply = c.say(ELIGIBLE[pending[0]] if len(pending) == 1 else "/deny")
    assert "Sorry" not in c.texts(reply), c.log()
    assert c.asks(reply) != pending, f"the pending question was not answered after the restart\n{c.log()}"
    assert c.asks(reply) != ["consent"], c.log()
    facts = c.facts()
    for key, value in {"age": 62, "cancer_type": "solid_tumour", "platelet_count": 22, "bleeding_tendency": True}.items():
        assert facts.get(key) == value, f"{key} lost in the restart\n{c.log()}"
    assert all(k in facts for k in pending), c.log()
    given = {"age", "cancer_type", "platelet_count", "bleeding_tendency", *pending}
    c.check_verdict(c.complete(ELIGIBLE, given=given), "likely_eligible")


def test_a_new_conversation_works_after_the_restart(chat):
    c = chat()
    c.start()
    c.check_verdict(c.complete(ELIGIBLE), "likely_eligible")
