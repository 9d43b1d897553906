"""Conversation locks that never drop a live server's message.

Rasa holds a conversation's lock while it handles one message, so that a second message of the
same conversation waits its turn. A ticket expires ``lock_lifetime`` seconds after it was issued,
so that a server that died holding a lock does not block its conversation for ever. But in Rasa's
stores the waiting message's own ticket expires too: a message that waited longer than the
lifetime behind others (a nurse sending twenty lines at once, each turn a second or two) is
dropped with a ``LockError``, or, behind a dead server's ticket, never served at all
(tests/e2e/test_cluster.py: a Rasa server killed mid-turn). Here a live server renews its tickets
while it waits and while it handles the message, so only a dead server's ticket expires, and
``lock_lifetime`` (``TICKET_LOCK_LIFETIME``) can be short without ever letting two turns of one
conversation overlap or a message be lost (tests/unit/test_locks.py).

Without Redis no ticket can be issued, so no server handles a message (the channel asks the person to
send it again: channels/failures.py) rather than two at once. A turn under way when Redis goes away
ends as usual; its ticket, which could not be removed, expires by itself.

One Rasa server keeps its locks in memory (``RenewingInMemoryLockStore``). Several behind a load
balancer share them in Redis, but Rasa 3.6's ``RedisLockStore`` changes a lock by reading it,
changing it and writing it back: two servers issuing a ticket at the same moment can both get the
first one, and then both handle their message at once and one message's answers are lost
(tests/web: two messages on two servers). ``AtomicRedisLockStore`` makes each of those
read-change-writes hold a short Redis mutex (``SET NX PX``, released only by its holder).

endpoints.yml: ``lock_store: {type: channels.locks.AtomicRedisLockStore, url: host, port, db}``
(``lock_store_url`` in the configuration sets it; without it, ``channels.locks.RenewingInMemoryLockStore``).
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from typing import AsyncIterator, Iterator, Optional, Text

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MUTEX_MS = 2000  # a holder that died frees the mutex after this long
MUTEX_WAIT_S = 5.0
POLL_S = 0.002
RENEW_EVERY_S = 1.0  # how often a live server renews its ticket (at least 3 times a lifetime)
# How often a waiting message looks whether its turn has come. Rasa asks for 1 s, which made every
# message that arrived during another turn of its conversation wait a whole second (a nurse's burst
# of twenty lines took twenty seconds for twenty 20 ms turns).
WAIT_POLL_S = 0.02
# Deletes the mutex only if it is still the caller's (a slow holder must not free another's).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RenewingTickets(LockStore):
    """Rasa's ``LockStore.lock``, with the caller's ticket renewed until its block ends, and a waiting
    caller served within a few milliseconds of its turn."""

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
        """Makes one read-change-write of a lock atomic (in one process the event loop already does)."""
        yield

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        renewing = asyncio.ensure_future(self._renew_while_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, WAIT_POLL_S))
        finally:
            renewing.cancel()  # before the cleanup, with no await between: it cannot renew a removed ticket
            try:
                self.cleanup(conversation_id, ticket)
            except (redis.RedisError, LockError) as error:
                # Redis went away during the turn, which is over (and saved): its answer is given, and
                # the ticket left behind holds the conversation until it expires, as a dead server's does.
                logger.warning("Could not remove a conversation lock's ticket (%s): it expires within %g s.",
                               type(error).__name__, lock_lifetime)

    async def _renew_while_alive(self, conversation_id: Text, number: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(min(RENEW_EVERY_S, lifetime / 3))
            try:
                self.renew_ticket(conversation_id, number, lifetime)
            except (redis.RedisError, LockError) as error:  # tried again at the next turn of the loop
                logger.warning("Could not renew a conversation lock's ticket: %s", type(error).__name__)

    def renew_ticket(self, conversation_id: Text, number: int, lifetime: float) -> None:
        """Ticket ``number`` expires ``lifetime`` seconds from now (if it has not expired yet)."""
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return
            for ticket in lock.tickets:
                if ticket.number == number:
                    ticket.expires = time.time() + lifetime
            self.save_lock(lock)


class RenewingInMemoryLockStore(RenewingTickets, InMemoryLockStore):
    """One Rasa server's locks."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        super().__init__()  # Rasa passes the endpoint's configuration to a lock store named by module


class AtomicRedisLockStore(RenewingTickets, RedisLockStore):
    """Several Rasa servers' locks, in Redis."""

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
