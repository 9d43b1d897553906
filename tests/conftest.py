"""Shared fixtures: the real vocabulary and seed trial, loaded into a throw-away trial store."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import requests

from tests.contract import WEBHOOK, check_messages

from bot.conversation import Screening
from bot.store import Catalogue, TrialStore

PROJECT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SEED_TRIAL = "NCT05236582"


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory) -> Catalogue:
    store = TrialStore(f"sqlite:///{tmp_path_factory.mktemp('trials') / 'trials.db'}")
    store.load_directory(PROJECT / "data")
    return Catalogue(store).refresh()


@pytest.fixture(scope="session")
def vocabulary(catalogue):
    return catalogue.vocabulary


@pytest.fixture(scope="session")
def seed_trial(catalogue):
    return catalogue.trials[SEED_TRIAL]


@pytest.fixture
def engine(catalogue) -> Screening:
    return Screening(catalogue, default_trial=SEED_TRIAL, today=lambda: TODAY)


@pytest.fixture(scope="session", autouse=True)
def replies_follow_the_contract():
    """Every REST webhook reply a test receives, through whichever helper or none, is checked against
    the reply contract's schema (bot/reply_contract.schema.json)."""
    send = requests.Session.send

    def checked_send(session, request, **kwargs):
        response = send(session, request, **kwargs)
        if request.method == "POST" and request.url.split("?")[0].endswith(WEBHOOK) \
                and response.headers.get("Content-Type", "").startswith("application/json"):
            check_messages(response.json(), f" to {request.url}")
        return response

    with pytest.MonkeyPatch.context() as patch:  # for the whole session: session fixtures send messages too
        patch.setattr(requests.Session, "send", checked_send)
        yield


def read_as(state, key):
    """What a message was read as for ``key``: stored, or offered back to confirm (a reading that would make a
    criterion pass from a message with words left unread is offered back: bot.conversation)."""
    return {**(state.confirm or {}), **state.facts}.get(key)
