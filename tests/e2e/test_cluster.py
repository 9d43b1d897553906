"""Two Rasa servers behind the real nginx, as `trialbot serve --rasa-servers 2` runs them: the
PostgreSQL tracker store on 127.0.0.1:5432 (a throw-away database that serve creates), the atomic
Redis lock store on 127.0.0.1:6379, the action server, the web chat and review.

People talk through nginx while one Rasa server is killed: a client that sends a message again
once, with the same message_id, when it got no answer sees no 5xx; every conversation goes on; the
tracker store holds each message once, in order. A short Locust run (benchmarks/load.py) through
nginx has no error either.

The servers reach PostgreSQL and Redis through TCP proxies the tests can cut (tests/proxy.py:
every connection reset, new ones refused, as when the service goes down; the services themselves
are shared with other work and never stopped). People talk while PostgreSQL goes away, and while
Redis does: a message that cannot be handled is refused at once with a request to send it again
(``custom.failed``, HTTP 200), never answered from a blank conversation, never a 5xx; sent again
once the service is back, it is answered, and the conversation goes on where it was. The module
ends by checking that the tracker store holds every event of every conversation it saw once.
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
from typing import Collection, Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, text

from benchmarks.load import run_drive
from bot import texts
from tests.e2e.conftest import TURN_TIMEOUT
from tests.proxy import TcpProxy
from tests.e2e.serve import Serve
from trialbot.servers import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT = 480
NGINX = Path("/usr/sbin/nginx")
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_PORT, REDIS_PORT, REDIS_DB = 5432, 6379, 1
PEOPLE = 6
SCRIPT = ["hi", "yes", "I'm 62", "my platelets were 22 thousand", "yes", "six weeks ago", "lung cancer",
          "why do you ask?", "no", "what have you noted?"]
THINK_S = 0.3


class Cluster(Serve):
    """`trialbot serve --rasa-servers 2` in a process of its own, on a throw-away PostgreSQL database."""

    def __init__(self, tmp: Path, postgresql: TcpProxy, redis: TcpProxy) -> None:
        self.database = f"trialbot_cluster_test_{uuid.uuid4().hex[:8]}"
        self.tracker_store_url = f"{POSTGRES_SERVER}/{self.database}"  # the test's own way in, never cut
        self.postgresql, self.redis = postgresql, redis
        self.port, self.web_port = free_port(), free_port()
        super().__init__(tmp, {"TRIALBOT_TRACKER_STORE_URL": f"postgresql://postgres@127.0.0.1:{postgresql.port}/"
                                                             f"{self.database}",
                               "TRIALBOT_LOCK_STORE_URL": f"redis://127.0.0.1:{redis.port}/{REDIS_DB}",
                               "TRIALBOT_RASA_PORT": str(self.port),
                               "TRIALBOT_CLUSTER_FIRST_PORT": str(free_port()), "TRIALBOT_WEB_PORT": str(self.web_port),
                               **{f"TRIALBOT_{name}_PORT": str(free_port()) for name in ("ACTION", "REVIEW")}},
                         "--rasa-servers", "2")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def events(self) -> List[tuple]:
        """Every event in the tracker store: (id, sender_id, type_name, data), in the order stored."""
        engine = create_engine(self.tracker_store_url, future=True)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(
                    "SELECT id, sender_id, type_name, data FROM events ORDER BY id")).all()]
        finally:
            engine.dispose()

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
    with TcpProxy(POSTGRES_PORT) as postgresql, TcpProxy(REDIS_PORT) as redis:
        running = Cluster(tmp_path_factory.mktemp("cluster"), postgresql, redis)
        try:
            running.wait_until_running(START_TIMEOUT)
            yield running
        finally:
            postgresql.restore()
            redis.restore()
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


FAULT_PEOPLE = 4
CUT_AT = 3  # the message during which the service goes away: "my platelets were 22 thousand"
DOWN_S = 4.0  # how long it stays away
ASKED_AGAIN_PAUSE_S = 0.5  # a person asked to send a message again does so after this
PROMPT_REFUSAL_S = 10.0  # a refusal comes at once (a connection refused), not after the client's timeout
RECOVERY_S = 30.0  # once the service is back, a message is answered within this


def refused(reply: list) -> bool:
    return len(reply) == 1 and (reply[0].get("custom") or {}).get("failed") is True


class Outage:
    """A service cut mid-conversation (``proxy``), and what each person saw: (message, when the reply
    came, how long it took, "answered" or "refused")."""

    def __init__(self, proxy: TcpProxy) -> None:
        self.proxy = proxy
        self.cut_at = self.restored_at = float("inf")
        self.seen: Dict[str, List[tuple]] = {}

    def deadline(self) -> float:
        return self.restored_at + RECOVERY_S

    def refusals(self, since: float = 0, until: float = float("inf")) -> List[tuple]:
        return [entry for seen in self.seen.values() for entry in seen
                if entry[3] == "refused" and since <= entry[1] <= until]


def say_until_answered(url: str, sender: str, n: int, message: str, outage: Outage) -> list:
    """Message ``n``, with its message_id; sent again, as the person is asked to, while it is refused
    (``custom.failed``). Anything else that is not an answer (a 5xx, no reply) fails the test."""
    seen = outage.seen.setdefault(sender, [])
    while True:
        began = time.monotonic()
        try:
            reply = requests.post(f"{url}/webhooks/rest/webhook", timeout=TURN_TIMEOUT,
                                  json={"sender": sender, "message": message, "message_id": f"m{n}"})
        except requests.RequestException as exc:
            pytest.fail(f"message {n} of {sender}: {type(exc).__name__} after {time.monotonic() - began:.1f} s; "
                        f"before: {seen}", pytrace=False)
        now = time.monotonic()
        assert reply.status_code == 200, f"message {n} of {sender}: HTTP {reply.status_code} {reply.text[:300]}; {seen}"
        answer = reply.json()
        seen.append((n, now, now - began, "refused" if refused(answer) else "answered"))
        if not refused(answer):
            return answer
        assert answer[0]["text"] == texts.NOT_ANSWERED, answer
        assert now < outage.deadline(), f"message {n} of {sender} still refused {RECOVERY_S:.0f} s after the " \
                                        f"service came back: {seen}"
        time.sleep(ASKED_AGAIN_PAUSE_S)


def talk_through(cluster: Cluster, outage: Outage) -> Dict[str, List[list]]:
    """FAULT_PEOPLE conversations of SCRIPT; the service goes away for DOWN_S while their message
    CUT_AT is being handled, and comes back. Each conversation's replies."""
    halfway = threading.Barrier(FAULT_PEOPLE + 1)

    def converse(sender: str) -> List[list]:
        replies = []
        try:
            for n, message in enumerate(SCRIPT):
                if n == CUT_AT:
                    halfway.wait(timeout=300)
                replies.append(say_until_answered(cluster.url, sender, n, message, outage))
                time.sleep(THINK_S)
        except BaseException:
            halfway.abort()  # the test fails with this conversation's reason, not at the barrier
            raise
        return replies

    senders = [f"outage-{uuid.uuid4().hex}" for _ in range(FAULT_PEOPLE)]
    with ThreadPoolExecutor(FAULT_PEOPLE) as pool:
        conversations = [pool.submit(converse, sender) for sender in senders]
        try:
            halfway.wait(timeout=300)
        except threading.BrokenBarrierError:
            for done in conversations:
                done.result(timeout=300)  # raises the first conversation's failure
            raise
        time.sleep(0.05)  # the messages CUT_AT are being handled
        outage.proxy.cut()
        outage.cut_at = time.monotonic()
        time.sleep(DOWN_S)
        outage.proxy.restore()
        outage.restored_at = time.monotonic()
        replies = {sender: done.result(timeout=300) for sender, done in zip(senders, conversations)}
    recovered = [min(e[1] for e in outage.seen[s] if e[0] == CUT_AT and e[3] == "answered") - outage.restored_at
                 for s in senders]
    print(f"{len(outage.refusals())} refusal(s), {len(outage.refusals(outage.cut_at, outage.restored_at))} while "
          f"down; slowest refusal {max([e[2] for e in outage.refusals()] or [0]):.2f} s; message {CUT_AT} answered "
          f"{max(recovered):.1f} s after the service came back at the latest; slowest turn "
          f"{max(e[2] for seen in outage.seen.values() for e in seen):.1f} s; seen: "
          f"{ {s[-6:]: [(e[0], round(e[1] - outage.cut_at, 1), e[3]) for e in outage.seen[s] if e[3] == 'refused'] for s in senders} }")
    return replies


