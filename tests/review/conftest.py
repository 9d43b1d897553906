"""Fixtures of the transcript-review tests: a review store on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (``TRIALBOT_TEST_POSTGRES_URL`` to use another); each
test gets a database of its own, dropped afterwards. Without a reachable server, the PostgreSQL
cases are skipped with the reason.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from trialbot.config import PROJECT_ROOT
from review.app import create_app
from review.auth import Authenticator
from review.store import ReviewStore
from tests.review.helpers import (ADMIN_PASSWORD, REVIEWER_PASSWORD, AppServer, postgres_available, postgres_database,
                                  standard_conversations)

BACKENDS = ["sqlite", "postgresql"]
_POSTGRES = None


def _postgres_ok() -> bool:
    global _POSTGRES
    if _POSTGRES is None:
        _POSTGRES = postgres_available()
    return _POSTGRES


@pytest.fixture
def database_url(request, tmp_path: Path) -> Iterator[str]:
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
        return
    if not _postgres_ok():
        pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (set TRIALBOT_TEST_POSTGRES_URL)", pytrace=False)
    with postgres_database() as url:
        yield url


@pytest.fixture
def store(database_url) -> Iterator[ReviewStore]:
    review = ReviewStore(database_url, low_confidence_threshold=0.6)
    yield review
    review.engine.dispose()


@pytest.fixture
def auth(store) -> Authenticator:
    authenticator = Authenticator(store, ttl_minutes=60)
    authenticator.add_user("ada", "admin", ADMIN_PASSWORD, "test")
    authenticator.add_user("rita", "reviewer", REVIEWER_PASSWORD, "test")
    return authenticator


@pytest.fixture
def server(store, auth, tmp_path):
    """The review app over the standard conversations (tests/review/helpers.py), indexed."""
    standard_conversations(store)
    store.index()
    app = create_app(store, auth, stories_dir=tmp_path / "stories", domain_path=PROJECT_ROOT / "domain.yml",
                     index_interval=0)
    with AppServer(app) as running:
        running.store = store
        running.stories = tmp_path / "stories"
        yield running
