"""The matcher over the real COVID-19 corpus (737 trials, thousands of facts) agrees, answer after
answer, with evaluating every trial and counting the question tallies criterion by criterion."""
from __future__ import annotations

import pytest

from bot.evaluation import Verdict, evaluate
from bot.importers import import_path
from bot.matching import Matcher
from bot.questions import fresh_board, next_question
from bot.store import Catalogue, TrialStore
from tests.conftest import PROJECT, TODAY
from tests.unit.test_importers import CORPUS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    store = TrialStore(f"sqlite:///{tmp_path_factory.mktemp('corpus') / 't.db'}")
    store.load_directory(PROJECT / "data")
    import_path(CORPUS, store, publish=True)
    catalogue = Catalogue(store).refresh()
    return [catalogue.trials[t] for t in catalogue.ids()], catalogue.vocabulary


def test_the_matcher_agrees_with_counting_afresh_over_the_corpus(corpus):
    trials, vocabulary = corpus
    matcher = Matcher(trials, vocabulary, TODAY)
    facts: dict = {}
    asked = []
    for step in range(14):
        results = matcher.results()
        fresh = [evaluate(t, facts, vocabulary, TODAY) for t in trials]
        assert [(r.status, r.open_questions) for r in results] == [(r.status, r.open_questions) for r in fresh]
        still_open = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        some = results[::3]  # a recount of some trials, ruled-out ones too
        for chosen in (still_open, some):
            lent, lent_first = matcher.board_for(chosen, facts, vocabulary)
            counted, counted_first = fresh_board(chosen, facts, vocabulary, TODAY, matcher.analysis)
            assert (lent.entries, lent.tiers) == (counted.entries, counted.tiers)
            assert lent.best(lent_first) == counted.best(counted_first)
        question = next_question(still_open, facts, vocabulary, (), TODAY, tallies=matcher)
        key = question.keys[0]
        asked.append(key)
        answers = matcher.analysis.answers(key)
        # answers of every kind: the middle one, "I don't know", and a changed answer to the age
        facts[key] = None if step % 4 == 3 else answers[len(answers) // 2][0]
        if step == 9:
            facts["age"] = 17
        matcher.update(facts)
    assert asked[0] == "age" and len(set(asked)) == len(asked)
    assert any(r.status is Verdict.NOT_ELIGIBLE for r in matcher.results())