def check_outage(cluster: Cluster, outage: Outage, replies: Dict[str, List[list]]) -> None:
    assert outage.refusals(outage.cut_at, outage.restored_at), \
        f"no message was refused while the service was away: nothing was tested ({outage.seen})"
    assert all(e[2] < PROMPT_REFUSAL_S for e in outage.refusals()), outage.refusals()
    for sender, conversation in replies.items():
        for n, reply in enumerate(conversation):
            assert any(m.get("text") for m in reply), (sender, n, reply)
            # never answered from a blank conversation (the welcome, consent asked again)
            assert n < 2 or all((m.get("custom") or {}).get("asks") != ["consent"] for m in reply), (sender, n, reply)
        facts = [m["custom"]["facts"] for m in conversation[-1] if "facts" in (m.get("custom") or {})]
        assert facts and "platelet_count" in facts[-1], (sender, conversation[-1])  # the message CUT_AT is kept
    stored = cluster.user_messages()
    for sender in replies:
        assert stored.get(sender) == SCRIPT, (sender, stored.get(sender), outage.seen[sender])
    assert_stored_once(cluster, replies)
    assert cluster.process.poll() is None, cluster.tail()


def assert_stored_once(cluster: Cluster, senders: Collection[str] = ()) -> int:
    """No event of ``senders`` (of every conversation: none named) is in the tracker store twice: an event
    and its copy have the same type and data, its timestamp included. The number of events checked."""
    events = [e for e in cluster.events() if not senders or e[1] in senders]
    copies: Dict[tuple, List[int]] = {}
    for event_id, sender, kind, data in events:
        copies.setdefault((sender, kind, data), []).append(event_id)
    twice = {key[:2] + (key[2][:120],): ids for key, ids in copies.items() if len(ids) > 1}
    assert not twice, f"events stored more than once: {twice}"
    return len(events)


