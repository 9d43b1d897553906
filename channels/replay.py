"""Remembering what was accepted recently, so that a request captured and sent again is refused
(Slack signatures and message ids, Bot Framework activity ids).

One server remembers in its memory (``SeenRecently``). Several servers behind a load balancer
remember in the Redis server where they share their conversation locks (``SharedSeenRecently``,
chosen by ``seen_recently`` when ``lock_store_url`` is set): a request replayed to another server
is refused there too, and of two copies that reach two servers at once only one is accepted.

While that Redis server is out of reach, whether a request was accepted before cannot be told, and a
request must be neither handled twice (a Slack retry, ``X-Slack-Retry-Num``, of a message already
answered) nor dropped unseen (the retry of one that never arrived). ``SharedSeenRecently`` then
refuses what this server remembers having accepted (each server remembers in its memory too) and
raises ``GuardUnavailable`` for anything else: the channel does not handle the message, and asks
the person to send it again (channels/handoff.py), as every channel does while the conversation
locks, in the same Redis, are out of reach (channels/failures.py). Nothing of it is stored; the
message sent again is a new one (a new Slack ``ts``, a new Teams activity id), handled once Redis
is back.
"""
from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from typing import Optional, Union

import redis

from channels.locks import ENDPOINT_TYPE as SHARED_LOCK_STORE

# A Redis server that does not answer within this is out of reach. A Slack event passes two guards
# (its signature, its message) and Slack wants the webhook's answer within 3 seconds, or it retries.
TIMEOUT_S = 0.5


class GuardUnavailable(RuntimeError):
    """Whether a key was accepted before cannot be told: the Redis server the servers share is out of
    reach, and this server has no record of the key."""


class SeenRecently:
    """Keys seen recently (signatures, message and activity ids), each remembered for at most
    ``max_age`` seconds, at most ``max_size`` of them (the oldest are forgotten first)."""

    def __init__(self, max_age: float, max_size: int = 10_000) -> None:
        self.max_age = max_age
        self.max_size = max_size
        self._seen: "OrderedDict[str, float]" = OrderedDict()  # key -> when it is forgotten, oldest first

    def add(self, key: str, now: float, until: Optional[float] = None) -> bool:
        """Remember ``key`` until ``until`` (at the latest ``max_age`` from now); False if it is remembered already."""
        # Evicting from the front suffices: expiry times follow insertion order, or nearly (one window per
        # user of this class; Bot Framework tokens all live about as long), and an expired entry left
        # further back counts as absent below.
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) >= self.max_size):
            self._seen.popitem(last=False)
        if self._seen.get(key, float("-inf")) >= now:
            return False
        self._seen.pop(key, None)  # expired: remembered anew, at the end
        latest = now + self.max_age
        self._seen[key] = latest if until is None else min(until, latest)
        return True


# Atomically: refuse a key remembered until ``now`` or later, else remember it until ``expires``
# (Redis forgets it by itself a little after, so nothing is left behind).
_ADD = """
local kept = redis.call('get', KEYS[1])
if kept and tonumber(kept) >= tonumber(ARGV[1]) then return 0 end
redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3])
return 1
"""


class SharedSeenRecently:
    """SeenRecently in Redis, shared by every server that uses the same ``namespace`` there (keys
    stored hashed, with the time they are remembered until), and in this server's memory (``here``)."""

    def __init__(self, store: redis.Redis, namespace: str, max_age: float) -> None:
        self.store, self.namespace, self.max_age = store, namespace, max_age
        self._add = store.register_script(_ADD)
        self.here = SeenRecently(max_age)

    def add(self, key: str, now: float, until: Optional[float] = None) -> bool:
        """As SeenRecently.add, for every server at once. A key this server has seen is refused even
        when Redis forgot it or cannot be reached (a retry of a message this server asked for again
        while Redis was away is not handled: the person sends it again). Raises GuardUnavailable for
        a key this server has not seen while Redis is out of reach."""
        new_here = self.here.add(key, now, until)
        expires = now + self.max_age if until is None else min(until, now + self.max_age)
        name = f"trialbot:seen:{self.namespace}:{hashlib.sha256(key.encode()).hexdigest()}"
        keep_ms = max(1, int((expires - now) * 1000) + 60_000)  # a minute more: clocks of servers differ
        try:
            new = bool(self._add(keys=[name], args=[repr(now), repr(expires), keep_ms]))
        except redis.RedisError as error:
            if new_here:
                raise GuardUnavailable(type(error).__name__) from error
            return False
        return new and new_here


def seen_recently(namespace: str, max_age: float) -> Union[SeenRecently, SharedSeenRecently]:
    """Where a channel remembers what it accepted: in Redis when the Rasa servers share their
    conversation locks there (endpoints.yml's lock store, as ``trialbot serve`` sets it), else in
    this server's memory."""
    if os.environ.get("TRIALBOT_LOCK_STORE_TYPE") != SHARED_LOCK_STORE:
        return SeenRecently(max_age)
    store = redis.Redis(host=os.environ["TRIALBOT_LOCK_STORE_HOST"], port=int(os.environ["TRIALBOT_LOCK_STORE_PORT"]),
                        db=int(os.environ["TRIALBOT_LOCK_STORE_DB"]), socket_connect_timeout=TIMEOUT_S,
                        socket_timeout=TIMEOUT_S)
    return SharedSeenRecently(store, namespace, max_age)
