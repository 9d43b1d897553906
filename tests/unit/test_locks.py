"""The conversation locks: one server's in memory, and the Redis lock store shared by several Rasa servers,
against the Redis server on 127.0.0.1:6379."""
from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from channels.locks import AtomicRedisLockStore, RenewingInMemoryLockStore
from trialbot.servers import free_port


@pytest.fixture
def stores():
    try:
        redis.StrictRedis(host="127.0.0.1", port=6379, db=1, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable on 127.0.0.1:6379: {error}", pytrace=False)
    config = EndpointConfig(url="127.0.0.1", type="channels.locks.AtomicRedisLockStore", port="6379", db="1")
    return [AtomicRedisLockStore(config) for _ in range(8)]  # as many servers


def test_tickets_issued_at_once_by_several_servers_are_all_different(stores):
    conversation = f"lock-test-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(len(stores)) as pool:
        tickets = list(pool.map(lambda s: [s.issue_ticket(conversation) for _ in range(5)], stores))
    issued = [t for batch in tickets for t in batch]
    assert sorted(issued) == list(range(len(issued)))  # none twice, none skipped
    for number in issued:
        stores[number % len(stores)].cleanup(conversation, number)
    assert stores[0].get_lock(conversation) is None  # the last one out removes the lock


def test_a_server_that_died_holding_a_lock_delays_the_next_message_by_the_lifetime_only(stores):
    conversation = f"lock-test-{uuid.uuid4().hex}"
    stores[0].issue_ticket(conversation, lock_lifetime=2)  # its server died while handling a message

    async def next_message() -> float:
        began = time.monotonic()
        async with stores[1].lock(conversation, lock_lifetime=2, wait_time_in_seconds=0.1):
            return time.monotonic() - began

    waited = asyncio.run(asyncio.wait_for(next_message(), timeout=20))
    assert 1.5 < waited < 4, waited
    assert stores[0].get_lock(conversation) is None  # nothing left behind


def test_without_redis_no_message_is_handled_and_a_turn_under_way_ends_leaving_its_ticket_to_expire(stores):
    """Redis goes away while a server handles a message: that turn ends as usual (its answer is given,
    though its ticket cannot be removed), and no server can take a lock for the next message, which is
    refused rather than handled by two servers at once. Back, Redis lets the ticket left behind expire."""
    conversation, away = f"lock-test-{uuid.uuid4().hex}", redis.StrictRedis(host="127.0.0.1", port=free_port(), db=1)
    server, other = stores[0], stores[1]
    here = server.red

    async def scenario() -> float:
        async with server.lock(conversation, lock_lifetime=2, wait_time_in_seconds=0.1):
            server.red = away  # Redis is gone before the turn ends
        with pytest.raises(redis.ConnectionError):
            async with server.lock(conversation, lock_lifetime=2):
                pytest.fail("a lock was taken without Redis")
        server.red = here  # Redis is back: the ticket left behind holds the conversation until it expires
        assert other.get_lock(conversation) is not None
        began = time.monotonic()
        async with other.lock(conversation, lock_lifetime=2, wait_time_in_seconds=0.1):
            return time.monotonic() - began

    waited = asyncio.run(asyncio.wait_for(scenario(), timeout=20))
    assert waited < 4, waited
    assert other.get_lock(conversation) is None


def test_a_live_server_keeps_its_lock_past_the_lifetime_while_it_handles_a_message(stores):
    conversation, order = f"lock-test-{uuid.uuid4().hex}", []

    async def handle(store, name: str, start: float, takes: float) -> None:
        await asyncio.sleep(start)
        async with store.lock(conversation, lock_lifetime=1, wait_time_in_seconds=0.1):
            order.append(f"{name} in")
            await asyncio.sleep(takes)
            order.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(handle(stores[0], "slow", 0, 2.5), handle(stores[1], "next", 0.2, 0))

    asyncio.run(asyncio.wait_for(both(), timeout=20))
    assert order == ["slow in", "slow out", "next in", "next out"]


def test_a_burst_of_messages_that_waits_longer_than_the_lifetime_is_served_whole_and_in_order():
    """Twelve lines pasted at once into one conversation, each turn 0.3 s, behind a 1 s lifetime: the
    last waits 3.3 s, and is still served (in Rasa's own store its ticket expired and it was lost)."""
    store, conversation, served = RenewingInMemoryLockStore(), "burst", []

    async def handle(line: int) -> None:
        async with store.lock(conversation, lock_lifetime=1, wait_time_in_seconds=0.05):
            served.append(line)
            await asyncio.sleep(0.3)

    async def burst() -> None:
        await asyncio.gather(*(handle(line) for line in range(12)))

    asyncio.run(asyncio.wait_for(burst(), timeout=20))
    assert served == list(range(12))
    assert store.get_lock(conversation) is None


def test_a_message_that_arrives_during_a_turn_is_served_as_soon_as_the_turn_ends():
    """Rasa looks once a second: each message of a burst waited a whole second behind a 20 ms turn."""
    store, conversation, waited = RenewingInMemoryLockStore(), "quick", []

    async def turn(start: float) -> None:
        await asyncio.sleep(start)
        asked = time.monotonic()
        async with store.lock(conversation):  # Rasa's own call: the default wait of 1 s
            waited.append(time.monotonic() - asked)
            await asyncio.sleep(0.05)

    async def two() -> None:
        await asyncio.gather(turn(0), turn(0.01))

    asyncio.run(asyncio.wait_for(two(), timeout=20))
    assert waited[1] < 0.3, waited  # the 0.04 s left of the first turn, and a poll
