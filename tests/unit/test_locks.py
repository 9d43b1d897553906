"""The Redis lock store shared by several Rasa servers, against the Redis server on 127.0.0.1:6379."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from channels.locks import AtomicRedisLockStore


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
