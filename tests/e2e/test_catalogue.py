"""Matching one person against an imported catalogue, end to end through the REST channel.

Its own pair of servers, over a trial database holding the curated seed trial, the real
ClinicalTrials.gov record and the 700-trial COVID-19 corpus, all imported by the importer and
published without review (the catalogue is what is matched here, not the review).
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.importers import import_path
from bot.store import TrialStore
from tests.contract import asks_a_list
from tests.e2e.conftest import TRIAL_ID, BotServers, Chat
from trialbot.config import PROJECT_ROOT
from trialbot.servers import on_free_ports

SHARED = PROJECT_ROOT.parent / "shared" / "data"
VERDICT_ORDER = {"likely_eligible": 0, "uncertain": 1, "not_eligible": 2}
# How a person answers whatever the matching asks (fact key -> what they type); the rest: "no".
ANSWERS = {"place": "anywhere", "age": "45", "sex": "female", "pregnant": "no", "breastfeeding": "no"}


@pytest.fixture(scope="module")
def catalogue_bot(bot_settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("catalogue")
    database_url = f"sqlite:///{tmp / 'trials.db'}"
    store = TrialStore(database_url)
    store.load_directory(PROJECT_ROOT / "data")
    for source in (SHARED / "ctgov", SHARED / "covid19-structured-trials"):
        report = import_path(source, store, publish=True)
        assert report.imported, report.summary()
    settings = replace(bot_settings, database_url=database_url,
                       tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}")
    servers = BotServers(on_free_ports(settings), tmp / "servers.log")
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def match(catalogue_bot):
    return lambda: Chat(catalogue_bot)


def answer_until_results(c: Chat, first, questions: int = 6):
    """Answer ``questions`` questions from ANSWERS, then ask for the results; the results turn."""
    messages = first
    for _ in range(questions):
        asks = c.asks(messages)
        if asks is None:
            return messages
        assert any(b.get("payload") == "/show_verdict" for m in messages for b in (m.get("buttons") or [])), c.log()
        together = len(asks) > 1 and not asks_a_list(c.question(messages))  # "45, female": each said
        messages = c.say(", ".join(ANSWERS.get(k, "no") for k in asks) if len(asks) == 1 or together else "no")
    return c.say("/show_verdict")


def ranking(messages):
    found = [m for m in messages if isinstance((m.get("custom") or {}).get("verdict"), list)]
    assert found, messages
    return found[-1]


def test_which_trials_could_i_join_ranks_the_whole_catalogue(match):
    c = match()
    welcome = c.say("which trials could I join?")
    assert c.asks(welcome) == ["consent"], c.log()
    first = c.say("/affirm")
    assert c.asks(first) == ["place"], c.log()  # sites in many cities: where the person can go, first
    results = ranking(answer_until_results(c, first))
    ranked = results["custom"]["verdict"]
    assert len(ranked) > 550, len(ranked)  # every trial taking new patients, one entry each
    assert re.search(r"\d+ trial\(s\) of the catalogue are not taking new patients", results["text"]), c.log()
    assert len({r["trial_id"] for r in ranked}) == len(ranked)
    # likely eligible first, then uncertain by how little is unknown, then not eligible
    assert [VERDICT_ORDER[r["status"]] for r in ranked] == sorted(VERDICT_ORDER[r["status"]] for r in ranked)
    open_counts = [int(re.match(r"(\d+) question", r["reason"]).group(1))
                   for r in ranked if r["status"] == "uncertain"]
    assert open_counts == sorted(open_counts), c.log()
    for r in ranked:
        assert r["reason"] and r["title"], r
        if r["status"] == "not_eligible":  # each ruled-out trial names the criterion that decided it
            assert any(x["status"] == "not_met" for x in r["criteria"]), r
    text = results["text"]
    shown = [r for r in ranked if r["status"] != "not_eligible"][:3]
    assert all(r["trial_id"] in text for r in shown), c.log()
    ruled_out = sum(r["status"] == "not_eligible" for r in ranked)
    if ruled_out:  # summarised by the reasons that decided them, and every one counted
        assert f"{ruled_out} trial(s) are ruled out:" in text, c.log()
        counted = [int(n) for n in re.findall(r"^- (\d+) (?:because|for other reasons)", text, re.MULTILINE)]
        assert sum(counted) == ruled_out, text

    # the full criterion-by-criterion explanation of any of them
    chosen = ranked[0]["trial_id"]
    details = c.say(f"tell me more about {chosen}")
    verdict = c.verdict(details)
    assert verdict["trial_id"] == chosen and len(verdict["criteria"]) >= len(ranked[0]["criteria"]), c.log()
    assert all(x["explanation"] and x["text"] for x in verdict["criteria"]), c.log()


def test_a_condition_narrows_the_catalogue_and_an_age_rules_trials_out(match):
    c = match()
    c.say("are there any trials for COVID-19 I could join?")
    first = c.say("/affirm")
    messages = c.say("I'm 17") if c.asks(first) != ["age"] else c.say("17")
    ranked = ranking(answer_until_results(c, messages, questions=3))["custom"]["verdict"]
    ids = {r["trial_id"] for r in ranked}
    assert TRIAL_ID not in ids and "NCT02513394" not in ids, c.log()  # neither is about COVID-19
    adults_only = [r for r in ranked if any(x["id"].endswith("age") or "age" in x["text"].lower()
                                            for x in r["criteria"] if x["status"] == "not_met")]
    assert adults_only, "no trial was ruled out by the age of 17\n" + c.log()


def test_a_place_named_with_the_request_narrows_to_the_trials_near_it(match):
    c = match()
    welcome = c.say("which trials could I join near Boston?")
    assert "trials with a site in or near Boston, United States you" in welcome[-1]["text"], c.log()
    first = c.say("/affirm")
    assert c.asks(first) not in (None, ["place"]), c.log()  # not asked again: health questions start
    ranked = ranking(answer_until_results(c, first, questions=2))["custom"]["verdict"]
    assert 0 < len(ranked) == int(re.search(r"which of ([\d,]+) trials", welcome[-1]["text"]).group(1)), c.log()


def test_can_i_join_a_named_trial_screens_that_trial_alone(match):
    c = match()
    c.say(f"can I join {TRIAL_ID}?")
    first = c.say("/affirm")
    assert c.asks(first) == ["platelet_count"], c.log()
    c.say("45000")
    verdict = c.verdict(c.confirm_read_back())
    assert verdict["trial_id"] == TRIAL_ID and verdict["status"] == "not_eligible", c.log()
