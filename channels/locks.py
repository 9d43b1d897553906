"""Conversation locks shared by several Rasa servers behind a load balancer.

Rasa holds a conversation's lock while it handles one message, so that a second message of the
same conversation waits. With several servers the lock must live in Redis, but Rasa 3.6's
``RedisLockStore`` changes a lock by reading it, changing it and writing it back: two servers
issuing a ticket at the same moment can both get the first one, and then both handle their
message at once and one message's answers are lost (tests/web: two messages on two servers).
``AtomicRedisLockStore`` makes each of those read-change-writes hold a short Redis mutex
(``SET NX PX``, released only by its holder).

endpoints.yml: ``lock_store: {type: channels.locks.AtomicRedisLockStore, url: host, port, db}``
(``lock_store_url`` in the configuration sets it).
"""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from typing import Iterator, Text

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

MUTEX_MS = 2000  # a holder that died frees the mutex after this long
MUTEX_WAIT_S = 5.0
POLL_S = 0.002
# Deletes the mutex only if it is still the caller's (a slow holder must not free another's).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
        key, token = f"{self.key_prefix}{conversation_id}:mutex", uuid.uuid4().hex
        deadline = time.monotonic() + MUTEX_WAIT_S
        while not self.red.set(key, token, nx=True, px=MUTEX_MS):
            if time.monotonic() > deadline:
                raise LockError(f"Could not change the lock of conversation '{conversation_id}'.")
            time.sleep(POLL_S)  # held for a few Redis round trips at most
        try:
            yield
        finally:
            self.red.eval(RELEASE, 1, key, token)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


# endpoints.yml's ``lock_store.type`` for this store (``trialbot serve`` sets it with lock_store_url).
ENDPOINT_TYPE = f"{__name__}.{AtomicRedisLockStore.__qualname__}"
