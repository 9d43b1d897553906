"""Two Rasa servers behind the real nginx, as `trialbot serve --rasa-servers 2` runs them: the
PostgreSQL tracker store on 127.0.0.1:5432 (a throw-away database that serve creates), the atomic
Redis lock store on 127.0.0.1:6379, the action server, the web chat and review.

People talk through nginx while one Rasa server is killed: a client that sends a message again
once, with the same message_id, when it got no answer sees no 5xx; every conversation goes on; the
tracker store holds each message once, in order. A short Locust run (benchmarks/load.py) through
nginx has no error either.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, text

from benchmarks.load import run_drive
from tests.e2e.conftest import TURN_TIMEOUT
from tests.e2e.serve import Serve
from trialbot.servers import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT = 480
NGINX = Path("/usr/sbin/nginx")
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_LOCKS = "redis://127.0.0.1:6379/1"
PEOPLE = 6
SCRIPT = ["hi", "yes", "I'm 62", "my platelets were 22 thousand", "yes", "six weeks ago", "lung cancer",
          "why do you ask?", "no", "what have you noted?"]
THINK_S = 0.3


class Cluster(Serve):
    """`trialbot serve --rasa-servers 2` in a process of its own, on a throw-away PostgreSQL database."""

    def __init__(self, tmp: Path) -> None:
        self.database = f"trialbot_cluster_test_{uuid.uuid4().hex[:8]}"
        self.tracker_store_url = f"{POSTGRES_SERVER}/{self.database}"
        self.port, self.web_port = free_port(), free_port()
        super().__init__(tmp, {"TRIALBOT_TRACKER_STORE_URL": self.tracker_store_url,
                               "TRIALBOT_LOCK_STORE_URL": REDIS_LOCKS, "TRIALBOT_RASA_PORT": str(self.port),
                               "TRIALBOT_CLUSTER_FIRST_PORT": str(free_port()), "TRIALBOT_WEB_PORT": str(self.web_port),
                               **{f"TRIALBOT_{name}_PORT": str(free_port()) for name in ("ACTION", "REVIEW")}},
                         "--rasa-servers", "2")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def user_messages(self) -> Dict[str, List[str]]:
        """Each conversation's user messages in the tracker store, in the order they were stored."""
        engine = create_engine(self.tracker_store_url, future=True)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT sender_id, data FROM events WHERE type_name = 'user' "
                                               "ORDER BY id")).all()
        finally:
            engine.dispose()
        stored: Dict[str, List[str]] = {}
        for sender, data in rows:
            stored.setdefault(sender, []).append(json.loads(data)["text"])
        return stored

    def drop_database(self) -> None:
        engine = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not NGINX.exists():
        pytest.fail(f"No nginx at {NGINX}: `make /usr/sbin/nginx` installs Debian's package.", pytrace=False)
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.wait_until_running(START_TIMEOUT)
        yield running
    finally:
        running.stop()
        running.drop_database()


class InFlight:
    """How many messages are waiting for their answer right now."""

    def __init__(self) -> None:
        self.count, self.lock = 0, threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            self.count += n


def say_with_one_retry(url: str, sender: str, n: int, message: str, seen: List[str], in_flight: InFlight) -> list:
    """One message; sent again once, with the same message_id, if no answer came. ``seen``: what
    went wrong on each try (the first try's failures are allowed, not the second's)."""
    for attempt in (1, 2):
        in_flight.add(1)
        began = time.monotonic()
        try:
            reply = requests.post(f"{url}/webhooks/rest/webhook", timeout=TURN_TIMEOUT,
                                  json={"sender": sender, "message": message, "message_id": f"m{n}"})
        except requests.RequestException as exc:
            seen.append(f"try {attempt}: {type(exc).__name__} after {time.monotonic() - began:.0f} s")
            continue
        finally:
            in_flight.add(-1)
        if reply.status_code < 500:
            assert reply.status_code == 200, (reply.status_code, reply.text)
            return reply.json()
        seen.append(f"try {attempt}: HTTP {reply.status_code}")
    pytest.fail(f"no answer to message {n} of {sender} after one retry: {seen}", pytrace=False)


def test_the_chat_page_talks_to_nginx_which_answers_its_own_health_check(cluster):
    page = requests.get(f"http://127.0.0.1:{cluster.web_port}/", timeout=10)
    assert page.status_code == 200 and cluster.url in page.text, cluster.url
    assert requests.get(f"{cluster.url}/nginx-health", timeout=10).text == "ok\n"


def test_a_short_locust_run_through_nginx_has_no_error(cluster):
    # No message to warm the servers first: the action server warms up before it reports up
    # (actions/warm_up.py), so the run's first messages are not a cold start.
    figures = run_drive(cluster.url, users=4, seconds=20, script="ours")
    assert figures["messages"] > 20, figures
    assert figures["errors"] == 0, figures["errors_seen"]
    assert figures["p95_ms"] < 5000, figures  # generous: other agents share these 2 cores


def test_a_rasa_server_killed_mid_conversation_loses_and_doubles_nothing(cluster):
    halfway = threading.Barrier(PEOPLE + 1)
    failures: Dict[str, List[str]] = {}
    in_flight = InFlight()
    slowest: List[float] = []

    def converse(sender: str) -> List[list]:
        replies, seen = [], failures.setdefault(sender, [])
        for n, message in enumerate(SCRIPT):
            if n == 3:
                halfway.wait(timeout=300)  # everyone is mid-conversation when the server dies
            began = time.monotonic()
            replies.append(say_with_one_retry(cluster.url, sender, n, message, seen, in_flight))
            slowest.append(time.monotonic() - began)
            time.sleep(THINK_S)
        return replies

    senders = [f"cluster-{uuid.uuid4().hex}" for _ in range(PEOPLE)]
    with ThreadPoolExecutor(PEOPLE) as pool:
        conversations = [pool.submit(converse, sender) for sender in senders]
        halfway.wait(timeout=300)
        time.sleep(0.05)  # the fourth messages are being handled
        killed = cluster.pids("rasa-1")[-1]
        os.kill(killed, signal.SIGKILL)
        interrupted = in_flight.count
        replies = {sender: done.result(timeout=600) for sender, done in zip(senders, conversations)}

    print(f"{interrupted} message(s) in flight at the kill; slowest turn {max(slowest):.1f} s; first tries that failed: "
          f"{ {sender[-6:]: seen for sender, seen in failures.items() if seen} }")
    assert interrupted, "the Rasa server was killed while no message was being handled: nothing was tested"
    # A message whose server died waits for the dead server's lock to expire (lock_lifetime_seconds),
    # not for ever: no try goes unanswered for the client's whole timeout (channels/locks.py).
    assert not [seen for seen in failures.values() if any("Timeout" in what for what in seen)], failures
    for sender in senders:  # every message answered, the last ones after the kill too
        assert all(any(m.get("text") for m in reply) for reply in replies[sender]), (sender, replies[sender])
    stored = cluster.user_messages()
    for sender in senders:
        assert stored.get(sender) == SCRIPT, (sender, stored.get(sender), failures[sender])
    assert cluster.process.poll() is None, cluster.tail()
    # serve saw the kill and is bringing the server back (it takes a while to load its model)
    deadline = time.monotonic() + 10
    while f"rasa-1 server (pid {killed}) was killed by SIGKILL" not in cluster.errors.read_text():
        assert time.monotonic() < deadline, cluster.tail()
        time.sleep(0.5)