def test_postgresql_going_away_mid_conversation_is_refused_clearly_then_answered_and_nothing_is_stored_twice(cluster):
    """Every connection to the tracker store's database is reset and none can be made for DOWN_S, while
    messages are being handled; then PostgreSQL is back."""
    outage = Outage(cluster.postgresql)
    replies = talk_through(cluster, outage)
    check_outage(cluster, outage, replies)
    assert "the tracker store (its database) could not be reached" in cluster.output.read_text(), cluster.tail()


def test_redis_going_away_mid_conversation_is_refused_clearly_then_answered_and_nothing_is_stored_twice(cluster):
    """The conversation locks' Redis: no server may answer a conversation without its lock, so while Redis
    is away every message is refused (rather than risk two servers answering one conversation at once);
    a turn under way ends, its ticket left to expire (channels/locks.py); once Redis is back, the
    conversations go on."""
    outage = Outage(cluster.redis)
    replies = talk_through(cluster, outage)
    check_outage(cluster, outage, replies)
    assert "the conversation locks (Redis) could not be reached" in cluster.output.read_text(), cluster.tail()


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


def test_every_event_of_every_conversation_is_stored_once(cluster):
    """Last in the module: every conversation the cluster saw (the Locust run, the outages, the killed
    server) has each of its events once in the tracker store."""
    checked = assert_stored_once(cluster)
    assert checked > 500, checked
