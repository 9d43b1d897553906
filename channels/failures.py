"""A message the bot could not answer: the reply that asks for it again, and what failed.

Every message the bot can read gets an answer, so a turn that ends with none, or with an error,
failed: the action server was down, or the conversation's store (PostgreSQL) or its lock (Redis)
could not be reached; a Slack or Teams message is not even handed to Rasa when the replay guard,
in that Redis, cannot tell whether it was handled before (channels/replay.py). Every channel then
answers with ``texts.NOT_ANSWERED`` ("please send your message again in a moment"),
``custom.failed``, in the conversation's language: the REST channel and the web chat in its reply
(channels/rest.py), Slack and Teams in the thread (channels/handoff.py).

Rasa wraps the tracker store in a ``FailSafeTrackerStore``, which turns a failure to read a
conversation into "no such conversation" and one to save it into a copy kept in the server's memory
(where no other server, and no restart, finds it). A message that came while PostgreSQL was away
was then answered as the first of a new conversation (the welcome, the consent asked again) and the
turn was lost. ``store_failures_fail_the_message`` makes the wrapper pass the failure on instead, so
that the message fails whole: nothing is stored, and the person is asked to send it again.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import redis
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import FailSafeTrackerStore
from sqlalchemy.exc import SQLAlchemyError

from bot import i18n, reply_contract, texts
from channels.replay import GuardUnavailable

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation could not be read or saved (its database could not be reached)."""


def _pass_on(error: Exception) -> None:
    raise TrackerStoreUnavailable(type(error).__name__) from error


def store_failures_fail_the_message(agent: Any) -> None:
    """Makes ``agent``'s tracker store raise ``TrackerStoreUnavailable`` where Rasa's wrapper would go on
    with an empty conversation or keep it in memory (idempotent; cheap enough for every request)."""
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore) and store._on_tracker_store_error is not _pass_on:
        store._on_tracker_store_error = _pass_on


def what_failed(error: BaseException) -> str:
    """What a turn's error says of the server that failed, for the log (never the message's content:
    a database error's text can hold the values it was given)."""
    if isinstance(error, (TrackerStoreUnavailable, SQLAlchemyError)):
        return "the tracker store (its database) could not be reached"
    if isinstance(error, (redis.RedisError, LockError)):
        return "the conversation locks (Redis) could not be reached"
    if isinstance(error, GuardUnavailable):
        return "the replay guard (Redis) could not be reached"
    return "the turn failed"


def log_failure(service: str, error: Optional[BaseException]) -> None:
    why = what_failed(error) if error is not None else "no reply (the action server down?)"
    logger.error("A %s message got no answer: %s%s. Asked the person to send it again.", service, why,
                 f" ({type(error).__name__})" if error is not None else "")


def not_answered(language: Optional[str]) -> Dict[str, Any]:
    """The reply to a message that got none, in ``language`` (None: English): ``text`` and ``custom``."""
    with i18n.override(language) as chosen:
        return {"text": texts.NOT_ANSWERED, "custom": {**reply_contract.not_answered(), "language": chosen}}
